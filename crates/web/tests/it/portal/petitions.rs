//! Petitions and feedback (issue 23 §7): a category, a text and a
//! tracking number; the day to answer by in working days of the category
//! (a fixed clock across the weekend and the holidays of late April);
//! officers within reach assign, answer and close; the answer reaches the
//! person on the portal and by e-mail; nobody else reaches it.

use time::macros::datetime;

use super::records::linked;
use super::{Smtp, post_form, registered};
use crate::dual_smtp;
use crate::helpers::TestApp;

dual_smtp!(petitions_are_answered_within_their_category_deadline);

async fn get(c: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = c.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

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
        "/portal/petitions",
        &format!("/portal/petitions/{id}"),
        &[("step", step), ("answer", answer)],
    )
    .await
}

async fn petitions_are_answered_within_their_category_deadline(app: TestApp, smtp: Smtp) {
    let s = linked(&app, &smtp).await;
    let before = smtp.wait_for("nhung@example.org", 2).await.len();
    // Friday 24/4/2026 in Vietnam.
    app.app.clock.set_to(datetime!(2026-04-24 03:00 UTC));
    // Bad input: each field named, the text kept.
    let r = post_form(
        &app,
        &s.person,
        "/kieu-bao/petitions",
        "/kieu-bao/petitions",
        &[
            ("category", ""),
            ("subject", ""),
            ("body", "Nội dung đã gõ"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("Loại: Bắt buộc nhập."), "{page}");
    assert!(page.contains("Tiêu đề: Bắt buộc nhập."));
    assert!(page.contains("Nội dung đã gõ"));
    // A report: 10 working days (27/4, 30/4, 1/5 off): Wed 13/5.
    let r = post_form(
        &app,
        &s.person,
        "/kieu-bao/petitions",
        "/kieu-bao/petitions",
        &[
            ("category", "report"),
            ("subject", "Thủ tục hồ sơ quá lâu"),
            ("body", "Tôi nộp hồ sơ từ tháng trước.\nChưa có trả lời."),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let id: i64 = r.headers()["location"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (_, page) = get(&s.person, &app, &format!("/kieu-bao/petitions/{id}")).await;
    assert!(page.contains(&format!("KN-2026-{id:06}")), "{page}");
    assert!(page.contains("13/05/2026"), "{page}");
    assert!(page.contains("Phản ánh") && page.contains("Đã nhận"));
    // A suggestion: 20 working days: Wed 27/5.
    let r = post_form(
        &app,
        &s.person,
        "/kieu-bao/petitions",
        "/kieu-bao/petitions",
        &[
            ("category", "suggestion"),
            ("subject", "Góp ý"),
            ("body", "Nên có thêm lớp tiếng Việt."),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, list) = get(&s.person, &app, "/kieu-bao/petitions").await;
    assert!(list.contains("27/05/2026"), "{list}");

    // The hometown's officer: the queue, the nearest deadline first.
    let (status, queue) = get(&s.officer, &app, "/portal/petitions").await;
    assert_eq!(status, 200);
    let (a, b) = (
        queue.find("Thủ tục hồ sơ quá lâu").unwrap(),
        queue.find("Góp ý</td>").unwrap(),
    );
    assert!(a < b, "{queue}");
    // Another commune's officer: nothing, and 404 by id.
    let (_, other) = get(&s.other_officer, &app, "/portal/petitions").await;
    assert!(!other.contains("KN-2026-"));
    assert_eq!(
        get(&s.other_officer, &app, &format!("/portal/petitions/{id}"))
            .await
            .0,
        404
    );
    assert_eq!(
        step(&app, &s.other_officer, id, "assign", "")
            .await
            .status(),
        404
    );
    // Past the day: overdue on the queue.
    app.app.clock.advance(time::Duration::days(20));
    let (_, queue) = get(&s.officer, &app, "/portal/petitions").await;
    assert!(queue.contains(&format!(
        "<tr class=\"due-overdue\" data-testid=\"petition-{id}\">"
    )));
    // Assigned, then answered: an empty answer is refused, naming it.
    assert_eq!(step(&app, &s.officer, id, "assign", "").await.status(), 303);
    let r = step(&app, &s.officer, id, "answer", "  ").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Trả lời: Bắt buộc nhập."));
    assert_eq!(
        step(
            &app,
            &s.officer,
            id,
            "answer",
            "Hồ sơ đã được chuyển Công an tỉnh."
        )
        .await
        .status(),
        303
    );
    // The answer by e-mail, and on the portal.
    let mails = smtp.wait_for("nhung@example.org", before + 1).await;
    let m = mails
        .iter()
        .find(|m| m.subject == "Kiến nghị của bạn đã được trả lời")
        .expect("the answer by e-mail");
    assert!(m.text.contains("Hồ sơ đã được chuyển Công an tỉnh."));
    assert!(m.text.contains(&format!("KN-2026-{id:06}")));
    assert!(m.html.contains("Hồ sơ đã được chuyển Công an tỉnh."));
    let (_, page) = get(&s.person, &app, &format!("/kieu-bao/petitions/{id}")).await;
    assert!(page.contains("Đã trả lời") && page.contains("Hồ sơ đã được chuyển Công an tỉnh."));
    // Closed; a second answer is a conflict.
    assert_eq!(step(&app, &s.officer, id, "close", "").await.status(), 303);
    assert_eq!(
        step(&app, &s.officer, id, "answer", "Lần nữa")
            .await
            .status(),
        409
    );
    let (_, page) = get(&s.person, &app, &format!("/kieu-bao/petitions/{id}")).await;
    assert!(page.contains("Đã đóng"));
    // Made into a question and answer (issue 24 §5): the form offers the
    // subject and the answer to rewrite; nothing is made for an officer who
    // cannot read the petition, nor from an empty question; the draft
    // lands on the editorial desk, once.
    let faq_path = format!("/portal/petitions/{id}/faq");
    let (_, page) = get(&s.officer, &app, &format!("/portal/petitions/{id}")).await;
    assert!(page.contains("petition-faq-form"), "{page}");
    let make = |c: &reqwest::Client, q: &'static str| {
        let (app, c, faq_path) = (&app, c.clone(), faq_path.clone());
        async move {
            post_form(
                app,
                &c,
                "/portal/petitions",
                &faq_path,
                &[
                    ("question", q),
                    ("answer", "Liên hệ Sở Ngoại vụ để được hướng dẫn."),
                ],
            )
            .await
        }
    };
    assert_eq!(make(&s.other_officer, "Câu hỏi").await.status(), 404);
    let r = make(&s.officer, " ").await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("Câu hỏi: Bắt buộc nhập."), "{page}");
    assert!(page.contains("Liên hệ Sở Ngoại vụ để được hướng dẫn."));
    let r = make(&s.officer, "Làm thủ tục hồ sơ ở đâu?").await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/content/"), "{to}");
    let item: i64 = to.trim_start_matches("/content/").parse().unwrap();
    let (kind, state, title): (String, String, String) = sqlx::query_as(
        "SELECT c.kind, c.state, t.title FROM content_items c JOIN content_translations t \
         ON t.item_id = c.id AND t.lang = 'vi' WHERE c.id = $1",
    )
    .bind(item)
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        (kind.as_str(), state.as_str(), title.as_str()),
        ("faq", "draft", "Làm thủ tục hồ sơ ở đâu?")
    );
    assert_eq!(make(&s.officer, "Lần hai").await.status(), 409);
    let (_, page) = get(&s.officer, &app, &format!("/portal/petitions/{id}")).await;
    assert!(
        page.contains(&format!("href=\"/content/{item}\"")),
        "{page}"
    );
    // Another person: 404 on the petition, nothing in their list.
    let other = registered(&app, &smtp, "khanh@example.org").await;
    let (status, page) = get(&other, &app, &format!("/kieu-bao/petitions/{id}")).await;
    assert_eq!(status, 404);
    assert!(!page.contains("Thủ tục hồ sơ"));
    let (_, list) = get(&other, &app, "/kieu-bao/petitions").await;
    assert!(!list.contains("KN-2026-"));
    // Every step audited.
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity = 'portal_petition' ORDER BY id",
    )
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap();
    for a in [
        "portal.petition_send",
        "portal.petition_view",
        "portal.petition_assign",
        "portal.petition_answer",
        "portal.petition_close",
        "portal.petition_faq",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a}: {actions:?}");
    }
}
