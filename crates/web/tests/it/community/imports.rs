//! Import of associations, projects and contributions from the lists
//! officials make (issue 22 rules): a real .xlsx with title rows, a merged
//! two-row header, an STT column and a totals row; values in words; all or
//! nothing, every problem naming its row and column; each record audited; a
//! mission only in its countries; the template downloaded, read back and
//! imported. Donors and investors are matched by name (namesakes told apart
//! by birth year, country or hometown), never guessed; the sample of the
//! planning department's list (`tests/fixtures/samples`) is imported whole.

use std::io::Cursor;

use app::accounts::users::Scope;
use calamine::{Reader, Xlsx};
use domain::Role;
use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;

use crate::browser::Browser;
use crate::dual;
use crate::helpers::{PASSWORD, TestApp, extract_csrf};
use crate::registry::people::{person, token};

dual!(
    a_project_list_with_title_rows_and_a_merged_header_imports_all_or_nothing,
    associations_import_in_words_within_reach_and_the_template_round_trips,
    contributions_import_matches_donors_and_never_guesses_a_namesake,
    the_planning_departments_sample_list_imports_projects_with_investors_and_status,
    browser_the_contributions_import_page_lists_the_namesakes,
);

async fn upload(
    app: &TestApp,
    tok: &str,
    path: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
    );
    app.client
        .post(app.url(path))
        .bearer_auth(tok)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap()
}

/// The planning-and-investment department's list as it is made: two title
/// rows, "Vốn đầu tư" merged over "Đăng ký" and "Thực hiện", the other
/// headers merged down two rows, STT, a totals row. `rows`: name, sector,
/// commune, registered, realised, currency, rate, licence number and date.
fn project_list(rows: &[[&str; 9]]) -> Vec<u8> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let s = book.add_worksheet();
    s.write_string_with_format(0, 0, "UBND TỈNH HÀ TĨNH", &bold)
        .unwrap();
    s.write_string_with_format(
        1,
        0,
        "DANH SÁCH DỰ ÁN ĐẦU TƯ CỦA NGƯỜI VIỆT NAM Ở NƯỚC NGOÀI TỪ NĂM 2004",
        &bold,
    )
    .unwrap();
    let singles = [
        (0u16, "STT"),
        (1, "Tên dự án"),
        (2, "Ngành nghề"),
        (3, "Địa điểm"),
        (6, "Loại tiền"),
        (7, "Tỷ giá"),
        (8, "Số GCNĐT"),
        (9, "Ngày cấp"),
    ];
    for (c, h) in singles {
        s.merge_range(3, c, 4, c, h, &bold).unwrap();
    }
    s.merge_range(3, 4, 3, 5, "Vốn đầu tư", &bold).unwrap();
    s.write_string_with_format(4, 4, "Đăng ký", &bold).unwrap();
    s.write_string_with_format(4, 5, "Thực hiện", &bold)
        .unwrap();
    let mut r = 5u32;
    for (i, row) in rows.iter().enumerate() {
        s.write_number(r, 0, f64::from(u32::try_from(i).unwrap() + 1))
            .unwrap();
        for (c, v) in (1u16..).zip(row.iter()) {
            s.write_string(r, c, *v).unwrap();
        }
        r += 1;
    }
    s.write_string(r, 1, "Tổng cộng").unwrap();
    book.save_to_buffer().unwrap()
}

