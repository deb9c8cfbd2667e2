//! Commendations (issue 22 §7, *khen thưởng*): the province's proposal,
//! then the decision (number and date) at a level (the provincial
//! certificate of merit...), for a person of the registry or an association.
//!
//! Reading takes [`Action::EventRead`] and shows only the commendations of
//! people and associations within the actor's reach; proposing and
//! recording decisions [`Action::EventManage`] (the province; a mission for
//! people and associations of its countries). Every change is audited and
//! carries a version for `If-Match`.

use db::Row;
use serde::{Deserialize, Serialize};

use crate::access::{self, Action};
use crate::audit::{self, Event as AuditEvent};
use crate::{Actor, App, AppError, AppResult, FieldError, clock};

/// Levels (labels `code.commendation_level.*`), from the province up.
pub const LEVELS: &[&str] = &[
    "provincial_certificate",
    "chairman_certificate",
    "ministry_certificate",
    "committee_certificate",
    "prime_minister_certificate",
    "other",
];

/// Statuses (labels `code.commendation_status.*`).
pub const STATUSES: &[&str] = &["proposed", "approved", "refused"];

/// A commendation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Commendation {
    pub id: i64,
    pub version: i64,
    /// The person commended (absent for an association).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<i64>,
    /// The association commended (absent for a person).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub association_id: Option<i64>,
    /// The recipient's name (a person's or an association's).
    pub recipient: String,
    pub level: String,
    pub reason: String,
    /// ISO day of the proposal.
    pub proposed_on: String,
    /// `proposed`, `approved` or `refused`.
    pub status: String,
    pub decision_number: String,
    pub decision_date: Option<String>,
}

/// A proposal.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommendationInput {
    /// The person proposed (or `association_id`).
    pub person_id: Option<i64>,
    /// The association proposed (or `person_id`).
    pub association_id: Option<i64>,
    /// `provincial_certificate`, `chairman_certificate`, `ministry_certificate`,
    /// `committee_certificate`, `prime_minister_certificate` or `other`.
    pub level: Option<String>,
    /// What it is for.
    pub reason: Option<String>,
    /// Day of the proposal (default today).
    pub proposed_on: Option<String>,
}

/// The decision on a proposal.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// `approved` or `refused`.
    pub status: Option<String>,
    /// "125/QĐ-UBND".
    pub decision_number: Option<String>,
    /// Day of the decision.
    pub decision_date: Option<String>,
}

/// Commendations whose recipient the actor may reach, as SQL on `c`.
fn scope(actor: &Actor) -> (String, Vec<String>) {
    let p = access::person_scope(actor, 1);
    let a = access::association_scope(actor, 1 + p.args.len());
    let sql = format!(
        "((c.person_id IS NOT NULL AND c.person_id IN (SELECT p.id FROM persons p \
         WHERE p.deleted_at IS NULL AND {})) OR (c.association_id IS NOT NULL AND \
         c.association_id IN (SELECT a.id FROM associations a WHERE {})))",
        p.sql, a.sql
    );
    let mut args = p.args;
    args.extend(a.args);
    (sql, args)
}

const SELECT: &str = "SELECT c.id, c.version, c.person_id, c.association_id, \
    COALESCE((SELECT p2.full_name FROM persons p2 WHERE p2.id = c.person_id), \
    (SELECT a2.name FROM associations a2 WHERE a2.id = c.association_id), ''), \
    c.level, c.reason, c.proposed_on, c.status, c.decision_number, c.decision_date \
    FROM commendations c";

fn from_row(r: &db::AnyRow) -> Result<Commendation, db::SqlxError> {
    Ok(Commendation {
        id: r.try_get(0)?,
        version: r.try_get(1)?,
        person_id: r.try_get(2)?,
        association_id: r.try_get(3)?,
        recipient: r.try_get(4)?,
        level: r.try_get(5)?,
        reason: r.try_get(6)?,
        proposed_on: r.try_get(7)?,
        status: r.try_get(8)?,
        decision_number: r.try_get(9)?,
        decision_date: r.try_get(10)?,
    })
}

