//! Words, not codes (issue 21): every page of the route table, as each role
//! and in both languages, shows no `snake_case` code, no dotted message key and
//! no ISO date or timestamp to a person, and at a phone's width (390 px) no
//! page scrolls sideways — read from what Chromium renders
//! (`document.body.innerText`), on the demo accounts and people plus the
//! things the demo does not make by itself (an edit, a deletion, a merge, an
//! import, a saved report).

use serde_json::{Value, json};

use crate::browser::Browser;
use crate::dual;
use crate::helpers::TestApp;

dual!(no_page_shows_a_code_a_key_or_an_iso_date);
// The accessibility sweep runs on SQLite only: the markup a page gets does
// not depend on the database behind it, and this sweep (seven roles × every
// page × two widths under axe-core) is the longest test of the suite. What a
// database does change — the values shown — is swept on both databases by
// `no_page_shows_a_code_a_key_or_an_iso_date`, and every page's flows have
// their own `dual!` tests.
mod every_page_is_accessible_and_fits_a_phone {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::every_page_is_accessible_and_fits_a_phone(
            crate::helpers::spawn_app(db::Backend::Sqlite).await,
        )
        .await;
    }
}

const PASSWORD: &str = "demo password for the words test";
/// The unsubscribe link the sweep opens.
const UNSUBSCRIBE_TOKEN: &str = "the-words-test-unsubscribe-token";

/// The roles a person signs in as: province officer, commune officer,
/// agency, leader, administrator, editor, publisher (demo accounts).
const ACCOUNTS: [&str; 7] = [
    "sonv",
    "canbo.xa",
    "congan",
    "lanhdao",
    "admin",
    "bientap",
    "duyetdang",
];

