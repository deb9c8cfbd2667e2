//! Commendations (issue 22 §7): the list with the proposal form and the
//! decision forms, and the JSON API.

use app::AppError;
use app::community::commendations::{self, Commendation, CommendationInput, DecisionInput, LEVELS};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::Deserialize;

use crate::AppState;
use crate::access::{Access, Route, route};
use crate::error::{ApiError, PageError};
use crate::extract::{ApiUser, User, parse_input};
use crate::i18n::Tr;
use crate::pages::{Layout, page_err, render};
use crate::registry::api::{require_if_match, with_etag};

/// The commendations' routes, each classified.
pub fn routes() -> Vec<Route> {
    use Access::{Session, Token};
    vec![
        route(
            "GET",
            "/commendations",
            Session,
            "roles reading events (recipients within reach)",
            axum::routing::get(list),
        ),
        route(
            "POST",
            "/commendations",
            Session,
            "province officers, missions (recipients within reach)",
            axum::routing::post(propose),
        ),
        route(
            "POST",
            "/commendations/{id}/decision",
            Session,
            "province officers, missions (recipients within reach)",
            axum::routing::post(decide),
        ),
        route(
            "GET",
            "/api/v1/commendations",
            Token,
            "read scope, roles reading events (recipients within reach)",
            axum::routing::get(api_list),
        ),
        route(
            "POST",
            "/api/v1/commendations",
            Token,
            "write scope, province officers, missions (recipients within reach)",
            axum::routing::post(api_propose),
        ),
        route(
            "PATCH",
            "/api/v1/commendations/{id}",
            Token,
            "write scope, province officers, missions (recipients within reach; If-Match)",
            axum::routing::patch(api_decide),
        ),
    ]
}

/// `GET /api/v1/commendations`.
#[utoipa::path(get, path = "/api/v1/commendations", tag = "commendations",
    responses((status = 200, description = "Commendations of people and associations within reach, newest first.", body = [Commendation]),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden)),
    security(("bearer" = [])))]
pub async fn api_list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<Commendation>>, ApiError> {
    Ok(Json(commendations::list(&state.app, &actor).await?))
}

/// `POST /api/v1/commendations`: a proposal.
#[utoipa::path(post, path = "/api/v1/commendations", tag = "commendations",
    request_body(content = CommendationInput, description = "A person or an association within reach, a level and a reason."),
    responses((status = 201, description = "Proposed (audited).", body = Commendation,
               headers(("ETag" = String, description = "The version, for If-Match"))),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden),
              (status = 422, response = crate::problems::Invalid)),
    security(("bearer" = [])))]
pub async fn api_propose(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: CommendationInput = parse_input(&body)?;
    let c = commendations::propose(&state.app, &actor, &input).await?;
    Ok(with_etag(StatusCode::CREATED, &c, c.version))
}

/// `PATCH /api/v1/commendations/{id}`: the decision, with `If-Match`.
#[utoipa::path(patch, path = "/api/v1/commendations/{id}", tag = "commendations",
    params(("id" = i64, Path, description = "Commendation id"),
           ("If-Match" = String, Header, description = "The ETag last read, e.g. `\"1\"`, or `*`")),
    request_body(content = DecisionInput, description = "Approved (with the decision's number and date) or refused."),
    responses((status = 200, description = "Decided (audited).", body = Commendation,
               headers(("ETag" = String, description = "The new version"))),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden),
              (status = 404, response = crate::problems::NotFound),
              (status = 412, response = crate::problems::Stale),
              (status = 422, response = crate::problems::Invalid),
              (status = 428, response = crate::problems::IfMatchRequired)),
    security(("bearer" = [])))]
pub async fn api_decide(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let expected = match require_if_match(&headers) {
        Ok(v) => v,
        Err(resp) => return Ok(resp),
    };
    let input: DecisionInput = parse_input(&body)?;
    let c = commendations::decide(&state.app, &actor, id, expected, &input).await?;
    Ok(with_etag(StatusCode::OK, &c, c.version))
}

