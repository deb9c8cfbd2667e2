//! The public site: the home page at `/` (`/en` in English), the sections
//! (news, policies, procedure guides, the legal-document library, FAQs)
//! with readable URLs, search, Atom feeds and the sitemap. No sign-in and
//! nothing that depends on who asks, so every page is the same for all:
//! each carries `Cache-Control` and an `ETag`, answers `If-None-Match`
//! with 304, and is kept made in memory until content changes on this
//! server or [`public::CACHE_SECONDS`] pass (another server's change).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use app::AppError;
use app::publishing::content::Item;
use app::publishing::public::{self, Card, Filter, Found};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sha2::Digest;

use crate::AppState;
use crate::error::PageError;
use crate::i18n::{Lang, Tr};

/// Pages kept at most; past it the cache starts again empty.
const CACHE_ENTRIES: usize = 4_000;

/// `Cache-Control` of public pages: browsers and shared caches may keep
/// them, and ask again with `If-None-Match` before each use (a 304 costs a
/// few bytes), so a newly published or archived item shows at once.
const CACHE_CONTROL: &str = "public, no-cache";

/// A made public page.
struct Made {
    generation: u64,
    at: Instant,
    etag: HeaderValue,
    content_type: &'static str,
    body: Bytes,
}

/// This server's public pages, by path and query.
#[derive(Default)]
pub struct PageCache(Mutex<HashMap<String, Arc<Made>>>);

impl PageCache {
    fn get(&self, key: &str, generation: u64) -> Option<Arc<Made>> {
        let map = self.0.lock().ok()?;
        let m = map.get(key)?;
        (m.generation == generation && m.at.elapsed().as_secs() < public::CACHE_SECONDS)
            .then(|| Arc::clone(m))
    }

    fn put(&self, key: String, made: Arc<Made>) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= CACHE_ENTRIES {
                map.clear();
            }
            map.insert(key, made);
        }
    }
}

/// What a page maker gives: a body to serve and cache, or an answer as it is
/// (a redirect, an error).
pub enum Page {
    Body(&'static str, String),
    Answer(Response),
}

const HTML: &str = "text/html; charset=utf-8";

fn html<T: Template>(t: &T) -> Result<Page, PageError> {
    t.render()
        .map(|b| Page::Body(HTML, b))
        .map_err(|e| PageError::from(AppError::Unexpected(anyhow::anyhow!("template: {e}"))))
}

fn answer(made: &Made, headers: &HeaderMap) -> Response {
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',').any(|t| {
                let t = t.trim();
                t == "*" || t.trim_start_matches("W/") == made.etag.to_str().unwrap_or("")
            })
        });
    let mut resp = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = made.body.clone().into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(made.content_type),
        );
        r
    };
    let h = resp.headers_mut();
    h.insert(header::ETAG, made.etag.clone());
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    resp
}

/// Serves `key` from this server's cache, or makes it with `make`.
async fn serve<F, Fut>(state: &AppState, headers: &HeaderMap, key: String, make: F) -> Response
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Page, PageError>>,
{
    let generation = state.app.content_generation.get();
    if let Some(m) = state.pages.get(&key, generation) {
        return answer(&m, headers);
    }
    match make().await {
        Ok(Page::Body(content_type, body)) => {
            let digest = sha2::Sha256::digest(body.as_bytes());
            let etag = HeaderValue::from_str(&format!("\"{}\"", hex::encode(&digest[..12])))
                .unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
            let made = Arc::new(Made {
                generation,
                at: Instant::now(),
                etag,
                content_type,
                body: Bytes::from(body),
            });
            state.pages.put(key, Arc::clone(&made));
            answer(&made, headers)
        }
        Ok(Page::Answer(resp)) => resp,
        Err(e) => e.into_response(),
    }
}

// ---------------------------------------------------------------- the frame

fn lang_of(code: &str) -> Lang {
    Lang::from_code(code)
}

