//! Integration tests: the real server over real SQLite and PostgreSQL.

mod helpers;

mod audit;
mod auth;
mod browser;
mod foundation;
mod routes;
