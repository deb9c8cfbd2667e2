//! Search: each query kind of the issue through the API, the jurisdiction
//! limit, consistency with writes (also through a second server), reindex,
//! the live search page and the exports.

use std::io::Cursor;

use app::accounts::users::Scope;
use calamine::{Reader, Xlsx};
use domain::Role;
use serde_json::{Value, json};

use crate::dual;
use crate::helpers::{PASSWORD, TestApp};

dual!(
    search_finds_every_query_kind,
    search_ranks_exact_first_and_highlights,
    search_is_limited_to_the_jurisdiction,
    search_follows_writes_and_deletes,
    second_server_sees_writes_of_the_first,
    reindex_is_idempotent,
    search_page_shows_live_results_and_exports,
    search_box_shows_live_results_in_the_browser,
    search_narrows_by_year_date_and_country_and_reads_keystrokes,
);

fn communes() -> (String, String) {
    let all = domain::geo::new_communes_of("42");
    (all[0].code.to_owned(), all[1].code.to_owned())
}

async fn token(app: &TestApp, username: &str, role: Role, scopes: Vec<Scope>) -> String {
    let id = app.add_user(username, role, scopes).await;
    let actor = app::accounts::users::actor_for(&app.app, id).await.unwrap();
    let scopes: Vec<&str> = ["read", "write"]
        .into_iter()
        .filter(|s| app::access::scopes_of_role(actor.role).contains(s))
        .collect();
    app::accounts::tokens::create_token(&app.app, &actor, id, "t", &scopes, 30)
        .await
        .unwrap()
}

