//! Experts (issue 22 §4): fields of expertise from the controlled list,
//! qualifications, visits, the yearly report and its xlsx, within
//! jurisdiction, refusals named by field.

use std::io::Cursor;

use app::accounts::users::Scope;
use domain::Role;
use serde_json::{Value, json};

use crate::dual;
use crate::helpers::{PASSWORD, TestApp, extract_csrf};
use crate::registry::people::{communes, person, token};

dual!(
    expertise_and_visits_make_the_yearly_report_within_jurisdiction,
    the_report_page_and_its_workbook_read_in_words,
);

async fn someone(app: &TestApp, tok: &str, name: &str, commune: &str) -> i64 {
    let mut p = person(name, commune);
    p["passport_no"] = Value::Null;
    let r = app
        .client
        .post(app.url("/api/v1/people"))
        .bearer_auth(tok)
        .json(&p)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn call(
    app: &TestApp,
    tok: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut r = app.client.request(method, app.url(path)).bearer_auth(tok);
    if let Some(b) = body {
        r = r.json(&b);
    }
    r.send().await.unwrap()
}

async fn expertise_and_visits_make_the_yearly_report_within_jurisdiction(app: TestApp) {
    let (c1, c2) = communes();
    let tok = token(
        &app,
        "sonv",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let a = someone(&app, &tok, "Nguyễn Văn Bác Sĩ", &c1).await;
    let b = someone(&app, &tok, "Trần Thị Kỹ Sư", &c2).await;
    let put = reqwest::Method::PUT;
    let post = reqwest::Method::POST;
    let r = call(
        &app,
        &tok,
        put.clone(),
        &format!("/api/v1/experts/{a}"),
        Some(json!({"fields": ["medicine", "astrology"]})),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>().await.unwrap()["errors"][0]["field"],
        "fields"
    );
    let r = call(
        &app,
        &tok,
        put,
        &format!("/api/v1/experts/{a}"),
        Some(json!({"fields": ["medicine"], "qualifications": "Tiến sĩ Y khoa"})),
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = call(
        &app,
        &tok,
        post.clone(),
        &format!("/api/v1/experts/{a}/visits"),
        Some(json!({"starts_on": "12/03/2026", "ends_on": "11/03/2026", "host_agency": ""})),
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
    assert_eq!(f, ["ends_on", "host_agency"]);
    for (p, day) in [(a, "12/03/2026"), (b, "2026-09-01"), (b, "05/05/2025")] {
        let r = call(&app, &tok, post.clone(), &format!("/api/v1/experts/{p}/visits"),
            Some(json!({"starts_on": day, "host_agency": "Bệnh viện Đa khoa tỉnh", "purpose": "Chuyển giao kỹ thuật"}))).await;
        assert_eq!(r.status(), 201);
    }
    let e: Value = call(
        &app,
        &tok,
        reqwest::Method::GET,
        &format!("/api/v1/experts/{a}"),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(e["fields"], json!(["medicine"]));
    assert_eq!(e["visits"][0]["starts_on"], "2026-03-12");
    let year: Value = call(
        &app,
        &tok,
        reqwest::Method::GET,
        "/api/v1/experts/visits?year=2026",
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(year.as_array().unwrap().len(), 2, "{year}");
    // A commune officer sees the visits of its commune's people only, and
    // cannot record one for someone else's.
    let commune = token(
        &app,
        "xa1",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c1)],
        &["read", "write"],
    )
    .await;
    let seen: Value = call(
        &app,
        &commune,
        reqwest::Method::GET,
        "/api/v1/experts/visits?year=2026",
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(seen.as_array().unwrap().len(), 1);
    assert_eq!(seen[0]["full_name"], "Nguyễn Văn Bác Sĩ");
    let r = call(
        &app,
        &commune,
        post,
        &format!("/api/v1/experts/{b}/visits"),
        Some(json!({"starts_on": "01/10/2026", "host_agency": "x"})),
    )
    .await;
    assert_eq!(r.status(), 404, "outside its jurisdiction");
    let leader = token(&app, "lanhdao", Role::Viewer, vec![], &["read"]).await;
    let r = call(
        &app,
        &leader,
        reqwest::Method::GET,
        "/api/v1/experts/visits",
        None,
    )
    .await;
    assert_eq!(
        r.status(),
        403,
        "names of people are not for the leadership"
    );
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'expert.%'")
            .fetch_one(&app.app.db.pool)
            .await
            .unwrap();
    assert!(audited >= 7, "{audited}");
}

async fn the_report_page_and_its_workbook_read_in_words(app: TestApp) {
    let (c1, _) = communes();
    let tok = token(
        &app,
        "sonv",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let a = someone(&app, &tok, "Nguyễn Văn Bác Sĩ", &c1).await;
    app.add_user("sonv.web", Role::ProvinceOfficer, vec![])
        .await;
    let client = TestApp::new_client();
    assert_eq!(
        app.sign_in(&client, "sonv.web", PASSWORD).await.status(),
        303
    );
    let html = client
        .get(app.url("/experts?year=2026"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = extract_csrf(&html);
    let r = client
        .post(app.url("/experts"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("person", &format!("Nguyễn Văn Bác Sĩ · #{a}")),
            ("field", "medicine"),
            ("starts_on", "99/99/2026"),
            ("host_agency", "Bệnh viện Đa khoa tỉnh"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("value=\"Bệnh viện Đa khoa tỉnh\"") && html.contains("Ngày bắt đầu"),
        "{html}"
    );
    let r = client
        .post(app.url("/experts"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("person", &format!("Nguyễn Văn Bác Sĩ · #{a}")),
            ("field", "medicine"),
            ("starts_on", "12/03/2026"),
            ("host_agency", "Bệnh viện Đa khoa tỉnh"),
            ("purpose", "Mổ nội soi"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = client
        .get(app.url("/experts?year=2026"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("12/03/2026") && html.contains("Y tế: 1") && !html.contains("medicine<"),
        "{html}"
    );
    let bytes = client
        .get(app.url("/experts/visits.xlsx?year=2026"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0)
        .unwrap()
        .unwrap();
    let cells: Vec<String> = sheet
        .rows()
        .flat_map(|r| r.iter().map(ToString::to_string))
        .collect();
    for want in [
        "Nguyễn Văn Bác Sĩ",
        "Y tế",
        "12/03/2026",
        "Bệnh viện Đa khoa tỉnh",
        "Mổ nội soi",
        "Cơ quan tiếp đón",
    ] {
        assert!(cells.iter().any(|c| c == want), "{want}: {cells:?}");
    }
}
