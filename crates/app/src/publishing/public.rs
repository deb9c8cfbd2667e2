//! What the public site reads: published items only, no sign-in, no
//! personal data. Each language has its own readable URLs
//! (`/tin-tuc/2026/12/xuan-que-huong-2027`, `/en/news/2026/12/...`).

use db::Row;
use serde::Serialize;

use super::content::{self, Item, LinkRef};
use crate::{App, AppError, AppResult, clock};

/// How long a server keeps a public page it made before making it again,
/// when nothing changed on this server (another server's change shows
/// within this time).
pub const CACHE_SECONDS: u64 = 5;

/// Items per page of a public list.
pub const PER_PAGE: i64 = 20;

/// The path of a published item in a language (`vi` or `en`).
pub fn url(kind: &str, lang: &str, slug: &str, published_at: Option<&str>) -> String {
    let en = lang == "en";
    match kind {
        "news" => {
            let (y, m) = published_at.and_then(clock::parse).map_or((1970, 1), |t| {
                let t = t.to_offset(clock::display_offset());
                (t.year(), u8::from(t.month()))
            });
            if en {
                format!("/en/news/{y:04}/{m:02}/{slug}")
            } else {
                format!("/tin-tuc/{y:04}/{m:02}/{slug}")
            }
        }
        "policy" if en => format!("/en/policies/{slug}"),
        "policy" => format!("/chinh-sach/{slug}"),
        "procedure" if en => format!("/en/procedures/{slug}"),
        "procedure" => format!("/thu-tuc/{slug}"),
        "legal_document" if en => format!("/en/legal-documents/{slug}"),
        "legal_document" => format!("/van-ban/{slug}"),
        _ if en => format!("/en/faq#{slug}"),
        _ => format!("/hoi-dap#{slug}"),
    }
}

/// The path of a list of a kind in a language.
pub fn section_url(kind: &str, lang: &str) -> &'static str {
    match (kind, lang == "en") {
        ("news", false) => "/tin-tuc",
        ("news", true) => "/en/news",
        ("policy", false) => "/chinh-sach",
        ("policy", true) => "/en/policies",
        ("procedure", false) => "/thu-tuc",
        ("procedure", true) => "/en/procedures",
        ("legal_document", false) => "/van-ban",
        ("legal_document", true) => "/en/legal-documents",
        (_, false) => "/hoi-dap",
        (_, true) => "/en/faq",
    }
}

/// A published item as listed (in the language asked for, or in
/// Vietnamese when it has no English text: `translated` is then false).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ContentCard)]
pub struct Card {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub summary: String,
    /// The page in the language asked for when translated, else the Vietnamese page.
    pub url: String,
    pub translated: bool,
    pub published_at: String,
    pub category: String,
    pub doc_number: String,
    pub doc_type: String,
    pub issuing_body: String,
    pub signed_on: Option<String>,
    pub effective_on: Option<String>,
    pub legal_status: String,
    pub field: String,
    pub scope: String,
    pub scope_country: String,
}

/// Filters of a public list (each empty: any).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub category: String,
    pub doc_type: String,
    pub issuing_body: String,
    pub legal_status: String,
    pub field: String,
    pub scope: String,
    /// A year of signature (legal documents) or publication.
    pub year: String,
}

const CARD_COLUMNS: &str = "c.id, c.kind, c.category, c.published_at, c.doc_number, c.doc_type, \
    c.issuing_body, c.signed_on, c.effective_on, c.legal_status, c.field, c.scope, \
    c.scope_country, v.slug, v.title, v.summary, e.slug, e.title, e.summary";

const CARD_FROM: &str = "FROM content_items c \
    JOIN content_translations v ON v.item_id = c.id AND v.lang = 'vi' \
    LEFT JOIN content_translations e ON e.item_id = c.id AND e.lang = 'en'";

