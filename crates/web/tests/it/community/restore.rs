//! Restore from history (issue 22 rules): associations, enterprises,
//! projects, contributions and events bring an earlier version back as a
//! new version through `POST /api/v1/<kind>/{id}/versions/{n}/restore`
//! (If-Match; checked and audited as an update) and the history's button;
//! another association's account and a mission outside its country get 404.

use app::accounts::users::Scope;
use domain::Role;
use serde_json::{Value, json};

use crate::dual;
use crate::helpers::{PASSWORD, TestApp, extract_csrf};
use crate::registry::people::{communes, token};

dual!(
    api_restores_each_kind_as_a_new_version_and_audits_it,
    restore_is_refused_outside_reach_like_an_update,
    history_pages_restore_behind_a_confirmation,
);

async fn send(
    app: &TestApp,
    tok: &str,
    method: reqwest::Method,
    path: &str,
    etag: Option<&str>,
    body: Option<&Value>,
) -> reqwest::Response {
    let mut r = app.client.request(method, app.url(path)).bearer_auth(tok);
    if let Some(e) = etag {
        r = r.header("If-Match", e);
    }
    if let Some(b) = body {
        r = r.json(b);
    }
    r.send().await.unwrap()
}

async fn created(app: &TestApp, tok: &str, path: &str, body: &Value) -> i64 {
    let r = send(app, tok, reqwest::Method::POST, path, None, Some(body)).await;
    assert_eq!(r.status(), 201, "{path}: {}", r.text().await.unwrap());
    let v: Value = r.json().await.unwrap();
    v["id"].as_i64().unwrap()
}

async fn patched(app: &TestApp, tok: &str, path: &str, body: &Value) -> Value {
    let r = send(
        app,
        tok,
        reqwest::Method::PATCH,
        path,
        Some("*"),
        Some(body),
    )
    .await;
    assert_eq!(r.status(), 200, "{path}: {}", r.text().await.unwrap());
    r.json().await.unwrap()
}

