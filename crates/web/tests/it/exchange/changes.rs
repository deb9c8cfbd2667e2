//! The change feed: every kind of change in commit order, within
//! jurisdiction, paged from an opaque cursor, refusals naming the field,
//! audited; and two servers writing to one database while a consumer
//! follows the feed through both: every event seen once, in order.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use app::accounts::users::Scope;
use app::exchange::changes::parse_cursor;
use domain::Role;
use serde_json::{Value, json};

use crate::dual;
use crate::helpers::TestApp;
use crate::registry::people::{communes, person, token};

dual!(
    feed_names_every_kind_in_order_within_jurisdiction,
    two_servers_and_a_consumer_see_every_event_once_in_order,
);

async fn feed(client: &reqwest::Client, base: &str, tok: &str, query: &str) -> reqwest::Response {
    client
        .get(format!("{base}/api/v1/changes{query}"))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap()
}

/// Every event from `after` on, read `limit` at a time.
async fn drain(app: &TestApp, tok: &str, limit: usize) -> Vec<Value> {
    let base = app.url("");
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let r = feed(
            &app.client,
            &base,
            tok,
            &format!("?limit={limit}&after={after}"),
        )
        .await;
        assert_eq!(r.status(), 200);
        let page: Value = r.json().await.unwrap();
        let events = page["events"].as_array().unwrap();
        assert!(events.len() <= limit);
        out.extend(events.iter().cloned());
        page["next"].as_str().unwrap().clone_into(&mut after);
        if !page["more"].as_bool().unwrap() {
            return out;
        }
    }
}

fn kinds(events: &[Value], id: i64) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["id"] == id)
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

