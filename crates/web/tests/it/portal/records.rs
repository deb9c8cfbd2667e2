//! Claims (§2), corrections (§3) and consent (§4) on the portal, the
//! officers' decisions within jurisdiction, and a person who reaches
//! nothing of anyone else's.

use app::accounts::users::Scope;
use domain::Role;
use serde_json::json;

use super::{Smtp, post_form, registered};
use crate::dual_smtp;
use crate::helpers::{PASSWORD, TestApp};
use crate::registry::people::{communes, token};

dual_smtp!(
    claims_are_matched_for_staff_and_decided_by_the_hometown_officer,
    corrections_are_decided_field_by_field_and_the_person_reads_why,
    consents_are_separate_unticked_and_kept_with_proof,
    another_person_reaches_nothing_of_anyone_else,
    relatives_are_corrected_entry_by_entry_like_the_persons_own_fields,
);

pub struct Setup {
    pub person: reqwest::Client,
    pub person_id: i64,
    pub officer: reqwest::Client,
    pub other_officer: reqwest::Client,
    pub commune: String,
    pub province: String,
}

const NAME: &str = "Lê Thị Hồng Nhung";
const EMAIL: &str = "nhung@example.org";

/// A registry person, commune officers of her commune and of another, and
/// her portal account with a claim sent (not yet decided).
async fn claimed(app: &TestApp, smtp: &Smtp) -> (Setup, i64) {
    let (c1, c2) = communes();
    let province = token(
        app,
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
            "full_name": NAME, "category": "foreign_marriage", "country": "JP",
            "city_abroad": "Osaka", "hometown_code": c1, "birth_date": "1985-03-12",
            "gender": "female", "occupation": "Nhân viên văn phòng",
            "notes": "Ghi chú nội bộ XYZ", "verification": "police",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let person_id = r.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    app.add_user(
        "xa1",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c1)],
    )
    .await;
    app.add_user(
        "xa2",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c2)],
    )
    .await;
    let officer = TestApp::new_client();
    app.sign_in(&officer, "xa1", PASSWORD).await;
    let other_officer = TestApp::new_client();
    app.sign_in(&other_officer, "xa2", PASSWORD).await;
    let person = registered(app, smtp, EMAIL).await;
    let r = post_form(
        app,
        &person,
        "/kieu-bao/claim",
        "/kieu-bao/claim",
        &[
            ("full_name", "Lê Thị Hồng Nhung"),
            ("birth_date", "12/03/1985"),
            ("gender", "female"),
            ("hometown_code", &c1),
            ("hometown_legacy_code", ""),
            ("country", "JP"),
            ("city", "Osaka"),
            ("phone", ""),
            ("email", EMAIL),
        ],
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let claim: i64 = sqlx::query_scalar("SELECT MAX(id) FROM portal_claims")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    (
        Setup {
            person,
            person_id,
            officer,
            other_officer,
            commune: c1,
            province,
        },
        claim,
    )
}

/// The same, with the claim linked by the commune officer.
pub async fn linked(app: &TestApp, smtp: &Smtp) -> Setup {
    let (s, claim) = claimed(app, smtp).await;
    let r = post_form(
        app,
        &s.officer,
        &format!("/portal/claims/{claim}"),
        &format!("/portal/claims/{claim}/link"),
        &[("person_id", &s.person_id.to_string())],
    )
    .await;
    assert_eq!(r.status(), 303);
    s
}

