//! Multi-row inserts for bulk loads (demo data, imports): one statement per
//! chunk, within the caller's transaction.

use std::fmt::Write as _;

use sqlx::Arguments as _;
use sqlx::any::AnyArguments;

use crate::{Backend, DbResult, TxConn};

/// One value of a bulk row.
#[derive(Debug, Clone)]
pub enum Val {
    Int(Option<i64>),
    Text(Option<String>),
    /// A number, never null: sqlx 0.8.6's `Any` binds a null `f64` as a
    /// `float4` on PostgreSQL, which types the cached statement's parameter
    /// so that a later number in the same place is refused ("incorrect
    /// binary data format"). Leave the column out of the rows without one.
    Real(f64),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(Some(v))
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::Int(v)
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(Some(v))
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(Some(v.to_owned()))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::Text(v)
    }
}

/// Largest number of bound parameters per statement: `SQLite` allows 32,766,
/// PostgreSQL 65,535. Fewer, larger statements spend less per row on the
/// round trip to the driver (a 46-column person row gives ~350 rows a
/// statement on `SQLite`).
const MAX_PARAMS_SQLITE: usize = 16_000;
const MAX_PARAMS_POSTGRES: usize = 8_000;

/// Inserts `rows` into `table` (columns in order), in as few statements as
/// the parameter limits allow. Takes the rows: their values move into the
/// statements' arguments without a copy.
pub async fn insert(
    tx: &mut TxConn,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Val>>,
) -> DbResult<()> {
    let backend = if tx.backend_name().eq_ignore_ascii_case("sqlite") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    };
    run(tx, build(backend, table, columns, rows)).await
}

/// A multi-row `INSERT` with its values bound, ready to run: built off the
/// async threads (it is pure), run by [`run`].
pub struct Statement {
    sql: String,
    args: AnyArguments<'static>,
}

/// Builds the statements that insert `rows` into `table` (columns in order).
pub fn build(
    backend: Backend,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Val>>,
) -> Vec<Statement> {
    if rows.is_empty() || columns.is_empty() {
        return Vec::new();
    }
    // SQLite looks a numbered parameter's name up in a list per bind, which
    // made binding quadratic in the parameters of a statement (a fifth of an
    // import's time): anonymous `?` parameters bind by position.
    let anonymous = backend == Backend::Sqlite;
    let max_params = if anonymous {
        MAX_PARAMS_SQLITE
    } else {
        MAX_PARAMS_POSTGRES
    };
    let per_stmt = (max_params / columns.len()).max(1);
    let mut out = Vec::with_capacity(rows.len().div_ceil(per_stmt));
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut args = AnyArguments::default();
        let mut n = 1;
        for (i, row) in rows.by_ref().take(per_stmt).enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push('(');
            for (c, v) in row.into_iter().enumerate() {
                if c > 0 {
                    sql.push(',');
                }
                if anonymous {
                    sql.push('?');
                } else {
                    let _ = write!(sql, "${n}");
                }
                n += 1;
                // Adding an integer or a text to the arguments cannot fail.
                let _ = match v {
                    Val::Int(i) => args.add(i),
                    Val::Text(t) => args.add(t),
                    Val::Real(r) => args.add(r),
                };
            }
            sql.push(')');
        }
        out.push(Statement { sql, args });
    }
    out
}

/// Runs statements made by [`build`], in order, in the caller's transaction.
pub async fn run(tx: &mut TxConn, statements: Vec<Statement>) -> DbResult<()> {
    for s in statements {
        sqlx::query_with(&s.sql, s.args).execute(&mut **tx).await?;
    }
    Ok(())
}

/// After inserting explicit ids on PostgreSQL, moves the identity sequence
/// past them (no-op on `SQLite`, whose rowid follows the maximum).
pub async fn sync_identity(tx: &mut TxConn, backend: Backend, table: &str) -> DbResult<()> {
    if backend == Backend::Postgres {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        ))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Indexes dropped for the length of a bulk load and built again, sorted,
/// before it commits (see [`defer_indexes`]).
#[derive(Debug, Default)]
pub struct DeferredIndexes {
    create: Vec<String>,
}

impl DeferredIndexes {
    /// True when some index waits to be built again.
    pub fn is_active(&self) -> bool {
        !self.create.is_empty()
    }
}

/// `SQLite` only (a no-op on PostgreSQL, where dropping an index would lock
/// the table against readers until commit): drops the named indexes inside
/// the caller's transaction, remembering their definitions from the schema,
/// so that a large load does not pay a random-order B-tree insert per row.
/// [`restore_indexes`] builds them again in the same transaction; a rollback
/// (or a crash) brings them back untouched. Readers keep the committed
/// schema meanwhile (WAL).
pub async fn defer_indexes(
    tx: &mut TxConn,
    backend: Backend,
    names: &[&str],
) -> DbResult<DeferredIndexes> {
    let mut out = DeferredIndexes::default();
    if backend != Backend::Sqlite {
        return Ok(out);
    }
    for name in names {
        let sql: Option<String> =
            sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?")
                .bind(*name)
                .fetch_optional(&mut **tx)
                .await?;
        if let Some(sql) = sql {
            sqlx::query(&format!("DROP INDEX {name}"))
                .execute(&mut **tx)
                .await?;
            out.create.push(sql);
        }
    }
    Ok(out)
}

/// Builds again the indexes [`defer_indexes`] dropped.
pub async fn restore_indexes(tx: &mut TxConn, deferred: DeferredIndexes) -> DbResult<()> {
    for sql in deferred.create {
        sqlx::query(&sql).execute(&mut **tx).await?;
    }
    Ok(())
}
