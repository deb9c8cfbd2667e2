//! Editors write Markdown; visitors get HTML that cannot run anything.
//!
//! The text is parsed with `pulldown-cmark` (`CommonMark` with tables and
//! strikethrough) and the HTML it gives — raw HTML an editor typed passes
//! through the parser as it is — is cleaned by `ammonia` (html5ever's
//! parser, an allow-list of tags and attributes): no `<script>`, `<style>`,
//! `<svg>`, `<iframe>` or event handler survives, links and images keep only
//! `http`, `https` and `mailto` addresses (no `javascript:` nor `data:`),
//! and every link gets `rel="noopener nofollow noreferrer"`.

use std::collections::HashSet;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// The sanitiser's policy, built once.
fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: std::sync::OnceLock<ammonia::Builder<'static>> = std::sync::OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.url_schemes(HashSet::from(["http", "https", "mailto"]))
            .link_rel(Some("noopener nofollow noreferrer"))
            .strip_comments(true);
        b
    })
}

/// Markdown as safe HTML.
pub fn to_html(markdown: &str) -> String {
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(markdown, options()));
    sanitize(&html)
}

/// Any HTML as safe HTML (the same policy as [`to_html`]).
pub fn sanitize(html: &str) -> String {
    cleaner().clean(html).to_string()
}

/// The words of a Markdown text without its marks (search, snippets,
/// summaries of feeds): one line a block, raw HTML left out.
pub fn to_plain(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::TableRow
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_),
            ) => out.push('\n'),
            Event::Start(Tag::Item) => out.push_str("• "),
            _ => {}
        }
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders() {
        let h = to_html("# Tin\n\n**Xuân** quê hương, [cổng](https://dichvucong.gov.vn).");
        assert!(h.contains("<h1>Tin</h1>"), "{h}");
        assert!(h.contains("<strong>Xuân</strong>"), "{h}");
        assert!(
            h.contains(
                "<a href=\"https://dichvucong.gov.vn\" rel=\"noopener nofollow noreferrer\">cổng</a>"
            ),
            "{h}"
        );
    }

    #[test]
    fn nothing_that_runs_survives() {
        let corpus = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "<a href=\"javascript&#58;alert(1)\">x</a>",
            "<svg onload=alert(1)><circle/></svg>",
            "<svg><script>alert(1)</script></svg>",
            "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
            "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<style>body{display:none}</style>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "<form action=\"https://evil.example\"><input name=a></form>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
            "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
        ];
        for md in corpus {
            let h = to_html(md).to_lowercase();
            for bad in [
                "<script",
                "onerror",
                "onload",
                "javascript:",
                "<svg",
                "data:",
                "<iframe",
                "<style",
                "style=",
                "<form",
                "<object",
                "<embed",
                "<meta",
            ] {
                assert!(!h.contains(bad), "{md} gave {h}");
            }
        }
    }

    #[test]
    fn plain_text_has_the_words_only() {
        assert_eq!(
            to_plain("# Tiêu đề\n\nMột **đoạn** có `mã`.\n\n- một\n- hai"),
            "Tiêu đề\nMột đoạn có mã.\n• một\n• hai"
        );
    }
}
