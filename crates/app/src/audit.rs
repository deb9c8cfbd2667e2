//! Append-only, hash-chained audit log.
//!
//! Each row's hash covers its own content and the previous row's hash, so an
//! edited, inserted or deleted row breaks the chain at that point; the table
//! also refuses UPDATE and DELETE by trigger. Appends are serialised (the
//! SQLite write lock, a PostgreSQL advisory lock) so servers sharing one
//! database keep one chain.
//!
//! Against whoever owns the database (and can drop the triggers), the hash
//! is an HMAC-SHA-256 under a key kept outside the database ([`keys`]), and
//! the head of the chain is signed now and then into an anchor file
//! ([`anchors`]): rewriting rows needs the key, dropping the last rows
//! contradicts the last anchor. Rows written before the key existed stay a
//! plain SHA-256 segment at the start of the chain (key id '').

pub mod anchors;
pub mod keys;

use std::fmt::Write as _;

use db::{Backend, Db, Row as _, WriteTx};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::{Digest, Sha256};

use std::sync::{Arc, OnceLock};

use tokio::sync::{mpsc, oneshot};

use crate::{Actor, App, AppError, AppResult, access, clock};

/// Lock key for the audit chain on PostgreSQL.
const AUDIT_LOCK: i64 = 7_113_001;

/// One thing that happened.
#[derive(Debug, Clone)]
pub struct Event {
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: String,
    pub details: serde_json::Value,
}

impl Event {
    pub fn new(action: &'static str, entity: &'static str, entity_id: &impl ToString) -> Self {
        Self {
            action,
            entity,
            entity_id: entity_id.to_string(),
            details: serde_json::Value::Object(serde_json::Map::new()),
        }
    }

