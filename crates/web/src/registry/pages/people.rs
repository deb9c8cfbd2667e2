//! Registry pages: the list, the record page, create and edit forms, the
//! pickers. Each handler calls `app::registry`, which checks access.

use std::fmt::Write as _;

use app::AppError;
use app::registry::people::{self, ListQuery, Person, PersonInput, YearInput};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::{
    Agency, Category, ConsentStatus, Gender, Generation, NotableTag, PersonStatus,
    VerificationStatus,
};
use serde::{Deserialize, Serialize};

use super::{country_label, options};
use crate::AppState;
use crate::error::PageError;
use crate::extract::User;
use crate::i18n::{Lang, Tr};
use crate::pages::{Layout, page_err, render};

// ---------------------------------------------------------------- list

/// The list's query string (every value text, as typed in the filter form).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ListForm {
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
    gender: String,
    age_band: String,
    field: String,
    field_op: String,
    field_value: String,
    sort: String,
    dir: String,
    page: String,
    deleted: String,
    consent: String,
}

impl ListForm {
    fn to_query(&self) -> ListQuery {
        ListQuery {
            q: self.q.clone(),
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
            gender: self.gender.clone(),
            age_band: self.age_band.clone(),
            field: self.field.clone(),
            field_op: self.field_op.clone(),
            field_value: self.field_value.clone(),
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            page: self.page.trim().parse().ok(),
            after: None,
            limit: Some(50),
            deleted: !self.deleted.is_empty(),
            consent: self.consent.clone(),
        }
    }

