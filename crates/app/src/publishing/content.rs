//! The editorial desk: content items with their Vietnamese and English
//! texts, the workflow, every version, and the scheduled publisher.
//!
//! Who may do what is [`access::content_step_allowed`]'s: commune officers
//! propose drafts (theirs only), editors change and submit unpublished
//! items, publishers and province officers schedule, publish, archive and
//! restore. Every change is audited and kept as a version; a change made
//! against an old version is refused (optimistic concurrency).

use db::{Row, WriteTx};
use domain::{
    ContentCategory, ContentKind, ContentState, DocType, IssuingBody, LegalField, LegalScope,
    LegalStatus,
};
use serde::{Deserialize, Serialize};

use super::markdown;
use crate::access::{self, Action, ContentStep};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, FieldError, clock};

/// Longest title, authority or address.
const MAX_SHORT: usize = 300;
/// Longest summary, fees, processing time, audience.
const MAX_MEDIUM: usize = 2_000;
/// Longest body, steps or documents (Markdown).
const MAX_LONG: usize = 100_000;
/// Longest slug.
const MAX_SLUG: usize = 100;
/// Most tags and linked documents of an item.
const MAX_LIST: usize = 20;

/// What a caller submits for an item (every field optional in the JSON;
/// what is required depends on the kind). Unknown fields are refused.
/// Texts end in `_vi` (required: `title_vi`) or `_en` (optional: an
/// English version exists when `title_en` is given).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContentInput {
    /// `news`, `policy`, `procedure`, `legal_document` or `faq` (set at creation, not changed).
    pub kind: Option<String>,
    /// News and policies: `province`, `economy`, `community`, `visits`, `policy`, `culture`, `notice`.
    pub category: Option<String>,
    /// Free tags, comma-separated (at most 20).
    pub tags: Option<String>,
    /// Shown on the public home page.
    pub featured: Option<bool>,
    pub title_vi: Option<String>,
    /// The Vietnamese URL's last part (`xuan-que-huong-2027`); made from the title when empty.
    pub slug_vi: Option<String>,
    pub summary_vi: Option<String>,
    /// Markdown (raw HTML is sanitised; scripts never reach a visitor).
    pub body_vi: Option<String>,
    /// Procedure guides: who it is for.
    pub audience_vi: Option<String>,
    /// Procedure guides: the steps (Markdown).
    pub steps_vi: Option<String>,
    /// Procedure guides: the documents to bring (Markdown).
    pub documents_vi: Option<String>,
    pub fees_vi: Option<String>,
    pub processing_time_vi: Option<String>,
    /// Procedure guides: the competent authority.
    pub authority_vi: Option<String>,
    pub authority_address_vi: Option<String>,
    pub title_en: Option<String>,
    pub slug_en: Option<String>,
    pub summary_en: Option<String>,
    pub body_en: Option<String>,
    pub audience_en: Option<String>,
    pub steps_en: Option<String>,
    pub documents_en: Option<String>,
    pub fees_en: Option<String>,
    pub processing_time_en: Option<String>,
    pub authority_en: Option<String>,
    pub authority_address_en: Option<String>,
    /// Legal documents: number and symbol (`91/2025/QH15`), unique.
    pub doc_number: Option<String>,
    /// `law`, `decree`, `decision`, `circular`, `directive`, `resolution`,
    /// `provincial_resolution`, `host_country_rule`.
    pub doc_type: Option<String>,
    /// `national_assembly`, `na_standing_committee`, `politburo`, `government`,
    /// `prime_minister`, `ministry`, `provincial_council`, `provincial_committee`,
    /// `foreign_authority`.
    pub issuing_body: Option<String>,
    /// Day signed (`26/06/2025` or `2025-06-26`).
    pub signed_on: Option<String>,
    /// Day in force.
    pub effective_on: Option<String>,
    /// `in_force` (default), `not_yet_in_force`, `partly_expired`, `expired`.
    pub legal_status: Option<String>,
    /// `vietnam` (default), `province`, `host_country`.
    pub scope: Option<String>,
    /// The host country (ISO alpha-2 or a name) when the scope is `host_country`.
    pub scope_country: Option<String>,
    /// Legal documents and procedure guides: `nationality`, `entry_exit`, ...
    pub field: Option<String>,
    /// Procedure guides: the national online public service (`https://...`).
    pub online_url: Option<String>,
    /// Legal documents this one replaces, by number.
    pub replaces: Option<Vec<String>>,
    /// Legal documents this one amends, by number.
    pub amends: Option<Vec<String>>,
    /// Procedure guides: their legal basis, by document number.
    pub legal_basis: Option<Vec<String>>,
}

/// One language's text of an item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ContentText)]
pub struct Text {
    pub slug: String,
    pub title: String,
    pub summary: String,
    /// Markdown as written.
    pub body: String,
    pub audience: String,
    pub steps: String,
    pub documents: String,
    pub fees: String,
    pub processing_time: String,
    pub authority: String,
    pub authority_address: String,
}

/// A language's text as stored: the Markdown and its sanitised HTML.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
#[schema(as = ContentTranslation)]
pub struct Translation {
    /// `vi` or `en`.
    pub lang: String,
    #[serde(flatten)]
    pub text: Text,
    pub body_html: String,
    pub steps_html: String,
    pub documents_html: String,
}

/// Another item an item links to (or is linked from).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ContentLinkRef)]
pub struct LinkRef {
    pub id: i64,
    pub kind: String,
    pub state: String,
    pub doc_number: String,
    pub title_vi: String,
    pub title_en: String,
    pub slug_vi: String,
    pub slug_en: String,
    pub published_at: Option<String>,
}

/// An item with its texts and links.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ContentItem)]
pub struct Item {
    pub id: i64,
    pub version: i64,
    pub kind: String,
    pub state: String,
    pub category: String,
    pub tags: Vec<String>,
    pub featured: bool,
    /// When a scheduled item will be published (RFC 3339 UTC).
    pub publish_at: Option<String>,
    /// When it was first published.
    pub published_at: Option<String>,
    pub doc_number: String,
    pub doc_type: String,
    pub issuing_body: String,
    pub signed_on: Option<String>,
    pub effective_on: Option<String>,
    pub legal_status: String,
    pub scope: String,
    pub scope_country: String,
    pub field: String,
    pub online_url: String,
    pub vi: Translation,
    pub en: Option<Translation>,
    pub replaces: Vec<LinkRef>,
    pub amends: Vec<LinkRef>,
    pub legal_basis: Vec<LinkRef>,
    /// Documents that replace this one.
    pub replaced_by: Vec<LinkRef>,
    /// Documents that amend this one.
    pub amended_by: Vec<LinkRef>,
    /// Who wrote it (username).
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    #[serde(skip)]
    pub created_by_id: Option<i64>,
}

