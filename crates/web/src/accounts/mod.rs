//! Accounts: sign-in and sign-out, the profile (password, two-factor, API
//! tokens), user administration and the audit browser.

pub mod api;
pub mod pages;

use crate::access::{Access, Route, route};

/// The area's routes, each classified ([`crate::routes::table`] gathers them).
pub fn routes() -> Vec<Route> {
    use Access::{Public, Session, Token};
    vec![
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
            axum::routing::get(pages::mfa_form),
        ),
        route(
            "POST",
            "/login/mfa",
            Public,
            "a session owing its second factor (CSRF, per-account limit)",
            axum::routing::post(pages::mfa_submit),
        ),
        route(
            "GET",
            "/profile",
            Session,
            "any signed-in user (own account)",
            axum::routing::get(pages::profile),
        ),
        route(
            "POST",
            "/profile/email",
            Session,
            "any signed-in staff account: its own address for reminders (audited)",
            axum::routing::post(pages::set_own_email),
        ),
        route(
            "POST",
            "/profile/password",
            Session,
            "any signed-in user (current password)",
            axum::routing::post(pages::change_password),
        ),
        route(
            "POST",
            "/profile/mfa/begin",
            Session,
            "any signed-in user (own account)",
            axum::routing::post(pages::mfa_begin),
        ),
        route(
            "POST",
            "/profile/mfa/confirm",
            Session,
            "any signed-in user (own account)",
            axum::routing::post(pages::mfa_confirm),
        ),
        route(
            "POST",
            "/profile/mfa/disable",
            Session,
            "signed-in users for whom two-factor is not required",
            axum::routing::post(pages::mfa_disable),
        ),
        route(
            "POST",
            "/profile/tokens",
            Session,
            "any signed-in user (own tokens; admin scope for admins)",
            axum::routing::post(pages::token_create),
        ),
        route(
            "POST",
            "/profile/tokens/{id}/revoke",
            Session,
            "the token's owner or an administrator",
            axum::routing::post(pages::token_revoke),
        ),
        route(
            "POST",
            "/profile/sign-out-everywhere",
            Session,
            "any signed-in user",
            axum::routing::post(pages::sign_out_everywhere),
        ),
        route(
            "GET",
            "/admin/users",
            Session,
            "admin",
            axum::routing::get(pages::users),
        ),
        route(
            "POST",
            "/admin/users",
            Session,
            "admin",
            axum::routing::post(pages::user_create),
        ),
        route(
            "POST",
            "/admin/users/{id}/disable",
            Session,
            "admin",
            axum::routing::post(pages::user_disable),
        ),
        route(
            "POST",
            "/admin/users/{id}/access",
            Session,
            "admin",
            axum::routing::post(pages::user_set_access),
        ),
        route(
            "POST",
            "/admin/users/{id}/enable",
            Session,
            "admin",
            axum::routing::post(pages::user_enable),
        ),
        route(
            "POST",
            "/admin/users/{id}/password",
            Session,
            "admin",
            axum::routing::post(pages::user_reset_password),
        ),
        route(
            "POST",
            "/admin/users/{id}/email",
            Session,
            "admin (the address shown masked; audited)",
            axum::routing::post(pages::user_set_email),
        ),
        route(
            "POST",
            "/admin/users/{id}/mfa-reset",
            Session,
            "admin",
            axum::routing::post(pages::user_mfa_reset),
        ),
        route(
            "GET",
            "/audit",
            Session,
            "admin, province_officer",
            axum::routing::get(pages::audit),
        ),
        route(
            "GET",
            "/audit/export.xlsx",
            Session,
            "admin, province_officer (audited export)",
            axum::routing::get(pages::audit_export),
        ),
        route(
            "GET",
            "/api/v1/audit",
            Token,
            "admin, province_officer with an admin-scoped token",
            axum::routing::get(api::api_audit),
        ),
    ]
}
