//! Data-subject requests (issue 23 §5; Luật Bảo vệ dữ liệu cá nhân
//! 91/2025/QH15, Nghị định 356/2025/NĐ-CP): a person linked to a record
//! asks for access to their data, its correction or deletion, a
//! restriction of its processing, objects to it, or withdraws consent.
//! Each request has a tracking number ("YC-2026-000123"), a state
//! (received → acknowledged → in progress → done, or refused with a reason
//! the person reads) and two deadlines counted in working days of the
//! province's calendar ([`super::calendar`]) from the day it was received.
//!
//! The person reaches only their own requests (every query is bound to the
//! account); officers of the record's jurisdiction (the province, the
//! commune officers of the person's hometown) work through a queue sorted
//! by deadline, and every step is audited. Completing a deletion
//! anonymises the record ([`crate::registry::people::anonymise`]).

use std::collections::BTreeSet;

use db::Row;
use serde::Serialize;
use time::Date;

use super::calendar;
use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::registry::people;
use crate::{Actor, App, AppError, AppResult, FieldError, clock};

/// What a person may ask, in the form's order.
pub const KINDS: &[&str] = &[
    "access",
    "correction",
    "deletion",
    "restriction",
    "objection",
    "withdrawal",
];

/// Kinds whose request must say what it is about.
const NEEDS_DETAILS: &[&str] = &["correction", "restriction", "objection"];

/// The longest text a person or an officer writes.
pub const MAX_TEXT: usize = 2000;

/// Working days before a deadline at which a request shows as near.
pub const NEAR_DAYS: i64 = 2;

/// One request.
#[derive(Debug, Clone, Serialize)]
pub struct DataRequest {
    pub id: i64,
    /// "YC-2026-000123".
    pub number: String,
    pub account_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub kind: String,
    pub details: String,
    /// `received`, `acknowledged`, `in_progress`, `done`, `refused`.
    pub status: String,
    pub received_at: String,
    /// `YYYY-MM-DD`: the last day to acknowledge, and to complete.
    pub acknowledge_by: String,
    pub complete_by: String,
    pub acknowledged_at: Option<String>,
    pub started_at: Option<String>,
    pub closed_at: Option<String>,
    /// The officer's answer (a refusal's reason).
    pub answer: String,
    /// For a withdrawal opened by the system when a consent was withdrawn
    /// (issue 23 §4): the purpose withdrawn; empty for a person's request.
    pub purpose: String,
}

/// How a request stands against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Urgency {
    /// Closed, or the deadline is further than [`NEAR_DAYS`] working days.
    Calm,
    /// The deadline is within [`NEAR_DAYS`] working days (or today).
    Near,
    /// The deadline has passed.
    Overdue,
}

impl DataRequest {
    /// Not yet done or refused.
    pub fn is_open(&self) -> bool {
        matches!(
            self.status.as_str(),
            "received" | "acknowledged" | "in_progress"
        )
    }

    /// The deadline that applies now: acknowledging while received, then
    /// completing; none once closed.
    pub fn next_deadline(&self) -> Option<&str> {
        match self.status.as_str() {
            "received" => Some(&self.acknowledge_by),
            "acknowledged" | "in_progress" => Some(&self.complete_by),
            _ => None,
        }
    }

    /// Where the request stands on `today` (a request past its
    /// acknowledgement day is overdue even if completion is far off).
    pub fn urgency(&self, today: Date, holidays: &BTreeSet<Date>) -> Urgency {
        let Some(due) = self.next_deadline().and_then(calendar::parse_iso) else {
            return Urgency::Calm;
        };
        if today > due {
            Urgency::Overdue
        } else if calendar::working_days_between(today, due, holidays) <= NEAR_DAYS {
            Urgency::Near
        } else {
            Urgency::Calm
        }
    }
}

const COLUMNS: &str = "r.id, r.number, r.account_id, r.person_id, p.full_name, r.kind, \
     r.details, r.status, r.received_at, r.acknowledge_by, r.complete_by, r.acknowledged_at, \
     r.started_at, r.closed_at, r.answer, r.purpose";

