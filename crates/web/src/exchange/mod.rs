//! Exchange with other systems (issue 25): the change feed's JSON API,
//! webhooks (API and the administrators' page).

pub mod api;
pub mod pages;

use crate::access::{Access, Route, route};

/// The area's routes, each classified ([`crate::routes::table`] gathers them).
pub fn routes() -> Vec<Route> {
    use Access::{Session, Token};
    vec![
        route(
            "GET",
            "/api/v1/changes",
            Token,
            "read scope, roles reading people (changes within jurisdiction; pages returning events audited)",
            axum::routing::get(api::changes),
        ),
        route(
            "GET",
            "/api/v1/webhooks",
            Token,
            "admin scope, administrators",
            axum::routing::get(api::webhooks_list),
        ),
        route(
            "POST",
            "/api/v1/webhooks",
            Token,
            "admin scope, administrators (audited)",
            axum::routing::post(api::webhooks_create),
        ),
        route(
            "POST",
            "/api/v1/webhooks/{id}/test",
            Token,
            "admin scope, administrators (audited)",
            axum::routing::post(api::webhooks_test),
        ),
        route(
            "GET",
            "/api/v1/webhooks/{id}/deliveries",
            Token,
            "admin scope, administrators",
            axum::routing::get(api::webhooks_deliveries),
        ),
        route(
            "POST",
            "/api/v1/webhook-deliveries/{id}/retry",
            Token,
            "admin scope, administrators (audited)",
            axum::routing::post(api::webhooks_retry),
        ),
        route(
            "GET",
            "/admin/webhooks",
            Session,
            "administrators",
            axum::routing::get(pages::list),
        ),
        route(
            "POST",
            "/admin/webhooks/{id}/test",
            Session,
            "administrators (audited)",
            axum::routing::post(pages::test),
        ),
        route(
            "POST",
            "/admin/webhook-deliveries/{id}/retry",
            Session,
            "administrators (audited)",
            axum::routing::post(pages::retry),
        ),
    ]
}
