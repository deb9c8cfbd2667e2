//! The classification every route carries (who may call it), shared by the
//! areas' route lists and the one table in [`crate::routes`].

use axum::routing::MethodRouter;

use crate::AppState;

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
    /// A portal session of a person abroad (anonymous visitors are sent to
    /// the portal's sign-in; staff sessions are not read on these pages).
    Portal,
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

pub fn route(
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