fn from_row(r: &db::AnyRow) -> AppResult<DataRequest> {
    Ok(DataRequest {
        id: r.try_get(0)?,
        number: r.try_get::<Option<String>, _>(1)?.unwrap_or_default(),
        account_id: r.try_get(2)?,
        person_id: r.try_get(3)?,
        person_name: r.try_get(4)?,
        kind: r.try_get(5)?,
        details: r.try_get(6)?,
        status: r.try_get(7)?,
        received_at: r.try_get(8)?,
        acknowledge_by: r.try_get(9)?,
        complete_by: r.try_get(10)?,
        acknowledged_at: r.try_get(11)?,
        started_at: r.try_get(12)?,
        closed_at: r.try_get(13)?,
        answer: r.try_get(14)?,
        purpose: r.try_get(15)?,
    })
}

/// The tracking number of request `id` received in `year`.
pub fn number_of(year: i32, id: i64) -> String {
    format!("YC-{year}-{id:06}")
}

fn check_text(field: &str, text: &str, errs: &mut Vec<FieldError>) {
    if text.chars().count() > MAX_TEXT || domain::text::has_forbidden_control(text) {
        errs.push(FieldError::new(field, "too_long"));
    }
}

/// Opens a request for the account's linked record: deadlines from today
/// (in Vietnam) by the calendar. One open request of a kind at a time.
pub async fn open(
    app: &App,
    account_id: i64,
    person_id: i64,
    ip: &str,
    kind: &str,
    details: &str,
) -> AppResult<DataRequest> {
    let details = details.trim();
    let mut errs = Vec::new();
    if !KINDS.contains(&kind) {
        errs.push(FieldError::new("request_kind", "required"));
    } else if NEEDS_DETAILS.contains(&kind) && details.is_empty() {
        errs.push(FieldError::new("request_details", "required"));
    }
    check_text("request_details", details, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM portal_requests WHERE account_id = $1 AND kind = $2 \
         AND status IN ('received', 'acknowledged', 'in_progress') AND purpose = ''",
    )
    .bind(account_id)
    .bind(kind)
    .fetch_one(&app.db.pool)
    .await?;
    if open > 0 {
        return Err(AppError::Conflict("request_open".into()));
    }
    let (today, ack, due) = deadlines(app).await?;
    let me = access::portal_actor(account_id, Some(person_id), ip);
    let mut tx = app.db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO portal_requests (account_id, person_id, kind, details, received_at, \
         acknowledge_by, complete_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(account_id)
    .bind(person_id)
    .bind(kind)
    .bind(details)
    .bind(clock::fmt(app.clock.now_utc()))
    .bind(calendar::iso(ack))
    .bind(calendar::iso(due))
    .fetch_one(&mut *tx.tx)
    .await?;
    let number = number_of(today.year(), id);
    sqlx::query("UPDATE portal_requests SET number = $1 WHERE id = $2")
        .bind(&number)
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    audit::append(
        &mut tx,
        app,
        &me,
        Event::new("portal.request_open", "portal_request", &id).with(
            serde_json::json!({"person_id": person_id, "request_kind": kind, "number": number}),
        ),
    )
    .await?;
    tx.commit().await?;
    own(app, account_id, id).await
}

/// Today in Vietnam and the two deadlines of a request received today.
pub(crate) async fn deadlines(app: &App) -> AppResult<(Date, Date, Date)> {
    let holidays = calendar::days_off(app).await?;
    let today = app.clock.today();
    let days = |n: i64| u32::try_from(n.max(0)).unwrap_or(0);
    let ack = calendar::add_working_days(
        today,
        days(app.settings.request_acknowledge_days),
        &holidays,
    );
    let due =
        calendar::add_working_days(today, days(app.settings.request_complete_days), &holidays);
    Ok((today, ack, due))
}

/// Opens, inside the consent's own transaction, the withdrawal request the
/// officers must carry out when a consent that cannot take effect by
/// itself is withdrawn (issue 23 §4: keeping the record, sharing with the
/// national database): numbered, with the deadlines of any request
/// (`when` from [`deadlines`], read before the transaction), audited. None
/// when one for the same purpose is still open.
pub(crate) async fn open_withdrawal_in(
    tx: &mut db::WriteTx,
    app: &App,
    actor: &Actor,
    account_id: i64,
    person_id: i64,
    purpose: &str,
    when: (Date, Date, Date),
) -> AppResult<Option<i64>> {
    let (today, ack, due) = when;
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM portal_requests WHERE account_id = $1 AND kind = 'withdrawal' \
         AND purpose = $2 AND status IN ('received', 'acknowledged', 'in_progress')",
    )
    .bind(account_id)
    .bind(purpose)
    .fetch_one(&mut *tx.tx)
    .await?;
    if open > 0 {
        return Ok(None);
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO portal_requests (account_id, person_id, kind, details, received_at, \
         acknowledge_by, complete_by, purpose) VALUES ($1, $2, 'withdrawal', '', $3, $4, $5, $6) \
         RETURNING id",
    )
    .bind(account_id)
    .bind(person_id)
    .bind(clock::fmt(app.clock.now_utc()))
    .bind(calendar::iso(ack))
    .bind(calendar::iso(due))
    .bind(purpose)
    .fetch_one(&mut *tx.tx)
    .await?;
    let number = number_of(today.year(), id);
    sqlx::query("UPDATE portal_requests SET number = $1 WHERE id = $2")
        .bind(&number)
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    audit::append(
        tx,
        app,
        actor,
        Event::new("portal.request_open", "portal_request", &id).with(serde_json::json!({
            "person_id": person_id, "request_kind": "withdrawal", "number": number,
            "purpose": purpose,
        })),
    )
    .await?;
    Ok(Some(id))
}

