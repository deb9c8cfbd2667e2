use serde::Serialize;

/// A message about one field (or one row, for imports), by key: the web
/// layer translates keys into Vietnamese or English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
        }
    }
}

impl AppError {
    /// Refused input: one field and the message key saying why.
    pub fn invalid_field(field: impl Into<String>, code: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, code)])
    }
}

/// Errors of the use-case layer.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// Also returned for records outside the actor's jurisdiction, so that
    /// their existence is not disclosed.
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("authentication required")]
    Unauthenticated,
    /// The role requires two-factor sign-in and the account has not set it
    /// up yet: nothing but enrolment is allowed.
    #[error("two-factor enrolment required")]
    MfaEnrolmentRequired,
    #[error("wrong username or password")]
    BadCredentials,
    #[error("too many attempts")]
    RateLimited { retry_after_secs: i64 },
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("the record changed since it was read")]
    PreconditionFailed { current_version: i64 },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<db::DbError> for AppError {
    fn from(e: db::DbError) -> Self {
        match e {
            db::DbError::NotFound => AppError::NotFound,
            db::DbError::Conflict => AppError::Conflict("unique".into()),
            other => AppError::Unexpected(anyhow::Error::new(other)),
        }
    }
}

impl From<sqlx_error::Error> for AppError {
    fn from(e: sqlx_error::Error) -> Self {
        AppError::from(db::DbError::from(e))
    }
}

/// Re-export so that `?` works on raw queries.
mod sqlx_error {
    pub use db::SqlxError as Error;
}

pub type AppResult<T> = Result<T, AppError>;
