//! Who is calling: a browser session (pages) or a bearer token (API).

use app::Actor;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use crate::AppState;
use crate::error::{ApiError, PageError};
use crate::i18n::Lang;
use crate::security::Ctx;

/// A signed-in browser user; anonymous visitors are sent to the sign-in page.
#[derive(Debug, Clone)]
pub struct User {
    pub actor: Actor,
    pub csrf: String,
    pub lang: Lang,
}

impl FromRequestParts<AppState> for User {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state)
            .await
            .unwrap_or_else(|e| match e {});
        match ctx.session {
            // A role that requires two-factor sign-in, not yet enrolled: only
            // the profile (to enrol) and signing out.
            Some(s) if !s.mfa_pending && s.must_enrol && !enrolment_path(parts.uri.path()) => {
                Err(PageError {
                    err: app::AppError::MfaEnrolmentRequired,
                    lang: ctx.lang,
                })
            }
            // A session still owing its second factor grants no page.
            Some(s) if !s.mfa_pending => Ok(User {
                actor: s.actor,
                csrf: s.csrf,
                lang: ctx.lang,
            }),
            _ => Err(PageError {
                err: app::AppError::Unauthenticated,
                lang: ctx.lang,
            }),
        }
    }
}

/// Pages open to an account that must still enrol in two-factor sign-in.
fn enrolment_path(path: &str) -> bool {
    matches!(
        path,
        "/profile"
            | "/profile/mfa/begin"
            | "/profile/mfa/confirm"
            | "/profile/password"
            | "/profile/sign-out-everywhere"
            | "/logout"
    )
}

/// An API caller authenticated by `Authorization: Bearer TOKEN`. Session
/// cookies are not accepted on the API, so it needs no CSRF protection.
#[derive(Debug, Clone)]
pub struct ApiUser(pub Actor);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state)
            .await
            .unwrap_or_else(|e| match e {});
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError(app::AppError::Unauthenticated))?;
        let actor = app::accounts::tokens::token_actor(&state.app, token, &ctx.ip).await?;
        // The user's own budget, across all their tokens (issue 26, finding 8).
        if let Some(uid) = actor.user_id
            && !crate::ratelimit::allow_user(&state.limiter, uid, state.cfg.api_requests_per_minute)
        {
            return Err(ApiError(app::AppError::RateLimited {
                retry_after_secs: 60,
            }));
        }
        Ok(ApiUser(actor))
    }
}

/// True when a JSON value holds a NUL in a string or a key.
fn holds_nul(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(a) => a.iter().any(holds_nul),
        serde_json::Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

/// The top-level field of a JSON body holding a NUL in a string or a key
/// (`"body"` when the body is not an object), if any.
fn nul_field(body: &[u8]) -> Option<String> {
    let escaped = body.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000"));
    if !escaped && !body.contains(&0) {
        return None;
    }
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
        // Not JSON: the parser names it.
        return None;
    };
    match &v {
        serde_json::Value::Object(o) => o
            .iter()
            .find(|(k, v)| k.contains('\0') || holds_nul(v))
            .map(|(k, _)| {
                let k = k.replace('\0', "");
                if k.is_empty() || k.len() > 64 {
                    "body".to_owned()
                } else {
                    k
                }
            }),
        other => holds_nul(other).then(|| "body".to_owned()),
    }
}

/// Parses a body, naming the offending field of a refused one.
pub(crate) fn parse_input<T: serde::de::DeserializeOwned>(
    body: &[u8],
) -> Result<T, crate::error::ApiError> {
    // A NUL can be stored by no database (PostgreSQL refuses it in text)
    // and is typed by no one: refused here for every body, naming its field.
    if let Some(field) = nul_field(body) {
        return Err(crate::error::ApiError(app::AppError::Invalid(vec![
            app::FieldError::new(field, "control_chars"),
        ])));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let msg = inner.to_string();
        // The field as the body names it ("generation", "tags[2]" → "tags").
        let top = path
            .split(['.', '['])
            .next()
            .filter(|p| !p.is_empty() && *p != "?")
            .unwrap_or("body")
            .to_owned();
        let (field, code) = if msg.starts_with("unknown field") {
            (
                msg.split('`').nth(1).unwrap_or("body").to_owned(),
                "unknown_field",
            )
        } else if inner.is_data() {
            let expected = msg.split(", expected ").nth(1).unwrap_or("");
            let code = if expected.contains("string") {
                "expected_text"
            } else if expected.contains("sequence") {
                "expected_list"
            } else if expected.contains("bool") {
                "expected_true_false"
            } else if expected.contains("i64")
                || expected.contains("u32")
                || expected.contains("u64")
                || expected.contains("integer")
                || expected.contains("number")
            {
                "expected_number"
            } else {
                "invalid_value"
            };
            (top, code)
        } else {
            ("body".to_owned(), "invalid_json")
        };
        crate::error::ApiError(app::AppError::Invalid(vec![app::FieldError::new(
            field, code,
        )]))
    })
}

/// A person abroad signed in to the portal; anonymous visitors (and staff,
/// whose cookie is not read on the portal) are sent to the portal's sign-in.
#[derive(Debug, Clone)]
pub struct PortalUser {
    pub account_id: i64,
    pub email: String,
    /// The registry record an officer linked to the account, if any yet.
    pub person_id: Option<i64>,
    pub csrf: String,
    pub lang: Lang,
    pub ip: String,
}

impl FromRequestParts<AppState> for PortalUser {
    type Rejection = axum::response::Redirect;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state)
            .await
            .unwrap_or_else(|e| match e {});
        match ctx.portal {
            Some(p) => Ok(PortalUser {
                account_id: p.account_id,
                email: p.email,
                person_id: p.person_id,
                csrf: p.csrf,
                lang: ctx.lang,
                ip: ctx.ip,
            }),
            None => Err(axum::response::Redirect::to("/kieu-bao/login")),
        }
    }
}
