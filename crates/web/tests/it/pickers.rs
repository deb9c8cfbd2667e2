//! No form or filter asks for a code (issue 21, pickers): communes old and
//! new by name with their succession, countries and tags in words,
//! households by their head's name, audit actions and account scopes by
//! name; each read back to the stored code.

use crate::dual;
use crate::helpers::{TestApp, extract_csrf};

dual!(the_person_form_speaks_in_names_and_saves_codes);
dual!(pickers_offer_words_that_read_back);
dual!(a_relative_joins_a_household_found_by_its_head);
dual!(filters_take_names_and_the_audit_filter_offers_words);

const PASSWORD: &str = "demo password for the picker test";

async fn signed_in(app: &TestApp, username: &str) -> reqwest::Client {
    let client = TestApp::new_client();
    let r = app.sign_in(&client, username, PASSWORD).await;
    assert!(r.status().is_redirection(), "{username}: {}", r.status());
    client
}

async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = client.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn loc_ha() -> domain::geo::CommuneRef {
    domain::geo::pick::commune_named("Lộc Hà", domain::geo::Era::New, Some("Hà Tĩnh")).unwrap()
}

/// Creates a person through the form, as typed by an official.
async fn create(client: &reqwest::Client, app: &TestApp, fields: &[(&str, &str)]) -> (u16, String) {
    let (_, html) = page(client, app, "/people/new").await;
    let csrf = extract_csrf(&html);
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let r = client
        .post(app.url("/people"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        status,
        if status == 303 {
            location
        } else {
            r.text().await.unwrap()
        },
    )
}

async fn stored(app: &TestApp, id: i64) -> (String, Option<String>, Option<String>, String) {
    let row: (String, Option<String>, Option<String>, String) = sqlx::query_as(
        "SELECT country, hometown_new_code, hometown_legacy_code, tags FROM persons WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    row
}

async fn the_person_form_speaks_in_names_and_saves_codes(app: TestApp) {
    app::demo_data::ensure_demo(&app.app, Some(PASSWORD), 20, 3)
        .await
        .unwrap();
    let client = signed_in(&app, "sonv").await;
    let (_, form) = page(&client, &app, "/people/new").await;
    // Tags are boxes to tick with their names; the old "codes, separated by
    // commas" hints are gone.
    assert!(form.contains("name=\"tag.businessperson\""), "{form}");
    assert!(form.contains("Doanh nhân"));
    assert!(!form.contains("mã 2 chữ") && !form.contains("Mã xã"));

    // Written as an official would: names without marks, a legacy commune by
    // name, a nationality by name, a tag ticked.
    let (status, location) = create(
        &client,
        &app,
        &[
            ("full_name", "Trần Thị Picker"),
            ("category", "study_abroad"),
            ("country", "Nhật Bản"),
            ("hometown_code", "loc ha"),
            ("hometown_legacy_code", "Thạch Kim"),
            ("nationalities", "Việt Nam, Nhật Bản"),
            ("tag.businessperson", "on"),
            ("tag.expert", "on"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{location}");
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let (country, new_code, legacy_code, tags) = stored(&app, id).await;
    assert_eq!(country, "JP");
    assert_eq!(new_code.as_deref(), Some(loc_ha().code()));
    let kim =
        domain::geo::pick::commune_named("Thạch Kim", domain::geo::Era::Legacy, Some("Hà Tĩnh"))
            .unwrap();
    assert_eq!(legacy_code.as_deref(), Some(kim.code()));
    assert!(
        tags.contains("businessperson") && tags.contains("expert"),
        "{tags}"
    );

    // The edit form shows names, never the codes it stores.
    let (_, edit) = page(&client, &app, &format!("/people/{id}/edit")).await;
    let choice = domain::geo::pick::commune_choice(loc_ha(), false);
    assert!(edit.contains(&format!("value=\"{choice}\"")), "{choice}");
    assert!(edit.contains("value=\"Nhật Bản\""));
    assert!(edit.contains("Việt Nam, Nhật Bản"));
    assert!(!edit.contains(&format!("value=\"{}\"", loc_ha().code())));
    assert!(!edit.contains("value=\"JP\""));
    assert!(edit.contains("name=\"tag.businessperson\" checked"));
    assert!(edit.contains("name=\"tag.public_figure\">"));

    // Saved as shown (labels read back), one box unticked: codes unchanged,
    // the tag gone.
    let csrf = extract_csrf(&edit);
    let version: i64 = sqlx::query_scalar("SELECT version FROM persons WHERE id = $1")
        .bind(id)
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    let version = version.to_string();
    let legacy_choice = domain::geo::pick::commune_choice(kim, false);
    let r = client
        .post(app.url(&format!("/people/{id}")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", version.as_str()),
            ("full_name", "Trần Thị Picker"),
            ("category", "study_abroad"),
            ("country", "Nhật Bản"),
            ("hometown_code", choice.as_str()),
            ("hometown_legacy_code", legacy_choice.as_str()),
            ("nationalities", "Việt Nam, Nhật Bản"),
            ("tag.businessperson", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (country, new_code, legacy_code, tags) = stored(&app, id).await;
    assert_eq!(country, "JP");
    assert_eq!(new_code.as_deref(), Some(loc_ha().code()));
    assert_eq!(legacy_code.as_deref(), Some(kim.code()));
    assert!(
        tags.contains("businessperson") && !tags.contains("expert"),
        "{tags}"
    );

    // A commune nobody could mean: the form comes back with what was typed
    // and says so beside the field, in words.
    let (status, html) = create(
        &client,
        &app,
        &[
            ("full_name", "Lê Văn Sai"),
            ("category", "study_abroad"),
            ("country", "Hàn Quốc"),
            ("hometown_code", "Xã Không Có Thật"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("value=\"Xã Không Có Thật\""), "{html}");
    assert!(html.contains("Không tìm thấy xã/phường này"));
    assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"err-hometown_code\""));
}

async fn pickers_offer_words_that_read_back(app: TestApp) {
    app::demo_data::ensure_demo(&app.app, Some(PASSWORD), 5, 3)
        .await
        .unwrap();
    let client = signed_in(&app, "sonv").await;
    // New communes: the label read back on save, with what they were made of.
    let (status, html) = page(
        &client,
        &app,
        "/people/pick/communes?hometown_code=loc%20ha",
    )
    .await;
    assert_eq!(status, 200);
    let choice = domain::geo::pick::commune_choice(loc_ha(), false);
    assert!(
        html.contains(&format!("<option value=\"{choice}\">")),
        "{html}"
    );
    assert!(html.contains("Xã Thạch Kim (cũ)"), "{html}");
    // Legacy communes: where each went.
    let (_, html) = page(&client, &app, "/people/pick/legacy-communes?q=thach%20kim").await;
    assert!(html.contains("(cũ) → Xã Lộc Hà"), "{html}");
    // Districts and countries by name.
    let (_, html) = page(
        &client,
        &app,
        "/people/pick/districts?legacy_district=thach%20ha",
    )
    .await;
    assert!(html.contains("Huyện Thạch Hà, Tỉnh Hà Tĩnh"), "{html}");
    let (_, html) = page(&client, &app, "/people/pick/countries?country=nhat").await;
    assert!(
        html.contains("<option value=\"Nhật Bản\">Japan</option>"),
        "{html}"
    );
    // Every option offered reads back to one commune.
    for v in html_values(&page(&client, &app, "/people/pick/communes?q=thach").await.1) {
        assert!(
            domain::geo::pick::commune_named(&v, domain::geo::Era::New, Some("Hà Tĩnh")).is_ok(),
            "{v}"
        );
    }
    // Signed out: no reference data either.
    let anon = TestApp::new_client();
    let r = anon
        .get(app.url("/people/pick/households?q=nguyen"))
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_redirection() || r.status() == 401,
        "{}",
        r.status()
    );
}

fn html_values(html: &str) -> Vec<String> {
    html.split("<option value=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|s| s.replace("&amp;", "&"))
        .collect()
}

async fn a_relative_joins_a_household_found_by_its_head(app: TestApp) {
    app::demo_data::ensure_demo(&app.app, Some(PASSWORD), 20, 3)
        .await
        .unwrap();
    let client = signed_in(&app, "sonv").await;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM persons ORDER BY id LIMIT 2")
        .fetch_all(&app.app.db.pool)
        .await
        .unwrap();
    let (_, html) = page(&client, &app, &format!("/people/{}", ids[0])).await;
    let csrf = extract_csrf(&html);
    assert!(html.contains("list=\"pick-household\""));
    // A first relative in a new household, its commune typed by name.
    let r = client
        .post(app.url(&format!("/people/{}/relatives", ids[0])))
        .form(&[
            ("csrf", csrf.as_str()),
            ("full_name", "Phạm Văn Hộ"),
            ("relationship", "parent"),
            ("head_name", "Phạm Văn Hộ"),
            ("address", "Xóm Picker"),
            ("commune_code", "Lộc Hà"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (household, commune): (i64, Option<String>) =
        sqlx::query_as("SELECT id, new_commune_code FROM households WHERE address = 'Xóm Picker'")
            .fetch_one(&app.app.db.pool)
            .await
            .unwrap();
    assert_eq!(commune.as_deref(), Some(loc_ha().code()));
    // Found again by the head's name typed without marks.
    let (_, options) = page(
        &client,
        &app,
        "/people/pick/households?near=&household_id=pham%20van%20ho",
    )
    .await;
    let label = html_values(&options)
        .into_iter()
        .find(|v| v.ends_with(&format!("(hộ số {household})")))
        .unwrap_or_else(|| panic!("{options}"));
    assert!(label.starts_with("Phạm Văn Hộ — Xóm Picker"), "{label}");
    // A second person's relative joins it through the picker's label.
    let r = client
        .post(app.url(&format!("/people/{}/relatives", ids[1])))
        .form(&[
            ("csrf", csrf.as_str()),
            ("full_name", "Phạm Thị Con"),
            ("relationship", "sibling"),
            ("household_id", label.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let joined: i64 =
        sqlx::query_scalar("SELECT household_id FROM relatives WHERE full_name = 'Phạm Thị Con'")
            .fetch_one(&app.app.db.pool)
            .await
            .unwrap();
    assert_eq!(joined, household);
    // A name that is no picker's label is refused, in words, the text kept.
    let r = client
        .post(app.url(&format!("/people/{}/relatives", ids[1])))
        .form(&[
            ("csrf", csrf.as_str()),
            ("full_name", "Phạm Thị Khác"),
            ("relationship", "sibling"),
            ("household_id", "nhà ông Hộ"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("value=\"nhà ông Hộ\""), "{html}");
    assert!(html.contains("Hãy chọn hộ trong danh sách gợi ý"));
    // A commune officer elsewhere is offered no household outside their communes.
    let officer = signed_in(&app, "canbo.xa").await;
    let scope: String = sqlx::query_scalar(
        "SELECT s.code FROM user_scopes s JOIN users u ON u.id = s.user_id WHERE u.username = 'canbo.xa'",
    )
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    let (_, options) = page(
        &officer,
        &app,
        "/people/pick/households?household_id=pham%20van%20ho",
    )
    .await;
    if scope != loc_ha().code() {
        assert!(!options.contains("Xóm Picker"), "{options}");
    }
}

async fn filters_take_names_and_the_audit_filter_offers_words(app: TestApp) {
    app::demo_data::ensure_demo(&app.app, Some(PASSWORD), 60, 3)
        .await
        .unwrap();
    let client = signed_in(&app, "sonv").await;
    // The list filtered by a commune's name equals the list by its code.
    let code: String = sqlx::query_scalar(
        "SELECT hometown_new_code FROM persons WHERE hometown_new_code IS NOT NULL \
         GROUP BY hometown_new_code ORDER BY COUNT(*) DESC, hometown_new_code LIMIT 1",
    )
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    let commune = domain::geo::new_commune(&code).unwrap();
    let by_code = page(&client, &app, &format!("/people?commune={code}")).await;
    let choice = domain::geo::pick::commune_choice(domain::geo::CommuneRef::New(commune), false);
    let url = format!("/people?commune={}", urlencode(&choice));
    let by_name = page(&client, &app, &url).await;
    assert_eq!(by_code.0, 200);
    assert_eq!(by_name.0, 200);
    let rows = |h: &str| h.matches("<a href=\"/people/").count();
    assert!(rows(&by_code.1) > 0);
    assert_eq!(rows(&by_code.1), rows(&by_name.1));
    let unknown = page(
        &client,
        &app,
        "/people?legacy_district=Kh%C3%B4ng%20C%C3%B3",
    )
    .await;
    assert_eq!(unknown.0, 422);
    assert!(
        unknown.1.contains("Không tìm thấy xã/phường này"),
        "{}",
        unknown.1
    );

    // The audit log's filter: actions and kinds of record in words.
    let admin = signed_in(&app, "admin").await;
    let (status, html) = page(&admin, &app, "/audit").await;
    assert_eq!(status, 200);
    assert!(html.contains("<select name=\"action\">"), "{html}");
    assert!(html.contains("<option value=\"auth.sign_in\">"), "{html}");
    assert!(html.contains("Hồ sơ kiều bào"));
    assert!(!html.contains("placeholder=\"auth.sign_in\""));
    let (status, html) = page(&admin, &app, "/audit?action=auth.sign_in&entity=user").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<option value=\"auth.sign_in\" selected>"),
        "{html}"
    );
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
