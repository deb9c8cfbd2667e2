//! Search pages: the staff search box with live results
//! (`GET /search`, htmx) and exports of a result set (`/search/export.xlsx`,
//! `/search/export.csv`). Access, jurisdiction, masking and audit are in
//! `app::registry::search` (the JSON is in [`crate::registry::api::search`]).

use app::registry::search::{self as use_case, ExportFormat, SearchPage, SearchQuery};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use domain::{Agency, Category, Generation, NotableTag, PersonStatus, VerificationStatus};
use serde::{Deserialize, Serialize};

use super::{country_label, options};
use crate::AppState;
use crate::error::PageError;
use crate::extract::User;
use crate::i18n::{Lang, Tr};
use crate::pages::{Layout, page_err, render};

/// The search form as typed (every value text).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SearchForm {
    q: String,
    commune: String,
    legacy_commune: String,
    legacy_district: String,
    country: String,
    category: String,
    generation: String,
    tag: String,
    status: String,
    verification: String,
    agency: String,
    survey_round: String,
    consent: String,
}

impl SearchForm {
    fn to_query(&self, limit: Option<i64>) -> SearchQuery {
        SearchQuery {
            q: self.q.clone(),
            limit,
            commune: self.commune.clone(),
            legacy_commune: self.legacy_commune.clone(),
            legacy_district: self.legacy_district.clone(),
            country: self.country.clone(),
            category: self.category.clone(),
            generation: self.generation.clone(),
            tag: self.tag.clone(),
            status: self.status.clone(),
            verification: self.verification.clone(),
            agency: self.agency.clone(),
            survey_round: self.survey_round.clone(),
            consent: self.consent.clone(),
        }
    }

    fn query_string(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("q", &self.q),
            ("commune", &self.commune),
            ("legacy_commune", &self.legacy_commune),
            ("legacy_district", &self.legacy_district),
            ("country", &self.country),
            ("category", &self.category),
            ("generation", &self.generation),
            ("tag", &self.tag),
            ("status", &self.status),
            ("verification", &self.verification),
            ("agency", &self.agency),
            ("survey_round", &self.survey_round),
            ("consent", &self.consent),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, v.as_str()))
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The text, escaped, with the `[start, end)` character ranges wrapped in
/// `<mark>`. Nothing of the text reaches the page unescaped.
pub fn highlight_html(text: &str, ranges: &[[usize; 2]]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut at = 0;
    let mut ranges: Vec<[usize; 2]> = ranges.to_vec();
    ranges.sort_unstable();
    for [a, b] in ranges {
        let a = a.clamp(at, chars.len());
        let b = b.clamp(a, chars.len());
        if a == b {
            continue;
        }
        out.push_str(&escape(&chars[at..a].iter().collect::<String>()));
        out.push_str("<mark>");
        out.push_str(&escape(&chars[a..b].iter().collect::<String>()));
        out.push_str("</mark>");
        at = b;
    }
    out.push_str(&escape(&chars[at..].iter().collect::<String>()));
    out
}

/// A result row as shown.
pub struct HitView {
    id: i64,
    name_html: String,
    other_html: String,
    birth_date: String,
    category: String,
    country: String,
    hometown: String,
    kind: String,
}

#[derive(Template)]
#[template(path = "registry/search/page.html")]
struct PageView {
    l: Layout,
    t: Tr,
    f: SearchForm,
    searched: bool,
    rows: Vec<HitView>,
    total: usize,
    lower: bool,
    qs: String,
    can_export: bool,
    /// What the query's own words narrowed the search by (empty if nothing).
    narrowed: String,
    categories: Vec<(String, String, bool)>,
    generations: Vec<(String, String, bool)>,
    tags: Vec<(String, String, bool)>,
    statuses: Vec<(String, String, bool)>,
    verifications: Vec<(String, String, bool)>,
    agencies: Vec<(String, String, bool)>,
    /// Survey rounds `(code, name)` offered by the survey-round picker.
    survey_rounds: Vec<(String, String)>,
    /// The consent filter's choices (issue 23 §4), as on the people list.
    consents: Vec<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "registry/search/results.html")]
struct ResultsView {
    t: Tr,
    searched: bool,
    rows: Vec<HitView>,
    total: usize,
    lower: bool,
    qs: String,
    can_export: bool,
    narrowed: String,
}

/// "năm sinh 12/03/1979 · Nhật Bản": the birth year or date and the
/// country read in the query, as a person reads them.
fn narrowed_text(page: &SearchPage, t: Tr, lang: Lang) -> String {
    let n = &page.narrowed;
    let mut parts = Vec::new();
    if !n.birth_years.is_empty() {
        let years: Vec<String> = n.birth_years.iter().map(u16::to_string).collect();
        let years = years.join(" / ");
        let born = match (n.birth_day, n.birth_month) {
            (Some(d), Some(m)) => format!("{d:02}/{m:02}/{years}"),
            (None, Some(m)) => format!("{m:02}/{years}"),
            _ => years,
        };
        parts.push(format!("{} {born}", t.s("search.narrowed.born")));
    }
    if let Some(c) = &n.country {
        parts.push(country_label(c, lang));
    }
    parts.join(" · ")
}

