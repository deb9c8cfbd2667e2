//! Associations abroad (issue 22 §1): hometown associations (*hội đồng
//! hương*) such as "Hội đồng hương Hà Tĩnh tại TP. Hồ Chí Minh", business,
//! professional, student and labour associations, with their leaders
//! (registry people, position and term), members (registry people, join
//! date and role), contacts and activities.
//!
//! Who sees and edits what is decided by [`access`]: the province sees and
//! edits all; a mission sees and edits the associations of its countries; an
//! association's account its own association and its members; other roles
//! see the associations that have a member they may see. An association
//! outside the actor's reach answers as not found. Every change is audited
//! and kept as a version (`association_versions`); a change made against an
//! old version is refused (optimistic concurrency). Merging two records
//! moves the members, leaders and activities to the kept one, and the merged
//! one answers with a pointer to it.

use db::{Row, WriteTx};
use serde::{Deserialize, Serialize};

use super::investment::{self, Change};
use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, FieldError, Jurisdiction, clock};

/// Kinds of association (labels `code.association_kind.*`).
pub const KINDS: &[&str] = &[
    "hometown",
    "business",
    "professional",
    "student",
    "labour",
    "community",
    "other",
];

/// Statuses a person may set; `merged` is set by a merge only.
pub const STATUSES: &[&str] = &["active", "inactive", "dissolved"];

/// Positions of leaders (labels `code.association_position.*`).
pub const POSITIONS: &[&str] = &[
    "president",
    "vice_president",
    "general_secretary",
    "treasurer",
    "board_member",
    "honorary_president",
];

/// Roles of members (labels `code.member_role.*`).
pub const MEMBER_ROLES: &[&str] = &["member", "board_member", "honorary_member"];

/// Longest name, city, contact, website, title.
const MAX_SHORT: usize = 200;
/// Longest address or participation.
const MAX_MEDIUM: usize = 400;
/// Longest notes or description.
const MAX_LONG: usize = 4000;
/// Members shown with a record (the rest through the members list).
const MEMBERS_SHOWN: i64 = 500;

/// What a caller submits for an association. Unknown fields are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssociationInput {
    /// Name in Vietnamese (unique).
    pub name: Option<String>,
    /// Name in English.
    pub name_en: Option<String>,
    /// `hometown`, `business`, `professional`, `student`, `labour`, `community` or `other`.
    pub kind: Option<String>,
    /// Country, ISO 3166 alpha-2 (a name is understood too: "Nhật Bản").
    pub country: Option<String>,
    pub city: Option<String>,
    /// Founded: a year, a month or a day (`2005`, `03/2005`, `12/03/2005`, `2005-03-12`).
    pub founded_on: Option<String>,
    /// `active` (default), `inactive` or `dissolved`.
    pub status: Option<String>,
    /// The person to contact.
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    pub notes: Option<String>,
}

/// A leader: a registry person in a position for a term.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Leader {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    /// One of [`POSITIONS`].
    pub position: String,
    pub term_start: Option<String>,
    pub term_end: Option<String>,
    /// Whether the caller may open the person's record.
    pub person_visible: bool,
}

/// A member: a registry person the caller may see.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Member {
    pub person_id: i64,
    pub full_name: String,
    /// One of [`MEMBER_ROLES`].
    pub role: String,
    pub joined_on: Option<String>,
    /// Country of residence, ISO alpha-2.
    pub country: String,
}

/// An activity of the association.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Activity {
    pub id: i64,
    /// The day, ISO `YYYY-MM-DD`.
    pub held_on: String,
    pub title: String,
    pub description: String,
    /// Who from the province took part ("" when nobody did).
    pub province_participation: String,
}

/// An association with its leaders, members the caller may see and activities.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Association {
    pub id: i64,
    pub version: i64,
    pub name: String,
    pub name_en: String,
    pub kind: String,
    pub country: String,
    pub city: String,
    pub founded_on: Option<String>,
    /// `active`, `inactive`, `dissolved` or `merged`.
    pub status: String,
    /// The record this one was merged into: read that one instead.
    pub merged_into: Option<i64>,
    pub contact_name: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    pub address: String,
    pub notes: String,
    pub created_at: String,
    pub updated_at: String,
    pub leaders: Vec<Leader>,
    /// Live members, whether the caller may see them or not.
    pub members_total: i64,
    /// The members the caller may see (at most 500).
    pub members: Vec<Member>,
    pub activities: Vec<Activity>,
}

/// An association as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssociationRow {
    pub id: i64,
    pub version: i64,
    pub name: String,
    pub name_en: String,
    pub kind: String,
    pub country: String,
    pub city: String,
    pub status: String,
    pub merged_into: Option<i64>,
    /// Live members.
    pub members: i64,
}

/// One version of an association's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionRow {
    pub version: i64,
    /// `created`, `updated: name, city`, `member added #12`, `merged into #3`...
    pub summary: String,
    /// Who made the change (username).
    pub actor: String,
    pub changed_at: String,
    /// The association's own fields after the change.
    #[schema(value_type = Object)]
    pub snapshot: serde_json::Value,
}

/// Adds or changes a membership.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    pub person_id: Option<i64>,
    /// One of `member` (default), `board_member`, `honorary_member`.
    pub role: Option<String>,
    /// When the person joined (a year, month or day).
    pub joined_on: Option<String>,
}

/// Adds a leader.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaderInput {
    pub person_id: Option<i64>,
    /// One of `president`, `vice_president`, `general_secretary`, `treasurer`,
    /// `board_member`, `honorary_president`.
    pub position: Option<String>,
    /// Start of the term (a year, month or day).
    pub term_start: Option<String>,
    /// End of the term (empty while in office).
    pub term_end: Option<String>,
}

