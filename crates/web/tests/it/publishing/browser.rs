//! In Chromium: an editor writes an article in both languages and previews
//! it, a publisher schedules it, the scheduled task publishes it at its
//! time, and a visitor finds it by searching without diacritics in
//! Vietnamese and in English. An article holding the XSS corpus in its
//! Markdown renders inert. Screenshots at a desktop's and a phone's width
//! when `KIEUBAO_SCREENSHOT_DIR` is set.

use crate::browser::Browser;
use crate::dual;
use crate::helpers::TestApp;

dual!(an_article_is_written_previewed_scheduled_published_and_found);

const PASSWORD: &str = "demo password for the publishing test";

/// Markdown an editor might paste, each line an attack.
const CORPUS: &str = "Mở đầu an toàn.\n\n\
<script>window.__xss=1</script>\n\n\
<img src=x onerror=\"window.__xss=2\">\n\n\
[bấm vào đây](javascript:window.__xss=3)\n\n\
<svg onload=window.__xss=4><circle r=5></circle></svg>\n\n\
![ảnh](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9IndpbmRvdy5fX3hzcz01Ij48L3N2Zz4=)\n\n\
<a href=\"data:text/html,<script>window.__xss=6</script>\">dữ liệu</a>\n\n\
<iframe srcdoc=\"<script>parent.__xss=7</script>\"></iframe>\n\n\
<details open ontoggle=window.__xss=8>chi tiết</details>\n\n\
<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=9>\n\n\
<a href=\"JaVaScRiPt:window.__xss=10\">hoa thường</a>\n\n\
Kết thúc an toàn.";

async fn shot(b: &Browser, app: &TestApp, name: &str) {
    let Ok(dir) = std::env::var("KIEUBAO_SCREENSHOT_DIR") else {
        return;
    };
    for (w, h) in [(1366, 900), (390, 844)] {
        b.set_window(w, h).await;
        std::fs::write(
            std::path::Path::new(&dir).join(format!("publishing-{name}-{w}-{:?}.png", app.backend)),
            b.screenshot().await,
        )
        .unwrap();
    }
    b.set_window(1280, 900).await;
}

