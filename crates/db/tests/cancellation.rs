//! Write transactions dropped at any moment — while `BEGIN` is in flight,
//! half-way through, during `COMMIT` — never return a connection to the
//! pool inside a transaction, on both backends.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use std::time::Duration;

use db::{Db, migrate, testing};

const NOW: &str = "2026-01-01T00:00:00.000000Z";

/// A small deterministic sequence of waits (microseconds).
fn waits(n: usize) -> Vec<u64> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % 3_000
        })
        .collect()
}

async fn cancelled_transactions_leave_the_pool_usable(db: &Db) {
    migrate::run(db, NOW).await.unwrap();
    let attempts = 1_200;
    let completed = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
    // Eight writers at once, so that BEGIN often waits (for the write lock,
    // for a connection) when its caller gives up.
    let mut writers = Vec::new();
    for w in 0..8 {
        let (db, completed) = (db.clone(), completed.clone());
        writers.push(tokio::spawn(async move {
            for (j, wait) in waits(attempts / 8).into_iter().enumerate() {
                let i = w * 1_000 + j;
                let db2 = db.clone();
                let work = async move {
                    let mut tx = db2.begin_write().await?;
                    sqlx::query(
                        "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, 0, 1)",
                    )
                    .bind(format!("k{i}"))
                    .execute(&mut *tx.tx)
                    .await?;
                    tokio::task::yield_now().await;
                    tx.commit().await
                };
                // Two in three are abandoned after a random wait (up to
                // 1.5 ms), some while BEGIN is still in flight.
                let limit = if j % 3 == 0 {
                    Duration::from_secs(30)
                } else {
                    Duration::from_micros((wait + w as u64 * 37) % 1_500)
                };
                if let Ok(r) = tokio::time::timeout(limit, work).await {
                    r.unwrap();
                    completed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    let completed = completed.load(std::sync::atomic::Ordering::Relaxed);
    // Abandoned work ends on its own; then every connection must be clean:
    // as many write transactions as the pool holds, at once and in turn,
    // each beginning promptly.
    tokio::time::sleep(Duration::from_millis(300)).await;
    for round in 0..20 {
        let mut tx = tokio::time::timeout(Duration::from_secs(5), db.begin_write())
            .await
            .unwrap_or_else(|_| panic!("write {round} could not begin: a connection is wedged"))
            .unwrap();
        sqlx::query("INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, 0, 1)")
            .bind(format!("after{round}"))
            .execute(&mut *tx.tx)
            .await
            .unwrap_or_else(|e| panic!("write {round} failed: {e}"));
        // Dropped without commit: rolled back.
        drop(tx);
    }
    let mut tx = db.begin_write().await.unwrap();
    sqlx::query("INSERT INTO rate_limits (key, window_start, hits) VALUES ('last', 0, 1)")
        .execute(&mut *tx.tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rate_limits WHERE key LIKE 'k%'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    // Every transaction whose caller saw it commit is there; abandoned ones
    // either committed entirely (a commit once started finishes) or left
    // nothing.
    assert!(
        kept >= completed && kept <= attempts as i64,
        "{kept} rows for {completed} completed"
    );
    let dropped: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM rate_limits WHERE key LIKE 'after%'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(dropped, 0, "transactions dropped without commit roll back");
    let last: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rate_limits WHERE key = 'last'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(last, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_transactions_are_cancellation_safe() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("c.db").display());
    let db = Db::connect(&url, 3).await.unwrap();
    cancelled_transactions_leave_the_pool_usable(&db).await;
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_transactions_are_cancellation_safe() {
    let name = format!("kb_test_cancel_{}", std::process::id());
    let url = testing::create_pg_database(&name).await.unwrap();
    let db = Db::connect(&url, 3).await.unwrap();
    cancelled_transactions_leave_the_pool_usable(&db).await;
    db.close().await;
    testing::drop_pg_database(&name).await;
}
