//! JSON API of associations: `/api/v1/associations` (list, read, create,
//! update with `If-Match`, history, merge) and their members, leaders and
//! activities. Each handler carries its OpenAPI description, gathered in
//! [`crate::openapi`].

use app::community::associations::{
    self, Activity, ActivityInput, Association, AssociationInput, AssociationRow, Leader,
    LeaderInput, ListFilter, Member, MemberInput, MergeInput, VersionRow,
};
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

/// Filters and cursor of `GET /api/v1/associations`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Words of the name (Vietnamese or English) or city, with or without diacritics.
    pub q: String,
    /// Country, ISO 3166 alpha-2 or its name.
    pub country: String,
    /// `hometown`, `business`, `professional`, `student`, `labour`, `community` or `other`.
    pub kind: String,
    /// `active`, `inactive`, `dissolved` or `merged` (default: all but merged).
    pub status: String,
    /// Only the associations of this person (whom the caller may see).
    pub member: Option<i64>,
    /// Cursor: the `next` of the previous page.
    pub after: Option<i64>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
}

/// A page of associations, by id.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssociationPage {
    pub items: Vec<AssociationRow>,
    /// Pass as `after` to get the next page; null on the last page.
    pub next: Option<i64>,
    /// Associations matching the filters.
    pub total: i64,
}

/// `GET /api/v1/associations`: the associations within the caller's reach.
#[utoipa::path(
    get,
    path = "/api/v1/associations",
    tag = "associations",
    params(ListParams),
    responses(
        (status = 200, description = "A page of associations within reach (province: all; missions: their countries; an association's account: its own), by id.", body = AssociationPage),
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
) -> Result<Json<AssociationPage>, ApiError> {
    let f = ListFilter {
        q: q.q,
        country: q.country,
        kind: q.kind,
        status: q.status,
        member: q.member,
    };
    let rows = associations::list(&state.app, &actor, &f).await?;
    let total = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let (items, next) = associations::page_by_id(rows, q.after, q.limit);
    Ok(Json(AssociationPage { items, next, total }))
}

/// `POST /api/v1/associations`: 201 with the record and its `ETag`.
#[utoipa::path(
    post,
    path = "/api/v1/associations",
    tag = "associations",
    request_body(content = AssociationInput, description = "The new association; unknown fields are refused. A mission records associations of its countries only."),
    responses(
        (status = 201, description = "Created (audited, first version of its history).", body = Association,
         headers(("ETag" = String, description = "The association's version, for If-Match"),
                 ("Location" = String, description = "The association's URL"))),
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
    let input: AssociationInput = parse_input(&body)?;
    let a = associations::create(&state.app, &actor, &input).await?;
    Ok(created(
        &a,
        a.version,
        &format!("/api/v1/associations/{}", a.id),
    ))
}

/// `GET /api/v1/associations/{id}`: one association (audited).
#[utoipa::path(
    get,
    path = "/api/v1/associations/{id}",
    tag = "associations",
    params(("id" = i64, Path, description = "Association id")),
    responses(
        (status = 200, description = "The association with its leaders, the members the caller may see and its activities (the view is audited). A merged record answers with `merged_into`, the record to read instead.", body = Association,
         headers(("ETag" = String, description = "The association's version, for If-Match"))),
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
    let a = associations::get(&state.app, &actor, id).await?;
    Ok(with_etag(StatusCode::OK, &a, a.version))
}

/// `PATCH /api/v1/associations/{id}`: JSON merge patch with `If-Match`.
#[utoipa::path(
    patch,
    path = "/api/v1/associations/{id}",
    tag = "associations",
    params(
        ("id" = i64, Path, description = "Association id"),
        ("If-Match" = String, Header, description = "The ETag last read, e.g. `\"3\"`, or `*` to overwrite whatever version is current (RFC 9110)"),
    ),
    request_body(content = AssociationInput, content_type = "application/merge-patch+json",
                 description = "JSON merge patch (RFC 7396) of the association's own fields."),
    responses(
        (status = 200, description = "Updated (audited, a new version in its history).", body = Association,
         headers(("ETag" = String, description = "The new version"))),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
        (status = 409, description = "The record was merged into another and takes no more changes.", body = crate::problems::ProblemDoc),
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
    let a = associations::patch(&state.app, &actor, id, expected, &patch).await?;
    Ok(with_etag(StatusCode::OK, &a, a.version))
}

/// `GET /api/v1/associations/{id}/history`: every version, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/associations/{id}/history",
    tag = "associations",
    params(("id" = i64, Path, description = "Association id")),
    responses(
        (status = 200, description = "The association's versions, newest first, each with what changed and the fields after the change.", body = [VersionRow]),
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
) -> Result<Json<Vec<VersionRow>>, ApiError> {
    Ok(Json(associations::history(&state.app, &actor, id).await?))
}

