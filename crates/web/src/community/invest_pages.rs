//! Investment pages (issue 22 §2–§3): `/investment` (projects with their
//! filters), project and enterprise records and forms, contributions with
//! their thank-you letter, the report with its xlsx export, a person's
//! remittances, the public catalogue (`/dau-tu`, `/en/investment`) and the
//! portal page where a person abroad records interest. Each handler calls
//! `app::community::{projects, enterprises, contributions,
//! investment_reports}`, which check role and reach.

use std::fmt::Write as _;

use app::AppError;
use app::community::contributions::{self, Contribution, ContributionInput, RemittanceInput};
use app::community::enterprises::{self, Enterprise, EnterpriseInput};
use app::community::investment::VersionRow;
use app::community::investment_reports::{self, ContributionLine, Labels, ProjectLine};
use app::community::projects::{self, Project, ProjectInput, StatusInput};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::error::PageError;
use crate::extract::{PortalUser, User};
use crate::i18n::{Lang, Tr};
use crate::pages::{DOCX, Layout, XLSX, attachment, page_err, render};

// ---------------------------------------------------------------- words

fn en(t: Tr) -> bool {
    t.lang == Lang::En
}

fn country_name(code: &str, t: Tr) -> String {
    domain::geo::country(code).map_or_else(
        || code.to_owned(),
        |c| {
            if en(t) {
                c.name_en.to_owned()
            } else {
                c.name_vi.to_owned()
            }
        },
    )
}

fn sector_name(code: &str, t: Tr) -> String {
    domain::sectors::name(code, en(t)).map_or_else(|| code.to_owned(), str::to_owned)
}

/// The new commune with the old ones it was made of: "Xã Lộc Hà (trước
/// 1/7/2025: Xã Thạch Kim (cũ), Xã Thạch Châu (cũ))".
fn commune_words(code: &str, t: Tr) -> String {
    let Some(c) = domain::geo::new_commune(code) else {
        return code.to_owned();
    };
    let r = domain::geo::CommuneRef::New(c);
    let before = domain::geo::pick::commune_history(r, en(t));
    if before.is_empty() {
        c.name.to_owned()
    } else {
        format!("{} ({}: {before})", c.name, t.s("invest.formerly"))
    }
}

/// The commune as a picker offers it (what the form shows back).
fn commune_choice(code: &str, t: Tr) -> String {
    domain::geo::new_commune(code).map_or_else(
        || code.to_owned(),
        |c| domain::geo::pick::commune_choice(domain::geo::CommuneRef::New(c), en(t)),
    )
}

/// An amount with its currency: "12.500,00 USD", "1.250.000 đồng".
fn money(minor: i64, code: &str, t: Tr) -> String {
    let Some(c) = domain::money::currency(code) else {
        return String::new();
    };
    let unit = if code == "VND" {
        t.s("invest.dong").to_owned()
    } else {
        code.to_owned()
    };
    format!("{} {unit}", domain::money::format_minor(minor, c, en(t)))
}

fn vnd(v: i64, t: Tr) -> String {
    money(v, "VND", t)
}

/// The amount in a form's writing, without the unit.
fn amount_text(minor: i64, code: &str, t: Tr) -> String {
    domain::money::currency(code)
        .map(|c| domain::money::format_minor(minor, c, en(t)))
        .unwrap_or_default()
}

fn day(d: &str) -> String {
    if d.is_empty() {
        String::new()
    } else {
        domain::dates::show(d)
    }
}

fn error_lines(t: Tr, errors: &[app::FieldError]) -> Vec<String> {
    errors
        .iter()
        .map(|e| format!("{}: {}", t.field(&e.field), code_words(t, &e.code)))
        .collect()
}

fn code_words(t: Tr, code: &str) -> String {
    t.get(&format!("code.{code}")).unwrap_or(code).to_owned()
}

fn options(
    t: Tr,
    codes: &[&str],
    selected: &str,
    label: impl Fn(&str) -> String,
    empty: bool,
) -> Vec<(String, String, bool)> {
    let mut v = Vec::new();
    if empty {
        v.push((
            String::new(),
            t.s("invest.any").to_owned(),
            selected.is_empty(),
        ));
    }
    v.extend(
        codes
            .iter()
            .map(|c| ((*c).to_owned(), label(c), *c == selected)),
    );
    v
}

fn sector_options(t: Tr, selected: &str, empty: bool) -> Vec<(String, String, bool)> {
    let codes: Vec<&str> = domain::sectors::SECTORS.iter().map(|s| s.code).collect();
    options(
        t,
        &codes,
        selected,
        |c| {
            let name = sector_name(c, t);
            if c.len() == 2 {
                format!("— {name}")
            } else {
                name
            }
        },
        empty,
    )
}

fn currency_options(selected: &str) -> Vec<(String, String, bool)> {
    domain::money::CURRENCIES
        .iter()
        .map(|c| (c.code.to_owned(), c.code.to_owned(), c.code == selected))
        .collect()
}

/// Record numbers at the end of picked values, `;`-separated ("Nguyễn Văn An · #12; #15").
fn refs(text: &str) -> Vec<i64> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.rsplit_once('#')
                .map_or(s, |(_, n)| n)
                .trim()
                .parse()
                .unwrap_or(-1)
        })
        .collect()
}

fn one_ref(text: &str) -> Option<i64> {
    refs(text).first().copied()
}

// ---------------------------------------------------------------- views

/// A cell of a table: text, and a link when it opens a record.
pub struct Cell {
    text: String,
    href: String,
    num: bool,
}

fn cell(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        href: String::new(),
        num: false,
    }
}

fn link(text: impl Into<String>, href: String) -> Cell {
    Cell {
        text: text.into(),
        href,
        num: false,
    }
}

fn num(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        href: String::new(),
        num: true,
    }
}

/// A table of a page.
pub struct TableView {
    title: String,
    anchor: &'static str,
    heads: Vec<String>,
    rows: Vec<Vec<Cell>>,
    empty: String,
}

/// One field of a form or a filter.
pub struct FieldView {
    name: &'static str,
    label: String,
    value: String,
    error: String,
    /// `text`, `select`, `textarea`, `check` or `pick` (a datalist filled from `pick_url`).
    kind: &'static str,
    options: Vec<(String, String, bool)>,
    hint: String,
    pick_url: &'static str,
}

fn field(t: Tr, name: &'static str, value: &str) -> FieldView {
    FieldView {
        name,
        label: t.field(name),
        value: value.to_owned(),
        error: String::new(),
        kind: "text",
        options: Vec::new(),
        hint: String::new(),
        pick_url: "",
    }
}

fn select(t: Tr, name: &'static str, options: Vec<(String, String, bool)>) -> FieldView {
    FieldView {
        kind: "select",
        options,
        ..field(t, name, "")
    }
}

fn pick(t: Tr, name: &'static str, value: &str, url: &'static str, hint: &str) -> FieldView {
    FieldView {
        kind: "pick",
        pick_url: url,
        hint: hint.to_owned(),
        ..field(t, name, value)
    }
}

fn with_errors(mut fields: Vec<FieldView>, t: Tr, errors: &[app::FieldError]) -> Vec<FieldView> {
    for f in &mut fields {
        if let Some(e) = errors.iter().find(|e| {
            e.field == f.name
                || (f.name == "owners" && e.field == "owner_ids")
                || (f.name == "investor_people" && e.field == "investor_person_ids")
                || (f.name == "investor_enterprises" && e.field == "investor_enterprise_ids")
                || (f.name == "donor" && e.field.starts_with("donor_") && e.field != "donor_kind")
        }) {
            f.error = code_words(t, &e.code);
        }
    }
    fields
}

/// The tabs of the investment pages.
fn tabs(t: Tr, here: &str, actor: &app::Actor) -> Vec<(String, &'static str, bool)> {
    let mut v = vec![
        (
            t.s("invest.tab.projects").to_owned(),
            "/investment",
            here == "projects",
        ),
        (
            t.s("invest.tab.enterprises").to_owned(),
            "/investment/enterprises",
            here == "enterprises",
        ),
    ];
    if contributions::may_read(actor) {
        v.push((
            t.s("invest.tab.contributions").to_owned(),
            "/investment/contributions",
            here == "contributions",
        ));
    }
    v.push((
        t.s("invest.tab.report").to_owned(),
        "/investment/report",
        here == "report",
    ));
    v
}

