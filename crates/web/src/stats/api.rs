//! Statistics' JSON API: a pivot, and the saved reports.

use app::stats::{self, Engine, Pivot, PivotSpec, saved};
use axum::Json;
use axum::extract::{Query, State};

use super::pages::Pairs;
use crate::AppState;
use crate::error::ApiError;
use crate::extract::ApiUser;

/// Query of `GET /api/v1/statistics/pivot`.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PivotParams {
    /// Row dimension: `category`, `generation`, `country`, `commune`,
    /// `legacy_district`, `gender`, `age_band`, `tag`, `verification`,
    /// `agency`, `survey_round`.
    #[param(schema_with = app::api_schema::dimension)]
    pub rows: Option<String>,
    /// Column dimension (optional; not the rows' dimension).
    #[param(schema_with = app::api_schema::dimension)]
    pub cols: Option<String>,
    #[param(schema_with = app::api_schema::measure)]
    pub measure: Option<String>,
    /// `sql` to count by `GROUP BY` on the database instead of the in-memory columns.
    pub engine: Option<String>,
    /// `YYYY-MM-DD`: the figures as the registry stood at the end of that day,
    /// rebuilt from the history (not after today).
    #[param(schema_with = app::api_schema::day_or_empty)]
    pub as_of: Option<String>,
    /// Filters: any dimension's code as a key, values separated by commas
    /// (`category=migrant,study_abroad&country=KR`; empty value = not recorded is not expressible here).
    #[param(schema_with = app::api_schema::category_list)]
    pub category: Option<String>,
    #[param(schema_with = app::api_schema::country_list)]
    pub country: Option<String>,
    pub commune: Option<String>,
    /// Only the people whose consent given through the portal stands so
    /// (the people list's filter): `purpose:given`, `purpose:withdrawn` or
    /// `purpose:none`; not with `as_of`.
    #[param(schema_with = app::api_schema::consent_filter)]
    pub consent: Option<String>,
}

/// `GET /api/v1/statistics/pivot`: counts by one or two dimensions within
/// the token's jurisdiction.
#[utoipa::path(
    get,
    path = "/api/v1/statistics/pivot",
    tag = "statistics",
    params(PivotParams),
    responses(
        (status = 200, description = "The pivot: headings, cells, totals (each person once per total).", body = Pivot),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn api_pivot(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(q): Query<Pairs>,
) -> Result<Json<Pivot>, ApiError> {
    let spec = PivotSpec::from_pairs(&q)?;
    let engine = if q.iter().any(|(k, v)| k == "engine" && v == "sql") {
        Engine::Sql
    } else {
        Engine::Auto
    };
    Ok(Json(stats::pivot(&state.app, &actor, &spec, engine).await?))
}

/// `GET /api/v1/statistics/reports`: the saved reports (specifications).
#[utoipa::path(
    get,
    path = "/api/v1/statistics/reports",
    tag = "statistics",
    responses(
        (status = 200, description = "Saved reports, by name.", body = Vec<saved::SavedReport>),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
    ),
    security(("bearer" = []))
)]
pub async fn api_reports(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<saved::SavedReport>>, ApiError> {
    Ok(Json(saved::list(&state.app, &actor).await?))
}
