//! JSON API of the registry: `/api/v1/people`.

use app::people::{self, ListQuery, Person, PersonInput};
use app::{AppError, FieldError};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, problem};
use crate::extract::ApiUser;

/// A page of people.
#[derive(Debug, Serialize)]
pub struct PeoplePage {
    pub items: Vec<people::PersonRow>,
    /// Pass as `after` to get the next page; null on the last page.
    pub next: Option<i64>,
    pub total: i64,
}

/// `GET /api/v1/people`: filters as on the list page; `after` and `limit` page by id.
pub async fn list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(mut q): Query<ListQuery>,
) -> Result<Json<PeoplePage>, ApiError> {
    // Cursor paging is by id.
    q.sort = String::new();
    q.dir = String::new();
    q.page = None;
    let page = people::list(&state.app, &actor, &q).await?;
    Ok(Json(PeoplePage {
        items: page.items,
        next: page.next_after,
        total: page.total,
    }))
}

fn with_etag(status: StatusCode, p: &Person) -> Response {
    let mut resp = (status, Json(p)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", p.version)) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp
}

/// Parses a body, naming the offending field of a refused one.
fn parse_input(body: &[u8]) -> Result<PersonInput, ApiError> {
    serde_json::from_slice::<PersonInput>(body).map_err(|e| {
        let msg = e.to_string();
        let (field, code) = if msg.starts_with("unknown field") {
            (
                msg.split('`').nth(1).unwrap_or("body").to_owned(),
                "unknown_field",
            )
        } else {
            ("body".to_owned(), "invalid_json")
        };
        ApiError(AppError::Invalid(vec![FieldError::new(field, code)]))
    })
}

/// `POST /api/v1/people`: 201 with the record and its `ETag`.
pub async fn create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input = parse_input(&body)?;
    let p = people::create(&state.app, &actor, &input).await?;
    let mut resp = with_etag(StatusCode::CREATED, &p);
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/people/{}", p.id)) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

#[derive(Debug, Deserialize)]
pub struct ReadQuery {
    #[serde(default)]
    reveal: bool,
}

/// `GET /api/v1/people/{id}`: masked unless `?reveal=true` and allowed (audited).
pub async fn read(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<ReadQuery>,
) -> Result<Response, ApiError> {
    let p = people::get(&state.app, &actor, id, q.reveal).await?;
    Ok(with_etag(StatusCode::OK, &p))
}

/// The version named by `If-Match: "N"` (or `W/"N"`); an unreadable tag is -1, which never matches.
fn if_match(headers: &HeaderMap) -> Option<i64> {
    let v = headers.get(header::IF_MATCH)?;
    let s = v.to_str().ok().unwrap_or("");
    let s = s.trim().trim_start_matches("W/").trim_matches('"');
    Some(s.parse::<i64>().unwrap_or(-1))
}

/// `PATCH /api/v1/people/{id}`: JSON merge patch with `If-Match`.
pub async fn update(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let Some(expected) = if_match(&headers) else {
        return Ok(problem(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition_required",
            "If-Match with the record's ETag is required.",
            Vec::new(),
        ));
    };
    let patch: serde_json::Value = serde_json::from_slice(&body).map_err(|_| {
        ApiError(AppError::Invalid(vec![FieldError::new(
            "body",
            "invalid_json",
        )]))
    })?;
    let p = people::patch(&state.app, &actor, id, expected, &patch).await?;
    Ok(with_etag(StatusCode::OK, &p))
}

#[derive(Debug, Deserialize)]
pub struct DeleteQuery {
    #[serde(default)]
    reason: String,
}

/// `DELETE /api/v1/people/{id}?reason=`: soft delete.
pub async fn delete(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<DeleteQuery>,
) -> Result<Response, ApiError> {
    people::delete(&state.app, &actor, id, &q.reason).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Relatives at home and sources of a person.
#[derive(Debug, Serialize)]
pub struct Related {
    pub relatives: Vec<people::RelativeRow>,
    pub sources: Vec<people::SourceRow>,
}

/// `GET /api/v1/people/{id}/relatives`: relatives with their households, and sources.
pub async fn relatives(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Related>, ApiError> {
    let (relatives, sources) = people::related(&state.app, &actor, id).await?;
    Ok(Json(Related { relatives, sources }))
}

/// `GET /api/v1/people/{id}/history`: every version, newest first.
pub async fn history(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<people::VersionEntry>>, ApiError> {
    Ok(Json(people::history(&state.app, &actor, id).await?))
}

/// `POST /api/v1/people/{id}/relatives`: adds a relative at home (201).
pub async fn add_relative(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: people::RelativeInput = serde_json::from_slice(&body).map_err(|e| {
        let msg = e.to_string();
        let field = msg.split('`').nth(1).unwrap_or("body").to_owned();
        ApiError(AppError::Invalid(vec![FieldError::new(
            field,
            "invalid_json",
        )]))
    })?;
    let r = people::add_relative(&state.app, &actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct HouseholdQuery {
    after: Option<i64>,
    limit: Option<i64>,
}

/// A page of households.
#[derive(Debug, Serialize)]
pub struct HouseholdPage {
    pub items: Vec<people::HouseholdRow>,
    pub next: Option<i64>,
}

/// `GET /api/v1/households?after=&limit=`: households with relatives of people in scope.
pub async fn households(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(q): Query<HouseholdQuery>,
) -> Result<Json<HouseholdPage>, ApiError> {
    let (items, next) = people::list_households(&state.app, &actor, q.after, q.limit).await?;
    Ok(Json(HouseholdPage { items, next }))
}
