//! Imports of agencies' lists: upload → validation report → commit → undo.
//!
//! An import is a row of `imports` plus its rows in `import_rows`. Reading
//! and validation run in the background (the page polls the progress); the
//! commit writes every valid row in one transaction, so a crash leaves
//! either the whole import or nothing; [`recover`] at start-up puts an
//! interrupted step back to where it can be retried. Undo soft-deletes the
//! people the import created, except those edited since, which are kept and
//! reported.

pub mod files;
pub mod layout;
pub mod mapping;
pub mod read;
pub mod validate;

use std::collections::HashMap;

use db::bulk::{self, Val};
use db::{Backend, Row};
use domain::Agency;
use serde::Serialize;

use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::registry::people::{self, PersonData};
use crate::{Actor, App, AppError, AppResult, FieldError, Jurisdiction, clock};

pub use validate::Message;

/// An import as shown in lists and on its page.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub id: i64,
    pub source: String,
    pub survey_round: String,
    pub file_name: String,
    pub sheet: String,
    pub status: String,
    pub progress_done: i64,
    pub progress_total: i64,
    pub total_rows: i64,
    pub valid_rows: i64,
    pub error_rows: i64,
    pub warning_rows: i64,
    pub created_persons: i64,
    pub failure: String,
    pub created_by_name: String,
    pub created_at: String,
    pub committed_at: Option<String>,
    pub undone_at: Option<String>,
    pub undo_report: String,
    pub headers: Vec<String>,
    pub mapping: Vec<String>,
    /// After commit: "", running, done or failed.
    pub match_status: String,
    pub match_new: i64,
    pub match_same: i64,
    pub match_possible: i64,
    pub match_merged: i64,
    /// Every sheet of the file (none for a CSV).
    pub sheets: Vec<String>,
    /// The (first) header row as the spreadsheet numbers it (0: not read),
    /// and 1 or 2 rows of header.
    pub header_row: i64,
    pub header_rows: i64,
    /// The first rows of the sheet with text: number and first cells.
    pub head_rows: Vec<(u32, String)>,
    /// While queued: its place among the imports waiting on this database
    /// (1 is next).
    pub queue_position: i64,
}

impl Summary {
    /// True while a background step is running.
    pub fn busy(&self) -> bool {
        matches!(
            self.status.as_str(),
            "queued" | "reading" | "validating" | "committing"
        )
    }
    /// Message key of the status.
    pub fn status_key(&self) -> String {
        format!("import.status.{}", self.status)
    }
    /// Progress in percent.
    pub fn percent(&self) -> i64 {
        if self.progress_total > 0 {
            (self.progress_done * 100 / self.progress_total).clamp(0, 100)
        } else if self.busy() {
            0
        } else {
            100
        }
    }
}

/// One row of the validation report.
#[derive(Debug, Clone, Serialize)]
pub struct RowReport {
    pub row_no: i64,
    pub cells: Vec<String>,
    pub errors: Vec<Message>,
    pub warnings: Vec<Message>,
}

const SUMMARY_COLUMNS: &str = "id, source, survey_round, file_name, sheet, status, progress_done, \
    progress_total, total_rows, valid_rows, error_rows, warning_rows, created_persons, failure, \
    created_by_name, created_at, committed_at, undone_at, undo_report, headers, mapping, created_by, \
    match_status, match_new, match_same, match_possible, match_merged, sheets, header_row, \
    header_rows, head_rows";

fn summary_of(r: &db::AnyRow) -> AppResult<(Summary, Option<i64>)> {
    let headers: String = r.try_get(19)?;
    let mapping: String = r.try_get(20)?;
    let sheets: String = r.try_get(27)?;
    let head_rows: String = r.try_get(30)?;
    Ok((
        Summary {
            id: r.try_get(0)?,
            source: r.try_get(1)?,
            survey_round: r.try_get(2)?,
            file_name: r.try_get(3)?,
            sheet: r.try_get(4)?,
            status: r.try_get(5)?,
            progress_done: r.try_get(6)?,
            progress_total: r.try_get(7)?,
            total_rows: r.try_get(8)?,
            valid_rows: r.try_get(9)?,
            error_rows: r.try_get(10)?,
            warning_rows: r.try_get(11)?,
            created_persons: r.try_get(12)?,
            failure: r.try_get(13)?,
            created_by_name: r.try_get(14)?,
            created_at: r.try_get(15)?,
            committed_at: r.try_get(16)?,
            undone_at: r.try_get(17)?,
            undo_report: r.try_get(18)?,
            headers: serde_json::from_str(&headers).unwrap_or_default(),
            mapping: serde_json::from_str(&mapping).unwrap_or_default(),
            match_status: r.try_get(22)?,
            match_new: r.try_get(23)?,
            match_same: r.try_get(24)?,
            match_possible: r.try_get(25)?,
            match_merged: r.try_get(26)?,
            sheets: serde_json::from_str(&sheets).unwrap_or_default(),
            header_row: r.try_get(28)?,
            header_rows: r.try_get(29)?,
            head_rows: serde_json::from_str(&head_rows).unwrap_or_default(),
            queue_position: 0,
        },
        r.try_get(21)?,
    ))
}

/// Sees every import (province level) or only one's own.
fn sees_all(actor: &Actor) -> bool {
    matches!(actor.jurisdiction, Jurisdiction::Province)
}

/// The source an actor may submit for: an agency contributor only its own.
/// Whether `actor` may submit a list (of `source`, when already known):
/// checked before an upload is received, so a refused caller's file is
/// not even written to disk.
pub fn may_submit(actor: &Actor, source: Option<&str>) -> AppResult<()> {
    access::authorize(actor, Action::ImportSubmit)?;
    if let Some(source) = source {
        check_source(actor, source)?;
    }
    Ok(())
}

fn check_source(actor: &Actor, source: &str) -> AppResult<Agency> {
    // A code, or the agency's name as written ("Công an tỉnh", "UBND xã").
    let agency = domain::words::agency(source)
        .ok_or_else(|| AppError::Invalid(vec![FieldError::new("source", "invalid_code")]))?;
    if let Jurisdiction::Agency(own) = &actor.jurisdiction
        && own != agency.code()
    {
        return Err(AppError::Invalid(vec![FieldError::new(
            "source",
            "not_your_agency",
        )]));
    }
    Ok(agency)
}

/// Reads one import within the actor's reach (404 otherwise).
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<Summary> {
    access::authorize(actor, Action::ImportSubmit)?;
    let row = sqlx::query(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM imports WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&app.db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let (s, owner) = summary_of(&row)?;
    if !sees_all(actor) && owner != actor.user_id {
        return Err(AppError::NotFound);
    }
    let mut s = s;
    if s.status == "queued" {
        let ahead: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM imports WHERE status = 'queued' AND id < $1")
                .bind(id)
                .fetch_one(&app.db.pool)
                .await?;
        s.queue_position = ahead + 1;
    }
    Ok(s)
}

/// Imports the actor may see, newest first.
pub async fn list(app: &App, actor: &Actor, limit: i64) -> AppResult<Vec<Summary>> {
    access::authorize(actor, Action::ImportSubmit)?;
    let rows = if sees_all(actor) {
        sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM imports ORDER BY id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&app.db.pool)
        .await?
    } else {
        sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM imports WHERE created_by = $1 ORDER BY id DESC LIMIT $2"
        ))
        .bind(actor.user_id)
        .bind(limit)
        .fetch_all(&app.db.pool)
        .await?
    };
    rows.iter().map(|r| Ok(summary_of(r)?.0)).collect()
}

async fn set_status(app: &App, id: i64, status: &str, failure: &str) -> AppResult<()> {
    sqlx::query("UPDATE imports SET status = $1, failure = $2, updated_at = $3 WHERE id = $4")
        .bind(status)
        .bind(failure)
        .bind(clock::now())
        .bind(id)
        .execute(&app.db.pool)
        .await?;
    Ok(())
}

async fn set_progress(app: &App, id: i64, done: usize, total: usize) -> AppResult<()> {
    sqlx::query("UPDATE imports SET progress_done = $1, progress_total = $2 WHERE id = $3")
        .bind(done as i64)
        .bind(total as i64)
        .bind(id)
        .execute(&app.db.pool)
        .await?;
    Ok(())
}

/// Starts an import of an uploaded file: records it and reads and validates
/// it in the background. Answers the import id at once.
pub async fn start(
    app: &App,
    actor: &Actor,
    source: &str,
    survey_round: &str,
    file_name: &str,
    bytes: Vec<u8>,
) -> AppResult<i64> {
    access::authorize(actor, Action::ImportSubmit)?;
    let agency = check_source(actor, source)?;
    refuse_wrong_type(&bytes, file_name)?;
    let id = create(app, actor, agency, survey_round, file_name, Some(&bytes)).await?;
    let app2 = app.clone();
    let actor2 = actor.clone();
    let file_name = file_name.to_owned();
    tokio::spawn(async move {
        let choice = read::Choice::default();
        if let Err(e) =
            read_and_validate(&app2, &actor2, id, agency, &file_name, bytes, &choice).await
        {
            tracing::error!(import = id, error = %e, "import validation failed");
            let _ = set_status(&app2, id, "failed", "error.internal").await;
        }
    });
    Ok(id)
}