fn card_of(r: &db::AnyRow, lang: &str) -> Result<Card, db::SqlxError> {
    let kind: String = r.try_get(1)?;
    let published_at: Option<String> = r.try_get(3)?;
    let en_slug: Option<String> = r.try_get(16)?;
    let translated = lang != "en" || en_slug.is_some();
    let (slug, title, summary): (String, String, String) = if lang == "en" && translated {
        (
            en_slug.unwrap_or_default(),
            r.try_get::<Option<String>, _>(17)?.unwrap_or_default(),
            r.try_get::<Option<String>, _>(18)?.unwrap_or_default(),
        )
    } else {
        (r.try_get(13)?, r.try_get(14)?, r.try_get(15)?)
    };
    let url_lang = if translated { lang } else { "vi" };
    Ok(Card {
        id: r.try_get(0)?,
        url: url(&kind, url_lang, &slug, published_at.as_deref()),
        kind,
        title,
        summary,
        translated,
        published_at: published_at.unwrap_or_default(),
        category: r.try_get(2)?,
        doc_number: r.try_get(4)?,
        doc_type: r.try_get(5)?,
        issuing_body: r.try_get(6)?,
        signed_on: r.try_get(7)?,
        effective_on: r.try_get(8)?,
        legal_status: r.try_get(9)?,
        field: r.try_get(10)?,
        scope: r.try_get(11)?,
        scope_country: r.try_get(12)?,
    })
}

fn order_of(kind: &str) -> &'static str {
    if kind == "legal_document" {
        "COALESCE(c.signed_on, c.effective_on, c.published_at) DESC, c.id DESC"
    } else {
        "c.published_at DESC, c.id DESC"
    }
}

/// A filter's column, value and code check.
type Check<'a> = (&'a str, &'a str, fn(&str) -> bool);

/// A page of the published items of a kind, filtered: the cards and how
/// many match. An unknown code in a filter is refused naming it.
pub async fn list(
    app: &App,
    kind: &str,
    lang: &str,
    f: &Filter,
    page: i64,
) -> AppResult<(Vec<Card>, i64)> {
    let mut args: Vec<String> = vec![kind.to_owned()];
    let mut conds = vec!["c.state = 'published'".to_owned(), "c.kind = $1".to_owned()];
    let mut errs = Vec::new();
    let checks: [Check; 6] = [
        ("category", &f.category, |c| {
            domain::ContentCategory::from_code(c).is_ok()
        }),
        ("doc_type", &f.doc_type, |c| {
            domain::DocType::from_code(c).is_ok()
        }),
        ("issuing_body", &f.issuing_body, |c| {
            domain::IssuingBody::from_code(c).is_ok()
        }),
        ("legal_status", &f.legal_status, |c| {
            domain::LegalStatus::from_code(c).is_ok()
        }),
        ("field", &f.field, |c| {
            domain::LegalField::from_code(c).is_ok()
        }),
        ("scope", &f.scope, |c| {
            domain::LegalScope::from_code(c).is_ok()
        }),
    ];
    for (column, value, ok) in checks {
        let v = value.trim();
        if v.is_empty() {
            continue;
        }
        if ok(v) {
            args.push(v.to_owned());
            conds.push(format!("c.{column} = ${}", args.len()));
        } else {
            errs.push(crate::FieldError::new(column, "invalid_code"));
        }
    }
    let year = f.year.trim();
    if !year.is_empty() {
        if year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) {
            args.push(format!("{year}%"));
            conds.push(format!(
                "COALESCE(c.signed_on, c.published_at) LIKE ${}",
                args.len()
            ));
        } else {
            errs.push(crate::FieldError::new("year", "invalid_number"));
        }
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let wh = conds.join(" AND ");
    let count_sql = format!("SELECT COUNT(*) {CARD_FROM} WHERE {wh}");
    let mut q = sqlx::query_scalar::<_, i64>(&count_sql);
    for a in &args {
        q = q.bind(a);
    }
    let total = q.fetch_one(&app.db.pool).await?;
    let page = page.max(1);
    let sql = format!(
        "SELECT {CARD_COLUMNS} {CARD_FROM} WHERE {wh} ORDER BY {} LIMIT {PER_PAGE} OFFSET {}",
        order_of(kind),
        (page - 1) * PER_PAGE
    );
    let mut q = sqlx::query(&sql);
    for a in &args {
        q = q.bind(a);
    }
    let cards = q
        .fetch_all(&app.db.pool)
        .await?
        .iter()
        .map(|r| card_of(r, lang))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((cards, total))
}

