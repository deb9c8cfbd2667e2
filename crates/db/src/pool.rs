use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use std::sync::Arc;

use sqlx::{Any, AnyConnection, AnyPool, ConnectOptions, Connection, Executor, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::{DbError, DbResult};

/// Which SQL server is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool with its backend.
#[derive(Debug, Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// SQLite has one writer at a time; taking this lock before a write
    /// transaction avoids `SQLITE_BUSY` on lock upgrade inside the process.
    write_lock: Arc<Mutex<()>>,
}

/// The connection of an open transaction (`&mut *tx.tx` is an executor).
///
/// Empty only after [`WriteTx::commit`] or while the transaction is being
/// rolled back, when nothing can reach it any more.
pub struct TxConn(Option<Transaction<'static, Any>>);

impl std::ops::Deref for TxConn {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        match &self.0 {
            Some(t) => t,
            None => unreachable!("a transaction is used only while it is open"),
        }
    }
}

impl std::ops::DerefMut for TxConn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match &mut self.0 {
            Some(t) => t,
            None => unreachable!("a transaction is used only while it is open"),
        }
    }
}

/// A write transaction. On SQLite it also holds the process's write lock.
///
/// Cancellation-safe: a handler future dropped at any await (a client that
/// hung up, a time-out) never returns a connection to the pool inside a
/// transaction. `BEGIN` and `COMMIT` run in their own tasks, so once started
/// they finish whatever happens to the caller; a transaction dropped without
/// commit is rolled back by a task of its own, and the SQLite write lock is
/// released only once the `ROLLBACK` has run.
pub struct WriteTx {
    pub tx: TxConn,
    guard: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    /// Commits the transaction. The commit runs to its end even if the
    /// caller is cancelled meanwhile (an audit row, an import: work that
    /// must not depend on the client staying connected).
    pub async fn commit(mut self) -> DbResult<()> {
        let tx = self.tx.0.take();
        let guard = self.guard.take();
        let done = tokio::spawn(async move {
            let r = match tx {
                Some(t) => t.commit().await,
                None => Ok(()),
            };
            drop(guard);
            r
        });
        match done.await {
            Ok(r) => Ok(r?),
            Err(e) => Err(DbError::Task(e.to_string())),
        }
    }

    /// Rolls the transaction back and waits for it.
    pub async fn rollback(mut self) -> DbResult<()> {
        let tx = self.tx.0.take();
        let guard = self.guard.take();
        if let Some(t) = tx {
            t.rollback().await?;
        }
        drop(guard);
        Ok(())
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        let Some(tx) = self.tx.0.take() else {
            return;
        };
        let guard = self.guard.take();
        match tokio::runtime::Handle::try_current() {
            // Roll back explicitly, then let the next writer in.
            Ok(h) => {
                h.spawn(async move {
                    if let Err(e) = tx.rollback().await {
                        tracing::warn!(error = %e, "rollback of an abandoned transaction failed");
                    }
                    drop(guard);
                });
            }
            // No runtime (process ending): sqlx queues the rollback itself.
            Err(_) => drop(tx),
        }
    }
}

impl std::ops::Deref for WriteTx {
    type Target = TxConn;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl Db {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://...`).
    ///
    /// SQLite is put in WAL mode with a busy time-out so that readers never
    /// block the writer and concurrent writers wait instead of failing.
    pub async fn connect(url: &str, max_connections: u32) -> DbResult<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(DbError::UnsupportedUrl);
        };
        let opts = AnyConnectOptions::from_str(url)?.disable_statement_logging();
        let mut pool_opts = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            // Last line of defence: a connection that comes back still
            // inside a transaction is closed (which rolls it back) rather
            // than lent to the next request with someone else's locks.
            .after_release(|conn, _meta| {
                Box::pin(async move {
                    if conn.is_in_transaction() {
                        tracing::warn!("a connection came back inside a transaction; closed");
                        return Ok(false);
                    }
                    Ok(true)
                })
            });
        if backend == Backend::Sqlite {
            pool_opts = pool_opts.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // No memory map: audit rows make the file grow at every
                    // commit, and each connection then maps the grown file
                    // again (about 1,200 munmap calls a second under load
                    // at 1M people), which cost more than the copies saved.
                    conn.execute(
                        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; \
                         PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000; \
                         PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;",
                    )
                    .await?;
                    Ok(())
                })
            });
        }
        let pool = pool_opts.connect_with(opts).await?;
        Ok(Self {
            pool,
            backend,
            write_lock: Arc::new(Mutex::new(())),
        })
    }

    /// Begins a write transaction (see [`WriteTx`]).
    ///
    /// The lock and the `BEGIN` are taken in a task of their own: if the
    /// caller is dropped while they are in flight, the task still finishes
    /// them and then drops the transaction, which rolls it back. (Dropping
    /// sqlx's `begin` future half-way would leave the connection inside a
    /// transaction it no longer tracks.)
    pub async fn begin_write(&self) -> DbResult<WriteTx> {
        let db = self.clone();
        let started = tokio::spawn(async move {
            let guard = if db.backend == Backend::Sqlite {
                Some(db.write_lock.clone().lock_owned().await)
            } else {
                None
            };
            // BEGIN IMMEDIATE takes SQLite's write lock up front (waiting up to
            // the busy time-out), so another process writing the same file
            // cannot make a read-then-write transaction fail half-way.
            let tx = match db.backend {
                Backend::Sqlite => db.pool.begin_with("BEGIN IMMEDIATE").await?,
                Backend::Postgres => db.pool.begin().await?,
            };
            Ok::<_, DbError>(WriteTx {
                tx: TxConn(Some(tx)),
                guard,
            })
        });
        match started.await {
            Ok(r) => r,
            Err(e) => Err(DbError::Task(e.to_string())),
        }
    }

    /// True when a write transaction can begin within `within` (readiness:
    /// a server whose writes are stuck must leave the rotation).
    pub async fn can_write(&self, within: Duration) -> bool {
        match tokio::time::timeout(within, self.begin_write()).await {
            Ok(Ok(tx)) => tx.rollback().await.is_ok(),
            _ => false,
        }
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query_scalar::<_, i64>("SELECT 1")
            .fetch_one(&self.pool)
            .await
            .is_ok()
    }

    /// Closes every connection (graceful shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
