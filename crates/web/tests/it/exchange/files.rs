//! Exchange files (issue 25 §1–§2): the export in the documented format
//! (every line valid against the published schema's required keys), a
//! round trip between two registries in which every record comes back to
//! itself with no conflict, a changed record shown as a change and applied
//! only when accepted (the sender then a source), a merged record's
//! identifier answering with the kept one, the workbook read back, the
//! refusals (a commune officer exports its commune only; a role without
//! the export right gets 403), the log and the file downloaded again.

use std::io::Cursor;

use app::accounts::users::Scope;
use calamine::{Reader, Xlsx};
use domain::Role;
use serde_json::{Value, json};
use sha2::Digest as _;

use crate::dual;
use crate::helpers::{PASSWORD, TestApp, spawn_app};
use crate::registry::people::{communes, person, post, token};

dual!(
    export_round_trip_matches_every_record_to_itself,
    a_changed_record_is_a_change_applied_only_when_accepted,
    exports_stay_within_jurisdiction_and_need_the_right,
    the_workbook_reads_back_with_the_province_code,
    the_pages_list_exchanges_and_show_a_file_side_by_side,
    accepting_a_file_writes_every_record_or_none,
    a_relative_needs_its_person_and_household,
    an_export_of_several_pages_holds_every_live_record_once_in_order,
    enterprises_and_projects_travel_with_their_owners_and_investors,
);

async fn export(app: &TestApp, tok: &str, query: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/api/v1/exchange/export{query}")))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap()
}

pub(super) async fn export_lines(app: &TestApp, tok: &str, query: &str) -> (String, Vec<Value>) {
    let r = export(app, tok, query).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/x-ndjson")
    );
    let text = r.text().await.unwrap();
    let lines = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (text, lines)
}

