use crate::dual;
use crate::helpers::TestApp;

dual!(
    two_servers_share_sessions_and_the_audit_chain,
    health_and_readiness_answer,
    unknown_page_is_a_translated_404,
    anonymous_home_redirects_to_sign_in,
    language_switch_goes_back_only_to_a_page_of_the_site
);

async fn health_and_readiness_answer(app: TestApp) {
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // Ready once the in-memory indexes are built (at once on an empty database).
    let mut ready = None;
    for _ in 0..100 {
        let r = app.client.get(app.url("/readyz")).send().await.unwrap();
        if r.status() == 200 {
            ready = Some(r.text().await.unwrap());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(ready.as_deref(), Some("ready"));
    assert!(app.app.search.is_built() && app.app.stats.is_built());
    // Every connection taken (and with it the write lock): not ready, said
    // within the readiness time-out; ready again once they are back.
    let max = app.app.db.pool.options().get_max_connections();
    let mut held = Vec::new();
    for _ in 0..max {
        held.push(app.app.db.pool.acquire().await.unwrap());
    }
    let started = std::time::Instant::now();
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.text().await.unwrap(), "not ready: database not writable");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    drop(held);
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

async fn unknown_page_is_a_translated_404(app: TestApp) {
    let r = app
        .client
        .get(app.url("/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("Không tìm thấy"));
    let r = app
        .client
        .get(app.url("/api/v1/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

async fn anonymous_home_redirects_to_sign_in(app: TestApp) {
    let r = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login");
}

async fn two_servers_share_sessions_and_the_audit_chain(app: TestApp) {
    app.add_user("admin", domain::Role::Admin, vec![]).await;
    let second = app.spawn_second_server().await;
    // Sign in on the first server, browse on the second with the same cookie.
    let r = app
        .sign_in(&app.client, "admin", crate::helpers::PASSWORD)
        .await;
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let r = TestApp::new_client()
        .get(format!("http://{second}/"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Audit rows written concurrently by both servers form one intact chain.
    let actor = app::Actor::system("test");
    let other = app::App::new(
        db::Db::connect(&app.db_url, 4).await.unwrap(),
        app.app.settings.clone(),
    );
    let mut tasks = Vec::new();
    for i in 0..20 {
        let server = if i % 2 == 0 {
            app.app.clone()
        } else {
            other.clone()
        };
        let actor = actor.clone();
        tasks.push(tokio::spawn(async move {
            app::audit::record(
                &server,
                &actor,
                app::audit::Event::new("test.concurrent", "thing", &i),
            )
            .await
            .unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert!(matches!(
        app::audit::verify(&app.app).await.unwrap(),
        app::audit::Verification::Intact { .. }
    ));
}

/// Issue 26, finding 1: `next` is resolved as a browser would resolve it;
/// what lands elsewhere (a tab or newline in `//`, a backslash, a scheme)
/// goes to `/`, and a control character never makes a 500.
async fn language_switch_goes_back_only_to_a_page_of_the_site(app: TestApp) {
    for (next, want) in [
        ("%2F%09%2Fevil.example", "/"),
        ("%2F%0A%2Fevil.example", "/"),
        ("%2F%0D%0A%2Fevil.example", "/"),
        ("//evil.example", "/"),
        ("%2F%5Cevil.example", "/"),
        ("%5C%5Cevil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/%2F%2Fevil.example", "/"),
        ("/people%3Fq%3DNguy%E1%BB%85n", "/people?q=Nguy%E1%BB%85n"),
        ("/imports/3", "/imports/3"),
    ] {
        let r = app
            .client
            .get(app.url(&format!("/lang/en?next={next}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{next}");
        assert_eq!(r.headers()["location"], want, "{next}");
    }
}
