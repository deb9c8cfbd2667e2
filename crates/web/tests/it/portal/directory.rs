//! The directory of people abroad (issue 23 §6) and what withdrawing a
//! consent does (§4): only linked, consenting people search and appear;
//! only the fields each chose are shown and staff-only fields never; relay
//! messages read from the real SMTP server, limited per day; blocks; abuse
//! reports that an officer of the province acts on; withdrawal tasks; the
//! registry's `consent` filter.

use app::accounts::users::Scope;
use domain::Role;
use serde_json::{Value, json};

use super::records::linked;
use super::{Smtp, post_form, registered};
use crate::helpers::{PASSWORD, TestApp};
use crate::registry::people::{communes, token};
use crate::{dual, dual_smtp};

dual!(the_demo_directory_has_entries_of_two_linked_consenting_people);

dual_smtp!(
    the_directory_shows_chosen_fields_to_consenting_people_only,
    withdrawing_a_consent_takes_effect_or_opens_a_task_and_the_registry_filters_on_it,
    statistics_filter_on_consent_alike_in_both_engines_the_api_and_the_exports,
    a_person_sees_whom_they_blocked_and_unblocks_only_their_own_block,
);

async fn get(c: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = c.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// A registry person (entered by the province with staff-only fields), a
/// portal account for them, its claim linked by the province's officer.
/// Answers the signed-in client.
async fn person_abroad(
    app: &TestApp,
    smtp: &Smtp,
    api: &str,
    officer: &reqwest::Client,
    record: Value,
    email: &str,
) -> reqwest::Client {
    let r = app
        .client
        .post(app.url("/api/v1/people"))
        .bearer_auth(api)
        .json(&record)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let person_id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let c = registered(app, smtp, email).await;
    let r = post_form(
        app,
        &c,
        "/kieu-bao/claim",
        "/kieu-bao/claim",
        &[
            ("full_name", record["full_name"].as_str().unwrap()),
            ("birth_date", ""),
            ("gender", ""),
            ("hometown_code", record["hometown_code"].as_str().unwrap()),
            ("hometown_legacy_code", ""),
            ("country", record["country"].as_str().unwrap()),
            ("city", ""),
            ("phone", ""),
            ("email", email),
        ],
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let claim: i64 = sqlx::query_scalar("SELECT MAX(id) FROM portal_claims")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    let r = post_form(
        app,
        officer,
        &format!("/portal/claims/{claim}"),
        &format!("/portal/claims/{claim}/link"),
        &[("person_id", &person_id.to_string())],
    )
    .await;
    assert_eq!(r.status(), 303);
    c
}

async fn consent(app: &TestApp, c: &reqwest::Client, purpose: &str, give: bool) {
    let r = post_form(
        app,
        c,
        "/kieu-bao/consents",
        "/kieu-bao/consents",
        &[("purpose", purpose), ("give", if give { "1" } else { "0" })],
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
}

/// Publishes the person's entry showing `show`; answers its id.
async fn publish(
    app: &TestApp,
    c: &reqwest::Client,
    name: &str,
    intro: &str,
    show: &[&str],
) -> i64 {
    let mut form = vec![("display_name", name), ("intro", intro)];
    for s in show {
        form.push(("show", s));
    }
    let r = post_form(
        app,
        c,
        "/kieu-bao/danh-ba/cua-toi",
        "/kieu-bao/danh-ba/cua-toi",
        &form,
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let (_, page) = get(c, app, "/kieu-bao/danh-ba/cua-toi").await;
    let marker = "href=\"/kieu-bao/danh-ba/";
    let i = page.find(marker).expect("the entry's link") + marker.len();
    page[i..].split('"').next().unwrap().parse().unwrap()
}

async fn send(app: &TestApp, c: &reqwest::Client, to: i64, text: &str) -> reqwest::Response {
    // The token from a page the sender always reads (the entry may be
    // out of their sight).
    post_form(
        app,
        c,
        "/kieu-bao/consents",
        &format!("/kieu-bao/danh-ba/{to}/message"),
        &[("message", text)],
    )
    .await
}

async fn the_directory_shows_chosen_fields_to_consenting_people_only(app: TestApp, smtp: Smtp) {
    let (c1, _) = communes();
    let api = token(
        &app,
        "sonv",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    app.add_user("tinh", Role::ProvinceOfficer, vec![]).await;
    let officer = TestApp::new_client();
    app.sign_in(&officer, "tinh", PASSWORD).await;
    let record = |name: &str, country: &str, city: &str, occupation: &str| {
        json!({
            "full_name": name, "category": "contract_labour", "country": country,
            "city_abroad": city, "hometown_code": c1, "occupation": occupation,
            "notes": "Ghi chú nội bộ XYZ", "verification": "police",
            "phone": "+49 170 555 0101", "email": "hoso@example.net",
        })
    };
    let an = person_abroad(
        &app,
        &smtp,
        &api,
        &officer,
        record("Nguyễn Văn An", "DE", "München", "Kỹ sư cơ khí"),
        "an@example.org",
    )
    .await;
    let binh = person_abroad(
        &app,
        &smtp,
        &api,
        &officer,
        record("Trần Thị Bình", "JP", "Osaka", "Điều dưỡng"),
        "binh@example.org",
    )
    .await;
    let chi = person_abroad(
        &app,
        &smtp,
        &api,
        &officer,
        record("Lê Văn Chí", "DE", "Berlin", "Đầu bếp"),
        "chi@example.org",
    )
    .await;

    // Not for anonymous visitors; without the consent, nothing to search
    // and nothing to publish.
    let anonymous = TestApp::new_client();
    let r = anonymous
        .get(app.url("/kieu-bao/danh-ba"))
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 200);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .contains("/kieu-bao/login")
    );
    let (status, page) = get(&an, &app, "/kieu-bao/danh-ba").await;
    assert_eq!(status, 200);
    assert!(page.contains("data-testid=\"directory-closed\""), "{page}");
    let r = post_form(
        &app,
        &chi,
        "/kieu-bao/danh-ba/cua-toi",
        "/kieu-bao/danh-ba/cua-toi",
        &[("display_name", "Chí"), ("show", "name")],
    )
    .await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("data-testid=\"directory-closed\"")
    );
    let entries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM directory_entries")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(entries, 0);

    // An shows name, country, city and occupation; Bình name and country.
    consent(&app, &an, "directory", true).await;
    consent(&app, &binh, "directory", true).await;
    // Nothing is chosen in advance.
    let (_, mine) = get(&an, &app, "/kieu-bao/danh-ba/cua-toi").await;
    assert!(mine.contains("data-testid=\"no-entry\""), "{mine}");
    assert!(!mine.contains(" checked"), "{mine}");
    // A name to show must be typed (the field named, the choice kept).
    let r = post_form(
        &app,
        &an,
        "/kieu-bao/danh-ba/cua-toi",
        "/kieu-bao/danh-ba/cua-toi",
        &[
            ("display_name", " "),
            ("intro", "Xin chào"),
            ("show", "name"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("Tên hiển thị: Bắt buộc nhập."), "{page}");
    assert!(page.contains("Xin chào"));
    let a_id = publish(
        &app,
        &an,
        "Anh An ở Munich",
        "Sang Đức từ năm 2010",
        &["name", "country", "city", "occupation"],
    )
    .await;
    let b_id = publish(&app, &binh, "Chị Bình", "", &["name", "country"]).await;

    // Folded search on what is shown: "Duc" finds Germany, "ky su" the occupation.
    for q in [
        "country=Duc",
        "country=%C4%90%E1%BB%A9c",
        "occupation=ky+su&city=munchen",
    ] {
        let (status, page) = get(&binh, &app, &format!("/kieu-bao/danh-ba?{q}")).await;
        assert_eq!(status, 200);
        assert!(
            page.contains(&format!("data-testid=\"entry-{a_id}\"")),
            "{q}: {page}"
        );
        assert!(!page.contains(&format!("data-testid=\"entry-{b_id}\"")));
    }
    // The hometown and introduction are not shown, so they find nobody.
    let hometown = domain::geo::new_commune(&c1).unwrap().name;
    let (_, page) = get(
        &binh,
        &app,
        &format!("/kieu-bao/danh-ba?hometown={}", hometown.replace(' ', "+")),
    )
    .await;
    assert!(
        page.contains("data-testid=\"directory-total\">Số người tìm thấy: 0"),
        "{page}"
    );
    let (status, page) = get(&binh, &app, &format!("/kieu-bao/danh-ba/{a_id}")).await;
    assert_eq!(status, 200);
    for shown in ["Anh An ở Munich", "Đức", "München", "Kỹ sư cơ khí"] {
        assert!(page.contains(shown), "{shown}: {page}");
    }
    for never in [
        "Nguyễn Văn An",
        "Sang Đức",
        "Ghi chú nội bộ",
        "555 0101",
        "hoso@example.net",
        "an@example.org",
        hometown,
    ] {
        assert!(!page.contains(never), "{never}: {page}");
    }
    // Someone without the consent reads nothing, not even by its number.
    let (status, _) = get(&chi, &app, &format!("/kieu-bao/danh-ba/{a_id}")).await;
    assert_eq!(status, 404);

    // A relay message: by e-mail from the real SMTP server, no address
    // given, a link to answer on the portal.
    let r = send(&app, &binh, a_id, "Chào anh An, em cũng từng ở Đức.").await;
    assert_eq!(r.status(), 303);
    let mails = smtp.wait_for("an@example.org", 3).await;
    let m = mails
        .iter()
        .find(|m| m.subject == "Bạn có lời nhắn qua danh bạ kiều bào")
        .unwrap();
    assert!(
        m.text.contains("Chào anh An, em cũng từng ở Đức."),
        "{}",
        m.text
    );
    assert!(m.text.contains("Chị Bình"), "{}", m.text);
    assert!(
        m.link("/kieu-bao/danh-ba/")
            .ends_with(&format!("/kieu-bao/danh-ba/{b_id}"))
    );
    assert!(!m.text.contains("binh@example.org") && !m.html.contains("binh@example.org"));
    // An empty message names the field; the day's limit (10) holds.
    let r = send(&app, &binh, a_id, "  ").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Lời nhắn: Bắt buộc nhập."));
    for i in 2..=10 {
        let r = send(&app, &binh, a_id, &format!("Lời nhắn số {i}")).await;
        assert_eq!(r.status(), 303, "message {i}");
    }
    let r = send(&app, &binh, a_id, "Lời nhắn số 11").await;
    assert_eq!(r.status(), 429);
    assert!(
        r.text().await.unwrap().contains("Lời nhắn số 11"),
        "the text is kept"
    );

    // An blocks Bình: neither sees the other, no message passes.
    let r = post_form(
        &app,
        &an,
        &format!("/kieu-bao/danh-ba/{b_id}"),
        &format!("/kieu-bao/danh-ba/{b_id}/block"),
        &[],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        get(&binh, &app, &format!("/kieu-bao/danh-ba/{a_id}"))
            .await
            .0,
        404
    );
    assert_eq!(
        get(&an, &app, &format!("/kieu-bao/danh-ba/{b_id}")).await.0,
        404
    );
    let (_, page) = get(&binh, &app, "/kieu-bao/danh-ba").await;
    assert!(!page.contains(&format!("entry-{a_id}\"")), "{page}");
    let (_, page) = get(&an, &app, "/kieu-bao/danh-ba").await;
    assert!(!page.contains(&format!("entry-{b_id}\"")), "{page}");
    let r = send(&app, &binh, a_id, "Vẫn muốn gửi").await;
    assert_eq!(r.status(), 404);

    // Chí consents and reports An; the province's officer hides the entry.
    consent(&app, &chi, "directory", true).await;
    let c_id = publish(&app, &chi, "Chí", "", &["name"]).await;
    let r = post_form(
        &app,
        &chi,
        &format!("/kieu-bao/danh-ba/{a_id}"),
        &format!("/kieu-bao/danh-ba/{a_id}/report"),
        &[("reason", "")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Lý do: Bắt buộc nhập."));
    let r = post_form(
        &app,
        &chi,
        &format!("/kieu-bao/danh-ba/{a_id}"),
        &format!("/kieu-bao/danh-ba/{a_id}/report"),
        &[("reason", "Quảng cáo đa cấp")],
    )
    .await;
    assert_eq!(r.status(), 303);
    app.add_user(
        "xa1",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c1)],
    )
    .await;
    let commune = TestApp::new_client();
    app.sign_in(&commune, "xa1", PASSWORD).await;
    assert_eq!(
        get(&commune, &app, "/portal/directory-reports").await.0,
        403
    );
    let (status, queue) = get(&officer, &app, "/portal/directory-reports").await;
    assert_eq!(status, 200);
    assert!(
        queue.contains("Quảng cáo đa cấp") && queue.contains("Chờ xử lý"),
        "{queue}"
    );
    let report: i64 = sqlx::query_scalar("SELECT MAX(id) FROM directory_reports")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    let r = post_form(
        &app,
        &commune,
        "/work",
        &format!("/portal/directory-reports/{report}"),
        &[("decision", "hide")],
    )
    .await;
    assert_eq!(r.status(), 403);
    let r = post_form(
        &app,
        &officer,
        "/portal/directory-reports",
        &format!("/portal/directory-reports/{report}"),
        &[("decision", "hide")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        get(&chi, &app, &format!("/kieu-bao/danh-ba/{a_id}"))
            .await
            .0,
        404
    );
    let (_, mine) = get(&an, &app, "/kieu-bao/danh-ba/cua-toi").await;
    assert!(mine.contains("data-testid=\"entry-hidden\""), "{mine}");
    let hidden: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'directory.entry_hide'")
            .fetch_one(&app.app.db.pool)
            .await
            .unwrap();
    assert_eq!(hidden, 1);

    // Withdrawing the consent removes the entry at once.
    assert_eq!(
        get(&chi, &app, &format!("/kieu-bao/danh-ba/{b_id}"))
            .await
            .0,
        200
    );
    consent(&app, &binh, "directory", false).await;
    assert_eq!(
        get(&chi, &app, &format!("/kieu-bao/danh-ba/{b_id}"))
            .await
            .0,
        404
    );
    let (_, page) = get(&chi, &app, "/kieu-bao/danh-ba").await;
    assert!(page.contains(&format!("entry-{c_id}\"")), "{page}");
    assert!(!page.contains(&format!("entry-{b_id}\"")), "{page}");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM directory_entries WHERE id = $1")
        .bind(b_id)
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
    let (_, page) = get(&binh, &app, "/kieu-bao/danh-ba").await;
    assert!(page.contains("data-testid=\"directory-closed\""), "{page}");
}

async fn withdrawing_a_consent_takes_effect_or_opens_a_task_and_the_registry_filters_on_it(
    app: TestApp,
    smtp: Smtp,
) {
    let s = linked(&app, &smtp).await;
    // Another record the province entered: no consent act at all.
    let r = app
        .client
        .post(app.url("/api/v1/people"))
        .bearer_auth(&s.province)
        .json(&json!({
            "full_name": "Phạm Văn Đông", "category": "migrant", "country": "US",
            "hometown_code": s.commune,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let staff_entered = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    consent(&app, &s.person, "keep_record", true).await;
    consent(&app, &s.person, "news", true).await;
    consent(&app, &s.person, "national_sharing", true).await;
    let requests = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM portal_requests WHERE kind = 'withdrawal' AND status = 'received'",
        )
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap()
    };
    assert_eq!(requests().await, 0);
    // News: takes effect at once, no task.
    consent(&app, &s.person, "news", false).await;
    assert_eq!(requests().await, 0);
    // Keeping the record: a withdrawal request in the officers' queue, with
    // the deadlines of any request; once only while it is open.
    consent(&app, &s.person, "keep_record", false).await;
    assert_eq!(requests().await, 1);
    consent(&app, &s.person, "keep_record", true).await;
    consent(&app, &s.person, "keep_record", false).await;
    assert_eq!(requests().await, 1);
    consent(&app, &s.person, "national_sharing", false).await;
    assert_eq!(requests().await, 2);
    let (status, queue) = get(&s.officer, &app, "/portal/requests").await;
    assert_eq!(status, 200);
    assert!(
        queue.contains("Rút lại sự đồng ý — Lưu giữ hồ sơ")
            && queue.contains("Rút lại sự đồng ý — Chia sẻ với cơ sở dữ liệu quốc gia"),
        "{queue}"
    );
    let (_, other) = get(&s.other_officer, &app, "/portal/requests").await;
    assert!(!other.contains("Lưu giữ hồ sơ"), "{other}");
    let (_, mine) = get(&s.person, &app, "/kieu-bao/requests").await;
    assert!(mine.contains("Rút lại sự đồng ý — Lưu giữ hồ sơ"), "{mine}");
    let id: i64 =
        sqlx::query_scalar("SELECT id FROM portal_requests WHERE purpose = 'keep_record'")
            .fetch_one(&app.app.db.pool)
            .await
            .unwrap();
    let (_, page) = get(&s.officer, &app, &format!("/portal/requests/{id}")).await;
    assert!(
        page.contains("Mở tự động khi người dùng rút lại sự đồng ý."),
        "{page}"
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'portal.request_open' \
         AND actor_name LIKE 'portal:%'",
    )
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(audited, 2);

    // The registry filters on the consents (the API enumerates the values).
    let ids = |v: Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    let api = |q: &'static str| {
        let c = app.client.clone();
        let url = app.url(&format!("/api/v1/people?{q}"));
        let tok = s.province.clone();
        async move { c.get(url).bearer_auth(tok).send().await.unwrap() }
    };
    let r = api("consent=news:withdrawn").await;
    assert_eq!(r.status(), 200);
    assert_eq!(ids(r.json().await.unwrap()), vec![s.person_id]);
    let r = api("consent=keep_record:withdrawn").await;
    assert_eq!(ids(r.json().await.unwrap()), vec![s.person_id]);
    assert!(ids(api("consent=news:given").await.json().await.unwrap()).is_empty());
    let r = api("consent=directory:none").await;
    let none = ids(r.json().await.unwrap());
    assert!(
        none.contains(&s.person_id) && none.contains(&staff_entered),
        "{none:?}"
    );
    let r = api("consent=news:none").await;
    assert_eq!(ids(r.json().await.unwrap()), vec![staff_entered]);
    let r = api("consent=news:maybe").await;
    assert_eq!(r.status(), 422);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["errors"][0]["field"], "consent");
    let doc = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(doc.contains("national_sharing:withdrawn"), "{doc}");
    // The list page: the filter in words, staff-entered records marked.
    let (status, page) = get(&s.officer, &app, "/people?consent=news%3Anone").await;
    assert_eq!(status, 200);
    assert!(page.contains("Phạm Văn Đông"), "{page}");
    assert!(!page.contains("Lê Thị Hồng Nhung"), "{page}");
    assert!(
        page.contains(&format!(
            "data-testid=\"no-consent-{staff_entered}\">Chưa có đồng ý"
        )),
        "{page}"
    );
    assert!(page.contains("Tin tức và thư mời: chưa có"), "{page}");
    let (_, page) = get(&s.officer, &app, "/people").await;
    assert!(
        !page.contains(&format!("no-consent-{}\"", s.person_id)),
        "{page}"
    );
    let (_, page) = get(&s.officer, &app, &format!("/people/{staff_entered}")).await;
    assert!(page.contains("Chưa có đồng ý"), "{page}");

    // Search, its page and its exports take the same filter.
    let search = |q: String| {
        let c = app.client.clone();
        let url = app.url(&format!("/api/v1/search?{q}"));
        let tok = s.province.clone();
        async move { c.get(url).bearer_auth(tok).send().await.unwrap() }
    };
    let nhung = "q=L%C3%AA%20Th%E1%BB%8B%20H%E1%BB%93ng%20Nhung";
    let dong = "q=Ph%E1%BA%A1m%20V%C4%83n%20%C4%90%C3%B4ng";
    let r = search(format!("{nhung}&consent=news:withdrawn")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(ids(r.json().await.unwrap()), vec![s.person_id]);
    let r = search(format!("{nhung}&consent=news:given")).await;
    assert!(ids(r.json().await.unwrap()).is_empty());
    let r = search(format!("{dong}&consent=news:none")).await;
    assert!(ids(r.json().await.unwrap()).contains(&staff_entered));
    let r = search(format!("{dong}&consent=news:withdrawn")).await;
    assert!(!ids(r.json().await.unwrap()).contains(&staff_entered));
    let r = search(format!("{dong}&consent=news:maybe")).await;
    assert_eq!(r.status(), 422);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["errors"][0]["field"], "consent");
    let (status, csv) = get(
        &s.officer,
        &app,
        &format!("/search/export.csv?{nhung}&consent=news%3Awithdrawn"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(csv.contains("Lê Thị Hồng Nhung"), "{csv}");
    let (_, csv) = get(
        &s.officer,
        &app,
        &format!("/search/export.csv?{nhung}&consent=news%3Agiven"),
    )
    .await;
    assert!(!csv.contains("Lê Thị Hồng Nhung"), "{csv}");
    let (status, page) = get(
        &s.officer,
        &app,
        &format!("/search?{nhung}&consent=news%3Awithdrawn"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("value=\"news:withdrawn\" selected>Tin tức và thư mời: đã rút lại"),
        "{page}"
    );
}

/// Issue 23 §4: "reports and exports can filter on them" — the statistics
/// builder's `consent` filter counts the same people as the people list's,
/// the in-memory columns and the `GROUP BY` agree, the API enumerates the
/// values, and the page and every export say the filter in words.
async fn statistics_filter_on_consent_alike_in_both_engines_the_api_and_the_exports(
    app: TestApp,
    smtp: Smtp,
) {
    use app::stats::{self, Dim, Engine, PivotSpec};
    let s = linked(&app, &smtp).await;
    for (name, country) in [("Phạm Văn Đông", "US"), ("Trần Thị Mai", "JP")] {
        let r = app
            .client
            .post(app.url("/api/v1/people"))
            .bearer_auth(&s.province)
            .json(&json!({
                "full_name": name, "category": "migrant", "country": country,
                "hometown_code": s.commune, "tags": ["expert"],
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }
    consent(&app, &s.person, "news", true).await;
    consent(&app, &s.person, "directory", true).await;
    consent(&app, &s.person, "directory", false).await;

    let province = app::Actor {
        user_id: None,
        username: "system:test".into(),
        role: Role::ProvinceOfficer,
        jurisdiction: app::Jurisdiction::Province,
        ip: String::new(),
        token_scopes: None,
    };
    let everyone = stats::pivot(
        &app.app,
        &province,
        &PivotSpec::new(Dim::Category, None),
        Engine::Sql,
    )
    .await
    .unwrap()
    .total;
    assert!(everyone >= 3, "{everyone}");
    let shapes = [
        (Dim::Category, None),
        (Dim::Country, Some(Dim::Category)),
        (Dim::Tag, Some(Dim::Agency)),
        (Dim::Commune, None),
    ];
    for value in app::registry::people::CONSENT_FILTERS {
        for (rows, cols) in shapes {
            let mut spec = PivotSpec::new(rows, cols);
            spec.consent = Some((*value).to_owned());
            let mem = stats::pivot(&app.app, &province, &spec, Engine::Auto)
                .await
                .unwrap();
            let sql = stats::pivot(&app.app, &province, &spec, Engine::Sql)
                .await
                .unwrap();
            assert_eq!(mem.engine, "memory");
            assert_eq!(
                (&mem.rows, &mem.cols, &mem.cells, &mem.row_totals, mem.total),
                (&sql.rows, &sql.cols, &sql.cells, &sql.row_totals, sql.total),
                "{value}: {spec:?}"
            );
            // The same people as the list's filter.
            let expected = match *value {
                "news:given" | "directory:withdrawn" => 1,
                "news:none" | "directory:none" => everyone - 1,
                v if v.ends_with(":none") => everyone,
                _ => 0,
            };
            assert_eq!(mem.total, expected, "{value}");
        }
    }
    // A consent filter with a past day is refused (acts are not versions).
    let mut spec = PivotSpec::new(Dim::Category, None);
    spec.consent = Some("news:given".into());
    spec.as_of = Some(app::clock::now()[..10].to_owned());
    assert!(matches!(
        stats::pivot(&app.app, &province, &spec, Engine::Auto).await,
        Err(app::AppError::Invalid(_))
    ));

    // The API: the value enumerated in the document, an unknown one refused.
    let api = |q: String| {
        let c = app.client.clone();
        let url = app.url(&format!("/api/v1/statistics/pivot?{q}"));
        let tok = s.province.clone();
        async move { c.get(url).bearer_auth(tok).send().await.unwrap() }
    };
    let r = api("rows=country&consent=news:given".into()).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["spec"]["consent"], "news:given");
    let r = api("rows=country&consent=news:maybe".into()).await;
    assert_eq!(r.status(), 422);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["errors"][0]["field"], "consent", "{b}");
    let day = app::clock::now()[..10].to_owned();
    let r = api(format!("rows=country&consent=news:given&as_of={day}")).await;
    assert_eq!(r.status(), 422);
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let params = doc["paths"]["/api/v1/statistics/pivot"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let consent_param = params.iter().find(|p| p["name"] == "consent").unwrap();
    assert!(
        consent_param.to_string().contains("directory:withdrawn"),
        "{consent_param}"
    );

    // The builder: the choice offered, the filter in words, the figure's
    // link opens the list with the same filter.
    let q = "rows=country&consent=news%3Agiven";
    let (status, page) = get(&s.officer, &app, &format!("/reports?{q}")).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("data-testid=\"stats-consent-filter\""),
        "{page}"
    );
    assert!(
        page.contains("<option value=\"news:given\" selected>Tin tức và thư mời: đã đồng ý"),
        "{page}"
    );
    assert!(
        page.contains("Sự đồng ý: Tin tức và thư mời: đã đồng ý."),
        "{page}"
    );
    assert!(page.contains("consent=news%3Agiven"), "{page}");
    let (status, page) = get(&s.officer, &app, "/reports?rows=country&consent=x").await;
    assert_eq!(status, 422, "{page}");

    // The exports say the filter in words.
    let bytes = |path: String| {
        let c = s.officer.clone();
        let url = app.url(&path);
        async move {
            let r = c.get(url).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.bytes().await.unwrap().to_vec()
        }
    };
    let xlsx = bytes(format!("/reports/export.xlsx?{q}")).await;
    {
        use calamine::{Reader, Xlsx};
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
        let about = book.worksheet_range("Mo ta").unwrap();
        let text: Vec<String> = about
            .rows()
            .flat_map(|r| r.iter().map(ToString::to_string))
            .collect();
        assert!(text.iter().any(|t| t == "Lọc: Sự đồng ý"), "{text:?}");
        assert!(
            text.iter().any(|t| t == "Tin tức và thư mời — đã đồng ý"),
            "{text:?}"
        );
    }
    let docx = bytes(format!("/reports/export.docx?{q}")).await;
    crate::stats::pivots::check_docx_has(
        &docx,
        "Điều kiện lọc: Sự đồng ý: Tin tức và thư mời — đã đồng ý.",
    );
    let pdf = bytes(format!("/reports/export.pdf?{q}")).await;
    let text = crate::stats::pivots::pdf_text(&pdf);
    assert!(
        text.contains("Sự đồng ý: Tin tức và thư mời — đã đồng ý"),
        "{text}"
    );
}

async fn account_of(app: &TestApp, email: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM portal_accounts WHERE email = $1")
        .bind(email)
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap()
}

/// Issue 23 §6: a person sees whom they blocked (by the name the directory
/// shows) and unblocks them (audited); then both see each other and the
/// blocked person writes again. Nobody lifts a block that is not their own.
async fn a_person_sees_whom_they_blocked_and_unblocks_only_their_own_block(
    app: TestApp,
    smtp: Smtp,
) {
    let (c1, _) = communes();
    let api = token(
        &app,
        "sonv",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    app.add_user("tinh", Role::ProvinceOfficer, vec![]).await;
    let officer = TestApp::new_client();
    app.sign_in(&officer, "tinh", PASSWORD).await;
    let record = |name: &str, country: &str| {
        json!({
            "full_name": name, "category": "contract_labour", "country": country,
            "hometown_code": c1,
        })
    };
    let an = person_abroad(
        &app,
        &smtp,
        &api,
        &officer,
        record("Nguyễn Văn An", "DE"),
        "an@example.org",
    )
    .await;
    let binh = person_abroad(
        &app,
        &smtp,
        &api,
        &officer,
        record("Trần Thị Bình", "JP"),
        "binh@example.org",
    )
    .await;
    let chi = person_abroad(
        &app,
        &smtp,
        &api,
        &officer,
        record("Lê Văn Chí", "FR"),
        "chi@example.org",
    )
    .await;
    for c in [&an, &binh, &chi] {
        consent(&app, c, "directory", true).await;
    }
    let a_id = publish(&app, &an, "Anh An", "", &["name", "country"]).await;
    let b_id = publish(&app, &binh, "Chị Bình", "", &["name"]).await;
    let c_id = publish(&app, &chi, "Chí", "", &["country"]).await;
    let (an_acct, binh_acct, chi_acct) = (
        account_of(&app, "an@example.org").await,
        account_of(&app, "binh@example.org").await,
        account_of(&app, "chi@example.org").await,
    );
    let (_, mine) = get(&an, &app, "/kieu-bao/danh-ba/cua-toi").await;
    assert!(!mine.contains("data-testid=\"blocked-list\""), "{mine}");

    // An blocks Bình, and Chí (whose entry shows no name).
    for id in [b_id, c_id] {
        let r = post_form(
            &app,
            &an,
            &format!("/kieu-bao/danh-ba/{id}"),
            &format!("/kieu-bao/danh-ba/{id}/block"),
            &[],
        )
        .await;
        assert_eq!(r.status(), 303);
    }
    assert_eq!(
        get(&binh, &app, &format!("/kieu-bao/danh-ba/{a_id}"))
            .await
            .0,
        404
    );
    let (status, mine) = get(&an, &app, "/kieu-bao/danh-ba/cua-toi").await;
    assert_eq!(status, 200);
    assert!(mine.contains("data-testid=\"blocked-list\""), "{mine}");
    assert!(
        mine.contains(&format!("data-testid=\"blocked-{binh_acct}\">Chị Bình")),
        "{mine}"
    );
    assert!(
        mine.contains(&format!(
            "data-testid=\"blocked-{chi_acct}\">Một thành viên danh bạ"
        )),
        "{mine}"
    );
    // Nothing else of them is shown, and no timestamp as stored.
    assert!(!mine.contains("Trần Thị Bình") && !mine.contains("binh@example.org"));
    let at = mine.split("chặn ngày ").nth(1).unwrap_or_default();
    let day: Vec<char> = at.chars().take(6).collect();
    assert!(
        day.len() == 6 && day[2] == '/' && day[5] == '/',
        "a date as people write it: {mine}"
    );
    // The blocked one sees no list and cannot lift An's block; nor can a
    // third person; an unknown account is not found either.
    let (_, theirs) = get(&binh, &app, "/kieu-bao/danh-ba/cua-toi").await;
    assert!(!theirs.contains("data-testid=\"blocked-list\""), "{theirs}");
    for (who, target) in [
        (&binh, an_acct),
        (&binh, binh_acct),
        (&chi, binh_acct),
        (&an, 999_999),
    ] {
        let r = post_form(
            &app,
            who,
            "/kieu-bao/danh-ba/cua-toi",
            &format!("/kieu-bao/danh-ba/unblock/{target}"),
            &[],
        )
        .await;
        assert_eq!(r.status(), 404, "unblocking {target}");
    }
    assert_eq!(
        get(&binh, &app, &format!("/kieu-bao/danh-ba/{a_id}"))
            .await
            .0,
        404
    );

    // An lifts the block of Bình: audited, both see each other, Bình writes.
    let r = post_form(
        &app,
        &an,
        "/kieu-bao/danh-ba/cua-toi",
        &format!("/kieu-bao/danh-ba/unblock/{binh_acct}"),
        &[],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        "/kieu-bao/danh-ba/cua-toi#blocked"
    );
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT entity_id FROM audit_log WHERE action = 'directory.unblock' \
         AND actor_name LIKE 'portal:%'",
    )
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(audited, vec![binh_acct.to_string()]);
    let (_, mine) = get(&an, &app, "/kieu-bao/danh-ba/cua-toi").await;
    assert!(!mine.contains(&format!("blocked-{binh_acct}\"")), "{mine}");
    assert!(mine.contains(&format!("blocked-{chi_acct}\"")), "{mine}");
    assert_eq!(
        get(&binh, &app, &format!("/kieu-bao/danh-ba/{a_id}"))
            .await
            .0,
        200
    );
    assert_eq!(
        get(&an, &app, &format!("/kieu-bao/danh-ba/{b_id}")).await.0,
        200
    );
    let r = send(&app, &binh, a_id, "Cảm ơn anh đã bỏ chặn.").await;
    assert_eq!(r.status(), 303);
    let mails = smtp.wait_for("an@example.org", 3).await;
    assert!(
        mails
            .iter()
            .any(|m| m.text.contains("Cảm ơn anh đã bỏ chặn.")),
        "the message arrives"
    );
    // Lifting it twice: not found.
    let r = post_form(
        &app,
        &an,
        "/kieu-bao/danh-ba/cua-toi",
        &format!("/kieu-bao/danh-ba/unblock/{binh_acct}"),
        &[],
    )
    .await;
    assert_eq!(r.status(), 404);
    // Chí stays blocked.
    assert_eq!(
        get(&chi, &app, &format!("/kieu-bao/danh-ba/{a_id}"))
            .await
            .0,
        404
    );
}

/// `serve --demo` fills the directory: two linked portal accounts with the
/// directory consent, each with an entry showing fields it chose; each
/// finds the other on the directory page (issue 23 §6).
async fn the_demo_directory_has_entries_of_two_linked_consenting_people(app: TestApp) {
    let password = "demo password for the directory";
    app::demo_data::ensure_demo(&app.app, Some(password), 150, 7)
        .await
        .unwrap();
    let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT e.id, a.email, e.show_name + e.show_country + e.show_city + e.show_hometown \
         + e.show_occupation + e.show_intro, a.person_id FROM directory_entries e \
         JOIN portal_accounts a ON a.id = e.account_id AND a.person_id = e.person_id \
         WHERE (SELECT c.action FROM portal_consents c WHERE c.account_id = a.id \
                AND c.purpose = 'directory' ORDER BY c.id DESC LIMIT 1) = 'given' ORDER BY e.id",
    )
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap();
    assert!(rows.len() >= 2, "{rows:?}");
    assert!(
        rows.iter().all(|r| r.2 > 0),
        "each shows chosen fields: {rows:?}"
    );
    assert_ne!(rows[0].3, rows[1].3, "two records");
    let emails: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    assert!(
        emails.contains(&app::portal::demo::DEMO_ACCOUNT),
        "{emails:?}"
    );
    assert!(
        emails.contains(&app::portal::demo::DEMO_NEIGHBOUR),
        "{emails:?}"
    );
    // Each sees the other's entry on the directory page, not its own.
    for (me, other) in [(0, 1), (1, 0)] {
        let c = super::sign_in(&app, &rows[me].1, password).await;
        let (status, page) = get(&c, &app, "/kieu-bao/danh-ba").await;
        assert_eq!(status, 200);
        assert!(
            page.contains(&format!("data-testid=\"entry-{}\"", rows[other].0)),
            "{page}"
        );
        assert!(page.contains("(demo)"), "{page}");
    }
    // Run twice, nothing more.
    app::demo_data::ensure_demo(&app.app, Some(password), 150, 7)
        .await
        .unwrap();
    let again: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM directory_entries")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(again, i64::try_from(rows.len()).unwrap());
}
