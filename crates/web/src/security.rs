//! Request context, session cookie, CSRF and Origin checks, security headers.

use std::net::SocketAddr;

use app::accounts::sessions::SessionInfo;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::{error_page, problem};
use crate::i18n::Lang;

/// Largest form body the CSRF check will buffer (file uploads use the header).
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// What the middleware learned about the request, for the handlers.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub ip: String,
    pub session: Option<SessionInfo>,
    /// Raw session cookie value (to sign out).
    pub session_token: Option<String>,
    /// A person abroad's portal session (only on the portal's pages,
    /// `/kieu-bao/...`, where staff sessions are not read).
    pub portal: Option<app::portal::accounts::PortalSession>,
    /// Raw portal cookie value (to sign out).
    pub portal_token: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Ctx>().cloned().unwrap_or(Ctx {
            lang: Lang::Vi,
            ip: String::new(),
            session: None,
            session_token: None,
            portal: None,
            portal_token: None,
        }))
    }
}

/// Reads one cookie from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Client address: the socket peer, or the first hop a trusted proxy names.
pub(crate) fn client_ip(req: &Request<Body>, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(ip) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
    {
        return ip.trim().to_owned();
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default()
}

fn is_unsafe(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The origin the browser must send: configured, or derived from Host.
pub fn expected_origin(state: &AppState, headers: &HeaderMap) -> Option<String> {
    if let Some(o) = &state.cfg.public_origin {
        return Some(o.clone());
    }
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let scheme = if state.cfg.tls { "https" } else { "http" };
    Some(format!("{scheme}://{host}"))
}

fn origin_ok(state: &AppState, headers: &HeaderMap) -> bool {
    let expected = expected_origin(state, headers);
    let sent = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            // Without Origin, fall back to the Referer's origin.
            let r = headers.get(header::REFERER)?.to_str().ok()?;
            let rest = r.split_once("://")?;
            let host = rest.1.split('/').next()?;
            Some(format!("{}://{host}", rest.0))
        });
    match (sent, expected) {
        (Some(s), Some(e)) => s == e,
        // Neither header: not a browser cross-site form (browsers send Origin on POST).
        (None, _) => true,
        (Some(_), None) => false,
    }
}

fn csrf_refused(lang: Lang, api: bool) -> Response {
    if api {
        problem(
            StatusCode::FORBIDDEN,
            "csrf",
            "CSRF check failed",
            Vec::new(),
        )
    } else {
        error_page(lang, StatusCode::FORBIDDEN, "error.csrf", Vec::new())
    }
}

