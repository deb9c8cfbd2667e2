//! Contributions of people abroad to their home province (*đóng góp*,
//! issue 22 §3): charity, scholarships, disaster relief, infrastructure
//! such as schools and bridges. The donor is a registry person, an
//! association or an enterprise; the amount is kept in integer minor units
//! of its currency, with its value in đồng at the rate the officer entered
//! for that day (no rate is fetched from outside). Remittances (*kiều
//! hối*) are numbers per person and year, so that they can be summed.
//!
//! The province records and reads all contributions; a commune officer
//! those given to their communes; a mission those of donors from its
//! countries. Remittances are sensitive personal data (Decree 356/2025):
//! read and written by the roles that may reveal a person's sensitive
//! fields, within their jurisdiction. Every change is audited; contributions
//! keep a version per change.

use db::{Row, WriteTx};
use serde::{Deserialize, Serialize};

use super::investment::Change;
use super::investment::{
    self, MAX_LONG, MAX_SHORT, VersionRow, contribution_scope, text_ok, trimmed,
};
use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, FieldError, clock};

/// Purposes (labels `code.contribution_purpose.*`).
pub const PURPOSES: &[&str] = &[
    "charity",
    "scholarship",
    "disaster_relief",
    "infrastructure",
    "healthcare",
    "other",
];

/// Kinds of donor (labels `code.donor_kind.*`).
pub const DONOR_KINDS: &[&str] = &["person", "association", "enterprise"];

/// What a caller submits for a contribution. Unknown fields are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContributionInput {
    /// `person`, `association` or `enterprise`.
    pub donor_kind: Option<String>,
    /// The donor, for `person`: a registry person the caller may see.
    pub donor_person_id: Option<i64>,
    /// The donor, for `association`: an association the caller reaches.
    pub donor_association_id: Option<i64>,
    /// The donor, for `enterprise`: an enterprise the caller reaches.
    pub donor_enterprise_id: Option<i64>,
    /// Amount in integer minor units of `currency` (cents for USD), not negative.
    pub amount: Option<i64>,
    /// ISO 4217 currency code.
    pub currency: Option<String>,
    /// Đồng for one unit of `currency` on that day, as decimal text ("25400"); not needed for VND.
    pub rate_to_vnd: Option<String>,
    /// `charity`, `scholarship`, `disaster_relief`, `infrastructure`, `healthcare` or `other`.
    pub purpose: Option<String>,
    /// The beneficiary commune (new commune by code, label or name).
    pub commune: Option<String>,
    /// The day (`12/02/2026` or `2026-02-12`).
    pub contributed_on: Option<String>,
    /// What was given in kind (books, a bridge...), if anything.
    pub in_kind: Option<String>,
    pub notes: Option<String>,
    /// Forms only: the amount as typed ("12.500,50").
    #[serde(skip)]
    pub amount_text: Option<String>,
}

/// A contribution.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Contribution {
    pub id: i64,
    pub version: i64,
    pub donor_kind: String,
    pub donor_person_id: Option<i64>,
    pub donor_association_id: Option<i64>,
    pub donor_enterprise_id: Option<i64>,
    /// The donor's name (empty for a person the caller may not see).
    pub donor_name: String,
    /// The donor's country, ISO alpha-2 ("" when unknown).
    pub donor_country: String,
    /// Minor units of `currency`.
    pub amount: i64,
    pub currency: String,
    pub rate_to_vnd: String,
    /// The amount in đồng at `rate_to_vnd`.
    pub vnd_value: i64,
    pub purpose: String,
    pub commune_code: String,
    pub contributed_on: String,
    pub in_kind: String,
    pub notes: String,
    pub created_at: String,
    pub updated_at: String,
}

/// The validated fields (the snapshot in the history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Data {
    donor_kind: String,
    donor_person_id: Option<i64>,
    donor_association_id: Option<i64>,
    donor_enterprise_id: Option<i64>,
    amount: i64,
    currency: String,
    rate_to_vnd: String,
    purpose: String,
    commune_code: String,
    contributed_on: String,
    in_kind: String,
    notes: String,
}