    #[must_use]
    pub fn with(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

/// A stored audit row.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub ip: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
    /// The key of the row's HMAC ('' for the unkeyed segment).
    pub key_id: String,
}

/// The row's hash: HMAC-SHA-256 under `key` (which also covers the key id),
/// or plain SHA-256 for rows of the unkeyed segment.
fn digest(e: &Entry, key: Option<&keys::Key>) -> String {
    let mut sha = Sha256::new();
    let mut mac = key.map(|k| {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&k.secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        m.update(&(k.id.len() as u64).to_le_bytes());
        m.update(k.id.as_bytes());
        m
    });
    let mut update = |bytes: &[u8]| match &mut mac {
        Some(m) => m.update(bytes),
        None => sha.update(bytes),
    };
    for part in [
        e.prev_hash.as_str(),
        &e.id.to_string(),
        &e.at,
        &e.actor_id.map(|i| i.to_string()).unwrap_or_default(),
        &e.actor_name,
        &e.ip,
        &e.action,
        &e.entity,
        &e.entity_id,
        &e.details,
    ] {
        update(&(part.len() as u64).to_le_bytes());
        update(part.as_bytes());
    }
    match mac {
        Some(m) => hex::encode(m.finalize().into_bytes()),
        None => hex::encode(sha.finalize()),
    }
}

/// Appends an event inside the caller's write transaction, so the change and
/// its audit row commit or roll back together.
pub async fn append(tx: &mut WriteTx, app: &App, actor: &Actor, event: Event) -> AppResult<()> {
    append_rows(
        tx,
        app.db.backend,
        &app.audit_keys,
        vec![Row::new(actor, event)],
        None,
    )
    .await
}

/// One row to append, before it is numbered and chained.
struct Row {
    actor_id: Option<i64>,
    actor_name: String,
    ip: String,
    action: &'static str,
    entity: &'static str,
    entity_id: String,
    details: String,
}

impl Row {
    fn new(actor: &Actor, event: Event) -> Self {
        Self {
            actor_id: actor.user_id,
            actor_name: actor.username.clone(),
            ip: actor.ip.clone(),
            action: event.action,
            entity: event.entity,
            entity_id: event.entity_id,
            details: event.details.to_string(),
        }
    }
}

/// Rows of one multi-row `INSERT` (12 parameters each: well under both
/// backends' limits).
const INSERT_CHUNK: usize = 256;

/// Numbers and chains `rows` after the last stored row and inserts them, in
/// the caller's transaction (which holds the chain: SQLite's write lock, a
/// PostgreSQL advisory lock). Rows take the key of the last row (the key
/// file's current key after an unkeyed segment), or `rotate_to`.
async fn append_rows(
    tx: &mut WriteTx,
    backend: Backend,
    audit_keys: &keys::Keys,
    rows: Vec<Row>,
    rotate_to: Option<&str>,
) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(AUDIT_LOCK)
            .execute(&mut *tx.tx)
            .await?;
    }
    let last = sqlx::query("SELECT id, hash, key_id FROM audit_log ORDER BY id DESC LIMIT 1")
        .fetch_optional(&mut *tx.tx)
        .await?;
    let (mut prev_id, mut prev_hash, last_key) = match last {
        Some(r) => (
            r.try_get::<i64, _>(0)?,
            r.try_get::<String, _>(1)?,
            r.try_get::<String, _>(2)?,
        ),
        None => (0, String::new(), String::new()),
    };
    let key_err = |e: keys::KeyError| AppError::Unexpected(e.into());
    let ring = match rotate_to.or(Some(last_key.as_str()).filter(|k| !k.is_empty())) {
        Some(id) => audit_keys.ring_with(id).map_err(key_err)?,
        None => audit_keys.ring().map_err(key_err)?,
    };
    let key = match (
        rotate_to.or(Some(last_key.as_str()).filter(|k| !k.is_empty())),
        &ring,
    ) {
        (Some(id), Some(ring)) => Some(ring.get(id).ok_or_else(|| {
            AppError::Unexpected(anyhow::anyhow!(
                "the audit chain is keyed with {id}, which the key file {} does not hold \
                 (servers sharing a database must share audit_key_file)",
                audit_keys
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ))
        })?),
        (Some(id), None) => {
            return Err(AppError::Unexpected(anyhow::anyhow!(
                "the audit chain is keyed with {id} but no audit_key_file is configured"
            )));
        }
        (None, Some(ring)) => ring.current(),
        (None, None) => None,
    };
    let key_id = key.map(|k| k.id.clone()).unwrap_or_default();
    let at = clock::now();
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let mut entry = Entry {
            id: prev_id + 1,
            at: at.clone(),
            actor_id: row.actor_id,
            actor_name: row.actor_name,
            ip: row.ip,
            action: row.action.to_owned(),
            entity: row.entity.to_owned(),
            entity_id: row.entity_id,
            details: row.details,
            prev_hash: std::mem::take(&mut prev_hash),
            hash: String::new(),
            key_id: key_id.clone(),
        };
        entry.hash = digest(&entry, key);
        prev_id = entry.id;
        prev_hash.clone_from(&entry.hash);
        entries.push(entry);
    }
    for chunk in entries.chunks(INSERT_CHUNK) {
        let mut sql = String::from(
            "INSERT INTO audit_log (id, at, actor_id, actor_name, ip, action, entity, entity_id, details, prev_hash, hash, key_id) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 1..=12 {
                if c > 1 {
                    sql.push_str(", ");
                }
                let _ = write!(sql, "${}", i * 12 + c);
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for e in chunk {
            q = q
                .bind(e.id)
                .bind(&e.at)
                .bind(e.actor_id)
                .bind(&e.actor_name)
                .bind(&e.ip)
                .bind(&e.action)
                .bind(&e.entity)
                .bind(&e.entity_id)
                .bind(&e.details)
                .bind(&e.prev_hash)
                .bind(&e.hash)
                .bind(&e.key_id);
        }
        q.execute(&mut *tx.tx).await?;
    }
    Ok(())
}

