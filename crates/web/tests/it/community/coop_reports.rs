//! The cooperation reports (issue 22 §8): projects by status and sector,
//! contributions by country, year, purpose and commune, expert visits by
//! year and field, event attendance; the JSON API within reach (a mission
//! sees its countries' donors only), the reports page's section, and the
//! xlsx and official docx read back with figures from the test's data.

use std::io::{Cursor, Read as _};

use app::accounts::users::Scope;
use calamine::{Reader, Xlsx};
use domain::Role;
use serde_json::{Value, json};

use crate::dual;
use crate::helpers::{PASSWORD, TestApp};
use crate::registry::people::{communes, person, token};

dual!(cooperation_reports_in_json_xlsx_and_docx_within_reach);

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

async fn made(app: &TestApp, tok: &str, method: reqwest::Method, path: &str, body: Value) -> Value {
    let r = call(app, tok, method, path, Some(body)).await;
    assert!(
        r.status().is_success(),
        "{path}: {}",
        r.text().await.unwrap()
    );
    r.json().await.unwrap()
}

async fn someone(app: &TestApp, tok: &str, name: &str, commune: &str, country: &str) -> i64 {
    let mut p = person(name, commune);
    p["country"] = json!(country);
    p["passport_no"] = Value::Null;
    made(app, tok, reqwest::Method::POST, "/api/v1/people", p).await["id"]
        .as_i64()
        .unwrap()
}

/// The rows of table `name` of a report: `(key, values)`.
fn rows(report: &Value, name: &str) -> Vec<(String, Vec<i64>)> {
    let t = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {report}"));
    t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_owned(),
                r["values"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_i64().unwrap())
                    .collect(),
            )
        })
        .collect()
}

fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let mut out = String::new();
    let mut rest = xml.as_str();
    while let Some(i) = rest.find("<w:t") {
        rest = &rest[i + 4..];
        if !(rest.starts_with('>') || rest.starts_with(' ')) {
            continue;
        }
        let Some(open) = rest.find('>') else { break };
        rest = &rest[open + 1..];
        let end = rest.find("</w:t>").unwrap();
        out.push_str(&rest[..end]);
        out.push('\n');
        rest = &rest[end..];
    }
    out
}

