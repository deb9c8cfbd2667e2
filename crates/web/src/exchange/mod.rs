//! Exchange with other systems (issue 25): exchange files (export, receive,
//! the log: API and pages), the change feed's JSON API, webhooks (API and
//! the administrators' page).

pub mod api;
pub mod files;
pub mod pages;

use crate::access::{Access, Route, route};

/// The area's routes, each classified ([`crate::routes::table`] gathers them).
pub fn routes() -> Vec<Route> {
    use Access::{Session, Token};
    vec![
        route(
            "GET",
            "/api/v1/exchange/schema",
            Token,
            "any token (the format's JSON Schema: no personal data)",
            axum::routing::get(api::exchange_schema),
        ),
        route(
            "GET",
            "/exchange/schema.json",
            Session,
            "every signed-in officer (the format's JSON Schema: no personal data)",
            axum::routing::get(files::schema),
        ),
        route(
            "GET",
            "/api/v1/exchange/export",
            Token,
            "read scope, roles exporting people (within jurisdiction; logged and audited)",
            axum::routing::get(api::exchange_export),
        ),
        route(
            "POST",
            "/api/v1/exchange/imports",
            Token,
            "write scope, province officers (audited)",
            axum::routing::post(api::exchange_receive),
        ),
        route(
            "GET",
            "/api/v1/exchanges",
            Token,
            "read scope, province officers and administrators",
            axum::routing::get(api::exchanges_list),
        ),
        route(
            "GET",
            "/api/v1/exchanges/{id}",
            Token,
            "read scope, province officers and administrators (audited)",
            axum::routing::get(api::exchanges_get),
        ),
        route(
            "GET",
            "/api/v1/exchanges/{id}/file",
            Token,
            "read scope, province officers and administrators (audited)",
            axum::routing::get(api::exchanges_file),
        ),
        route(
            "POST",
            "/api/v1/exchanges/{id}/items/{item}",
            Token,
            "write scope, province officers (audited)",
            axum::routing::post(api::exchanges_decide),
        ),
        route(
            "POST",
            "/api/v1/exchanges/{id}/accept",
            Token,
            "write scope, province officers (audited)",
            axum::routing::post(api::exchanges_accept_all),
        ),
        route(
            "GET",
            "/exchange/imports",
            Session,
            "province officers and administrators",
            axum::routing::get(files::list),
        ),
        route(
            "POST",
            "/exchange/imports",
            Session,
            "province officers (audited)",
            axum::routing::post(files::upload),
        ),
        route(
            "GET",
            "/exchange/imports/{id}",
            Session,
            "province officers and administrators (audited)",
            axum::routing::get(files::show),
        ),
        route(
            "POST",
            "/exchange/imports/{id}/items/{item}/accept",
            Session,
            "province officers (audited)",
            axum::routing::post(files::accept),
        ),
        route(
            "POST",
            "/exchange/imports/{id}/items/{item}/reject",
            Session,
            "province officers (audited)",
            axum::routing::post(files::reject),
        ),
        route(
            "POST",
            "/exchange/imports/{id}/accept",
            Session,
            "province officers (audited)",
            axum::routing::post(files::accept_all),
        ),
        route(
            "GET",
            "/exchange/export",
            Session,
            "roles exporting people (within jurisdiction; logged and audited)",
            axum::routing::get(files::export),
        ),
        route(
            "GET",
            "/exchange/files/{id}",
            Session,
            "province officers and administrators (audited)",
            axum::routing::get(files::file),
        ),
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
