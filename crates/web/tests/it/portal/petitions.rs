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

dual_smtp!(
    petitions_are_answered_within_their_category_deadline,
    petition_files_reach_only_the_sender_and_its_officers_and_forwarding_makes_a_letter,
    petitions_without_an_account_are_registered_once_the_address_is_verified,
    petitions_near_their_deadline_are_flagged_and_overdue_ones_escalated_once,
    reminders_and_escalations_are_emailed_once_to_staff_in_their_language,
);

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

/// A 1×1 PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/// Uploads `data` as `name` to the person's petition `id`.
async fn attach(
    app: &TestApp,
    c: &reqwest::Client,
    id: i64,
    name: &str,
    data: Vec<u8>,
) -> reqwest::Response {
    let csrf = super::csrf_of(app, c, &format!("/kieu-bao/petitions/{id}")).await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(data).file_name(name.to_owned()),
    );
    c.post(app.url(&format!("/kieu-bao/petitions/{id}/files?csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn petition_files_reach_only_the_sender_and_its_officers_and_forwarding_makes_a_letter(
    app: TestApp,
    smtp: Smtp,
) {
    use base64::Engine as _;
    let s = linked(&app, &smtp).await;
    let before = smtp.wait_for("nhung@example.org", 2).await.len();
    // Monday 7/12/2026 in Vietnam.
    app.app.clock.set_to(datetime!(2026-12-07 03:00 UTC));
    let r = post_form(
        &app,
        &s.person,
        "/kieu-bao/petitions",
        "/kieu-bao/petitions",
        &[
            ("category", "petition"),
            ("subject", "Xác nhận nguồn gốc Việt Nam"),
            ("body", "Tôi cần xác nhận để làm hồ sơ."),
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
    // A page of HTML named .pdf, a PDF over the limit, nothing: refused,
    // each naming the field and why.
    let r = attach(
        &app,
        &s.person,
        id,
        "giay-to.pdf",
        b"<html><script>alert(1)</script>".to_vec(),
    )
    .await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Tệp đính kèm: Chỉ nhận tệp PDF, ảnh JPEG hoặc PNG"),
        "{page}"
    );
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(5 * 1024 * 1024 + 1, b' ');
    let r = attach(&app, &s.person, id, "lon.pdf", big).await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Tệp đính kèm: Tệp lớn hơn giới hạn cho phép")
    );
    // A PDF and a PNG (named as a PDF: kept as what it is).
    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    assert_eq!(
        attach(&app, &s.person, id, "Giấy khai sinh.pdf", pdf.clone())
            .await
            .status(),
        303
    );
    let png = base64::engine::general_purpose::STANDARD
        .decode(PNG)
        .unwrap();
    assert_eq!(
        attach(&app, &s.person, id, "anh.pdf", png.clone())
            .await
            .status(),
        303
    );
    let files: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, name, media_type FROM portal_petition_files WHERE petition_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        files
            .iter()
            .map(|(_, n, m)| (n.as_str(), m.as_str()))
            .collect::<Vec<_>>(),
        [
            ("Giấy khai sinh.pdf", "application/pdf"),
            ("anh.png", "image/png")
        ]
    );
    let (pdf_id, png_id) = (files[0].0, files[1].0);
    let (_, page) = get(&s.person, &app, &format!("/kieu-bao/petitions/{id}")).await;
    assert!(
        page.contains("Giấy khai sinh.pdf") && page.contains("anh.png"),
        "{page}"
    );
    // The sender downloads it, as an attachment, byte for byte.
    let r = s
        .person
        .get(app.url(&format!("/kieu-bao/petitions/{id}/files/{pdf_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().as_ref(), pdf.as_slice());
    // Another person, another commune's officer: 404.
    let other = registered(&app, &smtp, "khanh@example.org").await;
    let r = other
        .get(app.url(&format!("/kieu-bao/petitions/{id}/files/{pdf_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = s
        .other_officer
        .get(app.url(&format!("/portal/petitions/{id}/files/{png_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // Not by another petition's address either.
    let r = s
        .person
        .get(app.url(&format!("/kieu-bao/petitions/{}/files/{pdf_id}", id + 1)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // The hometown's officer: listed and downloaded (audited).
    let (_, page) = get(&s.officer, &app, &format!("/portal/petitions/{id}")).await;
    assert!(
        page.contains(&format!("/portal/petitions/{id}/files/{png_id}")),
        "{page}"
    );
    let r = s
        .officer
        .get(app.url(&format!("/portal/petitions/{id}/files/{png_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), png.as_slice());

    // Forwarded to a competent body: the body is required and the typed
    // values come back; then the letter is made and the sender told.
    let fwd = format!("/portal/petitions/{id}/forward");
    let r = post_form(
        &app,
        &s.officer,
        "/portal/petitions",
        &fwd,
        &[
            ("body", " "),
            ("date", "31/02/2026"),
            ("number", "125/SNgV-LS"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("Cơ quan nhận: Bắt buộc nhập."), "{page}");
    assert!(page.contains("Ngày văn bản: Ngày không hợp lệ"), "{page}");
    assert!(page.contains("value=\"125/SNgV-LS\""), "{page}");
    let r = post_form(
        &app,
        &s.other_officer,
        "/portal/petitions",
        &fwd,
        &[("body", "Công an tỉnh Hà Tĩnh")],
    )
    .await;
    assert_eq!(r.status(), 404);
    let r = post_form(
        &app,
        &s.officer,
        "/portal/petitions",
        &fwd,
        &[
            ("body", "Công an tỉnh Hà Tĩnh"),
            ("date", "08/12/2026"),
            ("number", "125/SNgV-LS"),
            ("note", "Kèm theo bản sao giấy tờ người gửi cung cấp."),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, page) = get(&s.officer, &app, &format!("/portal/petitions/{id}")).await;
    assert!(
        page.contains("Công an tỉnh Hà Tĩnh") && page.contains("08/12/2026"),
        "{page}"
    );
    let r = s
        .officer
        .get(app.url(&format!("/portal/petitions/{id}/letter.docx")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let docx = r.bytes().await.unwrap().to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    for want in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Số: 125/SNgV-LS",
        "ngày 08 tháng 12 năm 2026",
        "Kính gửi: Công an tỉnh Hà Tĩnh",
        &format!("KN-2026-{id:06}"),
        "Xác nhận nguồn gốc Việt Nam",
        "Kèm theo bản sao giấy tờ người gửi cung cấp.",
        "Nơi nhận:",
    ] {
        assert!(xml.contains(want), "{want}: {xml}");
    }
    assert_eq!(
        s.other_officer
            .get(app.url(&format!("/portal/petitions/{id}/letter.docx")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // The sender sees where it went, and is told by e-mail.
    let (_, page) = get(&s.person, &app, &format!("/kieu-bao/petitions/{id}")).await;
    assert!(
        page.contains("Đã chuyển cơ quan có thẩm quyền")
            && page.contains("Công an tỉnh Hà Tĩnh")
            && page.contains("08/12/2026"),
        "{page}"
    );
    let mails = smtp.wait_for("nhung@example.org", before + 1).await;
    let m = mails
        .iter()
        .find(|m| m.subject == "Kiến nghị của bạn đã được chuyển cơ quan có thẩm quyền")
        .expect("the forwarding by e-mail");
    assert!(m.text.contains("Công an tỉnh Hà Tĩnh") && m.text.contains("08/12/2026"));
    // Done with: no second forwarding, no more files; it can be closed.
    assert_eq!(
        post_form(
            &app,
            &s.officer,
            "/portal/petitions",
            &fwd,
            &[("body", "UBND tỉnh")]
        )
        .await
        .status(),
        409
    );
    assert_eq!(
        attach(&app, &s.person, id, "them.pdf", pdf).await.status(),
        409
    );
    assert_eq!(step(&app, &s.officer, id, "close", "").await.status(), 303);
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity = 'portal_petition' AND entity_id = $1 ORDER BY id",
    )
    .bind(id.to_string())
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap();
    for a in [
        "portal.petition_file_add",
        "portal.petition_file_view",
        "portal.petition_forward",
        "portal.petition_letter",
        "portal.petition_close",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a}: {actions:?}");
    }
}

async fn petitions_without_an_account_are_registered_once_the_address_is_verified(
    app: TestApp,
    smtp: Smtp,
) {
    use crate::helpers::PASSWORD;
    let email = "than.nhan@example.org";
    let anyone = TestApp::new_client();
    let (status, page) = get(&anyone, &app, "/gop-y").await;
    assert_eq!(status, 200);
    assert!(page.contains("name=\"email\""), "{page}");
    // Bad input: each field named, the typed text kept.
    let r = post_form(
        &app,
        &anyone,
        "/gop-y",
        "/gop-y",
        &[
            ("email", "không phải thư"),
            ("category", "suggestion"),
            ("subject", ""),
            ("body", "Nội dung đã gõ"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Thư điện tử:") && page.contains("Tiêu đề: Bắt buộc nhập."),
        "{page}"
    );
    assert!(page.contains("Nội dung đã gõ"));
    let r = post_form(
        &app,
        &anyone,
        "/gop-y",
        "/gop-y",
        &[
            ("email", email),
            ("category", "suggestion"),
            ("subject", "Lớp tiếng Việt cho trẻ em"),
            ("body", "Đề nghị mở lớp tiếng Việt trực tuyến."),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    // Not registered yet: no number, in nobody's queue.
    let (status, number): (String, Option<String>) =
        sqlx::query_as("SELECT status, number FROM portal_petitions WHERE sender_email = $1")
            .bind(email)
            .fetch_one(&app.app.db.pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), number), ("unverified", None));
    app.add_user("sonv", domain::Role::ProvinceOfficer, vec![])
        .await;
    let officer = TestApp::new_client();
    app.sign_in(&officer, "sonv", PASSWORD).await;
    let (_, queue) = get(&officer, &app, "/portal/petitions").await;
    assert!(!queue.contains("Lớp tiếng Việt"), "{queue}");
    // The link from the SMTP server: a page with a button, then registered.
    let mail = smtp.wait_for(email, 1).await.pop().unwrap();
    assert_eq!(mail.subject, "Xác nhận kiến nghị bạn gửi Sở Ngoại vụ");
    let link = mail.link("/gop-y/xac-nhan?token=");
    let token = link.split("token=").nth(1).unwrap().to_owned();
    let confirm = format!("/gop-y/xac-nhan?token={token}");
    let (status, page) = get(&anyone, &app, &confirm).await;
    assert_eq!(status, 200);
    assert!(page.contains(&token));
    let r = post_form(
        &app,
        &anyone,
        &confirm,
        "/gop-y/xac-nhan",
        &[("token", &token)],
    )
    .await;
    assert_eq!(r.status(), 303);
    let follow = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(follow.starts_with("/gop-y/theo-doi?token="), "{follow}");
    // Used once only.
    let r = post_form(
        &app,
        &anyone,
        &confirm,
        "/gop-y/xac-nhan",
        &[("token", &token)],
    )
    .await;
    assert_eq!(r.status(), 404);
    let r = anyone.get(app.url(&follow)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "private, no-store");
    let page = r.text().await.unwrap();
    let id: i64 = sqlx::query_scalar("SELECT id FROM portal_petitions WHERE sender_email = $1")
        .bind(email)
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    let number = format!("KN-2026-{id:06}");
    assert!(page.contains(&number) && page.contains("Đã nhận"), "{page}");
    // The number and the secret link by e-mail.
    let mails = smtp.wait_for(email, 2).await;
    let registered = mails
        .iter()
        .find(|m| m.subject == "Kiến nghị của bạn đã được tiếp nhận")
        .expect("the secret link by e-mail");
    assert!(registered.text.contains(&number));
    assert!(registered.link("/gop-y/theo-doi?token=").ends_with(&follow));
    // Another token reaches nothing.
    assert_eq!(get(&anyone, &app, "/gop-y/theo-doi?token=abc").await.0, 404);
    assert_eq!(get(&anyone, &app, "/gop-y/theo-doi").await.0, 404);
    // The province's officer has it; the answer reaches the address.
    let (_, queue) = get(&officer, &app, "/portal/petitions").await;
    assert!(queue.contains(&number), "{queue}");
    assert_eq!(
        step(
            &app,
            &officer,
            id,
            "answer",
            "Sở sẽ phối hợp mở lớp từ tháng 3."
        )
        .await
        .status(),
        303
    );
    let mails = smtp.wait_for(email, 3).await;
    let answered = mails
        .iter()
        .find(|m| m.subject == "Kiến nghị của bạn đã được trả lời")
        .expect("the answer by e-mail");
    assert!(answered.text.contains("Sở sẽ phối hợp mở lớp từ tháng 3."));
    let (_, page) = get(&anyone, &app, &follow).await;
    assert!(page.contains("Sở sẽ phối hợp mở lớp từ tháng 3."), "{page}");
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity = 'portal_petition' AND entity_id = $1 ORDER BY id",
    )
    .bind(id.to_string())
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        actions[..2],
        ["portal.petition_guest_send", "portal.petition_verify"]
    );
}

async fn petitions_near_their_deadline_are_flagged_and_overdue_ones_escalated_once(
    app: TestApp,
    smtp: Smtp,
) {
    use crate::helpers::PASSWORD;
    let s = linked(&app, &smtp).await;
    app.add_user("tinh", domain::Role::ProvinceOfficer, vec![])
        .await;
    let province = TestApp::new_client();
    app.sign_in(&province, "tinh", PASSWORD).await;
    // Friday 24/4/2026: a report, to answer by Wednesday 13/5.
    app.app.clock.set_to(datetime!(2026-04-24 03:00 UTC));
    let r = post_form(
        &app,
        &s.person,
        "/kieu-bao/petitions",
        "/kieu-bao/petitions",
        &[
            ("category", "report"),
            ("subject", "Đường về quê bị hỏng"),
            ("body", "Đoạn đường liên xã hỏng nặng."),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM portal_petitions")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    let marks = || async {
        let (reminded, escalated): (Option<String>, Option<String>) =
            sqlx::query_as("SELECT reminded_at, escalated_at FROM portal_petitions WHERE id = $1")
                .bind(id)
                .fetch_one(&app.app.db.pool)
                .await
                .unwrap();
        let audited: Vec<String> = sqlx::query_scalar(
            "SELECT action FROM audit_log WHERE entity = 'portal_petition' AND entity_id = $1 \
             AND action IN ('portal.petition_remind', 'portal.petition_escalate') ORDER BY id",
        )
        .bind(id.to_string())
        .fetch_all(&app.app.db.pool)
        .await
        .unwrap();
        (reminded.is_some(), escalated.is_some(), audited)
    };
    app::portal::petitions::watch(&app.app).await.unwrap();
    assert_eq!(marks().await, (false, false, vec![]));
    // Tuesday 12/5: within two working days of the deadline: reminded, once.
    app.app.clock.set_to(datetime!(2026-05-12 03:00 UTC));
    app::portal::petitions::watch(&app.app).await.unwrap();
    app::portal::petitions::watch(&app.app).await.unwrap();
    assert_eq!(
        marks().await,
        (true, false, vec!["portal.petition_remind".to_owned()])
    );
    let (_, home) = get(&s.officer, &app, "/work").await;
    assert!(
        home.contains(
            "data-testid=\"/portal/petitions\">1</span> <span>kiến nghị sắp đến hạn trả lời"
        ),
        "{home}"
    );
    // Thursday 14/5: overdue, escalated to the province, once.
    app.app.clock.set_to(datetime!(2026-05-14 03:00 UTC));
    app::portal::petitions::watch(&app.app).await.unwrap();
    app::portal::petitions::watch(&app.app).await.unwrap();
    assert_eq!(
        marks().await,
        (
            true,
            true,
            vec![
                "portal.petition_remind".to_owned(),
                "portal.petition_escalate".to_owned()
            ]
        )
    );
    let (_, home) = get(&province, &app, "/work").await;
    assert!(
        home.contains(
            "data-testid=\"/portal/petitions#escalated\">1</span> <span>kiến nghị quá hạn đã báo cáo lên tỉnh"
        ),
        "{home}"
    );
    let (_, home) = get(&s.officer, &app, "/work").await;
    assert!(!home.contains("báo cáo lên tỉnh"), "{home}");
    let (_, page) = get(&province, &app, &format!("/portal/petitions/{id}")).await;
    assert!(page.contains("Quá hạn, đã báo cáo lên Sở"), "{page}");
    // Answered: nothing more to watch.
    assert_eq!(
        step(
            &app,
            &province,
            id,
            "answer",
            "Đã chuyển Sở Giao thông vận tải."
        )
        .await
        .status(),
        303
    );
    let (_, home) = get(&province, &app, "/work").await;
    assert!(!home.contains("báo cáo lên tỉnh"), "{home}");
    // The report: answered after its deadline, so not on time; by the
    // sender's country; within jurisdiction only.
    let (status, page) = get(&province, &app, "/portal/petitions/report").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Phản ánh") && page.contains("Nhật Bản"),
        "{page}"
    );
    assert!(page.contains("<td>Đã trả lời</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0 %</td>"), "{page}");
    let (_, other) = get(&s.other_officer, &app, "/portal/petitions/report").await;
    assert!(!other.contains("Nhật Bản"), "{other}");
    let r = province
        .get(app.url("/portal/petitions/report.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = calamine::Reader::worksheet_range(&mut book, "Kiến nghị").unwrap();
    let cells: Vec<String> = sheet.cells().map(|(_, _, c)| c.to_string()).collect();
    for want in [
        "Theo loại",
        "Phản ánh",
        "Theo quốc gia",
        "Nhật Bản",
        "Tỷ lệ đúng hạn",
        "0 %",
    ] {
        assert!(cells.iter().any(|c| c == want), "{want}: {cells:?}");
    }
}

/// Issue 23 §7: staff accounts give an address (their own profile, or the
/// administrator) and the language of their messages; the watch e-mails a
/// reminder to the assignee near the deadline and the escalation of an
/// overdue petition to the province's officers — through the real SMTP
/// server, each once however many rounds (or servers) run, on a fixed clock.
async fn reminders_and_escalations_are_emailed_once_to_staff_in_their_language(
    app: TestApp,
    smtp: Smtp,
) {
    use crate::helpers::PASSWORD;
    use app::portal::petitions::{notify_due, watch};
    let s = linked(&app, &smtp).await;
    let admin_id = app.add_user("quantri", domain::Role::Admin, vec![]).await;
    let tinh_id = app
        .add_user("tinh", domain::Role::ProvinceOfficer, vec![])
        .await;
    let tinh2_id = app
        .add_user("tinh2", domain::Role::ProvinceOfficer, vec![])
        .await;
    let admin = TestApp::new_client();
    app.sign_in(&admin, "quantri", PASSWORD).await;
    let tinh = TestApp::new_client();
    app.sign_in(&tinh, "tinh", PASSWORD).await;

    // One's own address, on the profile: checked (the field named, the
    // text kept), then saved with the language of the messages.
    let r = post_form(
        &app,
        &tinh,
        "/profile",
        "/profile/email",
        &[("email", "tinh@@example"), ("mail_lang", "en")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Thư điện tử: Thư điện tử không hợp lệ."),
        "{page}"
    );
    assert!(page.contains("value=\"tinh@@example\""), "{page}");
    let r = post_form(
        &app,
        &tinh,
        "/profile",
        "/profile/email",
        &[("email", " Tinh.Officer@Example.org "), ("mail_lang", "en")],
    )
    .await;
    assert_eq!(r.status(), 200);
    let (_, page) = get(&tinh, &app, "/profile").await;
    assert!(
        page.contains("value=\"tinh.officer@example.org\""),
        "{page}"
    );
    let r = post_form(
        &app,
        &s.officer,
        "/profile",
        "/profile/email",
        &[("email", "xa1@example.org"), ("mail_lang", "vi")],
    )
    .await;
    assert_eq!(r.status(), 200);
    // The administrator sets another's, and sees addresses masked only;
    // no one else may.
    let r = post_form(
        &app,
        &admin,
        "/admin/users",
        &format!("/admin/users/{tinh2_id}/email"),
        &[("email", "tinh2@example.org"), ("mail_lang", "vi")],
    )
    .await;
    assert_eq!(r.status(), 200);
    let (_, users) = get(&admin, &app, "/admin/users").await;
    assert!(
        users.contains("data-testid=\"email-tinh\">t•••@example.org")
            && users.contains("data-testid=\"email-tinh2\">t•••@example.org"),
        "{users}"
    );
    assert!(!users.contains("tinh2@example.org") && !users.contains("tinh.officer@"));
    let r = post_form(
        &app,
        &tinh,
        "/profile",
        &format!("/admin/users/{admin_id}/email"),
        &[("email", "x@example.org"), ("mail_lang", "vi")],
    )
    .await;
    assert_eq!(r.status(), 403);
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'user.email_set' AND entity_id IN ($1, $2)",
    )
    .bind(tinh_id.to_string())
    .bind(tinh2_id.to_string())
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(audited, 2);
    // The API tells a token's owner their own address.
    let tok = crate::registry::people::token(
        &app,
        "tinh3",
        domain::Role::ProvinceOfficer,
        vec![],
        &["read"],
    )
    .await;
    let me: serde_json::Value = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], serde_json::Value::Null, "{me}");
    assert_eq!(me["mail_lang"], "vi", "{me}");

    // Friday 24/4/2026: a report to answer by Wednesday 13/5, assigned to
    // the commune's officer.
    app.app.clock.set_to(datetime!(2026-04-24 03:00 UTC));
    let r = post_form(
        &app,
        &s.person,
        "/kieu-bao/petitions",
        "/kieu-bao/petitions",
        &[
            ("category", "report"),
            ("subject", "Đường về quê bị hỏng"),
            ("body", "Đoạn đường liên xã hỏng nặng."),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (id, number): (i64, String) =
        sqlx::query_as("SELECT id, number FROM portal_petitions ORDER BY id DESC LIMIT 1")
            .fetch_one(&app.app.db.pool)
            .await
            .unwrap();
    assert_eq!(step(&app, &s.officer, id, "assign", "").await.status(), 303);
    let mails = web::portal::mail::due_mails(Some(app.url("")));

    // Tuesday 12/5: the reminder, to the assignee only, in Vietnamese,
    // once though two servers' rounds run at the same time and again.
    app.app.clock.set_to(datetime!(2026-05-12 03:00 UTC));
    let (a, b) = tokio::join!(watch(&app.app), watch(&app.app));
    let due: Vec<_> = a.unwrap().into_iter().chain(b.unwrap()).collect();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(
        due[0].to,
        vec![("xa1@example.org".to_owned(), "vi".to_owned())]
    );
    notify_due(&app.app, &due, &mails).await;
    assert!(watch(&app.app).await.unwrap().is_empty());
    let got = smtp.wait_for("xa1@example.org", 1).await;
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.subject, "Nhắc việc: kiến nghị sắp đến hạn trả lời");
    assert!(m.text.starts_with("Kính gửi đồng chí,"), "{}", m.text);
    assert!(
        m.text.contains(&format!("Số kiến nghị: {number}")),
        "{}",
        m.text
    );
    assert!(m.text.contains("Hạn trả lời: 13/05/2026"), "{}", m.text);
    assert!(
        m.link("/portal/petitions/")
            .ends_with(&format!("/portal/petitions/{id}"))
    );
    assert!(m.html.contains("Hạn trả lời: 13/05/2026"), "{}", m.html);
    assert!(
        !m.text.contains("Đoạn đường"),
        "the petition's text stays on the portal"
    );

    // Thursday 14/5: overdue, escalated to the province's officers with an
    // address (each in their language), not to the commune's; once.
    app.app.clock.set_to(datetime!(2026-05-14 03:00 UTC));
    let due = watch(&app.app).await.unwrap();
    assert_eq!(due.len(), 1);
    assert!(due[0].escalated);
    notify_due(&app.app, &due, &mails).await;
    assert!(watch(&app.app).await.unwrap().is_empty());
    let en = smtp.wait_for("tinh.officer@example.org", 1).await;
    assert_eq!(en.len(), 1);
    assert_eq!(
        en[0].subject,
        "An overdue petition was escalated to the department"
    );
    assert!(en[0].text.starts_with("Dear colleague,"), "{}", en[0].text);
    assert!(
        en[0].text.contains("Answer by: 13/05/2026"),
        "{}",
        en[0].text
    );
    let vi = smtp.wait_for("tinh2@example.org", 1).await;
    assert_eq!(vi.len(), 1);
    assert_eq!(vi[0].subject, "Kiến nghị quá hạn đã được báo cáo lên Sở");
    assert_eq!(smtp.wait_for("xa1@example.org", 1).await.len(), 1);
    // An address removed: nothing more is sent there.
    let r = post_form(
        &app,
        &tinh,
        "/profile",
        "/profile/email",
        &[("email", ""), ("mail_lang", "en")],
    )
    .await;
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Đã lưu địa chỉ nhận thư nhắc việc."),
        "{page}"
    );
    let contact =
        app::accounts::users::mail_contact(&app.app, &app::Actor::system("test"), tinh_id)
            .await
            .unwrap();
    assert_eq!(contact.email, None);
    assert_eq!(contact.lang, "en");
}