pub(super) async fn receive(app: &TestApp, tok: &str, body: String) -> Value {
    let r = app
        .client
        .post(app.url("/api/v1/exchange/imports"))
        .bearer_auth(tok)
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

async fn detail(app: &TestApp, tok: &str, id: i64) -> Value {
    let r = app
        .client
        .get(app.url(&format!("/api/v1/exchanges/{id}")))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn decide(app: &TestApp, tok: &str, id: i64, item: i64, d: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/exchanges/{id}/items/{item}")))
        .bearer_auth(tok)
        .json(&json!({ "decision": d }))
        .send()
        .await
        .unwrap()
}

/// Every line has the keys the published schema requires of its type, and
/// the constants it fixes.
async fn check_against_schema(app: &TestApp, tok: &str, lines: &[Value]) {
    let r = app
        .client
        .get(app.url("/api/v1/exchange/schema"))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let schema: Value = r.json().await.unwrap();
    for (i, line) in lines.iter().enumerate() {
        let kind = line["type"].as_str().unwrap();
        assert_eq!(
            i == 0,
            kind == "header",
            "the header is the first line only"
        );
        let def = &schema["$defs"][kind];
        assert!(def.is_object(), "unknown type {kind}");
        for k in def["required"].as_array().unwrap() {
            let k = k.as_str().unwrap();
            assert!(line.get(k).is_some(), "line {i} ({kind}) lacks {k}: {line}");
        }
        for (k, p) in def["properties"].as_object().unwrap() {
            if let Some(c) = p.get("const") {
                assert_eq!(&line[k], c, "line {i}: {k}");
            }
            if p.get("$ref").and_then(Value::as_str) == Some("#/$defs/uid")
                && let Some(v) = line.get(k)
            {
                let u = uuid::Uuid::parse_str(v.as_str().unwrap()).unwrap();
                assert_eq!(u.hyphenated().to_string(), v.as_str().unwrap());
            }
        }
    }
}

pub(super) async fn people_of(app: &TestApp, tok: &str, n: usize) -> Vec<i64> {
    let (c1, c2) = communes();
    let mut ids = Vec::new();
    for i in 0..n {
        let mut p = person(
            &format!("Nguyễn Văn Thử{}", ["An", "Bình", "Cường", "Dũng"][i % 4]),
            if i % 2 == 0 { &c1 } else { &c2 },
        );
        p["phone"] = json!(format!("0912 345 6{i:02}"));
        p["passport_no"] = json!(format!("C76543{i:02}"));
        let r = post(app, tok, &p).await;
        assert_eq!(r.status(), 201);
        ids.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    ids
}

async fn export_round_trip_matches_every_record_to_itself(a: TestApp) {
    let tok_a = token(
        &a,
        "ex_a",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write", "admin"],
    )
    .await;
    let ids = people_of(&a, &tok_a, 4).await;
    // The other kinds: a relative at home in a new household, an association.
    with_relative_and_association(&a, &tok_a, ids[2], "Hội đồng hương Hà Tĩnh tại Hàn Quốc").await;
    // A merge: the merged record's identifier answers with the kept one.
    let r = a
        .client
        .post(a.url("/api/v1/merges"))
        .bearer_auth(&tok_a)
        .json(&json!({"kept_id": ids[0], "merged_id": ids[1], "kept_version": 1, "merged_version": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let (text, lines) = export_lines(&a, &tok_a, "").await;
    check_against_schema(&a, &tok_a, &lines).await;
    assert_eq!(lines[0]["province_code"], "42");
    assert_eq!(lines[0]["version"], 1);
    let people: Vec<&Value> = lines.iter().filter(|l| l["type"] == "person").collect();
    assert_eq!(people.len(), 3, "the merged record is not exported");
    for kind in ["household", "relative", "association"] {
        assert_eq!(
            lines.iter().filter(|l| l["type"] == kind).count(),
            1,
            "{kind} exported"
        );
    }
    let kept = people
        .iter()
        .find(|p| p["merged_ids"].as_array().is_some_and(|m| m.len() == 1))
        .expect("the kept record names the merged one");
    let merged_uid = kept["merged_ids"][0].as_str().unwrap().to_owned();
    assert!(people.iter().all(|p| {
        p["passport_no"]
            .as_str()
            .is_some_and(|s| s.starts_with('C'))
    }));

    // Back into the same registry: every record is itself, nothing to decide.
    let got = receive(&a, &tok_a, text.clone()).await;
    assert_eq!(got["records"], lines.len() - 1);
    assert_eq!(got["unchanged"], lines.len() - 1, "{got}");
    assert_eq!(got["conflicts"], 0);
    assert_eq!(got["new_records"], 0);
    // The merged record's identifier resolves to the kept record.
    let mut as_merged = (*kept).clone();
    as_merged["id"] = json!(merged_uid);
    let got = receive(
        &a,
        &tok_a,
        format!("{}\n{}\n", text.lines().next().unwrap(), as_merged),
    )
    .await;
    assert_eq!(got["unchanged"], 1, "{got}");

    // Into a second registry: new there, accepted, then back: the same.
    let b = spawn_app(a.backend).await;
    let tok_b = token(
        &b,
        "ex_b",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write", "admin"],
    )
    .await;
    let got = receive(&b, &tok_b, text.clone()).await;
    assert_eq!(
        got["new_records"], 6,
        "3 people, a household, a relative, an association: {got}"
    );
    assert_eq!(got["refused"], 0, "{got}");
    let id = got["id"].as_i64().unwrap();
    let d = detail(&b, &tok_b, id).await;
    assert!(
        d["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["outcome"] == "new")
    );
    let r = accept_all(&b, &tok_b, id).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(r.json::<Value>().await.unwrap()["accepted"], 6);
    let d = detail(&b, &tok_b, id).await;
    assert_eq!(d["exchange"]["status"], "done");
    // Decided once only.
    let first = d["items"][0]["id"].as_i64().unwrap();
    assert_eq!(decide(&b, &tok_b, id, first, "reject").await.status(), 409);
    assert_eq!(
        accept_all(&b, &tok_b, id).await.status(),
        409,
        "nothing left to accept"
    );
    let (text_b, lines_b) = export_lines(&b, &tok_b, "").await;
    let uids = |ls: &[Value], kind: &str| {
        let mut v: Vec<String> = ls
            .iter()
            .filter(|l| l["type"] == kind)
            .map(|l| l["id"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    for kind in ["person", "household", "relative", "association"] {
        assert_eq!(
            uids(&lines_b, kind),
            uids(&lines, kind),
            "the sender's identifiers are kept ({kind})"
        );
    }
    // The relative belongs to the same person and household there.
    let rel = |ls: &[Value]| {
        let r = ls.iter().find(|l| l["type"] == "relative").unwrap().clone();
        (
            r["person_id"].clone(),
            r["household_id"].clone(),
            r["full_name"].clone(),
        )
    };
    assert_eq!(rel(&lines_b), rel(&lines));
    for p in lines_b.iter().filter(|l| l["type"] == "person") {
        assert!(
            p["sources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["agency"] == "exchange"
                    && s["list_name"].as_str().unwrap().contains("42")),
            "the sender is a source: {p}"
        );
    }
    let got = receive(&a, &tok_a, text_b).await;
    assert_eq!(
        got["unchanged"], 6,
        "every record of every kind back to itself: {got}"
    );
    assert_eq!(got["conflicts"], 0);
    assert_eq!(got["changed"], 0);
    assert_eq!(got["new_records"], 0);
}

pub(super) async fn accept_all(app: &TestApp, tok: &str, id: i64) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/exchanges/{id}/accept")))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap()
}

/// Gives `person` a relative at home (in a new household of the first
/// commune) and registers an association in Korea named `association`.
pub(super) async fn with_relative_and_association(
    app: &TestApp,
    tok: &str,
    person: i64,
    association: &str,
) {
    let (c1, _) = communes();
    let r = app
        .client
        .post(app.url(&format!("/api/v1/people/{person}/relatives")))
        .bearer_auth(tok)
        .json(
            &json!({"head_name": "Nguyễn Văn Cả", "address": "Xóm 3", "commune_code": c1,
            "full_name": "Nguyễn Văn Cả", "relationship": "parent", "birth_year": 1950}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let r = app
        .client
        .post(app.url("/api/v1/associations"))
        .bearer_auth(tok)
        .json(&json!({"name": association, "kind": "hometown", "country": "KR", "city": "Seoul"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap()
}

/// What the registry holds of every kind, with the sources, identifiers,
/// decisions and audit rows an accept writes.
async fn written(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for t in [
        "persons",
        "households",
        "relatives",
        "associations",
        "person_sources",
        "person_versions",
        "exchange_uids",
        "audit_log",
        "change_events",
    ] {
        out.push(count(app, t).await);
    }
    let decided: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM exchange_items WHERE decision IN ('accepted', 'rejected')",
    )
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    out.push(decided);
    out
}

async fn accepting_a_file_writes_every_record_or_none(r: TestApp) {
    // The sender: a person with a relative at home and an association.
    let s = spawn_app(r.backend).await;
    let tok_s = token(
        &s,
        "ex_s",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write", "admin"],
    )
    .await;
    let ids = people_of(&s, &tok_s, 1).await;
    with_relative_and_association(&s, &tok_s, ids[0], "Hội Kiều bào Thử").await;
    let (text, lines) = export_lines(&s, &tok_s, "").await;
    // The same association's name in another country: new on reception,
    // but refused when written (names are unique).
    let mut twin = lines
        .iter()
        .find(|l| l["type"] == "association")
        .unwrap()
        .clone();
    twin["id"] = json!(uuid::Uuid::new_v4().to_string());
    twin["country"] = json!("JP");
    let body = format!("{text}{twin}\n");
    let twin_line = i64::try_from(body.lines().count()).unwrap();

    let tok = token(
        &r,
        "ex_r",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write", "admin"],
    )
    .await;
    let got = receive(&r, &tok, body).await;
    assert_eq!(got["new_records"], 5, "{got}");
    let id = got["id"].as_i64().unwrap();
    let before = written(&r).await;
    let res = accept_all(&r, &tok, id).await;
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(
        problem["errors"],
        json!([{"field": format!("lines.{twin_line}.name"), "code": "taken"}]),
        "the refusal names the line: {problem}"
    );
    let after: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(&r.app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        written(&r).await,
        before,
        "nothing written: no record, source, identifier, decision or audit row {after:?}"
    );
    let d = detail(&r, &tok, id).await;
    assert_eq!(d["exchange"]["status"], "review");
    let items = d["items"].as_array().unwrap();
    assert!(items.iter().all(|i| i["decision"] == "pending"));

    // A relative before its person: refused, naming the line, nothing
    // written (reading the file above was audited).
    let before = written(&r).await;
    let relative = items
        .iter()
        .find(|i| i["record_type"] == "relative")
        .unwrap();
    let res = decide(&r, &tok, id, relative["id"].as_i64().unwrap(), "accept").await;
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(
        problem["errors"][0]["field"],
        format!("lines.{}.person_id", relative["line_no"])
    );
    assert_eq!(written(&r).await, before);

    // The twin rejected, the rest accepted together.
    let twin_item = items.iter().find(|i| i["line_no"] == twin_line).unwrap();
    assert_eq!(
        decide(&r, &tok, id, twin_item["id"].as_i64().unwrap(), "reject")
            .await
            .status(),
        200
    );
    let res = accept_all(&r, &tok, id).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert_eq!(res.json::<Value>().await.unwrap()["accepted"], 4);
    for (t, n) in [
        ("persons", 1),
        ("households", 1),
        ("relatives", 1),
        ("associations", 1),
    ] {
        assert_eq!(count(&r, t).await, n, "{t}");
    }
    assert_eq!(detail(&r, &tok, id).await["exchange"]["status"], "done");
    // The sender's identifiers answer for every kind.
    let kept: Vec<String> = sqlx::query_scalar("SELECT entity FROM exchange_uids ORDER BY entity")
        .fetch_all(&r.app.db.pool)
        .await
        .unwrap();
    assert_eq!(kept, ["association", "household", "person", "relative"]);
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE '%.create'")
            .fetch_all(&r.app.db.pool)
            .await
            .unwrap();
    for a in [
        "association.create",
        "household.create",
        "person.create",
        "relative.create",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} audited");
    }

    // Two officers accepting the same new record at once: one writes it,
    // the other is told it is decided (409), and it is written once.
    let (_, c2) = communes();
    for (i, name) in ["Phạm Thị Lan", "Hoàng Văn Minh"].iter().enumerate() {
        let mut p = person(name, &c2);
        p["phone"] = json!(format!("0987 654 32{i}"));
        p["passport_no"] = json!(format!("B123456{i}"));
        assert_eq!(post(&s, &tok_s, &p).await.status(), 201);
    }
    let (text, _) = export_lines(&s, &tok_s, "").await;
    let got = receive(&r, &tok, text).await;
    assert_eq!(got["new_records"], 2, "{got}");
    let id = got["id"].as_i64().unwrap();
    let item = detail(&r, &tok, id).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["decision"] == "pending")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let second = r.spawn_second_server().await;
    let other = reqwest::Client::new();
    let (one, two, three) = tokio::join!(
        decide(&r, &tok, id, item, "accept"),
        async {
            other
                .post(format!(
                    "http://{second}/api/v1/exchanges/{id}/items/{item}"
                ))
                .bearer_auth(&tok)
                .json(&json!({"decision": "accept"}))
                .send()
                .await
                .unwrap()
        },
        accept_all(&r, &tok, id),
    );
    let mut statuses = [
        one.status().as_u16(),
        two.status().as_u16(),
        three.status().as_u16(),
    ];
    statuses.sort_unstable();
    // The accept-all either ran first (both single accepts then 409) or
    // after one single accept (it then accepts the other record).
    assert!(
        statuses == [200, 409, 409] || statuses == [200, 200, 409],
        "{statuses:?}"
    );
    assert_eq!(count(&r, "persons").await, 3, "each record written once");
    let sources: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM person_sources WHERE agency = 'exchange'")
            .fetch_one(&r.app.db.pool)
            .await
            .unwrap();
    assert_eq!(sources, 3, "one source per record");
}

async fn a_relative_needs_its_person_and_household(app: TestApp) {
    let tok = token(
        &app,
        "ex_rel",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let ids = people_of(&app, &tok, 1).await;
    let (text, lines) = export_lines(&app, &tok, "").await;
    let header = text.lines().next().unwrap();
    let person = lines.iter().find(|l| l["type"] == "person").unwrap();
    let unknown = uuid::Uuid::new_v4().to_string();
    let bad_person = uuid::Uuid::new_v4().to_string();
    let household = uuid::Uuid::new_v4().to_string();
    let (c1, _) = communes();
    let body = [
        header.to_owned(),
        json!({"type": "household", "id": household, "head_name": "Lê Văn Hộ", "address": "Thôn 2",
            "commune_code": c1, "phone": ""}).to_string(),
        // A person the registry would refuse (no name).
        json!({"type": "person", "id": bad_person, "full_name": "", "country": "KR"}).to_string(),
        // Of a person nobody knows.
        json!({"type": "relative", "id": uuid::Uuid::new_v4().to_string(), "person_id": unknown,
            "household_id": household, "full_name": "Lê Thị Một", "relationship": "parent"}).to_string(),
        // Of the refused person.
        json!({"type": "relative", "id": uuid::Uuid::new_v4().to_string(), "person_id": bad_person,
            "household_id": household, "full_name": "Lê Thị Hai", "relationship": "parent"}).to_string(),
        // Of a registered person, in the file's household: new.
        json!({"type": "relative", "id": uuid::Uuid::new_v4().to_string(), "person_id": person["id"],
            "household_id": household, "full_name": "Lê Thị Ba", "relationship": "sibling"}).to_string(),
        // A relationship the registry does not know.
        json!({"type": "relative", "id": uuid::Uuid::new_v4().to_string(), "person_id": person["id"],
            "household_id": household, "full_name": "Lê Thị Bốn", "relationship": "qqq"}).to_string(),
    ]
    .join("\n");
    let got = receive(&app, &tok, body).await;
    assert_eq!(got["refused"], 4, "{got}");
    assert_eq!(got["new_records"], 2, "{got}");
    let id = got["id"].as_i64().unwrap();
    let d = detail(&app, &tok, id).await;
    let by_line = |n: i64| {
        d["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["line_no"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(by_line(4)["problem"], "person_id:exchange_link_unknown");
    assert_eq!(by_line(5)["problem"], "person_id:exchange_link_refused");
    assert_eq!(by_line(6)["outcome"], "new");
    assert_eq!(by_line(7)["problem"], "relationship:invalid_code");
    assert_eq!(accept_all(&app, &tok, id).await.status(), 200);
    let (_, after) = export_lines(&app, &tok, "").await;
    let rel = after.iter().find(|l| l["type"] == "relative").unwrap();
    assert_eq!(rel["full_name"], "Lê Thị Ba");
    assert_eq!(
        rel["household_id"],
        json!(household),
        "the sender's household identifier"
    );
    assert_eq!(rel["person_id"], person["id"]);
    // Received again: the same relative (by identifier) and, under another
    // identifier, a conflict with it (same person, name and relationship).
    let mut again = by_line(6)["data"].clone();
    let same = format!("{header}\n{again}\n");
    assert_eq!(receive(&app, &tok, same).await["unchanged"], 1);
    again["id"] = json!(uuid::Uuid::new_v4().to_string());
    again["phone"] = json!("0912 000 111");
    let got = receive(&app, &tok, format!("{header}\n{again}\n")).await;
    assert_eq!(got["conflicts"], 1, "{got}");
    let d = detail(&app, &tok, got["id"].as_i64().unwrap()).await;
    assert_eq!(d["items"][0]["diff"][0]["field"], "phone");
    assert_eq!(ids.len(), 1);
}

async fn a_changed_record_is_a_change_applied_only_when_accepted(app: TestApp) {
    let tok = token(
        &app,
        "ex_c",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let ids = people_of(&app, &tok, 2).await;
    let (text, lines) = export_lines(&app, &tok, "").await;
    let mut changed = lines
        .iter()
        .find(|l| l["type"] == "person" && l["phone"].as_str().unwrap().ends_with("00"))
        .unwrap()
        .clone();
    changed["city_abroad"] = json!("Busan");
    // An unknown identifier for a copy of the other person: a conflict.
    let mut copy = lines
        .iter()
        .find(|l| l["type"] == "person" && l["phone"].as_str().unwrap().ends_with("01"))
        .unwrap()
        .clone();
    copy["id"] = json!(uuid::Uuid::new_v4().to_string());
    let body = format!(
        "{}\n{changed}\n{copy}\nnot json\n",
        text.lines().next().unwrap()
    );
    let got = receive(&app, &tok, body.clone()).await;
    assert_eq!(got["changed"], 1, "{got}");
    assert_eq!(got["conflicts"], 1, "{got}");
    assert_eq!(got["refused"], 1, "{got}");
    let id = got["id"].as_i64().unwrap();
    let d = detail(&app, &tok, id).await;
    let items = d["items"].as_array().unwrap();
    assert_eq!(items[0]["outcome"], "conflict", "conflicts first");
    assert_eq!(items[0]["entity_id"], ids[1]);
    assert!(items[0]["probability"].as_f64().unwrap() >= 0.8);
    let change = items.iter().find(|i| i["outcome"] == "change").unwrap();
    assert_eq!(change["entity_id"], ids[0]);
    assert_eq!(
        change["diff"],
        json!([{"field": "city_abroad", "ours": "", "theirs": "Busan"}])
    );
    // Nothing overwritten before the decision.
    let read = |id: i64| {
        let app = &app;
        let tok = tok.clone();
        async move {
            app.client
                .get(app.url(&format!("/api/v1/people/{id}")))
                .bearer_auth(&tok)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(read(ids[0]).await["city_abroad"], "");
    let r = decide(&app, &tok, id, change["id"].as_i64().unwrap(), "accept").await;
    assert_eq!(r.status(), 200);
    let p = read(ids[0]).await;
    assert_eq!(p["city_abroad"], "Busan");
    assert_eq!(p["version"], 2);
    let conflict = items[0]["id"].as_i64().unwrap();
    assert_eq!(
        decide(&app, &tok, id, conflict, "reject").await.status(),
        200
    );
    assert_eq!(read(ids[1]).await["version"], 1);
    let bad = decide(&app, &tok, id, conflict, "maybe").await;
    assert_eq!(bad.status(), 422);

    // The log: the export and the reception, the file again byte for byte.
    let r = app
        .client
        .get(app.url("/api/v1/exchanges"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    let log: Vec<Value> = r.json().await.unwrap();
    let received = log.iter().find(|e| e["id"] == id).unwrap();
    assert_eq!(received["direction"], "import");
    assert_eq!(received["created_by"], "ex_c");
    let sha = hex::encode(sha2::Sha256::digest(body.as_bytes()));
    assert_eq!(received["sha256"], sha);
    let r = app
        .client
        .get(app.url(&format!("/api/v1/exchanges/{id}/file")))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap(), body.as_bytes());
    let sent = log.iter().find(|e| e["direction"] == "export").unwrap();
    assert_eq!(sent["status"], "done");
    assert_eq!(
        sent["sha256"],
        hex::encode(sha2::Sha256::digest(text.as_bytes()))
    );
    let r = app
        .client
        .get(app.url(&format!("/api/v1/exchanges/{}/file", sent["id"])))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), text);
    // Audited: who exported, received, decided.
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(&app.app.db.pool)
        .await
        .unwrap();
    for a in [
        "exchange.export",
        "exchange.receive",
        "exchange.decide",
        "exchange.download",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} audited");
    }
}

async fn exports_stay_within_jurisdiction_and_need_the_right(app: TestApp) {
    let (_, c2) = communes();
    let tok = token(
        &app,
        "ex_p",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    people_of(&app, &tok, 4).await;
    let commune = token(
        &app,
        "ex_x",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c2)],
        &["read", "write"],
    )
    .await;
    let (_, lines) = export_lines(&app, &commune, "").await;
    let people: Vec<&Value> = lines.iter().filter(|l| l["type"] == "person").collect();
    assert_eq!(people.len(), 2);
    assert!(people.iter().all(|p| p["hometown_code"] == c2.as_str()));
    assert!(
        lines[0]["filters"]["jurisdiction"]
            .as_str()
            .unwrap()
            .contains(&c2)
    );
    // A token without the admin scope may not reveal: its file leaves the
    // sensitive fields out (absent, not empty).
    assert!(people[0].get("passport_no").is_none());
    assert!(people[0].get("phone").is_some());
    // Relatives and households only of its people.
    assert!(lines.iter().all(|l| l["type"] != "relative"));
    // Roles without the export right: 403.
    for (name, role, scopes) in [
        ("ex_ag", Role::Agency, vec![Scope::new("agency", "police")]),
        ("ex_v", Role::Viewer, vec![]),
    ] {
        let t = token(&app, name, role, scopes, &["read", "write"]).await;
        assert_eq!(export(&app, &t, "").await.status(), 403, "{role:?}");
    }
    // Receiving is the province's: a commune officer gets 403.
    let r = app
        .client
        .post(app.url("/api/v1/exchange/imports"))
        .bearer_auth(&commune)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Bad filters name their field.
    let r = export(&app, &tok, "?since=yesterday").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("since"));
    let r = export(&app, &tok, "?consented_to=everything").await;
    assert_eq!(r.status(), 422);
    // Consent: nobody consented through the portal yet.
    let (_, lines) = export_lines(&app, &tok, "?consented_to=national_sharing").await;
    assert!(lines.iter().all(|l| l["type"] != "person"));
    // Since a day to come: nothing changed.
    let (_, lines) = export_lines(&app, &tok, "?since=2999-01-01").await;
    assert!(lines.iter().all(|l| l["type"] != "person"));
    // A file that is not in the format is refused, naming the field.
    let r = app
        .client
        .post(app.url("/api/v1/exchange/imports"))
        .bearer_auth(&tok)
        .body("{\"type\":\"person\"}\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("file"));
}

async fn the_workbook_reads_back_with_the_province_code(app: TestApp) {
    let tok = token(
        &app,
        "ex_w",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    people_of(&app, &tok, 3).await;
    let r = export(&app, &tok, "?format=xlsx").await;
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range("Danh sach").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    assert!(rows[0][0].starts_with("DANH SÁCH"), "{:?}", rows[0]);
    assert!(rows[1][0].contains("Mã tỉnh: 42"), "{:?}", rows[1]);
    assert_eq!(rows[3][0], "STT");
    assert_eq!(rows[3][2], "Họ và tên");
    let people: Vec<&Vec<String>> = rows.iter().skip(4).filter(|r| !r[0].is_empty()).collect();
    assert_eq!(people.len(), 3);
    // Words, not codes: the country and the category by name.
    assert!(people.iter().all(|r| r[7] == "Hàn Quốc"), "{:?}", people[0]);
    assert!(people.iter().all(|r| !r[5].contains('_')));
}

async fn the_pages_list_exchanges_and_show_a_file_side_by_side(app: TestApp) {
    let tok = token(
        &app,
        "ex_page",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let ids = people_of(&app, &tok, 1).await;
    let (text, lines) = export_lines(&app, &tok, "").await;
    let mut changed = lines
        .iter()
        .find(|l| l["type"] == "person")
        .unwrap()
        .clone();
    changed["city_abroad"] = json!("Daegu");
    let got = receive(
        &app,
        &tok,
        format!("{}\n{changed}\n", text.lines().next().unwrap()),
    )
    .await;
    let id = got["id"].as_i64().unwrap();
    let browser = TestApp::new_client();
    app.sign_in(&browser, "ex_page", PASSWORD).await;
    let html = browser
        .get(app.url("/exchange/imports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Nhật ký trao đổi"), "{html}");
    assert!(html.contains(&format!("/exchange/imports/{id}")));
    assert!(html.contains("receive-form"));
    let r = browser
        .get(app.url(&format!("/exchange/imports/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Có thay đổi"));
    assert!(html.contains("Daegu"));
    assert!(
        html.contains("Thành phố") || html.contains("city"),
        "the field by its name"
    );
    let csrf = crate::helpers::extract_csrf(&html);
    let d = detail(&app, &tok, id).await;
    let item = d["items"][0]["id"].as_i64().unwrap();
    let r = browser
        .post(app.url(&format!("/exchange/imports/{id}/items/{item}/accept")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let p: Value = app
        .client
        .get(app.url(&format!("/api/v1/people/{}", ids[0])))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p["city_abroad"], "Daegu");
    // A commune officer has no exchange log.
    let (_, c2) = communes();
    app.add_user(
        "ex_page_c",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c2)],
    )
    .await;
    let other = TestApp::new_client();
    app.sign_in(&other, "ex_page_c", PASSWORD).await;
    let r = other
        .get(app.url("/exchange/imports"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

/// Pages are ranges of ids read several at once (`export::pages`): a
/// registry larger than a page, with deleted records across a page's edge,
/// comes out whole — every live record once, each kind after the one
/// before it, ids rising within a kind — and nothing deleted.
async fn an_export_of_several_pages_holds_every_live_record_once_in_order(app: TestApp) {
    let tok = token(
        &app,
        "ex_pages",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    app::demo_data::load_people(&app.app, &app::Actor::system("test"), 2_300, 11)
        .await
        .unwrap();
    // Deleted across the edge of the first page (ids 1..=2000).
    for id in 1_995..=2_005 {
        let r = app
            .client
            .delete(app.url(&format!("/api/v1/people/{id}?reason=duplicate")))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204, "delete {id}");
    }
    let (_, lines) = export_lines(&app, &tok, "").await;
    let pool = app.app.db.pool.clone();
    let live = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let people = live("SELECT COUNT(*) FROM persons WHERE deleted_at IS NULL").await;
    let relatives = live(
        "SELECT COUNT(*) FROM relatives r JOIN persons p ON p.id = r.person_id \
         WHERE r.deleted_at IS NULL AND p.deleted_at IS NULL",
    )
    .await;
    let households = live("SELECT COUNT(*) FROM households WHERE deleted_at IS NULL").await;
    assert_eq!(people, 2_300 - 11);
    assert!(
        relatives > 2_000 && households > 2_000,
        "{relatives} {households}"
    );
    let order = ["association", "household", "person", "relative"];
    let mut seen = std::collections::HashSet::new();
    let mut last: (usize, i64) = (0, 0);
    let mut counts = [0_i64; 4];
    let ns = app::exchange::export::namespace(&app.app).await.unwrap();
    for l in &lines[1..] {
        let kind = order
            .iter()
            .position(|k| l["type"] == *k)
            .unwrap_or_else(|| panic!("a record of an unknown kind: {l}"));
        let uid = l["id"].as_str().unwrap();
        assert!(seen.insert(uid.to_owned()), "{uid} twice");
        let (_, id) = ns.id_of(uid).expect("a derived identifier");
        assert!(
            (kind, id) > last,
            "{} {id} after {} {}",
            order[kind],
            order[last.0],
            last.1
        );
        last = (kind, id);
        counts[kind] += 1;
        if kind == 2 {
            assert!(!(1_995..=2_005).contains(&id), "deleted {id} exported");
        }
    }
    assert_eq!(counts[1], households);
    assert_eq!(counts[2], people);
    assert_eq!(counts[3], relatives);
}

/// Sends `body` to `path` with `method` (and `If-Match: *` for a change).
async fn call(
    app: &TestApp,
    tok: &str,
    method: reqwest::Method,
    path: &str,
    body: &Value,
) -> reqwest::Response {
    app.client
        .request(method, app.url(path))
        .bearer_auth(tok)
        .header("if-match", "*")
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn read(app: &TestApp, tok: &str, path: &str) -> Value {
    let r = app
        .client
        .get(app.url(path))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

/// Issue 25 §1: enterprises and investment projects are in the format,
/// naming their owners and investors by identifier; they go to a second
/// registry and come back as themselves; a change of address and of status
/// made there comes back as a change applied only when accepted; a project
/// naming an enterprise nobody knows is refused, naming the field; an
/// accepted record names its sender as its source.
async fn enterprises_and_projects_travel_with_their_owners_and_investors(a: TestApp) {
    let post = reqwest::Method::POST;
    let tok_a = token(
        &a,
        "ex_e",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let ids = people_of(&a, &tok_a, 2).await;
    let (c1, _) = communes();
    let r = call(
        &a,
        &tok_a,
        post.clone(),
        "/api/v1/enterprises",
        &json!({"name": "Công ty TNHH Sao Mai", "sector": "10", "parent_country": "KR",
                "registration_no": "3001234567", "owner_ids": [ids[0]]}),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let e = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = call(
        &a,
        &tok_a,
        post.clone(),
        "/api/v1/projects",
        &json!({"name": "Khu nghỉ dưỡng Thiên Cầm", "sector": "55", "commune": c1,
                "registered_capital": 1_250_050, "currency": "USD", "rate_to_vnd": "25400",
                "licence_no": "1234/GCNĐKĐT", "investor_person_ids": [ids[1]],
                "investor_enterprise_ids": [e]}),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let pr = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let on = read(&a, &tok_a, &format!("/api/v1/projects/{pr}")).await["status_on"].clone();
    let r = call(
        &a,
        &tok_a,
        post.clone(),
        &format!("/api/v1/projects/{pr}/status"),
        &json!({"status": "licensed", "changed_on": on}),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    let (text, lines) = export_lines(&a, &tok_a, "").await;
    check_against_schema(&a, &tok_a, &lines).await;
    let one = |ls: &[Value], kind: &str| -> Value {
        let found: Vec<&Value> = ls.iter().filter(|l| l["type"] == kind).collect();
        assert_eq!(found.len(), 1, "one {kind}");
        found[0].clone()
    };
    let uid_of_phone = |ls: &[Value], end: &str| -> Value {
        ls.iter()
            .find(|l| l["type"] == "person" && l["phone"].as_str().unwrap().ends_with(end))
            .unwrap()["id"]
            .clone()
    };
    let ent = one(&lines, "enterprise");
    let proj = one(&lines, "project");
    assert_eq!(ent["owner_ids"], json!([uid_of_phone(&lines, "00")]));
    assert_eq!(ent["registration_no"], "3001234567");
    assert_eq!(
        proj["investor_person_ids"],
        json!([uid_of_phone(&lines, "01")])
    );
    assert_eq!(proj["investor_enterprise_ids"], json!([ent["id"]]));
    assert_eq!(proj["status"], "licensed");
    assert_eq!(proj["registered_capital"], 1_250_050);
    assert_eq!(proj["commune_code"], json!(c1));
    let got = receive(&a, &tok_a, text.clone()).await;
    assert_eq!(
        got["unchanged"], 4,
        "two people, the enterprise, the project: {got}"
    );

    // Into a second registry and back.
    let b = spawn_app(a.backend).await;
    let tok_b = token(
        &b,
        "ex_f",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let got = receive(&b, &tok_b, text.clone()).await;
    assert_eq!(got["new_records"], 4, "{got}");
    assert_eq!(got["refused"], 0, "{got}");
    let r = accept_all(&b, &tok_b, got["id"].as_i64().unwrap()).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let (text_b, lines_b) = export_lines(&b, &tok_b, "").await;
    let ent_b = one(&lines_b, "enterprise");
    let proj_b = one(&lines_b, "project");
    for k in [
        "id",
        "owner_ids",
        "name",
        "registration_no",
        "parent_country",
    ] {
        assert_eq!(ent_b[k], ent[k], "enterprise {k}");
    }
    for k in [
        "id",
        "investor_person_ids",
        "investor_enterprise_ids",
        "status",
        "licence_no",
        "registered_capital",
        "currency",
        "rate_to_vnd",
        "commune_code",
    ] {
        assert_eq!(proj_b[k], proj[k], "project {k}");
    }
    for rec in [&ent_b, &proj_b] {
        assert!(
            rec["sources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["agency"] == "exchange"
                    && s["list_name"].as_str().unwrap().contains("42")),
            "the sender is the source: {rec}"
        );
    }
    let got = receive(&a, &tok_a, text_b.clone()).await;
    assert_eq!(got["unchanged"], 4, "back as themselves: {got}");

    // Changed there: the enterprise's address, the project under way.
    let (eb, pb) = {
        let list = read(&b, &tok_b, "/api/v1/enterprises").await;
        let eb = list["items"][0]["id"].as_i64().unwrap();
        let list = read(&b, &tok_b, "/api/v1/projects").await;
        (eb, list["items"][0]["id"].as_i64().unwrap())
    };
    let r = call(
        &b,
        &tok_b,
        reqwest::Method::PATCH,
        &format!("/api/v1/enterprises/{eb}"),
        &json!({"address": "Jung-gu, Seoul"}),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = call(
        &b,
        &tok_b,
        post.clone(),
        &format!("/api/v1/projects/{pb}/status"),
        &json!({"status": "under_construction", "changed_on": on}),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let (text_b, _) = export_lines(&b, &tok_b, "").await;
    let got = receive(&a, &tok_a, text_b).await;
    assert_eq!(got["changed"], 2, "{got}");
    let id = got["id"].as_i64().unwrap();
    let d = detail(&a, &tok_a, id).await;
    let diff_of = |kind: &str| {
        d["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["record_type"] == kind && i["outcome"] == "change")
            .unwrap_or_else(|| panic!("a change of the {kind}: {d}"))["diff"]
            .clone()
    };
    assert_eq!(
        diff_of("enterprise"),
        json!([{"field": "address", "ours": "", "theirs": "Jung-gu, Seoul"}])
    );
    assert_eq!(
        diff_of("project"),
        json!([{"field": "status", "ours": "licensed", "theirs": "under_construction"}])
    );
    // Nothing written before the decision.
    assert_eq!(
        read(&a, &tok_a, &format!("/api/v1/enterprises/{e}")).await["address"],
        ""
    );
    let r = accept_all(&a, &tok_a, id).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(
        read(&a, &tok_a, &format!("/api/v1/enterprises/{e}")).await["address"],
        "Jung-gu, Seoul"
    );
    let p = read(&a, &tok_a, &format!("/api/v1/projects/{pr}")).await;
    assert_eq!(p["status"], "under_construction");
    assert_eq!(
        p["investors"].as_array().unwrap().len(),
        2,
        "investors kept: {p}"
    );

    // A project naming an enterprise nobody knows: refused, the field named.
    let mut stray = proj.clone();
    stray["id"] = json!(uuid::Uuid::new_v4().to_string());
    stray["licence_no"] = json!("99/GCN");
    stray["investor_enterprise_ids"] = json!([uuid::Uuid::new_v4().to_string()]);
    let got = receive(
        &a,
        &tok_a,
        format!("{}\n{stray}\n", text.lines().next().unwrap()),
    )
    .await;
    assert_eq!(got["refused"], 1, "{got}");
    let d = detail(&a, &tok_a, got["id"].as_i64().unwrap()).await;
    assert_eq!(
        d["items"][0]["problem"], "investor_enterprise_ids:exchange_link_unknown",
        "{d}"
    );
}
