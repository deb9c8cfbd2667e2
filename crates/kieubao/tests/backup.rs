//! Backup and restore (issue 25 §7) and upgrades from an earlier schema
//! (§8), on SQLite and PostgreSQL: a backup taken while people are being
//! registered restores into a fresh database of either kind with every
//! table's count and checksum equal and the audit chain verified; a
//! non-empty database and a tampered backup are refused.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use app::audit::Verification;
use app::{Actor, App, AppSettings, Jurisdiction};
use db::backup::{self, BackupError, Manifest};
use db::{Backend, Db};
use domain::Role;

/// A throwaway database of either kind; PostgreSQL's is dropped at the end.
struct TestDb {
    db: Db,
    pg_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
                let db = Db::connect(&url, 8).await.unwrap();
                Self {
                    db,
                    pg_name: None,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let name = format!("kb_test_bk_{}", uuid::Uuid::new_v4().simple());
                let url = db::testing::create_pg_database(&name).await.unwrap();
                let db = Db::connect(&url, 8).await.unwrap();
                Self {
                    db,
                    pg_name: Some(name),
                    _dir: None,
                }
            }
        }
    }

    async fn drop_pg(self) {
        self.db.close().await;
        if let Some(name) = self.pg_name {
            db::testing::drop_pg_database(&name).await;
        }
    }
}

fn settings(audit_dir: &Path) -> AppSettings {
    AppSettings {
        audit: app::AuditSettings::in_dir(audit_dir),
        ..AppSettings::default()
    }
}

fn officer() -> Actor {
    Actor {
        user_id: None,
        username: "system:writer".into(),
        role: Role::ProvinceOfficer,
        jurisdiction: Jurisdiction::Province,
        ip: String::new(),
        token_scopes: None,
    }
}

fn person(n: u64) -> app::registry::people::PersonInput {
    let commune = domain::geo::new_communes_of("42")[0].code.to_owned();
    app::registry::people::PersonInput {
        full_name: Some(format!("Nguyễn Văn Ghi {n}")),
        category: Some("contract_labour".into()),
        country: Some("KR".into()),
        hometown_code: Some(commune),
        passport_no: Some(format!("C{n:07}")),
        ..app::registry::people::PersonInput::default()
    }
}

/// A source database with demo people, a keyed and anchored audit chain.
async fn source(backend: Backend, audit_dir: &Path) -> (TestDb, App) {
    let t = TestDb::new(backend).await;
    db::migrate::run(&t.db, &app::clock::now()).await.unwrap();
    let app = App::new(t.db.clone(), settings(audit_dir));
    app.audit_keys.ring().unwrap();
    app::demo_data::load_people(&app, &Actor::system("test"), 300, 25)
        .await
        .unwrap();
    for n in 0..5 {
        app::registry::people::create(&app, &officer(), &person(n))
            .await
            .unwrap();
    }
    app::audit::anchor(&app, true).await.unwrap();
    (t, app)
}

/// Registers people one after the other until told to stop.
fn writer(app: &App) -> (Arc<AtomicBool>, Arc<AtomicU64>, tokio::task::JoinHandle<()>) {
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(0));
    let (s, w, app) = (stop.clone(), written.clone(), app.clone());
    let task = tokio::spawn(async move {
        let mut n = 1000;
        while !s.load(Ordering::Relaxed) {
            app::registry::people::create(&app, &officer(), &person(n))
                .await
                .unwrap();
            w.fetch_add(1, Ordering::Relaxed);
            n += 1;
        }
    });
    (stop, written, task)
}

/// Every table of `db` has the manifest's row count and rows' checksum.
async fn assert_matches(db: &Db, m: &Manifest) {
    let now = backup::checksums(db).await.unwrap();
    for t in &m.tables {
        let (rows, content) = now
            .get(&t.name)
            .unwrap_or_else(|| panic!("{} missing", t.name));
        assert_eq!(*rows, t.rows, "{} rows", t.name);
        assert_eq!(content, &t.content_sha256, "{} checksum", t.name);
    }
    assert_eq!(now.len(), m.tables.len(), "same tables");
}