fn validate(input: &ContributionInput, home: &str) -> Result<Data, Vec<FieldError>> {
    let mut errs = Vec::new();
    let donor_kind = trimmed(input.donor_kind.as_ref());
    investment::one_of("donor_kind", &donor_kind, DONOR_KINDS, &mut errs);
    let (mut dp, mut da, mut de) = (None, None, None);
    match donor_kind.as_str() {
        "person" => dp = input.donor_person_id,
        "association" => da = input.donor_association_id,
        "enterprise" => de = input.donor_enterprise_id,
        _ => {}
    }
    let missing = match donor_kind.as_str() {
        "person" if dp.is_none() => Some("donor_person_id"),
        "association" if da.is_none() => Some("donor_association_id"),
        "enterprise" if de.is_none() => Some("donor_enterprise_id"),
        _ => None,
    };
    if let Some(f) = missing {
        errs.push(FieldError::new(f, "required"));
    }
    let currency = investment::currency("currency", &trimmed(input.currency.as_ref()), &mut errs);
    let amount = investment::amount(
        "amount",
        input.amount,
        input.amount_text.as_ref(),
        currency,
        true,
        &mut errs,
    );
    let rate = investment::rate(
        "rate_to_vnd",
        &trimmed(input.rate_to_vnd.as_ref()),
        currency,
        &mut errs,
    );
    let purpose = trimmed(input.purpose.as_ref());
    investment::one_of("purpose", &purpose, PURPOSES, &mut errs);
    let commune_code =
        investment::commune("commune", &trimmed(input.commune.as_ref()), home, &mut errs);
    let contributed_on = investment::day_or_month(
        "contributed_on",
        &trimmed(input.contributed_on.as_ref()),
        true,
        &mut errs,
    )
    .unwrap_or_default();
    let in_kind = trimmed(input.in_kind.as_ref());
    let notes = trimmed(input.notes.as_ref());
    text_ok("in_kind", &in_kind, MAX_LONG, &mut errs);
    text_ok("notes", &notes, MAX_LONG, &mut errs);
    if errs.is_empty() {
        Ok(Data {
            donor_kind,
            donor_person_id: dp,
            donor_association_id: da,
            donor_enterprise_id: de,
            amount,
            currency: currency.map(|c| c.code.to_owned()).unwrap_or_default(),
            rate_to_vnd: rate.to_text(),
            purpose,
            commune_code,
            contributed_on,
            in_kind,
            notes,
        })
    } else {
        Err(errs)
    }
}

/// The donor's country, checking the caller reaches the donor.
async fn donor_country(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    d: &Data,
) -> AppResult<String> {
    if let Some(p) = d.donor_person_id {
        if !investment::person_visible(conn, actor, p).await? {
            return Err(AppError::invalid_field("donor_person_id", "unknown_person"));
        }
        return Ok(investment::person_name_country(conn, p)
            .await?
            .map(|x| x.1)
            .unwrap_or_default());
    }
    if let Some(e) = d.donor_enterprise_id {
        return match super::enterprises::load(conn, actor, e).await {
            Ok(e) => Ok(e.parent_country),
            Err(_) => Err(AppError::invalid_field(
                "donor_enterprise_id",
                "unknown_enterprise",
            )),
        };
    }
    if let Some(a) = d.donor_association_id {
        let scope = access::association_scope(actor, 2);
        let sql = format!(
            "SELECT a.country FROM associations a WHERE a.id = $1 AND {}",
            scope.sql
        );
        let mut q = sqlx::query_scalar::<_, String>(&sql).bind(a);
        for x in &scope.args {
            q = q.bind(x);
        }
        return q
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| AppError::invalid_field("donor_association_id", "unknown_association"));
    }
    Ok(String::new())
}

const COLUMNS: &str = "c.id, c.version, c.donor_kind, c.donor_person_id, \
    c.donor_association_id, c.donor_enterprise_id, c.donor_country, c.amount, c.currency, \
    c.rate_to_vnd, c.vnd_value, c.purpose, c.commune_code, c.contributed_on, c.in_kind, \
    c.notes, c.created_at, c.updated_at";

