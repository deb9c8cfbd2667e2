//! One error type per transport: HTML pages get a translated message page,
//! `/api/v1` gets `application/problem+json` with a stable `snake_case` code.
//! Internal details go to the log only.

use app::AppError;
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use crate::i18n::{Lang, Tr};

/// Status, stable code and message key of an error: the one table.
pub fn classify(err: &AppError) -> (StatusCode, &'static str, &'static str) {
    match err {
        AppError::Invalid(_) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            "error.invalid",
        ),
        AppError::NotFound => (StatusCode::NOT_FOUND, "not_found", "error.not_found"),
        AppError::Forbidden => (StatusCode::FORBIDDEN, "forbidden", "error.forbidden"),
        AppError::Unauthenticated => (
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "error.unauthenticated",
        ),
        AppError::MfaEnrolmentRequired => (
            StatusCode::FORBIDDEN,
            "mfa_enrolment_required",
            "error.mfa_enrolment_required",
        ),
        AppError::BadCredentials => (
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            "error.bad_credentials",
        ),
        AppError::RateLimited { .. } => (
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "error.rate_limited",
        ),
        AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict", "error.conflict"),
        AppError::PreconditionFailed { .. } => (
            StatusCode::PRECONDITION_FAILED,
            "version_mismatch",
            "error.conflict",
        ),
        AppError::Unexpected(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "error.internal",
        ),
    }
}

fn log_if_internal(err: &AppError) {
    if let AppError::Unexpected(e) = err {
        // The chain names the failing step; no personal data is put in errors.
        tracing::error!(error = ?e, "unexpected error");
    }
}

/// Error page for HTML routes.
#[derive(Debug)]
pub struct PageError {
    pub err: AppError,
    pub lang: Lang,
}

impl From<AppError> for PageError {
    fn from(err: AppError) -> Self {
        Self {
            err,
            lang: Lang::Vi,
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: Tr,
    status: u16,
    message: &'a str,
    details: Vec<String>,
}

/// Renders a translated error page with a status.
pub fn error_page(lang: Lang, status: StatusCode, key: &str, details: Vec<String>) -> Response {
    let t = Tr::new(lang);
    let page = ErrorPage {
        t,
        status: status.as_u16(),
        message: t.s(key),
        details,
    };
    match page.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(_) => (status, t.s(key).to_owned()).into_response(),
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        log_if_internal(&self.err);
        if matches!(self.err, AppError::Unauthenticated) {
            return axum::response::Redirect::to("/login").into_response();
        }
        if matches!(self.err, AppError::MfaEnrolmentRequired) {
            return axum::response::Redirect::to("/profile?enrol=1").into_response();
        }
        let (status, _, key) = classify(&self.err);
        let t = Tr::new(self.lang);
        let details = match &self.err {
            AppError::Invalid(fields) => fields
                .iter()
                .map(|f| {
                    format!(
                        "{}: {}",
                        t.s(&format!("field.{}", f.field)),
                        t.s(&format!("code.{}", f.code))
                    )
                })
                .collect(),
            _ => Vec::new(),
        };
        let mut resp = error_page(self.lang, status, key, details);
        if let AppError::RateLimited { retry_after_secs } = self.err
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

/// Body of `application/problem+json` (RFC 9457).
#[derive(Debug, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<app::FieldError>,
}

/// Error for JSON API routes.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

/// Builds a problem+json response.
pub fn problem(
    status: StatusCode,
    code: &'static str,
    message: &str,
    errors: Vec<app::FieldError>,
) -> Response {
    let body = Problem {
        kind: format!("https://kieubao.invalid/problems/{code}"),
        title: status.canonical_reason().unwrap_or("error").to_owned(),
        status: status.as_u16(),
        code,
        message: message.to_owned(),
        errors,
    };
    let json = serde_json::to_vec(&body).unwrap_or_default();
    let mut resp = (status, json).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        log_if_internal(&self.0);
        let (status, code, key) = classify(&self.0);
        let errors = match self.0 {
            AppError::Invalid(f) => f,
            _ => Vec::new(),
        };
        let mut resp = problem(status, code, Tr::new(Lang::En).s(key), errors);
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

/// Turns an error of the JSON API that is not yet problem+json (answered by
/// the framework: a body over the limit, a path or query parameter that
/// cannot be read, a method not allowed, a time-out) into one, naming the
/// parameter when the framework said which.
pub async fn api_problems(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    let status = resp.status();
    if !api || status.as_u16() < 400 {
        return resp;
    }
    let is_problem = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if is_problem {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    // The framework's text, read only to name the parameter (never echoed).
    let text = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let mut errors = Vec::new();
    let (code, message) = match status.as_u16() {
        413 => (
            "body_too_large",
            "The request body is larger than this server accepts.",
        ),
        400 => {
            if let Some(rest) = text.strip_prefix("Failed to deserialize query string: ") {
                let field = rest.split(':').next().unwrap_or("query").trim();
                let field = if field.is_empty() || field.contains(' ') {
                    "query"
                } else {
                    field
                };
                errors.push(app::FieldError::new(field, "invalid_value"));
            } else if text.contains("URL") || text.contains("path") {
                errors.push(app::FieldError::new("path", "invalid_value"));
            }
            (
                "invalid_parameter",
                "A parameter of the request is missing, malformed or out of range.",
            )
        }
        405 => ("method_not_allowed", "This method is not allowed here."),
        408 => ("timeout", "The request took too long."),
        415 => (
            "unsupported_media_type",
            "The body's content type is not accepted here.",
        ),
        422 => ("invalid_input", "The request body could not be read."),
        404 => ("not_found", "Not found."),
        429 => ("rate_limited", "Too many requests; try again later."),
        503 => (
            "unavailable",
            "The server is busy or not ready; try again later.",
        ),
        _ if status.is_server_error() => ("internal", "Internal error."),
        _ => ("error", status.canonical_reason().unwrap_or("error")),
    };
    let mut out = problem(status, code, message, errors);
    for name in [header::RETRY_AFTER, header::ALLOW, header::WWW_AUTHENTICATE] {
        if let Some(v) = parts.headers.get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}
