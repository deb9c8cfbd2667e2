//! Receiving a file in the exchange format (issue 25 §2) from the national
//! database or another province: every record is matched against the
//! registry, then waits for an officer's decision. Nothing is overwritten
//! silently: a change applies only when accepted, and keeps the sender as
//! its source.
//!
//! Matching: a record whose identifier this registry gave or received
//! (following merges, [`super::export::resolve`]) is its own record — the
//! same when no field differs, a change otherwise. A record with an
//! unknown identifier is scored against the people the name search finds
//! by the linkage model (as the portal's claims are): at or above
//! [`CONFLICT_FROM`] it is a conflict (likely a person already registered
//! under another identifier: shown side by side), else new. Households,
//! relatives, associations, enterprises and projects are matched by
//! identifier, else by content ([`super::kinds`]): a conflict when the
//! registry holds the same record under another identifier. A relative
//! belongs to a person and a household, an enterprise to its owners, a
//! project to its investors — each known here or received in the same
//! file; a record naming one that is neither (or refused) is refused,
//! naming the field.
//!
//! Accepting is one transaction: the records, their sources, the sender's
//! identifiers, the items' decisions, the exchange's state and the audit
//! rows are written together or not at all, one item ([`decide`]) or every
//! pending item of a file ([`accept_all`]). The exchange's row is locked
//! first, so two officers (or two servers) deciding at once take turns and
//! the second finds the item decided (409) instead of writing it twice.

use db::Row;
use serde::Serialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use std::collections::HashMap;

use super::export::{self, person_record};
use super::format::{self, Difference, Entity, Header, Namespace, Record};
use super::kinds::{self, Links};
use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::registry::people::{self, PersonData};
use crate::{Actor, App, AppError, AppResult, FieldError, clock};

/// A record scored at or above this probability against a registry person
/// it does not name is a conflict, not a new record.
pub const CONFLICT_FROM: f64 = 0.8;

/// What became of a received file.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Received {
    pub id: i64,
    pub records: i64,
    pub new_records: i64,
    pub changed: i64,
    pub unchanged: i64,
    pub conflicts: i64,
    pub refused: i64,
}

fn invalid(field: &str, code: &str) -> AppError {
    AppError::Invalid(vec![FieldError::new(field, code)])
}