/// A file that is not a spreadsheet (a document, a picture, a PDF, bytes
/// that are not text) is refused before anything is recorded.
fn refuse_wrong_type(bytes: &[u8], file_name: &str) -> AppResult<()> {
    match read::check_type(bytes, file_name) {
        Err(e) if e.code == "not_a_spreadsheet" => Err(AppError::Invalid(vec![FieldError::new(
            "file",
            "not_a_spreadsheet",
        )])),
        _ => Ok(()),
    }
}

/// Records an import; `file`, when given, is kept until the import is
/// committed or undone (to read it again with another sheet or header row).
async fn create(
    app: &App,
    actor: &Actor,
    agency: Agency,
    survey_round: &str,
    file_name: &str,
    file: Option<&[u8]>,
) -> AppResult<i64> {
    let round = survey_round.trim();
    if round.chars().count() > 64 || domain::text::has_forbidden_control(round) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "survey_round",
            "too_long",
        )]));
    }
    // A round whose figures both agencies signed takes no more lists.
    if !round.is_empty() && crate::intake::reconcile::is_locked(app, round).await? {
        return Err(AppError::invalid_field("survey_round", "round_locked"));
    }
    let name: String = file_name
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
        .take(200)
        .collect();
    let now = clock::now();
    let mut tx = app.db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO imports (source, survey_round, file_name, status, created_by, created_by_name, created_at, updated_at) \
         VALUES ($1, $2, $3, 'reading', $4, $5, $6, $6) RETURNING id",
    )
    .bind(agency.code())
    .bind(round)
    .bind(&name)
    .bind(actor.user_id)
    .bind(&actor.username)
    .bind(&now)
    .fetch_one(&mut *tx.tx)
    .await?;
    if let Some(file) = file {
        sqlx::query(
            "INSERT INTO import_files (import_id, content, created_at) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(file)
        .bind(&now)
        .execute(&mut *tx.tx)
        .await?;
    }
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("import.upload", "import", &id).with(serde_json::json!({
            "source": agency.code(), "survey_round": round, "file_name": name,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn remembered_mapping(app: &App, source: &str) -> AppResult<Option<Vec<(String, String)>>> {
    let m: Option<String> =
        sqlx::query_scalar("SELECT mapping FROM import_mappings WHERE source = $1")
            .bind(source)
            .fetch_optional(&app.db.pool)
            .await?;
    Ok(m.and_then(|m| serde_json::from_str(&m).ok()))
}

/// The kept file of an import (until its commit or undo); `import_file_gone`
/// when it is no longer kept.
async fn kept_file(app: &App, id: i64) -> AppResult<Vec<u8>> {
    sqlx::query_scalar("SELECT content FROM import_files WHERE import_id = $1")
        .bind(id)
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or_else(|| AppError::Conflict("import_file_gone".into()))
}

/// Drops the kept file of an import (after commit or undo, or when it
/// cannot be read with another choice).
async fn drop_file(app: &App, id: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM import_files WHERE import_id = $1")
        .bind(id)
        .execute(&app.db.pool)
        .await?;
    Ok(())
}

/// The failure of a read as stored: "import.code" or "import.code|arg".
fn failure_of(e: &read::ReadError) -> String {
    if e.arg.is_empty() {
        format!("import.{}", e.code)
    } else {
        format!("import.{}|{}", e.code, e.arg)
    }
}

async fn read_and_validate(
    app: &App,
    actor: &Actor,
    id: i64,
    agency: Agency,
    file_name: &str,
    bytes: Vec<u8>,
    choice: &read::Choice,
) -> AppResult<()> {
    // At most `max_concurrent` files are read at once on this server (a
    // file's text and rows take several times its size); the others wait
    // their turn, "queued", with their place shown.
    let (_slot, bytes) = if let Ok(p) = app.import_slots.clone().try_acquire_owned() {
        (p, bytes)
    } else {
        set_status(app, id, "queued", "").await?;
        // A queued file waits in the database, not in this server's memory
        // (several large lists queued at once would otherwise all be held).
        let kept: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM import_files WHERE import_id = $1")
                .bind(id)
                .fetch_one(&app.db.pool)
                .await?;
        let held = if kept > 0 {
            drop(bytes);
            None
        } else {
            Some(bytes)
        };
        let p = app
            .import_slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| AppError::Unexpected(e.into()))?;
        set_status(app, id, "reading", "").await?;
        let bytes = match held {
            Some(b) => b,
            None => kept_file(app, id).await?,
        };
        (p, bytes)
    };
    let limits = app.settings.import_limits.clone();
    // A text list in UTF-8 is read, checked and stored a chunk at a time:
    // a long list costs its bytes and a chunk of rows, not a table of every
    // row (issue 26, finding 3).
    if choice.sheet.is_none() && choice.score.is_none() && streamable(&bytes, file_name, &limits) {
        return validate_streamed(app, actor, id, agency, bytes, choice.header_row).await;
    }
    let name = file_name.to_owned();
    let choice = choice.clone();
    let (table, sheets) = tokio::task::spawn_blocking(move || {
        let sheets = read::check_type(&bytes, &name)
            .and_then(|f| read::sheet_names(&bytes, f))
            .unwrap_or_default();
        (read::read(&bytes, &name, &limits, &choice), sheets)
    })
    .await
    .map_err(|e| AppError::Unexpected(e.into()))?;
    let table = match table {
        Ok(t) => t,
        Err(e) => {
            // With several sheets, another one may be chosen: the file is kept.
            sqlx::query("UPDATE imports SET sheets = $1 WHERE id = $2")
                .bind(serde_json::to_string(&sheets).map_err(anyhow::Error::from)?)
                .bind(id)
                .execute(&app.db.pool)
                .await?;
            if sheets.len() < 2 {
                drop_file(app, id).await?;
            }
            set_status(app, id, "failed", &failure_of(&e)).await?;
            return Ok(());
        }
    };
    let remembered = remembered_mapping(app, agency.code()).await?;
    let mapping = mapping::guess_all_for(agency, &table.headers, remembered.as_deref());
    sqlx::query(
        "UPDATE imports SET sheet = $1, headers = $2, mapping = $3, total_rows = $4, sheets = $5, \
         header_row = $6, header_rows = $7, head_rows = $8, failure = '', status = 'validating' WHERE id = $9",
    )
    .bind(&table.sheet)
    .bind(serde_json::to_string(&table.headers).map_err(anyhow::Error::from)?)
    .bind(serde_json::to_string(&mapping).map_err(anyhow::Error::from)?)
    .bind(table.rows.len() as i64)
    .bind(serde_json::to_string(&table.sheets).map_err(anyhow::Error::from)?)
    .bind(i64::from(table.header_row))
    .bind(i64::from(table.header_rows))
    .bind(serde_json::to_string(&table.head).map_err(anyhow::Error::from)?)
    .bind(id)
    .execute(&app.db.pool)
    .await?;
    validate_rows(app, actor, id, agency, &mapping, table.rows).await
}

/// Reads an uploaded import again with another sheet or header row (as the
/// spreadsheet numbers it): headers, mapping and rows are derived again and
/// validated (in the background). The file is kept in the database until
/// the import is committed, so any server can do it.
pub async fn reshape(
    app: &App,
    actor: &Actor,
    id: i64,
    sheet: Option<String>,
    header_row: Option<u32>,
) -> AppResult<()> {
    let s = get(app, actor, id).await?;
    if !matches!(s.status.as_str(), "validated" | "failed") {
        return Err(AppError::Conflict("import_not_validated".into()));
    }
    if let Some(name) = &sheet
        && !s.sheets.contains(name)
    {
        return Err(AppError::Invalid(vec![FieldError::new(
            "sheet",
            "invalid_code",
        )]));
    }
    let agency = check_source(actor, &s.source)?;
    let bytes = kept_file(app, id).await?;
    // Claim it: one re-read at a time, whichever server gets it.
    let mut tx = app.db.begin_write().await?;
    let n = sqlx::query(
        "UPDATE imports SET status = 'reading', failure = '', progress_done = 0, updated_at = $1 \
         WHERE id = $2 AND status IN ('validated', 'failed')",
    )
    .bind(clock::now())
    .bind(id)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if n != 1 {
        return Err(AppError::Conflict("import_not_validated".into()));
    }
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("import.reshape", "import", &id)
            .with(serde_json::json!({"sheet": sheet, "header_row": header_row})),
    )
    .await?;
    tx.commit().await?;
    let choice = read::Choice {
        sheet,
        header_row,
        score: None,
    };
    let app2 = app.clone();
    let actor2 = actor.clone();
    let file_name = s.file_name.clone();
    tokio::spawn(async move {
        if let Err(e) =
            read_and_validate(&app2, &actor2, id, agency, &file_name, bytes, &choice).await
        {
            tracing::error!(import = id, error = %e, "import re-reading failed");
            let _ = set_status(&app2, id, "failed", "error.internal").await;
        }
    });
    Ok(())
}

/// True for a CSV in UTF-8 (with or without a BOM) within the limits: read
/// by [`validate_streamed`].
fn streamable(bytes: &[u8], file_name: &str, limits: &read::Limits) -> bool {
    !bytes.is_empty()
        && bytes.len() as u64 <= limits.max_file_bytes
        && matches!(read::check_type(bytes, file_name), Ok(read::Format::Csv))
        && std::str::from_utf8(bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes)).is_ok()
}

/// Rows checked and stored at a time by [`validate_streamed`].
const STREAM_CHUNK: usize = 5_000;

/// Reads a UTF-8 CSV a chunk of rows at a time ([`read::CsvChunks`]: the
/// header found under title rows as [`read::read`] finds it), checks each
/// chunk, screens it against the rows before it and stores it; the counts
/// and the state "validated" are written at the end. A list that cannot be
/// read fails with its reason and keeps no rows.
async fn validate_streamed(
    app: &App,
    actor: &Actor,
    id: i64,
    agency: Agency,
    bytes: Vec<u8>,
    header_row: Option<u32>,
) -> AppResult<()> {
    // Progress is shown against the file's lines (each row takes one or more).
    let lines = bytes.split(|b| *b == b'\n').count();
    let limits = app.settings.import_limits.clone();
    // Rows counted first (a list too long is refused at once, as when it
    // was read whole); then the text is read from a temporary file, so that
    // the server does not hold it while its rows are checked.
    let opened = tokio::task::spawn_blocking(move || {
        let rows = read::count_csv_rows(&bytes)?;
        if rows > limits.max_rows {
            return Err(read::ReadError::new("too_many_rows", limits.max_rows));
        }
        let spooled = (|| {
            use std::io::{Seek as _, Write as _};
            let mut f = tempfile::tempfile()?;
            f.write_all(&bytes)?;
            f.rewind()?;
            Ok::<_, std::io::Error>(f)
        })();
        drop(bytes);
        let file = spooled.map_err(|_| read::ReadError::new("broken_file", ""))?;
        read::CsvChunks::open(
            Box::new(std::io::BufReader::with_capacity(1 << 20, file)),
            limits,
            header_row,
        )
    })
    .await
    .map_err(|e| AppError::Unexpected(e.into()))?;
    let fail = |e: read::ReadError| async move {
        sqlx::query("DELETE FROM import_rows WHERE import_id = $1")
            .bind(id)
            .execute(&app.db.pool)
            .await?;
        sqlx::query("UPDATE imports SET sheets = '[]' WHERE id = $1")
            .bind(id)
            .execute(&app.db.pool)
            .await?;
        drop_file(app, id).await?;
        set_status(app, id, "failed", &failure_of(&e)).await
    };
    let mut chunks = match opened {
        Ok(c) => c,
        Err(e) => return fail(e).await,
    };
    let remembered = remembered_mapping(app, agency.code()).await?;
    let mapping = mapping::guess_all_for(agency, &chunks.headers, remembered.as_deref());
    sqlx::query(
        "UPDATE imports SET sheet = '', headers = $1, mapping = $2, total_rows = 0, sheets = '[]', \
         header_row = $3, header_rows = $4, head_rows = $5, failure = '', status = 'validating' \
         WHERE id = $6",
    )
    .bind(serde_json::to_string(&chunks.headers).map_err(anyhow::Error::from)?)
    .bind(serde_json::to_string(&mapping).map_err(anyhow::Error::from)?)
    .bind(i64::from(chunks.layout.header_row))
    .bind(i64::from(chunks.layout.header_rows))
    .bind(serde_json::to_string(&chunks.head).map_err(anyhow::Error::from)?)
    .bind(id)
    .execute(&app.db.pool)
    .await?;
    sqlx::query("DELETE FROM import_rows WHERE import_id = $1")
        .bind(id)
        .execute(&app.db.pool)
        .await?;
    set_progress(app, id, 0, lines).await?;
    let province = app.settings.home_province.clone();
    let mut first_of = HashMap::new();
    let mut counts = Counts::default();
    loop {
        let (back, rows) = tokio::task::spawn_blocking(move || {
            let rows = chunks.next_chunk(STREAM_CHUNK);
            (chunks, rows)
        })
        .await
        .map_err(|e| AppError::Unexpected(e.into()))?;
        chunks = back;
        let rows = match rows {
            Ok(rows) if rows.is_empty() => break,
            Ok(rows) => rows,
            Err(e) => return fail(e).await,
        };
        let mut checked = check_chunk(rows, &mapping, agency, &province).await?;
        screen(actor, &mut checked, &mut first_of);
        likely_in_registry(app, &mut checked, i64::MAX).await?;
        let (values, c) = row_values(id, &checked);
        counts.add(c);
        let mut tx = app.db.begin_write().await?;
        bulk::insert(&mut tx.tx, "import_rows", ROW_COLUMNS, values).await?;
        tx.commit().await?;
        set_progress(
            app,
            id,
            counts.total as usize,
            lines.max(counts.total as usize),
        )
        .await?;
    }
    set_progress(app, id, counts.total as usize, counts.total as usize).await?;
    set_validated(app, id, counts).await
}

/// How many rows were stored, valid, with errors, with warnings.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    total: i64,
    valid: i64,
    errors: i64,
    warnings: i64,
}

