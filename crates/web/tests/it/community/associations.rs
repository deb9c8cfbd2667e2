//! Associations through the API, the pages and the browser: create, read,
//! update with If-Match, validation naming the field, members, leaders and
//! activities, history and audit, reach (an association's account edits
//! its own only, a mission its countries only), merge, list filters.

use app::accounts::users::Scope;
use domain::Role;
use serde_json::{Value, json};

use crate::browser::Browser;
use crate::dual;
use crate::helpers::{PASSWORD, TestApp, extract_csrf};
use crate::registry::people::{communes, person, token};

dual!(
    api_create_read_update_with_if_match_history_and_audit,
    api_refuses_invalid_input_naming_the_field,
    members_leaders_activities_within_reach_and_refusals,
    merging_moves_people_and_points_to_the_kept_record,
    list_filters_by_country_kind_member_and_name_without_marks,
    pages_show_edit_and_refuse_like_the_api,
    browser_opens_the_list_and_a_record_and_adds_an_activity,
    every_role_gets_the_expected_association_pages,
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

async fn get(app: &TestApp, tok: &str, path: &str) -> reqwest::Response {
    send(app, tok, reqwest::Method::GET, path, None, None).await
}

async fn post(app: &TestApp, tok: &str, path: &str, body: &Value) -> reqwest::Response {
    send(app, tok, reqwest::Method::POST, path, None, Some(body)).await
}

async fn patch(
    app: &TestApp,
    tok: &str,
    path: &str,
    etag: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    send(app, tok, reqwest::Method::PATCH, path, etag, Some(body)).await
}

/// Creates an association through the API; answers its id.
async fn association(app: &TestApp, tok: &str, name: &str, country: &str, kind: &str) -> i64 {
    let r = post(
        app,
        tok,
        "/api/v1/associations",
        &json!({"name": name, "kind": kind, "country": country, "city": "Tokyo"}),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let a: Value = r.json().await.unwrap();
    a["id"].as_i64().unwrap()
}

/// Creates a person living in `country` with a hometown in `commune`.
async fn someone(app: &TestApp, tok: &str, name: &str, commune: &str, country: &str) -> i64 {
    let mut p = person(name, commune);
    p["country"] = json!(country);
    p["passport_no"] = Value::Null;
    let r = post(app, tok, "/api/v1/people", &p).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let v: Value = r.json().await.unwrap();
    v["id"].as_i64().unwrap()
}

async fn audit_actions(app: &TestApp, id: i64) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity = 'association' AND entity_id = $1 ORDER BY id",
    )
    .bind(id.to_string())
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap()
}

fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
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

async fn api_create_read_update_with_if_match_history_and_audit(app: TestApp) {
    let tok = province(&app).await;
    let r = post(
        &app,
        &tok,
        "/api/v1/associations",
        &json!({"name": "Hội đồng hương Hà Tĩnh tại Nhật Bản", "name_en": "Ha Tinh Hometown Association in Japan",
                "kind": "hometown", "country": "Nhật Bản", "city": "Tokyo", "founded_on": "12/03/2005",
                "phone": "+81 3 1234 5678", "email": "LienHe@Example.org"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["etag"], "\"1\"");
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    let a: Value = r.json().await.unwrap();
    let id = a["id"].as_i64().unwrap();
    assert_eq!(loc, format!("/api/v1/associations/{id}"));
    assert_eq!(a["country"], "JP");
    assert_eq!(a["founded_on"], "2005-03-12");
    assert_eq!(a["email"], "lienhe@example.org");
    assert_eq!(a["status"], "active");
    let path = format!("/api/v1/associations/{id}");
    let r = get(&app, &tok, &path).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"1\"");
    // No If-Match: 428; the current one: 200 and version 2; the old one: 412.
    let r = patch(&app, &tok, &path, None, &json!({"city": "Osaka"})).await;
    assert_eq!(r.status(), 428);
    let r = patch(
        &app,
        &tok,
        &path,
        Some("\"1\""),
        &json!({"city": "Osaka", "notes": "Họp mỗi quý"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"2\"");
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["city"], "Osaka");
    assert_eq!(
        a["name_en"], "Ha Tinh Hometown Association in Japan",
        "a patch keeps the rest"
    );
    let r = patch(&app, &tok, &path, Some("\"1\""), &json!({"city": "Kyoto"})).await;
    assert_eq!(r.status(), 412);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "version_mismatch");
    let r = patch(&app, &tok, &path, Some("*"), &json!({"city": "Kyoto"})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"3\"");
    // The history, newest first, says what changed.
    let h: Value = get(&app, &tok, &format!("{path}/history"))
        .await
        .json()
        .await
        .unwrap();
    let summaries: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["summary"].as_str().unwrap())
        .collect();
    assert_eq!(
        summaries,
        vec!["updated: city", "updated: city, notes", "created"]
    );
    assert_eq!(h[1]["snapshot"]["city"], "Osaka");
    assert_eq!(h[0]["actor"], "sonv");
    // Every change and view audited, in the chain.
    let actions = audit_actions(&app, id).await;
    assert_eq!(
        actions,
        vec![
            "association.create",
            "association.view",
            "association.update",
            "association.update"
        ]
    );
}

