use crate::dual;
use crate::helpers::TestApp;

dual!(
    two_servers_share_sessions_and_the_audit_chain,
    health_and_readiness_answer,
    unknown_page_is_a_translated_404,
    anonymous_home_redirects_to_sign_in,
    language_switch_goes_back_only_to_a_page_of_the_site,
    every_api_error_is_problem_json_naming_the_field,
    parameters_the_document_refuses_are_refused
);

async fn health_and_readiness_answer(app: TestApp) {
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // Ready once the in-memory indexes are built (at once on an empty database).
    let mut ready = None;
    for _ in 0..100 {
        let r = app.client.get(app.url("/readyz")).send().await.unwrap();
        if r.status() == 200 {
            ready = Some(r.text().await.unwrap());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(ready.as_deref(), Some("ready"));
    assert!(app.app.search.is_built() && app.app.stats.is_built());
    // Every connection taken (and with it the write lock): not ready, said
    // within the readiness time-out; ready again once they are back.
    let max = app.app.db.pool.options().get_max_connections();
    let mut held = Vec::new();
    for _ in 0..max {
        held.push(app.app.db.pool.acquire().await.unwrap());
    }
    let started = std::time::Instant::now();
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.text().await.unwrap(), "not ready: database not writable");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    drop(held);
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

async fn unknown_page_is_a_translated_404(app: TestApp) {
    let r = app
        .client
        .get(app.url("/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("Không tìm thấy"));
    let r = app
        .client
        .get(app.url("/api/v1/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

async fn anonymous_home_redirects_to_sign_in(app: TestApp) {
    let r = app.client.get(app.url("/work")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login");
}

async fn two_servers_share_sessions_and_the_audit_chain(app: TestApp) {
    app.add_user("admin", domain::Role::Admin, vec![]).await;
    let second = app.spawn_second_server().await;
    // Sign in on the first server, browse on the second with the same cookie.
    let r = app
        .sign_in(&app.client, "admin", crate::helpers::PASSWORD)
        .await;
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let r = TestApp::new_client()
        .get(format!("http://{second}/work"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Audit rows written concurrently by both servers form one intact chain.
    let actor = app::Actor::system("test");
    let other = app::App::new(
        db::Db::connect(&app.db_url, 4).await.unwrap(),
        app.app.settings.clone(),
    );
    let mut tasks = Vec::new();
    for i in 0..20 {
        let server = if i % 2 == 0 {
            app.app.clone()
        } else {
            other.clone()
        };
        let actor = actor.clone();
        tasks.push(tokio::spawn(async move {
            app::audit::record(
                &server,
                &actor,
                app::audit::Event::new("test.concurrent", "thing", &i),
            )
            .await
            .unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert!(matches!(
        app::audit::verify(&app.app).await.unwrap(),
        app::audit::Verification::Intact { .. }
    ));
}

/// Issue 26, finding 1: `next` is resolved as a browser would resolve it;
/// what lands elsewhere (a tab or newline in `//`, a backslash, a scheme)
/// goes to `/`, and a control character never makes a 500.
async fn language_switch_goes_back_only_to_a_page_of_the_site(app: TestApp) {
    for (next, want) in [
        ("%2F%09%2Fevil.example", "/"),
        ("%2F%0A%2Fevil.example", "/"),
        ("%2F%0D%0A%2Fevil.example", "/"),
        ("//evil.example", "/"),
        ("%2F%5Cevil.example", "/"),
        ("%5C%5Cevil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/%2F%2Fevil.example", "/"),
        ("/people%3Fq%3DNguy%E1%BB%85n", "/people?q=Nguy%E1%BB%85n"),
        ("/imports/3", "/imports/3"),
    ] {
        let r = app
            .client
            .get(app.url(&format!("/lang/en?next={next}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{next}");
        assert_eq!(r.headers()["location"], want, "{next}");
    }
}

/// Issue 26, finding 7: errors the framework answers (a body over the
/// limit, an id that overflows, a query parameter that cannot be read) are
/// problem+json like the rest; a body with a wrong type names the field and
/// what was expected; a number is accepted for a numeric code.
async fn every_api_error_is_problem_json_naming_the_field(app: TestApp) {
    use domain::Role;
    let id = app.add_user("lan", Role::ProvinceOfficer, vec![]).await;
    let actor = app::accounts::users::actor_for(&app.app, id).await.unwrap();
    let tok = app::accounts::tokens::create_token(&app.app, &actor, id, "t", &["read", "write"], 1)
        .await
        .unwrap();
    let problem = |r: reqwest::Response| async move {
        let status = r.status().as_u16();
        let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
        let v: serde_json::Value = r.json().await.unwrap_or(serde_json::Value::Null);
        assert_eq!(ct, "application/problem+json", "{status}: {v}");
        (status, v)
    };
    let get = |path: &str| app.client.get(app.url(path)).bearer_auth(&tok).send();
    let (s, v) = problem(get("/api/v1/people/99999999999999999999").await.unwrap()).await;
    assert_eq!(
        (s, v["errors"][0]["field"].as_str()),
        (400, Some("path")),
        "{v}"
    );
    let (s, v) = problem(get("/api/v1/people?limit=abc").await.unwrap()).await;
    assert_eq!(
        (s, v["errors"][0]["field"].as_str()),
        (400, Some("limit")),
        "{v}"
    );
    // A body announced over the limit is refused before it is sent (a
    // raw request: a client library would fail writing the rest).
    {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let addr = app
            .url("/")
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let mut sock = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let head = format!(
            "POST /api/v1/people HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {tok}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            64 * 1024 * 1024 + 10
        );
        sock.write_all(head.as_bytes()).await.unwrap();
        let mut out = Vec::new();
        let _ = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            sock.read_to_end(&mut out),
        )
        .await;
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("HTTP/1.1 413"), "{text}");
        assert!(
            text.to_lowercase()
                .contains("content-type: application/problem+json"),
            "{text}"
        );
        assert!(text.contains("body_too_large"), "{text}");
    }
    let post = |body: serde_json::Value| {
        app.client
            .post(app.url("/api/v1/people"))
            .bearer_auth(&tok)
            .json(&body)
            .send()
    };
    let (s, v) = problem(
        post(serde_json::json!({"full_name": 5, "country": "KR", "category": "other"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(v["errors"][0]["field"], "full_name", "{v}");
    assert_eq!(v["errors"][0]["code"], "expected_text", "{v}");
    let (s, v) = problem(post(serde_json::json!({"full_name": "A", "tags": "expert", "country": "KR", "category": "other"})).await.unwrap()).await;
    assert_eq!(
        (
            s,
            v["errors"][0]["field"].as_str(),
            v["errors"][0]["code"].as_str()
        ),
        (422, Some("tags"), Some("expected_list")),
        "{v}"
    );
    let r = post(serde_json::json!({"full_name": "Ngô Văn Một", "generation": 1, "country": "KR", "category": "other"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "a number for a numeric code");
    let p: serde_json::Value = r.json().await.unwrap();
    assert_eq!(p["generation"], "1");
}

/// Issue 26, finding 7 (Schemathesis in CI): a value the OpenAPI document
/// does not allow is refused, never read as "no filter" — a NUL in any
/// parameter (PostgreSQL cannot store it: it answered 500), an unknown age
/// band, review status, source or `found_by`, an operator without its field,
/// a generation that is a number among other words; and the document lists
/// the codes it accepts.
async fn parameters_the_document_refuses_are_refused(app: TestApp) {
    use domain::Role;
    let id = app.add_user("lan", Role::ProvinceOfficer, vec![]).await;
    let actor = app::accounts::users::actor_for(&app.app, id).await.unwrap();
    let tok = app::accounts::tokens::create_token(&app.app, &actor, id, "t", &["read", "write"], 1)
        .await
        .unwrap();
    let get = |path: String| app.client.get(app.url(&path)).bearer_auth(&tok).send();
    for (path, status, field) in [
        ("/api/v1/people?commune=1%002", 400, "commune"),
        ("/api/v1/reconcile?round=R1&commune=%00", 400, "commune"),
        ("/api/v1/search?q=An&survey_round=a%00", 400, "survey_round"),
        ("/api/v1/people?age_band=old", 422, "age_band"),
        ("/api/v1/people?field_op=null", 422, "field_op"),
        ("/api/v1/people?field_value=5", 422, "field"),
        ("/api/v1/people?generation=x5", 422, "generation"),
        ("/api/v1/linkage/pairs?status=AAA", 422, "status"),
        ("/api/v1/linkage/pairs?source=null", 422, "source"),
        ("/api/v1/linkage/pairs?found_by=null", 422, "found_by"),
    ] {
        let r = get(path.to_owned()).await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{path}");
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["errors"][0]["field"], field, "{path}: {v}");
    }
    // Accepted forms still read: a code, an empty filter, a generation in words.
    for path in [
        "/api/v1/people?age_band=30_44&generation=th%E1%BA%BF%20h%E1%BB%87%202&status=",
        "/api/v1/linkage/pairs?source=police&found_by=scan&status=pending",
        "/api/v1/linkage/pairs?found_by=import:12",
    ] {
        let r = get(path.to_owned()).await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    // A NUL in a body's text (PostgreSQL answered 500 to a relative's notes).
    let r = app
        .client
        .post(app.url("/api/v1/people"))
        .bearer_auth(&tok)
        .json(
            &serde_json::json!({"full_name": "Ngô Văn Hai", "country": "KR", "category": "other"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let person: serde_json::Value = r.json().await.unwrap();
    let r = app
        .client
        .post(app.url(&format!("/api/v1/people/{}/relatives", person["id"])))
        .bearer_auth(&tok)
        .json(
            &serde_json::json!({"full_name": "Ngô Thị Ba", "relationship": "other",
            "head_name": "Ngô Văn Bốn", "notes": "a\u{0}b"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        (
            v["errors"][0]["field"].as_str(),
            v["errors"][0]["code"].as_str()
        ),
        (Some("notes"), Some("control_chars")),
        "{v}"
    );
    // A page with a NUL in its query is a translated 400, not a server error.
    let r = app
        .client
        .get(app.url("/people?q=%00"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // The document lists the codes and marks the required parameters.
    let doc: serde_json::Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let param = |path: &str, method: &str, name: &str| {
        doc["paths"][path][method]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{method} {path} {name}"))
    };
    let category = param("/api/v1/people", "get", "category");
    assert_eq!(category["in"], "query");
    let codes: Vec<&str> = category["schema"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(serde_json::Value::as_str)
        .collect();
    assert!(
        codes.contains(&"study_abroad") && codes.contains(&""),
        "{codes:?}"
    );
    let from = param("/api/v1/growth", "get", "from");
    assert_eq!(
        (from["in"].as_str(), from["required"].as_bool()),
        (Some("query"), Some(true))
    );
    let source = param("/api/v1/imports", "post", "source");
    assert_eq!(source["required"], true, "{source}");
    assert_eq!(
        param("/api/v1/linkage/pairs", "get", "offset")["in"],
        "query"
    );
    let tag = param("/api/v1/people", "get", "tag");
    assert_eq!(tag["schema"]["pattern"], "^[^\\u0000]*$", "{tag}");
    let new_person = &doc["components"]["schemas"]["NewPerson"];
    let required: Vec<&str> = new_person["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(serde_json::Value::as_str)
        .collect();
    assert_eq!(
        required,
        ["full_name", "category", "country"],
        "{new_person}"
    );
    assert_eq!(
        doc["paths"]["/api/v1/people"]["post"]["requestBody"]["content"]["application/json"]["schema"]
            ["$ref"],
        "#/components/schemas/NewPerson"
    );
}
