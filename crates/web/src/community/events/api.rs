//! JSON API of events and delegations: `/api/v1/events` (list, read,
//! create, update with `If-Match`, history), their invitees (added from the
//! registry's filters, replies and attendance, xlsx) and letters (.docx in
//! the official format, or the officer's own template filled per invitee).

use app::community::events::{
    self, Event, EventInput, EventRow, Invitee, InviteeChange, InviteeFilter, InviteesAdded,
    ListFilter, VersionRow,
};
use app::community::letters::{self, LetterInput};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiUser, parse_input};
use crate::i18n::{Lang, Tr};
use crate::pages::attachment;
use crate::registry::api::{created, parse_patch, require_if_match, with_etag};

/// Filters and cursor of `GET /api/v1/events`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Words of the name or place, with or without diacritics.
    pub q: String,
    /// `xuan_que_huong`, `conference`, `youth_camp`, `investment_promotion`,
    /// `incoming_delegation`, `outgoing_delegation` or `other`.
    pub kind: String,
    /// Country, ISO 3166 alpha-2 or its name.
    pub country: String,
    /// Events starting in this year.
    pub year: Option<i32>,
    /// Cursor: the `next` of the previous page.
    pub after: Option<i64>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
}

/// A page of events, by id.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventPage {
    pub items: Vec<EventRow>,
    /// Pass as `after` to get the next page; null on the last page.
    pub next: Option<i64>,
    /// Events matching the filters.
    pub total: i64,
}

