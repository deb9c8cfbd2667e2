//! The registry's duplicate scan as a background job (issue 20): at a
//! million people it runs for minutes, past any request's time-out. A
//! request starts the job and answers at once; the job's state lives in
//! `scan_jobs`, so that with several servers on one database any of them
//! answers its status. One scan runs at a time per jurisdiction (a second
//! request gets the running one). The running server renews the job's
//! heartbeat; a job whose heartbeat has stopped — its server stopped or
//! crashed — reads as interrupted, and is marked so by the next reader or
//! start. The command line (`kieubao scan`) stays synchronous.

use serde::Serialize;

use crate::access::{self, Action};
use crate::intake::matching::{self, ScanSummary};
use crate::{Actor, App, AppError, AppResult, clock};

/// Steps of a scan: reading the records, comparing them, storing the pairs.
pub const STEPS: i64 = 3;
/// How often the running server renews a job's heartbeat, in seconds.
const HEARTBEAT_SECS: u64 = 5;
/// A heartbeat older than this (seconds) means the job's server stopped.
const STALE_SECS: i64 = 60;

/// A scan job as its status reads.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScanJob {
    pub id: i64,
    /// running, done, failed or interrupted.
    pub status: String,
    /// Steps done (reading, comparing, storing) of `total_steps`.
    pub done_steps: i64,
    pub total_steps: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// What the scan found, once done.
    pub summary: Option<ScanSummary>,
    /// Message key of a failure.
    pub failure: Option<String>,
}

/// The jurisdiction an actor scans: the records it may see.
fn scope_key(actor: &Actor) -> String {
    let f = access::person_scope(actor, 1);
    let mut key = f.sql;
    for a in f.args {
        key.push('\u{1f}');
        key.push_str(&a);
    }
    key
}

/// Jobs this process runs (marked interrupted if it stops first).
static OWN: std::sync::Mutex<Vec<i64>> = std::sync::Mutex::new(Vec::new());

fn own(id: i64, running: bool) {
    if let Ok(mut v) = OWN.lock() {
        v.retain(|x| *x != id);
        if running {
            v.push(id);
        }
    }
}

/// At a server's stop: marks the jobs it runs as interrupted (they are
/// abandoned with the process). Answers how many.
pub async fn interrupt_own(app: &App) -> AppResult<u64> {
    let ids: Vec<i64> = OWN.lock().map(|v| v.clone()).unwrap_or_default();
    let mut n = 0;
    for id in ids {
        n += sqlx::query(
            "UPDATE scan_jobs SET status = 'interrupted', failure = 'review.scan_interrupted', \
             finished_at = $1 WHERE id = $2 AND status = 'running'",
        )
        .bind(clock::now())
        .bind(id)
        .execute(&app.db.pool)
        .await?
        .rows_affected();
    }
    Ok(n)
}

/// Marks as interrupted the running jobs whose server stopped renewing
/// them (at start-up, and before every start and status read).
pub async fn expire_stale(app: &App) -> AppResult<u64> {
    let cutoff = clock::in_seconds(-STALE_SECS);
    Ok(sqlx::query(
        "UPDATE scan_jobs SET status = 'interrupted', failure = 'review.scan_interrupted', \
         finished_at = $1 WHERE status = 'running' AND heartbeat_at < $2",
    )
    .bind(clock::now())
    .bind(&cutoff)
    .execute(&app.db.pool)
    .await?
    .rows_affected())
}

const COLUMNS: &str =
    "id, status, done_steps, total_steps, started_at, finished_at, summary, failure, scope";

fn job_of(r: &db::AnyRow) -> AppResult<(ScanJob, String)> {
    use db::Row as _;
    let summary: Option<String> = r.try_get(6)?;
    Ok((
        ScanJob {
            id: r.try_get(0)?,
            status: r.try_get(1)?,
            done_steps: r.try_get(2)?,
            total_steps: r.try_get(3)?,
            started_at: r.try_get(4)?,
            finished_at: r.try_get(5)?,
            summary: summary.and_then(|s| serde_json::from_str(&s).ok()),
            failure: r.try_get(7)?,
        },
        r.try_get(8)?,
    ))
}