/// What every public page's frame needs.
pub struct Site {
    pub t: Tr,
    pub lang: &'static str,
    pub title: String,
    pub description: String,
    /// Absolute when `public_origin` is set.
    pub canonical: String,
    /// The same page in the other language (or that language's home).
    pub other_url: String,
    pub og_type: &'static str,
    pub og_locale: &'static str,
    pub home: &'static str,
    pub search: &'static str,
    pub feed: String,
    pub nav: Vec<(String, &'static str)>,
    /// The staff preview's banner (never on a cached page).
    pub preview: bool,
}

impl Site {
    pub fn new(state: &AppState, lang: &str, path: &str, other_url: String) -> Self {
        let l = lang_of(lang);
        let t = Tr::new(l);
        let code = l.code();
        let origin = state
            .cfg
            .public_origin
            .clone()
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_owned();
        let mut nav: Vec<(String, &'static str)> =
            ["news", "policy", "procedure", "legal_document", "faq"]
                .iter()
                .map(|k| {
                    (
                        t.s(&format!("site.nav.{k}")).to_owned(),
                        public::section_url(k, code),
                    )
                })
                .collect();
        // The catalogue of projects calling for investment (issue 22 §2).
        nav.push((
            t.s("site.nav.investment").to_owned(),
            if l == Lang::En {
                "/en/investment"
            } else {
                "/dau-tu"
            },
        ));
        Self {
            t,
            lang: code,
            title: t.s("site.name").to_owned(),
            description: t.s("site.tagline").to_owned(),
            canonical: format!("{origin}{path}"),
            other_url,
            og_type: "website",
            og_locale: if l == Lang::En { "en_GB" } else { "vi_VN" },
            home: if l == Lang::En { "/en" } else { "/" },
            search: if l == Lang::En {
                "/en/search"
            } else {
                "/tim-kiem"
            },
            feed: format!("/feeds/{}", if l == Lang::En { "news" } else { "tin-tuc" }),
            nav,
            preview: false,
        }
    }
}

/// A card as shown: labels, not codes; days day first.
pub struct CardView {
    pub title: String,
    pub summary: String,
    pub url: String,
    pub translated: bool,
    pub date: String,
    pub meta: String,
    pub number: String,
}

fn card_view(t: Tr, c: &Card) -> CardView {
    let date = if c.kind == "legal_document" {
        c.signed_on
            .as_deref()
            .map(domain::dates::show)
            .unwrap_or_default()
    } else {
        t.day(&c.published_at)
    };
    let meta = match c.kind.as_str() {
        "legal_document" => [
            t.label("doc_type", &c.doc_type),
            t.label("issuing_body", &c.issuing_body),
            t.label("legal_status", &c.legal_status),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · "),
        "procedure" => t.label("legal_field", &c.field),
        _ => t.label("content_category", &c.category),
    };
    CardView {
        title: c.title.clone(),
        summary: c.summary.clone(),
        url: c.url.clone(),
        translated: c.translated,
        date,
        meta,
        number: c.doc_number.clone(),
    }
}

// ---------------------------------------------------------------- home

#[derive(Template)]
#[template(path = "publishing/home.html")]
struct HomePage {
    s: Site,
    t: Tr,
    news: Vec<CardView>,
    policies: Vec<CardView>,
    procedures: Vec<CardView>,
    documents: Vec<CardView>,
    statistics: &'static str,
}

async fn home_page(state: &AppState, lang: &'static str) -> Result<Page, PageError> {
    let l = lang_of(lang);
    let err = |err| PageError { err, lang: l };
    let s = Site::new(
        state,
        lang,
        if lang == "en" { "/en" } else { "/" },
        if lang == "en" { "/" } else { "/en" }.to_owned(),
    );
    let t = s.t;
    let cards = |v: Vec<Card>| v.iter().map(|c| card_view(t, c)).collect();
    let app = &state.app;
    render_page(&HomePage {
        news: cards(
            public::latest(app, "news", lang, 6, false)
                .await
                .map_err(err)?,
        ),
        policies: cards(
            public::latest(app, "policy", lang, 3, true)
                .await
                .map_err(err)?,
        ),
        procedures: cards(
            public::latest(app, "procedure", lang, 5, true)
                .await
                .map_err(err)?,
        ),
        documents: cards(
            public::latest(app, "legal_document", lang, 5, false)
                .await
                .map_err(err)?,
        ),
        statistics: "/public/statistics",
        s,
        t,
    })
}

fn render_page<T: Template>(t: &T) -> Result<Page, PageError> {
    html(t)
}

/// `GET /`: the public home in Vietnamese.
pub async fn home_vi(State(state): State<AppState>, headers: HeaderMap) -> Response {
    serve(&state, &headers, "/".to_owned(), || home_page(&state, "vi")).await
}

/// `GET /en`: the public home in English.
pub async fn home_en(State(state): State<AppState>, headers: HeaderMap) -> Response {
    serve(&state, &headers, "/en".to_owned(), || {
        home_page(&state, "en")
    })
    .await
}

// ---------------------------------------------------------------- lists

/// A list's query string, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    category: String,
    doc_type: String,
    issuing_body: String,
    legal_status: String,
    field: String,
    scope: String,
    year: String,
    page: String,
}

impl ListQuery {
    fn filter(&self) -> Filter {
        Filter {
            category: self.category.clone(),
            doc_type: self.doc_type.clone(),
            issuing_body: self.issuing_body.clone(),
            legal_status: self.legal_status.clone(),
            field: self.field.clone(),
            scope: self.scope.clone(),
            year: self.year.clone(),
        }
    }

