//! The same counts as [`super::memory`] by a plain `GROUP BY` on the
//! database: the engine of the households and relatives measures, and the
//! reference the tests and the benchmark compare the columns with.

use db::Row;
use std::fmt::Write as _;

use super::pivots::{Counts, Dim, Measure, PivotSpec, statistics_scope};
use crate::{Actor, App, AppResult};
use domain::age::{AGE_BANDS, band_birth_years};

/// A dimension as SQL over `persons p`: an optional join and the value
/// expression (`''` for not recorded).
fn dim_sql(dim: Dim, year: i64, alias: &str) -> (String, String) {
    let plain = |e: &str| (String::new(), e.to_owned());
    match dim {
        Dim::Category => plain("p.category"),
        Dim::Generation => plain("COALESCE(p.generation, '')"),
        Dim::Country => plain("p.country"),
        Dim::Commune => plain("COALESCE(p.hometown_new_code, '')"),
        Dim::LegacyDistrict => plain("COALESCE(p.hometown_legacy_district, '')"),
        Dim::Gender => plain("p.gender"),
        Dim::Verification => plain("p.verification"),
        Dim::AgeBand => {
            let mut e = "CASE WHEN p.birth_year IS NULL OR p.birth_year <= 0 THEN ''".to_owned();
            for (code, ..) in AGE_BANDS {
                // Integers computed here, not user input.
                match band_birth_years(code, year) {
                    Some((None, latest)) => {
                        let _ = write!(e, " WHEN p.birth_year <= {latest} THEN '{code}'");
                    }
                    Some((Some(earliest), latest)) => {
                        let _ = write!(
                            e,
                            " WHEN p.birth_year BETWEEN {earliest} AND {latest} THEN '{code}'"
                        );
                    }
                    None => {}
                }
            }
            // Born after `year` (a data slip): the youngest band, as in memory.
            let _ = write!(e, " ELSE '{}' END", AGE_BANDS[0].0);
            (String::new(), e)
        }
        Dim::Tag => {
            let mut values = vec!["('')".to_owned()];
            values.extend(
                domain::NotableTag::ALL
                    .iter()
                    .map(|t| format!("('{}')", t.code())),
            );
            (
                format!(
                    " JOIN (VALUES {}) AS {alias} ON (({alias}.column1 = '' AND p.tags = '') \
                     OR ({alias}.column1 <> '' AND (',' || p.tags || ',') LIKE ('%,' || {alias}.column1 || ',%')))",
                    values.join(", ")
                ),
                format!("{alias}.column1"),
            )
        }
        Dim::SourceField(_) => {
            let (key, value) = source_field_sql(dim);
            (
                format!(
                    " LEFT JOIN (SELECT DISTINCT ps.person_id, {value} AS v FROM person_sources ps \
                     JOIN person_source_fields f ON f.source_id = ps.id WHERE f.field_key = '{key}') \
                     AS {alias} ON {alias}.person_id = p.id"
                ),
                format!("COALESCE({alias}.v, '')"),
            )
        }
        Dim::Agency | Dim::SurveyRound => {
            let col = if dim == Dim::Agency {
                "agency"
            } else {
                "survey_round"
            };
            (
                format!(
                    " LEFT JOIN (SELECT DISTINCT person_id, {col} AS v FROM person_sources) AS {alias} \
                     ON {alias}.person_id = p.id"
                ),
                format!("COALESCE({alias}.v, '')"),
            )
        }
    }
}

/// A department's own field: its key (from the catalogue, never user
/// input, so written into the SQL) and the value grouped by over
/// `person_source_fields f` (dates by their year).
fn source_field_sql(dim: Dim) -> (&'static str, &'static str) {
    match dim {
        Dim::SourceField(f) => (
            f.field().key,
            if f.field().kind == domain::source_fields::Kind::Date {
                "substr(f.text_value, 1, 4)"
            } else {
                "f.text_value"
            },
        ),
        _ => ("", "''"),
    }
}

