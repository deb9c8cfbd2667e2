//! Petitions and feedback (issue 23 §7: *kiến nghị*, *phản ánh*, *góp
//! ý*) from a person abroad with a portal account: a category, a subject
//! and a text; a tracking number ("KN-2026-000045"); the day it must be
//! answered by, in working days of the province's calendar per category
//! (settings `petition_days_*`); an officer assigns it to themselves,
//! answers (the person reads the answer and receives it by e-mail) and
//! closes it. Every step is audited.
//!
//! The person reaches only their own petitions. Officers: the province
//! all of them; a commune officer those of people linked to a record
//! within jurisdiction (`access::person_scope`; a petition from an account
//! with no record yet is the province's).
//!
//! Not yet: attachments, petitions without an account (verified e-mail
//! alone), forwarding to a competent body, reminders and escalation, the
//! public FAQ and the reports by category and country.

use db::Row;
use serde::Serialize;

use super::calendar;
use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, FieldError, clock};

/// The categories, in the form's order.
pub const CATEGORIES: &[&str] = &["petition", "report", "suggestion"];

/// The longest subject and text.
pub const MAX_SUBJECT: usize = 200;
pub const MAX_BODY: usize = 5000;

/// One petition.
#[derive(Debug, Clone, Serialize)]
pub struct Petition {
    pub id: i64,
    /// "KN-2026-000045".
    pub number: String,
    pub account_id: i64,
    pub person_id: Option<i64>,
    pub category: String,
    pub subject: String,
    pub body: String,
    /// `received`, `assigned`, `answered`, `closed`.
    pub status: String,
    pub received_at: String,
    /// `YYYY-MM-DD`.
    pub answer_by: String,
    /// The officer's name it is assigned to.
    pub assigned_to: String,
    pub answer: String,
    pub answered_at: Option<String>,
    pub closed_at: Option<String>,
}

impl Petition {
    /// Still to be answered.
    pub fn is_open(&self) -> bool {
        matches!(self.status.as_str(), "received" | "assigned")
    }
}

/// Working days to answer a category.
pub fn days_of(app: &App, category: &str) -> i64 {
    match category {
        "report" => app.settings.petition_days_report,
        "suggestion" => app.settings.petition_days_suggestion,
        _ => app.settings.petition_days_petition,
    }
}

/// The tracking number of petition `id` received in `year`.
pub fn number_of(year: i32, id: i64) -> String {
    format!("KN-{year}-{id:06}")
}

const COLUMNS: &str = "t.id, t.number, t.account_id, t.person_id, t.category, t.subject, \
     t.body, t.status, t.received_at, t.answer_by, COALESCE(NULLIF(u.display_name, ''), u.username, ''), \
     t.answer, t.answered_at, t.closed_at";

const FROM: &str = "portal_petitions t LEFT JOIN users u ON u.id = t.assigned_to \
     LEFT JOIN persons p ON p.id = t.person_id";

fn from_row(r: &db::AnyRow) -> AppResult<Petition> {
    Ok(Petition {
        id: r.try_get(0)?,
        number: r.try_get::<Option<String>, _>(1)?.unwrap_or_default(),
        account_id: r.try_get(2)?,
        person_id: r.try_get(3)?,
        category: r.try_get(4)?,
        subject: r.try_get(5)?,
        body: r.try_get(6)?,
        status: r.try_get(7)?,
        received_at: r.try_get(8)?,
        answer_by: r.try_get(9)?,
        assigned_to: r.try_get(10)?,
        answer: r.try_get(11)?,
        answered_at: r.try_get(12)?,
        closed_at: r.try_get(13)?,
    })
}

fn too_long(text: &str, max: usize) -> bool {
    text.chars().count() > max || domain::text::has_forbidden_control(text)
}

/// Sends a petition from the account (linked to `person_id` when it is).
pub async fn send(
    app: &App,
    account_id: i64,
    person_id: Option<i64>,
    ip: &str,
    category: &str,
    subject: &str,
    body: &str,
) -> AppResult<Petition> {
    let (subject, body) = (subject.trim(), body.trim());
    let mut errs = Vec::new();
    if !CATEGORIES.contains(&category) {
        errs.push(FieldError::new("petition_category", "required"));
    }
    if subject.is_empty() {
        errs.push(FieldError::new("petition_subject", "required"));
    } else if too_long(subject, MAX_SUBJECT) {
        errs.push(FieldError::new("petition_subject", "too_long"));
    }
    if body.is_empty() {
        errs.push(FieldError::new("petition_body", "required"));
    } else if body.chars().count() > MAX_BODY
        || body
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        errs.push(FieldError::new("petition_body", "too_long"));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let holidays = calendar::days_off(app).await?;
    let today = app.clock.today();
    let due = calendar::add_working_days(
        today,
        u32::try_from(days_of(app, category).max(0)).unwrap_or(0),
        &holidays,
    );
    let me = access::portal_actor(account_id, person_id, ip);
    let mut tx = app.db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO portal_petitions (account_id, person_id, category, subject, body, \
         received_at, answer_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(account_id)
    .bind(person_id)
    .bind(category)
    .bind(subject)
    .bind(body)
    .bind(clock::fmt(app.clock.now_utc()))
    .bind(calendar::iso(due))
    .fetch_one(&mut *tx.tx)
    .await?;
    let number = number_of(today.year(), id);
    sqlx::query("UPDATE portal_petitions SET number = $1 WHERE id = $2")
        .bind(&number)
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    audit::append(
        &mut tx,
        app,
        &me,
        Event::new("portal.petition_send", "portal_petition", &id)
            .with(serde_json::json!({"petition_category": category, "number": number})),
    )
    .await?;
    tx.commit().await?;
    own(app, account_id, id).await
}

/// The account's petitions, newest first.
pub async fn mine(app: &App, account_id: i64) -> AppResult<Vec<Petition>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE t.account_id = $1 ORDER BY t.id DESC LIMIT 100"
    );
    let rows = sqlx::query(&sql)
        .bind(account_id)
        .fetch_all(&app.db.pool)
        .await?;
    rows.iter().map(from_row).collect()
}

