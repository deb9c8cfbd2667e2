//! What enterprises, investment projects and contributions share (issue 22
//! §2–§3): who reaches which rows (as SQL, like [`crate::access`]'s scopes),
//! the history kept of every change (`investment_versions`), and the
//! reading of money, sectors, communes and days typed by a person.
//!
//! Reach: the province all; a commune officer the projects located in, and
//! the contributions given to, their communes (a legacy commune or
//! district reaches the new communes it became); a mission the enterprises
//! whose parent is in its countries, the projects those enterprises (or
//! people living there) invest in, and the contributions of donors from
//! there; leadership reads projects, enterprises and the reports. Outside
//! reach a record answers as not found.

use db::{Row, WriteTx};
use serde::Serialize;

use crate::access::ScopeFilter;
use crate::{Actor, AppError, AppResult, FieldError, Jurisdiction, clock};

/// Longest name, number or short text.
pub(crate) const MAX_SHORT: usize = 200;
/// Longest address.
pub(crate) const MAX_MEDIUM: usize = 400;
/// Longest notes, summary or in-kind description.
pub(crate) const MAX_LONG: usize = 4000;

/// The new communes a commune officer's jurisdiction covers (`None`: not a
/// commune officer). Legacy communes and districts cover their successors.
pub(crate) fn commune_codes(actor: &Actor) -> Option<Vec<String>> {
    let Jurisdiction::Communes {
        new_communes,
        legacy_communes,
        legacy_districts,
    } = &actor.jurisdiction
    else {
        return None;
    };
    let mut codes: Vec<String> = new_communes.clone();
    for l in legacy_communes {
        codes.extend(
            domain::geo::successors(l)
                .iter()
                .map(|s| s.new_code.to_owned()),
        );
    }
    for d in legacy_districts {
        codes.extend(
            domain::geo::district_successors(d)
                .iter()
                .map(|s| s.new_code.to_owned()),
        );
    }
    codes.sort();
    codes.dedup();
    Some(codes)
}

/// `$first, $first+1, ...` for `values`, or `NULL` when there are none.
fn marks(values: &[String], first: usize) -> String {
    if values.is_empty() {
        return "NULL".to_owned();
    }
    (0..values.len())
        .map(|i| format!("${}", first + i))
        .collect::<Vec<_>>()
        .join(", ")
}

fn all() -> ScopeFilter {
    ScopeFilter {
        sql: "1 = 1".to_owned(),
        args: Vec::new(),
    }
}

fn none() -> ScopeFilter {
    ScopeFilter {
        sql: "1 = 0".to_owned(),
        args: Vec::new(),
    }
}

/// The investment projects (aliased `pr`) the actor reaches; placeholders from `first`.
pub fn project_scope(actor: &Actor, first: usize) -> ScopeFilter {
    match &actor.jurisdiction {
        Jurisdiction::Province | Jurisdiction::StatisticsOnly => all(),
        Jurisdiction::Communes { .. } => {
            let codes = commune_codes(actor).unwrap_or_default();
            ScopeFilter {
                sql: format!("pr.commune_code IN ({})", marks(&codes, first)),
                args: codes,
            }
        }
        Jurisdiction::Countries(cs) => {
            let m = marks(cs, first);
            let m2 = marks(cs, first + cs.len());
            let mut args = cs.clone();
            args.extend(cs.iter().cloned());
            ScopeFilter {
                sql: format!(
                    "pr.id IN (SELECT pi.project_id FROM project_investors pi \
                     LEFT JOIN enterprises e ON e.id = pi.enterprise_id \
                     LEFT JOIN persons p ON p.id = pi.person_id \
                     WHERE e.parent_country IN ({m}) OR (p.deleted_at IS NULL AND p.country IN ({m2})))"
                ),
                args,
            }
        }
        _ => none(),
    }
}

