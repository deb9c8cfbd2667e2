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
use crate::people::{self, PersonData};
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
}

impl Summary {
    /// True while a background step is running.
    pub fn busy(&self) -> bool {
        matches!(
            self.status.as_str(),
            "reading" | "validating" | "committing"
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
    match_status, match_new, match_same, match_possible, match_merged";

fn summary_of(r: &db::AnyRow) -> AppResult<(Summary, Option<i64>)> {
    let headers: String = r.try_get(19)?;
    let mapping: String = r.try_get(20)?;
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
        },
        r.try_get(21)?,
    ))
}

/// Sees every import (province level) or only one's own.
fn sees_all(actor: &Actor) -> bool {
    matches!(actor.jurisdiction, Jurisdiction::Province)
}

/// The source an actor may submit for: an agency contributor only its own.
fn check_source(actor: &Actor, source: &str) -> AppResult<Agency> {
    let agency = Agency::from_code(source)
        .map_err(|_| AppError::Invalid(vec![FieldError::new("source", "invalid_code")]))?;
    if let Jurisdiction::Agency(own) = &actor.jurisdiction
        && own != source
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
    let id = create(app, actor, agency, survey_round, file_name).await?;
    let app2 = app.clone();
    let actor2 = actor.clone();
    let file_name = file_name.to_owned();
    tokio::spawn(async move {
        if let Err(e) = read_and_validate(&app2, &actor2, id, agency, &file_name, bytes).await {
            tracing::error!(import = id, error = %e, "import validation failed");
            let _ = set_status(&app2, id, "failed", "error.internal").await;
        }
    });
    Ok(id)
}

