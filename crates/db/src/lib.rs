//! Storage for Kiều Bào.
//!
//! One SQL dialect serves SQLite (the embedded default) and PostgreSQL (the
//! scale-out path) through `sqlx::Any`: queries use `$1` placeholders, which
//! both backends accept; timestamps are stored as RFC 3339 UTC text so they
//! sort and compare the same on both; schema differences live only in the
//! per-backend migration files.

pub mod backup;
pub mod bulk;
pub mod migrate;
pub mod pool;
pub mod testing;

pub use pool::{Backend, Db, TxConn, WriteTx};
pub use sqlx::Error as SqlxError;
pub use sqlx::any::AnyRow;
pub use sqlx::{Row, query, query_as, query_scalar};

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unique constraint violated")]
    Conflict,
    #[error("record not found")]
    NotFound,
    #[error(
        "the database schema is at version {found}, newer than this program knows ({known}); upgrade the program"
    )]
    NewerSchema { found: i64, known: i64 },
    #[error("unsupported database URL (expected sqlite:// or postgres://)")]
    UnsupportedUrl,
    #[error("a database task ended abnormally: {0}")]
    Task(String),
    #[error(transparent)]
    Sqlx(sqlx::Error),
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => DbError::NotFound,
            sqlx::Error::Database(d) if d.is_unique_violation() => DbError::Conflict,
            _ => DbError::Sqlx(e),
        }
    }
}

pub type DbResult<T> = Result<T, DbError>;
