//! Webhooks against a real HTTP receiver (a small axum server in the test):
//! signed deliveries of the changes within the subscription's account's
//! jurisdiction and kinds, a receiver down for an hour (the server's clock
//! moved on in steps) that loses nothing once it is back, in order; a test
//! event; a receiver that keeps failing ends in the dead letters, and is
//! sent again on request; refusals naming the field; the admin page.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::accounts::users::NewUser;
use app::exchange::changes::parse_cursor;
use app::exchange::webhooks::signature;
use app::{Actor, AppSettings};
use axum::http::{HeaderMap, StatusCode};
use domain::Role;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp};
use crate::registry::people::{communes, person, token};

const SECRET: &str = "s3cret-of-the-national-platform";

fn settings() -> AppSettings {
    AppSettings {
        mfa_required_for_privileged: false,
        webhooks: app::exchange::webhooks::Settings {
            poll: Duration::from_millis(20),
            backoff_base: Duration::from_secs(30),
            backoff_max: Duration::from_hours(1),
            max_attempts: 8,
            timeout: Duration::from_secs(2),
        },
        ..AppSettings::default()
    }
}

mod deliveries_survive_a_receiver_down_for_an_hour {
    use crate::helpers::spawn_app_with;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::deliveries_survive_a_receiver_down_for_an_hour(
            spawn_app_with(db::Backend::Sqlite, super::settings()).await,
        )
        .await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::deliveries_survive_a_receiver_down_for_an_hour(
            spawn_app_with(db::Backend::Postgres, super::settings()).await,
        )
        .await;
    }
}

/// What the receiver got: (delivery id, signature ok, body).
type Got = Arc<Mutex<Vec<(String, bool, Value)>>>;