/// Records an event in a transaction of its own — shared with the events
/// of concurrent requests (group commit): the rows waiting when the audit
/// writer of this process is free go into one transaction, and each caller
/// returns once that transaction has committed. A view is therefore
/// durably audited before its answer is sent, at one commit per batch
/// rather than per request.
pub async fn record(app: &App, actor: &Actor, event: Event) -> AppResult<()> {
    let row = Row::new(actor, event);
    let Some(queue) = app.audit_writer.queue(app) else {
        // Outside a runtime that can host the writer: commit alone.
        let mut tx = app.db.begin_write().await?;
        append_rows(&mut tx, app.db.backend, &app.audit_keys, vec![row], None).await?;
        tx.commit().await?;
        return Ok(());
    };
    let (done, committed) = oneshot::channel();
    queue
        .send(Pending { row, done })
        .await
        .map_err(|_| AppError::Unexpected(anyhow::anyhow!("the audit writer has stopped")))?;
    match committed.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(AppError::Unexpected(anyhow::anyhow!(
            "audit batch not committed: {e}"
        ))),
        Err(_) => Err(AppError::Unexpected(anyhow::anyhow!(
            "the audit writer has stopped"
        ))),
    }
}

/// An event waiting for the shared commit.
struct Pending {
    row: Row,
    done: oneshot::Sender<Result<(), String>>,
}

/// Rows committed together at most.
const MAX_BATCH: usize = 1024;

/// This process's audit writer (see [`record`]): started on first use, it
/// stops when the last clone of the [`App`] is dropped.
#[derive(Clone, Default)]
pub struct Writer {
    queue: Arc<OnceLock<mpsc::Sender<Pending>>>,
}

impl Writer {
    fn queue(&self, app: &App) -> Option<&mpsc::Sender<Pending>> {
        if let Some(q) = self.queue.get() {
            return Some(q);
        }
        let handle = tokio::runtime::Handle::try_current().ok()?;
        Some(self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel(8 * MAX_BATCH);
            handle.spawn(write_batches(app.db.clone(), app.audit_keys.clone(), rx));
            tx
        }))
    }
}

async fn write_batches(db: Db, audit_keys: keys::Keys, mut rx: mpsc::Receiver<Pending>) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let mut rows = Vec::with_capacity(batch.len());
        let mut waiters = Vec::with_capacity(batch.len());
        for p in batch.drain(..) {
            rows.push(p.row);
            waiters.push(p.done);
        }
        let outcome = async {
            let mut tx = db.begin_write().await?;
            append_rows(&mut tx, db.backend, &audit_keys, rows, None).await?;
            tx.commit().await?;
            Ok::<_, AppError>(())
        }
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "audit batch failed");
            e.to_string()
        });
        for w in waiters {
            let _ = w.send(outcome.clone());
        }
    }
}

fn entry_from_row(r: &db::AnyRow) -> Result<Entry, db::SqlxError> {
    Ok(Entry {
        id: r.try_get(0)?,
        at: r.try_get(1)?,
        actor_id: r.try_get(2)?,
        actor_name: r.try_get(3)?,
        ip: r.try_get(4)?,
        action: r.try_get(5)?,
        entity: r.try_get(6)?,
        entity_id: r.try_get(7)?,
        details: r.try_get(8)?,
        prev_hash: r.try_get(9)?,
        hash: r.try_get(10)?,
        key_id: r.try_get(11)?,
    })
}

const COLUMNS: &str =
    "id, at, actor_id, actor_name, ip, action, entity, entity_id, details, prev_hash, hash, key_id";

/// The action of the row that moves the chain to a new key.
pub const KEY_ROTATED: &str = "audit.key_rotated";

/// Outcome of a chain verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Intact {
        rows: i64,
    },
    /// A row fails (missing in the middle, wrong link, wrong hash or HMAC,
    /// an unknown key).
    Broken {
        row_id: i64,
        reason: &'static str,
    },
    /// The chain ends before the last row a signed anchor recorded.
    Truncated {
        first_missing: i64,
        last_missing: i64,
        anchor_at: String,
    },
    /// A row differs from the hash a signed anchor recorded for it (rows
    /// dropped and others appended in their place).
    AnchorMismatch {
        row_id: i64,
        anchor_at: String,
    },
    /// The anchor file itself fails (a line edited, a signature forged).
    BadAnchor {
        line: usize,
        reason: &'static str,
    },
}