    fn url(&self, base: &str, page: i64) -> String {
        let mut pairs: Vec<(&str, String)> = [
            ("category", &self.category),
            ("doc_type", &self.doc_type),
            ("issuing_body", &self.issuing_body),
            ("legal_status", &self.legal_status),
            ("field", &self.field),
            ("scope", &self.scope),
            ("year", &self.year),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k, v.trim().to_owned()))
        .collect();
        pairs.push(("page", page.to_string()));
        format!(
            "{base}?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }
}

/// A filter's select: its name, label and `(code, label, selected)` options.
pub struct Select {
    pub name: &'static str,
    pub label: String,
    pub options: Vec<(String, String, bool)>,
}

fn select<T: Copy>(
    t: Tr,
    name: &'static str,
    kind: &str,
    all: &[T],
    code: impl Fn(T) -> &'static str,
    selected: &str,
) -> Select {
    let mut options = vec![(
        String::new(),
        t.s("site.any").to_owned(),
        selected.is_empty(),
    )];
    options.extend(all.iter().map(|v| {
        let c = code(*v);
        (c.to_owned(), t.label(kind, c), c == selected.trim())
    }));
    Select {
        name,
        label: t.s(&format!("content.field.{name}")).to_owned(),
        options,
    }
}

#[derive(Template)]
#[template(path = "publishing/list.html")]
struct ListPage {
    s: Site,
    t: Tr,
    heading: String,
    intro: String,
    cards: Vec<CardView>,
    total: i64,
    selects: Vec<Select>,
    year: String,
    action: &'static str,
    prev_url: String,
    next_url: String,
    errors: Vec<String>,
    legal: bool,
}

async fn list_page(
    state: &AppState,
    kind: &'static str,
    lang: &'static str,
    q: ListQuery,
) -> Result<Page, PageError> {
    let base = public::section_url(kind, lang);
    let other = public::section_url(kind, if lang == "en" { "vi" } else { "en" });
    let mut s = Site::new(state, lang, base, other.to_owned());
    let t = s.t;
    let heading = t.s(&format!("site.nav.{kind}")).to_owned();
    s.title.clone_from(&heading);
    s.description = t.s(&format!("site.intro.{kind}")).to_owned();
    let page = q.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let (cards, total, errors) = match public::list(&state.app, kind, lang, &q.filter(), page).await
    {
        Ok((found, count)) => (found, count, Vec::new()),
        Err(AppError::Invalid(errs)) => (
            Vec::new(),
            0,
            errs.iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        t.s(&format!("content.field.{}", e.field)),
                        t.get(&format!("code.{}", e.code)).unwrap_or(&e.code)
                    )
                })
                .collect(),
        ),
        Err(err) => return Err(PageError { err, lang: t.lang }),
    };
    let selects = match kind {
        "legal_document" => vec![
            select(
                t,
                "doc_type",
                "doc_type",
                domain::DocType::ALL,
                domain::DocType::code,
                &q.doc_type,
            ),
            select(
                t,
                "issuing_body",
                "issuing_body",
                domain::IssuingBody::ALL,
                domain::IssuingBody::code,
                &q.issuing_body,
            ),
            select(
                t,
                "legal_status",
                "legal_status",
                domain::LegalStatus::ALL,
                domain::LegalStatus::code,
                &q.legal_status,
            ),
            select(
                t,
                "field",
                "legal_field",
                domain::LegalField::ALL,
                domain::LegalField::code,
                &q.field,
            ),
            select(
                t,
                "scope",
                "legal_scope",
                domain::LegalScope::ALL,
                domain::LegalScope::code,
                &q.scope,
            ),
        ],
        "procedure" => vec![select(
            t,
            "field",
            "legal_field",
            domain::LegalField::ALL,
            domain::LegalField::code,
            &q.field,
        )],
        "news" | "policy" => vec![select(
            t,
            "category",
            "content_category",
            domain::ContentCategory::ALL,
            domain::ContentCategory::code,
            &q.category,
        )],
        _ => Vec::new(),
    };
    let pages = (total + public::PER_PAGE - 1) / public::PER_PAGE;
    s.feed = format!(
        "/feeds/{}",
        base.trim_start_matches("/en/").trim_start_matches('/')
    );
    let mut resp = html(&ListPage {
        intro: s.description.clone(),
        heading,
        cards: cards.iter().map(|c| card_view(t, c)).collect(),
        total,
        selects,
        year: q.year.clone(),
        action: base,
        prev_url: if page > 1 {
            q.url(base, page - 1)
        } else {
            String::new()
        },
        next_url: if page < pages {
            q.url(base, page + 1)
        } else {
            String::new()
        },
        legal: kind == "legal_document",
        errors,
        s,
        t,
    })?;
    if let Page::Body(..) = resp
        && total == 0
        && page > 1
    {
        resp = Page::Answer(Redirect::to(base).into_response());
    }
    Ok(resp)
}

