//! JSON API (`/api/v1`): bearer tokens, problem+json errors.

use axum::Json;
use serde::Serialize;

use crate::extract::ApiUser;

/// Who the token belongs to.
#[derive(Debug, Serialize)]
pub struct Me {
    pub username: String,
    pub role: domain::Role,
    pub scopes: Vec<String>,
}

/// `GET /api/v1/me`.
pub async fn me(ApiUser(actor): ApiUser) -> Json<Me> {
    Json(Me {
        username: actor.username,
        role: actor.role,
        scopes: actor.token_scopes.unwrap_or_default(),
    })
}
