//! Duplicates (issue 8) end to end through the API and the pages, on both
//! databases: a scan over a registry finds the same person written two
//! ways, with an explanation; the pair is visible only within jurisdiction;
//! a merge keeps both names, the chosen values, the relatives and sources;
//! unmerge puts both records back; decisions are remembered by later scans.

use std::fmt::Write as _;

use app::accounts::users::Scope;
use calamine::Reader as _;
use domain::Role;
use serde_json::{Value, json};

use crate::dual;
use crate::helpers::{PASSWORD, TestApp, extract_csrf};
use crate::registry::people::{communes, post, token};

async fn get(app: &TestApp, tok: &str, path: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap()
}

async fn send(app: &TestApp, tok: &str, path: &str, body: Option<Value>) -> reqwest::Response {
    let mut r = app.client.post(app.url(path)).bearer_auth(tok);
    if let Some(b) = body {
        r = r.json(&b);
    }
    r.send().await.unwrap()
}

async fn json_of(r: reqwest::Response) -> Value {
    r.json().await.unwrap()
}

/// Waits until a scan job is no longer running; answers its last state.
pub(crate) async fn wait_scan(app: &TestApp, tok: &str, status_url: &str) -> Value {
    let started = std::time::Instant::now();
    loop {
        let r = get(app, tok, status_url).await;
        assert_eq!(r.status(), 200);
        let job = json_of(r).await;
        if job["status"] != "running" {
            return job;
        }
        assert!(
            started.elapsed().as_secs() < 120,
            "scan still running: {job}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Starts a scan through the API (202 and a job), waits for it to finish
/// and answers what it found.
pub(crate) async fn scan(app: &TestApp, tok: &str) -> Value {
    let r = send(app, tok, "/api/v1/linkage/scan", None).await;
    assert_eq!(r.status(), 202);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let job = json_of(r).await;
    assert_eq!(job["status_url"], location.as_str());
    let done = wait_scan(app, tok, &location).await;
    assert_eq!(done["status"], "done", "{done}");
    done["summary"].clone()
}

/// A registry of a few hundred demo people plus one person entered twice.
pub(crate) async fn registry_with_a_duplicate(app: &TestApp, tok: &str) -> (i64, i64) {
    app::demo_data::load_people(&app.app, &app::Actor::system("test"), 300, 7)
        .await
        .unwrap();
    let (c1, _) = communes();
    let a = json_of(
        post(
            app,
            tok,
            &json!({
                "full_name": "Nguyễn Văn Bình", "gender": "male", "birth_date": "1985-03-12",
                "category": "contract_labour", "country": "KR", "hometown_code": c1,
                "passport_no": "B7654321", "phone": "0912 345 678", "email": "binh@example.com",
                "occupation": "Kỹ sư",
            }),
        )
        .await,
    )
    .await;
    let b = json_of(
        post(
            app,
            tok,
            &json!({
                "full_name": "NGUYEN VAN BINH", "gender": "male", "birth_date": "1985-03-12",
                "category": "contract_labour", "country": "KR", "hometown_code": c1,
                "passport_no": "B7654321", "phone": "+84 912 345 679",
                "tags": ["businessperson"],
            }),
        )
        .await,
    )
    .await;
    let (a, b) = (
        a["id"].as_i64().unwrap_or_else(|| panic!("{a}")),
        b["id"].as_i64().unwrap_or_else(|| panic!("{b}")),
    );
    // A relative at home on the second record.
    let r = send(
        app,
        tok,
        &format!("/api/v1/people/{b}/relatives"),
        Some(json!({"head_name": "Nguyễn Văn Cha", "commune_code": c1,
                    "full_name": "Nguyễn Văn Cha", "relationship": "parent"})),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    (a, b)
}

pub(crate) async fn pair_of(
    app: &TestApp,
    tok: &str,
    a: i64,
    b: i64,
    status: &str,
) -> Option<Value> {
    let v = json_of(
        get(
            app,
            tok,
            &format!("/api/v1/linkage/pairs?status={status}&limit=500"),
        )
        .await,
    )
    .await;
    v["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["a_id"] == a && p["b_id"] == b)
        .cloned()
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap()
}

async fn scan_explain_merge_unmerge_through_the_api(app: TestApp) {
    let tok = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let (a, b) = registry_with_a_duplicate(&app, &tok).await;

    // Scan: the pair is proposed, with an explanation.
    let s = scan(&app, &tok).await;
    assert_eq!(s["people"], 302);
    assert!(s["new_pairs"].as_i64().unwrap() >= 1, "{s}");
    let p = pair_of(&app, &tok, a, b, "pending")
        .await
        .expect("the duplicate is proposed");
    assert!(p["probability"].as_f64().unwrap() > 0.9, "{p}");
    let pid = p["id"].as_i64().unwrap();
    let v = json_of(get(&app, &tok, &format!("/api/v1/linkage/pairs/{pid}")).await).await;
    let explain = v["explanation"].as_array().unwrap();
    let outcome = |f: &str| {
        explain
            .iter()
            .find(|e| e["field"] == f)
            .map(|e| e["outcome"].as_str().unwrap().to_owned())
    };
    assert_eq!(outcome("passport_no").as_deref(), Some("agree"));
    assert_eq!(outcome("birth_date").as_deref(), Some("agree"));
    let phone = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "phone")
        .unwrap();
    assert_eq!(phone["differs"], true);
    assert_eq!(phone["choosable"], true);
    // Both records' views were audited.
    assert!(audit_count(&app, "person.view").await >= 2);

    // A second scan proposes nothing new.
    let s = scan(&app, &tok).await;
    assert_eq!(s["new_pairs"], 0, "{s}");

    // Merge: stale version refused, a record with itself refused.
    let stale = json!({"kept_id": a, "merged_id": b, "kept_version": 9, "merged_version": 1, "pair_id": pid});
    assert_eq!(
        send(&app, &tok, "/api/v1/merges", Some(stale))
            .await
            .status(),
        412
    );
    let itself = json!({"kept_id": a, "merged_id": a, "kept_version": 1, "merged_version": 1});
    let r = send(&app, &tok, "/api/v1/merges", Some(itself)).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("same_record"));
    let bv = json_of(get(&app, &tok, &format!("/api/v1/people/{b}")).await).await;
    let bad = json!({"kept_id": a, "merged_id": b, "kept_version": 1, "merged_version": bv["version"],
                     "choices": {"password": "merged"}});
    let r = send(&app, &tok, "/api/v1/merges", Some(bad)).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("password"));

    // Issue 26, finding 6: a pair id with records that are not that pair
    // is refused, and nothing is merged.
    let (c1, _) = crate::registry::people::communes();
    let stranger = json_of(
        crate::registry::people::post(
            &app,
            &tok,
            &crate::registry::people::person("Lý Văn Lạ", &c1),
        )
        .await,
    )
    .await;
    let wrong = json!({"kept_id": a, "merged_id": stranger["id"], "kept_version": 1,
                       "merged_version": stranger["version"], "pair_id": pid});
    let r = send(&app, &tok, "/api/v1/merges", Some(wrong)).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("not_this_pair"));
    let still = json_of(get(&app, &tok, &format!("/api/v1/people/{}", stranger["id"])).await).await;
    assert_eq!(
        still["version"], stranger["version"],
        "the stranger is untouched"
    );

    let body = json!({"kept_id": a, "merged_id": b, "kept_version": 1,
                      "merged_version": bv["version"], "pair_id": pid,
                      "choices": {"phone": "merged"}});
    let r = send(&app, &tok, "/api/v1/merges", Some(body)).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let mid = json_of(r).await["id"].as_i64().unwrap();

    let kept = json_of(get(&app, &tok, &format!("/api/v1/people/{a}")).await).await;
    assert_eq!(kept["full_name"], "Nguyễn Văn Bình");
    assert_eq!(kept["other_names"], json!(["NGUYEN VAN BINH"]));
    assert_eq!(kept["phone"], "+84912345679");
    assert_eq!(kept["email"], "binh@example.com");
    assert_eq!(kept["tags"], json!(["businessperson"]));
    let rel = json_of(get(&app, &tok, &format!("/api/v1/people/{a}/relatives")).await).await;
    assert_eq!(rel["relatives"].as_array().unwrap().len(), 1, "{rel}");
    let merged = json_of(get(&app, &tok, &format!("/api/v1/people/{b}")).await).await;
    assert!(merged["deleted_at"].is_string(), "{merged}");
    assert_eq!(merged["deleted_reason"], format!("merged into #{a}"));
    assert!(pair_of(&app, &tok, a, b, "accepted").await.is_some());
    assert!(pair_of(&app, &tok, a, b, "pending").await.is_none());
    // One event per record version, one for the merge.
    assert_eq!(audit_count(&app, "person.merge").await, 1);
    assert_eq!(audit_count(&app, "merge.create").await, 1);
    let list = json_of(get(&app, &tok, "/api/v1/merges").await).await;
    assert_eq!(list[0]["id"], mid);

    // Unmerge: both back as they were, the relative back on b.
    let r = send(&app, &tok, &format!("/api/v1/merges/{mid}/undo"), None).await;
    assert_eq!(r.status(), 204);
    let kept = json_of(get(&app, &tok, &format!("/api/v1/people/{a}")).await).await;
    assert_eq!(kept["other_names"], json!([]));
    assert_eq!(kept["phone"], "+84912345678");
    assert_eq!(kept["tags"], json!([]));
    let back = json_of(get(&app, &tok, &format!("/api/v1/people/{b}")).await).await;
    assert!(back["deleted_at"].is_null(), "{back}");
    assert_eq!(back["full_name"], "NGUYEN VAN BINH");
    let rel = json_of(get(&app, &tok, &format!("/api/v1/people/{b}/relatives")).await).await;
    assert_eq!(rel["relatives"].as_array().unwrap().len(), 1);
    let rel = json_of(get(&app, &tok, &format!("/api/v1/people/{a}/relatives")).await).await;
    assert_eq!(rel["relatives"].as_array().unwrap().len(), 0);
    assert_eq!(audit_count(&app, "person.unmerge").await, 2);
    assert_eq!(audit_count(&app, "merge.undo").await, 1);
    // Unmerged means "not the same": remembered by the next scan.
    assert!(pair_of(&app, &tok, a, b, "rejected").await.is_some());
    let s = scan(&app, &tok).await;
    assert_eq!(s["new_pairs"], 0);
    assert!(pair_of(&app, &tok, a, b, "pending").await.is_none());
    let r = send(&app, &tok, &format!("/api/v1/merges/{mid}/undo"), None).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("already_undone"));

    // Reopen, then reject by decision.
    let r = send(
        &app,
        &tok,
        &format!("/api/v1/linkage/pairs/{pid}/decision"),
        Some(json!({"decision": "reopen"})),
    )
    .await;
    assert_eq!(r.status(), 204);
    assert!(pair_of(&app, &tok, a, b, "pending").await.is_some());
    let r = send(
        &app,
        &tok,
        &format!("/api/v1/linkage/pairs/{pid}/decision"),
        Some(json!({"decision": "maybe"})),
    )
    .await;
    assert_eq!(r.status(), 422);
}

