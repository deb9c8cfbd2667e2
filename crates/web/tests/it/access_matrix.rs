//! Each role × each page and API route → allowed or refused, on SQLite and
//! PostgreSQL. Anonymous visitors are sent to sign in; roles outside a
//! route's audience get 403.

use app::accounts::users::Scope;
use domain::Role;

use crate::dual;
use crate::helpers::{PASSWORD, TestApp};

dual!(every_role_gets_the_expected_status_on_every_route);

const ROLES: [(&str, Role); 9] = [
    ("admin", Role::Admin),
    ("province_officer", Role::ProvinceOfficer),
    ("commune_officer", Role::CommuneOfficer),
    ("agency", Role::Agency),
    ("mission", Role::Mission),
    ("association", Role::Association),
    ("viewer", Role::Viewer),
    ("editor", Role::Editor),
    ("publisher", Role::Publisher),
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
        "/admin/users" | "/admin/outbox" => {
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
        "/review" | "/review/merges" => {
            if matches!(role, Role::ProvinceOfficer | Role::CommuneOfficer) {
                200
            } else {
                403
            }
        }
        "/reconcile" if matches!(role, Role::Viewer | Role::Editor | Role::Publisher) => 403,
        // The editorial desk (issue 24).
        "/content" => {
            if matches!(
                role,
                Role::Editor | Role::Publisher | Role::ProvinceOfficer | Role::CommuneOfficer
            ) {
                200
            } else {
                403
            }
        }
        // The portal's queue: the officers of hometowns (issue 23).
        "/portal/claims" => {
            if matches!(role, Role::ProvinceOfficer | Role::CommuneOfficer) {
                200
            } else {
                403
            }
        }
        // A person abroad's page: no staff session is read there.
        "/kieu-bao/record" => 303,
        // Home, profile and growth (statistics): every staff role.
        _ => 200,
    }
}

const PAGES: [&str; 13] = [
    "/work",
    "/content",
    "/portal/claims",
    "/admin/outbox",
    "/kieu-bao/record",
    "/profile",
    "/admin/users",
    "/audit",
    "/audit/export.xlsx",
    "/review",
    "/review/merges",
    "/reconcile",
    "/reconcile/growth",
];

async fn every_role_gets_the_expected_status_on_every_route(app: TestApp) {
    // Anonymous: pages redirect to sign-in, the API answers 401.
    let anon = TestApp::new_client();
    for path in PAGES {
        let r = anon.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "anonymous GET {path}");
        let to = if path.starts_with("/kieu-bao/") {
            "/kieu-bao/login"
        } else {
            "/login"
        };
        assert_eq!(r.headers()["location"], to, "anonymous GET {path}");
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
        let token = app::accounts::tokens::create_token(
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
        let admin_token = app::accounts::tokens::create_token(
            &app.app,
            &app::Actor::system("test"),
            id,
            "matrix-admin",
            &["read", "admin"],
            1,
        )
        .await;
        // A role without admin rights cannot even hold such a token.
        let may_hold = app::access::scopes_of_role(role).contains(&"admin");
        assert_eq!(admin_token.is_ok(), may_hold, "{name}: admin token");
        let Ok(admin_token) = admin_token else {
            continue;
        };
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

// ------------------------------------------------------------ records in and out of jurisdiction

dual!(every_role_on_every_person_route_inside_and_outside_its_jurisdiction);

/// What a role may do with people, by the access rules (restated here
/// independently of `app::access`, so that a change there must be deliberate).
#[derive(Clone, Copy)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "one flag per right, read as a table"
)]
struct Can {
    read: bool,
    write: bool,
    delete: bool,
    reveal: bool,
    /// Sees the whole province (both records are "inside").
    province: bool,
}

