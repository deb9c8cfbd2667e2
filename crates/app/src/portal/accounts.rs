//! Portal accounts of people abroad (issue 23 §1): registration with an
//! e-mail address and a password, confirmation by a link, sign-in with its
//! own sessions, and the password reset by e-mail.
//!
//! Apart from staff accounts on purpose: their own tables, another cookie
//! and a shorter idle time-out; no role, so nothing a staff page checks can
//! ever be granted from here. Links carry a random token of which only the
//! SHA-256 is stored; each is used once and expires.

use db::Row;

use crate::accounts::secret::{
    check_password_policy, dummy_hash, hash_password, random_token, token_hash, verify_password,
};
use crate::accounts::sessions::{hit, hit_since_first};
use crate::audit::{self, Event};
use crate::{App, AppError, AppResult, access, clock};

/// A confirmation link is good for two days; a reset link for one hour.
pub const CONFIRM_HOURS: i64 = 48;
pub const RESET_MINUTES: i64 = 60;
/// Portal sessions end this many hours after sign-in, whatever the activity.
pub const ABSOLUTE_HOURS: i64 = 8;
/// Registrations and reset requests per address per hour.
const REQUESTS_PER_HOUR: i64 = 20;

/// A checked e-mail address (trimmed, lower-cased) or the field's error
/// (the kernel's check, shared with staff accounts' addresses).
pub use crate::mail::normalize_address as normalize_email;

/// What a registration led to. The page says the same thing in both cases
/// (and both send one message), so whether an address is known is never
/// revealed to whoever typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registered {
    /// A new account, or one not yet confirmed: a confirmation link.
    Confirm {
        email: String,
        lang: String,
        token: String,
    },
    /// The address already has a confirmed account: a note to its owner.
    Known { email: String, lang: String },
}

async fn throttle(app: &App, what: &str, ip: &str) -> AppResult<()> {
    let hits = hit(app, &format!("portal-{what}-ip:{ip}"), 3600).await?;
    if hits > REQUESTS_PER_HOUR {
        return Err(AppError::RateLimited {
            retry_after_secs: 3600,
        });
    }
    Ok(())
}

async fn new_token(
    tx: &mut db::WriteTx,
    app: &App,
    account_id: i64,
    purpose: &str,
    seconds: i64,
) -> AppResult<String> {
    let token = random_token();
    sqlx::query(
        "INSERT INTO portal_tokens (token_hash, account_id, purpose, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash(&token))
    .bind(account_id)
    .bind(purpose)
    .bind(clock::fmt(app.clock.now_utc()))
    .bind(app.clock.in_seconds(seconds))
    .execute(&mut *tx.tx)
    .await?;
    Ok(token)
}

/// Registers an address with a password (`lang`: the language of its
/// e-mails). The password is hashed whether or not the address is known,
/// so both answers take the same time.
pub async fn register(
    app: &App,
    email: &str,
    password: &str,
    lang: &str,
    ip: &str,
) -> AppResult<Registered> {
    let mut errors = Vec::new();
    let email = normalize_email(email).map_err(|e| errors.push(e)).ok();
    if let Err(e) = check_password_policy(email.as_deref().unwrap_or(""), password) {
        errors.push(e);
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    throttle(app, "register", ip).await?;
    let lang = if lang == "en" { "en" } else { "vi" }.to_owned();
    let hash = hash_password(password)?;
    let mut tx = app.db.begin_write().await?;
    let row = sqlx::query("SELECT id, confirmed_at, lang FROM portal_accounts WHERE email = $1")
        .bind(&email)
        .fetch_optional(&mut *tx.tx)
        .await?;
    #[expect(
        clippy::single_match_else,
        reason = "the two cases are the two halves of registration"
    )]
    let out = match row {
        Some(r) => {
            let id: i64 = r.try_get(0)?;
            let confirmed: Option<String> = r.try_get(1)?;
            let stored_lang: String = r.try_get(2)?;
            if confirmed.is_some() {
                audit::append(
                    &mut tx,
                    app,
                    &access::portal_actor(id, None, ip),
                    Event::new("portal.register_known", "portal_account", &id),
                )
                .await?;
                Registered::Known {
                    email,
                    lang: stored_lang,
                }
            } else {
                // Not confirmed yet: whoever registers again sets the
                // password (the old one was never proven to be theirs).
                sqlx::query(
                    "UPDATE portal_accounts SET password_hash = $1, lang = $2 WHERE id = $3",
                )
                .bind(&hash)
                .bind(&lang)
                .bind(id)
                .execute(&mut *tx.tx)
                .await?;
                let token = new_token(&mut tx, app, id, "confirm", CONFIRM_HOURS * 3600).await?;
                audit::append(
                    &mut tx,
                    app,
                    &access::portal_actor(id, None, ip),
                    Event::new("portal.register", "portal_account", &id),
                )
                .await?;
                Registered::Confirm { email, lang, token }
            }
        }
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO portal_accounts (email, password_hash, lang, created_at) \
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(&email)
            .bind(&hash)
            .bind(&lang)
            .bind(clock::fmt(app.clock.now_utc()))
            .fetch_one(&mut *tx.tx)
            .await?;
            let token = new_token(&mut tx, app, id, "confirm", CONFIRM_HOURS * 3600).await?;
            audit::append(
                &mut tx,
                app,
                &access::portal_actor(id, None, ip),
                Event::new("portal.register", "portal_account", &id),
            )
            .await?;
            Registered::Confirm { email, lang, token }
        }
    };
    tx.commit().await?;
    Ok(out)
}

