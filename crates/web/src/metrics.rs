//! `/metrics` in the Prometheus text format (issue 25 §6), written by hand:
//! requests and their latency by route template (never the path itself,
//! which may hold an id), the database pool, import and scan jobs, the
//! search index, the e-mail outbox, the audit chain, the change feed and
//! webhook deliveries. Served only to the addresses of `metrics_allow`
//! (CIDR ranges) or to a request bearing `metrics_token`; refused (403)
//! otherwise.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, State};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::AppState;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// This server's request counters (per process, as Prometheus expects).
#[derive(Default)]
pub struct Metrics {
    /// (method, route, status) → count.
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// (method, route) → latency.
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut r) = self.requests.lock() {
            *r.entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
        }
        if let Ok(mut l) = self.latency.lock() {
            let h = l.entry((method.to_owned(), route.to_owned())).or_default();
            for (i, b) in BUCKETS.iter().enumerate() {
                if seconds <= *b {
                    h.counts[i] += 1;
                }
            }
            h.count += 1;
            h.sum += seconds;
        }
    }
}

/// Middleware (inside the router, after matching): counts each request
/// under its route template.
pub async fn track(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(req).await;
    state.metrics.observe(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// A CIDR range (`127.0.0.1/32`, `10.0.0.0/8`, `::1/128`); `None` if unreadable.
pub fn parse_cidr(text: &str) -> Option<(IpAddr, u8)> {
    let (ip, bits) = if let Some((ip, bits)) = text.trim().split_once('/') {
        (ip.parse::<IpAddr>().ok()?, bits.parse::<u8>().ok()?)
    } else {
        let ip = text.trim().parse::<IpAddr>().ok()?;
        (ip, if ip.is_ipv4() { 32 } else { 128 })
    };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((ip, bits))
}

fn within(ip: IpAddr, (net, bits): (IpAddr, u8)) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(bits))
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(bits))
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

fn allowed(state: &AppState, ip: &str, headers: &HeaderMap) -> bool {
    if let Ok(ip) = ip.parse::<IpAddr>()
        && state
            .cfg
            .metrics_allow
            .iter()
            .filter_map(|c| parse_cidr(c))
            .any(|c| within(ip, c))
    {
        return true;
    }
    let Some(token) = state.cfg.metrics_token.as_deref().filter(|t| !t.is_empty()) else {
        return false;
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Compared as hashes: the time taken says nothing of the token.
    Sha256::digest(given.as_bytes()) == Sha256::digest(token.as_bytes())
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<AppState>, req: Request<Body>) -> Response {
    let ip = crate::security::client_ip(&req, state.cfg.trust_proxy);
    if !allowed(&state, &ip, req.headers()) {
        return (StatusCode::FORBIDDEN, "forbidden\n").into_response();
    }
    let mut out = String::new();
    out.push_str("# HELP kieubao_http_requests_total Requests answered, by method, route template and status.\n# TYPE kieubao_http_requests_total counter\n");
    if let Ok(r) = state.metrics.requests.lock() {
        for ((m, route, status), n) in r.iter() {
            let _ = writeln!(
                out,
                "kieubao_http_requests_total{{method=\"{m}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
    }
    out.push_str("# HELP kieubao_http_request_duration_seconds Time to answer, by method and route template.\n# TYPE kieubao_http_request_duration_seconds histogram\n");
    if let Ok(l) = state.metrics.latency.lock() {
        for ((m, route), h) in l.iter() {
            let route = escape(route);
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "kieubao_http_request_duration_seconds_bucket{{method=\"{m}\",route=\"{route}\",le=\"{b}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "kieubao_http_request_duration_seconds_bucket{{method=\"{m}\",route=\"{route}\",le=\"+Inf\"}} {}\n\
                 kieubao_http_request_duration_seconds_sum{{method=\"{m}\",route=\"{route}\"}} {}\n\
                 kieubao_http_request_duration_seconds_count{{method=\"{m}\",route=\"{route}\"}} {}",
                h.count, h.sum, h.count
            );
        }
    }
    let pool = &state.app.db.pool;
    let _ = writeln!(
        out,
        "# HELP kieubao_db_pool_connections Database connections of this server, by state.\n# TYPE kieubao_db_pool_connections gauge\n\
         kieubao_db_pool_connections{{state=\"open\"}} {}\nkieubao_db_pool_connections{{state=\"idle\"}} {}",
        pool.size(),
        pool.num_idle()
    );
    let g = app::exchange::gauges::read(&state.app).await;
    for (name, help, rows) in [
        ("kieubao_import_jobs", "Imports, by status.", &g.imports),
        ("kieubao_scan_jobs", "Duplicate scans, by status.", &g.scans),
        (
            "kieubao_webhook_deliveries",
            "Webhook deliveries, by status (dead: the dead letters).",
            &g.webhooks,
        ),
    ] {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for (status, n) in rows {
            let _ = writeln!(out, "{name}{{status=\"{}\"}} {n}", escape(status));
        }
    }
    let search_built = u8::from(state.app.search.is_built());
    let outbox = state
        .app
        .settings
        .mail
        .outbox_dir
        .as_ref()
        .and_then(|d| std::fs::read_dir(d).ok())
        .map_or(0, |d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .count()
        });
    let (audit, head, people_seq) = (g.audit_rows, g.feed_head, g.change_seq);
    let _ = writeln!(
        out,
        "# HELP kieubao_search_index_people People in this server's search index.\n# TYPE kieubao_search_index_people gauge\n\
         kieubao_search_index_people {}\n\
         # HELP kieubao_search_index_built 1 once this server's search index is built.\n# TYPE kieubao_search_index_built gauge\n\
         kieubao_search_index_built {search_built}\n\
         # HELP kieubao_registry_change_seq The registry's latest change number (the index catches up to it before each search).\n# TYPE kieubao_registry_change_seq gauge\n\
         kieubao_registry_change_seq {people_seq}\n\
         # HELP kieubao_mail_outbox_messages E-mail messages waiting in the outbox.\n# TYPE kieubao_mail_outbox_messages gauge\n\
         kieubao_mail_outbox_messages {outbox}\n\
         # HELP kieubao_audit_chain_length Rows of the audit chain.\n# TYPE kieubao_audit_chain_length gauge\n\
         kieubao_audit_chain_length {audit}\n\
         # HELP kieubao_change_feed_head The change feed's latest event number.\n# TYPE kieubao_change_feed_head gauge\n\
         kieubao_change_feed_head {head}",
        state.app.search.len()
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_ranges_match_their_addresses_only() {
        let r = parse_cidr("127.0.0.1/32").unwrap();
        assert!(within("127.0.0.1".parse().unwrap(), r));
        assert!(!within("127.0.0.2".parse().unwrap(), r));
        let n = parse_cidr("10.1.0.0/16").unwrap();
        assert!(within("10.1.200.3".parse().unwrap(), n));
        assert!(!within("10.2.0.1".parse().unwrap(), n));
        assert!(!within("::1".parse().unwrap(), n));
        assert!(within("::1".parse().unwrap(), parse_cidr("::1").unwrap()));
        assert!(parse_cidr("10.0.0.0/33").is_none());
        assert!(parse_cidr("nonsense").is_none());
    }
}
