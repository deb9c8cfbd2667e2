//! Backup and restore in a portable format (issue 25 §7).
//!
//! A backup is a directory: one gzip-compressed JSON Lines file per table
//! (`persons.jsonl.gz`: one JSON array per row, the columns in the order the
//! manifest lists them; integers and reals as JSON numbers, text as JSON
//! strings, blobs as base64 strings, NULL as `null`) and `manifest.json`,
//! written last (format version, schema version, when, from which backend,
//! and per table its columns, primary key, row count, the file's size and
//! SHA-256, and the SHA-256 of its rows as text).
//!
//! The tables are discovered from the database's catalogue and written in
//! foreign-key order, so tables added by later migrations are included
//! without a list to maintain. Rows are written in primary-key order (text
//! keys in byte order on both backends), and each row's text is the same
//! whichever backend it was read from; so the rows' checksum of a table
//! restored into the other backend, read back, equals the manifest's.
//!
//! Consistency: everything is read in one transaction. On SQLite (WAL mode)
//! a read transaction sees one snapshot of the file while the server goes on
//! writing — the same guarantee as the online backup API, without a second
//! copy of the file; on PostgreSQL it is one `SERIALIZABLE READ ONLY
//! DEFERRABLE` transaction, which waits for a snapshot that no serialisation
//! anomaly can touch and then never blocks writers.
//!
//! A restore goes into an empty database of either kind: it migrates the
//! database to the backup's schema version, loads every table in one
//! transaction with the triggers off (they would renumber `change_seq` or
//! count `auth_epoch` again) and the secondary indexes dropped (built again,
//! sorted, at the end), puts the triggers back, sets PostgreSQL's
//! sequences after the largest ids, and compares every table's row count and
//! rows' checksum with the manifest before committing: a restore is whole or
//! is not.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use futures_util::TryStreamExt as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Executor, Row};

use crate::{Backend, Db, DbError};

/// The name of the format, in every manifest.
pub const FORMAT: &str = "kieubao-backup";
/// Incremented when a reader of an earlier version could misread a backup.
pub const FORMAT_VERSION: u32 = 1;
/// The manifest's file name inside a backup directory.
pub const MANIFEST: &str = "manifest.json";

/// How a column's values are written, whatever the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    Integer,
    Real,
    Text,
    Blob,
}

/// A column of a table, as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ColumnType,
}

/// One table of a backup.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableEntry {
    pub name: String,
    pub file: String,
    pub columns: Vec<Column>,
    pub primary_key: Vec<String>,
    pub rows: u64,
    /// Size of the compressed file in bytes.
    pub bytes: u64,
    /// SHA-256 of the compressed file.
    pub sha256: String,
    /// SHA-256 of the rows as text (the uncompressed JSON Lines), the same
    /// whichever backend they were read from.
    pub content_sha256: String,
}

/// The audit chain's head when the backup was taken.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuditHead {
    pub rows: i64,
    pub last_id: i64,
    pub last_hash: String,
    /// Keys of the audit key file the chain needs (`""`: rows written before
    /// the chain was keyed, checked as plain SHA-256).
    pub key_ids: Vec<String>,
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub program_version: String,
    pub schema_version: i64,
    pub created_at: String,
    /// `sqlite` or `postgres`.
    pub source_backend: String,
    /// Tables in the order they are restored (referenced tables first).
    pub tables: Vec<TableEntry>,
    pub audit: Option<AuditHead>,
    /// How the audit chain's keys travel (they are not in the backup).
    pub audit_keys_note: String,
}

impl Manifest {
    pub fn table(&self, name: &str) -> Option<&TableEntry> {
        self.tables.iter().find(|t| t.name == name)
    }
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

const AUDIT_KEYS_NOTE: &str = "The audit chain's HMAC keys (audit.key) and anchor keys are not in \
this backup: they protect the chain against whoever holds the data, so they are kept apart. \
Back up the data directory's audit.key with the server's configuration, and restore with the \
same audit_key_file so that `kieubao audit verify` can check the chain.";

/// Errors of backup, verify and restore.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Format(String),
    #[error("the backup does not match its manifest:\n{}", .0.join("\n"))]
    Damaged(Vec<String>),
    #[error("the database is not empty ({}); restore only into an empty database", .0.join(", "))]
    NotEmpty(Vec<String>),
    #[error(
        "the backup was made at schema version {backup}, newer than this program knows ({known}); \
         restore with a newer program"
    )]
    NewerBackup { backup: i64, known: i64 },
    #[error(
        "the restored data differ from the manifest, nothing was restored:\n{}",
        .0.join("\n")
    )]
    Mismatch(Vec<String>),
}

impl From<sqlx::Error> for BackupError {
    fn from(e: sqlx::Error) -> Self {
        BackupError::Db(DbError::from(e))
    }
}

type Result<T> = std::result::Result<T, BackupError>;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_owned(),
        source,
    }
}