/// The linkage record of a person's fields.
fn linkage_record(id: i64, d: &PersonData) -> linkage::Record {
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

/// The registry's fields of a received person: the fields it sent laid
/// over `base` (the registry's record for a change, empty for a new one).
fn data_of(base: &PersonData, theirs: &Map<String, Value>) -> Result<PersonData, Vec<FieldError>> {
    let mut v = match serde_json::to_value(base) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    for (k, x) in theirs {
        if v.contains_key(k) {
            v.insert(k.clone(), x.clone());
        }
    }
    let data: PersonData = serde_json::from_value(Value::Object(v))
        .map_err(|_| vec![FieldError::new("record", "invalid_record")])?;
    people::validate(&data.to_input())
}

/// An item before it is stored.
struct Item {
    line_no: i64,
    kind: String,
    uid: String,
    outcome: &'static str,
    entity_id: Option<i64>,
    probability: Option<f64>,
    data: String,
    diff: Vec<Difference>,
    problem: String,
}

impl Item {
    /// The record known here by the received identifier: the same, or a
    /// change field by field.
    fn found(&mut self, id: i64, mine: &Map<String, Value>, theirs: &Map<String, Value>) {
        self.entity_id = Some(id);
        self.diff = format::differences(mine, theirs);
        self.outcome = if self.diff.is_empty() {
            "same"
        } else {
            "change"
        };
    }
}

/// Matches one person record.
async fn match_person(app: &App, actor: &Actor, ns: Namespace, rec: &Record) -> AppResult<Item> {
    let theirs = rec.compared();
    let mut item = Item {
        line_no: 0,
        kind: "person".into(),
        uid: rec.id.clone(),
        outcome: "new",
        entity_id: None,
        probability: None,
        data: serde_json::to_string(rec).unwrap_or_default(),
        diff: Vec::new(),
        problem: String::new(),
    };
    let valid = match data_of(&PersonData::default(), &theirs) {
        Ok(d) => d,
        Err(errs) => {
            item.outcome = "refused";
            item.problem = problems(&errs);
            return Ok(item);
        }
    };
    if let Some((Entity::Person, id)) = resolve(app, ns, &rec.id).await?
        && let Ok(ours) = people::load_for_exchange(app, actor, id).await
        && ours.deleted_at.is_none()
    {
        let mine = person_record(&ours, rec.id.clone(), true, None).fields;
        item.found(id, &mine, &theirs);
        return Ok(item);
    }
    // Unknown identifier: is it someone already registered?
    let q = crate::registry::search::SearchQuery {
        q: valid.full_name.clone(),
        limit: Some(20),
        ..Default::default()
    };
    let hits = crate::registry::search::search_unaudited(app, actor, &q, 20).await?;
    let model = linkage::Model::default();
    let me = linkage_record(0, &valid);
    let mut best: Option<(i64, f64)> = None;
    for h in hits.items {
        let Ok(p) = people::load_for_exchange(app, actor, h.id).await else {
            continue;
        };
        let c = linkage::compare(&me, &linkage_record(p.id, &p.data), &model);
        if best.is_none_or(|b| c.probability > b.1) {
            best = Some((p.id, c.probability));
        }
    }
    if let Some((id, probability)) = best
        && probability >= CONFLICT_FROM
    {
        let ours = people::load_for_exchange(app, actor, id).await?;
        let mine = person_record(&ours, String::new(), true, None).fields;
        item.outcome = "conflict";
        item.entity_id = Some(id);
        item.probability = Some(probability);
        item.diff = format::differences(&mine, &theirs);
    }
    Ok(item)
}

async fn resolve(app: &App, ns: Namespace, uid: &str) -> AppResult<Option<(Entity, i64)>> {
    let mut conn = app.db.pool.acquire().await?;
    export::resolve_on(&mut conn, ns, uid).await
}

/// The live record of kind `e` an identifier names here, if any.
async fn live(app: &App, ns: Namespace, uid: &str, e: Entity) -> AppResult<Option<i64>> {
    let Some((k, id)) = resolve(app, ns, uid).await? else {
        return Ok(None);
    };
    if k != e {
        return Ok(None);
    }
    let alive: i64 = if e == Entity::Person {
        sqlx::query_scalar("SELECT COUNT(*) FROM persons WHERE id = $1 AND deleted_at IS NULL")
            .bind(id)
            .fetch_one(&app.db.pool)
            .await?
    } else {
        let mut conn = app.db.pool.acquire().await?;
        i64::from(kinds::ours(&mut conn, ns, e, id).await?.is_some())
    };
    Ok((alive > 0).then_some(id))
}

fn problems(errs: &[FieldError]) -> String {
    errs.iter()
        .map(|e| format!("{}:{}", e.field, e.code))
        .collect::<Vec<_>>()
        .join(",")
}

/// Matches a household, relative or association: by its identifier, else
/// by content. `in_file` says, for the people and households of the same
/// file, whether each could be accepted (not refused).
async fn match_other(
    app: &App,
    ns: Namespace,
    rec: &Record,
    e: Entity,
    in_file: &HashMap<String, bool>,
) -> AppResult<Item> {
    let theirs = kinds::sent(e, rec);
    let mut item = Item {
        line_no: 0,
        kind: e.code().to_owned(),
        uid: rec.id.clone(),
        outcome: "new",
        entity_id: None,
        probability: None,
        data: serde_json::to_string(rec).unwrap_or_default(),
        diff: Vec::new(),
        problem: String::new(),
    };
    // A relative belongs to a person and a household: known here, or
    // received (and not refused) in the same file.
    let mut person = None;
    if e == Entity::Relative {
        for (field, k) in [
            ("person_id", Entity::Person),
            ("household_id", Entity::Household),
        ] {
            let uid = kinds::link(rec, field);
            let here = live(app, ns, &uid, k).await?;
            let problem = match (here, in_file.get(&uid)) {
                (Some(id), _) => {
                    if k == Entity::Person {
                        person = Some(id);
                    }
                    continue;
                }
                (None, Some(true)) => continue,
                (None, Some(false)) => "exchange_link_refused",
                (None, None) => "exchange_link_unknown",
            };
            item.outcome = "refused";
            item.problem = format!("{field}:{problem}");
            return Ok(item);
        }
    }
    // An enterprise's owners and a project's investors: each known here
    // or received (and not refused) in the same file.
    for (field, k) in kinds::LIST_LINKS {
        let Some(uids) = theirs.get(*field).and_then(Value::as_array) else {
            continue;
        };
        for uid in uids.iter().filter_map(Value::as_str) {
            let problem = match (live(app, ns, uid, *k).await?, in_file.get(uid)) {
                (Some(_), _) | (None, Some(true)) => continue,
                (None, Some(false)) => "exchange_link_refused",
                (None, None) => "exchange_link_unknown",
            };
            item.outcome = "refused";
            item.problem = format!("{field}:{problem}");
            return Ok(item);
        }
    }
    let home = app.settings.home_province.clone();
    let mut conn = app.db.pool.acquire().await?;
    let found = resolve(app, ns, &rec.id)
        .await?
        .filter(|(k, _)| *k == e)
        .map(|(_, id)| id);
    if let Some(id) = found
        && let Some((mine, _)) = kinds::ours(&mut conn, ns, e, id).await?
    {
        if let Err(errs) = kinds::check(e, &mine, &theirs, &home) {
            item.outcome = "refused";
            item.problem = problems(&errs);
            return Ok(item);
        }
        item.found(id, &mine, &theirs);
        return Ok(item);
    }
    if let Err(errs) = kinds::check(e, &Map::new(), &theirs, &home) {
        item.outcome = "refused";
        item.problem = problems(&errs);
        return Ok(item);
    }
    // Unknown identifier: the same record under another one?
    if let Some(id) = kinds::same_content(app, e, &theirs, person).await?
        && let Some((mine, _)) = kinds::ours(&mut conn, ns, e, id).await?
    {
        item.outcome = "conflict";
        item.entity_id = Some(id);
        item.diff = format::differences(&mine, &theirs);
    }
    Ok(item)
}

/// Reads a received file, matches every record, stores the file, the
/// items and the log row, and audits the reception. Answers the counts.
pub async fn receive(
    app: &App,
    actor: &Actor,
    file_name: &str,
    bytes: &[u8],
) -> AppResult<Received> {
    access::authorize(actor, Action::ExchangeReceive)?;
    if bytes.is_empty() {
        return Err(invalid("file", "required"));
    }
    if bytes.len() as u64 > app.settings.import_limits.max_file_bytes {
        return Err(invalid("file", "too_large"));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| invalid("file", "not_exchange_file"))?;
    let mut lines = text.lines().enumerate();
    let header: Header = lines
        .next()
        .and_then(|(_, l)| serde_json::from_str(l.trim_start_matches('\u{feff}')).ok())
        .filter(|h: &Header| h.kind == "header" && h.format == format::FORMAT)
        .ok_or_else(|| invalid("file", "not_exchange_file"))?;
    if header.version != format::VERSION {
        return Err(invalid("file", "unsupported_version"));
    }
    let ns = export::namespace(app).await?;
    let mut items = Vec::new();
    // Relatives, enterprises and projects after the rest, in that order:
    // they name people, households and enterprises of the same file.
    let mut later: Vec<(Entity, i64, Record)> = Vec::new();
    let mut in_file = HashMap::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let line_no = i as i64 + 1;
        let rec: Option<Record> = serde_json::from_str(line).ok();
        let mut item = match rec {
            Some(rec) => match Entity::from_code(&rec.kind) {
                Some(e @ (Entity::Relative | Entity::Enterprise | Entity::Project)) => {
                    later.push((e, line_no, rec));
                    continue;
                }
                Some(Entity::Person) => match_person(app, actor, ns, &rec).await?,
                Some(e) => match_other(app, ns, &rec, e, &in_file).await?,
                None => refused(line, "unknown_type"),
            },
            None => refused(line, "invalid_json"),
        };
        if matches!(item.kind.as_str(), "person" | "household") {
            in_file.insert(
                item.uid.trim().to_ascii_lowercase(),
                item.outcome != "refused",
            );
        }
        item.line_no = line_no;
        items.push(item);
    }
    later.sort_by_key(|(e, line_no, _)| (rank(e.code()), *line_no));
    for (e, line_no, rec) in later {
        let mut item = match_other(app, ns, &rec, e, &in_file).await?;
        if e == Entity::Enterprise {
            in_file.insert(
                item.uid.trim().to_ascii_lowercase(),
                item.outcome != "refused",
            );
        }
        item.line_no = line_no;
        items.push(item);
    }
    items.sort_by_key(|i| i.line_no);
    let count = |o: &str| items.iter().filter(|i| i.outcome == o).count() as i64;
    let received = Received {
        id: 0,
        records: items.len() as i64,
        new_records: count("new"),
        changed: count("change"),
        unchanged: count("same"),
        conflicts: count("conflict"),
        refused: count("refused"),
    };
    let sha = hex::encode(Sha256::digest(bytes));
    let now = clock::fmt(app.clock.now_utc());
    let name: String = file_name.chars().take(200).collect();
    let mut tx = app.db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO exchanges (direction, format, file_name, sha256, size_bytes, filters, sender, \
         records, new_records, changed, unchanged, conflicts, refused, status, created_at, \
         created_by, created_by_name) VALUES ('import', 'jsonl', $1, $2, $3, $4, $5, $6, $7, $8, \
         $9, $10, $11, 'review', $12, $13, $14) RETURNING id",
    )
    .bind(&name)
    .bind(&sha)
    .bind(bytes.len() as i64)
    .bind(serde_json::to_string(&header).unwrap_or_default())
    .bind(format!(
        "{} ({})",
        header.province_name, header.province_code
    ))
    .bind(received.records)
    .bind(received.new_records)
    .bind(received.changed)
    .bind(received.unchanged)
    .bind(received.conflicts)
    .bind(received.refused)
    .bind(&now)
    .bind(actor.user_id)
    .bind(&actor.username)
    .fetch_one(&mut *tx.tx)
    .await?;
    for it in &items {
        let decision = match it.outcome {
            "new" | "change" | "conflict" => "pending",
            _ => "none",
        };
        // A NULL bound where a number is bound on the next row would make
        // PostgreSQL read the number in the wrong format: the probability
        // is in the statement only when there is one.
        let sql = if it.probability.is_some() {
            "INSERT INTO exchange_items (exchange_id, line_no, record_type, uid, outcome, \
             entity_id, probability, data, diff, problem, decision) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        } else {
            "INSERT INTO exchange_items (exchange_id, line_no, record_type, uid, outcome, \
             entity_id, data, diff, problem, decision) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        };
        let mut q = sqlx::query(sql)
            .bind(id)
            .bind(it.line_no)
            .bind(&it.kind)
            .bind(&it.uid)
            .bind(it.outcome)
            .bind(it.entity_id);
        if let Some(p) = it.probability {
            q = q.bind(p);
        }
        q.bind(&it.data)
            .bind(serde_json::to_string(&it.diff).unwrap_or_default())
            .bind(&it.problem)
            .bind(decision)
            .execute(&mut *tx.tx)
            .await?;
    }
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("exchange.receive", "exchange", &id).with(json!({
            "sha256": sha,
            "records": received.records,
            "new": received.new_records,
            "changed": received.changed,
            "conflicts": received.conflicts,
            "refused": received.refused,
        })),
    )
    .await?;
    tx.commit().await?;
    super::files::keep(app, id, &name, bytes).await?;
    Ok(Received { id, ..received })
}

