//! Imports: every source's template round-trips (download, fill with
//! generated people, upload, validate, commit, undo) through the API on
//! SQLite and PostgreSQL; the page flow; and the bad-file corpus.

use std::fmt::Write as _;
use std::io::{Cursor, Write as _};
use std::time::{Duration, Instant};

use app::accounts::users::Scope;
use calamine::{Reader, Xlsx};
use domain::{Agency, Role};
use serde_json::Value;

use crate::dual;
use crate::helpers::{PASSWORD, TestApp, extract_csrf};

dual!(
    every_source_template_round_trips,
    page_flow_upload_report_mapping_commit_undo,
    jurisdiction_and_ownership_of_imports,
    a_commune_list_is_found_under_its_titles_and_read_again_on_request,
    wrong_file_types_are_refused_before_anything_is_recorded,
    row_numbers_are_the_spreadsheet_rows,
    a_hostile_single_line_file_is_refused_as_it_arrives,
    imports_beyond_the_servers_slots_wait_their_turn,
    a_starting_server_leaves_a_running_commit_alone,
);

/// A token for a new account, with as much of read and write as its role
/// allows (shared by the intake tests).
pub(crate) async fn token(app: &TestApp, username: &str, role: Role, scopes: Vec<Scope>) -> String {
    let id = app.add_user(username, role, scopes).await;
    let actor = app::accounts::users::actor_for(&app.app, id).await.unwrap();
    // As much as the role allows (a leader's token only reads).
    let scopes: Vec<&str> = ["read", "write"]
        .into_iter()
        .filter(|s| app::access::scopes_of_role(role).contains(s))
        .collect();
    app::accounts::tokens::create_token(&app.app, &actor, id, "t", &scopes, 1)
        .await
        .unwrap()
}

