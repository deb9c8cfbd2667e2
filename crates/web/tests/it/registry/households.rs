//! Households and relatives through the API and the pages: create, read,
//! update with If-Match, jurisdiction (404 outside), relatives across
//! households, audit.

use app::accounts::users::Scope;
use domain::Role;
use serde_json::{Value, json};

use crate::dual;
use crate::helpers::{PASSWORD, TestApp, extract_csrf};
use crate::registry::people::{communes, person, post, token};

async fn create_household(app: &TestApp, tok: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/households"))
        .bearer_auth(tok)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn get(app: &TestApp, tok: &str, path: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap()
}

async fn patch(
    app: &TestApp,
    tok: &str,
    path: &str,
    etag: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut r = app.client.patch(app.url(path)).bearer_auth(tok).json(body);
    if let Some(e) = etag {
        r = r.header("If-Match", e);
    }
    r.send().await.unwrap()
}

async fn audit_actions(app: &TestApp, entity: &str, id: i64) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY id",
    )
    .bind(entity)
    .bind(id.to_string())
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap()
}

async fn api_households_create_read_patch_with_if_match(app: TestApp) {
    let (c1, _) = communes();
    let tok = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let r = create_household(
        &app,
        &tok,
        &json!({"head_name": "Nguyễn Văn Hộ", "address": "Thôn 3", "commune_code": c1, "phone": "0912 000 111"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["etag"], "\"1\"");
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    let h: Value = r.json().await.unwrap();
    let id = h["id"].as_i64().unwrap();
    assert_eq!(loc, format!("/api/v1/households/{id}"));
    assert_eq!(h["phone"], "+84912000111");
    assert_eq!(h["commune_code"], c1.as_str());
    let r = get(&app, &tok, &loc).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"1\"");
    // If-Match is required, must be current, and unknown fields are refused.
    let r = patch(&app, &tok, &loc, None, &json!({"address": "Thôn 4"})).await;
    assert_eq!(r.status(), 428);
    let r = patch(
        &app,
        &tok,
        &loc,
        Some("\"1\""),
        &json!({"address": "Thôn 4"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"2\"");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["address"], "Thôn 4");
    assert_eq!(
        v["head_name"], "Nguyễn Văn Hộ",
        "a patch keeps unnamed fields"
    );
    let r = patch(
        &app,
        &tok,
        &loc,
        Some("\"1\""),
        &json!({"address": "Thôn 5"}),
    )
    .await;
    assert_eq!(r.status(), 412);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = patch(&app, &tok, &loc, Some("\"2\""), &json!({"colour": "red"})).await;
    assert_eq!(r.status(), 422);
    // `If-Match: *` (RFC 9110): any current version — a knowing overwrite;
    // a number never means "any", however it is written.
    let r = patch(
        &app,
        &tok,
        &loc,
        Some("\"-9223372036854775808\""),
        &json!({"address": "Thôn 6"}),
    )
    .await;
    assert_eq!(r.status(), 412);
    let r = patch(&app, &tok, &loc, Some("*"), &json!({"address": "Thôn 4"})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"3\"");
    // Bad input, by field, nothing saved.
    let r = create_household(
        &app,
        &tok,
        &json!({"commune_code": "99999", "phone": "call me", "head_name": ""}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let b: Value = r.json().await.unwrap();
    let fields: Vec<&str> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["head_name", "commune_code", "phone"] {
        assert!(fields.contains(&f), "{f}: {fields:?}");
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM households")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(n, 1);
    let stored: String = sqlx::query_scalar("SELECT address FROM households WHERE id = $1")
        .bind(id)
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(stored, "Thôn 4", "the stale patch changed nothing");
    assert_eq!(
        audit_actions(&app, "household", id).await,
        [
            "household.create",
            "household.view",
            "household.update",
            "household.update"
        ]
    );
}

async fn households_outside_jurisdiction_are_not_found(app: TestApp) {
    let (c1, c2) = communes();
    let prov = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let theirs: Value = create_household(
        &app,
        &prov,
        &json!({"head_name": "Hộ xã khác", "commune_code": c2}),
    )
    .await
    .json()
    .await
    .unwrap();
    let officer = token(
        &app,
        "canbo.xa",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c1)],
        &["read", "write"],
    )
    .await;
    // Cannot open a household outside the commune; can inside.
    let r = create_household(
        &app,
        &officer,
        &json!({"head_name": "X", "commune_code": c2}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["errors"][0]["code"], "out_of_jurisdiction");
    let r = create_household(
        &app,
        &officer,
        &json!({"head_name": "Hộ của xã", "commune_code": c1}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let mine: Value = r.json().await.unwrap();
    let theirs_url = format!("/api/v1/households/{}", theirs["id"]);
    assert_eq!(get(&app, &officer, &theirs_url).await.status(), 404);
    let r = patch(
        &app,
        &officer,
        &theirs_url,
        Some("\"1\""),
        &json!({"address": "x"}),
    )
    .await;
    assert_eq!(r.status(), 404);
    // Moving one's own household out of the commune is refused.
    let mine_url = format!("/api/v1/households/{}", mine["id"]);
    let r = patch(
        &app,
        &officer,
        &mine_url,
        Some("\"1\""),
        &json!({"commune_code": c2}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let list: Value = get(&app, &officer, "/api/v1/households")
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [mine["id"].as_i64().unwrap()]);
    let all: Value = get(&app, &prov, "/api/v1/households")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        all["items"].as_array().unwrap().len(),
        2,
        "the province sees all"
    );
    let one: Value = get(&app, &prov, &format!("/api/v1/households?commune={c2}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["items"][0]["id"], theirs["id"]);
    assert_eq!(one["items"].as_array().unwrap().len(), 1);
    // A relative cannot be put into a household out of sight.
    let p: Value = post(&app, &officer, &person("Võ Văn Xa", &c1))
        .await
        .json()
        .await
        .unwrap();
    let r = app
        .client
        .post(app.url(&format!("/api/v1/people/{}/relatives", p["id"])))
        .bearer_auth(&officer)
        .json(&json!({"household_id": theirs["id"], "full_name": "Y", "relationship": "parent"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
}

async fn relatives_span_households_and_people(app: TestApp) {
    let (c1, _) = communes();
    let tok = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let h1: Value = create_household(
        &app,
        &tok,
        &json!({"head_name": "Hộ Một", "commune_code": c1}),
    )
    .await
    .json()
    .await
    .unwrap();
    let h2: Value = create_household(
        &app,
        &tok,
        &json!({"head_name": "Hộ Hai", "commune_code": c1}),
    )
    .await
    .json()
    .await
    .unwrap();
    let a: Value = post(&app, &tok, &person("Anh Cả", &c1))
        .await
        .json()
        .await
        .unwrap();
    let b: Value = post(&app, &tok, &person("Em Út", &c1))
        .await
        .json()
        .await
        .unwrap();
    let add = |pid: &Value, body: Value| {
        let c = app.client.clone();
        let url = app.url(&format!("/api/v1/people/{pid}/relatives"));
        let tok = tok.clone();
        async move {
            c.post(url)
                .bearer_auth(tok)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    // Two people abroad with relatives in one household; one of them in two households.
    let r = add(
        &a["id"],
        json!({"household_id": h1["id"], "full_name": "Mẹ Chung", "relationship": "parent"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let ra: Value = r.json().await.unwrap();
    let r = add(
        &b["id"],
        json!({"household_id": h1["id"], "full_name": "Mẹ Chung", "relationship": "parent"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let r = add(&a["id"], json!({"household_id": h2["id"], "full_name": "Vợ Anh", "relationship": "spouse", "birth_year": 1992})).await;
    assert_eq!(r.status(), 201);
    let hv: Value = get(&app, &tok, &format!("/api/v1/households/{}", h1["id"]))
        .await
        .json()
        .await
        .unwrap();
    let people: Vec<i64> = hv["relatives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["person_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        people,
        [a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap()]
    );
    let rel: Value = get(&app, &tok, &format!("/api/v1/people/{}/relatives", a["id"]))
        .await
        .json()
        .await
        .unwrap();
    let hs: Vec<i64> = rel["relatives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["household_id"].as_i64().unwrap())
        .collect();
    assert_eq!(hs, [h1["id"].as_i64().unwrap(), h2["id"].as_i64().unwrap()]);
    // Update a relative (move it, correct the relationship), then remove one.
    let rid = ra["id"].as_i64().unwrap();
    let url = format!("/api/v1/people/{}/relatives/{rid}", a["id"]);
    let r = patch(
        &app,
        &tok,
        &url,
        None,
        &json!({"relationship": "grandparent", "household_id": h2["id"]}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["relationship"], "grandparent");
    assert_eq!(v["household_id"], h2["id"]);
    assert_eq!(v["full_name"], "Mẹ Chung");
    let r = patch(&app, &tok, &url, None, &json!({"relationship": "pet"})).await;
    assert_eq!(r.status(), 422);
    // The relative belongs to `a`, not `b`.
    let wrong = format!("/api/v1/people/{}/relatives/{rid}", b["id"]);
    assert_eq!(
        patch(&app, &tok, &wrong, None, &json!({"notes": "x"}))
            .await
            .status(),
        404
    );
    let r = app
        .client
        .delete(app.url(&url))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let rel: Value = get(&app, &tok, &format!("/api/v1/people/{}/relatives", a["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rel["relatives"].as_array().unwrap().len(), 1);
    let r = app
        .client
        .delete(app.url(&url))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "already removed");
    let actions = audit_actions(&app, "person", a["id"].as_i64().unwrap()).await;
    for act in ["relative.create", "relative.update", "relative.delete"] {
        assert!(actions.iter().any(|x| x == act), "{act}: {actions:?}");
    }
}

async fn household_page_edits_with_messages_and_versions(app: TestApp) {
    let (c1, c2) = communes();
    app.add_user(
        "canbo.xa",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c1)],
    )
    .await;
    let tok = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let h: Value = create_household(
        &app,
        &tok,
        &json!({"head_name": "Hộ <b>Ba</b>", "commune_code": c1}),
    )
    .await
    .json()
    .await
    .unwrap();
    let other: Value = create_household(
        &app,
        &tok,
        &json!({"head_name": "Hộ xa", "commune_code": c2}),
    )
    .await
    .json()
    .await
    .unwrap();
    let client = TestApp::new_client();
    let r = app.sign_in(&client, "canbo.xa", PASSWORD).await;
    assert!(r.status().is_redirection());
    let url = app.url(&format!("/households/{}", h["id"]));
    let html = client.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Hộ &#60;b&#62;Ba&#60;/b&#62;"), "escaped");
    assert!(!html.contains("<b>Ba"));
    let csrf = extract_csrf(&html);
    let r = client
        .post(&url)
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", "1"),
            ("head_name", "Hộ Ba"),
            ("commune_code", &c1),
            ("phone", "abc"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("data-field=\"phone\""), "the phone is named");
    let r = client
        .post(&url)
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", "1"),
            ("head_name", "Hộ Ba"),
            ("commune_code", &c1),
            ("phone", "0912345678"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    // The same stale version again: a conflict, nothing lost.
    let r = client
        .post(&url)
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", "1"),
            ("head_name", "Hộ Bốn"),
            ("commune_code", &c1),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let v: Value = get(&app, &tok, &format!("/api/v1/households/{}", h["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["head_name"], "Hộ Ba");
    assert_eq!(v["phone"], "+84912345678");
    assert_eq!(v["version"], 2);
    let r = client
        .get(app.url(&format!("/households/{}", other["id"])))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

dual!(
    api_households_create_read_patch_with_if_match,
    households_outside_jurisdiction_are_not_found,
    relatives_span_households_and_people,
    household_page_edits_with_messages_and_versions,
);