/// The latest published items of a kind (featured first when asked).
pub async fn latest(
    app: &App,
    kind: &str,
    lang: &str,
    n: i64,
    featured_first: bool,
) -> AppResult<Vec<Card>> {
    let order = if featured_first {
        format!("c.featured DESC, {}", order_of(kind))
    } else {
        order_of(kind).to_owned()
    };
    let sql = format!(
        "SELECT {CARD_COLUMNS} {CARD_FROM} WHERE c.state = 'published' AND c.kind = $1 \
         ORDER BY {order} LIMIT {n}"
    );
    Ok(sqlx::query(&sql)
        .bind(kind)
        .fetch_all(&app.db.pool)
        .await?
        .iter()
        .map(|r| card_of(r, lang))
        .collect::<Result<Vec<_>, _>>()?)
}

/// Up to `n` other published items of the same kind, those of the same
/// category first, newest first: an item page's "related items".
pub async fn related(
    app: &App,
    id: i64,
    kind: &str,
    category: &str,
    lang: &str,
    n: i64,
) -> AppResult<Vec<Card>> {
    let sql = format!(
        "SELECT {CARD_COLUMNS} {CARD_FROM} WHERE c.state = 'published' AND c.kind = $1 \
         AND c.id <> $2 ORDER BY CASE WHEN c.category = $3 AND c.category <> '' THEN 0 ELSE 1 END, \
         {} LIMIT {n}",
        order_of(kind)
    );
    Ok(sqlx::query(&sql)
        .bind(kind)
        .bind(id)
        .bind(category)
        .fetch_all(&app.db.pool)
        .await?
        .iter()
        .map(|r| card_of(r, lang))
        .collect::<Result<Vec<_>, _>>()?)
}

/// Published items by id, in the order given, as cards in a language
/// (items not published are left out).
pub async fn cards(app: &App, ids: &[i64], lang: &str) -> AppResult<Vec<Card>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "SELECT {CARD_COLUMNS} {CARD_FROM} WHERE c.state = 'published' AND c.id IN ({list})"
    );
    let mut cards = sqlx::query(&sql)
        .fetch_all(&app.db.pool)
        .await?
        .iter()
        .map(|r| card_of(r, lang))
        .collect::<Result<Vec<_>, _>>()?;
    cards.sort_by_key(|c| ids.iter().position(|i| *i == c.id));
    Ok(cards)
}

/// What a public URL finds.
#[derive(Debug)]
pub enum Found {
    /// The item, with its links to published items only.
    Item(Box<Item>),
    /// The item exists in Vietnamese only: its Vietnamese title and page.
    Untranslated { title_vi: String, url_vi: String },
}

/// A published item of `kind` by its slug in `lang`. An English URL with
/// the Vietnamese slug of an item without English text finds it as
/// untranslated.
pub async fn find(app: &App, kind: &str, lang: &str, slug: &str) -> AppResult<Found> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT c.id FROM content_translations t JOIN content_items c ON c.id = t.item_id \
         WHERE t.lang = $1 AND t.slug = $2 AND c.kind = $3 AND c.state = 'published'",
    )
    .bind(lang)
    .bind(slug)
    .bind(kind)
    .fetch_optional(&app.db.pool)
    .await?;
    let mut conn = app.db.pool.acquire().await?;
    if let Some(id) = id {
        let mut item = content::load_unscoped(&mut conn, id).await?;
        let published = |l: &mut Vec<LinkRef>| l.retain(|x| x.state == "published");
        published(&mut item.replaces);
        published(&mut item.amends);
        published(&mut item.legal_basis);
        published(&mut item.replaced_by);
        published(&mut item.amended_by);
        return Ok(Found::Item(Box::new(item)));
    }
    if lang == "en" {
        let vi: Option<i64> = sqlx::query_scalar(
            "SELECT c.id FROM content_translations t JOIN content_items c ON c.id = t.item_id \
             WHERE t.lang = 'vi' AND t.slug = $1 AND c.kind = $2 AND c.state = 'published'",
        )
        .bind(slug)
        .bind(kind)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(id) = vi {
            let item = content::load_unscoped(&mut conn, id).await?;
            if item.en.is_none() {
                return Ok(Found::Untranslated {
                    url_vi: url(kind, "vi", &item.vi.text.slug, item.published_at.as_deref()),
                    title_vi: item.vi.text.title,
                });
            }
        }
    }
    Err(AppError::NotFound)
}

