use app::audit::{self, Event, Verification};
use sha2::{Digest, Sha256};

use crate::dual;
use crate::helpers::TestApp;

dual!(audit_chain_detects_tampering);

async fn audit_chain_detects_tampering(app: TestApp) {
    let actor = app::Actor::system("test");
    for i in 0..5 {
        audit::record(&app.app, &actor, Event::new("test.event", "thing", &i))
            .await
            .unwrap();
    }
    assert_eq!(
        audit::verify(&app.app).await.unwrap(),
        Verification::Intact { rows: 5 }
    );
    // The table refuses edits; a forger with DDL rights drops the guard first.
    let pool = &app.app.db.pool;
    drop_triggers(&app).await;
    sqlx::query("UPDATE audit_log SET entity_id = 'forged' WHERE id = 3")
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(
        audit::verify(&app.app).await.unwrap(),
        Verification::Broken {
            row_id: 3,
            reason: "content does not match its HMAC"
        }
    );
    sqlx::query("DELETE FROM audit_log WHERE id = 3")
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(
        audit::verify(&app.app).await.unwrap(),
        Verification::Broken {
            row_id: 3,
            reason: "missing row"
        }
    );
}

/// What the database's owner does first: drop the append-only guard.
async fn drop_triggers(app: &TestApp) {
    let pool = &app.app.db.pool;
    let drops: &[&str] = match app.backend {
        db::Backend::Sqlite => &[
            "DROP TRIGGER audit_log_no_update",
            "DROP TRIGGER audit_log_no_delete",
        ],
        db::Backend::Postgres => &["DROP TRIGGER audit_log_no_change ON audit_log"],
    };
    for sql in drops {
        sqlx::query(sql).execute(pool).await.unwrap();
    }
}

async fn record_n(app: &app::App, from: usize, n: usize) {
    let actor = app::Actor::system("test");
    for i in from..from + n {
        audit::record(app, &actor, Event::new("test.event", "thing", &i))
            .await
            .unwrap();
    }
}

/// The chain as an attacker without the key recomputes it: plain SHA-256
/// over the same fields, from `from_id` on, after `edit` ran.
async fn recompute_without_key(app: &TestApp, from_id: i64, unkeyed: bool) {
    use sqlx::Row as _;
    let pool = &app.app.db.pool;
    let rows = sqlx::query(
        "SELECT id, at, actor_id, actor_name, ip, action, entity, entity_id, details FROM audit_log ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut prev = String::new();
    for r in rows {
        let id: i64 = r.get(0);
        if id < from_id {
            prev = sqlx::query_scalar::<_, String>("SELECT hash FROM audit_log WHERE id = $1")
                .bind(id)
                .fetch_one(pool)
                .await
                .unwrap();
            continue;
        }
        let actor_id: Option<i64> = r.get(2);
        let mut h = Sha256::new();
        for part in [
            prev.clone(),
            id.to_string(),
            r.get::<String, _>(1),
            actor_id.map(|i| i.to_string()).unwrap_or_default(),
            r.get(3),
            r.get(4),
            r.get(5),
            r.get(6),
            r.get(7),
            r.get(8),
        ] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        let hash = hex::encode(h.finalize());
        let sql = if unkeyed {
            "UPDATE audit_log SET prev_hash = $1, hash = $2, key_id = '' WHERE id = $3"
        } else {
            "UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE id = $3"
        };
        sqlx::query(sql)
            .bind(&prev)
            .bind(&hash)
            .bind(id)
            .execute(pool)
            .await
            .unwrap();
        prev = hash;
    }
}

dual!(
    audit_anchors_go_to_syslog_too,
    audit_rows_deleted_after_an_anchor_are_reported,
    audit_edit_and_recompute_without_the_key_is_detected,
    audit_chain_rewritten_unkeyed_is_detected,
    audit_key_rotation_keeps_every_segment_verifiable,
    audit_rows_before_the_key_stay_verifiable,
    audit_keys_are_never_in_the_database,
);

/// Finding 2: dropping the last rows (triggers dropped first) verified as
/// intact; now the last signed anchor names the missing rows. Rows appended
/// in their place by a server do not hide it either.
async fn audit_rows_deleted_after_an_anchor_are_reported(app: TestApp) {
    record_n(&app.app, 0, 8).await;
    let a = audit::anchor(&app.app, true).await.unwrap().unwrap();
    assert_eq!((a.rows, a.last_id), (8, 8));
    assert_eq!(
        audit::verify(&app.app).await.unwrap(),
        Verification::Intact { rows: 8 }
    );
    drop_triggers(&app).await;
    sqlx::query("DELETE FROM audit_log WHERE id > 5")
        .execute(&app.app.db.pool)
        .await
        .unwrap();
    let r = audit::verify_report(&app.app).await.unwrap();
    assert_eq!(
        r.outcome,
        Verification::Truncated {
            first_missing: 6,
            last_missing: 8,
            anchor_at: a.at.clone()
        }
    );
    assert_eq!(r.anchors, 1);
    // New rows fill ids 6–8 again: row 8 is not the row the anchor signed.
    record_n(&app.app, 100, 3).await;
    assert_eq!(
        audit::verify(&app.app).await.unwrap(),
        Verification::AnchorMismatch {
            row_id: 8,
            anchor_at: a.at
        }
    );
    // An edited anchor line fails its signature.
    let log = app.audit_dir.join("audit-anchors.log");
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, text.replacen(" 8 8 ", " 5 5 ", 1)).unwrap();
    assert_eq!(
        audit::verify(&app.app).await.unwrap(),
        Verification::BadAnchor {
            line: 1,
            reason: "signature does not verify"
        }
    );
}