async fn restore(
    app: &TestApp,
    tok: &str,
    path: &str,
    n: i64,
    etag: Option<&str>,
) -> reqwest::Response {
    send(
        app,
        tok,
        reqwest::Method::POST,
        &format!("{path}/versions/{n}/restore"),
        etag,
        None,
    )
    .await
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

async fn province(app: &TestApp) -> String {
    token(
        app,
        "sonv",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await
}

/// Edits `field` of the record at `path` to `new`, restores version 1 and
/// checks the field is back, the version went up with a summary naming
/// version 1, and the restore is audited.
#[allow(clippy::too_many_arguments)]
async fn edit_and_restore(
    app: &TestApp,
    tok: &str,
    path: &str,
    entity: &str,
    id: i64,
    field: &str,
    new: Value,
) {
    let before: Value = send(app, tok, reqwest::Method::GET, path, None, None)
        .await
        .json()
        .await
        .unwrap();
    let old = before[field].clone();
    let after = patched(app, tok, path, &json!({ field: new })).await;
    assert_eq!(after[field], new, "{path}");
    assert_eq!(after["version"], 2, "{path}");
    // If-Match required; a stale one refused; an unknown version not found.
    assert_eq!(
        restore(app, tok, path, 1, None).await.status(),
        428,
        "{path}"
    );
    assert_eq!(
        restore(app, tok, path, 1, Some("\"1\"")).await.status(),
        412,
        "{path}"
    );
    assert_eq!(
        restore(app, tok, path, 99, Some("\"2\"")).await.status(),
        404,
        "{path}"
    );
    let r = restore(app, tok, path, 1, Some("\"2\"")).await;
    assert_eq!(r.status(), 200, "{path}");
    assert_eq!(r.headers()["etag"], "\"3\"", "{path}");
    let back: Value = r.json().await.unwrap();
    assert_eq!(back[field], old, "{path}: the field of version 1 is back");
    assert_eq!(back["version"], 3);
    let history: Value = send(
        app,
        tok,
        reqwest::Method::GET,
        &format!("{path}/history"),
        None,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(history[0]["version"], 3, "{path}: {history}");
    let summary = history[0]["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("restored version 1: ") && summary.contains(field),
        "{path}: {summary}"
    );
    assert!(
        !history[0]["snapshot"][field].is_null(),
        "{path}: {history}"
    );
    let actions = audit_actions(app, entity, id).await;
    assert_eq!(
        actions.last().map(String::as_str),
        Some(format!("{entity}.restore").as_str()),
        "{path}: {actions:?}"
    );
}

async fn api_restores_each_kind_as_a_new_version_and_audits_it(app: TestApp) {
    let (c1, _) = communes();
    let tok = province(&app).await;
    let a = created(
        &app,
        &tok,
        "/api/v1/associations",
        &json!({"name": "Hội đồng hương Hà Tĩnh tại Nhật Bản", "kind": "hometown",
                "country": "JP", "city": "Tokyo"}),
    )
    .await;
    edit_and_restore(
        &app,
        &tok,
        &format!("/api/v1/associations/{a}"),
        "association",
        a,
        "city",
        json!("Osaka"),
    )
    .await;
    let e = created(
        &app,
        &tok,
        "/api/v1/enterprises",
        &json!({"name": "Công ty TNHH Sen Vàng", "sector": "10", "parent_country": "JP"}),
    )
    .await;
    edit_and_restore(
        &app,
        &tok,
        &format!("/api/v1/enterprises/{e}"),
        "enterprise",
        e,
        "name",
        json!("Công ty CP Sen Vàng"),
    )
    .await;
    let p = created(
        &app,
        &tok,
        "/api/v1/projects",
        &json!({"name": "Khu nghỉ dưỡng Thiên Cầm", "sector": "55", "commune": c1,
                "registered_capital": 1_250_050, "currency": "USD", "rate_to_vnd": "25400"}),
    )
    .await;
    edit_and_restore(
        &app,
        &tok,
        &format!("/api/v1/projects/{p}"),
        "project",
        p,
        "registered_capital",
        json!(2_000_000),
    )
    .await;
    let c = created(
        &app,
        &tok,
        "/api/v1/contributions",
        &json!({"donor_kind": "association", "donor_association_id": a, "amount": 50_000_000,
                "currency": "VND", "purpose": "scholarship", "commune": c1,
                "contributed_on": "05/09/2025"}),
    )
    .await;
    edit_and_restore(
        &app,
        &tok,
        &format!("/api/v1/contributions/{c}"),
        "contribution",
        c,
        "amount",
        json!(70_000_000),
    )
    .await;
    let ev = created(
        &app,
        &tok,
        "/api/v1/events",
        &json!({"kind": "xuan_que_huong", "name": "Xuân Quê hương 2027", "starts_on": "24/01/2027",
                "place": "Trung tâm Hội nghị tỉnh"}),
    )
    .await;
    edit_and_restore(
        &app,
        &tok,
        &format!("/api/v1/events/{ev}"),
        "event",
        ev,
        "place",
        json!("Nhà văn hóa tỉnh"),
    )
    .await;

    // A project's derived đồng value follows the restored capital.
    let pr: Value = send(
        &app,
        &tok,
        reqwest::Method::GET,
        &format!("/api/v1/projects/{p}"),
        None,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(pr["registered_capital"], 1_250_050);
    assert_eq!(pr["registered_vnd"], 317_512_700, "12,500.50 USD × 25,400");
    // Restoring the fields of today writes nothing.
    let r = restore(&app, &tok, &format!("/api/v1/events/{ev}"), 1, Some("*")).await;
    assert_eq!(r.status(), 200);
    let same: Value = r.json().await.unwrap();
    assert_eq!(same["version"], 3);
}

async fn restore_is_refused_outside_reach_like_an_update(app: TestApp) {
    let tok = province(&app).await;
    let a = created(
        &app,
        &tok,
        "/api/v1/associations",
        &json!({"name": "Hội người Việt tại Nagoya", "kind": "community", "country": "JP", "city": "Nagoya"}),
    )
    .await;
    let b = created(
        &app,
        &tok,
        "/api/v1/associations",
        &json!({"name": "Hội doanh nhân Việt tại Osaka", "kind": "business", "country": "JP", "city": "Osaka"}),
    )
    .await;
    let pa = format!("/api/v1/associations/{a}");
    patched(&app, &tok, &pa, &json!({"city": "Gifu"})).await;
    // Another association's account: not found, and nothing written.
    let other = token(
        &app,
        "hoi.b",
        Role::Association,
        vec![Scope::new("association", &b.to_string())],
        &["read", "write"],
    )
    .await;
    assert_eq!(restore(&app, &other, &pa, 1, Some("*")).await.status(), 404);
    // A mission outside the association's country: not found.
    let kr = token(
        &app,
        "daisu.kr",
        Role::Mission,
        vec![Scope::new("country", "KR")],
        &["read", "write"],
    )
    .await;
    assert_eq!(restore(&app, &kr, &pa, 1, Some("*")).await.status(), 404);
    let ev = created(
        &app,
        &tok,
        "/api/v1/events",
        &json!({"kind": "conference", "name": "Hội nghị kiều bào tại Nhật", "starts_on": "10/03/2027",
                "place": "Tokyo", "country": "JP"}),
    )
    .await;
    let pe = format!("/api/v1/events/{ev}");
    patched(&app, &tok, &pe, &json!({"place": "Osaka"})).await;
    assert_eq!(restore(&app, &kr, &pe, 1, Some("*")).await.status(), 404);
    // A read-only token: refused as an update would be.
    let ro = token(&app, "doc.only", Role::ProvinceOfficer, vec![], &["read"]).await;
    assert_eq!(restore(&app, &ro, &pa, 1, Some("*")).await.status(), 403);
    assert_eq!(
        audit_actions(&app, "association", a)
            .await
            .iter()
            .filter(|x| x.ends_with(".restore"))
            .count(),
        0
    );
    // The association's own account and the mission of its country may.
    let own = token(
        &app,
        "hoi.a",
        Role::Association,
        vec![Scope::new("association", &a.to_string())],
        &["read", "write"],
    )
    .await;
    let r = restore(&app, &own, &pa, 1, Some("\"2\"")).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["city"], "Nagoya");
    let jp = token(
        &app,
        "daisu.jp",
        Role::Mission,
        vec![Scope::new("country", "JP")],
        &["read", "write"],
    )
    .await;
    let r = restore(&app, &jp, &pa, 2, Some("\"3\"")).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["city"], "Gifu");
    assert_eq!(v["version"], 4);
}

async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let r = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

async fn history_pages_restore_behind_a_confirmation(app: TestApp) {
    let (c1, _) = communes();
    let tok = province(&app).await;
    let a = created(
        &app,
        &tok,
        "/api/v1/associations",
        &json!({"name": "Hội đồng hương Hà Tĩnh tại Đài Loan", "kind": "hometown",
                "country": "TW", "city": "Đài Bắc"}),
    )
    .await;
    patched(
        &app,
        &tok,
        &format!("/api/v1/associations/{a}"),
        &json!({"city": "Cao Hùng"}),
    )
    .await;
    let p = created(
        &app,
        &tok,
        "/api/v1/projects",
        &json!({"name": "Nhà máy chế biến hải sản Kỳ Anh", "sector": "10", "commune": c1,
                "registered_capital": 5_000_000_000_i64, "currency": "VND"}),
    )
    .await;
    patched(
        &app,
        &tok,
        &format!("/api/v1/projects/{p}"),
        &json!({"name": "Nhà máy hải sản Kỳ Anh"}),
    )
    .await;
    let ev = created(
        &app,
        &tok,
        "/api/v1/events",
        &json!({"kind": "conference", "name": "Gặp mặt kiều bào 2027", "starts_on": "24/01/2027",
                "place": "Hội trường A"}),
    )
    .await;
    patched(
        &app,
        &tok,
        &format!("/api/v1/events/{ev}"),
        &json!({"place": "Hội trường B"}),
    )
    .await;

    let client = TestApp::new_client();
    assert_eq!(app.sign_in(&client, "sonv", PASSWORD).await.status(), 303);
    for (record, kind) in [
        (format!("/associations/{a}"), "association"),
        (format!("/investment/projects/{p}"), "project"),
        (format!("/events/{ev}"), "event"),
    ] {
        let html = page(&client, &app, &record).await;
        let action = format!("action=\"{record}/versions/1/restore\"");
        assert!(html.contains(&action), "{kind}: {html}");
        assert!(html.contains("Khôi phục phiên bản này"), "{kind}");
        assert!(
            html.contains(
                "data-confirm=\"Khôi phục nội dung của phiên bản 1 thành một phiên bản mới?"
            ),
            "{kind}: the button asks first"
        );
        assert!(
            !html.contains(&format!("action=\"{record}/versions/2/restore\"")),
            "{kind}: no button on the current version"
        );
        let csrf = extract_csrf(&html);
        // A stale page: refused, nothing written.
        let r = client
            .post(app.url(&format!("{record}/versions/1/restore")))
            .form(&[("csrf", csrf.as_str()), ("version", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 412, "{kind}");
        let r = client
            .post(app.url(&format!("{record}/versions/1/restore")))
            .form(&[("csrf", csrf.as_str()), ("version", "2")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{kind}");
        assert_eq!(
            r.headers()["location"],
            format!("{record}#history").as_str()
        );
        let html = page(&client, &app, &record).await;
        assert!(html.contains("Khôi phục phiên bản 1: "), "{kind}: {html}");
        assert!(!html.contains("restored version"), "{kind}: no code shown");
        let id = match kind {
            "association" => a,
            "project" => p,
            _ => ev,
        };
        assert!(
            audit_actions(&app, kind, id)
                .await
                .contains(&format!("{kind}.restore")),
            "{kind}: the restore is audited"
        );
    }
    let html = page(&client, &app, &format!("/associations/{a}")).await;
    assert!(html.contains("Đài Bắc"));
}
