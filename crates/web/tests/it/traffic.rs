//! Real traffic: clients that hang up with requests in flight (a browser
//! navigating away, a proxy time-out, a load generator stopping) must not
//! wedge the server, and must not leave half a change behind.

use std::io::Write as _;
use std::time::{Duration, Instant};

use domain::Role;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::dual;
use crate::helpers::{PASSWORD, TestApp};
use crate::registry::people::{communes, person, post, token};

dual!(aborted_requests_leave_every_route_answering_and_nothing_half_written);

/// Requests sent and abandoned.
const ABORTED: usize = 2_000;
/// Clients sending them at once.
const CLIENTS: usize = 16;

/// One raw HTTP/1.1 request (the test closes the socket itself).
fn request(method: &str, path: &str, token: &str, body: Option<&str>) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = write!(
        out,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
    );
    if let Some(b) = body {
        let _ = write!(
            out,
            "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{b}",
            b.len()
        );
    } else {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Sends `req` and hangs up at a random moment: right after sending, after
/// 0–4 ms (before, during or after the handler's write), or after the
/// first bytes of the answer.
async fn send_and_abort(addr: std::net::SocketAddr, req: Vec<u8>, mode: u8, wait_us: u64) {
    let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else {
        return;
    };
    // Reset rather than close politely: the server sees the client gone.
    let _ = s.set_linger(Some(Duration::ZERO));
    if s.write_all(&req).await.is_err() {
        return;
    }
    match mode {
        0 => {}
        1 => tokio::time::sleep(Duration::from_micros(wait_us)).await,
        _ => {
            let mut buf = [0u8; 16];
            let _ = tokio::time::timeout(Duration::from_millis(4), s.read(&mut buf)).await;
        }
    }
    drop(s);
}

/// A value for a route's path parameter.
fn fill(path: &str, person_id: i64) -> String {
    let mut out = String::new();
    for seg in path.split('/').skip(1) {
        out.push('/');
        let value = match seg {
            "{*path}" => "app.css".to_owned(),
            "{code}" => "vi".to_owned(),
            "{source}" => "police".to_owned(),
            s if s.starts_with('{') => person_id.to_string(),
            s => s.to_owned(),
        };
        out.push_str(&value);
    }
    out
}

async fn aborted_requests_leave_every_route_answering_and_nothing_half_written(app: TestApp) {
    let (c1, _) = communes();
    let tok = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write", "admin"],
    )
    .await;
    let mut ids = Vec::new();
    for i in 0..20 {
        let r = post(&app, &tok, &person(&format!("Nguyễn Văn An {i}"), &c1)).await;
        assert_eq!(r.status(), 201);
        let p: Value = r.json().await.unwrap();
        ids.push(p["id"].as_i64().unwrap());
    }
    let created_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM persons")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(created_before, 20);

    // Thousands of requests abandoned at random moments by 16 clients.
    let body = serde_json::to_string(&person("Trần Thị Bình", &c1)).unwrap();
    let started = Instant::now();
    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let (addr, tok, body, ids) = (app.addr, tok.clone(), body.clone(), ids.clone());
        clients.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(c as u64);
            for _ in 0..ABORTED / CLIENTS {
                let id = ids[rng.gen_range(0..ids.len())];
                let req = match rng.gen_range(0..5) {
                    0 => request("POST", "/api/v1/people", &tok, Some(&body)),
                    1 => request("GET", "/api/v1/search?q=nguyen%20van%20an", &tok, None),
                    2 => request("GET", "/api/v1/public/statistics", &tok, None),
                    _ => request("GET", &format!("/api/v1/people/{id}"), &tok, None),
                };
                send_and_abort(addr, req, rng.gen_range(0..3), rng.gen_range(0..4_000)).await;
            }
        }));
    }
    for c in clients {
        c.await.unwrap();
    }
    let abort_phase = started.elapsed();

    // Handlers started by abandoned requests finish on their own; wait
    // until the server says it can write again.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = app.client.get(app.url("/readyz")).send().await.unwrap();
        if r.status() == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "never ready again after the aborts"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Record reads, search and writes answer, quickly.
    let t = Instant::now();
    for id in &ids {
        let r = app
            .client
            .get(app.url(&format!("/api/v1/people/{id}")))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "record read after the aborts");
    }
    let r = app
        .client
        .get(app.url("/api/v1/search?q=nguyen"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "search after the aborts");
    for i in 0..5 {
        let r = post(&app, &tok, &person(&format!("Lê Văn Cường {i}"), &c1)).await;
        assert_eq!(r.status(), 201, "write after the aborts");
    }
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "reads and writes answered slowly after the aborts: {:?}",
        t.elapsed()
    );

    // Every GET route of the table answers without a server error, signed in
    // as a page user or with the token.
    let browser = TestApp::new_client();
    let r = app.sign_in(&browser, "lan", PASSWORD).await;
    assert_eq!(r.status(), 303);
    for route in web::routes::table() {
        if route.method != "GET" {
            continue;
        }
        let url = app.url(&fill(route.path, ids[0]));
        let r = match route.access {
            web::routes::Access::Token => app.client.get(&url).bearer_auth(&tok).send(),
            _ => browser.get(&url).send(),
        };
        let r = tokio::time::timeout(Duration::from_secs(20), r)
            .await
            .unwrap_or_else(|_| panic!("{} did not answer", route.path))
            .unwrap();
        assert!(
            !r.status().is_server_error(),
            "{} answered {} after the aborts",
            route.path,
            r.status()
        );
    }

    // Nothing half-written: every person has its first version and its
    // creation audit row, every creation audit row its person, and the
    // chain is intact.
    let pool = &app.app.db.pool;
    let without_version: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM persons p WHERE NOT EXISTS \
         (SELECT 1 FROM person_versions v WHERE v.person_id = p.id)",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(without_version, 0);
    let without_audit: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM persons p WHERE NOT EXISTS (SELECT 1 FROM audit_log a \
         WHERE a.action = 'person.create' AND a.entity_id = CAST(p.id AS TEXT))",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(without_audit, 0);
    let orphan_audit: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log a WHERE a.action = 'person.create' AND NOT EXISTS \
         (SELECT 1 FROM persons p WHERE CAST(p.id AS TEXT) = a.entity_id)",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(orphan_audit, 0);
    let created: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM persons")
        .fetch_one(pool)
        .await
        .unwrap();
    assert!(
        created > 25,
        "some abandoned creations ran to their end ({created} people)"
    );
    assert!(matches!(
        app::audit::verify(&app.app).await.unwrap(),
        app::audit::Verification::Intact { .. }
    ));
    eprintln!("{ABORTED} aborted requests in {abort_phase:?}; {created} people created in all");
}