/// The account's requests, newest first.
pub async fn mine(app: &App, account_id: i64) -> AppResult<Vec<DataRequest>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM portal_requests r JOIN persons p ON p.id = r.person_id \
         WHERE r.account_id = $1 ORDER BY r.id DESC LIMIT 100"
    );
    let rows = sqlx::query(&sql)
        .bind(account_id)
        .fetch_all(&app.db.pool)
        .await?;
    rows.iter().map(from_row).collect()
}

/// One of the account's own requests (anyone else's: not found).
pub async fn own(app: &App, account_id: i64, id: i64) -> AppResult<DataRequest> {
    let sql = format!(
        "SELECT {COLUMNS} FROM portal_requests r JOIN persons p ON p.id = r.person_id \
         WHERE r.id = $1 AND r.account_id = $2"
    );
    let r = sqlx::query(&sql)
        .bind(id)
        .bind(account_id)
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    from_row(&r)
}

/// Open requests of people within the officer's jurisdiction, the nearest
/// deadline first (acknowledgement while received, completion after).
pub async fn queue(app: &App, actor: &Actor) -> AppResult<Vec<DataRequest>> {
    access::authorize(actor, Action::PortalRequestHandle)?;
    let f = access::person_scope(actor, 1);
    let sql = format!(
        "SELECT {COLUMNS} FROM portal_requests r JOIN persons p ON p.id = r.person_id \
         WHERE r.status IN ('received', 'acknowledged', 'in_progress') AND {} \
         ORDER BY CASE WHEN r.status = 'received' THEN r.acknowledge_by ELSE r.complete_by END, \
         r.id LIMIT 500",
        f.sql
    );
    let mut q = sqlx::query(&sql);
    for a in &f.args {
        q = q.bind(a);
    }
    let rows = q.fetch_all(&app.db.pool).await?;
    rows.iter().map(from_row).collect()
}

/// How many open requests within jurisdiction are overdue, and how many
/// are near their deadline (the staff home page). None when the actor
/// does not handle requests.
pub async fn due_counts(app: &App, actor: &Actor) -> AppResult<Option<(i64, i64)>> {
    if access::authorize(actor, Action::PortalRequestHandle).is_err() {
        return Ok(None);
    }
    let list = queue(app, actor).await?;
    let holidays = calendar::days_off(app).await?;
    let today = app.clock.today();
    let mut overdue = 0;
    let mut near = 0;
    for r in &list {
        match r.urgency(today, &holidays) {
            Urgency::Overdue => overdue += 1,
            Urgency::Near => near += 1,
            Urgency::Calm => {}
        }
    }
    Ok(Some((overdue, near)))
}

async fn load(app: &App, actor: &Actor, id: i64) -> AppResult<DataRequest> {
    access::authorize(actor, Action::PortalRequestHandle)?;
    let f = access::person_scope(actor, 2);
    let sql = format!(
        "SELECT {COLUMNS} FROM portal_requests r JOIN persons p ON p.id = r.person_id \
         WHERE r.id = $1 AND {}",
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
    from_row(&r)
}

/// One request for the officer (the view is audited).
pub async fn for_officer(app: &App, actor: &Actor, id: i64) -> AppResult<DataRequest> {
    let r = load(app, actor, id).await?;
    audit::record(
        app,
        actor,
        Event::new("portal.request_view", "portal_request", &id)
            .with(serde_json::json!({"person_id": r.person_id})),
    )
    .await?;
    Ok(r)
}

/// An officer's step on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Received → acknowledged.
    Acknowledge,
    /// Received or acknowledged → in progress.
    Start,
    /// Open → done (a deletion anonymises the record first).
    Complete,
    /// Open → refused (a reason is required).
    Refuse,
}

