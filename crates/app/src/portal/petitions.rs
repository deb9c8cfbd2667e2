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
//! Attachments: PDF, JPEG or PNG as their bytes show (the sniffing of
//! `publishing::files`), at most `petition_file_max_bytes` each and
//! [`MAX_FILES`] a petition, kept in the database and reached only by the
//! sender and the officers who may read the petition (an officer's
//! download is audited).
//!
//! Forwarding to a competent body (state `forwarded`): the body, the day
//! and the forwarding letter, a .docx in the layout of Decree 30/2020/NĐ-CP
//! made by `community::letters` and kept as made; the sender sees where
//! it went.
//!
//! Without an account (a relative at home, a person who does not want
//! one): the petition is kept `unverified` with the sender's e-mail address
//! until the link sent there is followed (single use, 48 hours); only then
//! is it registered (number, deadline) and a secret link given to follow
//! it (only the SHA-256 of either token is kept). Such petitions are the
//! province's (no record within a commune's reach).
//!
//! Watched (each server, every minute, [`watch_every`]): a petition whose
//! deadline is within `petition_remind_days` working days is marked
//! reminded, and an overdue one escalated to the province, each once
//! (one conditional `UPDATE` claims it, so several servers never do it
//! twice) and audited; officers' home pages count them. The server that
//! marked it e-mails it ([`notify_due`], words written by the web layer):
//! a reminder to the assignee (to the province's officers while nobody is
//! assigned), an escalation to the province's officers — those of them who
//! gave their account an address, each in the language they chose.
//!
//! Reports ([`report`]): petitions by category, by the sender's country
//! and by state, each with how many were answered (or forwarded) by their
//! deadline, within the officer's jurisdiction.

use std::fmt::Write as _;

use db::Row;
use serde::Serialize;

use super::calendar;
use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::community::letters;
use crate::publishing::files;
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
    /// The sender's portal account (none: sent with a verified address alone).
    pub account_id: Option<i64>,
    /// Without an account: the sender's address and the language of its e-mails.
    pub sender_email: String,
    pub sender_lang: String,
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
    /// The competent body it was forwarded to (empty: not forwarded).
    pub forwarded_to: String,
    /// `YYYY-MM-DD` of the forwarding letter.
    pub forwarded_on: Option<String>,
    /// Number and symbol of the forwarding letter.
    pub forward_number: String,
    /// When it was escalated to the province as overdue.
    pub escalated_at: Option<String>,
}

impl Petition {
    /// Still to be answered.
    pub fn is_open(&self) -> bool {
        // `forwarded`, `answered` and `closed` are done with.
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
     t.answer, t.answered_at, t.closed_at, t.forwarded_to, t.forwarded_on, t.forward_number, \
     t.escalated_at, t.sender_email, t.sender_lang";

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
        forwarded_to: r.try_get(14)?,
        forwarded_on: r.try_get(15)?,
        forward_number: r.try_get(16)?,
        escalated_at: r.try_get(17)?,
        sender_email: r.try_get(18)?,
        sender_lang: r.try_get(19)?,
    })
}

fn too_long(text: &str, max: usize) -> bool {
    text.chars().count() > max || domain::text::has_forbidden_control(text)
}

/// The checks of a petition's fields (`errs`: errors found before).
fn check(category: &str, subject: &str, body: &str, mut errs: Vec<FieldError>) -> AppResult<()> {
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
    if errs.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errs))
    }
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
    check(category, subject, body, Vec::new())?;
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
    .bind(Some(account_id))
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
            &["answered", "forwarded"],
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

/// Most files attached to one petition.
pub const MAX_FILES: i64 = 5;

/// A file attached to a petition (its bytes apart).
#[derive(Debug, Clone, Serialize)]
pub struct PetitionFile {
    pub id: i64,
    pub name: String,
    pub media_type: String,
    pub bytes: i64,
    pub created_at: String,
}

/// A file to download.
#[derive(Debug, Clone)]
pub struct FileData {
    pub name: String,
    pub media_type: String,
    pub data: Vec<u8>,
}