async fn a_project_list_with_title_rows_and_a_merged_header_imports_all_or_nothing(app: TestApp) {
    let tok = token(
        &app,
        "sonv",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let communes = domain::geo::new_communes_of("42");
    let (a, b) = (communes[0].name, communes[1].name);
    // Three problems in two rows: nothing written, each named.
    let bad = project_list(&[
        [
            "Khách sạn Biển Xanh",
            "Dịch vụ lưu trú",
            a,
            "3,5 tỷ",
            "-5",
            "VND",
            "",
            "28121000123",
            "12/02/2004",
        ],
        [
            "Trại nuôi rồng",
            "Chăn nuôi rồng",
            b,
            "1,500,000",
            "",
            "ABC",
            "",
            "",
            "31/02/2010",
        ],
    ]);
    let r = upload(&app, &tok, "/api/v1/projects/import", "du-an.xlsx", bad).await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body: Value = r.json().await.unwrap();
    let problems: Vec<(i64, String, String)> = body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["row"].as_i64().unwrap(),
                p["column"].as_str().unwrap().to_owned(),
                p["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        problems.contains(&(
            6,
            "Vốn đầu tư - Thực hiện".to_owned(),
            "negative_amount".to_owned()
        )),
        "{problems:?}"
    );
    assert!(
        problems.contains(&(7, "Ngành nghề".to_owned(), "unknown_sector".to_owned())),
        "{problems:?}"
    );
    assert!(
        problems.contains(&(7, "Loại tiền".to_owned(), "unknown_currency".to_owned())),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.0 == 7 && p.1 == "Ngày cấp"),
        "{problems:?}"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM investment_projects").await,
        0,
        "all or nothing"
    );

    let good = project_list(&[
        [
            "Khách sạn Biển Xanh",
            "Dịch vụ lưu trú",
            a,
            "3,5 tỷ",
            "1.200.000.000",
            "VND",
            "",
            "28121000123",
            "12/02/2004",
        ],
        [
            "Nhà máy chế biến hải sản",
            "10",
            b,
            "1,500,000",
            "500,000.50",
            "đô la Mỹ",
            "25.400",
            "28121000456",
            "01/07/2015",
        ],
    ]);
    let r = upload(&app, &tok, "/api/v1/projects/import", "du-an.xlsx", good).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let out: Value = r.json().await.unwrap();
    let ids: Vec<i64> = out["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "the totals row is not a project");
    let get = |id: i64| {
        let app = &app;
        let tok = tok.clone();
        async move {
            app.client
                .get(app.url(&format!("/api/v1/projects/{id}")))
                .bearer_auth(&tok)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let p1 = get(ids[0]).await;
    assert_eq!(p1["name"], "Khách sạn Biển Xanh");
    assert_eq!(p1["sector"], "55");
    assert_eq!(p1["registered_capital"], 3_500_000_000_i64);
    assert_eq!(p1["realised_capital"], 1_200_000_000_i64);
    assert_eq!(p1["licence_date"], "2004-02-12");
    assert_eq!(p1["status"], "proposed");
    let p2 = get(ids[1]).await;
    assert_eq!(p2["currency"], "USD");
    assert_eq!(
        p2["registered_capital"], 150_000_000,
        "1,500,000.00 USD in cents"
    );
    assert_eq!(p2["realised_capital"], 50_000_050);
    assert_eq!(p2["registered_vnd"], 38_100_000_000_i64);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'project.create'"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'community.import'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM investment_versions WHERE entity = 'project'"
        )
        .await,
        2
    );
    // A viewer cannot import.
    let ro = token(&app, "xem", Role::Viewer, vec![], &["read"]).await;
    let r = upload(
        &app,
        &ro,
        "/api/v1/projects/import",
        "du-an.xlsx",
        project_list(&[]),
    )
    .await;
    assert_eq!(r.status(), 403);
}