/// Uses a link's token: the account it belongs to, once. An unknown,
/// used or expired token is `NotFound`.
async fn use_token(tx: &mut db::WriteTx, app: &App, token: &str, purpose: &str) -> AppResult<i64> {
    let now = clock::fmt(app.clock.now_utc());
    let row = sqlx::query(
        "SELECT account_id, expires_at, used_at FROM portal_tokens \
         WHERE token_hash = $1 AND purpose = $2",
    )
    .bind(token_hash(token.trim()))
    .bind(purpose)
    .fetch_optional(&mut *tx.tx)
    .await?;
    let Some(r) = row else {
        return Err(AppError::NotFound);
    };
    let account: i64 = r.try_get(0)?;
    let expires: String = r.try_get(1)?;
    let used: Option<String> = r.try_get(2)?;
    if used.is_some() || expires < now {
        return Err(AppError::NotFound);
    }
    sqlx::query("UPDATE portal_tokens SET used_at = $1 WHERE token_hash = $2")
        .bind(&now)
        .bind(token_hash(token.trim()))
        .execute(&mut *tx.tx)
        .await?;
    Ok(account)
}

/// True when a link's token is still good (the reset form is shown only then).
pub async fn token_valid(app: &App, token: &str, purpose: &str) -> AppResult<bool> {
    let now = clock::fmt(app.clock.now_utc());
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM portal_tokens WHERE token_hash = $1 AND purpose = $2 \
         AND used_at IS NULL AND expires_at >= $3",
    )
    .bind(token_hash(token.trim()))
    .bind(purpose)
    .bind(now)
    .fetch_one(&app.db.pool)
    .await?;
    Ok(n > 0)
}