/// What an attachment is by its bytes: a PDF (a Word or Excel file is not
/// taken here), a PNG or a JPEG.
pub fn sniff(data: &[u8]) -> Option<(&'static str, &'static str)> {
    match files::sniff_attachment(data, "") {
        Some((files::PDF, ext)) => Some((files::PDF, ext)),
        Some(_) => None,
        None => files::sniff_picture(data),
    }
}

/// Attaches a file to one of the account's own petitions while it is open.
pub async fn attach(
    app: &App,
    account_id: i64,
    person_id: Option<i64>,
    ip: &str,
    id: i64,
    name: &str,
    data: Vec<u8>,
) -> AppResult<PetitionFile> {
    let p = own(app, account_id, id).await?;
    if !p.is_open() {
        return Err(AppError::Conflict("decided".into()));
    }
    if data.is_empty() {
        return Err(AppError::invalid_field("petition_file", "required"));
    }
    if i64::try_from(data.len()).unwrap_or(i64::MAX) > app.settings.petition_file_max_bytes {
        return Err(AppError::invalid_field(
            "petition_file",
            "petition_file_too_large",
        ));
    }
    let (media_type, ext) =
        sniff(&data).ok_or_else(|| AppError::invalid_field("petition_file", "not_pdf_or_image"))?;
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM portal_petition_files WHERE petition_id = $1")
            .bind(id)
            .fetch_one(&app.db.pool)
            .await?;
    if count >= MAX_FILES {
        return Err(AppError::invalid_field("petition_file", "too_many"));
    }
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&data));
    let shown = files::clean_name(name, ext);
    let me = access::portal_actor(account_id, person_id, ip);
    let mut tx = app.db.begin_write().await?;
    let file_id: i64 = sqlx::query_scalar(
        "INSERT INTO portal_petition_files (petition_id, name, media_type, bytes, sha256, \
         created_at, data) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(id)
    .bind(&shown)
    .bind(media_type)
    .bind(i64::try_from(data.len()).unwrap_or(i64::MAX))
    .bind(&sha)
    .bind(clock::fmt(app.clock.now_utc()))
    .bind(data.as_slice())
    .fetch_one(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        &me,
        Event::new("portal.petition_file_add", "portal_petition", &id)
            .with(serde_json::json!({"number": p.number, "sha256": sha})),
    )
    .await?;
    tx.commit().await?;
    files_of(app, id)
        .await?
        .into_iter()
        .find(|f| f.id == file_id)
        .ok_or(AppError::NotFound)
}

/// The files of a petition, oldest first (no check: the caller has it).
pub async fn files_of(app: &App, id: i64) -> AppResult<Vec<PetitionFile>> {
    let rows = sqlx::query(
        "SELECT id, name, media_type, bytes, created_at FROM portal_petition_files \
         WHERE petition_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&app.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PetitionFile {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                media_type: r.try_get(2)?,
                bytes: r.try_get(3)?,
                created_at: r.try_get(4)?,
            })
        })
        .collect()
}