fn refused(line: &str, problem: &str) -> Item {
    Item {
        line_no: 0,
        kind: String::new(),
        uid: String::new(),
        outcome: "refused",
        entity_id: None,
        probability: None,
        data: line.chars().take(2000).collect(),
        diff: Vec::new(),
        problem: problem.to_owned(),
    }
}

/// A stored item, as read for a decision.
struct Pending {
    id: i64,
    line_no: i64,
    kind: String,
    outcome: String,
    entity_id: Option<i64>,
    data: String,
    uid: String,
    decision: String,
}

const ITEM_COLUMNS: &str = "id, line_no, record_type, outcome, entity_id, data, uid, decision";

fn pending_from(r: &db::AnyRow) -> Result<Pending, db::SqlxError> {
    Ok(Pending {
        id: r.try_get(0)?,
        line_no: r.try_get(1)?,
        kind: r.try_get(2)?,
        outcome: r.try_get(3)?,
        entity_id: r.try_get(4)?,
        data: r.try_get(5)?,
        uid: r.try_get(6)?,
        decision: r.try_get(7)?,
    })
}

/// Locks a received exchange's row for the transaction (deciders of one
/// file take turns, on every server) and answers its sender.
async fn lock_exchange(tx: &mut db::WriteTx, exchange_id: i64) -> AppResult<String> {
    let locked =
        sqlx::query("UPDATE exchanges SET status = status WHERE id = $1 AND direction = 'import'")
            .bind(exchange_id)
            .execute(&mut *tx.tx)
            .await?;
    if locked.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(
        sqlx::query_scalar("SELECT sender FROM exchanges WHERE id = $1")
            .bind(exchange_id)
            .fetch_one(&mut *tx.tx)
            .await?,
    )
}

