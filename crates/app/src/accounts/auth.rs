//! Sign-in with username and password: throttling, lock-out with back-off,
//! and the session it opens (pending a second factor when one is enabled).

use db::Row;

use super::secret::{dummy_hash, token_hash, verify_password};
use super::sessions::{NewSession, create_session, hit, required_for};
use super::{mfa, users};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, clock};

/// Signs in with username and password. Wrong user and wrong password give
/// the same error; repeated failures lock the account with back-off; each
/// IP address is throttled.
pub async fn sign_in(app: &App, username: &str, password: &str, ip: &str) -> AppResult<NewSession> {
    let hits = hit(app, &format!("login-ip:{ip}"), 60).await?;
    if hits > app.settings.login_rate_per_minute {
        return Err(AppError::RateLimited {
            retry_after_secs: 60,
        });
    }
    let row = sqlx::query(
        "SELECT id, password_hash, disabled, failed_logins, locked_until, system_account FROM users \
         WHERE username = $1",
    )
    .bind(username.trim())
    .fetch_optional(&app.db.pool)
    .await?;
    let Some(row) = row else {
        // An unknown name is locked out like an account (same count, same
        // back-off, same answer), so a lock-out confirms nothing. The name
        // is kept hashed.
        let _ = verify_password(password, dummy_hash());
        let key = format!(
            "login-unknown:{}",
            token_hash(&username.trim().to_lowercase())
        );
        let failed = hit(app, &key, 86_400).await?;
        let threshold = app.settings.lockout_threshold;
        audit_failure(app, username, ip, "unknown_user").await?;
        if failed > threshold {
            let minutes = 1_i64 << (failed - 1 - threshold).min(10);
            return Err(AppError::RateLimited {
                retry_after_secs: minutes.min(1440) * 60,
            });
        }
        return Err(AppError::BadCredentials);
    };
    let id: i64 = row.try_get(0)?;
    let hash: String = row.try_get(1)?;
    let disabled: i64 = row.try_get(2)?;
    let failed: i64 = row.try_get(3)?;
    let locked_until: Option<String> = row.try_get(4)?;
    // A system account (another system's, issue 25 §5) has no password:
    // refused like a wrong one, after the same work (the dummy hash's).
    let system = row.try_get::<i64, _>(5)? != 0;
    let hash = if system {
        dummy_hash().to_owned()
    } else {
        hash
    };
    let now = clock::now();
    if let Some(until) = locked_until.filter(|u| u.as_str() > now.as_str()) {
        let _ = verify_password(password, dummy_hash());
        audit_failure(app, username, ip, "locked").await?;
        let secs = clock::parse(&until).map_or(60, |u| {
            (u - time::OffsetDateTime::now_utc()).whole_seconds().max(1)
        });
        return Err(AppError::RateLimited {
            retry_after_secs: secs,
        });
    }
    if !verify_password(password, &hash) || disabled != 0 || system {
        let failed = failed + 1;
        let threshold = app.settings.lockout_threshold;
        // Back-off: 1, 2, 4 ... minutes after the threshold, at most a day.
        let locked = if failed >= threshold {
            let minutes = 1_i64 << (failed - threshold).min(10);
            Some(clock::in_seconds(minutes.min(1440) * 60))
        } else {
            None
        };
        sqlx::query("UPDATE users SET failed_logins = $1, locked_until = $2 WHERE id = $3")
            .bind(failed)
            .bind(locked)
            .bind(id)
            .execute(&app.db.pool)
            .await?;
        audit_failure(
            app,
            username,
            ip,
            if disabled != 0 {
                "disabled"
            } else {
                "bad_password"
            },
        )
        .await?;
        return Err(AppError::BadCredentials);
    }
    sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(id)
        .execute(&app.db.pool)
        .await?;
    let mut actor = users::actor_for(app, id).await?;
    ip.clone_into(&mut actor.ip);
    let mfa_enabled = mfa::enabled(app, id).await?;
    let mut session = create_session(app, id, ip, mfa_enabled).await?;
    session.must_enrol = !mfa_enabled && required_for(&app.settings, actor.role);
    audit::record(
        app,
        &actor,
        Event::new("auth.sign_in", "user", &id)
            .with(serde_json::json!({ "mfa_pending": mfa_enabled })),
    )
    .await?;
    Ok(session)
}

async fn audit_failure(app: &App, username: &str, ip: &str, reason: &str) -> AppResult<()> {
    let mut actor = Actor::system("anonymous");
    actor.username = "anonymous".into();
    ip.clone_into(&mut actor.ip);
    // The attempted username is recorded only by its hash: a mistyped
    // password pasted in the username box must not end up in the log.
    audit::record(
        app,
        &actor,
        Event::new("auth.sign_in_failed", "user", &"")
            .with(serde_json::json!({"reason": reason, "username_sha256": token_hash(username)})),
    )
    .await
}
