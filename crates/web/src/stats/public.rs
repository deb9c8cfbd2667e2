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

/// Messages of the public pages, Vietnamese then English.
pub static MESSAGES: &[(&str, &str, &str)] = &[
    (
        "public.title",
        "Thống kê công khai về kiều bào của tỉnh",
        "Public statistics on the province's people abroad",
    ),
    ("public.total", "Tổng số người", "People in all"),
    ("public.about", "khoảng", "about"),
    (
        "public.suppression",
        "Để không ai bị nhận diện, ô có ít người hơn ngưỡng được ẩn; ngưỡng",
        "So that no one can be singled out, cells under the threshold are hidden; threshold",
    ),
    (
        "public.by_country",
        "Theo quốc gia cư trú",
        "By country of residence",
    ),
    ("public.by_category", "Theo diện", "By category"),
    ("public.people", "Số người", "People"),
    ("public.json", "Dữ liệu dạng JSON", "The same as JSON"),
];
