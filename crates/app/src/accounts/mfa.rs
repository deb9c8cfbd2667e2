//! Two-factor authentication: TOTP enrolment, the second sign-in step, and
//! one-time recovery codes (stored hashed, each usable once).
//!
//! A session created by a correct password for an account with TOTP enabled
//! is *pending* (`sessions.mfa_pending = 1`): it grants nothing but the
//! second step, and is replaced by a fresh session once a code is given.

use db::Row;
use rand::RngCore;

use super::secret::{self, check_current_password};
use super::sessions::{self, NewSession, required_for};
use super::{totp, users};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, FieldError, clock};

/// Issuer shown in authenticator apps.
pub const ISSUER: &str = "Kieu Bao";
/// Recovery codes issued at enrolment.
pub const RECOVERY_CODES: usize = 10;

/// Two-factor state of an account, for the profile page.
#[derive(Debug, Clone)]
pub struct Status {
    pub enabled: bool,
    pub required: bool,
    /// Secret being enrolled (shown until confirmed), base32.
    pub pending_secret: Option<String>,
    pub pending_uri: Option<String>,
    pub recovery_left: usize,
}

fn user_id(actor: &Actor) -> AppResult<i64> {
    actor.user_id.ok_or(AppError::Forbidden)
}

async fn load(app: &App, id: i64) -> AppResult<(Option<String>, bool, Vec<String>)> {
    let row =
        sqlx::query("SELECT totp_secret, totp_enabled, recovery_codes FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&app.db.pool)
            .await?
            .ok_or(AppError::NotFound)?;
    let secret: Option<String> = row.try_get(0)?;
    let enabled: i64 = row.try_get(1)?;
    let codes: String = row.try_get(2)?;
    let codes: Vec<String> = serde_json::from_str(&codes).unwrap_or_default();
    Ok((secret, enabled != 0, codes))
}

/// The actor's two-factor state.
pub async fn status(app: &App, actor: &Actor) -> AppResult<Status> {
    crate::access::authorize(actor, crate::access::Action::SelfProfile)?;
    let id = user_id(actor)?;
    let (secret, enabled, codes) = load(app, id).await?;
    let pending_secret = if enabled { None } else { secret };
    Ok(Status {
        enabled,
        required: required_for(&app.settings, actor.role),
        pending_uri: pending_secret
            .as_ref()
            .map(|s| totp::otpauth_uri(ISSUER, &actor.username, s)),
        pending_secret,
        recovery_left: codes.len(),
    })
}

/// Starts (or restarts) enrolment: a new secret, not yet active.
pub async fn begin_enrolment(app: &App, actor: &Actor) -> AppResult<String> {
    crate::access::authorize(actor, crate::access::Action::SelfProfile)?;
    let id = user_id(actor)?;
    let (_, enabled, _) = load(app, id).await?;
    if enabled {
        return Err(AppError::Conflict("mfa_already_enabled".into()));
    }
    let mut b = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut b);
    let secret = totp::base32_encode(&b);
    sqlx::query("UPDATE users SET totp_secret = $1, updated_at = $2 WHERE id = $3")
        .bind(&secret)
        .bind(clock::now())
        .bind(id)
        .execute(&app.db.pool)
        .await?;
    Ok(secret)
}

fn new_recovery_code() -> String {
    let mut b = [0u8; 5];
    rand::rngs::OsRng.fill_bytes(&mut b);
    let s = totp::base32_encode(&b).to_lowercase();
    format!("{}-{}", &s[..4], &s[4..])
}

fn normalise_recovery(code: &str) -> String {
    code.trim().to_lowercase().replace([' ', '-'], "")
}

/// Marks a TOTP step as used for an account; false when it already was
/// (a replayed code). The marker lives in the shared `rate_limits` table so
/// several servers agree.
async fn first_use_of_step(app: &App, user_id: i64, step: i64) -> AppResult<bool> {
    let n = sqlx::query(
        "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) ON CONFLICT (key) DO NOTHING",
    )
    .bind(format!("totp-used:{user_id}:{step}"))
    .bind(step * totp::STEP)
    .execute(&app.db.pool)
    .await?
    .rows_affected();
    Ok(n == 1)
}

fn bad_code() -> AppError {
    AppError::Invalid(vec![FieldError::new("code", "mfa_bad_code")])
}

/// Confirms enrolment with a code from the app; returns the recovery codes
/// (shown once, stored hashed). Other sessions of the account end.
pub async fn confirm_enrolment(
    app: &App,
    actor: &Actor,
    code: &str,
    keep_session: Option<&str>,
) -> AppResult<Vec<String>> {
    crate::access::authorize(actor, crate::access::Action::SelfProfile)?;
    let id = user_id(actor)?;
    let (secret, enabled, _) = load(app, id).await?;
    if enabled {
        return Err(AppError::Conflict("mfa_already_enabled".into()));
    }
    let secret = secret
        .and_then(|s| totp::base32_decode(&s))
        .ok_or_else(bad_code)?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let step = totp::verify(&secret, code, now).ok_or_else(bad_code)?;
    if !first_use_of_step(app, id, step).await? {
        return Err(bad_code());
    }
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    let hashed: Vec<String> = codes
        .iter()
        .map(|c| secret::token_hash(&normalise_recovery(c)))
        .collect();
    let mut tx = app.db.begin_write().await?;
    sqlx::query(
        "UPDATE users SET totp_enabled = 1, recovery_codes = $1, updated_at = $2 WHERE id = $3",
    )
    .bind(serde_json::to_string(&hashed).map_err(anyhow::Error::from)?)
    .bind(clock::now())
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    end_other_sessions(&mut tx, id, keep_session).await?;
    audit::append(&mut tx, app, actor, Event::new("mfa.enable", "user", &id)).await?;
    tx.commit().await?;
    Ok(codes)
}