/// Finding 2: an edited row with every later hash recomputed (plain
/// SHA-256, as whoever lacks the key must) fails at the edited row.
async fn audit_edit_and_recompute_without_the_key_is_detected(app: TestApp) {
    record_n(&app.app, 0, 6).await;
    drop_triggers(&app).await;
    sqlx::query("UPDATE audit_log SET entity_id = 'forged' WHERE id = 3")
        .execute(&app.app.db.pool)
        .await
        .unwrap();
    recompute_without_key(&app, 3, false).await;
    assert_eq!(
        audit::verify(&app.app).await.unwrap(),
        Verification::Broken {
            row_id: 3,
            reason: "content does not match its HMAC"
        }
    );
    // Passing the rows off as the unkeyed segment fails too.
    recompute_without_key(&app, 3, true).await;
    assert_eq!(
        audit::verify(&app.app).await.unwrap(),
        Verification::Broken {
            row_id: 3,
            reason: "unkeyed row after keyed rows"
        }
    );
}

/// Finding 2: triggers dropped and the whole chain rewritten as if it had
/// never been keyed: the signed anchor catches it.
async fn audit_chain_rewritten_unkeyed_is_detected(app: TestApp) {
    record_n(&app.app, 0, 4).await;
    let a = audit::anchor(&app.app, true).await.unwrap().unwrap();
    drop_triggers(&app).await;
    sqlx::query("UPDATE audit_log SET entity_id = 'forged' WHERE id = 2")
        .execute(&app.app.db.pool)
        .await
        .unwrap();
    recompute_without_key(&app, 1, true).await;
    assert_eq!(
        audit::verify(&app.app).await.unwrap(),
        Verification::AnchorMismatch {
            row_id: 4,
            anchor_at: a.at
        }
    );
}

