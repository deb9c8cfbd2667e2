//! Integration tests: the real server over real SQLite and PostgreSQL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::many_single_char_names,
    reason = "test helpers fail loudly"
)]

mod helpers;

mod access_matrix;
mod accounts;
mod audit;
mod browser;
mod foundation;
mod households;
mod imports;
mod imports_browser;
mod openapi;
mod people;
mod public;
mod registry_browser;
mod registry_fields;
mod review;
mod routes;
mod search;
mod stats;
mod stats_browser;
mod traffic;
