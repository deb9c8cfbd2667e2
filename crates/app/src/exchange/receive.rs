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
//! relatives and associations are matched by identifier only and listed;
//! applying them is not done yet (the people are).

use db::Row;
use serde::Serialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::export::{self, person_record};
use super::format::{self, Difference, Entity, Header, Record};
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

/// Matches one person record.
async fn match_person(app: &App, actor: &Actor, rec: &Record) -> AppResult<Item> {
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
            item.problem = errs
                .iter()
                .map(|e| format!("{}:{}", e.field, e.code))
                .collect::<Vec<_>>()
                .join(",");
            return Ok(item);
        }
    };
    if let Some((Entity::Person, id)) = export::resolve(app, &rec.id).await?
        && let Ok(ours) = people::load_for_exchange(app, actor, id).await
        && ours.deleted_at.is_none()
    {
        {
            let mine = person_record(&ours, rec.id.clone(), true, None).fields;
            item.entity_id = Some(id);
            item.diff = format::differences(&mine, &theirs);
            item.outcome = if item.diff.is_empty() {
                "same"
            } else {
                "change"
            };
            return Ok(item);
        }
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

/// Matches a household, relative or association by its identifier.
async fn match_other(app: &App, rec: &Record, e: Entity) -> AppResult<Item> {
    let found = export::resolve(app, &rec.id).await?;
    let id = found.filter(|(k, _)| *k == e).map(|(_, id)| id);
    Ok(Item {
        line_no: 0,
        kind: e.code().to_owned(),
        uid: rec.id.clone(),
        outcome: if id.is_some() { "same" } else { "new" },
        entity_id: id,
        probability: None,
        data: serde_json::to_string(rec).unwrap_or_default(),
        diff: Vec::new(),
        problem: String::new(),
    })
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
    let mut items = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let line_no = i as i64 + 1;
        let rec: Option<Record> = serde_json::from_str(line).ok();
        let mut item = match rec {
            Some(rec) => match Entity::from_code(&rec.kind) {
                Some(Entity::Person) => match_person(app, actor, &rec).await?,
                Some(e) => match_other(app, &rec, e).await?,
                None => refused(line, "unknown_type"),
            },
            None => refused(line, "invalid_json"),
        };
        item.line_no = line_no;
        items.push(item);
    }
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
            "new" | "change" | "conflict" if it.kind == "person" => "pending",
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

/// Accepts or rejects a pending item. Accepting a new person registers
/// it; a change or a conflict writes the file's values over the
/// registry's record (a new version, audited, the registry's rules
/// checked as for any update). Either way the sender is added as a
/// source and the file's identifier answers for the record from then on.
pub async fn decide(
    app: &App,
    actor: &Actor,
    exchange_id: i64,
    item_id: i64,
    accept: bool,
) -> AppResult<Option<i64>> {
    access::authorize(actor, Action::ExchangeReceive)?;
    let row = sqlx::query(
        "SELECT i.outcome, i.entity_id, i.data, i.decision, i.uid, e.sender FROM exchange_items i \
         JOIN exchanges e ON e.id = i.exchange_id \
         WHERE i.id = $1 AND i.exchange_id = $2 AND e.direction = 'import'",
    )
    .bind(item_id)
    .bind(exchange_id)
    .fetch_optional(&app.db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let outcome: String = row.try_get(0)?;
    let entity_id: Option<i64> = row.try_get(1)?;
    let data: String = row.try_get(2)?;
    let decision: String = row.try_get(3)?;
    let uid: String = row.try_get(4)?;
    let sender: String = row.try_get(5)?;
    if decision != "pending" {
        return Err(AppError::Conflict("decided".into()));
    }
    let mut person = None;
    if accept {
        let rec: Record = serde_json::from_str(&data)
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("stored item: {e}")))?;
        let theirs = rec.compared();
        let id = match (outcome.as_str(), entity_id) {
            ("new", _) => {
                let d = data_of(&PersonData::default(), &theirs).map_err(AppError::Invalid)?;
                people::create(app, actor, &d.to_input()).await?.id
            }
            ("change" | "conflict", Some(id)) => {
                let ours = people::load_for_exchange(app, actor, id).await?;
                let d = data_of(&ours.data, &theirs).map_err(AppError::Invalid)?;
                people::update(app, actor, id, ours.version, &d.to_input(), false)
                    .await?
                    .id
            }
            _ => return Err(AppError::Conflict("not_applicable".into())),
        };
        person = Some(id);
        let ours = export::namespace(app).await?.id_of(&uid).is_some();
        let mut tx = app.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO person_sources (person_id, agency, list_name, added_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(domain::Agency::Exchange.code())
        .bind(&sender)
        .bind(clock::fmt(app.clock.now_utc()))
        .execute(&mut *tx.tx)
        .await?;
        // The sender's identifier answers for the record from now on
        // (unless it is one of ours, or already given to a record).
        if !ours && uuid::Uuid::parse_str(&uid).is_ok() {
            let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM exchange_uids WHERE uid = $1 OR (entity = 'person' AND entity_id = $2)")
                .bind(&uid)
                .bind(id)
                .fetch_one(&mut *tx.tx)
                .await?;
            if taken == 0 {
                sqlx::query(
                    "INSERT INTO exchange_uids (uid, entity, entity_id, created_at) VALUES ($1, 'person', $2, $3)",
                )
                .bind(uid.to_ascii_lowercase())
                .bind(id)
                .bind(clock::fmt(app.clock.now_utc()))
                .execute(&mut *tx.tx)
                .await?;
            }
        }
        finish(
            &mut tx,
            app,
            actor,
            exchange_id,
            item_id,
            "accepted",
            person,
        )
        .await?;
        tx.commit().await?;
    } else {
        let mut tx = app.db.begin_write().await?;
        finish(&mut tx, app, actor, exchange_id, item_id, "rejected", None).await?;
        tx.commit().await?;
    }
    Ok(person)
}

async fn finish(
    tx: &mut db::WriteTx,
    app: &App,
    actor: &Actor,
    exchange_id: i64,
    item_id: i64,
    decision: &str,
    person: Option<i64>,
) -> AppResult<()> {
    let done = sqlx::query(
        "UPDATE exchange_items SET decision = $1, decided_at = $2, decided_by = $3, \
         entity_id = COALESCE($4, entity_id) WHERE id = $5 AND decision = 'pending'",
    )
    .bind(decision)
    .bind(clock::fmt(app.clock.now_utc()))
    .bind(actor.user_id)
    .bind(person)
    .bind(item_id)
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
    audit::append(
        tx,
        app,
        actor,
        Event::new("exchange.decide", "exchange_item", &item_id).with(json!({
            "exchange": exchange_id,
            "decision": decision,
            "person_id": person,
        })),
    )
    .await
}
