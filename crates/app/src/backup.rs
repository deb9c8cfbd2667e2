//! Backups of the whole registry (issue 25 §7): taken by an administrator
//! from the command line, or by the server on a schedule, each one audited.
//! The format, the snapshot and the restore are `db::backup`'s.

use std::path::{Path, PathBuf};
use std::time::Duration;

use db::backup::{self as store, Manifest};

use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, clock};

/// Where and how often the server backs itself up (`backup_dir`,
/// `backup_interval_minutes`, `backup_keep`).
#[derive(Debug, Clone)]
pub struct Schedule {
    pub dir: PathBuf,
    pub every: Duration,
    /// Finished backups kept; older ones are removed after each new one.
    pub keep: usize,
}

fn failed(e: store::BackupError) -> AppError {
    AppError::Unexpected(anyhow::Error::new(e))
}

async fn audited(app: &App, actor: &Actor, dir: &Path, m: &Manifest) -> AppResult<()> {
    audit::record(
        app,
        actor,
        Event::new("backup.create", "backup", &"").with(serde_json::json!({
            "directory": dir.display().to_string(),
            "tables": m.tables.len(),
            "rows": m.total_rows(),
        })),
    )
    .await
}

/// Backs the whole database up into `dir` (every jurisdiction: an
/// administrator's or the system's act) and records it in the audit chain.
pub async fn create(app: &App, actor: &Actor, dir: &Path) -> AppResult<Manifest> {
    access::authorize(actor, Action::Backup)?;
    let m = store::backup(&app.db, dir, &clock::now())
        .await
        .map_err(failed)?;
    audited(app, actor, dir, &m).await?;
    Ok(m)
}

/// One scheduled backup into a new directory of `s.dir`, then the oldest
/// beyond `s.keep` removed. Answers the new backup's directory.
pub async fn scheduled(app: &App, s: &Schedule) -> AppResult<(PathBuf, Manifest)> {
    let actor = Actor::system("backup");
    access::authorize(&actor, Action::Backup)?;
    let (dir, m) = store::scheduled(&app.db, &s.dir, s.keep, &clock::now())
        .await
        .map_err(failed)?;
    audited(app, &actor, &dir, &m).await?;
    Ok((dir, m))
}

/// The server's backup task: one backup every `s.every`, the first one
/// interval after start (a restart loop does not fill the disk).
pub async fn every(app: App, s: Schedule) {
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + s.every, s.every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let started = std::time::Instant::now();
        match scheduled(&app, &s).await {
            Ok((dir, m)) => tracing::info!(
                directory = %dir.display(),
                tables = m.tables.len(),
                rows = m.total_rows(),
                seconds = started.elapsed().as_secs_f64(),
                "scheduled backup written"
            ),
            Err(e) => tracing::error!(error = %e, "scheduled backup failed"),
        }
    }
}

/// Records a restore in the restored database's own chain.
pub async fn record_restore(app: &App, actor: &Actor, dir: &Path, m: &Manifest) -> AppResult<()> {
    audit::record(
        app,
        actor,
        Event::new("backup.restore", "backup", &"").with(serde_json::json!({
            "directory": dir.display().to_string(),
            "tables": m.tables.len(),
            "rows": m.total_rows(),
        })),
    )
    .await
}
