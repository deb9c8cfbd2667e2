//! The XSS corpus (issue 26, "attacks that run on every change"): payloads
//! in every text field of every record type — people, relatives,
//! households, imported lists (file name, round, cells), API tokens, user
//! display names — rendered in Chromium on every page that shows them:
//! nothing executes, nothing is parsed into markup, no CSP violation.

use std::fmt::Write as _;

use serde_json::Value;

use crate::browser::Browser;
use crate::dual;
use crate::helpers::{PASSWORD, TestApp};

/// Each payload, if it ever ran, would set `window.__xss`; if it were ever
/// parsed as markup it would leave an element with an `on…` attribute, a
/// `javascript:` link, a frame or a script — all looked for on each page.
const PAYLOADS: &[&str] = &[
    "<script>window.__xss=1</script>",
    "\"><img src=x onerror=\"window.__xss=2\">",
    "'><svg onload=window.__xss=3>",
    "javascript:window.__xss=4",
    "</textarea><script>window.__xss=5</script>",
    "\" autofocus onfocus=\"window.__xss=6",
    "<iframe srcdoc=\"<script>parent.__xss=7</script>\"></iframe>",
    "<a href=\"javascript:window.__xss=8\">bấm</a>",
    "</title><script>window.__xss=9</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=10>",
    "{{7*7}}${7*7}<%= 7*7 %>",
    "<!--<script>window.__xss=11</script>-->",
    "<details open ontoggle=window.__xss=12>",
    "\u{202e}<scr<script>ipt>window.__xss=13</script>",
];

fn payload(i: usize) -> String {
    PAYLOADS[i % PAYLOADS.len()].to_owned()
}

/// What the page shows of an injection: the flag, elements with event
/// handlers, `javascript:` links, frames and scripts that are not ours.
pub(crate) const PROBE: &str = r"
const handlers = [...document.querySelectorAll('*')]
  .filter(e => [...e.attributes].some(a => a.name.toLowerCase().startsWith('on')))
  .map(e => e.outerHTML.slice(0, 160));
const links = [...document.querySelectorAll('[href], [src], [action], [formaction]')]
  .filter(e => ['href', 'src', 'action', 'formaction']
    .some(n => (e.getAttribute(n) || '').trim().toLowerCase().startsWith('javascript:')))
  .map(e => e.outerHTML.slice(0, 160));
const frames = [...document.querySelectorAll('iframe, frame, object, embed')]
  .map(e => e.outerHTML.slice(0, 160));
const scripts = [...document.scripts]
  .filter(s => (s.text || '').includes('__xss'))
  .map(s => s.outerHTML.slice(0, 160));
return {flag: window.__xss || null, handlers, links, frames, scripts};
";

dual!(payloads_in_every_text_field_never_run_in_chromium);