fn rows_of(page: &SearchPage, t: Tr, lang: Lang) -> Vec<HitView> {
    let lc = lang.code();
    page.items
        .iter()
        .map(|h| {
            let (name_html, other_html) = match &h.matched_other_name {
                Some(other) => (escape(&h.full_name), highlight_html(other, &h.highlight)),
                None => (highlight_html(&h.full_name, &h.highlight), String::new()),
            };
            HitView {
                id: h.id,
                name_html,
                other_html,
                birth_date: domain::dates::show(h.birth_date.as_deref().unwrap_or_default()),
                category: Category::from_code(&h.category)
                    .map_or_else(|_| h.category.clone(), |c| c.label(lc).to_owned()),
                country: country_label(&h.country, lang),
                hometown: h.hometown_text.clone(),
                kind: t.s(&format!("search.kind.{}", h.kind)).to_owned(),
            }
        })
        .collect()
}

/// `GET /search`: the search box; htmx requests get the results only.
pub async fn page(
    State(state): State<AppState>,
    user: User,
    headers: HeaderMap,
    Query(f): Query<SearchForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let lc = lang.code();
    let searched = !f.q.trim().is_empty();
    let page = if searched {
        use_case::search(&state.app, &user.actor, &f.to_query(Some(50)))
            .await
            .map_err(page_err(lang))?
    } else {
        app::access::authorize(&user.actor, app::access::Action::PersonList)
            .map_err(page_err(lang))?;
        SearchPage::default()
    };
    let l = Layout::for_user(&user);
    let t = l.t;
    let rows = rows_of(&page, t, lang);
    let narrowed = narrowed_text(&page, t, lang);
    let can_export = app::access::authorize(&user.actor, app::access::Action::PersonExport).is_ok();
    let qs = f.query_string();
    if headers.contains_key("hx-request") {
        return render(&ResultsView {
            t,
            searched,
            rows,
            total: page.total,
            lower: page.total_is_lower_bound,
            qs,
            can_export,
            narrowed,
        });
    }
    let any = t.s("people.any");
    let survey_rounds = app::registry::people::survey_rounds(&state.app, &user.actor)
        .await
        .map_err(page_err(lang))?;
    render(&PageView {
        survey_rounds,
        categories: options(
            Category::ALL,
            Category::code,
            |c| c.label(lc),
            &f.category,
            any,
        ),
        generations: options(
            Generation::ALL,
            Generation::code,
            |c| c.label(lc),
            &f.generation,
            any,
        ),
        tags: options(
            NotableTag::ALL,
            NotableTag::code,
            |c| c.label(lc),
            &f.tag,
            any,
        ),
        statuses: options(
            PersonStatus::ALL,
            PersonStatus::code,
            |c| c.label(lc),
            &f.status,
            any,
        ),
        verifications: options(
            VerificationStatus::ALL,
            VerificationStatus::code,
            |c| c.label(lc),
            &f.verification,
            any,
        ),
        agencies: options(Agency::ALL, Agency::code, |c| c.label(lc), &f.agency, any),
        consents: super::people::consent_options(t, &f.consent, any),
        l,
        t,
        f,
        searched,
        rows,
        total: page.total,
        lower: page.total_is_lower_bound,
        qs,
        can_export,
        narrowed,
    })
}

async fn export(
    state: &AppState,
    user: &User,
    f: &SearchForm,
    format: ExportFormat,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let words = move |kind: &str, code: &str| match kind {
        "field" => t.field(code),
        "match" => t.s(&format!("search.kind.{code}")).to_owned(),
        _ => t.label(kind, code),
    };
    let bytes = use_case::export(&state.app, &user.actor, &f.to_query(None), format, &words)
        .await
        .map_err(page_err(user.lang))?;
    let (ctype, name) = match format {
        ExportFormat::Xlsx => (crate::pages::XLSX, "search.xlsx"),
        ExportFormat::Csv => ("text/csv; charset=utf-8", "search.csv"),
    };
    Ok(crate::pages::attachment(bytes, ctype, name))
}

/// `GET /search/export.xlsx`: the result set as a workbook.
pub async fn export_xlsx(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<SearchForm>,
) -> Result<Response, PageError> {
    export(&state, &user, &f, ExportFormat::Xlsx).await
}

/// `GET /search/export.csv`: the result set as CSV (UTF-8 with BOM).
pub async fn export_csv(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<SearchForm>,
) -> Result<Response, PageError> {
    export(&state, &user, &f, ExportFormat::Csv).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_are_escaped_then_marked() {
        assert_eq!(
            highlight_html("Nguyễn Văn Đức", &[[0, 6], [11, 14]]),
            "<mark>Nguyễn</mark> Văn <mark>Đức</mark>"
        );
        assert_eq!(
            highlight_html("<b>Lan</b>", &[[3, 6]]),
            "&lt;b&gt;<mark>Lan</mark>&lt;/b&gt;"
        );
        // Out-of-range and overlapping ranges are clamped.
        assert_eq!(highlight_html("An", &[[0, 9], [1, 2]]), "<mark>An</mark>");
    }
}