async fn an_article_is_written_previewed_scheduled_published_and_found(app: TestApp) {
    app::demo_data::ensure_demo(&app.app, Some(PASSWORD), 20, 7)
        .await
        .unwrap();
    let b = Browser::start().await;
    // The public home, as anyone sees it.
    b.goto(&app.url("/")).await;
    assert!(b.text("main h1").await.contains("kiều bào"));
    shot(&b, &app, "home").await;

    // The editor writes in both languages.
    b.sign_in(&app.url(""), "bientap", PASSWORD).await;
    assert!(b.url().await.ends_with("/work"), "staff land on /work");
    b.goto(&app.url("/content/new?kind=news")).await;
    b.type_into("#f-title_vi", "Lễ hội làng Đức Thọ đón kiều bào")
        .await;
    b.type_into("#f-summary_vi", "Kiều bào về quê dự lễ hội truyền thống.")
        .await;
    b.type_into(
        "#f-body_vi",
        "Lễ hội có **rước kiệu** và hát ví giặm.\n\n- Ngày thứ nhất\n- Ngày thứ hai",
    )
    .await;
    b.type_into(
        "#f-title_en",
        "Duc Tho village festival welcomes overseas Vietnamese",
    )
    .await;
    b.type_into(
        "#f-body_en",
        "The festival has a **procession** and *ví giặm* singing.",
    )
    .await;
    shot(&b, &app, "form").await;
    b.click("[data-testid=content-save]").await;
    // The form's own address (/content/new) holds "/content/" too: wait
    // for the saved article's number.
    assert!(
        b.wait_url_where(|u| u
            .rsplit('/')
            .next()
            .is_some_and(|last| last.parse::<i64>().is_ok()))
            .await
    );
    let url = b.url().await;
    let id: i64 = url.rsplit('/').next().unwrap().parse().unwrap();
    // The preview shows the article as a visitor will, marked as a preview.
    b.click("[data-testid=content-preview]").await;
    assert!(b.wait_url(&format!("/content/{id}/preview/vi")).await);
    assert!(
        b.text("[data-testid=preview-banner]")
            .await
            .contains("xem trước")
    );
    assert_eq!(b.text("main h1").await, "Lễ hội làng Đức Thọ đón kiều bào");
    assert!(b.find("[data-testid=article-body] strong").await.len() > 1);
    shot(&b, &app, "preview").await;
    b.goto(&app.url(&format!("/content/{id}"))).await;
    b.click("[data-testid=step-submit]").await;
    assert!(
        b.wait_text("[data-testid=content-facts]", |t| t.contains("Chờ duyệt"))
            .await
            .contains("Chờ duyệt")
    );
    assert!(
        b.script("return document.querySelector('[data-testid=step-publish]') === null")
            .await
            .as_bool()
            .unwrap_or(false),
        "an editor has no publish button"
    );
    b.click("header form[action='/logout'] button").await;
    assert!(b.wait_url("/login").await);

    // The publisher schedules it for an hour from now (Vietnam time).
    b.sign_in(&app.url(""), "duyetdang", PASSWORD).await;
    b.goto(&app.url(&format!("/content/{id}"))).await;
    let at = time::OffsetDateTime::now_utc().to_offset(app::clock::display_offset())
        + time::Duration::hours(1);
    let local = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    );
    b.script(&format!(
        "document.querySelector('[data-testid=content-publish-at]').value = '{local}'; return 1;"
    ))
    .await;
    b.click("[data-testid=step-schedule]").await;
    let facts = b
        .wait_text("[data-testid=content-facts]", |t| {
            t.contains("Đã hẹn giờ đăng")
        })
        .await;
    assert!(
        facts.contains(&format!("{:02}:{:02}", at.hour(), at.minute())),
        "{facts}"
    );
    shot(&b, &app, "desk").await;

    // Not public before its time; published by the scheduled task after it.
    b.goto(&app.url("/tim-kiem?q=le+hoi+duc+tho")).await;
    assert!(
        !b.text("main")
            .await
            .contains("Lễ hội làng Đức Thọ đón kiều bào")
    );
    assert!(
        app::publishing::content::publish_due(&app.app)
            .await
            .unwrap()
            .is_empty()
    );
    app.app.clock.advance(time::Duration::hours(2));
    assert_eq!(
        app::publishing::content::publish_due(&app.app)
            .await
            .unwrap(),
        vec![id]
    );

    // A visitor searches without diacritics, in Vietnamese, from the header.
    b.goto(&app.url("/")).await;
    b.type_into("header .site-search input[name=q]", "le hoi duc tho")
        .await;
    b.click("header .site-search button").await;
    assert!(b.wait_url_contains("/tim-kiem?q=").await);
    let hits = b.text("[data-testid=site-hits]").await;
    assert!(hits.contains("Lễ hội làng Đức Thọ đón kiều bào"), "{hits}");
    assert!(b.find("[data-testid=site-hits] mark").await.len() > 1);
    shot(&b, &app, "search-vi").await;
    b.click("[data-testid=site-hits] h2 a").await;
    assert!(b.wait_url_contains("/tin-tuc/").await);
    assert_eq!(b.text("main h1").await, "Lễ hội làng Đức Thọ đón kiều bào");
    shot(&b, &app, "article-vi").await;
    // The English switch leads to the English text; search in English.
    b.click("a.lang-switch").await;
    assert!(b.wait_url_contains("/en/news/").await);
    assert_eq!(
        b.text("main h1").await,
        "Duc Tho village festival welcomes overseas Vietnamese"
    );
    shot(&b, &app, "article-en").await;
    b.goto(&app.url("/en/search?q=duc+tho+festival")).await;
    let hits = b.text("[data-testid=site-hits]").await;
    assert!(hits.contains("Duc Tho village festival"), "{hits}");
    shot(&b, &app, "search-en").await;
    // The legal library with its filters, and a document replaced by another.
    b.goto(&app.url("/van-ban?field=property")).await;
    assert!(b.text("main").await.contains("31/2024/QH15"));
    shot(&b, &app, "library").await;

    // The XSS corpus in an article's Markdown renders inert.
    let publisher: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'duyetdang'")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    let actor = app::accounts::users::actor_for(&app.app, publisher)
        .await
        .unwrap();
    let item = app::publishing::content::create(
        &app.app,
        &actor,
        &app::publishing::content::ContentInput {
            kind: Some("news".into()),
            title_vi: Some("Bài thử mã độc".into()),
            body_vi: Some(CORPUS.into()),
            title_en: Some("Malicious markup test".into()),
            body_en: Some(CORPUS.into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let item = app::publishing::content::transition(
        &app.app,
        &actor,
        item.id,
        item.version,
        &app::publishing::content::TransitionInput {
            step: Some("publish".into()),
            publish_at: None,
        },
    )
    .await
    .unwrap();
    for lang in ["vi", "en"] {
        let slug = if lang == "vi" {
            &item.vi.text.slug
        } else {
            &item.en.as_ref().unwrap().text.slug
        };
        let page = app::publishing::public::url("news", lang, slug, item.published_at.as_deref());
        b.goto(&app.url(&page)).await;
        assert!(
            b.text("[data-testid=article-body]")
                .await
                .contains("Mở đầu an toàn.")
        );
        let v = b.script(crate::xss::PROBE).await;
        assert!(v["flag"].is_null(), "{page}: a payload ran: {v}");
        for kind in ["handlers", "links", "frames", "scripts"] {
            assert_eq!(
                v[kind].as_array().map_or(0, Vec::len),
                0,
                "{page}: injected {kind}: {}",
                v[kind]
            );
        }
        let hidden = b
            .script(
                "return [...document.querySelectorAll('[data-testid=article-body] svg, \
                 [data-testid=article-body] [src^=\"data:\"], [data-testid=article-body] [href^=\"data:\"], \
                 [data-testid=article-body] style, [data-testid=article-body] math')].length",
            )
            .await;
        assert_eq!(
            hidden.as_i64(),
            Some(0),
            "{page}: svg, data: or style survived"
        );
        let logs = b.severe_logs().await;
        assert!(
            logs.iter().all(|m| !m.contains("Content Security Policy")),
            "{page}: CSP violations: {logs:?}"
        );
    }
}
