//! Events and delegations through the API, the pages and the browser:
//! create, read, update with If-Match, validation naming the field, history
//! and audit; reach (a mission manages its countries' events only, the
//! leadership and commune officers read and never write); invitee lists
//! built from the registry's filters within jurisdiction, replies and
//! attendance, the xlsx read back; letters in the official format read back
//! (one per invitee, one list letter, the officer's own template).

use std::io::{Cursor, Read, Write};

use app::accounts::users::Scope;
use domain::Role;
use serde_json::{Value, json};

use crate::browser::Browser;
use crate::dual;
use crate::helpers::{PASSWORD, TestApp, extract_csrf};
use crate::registry::people::{communes, person, token};

dual!(
    api_create_read_update_with_if_match_history_and_audit,
    api_refuses_invalid_input_naming_the_field,
    invitees_from_filters_within_jurisdiction_with_replies_and_xlsx,
    mission_manages_its_countries_only_and_leader_and_commune_only_read,
    letters_one_per_invitee_and_one_list_letter_read_back,
    an_uploaded_template_is_filled_per_invitee_even_split_across_runs,
    pages_list_show_create_and_refuse_like_the_api,
    browser_builds_an_invitee_list_makes_the_letters_and_reads_one_back,
    demo_data_fills_two_events_with_invitees_and_replies,
);

async fn demo_data_fills_two_events_with_invitees_and_replies(app: TestApp) {
    app::demo_data::ensure_demo(&app.app, Some("demo password for events"), 150, 7)
        .await
        .unwrap();
    let pool = &app.app.db.pool;
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(events, 2);
    let invitees: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM event_invitees")
        .fetch_one(pool)
        .await
        .unwrap();
    let replied: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM event_invitees WHERE reply <> 'unknown'")
            .fetch_one(pool)
            .await
            .unwrap();
    assert!(
        invitees > 0 && replied > 0,
        "{invitees} invitees, {replied} replies"
    );
    // Run twice, nothing more.
    app::demo_data::ensure_demo(&app.app, Some("demo password for events"), 150, 7)
        .await
        .unwrap();
    let again: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(again, 2);
}

async fn send(
    app: &TestApp,
    tok: &str,
    method: reqwest::Method,
    path: &str,
    etag: Option<&str>,
    body: Option<&Value>,
) -> reqwest::Response {
    let mut r = app.client.request(method, app.url(path)).bearer_auth(tok);
    if let Some(e) = etag {
        r = r.header("If-Match", e);
    }
    if let Some(b) = body {
        r = r.json(b);
    }
    r.send().await.unwrap()
}

async fn get(app: &TestApp, tok: &str, path: &str) -> reqwest::Response {
    send(app, tok, reqwest::Method::GET, path, None, None).await
}

async fn post(app: &TestApp, tok: &str, path: &str, body: &Value) -> reqwest::Response {
    send(app, tok, reqwest::Method::POST, path, None, Some(body)).await
}

async fn patch(
    app: &TestApp,
    tok: &str,
    path: &str,
    etag: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    send(app, tok, reqwest::Method::PATCH, path, etag, Some(body)).await
}

fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn province(app: &TestApp) -> String {
    token(
        app,
        "sonv",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await
}

/// Creates a person living in `country` with a hometown in `commune` and `tags`.
async fn someone(
    app: &TestApp,
    tok: &str,
    name: &str,
    commune: &str,
    country: &str,
    tags: &[&str],
) -> i64 {
    let mut p = person(name, commune);
    p["country"] = json!(country);
    p["passport_no"] = Value::Null;
    p["tags"] = json!(tags);
    let r = post(app, tok, "/api/v1/people", &p).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let v: Value = r.json().await.unwrap();
    v["id"].as_i64().unwrap()
}

/// Creates an event through the API; answers its id.
async fn event(app: &TestApp, tok: &str, name: &str, country: &str) -> i64 {
    let r = post(
        app,
        tok,
        "/api/v1/events",
        &json!({"kind": "xuan_que_huong", "name": name, "starts_on": "24/01/2027",
                "place": "Trung tâm Hội nghị tỉnh", "country": country}),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let v: Value = r.json().await.unwrap();
    v["id"].as_i64().unwrap()
}

async fn audit_actions(app: &TestApp, id: i64) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity = 'event' AND entity_id = $1 ORDER BY id",
    )
    .bind(id.to_string())
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap()
}

