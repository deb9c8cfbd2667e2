//! Households at home (*hộ gia đình*); the relatives in them (*thân nhân*)
//! are in [`super::relatives`].
//!
//! A household lives in one commune; it may hold relatives of several people
//! abroad, and one person abroad may have relatives in several households.
//! A household is visible to an actor whose communes include its commune
//! (the province sees all); actors whose jurisdiction is not communes
//! (missions, associations, agencies) see the households holding relatives of
//! the people they may see. Outside that, a household answers as not found.

use db::{Row, WriteTx};
use domain::geo;
use serde::{Deserialize, Serialize};

use super::people::{merge_patch, normalize_phone};
use crate::access::{self, Action, ScopeFilter};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, FieldError, Jurisdiction, clock};

/// Longest head name, address or relative name.
pub(super) const MAX_SHORT: usize = 200;
/// Longest notes.
pub(super) const MAX_LONG: usize = 4000;

/// The households (aliased `h`) the actor may see, as SQL; placeholders from `first`.
///
/// Built from [`access::person_scope`] and the actor's jurisdiction; it
/// belongs with the other scopes in `access` (to move there with its owner).
pub fn household_scope(actor: &Actor, first: usize) -> ScopeFilter {
    match &actor.jurisdiction {
        Jurisdiction::Province => ScopeFilter {
            sql: "1 = 1".to_owned(),
            args: Vec::new(),
        },
        Jurisdiction::Communes {
            new_communes,
            legacy_communes,
            legacy_districts,
        } => {
            let mut args: Vec<String> = Vec::new();
            let mut list = |codes: &[String]| -> String {
                if codes.is_empty() {
                    return "NULL".to_owned();
                }
                codes
                    .iter()
                    .map(|c| {
                        args.push(c.clone());
                        format!("${}", first + args.len() - 1)
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let a = list(new_communes);
            let b = list(legacy_communes);
            let c = list(legacy_districts);
            ScopeFilter {
                sql: format!(
                    "(h.new_commune_code IN ({a}) OR h.legacy_commune_code IN ({b}) \
                     OR h.legacy_district_code IN ({c}))"
                ),
                args,
            }
        }
        _ => {
            let p = access::person_scope(actor, first);
            ScopeFilter {
                sql: format!(
                    "h.id IN (SELECT r.household_id FROM relatives r JOIN persons p \
                     ON p.id = r.person_id WHERE r.deleted_at IS NULL AND p.deleted_at IS NULL \
                     AND {})",
                    p.sql
                ),
                args: p.args,
            }
        }
    }
}

/// What a caller submits for a household. Unknown fields are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HouseholdInput {
    pub head_name: Option<String>,
    pub address: Option<String>,
    /// New (post-2025) commune code.
    pub commune_code: Option<String>,
    /// Legacy (pre-2025) commune code.
    pub legacy_commune_code: Option<String>,
    pub phone: Option<String>,
    /// Ignored on input (the version is given by `If-Match`).
    pub version: Option<i64>,
}

/// A relative at home as listed in a household.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HouseholdMember {
    /// The relative's id.
    pub id: i64,
    /// The person abroad this relative is related to.
    pub person_id: i64,
    pub person_name: String,
    pub full_name: String,
    pub relationship: String,
    pub birth_year: Option<i64>,
}

/// A household with its relatives (only those of people the actor may see).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Household {
    pub id: i64,
    pub version: i64,
    pub head_name: String,
    pub address: String,
    pub commune_code: Option<String>,
    pub legacy_commune_code: Option<String>,
    pub legacy_district_code: Option<String>,
    pub phone: String,
    pub created_at: String,
    pub updated_at: String,
    pub relatives: Vec<HouseholdMember>,
}

/// A household's validated fields.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HouseholdData {
    head_name: String,
    address: String,
    commune_code: Option<String>,
    legacy_commune_code: Option<String>,
    legacy_district_code: Option<String>,
    phone: String,
}

