//! Throwaway databases for tests: a temporary SQLite file, or a uniquely
//! named PostgreSQL database created on the server named by
//! `KIEUBAO_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`).

use sqlx::Executor;

use crate::{Db, DbResult};

/// Server URL used for PostgreSQL tests.
pub fn pg_admin_url() -> String {
    std::env::var("KIEUBAO_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// Replaces the database name of a PostgreSQL URL.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let prefix = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

/// Creates an empty PostgreSQL database named `name` and returns its URL.
pub async fn create_pg_database(name: &str) -> DbResult<String> {
    let admin = Db::connect(&pg_admin_url(), 1).await?;
    admin
        .pool
        .execute(format!("CREATE DATABASE \"{name}\"").as_str())
        .await?;
    admin.close().await;
    Ok(with_database(&pg_admin_url(), name))
}

/// Drops a PostgreSQL test database (best effort).
pub async fn drop_pg_database(name: &str) {
    if let Ok(admin) = Db::connect(&pg_admin_url(), 1).await {
        let _ = admin
            .pool
            .execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
            .await;
        admin.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_replaced_in_urls() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "y"),
            "postgres://u:p@h/y?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "z"),
            "postgres://h:5432/z"
        );
    }
}