/// Confirms the address the link was sent to.
pub async fn confirm(app: &App, token: &str, ip: &str) -> AppResult<()> {
    let mut tx = app.db.begin_write().await?;
    let id = use_token(&mut tx, app, token, "confirm").await?;
    sqlx::query(
        "UPDATE portal_accounts SET confirmed_at = $1 WHERE id = $2 AND confirmed_at IS NULL",
    )
    .bind(clock::fmt(app.clock.now_utc()))
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        &access::portal_actor(id, None, ip),
        Event::new("portal.confirm", "portal_account", &id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A new portal session: the cookie's value (shown once) and its CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
}

/// Signs in with address and password. A wrong address, a wrong password
/// and an address not yet confirmed give the same answer; repeated
/// failures for one address are delayed, then refused for a while; each
/// network address is throttled like staff sign-in.
pub async fn sign_in(app: &App, email: &str, password: &str, ip: &str) -> AppResult<NewSession> {
    let hits = hit(app, &format!("portal-login-ip:{ip}"), 60).await?;
    if hits > app.settings.login_rate_per_minute {
        return Err(AppError::RateLimited {
            retry_after_secs: 60,
        });
    }
    let email = email.trim().to_lowercase();
    let fail_key = format!("portal-login-fail:{}", token_hash(&email));
    let failures: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(hits), 0) FROM rate_limits WHERE key = $1 AND window_start >= $2",
    )
    .bind(&fail_key)
    .bind(app.clock.now_utc().unix_timestamp() - 900)
    .fetch_one(&app.db.pool)
    .await?;
    if failures >= app.settings.lockout_threshold * 2 {
        let _ = verify_password(password, dummy_hash());
        return Err(AppError::RateLimited {
            retry_after_secs: 900,
        });
    }
    let row = sqlx::query(
        "SELECT id, password_hash, confirmed_at, disabled_at, person_id FROM portal_accounts \
         WHERE email = $1",
    )
    .bind(&email)
    .fetch_optional(&app.db.pool)
    .await?;
    #[expect(
        clippy::single_match_else,
        reason = "an unknown address costs a hash too"
    )]
    let found = match &row {
        Some(r) => {
            let hash: String = r.try_get(1)?;
            let confirmed: Option<String> = r.try_get(2)?;
            let disabled: Option<String> = r.try_get(3)?;
            let ok = verify_password(password, &hash);
            (ok && confirmed.is_some() && disabled.is_none())
                .then(|| r.try_get::<i64, _>(0))
                .transpose()?
        }
        None => {
            let _ = verify_password(password, dummy_hash());
            None
        }
    };
    let Some(id) = found else {
        let n = hit_since_first(app, &fail_key, 900).await?;
        // A delay that grows with the failures of this address (at most
        // two seconds), on top of the hashing.
        if n > 2 {
            let ms = (n as u64 - 2).saturating_mul(250).min(2000);
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
        audit::record(
            app,
            &access::portal_actor(0, None, ip),
            Event::new("portal.login_failed", "portal_account", &"")
                .with(serde_json::json!({"email_hash": &token_hash(&email)[..16]})),
        )
        .await?;
        return Err(AppError::BadCredentials);
    };
    let s = create_session(app, id, ip).await?;
    audit::record(
        app,
        &access::portal_actor(id, None, ip),
        Event::new("portal.login", "portal_account", &id),
    )
    .await?;
    Ok(s)
}