impl Counts {
    fn add(&mut self, o: Counts) {
        self.total += o.total;
        self.valid += o.valid;
        self.errors += o.errors;
        self.warnings += o.warnings;
    }
}

const ROW_COLUMNS: &[&str] = &["import_id", "row_no", "cells", "data", "errors", "warnings"];

/// The rows of `import_rows` for checked rows, and their counts.
fn row_values(
    id: i64,
    checked: &[(u32, Vec<String>, validate::Checked)],
) -> (Vec<Vec<Val>>, Counts) {
    let json = |v: &dyn erased::Ser| v.to_json();
    let mut rows = Vec::with_capacity(checked.len());
    let mut counts = Counts {
        total: checked.len() as i64,
        ..Counts::default()
    };
    for (n, cells, c) in checked {
        if c.data.is_some() {
            counts.valid += 1;
        }
        if !c.errors.is_empty() {
            counts.errors += 1;
        }
        if !c.warnings.is_empty() {
            counts.warnings += 1;
        }
        rows.push(vec![
            Val::from(id),
            Val::from(i64::from(*n)),
            Val::from(json(cells)),
            Val::from(c.data.as_ref().map(|d| json(d))),
            Val::from(json(&c.errors)),
            Val::from(json(&c.warnings)),
        ]);
    }
    (rows, counts)
}

async fn set_validated(app: &App, id: i64, c: Counts) -> AppResult<()> {
    sqlx::query(
        "UPDATE imports SET status = 'validated', valid_rows = $1, error_rows = $2, warning_rows = $3, \
         total_rows = $4, failure = '', updated_at = $5 WHERE id = $6",
    )
    .bind(c.valid)
    .bind(c.errors)
    .bind(c.warnings)
    .bind(c.total)
    .bind(clock::now())
    .bind(id)
    .execute(&app.db.pool)
    .await?;
    Ok(())
}

/// Validates rows against a mapping and stores them with their messages.
async fn validate_rows(
    app: &App,
    actor: &Actor,
    id: i64,
    agency: Agency,
    mapping: &[String],
    rows: Vec<(u32, Vec<String>)>,
) -> AppResult<()> {
    let total = rows.len();
    set_progress(app, id, 0, total).await?;
    let province = app.settings.home_province.clone();
    let mut checked: Vec<(u32, Vec<String>, validate::Checked)> = Vec::with_capacity(total);
    let step = (total / 20).max(500);
    let mut rows = rows.into_iter();
    loop {
        let chunk: Vec<(u32, Vec<String>)> = rows.by_ref().take(step).collect();
        if chunk.is_empty() {
            break;
        }
        checked.extend(check_chunk(chunk, mapping, agency, &province).await?);
        set_progress(app, id, checked.len(), total).await?;
    }
    let mut first_of = HashMap::new();
    screen(actor, &mut checked, &mut first_of);
    likely_in_registry(app, &mut checked, i64::MAX).await?;
    store_rows(app, id, &checked).await
}

/// Checks rows one by one, in parallel, off the async threads; keeps the
/// rows' order.
async fn check_chunk(
    rows: Vec<(u32, Vec<String>)>,
    mapping: &[String],
    agency: Agency,
    province: &str,
) -> AppResult<Vec<(u32, Vec<String>, validate::Checked)>> {
    let mapping = mapping.to_vec();
    let province = province.to_owned();
    crate::background::spawn(move || {
        use rayon::prelude::*;
        rows.into_par_iter()
            .map(|(n, cells)| {
                let (joined, map) = mapping::join_parts(&cells, &mapping);
                let c = validate::check_row(&joined, &map, agency, Some(&province));
                (n, cells, c)
            })
            .collect()
    })
    .await
    .map_err(|e| AppError::Unexpected(e.into()))
}

/// Checks that need more than one row, or the actor: a row outside the
/// actor's area is an error; a row repeating an earlier one (same folded
/// name and birth date; `first_of` spans chunks) is a warning.
fn screen(
    actor: &Actor,
    checked: &mut [(u32, Vec<String>, validate::Checked)],
    first_of: &mut HashMap<String, u32>,
) {
    // A commune officer's list is about their commune: a row that names no
    // hometown is from it.
    let own_commune = match &actor.jurisdiction {
        Jurisdiction::Communes {
            new_communes,
            legacy_communes,
            legacy_districts,
        } if new_communes.len() == 1
            && legacy_communes.is_empty()
            && legacy_districts.is_empty() =>
        {
            domain::geo::new_commune(&new_communes[0])
        }
        _ => None,
    };
    for (n, _, c) in checked.iter_mut() {
        if let (Some(own), Some(d)) = (own_commune, c.data.as_mut())
            && d.person.hometown_code.is_none()
            && d.person.hometown_legacy_code.is_none()
            && d.person.hometown_text.is_empty()
        {
            d.person.hometown_code = Some(own.code.to_owned());
            d.person.hometown_text = domain::geo::new_commune_label(own);
        }
        let Some(d) = &c.data else { continue };
        if !people::within_jurisdiction(actor, &d.person) {
            c.errors.push(Message {
                column: None,
                field: "hometown_code".into(),
                code: "out_of_jurisdiction".into(),
                arg: String::new(),
            });
            c.data = None;
            continue;
        }
        let key = validate::duplicate_key(&d.person);
        if let Some(first) = first_of.get(&key) {
            c.warnings.push(Message {
                column: None,
                field: "full_name".into(),
                code: "duplicate_in_file".into(),
                arg: first.to_string(),
            });
        } else {
            first_of.insert(key, *n);
        }
    }
}

