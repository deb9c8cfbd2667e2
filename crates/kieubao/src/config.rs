//! Configuration: defaults → `kieubao.toml` → `KIEUBAO_*` environment →
//! command-line flags, into one typed [`Settings`] checked at start-up.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Keys accepted in the TOML file (and as `KIEUBAO_<KEY>` in the environment).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub addr: Option<String>,
    pub tls: Option<bool>,
    pub trust_proxy: Option<bool>,
    pub public_origin: Option<String>,
    pub log_format: Option<String>,
    pub max_body_mb: Option<u64>,
    pub db_max_connections: Option<u32>,
    pub session_idle_minutes: Option<i64>,
    pub session_absolute_hours: Option<i64>,
    pub lockout_threshold: Option<i64>,
    pub login_rate_per_minute: Option<i64>,
    pub mfa_required_for_privileged: Option<bool>,
    pub api_requests_per_minute: Option<u32>,
    /// `/metrics` (issue 25 §6): the address ranges it answers (default
    /// `["127.0.0.1/32", "::1/128"]`) and a bearer token that also opens it.
    pub metrics_allow: Option<Vec<String>>,
    pub metrics_token: Option<String>,
    pub import_max_file_mb: Option<i64>,
    pub import_max_rows: Option<i64>,
    pub import_max_columns: Option<i64>,
    pub import_max_cell_chars: Option<i64>,
    pub import_max_sheets: Option<i64>,
    pub import_max_decompressed_mb: Option<i64>,
    pub import_max_concurrent: Option<i64>,
    pub home_province: Option<String>,
    /// Time zone people read times in, as a fixed offset "+07:00" (default:
    /// `Asia/Ho_Chi_Minh`, which has no daylight saving).
    pub display_utc_offset: Option<String>,
    pub audit_key_file: Option<PathBuf>,
    pub audit_anchor_file: Option<PathBuf>,
    pub audit_anchor_key_file: Option<PathBuf>,
    pub audit_anchor_minutes: Option<i64>,
    pub audit_anchor_syslog: Option<PathBuf>,
    /// Scheduled backups: the directory (none: no schedule), minutes between
    /// two (default 1440, a day) and how many to keep (default 7).
    pub backup_dir: Option<PathBuf>,
    pub backup_interval_minutes: Option<i64>,
    pub backup_keep: Option<i64>,
    /// E-mail (issue 23): the SMTP server (`smtp://host:587?tls=required`,
    /// `smtps://user:password@host`); without it messages are written to
    /// the data directory's `outbox/`. The sender of every message.
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    /// Portal sessions (people abroad) end after this many idle minutes.
    pub portal_idle_minutes: Option<i64>,
    /// Webhooks (issue 25 §4): attempts before a delivery is dead (default
    /// 15) and the longest pause between two, in minutes (default 60).
    pub webhook_max_attempts: Option<i64>,
    pub webhook_backoff_max_minutes: Option<i64>,
    /// Newsletters (issue 24 §8): messages a server sends a minute at most
    /// (default 120; the mail server's own limit).
    pub newsletter_per_minute: Option<i64>,
    /// Data-subject requests (issue 23 §5): working days to acknowledge
    /// (default 2) and to complete (default 15).
    pub request_acknowledge_days: Option<i64>,
    pub request_complete_days: Option<i64>,
    /// Directory (issue 23 §6): relay messages a person sends a day (default 10).
    pub directory_messages_per_day: Option<i64>,
    /// Petitions (issue 23 §7): working days to answer, per category
    /// (defaults 15, 10 and 20).
    pub petition_days_petition: Option<i64>,
    pub petition_days_report: Option<i64>,
    pub petition_days_suggestion: Option<i64>,
    /// Largest petition attachment in bytes (default 5 MiB) and the working
    /// days before a petition's deadline its assignee is reminded (default 2).
    pub petition_file_max_bytes: Option<i64>,
    pub petition_remind_days: Option<i64>,
    /// Where exchange files are kept (default `<data_dir>/exchanges`).
    pub exchange_dir: Option<PathBuf>,
}

/// The checked settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub addr: SocketAddr,
    pub tls: bool,
    pub trust_proxy: bool,
    pub public_origin: Option<String>,
    pub json_logs: bool,
    pub max_body_bytes: usize,
    pub db_max_connections: u32,
    pub api_requests_per_minute: u32,
    pub metrics_allow: Vec<String>,
    pub metrics_token: Option<String>,
    pub app: app::AppSettings,
    /// The server's own backups (`backup_dir`), if any.
    pub backup: Option<app::backup::Schedule>,
}

/// A configuration problem, reported in one line.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