#[derive(Template)]
#[template(path = "community/invest/list.html")]
struct ListPage {
    l: Layout,
    t: Tr,
    heading: String,
    tabs: Vec<(String, &'static str, bool)>,
    action: &'static str,
    filters: Vec<FieldView>,
    new_url: String,
    new_label: String,
    errors: Vec<String>,
    total: usize,
    table: Vec<TableView>,
    extra: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "community/invest/record.html")]
struct RecordPage {
    l: Layout,
    t: Tr,
    heading: String,
    subheading: String,
    tabs: Vec<(String, &'static str, bool)>,
    actions: Vec<(String, String)>,
    profile: Vec<(String, String)>,
    tables: Vec<TableView>,
    status_form: Option<StatusForm>,
    refusal: Vec<String>,
    history: HistoryView,
}

/// The form moving a project along its pipeline.
pub struct StatusForm {
    action: String,
    version: i64,
    options: Vec<(String, String, bool)>,
    changed_on: String,
    note: String,
}

#[derive(Template)]
#[template(path = "community/invest/form.html")]
struct FormPage {
    l: Layout,
    t: Tr,
    heading: String,
    action: String,
    cancel: String,
    fields: Vec<FieldView>,
    version: String,
    error: String,
}

/// One row of a record's history, with its restore button.
pub struct HistoryLine {
    when: String,
    who: String,
    what: String,
    restore: Option<super::restore::Button>,
}

/// A record's history: its rows, and whether they have restore buttons.
pub struct HistoryView {
    lines: Vec<HistoryLine>,
    may_restore: bool,
}

fn history_view(
    t: Tr,
    rows: Vec<VersionRow>,
    kind: super::restore::Kind,
    id: i64,
    current: i64,
    may: bool,
) -> HistoryView {
    let buttons = super::restore::buttons(
        kind,
        id,
        current,
        may,
        &rows.iter().map(|v| v.version).collect::<Vec<_>>(),
    );
    HistoryView {
        lines: rows
            .into_iter()
            .zip(buttons)
            .map(|(v, restore)| HistoryLine {
                when: t.time(&v.changed_at),
                who: v.actor,
                what: history_words(t, &v.summary),
                restore,
            })
            .collect(),
        may_restore: may,
    }
}

/// A version's summary in words ("status: licensed" → "Chuyển trạng thái: Đã cấp phép").
fn history_words(t: Tr, s: &str) -> String {
    if s == "created" {
        return t.s("invest.history.created").to_owned();
    }
    if let Some(w) = super::restore::restored_words(t, s) {
        return w;
    }
    if let Some(fields) = s.strip_prefix("updated: ") {
        let names: Vec<String> = fields.split(", ").map(|f| t.field(f)).collect();
        return format!("{}: {}", t.s("invest.history.updated"), names.join(", "));
    }
    if let Some(st) = s.strip_prefix("status: ") {
        return format!(
            "{}: {}",
            t.s("invest.history.status"),
            t.label("project_status", st)
        );
    }
    s.to_owned()
}

fn forbidden(lang: Lang) -> PageError {
    PageError {
        err: AppError::Forbidden,
        lang,
    }
}

/// A form page shown again with its errors (422) or a stale version (409).
fn refused(result: Result<Response, PageError>, status: StatusCode) -> Result<Response, PageError> {
    let mut resp = result?;
    *resp.status_mut() = status;
    Ok(resp)
}

fn form_page(
    user: &User,
    heading: String,
    action: String,
    cancel: String,
    fields: Vec<FieldView>,
    version: String,
    error: String,
) -> Result<Response, PageError> {
    let l = Layout::for_user(user);
    let t = l.t;
    render(&FormPage {
        l,
        t,
        heading,
        action,
        cancel,
        fields,
        version,
        error,
    })
}

/// What an update's failure means on a form page: its errors, message and status.
fn form_failure(
    t: Tr,
    err: AppError,
    lang: Lang,
) -> Result<(Vec<app::FieldError>, String, StatusCode), PageError> {
    match err {
        AppError::Invalid(errors) => Ok((
            errors,
            t.s("error.invalid").to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        AppError::PreconditionFailed { .. } => Ok((
            Vec::new(),
            t.s("invest.stale").to_owned(),
            StatusCode::CONFLICT,
        )),
        err => Err(PageError { err, lang }),
    }
}

// ---------------------------------------------------------------- projects

/// The projects list's query, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProjectQuery {
    q: String,
    status: String,
    sector: String,
    commune: String,
}

/// `GET /investment`: the projects within reach, filtered.
pub async fn projects_list(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<ProjectQuery>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let l = Layout::for_user(&user);
    let t = l.t;
    let filter = projects::ListFilter {
        q: f.q.clone(),
        status: f.status.clone(),
        sector: f.sector.clone(),
        commune: f.commune.clone(),
        catalogue: false,
    };
    let (rows, errors, status) = match projects::list(&state.app, &user.actor, &filter).await {
        Ok(rows) => (rows, Vec::new(), StatusCode::OK),
        Err(AppError::Invalid(errs)) => (
            Vec::new(),
            error_lines(t, &errs),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(err) => return Err(PageError { err, lang }),
    };
    let total = rows.len();
    let reg: i64 = rows.iter().map(|r| r.registered_vnd).sum();
    let real: i64 = rows.iter().map(|r| r.realised_vnd).sum();
    let table = TableView {
        title: String::new(),
        anchor: "projects",
        heads: vec![
            t.field("name"),
            t.field("sector"),
            t.field("commune"),
            t.field("registered_capital"),
            t.field("status"),
        ],
        rows: rows
            .into_iter()
            .map(|r| {
                let mut name = r.name.clone();
                if r.in_catalogue {
                    let _ = write!(name, " ({})", t.s("invest.in_catalogue_short"));
                }
                vec![
                    link(name, format!("/investment/projects/{}", r.id)),
                    cell(sector_name(&r.sector, t)),
                    cell(commune_words(&r.commune_code, t)),
                    num(money(r.registered_capital, &r.currency, t)),
                    cell(format!(
                        "{} ({})",
                        t.label("project_status", &r.status),
                        day(&r.status_on)
                    )),
                ]
            })
            .collect(),
        empty: t.s("invest.none").to_owned(),
    };
    let filters = vec![
        FieldView {
            label: t.s("invest.search").to_owned(),
            ..field(t, "q", &f.q)
        },
        select(
            t,
            "status",
            options(
                t,
                projects::STATUSES,
                f.status.trim(),
                |c| t.label("project_status", c),
                true,
            ),
        ),
        select(t, "sector", sector_options(t, f.sector.trim(), true)),
        pick(t, "commune", &f.commune, "/people/pick/communes", ""),
    ];
    let mut resp = render(&ListPage {
        heading: t.s("invest.projects").to_owned(),
        tabs: tabs(t, "projects", &user.actor),
        action: "/investment",
        filters,
        new_url: if projects::may_edit(&user.actor) {
            "/investment/projects/new".to_owned()
        } else {
            String::new()
        },
        new_label: t.s("invest.new_project").to_owned(),
        errors,
        total,
        table: vec![table],
        extra: vec![
            (t.s("invest.total_registered").to_owned(), vnd(reg, t)),
            (t.s("invest.total_realised").to_owned(), vnd(real, t)),
        ],
        l,
        t,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

async fn project_page(
    state: &AppState,
    user: &User,
    p: Project,
    refusal: Vec<String>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let l = Layout::for_user(user);
    let t = l.t;
    let history = projects::history(&state.app, &user.actor, p.id)
        .await
        .map_err(page_err(lang))?;
    let rate = if p.currency == "VND" {
        String::new()
    } else {
        format!("1 {} = {}", p.currency, vnd_rate_words(&p.rate_to_vnd, t))
    };
    let mut profile = vec![
        (t.field("name_en"), p.name_en.clone()),
        (t.field("sector"), sector_name(&p.sector, t)),
        (t.field("commune"), commune_words(&p.commune_code, t)),
        (
            t.field("registered_capital"),
            format!(
                "{}{}",
                money(p.registered_capital, &p.currency, t),
                if p.currency == "VND" {
                    String::new()
                } else {
                    format!(" ≈ {}", vnd(p.registered_vnd, t))
                }
            ),
        ),
        (
            t.field("realised_capital"),
            format!(
                "{}{}",
                money(p.realised_capital, &p.currency, t),
                if p.currency == "VND" {
                    String::new()
                } else {
                    format!(" ≈ {}", vnd(p.realised_vnd, t))
                }
            ),
        ),
        (t.field("rate_to_vnd"), rate),
        (t.field("licence_no"), p.licence_no.clone()),
        (
            t.field("licence_date"),
            p.licence_date.as_deref().map(day).unwrap_or_default(),
        ),
        (
            t.field("status"),
            format!(
                "{} ({} {})",
                t.label("project_status", &p.status),
                t.s("invest.since"),
                day(&p.status_on)
            ),
        ),
        (
            t.field("in_catalogue"),
            if p.in_catalogue {
                t.s("invest.yes").to_owned()
            } else {
                t.s("invest.no").to_owned()
            },
        ),
        (t.field("summary"), p.summary.clone()),
        (t.field("summary_en"), p.summary_en.clone()),
    ];
    if p.in_catalogue {
        profile.push((t.s("invest.interests").to_owned(), p.interests.to_string()));
    }
    let investors = TableView {
        title: t.s("invest.investors").to_owned(),
        anchor: "investors",
        heads: vec![
            t.field("name"),
            t.s("invest.investor_kind").to_owned(),
            t.field("country"),
        ],
        rows: p
            .investors
            .iter()
            .map(|i| {
                let name = if i.name.is_empty() {
                    t.s("invest.hidden_person").to_owned()
                } else {
                    i.name.clone()
                };
                let href = match (i.kind.as_str(), i.visible) {
                    ("person", true) => format!("/people/{}", i.id),
                    ("enterprise", true) => format!("/investment/enterprises/{}", i.id),
                    _ => String::new(),
                };
                vec![
                    link(name, href),
                    cell(t.label("investor_kind", &i.kind)),
                    cell(country_name(&i.country, t)),
                ]
            })
            .collect(),
        empty: t.s("invest.no_investors").to_owned(),
    };
    let statuses = TableView {
        title: t.s("invest.status_history").to_owned(),
        anchor: "status",
        heads: vec![
            t.field("changed_on"),
            t.field("status"),
            t.field("note"),
            t.s("invest.who").to_owned(),
        ],
        rows: p
            .status_changes
            .iter()
            .map(|s| {
                vec![
                    cell(day(&s.changed_on)),
                    cell(t.label("project_status", &s.status)),
                    cell(s.note.clone()),
                    cell(s.actor.clone()),
                ]
            })
            .collect(),
        empty: String::new(),
    };
    let editable = projects::may_edit_project(&user.actor, &p);
    let next = projects::next_statuses(&p.status);
    let status_form = (editable && !next.is_empty()).then(|| StatusForm {
        action: format!("/investment/projects/{}/status", p.id),
        version: p.version,
        options: options(t, next, "", |c| t.label("project_status", c), false),
        changed_on: String::new(),
        note: String::new(),
    });
    let mut actions = Vec::new();
    if editable {
        actions.push((
            t.s("invest.edit").to_owned(),
            format!("/investment/projects/{}/edit", p.id),
        ));
    }
    render(&RecordPage {
        heading: p.name.clone(),
        subheading: t.s("invest.project").to_owned(),
        tabs: tabs(t, "projects", &user.actor),
        actions,
        profile,
        tables: vec![investors, statuses],
        status_form,
        refusal,
        history: history_view(
            t,
            history,
            super::restore::Kind::Project,
            p.id,
            p.version,
            editable,
        ),
        l,
        t,
    })
}

fn vnd_rate_words(rate: &str, t: Tr) -> String {
    let r = domain::money::parse_rate(rate).unwrap_or(domain::money::Rate::ONE);
    // The rate as a number in the page's writing.
    let text = r.to_text();
    let (w, f) = text.split_once('.').unwrap_or((&text, ""));
    let whole: i64 = w.parse().unwrap_or_default();
    let mut out = amount_text(whole, "VND", t);
    if !f.is_empty() {
        out.push(if en(t) { '.' } else { ',' });
        out.push_str(f);
    }
    format!("{out} {}", t.s("invest.dong"))
}

/// `GET /investment/projects/{id}`: the record (the view is audited).
pub async fn project_show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let p = projects::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    project_page(&state, &user, p, Vec::new()).await
}

/// The status form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StatusFormData {
    status: String,
    changed_on: String,
    note: String,
    version: String,
}

/// `POST /investment/projects/{id}/status`: moves the project on a day.
pub async fn project_status(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<StatusFormData>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    let input = StatusInput {
        status: Some(f.status),
        changed_on: Some(f.changed_on),
        note: Some(f.note),
    };
    let version = f.version.trim().parse().unwrap_or(-1);
    let (lines, status) =
        match projects::change_status(&state.app, &user.actor, id, version, &input).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/investment/projects/{id}#status")).into_response()
                );
            }
            Err(AppError::Invalid(errs)) => {
                (error_lines(t, &errs), StatusCode::UNPROCESSABLE_ENTITY)
            }
            Err(AppError::PreconditionFailed { .. }) => {
                (vec![t.s("invest.stale").to_owned()], StatusCode::CONFLICT)
            }
            Err(err) => return Err(PageError { err, lang }),
        };
    let p = projects::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(lang))?;
    refused(project_page(&state, &user, p, lines).await, status)
}