fn backend_name(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// `"name"`, for identifiers read from the catalogue.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

// ---------------------------------------------------------------- catalogue

/// A table as the catalogue describes it.
#[derive(Debug, Clone)]
struct TableInfo {
    name: String,
    columns: Vec<Column>,
    /// PostgreSQL `json`/`jsonb` columns: read as text, written with a cast.
    json_columns: BTreeSet<String>,
    primary_key: Vec<String>,
    references: BTreeSet<String>,
}

/// Tables that are not data: the migrations' own bookkeeping.
fn skipped(name: &str) -> bool {
    name == "schema_migrations" || name.starts_with("sqlite_") || name.starts_with("_sqlx")
}

fn sqlite_kind(declared: &str) -> ColumnType {
    // SQLite's affinity rules (https://sqlite.org/datatype3.html §3.1).
    let t = declared.to_ascii_uppercase();
    if t.contains("INT") {
        ColumnType::Integer
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        ColumnType::Text
    } else if t.contains("BLOB") || t.is_empty() {
        ColumnType::Blob
    } else {
        ColumnType::Real
    }
}

fn postgres_kind(table: &str, column: &str, data_type: &str) -> Result<(ColumnType, bool)> {
    Ok(match data_type {
        "bigint" | "integer" | "smallint" => (ColumnType::Integer, false),
        "text" | "character varying" | "character" => (ColumnType::Text, false),
        "json" | "jsonb" => (ColumnType::Text, true),
        "double precision" | "real" => (ColumnType::Real, false),
        "bytea" => (ColumnType::Blob, false),
        other => {
            return Err(BackupError::Format(format!(
                "{table}.{column} has the type {other}, which backups do not carry yet"
            )));
        }
    })
}

async fn catalogue(conn: &mut AnyConnection, backend: Backend) -> Result<Vec<TableInfo>> {
    let names: Vec<String> = match backend {
        Backend::Sqlite => {
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .fetch_all(&mut *conn)
                .await?
        }
        Backend::Postgres => {
            sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 ORDER BY 1",
            )
            .fetch_all(&mut *conn)
            .await?
        }
    };
    let mut tables = Vec::new();
    for name in names.into_iter().filter(|n| !skipped(n)) {
        let mut columns = Vec::new();
        let mut json_columns = BTreeSet::new();
        let primary_key: Vec<String>;
        let mut references = BTreeSet::new();
        match backend {
            Backend::Sqlite => {
                let rows =
                    sqlx::query("SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid")
                        .bind(&name)
                        .fetch_all(&mut *conn)
                        .await?;
                let mut pk: Vec<(i64, String)> = Vec::new();
                for r in rows {
                    let col: String = r.try_get(0)?;
                    let declared: String = r.try_get(1)?;
                    let in_pk: i64 = r.try_get(2)?;
                    if in_pk > 0 {
                        pk.push((in_pk, col.clone()));
                    }
                    columns.push(Column {
                        name: col,
                        kind: sqlite_kind(&declared),
                    });
                }
                pk.sort();
                primary_key = pk.into_iter().map(|p| p.1).collect();
                let refs: Vec<String> = sqlx::query_scalar(
                    "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list($1)",
                )
                .bind(&name)
                .fetch_all(&mut *conn)
                .await?;
                references.extend(refs);
            }
            Backend::Postgres => {
                let rows = sqlx::query(
                    "SELECT column_name::text, data_type::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1 \
                     ORDER BY ordinal_position",
                )
                .bind(&name)
                .fetch_all(&mut *conn)
                .await?;
                for r in rows {
                    let col: String = r.try_get(0)?;
                    let data_type: String = r.try_get(1)?;
                    let (kind, json) = postgres_kind(&name, &col, &data_type)?;
                    if json {
                        json_columns.insert(col.clone());
                    }
                    columns.push(Column { name: col, kind });
                }
                primary_key = sqlx::query_scalar(
                    "SELECT a.attname::text FROM pg_index i \
                     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
                     WHERE i.indrelid = quote_ident($1)::regclass AND i.indisprimary \
                     ORDER BY array_position(i.indkey::int2[], a.attnum)",
                )
                .bind(&name)
                .fetch_all(&mut *conn)
                .await?;
                let refs: Vec<String> = sqlx::query_scalar(
                    "SELECT DISTINCT c.relname::text FROM pg_constraint k \
                     JOIN pg_class c ON c.oid = k.confrelid \
                     WHERE k.conrelid = quote_ident($1)::regclass AND k.contype = 'f'",
                )
                .bind(&name)
                .fetch_all(&mut *conn)
                .await?;
                references.extend(refs);
            }
        }
        references.remove(&name);
        tables.push(TableInfo {
            name,
            columns,
            json_columns,
            primary_key,
            references,
        });
    }
    Ok(dependency_order(tables))
}

/// Referenced tables before the tables that reference them; ties (and any
/// cycle, which the schema does not have) by name, so the order is stable.
fn dependency_order(tables: Vec<TableInfo>) -> Vec<TableInfo> {
    let known: BTreeSet<String> = tables.iter().map(|t| t.name.clone()).collect();
    let mut pending: BTreeMap<String, TableInfo> =
        tables.into_iter().map(|t| (t.name.clone(), t)).collect();
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    while !pending.is_empty() {
        let ready: Vec<String> = pending
            .values()
            .filter(|t| {
                t.references
                    .iter()
                    .all(|r| done.contains(r) || !known.contains(r))
            })
            .map(|t| t.name.clone())
            .collect();
        let next = if ready.is_empty() {
            // A cycle: take the first by name and go on.
            pending.keys().take(1).cloned().collect()
        } else {
            ready
        };
        for name in next {
            if let Some(t) = pending.remove(&name) {
                done.insert(name);
                out.push(t);
            }
        }
    }
    out
}

/// `SELECT` of a table's columns in primary-key order (every column when it
/// has no key), text keys in byte order on both backends.
fn select_sql(t: &TableInfo, backend: Backend) -> String {
    let cols: Vec<String> = t
        .columns
        .iter()
        .map(|c| {
            if backend == Backend::Postgres && t.json_columns.contains(&c.name) {
                format!("{}::text", quote(&c.name))
            } else {
                quote(&c.name)
            }
        })
        .collect();
    let key: Vec<&Column> = if t.primary_key.is_empty() {
        t.columns.iter().collect()
    } else {
        t.primary_key
            .iter()
            .filter_map(|k| t.columns.iter().find(|c| &c.name == k))
            .collect()
    };
    let order: Vec<String> = key
        .iter()
        .map(|c| match (backend, c.kind) {
            (Backend::Postgres, ColumnType::Text) => format!("{} COLLATE \"C\"", quote(&c.name)),
            _ => quote(&c.name),
        })
        .collect();
    let mut sql = format!("SELECT {} FROM {}", cols.join(", "), quote(&t.name));
    if !order.is_empty() {
        let _ = write!(sql, " ORDER BY {}", order.join(", "));
    }
    sql
}

// ---------------------------------------------------------------- rows as text

/// Appends one row as a JSON array and a newline.
fn encode_row(
    row: &sqlx::any::AnyRow,
    columns: &[Column],
    table: &str,
    out: &mut Vec<u8>,
) -> Result<()> {
    out.push(b'[');
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let bad = |e: sqlx::Error| BackupError::Format(format!("{table}.{}: {e}", c.name));
        match c.kind {
            ColumnType::Integer => match row.try_get::<Option<i64>, _>(i).map_err(bad)? {
                Some(v) => {
                    let _ = write!(ByteWriter(out), "{v}");
                }
                None => out.extend_from_slice(b"null"),
            },
            ColumnType::Real => match real(row, i).map_err(bad)? {
                Some(v) if v.is_finite() => {
                    serde_json::to_writer(&mut *out, &v)
                        .map_err(|e| BackupError::Format(e.to_string()))?;
                }
                Some(_) => {
                    return Err(BackupError::Format(format!(
                        "{table}.{} holds a number that is not finite",
                        c.name
                    )));
                }
                None => out.extend_from_slice(b"null"),
            },
            // Borrowed from the row: no second copy of every text.
            ColumnType::Text => match row.try_get::<Option<&str>, _>(i).map_err(bad)? {
                Some(v) => {
                    serde_json::to_writer(&mut *out, &v)
                        .map_err(|e| BackupError::Format(e.to_string()))?;
                }
                None => out.extend_from_slice(b"null"),
            },
            ColumnType::Blob => match row.try_get::<Option<&[u8]>, _>(i).map_err(bad)? {
                Some(v) => {
                    out.push(b'"');
                    out.extend_from_slice(
                        base64::engine::general_purpose::STANDARD
                            .encode(v)
                            .as_bytes(),
                    );
                    out.push(b'"');
                }
                None => out.extend_from_slice(b"null"),
            },
        }
    }
    out.extend_from_slice(b"]\n");
    Ok(())
}

