//! The problem+json answers of the JSON API's errors, as the OpenAPI
//! document describes them. Every handler's `#[utoipa::path]` names them,
//! and [`crate::openapi`] gathers the handlers: keeping them apart keeps
//! the handlers from importing the module that imports them.

use serde::Serialize;
use utoipa::{ToResponse, ToSchema};

/// One refused field of a request (`errors[]` of a problem).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FieldError)]
pub struct FieldErrorDoc {
    /// The field's JSON name (`full_name`, `birth_date`, ...).
    pub field: String,
    /// A stable code: `required`, `too_long`, `invalid_code`, `unknown_field`,
    /// `unknown_country`, `unknown_commune`, `invalid_phone`, `invalid_email`,
    /// `in_future`, `before_birth`, `out_of_jurisdiction`; for a body or
    /// parameter of the wrong type `expected_text`, `expected_number`,
    /// `expected_list`, `expected_true_false`, `invalid_value`, ...
    pub code: String,
}

/// An error answer (RFC 9457 `application/problem+json`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemDoc {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// A stable code: `invalid_input`, `invalid_parameter`, `body_too_large`,
    /// `not_found`, `forbidden`, `unauthenticated`, `version_mismatch`,
    /// `precondition_required`, `rate_limited`, ...
    pub code: String,
    /// A human-readable message.
    pub message: String,
    /// The refused fields, for `invalid_input`.
    pub errors: Option<Vec<FieldErrorDoc>>,
}

/// 401: no bearer token, or an unknown, expired or revoked one.
#[derive(ToResponse)]
#[response(
    description = "No valid bearer token (`unauthenticated`).",
    content_type = "application/problem+json"
)]
pub struct Unauthorized(#[allow(dead_code)] ProblemDoc);

/// 403: the role or the token's scopes do not allow the operation.
#[derive(ToResponse)]
#[response(
    description = "The role or the token's scopes do not allow this (`forbidden`).",
    content_type = "application/problem+json"
)]
pub struct Forbidden(#[allow(dead_code)] ProblemDoc);

/// 404: absent, or outside the caller's jurisdiction (the two are not told apart).
#[derive(ToResponse)]
#[response(
    description = "Absent or outside the caller's jurisdiction (`not_found`; the two are not told apart).",
    content_type = "application/problem+json"
)]
pub struct NotFound(#[allow(dead_code)] ProblemDoc);

/// 412: `If-Match` names an older version: someone else saved first.
#[derive(ToResponse)]
#[response(
    description = "`If-Match` names an older version: someone else saved first (`version_mismatch`). Read again, reapply, retry.",
    content_type = "application/problem+json"
)]
pub struct Stale(#[allow(dead_code)] ProblemDoc);

/// 422: refused input, by field; nothing was saved.
#[derive(ToResponse)]
#[response(
    description = "Refused input, one entry per field in `errors` (`invalid_input`); nothing was saved.",
    content_type = "application/problem+json"
)]
pub struct Invalid(#[allow(dead_code)] ProblemDoc);

/// 428: a change without `If-Match`.
#[derive(ToResponse)]
#[response(
    description = "A change needs `If-Match` with the ETag last read (`precondition_required`).",
    content_type = "application/problem+json"
)]
pub struct IfMatchRequired(#[allow(dead_code)] ProblemDoc);