pub(super) fn trimmed(v: Option<&String>) -> String {
    v.map(|s| s.trim().to_owned()).unwrap_or_default()
}

pub(super) fn text_ok(v: &str, max: usize) -> Option<&'static str> {
    if domain::text::has_forbidden_control(v) || (max <= MAX_SHORT && v.contains('\n')) {
        Some("control_chars")
    } else if v.chars().count() > max {
        Some("too_long")
    } else {
        None
    }
}

fn validate(input: &HouseholdInput) -> Result<HouseholdData, Vec<FieldError>> {
    let mut errs = Vec::new();
    let head_name = trimmed(input.head_name.as_ref());
    if head_name.is_empty() {
        errs.push(FieldError::new("head_name", "required"));
    }
    let address = trimmed(input.address.as_ref());
    for (f, v) in [("head_name", &head_name), ("address", &address)] {
        if let Some(code) = text_ok(v, MAX_SHORT) {
            errs.push(FieldError::new(f, code));
        }
    }
    // Codes, the labels the pickers offered, or the communes' names.
    let mut commune = |field: &'static str, typed: &str| -> Option<String> {
        let typed = typed.trim();
        if typed.is_empty() {
            return None;
        }
        match super::values::filter_code(field, typed, Some("42")) {
            Ok(code) => Some(code),
            Err(e) => {
                errs.push(e);
                Some(typed.to_owned())
            }
        }
    };
    let commune_code = commune("commune_code", &trimmed(input.commune_code.as_ref()));
    let legacy_commune_code = commune(
        "legacy_commune_code",
        &trimmed(input.legacy_commune_code.as_ref()),
    );
    if commune_code.is_none() && legacy_commune_code.is_none() {
        errs.push(FieldError::new("commune_code", "required"));
    }
    let legacy = legacy_commune_code.as_deref().map(geo::legacy_commune);
    let legacy_district_code = legacy.flatten().map(|c| c.district_code.to_owned());
    let phone = normalize_phone(&trimmed(input.phone.as_ref())).unwrap_or_else(|code| {
        errs.push(FieldError::new("phone", code));
        String::new()
    });
    if errs.is_empty() {
        Ok(HouseholdData {
            head_name,
            address,
            commune_code,
            legacy_commune_code,
            legacy_district_code,
            phone,
        })
    } else {
        Err(errs)
    }
}

/// Checks a household's fields without writing (a received exchange file
/// is checked line by line before anyone decides).
pub(crate) fn check(input: &HouseholdInput) -> Result<(), Vec<FieldError>> {
    validate(input).map(|_| ())
}

/// True when an actor whose jurisdiction is communes may hold a household there.
fn within_jurisdiction(actor: &Actor, d: &HouseholdData) -> bool {
    match &actor.jurisdiction {
        Jurisdiction::Province => true,
        Jurisdiction::Communes {
            new_communes,
            legacy_communes,
            legacy_districts,
        } => {
            d.commune_code
                .as_ref()
                .is_some_and(|c| new_communes.contains(c))
                || d.legacy_commune_code
                    .as_ref()
                    .is_some_and(|c| legacy_communes.contains(c))
                || d.legacy_district_code
                    .as_ref()
                    .is_some_and(|c| legacy_districts.contains(c))
        }
        // Others may not open households of their own: theirs are reached through people.
        _ => false,
    }
}

fn out_of_jurisdiction() -> AppError {
    AppError::Invalid(vec![FieldError::new("commune_code", "out_of_jurisdiction")])
}

const COLUMNS: &str = "h.id, h.version, h.head_name, h.address, h.new_commune_code, \
    h.legacy_commune_code, h.legacy_district_code, h.phone, h.created_at, h.updated_at";