/// Adds an activity.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    /// The day (`12/02/2026` or `2026-02-12`).
    pub held_on: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// Who from the province took part ("Phó Chủ tịch UBND tỉnh"), empty if nobody.
    pub province_participation: Option<String>,
}

/// Filters of the list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Words of the name (Vietnamese or English), with or without marks.
    pub q: String,
    /// Country, by code or name.
    pub country: String,
    pub kind: String,
    /// A status; empty lists all but the merged records.
    pub status: String,
    /// Only the associations this person (whom the caller may see) belongs to.
    pub member: Option<i64>,
}

// ------------------------------------------------------------------ validation

/// The validated fields of an association.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Data {
    name: String,
    name_en: String,
    kind: String,
    country: String,
    city: String,
    founded_on: Option<String>,
    status: String,
    contact_name: String,
    phone: String,
    email: String,
    website: String,
    address: String,
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

/// A year, month or day as stored (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`).
fn partial_date(field: &str, v: &str, errs: &mut Vec<FieldError>) -> Option<String> {
    if v.is_empty() {
        return None;
    }
    let read = domain::dates::read_without_century(v).map(domain::PartialDate::to_iso);
    if read.is_err() {
        errs.push(FieldError::new(field, "invalid_date"));
    }
    read.ok()
}

fn one_of(field: &str, v: &str, allowed: &[&str], errs: &mut Vec<FieldError>) {
    if v.is_empty() {
        errs.push(FieldError::new(field, "required"));
    } else if !allowed.contains(&v) {
        errs.push(FieldError::new(field, "invalid_code"));
    }
}

/// Checks an association's fields without writing (a received exchange
/// file is checked line by line before anyone decides).
pub(crate) fn check(input: &AssociationInput) -> Result<(), Vec<FieldError>> {
    validate(input).map(|_| ())
}

fn validate(input: &AssociationInput) -> Result<Data, Vec<FieldError>> {
    let mut errs = Vec::new();
    let name = trimmed(input.name.as_ref());
    if name.is_empty() {
        errs.push(FieldError::new("name", "required"));
    }
    let name_en = trimmed(input.name_en.as_ref());
    let kind = trimmed(input.kind.as_ref());
    one_of("kind", &kind, KINDS, &mut errs);
    let country_text = trimmed(input.country.as_ref());
    let country = if country_text.is_empty() {
        errs.push(FieldError::new("country", "required"));
        String::new()
    } else if let Some(c) = domain::geo::countries::resolve(&country_text) {
        c.to_owned()
    } else {
        errs.push(FieldError::new("country", "unknown_country"));
        String::new()
    };
    let city = trimmed(input.city.as_ref());
    let founded_on = partial_date("founded_on", &trimmed(input.founded_on.as_ref()), &mut errs);
    if founded_on
        .as_deref()
        .is_some_and(|d| d > clock::today().as_str())
    {
        errs.push(FieldError::new("founded_on", "in_future"));
    }
    let mut status = trimmed(input.status.as_ref());
    if status.is_empty() {
        "active".clone_into(&mut status);
    }
    one_of("status", &status, STATUSES, &mut errs);
    let contact_name = trimmed(input.contact_name.as_ref());
    let phone_text = trimmed(input.phone.as_ref());
    let phone = crate::registry::people::normalize_phone(&phone_text).unwrap_or_else(|code| {
        errs.push(FieldError::new("phone", code));
        String::new()
    });
    let email = trimmed(input.email.as_ref()).to_lowercase();
    if !email.is_empty()
        && (email.contains(char::is_whitespace)
            || email.split('@').count() != 2
            || email.starts_with('@')
            || !email.split('@').nth(1).is_some_and(|d| d.contains('.')))
    {
        errs.push(FieldError::new("email", "invalid_email"));
    }
    let website = trimmed(input.website.as_ref());
    let address = trimmed(input.address.as_ref());
    let notes = trimmed(input.notes.as_ref());
    for (f, v, max) in [
        ("name", &name, MAX_SHORT),
        ("name_en", &name_en, MAX_SHORT),
        ("city", &city, MAX_SHORT),
        ("contact_name", &contact_name, MAX_SHORT),
        ("email", &email, MAX_SHORT),
        ("website", &website, MAX_SHORT),
        ("address", &address, MAX_MEDIUM),
        ("notes", &notes, MAX_LONG),
    ] {
        text_ok(f, v, max, &mut errs);
    }
    if errs.is_empty() {
        Ok(Data {
            name,
            name_en,
            kind,
            country,
            city,
            founded_on,
            status,
            contact_name,
            phone,
            email,
            website,
            address,
            notes,
        })
    } else {
        Err(errs)
    }
}

/// A mission keeps the associations it records within its countries.
fn country_allowed(actor: &Actor, country: &str) -> bool {
    match &actor.jurisdiction {
        Jurisdiction::Countries(cs) => cs.iter().any(|c| c == country),
        _ => true,
    }
}

// ------------------------------------------------------------------ reading

const COLUMNS: &str = "a.id, a.version, a.name, a.name_en, a.kind, a.country, a.city, \
    a.founded_on, a.status, a.merged_into, a.contact_name, a.phone, a.email, a.website, \
    a.address, a.notes, a.created_at, a.updated_at";

fn from_row(r: &db::AnyRow) -> Result<Association, db::SqlxError> {
    Ok(Association {
        id: r.try_get(0)?,
        version: r.try_get(1)?,
        name: r.try_get(2)?,
        name_en: r.try_get(3)?,
        kind: r.try_get(4)?,
        country: r.try_get(5)?,
        city: r.try_get(6)?,
        founded_on: r.try_get(7)?,
        status: r.try_get(8)?,
        merged_into: r.try_get(9)?,
        contact_name: r.try_get(10)?,
        phone: r.try_get(11)?,
        email: r.try_get(12)?,
        website: r.try_get(13)?,
        address: r.try_get(14)?,
        notes: r.try_get(15)?,
        created_at: r.try_get(16)?,
        updated_at: r.try_get(17)?,
        leaders: Vec::new(),
        members_total: 0,
        members: Vec::new(),
        activities: Vec::new(),
    })
}