#[allow(clippy::too_many_lines)]
async fn cooperation_reports_in_json_xlsx_and_docx_within_reach(app: TestApp) {
    let (c1, c2) = communes();
    let tok = token(
        &app,
        "sonv",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let post = reqwest::Method::POST;
    let a = someone(&app, &tok, "Nguyễn Văn An", &c1, "JP").await;
    let b = someone(&app, &tok, "Trần Thị Bình", &c2, "JP").await;
    let c = someone(&app, &tok, "Lê Văn Cường", &c1, "KR").await;
    for (name, sector, capital) in [
        ("Khách sạn Biển Xanh", "55", 5_000_000_000_i64),
        ("Nhà máy chế biến hải sản", "10", 2_000_000_000),
    ] {
        made(&app, &tok, post.clone(), "/api/v1/projects",
            json!({"name": name, "sector": sector, "commune": c1, "registered_capital": capital, "currency": "VND"})).await;
    }
    for (donor, amount, on, commune) in [
        (a, 50_000_000_i64, "05/09/2025", &c1),
        (c, 30_000_000, "10/01/2026", &c2),
    ] {
        made(&app, &tok, post.clone(), "/api/v1/contributions",
            json!({"donor_kind": "person", "donor_person_id": donor, "amount": amount, "currency": "VND",
                   "purpose": "scholarship", "commune": commune, "contributed_on": on})).await;
    }
    made(
        &app,
        &tok,
        reqwest::Method::PUT,
        &format!("/api/v1/experts/{a}"),
        json!({"fields": ["medicine"], "qualifications": "Tiến sĩ Y khoa"}),
    )
    .await;
    for (p, day) in [(a, "12/03/2026"), (b, "05/05/2025")] {
        made(
            &app,
            &tok,
            post.clone(),
            &format!("/api/v1/experts/{p}/visits"),
            json!({"starts_on": day, "host_agency": "Bệnh viện Đa khoa tỉnh"}),
        )
        .await;
    }
    let ev = made(&app, &tok, post.clone(), "/api/v1/events",
        json!({"kind": "xuan_que_huong", "name": "Xuân Quê hương 2027", "starts_on": "24/01/2027", "place": "Hà Tĩnh"}))
        .await["id"].as_i64().unwrap();
    made(
        &app,
        &tok,
        post.clone(),
        &format!("/api/v1/events/{ev}/invitees"),
        json!({"country": "JP"}),
    )
    .await;
    made(
        &app,
        &tok,
        reqwest::Method::PATCH,
        &format!("/api/v1/events/{ev}/invitees/{a}"),
        json!({"reply": "yes", "attendance": "attended"}),
    )
    .await;

    // JSON, codes as keys.
    let get = reqwest::Method::GET;
    let r: Value = call(
        &app,
        &tok,
        get.clone(),
        "/api/v1/community/reports/projects",
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        rows(&r, "by_status"),
        [("proposed".to_owned(), vec![2, 7_000_000_000, 0])]
    );
    assert_eq!(
        rows(&r, "by_sector"),
        [
            ("C".to_owned(), vec![1, 2_000_000_000, 0]),
            ("I".to_owned(), vec![1, 5_000_000_000, 0])
        ]
    );
    let r: Value = call(
        &app,
        &tok,
        get.clone(),
        "/api/v1/community/reports/contributions",
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        rows(&r, "by_country"),
        [
            ("JP".to_owned(), vec![1, 50_000_000]),
            ("KR".to_owned(), vec![1, 30_000_000])
        ]
    );
    assert_eq!(
        rows(&r, "by_year"),
        [
            ("2026".to_owned(), vec![1, 30_000_000]),
            ("2025".to_owned(), vec![1, 50_000_000])
        ]
    );
    assert_eq!(
        rows(&r, "by_purpose"),
        [("scholarship".to_owned(), vec![2, 80_000_000])]
    );
    let r: Value = call(
        &app,
        &tok,
        get.clone(),
        "/api/v1/community/reports/expert_visits",
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        rows(&r, "visits_by_year"),
        [
            ("2026".to_owned(), vec![1, 1]),
            ("2025".to_owned(), vec![1, 1])
        ]
    );
    assert_eq!(
        rows(&r, "visits_by_field"),
        [
            ("medicine".to_owned(), vec![1, 1]),
            ("other".to_owned(), vec![1, 1])
        ]
    );
    let r: Value = call(
        &app,
        &tok,
        get.clone(),
        "/api/v1/community/reports/event_attendance",
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(rows(&r, "by_event"), [(ev.to_string(), vec![2, 1, 1])]);
    assert_eq!(
        r["tables"][0]["rows"][0]["label"],
        "Xuân Quê hương 2027 (24/01/2027)"
    );
    assert_eq!(
        call(
            &app,
            &tok,
            get.clone(),
            "/api/v1/community/reports/astrology",
            None
        )
        .await
        .status(),
        404
    );
    // A mission: its countries' donors, the events held there (none).
    let kr = token(
        &app,
        "daisu.kr",
        Role::Mission,
        vec![Scope::new("country", "KR")],
        &["read"],
    )
    .await;
    let r: Value = call(
        &app,
        &kr,
        get.clone(),
        "/api/v1/community/reports/contributions",
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        rows(&r, "by_country"),
        [("KR".to_owned(), vec![1, 30_000_000])]
    );
    let r: Value = call(
        &app,
        &kr,
        get.clone(),
        "/api/v1/community/reports/event_attendance",
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(rows(&r, "by_event").is_empty(), "{r}");

    // The reports page's section, the xlsx and the docx read back.
    let client = TestApp::new_client();
    assert_eq!(app.sign_in(&client, "sonv", PASSWORD).await.status(), 303);
    let html = client
        .get(app.url("/reports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Báo cáo hợp tác"), "{html}");
    for k in [
        "projects",
        "contributions",
        "expert_visits",
        "event_attendance",
    ] {
        assert!(
            html.contains(&format!("href=\"/reports/cooperation/{k}/export.xlsx\"")),
            "{k}"
        );
        assert!(
            html.contains(&format!("href=\"/reports/cooperation/{k}/export.docx\"")),
            "{k}"
        );
    }
    let r = client
        .get(app.url("/reports/cooperation/contributions/export.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let name = book.sheet_names()[0].clone();
    let sheet = book.worksheet_range(&name).unwrap();
    let cells: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    assert!(
        cells
            .iter()
            .any(|r| r.first().is_some_and(|c| c == "Đóng góp theo quốc gia")),
        "{cells:?}"
    );
    let japan = cells
        .iter()
        .find(|r| r.first().is_some_and(|c| c == "Nhật Bản"))
        .unwrap();
    assert_eq!(
        japan[1..3],
        ["1".to_owned(), "50000000".to_owned()],
        "{cells:?}"
    );
    let scholarship = cells
        .iter()
        .find(|r| r.first().is_some_and(|c| c == "Học bổng"))
        .unwrap();
    assert_eq!(scholarship[2], "80000000");
    let r = client
        .get(app.url("/reports/cooperation/event_attendance/export.docx"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = docx_text(&r.bytes().await.unwrap());
    for want in [
        "BÁO CÁO",
        "Khách mời và tham dự các sự kiện",
        "Xuân Quê hương 2027 (24/01/2027)",
        "Được mời",
        "Nhận lời",
        "Tham dự",
        "Tổng cộng",
    ] {
        assert!(text.contains(want), "{want} in {text}");
    }
    let r = client
        .get(app.url("/reports/cooperation/expert_visits/export.docx"))
        .send()
        .await
        .unwrap();
    let text = docx_text(&r.bytes().await.unwrap());
    assert!(text.contains("Y tế") && text.contains("2026"), "{text}");
    let exports: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'cooperation.report_export'",
    )
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(exports, 3, "each export audited");
}
