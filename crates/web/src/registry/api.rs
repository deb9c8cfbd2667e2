//! JSON API of the registry: `/api/v1/people`, `/api/v1/households`,
//! relatives and `/api/v1/search`. Each handler carries its OpenAPI description (`utoipa::path`),
//! gathered in [`crate::openapi`].

use app::registry::households::{self, Household, HouseholdInput, HouseholdRow};
use app::registry::people::{self, ListQuery, Person, PersonInput};
use app::registry::relatives::{self, Relative, RelativeInput, RelativePatch};
use app::{AppError, FieldError};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, problem};
use crate::extract::{ApiUser, parse_input};

/// A page of people.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PeoplePage {
    pub items: Vec<people::PersonRow>,
    /// Pass as `after` to get the next page; null on the last page.
    pub next: Option<i64>,
    pub total: i64,
}

/// Filters and cursor of `GET /api/v1/people` (the list page's filters).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PeopleParams {
    /// Name prefix, with or without diacritics.
    pub q: String,
    /// New commune code of the hometown.
    pub commune: String,
    /// Legacy commune code of the hometown.
    pub legacy_commune: String,
    /// Legacy district code of the hometown.
    pub legacy_district: String,
    /// Country abroad, ISO 3166 alpha-2.
    #[param(schema_with = app::api_schema::country)]
    pub country: String,
    #[param(schema_with = app::api_schema::category)]
    pub category: String,
    #[param(schema_with = app::api_schema::generation)]
    pub generation: String,
    /// A notable tag.
    pub tag: String,
    #[param(schema_with = app::api_schema::person_status)]
    pub status: String,
    #[param(schema_with = app::api_schema::verification)]
    pub verification: String,
    #[param(schema_with = app::api_schema::agency)]
    pub agency: String,
    /// Survey round code.
    pub survey_round: String,
    #[param(schema_with = app::api_schema::gender)]
    pub gender: String,
    #[param(schema_with = app::api_schema::age_band)]
    pub age_band: String,
    /// A department's own field to filter by (`sending_company`, `funding`,
    /// `capital`...; the keys of `GET /api/v1/people/{id}`'s `source_fields`).
    #[param(schema_with = app::api_schema::source_field)]
    pub field: String,
    #[param(schema_with = app::api_schema::field_op)]
    pub field_op: String,
    /// The value as people write it (a choice's label, a country's name, a date DD/MM/YYYY...).
    pub field_value: String,
    /// Cursor: the `next` of the previous page.
    pub after: Option<i64>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// List soft-deleted records instead of live ones.
    pub deleted: bool,
    /// A consent given through the portal: `news:given`, `keep_record:withdrawn`,
    /// `directory:none` (never asked)...
    #[param(schema_with = app::api_schema::consent_filter)]
    pub consent: String,
}

impl From<PeopleParams> for ListQuery {
    fn from(p: PeopleParams) -> Self {
        ListQuery {
            q: p.q,
            commune: p.commune,
            legacy_commune: p.legacy_commune,
            legacy_district: p.legacy_district,
            country: p.country,
            category: p.category,
            generation: p.generation,
            tag: p.tag,
            status: p.status,
            verification: p.verification,
            agency: p.agency,
            survey_round: p.survey_round,
            gender: p.gender,
            age_band: p.age_band,
            field: p.field,
            field_op: p.field_op,
            field_value: p.field_value,
            // Cursor paging is by id.
            sort: String::new(),
            dir: String::new(),
            page: None,
            after: p.after,
            limit: p.limit,
            deleted: p.deleted,
            consent: p.consent,
        }
    }
}

/// `GET /api/v1/people`: filters as on the list page; `after` and `limit` page by id.
#[utoipa::path(
    get,
    path = "/api/v1/people",
    tag = "people",
    params(PeopleParams),
    responses(
        (status = 200, description = "A page of people in the caller's jurisdiction, by id.", body = PeoplePage),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<PeopleParams>,
) -> Result<Json<PeoplePage>, ApiError> {
    let page = people::list(&state.app, &actor, &ListQuery::from(p)).await?;
    Ok(Json(PeoplePage {
        items: page.items,
        next: page.next_after,
        total: page.total,
    }))
}