/// A search result: the card, and the title and a snippet with the
/// character ranges the query's words matched (the page escapes the text,
/// then marks the ranges).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ContentHit)]
pub struct Hit {
    pub card: Card,
    pub score: i64,
    pub title_marks: Vec<[usize; 2]>,
    pub snippet: String,
    pub snippet_marks: Vec<[usize; 2]>,
}

/// The character ranges of the words of `text` that begin with a folded
/// query word ("Đức" is marked for "duc").
pub fn marks(text: &str, words: &[String]) -> Vec<[usize; 2]> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let chars: Vec<char> = text.chars().collect();
    for i in 0..=chars.len() {
        let alnum = chars.get(i).is_some_and(|c| c.is_alphanumeric());
        match (alnum, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let w: String = chars[s..i].iter().collect();
                let f = domain::text::fold(&w);
                if words.iter().any(|q| f.starts_with(q.as_str())) {
                    out.push([s, i]);
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// About 40 words of `text` around the first word the query matches.
fn snippet(text: &str, words: &[String]) -> (String, Vec<[usize; 2]>) {
    let all: Vec<&str> = text.split_whitespace().collect();
    let first = all
        .iter()
        .position(|w| {
            let f = domain::text::fold(w);
            f.split(' ')
                .any(|p| words.iter().any(|q| p.starts_with(q.as_str())))
        })
        .unwrap_or(0);
    let from = first.saturating_sub(12);
    let to = (from + 40).min(all.len());
    let mut s = all[from..to].join(" ");
    if from > 0 {
        s.insert_str(0, "… ");
    }
    if to < all.len() {
        s.push_str(" …");
    }
    let m = marks(&s, words);
    (s, m)
}

/// Published items whose text in `lang` holds every word of `q` (with or
/// without marks: "duc" finds "Đức"), best first: a word in the title
/// counts most, then in the summary, then in the body; newer first among
/// equals. At most 50.
pub async fn search(app: &App, lang: &str, q: &str) -> AppResult<Vec<Hit>> {
    let words: Vec<String> = domain::text::fold(q)
        .split(' ')
        .filter(|w| !w.is_empty())
        .take(8)
        .map(str::to_owned)
        .collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let lang = if lang == "en" { "en" } else { "vi" };
    let conds: Vec<String> = (0..words.len())
        .map(|i| format!("t.search_text LIKE ${}", i + 2))
        .collect();
    let sql = format!(
        "SELECT {CARD_COLUMNS}, t.title, t.summary, t.plain_text {CARD_FROM} \
         JOIN content_translations t ON t.item_id = c.id AND t.lang = $1 \
         WHERE c.state = 'published' AND {} ORDER BY c.published_at DESC LIMIT 500",
        conds.join(" AND ")
    );
    let mut qy = sqlx::query(&sql).bind(lang);
    for w in &words {
        qy = qy.bind(format!("%{}%", w.replace(['%', '_', '\\'], "")));
    }
    let mut hits = Vec::new();
    for r in qy.fetch_all(&app.db.pool).await? {
        let card = card_of(&r, lang)?;
        let title: String = r.try_get(19)?;
        let summary: String = r.try_get(20)?;
        let plain: String = r.try_get(21)?;
        let title_marks = marks(&title, &words);
        let summary_marks = marks(&summary, &words);
        let body_marks = marks(&plain, &words);
        let score = 10 * title_marks.len().min(10) as i64
            + 3 * summary_marks.len().min(10) as i64
            + body_marks.len().min(20) as i64;
        // Found inside a longer word only ("duc" in "product"): not a hit.
        if score == 0 {
            continue;
        }
        let (snippet, snippet_marks) =
            if !summary.is_empty() && (!summary_marks.is_empty() || body_marks.is_empty()) {
                (summary.clone(), summary_marks)
            } else {
                snippet(&plain, &words)
            };
        hits.push(Hit {
            card: Card { title, ..card },
            score,
            title_marks,
            snippet,
            snippet_marks,
        });
    }
    hits.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| b.card.published_at.cmp(&a.card.published_at))
    });
    hits.truncate(50);
    Ok(hits)
}