/// The enterprises (aliased `e`) the actor reaches: what an enterprise
/// registered is public business information, so every officer reads them;
/// a mission those of its countries.
pub fn enterprise_scope(actor: &Actor, first: usize) -> ScopeFilter {
    match &actor.jurisdiction {
        Jurisdiction::Province | Jurisdiction::StatisticsOnly | Jurisdiction::Communes { .. } => {
            all()
        }
        Jurisdiction::Countries(cs) => ScopeFilter {
            sql: format!("e.parent_country IN ({})", marks(cs, first)),
            args: cs.clone(),
        },
        _ => none(),
    }
}

/// The contributions (aliased `c`) the actor reaches; `report` lets
/// leadership count them all (figures, no records).
pub fn contribution_scope(actor: &Actor, first: usize, report: bool) -> ScopeFilter {
    match &actor.jurisdiction {
        Jurisdiction::Province => all(),
        Jurisdiction::StatisticsOnly if report => all(),
        Jurisdiction::Communes { .. } => {
            let codes = commune_codes(actor).unwrap_or_default();
            ScopeFilter {
                sql: format!("c.commune_code IN ({})", marks(&codes, first)),
                args: codes,
            }
        }
        Jurisdiction::Countries(cs) => ScopeFilter {
            sql: format!("c.donor_country IN ({})", marks(cs, first)),
            args: cs.clone(),
        },
        _ => none(),
    }
}

/// Whether a commune officer may place a record in `commune` (others: yes).
pub(crate) fn commune_allowed(actor: &Actor, commune: &str) -> bool {
    commune_codes(actor).is_none_or(|codes| codes.iter().any(|c| c == commune))
}

/// Whether a mission may place a record in `country` (others: yes).
pub(crate) fn country_allowed(actor: &Actor, country: &str) -> bool {
    match &actor.jurisdiction {
        Jurisdiction::Countries(cs) => cs.iter().any(|c| c == country),
        _ => true,
    }
}

// ------------------------------------------------------------------ history

/// One version of a record's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionRow {
    pub version: i64,
    /// `created`, `updated: name, sector`, `status: licensed`...
    pub summary: String,
    /// Who made the change (username).
    pub actor: String,
    pub changed_at: String,
    /// The record's own fields after the change.
    #[schema(value_type = Object)]
    pub snapshot: serde_json::Value,
}

