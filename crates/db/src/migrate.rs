//! Versioned migrations, one pair of files per backend and step, embedded in
//! the binary. Each step runs in one transaction (SQLite and PostgreSQL both
//! have transactional DDL), so a failure never leaves a half-migrated schema.

use sqlx::Executor;

use crate::{Backend, Db, DbError, DbResult};

/// One migration step.
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    sqlite_up: &'static str,
    sqlite_down: &'static str,
    postgres_up: &'static str,
    postgres_down: &'static str,
}

macro_rules! migration {
    ($version:literal, $name:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite_up: include_str!(concat!("../migrations/sqlite/", $name, ".up.sql")),
            sqlite_down: include_str!(concat!("../migrations/sqlite/", $name, ".down.sql")),
            postgres_up: include_str!(concat!("../migrations/postgres/", $name, ".up.sql")),
            postgres_down: include_str!(concat!("../migrations/postgres/", $name, ".down.sql")),
        }
    };
}

/// Every migration, in order. Never edit one that has been merged; add a new one.
pub static MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_foundation"),
    migration!(2, "0002_registry"),
    migration!(3, "0003_search"),
    migration!(4, "0004_import"),
    migration!(5, "0005_linkage"),
    migration!(6, "0006_reports"),
    migration!(7, "0007_bulk_change_seq"),
    migration!(8, "0008_auth_epoch"),
    migration!(9, "0009_import_layout"),
    migration!(10, "0010_source_fields"),
    migration!(11, "0011_audit_keys"),
    migration!(12, "0012_scan_jobs"),
    migration!(13, "0013_associations"),
    migration!(14, "0014_publishing"),
    migration!(15, "0015_portal"),
    migration!(16, "0016_requests"),
    migration!(17, "0017_exchange"),
    migration!(18, "0018_exchange_files"),
    migration!(19, "0019_investment"),
    migration!(20, "0020_events"),
    migration!(21, "0021_newsletters"),
    migration!(23, "0023_directory"),
    migration!(24, "0024_petitions"),
    migration!(25, "0025_rounds"),
    migration!(26, "0026_staff_email"),
    migration!(27, "0027_exchange_received"),
];

/// The schema version this program expects.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

impl Migration {
    fn up(&self, backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => self.sqlite_up,
            Backend::Postgres => self.postgres_up,
        }
    }
    fn down(&self, backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => self.sqlite_down,
            Backend::Postgres => self.postgres_down,
        }
    }
}

async fn ensure_table(db: &Db) -> DbResult<()> {
    db.pool
        .execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )",
        )
        .await?;
    Ok(())
}

/// The version the database is at (0 when empty).
pub async fn current_version(db: &Db) -> DbResult<i64> {
    ensure_table(db).await?;
    let v: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
        .fetch_one(&db.pool)
        .await?;
    Ok(v.unwrap_or(0))
}

/// Applies every pending migration. Refuses a database from a newer program.
/// Returns the versions applied.
pub async fn run(db: &Db, now: &str) -> DbResult<Vec<i64>> {
    run_to(db, now, latest_version()).await
}

/// The migrations `run` would apply, in order (`migrate --status`).
pub async fn pending(db: &Db) -> DbResult<Vec<&'static Migration>> {
    let current = current_version(db).await?;
    Ok(MIGRATIONS.iter().filter(|m| m.version > current).collect())
}

/// Applies the pending migrations up to `target` (a restore brings an empty
/// database to its backup's version, no further).
pub async fn run_to(db: &Db, now: &str, target: i64) -> DbResult<Vec<i64>> {
    let current = current_version(db).await?;
    let known = latest_version();
    if current > known {
        return Err(DbError::NewerSchema {
            found: current,
            known,
        });
    }
    let mut applied = Vec::new();
    for m in MIGRATIONS
        .iter()
        .filter(|m| m.version > current && m.version <= target)
    {
        let mut tx = db.pool.begin().await?;
        // Several servers may start at once on one PostgreSQL: serialise them.
        if db.backend == Backend::Postgres {
            tx.execute("SELECT pg_advisory_xact_lock(4242424242)")
                .await?;
            let done: Option<i64> =
                sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                    .bind(m.version)
                    .fetch_optional(&mut *tx)
                    .await?;
            if done.is_some() {
                continue;
            }
        }
        tx.execute(m.up(db.backend)).await?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(version = m.version, name = m.name, "migration applied");
        applied.push(m.version);
    }
    Ok(applied)
}

/// Reverts migrations down to `target` (exclusive). Used by tests and by
/// `kieubao migrate --down-to`.
pub async fn revert_to(db: &Db, target: i64) -> DbResult<Vec<i64>> {
    let current = current_version(db).await?;
    let mut reverted = Vec::new();
    for m in MIGRATIONS
        .iter()
        .rev()
        .filter(|m| m.version > target && m.version <= current)
    {
        let mut tx = db.pool.begin().await?;
        tx.execute(m.down(db.backend)).await?;
        sqlx::query("DELETE FROM schema_migrations WHERE version = $1")
            .bind(m.version)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        reverted.push(m.version);
    }
    Ok(reverted)
}