async fn pairs_are_reviewed_only_within_jurisdiction(app: TestApp) {
    let (c1, c2) = communes();
    let tok = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let (a, b) = registry_with_a_duplicate(&app, &tok).await;
    scan(&app, &tok).await;
    let pid = pair_of(&app, &tok, a, b, "pending").await.unwrap()["id"]
        .as_i64()
        .unwrap();

    // A commune officer elsewhere: not in the queue, 404 on the pair, merge refused.
    let other = token(
        &app,
        "xa2",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c2)],
        &["read", "write"],
    )
    .await;
    assert!(pair_of(&app, &other, a, b, "pending").await.is_none());
    assert_eq!(
        get(&app, &other, &format!("/api/v1/linkage/pairs/{pid}"))
            .await
            .status(),
        404
    );
    let body = json!({"kept_id": a, "merged_id": b, "kept_version": 1, "merged_version": 1});
    assert_eq!(
        send(&app, &other, "/api/v1/merges", Some(body.clone()))
            .await
            .status(),
        404
    );
    let r = send(
        &app,
        &other,
        &format!("/api/v1/linkage/pairs/{pid}/decision"),
        Some(json!({"decision": "reject"})),
    )
    .await;
    assert_eq!(r.status(), 404);
    // The officer of the pair's commune sees it.
    let own = token(
        &app,
        "xa1",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c1)],
        &["read", "write"],
    )
    .await;
    assert!(pair_of(&app, &own, a, b, "pending").await.is_some());
    // Roles without the right: 403; a read-only token: 403.
    for (name, role, scopes) in [
        (
            "agency1",
            Role::Agency,
            vec![Scope::new("agency", "police")],
        ),
        ("viewer1", Role::Viewer, vec![]),
    ] {
        let t = token(&app, name, role, scopes, &["read", "write"]).await;
        assert_eq!(
            send(&app, &t, "/api/v1/linkage/scan", None).await.status(),
            403
        );
        assert_eq!(get(&app, &t, "/api/v1/linkage/pairs").await.status(), 403);
    }
    let ro = token(&app, "readonly1", Role::ProvinceOfficer, vec![], &["read"]).await;
    assert_eq!(
        send(&app, &ro, "/api/v1/merges", Some(body)).await.status(),
        403
    );
    // Nothing was changed by the refusals.
    let p = pair_of(&app, &tok, a, b, "pending").await.unwrap();
    assert_eq!(p["id"], pid);
    let kept = json_of(get(&app, &tok, &format!("/api/v1/people/{a}")).await).await;
    assert_eq!(kept["version"], 1);
}