fn to_data(a: &Association) -> Data {
    Data {
        name: a.name.clone(),
        name_en: a.name_en.clone(),
        kind: a.kind.clone(),
        country: a.country.clone(),
        city: a.city.clone(),
        founded_on: a.founded_on.clone(),
        status: a.status.clone(),
        contact_name: a.contact_name.clone(),
        phone: a.phone.clone(),
        email: a.email.clone(),
        website: a.website.clone(),
        address: a.address.clone(),
        notes: a.notes.clone(),
    }
}

/// The input that would store `a` as it is (the base of a merge patch).
pub fn to_input(a: &Association) -> AssociationInput {
    let s = |v: &str| Some(v.to_owned());
    AssociationInput {
        name: s(&a.name),
        name_en: s(&a.name_en),
        kind: s(&a.kind),
        country: s(&a.country),
        city: s(&a.city),
        founded_on: a.founded_on.clone(),
        status: s(if a.status == "merged" {
            "inactive"
        } else {
            &a.status
        }),
        contact_name: s(&a.contact_name),
        phone: s(&a.phone),
        email: s(&a.email),
        website: s(&a.website),
        address: s(&a.address),
        notes: s(&a.notes),
    }
}

/// The association's own row, when the actor may see it.
async fn load_row(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: i64,
) -> AppResult<Association> {
    let scope = access::association_scope(actor, 2);
    let sql = format!(
        "SELECT {COLUMNS} FROM associations a WHERE a.id = $1 AND {}",
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

/// The association with its leaders, visible members and activities.
async fn load(conn: &mut sqlx::AnyConnection, actor: &Actor, id: i64) -> AppResult<Association> {
    let mut a = load_row(conn, actor, id).await?;
    let p = access::person_scope(actor, 2);
    let sql = format!(
        "SELECT l.id, l.person_id, p.full_name, l.position, l.term_start, l.term_end, \
         CAST(CASE WHEN {} THEN 1 ELSE 0 END AS BIGINT) \
         FROM association_leaders l JOIN persons p ON p.id = l.person_id \
         WHERE l.association_id = $1 AND p.deleted_at IS NULL \
         ORDER BY CASE WHEN l.term_end IS NULL THEN 0 ELSE 1 END, l.id",
        p.sql
    );
    let mut q = sqlx::query(&sql).bind(id);
    for x in &p.args {
        q = q.bind(x);
    }
    a.leaders = q
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Leader {
                id: r.try_get(0)?,
                person_id: r.try_get(1)?,
                person_name: r.try_get(2)?,
                position: r.try_get(3)?,
                term_start: r.try_get(4)?,
                term_end: r.try_get(5)?,
                person_visible: r.try_get::<i64, _>(6)? == 1,
            })
        })
        .collect::<Result<Vec<_>, db::SqlxError>>()?;
    a.members_total = sqlx::query_scalar(
        "SELECT COUNT(*) FROM person_associations pa JOIN persons p ON p.id = pa.person_id \
         WHERE pa.association_id = $1 AND p.deleted_at IS NULL",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let sql = format!(
        "SELECT pa.person_id, p.full_name, pa.role, pa.joined_on, p.country \
         FROM person_associations pa JOIN persons p ON p.id = pa.person_id \
         WHERE pa.association_id = $1 AND p.deleted_at IS NULL AND {} \
         ORDER BY p.full_name_folded, p.id LIMIT {MEMBERS_SHOWN}",
        p.sql
    );
    let mut q = sqlx::query(&sql).bind(id);
    for x in &p.args {
        q = q.bind(x);
    }
    a.members = q
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Member {
                person_id: r.try_get(0)?,
                full_name: r.try_get(1)?,
                role: r.try_get(2)?,
                joined_on: r.try_get(3)?,
                country: r.try_get(4)?,
            })
        })
        .collect::<Result<Vec<_>, db::SqlxError>>()?;
    a.activities = sqlx::query(
        "SELECT id, held_on, title, description, province_participation \
         FROM association_activities WHERE association_id = $1 ORDER BY held_on DESC, id DESC",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(Activity {
            id: r.try_get(0)?,
            held_on: r.try_get(1)?,
            title: r.try_get(2)?,
            description: r.try_get(3)?,
            province_participation: r.try_get(4)?,
        })
    })
    .collect::<Result<Vec<_>, db::SqlxError>>()?;
    Ok(a)
}

/// Reads one association (its members are personal data: the view is audited).
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<Association> {
    access::authorize(actor, Action::AssociationRead)?;
    let mut tx = app.db.begin_write().await?;
    let a = load(&mut tx.tx, actor, id).await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("association.view", "association", &id),
    )
    .await?;
    tx.commit().await?;
    Ok(a)
}

/// True when the actor may change associations (which ones: those it sees).
pub fn may_edit(actor: &Actor) -> bool {
    access::authorize(actor, Action::AssociationUpdate).is_ok()
}

/// True when the actor may open associations.
pub fn may_create(actor: &Actor) -> bool {
    access::authorize(actor, Action::AssociationCreate).is_ok()
}

/// True when the actor may merge associations.
pub fn may_merge(actor: &Actor) -> bool {
    access::authorize(actor, Action::AssociationMerge).is_ok()
}