async fn fetch(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: Option<i64>,
) -> AppResult<Vec<Commendation>> {
    let (sql, args) = scope(actor);
    let mut conds = vec![sql];
    if let Some(id) = id {
        // An integer, not text.
        conds.push(format!("c.id = {id}"));
    }
    let q = format!(
        "{SELECT} WHERE {} ORDER BY c.proposed_on DESC, c.id DESC",
        conds.join(" AND ")
    );
    let mut qy = sqlx::query(&q);
    for a in &args {
        qy = qy.bind(a);
    }
    qy.fetch_all(&mut *conn)
        .await?
        .iter()
        .map(from_row)
        .collect::<Result<Vec<_>, _>>()
        .map_err(AppError::from)
}

/// The commendations of people and associations within reach, newest first.
pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<Commendation>> {
    access::authorize(actor, Action::EventRead)?;
    let mut conn = app.db.pool.acquire().await?;
    fetch(&mut conn, actor, None).await
}

/// True when the actor may propose and record decisions.
pub fn may_manage(actor: &Actor) -> bool {
    access::authorize(actor, Action::EventManage).is_ok()
}

fn day(field: &str, v: Option<&String>, errs: &mut Vec<FieldError>) -> Option<String> {
    let v = v.map_or("", |s| s.trim());
    if v.is_empty() {
        return None;
    }
    let d = domain::dates::read_day(v);
    if d.is_none() {
        errs.push(FieldError::new(field, "invalid_date"));
    }
    d
}

/// Records a proposal for a person or an association within reach.
pub async fn propose(
    app: &App,
    actor: &Actor,
    input: &CommendationInput,
) -> AppResult<Commendation> {
    access::authorize(actor, Action::EventManage)?;
    let mut errs = Vec::new();
    let level = input.level.as_deref().unwrap_or("").trim().to_owned();
    if level.is_empty() {
        errs.push(FieldError::new("level", "required"));
    } else if !LEVELS.contains(&level.as_str()) {
        errs.push(FieldError::new("level", "invalid_code"));
    }
    let reason = input.reason.as_deref().unwrap_or("").trim().to_owned();
    if reason.is_empty() {
        errs.push(FieldError::new("reason", "required"));
    } else if domain::text::has_forbidden_control(&reason) {
        errs.push(FieldError::new("reason", "control_chars"));
    } else if reason.chars().count() > 4000 {
        errs.push(FieldError::new("reason", "too_long"));
    }
    let proposed_on =
        day("proposed_on", input.proposed_on.as_ref(), &mut errs).unwrap_or_else(clock::today);
    match (input.person_id, input.association_id) {
        (Some(_), None) | (None, Some(_)) => {}
        (Some(_), Some(_)) => errs.push(FieldError::new("association_id", "invalid_value")),
        (None, None) => errs.push(FieldError::new("person_id", "required")),
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let now = clock::now();
    let mut tx = app.db.begin_write().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO commendations (person_id, association_id, level, reason, proposed_on, \
         status, decision_number, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'proposed', '', 1, $6, $7) RETURNING id",
    )
    .bind(input.person_id)
    .bind(input.association_id)
    .bind(&level)
    .bind(&reason)
    .bind(&proposed_on)
    .bind(&now)
    .bind(&now)
    .fetch_one(&mut *tx.tx)
    .await?
    .try_get(0)?;
    // The recipient must be within reach (a mission: of its countries).
    let Some(c) = fetch(&mut tx.tx, actor, Some(id)).await?.pop() else {
        let field = if input.person_id.is_some() {
            "person_id"
        } else {
            "association_id"
        };
        return Err(AppError::invalid_field(field, "out_of_jurisdiction"));
    };
    audit::append(
        &mut tx,
        app,
        actor,
        AuditEvent::new("commendation.propose", "commendation", &id)
            .with(serde_json::json!({"commendation_level": level})),
    )
    .await?;
    tx.commit().await?;
    Ok(c)
}