async fn create_session(app: &App, account_id: i64, ip: &str) -> AppResult<NewSession> {
    let token = random_token();
    let csrf = random_token();
    let now = clock::fmt(app.clock.now_utc());
    sqlx::query(
        "INSERT INTO portal_sessions (id_hash, account_id, csrf_token, created_at, last_seen_at, \
         expires_at, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(token_hash(&token))
    .bind(account_id)
    .bind(&csrf)
    .bind(&now)
    .bind(&now)
    .bind(app.clock.in_seconds(ABSOLUTE_HOURS * 3600))
    .bind(ip)
    .execute(&app.db.pool)
    .await?;
    Ok(NewSession { token, csrf })
}

/// A live portal session.
#[derive(Debug, Clone)]
pub struct PortalSession {
    pub account_id: i64,
    pub email: String,
    /// The registry record linked to the account, once an officer confirmed it.
    pub person_id: Option<i64>,
    pub csrf: String,
}

/// Resolves a portal session cookie (ends it when idle too long or past
/// its absolute limit).
pub async fn session(app: &App, token: &str) -> AppResult<PortalSession> {
    let hash = token_hash(token);
    let row = sqlx::query(
        "SELECT s.account_id, s.csrf_token, s.last_seen_at, s.expires_at, a.email, a.person_id, \
         a.disabled_at FROM portal_sessions s JOIN portal_accounts a ON a.id = s.account_id \
         WHERE s.id_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(&app.db.pool)
    .await?;
    let Some(r) = row else {
        return Err(AppError::Unauthenticated);
    };
    let now = app.clock.now_utc();
    let last_seen: String = r.try_get(2)?;
    let expires: String = r.try_get(3)?;
    let disabled: Option<String> = r.try_get(6)?;
    let idle_limit = now - time::Duration::minutes(app.settings.portal_idle_minutes);
    let last = clock::parse(&last_seen);
    if clock::fmt(now) > expires || last.is_none_or(|t| t < idle_limit) || disabled.is_some() {
        sqlx::query("DELETE FROM portal_sessions WHERE id_hash = $1")
            .bind(&hash)
            .execute(&app.db.pool)
            .await?;
        return Err(AppError::Unauthenticated);
    }
    if last.is_some_and(|t| now - t > time::Duration::minutes(1)) {
        sqlx::query("UPDATE portal_sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(clock::fmt(now))
            .bind(&hash)
            .execute(&app.db.pool)
            .await?;
    }
    Ok(PortalSession {
        account_id: r.try_get(0)?,
        csrf: r.try_get(1)?,
        email: r.try_get(4)?,
        person_id: r.try_get(5)?,
    })
}

/// Ends one portal session.
pub async fn sign_out(app: &App, token: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM portal_sessions WHERE id_hash = $1")
        .bind(token_hash(token))
        .execute(&app.db.pool)
        .await?;
    Ok(())
}

/// A reset link to send, when the address has a confirmed account. `None`
/// otherwise: the page answers the same either way.
pub async fn forgot(app: &App, email: &str, ip: &str) -> AppResult<Option<(String, String)>> {
    let email = normalize_email(email).map_err(|e| AppError::Invalid(vec![e]))?;
    throttle(app, "forgot", ip).await?;
    let row = sqlx::query(
        "SELECT id, lang FROM portal_accounts WHERE email = $1 AND confirmed_at IS NOT NULL \
         AND disabled_at IS NULL",
    )
    .bind(&email)
    .fetch_optional(&app.db.pool)
    .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    let id: i64 = r.try_get(0)?;
    let lang: String = r.try_get(1)?;
    let mut tx = app.db.begin_write().await?;
    let token = new_token(&mut tx, app, id, "reset", RESET_MINUTES * 60).await?;
    audit::append(
        &mut tx,
        app,
        &access::portal_actor(id, None, ip),
        Event::new("portal.reset_requested", "portal_account", &id),
    )
    .await?;
    tx.commit().await?;
    Ok(Some((lang, token)))
}

/// Sets a new password with a reset link; every session of the account ends.
pub async fn reset(app: &App, token: &str, password: &str, ip: &str) -> AppResult<()> {
    let mut tx = app.db.begin_write().await?;
    let id = use_token(&mut tx, app, token, "reset").await?;
    let email: String = sqlx::query_scalar("SELECT email FROM portal_accounts WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *tx.tx)
        .await?;
    check_password_policy(&email, password).map_err(|e| AppError::Invalid(vec![e]))?;
    sqlx::query("UPDATE portal_accounts SET password_hash = $1 WHERE id = $2")
        .bind(hash_password(password)?)
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query("DELETE FROM portal_sessions WHERE account_id = $1")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    audit::append(
        &mut tx,
        app,
        &access::portal_actor(id, None, ip),
        Event::new("portal.reset", "portal_account", &id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The account's address and language (for the messages sent to it).
pub async fn contact(app: &App, account_id: i64) -> AppResult<(String, String)> {
    let r = sqlx::query("SELECT email, lang FROM portal_accounts WHERE id = $1")
        .bind(account_id)
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((r.try_get(0)?, r.try_get(1)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_lowered_and_checked() {
        assert_eq!(
            normalize_email("  An.Nguyen@Example.ORG ").unwrap(),
            "an.nguyen@example.org"
        );
        assert_eq!(normalize_email("").unwrap_err().code, "required");
        for bad in [
            "an",
            "an@",
            "@example.org",
            "an@example",
            "an @example.org",
            "a@b@c.d",
        ] {
            assert_eq!(
                normalize_email(bad).unwrap_err().code,
                "invalid_email",
                "{bad}"
            );
        }
    }
}