/// The project form, every value as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProjectForm {
    name: String,
    name_en: String,
    summary: String,
    summary_en: String,
    sector: String,
    commune: String,
    registered_capital: String,
    realised_capital: String,
    currency: String,
    rate_to_vnd: String,
    licence_no: String,
    licence_date: String,
    in_catalogue: String,
    investor_people: String,
    investor_enterprises: String,
    version: String,
}

impl ProjectForm {
    fn from_project(p: &Project, t: Tr) -> Self {
        let people: Vec<String> = p
            .investors
            .iter()
            .filter(|i| i.kind == "person" && i.visible)
            .map(|i| format!("{} · #{}", i.name, i.id))
            .collect();
        let firms: Vec<String> = p
            .investors
            .iter()
            .filter(|i| i.kind == "enterprise")
            .map(|i| format!("{} · #{}", i.name, i.id))
            .collect();
        Self {
            name: p.name.clone(),
            name_en: p.name_en.clone(),
            summary: p.summary.clone(),
            summary_en: p.summary_en.clone(),
            sector: p.sector.clone(),
            commune: commune_choice(&p.commune_code, t),
            registered_capital: amount_text(p.registered_capital, &p.currency, t),
            realised_capital: amount_text(p.realised_capital, &p.currency, t),
            currency: p.currency.clone(),
            rate_to_vnd: if p.currency == "VND" {
                String::new()
            } else {
                p.rate_to_vnd.clone()
            },
            licence_no: p.licence_no.clone(),
            licence_date: p.licence_date.as_deref().map(day).unwrap_or_default(),
            in_catalogue: if p.in_catalogue {
                "1".into()
            } else {
                String::new()
            },
            investor_people: people.join("; "),
            investor_enterprises: firms.join("; "),
            version: p.version.to_string(),
        }
    }

    fn to_input(&self) -> ProjectInput {
        let s = |v: &str| Some(v.to_owned());
        ProjectInput {
            name: s(&self.name),
            name_en: s(&self.name_en),
            summary: s(&self.summary),
            summary_en: s(&self.summary_en),
            sector: s(&self.sector),
            commune: s(&self.commune),
            registered_capital: None,
            realised_capital: None,
            currency: s(&self.currency),
            rate_to_vnd: s(&self.rate_to_vnd),
            licence_no: s(&self.licence_no),
            licence_date: s(&self.licence_date),
            in_catalogue: Some(!self.in_catalogue.is_empty()),
            investor_person_ids: Some(refs(&self.investor_people)),
            investor_enterprise_ids: Some(refs(&self.investor_enterprises)),
            registered_text: s(&self.registered_capital),
            realised_text: s(&self.realised_capital),
        }
    }

