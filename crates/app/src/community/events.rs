//! Events, meetings and delegations (issue 22 §5): Tết gatherings "Xuân Quê
//! hương", conferences, youth summer camps, investment promotion, incoming
//! delegations (*đoàn vào*) and outgoing ones (*đoàn ra*: leaders visiting
//! communities abroad), with their programme, members, dates and places,
//! and **invitee lists built from the registry's filters** (country,
//! category, notable tags, association, commune) with each invitee's reply
//! and attendance.
//!
//! Who sees and manages what is decided by [`access`]: the province manages
//! all; a mission the events held in (or visiting) its countries; the
//! leadership and commune officers read. Invitees are registry people: the
//! caller sees only those within its person scope, and only people it may
//! see can be invited. Every change is audited and kept as a version
//! (`event_versions`); a change made against an old version is refused.

use db::{Row, WriteTx};
use serde::{Deserialize, Serialize};

use super::investment::{self, Change};
use crate::access::{self, Action};
use crate::audit::{self, Event as AuditEvent};
use crate::registry::people::{self, ListQuery};
use crate::{Actor, App, AppError, AppResult, FieldError, Jurisdiction, clock};

/// Kinds of event (labels `code.event_kind.*`).
pub const KINDS: &[&str] = &[
    "xuan_que_huong",
    "conference",
    "youth_camp",
    "investment_promotion",
    "incoming_delegation",
    "outgoing_delegation",
    "other",
];

/// An invitee's reply (labels `code.event_reply.*`).
pub const REPLIES: &[&str] = &["unknown", "yes", "no"];

/// An invitee's attendance (labels `code.event_attendance.*`).
pub const ATTENDANCES: &[&str] = &["unknown", "attended", "absent"];

/// Most invitees one filter may add at once (a list beyond it is narrowed first).
pub const MAX_ADDED: usize = 5000;

const MAX_SHORT: usize = 200;
const MAX_MEDIUM: usize = 400;
const MAX_LONG: usize = 8000;

/// What a caller submits for an event. Unknown fields are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// `xuan_que_huong`, `conference`, `youth_camp`, `investment_promotion`,
    /// `incoming_delegation`, `outgoing_delegation` or `other`.
    pub kind: Option<String>,
    pub name: Option<String>,
    /// First day (`07/02/2027` or `2027-02-07`).
    pub starts_on: Option<String>,
    /// Last day (empty for a one-day event).
    pub ends_on: Option<String>,
    /// Where: a hall, a city, the places a delegation visits.
    pub place: Option<String>,
    /// Country where it is held or which the delegation visits (ISO alpha-2
    /// or a name); empty for Việt Nam. A mission records its countries' only.
    pub country: Option<String>,
    /// Programme, one item a line.
    pub programme: Option<String>,
    /// Members of a delegation, one a line ("Nguyễn Văn A, Phó Chủ tịch UBND tỉnh").
    pub members: Option<String>,
    /// Who organises or hosts it.
    pub organiser: Option<String>,
    pub notes: Option<String>,
}

/// An invitee: a registry person the caller may see, with reply and attendance.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Invitee {
    pub person_id: i64,
    pub full_name: String,
    /// Country of residence, ISO alpha-2.
    pub country: String,
    pub category: String,
    pub hometown_text: String,
    /// `unknown`, `yes` or `no`.
    pub reply: String,
    /// `unknown`, `attended` or `absent`.
    pub attendance: String,
}

/// An event with its figures and the invitees the caller may see.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub id: i64,
    pub version: i64,
    pub kind: String,
    pub name: String,
    /// ISO day.
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub place: String,
    /// ISO alpha-2, "" for Việt Nam.
    pub country: String,
    pub programme: String,
    pub members: String,
    pub organiser: String,
    pub notes: String,
    pub created_at: String,
    pub updated_at: String,
    /// Invitees, whether the caller may see them or not.
    pub invitees_total: i64,
    /// Invitees who said yes.
    pub replied_yes: i64,
    /// Invitees who said no.
    pub replied_no: i64,
    /// Invitees who came.
    pub attended: i64,
    /// The invitees the caller may see, by name.
    pub invitees: Vec<Invitee>,
}

/// An event as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventRow {
    pub id: i64,
    pub version: i64,
    pub kind: String,
    pub name: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub place: String,
    pub country: String,
    pub invitees: i64,
    pub attended: i64,
}

/// One version of an event's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionRow {
    pub version: i64,
    /// `created`, `updated: name, place`, `invitees added 12`, `invitee changed #4`...
    pub summary: String,
    pub actor: String,
    pub changed_at: String,
    #[schema(value_type = Object)]
    pub snapshot: serde_json::Value,
}

/// Filters of the list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Words of the name or place, with or without marks.
    pub q: String,
    pub kind: String,
    /// Country, by code or name.
    pub country: String,
    /// Events starting in this year.
    pub year: Option<i32>,
}

