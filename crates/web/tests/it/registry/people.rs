//! The registry: API and pages, access and audit.

use app::accounts::users::Scope;
use domain::Role;
use serde_json::{Value, json};

use crate::dual;
use crate::helpers::{PASSWORD, TestApp};

/// Two new communes of Hà Tĩnh.
pub(crate) fn communes() -> (String, String) {
    let all = domain::geo::new_communes_of("42");
    (all[0].code.to_owned(), all[1].code.to_owned())
}

pub(crate) async fn token(
    app: &TestApp,
    username: &str,
    role: Role,
    scopes: Vec<Scope>,
    s: &[&str],
) -> String {
    let id = app.add_user(username, role, scopes).await;
    let actor = app::accounts::users::actor_for(&app.app, id).await.unwrap();
    // As much of what is asked as the role allows.
    let s: Vec<&str> = s
        .iter()
        .copied()
        .filter(|x| app::access::scopes_of_role(role).contains(x))
        .collect();
    app::accounts::tokens::create_token(&app.app, &actor, id, "t", &s, 30)
        .await
        .unwrap()
}

pub(crate) fn person(name: &str, commune: &str) -> Value {
    json!({
        "full_name": name,
        "category": "contract_labour",
        "country": "KR",
        "hometown_code": commune,
        "birth_date": "1990-05",
        "departure_year": 2015,
        "passport_no": "C1234567",
        "phone": "0912 345 678",
        "email": "An@Example.com",
    })
}