async fn file_data(app: &App, id: i64, file_id: i64) -> AppResult<FileData> {
    let r = sqlx::query(
        "SELECT name, media_type, data FROM portal_petition_files WHERE id = $1 AND petition_id = $2",
    )
    .bind(file_id)
    .bind(id)
    .fetch_optional(&app.db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(FileData {
        name: r.try_get(0)?,
        media_type: r.try_get(1)?,
        data: r.try_get(2)?,
    })
}

/// A file of one of the account's own petitions (anyone else's: not found).
pub async fn own_file(app: &App, account_id: i64, id: i64, file_id: i64) -> AppResult<FileData> {
    own(app, account_id, id).await?;
    file_data(app, id, file_id).await
}

/// A file of a petition the officer may read (the download is audited).
pub async fn officer_file(app: &App, actor: &Actor, id: i64, file_id: i64) -> AppResult<FileData> {
    let p = load(app, actor, id).await?;
    let f = file_data(app, id, file_id).await?;
    audit::record(
        app,
        actor,
        Event::new("portal.petition_file_view", "portal_petition", &id)
            .with(serde_json::json!({"number": p.number})),
    )
    .await?;
    Ok(f)
}

/// Where and how a petition is forwarded, as the officer typed it.
#[derive(Debug, Clone, Default)]
pub struct ForwardInput {
    /// The competent body ("Công an tỉnh Hà Tĩnh").
    pub body: String,
    /// The day of the letter as typed (empty: today).
    pub date: String,
    /// Number and symbol of the letter (empty: left for the clerk).
    pub number: String,
    /// A paragraph of the officer's own for the letter.
    pub note: String,
}

/// The longest competent body's name and note.
pub const MAX_FORWARD_BODY: usize = 300;
pub const MAX_FORWARD_NOTE: usize = 2000;

/// Forwards an open petition to a competent body: records the body, the
/// day and the forwarding letter (.docx, Decree 30 layout) and moves it to
/// `forwarded`. Audited.
pub async fn forward(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ForwardInput,
) -> AppResult<Petition> {
    let p = load(app, actor, id).await?;
    let (to, number, note) = (input.body.trim(), input.number.trim(), input.note.trim());
    let mut errs = Vec::new();
    if to.is_empty() {
        errs.push(FieldError::new("forward_body", "required"));
    } else if too_long(to, MAX_FORWARD_BODY) {
        errs.push(FieldError::new("forward_body", "too_long"));
    }
    let day = if input.date.trim().is_empty() {
        Some(calendar::iso(app.clock.today()))
    } else {
        domain::dates::read_day(input.date.trim())
    };
    if day.is_none() {
        errs.push(FieldError::new("forward_date", "invalid_date"));
    }
    if too_long(number, 60) {
        errs.push(FieldError::new("forward_number", "too_long"));
    }
    if note.chars().count() > MAX_FORWARD_NOTE
        || note
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        errs.push(FieldError::new("forward_note", "too_long"));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    if !p.is_open() {
        return Err(AppError::Conflict("decided".into()));
    }
    let day = day.unwrap_or_default();
    let sender: Option<String> = match p.person_id {
        Some(pid) => {
            sqlx::query_scalar("SELECT full_name FROM persons WHERE id = $1")
                .bind(pid)
                .fetch_optional(&app.db.pool)
                .await?
        }
        None => None,
    };
    let sender = sender.map_or_else(
        || "một người ở nước ngoài".to_owned(),
        |n| format!("Ông/Bà {n}"),
    );
    let kind = match p.category.as_str() {
        "report" => "phản ánh",
        "suggestion" => "góp ý",
        _ => "kiến nghị",
    };
    let received = p.received_at.get(..10).unwrap_or_default();
    let mut body = format!(
        "Ngày {}, Sở Ngoại vụ nhận được {kind} số {} của {sender} về việc: {}.\n",
        domain::dates::show(received),
        p.number,
        p.subject
    );
    for line in p.body.lines().map(str::trim).filter(|l| !l.is_empty()) {
        body.push_str("Nội dung: ");
        body.push_str(line);
        body.push('\n');
    }
    if !note.is_empty() {
        body.push_str(note);
        body.push('\n');
    }
    let _ = write!(
        body,
        "Căn cứ chức năng, nhiệm vụ được giao, Sở Ngoại vụ chuyển {kind} nêu trên đến {to} \
         để xem xét, giải quyết theo thẩm quyền, trả lời người gửi và thông báo kết quả cho \
         Sở Ngoại vụ để theo dõi.\nTrân trọng!"
    );
    let docx = letters::official_letter(
        app,
        &letters::OfficialLetter {
            number: number.to_owned(),
            date: day.clone(),
            subject: format!("chuyển {kind} số {}", p.number),
            addressee: to.to_owned(),
            body,
            recipients: vec![
                "Như trên".to_owned(),
                "Người gửi (để biết)".to_owned(),
                "Lưu: VT".to_owned(),
            ],
        },
    )?;
    let now = clock::fmt(app.clock.now_utc());
    let mut tx = app.db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE portal_petitions SET status = 'forwarded', forwarded_to = $1, forwarded_on = $2, \
         forward_number = $3, forward_letter = $4, answered_at = $5, \
         assigned_to = COALESCE(assigned_to, $6) WHERE id = $7 AND status IN ('received', 'assigned')",
    )
    .bind(to)
    .bind(&day)
    .bind(number)
    .bind(docx.as_slice())
    .bind(&now)
    .bind(actor.user_id)
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::Conflict("decided".into()));
    }
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("portal.petition_forward", "portal_petition", &id)
            .with(serde_json::json!({"number": p.number, "forwarded_to": to})),
    )
    .await?;
    tx.commit().await?;
    load(app, actor, id).await
}

