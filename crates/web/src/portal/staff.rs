//! The officers' side of the portal: the queue of claims with the
//! candidates the matching engine proposed (link, create, refuse), the
//! queue of corrections shown as a diff and decided field by field, and
//! the administrators' outbox of e-mail not sent (no SMTP server).
//! Decisions reach the person by e-mail and on their page.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::mail::{Kind, compose};
use super::pages::{ChangeShown, change_shown, error_lines};
use crate::AppState;
use crate::error::PageError;
use crate::extract::User;
use crate::i18n::Tr;
use crate::pages::{Layout, page_err, render};

/// A claim in the queue or on its page.
pub struct ClaimRow {
    pub id: i64,
    pub name: String,
    pub birth: String,
    pub hometown: String,
    pub country: String,
    pub city: String,
    pub phone: String,
    pub email: String,
    pub at: String,
}

fn claim_row(t: Tr, c: &app::portal::claims::Claim) -> ClaimRow {
    ClaimRow {
        id: c.id,
        name: c.full_name.clone(),
        birth: t.value("birth_date", c.birth_date.as_deref().unwrap_or_default()),
        hometown: c.hometown_text.clone(),
        country: t.label("country", &c.country),
        city: c.city.clone(),
        phone: c.phone.clone(),
        email: c.email.clone(),
        at: t.time(&c.created_at),
    }
}

#[derive(Template)]
#[template(path = "portal/queue.html")]
struct ClaimsPage {
    l: Layout,
    t: Tr,
    claims: Vec<ClaimRow>,
    changes: Vec<(i64, String, String, String)>,
}

/// `GET /portal/claims`: claims and corrections waiting within jurisdiction.
pub async fn queue(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let lang = user.lang;
    let claims = app::portal::claims::queue(&state.app, &user.actor)
        .await
        .map_err(page_err(lang))?;
    let changes = app::portal::changes::queue(&state.app, &user.actor)
        .await
        .map_err(page_err(lang))?;
    let l = Layout::for_user(&user);
    let t = l.t;
    render(&ClaimsPage {
        t,
        claims: claims.iter().map(|c| claim_row(t, c)).collect(),
        changes: changes
            .iter()
            .map(|c| {
                (
                    c.id,
                    c.person_name.clone(),
                    c.fields
                        .iter()
                        .map(|f| t.field(&f.field))
                        .collect::<Vec<_>>()
                        .join(", "),
                    t.time(&c.created_at),
                )
            })
            .collect(),
        l,
    })
}

/// A candidate as the officer reads it.
pub struct CandidateRow {
    pub person_id: i64,
    pub name: String,
    pub birth: String,
    pub hometown: String,
    pub country: String,
    pub city: String,
    /// "87 %".
    pub score: String,
}

#[derive(Template)]
#[template(path = "portal/claim_review.html")]
struct ClaimPage {
    l: Layout,
    t: Tr,
    c: ClaimRow,
    status: String,
    pending: bool,
    reason: String,
    person_id: Option<i64>,
    candidates: Vec<CandidateRow>,
    errors: Vec<String>,
}

