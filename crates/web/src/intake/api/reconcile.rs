//! Reconciliation's JSON API: the comparison of two lists, visit lists
//! (xlsx, docx), visit results, growth between rounds.

use app::intake::reconcile::{self, Growth, ReconcileQuery, Reconciliation, VisitInput};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
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
