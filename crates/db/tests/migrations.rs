//! Migrations run up → down → up on both backends, and a database from a
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]
//! newer program is refused.

use db::{Db, DbError, migrate};

const NOW: &str = "2026-01-01T00:00:00.000000Z";

async fn up_down_up(db: &Db) {
    let applied = migrate::run(db, NOW).await.unwrap();
    assert_eq!(applied.len(), migrate::MIGRATIONS.len());
    assert_eq!(
        migrate::current_version(db).await.unwrap(),
        migrate::latest_version()
    );
    // A second run applies nothing.
    assert!(migrate::run(db, NOW).await.unwrap().is_empty());
    let reverted = migrate::revert_to(db, 0).await.unwrap();
    assert_eq!(reverted.len(), migrate::MIGRATIONS.len());
    assert_eq!(migrate::current_version(db).await.unwrap(), 0);
    migrate::run(db, NOW).await.unwrap();
    // The placeholders `$1` work on this backend and the audit log refuses edits.
    sqlx::query(
        "INSERT INTO audit_log (at, actor_name, action, prev_hash, hash) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(NOW)
    .bind("test")
    .bind("test.action")
    .bind("")
    .bind("h")
    .execute(&db.pool)
    .await
    .unwrap();
    let edit = sqlx::query("UPDATE audit_log SET action = 'forged'")
        .execute(&db.pool)
        .await;
    assert!(edit.is_err(), "audit_log must be append-only");
    let delete = sqlx::query("DELETE FROM audit_log").execute(&db.pool).await;
    assert!(delete.is_err(), "audit_log must be append-only");
}

async fn newer_schema_is_refused(db: &Db) {
    sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
        .bind(migrate::latest_version() + 1)
        .bind("from_the_future")
        .bind(NOW)
        .execute(&db.pool)
        .await
        .unwrap();
    let err = migrate::run(db, NOW).await.unwrap_err();
    assert!(matches!(err, DbError::NewerSchema { .. }), "{err}");
}

#[tokio::test]
async fn migrations_up_down_up_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let db = Db::connect(&url, 2).await.unwrap();
    up_down_up(&db).await;
    newer_schema_is_refused(&db).await;
}

#[tokio::test]
async fn migrations_up_down_up_on_postgres() {
    let name = format!("kb_test_mig_{}", std::process::id());
    db::testing::drop_pg_database(&name).await;
    let url = db::testing::create_pg_database(&name).await.unwrap();
    let db = Db::connect(&url, 2).await.unwrap();
    up_down_up(&db).await;
    newer_schema_is_refused(&db).await;
    db.close().await;
    db::testing::drop_pg_database(&name).await;
}