/// The associations the actor may see that match the filter, by name.
pub async fn list(app: &App, actor: &Actor, f: &ListFilter) -> AppResult<Vec<AssociationRow>> {
    access::authorize(actor, Action::AssociationRead)?;
    let mut errs = Vec::new();
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<String> = Vec::new();
    let country = f.country.trim();
    if !country.is_empty() {
        match domain::geo::countries::resolve(country) {
            Some(c) => {
                args.push(c.to_owned());
                conds.push(format!("a.country = ${}", args.len()));
            }
            None => errs.push(FieldError::new("country", "unknown_country")),
        }
    }
    let kind = f.kind.trim();
    if !kind.is_empty() {
        if KINDS.contains(&kind) {
            args.push(kind.to_owned());
            conds.push(format!("a.kind = ${}", args.len()));
        } else {
            errs.push(FieldError::new("kind", "invalid_code"));
        }
    }
    let status = f.status.trim();
    if status.is_empty() {
        conds.push("a.status <> 'merged'".to_owned());
    } else if STATUSES.contains(&status) || status == "merged" {
        args.push(status.to_owned());
        conds.push(format!("a.status = ${}", args.len()));
    } else {
        errs.push(FieldError::new("status", "invalid_code"));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let member = f.member;
    if let Some(pid) = member {
        // Inlined: an integer, not text.
        let p = access::person_scope(actor, args.len() + 1);
        conds.push(format!(
            "a.id IN (SELECT pa.association_id FROM person_associations pa \
             JOIN persons p ON p.id = pa.person_id \
             WHERE pa.person_id = {pid} AND p.deleted_at IS NULL AND {})",
            p.sql
        ));
        args.extend(p.args);
    }
    let scope = access::association_scope(actor, args.len() + 1);
    conds.push(scope.sql);
    args.extend(scope.args);
    let sql = format!(
        "SELECT a.id, a.version, a.name, a.name_en, a.kind, a.country, a.city, a.status, \
         a.merged_into, (SELECT COUNT(*) FROM person_associations pa2 JOIN persons p2 \
         ON p2.id = pa2.person_id WHERE pa2.association_id = a.id AND p2.deleted_at IS NULL) \
         FROM associations a WHERE {}",
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
        let row = AssociationRow {
            id: r.try_get(0)?,
            version: r.try_get(1)?,
            name: r.try_get(2)?,
            name_en: r.try_get(3)?,
            kind: r.try_get(4)?,
            country: r.try_get(5)?,
            city: r.try_get(6)?,
            status: r.try_get(7)?,
            merged_into: r.try_get(8)?,
            members: r.try_get(9)?,
        };
        if !words.is_empty() && !name_matches(&words, &[&row.name, &row.name_en, &row.city]) {
            continue;
        }
        out.push(row);
    }
    out.sort_by_cached_key(|r| (domain::text::fold(&r.name), r.id));
    Ok(out)
}

/// Whether the folded query `words` name a record: each word is a whole
/// word of its name (Vietnamese or English) or city, the last one may be
/// the beginning of one (still being typed): "ha tinh" finds "Hội đồng
/// hương Hà Tĩnh", not "Nghệ Tĩnh tại Hàn Quốc".
fn name_matches(words: &[String], texts: &[&str]) -> bool {
    let folded: Vec<String> = texts.iter().map(|t| domain::text::fold(t)).collect();
    let hay: Vec<&str> = folded
        .iter()
        .flat_map(|t| t.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    let last = words.len() - 1;
    words.iter().enumerate().all(|(i, w)| {
        hay.iter().any(|h| {
            if i == last {
                h.starts_with(w.as_str())
            } else {
                *h == w
            }
        })
    })
}

/// A page of `rows` by id after `after` (the API's cursor): the page and the next cursor.
pub fn page_by_id(
    mut rows: Vec<AssociationRow>,
    after: Option<i64>,
    limit: Option<i64>,
) -> (Vec<AssociationRow>, Option<i64>) {
    let limit = usize::try_from(limit.unwrap_or(50).clamp(1, 500)).unwrap_or(50);
    let after = after.unwrap_or(0);
    rows.retain(|r| r.id > after);
    rows.sort_by_key(|r| r.id);
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = if more {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    (rows, next)
}

/// The history of an association, newest first.
pub async fn history(app: &App, actor: &Actor, id: i64) -> AppResult<Vec<VersionRow>> {
    access::authorize(actor, Action::AssociationRead)?;
    let mut conn = app.db.pool.acquire().await?;
    load_row(&mut conn, actor, id).await?;
    let rows = sqlx::query(
        "SELECT version, summary, actor, changed_at, snapshot FROM association_versions \
         WHERE association_id = $1 ORDER BY id DESC",
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

/// People the actor may see whose name holds every word of `q` (with or
/// without marks): the person picker of the members and leaders forms.
pub async fn pick_people(app: &App, actor: &Actor, q: &str) -> AppResult<Vec<PersonChoice>> {
    access::authorize(actor, Action::PersonList)?;
    let words: Vec<String> = domain::text::fold(q)
        .split_whitespace()
        .take(6)
        .map(|w| format!("%{}%", w.replace(['%', '_', '\\'], "")))
        .collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let conds: Vec<String> = (1..=words.len())
        .map(|i| format!("p.full_name_folded LIKE ${i}"))
        .collect();
    let scope = access::person_scope(actor, words.len() + 1);
    let sql = format!(
        "SELECT p.id, p.full_name, p.country, p.birth_year FROM persons p \
         WHERE p.deleted_at IS NULL AND {} AND {} ORDER BY p.full_name_folded, p.id LIMIT 20",
        conds.join(" AND "),
        scope.sql
    );
    let mut qy = sqlx::query(&sql);
    for w in &words {
        qy = qy.bind(w);
    }
    for a in &scope.args {
        qy = qy.bind(a);
    }
    qy.fetch_all(&app.db.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(PersonChoice {
                id: r.try_get(0)?,
                full_name: r.try_get(1)?,
                country: r.try_get(2)?,
                birth_year: r.try_get(3)?,
            })
        })
        .collect::<Result<Vec<_>, db::SqlxError>>()
        .map_err(AppError::from)
}

/// A person offered by the picker.
#[derive(Debug, Clone, Serialize)]
pub struct PersonChoice {
    pub id: i64,
    pub full_name: String,
    pub country: String,
    pub birth_year: Option<i64>,
}

// ------------------------------------------------------------------ writing

/// Writes a version row: the association as it is now, and what changed.
async fn version_row(
    tx: &mut WriteTx,
    actor: &Actor,
    id: i64,
    summary: &str,
    now: &str,
) -> AppResult<()> {
    let a = load_row_unscoped(&mut tx.tx, id).await?;
    let snapshot = serde_json::to_string(&to_data(&a)).map_err(anyhow::Error::from)?;
    sqlx::query(
        "INSERT INTO association_versions (association_id, version, summary, snapshot, actor, changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(a.version)
    .bind(summary)
    .bind(snapshot)
    .bind(&actor.username)
    .bind(now)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// The first version of an association made outside [`create`] (demo data).
pub(crate) async fn first_version(
    tx: &mut WriteTx,
    actor: &Actor,
    id: i64,
    now: &str,
) -> AppResult<()> {
    version_row(tx, actor, id, "created", now).await
}

async fn load_row_unscoped(conn: &mut sqlx::AnyConnection, id: i64) -> AppResult<Association> {
    let sql = format!("SELECT {COLUMNS} FROM associations a WHERE a.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(from_row(&row)?)
}

async fn name_taken(conn: &mut sqlx::AnyConnection, name: &str, except: i64) -> AppResult<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM associations WHERE name = $1 AND id <> $2")
            .bind(name)
            .bind(except)
            .fetch_one(&mut *conn)
            .await?;
    Ok(n > 0)
}

/// Records a new association (201 with the record).
pub async fn create(app: &App, actor: &Actor, input: &AssociationInput) -> AppResult<Association> {
    let mut tx = app.db.begin_write().await?;
    let id = create_in(&mut tx, app, actor, input).await?;
    let r = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(r)
}

/// [`create`] within the caller's transaction (an import writes every row
/// or none): the new record's id.
pub(crate) async fn create_in(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    input: &AssociationInput,
) -> AppResult<i64> {
    access::authorize(actor, Action::AssociationCreate)?;
    let d = validate(input).map_err(AppError::Invalid)?;
    if !country_allowed(actor, &d.country) {
        return Err(AppError::invalid_field("country", "out_of_jurisdiction"));
    }
    let now = clock::now();
    if name_taken(&mut tx.tx, &d.name, 0).await? {
        return Err(AppError::invalid_field("name", "taken"));
    }
    let id: i64 = sqlx::query(
        "INSERT INTO associations (name, name_en, kind, country, city, founded_on, status, \
         contact_name, phone, email, website, address, notes, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $15) RETURNING id",
    )
    .bind(&d.name)
    .bind(&d.name_en)
    .bind(&d.kind)
    .bind(&d.country)
    .bind(&d.city)
    .bind(d.founded_on.clone())
    .bind(&d.status)
    .bind(&d.contact_name)
    .bind(&d.phone)
    .bind(&d.email)
    .bind(&d.website)
    .bind(&d.address)
    .bind(&d.notes)
    .bind(&now)
    .bind(&now)
    .fetch_one(&mut *tx.tx)
    .await?
    .try_get(0)?;
    version_row(tx, actor, id, "created", &now).await?;
    audit::append(
        tx,
        app,
        actor,
        Event::new("association.create", "association", &id),
    )
    .await?;
    Ok(id)
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

/// A record merged into another takes no more changes.
fn refuse_merged(a: &Association) -> AppResult<()> {
    if a.status == "merged" {
        Err(AppError::Conflict("merged".into()))
    } else {
        Ok(())
    }
}

/// Loads an association the actor may change (role and reach), live.
async fn editable(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: i64,
) -> AppResult<Association> {
    access::authorize(actor, Action::AssociationUpdate)?;
    let a = load_row(conn, actor, id).await?;
    refuse_merged(&a)?;
    Ok(a)
}

/// Replaces an association's fields when `expected_version` is still current.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    input: &AssociationInput,
) -> AppResult<Association> {
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
) -> AppResult<Association> {
    access::authorize(actor, Action::AssociationUpdate)?;
    let mut conn = app.db.pool.acquire().await?;
    let current = load_row(&mut conn, actor, id).await?;
    let snapshot = investment::snapshot_in(
        &mut conn,
        "association_versions",
        "association_id",
        None,
        id,
        version,
    )
    .await?;
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
    input: &AssociationInput,
    change: Change,
) -> AppResult<Association> {
    access::authorize(actor, Action::AssociationUpdate)?;
    let mut tx = app.db.begin_write().await?;
    let current = editable(&mut tx.tx, actor, id).await?;
    if !crate::registry::version_matches(expected_version, current.version) {
        return Err(AppError::PreconditionFailed {
            current_version: current.version,
        });
    }
    write_in(&mut tx, app, actor, &current, input, change).await?;
    let a = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(a)
}

/// An association the actor may change (role and reach, live, not
/// merged), read inside the caller's transaction.
pub(crate) async fn editable_in(
    tx: &mut WriteTx,
    actor: &Actor,
    id: i64,
) -> AppResult<Association> {
    editable(&mut tx.tx, actor, id).await
}

/// Replaces the fields of `current` (as read by [`editable_in`]) inside the
/// caller's transaction, checked, versioned and audited as an edit; nothing
/// is written when they are its fields already.
pub(crate) async fn update_in(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    current: &Association,
    input: &AssociationInput,
) -> AppResult<()> {
    write_in(tx, app, actor, current, input, Change::Edit).await
}

async fn write_in(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    current: &Association,
    input: &AssociationInput,
    change: Change,
) -> AppResult<()> {
    let id = current.id;
    let d = validate(input).map_err(AppError::Invalid)?;
    if !country_allowed(actor, &d.country) {
        return Err(AppError::invalid_field("country", "out_of_jurisdiction"));
    }
    if name_taken(&mut tx.tx, &d.name, id).await? {
        return Err(AppError::invalid_field("name", "taken"));
    }
    let changed = changed_fields(&to_data(current), &d);
    if changed.is_empty() {
        return Ok(());
    }
    let now = clock::now();
    let done = sqlx::query(
        "UPDATE associations SET name = $1, name_en = $2, kind = $3, country = $4, city = $5, \
         founded_on = $6, status = $7, contact_name = $8, phone = $9, email = $10, website = $11, \
         address = $12, notes = $13, version = version + 1, updated_at = $14 \
         WHERE id = $15 AND version = $16",
    )
    .bind(&d.name)
    .bind(&d.name_en)
    .bind(&d.kind)
    .bind(&d.country)
    .bind(&d.city)
    .bind(d.founded_on.clone())
    .bind(&d.status)
    .bind(&d.contact_name)
    .bind(&d.phone)
    .bind(&d.email)
    .bind(&d.website)
    .bind(&d.address)
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
    version_row(tx, actor, id, &change.summary(&changed), &now).await?;
    audit::append(
        tx,
        app,
        actor,
        Event::new(
            change.action("association.update", "association.restore"),
            "association",
            &id,
        )
        .with(serde_json::json!({"version": current.version + 1, "changed": changed})),
    )
    .await
}

/// Applies a JSON merge patch (RFC 7396) to an association.
pub async fn patch(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    patch: &serde_json::Value,
) -> AppResult<Association> {
    access::authorize(actor, Action::AssociationUpdate)?;
    let mut conn = app.db.pool.acquire().await?;
    let current = load_row(&mut conn, actor, id).await?;
    drop(conn);
    let mut doc = serde_json::to_value(to_input(&current)).map_err(anyhow::Error::from)?;
    crate::registry::people::merge_patch(&mut doc, patch);
    if let Some(o) = doc.as_object_mut() {
        o.retain(|_, v| !v.is_null());
    }
    let input: AssociationInput = serde_json::from_value(doc).map_err(|e| {
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

/// True when the actor may see the live person `person_id`.
async fn person_visible(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    person_id: i64,
) -> AppResult<bool> {
    let scope = access::person_scope(actor, 2);
    let sql = format!(
        "SELECT COUNT(*) FROM persons p WHERE p.id = $1 AND p.deleted_at IS NULL AND {}",
        scope.sql
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(person_id);
    for a in &scope.args {
        q = q.bind(a);
    }
    Ok(q.fetch_one(&mut *conn).await? > 0)
}

/// Records a change of the association's people or activities: its
/// version row and audit row (the association's own fields and version do
/// not change, so a form open elsewhere stays valid).
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
        Event::new(action, "association", &id).with(details),
    )
    .await
}

/// Adds a person the actor may see as a member (or changes their role and join date).
pub async fn add_member(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &MemberInput,
) -> AppResult<Association> {
    access::authorize(actor, Action::AssociationUpdate)?;
    let mut errs = Vec::new();
    let role = input
        .role
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or("member")
        .to_owned();
    one_of("role", &role, MEMBER_ROLES, &mut errs);
    let joined_on = partial_date(
        "joined_on",
        input.joined_on.as_deref().unwrap_or("").trim(),
        &mut errs,
    );
    let mut tx = app.db.begin_write().await?;
    editable(&mut tx.tx, actor, id).await?;
    let person_id = match input.person_id {
        Some(p) if person_visible(&mut tx.tx, actor, p).await? => p,
        Some(_) => {
            errs.push(FieldError::new("person_id", "unknown_person"));
            0
        }
        None => {
            errs.push(FieldError::new("person_id", "required"));
            0
        }
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let now = clock::now();
    let existing: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM person_associations WHERE person_id = $1 AND association_id = $2",
    )
    .bind(person_id)
    .bind(id)
    .fetch_one(&mut *tx.tx)
    .await?;
    let summary = if existing > 0 {
        sqlx::query(
            "UPDATE person_associations SET role = $1, joined_on = $2 \
             WHERE person_id = $3 AND association_id = $4",
        )
        .bind(&role)
        .bind(joined_on.clone())
        .bind(person_id)
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
        format!("member changed #{person_id}")
    } else {
        sqlx::query(
            "INSERT INTO person_associations (person_id, association_id, role, joined_on, added_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(person_id)
        .bind(id)
        .bind(&role)
        .bind(joined_on.clone())
        .bind(&now)
        .execute(&mut *tx.tx)
        .await?;
        format!("member added #{person_id}")
    };
    record_change(
        &mut tx,
        app,
        actor,
        id,
        "association.member_add",
        &summary,
        serde_json::json!({"person": person_id}),
    )
    .await?;
    let a = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(a)
}

/// Ends a membership of a person the actor may see.
pub async fn remove_member(
    app: &App,
    actor: &Actor,
    id: i64,
    person_id: i64,
) -> AppResult<Association> {
    access::authorize(actor, Action::AssociationUpdate)?;
    let mut tx = app.db.begin_write().await?;
    editable(&mut tx.tx, actor, id).await?;
    if !person_visible(&mut tx.tx, actor, person_id).await? {
        return Err(AppError::NotFound);
    }
    let done =
        sqlx::query("DELETE FROM person_associations WHERE person_id = $1 AND association_id = $2")
            .bind(person_id)
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    record_change(
        &mut tx,
        app,
        actor,
        id,
        "association.member_remove",
        &format!("member removed #{person_id}"),
        serde_json::json!({"person": person_id}),
    )
    .await?;
    let a = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(a)
}

/// Adds a leader: a person the actor may see, in a position, for a term.
pub async fn add_leader(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &LeaderInput,
) -> AppResult<Association> {
    access::authorize(actor, Action::AssociationUpdate)?;
    let mut errs = Vec::new();
    let position = input.position.as_deref().unwrap_or("").trim().to_owned();
    one_of("position", &position, POSITIONS, &mut errs);
    let term_start = partial_date(
        "term_start",
        input.term_start.as_deref().unwrap_or("").trim(),
        &mut errs,
    );
    let term_end = partial_date(
        "term_end",
        input.term_end.as_deref().unwrap_or("").trim(),
        &mut errs,
    );
    if let (Some(s), Some(e)) = (&term_start, &term_end)
        && e < s
    {
        errs.push(FieldError::new("term_end", "before_start"));
    }
    let mut tx = app.db.begin_write().await?;
    editable(&mut tx.tx, actor, id).await?;
    let person_id = match input.person_id {
        Some(p) if person_visible(&mut tx.tx, actor, p).await? => p,
        Some(_) => {
            errs.push(FieldError::new("person_id", "unknown_person"));
            0
        }
        None => {
            errs.push(FieldError::new("person_id", "required"));
            0
        }
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let now = clock::now();
    let leader_id: i64 = sqlx::query(
        "INSERT INTO association_leaders (association_id, person_id, position, term_start, term_end, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(id)
    .bind(person_id)
    .bind(&position)
    .bind(term_start)
    .bind(term_end)
    .bind(&now)
    .fetch_one(&mut *tx.tx)
    .await?
    .try_get(0)?;
    record_change(
        &mut tx,
        app,
        actor,
        id,
        "association.leader_add",
        &format!("leader added #{person_id}"),
        serde_json::json!({"person": person_id, "leader": leader_id}),
    )
    .await?;
    let a = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(a)
}

/// Removes a leader entry (a mistaken one; a term that ended keeps its end date instead).
pub async fn remove_leader(
    app: &App,
    actor: &Actor,
    id: i64,
    leader_id: i64,
) -> AppResult<Association> {
    access::authorize(actor, Action::AssociationUpdate)?;
    let mut tx = app.db.begin_write().await?;
    editable(&mut tx.tx, actor, id).await?;
    let person_id: Option<i64> = sqlx::query_scalar(
        "SELECT person_id FROM association_leaders WHERE id = $1 AND association_id = $2",
    )
    .bind(leader_id)
    .bind(id)
    .fetch_optional(&mut *tx.tx)
    .await?;
    let person_id = person_id.ok_or(AppError::NotFound)?;
    sqlx::query("DELETE FROM association_leaders WHERE id = $1")
        .bind(leader_id)
        .execute(&mut *tx.tx)
        .await?;
    record_change(
        &mut tx,
        app,
        actor,
        id,
        "association.leader_remove",
        &format!("leader removed #{person_id}"),
        serde_json::json!({"person": person_id, "leader": leader_id}),
    )
    .await?;
    let a = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(a)
}

/// Records an activity of the association.
pub async fn add_activity(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ActivityInput,
) -> AppResult<Association> {
    access::authorize(actor, Action::AssociationUpdate)?;
    let mut errs = Vec::new();
    let held_text = input.held_on.as_deref().unwrap_or("").trim().to_owned();
    let held_on = if held_text.is_empty() {
        errs.push(FieldError::new("held_on", "required"));
        String::new()
    } else if let Some(d) = domain::dates::read_day(&held_text) {
        d
    } else {
        errs.push(FieldError::new("held_on", "invalid_date"));
        String::new()
    };
    let title = input.title.as_deref().unwrap_or("").trim().to_owned();
    if title.is_empty() {
        errs.push(FieldError::new("title", "required"));
    }
    let description = input.description.as_deref().unwrap_or("").trim().to_owned();
    let participation = input
        .province_participation
        .as_deref()
        .unwrap_or("")
        .trim()
        .to_owned();
    text_ok("title", &title, MAX_SHORT, &mut errs);
    text_ok("description", &description, MAX_LONG, &mut errs);
    text_ok(
        "province_participation",
        &participation,
        MAX_MEDIUM,
        &mut errs,
    );
    let mut tx = app.db.begin_write().await?;
    editable(&mut tx.tx, actor, id).await?;
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let now = clock::now();
    let activity_id: i64 = sqlx::query(
        "INSERT INTO association_activities (association_id, held_on, title, description, \
         province_participation, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(id)
    .bind(&held_on)
    .bind(&title)
    .bind(&description)
    .bind(&participation)
    .bind(&now)
    .fetch_one(&mut *tx.tx)
    .await?
    .try_get(0)?;
    record_change(
        &mut tx,
        app,
        actor,
        id,
        "association.activity_add",
        &format!("activity added #{activity_id}"),
        serde_json::json!({"activity": activity_id}),
    )
    .await?;
    let a = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(a)
}

/// Removes an activity recorded by mistake.
pub async fn remove_activity(
    app: &App,
    actor: &Actor,
    id: i64,
    activity_id: i64,
) -> AppResult<Association> {
    access::authorize(actor, Action::AssociationUpdate)?;
    let mut tx = app.db.begin_write().await?;
    editable(&mut tx.tx, actor, id).await?;
    let done =
        sqlx::query("DELETE FROM association_activities WHERE id = $1 AND association_id = $2")
            .bind(activity_id)
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    record_change(
        &mut tx,
        app,
        actor,
        id,
        "association.activity_remove",
        &format!("activity removed #{activity_id}"),
        serde_json::json!({"activity": activity_id}),
    )
    .await?;
    let a = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(a)
}

/// A merge of two association records.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    /// The record that stays.
    pub kept_id: i64,
    /// The record that goes: its members, leaders and activities move to the kept one.
    pub merged_id: i64,
    /// The kept record's version as read (`ETag`).
    pub kept_version: i64,
    /// The merged record's version as read.
    pub merged_version: i64,
}

/// Merges `merged_id` into `kept_id`: members (each once), leaders and
/// activities move to the kept record, accounts of the merged association
/// now hold the kept one, and the merged record stays with status `merged`
/// and a pointer to the kept one; both histories say so.
pub async fn merge(app: &App, actor: &Actor, m: &MergeInput) -> AppResult<Association> {
    access::authorize(actor, Action::AssociationMerge)?;
    if m.kept_id == m.merged_id {
        return Err(AppError::invalid_field("merged_id", "same_record"));
    }
    let mut tx = app.db.begin_write().await?;
    let kept = load_row(&mut tx.tx, actor, m.kept_id).await?;
    let merged = load_row(&mut tx.tx, actor, m.merged_id).await?;
    refuse_merged(&kept)?;
    refuse_merged(&merged)?;
    for (expected, current) in [
        (m.kept_version, kept.version),
        (m.merged_version, merged.version),
    ] {
        if !crate::registry::version_matches(expected, current) {
            return Err(AppError::PreconditionFailed {
                current_version: current,
            });
        }
    }
    let (k, g) = (m.kept_id, m.merged_id);
    sqlx::query(
        "DELETE FROM person_associations WHERE association_id = $1 AND person_id IN \
         (SELECT person_id FROM person_associations WHERE association_id = $2)",
    )
    .bind(g)
    .bind(k)
    .execute(&mut *tx.tx)
    .await?;
    let members =
        sqlx::query("UPDATE person_associations SET association_id = $1 WHERE association_id = $2")
            .bind(k)
            .bind(g)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
    let leaders =
        sqlx::query("UPDATE association_leaders SET association_id = $1 WHERE association_id = $2")
            .bind(k)
            .bind(g)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
    let activities = sqlx::query(
        "UPDATE association_activities SET association_id = $1 WHERE association_id = $2",
    )
    .bind(k)
    .bind(g)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    // Accounts of the merged association keep working on the kept one.
    sqlx::query(
        "DELETE FROM user_scopes WHERE kind = 'association' AND code = $1 AND user_id IN \
         (SELECT user_id FROM user_scopes WHERE kind = 'association' AND code = $2)",
    )
    .bind(g.to_string())
    .bind(k.to_string())
    .execute(&mut *tx.tx)
    .await?;
    sqlx::query("UPDATE user_scopes SET code = $1 WHERE kind = 'association' AND code = $2")
        .bind(k.to_string())
        .bind(g.to_string())
        .execute(&mut *tx.tx)
        .await?;
    let now = clock::now();
    sqlx::query(
        "UPDATE associations SET status = 'merged', merged_into = $1, version = version + 1, \
         updated_at = $2 WHERE id = $3",
    )
    .bind(k)
    .bind(&now)
    .bind(g)
    .execute(&mut *tx.tx)
    .await?;
    sqlx::query("UPDATE associations SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(&now)
        .bind(k)
        .execute(&mut *tx.tx)
        .await?;
    version_row(&mut tx, actor, g, &format!("merged into #{k}"), &now).await?;
    version_row(&mut tx, actor, k, &format!("merged in #{g}"), &now).await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("association.merge", "association", &k).with(serde_json::json!({
            "merged": g,
            "members": members,
            "leaders": leaders,
            "activities": activities,
        })),
    )
    .await?;
    let a = load(&mut tx.tx, actor, k).await?;
    tx.commit().await?;
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(q: &str) -> Vec<String> {
        domain::text::fold(q)
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn names_match_by_whole_words_and_the_last_begun() {
        let hometown = ["Hội đồng hương Hà Tĩnh tại Nhật Bản", "", "Tokyo"];
        let korea = ["Hội đồng hương Nghệ Tĩnh tại Hàn Quốc", "", ""];
        assert!(name_matches(&words("ha tinh"), &hometown));
        assert!(!name_matches(&words("ha tinh"), &korea));
        assert!(name_matches(&words("HÀ TĨNH nhat"), &hometown));
        assert!(name_matches(&words("tĩnh"), &korea));
        assert!(name_matches(&words("tok"), &hometown));
    }

    #[test]
    fn an_association_needs_a_name_a_kind_and_a_known_country() {
        let errs = validate(&AssociationInput {
            kind: Some("club".into()),
            country: Some("Narnia".into()),
            email: Some("a@b".into()),
            founded_on: Some("3000".into()),
            ..AssociationInput::default()
        })
        .unwrap_err();
        for f in ["name", "kind", "country", "email", "founded_on"] {
            assert!(errs.iter().any(|e| e.field == f), "{f}: {errs:?}");
        }
        let ok = validate(&AssociationInput {
            name: Some(" Hội A ".into()),
            kind: Some("hometown".into()),
            country: Some("Nhật Bản".into()),
            founded_on: Some("03/2005".into()),
            ..AssociationInput::default()
        })
        .unwrap();
        assert_eq!(
            (ok.name.as_str(), ok.country.as_str(), ok.status.as_str()),
            ("Hội A", "JP", "active")
        );
        assert_eq!(ok.founded_on.as_deref(), Some("2005-03"));
    }
}
