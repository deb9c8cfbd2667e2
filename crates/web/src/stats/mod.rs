//! Statistics' pages and JSON API: the dashboard, the report builder and
//! its exports, saved reports, and the public statistics.

pub mod api;
pub mod pages;
pub mod public;

use crate::access::{Access, Route, route};

/// The area's routes, each classified ([`crate::routes::table`] gathers them).
pub fn routes() -> Vec<Route> {
    use Access::{Public, Session, Token};
    vec![
        route(
            "GET",
            "/public/statistics",
            Public,
            "anyone (counts only, cells under 5 suppressed)",
            axum::routing::get(public::statistics),
        ),
        route(
            "GET",
            "/api/v1/public/statistics",
            Public,
            "anyone (counts only, cells under 5 suppressed)",
            axum::routing::get(public::api_statistics),
        ),
        route(
            "GET",
            "/dashboard",
            Session,
            "every role except diaspora (counts in jurisdiction; leadership: province)",
            axum::routing::get(pages::dashboard),
        ),
        route(
            "GET",
            "/reports",
            Session,
            "every role except diaspora (counts in jurisdiction; leadership: province)",
            axum::routing::get(pages::reports),
        ),
        route(
            "POST",
            "/reports",
            Session,
            "every role except diaspora (saves a specification, no figures)",
            axum::routing::post(pages::save),
        ),
        route(
            "GET",
            "/reports/{id}",
            Session,
            "every role except diaspora",
            axum::routing::get(pages::open),
        ),
        route(
            "POST",
            "/reports/{id}/delete",
            Session,
            "the report's author, province officers, administrators",
            axum::routing::post(pages::delete),
        ),
        route(
            "GET",
            "/reports/export.xlsx",
            Session,
            "every role except diaspora (counts in jurisdiction)",
            axum::routing::get(pages::export_xlsx),
        ),
        route(
            "GET",
            "/reports/export.docx",
            Session,
            "every role except diaspora (counts in jurisdiction)",
            axum::routing::get(pages::export_docx),
        ),
        route(
            "GET",
            "/reports/export.pdf",
            Session,
            "every role except diaspora (counts in jurisdiction)",
            axum::routing::get(pages::export_pdf),
        ),
        route(
            "GET",
            "/api/v1/statistics/pivot",
            Token,
            "read scope, every role except diaspora (counts in jurisdiction)",
            axum::routing::get(api::api_pivot),
        ),
        route(
            "GET",
            "/api/v1/statistics/reports",
            Token,
            "read scope, every role except diaspora",
            axum::routing::get(api::api_reports),
        ),
    ]
}
