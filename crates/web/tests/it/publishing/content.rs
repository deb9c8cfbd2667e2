//! The editorial desk and the public site on SQLite and PostgreSQL: who may
//! write, submit, publish; what anonymous visitors see (published items
//! only, with `ETag` and 304); scheduled publishing at its time and once
//! with two servers; the legal library's links and filters; search with
//! the Vietnamese folding; refused input naming its field.

use domain::Role;
use serde_json::{Value, json};

use crate::dual;
use crate::helpers::{PASSWORD, TestApp};

dual!(
    editor_writes_publisher_publishes_and_visitors_see_it,
    commune_officer_proposes_and_cannot_publish,
    scheduled_item_appears_at_its_time_and_is_published_once,
    legal_library_shows_links_and_filters,
    search_folds_marks_and_escapes,
    bad_input_names_the_field,
    an_article_shows_related_items_of_its_kind,
);

/// A user of `role` with a read-write token.
pub(super) async fn user(
    app: &TestApp,
    name: &str,
    role: Role,
    scopes: Vec<app::accounts::users::Scope>,
) -> String {
    let id = app.add_user(name, role, scopes).await;
    let actor = app::accounts::users::actor_for(&app.app, id).await.unwrap();
    app::accounts::tokens::create_token(&app.app, &actor, id, "t", &["read", "write"], 1)
        .await
        .unwrap()
}

pub(super) async fn call(
    app: &TestApp,
    tok: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
    if_match: Option<i64>,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut r = reqwest::Client::new()
        .request(method, app.url(path))
        .bearer_auth(tok);
    if let Some(b) = body {
        r = r.json(&b);
    }
    if let Some(v) = if_match {
        r = r.header("If-Match", format!("\"{v}\""));
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        headers,
    )
}

pub(super) async fn step(
    app: &TestApp,
    tok: &str,
    id: i64,
    version: i64,
    step: &str,
) -> (u16, Value) {
    let (s, v, _) = call(
        app,
        tok,
        reqwest::Method::POST,
        &format!("/api/v1/content/{id}/transition"),
        Some(json!({"step": step})),
        Some(version),
    )
    .await;
    (s, v)
}

pub(super) async fn anonymous(app: &TestApp, path: &str) -> (u16, String) {
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url(path))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

pub(super) fn news(title: &str) -> Value {
    json!({
        "kind": "news",
        "category": "community",
        "tags": "Tết, kiều bào",
        "title_vi": title,
        "summary_vi": "Gặp mặt kiều bào đón Tết.",
        "body_vi": "Chương trình **Xuân quê hương** tại [Hà Tĩnh](https://hatinh.gov.vn).",
    })
}