impl Step {
    /// From its form value.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "acknowledge" => Some(Step::Acknowledge),
            "start" => Some(Step::Start),
            "complete" => Some(Step::Complete),
            "refuse" => Some(Step::Refuse),
            _ => None,
        }
    }

    fn allowed_from(self) -> &'static [&'static str] {
        match self {
            Step::Acknowledge => &["received"],
            Step::Start => &["received", "acknowledged"],
            Step::Complete | Step::Refuse => &["received", "acknowledged", "in_progress"],
        }
    }

    fn to(self) -> &'static str {
        match self {
            Step::Acknowledge => "acknowledged",
            Step::Start => "in_progress",
            Step::Complete => "done",
            Step::Refuse => "refused",
        }
    }

    fn action(self) -> &'static str {
        match self {
            Step::Acknowledge => "portal.request_acknowledge",
            Step::Start => "portal.request_start",
            Step::Complete => "portal.request_complete",
            Step::Refuse => "portal.request_refuse",
        }
    }
}

/// Takes a step on a request within jurisdiction, with the officer's
/// answer (required to refuse; shown to the person). Answers the request
/// as it now stands.
pub async fn step(
    app: &App,
    actor: &Actor,
    id: i64,
    step: Step,
    answer: &str,
) -> AppResult<DataRequest> {
    let r = load(app, actor, id).await?;
    let answer = answer.trim();
    let mut errs = Vec::new();
    if step == Step::Refuse && answer.is_empty() {
        errs.push(FieldError::new("request_answer", "reason_required"));
    }
    check_text("request_answer", answer, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    if !step.allowed_from().contains(&r.status.as_str()) {
        return Err(AppError::Conflict("decided".into()));
    }
    if step == Step::Complete && r.kind == "deletion" {
        people::anonymise(app, actor, r.person_id, &r.number).await?;
        scrub_portal(app, r.account_id, r.person_id).await?;
    }
    let now = clock::fmt(app.clock.now_utc());
    let mut tx = app.db.begin_write().await?;
    let column = match step {
        Step::Acknowledge => "acknowledged_at",
        Step::Start => "started_at",
        Step::Complete | Step::Refuse => "closed_at",
    };
    // The status is checked again in the update: two officers deciding at
    // once, the second finds it changed.
    let from = step.allowed_from();
    let placeholders: Vec<String> = (0..from.len()).map(|i| format!("${}", i + 6)).collect();
    // Any step after receipt also counts as the acknowledgement.
    let ack = if column == "acknowledged_at" {
        ""
    } else {
        "acknowledged_at = COALESCE(acknowledged_at, $2),"
    };
    let sql = format!(
        "UPDATE portal_requests SET status = $1, {column} = $2, {ack} \
         answer = CASE WHEN $3 = '' THEN answer ELSE $3 END, handled_by = $4 \
         WHERE id = $5 AND status IN ({})",
        placeholders.join(", ")
    );
    let mut q = sqlx::query(&sql)
        .bind(step.to())
        .bind(&now)
        .bind(answer)
        .bind(actor.user_id)
        .bind(id);
    for s in from {
        q = q.bind(*s);
    }
    if q.execute(&mut *tx.tx).await?.rows_affected() == 0 {
        return Err(AppError::Conflict("decided".into()));
    }
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new(step.action(), "portal_request", &id).with(serde_json::json!({
            "person_id": r.person_id, "number": r.number, "request_kind": r.kind,
        })),
    )
    .await?;
    tx.commit().await?;
    load(app, actor, id).await
}

/// After a deletion: what the person typed on the portal about themselves
/// (their claim, the values of their corrections) is emptied too. The
/// account stays (so the person reads the answer and can sign in).
async fn scrub_portal(app: &App, account_id: i64, person_id: i64) -> AppResult<()> {
    let mut tx = app.db.begin_write().await?;
    sqlx::query(
        "UPDATE portal_claims SET full_name = '', birth_date = NULL, hometown_text = '', \
         city = '', phone = '', email = '', candidates = '[]' WHERE account_id = $1",
    )
    .bind(account_id)
    .execute(&mut *tx.tx)
    .await?;
    sqlx::query(
        "UPDATE portal_change_fields SET old_value = '', new_value = '' WHERE change_id IN \
         (SELECT id FROM portal_changes WHERE person_id = $1)",
    )
    .bind(person_id)
    .execute(&mut *tx.tx)
    .await?;
    super::directory::delete_in(&mut tx, account_id).await?;
    tx.commit().await?;
    Ok(())
}

