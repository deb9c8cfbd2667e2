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

// ------------------------------------------------------------ exchange files

use app::exchange::export::{self, ExportRequest, Format};
use app::exchange::log::{self, Exchange, ExchangeItem};
use app::exchange::receive::{self, AcceptedAll, Received};

/// Filters of an export.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `jsonl` (default) or `xlsx`.
    #[param(pattern = "^(jsonl|xlsx)?$")]
    pub format: Option<String>,
    /// Only records changed on or after this day (`YYYY-MM-DD`).
    pub since: Option<String>,
    /// Only people whose last act for this purpose gave consent
    /// (`national_sharing`, `directory`, `news`, `keep_record`).
    pub consented_to: Option<String>,
}

impl ExportParams {
    pub(crate) fn request(&self) -> Result<ExportRequest, app::AppError> {
        Ok(ExportRequest {
            format: Format::parse(self.format.as_deref().unwrap_or_default())?,
            since: self.since.clone(),
            consented_to: self.consented_to.clone(),
        })
    }
}

/// Starts an export and answers its file as a stream: the rows are read
/// page by page while the body is sent (see [`app::exchange::export`]).
pub(crate) async fn stream_export(
    state: &AppState,
    actor: &app::Actor,
    req: &ExportRequest,
) -> Result<Response, app::AppError> {
    let started = export::start(&state.app, actor, req).await?;
    let ctype = started.format.content_type();
    let name = started.file_name.clone();
    let (send, mut recv) = tokio::sync::mpsc::channel::<Vec<u8>>(8);
    let app = state.app.clone();
    tokio::spawn(async move {
        let mut sink = export::ChannelSink(send);
        if let Err(e) = started.run(&app, &mut sink).await {
            tracing::warn!(error = %e, "export stopped");
        }
    });
    let stream = futures_util::stream::poll_fn(move |cx| {
        recv.poll_recv(cx)
            .map(|o| o.map(|c| Ok::<_, std::io::Error>(Bytes::from(c))))
    });
    let mut resp = axum::body::Body::from_stream(stream).into_response();
    let h = resp.headers_mut();
    h.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static(ctype),
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(axum::http::header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

/// `GET /api/v1/exchange/export`: the registry in the exchange format.
#[utoipa::path(
    get,
    path = "/api/v1/exchange/export",
    tag = "exchange",
    params(ExportParams),
    responses(
        (status = 200, description = "The file, streamed: JSON Lines (a header line, then associations, households, people and relatives; see /api/v1/exchange/schema) or a workbook in the national reporting layout. Only records within the caller's jurisdiction; sensitive fields only for roles that may reveal them. Logged and audited.", content(
            (String = "application/x-ndjson"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn exchange_export(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(q): Query<ExportParams>,
) -> Result<Response, ApiError> {
    let req = q.request()?;
    Ok(stream_export(&state, &actor, &req).await?)
}

/// `GET /api/v1/exchange/schema`: the JSON Schema of the format's lines.
#[utoipa::path(
    get,
    path = "/api/v1/exchange/schema",
    tag = "exchange",
    responses(
        (status = 200, description = "The JSON Schema (draft 2020-12) every line of a version 1 file is valid against.", content_type = "application/schema+json"),
        (status = 401, response = crate::problems::Unauthorized),
    ),
    security(("bearer" = []))
)]
pub async fn exchange_schema(ApiUser(_actor): ApiUser) -> Response {
    schema_document()
}

/// The format's JSON Schema as a response.
pub(crate) fn schema_document() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/schema+json")],
        app::exchange::format::SCHEMA,
    )
        .into_response()
}

/// `POST /api/v1/exchange/imports`: receive a file (the body, JSON Lines).
#[utoipa::path(
    post,
    path = "/api/v1/exchange/imports",
    tag = "exchange",
    request_body(description = "A file in the exchange format (JSON Lines).", content(
        (String = "application/x-ndjson"),
        (String = "text/plain")
    )),
    responses(
        (status = 201, description = "Every record matched against the registry and waiting for review; nothing applied yet (audited).", body = Received),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn exchange_receive(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let name = headers
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("exchange.jsonl")
        .to_owned();
    let r = receive::receive(&state.app, &actor, &name, &body).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

/// Filter of the exchange log.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ExchangesParams {
    /// `export` or `import`; default both.
    #[param(pattern = "^(export|import)?$")]
    pub direction: Option<String>,
}

/// `GET /api/v1/exchanges`: the exchanges in and out, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/exchanges",
    tag = "exchange",
    params(ExchangesParams),
    responses(
        (status = 200, description = "The latest 200 exchanges: who, when, the file's SHA-256 and size, the counts.", body = Vec<Exchange>),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn exchanges_list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(q): Query<ExchangesParams>,
) -> Result<Json<Vec<Exchange>>, ApiError> {
    let d = q.direction.as_deref().filter(|s| !s.is_empty());
    if d.is_some_and(|d| d != "export" && d != "import") {
        return Err(app::AppError::invalid_field("direction", "unknown_direction").into());
    }
    Ok(Json(log::list(&state.app, &actor, d, 200).await?))
}

/// One exchange with its records.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExchangeDetail {
    pub exchange: Exchange,
    pub items: Vec<ExchangeItem>,
}

/// `GET /api/v1/exchanges/{id}`: one exchange, a received file's records
/// with what the matching found.
#[utoipa::path(
    get,
    path = "/api/v1/exchanges/{id}",
    tag = "exchange",
    params(("id" = i64, Path, description = "Exchange id")),
    responses(
        (status = 200, description = "The exchange and its records: conflicts first, then changes, new records, refused lines and the same records (audited).", body = ExchangeDetail),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn exchanges_get(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ExchangeDetail>, ApiError> {
    let (exchange, items) = log::get(&state.app, &actor, id).await?;
    Ok(Json(ExchangeDetail { exchange, items }))
}

/// Answers a kept file.
pub(crate) async fn kept_file(
    state: &AppState,
    actor: &app::Actor,
    id: i64,
) -> Result<Response, app::AppError> {
    let (name, format, path) = log::file(&state.app, actor, id).await?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| app::AppError::Unexpected(e.into()))?;
    let ctype = Format::parse(&format).map_or("application/octet-stream", |f| f.content_type());
    Ok(crate::pages::attachment(bytes, ctype, &name))
}

/// `GET /api/v1/exchanges/{id}/file`: the file again, as sent or received.
#[utoipa::path(
    get,
    path = "/api/v1/exchanges/{id}/file",
    tag = "exchange",
    params(("id" = i64, Path, description = "Exchange id")),
    responses(
        (status = 200, description = "The kept file, byte for byte (its SHA-256 is the log's); audited.", content(
            (String = "application/x-ndjson"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn exchanges_file(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(kept_file(&state, &actor, id).await?)
}

/// The decision on a record of a received file.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// `accept` (apply it, the sender as its source) or `reject`.
    pub decision: String,
}

/// What a decision did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Decided {
    /// The person created or changed (an accepted person).
    pub person_id: Option<i64>,
    /// `person`, `household`, `relative` or `association`.
    pub record_type: String,
    /// The registry's record created or changed (accepted, any kind).
    pub record_id: Option<i64>,
}

/// `POST /api/v1/exchanges/{id}/items/{item}`: accept or reject a record.
#[utoipa::path(
    post,
    path = "/api/v1/exchanges/{id}/items/{item}",
    tag = "exchange",
    params(("id" = i64, Path, description = "Exchange id"), ("item" = i64, Path, description = "Item id")),
    request_body(content = DecisionInput),
    responses(
        (status = 200, description = "Decided (audited), in one transaction: an accepted new record is registered, an accepted change or conflict writes the file's values as a new version; a relative needs its person and household accepted first.", body = Decided),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
        (status = 409, description = "Already decided (also when another officer decided it at the same moment), or nothing to decide."),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn exchanges_decide(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, item)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Json<Decided>, ApiError> {
    let input: DecisionInput = parse_input(&body)?;
    let accept = match input.decision.as_str() {
        "accept" => true,
        "reject" => false,
        _ => return Err(app::AppError::invalid_field("decision", "unknown_decision").into()),
    };
    let d = receive::decide(&state.app, &actor, id, item, accept).await?;
    Ok(Json(Decided {
        person_id: d.record_id.filter(|_| d.record_type == "person"),
        record_type: d.record_type,
        record_id: d.record_id,
    }))
}

/// `POST /api/v1/exchanges/{id}/accept`: accept every pending record of a
/// received file, in one transaction.
#[utoipa::path(
    post,
    path = "/api/v1/exchanges/{id}/accept",
    tag = "exchange",
    params(("id" = i64, Path, description = "Exchange id")),
    responses(
        (status = 200, description = "Every pending record accepted (audited): associations and households first, then people, then relatives. When one is refused (422) nothing is written, and each error names the line of the file (`lines.7.name`).", body = AcceptedAll),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
        (status = 409, description = "Nothing pending: every record is decided already."),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn exchanges_accept_all(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<AcceptedAll>, ApiError> {
    Ok(Json(receive::accept_all(&state.app, &actor, id).await?))
}
