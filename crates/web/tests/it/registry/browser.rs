//! The officer's registry flow in a real (headless) Chromium: sign in,
//! filter the list by commune, open a record, edit it with a validation
//! error then fix it, see the history, restore a version, soft delete and
//! restore. And the Swagger UI page renders the API under the CSP.

use app::accounts::users::Scope;
use domain::Role;

use crate::browser::Browser;
use crate::dual;
use crate::helpers::{PASSWORD, TestApp};

/// Ctrl+A then the text: replaces a field's value.
fn replace(text: &str) -> String {
    format!("\u{E009}a\u{E000}{text}")
}

async fn no_csp_violations(b: &Browser) {
    let logs = b.severe_logs().await;
    assert!(
        logs.iter().all(|m| !m.contains("Content Security Policy")),
        "CSP violations: {logs:?}"
    );
}

async fn officer_edits_restores_and_deletes_in_the_browser(app: TestApp) {
    let all = domain::geo::new_communes_of("42");
    let (c1, c2, c3) = (all[0].code, all[1].code, all[2].code);
    let prov = app.add_user("tinh", Role::ProvinceOfficer, vec![]).await;
    let prov = app::accounts::users::actor_for(&app.app, prov)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for (name, commune) in [
        ("Nguyễn Thị Lan", c1),
        ("Trần Văn Hùng", c1),
        ("Lê Thị Hoa", c2),
        ("Phạm Văn Xa", c3),
    ] {
        let input = app::registry::people::PersonInput {
            full_name: Some(name.into()),
            category: Some("contract_labour".into()),
            country: Some("JP".into()),
            hometown_code: Some(commune.into()),
            email: Some("lan@example.com".into()),
            ..app::registry::people::PersonInput::default()
        };
        ids.push(
            app::registry::people::create(&app.app, &prov, &input)
                .await
                .unwrap()
                .id,
        );
    }
    app.add_user(
        "canbo.xa",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", c1), Scope::new("new_commune", c2)],
    )
    .await;
    let b = Browser::start().await;
    b.sign_in(&app.url(""), "canbo.xa", PASSWORD).await;
    // The list: three in the officer's communes, two in the first.
    b.goto(&app.url("/people")).await;
    assert!(b.text("[data-testid=people-count]").await.ends_with(": 3"));
    b.type_into("form.filters input[name=commune]", c1).await;
    b.click("form.filters button[type=submit]").await;
    let mut url = b.url().await;
    for _ in 0..50 {
        if url.contains(&format!("commune={c1}")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        url = b.url().await;
    }
    assert!(
        url.contains(&format!("commune={c1}")),
        "the filter is in the URL: {url}"
    );
    assert!(b.text("[data-testid=people-count]").await.ends_with(": 2"));
    // Open a record.
    b.click(&format!("table.people a[href='/people/{}']", ids[0]))
        .await;
    assert_eq!(b.text("[data-testid=person-name]").await, "Nguyễn Thị Lan");
    // Edit with a bad email: the field is named, nothing saved; then fix it.
    b.click(&format!("a[href='/people/{}/edit']", ids[0])).await;
    b.type_into("#f-email", &replace("not an email")).await;
    b.type_into("#f-city_abroad", &replace("Osaka")).await;
    b.click("form.person-form button[type=submit]").await;
    let err = b.text("p.error[data-field=email]").await;
    assert!(!err.is_empty(), "the email field carries its message");
    assert!(!b.text("[data-testid=form-error]").await.is_empty());
    b.type_into("#f-email", &replace("lan.nguyen@example.jp"))
        .await;
    b.click("form.person-form button[type=submit]").await;
    assert!(
        b.wait_url(&format!("/people/{}", ids[0])).await,
        "saved and back on the record: {}",
        b.url().await
    );
    let profile = b.text("dl.profile").await;
    assert!(profile.contains("Osaka") && profile.contains("lan.nguyen@example.jp"));
    // History: two versions; restore the first.
    let history = b.text("#history").await;
    assert!(
        history.contains("canbo.xa") && history.contains("Sửa: Thành phố, Thư điện tử"),
        "{history}"
    );
    b.click("#history form:has(input[name=version][value='1']) button")
        .await;
    let history = b
        .wait_text("#history", |t| t.contains("Khôi phục phiên bản 1"))
        .await;
    assert!(history.contains("Khôi phục phiên bản 1"), "{history}");
    let profile = b.text("dl.profile").await;
    assert!(
        profile.contains("lan@example.com") && !profile.contains("Osaka"),
        "{profile}"
    );
    // Soft delete with a reason, then restore.
    b.type_into("form.delete input[name=reason]", "trùng hồ sơ")
        .await;
    // Deleting asks first, saying which record; cancelling keeps it.
    b.click("form.delete button[type=submit]").await;
    let asked = b.answer_dialog(false).await;
    assert!(
        asked.contains(&format!("Xoá hồ sơ #{} Nguyễn Thị Lan", ids[0]))
            && asked.contains("khôi phục"),
        "{asked}"
    );
    assert!(b.try_text("[data-testid=deleted]").await.is_none());
    b.click("form.delete button[type=submit]").await;
    b.answer_dialog(true).await;
    assert!(
        b.wait_text("[data-testid=deleted]", |t| t.contains("trùng hồ sơ"))
            .await
            .contains("trùng hồ sơ")
    );
    b.click("[data-testid=deleted] button").await;
    // Back to a live record: the deletion notice is gone.
    for _ in 0..100 {
        if b.try_text("[data-testid=deleted]").await.is_none() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(b.try_text("[data-testid=deleted]").await.is_none());
    assert_eq!(b.text("[data-testid=person-name]").await, "Nguyễn Thị Lan");
    let p = app::registry::people::get(&app.app, &prov, ids[0], true)
        .await
        .unwrap();
    assert!(p.deleted_at.is_none());
    assert_eq!(p.data.email, "lan@example.com");
    assert_eq!(p.version, 5, "edit, restore, delete, undelete");
    no_csp_violations(&b).await;
    // The API's Swagger UI renders the document under the same CSP.
    b.goto(&app.url("/api/docs")).await;
    assert!(
        b.text(".swagger-ui .info .title")
            .await
            .contains("Kiều Bào API")
    );
    assert!(b.text(".swagger-ui").await.contains("/api/v1/people"));
    no_csp_violations(&b).await;
}

dual!(officer_edits_restores_and_deletes_in_the_browser);
