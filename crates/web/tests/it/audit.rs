use app::audit::{self, Event, Verification};

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
        audit::verify(&app.app.db).await.unwrap(),
        Verification::Intact { rows: 5 }
    );
    // The table refuses edits; a forger with DDL rights drops the guard first.
    let pool = &app.app.db.pool;
    match app.backend {
        db::Backend::Sqlite => {
            sqlx::query("DROP TRIGGER audit_log_no_update")
                .execute(pool)
                .await
                .unwrap();
            sqlx::query("DROP TRIGGER audit_log_no_delete")
                .execute(pool)
                .await
                .unwrap();
        }
        db::Backend::Postgres => {
            sqlx::query("DROP TRIGGER audit_log_no_change ON audit_log")
                .execute(pool)
                .await
                .unwrap();
        }
    }
    sqlx::query("UPDATE audit_log SET entity_id = 'forged' WHERE id = 3")
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(
        audit::verify(&app.app.db).await.unwrap(),
        Verification::Broken {
            row_id: 3,
            reason: "content does not match its hash"
        }
    );
    sqlx::query("DELETE FROM audit_log WHERE id = 3")
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(
        audit::verify(&app.app.db).await.unwrap(),
        Verification::Broken {
            row_id: 3,
            reason: "missing row"
        }
    );
}