/// Serves `POST /hook` (200) and `POST /fail` (500 until `heal`) on `port`.
async fn receiver(port: u16, got: Got, heal: Arc<AtomicBool>) {
    let ok = {
        let got = got.clone();
        move |headers: HeaderMap, body: axum::body::Bytes| {
            let got = got.clone();
            async move {
                let sig = headers
                    .get("x-kieubao-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let id = headers
                    .get("x-kieubao-delivery")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let good = sig == signature(SECRET, &body);
                let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                got.lock().unwrap().push((id, good, v));
                StatusCode::OK
            }
        }
    };
    let fail = move || {
        let heal = heal.clone();
        async move {
            if heal.load(Ordering::SeqCst) {
                StatusCode::NO_CONTENT
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    };
    let router = axum::Router::new()
        .route("/hook", axum::routing::post(ok))
        .route("/fail", axum::routing::post(fail));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
}

async fn count(app: &TestApp, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap()
}

/// Waits (real time) until `f` holds, for the background worker.
async fn until<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !f().await {
        assert!(started.elapsed() < Duration::from_secs(30), "{what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn advance(app: &TestApp, minutes: i64) {
    app.app.clock.advance(time::Duration::minutes(minutes));
}

async fn deliveries_survive_a_receiver_down_for_an_hour(app: TestApp) {
    let (c1, c2) = communes();
    let admin = token(
        &app,
        "wh_admin",
        Role::Admin,
        vec![],
        &["read", "write", "admin"],
    )
    .await;
    let officer = token(
        &app,
        "wh_officer",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    app::accounts::users::add_system(
        &app.app,
        &Actor::system("test"),
        NewUser {
            username: "platform".into(),
            display_name: String::new(),
            role: Role::CommuneOfficer,
            password: String::new(),
            scopes: vec![app::accounts::users::Scope::new("new_commune", &c1)],
        },
    )
    .await
    .unwrap();
    // A port with nobody listening yet: the receiver is down.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let api =
        |m: reqwest::Method, path: &str| app.client.request(m, app.url(path)).bearer_auth(&admin);

    // Refusals name the field; only administrators manage webhooks.
    for (body, field) in [
        (
            json!({"account": "platform", "url": "ftp://x", "secret": SECRET}),
            "url",
        ),
        (
            json!({"account": "platform", "url": "http://127.0.0.1/h", "secret": "short"}),
            "secret",
        ),
        (
            json!({"account": "nobody", "url": "http://127.0.0.1/h", "secret": SECRET}),
            "account",
        ),
        (
            json!({"account": "platform", "url": "http://127.0.0.1/h", "secret": SECRET, "kinds": ["rename"]}),
            "kinds",
        ),
    ] {
        let r = api(reqwest::Method::POST, "/api/v1/webhooks")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{body}");
        assert!(r.text().await.unwrap().contains(field), "{field}");
    }
    let r = app
        .client
        .get(app.url("/api/v1/webhooks"))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    let r = api(reqwest::Method::POST, "/api/v1/webhooks")
        .json(
            &json!({"account": "platform", "url": format!("http://127.0.0.1:{port}/hook"),
                      "secret": SECRET, "kinds": ["create", "update"]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let sub: Value = r.json().await.unwrap();
    let sub_id = sub["id"].as_i64().unwrap();
    assert!(sub.get("secret").is_none(), "the secret is never shown");

    // Changes: three people of the platform's commune (one changed, one
    // deleted: not a kind it asked for) and one of another commune.
    let mut ids = Vec::new();
    for (name, commune) in [
        ("Phan Văn Một", &c1),
        ("Phan Văn Hai", &c1),
        ("Phan Văn Ba", &c1),
        ("Phan Văn Bốn", &c2),
    ] {
        let r = crate::registry::people::post(&app, &officer, &person(name, commune)).await;
        assert_eq!(r.status(), 201);
        ids.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/people/{}", ids[0])))
        .bearer_auth(&officer)
        .header("If-Match", "\"1\"")
        .json(&json!({"city_abroad": "Busan"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/people/{}?reason=duplicate", ids[1])))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);

    // Down for an hour: the attempts fail, back off, and nothing is dead.
    until("a first failed attempt", || async {
        count(&app, "SELECT COUNT(*) FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.subscription_id = $1", sub_id).await >= 1
    })
    .await;
    for _ in 0..12 {
        advance(&app, 5);
        tokio::time::sleep(Duration::from_millis(80)).await;
    }
    let attempts = count(&app, "SELECT COUNT(*) FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.subscription_id = $1", sub_id).await;
    assert!(
        (4..8).contains(&attempts),
        "backed off: {attempts} attempts in an hour"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM webhook_deliveries WHERE subscription_id = $1 AND status <> 'pending'", sub_id).await,
        0,
        "nothing delivered, nothing dead"
    );
    let log: Value = api(
        reqwest::Method::GET,
        &format!("/api/v1/webhooks/{sub_id}/deliveries"),
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let oldest = log.as_array().unwrap().last().unwrap();
    assert_eq!(oldest["last_error"], "could not connect", "{log}");
    assert_eq!(oldest["status"], "pending", "{log}");

    // Back up: everything arrives, signed, in order, once.
    let got: Got = Arc::default();
    let heal = Arc::new(AtomicBool::new(false));
    receiver(port, got.clone(), heal.clone()).await;
    advance(&app, 60);
    until("delivered after the outage", || async {
        count(&app, "SELECT COUNT(*) FROM webhook_deliveries WHERE subscription_id = $1 AND status = 'pending'", sub_id).await == 0
    })
    .await;
    let received = got.lock().unwrap().clone();
    assert!(received.iter().all(|(_, good, _)| *good), "signed");
    let mut delivery_ids: Vec<&String> = received.iter().map(|(d, _, _)| d).collect();
    delivery_ids.dedup();
    assert_eq!(delivery_ids.len(), received.len(), "each delivery once");
    let events: Vec<&Value> = received
        .iter()
        .flat_map(|(_, _, b)| b["events"].as_array().unwrap().iter())
        .collect();
    let seqs: Vec<i64> = events
        .iter()
        .map(|e| parse_cursor(e["cursor"].as_str().unwrap()).unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in order: {seqs:?}");
    let seen: Vec<(i64, &str)> = events
        .iter()
        .map(|e| (e["id"].as_i64().unwrap(), e["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        seen,
        [
            (ids[0], "create"),
            (ids[1], "create"),
            (ids[2], "create"),
            (ids[0], "update")
        ],
        "the commune's changes of the kinds asked for"
    );

    // A test event.
    let r = api(
        reqwest::Method::POST,
        &format!("/api/v1/webhooks/{sub_id}/test"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 202);
    until("the test event", || async {
        got.lock()
            .unwrap()
            .iter()
            .any(|(_, _, b)| b["kind"] == "test")
    })
    .await;

    // A receiver that keeps failing: dead after the last attempt, kept,
    // and sent again on request.
    let r = api(reqwest::Method::POST, "/api/v1/webhooks")
        .json(
            &json!({"account": "platform", "url": format!("http://127.0.0.1:{port}/fail"),
                      "secret": SECRET}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let failing = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = api(
        reqwest::Method::POST,
        &format!("/api/v1/webhooks/{failing}/test"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 202);
    for _ in 0..20 {
        advance(&app, 60);
        tokio::time::sleep(Duration::from_millis(80)).await;
        if count(&app, "SELECT COUNT(*) FROM webhook_deliveries WHERE subscription_id = $1 AND status = 'dead'", failing).await == 1 {
            break;
        }
    }
    let dead: Value = api(
        reqwest::Method::GET,
        &format!("/api/v1/webhooks/{failing}/deliveries?status=dead"),
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(dead.as_array().unwrap().len(), 1, "{dead}");
    assert_eq!(dead[0]["attempts"], 8);
    assert_eq!(dead[0]["last_status"], 500);
    let dead_id = dead[0]["id"].as_i64().unwrap();
    // The administrators' page lists it, in Vietnamese.
    let browser = TestApp::new_client();
    let html = {
        app.add_user("wh_page", Role::Admin, vec![]).await;
        app.sign_in(&browser, "wh_page", PASSWORD).await;
        browser
            .get(app.url("/admin/webhooks"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    assert!(html.contains("Gửi không thành công"), "{html}");
    assert!(html.contains(&format!("/admin/webhook-deliveries/{dead_id}/retry")));
    assert!(html.contains("Bên nhận trả lỗi 500"));
    heal.store(true, Ordering::SeqCst);
    let r = api(
        reqwest::Method::POST,
        &format!("/api/v1/webhook-deliveries/{dead_id}/retry"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 204);
    until("the dead letter sent again", || async {
        count(&app, "SELECT COUNT(*) FROM webhook_deliveries WHERE subscription_id = $1 AND status = 'delivered'", failing).await == 1
    })
    .await;
    let r = api(
        reqwest::Method::POST,
        &format!("/api/v1/webhook-deliveries/{dead_id}/retry"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 422, "only a dead delivery is sent again");
}
