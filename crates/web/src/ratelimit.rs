//! Per-caller request limit for the JSON API and uploads: a fixed window
//! per bearer token (per address without one), with a higher floor per
//! address, per server process. Sign-in has its own limit kept in the
//! database (shared by every server), see `app::accounts::sessions::hit`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;
use crate::error::problem;
use crate::security::Ctx;

/// Counters of the current window.
#[derive(Debug, Default)]
pub struct Limiter {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Limiter {
    /// Counts one request of `key`; false when over `limit` in the window.
    pub fn allow(&self, key: &str, limit: u32, window: Duration) -> bool {
        let Ok(mut map) = self.windows.lock() else {
            return true;
        };
        let now = Instant::now();
        if map.len() > 100_000 {
            map.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = map.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= limit
    }
}

/// How many tokens' worth of budget one user has across all their tokens:
/// a person (or a system acting as one account) with two tokens may use
/// both at full speed, but minting more does not buy more requests.
pub const TOKENS_PER_USER: u32 = 2;

/// Counts one API request of an authenticated user against the user's own
/// budget ([`TOKENS_PER_USER`] times the per-token limit); false when over.
/// Called once the bearer token is known to belong to `user_id`.
pub fn allow_user(limiter: &Limiter, user_id: i64, limit: u32) -> bool {
    limit == 0
        || limiter.allow(
            &format!("user:{user_id}"),
            limit.saturating_mul(TOKENS_PER_USER),
            Duration::from_mins(1),
        )
}

/// How many callers behind one address (a ministry's proxy, a NAT) may
/// share it: the address's own limit is this many times a caller's.
const CALLERS_PER_ADDRESS: u32 = 10;

/// The counters one API request is held to: its caller's (the bearer
/// token's, by a hash of it; the address's when it has none) with the
/// per-minute limit, and, for a token, its address's with a floor
/// [`CALLERS_PER_ADDRESS`] times higher — so one caller cannot use up its
/// neighbours' budget, and made-up tokens cannot multiply one address's.
fn counters(ip: &str, authorization: Option<&str>, limit: u32) -> Vec<(String, u32)> {
    let token = authorization
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty());
    match token {
        Some(t) => {
            use sha2::Digest;
            let h = sha2::Sha256::digest(t.as_bytes());
            vec![
                (format!("token:{}", hex::encode(&h[..12])), limit),
                (
                    format!("ip:{ip}"),
                    limit.saturating_mul(CALLERS_PER_ADDRESS),
                ),
            ]
        }
        None => vec![(format!("ip:{ip}"), limit)],
    }
}

/// Refuses API requests above the per-minute limit with 429 problem+json.
pub async fn limit_api(
    State(state): State<AppState>,
    ctx: Ctx,
    req: Request<Body>,
    next: Next,
) -> Response {
    let limit = state.cfg.api_requests_per_minute;
    let over = limit > 0
        && req.uri().path().starts_with("/api/")
        && counters(
            &ctx.ip,
            req.headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok()),
            limit,
        )
        .iter()
        // Every counter counts the request (no short-circuit).
        .map(|(key, n)| state.limiter.allow(key, *n, Duration::from_mins(1)))
        .collect::<Vec<bool>>()
        .contains(&false);
    if over {
        let mut resp = problem(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many requests",
            Vec::new(),
        );
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return resp;
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 26, finding 8: each token has its own budget; one address has
    /// a higher floor; made-up tokens do not multiply an address's budget.
    #[test]
    fn each_caller_has_its_budget_and_the_address_a_floor() {
        let l = Limiter::default();
        let w = Duration::from_mins(1);
        let run = |ip: &str, auth: Option<&str>| {
            counters(ip, auth, 3)
                .iter()
                .map(|(k, n)| l.allow(k, *n, w))
                .collect::<Vec<bool>>()
                .iter()
                .all(|ok| *ok)
        };
        for _ in 0..3 {
            assert!(run("10.0.0.1", Some("Bearer kb_a")));
        }
        assert!(!run("10.0.0.1", Some("Bearer kb_a")), "token a is over");
        assert!(
            run("10.0.0.1", Some("Bearer kb_b")),
            "token b has its own budget"
        );
        // Made-up tokens from one address: stopped at the address's floor.
        let allowed = (0..100)
            .filter(|i| run("10.0.0.2", Some(&format!("Bearer kb_{i}"))))
            .count();
        assert_eq!(allowed, 30);
        // Without a token the address is the caller.
        for _ in 0..3 {
            assert!(run("10.0.0.3", None));
        }
        assert!(!run("10.0.0.3", None));
    }

    /// Issue 26, finding 8: a user's tokens share the user's budget, so
    /// minting tokens does not multiply it; other users are not affected.
    #[test]
    fn a_users_tokens_share_the_users_budget() {
        let l = Limiter::default();
        let allowed = (0..50).filter(|_| allow_user(&l, 7, 5)).count();
        assert_eq!(allowed, 5 * TOKENS_PER_USER as usize);
        assert!(allow_user(&l, 8, 5), "another user has their own budget");
        assert!(allow_user(&l, 7, 0), "no limit configured: never refused");
    }

    #[test]
    fn requests_over_the_limit_are_refused_until_the_window_ends() {
        let l = Limiter::default();
        assert!(l.allow("a", 2, Duration::from_mins(1)));
        assert!(l.allow("a", 2, Duration::from_mins(1)));
        assert!(!l.allow("a", 2, Duration::from_mins(1)));
        assert!(
            l.allow("b", 2, Duration::from_mins(1)),
            "other clients are not affected"
        );
        assert!(
            l.allow("a", 2, Duration::from_millis(0)),
            "a new window starts afresh"
        );
    }
}