async fn feed_names_every_kind_in_order_within_jurisdiction(app: TestApp) {
    let (c1, c2) = communes();
    let tok = token(
        &app,
        "feed_p",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let commune = token(
        &app,
        "feed_c",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c2)],
        &["read"],
    )
    .await;
    let viewer = token(&app, "feed_v", Role::Viewer, vec![], &["read"]).await;
    let base = app.url("");

    // An empty feed: no events, a cursor to resume from.
    let r = feed(&app.client, &base, &tok, "").await;
    assert_eq!(r.status(), 200);
    let empty: Value = r.json().await.unwrap();
    assert_eq!(empty["events"], json!([]));
    assert_eq!(empty["more"], false);
    let start = empty["next"].as_str().unwrap().to_owned();

    let create = |b: Value| {
        let app = &app;
        let tok = tok.clone();
        async move {
            let r = crate::registry::people::post(app, &tok, &b).await;
            assert_eq!(r.status(), 201);
            r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
        }
    };
    let a = create(person("Nguyễn Văn An", &c1)).await;
    let b = create(person("NGUYEN VAN AN", &c1)).await;
    let c = create(person("Trần Thị Cúc", &c2)).await;
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/people/{a}")))
        .bearer_auth(&tok)
        .header("If-Match", "\"1\"")
        .json(&json!({"city_abroad": "Seoul"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/people/{c}?reason=duplicate")))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = app
        .client
        .post(app.url(&format!("/api/v1/people/{c}/undelete")))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = app
        .client
        .post(app.url("/api/v1/merges"))
        .bearer_auth(&tok)
        .json(&json!({"kept_id": a, "merged_id": b, "kept_version": 2, "merged_version": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let merge: Value = r.json().await.unwrap();
    let r = app
        .client
        .post(app.url(&format!(
            "/api/v1/merges/{}/undo",
            merge["id"].as_i64().unwrap()
        )))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);

    // The province sees everything, in commit order, whatever the page size.
    let all = drain(&app, &tok, 100).await;
    let by_two = drain(&app, &tok, 2).await;
    assert_eq!(all, by_two, "paging changes nothing");
    let seqs: Vec<i64> = all
        .iter()
        .map(|e| parse_cursor(e["cursor"].as_str().unwrap()).unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert_eq!(kinds(&all, a), ["create", "update", "update", "update"]);
    assert_eq!(kinds(&all, b), ["create", "merge", "unmerge", "update"]);
    assert_eq!(kinds(&all, c), ["create", "delete", "restore"]);
    let merged = all.iter().find(|e| e["kind"] == "merge").unwrap();
    assert_eq!(merged["merged_into"], a);
    assert_eq!(merged["entity"], "person");
    assert!(merged["at"].as_str().unwrap().ends_with('Z'));
    // Versions follow the record's.
    let versions: Vec<i64> = all
        .iter()
        .filter(|e| e["id"] == a)
        .map(|e| e["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [1, 2, 3, 4]);

    // From the cursor of the empty feed: the same events.
    let r = feed(
        &app.client,
        &base,
        &tok,
        &format!("?after={start}&limit=5000"),
    )
    .await;
    let page: Value = r.json().await.unwrap();
    assert_eq!(page["events"].as_array().unwrap(), &all);
    // From the end: nothing, and the cursor stays.
    let end = page["next"].as_str().unwrap().to_owned();
    let r = feed(&app.client, &base, &tok, &format!("?after={end}")).await;
    let page: Value = r.json().await.unwrap();
    assert_eq!(page["events"], json!([]));
    assert_eq!(page["next"], end.as_str());

    // A commune officer sees the changes of its commune's people only,
    // and its cursor runs to the end of the feed all the same.
    let seen = drain(&app, &commune, 1).await;
    assert!(seen.iter().all(|e| e["id"] == c), "{seen:?}");
    assert_eq!(kinds(&seen, c), ["create", "delete", "restore"]);
    let r = feed(&app.client, &base, &commune, "?limit=50").await;
    let page: Value = r.json().await.unwrap();
    assert_eq!(page["next"], end.as_str());

    // Refusals: a role reading no one, bad cursors and limits name the field.
    let r = feed(&app.client, &base, &viewer, "").await;
    assert_eq!(r.status(), 403);
    let r = app
        .client
        .get(app.url("/api/v1/changes"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    for (q, field) in [
        ("?after=12", "after"),
        ("?after=kbc1.%21%21", "after"),
        ("?limit=0", "limit"),
        ("?limit=5001", "limit"),
    ] {
        let r = feed(&app.client, &base, &tok, q).await;
        assert_eq!(r.status(), 422, "{q}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let body = r.text().await.unwrap();
        assert!(body.contains(field), "{q}: {body}");
    }

    // Reads that returned events are audited, empty polls are not.
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'changes.read'")
            .fetch_one(&app.app.db.pool)
            .await
            .unwrap();
    assert!(audited >= 3, "{audited}");
}

/// Two servers (two `App`s, each with its own pool) write to one database
/// at once while a consumer follows the feed, alternating between them
/// (as after a restart behind a load balancer), a few events at a time. It
/// sees every event that committed, once, in the database's order.
async fn two_servers_and_a_consumer_see_every_event_once_in_order(app: TestApp) {
    const WRITERS: usize = 4;
    const PEOPLE: usize = 12;
    let (c1, c2) = communes();
    let tok = token(
        &app,
        "feed_w",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let second = app.spawn_second_server().await;
    let bases = [app.url(""), format!("http://{second}")];
    let done = Arc::new(AtomicBool::new(false));

    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let base = bases[w % 2].clone();
        let tok = tok.clone();
        let commune = if w % 2 == 0 { c1.clone() } else { c2.clone() };
        writers.push(tokio::spawn(async move {
            let client = TestApp::new_client();
            let mut ids = Vec::new();
            for i in 0..PEOPLE {
                let r = client
                    .post(format!("{base}/api/v1/people"))
                    .bearer_auth(&tok)
                    .json(&person(&format!("Người Số {w} {i}"), &commune))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
                let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
                let r = client
                    .patch(format!("{base}/api/v1/people/{id}"))
                    .bearer_auth(&tok)
                    .header("If-Match", "\"1\"")
                    .json(&json!({"city_abroad": format!("Seoul {i}")}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                ids.push(id);
            }
            ids
        }));
    }

    let consumer = {
        let bases = bases.clone();
        let tok = tok.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let client = TestApp::new_client();
            let mut seen: Vec<Value> = Vec::new();
            let mut after = String::new();
            let mut turn = 0usize;
            loop {
                // Read whether the writers were done before the page, so
                // the last page read after that saw everything.
                let finished = done.load(Ordering::SeqCst);
                let base = &bases[turn % 2];
                turn += 1;
                let r = feed(&client, base, &tok, &format!("?limit=7&after={after}")).await;
                assert_eq!(r.status(), 200);
                let page: Value = r.json().await.unwrap();
                seen.extend(page["events"].as_array().unwrap().iter().cloned());
                page["next"].as_str().unwrap().clone_into(&mut after);
                if finished && page["more"] == false {
                    return (seen, turn);
                }
                if page["more"] == false {
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
            }
        })
    };

    let mut created = HashSet::new();
    for w in writers {
        created.extend(w.await.unwrap());
    }
    done.store(true, Ordering::SeqCst);
    let (seen, pages) = consumer.await.unwrap();
    assert!(pages > 4, "the consumer read while the servers wrote");

    let seqs: Vec<i64> = seen
        .iter()
        .map(|e| parse_cursor(e["cursor"].as_str().unwrap()).unwrap())
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "in order, none twice: {seqs:?}"
    );
    let stored: Vec<i64> = sqlx::query_scalar("SELECT seq FROM change_events ORDER BY seq")
        .fetch_all(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(seqs, stored, "every committed event, none skipped");
    assert_eq!(seen.len(), WRITERS * PEOPLE * 2);
    for id in &created {
        assert_eq!(kinds(&seen, *id), ["create", "update"], "person {id}");
    }
}