/// What a verification checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub outcome: Verification,
    /// Rows walked.
    pub rows: i64,
    /// Rows of the unkeyed segment (plain SHA-256, before the key existed).
    pub unkeyed_rows: i64,
    /// Keys met along the chain, in order.
    pub key_ids: Vec<String>,
    /// Signed anchors checked against the chain.
    pub anchors: usize,
    /// The last anchor (time, rows).
    pub last_anchor: Option<(String, i64)>,
}

/// Walks the whole chain in id order against the keys and the anchors.
pub async fn verify(app: &App) -> AppResult<Verification> {
    Ok(verify_report(app).await?.outcome)
}

/// [`verify`], with what was checked.
pub async fn verify_report(app: &App) -> AppResult<Report> {
    let mut report = Report {
        outcome: Verification::Intact { rows: 0 },
        rows: 0,
        unkeyed_rows: 0,
        key_ids: Vec::new(),
        anchors: 0,
        last_anchor: None,
    };
    let anchors = match anchors::read(&app.audit_anchoring.files) {
        Ok(a) => a,
        Err(anchors::BadAnchor { line, reason }) => {
            report.outcome = Verification::BadAnchor { line, reason };
            return Ok(report);
        }
    };
    report.anchors = anchors.len();
    report.last_anchor = anchors.last().map(|a| (a.at.clone(), a.rows));
    let by_last_id: std::collections::HashMap<i64, &anchors::Anchor> =
        anchors.iter().map(|a| (a.last_id, a)).collect();
    let ring = match app.audit_keys.path() {
        Some(p) if p.exists() => Some(keys::read(p).map_err(|e| AppError::Unexpected(e.into()))?),
        _ => None,
    };
    let mut prev_hash = String::new();
    let mut prev_key = String::new();
    let mut expected_id = 1_i64;
    let mut after = 0_i64;
    let broken = |row_id, reason| Verification::Broken { row_id, reason };
    let outcome = 'walk: loop {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT 5000"
        ))
        .bind(after)
        .fetch_all(&app.db.pool)
        .await?;
        if rows.is_empty() {
            break Verification::Intact {
                rows: expected_id - 1,
            };
        }
        for r in &rows {
            let e = entry_from_row(r)?;
            if e.id != expected_id {
                break 'walk broken(expected_id, "missing row");
            }
            if e.prev_hash != prev_hash {
                break 'walk broken(e.id, "previous hash does not match");
            }
            let key = if e.key_id.is_empty() {
                if !prev_key.is_empty() {
                    break 'walk broken(e.id, "unkeyed row after keyed rows");
                }
                report.unkeyed_rows += 1;
                None
            } else {
                if !prev_key.is_empty() && e.key_id != prev_key && e.action != KEY_ROTATED {
                    break 'walk broken(e.id, "key changes without a rotation row");
                }
                let Some(k) = ring.as_ref().and_then(|r| r.get(&e.key_id)) else {
                    break 'walk broken(e.id, "its key is not in the key file");
                };
                if e.key_id != prev_key {
                    report.key_ids.push(e.key_id.clone());
                }
                Some(k)
            };
            if digest(&e, key) != e.hash {
                break 'walk broken(
                    e.id,
                    if key.is_some() {
                        "content does not match its HMAC"
                    } else {
                        "content does not match its hash"
                    },
                );
            }
            if let Some(a) = by_last_id.get(&e.id)
                && (a.last_hash != e.hash || a.key_id != e.key_id)
            {
                break 'walk Verification::AnchorMismatch {
                    row_id: e.id,
                    anchor_at: a.at.clone(),
                };
            }
            prev_key = e.key_id;
            prev_hash = e.hash;
            expected_id += 1;
            after = e.id;
        }
    };
    report.rows = expected_id - 1;
    report.outcome = match outcome {
        Verification::Intact { rows } => {
            // The latest anchor that records more rows than the chain holds.
            match anchors
                .iter()
                .filter(|a| a.last_id > rows)
                .max_by_key(|a| (a.last_id, a.at.clone()))
            {
                Some(a) => Verification::Truncated {
                    first_missing: rows + 1,
                    last_missing: a.last_id,
                    anchor_at: a.at.clone(),
                },
                None => Verification::Intact { rows },
            }
        }
        other => other,
    };
    Ok(report)
}