/// The forwarding letter as made (.docx) and its file name.
pub async fn letter(app: &App, actor: &Actor, id: i64) -> AppResult<(Vec<u8>, String)> {
    let p = load(app, actor, id).await?;
    let data: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT forward_letter FROM portal_petitions WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db.pool)
            .await?;
    let data = data.ok_or(AppError::NotFound)?;
    audit::record(
        app,
        actor,
        Event::new("portal.petition_letter", "portal_petition", &id)
            .with(serde_json::json!({"number": p.number})),
    )
    .await?;
    Ok((data, format!("chuyen-{}.docx", p.number.to_lowercase())))
}

/// A verification link is good for two days.
pub const VERIFY_HOURS: i64 = 48;
/// Petitions without an account per address of the sender per hour.
const GUEST_PER_HOUR: i64 = 10;

/// A petition sent without an account, waiting for its address.
#[derive(Debug, Clone)]
pub struct Unverified {
    pub id: i64,
    pub email: String,
    pub lang: String,
    /// The verification link's token (only its SHA-256 is kept).
    pub token: String,
}

/// Sends a petition without an account: kept `unverified` until the link
/// sent to `email` is followed. Rate-limited per IP address.
pub async fn send_unverified(
    app: &App,
    email: &str,
    lang: &str,
    ip: &str,
    category: &str,
    subject: &str,
    body: &str,
) -> AppResult<Unverified> {
    let (subject, body) = (subject.trim(), body.trim());
    let mut errs = Vec::new();
    let email = super::accounts::normalize_email(email)
        .map_err(|e| errs.push(e))
        .ok();
    check(category, subject, body, errs)?;
    let email = email.unwrap_or_default();
    let hits =
        crate::accounts::sessions::hit(app, &format!("petition-guest-ip:{ip}"), 3600).await?;
    if hits > GUEST_PER_HOUR {
        return Err(AppError::RateLimited {
            retry_after_secs: 3600,
        });
    }
    let lang = if lang == "en" { "en" } else { "vi" }.to_owned();
    let token = crate::accounts::secret::random_token();
    let me = access::portal_actor(0, None, ip);
    let mut tx = app.db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO portal_petitions (category, subject, body, status, received_at, answer_by, \
         sender_email, sender_lang, verify_hash, verify_expires_at) \
         VALUES ($1, $2, $3, 'unverified', $4, '', $5, $6, $7, $8) RETURNING id",
    )
    .bind(category)
    .bind(subject)
    .bind(body)
    .bind(clock::fmt(app.clock.now_utc()))
    .bind(&email)
    .bind(&lang)
    .bind(crate::accounts::secret::token_hash(&token))
    .bind(app.clock.in_seconds(VERIFY_HOURS * 3600))
    .fetch_one(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        &me,
        Event::new("portal.petition_guest_send", "portal_petition", &id)
            .with(serde_json::json!({"petition_category": category})),
    )
    .await?;
    tx.commit().await?;
    Ok(Unverified {
        id,
        email,
        lang,
        token,
    })
}

