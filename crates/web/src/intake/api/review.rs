//! The duplicate review's JSON API: scan, pairs, decisions, merges and their undo.

use app::intake::matching::{self, Decision, MergeInput, MergeRow, PairRow, PairView, QueueFilter};
use app::intake::scan_jobs::{self, ScanJob};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::ApiUser;
use crate::extract::parse_input;

/// A scan job as the API answers it: its state and where to read it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ScanJobBody {
    #[serde(flatten)]
    job: ScanJob,
    /// Where the job's status is read (any server on the database answers).
    status_url: String,
}

fn job_body(job: ScanJob) -> ScanJobBody {
    ScanJobBody {
        status_url: format!("/api/v1/linkage/scans/{}", job.id),
        job,
    }
}

/// `POST /api/v1/linkage/scan`: starts comparing the records the token's
/// user may see, in the background; answers at once with the job.
#[utoipa::path(post, path = "/api/v1/linkage/scan", tag = "linkage",
    responses((status = 202, description = "The scan job, started, or the one already running for the same jurisdiction (one at a time); its status is read at `status_url` (also in the Location header). New pairs join the review queue when it is done.", body = ScanJobBody),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden)),
    security(("bearer" = [])))]
pub async fn api_scan(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Response, ApiError> {
    let (job, _) = scan_jobs::start(&state.app, &actor).await?;
    let body = job_body(job);
    let location = HeaderValue::from_str(&body.status_url).ok();
    let mut resp = (StatusCode::ACCEPTED, Json(body)).into_response();
    if let Some(v) = location {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

/// `GET /api/v1/linkage/scans/{id}`: a scan job's state.
#[utoipa::path(get, path = "/api/v1/linkage/scans/{id}", tag = "linkage",
    params(("id" = i64, Path, description = "Scan job id")),
    responses((status = 200, description = "The job: running (with the steps done), done (with what it found), failed, or interrupted (its server stopped; start another).", body = ScanJobBody),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden),
              (status = 404, response = crate::problems::NotFound)),
    security(("bearer" = [])))]
pub async fn api_scan_job(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ScanJobBody>, ApiError> {
    Ok(Json(job_body(
        scan_jobs::get(&state.app, &actor, id).await?,
    )))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PairsQuery {
    #[serde(default)]
    #[param(schema_with = app::api_schema::pair_status)]
    status: String,
    #[serde(default)]
    commune: String,
    #[serde(default)]
    #[param(schema_with = app::api_schema::agency)]
    source: String,
    #[serde(default)]
    #[param(schema_with = app::api_schema::found_by)]
    found_by: String,
    limit: Option<i64>,
    offset: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PairsBody {
    total: i64,
    pairs: Vec<PairRow>,
}

/// `GET /api/v1/linkage/pairs`: the review queue.
#[utoipa::path(get, path = "/api/v1/linkage/pairs", tag = "linkage", params(PairsQuery),
    responses((status = 200, description = "Pairs whose two records are live and visible, most probable first.", body = PairsBody),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden),
              (status = 422, response = crate::problems::Invalid)),
    security(("bearer" = [])))]
pub async fn api_pairs(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(q): Query<PairsQuery>,
) -> Result<Json<PairsBody>, ApiError> {
    let filter = QueueFilter {
        status: q.status,
        commune: q.commune,
        source: q.source,
        found_by: q.found_by,
    };
    let (pairs, total) = matching::queue(
        &state.app,
        &actor,
        &filter,
        q.limit.unwrap_or(100),
        q.offset.unwrap_or(0),
    )
    .await?;
    Ok(Json(PairsBody { total, pairs }))
}

/// `GET /api/v1/linkage/pairs/{id}`: a pair with both records and the explanation.
#[utoipa::path(get, path = "/api/v1/linkage/pairs/{id}", tag = "linkage",
    params(("id" = i64, Path, description = "Pair id")),
    responses((status = 200, description = "Both records (views audited, sensitive fields masked), fields side by side, explanation.", body = PairView),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden),
              (status = 404, response = crate::problems::NotFound)),
    security(("bearer" = [])))]
pub async fn api_pair(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<PairView>, ApiError> {
    Ok(Json(matching::pair(&state.app, &actor, id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    decision: Decision,
}

/// `POST /api/v1/linkage/pairs/{id}/decision`: `{"decision": "reject" | "skip" | "reopen"}`.
#[utoipa::path(post, path = "/api/v1/linkage/pairs/{id}/decision", tag = "linkage",
    params(("id" = i64, Path, description = "Pair id")),
    request_body = DecisionBody,
    responses((status = 204, description = "Decided; a rejected pair is never proposed again."),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden),
              (status = 404, response = crate::problems::NotFound),
              (status = 422, response = crate::problems::Invalid)),
    security(("bearer" = [])))]
pub async fn api_decide(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let b: DecisionBody = parse_input(&body)?;
    matching::decide(&state.app, &actor, id, b.decision).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MergedBody {
    id: i64,
}

/// `POST /api/v1/merges`: merges two records.
#[utoipa::path(post, path = "/api/v1/merges", tag = "linkage",
    request_body = MergeInput,
    responses((status = 201, description = "Merged; the merged record is kept, marked deleted, for unmerge.", body = MergedBody),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden),
              (status = 404, response = crate::problems::NotFound),
              (status = 412, response = crate::problems::Stale),
              (status = 422, response = crate::problems::Invalid)),
    security(("bearer" = [])))]
pub async fn api_merge(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: MergeInput = parse_input(&body)?;
    let id = matching::merge(&state.app, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(MergedBody { id })).into_response())
}

/// `GET /api/v1/merges`: recent merges.
#[utoipa::path(get, path = "/api/v1/merges", tag = "linkage",
    responses((status = 200, description = "Merges whose records are visible, newest first.", body = Vec<MergeRow>),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden)),
    security(("bearer" = [])))]
pub async fn api_merges(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<MergeRow>>, ApiError> {
    Ok(Json(matching::merges(&state.app, &actor, 500).await?))
}

/// `POST /api/v1/merges/{id}/undo`: unmerge.
#[utoipa::path(post, path = "/api/v1/merges/{id}/undo", tag = "linkage",
    params(("id" = i64, Path, description = "Merge id")),
    responses((status = 204, description = "Both records restored as they were before the merge."),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden),
              (status = 404, response = crate::problems::NotFound),
              (status = 422, response = crate::problems::Invalid)),
    security(("bearer" = [])))]
pub async fn api_unmerge(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    matching::unmerge(&state.app, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