async fn create(
    app: &App,
    actor: &Actor,
    agency: Agency,
    survey_round: &str,
    file_name: &str,
) -> AppResult<i64> {
    let round = survey_round.trim();
    if round.chars().count() > 64 || domain::text::has_forbidden_control(round) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "survey_round",
            "too_long",
        )]));
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
    audit::append(
        &mut tx,
        app.db.backend,
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

async fn read_and_validate(
    app: &App,
    actor: &Actor,
    id: i64,
    agency: Agency,
    file_name: &str,
    bytes: Vec<u8>,
) -> AppResult<()> {
    let limits = app.settings.import_limits.clone();
    let name = file_name.to_owned();
    let table = tokio::task::spawn_blocking(move || {
        read::read(&bytes, &name, &limits, &|h| mapping::looks_like_header(h))
    })
    .await
    .map_err(|e| AppError::Unexpected(e.into()))?;
    let table = match table {
        Ok(t) => t,
        Err(e) => {
            let failure = if e.arg.is_empty() {
                format!("import.{}", e.code)
            } else {
                format!("import.{}|{}", e.code, e.arg)
            };
            set_status(app, id, "failed", &failure).await?;
            return Ok(());
        }
    };
    let remembered = remembered_mapping(app, agency.code()).await?;
    let mapping = mapping::guess_all(&table.headers, remembered.as_deref());
    sqlx::query("UPDATE imports SET sheet = $1, headers = $2, mapping = $3, total_rows = $4, status = 'validating' WHERE id = $5")
        .bind(&table.sheet)
        .bind(serde_json::to_string(&table.headers).map_err(anyhow::Error::from)?)
        .bind(serde_json::to_string(&mapping).map_err(anyhow::Error::from)?)
        .bind(table.rows.len() as i64)
        .bind(id)
        .execute(&app.db.pool)
        .await?;
    validate_rows(app, actor, id, agency, &mapping, table.rows).await
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
    likely_in_registry(app, &mut checked).await?;
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
    tokio::task::spawn_blocking(move || {
        use rayon::prelude::*;
        rows.into_par_iter()
            .map(|(n, cells)| {
                let c = validate::check_row(&cells, &mapping, agency, Some(&province));
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
    for (n, _, c) in checked.iter_mut() {
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

/// Warns on rows whose folded name and birth year match a live record.
async fn likely_in_registry(
    app: &App,
    checked: &mut [(u32, Vec<String>, validate::Checked)],
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
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, full_name_folded, birth_year FROM persons \
             WHERE deleted_at IS NULL AND full_name_folded IN ({})",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql);
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
    let json = |v: &dyn erased::Ser| v.to_json();
    let mut rows = Vec::with_capacity(checked.len());
    let (mut valid, mut errors, mut warnings) = (0_i64, 0_i64, 0_i64);
    for (n, cells, c) in checked {
        if c.data.is_some() {
            valid += 1;
        }
        if !c.errors.is_empty() {
            errors += 1;
        }
        if !c.warnings.is_empty() {
            warnings += 1;
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
    let mut tx = app.db.begin_write().await?;
    sqlx::query("DELETE FROM import_rows WHERE import_id = $1")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    bulk::insert(
        &mut tx.tx,
        "import_rows",
        &["import_id", "row_no", "cells", "data", "errors", "warnings"],
        &rows,
    )
    .await?;
    sqlx::query(
        "UPDATE imports SET status = 'validated', valid_rows = $1, error_rows = $2, warning_rows = $3, \
         total_rows = $4, failure = '', updated_at = $5 WHERE id = $6",
    )
    .bind(valid)
    .bind(errors)
    .bind(warnings)
    .bind(checked.len() as i64)
    .bind(clock::now())
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    tx.commit().await?;
    Ok(())
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
        &app.db,
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
    let mut seen = std::collections::HashSet::new();
    let mut errors = Vec::new();
    for (i, key) in mapping.iter().enumerate() {
        if key.is_empty() {
            continue;
        }
        if mapping::field(key).is_none() {
            errors.push(FieldError::new(format!("mapping.{i}"), "invalid_code"));
        } else if !seen.insert(key.clone()) {
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
        app.db.backend,
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
    let set = |status: &'static str, m: crate::matching::ImportMatch| {
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
    let _ = set("running", crate::matching::ImportMatch::default()).await;
    match crate::matching::scan_import(app, actor, id, auto_merge).await {
        Ok(m) => {
            let _ = set("done", m).await;
        }
        Err(e) => {
            tracing::error!(import = id, error = %e, "import matching failed");
            let _ = set("failed", crate::matching::ImportMatch::default()).await;
        }
    }
}

/// Reserves `n` new ids of `table` inside a write transaction.
async fn reserve_ids(
    tx: &mut db::WriteTx,
    backend: Backend,
    table: &str,
    n: usize,
) -> AppResult<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    match backend {
        Backend::Sqlite => {
            // The write lock is held: nobody else inserts meanwhile.
            let max: i64 = sqlx::query_scalar(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"))
                .fetch_one(&mut *tx.tx)
                .await?;
            Ok((1..=n as i64).map(|i| max + i).collect())
        }
        Backend::Postgres => Ok(sqlx::query_scalar(&format!(
            "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, $1)"
        ))
        .bind(n as i64)
        .fetch_all(&mut *tx.tx)
        .await?),
    }
}

/// Writes people of one batch inside `tx`; answers how many.
async fn insert_people(
    tx: &mut db::WriteTx,
    app: &App,
    actor: &Actor,
    import: &Summary,
    rows: &[(i64, validate::RowData)],
    now: &str,
    households: &mut HashMap<String, i64>,
) -> AppResult<usize> {
    let ids = reserve_ids(tx, app.db.backend, "persons", rows.len()).await?;
    let mut persons = Vec::with_capacity(rows.len());
    let mut versions = Vec::with_capacity(rows.len());
    let mut sources = Vec::with_capacity(rows.len());
    let mut memberships = Vec::new();
    let mut columns: Vec<&'static str> = Vec::new();
    let summary = format!("import #{}", import.id);
    for ((row_no, row), id) in rows.iter().zip(&ids) {
        let d = &row.person;
        let cols = people::data_columns(d);
        if columns.is_empty() {
            columns = cols.iter().map(|c| c.0).collect();
            columns.extend([
                "id",
                "version",
                "created_at",
                "updated_at",
                "created_by",
                "updated_by",
            ]);
        }
        let mut vals: Vec<Val> = cols
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
            Val::from(actor.user_id),
            Val::from(actor.user_id),
        ]);
        persons.push(vals);
        versions.push(vec![
            Val::from(*id),
            Val::from(1_i64),
            Val::from(serde_json::to_string(d).map_err(anyhow::Error::from)?),
            Val::from(now),
            Val::from(actor.user_id),
            Val::from(actor.username.as_str()),
            Val::from(summary.as_str()),
        ]);
        sources.push(vec![
            Val::from(*id),
            Val::from(import.source.as_str()),
            Val::from(import.file_name.as_str()),
            Val::from(import.survey_round.as_str()),
            Val::from(import.file_name.as_str()),
            Val::from(import.sheet.as_str()),
            Val::from(*row_no),
            Val::from(import.id),
            Val::from(now),
        ]);
        if let Jurisdiction::Associations(a) = &actor.jurisdiction
            && let Some(a) = a.first()
        {
            memberships.push(vec![Val::from(*id), Val::from(*a)]);
        }
    }
    bulk::insert(&mut tx.tx, "persons", &columns, &persons).await?;
    insert_households(tx, app, rows, &ids, now, households).await?;
    bulk::insert(
        &mut tx.tx,
        "person_versions",
        &[
            "person_id",
            "version",
            "data",
            "changed_at",
            "changed_by",
            "changed_by_name",
            "summary",
        ],
        &versions,
    )
    .await?;
    bulk::insert(
        &mut tx.tx,
        "person_sources",
        &[
            "person_id",
            "agency",
            "list_name",
            "survey_round",
            "file_name",
            "sheet",
            "row_no",
            "import_id",
            "added_at",
        ],
        &sources,
    )
    .await?;
    bulk::insert(
        &mut tx.tx,
        "person_associations",
        &["person_id", "association_id"],
        &memberships,
    )
    .await?;
    Ok(rows.len())
}

/// Survey-form rows: one household per head, commune and address within
/// the import (several people abroad may share it), the head recorded as a
/// relative of each.
async fn insert_households(
    tx: &mut db::WriteTx,
    app: &App,
    rows: &[(i64, validate::RowData)],
    ids: &[i64],
    now: &str,
    households: &mut HashMap<String, i64>,
) -> AppResult<()> {
    let wanted: Vec<(&validate::HouseholdIn, i64, &PersonData)> = rows
        .iter()
        .zip(ids)
        .filter_map(|((_, r), id)| r.household.as_ref().map(|h| (h, *id, &r.person)))
        .collect();
    if wanted.is_empty() {
        return Ok(());
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
    let new: Vec<(String, &validate::HouseholdIn, &PersonData)> = {
        let mut seen = std::collections::HashSet::new();
        wanted
            .iter()
            .map(|(h, _, p)| (key(h, p), *h, *p))
            .filter(|(k, _, _)| !households.contains_key(k) && seen.insert(k.clone()))
            .collect()
    };
    let new_ids = reserve_ids(tx, app.db.backend, "households", new.len()).await?;
    let mut rows_h = Vec::with_capacity(new.len());
    for ((k, h, p), hid) in new.iter().zip(&new_ids) {
        households.insert(k.clone(), *hid);
        let commune = h.commune_code.clone().or_else(|| p.hometown_code.clone());
        rows_h.push(vec![
            Val::from(*hid),
            Val::from(h.head_name.as_str()),
            Val::from(h.address.as_str()),
            Val::from(commune),
            Val::from(now),
            Val::from(now),
        ]);
    }
    bulk::insert(
        &mut tx.tx,
        "households",
        &[
            "id",
            "head_name",
            "address",
            "new_commune_code",
            "created_at",
            "updated_at",
        ],
        &rows_h,
    )
    .await?;
    let relatives: Vec<Vec<Val>> = wanted
        .iter()
        .filter_map(|(h, pid, p)| {
            households.get(&key(h, p)).map(|hid| {
                vec![
                    Val::from(*hid),
                    Val::from(*pid),
                    Val::from(h.head_name.as_str()),
                    Val::from(domain::text::fold(&h.head_name)),
                    Val::from(h.relationship.as_str()),
                    Val::from(now),
                ]
            })
        })
        .collect();
    bulk::insert(
        &mut tx.tx,
        "relatives",
        &[
            "household_id",
            "person_id",
            "full_name",
            "full_name_folded",
            "relationship",
            "created_at",
        ],
        &relatives,
    )
    .await?;
    Ok(())
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
    let mut done = 0;
    let mut households = HashMap::new();
    for chunk in rows.chunks(5_000) {
        done += insert_people(&mut tx, app, actor, &s, chunk, &now, &mut households).await?;
        set_progress_tx(&mut tx, id, done, rows.len()).await?;
    }
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
    audit::append(
        tx,
        app.db.backend,
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
        app.db.backend,
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
/// `validated` (it can be committed again); an interrupted reading or
/// validation is marked failed (upload again).
pub async fn recover(app: &App) -> AppResult<u64> {
    let a = sqlx::query(
        "UPDATE imports SET status = 'validated', failure = 'import.interrupted', progress_done = 0 WHERE status = 'committing'",
    )
    .execute(&app.db.pool)
    .await?
    .rows_affected();
    let b = sqlx::query(
        "UPDATE imports SET status = 'failed', failure = 'import.interrupted' WHERE status IN ('reading', 'validating')",
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
    access::authorize(actor, Action::ImportSubmit)?;
    if !dry_run {
        access::authorize(actor, Action::PersonCreate)?;
    }
    let agency = check_source(actor, source)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let id = create(app, actor, agency, survey_round, &file_name).await?;
    let mut head = Vec::with_capacity(64 * 1024);
    {
        use std::io::Read as _;
        let f = std::fs::File::open(path).map_err(anyhow::Error::from)?;
        f.take(64 * 1024)
            .read_to_end(&mut head)
            .map_err(anyhow::Error::from)?;
    }
    let streamable = read::detect(&head, &file_name) == read::Format::Csv
        && (head.starts_with(&[0xEF, 0xBB, 0xBF]) || utf8_prefix(&head));
    if streamable {
        stream_csv(app, actor, id, agency, path, dry_run, progress).await?;
    } else {
        let bytes = std::fs::read(path).map_err(anyhow::Error::from)?;
        progress("read", 0, 1);
        read_and_validate(app, actor, id, agency, &file_name, bytes).await?;
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
    id: i64,
    agency: Agency,
    path: &std::path::Path,
    dry_run: bool,
    progress: &(dyn Fn(&str, usize, usize) + Sync),
) -> AppResult<()> {
    const CHUNK: usize = 20_000;
    let file = std::fs::File::open(path).map_err(anyhow::Error::from)?;
    let limits = app.settings.import_limits.clone();
    let opened = tokio::task::block_in_place(|| {
        read::CsvChunks::open(
            Box::new(std::io::BufReader::with_capacity(1 << 20, file)),
            limits,
        )
    });
    let mut chunks = match opened {
        Ok(c) => c,
        Err(e) => {
            set_status(app, id, "failed", &format!("import.{}|{}", e.code, e.arg)).await?;
            return Ok(());
        }
    };
    let remembered = remembered_mapping(app, agency.code()).await?;
    let mapping = mapping::guess_all(&chunks.headers, remembered.as_deref());
    sqlx::query("UPDATE imports SET sheet = '', headers = $1, mapping = $2, status = 'validating' WHERE id = $3")
        .bind(serde_json::to_string(&chunks.headers).map_err(anyhow::Error::from)?)
        .bind(serde_json::to_string(&mapping).map_err(anyhow::Error::from)?)
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
    let mut first_of: HashMap<String, u32> = HashMap::new();
    let mut households = HashMap::new();
    let (mut total, mut valid, mut errors, mut warnings, mut created) =
        (0_i64, 0_i64, 0_i64, 0_i64, 0_usize);
    loop {
        let rows = match tokio::task::block_in_place(|| chunks.next_chunk(CHUNK)) {
            Ok(r) => r,
            Err(e) => {
                drop(tx);
                set_status(app, id, "failed", &format!("import.{}|{}", e.code, e.arg)).await?;
                return Ok(());
            }
        };
        if rows.is_empty() {
            break;
        }
        let mut checked = check_chunk(rows, &mapping, agency, &province).await?;
        screen(actor, &mut checked, &mut first_of);
        likely_in_registry(app, &mut checked).await?;
        let mut problems = Vec::new();
        let mut good = Vec::new();
        for (n, cells, c) in checked {
            total += 1;
            if !c.errors.is_empty() {
                errors += 1;
            }
            if !c.warnings.is_empty() {
                warnings += 1;
            }
            if let Some(d) = &c.data {
                valid += 1;
                good.push((i64::from(n), d.clone()));
            }
            if !c.errors.is_empty() || !c.warnings.is_empty() {
                problems.push(vec![
                    Val::from(id),
                    Val::from(i64::from(n)),
                    Val::from(serde_json::to_string(&cells).map_err(anyhow::Error::from)?),
                    Val::Text(None),
                    Val::from(serde_json::to_string(&c.errors).map_err(anyhow::Error::from)?),
                    Val::from(serde_json::to_string(&c.warnings).map_err(anyhow::Error::from)?),
                ]);
            }
        }
        let columns = ["import_id", "row_no", "cells", "data", "errors", "warnings"];
        if let Some(tx) = tx.as_mut() {
            created += insert_people(tx, app, actor, &s, &good, &now, &mut households).await?;
            bulk::insert(&mut tx.tx, "import_rows", &columns, &problems).await?;
        } else {
            let mut t = app.db.begin_write().await?;
            bulk::insert(&mut t.tx, "import_rows", &columns, &problems).await?;
            t.commit().await?;
        }
        progress(
            if dry_run { "validate" } else { "import" },
            total as usize,
            0,
        );
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