fn can(role: Role) -> Can {
    let r = matches!(
        role,
        Role::Admin
            | Role::ProvinceOfficer
            | Role::CommuneOfficer
            | Role::Agency
            | Role::Mission
            | Role::Association
    );
    Can {
        read: r,
        write: matches!(
            role,
            Role::ProvinceOfficer | Role::CommuneOfficer | Role::Mission | Role::Association
        ),
        delete: matches!(role, Role::ProvinceOfficer | Role::CommuneOfficer),
        reveal: matches!(
            role,
            Role::ProvinceOfficer | Role::CommuneOfficer | Role::Mission
        ),
        province: matches!(role, Role::Admin | Role::ProvinceOfficer),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Allowed,
    Forbidden,
    NotFound,
}

fn want(role_may: bool, inside: bool) -> Want {
    if !role_may {
        Want::Forbidden
    } else if inside {
        Want::Allowed
    } else {
        Want::NotFound
    }
}

fn check(got: u16, want: Want, what: &str) {
    match want {
        Want::Allowed => assert!(
            matches!(got, 200 | 201 | 204 | 303),
            "{what}: expected allowed, got {got}"
        ),
        Want::Forbidden => assert_eq!(got, 403, "{what}: expected 403"),
        Want::NotFound => assert_eq!(got, 404, "{what}: expected 404"),
    }
}

const IN_NAME: &str = "Nguyễn Văn Trongvung";
const OUT_NAME: &str = "Lê Thị Ngoaivung";
const ASSOCIATION: &str = "Hội đồng hương Hà Tĩnh tại Hàn Quốc";

struct Fixture {
    inside: i64,
    outside: i64,
    c_in: String,
    association: i64,
}

fn officer() -> app::Actor {
    app::Actor {
        user_id: None,
        username: "system:fixture".into(),
        role: Role::ProvinceOfficer,
        jurisdiction: app::Jurisdiction::Province,
        ip: String::new(),
        token_scopes: None,
    }
}

async fn fixture(app: &TestApp) -> Fixture {
    let communes = domain::geo::new_communes_of("42");
    let (c_in, c_out) = (communes[0].code.to_owned(), communes[1].code.to_owned());
    let make = |name: &str, country: &str, commune: &str| app::registry::people::PersonInput {
        full_name: Some(name.into()),
        category: Some("contract_labour".into()),
        country: Some(country.into()),
        hometown_code: Some(commune.into()),
        passport_no: Some("C7654321".into()),
        ..app::registry::people::PersonInput::default()
    };
    let sys = officer();
    let pool = &app.app.db.pool;
    let association: i64 = sqlx::query_scalar(
        "INSERT INTO associations (name, country, created_at) VALUES ($1, 'KR', $2) RETURNING id",
    )
    .bind(ASSOCIATION)
    .bind(app::clock::now())
    .fetch_one(pool)
    .await
    .unwrap();
    let mut inside_input = make(IN_NAME, "KR", &c_in);
    inside_input.associations = Some(vec![ASSOCIATION.into()]);
    let inside = app::registry::people::create(&app.app, &sys, &inside_input)
        .await
        .unwrap()
        .id;
    let outside = app::registry::people::create(&app.app, &sys, &make(OUT_NAME, "JP", &c_out))
        .await
        .unwrap()
        .id;
    sqlx::query(
        "INSERT INTO person_sources (person_id, agency, list_name, added_at) VALUES ($1, 'police', 'DS 2025', $2)",
    )
    .bind(inside)
    .bind(app::clock::now())
    .execute(pool)
    .await
    .unwrap();
    for (id, commune) in [(inside, &c_in), (outside, &c_out)] {
        app::registry::relatives::add_relative(
            &app.app,
            &sys,
            id,
            &app::registry::relatives::RelativeInput {
                household_id: None,
                head_name: Some("Chủ hộ".into()),
                address: Some("Thôn 1".into()),
                commune_code: Some(commune.clone()),
                full_name: Some("Người thân".into()),
                relationship: Some("parent".into()),
                birth_year: Some(1960),
                phone: None,
                notes: None,
            },
        )
        .await
        .unwrap();
    }
    Fixture {
        inside,
        outside,
        c_in,
        association,
    }
}

async fn version_of(app: &TestApp, id: i64) -> i64 {
    sqlx::query_scalar("SELECT version FROM persons WHERE id = $1")
        .bind(id)
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap()
}

async fn state_of(app: &TestApp, id: i64) -> (i64, Option<String>) {
    let version = version_of(app, id).await;
    let deleted: Option<String> =
        sqlx::query_scalar("SELECT deleted_at FROM persons WHERE id = $1")
            .bind(id)
            .fetch_one(&app.app.db.pool)
            .await
            .unwrap();
    (version, deleted)
}

async fn every_role_on_every_person_route_inside_and_outside_its_jurisdiction(app: TestApp) {
    let f = fixture(&app).await;
    let assoc = f.association.to_string();
    for (name, role) in ROLES {
        let scopes = match role {
            Role::CommuneOfficer => vec![Scope::new("new_commune", &f.c_in)],
            Role::Agency => vec![Scope::new("agency", "police")],
            Role::Mission => vec![Scope::new("country", "KR")],
            Role::Association => vec![Scope::new("association", &assoc)],
            _ => vec![],
        };
        let user_id = app.add_user(name, role, scopes).await;
        let c = can(role);
        let browser = TestApp::new_client();
        app.sign_in(&browser, name, PASSWORD).await;
        let csrf = crate::helpers::extract_csrf(
            &browser
                .get(app.url("/profile"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        );
        let actor = app::accounts::users::actor_for(&app.app, user_id)
            .await
            .unwrap();
        let scopes: Vec<&str> = ["read", "write"]
            .into_iter()
            .filter(|s| app::access::scopes_of_role(role).contains(s))
            .collect();
        let token =
            app::accounts::tokens::create_token(&app.app, &actor, user_id, "matrix", &scopes, 1)
                .await
                .unwrap();
        let api = reqwest::Client::new();

        // Lists: the page and the API show the inside record only (the
        // total too), unless the role sees the whole province.
        let r = browser.get(app.url("/people")).send().await.unwrap();
        check(
            r.status().as_u16(),
            want(c.read, true),
            &format!("{name} GET /people"),
        );
        if c.read {
            let html = r.text().await.unwrap();
            assert!(
                html.contains(IN_NAME),
                "{name}: list shows the inside record"
            );
            assert_eq!(
                html.contains(OUT_NAME),
                c.province,
                "{name}: list and the outside record"
            );
        }
        let r = api
            .get(app.url("/api/v1/people?limit=100"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        check(
            r.status().as_u16(),
            want(c.read, true),
            &format!("{name} GET /api/v1/people"),
        );
        if c.read {
            let page: serde_json::Value = r.json().await.unwrap();
            let ids: Vec<i64> = page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_i64().unwrap())
                .collect();
            // Earlier roles created more people inside; the outside record
            // is the one that must never show up for a limited role.
            assert!(
                ids.contains(&f.inside),
                "{name}: API list has the inside record"
            );
            assert_eq!(
                ids.contains(&f.outside),
                c.province,
                "{name}: API list and the outside record"
            );
            assert_eq!(
                page["total"],
                ids.len(),
                "{name}: API total counts what is in scope"
            );
        }
        let r = api
            .get(app.url("/api/v1/households"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        check(
            r.status().as_u16(),
            want(c.read, true),
            &format!("{name} GET /api/v1/households"),
        );
        if c.read {
            let page: serde_json::Value = r.json().await.unwrap();
            let listed: Vec<i64> = page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["id"].as_i64().unwrap())
                .collect();
            let of = |person: i64| {
                sqlx::query_scalar::<_, i64>(
                    "SELECT household_id FROM relatives WHERE person_id = $1",
                )
                .bind(person)
                .fetch_all(&app.app.db.pool)
            };
            let outside_households = of(f.outside).await.unwrap();
            let inside_households = of(f.inside).await.unwrap();
            assert!(
                inside_households.iter().all(|h| listed.contains(h)),
                "{name}: households of the inside record"
            );
            assert_eq!(
                outside_households.iter().any(|h| listed.contains(h)),
                c.province,
                "{name}: households of the outside record"
            );
        }
        // Pickers are reference data: every signed-in account.
        for path in ["/people/pick/communes?q=ha", "/people/pick/countries?q=han"] {
            let r = browser.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 200, "{name} GET {path}");
        }
        let r = browser.get(app.url("/people/new")).send().await.unwrap();
        check(
            r.status().as_u16(),
            want(c.write, true),
            &format!("{name} GET /people/new"),
        );

        for (id, label) in [(f.inside, "inside"), (f.outside, "outside")] {
            let inside = c.province || id == f.inside;
            let before = state_of(&app, id).await;
            let what = |route: &str| format!("{name} {route} ({label})");
            let page = |path: String| browser.get(app.url(&path)).send();
            let form = |path: String, fields: Vec<(&str, String)>| {
                let mut all = vec![("csrf", csrf.clone())];
                all.extend(fields);
                browser.post(app.url(&path)).form(&all).send()
            };

            // Reads.
            let r = page(format!("/people/{id}")).await.unwrap();
            check(
                r.status().as_u16(),
                want(c.read, inside),
                &what("GET /people/{id}"),
            );
            if c.read && inside {
                let html = r.text().await.unwrap();
                assert!(
                    !html.contains("C7654321"),
                    "{name}: passport masked on the page"
                );
            }
            for sub in ["", "/relatives", "/history"] {
                let r = api
                    .get(app.url(&format!("/api/v1/people/{id}{sub}")))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                check(
                    status,
                    want(c.read, inside),
                    &what(&format!("GET /api/v1/people/{{id}}{sub}")),
                );
                if status == 404 {
                    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
                    assert_eq!(
                        ct, "application/problem+json",
                        "{name}: 404 is problem+json"
                    );
                }
            }
            let r = form(
                format!("/people/{id}/reveal"),
                vec![("purpose", "kiểm tra quyền".to_owned())],
            )
            .await
            .unwrap();
            check(
                r.status().as_u16(),
                want(c.reveal, inside),
                &what("POST /people/{id}/reveal"),
            );
            if c.reveal && inside {
                assert!(
                    r.text().await.unwrap().contains("C7654321"),
                    "{name}: revealed"
                );
            }

            // Writes through the pages.
            let r = page(format!("/people/{id}/edit")).await.unwrap();
            check(
                r.status().as_u16(),
                want(c.write, inside),
                &what("GET /people/{id}/edit"),
            );
            let (country, commune) = if id == f.inside {
                ("KR", f.c_in.clone())
            } else {
                ("JP", domain::geo::new_communes_of("42")[1].code.to_owned())
            };
            let person_name = if id == f.inside { IN_NAME } else { OUT_NAME };
            let v = version_of(&app, id).await;
            let r = form(
                format!("/people/{id}"),
                vec![
                    ("full_name", person_name.to_owned()),
                    ("category", "contract_labour".into()),
                    ("country", country.into()),
                    ("hometown_code", commune.clone()),
                    ("notes", format!("edited by {name}")),
                    (
                        "associations",
                        if id == f.inside {
                            ASSOCIATION.into()
                        } else {
                            String::new()
                        },
                    ),
                    ("version", v.to_string()),
                ],
            )
            .await
            .unwrap();
            check(
                r.status().as_u16(),
                want(c.write, inside),
                &what("POST /people/{id}"),
            );
            let v = version_of(&app, id).await;
            let r = form(
                format!("/people/{id}/restore"),
                vec![("version", "1".into()), ("current", v.to_string())],
            )
            .await
            .unwrap();
            check(
                r.status().as_u16(),
                want(c.write, inside),
                &what("POST /people/{id}/restore"),
            );
            let r = form(
                format!("/people/{id}/relatives"),
                vec![
                    ("head_name", "Chủ hộ mới".into()),
                    ("address", "Thôn 2".into()),
                    ("commune_code", commune.clone()),
                    ("full_name", "Em gái".into()),
                    ("relationship", "sibling".into()),
                ],
            )
            .await
            .unwrap();
            check(
                r.status().as_u16(),
                want(c.write, inside),
                &what("POST /people/{id}/relatives"),
            );

            // Writes through the API.
            let v = version_of(&app, id).await;
            let r = api
                .patch(app.url(&format!("/api/v1/people/{id}")))
                .bearer_auth(&token)
                .header("if-match", format!("\"{v}\""))
                .header("content-type", "application/merge-patch+json")
                .body(format!("{{\"notes\": \"patched by {name}\"}}"))
                .send()
                .await
                .unwrap();
            check(
                r.status().as_u16(),
                want(c.write, inside),
                &what("PATCH /api/v1/people/{id}"),
            );
            let r = api
                .post(app.url(&format!("/api/v1/people/{id}/relatives")))
                .bearer_auth(&token)
                .json(&serde_json::json!({
                    "head_name": "Chủ hộ API", "address": "Thôn 3", "commune_code": commune,
                    "full_name": "Anh trai", "relationship": "sibling",
                }))
                .send()
                .await
                .unwrap();
            check(
                r.status().as_u16(),
                want(c.write, inside),
                &what("POST /api/v1/people/{id}/relatives"),
            );

            // Soft delete and restore, by page and by API.
            let r = form(
                format!("/people/{id}/delete"),
                vec![("reason", "test".into())],
            )
            .await
            .unwrap();
            check(
                r.status().as_u16(),
                want(c.delete, inside),
                &what("POST /people/{id}/delete"),
            );
            let r = form(format!("/people/{id}/undelete"), vec![])
                .await
                .unwrap();
            check(
                r.status().as_u16(),
                want(c.delete, inside),
                &what("POST /people/{id}/undelete"),
            );
            let r = api
                .delete(app.url(&format!("/api/v1/people/{id}?reason=test")))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            check(
                r.status().as_u16(),
                want(c.delete, inside),
                &what("DELETE /api/v1/people/{id}"),
            );
            if c.delete && inside {
                app::registry::people::undelete(&app.app, &officer(), id)
                    .await
                    .unwrap();
            }

            // A refused role or an outside record is left exactly as it was.
            let after = state_of(&app, id).await;
            if c.write && inside {
                assert!(after.0 > before.0, "{name}: {label} record was edited");
                assert_eq!(after.1, None, "{name}: {label} record is live again");
            } else {
                assert_eq!(after, before, "{name}: {label} record untouched");
            }
        }

        // Creation: inside the actor's area only.
        let r = api
            .post(app.url("/api/v1/people"))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "full_name": format!("Người mới {name}"), "category": "study_abroad",
                "country": "KR", "hometown_code": f.c_in,
            }))
            .send()
            .await
            .unwrap();
        check(
            r.status().as_u16(),
            want(c.write, true),
            &format!("{name} POST /api/v1/people"),
        );
        let r = browser
            .post(app.url("/people"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("full_name", &format!("Người mới trang {name}")),
                ("category", "study_abroad"),
                ("country", "KR"),
                ("hometown_code", f.c_in.as_str()),
            ])
            .send()
            .await
            .unwrap();
        check(
            r.status().as_u16(),
            want(c.write, true),
            &format!("{name} POST /people"),
        );
        if matches!(role, Role::CommuneOfficer | Role::Mission) {
            // Outside its communes / countries: refused, nothing stored.
            let r = api
                .post(app.url("/api/v1/people"))
                .bearer_auth(&token)
                .json(&serde_json::json!({
                    "full_name": "Ngoài phạm vi", "category": "study_abroad",
                    "country": "JP", "hometown_code": domain::geo::new_communes_of("42")[1].code,
                }))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 422, "{name}: creating outside its area");
        }
    }
    let stray: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM persons WHERE full_name = $1")
        .bind("Ngoài phạm vi")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(stray, 0);
}