pub(crate) async fn post(app: &TestApp, tok: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/people"))
        .bearer_auth(tok)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn api_create_read_patch_delete_with_etags(app: TestApp) {
    let (c1, _) = communes();
    let tok = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let r = post(&app, &tok, &person("Nguyễn Văn An", &c1)).await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["etag"], "\"1\"");
    let p: Value = r.json().await.unwrap();
    let id = p["id"].as_i64().unwrap();
    assert_eq!(p["phone"], "+84912345678");
    assert_eq!(p["email"], "an@example.com");
    let url = app.url(&format!("/api/v1/people/{id}"));
    let r = app.client.get(&url).bearer_auth(&tok).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"1\"");
    let got: Value = r.json().await.unwrap();
    assert_eq!(got["passport_no"], "••••67", "masked by default");
    // PATCH needs If-Match.
    let r = app
        .client
        .patch(&url)
        .bearer_auth(&tok)
        .json(&json!({"city_abroad": "Seoul"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 428);
    let r = app
        .client
        .patch(&url)
        .bearer_auth(&tok)
        .header("If-Match", "\"1\"")
        .json(&json!({"city_abroad": "Seoul", "occupation": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"2\"");
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["city_abroad"], "Seoul");
    assert_eq!(
        p["passport_no"], "••••67",
        "a patch keeps unnamed fields, shown masked without reveal"
    );
    // Stale If-Match.
    let r = app
        .client
        .patch(&url)
        .bearer_auth(&tok)
        .header("If-Match", "\"1\"")
        .json(&json!({"city_abroad": "Busan"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 412);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["code"], "version_mismatch");
    // Unknown field in a patch or a create.
    let r = app
        .client
        .patch(&url)
        .bearer_auth(&tok)
        .header("If-Match", "\"2\"")
        .json(&json!({"favourite_colour": "blue"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let mut body = person("B", &c1);
    body["shoe_size"] = json!(42);
    let r = post(&app, &tok, &body).await;
    assert_eq!(r.status(), 422);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["errors"][0]["field"], "shoe_size");
    // History and restore of version 1.
    let actor = app::accounts::users::actor_for(&app.app, 1).await.unwrap();
    let h = app::registry::people::history(&app.app, &actor, id)
        .await
        .unwrap();
    assert_eq!(h.len(), 2);
    assert!(h[0].summary.contains("city_abroad"));
    let restore = app.url(&format!("/api/v1/people/{id}/restore"));
    let r = app
        .client
        .post(&restore)
        .bearer_auth(&tok)
        .header("If-Match", "\"1\"")
        .json(&json!({"version": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 412, "restore needs the current version");
    let r = app
        .client
        .post(&restore)
        .bearer_auth(&tok)
        .header("If-Match", "\"2\"")
        .json(&json!({"version": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"3\"");
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["version"], 3);
    assert_eq!(p["city_abroad"], "");
    let h = app::registry::people::history(&app.app, &actor, id)
        .await
        .unwrap();
    assert_eq!(h[0].summary, "restored version 1");
    // Soft delete hides from the list; restore brings back.
    let list_url = app.url("/api/v1/people");
    let n = |v: Value| v["total"].as_i64().unwrap();
    let r = app
        .client
        .get(&list_url)
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(n(r.json().await.unwrap()), 1);
    let r = app
        .client
        .delete(format!("{url}?reason=duplicate"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = app
        .client
        .get(&list_url)
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(n(r.json().await.unwrap()), 0);
    let r = app
        .client
        .post(app.url(&format!("/api/v1/people/{id}/undelete")))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = app
        .client
        .get(&list_url)
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(n(v.clone()), 1);
    assert_eq!(v["items"][0]["id"], id);
}

async fn api_rejects_bad_input_by_field(app: TestApp) {
    let (c1, _) = communes();
    let tok = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let mut body = person("A\u{7}B", &c1);
    body["birth_date"] = json!("2999-01-01");
    body["country"] = json!("XX");
    body["email"] = json!("not-an-email");
    body["phone"] = json!("call me");
    body["departure_year"] = json!(1950);
    let r = post(&app, &tok, &body).await;
    assert_eq!(r.status(), 422);
    let b: Value = r.json().await.unwrap();
    let fields: Vec<&str> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["full_name", "birth_date", "country", "email", "phone"] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    let r = app
        .client
        .get(app.url("/api/v1/people"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["total"], 0, "nothing saved half");
}

async fn commune_officer_sees_only_own_communes(app: TestApp) {
    let (c1, c2) = communes();
    let prov = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let mine: Value = post(&app, &prov, &person("Trần Thị Mai", &c1))
        .await
        .json()
        .await
        .unwrap();
    let other: Value = post(&app, &prov, &person("Lê Văn Bình", &c2))
        .await
        .json()
        .await
        .unwrap();
    let tok = token(
        &app,
        "canbo.xa",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c1)],
        &["read", "write", "admin"],
    )
    .await;
    let r = app
        .client
        .get(app.url("/api/v1/people"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["id"], mine["id"]);
    let r = app
        .client
        .get(app.url(&format!("/api/v1/people/{}", other["id"])))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // Masked, then revealed with an audit row.
    let url = app.url(&format!("/api/v1/people/{}", mine["id"]));
    let v: Value = app
        .client
        .get(&url)
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["passport_no"], "••••67");
    // Issue 26, finding 4: a reveal through the API needs its purpose.
    let r = app
        .client
        .get(format!("{url}?reveal=true"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["errors"][0]["field"], "purpose", "{v}");
    let v: Value = app
        .client
        .get(format!("{url}?reveal=true&purpose=xác minh hộ chiếu"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["passport_no"], "C1234567");
    let purpose: String = sqlx::query_scalar(
        "SELECT details FROM audit_log WHERE action = 'person.reveal' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    assert!(
        purpose.contains("xác minh hộ chiếu"),
        "the purpose is audited: {purpose}"
    );
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity = 'person' AND entity_id = $1 ORDER BY id",
    )
    .bind(mine["id"].as_i64().unwrap().to_string())
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(actions, ["person.create", "person.view", "person.reveal"]);
    // At most REVEALS_PER_HOUR reveals an hour per account.
    let mut statuses = Vec::new();
    for _ in 0..app::registry::people::REVEALS_PER_HOUR {
        let r = app
            .client
            .get(format!("{url}?reveal=true&purpose=kiểm tra"))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count() as i64,
        app::registry::people::REVEALS_PER_HOUR - 1
    );
    assert_eq!(
        statuses.last(),
        Some(&429),
        "the reveal over the limit is refused"
    );
    // Cannot create outside the commune.
    let r = post(&app, &tok, &person("Phạm Văn C", &c2)).await;
    assert_eq!(r.status(), 422);
    let r = post(&app, &tok, &person("Phạm Văn D", &c1)).await;
    assert_eq!(r.status(), 201);
}

async fn pages_escape_html_audit_views_and_refuse_viewers(app: TestApp) {
    let (c1, _) = communes();
    app.add_user("lan", Role::ProvinceOfficer, vec![]).await;
    app.add_user("sep", Role::Viewer, vec![]).await;
    let r = app.sign_in(&app.client, "lan", PASSWORD).await;
    assert_eq!(r.status(), 303);
    let html = app
        .client
        .get(app.url("/people/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::helpers::extract_csrf(&html);
    // A bad email keeps what was typed.
    let r = app
        .client
        .post(app.url("/people"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("full_name", "<script>alert(1)</script>"),
            ("category", "migrant"),
            ("country", "JP"),
            ("hometown_code", c1.as_str()),
            ("email", "bad"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(html.contains("data-field=\"email\""));
    let r = app
        .client
        .post(app.url("/people"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("full_name", "<script>alert(1)</script>"),
            ("category", "migrant"),
            ("country", "JP"),
            ("hometown_code", c1.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    let html = app
        .client
        .get(app.url(&loc))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(!html.contains("<script>alert"));
    let id = loc.rsplit('/').next().unwrap().to_owned();
    let stored: String = sqlx::query_scalar("SELECT full_name FROM persons")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(stored, "<script>alert(1)</script>");
    let views: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'person.view' AND entity_id = $1",
    )
    .bind(&id)
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(views, 1);
    // The list shows it with its count; a stale edit shows the conflict.
    let html = app
        .client
        .get(app.url("/people?category=migrant"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(": 1</p>"));
    let edit = |city: &'static str| {
        let c = app.client.clone();
        let url = app.url(&loc);
        let csrf = csrf.clone();
        let c1 = c1.clone();
        async move {
            c.post(url)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("version", "1"),
                    ("full_name", "Tên"),
                    ("category", "migrant"),
                    ("country", "JP"),
                    ("hometown_code", c1.as_str()),
                    ("city_abroad", city),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(edit("Tokyo").await.status(), 303);
    let r = edit("Osaka").await;
    assert_eq!(r.status(), 409);
    let html = r.text().await.unwrap();
    assert!(html.contains("data-testid=\"conflict\"") && html.contains("Osaka"));
    // Leadership viewers see statistics only.
    let viewer = TestApp::new_client();
    app.sign_in(&viewer, "sep", PASSWORD).await;
    let r = viewer.get(app.url("/people")).send().await.unwrap();
    assert_eq!(r.status(), 403);
}

async fn pages_delete_undelete_and_restore_a_version(app: TestApp) {
    let (c1, _) = communes();
    let uid = app.add_user("lan", Role::ProvinceOfficer, vec![]).await;
    let actor = app::accounts::users::actor_for(&app.app, uid)
        .await
        .unwrap();
    let input: app::registry::people::PersonInput =
        serde_json::from_value(person("Võ Thị Hoa", &c1)).unwrap();
    let p = app::registry::people::create(&app.app, &actor, &input)
        .await
        .unwrap();
    let mut changed = input.clone();
    changed.city_abroad = Some("Daegu".into());
    app::registry::people::update(&app.app, &actor, p.id, 1, &changed, false)
        .await
        .unwrap();
    app.sign_in(&app.client, "lan", PASSWORD).await;
    let page = app.url(&format!("/people/{}", p.id));
    let html = app
        .client
        .get(&page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The history names the field changed in words.
    assert!(html.contains("Sửa: Thành phố") && html.contains("Daegu"));
    assert!(!html.contains("city_abroad</td>"));
    let csrf = crate::helpers::extract_csrf(&html);
    let r = app
        .client
        .post(format!("{page}/relatives"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("full_name", "Võ Văn Ba"),
            ("relationship", "parent"),
            ("birth_year", "1955"),
            ("head_name", "Võ Văn Ba"),
            ("commune_code", c1.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // Restore version 1 from the history tab.
    let r = app
        .client
        .post(format!("{page}/restore"))
        .form(&[("csrf", csrf.as_str()), ("version", "1"), ("current", "2")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let got = app::registry::people::get(&app.app, &actor, p.id, false)
        .await
        .unwrap();
    assert_eq!((got.version, got.data.city_abroad.as_str()), (3, ""));
    // Delete with a reason: gone from the list, back after restore.
    let r = app
        .client
        .post(format!("{page}/delete"))
        .form(&[("csrf", csrf.as_str()), ("reason", "trùng")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let list = app
        .client
        .get(app.url("/people"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains(": 0</p>"));
    let html = app
        .client
        .get(&page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-testid=\"deleted\"") && html.contains("trùng"));
    let r = app
        .client
        .post(format!("{page}/undelete"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let list = app
        .client
        .get(app.url("/people"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains(": 1</p>") && list.contains("Võ Thị Hoa"));
    let html = app
        .client
        .get(&page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Võ Văn Ba"), "the relative is listed");
}

async fn api_cursor_pages_history_and_relatives(app: TestApp) {
    let (c1, _) = communes();
    let tok = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let mut ids = Vec::new();
    for name in ["Một", "Hai", "Ba"] {
        let p: Value = post(&app, &tok, &person(name, &c1))
            .await
            .json()
            .await
            .unwrap();
        ids.push(p["id"].as_i64().unwrap());
    }
    let get = |path: String| {
        let c = app.client.clone();
        let url = app.url(&path);
        let tok = tok.clone();
        async move {
            c.get(url)
                .bearer_auth(tok)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let first = get("/api/v1/people?limit=2".into()).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    assert_eq!(first["total"], 3);
    let next = first["next"].as_i64().unwrap();
    let second = get(format!("/api/v1/people?limit=2&after={next}")).await;
    assert_eq!(second["items"][0]["id"], ids[2]);
    assert!(second["next"].is_null());
    let h = get(format!("/api/v1/people/{}/history", ids[0])).await;
    assert_eq!(h[0]["version"], 1);
    assert_eq!(h[0]["changed_by_name"], "lan");
    let r = get(format!("/api/v1/people/{}/relatives", ids[0])).await;
    assert!(r["relatives"].as_array().unwrap().is_empty());
}

async fn relatives_and_households_stay_in_jurisdiction(app: TestApp) {
    let (c1, c2) = communes();
    let prov = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let p: Value = post(&app, &prov, &person("Đặng Văn Tài", &c2))
        .await
        .json()
        .await
        .unwrap();
    let url = app.url(&format!("/api/v1/people/{}/relatives", p["id"]));
    let r = app
        .client
        .post(&url)
        .bearer_auth(&prov)
        .json(&json!({"head_name": "Đặng Văn Cha", "commune_code": c2, "full_name": "Đặng Văn Cha", "relationship": "parent", "birth_year": 1960}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = app
        .client
        .post(&url)
        .bearer_auth(&prov)
        .json(&json!({"head_name": "X", "full_name": "Y", "relationship": "cousin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let list = |tok: String| {
        let c = app.client.clone();
        let u = app.url("/api/v1/households");
        async move {
            c.get(u)
                .bearer_auth(tok)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let v = list(prov.clone()).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert_eq!(v["items"][0]["relatives"], 1);
    let other = token(
        &app,
        "canbo.xa",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c1)],
        &["read", "write"],
    )
    .await;
    let v = list(other.clone()).await;
    assert!(v["items"].as_array().unwrap().is_empty());
    let r = app
        .client
        .get(&url)
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

dual!(
    api_create_read_patch_delete_with_etags,
    api_rejects_bad_input_by_field,
    commune_officer_sees_only_own_communes,
    pages_escape_html_audit_views_and_refuse_viewers,
    pages_delete_undelete_and_restore_a_version,
    api_cursor_pages_history_and_relatives,
    relatives_and_households_stay_in_jurisdiction,
);
