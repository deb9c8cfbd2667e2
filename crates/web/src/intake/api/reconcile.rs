//! Reconciliation's JSON API: the comparison of two lists, visit lists
//! (xlsx, docx), visit results, growth between rounds.

use app::intake::reconcile::{
    self, Growth, PlanInput, ReconcileQuery, Reconciliation, Round, RoundInput, SignInput,
    SignOutcome, VisitInput,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::ApiUser;
use crate::extract::parse_input;
use crate::intake::pages::reconcile::{GrowthQuery, visit_context};
use crate::pages::{XLSX, attachment};

/// `GET /api/v1/reconcile/visits.docx?round=&a=&b=&commune=`.
#[utoipa::path(get, path = "/api/v1/reconcile/visits.docx", tag = "linkage", params(ReconcileQuery),
    responses((status = 200, description = "The re-verification list as a Word document (audited export).", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden),
              (status = 422, response = crate::problems::Invalid)),
    security(("bearer" = [])))]
pub async fn api_visit_list_docx(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(q): Query<ReconcileQuery>,
) -> Result<Response, ApiError> {
    let ctx = visit_context(&state, &actor, &q.round);
    let bytes = reconcile::visit_list_docx(&state.app, &actor, &q, &ctx).await?;
    Ok(attachment(
        bytes,
        crate::pages::DOCX,
        &format!("xac-minh-{}.docx", q.round.trim()),
    ))
}

/// `GET /api/v1/reconcile?round=&a=&b=&commune=`.
#[utoipa::path(get, path = "/api/v1/reconcile", tag = "linkage", params(ReconcileQuery),
    responses((status = 200, description = "Per-commune counts (in A, in B, agreed, conflicting, only in A, only in B, pairs awaiting review) and every person with its class.", body = Reconciliation),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden),
              (status = 422, response = crate::problems::Invalid)),
    security(("bearer" = [])))]
pub async fn api_reconcile(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(q): Query<ReconcileQuery>,
) -> Result<Json<Reconciliation>, ApiError> {
    Ok(Json(reconcile::reconcile(&state.app, &actor, &q).await?))
}

/// `GET /api/v1/reconcile/visits.xlsx?round=&a=&b=&commune=`.
#[utoipa::path(get, path = "/api/v1/reconcile/visits.xlsx", tag = "linkage", params(ReconcileQuery),
    responses((status = 200, description = "The re-verification list (audited export).", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden),
              (status = 422, response = crate::problems::Invalid)),
    security(("bearer" = [])))]
pub async fn api_visit_list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(q): Query<ReconcileQuery>,
) -> Result<Response, ApiError> {
    let bytes = reconcile::visit_list_xlsx(&state.app, &actor, &q).await?;
    Ok(attachment(
        bytes,
        XLSX,
        &format!("xac-minh-{}.xlsx", q.round.trim()),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct VisitBody {
    id: i64,
}

/// `POST /api/v1/reconcile/visits`.
#[utoipa::path(post, path = "/api/v1/reconcile/visits", tag = "linkage", request_body = VisitInput,
    responses((status = 201, description = "Recorded; the record's verification status is the result.", body = VisitBody),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden),
              (status = 404, response = crate::problems::NotFound),
              (status = 422, response = crate::problems::Invalid)),
    security(("bearer" = [])))]
pub async fn api_visit(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    body: Bytes,
) -> Result<Response, ApiError> {
    let v: VisitInput = parse_input(&body)?;
    let id = reconcile::record_visit(&state.app, &actor, &v).await?;
    Ok((StatusCode::CREATED, Json(VisitBody { id })).into_response())
}

/// `GET /api/v1/growth?from=&to=`.
#[utoipa::path(get, path = "/api/v1/growth", tag = "linkage", params(GrowthQuery),
    responses((status = 200, description = "People named by a round's lists, per category, new commune and legacy district, in both rounds.", body = Growth),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden),
              (status = 422, response = crate::problems::Invalid)),
    security(("bearer" = [])))]
pub async fn api_growth(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(q): Query<GrowthQuery>,
) -> Result<Json<Growth>, ApiError> {
    Ok(Json(
        reconcile::growth(&state.app, &actor, &q.from, &q.to).await?,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PlanBody {
    /// How many visits were planned.
    planned: usize,
}

/// `POST /api/v1/reconcile/visits/plan`.
#[utoipa::path(post, path = "/api/v1/reconcile/visits/plan", tag = "linkage", request_body = PlanInput,
    responses((status = 200, description = "Visits planned: one per person (a still-planned visit of the same person and round is replaced).", body = PlanBody),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden),
              (status = 404, response = crate::problems::NotFound),
              (status = 422, response = crate::problems::Invalid)),
    security(("bearer" = [])))]
pub async fn api_plan(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    body: Bytes,
) -> Result<Json<PlanBody>, ApiError> {
    let p: PlanInput = parse_input(&body)?;
    let planned = reconcile::plan_visits(&state.app, &actor, &p).await?;
    Ok(Json(PlanBody { planned }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RoundCreated {
    code: String,
}

/// `POST /api/v1/reconcile/rounds`.
#[utoipa::path(post, path = "/api/v1/reconcile/rounds", tag = "linkage", request_body = RoundInput,
    responses((status = 201, description = "Declared (or declared again while not locked: its signatures no longer hold).", body = RoundCreated),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden),
              (status = 422, response = crate::problems::Invalid)),
    security(("bearer" = [])))]
pub async fn api_declare(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: RoundInput = parse_input(&body)?;
    let code = reconcile::declare_round(&state.app, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(RoundCreated { code })).into_response())
}

/// `GET /api/v1/reconcile/rounds/{code}`.
#[utoipa::path(get, path = "/api/v1/reconcile/rounds/{code}", tag = "linkage",
    params(("code" = String, Path, description = "The round's code.")),
    responses((status = 200, description = "The declared round, its signatures and lock.", body = Round),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden),
              (status = 404, response = crate::problems::NotFound)),
    security(("bearer" = [])))]
pub async fn api_round(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(code): Path<String>,
) -> Result<Json<Round>, ApiError> {
    app::access::authorize(&actor, app::access::Action::PersonList)?;
    let r = reconcile::round_of(&state.app, &code)
        .await?
        .ok_or(app::AppError::NotFound)?;
    Ok(Json(r))
}

/// `POST /api/v1/reconcile/rounds/{code}/sign-off`.
#[utoipa::path(post, path = "/api/v1/reconcile/rounds/{code}/sign-off", tag = "linkage",
    params(("code" = String, Path, description = "The round's code.")),
    request_body = SignInput,
    responses((status = 200, description = "Signed; the round is locked once both agencies signed the same figures.", body = SignOutcome),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden),
              (status = 404, response = crate::problems::NotFound),
              (status = 422, response = crate::problems::Invalid)),
    security(("bearer" = [])))]
pub async fn api_sign_off(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Json<SignOutcome>, ApiError> {
    let input: SignInput = parse_input(&body)?;
    Ok(Json(
        reconcile::sign_off(&state.app, &actor, &code, &input).await?,
    ))
}