/// A section's list (`/tin-tuc`, `/en/legal-documents`...).
pub async fn list(
    state: AppState,
    headers: HeaderMap,
    uri: axum::http::Uri,
    q: ListQuery,
    kind: &'static str,
    lang: &'static str,
) -> Response {
    let key = uri.to_string();
    if kind == "faq" {
        return serve(&state, &headers, key, || faq_page(&state, lang)).await;
    }
    serve(&state, &headers, key, || list_page(&state, kind, lang, q)).await
}

#[derive(Template)]
#[template(path = "publishing/faq.html")]
struct FaqPage {
    s: Site,
    t: Tr,
    items: Vec<(CardView, String, String)>,
}

async fn faq_page(state: &AppState, lang: &'static str) -> Result<Page, PageError> {
    let base = public::section_url("faq", lang);
    let other = public::section_url("faq", if lang == "en" { "vi" } else { "en" });
    let mut s = Site::new(state, lang, base, other.to_owned());
    let t = s.t;
    s.title = t.s("site.nav.faq").to_owned();
    let items = public::faqs(&state.app, lang)
        .await
        .map_err(|err| PageError { err, lang: t.lang })?
        .into_iter()
        .map(|(c, answer)| {
            let anchor = c.url.rsplit('#').next().unwrap_or_default().to_owned();
            (card_view(t, &c), anchor, answer)
        })
        .collect();
    html(&FaqPage { s, t, items })
}

// ---------------------------------------------------------------- an item

/// A link to another item as shown.
pub struct LinkView {
    pub title: String,
    pub number: String,
    pub url: String,
}

