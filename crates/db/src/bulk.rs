//! Multi-row inserts for bulk loads (demo data, imports): one statement per
//! chunk, within the caller's transaction.

use std::fmt::Write as _;

use sqlx::{Any, Transaction};

use crate::{Backend, DbResult};

/// One value of a bulk row.
#[derive(Debug, Clone)]
pub enum Val {
    Int(Option<i64>),
    Text(Option<String>),
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

/// Largest number of bound parameters per statement (`SQLite` allows 32,766).
const MAX_PARAMS: usize = 400;

/// Inserts `rows` into `table` (columns in order), in as few statements as
/// the parameter limits allow.
pub async fn insert(
    tx: &mut Transaction<'static, Any>,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Val>],
) -> DbResult<()> {
    if rows.is_empty() || columns.is_empty() {
        return Ok(());
    }
    let per_stmt = (MAX_PARAMS / columns.len()).max(1);
    // SQLite looks a numbered parameter's name up in a list per bind, which
    // made binding quadratic in the parameters of a statement (a fifth of an
    // import's time): anonymous `?` parameters bind by position.
    let anonymous = tx.backend_name().eq_ignore_ascii_case("sqlite");
    for chunk in rows.chunks(per_stmt) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 1;
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push('(');
            for c in 0..columns.len() {
                if c > 0 {
                    sql.push(',');
                }
                if anonymous {
                    sql.push('?');
                } else {
                    let _ = write!(sql, "${n}");
                }
                n += 1;
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for row in chunk {
            for v in row {
                q = match v {
                    Val::Int(i) => q.bind(*i),
                    Val::Text(t) => q.bind(t.clone()),
                };
            }
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// After inserting explicit ids on PostgreSQL, moves the identity sequence
/// past them (no-op on `SQLite`, whose rowid follows the maximum).
pub async fn sync_identity(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    table: &str,
) -> DbResult<()> {
    if backend == Backend::Postgres {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        ))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
