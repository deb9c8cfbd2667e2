//! Sign-in, sessions, CSRF tokens, API tokens and throttling.
//!
//! Every piece of state lives in the database (sessions, counters, locks), so
//! several servers can share one PostgreSQL.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use db::Row;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, FieldError, clock, users};

/// Minimum password length (NIST SP 800-63B recommends at least 8; staff
/// accounts hold personal data of thousands of people, so 10).
pub const MIN_PASSWORD_LEN: usize = 10;

static COMMON: &str = include_str!("../data/common_passwords.txt");

/// Checks a new password; returns field errors by key.
pub fn check_password_policy(username: &str, password: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_LEN {
        return Err(FieldError::new("password", "password_too_short"));
    }
    if n > 256 {
        return Err(FieldError::new("password", "too_long"));
    }
    let lower = password.to_lowercase();
    let first = lower.chars().next();
    if COMMON.lines().any(|l| l == lower)
        || lower == username.to_lowercase()
        || lower.chars().all(|c| Some(c) == first)
    {
        return Err(FieldError::new("password", "password_too_common"));
    }
    Ok(())
}

/// Hashes a password with Argon2id (default parameters of the argon2 crate:
/// 19 MiB, 2 passes, as OWASP recommends).
pub fn hash_password(password: &str) -> AppResult<String> {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("hash: {e}")))
}

/// Verifies a password against a stored hash.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash with the cost of a real one, verified when the user does not exist
/// so that timing does not tell which usernames exist.
fn dummy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4UJ5r4e8l5C0Tgm+6Q0tX8tSxK6jJ2s4m3bC3oHf3Vc"
}

/// A random token, URL-safe base64 of 32 bytes.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// SHA-256 of a token, hex: what the database keeps.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Fixed-window counter shared by every server. Returns the hits in the
/// current window, this one included.
pub async fn hit(app: &App, key: &str, window_secs: i64) -> AppResult<i64> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let window = now - now.rem_euclid(window_secs.max(1));
    let hits: i64 = sqlx::query_scalar(
        "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (key) DO UPDATE SET \
           hits = CASE WHEN rate_limits.window_start = excluded.window_start THEN rate_limits.hits + 1 ELSE 1 END, \
           window_start = excluded.window_start \
         RETURNING hits",
    )
    .bind(key)
    .bind(window)
    .fetch_one(&app.db.pool)
    .await?;
    Ok(hits)
}

/// A new session: the cookie value (shown once) and its CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub user_id: i64,
    /// The password was right but a second factor is still owed.
    pub mfa_pending: bool,
    /// Two-factor is required for the account's role but not set up yet:
    /// the user is sent to enrol.
    pub must_enrol: bool,
}

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
        "SELECT id, password_hash, disabled, failed_logins, locked_until FROM users WHERE username = $1",
    )
    .bind(username.trim())
    .fetch_optional(&app.db.pool)
    .await?;
    let Some(row) = row else {
        let _ = verify_password(password, dummy_hash());
        audit_failure(app, username, ip, "unknown_user").await?;
        return Err(AppError::BadCredentials);
    };
    let id: i64 = row.try_get(0)?;
    let hash: String = row.try_get(1)?;
    let disabled: i64 = row.try_get(2)?;
    let failed: i64 = row.try_get(3)?;
    let locked_until: Option<String> = row.try_get(4)?;
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
    if !verify_password(password, &hash) || disabled != 0 {
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
    let mfa_enabled = crate::mfa::enabled(app, id).await?;
    let mut session = create_session(app, id, ip, mfa_enabled).await?;
    session.must_enrol = !mfa_enabled && crate::mfa::required_for(&app.settings, actor.role);
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

/// Creates a session for a user (sign-in, or rotation after a privilege change).
pub async fn create_session(
    app: &App,
    user_id: i64,
    ip: &str,
    mfa_pending: bool,
) -> AppResult<NewSession> {
    let token = random_token();
    let csrf = random_token();
    let now = clock::now();
    let expires = clock::in_seconds(app.settings.session_absolute_hours * 3600);
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, mfa_pending) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(&csrf)
    .bind(&now)
    .bind(&now)
    .bind(&expires)
    .bind(ip)
    .bind(i64::from(mfa_pending))
    .execute(&app.db.pool)
    .await?;
    Ok(NewSession {
        token,
        csrf,
        user_id,
        mfa_pending,
        must_enrol: false,
    })
}