async fn payloads_in_every_text_field_never_run_in_chromium(app: TestApp) {
    let officer_id = app
        .add_user("sonv", domain::Role::ProvinceOfficer, vec![])
        .await;
    sqlx::query("UPDATE users SET display_name = $1 WHERE id = $2")
        .bind(payload(1))
        .bind(officer_id)
        .execute(&app.app.db.pool)
        .await
        .unwrap();
    let officer = app::accounts::users::actor_for(&app.app, officer_id)
        .await
        .unwrap();
    let commune = domain::geo::new_communes_of("42")[0].code;
    // A person with a payload in every free-text field.
    let mut n = 0;
    let mut next = || {
        n += 1;
        Some(payload(n))
    };
    let input = app::registry::people::PersonInput {
        full_name: next(),
        other_names: Some(vec![payload(2), payload(3)]),
        category: Some("contract_labour".into()),
        country: Some("KR".into()),
        region_abroad: next(),
        city_abroad: next(),
        address_abroad: next(),
        hometown_code: Some(commune.into()),
        phone: Some("+82 10 1234 5678".into()),
        occupation: next(),
        education: next(),
        expertise: next(),
        enterprise: next(),
        notes: next(),
        social: Some(vec![payload(7)]),
        remittance: next(),
        ..app::registry::people::PersonInput::default()
    };
    let person = app::registry::people::create(&app.app, &officer, &input)
        .await
        .unwrap();
    // A relative and the household it makes.
    let relative = app::registry::relatives::RelativeInput {
        head_name: Some(payload(4)),
        address: Some(payload(5)),
        commune_code: Some(commune.into()),
        full_name: Some(payload(6)),
        relationship: Some("parent".into()),
        notes: Some(payload(8)),
        ..app::registry::relatives::RelativeInput::default()
    };
    let rel = app::registry::relatives::add_relative(&app.app, &officer, person.id, &relative)
        .await
        .unwrap();
    // An imported list: payloads in the file name, the round and the cells.
    let token = app::accounts::tokens::create_token(
        &app.app,
        &officer,
        officer_id,
        &payload(9),
        &["read", "write"],
        30,
    )
    .await
    .unwrap();
    let mut csv = String::from("Họ và tên,Nước,Năm sinh,Nghề nghiệp,Ghi chú\n");
    for i in 0..PAYLOADS.len() {
        let quoted = |s: String| format!("\"{}\"", s.replace('"', "\"\""));
        let _ = writeln!(
            csv,
            "{},Hàn Quốc,1980,{},{}",
            quoted(payload(i)),
            quoted(payload(i + 1)),
            quoted(payload(i + 2)),
        );
    }
    let r = app
        .client
        .post(app.url("/api/v1/imports"))
        .query(&[
            ("source", "police"),
            ("survey_round", payload(10).as_str()),
            ("file_name", "<img src=x onerror=window.__xss=20>.csv"),
        ])
        .bearer_auth(&token)
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    let import: Value = r.json().await.unwrap();
    let import_id = import["id"].as_i64().unwrap();
    for _ in 0..200 {
        let s = app::intake::import::get(&app.app, &officer, import_id)
            .await
            .unwrap();
        if !matches!(s.status.as_str(), "queued" | "reading" | "validating") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    let b = Browser::start().await;
    b.sign_in(&app.url(""), "sonv", PASSWORD).await;
    let search = format!(
        "/search?q={}",
        form_urlencoded::byte_serialize(PAYLOADS[1].as_bytes()).collect::<String>()
    );
    let people_q = format!(
        "/people?q={}",
        form_urlencoded::byte_serialize(PAYLOADS[5].as_bytes()).collect::<String>()
    );
    let pages = [
        "/work".to_owned(),
        "/people".to_owned(),
        people_q,
        format!("/people/{}", person.id),
        format!("/people/{}/edit", person.id),
        format!("/households/{}", rel.household_id),
        search,
        "/imports".to_owned(),
        format!("/imports/{import_id}"),
        "/profile".to_owned(),
        "/dashboard".to_owned(),
        "/audit".to_owned(),
    ];
    let mut seen = 0;
    for page in &pages {
        b.goto(&app.url(page)).await;
        let v = b.script(PROBE).await;
        assert!(v["flag"].is_null(), "{page}: a payload ran: {v}");
        for kind in ["handlers", "links", "frames", "scripts"] {
            assert_eq!(
                v[kind].as_array().map_or(0, Vec::len),
                0,
                "{page}: injected {kind}: {}",
                v[kind]
            );
        }
        // The payloads are shown as text where the page shows the field.
        let text = b.script("return document.body.innerText;").await;
        seen += PAYLOADS
            .iter()
            .filter(|p| text.as_str().unwrap_or("").contains(&p[..12.min(p.len())]))
            .count();
        let logs = b.severe_logs().await;
        assert!(
            logs.iter().all(|m| !m.contains("Content Security Policy")),
            "{page}: CSP violations: {logs:?}"
        );
    }
    // The probe itself sees an injection: markup parsed from the payloads
    // (as a page that failed to escape them would) is caught.
    let v = b
        .script(&format!(
            "const d = document.createElement('div'); d.innerHTML = {}; document.body.append(d); {PROBE}",
            serde_json::to_string(&PAYLOADS.concat()).unwrap()
        ))
        .await;
    for kind in ["handlers", "links", "frames"] {
        assert!(
            v[kind].as_array().is_some_and(|a| !a.is_empty()),
            "the probe misses injected {kind}: {v}"
        );
    }
    assert!(
        seen > PAYLOADS.len(),
        "the payloads were rendered as text ({seen})"
    );
}