/// An item as listed on the desk.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ContentItemRow)]
pub struct ItemRow {
    pub id: i64,
    pub version: i64,
    pub kind: String,
    pub state: String,
    pub title_vi: String,
    pub has_en: bool,
    pub doc_number: String,
    pub publish_at: Option<String>,
    pub published_at: Option<String>,
    pub created_by: String,
    pub updated_at: String,
}

/// One version of an item's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ContentVersionRow)]
pub struct VersionRow {
    pub version: i64,
    /// The state after the change.
    pub state: String,
    /// `created`, `updated`, `submitted`, `scheduled`, `published`,
    /// `published on schedule`, `returned`, `archived`, `restored`.
    pub summary: String,
    /// Who (username; `system` for the scheduled publisher).
    pub actor: String,
    pub changed_at: String,
    /// The item's fields and texts after the change.
    #[schema(value_type = Object)]
    pub snapshot: serde_json::Value,
}

/// Filters of the desk's list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub kind: String,
    pub state: String,
    /// Words of the title, with or without marks.
    pub q: String,
}

/// A step of the workflow as the API names it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    /// `submit`, `return`, `schedule`, `publish`, `archive` or `restore`.
    pub step: Option<String>,
    /// For `schedule`: when (RFC 3339, `2026-12-24T08:00`, or `08:00 24/12/2026` in Vietnam time).
    pub publish_at: Option<String>,
}

/// The steps by name.
pub const STEPS: &[&str] = &[
    "submit", "return", "schedule", "publish", "archive", "restore",
];

fn step_of(code: &str) -> Option<ContentStep> {
    Some(match code {
        "submit" => ContentStep::Submit,
        "return" => ContentStep::Return,
        "schedule" => ContentStep::Schedule,
        "publish" => ContentStep::Publish,
        "archive" => ContentStep::Archive,
        "restore" => ContentStep::Restore,
        _ => return None,
    })
}

// ------------------------------------------------------------------ validation

/// The validated fields of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Data {
    kind: String,
    category: String,
    tags: Vec<String>,
    featured: bool,
    doc_number: String,
    doc_type: String,
    issuing_body: String,
    signed_on: Option<String>,
    effective_on: Option<String>,
    legal_status: String,
    scope: String,
    scope_country: String,
    field: String,
    online_url: String,
    replaces: Vec<String>,
    amends: Vec<String>,
    legal_basis: Vec<String>,
    vi: Text,
    en: Option<Text>,
}

fn trimmed(v: Option<&String>) -> String {
    v.map(|s| s.trim().to_owned()).unwrap_or_default()
}

fn text_ok(field: &str, v: &str, max: usize, errs: &mut Vec<FieldError>) {
    if domain::text::has_forbidden_control(v) || (max <= MAX_SHORT && v.contains(['\n', '\r'])) {
        errs.push(FieldError::new(field, "control_chars"));
    } else if v.chars().count() > max {
        errs.push(FieldError::new(field, "too_long"));
    }
}

fn code_ok<T>(
    field: &str,
    v: &str,
    parse: impl Fn(&str) -> Result<T, domain::UnknownCode>,
    required: bool,
    errs: &mut Vec<FieldError>,
) {
    if v.is_empty() {
        if required {
            errs.push(FieldError::new(field, "required"));
        }
    } else if parse(v).is_err() {
        errs.push(FieldError::new(field, "invalid_code"));
    }
}

/// A full day as stored (`YYYY-MM-DD`), from `dd/mm/yyyy` or ISO.
fn day(field: &str, v: &str, errs: &mut Vec<FieldError>) -> Option<String> {
    if v.is_empty() {
        return None;
    }
    match domain::PartialDate::parse(v) {
        Ok(d) if d.day.is_some() => Some(d.to_iso()),
        _ => {
            errs.push(FieldError::new(field, "invalid_date"));
            None
        }
    }
}

/// A slug as typed: lowercase letters, digits and hyphens.
fn slug_ok(field: &str, v: &str, errs: &mut Vec<FieldError>) {
    if v.len() > MAX_SLUG {
        errs.push(FieldError::new(field, "too_long"));
    } else if !v
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        || v.starts_with('-')
        || v.ends_with('-')
        || v.contains("--")
    {
        errs.push(FieldError::new(field, "invalid_slug"));
    }
}

/// A slug made from a title: folded words joined by hyphens, at most 80
/// characters, cut between words ("Xuân quê hương 2027" → `xuan-que-huong-2027`).
pub fn slugify(title: &str) -> String {
    let mut out = String::new();
    for w in domain::text::fold(title).split(' ') {
        let w: String = w.chars().filter(char::is_ascii_alphanumeric).collect();
        if w.is_empty() {
            continue;
        }
        if !out.is_empty() && out.len() + 1 + w.len() > 80 {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&w[..w.len().min(80)]);
    }
    if out.is_empty() {
        "bai-viet".to_owned()
    } else {
        out
    }
}