/// Warns on rows whose folded name and birth year match a live record with
/// an id below `below` (a streamed import passes its first id: its own rows,
/// not yet committed, are not the registry).
async fn likely_in_registry(
    app: &App,
    checked: &mut [(u32, Vec<String>, validate::Checked)],
    below: i64,
) -> AppResult<()> {
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, (_, _, c)) in checked.iter().enumerate() {
        if let Some(d) = &c.data {
            by_name
                .entry(domain::text::fold(&d.person.full_name))
                .or_default()
                .push(i);
        }
    }
    let names: Vec<String> = by_name.keys().cloned().collect();
    for chunk in names.chunks(300) {
        let placeholders: Vec<String> = (2..=chunk.len() + 1).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, full_name_folded, birth_year FROM persons \
             WHERE deleted_at IS NULL AND id < $1 AND full_name_folded IN ({})",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(below);
        for n in chunk {
            q = q.bind(n);
        }
        for r in q.fetch_all(&app.db.pool).await? {
            let pid: i64 = r.try_get(0)?;
            let folded: String = r.try_get(1)?;
            let year: Option<i64> = r.try_get(2)?;
            for &i in by_name.get(&folded).into_iter().flatten() {
                let c = &mut checked[i].2;
                let row_year = c
                    .data
                    .as_ref()
                    .and_then(|d| d.person.birth_date.as_deref())
                    .and_then(|b| b.get(..4))
                    .and_then(|y| y.parse::<i64>().ok());
                let same = match (row_year, year) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                };
                if same && !c.warnings.iter().any(|m| m.code == "likely_in_registry") {
                    c.warnings.push(Message {
                        column: None,
                        field: "full_name".into(),
                        code: "likely_in_registry".into(),
                        arg: format!("#{pid}"),
                    });
                }
            }
        }
    }
    Ok(())
}

async fn store_rows(
    app: &App,
    id: i64,
    checked: &[(u32, Vec<String>, validate::Checked)],
) -> AppResult<()> {
    let (rows, counts) = row_values(id, checked);
    let mut tx = app.db.begin_write().await?;
    sqlx::query("DELETE FROM import_rows WHERE import_id = $1")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    bulk::insert(&mut tx.tx, "import_rows", ROW_COLUMNS, rows).await?;
    tx.commit().await?;
    set_validated(app, id, counts).await
}

mod erased {
    //! `serde_json::to_string` behind a trait object (cells, records, messages).
    pub trait Ser {
        fn to_json(&self) -> String;
    }
    impl<T: serde::Serialize> Ser for T {
        fn to_json(&self) -> String {
            serde_json::to_string(self).unwrap_or_else(|_| "null".into())
        }
    }
}

/// The rows of an import: all, or only those with errors or warnings.
pub async fn rows(
    app: &App,
    actor: &Actor,
    id: i64,
    problems_only: bool,
    limit: i64,
) -> AppResult<Vec<RowReport>> {
    get(app, actor, id).await?;
    let filter = if problems_only {
        " AND (errors <> '[]' OR warnings <> '[]')"
    } else {
        ""
    };
    let rows = sqlx::query(&format!(
        "SELECT row_no, cells, errors, warnings FROM import_rows WHERE import_id = $1{filter} ORDER BY row_no LIMIT $2"
    ))
    .bind(id)
    .bind(limit)
    .fetch_all(&app.db.pool)
    .await?;
    // The rows hold the people of the file: reading them is a view of
    // personal data, audited like a record's.
    audit::record(
        app,
        actor,
        Event::new("import.view_rows", "import", &id).with(serde_json::json!({
            "rows": rows.len(), "problems_only": problems_only,
        })),
    )
    .await?;
    rows.iter()
        .map(|r| {
            let cells: String = r.try_get(1)?;
            let errors: String = r.try_get(2)?;
            let warnings: String = r.try_get(3)?;
            Ok(RowReport {
                row_no: r.try_get(0)?,
                cells: serde_json::from_str(&cells).unwrap_or_default(),
                errors: serde_json::from_str(&errors).unwrap_or_default(),
                warnings: serde_json::from_str(&warnings).unwrap_or_default(),
            })
        })
        .collect()
}

/// Changes the column mapping, remembers it for the source, and validates
/// the rows again (in the background).
pub async fn remap(app: &App, actor: &Actor, id: i64, mapping: Vec<String>) -> AppResult<()> {
    let s = get(app, actor, id).await?;
    if s.status != "validated" {
        return Err(AppError::Conflict("import_not_validated".into()));
    }
    let source = Agency::from_code(&s.source).unwrap_or(Agency::Survey);
    let mut seen = std::collections::HashSet::new();
    let mut errors = Vec::new();
    for (i, key) in mapping.iter().enumerate() {
        if key.is_empty() {
            continue;
        }
        if mapping::field_for(source, key).is_none() {
            errors.push(FieldError::new(format!("mapping.{i}"), "invalid_code"));
        } else if !seen.insert(key.clone()) && !mapping::JOINABLE.contains(&key.as_str()) {
            errors.push(FieldError::new(format!("mapping.{i}"), "mapped_twice"));
        }
    }
    if mapping.len() != s.headers.len() {
        errors.push(FieldError::new("mapping", "invalid_code"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let agency = check_source(actor, &s.source)?;
    let remembered: Vec<(String, String)> = s
        .headers
        .iter()
        .cloned()
        .zip(mapping.iter().cloned())
        .collect();
    let now = clock::now();
    let mut tx = app.db.begin_write().await?;
    sqlx::query(
        "UPDATE imports SET mapping = $1, status = 'validating', updated_at = $2 WHERE id = $3",
    )
    .bind(serde_json::to_string(&mapping).map_err(anyhow::Error::from)?)
    .bind(&now)
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    let remembered_json = serde_json::to_string(&remembered).map_err(anyhow::Error::from)?;
    sqlx::query(
        "INSERT INTO import_mappings (source, mapping, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (source) DO UPDATE SET mapping = $2, updated_at = $3",
    )
    .bind(&s.source)
    .bind(&remembered_json)
    .bind(&now)
    .execute(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("import.remap", "import", &id).with(serde_json::json!({"mapping": mapping})),
    )
    .await?;
    tx.commit().await?;
    let stored =
        sqlx::query("SELECT row_no, cells FROM import_rows WHERE import_id = $1 ORDER BY row_no")
            .bind(id)
            .fetch_all(&app.db.pool)
            .await?;
    let mut table = Vec::with_capacity(stored.len());
    for r in &stored {
        let n: i64 = r.try_get(0)?;
        let cells: String = r.try_get(1)?;
        table.push((
            u32::try_from(n).unwrap_or(u32::MAX),
            serde_json::from_str::<Vec<String>>(&cells).unwrap_or_default(),
        ));
    }
    let app2 = app.clone();
    let actor2 = actor.clone();
    tokio::spawn(async move {
        if let Err(e) = validate_rows(&app2, &actor2, id, agency, &mapping, table).await {
            tracing::error!(import = id, error = %e, "import re-validation failed");
            let _ = set_status(&app2, id, "failed", "error.internal").await;
        }
    });
    Ok(())
}

/// Starts committing the valid rows (in the background). With
/// `auto_merge`, imported people very likely already registered are then
/// merged into the registered records (roles that may merge only).
pub async fn commit(app: &App, actor: &Actor, id: i64, auto_merge: bool) -> AppResult<()> {
    access::authorize(actor, Action::PersonCreate)?;
    if auto_merge {
        access::authorize(actor, Action::PersonMerge)?;
    }
    let s = get(app, actor, id).await?;
    if s.status != "validated" {
        return Err(AppError::Conflict("import_not_validated".into()));
    }
    // Claim it: only one commit may run, whichever server gets it.
    let n = sqlx::query(
        "UPDATE imports SET status = 'committing', progress_done = 0, progress_total = valid_rows, updated_at = $1 \
         WHERE id = $2 AND status = 'validated'",
    )
    .bind(clock::now())
    .bind(id)
    .execute(&app.db.pool)
    .await?
    .rows_affected();
    if n != 1 {
        return Err(AppError::Conflict("import_not_validated".into()));
    }
    let app2 = app.clone();
    let actor2 = actor.clone();
    tokio::spawn(async move {
        match commit_now(&app2, &actor2, id).await {
            Ok(_) => match_committed(&app2, &actor2, id, auto_merge).await,
            Err(e) => {
                tracing::error!(import = id, error = %e, "import commit failed");
                // Nothing was written (one transaction): it can be retried.
                let _ = set_status(&app2, id, "validated", "import.commit_failed").await;
            }
        }
    });
    Ok(())
}

/// After a commit: classes the import's people as new, the same as someone
/// in the registry, or possibly the same (pairs queued for review), and
/// stores the counts on the import. A failure here leaves the committed
/// people as they are (the duplicate scan can be run again later).
pub async fn match_committed(app: &App, actor: &Actor, id: i64, auto_merge: bool) {
    let set = |status: &'static str, m: crate::intake::matching::ImportMatch| {
        sqlx::query(
            "UPDATE imports SET match_status = $1, match_new = $2, match_same = $3, \
             match_possible = $4, match_merged = $5 WHERE id = $6",
        )
        .bind(status)
        .bind(m.new as i64)
        .bind(m.same as i64)
        .bind(m.possible as i64)
        .bind(m.merged as i64)
        .bind(id)
        .execute(&app.db.pool)
    };
    let _ = set("running", crate::intake::matching::ImportMatch::default()).await;
    match crate::intake::matching::scan_import(app, actor, id, auto_merge).await {
        Ok(m) => {
            let _ = set("done", m).await;
        }
        Err(e) => {
            tracing::error!(import = id, error = %e, "import matching failed");
            let _ = set("failed", crate::intake::matching::ImportMatch::default()).await;
        }
    }
}

/// Indexes whose upkeep is a random-order B-tree insert per imported row (a
/// quarter of a large import on `SQLite`): a large load drops them and builds
/// them again, sorted, before it commits. The others grow at their end.
const DEFERRED_INDEXES: &[&str] = &["persons_folded"];

/// A load defers [`DEFERRED_INDEXES`] once it has this many rows and at
/// least an eighth of the registry's (rebuilding costs the whole table).
fn worth_deferring(rows: usize, existing: i64) -> bool {
    rows >= 20_000 && (rows as i64).saturating_mul(8) >= existing
}

async fn count_persons(tx: &mut db::WriteTx) -> AppResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM persons")
        .fetch_one(&mut *tx.tx)
        .await?)
}

