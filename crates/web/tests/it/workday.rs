//! Made for the official who uses it all day (issue 21): the home page says
//! what waits for each role, the menu leads only where the role may go, and
//! the actions that remove or join records say what they will do first.

use crate::dual;
use crate::helpers::{TestApp, extract_csrf};

dual!(home_says_what_waits_for_each_role);
dual!(menus_lead_only_where_the_role_may_go);
dual!(removing_actions_say_what_they_will_do);
dual!(a_relative_form_with_problems_comes_back_as_typed);

const PASSWORD: &str = "demo password for the workday test";
const ACCOUNTS: [&str; 7] = [
    "sonv", "canbo.xa", "congan", "lanhdao", "admin", "daisu.jp", "hoi.dh",
];

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

/// The number shown for a waiting item (`data-testid` is its link).
fn waiting(html: &str, href: &str) -> Option<i64> {
    let marker = format!("data-testid=\"{href}\">");
    let i = html.find(&marker)? + marker.len();
    html[i..].split('<').next()?.trim().parse().ok()
}

async fn actor(app: &TestApp, username: &str) -> app::Actor {
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    app::accounts::users::actor_for(&app.app, id).await.unwrap()
}

async fn home_says_what_waits_for_each_role(app: TestApp) {
    app::demo_data::ensure_demo(&app.app, Some(PASSWORD), 80, 11)
        .await
        .unwrap();
    let sonv = actor(&app, "sonv").await;
    // A second record of someone, for the scan to propose as a pair.
    let tok = app::accounts::tokens::create_token(
        &app.app,
        &sonv,
        sonv.user_id.unwrap(),
        "t",
        &["read", "write"],
        1,
    )
    .await
    .unwrap();
    let some: i64 = sqlx::query_scalar("SELECT MAX(id) FROM persons")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    let twin: serde_json::Value = app
        .client
        .get(app.url(&format!("/api/v1/people/{some}")))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let copy: serde_json::Map<String, serde_json::Value> = [
        "full_name",
        "gender",
        "birth_date",
        "country",
        "category",
        "hometown_code",
        "city_abroad",
    ]
    .iter()
    .filter(|k| !twin[**k].is_null())
    .map(|k| ((*k).to_owned(), twin[*k].clone()))
    .collect();
    let r = app
        .client
        .post(app.url("/api/v1/people"))
        .bearer_auth(&tok)
        .json(&copy)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    app::intake::matching::scan(&app.app, &sonv).await.unwrap();
    // The province officer: pairs to review, lists to commit, records to verify.
    let (_, pairs) = app::intake::matching::queue(
        &app.app,
        &sonv,
        &app::intake::matching::QueueFilter::default(),
        1,
        0,
    )
    .await
    .unwrap();
    let unverified: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM persons WHERE deleted_at IS NULL AND verification = 'unverified'",
    )
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    assert!(pairs > 0 && unverified > 0, "{pairs} {unverified}");
    // Two records the lists disagree on: visits due.
    sqlx::query(
        "UPDATE persons SET verification = 'disputed' WHERE id IN \
         (SELECT id FROM persons WHERE deleted_at IS NULL AND verification <> 'unverified' \
          ORDER BY id LIMIT 2)",
    )
    .execute(&app.app.db.pool)
    .await
    .unwrap();
    let disputed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM persons WHERE deleted_at IS NULL AND verification = 'disputed'",
    )
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    let client = signed_in(&app, "sonv").await;
    let (status, html) = page(&client, &app, "/work").await;
    assert_eq!(status, 200);
    assert!(html.contains("Việc cần làm"), "{html}");
    assert_eq!(waiting(&html, "/review"), Some(pairs));
    assert_eq!(waiting(&html, "/imports"), Some(0));
    assert_eq!(
        waiting(&html, "/people?verification=unverified"),
        Some(unverified)
    );
    assert!(disputed > 0);
    assert_eq!(
        waiting(&html, "/people?verification=disputed"),
        Some(disputed)
    );
    // The link of the unverified records opens that list.
    let (status, list) = page(&client, &app, "/people?verification=unverified").await;
    assert_eq!(status, 200);
    assert!(
        list.contains(&unverified.to_string()),
        "the list says how many"
    );

    // The commune officer: their commune by name, their own counts.
    let canbo = actor(&app, "canbo.xa").await;
    let (_, commune_pairs) = app::intake::matching::queue(
        &app.app,
        &canbo,
        &app::intake::matching::QueueFilter::default(),
        1,
        0,
    )
    .await
    .unwrap();
    let client = signed_in(&app, "canbo.xa").await;
    let (_, html) = page(&client, &app, "/work").await;
    assert!(html.contains("Phạm vi quản lý của bạn:"), "{html}");
    let app::Jurisdiction::Communes { new_communes, .. } = &canbo.jurisdiction else {
        panic!("the demo commune officer holds communes");
    };
    let name = domain::geo::new_commune(&new_communes[0])
        .map(|c| c.name.to_string())
        .unwrap_or_default();
    assert!(!name.is_empty() && html.contains(&name), "{name}: {html}");
    assert_eq!(waiting(&html, "/review"), Some(commune_pairs));
    assert!(commune_pairs <= pairs);

    // The leader: statistics only, nothing waiting, no link to records.
    let client = signed_in(&app, "lanhdao").await;
    let (_, html) = page(&client, &app, "/work").await;
    assert!(!html.contains("Việc cần làm") && !html.contains("href=\"/people\""));
    // The administrator is told why no record can be changed here.
    let client = signed_in(&app, "admin").await;
    let (_, html) = page(&client, &app, "/work").await;
    assert!(html.contains("không thêm, sửa hay xóa hồ sơ"), "{html}");
    // The agency: its lists to commit, no duplicate review.
    let client = signed_in(&app, "congan").await;
    let (_, html) = page(&client, &app, "/work").await;
    assert_eq!(waiting(&html, "/imports"), Some(0));
    assert_eq!(waiting(&html, "/review"), None);
}

