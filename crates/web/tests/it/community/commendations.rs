//! Commendations (issue 22 §7): a proposal for a person or an association,
//! the decision with If-Match, reach (a mission outside its country), the
//! page in words.

use app::accounts::users::Scope;
use domain::Role;
use serde_json::{Value, json};

use crate::dual;
use crate::helpers::{PASSWORD, TestApp, extract_csrf};
use crate::registry::people::{communes, person, token};

dual!(
    proposals_and_decisions_within_reach,
    the_page_proposes_and_decides_in_words,
);

async fn call(
    app: &TestApp,
    tok: &str,
    method: reqwest::Method,
    path: &str,
    etag: Option<&str>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut r = app.client.request(method, app.url(path)).bearer_auth(tok);
    if let Some(e) = etag {
        r = r.header("If-Match", e);
    }
    if let Some(b) = body {
        r = r.json(&b);
    }
    r.send().await.unwrap()
}

async fn someone(app: &TestApp, tok: &str, name: &str, country: &str) -> i64 {
    let (c1, _) = communes();
    let mut p = person(name, &c1);
    p["passport_no"] = Value::Null;
    p["country"] = json!(country);
    let r = call(
        app,
        tok,
        reqwest::Method::POST,
        "/api/v1/people",
        None,
        Some(p),
    )
    .await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn proposals_and_decisions_within_reach(app: TestApp) {
    let tok = token(
        &app,
        "sonv",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let kr = someone(&app, &tok, "Nguyễn Văn Khen", "KR").await;
    let jp = someone(&app, &tok, "Trần Thị Thưởng", "JP").await;
    let post = reqwest::Method::POST;
    let r = call(
        &app,
        &tok,
        post.clone(),
        "/api/v1/commendations",
        None,
        Some(json!({"level": "gold", "reason": ""})),
    )
    .await;
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    let f: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(f, ["level", "reason", "person_id"]);
    let r = call(&app, &tok, post.clone(), "/api/v1/commendations", None,
        Some(json!({"person_id": kr, "level": "provincial_certificate", "reason": "Vận động học bổng", "proposed_on": "05/01/2026"}))).await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["etag"], "\"1\"");
    let c: Value = r.json().await.unwrap();
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["recipient"], "Nguyễn Văn Khen");
    assert_eq!(c["status"], "proposed");
    let path = format!("/api/v1/commendations/{id}");
    let r = call(
        &app,
        &tok,
        reqwest::Method::PATCH,
        &path,
        None,
        Some(json!({"status": "approved"})),
    )
    .await;
    assert_eq!(r.status(), 428);
    let r = call(
        &app,
        &tok,
        reqwest::Method::PATCH,
        &path,
        Some("\"1\""),
        Some(json!({"status": "approved"})),
    )
    .await;
    assert_eq!(r.status(), 422, "an approval needs its decision");
    let r = call(&app, &tok, reqwest::Method::PATCH, &path, Some("\"1\""),
        Some(json!({"status": "approved", "decision_number": "125/QĐ-UBND", "decision_date": "20/01/2026"}))).await;
    assert_eq!(r.status(), 200);
    let c: Value = r.json().await.unwrap();
    assert_eq!(
        (c["decision_number"].as_str(), c["decision_date"].as_str()),
        (Some("125/QĐ-UBND"), Some("2026-01-20"))
    );
    let r = call(
        &app,
        &tok,
        reqwest::Method::PATCH,
        &path,
        Some("\"1\""),
        Some(json!({"status": "refused"})),
    )
    .await;
    assert_eq!(r.status(), 412);
    // A mission of Japan: the Korean's commendation is not for it.
    let mission = token(
        &app,
        "dsq.jp",
        Role::Mission,
        vec![Scope::new("country", "JP")],
        &["read", "write"],
    )
    .await;
    let seen: Value = call(
        &app,
        &mission,
        reqwest::Method::GET,
        "/api/v1/commendations",
        None,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(seen.as_array().unwrap().len(), 0);
    let r = call(
        &app,
        &mission,
        reqwest::Method::PATCH,
        &path,
        Some("*"),
        Some(json!({"status": "refused"})),
    )
    .await;
    assert_eq!(r.status(), 404);
    let r = call(
        &app,
        &mission,
        post.clone(),
        "/api/v1/commendations",
        None,
        Some(json!({"person_id": kr, "level": "other", "reason": "x"})),
    )
    .await;
    assert_eq!(r.status(), 422, "outside its country");
    assert_eq!(
        r.json::<Value>().await.unwrap()["errors"][0]["field"],
        "person_id"
    );
    let r = call(
        &app,
        &mission,
        post,
        "/api/v1/commendations",
        None,
        Some(
            json!({"person_id": jp, "level": "committee_certificate", "reason": "Hội đồng hương"}),
        ),
    )
    .await;
    assert_eq!(r.status(), 201);
    let leader = token(&app, "lanhdao", Role::Viewer, vec![], &["read", "write"]).await;
    let r = call(
        &app,
        &leader,
        reqwest::Method::POST,
        "/api/v1/commendations",
        None,
        Some(json!({"person_id": jp, "level": "other", "reason": "x"})),
    )
    .await;
    assert_eq!(r.status(), 403);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE entity = 'commendation'")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(n, 3);
}

async fn the_page_proposes_and_decides_in_words(app: TestApp) {
    let tok = token(
        &app,
        "sonv",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let p = someone(&app, &tok, "Nguyễn Văn Khen", "KR").await;
    app.add_user("sonv.web", Role::ProvinceOfficer, vec![])
        .await;
    let client = TestApp::new_client();
    assert_eq!(
        app.sign_in(&client, "sonv.web", PASSWORD).await.status(),
        303
    );
    let html = client
        .get(app.url("/commendations"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = extract_csrf(&html);
    let r = client
        .post(app.url("/commendations"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("person", &format!("Nguyễn Văn Khen · #{p}")),
            ("level", "provincial_certificate"),
            ("reason", "Vận động học bổng"),
            ("proposed_on", "05/01/2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = client
        .get(app.url("/commendations"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Bằng khen của UBND tỉnh")
            && html.contains("05/01/2026")
            && html.contains("Đã đề nghị"),
        "{html}"
    );
    let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM commendations")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    let r = client
        .post(app.url(&format!("/commendations/{id}/decision")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("status", "approved"),
            ("decision_number", "125/QĐ-UBND"),
            ("decision_date", "20/01/2026"),
            ("version", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = client
        .get(app.url("/commendations"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("125/QĐ-UBND (20/01/2026)") && html.contains("Đã có quyết định khen thưởng"),
        "{html}"
    );
    assert!(!html.contains("provincial_certificate<") && !html.contains("2026-01-20"));
}