fn from_row(r: &db::AnyRow) -> Result<Contribution, db::SqlxError> {
    Ok(Contribution {
        id: r.try_get(0)?,
        version: r.try_get(1)?,
        donor_kind: r.try_get(2)?,
        donor_person_id: r.try_get(3)?,
        donor_association_id: r.try_get(4)?,
        donor_enterprise_id: r.try_get(5)?,
        donor_name: String::new(),
        donor_country: r.try_get(6)?,
        amount: r.try_get(7)?,
        currency: r.try_get(8)?,
        rate_to_vnd: r.try_get(9)?,
        vnd_value: r.try_get(10)?,
        purpose: r.try_get(11)?,
        commune_code: r.try_get(12)?,
        contributed_on: r.try_get(13)?,
        in_kind: r.try_get(14)?,
        notes: r.try_get(15)?,
        created_at: r.try_get(16)?,
        updated_at: r.try_get(17)?,
    })
}

fn to_data(c: &Contribution) -> Data {
    Data {
        donor_kind: c.donor_kind.clone(),
        donor_person_id: c.donor_person_id,
        donor_association_id: c.donor_association_id,
        donor_enterprise_id: c.donor_enterprise_id,
        amount: c.amount,
        currency: c.currency.clone(),
        rate_to_vnd: c.rate_to_vnd.clone(),
        purpose: c.purpose.clone(),
        commune_code: c.commune_code.clone(),
        contributed_on: c.contributed_on.clone(),
        in_kind: c.in_kind.clone(),
        notes: c.notes.clone(),
    }
}

/// The input that would store `c` as it is (the base of a merge patch).
pub fn to_input(c: &Contribution) -> ContributionInput {
    ContributionInput {
        donor_kind: Some(c.donor_kind.clone()),
        donor_person_id: c.donor_person_id,
        donor_association_id: c.donor_association_id,
        donor_enterprise_id: c.donor_enterprise_id,
        amount: Some(c.amount),
        currency: Some(c.currency.clone()),
        rate_to_vnd: Some(c.rate_to_vnd.clone()),
        purpose: Some(c.purpose.clone()),
        commune: Some(c.commune_code.clone()),
        contributed_on: Some(c.contributed_on.clone()),
        in_kind: Some(c.in_kind.clone()),
        notes: Some(c.notes.clone()),
        amount_text: None,
    }
}

/// The donor's name as the actor may read it.
async fn donor_name(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    c: &Contribution,
) -> AppResult<String> {
    if let Some(p) = c.donor_person_id {
        if investment::person_visible(conn, actor, p).await? {
            return Ok(investment::person_name_country(conn, p)
                .await?
                .map(|x| x.0)
                .unwrap_or_default());
        }
        return Ok(String::new());
    }
    if let Some(a) = c.donor_association_id {
        return Ok(
            sqlx::query_scalar::<_, String>("SELECT name FROM associations WHERE id = $1")
                .bind(a)
                .fetch_optional(&mut *conn)
                .await?
                .unwrap_or_default(),
        );
    }
    if let Some(e) = c.donor_enterprise_id {
        return Ok(
            sqlx::query_scalar::<_, String>("SELECT name FROM enterprises WHERE id = $1")
                .bind(e)
                .fetch_optional(&mut *conn)
                .await?
                .unwrap_or_default(),
        );
    }
    Ok(String::new())
}

async fn load(conn: &mut sqlx::AnyConnection, actor: &Actor, id: i64) -> AppResult<Contribution> {
    let scope = contribution_scope(actor, 2, false);
    let sql = format!(
        "SELECT {COLUMNS} FROM contributions c WHERE c.id = $1 AND {}",
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
    let mut c = from_row(&row)?;
    c.donor_name = donor_name(conn, actor, &c).await?;
    Ok(c)
}

/// Reads one contribution (the donor may be a person: the view is audited).
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<Contribution> {
    access::authorize(actor, Action::ContributionRead)?;
    let mut tx = app.db.begin_write().await?;
    let c = load(&mut tx.tx, actor, id).await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("contribution.view", "contribution", &id),
    )
    .await?;
    tx.commit().await?;
    Ok(c)
}