/// One chunk of a streamed import, checked and made into statements.
struct Stage {
    total: i64,
    valid: i64,
    errors: i64,
    warnings: i64,
    /// The rows with errors or warnings, for the report.
    problems: Vec<bulk::Statement>,
    /// The valid rows, unless this is a dry run.
    people: Option<Prepared>,
}

/// Checks one chunk of a streamed import and, when `write` is given, builds
/// the statements of its valid rows (off the async threads).
async fn stage(
    app: &App,
    actor: &Actor,
    (mapping, agency, province): (&[String], Agency, &str),
    rows: Vec<(u32, Vec<String>)>,
    first_of: &mut HashMap<String, u32>,
    cx: &BatchContext,
    write: Option<(&mut Ids, &mut HashMap<String, i64>)>,
) -> AppResult<Stage> {
    let mut checked = check_chunk(rows, mapping, agency, province).await?;
    screen(actor, &mut checked, first_of);
    likely_in_registry(app, &mut checked, cx.first_id).await?;
    let import_id = cx.import_id;
    let backend = app.db.backend;
    let (mut stage, good, problems) = crate::background::spawn(move || {
        let mut stage = Stage {
            total: 0,
            valid: 0,
            errors: 0,
            warnings: 0,
            problems: Vec::new(),
            people: None,
        };
        let mut problems = Vec::new();
        let mut good = Vec::new();
        for (n, cells, c) in checked {
            stage.total += 1;
            if !c.errors.is_empty() {
                stage.errors += 1;
            }
            if !c.warnings.is_empty() {
                stage.warnings += 1;
            }
            if !c.errors.is_empty() || !c.warnings.is_empty() {
                problems.push(vec![
                    Val::from(import_id),
                    Val::from(i64::from(n)),
                    Val::from(serde_json::to_string(&cells).map_err(anyhow::Error::from)?),
                    Val::Text(None),
                    Val::from(serde_json::to_string(&c.errors).map_err(anyhow::Error::from)?),
                    Val::from(serde_json::to_string(&c.warnings).map_err(anyhow::Error::from)?),
                ]);
            }
            if let Some(d) = c.data {
                stage.valid += 1;
                good.push((i64::from(n), d));
            }
        }
        Ok::<_, AppError>((stage, good, problems))
    })
    .await
    .map_err(|e| AppError::Unexpected(e.into()))??;
    let columns = ["import_id", "row_no", "cells", "data", "errors", "warnings"];
    let Some((ids, households)) = write else {
        stage.problems = bulk::build(backend, "import_rows", &columns, problems);
        return Ok(stage);
    };
    let batch = ids.draw(app, &good).await?;
    let cx = cx.clone();
    let mut owned = std::mem::take(households);
    let (prepared, owned, problems) = crate::background::spawn(move || {
        let p = prepare_people(&cx, &good, &batch, &mut owned);
        let problems = bulk::build(cx.backend, "import_rows", &columns, problems);
        (p, owned, problems)
    })
    .await
    .map_err(|e| AppError::Unexpected(e.into()))?;
    *households = owned;
    ids.used_households(prepared.households_used);
    stage.problems = problems;
    stage.people = Some(prepared);
    Ok(stage)
}

/// Why the reading stage of a streamed import stopped early.
enum Stop {
    /// The file: the import fails with this message.
    Read(read::ReadError),
    /// Anything else: the import's transaction is rolled back.
    App(AppError),
}

/// Where a bulk write draws new ids (and, on `SQLite`, change sequence
/// numbers) from. On `SQLite` the write lock is held from the start of the
/// transaction, so the next numbers after the maxima read then are free for
/// its whole length and can be handed out ahead of the writes; PostgreSQL
/// draws from its sequences.
struct Ids {
    sqlite: Option<NextIds>,
    /// Every person drawn has an id from this one on (SQLite: after the
    /// maximum; PostgreSQL: the sequence is past the maximum).
    first_person: i64,
}

#[derive(Debug, Clone, Copy)]
struct NextIds {
    person: i64,
    household: i64,
    change_seq: i64,
    /// `person_sources`: their own fields refer to them.
    source: i64,
}

impl Ids {
    async fn start(tx: &mut db::WriteTx, backend: Backend) -> AppResult<Self> {
        let r = sqlx::query(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM persons), \
                    (SELECT COALESCE(MAX(id), 0) FROM households), \
                    (SELECT COALESCE(MAX(change_seq), 0) FROM persons), \
                    (SELECT COALESCE(MAX(id), 0) FROM person_sources)",
        )
        .fetch_one(&mut *tx.tx)
        .await?;
        let first_person = r.try_get::<i64, _>(0)? + 1;
        let sqlite = match backend {
            Backend::Postgres => None,
            Backend::Sqlite => Some(NextIds {
                person: first_person,
                household: r.try_get::<i64, _>(1)? + 1,
                change_seq: r.try_get::<i64, _>(2)? + 1,
                source: r.try_get::<i64, _>(3)? + 1,
            }),
        };
        Ok(Self {
            sqlite,
            first_person,
        })
    }

    /// Ids for a batch: one per row, and up to one household per row that
    /// names one (PostgreSQL draws them all; unused ones are a gap).
    async fn draw(&mut self, app: &App, rows: &[(i64, validate::RowData)]) -> AppResult<BatchIds> {
        let n = rows.len();
        let h = rows.iter().filter(|(_, r)| r.household.is_some()).count();
        Ok(match &mut self.sqlite {
            Some(next) => {
                let ids = BatchIds {
                    persons: (next.person..next.person + n as i64).collect(),
                    households: (next.household..next.household + h as i64).collect(),
                    change_seq: Some(next.change_seq),
                    sources: Some((next.source..next.source + n as i64).collect()),
                };
                next.person += n as i64;
                next.change_seq += n as i64;
                next.source += n as i64;
                ids
            }
            None => BatchIds {
                persons: next_values(app, "persons", n).await?,
                households: next_values(app, "households", h).await?,
                change_seq: None,
                // Drawn only when a row has its source's own fields (a
                // round trip the plain lists do without).
                sources: if rows.iter().any(|(_, r)| !r.source_fields.is_empty()) {
                    Some(next_values(app, "person_sources", n).await?)
                } else {
                    None
                },
            },
        })
    }

    /// Takes back the household ids a batch did not use (`SQLite`: the next
    /// batch starts after the last one used).
    fn used_households(&mut self, used: usize) {
        if let Some(next) = &mut self.sqlite {
            next.household += used as i64;
        }
    }
}

/// New ids of one batch.
struct BatchIds {
    persons: Vec<i64>,
    households: Vec<i64>,
    /// `SQLite`: the first change sequence number of the batch's rows.
    change_seq: Option<i64>,
    /// Ids of the rows' sources, one per row (always on `SQLite`, whose
    /// next free id is counted ahead; on PostgreSQL when some row has own
    /// fields).
    sources: Option<Vec<i64>>,
}

/// `n` values of `table`'s id sequence (PostgreSQL; outside any transaction,
/// as sequences are).
async fn next_values(app: &App, table: &str, n: usize) -> AppResult<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_scalar(&format!(
        "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, $1)"
    ))
    .bind(n as i64)
    .fetch_all(&app.db.pool)
    .await?)
}

/// One batch of people ready to be written: the statements, built off the
/// async threads while the previous batch is written.
struct Prepared {
    people: usize,
    households_used: usize,
    statements: Vec<bulk::Statement>,
}

