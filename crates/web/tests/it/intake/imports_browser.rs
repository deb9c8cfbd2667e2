//! The import page in Chromium: upload a list, watch the progress bar
//! finish, write the valid rows, see them counted.

use std::fmt::Write as _;

use domain::Role;

use crate::browser::Browser;
use crate::dual;
use crate::helpers::{PASSWORD, TestApp};

dual!(officer_uploads_a_list_and_watches_the_progress_bar_finish);

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
