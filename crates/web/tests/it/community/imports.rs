//! Import of associations and projects from the lists officials make
//! (issue 22 rules): a real .xlsx with title rows, a merged two-row header,
//! an STT column and a totals row; values in words; all or nothing, every
//! problem naming its row and column; each record audited; a mission only
//! in its countries; the template downloaded, read back and imported.

use std::io::Cursor;

use app::accounts::users::Scope;
use calamine::{Reader, Xlsx};
use domain::Role;
use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;

use crate::dual;
use crate::helpers::{PASSWORD, TestApp, extract_csrf};
use crate::registry::people::token;

dual!(
    a_project_list_with_title_rows_and_a_merged_header_imports_all_or_nothing,
    associations_import_in_words_within_reach_and_the_template_round_trips,
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
