//! Restore from history (issue 22 rules: "history with restore") for
//! associations, enterprises, projects, contributions and events: the page
//! button on each record's history ("Khôi phục phiên bản này", behind a
//! confirmation) and `POST /api/v1/<kind>/{id}/versions/{n}/restore` with
//! `If-Match`. Checked and audited as an update of the record; the restore
//! is kept as a new version saying which one it brought back.

use app::community::{associations, contributions, enterprises, events, projects};
use app::{Actor, AppResult};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;

use crate::AppState;
use crate::access::{Access, Route, route};
use crate::error::{ApiError, PageError};
use crate::extract::{ApiUser, User};
use crate::i18n::Tr;
use crate::pages::page_err;
use crate::registry::api::{require_if_match, with_etag};

/// The record kinds whose history can be restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Association,
    Enterprise,
    Project,
    Contribution,
    Event,
}

impl Kind {
    /// The record's page (where the restore form sends back to).
    fn page(self, id: i64) -> String {
        match self {
            Self::Association => format!("/associations/{id}"),
            Self::Enterprise => format!("/investment/enterprises/{id}"),
            Self::Project => format!("/investment/projects/{id}"),
            Self::Contribution => format!("/investment/contributions/{id}"),
            Self::Event => format!("/events/{id}"),
        }
    }
}

/// The restore button of one row of a record's history.
#[derive(Debug, Clone)]
pub struct Button {
    /// Where the form posts.
    pub action: String,
    /// The version the page shows as current (the form's `version`).
    pub current: i64,
    /// The version the button brings back.
    pub n: i64,
}

/// The buttons of a history's rows (`versions`, newest first): one on the
/// newest row of each version but the current one, when the actor may
/// change the record. Several rows may share a version (an association's
/// member added keeps its fields and version), hence the newest only.
pub fn buttons(
    kind: Kind,
    id: i64,
    current: i64,
    may: bool,
    versions: &[i64],
) -> Vec<Option<Button>> {
    let mut seen = Vec::new();
    versions
        .iter()
        .map(|&n| {
            if !may || n == current || seen.contains(&n) {
                return None;
            }
            seen.push(n);
            Some(Button {
                action: format!("{}/versions/{n}/restore", kind.page(id)),
                current,
                n,
            })
        })
        .collect()
}

/// A restore's history summary in words ("restored version 2: name, city"
/// → "Khôi phục phiên bản 2: Tên, Thành phố"), or `None` for another summary.
pub fn restored_words(t: Tr, s: &str) -> Option<String> {
    let rest = s.strip_prefix("restored version ")?;
    let (n, fields) = rest.split_once(": ").unwrap_or((rest, ""));
    let names: Vec<String> = fields
        .split(", ")
        .filter(|f| !f.is_empty())
        .map(|f| t.field(f))
        .collect();
    Some(format!(
        "{} {n}: {}",
        t.s("community.history.restored"),
        names.join(", ")
    ))
}

/// Restores version `n` and answers with the record and its new `ETag`.
async fn run(
    state: &AppState,
    actor: &Actor,
    kind: Kind,
    id: i64,
    expected: i64,
    n: i64,
) -> AppResult<Response> {
    let app = &state.app;
    Ok(match kind {
        Kind::Association => {
            let r = associations::restore_version(app, actor, id, expected, n).await?;
            with_etag(StatusCode::OK, &r, r.version)
        }
        Kind::Enterprise => {
            let r = enterprises::restore_version(app, actor, id, expected, n).await?;
            with_etag(StatusCode::OK, &r, r.version)
        }
        Kind::Project => {
            let r = projects::restore_version(app, actor, id, expected, n).await?;
            with_etag(StatusCode::OK, &r, r.version)
        }
        Kind::Contribution => {
            let r = contributions::restore_version(app, actor, id, expected, n).await?;
            with_etag(StatusCode::OK, &r, r.version)
        }
        Kind::Event => {
            let r = events::restore_version(app, actor, id, expected, n).await?;
            with_etag(StatusCode::OK, &r, r.version)
        }
    })
}

/// The restore form: the version the page showed as current.
#[derive(Debug, Deserialize)]
pub struct RestoreForm {
    #[serde(default)]
    version: String,
}

async fn page(
    state: &AppState,
    user: &User,
    kind: Kind,
    id: i64,
    n: i64,
    f: &RestoreForm,
) -> Result<Response, PageError> {
    let expected = f.version.trim().parse().unwrap_or(-1);
    run(state, &user.actor, kind, id, expected, n)
        .await
        .map_err(page_err(user.lang))?;
    Ok(Redirect::to(&format!("{}#history", kind.page(id))).into_response())
}

async fn api(
    state: &AppState,
    actor: &Actor,
    kind: Kind,
    id: i64,
    n: i64,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let expected = match require_if_match(headers) {
        Ok(v) => v,
        Err(resp) => return Ok(resp),
    };
    Ok(run(state, actor, kind, id, expected, n).await?)
}

/// `POST /associations/{id}/versions/{n}/restore`.
pub async fn association_page(
    State(state): State<AppState>,
    user: User,
    Path((id, n)): Path<(i64, i64)>,
    Form(f): Form<RestoreForm>,
) -> Result<Response, PageError> {
    page(&state, &user, Kind::Association, id, n, &f).await
}

/// `POST /investment/enterprises/{id}/versions/{n}/restore`.
pub async fn enterprise_page(
    State(state): State<AppState>,
    user: User,
    Path((id, n)): Path<(i64, i64)>,
    Form(f): Form<RestoreForm>,
) -> Result<Response, PageError> {
    page(&state, &user, Kind::Enterprise, id, n, &f).await
}

