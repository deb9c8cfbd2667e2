//! Portal accounts (issue 23 §1): registration that reveals nothing,
//! confirmation and reset links read from a real SMTP server (single use,
//! expiring, stored hashed), sign-in with its own session, rate limits, the
//! outbox without SMTP, and sessions that never cross with staff ones.

use domain::Role;

use super::{PORTAL_PASSWORD, Smtp, post_form, registered, sign_in};
use crate::helpers::{PASSWORD, TestApp};
use crate::{dual, dual_smtp};

dual_smtp!(
    register_confirm_sign_in_and_reset_through_a_real_smtp_server,
    registration_never_reveals_a_known_address,
    links_expire_and_bad_input_names_the_field,
);
dual!(
    without_smtp_messages_go_to_the_outbox_administrators_read,
    portal_and_staff_sessions_never_cross,
    repeated_failed_sign_ins_are_refused_for_a_while,
);

async fn register_confirm_sign_in_and_reset_through_a_real_smtp_server(app: TestApp, smtp: Smtp) {
    let email = "an.nguyen@example.org";
    let c = TestApp::new_client();
    let r = post_form(
        &app,
        &c,
        "/kieu-bao/register",
        "/kieu-bao/register",
        &[
            ("email", "An.Nguyen@Example.org "),
            ("password", PORTAL_PASSWORD),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Vui lòng kiểm tra thư điện tử")
    );
    // The message: Vietnamese (the page's language), plain text and HTML,
    // with the confirmation link in both.
    let mail = smtp.wait_for(email, 1).await.pop().unwrap();
    assert_eq!(mail.subject, "Xác nhận địa chỉ thư điện tử của bạn");
    assert!(mail.text.contains("Kính gửi"), "{}", mail.text);
    let link = mail.link("/kieu-bao/confirm?token=");
    assert!(
        link.starts_with(&app.url("/kieu-bao/confirm?token=")),
        "{link}"
    );
    assert!(
        mail.html.contains(&format!("href=\"{link}\"")),
        "{}",
        mail.html
    );
    let token = link.split("token=").nth(1).unwrap().to_owned();
    // Only the token's hash is stored.
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM portal_tokens")
        .fetch_all(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], token);
    assert_eq!(stored[0], app::accounts::secret::token_hash(&token));
    // Not confirmed yet: no sign-in, and the same words as a wrong password.
    let c2 = TestApp::new_client();
    let r = post_form(
        &app,
        &c2,
        "/kieu-bao/login",
        "/kieu-bao/login",
        &[("email", email), ("password", PORTAL_PASSWORD)],
    )
    .await;
    assert_eq!(r.status(), 401);
    // The link opens a page with a button; the button confirms, once.
    let page = c.get(&link).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("data-testid=\"confirm\""));
    let confirm = |c: reqwest::Client| {
        let app = &app;
        let token = token.clone();
        async move {
            post_form(
                app,
                &c,
                &format!("/kieu-bao/confirm?token={token}"),
                "/kieu-bao/confirm",
                &[("token", &token)],
            )
            .await
            .status()
        }
    };
    assert_eq!(confirm(c.clone()).await, 200);
    assert_eq!(confirm(c.clone()).await, 404, "a link is used once");
    let person = sign_in(&app, email, PORTAL_PASSWORD).await;
    let r = person
        .get(app.url("/kieu-bao/record"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains(email));
    // Forgotten password: a reset link by e-mail; a weak password is
    // refused naming the field; then the old sessions end.
    let r = post_form(
        &app,
        &c,
        "/kieu-bao/forgot",
        "/kieu-bao/forgot",
        &[("email", email)],
    )
    .await;
    assert_eq!(r.status(), 200);
    let mail = smtp.wait_for(email, 2).await.pop().unwrap();
    assert_eq!(mail.subject, "Đặt lại mật khẩu");
    let link = mail.link("/kieu-bao/reset?token=");
    let token = link.split("token=").nth(1).unwrap().to_owned();
    let from = format!("/kieu-bao/reset?token={token}");
    let r = post_form(
        &app,
        &c,
        &from,
        "/kieu-bao/reset",
        &[("token", &token), ("password", "123")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Mật khẩu: Mật khẩu phải có ít nhất 10 ký tự.")
    );
    let r = post_form(
        &app,
        &c,
        &from,
        "/kieu-bao/reset",
        &[("token", &token), ("password", "một mật khẩu mới khá dài")],
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = person
        .get(app.url("/kieu-bao/record"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "the old session ended");
    assert_eq!(r.headers()["location"], "/kieu-bao/login");
    let again = c.get(app.url(&from)).send().await.unwrap();
    assert_eq!(again.status(), 404, "the reset link is used up");
    sign_in(&app, email, "một mật khẩu mới khá dài").await;
    // Every step is in the audit chain.
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'portal.%' ORDER BY id")
            .fetch_all(&app.app.db.pool)
            .await
            .unwrap();
    for a in [
        "portal.register",
        "portal.login_failed",
        "portal.confirm",
        "portal.login",
        "portal.reset_requested",
        "portal.reset",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

async fn registration_never_reveals_a_known_address(app: TestApp, smtp: Smtp) {
    let email = "binh.tran@example.org";
    registered(&app, &smtp, email).await;
    // In English this time: the page says the same as for a new address
    // (apart from nothing), and the owner gets a note instead of a link.
    let answer = |email: &'static str| {
        let app = &app;
        async move {
            let c = TestApp::new_client();
            c.get(app.url("/lang/en")).send().await.unwrap();
            let started = std::time::Instant::now();
            let r = post_form(
                app,
                &c,
                "/kieu-bao/register",
                "/kieu-bao/register",
                &[("email", email), ("password", "another long password 1")],
            )
            .await;
            let status = r.status();
            let body = r.text().await.unwrap();
            (status, body, started.elapsed())
        }
    };
    let (s1, known, t1) = answer("binh.tran@example.org").await;
    let (s2, new, t2) = answer("chi.le@example.org").await;
    assert_eq!((s1, s2), (reqwest::StatusCode::OK, reqwest::StatusCode::OK));
    let main = |b: &str| b[b.find("<main").unwrap()..b.find("</main>").unwrap()].to_owned();
    assert_eq!(main(&known), main(&new));
    assert!(new.contains("Please check your e-mail"));
    // The same timing class: both hash a password and queue a message
    // (loose bound: the point is no SMTP round trip or missing hash on one side).
    let (a, b) = (t1.as_millis(), t2.as_millis());
    assert!(a.max(b) < a.min(b) * 4 + 250, "{a} ms vs {b} ms");
    let note = smtp.wait_for(email, 2).await.pop().unwrap();
    assert_eq!(note.subject, "Có người đăng ký bằng địa chỉ của bạn");
    assert!(note.link("/kieu-bao/forgot").ends_with("/kieu-bao/forgot"));
    let confirm = smtp.wait_for("chi.le@example.org", 1).await.pop().unwrap();
    assert_eq!(
        confirm.subject, "Confirm your e-mail address",
        "in the page's language"
    );
    // The known account's password did not change.
    sign_in(&app, email, PORTAL_PASSWORD).await;
}

async fn links_expire_and_bad_input_names_the_field(app: TestApp, smtp: Smtp) {
    let c = TestApp::new_client();
    let r = post_form(
        &app,
        &c,
        "/kieu-bao/register",
        "/kieu-bao/register",
        &[("email", "không phải địa chỉ"), ("password", "short")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("Thư điện tử: Thư điện tử không hợp lệ."),
        "{body}"
    );
    assert!(
        body.contains("Mật khẩu: Mật khẩu phải có ít nhất 10 ký tự."),
        "{body}"
    );
    // A NUL is refused before any handler.
    let csrf = super::csrf_of(&app, &c, "/kieu-bao/register").await;
    let r = c
        .post(app.url("/kieu-bao/register"))
        .form(&[
            ("email", "a\0@example.org"),
            ("password", PORTAL_PASSWORD),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Without the CSRF token: refused.
    let r = TestApp::new_client()
        .post(app.url("/kieu-bao/register"))
        .form(&[("email", "dung@example.org"), ("password", PORTAL_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // A confirmation link two days and an hour old no longer works.
    let r = post_form(
        &app,
        &c,
        "/kieu-bao/register",
        "/kieu-bao/register",
        &[("email", "dung@example.org"), ("password", PORTAL_PASSWORD)],
    )
    .await;
    assert_eq!(r.status(), 200);
    let mail = smtp.wait_for("dung@example.org", 1).await.pop().unwrap();
    let token = mail
        .link("/kieu-bao/confirm?token=")
        .split("token=")
        .nth(1)
        .unwrap()
        .to_owned();
    app.app.clock.advance(time::Duration::hours(49));
    let r = post_form(
        &app,
        &c,
        &format!("/kieu-bao/confirm?token={token}"),
        "/kieu-bao/confirm",
        &[("token", &token)],
    )
    .await;
    assert_eq!(r.status(), 404);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Đường dẫn không còn dùng được")
    );
    let r = post_form(
        &app,
        &c,
        "/kieu-bao/confirm?token=made-up",
        "/kieu-bao/confirm",
        &[("token", "made-up")],
    )
    .await;
    assert_eq!(r.status(), 404);
}

async fn without_smtp_messages_go_to_the_outbox_administrators_read(app: TestApp) {
    let c = TestApp::new_client();
    let r = post_form(
        &app,
        &c,
        "/kieu-bao/register",
        "/kieu-bao/register",
        &[
            ("email", "em.pham@example.org"),
            ("password", PORTAL_PASSWORD),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    let outbox = app.audit_dir.join("outbox");
    let mut eml = None;
    for _ in 0..100 {
        eml = std::fs::read_dir(&outbox).ok().and_then(|rd| {
            rd.filter_map(Result::ok)
                .find(|e| e.path().extension().is_some_and(|x| x == "eml"))
        });
        if eml.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let raw = std::fs::read_to_string(eml.expect("a message in the outbox").path()).unwrap();
    let mail = super::Mail::parse(&raw);
    assert_eq!(mail.subject, "Xác nhận địa chỉ thư điện tử của bạn");
    assert!(mail.text.contains("/kieu-bao/confirm?token="));
    app.add_user("quantri", Role::Admin, vec![]).await;
    app.add_user("sonv", Role::ProvinceOfficer, vec![]).await;
    let admin = TestApp::new_client();
    app.sign_in(&admin, "quantri", PASSWORD).await;
    let page = admin.get(app.url("/admin/outbox")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Xác nhận địa chỉ thư điện tử của bạn")
            && page.contains("em.pham@example.org")
    );
    let officer = TestApp::new_client();
    app.sign_in(&officer, "sonv", PASSWORD).await;
    let r = officer.get(app.url("/admin/outbox")).send().await.unwrap();
    assert_eq!(r.status(), 403);
}

async fn portal_and_staff_sessions_never_cross(app: TestApp) {
    app.add_user("sonv", Role::ProvinceOfficer, vec![]).await;
    let staff = TestApp::new_client();
    app.sign_in(&staff, "sonv", PASSWORD).await;
    assert_eq!(
        staff.get(app.url("/people")).send().await.unwrap().status(),
        200
    );
    // A staff session is not read on the portal's pages.
    for path in ["/kieu-bao/record", "/kieu-bao/consents", "/kieu-bao/claim"] {
        let r = staff.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "{path}");
        assert_eq!(r.headers()["location"], "/kieu-bao/login", "{path}");
    }
    // A portal session is not read on staff pages (made directly: the
    // address is confirmed by the use case in the other tests).
    let hash = app::accounts::secret::hash_password(PORTAL_PASSWORD).unwrap();
    sqlx::query(
        "INSERT INTO portal_accounts (email, password_hash, created_at, confirmed_at) \
         VALUES ('giang@example.org', $1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    )
    .bind(&hash)
    .execute(&app.app.db.pool)
    .await
    .unwrap();
    let person = sign_in(&app, "giang@example.org", PORTAL_PASSWORD).await;
    for path in [
        "/work",
        "/people",
        "/portal/claims",
        "/admin/outbox",
        "/profile",
    ] {
        let r = person.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "{path}");
        assert_eq!(r.headers()["location"], "/login", "{path}");
    }
    // The portal's idle time-out is its own (15 minutes, staff 30).
    app.app.clock.advance(time::Duration::minutes(16));
    let r = person
        .get(app.url("/kieu-bao/record"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "the portal session ended when idle");
    assert_eq!(
        staff.get(app.url("/people")).send().await.unwrap().status(),
        200
    );
}

async fn repeated_failed_sign_ins_are_refused_for_a_while(app: TestApp) {
    let hash = app::accounts::secret::hash_password(PORTAL_PASSWORD).unwrap();
    sqlx::query(
        "INSERT INTO portal_accounts (email, password_hash, created_at, confirmed_at) \
         VALUES ('hoa@example.org', $1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    )
    .bind(&hash)
    .execute(&app.app.db.pool)
    .await
    .unwrap();
    let c = TestApp::new_client();
    let mut statuses = Vec::new();
    let started = std::time::Instant::now();
    for _ in 0..11 {
        let r = post_form(
            &app,
            &c,
            "/kieu-bao/login",
            "/kieu-bao/login",
            &[
                ("email", "hoa@example.org"),
                ("password", "wrong password here"),
            ],
        )
        .await;
        statuses.push(r.status().as_u16());
    }
    // Failures are delayed more and more, then refused (even with the
    // right password) for a while.
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(statuses[..10], [401; 10]);
    assert_eq!(statuses[10], 429);
    let r = post_form(
        &app,
        &c,
        "/kieu-bao/login",
        "/kieu-bao/login",
        &[("email", "hoa@example.org"), ("password", PORTAL_PASSWORD)],
    )
    .await;
    assert_eq!(r.status(), 429);
}
