//! Events, meetings and delegations with their invitee lists and letters
//! (issue 22 §5–§6): pages and JSON API.

pub mod api;
pub mod pages;

use crate::access::{Access, Route, route};

/// The events' routes, each classified ([`crate::routes::table`] gathers them).
pub fn routes() -> Vec<Route> {
    use Access::{Session, Token};
    vec![
        route(
            "GET",
            "/events",
            Session,
            "roles reading events (province, communes, leadership all; missions their countries')",
            axum::routing::get(pages::list),
        ),
        route(
            "POST",
            "/events",
            Session,
            "province officers, missions (in their countries)",
            axum::routing::post(pages::create),
        ),
        route(
            "GET",
            "/events/new",
            Session,
            "province officers, missions",
            axum::routing::get(pages::new_form),
        ),
        route(
            "GET",
            "/events/{id}",
            Session,
            "roles reading events, within reach; invitees within jurisdiction (view audited)",
            axum::routing::get(pages::show),
        ),
        route(
            "POST",
            "/events/{id}",
            Session,
            "province officers, missions, within reach",
            axum::routing::post(pages::update),
        ),
        route(
            "GET",
            "/events/{id}/edit",
            Session,
            "province officers, missions, within reach",
            axum::routing::get(pages::edit_form),
        ),
        route(
            "POST",
            "/events/{id}/invitees",
            Session,
            "province officers, missions, within reach; people within jurisdiction",
            axum::routing::post(pages::add_invitees),
        ),
        route(
            "GET",
            "/events/{id}/invitees.xlsx",
            Session,
            "roles reading events, within reach; invitees within jurisdiction (audited)",
            axum::routing::get(pages::invitees_xlsx),
        ),
        route(
            "POST",
            "/events/{id}/invitees/{person_id}",
            Session,
            "province officers, missions, within reach; the person within jurisdiction",
            axum::routing::post(pages::change_invitee),
        ),
        route(
            "POST",
            "/events/{id}/invitees/{person_id}/delete",
            Session,
            "province officers, missions, within reach; the person within jurisdiction",
            axum::routing::post(pages::remove_invitee),
        ),
        route(
            "POST",
            "/events/{id}/letters",
            Session,
            "province officers, missions, within reach; invitees within jurisdiction (audited)",
            axum::routing::post(pages::letters),
        ),
        route(
            "POST",
            "/events/{id}/letters/template",
            Session,
            "province officers, missions, within reach; invitees within jurisdiction (audited)",
            axum::routing::post(pages::letters_template),
        ),
        route(
            "GET",
            "/api/v1/events",
            Token,
            "read scope, roles reading events (within reach)",
            axum::routing::get(api::list),
        ),
        route(
            "POST",
            "/api/v1/events",
            Token,
            "write scope, province officers, missions (in their countries)",
            axum::routing::post(api::create),
        ),
        route(
            "GET",
            "/api/v1/events/{id}",
            Token,
            "read scope, roles reading events, within reach (view audited)",
            axum::routing::get(api::read),
        ),
        route(
            "PATCH",
            "/api/v1/events/{id}",
            Token,
            "write scope, province officers, missions, within reach (If-Match)",
            axum::routing::patch(api::update),
        ),
        route(
            "GET",
            "/api/v1/events/{id}/history",
            Token,
            "read scope, roles reading events, within reach",
            axum::routing::get(api::history),
        ),
        route(
            "GET",
            "/api/v1/events/{id}/invitees",
            Token,
            "read scope, roles reading events, within reach; invitees within jurisdiction (audited)",
            axum::routing::get(api::invitees),
        ),
        route(
            "POST",
            "/api/v1/events/{id}/invitees",
            Token,
            "write scope, province officers, missions, within reach; people within jurisdiction",
            axum::routing::post(api::invitees_add),
        ),
        route(
            "GET",
            "/api/v1/events/{id}/invitees.xlsx",
            Token,
            "read scope, roles reading events, within reach; invitees within jurisdiction (audited)",
            axum::routing::get(api::invitees_xlsx),
        ),
        route(
            "PATCH",
            "/api/v1/events/{id}/invitees/{person_id}",
            Token,
            "write scope, province officers, missions, within reach; the person within jurisdiction",
            axum::routing::patch(api::invitee_change),
        ),
        route(
            "DELETE",
            "/api/v1/events/{id}/invitees/{person_id}",
            Token,
            "write scope, province officers, missions, within reach; the person within jurisdiction",
            axum::routing::delete(api::invitee_remove),
        ),
        route(
            "POST",
            "/api/v1/events/{id}/letters",
            Token,
            "write scope, province officers, missions, within reach (audited)",
            axum::routing::post(api::letters),
        ),
        route(
            "POST",
            "/api/v1/events/{id}/letters/template",
            Token,
            "write scope, province officers, missions, within reach (audited)",
            axum::routing::post(api::letters_template),
        ),
    ]
}