    /// The query string with some keys replaced.
    fn url_with(&self, sort: Option<(&str, &str)>, page: Option<i64>) -> String {
        let mut f = self.clone();
        if let Some((s, d)) = sort {
            s.clone_into(&mut f.sort);
            d.clone_into(&mut f.dir);
            f.page = String::new();
        }
        if let Some(p) = page {
            f.page = p.to_string();
        }
        let pairs: Vec<(&str, String)> = serde_json::to_value(&f)
            .ok()
            .and_then(|v| v.as_object().cloned())
            .map(|o| {
                o.into_iter()
                    .filter_map(|(k, v)| {
                        let s = v.as_str()?.to_owned();
                        if s.is_empty() {
                            return None;
                        }
                        FORM_KEYS.iter().find(|x| **x == k).map(|x| (*x, s))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let qs = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        format!("/people?{qs}")
    }
}

const FORM_KEYS: &[&str] = &[
    "q",
    "commune",
    "legacy_commune",
    "legacy_district",
    "country",
    "category",
    "generation",
    "tag",
    "status",
    "verification",
    "agency",
    "survey_round",
    "gender",
    "age_band",
    "field",
    "field_op",
    "field_value",
    "sort",
    "dir",
    "page",
    "deleted",
    "consent",
];

/// A list row as shown.
pub struct RowView {
    id: i64,
    full_name: String,
    birth_date: String,
    category: String,
    country: String,
    hometown: String,
    status: String,
    verification: String,
    /// No consent ever given through the portal (issue 23 §4).
    no_consent: bool,
}

#[derive(Template)]
#[template(path = "registry/people/list.html")]
struct ListPageView {
    l: Layout,
    t: Tr,
    f: ListForm,
    rows: Vec<RowView>,
    total: i64,
    page: i64,
    pages: i64,
    prev_url: String,
    next_url: String,
    sort_urls: Vec<(String, String)>,
    categories: Vec<(String, String, bool)>,
    generations: Vec<(String, String, bool)>,
    tags: Vec<(String, String, bool)>,
    statuses: Vec<(String, String, bool)>,
    verifications: Vec<(String, String, bool)>,
    genders: Vec<(String, String, bool)>,
    age_bands: Vec<(String, String, bool)>,
    /// The `consent` filter: "Tin tức và thư mời: đã đồng ý"...
    consents: Vec<(String, String, bool)>,
    agencies: Vec<(String, String, bool)>,
    /// Each department's own fields: key, "Department — field", selected.
    source_fields: Vec<(String, String, bool)>,
    field_ops: Vec<(String, String, bool)>,
    /// Survey rounds `(code, name)` offered by the survey-round picker.
    survey_rounds: Vec<(String, String)>,
    can_create: bool,
}

/// The choices of the consent filter (issue 23 §4), shared by the people
/// list and the report builder: (value, "Purpose: state", selected), the
/// first one `any` (no filter).
pub fn consent_options(t: Tr, selected: &str, any: &str) -> Vec<(String, String, bool)> {
    let mut v = vec![(String::new(), any.to_owned(), selected.is_empty())];
    v.extend(people::CONSENT_FILTERS.iter().map(|c| {
        let (purpose, state) = c.split_once(':').unwrap_or_default();
        (
            (*c).to_owned(),
            format!(
                "{}: {}",
                t.label("purpose", purpose),
                t.s(&format!("people.consent_state.{state}"))
            ),
            *c == selected,
        )
    }));
    v
}

fn coded_label<T>(
    code: &str,
    parse: impl Fn(&str) -> Option<T>,
    label: impl Fn(T) -> &'static str,
) -> String {
    parse(code).map_or_else(|| code.to_owned(), |x| label(x).to_owned())
}

/// `GET /people`: the list, filtered from the URL.
pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<ListForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let lc = lang.code();
    let page = people::list(&state.app, &user.actor, &f.to_query())
        .await
        .map_err(page_err(lang))?;
    let l = Layout::for_user(&user);
    let t = l.t;
    let any = t.s("people.any");
    let rows = page
        .items
        .iter()
        .map(|r| RowView {
            id: r.id,
            full_name: r.full_name.clone(),
            birth_date: domain::dates::show(r.birth_date.as_deref().unwrap_or_default()),
            category: coded_label(
                &r.category,
                |c| Category::from_code(c).ok(),
                |c| c.label(lc),
            ),
            country: country_label(&r.country, lang),
            hometown: r.hometown_text.clone(),
            status: coded_label(
                &r.status,
                |c| PersonStatus::from_code(c).ok(),
                |c| c.label(lc),
            ),
            verification: coded_label(
                &r.verification,
                |c| VerificationStatus::from_code(c).ok(),
                |c| c.label(lc),
            ),
            no_consent: r.no_consent,
        })
        .collect();
    let pages = ((page.total + page.limit - 1) / page.limit).max(1);
    let sort_urls = ["name", "birth", "updated", "id"]
        .iter()
        .map(|s| {
            let dir = if f.sort == *s && f.dir != "desc" {
                "desc"
            } else {
                "asc"
            };
            ((*s).to_owned(), f.url_with(Some((s, dir)), None))
        })
        .collect();
    render(&ListPageView {
        rows,
        total: page.total,
        page: page.page,
        pages,
        prev_url: if page.page > 1 {
            f.url_with(None, Some(page.page - 1))
        } else {
            String::new()
        },
        next_url: if page.page < pages {
            f.url_with(None, Some(page.page + 1))
        } else {
            String::new()
        },
        sort_urls,
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
        genders: options(Gender::ALL, Gender::code, |c| c.label(lc), &f.gender, any),
        age_bands: {
            let mut v = vec![(String::new(), any.to_owned(), f.age_band.is_empty())];
            v.extend(domain::age::AGE_BANDS.iter().map(|b| {
                (
                    b.0.to_owned(),
                    (if lc == "en" { b.2 } else { b.1 }).to_owned(),
                    b.0 == f.age_band,
                )
            }));
            v
        },
        consents: consent_options(t, &f.consent, any),
        agencies: options(Agency::ALL, Agency::code, |c| c.label(lc), &f.agency, any),
        source_fields: {
            let mut v = vec![(String::new(), any.to_owned(), f.field.is_empty())];
            v.extend(domain::source_fields::SOURCE_FIELDS.iter().map(|sf| {
                (
                    sf.key.to_owned(),
                    format!(
                        "{} — {}",
                        sf.agency.label(lc),
                        t.s(&format!("field.{}", sf.key))
                    ),
                    sf.key == f.field,
                )
            }));
            v
        },
        field_ops: ["eq", "contains", "gte", "lte"]
            .iter()
            .map(|o| {
                (
                    (*o).to_owned(),
                    t.s(&format!("people.field_op_{o}")).to_owned(),
                    *o == f.field_op,
                )
            })
            .collect(),
        survey_rounds: people::survey_rounds(&state.app, &user.actor)
            .await
            .map_err(page_err(lang))?,
        can_create: app::access::authorize(&user.actor, app::access::Action::PersonCreate).is_ok(),
        f,
        l,
        t,
    })
}

// ---------------------------------------------------------------- pickers

/// The first query value, whatever its name (htmx sends the input's own).
fn typed(q: Vec<(String, String)>) -> String {
    q.into_iter()
        .find(|(k, _)| k != "near")
        .map(|kv| kv.1)
        .unwrap_or_default()
}

/// `<option>`s for communes of one era: the value is the label read back
/// on save ("Xã Lộc Hà, Tỉnh Hà Tĩnh (mới)"), the text what the commune was
/// ("Xã Thạch Kim (cũ), …") or became ("→ Xã Lộc Hà").
fn commune_options(state: &AppState, lang: Lang, text: &str, era: domain::geo::Era) -> Response {
    let en = lang == Lang::En;
    let mut out = String::new();
    let home = Some(state.app.settings.home_province.as_str());
    for hit in domain::geo::search_communes(text, home, 30) {
        if hit.commune.era() != era {
            continue;
        }
        let _ = write!(
            out,
            "<option value=\"{}\">{}</option>",
            escape(&domain::geo::pick::commune_choice(hit.commune, en)),
            escape(&domain::geo::pick::commune_history(hit.commune, en))
        );
    }
    Html(out).into_response()
}

/// `GET /people/pick/communes?q=`: new communes for a `<datalist>`.
pub async fn pick_communes(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    commune_options(&state, user.lang, &typed(q), domain::geo::Era::New)
}

/// `GET /people/pick/legacy-communes?q=`: communes before 1 July 2025,
/// each with where it went.
pub async fn pick_legacy_communes(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    commune_options(&state, user.lang, &typed(q), domain::geo::Era::Legacy)
}

/// `GET /people/pick/districts?q=`: districts before 1 July 2025.
pub async fn pick_districts(
    State(state): State<AppState>,
    _user: User,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let home = Some(state.app.settings.home_province.as_str());
    let mut out = String::new();
    for d in domain::geo::pick::search_legacy_districts(&typed(q), home, 20) {
        let _ = write!(
            out,
            "<option value=\"{}\"></option>",
            escape(&domain::geo::pick::district_choice(d))
        );
    }
    Html(out).into_response()
}

/// `GET /people/pick/countries?q=`: countries by their name in the page's
/// language (read back on save), the other language's name beside.
pub async fn pick_countries(user: User, Query(q): Query<Vec<(String, String)>>) -> Response {
    let mut out = String::new();
    for c in domain::geo::search_countries(&typed(q), 20) {
        let (name, other) = if user.lang == Lang::En {
            (c.name_en, c.name_vi)
        } else {
            (c.name_vi, c.name_en)
        };
        let _ = write!(
            out,
            "<option value=\"{}\">{}</option>",
            escape(name),
            escape(other)
        );
    }
    Html(out).into_response()
}

/// `GET /people/pick/households?near=CODE&household_id=TEXT`: households the
/// user may see whose head or address holds the text, those of the
/// person's commune `near` first; the value ends with the household's
/// number, which the relative form reads back.
pub async fn pick_households(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let t = Tr::new(user.lang);
    let near = q
        .iter()
        .find(|(k, _)| k == "near")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let text = typed(q);
    let mut rows = app::registry::households::pick(&state.app, &user.actor, &text, Some(&near), 15)
        .await
        .unwrap_or_default();
    if rows.len() < 15 && !near.is_empty() {
        let more = app::registry::households::pick(&state.app, &user.actor, &text, None, 15)
            .await
            .unwrap_or_default();
        for h in more {
            if rows.len() < 15 && !rows.iter().any(|r| r.id == h.id) {
                rows.push(h);
            }
        }
    }
    let mut out = String::new();
    for h in rows {
        let commune = h
            .commune_code
            .as_deref()
            .and_then(domain::geo::new_commune)
            .map(|c| c.name)
            .unwrap_or_default();
        let place = [h.address.as_str(), commune]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        let _ = write!(
            out,
            "<option value=\"{} — {} ({} {})\"></option>",
            escape(&h.head_name),
            escape(&place),
            escape(t.s("people.household_no")),
            h.id
        );
    }
    Html(out).into_response()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

// ---------------------------------------------------------------- forms

/// The create and edit form, every value as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PersonForm {
    full_name: String,
    other_names: String,
    gender: String,
    birth_date: String,
    category: String,
    generation: String,
    country: String,
    region_abroad: String,
    city_abroad: String,
    address_abroad: String,
    hometown_text: String,
    hometown_code: String,
    hometown_legacy_code: String,
    departure_year: String,
    passport_no: String,
    id_no: String,
    phone: String,
    email: String,
    occupation: String,
    education: String,
    expertise: String,
    tags: String,
    enterprise: String,
    status: String,
    consent: String,
    verification: String,
    notes: String,
    /// Two-letter codes, separated by commas.
    nationalities: String,
    /// One account a line.
    social: String,
    income_bracket: String,
    remittance: String,
    /// One association name a line.
    associations: String,
    version: String,
    /// Everything else posted: the extra fields are `extra.<key>`.
    #[serde(flatten)]
    rest: std::collections::BTreeMap<String, String>,
}

fn lines(v: &str) -> Vec<String> {
    v.lines().map(str::to_owned).collect()
}

impl PersonForm {
    fn to_input(&self) -> PersonInput {
        let s = |v: &str| Some(v.to_owned());
        PersonInput {
            full_name: s(&self.full_name),
            other_names: Some(self.other_names.lines().map(str::to_owned).collect()),
            gender: s(&self.gender),
            birth_date: s(&self.birth_date),
            category: s(&self.category),
            generation: s(&self.generation),
            country: s(&self.country),
            region_abroad: s(&self.region_abroad),
            city_abroad: s(&self.city_abroad),
            address_abroad: s(&self.address_abroad),
            hometown_text: s(&self.hometown_text),
            hometown_code: s(&self.hometown_code),
            hometown_legacy_code: s(&self.hometown_legacy_code),
            departure_year: Some(YearInput::Text(self.departure_year.clone())),
            passport_no: s(&self.passport_no),
            id_no: s(&self.id_no),
            phone: s(&self.phone),
            email: s(&self.email),
            occupation: s(&self.occupation),
            education: s(&self.education),
            expertise: s(&self.expertise),
            // The ticked boxes (`tag.<code>`), and any typed by an older form.
            tags: Some(
                self.tags
                    .split(',')
                    .map(str::to_owned)
                    .chain(
                        self.rest
                            .keys()
                            .filter_map(|k| k.strip_prefix("tag.").map(str::to_owned)),
                    )
                    .collect(),
            ),
            enterprise: s(&self.enterprise),
            status: s(&self.status),
            consent: s(&self.consent),
            verification: s(&self.verification),
            notes: s(&self.notes),
            nationalities: Some(self.nationalities.split(',').map(str::to_owned).collect()),
            social: Some(lines(&self.social)),
            income_bracket: s(&self.income_bracket),
            remittance: s(&self.remittance),
            associations: Some(lines(&self.associations)),
            extra: Some(
                self.rest
                    .iter()
                    .filter_map(|(k, v)| Some((k.strip_prefix("extra.")?.to_owned(), v.clone())))
                    .collect(),
            ),
            version: None,
        }
    }

    /// The stored record as the form shows it: countries and communes by
    /// name (the pickers' labels, read back on save), tags as ticked boxes.
    fn from_person(p: &Person, lang: Lang) -> Self {
        let d = &p.data;
        let commune = |code: Option<&String>, era| {
            let code = code.map_or("", String::as_str);
            let found = match era {
                domain::geo::Era::New => {
                    domain::geo::new_commune(code).map(domain::geo::CommuneRef::New)
                }
                domain::geo::Era::Legacy => {
                    domain::geo::legacy_commune(code).map(domain::geo::CommuneRef::Legacy)
                }
            };
            found.map_or_else(
                || code.to_owned(),
                |c| domain::geo::pick::commune_choice(c, lang == Lang::En),
            )
        };
        let mut rest: std::collections::BTreeMap<String, String> = d
            .extra
            .iter()
            .map(|(k, v)| (format!("extra.{k}"), v.clone()))
            .collect();
        for tag in &d.tags {
            rest.insert(format!("tag.{tag}"), "on".to_owned());
        }
        Self {
            full_name: d.full_name.clone(),
            other_names: d.other_names.join("\n"),
            gender: d.gender.clone(),
            birth_date: domain::dates::show(d.birth_date.as_deref().unwrap_or_default()),
            category: d.category.clone(),
            generation: d.generation.clone().unwrap_or_default(),
            country: country_label(&d.country, lang),
            region_abroad: d.region_abroad.clone(),
            city_abroad: d.city_abroad.clone(),
            address_abroad: d.address_abroad.clone(),
            hometown_text: d.hometown_text.clone(),
            hometown_code: commune(d.hometown_code.as_ref(), domain::geo::Era::New),
            hometown_legacy_code: commune(
                d.hometown_legacy_code.as_ref(),
                domain::geo::Era::Legacy,
            ),
            departure_year: d.departure_year.map(|y| y.to_string()).unwrap_or_default(),
            passport_no: d.passport_no.clone(),
            id_no: d.id_no.clone(),
            phone: d.phone.clone(),
            email: d.email.clone(),
            occupation: d.occupation.clone(),
            education: d.education.clone(),
            expertise: d.expertise.clone(),
            tags: String::new(),
            enterprise: d.enterprise.clone(),
            status: d.status.clone(),
            consent: d.consent.clone(),
            verification: d.verification.clone(),
            notes: d.notes.clone(),
            nationalities: d
                .nationalities
                .iter()
                .map(|c| country_label(c, lang))
                .collect::<Vec<_>>()
                .join(", "),
            social: d.social.join("\n"),
            income_bracket: d.income_bracket.clone(),
            remittance: d.remittance.clone(),
            associations: d.associations.join("\n"),
            version: p.version.to_string(),
            rest,
        }
    }
}

/// One form field as rendered.
pub struct FieldView {
    name: String,
    label: String,
    value: String,
    error: String,
    /// `text`, `textarea`, `select` or `checks` (one box an option,
    /// named `<name prefix>.<code>`).
    kind: &'static str,
    options: Vec<(String, String, bool)>,
    /// Picker URL for a `<datalist>`, or empty.
    picker: &'static str,
    /// How to write the value (dates: day first), or empty.
    hint: &'static str,
    /// The form's section (identity, abroad, hometown...), a message key.
    section: &'static str,
    /// The field opens its section / is the section's last.
    opens: bool,
    closes: bool,
    /// The record cannot be saved without it.
    required: bool,
}

/// The sections of the person form, in order, with their fields.
const SECTIONS: &[(&str, &[&str])] = &[
    (
        "people.section_identity",
        &[
            "full_name",
            "other_names",
            "gender",
            "birth_date",
            "nationalities",
            "passport_no",
            "id_no",
        ],
    ),
    (
        "people.section_abroad",
        &[
            "category",
            "generation",
            "country",
            "region_abroad",
            "city_abroad",
            "address_abroad",
            "departure_year",
            "status",
        ],
    ),
    (
        "people.section_hometown",
        &["hometown_text", "hometown_code", "hometown_legacy_code"],
    ),
    ("people.section_contact", &["phone", "email", "social"]),
    (
        "people.section_potential",
        &[
            "occupation",
            "education",
            "expertise",
            "tags",
            "enterprise",
            "income_bracket",
            "remittance",
            "associations",
        ],
    ),
    (
        "people.section_record",
        &["consent", "verification", "notes"],
    ),
];

/// Fields the registry refuses to save empty.
const REQUIRED: &[&str] = &["full_name", "category", "country"];

/// Orders the fields by section and marks where each section opens and
/// closes (a department's own fields form the last section).
fn in_sections(mut v: Vec<FieldView>) -> Vec<FieldView> {
    let rank = |f: &FieldView| {
        SECTIONS
            .iter()
            .position(|(_, names)| names.contains(&f.name.as_str()))
            .unwrap_or(SECTIONS.len())
    };
    for f in &mut v {
        let r = rank(f);
        f.section = SECTIONS.get(r).map_or("people.section_extra", |s| s.0);
        f.required = REQUIRED.contains(&f.name.as_str());
    }
    v.sort_by_key(|f| rank(f));
    let n = v.len();
    for i in 0..n {
        v[i].opens = i == 0 || v[i - 1].section != v[i].section;
        v[i].closes = i + 1 == n || v[i + 1].section != v[i].section;
    }
    v
}

/// The person form's fields, by section.
fn fields(
    t: Tr,
    f: &PersonForm,
    errors: &[app::FieldError],
    defs: &[people::CustomField],
) -> Vec<FieldView> {
    in_sections(each_field(t, f, errors, defs))
}

fn each_field(
    t: Tr,
    f: &PersonForm,
    errors: &[app::FieldError],
    defs: &[people::CustomField],
) -> Vec<FieldView> {
    let lc = t.code();
    let err = |name: &str| -> String {
        errors
            .iter()
            .filter(|e| e.field == name)
            .map(|e| t.s(&format!("code.{}", e.code)).to_owned())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let none = t.s("people.none");
    let mk = |name: &'static str, value: &str, kind: &'static str, options, picker| FieldView {
        name: name.to_owned(),
        label: t.s(&format!("field.{name}")).to_owned(),
        value: value.to_owned(),
        error: err(name),
        kind,
        options,
        picker,
        hint: if name == "birth_date" {
            t.s("common.partial_date_hint")
        } else {
            ""
        },
        section: "",
        opens: false,
        closes: false,
        required: false,
    };
    let text = |name: &'static str, value: &str| mk(name, value, "text", Vec::new(), "");
    vec![
        text("full_name", &f.full_name),
        mk("other_names", &f.other_names, "textarea", Vec::new(), ""),
        mk(
            "gender",
            "",
            "select",
            options(Gender::ALL, Gender::code, |c| c.label(lc), &f.gender, none),
            "",
        ),
        text("birth_date", &f.birth_date),
        mk(
            "category",
            "",
            "select",
            options(
                Category::ALL,
                Category::code,
                |c| c.label(lc),
                &f.category,
                none,
            ),
            "",
        ),
        mk(
            "generation",
            "",
            "select",
            options(
                Generation::ALL,
                Generation::code,
                |c| c.label(lc),
                &f.generation,
                none,
            ),
            "",
        ),
        mk(
            "country",
            &f.country,
            "text",
            Vec::new(),
            "/people/pick/countries",
        ),
        text("region_abroad", &f.region_abroad),
        text("city_abroad", &f.city_abroad),
        mk(
            "address_abroad",
            &f.address_abroad,
            "textarea",
            Vec::new(),
            "",
        ),
        text("hometown_text", &f.hometown_text),
        mk(
            "hometown_code",
            &f.hometown_code,
            "text",
            Vec::new(),
            "/people/pick/communes",
        ),
        mk(
            "hometown_legacy_code",
            &f.hometown_legacy_code,
            "text",
            Vec::new(),
            "/people/pick/legacy-communes",
        ),
        text("departure_year", &f.departure_year),
        text("passport_no", &f.passport_no),
        text("id_no", &f.id_no),
        text("phone", &f.phone),
        text("email", &f.email),
        text("occupation", &f.occupation),
        text("education", &f.education),
        text("expertise", &f.expertise),
        mk(
            "tags",
            &f.tags,
            "checks",
            NotableTag::ALL
                .iter()
                .map(|tag| {
                    let ticked = f.rest.contains_key(&format!("tag.{}", tag.code()))
                        || f.tags.split(',').any(|x| x.trim() == tag.code());
                    (tag.code().to_owned(), tag.label(lc).to_owned(), ticked)
                })
                .collect(),
            "",
        ),
        text("enterprise", &f.enterprise),
        mk(
            "status",
            "",
            "select",
            options(
                PersonStatus::ALL,
                PersonStatus::code,
                |c| c.label(lc),
                &f.status,
                none,
            ),
            "",
        ),
        mk(
            "consent",
            "",
            "select",
            options(
                ConsentStatus::ALL,
                ConsentStatus::code,
                |c| c.label(lc),
                &f.consent,
                none,
            ),
            "",
        ),
        mk(
            "verification",
            "",
            "select",
            options(
                VerificationStatus::ALL,
                VerificationStatus::code,
                |c| c.label(lc),
                &f.verification,
                none,
            ),
            "",
        ),
        mk("notes", &f.notes, "textarea", Vec::new(), ""),
        text("nationalities", &f.nationalities),
        mk("social", &f.social, "textarea", Vec::new(), ""),
        mk(
            "income_bracket",
            "",
            "select",
            {
                let mut v = vec![(String::new(), none.to_owned(), f.income_bracket.is_empty())];
                v.extend(people::INCOME_BRACKETS.iter().map(|(code, vi, en)| {
                    (
                        (*code).to_owned(),
                        (if lc == "en" { *en } else { *vi }).to_owned(),
                        *code == f.income_bracket,
                    )
                }));
                v
            },
            "",
        ),
        text("remittance", &f.remittance),
        mk("associations", &f.associations, "textarea", Vec::new(), ""),
    ]
    .into_iter()
    .chain(defs.iter().map(|d| {
        let name = format!("extra.{}", d.key);
        FieldView {
            label: if lc == "en" {
                d.label_en.clone()
            } else {
                d.label_vi.clone()
            },
            value: f.rest.get(&name).cloned().unwrap_or_default(),
            error: err(&name),
            kind: "text",
            options: Vec::new(),
            picker: "",
            hint: if d.kind == "date" {
                t.s("common.partial_date_hint")
            } else {
                ""
            },
            section: "",
            opens: false,
            closes: false,
            required: false,
            name,
        }
    }))
    .collect()
}

#[derive(Template)]
#[template(path = "registry/people/form.html")]
struct FormPage {
    l: Layout,
    t: Tr,
    /// Record id when editing.
    id: Option<i64>,
    version: String,
    fields: Vec<FieldView>,
    error: String,
    /// On a conflict: the stored values that differ from the user's.
    conflicts: Vec<(String, String)>,
}

async fn form_page(
    state: &AppState,
    user: &User,
    id: Option<i64>,
    f: &PersonForm,
    errors: &[app::FieldError],
    error: String,
    conflicts: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let defs = people::custom_fields(&state.app, &user.actor)
        .await
        .map_err(page_err(user.lang))?;
    let l = Layout::for_user(user);
    let t = l.t;
    render(&FormPage {
        fields: fields(t, f, errors, &defs),
        version: f.version.clone(),
        id,
        error,
        conflicts,
        l,
        t,
    })
}

/// `GET /people/new`.
pub async fn new_form(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    app::access::authorize(&user.actor, app::access::Action::PersonCreate)
        .map_err(page_err(user.lang))?;
    let f = PersonForm {
        country: String::new(),
        ..PersonForm::default()
    };
    form_page(&state, &user, None, &f, &[], String::new(), Vec::new()).await
}

/// `POST /people`: creates, or shows the form again with per-field messages.
pub async fn create(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<PersonForm>,
) -> Result<Response, PageError> {
    match people::create(&state.app, &user.actor, &f.to_input()).await {
        Ok(p) => Ok(Redirect::to(&format!("/people/{}", p.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let t = Tr::new(user.lang);
            let mut resp = form_page(
                &state,
                &user,
                None,
                &f,
                &errors,
                t.s("error.invalid").to_owned(),
                Vec::new(),
            )
            .await?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(err) => Err(PageError {
            err,
            lang: user.lang,
        }),
    }
}

/// `GET /people/{id}/edit`: sensitive fields are filled only for roles that may reveal them.
pub async fn edit_form(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    app::access::authorize(&user.actor, app::access::Action::PersonUpdate)
        .map_err(page_err(user.lang))?;
    let reveal = app::access::authorize(&user.actor, app::access::Action::PersonReveal).is_ok();
    let p = people::get(&state.app, &user.actor, id, reveal)
        .await
        .map_err(page_err(user.lang))?;
    let mut f = PersonForm::from_person(&p, user.lang);
    if !reveal {
        f.passport_no.clear();
        f.id_no.clear();
        f.address_abroad.clear();
        f.income_bracket.clear();
        f.remittance.clear();
        for k in &p.sensitive_extra {
            f.rest.remove(&format!("extra.{k}"));
        }
    }
    form_page(&state, &user, Some(id), &f, &[], String::new(), Vec::new()).await
}

/// `POST /people/{id}`: saves when the version is current; otherwise shows
/// the conflict with the stored values, keeping what the user typed.
pub async fn update(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<PersonForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    let Ok(version) = f.version.trim().parse::<i64>() else {
        return Err(PageError {
            err: AppError::Invalid(vec![app::FieldError::new("version", "required")]),
            lang,
        });
    };
    let reveal = app::access::authorize(&user.actor, app::access::Action::PersonReveal).is_ok();
    match people::update(&state.app, &user.actor, id, version, &f.to_input(), !reveal).await {
        Ok(_) => Ok(Redirect::to(&format!("/people/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut resp = form_page(
                &state,
                &user,
                Some(id),
                &f,
                &errors,
                t.s("error.invalid").to_owned(),
                Vec::new(),
            )
            .await?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(AppError::PreconditionFailed { .. }) => {
            let current = people::get(&state.app, &user.actor, id, false)
                .await
                .map_err(page_err(lang))?;
            let cur = PersonForm::from_person(&current, lang);
            let mut conflicts = Vec::new();
            let defs = people::custom_fields(&state.app, &user.actor)
                .await
                .map_err(page_err(lang))?;
            let mine = fields(t, &f, &[], &defs);
            for (a, b) in fields(t, &cur, &[], &defs).into_iter().zip(mine) {
                let sel = |x: &FieldView| {
                    x.options
                        .iter()
                        .find(|o| o.2)
                        .map_or_else(|| x.value.clone(), |o| o.0.clone())
                };
                let masked = app::access::is_sensitive(&a.name) || a.name.starts_with("extra.");
                if sel(&a) != sel(&b) && (!masked || reveal) {
                    let shown = a
                        .options
                        .iter()
                        .find(|o| o.2)
                        .map_or_else(|| a.value.clone(), |o| o.1.clone());
                    conflicts.push((a.label, shown));
                }
            }
            let mut f = f;
            f.version = current.version.to_string();
            let mut resp = form_page(
                &state,
                &user,
                Some(id),
                &f,
                &[],
                t.s("error.conflict").to_owned(),
                conflicts,
            )
            .await?;
            *resp.status_mut() = StatusCode::CONFLICT;
            Ok(resp)
        }
        Err(err) => Err(PageError { err, lang }),
    }
}

// ---------------------------------------------------------------- record page

/// A source of the record as shown: the agency by name, its own fields
/// as label and value (dates DD/MM/YYYY, countries and choices by name).
struct SourceView {
    agency: String,
    list_name: String,
    file_name: String,
    survey_round: String,
    row_no: Option<i64>,
    fields: Vec<(String, String)>,
}

fn source_view(t: Tr, lang: &str, s: people::SourceRow) -> SourceView {
    SourceView {
        agency: domain::Agency::from_code(&s.agency)
            .map_or_else(|_| s.agency.clone(), |a| a.label(lang).to_owned()),
        list_name: s.list_name,
        file_name: s.file_name,
        survey_round: s.survey_round,
        row_no: s.row_no,
        fields: s
            .fields
            .iter()
            .map(|f| {
                (
                    t.s(&format!("field.{}", f.key)).to_owned(),
                    domain::source_fields::display(&f.key, &f.value, lang),
                )
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "registry/people/show.html")]
#[expect(
    clippy::struct_excessive_bools,
    reason = "permission flags of the template"
)]
struct ShowPage {
    l: Layout,
    t: Tr,
    p: Person,
    profile: Vec<(String, String)>,
    relatives: Vec<people::RelativeRow>,
    sources: Vec<SourceView>,
    history: Vec<people::VersionEntry>,
    views: Vec<people::AccessEntry>,
    relationships: Vec<(String, String, bool)>,
    /// Consents the person gave or withdrew on the portal: purpose, state.
    consents: Vec<(String, String)>,
    can_reveal: bool,
    can_edit: bool,
    can_delete: bool,
    can_audit: bool,
    /// The relative form as typed, when it came back with problems.
    rel: RelativeForm,
    /// Its problems: (field, message).
    rel_errors: Vec<(String, String)>,
}

impl ShowPage {
    /// The message of a field of the relative form, or empty.
    fn rel_error(&self, field: &str) -> String {
        self.rel_errors
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

async fn show_page(
    state: &AppState,
    user: &User,
    id: i64,
    reveal: Option<&str>,
) -> Result<Response, PageError> {
    show_page_with(state, user, id, reveal, RelativeForm::default(), Vec::new()).await
}

#[expect(
    clippy::many_single_char_names,
    reason = "short names keep the field table readable"
)]
async fn show_page_with(
    state: &AppState,
    user: &User,
    id: i64,
    reveal: Option<&str>,
    rel: RelativeForm,
    rel_errors: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let lc = lang.code();
    let a = &user.actor;
    let p = match reveal {
        Some(purpose) => people::reveal(&state.app, a, id, purpose).await,
        None => people::get(&state.app, a, id, false).await,
    }
    .map_err(page_err(lang))?;
    let (relatives, sources) = people::related(&state.app, a, id)
        .await
        .map_err(page_err(lang))?;
    let history = people::history(&state.app, a, id)
        .await
        .map_err(page_err(lang))?;
    let consents = people::portal_consents(&state.app, a, id)
        .await
        .map_err(page_err(lang))?;
    let can = |x| app::access::authorize(a, x).is_ok();
    let can_audit = can(app::access::Action::AuditRead);
    let views = if can_audit {
        people::access_log(&state.app, a, id)
            .await
            .map_err(page_err(lang))?
    } else {
        Vec::new()
    };
    let l = Layout::for_user(user);
    let t = l.t;
    let d = &p.data;
    let f = |k: &str| t.field(k);
    let tags: Vec<&str> = d
        .tags
        .iter()
        .map(|x| NotableTag::from_code(x).map_or(x.as_str(), |c| c.label(lc)))
        .collect();
    let profile = vec![
        (f("other_names"), d.other_names.join("; ")),
        (
            f("gender"),
            coded_label(&d.gender, |c| Gender::from_code(c).ok(), |c| c.label(lc)),
        ),
        (
            f("birth_date"),
            domain::dates::show(d.birth_date.as_deref().unwrap_or_default()),
        ),
        (
            f("category"),
            coded_label(
                &d.category,
                |c| Category::from_code(c).ok(),
                |c| c.label(lc),
            ),
        ),
        (
            f("generation"),
            d.generation
                .as_deref()
                .map(|g| coded_label(g, |c| Generation::from_code(c).ok(), |c| c.label(lc)))
                .unwrap_or_default(),
        ),
        (f("country"), country_label(&d.country, lang)),
        (f("region_abroad"), d.region_abroad.clone()),
        (f("city_abroad"), d.city_abroad.clone()),
        (f("address_abroad"), d.address_abroad.clone()),
        (f("hometown_text"), d.hometown_text.clone()),
        (
            f("hometown_code"),
            t.label(
                "new_commune",
                d.hometown_code.as_deref().unwrap_or_default(),
            ),
        ),
        (
            f("hometown_legacy_code"),
            t.label(
                "legacy_commune",
                d.hometown_legacy_code.as_deref().unwrap_or_default(),
            ),
        ),
        (
            f("departure_year"),
            d.departure_year.map(|y| y.to_string()).unwrap_or_default(),
        ),
        (f("passport_no"), d.passport_no.clone()),
        (f("id_no"), d.id_no.clone()),
        (f("phone"), d.phone.clone()),
        (f("email"), d.email.clone()),
        (f("occupation"), d.occupation.clone()),
        (f("education"), d.education.clone()),
        (f("expertise"), d.expertise.clone()),
        (f("tags"), tags.join(", ")),
        (f("enterprise"), d.enterprise.clone()),
        (
            f("status"),
            coded_label(
                &d.status,
                |c| PersonStatus::from_code(c).ok(),
                |c| c.label(lc),
            ),
        ),
        (
            f("consent"),
            coded_label(
                &d.consent,
                |c| ConsentStatus::from_code(c).ok(),
                |c| c.label(lc),
            ),
        ),
        (
            f("verification"),
            coded_label(
                &d.verification,
                |c| VerificationStatus::from_code(c).ok(),
                |c| c.label(lc),
            ),
        ),
        (f("notes"), d.notes.clone()),
        (
            f("nationalities"),
            d.nationalities
                .iter()
                .map(|c| country_label(c, lang))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (f("social"), d.social.join("; ")),
        (
            f("income_bracket"),
            people::INCOME_BRACKETS
                .iter()
                .find(|b| b.0 == d.income_bracket)
                .map_or_else(
                    || d.income_bracket.clone(),
                    |b| (if lc == "en" { b.2 } else { b.1 }).to_owned(),
                ),
        ),
        (f("remittance"), d.remittance.clone()),
        (f("associations"), d.associations.join("; ")),
    ];
    let defs = people::custom_fields(&state.app, a)
        .await
        .map_err(page_err(lang))?;
    let mut profile = profile;
    for def in &defs {
        let label = if lc == "en" {
            def.label_en.clone()
        } else {
            def.label_vi.clone()
        };
        profile.push((label, d.extra.get(&def.key).cloned().unwrap_or_default()));
    }
    let none = t.s("people.none");
    render(&ShowPage {
        relationships: options(
            domain::Relationship::ALL,
            domain::Relationship::code,
            |c| c.label(lc),
            "",
            none,
        ),
        profile,
        relatives,
        sources: sources.into_iter().map(|s| source_view(t, lc, s)).collect(),
        consents: consents
            .iter()
            .map(|c| {
                (
                    t.label("purpose", &c.purpose),
                    format!(
                        "{} · {} ({} {})",
                        t.label("consent_action", &c.action),
                        t.time(&c.at),
                        t.s("portal.consents.version"),
                        t.day(&c.text_version)
                    ),
                )
            })
            .collect(),
        history,
        views,
        can_reveal: p.masked && can(app::access::Action::PersonReveal),
        can_edit: can(app::access::Action::PersonUpdate),
        can_delete: can(app::access::Action::PersonDelete),
        can_audit,
        rel,
        rel_errors,
        p,
        l,
        t,
    })
}

/// `GET /people/{id}`: the record page (the view is audited).
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    show_page(&state, &user, id, None).await
}

/// `POST /people/{id}/reveal`: the record page with sensitive fields shown (audited).
pub async fn reveal(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<RevealForm>,
) -> Result<Response, PageError> {
    show_page(&state, &user, id, Some(&f.purpose)).await
}

/// The reveal form: why the officer needs the sensitive fields.
#[derive(Debug, Deserialize)]
pub struct RevealForm {
    #[serde(default)]
    purpose: String,
}

#[derive(Debug, Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// `POST /people/{id}/delete`: soft delete with a reason.
pub async fn delete(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, PageError> {
    people::delete(&state.app, &user.actor, id, &f.reason)
        .await
        .map_err(page_err(user.lang))?;
    Ok(Redirect::to(&format!("/people/{id}")).into_response())
}

/// `POST /people/{id}/undelete`: brings a deleted record back.
pub async fn undelete(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    people::undelete(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    Ok(Redirect::to(&format!("/people/{id}")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct RestoreForm {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    current: i64,
}

/// `POST /people/{id}/restore`: restores an earlier version as a new one.
pub async fn restore(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<RestoreForm>,
) -> Result<Response, PageError> {
    people::restore_version(&state.app, &user.actor, id, f.current, f.version)
        .await
        .map_err(page_err(user.lang))?;
    Ok(Redirect::to(&format!("/people/{id}")).into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RelativeForm {
    /// An existing household (its number); otherwise a new one from the fields below.
    #[serde(default)]
    household_id: String,
    #[serde(default)]
    head_name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    commune_code: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    relationship: String,
    #[serde(default)]
    birth_year: String,
}

/// `POST /people/{id}/relatives`: adds a relative at home, in an existing household or a new one.
pub async fn add_relative(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<RelativeForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    let mut errors = Vec::new();
    let number = |text: &str, field: &str, code: &str, errors: &mut Vec<app::FieldError>| {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let n = text.parse::<i64>().ok();
        if n.is_none() {
            errors.push(app::FieldError::new(field, code));
        }
        n
    };
    let birth_year = number(&f.birth_year, "birth_year", "invalid_year", &mut errors);
    // The picker's label ends with the household's number.
    let household_id = if f.household_id.trim().is_empty() {
        None
    } else {
        let n = app::registry::households::number_in_label(&f.household_id);
        if n.is_none() {
            errors.push(app::FieldError::new("household_id", "pick_household"));
        }
        n
    };
    let result = if errors.is_empty() {
        let input = app::registry::relatives::RelativeInput {
            household_id,
            head_name: Some(f.head_name.clone()),
            address: Some(f.address.clone()),
            commune_code: Some(f.commune_code.clone()),
            full_name: Some(f.full_name.clone()),
            relationship: Some(f.relationship.clone()),
            birth_year,
            phone: None,
            notes: None,
        };
        app::registry::relatives::add_relative(&state.app, &user.actor, id, &input).await
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/people/{id}#relatives")).into_response()),
        // What can be corrected comes back on the record, beside the form,
        // with what was typed.
        Err(AppError::Invalid(fields)) => {
            let messages = fields
                .iter()
                .map(|e| (e.field.clone(), t.s(&format!("code.{}", e.code)).to_owned()))
                .collect();
            let mut resp = show_page_with(&state, &user, id, None, f, messages).await?;
            *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(err) => Err(PageError { err, lang }),
    }
}

/// `POST /people/{id}/relatives/{relative_id}/delete`: removes a relative (audited).
pub async fn relative_delete(
    State(state): State<AppState>,
    user: User,
    Path((id, relative_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    app::registry::relatives::delete_relative(&state.app, &user.actor, id, relative_id)
        .await
        .map_err(page_err(user.lang))?;
    Ok(Redirect::to(&format!("/people/{id}#relatives")).into_response())
}

// ---------------------------------------------------------------- households

/// The household form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct HouseholdForm {
    head_name: String,
    address: String,
    commune_code: String,
    legacy_commune_code: String,
    phone: String,
    version: String,
}

impl HouseholdForm {
    fn from_household(h: &app::registry::households::Household) -> Self {
        Self {
            head_name: h.head_name.clone(),
            address: h.address.clone(),
            commune_code: h.commune_code.clone().unwrap_or_default(),
            legacy_commune_code: h.legacy_commune_code.clone().unwrap_or_default(),
            phone: h.phone.clone(),
            version: h.version.to_string(),
        }
    }

    fn to_input(&self) -> app::registry::households::HouseholdInput {
        let s = |v: &str| Some(v.to_owned());
        app::registry::households::HouseholdInput {
            head_name: s(&self.head_name),
            address: s(&self.address),
            commune_code: s(&self.commune_code),
            legacy_commune_code: s(&self.legacy_commune_code),
            phone: s(&self.phone),
            version: None,
        }
    }
}

#[derive(Template)]
#[template(path = "registry/people/household.html")]
struct HouseholdPage {
    l: Layout,
    t: Tr,
    h: app::registry::households::Household,
    commune_label: String,
    relatives: Vec<(app::registry::households::HouseholdMember, String)>,
    /// Name, label, value, error message.
    fields: Vec<(&'static str, String, String, String)>,
    version: String,
    error: String,
    can_edit: bool,
}

fn household_page(
    user: &User,
    h: app::registry::households::Household,
    f: &HouseholdForm,
    errors: &[app::FieldError],
    error: String,
) -> Result<Response, PageError> {
    let l = Layout::for_user(user);
    let t = l.t;
    let lc = user.lang.code();
    let err = |name: &str| {
        errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| t.s(&format!("code.{}", e.code)).to_owned())
            .unwrap_or_default()
    };
    let fields = vec![
        ("head_name", f.head_name.clone()),
        ("address", f.address.clone()),
        ("commune_code", f.commune_code.clone()),
        ("legacy_commune_code", f.legacy_commune_code.clone()),
        ("phone", f.phone.clone()),
    ]
    .into_iter()
    .map(|(n, v)| (n, t.s(&format!("field.{n}")).to_owned(), v, err(n)))
    .collect();
    let commune_label = h
        .commune_code
        .as_deref()
        .and_then(domain::geo::new_commune)
        .map(domain::geo::new_commune_label)
        .or_else(|| {
            h.legacy_commune_code
                .as_deref()
                .and_then(domain::geo::legacy_commune)
                .map(domain::geo::legacy_commune_label)
        })
        .unwrap_or_default();
    let relatives = h
        .relatives
        .iter()
        .map(|r| {
            let rel = domain::Relationship::from_code(&r.relationship)
                .map_or_else(|_| r.relationship.clone(), |c| c.label(lc).to_owned());
            (r.clone(), rel)
        })
        .collect();
    render(&HouseholdPage {
        can_edit: app::access::authorize(&user.actor, app::access::Action::PersonUpdate).is_ok(),
        version: f.version.clone(),
        commune_label,
        relatives,
        fields,
        error,
        h,
        l,
        t,
    })
}

/// `GET /households/{id}`: a household, its relatives and its form (the view is audited).
pub async fn household_show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let h = app::registry::households::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    let f = HouseholdForm::from_household(&h);
    household_page(&user, h, &f, &[], String::new())
}

/// `POST /households/{id}`: saves when the version is current; otherwise shows the form again.
pub async fn household_update(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<HouseholdForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    let version = f.version.trim().parse::<i64>().unwrap_or(-1);
    let result =
        app::registry::households::update(&state.app, &user.actor, id, version, &f.to_input())
            .await;
    let (errors, message, status) = match result {
        Ok(_) => return Ok(Redirect::to(&format!("/households/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => (
            errors,
            t.s("error.invalid").to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(AppError::PreconditionFailed { .. }) => (
            Vec::new(),
            t.s("error.conflict").to_owned(),
            StatusCode::CONFLICT,
        ),
        Err(err) => return Err(PageError { err, lang }),
    };
    let h = app::registry::households::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(lang))?;
    let mut f = f;
    if status == StatusCode::CONFLICT {
        // The stored values, with the new version: the user re-applies the change.
        f = HouseholdForm::from_household(&h);
    }
    let mut resp = household_page(&user, h, &f, &errors, message)?;
    *resp.status_mut() = status;
    Ok(resp)
}
