//! Each role × each page and API route → allowed or refused, on SQLite and
//! PostgreSQL. Anonymous visitors are sent to sign in; roles outside a
//! route's audience get 403.

use app::users::Scope;
use domain::Role;

use crate::dual;
use crate::helpers::{PASSWORD, TestApp};

dual!(every_role_gets_the_expected_status_on_every_route);

const ROLES: [(&str, Role); 7] = [
    ("admin", Role::Admin),
    ("province_officer", Role::ProvinceOfficer),
    ("commune_officer", Role::CommuneOfficer),
    ("agency", Role::Agency),
    ("mission", Role::Mission),
    ("association", Role::Association),
    ("viewer", Role::Viewer),
];

fn scopes(role: Role) -> Vec<Scope> {
    match role {
        Role::CommuneOfficer => vec![Scope::new("new_commune", "18427")],
        Role::Agency => vec![Scope::new("agency", "police")],
        Role::Mission => vec![Scope::new("country", "KR")],
        Role::Association => vec![Scope::new("association", "1")],
        _ => vec![],
    }
}

/// Expected status of a GET page for a role.
fn expected_page(path: &str, role: Role) -> u16 {
    let privileged = matches!(role, Role::Admin | Role::ProvinceOfficer);
    match path {
        "/admin/users" => {
            if role == Role::Admin {
                200
            } else {
                403
            }
        }
        "/audit" | "/audit/export.xlsx" => {
            if privileged {
                200
            } else {
                403
            }
        }
        // Home and profile: every staff role.
        _ => 200,
    }
}

const PAGES: [&str; 5] = [
    "/",
    "/profile",
    "/admin/users",
    "/audit",
    "/audit/export.xlsx",
];

async fn every_role_gets_the_expected_status_on_every_route(app: TestApp) {
    // Anonymous: pages redirect to sign-in, the API answers 401.
    let anon = TestApp::new_client();
    for path in PAGES {
        let r = anon.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "anonymous GET {path}");
        assert_eq!(r.headers()["location"], "/login", "anonymous GET {path}");
    }
    let r = anon.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(r.status(), 401);

    for (name, role) in ROLES {
        let id = app.add_user(name, role, scopes(role)).await;
        let client = TestApp::new_client();
        let r = app.sign_in(&client, name, PASSWORD).await;
        assert_eq!(r.status(), 303, "{name} signs in");
        for path in PAGES {
            let r = client.get(app.url(path)).send().await.unwrap();
            assert_eq!(
                r.status().as_u16(),
                expected_page(path, role),
                "{name} GET {path}"
            );
        }
        // State-changing admin action, with a valid CSRF token.
        let html = client
            .get(app.url("/profile"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = crate::helpers::extract_csrf(&html);
        let r = client
            .post(app.url("/admin/users"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", &format!("made-by-{name}")),
                ("role", "viewer"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        let want = if role == Role::Admin { 200 } else { 403 };
        assert_eq!(r.status().as_u16(), want, "{name} POST /admin/users");
        // The API: any token reads /api/v1/me.
        let token = app::auth::create_token(
            &app.app,
            &app::Actor::system("test"),
            id,
            "matrix",
            &["read"],
            1,
        )
        .await
        .unwrap();
        let r = reqwest::Client::new()
            .get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{name} GET /api/v1/me");
        // The audit API: a read token is not enough; an admin-scoped token
        // works for administrators and province officers only.
        let r = reqwest::Client::new()
            .get(app.url("/api/v1/audit"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{name} GET /api/v1/audit (read token)");
        let admin_token = app::auth::create_token(
            &app.app,
            &app::Actor::system("test"),
            id,
            "matrix-admin",
            &["read", "admin"],
            1,
        )
        .await
        .unwrap();
        let r = reqwest::Client::new()
            .get(app.url("/api/v1/audit?action=auth.sign_in"))
            .bearer_auth(&admin_token)
            .send()
            .await
            .unwrap();
        let privileged = matches!(role, Role::Admin | Role::ProvinceOfficer);
        assert_eq!(
            r.status().as_u16(),
            if privileged { 200 } else { 403 },
            "{name} GET /api/v1/audit (admin token)"
        );
        if privileged {
            let rows: serde_json::Value = r.json().await.unwrap();
            assert!(rows.as_array().is_some_and(|a| !a.is_empty()));
        }
    }
}
