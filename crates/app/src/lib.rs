//! Use cases of Kiều Bào.
//!
//! Every use case takes the [`Actor`] first and asks [`access`] before it
//! touches data: this crate is the one place where role and jurisdiction are
//! checked, for pages, API, CLI and background jobs alike.

pub mod access;
pub mod accounts;
pub mod actor;
pub mod api_schema;
pub mod audit;
pub mod background;
pub mod backup;
pub mod clock;
pub mod coalesce;
pub mod community;
pub mod demo_data;
pub mod error;
pub mod exchange;
pub mod intake;
pub mod mail;
pub mod official;
pub mod portal;
pub mod publishing;
pub mod registry;
pub mod stats;

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
    pub import_limits: intake::import::read::Limits,
    /// Province whose communes imported hometowns are looked up in first.
    pub home_province: String,
    /// Where the audit chain's keys and anchors live (outside the database).
    pub audit: AuditSettings,
    /// Time zone people read times in, minutes east of UTC (default
    /// `Asia/Ho_Chi_Minh`, +420: see [`clock::display_offset`]).
    pub display_utc_offset_minutes: i32,
    /// Where e-mail goes (SMTP or the outbox folder; see [`mail`]).
    pub mail: mail::MailSettings,
    /// Portal sessions (people abroad) end after this many minutes without
    /// a request: shorter than staff sessions' (issue 23, security).
    pub portal_idle_minutes: i64,
    /// How webhook deliveries are retried (see [`exchange::webhooks`]).
    pub webhooks: exchange::webhooks::Settings,
    /// How fast newsletters go out (see [`publishing::newsletters`]).
    pub newsletters: publishing::newsletters::Settings,
    /// Working days to acknowledge a data-subject request (issue 23 §5).
    pub request_acknowledge_days: i64,
    /// Working days to complete a data-subject request (issue 23 §5: "15
    /// days", counted in working days of the province's calendar).
    pub request_complete_days: i64,
    /// Relay messages a person may send through the directory a day
    /// (issue 23 §6; default 10).
    pub directory_messages_per_day: i64,
    /// Working days to answer a petition, per category (issue 23 §7):
    /// a petition (*kiến nghị*), a report (*phản ánh*), a suggestion (*góp ý*).
    pub petition_days_petition: i64,
    pub petition_days_report: i64,
    pub petition_days_suggestion: i64,
    /// Largest file attached to a petition, in bytes (issue 23 §7; default 5 MiB).
    pub petition_file_max_bytes: i64,
    /// Working days before a petition's deadline its assignee is reminded (default 2).
    pub petition_remind_days: i64,
    /// Where the files of exchanges (sent and received) are kept to be
    /// downloaded again (`exchange_dir`, default `<data_dir>/exchanges`;
    /// `None`: not kept). See [`exchange::files`].
    pub exchange_dir: Option<std::path::PathBuf>,
}

/// Files of the audit chain's HMAC keys and signed anchors (see [`audit`]).
/// `None` everywhere: an unkeyed, unanchored chain (plain SHA-256).
#[derive(Debug, Clone, Default)]
pub struct AuditSettings {
    /// HMAC keys (`audit_key_file`, default `<data_dir>/audit.key`).
    pub key_file: Option<std::path::PathBuf>,
    /// Anchor log (`audit_anchor_file`, default `<data_dir>/audit-anchors.log`).
    pub anchor_file: Option<std::path::PathBuf>,
    /// Ed25519 anchor key (`audit_anchor_key_file`, default
    /// `<data_dir>/audit-anchor.key`; public half next to it as `.pub`).
    pub anchor_key_file: Option<std::path::PathBuf>,
    /// Minutes between anchors written by a server (`audit_anchor_minutes`).
    pub anchor_minutes: u64,
    /// Syslog socket that also gets each anchor (`audit_anchor_syslog`).
    pub anchor_syslog: Option<std::path::PathBuf>,
}

impl AuditSettings {
    /// The default files inside a data directory.
    pub fn in_dir(dir: &std::path::Path) -> Self {
        Self {
            key_file: Some(dir.join("audit.key")),
            anchor_file: Some(dir.join("audit-anchors.log")),
            anchor_key_file: Some(dir.join("audit-anchor.key")),
            anchor_minutes: 15,
            anchor_syslog: None,
        }
    }
}

impl Default for AppSettings {
    fn default() -> Self {
        Self {
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            lockout_threshold: 5,
            login_rate_per_minute: 20,
            mfa_required_for_privileged: true,
            import_limits: intake::import::read::Limits::default(),
            home_province: "Hà Tĩnh".to_owned(),
            audit: AuditSettings {
                anchor_minutes: 15,
                ..AuditSettings::default()
            },
            display_utc_offset_minutes: clock::DEFAULT_DISPLAY_OFFSET_MINUTES,
            mail: mail::MailSettings::default(),
            portal_idle_minutes: 15,
            webhooks: exchange::webhooks::Settings::default(),
            newsletters: publishing::newsletters::Settings::default(),
            request_acknowledge_days: 2,
            request_complete_days: 15,
            directory_messages_per_day: 10,
            petition_days_petition: 15,
            petition_days_report: 10,
            petition_days_suggestion: 20,
            petition_file_max_bytes: 5 * 1024 * 1024,
            petition_remind_days: 2,
            exchange_dir: None,
        }
    }
}

/// The application: storage plus settings. One pointer, so a clone per
/// request costs one reference count; holds no per-process state that
/// would stop several servers sharing one database.
#[derive(Clone)]
pub struct App(std::sync::Arc<AppInner>);

impl std::ops::Deref for App {
    type Target = AppInner;
    fn deref(&self) -> &AppInner {
        &self.0
    }
}

