//! The dashboard in Chromium: figures, a drill-down to the people list, the
//! report builder, and both exports downloaded and read back.

use std::time::{Duration, Instant};

use domain::Role;

use crate::browser::Browser;
use crate::dual;
use crate::helpers::{PASSWORD, TestApp};

/// Waits until a file whose name ends with `suffix` is completely downloaded.
async fn downloaded(dir: &std::path::Path, suffix: &str) -> Vec<u8> {
    let started = Instant::now();
    loop {
        if let Some(p) = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().ends_with(suffix))
        {
            return std::fs::read(p).unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{suffix} was not downloaded"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

dual!(officer_opens_the_dashboard_and_downloads_each_export);

async fn officer_opens_the_dashboard_and_downloads_each_export(app: TestApp) {
    let officer = app::Actor {
        user_id: None,
        username: "system:test".into(),
        role: Role::ProvinceOfficer,
        jurisdiction: app::Jurisdiction::Province,
        ip: String::new(),
        token_scopes: None,
    };
    let commune = domain::geo::new_communes_of("42")[0].code;
    for (country, n) in [("KR", 7), ("JP", 3)] {
        for i in 0..n {
            let input = app::registry::people::PersonInput {
                full_name: Some(format!("Người {country} {i}")),
                category: Some("contract_labour".into()),
                country: Some(country.into()),
                hometown_code: Some(commune.into()),
                ..app::registry::people::PersonInput::default()
            };
            app::registry::people::create(&app.app, &officer, &input)
                .await
                .unwrap();
        }
    }
    app.add_user("sonv", Role::ProvinceOfficer, vec![]).await;
    let b = Browser::start().await;
    let dir = tempfile::tempdir().unwrap();
    b.allow_downloads(dir.path()).await;
    b.sign_in(&app.url(""), "sonv", PASSWORD).await;
    b.goto(&app.url("/dashboard")).await;
    assert_eq!(b.text("[data-testid=total-people] .stat-value").await, "10");
    assert!(
        b.text("section[data-dim=country]")
            .await
            .contains("Hàn Quốc")
    );
    // The world map: Korea is shaded and linked; a screenshot for a human
    // look when KIEUBAO_SCREENSHOT_DIR is set.
    let png = b.screenshot().await;
    assert!(png.starts_with(b"\x89PNG"), "a screenshot of the dashboard");
    if let Ok(dir) = std::env::var("KIEUBAO_SCREENSHOT_DIR") {
        std::fs::write(
            std::path::Path::new(&dir).join(format!("dashboard-{:?}.png", app.backend)),
            &png,
        )
        .unwrap();
    }
    assert!(
        b.text("[data-testid=world-legend]").await.contains('7'),
        "the legend reaches the largest figure"
    );
    b.click("[data-testid=world-map] a[href*='country=KR']")
        .await;
    assert!(
        b.wait_url_contains("/people?country=KR").await,
        "{}",
        b.url().await
    );
    b.goto(&app.url("/dashboard")).await;
    // Drill down: the country bar opens the people list of that country.
    b.click("section[data-dim=country] a[href*='country=KR']")
        .await;
    assert!(
        b.wait_url_contains("/people?country=KR").await,
        "{}",
        b.url().await
    );
    // The report builder and its exports.
    b.goto(&app.url("/reports?rows=country&cols=category"))
        .await;
    assert_eq!(b.text("[data-testid=pivot-total]").await, "10");
    b.click("a[data-testid=export-xlsx]").await;
    let xlsx = downloaded(dir.path(), ".xlsx").await;
    b.click("a[data-testid=export-docx]").await;
    let docx = downloaded(dir.path(), ".docx").await;
    assert!(xlsx.starts_with(b"PK") && docx.starts_with(b"PK"));
    crate::stats::pivots::check_docx_has(&docx, "Hàn Quốc");
    b.click("a[data-testid=export-pdf]").await;
    let pdf = downloaded(dir.path(), ".pdf").await;
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(crate::stats::pivots::pdf_text(&pdf).contains("Hàn Quốc"));
    let logs = b.severe_logs().await;
    assert!(
        logs.iter().all(|m| !m.contains("Content Security Policy")),
        "CSP violations: {logs:?}"
    );
}