/// A row of the facts table: label and value.
pub type Fact = (String, String);

#[derive(Template)]
#[template(path = "publishing/item.html")]
pub struct ItemPage {
    pub s: Site,
    pub t: Tr,
    pub kind: String,
    pub kind_label: String,
    pub section_url: &'static str,
    pub title: String,
    pub summary: String,
    pub date: String,
    pub meta: String,
    pub body_html: String,
    pub facts: Vec<Fact>,
    pub steps_html: String,
    pub documents_html: String,
    pub online_url: String,
    pub basis: Vec<LinkView>,
    pub replaces: Vec<LinkView>,
    pub replaced_by: Vec<LinkView>,
    pub amends: Vec<LinkView>,
    pub amended_by: Vec<LinkView>,
    pub tags: Vec<String>,
    /// The cover image and the files to download (issue 24 §2–§4).
    pub cover: Option<super::file_views::CoverView>,
    pub files: Vec<super::file_views::FileView>,
    /// Other items of the kind, the same category first (news, policies).
    pub related: Vec<CardView>,
}

impl ItemPage {
    /// Adds the item's cover and files, at their public addresses or the
    /// desk's (a preview of an unpublished item).
    pub async fn with_files(
        mut self,
        state: &AppState,
        item_id: i64,
        public: bool,
    ) -> Result<Self, PageError> {
        let all = app::publishing::files::of_item(&state.app, item_id)
            .await
            .map_err(crate::pages::page_err(self.t.lang))?;
        let (cover, files) = super::file_views::views(self.t, &all, public);
        self.cover = cover;
        self.files = files;
        Ok(self)
    }

    /// Adds up to four related items (news and policies).
    pub async fn with_related(mut self, state: &AppState, item: &Item) -> Result<Self, PageError> {
        if matches!(item.kind.as_str(), "news" | "policy") {
            self.related = public::related(
                &state.app,
                item.id,
                &item.kind,
                &item.category,
                self.s.lang,
                4,
            )
            .await
            .map_err(crate::pages::page_err(self.t.lang))?
            .iter()
            .map(|c| card_view(self.t, c))
            .collect();
        }
        Ok(self)
    }
}

fn link_views(lang: &str, links: &[app::publishing::content::LinkRef]) -> Vec<LinkView> {
    links
        .iter()
        .map(|l| {
            let en = lang == "en" && !l.slug_en.is_empty();
            let (title, slug, in_lang) = if en {
                (&l.title_en, &l.slug_en, "en")
            } else {
                (&l.title_vi, &l.slug_vi, "vi")
            };
            LinkView {
                title: title.clone(),
                number: l.doc_number.clone(),
                url: public::url(&l.kind, in_lang, slug, l.published_at.as_deref()),
            }
        })
        .collect()
}

