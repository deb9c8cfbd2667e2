//! Seeing and correcting one's own record (issue 23 §3). The person reads
//! the fields the province shares with them (never verification, notes,
//! sources or other internal fields) and asks for corrections; each request
//! is shown to an officer of the record's jurisdiction as a diff and decided
//! field by field, a refusal with a reason the person reads. Accepted values
//! are written through the registry's own update (validation, version,
//! history, audit) and the record gains a source "self-declared" dated that
//! day.

use std::collections::BTreeMap;

use db::Row;
use serde::Serialize;

use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::registry::people::{self, PersonData};
use crate::{Actor, App, AppError, AppResult, clock};

/// The fields a person reads and may ask to correct, in the page's order.
/// Internal fields (verification, notes, sources, consent status, tags,
/// sensitive identifiers) are not among them.
pub const FIELDS: &[&str] = &[
    "full_name",
    "gender",
    "birth_date",
    "country",
    "city_abroad",
    "phone",
    "email",
    "occupation",
    "education",
    "expertise",
];

/// A field's value as stored (codes and ISO dates: the web layer shows words).
pub fn value_of(d: &PersonData, field: &str) -> String {
    match field {
        "full_name" => d.full_name.clone(),
        "gender" => d.gender.clone(),
        "birth_date" => d.birth_date.clone().unwrap_or_default(),
        "country" => d.country.clone(),
        "city_abroad" => d.city_abroad.clone(),
        "phone" => d.phone.clone(),
        "email" => d.email.clone(),
        "occupation" => d.occupation.clone(),
        "education" => d.education.clone(),
        "expertise" => d.expertise.clone(),
        _ => String::new(),
    }
}

fn set_value(input: &mut people::PersonInput, field: &str, v: &str) {
    let v = Some(v.to_owned());
    match field {
        "full_name" => input.full_name = v,
        "gender" => input.gender = v,
        "birth_date" => input.birth_date = v.filter(|s| !s.is_empty()),
        "country" => input.country = v,
        "city_abroad" => input.city_abroad = v,
        "phone" => input.phone = v,
        "email" => input.email = v,
        "occupation" => input.occupation = v,
        "education" => input.education = v,
        "expertise" => input.expertise = v,
        _ => {}
    }
}

/// The person's own record: the shared fields, and their relatives at home.
#[derive(Debug, Clone)]
pub struct OwnRecord {
    pub person_id: i64,
    pub data: PersonData,
    /// Relatives at home: (name, relationship code, birth year).
    pub relatives: Vec<(String, String, Option<i64>)>,
}

/// Reads the account's linked record (as its own subject: the portal actor
/// reaches that record only).
pub async fn own_record(
    app: &App,
    account_id: i64,
    person_id: i64,
    ip: &str,
) -> AppResult<OwnRecord> {
    let me = access::portal_actor(account_id, Some(person_id), ip);
    let p = people::get(app, &me, person_id, false).await?;
    let rows = sqlx::query(
        "SELECT full_name, relationship, birth_year FROM relatives \
         WHERE person_id = $1 AND deleted_at IS NULL ORDER BY id",
    )
    .bind(person_id)
    .fetch_all(&app.db.pool)
    .await?;
    let mut relatives = Vec::new();
    for r in rows {
        relatives.push((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?));
    }
    Ok(OwnRecord {
        person_id,
        data: p.data,
        relatives,
    })
}

/// One field of a request.
#[derive(Debug, Clone, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub old_value: String,
    pub new_value: String,
    /// `pending`, `accepted` or `refused`.
    pub decision: String,
    pub reason: String,
}

/// A change request with its fields.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeRequest {
    pub id: i64,
    pub account_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub status: String,
    pub created_at: String,
    pub decided_at: Option<String>,
    pub fields: Vec<FieldChange>,
}

