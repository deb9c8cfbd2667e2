//! HTTP layer of Kiều Bào: HTML pages (askama, htmx) and the JSON API.
//!
//! Handlers parse, call one use case in `app` (which checks access), and
//! render. No SQL and no business rules here.

pub mod access;
pub mod accounts;
pub mod assets;
pub mod community;
pub mod error;
pub mod exchange;
pub mod extract;
pub mod i18n;
pub mod intake;
pub mod metrics;
pub mod openapi;
pub mod pages;
pub mod portal;
pub mod problems;
pub mod publishing;
pub mod ratelimit;
pub mod registry;
pub mod routes;
pub mod security;
pub mod stats;
pub mod words;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use app::App;
use axum::Router;
use axum::http::{HeaderName, Request};
use axum::response::IntoResponse as _;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Web settings.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Served over TLS (directly or behind a proxy): Secure cookies with the
    /// `__Host-` prefix, HSTS.
    pub tls: bool,
    /// Trust `X-Forwarded-For` from a reverse proxy.
    pub trust_proxy: bool,
    /// The origin browsers use (`https://kieubao.example.gov.vn`); derived
    /// from `Host` when unset.
    pub public_origin: Option<String>,
    /// Largest request body in bytes.
    pub max_body_bytes: usize,
    /// API requests per minute per client address and server (0 = no limit).
    pub api_requests_per_minute: u32,
    /// Address ranges (CIDR) `/metrics` answers (`metrics_allow`).
    pub metrics_allow: Vec<String>,
    /// A bearer token that also opens `/metrics` (`metrics_token`).
    pub metrics_token: Option<String>,
}

impl WebConfig {
    /// The largest request body accepted (64 MiB when not set).
    pub fn body_limit(&self) -> usize {
        if self.max_body_bytes == 0 {
            64 * 1024 * 1024
        } else {
            self.max_body_bytes
        }
    }

    /// Session cookie name: `__Host-` prefixed behind TLS (the prefix
    /// requires the Secure attribute, which plain-HTTP browsers refuse).
    pub fn session_cookie(&self) -> &'static str {
        if self.tls {
            "__Host-kb_session"
        } else {
            "kb_session"
        }
    }

    /// Portal session cookie (people abroad): another name than the staff
    /// session's, so neither is ever read as the other.
    pub fn portal_cookie(&self) -> &'static str {
        if self.tls {
            "__Host-kb_portal"
        } else {
            "kb_portal"
        }
    }

    /// Pre-session CSRF cookie (sign-in form).
    pub fn pre_session_cookie(&self) -> &'static str {
        if self.tls { "__Host-kb_pre" } else { "kb_pre" }
    }
}

/// State shared by handlers.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub cfg: Arc<WebConfig>,
    pub limiter: Arc<ratelimit::Limiter>,
    /// This server's public pages (see [`publishing::site`]).
    pub pages: Arc<publishing::site::PageCache>,
    /// This server's request counters (see [`metrics`]).
    pub metrics: Arc<metrics::Metrics>,
}

/// The whole application router with its middleware.
pub fn router(app: App, cfg: WebConfig) -> Router {
    let max_body = cfg.body_limit();
    let state = AppState {
        app,
        cfg: Arc::new(cfg),
        limiter: Arc::new(ratelimit::Limiter::default()),
        pages: Arc::new(publishing::site::PageCache::default()),
        metrics: Arc::new(metrics::Metrics::default()),
    };
    let mut r: Router<AppState> = Router::new();
    for route in routes::table() {
        r = r.route(route.path, route.handler);
    }
    let request_id = HeaderName::from_static("x-request-id");
    r.fallback(security::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(axum::middleware::from_fn_with_state(state.clone(), ratelimit::limit_api))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::context))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::headers))
        // One limit for every body (uploads included): the extractors'
        // own 2 MB default would refuse an agency's list.
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .layer(RequestBodyLimitLayer::new(max_body))
        .layer(axum::middleware::from_fn(detach))
        .layer(TimeoutLayer::new(Duration::from_mins(2)))
        // Every error of the JSON API is problem+json, including those the
        // framework answers itself (body too large, unreadable parameters).
        .layer(axum::middleware::from_fn(error::api_problems))
        .layer(CatchPanicLayer::custom(security::panic_response))
        // Logs carry method, route template, status and request id: never
        // the query string or body, which may hold names.
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let route = req
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map_or("unmatched", axum::extract::MatchedPath::as_str)
                    .to_owned();
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                tracing::info_span!("request", method = %req.method(), route = %route, request_id = %id)
            })
            .on_failure(log_failure),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// A 503 is an answer the server means (not ready yet, or over its limit):
/// a warning. Any other server error is an error.
fn log_failure(
    class: tower_http::classify::ServerErrorsFailureClass,
    latency: Duration,
    _span: &tracing::Span,
) {
    use tower_http::classify::ServerErrorsFailureClass as C;
    let ms = latency.as_millis();
    match class {
        C::StatusCode(code) if code == axum::http::StatusCode::SERVICE_UNAVAILABLE => {
            tracing::warn!(status = %code, latency_ms = %ms, "service unavailable");
        }
        C::StatusCode(code) => {
            tracing::error!(status = %code, latency_ms = %ms, "response failed");
        }
        C::Error(error) => tracing::error!(error = %error, latency_ms = %ms, "response failed"),
    }
}

/// Runs the rest of the request in a task of its own, so that a client
/// hanging up (or the time-out answering for it) never cancels a handler
/// half-way through its database work: what was started — a write, its
/// audit row, an import commit — finishes, and its connection goes back to
/// the pool clean. A panic inside is handed on to the panic catcher.
async fn detach(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use tracing::Instrument as _;
    match tokio::spawn(next.run(req).in_current_span()).await {
        Ok(response) => response,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// Serves until `shutdown` resolves, then finishes in-flight requests.
/// Starts building the in-memory indexes ([`app::App::warm_up`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    cfg: WebConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Build the search index, then the statistics columns, in the
    // background; `/readyz` answers 503 until both are built.
    let warm = app.clone();
    tokio::spawn(async move { warm.warm_up().await });
    tokio::spawn(app::exchange::webhooks::worker(app.clone()));
    tokio::spawn(app::publishing::newsletters::worker(app.clone()));
    tokio::spawn(app::portal::petitions::watch_every(
        app.clone(),
        portal::mail::due_mails(cfg.public_origin.clone()),
    ));
    let router = router(app, cfg);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