    fn fields(&self, t: Tr, errors: &[app::FieldError]) -> Vec<FieldView> {
        let currency = if self.currency.is_empty() {
            "VND"
        } else {
            self.currency.as_str()
        };
        let fields = vec![
            field(t, "name", &self.name),
            field(t, "name_en", &self.name_en),
            select(t, "sector", sector_options(t, &self.sector, false)),
            pick(
                t,
                "commune",
                &self.commune,
                "/people/pick/communes",
                t.s("invest.commune_hint"),
            ),
            select(t, "currency", currency_options(currency)),
            FieldView {
                hint: t.s("invest.amount_hint").to_owned(),
                ..field(t, "registered_capital", &self.registered_capital)
            },
            FieldView {
                hint: t.s("invest.amount_hint").to_owned(),
                ..field(t, "realised_capital", &self.realised_capital)
            },
            FieldView {
                hint: t.s("invest.rate_hint").to_owned(),
                ..field(t, "rate_to_vnd", &self.rate_to_vnd)
            },
            field(t, "licence_no", &self.licence_no),
            FieldView {
                hint: t.s("invest.day_hint").to_owned(),
                ..field(t, "licence_date", &self.licence_date)
            },
            pick(
                t,
                "investor_people",
                &self.investor_people,
                "/associations/pick/people",
                t.s("invest.many_hint"),
            ),
            pick(
                t,
                "investor_enterprises",
                &self.investor_enterprises,
                "/investment/pick/enterprises",
                t.s("invest.many_hint"),
            ),
            FieldView {
                kind: "check",
                ..field(t, "in_catalogue", &self.in_catalogue)
            },
            FieldView {
                kind: "textarea",
                ..field(t, "summary", &self.summary)
            },
            FieldView {
                kind: "textarea",
                ..field(t, "summary_en", &self.summary_en)
            },
        ];
        with_errors(fields, t, errors)
    }
}

fn project_form(
    user: &User,
    id: Option<i64>,
    f: &ProjectForm,
    errors: &[app::FieldError],
    error: String,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let (heading, action, cancel) = match id {
        Some(id) => (
            t.s("invest.edit_project").to_owned(),
            format!("/investment/projects/{id}"),
            format!("/investment/projects/{id}"),
        ),
        None => (
            t.s("invest.new_project").to_owned(),
            "/investment/projects".to_owned(),
            "/investment".to_owned(),
        ),
    };
    form_page(
        user,
        heading,
        action,
        cancel,
        f.fields(t, errors),
        f.version.clone(),
        error,
    )
}

/// `GET /investment/projects/new`: the empty form.
pub async fn project_new(user: User) -> Result<Response, PageError> {
    if !projects::may_edit(&user.actor) {
        return Err(forbidden(user.lang));
    }
    project_form(&user, None, &ProjectForm::default(), &[], String::new())
}

/// `POST /investment/projects`: records the project, or shows the form again.
pub async fn project_create(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<ProjectForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    match projects::create(&state.app, &user.actor, &f.to_input()).await {
        Ok(p) => Ok(Redirect::to(&format!("/investment/projects/{}", p.id)).into_response()),
        Err(err) => {
            let (errors, message, status) = form_failure(t, err, lang)?;
            refused(project_form(&user, None, &f, &errors, message), status)
        }
    }
}

/// `GET /investment/projects/{id}/edit`: the form with the stored values.
pub async fn project_edit(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let p = projects::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(lang))?;
    if !projects::may_edit_project(&user.actor, &p) {
        return Err(forbidden(lang));
    }
    project_form(
        &user,
        Some(id),
        &ProjectForm::from_project(&p, Tr::new(lang)),
        &[],
        String::new(),
    )
}

/// `POST /investment/projects/{id}`: saves when the version is current.
pub async fn project_update(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<ProjectForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    let version = f.version.trim().parse::<i64>().unwrap_or(-1);
    match projects::update(&state.app, &user.actor, id, version, &f.to_input()).await {
        Ok(_) => Ok(Redirect::to(&format!("/investment/projects/{id}")).into_response()),
        Err(err) => {
            let (errors, message, status) = form_failure(t, err, lang)?;
            let mut f = f;
            if status == StatusCode::CONFLICT {
                let p = projects::get(&state.app, &user.actor, id)
                    .await
                    .map_err(page_err(lang))?;
                f = ProjectForm::from_project(&p, t);
            }
            refused(project_form(&user, Some(id), &f, &errors, message), status)
        }
    }
}

// ---------------------------------------------------------------- enterprises

/// The enterprises list's query, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EnterpriseQuery {
    q: String,
    country: String,
    sector: String,
}