async fn claim_page(
    state: &AppState,
    user: &User,
    id: i64,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let (claim, candidates) = app::portal::claims::for_officer(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    let l = Layout::for_user(user);
    let t = l.t;
    render(&ClaimPage {
        t,
        c: claim_row(t, &claim),
        status: t.label("claim_status", &claim.status),
        pending: claim.status == "pending",
        reason: claim.reason.clone(),
        person_id: claim.person_id,
        candidates: candidates
            .iter()
            .map(|c| CandidateRow {
                person_id: c.person_id,
                name: c.full_name.clone(),
                birth: t.value("birth_date", c.birth_date.as_deref().unwrap_or_default()),
                hometown: c.hometown_text.clone(),
                country: t.label("country", &c.country),
                city: c.city_abroad.clone(),
                score: format!("{:.0} %", c.probability * 100.0),
            })
            .collect(),
        errors,
        l,
    })
}

/// `GET /portal/claims/{id}` (the view is audited).
pub async fn claim(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    claim_page(&state, &user, id, Vec::new()).await
}

/// Tells the person the claim was decided (in their language).
async fn tell_claim(state: &AppState, headers: &HeaderMap, id: i64) {
    let Ok(row) = contact_of_claim(state, id).await else {
        return;
    };
    let (email, lang) = row;
    let base = crate::security::expected_origin(state, headers).unwrap_or_default();
    app::mail::send_later(
        &state.app,
        compose(
            &lang,
            Kind::ClaimDecided,
            &email,
            &format!("{base}/kieu-bao/record"),
            &[],
        ),
    );
}

async fn contact_of_claim(state: &AppState, claim_id: i64) -> app::AppResult<(String, String)> {
    let account = app::portal::claims::account_of(&state.app, claim_id).await?;
    app::portal::accounts::contact(&state.app, account).await
}

async fn after_decision(
    state: &AppState,
    user: &User,
    headers: &HeaderMap,
    id: i64,
    result: app::AppResult<()>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => {
            tell_claim(state, headers, id).await;
            Ok(Redirect::to(&format!("/portal/claims/{id}")).into_response())
        }
        Err(app::AppError::Invalid(errors)) => {
            let lines = error_lines(Tr::new(user.lang), &errors);
            let mut resp = claim_page(state, user, id, lines).await?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(app::AppError::Conflict(why)) => {
            let t = Tr::new(user.lang);
            let line = t
                .get(&format!("portal.conflict.{why}"))
                .unwrap_or_else(|| t.s("error.conflict"))
                .to_owned();
            let mut resp = claim_page(state, user, id, vec![line]).await?;
            *resp.status_mut() = StatusCode::CONFLICT;
            Ok(resp)
        }
        Err(e) => Err(page_err(user.lang)(e)),
    }
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    person_id: String,
}

/// `POST /portal/claims/{id}/link`: links the account to a record in reach.
pub async fn link(
    State(state): State<AppState>,
    user: User,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<LinkForm>,
) -> Result<Response, PageError> {
    let result = match f.person_id.trim().trim_start_matches('#').parse::<i64>() {
        Ok(pid) => app::portal::claims::link(&state.app, &user.actor, id, pid).await,
        Err(_) => Err(app::AppError::invalid_field("person_id", "required")),
    };
    after_decision(&state, &user, &headers, id, result).await
}

/// `POST /portal/claims/{id}/create`: a new record from the claim.
pub async fn create(
    State(state): State<AppState>,
    user: User,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let result = app::portal::claims::create_record(&state.app, &user.actor, id)
        .await
        .map(|_| ());
    after_decision(&state, &user, &headers, id, result).await
}

#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// `POST /portal/claims/{id}/refuse`: with a reason the person reads.
pub async fn refuse(
    State(state): State<AppState>,
    user: User,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, PageError> {
    let result = app::portal::claims::refuse(&state.app, &user.actor, id, &f.reason).await;
    after_decision(&state, &user, &headers, id, result).await
}

// ---------------------------------------------------------------- corrections

#[derive(Template)]
#[template(path = "portal/change_review.html")]
struct ChangePage {
    l: Layout,
    t: Tr,
    id: i64,
    person_id: i64,
    person_name: String,
    pending: bool,
    c: ChangeShown,
    /// Field codes, in the order of `c.fields`.
    codes: Vec<String>,
    errors: Vec<String>,
}

async fn change_page(
    state: &AppState,
    user: &User,
    id: i64,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let c = app::portal::changes::for_officer(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    let l = Layout::for_user(user);
    let t = l.t;
    let reveal = app::access::authorize(&user.actor, app::access::Action::PersonReveal).is_ok();
    let mut shown = change_shown(t, &c);
    for (f, s) in c.fields.iter().zip(shown.fields.iter_mut()) {
        if app::access::is_sensitive(&f.field) && !reveal {
            s.old = app::access::mask(&s.old);
        }
    }
    render(&ChangePage {
        t,
        id,
        person_id: c.person_id,
        person_name: c.person_name.clone(),
        pending: c.status == "pending",
        codes: c.fields.iter().map(|f| f.field.clone()).collect(),
        c: shown,
        errors,
        l,
    })
}

/// `GET /portal/changes/{id}`: the diff (the view is audited).
pub async fn change(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    change_page(&state, &user, id, Vec::new()).await
}

/// `POST /portal/changes/{id}`: `decision_<field>` = `accept` or `refuse`,
/// `reason_<field>` (required for a refusal).
pub async fn decide(
    State(state): State<AppState>,
    user: User,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let decisions: Vec<app::portal::changes::FieldDecision> = form
        .iter()
        .filter_map(|(k, v)| {
            let field = k.strip_prefix("decision_")?;
            let accept = match v.as_str() {
                "accept" => true,
                "refuse" => false,
                _ => return None,
            };
            Some(app::portal::changes::FieldDecision {
                field: field.to_owned(),
                accept,
                reason: form
                    .get(&format!("reason_{field}"))
                    .cloned()
                    .unwrap_or_default(),
            })
        })
        .collect();
    match app::portal::changes::decide(&state.app, &user.actor, id, &decisions).await {
        Ok(_) => {
            if let Ok(c) = app::portal::changes::for_officer(&state.app, &user.actor, id).await
                && let Ok((email, lang)) =
                    app::portal::accounts::contact(&state.app, c.account_id).await
            {
                let t = Tr::new(crate::i18n::Lang::from_code(&lang));
                let lines: Vec<String> = change_shown(t, &c)
                    .fields
                    .iter()
                    .map(|f| {
                        if f.reason.is_empty() {
                            format!("{}: {} — {}", f.label, f.new, f.decision)
                        } else {
                            format!("{}: {} — {} ({})", f.label, f.new, f.decision, f.reason)
                        }
                    })
                    .collect();
                let base = crate::security::expected_origin(&state, &headers).unwrap_or_default();
                app::mail::send_later(
                    &state.app,
                    compose(
                        &lang,
                        Kind::ChangeDecided,
                        &email,
                        &format!("{base}/kieu-bao/record"),
                        &lines,
                    ),
                );
            }
            Ok(Redirect::to("/portal/claims").into_response())
        }
        Err(app::AppError::Invalid(errors)) => {
            let lines = error_lines(Tr::new(user.lang), &errors);
            let mut resp = change_page(&state, &user, id, lines).await?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(page_err(user.lang)(e)),
    }
}

// ---------------------------------------------------------------- outbox

/// A message of the outbox as listed.
pub struct OutboxRow {
    pub at: String,
    pub to: String,
    pub subject: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "portal/outbox.html")]
struct OutboxPage {
    l: Layout,
    t: Tr,
    uses_outbox: bool,
    messages: Vec<OutboxRow>,
}

/// `GET /admin/outbox`: e-mail written to the outbox (no SMTP server).
pub async fn outbox(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let messages = app::mail::outbox(&state.app, &user.actor, 200)
        .await
        .map_err(page_err(user.lang))?;
    let l = Layout::for_user(&user);
    let t = l.t;
    render(&OutboxPage {
        t,
        uses_outbox: app::mail::uses_outbox(&state.app),
        messages: messages
            .into_iter()
            .map(|m| OutboxRow {
                at: t.time(&m.at),
                to: m.message.to,
                subject: m.message.subject,
                text: m.message.text,
            })
            .collect(),
        l,
    })
}
