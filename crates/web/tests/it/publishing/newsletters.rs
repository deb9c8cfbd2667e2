//! Newsletters (issue 24 §8) on SQLite and PostgreSQL, with a real SMTP
//! server: only people who consented to news receive one (a withdrawal
//! between queueing and sending is honoured), each message's unsubscribe
//! link works without signing in and is recorded as a consent act; editors
//! write, publishers send; bad input is refused naming the field and the
//! desk's form keeps what was typed.

use domain::Role;
use serde_json::json;

use super::content::{call, news, step, user};
use crate::dual_smtp;
use crate::helpers::{PASSWORD, TestApp, extract_csrf};
use crate::portal::{Smtp, post_form, registered};

dual_smtp!(only_consenting_people_receive_it_and_unsubscribe_works);

const SUBJECT: &str = "Bản tin kiều bào Hà Tĩnh tháng 12";

/// Gives (or withdraws) the news consent of a signed-in portal client.
async fn news_consent(app: &TestApp, c: &reqwest::Client, give: bool) {
    let r = post_form(
        app,
        c,
        "/kieu-bao/consents",
        "/kieu-bao/consents",
        &[("purpose", "news"), ("give", if give { "1" } else { "0" })],
    )
    .await;
    assert_eq!(r.status(), 303);
}

/// The newsletter messages `to` received so far.
fn newsletters_to(smtp: &Smtp, to: &str) -> Vec<crate::portal::Mail> {
    smtp.messages()
        .iter()
        .map(|m| crate::portal::Mail::parse(m))
        .filter(|m| m.to.contains(to) && m.subject.contains("Bản tin"))
        .collect()
}

async fn account_id(app: &TestApp, email: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM portal_accounts WHERE email = $1")
        .bind(email)
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap()
}