/// An accept's refusal names the line of the file it comes from
/// (`lines.7.name`), so the officer knows which record to look at.
fn at_line(line_no: i64, e: AppError) -> AppError {
    match e {
        AppError::Invalid(errs) => AppError::Invalid(
            errs.into_iter()
                .map(|f| FieldError::new(format!("lines.{line_no}.{}", f.field), f.code))
                .collect(),
        ),
        other => other,
    }
}

/// Accepts or rejects a pending item, in one transaction. Accepting a new
/// record registers it; a change or a conflict writes the file's values
/// over the registry's record (a new version, audited, the registry's
/// rules checked as for any update). A person gains the sender as a
/// source; any record keeps the file's identifier, which answers for it
/// from then on.
pub async fn decide(
    app: &App,
    actor: &Actor,
    exchange_id: i64,
    item_id: i64,
    accept: bool,
) -> AppResult<Decision> {
    access::authorize(actor, Action::ExchangeReceive)?;
    let ns = export::namespace(app).await?;
    let mut tx = app.db.begin_write().await?;
    let sender = lock_exchange(&mut tx, exchange_id).await?;
    let sql =
        format!("SELECT {ITEM_COLUMNS} FROM exchange_items WHERE id = $1 AND exchange_id = $2");
    let row = sqlx::query(&sql)
        .bind(item_id)
        .bind(exchange_id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let item = pending_from(&row)?;
    if item.decision != "pending" {
        return Err(AppError::Conflict("decided".into()));
    }
    let id = if accept {
        let id = apply(&mut tx, app, actor, ns, &sender, &item)
            .await
            .map_err(|e| at_line(item.line_no, e))?;
        Some(id)
    } else {
        None
    };
    let decision = if accept { "accepted" } else { "rejected" };
    finish(&mut tx, app, actor, exchange_id, &item, decision, id).await?;
    tx.commit().await?;
    Ok(Decision {
        record_type: item.kind,
        record_id: id,
    })
}

/// What a decision did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Decision {
    /// `person`, `household`, `relative`, `association`, `enterprise` or `project`.
    pub record_type: String,
    /// The registry's record created or changed (when accepted).
    pub record_id: Option<i64>,
}

