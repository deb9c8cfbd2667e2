//! Exchange with other systems (issue 25): the change feed's JSON API.

pub mod api;

use crate::access::{Access, Route, route};

/// The area's routes, each classified ([`crate::routes::table`] gathers them).
pub fn routes() -> Vec<Route> {
    use Access::Token;
    vec![route(
        "GET",
        "/api/v1/changes",
        Token,
        "read scope, roles reading people (changes within jurisdiction; pages returning events audited)",
        axum::routing::get(api::changes),
    )]
}