async fn only_consenting_people_receive_it_and_unsubscribe_works(app: TestApp, smtp: Smtp) {
    let editor = user(&app, "bientap", Role::Editor, vec![]).await;
    let publisher = user(&app, "duyetdang", Role::Publisher, vec![]).await;
    let commune = user(
        &app,
        "canbo.xa",
        Role::CommuneOfficer,
        vec![app::accounts::users::Scope::new(
            "new_commune",
            domain::geo::new_communes_of("42")[0].code,
        )],
    )
    .await;
    // A published item, and a draft.
    let (s, item, _) = call(
        &app,
        &editor,
        reqwest::Method::POST,
        "/api/v1/content",
        Some(news("Xuân quê hương 2027")),
        None,
    )
    .await;
    assert_eq!(s, 201, "{item}");
    let published = item["id"].as_i64().unwrap();
    assert_eq!(step(&app, &publisher, published, 1, "publish").await.0, 200);
    let (_, draft, _) = call(
        &app,
        &editor,
        reqwest::Method::POST,
        "/api/v1/content",
        Some(news("Bản nháp chưa đăng")),
        None,
    )
    .await;
    let draft = draft["id"].as_i64().unwrap();

    // Three people abroad: one consents, one consents and withdraws after
    // the newsletter is queued, one never consents.
    let yes = registered(&app, &smtp, "dong.y@example.org").await;
    let later = registered(&app, &smtp, "rut.lai@example.org").await;
    let _never = registered(&app, &smtp, "khong@example.org").await;
    news_consent(&app, &yes, true).await;
    news_consent(&app, &later, true).await;

    // Refusals: a draft item, an unknown field, an empty subject; the
    // commune officer may not write newsletters, the editor may not send.
    let (s, v, _) = call(
        &app,
        &editor,
        reqwest::Method::POST,
        "/api/v1/newsletters",
        Some(json!({"lang": "vi", "subject": SUBJECT, "items": [published, draft]})),
        None,
    )
    .await;
    assert_eq!(s, 422, "{v}");
    assert!(v.to_string().contains("items"), "{v}");
    let (s, _, _) = call(
        &app,
        &editor,
        reqwest::Method::POST,
        "/api/v1/newsletters",
        Some(json!({"lang": "vi", "subject": SUBJECT, "items": [published], "to": "all"})),
        None,
    )
    .await;
    assert_eq!(s, 422);
    let (s, v, _) = call(
        &app,
        &editor,
        reqwest::Method::POST,
        "/api/v1/newsletters",
        Some(json!({"lang": "fr", "subject": " ", "items": [published]})),
        None,
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        v.to_string().contains("subject") && v.to_string().contains("lang"),
        "{v}"
    );
    let (s, _, _) = call(
        &app,
        &commune,
        reqwest::Method::GET,
        "/api/v1/newsletters",
        None,
        None,
    )
    .await;
    assert_eq!(s, 403);
    // An English newsletter of a Vietnamese-only item is refused.
    let (s, _, _) = call(
        &app,
        &editor,
        reqwest::Method::POST,
        "/api/v1/newsletters",
        Some(json!({"lang": "en", "subject": "News", "items": [published]})),
        None,
    )
    .await;
    assert_eq!(s, 422);

    // The editor writes it; the editor cannot send it; the publisher does.
    let (s, n, h) = call(
        &app,
        &editor,
        reqwest::Method::POST,
        "/api/v1/newsletters",
        Some(json!({"lang": "vi", "subject": SUBJECT, "intro": "Kính gửi bà con.", "items": [published]})),
        None,
    )
    .await;
    assert_eq!(s, 201, "{n}");
    assert_eq!(h["etag"], "\"1\"");
    let id = n["id"].as_i64().unwrap();
    let path = format!("/api/v1/newsletters/{id}/send");
    let (s, _, _) = call(&app, &editor, reqwest::Method::POST, &path, None, Some(1)).await;
    assert_eq!(s, 403);
    let (s, _, _) = call(&app, &publisher, reqwest::Method::POST, &path, None, None).await;
    assert_eq!(s, 428, "If-Match is required");
    let (s, n, _) = call(
        &app,
        &publisher,
        reqwest::Method::POST,
        &path,
        None,
        Some(1),
    )
    .await;
    assert_eq!(s, 200, "{n}");
    assert_eq!(n["progress"]["total"], 2, "two consent now: {n}");
    // Withdrawn at once, before the worker reaches that message.
    app::portal::consents::set(
        &app.app,
        account_id(&app, "rut.lai@example.org").await,
        None,
        "news",
        false,
        "/kieu-bao/consents",
        "127.0.0.1",
    )
    .await
    .unwrap();
    // Sent a second time: refused.
    let (s, _, _) = call(
        &app,
        &publisher,
        reqwest::Method::POST,
        &path,
        None,
        Some(2),
    )
    .await;
    assert_eq!(s, 409);

    let mail = smtp.wait_for("dong.y@example.org", 2).await;
    let mail = mail
        .iter()
        .find(|m| m.subject == SUBJECT)
        .expect("the newsletter reached the consenting person");
    assert!(mail.text.contains("Xuân quê hương 2027"), "{}", mail.text);
    assert!(mail.html.contains("Kính gửi bà con."), "{}", mail.html);
    // Wait for the newsletter to finish, then nobody else got it.
    let mut state = String::new();
    for _ in 0..100 {
        let (_, v, _) = call(
            &app,
            &publisher,
            reqwest::Method::GET,
            &format!("/api/v1/newsletters/{id}"),
            None,
            None,
        )
        .await;
        state = v["state"].as_str().unwrap_or_default().to_owned();
        if state == "sent" {
            assert_eq!(v["progress"]["sent"], 1, "{v}");
            assert_eq!(v["progress"]["skipped"], 1, "{v}");
            assert_eq!(v["progress"]["failed"], 0, "{v}");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(state, "sent");
    assert!(newsletters_to(&smtp, "rut.lai@example.org").is_empty());
    assert!(newsletters_to(&smtp, "khong@example.org").is_empty());
    assert_eq!(newsletters_to(&smtp, "dong.y@example.org").len(), 1);

    // The unsubscribe link works without signing in (a fresh client).
    let link = mail.link("/kieu-bao/unsubscribe/");
    let path = link[link.find("/kieu-bao/").unwrap()..].to_owned();
    let stranger = TestApp::new_client();
    let page = stranger
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("unsubscribe-confirm"), "{page}");
    let csrf = extract_csrf(&page);
    let r = stranger
        .post(app.url(&path))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("bạn sẽ không nhận bản tin nữa")
    );
    let last: (String, String) = sqlx::query_as(
        "SELECT action, page FROM portal_consents WHERE account_id = $1 AND purpose = 'news' \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(account_id(&app, "dong.y@example.org").await)
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(last, ("withdrawn".to_owned(), "newsletter".to_owned()));
    // The same link from the person's own browser, signed in to the portal
    // (the form then carries the portal session's token): said again, it
    // changes nothing and says so.
    let page = yes
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Bạn hiện không nhận bản tin."), "{page}");
    let r = yes
        .post(app.url(&path))
        .form(&[("csrf", extract_csrf(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Without its CSRF token the click is refused; an unknown token is not found.
    let r = TestApp::new_client()
        .post(app.url(&path))
        .form(&[("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = stranger
        .get(app.url("/kieu-bao/unsubscribe/not-a-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // The next newsletter reaches nobody: it is sent at once to no one.
    let (_, n, _) = call(
        &app,
        &editor,
        reqwest::Method::POST,
        "/api/v1/newsletters",
        Some(json!({"lang": "vi", "subject": "Bản tin tháng 1", "items": [published]})),
        None,
    )
    .await;
    let second = n["id"].as_i64().unwrap();
    let (s, n, _) = call(
        &app,
        &publisher,
        reqwest::Method::POST,
        &format!("/api/v1/newsletters/{second}/send"),
        None,
        Some(1),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        (n["state"].as_str(), &n["progress"]["total"]),
        (Some("sent"), &json!(0))
    );

    // The desk's pages, as the publisher: words, not codes; a refused form
    // keeps the subject typed.
    let c = TestApp::new_client();
    app.sign_in(&c, "duyetdang", PASSWORD).await;
    let html = c
        .get(app.url(&format!("/content/newsletters/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Đã gửi xong"), "{html}");
    assert!(html.contains("Bỏ qua (đã rút lại đồng ý)"), "{html}");
    let list = c
        .get(app.url("/content/newsletters"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = extract_csrf(&list);
    let r = c
        .post(app.url("/content/newsletters"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("lang", "vi"),
            ("subject", "Tiêu đề giữ lại"),
            ("intro", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Tiêu đề giữ lại"), "{html}");
    assert!(
        html.contains("Bài đưa vào bản tin: Bắt buộc nhập"),
        "{html}"
    );
}