/// Resolves the session, checks CSRF and Origin on state-changing browser
/// requests, and stores a [`Ctx`] for the handlers.
pub async fn context(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    let lang = cookie(req.headers(), "kb_lang").map_or(Lang::Vi, |c| Lang::from_code(&c));
    let ip = client_ip(&req, state.cfg.trust_proxy);
    let is_api = req.uri().path().starts_with("/api/");
    // A NUL in a parameter can be stored by no database (PostgreSQL refuses
    // it in text) and is typed by no one: refused before any handler.
    if let Some(name) = nul_parameter(req.uri().query().unwrap_or("")) {
        return if is_api {
            problem(
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
                "A parameter of the request is missing, malformed or out of range.",
                vec![app::FieldError::new(name, "control_chars")],
            )
        } else {
            error_page(lang, StatusCode::BAD_REQUEST, "error.invalid", Vec::new())
        };
    }
    // The portal's pages read the portal cookie only, every other page the
    // staff cookie only: neither session works on the other's pages.
    let is_portal = is_portal_path(req.uri().path());
    let token = if is_api || is_portal {
        None
    } else {
        cookie(req.headers(), state.cfg.session_cookie())
    };
    let portal_token = if is_portal {
        cookie(req.headers(), state.cfg.portal_cookie())
    } else {
        None
    };
    let portal = match &portal_token {
        Some(t) => app::portal::accounts::session(&state.app, t).await.ok(),
        None => None,
    };
    let session = match &token {
        Some(t) => app::accounts::sessions::session(&state.app, t, &ip)
            .await
            .ok(),
        None => None,
    };
    let mut req = req;
    if is_unsafe(req.method()) && !is_api {
        if !origin_ok(&state, req.headers()) {
            return csrf_refused(lang, false);
        }
        let expected = match (&session, &portal) {
            (Some(s), _) => Some(s.csrf.clone()),
            (None, Some(p)) => Some(p.csrf.clone()),
            (None, None) => cookie(req.headers(), state.cfg.pre_session_cookie()),
        };
        let Some(expected) = expected.filter(|e| !e.is_empty()) else {
            return csrf_refused(lang, false);
        };
        let header_token = req
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
        // A form's body is read here (it is small): for its token, and to
        // refuse a NUL in any field as the query's are refused above.
        let mut form_token = None;
        if is_form {
            let (parts, body) = req.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
                return error_page(
                    lang,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "error.payload_too_large",
                    Vec::new(),
                );
            };
            if nul_parameter(&String::from_utf8_lossy(&bytes)).is_some() {
                return error_page(lang, StatusCode::BAD_REQUEST, "error.invalid", Vec::new());
            }
            form_token = form_urlencoded::parse(&bytes)
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v.into_owned());
            req = Request::from_parts(parts, Body::from(bytes));
        }
        let sent = if let Some(h) = header_token {
            Some(h)
        } else if is_form {
            form_token
        } else if req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("multipart/form-data"))
        {
            // File uploads: the token rides in the form's action URL, so
            // the (large) body need not be read before the check.
            req.uri().query().and_then(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .find(|(k, _)| k == "csrf")
                    .map(|(_, v)| v.into_owned())
            })
        } else {
            None
        };
        if !sent.is_some_and(|s| constant_time_eq(s.as_bytes(), expected.as_bytes())) {
            return csrf_refused(lang, false);
        }
    }
    req.extensions_mut().insert(Ctx {
        lang,
        ip,
        session,
        session_token: token,
        portal,
        portal_token,
    });
    next.run(req).await
}

/// The portal's pages for people abroad (`/kieu-bao` and below).
pub fn is_portal_path(path: &str) -> bool {
    path == "/kieu-bao" || path.starts_with("/kieu-bao/")
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Security headers on every response.
pub async fn headers(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if state.cfg.tls {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !is_static && !h.contains_key(header::CACHE_CONTROL) {
        // Pages and API answers carry personal data: never cache them.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// Builds a `Set-Cookie` value with the project's attributes.
pub fn set_cookie(
    state: &AppState,
    name: &str,
    value: &str,
    max_age: Option<i64>,
    http_only: bool,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if state.cfg.tls {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str("; Max-Age=");
        c.push_str(&age.to_string());
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1; Max-Age=0"))
}

/// 404 for unknown routes, in the request's language.
pub async fn not_found(ctx: Ctx, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        problem(StatusCode::NOT_FOUND, "not_found", "Not found", Vec::new())
    } else {
        error_page(
            ctx.lang,
            StatusCode::NOT_FOUND,
            "error.not_found",
            Vec::new(),
        )
    }
}

/// The name of the first query parameter whose name or value holds a NUL
/// (`%00`), if any.
fn nul_parameter(query: &str) -> Option<String> {
    if !query.to_ascii_lowercase().contains("%00") && !query.contains('\0') {
        return None;
    }
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| {
            let k = k.replace('\0', "");
            if k.is_empty() || k.len() > 64 {
                "query".to_owned()
            } else {
                k
            }
        })
}

/// Panics become a plain 500 (details are logged by the panic hook, not sent).
pub fn panic_response(_err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    (StatusCode::INTERNAL_SERVER_ERROR, "Internal error").into_response()
}
