//! The journey in Chromium: register → confirm by the link the SMTP server
//! received → claim → the commune officer links the record → correct a
//! field → the officer accepts it → give and withdraw a consent → ask for
//! one's data, the officer completes it, download it → send a petition →
//! the officer answers → the answer arrives by e-mail (read from the SMTP
//! server); with screenshots at a desktop's and a phone's width
//! (`KIEUBAO_SCREENSHOT_DIR`).

use app::accounts::users::Scope;
use domain::Role;
use serde_json::json;

use super::Smtp;
use crate::browser::Browser;
use crate::dual_smtp;
use crate::helpers::{PASSWORD, TestApp};
use crate::registry::people::{communes, token};

dual_smtp!(
    a_person_abroad_walks_the_whole_journey_in_chromium,
    unblocking_consent_statistics_and_staff_email_pages_in_chromium,
);

async fn shoot(b: &Browser, app: &TestApp, name: &str) {
    if let Ok(dir) = std::env::var("KIEUBAO_SCREENSHOT_DIR") {
        // Resized, not reloaded: what the page holds stays as it is.
        for (w, h) in [(1366, 900), (390, 844)] {
            b.set_window(w, h).await;
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            std::fs::write(
                std::path::Path::new(&dir).join(format!("portal-{name}-{w}-{:?}.png", app.backend)),
                b.screenshot().await,
            )
            .unwrap();
        }
        b.set_window(1280, 900).await;
    }
}

