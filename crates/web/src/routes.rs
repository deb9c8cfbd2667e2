//! Every route, with who may call it. The router is built from this table,
//! so a route cannot exist without a classification; the route-map test
//! pins the table.

use crate::access::route;
pub use crate::access::{Access, Route};
use crate::{
    accounts, assets, community, exchange, intake, openapi, pages, portal, publishing, registry,
    stats,
};

/// The table.
pub fn table() -> Vec<Route> {
    use Access::{Public, Session};
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
            "/metrics",
            Public,
            "the addresses of metrics_allow, or the metrics_token (403 otherwise)",
            axum::routing::get(crate::metrics::metrics),
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
            "/work",
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
    ];
    table.extend(accounts::routes());
    table.extend(registry::routes());
    table.extend(intake::routes());
    table.extend(stats::routes());
    table.extend(community::routes());
    table.extend(community::events::routes());
    table.extend(community::experts::routes());
    table.extend(community::commendations::routes());
    table.extend(community::invest::routes());
    table.extend(community::restore::routes());
    table.extend(community::reports::routes());
    table.extend(community::imports::routes());
    table.extend(publishing::routes());
    table.extend(portal::routes());
    table.extend(exchange::routes());
    table
}