/// True when the actor may record contributions (within reach).
pub fn may_edit(actor: &Actor) -> bool {
    access::authorize(actor, Action::ContributionEdit).is_ok()
}

/// True when the actor may open contributions.
pub fn may_read(actor: &Actor) -> bool {
    access::authorize(actor, Action::ContributionRead).is_ok()
}

/// Filters of the list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub purpose: String,
    /// Year of the contribution.
    pub year: Option<i64>,
    /// Beneficiary commune by code, label or name.
    pub commune: String,
    /// Donor's country by code or name.
    pub country: String,
}

/// The contributions the actor reaches, newest first.
pub async fn list(app: &App, actor: &Actor, f: &ListFilter) -> AppResult<Vec<Contribution>> {
    access::authorize(actor, Action::ContributionRead)?;
    let mut errs = Vec::new();
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<String> = Vec::new();
    let purpose = f.purpose.trim();
    if !purpose.is_empty() {
        if PURPOSES.contains(&purpose) {
            args.push(purpose.to_owned());
            conds.push(format!("c.purpose = ${}", args.len()));
        } else {
            errs.push(FieldError::new("purpose", "invalid_code"));
        }
    }
    if let Some(y) = f.year {
        args.push(format!("{y:04}%"));
        conds.push(format!("c.contributed_on LIKE ${}", args.len()));
    }
    if !f.commune.trim().is_empty() {
        let c = investment::commune(
            "commune",
            f.commune.trim(),
            &app.settings.home_province,
            &mut errs,
        );
        args.push(c);
        conds.push(format!("c.commune_code = ${}", args.len()));
    }
    if !f.country.trim().is_empty() {
        let c = investment::country("country", f.country.trim(), &mut errs);
        args.push(c);
        conds.push(format!("c.donor_country = ${}", args.len()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let scope = contribution_scope(actor, args.len() + 1, false);
    conds.push(scope.sql);
    args.extend(scope.args);
    let sql = format!(
        "SELECT {COLUMNS} FROM contributions c WHERE {} ORDER BY c.contributed_on DESC, c.id DESC",
        conds.join(" AND ")
    );
    let mut q = sqlx::query(&sql);
    for a in &args {
        q = q.bind(a);
    }
    let mut conn = app.db.pool.acquire().await?;
    let rows = q.fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut c = from_row(r)?;
        c.donor_name = donor_name(&mut conn, actor, &c).await?;
        out.push(c);
    }
    Ok(out)
}

/// Records a contribution within reach (a commune officer: to their communes;
/// a mission: of donors from its countries).
pub async fn create(
    app: &App,
    actor: &Actor,
    input: &ContributionInput,
) -> AppResult<Contribution> {
    let mut tx = app.db.begin_write().await?;
    let id = create_in(&mut tx, app, actor, input).await?;
    let c = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(c)
}

/// [`create`] within the caller's transaction (an import writes every row
/// or none): the new record's id.
pub(crate) async fn create_in(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    input: &ContributionInput,
) -> AppResult<i64> {
    access::authorize(actor, Action::ContributionEdit)?;
    let d = validate(input, &app.settings.home_province).map_err(AppError::Invalid)?;
    if !investment::commune_allowed(actor, &d.commune_code) {
        return Err(AppError::invalid_field("commune", "out_of_jurisdiction"));
    }
    let now = clock::now();
    let country = donor_country(&mut tx.tx, actor, &d).await?;
    if !investment::country_allowed(actor, &country) {
        return Err(AppError::invalid_field("donor_kind", "out_of_jurisdiction"));
    }
    let vnd = vnd_value(&d);
    let id: i64 = sqlx::query(
        "INSERT INTO contributions (donor_kind, donor_person_id, donor_association_id, \
         donor_enterprise_id, donor_country, amount, currency, rate_to_vnd, vnd_value, purpose, \
         commune_code, contributed_on, in_kind, notes, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $16) RETURNING id",
    )
    .bind(&d.donor_kind)
    .bind(d.donor_person_id)
    .bind(d.donor_association_id)
    .bind(d.donor_enterprise_id)
    .bind(&country)
    .bind(d.amount)
    .bind(&d.currency)
    .bind(&d.rate_to_vnd)
    .bind(vnd)
    .bind(&d.purpose)
    .bind(&d.commune_code)
    .bind(&d.contributed_on)
    .bind(&d.in_kind)
    .bind(&d.notes)
    .bind(&now)
    .bind(&now)
    .fetch_one(&mut *tx.tx)
    .await?
    .try_get(0)?;
    investment::keep_version(tx, actor, "contribution", id, 1, "created", &d).await?;
    audit::append(
        tx,
        app,
        actor,
        Event::new("contribution.create", "contribution", &id),
    )
    .await?;
    Ok(id)
}

fn vnd_value(d: &Data) -> i64 {
    match (
        domain::money::currency(&d.currency),
        domain::money::parse_rate(&d.rate_to_vnd),
    ) {
        (Some(c), Ok(r)) => domain::money::to_vnd(d.amount, c, r),
        _ => 0,
    }
}

/// Replaces a contribution's fields when `expected_version` is still current.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    input: &ContributionInput,
) -> AppResult<Contribution> {
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
) -> AppResult<Contribution> {
    access::authorize(actor, Action::ContributionEdit)?;
    let mut conn = app.db.pool.acquire().await?;
    let current = load(&mut conn, actor, id).await?;
    let snapshot = investment::snapshot(&mut conn, "contribution", id, version).await?;
    drop(conn);
    let input = investment::restored_input(
        &to_input(&current),
        &snapshot,
        &[("commune_code", "commune")],
    )?;
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
    input: &ContributionInput,
    change: Change,
) -> AppResult<Contribution> {
    access::authorize(actor, Action::ContributionEdit)?;
    let mut tx = app.db.begin_write().await?;
    let current = load(&mut tx.tx, actor, id).await?;
    if !crate::registry::version_matches(expected_version, current.version) {
        return Err(AppError::PreconditionFailed {
            current_version: current.version,
        });
    }
    let d = validate(input, &app.settings.home_province).map_err(AppError::Invalid)?;
    if !investment::commune_allowed(actor, &d.commune_code) {
        return Err(AppError::invalid_field("commune", "out_of_jurisdiction"));
    }
    let country = donor_country(&mut tx.tx, actor, &d).await?;
    if !investment::country_allowed(actor, &country) {
        return Err(AppError::invalid_field("donor_kind", "out_of_jurisdiction"));
    }
    let changed = investment::changed_fields(&to_data(&current), &d);
    if changed.is_empty() {
        tx.commit().await?;
        return Ok(current);
    }
    let now = clock::now();
    let done = sqlx::query(
        "UPDATE contributions SET donor_kind = $1, donor_person_id = $2, donor_association_id = $3, \
         donor_enterprise_id = $4, donor_country = $5, amount = $6, currency = $7, rate_to_vnd = $8, \
         vnd_value = $9, purpose = $10, commune_code = $11, contributed_on = $12, in_kind = $13, \
         notes = $14, version = version + 1, updated_at = $15 WHERE id = $16 AND version = $17",
    )
    .bind(&d.donor_kind)
    .bind(d.donor_person_id)
    .bind(d.donor_association_id)
    .bind(d.donor_enterprise_id)
    .bind(&country)
    .bind(d.amount)
    .bind(&d.currency)
    .bind(&d.rate_to_vnd)
    .bind(vnd_value(&d))
    .bind(&d.purpose)
    .bind(&d.commune_code)
    .bind(&d.contributed_on)
    .bind(&d.in_kind)
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
    let changed = changed.join(", ");
    investment::keep_version(
        &mut tx,
        actor,
        "contribution",
        id,
        current.version + 1,
        &change.summary(&changed),
        &d,
    )
    .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new(
            change.action("contribution.update", "contribution.restore"),
            "contribution",
            &id,
        )
        .with(serde_json::json!({"version": current.version + 1, "changed": changed})),
    )
    .await?;
    let c = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(c)
}

