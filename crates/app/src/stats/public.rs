//! Public statistics: counts of the province's people abroad by country and
//! by category, open to anyone, with small cells suppressed so that no
//! individual can be singled out (Law 91/2025/QH15: published figures must
//! not identify a person).

use std::sync::{Arc, Mutex};

use db::Row;
use serde::Serialize;

use super::pivots::{Dim, PivotSpec, current_year};
use crate::{App, AppResult, Jurisdiction};

/// Cells below this are shown as "fewer than 5".
pub const MIN_CELL: i64 = 5;

/// One published count; `None` when suppressed.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub code: String,
    pub label_vi: String,
    pub label_en: String,
    pub count: Option<i64>,
}

/// What the public page and API show.
#[derive(Debug, Clone, Serialize)]
pub struct PublicStatistics {
    /// Total of live records, rounded down to a multiple of 10 when any
    /// cell is suppressed (so suppressed cells cannot be recovered).
    pub total: i64,
    pub total_is_rounded: bool,
    pub by_country: Vec<Cell>,
    pub by_category: Vec<Cell>,
    pub min_cell: i64,
}

/// Suppresses cells under [`MIN_CELL`]; when exactly one is suppressed, the
/// next smallest is too, so it cannot be derived from the others.
fn suppress(mut cells: Vec<(Cell, i64)>) -> Vec<Cell> {
    cells.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.code.cmp(&b.0.code)));
    let small = cells.iter().filter(|(_, n)| *n < MIN_CELL).count();
    let extra = usize::from(small == 1 && cells.len() > 1);
    let cut = cells.len().saturating_sub(small + extra);
    cells
        .into_iter()
        .enumerate()
        .map(|(i, (mut c, n))| {
            c.count = (i < cut).then_some(n);
            c
        })
        .collect()
}

async fn counts_sql(app: &App, column: &str) -> AppResult<Vec<(String, i64)>> {
    // `column` is one of two constants below, never user input.
    let rows = sqlx::query(&format!(
        "SELECT {column}, COUNT(*) FROM persons WHERE deleted_at IS NULL GROUP BY {column}"
    ))
    .fetch_all(&app.db.pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
        .collect::<Result<_, db::SqlxError>>()
        .map_err(Into::into)
}

/// Counts of live people by `dim` over the whole province: from the
/// statistics columns, or by `GROUP BY` when they cannot hold the registry.
async fn counts(app: &App, dim: Dim, column: &str) -> AppResult<Vec<(String, i64)>> {
    let spec = PivotSpec::new(dim, None);
    match app
        .stats
        .counts(&Jurisdiction::Province, None, None, &spec, current_year())?
    {
        Some(c) => {
            let mut v: Vec<(String, i64)> = c.rows.into_iter().filter(|(_, n)| *n > 0).collect();
            v.sort();
            Ok(v)
        }
        None => counts_sql(app, column).await,
    }
}

/// The last figures computed, with the change number they are fresh to
/// and their JSON (the public page is open to anyone: it must cost nothing).
#[derive(Clone, Default)]
pub struct Cache {
    last: Arc<Mutex<Option<Cached>>>,
}

/// Published figures and their JSON, computed once per change of the registry.
#[derive(Clone)]
pub struct Cached {
    seen: i64,
    pub figures: Arc<PublicStatistics>,
    pub json: Arc<[u8]>,
}

/// The public figures (no sign-in; no personal data), from the statistics
/// columns brought up to date; computed again only when a person changed
/// since the figures kept.
pub async fn public_cached(app: &App) -> AppResult<Cached> {
    app.stats.catch_up(app).await?;
    let seen = app.stats.seen();
    if let Ok(last) = app.public_statistics.last.lock()
        && let Some(c) = last.as_ref().filter(|c| c.seen == seen)
    {
        return Ok(c.clone());
    }
    let figures = compute(app).await?;
    let json = serde_json::to_vec(&figures)
        .map_err(|e| crate::AppError::Unexpected(anyhow::anyhow!("json: {e}")))?;
    let c = Cached {
        seen,
        figures: Arc::new(figures),
        json: Arc::from(json),
    };
    if let Ok(mut last) = app.public_statistics.last.lock()
        && last.as_ref().is_none_or(|l| l.seen <= seen)
    {
        *last = Some(c.clone());
    }
    Ok(c)
}

/// The public figures (no sign-in; no personal data).
pub async fn public(app: &App) -> AppResult<PublicStatistics> {
    Ok((*public_cached(app).await?.figures).clone())
}

async fn compute(app: &App) -> AppResult<PublicStatistics> {
    let by_country: Vec<(Cell, i64)> = counts(app, Dim::Country, "country")
        .await?
        .into_iter()
        .map(|(code, n)| {
            let c = domain::geo::country(&code);
            (
                Cell {
                    label_vi: c.map_or_else(|| code.clone(), |c| c.name_vi.to_owned()),
                    label_en: c.map_or_else(|| code.clone(), |c| c.name_en.to_owned()),
                    code,
                    count: None,
                },
                n,
            )
        })
        .collect();
    let by_category: Vec<(Cell, i64)> = counts(app, Dim::Category, "category")
        .await?
        .into_iter()
        .map(|(code, n)| {
            let c = domain::Category::from_code(&code).ok();
            (
                Cell {
                    label_vi: c.map_or_else(|| code.clone(), |c| c.label("vi").to_owned()),
                    label_en: c.map_or_else(|| code.clone(), |c| c.label("en").to_owned()),
                    code,
                    count: None,
                },
                n,
            )
        })
        .collect();
    let total: i64 = by_country.iter().map(|(_, n)| n).sum();
    let by_country = suppress(by_country);
    let by_category = suppress(by_category);
    let any_suppressed = by_country
        .iter()
        .chain(&by_category)
        .any(|c| c.count.is_none());
    Ok(PublicStatistics {
        total: if any_suppressed {
            total / 10 * 10
        } else {
            total
        },
        total_is_rounded: any_suppressed,
        by_country,
        by_category,
        min_cell: MIN_CELL,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(code: &str, n: i64) -> (Cell, i64) {
        (
            Cell {
                code: code.into(),
                label_vi: code.into(),
                label_en: code.into(),
                count: None,
            },
            n,
        )
    }

    #[test]
    fn small_cells_are_suppressed_and_a_lone_one_takes_a_neighbour() {
        let out = suppress(vec![cell("KR", 120), cell("JP", 40), cell("FR", 3)]);
        let shown: Vec<(&str, Option<i64>)> =
            out.iter().map(|c| (c.code.as_str(), c.count)).collect();
        assert_eq!(shown, vec![("KR", Some(120)), ("JP", None), ("FR", None)]);
        let out = suppress(vec![cell("KR", 120), cell("JP", 4), cell("FR", 3)]);
        assert_eq!(out[0].count, Some(120));
        assert!(out[1].count.is_none() && out[2].count.is_none());
        let out = suppress(vec![cell("KR", 5), cell("JP", 6)]);
        assert!(out.iter().all(|c| c.count.is_some()));
    }
}