/// The snapshot is one instant: each person the writer registered is in
/// it with its audit row (they commit together), or neither is.
async fn assert_consistent(db: &Db) {
    let persons: i64 = db::query_scalar("SELECT COUNT(*) FROM persons")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let created: i64 =
        db::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'person.create'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(persons, 300 + created, "demo people + audited creations");
}

async fn backup_during_writes_restores_identically(backend: Backend) {
    let audit_dir = tempfile::tempdir().unwrap();
    let (src, app) = source(backend, audit_dir.path()).await;
    let (stop, written, task) = writer(&app);
    while written.load(Ordering::Relaxed) < 3 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("b");
    let before = written.load(Ordering::Relaxed);
    let m = app::backup::create(&app, &Actor::system("test"), &dir)
        .await
        .unwrap();
    let during = written.load(Ordering::Relaxed) - before;
    stop.store(true, Ordering::Relaxed);
    task.await.unwrap();
    assert!(m.table("persons").unwrap().rows >= 308, "{m:?}");
    assert!(m.audit.as_ref().unwrap().rows > 0);
    eprintln!("people registered while the backup ran: {during}");
    // The source kept changing: its checksums are not the backup's.
    let live = backup::checksums(&src.db).await.unwrap();
    assert!(live["persons"].0 > m.table("persons").unwrap().rows);

    let report = backup::verify(&dir, true).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);

    let target = TestDb::new(backend).await;
    let r = backup::restore(&target.db, &dir, &app::clock::now())
        .await
        .unwrap();
    assert_eq!(r.rows, m.total_rows());
    assert_matches(&target.db, &m).await;
    assert_consistent(&target.db).await;
    // Restored with the same key file (and anchors): the chain verifies.
    let restored = App::new(target.db.clone(), settings(audit_dir.path()));
    assert!(
        matches!(
            app::audit::verify(&restored).await.unwrap(),
            Verification::Intact { .. }
        ),
        "{:?}",
        app::audit::verify_report(&restored).await.unwrap().outcome
    );
    drop(restored);
    target.drop_pg().await;
    drop(app);
    src.drop_pg().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backup_during_writes_restores_identically_on_sqlite() {
    backup_during_writes_restores_identically(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backup_during_writes_restores_identically_on_postgres() {
    backup_during_writes_restores_identically(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_province_moves_from_sqlite_to_postgres() {
    let audit_dir = tempfile::tempdir().unwrap();
    let (src, app) = source(Backend::Sqlite, audit_dir.path()).await;
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("b");
    let m = app::backup::create(&app, &Actor::system("test"), &dir)
        .await
        .unwrap();
    assert_eq!(m.source_backend, "sqlite");

    let target = TestDb::new(Backend::Postgres).await;
    backup::restore(&target.db, &dir, &app::clock::now())
        .await
        .unwrap();
    assert_matches(&target.db, &m).await;
    let moved = App::new(target.db.clone(), settings(audit_dir.path()));
    assert!(matches!(
        app::audit::verify(&moved).await.unwrap(),
        Verification::Intact { .. }
    ));
    // The sequences follow the restored rows: a new person takes the next
    // id and the next change number, and the chain goes on.
    let max_id: i64 = db::query_scalar("SELECT MAX(id) FROM persons")
        .fetch_one(&target.db.pool)
        .await
        .unwrap();
    let max_seq: i64 = db::query_scalar("SELECT MAX(change_seq) FROM persons")
        .fetch_one(&target.db.pool)
        .await
        .unwrap();
    let p = app::registry::people::create(&moved, &officer(), &person(9))
        .await
        .unwrap();
    assert_eq!(p.id, max_id + 1);
    let seq: i64 = db::query_scalar("SELECT change_seq FROM persons WHERE id = $1")
        .bind(p.id)
        .fetch_one(&target.db.pool)
        .await
        .unwrap();
    assert!(seq > max_seq, "{seq} after {max_seq}");
    assert!(matches!(
        app::audit::verify(&moved).await.unwrap(),
        Verification::Intact { .. }
    ));
    // And back: PostgreSQL's backup restores into SQLite with the same rows.
    let dir2 = out.path().join("b2");
    let m2 = app::backup::create(&moved, &Actor::system("test"), &dir2)
        .await
        .unwrap();
    assert_eq!(m2.source_backend, "postgres");
    let back = TestDb::new(Backend::Sqlite).await;
    backup::restore(&back.db, &dir2, &app::clock::now())
        .await
        .unwrap();
    assert_matches(&back.db, &m2).await;
    drop(moved);
    target.drop_pg().await;
    drop(app);
    src.drop_pg().await;
}

async fn refusals(backend: Backend) {
    let audit_dir = tempfile::tempdir().unwrap();
    let (src, app) = source(backend, audit_dir.path()).await;
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("b");
    app::backup::create(&app, &Actor::system("test"), &dir)
        .await
        .unwrap();
    // Not over existing data: the message names what is there.
    let err = backup::restore(&src.db, &dir, &app::clock::now())
        .await
        .unwrap_err();
    assert!(matches!(err, BackupError::NotEmpty(_)), "{err}");
    assert!(err.to_string().contains("persons: 305 rows"), "{err}");
    // A backup is not written over another one.
    let again = app::backup::create(&app, &Actor::system("test"), &dir).await;
    assert!(again.is_err());
    // Only an administrator of the whole province takes one.
    let denied = app::backup::create(&app, &officer(), &out.path().join("c")).await;
    assert!(matches!(denied, Err(app::AppError::Forbidden)));

    // A changed byte: verify names the file, restore refuses before writing.
    let file = dir.join("persons.jsonl.gz");
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&file, &bytes).unwrap();
    let report = backup::verify(&dir, true).unwrap();
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(report.problems[0].contains("persons.jsonl.gz"));
    assert!(report.problems[0].contains("SHA-256"));
    let empty = TestDb::new(backend).await;
    let err = backup::restore(&empty.db, &dir, &app::clock::now())
        .await
        .unwrap_err();
    assert!(matches!(err, BackupError::Damaged(_)), "{err}");
    assert_eq!(db::migrate::current_version(&empty.db).await.unwrap(), 0);

    // Rows changed and the file's size and SHA-256 forged in the manifest:
    // the rows' own checksum still tells.
    let dir2 = out.path().join("b2");
    app::backup::create(&app, &Actor::system("test"), &dir2)
        .await
        .unwrap();
    let file = dir2.join("persons.jsonl.gz");
    let text = gunzip(&file);
    let forged = text.replacen("Nguyễn Văn Ghi 0", "Nguyễn Văn Giả 0", 1);
    assert_ne!(forged, text);
    write_gz(&file, forged.as_bytes());
    forge_manifest(&dir2, "persons");
    let report = backup::verify(&dir2, false).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let report = backup::verify(&dir2, true).unwrap();
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(
        report.problems[0].contains("checksum"),
        "{:?}",
        report.problems
    );
    let err = backup::restore(&empty.db, &dir2, &app::clock::now())
        .await
        .unwrap_err();
    assert!(matches!(err, BackupError::Mismatch(_)), "{err}");
    // Nothing half restored.
    let persons: i64 = db::query_scalar("SELECT COUNT(*) FROM persons")
        .fetch_one(&empty.db.pool)
        .await
        .unwrap();
    assert_eq!(persons, 0);
    empty.drop_pg().await;
    drop(app);
    src.drop_pg().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn restore_refuses_a_non_empty_database_and_a_tampered_backup_on_sqlite() {
    refusals(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn restore_refuses_a_non_empty_database_and_a_tampered_backup_on_postgres() {
    refusals(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scheduled_backups_keep_the_newest() {
    let audit_dir = tempfile::tempdir().unwrap();
    let (src, app) = source(Backend::Sqlite, audit_dir.path()).await;
    let out = tempfile::tempdir().unwrap();
    let schedule = app::backup::Schedule {
        dir: out.path().join("scheduled"),
        every: Duration::from_millis(300),
        keep: 2,
    };
    let task = tokio::spawn(app::backup::every(app.clone(), schedule.clone()));
    let finished = || -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&schedule.dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.join("manifest.json").exists())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    let audited = || async {
        db::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log WHERE action = 'backup.create'")
            .fetch_one(&src.db.pool)
            .await
            .unwrap()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while audited().await < 4 {
        assert!(std::time::Instant::now() < deadline, "four backups in 30 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    task.abort();
    let _ = task.await;
    let kept = finished();
    assert_eq!(kept.len(), 2, "{kept:?}");
    for dir in &kept {
        let r = backup::verify(dir, true).unwrap();
        assert!(r.problems.is_empty());
    }
    drop(app);
    src.drop_pg().await;
}

/// The committed fixture (`scripts/make_upgrade_fixture.sh`): a database
/// made at an earlier schema version, with people.
fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upgrade")
}

async fn upgraded(db: &Db, from: i64) {
    assert_eq!(db::migrate::current_version(db).await.unwrap(), from);
    let pending = db::migrate::pending(db).await.unwrap();
    assert_eq!(
        pending.iter().map(|m| m.version).collect::<Vec<_>>(),
        db::migrate::MIGRATIONS
            .iter()
            .map(|m| m.version)
            .filter(|v| *v > from)
            .collect::<Vec<_>>()
    );
    let people: i64 = db::query_scalar("SELECT COUNT(*) FROM persons")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(people > 0);
    let applied = db::migrate::run(db, &app::clock::now()).await.unwrap();
    assert_eq!(applied.len(), pending.len());
    assert_eq!(
        db::migrate::current_version(db).await.unwrap(),
        db::migrate::latest_version()
    );
    // The upgraded registry works: its people are listed, a new one is
    // registered after them with a later change number.
    let audit_dir = tempfile::tempdir().unwrap();
    let app = App::new(db.clone(), settings(audit_dir.path()));
    app.audit_keys.ring().unwrap();
    let after: i64 = db::query_scalar("SELECT COUNT(*) FROM persons")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(after, people);
    let max_seq: i64 = db::query_scalar("SELECT MAX(change_seq) FROM persons")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let p = app::registry::people::create(&app, &officer(), &person(1))
        .await
        .unwrap();
    let seq: i64 = db::query_scalar("SELECT change_seq FROM persons WHERE id = $1")
        .bind(p.id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(seq > max_seq);
    let r = app.search.rebuild(&app).await.unwrap();
    assert_eq!(r.indexed as i64, people + 1);
}

fn fixture_version() -> i64 {
    let m = backup::read_manifest(&fixture().join("backup")).unwrap();
    assert!(m.schema_version < db::migrate::latest_version());
    m.schema_version
}

#[tokio::test]
async fn a_database_of_an_earlier_schema_upgrades_on_sqlite() {
    // The SQLite file itself, as the earlier program left it.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("old.db");
    std::fs::copy(fixture().join("registry.sqlite"), &file).unwrap();
    let db = Db::connect(&format!("sqlite://{}?mode=rw", file.display()), 4)
        .await
        .unwrap();
    upgraded(&db, fixture_version()).await;
    db.close().await;
}

#[tokio::test]
async fn a_database_of_an_earlier_schema_upgrades_on_postgres() {
    // The same rows, loaded into PostgreSQL at that schema version.
    let t = TestDb::new(Backend::Postgres).await;
    let r = backup::restore(&t.db, &fixture().join("backup"), &app::clock::now())
        .await
        .unwrap();
    assert_eq!(r.manifest.schema_version, fixture_version());
    upgraded(&t.db, fixture_version()).await;
    t.drop_pg().await;
}

// ---- helpers of the tampering test

fn gunzip(path: &Path) -> String {
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap()),
        &mut text,
    )
    .unwrap();
    text
}

fn write_gz(path: &Path, bytes: &[u8]) {
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::default(),
    );
    std::io::Write::write_all(&mut gz, bytes).unwrap();
    gz.finish().unwrap();
}

/// Rewrites the manifest's size and SHA-256 of a table's file to match it.
fn forge_manifest(dir: &Path, table: &str) {
    use sha2::Digest as _;
    let bytes = std::fs::read(dir.join(format!("{table}.jsonl.gz"))).unwrap();
    let path = dir.join("manifest.json");
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    for t in m["tables"].as_array_mut().unwrap() {
        if t["name"] == table {
            t["bytes"] = serde_json::json!(bytes.len());
            t["sha256"] = serde_json::json!(hex::encode(sha2::Sha256::digest(&bytes)));
        }
    }
    std::fs::write(&path, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
}
