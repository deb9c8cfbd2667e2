//! Append-only, hash-chained audit log.
//!
//! Each row's hash covers its own content and the previous row's hash, so an
//! edited, inserted or deleted row breaks the chain at that point; the table
//! also refuses UPDATE and DELETE by trigger. Appends are serialised (the
//! SQLite write lock, a PostgreSQL advisory lock) so servers sharing one
//! database keep one chain.

use std::fmt::Write as _;

use db::{Backend, Db, Row as _, WriteTx};
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
}

fn digest(e: &Entry) -> String {
    let mut h = Sha256::new();
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
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends an event inside the caller's write transaction, so the change and
/// its audit row commit or roll back together.
pub async fn append(
    tx: &mut WriteTx,
    backend: Backend,
    actor: &Actor,
    event: Event,
) -> AppResult<()> {
    append_rows(tx, backend, vec![Row::new(actor, event)]).await
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

/// Rows of one multi-row `INSERT` (11 parameters each: well under both
/// backends' limits).
const INSERT_CHUNK: usize = 256;

/// Numbers and chains `rows` after the last stored row and inserts them, in
/// the caller's transaction (which holds the chain: SQLite's write lock, a
/// PostgreSQL advisory lock).
async fn append_rows(tx: &mut WriteTx, backend: Backend, rows: Vec<Row>) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(AUDIT_LOCK)
            .execute(&mut *tx.tx)
            .await?;
    }
    let last = sqlx::query("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
        .fetch_optional(&mut *tx.tx)
        .await?;
    let (mut prev_id, mut prev_hash) = match last {
        Some(r) => (r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?),
        None => (0, String::new()),
    };
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
        };
        entry.hash = digest(&entry);
        prev_id = entry.id;
        prev_hash.clone_from(&entry.hash);
        entries.push(entry);
    }
    for chunk in entries.chunks(INSERT_CHUNK) {
        let mut sql = String::from(
            "INSERT INTO audit_log (id, at, actor_id, actor_name, ip, action, entity, entity_id, details, prev_hash, hash) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 1..=11 {
                if c > 1 {
                    sql.push_str(", ");
                }
                let _ = write!(sql, "${}", i * 11 + c);
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
                .bind(&e.hash);
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
    let Some(queue) = app.audit_writer.queue(&app.db) else {
        // Outside a runtime that can host the writer: commit alone.
        let mut tx = app.db.begin_write().await?;
        append_rows(&mut tx, app.db.backend, vec![row]).await?;
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
    fn queue(&self, db: &Db) -> Option<&mpsc::Sender<Pending>> {
        if let Some(q) = self.queue.get() {
            return Some(q);
        }
        let handle = tokio::runtime::Handle::try_current().ok()?;
        Some(self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel(8 * MAX_BATCH);
            handle.spawn(write_batches(db.clone(), rx));
            tx
        }))
    }
}

async fn write_batches(db: Db, mut rx: mpsc::Receiver<Pending>) {
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
            append_rows(&mut tx, db.backend, rows).await?;
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
    })
}

const COLUMNS: &str =
    "id, at, actor_id, actor_name, ip, action, entity, entity_id, details, prev_hash, hash";

/// Outcome of a chain verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Intact { rows: i64 },
    Broken { row_id: i64, reason: &'static str },
}

/// Walks the whole chain in id order.
pub async fn verify(db: &Db) -> AppResult<Verification> {
    let mut prev_hash = String::new();
    let mut expected_id = 1_i64;
    let mut after = 0_i64;
    loop {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT 5000"
        ))
        .bind(after)
        .fetch_all(&db.pool)
        .await?;
        if rows.is_empty() {
            return Ok(Verification::Intact {
                rows: expected_id - 1,
            });
        }
        for r in &rows {
            let e = entry_from_row(r)?;
            if e.id != expected_id {
                return Ok(Verification::Broken {
                    row_id: expected_id,
                    reason: "missing row",
                });
            }
            if e.prev_hash != prev_hash {
                return Ok(Verification::Broken {
                    row_id: e.id,
                    reason: "previous hash does not match",
                });
            }
            if digest(&e) != e.hash {
                return Ok(Verification::Broken {
                    row_id: e.id,
                    reason: "content does not match its hash",
                });
            }
            prev_hash = e.hash;
            expected_id += 1;
            after = e.id;
        }
    }
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
pub async fn export_xlsx(app: &App, actor: &Actor, f: &Filter) -> AppResult<Vec<u8>> {
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
    let bytes = write_xlsx(&rows).map_err(|e| anyhow::anyhow!("xlsx: {e}"))?;
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

fn write_xlsx(rows: &[Entry]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("audit")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in (0u16..).zip(EXPORT_HEADER) {
        sheet.write_string_with_format(0, c, h, &bold)?;
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
