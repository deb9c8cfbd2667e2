//! The kept copies of exchange files (sent and received), so each can be
//! downloaded again: `<exchange_dir>/<id>-<file name>`, the setting
//! `exchange_dir` (default `<data_dir>/exchanges`). Without the setting
//! nothing is kept and the log says so.

use std::path::PathBuf;

use crate::{App, AppError, AppResult};

fn dir(app: &App) -> Option<PathBuf> {
    app.settings.exchange_dir.clone()
}

/// The name a file is kept under: its log id and a name without path or
/// odd characters.
fn kept_name(id: i64, file_name: &str) -> String {
    let clean: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    format!("{id}-{clean}")
}

/// Creates the kept copy of exchange `id` and records where it is.
pub(crate) async fn create(
    app: &App,
    id: i64,
    file_name: &str,
) -> AppResult<Option<tokio::fs::File>> {
    let Some(dir) = dir(app) else {
        return Ok(None);
    };
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| AppError::Unexpected(e.into()))?;
    let name = kept_name(id, file_name);
    let f = tokio::fs::File::create(dir.join(&name))
        .await
        .map_err(|e| AppError::Unexpected(e.into()))?;
    sqlx::query("UPDATE exchanges SET stored_path = $1 WHERE id = $2")
        .bind(&name)
        .bind(id)
        .execute(&app.db.pool)
        .await?;
    Ok(Some(f))
}

/// Keeps a received file whole.
pub(crate) async fn keep(app: &App, id: i64, file_name: &str, bytes: &[u8]) -> AppResult<()> {
    use tokio::io::AsyncWriteExt as _;
    if let Some(mut f) = create(app, id, file_name).await? {
        f.write_all(bytes)
            .await
            .map_err(|e| AppError::Unexpected(e.into()))?;
        f.flush()
            .await
            .map_err(|e| AppError::Unexpected(e.into()))?;
    }
    Ok(())
}

/// The path of a kept file (`stored_path` of its log row).
pub(crate) fn path_of(app: &App, stored: &str) -> Option<PathBuf> {
    if stored.is_empty() || stored.contains(['/', '\\']) || stored.starts_with('.') {
        return None;
    }
    dir(app).map(|d| d.join(stored))
}