/// Who to invite: the registry's list filters (as people write them, as on
/// the people list), an association, and people picked one by one. Every
/// person must be one the caller may see.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteeFilter {
    /// Country of residence (code or name: "Nhật Bản").
    pub country: Option<String>,
    /// Category (code or label: "Du học").
    pub category: Option<String>,
    /// A tag of the record (`notable`, `businessperson`, `expert`...).
    pub tag: Option<String>,
    /// Hometown: a commune (new code or name).
    pub commune: Option<String>,
    /// Hometown: a commune before 1 July 2025 (code or name).
    pub legacy_commune: Option<String>,
    /// Hometown: a district before 1 July 2025 (code or name).
    pub legacy_district: Option<String>,
    /// Members of this association.
    pub association: Option<i64>,
    /// People picked one by one (added whatever the filters say).
    #[serde(default)]
    pub person_ids: Vec<i64>,
}

/// What adding invitees did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InviteesAdded {
    /// People newly invited.
    pub added: i64,
    /// People matched who were invited already.
    pub already: i64,
    /// Invitees of the event now.
    pub invitees_total: i64,
}

/// A reply or attendance to record.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteeChange {
    /// `unknown`, `yes` or `no` (unchanged when absent).
    pub reply: Option<String>,
    /// `unknown`, `attended` or `absent` (unchanged when absent).
    pub attendance: Option<String>,
}

// ------------------------------------------------------------------ validation

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Data {
    kind: String,
    name: String,
    starts_on: String,
    ends_on: Option<String>,
    place: String,
    country: String,
    programme: String,
    members: String,
    organiser: String,
    notes: String,
}

fn trimmed(v: Option<&String>) -> String {
    v.map(|s| s.trim().to_owned()).unwrap_or_default()
}

fn text_ok(field: &str, v: &str, max: usize, errs: &mut Vec<FieldError>) {
    if domain::text::has_forbidden_control(v) || (max <= MAX_MEDIUM && v.contains('\n')) {
        errs.push(FieldError::new(field, "control_chars"));
    } else if v.chars().count() > max {
        errs.push(FieldError::new(field, "too_long"));
    }
}

fn day(field: &str, v: &str, errs: &mut Vec<FieldError>) -> Option<String> {
    if v.is_empty() {
        return None;
    }
    let d = domain::dates::read_day(v);
    if d.is_none() {
        errs.push(FieldError::new(field, "invalid_date"));
    }
    d
}

fn validate(input: &EventInput) -> Result<Data, Vec<FieldError>> {
    let mut errs = Vec::new();
    let kind = trimmed(input.kind.as_ref());
    if kind.is_empty() {
        errs.push(FieldError::new("kind", "required"));
    } else if !KINDS.contains(&kind.as_str()) {
        errs.push(FieldError::new("kind", "invalid_code"));
    }
    let name = trimmed(input.name.as_ref());
    if name.is_empty() {
        errs.push(FieldError::new("name", "required"));
    }
    let starts_text = trimmed(input.starts_on.as_ref());
    if starts_text.is_empty() {
        errs.push(FieldError::new("starts_on", "required"));
    }
    let starts_on = day("starts_on", &starts_text, &mut errs).unwrap_or_default();
    let ends_on = day("ends_on", &trimmed(input.ends_on.as_ref()), &mut errs);
    if let Some(e) = &ends_on
        && !starts_on.is_empty()
        && e.as_str() < starts_on.as_str()
    {
        errs.push(FieldError::new("ends_on", "before_start"));
    }
    let country_text = trimmed(input.country.as_ref());
    let country = if country_text.is_empty() {
        String::new()
    } else if let Some(c) = domain::geo::countries::resolve(&country_text) {
        c.to_owned()
    } else {
        errs.push(FieldError::new("country", "unknown_country"));
        String::new()
    };
    let place = trimmed(input.place.as_ref());
    let programme = trimmed(input.programme.as_ref());
    let members = trimmed(input.members.as_ref());
    let organiser = trimmed(input.organiser.as_ref());
    let notes = trimmed(input.notes.as_ref());
    for (f, v, max) in [
        ("name", &name, MAX_SHORT),
        ("place", &place, MAX_MEDIUM),
        ("organiser", &organiser, MAX_SHORT),
        ("programme", &programme, MAX_LONG),
        ("members", &members, MAX_LONG),
        ("notes", &notes, MAX_LONG),
    ] {
        text_ok(f, v, max, &mut errs);
    }
    if errs.is_empty() {
        Ok(Data {
            kind,
            name,
            starts_on,
            ends_on,
            place,
            country,
            programme,
            members,
            organiser,
            notes,
        })
    } else {
        Err(errs)
    }
}

/// A mission records and keeps the events of its countries only.
fn country_allowed(actor: &Actor, country: &str) -> bool {
    match &actor.jurisdiction {
        Jurisdiction::Countries(cs) => cs.iter().any(|c| c == country),
        _ => true,
    }
}

