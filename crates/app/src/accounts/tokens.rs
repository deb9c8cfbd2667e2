//! API tokens: created for an account, resolved to its actor (through the
//! session cache), listed to their owner, revoked.

use db::Row;

use super::secret::{random_token, token_hash};
use super::sessions::{CachedToken, auth_epoch};
use super::users;
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, FieldError, clock};

/// Creates an API token for a user; the token is returned once and stored hashed.
pub async fn create_token(
    app: &App,
    actor: &Actor,
    user_id: i64,
    name: &str,
    scopes: &[&str],
    expires_days: i64,
) -> AppResult<String> {
    if actor.user_id != Some(user_id) {
        crate::access::authorize(actor, crate::access::Action::UserAdmin)?;
    }
    if !(1..=366).contains(&expires_days) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "expires_days",
            "out_of_range",
        )]));
    }
    for s in scopes {
        if !matches!(*s, "read" | "write" | "admin") {
            return Err(AppError::Invalid(vec![FieldError::new(
                "scopes",
                "unknown_scope",
            )]));
        }
    }
    // A token never carries more than its owner's role allows.
    let owner = if actor.user_id == Some(user_id) {
        actor.role
    } else {
        super::users::actor_for(app, user_id).await?.role
    };
    if scopes
        .iter()
        .any(|s| !crate::access::scopes_of_role(owner).contains(s))
    {
        return Err(AppError::Invalid(vec![FieldError::new(
            "scopes",
            "scope_beyond_role",
        )]));
    }
    let token = format!("kb_{}", random_token());
    let mut tx = app.db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, token_hash, scopes, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(user_id)
    .bind(name)
    .bind(token_hash(&token))
    .bind(scopes.join(" "))
    .bind(clock::now())
    .bind(clock::in_seconds(expires_days * 86_400))
    .fetch_one(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("token.create", "api_token", &id).with(
            serde_json::json!({"user_id": user_id, "scopes": scopes, "expires_days": expires_days}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// Resolves a bearer token to its actor; expired or revoked tokens fail.
pub async fn token_actor(app: &App, token: &str, ip: &str) -> AppResult<Actor> {
    let hash = token_hash(token);
    let epoch = auth_epoch(app).await?;
    if let Some(c) = app.auth_cache.token(&hash, epoch)
        && c.expires >= clock::now()
    {
        let mut actor = c.actor;
        ip.clone_into(&mut actor.ip);
        return Ok(actor);
    }
    let fetched = std::time::Instant::now();
    let row = sqlx::query(
        "SELECT id, user_id, scopes, expires_at, revoked_at FROM api_tokens WHERE token_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(&app.db.pool)
    .await?;
    let Some(row) = row else {
        return Err(AppError::Unauthenticated);
    };
    let user_id: i64 = row.try_get(1)?;
    let scopes: String = row.try_get(2)?;
    let expires: String = row.try_get(3)?;
    let revoked: Option<String> = row.try_get(4)?;
    if revoked.is_some() || expires < clock::now() {
        return Err(AppError::Unauthenticated);
    }
    let mut actor = users::actor_for(app, user_id).await?;
    actor.token_scopes = Some(scopes.split_whitespace().map(str::to_owned).collect());
    app.auth_cache.put_token(
        hash,
        CachedToken {
            actor: actor.clone(),
            expires,
            epoch,
            fetched,
        },
    );
    ip.clone_into(&mut actor.ip);
    Ok(actor)
}

/// Revokes a token (its owner or an administrator).
pub async fn revoke_token(app: &App, actor: &Actor, token_id: i64) -> AppResult<()> {
    let owner: Option<i64> = sqlx::query_scalar("SELECT user_id FROM api_tokens WHERE id = $1")
        .bind(token_id)
        .fetch_optional(&app.db.pool)
        .await?;
    let Some(owner) = owner else {
        return Err(AppError::NotFound);
    };
    if actor.user_id != Some(owner) {
        crate::access::authorize(actor, crate::access::Action::UserAdmin)
            .map_err(|_| AppError::NotFound)?;
    }
    let mut tx = app.db.begin_write().await?;
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
        .bind(clock::now())
        .bind(token_id)
        .execute(&mut *tx.tx)
        .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("token.revoke", "api_token", &token_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An API token as listed to its owner (never the token itself).
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenSummary {
    pub id: i64,
    pub name: String,
    pub scopes: String,
    pub created_at: String,
    pub expires_at: String,
    pub revoked: bool,
    pub expired: bool,
}

/// The actor's own API tokens, newest first.
pub async fn list_tokens(app: &App, actor: &Actor) -> AppResult<Vec<TokenSummary>> {
    crate::access::authorize(actor, crate::access::Action::SelfProfile)?;
    let Some(id) = actor.user_id else {
        return Ok(Vec::new());
    };
    let now = clock::now();
    let rows = sqlx::query(
        "SELECT id, name, scopes, created_at, expires_at, revoked_at FROM api_tokens \
         WHERE user_id = $1 ORDER BY id DESC",
    )
    .bind(id)
    .fetch_all(&app.db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let expires_at: String = r.try_get(4)?;
        out.push(TokenSummary {
            id: r.try_get(0)?,
            name: r.try_get(1)?,
            scopes: r.try_get(2)?,
            created_at: r.try_get(3)?,
            expired: expires_at < now,
            expires_at,
            revoked: r.try_get::<Option<String>, _>(5)?.is_some(),
        });
    }
    Ok(out)
}

/// A token made by [`rotate_token`], shown once.
#[derive(Debug, Clone)]
pub struct Rotated {
    /// The new token's id.
    pub id: i64,
    /// The new token itself (stored hashed).
    pub token: String,
}

/// Rotates a token without downtime (issue 25 §5): a new token for the same
/// account, name and scopes, valid for `expires_days`, while the old one
/// stays valid until it expires or is revoked ([`revoke_token`]) once the
/// client uses the new one. The new token names the old (`rotated_from`).
/// Its owner or an administrator; a revoked or expired token cannot be
/// rotated (make a new one instead).
pub async fn rotate_token(
    app: &App,
    actor: &Actor,
    token_id: i64,
    expires_days: i64,
) -> AppResult<Rotated> {
    let row = sqlx::query(
        "SELECT user_id, name, scopes, expires_at, revoked_at FROM api_tokens WHERE id = $1",
    )
    .bind(token_id)
    .fetch_optional(&app.db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let owner: i64 = row.try_get(0)?;
    if actor.user_id != Some(owner) {
        crate::access::authorize(actor, crate::access::Action::UserAdmin)
            .map_err(|_| AppError::NotFound)?;
    }
    let name: String = row.try_get(1)?;
    let scopes: String = row.try_get(2)?;
    let expires: String = row.try_get(3)?;
    let revoked: Option<String> = row.try_get(4)?;
    if revoked.is_some() || expires < clock::now() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "token",
            "not_valid",
        )]));
    }
    if !(1..=366).contains(&expires_days) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "expires_days",
            "out_of_range",
        )]));
    }
    let token = format!("kb_{}", random_token());
    let mut tx = app.db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, token_hash, scopes, created_at, expires_at, \
         rotated_from) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(owner)
    .bind(&name)
    .bind(token_hash(&token))
    .bind(&scopes)
    .bind(clock::now())
    .bind(clock::in_seconds(expires_days * 86_400))
    .bind(token_id)
    .fetch_one(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("token.rotate", "api_token", &id).with(serde_json::json!({
            "user_id": owner, "rotated_from": token_id, "expires_days": expires_days,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(Rotated { id, token })
}

/// An account's tokens (administrators; the command line's `token list`),
/// newest first, with the token each was rotated from.
pub async fn tokens_of_user(
    app: &App,
    actor: &Actor,
    user_id: i64,
) -> AppResult<Vec<(TokenSummary, Option<i64>)>> {
    if actor.user_id != Some(user_id) {
        crate::access::authorize(actor, crate::access::Action::UserAdmin)?;
    }
    let now = clock::now();
    let rows = sqlx::query(
        "SELECT id, name, scopes, created_at, expires_at, revoked_at, rotated_from \
         FROM api_tokens WHERE user_id = $1 ORDER BY id DESC",
    )
    .bind(user_id)
    .fetch_all(&app.db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let expires_at: String = r.try_get(4)?;
        out.push((
            TokenSummary {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                scopes: r.try_get(2)?,
                created_at: r.try_get(3)?,
                expired: expires_at < now,
                expires_at,
                revoked: r.try_get::<Option<String>, _>(5)?.is_some(),
            },
            r.try_get(6)?,
        ));
    }
    Ok(out)
}