/// Keeps a version of a record: its fields now, and what changed.
pub(crate) async fn keep_version(
    tx: &mut WriteTx,
    actor: &Actor,
    entity: &str,
    id: i64,
    version: i64,
    summary: &str,
    snapshot: &impl Serialize,
) -> AppResult<()> {
    let snapshot = serde_json::to_string(snapshot).map_err(anyhow::Error::from)?;
    sqlx::query(
        "INSERT INTO investment_versions (entity, entity_id, version, summary, snapshot, actor, changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(entity)
    .bind(id)
    .bind(version)
    .bind(summary)
    .bind(snapshot)
    .bind(&actor.username)
    .bind(clock::now())
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// A record's history, newest first (the caller checked reach).
pub(crate) async fn versions(
    conn: &mut sqlx::AnyConnection,
    entity: &str,
    id: i64,
) -> AppResult<Vec<VersionRow>> {
    let rows = sqlx::query(
        "SELECT version, summary, actor, changed_at, snapshot FROM investment_versions \
         WHERE entity = $1 AND entity_id = $2 ORDER BY id DESC",
    )
    .bind(entity)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let snapshot: String = r.try_get(4)?;
            Ok(VersionRow {
                version: r.try_get(0)?,
                summary: r.try_get(1)?,
                actor: r.try_get(2)?,
                changed_at: r.try_get(3)?,
                snapshot: serde_json::from_str(&snapshot).unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>, db::SqlxError>>()
        .map_err(AppError::from)
}

/// The names of the fields that differ between two snapshots.
pub(crate) fn changed_fields(a: &impl Serialize, b: &impl Serialize) -> Vec<String> {
    let a = serde_json::to_value(a).unwrap_or_default();
    let b = serde_json::to_value(b).unwrap_or_default();
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return Vec::new();
    };
    a.iter()
        .filter(|(k, v)| b.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect()
}

/// Why a record's own fields are written: an edit, or the restore of an
/// earlier version (history with restore, issue 22 rules), which is kept as
/// a new version saying which one it brought back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Edit,
    Restore(i64),
}

impl Change {
    /// The history's summary of the change.
    pub(crate) fn summary(self, changed: &str) -> String {
        match self {
            Self::Edit => format!("updated: {changed}"),
            Self::Restore(n) => format!("restored version {n}: {changed}"),
        }
    }

    /// The audit action: `edit` for an edit, `restore` for a restore.
    pub(crate) fn action(self, edit: &'static str, restore: &'static str) -> &'static str {
        match self {
            Self::Edit => edit,
            Self::Restore(_) => restore,
        }
    }
}

/// The snapshot kept of version `version` of an enterprise, project or
/// contribution (the last row of that version), or not found.
pub(crate) async fn snapshot(
    conn: &mut sqlx::AnyConnection,
    entity: &str,
    id: i64,
    version: i64,
) -> AppResult<serde_json::Value> {
    snapshot_in(
        conn,
        "investment_versions",
        "entity_id",
        Some(entity),
        id,
        version,
    )
    .await
}

/// The snapshot kept of version `version` of record `id` in the history
/// table `table` (its record column `key`; `entity` where the table holds
/// several kinds), the last row of that version, or not found. `table` and
/// `key` are the callers' constants.
pub(crate) async fn snapshot_in(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    key: &str,
    entity: Option<&str>,
    id: i64,
    version: i64,
) -> AppResult<serde_json::Value> {
    let sql = format!(
        "SELECT snapshot FROM {table} WHERE {key} = $1 AND version = $2{} \
         ORDER BY id DESC LIMIT 1",
        if entity.is_some() {
            " AND entity = $3"
        } else {
            ""
        }
    );
    let mut q = sqlx::query_scalar::<_, String>(&sql).bind(id).bind(version);
    if let Some(e) = entity {
        q = q.bind(e);
    }
    let text = q
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    serde_json::from_str(&text).map_err(|e| AppError::Unexpected(anyhow::Error::from(e)))
}

/// The input that would store the fields of `snapshot` (an earlier
/// version), starting from `current` (the record's input now): a field the
/// snapshot names replaces the current one; a field it lacks (older
/// snapshots) stays as it is. `renames` maps a snapshot's field name to the
/// input's (`commune_code` → `commune`).
pub(crate) fn restored_input<T: Serialize + serde::de::DeserializeOwned>(
    current: &T,
    snapshot: &serde_json::Value,
    renames: &[(&str, &str)],
) -> AppResult<T> {
    let mut doc = serde_json::to_value(current).map_err(anyhow::Error::from)?;
    if let (Some(base), Some(old)) = (doc.as_object_mut(), snapshot.as_object()) {
        for (k, v) in old {
            let k = renames
                .iter()
                .find(|(from, _)| from == k)
                .map_or(k.as_str(), |(_, to)| *to);
            if base.contains_key(k) {
                base.insert(k.to_owned(), v.clone());
            }
        }
        base.retain(|_, v| !v.is_null());
    }
    serde_json::from_value(doc).map_err(|e| AppError::Unexpected(anyhow::Error::from(e)))
}

// ------------------------------------------------------------------ reading input

pub(crate) fn trimmed(v: Option<&String>) -> String {
    v.map(|s| s.trim().to_owned()).unwrap_or_default()
}

/// Refuses control characters (and line breaks in short fields) and overlong text.
pub(crate) fn text_ok(field: &str, v: &str, max: usize, errs: &mut Vec<FieldError>) {
    if domain::text::has_forbidden_control(v) || (max <= MAX_MEDIUM && v.contains('\n')) {
        errs.push(FieldError::new(field, "control_chars"));
    } else if v.chars().count() > max {
        errs.push(FieldError::new(field, "too_long"));
    }
}

/// A required coded value among `allowed`.
pub(crate) fn one_of(field: &str, v: &str, allowed: &[&str], errs: &mut Vec<FieldError>) {
    if v.is_empty() {
        errs.push(FieldError::new(field, "required"));
    } else if !allowed.contains(&v) {
        errs.push(FieldError::new(field, "invalid_code"));
    }
}

/// A sector by code or name (VSIC 2018).
pub(crate) fn sector(field: &str, v: &str, errs: &mut Vec<FieldError>) -> String {
    if v.is_empty() {
        errs.push(FieldError::new(field, "required"));
        return String::new();
    }
    domain::sectors::resolve(v).map_or_else(
        || {
            errs.push(FieldError::new(field, "unknown_sector"));
            String::new()
        },
        |s| s.code.to_owned(),
    )
}

/// A country by code or name.
pub(crate) fn country(field: &str, v: &str, errs: &mut Vec<FieldError>) -> String {
    if v.is_empty() {
        errs.push(FieldError::new(field, "required"));
        return String::new();
    }
    domain::geo::countries::resolve(v).map_or_else(
        || {
            errs.push(FieldError::new(field, "unknown_country"));
            String::new()
        },
        str::to_owned,
    )
}

/// A new commune by code, picker label or name (the home province first).
pub(crate) fn commune(field: &str, v: &str, home: &str, errs: &mut Vec<FieldError>) -> String {
    if v.is_empty() {
        errs.push(FieldError::new(field, "required"));
        return String::new();
    }
    match domain::geo::pick::commune_named(v, domain::geo::Era::New, Some(home)) {
        Ok(c) => c.code().to_owned(),
        Err(e) => {
            errs.push(FieldError::new(field, e.code()));
            String::new()
        }
    }
}

/// A day (`12/02/2026` or `2026-02-12`), not in the future, as `YYYY-MM-DD`.
pub(crate) fn day(
    field: &str,
    v: &str,
    required: bool,
    errs: &mut Vec<FieldError>,
) -> Option<String> {
    if v.is_empty() {
        if required {
            errs.push(FieldError::new(field, "required"));
        }
        return None;
    }
    match domain::dates::read_day(v) {
        Some(d) if d.as_str() > clock::today().as_str() => {
            errs.push(FieldError::new(field, "in_future"));
            None
        }
        Some(d) => Some(d),
        None => {
            errs.push(FieldError::new(field, "invalid_date"));
            None
        }
    }
}

/// A day, or the month or year alone when that is all a list says
/// ("tháng 3/2024", "03/2024", "2024"), not in the future, as ISO
/// (`YYYY-MM-DD`, `YYYY-MM`, `YYYY`): a contribution is counted by year, and
/// a list typed years later often keeps only the month.
pub(crate) fn day_or_month(
    field: &str,
    v: &str,
    required: bool,
    errs: &mut Vec<FieldError>,
) -> Option<String> {
    if v.is_empty() {
        if required {
            errs.push(FieldError::new(field, "required"));
        }
        return None;
    }
    let today = clock::today();
    let this_year = today.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2026);
    let Ok(d) = domain::dates::read(v, this_year) else {
        errs.push(FieldError::new(field, "invalid_date"));
        return None;
    };
    let iso = d.to_iso();
    if iso.as_str() > today.get(..iso.len()).unwrap_or(&today) {
        errs.push(FieldError::new(field, "in_future"));
        return None;
    }
    Some(iso)
}

/// A currency by its ISO 4217 code (required).
pub(crate) fn currency(
    field: &str,
    v: &str,
    errs: &mut Vec<FieldError>,
) -> Option<domain::money::Currency> {
    if v.is_empty() {
        errs.push(FieldError::new(field, "required"));
        return None;
    }
    let c = domain::money::currency(v);
    if c.is_none() {
        errs.push(FieldError::new(field, "unknown_currency"));
    }
    c
}

/// An amount in minor units: given as an integer (the API) or as text typed
/// on a form in the currency's writing ("1.250.000", "12.500,50").
pub(crate) fn amount(
    field: &str,
    minor: Option<i64>,
    text: Option<&String>,
    currency: Option<domain::money::Currency>,
    required: bool,
    errs: &mut Vec<FieldError>,
) -> i64 {
    let text = text.map(|t| t.trim()).unwrap_or_default();
    let read = if !text.is_empty() {
        let Some(c) = currency else {
            return 0;
        };
        domain::money::parse_amount(text, c).map_err(domain::money::MoneyError::code)
    } else if let Some(m) = minor {
        if m < 0 {
            Err("negative_amount")
        } else if m > domain::money::MAX_MINOR {
            Err("amount_too_large")
        } else {
            Ok(m)
        }
    } else if required {
        Err("required")
    } else {
        Ok(0)
    };
    read.unwrap_or_else(|code| {
        errs.push(FieldError::new(field, code));
        0
    })
}

/// The rate to the đồng: `1` for the đồng itself, else required.
pub(crate) fn rate(
    field: &str,
    v: &str,
    currency: Option<domain::money::Currency>,
    errs: &mut Vec<FieldError>,
) -> domain::money::Rate {
    if currency.is_some_and(|c| c.code == "VND") && (v.is_empty() || v == "1") {
        return domain::money::Rate::ONE;
    }
    if v.is_empty() {
        if currency.is_some() {
            errs.push(FieldError::new(field, "required"));
        }
        return domain::money::Rate::ONE;
    }
    domain::money::parse_rate(v).unwrap_or_else(|e| {
        errs.push(FieldError::new(
            field,
            if e == domain::money::MoneyError::Negative {
                "negative_amount"
            } else {
                "invalid_rate"
            },
        ));
        domain::money::Rate::ONE
    })
}

/// True when the actor may see the live person `person_id`.
pub(crate) async fn person_visible(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    person_id: i64,
) -> AppResult<bool> {
    let scope = crate::access::person_scope(actor, 2);
    let sql = format!(
        "SELECT COUNT(*) FROM persons p WHERE p.id = $1 AND p.deleted_at IS NULL AND {}",
        scope.sql
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(person_id);
    for a in &scope.args {
        q = q.bind(a);
    }
    Ok(q.fetch_one(&mut *conn).await? > 0)
}

/// The name and country of a live person, whoever may see them (for
/// records that link people: shown only when the caller may see them).
pub(crate) async fn person_name_country(
    conn: &mut sqlx::AnyConnection,
    person_id: i64,
) -> AppResult<Option<(String, String)>> {
    Ok(sqlx::query_as::<_, (String, String)>(
        "SELECT full_name, country FROM persons WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(person_id)
    .fetch_optional(&mut *conn)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Role;

    fn actor(j: Jurisdiction) -> Actor {
        Actor {
            user_id: None,
            username: "t".into(),
            role: Role::CommuneOfficer,
            jurisdiction: j,
            ip: String::new(),
            token_scopes: None,
        }
    }

    #[test]
    fn a_legacy_commune_reaches_the_new_one_it_became() {
        let legacy = domain::geo::legacy_communes_of_province("42")[0];
        let new = domain::geo::successors(legacy.code)[0].new_code;
        let a = actor(Jurisdiction::Communes {
            new_communes: vec![],
            legacy_communes: vec![legacy.code.to_owned()],
            legacy_districts: vec![],
        });
        assert!(commune_allowed(&a, new));
        let s = project_scope(&a, 3);
        assert!(s.sql.starts_with("pr.commune_code IN ($3"), "{}", s.sql);
    }

    #[test]
    fn amounts_are_minor_units_never_negative() {
        let usd = domain::money::currency("USD");
        let mut errs = Vec::new();
        assert_eq!(
            amount(
                "amount",
                None,
                Some(&"12.500,50".into()),
                usd,
                true,
                &mut errs
            ),
            1_250_050
        );
        assert_eq!(amount("amount", Some(-1), None, usd, true, &mut errs), 0);
        assert_eq!(errs[0].code, "negative_amount");
    }
}
