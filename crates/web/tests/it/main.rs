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
mod community;
mod exchange;
mod foundation;
mod intake;
mod layout;
mod openapi;
mod pickers;
mod portal;
mod publishing;
mod registry;
mod routes;
mod stats;
mod traffic;
mod words;
mod workday;
mod xss;