/// What [`accept_all`] did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AcceptedAll {
    /// The items accepted (every pending one).
    pub accepted: i64,
}

/// The order records are written in: associations and households before
/// the people who name them, relatives after their people, enterprises
/// after their owners, projects after their investors.
fn rank(kind: &str) -> u8 {
    match kind {
        "association" => 0,
        "household" => 1,
        "person" => 2,
        "relative" => 3,
        "enterprise" => 4,
        _ => 5,
    }
}

/// Accepts every pending item of a received file in one transaction:
/// all are written, or — when one is refused (its line named) — none.
pub async fn accept_all(app: &App, actor: &Actor, exchange_id: i64) -> AppResult<AcceptedAll> {
    access::authorize(actor, Action::ExchangeReceive)?;
    let ns = export::namespace(app).await?;
    let mut tx = app.db.begin_write().await?;
    let sender = lock_exchange(&mut tx, exchange_id).await?;
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM exchange_items WHERE exchange_id = $1 \
         AND decision = 'pending' ORDER BY line_no, id"
    );
    let rows = sqlx::query(&sql)
        .bind(exchange_id)
        .fetch_all(&mut *tx.tx)
        .await?;
    let mut items = rows
        .iter()
        .map(pending_from)
        .collect::<Result<Vec<_>, _>>()?;
    if items.is_empty() {
        return Err(AppError::Conflict("decided".into()));
    }
    items.sort_by_key(|i| (rank(&i.kind), i.line_no));
    for item in &items {
        let id = apply(&mut tx, app, actor, ns, &sender, item)
            .await
            .map_err(|e| at_line(item.line_no, e))?;
        finish(&mut tx, app, actor, exchange_id, item, "accepted", Some(id)).await?;
    }
    tx.commit().await?;
    Ok(AcceptedAll {
        accepted: items.len() as i64,
    })
}

