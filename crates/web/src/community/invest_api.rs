//! JSON API of enterprises, investment projects, contributions and
//! remittances (issue 22 §2–§3): `/api/v1/enterprises`, `/api/v1/projects`,
//! `/api/v1/contributions`, `/api/v1/people/{id}/remittances` and the
//! report. Reads answer an `ETag`; `PATCH` takes a JSON merge patch with
//! `If-Match`. Money is integer minor units of an ISO 4217 currency.

use app::community::contributions::{
    self, Contribution, ContributionInput, Remittance, RemittanceInput,
};
use app::community::enterprises::{self, Enterprise, EnterpriseInput, EnterpriseRow};
use app::community::investment::VersionRow;
use app::community::investment_reports::{self, Report};
use app::community::projects::{self, Project, ProjectInput, ProjectRow, StatusInput};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiUser, parse_input};
use crate::registry::api::{created, parse_patch, require_if_match, with_etag};

/// A page of `rows` by id after `after`, and the next cursor.
fn page<T>(
    mut rows: Vec<T>,
    id: impl Fn(&T) -> i64,
    after: Option<i64>,
    limit: Option<i64>,
) -> (Vec<T>, Option<i64>, i64) {
    let total = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let limit = usize::try_from(limit.unwrap_or(50).clamp(1, 500)).unwrap_or(50);
    let after = after.unwrap_or(0);
    rows.retain(|r| id(r) > after);
    rows.sort_by_key(|r| id(r));
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = if more { rows.last().map(&id) } else { None };
    (rows, next, total)
}

// ---------------------------------------------------------------- enterprises

/// Filters and cursor of `GET /api/v1/enterprises`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct EnterpriseParams {
    /// Words of the name or registration number, with or without diacritics.
    pub q: String,
    /// Country of the parent, ISO 3166 alpha-2 or its name.
    pub country: String,
    /// Sector: VSIC section letter, division or name (a section takes its divisions).
    pub sector: String,
    /// Cursor: the `next` of the previous page.
    pub after: Option<i64>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
}

/// A page of enterprises, by id.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EnterprisePage {
    pub items: Vec<EnterpriseRow>,
    /// Pass as `after` to get the next page; null on the last page.
    pub next: Option<i64>,
    pub total: i64,
}

/// `GET /api/v1/enterprises`: the enterprises within reach.
#[utoipa::path(
    get,
    path = "/api/v1/enterprises",
    tag = "investment",
    params(EnterpriseParams),
    responses(
        (status = 200, description = "A page of enterprises within reach (missions: those whose parent is in their countries), by id.", body = EnterprisePage),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn enterprise_list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(q): Query<EnterpriseParams>,
) -> Result<Json<EnterprisePage>, ApiError> {
    let f = enterprises::ListFilter {
        q: q.q,
        country: q.country,
        sector: q.sector,
    };
    let rows = enterprises::list(&state.app, &actor, &f).await?;
    let (items, next, total) = page(rows, |r| r.id, q.after, q.limit);
    Ok(Json(EnterprisePage { items, next, total }))
}

/// `POST /api/v1/enterprises`: 201 with the record and its `ETag`.
#[utoipa::path(
    post,
    path = "/api/v1/enterprises",
    tag = "investment",
    request_body(content = EnterpriseInput, description = "The new enterprise; unknown fields are refused. A mission records enterprises of its countries only."),
    responses(
        (status = 201, description = "Created (audited, first version of its history).", body = Enterprise,
         headers(("ETag" = String, description = "The version, for If-Match"),
                 ("Location" = String, description = "The enterprise's URL"))),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn enterprise_create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: EnterpriseInput = parse_input(&body)?;
    let e = enterprises::create(&state.app, &actor, &input).await?;
    Ok(created(
        &e,
        e.version,
        &format!("/api/v1/enterprises/{}", e.id),
    ))
}