/// Asks for corrections: the fields whose new value differs from the
/// record's, each checked as the registry checks it. One open request at a
/// time (the page shows it until decided).
pub async fn request(
    app: &App,
    account_id: i64,
    person_id: i64,
    ip: &str,
    values: &BTreeMap<String, String>,
) -> AppResult<i64> {
    let own = own_record(app, account_id, person_id, ip).await?;
    let mut input = own.data.to_input();
    let mut changed = Vec::new();
    for f in FIELDS {
        let Some(v) = values.get(*f) else { continue };
        let v = v.trim();
        set_value(&mut input, f, v);
        changed.push(*f);
    }
    // The whole record as it would be, validated as the registry does;
    // errors on fields the person did not touch (a value the person does not
    // see, kept masked) are not theirs to fix: those fields are left out
    // and the record read again, so the touched fields still compare.
    let after = match people::validate(&input) {
        Ok(d) => d,
        Err(errs) => {
            let (mine, others): (Vec<_>, Vec<_>) = errs
                .into_iter()
                .partition(|e| changed.contains(&e.field.as_str()));
            if !mine.is_empty() {
                return Err(AppError::Invalid(mine));
            }
            for e in &others {
                people::clear_input_field(&mut input, &e.field);
            }
            people::validate(&input).map_err(AppError::Invalid)?
        }
    };
    let diffs: Vec<(&str, String, String)> = changed
        .iter()
        .map(|f| (*f, value_of(&own.data, f), value_of(&after, f)))
        .filter(|(_, a, b)| a != b)
        .collect();
    if diffs.is_empty() {
        return Err(AppError::invalid_field("fields", "no_change"));
    }
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM portal_changes WHERE account_id = $1 AND status = 'pending'",
    )
    .bind(account_id)
    .fetch_one(&app.db.pool)
    .await?;
    if open > 0 {
        return Err(AppError::Conflict("change_pending".into()));
    }
    let mut tx = app.db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO portal_changes (account_id, person_id, created_at) VALUES ($1, $2, $3) \
         RETURNING id",
    )
    .bind(account_id)
    .bind(person_id)
    .bind(clock::fmt(app.clock.now_utc()))
    .fetch_one(&mut *tx.tx)
    .await?;
    for (f, old, new) in &diffs {
        sqlx::query(
            "INSERT INTO portal_change_fields (change_id, field, old_value, new_value) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(*f)
        .bind(old)
        .bind(new)
        .execute(&mut *tx.tx)
        .await?;
    }
    let fields: Vec<&str> = diffs.iter().map(|d| d.0).collect();
    audit::append(
        &mut tx,
        app,
        &access::portal_actor(account_id, Some(person_id), ip),
        Event::new("portal.change_request", "portal_change", &id)
            .with(serde_json::json!({"person_id": person_id, "fields": fields})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn fields_of(app: &App, id: i64) -> AppResult<Vec<FieldChange>> {
    let rows = sqlx::query(
        "SELECT field, old_value, new_value, decision, reason FROM portal_change_fields \
         WHERE change_id = $1",
    )
    .bind(id)
    .fetch_all(&app.db.pool)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        out.push(FieldChange {
            field: r.try_get(0)?,
            old_value: r.try_get(1)?,
            new_value: r.try_get(2)?,
            decision: r.try_get(3)?,
            reason: r.try_get(4)?,
        });
    }
    out.sort_by_key(|f| FIELDS.iter().position(|x| *x == f.field));
    Ok(out)
}

const COLUMNS: &str = "c.id, c.account_id, c.person_id, p.full_name, c.status, c.created_at, \
     c.decided_at";

async fn from_row(app: &App, r: &db::AnyRow) -> AppResult<ChangeRequest> {
    let id: i64 = r.try_get(0)?;
    Ok(ChangeRequest {
        id,
        account_id: r.try_get(1)?,
        person_id: r.try_get(2)?,
        person_name: r.try_get(3)?,
        status: r.try_get(4)?,
        created_at: r.try_get(5)?,
        decided_at: r.try_get(6)?,
        fields: fields_of(app, id).await?,
    })
}

/// The account's own requests, newest first, with each field's decision
/// and reason.
pub async fn mine(app: &App, account_id: i64) -> AppResult<Vec<ChangeRequest>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM portal_changes c JOIN persons p ON p.id = c.person_id \
         WHERE c.account_id = $1 ORDER BY c.id DESC LIMIT 50"
    );
    let rows = sqlx::query(&sql)
        .bind(account_id)
        .fetch_all(&app.db.pool)
        .await?;
    let mut out = Vec::new();
    for r in &rows {
        out.push(from_row(app, r).await?);
    }
    Ok(out)
}

/// Pending requests on records within the officer's jurisdiction, oldest first.
pub async fn queue(app: &App, actor: &Actor) -> AppResult<Vec<ChangeRequest>> {
    access::authorize(actor, Action::PortalChangeDecide)?;
    let f = access::person_scope(actor, 1);
    let sql = format!(
        "SELECT {COLUMNS} FROM portal_changes c JOIN persons p ON p.id = c.person_id \
         WHERE c.status = 'pending' AND p.deleted_at IS NULL AND {} \
         ORDER BY c.created_at, c.id LIMIT 200",
        f.sql
    );
    let mut q = sqlx::query(&sql);
    for a in &f.args {
        q = q.bind(a);
    }
    let rows = q.fetch_all(&app.db.pool).await?;
    let mut out = Vec::new();
    for r in &rows {
        out.push(from_row(app, r).await?);
    }
    Ok(out)
}

