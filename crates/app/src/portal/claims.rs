//! Claiming or creating one's record (issue 23 §2). The person fills a
//! short form; the matching engine (`linkage`) scores the registry's people
//! who bear a like name against it and keeps the likely ones for staff —
//! never for the person, who sees only what they typed. An officer of the
//! hometown's commune, or of the province, links the account to a record
//! in their jurisdiction, creates a new record from the claim, or refuses
//! it with a reason the person reads.

use db::Row;
use serde::{Deserialize, Serialize};

use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::registry::people::{self, PersonInput};
use crate::{Actor, App, AppError, AppResult, clock};

/// What the person types (the page's form).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ClaimInput {
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub gender: String,
    /// New commune (after 1 July 2025), by code.
    #[serde(default)]
    pub hometown_code: String,
    /// Old commune (before 1 July 2025), by code.
    #[serde(default)]
    pub hometown_legacy_code: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
}

/// A stored claim.
#[derive(Debug, Clone, Serialize)]
pub struct Claim {
    pub id: i64,
    pub account_id: i64,
    pub full_name: String,
    /// Partial ISO date.
    pub birth_date: Option<String>,
    pub gender: String,
    pub hometown_new_code: Option<String>,
    pub hometown_legacy_code: Option<String>,
    pub hometown_text: String,
    pub country: String,
    pub city: String,
    pub phone: String,
    pub email: String,
    /// `pending`, `linked`, `created` or `refused`.
    pub status: String,
    pub person_id: Option<i64>,
    pub reason: String,
    pub created_at: String,
    pub decided_at: Option<String>,
}

/// A registry record the engine proposes for a claim (staff only).
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub person_id: i64,
    pub full_name: String,
    pub birth_date: Option<String>,
    pub country: String,
    pub hometown_text: String,
    pub city_abroad: String,
    /// Match probability (0–1) from the Fellegi–Sunter model.
    pub probability: f64,
}

/// The claim as the registry's own validation reads it (so the hometown,
/// country, date and phone are understood exactly as for a record).
fn as_person(input: &ClaimInput) -> PersonInput {
    let s = |v: &str| Some(v.trim().to_owned());
    PersonInput {
        full_name: s(&input.full_name),
        birth_date: s(&input.birth_date).filter(|v| !v.is_empty()),
        gender: s(&input.gender).filter(|v| !v.is_empty()),
        // A record made from a claim has no category yet: "other" until
        // the officer sets it.
        category: Some(domain::Category::Other.code().to_owned()),
        country: s(&input.country),
        city_abroad: s(&input.city),
        hometown_code: s(&input.hometown_code).filter(|v| !v.is_empty()),
        hometown_legacy_code: s(&input.hometown_legacy_code).filter(|v| !v.is_empty()),
        phone: s(&input.phone),
        email: s(&input.email),
        ..PersonInput::default()
    }
}

const COLUMNS: &str = "c.id, c.account_id, c.full_name, c.birth_date, c.gender, \
     c.hometown_new_code, c.hometown_legacy_code, c.hometown_text, c.country, c.city, c.phone, \
     c.email, c.status, c.person_id, c.reason, c.created_at, c.decided_at";

fn from_row(r: &db::AnyRow) -> Result<Claim, db::SqlxError> {
    Ok(Claim {
        id: r.try_get(0)?,
        account_id: r.try_get(1)?,
        full_name: r.try_get(2)?,
        birth_date: r.try_get(3)?,
        gender: r.try_get(4)?,
        hometown_new_code: r.try_get(5)?,
        hometown_legacy_code: r.try_get(6)?,
        hometown_text: r.try_get(7)?,
        country: r.try_get(8)?,
        city: r.try_get(9)?,
        phone: r.try_get(10)?,
        email: r.try_get(11)?,
        status: r.try_get(12)?,
        person_id: r.try_get(13)?,
        reason: r.try_get(14)?,
        created_at: r.try_get(15)?,
        decided_at: r.try_get(16)?,
    })
}