/// `GET /investment/enterprises`: the enterprises within reach.
pub async fn enterprises_list(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<EnterpriseQuery>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let l = Layout::for_user(&user);
    let t = l.t;
    let filter = enterprises::ListFilter {
        q: f.q.clone(),
        country: f.country.clone(),
        sector: f.sector.clone(),
    };
    let (rows, errors, status) = match enterprises::list(&state.app, &user.actor, &filter).await {
        Ok(rows) => (rows, Vec::new(), StatusCode::OK),
        Err(AppError::Invalid(errs)) => (
            Vec::new(),
            error_lines(t, &errs),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(err) => return Err(PageError { err, lang }),
    };
    let total = rows.len();
    let table = TableView {
        title: String::new(),
        anchor: "enterprises",
        heads: vec![
            t.field("name"),
            t.field("registration_no"),
            t.field("sector"),
            t.field("parent_country"),
            t.s("invest.projects_count").to_owned(),
        ],
        rows: rows
            .into_iter()
            .map(|r| {
                vec![
                    link(r.name, format!("/investment/enterprises/{}", r.id)),
                    cell(r.registration_no),
                    cell(sector_name(&r.sector, t)),
                    cell(country_name(&r.parent_country, t)),
                    num(r.projects.to_string()),
                ]
            })
            .collect(),
        empty: t.s("invest.none").to_owned(),
    };
    let filters = vec![
        FieldView {
            label: t.s("invest.search").to_owned(),
            ..field(t, "q", &f.q)
        },
        pick(t, "country", &f.country, "/people/pick/countries", ""),
        select(t, "sector", sector_options(t, f.sector.trim(), true)),
    ];
    let mut resp = render(&ListPage {
        heading: t.s("invest.enterprises").to_owned(),
        tabs: tabs(t, "enterprises", &user.actor),
        action: "/investment/enterprises",
        filters,
        new_url: if enterprises::may_edit(&user.actor) {
            "/investment/enterprises/new".to_owned()
        } else {
            String::new()
        },
        new_label: t.s("invest.new_enterprise").to_owned(),
        errors,
        total,
        table: vec![table],
        extra: Vec::new(),
        l,
        t,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// `GET /investment/enterprises/{id}`: the record (the view is audited).
pub async fn enterprise_show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let e = enterprises::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(lang))?;
    let history = enterprises::history(&state.app, &user.actor, id)
        .await
        .map_err(page_err(lang))?;
    let invested = projects::of_enterprise(&state.app, &user.actor, id)
        .await
        .map_err(page_err(lang))?;
    let l = Layout::for_user(&user);
    let t = l.t;
    let project_rows: Vec<Vec<Cell>> = invested
        .into_iter()
        .map(|r| {
            vec![
                link(r.name, format!("/investment/projects/{}", r.id)),
                cell(t.label("project_status", &r.status)),
                num(money(r.registered_capital, &r.currency, t)),
            ]
        })
        .collect();
    let owners = TableView {
        title: t.s("invest.owners").to_owned(),
        anchor: "owners",
        heads: vec![t.field("name")],
        rows: e
            .owners
            .iter()
            .map(|o| {
                if o.person_visible {
                    vec![link(
                        o.full_name.clone(),
                        format!("/people/{}", o.person_id),
                    )]
                } else {
                    vec![cell(t.s("invest.hidden_person"))]
                }
            })
            .collect(),
        empty: t.s("invest.no_owners").to_owned(),
    };
    let projects_table = TableView {
        title: t.s("invest.projects").to_owned(),
        anchor: "projects",
        heads: vec![
            t.field("name"),
            t.field("status"),
            t.field("registered_capital"),
        ],
        rows: project_rows,
        empty: t.s("invest.none").to_owned(),
    };
    let mut actions = Vec::new();
    if enterprises::may_edit(&user.actor) {
        actions.push((
            t.s("invest.edit").to_owned(),
            format!("/investment/enterprises/{id}/edit"),
        ));
    }
    render(&RecordPage {
        heading: e.name.clone(),
        subheading: t.s("invest.enterprise").to_owned(),
        tabs: tabs(t, "enterprises", &user.actor),
        actions,
        profile: vec![
            (t.field("name_en"), e.name_en.clone()),
            (t.field("registration_no"), e.registration_no.clone()),
            (t.field("sector"), sector_name(&e.sector, t)),
            (t.field("address"), e.address.clone()),
            (
                t.field("parent_country"),
                country_name(&e.parent_country, t),
            ),
            (t.field("notes"), e.notes.clone()),
        ],
        tables: vec![owners, projects_table],
        status_form: None,
        refusal: Vec::new(),
        history: history_view(
            t,
            history,
            super::restore::Kind::Enterprise,
            e.id,
            e.version,
            enterprises::may_edit(&user.actor),
        ),
        l,
        t,
    })
}

/// The enterprise form, every value as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EnterpriseForm {
    name: String,
    name_en: String,
    registration_no: String,
    sector: String,
    address: String,
    parent_country: String,
    notes: String,
    owners: String,
    version: String,
}

impl EnterpriseForm {
    fn from_enterprise(e: &Enterprise, t: Tr) -> Self {
        Self {
            name: e.name.clone(),
            name_en: e.name_en.clone(),
            registration_no: e.registration_no.clone(),
            sector: e.sector.clone(),
            address: e.address.clone(),
            parent_country: country_name(&e.parent_country, t),
            notes: e.notes.clone(),
            owners: e
                .owners
                .iter()
                .filter(|o| o.person_visible)
                .map(|o| format!("{} · #{}", o.full_name, o.person_id))
                .collect::<Vec<_>>()
                .join("; "),
            version: e.version.to_string(),
        }
    }

    fn to_input(&self) -> EnterpriseInput {
        let s = |v: &str| Some(v.to_owned());
        EnterpriseInput {
            name: s(&self.name),
            name_en: s(&self.name_en),
            registration_no: s(&self.registration_no),
            sector: s(&self.sector),
            address: s(&self.address),
            parent_country: s(&self.parent_country),
            notes: s(&self.notes),
            owner_ids: Some(refs(&self.owners)),
        }
    }

    fn fields(&self, t: Tr, errors: &[app::FieldError]) -> Vec<FieldView> {
        let fields = vec![
            field(t, "name", &self.name),
            field(t, "name_en", &self.name_en),
            field(t, "registration_no", &self.registration_no),
            select(t, "sector", sector_options(t, &self.sector, false)),
            field(t, "address", &self.address),
            pick(
                t,
                "parent_country",
                &self.parent_country,
                "/people/pick/countries",
                "",
            ),
            pick(
                t,
                "owners",
                &self.owners,
                "/associations/pick/people",
                t.s("invest.many_hint"),
            ),
            FieldView {
                kind: "textarea",
                ..field(t, "notes", &self.notes)
            },
        ];
        with_errors(fields, t, errors)
    }
}

fn enterprise_form(
    user: &User,
    id: Option<i64>,
    f: &EnterpriseForm,
    errors: &[app::FieldError],
    error: String,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let (heading, action, cancel) = match id {
        Some(id) => (
            t.s("invest.edit_enterprise").to_owned(),
            format!("/investment/enterprises/{id}"),
            format!("/investment/enterprises/{id}"),
        ),
        None => (
            t.s("invest.new_enterprise").to_owned(),
            "/investment/enterprises".to_owned(),
            "/investment/enterprises".to_owned(),
        ),
    };
    form_page(
        user,
        heading,
        action,
        cancel,
        f.fields(t, errors),
        f.version.clone(),
        error,
    )
}

/// `GET /investment/enterprises/new`: the empty form.
pub async fn enterprise_new(user: User) -> Result<Response, PageError> {
    if !enterprises::may_edit(&user.actor) {
        return Err(forbidden(user.lang));
    }
    enterprise_form(&user, None, &EnterpriseForm::default(), &[], String::new())
}

/// `POST /investment/enterprises`: records the enterprise, or shows the form again.
pub async fn enterprise_create(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<EnterpriseForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    match enterprises::create(&state.app, &user.actor, &f.to_input()).await {
        Ok(e) => Ok(Redirect::to(&format!("/investment/enterprises/{}", e.id)).into_response()),
        Err(err) => {
            let (errors, message, status) = form_failure(t, err, lang)?;
            refused(enterprise_form(&user, None, &f, &errors, message), status)
        }
    }
}

/// `GET /investment/enterprises/{id}/edit`: the form with the stored values.
pub async fn enterprise_edit(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let e = enterprises::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(lang))?;
    if !enterprises::may_edit(&user.actor) {
        return Err(forbidden(lang));
    }
    enterprise_form(
        &user,
        Some(id),
        &EnterpriseForm::from_enterprise(&e, Tr::new(lang)),
        &[],
        String::new(),
    )
}

/// `POST /investment/enterprises/{id}`: saves when the version is current.
pub async fn enterprise_update(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<EnterpriseForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    let version = f.version.trim().parse::<i64>().unwrap_or(-1);
    match enterprises::update(&state.app, &user.actor, id, version, &f.to_input()).await {
        Ok(_) => Ok(Redirect::to(&format!("/investment/enterprises/{id}")).into_response()),
        Err(err) => {
            let (errors, message, status) = form_failure(t, err, lang)?;
            let mut f = f;
            if status == StatusCode::CONFLICT {
                let e = enterprises::get(&state.app, &user.actor, id)
                    .await
                    .map_err(page_err(lang))?;
                f = EnterpriseForm::from_enterprise(&e, t);
            }
            refused(
                enterprise_form(&user, Some(id), &f, &errors, message),
                status,
            )
        }
    }
}

/// `GET /investment/pick/enterprises?q=`: `<option>`s of enterprises within reach.
pub async fn pick_enterprises(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let text = q.into_iter().next().map(|kv| kv.1).unwrap_or_default();
    let found = enterprises::pick(&state.app, &user.actor, &text)
        .await
        .map_err(page_err(user.lang))?;
    let mut out = String::new();
    for (id, name) in found {
        let name = name
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;");
        let _ = write!(out, "<option value=\"{name} · #{id}\"></option>");
    }
    Ok(Html(out).into_response())
}

// ---------------------------------------------------------------- contributions

/// The contributions list's query, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ContributionQuery {
    purpose: String,
    year: String,
    commune: String,
    country: String,
}

fn donor_words(c: &Contribution, t: Tr) -> Cell {
    let name = if c.donor_name.is_empty() {
        t.s("invest.hidden_person").to_owned()
    } else {
        c.donor_name.clone()
    };
    let href = match (
        c.donor_person_id,
        c.donor_association_id,
        c.donor_enterprise_id,
    ) {
        (Some(p), _, _) if !c.donor_name.is_empty() => format!("/people/{p}"),
        (_, Some(a), _) => format!("/associations/{a}"),
        (_, _, Some(e)) => format!("/investment/enterprises/{e}"),
        _ => String::new(),
    };
    link(
        format!("{name} ({})", t.label("donor_kind", &c.donor_kind)),
        href,
    )
}