async fn create(app: &TestApp, tok: &str, body: Value) -> i64 {
    let r = app
        .client
        .post(app.url("/api/v1/people"))
        .bearer_auth(tok)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

fn person(name: &str, commune: &str, country: &str) -> Value {
    json!({
        "full_name": name,
        "category": "contract_labour",
        "country": country,
        "hometown_code": commune,
        "birth_date": "1990-05",
    })
}

async fn search_at(app: &TestApp, base: &str, tok: &str, query: &[(&str, &str)]) -> Value {
    let r = app
        .client
        .get(format!("{base}/api/v1/search"))
        .query(query)
        .bearer_auth(tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Each step's duration, and nothing else, in the Server-Timing header.
    let timing = r.headers()["server-timing"].to_str().unwrap().to_owned();
    let names: Vec<&str> = timing
        .split(", ")
        .map(|m| {
            let (name, dur) = m.split_once(";dur=").unwrap();
            assert!(dur.parse::<f64>().unwrap() >= 0.0, "{timing}");
            name
        })
        .collect();
    assert_eq!(
        names,
        ["catchup", "members", "engine", "readback", "audit"],
        "{timing}"
    );
    r.json().await.unwrap()
}

async fn search(app: &TestApp, tok: &str, q: &str) -> Value {
    search_at(app, &app.url(""), tok, &[("q", q)]).await
}

fn ids(v: &Value) -> Vec<i64> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

/// A province officer's token and three people: Đức (commune 1, US, with
/// identifiers and a name abroad), Hà (commune 1, US, married name), Mai
/// (commune 2, Korea).
async fn seed(app: &TestApp) -> (String, i64, i64, i64) {
    let (c1, c2) = communes();
    let tok = token(app, "tinh", Role::ProvinceOfficer, vec![]).await;
    let mut duc = person("Nguyễn Văn Đức", &c1, "US");
    duc["other_names"] = json!(["Kevin Nguyen"]);
    duc["passport_no"] = json!("C1234567");
    duc["phone"] = json!("+1 (408) 555-0101");
    duc["email"] = json!("Duc.Nguyen@Example.com");
    let duc = create(app, &tok, duc).await;
    let mut ha = person("Nguyễn Thu Hà", &c1, "US");
    ha["other_names"] = json!(["Hà Smith"]);
    ha["phone"] = json!("0912 345 678");
    let ha = create(app, &tok, ha).await;
    let mut mai = person("Trần Thị Mai", &c2, "KR");
    mai["passport_no"] = json!("B7654321");
    let mai = create(app, &tok, mai).await;
    (tok, duc, ha, mai)
}

async fn search_finds_every_query_kind(app: TestApp) {
    let (tok, duc, ha, mai) = seed(&app).await;
    // Any fragment, with or without diacritics, any case; any order; one typo
    // or one missing or extra syllable; other names.
    for (q, want) in [
        ("duc", duc),
        ("ĐỨC", duc),
        ("Nguyen Van", duc),
        ("nguyễn văn đức", duc),
        ("Duc Nguyen Van", duc),
        ("Van Duc Nguyen", duc),
        ("NGUYEN Duc", duc),
        ("Ngyen Van Duc", duc),
        ("Nguyen Duc", duc),
        ("Nguyen Thi Thu Ha", ha),
        ("Kevin Nguyen", duc),
        ("smith", ha),
        ("tran thi mai", mai),
    ] {
        let v = search(&app, &tok, q).await;
        assert_eq!(ids(&v).first(), Some(&want), "{q}: {v}");
        assert!(v["total"].as_u64().unwrap() >= 1);
    }
    assert!(!ids(&search(&app, &tok, "duc").await).contains(&mai));
    // Identifiers: passport, phone in any format, e-mail.
    for q in [
        "c 1234567",
        "+1 (408) 555-0101",
        "001 408 555 0101",
        "408.555.0101",
        "DUC.NGUYEN@example.COM",
    ] {
        let v = search(&app, &tok, q).await;
        assert_eq!(ids(&v), vec![duc], "{q}");
        assert_eq!(v["items"][0]["kind"], "identifier");
    }
    for q in ["0912345678", "+84 912 345 678", "0084912345678"] {
        assert_eq!(ids(&search(&app, &tok, q).await), vec![ha], "{q}");
    }
    // Sensitive fields are masked in results.
    let v = search(&app, &tok, "C1234567").await;
    let shown = v["items"][0]["passport_no"].as_str().unwrap();
    assert_ne!(shown, "C1234567");
    assert!(shown.ends_with("67"));
    // Other names say which one matched.
    let v = search(&app, &tok, "kevin").await;
    assert_eq!(v["items"][0]["matched_field"], "other_name");
    assert_eq!(v["items"][0]["matched_other_name"], "Kevin Nguyen");
    // Filters of the registry.
    let v = search_at(
        &app,
        &app.url(""),
        &tok,
        &[("q", "nguyen"), ("country", "us")],
    )
    .await;
    let mut got = ids(&v);
    got.sort_unstable();
    assert_eq!(got, vec![duc, ha]);
    let v = search_at(
        &app,
        &app.url(""),
        &tok,
        &[("q", "nguyen"), ("country", "KR")],
    )
    .await;
    assert_eq!(v["total"], 0);
    let (_, c2) = communes();
    let v = search_at(&app, &app.url(""), &tok, &[("q", "mai"), ("commune", &c2)]).await;
    assert_eq!(ids(&v), vec![mai]);
    // Limit and total.
    let v = search_at(&app, &app.url(""), &tok, &[("q", "nguyen"), ("limit", "1")]).await;
    assert_eq!(ids(&v).len(), 1);
    assert_eq!(v["total"], 2);
    assert_eq!(v["total_is_lower_bound"], false);
    // Searches are audited without the text searched.
    let details: Vec<String> =
        sqlx::query_scalar("SELECT details FROM audit_log WHERE action = 'person.search'")
            .fetch_all(&app.app.db.pool)
            .await
            .unwrap();
    assert!(details.len() >= 20);
    assert!(
        details
            .iter()
            .all(|d| !d.to_lowercase().contains("nguy") && !d.contains("1234567"))
    );
    assert!(
        details
            .iter()
            .any(|d| d.contains("\"query_kind\":\"phone\""))
    );
}

async fn search_ranks_exact_first_and_highlights(app: TestApp) {
    let (c1, _) = communes();
    let tok = token(&app, "tinh", Role::ProvinceOfficer, vec![]).await;
    let partial = create(&app, &tok, person("Nguyễn Văn Đức Anh", &c1, "US")).await;
    let reordered = create(&app, &tok, person("Đức Nguyễn Văn", &c1, "US")).await;
    let folded = create(&app, &tok, person("Nguyen Van Duc", &c1, "US")).await;
    let exact = create(&app, &tok, person("Nguyễn Văn Đức", &c1, "US")).await;
    let fuzzy = create(&app, &tok, person("Nguyễn Văn Đứt", &c1, "US")).await;
    let v = search(&app, &tok, "Nguyễn Văn Đức").await;
    // Every exact, folded, reordered and partial match first; the one-typo
    // neighbour (it may be the person, mistyped) only after them.
    assert_eq!(
        ids(&v),
        vec![exact, folded, reordered, partial, fuzzy],
        "{v}"
    );
    let kinds: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["exact", "folded", "reordered", "partial", "fuzzy"]);
    let scores: Vec<u64> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["score"].as_u64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] > w[1]));
    // A name that exists nowhere: the fuzzy tier, every one-typo neighbour.
    let v = search(&app, &tok, "Nguyen Van Dux").await;
    let mut got = ids(&v);
    got.sort_unstable();
    let mut want = vec![exact, folded, reordered, partial, fuzzy];
    want.sort_unstable();
    assert_eq!(got, want, "{v}");
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["kind"] == "fuzzy")
    );
    let v = search(&app, &tok, "nguyen duc").await;
    let hit = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == exact)
        .unwrap();
    assert_eq!(hit["highlight"], json!([[0, 6], [11, 14]]));
    // Without diacritics, the name written without them comes first.
    assert_eq!(v["items"][0]["id"], folded);
}

