//! Enterprises founded or owned by people abroad (*doanh nghiệp*, issue 22
//! §2): name, registration number, owners linked to registry people, sector
//! by VSIC code, address and the country of the parent company.
//!
//! The province records and changes them all; a mission those whose parent
//! is in its countries; other officers and leadership read them (public
//! business information), owners shown by name only to those who may see
//! the person. Every change is audited and kept as a version; a change made
//! against an old version is refused.

use db::{Row, WriteTx};
use serde::{Deserialize, Serialize};

use super::investment::Change;
use super::investment::{
    self, MAX_LONG, MAX_MEDIUM, MAX_SHORT, VersionRow, enterprise_scope, text_ok, trimmed,
};
use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, FieldError, clock};

/// What a caller submits for an enterprise. Unknown fields are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseInput {
    /// Name (as registered).
    pub name: Option<String>,
    /// Name in English.
    pub name_en: Option<String>,
    /// Enterprise registration number (mã số doanh nghiệp).
    pub registration_no: Option<String>,
    /// Sector: a VSIC 2018 section letter (`C`), a two-digit division (`10`) or its name.
    pub sector: Option<String>,
    pub address: Option<String>,
    /// Country of the parent company, ISO 3166 alpha-2 or its name.
    pub parent_country: Option<String>,
    pub notes: Option<String>,
    /// The owners: registry people the caller may see (replaces the list).
    pub owner_ids: Option<Vec<i64>>,
}

/// An owner of an enterprise.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Owner {
    pub person_id: i64,
    /// The person's name, empty when the caller may not see them.
    pub full_name: String,
    /// Whether the caller may open the person's record.
    pub person_visible: bool,
}

/// An enterprise with its owners.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Enterprise {
    pub id: i64,
    pub version: i64,
    pub name: String,
    pub name_en: String,
    pub registration_no: String,
    /// VSIC 2018 code.
    pub sector: String,
    pub address: String,
    pub parent_country: String,
    pub notes: String,
    pub created_at: String,
    pub updated_at: String,
    pub owners: Vec<Owner>,
}

/// The validated fields of an enterprise (its snapshot in the history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Data {
    name: String,
    name_en: String,
    registration_no: String,
    sector: String,
    address: String,
    parent_country: String,
    notes: String,
    owner_ids: Vec<i64>,
}

fn validate(input: &EnterpriseInput) -> Result<Data, Vec<FieldError>> {
    let mut errs = Vec::new();
    let name = trimmed(input.name.as_ref());
    if name.is_empty() {
        errs.push(FieldError::new("name", "required"));
    }
    let name_en = trimmed(input.name_en.as_ref());
    let registration_no = trimmed(input.registration_no.as_ref());
    let sector = investment::sector("sector", &trimmed(input.sector.as_ref()), &mut errs);
    let address = trimmed(input.address.as_ref());
    let parent_country = investment::country(
        "parent_country",
        &trimmed(input.parent_country.as_ref()),
        &mut errs,
    );
    let notes = trimmed(input.notes.as_ref());
    for (f, v, max) in [
        ("name", &name, MAX_SHORT),
        ("name_en", &name_en, MAX_SHORT),
        ("registration_no", &registration_no, MAX_SHORT),
        ("address", &address, MAX_MEDIUM),
        ("notes", &notes, MAX_LONG),
    ] {
        text_ok(f, v, max, &mut errs);
    }
    let mut owner_ids = input.owner_ids.clone().unwrap_or_default();
    owner_ids.sort_unstable();
    owner_ids.dedup();
    if errs.is_empty() {
        Ok(Data {
            name,
            name_en,
            registration_no,
            sector,
            address,
            parent_country,
            notes,
            owner_ids,
        })
    } else {
        Err(errs)
    }
}

const COLUMNS: &str = "e.id, e.version, e.name, e.name_en, e.registration_no, e.sector, \
    e.address, e.parent_country, e.notes, e.created_at, e.updated_at";

