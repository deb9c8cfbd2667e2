//! The import page in Chromium: upload a list, watch the progress bar
//! finish, write the valid rows, see them counted.

use std::fmt::Write as _;

use domain::Role;

use crate::browser::Browser;
use crate::dual;
use crate::helpers::{PASSWORD, TestApp};

dual!(
    officer_uploads_a_list_and_watches_the_progress_bar_finish,
    a_commune_list_with_titles_merged_headers_and_totals_is_committed,
);

async fn officer_uploads_a_list_and_watches_the_progress_bar_finish(app: TestApp) {
    app.add_user("sonv", Role::ProvinceOfficer, vec![]).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("danh-sach.csv");
    let mut csv = String::from("Họ và tên,Quốc gia,Ngày sinh,Diện\n");
    for i in 0..3000 {
        writeln!(csv, "Người Thứ {i},Hàn Quốc,{},Lao động", 1960 + i % 40).unwrap();
    }
    csv.push_str(",Hàn Quốc,1990,Lao động\n");
    std::fs::write(&path, csv).unwrap();

    let b = Browser::start().await;
    b.sign_in(&app.url(""), "sonv", PASSWORD).await;
    b.goto(&app.url("/imports")).await;
    b.type_into(
        "form[data-testid=upload-form] input[type=file]",
        path.to_str().unwrap(),
    )
    .await;
    b.click("form[data-testid=upload-form] button[type=submit]")
        .await;
    // The import page polls its progress bar, then reloads when done.
    b.find("[data-testid=import-progress] progress").await;
    assert!(
        wait_text(&b, "[data-testid=import-status]", "Đã kiểm tra, chờ ghi").await,
        "validation finished and the page reloaded"
    );
    assert!(wait_text(&b, "[data-testid=import-valid]", "3000").await);
    assert!(
        b.try_text("[data-testid=report-table]")
            .await
            .is_some_and(|t| t.contains("Họ và tên"))
    );
    b.click("button[data-testid=commit]").await;
    assert!(
        wait_text(&b, "[data-testid=import-status]", "Đã ghi").await,
        "the commit finished and the page reloaded"
    );
    assert!(wait_text(&b, "[data-testid=import-created]", "3000").await);
    let logs = b.severe_logs().await;
    assert!(
        logs.iter().all(|m| !m.contains("Content Security Policy")),
        "CSP violations: {logs:?}"
    );
}

/// Polls an element's text until it equals `want` (the page reloads itself
/// when a step ends, so an element may go stale in between).
async fn wait_text(b: &Browser, css: &str, want: &str) -> bool {
    b.wait_text(css, |t| t == want).await == want
}

/// A commune's list as communes make it (titles, a blank row, a two-row
/// header with merged cells, STT, column numbers, a totals row): the page
/// shows the header it found, and the list is committed into the registry.
async fn a_commune_list_with_titles_merged_headers_and_totals_is_committed(app: TestApp) {
    app.add_user("sonv", Role::ProvinceOfficer, vec![]).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("xa-thach-ha.xlsx");
    let names = ["Phan Văn Thạch", "Hồ Thị Hải", "Đinh Văn Bàn"];
    std::fs::write(&path, super::imports::commune_xlsx(&names)).unwrap();

    let b = Browser::start().await;
    b.sign_in(&app.url(""), "sonv", PASSWORD).await;
    b.goto(&app.url("/imports")).await;
    b.click("select[name=source] option[value=fatherland_front]")
        .await;
    b.type_into(
        "form[data-testid=upload-form] input[type=file]",
        path.to_str().unwrap(),
    )
    .await;
    b.click("form[data-testid=upload-form] button[type=submit]")
        .await;
    assert!(
        wait_text(&b, "[data-testid=import-status]", "Đã kiểm tra, chờ ghi").await,
        "validation finished and the page reloaded"
    );
    assert_eq!(
        b.text("[data-testid=header-row]").await,
        "Dòng tiêu đề: dòng 4–5"
    );
    let cells = b.text("[data-testid=header-cells]").await;
    assert!(
        cells.contains("Quê quán - Xã | Quê quán - Huyện"),
        "{cells}"
    );
    assert!(
        b.text("[data-testid=sheet-select]")
            .await
            .contains("Danh sách"),
        "the sheets to choose from"
    );
    assert!(
        b.text("[data-testid=header-row-select]")
            .await
            .contains("Dòng 1: UBND XÃ THẠCH HÀ"),
        "the first rows to choose the header from"
    );
    assert!(wait_text(&b, "[data-testid=import-valid]", "3").await);
    // Picking another header row reads the file again: the title row gives
    // nobody; the header found, picked back, gives the three people again.
    for (row, shown, valid) in [
        ("2", "Dòng tiêu đề: dòng 2", "0"),
        ("4", "Dòng tiêu đề: dòng 4–5", "3"),
    ] {
        b.click(&format!("select[name=header_row] option[value='{row}']"))
            .await;
        b.click("button[data-testid=reread]").await;
        assert_eq!(
            b.wait_text("[data-testid=header-row]", |t| t == shown)
                .await,
            shown
        );
        assert!(wait_text(&b, "[data-testid=import-status]", "Đã kiểm tra, chờ ghi").await);
        assert!(
            wait_text(&b, "[data-testid=import-valid]", valid).await,
            "row {row}"
        );
    }
    let page = b.url().await;
    for (w, h) in [(1366, 900), (390, 844)] {
        b.set_window(w, h).await;
        for (part, url) in [
            ("top", page.clone()),
            ("layout", format!("{page}#import-layout")),
        ] {
            b.goto(&url).await;
            b.find("[data-testid=import-layout]").await;
            let png = b.screenshot().await;
            assert!(png.starts_with(b"\x89PNG"));
            if let Ok(dir) = std::env::var("KIEUBAO_SCREENSHOT_DIR") {
                std::fs::write(
                    std::path::Path::new(&dir)
                        .join(format!("import-commune-{w}-{part}-{:?}.png", app.backend)),
                    &png,
                )
                .unwrap();
            }
        }
    }
    b.goto(&page).await;
    b.set_window(1280, 900).await;
    b.click("button[data-testid=commit]").await;
    assert!(
        wait_text(&b, "[data-testid=import-status]", "Đã ghi").await,
        "the commit finished and the page reloaded"
    );
    assert!(wait_text(&b, "[data-testid=import-created]", "3").await);
    // In the registry, with the hometown's parts joined.
    b.goto(&app.url("/people?q=Hồ Thị Hải")).await;
    let list = b.wait_text("main", |t| t.contains("Hồ Thị Hải")).await;
    assert!(list.contains("Hồ Thị Hải"), "{list}");
    let hometowns: Vec<String> = sqlx::query_scalar(
        "SELECT hometown_text FROM persons WHERE deleted_at IS NULL ORDER BY id",
    )
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        hometowns,
        vec![
            "Thạch Kim, Lộc Hà",
            "Thạch Hải, Thạch Hà",
            "Thạch Bàn, Thạch Hà"
        ]
    );
}