/// What every row of an import shares.
#[derive(Clone)]
struct BatchContext {
    backend: Backend,
    import_id: i64,
    source: String,
    file_name: String,
    survey_round: String,
    sheet: String,
    user_id: Option<i64>,
    username: String,
    /// The actor's association, when an association's officer imports.
    association: Option<i64>,
    now: String,
    /// Every person of the import has an id from this one on.
    first_id: i64,
}

impl BatchContext {
    fn new(app: &App, actor: &Actor, import: &Summary, now: &str) -> Self {
        let association = match &actor.jurisdiction {
            Jurisdiction::Associations(a) => a.first().copied(),
            _ => None,
        };
        Self {
            backend: app.db.backend,
            import_id: import.id,
            source: import.source.clone(),
            file_name: import.file_name.clone(),
            survey_round: import.survey_round.clone(),
            sheet: import.sheet.clone(),
            user_id: actor.user_id,
            username: actor.username.clone(),
            association,
            now: now.to_owned(),
            first_id: i64::MAX,
        }
    }
}

/// One person's values, with those of their first version and of their source.
type MadeRow = (Vec<Val>, (Vec<Val>, Vec<Val>));

/// Builds the rows of one batch: people, their first versions, sources,
/// association memberships and survey households. Pure. The rows are made
/// and the statements built on every core (the writer is the other stage).
fn prepare_people(
    cx: &BatchContext,
    rows: &[(i64, validate::RowData)],
    ids: &BatchIds,
    households: &mut HashMap<String, i64>,
) -> Prepared {
    use rayon::prelude::*;
    let Some((_, first)) = rows.first() else {
        return Prepared {
            people: 0,
            households_used: 0,
            statements: Vec::new(),
        };
    };
    let mut columns: Vec<&'static str> = people::data_columns(&first.person)
        .iter()
        .map(|c| c.0)
        .collect();
    columns.extend([
        "id",
        "version",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
    ]);
    // SQLite: the rows bring their change sequence numbers, so the insert
    // trigger skips them.
    if ids.change_seq.is_some() {
        columns.push("change_seq");
    }
    let summary = format!("import #{}", cx.import_id);
    let now = cx.now.as_str();
    let made: Vec<MadeRow> = rows
        .par_iter()
        .zip(ids.persons.par_iter())
        .enumerate()
        .map(|(i, ((row_no, row), id))| {
            let d = &row.person;
            let mut vals: Vec<Val> = people::data_columns(d)
                .into_iter()
                .map(|(name, s, i)| {
                    if people::INT_COLUMNS.contains(&name) {
                        Val::Int(i)
                    } else {
                        Val::Text(s)
                    }
                })
                .collect();
            vals.extend([
                Val::from(*id),
                Val::from(1_i64),
                Val::from(now),
                Val::from(now),
                Val::from(cx.user_id),
                Val::from(cx.user_id),
            ]);
            if let Some(base) = ids.change_seq {
                vals.push(Val::from(base + i as i64));
            }
            let version = vec![
                Val::from(*id),
                Val::from(1_i64),
                Val::from(people::snapshot_json(d)),
                Val::from(now),
                Val::from(cx.user_id),
                Val::from(cx.username.as_str()),
                Val::from(summary.as_str()),
            ];
            let mut source = Vec::with_capacity(SOURCE_COLUMNS.len() + 1);
            if let Some(sources) = &ids.sources {
                source.push(Val::from(sources[i]));
            }
            source.extend([
                Val::from(*id),
                Val::from(cx.source.as_str()),
                Val::from(cx.file_name.as_str()),
                Val::from(cx.survey_round.as_str()),
                Val::from(cx.file_name.as_str()),
                Val::from(cx.sheet.as_str()),
                Val::from(*row_no),
                Val::from(cx.import_id),
                Val::from(now),
            ]);
            (vals, (version, source))
        })
        .collect();
    let (persons, (versions, sources)): (Vec<_>, (Vec<_>, Vec<_>)) = made.into_iter().unzip();
    let own_fields = own_field_rows(rows, ids.sources.as_deref());
    let mut source_columns = Vec::with_capacity(SOURCE_COLUMNS.len() + 1);
    if ids.sources.is_some() {
        source_columns.push("id");
    }
    source_columns.extend_from_slice(SOURCE_COLUMNS);
    let memberships: Vec<Vec<Val>> = match cx.association {
        Some(a) => ids
            .persons
            .iter()
            .take(rows.len())
            .map(|id| vec![Val::from(*id), Val::from(a)])
            .collect(),
        None => Vec::new(),
    };
    let backend = cx.backend;
    let (persons, (versions, sources)) = rayon::join(
        || bulk::build(backend, "persons", &columns, persons),
        || {
            rayon::join(
                || {
                    bulk::build(
                        backend,
                        "person_versions",
                        people::VERSION_COLUMNS,
                        versions,
                    )
                },
                || bulk::build(backend, "person_sources", &source_columns, sources),
            )
        },
    );
    // In this order: households and relatives, versions and sources refer
    // to the people.
    let mut statements = persons;
    let households_used = prepare_households(cx, rows, ids, households, &mut statements);
    statements.extend(versions);
    statements.extend(sources);
    let (numbers, others) = own_fields;
    statements.extend(bulk::build(
        backend,
        "person_source_fields",
        OWN_FIELD_COLUMNS,
        numbers,
    ));
    statements.extend(bulk::build(
        backend,
        "person_source_fields",
        &OWN_FIELD_COLUMNS[..5],
        others,
    ));
    statements.extend(bulk::build(
        backend,
        "person_associations",
        &["person_id", "association_id"],
        memberships,
    ));
    Prepared {
        people: rows.len(),
        households_used,
        statements,
    }
}

/// The columns of an imported person's source row, in order.
const SOURCE_COLUMNS: &[&str] = &[
    "person_id",
    "agency",
    "list_name",
    "survey_round",
    "file_name",
    "sheet",
    "row_no",
    "import_id",
    "added_at",
];

/// The columns of a source's own field row, in order: a row without a
/// number leaves out `num_value` (see [`bulk::Val::Real`]) and takes the
/// first five.
const OWN_FIELD_COLUMNS: &[&str] = &[
    "source_id",
    "field_key",
    "text_value",
    "folded_value",
    "date_value",
    "num_value",
];

/// The rows of the sources' own fields (issue 19), by the ids drawn for
/// the sources (`sources[i]` is row `i`'s): those with a number (years,
/// numbers; every column) and the others (text, dates, countries, choices).
fn own_field_rows(
    rows: &[(i64, validate::RowData)],
    sources: Option<&[i64]>,
) -> (Vec<Vec<Val>>, Vec<Vec<Val>>) {
    let (mut numbers, mut others) = (Vec::new(), Vec::new());
    let Some(sources) = sources else {
        return (numbers, others);
    };
    for ((_, r), sid) in rows.iter().zip(sources) {
        for v in &r.source_fields {
            let mut row = vec![
                Val::from(*sid),
                Val::from(v.key.as_str()),
                Val::from(v.text.as_str()),
                Val::from(v.folded()),
                Val::from(v.date.clone()),
            ];
            if let Some(n) = v.num {
                row.push(Val::Real(n));
                numbers.push(row);
            } else {
                others.push(row);
            }
        }
    }
    (numbers, others)
}

/// Survey-form rows: one household per head, commune and address within
/// the import (several people abroad may share it), the head recorded as a
/// relative of each. Answers how many of the batch's household ids it used.
fn prepare_households(
    cx: &BatchContext,
    rows: &[(i64, validate::RowData)],
    ids: &BatchIds,
    households: &mut HashMap<String, i64>,
    statements: &mut Vec<bulk::Statement>,
) -> usize {
    let wanted: Vec<(&validate::HouseholdIn, i64, &PersonData)> = rows
        .iter()
        .zip(&ids.persons)
        .filter_map(|((_, r), id)| r.household.as_ref().map(|h| (h, *id, &r.person)))
        .collect();
    if wanted.is_empty() {
        return 0;
    }
    let key = |h: &validate::HouseholdIn, p: &PersonData| {
        format!(
            "{}|{}|{}",
            domain::text::fold(&h.head_name),
            h.commune_code
                .as_deref()
                .or(p.hometown_code.as_deref())
                .unwrap_or(""),
            domain::text::fold(&h.address)
        )
    };
    let now = cx.now.as_str();
    let mut rows_h = Vec::new();
    let mut relatives = Vec::with_capacity(wanted.len());
    let mut fresh = ids.households.iter();
    for (h, pid, p) in &wanted {
        let k = key(h, p);
        let hid = if let Some(hid) = households.get(&k) {
            *hid
        } else {
            // As many ids were drawn as rows name a household.
            let Some(&hid) = fresh.next() else { continue };
            households.insert(k, hid);
            let commune = h.commune_code.clone().or_else(|| p.hometown_code.clone());
            rows_h.push(vec![
                Val::from(hid),
                Val::from(h.head_name.as_str()),
                Val::from(h.address.as_str()),
                Val::from(commune),
                Val::from(now),
                Val::from(now),
            ]);
            hid
        };
        relatives.push(vec![
            Val::from(hid),
            Val::from(*pid),
            Val::from(h.head_name.as_str()),
            Val::from(domain::text::fold(&h.head_name)),
            Val::from(h.relationship.as_str()),
            Val::from(now),
        ]);
    }
    let used = rows_h.len();
    statements.extend(bulk::build(
        cx.backend,
        "households",
        &[
            "id",
            "head_name",
            "address",
            "new_commune_code",
            "created_at",
            "updated_at",
        ],
        rows_h,
    ));
    statements.extend(bulk::build(
        cx.backend,
        "relatives",
        &[
            "household_id",
            "person_id",
            "full_name",
            "full_name_folded",
            "relationship",
            "created_at",
        ],
        relatives,
    ));
    used
}

