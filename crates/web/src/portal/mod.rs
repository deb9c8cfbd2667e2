//! The portal for people abroad (issue 23): their pages under
//! `/kieu-bao/...` (their own session, never a staff one), the officers'
//! queue of claims and corrections, data-subject requests (both sides),
//! the calendar their deadlines are counted by, and the administrators'
//! outbox.

pub mod calendar;
pub mod mail;
pub mod pages;
pub mod requests;
pub mod staff;

use crate::access::{Access, Route, route};

/// The area's routes, each classified ([`crate::routes::table`] gathers them).
pub fn routes() -> Vec<Route> {
    use Access::{Portal, Public, Session};
    vec![
        route(
            "GET",
            "/kieu-bao",
            Public,
            "anyone (what the portal is for; a signed-in person goes to their record)",
            axum::routing::get(pages::landing),
        ),
        route(
            "GET",
            "/kieu-bao/register",
            Public,
            "anyone",
            axum::routing::get(pages::register_form),
        ),
        route(
            "POST",
            "/kieu-bao/register",
            Public,
            "anyone (rate-limited; the same answer for a known address)",
            axum::routing::post(pages::register),
        ),
        route(
            "GET",
            "/kieu-bao/confirm",
            Public,
            "anyone with the link",
            axum::routing::get(pages::confirm_form),
        ),
        route(
            "POST",
            "/kieu-bao/confirm",
            Public,
            "anyone with the link (single use, expiring)",
            axum::routing::post(pages::confirm),
        ),
        route(
            "GET",
            "/kieu-bao/login",
            Public,
            "anyone",
            axum::routing::get(pages::login_form),
        ),
        route(
            "POST",
            "/kieu-bao/login",
            Public,
            "anyone (rate-limited, delayed after failures)",
            axum::routing::post(pages::login),
        ),
        route(
            "GET",
            "/kieu-bao/forgot",
            Public,
            "anyone",
            axum::routing::get(pages::forgot_form),
        ),
        route(
            "POST",
            "/kieu-bao/forgot",
            Public,
            "anyone (rate-limited; the same answer for any address)",
            axum::routing::post(pages::forgot),
        ),
        route(
            "GET",
            "/kieu-bao/reset",
            Public,
            "anyone with the link",
            axum::routing::get(pages::reset_form),
        ),
        route(
            "POST",
            "/kieu-bao/reset",
            Public,
            "anyone with the link (single use, expiring)",
            axum::routing::post(pages::reset),
        ),
        route(
            "POST",
            "/kieu-bao/logout",
            Portal,
            "a person abroad, their own session",
            axum::routing::post(pages::logout),
        ),
        route(
            "GET",
            "/kieu-bao/record",
            Portal,
            "a person abroad: their own record or claim",
            axum::routing::get(pages::record),
        ),
        route(
            "GET",
            "/kieu-bao/record/edit",
            Portal,
            "a person abroad linked to a record: their own",
            axum::routing::get(pages::edit_form),
        ),
        route(
            "POST",
            "/kieu-bao/record/edit",
            Portal,
            "a person abroad linked to a record: a correction of their own",
            axum::routing::post(pages::edit),
        ),
        route(
            "GET",
            "/kieu-bao/claim",
            Portal,
            "a person abroad not yet linked",
            axum::routing::get(pages::claim_form),
        ),
        route(
            "POST",
            "/kieu-bao/claim",
            Portal,
            "a person abroad not yet linked (one open claim)",
            axum::routing::post(pages::claim),
        ),
        route(
            "GET",
            "/kieu-bao/consents",
            Portal,
            "a person abroad: their own consents",
            axum::routing::get(pages::consents),
        ),
        route(
            "POST",
            "/kieu-bao/consents",
            Portal,
            "a person abroad: their own consents",
            axum::routing::post(pages::consent),
        ),
        route(
            "GET",
            "/kieu-bao/requests",
            Portal,
            "a person abroad: their own data-subject requests",
            axum::routing::get(requests::mine),
        ),
        route(
            "POST",
            "/kieu-bao/requests",
            Portal,
            "a person abroad linked to a record: a request about their own",
            axum::routing::post(requests::open),
        ),
        route(
            "GET",
            "/kieu-bao/requests/{id}",
            Portal,
            "a person abroad: one of their own requests (anyone else's: 404)",
            axum::routing::get(requests::one),
        ),
        route(
            "GET",
            "/kieu-bao/requests/{id}/data.json",
            Portal,
            "a person abroad: their own data, once their access request is done (audited)",
            axum::routing::get(requests::data_json),
        ),
        route(
            "GET",
            "/kieu-bao/requests/{id}/data.pdf",
            Portal,
            "a person abroad: their own data, once their access request is done (audited)",
            axum::routing::get(requests::data_pdf),
        ),
        route(
            "GET",
            "/portal/claims",
            Session,
            "province officers, commune officers (claims of their hometowns, corrections of their people)",
            axum::routing::get(staff::queue),
        ),
        route(
            "GET",
            "/portal/claims/{id}",
            Session,
            "province officers, commune officers of the claim's hometown (view audited)",
            axum::routing::get(staff::claim),
        ),
        route(
            "POST",
            "/portal/claims/{id}/link",
            Session,
            "province officers, commune officers of the claim's hometown; the record within jurisdiction",
            axum::routing::post(staff::link),
        ),
        route(
            "POST",
            "/portal/claims/{id}/create",
            Session,
            "province officers, commune officers of the claim's hometown",
            axum::routing::post(staff::create),
        ),
        route(
            "POST",
            "/portal/claims/{id}/refuse",
            Session,
            "province officers, commune officers of the claim's hometown",
            axum::routing::post(staff::refuse),
        ),
        route(
            "GET",
            "/portal/changes/{id}",
            Session,
            "province officers, commune officers of the record (view audited)",
            axum::routing::get(staff::change),
        ),
        route(
            "POST",
            "/portal/changes/{id}",
            Session,
            "province officers, commune officers of the record",
            axum::routing::post(staff::decide),
        ),
        route(
            "GET",
            "/portal/requests",
            Session,
            "province officers, commune officers (requests of the people of their hometowns)",
            axum::routing::get(requests::queue),
        ),
        route(
            "GET",
            "/portal/requests/{id}",
            Session,
            "province officers, commune officers of the person's record (view audited)",
            axum::routing::get(requests::review),
        ),
        route(
            "POST",
            "/portal/requests/{id}",
            Session,
            "province officers, commune officers of the person's record (each step audited)",
            axum::routing::post(requests::take_step),
        ),
        route(
            "GET",
            "/admin/holidays",
            Session,
            "province officers and administrators of the province",
            axum::routing::get(calendar::list),
        ),
        route(
            "POST",
            "/admin/holidays",
            Session,
            "province officers and administrators of the province",
            axum::routing::post(calendar::add),
        ),
        route(
            "POST",
            "/admin/holidays/remove",
            Session,
            "province officers and administrators of the province",
            axum::routing::post(calendar::remove),
        ),
        route(
            "GET",
            "/admin/outbox",
            Session,
            "administrators",
            axum::routing::get(staff::outbox),
        ),
    ]
}