/// Records a claim for the account (one open claim at a time; none once
/// the account is linked) and the engine's candidates for staff.
pub async fn submit(app: &App, account_id: i64, ip: &str, input: &ClaimInput) -> AppResult<i64> {
    let data = people::validate(&as_person(input)).map_err(AppError::Invalid)?;
    if data.hometown_code.is_none() && data.hometown_legacy_code.is_none() {
        return Err(AppError::invalid_field("hometown_code", "required"));
    }
    let linked: Option<i64> =
        sqlx::query_scalar("SELECT person_id FROM portal_accounts WHERE id = $1")
            .bind(account_id)
            .fetch_one(&app.db.pool)
            .await?;
    if linked.is_some() {
        return Err(AppError::Conflict("already_linked".into()));
    }
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM portal_claims WHERE account_id = $1 AND status = 'pending'",
    )
    .bind(account_id)
    .fetch_one(&app.db.pool)
    .await?;
    if open > 0 {
        return Err(AppError::Conflict("claim_pending".into()));
    }
    let district = data
        .hometown_legacy_code
        .as_deref()
        .and_then(domain::geo::legacy_commune)
        .map(|c| c.district_code.to_owned());
    let candidates = propose(app, &data).await?;
    let json: Vec<serde_json::Value> = candidates
        .iter()
        .map(|(id, p)| serde_json::json!({"person_id": id, "probability": p}))
        .collect();
    let mut tx = app.db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO portal_claims (account_id, full_name, birth_date, gender, hometown_new_code, \
         hometown_legacy_code, hometown_legacy_district, hometown_text, country, city, phone, \
         email, candidates, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(account_id)
    .bind(&data.full_name)
    .bind(&data.birth_date)
    .bind(&data.gender)
    .bind(&data.hometown_code)
    .bind(&data.hometown_legacy_code)
    .bind(&district)
    .bind(&data.hometown_text)
    .bind(&data.country)
    .bind(&data.city_abroad)
    .bind(&data.phone)
    .bind(&data.email)
    .bind(serde_json::Value::Array(json).to_string())
    .bind(clock::fmt(app.clock.now_utc()))
    .fetch_one(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        &access::portal_actor(account_id, None, ip),
        Event::new("portal.claim", "portal_claim", &id)
            .with(serde_json::json!({"candidates": candidates.len()})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The linkage record of a person's fields.
fn record(id: i64, d: &people::PersonData) -> linkage::Record {
    linkage::Record {
        record_id: id.to_string(),
        source: String::new(),
        full_name: d.full_name.clone(),
        gender: d.gender.clone(),
        birth_date: d.birth_date.clone().unwrap_or_default(),
        country: d.country.clone(),
        city_abroad: d.city_abroad.clone(),
        hometown: d.hometown_text.clone(),
        passport_no: d.passport_no.clone(),
        phone: d.phone.clone(),
        email: d.email.clone(),
        father_name: String::new(),
        category: String::new(),
        hometown_codes: (d.hometown_code.is_some() || d.hometown_legacy_code.is_some()).then(
            || linkage::HometownCodes {
                legacy: d.hometown_legacy_code.clone().unwrap_or_default(),
                current: d.hometown_code.clone().unwrap_or_default(),
            },
        ),
    }
}

/// Candidates at or above this probability are shown to the officer.
const PROPOSE_FROM: f64 = 0.2;

/// The registry's people who may be the claimant: those the name search
/// finds (any name order, without marks, one typo), scored field by field
/// by the linkage model; the five likeliest at or above [`PROPOSE_FROM`].
async fn propose(app: &App, claim: &people::PersonData) -> AppResult<Vec<(i64, f64)>> {
    let system = Actor::system("portal-claim");
    let q = crate::registry::search::SearchQuery {
        q: claim.full_name.clone(),
        limit: Some(20),
        ..Default::default()
    };
    let hits = crate::registry::search::search(app, &system, &q).await?;
    let model = linkage::Model::default();
    let me = record(0, claim);
    let mut scored = Vec::new();
    for h in hits.items {
        // Read masked (the claim carries no identifier to compare with).
        let Ok(mut p) = people::get(app, &system, h.id, false).await else {
            continue;
        };
        p.data.passport_no.clear();
        let c = linkage::compare(&me, &record(p.id, &p.data), &model);
        if c.probability >= PROPOSE_FROM {
            scored.push((p.id, c.probability));
        }
    }
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    scored.truncate(5);
    Ok(scored)
}

/// The account's latest claim, as the person typed it (no candidates).
pub async fn mine(app: &App, account_id: i64) -> AppResult<Option<Claim>> {
    let sql =
        format!("SELECT {COLUMNS} FROM portal_claims c WHERE c.account_id = $1 ORDER BY c.id DESC");
    let row = sqlx::query(&sql)
        .bind(account_id)
        .fetch_optional(&app.db.pool)
        .await?;
    Ok(row.map(|r| from_row(&r)).transpose()?)
}

/// Pending claims of the hometowns within the officer's jurisdiction, oldest first.
pub async fn queue(app: &App, actor: &Actor) -> AppResult<Vec<Claim>> {
    access::authorize(actor, Action::PortalClaimDecide)?;
    let f = access::claim_scope(actor, 1);
    let sql = format!(
        "SELECT {COLUMNS} FROM portal_claims c WHERE c.status = 'pending' AND {} \
         ORDER BY c.created_at, c.id LIMIT 200",
        f.sql
    );
    let mut q = sqlx::query(&sql);
    for a in &f.args {
        q = q.bind(a);
    }
    let rows = q.fetch_all(&app.db.pool).await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

async fn load(app: &App, actor: &Actor, id: i64) -> AppResult<(Claim, String)> {
    access::authorize(actor, Action::PortalClaimDecide)?;
    let f = access::claim_scope(actor, 2);
    let sql = format!(
        "SELECT {COLUMNS}, c.candidates FROM portal_claims c WHERE c.id = $1 AND {}",
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
    Ok((from_row(&r)?, r.try_get(17)?))
}

/// One claim with the engine's candidates the officer may see (others in
/// the registry stay out of sight). The view is audited.
pub async fn for_officer(app: &App, actor: &Actor, id: i64) -> AppResult<(Claim, Vec<Candidate>)> {
    let (claim, json) = load(app, actor, id).await?;
    let stored: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap_or_default();
    let mut out = Vec::new();
    for c in stored {
        let (Some(pid), Some(p)) = (c["person_id"].as_i64(), c["probability"].as_f64()) else {
            continue;
        };
        let Ok(person) = people::get(app, actor, pid, false).await else {
            continue;
        };
        if person.deleted_at.is_some() {
            continue;
        }
        out.push(Candidate {
            person_id: pid,
            full_name: person.data.full_name,
            birth_date: person.data.birth_date,
            country: person.data.country,
            hometown_text: person.data.hometown_text,
            city_abroad: person.data.city_abroad,
            probability: p,
        });
    }
    audit::record(
        app,
        actor,
        Event::new("portal.claim_view", "portal_claim", &id),
    )
    .await?;
    Ok((claim, out))
}

/// Links the claim's account to a record within the officer's jurisdiction.
pub async fn link(app: &App, actor: &Actor, id: i64, person_id: i64) -> AppResult<()> {
    let (claim, _) = load(app, actor, id).await?;
    if claim.status != "pending" {
        return Err(AppError::Conflict("decided".into()));
    }
    // Within the officer's jurisdiction and live, or not found.
    let person = people::get(app, actor, person_id, false).await?;
    if person.deleted_at.is_some() {
        return Err(AppError::NotFound);
    }
    decide(app, actor, &claim, "linked", Some(person_id), "").await
}

/// Creates a new record from the claim (the officer's jurisdiction must
/// hold its hometown) and links the account to it.
pub async fn create_record(app: &App, actor: &Actor, id: i64) -> AppResult<i64> {
    let (claim, _) = load(app, actor, id).await?;
    if claim.status != "pending" {
        return Err(AppError::Conflict("decided".into()));
    }
    let input = PersonInput {
        full_name: Some(claim.full_name.clone()),
        birth_date: claim.birth_date.clone(),
        gender: Some(claim.gender.clone()).filter(|g| !g.is_empty()),
        category: Some(domain::Category::Other.code().to_owned()),
        country: Some(claim.country.clone()),
        city_abroad: Some(claim.city.clone()),
        hometown_code: claim.hometown_new_code.clone(),
        hometown_legacy_code: claim.hometown_legacy_code.clone(),
        hometown_text: Some(claim.hometown_text.clone()),
        phone: Some(claim.phone.clone()),
        email: Some(claim.email.clone()),
        ..PersonInput::default()
    };
    let person = people::create(app, actor, &input).await?;
    // What the record holds came from the person: its source says so.
    super::changes::add_self_declared_source(app, person.id, &format!("claim #{id}")).await?;
    decide(app, actor, &claim, "created", Some(person.id), "").await?;
    Ok(person.id)
}

/// Refuses the claim with a reason the person reads.
pub async fn refuse(app: &App, actor: &Actor, id: i64, reason: &str) -> AppResult<()> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid_field("reason", "required"));
    }
    if reason.chars().count() > 1000 {
        return Err(AppError::invalid_field("reason", "too_long"));
    }
    let (claim, _) = load(app, actor, id).await?;
    if claim.status != "pending" {
        return Err(AppError::Conflict("decided".into()));
    }
    decide(app, actor, &claim, "refused", None, reason).await
}

async fn decide(
    app: &App,
    actor: &Actor,
    claim: &Claim,
    status: &str,
    person_id: Option<i64>,
    reason: &str,
) -> AppResult<()> {
    let mut tx = app.db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE portal_claims SET status = $1, person_id = $2, reason = $3, decided_at = $4, \
         decided_by = $5 WHERE id = $6 AND status = 'pending'",
    )
    .bind(status)
    .bind(person_id)
    .bind(reason)
    .bind(clock::fmt(app.clock.now_utc()))
    .bind(actor.user_id)
    .bind(claim.id)
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::Conflict("decided".into()));
    }
    if let Some(pid) = person_id {
        // One account per record: a record already claimed cannot be
        // linked again (the other account would read it).
        let taken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM portal_accounts WHERE person_id = $1 AND id <> $2",
        )
        .bind(pid)
        .bind(claim.account_id)
        .fetch_one(&mut *tx.tx)
        .await?;
        if taken > 0 {
            return Err(AppError::Conflict("person_already_linked".into()));
        }
        sqlx::query("UPDATE portal_accounts SET person_id = $1 WHERE id = $2")
            .bind(pid)
            .bind(claim.account_id)
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query(
            "UPDATE portal_consents SET person_id = $1 WHERE account_id = $2 AND person_id IS NULL",
        )
        .bind(pid)
        .bind(claim.account_id)
        .execute(&mut *tx.tx)
        .await?;
    }
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("portal.claim_decide", "portal_claim", &claim.id)
            .with(serde_json::json!({"decision": status, "person_id": person_id})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The account a claim came from (to tell its owner of the decision).
pub async fn account_of(app: &App, claim_id: i64) -> AppResult<i64> {
    sqlx::query_scalar("SELECT account_id FROM portal_claims WHERE id = $1")
        .bind(claim_id)
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or(AppError::NotFound)
}
