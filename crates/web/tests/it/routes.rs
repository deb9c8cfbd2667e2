//! The route map: every route with who may call it. A new route must be
//! added here with its classification, or this test fails.

use web::routes::{Access, table};

#[test]
fn every_route_is_classified() {
    let mut actual: Vec<(&str, &str, Access)> = table()
        .iter()
        .map(|r| (r.method, r.path, r.access))
        .collect();
    let mut expected = vec![
        ("GET", "/healthz", Access::Public),
        ("GET", "/readyz", Access::Public),
        ("GET", "/public/statistics", Access::Public),
        ("GET", "/api/v1/public/statistics", Access::Public),
        ("GET", "/static/{*path}", Access::Public),
        ("GET", "/lang/{code}", Access::Public),
        ("GET", "/login", Access::Public),
        ("POST", "/login", Access::Public),
        ("POST", "/logout", Access::Session),
        ("GET", "/", Access::Session),
        ("GET", "/api/v1/me", Access::Token),
        ("GET", "/login/mfa", Access::Public),
        ("POST", "/login/mfa", Access::Public),
        ("GET", "/profile", Access::Session),
        ("POST", "/profile/password", Access::Session),
        ("POST", "/profile/mfa/begin", Access::Session),
        ("POST", "/profile/mfa/confirm", Access::Session),
        ("POST", "/profile/mfa/disable", Access::Session),
        ("POST", "/profile/tokens", Access::Session),
        ("POST", "/profile/tokens/{id}/revoke", Access::Session),
        ("POST", "/profile/sign-out-everywhere", Access::Session),
        ("GET", "/admin/users", Access::Session),
        ("POST", "/admin/users", Access::Session),
        ("POST", "/admin/users/{id}/disable", Access::Session),
        ("POST", "/admin/users/{id}/enable", Access::Session),
        ("POST", "/admin/users/{id}/password", Access::Session),
        ("POST", "/admin/users/{id}/mfa-reset", Access::Session),
        ("POST", "/admin/users/{id}/access", Access::Session),
        ("GET", "/audit", Access::Session),
        ("GET", "/audit/export.xlsx", Access::Session),
        ("GET", "/api/v1/audit", Access::Token),
        ("GET", "/imports", Access::Session),
        ("POST", "/imports", Access::Session),
        ("GET", "/imports/template/{source}", Access::Session),
        ("GET", "/imports/{id}", Access::Session),
        ("GET", "/imports/{id}/progress", Access::Session),
        ("POST", "/imports/{id}/mapping", Access::Session),
        ("POST", "/imports/{id}/commit", Access::Session),
        ("POST", "/imports/{id}/layout", Access::Session),
        ("POST", "/imports/{id}/undo", Access::Session),
        ("GET", "/imports/{id}/report.xlsx", Access::Session),
        ("POST", "/api/v1/imports", Access::Token),
        ("GET", "/api/v1/imports/{id}", Access::Token),
        ("GET", "/api/v1/imports/{id}/rows", Access::Token),
        ("POST", "/api/v1/imports/{id}/commit", Access::Token),
        ("POST", "/api/v1/imports/{id}/layout", Access::Token),
        ("POST", "/api/v1/imports/{id}/undo", Access::Token),
        ("GET", "/reconcile", Access::Session),
        ("GET", "/reconcile/visits.xlsx", Access::Session),
        ("GET", "/reconcile/visits.docx", Access::Session),
        ("GET", "/api/v1/reconcile/visits.docx", Access::Token),
        ("POST", "/reconcile/visits", Access::Session),
        ("GET", "/reconcile/growth", Access::Session),
        ("GET", "/api/v1/reconcile", Access::Token),
        ("GET", "/api/v1/reconcile/visits.xlsx", Access::Token),
        ("POST", "/api/v1/reconcile/visits", Access::Token),
        ("GET", "/api/v1/growth", Access::Token),
        ("GET", "/review", Access::Session),
        ("POST", "/review/scan", Access::Session),
        ("GET", "/review/next", Access::Session),
        ("GET", "/review/pairs/{id}", Access::Session),
        ("POST", "/review/pairs/{id}/decision", Access::Session),
        ("POST", "/review/pairs/{id}/merge", Access::Session),
        ("GET", "/review/merges", Access::Session),
        ("POST", "/review/merges/{id}/undo", Access::Session),
        ("POST", "/api/v1/linkage/scan", Access::Token),
        ("GET", "/api/v1/linkage/scans/{id}", Access::Token),
        ("GET", "/api/v1/linkage/pairs", Access::Token),
        ("GET", "/api/v1/linkage/pairs/{id}", Access::Token),
        ("POST", "/api/v1/linkage/pairs/{id}/decision", Access::Token),
        ("GET", "/api/v1/merges", Access::Token),
        ("POST", "/api/v1/merges", Access::Token),
        ("POST", "/api/v1/merges/{id}/undo", Access::Token),
        ("GET", "/people", Access::Session),
        ("POST", "/people", Access::Session),
        ("GET", "/people/new", Access::Session),
        ("GET", "/people/pick/communes", Access::Session),
        ("GET", "/people/pick/countries", Access::Session),
        ("GET", "/people/{id}", Access::Session),
        ("POST", "/people/{id}", Access::Session),
        ("GET", "/people/{id}/edit", Access::Session),
        ("POST", "/people/{id}/reveal", Access::Session),
        ("POST", "/people/{id}/delete", Access::Session),
        ("POST", "/people/{id}/undelete", Access::Session),
        ("POST", "/people/{id}/restore", Access::Session),
        ("POST", "/people/{id}/relatives", Access::Session),
        ("GET", "/api/v1/people", Access::Token),
        ("POST", "/api/v1/people", Access::Token),
        ("GET", "/api/v1/people/{id}", Access::Token),
        ("PATCH", "/api/v1/people/{id}", Access::Token),
        ("DELETE", "/api/v1/people/{id}", Access::Token),
        ("GET", "/api/v1/people/{id}/relatives", Access::Token),
        ("GET", "/api/v1/people/{id}/history", Access::Token),
        ("POST", "/api/v1/people/{id}/relatives", Access::Token),
        ("GET", "/api/v1/households", Access::Token),
        ("POST", "/api/v1/households", Access::Token),
        ("GET", "/api/v1/households/{id}", Access::Token),
        ("PATCH", "/api/v1/households/{id}", Access::Token),
        (
            "PATCH",
            "/api/v1/people/{id}/relatives/{relative_id}",
            Access::Token,
        ),
        (
            "DELETE",
            "/api/v1/people/{id}/relatives/{relative_id}",
            Access::Token,
        ),
        ("GET", "/api/openapi.json", Access::Public),
        ("GET", "/api/docs", Access::Public),
        ("GET", "/households/{id}", Access::Session),
        ("POST", "/households/{id}", Access::Session),
        (
            "POST",
            "/people/{id}/relatives/{relative_id}/delete",
            Access::Session,
        ),
        ("GET", "/api/v1/custom-fields", Access::Token),
        ("PUT", "/api/v1/custom-fields", Access::Token),
        ("POST", "/api/v1/people/{id}/restore", Access::Token),
        ("POST", "/api/v1/people/{id}/undelete", Access::Token),
        ("GET", "/api/v1/search", Access::Token),
        ("GET", "/search", Access::Session),
        ("GET", "/search/export.xlsx", Access::Session),
        ("GET", "/search/export.csv", Access::Session),
        ("GET", "/dashboard", Access::Session),
        ("GET", "/reports", Access::Session),
        ("POST", "/reports", Access::Session),
        ("GET", "/reports/{id}", Access::Session),
        ("POST", "/reports/{id}/delete", Access::Session),
        ("GET", "/reports/export.xlsx", Access::Session),
        ("GET", "/reports/export.docx", Access::Session),
        ("GET", "/reports/export.pdf", Access::Session),
        ("GET", "/api/v1/statistics/pivot", Access::Token),
        ("GET", "/api/v1/statistics/reports", Access::Token),
    ];
    // Order-independent: the table's order is the router's business.
    actual.sort_by_key(|(m, p, _)| (*p, *m));
    expected.sort_by_key(|(m, p, _)| (*p, *m));
    assert_eq!(actual, expected);
    for r in table() {
        assert!(!r.who.is_empty(), "{} {} says nobody", r.method, r.path);
        // Exceptions: the API's public contract (OpenAPI document, Swagger
        // UI) and the public statistics.
        if r.path.starts_with("/api/")
            && !matches!(r.path, "/api/openapi.json" | "/api/docs")
            && !r.path.starts_with("/api/v1/public/")
        {
            assert_eq!(
                r.access,
                Access::Token,
                "API routes take bearer tokens only: {}",
                r.path
            );
        }
    }
}