/// A filter as a condition, its values bound from `$first`.
fn filter_sql(dim: Dim, values: &[String], year: i64, args: &mut Vec<String>) -> String {
    let marks = |vs: &[&String], args: &mut Vec<String>| -> String {
        vs.iter()
            .map(|v| {
                args.push((*v).clone());
                format!("${}", args.len())
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let all: Vec<&String> = values.iter().collect();
    let known: Vec<&String> = values.iter().filter(|v| !v.is_empty()).collect();
    let wants_none = values.iter().any(String::is_empty);
    match dim {
        Dim::Tag => {
            let mut parts: Vec<String> = Vec::new();
            for v in known {
                args.push(format!("%,{v},%"));
                parts.push(format!("(',' || p.tags || ',') LIKE ${}", args.len()));
            }
            if wants_none {
                parts.push("p.tags = ''".into());
            }
            format!("({})", parts.join(" OR "))
        }
        Dim::Agency | Dim::SurveyRound => {
            let col = if dim == Dim::Agency {
                "agency"
            } else {
                "survey_round"
            };
            let mut parts: Vec<String> = Vec::new();
            if !all.is_empty() {
                parts.push(format!(
                    "EXISTS (SELECT 1 FROM person_sources ps WHERE ps.person_id = p.id AND ps.{col} IN ({}))",
                    marks(&all, args)
                ));
            }
            if wants_none {
                parts.push(
                    "NOT EXISTS (SELECT 1 FROM person_sources ps WHERE ps.person_id = p.id)".into(),
                );
            }
            format!("({})", parts.join(" OR "))
        }
        Dim::SourceField(_) => {
            let (key, value) = source_field_sql(dim);
            let from = format!(
                "FROM person_sources ps JOIN person_source_fields f ON f.source_id = ps.id \
                 WHERE ps.person_id = p.id AND f.field_key = '{key}'"
            );
            let mut parts: Vec<String> = Vec::new();
            if !all.is_empty() {
                parts.push(format!(
                    "EXISTS (SELECT 1 {from} AND {value} IN ({}))",
                    marks(&all, args)
                ));
            }
            if wants_none {
                parts.push(format!("NOT EXISTS (SELECT 1 {from})"));
            }
            format!("({})", parts.join(" OR "))
        }
        _ => {
            let (_, e) = dim_sql(dim, year, "x");
            format!("{e} IN ({})", marks(&all, args))
        }
    }
}

/// The `FROM ... WHERE ...` of a pivot (scope and filters bound in `args`).
fn from_where(actor: &Actor, spec: &PivotSpec, year: i64, args: &mut Vec<String>) -> String {
    let scope = statistics_scope(actor, 1);
    args.extend(scope.args.iter().cloned());
    let mut wh = vec![scope.sql.clone(), "p.deleted_at IS NULL".to_owned()];
    for (d, v) in &spec.filters {
        wh.push(filter_sql(*d, v, year, args));
    }
    if let Some(c) = &spec.consent {
        // The people list's own condition (the value was checked by the spec).
        if let Ok((cond, purpose)) = crate::registry::people::consent_condition(c, args.len() + 1) {
            args.push(purpose);
            wh.push(cond);
        }
    }
    let joins = match spec.measure {
        Measure::People => String::new(),
        Measure::Households | Measure::Relatives => " JOIN relatives r ON r.person_id = p.id \
             AND r.deleted_at IS NULL JOIN households h ON h.id = r.household_id \
             AND h.deleted_at IS NULL"
            .to_owned(),
    };
    format!("FROM persons p{joins} {{JOINS}} WHERE {}", wh.join(" AND "))
}

fn measure_sql(m: Measure) -> &'static str {
    match m {
        // Every join of a dimension gives one row per person and value, so
        // plain rows are people; relatives and households repeat across
        // relatives and dimension values.
        Measure::People => "COUNT(*)",
        Measure::Households => "COUNT(DISTINCT h.id)",
        Measure::Relatives => "COUNT(DISTINCT r.id)",
    }
}

async fn grouped(
    app: &App,
    base: &str,
    args: &[String],
    measure: Measure,
    dims: &[(String, String)],
) -> AppResult<Vec<(Vec<String>, i64)>> {
    let joins: String = dims.iter().map(|(j, _)| j.as_str()).collect();
    let exprs: Vec<&str> = dims.iter().map(|(_, e)| e.as_str()).collect();
    let from = base.replace("{JOINS}", &joins);
    let sql = if exprs.is_empty() {
        format!("SELECT {} {from}", measure_sql(measure))
    } else {
        let list = exprs.join(", ");
        format!(
            "SELECT {list}, {} {from} GROUP BY {list}",
            measure_sql(measure)
        )
    };
    let mut q = sqlx::query(&sql);
    for a in args {
        q = q.bind(a);
    }
    let rows = q.fetch_all(&app.db.pool).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut keys = Vec::with_capacity(exprs.len());
        for i in 0..exprs.len() {
            keys.push(r.try_get::<String, _>(i)?);
        }
        out.push((keys, r.try_get::<i64, _>(exprs.len())?));
    }
    Ok(out)
}

/// The counts of a pivot by `GROUP BY` (one query per grouping: cells, row
/// totals, column totals, total).
pub async fn counts(app: &App, actor: &Actor, spec: &PivotSpec, year: i64) -> AppResult<Counts> {
    let mut args = Vec::new();
    let base = from_where(actor, spec, year, &mut args);
    let row = dim_sql(spec.rows, year, "dr");
    let col = spec.cols.map(|c| dim_sql(c, year, "dc"));
    let mut out = Counts::default();
    for (k, n) in grouped(app, &base, &args, spec.measure, std::slice::from_ref(&row)).await? {
        out.rows.insert(k[0].clone(), n);
    }
    if let Some(col) = col {
        for (k, n) in grouped(app, &base, &args, spec.measure, std::slice::from_ref(&col)).await? {
            out.cols.insert(k[0].clone(), n);
        }
        for (k, n) in grouped(app, &base, &args, spec.measure, &[row, col]).await? {
            out.cells.insert((k[0].clone(), k[1].clone()), n);
        }
    }
    out.total = grouped(app, &base, &args, spec.measure, &[])
        .await?
        .first()
        .map_or(0, |r| r.1);
    Ok(out)
}

/// One plain `GROUP BY` of the cells alone (the benchmark's baseline).
pub async fn cells_only(app: &App, actor: &Actor, spec: &PivotSpec, year: i64) -> AppResult<usize> {
    let mut args = Vec::new();
    let base = from_where(actor, spec, year, &mut args);
    let mut dims = vec![dim_sql(spec.rows, year, "dr")];
    if let Some(c) = spec.cols {
        dims.push(dim_sql(c, year, "dc"));
    }
    Ok(grouped(app, &base, &args, spec.measure, &dims).await?.len())
}
