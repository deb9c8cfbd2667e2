//! Community and cooperation: associations abroad (issue 22 §1), their
//! pages and JSON API. Enterprises, projects, contributions, events and
//! letters are to come in the same area.

pub mod api;
pub mod commendations;
pub mod events;
pub mod experts;
pub mod imports;
pub mod invest;
pub mod invest_api;
pub mod invest_pages;
pub mod pages;
pub mod reports;
pub mod restore;

use crate::access::{Access, Route, route};

/// The area's routes, each classified ([`crate::routes::table`] gathers them).
pub fn routes() -> Vec<Route> {
    use Access::{Session, Token};
    vec![
        route(
            "GET",
            "/associations",
            Session,
            "roles reading associations (within reach: province all, missions their countries, association accounts their own, others those with a member they see)",
            axum::routing::get(pages::list),
        ),
        route(
            "POST",
            "/associations",
            Session,
            "province officers, missions (in their countries)",
            axum::routing::post(pages::create),
        ),
        route(
            "GET",
            "/associations/new",
            Session,
            "province officers, missions",
            axum::routing::get(pages::new_form),
        ),
        route(
            "GET",
            "/associations/pick/people",
            Session,
            "roles reading people (jurisdiction filtered)",
            axum::routing::get(pages::pick_people),
        ),
        route(
            "GET",
            "/associations/{id}",
            Session,
            "roles reading associations, within reach (view audited)",
            axum::routing::get(pages::show),
        ),
        route(
            "POST",
            "/associations/{id}",
            Session,
            "province officers, missions, the association's own account, within reach",
            axum::routing::post(pages::update),
        ),
        route(
            "GET",
            "/associations/{id}/edit",
            Session,
            "province officers, missions, the association's own account, within reach",
            axum::routing::get(pages::edit_form),
        ),
        route(
            "POST",
            "/associations/{id}/members",
            Session,
            "roles changing associations, within reach; the person within jurisdiction",
            axum::routing::post(pages::add_member),
        ),
        route(
            "POST",
            "/associations/{id}/members/{person_id}/delete",
            Session,
            "roles changing associations, within reach; the person within jurisdiction",
            axum::routing::post(pages::remove_member),
        ),
        route(
            "POST",
            "/associations/{id}/leaders",
            Session,
            "roles changing associations, within reach; the person within jurisdiction",
            axum::routing::post(pages::add_leader),
        ),
        route(
            "POST",
            "/associations/{id}/leaders/{leader_id}/delete",
            Session,
            "roles changing associations, within reach",
            axum::routing::post(pages::remove_leader),
        ),
        route(
            "POST",
            "/associations/{id}/activities",
            Session,
            "roles changing associations, within reach",
            axum::routing::post(pages::add_activity),
        ),
        route(
            "POST",
            "/associations/{id}/activities/{activity_id}/delete",
            Session,
            "roles changing associations, within reach",
            axum::routing::post(pages::remove_activity),
        ),
        route(
            "POST",
            "/associations/{id}/merge",
            Session,
            "province officers",
            axum::routing::post(pages::merge),
        ),
        route(
            "GET",
            "/api/v1/associations",
            Token,
            "read scope, roles reading associations (within reach)",
            axum::routing::get(api::list),
        ),
        route(
            "POST",
            "/api/v1/associations",
            Token,
            "write scope, province officers, missions (in their countries)",
            axum::routing::post(api::create),
        ),
        route(
            "POST",
            "/api/v1/associations/merge",
            Token,
            "write scope, province officers",
            axum::routing::post(api::merge),
        ),
        route(
            "GET",
            "/api/v1/associations/{id}",
            Token,
            "read scope, roles reading associations, within reach (view audited)",
            axum::routing::get(api::read),
        ),
        route(
            "PATCH",
            "/api/v1/associations/{id}",
            Token,
            "write scope, roles changing associations, within reach (If-Match)",
            axum::routing::patch(api::update),
        ),
        route(
            "GET",
            "/api/v1/associations/{id}/history",
            Token,
            "read scope, roles reading associations, within reach",
            axum::routing::get(api::history),
        ),
        route(
            "GET",
            "/api/v1/associations/{id}/members",
            Token,
            "read scope, roles reading associations, within reach (members in jurisdiction; view audited)",
            axum::routing::get(api::members),
        ),
        route(
            "POST",
            "/api/v1/associations/{id}/members",
            Token,
            "write scope, roles changing associations, within reach; the person within jurisdiction",
            axum::routing::post(api::member_add),
        ),
        route(
            "DELETE",
            "/api/v1/associations/{id}/members/{person_id}",
            Token,
            "write scope, roles changing associations, within reach; the person within jurisdiction",
            axum::routing::delete(api::member_remove),
        ),
        route(
            "GET",
            "/api/v1/associations/{id}/leaders",
            Token,
            "read scope, roles reading associations, within reach (view audited)",
            axum::routing::get(api::leaders),
        ),
        route(
            "POST",
            "/api/v1/associations/{id}/leaders",
            Token,
            "write scope, roles changing associations, within reach; the person within jurisdiction",
            axum::routing::post(api::leader_add),
        ),
        route(
            "DELETE",
            "/api/v1/associations/{id}/leaders/{leader_id}",
            Token,
            "write scope, roles changing associations, within reach",
            axum::routing::delete(api::leader_remove),
        ),
        route(
            "GET",
            "/api/v1/associations/{id}/activities",
            Token,
            "read scope, roles reading associations, within reach (view audited)",
            axum::routing::get(api::activities),
        ),
        route(
            "POST",
            "/api/v1/associations/{id}/activities",
            Token,
            "write scope, roles changing associations, within reach",
            axum::routing::post(api::activity_add),
        ),
        route(
            "DELETE",
            "/api/v1/associations/{id}/activities/{activity_id}",
            Token,
            "write scope, roles changing associations, within reach",
            axum::routing::delete(api::activity_remove),
        ),
    ]
}