async fn associations_import_in_words_within_reach_and_the_template_round_trips(app: TestApp) {
    let tok = token(
        &app,
        "sonv",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let csv = "Danh sách hội đồng hương\n\nSTT,Tên hội,Loại hội,Quốc gia,Thành phố,Ngày thành lập,Tình trạng\n\
               1,Hội đồng hương Hà Tĩnh tại Nhật Bản,Hội đồng hương,Nhật Bản,Tokyo,03/2012,Đang hoạt động\n\
               2,Hội doanh nhân Việt tại Hàn Quốc,business,KR,Seoul,2015,active\n";
    // A mission in Korea: the Japanese row is refused, so nothing is written.
    let kr = token(
        &app,
        "daisu.kr",
        Role::Mission,
        vec![Scope::new("country", "KR")],
        &["read", "write"],
    )
    .await;
    let r = upload(
        &app,
        &kr,
        "/api/v1/associations/import",
        "hoi.csv",
        csv.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["problems"][0]["row"], 4, "{body}");
    assert_eq!(body["problems"][0]["column"], "Quốc gia");
    assert_eq!(body["problems"][0]["code"], "out_of_jurisdiction");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM associations").await, 0);
    // A kind in unknown words: named.
    let wrong = csv.replace("Hội đồng hương,Nhật", "Hội bóng đá,Nhật");
    let r = upload(
        &app,
        &tok,
        "/api/v1/associations/import",
        "hoi.csv",
        wrong.into_bytes(),
    )
    .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        (
            body["problems"][0]["column"].as_str(),
            body["problems"][0]["code"].as_str()
        ),
        (Some("Loại hội"), Some("invalid_code"))
    );
    let r = upload(
        &app,
        &tok,
        "/api/v1/associations/import",
        "hoi.csv",
        csv.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(r.status(), 201);
    let out: Value = r.json().await.unwrap();
    let first = out["created"][0].as_i64().unwrap();
    let a: Value = app
        .client
        .get(app.url(&format!("/api/v1/associations/{first}")))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            a["kind"].as_str(),
            a["country"].as_str(),
            a["status"].as_str()
        ),
        (Some("hometown"), Some("JP"), Some("active"))
    );
    assert_eq!(a["founded_on"], "2012-03");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'association.create'"
        )
        .await,
        2
    );
    // The same list again: every name taken, nothing written.
    let r = upload(
        &app,
        &tok,
        "/api/v1/associations/import",
        "hoi.csv",
        csv.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM associations").await, 2);

    // The page: the template (headers, example, values in words), uploaded back.
    let client = TestApp::new_client();
    assert_eq!(app.sign_in(&client, "sonv", PASSWORD).await.status(), 303);
    let html = client
        .get(app.url("/associations"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("href=\"/associations/import\""));
    let html = client
        .get(app.url("/associations/import"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = extract_csrf(&html);
    let r = client
        .get(app.url("/associations/import/template.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let template = r.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(template.clone())).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec!["Danh sách", "Giá trị được chấp nhận"]
    );
    let list = book.worksheet_range("Danh sách").unwrap();
    let rows: Vec<Vec<String>> = list
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    assert_eq!(
        rows[2][..4],
        ["STT", "Tên hội", "Tên tiếng Anh", "Loại hội"].map(str::to_owned)
    );
    assert_eq!(rows[3][1], "Hội đồng hương Hà Tĩnh tại Nhật Bản");
    let values = book.worksheet_range("Giá trị được chấp nhận").unwrap();
    let words: Vec<String> = values
        .rows()
        .filter_map(|r| r.get(1).map(ToString::to_string))
        .collect();
    assert!(
        words.contains(&"Hội đồng hương".to_owned())
            && words.contains(&"Đang hoạt động".to_owned()),
        "{words:?}"
    );
    // The template's example row is new (another name): imported from the page.
    let renamed = {
        let mut b = Workbook::new();
        let s = b.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let v = if v == "Hội đồng hương Hà Tĩnh tại Nhật Bản" {
                    "Hội đồng hương Hà Tĩnh tại Osaka"
                } else {
                    v.as_str()
                };
                s.write_string(u32::try_from(r).unwrap(), u16::try_from(c).unwrap(), v)
                    .unwrap();
            }
        }
        b.save_to_buffer().unwrap()
    };
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(renamed).file_name("mau.xlsx"),
    );
    let r = client
        .post(app.url(&format!("/associations/import?csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Đã nhập xong, số hồ sơ được tạo: 1"),
        "{html}"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM associations WHERE name = 'Hội đồng hương Hà Tĩnh tại Osaka'"
        )
        .await,
        1
    );
}

/// A new commune of Hà Tĩnh by its name.
fn commune_code(name: &str) -> String {
    domain::geo::new_communes_of("42")
        .iter()
        .find(|c| c.name == name)
        .map_or_else(|| panic!("no commune {name}"), |c| c.code.to_owned())
}

async fn post_json(app: &TestApp, tok: &str, path: &str, body: &Value) -> Value {
    let r = app
        .client
        .post(app.url(path))
        .bearer_auth(tok)
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

async fn get_json(app: &TestApp, tok: &str, path: &str) -> Value {
    app.client
        .get(app.url(path))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A registry person born `birth` (yyyy-mm) living in `country`.
async fn someone(app: &TestApp, tok: &str, name: &str, birth: &str, country: &str) -> i64 {
    let mut p = person(name, &commune_code("Xã Thiên Cầm"));
    p["birth_date"] = serde_json::json!(birth);
    p["country"] = serde_json::json!(country);
    p["passport_no"] = Value::Null;
    post_json(app, tok, "/api/v1/people", &p).await["id"]
        .as_i64()
        .unwrap()
}

async fn firm(app: &TestApp, tok: &str, name: &str, number: &str, country: &str) -> i64 {
    post_json(
        app,
        tok,
        "/api/v1/enterprises",
        &serde_json::json!({"name": name, "sector": "10", "parent_country": country,
                            "registration_no": number}),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

fn problems_of(body: &Value) -> Vec<(i64, String, String)> {
    body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["row"].as_i64().unwrap(),
                p["column"].as_str().unwrap().to_owned(),
                p["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn contributions_import_matches_donors_and_never_guesses_a_namesake(app: TestApp) {
    let tok = token(
        &app,
        "sonv",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let an_us = someone(&app, &tok, "Nguyễn Văn An", "1965-03", "US").await;
    let an_jp = someone(&app, &tok, "Nguyễn Văn An", "1980-07", "JP").await;
    let hoi = "STT,Tên hội,Loại hội,Quốc gia\n1,Hội đồng hương Hà Tĩnh tại Nhật Bản,Hội đồng hương,Nhật Bản\n";
    let r = upload(
        &app,
        &tok,
        "/api/v1/associations/import",
        "hoi.csv",
        hoi.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(r.status(), 201);
    let hoi_id = r.json::<Value>().await.unwrap()["created"][0]
        .as_i64()
        .unwrap();
    let firm_id = firm(
        &app,
        &tok,
        "Công ty TNHH Thủy sản Biển Xanh",
        "3001234567",
        "JP",
    )
    .await;
    let thien_cam = commune_code("Xã Thiên Cầm");
    let other = domain::geo::new_communes_of("42")[0];
    let head = "DANH SÁCH KIỀU BÀO ĐÓNG GÓP CHO QUÊ HƯƠNG\n\n\
                STT,Họ và tên,Năm sinh,Quốc gia,Số tiền,Tỷ giá,Ngày đóng góp,Mục đích,\"Xã, phường thụ hưởng\",Hiện vật\n";

    // An ambiguous donor, an unknown one and a purpose in unknown words:
    // each named, the namesakes listed, nothing written.
    let bad = format!(
        "{head}1,Nguyễn Văn An,,,\"50.000 USD\",25.400,tháng 3/2024,Xây trường học,Xã Cẩm Nhượng,\n\
         2,Trần Văn Không,,,\"200 triệu đồng\",,12/02/2025,Học bổng,Xã Cẩm Nhượng,\n\
         3,Hội đồng hương Hà Tĩnh tại Nhật Bản,,,\"3,5 tỷ\",,2024,Cầu lông,Xã Cẩm Nhượng,\n"
    );
    let r = upload(
        &app,
        &tok,
        "/api/v1/contributions/import",
        "dong-gop.csv",
        bad.into_bytes(),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body: Value = r.json().await.unwrap();
    let problems = problems_of(&body);
    assert!(
        problems.contains(&(4, "Họ và tên".into(), "donor_ambiguous".into())),
        "{problems:?}"
    );
    assert!(
        problems.contains(&(5, "Họ và tên".into(), "donor_not_found".into())),
        "{problems:?}"
    );
    assert!(
        problems.contains(&(6, "Mục đích".into(), "invalid_code".into())),
        "{problems:?}"
    );
    let candidates = body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "donor_ambiguous")
        .unwrap()["candidates"]
        .clone();
    assert_eq!(
        candidates,
        serde_json::json!([
            "Nguyễn Văn An (1965 · Hoa Kỳ · Xã Thiên Cầm, Tỉnh Hà Tĩnh)",
            "Nguyễn Văn An (1980 · Nhật Bản · Xã Thiên Cầm, Tỉnh Hà Tĩnh)"
        ]),
        "the namesakes, so the officer can tell which"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM contributions").await, 0);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'community.import_candidates'"
        )
        .await,
        1,
        "the namesakes shown are people seen"
    );

    // A mission in Japan does not reach the American Nguyễn Văn An.
    let jp = token(
        &app,
        "daisu.jp",
        Role::Mission,
        vec![Scope::new("country", "JP")],
        &["read", "write"],
    )
    .await;
    let us_row = format!(
        "{head}1,Nguyễn Văn An,1965,,\"50.000 USD\",25.400,tháng 3/2024,Xây trường học,Xã Cẩm Nhượng,\n"
    );
    let r = upload(
        &app,
        &jp,
        "/api/v1/contributions/import",
        "dong-gop.csv",
        us_row.into_bytes(),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        problems_of(&r.json().await.unwrap()),
        vec![(4, "Họ và tên".to_owned(), "donor_not_found".to_owned())]
    );

    // Told apart by the birth year; an association by its name without
    // marks; an enterprise by its registration number; an old commune's
    // name; amounts with their currency; a date as typed.
    let good = format!(
        "{head}1,Nguyễn Văn An,1980,,\"50.000 USD\",25.400,tháng 3/2024,Xây trường học,Xã Cẩm Nhượng,\n\
         2,hoi dong huong ha tinh tai nhat ban,,,\"200 triệu đồng\",,12/02/2025,Học bổng,{},\n\
         3,3001234567,,,\"3,5 tỷ\",,2024,Cứu trợ lũ lụt,Xã Cẩm Nhượng,500 thùng mì\n",
        other.name
    );
    let r = upload(
        &app,
        &tok,
        "/api/v1/contributions/import",
        "dong-gop.csv",
        good.into_bytes(),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let out: Value = r.json().await.unwrap();
    let ids: Vec<i64> = out["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    let c1 = get_json(&app, &tok, &format!("/api/v1/contributions/{}", ids[0])).await;
    assert_eq!(c1["donor_kind"], "person");
    assert_eq!(c1["donor_person_id"], an_jp);
    assert_ne!(c1["donor_person_id"], an_us);
    assert_eq!(c1["amount"], 5_000_000, "50.000 USD in cents");
    assert_eq!(c1["currency"], "USD");
    assert_eq!(c1["vnd_value"], 1_270_000_000_i64);
    assert_eq!(c1["contributed_on"], "2024-03");
    assert_eq!(c1["purpose"], "infrastructure");
    assert_eq!(
        c1["commune_code"],
        thien_cam.as_str(),
        "Cẩm Nhượng went into Thiên Cầm"
    );
    let c2 = get_json(&app, &tok, &format!("/api/v1/contributions/{}", ids[1])).await;
    assert_eq!(
        (
            c2["donor_kind"].as_str(),
            c2["donor_association_id"].as_i64()
        ),
        (Some("association"), Some(hoi_id))
    );
    assert_eq!(
        (c2["amount"].as_i64(), c2["currency"].as_str()),
        (Some(200_000_000), Some("VND"))
    );
    assert_eq!(c2["contributed_on"], "2025-02-12");
    assert_eq!(c2["commune_code"], other.code);
    let c3 = get_json(&app, &tok, &format!("/api/v1/contributions/{}", ids[2])).await;
    assert_eq!(c3["donor_enterprise_id"], firm_id);
    assert_eq!(c3["amount"], 3_500_000_000_i64);
    assert_eq!(c3["purpose"], "disaster_relief");
    assert_eq!(c3["in_kind"], "500 thùng mì");
    assert_eq!(c3["contributed_on"], "2024");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'contribution.create'"
        )
        .await,
        3
    );

    // The page under the contributions' list, with its template.
    let client = TestApp::new_client();
    assert_eq!(app.sign_in(&client, "sonv", PASSWORD).await.status(), 303);
    let html = client
        .get(app.url("/investment/contributions"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("href=\"/investment/contributions/import\""));
    let html = client
        .get(app.url("/investment/contributions/import"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Nhập danh sách đóng góp từ tệp Excel"),
        "{html}"
    );
    let csrf = extract_csrf(&html);
    let template = client
        .get(app.url("/investment/contributions/import/template.xlsx"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(template)).unwrap();
    let list = book.worksheet_range("Danh sách").unwrap();
    let header: Vec<String> = list
        .rows()
        .nth(2)
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        header[..4],
        ["STT", "Nhà tài trợ", "Loại nhà tài trợ", "Năm sinh"].map(str::to_owned)
    );
    let values = book.worksheet_range("Giá trị được chấp nhận").unwrap();
    let words: Vec<String> = values
        .rows()
        .filter_map(|r| r.get(1).map(ToString::to_string))
        .collect();
    assert!(
        words.contains(&"Học bổng".to_owned()) && words.contains(&"Doanh nghiệp".to_owned()),
        "{words:?}"
    );
    // An ambiguous donor on the page: the row, the column, the namesakes.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(
            format!("{head}1,Nguyễn Văn An,,,100 USD,25.400,01/03/2024,Học bổng,Xã Cẩm Nhượng,\n")
                .into_bytes(),
        )
        .file_name("dong-gop.csv"),
    );
    let r = client
        .post(app.url(&format!("/investment/contributions/import?csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("<td>4</td><td>Họ và tên</td>")
            && html.contains("Nguyễn Văn An (1965 · Hoa Kỳ · Xã Thiên Cầm, Tỉnh Hà Tĩnh); Nguyễn Văn An (1980 · Nhật Bản · Xã Thiên Cầm, Tỉnh Hà Tĩnh)"),
        "{html}"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM contributions").await, 3);
}

async fn the_planning_departments_sample_list_imports_projects_with_investors_and_status(
    app: TestApp,
) {
    let tok = token(
        &app,
        "sonv",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let sample = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/samples/so-khdt-doanh-nghiep-du-an-kieu-bao.xlsx"
    ))
    .unwrap();
    // Before its investors are on record: each named, nothing written.
    let r = upload(
        &app,
        &tok,
        "/api/v1/projects/import",
        "so-khdt.xlsx",
        sample.clone(),
    )
    .await;
    assert_eq!(r.status(), 422);
    let problems = problems_of(&r.json().await.unwrap());
    assert!(
        problems.contains(&(10, "Nhà đầu tư".into(), "investor_not_found".into()))
            && problems.contains(&(13, "Nhà đầu tư".into(), "investor_not_found".into())),
        "{problems:?}"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM investment_projects").await,
        0
    );

    let bien_xanh = firm(
        &app,
        &tok,
        "Công ty TNHH Thủy sản Biển Xanh",
        "3001234567",
        "JP",
    )
    .await;
    let thien_cam_xanh = firm(&app, &tok, "Công ty CP Du lịch Thiên Cầm Xanh", "", "US").await;
    firm(
        &app,
        &tok,
        "Công ty TNHH May mặc Sài Gòn - Kỳ Anh",
        "",
        "KR",
    )
    .await;
    firm(&app, &tok, "Công ty TNHH Nông nghiệp Xuân Thành", "", "AU").await;
    let duc = someone(&app, &tok, "Trần Minh Đức", "1958-01", "US").await;
    let hung_us = someone(&app, &tok, "Nguyễn Văn Hùng", "1962-04", "US").await;
    someone(&app, &tok, "Nguyễn Văn Hùng", "1970-09", "AU").await;

    let r = upload(
        &app,
        &tok,
        "/api/v1/projects/import",
        "so-khdt.xlsx",
        sample,
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let out: Value = r.json().await.unwrap();
    let ids: Vec<i64> = out["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(
        ids.len(),
        5,
        "five projects; totals and signature rows are none"
    );
    let paths: Vec<String> = ids
        .iter()
        .map(|i| format!("/api/v1/projects/{i}"))
        .collect();
    let p = |i: usize| get_json(&app, &tok, &paths[i]);
    let statuses = |p: &Value| -> Vec<(String, String)> {
        p["status_changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["status"].as_str().unwrap().to_owned(),
                    c["changed_on"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let investors = |p: &Value| -> Vec<(String, i64)> {
        let mut v: Vec<(String, i64)> = p["investors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["kind"].as_str().unwrap().to_owned(),
                    i["id"].as_i64().unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };

    let p1 = p(0).await;
    assert_eq!(p1["name"], "Nhà máy chế biến thủy sản xuất khẩu Thạch Kim");
    assert_eq!(p1["registered_capital"], 12_500_000_000_i64, "12,5 tỷ đồng");
    assert_eq!(p1["realised_capital"], 10_200_000_000_i64);
    assert_eq!(p1["currency"], "VND");
    assert_eq!(p1["sector"], "10");
    assert_eq!(p1["licence_date"], "2004-02-12");
    assert_eq!(p1["commune_code"], commune_code("Xã Thiên Cầm").as_str());
    assert_eq!(investors(&p1), vec![("enterprise".to_owned(), bien_xanh)]);
    assert_eq!(
        (p1["status"].as_str(), p1["status_on"].as_str()),
        (Some("operating"), Some("2006-05"))
    );
    let mut s1 = statuses(&p1);
    s1.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    assert_eq!(
        s1,
        vec![
            ("licensed".to_owned(), "2004-02-12".to_owned()),
            ("proposed".to_owned(), "2004-02-12".to_owned()),
            ("operating".to_owned(), "2006-05".to_owned()),
        ]
    );

    let p2 = p(1).await;
    assert_eq!(
        investors(&p2),
        vec![
            ("enterprise".to_owned(), thien_cam_xanh),
            ("person".to_owned(), duc)
        ],
        "two investors in one cell, \"Ông\" before the name"
    );
    assert_eq!(
        (p2["status"].as_str(), p2["status_on"].as_str()),
        (Some("under_construction"), Some("2010"))
    );
    assert_eq!(p2["registered_capital"], 45_000_000_000_i64);

    let p3 = p(2).await;
    assert_eq!(p3["sector"], "14");
    assert_eq!(p3["commune_code"], commune_code("Phường Vũng Áng").as_str());
    assert_eq!(
        (p3["status"].as_str(), p3["status_on"].as_str()),
        (Some("suspended"), Some("2020-07-01"))
    );
    assert_eq!(p3["registered_capital"], 3_500_000_000_i64);

    let p4 = p(3).await;
    assert_eq!(
        investors(&p4),
        vec![("person".to_owned(), hung_us)],
        "the namesake in the United States, as the country column says"
    );
    assert_eq!(p4["status"], "licensed");
    assert_eq!(
        p4["commune_code"],
        commune_code("Phường Thành Sen").as_str()
    );

    let p5 = p(4).await;
    assert_eq!(p5["status"], "proposed");
    assert_eq!(p5["registered_capital"], 120_000_000_000_i64);
    assert_eq!(p5["commune_code"], commune_code("Xã Tiên Điền").as_str());

    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'project.status'"
        )
        .await,
        4,
        "four projects past proposed"
    );
}

async fn browser_the_contributions_import_page_lists_the_namesakes(app: TestApp) {
    let tok = token(
        &app,
        "sonv",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    someone(&app, &tok, "Nguyễn Văn An", "1965-03", "US").await;
    someone(&app, &tok, "Nguyễn Văn An", "1980-07", "JP").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dong-gop.csv");
    std::fs::write(
        &file,
        "DANH SÁCH ĐÓNG GÓP\n\nSTT,Họ và tên,Số tiền,Tỷ giá,Ngày đóng góp,Mục đích,\"Xã, phường thụ hưởng\"\n\
         1,Nguyễn Văn An,\"50.000 USD\",25.400,tháng 3/2024,Xây trường học,Xã Cẩm Nhượng\n\
         2,Trần Văn Không,\"200 triệu đồng\",,12/02/2025,Học bổng,Xã Cẩm Nhượng\n",
    )
    .unwrap();
    let b = Browser::start().await;
    b.sign_in(&app.url(""), "sonv", PASSWORD).await;
    b.goto(&app.url("/investment/contributions")).await;
    b.click("[data-testid=contribution-import]").await;
    assert!(b.wait_url("/investment/contributions/import").await);
    let shoot = |name: &'static str| {
        let b = &b;
        let backend = &app.backend;
        async move {
            if let Ok(dir) = std::env::var("KIEUBAO_SCREENSHOT_DIR") {
                for (w, h) in [(1366, 900), (390, 844)] {
                    b.set_window(w, h).await;
                    std::fs::write(
                        std::path::Path::new(&dir)
                            .join(format!("contributions-import-{name}-{w}-{backend:?}.png")),
                        b.screenshot().await,
                    )
                    .unwrap();
                }
                b.set_window(1366, 900).await;
            }
        }
    };
    shoot("form").await;
    b.type_into(
        "[data-testid=import-form] input[type=file]",
        &file.display().to_string(),
    )
    .await;
    b.click("[data-testid=import-form] button[type=submit]")
        .await;
    let problems = b
        .wait_text("[data-testid=import-problems]", |t| {
            t.contains("Nguyễn Văn An (1965")
        })
        .await;
    assert!(
        problems.contains("Nguyễn Văn An (1965 · Hoa Kỳ · Xã Thiên Cầm, Tỉnh Hà Tĩnh); Nguyễn Văn An (1980 · Nhật Bản · Xã Thiên Cầm, Tỉnh Hà Tĩnh)"),
        "{problems}"
    );
    assert!(
        problems.contains("Không tìm thấy kiều bào, hội hay doanh nghiệp có tên này"),
        "{problems}"
    );
    shoot("problems").await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM contributions").await, 0);
}
