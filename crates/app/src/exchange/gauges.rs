//! What `/metrics` reads from the database (issue 25 §6): the web layer
//! never names SQL. Counts only, no personal data.

use crate::App;

/// The registry's gauges at one moment.
#[derive(Debug, Clone, Default)]
pub struct Gauges {
    /// Imports by status.
    pub imports: Vec<(String, i64)>,
    /// Duplicate scans by status.
    pub scans: Vec<(String, i64)>,
    /// Webhook deliveries by status.
    pub webhooks: Vec<(String, i64)>,
    /// Rows of the audit chain.
    pub audit_rows: i64,
    /// The change feed's latest number.
    pub feed_head: i64,
    /// The registry's latest change number (what search indexes catch up to).
    pub change_seq: i64,
}

async fn counts(app: &App, sql: &str) -> Vec<(String, i64)> {
    sqlx::query_as::<_, (String, i64)>(sql)
        .fetch_all(&app.db.pool)
        .await
        .unwrap_or_default()
}

async fn scalar(app: &App, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(&app.db.pool)
        .await
        .unwrap_or(0)
}

/// Reads the gauges (a failed query reads as nothing rather than failing
/// the scrape).
pub async fn read(app: &App) -> Gauges {
    Gauges {
        imports: counts(
            app,
            "SELECT status, COUNT(*) FROM imports GROUP BY status ORDER BY status",
        )
        .await,
        scans: counts(
            app,
            "SELECT status, COUNT(*) FROM scan_jobs GROUP BY status ORDER BY status",
        )
        .await,
        webhooks: counts(
            app,
            "SELECT status, COUNT(*) FROM webhook_deliveries GROUP BY status ORDER BY status",
        )
        .await,
        audit_rows: scalar(app, "SELECT COUNT(*) FROM audit_log").await,
        feed_head: scalar(app, "SELECT COALESCE(MAX(seq), 0) FROM change_events").await,
        change_seq: scalar(app, "SELECT COALESCE(MAX(change_seq), 0) FROM persons").await,
    }
}
