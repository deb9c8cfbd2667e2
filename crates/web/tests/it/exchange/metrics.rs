//! `/metrics` (issue 25 §6): refused outside `metrics_allow` without the
//! token; the Prometheus text with requests by route template and the
//! registry's gauges to an allowed address or with the token.

use crate::dual;
use crate::helpers::TestApp;

dual!(metrics_answer_allowed_addresses_and_the_token_only);

async fn get(url: &str, token: Option<&str>) -> (u16, String) {
    let mut r = TestApp::new_client().get(url);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn metrics_answer_allowed_addresses_and_the_token_only(app: TestApp) {
    // The test server allows no address and has no token: refused.
    let (status, body) = get(&app.url("/metrics"), None).await;
    assert_eq!(status, 403);
    assert!(!body.contains("kieubao_"));

    // Allowed from 127.0.0.1.
    let allowed = app
        .spawn_server_with(web::WebConfig {
            metrics_allow: vec!["10.0.0.0/8".into(), "127.0.0.1/32".into()],
            ..web::WebConfig::default()
        })
        .await;
    let base = format!("http://{allowed}");
    let (status, _) = get(&format!("{base}/healthz"), None).await;
    assert_eq!(status, 200);
    let (status, body) = get(&format!("{base}/metrics"), None).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains(
            "kieubao_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
        ),
        "{body}"
    );
    assert!(body.contains("# TYPE kieubao_http_request_duration_seconds histogram"));
    assert!(body.contains(
        "kieubao_http_request_duration_seconds_count{method=\"GET\",route=\"/healthz\"} 1"
    ));
    for gauge in [
        "kieubao_db_pool_connections{state=\"open\"}",
        "kieubao_search_index_people",
        "kieubao_mail_outbox_messages",
        "kieubao_audit_chain_length",
        "kieubao_change_feed_head",
        "# TYPE kieubao_import_jobs gauge",
        "# TYPE kieubao_scan_jobs gauge",
    ] {
        assert!(body.contains(gauge), "{gauge}");
    }
    // Routes are counted by template, never by the path asked.
    let (status, _) = get(&format!("{base}/api/v1/people/12345"), None).await;
    assert_eq!(status, 401);
    let (_, body) = get(&format!("{base}/metrics"), None).await;
    assert!(body.contains("route=\"/api/v1/people/{id}\""), "{body}");
    assert!(!body.contains("12345"));

    // Elsewhere only with the token.
    let tokened = app
        .spawn_server_with(web::WebConfig {
            metrics_allow: vec!["10.0.0.0/8".into()],
            metrics_token: Some("a-long-metrics-token".into()),
            ..web::WebConfig::default()
        })
        .await;
    let url = format!("http://{tokened}/metrics");
    assert_eq!(get(&url, None).await.0, 403);
    assert_eq!(get(&url, Some("wrong")).await.0, 403);
    let (status, body) = get(&url, Some("a-long-metrics-token")).await;
    assert_eq!(status, 200);
    assert!(body.contains("kieubao_audit_chain_length"));
}