async fn text(c: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = c.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn claims_are_matched_for_staff_and_decided_by_the_hometown_officer(
    app: TestApp,
    smtp: Smtp,
) {
    let (s, claim) = claimed(&app, &smtp).await;
    // The person sees what they typed and the state; no candidate.
    let (status, page) = text(&s.person, &app, "/kieu-bao/record").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Đang chờ xem xét") && page.contains("12/03/1985"),
        "{page}"
    );
    assert!(
        !page.contains("/people/") && !page.contains("Khả năng trùng"),
        "{page}"
    );
    // An officer of another commune does not see it (404), an agency may not decide.
    let (_, queue) = text(&s.other_officer, &app, "/portal/claims").await;
    assert!(!queue.contains(NAME));
    let (status, _) = text(&s.other_officer, &app, &format!("/portal/claims/{claim}")).await;
    assert_eq!(status, 404);
    let r = post_form(
        &app,
        &s.other_officer,
        "/portal/claims",
        &format!("/portal/claims/{claim}/link"),
        &[("person_id", &s.person_id.to_string())],
    )
    .await;
    assert_eq!(r.status(), 404);
    app.add_user("congan", Role::Agency, vec![Scope::new("agency", "police")])
        .await;
    let agency = TestApp::new_client();
    app.sign_in(&agency, "congan", PASSWORD).await;
    assert_eq!(text(&agency, &app, "/portal/claims").await.0, 403);
    // The hometown's officer sees the claim with the engine's candidate.
    let (_, queue) = text(&s.officer, &app, "/portal/claims").await;
    assert!(queue.contains(NAME), "{queue}");
    let (status, page) = text(&s.officer, &app, &format!("/portal/claims/{claim}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("data-testid=\"link-{}\"", s.person_id)),
        "{page}"
    );
    // A refusal needs a reason.
    let r = post_form(
        &app,
        &s.officer,
        &format!("/portal/claims/{claim}"),
        &format!("/portal/claims/{claim}/refuse"),
        &[("reason", " ")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Lý do: Bắt buộc nhập."));
    let r = post_form(
        &app,
        &s.officer,
        &format!("/portal/claims/{claim}"),
        &format!("/portal/claims/{claim}/link"),
        &[("person_id", &s.person_id.to_string())],
    )
    .await;
    assert_eq!(r.status(), 303);
    let mail = smtp.wait_for(EMAIL, 2).await.pop().unwrap();
    assert_eq!(mail.subject, "Hồ sơ của bạn đã được xem xét");
    // Now the person reads the record's shared fields, never internal ones.
    let (_, page) = text(&s.person, &app, "/kieu-bao/record").await;
    assert!(
        page.contains("Nhân viên văn phòng") && page.contains("Nhật Bản"),
        "{page}"
    );
    assert!(!page.contains("Ghi chú nội bộ XYZ") && !page.contains("Công an đã xác minh"));
    // Deciding twice: refused.
    let r = post_form(
        &app,
        &s.officer,
        "/portal/claims",
        &format!("/portal/claims/{claim}/refuse"),
        &[("reason", "trùng")],
    )
    .await;
    assert_eq!(r.status(), 409);
    // A claim nobody matches: the officer creates the record from it.
    let other = registered(&app, &smtp, "tu.phan@example.org").await;
    let r = post_form(
        &app,
        &other,
        "/kieu-bao/claim",
        "/kieu-bao/claim",
        &[
            ("full_name", "Phan Văn Tú"),
            ("birth_date", "1979"),
            ("hometown_code", &s.commune),
            ("country", "DE"),
            ("city", "Berlin"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let second: i64 = sqlx::query_scalar("SELECT MAX(id) FROM portal_claims")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    let r = post_form(
        &app,
        &s.officer,
        &format!("/portal/claims/{second}"),
        &format!("/portal/claims/{second}/create"),
        &[],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (pid, agency): (i64, String) = sqlx::query_as(
        "SELECT p.id, ps.agency FROM persons p JOIN person_sources ps ON ps.person_id = p.id \
         WHERE p.full_name = 'Phan Văn Tú'",
    )
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(agency, "self_declared");
    let linked: Option<i64> = sqlx::query_scalar(
        "SELECT person_id FROM portal_accounts WHERE email = 'tu.phan@example.org'",
    )
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(linked, Some(pid));
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity = 'portal_claim' ORDER BY id",
    )
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap();
    for a in ["portal.claim", "portal.claim_view", "portal.claim_decide"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

async fn corrections_are_decided_field_by_field_and_the_person_reads_why(app: TestApp, smtp: Smtp) {
    let s = linked(&app, &smtp).await;
    let (status, form) = text(&s.person, &app, "/kieu-bao/record/edit").await;
    assert_eq!(status, 200);
    assert!(
        form.contains("value=\"12/03/1985\""),
        "dates read day first"
    );
    let edit = |fields: Vec<(&'static str, &'static str)>| {
        let app = &app;
        let c = s.person.clone();
        async move {
            let mut all = vec![
                ("full_name", NAME),
                ("gender", "female"),
                ("birth_date", "12/03/1985"),
                ("country", "JP"),
                ("city_abroad", "Osaka"),
                ("phone", ""),
                ("email", ""),
                ("occupation", "Nhân viên văn phòng"),
                ("education", ""),
                ("expertise", ""),
            ];
            for (k, v) in fields {
                for x in &mut all {
                    if x.0 == k {
                        x.1 = v;
                    }
                }
            }
            post_form(
                app,
                &c,
                "/kieu-bao/record/edit",
                "/kieu-bao/record/edit",
                &all,
            )
            .await
        }
    };
    // Nothing changed, then a date that is no date: refused naming the field.
    let r = edit(vec![]).await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Không có thông tin nào thay đổi.")
    );
    let r = edit(vec![("birth_date", "31/02/1985")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Ngày sinh:"));
    let r = edit(vec![
        ("occupation", "Kỹ sư phần mềm"),
        ("city_abroad", "Kyoto"),
    ])
    .await;
    assert_eq!(r.status(), 303);
    let r = edit(vec![("occupation", "Giáo viên")]).await;
    assert_eq!(r.status(), 409, "one open request at a time");
    let change: i64 = sqlx::query_scalar("SELECT MAX(id) FROM portal_changes")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    // Another commune's officer: not found.
    assert_eq!(
        text(&s.other_officer, &app, &format!("/portal/changes/{change}"))
            .await
            .0,
        404
    );
    let (status, diff) = text(&s.officer, &app, &format!("/portal/changes/{change}")).await;
    assert_eq!(status, 200);
    assert!(
        diff.contains("Nhân viên văn phòng")
            && diff.contains("Kỹ sư phần mềm")
            && diff.contains("Kyoto")
    );
    let path = format!("/portal/changes/{change}");
    // A refusal without a reason, or a field left undecided: refused.
    let r = post_form(
        &app,
        &s.officer,
        &path,
        &path,
        &[
            ("decision_occupation", "accept"),
            ("decision_city_abroad", "refuse"),
            ("reason_city_abroad", ""),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Thành phố: Cần ghi lý do không chấp nhận.")
    );
    let r = post_form(
        &app,
        &s.officer,
        &path,
        &path,
        &[("decision_occupation", "accept")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let r = post_form(
        &app,
        &s.officer,
        &path,
        &path,
        &[
            ("decision_occupation", "accept"),
            ("decision_city_abroad", "refuse"),
            ("reason_city_abroad", "Hộ chiếu ghi Osaka"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    // The record took the accepted value, with a self-declared source dated today.
    let r = s
        .officer
        .get(app.url(&format!("/people/{}", s.person_id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        r.contains("Kỹ sư phần mềm") && r.contains("Người dân tự khai"),
        "{r}"
    );
    let (occupation, city): (String, String) =
        sqlx::query_as("SELECT occupation, city_abroad FROM persons WHERE id = $1")
            .bind(s.person_id)
            .fetch_one(&app.app.db.pool)
            .await
            .unwrap();
    assert_eq!(
        (occupation.as_str(), city.as_str()),
        ("Kỹ sư phần mềm", "Osaka")
    );
    // The person reads each decision and the reason; so does the e-mail.
    let (_, page) = text(&s.person, &app, "/kieu-bao/record").await;
    assert!(
        page.contains("Đã chấp nhận") && page.contains("Không chấp nhận: Hộ chiếu ghi Osaka"),
        "{page}"
    );
    let mail = smtp.wait_for(EMAIL, 3).await.pop().unwrap();
    assert_eq!(mail.subject, "Đề nghị sửa thông tin đã được xem xét");
    assert!(mail.text.contains("Hộ chiếu ghi Osaka"), "{}", mail.text);
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity = 'portal_change' ORDER BY id",
    )
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap();
    for a in [
        "portal.change_request",
        "portal.change_view",
        "portal.change_decide",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

async fn consents_are_separate_unticked_and_kept_with_proof(app: TestApp, smtp: Smtp) {
    let s = linked(&app, &smtp).await;
    let (status, page) = text(&s.person, &app, "/kieu-bao/consents").await;
    assert_eq!(status, 200);
    // Four purposes, each its own form; nothing ticked in advance.
    for p in ["keep_record", "news", "directory", "national_sharing"] {
        assert!(page.contains(&format!("data-testid=\"tick-{p}\"")), "{p}");
    }
    assert!(!page.contains("checked"));
    assert!(page.contains("01/01/2026"), "the text's version as a date");
    let give = |purpose: &'static str, give: &'static str| {
        let app = &app;
        let c = s.person.clone();
        async move {
            post_form(
                app,
                &c,
                "/kieu-bao/consents",
                "/kieu-bao/consents",
                &[("purpose", purpose), ("give", give)],
            )
            .await
            .status()
        }
    };
    assert_eq!(give("news", "1").await, 303);
    assert_eq!(give("keep_record", "1").await, 303);
    assert_eq!(give("news", "0").await, 303);
    assert_eq!(give("nonsense", "1").await, 422);
    let rows: Vec<(String, String, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT purpose, action, text_version, page, person_id FROM portal_consents ORDER BY id",
    )
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2].0, "news");
    assert_eq!(rows[2].1, "withdrawn");
    assert!(
        rows.iter().all(|r| r.2 == "2026-01-01"
            && r.3 == "/kieu-bao/consents"
            && r.4 == Some(s.person_id))
    );
    let (_, page) = text(&s.person, &app, "/kieu-bao/consents").await;
    assert!(page.contains("data-testid=\"withdraw-keep_record\""));
    assert!(
        page.contains("data-testid=\"tick-news\""),
        "withdrawn: unticked again"
    );
    assert!(page.contains("Rút lại") && page.contains("Đồng ý"));
    // The registry record shows the consents.
    let r = s
        .officer
        .get(app.url(&format!("/people/{}", s.person_id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        r.contains("Lưu giữ hồ sơ") && r.contains("data-testid=\"consents\""),
        "{r}"
    );
    let _ = &s.province;
}

async fn another_person_reaches_nothing_of_anyone_else(app: TestApp, smtp: Smtp) {
    let s = linked(&app, &smtp).await;
    let r = post_form(
        &app,
        &s.person,
        "/kieu-bao/consents",
        "/kieu-bao/consents",
        &[("purpose", "news"), ("give", "1")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let other = registered(&app, &smtp, "khanh@example.org").await;
    // Every portal page as another person: nothing of the first.
    for route in web::routes::table() {
        // Pages of one request by id: `requests::another_person_gets_404...`.
        if route.method != "GET" || !route.path.starts_with("/kieu-bao") || route.path.contains('{')
        {
            continue;
        }
        let (status, page) = text(&other, &app, route.path).await;
        // 404: the confirmation and reset pages without a link's token.
        assert!(matches!(status, 200 | 303 | 404), "{} {status}", route.path);
        assert!(
            !page.contains(NAME) && !page.contains(EMAIL),
            "{}",
            route.path
        );
    }
    // Nothing of hers through an id on any page: the staff pages take no
    // portal session, and for the other commune's officer they are 404.
    let claim: i64 = sqlx::query_scalar("SELECT MIN(id) FROM portal_claims")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    for path in [
        format!("/portal/claims/{claim}"),
        format!("/people/{}", s.person_id),
        "/portal/claims".to_owned(),
    ] {
        let r = other.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "{path}");
        assert_eq!(r.headers()["location"], "/login", "{path}");
    }
    assert_eq!(
        text(&s.other_officer, &app, &format!("/portal/claims/{claim}"))
            .await
            .0,
        404
    );
    // Her consent unchanged by the other's choices; the other's edit form
    // leads back to their own (empty) record.
    let r = post_form(
        &app,
        &other,
        "/kieu-bao/consents",
        "/kieu-bao/consents",
        &[("purpose", "news"), ("give", "0")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let mine: Vec<String> = sqlx::query_scalar(
        "SELECT c.action FROM portal_consents c JOIN portal_accounts a ON a.id = c.account_id \
         WHERE a.email = $1",
    )
    .bind(EMAIL)
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(mine, ["given"]);
    let r = post_form(
        &app,
        &other,
        "/kieu-bao/consents",
        "/kieu-bao/record/edit",
        &[("occupation", "Kẻ xấu")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/kieu-bao/record");
    let occupation: String = sqlx::query_scalar("SELECT occupation FROM persons WHERE id = $1")
        .bind(s.person_id)
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(occupation, "Nhân viên văn phòng");
}

async fn relatives_are_corrected_entry_by_entry_like_the_persons_own_fields(
    app: TestApp,
    smtp: Smtp,
) {
    let s = linked(&app, &smtp).await;
    let mut ids = Vec::new();
    for (name, rel, year) in [
        ("Lê Văn Hùng", "parent", 1955),
        ("Lê Thị Mai", "sibling", 1990),
    ] {
        let r = app
            .client
            .post(app.url(&format!("/api/v1/people/{}/relatives", s.person_id)))
            .bearer_auth(&s.province)
            .json(
                &json!({"head_name": "Lê Văn Hùng", "commune_code": s.commune,
                "full_name": name, "relationship": rel, "birth_year": year}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        ids.push(
            r.json::<serde_json::Value>().await.unwrap()["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let (father, sister) = (ids[0], ids[1]);
    // The record page and the form show the declared relatives.
    let (_, page) = text(&s.person, &app, "/kieu-bao/record").await;
    assert!(
        page.contains("Lê Văn Hùng") && page.contains("Lê Thị Mai"),
        "{page}"
    );
    let (_, form) = text(&s.person, &app, "/kieu-bao/record/edit").await;
    assert!(
        form.contains(&format!("name=\"relative_{father}_full_name\""))
            && form.contains("name=\"relative_new_full_name\""),
        "{form}"
    );
    let post = |extra: Vec<(String, String)>| {
        let app = &app;
        let c = s.person.clone();
        async move {
            let mut all: Vec<(String, String)> = [
                ("full_name", NAME),
                ("gender", "female"),
                ("birth_date", "12/03/1985"),
                ("country", "JP"),
                ("city_abroad", "Osaka"),
                ("occupation", "Nhân viên văn phòng"),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
            all.extend(extra);
            let fields: Vec<(&str, &str)> =
                all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            post_form(
                app,
                &c,
                "/kieu-bao/record/edit",
                "/kieu-bao/record/edit",
                &fields,
            )
            .await
        }
    };
    let kv = |k: String, v: &str| (k, v.to_owned());
    let mut change = vec![
        kv(format!("relative_{father}_full_name"), "Lê Văn Hùng"),
        kv(format!("relative_{father}_relationship"), "parent"),
        kv(format!("relative_{father}_birth_year"), "1956"),
        kv(format!("relative_{sister}_full_name"), "Lê Thị Mai"),
        kv(format!("relative_{sister}_relationship"), "sibling"),
        kv(format!("relative_{sister}_birth_year"), "1990"),
        kv(format!("relative_{sister}_remove"), "1"),
    ];
    // A new relative without a name: refused naming it, the typed values kept.
    let mut bad = change.clone();
    bad.push(kv("relative_new_relationship".into(), "child"));
    bad.push(kv("relative_new_birth_year".into(), "2012"));
    let r = post(bad).await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Thân nhân (thêm) — Họ và tên: Bắt buộc nhập."),
        "{page}"
    );
    assert!(
        page.contains("value=\"2012\"") && page.contains("value=\"1956\""),
        "{page}"
    );
    change.push(kv("relative_new_full_name".into(), "Lê Minh Tâm"));
    change.push(kv("relative_new_relationship".into(), "child"));
    change.push(kv("relative_new_birth_year".into(), "2012"));
    let r = post(change).await;
    assert_eq!(r.status(), 303);
    let change: i64 = sqlx::query_scalar("SELECT MAX(id) FROM portal_changes")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    // The officer reads each relative's entry in words.
    let path = format!("/portal/changes/{change}");
    let (status, diff) = text(&s.officer, &app, &path).await;
    assert_eq!(status, 200);
    for want in [
        "Thân nhân (sửa)",
        "Lê Văn Hùng, Cha/mẹ, 1955",
        "Lê Văn Hùng, Cha/mẹ, 1956",
        "Thân nhân (bỏ)",
        "Lê Thị Mai, Anh/chị/em ruột, 1990",
        "Thân nhân (thêm)",
        "Lê Minh Tâm, Con, 2012",
    ] {
        assert!(diff.contains(want), "{want}: {diff}");
    }
    assert!(
        !diff.contains("&quot;full_name") && !diff.contains(">relative_"),
        "no stored value or code shown: {diff}"
    );
    assert_eq!(text(&s.other_officer, &app, &path).await.0, 404);
    let r = post_form(
        &app,
        &s.officer,
        &path,
        &path,
        &[
            (format!("decision_relative_{father}").as_str(), "accept"),
            (
                format!("decision_relative_{sister}_remove").as_str(),
                "refuse",
            ),
            (
                format!("reason_relative_{sister}_remove").as_str(),
                "Còn trong sổ hộ khẩu",
            ),
            ("decision_relative_new", "accept"),
        ],
    )
    .await;
    let status = r.status();
    let page = r.text().await.unwrap();
    assert_eq!(status, 303, "{page}");
    let rows: Vec<(String, i64, Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT full_name, household_id, birth_year, deleted_at FROM relatives \
         WHERE person_id = $1 ORDER BY id",
    )
    .bind(s.person_id)
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!((rows[0].2, rows[0].3.is_some()), (Some(1956), false));
    assert!(rows[1].3.is_none(), "the refused removal kept the sister");
    assert_eq!(rows[2].0, "Lê Minh Tâm");
    assert_eq!(rows[2].1, rows[0].1, "the new relative joins the household");
    // The person reads the record as decided, and why a change was refused.
    let (_, page) = text(&s.person, &app, "/kieu-bao/record").await;
    assert!(
        page.contains("Lê Minh Tâm") && page.contains("Còn trong sổ hộ khẩu"),
        "{page}"
    );
}