/// An xlsx with a "Danh sách" sheet: the given headers and rows.
pub fn xlsx(headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Danh sách").unwrap();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

/// Generated people as template rows (Vietnamese wording, as agencies write).
fn people_rows(n: u64, seed: u64) -> Vec<Vec<String>> {
    demo::people(&demo::Config::new(seed, n))
        .map(|p| {
            vec![
                p.full_name.clone(),
                p.gender.label("vi").to_owned(),
                p.birth_date.to_string(),
                p.category.label("vi").to_owned(),
                p.country_name_vi.to_owned(),
                p.hometown_text.clone(),
                p.passport_no.clone().unwrap_or_default(),
            ]
        })
        .collect()
}

async fn wait_status(app: &TestApp, tok: &str, id: i64, want: &str) -> Value {
    let started = Instant::now();
    loop {
        let s: Value = app
            .client
            .get(app.url(&format!("/api/v1/imports/{id}")))
            .bearer_auth(tok)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if s["status"] == want {
            return s;
        }
        assert!(
            s["status"] != "failed" || want == "failed",
            "import {id} failed: {s}"
        );
        assert!(
            started.elapsed() < Duration::from_mins(1),
            "import {id} stuck: {s}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn upload(
    app: &TestApp,
    tok: &str,
    source: &str,
    name: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!(
            "/api/v1/imports?source={source}&survey_round=2025&file_name={name}"
        )))
        .bearer_auth(tok)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn every_source_template_round_trips(app: TestApp) {
    let tok = token(&app, "sonv", Role::ProvinceOfficer, vec![]).await;
    let browser = TestApp::new_client();
    app.sign_in(&browser, "sonv", PASSWORD).await;
    for (i, source) in Agency::ALL.iter().enumerate() {
        // The template: three sheets, Vietnamese headers with English notes,
        // drop-downs backed by the "Danh mục" sheet.
        let r = browser
            .get(app.url(&format!("/imports/template/{}.xlsx", source.code())))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "template {}", source.code());
        let bytes = r.bytes().await.unwrap().to_vec();
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
        assert_eq!(
            book.sheet_names(),
            vec!["Hướng dẫn", "Danh sách", "Danh mục"]
        );
        let list = book.worksheet_range("Danh sách").unwrap();
        let headers: Vec<String> = list
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        let expected: Vec<&str> = app::intake::import::mapping::template_fields(*source)
            .iter()
            .map(|f| f.header_vi)
            .collect();
        assert_eq!(headers, expected);
        let values = book.worksheet_range("Danh mục").unwrap();
        let countries: Vec<String> = values
            .rows()
            .skip(1)
            .filter_map(|r| r.get(3).map(ToString::to_string))
            .filter(|s| !s.is_empty())
            .collect();
        assert!(countries.contains(&"Hàn Quốc".to_owned()), "country list");
        let sheet_xml = {
            let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
            let mut f = zip.by_name("xl/worksheets/sheet2.xml").unwrap();
            let mut s = String::new();
            std::io::Read::read_to_string(&mut f, &mut s).unwrap();
            s
        };
        assert!(sheet_xml.contains("<dataValidation"), "drop-down lists");

        // Filled with generated people in the template's own headers.
        let rows: Vec<Vec<String>> = people_rows(6, 100 + i as u64);
        let mut filled_headers = vec![""; FIELD_COUNT];
        let keys = [
            "full_name",
            "gender",
            "birth_date",
            "category",
            "country",
            "hometown_text",
            "passport_no",
        ];
        let mut filled_rows = vec![vec![String::new(); FIELD_COUNT]; rows.len()];
        for (k, key) in keys.iter().enumerate() {
            let col = app::intake::import::mapping::FIELDS
                .iter()
                .position(|f| f.key == *key)
                .unwrap();
            for (r, row) in rows.iter().enumerate() {
                filled_rows[r][col].clone_from(&row[k]);
            }
        }
        for (c, f) in app::intake::import::mapping::FIELDS.iter().enumerate() {
            filled_headers[c] = f.header_vi;
        }
        let survey = *source == Agency::Survey;
        if survey {
            // The survey form: two people abroad from one household.
            let col = |key: &str| {
                app::intake::import::mapping::FIELDS
                    .iter()
                    .position(|f| f.key == key)
                    .unwrap()
            };
            for (r, row) in filled_rows.iter_mut().enumerate() {
                row[col("household_head")] = format!("Chủ Hộ {}", r / 2);
                row[col("household_address")] = "Thôn Đông".into();
                row[col("household_commune")] = domain::geo::new_communes_of("42")[0].code.into();
                row[col("relationship_to_head")] = "Con".into();
            }
        }
        let file = xlsx(&filled_headers, &filled_rows);
        let r = upload(&app, &tok, source.code(), "filled.xlsx", file).await;
        assert_eq!(r.status(), 202, "upload {}", source.code());
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let s = wait_status(&app, &tok, id, "validated").await;
        assert_eq!(s["total_rows"], 6, "{s}");
        assert_eq!(s["valid_rows"], 6, "{s}");
        assert_eq!(s["mapping"][0], "full_name");
        // Commit, then every person keeps its provenance.
        let r = app
            .client
            .post(app.url(&format!("/api/v1/imports/{id}/commit")))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202);
        let s = wait_status(&app, &tok, id, "committed").await;
        assert_eq!(s["created_persons"], 6);
        let provenance: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT agency, survey_round, sheet, row_no FROM person_sources WHERE import_id = $1 ORDER BY row_no",
        )
        .bind(id)
        .fetch_all(&app.app.db.pool)
        .await
        .unwrap();
        assert_eq!(provenance.len(), 6);
        assert_eq!(
            provenance[0],
            (
                source.code().to_owned(),
                "2025".to_owned(),
                "Danh sách".to_owned(),
                2
            )
        );
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT p.full_name FROM persons p JOIN person_sources ps ON ps.person_id = p.id WHERE ps.import_id = $1 ORDER BY ps.row_no",
        )
        .bind(id)
        .fetch_all(&app.app.db.pool)
        .await
        .unwrap();
        assert_eq!(names, rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>());
        let (households, relatives): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(DISTINCT r.household_id), COUNT(*) FROM relatives r \
             JOIN person_sources ps ON ps.person_id = r.person_id WHERE ps.import_id = $1 AND r.relationship = 'parent'",
        )
        .bind(id)
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
        if survey {
            assert_eq!(
                (households, relatives),
                (3, 6),
                "one household for two people abroad"
            );
        } else {
            assert_eq!((households, relatives), (0, 0));
        }

        // Edit one of them, then undo: the edited one is kept and reported.
        let edited: i64 = sqlx::query_scalar(
            "SELECT person_id FROM person_sources WHERE import_id = $1 AND row_no = 3",
        )
        .bind(id)
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
        let r = app
            .client
            .patch(app.url(&format!("/api/v1/people/{edited}")))
            .bearer_auth(&tok)
            .header("if-match", "\"1\"")
            .header("content-type", "application/merge-patch+json")
            .body(r#"{"notes": "đã xác minh"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let r = app
            .client
            .post(app.url(&format!("/api/v1/imports/{id}/undo")))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let undo: Value = r.json().await.unwrap();
        assert_eq!(undo["removed"], 5);
        assert_eq!(undo["kept_edited"], serde_json::json!([edited]));
        let live: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM persons p JOIN person_sources ps ON ps.person_id = p.id WHERE ps.import_id = $1 AND p.deleted_at IS NULL",
        )
        .bind(id)
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
        assert_eq!(live, 1);
        // A second undo is refused.
        let r = app
            .client
            .post(app.url(&format!("/api/v1/imports/{id}/undo")))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 409);
    }
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT action FROM audit_log WHERE action LIKE 'import.%' ORDER BY action",
    )
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        actions,
        vec!["import.commit", "import.undo", "import.upload"]
    );
}

const FIELD_COUNT: usize = app::intake::import::mapping::FIELDS.len();