/// Whether the page is wider than the window, and if so the elements that
/// stick out (tag, class, width) for the one who fixes it.
const SIDEWAYS: &str = r#"
const w = window.innerWidth;
if (document.documentElement.scrollWidth <= w) return "";
const out = [];
for (const el of document.querySelectorAll("body *")) {
  const r = el.getBoundingClientRect();
  if (r.right > w + 1 && r.width > 0) {
    const parent = el.parentElement && el.parentElement.getBoundingClientRect();
    if (parent && parent.right > w + 1 && el.parentElement !== document.body) continue;
    out.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(r.width)}px`);
  }
  if (out.length > 4) break;
}
return `page ${document.documentElement.scrollWidth}px wide: ${out.join(", ")}`;
"#;

/// What is looked for in the visible text, with the exceptions that are not
/// codes: e-mail addresses (`nguyen_van_a@example.com` is how people write
/// them), addresses on the web (`https://...`) and file names
/// (`danh_sach_2025.xlsx`, the name the file was uploaded under).
const FIND_CODES: &str = r#"
const text = document.body ? document.body.innerText : "";
const rules = [
  [/\b[a-z]+_[a-z_]+\b/g, "snake_case code"],
  [/\b[a-z]+\.[a-z_]+\.[a-z_.]+\b/g, "message key"],
  [/\d{4}-\d{2}-\d{2}/g, "ISO date"],
];
const word = (i, len) => {
  let a = i, b = i + len;
  while (a > 0 && !/\s/.test(text[a - 1])) a--;
  while (b < text.length && !/\s/.test(text[b])) b++;
  return text.slice(a, b);
};
const allowed = (w) =>
  w.includes("@") ||                                   // an e-mail address
  /^[(<]?https?:\/\//.test(w) ||                       // a web address
  /\.(xlsx|xls|ods|csv|docx|pdf)\b/i.test(w);          // a file's name
const found = [];
for (const [re, what] of rules) {
  for (const m of text.matchAll(re)) {
    const w = word(m.index, m[0].length);
    if (allowed(w)) continue;
    const around = text.slice(Math.max(0, m.index - 40), m.index + m[0].length + 40).replace(/\s+/g, " ");
    found.push(`${what} «${m[0]}» in «${around}»`);
  }
}
return found;
"#;

async fn json_of(r: reqwest::Response) -> Value {
    let status = r.status();
    let text = r.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// What the page tests open: every GET page of the route table with its
/// ids filled, plus pages the demo does not make by itself.
struct Prepared {
    pages: Vec<String>,
    edited: i64,
    merged: i64,
    association: String,
    pair: Option<i64>,
    /// The demo person's data-subject request (issue 23 §5) and petition (§7).
    portal_request: i64,
    portal_petition: i64,
}

async fn prepare(app: &TestApp) -> Prepared {
    app::demo_data::ensure_demo(&app.app, Some(PASSWORD), 60, 7)
        .await
        .unwrap();
    let pool = &app.app.db.pool;
    let sonv: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'sonv'")
        .fetch_one(pool)
        .await
        .unwrap();
    let actor = app::accounts::users::actor_for(&app.app, sonv)
        .await
        .unwrap();
    let tok =
        app::accounts::tokens::create_token(&app.app, &actor, sonv, "t", &["read", "write"], 1)
            .await
            .unwrap();
    let api = |method: reqwest::Method, path: &str| {
        app.client.request(method, app.url(path)).bearer_auth(&tok)
    };

    // What the demo does not make: an edit (history with field names), a
    // deletion, a merge (history "merged into"), a saved report, an import
    // from the Fatherland Front.
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM persons ORDER BY id LIMIT 3")
        .fetch_all(pool)
        .await
        .unwrap();
    let (edited, deleted, merged) = (ids[0], ids[1], ids[2]);
    let ids_more: Vec<i64> = sqlx::query_scalar("SELECT id FROM persons ORDER BY id DESC LIMIT 1")
        .fetch_all(pool)
        .await
        .unwrap();
    json_of(
        api(reqwest::Method::PATCH, &format!("/api/v1/people/{edited}"))
            .header("If-Match", "\"1\"")
            .json(&json!({"occupation": "Kỹ sư cầu đường", "birth_date": "1980-05-04"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    json_of(
        api(
            reqwest::Method::DELETE,
            &format!("/api/v1/people/{deleted}?reason=Tr%C3%B9ng%20h%E1%BB%93%20s%C6%A1"),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    let edited_v: i64 = sqlx::query_scalar("SELECT version FROM persons WHERE id = $1")
        .bind(edited)
        .fetch_one(pool)
        .await
        .unwrap();
    json_of(
        api(reqwest::Method::POST, "/api/v1/merges")
            .json(&json!({"kept_id": edited, "merged_id": merged,
                          "kept_version": edited_v, "merged_version": 1}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    // A second record of someone, for the scan to propose as a pair.
    let twin = json_of(
        api(
            reqwest::Method::GET,
            &format!("/api/v1/people/{}", ids_more[0]),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    let copy: serde_json::Map<String, Value> = [
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
    json_of(
        api(reqwest::Method::POST, "/api/v1/people")
            .json(&copy)
            .send()
            .await
            .unwrap(),
    )
    .await;
    // The scan, run to its end (the API's scan is a background job).
    app::intake::matching::scan(&app.app, &actor).await.unwrap();
    let spec = app::stats::PivotSpec::from_pairs(&[
        ("rows".to_owned(), "country".to_owned()),
        ("cols".to_owned(), "category".to_owned()),
    ])
    .unwrap();
    let report = app::stats::saved::save(&app.app, &actor, "Theo nước và nhóm", &spec)
        .await
        .unwrap();
    let csv = "Họ và tên;Ngày sinh;Quốc gia;Quê quán\n\
               Nguyễn Văn Tường;05/03/1990;Hàn Quốc;Thạch Long, Thạch Hà, Hà Tĩnh\n\
               Trần Thị Mơ;1991;Nhật Bản;Xóm Zzyzx\n";
    let import = json_of(
        api(
            reqwest::Method::POST,
            "/api/v1/imports?source=fatherland_front&survey_round=2025&file_name=ds_mttq.csv",
        )
        .body(csv)
        .send()
        .await
        .unwrap(),
    )
    .await;
    let import_id = import["id"].as_i64().unwrap();

    // An association's account, whose scope is shown by the association's name.
    let (association_id, association): (i64, String) =
        sqlx::query_as("SELECT id, name FROM associations ORDER BY id LIMIT 1")
            .fetch_one(pool)
            .await
            .unwrap();
    app.add_user(
        "hoidonghuong",
        domain::Role::Association,
        vec![app::accounts::users::Scope::new(
            "association",
            &association_id.to_string(),
        )],
    )
    .await;

    // The ids each page of the table is opened with.
    let one = |sql: &'static str| async move {
        sqlx::query_scalar::<_, Option<i64>>(sql)
            .fetch_one(pool)
            .await
            .unwrap()
    };
    let household = one("SELECT MIN(id) FROM households").await;
    let pair =
        one("SELECT MIN(id) FROM match_pairs WHERE status = 'pending' AND explanation <> '[]'")
            .await;
    let decided = one("SELECT MIN(id) FROM match_pairs WHERE status <> 'pending'").await;
    // The demo's claim and correction waiting on the portal (issue 23).
    let portal_claim = one("SELECT MIN(id) FROM portal_claims").await;
    let portal_change = one("SELECT MIN(id) FROM portal_changes").await;
    let portal_request = one("SELECT MIN(id) FROM portal_requests").await;
    let portal_petition = one("SELECT MIN(id) FROM portal_petitions").await;
    // The demo's newsletter, and a delivery of it to the demo's person
    // abroad whose unsubscribe link the sweep opens (issue 24 §8).
    let newsletter = one("SELECT MIN(id) FROM newsletters").await;
    sqlx::query(
        "INSERT INTO newsletter_deliveries (newsletter_id, account_id, unsubscribe_hash, state, \
         next_attempt_at) SELECT $1, MIN(id), $2, 'sent', '2026-01-01T00:00:00Z' FROM portal_accounts",
    )
    .bind(newsletter)
    .bind(app::accounts::secret::token_hash(UNSUBSCRIBE_TOKEN))
    .execute(pool)
    .await
    .unwrap();
    // The demo's events (issue 22 §5).
    let event = one("SELECT MIN(id) FROM events").await;
    // Enterprises, projects and contributions of the demo (issue 22 §2–§3).
    let project = one("SELECT MIN(id) FROM investment_projects").await;
    let enterprise = one("SELECT MIN(id) FROM enterprises").await;
    let contribution = one("SELECT MIN(id) FROM contributions").await;
    // The demo's received exchange file (issue 25 §2).
    let exchange = one("SELECT MIN(id) FROM exchanges WHERE direction = 'import'").await;
    assert!(exchange.is_some(), "the demo's exchange");
    assert!(
        portal_claim.is_some() && portal_change.is_some(),
        "the portal's demo"
    );
    assert!(
        household.is_some() && pair.is_some(),
        "a household and a pair to show"
    );
    // Published content (the demo's): a procedure guide on the desk, and a
    // page of each kind in both languages on the public site.
    let content = one("SELECT MIN(id) FROM content_items WHERE kind = 'procedure'")
        .await
        .unwrap_or_default();
    let mut public_pages = Vec::new();
    for kind in ["news", "policy", "procedure", "legal_document"] {
        for lang in ["vi", "en"] {
            let (slug, published): (String, Option<String>) = sqlx::query_as(
                "SELECT t.slug, c.published_at FROM content_items c JOIN content_translations t \
                 ON t.item_id = c.id AND t.lang = $1 WHERE c.kind = $2 AND c.state = 'published' \
                 ORDER BY c.id LIMIT 1",
            )
            .bind(lang)
            .bind(kind)
            .fetch_one(pool)
            .await
            .unwrap();
            public_pages.push(app::publishing::public::url(
                kind,
                lang,
                &slug,
                published.as_deref(),
            ));
        }
    }
    let fill = |path: &str| -> Option<String> {
        let id = |n: Option<i64>| n.map(|n| n.to_string());
        let mut p = path.to_owned();
        if p.starts_with("/people/{id}") {
            p = p.replace("{id}", &edited.to_string());
        } else if p.starts_with("/households/") {
            p = p.replace("{id}", &id(household)?);
        } else if p.starts_with("/imports/") {
            p = p.replace("{id}", &import_id.to_string());
        } else if p.starts_with("/review/pairs/") {
            p = p.replace("{id}", &id(pair)?);
        } else if p.starts_with("/reports/") {
            p = p.replace("{id}", &report.to_string());
        } else if p.starts_with("/events/") {
            p = p.replace("{id}", &id(event)?);
        } else if p.starts_with("/associations/") {
            p = p.replace("{id}", &association_id.to_string());
        } else if p.starts_with("/content/newsletters/") {
            p = p.replace("{id}", &id(newsletter)?);
        } else if p.starts_with("/kieu-bao/unsubscribe/") {
            p = p.replace("{token}", UNSUBSCRIBE_TOKEN);
        } else if p.starts_with("/investment/projects/") {
            p = p.replace("{id}", &id(project)?);
        } else if p.starts_with("/investment/enterprises/") {
            p = p.replace("{id}", &id(enterprise)?);
        } else if p.starts_with("/investment/contributions/") {
            p = p.replace("{id}", &id(contribution)?);
        } else if p.starts_with("/content/") {
            p = p
                .replace("{id}", &content.to_string())
                .replace("{lang}", "vi");
        } else if p.starts_with("/portal/claims/") {
            p = p.replace("{id}", &id(portal_claim)?);
        } else if p.starts_with("/portal/changes/") {
            p = p.replace("{id}", &id(portal_change)?);
        } else if p.starts_with("/portal/requests/") || p.starts_with("/kieu-bao/requests/") {
            p = p.replace("{id}", &id(portal_request)?);
        } else if p.starts_with("/portal/petitions/") || p.starts_with("/kieu-bao/petitions/") {
            p = p.replace("{id}", &id(portal_petition)?);
        } else if p.starts_with("/exchange/imports/") {
            p = p.replace("{id}", &id(exchange)?);
        }
        (!p.contains('{')).then_some(p)
    };
    let mut pages: Vec<String> = web::routes::table()
        .iter()
        .filter(|r| r.method == "GET")
        .filter(|r| {
            // Pages a person reads; not the API, files to download, probes,
            // static files, the language switch, the pickers' fragments
            // (option lists) or a progress fragment the import page holds.
            let p = r.path;
            !(p.starts_with("/api/")
                || p.starts_with("/static/")
                || p.starts_with("/lang/")
                || p.starts_with("/people/pick/")
                || p.starts_with("/associations/pick/")
                || p.starts_with("/investment/pick/")
                || matches!(p, "/healthz" | "/readyz" | "/metrics")
                || p.ends_with("/progress")
                || p.contains("template/")
                || p.starts_with("/feeds/")
                || p.starts_with("/exchange/files/")
                || p == "/exchange/export"
                || [".xlsx", ".docx", ".pdf", ".csv", ".xml", ".json"]
                    .iter()
                    .any(|x| p.ends_with(x)))
        })
        .filter_map(|r| fill(r.path))
        .collect();
    // The deleted and the merged record, and a search that finds people.
    pages.push(format!("/people/{deleted}"));
    pages.push(format!("/people/{merged}"));
    pages.push("/search?q=nguyen".to_owned());
    if let Some(decided) = decided {
        pages.push(format!("/review/pairs/{decided}"));
    }
    pages.push("/people?sort=birth_date".to_owned());
    pages.extend(public_pages);
    pages.push("/tim-kiem?q=quoc+tich".to_owned());
    pages.push("/en/search?q=nationality".to_owned());
    pages.push(format!("/content/{content}/preview/en"));
    pages.sort();
    pages.dedup();
    assert!(pages.len() > 20, "pages of the table: {pages:?}");

    Prepared {
        pages,
        edited,
        merged,
        association,
        pair,
        portal_request: portal_request.unwrap_or_default(),
        portal_petition: portal_petition.unwrap_or_default(),
    }
}

async fn no_page_shows_a_code_a_key_or_an_iso_date(app: TestApp) {
    let Prepared {
        pages,
        edited,
        merged,
        association,
        pair,
        portal_request,
        portal_petition,
    } = prepare(&app).await;
    let b = Browser::start().await;
    let mut problems = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for account in ACCOUNTS {
        b.sign_in(&app.url(""), account, PASSWORD).await;
        // Values rendered from the database (dates, names, counts) are
        // what differ between the backends: PostgreSQL is swept in
        // Vietnamese, SQLite in both languages.
        let langs: &[&str] = if app.backend == db::Backend::Postgres {
            &["vi"]
        } else {
            &["vi", "en"]
        };
        for &lang in langs {
            b.goto(&app.url(&format!("/lang/{lang}"))).await;
            for page in &pages {
                b.goto(&app.url(page)).await;
                if lang == "vi" {
                    let text = b.script("return document.body.innerText").await;
                    seen.insert(
                        format!("{account} {page}"),
                        text.as_str().unwrap_or_default().to_owned(),
                    );
                }
                let found = b.script(FIND_CODES).await;
                for f in found.as_array().into_iter().flatten() {
                    problems.push(format!(
                        "{account} {lang} {page}: {}",
                        f.as_str().unwrap_or_default()
                    ));
                }
            }
        }
        b.goto(&app.url("/lang/vi")).await;
        // For a person to look at: every page at a desktop's and a phone's
        // width, as this account (only when asked; the checks above hold).
        if let Ok(dir) = std::env::var("KIEUBAO_SCREENSHOT_DIR") {
            for (w, h) in [(1366, 900), (390, 844)] {
                b.set_window(w, h).await;
                for page in &pages {
                    b.goto(&app.url(page)).await;
                    let name: String = page
                        .chars()
                        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                        .collect();
                    std::fs::write(
                        std::path::Path::new(&dir)
                            .join(format!("words-{account}-{name}-{w}-{:?}.png", app.backend)),
                        b.screenshot().await,
                    )
                    .unwrap();
                }
            }
            b.set_window(1280, 900).await;
        }
        // The last page may be a public one, without the staff's header.
        b.goto(&app.url("/work")).await;
        b.click("header form[action='/logout'] button").await;
        assert!(b.wait_url("/login").await, "{account} signed out");
    }
    // The portal as the demo's person abroad, in both languages.
    b.goto(&app.url("/kieu-bao/login")).await;
    b.type_into("input[name=email]", app::portal::demo::DEMO_ACCOUNT)
        .await;
    b.type_into("input[name=password]", PASSWORD).await;
    b.click("button[type=submit]").await;
    assert!(
        b.wait_url("/kieu-bao/record").await,
        "the demo's person signs in"
    );
    for lang in ["vi", "en"] {
        b.goto(&app.url(&format!("/lang/{lang}"))).await;
        for page in web::routes::table()
            .iter()
            .filter(|r| r.method == "GET" && r.path.starts_with("/kieu-bao"))
            .filter(|r| ![".json", ".pdf"].iter().any(|x| r.path.ends_with(x)))
            // Files to download (a petition's attachments).
            .filter(|r| !r.path.contains("{file_id}"))
        {
            // The demo person's own request (issue 23 §5) and petition (§7).
            let own_id = if page.path.starts_with("/kieu-bao/petitions/") {
                portal_petition
            } else {
                portal_request
            };
            let path = page
                .path
                .replace("{id}", &own_id.to_string())
                .replace("{token}", UNSUBSCRIBE_TOKEN);
            b.goto(&app.url(&path)).await;
            if lang == "vi" {
                let text = b.script("return document.body.innerText").await;
                seen.insert(
                    format!("portal {}", page.path),
                    text.as_str().unwrap_or_default().to_owned(),
                );
            }
            for f in b.script(FIND_CODES).await.as_array().into_iter().flatten() {
                problems.push(format!(
                    "portal {lang} {}: {}",
                    page.path,
                    f.as_str().unwrap_or_default()
                ));
            }
        }
    }
    let own = seen
        .get("portal /kieu-bao/record")
        .cloned()
        .unwrap_or_default();
    assert!(
        own.contains("Đang chờ xem xét"),
        "the demo's correction shows: {own}"
    );
    // The pages said what the codes mean (the test looked at real pages,
    // not at error pages or empty lists).
    let text = |page: &str| {
        seen.get(&format!("sonv {page}"))
            .cloned()
            .unwrap_or_default()
    };
    // Scopes by name: a commune, an agency, an association.
    let users = seen.get("admin /admin/users").cloned().unwrap_or_default();
    assert!(
        users.contains("Cơ quan: Công an tỉnh")
            && users.contains(&format!("Hội đồng hương: {association}")),
        "{users}"
    );
    let record = text(&format!("/people/{edited}"));
    assert!(
        record.contains("Sửa: Ngày sinh, Nghề nghiệp") && record.contains("04/05/1980"),
        "{record}"
    );
    assert!(
        record.contains(&format!("Gộp vào đây hồ sơ #{merged}")),
        "{record}"
    );
    let gone = text(&format!("/people/{merged}"));
    assert!(
        gone.contains(&format!("Đã gộp vào hồ sơ #{edited}")),
        "{gone}"
    );
    let audit = text("/audit");
    assert!(
        audit.contains(&format!(
            "sonv đã sửa hồ sơ #{edited}: Ngày sinh, Nghề nghiệp"
        )),
        "{audit}"
    );
    assert!(text("/imports").contains("Ủy ban MTTQ"));
    // The pair's score explained in words.
    let pair_page = text(&format!("/review/pairs/{}", pair.unwrap_or_default()));
    assert!(pair_page.contains("Giống nhau"), "{pair_page}");
    assert!(
        problems.is_empty(),
        "{} codes, keys or ISO dates shown:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// axe-core (vendored, run in Chromium) finds no violation of any rule, of
/// any impact, on any page of the table, as each role, at a desktop's and a
/// phone's width; and at 390 px no page scrolls sideways (a wide table
/// becomes cards, or scrolls inside its own box).
async fn every_page_is_accessible_and_fits_a_phone(app: TestApp) {
    let Prepared { pages, .. } = prepare(&app).await;
    let b = Browser::start().await;
    let mut problems = Vec::new();
    for account in ACCOUNTS {
        b.sign_in(&app.url(""), account, PASSWORD).await;
        for (w, h) in [(390, 844), (1366, 900)] {
            b.set_window(w, h).await;
            for page in &pages {
                b.goto(&app.url(page)).await;
                if w < 500 {
                    let wide = b.script(SIDEWAYS).await;
                    if let Some(x) = wide.as_str().filter(|x| !x.is_empty()) {
                        problems.push(format!("{account} {w}px {page}: {x}"));
                    }
                }
                for v in b.axe_violations().await {
                    problems.push(format!("{account} {w}px {page}: axe {v}"));
                }
            }
        }
        b.set_window(1280, 900).await;
        b.goto(&app.url("/work")).await;
        b.click("header form[action='/logout'] button").await;
        assert!(b.wait_url("/login").await, "{account} signed out");
    }
    assert!(
        problems.is_empty(),
        "{} pages too wide for a phone or with accessibility violations:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

// ------------------------------------------------------------------ exports

dual!(exports_show_words_and_day_first_dates);

/// Codes, keys and ISO dates in a document's text, as the page test looks
/// for them; the same exceptions (e-mail and web addresses, file names).
fn codes_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for token in text.split(|c: char| c.is_whitespace() || ",;\"'()<>".contains(c)) {
        if token.contains('@')
            || token.contains("://")
            || [".xlsx", ".xls", ".ods", ".csv", ".docx", ".pdf"]
                .iter()
                .any(|x| token.to_lowercase().contains(x))
        {
            continue;
        }
        let b = token.as_bytes();
        let iso = (0..b.len().saturating_sub(9)).any(|i| {
            let d = |j: usize| b[i + j].is_ascii_digit();
            d(0) && d(1)
                && d(2)
                && d(3)
                && b[i + 4] == b'-'
                && d(5)
                && d(6)
                && b[i + 7] == b'-'
                && d(8)
                && d(9)
        });
        let word = |w: &str| {
            w.split('_')
                .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_lowercase()))
        };
        let snake = token
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|w| w.contains('_') && word(w));
        let key = token.trim_end_matches(['.', ':']).split('.').count() >= 3
            && token
                .trim_end_matches(['.', ':'])
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_lowercase() || c == b'_'));
        if iso || snake || key {
            found.push(token.to_owned());
        }
    }
    found
}

/// Every cell of every sheet of a workbook, from the first column `from` on.
fn xlsx_text(bytes: &[u8], from: usize) -> String {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut out = String::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        for row in range.rows() {
            for cell in row.iter().skip(from) {
                out.push_str(&cell.to_string());
                out.push('\n');
            }
        }
    }
    out
}

/// The text of a Word document (its runs, tags dropped).
fn docx_text(bytes: &[u8]) -> String {
    use std::io::Read as _;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let mut text = String::new();
    let mut inside = false;
    for c in xml.chars() {
        match c {
            '<' => {
                inside = true;
                text.push(' ');
            }
            '>' => inside = false,
            c if !inside => text.push(c),
            _ => {}
        }
    }
    text
}

async fn exports_show_words_and_day_first_dates(app: TestApp) {
    app::demo_data::ensure_demo(&app.app, Some(PASSWORD), 60, 7)
        .await
        .unwrap();
    let get = |client: reqwest::Client, path: String| {
        let url = app.url(&path);
        async move {
            let r = client.get(url).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            r.bytes().await.unwrap().to_vec()
        }
    };
    let sonv = TestApp::new_client();
    app.sign_in(&sonv, "sonv", PASSWORD).await;
    let admin = TestApp::new_client();
    app.sign_in(&admin, "admin", PASSWORD).await;
    let report = "rows=country&cols=category&title=Theo%20n%C6%B0%E1%BB%9Bc";
    let mut documents = vec![
        (
            "report xlsx",
            xlsx_text(
                &get(sonv.clone(), format!("/reports/export.xlsx?{report}")).await,
                0,
            ),
        ),
        (
            "report docx",
            docx_text(&get(sonv.clone(), format!("/reports/export.docx?{report}")).await),
        ),
        (
            "report pdf",
            crate::stats::pivots::pdf_text(
                &get(sonv.clone(), format!("/reports/export.pdf?{report}")).await,
            ),
        ),
        (
            "search xlsx",
            xlsx_text(
                &get(sonv.clone(), "/search/export.xlsx?q=nguyen".into()).await,
                0,
            ),
        ),
        (
            "search csv",
            String::from_utf8(get(sonv.clone(), "/search/export.csv?q=nguyen".into()).await)
                .unwrap(),
        ),
        (
            // The stored columns stay as stored (to check the chain); the
            // columns for people come after them.
            "audit xlsx",
            xlsx_text(
                &get(admin.clone(), "/audit/export.xlsx".into()).await,
                app::audit::EXPORT_HEADER.len(),
            ),
        ),
    ];
    for (what, text) in &mut documents {
        assert!(text.len() > 100, "{what}: {text}");
        let found = codes_in(text);
        assert!(found.is_empty(), "{what} shows {found:?}");
    }
    // "Figures as of" the day and time, day first.
    let today = app::clock::show_as_of(&app::clock::now());
    let day = &today[..10];
    for (what, text) in &documents[..3] {
        assert!(text.contains(day), "{what} lacks {day}: {text}");
    }
    assert!(documents[0].1.contains("Số liệu tính đến"));
}