/// A real, also when SQLite stored a whole number as an integer.
fn real(row: &sqlx::any::AnyRow, i: usize) -> std::result::Result<Option<f64>, sqlx::Error> {
    match row.try_get::<Option<f64>, _>(i) {
        Ok(v) => Ok(v),
        Err(e) => match row.try_get::<Option<i64>, _>(i) {
            Ok(v) => Ok(v.map(|v| v as f64)),
            Err(_) => Err(e),
        },
    }
}

struct ByteWriter<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for ByteWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// A writer that hashes and counts what goes through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Reads a table in key order and hands its rows as text, in chunks, to
/// `sink`; answers the row count and the rows' SHA-256.
async fn read_table(
    conn: &mut AnyConnection,
    backend: Backend,
    t: &TableInfo,
    sink: Option<&tokio::sync::mpsc::Sender<Vec<u8>>>,
) -> Result<(u64, String)> {
    const CHUNK: usize = 1 << 20;
    let stopped = || BackupError::Format(format!("writing the file of {} stopped", t.name));
    let sql = select_sql(t, backend);
    let mut rows = sqlx::query(&sql).fetch(&mut *conn);
    let mut hash = Sha256::new();
    let mut count = 0_u64;
    let mut buf = Vec::with_capacity(CHUNK + 4096);
    while let Some(row) = rows.try_next().await? {
        encode_row(&row, &t.columns, &t.name, &mut buf)?;
        count += 1;
        if buf.len() >= CHUNK {
            hash.update(&buf);
            if let Some(s) = sink {
                s.send(std::mem::replace(
                    &mut buf,
                    Vec::with_capacity(CHUNK + 4096),
                ))
                .await
                .map_err(|_| stopped())?;
            } else {
                buf.clear();
            }
        }
    }
    if !buf.is_empty() {
        hash.update(&buf);
        if let Some(s) = sink {
            s.send(buf).await.map_err(|_| stopped())?;
        }
    }
    Ok((count, hex::encode(hash.finalize())))
}

/// A table's row count and rows' checksum as [`read_table`] gives them,
/// with the JSON of each row written by SQLite (`json_array`): its
/// integers, texts and nulls are written as `serde_json` writes them
/// (texts escaped alike: `\"`, `\\`, the short escapes, `\u00xx` for other
/// control characters). `None` for a table with real or blob columns,
/// which only the exact way writes as the backup did.
async fn sqlite_json_rows(
    conn: &mut AnyConnection,
    t: &TableInfo,
) -> Result<Option<(u64, String)>> {
    if t.columns.is_empty()
        || t.columns
            .iter()
            .any(|c| matches!(c.kind, ColumnType::Real | ColumnType::Blob))
    {
        return Ok(None);
    }
    let cols: Vec<String> = t.columns.iter().map(|c| quote(&c.name)).collect();
    let exact = select_sql(t, Backend::Sqlite);
    let Some(order) = exact.split_once(" FROM ").map(|(_, rest)| rest) else {
        return Ok(None);
    };
    let sql = format!("SELECT json_array({}) FROM {order}", cols.join(", "));
    let mut rows = sqlx::query_scalar::<_, String>(&sql).fetch(&mut *conn);
    let mut hash = Sha256::new();
    let mut count = 0_u64;
    while let Some(row) = rows.try_next().await? {
        hash.update(row.as_bytes());
        hash.update(b"\n");
        count += 1;
    }
    Ok(Some((count, hex::encode(hash.finalize()))))
}

// ---------------------------------------------------------------- backup

/// Opens the snapshot every read of a backup (or a check) goes through.
async fn snapshot(db: &Db) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
    Ok(match db.backend {
        Backend::Sqlite => {
            let mut tx = db.pool.begin().await?;
            // The first read starts the snapshot; reading the version now
            // makes every later read of this transaction see the same file.
            tx.execute("SELECT COUNT(*) FROM sqlite_master").await?;
            tx
        }
        Backend::Postgres => {
            db.pool
                .begin_with("BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE")
                .await?
        }
    })
}

async fn schema_version(conn: &mut AnyConnection) -> Result<i64> {
    let v: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
        .fetch_one(&mut *conn)
        .await?;
    Ok(v.unwrap_or(0))
}

async fn audit_head(conn: &mut AnyConnection, tables: &[TableInfo]) -> Result<Option<AuditHead>> {
    let Some(t) = tables.iter().find(|t| t.name == "audit_log") else {
        return Ok(None);
    };
    let keyed = t.columns.iter().any(|c| c.name == "key_id");
    let row = sqlx::query("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM audit_log")
        .fetch_one(&mut *conn)
        .await?;
    let rows: i64 = row.try_get(0)?;
    let last_id: i64 = row.try_get(1)?;
    let last_hash: String = sqlx::query_scalar("SELECT hash FROM audit_log WHERE id = $1")
        .bind(last_id)
        .fetch_optional(&mut *conn)
        .await?
        .unwrap_or_default();
    let key_ids: Vec<String> = if keyed {
        sqlx::query_scalar("SELECT DISTINCT key_id FROM audit_log ORDER BY 1")
            .fetch_all(&mut *conn)
            .await?
    } else {
        Vec::new()
    };
    Ok(Some(AuditHead {
        rows,
        last_id,
        last_hash,
        key_ids,
    }))
}

