//! The OpenAPI document and the Swagger UI page: every `/api/v1/` route is
//! described (the document cannot drift from the route table), the
//! document's shapes match real answers, and the page loads its assets.

use app::accounts::users::Scope;
use domain::Role;
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};
use crate::registry::people::{communes, person, post, token};

async fn document(app: &TestApp) -> Value {
    let r = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "public: no token needed");
    assert_eq!(r.headers()["content-type"], "application/json");
    r.json().await.unwrap()
}

/// Every property name of a schema, following `$ref` and `allOf`.
fn properties(doc: &Value, schema: &Value, out: &mut Vec<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap();
        properties(doc, &doc["components"]["schemas"][name], out);
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        properties(doc, part, out);
    }
    if let Some(p) = schema["properties"].as_object() {
        out.extend(p.keys().cloned());
    }
}

fn schema_props(doc: &Value, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    properties(
        doc,
        &serde_json::json!({"$ref": format!("#/components/schemas/{name}")}),
        &mut out,
    );
    assert!(!out.is_empty(), "schema {name} has no properties");
    out
}

fn assert_described(doc: &Value, name: &str, answer: &Value) {
    let props = schema_props(doc, name);
    for k in answer.as_object().unwrap().keys() {
        assert!(props.contains(k), "{name} lacks `{k}` that the API answers");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_route_is_in_the_openapi_document() {
    let app = spawn_app(db::Backend::Sqlite).await;
    let doc = document(&app).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    let mut n = 0;
    for r in web::routes::table() {
        if !r.path.starts_with("/api/v1/") {
            continue;
        }
        n += 1;
        let op = &paths
            .get(r.path)
            .unwrap_or_else(|| panic!("{} missing from /api/openapi.json", r.path))
            [r.method.to_lowercase()];
        assert!(op.is_object(), "{} {} not described", r.method, r.path);
        // Errors any operation may answer (issue 26, finding 7).
        for status in ["400", "429"] {
            assert!(
                op["responses"][status].is_object(),
                "{} {} lacks its {status}",
                r.method,
                r.path
            );
        }
        if matches!(r.method, "POST" | "PUT" | "PATCH") {
            assert!(
                op["responses"]["413"].is_object(),
                "{} {} lacks its 413",
                r.method,
                r.path
            );
        }
        if r.path.starts_with("/api/v1/public/") {
            // Open to anyone: no token, no 401.
            assert!(op["security"].is_null(), "{} {}", r.method, r.path);
            continue;
        }
        assert_eq!(
            op["security"][0]["bearer"],
            serde_json::json!([]),
            "{} {}",
            r.method,
            r.path
        );
        assert!(
            op["responses"]["401"].is_object(),
            "{} {} lacks its 401",
            r.method,
            r.path
        );
    }
    assert!(n >= 15, "only {n} API routes");
    // Every described path is a real route too.
    for p in paths.keys() {
        assert!(
            web::routes::table().iter().any(|r| r.path == p),
            "{p} is described but not routed"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    // Concurrency and errors are in the contract.
    let patch = &doc["paths"]["/api/v1/people/{id}"]["patch"];
    let params: Vec<&str> = patch["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(params.contains(&"If-Match"));
    for status in ["412", "422", "428"] {
        assert!(
            patch["responses"][status].is_object(),
            "PATCH lacks {status}"
        );
    }
    assert!(
        doc["paths"]["/api/v1/people/{id}"]["get"]["responses"]["200"]["headers"]["ETag"]
            .is_object()
    );
    let stale = &doc["components"]["responses"]["Stale"]["content"];
    assert!(stale["application/problem+json"].is_object());
    // Cursor pagination.
    let list_params: Vec<&str> = doc["paths"]["/api/v1/people"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in ["after", "limit", "commune", "survey_round"] {
        assert!(list_params.contains(&p), "list lacks {p}");
    }
    assert!(schema_props(&doc, "PeoplePage").contains(&"next".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_schemas_describe_real_answers() {
    let app = spawn_app(db::Backend::Sqlite).await;
    let doc = document(&app).await;
    let (c1, _) = communes();
    let tok = token(
        &app,
        "lan",
        Role::ProvinceOfficer,
        Vec::<Scope>::new(),
        &["read", "write"],
    )
    .await;
    let p: Value = post(&app, &tok, &person("Ngô Thị Hằng", &c1))
        .await
        .json()
        .await
        .unwrap();
    assert_described(&doc, "Person", &p);
    // Every field a create accepts is described, and nothing more.
    let input = schema_props(&doc, "PersonInput");
    for k in person("x", &c1).as_object().unwrap().keys() {
        assert!(input.contains(k), "PersonInput lacks {k}");
    }
    let me: Value = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_described(&doc, "Me", &me);
    let r = post(&app, &tok, &serde_json::json!({"full_name": ""})).await;
    assert_eq!(r.status(), 422);
    let problem: Value = r.json().await.unwrap();
    assert_described(&doc, "Problem", &problem);
    assert_described(&doc, "FieldError", &problem["errors"][0]);
    let page: Value = app
        .client
        .get(app.url("/api/v1/people"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_described(&doc, "PeoplePage", &page);
    assert_described(&doc, "PersonRow", &page["items"][0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swagger_page_loads_its_vendored_assets() {
    let app = spawn_app(db::Backend::Sqlite).await;
    let r = app.client.get(app.url("/api/docs")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let html = r.text().await.unwrap();
    // No inline script: every <script> has a src.
    assert_eq!(
        html.matches("<script").count(),
        html.matches("<script src=").count()
    );
    for (path, mime, min) in [
        (
            "/static/vendor/swagger-ui/swagger-ui-bundle.js",
            "text/javascript",
            100_000,
        ),
        (
            "/static/vendor/swagger-ui/swagger-ui.css",
            "text/css",
            10_000,
        ),
        ("/static/swagger-init.js", "text/javascript", 50),
    ] {
        assert!(html.contains(path), "page does not load {path}");
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(mime),
            "{path}"
        );
        let body = r.bytes().await.unwrap();
        assert!(body.len() > min, "{path} is {} bytes", body.len());
    }
    let init = app
        .client
        .get(app.url("/static/swagger-init.js"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(init.contains("/api/openapi.json"));
}