// ------------------------------------------------------------------ reading

const COLUMNS: &str = "e.id, e.version, e.kind, e.name, e.starts_on, e.ends_on, e.place, \
    e.country, e.programme, e.members, e.organiser, e.notes, e.created_at, e.updated_at";

fn from_row(r: &db::AnyRow) -> Result<Event, db::SqlxError> {
    Ok(Event {
        id: r.try_get(0)?,
        version: r.try_get(1)?,
        kind: r.try_get(2)?,
        name: r.try_get(3)?,
        starts_on: r.try_get(4)?,
        ends_on: r.try_get(5)?,
        place: r.try_get(6)?,
        country: r.try_get(7)?,
        programme: r.try_get(8)?,
        members: r.try_get(9)?,
        organiser: r.try_get(10)?,
        notes: r.try_get(11)?,
        created_at: r.try_get(12)?,
        updated_at: r.try_get(13)?,
        invitees_total: 0,
        replied_yes: 0,
        replied_no: 0,
        attended: 0,
        invitees: Vec::new(),
    })
}

fn to_data(e: &Event) -> Data {
    Data {
        kind: e.kind.clone(),
        name: e.name.clone(),
        starts_on: e.starts_on.clone(),
        ends_on: e.ends_on.clone(),
        place: e.place.clone(),
        country: e.country.clone(),
        programme: e.programme.clone(),
        members: e.members.clone(),
        organiser: e.organiser.clone(),
        notes: e.notes.clone(),
    }
}

/// The input that would store `e` as it is (the base of a merge patch).
pub fn to_input(e: &Event) -> EventInput {
    let s = |v: &str| Some(v.to_owned());
    EventInput {
        kind: s(&e.kind),
        name: s(&e.name),
        starts_on: s(&e.starts_on),
        ends_on: e.ends_on.clone(),
        place: s(&e.place),
        country: s(&e.country),
        programme: s(&e.programme),
        members: s(&e.members),
        organiser: s(&e.organiser),
        notes: s(&e.notes),
    }
}

async fn load_row(conn: &mut sqlx::AnyConnection, actor: &Actor, id: i64) -> AppResult<Event> {
    let scope = access::event_scope(actor, 2);
    let sql = format!(
        "SELECT {COLUMNS} FROM events e WHERE e.id = $1 AND {}",
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
    Ok(from_row(&row)?)
}

/// The invitees of event `id` the actor may see, by name.
async fn visible_invitees(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: i64,
) -> AppResult<Vec<Invitee>> {
    let p = access::person_scope(actor, 2);
    let sql = format!(
        "SELECT i.person_id, p.full_name, p.country, p.category, p.hometown_text, i.reply, \
         i.attendance FROM event_invitees i JOIN persons p ON p.id = i.person_id \
         WHERE i.event_id = $1 AND p.deleted_at IS NULL AND {} \
         ORDER BY p.full_name_folded, p.id",
        p.sql
    );
    let mut q = sqlx::query(&sql).bind(id);
    for a in &p.args {
        q = q.bind(a);
    }
    q.fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Invitee {
                person_id: r.try_get(0)?,
                full_name: r.try_get(1)?,
                country: r.try_get(2)?,
                category: r.try_get(3)?,
                hometown_text: r.try_get(4)?,
                reply: r.try_get(5)?,
                attendance: r.try_get(6)?,
            })
        })
        .collect::<Result<Vec<_>, db::SqlxError>>()
        .map_err(AppError::from)
}