async fn api_refuses_invalid_input_naming_the_field(app: TestApp) {
    let tok = province(&app).await;
    let r = post(
        &app,
        &tok,
        "/api/v1/associations",
        &json!({"name": " ", "kind": "club", "country": "Narnia", "founded_on": "31/02/2005",
                "email": "not an address", "phone": "call me"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body: Value = r.json().await.unwrap();
    let f = fields(&body);
    for want in ["name", "kind", "country", "founded_on", "email", "phone"] {
        assert!(f.iter().any(|x| x == want), "{want}: {body}");
    }
    let r = post(
        &app,
        &tok,
        "/api/v1/associations",
        &json!({"name": "X", "kind": "other", "country": "JP", "colour": "red"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "colour");
    assert_eq!(body["errors"][0]["code"], "unknown_field");
    let id = association(
        &app,
        &tok,
        "Hội doanh nhân Việt Nam tại Nhật Bản",
        "JP",
        "business",
    )
    .await;
    // The same name twice.
    let r = post(&app, &tok, "/api/v1/associations", &json!({"name": "Hội doanh nhân Việt Nam tại Nhật Bản", "kind": "business", "country": "JP"})).await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "name");
    assert_eq!(body["errors"][0]["code"], "taken");
    // A patch that breaks a field names it, and nothing is saved.
    let path = format!("/api/v1/associations/{id}");
    let r = patch(
        &app,
        &tok,
        &path,
        Some("\"1\""),
        &json!({"status": "sleeping"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(fields(&body), vec!["status"]);
    let r = patch(&app, &tok, &path, Some("\"1\""), &json!({"web": "x"})).await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(fields(&body), vec!["web"]);
    let v: i64 = sqlx::query_scalar("SELECT version FROM associations WHERE id = $1")
        .bind(id)
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(v, 1);
    // Members, leaders, activities: each refused input names its field.
    let r = post(&app, &tok, &format!("{path}/leaders"), &json!({"person_id": 999_999, "position": "king", "term_start": "2024", "term_end": "2020"})).await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    let f = fields(&body);
    for want in ["person_id", "position", "term_end"] {
        assert!(f.iter().any(|x| x == want), "{want}: {body}");
    }
    let r = post(
        &app,
        &tok,
        &format!("{path}/activities"),
        &json!({"title": ""}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(fields(&body), vec!["held_on", "title"]);
    let r = post(
        &app,
        &tok,
        &format!("{path}/members"),
        &json!({"person_id": 999_999, "role": "member"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "person_id");
    assert_eq!(body["errors"][0]["code"], "unknown_person");
}

async fn members_leaders_activities_within_reach_and_refusals(app: TestApp) {
    let (c1, c2) = communes();
    let tok = province(&app).await;
    let p1 = someone(&app, &tok, "Nguyễn Văn Hội", &c1, "JP").await;
    let p2 = someone(&app, &tok, "Trần Thị Viên", &c2, "JP").await;
    let a = association(
        &app,
        &tok,
        "Hội đồng hương Hà Tĩnh tại Tokyo",
        "JP",
        "hometown",
    )
    .await;
    let b = association(
        &app,
        &tok,
        "Hội sinh viên Việt Nam tại Nhật Bản",
        "JP",
        "student",
    )
    .await;
    let c = association(
        &app,
        &tok,
        "Hội đồng hương Hà Tĩnh tại Hàn Quốc",
        "KR",
        "hometown",
    )
    .await;
    let pa = format!("/api/v1/associations/{a}");
    let pb = format!("/api/v1/associations/{b}");
    let pc = format!("/api/v1/associations/{c}");
    // The province adds a member and a leader, and records an activity.
    let r = post(
        &app,
        &tok,
        &format!("{pa}/members"),
        &json!({"person_id": p1, "joined_on": "2015"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = post(
        &app,
        &tok,
        &format!("{pa}/leaders"),
        &json!({"person_id": p1, "position": "president", "term_start": "2022"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["leaders"][0]["position"], "president");
    assert_eq!(v["leaders"][0]["person_name"], "Nguyễn Văn Hội");
    assert_eq!(v["members"][0]["joined_on"], "2015");
    let r = post(&app, &tok, &format!("{pa}/activities"), &json!({"held_on": "08/02/2026", "title": "Gặp mặt mừng Xuân", "province_participation": "Phó Chủ tịch UBND tỉnh"})).await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["activities"][0]["held_on"], "2026-02-08");
    let r = post(
        &app,
        &tok,
        &format!("{pb}/members"),
        &json!({"person_id": p2}),
    )
    .await;
    assert_eq!(r.status(), 200);
    // The person's record names the association.
    let pr: Value = get(&app, &tok, &format!("/api/v1/people/{p1}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        pr["associations"].to_string().contains("Hà Tĩnh tại Tokyo"),
        "{pr}"
    );

    // An association's account: its own association and members, nothing else.
    let own = token(
        &app,
        "hoi.a",
        Role::Association,
        vec![Scope::new("association", &a.to_string())],
        &["read", "write"],
    )
    .await;
    let r = get(&app, &own, &pa).await;
    assert_eq!(r.status(), 200);
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let r = patch(
        &app,
        &own,
        &pa,
        Some(&etag),
        &json!({"website": "https://hoi.example.org"}),
    )
    .await;
    assert_eq!(r.status(), 200, "its own association");
    let r = get(&app, &own, &pb).await;
    assert_eq!(r.status(), 404, "another association answers as not found");
    let r = patch(&app, &own, &pb, Some("*"), &json!({"city": "Osaka"})).await;
    assert_eq!(
        r.status(),
        404,
        "another association's account cannot edit it"
    );
    let r = post(
        &app,
        &own,
        &format!("{pb}/activities"),
        &json!({"held_on": "01/01/2026", "title": "x"}),
    )
    .await;
    assert_eq!(r.status(), 404);
    let r = post(
        &app,
        &own,
        &format!("{pb}/members"),
        &json!({"person_id": p1}),
    )
    .await;
    assert_eq!(r.status(), 404);
    // Someone outside its members is not for it to enrol.
    let r = post(
        &app,
        &own,
        &format!("{pa}/members"),
        &json!({"person_id": p2}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "person_id");
    // Its own member: role changed.
    let r = post(
        &app,
        &own,
        &format!("{pa}/members"),
        &json!({"person_id": p1, "role": "board_member"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = post(
        &app,
        &own,
        "/api/v1/associations",
        &json!({"name": "Mới", "kind": "other", "country": "JP"}),
    )
    .await;
    assert_eq!(
        r.status(),
        403,
        "association accounts do not open associations"
    );
    let list: Value = get(&app, &own, "/api/v1/associations")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], a);
    let r = get(&app, &own, &format!("{pb}/history")).await;
    assert_eq!(r.status(), 404);
    // The other association's account cannot touch the first.
    let other = token(
        &app,
        "hoi.b",
        Role::Association,
        vec![Scope::new("association", &b.to_string())],
        &["read", "write"],
    )
    .await;
    let r = patch(&app, &other, &pa, Some("*"), &json!({"city": "Nagoya"})).await;
    assert_eq!(r.status(), 404);
    let r = send(
        &app,
        &other,
        reqwest::Method::DELETE,
        &format!("{pa}/members/{p1}"),
        None,
        None,
    )
    .await;
    assert_eq!(r.status(), 404);

    // A mission: its countries' associations only.
    let kr = token(
        &app,
        "daisu.kr",
        Role::Mission,
        vec![Scope::new("country", "KR")],
        &["read", "write"],
    )
    .await;
    assert_eq!(
        get(&app, &kr, &pa).await.status(),
        404,
        "a mission outside its country"
    );
    assert_eq!(
        patch(&app, &kr, &pa, Some("*"), &json!({"city": "Seoul"}))
            .await
            .status(),
        404
    );
    assert_eq!(get(&app, &kr, &pc).await.status(), 200);
    let list: Value = get(&app, &kr, "/api/v1/associations")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1, "{list}");
    let r = post(
        &app,
        &kr,
        "/api/v1/associations",
        &json!({"name": "Hội người Việt tại Tokyo", "kind": "community", "country": "JP"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "country");
    assert_eq!(body["errors"][0]["code"], "out_of_jurisdiction");
    let r = post(
        &app,
        &kr,
        "/api/v1/associations",
        &json!({"name": "Hội người Việt tại Busan", "kind": "community", "country": "KR"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let etag = get(&app, &kr, &pc).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let r = patch(&app, &kr, &pc, Some(&etag), &json!({"country": "JP"})).await;
    assert_eq!(
        r.status(),
        422,
        "a mission cannot move an association out of its countries"
    );
    // A commune officer sees the associations with a member from its communes.
    let xa = token(
        &app,
        "canbo",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c1)],
        &["read", "write"],
    )
    .await;
    let list: Value = get(&app, &xa, "/api/v1/associations")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["items"][0]["id"], a);
    assert_eq!(
        patch(&app, &xa, &pa, Some("*"), &json!({"city": "x"}))
            .await
            .status(),
        403
    );
    // Leadership reads statistics, not associations; a read token writes nothing.
    let viewer = token(&app, "lanhdao", Role::Viewer, vec![], &["read"]).await;
    assert_eq!(
        get(&app, &viewer, "/api/v1/associations").await.status(),
        403
    );
    let read_only = token(&app, "sonv.read", Role::ProvinceOfficer, vec![], &["read"]).await;
    assert_eq!(
        patch(&app, &read_only, &pa, Some("*"), &json!({"city": "x"}))
            .await
            .status(),
        403
    );

    // Removing: a member, a leader entry, an activity; each audited and in the history.
    let v: Value = get(&app, &tok, &pa).await.json().await.unwrap();
    let leader_id = v["leaders"][0]["id"].as_i64().unwrap();
    let activity_id = v["activities"][0]["id"].as_i64().unwrap();
    assert_eq!(
        send(
            &app,
            &tok,
            reqwest::Method::DELETE,
            &format!("{pa}/leaders/{leader_id}"),
            None,
            None
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        send(
            &app,
            &tok,
            reqwest::Method::DELETE,
            &format!("{pa}/activities/{activity_id}"),
            None,
            None
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        send(
            &app,
            &own,
            reqwest::Method::DELETE,
            &format!("{pa}/members/{p1}"),
            None,
            None
        )
        .await
        .status(),
        200
    );
    let v: Value = get(&app, &tok, &pa).await.json().await.unwrap();
    assert_eq!(v["members_total"], 0);
    assert!(
        v["leaders"].as_array().unwrap().is_empty()
            && v["activities"].as_array().unwrap().is_empty()
    );
    let actions = audit_actions(&app, a).await;
    for want in [
        "association.member_add",
        "association.leader_add",
        "association.activity_add",
        "association.leader_remove",
        "association.activity_remove",
        "association.member_remove",
    ] {
        assert!(actions.iter().any(|x| x == want), "{want}: {actions:?}");
    }
    let h: Value = get(&app, &tok, &format!("{pa}/history"))
        .await
        .json()
        .await
        .unwrap();
    let summaries: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["summary"].as_str().unwrap())
        .collect();
    assert!(
        summaries.contains(&format!("member removed #{p1}").as_str()),
        "{summaries:?}"
    );
    assert!(
        summaries.contains(&format!("leader added #{p1}").as_str()),
        "{summaries:?}"
    );
    // The audit chain still verifies.
    let verified = app::audit::verify(&app.app).await.unwrap();
    assert!(
        matches!(verified, app::audit::Verification::Intact { .. }),
        "{verified:?}"
    );
}

async fn merging_moves_people_and_points_to_the_kept_record(app: TestApp) {
    let (c1, c2) = communes();
    let tok = province(&app).await;
    let p1 = someone(&app, &tok, "Lê Văn Giữ", &c1, "JP").await;
    let p2 = someone(&app, &tok, "Phạm Thị Gộp", &c2, "JP").await;
    let kept = association(
        &app,
        &tok,
        "Hội đồng hương Hà Tĩnh tại Nhật Bản",
        "JP",
        "hometown",
    )
    .await;
    let gone = association(
        &app,
        &tok,
        "Hội đồng hương Hà Tĩnh ở Nhật",
        "JP",
        "hometown",
    )
    .await;
    let pk = format!("/api/v1/associations/{kept}");
    let pg = format!("/api/v1/associations/{gone}");
    post(
        &app,
        &tok,
        &format!("{pk}/members"),
        &json!({"person_id": p1}),
    )
    .await;
    for p in [p1, p2] {
        assert_eq!(
            post(
                &app,
                &tok,
                &format!("{pg}/members"),
                &json!({"person_id": p})
            )
            .await
            .status(),
            200
        );
    }
    post(
        &app,
        &tok,
        &format!("{pg}/leaders"),
        &json!({"person_id": p2, "position": "president", "term_start": "2020"}),
    )
    .await;
    post(
        &app,
        &tok,
        &format!("{pg}/activities"),
        &json!({"held_on": "2025-09-02", "title": "Mừng Quốc khánh"}),
    )
    .await;
    let gone_account = token(
        &app,
        "hoi.gop",
        Role::Association,
        vec![Scope::new("association", &gone.to_string())],
        &["read", "write"],
    )
    .await;
    // Refusals first: a mission, the same record twice, stale versions.
    let jp = token(
        &app,
        "daisu.jp",
        Role::Mission,
        vec![Scope::new("country", "JP")],
        &["read", "write"],
    )
    .await;
    let body = json!({"kept_id": kept, "merged_id": gone, "kept_version": 1, "merged_version": 1});
    assert_eq!(
        post(&app, &jp, "/api/v1/associations/merge", &body)
            .await
            .status(),
        403
    );
    let r = post(
        &app,
        &tok,
        "/api/v1/associations/merge",
        &json!({"kept_id": kept, "merged_id": kept, "kept_version": 1, "merged_version": 1}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["errors"][0]["field"], "merged_id");
    let r = post(
        &app,
        &tok,
        "/api/v1/associations/merge",
        &json!({"kept_id": kept, "merged_id": gone, "kept_version": 7, "merged_version": 1}),
    )
    .await;
    assert_eq!(r.status(), 412);
    // The merge.
    let r = post(&app, &tok, "/api/v1/associations/merge", &body).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["members_total"], 2, "each member once: {v}");
    assert_eq!(v["leaders"][0]["person_id"], p2);
    assert_eq!(v["activities"][0]["title"], "Mừng Quốc khánh");
    // The merged record answers with a pointer to the kept one, and takes no more changes.
    let v: Value = get(&app, &tok, &pg).await.json().await.unwrap();
    assert_eq!(v["merged_into"], kept);
    assert_eq!(v["status"], "merged");
    assert_eq!(v["members_total"], 0);
    let r = patch(&app, &tok, &pg, Some("*"), &json!({"city": "Osaka"})).await;
    assert_eq!(r.status(), 409);
    let r = post(
        &app,
        &tok,
        "/api/v1/associations/merge",
        &json!({"kept_id": kept, "merged_id": gone, "kept_version": 2, "merged_version": 2}),
    )
    .await;
    assert_eq!(r.status(), 409, "already merged");
    // Both histories keep the merge; the list leaves the merged record out unless asked.
    let h: Value = get(&app, &tok, &format!("{pg}/history"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(h[0]["summary"], format!("merged into #{kept}"));
    let h: Value = get(&app, &tok, &format!("{pk}/history"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(h[0]["summary"], format!("merged in #{gone}"));
    let list: Value = get(&app, &tok, "/api/v1/associations")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    let list: Value = get(&app, &tok, "/api/v1/associations?status=merged")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["merged_into"], kept);
    // The merged association's account now works on the kept one.
    assert_eq!(get(&app, &gone_account, &pk).await.status(), 200);
    assert!(
        audit_actions(&app, kept)
            .await
            .contains(&"association.merge".to_owned())
    );
}

async fn list_filters_by_country_kind_member_and_name_without_marks(app: TestApp) {
    let (c1, _) = communes();
    let tok = province(&app).await;
    let a = association(
        &app,
        &tok,
        "Hội đồng hương Hà Tĩnh tại Nhật Bản",
        "JP",
        "hometown",
    )
    .await;
    association(
        &app,
        &tok,
        "Hội doanh nhân Việt Nam tại Nhật Bản",
        "JP",
        "business",
    )
    .await;
    association(
        &app,
        &tok,
        "Hội đồng hương Nghệ Tĩnh tại Hàn Quốc",
        "KR",
        "hometown",
    )
    .await;
    let total = |v: &Value| v["total"].as_i64().unwrap();
    let list = |q: &str| {
        let app = &app;
        let tok = tok.clone();
        let q = q.to_owned();
        async move {
            let r = get(app, &tok, &format!("/api/v1/associations?{q}")).await;
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap())
        }
    };
    let (_, v) = list("q=ha%20tinh").await;
    assert_eq!(total(&v), 1, "{v}");
    assert_eq!(v["items"][0]["id"], a);
    let (_, v) = list("q=HA%20TINH%20nhat").await;
    assert_eq!(total(&v), 1, "words in any order, without marks");
    let (_, v) = list("q=t%C4%A9nh").await;
    assert_eq!(total(&v), 2, "{v}");
    let (_, v) = list("country=Nh%E1%BA%ADt%20B%E1%BA%A3n").await;
    assert_eq!(total(&v), 2, "a country by its name");
    let (_, v) = list("country=KR&kind=hometown").await;
    assert_eq!(total(&v), 1);
    let (_, v) = list("kind=business").await;
    assert_eq!(total(&v), 1);
    let (status, v) = list("country=Narnia").await;
    assert_eq!(status, 422);
    assert_eq!(v["errors"][0]["field"], "country");
    let (status, v) = list("kind=club").await;
    assert_eq!(status, 422);
    assert_eq!(v["errors"][0]["field"], "kind");
    // Paging by id.
    let (_, v) = list("limit=2").await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let next = v["next"].as_i64().unwrap();
    let (_, v) = list(&format!("limit=2&after={next}")).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert!(v["next"].is_null());
    // A person's associations.
    let p = someone(&app, &tok, "Võ Văn Thành", &c1, "JP").await;
    post(
        &app,
        &tok,
        &format!("/api/v1/associations/{a}/members"),
        &json!({"person_id": p}),
    )
    .await;
    let (_, v) = list(&format!("member={p}")).await;
    assert_eq!(total(&v), 1);
    assert_eq!(v["items"][0]["members"], 1);
}

/// Signs a browser-like client in; answers the CSRF token of its pages.
async fn signed_in(app: &TestApp, client: &reqwest::Client, username: &str) -> String {
    let r = app.sign_in(client, username, PASSWORD).await;
    assert_eq!(r.status(), 303);
    let html = client
        .get(app.url("/associations"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    extract_csrf(&html)
}

async fn pages_show_edit_and_refuse_like_the_api(app: TestApp) {
    let (c1, _) = communes();
    let tok = province(&app).await;
    let p = someone(&app, &tok, "Đặng Văn Trang", &c1, "JP").await;
    let a = association(
        &app,
        &tok,
        "Hội đồng hương Hà Tĩnh tại Nhật Bản",
        "JP",
        "hometown",
    )
    .await;
    let b = association(
        &app,
        &tok,
        "Hội doanh nhân Việt Nam tại Nhật Bản",
        "JP",
        "business",
    )
    .await;
    post(
        &app,
        &tok,
        &format!("/api/v1/associations/{a}/members"),
        &json!({"person_id": p}),
    )
    .await;
    // The association's account through its pages.
    app.add_user(
        "hoi.trang",
        Role::Association,
        vec![Scope::new("association", &a.to_string())],
    )
    .await;
    let client = TestApp::new_client();
    let csrf = signed_in(&app, &client, "hoi.trang").await;
    let html = client
        .get(app.url("/associations"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Hội đồng hương Hà Tĩnh tại Nhật Bản")
            && !html.contains(&format!("href=\"/associations/{b}\"")),
        "{html}"
    );
    let r = client
        .get(app.url(&format!("/associations/{a}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Đặng Văn Trang") && html.contains("Hội đồng hương"),
        "{html}"
    );
    assert_eq!(
        client
            .get(app.url(&format!("/associations/{b}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        client
            .get(app.url(&format!("/associations/{b}/edit")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let form = |city: &str, version: &str| {
        vec![
            ("csrf".to_owned(), csrf.clone()),
            (
                "name".to_owned(),
                "Hội đồng hương Hà Tĩnh tại Nhật Bản".to_owned(),
            ),
            ("kind".to_owned(), "hometown".to_owned()),
            ("country".to_owned(), "Nhật Bản".to_owned()),
            ("city".to_owned(), city.to_owned()),
            ("status".to_owned(), "active".to_owned()),
            ("founded_on".to_owned(), String::new()),
            ("version".to_owned(), version.to_owned()),
        ]
    };
    let r = client
        .post(app.url(&format!("/associations/{b}")))
        .form(&form("Osaka", "1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "another association's record");
    let r = client
        .post(app.url(&format!("/associations/{a}")))
        .form(&form("Osaka", "1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // A stale form: 409 and the stored values to redo the change.
    let r = client
        .post(app.url(&format!("/associations/{a}")))
        .form(&form("Kobe", "1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("Osaka"));
    // A refused value is named beside its field, in Vietnamese.
    let mut bad = form("Kobe", "2");
    bad.push(("email".to_owned(), "không phải thư".to_owned()));
    let r = client
        .post(app.url(&format!("/associations/{a}")))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("data-field=\"email\"") && html.contains("Thư điện tử không hợp lệ"),
        "{html}"
    );
    // An activity with no day: said beside the form.
    let r = client
        .post(app.url(&format!("/associations/{a}/activities")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "Họp mặt"),
            ("held_on", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Ngày: Bắt buộc nhập."));
    let r = client
        .post(app.url(&format!("/associations/{a}/activities")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "Họp mặt"),
            ("held_on", "02/09/2025"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // The picker offers the association's own members only.
    let html = client
        .get(app.url("/associations/pick/people?q=dang%20trang"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("Đặng Văn Trang · #{p}")), "{html}");
    // A member picked by name.
    let r = client
        .post(app.url(&format!("/associations/{a}/leaders")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("person", &format!("Đặng Văn Trang · #{p}")),
            ("position", "president"),
            ("term_start", "2024"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = client
        .get(app.url(&format!("/associations/{a}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Chủ tịch")
            && html.contains("2024 – nay")
            && html.contains("Họp mặt")
            && html.contains("02/09/2025"),
        "{html}"
    );
    // The person's record links to their associations.
    let sonv = TestApp::new_client();
    app.add_user("sonv.pages", Role::ProvinceOfficer, vec![])
        .await;
    signed_in(&app, &sonv, "sonv.pages").await;
    let html = sonv
        .get(app.url(&format!("/people/{p}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("/associations?member={p}")),
        "{html}"
    );
    let html = sonv
        .get(app.url(&format!("/associations?member={p}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Hội đồng hương Hà Tĩnh tại Nhật Bản")
            && !html.contains(&format!("href=\"/associations/{b}\""))
    );
}

async fn browser_opens_the_list_and_a_record_and_adds_an_activity(app: TestApp) {
    let password = "demo password for the associations";
    app::demo_data::ensure_demo(&app.app, Some(password), 150, 7)
        .await
        .unwrap();
    let (id, name): (i64, String) = sqlx::query_as(
        "SELECT a.id, a.name FROM associations a JOIN user_scopes s ON s.code = CAST(a.id AS TEXT) \
         JOIN users u ON u.id = s.user_id WHERE u.username = 'hoi.dh'",
    )
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    let b = Browser::start().await;
    b.sign_in(&app.url(""), "sonv", password).await;
    b.goto(&app.url("/associations")).await;
    assert_eq!(b.text("main h1").await, "Hội, đoàn thể");
    let count = b.text("[data-testid=association-count]").await;
    assert!(count.starts_with("Tổng: "), "{count}");
    // The name typed without its marks finds it.
    b.type_into("input[name=q]", &domain::text::fold(&name))
        .await;
    b.click("[data-testid=association-filters] button[type=submit]")
        .await;
    assert!(b.wait_url_contains("q=").await);
    b.click(&format!("a[href='/associations/{id}']")).await;
    assert!(b.wait_url(&format!("/associations/{id}")).await);
    assert_eq!(b.text("[data-testid=association-name]").await, name);
    let leaders = b.text("[data-testid=leaders]").await;
    assert!(leaders.contains("Chủ tịch"), "{leaders}");
    assert!(
        b.text("[data-testid=members]")
            .await
            .contains("Ngày vào hội")
    );
    b.type_into(
        "[data-testid=activity-form] input[name=held_on]",
        "20/11/2026",
    )
    .await;
    b.type_into(
        "[data-testid=activity-form] input[name=title]",
        "Gặp mặt nhà giáo",
    )
    .await;
    b.click("[data-testid=activity-form] button[type=submit]")
        .await;
    let activities = b
        .wait_text("[data-testid=activities]", |t| {
            t.contains("Gặp mặt nhà giáo")
        })
        .await;
    assert!(activities.contains("20/11/2026"), "{activities}");
    // The English switch: the same record in English, dates still day first.
    b.goto(&app.url(&format!("/lang/en?next=/associations/{id}")))
        .await;
    assert!(b.wait_url(&format!("/associations/{id}")).await);
    assert_eq!(b.text("#leaders h2").await, "Leadership");
    assert!(b.text("[data-testid=leaders]").await.contains("President"));
    assert!(
        b.text("[data-testid=activities]")
            .await
            .contains("20/11/2026")
    );
    b.goto(&app.url(&format!("/lang/vi?next=/associations/{id}")))
        .await;
    // Screenshots for a person to look at, as the province and as the association.
    if let Ok(dir) = std::env::var("KIEUBAO_SCREENSHOT_DIR") {
        for account in ["sonv", "hoi.dh"] {
            if account != "sonv" {
                b.click("header form[action='/logout'] button").await;
                assert!(b.wait_url("/login").await);
                b.sign_in(&app.url(""), account, password).await;
            }
            for (w, h) in [(1366, 900), (390, 844)] {
                b.set_window(w, h).await;
                for (page, name) in [
                    ("/associations".to_owned(), "list"),
                    (format!("/associations/{id}"), "show"),
                    (format!("/associations/{id}/edit"), "edit"),
                ] {
                    b.goto(&app.url(&page)).await;
                    if name == "show" {
                        // The lower sections too, one screen each.
                        for section in ["leaders", "members", "activities", "history"] {
                            b.script(&format!(
                                "document.getElementById('{section}').scrollIntoView(); return 1;"
                            ))
                            .await;
                            std::fs::write(
                                std::path::Path::new(&dir).join(format!(
                                    "associations-{account}-show-{section}-{w}-{:?}.png",
                                    app.backend
                                )),
                                b.screenshot().await,
                            )
                            .unwrap();
                        }
                        b.script("window.scrollTo(0, 0); return 1;").await;
                    }
                    std::fs::write(
                        std::path::Path::new(&dir).join(format!(
                            "associations-{account}-{name}-{w}-{:?}.png",
                            app.backend
                        )),
                        b.screenshot().await,
                    )
                    .unwrap();
                }
            }
            b.set_window(1280, 900).await;
        }
    }
}

/// Each role on the association pages: leadership reads statistics, not
/// associations; only the province and missions open new ones; editing a
/// record needs a role that changes associations and the record in reach.
async fn every_role_gets_the_expected_association_pages(app: TestApp) {
    let tok = province(&app).await;
    let jp = association(
        &app,
        &tok,
        "Hội đồng hương Hà Tĩnh tại Nhật Bản",
        "JP",
        "hometown",
    )
    .await;
    let roles = [
        ("admin", Role::Admin, vec![], (200, 403, 200, 403)),
        (
            "officer",
            Role::ProvinceOfficer,
            vec![],
            (200, 200, 200, 200),
        ),
        (
            "commune",
            Role::CommuneOfficer,
            vec![Scope::new("new_commune", &communes().0)],
            (200, 403, 404, 404),
        ),
        (
            "agency",
            Role::Agency,
            vec![Scope::new("agency", "police")],
            (200, 403, 404, 404),
        ),
        (
            "mission.jp",
            Role::Mission,
            vec![Scope::new("country", "JP")],
            (200, 200, 200, 200),
        ),
        (
            "mission.kr",
            Role::Mission,
            vec![Scope::new("country", "KR")],
            (200, 200, 404, 404),
        ),
        (
            "hoi",
            Role::Association,
            vec![Scope::new("association", &jp.to_string())],
            (200, 403, 200, 200),
        ),
        ("leader", Role::Viewer, vec![], (403, 403, 403, 403)),
    ];
    for (name, role, scopes, (list, new, show, edit)) in roles {
        app.add_user(name, role, scopes).await;
        let client = TestApp::new_client();
        assert_eq!(app.sign_in(&client, name, PASSWORD).await.status(), 303);
        let status = |path: String| {
            let client = client.clone();
            let url = app.url(&path);
            async move { client.get(url).send().await.unwrap().status().as_u16() }
        };
        assert_eq!(status("/associations".into()).await, list, "{name} list");
        assert_eq!(status("/associations/new".into()).await, new, "{name} new");
        assert_eq!(
            status(format!("/associations/{jp}")).await,
            show,
            "{name} show"
        );
        assert_eq!(
            status(format!("/associations/{jp}/edit")).await,
            edit,
            "{name} edit"
        );
    }
}
