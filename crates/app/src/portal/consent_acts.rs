//! The acts of giving and withdrawing consent as stored (issue 23 §4), read
//! by the consents themselves and by a person's data download
//! (`requests`): kept apart from `consents`, which opens a withdrawal's
//! task in `requests`, so that neither imports the other back.

use db::Row;
use serde::Serialize;

use crate::{App, AppResult};

/// One act, with its proof.
#[derive(Debug, Clone, Serialize)]
pub struct ConsentAct {
    pub purpose: String,
    pub action: String,
    pub text_version: String,
    pub at: String,
    pub page: String,
}

/// Every act of an account (or of a record's accounts), newest first.
pub(crate) async fn acts(app: &App, column: &str, id: i64) -> AppResult<Vec<ConsentAct>> {
    let sql = format!(
        "SELECT purpose, action, text_version, at, page FROM portal_consents \
         WHERE {column} = $1 ORDER BY id DESC"
    );
    let rows = sqlx::query(&sql).bind(id).fetch_all(&app.db.pool).await?;
    let mut out = Vec::new();
    for r in rows {
        out.push(ConsentAct {
            purpose: r.try_get(0)?,
            action: r.try_get(1)?,
            text_version: r.try_get(2)?,
            at: r.try_get(3)?,
            page: r.try_get(4)?,
        });
    }
    Ok(out)
}