/// Records the decision on a proposal when `expected_version` is current.
pub async fn decide(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    input: &DecisionInput,
) -> AppResult<Commendation> {
    access::authorize(actor, Action::EventManage)?;
    let mut errs = Vec::new();
    let status = input.status.as_deref().unwrap_or("").trim().to_owned();
    if !matches!(status.as_str(), "approved" | "refused") {
        errs.push(FieldError::new("status", "invalid_code"));
    }
    let number = input
        .decision_number
        .as_deref()
        .unwrap_or("")
        .trim()
        .to_owned();
    if status == "approved" && number.is_empty() {
        errs.push(FieldError::new("decision_number", "required"));
    } else if number.chars().count() > 60 || domain::text::has_forbidden_control(&number) {
        errs.push(FieldError::new("decision_number", "too_long"));
    }
    let date = day("decision_date", input.decision_date.as_ref(), &mut errs);
    if status == "approved" && date.is_none() && !errs.iter().any(|e| e.field == "decision_date") {
        errs.push(FieldError::new("decision_date", "required"));
    }
    let mut tx = app.db.begin_write().await?;
    let current = fetch(&mut tx.tx, actor, Some(id))
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    if !crate::registry::version_matches(expected_version, current.version) {
        return Err(AppError::PreconditionFailed {
            current_version: current.version,
        });
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    sqlx::query(
        "UPDATE commendations SET status = $1, decision_number = $2, decision_date = $3, \
         version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6",
    )
    .bind(&status)
    .bind(&number)
    .bind(date)
    .bind(clock::now())
    .bind(id)
    .bind(current.version)
    .execute(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        AuditEvent::new("commendation.decide", "commendation", &id)
            .with(serde_json::json!({"commendation_status": status})),
    )
    .await?;
    let c = fetch(&mut tx.tx, actor, Some(id))
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(c)
}

/// Demo: a commendation proposed for an association's leader and decided.
pub(crate) async fn seed_demo(app: &App, system: &Actor) -> AppResult<()> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM commendations")
        .fetch_one(&app.db.pool)
        .await?;
    if n > 0 {
        return Ok(());
    }
    let officer = Actor {
        role: domain::Role::ProvinceOfficer,
        jurisdiction: crate::Jurisdiction::Province,
        token_scopes: None,
        ..system.clone()
    };
    let leader: Option<i64> = sqlx::query_scalar("SELECT MIN(person_id) FROM association_leaders")
        .fetch_one(&app.db.pool)
        .await?;
    let association: Option<i64> = sqlx::query_scalar("SELECT MIN(id) FROM associations")
        .fetch_one(&app.db.pool)
        .await?;
    let year = clock::current_year();
    if let Some(p) = leader {
        let c = propose(
            app,
            &officer,
            &CommendationInput {
                person_id: Some(p),
                association_id: None,
                level: Some("provincial_certificate".into()),
                reason: Some(
                    "Có nhiều đóng góp cho quê hương trong vận động kiều bào ủng hộ học bổng"
                        .into(),
                ),
                proposed_on: Some(format!("{year}-01-05")),
            },
        )
        .await?;
        decide(
            app,
            &officer,
            c.id,
            c.version,
            &DecisionInput {
                status: Some("approved".into()),
                decision_number: Some("125/QĐ-UBND".into()),
                decision_date: Some(format!("{year}-01-20")),
            },
        )
        .await?;
    }
    if let Some(a) = association {
        propose(
            app,
            &officer,
            &CommendationInput {
                person_id: None,
                association_id: Some(a),
                level: Some("chairman_certificate".into()),
                reason: Some("Tổ chức tốt các hoạt động hướng về quê hương".into()),
                proposed_on: Some(format!("{year}-02-10")),
            },
        )
        .await?;
    }
    Ok(())
}