async fn page_flow_upload_report_mapping_commit_undo(app: TestApp) {
    app.add_user("sonv", Role::ProvinceOfficer, vec![]).await;
    app.sign_in(&app.client, "sonv", PASSWORD).await;
    let html = app
        .client
        .get(app.url("/imports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = extract_csrf(&html);
    assert!(html.contains("data-testid=\"upload-form\""));
    // The size a file can really have: the request limit (64 MiB here) is
    // below the list limit (256 MiB).
    assert!(html.contains(": 64</p>"), "the page states 64 MB");
    // A file not following the template: other header wording, an unknown
    // column, a row with errors, a duplicate row, a formula-looking name.
    let csv = "STT;HỌ TÊN;Nuoc;Ngay sinh;Que quan;Cot la\n\
               1;Nguyễn Văn Đức;Hàn Quốc;05/03/1990;Thạch Long, Thạch Hà, Hà Tĩnh;x\n\
               2;Trần Thị Lan;Atlantis;31/02/1991;;y\n\
               3;Nguyễn Văn Đức;Hàn Quốc;05/03/1990;Thạch Long, Thạch Hà, Hà Tĩnh;z\n\
               4;=HYPERLINK(\"http://evil\");Nhật Bản;1985;Xóm Zzyzx;w\n";
    let part = reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("ds.csv");
    let form = reqwest::multipart::Form::new()
        .text("source", "labour")
        .text("survey_round", "2025")
        .part("file", part);
    // Without the CSRF token: refused.
    let r = app
        .client
        .post(app.url("/imports"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let part = reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("ds.csv");
    let form = reqwest::multipart::Form::new()
        .text("source", "labour")
        .text("survey_round", "2025")
        .part("file", part);
    let r = app
        .client
        .post(app.url(&format!("/imports?csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = location.trim_start_matches("/imports/").parse().unwrap();
    // The progress fragment ends by asking for a refresh.
    let started = Instant::now();
    loop {
        let r = app
            .client
            .get(app.url(&format!("/imports/{id}/progress")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        if r.headers().get("hx-refresh").is_some() {
            assert!(
                r.text()
                    .await
                    .unwrap()
                    .contains("data-status=\"validated\"")
            );
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let html = app
        .client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-testid=\"import-valid\">3<"), "{html}");
    assert!(
        html.contains("Không tồn tại") || html.contains("Quốc gia"),
        "country error shown"
    );
    assert!(
        html.contains("Trùng với dòng khác trong tệp — 2"),
        "duplicate warning: {html}"
    );
    assert!(
        html.contains("=HYPERLINK(&#34;http://evil&#34;)")
            || html.contains("=HYPERLINK(&quot;http://evil&quot;)"),
        "formula kept as escaped text"
    );
    // The xlsx report: problem cells highlighted, messages added, formulas neutralised.
    let r = app
        .client
        .get(app.url(&format!("/imports/{id}/report.xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    let sheet = book.worksheet_range("Báo cáo kiểm tra").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    assert_eq!(rows[0][2], "HỌ TÊN");
    let bad = rows.iter().find(|r| r[0] == "3").unwrap();
    assert!(bad.last().unwrap().contains("Quốc gia"), "{bad:?}");
    let formula = rows.iter().find(|r| r[0] == "5").unwrap();
    assert!(formula[2].starts_with("'="), "neutralised: {formula:?}");
    // Correct the mapping: the unknown column is notes now; remembered.
    let html = app
        .client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("name=\"col5\""));
    let r = app
        .client
        .post(app.url(&format!("/imports/{id}/mapping")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("col0", ""),
            ("col1", "full_name"),
            ("col2", "country"),
            ("col3", "birth_date"),
            ("col4", "hometown_text"),
            ("col5", "notes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let tok = {
        let id = app::accounts::users::id_by_username(&app.app, "sonv")
            .await
            .unwrap();
        let actor = app::accounts::users::actor_for(&app.app, id).await.unwrap();
        app::accounts::tokens::create_token(&app.app, &actor, id, "t", &["read", "write"], 1)
            .await
            .unwrap()
    };
    let s = wait_status(&app, &tok, id, "validated").await;
    assert_eq!(s["mapping"][5], "notes");
    let remembered: String =
        sqlx::query_scalar("SELECT mapping FROM import_mappings WHERE source = 'labour'")
            .fetch_one(&app.app.db.pool)
            .await
            .unwrap();
    assert!(remembered.contains("notes"));
    // Commit through the page; the category came from the source (labour).
    let r = app
        .client
        .post(app.url(&format!("/imports/{id}/commit")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let s = wait_status(&app, &tok, id, "committed").await;
    assert_eq!(s["created_persons"], 3);
    let cats: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT p.category FROM persons p JOIN person_sources ps ON ps.person_id = p.id WHERE ps.import_id = $1",
    )
    .bind(id)
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(cats, vec!["contract_labour"]);
    let stored: String = sqlx::query_scalar(
        "SELECT p.full_name FROM persons p JOIN person_sources ps ON ps.person_id = p.id WHERE ps.import_id = $1 AND ps.row_no = 5",
    )
    .bind(id)
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(stored, "=HYPERLINK(\"http://evil\")", "stored as typed");
    // Imported people are findable at once, and gone again after the undo.
    let search = |q: &'static str| {
        app.client
            .get(app.url(&format!("/api/v1/search?q={q}")))
            .bearer_auth(&tok)
            .send()
    };
    let found: Value = search("nguyen van duc")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        found["total"], 2,
        "the row and its duplicate (a warning only): {found}"
    );
    // Undo through the page.
    let r = app
        .client
        .post(app.url(&format!("/imports/{id}/undo")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = app
        .client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Đã hoàn tác: số người đã xóa: 3"), "{html}");
    let found: Value = search("nguyen van duc")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["total"], 0, "{found}");
    // The change feed has one event per imported row, then one per row the
    // undo removed (issue 25 §3).
    let feed: Value = app
        .client
        .get(app.url("/api/v1/changes?limit=100"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = feed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["create", "create", "create", "delete", "delete", "delete"],
        "{feed}"
    );
}

async fn jurisdiction_and_ownership_of_imports(app: TestApp) {
    let communes = domain::geo::new_communes_of("42");
    let (c_in, c_out) = (communes[0].code, communes[1].code);
    let police = token(
        &app,
        "congan",
        Role::Agency,
        vec![Scope::new("agency", "police")],
    )
    .await;
    let xa = token(
        &app,
        "canbo",
        Role::CommuneOfficer,
        vec![Scope::new("new_commune", c_in)],
    )
    .await;
    let viewer = token(&app, "lanhdao", Role::Viewer, vec![]).await;
    let file = xlsx(
        &["Họ và tên", "Quốc gia", "Mã xã"],
        &[
            vec!["Lê Văn Một".into(), "KR".into(), c_in.into()],
            vec!["Lê Văn Hai".into(), "KR".into(), c_out.into()],
        ],
    );
    // An agency imports its own lists only.
    let r = upload(&app, &police, "fatherland_front", "a.xlsx", file.clone()).await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "source");
    let r = upload(&app, &police, "police", "a.xlsx", file.clone()).await;
    assert_eq!(r.status(), 202);
    let police_import = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    wait_status(&app, &police, police_import, "validated").await;
    // A viewer may not import.
    assert_eq!(
        upload(&app, &viewer, "police", "a.xlsx", file.clone())
            .await
            .status(),
        403
    );
    // A commune officer: the row outside its communes is an error.
    let r = upload(&app, &xa, "survey", "b.xlsx", file).await;
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let s = wait_status(&app, &xa, id, "validated").await;
    assert_eq!(s["valid_rows"], 1);
    let rows: Value = app
        .client
        .get(app.url(&format!("/api/v1/imports/{id}/rows?problems=true")))
        .bearer_auth(&xa)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rows[0]["row_no"], 3);
    assert_eq!(rows[0]["errors"][0]["code"], "out_of_jurisdiction");
    // Someone else's import answers 404.
    let r = app
        .client
        .get(app.url(&format!("/api/v1/imports/{police_import}")))
        .bearer_auth(&xa)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // An agency may not write people: its import cannot be committed.
    let r = app
        .client
        .post(app.url(&format!("/api/v1/imports/{police_import}/commit")))
        .bearer_auth(&police)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

// ------------------------------------------------------------ bad files

fn small_limits() -> app::AppSettings {
    app::AppSettings {
        mfa_required_for_privileged: false,
        import_limits: app::intake::import::read::Limits {
            max_file_bytes: 5 * 1024 * 1024,
            max_rows: 1000,
            max_columns: 50,
            max_cell_chars: 500,
            max_sheets: 5,
            max_decompressed_bytes: 20 * 1024 * 1024,
            max_concurrent: 2,
        },
        ..app::AppSettings::default()
    }
}

mod bad_file_corpus {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::bad_file_corpus(
            crate::helpers::spawn_app_with(db::Backend::Sqlite, super::small_limits()).await,
        )
        .await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::bad_file_corpus(
            crate::helpers::spawn_app_with(db::Backend::Postgres, super::small_limits()).await,
        )
        .await;
    }
}

/// A zip whose one entry inflates to `size` bytes of zeros.
fn zip_bomb(size: usize) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..size / chunk.len() {
            zip.write_all(&chunk).unwrap();
        }
        zip.finish().unwrap();
    }
    out.into_inner()
}

/// A minimal `OpenDocument` spreadsheet.
fn ods<const N: usize>(rows: &[[&str; N]]) -> Vec<u8> {
    let mut body = String::new();
    for row in rows {
        body.push_str("<table:table-row>");
        for cell in row {
            write!(body, "<table:table-cell office:value-type=\"string\"><text:p>{cell}</text:p></table:table-cell>").unwrap();
        }
        body.push_str("</table:table-row>");
    }
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet><table:table table:name=\"Danh sách\">{body}</table:table>\
         </office:spreadsheet></office:body></office:document-content>"
    );
    let manifest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
        <manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">\
        <manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
        <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
        </manifest:manifest>";
    let mut out = Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file("mimetype", stored).unwrap();
        zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        zip.start_file("content.xml", stored).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
        zip.start_file("META-INF/manifest.xml", stored).unwrap();
        zip.write_all(manifest.as_bytes()).unwrap();
        zip.finish().unwrap();
    }
    out.into_inner()
}

async fn refused(app: &TestApp, tok: &str, name: &str, body: Vec<u8>) -> String {
    let r = upload(app, tok, "police", name, body).await;
    assert_eq!(r.status(), 202, "{name}");
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let s = wait_status(app, tok, id, "failed").await;
    s["failure"].as_str().unwrap().to_owned()
}

async fn validated(app: &TestApp, tok: &str, name: &str, body: Vec<u8>) -> (i64, Value) {
    let r = upload(app, tok, "police", name, body).await;
    assert_eq!(r.status(), 202, "{name}");
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    (id, wait_status(app, tok, id, "validated").await)
}

async fn bad_file_corpus(app: TestApp) {
    let tok = token(&app, "sonv", Role::ProvinceOfficer, vec![]).await;
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM persons")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();

    // Zip bomb: 64 MiB of spaces in a ~64 KiB file; refused quickly.
    let bomb = zip_bomb(64 << 20);
    assert!(bomb.len() < 1 << 20);
    let started = Instant::now();
    let failure = refused(&app, &tok, "bomb.xlsx", bomb).await;
    assert!(
        failure.starts_with("import.decompressed_too_large"),
        "{failure}"
    );
    assert!(started.elapsed() < Duration::from_secs(20));

    // A sheet with a cell at XFD1048576 (and a dimension to match).
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Họ và tên").unwrap();
    sheet.write_string(0, 1, "Quốc gia").unwrap();
    sheet.write_string(1_048_575, 16_383, "far away").unwrap();
    let failure = refused(&app, &tok, "huge.xlsx", book.save_to_buffer().unwrap()).await;
    assert!(failure.starts_with("import.too_many_columns"), "{failure}");

    // Broken zip, empty file content, a sheet with nothing.
    // A zip that cannot be opened is not a spreadsheet: refused at once.
    let r = upload(
        &app,
        &tok,
        "police",
        "broken.xlsx",
        b"PK\x03\x04 this is not a zip".to_vec(),
    )
    .await;
    assert_eq!(r.status(), 422);
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet();
    let failure = refused(&app, &tok, "empty.xlsx", book.save_to_buffer().unwrap()).await;
    assert_eq!(failure, "import.empty_sheet");

    // Too many rows for the limit.
    let many: String = std::iter::once("Họ và tên,Quốc gia\n".to_owned())
        .chain((0..1001).map(|i| format!("Người {i},KR\n")))
        .collect();
    let failure = refused(&app, &tok, "many.csv", many.into_bytes()).await;
    assert!(failure.starts_with("import.too_many_rows"), "{failure}");

    // Encodings met in practice: Windows-1258 (tone marks combining) and UTF-16.
    let text = "Họ và tên,Quốc gia\nNguyễn Thị Thu Hà,Nhật Bản\n";
    let (cp1258, _, _) = encoding_rs::WINDOWS_1258.encode("Ho va ten,Quoc gia\nNguy\u{ea}\u{0303}n Thi\u{0323} Thu Ha\u{0300},Nha\u{0323}t Ba\u{0309}n\n");
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    for (name, body) in [("cp1258.csv", cp1258.into_owned()), ("utf16.csv", utf16)] {
        let (id, s) = validated(&app, &tok, name, body).await;
        assert_eq!(s["valid_rows"], 1, "{name}: {s}");
        let rows: Value = app
            .client
            .get(app.url(&format!("/api/v1/imports/{id}/rows")))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(rows[0]["cells"][0], "Nguyễn Thị Thu Hà", "{name}");
    }

    // Formulas: cached values are read, never evaluated; merged header cells.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let merged = rust_xlsxwriter::Format::new();
    sheet.merge_range(0, 0, 0, 1, "Họ và tên", &merged).unwrap();
    sheet.write_string(0, 2, "Quốc gia").unwrap();
    sheet.write_string(1, 0, "Phạm Văn Bình").unwrap();
    sheet
        .write_formula(
            1,
            2,
            rust_xlsxwriter::Formula::new("=\"K\"&\"R\"").set_result("KR"),
        )
        .unwrap();
    let (id, s) = validated(&app, &tok, "formula.xlsx", book.save_to_buffer().unwrap()).await;
    assert_eq!(s["valid_rows"], 1, "{s}");
    let rows: Value = app
        .client
        .get(app.url(&format!("/api/v1/imports/{id}/rows")))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rows[0]["cells"][2], "KR", "cached value");

    // Other formats agencies send: legacy .xls (a fixture saved by xlwt, see
    // tests/fixtures/make_xls.py) and OpenDocument .ods.
    let xls = include_bytes!("../../fixtures/list.xls").to_vec();
    let (id, s) = validated(&app, &tok, "list.xls", xls).await;
    assert_eq!(s["valid_rows"], 2, "{s}");
    let rows: Value = app
        .client
        .get(app.url(&format!("/api/v1/imports/{id}/rows")))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rows[1]["cells"][0], "Vũ Đức Thắng");
    let (_, s) = validated(
        &app,
        &tok,
        "list.ods",
        ods(&[["Họ và tên", "Quốc gia"], ["Đặng Văn Lâm", "Nga"]]),
    )
    .await;
    assert_eq!(s["valid_rows"], 1, "{s}");

    // Reading an import's rows is a view of personal data: audited.
    let views: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'import.view_rows'")
            .fetch_one(&app.app.db.pool)
            .await
            .unwrap();
    assert!(views >= 4, "{views}");

    // Nothing was written by any of this.
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM persons")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(after, before);
}

// ------------------------------------------------------------ lists as communes make them

/// A commune's list as communes make it: an instructions sheet first, then
/// the list under two title rows and a blank row, a header on two rows with
/// merged cells ("Quê quán" over "Xã" and "Huyện", the others merged down),
/// an STT column, a row of column numbers and a totals row. The people are
/// on rows 7, 8 and 9 (as the spreadsheet numbers them).
pub fn commune_xlsx(names: &[&str; 3]) -> Vec<u8> {
    use rust_xlsxwriter::Format;
    let mut book = rust_xlsxwriter::Workbook::new();
    let guide = book.add_worksheet();
    guide.set_name("Hướng dẫn").unwrap();
    guide
        .write_string(0, 0, "Ghi mỗi người một dòng; không sửa dòng tiêu đề.")
        .unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("Danh sách").unwrap();
    let f = Format::new();
    sheet
        .merge_range(0, 0, 0, 5, "UBND XÃ THẠCH HÀ", &f)
        .unwrap();
    sheet
        .merge_range(
            1,
            0,
            1,
            5,
            "DANH SÁCH CÔNG DÂN CÓ NGƯỜI THÂN Ở NƯỚC NGOÀI (Kèm theo Báo cáo số 12/BC-UBND ngày 03/3/2025)",
            &f,
        )
        .unwrap();
    for (c, h) in [
        (0, "STT"),
        (1, "Họ và tên"),
        (2, "Ngày sinh"),
        (5, "Quốc gia"),
    ] {
        sheet.merge_range(3, c, 4, c, h, &f).unwrap();
    }
    sheet.merge_range(3, 3, 3, 4, "Quê quán", &f).unwrap();
    sheet.write_string(4, 3, "Xã").unwrap();
    sheet.write_string(4, 4, "Huyện").unwrap();
    for c in 0..6_u16 {
        sheet.write_string(5, c, format!("({})", c + 1)).unwrap();
    }
    let people = [
        (names[0], "12/05/1990", "Thạch Kim", "Lộc Hà"),
        (names[1], "1985", "Thạch Hải", "Thạch Hà"),
        (names[2], "03/1992", "Thạch Bàn", "Thạch Hà"),
    ];
    for (i, (name, born, xa, huyen)) in people.iter().enumerate() {
        let r = 6 + i as u32;
        sheet.write_number(r, 0, (i + 1) as f64).unwrap();
        sheet.write_string(r, 1, *name).unwrap();
        sheet.write_string(r, 2, *born).unwrap();
        sheet.write_string(r, 3, *xa).unwrap();
        sheet.write_string(r, 4, *huyen).unwrap();
        sheet.write_string(r, 5, "Hàn Quốc").unwrap();
    }
    sheet.merge_range(9, 0, 9, 1, "Tổng cộng", &f).unwrap();
    sheet.write_string(9, 5, "3 người").unwrap();
    book.save_to_buffer().unwrap()
}

async fn import_rows(app: &TestApp, tok: &str, id: i64) -> Value {
    app.client
        .get(app.url(&format!("/api/v1/imports/{id}/rows")))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn relayout(app: &TestApp, tok: &str, id: i64, query: &str) -> Value {
    let r = app
        .client
        .post(app.url(&format!("/api/v1/imports/{id}/layout?{query}")))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202, "{query}");
    wait_status(app, tok, id, "validated").await
}

async fn a_commune_list_is_found_under_its_titles_and_read_again_on_request(app: TestApp) {
    let tok = token(&app, "sonv", Role::ProvinceOfficer, vec![]).await;
    let names = ["Nguyễn Văn Thạch", "Trần Thị Kim", "Lê Văn Bàn"];
    let r = upload(
        &app,
        &tok,
        "fatherland_front",
        "xa-thach-ha.xlsx",
        commune_xlsx(&names),
    )
    .await;
    assert_eq!(r.status(), 202);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let s = wait_status(&app, &tok, id, "validated").await;
    // The list sheet (not the instructions), the header on rows 4-5.
    assert_eq!(s["sheet"], "Danh sách", "{s}");
    assert_eq!(s["sheets"], serde_json::json!(["Hướng dẫn", "Danh sách"]));
    assert_eq!(
        (s["header_row"].as_i64(), s["header_rows"].as_i64()),
        (Some(4), Some(2))
    );
    assert_eq!(
        s["headers"],
        serde_json::json!([
            "STT",
            "Họ và tên",
            "Ngày sinh",
            "Quê quán - Xã",
            "Quê quán - Huyện",
            "Quốc gia"
        ])
    );
    assert_eq!(s["mapping"][0], "", "STT is ignored");
    assert_eq!(s["mapping"][3], "hometown_text");
    assert_eq!(s["mapping"][4], "hometown_text");
    // The column numbers and the totals row are not people.
    assert_eq!(
        (s["total_rows"].as_i64(), s["valid_rows"].as_i64()),
        (Some(3), Some(3)),
        "{s}"
    );
    let rows = import_rows(&app, &tok, id).await;
    let numbers: Vec<i64> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["row_no"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, vec![7, 8, 9]);
    assert_eq!(s["head_rows"][0][0], 1);
    assert_eq!(s["head_rows"].as_array().unwrap().len(), 9);

    // Another header row: the title row, as a user might pick by mistake;
    // then back to the header found.
    let s = relayout(&app, &tok, id, "header_row=2").await;
    assert_eq!(s["header_row"], 2);
    assert_eq!(s["valid_rows"], 0, "{s}");
    let s = relayout(&app, &tok, id, "").await;
    assert_eq!(
        (s["header_row"].as_i64(), s["valid_rows"].as_i64()),
        (Some(4), Some(3))
    );
    // Another sheet, then back.
    let s = relayout(&app, &tok, id, "sheet=H%C6%B0%E1%BB%9Bng%20d%E1%BA%ABn").await;
    assert_eq!(s["sheet"], "Hướng dẫn");
    let s = relayout(&app, &tok, id, "sheet=Danh%20s%C3%A1ch").await;
    assert_eq!(
        (s["sheet"].as_str(), s["valid_rows"].as_i64()),
        (Some("Danh sách"), Some(3))
    );
    // A sheet the file does not have.
    let r = app
        .client
        .post(app.url(&format!("/api/v1/imports/{id}/layout?sheet=Sheet9")))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);

    // Committed: the hometown's parts joined in order; the file dropped.
    let r = app
        .client
        .post(app.url(&format!("/api/v1/imports/{id}/commit")))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    wait_status(&app, &tok, id, "committed").await;
    let hometown: String = sqlx::query_scalar(
        "SELECT p.hometown_text FROM persons p JOIN person_sources s ON s.person_id = p.id \
         WHERE s.import_id = $1 AND s.row_no = 7",
    )
    .bind(id)
    .fetch_one(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(hometown, "Thạch Kim, Lộc Hà");
    let files: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM import_files WHERE import_id = $1")
        .bind(id)
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(files, 0, "the file is not kept after the commit");
    let r = app
        .client
        .post(app.url(&format!("/api/v1/imports/{id}/layout?header_row=4")))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "a committed import is not read again");
}

async fn wrong_file_types_are_refused_before_anything_is_recorded(app: TestApp) {
    let tok = token(&app, "sonv", Role::ProvinceOfficer, vec![]).await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM imports")
            .fetch_one(&app.app.db.pool)
            .await
            .unwrap()
    };
    let before = count().await;
    let mut docx = Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut docx);
        zip.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(b"<w:document/>").unwrap();
        zip.finish().unwrap();
    }
    let random: Vec<u8> = (0..20_000_u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for (name, body) in [
        ("to-trinh.docx", docx.into_inner()),
        (
            "bao-cao.pdf",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj".to_vec(),
        ),
        ("anh.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()),
        ("danh-sach.xlsx", random),
    ] {
        let r = upload(&app, &tok, "police", name, body).await;
        assert_eq!(r.status(), 422, "{name}");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["errors"][0]["code"], "not_a_spreadsheet", "{name}: {p}");
        let message = p["message"].as_str().unwrap();
        assert!(
            message.contains(name) && message.contains("xlsx, xls, ods, csv"),
            "{message}"
        );
    }
    assert_eq!(count().await, before, "no import was recorded");
    // The page says it in Vietnamese, naming the file.
    app.add_user("lan", Role::ProvinceOfficer, vec![]).await;
    let browser = TestApp::new_client();
    app.sign_in(&browser, "lan", PASSWORD).await;
    let page = browser
        .get(app.url("/imports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = extract_csrf(&page);
    let form = reqwest::multipart::Form::new()
        .text("source", "police")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"%PDF-1.4 x".to_vec()).file_name("cong-van.pdf"),
        );
    let r = browser
        .post(app.url(&format!("/imports?csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("Tệp «cong-van.pdf» không phải bảng tính (xlsx, xls, ods, csv)"),
        "{body}"
    );
    assert_eq!(count().await, before, "no import was recorded");
}

async fn row_numbers_are_the_spreadsheet_rows(app: TestApp) {
    let tok = token(&app, "sonv", Role::ProvinceOfficer, vec![]).await;
    // CSV as Excel saves it (CR LF): the bad row is on line 4.
    let csv =
        "Họ và tên,Quốc gia\r\nAn,Hàn Quốc\r\nBình,Hàn Quốc\r\n,Hàn Quốc\r\nCường,Hàn Quốc\r\n";
    let (id, _) = validated(&app, &tok, "crlf.csv", csv.as_bytes().to_vec()).await;
    let rows = import_rows(&app, &tok, id).await;
    let bad: Vec<i64> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["errors"].as_array().is_some_and(|e| !e.is_empty()))
        .map(|r| r["row_no"].as_i64().unwrap())
        .collect();
    assert_eq!(bad, vec![4]);
    // xlsx: a blank row 3, the bad row on row 5.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, (name, country)) in [
        (0, ("Họ và tên", "Quốc gia")),
        (1, ("An", "Hàn Quốc")),
        (3, ("Bình", "Hàn Quốc")),
        (4, ("", "Hàn Quốc")),
    ] {
        sheet.write_string(r, 0, name).unwrap();
        sheet.write_string(r, 1, country).unwrap();
    }
    let (id, _) = validated(&app, &tok, "rows.xlsx", book.save_to_buffer().unwrap()).await;
    let rows = import_rows(&app, &tok, id).await;
    let numbers: Vec<(i64, bool)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["row_no"].as_i64().unwrap(),
                r["errors"].as_array().is_some_and(|e| !e.is_empty()),
            )
        })
        .collect();
    assert_eq!(numbers, vec![(2, false), (4, false), (5, true)]);
    // The xlsx report names the same row.
    app.add_user("lan", Role::ProvinceOfficer, vec![]).await;
    let browser = TestApp::new_client();
    app.sign_in(&browser, "lan", PASSWORD).await;
    let r = browser
        .get(app.url(&format!("/imports/{id}/report.xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    let sheet = book.worksheet_range("Báo cáo kiểm tra").unwrap();
    assert_eq!(
        sheet.get_value((1, 0)).map(ToString::to_string).as_deref(),
        Some("5")
    );
}

/// Issue 26, finding 3 (first part): a 60 MiB CSV of one line is refused
/// as soon as the line passes what any list can hold, through the API and
/// the page, and nothing is recorded.
async fn a_hostile_single_line_file_is_refused_as_it_arrives(app: TestApp) {
    let tok = token(&app, "sonv", Role::ProvinceOfficer, vec![]).await;
    let hostile = vec![b'a'; 60 * 1024 * 1024];
    // The server answers as soon as the line is too long and does not read
    // the rest: the client either gets the answer or, still writing, sees
    // the connection closed. Either way nothing is recorded.
    let answered = |r: Result<reqwest::Response, reqwest::Error>| async move {
        match r {
            Ok(r) => Some((r.status().as_u16(), r.text().await.unwrap_or_default())),
            Err(e) => {
                assert!(e.is_request(), "only a refusal mid-upload: {e}");
                None
            }
        }
    };
    let r = app
        .client
        .post(app.url("/api/v1/imports?source=police&file_name=mot-dong.csv"))
        .bearer_auth(&tok)
        .body(hostile.clone())
        .send()
        .await;
    if let Some((status, body)) = answered(r).await {
        assert_eq!(status, 422, "{body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["errors"][0]["field"], "file", "{v}");
        assert_eq!(v["errors"][0]["code"], "line_too_long", "{v}");
    }
    let browser = TestApp::new_client();
    app.sign_in(&browser, "sonv", PASSWORD).await;
    let html = browser
        .get(app.url("/imports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = extract_csrf(&html);
    let form = reqwest::multipart::Form::new()
        .text("source", "police")
        .part(
            "file",
            reqwest::multipart::Part::bytes(hostile).file_name("mot-dong.csv"),
        );
    let r = browser
        .post(app.url(&format!("/imports?csrf={csrf}")))
        .multipart(form)
        .send()
        .await;
    if let Some((status, body)) = answered(r).await {
        assert_eq!(status, 422);
        assert!(body.contains("dài hơn mọi danh sách"));
    }
    // A line just over the limit, small enough to be sent whole: always
    // the answer, and its words.
    let limits = &app.app.settings.import_limits;
    let just_over = vec![b'a'; limits.max_columns * (limits.max_cell_chars * 4 + 3) + 10];
    let r = upload(&app, &tok, "police", "mot-dong.csv", just_over).await;
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["errors"][0]["code"], "line_too_long", "{v}");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM imports")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(n, 0, "nothing recorded");
}

/// Issue 26, finding 3: a server reads at most `max_concurrent` files at
/// once; the others are "queued" with their place shown, and go on when a
/// slot frees.
async fn imports_beyond_the_servers_slots_wait_their_turn(app: TestApp) {
    let tok = token(&app, "sonv", Role::ProvinceOfficer, vec![]).await;
    // Every slot taken, as by long reads.
    let n = app.app.settings.import_limits.max_concurrent as u32;
    let held = app
        .app
        .import_slots
        .clone()
        .acquire_many_owned(n)
        .await
        .unwrap();
    let csv = "Họ và tên,Quốc gia\nNguyễn Văn An,Hàn Quốc\n"
        .as_bytes()
        .to_vec();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let r = upload(&app, &tok, "police", "ds.csv", csv.clone()).await;
        assert_eq!(r.status(), 202);
        ids.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    for (place, id) in ids.iter().enumerate() {
        let s = wait_status(&app, &tok, *id, "queued").await;
        assert_eq!(s["queue_position"], place as i64 + 1, "{s}");
    }
    // The page says it in words.
    let browser = TestApp::new_client();
    app.sign_in(&browser, "sonv", PASSWORD).await;
    let html = browser
        .get(app.url(&format!("/imports/{}/progress", ids[1])))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Đang chờ đến lượt đọc tệp — vị trí 2"),
        "{html}"
    );
    drop(held);
    for id in ids {
        wait_status(&app, &tok, id, "validated").await;
    }
}

/// A server starting on the same PostgreSQL while another server commits an
/// import must not put that import back to "validated" (it could then be
/// committed twice); a commit that no one is running is put back. On SQLite
/// there is one server, and a commit interrupted by its stop is put back.
async fn a_starting_server_leaves_a_running_commit_alone(app: TestApp) {
    let tok = token(&app, "sonv", Role::ProvinceOfficer, vec![]).await;
    let csv = "Họ và tên,Nước,Năm sinh\nNguyễn Văn An,Hàn Quốc,1980\n"
        .as_bytes()
        .to_vec();
    let r = upload(&app, &tok, "police", "a.csv", csv).await;
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    wait_status(&app, &tok, id, "validated").await;
    sqlx::query("UPDATE imports SET status = 'committing' WHERE id = $1")
        .bind(id)
        .execute(&app.app.db.pool)
        .await
        .unwrap();
    let status = || async {
        sqlx::query_scalar::<_, String>("SELECT status FROM imports WHERE id = $1")
            .bind(id)
            .fetch_one(&app.app.db.pool)
            .await
            .unwrap()
    };
    if app.backend == db::Backend::Postgres {
        // Another server's commit: its transaction holds the import's row.
        let mut running = app.app.db.pool.begin().await.unwrap();
        sqlx::query("UPDATE imports SET updated_at = updated_at WHERE id = $1")
            .bind(id)
            .execute(&mut *running)
            .await
            .unwrap();
        let n = tokio::time::timeout(
            Duration::from_secs(10),
            app::intake::import::recover(&app.app),
        )
        .await
        .expect("start-up does not wait for another server's commit")
        .unwrap();
        assert_eq!(n, 0);
        assert_eq!(
            status().await,
            "committing",
            "the running commit is left alone"
        );
        running.rollback().await.unwrap();
    }
    // No one is committing it any more: put back, to be committed again.
    app::intake::import::recover(&app.app).await.unwrap();
    assert_eq!(status().await, "validated");
    // And a commit claimed twice writes once: the second finds it done.
    let commit = |tok: String| {
        let c = app.client.clone();
        let url = app.url(&format!("/api/v1/imports/{id}/commit"));
        async move { c.post(url).bearer_auth(tok).send().await.unwrap().status() }
    };
    assert_eq!(commit(tok.clone()).await, 202);
    wait_status(&app, &tok, id, "committed").await;
    assert_eq!(commit(tok.clone()).await, 409);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM person_sources WHERE import_id = $1")
        .bind(id)
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(n, 1);
}