/// Every published page for the sitemap: (path, last change).
pub async fn sitemap(app: &App) -> AppResult<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT c.kind, t.lang, t.slug, c.published_at, c.updated_at FROM content_items c \
         JOIN content_translations t ON t.item_id = c.id \
         WHERE c.state = 'published' AND c.kind <> 'faq' ORDER BY c.id, t.lang",
    )
    .fetch_all(&app.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get(0)?;
            let lang: String = r.try_get(1)?;
            let slug: String = r.try_get(2)?;
            let published: Option<String> = r.try_get(3)?;
            let updated: String = r.try_get(4)?;
            Ok((url(&kind, &lang, &slug, published.as_deref()), updated))
        })
        .collect::<Result<Vec<_>, db::SqlxError>>()
        .map_err(AppError::from)
}

/// The newest change of published content (a feed's `updated`).
pub async fn last_change(app: &App) -> AppResult<String> {
    let t: Option<String> =
        sqlx::query_scalar("SELECT MAX(updated_at) FROM content_items WHERE state = 'published'")
            .fetch_one(&app.db.pool)
            .await?;
    Ok(t.unwrap_or_else(clock::now))
}

/// The published FAQs in a language (untranslated ones in Vietnamese),
/// with their answers' HTML.
pub async fn faqs(app: &App, lang: &str) -> AppResult<Vec<(Card, String)>> {
    let sql = format!(
        "SELECT {CARD_COLUMNS}, v.body_html, e.body_html {CARD_FROM} \
         WHERE c.state = 'published' AND c.kind = 'faq' ORDER BY c.published_at DESC, c.id DESC"
    );
    let rows = sqlx::query(&sql).fetch_all(&app.db.pool).await?;
    rows.iter()
        .map(|r| {
            let card = card_of(r, lang)?;
            let html: String = if lang == "en" && card.translated {
                r.try_get::<Option<String>, _>(20)?.unwrap_or_default()
            } else {
                r.try_get(19)?
            };
            Ok((card, html))
        })
        .collect::<Result<Vec<_>, db::SqlxError>>()
        .map_err(AppError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_read_as_the_issue_shows() {
        assert_eq!(
            url(
                "news",
                "vi",
                "xuan-que-huong-2027",
                Some("2026-12-06T18:00:00Z")
            ),
            "/tin-tuc/2026/12/xuan-que-huong-2027"
        );
        // 31/12 20:00 UTC is already January in Vietnam.
        assert_eq!(
            url("news", "en", "spring", Some("2026-12-31T20:00:00Z")),
            "/en/news/2027/01/spring"
        );
        assert_eq!(url("legal_document", "vi", "luat", None), "/van-ban/luat");
        assert_eq!(url("procedure", "en", "x", None), "/en/procedures/x");
    }

    #[test]
    fn marks_find_words_without_their_marks() {
        let w = vec!["duc".to_owned(), "tho".to_owned()];
        assert_eq!(marks("Huyện Đức Thọ, Hà Tĩnh", &w), vec![[6, 9], [10, 13]]);
        let (s, m) = snippet("một hai ba Đức năm", &["duc".to_owned()]);
        assert_eq!(s, "một hai ba Đức năm");
        assert_eq!(m, vec![[11, 14]]);
    }
}
