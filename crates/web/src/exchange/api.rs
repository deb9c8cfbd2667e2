//! `GET /api/v1/changes`: the change feed (see [`app::exchange::changes`]).

use app::exchange::changes::{self, ChangePage};
use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::ApiUser;

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