/// The page of an item in a language (its text there must exist). Used by
/// the public site and by the desk's preview.
pub fn item_page(state: &AppState, item: &Item, lang: &'static str) -> ItemPage {
    let en = lang == "en";
    let tr = if en {
        item.en.as_ref().unwrap_or(&item.vi)
    } else {
        &item.vi
    };
    let published = item.published_at.as_deref();
    let path = public::url(&item.kind, lang, &tr.text.slug, published);
    let other_url = if en {
        public::url(&item.kind, "vi", &item.vi.text.slug, published)
    } else {
        item.en.as_ref().map_or_else(
            || public::url(&item.kind, "en", &item.vi.text.slug, published),
            |e| public::url(&item.kind, "en", &e.text.slug, published),
        )
    };
    let mut s = Site::new(state, lang, &path, other_url);
    let t = s.t;
    s.title.clone_from(&tr.text.title);
    if !tr.text.summary.is_empty() {
        s.description.clone_from(&tr.text.summary);
    }
    s.og_type = "article";
    let day = |d: &Option<String>| d.as_deref().map(domain::dates::show).unwrap_or_default();
    let text = &tr.text;
    let mut facts: Vec<Fact> = Vec::new();
    let mut push = |key: &str, value: String| {
        if !value.is_empty() {
            facts.push((t.s(&format!("content.field.{key}")).to_owned(), value));
        }
    };
    match item.kind.as_str() {
        "legal_document" => {
            push("doc_number", item.doc_number.clone());
            push("doc_type", t.label("doc_type", &item.doc_type));
            push("issuing_body", t.label("issuing_body", &item.issuing_body));
            push("signed_on", day(&item.signed_on));
            push("effective_on", day(&item.effective_on));
            push("legal_status", t.label("legal_status", &item.legal_status));
            push("field", t.label("legal_field", &item.field));
            let scope = if item.scope == "host_country" && !item.scope_country.is_empty() {
                format!(
                    "{}: {}",
                    t.label("legal_scope", &item.scope),
                    t.label("country", &item.scope_country)
                )
            } else {
                t.label("legal_scope", &item.scope)
            };
            push("scope", scope);
        }
        "procedure" => {
            push("field", t.label("legal_field", &item.field));
            push("audience", text.audience.clone());
            push("fees", text.fees.clone());
            push("processing_time", text.processing_time.clone());
            push("authority", text.authority.clone());
            push("authority_address", text.authority_address.clone());
        }
        _ => {}
    }
    let meta = match item.kind.as_str() {
        "news" | "policy" => t.label("content_category", &item.category),
        _ => String::new(),
    };
    ItemPage {
        kind: item.kind.clone(),
        kind_label: t.label("content_kind", &item.kind),
        section_url: public::section_url(&item.kind, lang),
        title: text.title.clone(),
        summary: text.summary.clone(),
        // A document's own days are in its facts; not the day it was put online.
        date: if item.kind == "legal_document" {
            String::new()
        } else {
            published.map(|p| t.day(p)).unwrap_or_default()
        },
        meta,
        body_html: tr.body_html.clone(),
        facts,
        steps_html: tr.steps_html.clone(),
        documents_html: tr.documents_html.clone(),
        online_url: item.online_url.clone(),
        basis: link_views(lang, &item.legal_basis),
        replaces: link_views(lang, &item.replaces),
        replaced_by: link_views(lang, &item.replaced_by),
        amends: link_views(lang, &item.amends),
        amended_by: link_views(lang, &item.amended_by),
        tags: item.tags.clone(),
        cover: None,
        files: Vec::new(),
        related: Vec::new(),
        s,
        t,
    }
}

#[derive(Template)]
#[template(path = "publishing/untranslated.html")]
struct UntranslatedPage {
    s: Site,
    t: Tr,
    title_vi: String,
    url_vi: String,
}

async fn item_answer(
    state: &AppState,
    kind: &'static str,
    lang: &'static str,
    slug: &str,
    path: &str,
) -> Result<Page, PageError> {
    let ui = lang_of(lang);
    match public::find(&state.app, kind, lang, slug).await {
        Ok(Found::Item(item)) => {
            let page = item_page(state, &item, lang)
                .with_files(state, item.id, true)
                .await?
                .with_related(state, &item)
                .await?;
            // A news item asked for under another month: to its own URL.
            let own = page
                .s
                .canonical
                .rsplit_once("://")
                .map_or(page.s.canonical.as_str(), |(_, rest)| {
                    rest.find('/').map_or("/", |i| &rest[i..])
                });
            if own != path {
                return Ok(Page::Answer(Redirect::permanent(own).into_response()));
            }
            html(&page)
        }
        Ok(Found::Untranslated { title_vi, url_vi }) => {
            let mut site = Site::new(state, lang, path, url_vi.clone());
            site.t.s("site.untranslated").clone_into(&mut site.title);
            let t = site.t;
            let page = html(&UntranslatedPage {
                s: site,
                t,
                title_vi,
                url_vi,
            })?;
            // Served, but not cached as a page: the translation may come.
            Ok(match page {
                Page::Body(ct, body) => {
                    let mut r = body.into_response();
                    r.headers_mut()
                        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
                    Page::Answer(r)
                }
                other @ Page::Answer(_) => other,
            })
        }
        Err(err) => Err(PageError { err, lang: ui }),
    }
}

