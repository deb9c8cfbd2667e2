//! How an item's cover and attachments show on its pages (issue 24
//! §2–§4): their addresses (public or the desk's), kinds and sizes in
//! words. Used by the public site and the desk alike.

use app::publishing::files::{self, ContentFile};

use crate::i18n::Tr;

/// A file as an item's page lists it.
pub struct FileView {
    pub id: i64,
    pub url: String,
    pub name: String,
    /// "PDF, 1,2 MB".
    pub about: String,
}

/// A cover as an item's page shows it.
pub struct CoverView {
    pub src: String,
    pub srcset: String,
}

/// "1,2 MB", "350 KB" (Vietnamese decimal comma; the English point).
pub fn size_words(t: Tr, bytes: i64) -> String {
    let comma = t.lang == crate::i18n::Lang::Vi;
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    let s = if b >= 1024.0 * 1024.0 {
        format!("{:.1} MB", b / 1024.0 / 1024.0)
    } else {
        format!("{} KB", (b / 1024.0).ceil().max(1.0))
    };
    if comma { s.replace('.', ",") } else { s }
}

fn kind_words(t: Tr, media_type: &str) -> &'static str {
    match media_type {
        files::PDF => "PDF",
        files::DOCX => "Word",
        files::XLSX => "Excel",
        _ => t.s("content.file.image"),
    }
}

/// The cover and the attachments of an item, with their addresses: the
/// public one (`public`: a published item's page) or the desk's.
pub fn views(t: Tr, all: &[ContentFile], public: bool) -> (Option<CoverView>, Vec<FileView>) {
    let url = |id: i64| {
        if public {
            format!("/tep/{id}")
        } else {
            format!("/content/files/{id}")
        }
    };
    let cover = all.iter().find(|f| f.role == "cover").map(|f| {
        let base = url(f.id);
        CoverView {
            src: format!("{base}?w={}", f.widths.first().copied().unwrap_or(0)),
            srcset: f
                .widths
                .iter()
                .map(|w| format!("{base}?w={w} {w}w"))
                .collect::<Vec<_>>()
                .join(", "),
        }
    });
    let list = all
        .iter()
        .filter(|f| f.role == "attachment")
        .map(|f| FileView {
            id: f.id,
            url: url(f.id),
            name: f.name.clone(),
            about: format!(
                "{}, {}",
                kind_words(t, &f.media_type),
                size_words(t, f.bytes)
            ),
        })
        .collect();
    (cover, list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn sizes_read_in_each_language() {
        assert_eq!(size_words(Tr::new(Lang::Vi), 1_258_291), "1,2 MB");
        assert_eq!(size_words(Tr::new(Lang::En), 1_258_291), "1.2 MB");
        assert_eq!(size_words(Tr::new(Lang::Vi), 10), "1 KB");
    }
}