/// A valid session with its actor.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub actor: Actor,
    pub csrf: String,
    /// Only the second sign-in step is allowed with this session.
    pub mfa_pending: bool,
    /// The role requires two-factor sign-in and the account has not set it
    /// up: only the enrolment pages are allowed until it does.
    pub must_enrol: bool,
}

/// This process's cache of resolved sessions and API tokens.
///
/// A request would otherwise read the session or token, the account and its
/// scopes (three queries) before doing its work. Entries are keyed by the
/// token's hash and kept at most [`CACHE_TTL_SECS`]; each carries the
/// value of `auth_epoch` read before it was fetched. Every change that can
/// end or narrow access — a session ended, a token revoked, an account
/// disabled, a role, scope or password changed, from any server or the
/// command line — moves that counter in the same transaction (triggers,
/// migration 8), and each request reads it first (one indexed row), so a
/// revocation takes effect at once everywhere.
#[derive(Clone, Default)]
pub struct Cache {
    inner: std::sync::Arc<std::sync::Mutex<CacheMaps>>,
    /// The counter, read once for all the requests waiting at that moment.
    epoch: std::sync::Arc<crate::coalesce::Coalesced<i64>>,
}

#[derive(Default)]
struct CacheMaps {
    sessions: std::collections::HashMap<String, CachedSession>,
    tokens: std::collections::HashMap<String, CachedToken>,
}

#[derive(Clone)]
struct CachedSession {
    info: SessionInfo,
    last_seen: time::OffsetDateTime,
    expires: String,
    epoch: i64,
    fetched: std::time::Instant,
}

#[derive(Clone)]
struct CachedToken {
    actor: Actor,
    expires: String,
    epoch: i64,
    fetched: std::time::Instant,
}

/// Longest time a cached session or token is trusted without reading it again.
pub const CACHE_TTL_SECS: u64 = 60;
/// Entries kept at most (per kind); the cache is emptied beyond.
const CACHE_MAX: usize = 50_000;

impl Cache {
    fn fresh(fetched: std::time::Instant) -> bool {
        fetched.elapsed() < std::time::Duration::from_secs(CACHE_TTL_SECS)
    }

    fn session(&self, hash: &str, epoch: i64) -> Option<CachedSession> {
        let maps = self.inner.lock().ok()?;
        maps.sessions
            .get(hash)
            .filter(|c| c.epoch == epoch && Self::fresh(c.fetched))
            .cloned()
    }

    fn put_session(&self, hash: String, entry: CachedSession) {
        if let Ok(mut maps) = self.inner.lock() {
            if maps.sessions.len() >= CACHE_MAX {
                maps.sessions.clear();
            }
            maps.sessions.insert(hash, entry);
        }
    }

    fn token(&self, hash: &str, epoch: i64) -> Option<CachedToken> {
        let maps = self.inner.lock().ok()?;
        maps.tokens
            .get(hash)
            .filter(|c| c.epoch == epoch && Self::fresh(c.fetched))
            .cloned()
    }

    fn put_token(&self, hash: String, entry: CachedToken) {
        if let Ok(mut maps) = self.inner.lock() {
            if maps.tokens.len() >= CACHE_MAX {
                maps.tokens.clear();
            }
            maps.tokens.insert(hash, entry);
        }
    }

    fn forget_session(&self, hash: &str) {
        if let Ok(mut maps) = self.inner.lock() {
            maps.sessions.remove(hash);
        }
    }
}

/// The value of the access-change counter as of this call (see [`Cache`]):
/// concurrent requests share one read that began after they arrived.
async fn auth_epoch(app: &App) -> AppResult<i64> {
    app.auth_cache
        .epoch
        .get(|| async {
            Ok(
                sqlx::query_scalar::<_, i64>("SELECT n FROM auth_epoch WHERE id = 1")
                    .fetch_one(&app.db.pool)
                    .await?,
            )
        })
        .await
}