/// `GET /investment/contributions`: the contributions within reach.
pub async fn contributions_list(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<ContributionQuery>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let l = Layout::for_user(&user);
    let t = l.t;
    let year = f.year.trim();
    let mut year_error = Vec::new();
    let year_value = if year.is_empty() {
        None
    } else if let Ok(y) = year.parse::<i64>() {
        Some(y)
    } else {
        year_error.push(app::FieldError::new("year", "invalid_year"));
        None
    };
    let filter = contributions::ListFilter {
        purpose: f.purpose.clone(),
        year: year_value,
        commune: f.commune.clone(),
        country: f.country.clone(),
    };
    let result = if year_error.is_empty() {
        contributions::list(&state.app, &user.actor, &filter).await
    } else {
        Err(AppError::Invalid(year_error))
    };
    let (rows, errors, status) = match result {
        Ok(rows) => (rows, Vec::new(), StatusCode::OK),
        Err(AppError::Invalid(errs)) => (
            Vec::new(),
            error_lines(t, &errs),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(err) => return Err(PageError { err, lang }),
    };
    let total = rows.len();
    let sum: i64 = rows.iter().map(|c| c.vnd_value).sum();
    let table = TableView {
        title: String::new(),
        anchor: "contributions",
        heads: vec![
            t.field("contributed_on"),
            t.s("invest.donor").to_owned(),
            t.field("purpose"),
            t.field("amount"),
            t.s("invest.value_vnd").to_owned(),
            t.field("commune"),
        ],
        rows: rows
            .iter()
            .map(|c| {
                vec![
                    link(
                        day(&c.contributed_on),
                        format!("/investment/contributions/{}", c.id),
                    ),
                    donor_words(c, t),
                    cell(t.label("contribution_purpose", &c.purpose)),
                    num(money(c.amount, &c.currency, t)),
                    num(vnd(c.vnd_value, t)),
                    cell(commune_words(&c.commune_code, t)),
                ]
            })
            .collect(),
        empty: t.s("invest.none").to_owned(),
    };
    let filters = vec![
        select(
            t,
            "purpose",
            options(
                t,
                contributions::PURPOSES,
                f.purpose.trim(),
                |c| t.label("contribution_purpose", c),
                true,
            ),
        ),
        field(t, "year", &f.year),
        pick(t, "commune", &f.commune, "/people/pick/communes", ""),
        pick(t, "country", &f.country, "/people/pick/countries", ""),
    ];
    let mut resp = render(&ListPage {
        heading: t.s("invest.contributions").to_owned(),
        tabs: tabs(t, "contributions", &user.actor),
        action: "/investment/contributions",
        filters,
        new_url: if contributions::may_edit(&user.actor) {
            "/investment/contributions/new".to_owned()
        } else {
            String::new()
        },
        new_label: t.s("invest.new_contribution").to_owned(),
        errors,
        total,
        table: vec![table],
        extra: vec![(t.s("invest.total_value").to_owned(), vnd(sum, t))],
        l,
        t,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// `GET /investment/contributions/{id}`: the record (the view is audited).
pub async fn contribution_show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let c = contributions::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(lang))?;
    let history = contributions::history(&state.app, &user.actor, id)
        .await
        .map_err(page_err(lang))?;
    let l = Layout::for_user(&user);
    let t = l.t;
    let donor = donor_words(&c, t);
    let mut actions = vec![(
        t.s("invest.thank_you").to_owned(),
        format!("/investment/contributions/{id}/thank-you.docx"),
    )];
    if contributions::may_edit(&user.actor) {
        actions.insert(
            0,
            (
                t.s("invest.edit").to_owned(),
                format!("/investment/contributions/{id}/edit"),
            ),
        );
    }
    render(&RecordPage {
        heading: format!(
            "{} · {}",
            t.label("contribution_purpose", &c.purpose),
            day(&c.contributed_on)
        ),
        subheading: t.s("invest.contribution").to_owned(),
        tabs: tabs(t, "contributions", &user.actor),
        actions,
        profile: vec![
            (t.s("invest.donor").to_owned(), donor.text),
            (t.field("country"), country_name(&c.donor_country, t)),
            (t.field("amount"), money(c.amount, &c.currency, t)),
            (
                t.field("rate_to_vnd"),
                if c.currency == "VND" {
                    String::new()
                } else {
                    format!("1 {} = {}", c.currency, vnd_rate_words(&c.rate_to_vnd, t))
                },
            ),
            (t.s("invest.value_vnd").to_owned(), vnd(c.vnd_value, t)),
            (t.field("commune"), commune_words(&c.commune_code, t)),
            (t.field("in_kind"), c.in_kind.clone()),
            (t.field("notes"), c.notes.clone()),
        ],
        tables: Vec::new(),
        status_form: None,
        refusal: Vec::new(),
        history: history_view(
            t,
            history,
            super::restore::Kind::Contribution,
            c.id,
            c.version,
            contributions::may_edit(&user.actor),
        ),
        l,
        t,
    })
}

/// `GET /investment/contributions/{id}/thank-you.docx`: the letter.
pub async fn contribution_letter(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let bytes = contributions::thank_you_docx(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    Ok(attachment(bytes, DOCX, &format!("thu-cam-on-{id}.docx")))
}

/// The contribution form, every value as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ContributionForm {
    donor_kind: String,
    donor: String,
    amount: String,
    currency: String,
    rate_to_vnd: String,
    purpose: String,
    commune: String,
    contributed_on: String,
    in_kind: String,
    notes: String,
    version: String,
}

impl ContributionForm {
    fn from_contribution(c: &Contribution, t: Tr) -> Self {
        let id = c
            .donor_person_id
            .or(c.donor_association_id)
            .or(c.donor_enterprise_id)
            .unwrap_or_default();
        Self {
            donor_kind: c.donor_kind.clone(),
            donor: format!("{} · #{id}", c.donor_name),
            amount: amount_text(c.amount, &c.currency, t),
            currency: c.currency.clone(),
            rate_to_vnd: if c.currency == "VND" {
                String::new()
            } else {
                c.rate_to_vnd.clone()
            },
            purpose: c.purpose.clone(),
            commune: commune_choice(&c.commune_code, t),
            contributed_on: day(&c.contributed_on),
            in_kind: c.in_kind.clone(),
            notes: c.notes.clone(),
            version: c.version.to_string(),
        }
    }

    fn to_input(&self) -> ContributionInput {
        let s = |v: &str| Some(v.to_owned());
        let donor = one_ref(&self.donor);
        let kind = self.donor_kind.trim();
        ContributionInput {
            donor_kind: s(kind),
            donor_person_id: donor.filter(|_| kind == "person"),
            donor_association_id: donor.filter(|_| kind == "association"),
            donor_enterprise_id: donor.filter(|_| kind == "enterprise"),
            amount: None,
            currency: s(&self.currency),
            rate_to_vnd: s(&self.rate_to_vnd),
            purpose: s(&self.purpose),
            commune: s(&self.commune),
            contributed_on: s(&self.contributed_on),
            in_kind: s(&self.in_kind),
            notes: s(&self.notes),
            amount_text: s(&self.amount),
        }
    }

    fn fields(&self, t: Tr, errors: &[app::FieldError]) -> Vec<FieldView> {
        let kind = if self.donor_kind.is_empty() {
            "person"
        } else {
            self.donor_kind.as_str()
        };
        let currency = if self.currency.is_empty() {
            "VND"
        } else {
            self.currency.as_str()
        };
        let purpose = if self.purpose.is_empty() {
            "charity"
        } else {
            self.purpose.as_str()
        };
        let fields = vec![
            select(
                t,
                "donor_kind",
                options(
                    t,
                    contributions::DONOR_KINDS,
                    kind,
                    |c| t.label("donor_kind", c),
                    false,
                ),
            ),
            pick(
                t,
                "donor",
                &self.donor,
                match kind {
                    "enterprise" => "/investment/pick/enterprises",
                    _ => "/associations/pick/people",
                },
                t.s("invest.donor_hint"),
            ),
            select(t, "currency", currency_options(currency)),
            FieldView {
                hint: t.s("invest.amount_hint").to_owned(),
                ..field(t, "amount", &self.amount)
            },
            FieldView {
                hint: t.s("invest.rate_hint").to_owned(),
                ..field(t, "rate_to_vnd", &self.rate_to_vnd)
            },
            select(
                t,
                "purpose",
                options(
                    t,
                    contributions::PURPOSES,
                    purpose,
                    |c| t.label("contribution_purpose", c),
                    false,
                ),
            ),
            pick(
                t,
                "commune",
                &self.commune,
                "/people/pick/communes",
                t.s("invest.commune_hint"),
            ),
            FieldView {
                hint: t.s("invest.day_hint").to_owned(),
                ..field(t, "contributed_on", &self.contributed_on)
            },
            FieldView {
                kind: "textarea",
                ..field(t, "in_kind", &self.in_kind)
            },
            FieldView {
                kind: "textarea",
                ..field(t, "notes", &self.notes)
            },
        ];
        with_errors(fields, t, errors)
    }
}

fn contribution_form(
    user: &User,
    id: Option<i64>,
    f: &ContributionForm,
    errors: &[app::FieldError],
    error: String,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let (heading, action, cancel) = match id {
        Some(id) => (
            t.s("invest.edit_contribution").to_owned(),
            format!("/investment/contributions/{id}"),
            format!("/investment/contributions/{id}"),
        ),
        None => (
            t.s("invest.new_contribution").to_owned(),
            "/investment/contributions".to_owned(),
            "/investment/contributions".to_owned(),
        ),
    };
    form_page(
        user,
        heading,
        action,
        cancel,
        f.fields(t, errors),
        f.version.clone(),
        error,
    )
}

/// `GET /investment/contributions/new`: the empty form.
pub async fn contribution_new(user: User) -> Result<Response, PageError> {
    if !contributions::may_edit(&user.actor) {
        return Err(forbidden(user.lang));
    }
    contribution_form(
        &user,
        None,
        &ContributionForm::default(),
        &[],
        String::new(),
    )
}

/// `POST /investment/contributions`: records the contribution, or shows the form again.
pub async fn contribution_create(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<ContributionForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    match contributions::create(&state.app, &user.actor, &f.to_input()).await {
        Ok(c) => Ok(Redirect::to(&format!("/investment/contributions/{}", c.id)).into_response()),
        Err(err) => {
            let (errors, message, status) = form_failure(t, err, lang)?;
            refused(contribution_form(&user, None, &f, &errors, message), status)
        }
    }
}

/// `GET /investment/contributions/{id}/edit`: the form with the stored values.
pub async fn contribution_edit(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let c = contributions::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(lang))?;
    if !contributions::may_edit(&user.actor) {
        return Err(forbidden(lang));
    }
    contribution_form(
        &user,
        Some(id),
        &ContributionForm::from_contribution(&c, Tr::new(lang)),
        &[],
        String::new(),
    )
}

/// `POST /investment/contributions/{id}`: saves when the version is current.
pub async fn contribution_update(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<ContributionForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    let version = f.version.trim().parse::<i64>().unwrap_or(-1);
    match contributions::update(&state.app, &user.actor, id, version, &f.to_input()).await {
        Ok(_) => Ok(Redirect::to(&format!("/investment/contributions/{id}")).into_response()),
        Err(err) => {
            let (errors, message, status) = form_failure(t, err, lang)?;
            let mut f = f;
            if status == StatusCode::CONFLICT {
                let c = contributions::get(&state.app, &user.actor, id)
                    .await
                    .map_err(page_err(lang))?;
                f = ContributionForm::from_contribution(&c, t);
            }
            refused(
                contribution_form(&user, Some(id), &f, &errors, message),
                status,
            )
        }
    }
}

// ---------------------------------------------------------------- remittances

/// The remittance form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RemittanceForm {
    year: String,
    amount: String,
    currency: String,
    notes: String,
}