fn from_row(r: &db::AnyRow) -> Result<Enterprise, db::SqlxError> {
    Ok(Enterprise {
        id: r.try_get(0)?,
        version: r.try_get(1)?,
        name: r.try_get(2)?,
        name_en: r.try_get(3)?,
        registration_no: r.try_get(4)?,
        sector: r.try_get(5)?,
        address: r.try_get(6)?,
        parent_country: r.try_get(7)?,
        notes: r.try_get(8)?,
        created_at: r.try_get(9)?,
        updated_at: r.try_get(10)?,
        owners: Vec::new(),
    })
}

fn to_data(e: &Enterprise) -> Data {
    Data {
        name: e.name.clone(),
        name_en: e.name_en.clone(),
        registration_no: e.registration_no.clone(),
        sector: e.sector.clone(),
        address: e.address.clone(),
        parent_country: e.parent_country.clone(),
        notes: e.notes.clone(),
        owner_ids: e.owners.iter().map(|o| o.person_id).collect(),
    }
}

/// The input that would store `e` as it is (the base of a merge patch).
pub fn to_input(e: &Enterprise) -> EnterpriseInput {
    let s = |v: &str| Some(v.to_owned());
    EnterpriseInput {
        name: s(&e.name),
        name_en: s(&e.name_en),
        registration_no: s(&e.registration_no),
        sector: s(&e.sector),
        address: s(&e.address),
        parent_country: s(&e.parent_country),
        notes: s(&e.notes),
        owner_ids: Some(e.owners.iter().map(|o| o.person_id).collect()),
    }
}

/// The enterprise with its owners, when the actor reaches it.
pub(crate) async fn load(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: i64,
) -> AppResult<Enterprise> {
    let scope = enterprise_scope(actor, 2);
    let sql = format!(
        "SELECT {COLUMNS} FROM enterprises e WHERE e.id = $1 AND {}",
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
    let mut e = from_row(&row)?;
    let p = access::person_scope(actor, 2);
    let sql = format!(
        "SELECT o.person_id, p.full_name, CAST(CASE WHEN {} THEN 1 ELSE 0 END AS BIGINT) \
         FROM enterprise_owners o JOIN persons p ON p.id = o.person_id \
         WHERE o.enterprise_id = $1 AND p.deleted_at IS NULL ORDER BY o.person_id",
        p.sql
    );
    let mut q = sqlx::query(&sql).bind(id);
    for a in &p.args {
        q = q.bind(a);
    }
    e.owners = q
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let visible = r.try_get::<i64, _>(2)? == 1;
            Ok(Owner {
                person_id: r.try_get(0)?,
                full_name: if visible {
                    r.try_get(1)?
                } else {
                    String::new()
                },
                person_visible: visible,
            })
        })
        .collect::<Result<Vec<_>, db::SqlxError>>()?;
    Ok(e)
}

/// Reads one enterprise (its owners are personal data: the view is audited).
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<Enterprise> {
    access::authorize(actor, Action::InvestmentRead)?;
    let mut tx = app.db.begin_write().await?;
    let e = load(&mut tx.tx, actor, id).await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("enterprise.view", "enterprise", &id),
    )
    .await?;
    tx.commit().await?;
    Ok(e)
}

/// True when the actor may record and change enterprises (those it reaches).
pub fn may_edit(actor: &Actor) -> bool {
    access::authorize(actor, Action::EnterpriseEdit).is_ok()
}

/// An enterprise as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnterpriseRow {
    pub id: i64,
    pub version: i64,
    pub name: String,
    pub name_en: String,
    pub registration_no: String,
    pub sector: String,
    pub parent_country: String,
    /// Projects it invests in.
    pub projects: i64,
}

/// Filters of the list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Words of the name or registration number, with or without marks.
    pub q: String,
    /// Country of the parent, by code or name.
    pub country: String,
    /// Sector by code or name (a section takes its divisions).
    pub sector: String,
}