/// Writes a backup of `db` into `dir` (created; it must not hold a backup
/// already). `now` is the creation time to record (RFC 3339).
pub async fn backup(db: &Db, dir: &Path, now: &str) -> Result<Manifest> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    if dir.join(MANIFEST).exists() {
        return Err(BackupError::Format(format!(
            "{} already holds a backup; choose a new directory",
            dir.display()
        )));
    }
    let mut tx = snapshot(db).await?;
    let schema_version = schema_version(&mut tx).await?;
    if schema_version > crate::migrate::latest_version() {
        return Err(DbError::NewerSchema {
            found: schema_version,
            known: crate::migrate::latest_version(),
        }
        .into());
    }
    let tables = catalogue(&mut tx, db.backend).await?;
    let audit = audit_head(&mut tx, &tables).await?;
    let mut entries = Vec::new();
    for t in &tables {
        let file = format!("{}.jsonl.gz", t.name);
        let path = dir.join(&file);
        // Compression runs on a thread of its own while this task reads
        // the next rows (the two cores each take a half).
        let (send, mut receive) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
        let writer_path = path.clone();
        let writer = std::thread::spawn(move || -> Result<(u64, String)> {
            let f = std::fs::File::create(&writer_path).map_err(io(&writer_path))?;
            let hashing = Hashing {
                inner: std::io::BufWriter::with_capacity(1 << 20, f),
                hash: Sha256::new(),
                bytes: 0,
            };
            let mut gz = flate2::write::GzEncoder::new(hashing, flate2::Compression::fast());
            while let Some(chunk) = receive.blocking_recv() {
                gz.write_all(&chunk).map_err(io(&writer_path))?;
            }
            let mut hashing = gz.finish().map_err(io(&writer_path))?;
            hashing.flush().map_err(io(&writer_path))?;
            let file = hashing.inner.into_inner().map_err(|e| BackupError::Io {
                path: writer_path.clone(),
                source: e.into_error(),
            })?;
            file.sync_all().map_err(io(&writer_path))?;
            Ok((hashing.bytes, hex::encode(hashing.hash.finalize())))
        });
        let read = read_table(&mut tx, db.backend, t, Some(&send)).await;
        drop(send);
        let written = tokio::task::spawn_blocking(move || writer.join())
            .await
            .map_err(|e| DbError::Task(e.to_string()))?
            .map_err(|_| BackupError::Format(format!("writing {} failed", path.display())))?;
        let (rows, content_sha256) = read?;
        let (bytes, sha256) = written?;
        entries.push(TableEntry {
            name: t.name.clone(),
            file,
            columns: t.columns.clone(),
            primary_key: t.primary_key.clone(),
            rows,
            bytes,
            sha256,
            content_sha256,
        });
    }
    tx.rollback().await?;
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        format_version: FORMAT_VERSION,
        program_version: env!("CARGO_PKG_VERSION").to_owned(),
        schema_version,
        created_at: now.to_owned(),
        source_backend: backend_name(db.backend).to_owned(),
        tables: entries,
        audit,
        audit_keys_note: AUDIT_KEYS_NOTE.to_owned(),
    };
    write_manifest(dir, &manifest)?;
    Ok(manifest)
}

fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<()> {
    let path = dir.join(MANIFEST);
    let tmp = dir.join(".manifest.json.tmp");
    let text =
        serde_json::to_vec_pretty(manifest).map_err(|e| BackupError::Format(e.to_string()))?;
    {
        let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(&text).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
    }
    std::fs::rename(&tmp, &path).map_err(io(&path))?;
    Ok(())
}

/// Reads a backup's manifest.
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            BackupError::Format(format!(
                "{} holds no {MANIFEST}: not a backup, or one that did not finish",
                dir.display()
            ))
        } else {
            BackupError::Io {
                path: path.clone(),
                source: e,
            }
        }
    })?;
    let m: Manifest = serde_json::from_slice(&text)
        .map_err(|e| BackupError::Format(format!("{}: {e}", path.display())))?;
    if m.format != FORMAT {
        return Err(BackupError::Format(format!(
            "{} is not a Kiều Bào backup manifest",
            path.display()
        )));
    }
    if m.format_version > FORMAT_VERSION {
        return Err(BackupError::Format(format!(
            "the backup's format version {} is newer than this program reads ({FORMAT_VERSION})",
            m.format_version
        )));
    }
    for t in &m.tables {
        // A manifest names files inside its directory only.
        if t.file.contains('/') || t.file.contains('\\') || t.file.starts_with('.') {
            return Err(BackupError::Format(format!(
                "{}: the file name {:?} leaves the backup directory",
                path.display(),
                t.file
            )));
        }
    }
    Ok(m)
}

// ---------------------------------------------------------------- verify

/// What `backup verify` found.
#[derive(Debug, Clone)]
pub struct VerifyReport {
    pub manifest: Manifest,
    /// One sentence per problem; empty when the backup is whole.
    pub problems: Vec<String>,
}

fn file_sha256(path: &Path) -> std::io::Result<(u64, String)> {
    let mut f = std::fs::File::open(path)?;
    let mut hash = Sha256::new();
    let mut buf = vec![0_u8; 1 << 20];
    let mut bytes = 0_u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok((bytes, hex::encode(hash.finalize())))
}

/// Checks the files' sizes and SHA-256 against the manifest (cheap); with
/// `rows`, also decompresses each to count its rows and check their checksum.
pub fn verify(dir: &Path, rows: bool) -> Result<VerifyReport> {
    let manifest = read_manifest(dir)?;
    let mut problems = Vec::new();
    for t in &manifest.tables {
        let path = dir.join(&t.file);
        let (bytes, sha) = match file_sha256(&path) {
            Ok(x) => x,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                problems.push(format!("{}: missing (table {})", t.file, t.name));
                continue;
            }
            Err(e) => {
                problems.push(format!("{}: cannot be read: {e}", t.file));
                continue;
            }
        };
        if bytes != t.bytes {
            problems.push(format!(
                "{}: {bytes} bytes, the manifest says {}",
                t.file, t.bytes
            ));
        }
        if sha != t.sha256 {
            problems.push(format!(
                "{}: its SHA-256 differs from the manifest's (the file was changed or damaged)",
                t.file
            ));
            continue;
        }
        if rows {
            match count_rows(&path) {
                Ok((n, content)) => {
                    if n != t.rows {
                        problems.push(format!(
                            "{}: {n} rows, the manifest says {}",
                            t.file, t.rows
                        ));
                    }
                    if content != t.content_sha256 {
                        problems.push(format!(
                            "{}: the rows' checksum differs from the manifest's",
                            t.file
                        ));
                    }
                }
                Err(e) => problems.push(format!("{}: cannot be decompressed: {e}", t.file)),
            }
        }
    }
    Ok(VerifyReport { manifest, problems })
}