async fn load(conn: &mut sqlx::AnyConnection, actor: &Actor, id: i64) -> AppResult<Event> {
    let mut e = load_row(conn, actor, id).await?;
    let counts = sqlx::query(
        "SELECT COUNT(*), \
         COALESCE(SUM(CASE WHEN i.reply = 'yes' THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN i.reply = 'no' THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN i.attendance = 'attended' THEN 1 ELSE 0 END), 0) \
         FROM event_invitees i JOIN persons p ON p.id = i.person_id \
         WHERE i.event_id = $1 AND p.deleted_at IS NULL",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    e.invitees_total = counts.try_get(0)?;
    e.replied_yes = counts.try_get(1)?;
    e.replied_no = counts.try_get(2)?;
    e.attended = counts.try_get(3)?;
    e.invitees = visible_invitees(conn, actor, id).await?;
    Ok(e)
}

/// Reads one event with its invitees (personal data: the view is audited).
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<Event> {
    access::authorize(actor, Action::EventRead)?;
    let mut tx = app.db.begin_write().await?;
    let e = load(&mut tx.tx, actor, id).await?;
    audit::append(
        &mut tx,
        app,
        actor,
        AuditEvent::new("event.view", "event", &id),
    )
    .await?;
    tx.commit().await?;
    Ok(e)
}

/// True when the actor may record and change events (which: those it sees).
pub fn may_manage(actor: &Actor) -> bool {
    access::authorize(actor, Action::EventManage).is_ok()
}

/// True when the actor may open events.
pub fn may_read(actor: &Actor) -> bool {
    access::authorize(actor, Action::EventRead).is_ok()
}

/// The events the actor may see that match the filter, newest first.
pub async fn list(app: &App, actor: &Actor, f: &ListFilter) -> AppResult<Vec<EventRow>> {
    access::authorize(actor, Action::EventRead)?;
    let mut errs = Vec::new();
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<String> = Vec::new();
    let country = f.country.trim();
    if !country.is_empty() {
        match domain::geo::countries::resolve(country) {
            Some(c) => {
                args.push(c.to_owned());
                conds.push(format!("e.country = ${}", args.len()));
            }
            None => errs.push(FieldError::new("country", "unknown_country")),
        }
    }
    let kind = f.kind.trim();
    if !kind.is_empty() {
        if KINDS.contains(&kind) {
            args.push(kind.to_owned());
            conds.push(format!("e.kind = ${}", args.len()));
        } else {
            errs.push(FieldError::new("kind", "invalid_code"));
        }
    }
    if let Some(y) = f.year {
        if (1900..=2200).contains(&y) {
            args.push(format!("{y:04}%"));
            conds.push(format!("e.starts_on LIKE ${}", args.len()));
        } else {
            errs.push(FieldError::new("year", "invalid_value"));
        }
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let scope = access::event_scope(actor, args.len() + 1);
    conds.push(scope.sql);
    args.extend(scope.args);
    let sql = format!(
        "SELECT e.id, e.version, e.kind, e.name, e.starts_on, e.ends_on, e.place, e.country, \
         (SELECT COUNT(*) FROM event_invitees i WHERE i.event_id = e.id), \
         (SELECT COUNT(*) FROM event_invitees i WHERE i.event_id = e.id AND i.attendance = 'attended') \
         FROM events e WHERE {} ORDER BY e.starts_on DESC, e.id DESC",
        conds.join(" AND ")
    );
    let mut q = sqlx::query(&sql);
    for a in &args {
        q = q.bind(a);
    }
    let rows = q.fetch_all(&app.db.pool).await?;
    let words: Vec<String> = domain::text::fold(&f.q)
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let row = EventRow {
            id: r.try_get(0)?,
            version: r.try_get(1)?,
            kind: r.try_get(2)?,
            name: r.try_get(3)?,
            starts_on: r.try_get(4)?,
            ends_on: r.try_get(5)?,
            place: r.try_get(6)?,
            country: r.try_get(7)?,
            invitees: r.try_get(8)?,
            attended: r.try_get(9)?,
        };
        let hay = domain::text::fold(&format!("{} {}", row.name, row.place));
        if words.iter().all(|w| hay.contains(w.as_str())) {
            out.push(row);
        }
    }
    Ok(out)
}

/// The history of an event, newest first.
pub async fn history(app: &App, actor: &Actor, id: i64) -> AppResult<Vec<VersionRow>> {
    access::authorize(actor, Action::EventRead)?;
    let mut conn = app.db.pool.acquire().await?;
    load_row(&mut conn, actor, id).await?;
    let rows = sqlx::query(
        "SELECT version, summary, actor, changed_at, snapshot FROM event_versions \
         WHERE event_id = $1 ORDER BY id DESC",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let snapshot: String = r.try_get(4)?;
            Ok(VersionRow {
                version: r.try_get(0)?,
                summary: r.try_get(1)?,
                actor: r.try_get(2)?,
                changed_at: r.try_get(3)?,
                snapshot: serde_json::from_str(&snapshot).unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>, db::SqlxError>>()
        .map_err(AppError::from)
}

/// The invitees the actor may see, for an export or letters (the view is audited).
pub async fn invitees(app: &App, actor: &Actor, id: i64) -> AppResult<(Event, Vec<Invitee>)> {
    let mut e = get(app, actor, id).await?;
    let list = std::mem::take(&mut e.invitees);
    Ok((e, list))
}

/// The invitee list as an xlsx workbook: a title row, `headers`, then `rows`.
pub fn invitees_xlsx(title: &str, headers: &[String], rows: &[Vec<String>]) -> AppResult<Vec<u8>> {
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        sheet.write_string_with_format(0, 0, title, &bold)?;
        for (c, h) in headers.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            sheet.write_string_with_format(2, c, h, &bold)?;
            sheet.set_column_width(c, if c == 1 { 32 } else { 18 })?;
        }
        for (r, row) in rows.iter().enumerate() {
            let r = u32::try_from(r + 3).unwrap_or(u32::MAX);
            for (c, v) in row.iter().enumerate() {
                sheet.write_string(r, u16::try_from(c).unwrap_or(u16::MAX), v)?;
            }
        }
        book.save_to_buffer()
    };
    build().map_err(|e| AppError::Unexpected(anyhow::Error::from(e)))
}

// ------------------------------------------------------------------ writing

async fn version_row(
    tx: &mut WriteTx,
    actor: &Actor,
    id: i64,
    summary: &str,
    now: &str,
) -> AppResult<()> {
    let sql = format!("SELECT {COLUMNS} FROM events e WHERE e.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let e = from_row(&row)?;
    let snapshot = serde_json::to_string(&to_data(&e)).map_err(anyhow::Error::from)?;
    sqlx::query(
        "INSERT INTO event_versions (event_id, version, summary, snapshot, actor, changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(e.version)
    .bind(summary)
    .bind(snapshot)
    .bind(&actor.username)
    .bind(now)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// Records a new event (a mission: in its countries).
pub async fn create(app: &App, actor: &Actor, input: &EventInput) -> AppResult<Event> {
    access::authorize(actor, Action::EventManage)?;
    let d = validate(input).map_err(AppError::Invalid)?;
    if !country_allowed(actor, &d.country) {
        return Err(AppError::invalid_field("country", "out_of_jurisdiction"));
    }
    let now = clock::now();
    let mut tx = app.db.begin_write().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO events (kind, name, starts_on, ends_on, place, country, programme, members, \
         organiser, notes, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12) RETURNING id",
    )
    .bind(&d.kind)
    .bind(&d.name)
    .bind(&d.starts_on)
    .bind(d.ends_on.clone())
    .bind(&d.place)
    .bind(&d.country)
    .bind(&d.programme)
    .bind(&d.members)
    .bind(&d.organiser)
    .bind(&d.notes)
    .bind(&now)
    .bind(&now)
    .fetch_one(&mut *tx.tx)
    .await?
    .try_get(0)?;
    version_row(&mut tx, actor, id, "created", &now).await?;
    audit::append(
        &mut tx,
        app,
        actor,
        AuditEvent::new("event.create", "event", &id),
    )
    .await?;
    let e = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(e)
}

fn changed_fields(a: &Data, b: &Data) -> Vec<String> {
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

/// Replaces an event's fields when `expected_version` is still current.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    input: &EventInput,
) -> AppResult<Event> {
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
) -> AppResult<Event> {
    access::authorize(actor, Action::EventManage)?;
    let mut conn = app.db.pool.acquire().await?;
    let current = load_row(&mut conn, actor, id).await?;
    let snapshot =
        investment::snapshot_in(&mut conn, "event_versions", "event_id", None, id, version).await?;
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
    input: &EventInput,
    change: Change,
) -> AppResult<Event> {
    access::authorize(actor, Action::EventManage)?;
    let mut tx = app.db.begin_write().await?;
    let current = load_row(&mut tx.tx, actor, id).await?;
    if !crate::registry::version_matches(expected_version, current.version) {
        return Err(AppError::PreconditionFailed {
            current_version: current.version,
        });
    }
    let d = validate(input).map_err(AppError::Invalid)?;
    if !country_allowed(actor, &d.country) {
        return Err(AppError::invalid_field("country", "out_of_jurisdiction"));
    }
    let changed = changed_fields(&to_data(&current), &d);
    if changed.is_empty() {
        let e = load(&mut tx.tx, actor, id).await?;
        tx.commit().await?;
        return Ok(e);
    }
    let now = clock::now();
    let done = sqlx::query(
        "UPDATE events SET kind = $1, name = $2, starts_on = $3, ends_on = $4, place = $5, \
         country = $6, programme = $7, members = $8, organiser = $9, notes = $10, \
         version = version + 1, updated_at = $11 WHERE id = $12 AND version = $13",
    )
    .bind(&d.kind)
    .bind(&d.name)
    .bind(&d.starts_on)
    .bind(d.ends_on.clone())
    .bind(&d.place)
    .bind(&d.country)
    .bind(&d.programme)
    .bind(&d.members)
    .bind(&d.organiser)
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
    version_row(&mut tx, actor, id, &change.summary(&changed), &now).await?;
    audit::append(
        &mut tx,
        app,
        actor,
        AuditEvent::new(change.action("event.update", "event.restore"), "event", &id)
            .with(serde_json::json!({"version": current.version + 1, "changed": changed})),
    )
    .await?;
    let e = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(e)
}

/// Applies a JSON merge patch (RFC 7396) to an event.
pub async fn patch(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    patch: &serde_json::Value,
) -> AppResult<Event> {
    access::authorize(actor, Action::EventManage)?;
    let mut conn = app.db.pool.acquire().await?;
    let current = load_row(&mut conn, actor, id).await?;
    drop(conn);
    let mut doc = serde_json::to_value(to_input(&current)).map_err(anyhow::Error::from)?;
    people::merge_patch(&mut doc, patch);
    if let Some(o) = doc.as_object_mut() {
        o.retain(|_, v| !v.is_null());
    }
    let input: EventInput = serde_json::from_value(doc).map_err(|e| {
        let msg = e.to_string();
        let field = msg.split('`').nth(1).unwrap_or("body").to_owned();
        let code = if msg.starts_with("unknown field") {
            "unknown_field"
        } else {
            "expected_text"
        };
        AppError::Invalid(vec![FieldError::new(field, code)])
    })?;
    update(app, actor, id, expected_version, &input).await
}

async fn record_change(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    id: i64,
    action: &'static str,
    summary: &str,
    details: serde_json::Value,
) -> AppResult<()> {
    let now = clock::now();
    version_row(tx, actor, id, summary, &now).await?;
    audit::append(
        tx,
        app,
        actor,
        AuditEvent::new(action, "event", &id).with(details),
    )
    .await
}

/// The ids of the people the filter names, within the actor's person scope
/// (the registry's own list, with its filters read as on the people page).
async fn matching_people(app: &App, actor: &Actor, f: &InviteeFilter) -> AppResult<Vec<i64>> {
    let s = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_owned();
    // A tag by its code or its label ("Doanh nhân").
    let tag_text = s(&f.tag);
    let tag = if tag_text.is_empty() {
        String::new()
    } else {
        let folded = domain::text::fold(&tag_text);
        domain::NotableTag::ALL
            .iter()
            .find(|t| {
                t.code() == tag_text
                    || domain::text::fold(t.label_vi()) == folded
                    || domain::text::fold(t.label_en()) == folded
            })
            .map(|t| t.code().to_owned())
            .ok_or_else(|| AppError::invalid_field("tag", "invalid_code"))?
    };
    let q = ListQuery {
        country: s(&f.country),
        category: s(&f.category),
        tag,
        commune: s(&f.commune),
        legacy_commune: s(&f.legacy_commune),
        legacy_district: s(&f.legacy_district),
        limit: Some(500),
        ..ListQuery::default()
    };
    let any_filter = [
        &q.country,
        &q.category,
        &q.tag,
        &q.commune,
        &q.legacy_commune,
        &q.legacy_district,
    ]
    .iter()
    .any(|v| !v.is_empty())
        || f.association.is_some();
    let mut ids: Vec<i64> = Vec::new();
    if any_filter {
        let members: Option<std::collections::HashSet<i64>> = match f.association {
            Some(a) => Some(
                sqlx::query_scalar::<_, i64>(
                    "SELECT person_id FROM person_associations WHERE association_id = $1",
                )
                .bind(a)
                .fetch_all(&app.db.pool)
                .await?
                .into_iter()
                .collect(),
            ),
            None => None,
        };
        let mut q = q;
        loop {
            let page = people::list(app, actor, &q).await?;
            for r in &page.items {
                if members.as_ref().is_none_or(|m| m.contains(&r.id)) {
                    ids.push(r.id);
                }
            }
            if ids.len() > MAX_ADDED {
                return Err(AppError::invalid_field("filters", "too_many"));
            }
            match page.next_after {
                Some(n) => q.after = Some(n),
                None => break,
            }
        }
    }
    let mut conn = app.db.pool.acquire().await?;
    for &p in &f.person_ids {
        let scope = access::person_scope(actor, 2);
        let sql = format!(
            "SELECT COUNT(*) FROM persons p WHERE p.id = $1 AND p.deleted_at IS NULL AND {}",
            scope.sql
        );
        let mut qy = sqlx::query_scalar::<_, i64>(&sql).bind(p);
        for a in &scope.args {
            qy = qy.bind(a);
        }
        if qy.fetch_one(&mut *conn).await? == 0 {
            return Err(AppError::invalid_field("person_ids", "unknown_person"));
        }
        ids.push(p);
    }
    if !any_filter && f.person_ids.is_empty() {
        return Err(AppError::invalid_field("filters", "required"));
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Invites the people the registry's filters name (within the actor's
/// reach) to an event the actor manages; people invited already keep their
/// reply.
pub async fn add_invitees(
    app: &App,
    actor: &Actor,
    id: i64,
    f: &InviteeFilter,
) -> AppResult<InviteesAdded> {
    access::authorize(actor, Action::EventManage)?;
    {
        let mut conn = app.db.pool.acquire().await?;
        load_row(&mut conn, actor, id).await?;
    }
    let ids = matching_people(app, actor, f).await?;
    let now = clock::now();
    let mut tx = app.db.begin_write().await?;
    load_row(&mut tx.tx, actor, id).await?;
    let existing: std::collections::HashSet<i64> =
        sqlx::query_scalar::<_, i64>("SELECT person_id FROM event_invitees WHERE event_id = $1")
            .bind(id)
            .fetch_all(&mut *tx.tx)
            .await?
            .into_iter()
            .collect();
    let mut added = 0i64;
    for p in &ids {
        if existing.contains(p) {
            continue;
        }
        sqlx::query(
            "INSERT INTO event_invitees (event_id, person_id, reply, attendance, added_at) \
             VALUES ($1, $2, 'unknown', 'unknown', $3)",
        )
        .bind(id)
        .bind(*p)
        .bind(&now)
        .execute(&mut *tx.tx)
        .await?;
        added += 1;
    }
    let already = i64::try_from(ids.len()).unwrap_or(i64::MAX) - added;
    if added > 0 {
        record_change(
            &mut tx,
            app,
            actor,
            id,
            "event.invitees_add",
            &format!("invitees added {added}"),
            serde_json::json!({"added": added, "already": already}),
        )
        .await?;
    }
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM event_invitees WHERE event_id = $1")
        .bind(id)
        .fetch_one(&mut *tx.tx)
        .await?;
    tx.commit().await?;
    Ok(InviteesAdded {
        added,
        already,
        invitees_total: total,
    })
}

async fn invitee_visible(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: i64,
    person_id: i64,
) -> AppResult<bool> {
    let scope = access::person_scope(actor, 3);
    let sql = format!(
        "SELECT COUNT(*) FROM event_invitees i JOIN persons p ON p.id = i.person_id \
         WHERE i.event_id = $1 AND i.person_id = $2 AND p.deleted_at IS NULL AND {}",
        scope.sql
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(id).bind(person_id);
    for a in &scope.args {
        q = q.bind(a);
    }
    Ok(q.fetch_one(&mut *conn).await? > 0)
}

/// Records an invitee's reply and/or attendance.
pub async fn change_invitee(
    app: &App,
    actor: &Actor,
    id: i64,
    person_id: i64,
    c: &InviteeChange,
) -> AppResult<Event> {
    access::authorize(actor, Action::EventManage)?;
    let mut errs = Vec::new();
    let pick = |field: &str, v: &Option<String>, allowed: &[&str], errs: &mut Vec<FieldError>| {
        let v = v.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
        if allowed.contains(&v) {
            Some(v.to_owned())
        } else {
            errs.push(FieldError::new(field, "invalid_code"));
            None
        }
    };
    let reply = pick("reply", &c.reply, REPLIES, &mut errs);
    let attendance = pick("attendance", &c.attendance, ATTENDANCES, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    if reply.is_none() && attendance.is_none() {
        return Err(AppError::invalid_field("reply", "required"));
    }
    let mut tx = app.db.begin_write().await?;
    load_row(&mut tx.tx, actor, id).await?;
    if !invitee_visible(&mut tx.tx, actor, id, person_id).await? {
        return Err(AppError::NotFound);
    }
    if let Some(r) = &reply {
        sqlx::query("UPDATE event_invitees SET reply = $1 WHERE event_id = $2 AND person_id = $3")
            .bind(r)
            .bind(id)
            .bind(person_id)
            .execute(&mut *tx.tx)
            .await?;
    }
    if let Some(a) = &attendance {
        sqlx::query(
            "UPDATE event_invitees SET attendance = $1 WHERE event_id = $2 AND person_id = $3",
        )
        .bind(a)
        .bind(id)
        .bind(person_id)
        .execute(&mut *tx.tx)
        .await?;
    }
    record_change(
        &mut tx,
        app,
        actor,
        id,
        "event.invitee_change",
        &format!("invitee changed #{person_id}"),
        serde_json::json!({"person": person_id, "event_reply": reply, "event_attendance": attendance}),
    )
    .await?;
    let e = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(e)
}

/// Takes a person off the invitee list.
pub async fn remove_invitee(app: &App, actor: &Actor, id: i64, person_id: i64) -> AppResult<Event> {
    access::authorize(actor, Action::EventManage)?;
    let mut tx = app.db.begin_write().await?;
    load_row(&mut tx.tx, actor, id).await?;
    if !invitee_visible(&mut tx.tx, actor, id, person_id).await? {
        return Err(AppError::NotFound);
    }
    sqlx::query("DELETE FROM event_invitees WHERE event_id = $1 AND person_id = $2")
        .bind(id)
        .bind(person_id)
        .execute(&mut *tx.tx)
        .await?;
    record_change(
        &mut tx,
        app,
        actor,
        id,
        "event.invitee_remove",
        &format!("invitee removed #{person_id}"),
        serde_json::json!({"person": person_id}),
    )
    .await?;
    let e = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(e)
}

/// Loads an event the actor manages, for its letters (audited by the caller).
pub(crate) async fn managed(app: &App, actor: &Actor, id: i64) -> AppResult<Event> {
    access::authorize(actor, Action::EventManage)?;
    let mut conn = app.db.pool.acquire().await?;
    load(&mut conn, actor, id).await
}

/// Demo events (issue 22 demo data): a "Xuân Quê hương" gathering in the
/// province with invitees from Japan and Korea, and an outgoing delegation
/// to Japan; replies and attendance recorded. Does nothing when events exist.
pub(crate) async fn seed_demo(app: &App, system: &Actor) -> AppResult<()> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(&app.db.pool)
        .await?;
    if n > 0 {
        return Ok(());
    }
    // Recorded as the province's officers would (the system account is an
    // administrator, who manages no events), under the system's name.
    let officer = Actor {
        role: domain::Role::ProvinceOfficer,
        jurisdiction: Jurisdiction::Province,
        token_scopes: None,
        ..system.clone()
    };
    let actor = &officer;
    let year = clock::current_year();
    let s = |v: &str| Some(v.to_owned());
    let tet = create(
        app,
        actor,
        &EventInput {
            kind: s("xuan_que_huong"),
            name: Some(format!("Xuân Quê hương {year}")),
            starts_on: s(&format!("{year}-01-24")),
            ends_on: None,
            place: s("Trung tâm Hội nghị tỉnh, TP. Hà Tĩnh"),
            country: None,
            programme: s("08:00 Đón tiếp đại biểu\n09:00 Chương trình nghệ thuật chào Xuân\n10:00 Lãnh đạo tỉnh thông tin tình hình kinh tế - xã hội\n11:30 Gặp mặt, giao lưu"),
            members: None,
            organiser: s("Sở Ngoại vụ"),
            notes: None,
        },
    )
    .await?;
    let trip = create(
        app,
        actor,
        &EventInput {
            kind: s("outgoing_delegation"),
            name: s("Đoàn công tác của tỉnh thăm cộng đồng người Việt Nam tại Nhật Bản"),
            starts_on: s(&format!("{year}-04-10")),
            ends_on: s(&format!("{year}-04-16")),
            place: s("Tokyo, Osaka"),
            country: s("JP"),
            programme: s("Gặp mặt Hội đồng hương tại Tokyo\nXúc tiến đầu tư tại Osaka"),
            members: s(
                "Phó Chủ tịch UBND tỉnh, Trưởng đoàn\nGiám đốc Sở Ngoại vụ\nGiám đốc Sở Tài chính",
            ),
            organiser: s("UBND tỉnh"),
            notes: None,
        },
    )
    .await?;
    for (event, country, tag) in [
        (tet.id, "JP", "businessperson"),
        (tet.id, "KR", "businessperson"),
        (trip.id, "JP", "association_leader"),
    ] {
        let f = InviteeFilter {
            country: s(country),
            tag: s(tag),
            ..InviteeFilter::default()
        };
        match add_invitees(app, actor, event, &f).await {
            Ok(_) | Err(AppError::Invalid(_)) => {}
            Err(e) => return Err(e),
        }
    }
    // A small registry may hold no businessperson in those countries: the
    // gathering then invites the businesspeople wherever they live.
    let invited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM event_invitees WHERE event_id = $1")
            .bind(tet.id)
            .fetch_one(&app.db.pool)
            .await?;
    if invited == 0 {
        let f = InviteeFilter {
            tag: s("businessperson"),
            ..InviteeFilter::default()
        };
        match add_invitees(app, actor, tet.id, &f).await {
            Ok(_) | Err(AppError::Invalid(_)) => {}
            Err(e) => return Err(e),
        }
    }
    // Replies and attendance of the first invitees of the gathering.
    let firsts: Vec<i64> = sqlx::query_scalar(
        "SELECT person_id FROM event_invitees WHERE event_id = $1 ORDER BY person_id LIMIT 6",
    )
    .bind(tet.id)
    .fetch_all(&app.db.pool)
    .await?;
    for (i, p) in firsts.iter().enumerate() {
        let (reply, attendance) = match i % 3 {
            0 => ("yes", "attended"),
            1 => ("yes", "absent"),
            _ => ("no", "unknown"),
        };
        change_invitee(
            app,
            actor,
            tet.id,
            *p,
            &InviteeChange {
                reply: s(reply),
                attendance: s(attendance),
            },
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_needs_a_kind_a_name_and_a_first_day() {
        let errs = validate(&EventInput {
            kind: Some("party".into()),
            starts_on: Some("31/02/2027".into()),
            country: Some("Narnia".into()),
            ..EventInput::default()
        })
        .unwrap_err();
        for f in ["kind", "name", "starts_on", "country"] {
            assert!(errs.iter().any(|e| e.field == f), "{f}: {errs:?}");
        }
        let errs = validate(&EventInput {
            kind: Some("conference".into()),
            name: Some("Hội nghị".into()),
            starts_on: Some("10/02/2027".into()),
            ends_on: Some("09/02/2027".into()),
            ..EventInput::default()
        })
        .unwrap_err();
        assert_eq!(errs[0].field, "ends_on");
        let ok = validate(&EventInput {
            kind: Some("xuan_que_huong".into()),
            name: Some(" Xuân Quê hương ".into()),
            starts_on: Some("24/01/2027".into()),
            country: Some("Nhật Bản".into()),
            ..EventInput::default()
        })
        .unwrap();
        assert_eq!(
            (ok.name.as_str(), ok.starts_on.as_str(), ok.country.as_str()),
            ("Xuân Quê hương", "2027-01-24", "JP")
        );
    }
}
