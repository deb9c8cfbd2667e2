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