/// Follows a verification link: the petition is registered (number,
/// deadline) and a secret link to follow it is made. Answers the petition
/// and that link's token. A used, expired or unknown token: not found.
pub async fn verify(app: &App, token: &str, ip: &str) -> AppResult<(Petition, String)> {
    let hash = crate::accounts::secret::token_hash(token.trim());
    let row: Option<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT id, category, verify_expires_at FROM portal_petitions \
         WHERE verify_hash = $1 AND status = 'unverified'",
    )
    .bind(&hash)
    .fetch_optional(&app.db.pool)
    .await?;
    let Some((id, category, expires)) = row else {
        return Err(AppError::NotFound);
    };
    if expires.is_none_or(|e| e < clock::fmt(app.clock.now_utc())) {
        return Err(AppError::NotFound);
    }
    let holidays = calendar::days_off(app).await?;
    let today = app.clock.today();
    let due = calendar::add_working_days(
        today,
        u32::try_from(days_of(app, &category).max(0)).unwrap_or(0),
        &holidays,
    );
    let follow = crate::accounts::secret::random_token();
    let number = number_of(today.year(), id);
    let me = access::portal_actor(0, None, ip);
    let mut tx = app.db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE portal_petitions SET status = 'received', number = $1, received_at = $2, \
         answer_by = $3, verify_hash = NULL, verify_expires_at = NULL, follow_hash = $4 \
         WHERE id = $5 AND status = 'unverified'",
    )
    .bind(&number)
    .bind(clock::fmt(app.clock.now_utc()))
    .bind(calendar::iso(due))
    .bind(crate::accounts::secret::token_hash(&follow))
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::append(
        &mut tx,
        app,
        &me,
        Event::new("portal.petition_verify", "portal_petition", &id)
            .with(serde_json::json!({"petition_category": category, "number": number})),
    )
    .await?;
    tx.commit().await?;
    Ok((followed(app, &follow).await?, follow))
}

/// The petition a secret link follows (anything else: not found).
pub async fn followed(app: &App, token: &str) -> AppResult<Petition> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE t.follow_hash = $1");
    let r = sqlx::query(&sql)
        .bind(crate::accounts::secret::token_hash(token.trim()))
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    from_row(&r)
}

/// Where a petition's news go: (address, language), from the account or
/// the address it was sent with.
pub async fn contact(app: &App, p: &Petition) -> AppResult<(String, String)> {
    match p.account_id {
        Some(a) => super::accounts::contact(app, a).await,
        None if !p.sender_email.is_empty() => Ok((p.sender_email.clone(), p.sender_lang.clone())),
        None => Err(AppError::NotFound),
    }
}

/// A petition the watch has just marked, with the staff to tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub id: i64,
    pub number: String,
    /// The day it must be answered by (`YYYY-MM-DD`).
    pub answer_by: String,
    /// Overdue and escalated to the province (else: near its deadline).
    pub escalated: bool,
    /// Each recipient's address and language (`vi`, `en`).
    pub to: Vec<(String, String)>,
}

/// Writes the messages of a marked petition, one per recipient (the web
/// layer holds the words).
pub type DueMail = std::sync::Arc<dyn Fn(&Due) -> Vec<crate::mail::Message> + Send + Sync>;

/// Whom a marked petition is told to: the assignee of a reminder, or the
/// province's officers (an escalation, or a reminder nobody is assigned).
async fn recipients(
    app: &App,
    escalated: bool,
    assignee: Option<i64>,
) -> AppResult<Vec<(String, String)>> {
    let ids = match assignee {
        Some(a) if !escalated => vec![a],
        _ => crate::accounts::users::province_accounts(app, domain::Role::ProvinceOfficer).await?,
    };
    crate::accounts::users::addresses_of(app, &ids).await
}

