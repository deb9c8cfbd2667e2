//! Every route, with who may call it. The router is built from this table,
//! so a route cannot exist without a classification; the route-map test
//! pins the table.

use axum::routing::MethodRouter;

use crate::{AppState, api, assets, pages};

/// Who may call a route. The fine-grained decision (role, jurisdiction) is
/// taken inside the use case by `app::access`; this is the outer gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// A browser session (anonymous visitors are redirected to sign in).
    Session,
    /// A bearer token (401 otherwise).
    Token,
}

/// One route.
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    /// Roles allowed by `app::access` (documentation, checked by the access-matrix tests).
    pub who: &'static str,
    pub handler: MethodRouter<AppState>,
}

fn route(
    method: &'static str,
    path: &'static str,
    access: Access,
    who: &'static str,
    handler: MethodRouter<AppState>,
) -> Route {
    Route {
        method,
        path,
        access,
        who,
        handler,
    }
}

/// The table.
pub fn table() -> Vec<Route> {
    use Access::{Public, Session, Token};
    vec![
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
            "/login",
            Public,
            "anyone",
            axum::routing::get(pages::login_form),
        ),
        route(
            "POST",
            "/login",
            Public,
            "anyone (CSRF double-submit, per-IP limit, lockout)",
            axum::routing::post(pages::login_submit),
        ),
        route(
            "POST",
            "/logout",
            Session,
            "any signed-in user",
            axum::routing::post(pages::logout),
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
            "/api/v1/me",
            Token,
            "any token",
            axum::routing::get(api::me),
        ),
    ]
}