#[expect(
    clippy::naive_bytecount,
    reason = "a check of a backup, not worth a crate for counting bytes"
)]
fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == b'\n').count() as u64
}

fn count_rows(path: &Path) -> std::io::Result<(u64, String)> {
    let f = std::fs::File::open(path)?;
    let mut gz = flate2::read::GzDecoder::new(BufReader::with_capacity(1 << 20, f));
    let mut hash = Sha256::new();
    let mut buf = vec![0_u8; 1 << 20];
    let mut lines = 0_u64;
    loop {
        let n = gz.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        lines += newlines(&buf[..n]);
    }
    Ok((lines, hex::encode(hash.finalize())))
}

// ---------------------------------------------------------------- restore

/// What a restore did.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    pub manifest: Manifest,
    /// Migrations applied to bring the empty database to the backup's version.
    pub migrated: Vec<i64>,
    pub tables: usize,
    pub rows: u64,
}

/// Row counts of a database's tables (without the migrations' own).
async fn row_counts(conn: &mut AnyConnection, backend: Backend) -> Result<Vec<(String, i64)>> {
    let tables = catalogue(conn, backend).await?;
    let mut out = Vec::new();
    for t in tables {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", quote(&t.name)))
            .fetch_one(&mut *conn)
            .await?;
        out.push((t.name, n));
    }
    Ok(out)
}

/// The rows the migrations up to `version` put in a new database themselves
/// (e.g. `auth_epoch`'s one row): a database holding only those is empty.
async fn seeded_rows(version: i64, now: &str) -> Result<HashMap<String, i64>> {
    let mem = Db::connect("sqlite::memory:", 1).await?;
    crate::migrate::run_to(&mem, now, version).await?;
    let mut conn = mem.pool.acquire().await?;
    let counts = row_counts(&mut conn, Backend::Sqlite).await?;
    drop(conn);
    mem.close().await;
    Ok(counts.into_iter().filter(|(_, n)| *n > 0).collect())
}

/// Refuses a database holding anything but what its migrations seeded.
async fn ensure_empty(db: &Db, now: &str) -> Result<i64> {
    let current = crate::migrate::current_version(db).await?;
    if current == 0 {
        let mut conn = db.pool.acquire().await?;
        let occupied: Vec<String> = row_counts(&mut conn, db.backend)
            .await?
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(t, n)| format!("{t}: {n} rows"))
            .collect();
        if !occupied.is_empty() {
            return Err(BackupError::NotEmpty(occupied));
        }
        return Ok(0);
    }
    let seeded = seeded_rows(current, now).await?;
    let mut conn = db.pool.acquire().await?;
    let occupied: Vec<String> = row_counts(&mut conn, db.backend)
        .await?
        .into_iter()
        .filter(|(t, n)| *n > seeded.get(t).copied().unwrap_or(0))
        .map(|(t, n)| format!("{t}: {n} {}", if n == 1 { "row" } else { "rows" }))
        .collect();
    if occupied.is_empty() {
        Ok(current)
    } else {
        Err(BackupError::NotEmpty(occupied))
    }
}

/// A value read from a backup file, ready to bind.
enum Cell {
    Null(ColumnType),
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// Reads one row's JSON array straight into cells of its columns' types
/// (no intermediate `serde_json::Value`: the restore's parsing is a good
/// part of its time).
struct RowSeed<'a>(&'a [Column]);

impl<'de> serde::de::DeserializeSeed<'de> for RowSeed<'_> {
    type Value = Vec<Cell>;
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Vec<Cell>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for RowSeed<'_> {
    type Value = Vec<Cell>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "a row of {} values", self.0.len())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Vec<Cell>, A::Error> {
        use serde::de::Error as _;
        let mut out = Vec::with_capacity(self.0.len());
        for c in self.0 {
            let cell = match c.kind {
                ColumnType::Integer => seq
                    .next_element::<Option<i64>>()?
                    .map(|v| v.map_or(Cell::Null(c.kind), Cell::Int)),
                ColumnType::Real => seq
                    .next_element::<Option<f64>>()?
                    .map(|v| v.map_or(Cell::Null(c.kind), Cell::Real)),
                ColumnType::Text => seq
                    .next_element::<Option<String>>()?
                    .map(|v| v.map_or(Cell::Null(c.kind), Cell::Text)),
                ColumnType::Blob => match seq.next_element::<Option<String>>()? {
                    Some(Some(text)) => Some(Cell::Blob(
                        base64::engine::general_purpose::STANDARD
                            .decode(text)
                            .map_err(|e| A::Error::custom(format!("{}: {e}", c.name)))?,
                    )),
                    Some(None) => Some(Cell::Null(c.kind)),
                    None => None,
                },
            };
            match cell {
                Some(cell) => out.push(cell),
                None => return Err(A::Error::invalid_length(out.len(), &self)),
            }
        }
        if seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
            return Err(A::Error::custom(format!(
                "more values than the {} columns",
                self.0.len()
            )));
        }
        Ok(out)
    }
}

fn parse_line(line: &str, columns: &[Column], file: &str, n: u64) -> Result<Vec<Cell>> {
    use serde::de::DeserializeSeed as _;
    let bad = |e: serde_json::Error| BackupError::Format(format!("{file}, row {n}: {e}"));
    let mut de = serde_json::Deserializer::from_str(line);
    let row = RowSeed(columns).deserialize(&mut de).map_err(bad)?;
    de.end().map_err(bad)?;
    Ok(row)
}

/// Batches of parsed rows, or the error that stopped the reading.
type Batches = tokio::sync::mpsc::Receiver<Result<Vec<Vec<Cell>>>>;
/// The reading thread: the row count and the rows' checksum when it ends.
type Reader = std::thread::JoinHandle<std::result::Result<(u64, String), String>>;

/// Rows of one file, parsed on a thread of their own, in batches.
fn read_batches(
    path: PathBuf,
    file: String,
    columns: Vec<Column>,
    batch: usize,
) -> (Batches, Reader) {
    let (send, receive) = tokio::sync::mpsc::channel(4);
    let handle = std::thread::spawn(move || {
        let run = || -> Result<(u64, String)> {
            let f = std::fs::File::open(&path).map_err(io(&path))?;
            let gz = flate2::read::GzDecoder::new(BufReader::with_capacity(1 << 20, f));
            let mut reader = BufReader::with_capacity(1 << 20, gz);
            let mut hash = Sha256::new();
            let mut line = String::new();
            let mut n = 0_u64;
            let mut rows = Vec::with_capacity(batch);
            loop {
                line.clear();
                if reader.read_line(&mut line).map_err(io(&path))? == 0 {
                    break;
                }
                hash.update(line.as_bytes());
                n += 1;
                rows.push(parse_line(line.trim_end_matches('\n'), &columns, &file, n)?);
                if rows.len() == batch
                    && send
                        .blocking_send(Ok(std::mem::replace(&mut rows, Vec::with_capacity(batch))))
                        .is_err()
                {
                    return Ok((n, String::new()));
                }
            }
            if !rows.is_empty() {
                let _ = send.blocking_send(Ok(rows));
            }
            Ok((n, hex::encode(hash.finalize())))
        };
        match run() {
            Ok(x) => Ok(x),
            Err(e) => {
                let message = e.to_string();
                let _ = send.blocking_send(Err(e));
                Err(message)
            }
        }
    });
    (receive, handle)
}