fn numbers(field: &str, v: Option<&Vec<String>>, errs: &mut Vec<FieldError>) -> Vec<String> {
    let mut out: Vec<String> = v
        .map(|l| {
            l.iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    out.dedup();
    if out.len() > MAX_LIST {
        errs.push(FieldError::new(field, "too_many"));
    }
    for n in &out {
        text_ok(field, n, 60, errs);
    }
    out
}

fn text_of(input: &ContentInput, lang: &str, errs: &mut Vec<FieldError>) -> Text {
    let pick = |vi: &Option<String>, en: &Option<String>| {
        if lang == "vi" {
            trimmed(vi.as_ref())
        } else {
            trimmed(en.as_ref())
        }
    };
    let i = input;
    let t = Text {
        slug: pick(&i.slug_vi, &i.slug_en),
        title: pick(&i.title_vi, &i.title_en),
        summary: pick(&i.summary_vi, &i.summary_en),
        body: pick(&i.body_vi, &i.body_en),
        audience: pick(&i.audience_vi, &i.audience_en),
        steps: pick(&i.steps_vi, &i.steps_en),
        documents: pick(&i.documents_vi, &i.documents_en),
        fees: pick(&i.fees_vi, &i.fees_en),
        processing_time: pick(&i.processing_time_vi, &i.processing_time_en),
        authority: pick(&i.authority_vi, &i.authority_en),
        authority_address: pick(&i.authority_address_vi, &i.authority_address_en),
    };
    let f = |name: &str| format!("{name}_{lang}");
    for (name, v, max) in [
        ("title", &t.title, MAX_SHORT),
        ("summary", &t.summary, MAX_MEDIUM),
        ("body", &t.body, MAX_LONG),
        ("audience", &t.audience, MAX_MEDIUM),
        ("steps", &t.steps, MAX_LONG),
        ("documents", &t.documents, MAX_LONG),
        ("fees", &t.fees, MAX_MEDIUM),
        ("processing_time", &t.processing_time, MAX_MEDIUM),
        ("authority", &t.authority, MAX_SHORT),
        ("authority_address", &t.authority_address, MAX_SHORT),
    ] {
        text_ok(&f(name), v, max, errs);
    }
    if !t.slug.is_empty() {
        slug_ok(&f("slug"), &t.slug, errs);
    }
    t
}

fn validate(input: &ContentInput) -> Result<Data, Vec<FieldError>> {
    let mut errs = Vec::new();
    let kind = trimmed(input.kind.as_ref());
    code_ok("kind", &kind, ContentKind::from_code, true, &mut errs);
    let category = trimmed(input.category.as_ref());
    code_ok(
        "category",
        &category,
        ContentCategory::from_code,
        false,
        &mut errs,
    );
    let tags_text = trimmed(input.tags.as_ref());
    text_ok("tags", &tags_text, MAX_MEDIUM, &mut errs);
    let mut tags: Vec<String> = tags_text
        .split(',')
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    tags.dedup();
    if tags.len() > MAX_LIST || tags.iter().any(|t| t.chars().count() > 60) {
        errs.push(FieldError::new("tags", "too_many"));
    }
    let vi = text_of(input, "vi", &mut errs);
    if vi.title.is_empty() {
        errs.push(FieldError::new("title_vi", "required"));
    }
    let en = text_of(input, "en", &mut errs);
    let en_given = en != Text::default();
    if en_given && en.title.is_empty() {
        errs.push(FieldError::new("title_en", "required_for_translation"));
    }
    let is = |k: ContentKind| kind == k.code();
    let doc_number = trimmed(input.doc_number.as_ref());
    text_ok("doc_number", &doc_number, 60, &mut errs);
    let doc_type = trimmed(input.doc_type.as_ref());
    let issuing_body = trimmed(input.issuing_body.as_ref());
    let mut legal_status = trimmed(input.legal_status.as_ref());
    let mut scope = trimmed(input.scope.as_ref());
    let legal = is(ContentKind::LegalDocument);
    if legal {
        if doc_number.is_empty() {
            errs.push(FieldError::new("doc_number", "required"));
        }
        if legal_status.is_empty() {
            "in_force".clone_into(&mut legal_status);
        }
        if scope.is_empty() {
            "vietnam".clone_into(&mut scope);
        }
    }
    code_ok("doc_type", &doc_type, DocType::from_code, legal, &mut errs);
    code_ok(
        "issuing_body",
        &issuing_body,
        IssuingBody::from_code,
        legal,
        &mut errs,
    );
    code_ok(
        "legal_status",
        &legal_status,
        LegalStatus::from_code,
        legal,
        &mut errs,
    );
    code_ok("scope", &scope, LegalScope::from_code, legal, &mut errs);
    let signed_on = day("signed_on", &trimmed(input.signed_on.as_ref()), &mut errs);
    let effective_on = day(
        "effective_on",
        &trimmed(input.effective_on.as_ref()),
        &mut errs,
    );
    let country_text = trimmed(input.scope_country.as_ref());
    let scope_country = if country_text.is_empty() {
        if scope == "host_country" {
            errs.push(FieldError::new("scope_country", "required"));
        }
        String::new()
    } else if let Some(c) = domain::geo::countries::resolve(&country_text) {
        c.to_owned()
    } else {
        errs.push(FieldError::new("scope_country", "unknown_country"));
        String::new()
    };
    let field = trimmed(input.field.as_ref());
    code_ok("field", &field, LegalField::from_code, false, &mut errs);
    let online_url = trimmed(input.online_url.as_ref());
    text_ok("online_url", &online_url, MAX_SHORT, &mut errs);
    if !(online_url.is_empty()
        || online_url.starts_with("https://")
        || online_url.starts_with("http://"))
    {
        errs.push(FieldError::new("online_url", "invalid_url"));
    }
    let replaces = numbers("replaces", input.replaces.as_ref(), &mut errs);
    let amends = numbers("amends", input.amends.as_ref(), &mut errs);
    let legal_basis = numbers("legal_basis", input.legal_basis.as_ref(), &mut errs);
    if !legal && !doc_number.is_empty() {
        errs.push(FieldError::new("doc_number", "not_for_kind"));
    }
    if !legal && (!replaces.is_empty() || !amends.is_empty()) {
        errs.push(FieldError::new(
            if replaces.is_empty() {
                "amends"
            } else {
                "replaces"
            },
            "not_for_kind",
        ));
    }
    if legal && (replaces.contains(&doc_number) || amends.contains(&doc_number)) {
        errs.push(FieldError::new("replaces", "itself"));
    }
    if errs.is_empty() {
        Ok(Data {
            kind,
            category,
            tags,
            featured: input.featured.unwrap_or(false),
            doc_number,
            doc_type,
            issuing_body,
            signed_on,
            effective_on,
            legal_status,
            scope,
            scope_country,
            field,
            online_url,
            replaces,
            amends,
            legal_basis,
            vi,
            en: en_given.then_some(en),
        })
    } else {
        Err(errs)
    }
}

// ------------------------------------------------------------------ reading

const COLUMNS: &str = "c.id, c.version, c.kind, c.state, c.category, c.tags, c.featured, \
    c.publish_at, c.published_at, c.doc_number, c.doc_type, c.issuing_body, c.signed_on, \
    c.effective_on, c.legal_status, c.scope, c.scope_country, c.field, c.online_url, \
    c.created_by, c.created_by_name, c.created_at, c.updated_at";

fn from_row(r: &db::AnyRow) -> Result<Item, db::SqlxError> {
    let tags: String = r.try_get(5)?;
    Ok(Item {
        id: r.try_get(0)?,
        version: r.try_get(1)?,
        kind: r.try_get(2)?,
        state: r.try_get(3)?,
        category: r.try_get(4)?,
        tags: tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        featured: r.try_get::<i64, _>(6)? != 0,
        publish_at: r.try_get(7)?,
        published_at: r.try_get(8)?,
        doc_number: r.try_get(9)?,
        doc_type: r.try_get(10)?,
        issuing_body: r.try_get(11)?,
        signed_on: r.try_get(12)?,
        effective_on: r.try_get(13)?,
        legal_status: r.try_get(14)?,
        scope: r.try_get(15)?,
        scope_country: r.try_get(16)?,
        field: r.try_get(17)?,
        online_url: r.try_get(18)?,
        created_by_id: r.try_get(19)?,
        created_by: r.try_get(20)?,
        created_at: r.try_get(21)?,
        updated_at: r.try_get(22)?,
        vi: Translation::default(),
        en: None,
        replaces: Vec::new(),
        amends: Vec::new(),
        legal_basis: Vec::new(),
        replaced_by: Vec::new(),
        amended_by: Vec::new(),
    })
}

const TEXT_COLUMNS: &str = "lang, slug, title, summary, body_md, body_html, audience, steps_md, \
    steps_html, documents_md, documents_html, fees, processing_time, authority, authority_address";

fn translation_of(r: &db::AnyRow) -> Result<Translation, db::SqlxError> {
    Ok(Translation {
        lang: r.try_get(0)?,
        text: Text {
            slug: r.try_get(1)?,
            title: r.try_get(2)?,
            summary: r.try_get(3)?,
            body: r.try_get(4)?,
            audience: r.try_get(6)?,
            steps: r.try_get(7)?,
            documents: r.try_get(9)?,
            fees: r.try_get(11)?,
            processing_time: r.try_get(12)?,
            authority: r.try_get(13)?,
            authority_address: r.try_get(14)?,
        },
        body_html: r.try_get(5)?,
        steps_html: r.try_get(8)?,
        documents_html: r.try_get(10)?,
    })
}

const LINK_COLUMNS: &str = "c.id, c.kind, c.state, c.doc_number, c.published_at, \
    COALESCE(v.title, ''), COALESCE(v.slug, ''), COALESCE(e.title, ''), COALESCE(e.slug, '')";

const LINK_JOINS: &str = "LEFT JOIN content_translations v ON v.item_id = c.id AND v.lang = 'vi' \
    LEFT JOIN content_translations e ON e.item_id = c.id AND e.lang = 'en'";

fn link_of(r: &db::AnyRow) -> Result<LinkRef, db::SqlxError> {
    Ok(LinkRef {
        id: r.try_get(0)?,
        kind: r.try_get(1)?,
        state: r.try_get(2)?,
        doc_number: r.try_get(3)?,
        published_at: r.try_get(4)?,
        title_vi: r.try_get(5)?,
        slug_vi: r.try_get(6)?,
        title_en: r.try_get(7)?,
        slug_en: r.try_get(8)?,
    })
}

/// The items linked from (`outgoing`) or to an item by a relation.
async fn links(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    relation: &str,
    outgoing: bool,
) -> AppResult<Vec<LinkRef>> {
    let (me, other) = if outgoing {
        ("from_id", "to_id")
    } else {
        ("to_id", "from_id")
    };
    let sql = format!(
        "SELECT {LINK_COLUMNS} FROM content_links l JOIN content_items c ON c.id = l.{other} \
         {LINK_JOINS} WHERE l.{me} = $1 AND l.relation = $2 \
         ORDER BY c.effective_on DESC, c.signed_on DESC, c.id"
    );
    Ok(sqlx::query(&sql)
        .bind(id)
        .bind(relation)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(link_of)
        .collect::<Result<Vec<_>, _>>()?)
}

/// An item with its texts and links, whoever asks (callers decide).
pub(crate) async fn load_unscoped(conn: &mut sqlx::AnyConnection, id: i64) -> AppResult<Item> {
    let sql = format!("SELECT {COLUMNS} FROM content_items c WHERE c.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut item = from_row(&row)?;
    let sql = format!("SELECT {TEXT_COLUMNS} FROM content_translations WHERE item_id = $1");
    for r in sqlx::query(&sql).bind(id).fetch_all(&mut *conn).await? {
        let t = translation_of(&r)?;
        if t.lang == "en" {
            item.en = Some(t);
        } else {
            item.vi = t;
        }
    }
    item.replaces = links(conn, id, "replaces", true).await?;
    item.amends = links(conn, id, "amends", true).await?;
    item.legal_basis = links(conn, id, "legal_basis", true).await?;
    item.replaced_by = links(conn, id, "replaces", false).await?;
    item.amended_by = links(conn, id, "amends", false).await?;
    Ok(item)
}

fn own(actor: &Actor, item: &Item) -> bool {
    actor.user_id.is_some() && actor.user_id == item.created_by_id
}

/// An item the actor may open on the desk: every item for editors,
/// publishers and the province; their own for commune officers. Others
/// answer as not found.
async fn load(conn: &mut sqlx::AnyConnection, actor: &Actor, id: i64) -> AppResult<Item> {
    access::authorize(actor, Action::ContentRead)?;
    let item = load_unscoped(conn, id).await?;
    if access::content_sees_all(actor) || own(actor, &item) {
        Ok(item)
    } else {
        Err(AppError::NotFound)
    }
}

/// Reads one item (any state) for the desk.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<Item> {
    let mut conn = app.db.pool.acquire().await?;
    load(&mut conn, actor, id).await
}

/// The steps the actor may take on the item now.
pub fn steps_allowed(actor: &Actor, item: &Item) -> Vec<&'static str> {
    let mine = own(actor, item);
    STEPS
        .iter()
        .copied()
        .filter(|s| {
            step_of(s).is_some_and(|st| access::content_step_allowed(actor, &item.state, mine, st))
        })
        .collect()
}

/// True when the actor may change the item's fields now.
pub fn may_edit(actor: &Actor, item: &Item) -> bool {
    access::content_step_allowed(actor, &item.state, own(actor, item), ContentStep::Edit)
}

/// True when the actor may write new drafts.
pub fn may_propose(actor: &Actor) -> bool {
    access::authorize(actor, Action::ContentPropose).is_ok()
}

/// The items on the desk the actor may see, newest change first.
pub async fn list(app: &App, actor: &Actor, f: &ListFilter) -> AppResult<Vec<ItemRow>> {
    access::authorize(actor, Action::ContentRead)?;
    let mut errs = Vec::new();
    let mut conds: Vec<String> = vec!["1 = 1".to_owned()];
    let mut args: Vec<String> = Vec::new();
    let kind = f.kind.trim();
    if !kind.is_empty() {
        if ContentKind::from_code(kind).is_ok() {
            args.push(kind.to_owned());
            conds.push(format!("c.kind = ${}", args.len()));
        } else {
            errs.push(FieldError::new("kind", "invalid_code"));
        }
    }
    let state = f.state.trim();
    if !state.is_empty() {
        if ContentState::from_code(state).is_ok() {
            args.push(state.to_owned());
            conds.push(format!("c.state = ${}", args.len()));
        } else {
            errs.push(FieldError::new("state", "invalid_code"));
        }
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    if !access::content_sees_all(actor) {
        // An integer, not user text.
        conds.push(format!("c.created_by = {}", actor.user_id.unwrap_or(-1)));
    }
    let sql = format!(
        "SELECT c.id, c.version, c.kind, c.state, COALESCE(v.title, ''), \
         CAST(CASE WHEN e.item_id IS NULL THEN 0 ELSE 1 END AS BIGINT), c.doc_number, \
         c.publish_at, c.published_at, c.created_by_name, c.updated_at \
         FROM content_items c {LINK_JOINS} WHERE {} ORDER BY c.updated_at DESC, c.id DESC",
        conds.join(" AND ")
    );
    let mut q = sqlx::query(&sql);
    for a in &args {
        q = q.bind(a);
    }
    let words: Vec<String> = domain::text::fold(&f.q)
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let mut out = Vec::new();
    for r in q.fetch_all(&app.db.pool).await? {
        let row = ItemRow {
            id: r.try_get(0)?,
            version: r.try_get(1)?,
            kind: r.try_get(2)?,
            state: r.try_get(3)?,
            title_vi: r.try_get(4)?,
            has_en: r.try_get::<i64, _>(5)? == 1,
            doc_number: r.try_get(6)?,
            publish_at: r.try_get(7)?,
            published_at: r.try_get(8)?,
            created_by: r.try_get(9)?,
            updated_at: r.try_get(10)?,
        };
        let hay = domain::text::fold(&format!("{} {}", row.title_vi, row.doc_number));
        if words.iter().all(|w| hay.contains(w.as_str())) {
            out.push(row);
        }
    }
    Ok(out)
}

/// The history of an item, newest first.
pub async fn versions(app: &App, actor: &Actor, id: i64) -> AppResult<Vec<VersionRow>> {
    let mut conn = app.db.pool.acquire().await?;
    load(&mut conn, actor, id).await?;
    let rows = sqlx::query(
        "SELECT version, state, summary, actor, changed_at, snapshot FROM content_versions \
         WHERE item_id = $1 ORDER BY id DESC",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let snapshot: String = r.try_get(5)?;
            Ok(VersionRow {
                version: r.try_get(0)?,
                state: r.try_get(1)?,
                summary: r.try_get(2)?,
                actor: r.try_get(3)?,
                changed_at: r.try_get(4)?,
                snapshot: serde_json::from_str(&snapshot).unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>, db::SqlxError>>()
        .map_err(AppError::from)
}

// ------------------------------------------------------------------ writing

/// The input that would store `item` as it is (the base of a merge patch
/// and of the edit form).
pub fn to_input(item: &Item) -> ContentInput {
    let s = |v: &str| Some(v.to_owned());
    let en = item.en.as_ref().map(|t| t.text.clone()).unwrap_or_default();
    let vi = &item.vi.text;
    let nums = |l: &[LinkRef]| Some(l.iter().map(|x| x.doc_number.clone()).collect());
    let has_en = item.en.is_some();
    let e = |v: &str| has_en.then(|| v.to_owned());
    ContentInput {
        kind: s(&item.kind),
        category: s(&item.category),
        tags: Some(item.tags.join(", ")),
        featured: Some(item.featured),
        title_vi: s(&vi.title),
        slug_vi: s(&vi.slug),
        summary_vi: s(&vi.summary),
        body_vi: s(&vi.body),
        audience_vi: s(&vi.audience),
        steps_vi: s(&vi.steps),
        documents_vi: s(&vi.documents),
        fees_vi: s(&vi.fees),
        processing_time_vi: s(&vi.processing_time),
        authority_vi: s(&vi.authority),
        authority_address_vi: s(&vi.authority_address),
        title_en: e(&en.title),
        slug_en: e(&en.slug),
        summary_en: e(&en.summary),
        body_en: e(&en.body),
        audience_en: e(&en.audience),
        steps_en: e(&en.steps),
        documents_en: e(&en.documents),
        fees_en: e(&en.fees),
        processing_time_en: e(&en.processing_time),
        authority_en: e(&en.authority),
        authority_address_en: e(&en.authority_address),
        doc_number: s(&item.doc_number),
        doc_type: s(&item.doc_type),
        issuing_body: s(&item.issuing_body),
        signed_on: item.signed_on.clone(),
        effective_on: item.effective_on.clone(),
        legal_status: s(&item.legal_status),
        scope: s(&item.scope),
        scope_country: s(&item.scope_country),
        field: s(&item.field),
        online_url: s(&item.online_url),
        replaces: nums(&item.replaces),
        amends: nums(&item.amends),
        legal_basis: nums(&item.legal_basis),
    }
}

fn data_of(item: &Item) -> Data {
    let nums = |l: &[LinkRef]| l.iter().map(|x| x.doc_number.clone()).collect();
    Data {
        kind: item.kind.clone(),
        category: item.category.clone(),
        tags: item.tags.clone(),
        featured: item.featured,
        doc_number: item.doc_number.clone(),
        doc_type: item.doc_type.clone(),
        issuing_body: item.issuing_body.clone(),
        signed_on: item.signed_on.clone(),
        effective_on: item.effective_on.clone(),
        legal_status: item.legal_status.clone(),
        scope: item.scope.clone(),
        scope_country: item.scope_country.clone(),
        field: item.field.clone(),
        online_url: item.online_url.clone(),
        replaces: nums(&item.replaces),
        amends: nums(&item.amends),
        legal_basis: nums(&item.legal_basis),
        vi: item.vi.text.clone(),
        en: item.en.as_ref().map(|t| t.text.clone()),
    }
}

/// Writes a version row: the item as it is now, and what happened.
async fn version_row(
    tx: &mut WriteTx,
    actor_name: &str,
    id: i64,
    summary: &str,
    now: &str,
) -> AppResult<()> {
    let item = load_unscoped(&mut tx.tx, id).await?;
    let snapshot = serde_json::to_string(&serde_json::json!({
        "state": item.state,
        "publish_at": item.publish_at,
        "published_at": item.published_at,
        "content": data_of(&item),
    }))
    .map_err(anyhow::Error::from)?;
    sqlx::query(
        "INSERT INTO content_versions (item_id, version, state, summary, snapshot, actor, changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(item.version)
    .bind(&item.state)
    .bind(summary)
    .bind(snapshot)
    .bind(actor_name)
    .bind(now)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// The ids of the legal documents numbered `nums` (in that order), or the
/// field refused naming the unknown number.
async fn documents_by_number(
    conn: &mut sqlx::AnyConnection,
    field: &str,
    nums: &[String],
    errs: &mut Vec<FieldError>,
) -> AppResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(nums.len());
    for n in nums {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM content_items WHERE doc_number = $1 AND kind = 'legal_document'",
        )
        .bind(n)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(id) = id else {
            errs.push(FieldError::new(field, "unknown_document"));
            break;
        };
        ids.push(id);
    }
    Ok(ids)
}

async fn slug_taken(
    conn: &mut sqlx::AnyConnection,
    lang: &str,
    slug: &str,
    id: i64,
) -> AppResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM content_translations WHERE lang = $1 AND slug = $2 AND item_id <> $3",
    )
    .bind(lang)
    .bind(slug)
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

/// A free slug for `lang`: the one typed (refused when another item holds
/// it) or one made from the title (numbered until free).
async fn free_slug(
    conn: &mut sqlx::AnyConnection,
    lang: &str,
    t: &Text,
    id: i64,
    errs: &mut Vec<FieldError>,
) -> AppResult<String> {
    if !t.slug.is_empty() {
        if slug_taken(conn, lang, &t.slug, id).await? {
            errs.push(FieldError::new(format!("slug_{lang}"), "taken"));
        }
        return Ok(t.slug.clone());
    }
    let base = slugify(&t.title);
    let mut candidate = base.clone();
    let mut n = 2;
    while slug_taken(conn, lang, &candidate, id).await? {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

/// Writes the item's texts (rendered and folded) and links.
async fn write_parts(tx: &mut WriteTx, id: i64, d: &Data) -> AppResult<()> {
    let mut errs = Vec::new();
    let replaces = documents_by_number(&mut tx.tx, "replaces", &d.replaces, &mut errs).await?;
    let amends = documents_by_number(&mut tx.tx, "amends", &d.amends, &mut errs).await?;
    let basis = documents_by_number(&mut tx.tx, "legal_basis", &d.legal_basis, &mut errs).await?;
    let mut texts = vec![("vi", d.vi.clone())];
    if let Some(en) = &d.en {
        texts.push(("en", en.clone()));
    }
    for (lang, t) in &mut texts {
        t.slug = free_slug(&mut tx.tx, lang, t, id, &mut errs).await?;
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    sqlx::query("DELETE FROM content_translations WHERE item_id = $1")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    for (lang, t) in &texts {
        let plain = [
            t.summary.clone(),
            markdown::to_plain(&t.body),
            t.audience.clone(),
            markdown::to_plain(&t.steps),
            markdown::to_plain(&t.documents),
            t.authority.clone(),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
        let search = domain::text::fold(&format!(
            "{} {} {} {}",
            t.title,
            d.doc_number,
            d.tags.join(" "),
            plain
        ));
        sqlx::query(
            "INSERT INTO content_translations (item_id, lang, slug, title, summary, body_md, \
             body_html, audience, steps_md, steps_html, documents_md, documents_html, fees, \
             processing_time, authority, authority_address, plain_text, search_text) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        )
        .bind(id)
        .bind(*lang)
        .bind(&t.slug)
        .bind(&t.title)
        .bind(&t.summary)
        .bind(&t.body)
        .bind(markdown::to_html(&t.body))
        .bind(&t.audience)
        .bind(&t.steps)
        .bind(markdown::to_html(&t.steps))
        .bind(&t.documents)
        .bind(markdown::to_html(&t.documents))
        .bind(&t.fees)
        .bind(&t.processing_time)
        .bind(&t.authority)
        .bind(&t.authority_address)
        .bind(plain)
        .bind(search)
        .execute(&mut *tx.tx)
        .await?;
    }
    sqlx::query("DELETE FROM content_links WHERE from_id = $1")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    for (relation, ids) in [
        ("replaces", replaces),
        ("amends", amends),
        ("legal_basis", basis),
    ] {
        for to in ids {
            if to == id {
                return Err(AppError::invalid_field(relation, "itself"));
            }
            sqlx::query("INSERT INTO content_links (from_id, to_id, relation) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(to)
                .bind(relation)
                .execute(&mut *tx.tx)
                .await?;
        }
    }
    Ok(())
}

async fn number_taken(
    conn: &mut sqlx::AnyConnection,
    number: &str,
    except: i64,
) -> AppResult<bool> {
    if number.is_empty() {
        return Ok(false);
    }
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM content_items WHERE doc_number = $1 AND id <> $2")
            .bind(number)
            .bind(except)
            .fetch_one(&mut *conn)
            .await?;
    Ok(n > 0)
}

/// Writes a new draft.
pub async fn create(app: &App, actor: &Actor, input: &ContentInput) -> AppResult<Item> {
    access::authorize(actor, Action::ContentPropose)?;
    let d = validate(input).map_err(AppError::Invalid)?;
    let now = clock::now();
    let mut tx = app.db.begin_write().await?;
    if number_taken(&mut tx.tx, &d.doc_number, 0).await? {
        return Err(AppError::invalid_field("doc_number", "taken"));
    }
    let id: i64 = sqlx::query(
        "INSERT INTO content_items (kind, state, category, tags, featured, doc_number, doc_type, \
         issuing_body, signed_on, effective_on, legal_status, scope, scope_country, field, \
         online_url, version, created_by, created_by_name, created_at, updated_at) \
         VALUES ($1, 'draft', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $16, $17, $18) \
         RETURNING id",
    )
    .bind(&d.kind)
    .bind(&d.category)
    .bind(d.tags.join(", "))
    .bind(i64::from(d.featured))
    .bind(&d.doc_number)
    .bind(&d.doc_type)
    .bind(&d.issuing_body)
    .bind(d.signed_on.clone())
    .bind(d.effective_on.clone())
    .bind(&d.legal_status)
    .bind(&d.scope)
    .bind(&d.scope_country)
    .bind(&d.field)
    .bind(&d.online_url)
    .bind(actor.user_id)
    .bind(&actor.username)
    .bind(&now)
    .bind(&now)
    .fetch_one(&mut *tx.tx)
    .await?
    .try_get(0)?;
    write_parts(&mut tx, id, &d).await?;
    version_row(&mut tx, &actor.username, id, "created", &now).await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("content.create", "content", &id).with(serde_json::json!({"kind": d.kind})),
    )
    .await?;
    let item = load_unscoped(&mut tx.tx, id).await?;
    tx.commit().await?;
    app.content_generation.bump();
    Ok(item)
}

/// Replaces an item's fields and texts when `expected_version` is current.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    input: &ContentInput,
) -> AppResult<Item> {
    access::authorize(actor, Action::ContentPropose)?;
    let mut tx = app.db.begin_write().await?;
    let current = load(&mut tx.tx, actor, id).await?;
    if !may_edit(actor, &current) {
        return Err(AppError::Forbidden);
    }
    if !crate::registry::version_matches(expected_version, current.version) {
        return Err(AppError::PreconditionFailed {
            current_version: current.version,
        });
    }
    let mut input = input.clone();
    if input.kind.as_deref().is_none_or(|k| k.trim().is_empty()) {
        input.kind = Some(current.kind.clone());
    }
    let d = validate(&input).map_err(AppError::Invalid)?;
    if d.kind != current.kind {
        return Err(AppError::invalid_field("kind", "not_changeable"));
    }
    if number_taken(&mut tx.tx, &d.doc_number, id).await? {
        return Err(AppError::invalid_field("doc_number", "taken"));
    }
    if d == data_of(&current) {
        tx.commit().await?;
        return Ok(current);
    }
    let now = clock::now();
    let done = sqlx::query(
        "UPDATE content_items SET category = $1, tags = $2, featured = $3, doc_number = $4, \
         doc_type = $5, issuing_body = $6, signed_on = $7, effective_on = $8, legal_status = $9, \
         scope = $10, scope_country = $11, field = $12, online_url = $13, \
         version = version + 1, updated_at = $14 WHERE id = $15 AND version = $16",
    )
    .bind(&d.category)
    .bind(d.tags.join(", "))
    .bind(i64::from(d.featured))
    .bind(&d.doc_number)
    .bind(&d.doc_type)
    .bind(&d.issuing_body)
    .bind(d.signed_on.clone())
    .bind(d.effective_on.clone())
    .bind(&d.legal_status)
    .bind(&d.scope)
    .bind(&d.scope_country)
    .bind(&d.field)
    .bind(&d.online_url)
    .bind(&now)
    .bind(id)
    .bind(current.version)
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::PreconditionFailed {
            current_version: current.version,
        });
    }
    write_parts(&mut tx, id, &d).await?;
    version_row(&mut tx, &actor.username, id, "updated", &now).await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("content.update", "content", &id)
            .with(serde_json::json!({"version": current.version + 1, "state": current.state})),
    )
    .await?;
    let item = load_unscoped(&mut tx.tx, id).await?;
    tx.commit().await?;
    app.content_generation.bump();
    Ok(item)
}

/// Applies a JSON merge patch (RFC 7396) to an item.
pub async fn patch(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    patch: &serde_json::Value,
) -> AppResult<Item> {
    let current = get(app, actor, id).await?;
    let mut doc = serde_json::to_value(to_input(&current)).map_err(anyhow::Error::from)?;
    crate::registry::people::merge_patch(&mut doc, patch);
    if let Some(o) = doc.as_object_mut() {
        o.retain(|_, v| !v.is_null());
    }
    let input: ContentInput = serde_json::from_value(doc).map_err(|e| {
        let msg = e.to_string();
        let field = msg.split('`').nth(1).unwrap_or("body").to_owned();
        let code = if msg.starts_with("unknown field") {
            "unknown_field"
        } else if msg.contains("expected a sequence") {
            "expected_list"
        } else if msg.contains("expected a boolean") {
            "expected_true_false"
        } else {
            "expected_text"
        };
        AppError::Invalid(vec![FieldError::new(field, code)])
    })?;
    update(app, actor, id, expected_version, &input).await
}

/// A scheduled time as typed: RFC 3339, `YYYY-MM-DDTHH:MM` (a browser's
/// date-time field) or `HH:MM dd/mm/yyyy`, the last two in the time zone
/// people read times in. Stored as RFC 3339 UTC.
pub fn read_time(text: &str) -> Option<String> {
    let t = text.trim();
    if let Some(parsed) = clock::parse(t) {
        return Some(clock::fmt(parsed));
    }
    let (date, hm) = if let Some((d, h)) = t.split_once('T') {
        (domain::PartialDate::parse(d).ok()?, h)
    } else {
        let (h, d) = t.split_once(' ')?;
        (domain::PartialDate::parse(d.trim()).ok()?, h)
    };
    let (hh, mm) = hm.trim().split_once(':')?;
    let hh: u8 = hh.parse().ok()?;
    let mm: u8 = mm.get(..2).unwrap_or(mm).parse().ok()?;
    let month = time::Month::try_from(date.month?).ok()?;
    let d = time::Date::from_calendar_date(i32::from(date.year), month, date.day?).ok()?;
    let tm = time::Time::from_hms(hh, mm, 0).ok()?;
    Some(clock::fmt(
        time::PrimitiveDateTime::new(d, tm).assume_offset(clock::display_offset()),
    ))
}

/// Takes a workflow step when `expected_version` is current: submit for
/// review, return to draft, schedule at a time, publish now, archive,
/// restore. Refused (403) when the actor's role may not take it on an
/// item in this state; 409 when the item is not in a state the step
/// starts from.
pub async fn transition(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    input: &TransitionInput,
) -> AppResult<Item> {
    access::authorize(actor, Action::ContentPropose)?;
    let code = trimmed(input.step.as_ref());
    let Some(step) = step_of(&code) else {
        return Err(AppError::invalid_field(
            "step",
            if code.is_empty() {
                "required"
            } else {
                "invalid_code"
            },
        ));
    };
    let mut tx = app.db.begin_write().await?;
    let current = load(&mut tx.tx, actor, id).await?;
    if !crate::registry::version_matches(expected_version, current.version) {
        return Err(AppError::PreconditionFailed {
            current_version: current.version,
        });
    }
    let mine = own(actor, &current);
    if !access::content_step_allowed(actor, &current.state, mine, step) {
        // A role that could take the step from another state: the state is wrong.
        let could = ["draft", "in_review", "scheduled", "published", "archived"]
            .iter()
            .any(|s| access::content_step_allowed(actor, s, true, step));
        return Err(if could {
            AppError::Conflict(format!("state {}", current.state))
        } else {
            AppError::Forbidden
        });
    }
    let now_t = app.clock.now_utc();
    let now = clock::fmt(now_t);
    let mut publish_at: Option<String> = None;
    let (state, summary) = match step {
        ContentStep::Submit => ("in_review", "submitted".to_owned()),
        ContentStep::Return => ("draft", "returned".to_owned()),
        ContentStep::Schedule => {
            let text = trimmed(input.publish_at.as_ref());
            if text.is_empty() {
                return Err(AppError::invalid_field("publish_at", "required"));
            }
            let at = read_time(&text)
                .ok_or_else(|| AppError::invalid_field("publish_at", "invalid_time"))?;
            if at <= now {
                return Err(AppError::invalid_field("publish_at", "in_past"));
            }
            publish_at = Some(at.clone());
            ("scheduled", format!("scheduled {at}"))
        }
        ContentStep::Publish => ("published", "published".to_owned()),
        ContentStep::Archive => ("archived", "archived".to_owned()),
        ContentStep::Restore => ("draft", "restored".to_owned()),
        ContentStep::Edit => return Err(AppError::invalid_field("step", "invalid_code")),
    };
    let published_at = (state == "published").then(|| now.clone());
    let done = sqlx::query(
        "UPDATE content_items SET state = $1, publish_at = $2, \
         published_at = COALESCE(published_at, $3), version = version + 1, updated_at = $4 \
         WHERE id = $5 AND version = $6",
    )
    .bind(state)
    .bind(publish_at)
    .bind(published_at)
    .bind(&now)
    .bind(id)
    .bind(current.version)
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::PreconditionFailed {
            current_version: current.version,
        });
    }
    version_row(&mut tx, &actor.username, id, &summary, &now).await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("content.transition", "content", &id).with(serde_json::json!({
            "step": code, "from": current.state, "to": state, "version": current.version + 1
        })),
    )
    .await?;
    let item = load_unscoped(&mut tx.tx, id).await?;
    tx.commit().await?;
    app.content_generation.bump();
    Ok(item)
}

/// Publishes the scheduled items whose time has come (by this app's
/// clock). Any number of servers may run it at once: each item is claimed
/// by one `UPDATE … WHERE state = 'scheduled' AND publish_at <= now`, which
/// only one transaction can make true (PostgreSQL re-checks the condition
/// after the row lock; SQLite has one writer), so an item is published,
/// versioned and audited once. Answers the ids this call published.
pub async fn publish_due(app: &App) -> AppResult<Vec<i64>> {
    let now = clock::fmt(app.clock.now_utc());
    let mut tx = app.db.begin_write().await?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "UPDATE content_items SET state = 'published', \
         published_at = COALESCE(published_at, publish_at), version = version + 1, updated_at = $1 \
         WHERE state = 'scheduled' AND publish_at <= $1 RETURNING id",
    )
    .bind(&now)
    .fetch_all(&mut *tx.tx)
    .await?;
    let system = Actor::system("publisher");
    for id in &ids {
        version_row(&mut tx, "system", *id, "published on schedule", &now).await?;
        audit::append(
            &mut tx,
            app,
            &system,
            Event::new("content.transition", "content", id).with(serde_json::json!({
                "step": "publish", "from": "scheduled", "to": "published", "scheduled": true
            })),
        )
        .await?;
    }
    tx.commit().await?;
    if !ids.is_empty() {
        app.content_generation.bump();
    }
    Ok(ids)
}

/// Writes an item as the demo's or a restore's system actor, already in
/// `state` (`published` with its date): the demo data.
pub(crate) async fn create_as_system(
    app: &App,
    input: &ContentInput,
    published_at: &str,
    featured: bool,
) -> AppResult<i64> {
    let d = validate(input).map_err(AppError::Invalid)?;
    let system = Actor::system("demo");
    let now = clock::now();
    let mut tx = app.db.begin_write().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO content_items (kind, state, category, tags, featured, doc_number, doc_type, \
         issuing_body, signed_on, effective_on, legal_status, scope, scope_country, field, \
         online_url, version, created_by, created_by_name, created_at, updated_at, published_at) \
         VALUES ($1, 'published', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, NULL, \
         'demo', $15, $15, $16) RETURNING id",
    )
    .bind(&d.kind)
    .bind(&d.category)
    .bind(d.tags.join(", "))
    .bind(i64::from(featured))
    .bind(&d.doc_number)
    .bind(&d.doc_type)
    .bind(&d.issuing_body)
    .bind(d.signed_on.clone())
    .bind(d.effective_on.clone())
    .bind(&d.legal_status)
    .bind(&d.scope)
    .bind(&d.scope_country)
    .bind(&d.field)
    .bind(&d.online_url)
    .bind(&now)
    .bind(published_at)
    .fetch_one(&mut *tx.tx)
    .await?
    .try_get(0)?;
    write_parts(&mut tx, id, &d).await?;
    version_row(&mut tx, "demo", id, "published", &now).await?;
    audit::append(
        &mut tx,
        app,
        &system,
        Event::new("content.create", "content", &id)
            .with(serde_json::json!({"kind": d.kind, "demo": true})),
    )
    .await?;
    tx.commit().await?;
    app.content_generation.bump();
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_folded_words() {
        assert_eq!(slugify("Xuân quê hương 2027"), "xuan-que-huong-2027");
        assert_eq!(slugify("Đường về ĐỨC THỌ!"), "duong-ve-duc-tho");
        assert_eq!(slugify("???"), "bai-viet");
        assert!(slugify(&"dài ".repeat(60)).len() <= 80);
    }

    #[test]
    fn scheduled_times_read_in_vietnam_time() {
        assert_eq!(
            read_time("08:00 24/12/2026").as_deref(),
            Some("2026-12-24T01:00:00.000000Z")
        );
        assert_eq!(
            read_time("2026-12-24T08:00").as_deref(),
            Some("2026-12-24T01:00:00.000000Z")
        );
        assert_eq!(
            read_time("2026-12-24T01:00:00Z").as_deref(),
            Some("2026-12-24T01:00:00.000000Z")
        );
        assert_eq!(read_time("mai"), None);
        assert_eq!(read_time("25:00 24/12/2026"), None);
    }

    #[test]
    fn what_each_kind_needs() {
        let mut i = ContentInput {
            kind: Some("legal_document".into()),
            title_vi: Some("Luật".into()),
            ..ContentInput::default()
        };
        let errs = validate(&i).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert!(
            fields.contains(&"doc_number") && fields.contains(&"doc_type"),
            "{fields:?}"
        );
        i.kind = Some("news".into());
        i.title_en = None;
        i.summary_en = Some("only a summary".into());
        let errs = validate(&i).unwrap_err();
        assert_eq!(errs[0].field, "title_en");
        i.summary_en = None;
        i.slug_vi = Some("Bad Slug".into());
        assert_eq!(validate(&i).unwrap_err()[0].code, "invalid_slug");
        i.slug_vi = None;
        i.title_vi = Some("a\u{0}b".into());
        assert_eq!(validate(&i).unwrap_err()[0].code, "control_chars");
    }
}
