//! Each department's own fields (issue 19) round-trip on SQLite and
//! PostgreSQL: its template carries them, a filled template imports them
//! as typed values, the record (page and API) shows them, the people list
//! filters by them and the statistics count them — within the actor's
//! jurisdiction; a cell that cannot be read is a row error naming the
//! column and the value.

use std::io::Cursor;
use std::time::{Duration, Instant};

use app::accounts::users::Scope;
use app::intake::import::{files, mapping};
use calamine::{Reader, Xlsx};
use domain::{Agency, Role};
use serde_json::Value;

use crate::dual;
use crate::helpers::{PASSWORD, TestApp};
use crate::intake::imports::xlsx;

dual!(
    each_department_own_fields_round_trip_to_record_filter_and_statistics,
    unreadable_own_cells_are_row_errors_naming_column_and_value,
    a_streamed_csv_keeps_its_own_fields,
    the_record_shows_own_fields_in_words_on_a_desk_and_a_phone,
);

use super::imports::token;

async fn get_json(app: &TestApp, tok: &str, path: &str) -> Value {
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

async fn wait_status(app: &TestApp, tok: &str, id: i64, want: &str) -> Value {
    let started = Instant::now();
    loop {
        let s = get_json(app, tok, &format!("/api/v1/imports/{id}")).await;
        if s["status"] == want {
            return s;
        }
        assert!(s["status"] != "failed", "import {id} failed: {s}");
        // Generous: this file runs eight imports, beside the other tests,
        // on a shared machine.
        assert!(
            started.elapsed() < Duration::from_mins(3),
            "import {id} stuck: {s}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The headers of a source's template, read back from the xlsx.
fn template_headers(source: Agency) -> Vec<String> {
    let bytes = files::template(source, "42").unwrap();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let list = book.worksheet_range("Danh sách").unwrap();
    list.rows()
        .next()
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// A template filled with rows given as (field key, cell) pairs.
fn filled(source: Agency, rows: &[Vec<(&str, &str)>]) -> Vec<u8> {
    let headers = template_headers(source);
    let fields = mapping::template_fields(source);
    assert_eq!(
        headers,
        fields.iter().map(|f| f.header_vi).collect::<Vec<_>>()
    );
    for own in domain::source_fields::of(source) {
        assert!(
            headers.iter().any(|h| h == own.header_vi),
            "{source}: the template carries {}",
            own.key
        );
    }
    let col = |key: &str| fields.iter().position(|f| f.key == key).unwrap();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|pairs| {
            let mut row = vec![String::new(); headers.len()];
            for (k, v) in pairs {
                (*v).clone_into(&mut row[col(k)]);
            }
            row
        })
        .collect();
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    xlsx(&headers, &cells)
}

/// Uploads, validates and commits a filled template; answers the people
/// created, in row order.
async fn import(app: &TestApp, tok: &str, source: Agency, file: Vec<u8>) -> Vec<i64> {
    let r = app
        .client
        .post(app.url(&format!(
            "/api/v1/imports?source={}&survey_round=2025&file_name=list.xlsx",
            source.code()
        )))
        .bearer_auth(tok)
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let s = wait_status(app, tok, id, "validated").await;
    assert_eq!(s["error_rows"], 0, "{source}: {s}");
    let r = app
        .client
        .post(app.url(&format!("/api/v1/imports/{id}/commit")))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    wait_status(app, tok, id, "committed").await;
    sqlx::query_scalar("SELECT person_id FROM person_sources WHERE import_id = $1 ORDER BY row_no")
        .bind(id)
        .fetch_all(&app.app.db.pool)
        .await
        .unwrap()
}

/// The people list's total with one own-field filter (and more pairs).
async fn filtered(app: &TestApp, tok: &str, key: &str, op: &str, value: &str) -> i64 {
    let qs =
        serde_urlencoded::to_string([("field", key), ("field_op", op), ("field_value", value)])
            .unwrap();
    get_json(app, tok, &format!("/api/v1/people?{qs}")).await["total"]
        .as_i64()
        .unwrap()
}

/// A pivot's rows as (code, vi label, count).
async fn pivot(app: &TestApp, tok: &str, query: &str) -> Vec<(String, String, i64)> {
    let p = get_json(app, tok, &format!("/api/v1/statistics/pivot?{query}")).await;
    p["rows"]
        .as_array()
        .unwrap()
        .iter()
        .zip(p["row_totals"].as_array().unwrap())
        .map(|(h, n)| {
            (
                h["code"].as_str().unwrap().to_owned(),
                h["label_vi"].as_str().unwrap().to_owned(),
                n.as_i64().unwrap(),
            )
        })
        .collect()
}

/// The `(key, value)` pairs of a record's own fields in the API.
async fn api_fields(app: &TestApp, tok: &str, id: i64) -> Vec<(String, String)> {
    let p = get_json(app, tok, &format!("/api/v1/people/{id}")).await;
    p["source_fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["key"].as_str().unwrap().to_owned(),
                f["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pair(k: &str, v: &str) -> (String, String) {
    (k.to_owned(), v.to_owned())
}

#[expect(clippy::too_many_lines, reason = "six departments, one story")]
async fn each_department_own_fields_round_trip_to_record_filter_and_statistics(app: TestApp) {
    let tok = token(&app, "sonv", Role::ProvinceOfficer, vec![]).await;
    let browser = TestApp::new_client();
    app.sign_in(&browser, "sonv", PASSWORD).await;
    let communes = domain::geo::new_communes_of("42");
    let (c0, c1) = (communes[0].code, communes[1].code);
    let officer = token(
        &app,
        "xa0",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", c0)],
    )
    .await;
    let page = |id: i64| {
        let browser = browser.clone();
        let url = app.url(&format!("/people/{id}"));
        async move {
            let r = browser.get(url).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.text().await.unwrap()
        }
    };
    let person = |name: &'static str, commune: &'static str| {
        vec![
            ("full_name", name),
            ("country", "Nhật Bản"),
            ("hometown_code", commune),
        ]
    };
    let with = |mut base: Vec<(&'static str, &'static str)>,
                own: &[(&'static str, &'static str)]| {
        base.extend_from_slice(own);
        base
    };

    // Justice: marriages with a foreign element.
    let ids = import(
        &app,
        &tok,
        Agency::Justice,
        filled(
            Agency::Justice,
            &[
                with(
                    person("Trần Thị Mai", c0),
                    &[
                        ("marriage_date", "12/06/2018"),
                        ("spouse_name", "Kim Min Soo"),
                        ("spouse_nationality", "Hàn Quốc"),
                    ],
                ),
                with(
                    person("Lê Thị Lan", c1),
                    &[
                        ("marriage_date", "tháng 3/2019"),
                        ("spouse_name", "Chen Wei"),
                        ("spouse_nationality", "Đài Loan"),
                    ],
                ),
            ],
        ),
    )
    .await;
    assert_eq!(
        api_fields(&app, &tok, ids[0]).await,
        vec![
            pair("marriage_date", "2018-06-12"),
            pair("spouse_name", "Kim Min Soo"),
            pair("spouse_nationality", "KR"),
        ]
    );
    let html = page(ids[0]).await;
    for shown in [
        "Ngày đăng ký kết hôn",
        "12/06/2018",
        "Quốc tịch vợ/chồng",
        "Hàn Quốc",
        "Sở Tư pháp",
    ] {
        assert!(html.contains(shown), "record page shows {shown}");
    }
    assert!(!html.contains("2018-06-12"), "no ISO date on the page");
    assert!(!html.contains(">KR<"), "no country code on the page");
    assert!(page(ids[1]).await.contains("03/2019"));
    assert_eq!(
        filtered(&app, &tok, "spouse_nationality", "eq", "Hàn Quốc").await,
        1
    );
    assert_eq!(
        filtered(&app, &tok, "spouse_nationality", "", "Đài Loan").await,
        1
    );
    assert_eq!(
        filtered(&app, &tok, "marriage_date", "gte", "01/2019").await,
        1
    );
    assert_eq!(filtered(&app, &tok, "marriage_date", "eq", "2018").await, 1);
    assert_eq!(
        filtered(&app, &tok, "marriage_date", "lte", "2019").await,
        2
    );
    let rows = pivot(&app, &tok, "rows=spouse_nationality&agency=justice").await;
    assert!(
        rows.contains(&("KR".into(), "Hàn Quốc".into(), 1)),
        "{rows:?}"
    );
    assert!(
        rows.contains(&("TW".into(), "Đài Loan (Trung Quốc)".into(), 1)),
        "{rows:?}"
    );
    let rows = pivot(&app, &tok, "rows=marriage_date&agency=justice").await;
    assert_eq!(
        rows,
        vec![
            ("2018".into(), "2018".into(), 1),
            ("2019".into(), "2019".into(), 1)
        ],
        "marriages by year, in order"
    );

    // Labour: contract labour abroad.
    let ids = import(
        &app,
        &tok,
        Agency::Labour,
        filled(
            Agency::Labour,
            &[
                with(
                    person("Phan Văn Hùng", c0),
                    &[
                        ("employer_abroad", "Toyota Motor Corporation"),
                        ("contract_term_months", "36 tháng"),
                        ("sending_company", "Công ty CP Nhân lực Hà Tĩnh"),
                    ],
                ),
                with(
                    person("Võ Văn Tài", c1),
                    &[
                        ("employer_abroad", "Denso"),
                        ("contract_term_months", "3 năm"),
                        ("sending_company", "Công ty CP  Nhân lực Hà Tĩnh"),
                    ],
                ),
            ],
        ),
    )
    .await;
    assert_eq!(
        api_fields(&app, &tok, ids[1]).await,
        vec![
            pair("employer_abroad", "Denso"),
            pair("contract_term_months", "36"),
            pair("sending_company", "Công ty CP Nhân lực Hà Tĩnh"),
        ]
    );
    assert!(page(ids[0]).await.contains("Doanh nghiệp đưa đi"));
    assert_eq!(
        filtered(&app, &tok, "sending_company", "contains", "nhan luc").await,
        2
    );
    assert_eq!(
        filtered(
            &app,
            &tok,
            "employer_abroad",
            "eq",
            "TOYOTA motor corporation"
        )
        .await,
        1
    );
    assert_eq!(
        filtered(&app, &tok, "contract_term_months", "eq", "36").await,
        2
    );
    assert_eq!(
        filtered(&app, &tok, "contract_term_months", "gte", "37").await,
        0
    );
    let rows = pivot(&app, &tok, "rows=sending_company&agency=labour").await;
    assert_eq!(
        rows,
        vec![(
            "Công ty CP Nhân lực Hà Tĩnh".into(),
            "Công ty CP Nhân lực Hà Tĩnh".into(),
            2
        )]
    );

    // Education: students abroad.
    let ids = import(
        &app,
        &tok,
        Agency::Education,
        filled(
            Agency::Education,
            &[
                with(
                    person("Nguyễn Minh Anh", c0),
                    &[
                        ("school", "Đại học Tokyo"),
                        ("field_of_study", "Công nghệ thông tin"),
                        ("funding", "Tự túc"),
                        ("study_from_year", "2019"),
                        ("study_to_year", "năm 2023"),
                    ],
                ),
                with(
                    person("Hoàng Gia Bảo", c1),
                    &[
                        ("school", "Đại học Waseda"),
                        ("field_of_study", "Kinh tế"),
                        ("funding", "Học bổng Chính phủ Nhật"),
                        ("study_from_year", "2020"),
                    ],
                ),
            ],
        ),
    )
    .await;
    let html = page(ids[0]).await;
    assert!(html.contains("Kinh phí") && html.contains("Tự túc"));
    assert!(!html.contains("self_funded"), "no choice code on the page");
    assert_eq!(filtered(&app, &tok, "funding", "eq", "Học bổng").await, 1);
    assert_eq!(filtered(&app, &tok, "funding", "eq", "tự túc").await, 1);
    assert_eq!(
        filtered(&app, &tok, "study_from_year", "gte", "2020").await,
        1
    );
    assert_eq!(filtered(&app, &tok, "study_to_year", "eq", "2023").await, 1);
    let rows = pivot(&app, &tok, "rows=funding&agency=education").await;
    assert_eq!(
        rows,
        vec![
            ("scholarship".into(), "Học bổng".into(), 1),
            ("self_funded".into(), "Tự túc".into(), 1),
        ],
        "choices in their list's order"
    );
    // Through the commune officer's jurisdiction: only commune c0's.
    let qs = "field=funding&field_value=H%E1%BB%8Dc%20b%E1%BB%95ng";
    assert_eq!(
        get_json(&app, &officer, &format!("/api/v1/people?{qs}")).await["total"],
        0
    );
    assert_eq!(filtered(&app, &officer, "funding", "eq", "Tự túc").await, 1);
    let rows = pivot(&app, &officer, "rows=funding").await;
    assert!(
        rows.contains(&("self_funded".into(), "Tự túc".into(), 1)),
        "{rows:?}"
    );
    assert!(!rows.iter().any(|r| r.0 == "scholarship"), "{rows:?}");
    // A person of another commune is not found through the API either.
    let r = app
        .client
        .get(app.url(&format!("/api/v1/people/{}", ids[1])))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // The statistics page and its export name the field and its values.
    let r = browser
        .get(app.url("/reports?rows=funding&agency=education"))
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Kinh phí") && html.contains("Tự túc"),
        "stats page"
    );
    // A figure drills down to the people list filtered by the own field.
    assert!(
        html.contains("field=funding") && html.contains("field_value=self_funded"),
        "drill-down link"
    );
    let html = browser
        .get(app.url("/people?agency=education&field=funding&field_value=self_funded"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Nguyễn Minh Anh") && !html.contains("Hoàng Gia Bảo"));
    let r = browser
        .get(app.url("/reports/export.xlsx?rows=funding&agency=education"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let first = book.sheet_names()[0].clone();
    let cells: Vec<String> = book
        .worksheet_range(&first)
        .unwrap()
        .cells()
        .map(|(_, _, c)| c.to_string())
        .collect();
    for want in ["Kinh phí", "Học bổng", "Tự túc"] {
        assert!(
            cells.iter().any(|c| c.contains(want)),
            "export has {want}: {cells:?}"
        );
    }
    assert!(
        !cells.iter().any(|c| c == "self_funded"),
        "no code in the export"
    );

    // Home affairs: officials trained abroad.
    import(
        &app,
        &tok,
        Agency::HomeAffairs,
        filled(
            Agency::HomeAffairs,
            &[
                with(
                    person("Đặng Quốc Việt", c0),
                    &[
                        ("sending_agency", "Sở Y tế Hà Tĩnh"),
                        ("programme", "Đề án 89"),
                    ],
                ),
                with(
                    person("Bùi Thu Hà", c1),
                    &[("sending_agency", "Sở Nội vụ"), ("programme", "Đề án 165")],
                ),
            ],
        ),
    )
    .await;
    assert_eq!(
        filtered(&app, &tok, "sending_agency", "eq", "so y te ha tinh").await,
        1
    );
    assert_eq!(
        filtered(&app, &tok, "programme", "contains", "đề án").await,
        2
    );
    let rows = pivot(&app, &tok, "rows=programme&agency=home_affairs").await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|r| r.2 == 1), "{rows:?}");

    // Planning and investment: enterprises and projects.
    let ids = import(
        &app,
        &tok,
        Agency::PlanningInvestment,
        filled(
            Agency::PlanningInvestment,
            &[
                with(
                    person("Phạm Văn Sơn", c0),
                    &[
                        ("enterprise_name", "Công ty TNHH Sao Mai"),
                        ("project", "Khu du lịch Thiên Cầm"),
                        ("capital", "1.500.000"),
                        ("sector", "Du lịch"),
                    ],
                ),
                with(
                    person("Ngô Thị Hạnh", c1),
                    &[
                        ("enterprise_name", "Công ty CP Hồng Lĩnh"),
                        ("project", "Nhà máy chế biến hải sản"),
                        ("capital", "250,5"),
                        ("sector", "Công nghiệp, xây dựng"),
                    ],
                ),
            ],
        ),
    )
    .await;
    assert!(page(ids[0]).await.contains("1.500.000"), "numbers grouped");
    assert_eq!(
        api_fields(&app, &tok, ids[1]).await[2],
        pair("capital", "250.5")
    );
    assert_eq!(filtered(&app, &tok, "capital", "gte", "1000").await, 1);
    assert_eq!(filtered(&app, &tok, "capital", "lte", "250,5").await, 1);
    assert_eq!(filtered(&app, &tok, "sector", "eq", "Du lịch").await, 1);
    let rows = pivot(&app, &tok, "rows=sector&agency=planning_investment").await;
    assert_eq!(
        rows,
        vec![
            ("industry".into(), "Công nghiệp, xây dựng".into(), 1),
            ("tourism".into(), "Du lịch, khách sạn, nhà hàng".into(), 1),
        ]
    );

    // Missions: passports (the core column) and citizen protection.
    let ids = import(
        &app,
        &tok,
        Agency::Mission,
        filled(
            Agency::Mission,
            &[
                with(
                    person("Lý Thị Thu", c0),
                    &[
                        ("passport_no", "B1234567"),
                        ("citizen_protection_case", "Hỗ trợ về nước năm 2023"),
                    ],
                ),
                with(person("Tạ Văn Nam", c1), &[("passport_no", "C7654321")]),
            ],
        ),
    )
    .await;
    assert_eq!(
        api_fields(&app, &tok, ids[0]).await,
        vec![pair("citizen_protection_case", "Hỗ trợ về nước năm 2023")]
    );
    assert!(api_fields(&app, &tok, ids[1]).await.is_empty());
    assert_eq!(
        filtered(&app, &tok, "citizen_protection_case", "contains", "về nước").await,
        1
    );
    let rows = pivot(&app, &tok, "rows=citizen_protection_case&agency=mission").await;
    assert_eq!(
        rows,
        vec![
            (
                "Hỗ trợ về nước năm 2023".into(),
                "Hỗ trợ về nước năm 2023".into(),
                1
            ),
            (String::new(), "(chưa rõ)".into(), 1),
        ]
    );
    // Two own fields against each other, and an own field by a core one.
    let p = get_json(
        &app,
        &tok,
        "/api/v1/statistics/pivot?rows=country&cols=funding&agency=education",
    )
    .await;
    assert_eq!(p["total"], 2);

    // A filter that does not fit its field is refused, translated.
    let r = app
        .client
        .get(app.url("/api/v1/people?field=funding&field_op=gte&field_value=1"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = app
        .client
        .get(app.url("/api/v1/people?field=capital&field_value=nhieu"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // The people list page offers the fields and filters by one.
    let r = browser
        .get(app.url("/people?field=sector&field_value=Du+l%E1%BB%8Bch"))
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("Phạm Văn Sơn") && !html.contains("Ngô Thị Hạnh"));
    assert!(
        html.contains("ĐT — Ngành, lĩnh vực</option>"),
        "the field select"
    );
}

async fn unreadable_own_cells_are_row_errors_naming_column_and_value(app: TestApp) {
    let tok = token(&app, "sonv", Role::ProvinceOfficer, vec![]).await;
    let browser = TestApp::new_client();
    app.sign_in(&browser, "sonv", PASSWORD).await;
    let file = filled(
        Agency::Justice,
        &[
            vec![
                ("full_name", "Trần Thị Mai"),
                ("country", "KR"),
                ("marriage_date", "31/02/2019"),
            ],
            vec![
                ("full_name", "Lê Thị Lan"),
                ("country", "KR"),
                ("spouse_nationality", "Atlantis"),
            ],
            vec![
                ("full_name", "Hồ Thị Nga"),
                ("country", "KR"),
                ("spouse_nationality", "Nam Hàn"),
            ],
        ],
    );
    let labour = filled(
        Agency::Labour,
        &[vec![
            ("full_name", "Phan Văn Hùng"),
            ("country", "JP"),
            ("contract_term_months", "ba năm"),
        ]],
    );
    let mut ids = Vec::new();
    for (source, file) in [(Agency::Justice, file), (Agency::Labour, labour)] {
        let r = app
            .client
            .post(app.url(&format!(
                "/api/v1/imports?source={}&file_name=bad.xlsx",
                source.code()
            )))
            .bearer_auth(&tok)
            .body(file)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202);
        ids.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    let s = wait_status(&app, &tok, ids[0], "validated").await;
    assert_eq!(
        (s["valid_rows"].as_i64(), s["error_rows"].as_i64()),
        (Some(1), Some(2))
    );
    let rows = get_json(
        &app,
        &tok,
        &format!("/api/v1/imports/{}/rows?problems=true", ids[0]),
    )
    .await;
    let errors: Vec<(i64, String, String, String, i64)> = rows
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            let n = r["row_no"].as_i64().unwrap();
            r["errors"].as_array().unwrap().iter().map(move |e| {
                (
                    n,
                    e["field"].as_str().unwrap().to_owned(),
                    e["code"].as_str().unwrap().to_owned(),
                    e["arg"].as_str().unwrap_or_default().to_owned(),
                    e["column"].as_i64().unwrap(),
                )
            })
        })
        .collect();
    let fields = mapping::template_fields(Agency::Justice);
    let col = |k: &str| fields.iter().position(|f| f.key == k).unwrap() as i64;
    assert_eq!(
        errors,
        vec![
            (
                2,
                "marriage_date".into(),
                "invalid_date".into(),
                "31/02/2019".into(),
                col("marriage_date")
            ),
            (
                3,
                "spouse_nationality".into(),
                "unknown_country".into(),
                "Atlantis".into(),
                col("spouse_nationality")
            ),
        ]
    );
    let s = wait_status(&app, &tok, ids[1], "validated").await;
    assert_eq!(s["error_rows"], 1);
    // The page says it in words: the column's name, what is wrong, the value.
    let html = browser
        .get(app.url(&format!("/imports/{}", ids[1])))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // "Cột "Thời hạn hợp đồng (tháng)" = "ba năm": Phải là một số."
    let says = |html: &str, column: &str, words: &[&str]| {
        html.split(column).any(|rest| {
            let text = rest.split('<').next().unwrap_or("");
            words.iter().all(|w| text.contains(w))
        })
    };
    assert!(
        says(
            &html,
            "Thời hạn hợp đồng (tháng)",
            &["ba năm", "Phải là một số."]
        ),
        "translated row error naming the value"
    );
    let html = browser
        .get(app.url(&format!("/imports/{}", ids[0])))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(says(
        &html,
        "Quốc tịch vợ/chồng",
        &["Atlantis", "Không có quốc gia này."]
    ));
    assert!(says(
        &html,
        "Ngày đăng ký kết hôn",
        &["31/02/2019", "Ngày không hợp lệ"]
    ));
    // The valid row alone is committed, with its typed field.
    let r = app
        .client
        .post(app.url(&format!("/api/v1/imports/{}/commit", ids[0])))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    wait_status(&app, &tok, ids[0], "committed").await;
    let stored: Vec<(String, String)> = sqlx::query_as(
        "SELECT f.field_key, f.text_value FROM person_source_fields f \
         JOIN person_sources ps ON ps.id = f.source_id WHERE ps.import_id = $1",
    )
    .bind(ids[0])
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(stored, vec![pair("spouse_nationality", "KR")]);
}

/// The command line's streamed path (`kieubao import list.csv`) writes
/// the own fields like the page's commit, after a list without any.
async fn a_streamed_csv_keeps_its_own_fields(app: TestApp) {
    let tok = token(&app, "sonv", Role::ProvinceOfficer, vec![]).await;
    let uid: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'sonv'")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    let actor = app::accounts::users::actor_for(&app.app, uid)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, source: Agency, rows: &[&[(&str, &str)]]| {
        let fields = mapping::template_fields(source);
        let mut csv = fields
            .iter()
            .map(|f| format!("\"{}\"", f.header_vi))
            .collect::<Vec<_>>()
            .join(",");
        for row in rows {
            csv.push('\n');
            let cells: Vec<String> = fields
                .iter()
                .map(|f| {
                    let v = row.iter().find(|(k, _)| *k == f.key).map_or("", |p| p.1);
                    format!("\"{v}\"")
                })
                .collect();
            csv.push_str(&cells.join(","));
        }
        let path = dir.path().join(name);
        std::fs::write(&path, csv).unwrap();
        path
    };
    let police = write(
        "police.csv",
        Agency::Police,
        &[&[("full_name", "Đinh Văn Long"), ("country", "Đức")]],
    );
    let labour = write(
        "labour.csv",
        Agency::Labour,
        &[
            &[
                ("full_name", "Phan Văn Hùng"),
                ("country", "Nhật"),
                ("sending_company", "Công ty CP Nhân lực Hà Tĩnh"),
                ("contract_term_months", "36"),
            ],
            &[("full_name", "Võ Thị Hà"), ("country", "Đài Loan")],
        ],
    );
    let quiet = |_: &str, _: usize, _: usize| {};
    for (source, path) in [("police", &police), ("labour", &labour)] {
        let s =
            app::intake::import::run_file(&app.app, &actor, source, "2025", path, false, &quiet)
                .await
                .unwrap();
        assert_eq!(s.status, "committed", "{s:?}");
        assert_eq!(s.error_rows, 0, "{s:?}");
    }
    assert_eq!(
        filtered(&app, &tok, "sending_company", "contains", "nhân lực").await,
        1
    );
    assert_eq!(
        filtered(&app, &tok, "contract_term_months", "gte", "24").await,
        1
    );
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM person_source_fields")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(stored, 2);
}

/// In Chromium, as the officer sees it at a desk (1366×900) and on a phone
/// (390×844): the record's sources show each department's own fields by
/// label, dates as dd/mm/yyyy, countries and choices by name — never a key,
/// a code or an ISO date. Screenshots go to `KIEUBAO_SCREENSHOT_DIR`.
async fn the_record_shows_own_fields_in_words_on_a_desk_and_a_phone(app: TestApp) {
    let tok = token(&app, "sonv", Role::ProvinceOfficer, vec![]).await;
    let c0 = domain::geo::new_communes_of("42")[0].code;
    let ids = import(
        &app,
        &tok,
        Agency::Justice,
        filled(
            Agency::Justice,
            &[vec![
                ("full_name", "Trần Thị Mai"),
                ("country", "Hàn Quốc"),
                ("hometown_code", c0),
                ("marriage_date", "12/06/2018"),
                ("spouse_name", "Kim Min Soo"),
                ("spouse_nationality", "Hàn Quốc"),
            ]],
        ),
    )
    .await;
    let b = crate::browser::Browser::start().await;
    b.sign_in(&app.url(""), "sonv", PASSWORD).await;
    for (w, h) in [(1366, 900), (390, 844)] {
        b.set_window(w, h).await;
        b.goto(&app.url(&format!("/people/{}", ids[0]))).await;
        let text = b.wait_text("main", |t| t.contains("Kim Min Soo")).await;
        assert!(
            text.contains("12/06/2018"),
            "the date as dd/mm/yyyy: {text}"
        );
        assert!(text.contains("Hàn Quốc"), "{text}");
        for raw in [
            "2018-06-12",
            "spouse_nationality",
            "marriage_date",
            "justice",
            " KR",
        ] {
            assert!(!text.contains(raw), "{raw:?} shown at {w}px: {text}");
        }
        let png = b.screenshot().await;
        assert!(png.starts_with(b"\x89PNG"));
        if let Ok(dir) = std::env::var("KIEUBAO_SCREENSHOT_DIR") {
            std::fs::write(
                std::path::Path::new(&dir)
                    .join(format!("record-own-fields-{w}-{:?}.png", app.backend)),
                &png,
            )
            .unwrap();
        }
    }
}
