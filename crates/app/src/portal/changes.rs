//! Seeing and correcting one's own record (issue 23 §3). The person reads
//! the fields the province shares with them (never verification, notes,
//! sources or other internal fields) and asks for corrections; each request
//! is shown to an officer of the record's jurisdiction as a diff and decided
//! field by field, a refusal with a reason the person reads. Accepted values
//! are written through the registry's own update (validation, version,
//! history, audit) and the record gains a source "self-declared" dated that
//! day.
//!
//! Relatives at home the person declared are corrected the same way: each
//! relative changed (`relative_<id>`), removed (`relative_<id>_remove`) or
//! added (`relative_new`) is one entry of the request, its old and new
//! values a small JSON object (name, relationship code, birth year) the
//! web layer puts in words; the officer accepts or refuses each, and the
//! accepted ones go through the registry's own relative use cases.

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
    /// Their ids, in the same order.
    pub relative_ids: Vec<i64>,
}

/// A relative as a change request holds it (old or new value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RelativeValue {
    pub full_name: String,
    /// A `Relationship` code.
    pub relationship: String,
    pub birth_year: Option<i64>,
}

impl RelativeValue {
    /// As stored in a change's old or new value.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
    /// From a change's old or new value (`None`: empty or not a relative).
    pub fn from_json(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
}

/// Whether a change's field is a relative's entry.
pub fn is_relative_field(field: &str) -> bool {
    field.starts_with("relative_")
}

/// The longest relative's name.
const MAX_RELATIVE_NAME: usize = 200;

/// Reads the typed relative `prefix` (`relative_12`, `relative_new`):
/// `None` when nothing was typed for a new one.
fn typed_relative(
    values: &BTreeMap<String, String>,
    prefix: &str,
    errs: &mut Vec<crate::FieldError>,
) -> Option<RelativeValue> {
    let get = |k: &str| {
        values
            .get(&format!("{prefix}_{k}"))
            .map_or("", |v| v.trim())
            .to_owned()
    };
    let (name, rel, year) = (get("full_name"), get("relationship"), get("birth_year"));
    if prefix == "relative_new" && name.is_empty() && rel.is_empty() && year.is_empty() {
        return None;
    }
    let before = errs.len();
    if name.is_empty() {
        errs.push(crate::FieldError::new(
            format!("{prefix}_full_name"),
            "required",
        ));
    } else if name.chars().count() > MAX_RELATIVE_NAME || domain::text::has_forbidden_control(&name)
    {
        errs.push(crate::FieldError::new(
            format!("{prefix}_full_name"),
            "too_long",
        ));
    }
    let relationship = domain::words::relationship(&rel).map(|r| r.code().to_owned());
    if relationship.is_none() {
        errs.push(crate::FieldError::new(
            format!("{prefix}_relationship"),
            "required",
        ));
    }
    let birth_year = if year.is_empty() {
        None
    } else {
        match year.parse::<i64>() {
            Ok(y) if (1900..=i64::from(clock::current_year())).contains(&y) => Some(y),
            _ => {
                errs.push(crate::FieldError::new(
                    format!("{prefix}_birth_year"),
                    "out_of_range",
                ));
                None
            }
        }
    };
    (errs.len() == before).then(|| RelativeValue {
        full_name: name,
        relationship: relationship.unwrap_or_default(),
        birth_year,
    })
}

/// The relatives' entries of a request: (field, old, new) for each one
/// changed, removed or added.
fn relative_diffs(
    own: &OwnRecord,
    values: &BTreeMap<String, String>,
) -> Result<Vec<(String, String, String)>, Vec<crate::FieldError>> {
    let mut errs = Vec::new();
    let mut out = Vec::new();
    for (id, (name, rel, year)) in own.relative_ids.iter().zip(&own.relatives) {
        let prefix = format!("relative_{id}");
        let current = RelativeValue {
            full_name: name.clone(),
            relationship: rel.clone(),
            birth_year: *year,
        };
        if values
            .get(&format!("{prefix}_remove"))
            .is_some_and(|v| !v.is_empty())
        {
            out.push((format!("{prefix}_remove"), current.to_json(), String::new()));
            continue;
        }
        if !values.contains_key(&format!("{prefix}_full_name")) {
            continue;
        }
        if let Some(new) = typed_relative(values, &prefix, &mut errs)
            && new != current
        {
            out.push((prefix, current.to_json(), new.to_json()));
        }
    }
    if let Some(new) = typed_relative(values, "relative_new", &mut errs) {
        out.push(("relative_new".to_owned(), String::new(), new.to_json()));
    }
    if errs.is_empty() { Ok(out) } else { Err(errs) }
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
        "SELECT full_name, relationship, birth_year, id FROM relatives \
         WHERE person_id = $1 AND deleted_at IS NULL ORDER BY id",
    )
    .bind(person_id)
    .fetch_all(&app.db.pool)
    .await?;
    let mut relatives = Vec::new();
    let mut relative_ids = Vec::new();
    for r in rows {
        relatives.push((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?));
        relative_ids.push(r.try_get(3)?);
    }
    Ok(OwnRecord {
        person_id,
        data: p.data,
        relatives,
        relative_ids,
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
    let relatives = relative_diffs(&own, values);
    let after = match people::validate(&input) {
        Ok(d) => d,
        Err(errs) => {
            let (mut mine, others): (Vec<_>, Vec<_>) = errs
                .into_iter()
                .partition(|e| changed.contains(&e.field.as_str()));
            if let Err(more) = &relatives {
                mine.extend(more.iter().cloned());
            }
            if !mine.is_empty() {
                return Err(AppError::Invalid(mine));
            }
            for e in &others {
                people::clear_input_field(&mut input, &e.field);
            }
            people::validate(&input).map_err(AppError::Invalid)?
        }
    };
    let mut diffs: Vec<(String, String, String)> = changed
        .iter()
        .map(|f| ((*f).to_owned(), value_of(&own.data, f), value_of(&after, f)))
        .filter(|(_, a, b)| a != b)
        .collect();
    diffs.extend(relatives.map_err(AppError::Invalid)?);
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
        .bind(f)
        .bind(old)
        .bind(new)
        .execute(&mut *tx.tx)
        .await?;
    }
    let fields: Vec<&str> = diffs.iter().map(|d| d.0.as_str()).collect();
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
    // The person's fields in the page's order, then the relatives'.
    out.sort_by_key(|f| {
        (
            FIELDS
                .iter()
                .position(|x| *x == f.field)
                .unwrap_or(usize::MAX),
            f.field.clone(),
        )
    });
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
    let (relatives, own): (Vec<&FieldChange>, Vec<&FieldChange>) =
        accepted.iter().partition(|f| is_relative_field(&f.field));
    for f in &relatives {
        apply_relative(app, actor, c.person_id, f).await?;
    }
    if !relatives.is_empty() && own.is_empty() {
        add_self_declared_source(app, c.person_id, &format!("change #{id}")).await?;
    }
    if !own.is_empty() {
        let person = people::get(app, actor, c.person_id, false).await?;
        let mut input = person.data.to_input();
        // Sensitive fields read masked: left blank, they keep their value.
        input.passport_no = Some(String::new());
        input.id_no = Some(String::new());
        input.address_abroad = Some(String::new());
        input.income_bracket = Some(String::new());
        input.remittance = Some(String::new());
        for f in &own {
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

/// Writes one accepted relative's entry through the registry's use cases
/// (as the deciding officer: scope, validation and audit are theirs). A
/// new relative joins the household of the person's other relatives (when
/// the officer may see it), or a new household headed by the relative.
async fn apply_relative(
    app: &App,
    actor: &Actor,
    person_id: i64,
    f: &FieldChange,
) -> AppResult<()> {
    use crate::registry::relatives;
    let rest = f.field.trim_start_matches("relative_");
    if rest == "new" {
        let v = RelativeValue::from_json(&f.new_value).ok_or(AppError::NotFound)?;
        let household: Option<i64> = sqlx::query_scalar(
            "SELECT household_id FROM relatives WHERE person_id = $1 AND deleted_at IS NULL \
             ORDER BY id LIMIT 1",
        )
        .bind(person_id)
        .fetch_optional(&app.db.pool)
        .await?;
        // The officer must see the household too; else a new one.
        let household = match household {
            Some(h) => {
                let mut conn = app.db.pool.acquire().await?;
                crate::registry::households::visible(&mut conn, actor, h)
                    .await?
                    .then_some(h)
            }
            None => None,
        };
        let input = relatives::RelativeInput {
            household_id: household,
            head_name: household.is_none().then(|| v.full_name.clone()),
            full_name: Some(v.full_name),
            relationship: Some(v.relationship),
            birth_year: v.birth_year,
            ..Default::default()
        };
        relatives::add_relative(app, actor, person_id, &input).await?;
    } else if let Some(id) = rest.strip_suffix("_remove") {
        let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
        relatives::delete_relative(app, actor, person_id, id).await?;
    } else {
        let id: i64 = rest.parse().map_err(|_| AppError::NotFound)?;
        let v = RelativeValue::from_json(&f.new_value).ok_or(AppError::NotFound)?;
        relatives::update_relative(
            app,
            actor,
            person_id,
            id,
            &serde_json::json!({
                "full_name": v.full_name,
                "relationship": v.relationship,
                "birth_year": v.birth_year,
            }),
        )
        .await?;
    }
    Ok(())
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