/// Rows before and after a rotation verify, each segment under its key;
/// a second server holding the old key file learns the new key from it.
async fn audit_key_rotation_keeps_every_segment_verifiable(app: TestApp) {
    let second = app::App::new(
        db::Db::connect(&app.db_url, 2).await.unwrap(),
        app.app.settings.clone(),
    );
    record_n(&app.app, 0, 3).await;
    record_n(&second, 10, 1).await;
    let new_id = audit::rotate_key(&app.app, &app::Actor::system("test"))
        .await
        .unwrap();
    record_n(&app.app, 20, 2).await;
    record_n(&second, 30, 2).await;
    audit::anchor(&app.app, true).await.unwrap();
    let r = audit::verify_report(&app.app).await.unwrap();
    assert_eq!(r.outcome, Verification::Intact { rows: 9 });
    assert_eq!(r.key_ids.len(), 2);
    assert_eq!(r.key_ids[1], new_id);
    assert_eq!(r.unkeyed_rows, 0);
    let keys = std::fs::read_to_string(app.audit_dir.join("audit.key")).unwrap();
    assert!(keys.contains(&r.key_ids[0]) && keys.contains(&new_id));
    // A row of the old segment still fails under the old key.
    drop_triggers(&app).await;
    sqlx::query(r#"UPDATE audit_log SET details = '{"forged":1}' WHERE id = 2"#)
        .execute(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        audit::verify(&app.app).await.unwrap(),
        Verification::Broken {
            row_id: 2,
            reason: "content does not match its HMAC"
        }
    );
}

/// Rows written before the key existed stay a plain SHA-256 segment that
/// verify still checks; the keyed rows follow it.
async fn audit_rows_before_the_key_stay_verifiable(app: TestApp) {
    let unkeyed = app::App::new(
        db::Db::connect(&app.db_url, 2).await.unwrap(),
        app::AppSettings {
            audit: app::AuditSettings::default(),
            ..app.app.settings.clone()
        },
    );
    record_n(&unkeyed, 0, 3).await;
    record_n(&app.app, 10, 2).await;
    let r = audit::verify_report(&app.app).await.unwrap();
    assert_eq!(r.outcome, Verification::Intact { rows: 5 });
    assert_eq!(r.unkeyed_rows, 3);
    assert_eq!(r.key_ids.len(), 1);
    // An edit in the unkeyed segment is still caught there.
    drop_triggers(&app).await;
    sqlx::query("UPDATE audit_log SET entity_id = 'x' WHERE id = 2")
        .execute(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        audit::verify(&app.app).await.unwrap(),
        Verification::Broken {
            row_id: 2,
            reason: "content does not match its hash"
        }
    );
}

/// The HMAC key and the anchor secret never reach the database: every
/// table's text is searched for them.
async fn audit_keys_are_never_in_the_database(app: TestApp) {
    use sqlx::Row as _;
    record_n(&app.app, 0, 3).await;
    audit::rotate_key(&app.app, &app::Actor::system("test"))
        .await
        .unwrap();
    record_n(&app.app, 10, 2).await;
    audit::anchor(&app.app, true).await.unwrap();
    let mut secrets: Vec<String> = std::fs::read_to_string(app.audit_dir.join("audit.key"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split(' ').nth(2).unwrap().to_owned())
        .collect();
    assert_eq!(secrets.len(), 2);
    secrets.push(
        std::fs::read_to_string(app.audit_dir.join("audit-anchor.key"))
            .unwrap()
            .trim()
            .to_owned(),
    );
    let pool = &app.app.db.pool;
    let tables: Vec<String> = match app.backend {
        db::Backend::Sqlite => sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        ),
        db::Backend::Postgres => sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
        ),
    }
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(tables.iter().any(|t| t == "audit_log"));
    let mut searched = 0;
    for t in &tables {
        let sql = match app.backend {
            db::Backend::Sqlite => {
                let cols: Vec<String> = sqlx::query(&format!("PRAGMA table_info(\"{t}\")"))
                    .fetch_all(pool)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| format!("quote(\"{}\")", r.get::<String, _>(1)))
                    .collect();
                format!("SELECT {} FROM \"{t}\"", cols.join(" || ',' || "))
            }
            db::Backend::Postgres => format!("SELECT CAST(t AS TEXT) FROM \"{t}\" t"),
        };
        for row in sqlx::query(&sql).fetch_all(pool).await.unwrap() {
            let text: String = row
                .try_get::<Option<String>, _>(0)
                .unwrap()
                .unwrap_or_default();
            let lower = text.to_lowercase();
            for s in &secrets {
                assert!(!lower.contains(s), "a key is in table {t}");
            }
            searched += 1;
        }
    }
    assert!(searched >= 6, "{searched} rows searched");
}

/// Where configured, each anchor line also goes to a syslog socket.
async fn audit_anchors_go_to_syslog_too(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("log");
    let listener = std::os::unix::net::UnixDatagram::bind(&socket).unwrap();
    listener
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let mut settings = app.app.settings.clone();
    settings.audit.anchor_syslog = Some(socket);
    let server = app::App::new(db::Db::connect(&app.db_url, 2).await.unwrap(), settings);
    record_n(&server, 0, 2).await;
    audit::anchor(&server, true).await.unwrap().unwrap();
    let mut buf = [0u8; 1024];
    let n = listener.recv(&mut buf).unwrap();
    let got = String::from_utf8_lossy(&buf[..n]).into_owned();
    let file = std::fs::read_to_string(app.audit_dir.join("audit-anchors.log")).unwrap();
    assert!(got.starts_with("<110>kieubao["), "{got}");
    assert!(got.ends_with(file.lines().last().unwrap()), "{got}");
    assert_eq!(
        audit::verify(&server).await.unwrap(),
        Verification::Intact { rows: 2 }
    );
}
