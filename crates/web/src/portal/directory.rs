//! The directory of people abroad (issue 23 §6) on both sides: the pages
//! of signed-in people under `/kieu-bao/danh-ba` (search, an entry, one's
//! own entry, a relay message, block, report) and the province officers'
//! queue of reports at `/portal/directory-reports`. Pages only: the portal
//! has no JSON API under its session.

use std::collections::BTreeSet;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::mail::{Kind, compose};
use super::pages::{PortalLayout, error_lines};
use crate::AppState;
use crate::error::PageError;
use crate::extract::{PortalUser, User};
use crate::i18n::{Lang, Tr};
use crate::pages::{Layout, page_err, render};
use app::portal::directory::{self as dir, Entry, Standing};

/// An entry in words: each shown field with its label.
pub struct EntryShown {
    pub id: i64,
    pub name: String,
    pub fields: Vec<(String, String)>,
}

fn hometown(t: Tr, e: &Entry) -> Option<String> {
    let new = e.hometown_new.as_deref().map(|c| t.label("new_commune", c));
    let old = e
        .hometown_legacy
        .as_deref()
        .map(|c| t.label("legacy_commune", c));
    match (new, old) {
        (Some(n), Some(o)) if n != o => {
            Some(format!("{n} ({} {o})", t.s("portal.directory.formerly")))
        }
        (Some(n), _) => Some(n),
        (None, o) => o,
    }
}

fn entry_shown(t: Tr, e: &Entry) -> EntryShown {
    let mut fields = Vec::new();
    let mut put = |key: &str, v: Option<String>| {
        if let Some(v) = v {
            fields.push((t.s(key).to_owned(), v));
        }
    };
    put(
        "portal.directory.field.country",
        e.country.as_deref().map(|c| t.label("country", c)),
    );
    put("portal.directory.field.city", e.city.clone());
    put("portal.directory.field.hometown", hometown(t, e));
    put("portal.directory.field.occupation", e.occupation.clone());
    put("portal.directory.field.intro", e.intro.clone());
    EntryShown {
        id: e.id,
        name: e
            .display_name
            .clone()
            .unwrap_or_else(|| t.s("portal.directory.unnamed").to_owned()),
        fields,
    }
}

/// Where the person stands, as the page says it (empty when ready).
fn standing_text(t: Tr, s: Standing) -> &'static str {
    match s {
        Standing::NotLinked => t.s("portal.directory.not_linked"),
        Standing::NoConsent => t.s("portal.directory.no_consent"),
        Standing::Ready => "",
    }
}

// ---------------------------------------------------------------- search

#[derive(Template)]
#[template(path = "portal/directory.html")]
struct SearchPage {
    l: PortalLayout,
    t: Tr,
    /// Why the person cannot search yet (empty: they can).
    blocked: &'static str,
    consent_link: bool,
    q: SearchForm,
    entries: Vec<EntryShown>,
    total: usize,
    page: usize,
    pages: usize,
    /// The query string of the filters, for the page links.
    filters: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct SearchForm {
    #[serde(default)]
    country: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    hometown: String,
    #[serde(default)]
    occupation: String,
    #[serde(default)]
    page: Option<String>,
}

/// `GET /kieu-bao/danh-ba`: search the directory (linked and consenting
/// people only; others are told what to do first).
pub async fn search(
    State(state): State<AppState>,
    user: PortalUser,
    Query(q): Query<SearchForm>,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let err = page_err(user.lang);
    let standing = dir::standing(&state.app, user.account_id, user.person_id)
        .await
        .map_err(&err)?;
    let page = q
        .page
        .as_deref()
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let mut out = SearchPage {
        l: PortalLayout::of(&user, "/kieu-bao/danh-ba"),
        t,
        blocked: standing_text(t, standing),
        consent_link: standing == Standing::NoConsent,
        q: q.clone(),
        entries: Vec::new(),
        total: 0,
        page,
        pages: 1,
        filters: serde_urlencoded::to_string([
            ("country", q.country.as_str()),
            ("city", q.city.as_str()),
            ("hometown", q.hometown.as_str()),
            ("occupation", q.occupation.as_str()),
        ])
        .unwrap_or_default(),
    };
    if standing == Standing::Ready {
        let query = dir::SearchQuery {
            country: q.country,
            city: q.city,
            hometown: q.hometown,
            occupation: q.occupation,
            page,
        };
        let (entries, total) = dir::search(&state.app, user.account_id, user.person_id, &query)
            .await
            .map_err(&err)?;
        out.entries = entries.iter().map(|e| entry_shown(t, e)).collect();
        out.total = total;
        out.pages = total.div_ceil(dir::PAGE_SIZE).max(1);
    }
    render(&out)
}

// ---------------------------------------------------------------- one entry

#[derive(Template)]
#[template(path = "portal/directory_entry.html")]
struct EntryPage {
    l: PortalLayout,
    t: Tr,
    e: EntryShown,
    mine: bool,
    message: String,
    reason: String,
    errors: Vec<String>,
    notice: &'static str,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    sent: Option<String>,
    #[serde(default)]
    reported: Option<String>,
}

async fn entry_page(
    state: &AppState,
    user: &PortalUser,
    id: i64,
    message: String,
    reason: String,
    errors: Vec<String>,
    notice: &'static str,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let (e, mine) = dir::view(&state.app, user.account_id, user.person_id, &user.ip, id)
        .await
        .map_err(page_err(user.lang))?;
    render(&EntryPage {
        l: PortalLayout::of(user, "/kieu-bao/danh-ba"),
        t,
        e: entry_shown(t, &e),
        mine,
        message,
        reason,
        errors,
        notice,
    })
}

/// `GET /kieu-bao/danh-ba/{id}`: one entry (the fields its owner shows),
/// with the forms to write, report and block. Not visible: 404.
pub async fn one(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<i64>,
    Query(n): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let notice = if n.sent.is_some() {
        t.s("portal.directory.sent")
    } else if n.reported.is_some() {
        t.s("portal.directory.reported")
    } else {
        ""
    };
    entry_page(
        &state,
        &user,
        id,
        String::new(),
        String::new(),
        Vec::new(),
        notice,
    )
    .await
}

#[derive(Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    message: String,
}