struct RowView {
    id: i64,
    version: i64,
    recipient: String,
    link: String,
    level: String,
    reason: String,
    proposed_on: String,
    status: String,
    decision: String,
    pending: bool,
}

#[derive(Template)]
#[template(path = "community/commendations/list.html")]
struct ListPage {
    l: Layout,
    t: Tr,
    rows: Vec<RowView>,
    levels: Vec<(String, String)>,
    can_manage: bool,
    errors: Vec<String>,
}

async fn list_page(
    state: &AppState,
    user: &User,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let l = Layout::for_user(user);
    let t = l.t;
    let rows = commendations::list(&state.app, &user.actor)
        .await
        .map_err(page_err(user.lang))?
        .into_iter()
        .map(|c| RowView {
            id: c.id,
            version: c.version,
            link: match (c.person_id, c.association_id) {
                (Some(p), _) => format!("/people/{p}"),
                (_, Some(a)) => format!("/associations/{a}"),
                _ => String::new(),
            },
            recipient: c.recipient,
            level: t.label("commendation_level", &c.level),
            reason: c.reason,
            proposed_on: t.day(&c.proposed_on),
            status: t.label("commendation_status", &c.status),
            decision: match &c.decision_date {
                Some(d) => format!("{} ({})", c.decision_number, t.day(d)),
                None => c.decision_number.clone(),
            },
            pending: c.status == "proposed",
        })
        .collect();
    render(&ListPage {
        levels: LEVELS
            .iter()
            .map(|c| ((*c).to_owned(), t.label("commendation_level", c)))
            .collect(),
        can_manage: commendations::may_manage(&user.actor),
        rows,
        errors,
        l,
        t,
    })
}

/// `GET /commendations`.
pub async fn list(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    list_page(&state, &user, Vec::new()).await
}

fn number(text: &str) -> Option<i64> {
    let t = text.trim().trim_start_matches('#');
    let t = t.rsplit_once('#').map_or(t, |(_, n)| n).trim();
    (!t.is_empty()).then(|| t.parse().unwrap_or(-1))
}

async fn refused(state: &AppState, user: &User, err: AppError) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let lines = match err {
        AppError::Invalid(errs) => errs
            .iter()
            .map(|e| {
                format!(
                    "{}: {}",
                    t.field(&e.field),
                    t.get(&format!("code.{}", e.code))
                        .unwrap_or(e.code.as_str())
                )
            })
            .collect(),
        AppError::PreconditionFailed { .. } => vec![t.s("events.stale").to_owned()],
        err => {
            return Err(PageError {
                err,
                lang: user.lang,
            });
        }
    };
    let mut resp = list_page(state, user, lines).await?;
    *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}

/// The proposal form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProposeForm {
    person: String,
    association: String,
    level: String,
    reason: String,
    proposed_on: String,
}

/// `POST /commendations`.
pub async fn propose(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<ProposeForm>,
) -> Result<Response, PageError> {
    let input = CommendationInput {
        person_id: number(&f.person),
        association_id: number(&f.association),
        level: Some(f.level),
        reason: Some(f.reason),
        proposed_on: Some(f.proposed_on),
    };
    match commendations::propose(&state.app, &user.actor, &input).await {
        Ok(_) => Ok(Redirect::to("/commendations").into_response()),
        Err(err) => refused(&state, &user, err).await,
    }
}

/// The decision form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    status: String,
    decision_number: String,
    decision_date: String,
    version: String,
}

/// `POST /commendations/{id}/decision`.
pub async fn decide(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, PageError> {
    let input = DecisionInput {
        status: Some(f.status),
        decision_number: Some(f.decision_number),
        decision_date: Some(f.decision_date),
    };
    let version = f.version.trim().parse().unwrap_or(-1);
    match commendations::decide(&state.app, &user.actor, id, version, &input).await {
        Ok(_) => Ok(Redirect::to("/commendations").into_response()),
        Err(err) => refused(&state, &user, err).await,
    }
}