/// What an [`App`] holds.
pub struct AppInner {
    pub db: Db,
    pub settings: AppSettings,
    /// This process's search index (rebuilt from the database; see [`registry::search`]).
    pub search: crate::registry::search::SearchIndex,
    /// This process's statistics columns (caught up like the search index; see [`stats`]).
    pub stats: crate::stats::StatsIndex,
    /// This process's audit writer (group commit; see [`audit::record`]).
    pub audit_writer: audit::Writer,
    /// The audit chain's HMAC keys (read from their file; see [`audit::keys`]).
    pub audit_keys: audit::keys::Keys,
    /// Where this process signs the chain's head (see [`audit::anchors`]).
    pub audit_anchoring: audit::anchors::Anchoring,
    /// This process's cache of sessions and tokens (see [`accounts::sessions::Cache`]).
    pub auth_cache: accounts::sessions::Cache,
    /// The public figures last computed (see [`stats::public::public_cached`]).
    pub public_statistics: stats::public::Cache,
    /// Files read at once by this process's imports
    /// (`import_limits.max_concurrent`); the others queue.
    pub import_slots: std::sync::Arc<tokio::sync::Semaphore>,
    /// Uploads read back from their spool and stored at once by this
    /// process (`import_limits.max_concurrent`): each holds its whole file
    /// in memory for a moment, so the others wait their turn on disk.
    pub upload_slots: std::sync::Arc<tokio::sync::Semaphore>,
    /// The clock sessions' time-outs are decided by (see [`clock::Clock`]),
    /// and scheduled publishing too.
    pub clock: clock::Clock,
    /// Bumped at every change of published content (cached public pages).
    pub content_generation: publishing::Generation,
    /// How this process delivers e-mail (see [`mail`]).
    pub mailer: mail::Mailer,
}

/// Why a server is not ready to take traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotReady {
    /// The schema is not the one this program expects.
    Schema,
    /// No write transaction could begin within the readiness time-out
    /// (database unreachable, pool exhausted, write lock held).
    Writes,
    /// The search index is still being built.
    SearchIndex,
    /// The statistics columns are still being built.
    Statistics,
}

impl NotReady {
    /// A short English reason (for probes and logs; no personal data).
    pub fn reason(self) -> &'static str {
        match self {
            NotReady::Schema => "schema not current",
            NotReady::Writes => "database not writable",
            NotReady::SearchIndex => "search index building",
            NotReady::Statistics => "statistics columns building",
        }
    }
}

impl App {
    pub fn new(db: Db, settings: AppSettings) -> Self {
        let audit_keys = audit::keys::Keys::new(settings.audit.key_file.clone());
        let audit_anchoring = audit::anchors::Anchoring::new(audit::anchors::Files {
            log: settings.audit.anchor_file.clone(),
            secret: settings.audit.anchor_key_file.clone(),
            syslog: settings.audit.anchor_syslog.clone(),
        });
        let settings_concurrency = settings.import_limits.max_concurrent.max(1);
        clock::set_display_offset(settings.display_utc_offset_minutes);
        // The setting is checked at start (`kieubao::config`); a URL that
        // still cannot be read keeps the messages in the outbox.
        let mailer = mail::Mailer::new(&settings.mail).unwrap_or_else(|e| {
            tracing::error!(error = %e, "mail transport");
            mail::Mailer::Outbox(settings.mail.outbox_dir.clone())
        });
        Self(std::sync::Arc::new(AppInner {
            db,
            settings,
            audit_keys,
            audit_anchoring,
            search: crate::registry::search::SearchIndex::default(),
            stats: crate::stats::StatsIndex::default(),
            audit_writer: audit::Writer::default(),
            auth_cache: accounts::sessions::Cache::default(),
            public_statistics: stats::public::Cache::default(),
            import_slots: std::sync::Arc::new(tokio::sync::Semaphore::new(settings_concurrency)),
            upload_slots: std::sync::Arc::new(tokio::sync::Semaphore::new(settings_concurrency)),
            clock: clock::Clock::default(),
            content_generation: publishing::Generation::default(),
            mailer,
        }))
    }

    /// Ready to serve: the database answers, its schema is current, a write
    /// can begin within `write_within`, and the in-memory search index and
    /// statistics columns are built (until then searches and pivots wait).
    pub async fn ready(&self, write_within: std::time::Duration) -> Result<(), NotReady> {
        // A write transaction that begins and rolls back also proves the
        // database answers; a pool whose connections are all stuck, or a
        // write lock nobody releases, fails it within the time-out.
        if !self.db.can_write(write_within).await {
            return Err(NotReady::Writes);
        }
        if !db::migrate::current_version(&self.db)
            .await
            .is_ok_and(|v| v == db::migrate::latest_version())
        {
            return Err(NotReady::Schema);
        }
        if !self.search.is_built() {
            return Err(NotReady::SearchIndex);
        }
        if !self.stats.is_built() {
            return Err(NotReady::Statistics);
        }
        Ok(())
    }

    /// Builds the search index, then the statistics columns (a server does
    /// this in the background at start; it is ready once both are built).
    pub async fn warm_up(&self) {
        let started = std::time::Instant::now();
        match self.search.catch_up(self).await {
            Ok(r) => tracing::info!(
                people = r.indexed,
                ms = started.elapsed().as_millis() as u64,
                "search index built"
            ),
            Err(e) => tracing::error!(error = %e, "search index build failed"),
        }
        let started = std::time::Instant::now();
        match self.stats.catch_up(self).await {
            Ok(r) => tracing::info!(
                people = r.live,
                ms = started.elapsed().as_millis() as u64,
                "statistics columns built"
            ),
            Err(e) => tracing::error!(error = %e, "statistics columns build failed"),
        }
    }
}
