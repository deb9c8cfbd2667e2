//! The home page's figures, within the actor's jurisdiction.

use db::Row;
use domain::Category;
use serde::Serialize;

use crate::access::{self, Action};
use crate::{Actor, App, AppResult};

/// Totals shown on the home page.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub people: i64,
    pub countries: i64,
    pub by_category: Vec<(Category, i64)>,
    /// Records not yet verified (verification "unverified").
    pub unverified: i64,
    /// Records the lists disagree on (verification "disputed"): a household
    /// to visit again (survey plan).
    pub disputed: i64,
}

/// Counts people in the actor's jurisdiction (deleted records excluded).
pub async fn overview(app: &App, actor: &Actor) -> AppResult<Overview> {
    access::authorize(actor, Action::StatisticsRead)?;
    // Statistics-only roles see province totals: counts carry no personal data.
    let scope = if actor.role == domain::Role::Viewer {
        access::ScopeFilter {
            sql: "1 = 1".into(),
            args: Vec::new(),
        }
    } else {
        access::person_scope(actor, 1)
    };
    let sql = format!(
        "SELECT p.category, COUNT(*), \
         SUM(CASE WHEN p.verification = 'unverified' THEN 1 ELSE 0 END), \
         SUM(CASE WHEN p.verification = 'disputed' THEN 1 ELSE 0 END) FROM persons p \
         WHERE p.deleted_at IS NULL AND {} GROUP BY p.category",
        scope.sql
    );
    let mut q = sqlx::query(&sql);
    for a in &scope.args {
        q = q.bind(a);
    }
    let rows = q.fetch_all(&app.db.pool).await?;
    let mut by_category = Vec::new();
    let mut people = 0;
    let mut unverified = 0;
    let mut disputed = 0;
    for r in &rows {
        let code: String = r.try_get(0)?;
        let n: i64 = r.try_get(1)?;
        people += n;
        unverified += r.try_get::<Option<i64>, _>(2)?.unwrap_or(0);
        disputed += r.try_get::<Option<i64>, _>(3)?.unwrap_or(0);
        if let Ok(c) = Category::from_code(&code) {
            by_category.push((c, n));
        }
    }
    by_category.sort_by_key(|(c, _)| *c);
    let sql = format!(
        "SELECT COUNT(DISTINCT p.country) FROM persons p WHERE p.deleted_at IS NULL AND {}",
        scope.sql
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql);
    for a in &scope.args {
        q = q.bind(a);
    }
    let countries = q.fetch_one(&app.db.pool).await?;
    Ok(Overview {
        people,
        countries,
        by_category,
        unverified,
        disputed,
    })
}