pub(crate) fn with_etag<T: Serialize>(status: StatusCode, body: &T, version: i64) -> Response {
    let mut resp = (status, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp
}

/// 201 Created with the record, its `ETag` and its `Location`.
pub(crate) fn created<T: Serialize>(body: &T, version: i64, location: &str) -> Response {
    let mut resp = with_etag(StatusCode::CREATED, body, version);
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// `POST /api/v1/people`: 201 with the record and its `ETag`.
#[utoipa::path(
    post,
    path = "/api/v1/people",
    tag = "people",
    request_body(content = PersonInput, description = "The new record; unknown fields are refused."),
    responses(
        (status = 201, description = "Created; sensitive fields masked unless the role may reveal them.", body = Person,
         headers(("ETag" = String, description = "The record's version, for If-Match"),
                 ("Location" = String, description = "The record's URL"))),
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
    let input: PersonInput = parse_input(&body)?;
    let p = people::create(&state.app, &actor, &input).await?;
    Ok(created(&p, p.version, &format!("/api/v1/people/{}", p.id)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadQuery {
    /// Show sensitive fields unmasked (roles allowed to reveal, admin-scoped
    /// token; audited with the purpose; at most 60 reveals an hour).
    #[serde(default)]
    reveal: bool,
    /// Why the sensitive fields are needed: required with `reveal=true`.
    #[serde(default)]
    purpose: String,
}

/// `GET /api/v1/people/{id}`: masked unless `?reveal=true` and allowed (audited).
#[utoipa::path(
    get,
    path = "/api/v1/people/{id}",
    tag = "people",
    params(("id" = i64, Path, description = "Person id"), ReadQuery),
    responses(
        (status = 200, description = "The record (the view is audited), with its sources' own fields.", body = PersonRead,
         headers(("ETag" = String, description = "The record's version, for If-Match"))),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
        (status = 422, response = crate::problems::Invalid),
        (status = 429, description = "More reveals than allowed in an hour (`rate_limited`).", body = crate::problems::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn read(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<ReadQuery>,
) -> Result<Response, ApiError> {
    let p = if q.reveal {
        people::reveal(&state.app, &actor, id, &q.purpose).await?
    } else {
        people::get(&state.app, &actor, id, false).await?
    };
    let source_fields = people::source_fields(&state.app, &actor, id).await?;
    let version = p.version;
    Ok(with_etag(
        StatusCode::OK,
        &PersonRead {
            person: p,
            source_fields,
        },
        version,
    ))
}

/// A record as read: the person and the own fields of its sources
/// (each department's own columns, issue 19).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PersonRead {
    #[serde(flatten)]
    pub person: Person,
    /// The values the departments' own columns gave, source by source.
    pub source_fields: Vec<people::SourceFieldValue>,
}

/// The version named by `If-Match: "N"` (or `W/"N"`); `*` is any current
/// version (RFC 9110); an unreadable tag is -1, which never matches.
fn if_match(headers: &HeaderMap) -> Option<i64> {
    let v = headers.get(header::IF_MATCH)?;
    let s = v.to_str().ok().unwrap_or("").trim();
    if s == "*" {
        return Some(app::registry::ANY_VERSION);
    }
    let s = s.trim_start_matches("W/").trim_matches('"');
    Some(s.parse::<i64>().unwrap_or(-1).max(-1))
}

/// The version named by `If-Match`, or the 428 answer when it is missing.
#[allow(clippy::result_large_err, reason = "the error is the response itself")]
pub(crate) fn require_if_match(headers: &HeaderMap) -> Result<i64, Response> {
    if_match(headers).ok_or_else(|| {
        problem(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition_required",
            "If-Match with the record's ETag is required.",
            Vec::new(),
        )
    })
}

pub(crate) fn parse_patch(body: &[u8]) -> Result<serde_json::Value, ApiError> {
    // Its NUL check (the patch itself is read as any JSON value).
    crate::extract::parse_input::<serde::de::IgnoredAny>(body)?;
    serde_json::from_slice(body).map_err(|_| {
        ApiError(AppError::Invalid(vec![FieldError::new(
            "body",
            "invalid_json",
        )]))
    })
}

/// `PATCH /api/v1/people/{id}`: JSON merge patch with `If-Match`.
#[utoipa::path(
    patch,
    path = "/api/v1/people/{id}",
    tag = "people",
    params(
        ("id" = i64, Path, description = "Person id"),
        ("If-Match" = String, Header, description = "The ETag last read, e.g. `\"3\"`, or `*` to overwrite whatever version is current (RFC 9110)"),
    ),
    request_body(content = PersonInput, content_type = "application/merge-patch+json",
                 description = "JSON merge patch (RFC 7396): named fields replace, null clears."),
    responses(
        (status = 200, description = "Updated.", body = Person,
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
    let p = people::patch(&state.app, &actor, id, expected, &patch).await?;
    Ok(with_etag(StatusCode::OK, &p, p.version))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// Why the record is deleted (required).
    #[serde(default)]
    reason: String,
}

/// `DELETE /api/v1/people/{id}?reason=`: soft delete.
#[utoipa::path(
    delete,
    path = "/api/v1/people/{id}",
    tag = "people",
    params(("id" = i64, Path, description = "Person id"), DeleteQuery),
    responses(
        (status = 204, description = "Soft-deleted (restorable; audited)."),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
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
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Related {
    pub relatives: Vec<people::RelativeRow>,
    pub sources: Vec<people::SourceRow>,
}

/// `GET /api/v1/people/{id}/relatives`: relatives with their households, and sources.
#[utoipa::path(
    get,
    path = "/api/v1/people/{id}/relatives",
    tag = "relatives",
    params(("id" = i64, Path, description = "Person id")),
    responses(
        (status = 200, description = "Relatives at home with their households, and the record's sources.", body = Related),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn relatives(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Related>, ApiError> {
    let (relatives, sources) = people::related(&state.app, &actor, id).await?;
    Ok(Json(Related { relatives, sources }))
}

/// `GET /api/v1/people/{id}/history`: every version, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/people/{id}/history",
    tag = "people",
    params(("id" = i64, Path, description = "Person id")),
    responses(
        (status = 200, description = "Every saved version: who, when, what changed.", body = Vec<people::VersionEntry>),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn history(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<people::VersionEntry>>, ApiError> {
    Ok(Json(people::history(&state.app, &actor, id).await?))
}

/// `POST /api/v1/people/{id}/relatives`: adds a relative at home (201).
#[utoipa::path(
    post,
    path = "/api/v1/people/{id}/relatives",
    tag = "relatives",
    params(("id" = i64, Path, description = "Person id")),
    request_body(content = RelativeInput,
                 description = "A relative in an existing household (`household_id`) or a new one (`head_name`, `address`, `commune_code`)."),
    responses(
        (status = 201, description = "Added (audited).", body = people::RelativeRow),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn add_relative(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: RelativeInput = crate::extract::parse_input(&body)?;
    let r = relatives::add_relative(&state.app, &actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

/// Paging of `GET /api/v1/households`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HouseholdQuery {
    /// Only households in this commune (new or legacy code).
    commune: Option<String>,
    /// Cursor: the `next` of the previous page.
    after: Option<i64>,
    /// Page size, 1 to 500 (default 50).
    limit: Option<i64>,
}

/// A page of households.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HouseholdPage {
    pub items: Vec<HouseholdRow>,
    /// Pass as `after` to get the next page; null on the last page.
    pub next: Option<i64>,
}

/// `GET /api/v1/households?commune=&after=&limit=`: households in the caller's jurisdiction.
#[utoipa::path(
    get,
    path = "/api/v1/households",
    tag = "households",
    params(HouseholdQuery),
    responses(
        (status = 200, description = "A page of households in the caller's communes (province: all), by id.", body = HouseholdPage),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
    ),
    security(("bearer" = []))
)]
pub async fn households(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(q): Query<HouseholdQuery>,
) -> Result<Json<HouseholdPage>, ApiError> {
    let (items, next) =
        households::list(&state.app, &actor, q.commune.as_deref(), q.after, q.limit).await?;
    Ok(Json(HouseholdPage { items, next }))
}

/// `POST /api/v1/households`: 201 with the household and its `ETag`.
#[utoipa::path(
    post,
    path = "/api/v1/households",
    tag = "households",
    request_body(content = HouseholdInput, description = "A household in a commune of the caller's jurisdiction; unknown fields are refused."),
    responses(
        (status = 201, description = "Created (audited).", body = Household,
         headers(("ETag" = String, description = "The household's version, for If-Match"),
                 ("Location" = String, description = "The household's URL"))),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn household_create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: HouseholdInput = parse_input(&body)?;
    let h = households::create(&state.app, &actor, &input).await?;
    Ok(created(
        &h,
        h.version,
        &format!("/api/v1/households/{}", h.id),
    ))
}

/// `GET /api/v1/households/{id}`: one household with its relatives (audited).
#[utoipa::path(
    get,
    path = "/api/v1/households/{id}",
    tag = "households",
    params(("id" = i64, Path, description = "Household id")),
    responses(
        (status = 200, description = "The household, with the relatives of people the caller may see (the view is audited).", body = Household,
         headers(("ETag" = String, description = "The household's version, for If-Match"))),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn household_read(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let h = households::get(&state.app, &actor, id).await?;
    Ok(with_etag(StatusCode::OK, &h, h.version))
}

/// `PATCH /api/v1/households/{id}`: JSON merge patch with `If-Match`.
#[utoipa::path(
    patch,
    path = "/api/v1/households/{id}",
    tag = "households",
    params(
        ("id" = i64, Path, description = "Household id"),
        ("If-Match" = String, Header, description = "The ETag last read, e.g. `\"3\"`, or `*` to overwrite whatever version is current (RFC 9110)"),
    ),
    request_body(content = HouseholdInput, content_type = "application/merge-patch+json",
                 description = "JSON merge patch (RFC 7396)."),
    responses(
        (status = 200, description = "Updated (audited).", body = Household,
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
pub async fn household_update(
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
    let h = households::patch(&state.app, &actor, id, expected, &patch).await?;
    Ok(with_etag(StatusCode::OK, &h, h.version))
}

/// `PATCH /api/v1/people/{id}/relatives/{relative_id}`: JSON merge patch of a relative.
#[utoipa::path(
    patch,
    path = "/api/v1/people/{id}/relatives/{relative_id}",
    tag = "relatives",
    params(
        ("id" = i64, Path, description = "Person id"),
        ("relative_id" = i64, Path, description = "Relative id"),
    ),
    request_body(content = RelativePatch, content_type = "application/merge-patch+json",
                 description = "JSON merge patch (RFC 7396); `household_id` moves the relative to another visible household."),
    responses(
        (status = 200, description = "Updated (audited).", body = Relative),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn relative_update(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, relative_id)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Json<Relative>, ApiError> {
    let patch = parse_patch(&body)?;
    let r = relatives::update_relative(&state.app, &actor, id, relative_id, &patch).await?;
    Ok(Json(r))
}

/// `DELETE /api/v1/people/{id}/relatives/{relative_id}`: removes a relative.
#[utoipa::path(
    delete,
    path = "/api/v1/people/{id}/relatives/{relative_id}",
    tag = "relatives",
    params(
        ("id" = i64, Path, description = "Person id"),
        ("relative_id" = i64, Path, description = "Relative id"),
    ),
    responses(
        (status = 204, description = "Removed (soft delete; audited)."),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn relative_delete(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, relative_id)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    relatives::delete_relative(&state.app, &actor, id, relative_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/custom-fields`: the extra fields administrators defined.
#[utoipa::path(
    get,
    path = "/api/v1/custom-fields",
    tag = "people",
    responses(
        (status = 200, description = "Extra fields, by key; their values are `extra.<key>` of a person.", body = Vec<people::CustomField>),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
    ),
    security(("bearer" = []))
)]
pub async fn custom_fields(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<people::CustomField>>, ApiError> {
    Ok(Json(people::custom_fields(&state.app, &actor).await?))
}

/// `PUT /api/v1/custom-fields`: defines or redefines an extra field (administrators).
#[utoipa::path(
    put,
    path = "/api/v1/custom-fields",
    tag = "people",
    request_body(content = people::CustomField, description = "`key` is lower-case letters, digits and `_`; `kind` is `text`, `number` or `date`."),
    responses(
        (status = 204, description = "Defined (audited)."),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn custom_field_define(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    body: Bytes,
) -> Result<Response, ApiError> {
    let field: people::CustomField = parse_input(&body)?;
    people::define_custom_field(&state.app, &actor, &field).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Which version to restore.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreBody {
    /// A version from the history.
    pub version: i64,
}

/// `POST /api/v1/people/{id}/restore`: restores an earlier version's fields as a new version.
#[utoipa::path(
    post,
    path = "/api/v1/people/{id}/restore",
    tag = "people",
    params(
        ("id" = i64, Path, description = "Person id"),
        ("If-Match" = String, Header, description = "The ETag last read, e.g. `\"3\"`, or `*` to overwrite whatever version is current (RFC 9110)"),
    ),
    request_body(content = RestoreBody),
    responses(
        (status = 200, description = "Restored as a new version (audited).", body = Person,
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
pub async fn restore(
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
    let b: RestoreBody = parse_input(&body)?;
    let p = people::restore_version(&state.app, &actor, id, expected, b.version).await?;
    Ok(with_etag(StatusCode::OK, &p, p.version))
}

/// `POST /api/v1/people/{id}/undelete`: brings a soft-deleted record back.
#[utoipa::path(
    post,
    path = "/api/v1/people/{id}/undelete",
    tag = "people",
    params(("id" = i64, Path, description = "Person id")),
    responses(
        (status = 204, description = "Live again (audited)."),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn undelete(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    people::undelete(&state.app, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/search?q=&limit=&<filters>`: best first, with the total.
pub async fn search(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(q): Query<app::registry::search::SearchQuery>,
) -> Result<
    (
        [(axum::http::HeaderName, String); 1],
        Json<app::registry::search::SearchPage>,
    ),
    ApiError,
> {
    let page = app::registry::search::search(&state.app, &actor, &q).await?;
    // Where the time went, for operators and the benchmark (durations only).
    let timing = page.timings.header();
    Ok((
        [(axum::http::HeaderName::from_static("server-timing"), timing)],
        Json(page),
    ))
}