dual!(
    every_concurrent_read_is_audited_before_its_answer,
    revocation_on_one_server_takes_effect_at_once_on_another
);

async fn views_of(app: &TestApp, id: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'person.view' AND entity_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap()
}

async fn every_concurrent_read_is_audited_before_its_answer(app: TestApp) {
    let (c1, _) = communes();
    let tok = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let r = post(&app, &tok, &person("Phạm Thị Dung", &c1)).await;
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // One at a time: the row is there when the answer arrives.
    for n in 1..=5 {
        let r = app
            .client
            .get(app.url(&format!("/api/v1/people/{id}")))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(views_of(&app, id).await, n);
    }
    // Many at once share commits (group commit), and each is recorded once.
    let mut reads = Vec::new();
    for _ in 0..200 {
        let (client, url, tok) = (
            app.client.clone(),
            app.url(&format!("/api/v1/people/{id}")),
            tok.clone(),
        );
        reads.push(tokio::spawn(async move {
            client
                .get(url)
                .bearer_auth(tok)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for r in reads {
        assert_eq!(r.await.unwrap(), 200);
    }
    assert_eq!(views_of(&app, id).await, 205);
    assert!(matches!(
        app::audit::verify(&app.app).await.unwrap(),
        app::audit::Verification::Intact { .. }
    ));
}

async fn revocation_on_one_server_takes_effect_at_once_on_another(app: TestApp) {
    let tok = token(&app, "lan", Role::ProvinceOfficer, vec![], &["read"]).await;
    let second = app.spawn_second_server().await;
    let me = |tok: String| {
        let client = app.client.clone();
        async move {
            client
                .get(format!("http://{second}/api/v1/me"))
                .bearer_auth(tok)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    // Cached by the second server...
    assert_eq!(me(tok.clone()).await, 200);
    assert_eq!(me(tok.clone()).await, 200);
    // ...revoked through the first: refused on the very next request.
    let token_id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM api_tokens")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    let admin = app::Actor::system("test");
    app::accounts::tokens::revoke_token(&app.app, &admin, token_id)
        .await
        .unwrap();
    assert_eq!(me(tok).await, 401);

    // A session resolved (and cached) by the second server ends there at
    // once when the account is disabled through the first.
    let browser = TestApp::new_client();
    let r = app.sign_in(&browser, "lan", PASSWORD).await;
    assert_eq!(r.status(), 303);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("kb_session="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let home = |cookie: String| async move {
        TestApp::new_client()
            .get(format!("http://{second}/work"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(home(cookie.clone()).await, 200);
    assert_eq!(home(cookie.clone()).await, 200);
    let user_id = app::accounts::users::id_by_username(&app.app, "lan")
        .await
        .unwrap();
    app::accounts::users::set_disabled(&app.app, &admin, user_id, true)
        .await
        .unwrap();
    assert_eq!(home(cookie).await, 303, "sent to sign in");
}
