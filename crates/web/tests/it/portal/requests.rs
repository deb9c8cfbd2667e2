//! Data-subject requests (issue 23 §5): deadlines in working days of the
//! province's calendar (a fixed clock across a weekend and holidays), the
//! officers' queue and steps, e-mail to the person, the data downloaded,
//! a deletion that anonymises the record while the statistics and the
//! audit chain hold, and nobody else reaching any of it.

use serde_json::Value;
use time::macros::datetime;

use super::records::{Setup, linked};
use super::{Smtp, post_form, registered};
use crate::dual_smtp;
use crate::helpers::{PASSWORD, TestApp};

dual_smtp!(
    requests_follow_deadlines_across_a_weekend_and_holidays,
    a_deletion_anonymises_the_record_and_keeps_counts_and_the_audit_chain,
    another_person_gets_404_on_every_request_route,
    the_province_keeps_the_calendar_of_days_off,
);

async fn get(c: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = c.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The number shown for a waiting item of the staff home page.
fn waiting(html: &str, href: &str) -> Option<i64> {
    let marker = format!("data-testid=\"{href}\">");
    let i = html.find(&marker)? + marker.len();
    html[i..].split('<').next()?.trim().parse().ok()
}

/// Friday 24 April 2026, 10:00 in Vietnam: the weekend, Monday 27/4 (Giỗ
/// Tổ Hùng Vương made up), Thursday 30/4 and Friday 1/5 are days off.
fn friday_before_the_holidays(app: &TestApp) {
    app.app.clock.set_to(datetime!(2026-04-24 03:00 UTC));
}

/// Opens a request as the person; answers its id.
async fn open(app: &TestApp, s: &Setup, kind: &str, details: &str) -> i64 {
    let r = post_form(
        app,
        &s.person,
        "/kieu-bao/requests",
        "/kieu-bao/requests",
        &[("kind", kind), ("details", details)],
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    to.rsplit('/').next().unwrap().parse().unwrap()
}

/// An officer's step on a request.
async fn step(
    app: &TestApp,
    officer: &reqwest::Client,
    id: i64,
    step: &str,
    answer: &str,
) -> reqwest::Response {
    post_form(
        app,
        officer,
        "/portal/requests",
        &format!("/portal/requests/{id}"),
        &[("step", step), ("answer", answer)],
    )
    .await
}

async fn requests_follow_deadlines_across_a_weekend_and_holidays(app: TestApp, smtp: Smtp) {
    let s = linked(&app, &smtp).await;
    // Confirmation and the claim's decision.
    let person_mails = smtp.wait_for("nhung@example.org", 2).await.len();
    friday_before_the_holidays(&app);

    // Bad input: the field named, what was typed kept.
    let r = post_form(
        &app,
        &s.person,
        "/kieu-bao/requests",
        "/kieu-bao/requests",
        &[("kind", ""), ("details", "chữ đã gõ")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("Loại yêu cầu: Bắt buộc nhập."), "{page}");
    assert!(page.contains("chữ đã gõ"));
    let r = post_form(
        &app,
        &s.person,
        "/kieu-bao/requests",
        "/kieu-bao/requests",
        &[("kind", "objection"), ("details", "  ")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Nội dung: Bắt buộc nhập."));

    // Received on Friday 24/4: acknowledged within 2 working days (Tue 28,
    // Wed 29: Mon 27 is off), completed within 15 (to Wed 20/5: 30/4 and
    // 1/5 off too).
    let id = open(&app, &s, "access", "").await;
    let (status, page) = get(&s.person, &app, &format!("/kieu-bao/requests/{id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("YC-2026-{id:06}")), "{page}");
    assert!(page.contains("29/04/2026"), "{page}");
    assert!(page.contains("20/05/2026"), "{page}");
    assert!(page.contains("91/2025/QH15"));
    assert!(page.contains("Đã nhận"));
    // One open request of a kind at a time.
    let r = post_form(
        &app,
        &s.person,
        "/kieu-bao/requests",
        "/kieu-bao/requests",
        &[("kind", "access"), ("details", "")],
    )
    .await;
    assert_eq!(r.status(), 409);
    // A second kind, whose deadline comes later in the queue? No: the same
    // day, so the same deadlines; the queue holds both, in order.
    let objection = open(&app, &s, "objection", "Không muốn nhận thư mời.").await;

    // The hometown's officer: the queue, near the deadline on Friday.
    let (status, queue) = get(&s.officer, &app, "/portal/requests").await;
    assert_eq!(status, 200);
    assert!(queue.contains(&format!("YC-2026-{id:06}")), "{queue}");
    assert!(queue.contains("Lê Thị Hồng Nhung"));
    assert!(queue.contains("Sắp đến hạn"), "{queue}");
    let (_, home) = get(&s.officer, &app, "/work").await;
    assert_eq!(waiting(&home, "/portal/requests#due"), Some(2), "{home}");
    assert_eq!(waiting(&home, "/portal/requests"), None);
    // Another commune's officer: nothing.
    let (_, other_queue) = get(&s.other_officer, &app, "/portal/requests").await;
    assert!(!other_queue.contains("YC-2026-"));
    assert_eq!(
        get(&s.other_officer, &app, &format!("/portal/requests/{id}"))
            .await
            .0,
        404
    );
    assert_eq!(
        step(&app, &s.other_officer, id, "acknowledge", "")
            .await
            .status(),
        404
    );

    // Thursday 30/4 (a holiday): past the acknowledgement day, overdue,
    // highlighted on the queue and the home page.
    app.app.clock.advance(time::Duration::days(6));
    let (_, queue) = get(&s.officer, &app, "/portal/requests").await;
    assert!(queue.contains("class=\"due-overdue\""), "{queue}");
    assert!(queue.contains("Quá hạn"));
    let (_, home) = get(&s.officer, &app, "/work").await;
    assert_eq!(waiting(&home, "/portal/requests"), Some(2), "{home}");

    // Acknowledged: the person is told, with the completion day.
    assert_eq!(
        step(&app, &s.officer, id, "acknowledge", "").await.status(),
        303
    );
    let mails = smtp.wait_for("nhung@example.org", person_mails + 1).await;
    let m = mails.last().unwrap();
    assert_eq!(
        m.subject,
        "Yêu cầu về dữ liệu cá nhân của bạn đã được tiếp nhận"
    );
    assert!(m.text.contains(&format!("YC-2026-{id:06}")), "{}", m.text);
    assert!(m.text.contains("20/05/2026"), "{}", m.text);
    assert!(m.html.contains("20/05/2026"));
    assert!(m.text.contains(&format!("/kieu-bao/requests/{id}")));
    // Acknowledged, the completion day applies: no longer overdue.
    let (_, queue) = get(&s.officer, &app, "/portal/requests").await;
    assert!(queue.contains(&format!(
        "<tr class=\"due-calm\" data-testid=\"request-{id}\">"
    )));
    // A step twice: a conflict, said in words.
    let r = step(&app, &s.officer, id, "acknowledge", "").await;
    assert_eq!(r.status(), 409);
    // A refusal needs its reason.
    let r = step(&app, &s.officer, objection, "refuse", " ").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Trả lời: Cần ghi lý do"));

    // Completed: the person is told, and downloads their data.
    assert_eq!(step(&app, &s.officer, id, "start", "").await.status(), 303);
    assert_eq!(
        step(&app, &s.officer, id, "complete", "Dữ liệu đã sẵn sàng.")
            .await
            .status(),
        303
    );
    let mails = smtp.wait_for("nhung@example.org", person_mails + 2).await;
    let m = mails.last().unwrap();
    assert_eq!(
        m.subject,
        "Yêu cầu về dữ liệu cá nhân của bạn đã được giải quyết"
    );
    assert!(m.text.contains("Dữ liệu đã sẵn sàng."));
    assert!(m.text.contains("Đã hoàn thành"));
    let (_, page) = get(&s.person, &app, &format!("/kieu-bao/requests/{id}")).await;
    assert!(page.contains("Đã hoàn thành") && page.contains("Dữ liệu đã sẵn sàng."));
    let r = s
        .person
        .get(app.url(&format!("/kieu-bao/requests/{id}/data.json")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let data: Value = r.json().await.unwrap();
    assert_eq!(data["number"], format!("YC-2026-{id:06}"));
    let record = data["record"].as_array().unwrap();
    assert!(record.contains(&serde_json::json!(["full_name", "Lê Thị Hồng Nhung"])));
    assert!(record.contains(&serde_json::json!(["birth_date", "1985-03-12"])));
    // Internal fields are not the person's to read, here either.
    assert!(!data.to_string().contains("Ghi chú nội bộ"));
    let r = s
        .person
        .get(app.url(&format!("/kieu-bao/requests/{id}/data.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    // The objection refused with its reason, which the person reads.
    assert_eq!(
        step(
            &app,
            &s.officer,
            objection,
            "refuse",
            "Thư mời chỉ gửi khi bạn đồng ý."
        )
        .await
        .status(),
        303
    );
    let (_, page) = get(&s.person, &app, &format!("/kieu-bao/requests/{objection}")).await;
    assert!(page.contains("Từ chối") && page.contains("Thư mời chỉ gửi khi bạn đồng ý."));
    // The download of a request that is not a done access request: 404.
    assert_eq!(
        get(
            &s.person,
            &app,
            &format!("/kieu-bao/requests/{objection}/data.json")
        )
        .await
        .0,
        404
    );
    // Every step audited: opened twice, viewed, acknowledged, started,
    // completed, refused, downloaded twice.
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity = 'portal_request' ORDER BY id",
    )
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap();
    for a in [
        "portal.request_open",
        "portal.request_view",
        "portal.request_acknowledge",
        "portal.request_start",
        "portal.request_complete",
        "portal.request_refuse",
        "portal.request_download",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a}: {actions:?}");
    }
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "portal.request_download")
            .count(),
        2
    );
    // Nothing open: the home page shows nothing waiting.
    let (_, home) = get(&s.officer, &app, "/work").await;
    assert_eq!(waiting(&home, "/portal/requests#due"), Some(0), "{home}");
}

/// The figures a deletion must leave as they were.
async fn figures(app: &TestApp, token: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for q in [
        "rows=country&cols=category",
        "rows=commune&cols=gender",
        "rows=age_band&cols=generation",
    ] {
        let r = app
            .client
            .get(app.url(&format!("/api/v1/statistics/pivot?{q}&engine=sql")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        out.push(serde_json::json!([v["total"], v["cells"]]));
    }
    out
}

async fn a_deletion_anonymises_the_record_and_keeps_counts_and_the_audit_chain(
    app: TestApp,
    smtp: Smtp,
) {
    let s = linked(&app, &smtp).await;
    let before = figures(&app, &s.province).await;
    let id = open(&app, &s, "deletion", "").await;
    let (_, page) = get(&s.officer, &app, &format!("/portal/requests/{id}")).await;
    assert!(page.contains("không thể hoàn tác"), "{page}");
    assert_eq!(
        step(&app, &s.officer, id, "complete", "Đã xóa.")
            .await
            .status(),
        303
    );
    // The record: no name, contact or detail left; what is counted stays.
    let row: (
        String,
        String,
        String,
        Option<String>,
        String,
        String,
        String,
    ) = sqlx::query_as(
        "SELECT full_name, phone || email || occupation || notes || city_abroad, country, \
         birth_date, category, gender, COALESCE(hometown_new_code, '') FROM persons WHERE id = $1",
    )
    .bind(s.person_id)
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(row.0, "Ẩn danh");
    assert_eq!(row.1, "");
    assert_eq!(row.2, "JP");
    assert_eq!(row.3.as_deref(), Some("1985"));
    assert_eq!(
        (row.4.as_str(), row.5.as_str()),
        ("foreign_marriage", "female")
    );
    assert_eq!(row.6, s.commune);
    // No earlier version keeps the old values; nor does the claim.
    let versions: Vec<String> =
        sqlx::query_scalar("SELECT data FROM person_versions WHERE person_id = $1")
            .bind(s.person_id)
            .fetch_all(&app.app.db.pool)
            .await
            .unwrap();
    assert_eq!(versions.len(), 1);
    assert!(!versions[0].contains("Nhung") && !versions[0].contains("Osaka"));
    let claims: Vec<String> = sqlx::query_scalar("SELECT full_name || city FROM portal_claims")
        .fetch_all(&app.app.db.pool)
        .await
        .unwrap();
    assert!(claims.iter().all(|c| !c.contains("Nhung")), "{claims:?}");
    // The search no longer finds her.
    let r = app
        .client
        .get(app.url("/api/v1/search?q=Hồng Nhung"))
        .bearer_auth(&s.province)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let found: Value = r.json().await.unwrap();
    let ids: Vec<i64> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert!(!ids.contains(&s.person_id), "{found}");
    // The statistics count her as before; the audit chain still verifies.
    assert_eq!(figures(&app, &s.province).await, before);
    let v = app::audit::verify(&app.app).await.unwrap();
    assert!(
        matches!(v, app::audit::Verification::Intact { .. }),
        "{v:?}"
    );
    let erased: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'person.anonymise' AND entity_id = $1",
    )
    .bind(s.person_id.to_string())
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(erased, 1);
    // The person still signs in and reads the outcome.
    let (_, page) = get(&s.person, &app, &format!("/kieu-bao/requests/{id}")).await;
    assert!(page.contains("Đã hoàn thành") && page.contains("Đã xóa."));
}

async fn another_person_gets_404_on_every_request_route(app: TestApp, smtp: Smtp) {
    let s = linked(&app, &smtp).await;
    let id = open(&app, &s, "access", "").await;
    assert_eq!(
        step(&app, &s.officer, id, "complete", "").await.status(),
        303
    );
    assert_eq!(
        get(
            &s.person,
            &app,
            &format!("/kieu-bao/requests/{id}/data.json")
        )
        .await
        .0,
        200
    );
    let other = registered(&app, &smtp, "khanh@example.org").await;
    // Every portal route with an id, as another person: 404.
    let mut tried = 0;
    for route in web::routes::table() {
        if route.method != "GET" || !route.path.starts_with("/kieu-bao/requests/") {
            continue;
        }
        let path = route.path.replace("{id}", &id.to_string());
        let (status, page) = get(&other, &app, &path).await;
        assert_eq!(status, 404, "{path}");
        assert!(!page.contains("Nhung") && !page.contains(&format!("YC-2026-{id:06}")));
        tried += 1;
    }
    assert_eq!(tried, 3);
    let (_, list) = get(&other, &app, "/kieu-bao/requests").await;
    assert!(!list.contains("YC-"), "{list}");
    // Not linked yet: no request can be sent.
    let r = post_form(
        &app,
        &other,
        "/kieu-bao/requests",
        "/kieu-bao/requests",
        &[("kind", "access"), ("details", "")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/kieu-bao/record");
    let mine: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM portal_requests")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(mine, 1);
    // The officers' pages take no portal session.
    let r = other
        .get(app.url(&format!("/portal/requests/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login");
}

async fn the_province_keeps_the_calendar_of_days_off(app: TestApp, smtp: Smtp) {
    let s = linked(&app, &smtp).await;
    let province = TestApp::new_client();
    app.sign_in(&province, "sonv", PASSWORD).await;
    let (status, page) = get(&province, &app, "/admin/holidays").await;
    assert_eq!(status, 200);
    assert!(page.contains("30/04/2026") && page.contains("Giỗ Tổ Hùng Vương"));
    assert!(page.contains("02/09/2027"));
    // A commune officer does not keep it.
    assert_eq!(get(&s.officer, &app, "/admin/holidays").await.0, 403);
    // A weekend or a bad date: the field named, the text kept.
    for (day, says) in [
        ("25/04/2026", "Ngày nghỉ: Thứ Bảy và Chủ nhật"),
        ("31/02/2026", "Ngày nghỉ: Ngày không hợp lệ"),
    ] {
        let r = post_form(
            &app,
            &province,
            "/admin/holidays",
            "/admin/holidays",
            &[("day", day), ("name", "Ngày của tỉnh")],
        )
        .await;
        assert_eq!(r.status(), 422, "{day}");
        let page = r.text().await.unwrap();
        assert!(page.contains(says), "{day}: {page}");
        assert!(page.contains("Ngày của tỉnh"));
    }
    // A day off of the province's own: deadlines skip it from then on.
    let r = post_form(
        &app,
        &province,
        "/admin/holidays",
        "/admin/holidays",
        &[("day", "28/04/2026"), ("name", "Ngày của tỉnh")],
    )
    .await;
    assert_eq!(r.status(), 303);
    friday_before_the_holidays(&app);
    let id = open(&app, &s, "access", "").await;
    let (_, page) = get(&s.person, &app, &format!("/kieu-bao/requests/{id}")).await;
    // Tue 28 off now: Wed 29 and Mon 4/5.
    assert!(page.contains("04/05/2026"), "{page}");
    let r = post_form(
        &app,
        &province,
        "/admin/holidays",
        "/admin/holidays/remove",
        &[("day", "2026-04-28")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, page) = get(&province, &app, "/admin/holidays").await;
    assert!(!page.contains("28/04/2026"));
    let added: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('holiday.add', 'holiday.remove')",
    )
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(added, 2);
}