const ENV_KEYS: &[&str] = &[
    "addr",
    "tls",
    "trust_proxy",
    "public_origin",
    "log_format",
    "max_body_mb",
    "db_max_connections",
    "session_idle_minutes",
    "session_absolute_hours",
    "lockout_threshold",
    "login_rate_per_minute",
    "mfa_required_for_privileged",
    "import_max_file_mb",
    "import_max_rows",
    "import_max_columns",
    "import_max_cell_chars",
    "import_max_sheets",
    "import_max_decompressed_mb",
    "import_max_concurrent",
    "home_province",
    "display_utc_offset",
    "audit_key_file",
    "audit_anchor_file",
    "audit_anchor_key_file",
    "audit_anchor_minutes",
    "audit_anchor_syslog",
    "backup_dir",
    "backup_interval_minutes",
    "backup_keep",
    "smtp_url",
    "mail_from",
    "portal_idle_minutes",
    "webhook_max_attempts",
    "metrics_token",
    "webhook_backoff_max_minutes",
    "newsletter_per_minute",
    "request_acknowledge_days",
    "request_complete_days",
    "directory_messages_per_day",
    "petition_days_petition",
    "petition_days_report",
    "petition_days_suggestion",
    "petition_file_max_bytes",
    "petition_remind_days",
    "exchange_dir",
];