async fn review_pages_scan_open_merge_and_unmerge(app: TestApp) {
    let tok = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let (a, b) = registry_with_a_duplicate(&app, &tok).await;
    let c = TestApp::new_client();
    let r = app.sign_in(&c, "lan", PASSWORD).await;
    assert_eq!(r.status(), 303);
    let html = c
        .get(app.url("/review"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Rà soát hồ sơ trùng lặp"));
    let csrf = extract_csrf(&html);
    // Without the CSRF token the scan is refused.
    let r = c.post(app.url("/review/scan")).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .post(app.url("/review/scan"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // The scan runs in the background: the queue shows its progress, then
    // what it found.
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    let job: i64 = to.strip_prefix("/review?scan=").unwrap().parse().unwrap();
    wait_scan(&app, &tok, &format!("/api/v1/linkage/scans/{job}")).await;
    let html = c
        .get(app.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-testid=\"scan-summary\""), "{html}");
    assert!(html.contains("<dd>302</dd>"), "{html}");
    assert!(!html.contains("scan-running"));
    let pid = pair_of(&app, &tok, a, b, "pending").await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let html = c
        .get(app.url(&format!("/review/pairs/{pid}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("NGUYEN VAN BINH") && html.contains("Nguyễn Văn Bình"));
    assert!(html.contains("class=\"differs\""));
    assert!(html.contains("data-key=\"m\""));
    // Keep B, take A's phone.
    let bv = json_of(get(&app, &tok, &format!("/api/v1/people/{b}")).await).await;
    let r = c
        .post(app.url(&format!("/review/pairs/{pid}/merge")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("a_id", &a.to_string()),
            ("a_version", "1"),
            ("b_id", &b.to_string()),
            ("b_version", &bv["version"].to_string()),
            ("keep", "b"),
            ("choice.phone", "a"),
            ("choice.full_name", "a"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/review/next")
    );
    let kept = json_of(get(&app, &tok, &format!("/api/v1/people/{b}")).await).await;
    assert_eq!(kept["full_name"], "Nguyễn Văn Bình");
    assert_eq!(kept["phone"], "+84912345678");
    assert_eq!(kept["other_names"], json!(["NGUYEN VAN BINH"]));
    let gone = json_of(get(&app, &tok, &format!("/api/v1/people/{a}")).await).await;
    assert!(gone["deleted_at"].is_string());
    // The merges page lists it; unmerge from there.
    let html = c
        .get(app.url("/review/merges"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mid: i64 = sqlx::query_scalar("SELECT MAX(id) FROM merges")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert!(html.contains(&format!("unmerge-{mid}")));
    let r = c
        .post(app.url(&format!("/review/merges/{mid}/undo")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let back = json_of(get(&app, &tok, &format!("/api/v1/people/{a}")).await).await;
    assert!(back["deleted_at"].is_null());
    assert_eq!(back["full_name"], "Nguyễn Văn Bình");
}

async fn an_import_is_matched_against_the_registry_after_commit(app: TestApp) {
    let tok = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let (a, _) = registry_with_a_duplicate(&app, &tok).await;
    let c1 = domain::geo::new_communes_of("42")[0].name;
    // The police's list: Bình again (no diacritics, day/month order), and a newcomer.
    let csv = format!(
        "STT;HO TEN;Gioi tinh;Ngay sinh;Nuoc;Que quan;So ho chieu\n\
         1;NGUYEN VAN BINH;Nam;12/03/1985;Hàn Quốc;{c1}, Hà Tĩnh;B7654321\n\
         2;Phạm Thị Xuyến;Nữ;1970;Canada;{c1}, Hà Tĩnh;\n"
    );
    let r = app
        .client
        .post(app.url("/api/v1/imports?source=police&survey_round=2025&file_name=ca.csv"))
        .bearer_auth(&tok)
        .body(csv.into_bytes())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    let id = json_of(r).await["id"].as_i64().unwrap();
    let s = wait_for(&app, &tok, id, |s| s["status"] == "validated").await;
    assert_eq!(s["valid_rows"], 2, "{s}");
    let r = send(&app, &tok, &format!("/api/v1/imports/{id}/commit"), None).await;
    assert_eq!(r.status(), 202);
    let s = wait_for(&app, &tok, id, |s| s["match_status"] == "done").await;
    assert_eq!(s["status"], "committed");
    assert_eq!(s["match_same"], 1, "{s}");
    assert_eq!(s["match_new"], 1, "{s}");
    // The pair with the registered Bình waits for review, labelled with the import.
    let v = json_of(
        get(
            &app,
            &tok,
            &format!("/api/v1/linkage/pairs?found_by=import:{id}"),
        )
        .await,
    )
    .await;
    let pairs = v["pairs"].as_array().unwrap();
    assert!(
        pairs.iter().any(|p| p["a_id"] == a || p["b_id"] == a),
        "{v}"
    );
    assert!(
        pairs
            .iter()
            .all(|p| p["found_by"] == format!("import:{id}"))
    );
}

async fn an_import_may_merge_the_people_already_registered(app: TestApp) {
    let tok = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let (a, b) = registry_with_a_duplicate(&app, &tok).await;
    let c1 = domain::geo::new_communes_of("42")[0].name;
    let csv = format!(
        "STT;HO TEN;Gioi tinh;Ngay sinh;Nuoc;Que quan;So ho chieu;Email\n\
         1;Nguyễn Văn Bình;Nam;12/03/1985;Hàn Quốc;{c1}, Hà Tĩnh;B7654321;binh.moi@example.com\n\
         2;Phạm Thị Xuyến;Nữ;1970;Canada;{c1}, Hà Tĩnh;;\n"
    );
    let r = app
        .client
        .post(app.url("/api/v1/imports?source=police&survey_round=2025&file_name=ca.csv"))
        .bearer_auth(&tok)
        .body(csv.into_bytes())
        .send()
        .await
        .unwrap();
    let id = json_of(r).await["id"].as_i64().unwrap();
    wait_for(&app, &tok, id, |s| s["status"] == "validated").await;
    // A role that may not merge cannot ask for it.
    let agency = token(
        &app,
        "police1",
        Role::Agency,
        vec![Scope::new("agency", "police")],
        &["read", "write"],
    )
    .await;
    let r = send(
        &app,
        &agency,
        &format!("/api/v1/imports/{id}/commit?auto_merge=true"),
        None,
    )
    .await;
    assert!(r.status() == 403 || r.status() == 404, "{}", r.status());
    let r = send(
        &app,
        &tok,
        &format!("/api/v1/imports/{id}/commit?auto_merge=true"),
        None,
    )
    .await;
    assert_eq!(r.status(), 202);
    let s = wait_for(&app, &tok, id, |s| s["match_status"] == "done").await;
    assert_eq!(s["match_same"], 1, "{s}");
    assert_eq!(s["match_merged"], 1, "{s}");
    // Bình's registered record (one of the two) now holds the list's source and e-mail.
    let merges = json_of(get(&app, &tok, "/api/v1/merges").await).await;
    let m = &merges[0];
    assert!(m["kept_id"] == a || m["kept_id"] == b, "{merges}");
    let kept = json_of(get(&app, &tok, &format!("/api/v1/people/{}", m["kept_id"])).await).await;
    let related = json_of(
        get(
            &app,
            &tok,
            &format!("/api/v1/people/{}/relatives", m["kept_id"]),
        )
        .await,
    )
    .await;
    assert!(
        related["sources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["agency"] == "police"),
        "{related}"
    );
    assert!(kept["deleted_at"].is_null());
}

async fn wait_for(app: &TestApp, tok: &str, id: i64, done: impl Fn(&Value) -> bool) -> Value {
    let started = std::time::Instant::now();
    loop {
        let s = json_of(get(app, tok, &format!("/api/v1/imports/{id}")).await).await;
        if done(&s) {
            return s;
        }
        assert!(s["status"] != "failed", "{s}");
        assert!(
            started.elapsed() < std::time::Duration::from_mins(1),
            "import {id} stuck: {s}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Every pending pair of the queue: its two records' birth years and the
/// level of its given names, as explained.
async fn queued_pairs(app: &TestApp, tok: &str) -> Vec<(i64, i64, String, f64)> {
    let v = json_of(get(app, tok, "/api/v1/linkage/pairs?status=pending&limit=500").await).await;
    let mut out = Vec::new();
    for p in v["pairs"].as_array().unwrap() {
        let id = p["id"].as_i64().unwrap();
        let view = json_of(get(app, tok, &format!("/api/v1/linkage/pairs/{id}")).await).await;
        let year = |who: &str| {
            view[who]["birth_date"].as_str().unwrap_or_default()[..4]
                .parse::<i64>()
                .unwrap_or(0)
        };
        let given = view["explanation"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["field"] == "given_name")
            .map(|r| r["level"].as_str().unwrap().to_owned())
            .unwrap_or_default();
        out.push((
            year("a"),
            year("b"),
            given,
            p["probability"].as_f64().unwrap(),
        ));
    }
    out
}

/// Issue 20: "Ngô Thanh Vương", a student born 2002 in Houston, and "Ngô Tiến
/// Kim Lượng", a foreign national born 1967 in Philadelphia, both of one
/// commune, were shown as 100.0 % the same person. On the demo registry they
/// are not proposed, nor is any pair whose given names disagree and whose
/// birth years are decades apart.
async fn strangers_of_one_family_are_not_proposed_on_the_demo_registry(app: TestApp) {
    let tok = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    app::demo_data::load_people(&app.app, &app::Actor::system("test"), 300, 42)
        .await
        .unwrap();
    let (c1, _) = communes();
    let mut ids = Vec::new();
    for body in [
        json!({"full_name": "Ngô Thanh Vương", "gender": "male", "birth_date": "2002-07-20",
               "category": "study_abroad", "country": "US", "city_abroad": "Houston",
               "hometown_code": c1, "passport_no": "C2502426", "phone": "+17137229106"}),
        json!({"full_name": "Ngô Tiến Kim Lượng", "gender": "male", "birth_date": "1967-01-20",
               "category": "foreign_national", "country": "US", "city_abroad": "Philadelphia",
               "hometown_code": c1}),
    ] {
        let v = json_of(post(&app, &tok, &body).await).await;
        ids.push(v["id"].as_i64().unwrap_or_else(|| panic!("{v}")));
    }
    scan(&app, &tok).await;
    assert!(
        pair_of(&app, &tok, ids[0], ids[1], "pending")
            .await
            .is_none()
    );
    for (ya, yb, given, p) in queued_pairs(&app, &tok).await {
        assert!(
            given != "disagree" || (ya - yb).abs() < 10,
            "{ya} / {yb}, given names {given}, probability {p}"
        );
    }
}

/// A list of registered people written another agency's way (capitals
/// without diacritics, day first): every `step`-th of the demo people from
/// `first`, as a CSV import of `source`, committed and matched.
async fn import_again(app: &TestApp, tok: &str, source: &str, first: i64, step: i64) -> i64 {
    let rows: Vec<(String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT full_name, gender, birth_date, country, COALESCE(hometown_text, ''), \
         COALESCE(passport_no, '') FROM persons WHERE id >= $1 AND id <= 300 AND (id - $2) % $3 = 0 \
         ORDER BY id",
    )
    .bind(first)
    .bind(first)
    .bind(step)
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap();
    let mut csv = String::from("STT;HO TEN;Gioi tinh;Ngay sinh;Nuoc;Que quan;So ho chieu\n");
    for (i, (name, gender, birth, country, hometown, passport)) in rows.iter().enumerate() {
        let birth = match birth.split('-').collect::<Vec<_>>()[..] {
            [y, m, d] => format!("{d}/{m}/{y}"),
            _ => birth.clone(),
        };
        let gender = if gender == "female" { "Nữ" } else { "Nam" };
        let _ = writeln!(
            csv,
            "{};{};{gender};{birth};{country};{hometown};{passport}",
            i + 1,
            demo::strip_diacritics(name).to_uppercase(),
        );
    }
    let r = app
        .client
        .post(app.url(&format!(
            "/api/v1/imports?source={source}&survey_round=2025&file_name={source}.csv"
        )))
        .bearer_auth(tok)
        .body(csv.into_bytes())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    let id = json_of(r).await["id"].as_i64().unwrap();
    let s = wait_for(app, tok, id, |s| s["status"] == "validated").await;
    assert!(s["valid_rows"].as_i64().unwrap() > 0, "{s}");
    send(app, tok, &format!("/api/v1/imports/{id}/commit"), None).await;
    wait_for(app, tok, id, |s| s["match_status"] == "done").await;
    id
}

/// The pending pairs, each with its weight (bits, to three places: the
/// probability of most is 1.0 to many places).
async fn pending_pairs(app: &TestApp) -> Vec<(i64, i64, String)> {
    let rows: Vec<(i64, i64, f64)> = sqlx::query_as(
        "SELECT a_id, b_id, weight FROM match_pairs WHERE status = 'pending' ORDER BY a_id, b_id",
    )
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(a, b, w)| (a, b, format!("{w:.3}")))
        .collect()
}

/// Issue 20: the first scan of fresh data found nothing, a later one 117
/// pairs, some of which existed at the first. The queue a scan leaves
/// depends on the registry, not on the order of events: imports then a
/// scan, a scan then imports then a scan, scans between imports and twice.
async fn a_scan_finds_the_same_pairs_whatever_the_order_of_events(app: TestApp) {
    let backend = app.app.db.backend;
    let mut queues = Vec::new();
    for order in [
        "imports, scan",
        "scan, imports, scan",
        "scan, import, scan, import, scan, scan",
    ] {
        let app = crate::helpers::spawn_app(backend).await;
        let tok = token(
            &app,
            "lan",
            Role::ProvinceOfficer,
            vec![],
            &["read", "write"],
        )
        .await;
        // Bình is registered twice from the start: the first scan finds him.
        registry_with_a_duplicate(&app, &tok).await;
        let mut imports = [("police", 1, 7), ("fatherland_front", 3, 11)].into_iter();
        for step in order.split(", ") {
            if step == "scan" {
                scan(&app, &tok).await;
            } else {
                let all = if step == "imports" { 2 } else { 1 };
                for (source, first, every) in imports.by_ref().take(all) {
                    import_again(&app, &tok, source, first, every).await;
                }
            }
        }
        queues.push((order, pending_pairs(&app).await));
    }
    assert!(!queues[0].1.is_empty());
    for (order, q) in &queues[1..] {
        assert_eq!(q, &queues[0].1, "{order} against {}", queues[0].0);
    }
}

/// Issue 20: at a million people the scan ran past the request time-out.
/// It is a background job: the request answers 202 at once with the job
/// and where to read it; any server on the database answers its state; a
/// second request while it runs gets the same job; a job whose server
/// stopped reads as interrupted and another can start; another
/// jurisdiction's job is not found.
async fn the_scan_is_a_background_job_any_server_answers(app: TestApp) {
    let tok = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    // Enough people for the scan to take a while.
    app::demo_data::load_people(&app.app, &app::Actor::system("test"), 1000, 9)
        .await
        .unwrap();
    let r = send(&app, &tok, "/api/v1/linkage/scan", None).await;
    assert_eq!(r.status(), 202);
    let first = json_of(r).await;
    let again = json_of(send(&app, &tok, "/api/v1/linkage/scan", None).await).await;
    // Both answered while the scan runs.
    assert_eq!(first["status"], "running", "{first}");
    assert_eq!(again["status"], "running", "{again}");
    assert_eq!(again["id"], first["id"], "one scan at a time: {again}");
    assert_eq!(first["total_steps"], 3);
    let url = first["status_url"].as_str().unwrap().to_owned();
    // Another server on the same database reads the job's state.
    let other = app.spawn_second_server().await;
    let read_there = |url: String| {
        let c = app.client.clone();
        let tok = tok.clone();
        async move {
            let r = c
                .get(format!("http://{other}{url}"))
                .bearer_auth(&tok)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()
        }
    };
    let there = read_there(url.clone()).await;
    assert_eq!(there["id"], first["id"]);
    let done = wait_scan(&app, &tok, &url).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["done_steps"], 3);
    assert_eq!(done["summary"]["people"], 1000, "{done}");
    assert_eq!(read_there(url.clone()).await["status"], "done");
    // Another jurisdiction does not see the job.
    let (c1, _) = communes();
    let xa = token(
        &app,
        "xa1",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c1)],
        &["read", "write"],
    )
    .await;
    assert_eq!(get(&app, &xa, &url).await.status(), 404);
    // A job whose server stopped without a word (a crash): its heartbeat
    // stops, it reads as interrupted, and a new scan starts.
    let r = send(&app, &tok, "/api/v1/linkage/scan", None).await;
    let running = json_of(r).await;
    assert_ne!(running["id"], first["id"]);
    let id = running["id"].as_i64().unwrap();
    wait_scan(&app, &tok, running["status_url"].as_str().unwrap()).await;
    sqlx::query(
        "UPDATE scan_jobs SET status = 'running', heartbeat_at = '2020-01-01T00:00:00.000000Z' \
         WHERE id = $1",
    )
    .bind(id)
    .execute(&app.app.db.pool)
    .await
    .unwrap();
    let stale = json_of(get(&app, &tok, &format!("/api/v1/linkage/scans/{id}")).await).await;
    assert_eq!(stale["status"], "interrupted", "{stale}");
    assert_eq!(stale["failure"], "review.scan_interrupted");
    let next = json_of(send(&app, &tok, "/api/v1/linkage/scan", None).await).await;
    assert_ne!(next["id"], id);
    wait_scan(&app, &tok, next["status_url"].as_str().unwrap()).await;
    // The page shows an interrupted scan in words.
    let c = TestApp::new_client();
    app.sign_in(&c, "lan", PASSWORD).await;
    let html = c
        .get(app.url(&format!("/review?scan={id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Lần dò trùng bị gián đoạn"), "{html}");
}

dual!(
    the_scan_is_a_background_job_any_server_answers,
    a_scan_finds_the_same_pairs_whatever_the_order_of_events,
    strangers_of_one_family_are_not_proposed_on_the_demo_registry,
    scan_explain_merge_unmerge_through_the_api,
    pairs_are_reviewed_only_within_jurisdiction,
    review_pages_scan_open_merge_and_unmerge,
    an_import_is_matched_against_the_registry_after_commit,
    an_import_may_merge_the_people_already_registered,
);

/// Imports a police or Front list for a round; answers the import id once committed.
async fn import_list(app: &TestApp, tok: &str, source: &str, round: &str, rows: &[&str]) -> i64 {
    let c1 = domain::geo::new_communes_of("42")[0].name;
    let mut csv = String::from("STT;HO TEN;Gioi tinh;Ngay sinh;Nuoc;Que quan;So ho chieu\n");
    for (i, r) in rows.iter().enumerate() {
        let _ = writeln!(csv, "{};{r};{c1}, Hà Tĩnh;", i + 1);
    }
    let r = app
        .client
        .post(app.url(&format!(
            "/api/v1/imports?source={source}&survey_round={round}&file_name={source}.csv"
        )))
        .bearer_auth(tok)
        .body(csv.into_bytes())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    let id = json_of(r).await["id"].as_i64().unwrap();
    let s = wait_for(app, tok, id, |s| s["status"] == "validated").await;
    assert_eq!(s["error_rows"], 0, "{s}");
    send(app, tok, &format!("/api/v1/imports/{id}/commit"), None).await;
    wait_for(app, tok, id, |s| s["match_status"] == "done").await;
    id
}

async fn people_of(app: &TestApp, import: i64) -> Vec<(String, i64)> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT p.full_name, p.id FROM persons p JOIN person_sources ps ON ps.person_id = p.id \
         WHERE ps.import_id = $1 ORDER BY ps.row_no",
    )
    .bind(import)
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap();
    rows
}

async fn police_and_front_lists_are_reconciled_and_visited(app: TestApp) {
    let tok = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let earlier = import_list(
        &app,
        &tok,
        "police",
        "R2025",
        &["Lê Văn Cường;Nam;1980;Nhật Bản"],
    )
    .await;
    let police = import_list(
        &app,
        &tok,
        "police",
        "R2026",
        &[
            "Nguyễn Văn An;Nam;01/02/1985;Hàn Quốc",
            "Trần Thị Bé;Nữ;15/06/1990;Đài Loan",
            "Lê Văn Cường;Nam;1980;Nhật Bản",
        ],
    )
    .await;
    let front = import_list(
        &app,
        &tok,
        "fatherland_front",
        "R2026",
        &[
            "NGUYEN VAN AN;Nam;01/02/1985;Hàn Quốc",
            "Tran Thi Be;Nữ;15/06/1991;Đài Loan",
            "Đỗ Thị Dung;Nữ;1995;Nhật Bản",
        ],
    )
    .await;
    let p = people_of(&app, police).await;
    let f = people_of(&app, front).await;
    assert_eq!((p.len(), f.len()), (3, 3));
    // The reviewers merged An and Bé (the Front's record into the police's).
    for (kept, merged) in [(p[0].1, f[0].1), (p[1].1, f[1].1)] {
        let body =
            json!({"kept_id": kept, "merged_id": merged, "kept_version": 1, "merged_version": 1});
        let r = send(&app, &tok, "/api/v1/merges", Some(body)).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }

    let r = json_of(
        get(
            &app,
            &tok,
            "/api/v1/reconcile?round=R2026&a=police&b=fatherland_front",
        )
        .await,
    )
    .await;
    let t = &r["total"];
    assert_eq!(
        (
            t["in_a"].as_i64(),
            t["in_b"].as_i64(),
            t["agreed"].as_i64(),
            t["conflicting"].as_i64(),
            t["only_a"].as_i64(),
            t["only_b"].as_i64()
        ),
        (Some(3), Some(3), Some(1), Some(1), Some(1), Some(1)),
        "{r}"
    );
    let class_of = |id: i64| {
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["person_id"] == id)
            .map(|x| {
                (
                    x["class"].as_str().unwrap().to_owned(),
                    x["conflicts"].clone(),
                )
            })
            .unwrap()
    };
    assert_eq!(class_of(p[0].1).0, "matched");
    assert_eq!(
        class_of(p[1].1),
        ("conflict".to_owned(), json!(["birth_date"]))
    );
    assert_eq!(class_of(p[2].1).0, "only_a");
    assert_eq!(class_of(f[2].1).0, "only_b");
    // Refused input names the field.
    let bad = get(
        &app,
        &tok,
        "/api/v1/reconcile?round=R2026&a=police&b=police",
    )
    .await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("same_source"));
    assert_eq!(
        get(&app, &tok, "/api/v1/reconcile?a=police").await.status(),
        422
    );

    // The re-verification list: the three not agreed, read back from the xlsx.
    let r = get(&app, &tok, "/api/v1/reconcile/visits.xlsx?round=R2026").await;
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("Danh sách xác minh").unwrap();
    let names: Vec<String> = sheet.rows().skip(3).map(|row| row[2].to_string()).collect();
    assert_eq!(names, vec!["Trần Thị Bé", "Lê Văn Cường", "Đỗ Thị Dung"]);
    assert_eq!(audit_count(&app, "reconcile.export").await, 1);
    // The same list as an official Word document: the motto, the title and the three names.
    let r = get(&app, &tok, "/api/v1/reconcile/visits.docx?round=R2026").await;
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    assert!(xml.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") && xml.contains("DANH SÁCH"));
    for name in ["Trần Thị Bé", "Lê Văn Cường", "Đỗ Thị Dung"] {
        assert!(xml.contains(name), "{name} missing from the docx");
    }
    assert!(
        !xml.contains("Nguyễn Văn An"),
        "the agreed person is not to visit"
    );
    assert_eq!(audit_count(&app, "reconcile.export").await, 2);

    // A visit confirms Cường for the police; a bad result is refused.
    let r = send(
        &app,
        &tok,
        "/api/v1/reconcile/visits",
        Some(json!({"person_id": p[2].1, "result": "maybe"})),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("result"));
    let r = send(
        &app,
        &tok,
        "/api/v1/reconcile/visits",
        Some(json!({"person_id": p[2].1, "result": "police", "round": "R2026", "note": "Gặp mẹ tại nhà"})),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let v = json_of(get(&app, &tok, &format!("/api/v1/people/{}", p[2].1)).await).await;
    assert_eq!(v["verification"], "police");
    assert_eq!(audit_count(&app, "verification.visit").await, 1);

    // Growth between the rounds.
    let g = json_of(get(&app, &tok, "/api/v1/growth?from=R2025&to=R2026").await).await;
    assert_eq!(
        (g["total"]["from"].as_i64(), g["total"]["to"].as_i64()),
        (Some(1), Some(4)),
        "{g}"
    );
    let sum = |k: &str, side: &str| -> i64 {
        g[k].as_array()
            .unwrap()
            .iter()
            .map(|x| x[side].as_i64().unwrap())
            .sum()
    };
    assert_eq!(sum("by_category", "to"), 4);
    assert_eq!(sum("by_commune", "to"), 4);
    assert_eq!(sum("by_legacy_district", "from"), 1);
    let _ = earlier;

    // The pages: reconciliation and growth, in Vietnamese.
    let c = TestApp::new_client();
    app.sign_in(&c, "lan", PASSWORD).await;
    let html = c
        .get(app.url("/reconcile?round=R2026"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Tổng hợp theo xã/phường")
            && html.contains("data-testid=\"total-agreed\">1<"),
        "{html}"
    );
    assert!(html.contains("Đỗ Thị Dung"));
    let html = c
        .get(app.url("/reconcile/growth?from=R2025&to=R2026"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Theo huyện (trước 01/7/2025)"));
}

/// Issue 20 §2: the same person on both lists counts as agreed at once;
/// uncertain pairs are listed with their review links; the households
/// column says where to go; a visit is planned, done, and moves the person
/// to agreed; the round is declared, signed by both agencies and locked.
async fn a_round_ends_in_one_signed_figure(app: TestApp) {
    let tok = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let police_tok = token(
        &app,
        "ca.tinh",
        Role::Agency,
        vec![Scope::new("agency", "police")],
        &["read", "write"],
    )
    .await;
    let justice_tok = token(
        &app,
        "tu.phap",
        Role::Agency,
        vec![Scope::new("agency", "justice")],
        &["read", "write"],
    )
    .await;
    let commune_tok = token(
        &app,
        "xa.sen",
        Role::CommuneOfficer,
        vec![Scope::new(
            "new_commune",
            domain::geo::new_communes_of("42")[0].code,
        )],
        &["read", "write"],
    )
    .await;
    let c1 = domain::geo::new_communes_of("42")[0];
    // Declaring: the province only; a bad date and an unknown commune name their fields.
    let body = json!({"code": "R2027", "name": "Khảo sát kiều bào 2027", "started_on": "01/03/2027",
        "ends_on": "30/06/2027", "communes": c1.name});
    let r = send(
        &app,
        &commune_tok,
        "/api/v1/reconcile/rounds",
        Some(body.clone()),
    )
    .await;
    assert_eq!(r.status(), 403);
    let bad = json!({"code": "R2027", "name": "x", "ends_on": "31/02/2027", "communes": "Không Có Xã Này"});
    let r = send(&app, &tok, "/api/v1/reconcile/rounds", Some(bad)).await;
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("ends_on") && text.contains("communes"),
        "{text}"
    );
    let r = send(&app, &tok, "/api/v1/reconcile/rounds", Some(body)).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());

    let police = import_list(
        &app,
        &tok,
        "police",
        "R2027",
        &[
            "Nguyễn Văn An;Nam;01/02/1985;Hàn Quốc",
            "Lê Văn Cường;Nam;1980;Nhật Bản",
        ],
    )
    .await;
    let front = import_list(
        &app,
        &tok,
        "fatherland_front",
        "R2027",
        &[
            "Nguyễn Văn An;Nam;01/02/1985;Hàn Quốc",
            "Đỗ Thị Dung;Nữ;1995;Nhật Bản",
        ],
    )
    .await;
    let p = people_of(&app, police).await;
    let f = people_of(&app, front).await;

    // The identical row agrees at once: no reviewer had to merge it.
    let r = json_of(get(&app, &tok, "/api/v1/reconcile?round=R2027").await).await;
    let t = &r["total"];
    assert_eq!(
        (
            t["in_a"].as_i64(),
            t["in_b"].as_i64(),
            t["agreed"].as_i64(),
            t["only_a"].as_i64(),
            t["only_b"].as_i64()
        ),
        (Some(2), Some(2), Some(1), Some(1), Some(1)),
        "{r}"
    );
    let row = |r: &Value, id: i64| {
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["person_id"] == id)
            .cloned()
    };
    let an = row(&r, p[0].1).unwrap();
    assert_eq!(an["class"], "linked");
    assert_eq!(an["linked_with"], f[0].1);
    assert!(
        row(&r, f[0].1).is_none(),
        "the linked record is counted once"
    );
    // Where to go: the commune by name (no household recorded).
    let cuong = row(&r, p[1].1).unwrap();
    assert!(
        cuong["household"].as_str().unwrap().contains(c1.name),
        "{cuong}"
    );
    // Any pair the matcher is unsure of is listed with its review link.
    for u in r["uncertain"].as_array().unwrap() {
        assert!(u["pair_id"].as_i64().is_some() && u["probability"].as_f64().unwrap() < 1.0);
    }

    // A visit planned for Cường: an unknown officer is refused by name.
    let plan = json!({"round": "R2027", "person_ids": [p[1].1], "assignee": "khong.co", "due_on": "15/12/2026"});
    let r = send(&app, &tok, "/api/v1/reconcile/visits/plan", Some(plan)).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("assignee"));
    let plan = json!({"round": "R2027", "person_ids": [p[1].1], "assignee": "lan", "due_on": "15/12/2026"});
    let r = send(&app, &tok, "/api/v1/reconcile/visits/plan", Some(plan)).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = json_of(get(&app, &tok, "/api/v1/reconcile?round=R2027").await).await;
    let v = &row(&r, p[1].1).unwrap()["visit"];
    assert_eq!(
        (v["state"].as_str(), v["due_on"].as_str()),
        (Some("planned"), Some("2026-12-15")),
        "{v}"
    );
    // The visit finds both agencies agree: Cường moves to agreed and off the list.
    let r = send(
        &app,
        &tok,
        "/api/v1/reconcile/visits",
        Some(json!({"person_id": p[1].1, "result": "both", "round": "R2027"})),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let r = json_of(get(&app, &tok, "/api/v1/reconcile?round=R2027").await).await;
    assert_eq!(row(&r, p[1].1).unwrap()["class"], "visited");
    assert_eq!(r["total"]["agreed"], 2, "{r}");
    let visits: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM verification_visits WHERE survey_round = 'R2027'")
            .fetch_one(&app.app.db.pool)
            .await
            .unwrap();
    assert_eq!(visits, 1, "the planned visit is the one made");

    // A one-commune list says that commune, not the whole province.
    let r = get(
        &app,
        &tok,
        &format!(
            "/api/v1/reconcile/visits.docx?round=R2027&commune={}",
            c1.code
        ),
    )
    .await;
    let xml = docx_xml(r.bytes().await.unwrap().to_vec());
    assert!(xml.contains(&format!("phạm vi: {}", c1.name)), "{xml}");
    assert!(xml.contains("Đỗ Thị Dung") && !xml.contains("Lê Văn Cường"));

    // Signing: an agency outside the round is refused; the police sign for
    // themselves, the province records the Front's signature: locked.
    let sign = json!({"signer_name": "Trần Văn Bình"});
    let r = send(
        &app,
        &justice_tok,
        "/api/v1/reconcile/rounds/R2027/sign-off",
        Some(sign.clone()),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("not_in_round"));
    let r = send(
        &app,
        &commune_tok,
        "/api/v1/reconcile/rounds/R2027/sign-off",
        Some(sign.clone()),
    )
    .await;
    assert_eq!(r.status(), 403);
    let r = send(
        &app,
        &police_tok,
        "/api/v1/reconcile/rounds/R2027/sign-off",
        Some(sign),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(json_of(r).await["locked"], false);
    let r = send(
        &app,
        &tok,
        "/api/v1/reconcile/rounds/R2027/sign-off",
        Some(json!({"agency": "fatherland_front", "signer_name": "Phạm Thị Hoa"})),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(json_of(r).await["locked"], true);
    let round = json_of(get(&app, &tok, "/api/v1/reconcile/rounds/R2027").await).await;
    assert!(round["locked_at"].is_string(), "{round}");
    assert_eq!(round["signatures"].as_array().unwrap().len(), 2);
    assert_eq!(round["signatures"][0]["agreed"], 2);
    assert_eq!(audit_count(&app, "round.sign_off").await, 2);
    assert_eq!(audit_count(&app, "round.lock").await, 1);
    // The official list carries the signatures.
    let r = get(&app, &tok, "/api/v1/reconcile/visits.docx?round=R2027").await;
    let xml = docx_xml(r.bytes().await.unwrap().to_vec());
    assert!(
        xml.contains("Đã ký xác nhận") && xml.contains("Phạm Thị Hoa"),
        "{xml}"
    );
    // Locked: later visits and lists go to the next round.
    let r = send(
        &app,
        &tok,
        "/api/v1/reconcile/visits",
        Some(json!({"person_id": f[1].1, "result": "both", "round": "R2027"})),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("round_locked"));
    let r = app
        .client
        .post(app.url("/api/v1/imports?source=police&survey_round=R2027&file_name=late.csv"))
        .bearer_auth(&tok)
        .body("HO TEN;Nuoc\nNguyễn Văn Mới;Nhật Bản\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("survey_round"));

    // The page shows the round, its signatures and the lock, in words.
    let c = TestApp::new_client();
    app.sign_in(&c, "lan", PASSWORD).await;
    let html = c
        .get(app.url("/reconcile?round=R2027"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Khảo sát kiều bào 2027") && html.contains("data-testid=\"round-locked\""),
        "{html}"
    );
    assert!(
        html.contains("Phạm Thị Hoa") && html.contains("Công an"),
        "{html}"
    );
}

/// Issue 20 §2 in the browser: the province declares a round, plans and
/// records a visit, the police sign for themselves and the province records
/// the Front's signature; the page says the round is locked.
async fn a_reconciliation_ends_in_a_signed_off_round_in_the_browser(app: TestApp) {
    let tok = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    app.add_user(
        "ca.tinh",
        Role::Agency,
        vec![Scope::new("agency", "police")],
    )
    .await;
    let c1 = domain::geo::new_communes_of("42")[0];
    let br = crate::browser::Browser::start().await;
    br.sign_in(&app.url(""), "lan", PASSWORD).await;
    br.goto(&app.url("/reconcile")).await;
    br.type_into("[data-testid=declare-round] input[name=code]", "R2028")
        .await;
    br.type_into(
        "[data-testid=declare-round] input[name=name]",
        "Khảo sát kiều bào 2028",
    )
    .await;
    br.type_into(
        "[data-testid=declare-round] input[name=started_on]",
        "01/03/2028",
    )
    .await;
    br.type_into("[data-testid=declare-round] input[name=communes]", c1.name)
        .await;
    br.click("[data-testid=declare-round] button").await;
    assert!(br.wait_url_contains("round=R2028").await);
    assert!(br.text("[data-testid=round]").await.contains(c1.name));

    let police = import_list(
        &app,
        &tok,
        "police",
        "R2028",
        &[
            "Nguyễn Văn An;Nam;01/02/1985;Hàn Quốc",
            "Lê Văn Cường;Nam;1980;Nhật Bản",
        ],
    )
    .await;
    import_list(
        &app,
        &tok,
        "fatherland_front",
        "R2028",
        &["NGUYEN VAN AN;Nam;01/02/1985;Hàn Quốc"],
    )
    .await;
    let cuong = people_of(&app, police).await[1].1;
    br.goto(&app.url("/reconcile?round=R2028")).await;
    assert_eq!(br.text("[data-testid=total-agreed]").await, "1");
    // Plan Cường's visit: tick, assignee, due day.
    br.click(&format!("input[name=person][value=\"{cuong}\"]"))
        .await;
    br.type_into("[data-testid=plan-visits] input[name=assignee]", "lan")
        .await;
    br.type_into("[data-testid=plan-visits] input[name=due_on]", "20/12/2026")
        .await;
    br.click("[data-testid=plan-visits] button").await;
    let state = br
        .wait_text(&format!("[data-testid=visit-state-{cuong}]"), |t| {
            t.contains("Đã giao")
        })
        .await;
    assert!(state.contains("20/12/2026"), "{state}");
    // The visit: both confirm.
    br.script(&format!(
        "document.querySelector('[data-testid=visit-{cuong}]').form.querySelector('select[name=result]').value = 'both';"
    ))
    .await;
    br.click(&format!("[data-testid=visit-{cuong}]")).await;
    br.wait_text("[data-testid=total-agreed]", |t| t == "2")
        .await;
    // The police sign for themselves.
    let agency = crate::browser::Browser::start().await;
    agency.sign_in(&app.url(""), "ca.tinh", PASSWORD).await;
    agency.goto(&app.url("/reconcile?round=R2028")).await;
    agency
        .type_into(
            "[data-testid=sign-off] input[name=signer_name]",
            "Trần Văn Bình",
        )
        .await;
    agency.click("[data-testid=sign-off] button").await;
    let asked = agency.answer_dialog(true).await;
    assert!(asked.contains('2'), "{asked}");
    agency
        .wait_text("[data-testid=signatures]", |t| t.contains("Trần Văn Bình"))
        .await;
    // The province records the Front's signature: locked.
    br.goto(&app.url("/reconcile?round=R2028")).await;
    br.script("document.querySelector('[data-testid=sign-off] select[name=agency]').value = 'fatherland_front';")
        .await;
    br.type_into(
        "[data-testid=sign-off] input[name=signer_name]",
        "Phạm Thị Hoa",
    )
    .await;
    br.click("[data-testid=sign-off] button").await;
    br.answer_dialog(true).await;
    let locked = br.text("[data-testid=round-locked]").await;
    assert!(locked.contains("đã khóa"), "{locked}");
    let sigs = br.text("[data-testid=signatures]").await;
    assert!(
        sigs.contains("Công an tỉnh") && sigs.contains("Ủy ban MTTQ"),
        "{sigs}"
    );
    if let Ok(dir) = std::env::var("KIEUBAO_SCREENSHOT_DIR") {
        for (w, h) in [(1366, 900), (390, 844)] {
            br.set_window(w, h).await;
            br.goto(&app.url("/reconcile?round=R2028")).await;
            std::fs::write(
                std::path::Path::new(&dir)
                    .join(format!("reconcile-locked-{w}-{:?}.png", app.backend)),
                br.screenshot().await,
            )
            .unwrap();
        }
    }
}

fn docx_xml(bytes: Vec<u8>) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    xml
}

dual!(
    police_and_front_lists_are_reconciled_and_visited,
    a_round_ends_in_one_signed_figure,
    a_reconciliation_ends_in_a_signed_off_round_in_the_browser
);

async fn reviewer_decides_with_the_keyboard_in_the_browser(app: TestApp) {
    let tok = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let (a, b) = registry_with_a_duplicate(&app, &tok).await;
    scan(&app, &tok).await;
    let pid = pair_of(&app, &tok, a, b, "pending").await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let br = crate::browser::Browser::start().await;
    br.sign_in(&app.url(""), "lan", PASSWORD).await;
    br.goto(&app.url("/review")).await;
    assert!(br.text("h1").await.contains("Rà soát"));
    br.goto(&app.url(&format!("/review/pairs/{pid}"))).await;
    let table = br.text("[data-testid=side-by-side]").await;
    assert!(table.contains("NGUYEN VAN BINH") && table.contains("Nguyễn Văn Bình"));
    // R: not the same person; the page moves on.
    br.press_key("r").await;
    let mut moved = false;
    for _ in 0..50 {
        if !br.url().await.contains(&format!("/review/pairs/{pid}")) {
            moved = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(moved, "the R key did not decide");
    assert!(pair_of(&app, &tok, a, b, "rejected").await.is_some());
    // Reopened, then M merges with the default choices (keep A).
    send(
        &app,
        &tok,
        &format!("/api/v1/linkage/pairs/{pid}/decision"),
        Some(json!({"decision": "reopen"})),
    )
    .await;
    br.goto(&app.url(&format!("/review/pairs/{pid}"))).await;
    br.find("[data-testid=merge]").await;
    br.press_key("m").await;
    // Merging asks first, naming both records.
    let asked = br.answer_dialog(true).await;
    assert!(
        asked.contains(&format!("#{a}")) && asked.contains(&format!("#{b}")),
        "{asked}"
    );
    let mut merged = false;
    for _ in 0..50 {
        if pair_of(&app, &tok, a, b, "accepted").await.is_some() {
            merged = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(merged, "the M key did not merge");
    let kept = json_of(get(&app, &tok, &format!("/api/v1/people/{a}")).await).await;
    assert_eq!(kept["other_names"], json!(["NGUYEN VAN BINH"]));
    let logs = br.severe_logs().await;
    assert!(
        logs.iter().all(|m| !m.contains("Content Security Policy")),
        "{logs:?}"
    );
}

dual!(reviewer_decides_with_the_keyboard_in_the_browser);
