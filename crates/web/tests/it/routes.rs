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
