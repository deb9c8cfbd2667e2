//! Public statistics: no sign-in, counts only, small cells suppressed.

use serde_json::Value;

use crate::dual;
use crate::helpers::TestApp;

dual!(public_statistics_need_no_sign_in_and_hide_small_cells);

async fn public_statistics_need_no_sign_in_and_hide_small_cells(app: TestApp) {
    let officer = app::Actor {
        user_id: None,
        username: "system:test".into(),
        role: domain::Role::ProvinceOfficer,
        jurisdiction: app::Jurisdiction::Province,
        ip: String::new(),
        token_scopes: None,
    };
    let commune = domain::geo::new_communes_of("42")[0].code;
    for (country, n, category) in [
        ("KR", 7, "contract_labour"),
        ("US", 6, "foreign_national"),
        ("JP", 3, "study_abroad"),
    ] {
        for i in 0..n {
            let input = app::registry::people::PersonInput {
                full_name: Some(format!("Người {country} {i}")),
                category: Some(category.into()),
                country: Some(country.into()),
                hometown_code: Some(commune.into()),
                ..app::registry::people::PersonInput::default()
            };
            app::registry::people::create(&app.app, &officer, &input)
                .await
                .unwrap();
        }
    }
    let anon = TestApp::new_client();
    let r = anon
        .get(app.url("/api/v1/public/statistics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let s: Value = r.json().await.unwrap();
    let count = |list: &str, code: &str| {
        s[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == code)
            .map(|c| c["count"].clone())
            .unwrap()
    };
    assert_eq!(count("by_country", "KR"), 7);
    assert_eq!(count("by_country", "JP"), Value::Null, "3 < 5: hidden");
    assert_eq!(
        count("by_country", "US"),
        Value::Null,
        "a lone hidden cell takes the next smallest with it"
    );
    assert_eq!(count("by_category", "contract_labour"), 7);
    assert_eq!(s["total"], 10, "rounded down when cells are hidden");
    assert_eq!(s["total_is_rounded"], true);
    // No personal data at all.
    assert!(!s.to_string().contains("Người"));
    // The page, in Vietnamese and in English.
    let html = anon
        .get(app.url("/public/statistics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Thống kê công khai"));
    assert!(html.contains("Hàn Quốc"));
    assert!(html.contains("&lt; 5"));
    let r = anon
        .get(app.url("/lang/en?next=/public/statistics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = anon
        .get(app.url("/public/statistics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Public statistics"), "{html}");
    assert!(
        html.contains("South Korea") || html.contains("Korea"),
        "{html}"
    );
}