/// The enterprises the actor reaches that match the filter, by name.
pub async fn list(app: &App, actor: &Actor, f: &ListFilter) -> AppResult<Vec<EnterpriseRow>> {
    access::authorize(actor, Action::InvestmentRead)?;
    let mut errs = Vec::new();
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<String> = Vec::new();
    if !f.country.trim().is_empty() {
        let c = investment::country("country", f.country.trim(), &mut errs);
        args.push(c);
        conds.push(format!("e.parent_country = ${}", args.len()));
    }
    let mut section = String::new();
    if !f.sector.trim().is_empty() {
        section = investment::sector("sector", f.sector.trim(), &mut errs);
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let scope = enterprise_scope(actor, args.len() + 1);
    conds.push(scope.sql);
    args.extend(scope.args);
    let sql = format!(
        "SELECT e.id, e.version, e.name, e.name_en, e.registration_no, e.sector, e.parent_country, \
         (SELECT COUNT(*) FROM project_investors pi WHERE pi.enterprise_id = e.id) \
         FROM enterprises e WHERE {}",
        conds.join(" AND ")
    );
    let mut q = sqlx::query(&sql);
    for a in &args {
        q = q.bind(a);
    }
    let words: Vec<String> = domain::text::fold(&f.q)
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let mut out = Vec::new();
    for r in q.fetch_all(&app.db.pool).await? {
        let row = EnterpriseRow {
            id: r.try_get(0)?,
            version: r.try_get(1)?,
            name: r.try_get(2)?,
            name_en: r.try_get(3)?,
            registration_no: r.try_get(4)?,
            sector: r.try_get(5)?,
            parent_country: r.try_get(6)?,
            projects: r.try_get(7)?,
        };
        if !section.is_empty() && !in_sector(&row.sector, &section) {
            continue;
        }
        let hay = domain::text::fold(&format!(
            "{} {} {}",
            row.name, row.name_en, row.registration_no
        ));
        if !words.iter().all(|w| hay.contains(w.as_str())) {
            continue;
        }
        out.push(row);
    }
    out.sort_by_cached_key(|r| (domain::text::fold(&r.name), r.id));
    Ok(out)
}

/// Whether `code` is `wanted` or one of its divisions (when `wanted` is a section).
pub(crate) fn in_sector(code: &str, wanted: &str) -> bool {
    code == wanted
        || (wanted.len() == 1 && domain::sectors::sector(code).is_some_and(|s| s.section == wanted))
}

/// Checks the owners are people the actor may see.
async fn check_owners(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    owners: &[i64],
) -> AppResult<()> {
    for p in owners {
        if !investment::person_visible(conn, actor, *p).await? {
            return Err(AppError::invalid_field("owner_ids", "unknown_person"));
        }
    }
    Ok(())
}

async fn set_owners(tx: &mut WriteTx, id: i64, owners: &[i64], now: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM enterprise_owners WHERE enterprise_id = $1")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    for p in owners {
        sqlx::query(
            "INSERT INTO enterprise_owners (enterprise_id, person_id, added_at) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(p)
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    }
    Ok(())
}

/// Records a new enterprise (a mission: of its countries).
pub async fn create(app: &App, actor: &Actor, input: &EnterpriseInput) -> AppResult<Enterprise> {
    let mut tx = app.db.begin_write().await?;
    let id = create_in(&mut tx, app, actor, input).await?;
    let e = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(e)
}

/// Checks an enterprise's fields as [`create`] would (its owners apart).
pub(crate) fn check(input: &EnterpriseInput) -> Result<(), Vec<FieldError>> {
    validate(input).map(|_| ())
}

/// [`create`] within the caller's transaction (a received exchange file
/// writes every record or none): the new record's id.
pub(crate) async fn create_in(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    input: &EnterpriseInput,
) -> AppResult<i64> {
    access::authorize(actor, Action::EnterpriseEdit)?;
    let d = validate(input).map_err(AppError::Invalid)?;
    if !investment::country_allowed(actor, &d.parent_country) {
        return Err(AppError::invalid_field(
            "parent_country",
            "out_of_jurisdiction",
        ));
    }
    let now = clock::now();
    check_owners(&mut tx.tx, actor, &d.owner_ids).await?;
    let id: i64 = sqlx::query(
        "INSERT INTO enterprises (name, name_en, registration_no, sector, address, parent_country, \
         notes, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9) \
         RETURNING id",
    )
    .bind(&d.name)
    .bind(&d.name_en)
    .bind(&d.registration_no)
    .bind(&d.sector)
    .bind(&d.address)
    .bind(&d.parent_country)
    .bind(&d.notes)
    .bind(&now)
    .bind(&now)
    .fetch_one(&mut *tx.tx)
    .await?
    .try_get(0)?;
    set_owners(tx, id, &d.owner_ids, &now).await?;
    investment::keep_version(tx, actor, "enterprise", id, 1, "created", &d).await?;
    audit::append(
        tx,
        app,
        actor,
        Event::new("enterprise.create", "enterprise", &id),
    )
    .await?;
    Ok(id)
}

/// Replaces an enterprise's fields when `expected_version` is still current.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    input: &EnterpriseInput,
) -> AppResult<Enterprise> {
    write_fields(app, actor, id, expected_version, input, Change::Edit).await
}