/// Writes one accepted item inside the caller's transaction: its record,
/// its source (people) and its identifier. Answers the record's id.
async fn apply(
    tx: &mut db::WriteTx,
    app: &App,
    actor: &Actor,
    ns: Namespace,
    sender: &str,
    item: &Pending,
) -> AppResult<i64> {
    let rec: Record = serde_json::from_str(&item.data)
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("stored item: {e}")))?;
    let e =
        Entity::from_code(&item.kind).ok_or_else(|| AppError::Conflict("not_applicable".into()))?;
    let target = match (item.outcome.as_str(), item.entity_id) {
        ("new", _) => None,
        ("change" | "conflict", Some(id)) => Some(id),
        _ => return Err(AppError::Conflict("not_applicable".into())),
    };
    let id = if e == Entity::Person {
        let theirs = rec.compared();
        let id = if let Some(id) = target {
            let ours = people::load(&mut tx.tx, actor, id).await?;
            let d = data_of(&ours.data, &theirs).map_err(AppError::Invalid)?;
            people::update_in(tx, app, actor, &ours, &d.to_input(), false)
                .await?
                .id
        } else {
            let d = data_of(&PersonData::default(), &theirs).map_err(AppError::Invalid)?;
            people::create_in(tx, app, actor, &d.to_input()).await?
        };
        sqlx::query(
            "INSERT INTO person_sources (person_id, agency, list_name, added_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(domain::Agency::Exchange.code())
        .bind(sender)
        .bind(clock::fmt(app.clock.now_utc()))
        .execute(&mut *tx.tx)
        .await?;
        id
    } else {
        let links = if e == Entity::Relative {
            Some(relative_links(tx, ns, &rec).await?)
        } else {
            None
        };
        kinds::apply(tx, app, actor, ns, e, target, &rec, links).await?
    };
    keep_uid(tx, app, ns, e, id, &item.uid).await?;
    Ok(id)
}