/// An item's page by slug (`/chinh-sach/{slug}`, `/en/procedures/{slug}`...).
pub async fn item(
    state: AppState,
    headers: HeaderMap,
    uri: axum::http::Uri,
    slug: String,
    kind: &'static str,
    lang: &'static str,
) -> Response {
    let path = uri.path().to_owned();
    serve(&state, &headers, path.clone(), || {
        item_answer(&state, kind, lang, &slug, &path)
    })
    .await
}

/// `GET /tin-tuc/{yyyy}/{mm}/{slug}` and `/en/news/{yyyy}/{mm}/{slug}`.
pub async fn news_item(
    state: AppState,
    headers: HeaderMap,
    uri: axum::http::Uri,
    (_, _, slug): (String, String, String),
    lang: &'static str,
) -> Response {
    item(state, headers, uri, slug, "news", lang).await
}

// ---------------------------------------------------------------- search

/// The search's query string.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
}

/// A hit as shown: title and snippet escaped, matched words marked.
pub struct HitView {
    pub title_html: String,
    pub snippet_html: String,
    pub url: String,
    pub kind: String,
    pub date: String,
    pub translated: bool,
}

#[derive(Template)]
#[template(path = "publishing/search.html")]
struct SearchPage {
    s: Site,
    t: Tr,
    q: String,
    hits: Vec<HitView>,
    searched: bool,
}

async fn search_page(state: &AppState, lang: &'static str, q: String) -> Result<Page, PageError> {
    let base = if lang == "en" {
        "/en/search"
    } else {
        "/tim-kiem"
    };
    let other = if lang == "en" {
        "/tim-kiem"
    } else {
        "/en/search"
    };
    let mut s = Site::new(state, lang, base, other.to_owned());
    let t = s.t;
    s.title = t.s("site.search").to_owned();
    let q: String = q.chars().filter(|c| !c.is_control()).take(200).collect();
    let hits = public::search(&state.app, lang, &q)
        .await
        .map_err(|err| PageError { err, lang: t.lang })?;
    let hits = hits
        .iter()
        .map(|h| HitView {
            title_html: crate::registry::pages::search::highlight_html(
                &h.card.title,
                &h.title_marks,
            ),
            snippet_html: crate::registry::pages::search::highlight_html(
                &h.snippet,
                &h.snippet_marks,
            ),
            url: h.card.url.clone(),
            kind: t.label("content_kind", &h.card.kind),
            date: t.day(&h.card.published_at),
            translated: h.card.translated,
        })
        .collect();
    html(&SearchPage {
        searched: !q.trim().is_empty(),
        q,
        hits,
        s,
        t,
    })
}

/// `GET /tim-kiem?q=` and `/en/search?q=`.
pub async fn search(
    state: AppState,
    headers: HeaderMap,
    uri: axum::http::Uri,
    q: SearchQuery,
    lang: &'static str,
) -> Response {
    serve(&state, &headers, uri.to_string(), || {
        search_page(&state, lang, q.q)
    })
    .await
}

// ---------------------------------------------------------------- feeds and sitemap

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

fn origin(state: &AppState, headers: &HeaderMap) -> String {
    state.cfg.public_origin.clone().map_or_else(
        || {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .filter(|h| {
                    h.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
                })
                .unwrap_or("localhost");
            let scheme = if state.cfg.tls { "https" } else { "http" };
            format!("{scheme}://{host}")
        },
        |o| o.trim_end_matches('/').to_owned(),
    )
}

/// The sections that have a feed, by their URL name: (kind, language).
fn feed_section(name: &str) -> Option<(&'static str, &'static str)> {
    Some(match name {
        "tin-tuc" => ("news", "vi"),
        "chinh-sach" => ("policy", "vi"),
        "thu-tuc" => ("procedure", "vi"),
        "van-ban" => ("legal_document", "vi"),
        "news" => ("news", "en"),
        "policies" => ("policy", "en"),
        "procedures" => ("procedure", "en"),
        "legal-documents" => ("legal_document", "en"),
        _ => return None,
    })
}