#[derive(Template)]
#[template(path = "community/invest/remittances.html")]
struct RemittancePage {
    l: Layout,
    t: Tr,
    person_id: i64,
    table: Vec<TableView>,
    fields: Vec<FieldView>,
    errors: Vec<String>,
}

async fn remittance_page(
    state: &AppState,
    user: &User,
    person_id: i64,
    f: &RemittanceForm,
    errors: &[app::FieldError],
) -> Result<Response, PageError> {
    let lang = user.lang;
    let rows = contributions::remittances(&state.app, &user.actor, person_id)
        .await
        .map_err(page_err(lang))?;
    let l = Layout::for_user(user);
    let t = l.t;
    let table = TableView {
        title: t.s("invest.remittances").to_owned(),
        anchor: "remittances",
        heads: vec![t.field("year"), t.field("amount"), t.field("notes")],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    cell(r.year.to_string()),
                    num(money(r.amount, &r.currency, t)),
                    cell(r.notes.clone()),
                ]
            })
            .collect(),
        empty: t.s("invest.no_remittances").to_owned(),
    };
    let currency = if f.currency.is_empty() {
        "USD"
    } else {
        f.currency.as_str()
    };
    let fields = with_errors(
        vec![
            field(t, "year", &f.year),
            select(t, "currency", currency_options(currency)),
            FieldView {
                hint: t.s("invest.amount_hint").to_owned(),
                ..field(t, "amount", &f.amount)
            },
            field(t, "notes", &f.notes),
        ],
        t,
        errors,
    );
    render(&RemittancePage {
        person_id,
        table: vec![table],
        fields,
        errors: error_lines(t, errors),
        l,
        t,
    })
}

/// `GET /people/{id}/remittances`: what a person sent home, per year (audited).
pub async fn remittances(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    remittance_page(&state, &user, id, &RemittanceForm::default(), &[]).await
}

/// `POST /people/{id}/remittances`: records a year's remittances.
pub async fn remittance_set(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<RemittanceForm>,
) -> Result<Response, PageError> {
    let input = RemittanceInput {
        year: None,
        amount: None,
        currency: Some(f.currency.clone()),
        notes: Some(f.notes.clone()),
        amount_text: Some(f.amount.clone()),
        year_text: Some(f.year.clone()),
    };
    match contributions::set_remittance(&state.app, &user.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/people/{id}/remittances")).into_response()),
        Err(AppError::Invalid(errs)) => refused(
            remittance_page(&state, &user, id, &f, &errs).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(err) => Err(PageError {
            err,
            lang: user.lang,
        }),
    }
}

// ---------------------------------------------------------------- report

/// The report's query: the officer's dollar rate.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    usd_rate: String,
}