/// Restores the fields of version `version` from the history as a new
/// version (when `expected_version` is still current), checked and audited
/// as an update; nothing is written when they are the fields of today.
pub async fn restore_version(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    version: i64,
) -> AppResult<Enterprise> {
    access::authorize(actor, Action::EnterpriseEdit)?;
    let mut conn = app.db.pool.acquire().await?;
    let current = load(&mut conn, actor, id).await?;
    let snapshot = investment::snapshot(&mut conn, "enterprise", id, version).await?;
    drop(conn);
    let input = investment::restored_input(&to_input(&current), &snapshot, &[])?;
    write_fields(
        app,
        actor,
        id,
        expected_version,
        &input,
        Change::Restore(version),
    )
    .await
}

/// Writes an edit or a restore of the fields.
async fn write_fields(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    input: &EnterpriseInput,
    change: Change,
) -> AppResult<Enterprise> {
    access::authorize(actor, Action::EnterpriseEdit)?;
    let mut tx = app.db.begin_write().await?;
    let current = load(&mut tx.tx, actor, id).await?;
    if !crate::registry::version_matches(expected_version, current.version) {
        return Err(AppError::PreconditionFailed {
            current_version: current.version,
        });
    }
    write_fields_in(&mut tx, app, actor, &current, input, change).await?;
    let e = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(e)
}

/// Replaces the fields of enterprise `id` within the caller's transaction
/// (a received exchange file), checked and audited as [`update`].
pub(crate) async fn update_in(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    id: i64,
    input: &EnterpriseInput,
) -> AppResult<()> {
    access::authorize(actor, Action::EnterpriseEdit)?;
    let current = load(&mut tx.tx, actor, id).await?;
    write_fields_in(tx, app, actor, &current, input, Change::Edit).await
}

/// The enterprise as the actor reaches it, within a transaction.
pub(crate) async fn load_in(tx: &mut WriteTx, actor: &Actor, id: i64) -> AppResult<Enterprise> {
    load(&mut tx.tx, actor, id).await
}