/// Resolves a session cookie; expired (idle or absolute) sessions are deleted.
pub async fn session(app: &App, token: &str, ip: &str) -> AppResult<SessionInfo> {
    let hash = token_hash(token);
    let epoch = auth_epoch(app).await?;
    let now = time::OffsetDateTime::now_utc();
    let idle_limit = now - time::Duration::minutes(app.settings.session_idle_minutes);
    if let Some(c) = app.auth_cache.session(&hash, epoch) {
        // Within a minute of the last read the stored last-seen time needs
        // no touch; anything near an expiry goes back to the database.
        if c.last_seen >= idle_limit
            && clock::fmt(now) <= c.expires
            && now - c.last_seen <= time::Duration::minutes(1)
        {
            let mut info = c.info;
            ip.clone_into(&mut info.actor.ip);
            return Ok(info);
        }
    }
    let fetched = std::time::Instant::now();
    let row = sqlx::query(
        "SELECT s.user_id, s.csrf_token, s.last_seen_at, s.expires_at, s.mfa_pending, u.totp_enabled \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(&app.db.pool)
    .await?;
    let Some(row) = row else {
        app.auth_cache.forget_session(&hash);
        return Err(AppError::Unauthenticated);
    };
    let user_id: i64 = row.try_get(0)?;
    let csrf: String = row.try_get(1)?;
    let last_seen: String = row.try_get(2)?;
    let expires: String = row.try_get(3)?;
    let mfa_pending: i64 = row.try_get(4)?;
    let totp_enabled: i64 = row.try_get(5)?;
    let last_seen = clock::parse(&last_seen);
    let idle_expired = last_seen.is_none_or(|t| t < idle_limit);
    if clock::fmt(now) > expires || idle_expired {
        app.auth_cache.forget_session(&hash);
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(&hash)
            .execute(&app.db.pool)
            .await?;
        return Err(AppError::Unauthenticated);
    }
    // Touch at most once a minute: fewer writes, same idle semantics.
    let mut seen = last_seen.unwrap_or(now);
    if now - seen > time::Duration::minutes(1) {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(clock::fmt(now))
            .bind(&hash)
            .execute(&app.db.pool)
            .await?;
        seen = now;
    }
    let actor = users::actor_for(app, user_id).await?;
    let must_enrol = totp_enabled == 0 && crate::mfa::required_for(&app.settings, actor.role);
    let info = SessionInfo {
        actor,
        csrf,
        mfa_pending: mfa_pending != 0,
        must_enrol,
    };
    app.auth_cache.put_session(
        hash,
        CachedSession {
            info: info.clone(),
            last_seen: seen,
            expires,
            epoch,
            fetched,
        },
    );
    let mut info = info;
    ip.clone_into(&mut info.actor.ip);
    Ok(info)
}

/// Ends one session.
pub async fn sign_out(app: &App, token: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(token_hash(token))
        .execute(&app.db.pool)
        .await?;
    Ok(())
}

/// Ends every session of the actor ("sign out everywhere").
pub async fn sign_out_everywhere(app: &App, actor: &Actor) -> AppResult<u64> {
    let Some(id) = actor.user_id else {
        return Ok(0);
    };
    let n = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(id)
        .execute(&app.db.pool)
        .await?
        .rows_affected();
    audit::record(
        app,
        actor,
        Event::new("auth.sign_out_everywhere", "user", &id),
    )
    .await?;
    Ok(n)
}

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
        app.db.backend,
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
        app.db.backend,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_common_passwords_are_refused() {
        assert_eq!(
            check_password_policy("u", "short").unwrap_err().code,
            "password_too_short"
        );
        assert_eq!(
            check_password_policy("u", "Password123").unwrap_err().code,
            "password_too_common"
        );
        assert_eq!(
            check_password_policy("longusername", "LongUserName")
                .unwrap_err()
                .code,
            "password_too_common"
        );
        assert_eq!(
            check_password_policy("u", "aaaaaaaaaaaa").unwrap_err().code,
            "password_too_common"
        );
        assert!(check_password_policy("u", "correct horse battery").is_ok());
    }

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &a));
        assert!(!verify_password("wrong horse battery", &a));
    }
}