/// Starts a scan of the records the actor may see, or answers the one
/// already running for that jurisdiction. Answers the job and whether
/// this request started it.
pub async fn start(app: &App, actor: &Actor) -> AppResult<(ScanJob, bool)> {
    access::authorize(actor, Action::PersonMerge)?;
    expire_stale(app).await?;
    let scope = scope_key(actor);
    let now = clock::now();
    // The partial unique index lets one running job per scope in,
    // whichever server asks first.
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO scan_jobs (scope, status, done_steps, total_steps, started_by, started_at, \
         heartbeat_at) VALUES ($1, 'running', 0, $2, $3, $4, $5) ON CONFLICT DO NOTHING \
         RETURNING id",
    )
    .bind(&scope)
    .bind(STEPS)
    .bind(actor.user_id)
    .bind(&now)
    .bind(&now)
    .fetch_optional(&app.db.pool)
    .await?;
    let Some(id) = id else {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM scan_jobs WHERE scope = $1 AND status = 'running'"
        ))
        .bind(&scope)
        .fetch_optional(&app.db.pool)
        .await?;
        return match row {
            Some(r) => Ok((job_of(&r)?.0, false)),
            // Finished between the two statements: start again.
            None => Box::pin(start(app, actor)).await,
        };
    };
    let (app2, actor2) = (app.clone(), actor.clone());
    tokio::spawn(async move { run(&app2, &actor2, id).await });
    Ok((get(app, actor, id).await?, true))
}

async fn run(app: &App, actor: &Actor, id: i64) {
    own(id, true);
    let beat = {
        let app = app.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(HEARTBEAT_SECS));
            loop {
                every.tick().await;
                let _ = sqlx::query(
                    "UPDATE scan_jobs SET heartbeat_at = $1 WHERE id = $2 AND status = 'running'",
                )
                .bind(clock::now())
                .bind(id)
                .execute(&app.db.pool)
                .await;
            }
        })
    };
    let result = matching::scan_job(app, actor, id).await;
    beat.abort();
    let now = clock::now();
    let done = match &result {
        Ok(summary) => {
            sqlx::query(
                "UPDATE scan_jobs SET status = 'done', done_steps = total_steps, summary = $1, \
             finished_at = $2 WHERE id = $3",
            )
            .bind(serde_json::to_string(summary).unwrap_or_else(|_| "{}".into()))
            .bind(&now)
            .bind(id)
            .execute(&app.db.pool)
            .await
        }
        Err(e) => {
            tracing::error!(scan_job = id, error = %e, "duplicate scan failed");
            sqlx::query(
                "UPDATE scan_jobs SET status = 'failed', failure = 'review.scan_failed', \
                 finished_at = $1 WHERE id = $2",
            )
            .bind(&now)
            .bind(id)
            .execute(&app.db.pool)
            .await
        }
    };
    if let Err(e) = done {
        tracing::error!(scan_job = id, error = %e, "could not record the scan's end");
    }
    own(id, false);
}

/// A scan job of the actor's jurisdiction (another's reads as not found).
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<ScanJob> {
    access::authorize(actor, Action::PersonMerge)?;
    let read = || async {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS}, heartbeat_at FROM scan_jobs WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
        let heartbeat: Option<String> = db::Row::try_get(&row, 9)?;
        let (job, scope) = job_of(&row)?;
        if scope != scope_key(actor) {
            return Err(AppError::NotFound);
        }
        Ok::<_, AppError>((job, heartbeat))
    };
    let (job, heartbeat) = read().await?;
    // A status read is a read: it writes only when this job has stopped
    // beating (a running scan holds the write lock for long stretches on
    // SQLite, and a poll must not wait for it).
    let cutoff = clock::in_seconds(-STALE_SECS);
    if job.status == "running" && heartbeat.as_deref().is_none_or(|h| h < cutoff.as_str()) {
        expire_stale(app).await?;
        return Ok(read().await?.0);
    }
    Ok(job)
}
