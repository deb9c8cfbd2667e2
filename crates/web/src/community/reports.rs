//! The cooperation reports (issue 22 §8, "Báo cáo hợp tác"): their xlsx
//! and official docx exports, reached from the reports page (`/reports`),
//! and `GET /api/v1/community/reports/{kind}` (JSON, codes as keys).

use app::community::cooperation_reports::{self, Report};
use app::community::investment_reports::Labels;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;

use crate::AppState;
use crate::access::{Access, Route, route};
use crate::error::{ApiError, PageError};
use crate::extract::{ApiUser, User};
use crate::i18n::{Lang, Tr};
use crate::pages::{DOCX, XLSX, attachment, page_err};

fn label(t: Tr, kind: &str, key: &str) -> String {
    match kind {
        "expertise" => t.label("expertise", key),
        _ => super::invest_pages::group_label(t, kind, key),
    }
}

/// `GET /reports/cooperation/{kind}/export.xlsx`: the report as a workbook (audited).
pub async fn xlsx(
    State(state): State<AppState>,
    user: User,
    Path(kind): Path<String>,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let l = move |kind: &str, code: &str| label(t, kind, code);
    let text = move |key: &str| t.s(&format!("coop.xlsx.{key}")).to_owned();
    let labels = Labels {
        label: &l,
        text: &text,
    };
    let bytes = cooperation_reports::export_xlsx(&state.app, &user.actor, &kind, &labels)
        .await
        .map_err(page_err(user.lang))?;
    Ok(attachment(
        bytes,
        XLSX,
        &format!("bao-cao-hop-tac-{kind}.xlsx"),
    ))
}

/// `GET /reports/cooperation/{kind}/export.docx`: the report as an official
/// document (Vietnamese whatever the interface language; audited).
pub async fn docx(
    State(state): State<AppState>,
    user: User,
    Path(kind): Path<String>,
) -> Result<Response, PageError> {
    let t = Tr::new(Lang::Vi);
    let l = move |kind: &str, code: &str| label(t, kind, code);
    let text = move |key: &str| t.s(&format!("coop.xlsx.{key}")).to_owned();
    let labels = Labels {
        label: &l,
        text: &text,
    };
    let title = t.s(&format!("coop.xlsx.title_{kind}")).to_owned();
    let ctx = crate::stats::pages::context(&state, &user.actor, title, false);
    let bytes = cooperation_reports::export_docx(&state.app, &user.actor, &kind, &ctx, &labels)
        .await
        .map_err(page_err(user.lang))?;
    Ok(attachment(
        bytes,
        DOCX,
        &format!("bao-cao-hop-tac-{kind}.docx"),
    ))
}

/// `GET /api/v1/community/reports/{kind}`: a cooperation report in figures.
#[utoipa::path(
    get,
    path = "/api/v1/community/reports/{kind}",
    tag = "investment",
    params(("kind" = String, Path, description = "`projects` (by status and by sector: count, registered and realised capital in đồng), `contributions` (by donor's country, year, purpose and beneficiary commune: count and đồng value), `expert_visits` (by year and by field of expertise: visits and distinct experts) or `event_attendance` (per event: invited, replied yes, attended)")),
    responses(
        (status = 200, description = "The report's tables within the caller's reach; row keys are codes (a status, a VSIC section, an ISO country, a year, a purpose, a commune code, a field of expertise) or an event id with its name and day.", body = Report),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn api(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(kind): Path<String>,
) -> Result<Json<Report>, ApiError> {
    Ok(Json(
        cooperation_reports::report(&state.app, &actor, &kind).await?,
    ))
}

/// The routes, each classified.
pub fn routes() -> Vec<Route> {
    let who = "projects, contributions: roles reading investment; expert visits: roles reading statistics; events: roles reading events (within reach, as figures; exports audited)";
    vec![
        route(
            "GET",
            "/reports/cooperation/{kind}/export.xlsx",
            Access::Session,
            who,
            get(xlsx),
        ),
        route(
            "GET",
            "/reports/cooperation/{kind}/export.docx",
            Access::Session,
            who,
            get(docx),
        ),
        route(
            "GET",
            "/api/v1/community/reports/{kind}",
            Access::Token,
            "read scope; as the pages",
            get(api),
        ),
    ]
}