#[derive(Template)]
#[template(path = "community/invest/report.html")]
struct ReportPage {
    l: Layout,
    t: Tr,
    tabs: Vec<(String, &'static str, bool)>,
    usd_rate: String,
    xlsx: String,
    errors: Vec<String>,
    tables: Vec<TableView>,
}

fn project_table(
    t: Tr,
    title: &str,
    anchor: &'static str,
    kind: &str,
    lines: &[ProjectLine],
    total: &ProjectLine,
    usd: bool,
) -> TableView {
    let mut heads = vec![
        t.s("invest.group").to_owned(),
        t.s("invest.count").to_owned(),
        t.s("invest.registered_vnd").to_owned(),
        t.s("invest.realised_vnd").to_owned(),
    ];
    if usd {
        heads.push(t.s("invest.registered_usd").to_owned());
        heads.push(t.s("invest.realised_usd").to_owned());
    }
    let row = |name: String, l: &ProjectLine| {
        let mut v = vec![
            cell(name),
            num(l.count.to_string()),
            num(vnd(l.registered_vnd, t)),
            num(vnd(l.realised_vnd, t)),
        ];
        if usd {
            v.push(num(money(l.registered_usd.unwrap_or_default(), "USD", t)));
            v.push(num(money(l.realised_usd.unwrap_or_default(), "USD", t)));
        }
        v
    };
    let mut rows: Vec<Vec<Cell>> = lines
        .iter()
        .map(|l| row(group_label(t, kind, &l.key), l))
        .collect();
    rows.push(row(t.s("invest.total").to_owned(), total));
    TableView {
        title: title.to_owned(),
        anchor,
        heads,
        rows,
        empty: String::new(),
    }
}

fn contribution_table(
    t: Tr,
    title: &str,
    anchor: &'static str,
    kind: &str,
    lines: &[ContributionLine],
    total: &ContributionLine,
    usd: bool,
) -> TableView {
    let mut heads = vec![
        t.s("invest.group").to_owned(),
        t.s("invest.count").to_owned(),
        t.s("invest.value_vnd").to_owned(),
    ];
    if usd {
        heads.push(t.s("invest.value_usd").to_owned());
    }
    let row = |name: String, l: &ContributionLine| {
        let mut v = vec![cell(name), num(l.count.to_string()), num(vnd(l.vnd, t))];
        if usd {
            v.push(num(money(l.usd.unwrap_or_default(), "USD", t)));
        }
        v
    };
    let mut rows: Vec<Vec<Cell>> = lines
        .iter()
        .map(|l| row(group_label(t, kind, &l.key), l))
        .collect();
    rows.push(row(t.s("invest.total").to_owned(), total));
    TableView {
        title: title.to_owned(),
        anchor,
        heads,
        rows,
        empty: String::new(),
    }
}

/// A report group's label: a status, sector, country, year, purpose or commune.
pub(crate) fn group_label(t: Tr, kind: &str, key: &str) -> String {
    if key.is_empty() {
        return t.s("invest.unknown").to_owned();
    }
    match kind {
        "sector" => sector_name(key, t),
        "country" => country_name(key, t),
        "year" => key.to_owned(),
        "new_commune" => {
            domain::geo::new_commune(key).map_or_else(|| key.to_owned(), |c| c.name.to_owned())
        }
        _ => t.label(kind, key),
    }
}

/// `GET /investment/report`: projects and contributions in figures.
pub async fn report(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let l = Layout::for_user(&user);
    let t = l.t;
    let (r, errors, status) =
        match investment_reports::report(&state.app, &user.actor, &q.usd_rate).await {
            Ok(r) => (r, Vec::new(), StatusCode::OK),
            Err(AppError::Invalid(errs)) => (
                investment_reports::report(&state.app, &user.actor, "")
                    .await
                    .map_err(page_err(lang))?,
                error_lines(t, &errs),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            Err(err) => return Err(PageError { err, lang }),
        };
    let usd = !r.usd_rate.is_empty();
    let mut tables = vec![
        project_table(
            t,
            t.s("invest.report.by_status"),
            "by-status",
            "project_status",
            &r.projects_by_status,
            &r.projects_total,
            usd,
        ),
        project_table(
            t,
            t.s("invest.report.by_sector"),
            "by-sector",
            "sector",
            &r.projects_by_sector,
            &r.projects_total,
            usd,
        ),
    ];
    if r.contributions_total.count > 0 || contributions::may_read(&user.actor) {
        for (title, anchor, kind, lines) in [
            (
                "invest.report.by_country",
                "by-country",
                "country",
                &r.contributions_by_country,
            ),
            (
                "invest.report.by_year",
                "by-year",
                "year",
                &r.contributions_by_year,
            ),
            (
                "invest.report.by_purpose",
                "by-purpose",
                "contribution_purpose",
                &r.contributions_by_purpose,
            ),
            (
                "invest.report.by_commune",
                "by-commune",
                "new_commune",
                &r.contributions_by_commune,
            ),
        ] {
            tables.push(contribution_table(
                t,
                t.s(title),
                anchor,
                kind,
                lines,
                &r.contributions_total,
                usd,
            ));
        }
    }
    let xlsx = if r.usd_rate.is_empty() {
        "/investment/report.xlsx".to_owned()
    } else {
        format!(
            "/investment/report.xlsx?{}",
            serde_urlencoded::to_string([("usd_rate", &r.usd_rate)]).unwrap_or_default()
        )
    };
    let mut resp = render(&ReportPage {
        tabs: tabs(t, "report", &user.actor),
        usd_rate: q.usd_rate,
        xlsx,
        errors,
        tables,
        l,
        t,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// `GET /investment/report.xlsx`: the same tables as a workbook (audited).
pub async fn report_xlsx(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let label = move |kind: &str, code: &str| group_label(t, kind, code);
    let text = move |key: &str| t.s(&format!("invest.xlsx.{key}")).to_owned();
    let labels = Labels {
        label: &label,
        text: &text,
    };
    let bytes = investment_reports::export_xlsx(&state.app, &user.actor, &q.usd_rate, &labels)
        .await
        .map_err(page_err(user.lang))?;
    Ok(attachment(bytes, XLSX, "dau-tu-dong-gop.xlsx"))
}

// ---------------------------------------------------------------- public catalogue

#[derive(Template)]
#[template(path = "community/invest/catalogue.html")]
struct CataloguePage {
    s: crate::publishing::site::Site,
    t: Tr,
    items: Vec<CatalogueItem>,
    portal: &'static str,
}

/// A catalogue project as the public reads it.
pub struct CatalogueItem {
    name: String,
    summary: String,
    facts: Vec<(String, String)>,
}

async fn catalogue(state: &AppState, lang: &'static str) -> Result<Response, PageError> {
    let l = Lang::from_code(lang);
    let path = if l == Lang::En {
        "/en/investment"
    } else {
        "/dau-tu"
    };
    let other = if l == Lang::En {
        "/dau-tu"
    } else {
        "/en/investment"
    };
    let mut s = crate::publishing::site::Site::new(state, lang, path, other.to_owned());
    let t = s.t;
    t.s("invest.catalogue").clone_into(&mut s.title);
    let rows = projects::catalogue(&state.app).await.map_err(page_err(l))?;
    let mut items = Vec::new();
    for r in rows {
        let (summary_vi, summary_en) = projects::catalogue_text(&state.app, r.id)
            .await
            .map_err(page_err(l))?;
        let english = l == Lang::En;
        items.push(CatalogueItem {
            name: if english && !r.name_en.is_empty() {
                r.name_en.clone()
            } else {
                r.name.clone()
            },
            summary: if english && !summary_en.is_empty() {
                summary_en
            } else {
                summary_vi
            },
            facts: vec![
                (t.field("sector"), sector_name(&r.sector, t)),
                (t.field("commune"), commune_words(&r.commune_code, t)),
                (
                    t.s("invest.expected_capital").to_owned(),
                    money(r.registered_capital, &r.currency, t),
                ),
            ],
        });
    }
    render(&CataloguePage {
        s,
        t,
        items,
        portal: if l == Lang::En {
            "/kieu-bao/dau-tu?lang=en"
        } else {
            "/kieu-bao/dau-tu"
        },
    })
}

/// `GET /dau-tu`: the catalogue of projects calling for investment.
pub async fn catalogue_vi(State(state): State<AppState>) -> Result<Response, PageError> {
    catalogue(&state, "vi").await
}

/// `GET /en/investment`: the catalogue in English.
pub async fn catalogue_en(State(state): State<AppState>) -> Result<Response, PageError> {
    catalogue(&state, "en").await
}

#[derive(Template)]
#[template(path = "community/invest/portal.html")]
struct PortalPage {
    l: crate::portal::pages::PortalLayout,
    t: Tr,
    items: Vec<(i64, String, String, bool)>,
    done: bool,
}

/// `GET /kieu-bao/dau-tu`: a person abroad sees the catalogue and says
/// which projects interest them.
pub async fn portal_catalogue(
    State(state): State<AppState>,
    user: PortalUser,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    let rows = projects::catalogue(&state.app)
        .await
        .map_err(page_err(lang))?;
    let mut items = Vec::new();
    for r in rows {
        let mine = projects::has_interest(&state.app, user.account_id, r.id)
            .await
            .map_err(page_err(lang))?;
        let name = if lang == Lang::En && !r.name_en.is_empty() {
            r.name_en.clone()
        } else {
            r.name.clone()
        };
        let about = format!(
            "{} · {} · {}",
            sector_name(&r.sector, t),
            commune_words(&r.commune_code, t),
            money(r.registered_capital, &r.currency, t)
        );
        items.push((r.id, name, about, mine));
    }
    render(&PortalPage {
        l: crate::portal::pages::PortalLayout::of(&user, "/kieu-bao/dau-tu"),
        t,
        items,
        done: q.iter().any(|(k, _)| k == "done"),
    })
}

/// The interest form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct InterestForm {
    message: String,
}

/// `POST /kieu-bao/dau-tu/{id}`: records the person's interest in a project.
pub async fn portal_interest(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<i64>,
    Form(f): Form<InterestForm>,
) -> Result<Response, PageError> {
    projects::record_interest(&state.app, user.account_id, user.person_id, id, &f.message)
        .await
        .map_err(page_err(user.lang))?;
    Ok(Redirect::to("/kieu-bao/dau-tu?done=1").into_response())
}