/// One round of the watch: marks petitions near their deadline reminded
/// and overdue ones escalated, each once, audited. Answers the petitions
/// marked now (by this server: another server marking the same round
/// answers none of them), with whom to tell.
pub async fn watch(app: &App) -> AppResult<Vec<Due>> {
    let holidays = calendar::days_off(app).await?;
    let today = app.clock.today();
    let near = calendar::add_working_days(
        today,
        u32::try_from(app.settings.petition_remind_days.max(0)).unwrap_or(0),
        &holidays,
    );
    let system = Actor::system("petitions");
    let mut marked = Vec::new();
    for (i, (select, mark, action)) in [
        (
            "SELECT id, number, answer_by, assigned_to FROM portal_petitions \
             WHERE status IN ('received', 'assigned') \
             AND reminded_at IS NULL AND answer_by <> '' AND answer_by <= $1",
            "UPDATE portal_petitions SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL",
            "portal.petition_remind",
        ),
        (
            "SELECT id, number, answer_by, assigned_to FROM portal_petitions \
             WHERE status IN ('received', 'assigned') \
             AND escalated_at IS NULL AND answer_by <> '' AND answer_by < $1",
            "UPDATE portal_petitions SET escalated_at = $1 WHERE id = $2 AND escalated_at IS NULL",
            "portal.petition_escalate",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let day = if i == 0 { near } else { today };
        let due: Vec<(i64, Option<String>, String, Option<i64>)> = sqlx::query_as(select)
            .bind(calendar::iso(day))
            .fetch_all(&app.db.pool)
            .await?;
        for (id, number, answer_by, assignee) in due {
            let mut tx = app.db.begin_write().await?;
            let done = sqlx::query(mark)
                .bind(clock::fmt(app.clock.now_utc()))
                .bind(id)
                .execute(&mut *tx.tx)
                .await?;
            if done.rows_affected() == 0 {
                continue;
            }
            audit::append(
                &mut tx,
                app,
                &system,
                Event::new(action, "portal_petition", &id)
                    .with(serde_json::json!({"number": number})),
            )
            .await?;
            tx.commit().await?;
            let escalated = i == 1;
            marked.push(Due {
                id,
                number: number.unwrap_or_default(),
                answer_by,
                escalated,
                to: recipients(app, escalated, assignee).await?,
            });
        }
    }
    Ok(marked)
}

/// E-mails the petitions a round marked (each message once: only the
/// server that marked a petition has it). A message that cannot be sent is
/// logged; the officers' home pages count the petition anyway.
pub async fn notify_due(app: &App, due: &[Due], mails: &DueMail) {
    for d in due {
        for m in mails(d) {
            if let Err(e) = crate::mail::send(app, &m).await {
                tracing::warn!(error = %e, petition = d.id, "petitions: reminder not sent");
            }
        }
    }
}

/// Runs [`watch`] every minute (each server; rounds never mark twice) and
/// e-mails what it marked.
pub async fn watch_every(app: App, mails: DueMail) {
    loop {
        match watch(&app).await {
            Ok(due) => notify_due(&app, &due, &mails).await,
            Err(e) => tracing::warn!(error = %e, "petitions: watch round failed"),
        }
        tokio::time::sleep(std::time::Duration::from_mins(1)).await;
    }
}

/// For an officer's home page: (escalated to the province and still open
/// — counted for the province's officers only —, near their deadline)
/// within reach; `None` for those who do not handle petitions.
pub async fn due_counts(app: &App, actor: &Actor) -> AppResult<Option<(i64, i64)>> {
    if access::authorize(actor, Action::PetitionHandle).is_err() {
        return Ok(None);
    }
    let list = queue(app, actor).await?;
    let holidays = calendar::days_off(app).await?;
    let near = calendar::iso(calendar::add_working_days(
        app.clock.today(),
        u32::try_from(app.settings.petition_remind_days.max(0)).unwrap_or(0),
        &holidays,
    ));
    let province = matches!(actor.jurisdiction, crate::Jurisdiction::Province);
    let escalated = list
        .iter()
        .filter(|p| province && p.escalated_at.is_some())
        .count();
    let close = list
        .iter()
        .filter(|p| p.escalated_at.is_none() && p.answer_by <= near)
        .count();
    Ok(Some((
        i64::try_from(escalated).unwrap_or(0),
        i64::try_from(close).unwrap_or(0),
    )))
}

/// One line of the report: a category, a country or a state.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReportLine {
    /// The code (a category, an ISO country code — empty: unknown — or a state).
    pub key: String,
    pub total: i64,
    /// Answered or forwarded.
    pub handled: i64,
    /// Handled by the day it was to be answered by.
    pub on_time: i64,
}

impl ReportLine {
    /// Handled on time, in per cent of those handled (`None`: none handled).
    pub fn on_time_percent(&self) -> Option<i64> {
        (self.handled > 0).then(|| (self.on_time * 100 + self.handled / 2) / self.handled)
    }
}