fn from_row(r: &db::AnyRow) -> Result<Household, db::SqlxError> {
    Ok(Household {
        id: r.try_get(0)?,
        version: r.try_get(1)?,
        head_name: r.try_get(2)?,
        address: r.try_get(3)?,
        commune_code: r.try_get(4)?,
        legacy_commune_code: r.try_get(5)?,
        legacy_district_code: r.try_get(6)?,
        phone: r.try_get(7)?,
        created_at: r.try_get(8)?,
        updated_at: r.try_get(9)?,
        relatives: Vec::new(),
    })
}

/// True when the household exists, is live and is visible to the actor.
pub(crate) async fn visible(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: i64,
) -> AppResult<bool> {
    let scope = household_scope(actor, 2);
    let sql = format!(
        "SELECT COUNT(*) FROM households h WHERE h.id = $1 AND h.deleted_at IS NULL AND {}",
        scope.sql
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(id);
    for a in &scope.args {
        q = q.bind(a);
    }
    Ok(q.fetch_one(&mut *conn).await? > 0)
}

/// Loads a household the actor may see, with the relatives of people the actor may see.
async fn load(conn: &mut sqlx::AnyConnection, actor: &Actor, id: i64) -> AppResult<Household> {
    let scope = household_scope(actor, 2);
    let sql = format!(
        "SELECT {COLUMNS} FROM households h WHERE h.id = $1 AND h.deleted_at IS NULL AND {}",
        scope.sql
    );
    let mut q = sqlx::query(&sql).bind(id);
    for a in &scope.args {
        q = q.bind(a);
    }
    let row = q
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut h = from_row(&row)?;
    let pscope = access::person_scope(actor, 2);
    let sql = format!(
        "SELECT r.id, r.person_id, p.full_name, r.full_name, r.relationship, r.birth_year \
         FROM relatives r JOIN persons p ON p.id = r.person_id \
         WHERE r.household_id = $1 AND r.deleted_at IS NULL AND p.deleted_at IS NULL AND {} \
         ORDER BY r.id",
        pscope.sql
    );
    let mut q = sqlx::query(&sql).bind(id);
    for a in &pscope.args {
        q = q.bind(a);
    }
    h.relatives = q
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(HouseholdMember {
                id: r.try_get(0)?,
                person_id: r.try_get(1)?,
                person_name: r.try_get(2)?,
                full_name: r.try_get(3)?,
                relationship: r.try_get(4)?,
                birth_year: r.try_get(5)?,
            })
        })
        .collect::<Result<Vec<_>, db::SqlxError>>()?;
    Ok(h)
}

/// Reads one household with its relatives; the view is audited.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<Household> {
    access::authorize(actor, Action::PersonRead)?;
    let mut tx = app.db.begin_write().await?;
    let h = load(&mut tx.tx, actor, id).await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("household.view", "household", &id),
    )
    .await?;
    tx.commit().await?;
    Ok(h)
}

/// Opens a household in a commune of the actor's jurisdiction (201 with the record).
pub async fn create(app: &App, actor: &Actor, input: &HouseholdInput) -> AppResult<Household> {
    let mut tx = app.db.begin_write().await?;
    let id = create_in(&mut tx, app, actor, input).await?;
    let h = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(h)
}

/// [`create`] within the caller's transaction (a received exchange file
/// is accepted whole or not at all): the new household's id.
pub(crate) async fn create_in(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    input: &HouseholdInput,
) -> AppResult<i64> {
    access::authorize(actor, Action::PersonCreate)?;
    let d = validate(input).map_err(AppError::Invalid)?;
    if !within_jurisdiction(actor, &d) {
        return Err(out_of_jurisdiction());
    }
    let now = clock::now();
    let id: i64 = sqlx::query(
        "INSERT INTO households (head_name, address, new_commune_code, legacy_commune_code, \
         legacy_district_code, phone, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8) RETURNING id",
    )
    .bind(&d.head_name)
    .bind(&d.address)
    .bind(d.commune_code.clone())
    .bind(d.legacy_commune_code.clone())
    .bind(d.legacy_district_code.clone())
    .bind(&d.phone)
    .bind(&now)
    .bind(&now)
    .fetch_one(&mut *tx.tx)
    .await?
    .try_get(0)?;
    audit::append(
        tx,
        app,
        actor,
        Event::new("household.create", "household", &id),
    )
    .await?;
    Ok(id)
}

