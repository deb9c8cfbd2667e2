//! Use cases of Kiều Bào.
//!
//! Every use case takes the [`Actor`] first and asks [`access`] before it
//! touches data: this crate is the one place where role and jurisdiction are
//! checked, for pages, API, CLI and background jobs alike.

pub mod access;
pub mod actor;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod demo_data;
pub mod error;
pub mod households;
pub mod import;
pub mod matching;
pub mod mfa;
pub mod overview;
pub mod people;
pub mod reconcile;
pub mod search;
pub mod statistics;
pub mod stats;
pub mod totp;
pub mod users;

pub use actor::{Actor, Jurisdiction};
pub use error::{AppError, AppResult, FieldError};

use db::Db;

/// Settings the use cases need (a subset of the program's configuration).
#[derive(Debug, Clone)]
pub struct AppSettings {
    /// Sessions end after this many minutes without a request.
    pub session_idle_minutes: i64,
    /// Sessions end this many hours after sign-in, whatever the activity.
    pub session_absolute_hours: i64,
    /// Failed sign-ins before an account is locked.
    pub lockout_threshold: i64,
    /// Sign-in attempts allowed per IP address per minute.
    pub login_rate_per_minute: i64,
    /// Administrators and province officers must sign in with a second
    /// factor (TOTP); those not yet enrolled are sent to enrol.
    pub mfa_required_for_privileged: bool,
    /// Limits on imported files (size, rows, columns, cells, sheets, zip).
    pub import_limits: import::read::Limits,
    /// Province whose communes imported hometowns are looked up in first.
    pub home_province: String,
}

impl Default for AppSettings {
    fn default() -> Self {
        Self {
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            lockout_threshold: 5,
            login_rate_per_minute: 20,
            mfa_required_for_privileged: true,
            import_limits: import::read::Limits::default(),
            home_province: "Hà Tĩnh".to_owned(),
        }
    }
}

/// The application: storage plus settings. Cheap to clone; holds no
/// per-process state that would stop several servers sharing one database.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub settings: AppSettings,
    /// This process's search index (rebuilt from the database; see [`search`]).
    pub search: crate::search::SearchIndex,
    /// This process's statistics columns (caught up like the search index; see [`stats`]).
    pub stats: crate::stats::StatsIndex,
}

impl App {
    pub fn new(db: Db, settings: AppSettings) -> Self {
        Self {
            db,
            settings,
            search: crate::search::SearchIndex::default(),
            stats: crate::stats::StatsIndex::default(),
        }
    }

    /// Ready to serve: the database answers and its schema is current.
    pub async fn ready(&self) -> bool {
        self.db.ping().await
            && db::migrate::current_version(&self.db)
                .await
                .is_ok_and(|v| v == db::migrate::latest_version())
    }
}
