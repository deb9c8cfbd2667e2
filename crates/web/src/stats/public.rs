//! Pages and API open to everyone: the province's public statistics.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::response::Response;

use crate::AppState;
use crate::error::{ApiError, PageError};
use crate::i18n::{Lang, Tr};
use crate::security::Ctx;

#[derive(Template)]
#[template(path = "stats/public/statistics.html")]
struct StatisticsPage {
    t: Tr,
    en: bool,
    s: app::stats::public::PublicStatistics,
}

/// `GET /public/statistics`: counts by country and category, small cells
/// suppressed; no sign-in.
pub async fn statistics(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let s = app::stats::public::public(&state.app)
        .await
        .map_err(|err| PageError {
            err,
            lang: ctx.lang,
        })?;
    let page = StatisticsPage {
        t: Tr::new(ctx.lang),
        en: ctx.lang == Lang::En,
        s,
    };
    crate::pages::render(&page)
}

/// `GET /api/v1/public/statistics`: the same figures as JSON; no sign-in.
/// The JSON is made once per change of the registry and served as it is.
pub async fn api_statistics(State(state): State<AppState>) -> Result<Response, ApiError> {
    let c = app::stats::public::public_cached(&state.app).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        axum::body::Bytes::from_owner(c.json),
    )
        .into_response())
}