async fn editor_writes_publisher_publishes_and_visitors_see_it(app: TestApp) {
    let editor = user(&app, "bientap", Role::Editor, vec![]).await;
    let publisher = user(&app, "duyetdang", Role::Publisher, vec![]).await;
    let (s, item, h) = call(
        &app,
        &editor,
        reqwest::Method::POST,
        "/api/v1/content",
        Some(news("Xuân quê hương 2027")),
        None,
    )
    .await;
    assert_eq!(s, 201, "{item}");
    assert_eq!(h["etag"], "\"1\"");
    let id = item["id"].as_i64().unwrap();
    assert_eq!(item["state"], "draft");
    assert_eq!(item["vi"]["slug"], "xuan-que-huong-2027");
    assert!(
        item["vi"]["body_html"]
            .as_str()
            .unwrap()
            .contains("rel=\"noopener nofollow noreferrer\""),
        "{item}"
    );
    // Not on the public site while a draft; an editor cannot publish.
    let (s, _) = anonymous(&app, "/tin-tuc").await;
    assert_eq!(s, 200);
    assert!(
        !anonymous(&app, "/tin-tuc")
            .await
            .1
            .contains("Xuân quê hương 2027")
    );
    assert!(
        !anonymous(&app, "/tim-kiem?q=xuan")
            .await
            .1
            .contains("Xuân quê hương 2027")
    );
    let (s, v) = step(&app, &editor, id, 1, "publish").await;
    assert_eq!(s, 403, "{v}");
    let (s, v) = step(&app, &editor, id, 1, "submit").await;
    assert_eq!((s, v["state"].as_str()), (200, Some("in_review")), "{v}");
    // A stale version is refused; then the publisher publishes.
    let (s, _) = step(&app, &publisher, id, 1, "publish").await;
    assert_eq!(s, 412);
    let (s, v) = step(&app, &publisher, id, 2, "publish").await;
    assert_eq!((s, v["state"].as_str()), (200, Some("published")), "{v}");
    // The editor can no longer change a published item; the publisher can.
    let (s, _, _) = call(
        &app,
        &editor,
        reqwest::Method::PATCH,
        &format!("/api/v1/content/{id}"),
        Some(json!({"summary_vi": "Khác"})),
        Some(3),
    )
    .await;
    assert_eq!(s, 403);
    let url = app::publishing::public::url(
        "news",
        "vi",
        "xuan-que-huong-2027",
        v["published_at"].as_str(),
    );
    assert!(url.starts_with("/tin-tuc/"), "{url}");
    let r = reqwest::Client::new()
        .get(app.url(&url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("public")
    );
    let html = r.text().await.unwrap();
    assert!(html.contains("<h1>Xuân quê hương 2027</h1>"), "{html}");
    assert!(html.contains("<strong>Xuân quê hương</strong>"));
    assert!(html.contains("property=\"og:title\" content=\"Xuân quê hương 2027\""));
    assert!(
        html.contains("Cộng đồng kiều bào"),
        "the category by its label"
    );
    // If-None-Match: 304, no body.
    let r = reqwest::Client::new()
        .get(app.url(&url))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);
    // Under another month: sent to its own address.
    let (s, _) = anonymous(&app, "/tin-tuc/2001/01/xuan-que-huong-2027").await;
    assert_eq!(s, 308);
    // The English address of an item without English text says so and
    // links to the Vietnamese page.
    let en = url.replacen("/tin-tuc/", "/en/news/", 1);
    let (s, body) = anonymous(&app, &en).await;
    assert_eq!(s, 200);
    assert!(
        body.contains("data-testid=\"untranslated\"") && body.contains(&url),
        "{body}"
    );
    // Home, list, sitemap and feed show it.
    for page in ["/", "/tin-tuc", "/sitemap.xml", "/feeds/tin-tuc"] {
        let (s, body) = anonymous(&app, page).await;
        assert_eq!(s, 200, "{page}");
        assert!(body.contains("xuan-que-huong-2027"), "{page}: {body}");
    }
    // Every version with who and when; every change audited.
    let (s, versions, _) = call(
        &app,
        &editor,
        reqwest::Method::GET,
        &format!("/api/v1/content/{id}/versions"),
        None,
        None,
    )
    .await;
    assert_eq!(s, 200);
    let who: Vec<(&str, &str)> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["summary"].as_str().unwrap(), v["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        who,
        vec![
            ("published", "duyetdang"),
            ("submitted", "bientap"),
            ("created", "bientap")
        ]
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'content' AND entity_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(audited, 3);
    // Archived: gone from the public site.
    let (s, _) = step(&app, &publisher, id, 3, "archive").await;
    assert_eq!(s, 200);
    assert_eq!(anonymous(&app, &url).await.0, 404);
}

async fn commune_officer_proposes_and_cannot_publish(app: TestApp) {
    let communes = domain::geo::new_communes_of("42");
    let scope = vec![app::accounts::users::Scope::new(
        "new_commune",
        communes[0].code,
    )];
    let commune = user(&app, "canbo", Role::CommuneOfficer, scope).await;
    let editor = user(&app, "bientap", Role::Editor, vec![]).await;
    let mission = user(
        &app,
        "daisu",
        Role::Mission,
        vec![app::accounts::users::Scope::new("country", "JP")],
    )
    .await;
    // The commune officer proposes through the page's form.
    let browser = TestApp::new_client();
    app.sign_in(&browser, "canbo", PASSWORD).await;
    let form = browser
        .get(app.url("/content/new?kind=news"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::helpers::extract_csrf(&form);
    let r = browser
        .post(app.url("/content"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "news"),
            ("title_vi", "Xã tổ chức gặp mặt con em xa quê"),
            ("body_vi", "Nội dung"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let id: i64 = r.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/content/")
        .parse()
        .unwrap();
    // A refused form names the field, in words.
    let r = browser
        .post(app.url("/content"))
        .form(&[("csrf", csrf.as_str()), ("kind", "news"), ("title_vi", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("data-field=\"title_vi\""), "{html}");
    // The commune officer cannot publish, nor schedule, even their own.
    for s in ["publish", "schedule"] {
        let (status, v) = step(&app, &commune, id, 1, s).await;
        assert_eq!(status, 403, "{s}: {v}");
    }
    let page = browser
        .get(app.url(&format!("/content/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-testid=\"step-submit\"") && !page.contains("step-publish"));
    let (status, _) = step(&app, &commune, id, 1, "submit").await;
    assert_eq!(status, 200);
    // Once submitted, no longer theirs to change.
    let (status, _, _) = call(
        &app,
        &commune,
        reqwest::Method::PATCH,
        &format!("/api/v1/content/{id}"),
        Some(json!({"body_vi": "Khác"})),
        Some(2),
    )
    .await;
    assert_eq!(status, 403);
    // Another's draft is not found for a commune officer; a mission has no desk.
    let (_, other, _) = call(
        &app,
        &editor,
        reqwest::Method::POST,
        "/api/v1/content",
        Some(news("Bản nháp của biên tập viên")),
        None,
    )
    .await;
    let other = other["id"].as_i64().unwrap();
    let (status, _, _) = call(
        &app,
        &commune,
        reqwest::Method::GET,
        &format!("/api/v1/content/{other}"),
        None,
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, list, _) = call(
        &app,
        &commune,
        reqwest::Method::GET,
        "/api/v1/content",
        None,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let (status, _, _) = call(
        &app,
        &mission,
        reqwest::Method::GET,
        "/api/v1/content",
        None,
        None,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, _) = call(
        &app,
        &mission,
        reqwest::Method::POST,
        "/api/v1/content",
        Some(news("Không được")),
        None,
    )
    .await;
    assert_eq!(status, 403);
    // Anonymous: no desk, no preview, no draft on the site.
    let (status, _) = anonymous(&app, &format!("/content/{id}/preview/vi")).await;
    assert_eq!(status, 303);
    let (status, _) = anonymous(&app, "/content").await;
    assert_eq!(status, 303);
    let (_, site) = anonymous(&app, "/tin-tuc").await;
    assert!(!site.contains("Xã tổ chức gặp mặt"));
    // The editor sees the submitted item, previews it, sends it back.
    let b2 = TestApp::new_client();
    app.sign_in(&b2, "bientap", PASSWORD).await;
    let preview = b2
        .get(app.url(&format!("/content/{id}/preview/vi")))
        .send()
        .await
        .unwrap();
    assert_eq!(preview.headers()["cache-control"], "no-store");
    let preview = preview.text().await.unwrap();
    assert!(
        preview.contains("data-testid=\"preview-banner\"")
            && preview.contains("Xã tổ chức gặp mặt")
    );
    let (status, _) = step(&app, &editor, id, 2, "return").await;
    assert_eq!(status, 200);
}

async fn scheduled_item_appears_at_its_time_and_is_published_once(app: TestApp) {
    let publisher = user(&app, "duyetdang", Role::Publisher, vec![]).await;
    let (_, item, _) = call(
        &app,
        &publisher,
        reqwest::Method::POST,
        "/api/v1/content",
        Some(news("Tin hẹn giờ")),
        None,
    )
    .await;
    let id = item["id"].as_i64().unwrap();
    // A time in the past is refused naming the field.
    let (s, v, _) = call(
        &app,
        &publisher,
        reqwest::Method::POST,
        &format!("/api/v1/content/{id}/transition"),
        Some(json!({"step": "schedule", "publish_at": "2001-01-01T00:00:00Z"})),
        Some(1),
    )
    .await;
    assert_eq!(
        (s, v["errors"][0]["field"].as_str()),
        (422, Some("publish_at")),
        "{v}"
    );
    let at = app::clock::in_seconds(3_600);
    let (s, v, _) = call(
        &app,
        &publisher,
        reqwest::Method::POST,
        &format!("/api/v1/content/{id}/transition"),
        Some(json!({"step": "schedule", "publish_at": at})),
        Some(1),
    )
    .await;
    assert_eq!((s, v["state"].as_str()), (200, Some("scheduled")), "{v}");
    // Not yet: nothing is due, and visitors do not see it.
    assert!(
        app::publishing::content::publish_due(&app.app)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(!anonymous(&app, "/tin-tuc").await.1.contains("Tin hẹn giờ"));
    // Two servers on the same database, both past the time, both looking
    // at once: the item is published once.
    let second = app::App::new(
        db::Db::connect(&app.db_url, 4).await.unwrap(),
        app.app.settings.clone(),
    );
    for a in [&app.app, &second] {
        a.clock.advance(time::Duration::hours(2));
    }
    let (a, b) = tokio::join!(
        app::publishing::content::publish_due(&app.app),
        app::publishing::content::publish_due(&second)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.len() + b.len(), 1, "published once: {a:?} {b:?}");
    assert!(
        app::publishing::content::publish_due(&second)
            .await
            .unwrap()
            .is_empty()
    );
    let published: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM content_versions WHERE item_id = $1 AND summary = 'published on schedule'",
    )
    .bind(id)
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(published, 1);
    let (state, published_at): (String, Option<String>) =
        sqlx::query_as("SELECT state, published_at FROM content_items WHERE id = $1")
            .bind(id)
            .fetch_one(&app.app.db.pool)
            .await
            .unwrap();
    assert_eq!(state, "published");
    assert_eq!(
        published_at.as_deref(),
        v["publish_at"].as_str(),
        "dated at its scheduled time"
    );
    // Whichever of the two servers published it, the public list shows it
    // within the pages' freshness window (5 s for another server's change).
    let mut shown = false;
    for _ in 0..70 {
        if anonymous(&app, "/tin-tuc").await.1.contains("Tin hẹn giờ") {
            shown = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(shown, "the published item is listed");
}

async fn legal_library_shows_links_and_filters(app: TestApp) {
    let publisher = user(&app, "duyetdang", Role::Publisher, vec![]).await;
    let make = |number: &str, title: &str, extra: Value| {
        let mut v = json!({
            "kind": "legal_document", "doc_number": number, "doc_type": "law",
            "issuing_body": "national_assembly", "signed_on": "29/11/2013",
            "effective_on": "01/07/2014", "field": "property", "title_vi": title,
            "title_en": format!("{title} (EN)"),
        });
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    let mut ids = Vec::new();
    for body in [
        make(
            "45/2013/QH13",
            "Luật Đất đai năm 2013",
            json!({"legal_status": "expired"}),
        ),
        make(
            "31/2024/QH15",
            "Luật Đất đai",
            json!({"replaces": ["45/2013/QH13"], "signed_on": "18/01/2024"}),
        ),
        json!({"kind": "procedure", "title_vi": "Sở hữu nhà ở", "field": "property",
               "legal_basis": ["31/2024/QH15"], "steps_vi": "1. Nộp hồ sơ", "online_url": "https://dichvucong.gov.vn"}),
    ] {
        let (s, v, _) = call(
            &app,
            &publisher,
            reqwest::Method::POST,
            "/api/v1/content",
            Some(body),
            None,
        )
        .await;
        assert_eq!(s, 201, "{v}");
        let id = v["id"].as_i64().unwrap();
        let (s, _) = step(&app, &publisher, id, 1, "publish").await;
        assert_eq!(s, 200);
        ids.push(v);
    }
    let old = &ids[0]["vi"]["slug"];
    let (s, page) = anonymous(&app, &format!("/van-ban/{}", old.as_str().unwrap())).await;
    assert_eq!(s, 200);
    assert!(
        page.contains("data-testid=\"replaced-by\"") && page.contains("31/2024/QH15"),
        "{page}"
    );
    assert!(
        page.contains("Hết hiệu lực") && page.contains("29/11/2013"),
        "{page}"
    );
    let (_, page) = anonymous(
        &app,
        &format!(
            "/en/legal-documents/{}",
            ids[1]["en"]["slug"].as_str().unwrap()
        ),
    )
    .await;
    assert!(
        page.contains("This document replaces") && page.contains("45/2013/QH13"),
        "{page}"
    );
    let (_, page) = anonymous(
        &app,
        &format!("/thu-tuc/{}", ids[2]["vi"]["slug"].as_str().unwrap()),
    )
    .await;
    assert!(
        page.contains("data-testid=\"legal-basis\"") && page.contains("31/2024/QH15"),
        "{page}"
    );
    // Filters: by status, year, body; an unknown code is named.
    let (_, list) = anonymous(&app, "/van-ban?legal_status=expired").await;
    assert!(
        list.contains("45/2013/QH13") && !list.contains("31/2024/QH15"),
        "{list}"
    );
    let (_, list) = anonymous(&app, "/van-ban?year=2024").await;
    assert!(!list.contains("45/2013/QH13") && list.contains("31/2024/QH15"));
    let (_, list) = anonymous(&app, "/van-ban?issuing_body=government").await;
    assert!(list.contains("Số kết quả: 0"), "{list}");
    let (_, list) = anonymous(&app, "/van-ban?doc_type=nope").await;
    assert!(list.contains("Loại văn bản: "), "{list}");
    // An unknown legal basis and a document replacing itself are refused.
    let (s, v, _) = call(
        &app,
        &publisher,
        reqwest::Method::POST,
        "/api/v1/content",
        Some(json!({"kind": "procedure", "title_vi": "X", "legal_basis": ["1/1999/QH10"]})),
        None,
    )
    .await;
    assert_eq!(
        (s, v["errors"][0]["field"].as_str()),
        (422, Some("legal_basis")),
        "{v}"
    );
    let (s, v, _) = call(
        &app,
        &publisher,
        reqwest::Method::POST,
        "/api/v1/content",
        Some(make(
            "9/2020/QH14",
            "Y",
            json!({"replaces": ["9/2020/QH14"]}),
        )),
        None,
    )
    .await;
    assert_eq!(
        (s, v["errors"][0]["field"].as_str()),
        (422, Some("replaces")),
        "{v}"
    );
    let (s, v, _) = call(
        &app,
        &publisher,
        reqwest::Method::POST,
        "/api/v1/content",
        Some(make("45/2013/QH13", "Trùng số", json!({}))),
        None,
    )
    .await;
    assert_eq!(
        (s, v["errors"][0]["code"].as_str()),
        (422, Some("taken")),
        "{v}"
    );
}

async fn search_folds_marks_and_escapes(app: TestApp) {
    let publisher = user(&app, "duyetdang", Role::Publisher, vec![]).await;
    let (_, v, _) = call(&app, &publisher, reqwest::Method::POST, "/api/v1/content", Some(json!({
        "kind": "news", "title_vi": "Gặp mặt kiều bào huyện Đức Thọ",
        "summary_vi": "Bà con Đức Thọ ở Đức sum họp.",
        "title_en": "Meeting the Duc Tho community", "summary_en": "People from Đức Thọ in Germany.",
    })), None).await;
    let id = v["id"].as_i64().unwrap();
    step(&app, &publisher, id, 1, "publish").await;
    for q in ["duc tho", "ĐỨC THỌ", "Đức"] {
        let (_, html) = anonymous(&app, &format!("/tim-kiem?q={}", urlencode(q))).await;
        assert!(html.contains("<mark>Đức</mark>"), "{q}: {html}");
        assert!(html.contains("Số kết quả: 1"), "{q}");
    }
    let (_, html) = anonymous(&app, "/en/search?q=duc+tho").await;
    assert!(html.contains("<mark>Duc</mark> <mark>Tho</mark>"), "{html}");
    let (_, html) = anonymous(&app, "/tim-kiem?q=%3Cscript%3Ealert(1)%3C/script%3E").await;
    assert!(
        !html.contains("<script>alert") && html.contains("alert(1)"),
        "escaped"
    );
    let (s, body) = anonymous(&app, "/api/v1/public/search?q=duc&lang=vi").await;
    assert_eq!(s, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["hits"][0]["card"]["id"], id, "{v}");
    // Drafts are never found.
    call(
        &app,
        &publisher,
        reqwest::Method::POST,
        "/api/v1/content",
        Some(json!({"kind": "news", "title_vi": "Bản nháp Đức Thọ bí mật"})),
        None,
    )
    .await;
    let (_, html) = anonymous(&app, "/tim-kiem?q=bi+mat").await;
    assert!(html.contains("Số kết quả: 0"), "{html}");
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn bad_input_names_the_field(app: TestApp) {
    let editor = user(&app, "bientap", Role::Editor, vec![]).await;
    let post = |body: Value| {
        call(
            &app,
            &editor,
            reqwest::Method::POST,
            "/api/v1/content",
            Some(body),
            None,
        )
    };
    for (body, field, code) in [
        (
            json!({"kind": "news", "title_vi": "a\u{0}b"}),
            "title_vi",
            "control_chars",
        ),
        (
            json!({"kind": "news", "title_vi": "A", "slug_vi": "Bad Slug"}),
            "slug_vi",
            "invalid_slug",
        ),
        (
            json!({"kind": "nope", "title_vi": "A"}),
            "kind",
            "invalid_code",
        ),
        (json!({"kind": "news"}), "title_vi", "required"),
        (
            json!({"kind": "news", "title_vi": "A", "summary_en": "only"}),
            "title_en",
            "required_for_translation",
        ),
        (
            json!({"kind": "procedure", "title_vi": "A", "online_url": "javascript:alert(1)"}),
            "online_url",
            "invalid_url",
        ),
        (
            json!({"kind": "news", "title_vi": "A", "colour": "red"}),
            "colour",
            "unknown_field",
        ),
        (
            json!({"kind": "legal_document", "title_vi": "A", "doc_type": "law", "issuing_body": "government", "doc_number": "1/2020/NĐ-CP", "signed_on": "31/02/2020"}),
            "signed_on",
            "invalid_date",
        ),
    ] {
        let (s, v, h) = post(body.clone()).await;
        assert_eq!(s, 422, "{body}: {v}");
        assert_eq!(h["content-type"], "application/problem+json");
        assert_eq!(
            (
                v["errors"][0]["field"].as_str(),
                v["errors"][0]["code"].as_str()
            ),
            (Some(field), Some(code)),
            "{body}: {v}"
        );
    }
    // The same slug twice: the second is numbered when made from the
    // title, refused when typed.
    let (_, a, _) = post(json!({"kind": "news", "title_vi": "Cùng tên"})).await;
    let (_, b, _) = post(json!({"kind": "news", "title_vi": "Cùng tên"})).await;
    assert_eq!(
        (a["vi"]["slug"].as_str(), b["vi"]["slug"].as_str()),
        (Some("cung-ten"), Some("cung-ten-2"))
    );
    let (s, v, _) = post(json!({"kind": "news", "title_vi": "Khác", "slug_vi": "cung-ten"})).await;
    assert_eq!((s, v["errors"][0]["code"].as_str()), (422, Some("taken")));
    // Changes need If-Match; a stale one is refused; the kind stays.
    let id = a["id"].as_i64().unwrap();
    let path = format!("/api/v1/content/{id}");
    let (s, _, _) = call(
        &app,
        &editor,
        reqwest::Method::PATCH,
        &path,
        Some(json!({"summary_vi": "x"})),
        None,
    )
    .await;
    assert_eq!(s, 428);
    let (s, v, h) = call(
        &app,
        &editor,
        reqwest::Method::PATCH,
        &path,
        Some(json!({"summary_vi": "x"})),
        Some(1),
    )
    .await;
    assert_eq!((s, h["etag"].to_str().unwrap()), (200, "\"2\""), "{v}");
    let (s, _, _) = call(
        &app,
        &editor,
        reqwest::Method::PATCH,
        &path,
        Some(json!({"summary_vi": "y"})),
        Some(1),
    )
    .await;
    assert_eq!(s, 412);
    let (s, v, _) = call(
        &app,
        &editor,
        reqwest::Method::PATCH,
        &path,
        Some(json!({"kind": "faq"})),
        Some(2),
    )
    .await;
    assert_eq!(
        (s, v["errors"][0]["field"].as_str()),
        (422, Some("kind")),
        "{v}"
    );
    let (s, v, _) = call(
        &app,
        &editor,
        reqwest::Method::POST,
        &format!("{path}/transition"),
        Some(json!({"step": "fly"})),
        Some(2),
    )
    .await;
    assert_eq!(
        (s, v["errors"][0]["field"].as_str()),
        (422, Some("step")),
        "{v}"
    );
    // An item that is not there, and one nobody may see, are not found.
    let (s, _, _) = call(
        &app,
        &editor,
        reqwest::Method::GET,
        "/api/v1/content/999999",
        None,
        None,
    )
    .await;
    assert_eq!(s, 404);
    let (s, _) = anonymous(&app, "/van-ban/khong-co").await;
    assert_eq!(s, 404);
    let (s, _) = anonymous(&app, "/feeds/nope").await;
    assert_eq!(s, 404);
}

/// An article's page lists other published items of its kind, the same
/// category first, never itself nor a draft (issue 24 §2).
async fn an_article_shows_related_items_of_its_kind(app: TestApp) {
    let editor = user(&app, "bientap", Role::Editor, vec![]).await;
    let publisher = user(&app, "duyetdang", Role::Publisher, vec![]).await;
    let mut ids = Vec::new();
    for title in [
        "Tết cộng đồng ở Nhật",
        "Tết cộng đồng ở Đức",
        "Bản nháp không đăng",
    ] {
        let (s, v, _) = call(
            &app,
            &editor,
            reqwest::Method::POST,
            "/api/v1/content",
            Some(news(title)),
            None,
        )
        .await;
        assert_eq!(s, 201, "{v}");
        ids.push(v["id"].as_i64().unwrap());
    }
    let mut first = Value::Null;
    for id in &ids[..2] {
        let (s, v) = step(&app, &publisher, *id, 1, "publish").await;
        assert_eq!(s, 200, "{v}");
        if first.is_null() {
            first = v;
        }
    }
    let url = app::publishing::public::url(
        "news",
        "vi",
        first["vi"]["slug"].as_str().unwrap(),
        first["published_at"].as_str(),
    );
    let (s, html) = anonymous(&app, &url).await;
    assert_eq!(s, 200);
    let related = &html[html.find("data-testid=\"related\"").expect("related items")..];
    assert!(related.contains("Tết cộng đồng ở Đức"), "{related}");
    assert!(
        !related.contains("Tết cộng đồng ở Nhật"),
        "not itself: {related}"
    );
    assert!(
        !related.contains("Bản nháp không đăng"),
        "not a draft: {related}"
    );
}