/// Applies a JSON merge patch (RFC 7396) to a contribution.
pub async fn patch(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    patch: &serde_json::Value,
) -> AppResult<Contribution> {
    access::authorize(actor, Action::ContributionEdit)?;
    let mut conn = app.db.pool.acquire().await?;
    let current = load(&mut conn, actor, id).await?;
    drop(conn);
    let input: ContributionInput = super::enterprises::merged_input(&to_input(&current), patch)?;
    update(app, actor, id, expected_version, &input).await
}

/// The history of a contribution, newest first.
pub async fn history(app: &App, actor: &Actor, id: i64) -> AppResult<Vec<VersionRow>> {
    access::authorize(actor, Action::ContributionRead)?;
    let mut conn = app.db.pool.acquire().await?;
    load(&mut conn, actor, id).await?;
    investment::versions(&mut conn, "contribution", id).await
}

// ------------------------------------------------------------------ remittances

/// Remittances of one person in one year, in one currency.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Remittance {
    pub id: i64,
    pub year: i64,
    /// Minor units of `currency`.
    pub amount: i64,
    pub currency: String,
    pub notes: String,
}

/// Records (or replaces) what a person sent home in a year.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemittanceInput {
    /// The year (1975 to this year).
    pub year: Option<i64>,
    /// Integer minor units of `currency`, not negative.
    pub amount: Option<i64>,
    /// ISO 4217 currency code.
    pub currency: Option<String>,
    pub notes: Option<String>,
    /// Forms only: the amount as typed.
    #[serde(skip)]
    pub amount_text: Option<String>,
    /// Forms only: the year as typed.
    #[serde(skip)]
    pub year_text: Option<String>,
}