/// The status and lines of a refusal the person can act on.
fn refusal(t: Tr, e: app::AppError) -> Result<(StatusCode, Vec<String>), PageError> {
    match e {
        app::AppError::Invalid(errors) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, error_lines(t, &errors)))
        }
        app::AppError::RateLimited { .. } => Ok((
            StatusCode::TOO_MANY_REQUESTS,
            vec![t.s("portal.directory.rate_limited").to_owned()],
        )),
        app::AppError::Conflict(why) => Ok((
            StatusCode::CONFLICT,
            vec![
                t.get(&format!("portal.conflict.{why}"))
                    .unwrap_or_else(|| t.s("error.conflict"))
                    .to_owned(),
            ],
        )),
        err => Err(PageError { err, lang: t.lang }),
    }
}

/// `POST /kieu-bao/danh-ba/{id}/message`: a relay message, e-mailed to
/// the entry's owner with a link to answer on the portal (no address shown).
pub async fn message(
    State(state): State<AppState>,
    user: PortalUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<MessageForm>,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    match dir::message(
        &state.app,
        user.account_id,
        user.person_id,
        &user.ip,
        id,
        &f.message,
    )
    .await
    {
        Ok(relay) => {
            relay_mail(&state, &headers, &relay);
            Ok(Redirect::to(&format!("/kieu-bao/danh-ba/{id}?sent=1")).into_response())
        }
        Err(e) => {
            let (status, errors) = refusal(t, e)?;
            let mut resp =
                entry_page(&state, &user, id, f.message, String::new(), errors, "").await?;
            *resp.status_mut() = status;
            Ok(resp)
        }
    }
}

fn relay_mail(state: &AppState, headers: &HeaderMap, r: &dir::Relay) {
    let t = Tr::new(Lang::from_code(&r.to_lang));
    let from = r
        .sender_name
        .clone()
        .unwrap_or_else(|| t.s("portal.directory.unnamed").to_owned());
    let lines = vec![
        format!("{}: {from}", t.s("portal.directory.mail_from")),
        format!("{}: {}", t.s("portal.directory.mail_text"), r.body),
    ];
    let base = crate::security::expected_origin(state, headers).unwrap_or_default();
    app::mail::send_later(
        &state.app,
        compose(
            &r.to_lang,
            Kind::DirectoryMessage,
            &r.to_email,
            &format!("{base}/kieu-bao/danh-ba/{}", r.sender_entry_id),
            &lines,
        ),
    );
}

#[derive(Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    reason: String,
}

