//! The registry fields beyond the basics: nationalities, social accounts,
//! income bracket and remittances (sensitive, masked), associations, extra
//! fields an administrator defines, the survey-round picker.

use domain::Role;
use serde_json::{Value, json};

use crate::dual;
use crate::helpers::{PASSWORD, TestApp, extract_csrf};
use crate::registry::people::{communes, person, post, token};

async fn add_association(app: &TestApp, name: &str) {
    sqlx::query("INSERT INTO associations (name, country, created_at) VALUES ($1, 'KR', '2026-01-01T00:00:00Z')")
        .bind(name)
        .execute(&app.app.db.pool)
        .await
        .unwrap();
}

async fn define(app: &TestApp, admin: &str, body: &Value) -> reqwest::Response {
    app.client
        .put(app.url("/api/v1/custom-fields"))
        .bearer_auth(admin)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn api_carries_masks_and_checks_the_extra_registry_fields(app: TestApp) {
    let (c1, _) = communes();
    add_association(&app, "Hội đồng hương Hà Tĩnh tại Hàn Quốc").await;
    let admin = token(
        &app,
        "quantri",
        Role::Admin,
        vec![],
        &["read", "write", "admin"],
    )
    .await;
    let tok = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write", "admin"],
    )
    .await;
    // Only administrators define extra fields; bad definitions are refused by field.
    let r = define(&app, &tok, &json!({"key": "visa_type", "label_vi": "Loại thị thực", "label_en": "Visa type", "kind": "text"})).await;
    assert_eq!(r.status(), 403);
    let r = define(
        &app,
        &admin,
        &json!({"key": "Bad Key", "label_vi": "", "label_en": "x", "kind": "colour"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["errors"].as_array().unwrap().len(), 3);
    for body in [
        json!({"key": "visa_type", "label_vi": "Loại thị thực", "label_en": "Visa type", "kind": "text"}),
        json!({"key": "savings", "label_vi": "Tiết kiệm", "label_en": "Savings", "kind": "number", "sensitive": true}),
    ] {
        assert_eq!(define(&app, &admin, &body).await.status(), 204);
    }
    let defs: Value = app
        .client
        .get(app.url("/api/v1/custom-fields"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(defs.as_array().unwrap().len(), 2);
    let mut body = person("Phan Thị Thu", &c1);
    body["nationalities"] = json!(["vn", "KR", "VN"]);
    body["social"] = json!(["facebook.com/thu.phan", "  "]);
    body["income_bracket"] = json!("middle");
    body["remittance"] = json!("5.000 USD/năm");
    body["associations"] = json!(["Hội đồng hương Hà Tĩnh tại Hàn Quốc"]);
    body["extra"] = json!({"visa_type": "E-9", "savings": "12000"});
    let r = post(&app, &tok, &body).await;
    assert_eq!(r.status(), 201);
    let p: Value = r.json().await.unwrap();
    let id = p["id"].as_i64().unwrap();
    let url = app.url(&format!("/api/v1/people/{id}"));
    let got: Value = app
        .client
        .get(&url)
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        got["nationalities"],
        json!(["VN", "KR"]),
        "upper-cased, deduplicated"
    );
    assert_eq!(got["social"], json!(["facebook.com/thu.phan"]));
    assert_eq!(
        got["associations"],
        json!(["Hội đồng hương Hà Tĩnh tại Hàn Quốc"])
    );
    assert_eq!(got["extra"]["visa_type"], "E-9");
    for masked in [
        &got["income_bracket"],
        &got["remittance"],
        &got["extra"]["savings"],
    ] {
        assert!(
            masked.as_str().unwrap().starts_with('•'),
            "{masked} should be masked"
        );
    }
    let shown: Value = app
        .client
        .get(format!("{url}?reveal=true&purpose=test"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["income_bracket"], "middle");
    assert_eq!(shown["remittance"], "5.000 USD/năm");
    assert_eq!(shown["extra"]["savings"], "12000");
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM person_associations WHERE person_id = $1")
            .bind(id)
            .fetch_one(&app.app.db.pool)
            .await
            .unwrap();
    assert_eq!(n, 1);
    // Refused, by field, nothing saved.
    let mut bad = person("Sai", &c1);
    bad["nationalities"] = json!(["XX"]);
    bad["income_bracket"] = json!("rich");
    bad["associations"] = json!(["Hội không có"]);
    bad["extra"] = json!({"shoe_size": "42", "savings": "a lot"});
    let r = post(&app, &tok, &bad).await;
    assert_eq!(r.status(), 422);
    let b: Value = r.json().await.unwrap();
    let fields: Vec<&str> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["nationalities", "income_bracket"] {
        assert!(fields.contains(&f), "{f}: {fields:?}");
    }
    let mut bad = person("Sai", &c1);
    bad["associations"] = json!(["Hội không có"]);
    bad["extra"] = json!({"shoe_size": "42", "savings": "a lot"});
    let b: Value = post(&app, &tok, &bad).await.json().await.unwrap();
    let fields: Vec<&str> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["associations", "extra.shoe_size", "extra.savings"] {
        assert!(fields.contains(&f), "{f}: {fields:?}");
    }
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM persons")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(total, 1);
    // A patch leaves the association, clears one extra field; restore brings it back.
    let r = app
        .client
        .patch(&url)
        .bearer_auth(&tok)
        .header("If-Match", "\"1\"")
        .json(&json!({"extra": {"visa_type": null}, "associations": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert!(v["extra"].get("visa_type").is_none());
    assert_eq!(v["associations"], json!([]));
    let actor = app::accounts::users::actor_for(&app.app, 2).await.unwrap();
    let p = app::registry::people::restore_version(&app.app, &actor, id, 2, 1)
        .await
        .unwrap();
    assert_eq!(p.data.extra["visa_type"], "E-9");
    assert_eq!(p.data.associations, ["Hội đồng hương Hà Tĩnh tại Hàn Quốc"]);
}

async fn form_edits_extra_fields_and_offers_survey_rounds(app: TestApp) {
    let (c1, _) = communes();
    sqlx::query("INSERT INTO survey_rounds (code, name, started_on, created_at) VALUES ('2026-q3', 'Khảo sát quý 3/2026', '2026-07-01', '2026-07-01T00:00:00Z')")
        .execute(&app.app.db.pool)
        .await
        .unwrap();
    let admin = token(
        &app,
        "quantri",
        Role::Admin,
        vec![],
        &["read", "write", "admin"],
    )
    .await;
    let r = define(&app, &admin, &json!({"key": "visa_type", "label_vi": "Loại thị thực", "label_en": "Visa type", "kind": "text"})).await;
    assert_eq!(r.status(), 204);
    app.add_user("lan", Role::ProvinceOfficer, vec![]).await;
    let tok = token(
        &app,
        "lan.api",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    let p: Value = post(&app, &tok, &person("Hồ Văn Nam", &c1))
        .await
        .json()
        .await
        .unwrap();
    let client = TestApp::new_client();
    let _ = app.sign_in(&client, "lan", PASSWORD).await;
    let list = client
        .get(app.url("/people"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("<option value=\"2026-q3\">Khảo sát quý 3/2026</option>"),
        "survey-round picker"
    );
    let edit = client
        .get(app.url(&format!("/people/{}/edit", p["id"])))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(edit.contains("Loại thị thực"), "extra field on the form");
    assert!(edit.contains("name=\"extra.visa_type\""));
    let csrf = extract_csrf(&edit);
    let form = [
        ("csrf", csrf.as_str()),
        ("version", "1"),
        ("full_name", "Hồ Văn Nam"),
        ("category", "contract_labour"),
        ("country", "KR"),
        ("hometown_code", &c1),
        ("nationalities", "VN, KR"),
        ("social", "zalo 0912345678"),
        ("income_bracket", "low"),
        ("extra.visa_type", "E-7"),
    ];
    let r = client
        .post(app.url(&format!("/people/{}", p["id"])))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let page = client
        .get(app.url(&format!("/people/{}", p["id"])))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("E-7"));
    assert!(page.contains("Hàn Quốc"), "nationality shown by name");
    let v: Value = app
        .client
        .get(app.url(&format!("/api/v1/people/{}", p["id"])))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["extra"]["visa_type"], "E-7");
    assert_eq!(v["nationalities"], json!(["VN", "KR"]));
    assert_eq!(v["social"], json!(["zalo 0912345678"]));
}

dual!(
    api_carries_masks_and_checks_the_extra_registry_fields,
    form_edits_extra_fields_and_offers_survey_rounds,
);
