//! Static assets embedded in the binary (no CDN at run time).

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

static ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/app.css"),
    ),
    (
        "nojs.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/nojs.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/app.js"),
    ),
    (
        "vendor/htmx/htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/vendor/htmx/htmx.min.js"),
    ),
    (
        "vendor/swagger-ui/swagger-ui-bundle.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/vendor/swagger-ui/swagger-ui-bundle.js"),
    ),
    (
        "vendor/swagger-ui/swagger-ui.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/vendor/swagger-ui/swagger-ui.css"),
    ),
    (
        "stats.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/stats.js"),
    ),
    (
        "swagger-init.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/swagger-init.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../static/favicon.svg"),
    ),
];

/// `GET /static/{*path}`.
pub async fn serve(Path(path): Path<String>) -> Response {
    match ASSETS.iter().find(|(p, _, _)| *p == path) {
        Some((_, mime, body)) => {
            let mut resp = (StatusCode::OK, *body).into_response();
            let h = resp.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            );
            resp
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