/// What an access request gives the person: their record as the portal
/// shows it, their relatives, consents, corrections and requests.
#[derive(Debug, Clone, Serialize)]
pub struct OwnData {
    pub number: String,
    pub generated_at: String,
    /// `(field, stored value)`, in the page's order.
    pub record: Vec<(String, String)>,
    /// `(name, relationship code, birth year)`.
    pub relatives: Vec<(String, String, Option<i64>)>,
    /// `(purpose, action, at, text version)`, oldest first.
    pub consents: Vec<(String, String, String, String)>,
    pub corrections: Vec<super::changes::ChangeRequest>,
    pub requests: Vec<DataRequest>,
}

/// The data of a done access request of the account's own (anything else:
/// not found). The download is audited.
pub async fn own_data(app: &App, account_id: i64, id: i64, ip: &str) -> AppResult<OwnData> {
    let r = own(app, account_id, id).await?;
    if r.kind != "access" || r.status != "done" {
        return Err(AppError::NotFound);
    }
    let own = super::changes::own_record(app, account_id, r.person_id, ip).await?;
    let mut record: Vec<(String, String)> = super::changes::FIELDS
        .iter()
        .map(|f| ((*f).to_owned(), super::changes::value_of(&own.data, f)))
        .collect();
    record.insert(3, ("hometown_text".into(), own.data.hometown_text.clone()));
    let acts = super::consent_acts::acts(app, "account_id", account_id).await?;
    let mut consents: Vec<_> = acts
        .into_iter()
        .map(|a| (a.purpose, a.action, a.at, a.text_version))
        .collect();
    consents.sort_by(|a, b| a.2.cmp(&b.2));
    let data = OwnData {
        number: r.number.clone(),
        generated_at: clock::fmt(app.clock.now_utc()),
        record,
        relatives: own.relatives,
        consents,
        corrections: super::changes::mine(app, account_id).await?,
        requests: mine(app, account_id).await?,
    };
    audit::record(
        app,
        &access::portal_actor(account_id, Some(r.person_id), ip),
        Event::new("portal.request_download", "portal_request", &id)
            .with(serde_json::json!({"person_id": r.person_id})),
    )
    .await?;
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn req(status: &str) -> DataRequest {
        DataRequest {
            id: 1,
            number: number_of(2026, 123),
            account_id: 1,
            person_id: 1,
            person_name: String::new(),
            kind: "access".into(),
            details: String::new(),
            status: status.into(),
            received_at: String::new(),
            acknowledge_by: "2026-04-29".into(),
            complete_by: "2026-05-20".into(),
            acknowledged_at: None,
            started_at: None,
            closed_at: None,
            answer: String::new(),
            purpose: String::new(),
        }
    }

    #[test]
    fn tracking_numbers_read_as_the_province_writes_them() {
        assert_eq!(number_of(2026, 123), "YC-2026-000123");
    }

    #[test]
    fn the_deadline_that_applies_follows_the_state() {
        let h = BTreeSet::from([date!(2026 - 04 - 30), date!(2026 - 05 - 01)]);
        let r = req("received");
        assert_eq!(r.next_deadline(), Some("2026-04-29"));
        assert_eq!(r.urgency(date!(2026 - 04 - 24), &h), Urgency::Calm);
        assert_eq!(r.urgency(date!(2026 - 04 - 28), &h), Urgency::Near);
        assert_eq!(r.urgency(date!(2026 - 04 - 29), &h), Urgency::Near);
        assert_eq!(r.urgency(date!(2026 - 04 - 30), &h), Urgency::Overdue);
        let r = req("in_progress");
        assert_eq!(r.urgency(date!(2026 - 04 - 30), &h), Urgency::Calm);
        assert_eq!(r.urgency(date!(2026 - 05 - 21), &h), Urgency::Overdue);
        assert_eq!(
            req("done").urgency(date!(2027 - 01 - 01), &h),
            Urgency::Calm
        );
        assert!(!req("refused").is_open());
    }
}
