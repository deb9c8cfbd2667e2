//! JSON API of the editorial desk (`/api/v1/content`: list, read, create,
//! update with `If-Match`, workflow steps with `If-Match`, versions) and
//! the public search (`/api/v1/public/search`, no sign-in). Each handler
//! carries its OpenAPI description, gathered in [`crate::openapi`].

use app::publishing::content::{
    self, ContentInput, Item, ItemRow, ListFilter, TransitionInput, VersionRow,
};
use app::publishing::public::{self, Hit};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiUser, parse_input};
use crate::registry::api::{created, parse_patch, require_if_match, with_etag};

/// Filters of `GET /api/v1/content`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `news`, `policy`, `procedure`, `legal_document` or `faq`.
    #[param(pattern = "^(|news|policy|procedure|legal_document|faq)$")]
    pub kind: String,
    /// `draft`, `in_review`, `scheduled`, `published` or `archived`.
    #[param(pattern = "^(|draft|in_review|scheduled|published|archived)$")]
    pub state: String,
    /// Words of the Vietnamese title or the document number, with or without diacritics.
    pub q: String,
}

/// `GET /api/v1/content`: the items on the desk the caller may see.
#[utoipa::path(
    get,
    path = "/api/v1/content",
    tag = "content",
    params(ListParams),
    responses(
        (status = 200, description = "Items, newest change first (commune officers: those they wrote).", body = [ItemRow]),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(q): Query<ListParams>,
) -> Result<Json<Vec<ItemRow>>, ApiError> {
    let f = ListFilter {
        kind: q.kind,
        state: q.state,
        q: q.q,
    };
    Ok(Json(content::list(&state.app, &actor, &f).await?))
}

/// `POST /api/v1/content`: a new draft, 201 with the item and its `ETag`.
#[utoipa::path(
    post,
    path = "/api/v1/content",
    tag = "content",
    request_body(content = ContentInput, description = "The new item (a draft); unknown fields are refused. `kind` and `title_vi` are required; a legal document needs its number, type and issuing body."),
    responses(
        (status = 201, description = "Created as a draft (audited, first version).", body = Item,
         headers(("ETag" = String, description = "The item's version, for If-Match"),
                 ("Location" = String, description = "The item's URL"))),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: ContentInput = parse_input(&body)?;
    let item = content::create(&state.app, &actor, &input).await?;
    Ok(created(
        &item,
        item.version,
        &format!("/api/v1/content/{}", item.id),
    ))
}

/// `GET /api/v1/content/{id}`: one item in any state.
#[utoipa::path(
    get,
    path = "/api/v1/content/{id}",
    tag = "content",
    params(("id" = i64, Path, description = "Item id")),
    responses(
        (status = 200, description = "The item with its texts (Markdown and sanitised HTML) and links.", body = Item,
         headers(("ETag" = String, description = "The item's version, for If-Match"))),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn read(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let item = content::get(&state.app, &actor, id).await?;
    Ok(with_etag(StatusCode::OK, &item, item.version))
}

/// `PATCH /api/v1/content/{id}`: JSON merge patch with `If-Match`.
#[utoipa::path(
    patch,
    path = "/api/v1/content/{id}",
    tag = "content",
    params(
        ("id" = i64, Path, description = "Item id"),
        ("If-Match" = String, Header, description = "The ETag last read, e.g. `\"3\"`, or `*` to overwrite whatever version is current (RFC 9110)"),
    ),
    request_body(content = ContentInput, content_type = "application/merge-patch+json",
                 description = "JSON merge patch (RFC 7396) of the item's fields; `kind` cannot change."),
    responses(
        (status = 200, description = "Updated (audited, a new version).", body = Item,
         headers(("ETag" = String, description = "The new version"))),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
        (status = 412, response = crate::problems::Stale),
        (status = 422, response = crate::problems::Invalid),
        (status = 428, response = crate::problems::IfMatchRequired),
    ),
    security(("bearer" = []))
)]
pub async fn update(
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
    let patch = parse_patch(&body)?;
    let item = content::patch(&state.app, &actor, id, expected, &patch).await?;
    Ok(with_etag(StatusCode::OK, &item, item.version))
}

/// `POST /api/v1/content/{id}/transition`: a step of the workflow with `If-Match`.
#[utoipa::path(
    post,
    path = "/api/v1/content/{id}/transition",
    tag = "content",
    params(
        ("id" = i64, Path, description = "Item id"),
        ("If-Match" = String, Header, description = "The ETag last read, e.g. `\"3\"`"),
    ),
    request_body(content = TransitionInput, description = "The step: `submit` (draft → in review), `return` (→ draft), `schedule` (with `publish_at` in the future), `publish`, `archive`, `restore`."),
    responses(
        (status = 200, description = "The step was taken (audited, a new version).", body = Item,
         headers(("ETag" = String, description = "The new version"))),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
        (status = 409, description = "The item is not in a state this step starts from.", body = crate::problems::ProblemDoc, content_type = "application/problem+json"),
        (status = 412, response = crate::problems::Stale),
        (status = 422, response = crate::problems::Invalid),
        (status = 428, response = crate::problems::IfMatchRequired),
    ),
    security(("bearer" = []))
)]
pub async fn transition(
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
    let input: TransitionInput = parse_input(&body)?;
    let item = content::transition(&state.app, &actor, id, expected, &input).await?;
    Ok(with_etag(StatusCode::OK, &item, item.version))
}

/// `GET /api/v1/content/{id}/versions`: every version, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/content/{id}/versions",
    tag = "content",
    params(("id" = i64, Path, description = "Item id")),
    responses(
        (status = 200, description = "The item's versions, newest first: who, when, the step, and the item after it.", body = [VersionRow]),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn versions(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<VersionRow>>, ApiError> {
    Ok(Json(content::versions(&state.app, &actor, id).await?))
}

/// Query of `GET /api/v1/public/search`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words, with or without diacritics ("Đức" = "Duc" = "ĐỨC").
    pub q: String,
    /// `vi` (default) or `en`.
    #[param(pattern = "^(|vi|en)$")]
    pub lang: String,
}

/// Published items found.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchResult {
    pub hits: Vec<Hit>,
}

/// `GET /api/v1/public/search`: published content, no sign-in.
#[utoipa::path(
    get,
    path = "/api/v1/public/search",
    tag = "content",
    params(SearchParams),
    responses(
        (status = 200, description = "Published items holding every word, best first (title, then summary, then body), with the matched ranges (characters) of the title and snippet.", body = SearchResult),
        (status = 422, response = crate::problems::Invalid),
    )
)]
pub async fn search(
    State(state): State<AppState>,
    Query(q): Query<SearchParams>,
) -> Result<Response, ApiError> {
    let lang = q.lang.trim();
    if !matches!(lang, "" | "vi" | "en") {
        return Err(ApiError(app::AppError::invalid_field(
            "lang",
            "invalid_code",
        )));
    }
    if q.q.contains('\0') {
        return Err(ApiError(app::AppError::invalid_field("q", "control_chars")));
    }
    let hits = public::search(&state.app, if lang == "en" { "en" } else { "vi" }, &q.q).await?;
    Ok(Json(SearchResult { hits }).into_response())
}
