//! Every route, with who may call it. The router is built from this table,
//! so a route cannot exist without a classification; the route-map test
//! pins the table.

use crate::access::route;
pub use crate::access::{Access, Route};
use crate::{accounts, assets, intake, openapi, pages, public, registry, stats};

/// The table.
pub fn table() -> Vec<Route> {
    use Access::{Public, Session, Token};
    let mut table = vec![
        route(
            "GET",
            "/healthz",
            Public,
            "anyone",
            axum::routing::get(pages::healthz),
        ),
        route(
            "GET",
            "/readyz",
            Public,
            "anyone",
            axum::routing::get(pages::readyz),
        ),
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
            "/static/{*path}",
            Public,
            "anyone",
            axum::routing::get(assets::serve),
        ),
        route(
            "GET",
            "/lang/{code}",
            Public,
            "anyone",
            axum::routing::get(pages::set_lang),
        ),
        route(
            "GET",
            "/",
            Session,
            "every role except diaspora (statistics in scope)",
            axum::routing::get(pages::home),
        ),
        route(
            "GET",
            "/api/openapi.json",
            Public,
            "anyone (the API contract: no personal data; every operation still needs a token)",
            axum::routing::get(openapi::json),
        ),
        route(
            "GET",
            "/api/docs",
            Public,
            "anyone (Swagger UI over /api/openapi.json)",
            axum::routing::get(openapi::docs),
        ),
        route(
            "GET",
            "/dashboard",
            Session,
            "every role except diaspora (counts in jurisdiction; leadership: province)",
            axum::routing::get(stats::dashboard),
        ),
        route(
            "GET",
            "/reports",
            Session,
            "every role except diaspora (counts in jurisdiction; leadership: province)",
            axum::routing::get(stats::reports),
        ),
        route(
            "POST",
            "/reports",
            Session,
            "every role except diaspora (saves a specification, no figures)",
            axum::routing::post(stats::save),
        ),
        route(
            "GET",
            "/reports/{id}",
            Session,
            "every role except diaspora",
            axum::routing::get(stats::open),
        ),
        route(
            "POST",
            "/reports/{id}/delete",
            Session,
            "the report's author, province officers, administrators",
            axum::routing::post(stats::delete),
        ),
        route(
            "GET",
            "/reports/export.xlsx",
            Session,
            "every role except diaspora (counts in jurisdiction)",
            axum::routing::get(stats::export_xlsx),
        ),
        route(
            "GET",
            "/reports/export.docx",
            Session,
            "every role except diaspora (counts in jurisdiction)",
            axum::routing::get(stats::export_docx),
        ),
        route(
            "GET",
            "/reports/export.pdf",
            Session,
            "every role except diaspora (counts in jurisdiction)",
            axum::routing::get(stats::export_pdf),
        ),
        route(
            "GET",
            "/api/v1/statistics/pivot",
            Token,
            "read scope, every role except diaspora (counts in jurisdiction)",
            axum::routing::get(stats::api_pivot),
        ),
        route(
            "GET",
            "/api/v1/statistics/reports",
            Token,
            "read scope, every role except diaspora",
            axum::routing::get(stats::api_reports),
        ),
    ];
    table.extend(accounts::routes());
    table.extend(registry::routes());
    table.extend(intake::routes());
    table
}