async fn end_other_sessions(
    tx: &mut db::WriteTx,
    user_id: i64,
    keep_session: Option<&str>,
) -> AppResult<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(user_id)
        .bind(keep_session.map(secret::token_hash).unwrap_or_default())
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// Turns two-factor off (the current password is required). Refused when
/// the settings require it for the actor's role.
pub async fn disable(app: &App, actor: &Actor, password: &str) -> AppResult<()> {
    crate::access::authorize(actor, crate::access::Action::SelfProfile)?;
    let id = user_id(actor)?;
    if required_for(&app.settings, actor.role) {
        return Err(AppError::Forbidden);
    }
    check_current_password(app, id, password).await?;
    let mut tx = app.db.begin_write().await?;
    sqlx::query(
        "UPDATE users SET totp_enabled = 0, totp_secret = NULL, recovery_codes = '[]', updated_at = $1 WHERE id = $2",
    )
    .bind(clock::now())
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    audit::append(&mut tx, app, actor, Event::new("mfa.disable", "user", &id)).await?;
    tx.commit().await?;
    Ok(())
}

/// Clears an account's two-factor setup (administrators, for a user who lost
/// both the authenticator and the recovery codes); its sessions end, and a
/// role that requires two-factor is sent to enrol again at next sign-in.
pub async fn reset(app: &App, actor: &Actor, user_id: i64) -> AppResult<()> {
    crate::access::authorize(actor, crate::access::Action::UserAdmin)?;
    let mut tx = app.db.begin_write().await?;
    let n = sqlx::query(
        "UPDATE users SET totp_enabled = 0, totp_secret = NULL, recovery_codes = '[]', updated_at = $1 WHERE id = $2",
    )
    .bind(clock::now())
    .bind(user_id)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx.tx)
        .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("mfa.reset", "user", &user_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// True when the account has TOTP enabled.
pub async fn enabled(app: &App, user_id: i64) -> AppResult<bool> {
    Ok(load(app, user_id).await?.1)
}

/// The second sign-in step: a TOTP code or an unused recovery code turns a
/// pending session into a fresh full one (new id). Attempts are limited per
/// account.
pub async fn complete_sign_in(
    app: &App,
    pending_token: &str,
    code: &str,
    ip: &str,
) -> AppResult<NewSession> {
    let hash = secret::token_hash(pending_token);
    let user_id: Option<i64> =
        sqlx::query_scalar("SELECT user_id FROM sessions WHERE id_hash = $1 AND mfa_pending = 1")
            .bind(&hash)
            .fetch_optional(&app.db.pool)
            .await?;
    let Some(user_id) = user_id else {
        return Err(AppError::Unauthenticated);
    };
    let hits = sessions::hit(app, &format!("mfa:{user_id}"), 300).await?;
    if hits > app.settings.lockout_threshold {
        return Err(AppError::RateLimited {
            retry_after_secs: 300,
        });
    }
    let (secret, enabled, codes) = load(app, user_id).await?;
    if !enabled {
        return Err(AppError::Unauthenticated);
    }
    let mut actor = users::actor_for(app, user_id).await?;
    ip.clone_into(&mut actor.ip);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let by_totp = match secret.and_then(|s| totp::base32_decode(&s)) {
        Some(secret) => match totp::verify(&secret, code, now) {
            Some(step) => first_use_of_step(app, user_id, step).await?,
            None => false,
        },
        None => false,
    };
    let mut tx = app.db.begin_write().await?;
    let method = if by_totp {
        "totp"
    } else {
        let wanted = secret::token_hash(&normalise_recovery(code));
        let Some(pos) = codes.iter().position(|c| *c == wanted) else {
            drop(tx);
            audit::record(app, &actor, Event::new("auth.mfa_failed", "user", &user_id)).await?;
            return Err(bad_code());
        };
        let mut left = codes;
        left.remove(pos);
        // Conditional on the old list: two servers cannot both spend one code.
        let n = sqlx::query(
            "UPDATE users SET recovery_codes = $1 WHERE id = $2 AND recovery_codes = $3",
        )
        .bind(serde_json::to_string(&left).map_err(anyhow::Error::from)?)
        .bind(user_id)
        .bind(
            serde_json::to_string(&{
                let mut all = left.clone();
                all.insert(pos, wanted.clone());
                all
            })
            .map_err(anyhow::Error::from)?,
        )
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(bad_code());
        }
        "recovery_code"
    };
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(&hash)
        .execute(&mut *tx.tx)
        .await?;
    audit::append(
        &mut tx,
        app,
        &actor,
        Event::new("auth.mfa_verified", "user", &user_id)
            .with(serde_json::json!({ "method": method })),
    )
    .await?;
    tx.commit().await?;
    sessions::create_session(app, user_id, ip, false).await
}
