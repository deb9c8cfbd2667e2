//! Values as people write them (issue 19): a list with countries,
//! categories, genders, statuses and dates written the Vietnamese way is
//! imported and committed; the records hold the codes; every filter (list,
//! search, statistics) takes the same words; the person form and the API
//! take them too; a commune officer's own list lands in their commune.

use app::accounts::users::Scope;
use domain::Role;
use serde_json::{Value, json};

use crate::dual;
use crate::helpers::TestApp;

dual!(
    vietnamese_values_round_trip_from_list_to_record_and_filters,
    forms_and_relatives_take_words,
    a_commune_officers_own_list_lands_in_their_commune,
);

use super::imports::token;

async fn get(app: &TestApp, tok: &str, path: &str) -> (u16, Value) {
    let r = app
        .client
        .get(app.url(path))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Uploads, waits for the check, commits, waits for the commit; the import.
async fn import_and_commit(app: &TestApp, tok: &str, source: &str, body: Vec<u8>) -> Value {
    let r = app
        .client
        .post(app.url(&format!(
            "/api/v1/imports?source={source}&survey_round=2025&file_name=ds.xlsx"
        )))
        .bearer_auth(tok)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let wait = |want: &'static str| async move {
        for _ in 0..1200 {
            let (_, s) = get(app, tok, &format!("/api/v1/imports/{id}")).await;
            if s["status"] == want {
                return s;
            }
            assert_ne!(s["status"], "failed", "{s}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("import {id} never reached {want}");
    };
    let s = wait("validated").await;
    let r = app
        .client
        .post(app.url(&format!("/api/v1/imports/{id}/commit")))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    wait("committed").await;
    s
}

async fn vietnamese_values_round_trip_from_list_to_record_and_filters(app: TestApp) {
    let tok = token(&app, "lan", Role::ProvinceOfficer, vec![]).await;
    let headers = [
        "Họ và tên",
        "Giới tính",
        "Ngày sinh",
        "Diện",
        "Nước cư trú",
        "Năm xuất cảnh",
        "Tình trạng",
    ];
    let rows: Vec<Vec<String>> = [
        [
            "Nguyễn Văn An",
            "Nam",
            "tháng 5/1990",
            "Lao động",
            "Nhật Bản",
            "năm 2015",
            "Đang ở nước ngoài",
        ],
        [
            "Trần Thị Bình",
            "Nữ",
            "3-5-98",
            "Du học sinh",
            "Hoa Kỳ",
            "2019?",
            "Đã về nước",
        ],
        ["Lê Văn Cường", "nam", "45658", "XKLĐ", "Nhật", "", ""],
        [
            "Phạm Thị Dung",
            "NỮ",
            "30/04/1975",
            "Kết hôn",
            "CHLB Đức",
            "1999",
            "Mất liên lạc",
        ],
        [
            "Hoàng Văn Em",
            "Nam",
            "năm 1980",
            "Việt kiều",
            "Nam Hàn",
            "",
            "Đã mất",
        ],
        [
            "Đỗ Thị Gấm",
            "Nữ",
            "1985",
            "Định cư",
            "Liên bang Nga",
            "",
            "",
        ],
        ["Vũ Văn Hải", "Nam", "1970", "Lao động", "Séc", "", ""],
        ["Bùi Thị Lan", "Nữ", "1992", "Lao động", "Đài Loan", "", ""],
    ]
    .iter()
    .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
    .collect();
    let s = import_and_commit(&app, &tok, "labour", super::imports::xlsx(&headers, &rows)).await;
    assert_eq!(s["error_rows"], 0, "{s}");
    assert_eq!(s["valid_rows"], 8, "{s}");

    // The records hold the codes.
    let (_, page) = get(&app, &tok, "/api/v1/people?limit=50").await;
    let by_name = |name: &str| -> Value {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["full_name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} not imported: {page}"))
    };
    let an = by_name("Nguyễn Văn An");
    assert_eq!(an["country"], "JP");
    assert_eq!(an["category"], "contract_labour");
    assert_eq!(an["birth_date"], "1990-05");
    assert_eq!(an["gender"], "male");
    let (_, an_full) = get(&app, &tok, &format!("/api/v1/people/{}", an["id"])).await;
    assert_eq!(an_full["departure_year"], 2015);
    let binh = by_name("Trần Thị Bình");
    assert_eq!(
        (
            binh["country"].as_str(),
            binh["birth_date"].as_str(),
            binh["status"].as_str()
        ),
        (Some("US"), Some("1998-05-03"), Some("returned"))
    );
    assert_eq!(
        by_name("Lê Văn Cường")["birth_date"],
        "2025-01-01",
        "Excel serial"
    );
    assert_eq!(by_name("Phạm Thị Dung")["country"], "DE");
    assert_eq!(by_name("Hoàng Văn Em")["country"], "KR");
    assert_eq!(by_name("Hoàng Văn Em")["status"], "deceased");
    assert_eq!(by_name("Đỗ Thị Gấm")["country"], "RU");
    assert_eq!(by_name("Vũ Văn Hải")["country"], "CZ");
    assert_eq!(by_name("Bùi Thị Lan")["country"], "TW");

    // Every filter takes the words: the list, the search, the statistics.
    for (query, want) in [
        ("country=Nhật Bản", 2),
        ("country=nhat", 2),
        ("country=JP", 2),
        ("category=Lao động", 4),
        ("gender=Nữ", 4),
        ("status=Đã về nước", 1),
        ("country=Mỹ&gender=nữ", 1),
    ] {
        let (code, v) = get(&app, &tok, &format!("/api/v1/people?{query}")).await;
        assert_eq!(code, 200, "{query}: {v}");
        assert_eq!(v["total"], want, "{query}");
    }
    let (code, v) = get(&app, &tok, "/api/v1/people?country=Wakanda").await;
    assert_eq!(
        code, 422,
        "an unknown country is an error, not an empty list: {v}"
    );
    assert!(v.to_string().contains("country"), "{v}");
    let (code, v) = get(&app, &tok, "/api/v1/search?q=Nguyễn&country=Nhật Bản").await;
    assert_eq!(code, 200, "{v}");
    let hits = v["items"]
        .as_array()
        .or(v["hits"].as_array())
        .cloned()
        .unwrap_or_default();
    assert!(
        !hits.is_empty() && hits.iter().all(|h| h["country"] == "JP"),
        "{v}"
    );
    let r = app
        .client
        .get(app.url("/api/v1/statistics/pivot?rows=category&country=Nhật Bản"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("contract_labour") || body.contains("Lao động"),
        "{body}"
    );
}

async fn forms_and_relatives_take_words(app: TestApp) {
    let (c1, _) = crate::registry::people::communes();
    let tok = token(&app, "lan", Role::ProvinceOfficer, vec![]).await;
    let r = crate::registry::people::post(
        &app,
        &tok,
        &json!({
            "full_name": "Ngô Thị Hoa",
            "category": "Du học",
            "country": "Hoa Kỳ",
            "gender": "Nữ",
            "birth_date": "tháng 5/1990",
            "departure_year": "năm 2015",
            "status": "Đang ở nước ngoài",
            "nationalities": ["Việt Nam", "Mỹ"],
            "hometown_code": c1,
        }),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["category"], "study_abroad");
    assert_eq!(p["country"], "US");
    assert_eq!(p["gender"], "female");
    assert_eq!(p["birth_date"], "1990-05");
    assert_eq!(p["departure_year"], 2015);
    assert_eq!(p["nationalities"], json!(["VN", "US"]));
    // A value nobody could mean is refused, naming the field.
    let r = crate::registry::people::post(
        &app,
        &tok,
        &json!({"full_name": "X", "category": "Nhà báo", "country": "Wakanda", "birth_date": "sau 1990"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["category", "country", "birth_date"] {
        assert!(fields.contains(&f), "{f} not named: {v}");
    }
    // A relative's relationship as written.
    let h: Value = app
        .client
        .post(app.url("/api/v1/households"))
        .bearer_auth(&tok)
        .json(&json!({"head_name": "Ngô Văn Hộ", "commune_code": c1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let add = |relationship: &str| {
        app.client
            .post(app.url(&format!("/api/v1/people/{}/relatives", p["id"])))
            .bearer_auth(&tok)
            .json(&json!({"household_id": h["id"], "full_name": "Ngô Thị Mẹ", "relationship": relationship}))
            .send()
    };
    let r = add("Mẹ").await.unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let rel: Value = r.json().await.unwrap();
    assert_eq!(rel["relationship"], "parent", "{rel}");
    let r = add("Hàng xóm").await.unwrap();
    assert_eq!(r.status(), 422);
}

async fn a_commune_officers_own_list_lands_in_their_commune(app: TestApp) {
    let (c1, c2) = crate::registry::people::communes();
    let tok = token(
        &app,
        "canbo.xa",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", &c1)],
    )
    .await;
    let other = domain::geo::new_commune(&c2).unwrap();
    let rows = vec![
        vec![
            "Nguyễn Văn Tư".to_owned(),
            "Nhật Bản".to_owned(),
            String::new(),
        ],
        vec![
            "Trần Văn Năm".to_owned(),
            "Hàn Quốc".to_owned(),
            domain::geo::new_commune_label(other),
        ],
    ];
    let body = super::imports::xlsx(&["Họ và tên", "Quốc gia", "Quê quán"], &rows);
    let s = import_and_commit(&app, &tok, "UBND xã", body).await;
    assert_eq!(s["source"], "commune", "{s}");
    assert_eq!(
        s["valid_rows"], 1,
        "the row from another commune is refused: {s}"
    );
    assert_eq!(s["error_rows"], 1, "{s}");
    let (_, page) = get(&app, &tok, "/api/v1/people").await;
    assert_eq!(page["total"], 1, "{page}");
    let (_, p) = get(
        &app,
        &tok,
        &format!("/api/v1/people/{}", page["items"][0]["id"]),
    )
    .await;
    assert_eq!(p["hometown_code"], c1.as_str(), "{p}");
}