/// A page of `rows` by id after `after`.
fn page_by_id(
    mut rows: Vec<EventRow>,
    after: Option<i64>,
    limit: Option<i64>,
) -> (Vec<EventRow>, Option<i64>) {
    let limit = usize::try_from(limit.unwrap_or(50).clamp(1, 500)).unwrap_or(50);
    let after = after.unwrap_or(0);
    rows.retain(|r| r.id > after);
    rows.sort_by_key(|r| r.id);
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = if more {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    (rows, next)
}

/// `GET /api/v1/events`: the events within the caller's reach.
#[utoipa::path(
    get,
    path = "/api/v1/events",
    tag = "events",
    params(ListParams),
    responses(
        (status = 200, description = "A page of events and delegations within reach (missions: their countries'), by id.", body = EventPage),
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
) -> Result<Json<EventPage>, ApiError> {
    let f = ListFilter {
        q: q.q,
        kind: q.kind,
        country: q.country,
        year: q.year,
    };
    let rows = events::list(&state.app, &actor, &f).await?;
    let total = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let (items, next) = page_by_id(rows, q.after, q.limit);
    Ok(Json(EventPage { items, next, total }))
}

/// `POST /api/v1/events`: 201 with the record and its `ETag`.
#[utoipa::path(
    post,
    path = "/api/v1/events",
    tag = "events",
    request_body(content = EventInput, description = "The new event or delegation; unknown fields are refused. A mission records those of its countries only."),
    responses(
        (status = 201, description = "Created (audited, first version of its history).", body = Event,
         headers(("ETag" = String, description = "The event's version, for If-Match"),
                 ("Location" = String, description = "The event's URL"))),
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
    let input: EventInput = parse_input(&body)?;
    let e = events::create(&state.app, &actor, &input).await?;
    Ok(created(&e, e.version, &format!("/api/v1/events/{}", e.id)))
}

/// `GET /api/v1/events/{id}`: one event with its invitees (audited).
#[utoipa::path(
    get,
    path = "/api/v1/events/{id}",
    tag = "events",
    params(("id" = i64, Path, description = "Event id")),
    responses(
        (status = 200, description = "The event with its figures and the invitees the caller may see (the view is audited).", body = Event,
         headers(("ETag" = String, description = "The event's version, for If-Match"))),
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
    let e = events::get(&state.app, &actor, id).await?;
    Ok(with_etag(StatusCode::OK, &e, e.version))
}

/// `PATCH /api/v1/events/{id}`: JSON merge patch with `If-Match`.
#[utoipa::path(
    patch,
    path = "/api/v1/events/{id}",
    tag = "events",
    params(
        ("id" = i64, Path, description = "Event id"),
        ("If-Match" = String, Header, description = "The ETag last read, e.g. `\"3\"`, or `*` to overwrite whatever version is current (RFC 9110)"),
    ),
    request_body(content = EventInput, content_type = "application/merge-patch+json",
                 description = "JSON merge patch (RFC 7396) of the event's fields."),
    responses(
        (status = 200, description = "Updated (audited, a new version in its history).", body = Event,
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
    let e = events::patch(&state.app, &actor, id, expected, &patch).await?;
    Ok(with_etag(StatusCode::OK, &e, e.version))
}

/// `GET /api/v1/events/{id}/history`: every version, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/events/{id}/history",
    tag = "events",
    params(("id" = i64, Path, description = "Event id")),
    responses(
        (status = 200, description = "The event's versions, newest first, each with what changed and the fields after the change.", body = [VersionRow]),
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
    Ok(Json(events::history(&state.app, &actor, id).await?))
}

/// `GET /api/v1/events/{id}/invitees`: the invitees the caller may see.
#[utoipa::path(
    get,
    path = "/api/v1/events/{id}/invitees",
    tag = "events",
    params(("id" = i64, Path, description = "Event id")),
    responses(
        (status = 200, description = "Invitees within the caller's jurisdiction, by name, with reply and attendance (the view is audited).", body = [Invitee]),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn invitees(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Invitee>>, ApiError> {
    Ok(Json(events::invitees(&state.app, &actor, id).await?.1))
}

/// `POST /api/v1/events/{id}/invitees`: invites the people the registry's filters name.
#[utoipa::path(
    post,
    path = "/api/v1/events/{id}/invitees",
    tag = "events",
    params(("id" = i64, Path, description = "Event id")),
    request_body(content = InviteeFilter, description = "The registry's list filters (country, category, tag, commune, old commune or district), an association, and/or people by id; at least one. Only people within the caller's jurisdiction are invited."),
    responses(
        (status = 200, description = "How many were invited (audited, in the event's history).", body = InviteesAdded),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn invitees_add(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<InviteesAdded>, ApiError> {
    let f: InviteeFilter = parse_input(&body)?;
    Ok(Json(
        events::add_invitees(&state.app, &actor, id, &f).await?,
    ))
}

/// `PATCH /api/v1/events/{id}/invitees/{person_id}`: reply and attendance.
#[utoipa::path(
    patch,
    path = "/api/v1/events/{id}/invitees/{person_id}",
    tag = "events",
    params(("id" = i64, Path, description = "Event id"),
           ("person_id" = i64, Path, description = "The invitee's person id")),
    request_body(content = InviteeChange, description = "The reply and/or the attendance."),
    responses(
        (status = 200, description = "The event (audited, in its history).", body = Event),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn invitee_change(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, person_id)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let c: InviteeChange = parse_input(&body)?;
    let e = events::change_invitee(&state.app, &actor, id, person_id, &c).await?;
    Ok(with_etag(StatusCode::OK, &e, e.version))
}

/// `DELETE /api/v1/events/{id}/invitees/{person_id}`: takes someone off the list.
#[utoipa::path(
    delete,
    path = "/api/v1/events/{id}/invitees/{person_id}",
    tag = "events",
    params(("id" = i64, Path, description = "Event id"),
           ("person_id" = i64, Path, description = "The invitee's person id")),
    responses(
        (status = 200, description = "The event without that invitee (audited, in its history).", body = Event),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn invitee_remove(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, person_id)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let e = events::remove_invitee(&state.app, &actor, id, person_id).await?;
    Ok(with_etag(StatusCode::OK, &e, e.version))
}

/// The invitee list as a workbook, in `lang`.
pub(crate) async fn invitees_workbook(
    state: &AppState,
    actor: &app::Actor,
    id: i64,
    lang: Lang,
) -> Result<Vec<u8>, app::AppError> {
    let t = Tr::new(lang);
    let (e, people) = events::invitees(&state.app, actor, id).await?;
    let headers: Vec<String> = [
        "events.no",
        "field.full_name",
        "field.country",
        "events.hometown",
        "field.reply",
        "field.attendance",
    ]
    .iter()
    .map(|k| t.s(k).to_owned())
    .collect();
    let rows: Vec<Vec<String>> = people
        .iter()
        .enumerate()
        .map(|(i, p)| {
            vec![
                (i + 1).to_string(),
                p.full_name.clone(),
                t.label("country", &p.country),
                p.hometown_text.clone(),
                t.label("event_reply", &p.reply),
                t.label("event_attendance", &p.attendance),
            ]
        })
        .collect();
    let title = format!(
        "{} — {} {}",
        e.name,
        t.s("events.invitees"),
        t.day(&e.starts_on)
    );
    events::invitees_xlsx(&title, &headers, &rows)
}

/// `GET /api/v1/events/{id}/invitees.xlsx`: the invitee list as a workbook.
#[utoipa::path(
    get,
    path = "/api/v1/events/{id}/invitees.xlsx",
    tag = "events",
    params(("id" = i64, Path, description = "Event id")),
    responses(
        (status = 200, description = "The invitees within the caller's jurisdiction with reply and attendance, in Vietnamese (audited).", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn invitees_xlsx(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let bytes = invitees_workbook(&state, &actor, id, Lang::Vi).await?;
    Ok(attachment(
        bytes,
        crate::pages::XLSX,
        &format!("khach-moi-su-kien-{id}.xlsx"),
    ))
}

/// `POST /api/v1/events/{id}/letters`: the letters as one .docx.
#[utoipa::path(
    post,
    path = "/api/v1/events/{id}/letters",
    tag = "events",
    params(("id" = i64, Path, description = "Event id")),
    request_body(content = LetterInput, description = "Kind, mode (one letter per invitee or one list letter), number and symbol, date, subject, body with placeholders, recipients, signer; empty fields take the kind's defaults (docs/LETTERS.md)."),
    responses(
        (status = 200, description = "The letters in the layout of Decree 30/2020/NĐ-CP (audited).", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn letters(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: LetterInput = parse_input(&body)?;
    let (bytes, name) = letters::generate(&state.app, &actor, id, &input).await?;
    Ok(attachment(bytes, crate::pages::DOCX, &name))
}

/// `POST /api/v1/events/{id}/letters/template`: the officer's .docx filled per invitee.
#[utoipa::path(
    post,
    path = "/api/v1/events/{id}/letters/template",
    tag = "events",
    params(("id" = i64, Path, description = "Event id")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
                 description = "The bytes of a .docx (any content type; the content is checked) with placeholders such as {{ho_ten}} and {{su_kien}} (docs/LETTERS.md), at most 5 MB."),
    responses(
        (status = 200, description = "A .zip with the template filled once per invitee within the caller's jurisdiction (audited).", content_type = "application/zip"),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn letters_template(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (bytes, name) =
        letters::fill_template(&state.app, &actor, id, &body, &LetterInput::default()).await?;
    Ok(attachment(bytes, "application/zip", &name))
}
