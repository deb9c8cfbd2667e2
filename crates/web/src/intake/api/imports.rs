//! Imports' JSON API: upload a list, read the report and its rows, commit, undo.

use app::AppError;
use app::intake::import::{self, RowReport, Summary};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::ApiUser;

#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    source: String,
    #[serde(default)]
    survey_round: String,
    #[serde(default)]
    file_name: String,
}

/// `POST /api/v1/imports?source=&survey_round=&file_name=` with the file as
/// the body: 202 with the import (validation runs in the background).
pub async fn api_upload(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(q): Query<UploadQuery>,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    // Spooled to disk as it arrives; an over-long line or file is refused
    // as soon as it passes the limit, a file of another type before it is
    // read back.
    import::may_submit(&actor, Some(&q.source))?;
    let received =
        crate::intake::pages::imports::receive(&state.app, &q.file_name, body.into_data_stream())
            .await;
    let started = match received {
        Ok(received) => {
            import::start(
                &state.app,
                &actor,
                &q.source,
                &q.survey_round,
                &q.file_name,
                received.bytes,
            )
            .await
        }
        Err(e) => Err(e),
    };
    let id = match started {
        Ok(id) => id,
        Err(e) if crate::intake::pages::imports::is_wrong_type(&e) => {
            // Nothing was recorded; the message names the file.
            let message = crate::intake::pages::imports::wrong_type_text(
                crate::i18n::Tr::new(crate::i18n::Lang::En),
                &q.file_name,
            );
            let AppError::Invalid(errors) = e else {
                return Err(ApiError(e));
            };
            return Ok(crate::error::problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                &message,
                errors,
            ));
        }
        Err(e) => return Err(ApiError(e)),
    };
    let s = import::get(&state.app, &actor, id).await?;
    let mut resp = (StatusCode::ACCEPTED, Json(s)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/imports/{id}")) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

/// `GET /api/v1/imports/{id}`.
pub async fn api_get(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Summary>, ApiError> {
    Ok(Json(import::get(&state.app, &actor, id).await?))
}

#[derive(Debug, Deserialize)]
pub struct RowsQuery {
    #[serde(default)]
    problems: bool,
    limit: Option<i64>,
}

/// `GET /api/v1/imports/{id}/rows?problems=true&limit=`: the validation report.
pub async fn api_rows(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<RowsQuery>,
) -> Result<Json<Vec<RowReport>>, ApiError> {
    let limit = q.limit.unwrap_or(1000).clamp(1, 100_000);
    Ok(Json(
        import::rows(&state.app, &actor, id, q.problems, limit).await?,
    ))
}

/// Query of the API's commit: `true` or `false`, nothing else (the page's
/// form reads its checkbox's "on").
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct CommitQuery {
    auto_merge: bool,
}

/// `POST /api/v1/imports/{id}/commit[?auto_merge=true]`: 202; poll the import
/// for `committed`, then `match_status` = `done`.
pub async fn api_commit(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<CommitQuery>,
) -> Result<Response, ApiError> {
    import::commit(&state.app, &actor, id, q.auto_merge).await?;
    let s = import::get(&state.app, &actor, id).await?;
    Ok((StatusCode::ACCEPTED, Json(s)).into_response())
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct LayoutQuery {
    sheet: Option<String>,
    header_row: Option<u32>,
}

/// `POST /api/v1/imports/{id}/layout?sheet=&header_row=`: 202; the file is
/// read again with that sheet or header row; poll for `validated`.
pub async fn api_layout(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<LayoutQuery>,
) -> Result<Response, ApiError> {
    import::reshape(&state.app, &actor, id, q.sheet, q.header_row).await?;
    let s = import::get(&state.app, &actor, id).await?;
    Ok((StatusCode::ACCEPTED, Json(s)).into_response())
}

#[derive(Debug, Serialize)]
pub struct UndoBody {
    removed: i64,
    kept_edited: Vec<i64>,
}

/// `POST /api/v1/imports/{id}/undo`.
pub async fn api_undo(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<UndoBody>, ApiError> {
    let r = import::undo(&state.app, &actor, id).await?;
    Ok(Json(UndoBody {
        removed: r.removed,
        kept_edited: r.kept_edited,
    }))
}