/// `POST /investment/projects/{id}/versions/{n}/restore`.
pub async fn project_page(
    State(state): State<AppState>,
    user: User,
    Path((id, n)): Path<(i64, i64)>,
    Form(f): Form<RestoreForm>,
) -> Result<Response, PageError> {
    page(&state, &user, Kind::Project, id, n, &f).await
}

/// `POST /investment/contributions/{id}/versions/{n}/restore`.
pub async fn contribution_page(
    State(state): State<AppState>,
    user: User,
    Path((id, n)): Path<(i64, i64)>,
    Form(f): Form<RestoreForm>,
) -> Result<Response, PageError> {
    page(&state, &user, Kind::Contribution, id, n, &f).await
}

/// `POST /events/{id}/versions/{n}/restore`.
pub async fn event_page(
    State(state): State<AppState>,
    user: User,
    Path((id, n)): Path<(i64, i64)>,
    Form(f): Form<RestoreForm>,
) -> Result<Response, PageError> {
    page(&state, &user, Kind::Event, id, n, &f).await
}

macro_rules! restore_api {
    ($name:ident, $kind:expr, $path:literal, $tag:literal, $what:literal, $body:ty) => {
        #[doc = concat!("`POST ", $path, "`: restores an earlier version of ", $what, " as a new version.")]
        #[utoipa::path(
            post,
            path = $path,
            tag = $tag,
            params(
                ("id" = i64, Path, description = "Record id"),
                ("n" = i64, Path, description = "The version to bring back (from the record's history)"),
                ("If-Match" = String, Header, description = "The ETag last read, e.g. `\"3\"`, or `*` to overwrite whatever version is current (RFC 9110)"),
            ),
            responses(
                (status = 200, description = "Restored as a new version whose summary names the version brought back (audited); unchanged when that version's fields are today's.", body = $body,
                 headers(("ETag" = String, description = "The new version"))),
                (status = 401, response = crate::problems::Unauthorized),
                (status = 403, response = crate::problems::Forbidden),
                (status = 404, response = crate::problems::NotFound),
                (status = 409, description = "The record takes no more changes (merged).", body = crate::problems::ProblemDoc),
                (status = 412, response = crate::problems::Stale),
                (status = 422, response = crate::problems::Invalid),
                (status = 428, response = crate::problems::IfMatchRequired),
            ),
            security(("bearer" = []))
        )]
        pub async fn $name(
            State(state): State<AppState>,
            ApiUser(actor): ApiUser,
            Path((id, n)): Path<(i64, i64)>,
            headers: HeaderMap,
        ) -> Result<Response, ApiError> {
            api(&state, &actor, $kind, id, n, &headers).await
        }
    };
}

restore_api!(
    association_api,
    Kind::Association,
    "/api/v1/associations/{id}/versions/{n}/restore",
    "associations",
    "an association",
    associations::Association
);
restore_api!(
    enterprise_api,
    Kind::Enterprise,
    "/api/v1/enterprises/{id}/versions/{n}/restore",
    "investment",
    "an enterprise",
    enterprises::Enterprise
);
restore_api!(
    project_api,
    Kind::Project,
    "/api/v1/projects/{id}/versions/{n}/restore",
    "investment",
    "an investment project",
    projects::Project
);
restore_api!(
    contribution_api,
    Kind::Contribution,
    "/api/v1/contributions/{id}/versions/{n}/restore",
    "investment",
    "a contribution",
    contributions::Contribution
);
restore_api!(
    event_api,
    Kind::Event,
    "/api/v1/events/{id}/versions/{n}/restore",
    "events",
    "an event",
    events::Event
);

/// The routes, each classified.
pub fn routes() -> Vec<Route> {
    use Access::{Session, Token};
    let page = "roles changing the record, within reach (checked as an update; audited)";
    let api = "write scope; roles changing the record, within reach (If-Match; checked as an update; audited)";
    vec![
        route(
            "POST",
            "/associations/{id}/versions/{n}/restore",
            Session,
            page,
            post(association_page),
        ),
        route(
            "POST",
            "/investment/enterprises/{id}/versions/{n}/restore",
            Session,
            page,
            post(enterprise_page),
        ),
        route(
            "POST",
            "/investment/projects/{id}/versions/{n}/restore",
            Session,
            page,
            post(project_page),
        ),
        route(
            "POST",
            "/investment/contributions/{id}/versions/{n}/restore",
            Session,
            page,
            post(contribution_page),
        ),
        route(
            "POST",
            "/events/{id}/versions/{n}/restore",
            Session,
            page,
            post(event_page),
        ),
        route(
            "POST",
            "/api/v1/associations/{id}/versions/{n}/restore",
            Token,
            api,
            post(association_api),
        ),
        route(
            "POST",
            "/api/v1/enterprises/{id}/versions/{n}/restore",
            Token,
            api,
            post(enterprise_api),
        ),
        route(
            "POST",
            "/api/v1/projects/{id}/versions/{n}/restore",
            Token,
            api,
            post(project_api),
        ),
        route(
            "POST",
            "/api/v1/contributions/{id}/versions/{n}/restore",
            Token,
            api,
            post(contribution_api),
        ),
        route(
            "POST",
            "/api/v1/events/{id}/versions/{n}/restore",
            Token,
            api,
            post(event_api),
        ),
    ]
}
