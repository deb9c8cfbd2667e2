//! `GET /api/v1/changes`: the change feed (see [`app::exchange::changes`]);
//! `/api/v1/webhooks`: subscriptions, test events, the delivery log and
//! dead letters (see [`app::exchange::webhooks`]).

use app::exchange::changes::{self, ChangePage};
use app::exchange::webhooks::{self, Delivery, Subscription, SubscriptionInput};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiUser, parse_input};

/// Cursor and page size of `GET /api/v1/changes`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ChangesParams {
    /// Resume after this position: the `next` (or an event's `cursor`) of
    /// an earlier answer; omitted, the feed's beginning. Opaque.
    pub after: Option<String>,
    /// Events per page, 1 to 5000 (default 100).
    #[param(minimum = 1, maximum = 5000)]
    pub limit: Option<i64>,
}

/// `GET /api/v1/changes`: the changes after a cursor, in commit order.
#[utoipa::path(
    get,
    path = "/api/v1/changes",
    tag = "changes",
    params(ChangesParams),
    responses(
        (status = 200, description = "The creates, updates, deletes, merges, unmerges and restores of people after the cursor, in commit order, within the caller's jurisdiction (the record's hometown and country after the change). Resuming from `next` neither skips nor repeats an event, whichever server wrote it. Read each record through `/api/v1/people/{id}`; a page returning events is audited.", body = ChangePage),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn changes(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(q): Query<ChangesParams>,
) -> Result<Json<ChangePage>, ApiError> {
    let page = changes::changes(&state.app, &actor, q.after.as_deref(), q.limit).await?;
    Ok(Json(page))
}

/// `GET /api/v1/webhooks`: every subscription with its counts.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks",
    tag = "webhooks",
    responses(
        (status = 200, description = "Every subscription (never its secret) with its pending, delivered and dead deliveries.", body = Vec<Subscription>),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
    ),
    security(("bearer" = []))
)]
pub async fn webhooks_list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<Subscription>>, ApiError> {
    Ok(Json(webhooks::list(&state.app, &actor).await?))
}

/// `POST /api/v1/webhooks`: a new subscription, sent the changes from now on.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks",
    tag = "webhooks",
    request_body(content = SubscriptionInput, description = "The account whose jurisdiction filters the events, the URL, the signature's secret and the kinds of change (default all)."),
    responses(
        (status = 201, description = "Created (audited).", body = Subscription),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn webhooks_create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: SubscriptionInput = parse_input(&body)?;
    let s = webhooks::create(&state.app, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(s)).into_response())
}

/// The id of a queued delivery.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Queued {
    pub delivery: i64,
}

/// `POST /api/v1/webhooks/{id}/test`: queue a test event.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/{id}/test",
    tag = "webhooks",
    params(("id" = i64, Path, description = "Subscription id")),
    responses(
        (status = 202, description = "A test event is queued after what already waits (audited); its delivery shows in the log.", body = Queued),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn webhooks_test(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let delivery = webhooks::send_test(&state.app, &actor, id).await?;
    Ok((StatusCode::ACCEPTED, Json(Queued { delivery })).into_response())
}

/// Filter of the delivery log.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct DeliveryParams {
    /// `pending`, `delivered` or `dead` (the dead-letter list); default all.
    #[param(pattern = "^(pending|delivered|dead)?$")]
    pub status: Option<String>,
}

/// `GET /api/v1/webhooks/{id}/deliveries`: a subscription's delivery log.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks/{id}/deliveries",
    tag = "webhooks",
    params(("id" = i64, Path, description = "Subscription id"), DeliveryParams),
    responses(
        (status = 200, description = "The subscription's latest 200 deliveries, newest first.", body = Vec<Delivery>),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn webhooks_deliveries(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<DeliveryParams>,
) -> Result<Json<Vec<Delivery>>, ApiError> {
    let status = q.status.as_deref().filter(|s| !s.is_empty());
    Ok(Json(
        webhooks::deliveries(&state.app, &actor, Some(id), status, 200).await?,
    ))
}

/// `POST /api/v1/webhook-deliveries/{id}/retry`: send a dead delivery again.
#[utoipa::path(
    post,
    path = "/api/v1/webhook-deliveries/{id}/retry",
    tag = "webhooks",
    params(("id" = i64, Path, description = "Delivery id")),
    responses(
        (status = 204, description = "Pending again, its attempts counted afresh (audited)."),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn webhooks_retry(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    webhooks::retry(&state.app, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