async fn search_is_limited_to_the_jurisdiction(app: TestApp) {
    let (_, duc, ha, mai) = seed(&app).await;
    let (c1, _) = communes();
    let xa = token(
        &app,
        "xa_officer",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c1)],
    )
    .await;
    // Mai lives outside the commune: not returned, not counted.
    let v = search(&app, &xa, "Trần Thị Mai").await;
    assert_eq!((v["total"].as_u64(), ids(&v).len()), (Some(0), 0), "{v}");
    assert_eq!(search(&app, &xa, "B7654321").await["total"], 0);
    let v = search(&app, &xa, "thi").await;
    assert!(!ids(&v).contains(&mai));
    let v = search(&app, &xa, "nguyen").await;
    let mut got = ids(&v);
    got.sort_unstable();
    assert_eq!(got, vec![duc, ha]);
    assert_eq!(v["total"], 2);
    // A mission in Korea sees only Mai.
    let kr = token(
        &app,
        "seoul_mission",
        Role::Mission,
        vec![Scope::new("country", "KR")],
    )
    .await;
    assert_eq!(ids(&search(&app, &kr, "nguyen").await), Vec::<i64>::new());
    assert_eq!(ids(&search(&app, &kr, "mai").await), vec![mai]);
    // A viewer may not search at all.
    let viewer = token(&app, "viewer_one", Role::Viewer, vec![]).await;
    let r = app
        .client
        .get(app.url("/api/v1/search?q=duc"))
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // No token, no search.
    let r = app
        .client
        .get(app.url("/api/v1/search?q=duc"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

async fn search_follows_writes_and_deletes(app: TestApp) {
    let (c1, _) = communes();
    let tok = token(&app, "tinh", Role::ProvinceOfficer, vec![]).await;
    assert_eq!(search(&app, &tok, "Phạm Minh Tuấn").await["total"], 0);
    let id = create(&app, &tok, person("Phạm Minh Tuấn", &c1, "AU")).await;
    // Saved: findable in the very next request.
    assert_eq!(ids(&search(&app, &tok, "pham minh tuan").await), vec![id]);
    // Renamed: found by the new name, not by the old one.
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/people/{id}")))
        .bearer_auth(&tok)
        .header("If-Match", "\"1\"")
        .header("Content-Type", "application/merge-patch+json")
        .body(json!({"full_name": "Phạm Minh Khoa"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(ids(&search(&app, &tok, "pham minh khoa").await), vec![id]);
    assert!(!ids(&search(&app, &tok, "tuan").await).contains(&id));
    // Deleted: gone from the next search.
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/people/{id}?reason=duplicate")))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(search(&app, &tok, "pham minh khoa").await["total"], 0);
}

async fn second_server_sees_writes_of_the_first(app: TestApp) {
    let (c1, _) = communes();
    let tok = token(&app, "tinh", Role::ProvinceOfficer, vec![]).await;
    let second = format!("http://{}", app.spawn_second_server().await);
    // The second server builds its index now, before the write.
    let v = search_at(&app, &second, &tok, &[("q", "Võ Thị Sáu")]).await;
    assert_eq!(v["total"], 0);
    let id = create(&app, &tok, person("Võ Thị Sáu", &c1, "FR")).await;
    let v = search_at(&app, &second, &tok, &[("q", "vo thi sau")]).await;
    assert_eq!(ids(&v), vec![id]);
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/people/{id}?reason=test")))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let v = search_at(&app, &second, &tok, &[("q", "vo thi sau")]).await;
    assert_eq!(v["total"], 0);
}

async fn reindex_is_idempotent(app: TestApp) {
    let (tok, duc, _, _) = seed(&app).await;
    let before = search(&app, &tok, "nguyen").await;
    let a = app.app.search.rebuild(&app.app).await.unwrap();
    let b = app.app.search.rebuild(&app.app).await.unwrap();
    assert_eq!(a, b);
    assert_eq!(a.indexed, 3);
    assert_eq!(app.app.search.len(), 3);
    // Catching up with nothing new changes nothing.
    let c = app.app.search.catch_up(&app.app).await.unwrap();
    assert_eq!((c.rows, c.indexed), (0, 3));
    let after = search(&app, &tok, "nguyen").await;
    assert_eq!(ids(&before), ids(&after));
    assert_eq!(before["total"], after["total"]);
    assert_eq!(ids(&search(&app, &tok, "C1234567").await), vec![duc]);
}

async fn search_page_shows_live_results_and_exports(app: TestApp) {
    let (tok, duc, _, mai) = seed(&app).await;
    let (c1, _) = communes();
    // A record whose text a spreadsheet would run.
    let mut evil = person("Nguyễn Văn Hùng", &c1, "US");
    evil["city_abroad"] = json!("=HYPERLINK(\"http://x\")");
    evil["other_names"] = json!(["@SUM(A1)"]);
    let evil = create(&app, &tok, evil).await;
    app.add_user(
        "xa_officer",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c1)],
    )
    .await;
    let r = app.sign_in(&app.client, "xa_officer", PASSWORD).await;
    assert!(r.status().is_redirection());
    // The page: search box with live results.
    let html = app
        .client
        .get(app.url("/search"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("hx-trigger=\"keyup changed delay:200ms"));
    assert!(html.contains("href=\"/search\""));
    // Live results: a fragment with highlights and the total.
    let r = app
        .client
        .get(app.url("/search?q=nguyen+duc"))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let frag = r.text().await.unwrap();
    assert!(!frag.contains("<html"));
    assert!(
        frag.contains("<mark>Nguyễn</mark> Văn <mark>Đức</mark>"),
        "{frag}"
    );
    assert!(frag.contains(&format!("/people/{duc}")));
    assert!(frag.contains("data-testid=\"search-count\""));
    // Outside the commune: never listed.
    let frag = app
        .client
        .get(app.url("/search?q=mai"))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!frag.contains(&format!("/people/{mai}")));
    assert!(!frag.contains("Trần"));
    // xlsx export, read back.
    let r = app
        .client
        .get(app.url("/search/export.xlsx?q=nguyen"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range("search").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    // Columns named and values shown in words (the page's language).
    let header = &rows[0];
    let t = web::i18n::Tr::default();
    let col = |name: &str| header.iter().position(|h| *h == t.field(name)).unwrap();
    assert!(header.iter().all(|h| !h.contains('_')), "{header:?}");
    let evil_row = rows
        .iter()
        .find(|r| r[0] == evil.to_string())
        .expect("the record is exported");
    assert_eq!(evil_row[col("city_abroad")], "'=HYPERLINK(\"http://x\")");
    assert_eq!(evil_row[col("other_names")], "'@SUM(A1)");
    let duc_row = rows.iter().find(|r| r[0] == duc.to_string()).unwrap();
    assert_eq!(duc_row[col("phone")], "'+14085550101");
    assert_ne!(duc_row[col("passport_no")], "C1234567");
    assert!(rows.iter().all(|r| r[0] != mai.to_string()));
    assert!(
        rows.iter()
            .skip(1)
            .all(|r| !r[col("full_name")].starts_with('='))
    );
    // CSV export.
    let r = app
        .client
        .get(app.url("/search/export.csv?q=nguyen"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text().await.unwrap();
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
    assert!(!csv.contains(",=") && !csv.contains(",+") && !csv.contains(",@"));
    assert!(!csv.contains("Trần"));
    assert!(!csv.contains("C1234567"));
    // Exports are audited.
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action IN \
         ('person.search_export_xlsx', 'person.search_export_csv')",
    )
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(n, 2);
}

async fn search_box_shows_live_results_in_the_browser(app: TestApp) {
    let (_, duc, _, mai) = seed(&app).await;
    let (c1, _) = communes();
    app.add_user(
        "xa_browser",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c1)],
    )
    .await;
    let b = crate::browser::Browser::start().await;
    b.sign_in(&app.url(""), "xa_browser", PASSWORD).await;
    b.goto(&app.url("/search")).await;
    // Typing runs the search (htmx, 200 ms after the last key): no submit.
    b.type_into("input[name=q]", "nguyen duc").await;
    b.find("#search-results mark").await;
    let row = b.text("#search-results tbody tr").await;
    assert!(row.contains("Nguyễn Văn Đức"), "{row}");
    assert!(b.text("[data-testid=search-count]").await.contains(": 1"));
    let link = b
        .find(&format!("#search-results a[href='/people/{duc}']"))
        .await;
    assert!(!link.is_empty());
    // Every kind of query, as staff meet it, lists its person first: case
    // and diacritics, another order, a typo, a missing or an extra
    // syllable, another name, passport, phone in any format, e-mail.
    for (q, want) in [
        ("ĐỨC", "Nguyễn Văn Đức"),
        ("Duc Nguyen Van", "Nguyễn Văn Đức"),
        ("Ngyen Van Duc", "Nguyễn Văn Đức"),
        ("Nguyen Duc", "Nguyễn Văn Đức"),
        ("Nguyen Thi Thu Ha", "Nguyễn Thu Hà"),
        ("Kevin Nguyen", "Nguyễn Văn Đức"),
        ("smith", "Nguyễn Thu Hà"),
        ("c 1234567", "Nguyễn Văn Đức"),
        ("+1 (408) 555-0101", "Nguyễn Văn Đức"),
        ("0084 912 345 678", "Nguyễn Thu Hà"),
        ("DUC.NGUYEN@example.COM", "Nguyễn Văn Đức"),
    ] {
        let url = reqwest::Url::parse_with_params(&app.url("/search"), &[("q", q)]).unwrap();
        b.goto(url.as_str()).await;
        let first = b.text("#search-results tbody tr").await;
        assert!(first.contains(want), "{q}: {first}");
    }
    // Someone outside the commune is not listed, not even counted.
    b.goto(&app.url("/search?q=tran+thi+mai")).await;
    let count = b.text("[data-testid=search-count]").await;
    assert!(count.ends_with(": 0"), "{count}");
    let page = b.text("main").await;
    assert!(!page.contains("Trần Thị Mai"));
    assert!(!page.contains(&format!("/people/{mai}")));
    let logs = b.severe_logs().await;
    assert!(
        logs.iter().all(|m| !m.contains("Content Security Policy")),
        "CSP violations: {logs:?}"
    );
}

/// Issue 17 §4: a year, a date or a country in the query narrows the name
/// search, a country word that may be a given name is read as a name
/// first, and a name typed as Telex or VNI keystrokes is found.
async fn search_narrows_by_year_date_and_country_and_reads_keystrokes(app: TestApp) {
    let (c1, _) = communes();
    let tok = token(&app, "tinh", Role::ProvinceOfficer, vec![]).await;
    let add = async |name: &str, born: &str, country: &str| {
        let mut p = person(name, &c1, country);
        p["birth_date"] = json!(born);
        create(&app, &tok, p).await
    };
    let hien_jp = add("Nguyễn Thị Hiền", "1979-03-12", "JP").await;
    let hien_de = add("Trần Thu Hiền", "1985-07-01", "DE").await;
    let hien_us = add("Lê Thị Hiền", "1979-11-30", "US").await;
    let duc_us = add("Nguyễn Văn Đức", "1970", "US").await;
    let tran = add("Trần Văn Lâm", "1990-05-20", "US").await;
    let sorted = |v: &Value| {
        let mut got = ids(v);
        got.sort_unstable();
        got
    };
    // Before: "Hiền 1979" found no one (1979 was taken as a name syllable).
    let v = search(&app, &tok, "Hiền 1979").await;
    assert_eq!(sorted(&v), vec![hien_jp, hien_us], "{v}");
    assert_eq!(v["narrowed"]["birth_years"], json!([1979]));
    assert_eq!(search(&app, &tok, "hien 12/03/1979").await["total"], 1);
    assert_eq!(
        ids(&search(&app, &tok, "hien 12/03/1979").await),
        vec![hien_jp]
    );
    assert_eq!(ids(&search(&app, &tok, "Hiền 1-7-85").await), vec![hien_de]);
    // A country, in Vietnamese or English, with its usual variants.
    for (q, want) in [
        ("Hiền Nhật Bản", hien_jp),
        ("Hiền Nhật", hien_jp),
        ("Hiền Japan", hien_jp),
        ("Hiền Hoa Kỳ", hien_us),
        ("Hiền Mỹ", hien_us),
        ("Hiền USA", hien_us),
        ("Hiền CHLB Đức", hien_de),
        ("Hiền, Đức", hien_de),
        ("Hiền Đức 1985", hien_de),
    ] {
        let v = search(&app, &tok, q).await;
        assert_eq!(ids(&v), vec![want], "{q}: {v}");
    }
    let v = search(&app, &tok, "Hiền CHLB Đức").await;
    assert_eq!(v["narrowed"]["country"], "DE");
    // "Đức" as a given name: the Đức in the United States, no country read.
    let v = search(&app, &tok, "Nguyễn Văn Đức").await;
    assert_eq!(ids(&v).first(), Some(&duc_us), "{v}");
    assert_eq!(v["items"][0]["kind"], "exact");
    assert_eq!(v["narrowed"]["country"], Value::Null);
    // Keystrokes of an input method left in: Telex and VNI.
    for q in [
        "Nguyeenx Vawn Dduwcs",
        "Tra62n Va8n La6m",
        "traanf vawn laam",
    ] {
        let v = search(&app, &tok, q).await;
        let want = if q.starts_with("Nguy") { duc_us } else { tran };
        assert_eq!(ids(&v).first(), Some(&want), "{q}: {v}");
        assert_eq!(v["items"][0]["kind"], "exact", "{q}");
    }
    // A typo: the neighbouring key's name before the commoner one.
    let v = search(&app, &tok, "Trần Văn Lsm").await;
    assert_eq!(ids(&v).first(), Some(&tran), "{v}");
    // The page says what narrowed the search, as a person reads it.
    app.add_user("tinh_page", Role::ProvinceOfficer, vec![])
        .await;
    let r = app.sign_in(&app.client, "tinh_page", PASSWORD).await;
    assert!(r.status().is_redirection());
    let html = app
        .client
        .get(app.url("/search"))
        .query(&[("q", "Hiền 12/03/1979 Nhật Bản")])
        .header("hx-request", "true")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Đã thu hẹp theo: năm sinh 12/03/1979 · Nhật Bản"),
        "{html}"
    );
}