fn to_input(h: &Household) -> HouseholdInput {
    HouseholdInput {
        head_name: Some(h.head_name.clone()),
        address: Some(h.address.clone()),
        commune_code: h.commune_code.clone(),
        legacy_commune_code: h.legacy_commune_code.clone(),
        phone: Some(h.phone.clone()),
        version: None,
    }
}

/// Replaces a household's fields when `expected_version` is still current.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    input: &HouseholdInput,
) -> AppResult<Household> {
    access::authorize(actor, Action::PersonUpdate)?;
    let mut tx = app.db.begin_write().await?;
    let current = load(&mut tx.tx, actor, id).await?;
    if !crate::registry::version_matches(expected_version, current.version) {
        return Err(AppError::PreconditionFailed {
            current_version: current.version,
        });
    }
    update_in(&mut tx, app, actor, &current, input).await?;
    let h = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(h)
}

/// Validates and writes a new version of `current` (a household the actor
/// may see, as loaded), inside the caller's transaction.
pub(crate) async fn update_in(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    current: &Household,
    input: &HouseholdInput,
) -> AppResult<()> {
    access::authorize(actor, Action::PersonUpdate)?;
    let id = current.id;
    let d = validate(input).map_err(AppError::Invalid)?;
    // A commune officer keeps a household within their communes; other
    // non-province actors edit what they can see but may not move it.
    let moved = d.commune_code != current.commune_code
        || d.legacy_commune_code != current.legacy_commune_code;
    let allowed = match actor.jurisdiction {
        Jurisdiction::Province => true,
        Jurisdiction::Communes { .. } => within_jurisdiction(actor, &d),
        _ => !moved,
    };
    if !allowed {
        return Err(out_of_jurisdiction());
    }
    let now = clock::now();
    let done = sqlx::query(
        "UPDATE households SET head_name = $1, address = $2, new_commune_code = $3, \
         legacy_commune_code = $4, legacy_district_code = $5, phone = $6, \
         version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9",
    )
    .bind(&d.head_name)
    .bind(&d.address)
    .bind(d.commune_code.clone())
    .bind(d.legacy_commune_code.clone())
    .bind(d.legacy_district_code.clone())
    .bind(&d.phone)
    .bind(&now)
    .bind(id)
    .bind(current.version)
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::PreconditionFailed {
            current_version: current.version,
        });
    }
    let before = to_input(current);
    let after = HouseholdInput {
        head_name: Some(d.head_name.clone()),
        address: Some(d.address.clone()),
        commune_code: d.commune_code.clone(),
        legacy_commune_code: d.legacy_commune_code.clone(),
        phone: Some(d.phone.clone()),
        version: None,
    };
    let changed = changed_fields(&before, &after);
    audit::append(
        tx,
        app,
        actor,
        Event::new("household.update", "household", &id)
            .with(serde_json::json!({"version": current.version + 1, "changed": changed})),
    )
    .await
}

/// A household the actor may see, read inside the caller's transaction.
pub(crate) async fn load_in(tx: &mut WriteTx, actor: &Actor, id: i64) -> AppResult<Household> {
    load(&mut tx.tx, actor, id).await
}

