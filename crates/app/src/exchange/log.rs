//! The log of exchanges in and out (issue 25 §2): who, when, which file
//! (SHA-256), what it held; a received file's records with what the
//! matching found; the files downloaded again (audited).

use db::Row;
use serde::Serialize;

use super::format::Difference;
use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult};

/// One exchange as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Exchange {
    pub id: i64,
    /// `export` or `import`.
    pub direction: String,
    /// `jsonl` or `xlsx`.
    pub format: String,
    pub file_name: String,
    pub sha256: String,
    pub size_bytes: i64,
    /// The sending province (a received file), the exporting province (a sent one).
    pub sender: String,
    pub records: i64,
    pub new_records: i64,
    pub changed: i64,
    pub unchanged: i64,
    pub conflicts: i64,
    pub refused: i64,
    /// `running`, `done`, `failed` (sent); `review`, `done` (received).
    pub status: String,
    pub created_at: String,
    pub created_by: String,
    /// True when the file is kept and can be downloaded again.
    pub kept: bool,
    /// The export's filters or the received file's header (JSON).
    pub filters: serde_json::Value,
}

/// One record of a received file.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExchangeItem {
    pub id: i64,
    pub line_no: i64,
    /// `person`, `household`, `relative`, `association`, `enterprise`,
    /// `project` (empty when unreadable).
    pub record_type: String,
    pub uid: String,
    /// `new`, `same`, `change`, `conflict`, `refused`.
    pub outcome: String,
    /// The registry's record it matched (or was applied to).
    pub entity_id: Option<i64>,
    /// For a conflict: the linkage model's probability.
    pub probability: Option<f64>,
    /// The record as received.
    pub data: serde_json::Value,
    /// The fields that differ: the registry's value and the file's.
    pub diff: Vec<Difference>,
    pub problem: String,
    /// `pending`, `accepted`, `rejected`; `none` when there is nothing to decide.
    pub decision: String,
}

const COLUMNS: &str = "id, direction, format, file_name, sha256, size_bytes, sender, records, \
    new_records, changed, unchanged, conflicts, refused, status, created_at, created_by_name, \
    stored_path, filters";

fn from_row(r: &db::AnyRow) -> Result<Exchange, db::SqlxError> {
    let stored: String = r.try_get(16)?;
    let filters: String = r.try_get(17)?;
    Ok(Exchange {
        id: r.try_get(0)?,
        direction: r.try_get(1)?,
        format: r.try_get(2)?,
        file_name: r.try_get(3)?,
        sha256: r.try_get(4)?,
        size_bytes: r.try_get(5)?,
        sender: r.try_get(6)?,
        records: r.try_get(7)?,
        new_records: r.try_get(8)?,
        changed: r.try_get(9)?,
        unchanged: r.try_get(10)?,
        conflicts: r.try_get(11)?,
        refused: r.try_get(12)?,
        status: r.try_get(13)?,
        created_at: r.try_get(14)?,
        created_by: r.try_get(15)?,
        kept: !stored.is_empty(),
        filters: serde_json::from_str(&filters).unwrap_or_default(),
    })
}

/// The latest exchanges, newest first (`direction`: `export`, `import` or all).
pub async fn list(
    app: &App,
    actor: &Actor,
    direction: Option<&str>,
    limit: i64,
) -> AppResult<Vec<Exchange>> {
    access::authorize(actor, Action::ExchangeLogRead)?;
    let rows = match direction {
        Some(d) => sqlx::query(&format!(
            "SELECT {COLUMNS} FROM exchanges WHERE direction = $1 ORDER BY id DESC LIMIT {limit}"
        ))
        .bind(d)
        .fetch_all(&app.db.pool)
        .await?,
        None => {
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM exchanges ORDER BY id DESC LIMIT {limit}"
            ))
            .fetch_all(&app.db.pool)
            .await?
        }
    };
    rows.iter().map(|r| Ok(from_row(r)?)).collect()
}

/// One exchange with its records (a received file's).
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<(Exchange, Vec<ExchangeItem>)> {
    access::authorize(actor, Action::ExchangeLogRead)?;
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM exchanges WHERE id = $1"))
        .bind(id)
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let e = from_row(&row)?;
    let rows = sqlx::query(
        "SELECT id, line_no, record_type, uid, outcome, entity_id, probability, data, diff, \
         problem, decision FROM exchange_items WHERE exchange_id = $1 ORDER BY \
         CASE outcome WHEN 'conflict' THEN 0 WHEN 'change' THEN 1 WHEN 'new' THEN 2 \
         WHEN 'refused' THEN 3 ELSE 4 END, id LIMIT 5000",
    )
    .bind(id)
    .fetch_all(&app.db.pool)
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        let data: String = r.try_get(7)?;
        let diff: String = r.try_get(8)?;
        items.push(ExchangeItem {
            id: r.try_get(0)?,
            line_no: r.try_get(1)?,
            record_type: r.try_get(2)?,
            uid: r.try_get(3)?,
            outcome: r.try_get(4)?,
            entity_id: r.try_get(5)?,
            probability: r.try_get(6)?,
            data: serde_json::from_str(&data).unwrap_or(serde_json::Value::String(data)),
            diff: serde_json::from_str(&diff).unwrap_or_default(),
            problem: r.try_get(9)?,
            decision: r.try_get(10)?,
        });
    }
    audit::record(app, actor, Event::new("exchange.view", "exchange", &id)).await?;
    Ok((e, items))
}

/// The kept file of an exchange (its name and path); the download is audited.
pub async fn file(
    app: &App,
    actor: &Actor,
    id: i64,
) -> AppResult<(String, String, std::path::PathBuf)> {
    access::authorize(actor, Action::ExchangeLogRead)?;
    let row = sqlx::query("SELECT file_name, stored_path, format FROM exchanges WHERE id = $1")
        .bind(id)
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let name: String = row.try_get(0)?;
    let stored: String = row.try_get(1)?;
    let format: String = row.try_get(2)?;
    let path = super::files::path_of(app, &stored).ok_or(AppError::NotFound)?;
    if !path.is_file() {
        return Err(AppError::NotFound);
    }
    audit::record(app, actor, Event::new("exchange.download", "exchange", &id)).await?;
    Ok((name, format, path))
}