/// Writes the fields of `current` (the version read in this transaction).
async fn write_fields_in(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    current: &Enterprise,
    input: &EnterpriseInput,
    change: Change,
) -> AppResult<()> {
    let id = current.id;
    let mut d = validate(input).map_err(AppError::Invalid)?;
    if !investment::country_allowed(actor, &d.parent_country) {
        return Err(AppError::invalid_field(
            "parent_country",
            "out_of_jurisdiction",
        ));
    }
    // Owners the caller may not see stay as they are.
    let hidden: Vec<i64> = current
        .owners
        .iter()
        .filter(|o| !o.person_visible)
        .map(|o| o.person_id)
        .collect();
    let wanted: Vec<i64> = d
        .owner_ids
        .iter()
        .copied()
        .filter(|p| !hidden.contains(p))
        .collect();
    check_owners(&mut tx.tx, actor, &wanted).await?;
    d.owner_ids = wanted;
    d.owner_ids.extend(hidden);
    d.owner_ids.sort_unstable();
    let before = to_data(current);
    let changed = investment::changed_fields(&before, &d);
    if changed.is_empty() {
        return Ok(());
    }
    let now = clock::now();
    let done = sqlx::query(
        "UPDATE enterprises SET name = $1, name_en = $2, registration_no = $3, sector = $4, \
         address = $5, parent_country = $6, notes = $7, version = version + 1, updated_at = $8 \
         WHERE id = $9 AND version = $10",
    )
    .bind(&d.name)
    .bind(&d.name_en)
    .bind(&d.registration_no)
    .bind(&d.sector)
    .bind(&d.address)
    .bind(&d.parent_country)
    .bind(&d.notes)
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
    set_owners(tx, id, &d.owner_ids, &now).await?;
    let changed = changed.join(", ");
    investment::keep_version(
        tx,
        actor,
        "enterprise",
        id,
        current.version + 1,
        &change.summary(&changed),
        &d,
    )
    .await?;
    audit::append(
        tx,
        app,
        actor,
        Event::new(
            change.action("enterprise.update", "enterprise.restore"),
            "enterprise",
            &id,
        )
        .with(serde_json::json!({"version": current.version + 1, "changed": changed})),
    )
    .await
}

/// Applies a JSON merge patch (RFC 7396) to an enterprise.
pub async fn patch(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    patch: &serde_json::Value,
) -> AppResult<Enterprise> {
    access::authorize(actor, Action::EnterpriseEdit)?;
    let mut conn = app.db.pool.acquire().await?;
    let current = load(&mut conn, actor, id).await?;
    drop(conn);
    let input: EnterpriseInput = merged_input(&to_input(&current), patch)?;
    update(app, actor, id, expected_version, &input).await
}

/// `base` with a merge patch applied, read back as an input (422 naming the field).
pub(crate) fn merged_input<T: Serialize + serde::de::DeserializeOwned>(
    base: &T,
    patch: &serde_json::Value,
) -> AppResult<T> {
    let mut doc = serde_json::to_value(base).map_err(anyhow::Error::from)?;
    crate::registry::people::merge_patch(&mut doc, patch);
    if let Some(o) = doc.as_object_mut() {
        o.retain(|_, v| !v.is_null());
    }
    serde_json::from_value(doc).map_err(|e| {
        let msg = e.to_string();
        let field = msg.split('`').nth(1).unwrap_or("body").to_owned();
        let code = if msg.starts_with("unknown field") {
            "unknown_field"
        } else {
            "invalid_value"
        };
        AppError::Invalid(vec![FieldError::new(field, code)])
    })
}

/// The history of an enterprise, newest first.
pub async fn history(app: &App, actor: &Actor, id: i64) -> AppResult<Vec<VersionRow>> {
    access::authorize(actor, Action::InvestmentRead)?;
    let mut conn = app.db.pool.acquire().await?;
    load(&mut conn, actor, id).await?;
    investment::versions(&mut conn, "enterprise", id).await
}

/// Enterprises the actor reaches whose name holds the words typed (the
/// investor and donor pickers): `(id, name)`.
pub async fn pick(app: &App, actor: &Actor, q: &str) -> AppResult<Vec<(i64, String)>> {
    let f = ListFilter {
        q: q.to_owned(),
        ..ListFilter::default()
    };
    if q.trim().is_empty() {
        return Ok(Vec::new());
    }
    Ok(list(app, actor, &f)
        .await?
        .into_iter()
        .take(20)
        .map(|r| (r.id, r.name))
        .collect())
}
