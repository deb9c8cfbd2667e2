//! The route map: every route with who may call it. A new route must be
//! added here with its classification, or this test fails.

use web::routes::{Access, table};

#[test]
fn every_route_is_classified() {
    let actual: Vec<(&str, &str, Access)> = table()
        .iter()
        .map(|r| (r.method, r.path, r.access))
        .collect();
    let expected = vec![
        ("GET", "/healthz", Access::Public),
        ("GET", "/readyz", Access::Public),
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
        ("GET", "/audit", Access::Session),
        ("GET", "/audit/export.xlsx", Access::Session),
        ("GET", "/api/v1/audit", Access::Token),
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
    ];
    assert_eq!(actual, expected);
    for r in table() {
        assert!(!r.who.is_empty(), "{} {} says nobody", r.method, r.path);
        if r.path.starts_with("/api/") {
            assert_eq!(
                r.access,
                Access::Token,
                "API routes take bearer tokens only: {}",
                r.path
            );
        }
    }
}
