//! Sessions: creating and resolving them (with this process's cache and the
//! shared access-change counter), signing out, who must use a second factor,
//! and the fixed-window counter that throttles sign-in attempts.
//!
//! Every piece of state lives in the database (sessions, counters), so
//! several servers can share one PostgreSQL.

use db::Row;
use domain::Role;

use super::secret::{random_token, token_hash};
use super::users;
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, AppSettings, clock};

/// True when the settings require two-factor sign-in for this role.
pub fn required_for(settings: &AppSettings, role: Role) -> bool {
    settings.mfa_required_for_privileged && matches!(role, Role::Admin | Role::ProvinceOfficer)
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

/// Counts a hit for `key` in a window that begins at the first hit and lasts
/// `window_secs` — a count of failures that no boundary of the clock resets
/// half-way (with [`hit`]'s windows, failures on either side of a quarter
/// hour would start again from one).
pub async fn hit_since_first(app: &App, key: &str, window_secs: i64) -> AppResult<i64> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let hits: i64 = sqlx::query_scalar(
        "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (key) DO UPDATE SET \
           hits = CASE WHEN rate_limits.window_start > $3 THEN rate_limits.hits + 1 ELSE 1 END, \
           window_start = CASE WHEN rate_limits.window_start > $3 \
             THEN rate_limits.window_start ELSE excluded.window_start END \
         RETURNING hits",
    )
    .bind(key)
    .bind(now)
    .bind(now - window_secs)
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

/// Creates a session for a user (sign-in, or rotation after a privilege change).
pub async fn create_session(
    app: &App,
    user_id: i64,
    ip: &str,
    mfa_pending: bool,
) -> AppResult<NewSession> {
    let token = random_token();
    let csrf = random_token();
    let now = clock::fmt(app.clock.now_utc());
    let expires = app
        .clock
        .in_seconds(app.settings.session_absolute_hours * 3600);
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
pub(super) struct CachedToken {
    pub(super) actor: Actor,
    pub(super) expires: String,
    pub(super) epoch: i64,
    pub(super) fetched: std::time::Instant,
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

    pub(super) fn token(&self, hash: &str, epoch: i64) -> Option<CachedToken> {
        let maps = self.inner.lock().ok()?;
        maps.tokens
            .get(hash)
            .filter(|c| c.epoch == epoch && Self::fresh(c.fetched))
            .cloned()
    }

    pub(super) fn put_token(&self, hash: String, entry: CachedToken) {
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
pub(super) async fn auth_epoch(app: &App) -> AppResult<i64> {
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
    let now = app.clock.now_utc();
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
    let must_enrol = totp_enabled == 0 && required_for(&app.settings, actor.role);
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