/// `POST /kieu-bao/danh-ba/{id}/report`: reports abuse (a reason).
pub async fn report(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<i64>,
    Form(f): Form<ReportForm>,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    match dir::report(
        &state.app,
        user.account_id,
        user.person_id,
        &user.ip,
        id,
        &f.reason,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/kieu-bao/danh-ba/{id}?reported=1")).into_response()),
        Err(e) => {
            let (status, errors) = refusal(t, e)?;
            let mut resp =
                entry_page(&state, &user, id, String::new(), f.reason, errors, "").await?;
            *resp.status_mut() = status;
            Ok(resp)
        }
    }
}

/// `POST /kieu-bao/danh-ba/{id}/block`: blocks the entry's owner (then
/// neither sees the other); back to the search.
pub async fn block(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    dir::block(&state.app, user.account_id, user.person_id, &user.ip, id)
        .await
        .map_err(page_err(user.lang))?;
    Ok(Redirect::to("/kieu-bao/danh-ba").into_response())
}

/// `POST /kieu-bao/danh-ba/unblock/{account}`: lifts one's own block of
/// that person (audited; anyone else's block, or none: 404); back to one's
/// entry, where the blocks are listed.
pub async fn unblock(
    State(state): State<AppState>,
    user: PortalUser,
    Path(account): Path<i64>,
) -> Result<Response, PageError> {
    dir::unblock(
        &state.app,
        user.account_id,
        user.person_id,
        &user.ip,
        account,
    )
    .await
    .map_err(page_err(user.lang))?;
    Ok(Redirect::to("/kieu-bao/danh-ba/cua-toi#blocked").into_response())
}

// ---------------------------------------------------------------- own entry