/// Commits the valid rows of a validated import in one transaction.
pub async fn commit_now(app: &App, actor: &Actor, id: i64) -> AppResult<usize> {
    access::authorize(actor, Action::PersonCreate)?;
    let s = get(app, actor, id).await?;
    let stored = sqlx::query(
        "SELECT row_no, data FROM import_rows WHERE import_id = $1 AND data IS NOT NULL ORDER BY row_no",
    )
    .bind(id)
    .fetch_all(&app.db.pool)
    .await?;
    let mut rows = Vec::with_capacity(stored.len());
    for r in &stored {
        let data: String = r.try_get(1)?;
        rows.push((
            r.try_get::<i64, _>(0)?,
            serde_json::from_str::<validate::RowData>(&data).map_err(anyhow::Error::from)?,
        ));
    }
    drop(stored);
    let now = clock::now();
    let mut tx = app.db.begin_write().await?;
    // Hold the import's row for the whole commit, and check it is still
    // ours to commit: a server starting meanwhile on the same PostgreSQL
    // skips a row a running commit holds (`recover`), and a second claim
    // waits for it and then finds it committed.
    let held =
        sqlx::query("UPDATE imports SET updated_at = $1 WHERE id = $2 AND status = 'committing'")
            .bind(&now)
            .bind(id)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
    if held != 1 {
        return Err(AppError::Conflict("import_not_validated".into()));
    }
    let deferred = if worth_deferring(rows.len(), count_persons(&mut tx).await?) {
        bulk::defer_indexes(&mut tx.tx, app.db.backend, DEFERRED_INDEXES).await?
    } else {
        bulk::DeferredIndexes::default()
    };
    let cx = BatchContext::new(app, actor, &s, &now);
    let mut ids = Ids::start(&mut tx, app.db.backend).await?;
    let mut done = 0;
    let mut households = HashMap::new();
    for chunk in rows.chunks(5_000) {
        let batch = ids.draw(app, chunk).await?;
        let p = prepare_people(&cx, chunk, &batch, &mut households);
        ids.used_households(p.households_used);
        bulk::run(&mut tx.tx, p.statements).await?;
        done += p.people;
        set_progress_tx(&mut tx, id, done, rows.len()).await?;
    }
    bulk::restore_indexes(&mut tx.tx, deferred).await?;
    finish_commit(&mut tx, app, actor, id, done, &now).await?;
    tx.commit().await?;
    Ok(done)
}

async fn set_progress_tx(
    tx: &mut db::WriteTx,
    id: i64,
    done: usize,
    total: usize,
) -> AppResult<()> {
    // Inside the transaction: invisible until commit on PostgreSQL, so the
    // page shows progress from the per-chunk count kept below as well.
    sqlx::query("UPDATE imports SET progress_done = $1, progress_total = $2 WHERE id = $3")
        .bind(done as i64)
        .bind(total as i64)
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

async fn finish_commit(
    tx: &mut db::WriteTx,
    app: &App,
    actor: &Actor,
    id: i64,
    created: usize,
    now: &str,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE imports SET status = 'committed', created_persons = $1, committed_at = $2, updated_at = $2, failure = '' WHERE id = $3",
    )
    .bind(created as i64)
    .bind(now)
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    // The file is not needed any more (nor kept: it holds personal data).
    sqlx::query("DELETE FROM import_files WHERE import_id = $1")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    audit::append(
        tx,
        app,
        actor,
        Event::new("import.commit", "import", &id)
            .with(serde_json::json!({"created_persons": created})),
    )
    .await?;
    Ok(())
}

/// What an undo did.
#[derive(Debug, Clone, Serialize, serde::Deserialize, Default)]
pub struct UndoReport {
    pub removed: i64,
    /// People edited after the import: kept, listed here.
    pub kept_edited: Vec<i64>,
}