fn changed_fields<T: Serialize>(a: &T, b: &T) -> Vec<String> {
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

/// Applies a JSON merge patch (RFC 7396) to a household.
pub async fn patch(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    patch: &serde_json::Value,
) -> AppResult<Household> {
    access::authorize(actor, Action::PersonUpdate)?;
    let mut conn = app.db.pool.acquire().await?;
    let current = load(&mut conn, actor, id).await?;
    drop(conn);
    let mut doc = serde_json::to_value(to_input(&current)).map_err(anyhow::Error::from)?;
    merge_patch(&mut doc, patch);
    if let Some(o) = doc.as_object_mut() {
        o.remove("version");
        o.retain(|_, v| !v.is_null());
    }
    let input: HouseholdInput = serde_json::from_value(doc).map_err(|e| {
        let msg = e.to_string();
        let field = msg.split('`').nth(1).unwrap_or("body").to_owned();
        AppError::Invalid(vec![FieldError::new(field, "unknown_field")])
    })?;
    update(app, actor, id, expected_version, &input).await
}

/// A household as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HouseholdRow {
    pub id: i64,
    pub head_name: String,
    pub address: String,
    pub commune_code: Option<String>,
    pub legacy_commune_code: Option<String>,
    pub version: i64,
    /// Live relatives in the household (of anyone).
    pub relatives: i64,
}