/// Petitions within reach by category, country and state (those waiting
/// for their address excluded).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub by_category: Vec<ReportLine>,
    pub by_country: Vec<ReportLine>,
    pub by_status: Vec<ReportLine>,
    pub total: ReportLine,
}

/// The report for an officer who handles petitions.
pub async fn report(app: &App, actor: &Actor) -> AppResult<Report> {
    access::authorize(actor, Action::PetitionHandle)?;
    let scope = access::person_scope(actor, 1);
    let sql = format!(
        "SELECT t.category, COALESCE(p.country, ''), t.status, t.answer_by, t.answered_at \
         FROM {FROM} WHERE t.status <> 'unverified' AND {}",
        scope.sql
    );
    let mut query = sqlx::query_as::<_, (String, String, String, String, Option<String>)>(&sql);
    for arg in &scope.args {
        query = query.bind(arg);
    }
    let rows = query.fetch_all(&app.db.pool).await?;
    let mut r = Report::default();
    let add = |lines: &mut Vec<ReportLine>, key: &str, handled: bool, on_time: bool| {
        let i = lines.iter().position(|l| l.key == key).unwrap_or_else(|| {
            lines.push(ReportLine {
                key: key.to_owned(),
                ..ReportLine::default()
            });
            lines.len() - 1
        });
        let l = &mut lines[i];
        l.total += 1;
        l.handled += i64::from(handled);
        l.on_time += i64::from(on_time);
    };
    for (category, country, status, answer_by, answered_at) in &rows {
        // The day it was handled, as people there count days.
        let handled_on = answered_at
            .as_deref()
            .and_then(clock::parse)
            .map(|t| calendar::iso(t.to_offset(clock::display_offset()).date()));
        let handled = handled_on.is_some();
        let on_time = handled_on.is_some_and(|d| d.as_str() <= answer_by.as_str());
        add(&mut r.by_category, category, handled, on_time);
        add(&mut r.by_country, country, handled, on_time);
        add(&mut r.by_status, status, handled, on_time);
        r.total.total += 1;
        r.total.handled += i64::from(handled);
        r.total.on_time += i64::from(on_time);
    }
    r.by_category
        .sort_by_key(|l| CATEGORIES.iter().position(|c| *c == l.key));
    r.by_country
        .sort_by(|a, b| b.total.cmp(&a.total).then(a.key.cmp(&b.key)));
    let order = ["received", "assigned", "answered", "forwarded", "closed"];
    r.by_status
        .sort_by_key(|l| order.iter().position(|c| *c == l.key));
    Ok(r)
}

/// A table of the report as written: its title and lines (name, received,
/// handled, on time, rate in words).
pub type XlsxTable = (String, Vec<(String, i64, i64, i64, String)>);

/// The report's tables, in the reader's words, as one xlsx sheet.
pub fn report_xlsx(
    sheet_name: &str,
    heads: &[&str; 5],
    tables: &[XlsxTable],
) -> AppResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let write = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name)?;
        sheet.set_column_width(0, 40)?;
        sheet.set_column_range_width(1, 4, 16)?;
        let mut row = 0u32;
        for (title, lines) in tables {
            sheet.write_string_with_format(row, 0, title, &bold)?;
            row += 1;
            for (c, h) in (0u16..).zip(heads) {
                sheet.write_string_with_format(row, c, *h, &bold)?;
            }
            row += 1;
            for (name, total, handled, on_time, rate) in lines {
                sheet.write_string(row, 0, name)?;
                sheet.write_number(row, 1, *total as f64)?;
                sheet.write_number(row, 2, *handled as f64)?;
                sheet.write_number(row, 3, *on_time as f64)?;
                sheet.write_string(row, 4, rate)?;
                row += 1;
            }
            row += 1;
        }
        book.save_to_buffer()
    };
    write().map_err(|e| AppError::Unexpected(e.into()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn tracking_numbers_read_as_the_province_writes_them() {
        assert_eq!(super::number_of(2026, 45), "KN-2026-000045");
    }
}
