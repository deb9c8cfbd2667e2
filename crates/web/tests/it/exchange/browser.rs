//! In Chromium: a received file holding every kind of record (an
//! association, a household, a person, a relative, an enterprise, a
//! project) reads in words on the review page — the kind, the
//! relationship, the association's kind, whose relative it is, an
//! enterprise's owner and a project's investor by name, money in its
//! currency, a sector by its name — and an accept of the whole file that one record makes
//! impossible writes nothing and says which line, in words. Screenshots at
//! a desktop's and a phone's width when `KIEUBAO_SCREENSHOT_DIR` is set.

use domain::Role;
use serde_json::json;

use super::files::{accept_all, export_lines, people_of, receive, with_relative_and_association};
use crate::browser::Browser;
use crate::dual;
use crate::helpers::{PASSWORD, TestApp, spawn_app};
use crate::registry::people::token;

dual!(a_received_file_of_every_kind_reads_in_words);

/// Screenshots at both widths; `heading`: scrolled to the first heading
/// of the page holding these words.
async fn shot(b: &Browser, app: &TestApp, name: &str, heading: Option<&str>) {
    let Ok(dir) = std::env::var("KIEUBAO_SCREENSHOT_DIR") else {
        return;
    };
    for (w, h) in [(1366, 900), (390, 844)] {
        b.set_window(w, h).await;
        if let Some(words) = heading {
            b.script(&format!(
                "[...document.querySelectorAll('main h2, main h3')]\
                 .find(h => h.textContent.includes({words:?}))?.scrollIntoView()"
            ))
            .await;
        }
        std::fs::write(
            std::path::Path::new(&dir).join(format!("exchange-{name}-{w}-{:?}.png", app.backend)),
            b.screenshot().await,
        )
        .unwrap();
    }
    b.set_window(1280, 900).await;
}

async fn a_received_file_of_every_kind_reads_in_words(app: TestApp) {
    let s = spawn_app(app.backend).await;
    let tok_s = token(
        &s,
        "ex_bs",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write", "admin"],
    )
    .await;
    let ids = people_of(&s, &tok_s, 1).await;
    with_relative_and_association(&s, &tok_s, ids[0], "Hội đồng hương Hà Tĩnh tại Seoul").await;
    let r = s
        .client
        .post(s.url("/api/v1/enterprises"))
        .bearer_auth(&tok_s)
        .json(
            &json!({"name": "Công ty TNHH Sao Mai", "sector": "10", "parent_country": "KR",
                      "owner_ids": [ids[0]]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let e = r.json::<serde_json::Value>().await.unwrap()["id"].clone();
    let r = s
        .client
        .post(s.url("/api/v1/projects"))
        .bearer_auth(&tok_s)
        .json(&json!({"name": "Khu nghỉ dưỡng Thiên Cầm", "sector": "55",
                      "commune": crate::registry::people::communes().0,
                      "registered_capital": 1_250_050, "currency": "USD", "rate_to_vnd": "25400",
                      "investor_enterprise_ids": [e]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let (text, lines) = export_lines(&s, &tok_s, "").await;
    let mut twin = lines
        .iter()
        .find(|l| l["type"] == "association")
        .unwrap()
        .clone();
    twin["id"] = json!(uuid::Uuid::new_v4().to_string());
    twin["country"] = json!("JP");
    let body = format!("{text}{twin}\n");
    let tok = token(
        &app,
        "ex_br",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let got = receive(&app, &tok, body).await;
    let id = got["id"].as_i64().unwrap();

    let b = Browser::start().await;
    b.sign_in(&app.url(""), "ex_br", PASSWORD).await;
    b.goto(&app.url(&format!("/exchange/imports/{id}"))).await;
    let main = b.text("main").await;
    for words in [
        "Hộ gia đình",
        "Thân nhân",
        "Hội đoàn",
        "Người ở nước ngoài",
        "Thân nhân của: Nguyễn Văn ThửAn",
        "Thuộc hộ: Nguyễn Văn Cả",
        "Cha/mẹ",
        "Hàn Quốc",
        "Doanh nghiệp",
        "Dự án đầu tư",
        "Chủ sở hữu",
        "Nhà đầu tư là doanh nghiệp",
        "Công ty TNHH Sao Mai",
        "12.500,50 USD",
        "Dịch vụ lưu trú",
        "Đề xuất",
        "Chấp nhận tất cả (7)",
    ] {
        assert!(main.contains(words), "{words} on the page: {main}");
    }
    for code in [
        "parent",
        "hometown",
        "household",
        "relative",
        "KR",
        "enterprise",
        "project",
        "proposed",
        "1250050",
        "USD,",
    ] {
        assert!(
            !main.split_whitespace().any(|w| w == code),
            "no code {code}: {main}"
        );
    }
    shot(&b, &app, "review", None).await;
    shot(&b, &app, "review-enterprise", Some("Doanh nghiệp")).await;
    shot(&b, &app, "review-project", Some("Dự án đầu tư")).await;
    b.click("[data-testid=accept-all] button").await;
    let refused = b
        .wait_text("[data-testid=accept-refused]", |t| !t.is_empty())
        .await;
    assert!(refused.contains("Chưa cập nhật hồ sơ nào"), "{refused}");
    assert!(
        refused.contains("Dòng 8 — Tên: Đã có người dùng giá trị này."),
        "{refused}"
    );
    assert!(!refused.contains("lines."), "{refused}");
    shot(&b, &app, "refused", None).await;
    // Nothing was written: the API still has everything to accept.
    let r = accept_all(&app, &tok, id).await;
    assert_eq!(r.status(), 422);
}