/// Households the actor may see whose head's name or address holds `text`
/// (without diacritics, any case), for the relative form's picker: those of
/// `commune` (a new or legacy commune code) when given, else the most
/// recent ones; a number finds that household.
pub async fn pick(
    app: &App,
    actor: &Actor,
    text: &str,
    commune: Option<&str>,
    limit: usize,
) -> AppResult<Vec<HouseholdRow>> {
    access::authorize(actor, Action::PersonList)?;
    let text = text.trim();
    if let Ok(id) = text.parse::<i64>() {
        let (rows, _) = list(app, actor, None, Some(id - 1), Some(1)).await?;
        return Ok(rows.into_iter().filter(|h| h.id == id).collect());
    }
    let wanted = domain::text::fold(text);
    if wanted.chars().count() < 2 {
        return Ok(Vec::new());
    }
    let commune = commune.map(str::trim).filter(|c| !c.is_empty());
    let first = if commune.is_some() { 2 } else { 1 };
    let scope = household_scope(actor, first);
    let commune_sql = if commune.is_some() {
        "AND (h.new_commune_code = $1 OR h.legacy_commune_code = $1) "
    } else {
        ""
    };
    // Bounded: a commune's households, or the latest 5,000 in scope.
    let sql = format!(
        "SELECT h.id, h.head_name, h.address, h.new_commune_code, h.legacy_commune_code, h.version, \
         (SELECT COUNT(*) FROM relatives r2 WHERE r2.household_id = h.id AND r2.deleted_at IS NULL) \
         FROM households h WHERE h.deleted_at IS NULL {commune_sql}AND {} \
         ORDER BY h.id DESC LIMIT 5000",
        scope.sql
    );
    let mut q = sqlx::query(&sql);
    if let Some(c) = commune {
        q = q.bind(c.to_owned());
    }
    for a in &scope.args {
        q = q.bind(a);
    }
    let rows = q.fetch_all(&app.db.pool).await?;
    let mut out = Vec::new();
    for r in &rows {
        let head_name: String = r.try_get(1)?;
        let address: String = r.try_get(2)?;
        if !domain::text::fold(&head_name).contains(&wanted)
            && !domain::text::fold(&address).contains(&wanted)
        {
            continue;
        }
        out.push(HouseholdRow {
            id: r.try_get(0)?,
            head_name,
            address,
            commune_code: r.try_get(3)?,
            legacy_commune_code: r.try_get(4)?,
            version: r.try_get(5)?,
            relatives: r.try_get(6)?,
        });
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

/// The household number a picker's label ends with ("… (hộ số 12)"), or a
/// bare number.
pub fn number_in_label(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Ok(n) = t.parse::<i64>() {
        return Some(n);
    }
    let inner = t.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let (words, number) = inner[open + 1..].trim().rsplit_once(' ')?;
    // The words the picker writes before the number, in either language.
    let words = domain::text::fold(words);
    if !matches!(words.as_str(), "ho so" | "household no." | "household no") {
        return None;
    }
    number.trim_start_matches('#').parse().ok()
}

/// Households the actor may see, by id after `after`, optionally in one commune.
pub async fn list(
    app: &App,
    actor: &Actor,
    commune: Option<&str>,
    after: Option<i64>,
    limit: Option<i64>,
) -> AppResult<(Vec<HouseholdRow>, Option<i64>)> {
    access::authorize(actor, Action::PersonList)?;
    let commune = commune.map(str::trim).filter(|c| !c.is_empty());
    let first = if commune.is_some() { 3 } else { 2 };
    let scope = household_scope(actor, first);
    let limit = limit.unwrap_or(50).clamp(1, 500);
    let commune_sql = if commune.is_some() {
        "AND (h.new_commune_code = $2 OR h.legacy_commune_code = $2) "
    } else {
        ""
    };
    let sql = format!(
        "SELECT h.id, h.head_name, h.address, h.new_commune_code, h.legacy_commune_code, h.version, \
         (SELECT COUNT(*) FROM relatives r2 WHERE r2.household_id = h.id AND r2.deleted_at IS NULL) \
         FROM households h WHERE h.deleted_at IS NULL AND h.id > $1 {commune_sql}AND {} \
         ORDER BY h.id LIMIT {}",
        scope.sql,
        limit + 1
    );
    let mut q = sqlx::query(&sql).bind(after.unwrap_or(0));
    if let Some(c) = commune {
        q = q.bind(c.to_owned());
    }
    for a in &scope.args {
        q = q.bind(a);
    }
    let rows = q.fetch_all(&app.db.pool).await?;
    let mut items = rows
        .iter()
        .map(|r| {
            Ok(HouseholdRow {
                id: r.try_get(0)?,
                head_name: r.try_get(1)?,
                address: r.try_get(2)?,
                commune_code: r.try_get(3)?,
                legacy_commune_code: r.try_get(4)?,
                version: r.try_get(5)?,
                relatives: r.try_get(6)?,
            })
        })
        .collect::<Result<Vec<_>, db::SqlxError>>()?;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    let next = if more {
        items.last().map(|h| h.id)
    } else {
        None
    };
    Ok((items, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_household_picked_by_its_label_or_number() {
        assert_eq!(
            number_in_label("Nguyễn Văn An — Thôn 3, Xã Lộc Hà (hộ số 12)"),
            Some(12)
        );
        assert_eq!(number_in_label(" 7 "), Some(7));
        assert_eq!(number_in_label("An — Thôn 3 (household no. 31)"), Some(31));
        assert_eq!(number_in_label("Nguyễn Văn An"), None);
        assert_eq!(number_in_label("An (Thôn 3)"), None);
    }

    #[test]
    fn a_household_needs_a_head_and_a_known_commune() {
        let errs = validate(&HouseholdInput {
            commune_code: Some("99999".into()),
            phone: Some("call me".into()),
            ..HouseholdInput::default()
        })
        .unwrap_err();
        for f in ["head_name", "commune_code", "phone"] {
            assert!(errs.iter().any(|e| e.field == f), "{f}: {errs:?}");
        }
    }

    #[test]
    fn commune_scope_numbers_placeholders_from_first() {
        let a = Actor {
            user_id: Some(1),
            username: "t".into(),
            role: domain::Role::CommuneOfficer,
            jurisdiction: Jurisdiction::Communes {
                new_communes: vec!["1".into(), "2".into()],
                legacy_communes: vec![],
                legacy_districts: vec!["3".into()],
            },
            ip: String::new(),
            token_scopes: None,
        };
        let s = household_scope(&a, 4);
        assert_eq!(s.args, vec!["1", "2", "3"]);
        assert!(s.sql.contains("$4, $5") && s.sql.contains("$6") && !s.sql.contains("$7"));
    }
}