/// Signs the head of the chain into the anchor file. `force`: even when
/// this process already anchored the same head (the periodic task skips
/// it). Returns the anchor written, if any (none on an empty chain).
pub async fn anchor(app: &App, force: bool) -> AppResult<Option<anchors::Anchor>> {
    let head = sqlx::query("SELECT id, hash, key_id FROM audit_log ORDER BY id DESC LIMIT 1")
        .fetch_optional(&app.db.pool)
        .await?;
    let Some(head) = head else { return Ok(None) };
    let last_id: i64 = head.try_get(0)?;
    {
        let last = app
            .audit_anchoring
            .last
            .lock()
            .map(|g| *g)
            .unwrap_or_default();
        if !force && last == last_id {
            return Ok(None);
        }
    }
    let a = anchors::Anchor {
        at: clock::now(),
        rows: last_id,
        last_id,
        last_hash: head.try_get(1)?,
        key_id: head.try_get(2)?,
    };
    let files = app.audit_anchoring.files.clone();
    let written = a.clone();
    tokio::task::spawn_blocking(move || anchors::write(&files, &written))
        .await
        .map_err(|e| AppError::Unexpected(e.into()))?
        .map_err(AppError::Unexpected)?;
    if let Ok(mut g) = app.audit_anchoring.last.lock() {
        *g = last_id;
    }
    Ok(Some(a))
}