/// `GET /api/v1/enterprises/{id}`: one enterprise (audited).
#[utoipa::path(
    get,
    path = "/api/v1/enterprises/{id}",
    tag = "investment",
    params(("id" = i64, Path, description = "Enterprise id")),
    responses(
        (status = 200, description = "The enterprise with its owners (names of the people the caller may see; the view is audited).", body = Enterprise,
         headers(("ETag" = String, description = "The version, for If-Match"))),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn enterprise_read(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let e = enterprises::get(&state.app, &actor, id).await?;
    Ok(with_etag(StatusCode::OK, &e, e.version))
}

/// `PATCH /api/v1/enterprises/{id}`: JSON merge patch with `If-Match`.
#[utoipa::path(
    patch,
    path = "/api/v1/enterprises/{id}",
    tag = "investment",
    params(
        ("id" = i64, Path, description = "Enterprise id"),
        ("If-Match" = String, Header, description = "The ETag last read, e.g. `\"3\"`, or `*`"),
    ),
    request_body(content = EnterpriseInput, content_type = "application/merge-patch+json",
                 description = "JSON merge patch (RFC 7396) of the enterprise's fields."),
    responses(
        (status = 200, description = "Updated (audited, a new version in its history).", body = Enterprise,
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
pub async fn enterprise_update(
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
    let e = enterprises::patch(&state.app, &actor, id, expected, &patch).await?;
    Ok(with_etag(StatusCode::OK, &e, e.version))
}

/// `GET /api/v1/enterprises/{id}/history`: every version, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/enterprises/{id}/history",
    tag = "investment",
    params(("id" = i64, Path, description = "Enterprise id")),
    responses(
        (status = 200, description = "The versions, newest first.", body = [VersionRow]),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn enterprise_history(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<VersionRow>>, ApiError> {
    Ok(Json(enterprises::history(&state.app, &actor, id).await?))
}

// ---------------------------------------------------------------- projects

/// Filters and cursor of `GET /api/v1/projects`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ProjectParams {
    /// Words of the name (Vietnamese or English).
    pub q: String,
    /// `proposed`, `licensed`, `under_construction`, `operating`, `suspended` or `terminated`.
    pub status: String,
    /// Sector: VSIC section letter, division or name.
    pub sector: String,
    /// New commune by code or name.
    pub commune: String,
    /// Only the catalogue of projects calling for investment.
    pub catalogue: bool,
    /// Cursor: the `next` of the previous page.
    pub after: Option<i64>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
}

/// A page of projects, by id.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProjectPage {
    pub items: Vec<ProjectRow>,
    /// Pass as `after` to get the next page; null on the last page.
    pub next: Option<i64>,
    pub total: i64,
}

/// `GET /api/v1/projects`: the projects within reach.
#[utoipa::path(
    get,
    path = "/api/v1/projects",
    tag = "investment",
    params(ProjectParams),
    responses(
        (status = 200, description = "A page of projects within reach (commune officers: in their communes; missions: those their countries' enterprises and people invest in), by id.", body = ProjectPage),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn project_list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(q): Query<ProjectParams>,
) -> Result<Json<ProjectPage>, ApiError> {
    let f = projects::ListFilter {
        q: q.q,
        status: q.status,
        sector: q.sector,
        commune: q.commune,
        catalogue: q.catalogue,
    };
    let rows = projects::list(&state.app, &actor, &f).await?;
    let (items, next, total) = page(rows, |r| r.id, q.after, q.limit);
    Ok(Json(ProjectPage { items, next, total }))
}

/// `POST /api/v1/projects`: 201 with the record (proposed today) and its `ETag`.
#[utoipa::path(
    post,
    path = "/api/v1/projects",
    tag = "investment",
    request_body(content = ProjectInput, description = "The new project; unknown fields are refused. Money in integer minor units of `currency`. A commune officer records projects in their communes only."),
    responses(
        (status = 201, description = "Created, proposed as of today (audited, first version of its history).", body = Project,
         headers(("ETag" = String, description = "The version, for If-Match"),
                 ("Location" = String, description = "The project's URL"))),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn project_create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: ProjectInput = parse_input(&body)?;
    let p = projects::create(&state.app, &actor, &input).await?;
    Ok(created(
        &p,
        p.version,
        &format!("/api/v1/projects/{}", p.id),
    ))
}

/// `GET /api/v1/projects/{id}`: one project (audited).
#[utoipa::path(
    get,
    path = "/api/v1/projects/{id}",
    tag = "investment",
    params(("id" = i64, Path, description = "Project id")),
    responses(
        (status = 200, description = "The project with its investors and dated status changes (the view is audited).", body = Project,
         headers(("ETag" = String, description = "The version, for If-Match"))),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn project_read(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let p = projects::get(&state.app, &actor, id).await?;
    Ok(with_etag(StatusCode::OK, &p, p.version))
}

/// `PATCH /api/v1/projects/{id}`: JSON merge patch with `If-Match`.
#[utoipa::path(
    patch,
    path = "/api/v1/projects/{id}",
    tag = "investment",
    params(
        ("id" = i64, Path, description = "Project id"),
        ("If-Match" = String, Header, description = "The ETag last read, e.g. `\"3\"`, or `*`"),
    ),
    request_body(content = ProjectInput, content_type = "application/merge-patch+json",
                 description = "JSON merge patch (RFC 7396) of the project's fields (the status changes through `/status`)."),
    responses(
        (status = 200, description = "Updated (audited, a new version in its history).", body = Project,
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
pub async fn project_update(
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
    let p = projects::patch(&state.app, &actor, id, expected, &patch).await?;
    Ok(with_etag(StatusCode::OK, &p, p.version))
}

/// `POST /api/v1/projects/{id}/status`: a dated change of status, with `If-Match`.
#[utoipa::path(
    post,
    path = "/api/v1/projects/{id}/status",
    tag = "investment",
    params(
        ("id" = i64, Path, description = "Project id"),
        ("If-Match" = String, Header, description = "The ETag last read, or `*`"),
    ),
    request_body(content = StatusInput, description = "The new status along the pipeline (proposed → licensed → under construction → operating; suspended or terminated at any time) and its day."),
    responses(
        (status = 200, description = "Moved (kept in the status history, audited, a new version).", body = Project,
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
pub async fn project_status(
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
    let input: StatusInput = parse_input(&body)?;
    let p = projects::change_status(&state.app, &actor, id, expected, &input).await?;
    Ok(with_etag(StatusCode::OK, &p, p.version))
}

/// `GET /api/v1/projects/{id}/history`: every version, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/projects/{id}/history",
    tag = "investment",
    params(("id" = i64, Path, description = "Project id")),
    responses(
        (status = 200, description = "The versions, newest first.", body = [VersionRow]),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn project_history(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<VersionRow>>, ApiError> {
    Ok(Json(projects::history(&state.app, &actor, id).await?))
}

// ---------------------------------------------------------------- contributions

/// Filters and cursor of `GET /api/v1/contributions`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ContributionParams {
    /// `charity`, `scholarship`, `disaster_relief`, `infrastructure`, `healthcare` or `other`.
    pub purpose: String,
    /// Year of the contribution.
    pub year: Option<i64>,
    /// Beneficiary commune by code or name.
    pub commune: String,
    /// Donor's country, ISO alpha-2 or its name.
    pub country: String,
    /// Cursor: the `next` of the previous page.
    pub after: Option<i64>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
}

/// A page of contributions, by id.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContributionPage {
    pub items: Vec<Contribution>,
    /// Pass as `after` to get the next page; null on the last page.
    pub next: Option<i64>,
    pub total: i64,
}

/// `GET /api/v1/contributions`: the contributions within reach.
#[utoipa::path(
    get,
    path = "/api/v1/contributions",
    tag = "investment",
    params(ContributionParams),
    responses(
        (status = 200, description = "A page of contributions within reach (commune officers: to their communes; missions: from donors of their countries), by id.", body = ContributionPage),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn contribution_list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(q): Query<ContributionParams>,
) -> Result<Json<ContributionPage>, ApiError> {
    let f = contributions::ListFilter {
        purpose: q.purpose,
        year: q.year,
        commune: q.commune,
        country: q.country,
    };
    let rows = contributions::list(&state.app, &actor, &f).await?;
    let (items, next, total) = page(rows, |r| r.id, q.after, q.limit);
    Ok(Json(ContributionPage { items, next, total }))
}

/// `POST /api/v1/contributions`: 201 with the record and its `ETag`.
#[utoipa::path(
    post,
    path = "/api/v1/contributions",
    tag = "investment",
    request_body(content = ContributionInput, description = "The contribution; unknown fields are refused. `amount` in integer minor units of `currency` (an unknown currency or a negative amount is refused); `rate_to_vnd` is the officer's rate for that day."),
    responses(
        (status = 201, description = "Created (audited, first version of its history).", body = Contribution,
         headers(("ETag" = String, description = "The version, for If-Match"),
                 ("Location" = String, description = "The contribution's URL"))),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn contribution_create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: ContributionInput = parse_input(&body)?;
    let c = contributions::create(&state.app, &actor, &input).await?;
    Ok(created(
        &c,
        c.version,
        &format!("/api/v1/contributions/{}", c.id),
    ))
}

/// `GET /api/v1/contributions/{id}`: one contribution (audited).
#[utoipa::path(
    get,
    path = "/api/v1/contributions/{id}",
    tag = "investment",
    params(("id" = i64, Path, description = "Contribution id")),
    responses(
        (status = 200, description = "The contribution (the view is audited).", body = Contribution,
         headers(("ETag" = String, description = "The version, for If-Match"))),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn contribution_read(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let c = contributions::get(&state.app, &actor, id).await?;
    Ok(with_etag(StatusCode::OK, &c, c.version))
}

/// `PATCH /api/v1/contributions/{id}`: JSON merge patch with `If-Match`.
#[utoipa::path(
    patch,
    path = "/api/v1/contributions/{id}",
    tag = "investment",
    params(
        ("id" = i64, Path, description = "Contribution id"),
        ("If-Match" = String, Header, description = "The ETag last read, e.g. `\"3\"`, or `*`"),
    ),
    request_body(content = ContributionInput, content_type = "application/merge-patch+json",
                 description = "JSON merge patch (RFC 7396) of the contribution's fields."),
    responses(
        (status = 200, description = "Updated (audited, a new version in its history).", body = Contribution,
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
pub async fn contribution_update(
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
    let c = contributions::patch(&state.app, &actor, id, expected, &patch).await?;
    Ok(with_etag(StatusCode::OK, &c, c.version))
}

/// `GET /api/v1/contributions/{id}/history`: every version, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/contributions/{id}/history",
    tag = "investment",
    params(("id" = i64, Path, description = "Contribution id")),
    responses(
        (status = 200, description = "The versions, newest first.", body = [VersionRow]),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn contribution_history(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<VersionRow>>, ApiError> {
    Ok(Json(contributions::history(&state.app, &actor, id).await?))
}

// ---------------------------------------------------------------- remittances

/// `GET /api/v1/people/{id}/remittances`: what a person sent home, per year.
#[utoipa::path(
    get,
    path = "/api/v1/people/{id}/remittances",
    tag = "investment",
    params(("id" = i64, Path, description = "Person id")),
    responses(
        (status = 200, description = "Remittances per year and currency, newest first (sensitive: the view is audited).", body = [Remittance]),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn remittance_list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Remittance>>, ApiError> {
    Ok(Json(
        contributions::remittances(&state.app, &actor, id).await?,
    ))
}

/// `POST /api/v1/people/{id}/remittances`: records a year's remittances.
#[utoipa::path(
    post,
    path = "/api/v1/people/{id}/remittances",
    tag = "investment",
    params(("id" = i64, Path, description = "Person id")),
    request_body(content = RemittanceInput, description = "The year, the amount in integer minor units and its currency (replaces that year's figure in that currency)."),
    responses(
        (status = 200, description = "The person's remittances (audited).", body = [Remittance]),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn remittance_set(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<Vec<Remittance>>, ApiError> {
    let input: RemittanceInput = parse_input(&body)?;
    Ok(Json(
        contributions::set_remittance(&state.app, &actor, id, &input).await?,
    ))
}

/// `DELETE /api/v1/people/{id}/remittances/{remittance_id}`: removes a figure.
#[utoipa::path(
    delete,
    path = "/api/v1/people/{id}/remittances/{remittance_id}",
    tag = "investment",
    params(("id" = i64, Path, description = "Person id"),
           ("remittance_id" = i64, Path, description = "The figure's id")),
    responses(
        (status = 200, description = "The person's remittances left (audited).", body = [Remittance]),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn remittance_remove(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, rid)): Path<(i64, i64)>,
) -> Result<Json<Vec<Remittance>>, ApiError> {
    Ok(Json(
        contributions::remove_remittance(&state.app, &actor, id, rid).await?,
    ))
}

// ---------------------------------------------------------------- report

/// The report's dollar rate.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// Đồng per dollar, as decimal text ("25400"), for the dollar columns.
    pub usd_rate: String,
}

/// `GET /api/v1/investment/report`: projects and contributions in figures.
#[utoipa::path(
    get,
    path = "/api/v1/investment/report",
    tag = "investment",
    params(ReportParams),
    responses(
        (status = 200, description = "Projects by status and sector (count, registered and realised capital in đồng and, with a rate, in cents of a dollar), contributions by country, year, purpose and commune, within reach.", body = Report),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn report(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(q): Query<ReportParams>,
) -> Result<Json<Report>, ApiError> {
    Ok(Json(
        investment_reports::report(&state.app, &actor, &q.usd_rate).await?,
    ))
}