/// `POST /api/v1/associations/merge`: merges one record into another.
#[utoipa::path(
    post,
    path = "/api/v1/associations/merge",
    tag = "associations",
    request_body(content = MergeInput, description = "The kept and the merged record with the versions last read."),
    responses(
        (status = 200, description = "Merged (audited): members, leaders and activities moved to the kept record, which is returned; the merged one answers with `merged_into`.", body = Association),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
        (status = 409, description = "One of the records was already merged.", body = crate::problems::ProblemDoc),
        (status = 412, response = crate::problems::Stale),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn merge(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: MergeInput = parse_input(&body)?;
    let a = associations::merge(&state.app, &actor, &input).await?;
    Ok(with_etag(StatusCode::OK, &a, a.version))
}

/// `GET /api/v1/associations/{id}/members`: the members the caller may see.
#[utoipa::path(
    get,
    path = "/api/v1/associations/{id}/members",
    tag = "associations",
    params(("id" = i64, Path, description = "Association id")),
    responses(
        (status = 200, description = "Members within the caller's jurisdiction (the view is audited).", body = [Member]),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn members(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Member>>, ApiError> {
    Ok(Json(
        associations::get(&state.app, &actor, id).await?.members,
    ))
}

/// `POST /api/v1/associations/{id}/members`: adds a member (or changes their role and join date).
#[utoipa::path(
    post,
    path = "/api/v1/associations/{id}/members",
    tag = "associations",
    params(("id" = i64, Path, description = "Association id")),
    request_body(content = MemberInput, description = "A person the caller may see, with role and join date."),
    responses(
        (status = 200, description = "The association with its members (audited, in its history).", body = Association),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn member_add(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: MemberInput = parse_input(&body)?;
    let a = associations::add_member(&state.app, &actor, id, &input).await?;
    Ok(with_etag(StatusCode::OK, &a, a.version))
}

/// `DELETE /api/v1/associations/{id}/members/{person_id}`: ends a membership.
#[utoipa::path(
    delete,
    path = "/api/v1/associations/{id}/members/{person_id}",
    tag = "associations",
    params(("id" = i64, Path, description = "Association id"),
           ("person_id" = i64, Path, description = "The member's person id")),
    responses(
        (status = 200, description = "The association without that member (audited, in its history).", body = Association),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn member_remove(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, person_id)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let a = associations::remove_member(&state.app, &actor, id, person_id).await?;
    Ok(with_etag(StatusCode::OK, &a, a.version))
}

/// `GET /api/v1/associations/{id}/leaders`: leaders with positions and terms.
#[utoipa::path(
    get,
    path = "/api/v1/associations/{id}/leaders",
    tag = "associations",
    params(("id" = i64, Path, description = "Association id")),
    responses(
        (status = 200, description = "Leaders, those in office first (the view is audited).", body = [Leader]),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn leaders(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Leader>>, ApiError> {
    Ok(Json(
        associations::get(&state.app, &actor, id).await?.leaders,
    ))
}

/// `POST /api/v1/associations/{id}/leaders`: adds a leader.
#[utoipa::path(
    post,
    path = "/api/v1/associations/{id}/leaders",
    tag = "associations",
    params(("id" = i64, Path, description = "Association id")),
    request_body(content = LeaderInput, description = "A person the caller may see, a position and a term."),
    responses(
        (status = 200, description = "The association with its leaders (audited, in its history).", body = Association),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn leader_add(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: LeaderInput = parse_input(&body)?;
    let a = associations::add_leader(&state.app, &actor, id, &input).await?;
    Ok(with_etag(StatusCode::OK, &a, a.version))
}

/// `DELETE /api/v1/associations/{id}/leaders/{leader_id}`: removes a leader entry.
#[utoipa::path(
    delete,
    path = "/api/v1/associations/{id}/leaders/{leader_id}",
    tag = "associations",
    params(("id" = i64, Path, description = "Association id"),
           ("leader_id" = i64, Path, description = "The leader entry's id")),
    responses(
        (status = 200, description = "The association without that entry (audited, in its history).", body = Association),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn leader_remove(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, leader_id)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let a = associations::remove_leader(&state.app, &actor, id, leader_id).await?;
    Ok(with_etag(StatusCode::OK, &a, a.version))
}

/// `GET /api/v1/associations/{id}/activities`: activities, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/associations/{id}/activities",
    tag = "associations",
    params(("id" = i64, Path, description = "Association id")),
    responses(
        (status = 200, description = "Activities, newest first, with the province's participation.", body = [Activity]),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn activities(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Activity>>, ApiError> {
    Ok(Json(
        associations::get(&state.app, &actor, id).await?.activities,
    ))
}

/// `POST /api/v1/associations/{id}/activities`: records an activity.
#[utoipa::path(
    post,
    path = "/api/v1/associations/{id}/activities",
    tag = "associations",
    params(("id" = i64, Path, description = "Association id")),
    request_body(content = ActivityInput, description = "The day, what, and who from the province took part."),
    responses(
        (status = 201, description = "Recorded (audited, in its history); the association with its activities.", body = Association),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn activity_add(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: ActivityInput = parse_input(&body)?;
    let a = associations::add_activity(&state.app, &actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

/// `DELETE /api/v1/associations/{id}/activities/{activity_id}`: removes an activity.
#[utoipa::path(
    delete,
    path = "/api/v1/associations/{id}/activities/{activity_id}",
    tag = "associations",
    params(("id" = i64, Path, description = "Association id"),
           ("activity_id" = i64, Path, description = "The activity's id")),
    responses(
        (status = 200, description = "The association without that activity (audited, in its history).", body = Association),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn activity_remove(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, activity_id)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let a = associations::remove_activity(&state.app, &actor, id, activity_id).await?;
    Ok(with_etag(StatusCode::OK, &a, a.version))
}