/// One of the account's own petitions (anyone else's: not found).
pub async fn own(app: &App, account_id: i64, id: i64) -> AppResult<Petition> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE t.id = $1 AND t.account_id = $2");
    let r = sqlx::query(&sql)
        .bind(id)
        .bind(account_id)
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    from_row(&r)
}

/// Petitions still to answer within reach, the nearest deadline first.
pub async fn queue(app: &App, actor: &Actor) -> AppResult<Vec<Petition>> {
    access::authorize(actor, Action::PetitionHandle)?;
    let f = access::person_scope(actor, 1);
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE t.status IN ('received', 'assigned') AND {} \
         ORDER BY t.answer_by, t.id LIMIT 500",
        f.sql
    );
    let mut q = sqlx::query(&sql);
    for a in &f.args {
        q = q.bind(a);
    }
    let rows = q.fetch_all(&app.db.pool).await?;
    rows.iter().map(from_row).collect()
}

pub(crate) async fn load(app: &App, actor: &Actor, id: i64) -> AppResult<Petition> {
    access::authorize(actor, Action::PetitionHandle)?;
    let f = access::person_scope(actor, 2);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE t.id = $1 AND {}", f.sql);
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

/// One petition for an officer (the view is audited).
pub async fn for_officer(app: &App, actor: &Actor, id: i64) -> AppResult<Petition> {
    let p = load(app, actor, id).await?;
    audit::record(
        app,
        actor,
        Event::new("portal.petition_view", "portal_petition", &id),
    )
    .await?;
    Ok(p)
}

/// An officer's step on a petition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Received or assigned → assigned to the officer.
    Assign,
    /// Received or assigned → answered (the answer required).
    Answer,
    /// Answered → closed.
    Close,
}

impl Step {
    /// From its form value.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "assign" => Some(Step::Assign),
            "answer" => Some(Step::Answer),
            "close" => Some(Step::Close),
            _ => None,
        }
    }
}

/// Takes a step; answers the petition as it now stands.
pub async fn step(
    app: &App,
    actor: &Actor,
    id: i64,
    step: Step,
    answer: &str,
) -> AppResult<Petition> {
    let p = load(app, actor, id).await?;
    let answer = answer.trim();
    if step == Step::Answer {
        if answer.is_empty() {
            return Err(AppError::invalid_field("petition_answer", "required"));
        }
        if answer.chars().count() > MAX_BODY
            || answer
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(AppError::invalid_field("petition_answer", "too_long"));
        }
    }
    let now = clock::fmt(app.clock.now_utc());
    let (sql, action, from): (&str, &'static str, &[&str]) = match step {
        Step::Assign => (
            "UPDATE portal_petitions SET status = 'assigned', assigned_to = $1, assigned_at = $2 \
             WHERE id = $3 AND status IN ($4, $5)",
            "portal.petition_assign",
            &["received", "assigned"],
        ),
        Step::Answer => (
            "UPDATE portal_petitions SET status = 'answered', answer = $6, answered_at = $2, \
             assigned_to = COALESCE(assigned_to, $1) WHERE id = $3 AND status IN ($4, $5)",
            "portal.petition_answer",
            &["received", "assigned"],
        ),
        Step::Close => (
            "UPDATE portal_petitions SET status = 'closed', closed_at = $2, \
             assigned_to = COALESCE(assigned_to, $1) WHERE id = $3 AND status IN ($4, $5)",
            "portal.petition_close",
            &["answered", "answered"],
        ),
    };
    if !from.contains(&p.status.as_str()) {
        return Err(AppError::Conflict("decided".into()));
    }
    let mut tx = app.db.begin_write().await?;
    let mut q = sqlx::query(sql)
        .bind(actor.user_id)
        .bind(&now)
        .bind(id)
        .bind(from[0])
        .bind(from[1]);
    if step == Step::Answer {
        q = q.bind(answer);
    }
    if q.execute(&mut *tx.tx).await?.rows_affected() == 0 {
        return Err(AppError::Conflict("decided".into()));
    }
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new(action, "portal_petition", &id)
            .with(serde_json::json!({"number": p.number, "petition_category": p.category})),
    )
    .await?;
    tx.commit().await?;
    load(app, actor, id).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn tracking_numbers_read_as_the_province_writes_them() {
        assert_eq!(super::number_of(2026, 45), "KN-2026-000045");
    }
}
