//! Accounts' JSON API (`/api/v1`): who a token belongs to, and the audit log.

use axum::Json;
use axum::extract::{Query, State};
use serde::Serialize;

use super::pages::AuditQuery;
use crate::AppState;
use crate::error::ApiError;
use crate::extract::ApiUser;

/// Who the token belongs to.
#[derive(Debug, Serialize)]
pub struct Me {
    pub username: String,
    pub role: domain::Role,
    pub scopes: Vec<String>,
    /// The account's own address for reminders (issue 23 §7), if any.
    pub email: Option<String>,
    pub mail_lang: String,
}

/// `GET /api/v1/me`.
pub async fn me(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Me>, ApiError> {
    let contact = match actor.user_id {
        Some(id) => app::accounts::users::mail_contact(&state.app, &actor, id).await?,
        None => app::accounts::users::MailContact::default(),
    };
    Ok(Json(Me {
        username: actor.username,
        role: actor.role,
        scopes: actor.token_scopes.unwrap_or_default(),
        email: contact.email,
        mail_lang: if contact.lang.is_empty() {
            "vi".to_owned()
        } else {
            contact.lang
        },
    }))
}

/// `GET /api/v1/audit`: the filtered log as JSON, newest first (at most 200
/// rows; page with `before`). Needs an admin-scoped token of an
/// administrator or province officer.
pub async fn api_audit(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(q): Query<AuditQuery>,
) -> Result<axum::Json<Vec<app::audit::Entry>>, ApiError> {
    let rows = app::audit::list(&state.app.db, &actor, &q.filter(200)).await?;
    Ok(axum::Json(rows))
}