/// Undoes a committed import: its people are soft-deleted, except those
/// edited since (kept and reported). One transaction.
pub async fn undo(app: &App, actor: &Actor, id: i64) -> AppResult<UndoReport> {
    access::authorize(actor, Action::PersonDelete)?;
    let s = get(app, actor, id).await?;
    if s.status != "committed" {
        return Err(AppError::Conflict("import_not_committed".into()));
    }
    let now = clock::now();
    let mut tx = app.db.begin_write().await?;
    let edited: Vec<i64> = sqlx::query_scalar(
        "SELECT p.id FROM persons p JOIN person_sources ps ON ps.person_id = p.id \
         WHERE ps.import_id = $1 AND p.deleted_at IS NULL AND p.version > 1 ORDER BY p.id",
    )
    .bind(id)
    .fetch_all(&mut *tx.tx)
    .await?;
    let reason = format!("import #{id} undone");
    let removed = sqlx::query(
        "UPDATE persons SET deleted_at = $1, deleted_reason = $2, updated_at = $1, version = 2 \
         WHERE deleted_at IS NULL AND version = 1 AND id IN (SELECT person_id FROM person_sources WHERE import_id = $3)",
    )
    .bind(&now)
    .bind(&reason)
    .bind(id)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected() as i64;
    // The removal is a version of each record, so the history (and a
    // report "as of" a later day) knows it.
    sqlx::query(
        "INSERT INTO person_versions (person_id, version, data, changed_at, changed_by, changed_by_name, summary) \
         SELECT v.person_id, 2, v.data, $1, $2, $3, $4 FROM person_versions v \
         JOIN persons p ON p.id = v.person_id \
         WHERE v.version = 1 AND p.version = 2 AND p.deleted_at = $1 AND p.deleted_reason = $4 \
         AND p.id IN (SELECT person_id FROM person_sources WHERE import_id = $5)",
    )
    .bind(&now)
    .bind(actor.user_id)
    .bind(&actor.username)
    .bind(&reason)
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    let report = UndoReport {
        removed,
        kept_edited: edited,
    };
    sqlx::query("DELETE FROM import_files WHERE import_id = $1")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query(
        "UPDATE imports SET status = 'undone', undone_at = $1, updated_at = $1, undo_report = $2 WHERE id = $3 AND status = 'committed'",
    )
    .bind(&now)
    .bind(serde_json::to_string(&report).map_err(anyhow::Error::from)?)
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("import.undo", "import", &id).with(serde_json::json!({
            "removed": report.removed, "kept_edited": report.kept_edited,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// At start-up: steps interrupted by a stop or a crash. A commit is one
/// transaction, so an interrupted one wrote nothing and goes back to
/// `validated` (it can be committed again) — unless, on PostgreSQL, another
/// server is running it; an interrupted reading or
/// validation is marked failed (upload again).
pub async fn recover(app: &App) -> AppResult<u64> {
    // With several servers on one PostgreSQL, a commit another server is
    // running holds its import's row (see `commit_now`): skip it.
    let held_elsewhere_skipped = match app.db.backend {
        db::Backend::Postgres => {
            "id IN (SELECT id FROM imports WHERE status = 'committing' FOR UPDATE SKIP LOCKED)"
        }
        db::Backend::Sqlite => "status = 'committing'",
    };
    let interrupted = format!(
        "UPDATE imports SET status = 'validated', failure = 'import.interrupted', progress_done = 0 \
         WHERE {held_elsewhere_skipped}"
    );
    let a = sqlx::query(&interrupted)
        .execute(&app.db.pool)
        .await?
        .rows_affected();
    let b = sqlx::query(
        "UPDATE imports SET status = 'failed', failure = 'import.interrupted' WHERE status IN ('queued', 'reading', 'validating')",
    )
    .execute(&app.db.pool)
    .await?
    .rows_affected();
    Ok(a + b)
}

/// Imports a file in one go (the command line): read, validate, and unless
/// `dry_run`, write the valid rows in one transaction. A UTF-8 CSV is
/// streamed in chunks (constant memory, whatever its length); other files
/// are read whole. `progress(phase, done, total)` is called as it goes.
pub async fn run_file(
    app: &App,
    actor: &Actor,
    source: &str,
    survey_round: &str,
    path: &std::path::Path,
    dry_run: bool,
    progress: &(dyn Fn(&str, usize, usize) + Sync),
) -> AppResult<Summary> {
    let choice = read::Choice::default();
    run_file_with(
        app,
        actor,
        (source, survey_round),
        path,
        dry_run,
        &choice,
        progress,
    )
    .await
}

/// The first 64 KiB of a file, and the whole file unless it is a UTF-8 CSV
/// (streamed).
fn open_file(path: &std::path::Path) -> AppResult<(Vec<u8>, Option<Vec<u8>>)> {
    use std::io::Read as _;
    let mut head = Vec::with_capacity(64 * 1024);
    let f = std::fs::File::open(path).map_err(anyhow::Error::from)?;
    f.take(64 * 1024)
        .read_to_end(&mut head)
        .map_err(anyhow::Error::from)?;
    let streamable = read::detect(&head, "") == read::Format::Csv
        && (head.starts_with(&[0xEF, 0xBB, 0xBF]) || utf8_prefix(&head));
    let whole = if streamable {
        None
    } else {
        Some(std::fs::read(path).map_err(anyhow::Error::from)?)
    };
    Ok((head, whole))
}

/// Checks a file before an import of it is recorded: a spreadsheet, with
/// the sheet chosen (`unknown_sheet` names the sheets there are).
pub fn check_file(
    path: &std::path::Path,
    choice: &read::Choice,
) -> AppResult<Result<(), read::ReadError>> {
    let (head, whole) = open_file(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(check_bytes(
        whole.as_deref().unwrap_or(&head),
        &name,
        choice,
    ))
}

fn check_bytes(bytes: &[u8], name: &str, choice: &read::Choice) -> Result<(), read::ReadError> {
    let format = read::check_type(bytes, name)?;
    if let Some(want) = &choice.sheet {
        let names = read::sheet_names(bytes, format)?;
        let fold = |s: &str| domain::text::fold(s.trim());
        if !names.iter().any(|n| fold(n) == fold(want)) {
            return Err(read::unknown_sheet(&names));
        }
    }
    Ok(())
}

/// [`run_file`] with a sheet and header row chosen.
pub async fn run_file_with(
    app: &App,
    actor: &Actor,
    (source, survey_round): (&str, &str),
    path: &std::path::Path,
    dry_run: bool,
    choice: &read::Choice,
    progress: &(dyn Fn(&str, usize, usize) + Sync),
) -> AppResult<Summary> {
    access::authorize(actor, Action::ImportSubmit)?;
    if !dry_run {
        access::authorize(actor, Action::PersonCreate)?;
    }
    let agency = check_source(actor, source)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (head, whole) = tokio::task::block_in_place(|| open_file(path))?;
    if let Err(e) = check_bytes(whole.as_deref().unwrap_or(&head), &file_name, choice) {
        let field = if e.code == "unknown_sheet" {
            "sheet"
        } else {
            "file"
        };
        return Err(AppError::Invalid(vec![FieldError::new(field, e.code)]));
    }
    drop(head);
    let id = create(app, actor, agency, survey_round, &file_name, None).await?;
    if let Some(bytes) = whole {
        progress("read", 0, 1);
        read_and_validate(app, actor, id, agency, &file_name, bytes, choice).await?;
        let s = get(app, actor, id).await?;
        progress("validate", s.total_rows as usize, s.total_rows as usize);
        if s.status == "validated" && !dry_run && s.valid_rows > 0 {
            set_status(app, id, "committing", "").await?;
            match commit_now(app, actor, id).await {
                Ok(n) => progress("commit", n, n),
                Err(e) => {
                    set_status(app, id, "validated", "import.commit_failed").await?;
                    return Err(e);
                }
            }
        }
    } else {
        stream_csv(
            app,
            actor,
            (id, agency),
            path,
            (dry_run, choice.header_row),
            progress,
        )
        .await?;
    }
    get(app, actor, id).await
}

/// True when the bytes are UTF-8, allowing a character cut at the end.
fn utf8_prefix(b: &[u8]) -> bool {
    match std::str::from_utf8(b) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && b.len() - e.valid_up_to() < 4,
    }
}

/// The streamed path of [`run_file`]: chunks of rows are validated and,
/// unless `dry_run`, written inside one transaction opened at the start;
/// only rows with problems are kept in `import_rows` (for the report).
async fn stream_csv(
    app: &App,
    actor: &Actor,
    (id, agency): (i64, Agency),
    path: &std::path::Path,
    (dry_run, header_row): (bool, Option<u32>),
    progress: &(dyn Fn(&str, usize, usize) + Sync),
) -> AppResult<()> {
    const CHUNK: usize = 10_000;
    let file = std::fs::File::open(path).map_err(anyhow::Error::from)?;
    let limits = app.settings.import_limits.clone();
    let opened = tokio::task::block_in_place(|| {
        read::CsvChunks::open(
            Box::new(std::io::BufReader::with_capacity(1 << 20, file)),
            limits,
            header_row,
        )
    });
    let chunks = match opened {
        Ok(c) => c,
        Err(e) => {
            set_status(app, id, "failed", &failure_of(&e)).await?;
            return Ok(());
        }
    };
    let remembered = remembered_mapping(app, agency.code()).await?;
    let mapping = mapping::guess_all_for(agency, &chunks.headers, remembered.as_deref());
    sqlx::query(
        "UPDATE imports SET sheet = '', headers = $1, mapping = $2, header_row = $3, header_rows = $4, \
         status = 'validating' WHERE id = $5",
    )
    .bind(serde_json::to_string(&chunks.headers).map_err(anyhow::Error::from)?)
    .bind(serde_json::to_string(&mapping).map_err(anyhow::Error::from)?)
    .bind(i64::from(chunks.layout.header_row))
    .bind(i64::from(chunks.layout.header_rows))
    .bind(id)
        .execute(&app.db.pool)
        .await?;
    let s = get(app, actor, id).await?;
    let province = app.settings.home_province.clone();
    let now = clock::now();
    let mut tx = if dry_run {
        None
    } else {
        Some(app.db.begin_write().await?)
    };
    let existing = match tx.as_mut() {
        Some(tx) => count_persons(tx).await?,
        None => 0,
    };
    let mut deferred = bulk::DeferredIndexes::default();
    let mut cx = BatchContext::new(app, actor, &s, &now);
    let mut ids = match tx.as_mut() {
        Some(tx) => Some(Ids::start(tx, app.db.backend).await?),
        None => None,
    };
    if let Some(ids) = &ids {
        cx.first_id = ids.first_person;
    }
    let (mut total, mut valid, mut errors, mut warnings, mut created) =
        (0_i64, 0_i64, 0_i64, 0_i64, 0_usize);
    // Two stages on the two cores: the next chunk is read, checked and made
    // into statements while the previous one is written. The writer drops
    // the channel when it stops, which stops the reader.
    let (send, recv) = tokio::sync::mpsc::channel::<Result<Stage, Stop>>(1);
    let read_and_check = async {
        let send = send;
        let mut chunks = chunks;
        let mut first_of: HashMap<String, u32> = HashMap::new();
        let mut households: HashMap<String, i64> = HashMap::new();
        loop {
            let next = tokio::task::spawn_blocking(move || {
                let rows = chunks.next_chunk(CHUNK);
                (chunks, rows)
            })
            .await;
            let (back, rows) = match next {
                Ok(r) => r,
                Err(e) => {
                    let _ = send
                        .send(Err(Stop::App(AppError::Unexpected(e.into()))))
                        .await;
                    break;
                }
            };
            chunks = back;
            let rows = match rows {
                Err(e) => {
                    let _ = send.send(Err(Stop::Read(e))).await;
                    break;
                }
                Ok(rows) if rows.is_empty() => break,
                Ok(rows) => rows,
            };
            let staged = stage(
                app,
                actor,
                (&mapping, agency, &province),
                rows,
                &mut first_of,
                &cx,
                ids.as_mut().map(|i| (i, &mut households)),
            )
            .await;
            let last = staged.is_err();
            if send.send(staged.map_err(Stop::App)).await.is_err() || last {
                break;
            }
        }
    };
    let write = async {
        let mut recv = recv;
        while let Some(item) = recv.recv().await {
            let stage = match item {
                Ok(c) => c,
                Err(Stop::Read(e)) => return Ok(Some(e)),
                Err(Stop::App(e)) => return Err(e),
            };
            total += stage.total;
            valid += stage.valid;
            errors += stage.errors;
            warnings += stage.warnings;
            if let Some(tx) = tx.as_mut() {
                if !deferred.is_active() && worth_deferring(valid as usize, existing) {
                    deferred =
                        bulk::defer_indexes(&mut tx.tx, app.db.backend, DEFERRED_INDEXES).await?;
                }
                if let Some(p) = stage.people {
                    created += p.people;
                    bulk::run(&mut tx.tx, p.statements).await?;
                }
                bulk::run(&mut tx.tx, stage.problems).await?;
            } else {
                let mut t = app.db.begin_write().await?;
                bulk::run(&mut t.tx, stage.problems).await?;
                t.commit().await?;
            }
            progress(
                if dry_run { "validate" } else { "import" },
                total as usize,
                0,
            );
        }
        Ok::<Option<read::ReadError>, AppError>(None)
    };
    let ((), written) = tokio::join!(read_and_check, write);
    if let Some(e) = written? {
        drop(tx);
        set_status(app, id, "failed", &failure_of(&e)).await?;
        return Ok(());
    }
    let counts = "UPDATE imports SET valid_rows = $1, error_rows = $2, warning_rows = $3, total_rows = $4, \
                  status = $5, updated_at = $6 WHERE id = $7";
    if let Some(mut tx) = tx {
        sqlx::query(counts)
            .bind(valid)
            .bind(errors)
            .bind(warnings)
            .bind(total)
            .bind("committing")
            .bind(&now)
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        if deferred.is_active() {
            progress("index", 0, 1);
            bulk::restore_indexes(&mut tx.tx, std::mem::take(&mut deferred)).await?;
            progress("index", 1, 1);
        }
        finish_commit(&mut tx, app, actor, id, created, &now).await?;
        tx.commit().await?;
        progress("commit", created, created);
    } else {
        // A dry run keeps the report; its rows cannot be committed later
        // (only problem rows were kept): import again to write them.
        sqlx::query(counts)
            .bind(valid)
            .bind(errors)
            .bind(warnings)
            .bind(total)
            .bind("checked")
            .bind(&now)
            .bind(id)
            .execute(&app.db.pool)
            .await?;
    }
    Ok(())
}