async fn a_person_abroad_walks_the_whole_journey_in_chromium(app: TestApp, smtp: Smtp) {
    let (c1, _) = communes();
    let province = token(
        &app,
        "sonv",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let r = app
        .client
        .post(app.url("/api/v1/people"))
        .bearer_auth(&province)
        .json(&json!({
            "full_name": "Trần Minh Khoa", "category": "study_abroad", "country": "AU",
            "city_abroad": "Melbourne", "hometown_code": c1, "birth_date": "1998-07-21",
            "gender": "male", "occupation": "Sinh viên",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let pid = r.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    app.add_user(
        "xa1",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c1)],
    )
    .await;

    let b = Browser::start().await;
    let email = "khoa.tran@example.org";
    // Register.
    b.goto(&app.url("/kieu-bao")).await;
    shoot(&b, &app, "landing").await;
    b.click("a[href='/kieu-bao/register']").await;
    b.type_into("input[name=email]", email).await;
    b.type_into("input[name=password]", super::PORTAL_PASSWORD)
        .await;
    shoot(&b, &app, "register").await;
    b.click("button[type=submit]").await;
    b.wait_text("[data-testid=notice]", |t| t.contains("kiểm tra thư"))
        .await;
    // Confirm by the link the SMTP server received.
    let accounts: Vec<String> = sqlx::query_scalar("SELECT email FROM portal_accounts")
        .fetch_all(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        accounts,
        [email],
        "registered: {} {:?}",
        b.url().await,
        b.script("return document.body.innerText").await
    );
    let mail = smtp.wait_for(email, 1).await.pop().unwrap();
    b.goto(&mail.link("/kieu-bao/confirm?token=")).await;
    shoot(&b, &app, "confirm").await;
    b.click("[data-testid=confirm]").await;
    b.wait_text("[data-testid=notice]", |t| t.contains("Đã xác nhận"))
        .await;
    // Sign in and claim.
    b.goto(&app.url("/kieu-bao/login")).await;
    b.type_into("input[name=email]", email).await;
    b.type_into("input[name=password]", super::PORTAL_PASSWORD)
        .await;
    b.click("button[type=submit]").await;
    assert!(b.wait_url("/kieu-bao/record").await);
    b.click("[data-testid=start-claim]").await;
    b.find("input[name=full_name]").await;
    shoot(&b, &app, "claim").await;
    b.type_into("input[name=full_name]", "Trần Minh Khoa").await;
    b.type_into("input[name=birth_date]", "21/07/1998").await;
    b.script(&format!(
        "document.querySelector('[data-testid=new-commune]').value = '{c1}'; \
         document.querySelector('[data-testid=country]').value = 'AU'; return 1"
    ))
    .await;
    b.type_into("input[name=city]", "Melbourne").await;
    b.click("[data-testid=claim-submit]").await;
    let state = b
        .wait_text("[data-testid=claim-state]", |t| t.contains("Đang chờ"))
        .await;
    assert!(!state.contains(&pid.to_string()));
    shoot(&b, &app, "claim-pending").await;
    // The commune officer links the record the engine proposed.
    b.goto(&app.url("/kieu-bao")).await;
    let officer = Browser::start().await;
    officer.sign_in(&app.url(""), "xa1", PASSWORD).await;
    officer.goto(&app.url("/portal/claims")).await;
    officer.click("[data-testid=claims] a").await;
    officer.find(&format!("[data-testid=link-{pid}]")).await;
    shoot(&officer, &app, "officer-claim").await;
    officer.click(&format!("[data-testid=link-{pid}]")).await;
    let status = officer
        .wait_text("[data-testid=claim-status]", |t| t.contains("Đã gắn"))
        .await;
    assert!(status.contains("Đã gắn"), "{status}");
    // The person reads the record and asks for a correction.
    b.goto(&app.url("/kieu-bao/record")).await;
    let record = b
        .wait_text("[data-testid=own-record]", |t| t.contains("Melbourne"))
        .await;
    assert!(
        record.contains("Sinh viên") && record.contains("21/07/1998"),
        "{record}"
    );
    shoot(&b, &app, "record").await;
    b.click("[data-testid=correct]").await;
    b.find("input[name=occupation]").await;
    shoot(&b, &app, "edit").await;
    b.script("const o = document.querySelector('input[name=occupation]'); o.value = ''; return 1")
        .await;
    b.type_into("input[name=occupation]", "Kỹ sư dữ liệu").await;
    b.click("[data-testid=edit-submit]").await;
    b.wait_text("[data-testid=change-pending]", |t| !t.is_empty())
        .await;
    // The officer accepts it.
    officer.goto(&app.url("/portal/claims")).await;
    officer.click("[data-testid=changes] a").await;
    officer.click("[data-testid=accept-occupation]").await;
    shoot(&officer, &app, "officer-change").await;
    officer.click("[data-testid=decide]").await;
    assert!(officer.wait_url("/portal/claims").await);
    b.goto(&app.url("/kieu-bao/record")).await;
    let record = b
        .wait_text("[data-testid=own-record]", |t| t.contains("Kỹ sư dữ liệu"))
        .await;
    assert!(record.contains("Kỹ sư dữ liệu"));
    assert!(
        b.text("[data-testid=decision]")
            .await
            .contains("Đã chấp nhận")
    );
    // Give, then withdraw, a consent.
    b.goto(&app.url("/kieu-bao/consents")).await;
    b.click("[data-testid=tick-news]").await;
    b.click("[data-testid=give-news]").await;
    b.find("[data-testid=withdraw-news]").await;
    shoot(&b, &app, "consents").await;
    b.click("[data-testid=withdraw-news]").await;
    let history = b
        .wait_text("[data-testid=consent-history]", |t| t.contains("Rút lại"))
        .await;
    assert!(
        history.contains("Đồng ý") && history.contains("01/01/2026"),
        "{history}"
    );
    // Ask for one's data (access); the officer completes the request;
    // the person downloads it.
    let downloads = tempfile::tempdir().unwrap();
    b.allow_downloads(downloads.path()).await;
    b.goto(&app.url("/kieu-bao/requests")).await;
    b.click("[data-testid=kind-access]").await;
    b.click("[data-testid=request-submit]").await;
    b.wait_text("[data-testid=request-status]", |t| t.contains("Đã nhận"))
        .await;
    let request_page = b.url().await;
    officer.goto(&app.url("/portal/requests")).await;
    officer.click("[data-testid=request-queue] a").await;
    officer.click("[data-testid=step-complete]").await;
    officer
        .wait_text("[data-testid=request-status]", |t| {
            t.contains("Đã hoàn thành")
        })
        .await;
    b.goto(&request_page).await;
    b.click("[data-testid=download-json]").await;
    let mut data = None;
    for _ in 0..100 {
        if let Some(f) = std::fs::read_dir(downloads.path())
            .unwrap()
            .filter_map(Result::ok)
            .find(|e| e.path().extension().is_some_and(|x| x == "json"))
        {
            data = Some(std::fs::read_to_string(f.path()).unwrap());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let data = data.expect("the data downloaded");
    assert!(
        data.contains("Trần Minh Khoa") && data.contains("Kỹ sư dữ liệu"),
        "{data}"
    );
    // Send a petition; the officer answers it; the answer arrives by e-mail.
    b.goto(&app.url("/kieu-bao/petitions")).await;
    b.script(
        "document.querySelector('[data-testid=petition-category]').value = 'petition'; return 1",
    )
    .await;
    b.type_into("[data-testid=petition-subject]", "Gia hạn hộ chiếu")
        .await;
    b.type_into(
        "[data-testid=petition-body]",
        "Xin hướng dẫn gia hạn hộ chiếu tại Melbourne.",
    )
    .await;
    shoot(&b, &app, "petition").await;
    b.click("[data-testid=petition-submit]").await;
    b.wait_text("[data-testid=petition-status]", |t| t.contains("Đã nhận"))
        .await;
    officer.goto(&app.url("/portal/petitions")).await;
    officer.click("[data-testid=petition-queue] a").await;
    officer
        .type_into(
            "[data-testid=answer-input]",
            "Xin liên hệ Tổng Lãnh sự quán Việt Nam tại Sydney.",
        )
        .await;
    officer.click("[data-testid=step-answer]").await;
    officer
        .wait_text("[data-testid=petition-status]", |t| {
            t.contains("Đã trả lời")
        })
        .await;
    let mut answered = None;
    for _ in 0..150 {
        answered = smtp
            .messages()
            .iter()
            .map(|m| super::Mail::parse(m))
            .find(|m| m.to.contains(email) && m.subject == "Kiến nghị của bạn đã được trả lời");
        if answered.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let answered = answered.expect("the answer by e-mail");
    assert!(
        answered
            .text
            .contains("Xin liên hệ Tổng Lãnh sự quán Việt Nam tại Sydney."),
        "{}",
        answered.text
    );
    // The mail's link leads to the answer.
    b.goto(&answered.link("/kieu-bao/petitions/")).await;
    let answer = b
        .wait_text("[data-testid=answer]", |t| t.contains("Sydney"))
        .await;
    assert!(answer.contains("Tổng Lãnh sự quán"), "{answer}");
    shoot(&b, &app, "petition-answered").await;
    // In English too.
    b.goto(&app.url("/lang/en?next=/kieu-bao/record")).await;
    let record = b.wait_text("h1", |t| t.contains("My record")).await;
    assert_eq!(record, "My record");
    shoot(&b, &app, "record-en").await;
    assert!(
        b.severe_logs().await.is_empty(),
        "{:?}",
        b.severe_logs().await
    );
}

/// The pages of issue 23's last parts in Chromium, with screenshots at both
/// widths: the demo's person blocks the other demo entry and sees it listed
/// to unblock; the consent filter under a report's title; one's address for
/// reminders on the profile and the masked addresses of the accounts page.
async fn unblocking_consent_statistics_and_staff_email_pages_in_chromium(
    app: TestApp,
    _smtp: Smtp,
) {
    app::demo_data::ensure_demo(&app.app, Some(PASSWORD), 150, 7)
        .await
        .unwrap();
    let neighbour: i64 = sqlx::query_scalar(
        "SELECT e.id FROM directory_entries e JOIN portal_accounts a ON a.id = e.account_id \
         WHERE a.email = $1",
    )
    .bind(app::portal::demo::DEMO_NEIGHBOUR)
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    let b = Browser::start().await;
    b.goto(&app.url("/kieu-bao/login")).await;
    b.type_into("input[name=email]", app::portal::demo::DEMO_ACCOUNT)
        .await;
    b.type_into("input[name=password]", PASSWORD).await;
    b.click("button[type=submit]").await;
    assert!(b.wait_url("/kieu-bao/record").await);
    b.goto(&app.url("/kieu-bao/danh-ba")).await;
    assert!(
        b.text("[data-testid=directory-results]")
            .await
            .contains("Chị Lan (demo)")
    );
    shoot(&b, &app, "directory-demo").await;
    b.goto(&app.url(&format!("/kieu-bao/danh-ba/{neighbour}")))
        .await;
    b.click(&format!(
        "form[action='/kieu-bao/danh-ba/{neighbour}/block'] button"
    ))
    .await;
    assert!(b.wait_url("/kieu-bao/danh-ba").await);
    b.goto(&app.url("/kieu-bao/danh-ba/cua-toi")).await;
    assert!(
        b.text("[data-testid=blocked-list]")
            .await
            .contains("Chị Lan (demo)")
    );
    b.script("document.getElementById('blocked').scrollIntoView(); return 1;")
        .await;
    shoot(&b, &app, "directory-blocked").await;
    b.click("[data-testid=blocked-list] button").await;
    assert!(b.wait_url("/kieu-bao/danh-ba/cua-toi#blocked").await);
    b.goto(&app.url("/kieu-bao/danh-ba")).await;
    assert!(
        b.text("[data-testid=directory-results]")
            .await
            .contains("Chị Lan (demo)")
    );

    app.add_user("quantri", Role::Admin, vec![]).await;
    b.sign_in(&app.url(""), "quantri", PASSWORD).await;
    b.goto(&app.url("/profile#mail")).await;
    b.type_into("[data-testid=own-email]", "quantri@example.org")
        .await;
    b.click("#form-email button[type=submit]").await;
    assert!(b.wait_url("/profile/email").await, "the form is answered");
    assert!(
        b.text("main")
            .await
            .contains("Đã lưu địa chỉ nhận thư nhắc việc.")
    );
    shoot(&b, &app, "staff-email").await;
    b.goto(&app.url("/admin/users")).await;
    assert!(
        b.text("[data-testid=email-quantri]")
            .await
            .contains("q•••@example.org")
    );
    shoot(&b, &app, "staff-users").await;
    b.goto(&app.url("/reports?rows=country&consent=news%3Agiven"))
        .await;
    assert!(
        b.text("[data-testid=stats-consent]")
            .await
            .contains("Tin tức và thư mời")
    );
    shoot(&b, &app, "statistics-consent").await;
}
