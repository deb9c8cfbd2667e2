//! Enterprises, investment projects, contributions and remittances (issue
//! 22 §2–§3) through the API and the pages: create, read, update with
//! If-Match, the status pipeline with its dated history, audit, money as
//! integer minor units, refusals (another commune's project, a mission
//! outside its country, a negative amount, an unknown currency, a float),
//! the thank-you letter and the report's xlsx read back, and the demo.

use std::io::Read as _;

use app::accounts::users::Scope;
use calamine::{Reader, Xlsx};
use domain::Role;
use serde_json::{Value, json};

use crate::dual;
use crate::helpers::{PASSWORD, TestApp, extract_csrf};
use crate::registry::people::{communes, person, token};

dual!(
    projects_api_pipeline_history_and_audit,
    refusals_name_the_field_and_keep_each_reach,
    contributions_letter_and_remittances,
    pages_report_and_xlsx_read_back,
    demo_fills_the_investment_pages,
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

async fn json_of(r: reqwest::Response) -> Value {
    r.json().await.unwrap()
}

fn error_codes(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or_default().to_owned(),
                        e["code"].as_str().unwrap_or_default().to_owned(),
                    )
                })
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

async fn someone(app: &TestApp, tok: &str, name: &str, commune: &str, country: &str) -> i64 {
    let mut p = person(name, commune);
    p["country"] = json!(country);
    p["passport_no"] = Value::Null;
    let r = post(app, tok, "/api/v1/people", &p).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    json_of(r).await["id"].as_i64().unwrap()
}