async fn load(app: &App, actor: &Actor, id: i64) -> AppResult<ChangeRequest> {
    access::authorize(actor, Action::PortalChangeDecide)?;
    let f = access::person_scope(actor, 2);
    let sql = format!(
        "SELECT {COLUMNS} FROM portal_changes c JOIN persons p ON p.id = c.person_id \
         WHERE c.id = $1 AND {}",
        f.sql
    );
    let mut q = sqlx::query(&sql).bind(id);
    for a in &f.args {
        q = q.bind(a);
    }
    let r = q
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    from_row(app, &r).await
}

/// One request for the officer (the view is audited).
pub async fn for_officer(app: &App, actor: &Actor, id: i64) -> AppResult<ChangeRequest> {
    let c = load(app, actor, id).await?;
    audit::record(
        app,
        actor,
        Event::new("portal.change_view", "portal_change", &id)
            .with(serde_json::json!({"person_id": c.person_id})),
    )
    .await?;
    Ok(c)
}

/// An officer's decision on one field.
#[derive(Debug, Clone)]
pub struct FieldDecision {
    pub field: String,
    pub accept: bool,
    pub reason: String,
}

/// Decides every field of a pending request: accepted values are written
/// to the record (one new version), refusals need a reason. Answers the
/// accepted fields.
pub async fn decide(
    app: &App,
    actor: &Actor,
    id: i64,
    decisions: &[FieldDecision],
) -> AppResult<Vec<String>> {
    let c = load(app, actor, id).await?;
    if c.status != "pending" {
        return Err(AppError::Conflict("decided".into()));
    }
    let mut errs = Vec::new();
    for f in &c.fields {
        match decisions.iter().find(|d| d.field == f.field) {
            None => errs.push(crate::FieldError::new(&f.field, "decision_required")),
            Some(d) if !d.accept && d.reason.trim().is_empty() => {
                errs.push(crate::FieldError::new(&f.field, "reason_required"));
            }
            Some(d) if d.reason.chars().count() > 1000 => {
                errs.push(crate::FieldError::new(&f.field, "too_long"));
            }
            Some(_) => {}
        }
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let accepted: Vec<&FieldChange> = c
        .fields
        .iter()
        .filter(|f| decisions.iter().any(|d| d.field == f.field && d.accept))
        .collect();
    if !accepted.is_empty() {
        let person = people::get(app, actor, c.person_id, false).await?;
        let mut input = person.data.to_input();
        // Sensitive fields read masked: left blank, they keep their value.
        input.passport_no = Some(String::new());
        input.id_no = Some(String::new());
        input.address_abroad = Some(String::new());
        input.income_bracket = Some(String::new());
        input.remittance = Some(String::new());
        for f in &accepted {
            set_value(&mut input, &f.field, &f.new_value);
        }
        people::update(app, actor, c.person_id, person.version, &input, true).await?;
        add_self_declared_source(app, c.person_id, &format!("change #{id}")).await?;
    }
    let now = clock::fmt(app.clock.now_utc());
    let mut tx = app.db.begin_write().await?;
    for d in decisions {
        sqlx::query(
            "UPDATE portal_change_fields SET decision = $1, reason = $2 \
             WHERE change_id = $3 AND field = $4",
        )
        .bind(if d.accept { "accepted" } else { "refused" })
        .bind(d.reason.trim())
        .bind(id)
        .bind(&d.field)
        .execute(&mut *tx.tx)
        .await?;
    }
    sqlx::query(
        "UPDATE portal_changes SET status = 'decided', decided_at = $1, decided_by = $2 \
         WHERE id = $3",
    )
    .bind(&now)
    .bind(actor.user_id)
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    let fields: Vec<&str> = accepted.iter().map(|f| f.field.as_str()).collect();
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("portal.change_decide", "portal_change", &id)
            .with(serde_json::json!({"person_id": c.person_id, "accepted": fields})),
    )
    .await?;
    tx.commit().await?;
    Ok(fields.into_iter().map(str::to_owned).collect())
}

/// Adds the source "self-declared" (dated now) to a record.
pub async fn add_self_declared_source(app: &App, person_id: i64, list: &str) -> AppResult<()> {
    let now = clock::fmt(app.clock.now_utc());
    let mut tx = app.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO person_sources (person_id, agency, list_name, added_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(person_id)
    .bind(domain::Agency::SelfDeclared.code())
    .bind(list)
    .bind(&now)
    .execute(&mut *tx.tx)
    .await?;
    // The statistics and search indexes catch up on changed people: the
    // new source is part of the record (see ARCHITECTURE, "Statistics").
    sqlx::query("UPDATE persons SET updated_at = $1 WHERE id = $2")
        .bind(&now)
        .bind(person_id)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