async fn feed_body(
    state: &AppState,
    base: &str,
    kind: &'static str,
    lang: &'static str,
    name: &str,
) -> Result<Page, PageError> {
    let t = Tr::new(lang_of(lang));
    let err = |err| PageError { err, lang: t.lang };
    let cards = public::latest(&state.app, kind, lang, 30, false)
        .await
        .map_err(err)?;
    let updated = public::last_change(&state.app).await.map_err(err)?;
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = write!(
        x,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{lang}\">\n<title>{} · {}</title>\n\
         <id>{base}/feeds/{name}</id>\n<link rel=\"self\" href=\"{base}/feeds/{name}\"/>\n\
         <link href=\"{base}{}\"/>\n<updated>{}</updated>\n",
        xml_escape(t.s(&format!("site.nav.{kind}"))),
        xml_escape(t.s("site.name")),
        public::section_url(kind, lang),
        xml_escape(&updated)
    );
    for c in cards.iter().filter(|c| c.translated) {
        let _ = write!(
            x,
            "<entry>\n<title>{}</title>\n<id>{base}{}</id>\n<link href=\"{base}{}\"/>\n\
             <updated>{}</updated>\n<summary>{}</summary>\n<author><name>{}</name></author>\n</entry>\n",
            xml_escape(&c.title),
            xml_escape(&c.url),
            xml_escape(&c.url),
            xml_escape(&c.published_at),
            xml_escape(&c.summary),
            xml_escape(t.s("site.name")),
        );
    }
    x.push_str("</feed>\n");
    Ok(Page::Body("application/atom+xml; charset=utf-8", x))
}

/// `GET /feeds/{section}`: the Atom feed of a section (`tin-tuc`,
/// `chinh-sach`, `thu-tuc`, `van-ban`; in English `news`, `policies`,
/// `procedures`, `legal-documents`).
pub async fn feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Response {
    let Some((kind, lang)) = feed_section(&name) else {
        return PageError {
            err: AppError::NotFound,
            lang: Lang::Vi,
        }
        .into_response();
    };
    let base = origin(&state, &headers);
    serve(&state, &headers, format!("{base}/feeds/{name}"), || {
        feed_body(&state, &base, kind, lang, &name)
    })
    .await
}

/// `GET /sitemap.xml`: the home pages, the sections and every published page.
pub async fn sitemap(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let base = origin(&state, &headers);
    let key = format!("{base}/sitemap.xml");
    serve(&state, &headers, key, || async {
        let pages = public::sitemap(&state.app).await.map_err(|err| PageError {
            err,
            lang: Lang::Vi,
        })?;
        let mut x = String::from(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
             <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        let mut fixed = vec!["/", "/en", "/public/statistics"];
        for k in ["news", "policy", "procedure", "legal_document", "faq"] {
            fixed.push(public::section_url(k, "vi"));
            fixed.push(public::section_url(k, "en"));
        }
        for p in fixed {
            let _ = writeln!(x, "<url><loc>{base}{}</loc></url>", xml_escape(p));
        }
        for (path, updated) in pages {
            let _ = writeln!(
                x,
                "<url><loc>{base}{}</loc><lastmod>{}</lastmod></url>",
                xml_escape(&path),
                xml_escape(updated.get(..10).unwrap_or(&updated))
            );
        }
        x.push_str("</urlset>\n");
        Ok(Page::Body("application/xml; charset=utf-8", x))
    })
    .await
}

/// The query of a list, read leniently (a malformed one is an empty filter).
pub fn list_query(
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> ListQuery {
    q.map(|Query(q)| q).unwrap_or_default()
}

/// The query of a search, read leniently.
pub fn search_query(
    q: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> SearchQuery {
    q.map(|Query(q)| q).unwrap_or_default()
}