fn insert_sql(t: &TableInfo, columns: &[Column], rows: usize, backend: Backend) -> String {
    let names: Vec<String> = columns.iter().map(|c| quote(&c.name)).collect();
    let mut sql = format!(
        "INSERT INTO {} ({}) VALUES ",
        quote(&t.name),
        names.join(", ")
    );
    let mut p = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            p += 1;
            // SQLite looks named parameters (`$1`) up in a list, which made
            // a thousand-row insert quadratic: `?` binds by position.
            if backend == Backend::Sqlite {
                sql.push('?');
            } else {
                let _ = write!(sql, "${p}");
            }
            if backend == Backend::Postgres && t.json_columns.contains(&c.name) {
                sql.push_str("::json");
            }
        }
        sql.push(')');
    }
    sql
}

async fn insert_rows(conn: &mut AnyConnection, sql: &str, rows: Vec<Vec<Cell>>) -> Result<()> {
    let mut q = sqlx::query(sql);
    for row in rows {
        for cell in row {
            q = match cell {
                // Typed: PostgreSQL refuses a text NULL for a bigint column.
                Cell::Null(ColumnType::Integer) => q.bind(None::<i64>),
                Cell::Null(ColumnType::Real) => q.bind(None::<f64>),
                Cell::Null(ColumnType::Text) => q.bind(None::<String>),
                Cell::Null(ColumnType::Blob) => q.bind(None::<Vec<u8>>),
                Cell::Int(v) => q.bind(v),
                Cell::Real(v) => q.bind(v),
                Cell::Text(v) => q.bind(v),
                Cell::Blob(v) => q.bind(v),
            };
        }
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

/// Triggers taken off a SQLite database during a load, to put back after.
async fn drop_sqlite_triggers(conn: &mut AnyConnection) -> Result<Vec<(String, String)>> {
    let triggers: Vec<(String, String)> =
        sqlx::query_as("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            .fetch_all(&mut *conn)
            .await?;
    for (name, _) in &triggers {
        conn.execute(format!("DROP TRIGGER {}", quote(name)).as_str())
            .await?;
    }
    Ok(triggers)
}

/// Secondary indexes taken off during a load and built again, sorted, at
/// its end (much faster than keeping each up to date row by row). Indexes
/// that enforce a key or a uniqueness stay: they check the rows.
async fn drop_indexes(conn: &mut AnyConnection, backend: Backend) -> Result<Vec<String>> {
    let found: Vec<(String, String)> = match backend {
        Backend::Sqlite => {
            sqlx::query_as(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
                 AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name",
            )
            .fetch_all(&mut *conn)
            .await?
        }
        Backend::Postgres => {
            sqlx::query_as(
                "SELECT i.relname::text, pg_get_indexdef(i.oid) FROM pg_index x \
                 JOIN pg_class i ON i.oid = x.indexrelid \
                 JOIN pg_class t ON t.oid = x.indrelid \
                 WHERE t.relnamespace = current_schema()::regnamespace AND NOT x.indisunique \
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) \
                 ORDER BY 1",
            )
            .fetch_all(&mut *conn)
            .await?
        }
    };
    for (name, _) in &found {
        conn.execute(format!("DROP INDEX {}", quote(name)).as_str())
            .await?;
    }
    Ok(found.into_iter().map(|(_, sql)| sql).collect())
}

/// Sets every sequence of the schema after the largest value of its column:
/// the identity columns' own, and those named `<table>_<column>_seq` that a
/// trigger draws from (`persons_change_seq_seq`).
async fn reset_sequences(conn: &mut AnyConnection, tables: &[TableInfo]) -> Result<()> {
    let owned: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT s.relname::text, t.relname::text, a.attname::text FROM pg_class s \
         JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass \
              AND d.refclassid = 'pg_class'::regclass \
         JOIN pg_class t ON t.oid = d.refobjid \
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid \
         WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace",
    )
    .fetch_all(&mut *conn)
    .await?;
    let all: Vec<String> = sqlx::query_scalar(
        "SELECT relname::text FROM pg_class \
         WHERE relkind = 'S' AND relnamespace = current_schema()::regnamespace ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut targets: Vec<(String, String, String)> = owned.clone();
    for seq in all {
        if owned.iter().any(|o| o.0 == seq) {
            continue;
        }
        let found = tables.iter().find_map(|t| {
            t.columns
                .iter()
                .find(|c| {
                    format!("{}_{}_seq", t.name, c.name) == seq && c.kind == ColumnType::Integer
                })
                .map(|c| (t.name.clone(), c.name.clone()))
        });
        if let Some((t, c)) = found {
            targets.push((seq, t, c));
        }
    }
    for (seq, table, column) in targets {
        sqlx::query(&format!(
            "SELECT setval($1::regclass, COALESCE((SELECT MAX({}) FROM {}), 0) + 1, false)",
            quote(&column),
            quote(&table)
        ))
        .bind(quote(&seq))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Restores the backup in `dir` into `db`, which must be empty (see the
/// module's documentation). `now` stamps the migrations it applies.
pub async fn restore(db: &Db, dir: &Path, now: &str) -> Result<RestoreReport> {
    let checked = verify(dir, false)?;
    if !checked.problems.is_empty() {
        return Err(BackupError::Damaged(checked.problems));
    }
    let manifest = checked.manifest;
    let known = crate::migrate::latest_version();
    if manifest.schema_version > known {
        return Err(BackupError::NewerBackup {
            backup: manifest.schema_version,
            known,
        });
    }
    let current = ensure_empty(db, now).await?;
    if current > manifest.schema_version {
        return Err(BackupError::Format(format!(
            "the database is already at schema version {current}, after the backup's {}; \
             restore into a new, empty database",
            manifest.schema_version
        )));
    }
    let migrated = crate::migrate::run_to(db, now, manifest.schema_version).await?;

    let mut tx = db.begin_write().await?;
    let tables = catalogue(&mut tx.tx, db.backend).await?;
    let by_name: HashMap<&str, &TableInfo> = tables.iter().map(|t| (t.name.as_str(), t)).collect();
    // Check every table before writing anything.
    for e in &manifest.tables {
        let Some(t) = by_name.get(e.name.as_str()) else {
            return Err(BackupError::Format(format!(
                "the backup holds the table {}, which the schema at version {} does not have",
                e.name, manifest.schema_version
            )));
        };
        let have: BTreeSet<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        let want: BTreeSet<&str> = e.columns.iter().map(|c| c.name.as_str()).collect();
        if have != want {
            return Err(BackupError::Format(format!(
                "the table {} has the columns {:?} here and {:?} in the backup",
                e.name, have, want
            )));
        }
    }
    let triggers = match db.backend {
        Backend::Sqlite => {
            tx.tx.execute("PRAGMA defer_foreign_keys = ON").await?;
            drop_sqlite_triggers(&mut tx.tx).await?
        }
        Backend::Postgres => {
            for e in &manifest.tables {
                tx.tx
                    .execute(
                        format!("ALTER TABLE {} DISABLE TRIGGER USER", quote(&e.name)).as_str(),
                    )
                    .await?;
            }
            Vec::new()
        }
    };
    let indexes = drop_indexes(&mut tx.tx, db.backend).await?;
    if db.backend == Backend::Postgres {
        tx.tx
            .execute("SET LOCAL maintenance_work_mem = '256MB'")
            .await?;
    }
    let mut rows_total = 0_u64;
    let mut problems = Vec::new();
    for e in &manifest.tables {
        let t = by_name[e.name.as_str()];
        // The migrations' own rows (auth_epoch) give way to the backup's.
        tx.tx
            .execute(format!("DELETE FROM {}", quote(&e.name)).as_str())
            .await?;
        let loading = std::time::Instant::now();
        let per_row = e.columns.len().max(1);
        let batch = (30_000 / per_row).clamp(1, 1000);
        let (mut batches, reader) =
            read_batches(dir.join(&e.file), e.file.clone(), e.columns.clone(), batch);
        let full = insert_sql(t, &e.columns, batch, db.backend);
        while let Some(rows) = batches.recv().await {
            let rows = rows?;
            if rows.len() == batch {
                insert_rows(&mut tx.tx, &full, rows).await?;
            } else {
                let sql = insert_sql(t, &e.columns, rows.len(), db.backend);
                insert_rows(&mut tx.tx, &sql, rows).await?;
            }
        }
        let (n, content) = reader
            .join()
            .map_err(|_| BackupError::Format(format!("reading {} failed", e.file)))?
            .map_err(BackupError::Format)?;
        if n != e.rows {
            problems.push(format!(
                "{}: {n} rows in the file, the manifest says {}",
                e.file, e.rows
            ));
        }
        if content != e.content_sha256 {
            problems.push(format!(
                "{}: the rows' checksum differs from the manifest's",
                e.file
            ));
        }
        rows_total += n;
        if n > 0 {
            tracing::info!(
                table = %e.name,
                rows = n,
                seconds = loading.elapsed().as_secs_f64(),
                "restore: table loaded"
            );
        }
    }
    let building = std::time::Instant::now();
    for sql in &indexes {
        tx.tx.execute(sql.as_str()).await?;
    }
    tracing::info!(
        indexes = indexes.len(),
        seconds = building.elapsed().as_secs_f64(),
        "restore: indexes built"
    );
    match db.backend {
        Backend::Sqlite => {
            for (_, sql) in &triggers {
                tx.tx.execute(sql.as_str()).await?;
            }
        }
        Backend::Postgres => {
            for e in &manifest.tables {
                tx.tx
                    .execute(format!("ALTER TABLE {} ENABLE TRIGGER USER", quote(&e.name)).as_str())
                    .await?;
            }
            reset_sequences(&mut tx.tx, &tables).await?;
        }
    }
    // Read everything back as the database now holds it, before committing.
    let checking = std::time::Instant::now();
    for e in &manifest.tables {
        let mut t = by_name[e.name.as_str()].clone();
        t.columns.clone_from(&e.columns);
        // SQLite writes each row's JSON itself when it can (one value a row
        // instead of one a column); a table whose rows it reads differently
        // from the backup is read again the exact way before anything is
        // called wrong.
        let quick = if db.backend == Backend::Sqlite {
            sqlite_json_rows(&mut tx.tx, &t).await?
        } else {
            None
        };
        let (n, content) = match quick {
            Some((n, content)) if n == e.rows && content == e.content_sha256 => (n, content),
            _ => read_table(&mut tx.tx, db.backend, &t, None).await?,
        };
        if n != e.rows {
            problems.push(format!(
                "{}: {n} rows restored, the manifest says {}",
                e.name, e.rows
            ));
        } else if content != e.content_sha256 {
            problems.push(format!(
                "{}: the restored rows' checksum differs from the manifest's",
                e.name
            ));
        }
    }
    tracing::info!(
        seconds = checking.elapsed().as_secs_f64(),
        "restore: every table read back and compared"
    );
    if !problems.is_empty() {
        tx.rollback().await?;
        return Err(BackupError::Mismatch(problems));
    }
    let committing = std::time::Instant::now();
    tx.commit().await?;
    tracing::info!(
        seconds = committing.elapsed().as_secs_f64(),
        "restore: committed"
    );
    Ok(RestoreReport {
        tables: manifest.tables.len(),
        rows: rows_total,
        manifest,
        migrated,
    })
}

/// Every table's row count and rows' checksum, read in one snapshot (tests
/// compare a restored database with its manifest; operators a copy with its
/// source).
pub async fn checksums(db: &Db) -> Result<BTreeMap<String, (u64, String)>> {
    let mut tx = snapshot(db).await?;
    let tables = catalogue(&mut tx, db.backend).await?;
    let mut out = BTreeMap::new();
    for t in &tables {
        let (n, content) = read_table(&mut tx, db.backend, t, None).await?;
        out.insert(t.name.clone(), (n, content));
    }
    tx.rollback().await?;
    Ok(out)
}

// ---------------------------------------------------------------- retention

/// The name of a scheduled backup's directory taken at `now` (RFC 3339):
/// `kieubao-20261206T220000123456Z` (to the microsecond), which sorts by time.
pub fn scheduled_name(now: &str) -> String {
    let compact: String = now
        .trim_end_matches('Z')
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    format!("kieubao-{compact}Z")
}

/// Removes the oldest finished scheduled backups in `dir` beyond `keep`, and
/// any unfinished one left by an interrupted run; answers what it removed.
pub fn prune(dir: &Path, keep: usize) -> Result<Vec<PathBuf>> {
    let mut finished = Vec::new();
    let mut removed = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        if name.starts_with(".partial-kieubao-") {
            std::fs::remove_dir_all(&path).map_err(io(&path))?;
            removed.push(path);
        } else if name.starts_with("kieubao-") && path.join(MANIFEST).exists() {
            finished.push((name, path));
        }
    }
    finished.sort();
    let excess = finished.len().saturating_sub(keep);
    for (_, path) in finished.into_iter().take(excess) {
        std::fs::remove_dir_all(&path).map_err(io(&path))?;
        removed.push(path);
    }
    Ok(removed)
}

/// One scheduled backup: written under a hidden name and renamed when whole,
/// so a directory named `kieubao-…` is always a finished backup; then the
/// oldest beyond `keep` are removed.
pub async fn scheduled(db: &Db, dir: &Path, keep: usize, now: &str) -> Result<(PathBuf, Manifest)> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let name = scheduled_name(now);
    let partial = dir.join(format!(".partial-{name}"));
    let done = dir.join(&name);
    if partial.exists() {
        std::fs::remove_dir_all(&partial).map_err(io(&partial))?;
    }
    let manifest = backup(db, &partial, now).await?;
    std::fs::rename(&partial, &done).map_err(io(&done))?;
    prune(dir, keep.max(1))?;
    Ok((done, manifest))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's JSON of a row is the backup's, byte for byte, for the texts
    /// and numbers a registry holds: diacritics, quotes, backslashes, every
    /// control character, emoji, empty texts, nulls, negative and large
    /// integers; a table with a real column is left to the exact reading.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_writes_rows_as_the_backup_does() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("j.db").display());
        let db = Db::connect(&url, 2).await.unwrap();
        let mut conn = db.pool.acquire().await.unwrap();
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n INTEGER, note TEXT)")
            .await
            .unwrap();
        let mut texts: Vec<String> = (0_u8..0x20).map(|c| format!("a{}b", c as char)).collect();
        texts.extend(
            [
                "Nguyễn Văn Đức",
                "\"quoted\"",
                "back\\slash",
                "/slash/",
                "tab\tand\nline",
                "😀 emoji",
                "",
                "\u{7f}del",
                "\u{2028}sep",
                "Ǹ combining ̀",
            ]
            .map(str::to_owned),
        );
        for (i, t) in texts.iter().enumerate() {
            sqlx::query("INSERT INTO t (id, name, n, note) VALUES ($1, $2, $3, $4)")
                .bind(i as i64 + 1)
                .bind(t)
                .bind([i64::MIN, -1, 0, i64::MAX][i % 4])
                .bind(if i % 3 == 0 { None } else { Some(t.clone()) })
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        let tables = catalogue(&mut conn, Backend::Sqlite).await.unwrap();
        let t = tables.iter().find(|t| t.name == "t").unwrap();
        let quick = sqlite_json_rows(&mut conn, t).await.unwrap().unwrap();
        let exact = read_table(&mut conn, Backend::Sqlite, t, None)
            .await
            .unwrap();
        assert_eq!(quick, exact);
        assert_eq!(quick.0, texts.len() as u64);
        conn.execute("CREATE TABLE r (id INTEGER PRIMARY KEY, x REAL)")
            .await
            .unwrap();
        let tables = catalogue(&mut conn, Backend::Sqlite).await.unwrap();
        let r = tables.iter().find(|t| t.name == "r").unwrap();
        assert!(sqlite_json_rows(&mut conn, r).await.unwrap().is_none());
        drop(conn);
        db.close().await;
    }

    #[test]
    fn sqlite_declared_types_follow_affinity() {
        assert_eq!(sqlite_kind("BIGINT"), ColumnType::Integer);
        assert_eq!(sqlite_kind("INTEGER"), ColumnType::Integer);
        assert_eq!(sqlite_kind("TEXT"), ColumnType::Text);
        assert_eq!(sqlite_kind("BLOB"), ColumnType::Blob);
        assert_eq!(sqlite_kind("DOUBLE PRECISION"), ColumnType::Real);
        assert_eq!(sqlite_kind("REAL"), ColumnType::Real);
    }

    #[test]
    fn referenced_tables_come_first() {
        let t = |name: &str, refs: &[&str]| TableInfo {
            name: name.into(),
            columns: Vec::new(),
            json_columns: BTreeSet::new(),
            primary_key: Vec::new(),
            references: refs.iter().map(|r| (*r).to_owned()).collect(),
        };
        let order: Vec<String> = dependency_order(vec![
            t("a_sources", &["persons"]),
            t("persons", &[]),
            t("fields", &["a_sources"]),
            t("users", &[]),
        ])
        .into_iter()
        .map(|t| t.name)
        .collect();
        assert_eq!(order, ["persons", "users", "a_sources", "fields"]);
    }

    #[test]
    fn scheduled_names_sort_by_time() {
        assert_eq!(
            scheduled_name("2026-12-06T22:00:05.123456Z"),
            "kieubao-20261206T220005123456Z"
        );
        assert!(scheduled_name("2026-12-06T22:00:05Z") < scheduled_name("2026-12-07T01:00:00Z"));
    }

    #[test]
    fn prune_keeps_the_newest_and_clears_unfinished() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "kieubao-20261201T000000Z",
            "kieubao-20261202T000000Z",
            "kieubao-20261203T000000Z",
        ] {
            std::fs::create_dir(dir.path().join(name)).unwrap();
            std::fs::write(dir.path().join(name).join(MANIFEST), b"{}").unwrap();
        }
        std::fs::create_dir(dir.path().join(".partial-kieubao-20261204T000000Z")).unwrap();
        std::fs::create_dir(dir.path().join("other")).unwrap();
        let removed = prune(dir.path(), 2).unwrap();
        assert_eq!(removed.len(), 2);
        assert!(!dir.path().join("kieubao-20261201T000000Z").exists());
        assert!(dir.path().join("kieubao-20261202T000000Z").exists());
        assert!(dir.path().join("kieubao-20261203T000000Z").exists());
        assert!(dir.path().join("other").exists());
    }
}