/// Minutes east of UTC of "+07:00", "-03:30" (hours up to 14).
fn utc_offset_minutes(text: &str) -> Option<i32> {
    let t = text.trim();
    let (sign, rest) = match t.as_bytes().first()? {
        b'+' => (1, &t[1..]),
        b'-' => (-1, &t[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 14 && m < 60).then_some(sign * (h * 60 + m))
}

fn env_table() -> toml::Table {
    let mut t = toml::Table::new();
    for key in ENV_KEYS {
        let name = format!("KIEUBAO_{}", key.to_uppercase());
        if let Ok(v) = std::env::var(&name) {
            // Numbers and booleans are parsed as TOML values, the rest as strings.
            let value = toml::from_str::<toml::Table>(&format!("v = {v}"))
                .ok()
                .and_then(|mut t| t.remove("v"))
                .filter(|v| !v.is_str())
                .unwrap_or(toml::Value::String(v));
            t.insert((*key).to_owned(), value);
        }
    }
    t
}

/// Flags that override the file and the environment (clap already merged
/// `KIEUBAO_DATA_DIR`/`KIEUBAO_DATABASE_URL` with the flags).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub addr: Option<String>,
}

/// Loads and checks the settings.
pub fn load(o: &Overrides) -> Result<Settings, ConfigError> {
    let path = o.config.clone().or_else(|| {
        let p = PathBuf::from("kieubao.toml");
        p.exists().then_some(p)
    });
    let mut table = match &path {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| ConfigError(format!("cannot read {}: {e}", p.display())))?;
            toml::from_str::<toml::Table>(&text)
                .map_err(|e| ConfigError(format!("{}: {}", p.display(), e.message())))?
        }
        None => toml::Table::new(),
    };
    for (k, v) in env_table() {
        table.insert(k, v);
    }
    let file: FileSettings = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| ConfigError(e.message().to_owned()))?;

    let data_dir = o
        .data_dir
        .clone()
        .or(file.data_dir)
        .unwrap_or_else(|| PathBuf::from("kieubao-data"));
    let database_url = o.database_url.clone().or(file.database_url);
    let addr_text = o
        .addr
        .clone()
        .or(file.addr)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let addr: SocketAddr = addr_text.parse().map_err(|_| {
        ConfigError(format!(
            "addr: '{addr_text}' is not HOST:PORT (e.g. 127.0.0.1:8080)"
        ))
    })?;
    let json_logs = match file.log_format.as_deref() {
        None | Some("text") => false,
        Some("json") => true,
        Some(other) => {
            return Err(ConfigError(format!(
                "log_format: '{other}' is not text or json"
            )));
        }
    };
    let defaults = app::AppSettings::default();
    let positive = |name: &str, v: Option<i64>, d: i64| -> Result<i64, ConfigError> {
        match v {
            Some(x) if x <= 0 => Err(ConfigError(format!("{name}: must be positive"))),
            Some(x) => Ok(x),
            None => Ok(d),
        }
    };
    let app = app::AppSettings {
        session_idle_minutes: positive(
            "session_idle_minutes",
            file.session_idle_minutes,
            defaults.session_idle_minutes,
        )?,
        session_absolute_hours: positive(
            "session_absolute_hours",
            file.session_absolute_hours,
            defaults.session_absolute_hours,
        )?,
        lockout_threshold: positive(
            "lockout_threshold",
            file.lockout_threshold,
            defaults.lockout_threshold,
        )?,
        login_rate_per_minute: positive(
            "login_rate_per_minute",
            file.login_rate_per_minute,
            defaults.login_rate_per_minute,
        )?,
        mfa_required_for_privileged: file
            .mfa_required_for_privileged
            .unwrap_or(defaults.mfa_required_for_privileged),
        import_limits: {
            let d = &defaults.import_limits;
            let mb = 1024 * 1024;
            let n = |name: &str, v: Option<i64>, d: usize| -> Result<usize, ConfigError> {
                Ok(positive(name, v, d as i64)? as usize)
            };
            app::intake::import::read::Limits {
                max_file_bytes: positive(
                    "import_max_file_mb",
                    file.import_max_file_mb,
                    (d.max_file_bytes / mb) as i64,
                )? as u64
                    * mb,
                max_rows: n("import_max_rows", file.import_max_rows, d.max_rows)?,
                max_columns: n("import_max_columns", file.import_max_columns, d.max_columns)?,
                max_cell_chars: n(
                    "import_max_cell_chars",
                    file.import_max_cell_chars,
                    d.max_cell_chars,
                )?,
                max_sheets: n("import_max_sheets", file.import_max_sheets, d.max_sheets)?,
                max_decompressed_bytes: positive(
                    "import_max_decompressed_mb",
                    file.import_max_decompressed_mb,
                    (d.max_decompressed_bytes / mb) as i64,
                )? as u64
                    * mb,
                max_concurrent: n(
                    "import_max_concurrent",
                    file.import_max_concurrent,
                    d.max_concurrent,
                )?,
            }
        },
        home_province: file.home_province.unwrap_or(defaults.home_province),
        display_utc_offset_minutes: match &file.display_utc_offset {
            Some(text) => utc_offset_minutes(text).ok_or_else(|| {
                ConfigError(format!(
                    "display_utc_offset: expected +HH:MM or -HH:MM (Vietnam: +07:00), got {text:?}"
                ))
            })?,
            None => defaults.display_utc_offset_minutes,
        },
        audit: {
            let d = app::AuditSettings::in_dir(&data_dir);
            app::AuditSettings {
                key_file: file.audit_key_file.or(d.key_file),
                anchor_file: file.audit_anchor_file.or(d.anchor_file),
                anchor_key_file: file.audit_anchor_key_file.or(d.anchor_key_file),
                anchor_minutes: positive(
                    "audit_anchor_minutes",
                    file.audit_anchor_minutes,
                    d.anchor_minutes as i64,
                )? as u64,
                anchor_syslog: file.audit_anchor_syslog,
            }
        },
        mail: {
            let mail = app::mail::MailSettings {
                smtp_url: file.smtp_url.clone().filter(|u| !u.trim().is_empty()),
                from: file
                    .mail_from
                    .clone()
                    .unwrap_or_else(|| app::mail::DEFAULT_FROM.to_owned()),
                outbox_dir: Some(data_dir.join("outbox")),
            };
            // An SMTP URL lettre cannot read stops start-up, naming the key.
            app::mail::Mailer::new(&mail).map_err(ConfigError)?;
            app::mail::check_from(&mail.from).map_err(ConfigError)?;
            mail
        },
        portal_idle_minutes: positive(
            "portal_idle_minutes",
            file.portal_idle_minutes,
            defaults.portal_idle_minutes,
        )?,
        webhooks: app::exchange::webhooks::Settings {
            max_attempts: positive(
                "webhook_max_attempts",
                file.webhook_max_attempts,
                defaults.webhooks.max_attempts,
            )?,
            backoff_max: std::time::Duration::from_secs(
                positive(
                    "webhook_backoff_max_minutes",
                    file.webhook_backoff_max_minutes,
                    60,
                )?
                .unsigned_abs()
                    * 60,
            ),
            ..defaults.webhooks.clone()
        },
        newsletters: app::publishing::newsletters::Settings {
            per_minute: u32::try_from(positive(
                "newsletter_per_minute",
                file.newsletter_per_minute,
                i64::from(defaults.newsletters.per_minute),
            )?)
            .unwrap_or(u32::MAX),
            ..defaults.newsletters.clone()
        },
        request_acknowledge_days: positive(
            "request_acknowledge_days",
            file.request_acknowledge_days,
            defaults.request_acknowledge_days,
        )?,
        request_complete_days: positive(
            "request_complete_days",
            file.request_complete_days,
            defaults.request_complete_days,
        )?,
        directory_messages_per_day: positive(
            "directory_messages_per_day",
            file.directory_messages_per_day,
            defaults.directory_messages_per_day,
        )?,
        petition_days_petition: positive(
            "petition_days_petition",
            file.petition_days_petition,
            defaults.petition_days_petition,
        )?,
        petition_days_report: positive(
            "petition_days_report",
            file.petition_days_report,
            defaults.petition_days_report,
        )?,
        petition_days_suggestion: positive(
            "petition_days_suggestion",
            file.petition_days_suggestion,
            defaults.petition_days_suggestion,
        )?,
        petition_file_max_bytes: positive(
            "petition_file_max_bytes",
            file.petition_file_max_bytes,
            defaults.petition_file_max_bytes,
        )?,
        petition_remind_days: positive(
            "petition_remind_days",
            file.petition_remind_days,
            defaults.petition_remind_days,
        )?,
        exchange_dir: Some(
            file.exchange_dir
                .clone()
                .unwrap_or_else(|| data_dir.join("exchanges")),
        ),
    };
    if let Some(origin) = &file.public_origin
        && (!(origin.starts_with("https://") || origin.starts_with("http://"))
            || origin.ends_with('/'))
    {
        return Err(ConfigError(
            "public_origin: expected https://host[:port] without a trailing slash".into(),
        ));
    }
    let metrics_allow = file
        .metrics_allow
        .clone()
        .unwrap_or_else(|| vec!["127.0.0.1/32".to_owned(), "::1/128".to_owned()]);
    if let Some(bad) = metrics_allow
        .iter()
        .find(|c| web::metrics::parse_cidr(c).is_none())
    {
        return Err(ConfigError(format!(
            "metrics_allow: '{bad}' is not an address range (like 127.0.0.1/32)"
        )));
    }
    let backup = if let Some(dir) = file.backup_dir {
        Some(app::backup::Schedule {
            dir,
            every: std::time::Duration::from_secs(
                positive(
                    "backup_interval_minutes",
                    file.backup_interval_minutes,
                    1440,
                )? as u64
                    * 60,
            ),
            keep: positive("backup_keep", file.backup_keep, 7)? as usize,
        })
    } else {
        if file.backup_interval_minutes.is_some() || file.backup_keep.is_some() {
            return Err(ConfigError(
                "backup_interval_minutes and backup_keep need backup_dir, where backups are written"
                    .into(),
            ));
        }
        None
    };
    let database_url = match database_url {
        Some(u) => {
            if !(u.starts_with("sqlite:")
                || u.starts_with("postgres://")
                || u.starts_with("postgresql://"))
            {
                return Err(ConfigError(
                    "database_url: expected sqlite:... or postgres://...".into(),
                ));
            }
            u
        }
        None => sqlite_url(&data_dir),
    };
    Ok(Settings {
        data_dir,
        database_url,
        addr,
        tls: file.tls.unwrap_or(false),
        trust_proxy: file.trust_proxy.unwrap_or(false),
        public_origin: file.public_origin,
        json_logs,
        max_body_bytes: usize::try_from(file.max_body_mb.unwrap_or(64)).unwrap_or(64) * 1024 * 1024,
        db_max_connections: file.db_max_connections.unwrap_or(16).clamp(1, 256),
        api_requests_per_minute: file.api_requests_per_minute.unwrap_or(600),
        metrics_allow,
        metrics_token: file.metrics_token.clone().filter(|t| !t.trim().is_empty()),
        app,
        backup,
    })
}

/// URL of the embedded database inside the data directory.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("kieubao.db").display()
    )
}

/// True when the settings use the embedded SQLite database in the data directory.
pub fn uses_data_dir(s: &Settings) -> bool {
    s.database_url == sqlite_url(&s.data_dir)
}

impl Settings {
    /// The database URL without a password (for messages).
    pub fn database_url_for_display(&self) -> String {
        let url = &self.database_url;
        if let Some((scheme, rest)) = url.split_once("://")
            && let Some((creds, host)) = rest.split_once('@')
        {
            let user = creds.split(':').next().unwrap_or("");
            return format!("{scheme}://{user}@{host}");
        }
        url.clone()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn display_offsets_read_as_plus_or_minus_hours_and_minutes() {
        assert_eq!(super::utc_offset_minutes("+07:00"), Some(420));
        assert_eq!(super::utc_offset_minutes("-03:30"), Some(-210));
        for bad in ["07:00", "+7", "+15:00", "+07:60", "Asia/Ho_Chi_Minh", ""] {
            assert_eq!(super::utc_offset_minutes(bad), None, "{bad}");
        }
    }
}