async fn enterprise(app: &TestApp, tok: &str, name: &str, country: &str) -> i64 {
    let r = post(
        app,
        tok,
        "/api/v1/enterprises",
        &json!({"name": name, "sector": "10", "parent_country": country,
                "registration_no": "3001234567"}),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    json_of(r).await["id"].as_i64().unwrap()
}

async fn project(app: &TestApp, tok: &str, name: &str, commune: &str) -> Value {
    let r = post(
        app,
        tok,
        "/api/v1/projects",
        &json!({"name": name, "sector": "Dịch vụ lưu trú", "commune": commune,
                "registered_capital": 1_250_050, "currency": "USD", "rate_to_vnd": "25.400"}),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    json_of(r).await
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

async fn projects_api_pipeline_history_and_audit(app: TestApp) {
    let (c1, _) = communes();
    let tok = province(&app).await;
    let owner = someone(&app, &tok, "Phan Văn Chủ", &c1, "JP").await;
    let e = enterprise(&app, &tok, "Công ty TNHH Sakura", "Nhật Bản").await;
    let r = send(
        &app,
        &tok,
        reqwest::Method::PATCH,
        &format!("/api/v1/enterprises/{e}"),
        Some("\"1\""),
        Some(&json!({"owner_ids": [owner]})),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let body = json_of(r).await;
    assert_eq!(body["owners"][0]["full_name"], "Phan Văn Chủ");
    assert_eq!(body["parent_country"], "JP");

    let p = project(&app, &tok, "Khu nghỉ dưỡng Thiên Cầm", &c1).await;
    let id = p["id"].as_i64().unwrap();
    // Money stays integers: 12,500.50 dollars at 25,400 đồng.
    assert_eq!(p["registered_capital"], 1_250_050);
    assert_eq!(p["registered_vnd"], 317_512_700);
    assert_eq!(p["rate_to_vnd"], "25400");
    assert_eq!(p["sector"], "55");
    assert_eq!(p["status"], "proposed");
    let path = format!("/api/v1/projects/{id}");
    let r = get(&app, &tok, &path).await;
    assert_eq!(r.headers()["etag"], "\"1\"");
    // Patch: no If-Match 428, the right one 200, a stale one 412.
    let patch = json!({"investor_enterprise_ids": [e], "licence_no": "1234/GCNĐKĐT"});
    let r = send(
        &app,
        &tok,
        reqwest::Method::PATCH,
        &path,
        None,
        Some(&patch),
    )
    .await;
    assert_eq!(r.status(), 428);
    let r = send(
        &app,
        &tok,
        reqwest::Method::PATCH,
        &path,
        Some("\"1\""),
        Some(&patch),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"2\"");
    let body = json_of(r).await;
    assert_eq!(body["investors"][0]["name"], "Công ty TNHH Sakura");
    let r = send(
        &app,
        &tok,
        reqwest::Method::PATCH,
        &path,
        Some("\"1\""),
        Some(&patch),
    )
    .await;
    assert_eq!(r.status(), 412);
    // The pipeline: forward only, each change dated, never before the last.
    let status = |s: &str, on: &str| json!({"status": s, "changed_on": on});
    let sp = format!("{path}/status");
    let today = app::clock::today();
    let r = send(
        &app,
        &tok,
        reqwest::Method::POST,
        &sp,
        Some("\"2\""),
        Some(&status("operating", &today)),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        error_codes(&json_of(r).await),
        vec![("status".into(), "invalid_transition".into())]
    );
    let r = send(
        &app,
        &tok,
        reqwest::Method::POST,
        &sp,
        Some("\"2\""),
        Some(&status("licensed", "01/02/2020")),
    )
    .await;
    assert_eq!(r.status(), 422, "before the proposal");
    assert_eq!(error_codes(&json_of(r).await)[0].1, "before_last_change");
    for (i, s) in ["licensed", "under_construction", "operating"]
        .iter()
        .enumerate()
    {
        let v = format!("\"{}\"", 2 + i);
        let r = send(
            &app,
            &tok,
            reqwest::Method::POST,
            &sp,
            Some(&v),
            Some(&status(s, &today)),
        )
        .await;
        assert_eq!(r.status(), 200, "{s}: {}", r.text().await.unwrap());
    }
    let body = json_of(get(&app, &tok, &path).await).await;
    assert_eq!(body["status"], "operating");
    let kept: Vec<&str> = body["status_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        kept,
        vec!["operating", "under_construction", "licensed", "proposed"]
    );
    let h = json_of(get(&app, &tok, &format!("{path}/history")).await).await;
    let summaries: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["summary"].as_str().unwrap())
        .collect();
    assert_eq!(
        summaries,
        vec![
            "status: operating",
            "status: under_construction",
            "status: licensed",
            "updated: investor_enterprise_ids, licence_no",
            "created"
        ]
    );
    assert_eq!(
        audit_actions(&app, "project", id).await,
        vec![
            "project.create",
            "project.view",
            "project.update",
            "project.status",
            "project.status",
            "project.status",
            "project.view"
        ]
    );
    // Filters: by status, by sector section, by name without marks.
    let list = json_of(
        get(
            &app,
            &tok,
            "/api/v1/projects?status=operating&sector=I&q=nghi duong",
        )
        .await,
    )
    .await;
    assert_eq!(list["total"], 1, "{list}");
    let list = json_of(get(&app, &tok, "/api/v1/projects?status=licensed").await).await;
    assert_eq!(list["total"], 0);
}

async fn refusals_name_the_field_and_keep_each_reach(app: TestApp) {
    let (c1, c2) = communes();
    let tok = province(&app).await;
    let p1 = project(&app, &tok, "Dự án xã một", &c1).await["id"]
        .as_i64()
        .unwrap();
    let p2 = project(&app, &tok, "Dự án xã hai", &c2).await["id"]
        .as_i64()
        .unwrap();
    // Bad money: negative, unknown currency, a float, too many decimals.
    let base = json!({"name": "X", "sector": "C", "commune": c1});
    for (patch, field, code) in [
        (
            json!({"registered_capital": -5, "currency": "USD", "rate_to_vnd": "25000"}),
            "registered_capital",
            "negative_amount",
        ),
        (json!({"currency": "XYZ"}), "currency", "unknown_currency"),
        (json!({"currency": "USD"}), "rate_to_vnd", "required"),
        (json!({"sector": "ZZ"}), "sector", "unknown_sector"),
    ] {
        let mut b = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        let r = post(&app, &tok, "/api/v1/projects", &b).await;
        assert_eq!(r.status(), 422, "{b}");
        let body = json_of(r).await;
        assert!(
            error_codes(&body).contains(&(field.to_owned(), code.to_owned())),
            "{b}: {body}"
        );
    }
    let mut b = base.clone();
    b["registered_capital"] = json!(12.5);
    let r = post(&app, &tok, "/api/v1/projects", &b).await;
    assert_eq!(r.status(), 422, "money never floats");
    // A commune officer: their commune's projects only.
    let xa = token(
        &app,
        "canboxa",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c1)],
        &["read", "write"],
    )
    .await;
    let list = json_of(get(&app, &xa, "/api/v1/projects").await).await;
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(
        get(&app, &xa, &format!("/api/v1/projects/{p2}"))
            .await
            .status(),
        404
    );
    let r = send(
        &app,
        &xa,
        reqwest::Method::PATCH,
        &format!("/api/v1/projects/{p2}"),
        Some("*"),
        Some(&json!({"name": "Sửa trộm"})),
    )
    .await;
    assert_eq!(
        r.status(),
        404,
        "a commune officer cannot edit another commune's project"
    );
    let r = send(
        &app,
        &xa,
        reqwest::Method::PATCH,
        &format!("/api/v1/projects/{p1}"),
        Some("*"),
        Some(&json!({"commune": c2})),
    )
    .await;
    assert_eq!(r.status(), 422, "nor move one out of their commune");
    assert_eq!(
        error_codes(&json_of(r).await)[0],
        ("commune".to_owned(), "out_of_jurisdiction".to_owned())
    );
    let r = send(
        &app,
        &xa,
        reqwest::Method::PATCH,
        &format!("/api/v1/projects/{p1}"),
        Some("*"),
        Some(&json!({"name_en": "Commune one project"})),
    )
    .await;
    assert_eq!(r.status(), 200);
    // A mission: enterprises of its country only.
    let jp = token(
        &app,
        "dsqnhat",
        Role::Mission,
        vec![Scope::new("country", "JP")],
        &["read", "write"],
    )
    .await;
    let kr = enterprise(&app, &tok, "Công ty Hàn", "KR").await;
    let r = post(
        &app,
        &jp,
        "/api/v1/enterprises",
        &json!({"name": "Công ty Mỹ", "sector": "C", "parent_country": "US"}),
    )
    .await;
    assert_eq!(r.status(), 422, "a mission outside its country");
    assert_eq!(
        error_codes(&json_of(r).await)[0],
        (
            "parent_country".to_owned(),
            "out_of_jurisdiction".to_owned()
        )
    );
    assert_eq!(
        get(&app, &jp, &format!("/api/v1/enterprises/{kr}"))
            .await
            .status(),
        404
    );
    let own = enterprise(&app, &jp, "Công ty Nhật", "JP").await;
    assert_eq!(
        json_of(get(&app, &jp, "/api/v1/enterprises").await).await["items"][0]["id"],
        own
    );
    assert_eq!(
        post(&app, &jp, "/api/v1/projects", &base).await.status(),
        403,
        "missions do not record projects"
    );
    // Leadership reads projects, not contributions, and changes nothing.
    let viewer = token(&app, "lanhdao", Role::Viewer, vec![], &["read"]).await;
    assert_eq!(
        json_of(get(&app, &viewer, "/api/v1/projects").await).await["total"],
        2
    );
    assert_eq!(
        get(&app, &viewer, "/api/v1/contributions").await.status(),
        403
    );
    assert_eq!(
        post(&app, &viewer, "/api/v1/projects", &base)
            .await
            .status(),
        403
    );
}

async fn contributions_letter_and_remittances(app: TestApp) {
    let (c1, c2) = communes();
    let tok = province(&app).await;
    let donor = someone(&app, &tok, "Trần Thị Hảo Tâm", &c1, "US").await;
    let r = post(
        &app,
        &tok,
        "/api/v1/contributions",
        &json!({"donor_kind": "person", "donor_person_id": donor, "amount": 1_000_000,
                "currency": "USD", "rate_to_vnd": "25 412,5", "purpose": "scholarship",
                "commune": c1, "contributed_on": "05/09/2025", "in_kind": "200 bộ sách"}),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let c = json_of(r).await;
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["vnd_value"], 254_125_000, "10,000.00 USD × 25,412.5");
    assert_eq!(c["donor_country"], "US");
    assert_eq!(c["donor_name"], "Trần Thị Hảo Tâm");
    for (body, field, code) in [
        (json!({"amount": -1}), "amount", "negative_amount"),
        (json!({"currency": "ABC"}), "currency", "unknown_currency"),
        (json!({"purpose": "bribe"}), "purpose", "invalid_code"),
    ] {
        let r = send(
            &app,
            &tok,
            reqwest::Method::PATCH,
            &format!("/api/v1/contributions/{id}"),
            Some("\"1\""),
            Some(&body),
        )
        .await;
        assert_eq!(r.status(), 422, "{body}");
        assert!(error_codes(&json_of(r).await).contains(&(field.to_owned(), code.to_owned())));
    }
    // A commune officer of another commune cannot see it; a mission of the donor's country can.
    let other = token(
        &app,
        "xakhac",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c2)],
        &["read", "write"],
    )
    .await;
    assert_eq!(
        get(&app, &other, &format!("/api/v1/contributions/{id}"))
            .await
            .status(),
        404
    );
    let us = token(
        &app,
        "dsqmy",
        Role::Mission,
        vec![Scope::new("country", "US")],
        &["read"],
    )
    .await;
    assert_eq!(
        get(&app, &us, &format!("/api/v1/contributions/{id}"))
            .await
            .status(),
        200
    );
    // The thank-you letter, read back.
    app.add_user("sonv2", Role::ProvinceOfficer, vec![]).await;
    let client = TestApp::new_client();
    assert_eq!(app.sign_in(&client, "sonv2", PASSWORD).await.status(), 303);
    let r = client
        .get(app.url(&format!("/investment/contributions/{id}/thank-you.docx")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    for want in [
        "THƯ CẢM ƠN",
        "Trần Thị Hảo Tâm",
        "10.000,00 USD",
        "200 bộ sách",
        "Độc lập - Tự do - Hạnh phúc",
        "Nơi nhận:",
        "05/09/2025",
    ] {
        assert!(xml.contains(want), "letter lacks {want}");
    }
    // Remittances: numbers per year, sensitive like a revealed field (the
    // admin scope; the view is audited).
    let rp = format!("/api/v1/people/{donor}/remittances");
    assert_eq!(
        post(
            &app,
            &tok,
            &rp,
            &json!({"year": 2024, "amount": 1, "currency": "USD"})
        )
        .await
        .status(),
        403
    );
    let tok = token(
        &app,
        "sonv3",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write", "admin"],
    )
    .await;
    let r = post(
        &app,
        &tok,
        &rp,
        &json!({"year": 2024, "amount": 630_000, "currency": "USD"}),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = post(
        &app,
        &tok,
        &rp,
        &json!({"year": 2024, "amount": -1, "currency": "USD"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let r = post(
        &app,
        &tok,
        &rp,
        &json!({"year": 2024, "amount": 5, "currency": "US$"}),
    )
    .await;
    assert_eq!(
        error_codes(&json_of(r).await)[0],
        ("currency".to_owned(), "unknown_currency".to_owned())
    );
    let list = json_of(get(&app, &tok, &rp).await).await;
    assert_eq!(list[0]["amount"], 630_000);
    let other = token(
        &app,
        "xakhac2",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c2)],
        &["read", "admin"],
    )
    .await;
    assert_eq!(get(&app, &other, &rp).await.status(), 404);
    let viewer = token(&app, "lanhdao", Role::Viewer, vec![], &["read"]).await;
    assert_eq!(get(&app, &viewer, &rp).await.status(), 403);
    let html = client
        .get(app.url(&format!("/people/{donor}/remittances")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("6.300,00 USD"), "{html}");
}

async fn pages_report_and_xlsx_read_back(app: TestApp) {
    let (c1, c2) = communes();
    let tok = province(&app).await;
    project(&app, &tok, "Khu nghỉ dưỡng", &c1).await;
    let r = post(
        &app,
        &tok,
        "/api/v1/projects",
        &json!({"name": "Nhà máy", "sector": "C", "commune": c2, "registered_capital": 500_000_000_000_i64, "currency": "VND"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    app.add_user("sonv2", Role::ProvinceOfficer, vec![]).await;
    let client = TestApp::new_client();
    assert_eq!(app.sign_in(&client, "sonv2", PASSWORD).await.status(), 303);
    let html = client
        .get(app.url("/investment"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Khu nghỉ dưỡng")
            && html.contains("12.500,50 USD")
            && html.contains("Đề xuất"),
        "{html}"
    );
    // The form keeps what was typed and names the field (422).
    let form = client
        .get(app.url("/investment/projects/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = extract_csrf(&form);
    let r = client
        .post(app.url("/investment/projects"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Dự án thử"),
            ("sector", "F"),
            ("commune", c1.as_str()),
            ("currency", "USD"),
            ("registered_capital", "-5"),
            ("rate_to_vnd", "25400"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Dự án thử")
            && html.contains("data-field=\"registered_capital\"")
            && html.contains("không được âm"),
        "{html}"
    );
    let r = client
        .post(app.url("/investment/projects"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Dự án thử"),
            ("sector", "F"),
            ("commune", c1.as_str()),
            ("currency", "USD"),
            ("registered_capital", "1.000,50"),
            ("rate_to_vnd", "25.000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    let html = client
        .get(app.url(&loc))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("1.000,50 USD")
            && html.contains("25.012.500 đồng")
            && html.contains("Xây dựng"),
        "{html}"
    );
    // The report, with dollars at the officer's rate.
    let html = client
        .get(app.url("/investment/report?usd_rate=25000"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Dự án theo trạng thái") && html.contains("Công nghiệp chế biến, chế tạo"),
        "{html}"
    );
    let r = client
        .get(app.url("/investment/report?usd_rate=abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = client
        .get(app.url("/investment/report.xlsx?usd_rate=25000"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), vec!["Dự án", "Đóng góp"]);
    let sheet = book.worksheet_range("Dự án").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    assert_eq!(rows[0][0], "Dự án theo trạng thái");
    let total = rows.iter().find(|r| r[0] == "Tổng cộng").unwrap();
    // 3 projects: 317,512,700 + 500,000,000,000 + 25,012,500 đồng.
    assert_eq!(total[1], "3");
    assert_eq!(total[2], "500342525200");
    assert_eq!(total[4], "20013701.01", "{total:?}");
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'investment.report_export'",
    )
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
}

async fn demo_fills_the_investment_pages(app: TestApp) {
    let made = app::community::investment_demo::seed(&app.app)
        .await
        .unwrap();
    assert_eq!(made, 13);
    assert_eq!(
        app::community::investment_demo::seed(&app.app)
            .await
            .unwrap(),
        0,
        "once"
    );
    let tok = province(&app).await;
    let list = json_of(get(&app, &tok, "/api/v1/projects?limit=500").await).await;
    assert_eq!(list["total"], 13);
    let operating = json_of(get(&app, &tok, "/api/v1/projects?status=operating").await).await;
    assert!(operating["total"].as_i64().unwrap() >= 3);
    let report = json_of(get(&app, &tok, "/api/v1/investment/report").await).await;
    assert!(
        report["contributions_total"]["count"].as_i64().unwrap() >= 8,
        "{report}"
    );
    app.add_user("sonv2", Role::ProvinceOfficer, vec![]).await;
    let client = TestApp::new_client();
    assert_eq!(app.sign_in(&client, "sonv2", PASSWORD).await.status(), 303);
    let first = list["items"][0]["id"].as_i64().unwrap();
    let e: i64 = sqlx::query_scalar("SELECT MIN(id) FROM enterprises")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    let c: i64 = sqlx::query_scalar("SELECT MIN(id) FROM contributions")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    for path in [
        "/investment".to_owned(),
        format!("/investment/projects/{first}"),
        format!("/investment/projects/{first}/edit"),
        "/investment/enterprises".to_owned(),
        format!("/investment/enterprises/{e}"),
        "/investment/contributions".to_owned(),
        format!("/investment/contributions/{c}"),
        format!("/investment/contributions/{c}/edit"),
        "/investment/report?usd_rate=25400".to_owned(),
        "/investment/projects/new".to_owned(),
        "/investment/contributions/new".to_owned(),
        "/investment/enterprises/new".to_owned(),
    ] {
        let r = client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let html = r.text().await.unwrap();
        assert!(!html.contains("invest."), "{path}: a message key shown");
    }
    for path in ["/dau-tu", "/en/investment"] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains("Kẻ Gỗ") || html.contains("Ke Go"),
            "{path}: {html}"
        );
    }
}

crate::dual_smtp!(a_person_abroad_records_interest_in_a_catalogue_project);

async fn a_person_abroad_records_interest_in_a_catalogue_project(
    app: TestApp,
    smtp: crate::portal::Smtp,
) {
    let (c1, _) = communes();
    let tok = province(&app).await;
    let r = post(
        &app,
        &tok,
        "/api/v1/projects",
        &json!({"name": "Khu du lịch hồ Kẻ Gỗ", "name_en": "Ke Go lake resort", "sector": "55",
                "commune": c1, "registered_capital": 1_200_000_000_000_i64, "currency": "VND",
                "in_catalogue": true, "summary_en": "An eco-tourism area by the lake."}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let id = json_of(r).await["id"].as_i64().unwrap();
    project(&app, &tok, "Dự án không kêu gọi", &c1).await;
    // The public catalogue in both languages shows the catalogue only.
    let html = app
        .client
        .get(app.url("/en/investment"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Ke Go lake resort") && html.contains("An eco-tourism area"),
        "{html}"
    );
    assert!(!html.contains("không kêu gọi"), "{html}");
    // A person abroad records interest through the portal (once, audited).
    let c = crate::portal::registered(&app, &smtp, "an@example.org").await;
    let page = c
        .get(app.url("/kieu-bao/dau-tu"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Khu du lịch hồ Kẻ Gỗ"), "{page}");
    let csrf = extract_csrf(&page);
    for _ in 0..2 {
        let r = c
            .post(app.url(&format!("/kieu-bao/dau-tu/{id}")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("message", "Tôi muốn tìm hiểu thêm"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
    }
    let page = c
        .get(app.url("/kieu-bao/dau-tu?done=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-testid=\"interest-recorded\""), "{page}");
    let p = json_of(get(&app, &tok, &format!("/api/v1/projects/{id}")).await).await;
    assert_eq!(p["interests"], 1);
    assert_eq!(
        audit_actions(&app, "project", id)
            .await
            .iter()
            .filter(|a| *a == "project.interest")
            .count(),
        2
    );
    // A project outside the catalogue takes no interest.
    let other: i64 = sqlx::query_scalar("SELECT MAX(id) FROM investment_projects")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    let r = c
        .post(app.url(&format!("/kieu-bao/dau-tu/{other}")))
        .form(&[("csrf", csrf.as_str()), ("message", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}