/// The key id of the chain's last row when the key file does not hold it
/// (`None`: the chain can be extended).
pub async fn missing_chain_key(app: &App) -> AppResult<Option<String>> {
    let last: Option<String> =
        sqlx::query_scalar("SELECT key_id FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(&app.db.pool)
            .await?;
    let Some(id) = last.filter(|k| !k.is_empty()) else {
        return Ok(None);
    };
    let ring = app
        .audit_keys
        .ring_with(&id)
        .map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(match ring {
        Some(r) if r.get(&id).is_some() => None,
        _ => Some(id),
    })
}

/// Anchors every `minutes` until the process ends (a server's background task).
pub async fn anchor_every(app: App, minutes: u64) {
    let period = std::time::Duration::from_secs(minutes.max(1) * 60);
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    loop {
        tick.tick().await;
        if let Err(e) = anchor(&app, false).await {
            tracing::error!(error = %e, "audit anchor not written");
        }
    }
}

/// Moves the chain to a new key: the key file gets a new current key (old
/// ones kept, so earlier segments still verify), and a chain row under the
/// new key names it. Returns the new key id.
pub async fn rotate_key(app: &App, actor: &Actor) -> AppResult<String> {
    let Some(path) = app.audit_keys.path().map(std::path::Path::to_path_buf) else {
        return Err(AppError::Unexpected(anyhow::anyhow!(
            "no audit_key_file is configured"
        )));
    };
    let id = tokio::task::spawn_blocking(move || keys::rotate(&path))
        .await
        .map_err(|e| AppError::Unexpected(e.into()))?
        .map_err(|e| AppError::Unexpected(e.into()))?;
    app.audit_keys
        .refresh()
        .map_err(|e| AppError::Unexpected(e.into()))?;
    let mut tx = app.db.begin_write().await?;
    append_rows(
        &mut tx,
        app.db.backend,
        &app.audit_keys,
        vec![Row::new(
            actor,
            Event::new(KEY_ROTATED, "audit_log", &"").with(serde_json::json!({ "key_id": id })),
        )],
        Some(&id),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A stored time as a person reads it: dd/mm/yyyy HH:MM in the configured
/// time zone (one formatter: [`clock::show_as_of`]).
pub fn display_time(stored: &str) -> String {
    clock::show_as_of(stored)
}

/// Filters for browsing the log.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// Lists audit rows, newest first (administrators and province officers).
pub async fn list(db: &Db, actor: &Actor, f: &Filter) -> AppResult<Vec<Entry>> {
    access::authorize(actor, access::Action::AuditRead)?;
    let mut sql = format!("SELECT {COLUMNS} FROM audit_log WHERE 1 = 1");
    let mut args: Vec<String> = Vec::new();
    for (col, val) in [
        ("actor_name", &f.actor),
        ("action", &f.action),
        ("entity", &f.entity),
        ("entity_id", &f.entity_id),
    ] {
        if let Some(v) = val.as_ref().filter(|v| !v.is_empty()) {
            args.push(v.clone());
            let _ = write!(sql, " AND {col} = ${}", args.len());
        }
    }
    if let Some(b) = f.before_id {
        let _ = write!(sql, " AND id < {b}");
    }
    let _ = write!(sql, " ORDER BY id DESC LIMIT {}", f.limit.clamp(1, 1000));
    let mut q = sqlx::query(&sql);
    for a in &args {
        q = q.bind(a);
    }
    let rows = q.fetch_all(&db.pool).await?;
    Ok(rows.iter().map(entry_from_row).collect::<Result<_, _>>()?)
}

/// Header row of the xlsx export.
pub const EXPORT_HEADER: [&str; 9] = [
    "id",
    "at",
    "actor",
    "ip",
    "action",
    "entity",
    "entity_id",
    "details",
    "hash",
];

/// Exports the filtered log (at most 100 000 rows, newest first) as an xlsx
/// workbook; the export itself is audited. Cells that a spreadsheet would
/// read as a formula are written as plain strings.
///
/// Besides the stored columns (kept as stored, for checking the chain),
/// each row gets the columns `readable` names, filled by `describe`: the
/// pages give the time in Vietnam and the row as a sentence.
pub async fn export_xlsx(
    app: &App,
    actor: &Actor,
    f: &Filter,
    readable: &Readable<'_>,
) -> AppResult<Vec<u8>> {
    let db = &app.db;
    access::authorize(actor, access::Action::AuditRead)?;
    let mut rows = Vec::new();
    let mut page = Filter {
        limit: 1000,
        ..f.clone()
    };
    while rows.len() < 100_000 {
        let batch = list(db, actor, &page).await?;
        let Some(last) = batch.last() else { break };
        page.before_id = Some(last.id);
        let done = batch.len() < 1000;
        rows.extend(batch);
        if done {
            break;
        }
    }
    let bytes = write_xlsx(&rows, readable).map_err(|e| anyhow::anyhow!("xlsx: {e}"))?;
    record(
        app,
        actor,
        Event::new("audit.export", "audit_log", &"").with(serde_json::json!({
            "rows": rows.len(),
            "actor": f.actor, "action": f.action, "entity": f.entity, "entity_id": f.entity_id,
        })),
    )
    .await?;
    Ok(bytes)
}

/// Columns for people added to the audit export: their headings and how a
/// row fills them.
pub struct Readable<'a> {
    pub headings: Vec<String>,
    pub describe: &'a (dyn Fn(&Entry) -> Vec<String> + Sync),
}

fn write_xlsx(
    rows: &[Entry],
    readable: &Readable<'_>,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("audit")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in (0u16..).zip(EXPORT_HEADER) {
        sheet.write_string_with_format(0, c, h, &bold)?;
    }
    let first = EXPORT_HEADER.len() as u16;
    for (c, h) in (first..).zip(&readable.headings) {
        sheet.write_string_with_format(0, c, h, &bold)?;
    }
    for (r, e) in (1u32..).zip(rows) {
        for (c, v) in (first..).zip((readable.describe)(e)) {
            sheet.write_string(r, c, v)?;
        }
    }
    for (r, e) in (1u32..).zip(rows) {
        // write_string never turns text into a formula, whatever it starts with.
        sheet.write_number(r, 0, e.id as f64)?;
        for (c, v) in (1u16..).zip([
            &e.at,
            &e.actor_name,
            &e.ip,
            &e.action,
            &e.entity,
            &e.entity_id,
            &e.details,
            &e.hash,
        ]) {
            sheet.write_string(r, c, v.as_str())?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}