/// The person and household an accepted relative belongs to, as known
/// now (accepted earlier in this transaction, or before).
async fn relative_links(tx: &mut db::WriteTx, ns: Namespace, rec: &Record) -> AppResult<Links> {
    let mut ids = [0_i64; 2];
    for (slot, (field, k)) in [
        ("person_id", Entity::Person),
        ("household_id", Entity::Household),
    ]
    .into_iter()
    .enumerate()
    {
        let found = export::resolve_on(&mut tx.tx, ns, &kinds::link(rec, field)).await?;
        match found {
            Some((e, id)) if e == k => ids[slot] = id,
            _ => return Err(invalid(field, "exchange_link_not_accepted")),
        }
    }
    Ok(Links {
        person: ids[0],
        household: ids[1],
    })
}

/// The sender's identifier answers for the record from now on (unless it
/// is one of ours, or already given to a record).
async fn keep_uid(
    tx: &mut db::WriteTx,
    app: &App,
    ns: Namespace,
    e: Entity,
    id: i64,
    uid: &str,
) -> AppResult<()> {
    if ns.id_of(uid).is_some() || uuid::Uuid::parse_str(uid).is_err() {
        return Ok(());
    }
    let uid = uid.trim().to_ascii_lowercase();
    let taken: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM exchange_uids WHERE uid = $1 OR (entity = $2 AND entity_id = $3)",
    )
    .bind(&uid)
    .bind(e.code())
    .bind(id)
    .fetch_one(&mut *tx.tx)
    .await?;
    if taken == 0 {
        sqlx::query(
            "INSERT INTO exchange_uids (uid, entity, entity_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(uid)
        .bind(e.code())
        .bind(id)
        .bind(clock::fmt(app.clock.now_utc()))
        .execute(&mut *tx.tx)
        .await?;
    }
    Ok(())
}

async fn finish(
    tx: &mut db::WriteTx,
    app: &App,
    actor: &Actor,
    exchange_id: i64,
    item: &Pending,
    decision: &str,
    record: Option<i64>,
) -> AppResult<()> {
    let done = sqlx::query(
        "UPDATE exchange_items SET decision = $1, decided_at = $2, decided_by = $3, \
         entity_id = COALESCE($4, entity_id) WHERE id = $5 AND decision = 'pending'",
    )
    .bind(decision)
    .bind(clock::fmt(app.clock.now_utc()))
    .bind(actor.user_id)
    .bind(record)
    .bind(item.id)
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::Conflict("decided".into()));
    }
    let pending: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM exchange_items WHERE exchange_id = $1 AND decision = 'pending'",
    )
    .bind(exchange_id)
    .fetch_one(&mut *tx.tx)
    .await?;
    if pending == 0 {
        sqlx::query("UPDATE exchanges SET status = 'done' WHERE id = $1")
            .bind(exchange_id)
            .execute(&mut *tx.tx)
            .await?;
    }
    let mut detail = json!({
        "exchange": exchange_id,
        "decision": decision,
        "record_type": item.kind,
        "line": item.line_no,
    });
    if item.kind == "person" {
        detail["person_id"] = json!(record);
    } else {
        detail["record_id"] = json!(record);
    }
    audit::append(
        tx,
        app,
        actor,
        Event::new("exchange.decide", "exchange_item", &item.id).with(detail),
    )
    .await
}
