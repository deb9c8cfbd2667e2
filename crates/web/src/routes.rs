//! Every route, with who may call it. The router is built from this table,
//! so a route cannot exist without a classification; the route-map test
//! pins the table.

use axum::routing::MethodRouter;

use crate::{AppState, accounts, api, api_people, assets, pages, people_pages};

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
        route(
            "GET",
            "/login/mfa",
            Public,
            "a session owing its second factor (others are redirected)",
            axum::routing::get(accounts::mfa_form),
        ),
        route(
            "POST",
            "/login/mfa",
            Public,
            "a session owing its second factor (CSRF, per-account limit)",
            axum::routing::post(accounts::mfa_submit),
        ),
        route(
            "GET",
            "/profile",
            Session,
            "any signed-in user (own account)",
            axum::routing::get(accounts::profile),
        ),
        route(
            "POST",
            "/profile/password",
            Session,
            "any signed-in user (current password)",
            axum::routing::post(accounts::change_password),
        ),
        route(
            "POST",
            "/profile/mfa/begin",
            Session,
            "any signed-in user (own account)",
            axum::routing::post(accounts::mfa_begin),
        ),
        route(
            "POST",
            "/profile/mfa/confirm",
            Session,
            "any signed-in user (own account)",
            axum::routing::post(accounts::mfa_confirm),
        ),
        route(
            "POST",
            "/profile/mfa/disable",
            Session,
            "signed-in users for whom two-factor is not required",
            axum::routing::post(accounts::mfa_disable),
        ),
        route(
            "POST",
            "/profile/tokens",
            Session,
            "any signed-in user (own tokens; admin scope for admins)",
            axum::routing::post(accounts::token_create),
        ),
        route(
            "POST",
            "/profile/tokens/{id}/revoke",
            Session,
            "the token's owner or an administrator",
            axum::routing::post(accounts::token_revoke),
        ),
        route(
            "POST",
            "/profile/sign-out-everywhere",
            Session,
            "any signed-in user",
            axum::routing::post(accounts::sign_out_everywhere),
        ),
        route(
            "GET",
            "/admin/users",
            Session,
            "admin",
            axum::routing::get(accounts::users),
        ),
        route(
            "POST",
            "/admin/users",
            Session,
            "admin",
            axum::routing::post(accounts::user_create),
        ),
        route(
            "POST",
            "/admin/users/{id}/disable",
            Session,
            "admin",
            axum::routing::post(accounts::user_disable),
        ),
        route(
            "POST",
            "/admin/users/{id}/enable",
            Session,
            "admin",
            axum::routing::post(accounts::user_enable),
        ),
        route(
            "POST",
            "/admin/users/{id}/password",
            Session,
            "admin",
            axum::routing::post(accounts::user_reset_password),
        ),
        route(
            "POST",
            "/admin/users/{id}/mfa-reset",
            Session,
            "admin",
            axum::routing::post(accounts::user_mfa_reset),
        ),
        route(
            "GET",
            "/audit",
            Session,
            "admin, province_officer",
            axum::routing::get(accounts::audit),
        ),
        route(
            "GET",
            "/audit/export.xlsx",
            Session,
            "admin, province_officer (audited export)",
            axum::routing::get(accounts::audit_export),
        ),
        route(
            "GET",
            "/api/v1/audit",
            Token,
            "admin, province_officer with an admin-scoped token",
            axum::routing::get(accounts::api_audit),
        ),
        route(
            "GET",
            "/people",
            Session,
            "roles reading people (jurisdiction filtered)",
            axum::routing::get(people_pages::list),
        ),
        route(
            "POST",
            "/people",
            Session,
            "roles creating people, in their jurisdiction",
            axum::routing::post(people_pages::create),
        ),
        route(
            "GET",
            "/people/new",
            Session,
            "roles creating people",
            axum::routing::get(people_pages::new_form),
        ),
        route(
            "GET",
            "/people/pick/communes",
            Session,
            "any signed-in user (reference data)",
            axum::routing::get(people_pages::pick_communes),
        ),
        route(
            "GET",
            "/people/pick/countries",
            Session,
            "any signed-in user (reference data)",
            axum::routing::get(people_pages::pick_countries),
        ),
        route(
            "GET",
            "/people/{id}",
            Session,
            "roles reading people, in jurisdiction (view audited)",
            axum::routing::get(people_pages::show),
        ),
        route(
            "POST",
            "/people/{id}",
            Session,
            "roles updating people, in jurisdiction",
            axum::routing::post(people_pages::update),
        ),
        route(
            "GET",
            "/people/{id}/edit",
            Session,
            "roles updating people, in jurisdiction",
            axum::routing::get(people_pages::edit_form),
        ),
        route(
            "POST",
            "/people/{id}/reveal",
            Session,
            "province, commune officers, missions (audited)",
            axum::routing::post(people_pages::reveal),
        ),
        route(
            "POST",
            "/people/{id}/delete",
            Session,
            "province, commune officers",
            axum::routing::post(people_pages::delete),
        ),
        route(
            "POST",
            "/people/{id}/undelete",
            Session,
            "province, commune officers",
            axum::routing::post(people_pages::undelete),
        ),
        route(
            "POST",
            "/people/{id}/restore",
            Session,
            "roles updating people, in jurisdiction",
            axum::routing::post(people_pages::restore),
        ),
        route(
            "POST",
            "/people/{id}/relatives",
            Session,
            "roles updating people, in jurisdiction",
            axum::routing::post(people_pages::add_relative),
        ),
        route(
            "GET",
            "/api/v1/people",
            Token,
            "read scope, roles reading people",
            axum::routing::get(api_people::list),
        ),
        route(
            "POST",
            "/api/v1/people",
            Token,
            "write scope, roles creating people",
            axum::routing::post(api_people::create),
        ),
        route(
            "GET",
            "/api/v1/people/{id}",
            Token,
            "read scope, roles reading people (view audited)",
            axum::routing::get(api_people::read),
        ),
        route(
            "PATCH",
            "/api/v1/people/{id}",
            Token,
            "write scope, roles updating people (If-Match)",
            axum::routing::patch(api_people::update),
        ),
        route(
            "DELETE",
            "/api/v1/people/{id}",
            Token,
            "write scope, province and commune officers",
            axum::routing::delete(api_people::delete),
        ),
        route(
            "GET",
            "/api/v1/people/{id}/relatives",
            Token,
            "read scope, roles reading people, in jurisdiction",
            axum::routing::get(api_people::relatives),
        ),
        route(
            "GET",
            "/api/v1/people/{id}/history",
            Token,
            "read scope, roles reading people, in jurisdiction",
            axum::routing::get(api_people::history),
        ),
        route(
            "POST",
            "/api/v1/people/{id}/relatives",
            Token,
            "write scope, roles updating people, in jurisdiction",
            axum::routing::post(api_people::add_relative),
        ),
        route(
            "GET",
            "/api/v1/households",
            Token,
            "read scope, roles reading people (households of people in scope)",
            axum::routing::get(api_people::households),
        ),
    ]
}
