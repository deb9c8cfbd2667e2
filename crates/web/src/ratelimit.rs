//! Per-client request limit for the JSON API and uploads: a fixed window
//! per IP address, per server process. Sign-in has its own limit kept in the
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

/// Refuses API requests above the per-minute limit with 429 problem+json.
pub async fn limit_api(
    State(state): State<AppState>,
    ctx: Ctx,
    req: Request<Body>,
    next: Next,
) -> Response {
    let limit = state.cfg.api_requests_per_minute;
    if limit > 0
        && req.uri().path().starts_with("/api/")
        && !state.limiter.allow(&ctx.ip, limit, Duration::from_mins(1))
    {
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