#[derive(Template)]
#[template(path = "portal/directory_mine.html")]
struct MinePage {
    l: PortalLayout,
    t: Tr,
    blocked: &'static str,
    consent_link: bool,
    id: Option<i64>,
    hidden: bool,
    display_name: String,
    intro: String,
    /// `(field, label, value from the record or typed, chosen)`.
    choices: Vec<(&'static str, String, String, bool)>,
    errors: Vec<String>,
    /// The people one blocked: (their account, the name their entry shows
    /// or a neutral one, when).
    blocks: Vec<(i64, String, String)>,
}

async fn mine_page(
    state: &AppState,
    user: &PortalUser,
    typed: Option<(String, String, BTreeSet<String>)>,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let err = page_err(user.lang);
    let standing = dir::standing(&state.app, user.account_id, user.person_id)
        .await
        .map_err(&err)?;
    let own = dir::own(&state.app, user.account_id, user.person_id)
        .await
        .map_err(&err)?;
    let blocks = dir::blocked(&state.app, user.account_id)
        .await
        .map_err(&err)?
        .into_iter()
        .map(|b| {
            (
                b.account_id,
                b.display_name
                    .unwrap_or_else(|| t.s("portal.directory.unnamed").to_owned()),
                t.day(&b.at),
            )
        })
        .collect();
    // What each field would show: the record's value (read as the
    // directory reads it, every field chosen).
    let record = if standing == Standing::Ready {
        record_values(state, user).await.map_err(&err)?
    } else {
        Entry::default()
    };
    let (display_name, intro, shown) = typed.unwrap_or((
        own.display_name.clone(),
        own.intro.clone(),
        own.shown.clone(),
    ));
    let value = |f: &str| -> String {
        match f {
            "country" => record
                .country
                .as_deref()
                .map(|c| t.label("country", c))
                .unwrap_or_default(),
            "city" => record.city.clone().unwrap_or_default(),
            "hometown" => hometown(t, &record).unwrap_or_default(),
            "occupation" => record.occupation.clone().unwrap_or_default(),
            _ => String::new(),
        }
    };
    let choices = dir::FIELDS
        .iter()
        .map(|f| {
            (
                *f,
                t.s(&format!("portal.directory.field.{f}")).to_owned(),
                value(f),
                shown.contains(*f),
            )
        })
        .collect();
    render(&MinePage {
        l: PortalLayout::of(user, "/kieu-bao/danh-ba/cua-toi"),
        t,
        blocked: standing_text(t, standing),
        consent_link: standing == Standing::NoConsent,
        id: own.id,
        hidden: own.hidden,
        display_name,
        intro,
        choices,
        errors,
        blocks,
    })
}

/// The record's values as the directory would show them with every field
/// chosen (the owner's own preview).
async fn record_values(state: &AppState, user: &PortalUser) -> app::AppResult<Entry> {
    let Some(pid) = user.person_id else {
        return Ok(Entry::default());
    };
    let own = app::portal::changes::own_record(&state.app, user.account_id, pid, &user.ip).await?;
    let d = &own.data;
    let some = |v: &str| (!v.trim().is_empty()).then(|| v.to_owned());
    let legacy = d.hometown_legacy_code.clone().filter(|c| !c.is_empty());
    Ok(Entry {
        id: 0,
        display_name: None,
        country: some(&d.country),
        city: some(&d.city_abroad),
        hometown_new: d
            .hometown_code
            .clone()
            .filter(|c| !c.is_empty())
            .or_else(|| {
                legacy
                    .as_deref()
                    .and_then(domain::geo::default_successor)
                    .map(|c| c.code.to_owned())
            }),
        hometown_legacy: legacy,
        occupation: some(&d.occupation),
        intro: None,
    })
}

/// `GET /kieu-bao/danh-ba/cua-toi`: one's own entry — which fields to
/// show (none by default), the display name and introduction.
pub async fn mine(State(state): State<AppState>, user: PortalUser) -> Result<Response, PageError> {
    mine_page(&state, &user, None, Vec::new()).await
}

/// `POST /kieu-bao/danh-ba/cua-toi`: publishes or changes it, or removes
/// it (`remove=1`).
pub async fn save(
    State(state): State<AppState>,
    user: PortalUser,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    if get("remove") == "1" {
        dir::remove(&state.app, user.account_id, user.person_id, &user.ip)
            .await
            .map_err(page_err(user.lang))?;
        return Ok(Redirect::to("/kieu-bao/danh-ba/cua-toi").into_response());
    }
    let shown: BTreeSet<String> = form
        .iter()
        .filter(|(n, _)| n == "show")
        .map(|(_, v)| v.clone())
        .filter(|v| dir::FIELDS.contains(&v.as_str()))
        .collect();
    let input = dir::EntryInput {
        display_name: get("display_name"),
        intro: get("intro"),
        shown,
    };
    match dir::save(
        &state.app,
        user.account_id,
        user.person_id,
        &user.ip,
        &input,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/kieu-bao/danh-ba/cua-toi").into_response()),
        Err(app::AppError::Forbidden) => mine_page(&state, &user, None, Vec::new()).await,
        Err(e) => {
            let (status, errors) = refusal(t, e)?;
            let mut resp = mine_page(
                &state,
                &user,
                Some((input.display_name, input.intro, input.shown)),
                errors,
            )
            .await?;
            *resp.status_mut() = status;
            Ok(resp)
        }
    }
}

// ---------------------------------------------------------------- officers

/// A report as the officers read it.
pub struct ReportShown {
    pub id: i64,
    pub entry_id: i64,
    pub person_id: i64,
    pub name: String,
    pub intro: String,
    pub reason: String,
    pub at: String,
    pub status: String,
    pub open: bool,
}

#[derive(Template)]
#[template(path = "portal/directory_reports.html")]
struct ReportsPage {
    l: Layout,
    t: Tr,
    reports: Vec<ReportShown>,
}

/// `GET /portal/directory-reports`: reports of abuse, open ones first
/// (province officers; the view is audited).
pub async fn reports(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let list = dir::reports(&state.app, &user.actor)
        .await
        .map_err(page_err(user.lang))?;
    let l = Layout::for_user(&user);
    let t = l.t;
    render(&ReportsPage {
        t,
        reports: list
            .iter()
            .map(|r| ReportShown {
                id: r.id,
                entry_id: r.entry_id,
                person_id: r.person_id,
                name: r.display_name.clone(),
                intro: r.intro.clone(),
                reason: r.reason.clone(),
                at: t.time(&r.at),
                status: t.label("directory_report_status", &r.status),
                open: r.status == "open",
            })
            .collect(),
        l,
    })
}

#[derive(Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    decision: String,
}

/// `POST /portal/directory-reports/{id}`: hide the entry, or dismiss.
pub async fn decide(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> Result<Response, PageError> {
    let hide = match f.decision.as_str() {
        "hide" => true,
        "dismiss" => false,
        _ => {
            return Err(PageError {
                err: app::AppError::invalid_field("decision", "required"),
                lang: user.lang,
            });
        }
    };
    dir::decide(&state.app, &user.actor, id, hide)
        .await
        .map_err(page_err(user.lang))?;
    Ok(Redirect::to("/portal/directory-reports").into_response())
}