/// The text of a .docx: the `<w:t>` contents of its body, joined.
fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let mut out = String::new();
    let mut rest = xml.as_str();
    while let Some(i) = rest.find("<w:t") {
        rest = &rest[i + 4..];
        if !(rest.starts_with('>') || rest.starts_with(' ')) {
            continue;
        }
        let Some(open) = rest.find('>') else { break };
        rest = &rest[open + 1..];
        let end = rest.find("</w:t>").unwrap();
        out.push_str(&rest[..end]);
        out.push('\n');
        rest = &rest[end..];
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
}

async fn api_create_read_update_with_if_match_history_and_audit(app: TestApp) {
    let tok = province(&app).await;
    let r = post(
        &app,
        &tok,
        "/api/v1/events",
        &json!({"kind": "outgoing_delegation", "name": "Đoàn công tác thăm cộng đồng tại Nhật Bản",
                "starts_on": "10/04/2027", "ends_on": "2027-04-16", "place": "Tokyo, Osaka",
                "country": "Nhật Bản", "programme": "Gặp mặt Hội đồng hương\nXúc tiến đầu tư",
                "members": "Phó Chủ tịch UBND tỉnh, Trưởng đoàn\nGiám đốc Sở Ngoại vụ"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["etag"], "\"1\"");
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    let e: Value = r.json().await.unwrap();
    let id = e["id"].as_i64().unwrap();
    assert_eq!(loc, format!("/api/v1/events/{id}"));
    assert_eq!(e["country"], "JP");
    assert_eq!(e["starts_on"], "2027-04-10");
    assert_eq!(e["ends_on"], "2027-04-16");
    let path = format!("/api/v1/events/{id}");
    let r = patch(&app, &tok, &path, None, &json!({"place": "Tokyo"})).await;
    assert_eq!(r.status(), 428, "If-Match is required");
    let r = patch(&app, &tok, &path, Some("\"1\""), &json!({"place": "Tokyo"})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"2\"");
    let r = patch(&app, &tok, &path, Some("\"1\""), &json!({"place": "Osaka"})).await;
    assert_eq!(r.status(), 412, "a stale version is refused");
    let r = get(&app, &tok, &path).await;
    assert_eq!(r.status(), 200);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["place"], "Tokyo");
    let h: Value = get(&app, &tok, &format!("{path}/history"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(h[0]["summary"], "updated: place");
    assert_eq!(h[1]["summary"], "created");
    let list: Value = get(
        &app,
        &tok,
        "/api/v1/events?kind=outgoing_delegation&year=2027",
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(
        audit_actions(&app, id).await,
        ["event.create", "event.update", "event.view"]
    );
}

async fn api_refuses_invalid_input_naming_the_field(app: TestApp) {
    let tok = province(&app).await;
    let r = post(
        &app,
        &tok,
        "/api/v1/events",
        &json!({"kind": "party", "starts_on": "31/02/2027", "country": "Narnia"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    let f = fields(&v);
    for want in ["kind", "name", "starts_on", "country"] {
        assert!(f.iter().any(|x| x == want), "{want}: {v}");
    }
    let r = post(&app, &tok, "/api/v1/events", &json!({"colour": "red"})).await;
    assert_eq!(r.status(), 422);
    assert_eq!(fields(&r.json().await.unwrap()), ["colour"]);
    let id = event(&app, &tok, "Hội nghị", "").await;
    let r = post(
        &app,
        &tok,
        &format!("/api/v1/events/{id}/invitees"),
        &json!({}),
    )
    .await;
    assert_eq!(r.status(), 422, "an invitee list needs a filter");
    assert_eq!(fields(&r.json().await.unwrap()), ["filters"]);
    let r = post(
        &app,
        &tok,
        &format!("/api/v1/events/{id}/invitees"),
        &json!({"country": "Narnia"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(fields(&r.json().await.unwrap()), ["country"]);
    let r = post(
        &app,
        &tok,
        &format!("/api/v1/events/{id}/letters"),
        &json!({"kind": "postcard"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(fields(&r.json().await.unwrap()), ["kind"]);
    let r = post(
        &app,
        &tok,
        &format!("/api/v1/events/{id}/letters"),
        &json!({}),
    )
    .await;
    assert_eq!(r.status(), 422, "no invitee, no letter");
    assert_eq!(fields(&r.json().await.unwrap()), ["invitees"]);
}

async fn invitees_from_filters_within_jurisdiction_with_replies_and_xlsx(app: TestApp) {
    let (c1, c2) = communes();
    let tok = province(&app).await;
    let a = someone(&app, &tok, "Nguyễn Văn An", &c1, "JP", &["businessperson"]).await;
    let b = someone(&app, &tok, "Trần Thị Bình", &c2, "JP", &[]).await;
    let c = someone(&app, &tok, "Lê Văn Cường", &c1, "KR", &["businessperson"]).await;
    let id = event(&app, &tok, "Xuân Quê hương 2027", "").await;
    let path = format!("/api/v1/events/{id}");
    // Country by its name, as on the people list.
    let r = post(
        &app,
        &tok,
        &format!("{path}/invitees"),
        &json!({"country": "Nhật Bản"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["added"].as_i64(), v["invitees_total"].as_i64()),
        (Some(2), Some(2))
    );
    // A tag by its label: only the Korean businessman is new.
    let r = post(
        &app,
        &tok,
        &format!("{path}/invitees"),
        &json!({"tag": "Doanh nhân"}),
    )
    .await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["added"].as_i64(), v["already"].as_i64()),
        (Some(1), Some(1)),
        "{v}"
    );
    // Replies and attendance.
    let r = patch(
        &app,
        &tok,
        &format!("{path}/invitees/{a}"),
        None,
        &json!({"reply": "yes", "attendance": "attended"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = patch(
        &app,
        &tok,
        &format!("{path}/invitees/{b}"),
        None,
        &json!({"reply": "maybe"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(fields(&r.json().await.unwrap()), ["reply"]);
    let r = send(
        &app,
        &tok,
        reqwest::Method::DELETE,
        &format!("{path}/invitees/{c}"),
        None,
        None,
    )
    .await;
    assert_eq!(r.status(), 200);
    let e: Value = get(&app, &tok, &path).await.json().await.unwrap();
    assert_eq!(e["invitees_total"], 2);
    assert_eq!(e["replied_yes"], 1);
    assert_eq!(e["attended"], 1);
    assert_eq!(e["invitees"][0]["full_name"], "Nguyễn Văn An");
    assert_eq!(e["invitees"][0]["reply"], "yes");
    // A commune officer sees only the invitees of its commune.
    let commune = token(
        &app,
        "xa1",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c1)],
        &["read", "write"],
    )
    .await;
    let seen: Value = get(&app, &commune, &format!("{path}/invitees"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen.as_array().unwrap().len(), 1, "{seen}");
    // The workbook, read back.
    let r = get(&app, &tok, &format!("{path}/invitees.xlsx")).await;
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0)
        .unwrap()
        .unwrap();
    let cells: Vec<String> = sheet
        .rows()
        .flat_map(|r| r.iter().map(ToString::to_string))
        .collect();
    for want in [
        "Xuân Quê hương 2027 — Khách mời 24/01/2027",
        "Họ và tên",
        "Nguyễn Văn An",
        "Trần Thị Bình",
        "Nhật Bản",
        "Nhận lời",
        "Đã tham dự",
        "Chưa trả lời",
    ] {
        assert!(cells.iter().any(|c| c == want), "{want}: {cells:?}");
    }
    assert!(!cells.iter().any(|c| c == "Lê Văn Cường"), "removed");
    let actions = audit_actions(&app, id).await;
    for want in [
        "event.invitees_add",
        "event.invitee_change",
        "event.invitee_remove",
        "event.view",
    ] {
        assert!(actions.iter().any(|a| a == want), "{want}: {actions:?}");
    }
}

async fn mission_manages_its_countries_only_and_leader_and_commune_only_read(app: TestApp) {
    let (c1, _) = communes();
    let tok = province(&app).await;
    let jp_person = someone(&app, &tok, "Phạm Văn Dũng", &c1, "JP", &[]).await;
    someone(&app, &tok, "Hoàng Thị Em", &c1, "KR", &[]).await;
    let in_jp = event(&app, &tok, "Gặp mặt tại Tokyo", "JP").await;
    let in_kr = event(&app, &tok, "Gặp mặt tại Seoul", "KR").await;
    let mission = token(
        &app,
        "dsq.jp",
        Role::Mission,
        vec![Scope::new("country", "JP")],
        &["read", "write"],
    )
    .await;
    let list: Value = get(&app, &mission, "/api/v1/events")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1, "{list}");
    let r = get(&app, &mission, &format!("/api/v1/events/{in_kr}")).await;
    assert_eq!(
        r.status(),
        404,
        "an event outside its countries answers as not found"
    );
    let r = patch(
        &app,
        &mission,
        &format!("/api/v1/events/{in_kr}"),
        Some("*"),
        &json!({"place": "Busan"}),
    )
    .await;
    assert_eq!(
        r.status(),
        404,
        "a mission cannot manage an event outside its country"
    );
    let r = post(
        &app,
        &mission,
        &format!("/api/v1/events/{in_kr}/invitees"),
        &json!({"country": "KR"}),
    )
    .await;
    assert_eq!(r.status(), 404);
    let r = post(
        &app,
        &mission,
        "/api/v1/events",
        &json!({"kind": "conference", "name": "Hội thảo", "starts_on": "01/03/2027", "country": "KR"}),
    )
    .await;
    assert_eq!(r.status(), 422, "not in its countries");
    assert_eq!(fields(&r.json().await.unwrap()), ["country"]);
    let r = patch(
        &app,
        &mission,
        &format!("/api/v1/events/{in_jp}"),
        Some("*"),
        &json!({"place": "Yokohama"}),
    )
    .await;
    assert_eq!(r.status(), 200, "its own country's event");
    // Inviting everyone abroad: only the people of its country are added.
    let r = post(
        &app,
        &mission,
        &format!("/api/v1/events/{in_jp}/invitees"),
        &json!({"category": "contract_labour"}),
    )
    .await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["added"], 1, "{v}");
    let r = post(
        &app,
        &mission,
        &format!("/api/v1/events/{in_jp}/invitees"),
        &json!({"person_ids": [jp_person + 1]}),
    )
    .await;
    assert_eq!(r.status(), 422, "someone outside its jurisdiction");
    // The leadership reads events and their figures, writes nothing, sees no person.
    let leader = token(&app, "lanhdao", Role::Viewer, vec![], &["read"]).await;
    let r = get(&app, &leader, &format!("/api/v1/events/{in_jp}")).await;
    assert_eq!(r.status(), 200);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["invitees_total"], 1);
    assert_eq!(e["invitees"].as_array().unwrap().len(), 0);
    let leader_rw = token(&app, "lanhdao2", Role::Viewer, vec![], &["read", "write"]).await;
    let r = patch(
        &app,
        &leader_rw,
        &format!("/api/v1/events/{in_jp}"),
        Some("*"),
        &json!({"place": "x"}),
    )
    .await;
    assert_eq!(r.status(), 403, "the leadership does not write");
    let r = post(
        &app,
        &leader_rw,
        "/api/v1/events",
        &json!({"kind": "other", "name": "x", "starts_on": "01/01/2027"}),
    )
    .await;
    assert_eq!(r.status(), 403);
    // A commune officer reads, and does not write.
    let commune = token(
        &app,
        "xa2",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c1)],
        &["read", "write"],
    )
    .await;
    assert_eq!(
        get(&app, &commune, &format!("/api/v1/events/{in_kr}"))
            .await
            .status(),
        200
    );
    let r = post(
        &app,
        &commune,
        &format!("/api/v1/events/{in_kr}/invitees"),
        &json!({"country": "KR"}),
    )
    .await;
    assert_eq!(r.status(), 403);
    let r = post(
        &app,
        &commune,
        &format!("/api/v1/events/{in_kr}/letters"),
        &json!({}),
    )
    .await;
    assert_eq!(r.status(), 403);
    // An association's account has no events.
    let assoc = token(
        &app,
        "hoi.x",
        Role::Association,
        vec![Scope::new("association", "1")],
        &["read", "write"],
    )
    .await;
    assert_eq!(get(&app, &assoc, "/api/v1/events").await.status(), 403);
}

async fn letters_one_per_invitee_and_one_list_letter_read_back(app: TestApp) {
    let (c1, _) = communes();
    let tok = province(&app).await;
    someone(&app, &tok, "Nguyễn Văn An", &c1, "JP", &[]).await;
    someone(&app, &tok, "Trần Thị Bình", &c1, "JP", &[]).await;
    let id = event(&app, &tok, "Xuân Quê hương 2027", "").await;
    post(
        &app,
        &tok,
        &format!("/api/v1/events/{id}/invitees"),
        &json!({"country": "JP"}),
    )
    .await;
    for kind in [
        "invitation",
        "thank_you",
        "delegation_introduction",
        "commendation_proposal",
    ] {
        let r = post(
            &app,
            &tok,
            &format!("/api/v1/events/{id}/letters"),
            &json!({"kind": kind, "number": "15/SNgV-LS", "date": "07/12/2026",
                    "signer_name": "Nguyễn Văn Giám"}),
        )
        .await;
        assert_eq!(r.status(), 200, "{kind}");
        assert_eq!(
            r.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        let text = docx_text(&r.bytes().await.unwrap());
        for want in [
            "UBND TỈNH HÀ TĨNH",
            "SỞ NGOẠI VỤ",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Số: 15/SNgV-LS",
            "Hà Tĩnh, ngày 07 tháng 12 năm 2026",
            "Kính gửi: Ông/Bà Nguyễn Văn An",
            "Kính gửi: Ông/Bà Trần Thị Bình",
            "Nơi nhận:",
            "- Như trên;",
            "GIÁM ĐỐC",
            "Nguyễn Văn Giám",
        ] {
            assert!(text.contains(want), "{kind} lacks {want}: {text}");
        }
        assert!(!text.contains("{{"), "{kind}: a placeholder left: {text}");
    }
    let r = post(
        &app,
        &tok,
        &format!("/api/v1/events/{id}/letters"),
        &json!({"kind": "invitation", "date": "2027-01-05"}),
    )
    .await;
    let text = docx_text(&r.bytes().await.unwrap());
    assert!(text.contains("V/v Mời dự Xuân Quê hương 2027"), "{text}");
    assert!(text.contains("ngày 24/01/2027"), "{text}");
    assert!(text.contains("Trung tâm Hội nghị tỉnh"), "{text}");
    assert!(text.contains("ngày 05 tháng 01 năm 2027"), "{text}");
    // One letter to the list, the list attached.
    let r = post(
        &app,
        &tok,
        &format!("/api/v1/events/{id}/letters"),
        &json!({"kind": "invitation", "mode": "list", "body": "Kính mời {{ho_ten}} dự {{su_kien}}."}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let text = docx_text(&r.bytes().await.unwrap());
    assert_eq!(
        text.matches("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").count(),
        1
    );
    for want in [
        "Kính gửi: Các Ông/Bà có tên trong danh sách kèm theo",
        "Kính mời các Ông/Bà có tên trong danh sách kèm theo dự Xuân Quê hương 2027.",
        "DANH SÁCH KÈM THEO",
        "STT",
        "Nguyễn Văn An",
        "Trần Thị Bình",
    ] {
        assert!(text.contains(want), "list letter lacks {want}: {text}");
    }
    let actions = audit_actions(&app, id).await;
    assert!(actions.iter().filter(|a| *a == "event.letters").count() >= 6);
}

/// A .docx whose placeholders Word split across runs, as officers' files have them.
fn template_docx() -> Vec<u8> {
    let mut buf = Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let o = zip::write::SimpleFileOptions::default();
        z.start_file("[Content_Types].xml", o).unwrap();
        z.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#).unwrap();
        z.start_file("_rels/.rels", o).unwrap();
        z.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#).unwrap();
        z.start_file("word/document.xml", o).unwrap();
        z.write_all(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>\
             <w:p><w:r><w:t>Kính gửi: {{ho_</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>ten}}</w:t></w:r></w:p>\
             <w:p><w:r><w:t xml:space=\"preserve\">Mời dự {</w:t></w:r><w:r><w:t>{su_kien}} tại {{dia_diem}} &amp; </w:t></w:r><w:r><w:t>{{khong_co}}</w:t></w:r></w:p>\
             </w:body></w:document>"
                .as_bytes(),
        )
        .unwrap();
        z.finish().unwrap();
    }
    buf.into_inner()
}

async fn an_uploaded_template_is_filled_per_invitee_even_split_across_runs(app: TestApp) {
    let (c1, _) = communes();
    let tok = province(&app).await;
    someone(&app, &tok, "Nguyễn Văn An", &c1, "JP", &[]).await;
    someone(&app, &tok, "Trần Thị Bình", &c1, "JP", &[]).await;
    let id = event(&app, &tok, "Xuân Quê hương 2027", "").await;
    post(
        &app,
        &tok,
        &format!("/api/v1/events/{id}/invitees"),
        &json!({"country": "JP"}),
    )
    .await;
    let r = app
        .client
        .post(app.url(&format!("/api/v1/events/{id}/letters/template")))
        .bearer_auth(&tok)
        .header(
            "content-type",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        .body(template_docx())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let bytes = r.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
    assert_eq!(zip.len(), 2, "one letter per invitee");
    let mut texts = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut inner = Vec::new();
        f.read_to_end(&mut inner).unwrap();
        texts.push(docx_text(&inner).replace('\n', ""));
    }
    texts.sort();
    assert_eq!(
        texts,
        [
            "Kính gửi: Nguyễn Văn AnMời dự Xuân Quê hương 2027 tại Trung tâm Hội nghị tỉnh & {{khong_co}}",
            "Kính gửi: Trần Thị BìnhMời dự Xuân Quê hương 2027 tại Trung tâm Hội nghị tỉnh & {{khong_co}}",
        ]
    );
    let r = app
        .client
        .post(app.url(&format!("/api/v1/events/{id}/letters/template")))
        .bearer_auth(&tok)
        .body("not a docx")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(fields(&r.json().await.unwrap()), ["file"]);
}

async fn signed_in(app: &TestApp, client: &reqwest::Client, username: &str) -> String {
    let r = app.sign_in(client, username, PASSWORD).await;
    assert_eq!(r.status(), 303);
    let html = client
        .get(app.url("/events"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    extract_csrf(&html)
}

async fn pages_list_show_create_and_refuse_like_the_api(app: TestApp) {
    let (c1, _) = communes();
    let tok = province(&app).await;
    someone(&app, &tok, "Nguyễn Văn An", &c1, "KR", &[]).await;
    let kr = event(&app, &tok, "Gặp mặt tại Seoul", "KR").await;
    app.add_user("sonv.web", Role::ProvinceOfficer, vec![])
        .await;
    let client = TestApp::new_client();
    let csrf = signed_in(&app, &client, "sonv.web").await;
    // A form refused keeps what was typed and names the field.
    let r = client
        .post(app.url("/events"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "conference"),
            ("name", "Hội thảo trí thức"),
            ("starts_on", "32/13/2027"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("value=\"Hội thảo trí thức\"") && html.contains("data-field=\"starts_on\""),
        "{html}"
    );
    let r = client
        .post(app.url("/events"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "conference"),
            ("name", "Hội thảo trí thức"),
            ("starts_on", "05/03/2027"),
            ("country", "Hàn Quốc"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = client
        .get(app.url("/events"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Hội thảo trí thức")
            && html.contains("05/03/2027")
            && html.contains("Hội nghị, hội thảo"),
        "{html}"
    );
    assert!(
        !html.contains("2027-03-05") && !html.contains("<td>conference</td>"),
        "no code, no ISO date"
    );
    // Invitees from the filters, through the page.
    let r = client
        .post(app.url(&format!("/events/{kr}/invitees")))
        .form(&[("csrf", csrf.as_str()), ("country", "Hàn Quốc")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Nguyễn Văn An") && html.contains("Chưa trả lời"),
        "{html}"
    );
    let r = client
        .post(app.url(&format!("/events/{kr}/invitees")))
        .form(&[("csrf", csrf.as_str()), ("country", "Narnia")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // The letters, downloaded from the page.
    let r = client
        .post(app.url(&format!("/events/{kr}/letters")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "thank_you"),
            ("mode", "merge"),
            ("date", "07/12/2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = docx_text(&r.bytes().await.unwrap());
    assert!(
        text.contains("V/v Thư cảm ơn") && text.contains("Nguyễn Văn An"),
        "{text}"
    );
    // A mission of Japan: the Korean event answers as not found.
    app.add_user(
        "dsq.jp.web",
        Role::Mission,
        vec![Scope::new("country", "JP")],
    )
    .await;
    let client = TestApp::new_client();
    signed_in(&app, &client, "dsq.jp.web").await;
    let r = client
        .get(app.url(&format!("/events/{kr}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // The leadership reads, with no forms.
    app.add_user("lanhdao.web", Role::Viewer, vec![]).await;
    let client = TestApp::new_client();
    signed_in(&app, &client, "lanhdao.web").await;
    let html = client
        .get(app.url(&format!("/events/{kr}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Gặp mặt tại Seoul") && !html.contains("invitee-builder"),
        "{html}"
    );
    let r = client.get(app.url("/events/new")).send().await.unwrap();
    assert_eq!(r.status(), 403);
}

async fn browser_builds_an_invitee_list_makes_the_letters_and_reads_one_back(app: TestApp) {
    let (c1, _) = communes();
    let tok = province(&app).await;
    someone(&app, &tok, "Nguyễn Văn An", &c1, "JP", &["businessperson"]).await;
    someone(&app, &tok, "Trần Thị Bình", &c1, "JP", &[]).await;
    someone(&app, &tok, "Lê Văn Cường", &c1, "KR", &["businessperson"]).await;
    let id = event(&app, &tok, "Xuân Quê hương 2027", "").await;
    app.add_user("sonv.b", Role::ProvinceOfficer, vec![]).await;
    let b = Browser::start().await;
    b.sign_in(&app.url(""), "sonv.b", PASSWORD).await;
    b.goto(&app.url("/events")).await;
    assert_eq!(b.text("main h1").await, "Sự kiện, đoàn ra, đoàn vào");
    b.click(&format!("a[href='/events/{id}']")).await;
    assert!(b.wait_url(&format!("/events/{id}")).await);
    // The businesspeople in Japan: An; not Bình (Japan only), not Cường (Korea).
    b.type_into(
        "[data-testid=invitee-builder] input[name=country]",
        "Nhật Bản",
    )
    .await;
    b.script("document.querySelector('[data-testid=invitee-builder] select[name=tag]').value = 'businessperson'; return true;").await;
    b.click("[data-testid=invitee-add]").await;
    let added = b
        .wait_text("[data-testid=invitees-added]", |t| t.contains("Đã thêm: 1"))
        .await;
    assert!(added.contains("Đã thêm: 1"), "{added}");
    let list = b.text("[data-testid=invitees]").await;
    assert!(
        list.contains("Nguyễn Văn An") && !list.contains("Lê Văn Cường"),
        "{list}"
    );
    // The letters, downloaded and read back.
    let dir = tempfile::tempdir().unwrap();
    b.allow_downloads(dir.path()).await;
    b.type_into("[data-testid=letter-form] input[name=number]", "15/SNgV-LS")
        .await;
    b.type_into("[data-testid=letter-form] input[name=date]", "07/12/2026")
        .await;
    b.click("[data-testid=letters-generate]").await;
    let mut file = None;
    for _ in 0..100 {
        if let Some(p) = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "docx"))
        {
            file = Some(p);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let file = file.expect("the letters were downloaded");
    let text = docx_text(&std::fs::read(file).unwrap());
    for want in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Số: 15/SNgV-LS",
        "Hà Tĩnh, ngày 07 tháng 12 năm 2026",
        "Kính gửi: Ông/Bà Nguyễn Văn An",
        "Xuân Quê hương 2027",
    ] {
        assert!(
            text.contains(want),
            "the downloaded letter lacks {want}: {text}"
        );
    }
    assert!(!text.contains("Trần Thị Bình"), "not a businessperson");
    if let Ok(dir) = std::env::var("KIEUBAO_SCREENSHOT_DIR") {
        b.goto(&app.url(&format!("/events/{id}"))).await;
        std::fs::write(format!("{dir}/events-record.png"), b.screenshot().await).unwrap();
    }
    assert!(
        b.axe_violations().await.is_empty(),
        "{:?}",
        b.axe_violations().await
    );
}