async fn remittance_person(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    person_id: i64,
) -> AppResult<()> {
    access::authorize(actor, Action::PersonReveal)?;
    if investment::person_visible(conn, actor, person_id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// True when the actor may read and record remittances (of people within jurisdiction).
pub fn may_remittances(actor: &Actor) -> bool {
    access::authorize(actor, Action::PersonReveal).is_ok()
}

/// A person's remittances, newest year first (the view is audited: sensitive data).
pub async fn remittances(app: &App, actor: &Actor, person_id: i64) -> AppResult<Vec<Remittance>> {
    let mut tx = app.db.begin_write().await?;
    remittance_person(&mut tx.tx, actor, person_id).await?;
    let rows = sqlx::query(
        "SELECT id, year, amount, currency, notes FROM remittances WHERE person_id = $1 \
         ORDER BY year DESC, currency",
    )
    .bind(person_id)
    .fetch_all(&mut *tx.tx)
    .await?
    .iter()
    .map(|r| {
        Ok(Remittance {
            id: r.try_get(0)?,
            year: r.try_get(1)?,
            amount: r.try_get(2)?,
            currency: r.try_get(3)?,
            notes: r.try_get(4)?,
        })
    })
    .collect::<Result<Vec<_>, db::SqlxError>>()?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("remittance.view", "person", &person_id),
    )
    .await?;
    tx.commit().await?;
    Ok(rows)
}

/// Records what a person sent home in a year (replacing that year's figure in that currency).
pub async fn set_remittance(
    app: &App,
    actor: &Actor,
    person_id: i64,
    input: &RemittanceInput,
) -> AppResult<Vec<Remittance>> {
    access::authorize(actor, Action::PersonUpdate)?;
    let mut errs = Vec::new();
    let this_year: i64 = clock::today()
        .get(..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or(2100);
    let year = match input.year_text.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => t.parse::<i64>().ok(),
        Some(_) => None,
        None => input.year,
    };
    match year {
        None => errs.push(FieldError::new("year", "required")),
        Some(y) if !(1975..=this_year).contains(&y) => {
            errs.push(FieldError::new("year", "invalid_year"));
        }
        Some(_) => {}
    }
    let currency = investment::currency("currency", &trimmed(input.currency.as_ref()), &mut errs);
    let amount = investment::amount(
        "amount",
        input.amount,
        input.amount_text.as_ref(),
        currency,
        true,
        &mut errs,
    );
    let notes = trimmed(input.notes.as_ref());
    text_ok("notes", &notes, MAX_SHORT, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let year = year.unwrap_or_default();
    let code = currency.map(|c| c.code).unwrap_or_default();
    let mut tx = app.db.begin_write().await?;
    remittance_person(&mut tx.tx, actor, person_id).await?;
    sqlx::query("DELETE FROM remittances WHERE person_id = $1 AND year = $2 AND currency = $3")
        .bind(person_id)
        .bind(year)
        .bind(code)
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query(
        "INSERT INTO remittances (person_id, year, amount, currency, notes, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(person_id)
    .bind(year)
    .bind(amount)
    .bind(code)
    .bind(&notes)
    .bind(clock::now())
    .execute(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("remittance.set", "person", &person_id)
            .with(serde_json::json!({"year": year, "currency": code})),
    )
    .await?;
    tx.commit().await?;
    remittances(app, actor, person_id).await
}

/// Removes one remittance figure of a person.
pub async fn remove_remittance(
    app: &App,
    actor: &Actor,
    person_id: i64,
    remittance_id: i64,
) -> AppResult<Vec<Remittance>> {
    access::authorize(actor, Action::PersonUpdate)?;
    let mut tx = app.db.begin_write().await?;
    remittance_person(&mut tx.tx, actor, person_id).await?;
    let done = sqlx::query("DELETE FROM remittances WHERE id = $1 AND person_id = $2")
        .bind(remittance_id)
        .bind(person_id)
        .execute(&mut *tx.tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("remittance.remove", "person", &person_id)
            .with(serde_json::json!({"remittance": remittance_id})),
    )
    .await?;
    tx.commit().await?;
    remittances(app, actor, person_id).await
}

// ------------------------------------------------------------------ thank-you letter

/// A thank-you letter for a contribution, as .docx in the layout of Decree
/// 30/2020/NĐ-CP (appendix I): issuing body and national motto side by
/// side, number and symbol, place and date, the subject, the body,
/// recipients ("Nơi nhận") and the signature block. The view of the donor
/// is audited.
pub async fn thank_you_docx(app: &App, actor: &Actor, id: i64) -> AppResult<Vec<u8>> {
    let c = get(app, actor, id).await?;
    let province = app.settings.home_province.trim().to_owned();
    let commune = domain::geo::new_commune(&c.commune_code)
        .map(|n| n.name.to_owned())
        .unwrap_or_default();
    let day = &c.contributed_on;
    let amount = domain::money::currency(&c.currency).map_or_else(String::new, |cur| {
        format!(
            "{} {}",
            domain::money::format_minor(c.amount, cur, false),
            if cur.code == "VND" {
                "đồng"
            } else {
                cur.code
            }
        )
    });
    let purpose = match c.purpose.as_str() {
        "charity" => "công tác từ thiện, nhân đạo",
        "scholarship" => "quỹ học bổng cho học sinh, sinh viên",
        "disaster_relief" => "cứu trợ đồng bào bị thiên tai",
        "infrastructure" => "xây dựng cơ sở hạ tầng",
        "healthcare" => "chăm sóc sức khỏe nhân dân",
        _ => "các hoạt động an sinh xã hội",
    };
    let donor = if c.donor_name.is_empty() {
        "Quý vị".to_owned()
    } else {
        c.donor_name.clone()
    };
    let today = clock::today();
    let letter = Letter {
        body_name: format!("SỞ NGOẠI VỤ TỈNH {}", province.to_uppercase()),
        parent_body: format!("UBND TỈNH {}", province.to_uppercase()),
        number: format!("Số: {id}/TCO-SNV"),
        place_date: format!(
            "{province}, ngày {} tháng {} năm {}",
            today.get(8..10).unwrap_or_default(),
            today.get(5..7).unwrap_or_default(),
            today.get(..4).unwrap_or_default()
        ),
        subject: "THƯ CẢM ƠN".to_owned(),
        greeting: format!("Kính gửi: {donor}"),
        paragraphs: vec![
            format!(
                "Ngày {}, {donor} đã đóng góp {amount}{} cho {purpose} tại {commune}, tỉnh {province}.",
                domain::dates::show(day),
                if c.in_kind.is_empty() {
                    String::new()
                } else {
                    format!(" cùng hiện vật: {}", c.in_kind)
                }
            ),
            format!(
                "Thay mặt chính quyền và nhân dân tỉnh {province}, Sở Ngoại vụ trân trọng cảm ơn tấm lòng hướng về quê hương của {donor}. Sự đóng góp quý báu này góp phần chung tay xây dựng quê hương ngày càng giàu đẹp."
            ),
            "Kính chúc Quý vị và gia đình mạnh khỏe, hạnh phúc và thành công.".to_owned(),
        ],
        recipients: vec![
            "- Như trên;".to_owned(),
            format!("- UBND {commune};"),
            "- Lưu: VT, LSKB.".to_owned(),
        ],
        signer_title: "GIÁM ĐỐC".to_owned(),
    };
    letter.to_docx()
}

/// An official letter's parts (Decree 30/2020/NĐ-CP).
struct Letter {
    parent_body: String,
    body_name: String,
    number: String,
    place_date: String,
    subject: String,
    greeting: String,
    paragraphs: Vec<String>,
    recipients: Vec<String>,
    signer_title: String,
}

impl Letter {
    fn to_docx(&self) -> AppResult<Vec<u8>> {
        use docx_rs::{
            AlignmentType, Docx, Paragraph, Run, RunFonts, Table, TableCell, TableRow, WidthType,
        };
        let font = || {
            RunFonts::new()
                .ascii("Times New Roman")
                .hi_ansi("Times New Roman")
        };
        let text = |s: &str, size: usize| Run::new().add_text(s).size(size).fonts(font());
        let centred = |runs: Vec<Run>| {
            runs.into_iter()
                .fold(Paragraph::new().align(AlignmentType::Center), |p, r| {
                    p.add_run(r)
                })
        };
        let cell = |paras: Vec<Paragraph>, width: usize| {
            paras
                .into_iter()
                .fold(TableCell::new().width(width, WidthType::Dxa), |c, p| {
                    c.add_paragraph(p)
                })
                .clear_all_border()
        };
        let header = Table::new(vec![TableRow::new(vec![
            cell(
                vec![
                    centred(vec![text(&self.parent_body, 26)]),
                    centred(vec![text(&self.body_name, 26).bold()]),
                    centred(vec![text(&self.number, 26)]),
                ],
                3800,
            ),
            cell(
                vec![
                    centred(vec![text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 24).bold()]),
                    centred(vec![text("Độc lập - Tự do - Hạnh phúc", 26).bold()]),
                    centred(vec![text(&self.place_date, 26).italic()]),
                ],
                5600,
            ),
        ])])
        .clear_all_border();
        let mut doc = Docx::new()
            .add_table(header)
            .add_paragraph(Paragraph::new())
            .add_paragraph(centred(vec![text(&self.subject, 28).bold()]))
            .add_paragraph(centred(vec![text(&self.greeting, 28)]));
        for p in &self.paragraphs {
            doc = doc.add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Both)
                    .add_run(text(p, 28)),
            );
        }
        let recipients = self.recipients.iter().fold(
            vec![Paragraph::new().add_run(text("Nơi nhận:", 24).bold().italic())],
            |mut v, r| {
                v.push(Paragraph::new().add_run(text(r, 22)));
                v
            },
        );
        let sign = vec![
            centred(vec![text(&self.signer_title, 28).bold()]),
            centred(vec![text("(Ký, ghi rõ họ tên và đóng dấu)", 24).italic()]),
        ];
        doc = doc.add_table(
            Table::new(vec![TableRow::new(vec![
                cell(recipients, 4700),
                cell(sign, 4700),
            ])])
            .clear_all_border(),
        );
        let mut buf = std::io::Cursor::new(Vec::new());
        doc.build()
            .pack(&mut buf)
            .map_err(|e| AppError::Unexpected(e.into()))?;
        Ok(buf.into_inner())
    }
}