/// The links of the main menu of a page.
fn menu_links(html: &str) -> Vec<String> {
    let start = html.find("<nav aria-label=").expect("a main menu");
    let end = start + html[start..].find("</nav>").unwrap();
    html[start..end]
        .split("href=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_owned())
        .collect()
}

async fn menus_lead_only_where_the_role_may_go(app: TestApp) {
    app::demo_data::ensure_demo(&app.app, Some(PASSWORD), 40, 5)
        .await
        .unwrap();
    for account in ACCOUNTS {
        let client = signed_in(&app, account).await;
        let (status, html) = page(&client, &app, "/work").await;
        assert_eq!(status, 200, "{account}");
        let links = menu_links(&html);
        assert!(links.len() >= 3, "{account}: {links:?}");
        for link in &links {
            let (status, _) = page(&client, &app, link).await;
            assert_eq!(status, 200, "{account}: the menu's {link} answers {status}");
        }
        // What the role may not open is not offered.
        let people = links.iter().any(|l| l == "/people");
        assert_eq!(people, account != "lanhdao", "{account}: {links:?}");
        assert_eq!(
            links.iter().any(|l| l == "/admin/users"),
            account == "admin",
            "{account}"
        );
        // One button opens the menu on a phone (app.js), labelled.
        assert!(html.contains("class=\"menu-toggle\" aria-controls=\"menu\""));
    }
}

async fn removing_actions_say_what_they_will_do(app: TestApp) {
    app::demo_data::ensure_demo(&app.app, Some(PASSWORD), 40, 5)
        .await
        .unwrap();
    let sonv = actor(&app, "sonv").await;
    let client = signed_in(&app, "sonv").await;
    // A record: delete sits apart, and asks naming the record.
    let (id, name): (i64, String) =
        sqlx::query_as("SELECT id, full_name FROM persons ORDER BY id LIMIT 1")
            .fetch_one(&app.app.db.pool)
            .await
            .unwrap();
    let (_, html) = page(&client, &app, &format!("/people/{id}")).await;
    let danger = &html[html
        .find("<section id=\"delete\" class=\"danger\">")
        .unwrap()..];
    assert!(
        danger.contains(&format!("data-confirm=\"Xoá hồ sơ #{id} {name}.")),
        "{danger}"
    );
    assert!(
        !html[..html.find("<section id=\"delete\"").unwrap()]
            .contains("action=\"/people/{id}/delete\"")
    );
    // An import: undoing it says how many records go.
    let csv = "Họ và tên;Ngày sinh;Quốc gia\nNguyễn Văn Tường;05/03/1990;Hàn Quốc\nTrần Thị Mơ;1991;Nhật Bản\n";
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ds.csv");
    std::fs::write(&file, csv).unwrap();
    let import = app::intake::import::run_file(
        &app.app,
        &sonv,
        "police",
        "2025",
        &file,
        false,
        &|_, _, _| {},
    )
    .await
    .unwrap()
    .id;
    let (_, html) = page(&client, &app, &format!("/imports/{import}")).await;
    assert!(
        html.contains(&format!("Hoàn tác lần nhập #{import} (ds.csv): 2 hồ sơ")),
        "{html}"
    );
    // A merge, then its undo, each names both records.
    let (a, b): (i64, i64) = sqlx::query_as(
        "SELECT MIN(id), MAX(id) FROM persons WHERE deleted_at IS NULL AND id IN \
         (SELECT person_id FROM person_sources WHERE import_id = $1)",
    )
    .bind(import)
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    app::intake::matching::merge(
        &app.app,
        &sonv,
        &app::intake::matching::MergeInput {
            kept_id: a,
            merged_id: b,
            kept_version: 1,
            merged_version: 1,
            pair_id: None,
            choices: std::collections::BTreeMap::new(),
        },
    )
    .await
    .unwrap();
    let (_, html) = page(&client, &app, "/review/merges").await;
    assert!(
        html.contains(&format!(
            "data-confirm=\"Tách hồ sơ #{b} Trần Thị Mơ khỏi hồ sơ #{a} Nguyễn Văn Tường."
        )),
        "{html}"
    );
    // The pair page's merge form asks too (names both records).
    assert!(!extract_csrf(&html).is_empty());
    // A merge decided by hand shows no model probability, and says who
    // found the pair in words.
    let pair: i64 = sqlx::query_scalar("SELECT id FROM match_pairs WHERE found_by = 'reviewer'")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    let (_, html) = page(&client, &app, &format!("/review/pairs/{pair}")).await;
    assert!(html.contains("không tính (cán bộ gộp trực tiếp)"), "{html}");
    assert!(!html.contains("&gt; 99.9"));
    let (_, html) = page(&client, &app, "/review?status=accepted").await;
    assert!(html.contains("Cán bộ gộp trực tiếp"), "{html}");
    assert!(!html.contains(">reviewer<"));
}

async fn a_relative_form_with_problems_comes_back_as_typed(app: TestApp) {
    app::demo_data::ensure_demo(&app.app, Some(PASSWORD), 20, 3)
        .await
        .unwrap();
    let client = signed_in(&app, "sonv").await;
    let id: i64 = sqlx::query_scalar("SELECT MIN(id) FROM persons")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    let (_, html) = page(&client, &app, &format!("/people/{id}")).await;
    let csrf = extract_csrf(&html);
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM relatives")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    // Sent empty but for an address and a year that is no year: the record
    // comes back saying what is missing, beside the fields, with the address.
    let r = client
        .post(app.url(&format!("/people/{id}/relatives")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("full_name", ""),
            ("relationship", "parent"),
            ("birth_year", "năm 60"),
            ("address", "Xóm 3, thôn Trung"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("data-testid=\"relative-problem\""), "{html}");
    assert!(html.contains("aria-describedby=\"rel-err-birth_year\""));
    assert!(html.contains("value=\"Xóm 3, thôn Trung\""));
    assert!(html.contains("value=\"năm 60\""));
    assert!(html.contains("<option value=\"parent\" selected>"));
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM relatives")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(before, after, "nothing half-saved");
    // The name is then required on its own.
    let r = client
        .post(app.url(&format!("/people/{id}/relatives")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("full_name", " "),
            ("relationship", "parent"),
            ("address", "Xóm 3, thôn Trung"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("rel-err-full_name"), "{html}");
    // Corrected, it is added.
    let r = client
        .post(app.url(&format!("/people/{id}/relatives")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("full_name", "Nguyễn Văn Tám"),
            ("relationship", "parent"),
            ("birth_year", "1960"),
            ("head_name", "Nguyễn Văn Tám"),
            ("address", "Xóm 3, thôn Trung"),
            ("commune_code", "18073"),
        ])
        .send()
        .await
        .unwrap();
    let status = r.status();
    assert_eq!(status, 303, "{}", r.text().await.unwrap());
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM relatives")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(after, before + 1);
}
