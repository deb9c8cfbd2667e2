//! The kinds of an exchange file other than people — households at home,
//! relatives at home, associations, enterprises and investment projects
//! (issue 25 §1–§2): which of their fields
//! are compared, the registry's record in the file's layout, the match by
//! content when the identifier is unknown, the check of a received line,
//! and the writes of an accepted one (through the registry's and the
//! community's own use cases, inside the caller's transaction).
//!
//! Matching by content: a household by its head's name, address and
//! commune; a relative by its person, name and relationship; an
//! association by its name and country; an enterprise by its registration
//! number, else its name and parent company's country; a project by its
//! licence number, else its name and commune (names folded: no
//! diacritics, no case, single spaces).
//!
//! An enterprise names its owners and a project its investors by their
//! identifiers (lists, compared as sets): each must be a record known here
//! or one received in the same file.

use db::{Row, WriteTx};
use serde_json::{Map, Value};

use super::format::{Entity, Namespace, Record};
use crate::community::associations::{self, AssociationInput};
use crate::community::enterprises::{self, EnterpriseInput};
use crate::community::projects::{self, ProjectInput, StatusInput};
use crate::registry::households::{self, HouseholdInput};
use crate::registry::relatives::{self, RelativeInput};
use crate::{Actor, App, AppError, AppResult, FieldError};

/// The fields of a household the file carries and a receiver compares.
const HOUSEHOLD_FIELDS: &[&str] = &[
    "head_name",
    "address",
    "commune_code",
    "legacy_commune_code",
    "phone",
];
/// The fields of a relative compared (its person and household are links,
/// resolved, not compared).
const RELATIVE_FIELDS: &[&str] = &["full_name", "relationship", "birth_year", "phone"];
/// The fields of an association compared (`merged_into` is the sender's
/// own bookkeeping).
const ASSOCIATION_FIELDS: &[&str] = &[
    "name",
    "name_en",
    "kind",
    "country",
    "city",
    "status",
    "founded_on",
    "contact_name",
    "phone",
    "email",
    "website",
    "address",
];

/// The fields of an enterprise compared (its owners by identifier).
const ENTERPRISE_FIELDS: &[&str] = &[
    "name",
    "name_en",
    "registration_no",
    "sector",
    "address",
    "parent_country",
    "notes",
    "owner_ids",
];
/// The fields of a project compared (investors by identifier). The day of
/// its status (`status_on`) is the day a received change of status is
/// recorded on, not a field of its own.
const PROJECT_FIELDS: &[&str] = &[
    "name",
    "name_en",
    "summary",
    "summary_en",
    "sector",
    "commune_code",
    "registered_capital",
    "realised_capital",
    "currency",
    "rate_to_vnd",
    "licence_no",
    "licence_date",
    "in_catalogue",
    "status",
    "investor_person_ids",
    "investor_enterprise_ids",
];

/// The fields that list other records by identifier, with their kind.
pub(crate) const LIST_LINKS: &[(&str, Entity)] = &[
    ("owner_ids", Entity::Person),
    ("investor_person_ids", Entity::Person),
    ("investor_enterprise_ids", Entity::Enterprise),
];

fn fields_of(e: Entity) -> &'static [&'static str] {
    match e {
        Entity::Household => HOUSEHOLD_FIELDS,
        Entity::Relative => RELATIVE_FIELDS,
        Entity::Association => ASSOCIATION_FIELDS,
        Entity::Enterprise => ENTERPRISE_FIELDS,
        Entity::Project => PROJECT_FIELDS,
        Entity::Person => &[],
    }
}

/// The compared fields a received record sends (a field left out says
/// nothing and is never compared or applied). Lists of identifiers are
/// compared as sets: lower case, sorted, once each.
pub(crate) fn sent(e: Entity, rec: &Record) -> Map<String, Value> {
    fields_of(e)
        .iter()
        .filter_map(|k| {
            let v = rec.fields.get(*k)?;
            let v = match (LIST_LINKS.iter().any(|(f, _)| f == k), v) {
                (true, Value::Array(items)) if items.iter().all(Value::is_string) => {
                    let mut uids: Vec<String> = items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(|u| u.trim().to_ascii_lowercase())
                        .collect();
                    uids.sort();
                    uids.dedup();
                    Value::from(uids)
                }
                _ => v.clone(),
            };
            Some(((*k).to_owned(), v))
        })
        .collect()
}

/// The identifiers a list field of a received record names (`None` when
/// the field is not a list of texts).
pub(crate) fn links(theirs: &Map<String, Value>, field: &str) -> Option<Vec<String>> {
    match theirs.get(field) {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(_) => None,
    }
}

/// The identifier a relative names for its person or household.
pub(crate) fn link(rec: &Record, field: &str) -> String {
    rec.fields
        .get(field)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn text(v: Option<String>) -> Value {
    v.map_or(Value::Null, Value::String)
}

/// The identifiers of the records a link table names for `id`, sorted
/// (`sql` answers each linked record's id and its kept identifier).
async fn linked(
    conn: &mut sqlx::AnyConnection,
    ns: Namespace,
    kind: Entity,
    sql: &str,
    id: i64,
) -> AppResult<Value> {
    let mut uids = Vec::new();
    for r in sqlx::query(sql).bind(id).fetch_all(&mut *conn).await? {
        let other: i64 = r.try_get(0)?;
        let kept: Option<String> = r.try_get(1)?;
        uids.push(kept.unwrap_or_else(|| ns.uid(kind, other)));
    }
    uids.sort();
    uids.dedup();
    Ok(Value::from(uids))
}

/// The registry's live record of a kind, its compared fields in the file's
/// layout; for a relative also the id of its person. `None` when it is
/// gone.
pub(crate) async fn ours(
    conn: &mut sqlx::AnyConnection,
    ns: Namespace,
    e: Entity,
    id: i64,
) -> AppResult<Option<(Map<String, Value>, Option<i64>)>> {
    let mut m = Map::new();
    let mut person = None;
    match e {
        Entity::Enterprise => {
            let Some(r) = sqlx::query(
                "SELECT name, name_en, registration_no, sector, address, parent_country, notes \
                 FROM enterprises WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            else {
                return Ok(None);
            };
            for (i, k) in ENTERPRISE_FIELDS.iter().take(7).enumerate() {
                m.insert((*k).to_owned(), text(r.try_get::<Option<String>, _>(i)?));
            }
            let owners = linked(
                conn,
                ns,
                Entity::Person,
                "SELECT o.person_id, (SELECT u.uid FROM exchange_uids u WHERE u.entity = 'person' \
                 AND u.entity_id = o.person_id) FROM enterprise_owners o \
                 JOIN persons p ON p.id = o.person_id \
                 WHERE o.enterprise_id = $1 AND p.deleted_at IS NULL",
                id,
            )
            .await?;
            m.insert("owner_ids".into(), owners);
        }
        Entity::Project => {
            let Some(r) = sqlx::query(
                "SELECT name, name_en, summary, summary_en, sector, commune_code, currency, \
                 rate_to_vnd, licence_no, licence_date, status, registered_capital, \
                 realised_capital, in_catalogue FROM investment_projects WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            else {
                return Ok(None);
            };
            for (i, k) in [
                "name",
                "name_en",
                "summary",
                "summary_en",
                "sector",
                "commune_code",
                "currency",
                "rate_to_vnd",
                "licence_no",
                "licence_date",
                "status",
            ]
            .into_iter()
            .enumerate()
            {
                m.insert(k.to_owned(), text(r.try_get::<Option<String>, _>(i)?));
            }
            m.insert(
                "registered_capital".into(),
                Value::from(r.try_get::<i64, _>(11)?),
            );
            m.insert(
                "realised_capital".into(),
                Value::from(r.try_get::<i64, _>(12)?),
            );
            m.insert(
                "in_catalogue".into(),
                Value::from(r.try_get::<i64, _>(13)? == 1),
            );
            let people = linked(
                conn,
                ns,
                Entity::Person,
                "SELECT pi.person_id, (SELECT u.uid FROM exchange_uids u WHERE u.entity = 'person' \
                 AND u.entity_id = pi.person_id) FROM project_investors pi \
                 JOIN persons p ON p.id = pi.person_id \
                 WHERE pi.project_id = $1 AND p.deleted_at IS NULL",
                id,
            )
            .await?;
            m.insert("investor_person_ids".into(), people);
            let firms = linked(
                conn,
                ns,
                Entity::Enterprise,
                "SELECT pi.enterprise_id, (SELECT u.uid FROM exchange_uids u \
                 WHERE u.entity = 'enterprise' AND u.entity_id = pi.enterprise_id) \
                 FROM project_investors pi WHERE pi.project_id = $1 AND pi.enterprise_id IS NOT NULL",
                id,
            )
            .await?;
            m.insert("investor_enterprise_ids".into(), firms);
        }
        Entity::Household => {
            let Some(r) = sqlx::query(
                "SELECT head_name, address, new_commune_code, legacy_commune_code, phone \
                 FROM households WHERE id = $1 AND deleted_at IS NULL",
            )
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            else {
                return Ok(None);
            };
            for (i, k) in HOUSEHOLD_FIELDS.iter().enumerate() {
                m.insert((*k).to_owned(), text(r.try_get::<Option<String>, _>(i)?));
            }
        }
        Entity::Relative => {
            let Some(r) = sqlx::query(
                "SELECT full_name, relationship, birth_year, phone, person_id FROM relatives \
                 WHERE id = $1 AND deleted_at IS NULL",
            )
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            else {
                return Ok(None);
            };
            m.insert("full_name".into(), text(r.try_get(0)?));
            m.insert("relationship".into(), text(r.try_get(1)?));
            m.insert(
                "birth_year".into(),
                r.try_get::<Option<i64>, _>(2)?
                    .map_or(Value::Null, Value::from),
            );
            m.insert("phone".into(), text(r.try_get(3)?));
            person = Some(r.try_get(4)?);
        }
        Entity::Association => {
            let Some(r) = sqlx::query(
                "SELECT name, name_en, kind, country, city, status, founded_on, contact_name, \
                 phone, email, website, address FROM associations WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            else {
                return Ok(None);
            };
            for (i, k) in ASSOCIATION_FIELDS.iter().enumerate() {
                m.insert((*k).to_owned(), text(r.try_get::<Option<String>, _>(i)?));
            }
        }
        Entity::Person => return Ok(None),
    }
    Ok(Some((m, person)))
}

fn folded(v: Option<&Value>) -> String {
    domain::text::fold(v.and_then(Value::as_str).unwrap_or_default())
}

/// A registry record with the same content as a received one whose
/// identifier is unknown: a household with the same head, address and
/// commune; a relative of `person` with the same name and relationship;
/// an association with the same name in the same country.
pub(crate) async fn same_content(
    app: &App,
    e: Entity,
    theirs: &Map<String, Value>,
    person: Option<i64>,
) -> AppResult<Option<i64>> {
    let s = |k: &str| {
        theirs
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    match e {
        Entity::Household => {
            let rows = sqlx::query(
                "SELECT id, head_name, address FROM households WHERE deleted_at IS NULL \
                 AND (new_commune_code = $1 OR legacy_commune_code = $2) ORDER BY id",
            )
            .bind(s("commune_code"))
            .bind(s("legacy_commune_code"))
            .fetch_all(&app.db.pool)
            .await?;
            let (head, address) = (
                folded(theirs.get("head_name")),
                folded(theirs.get("address")),
            );
            for r in rows {
                let h: String = r.try_get(1)?;
                let a: String = r.try_get(2)?;
                if domain::text::fold(&h) == head && domain::text::fold(&a) == address {
                    return Ok(Some(r.try_get(0)?));
                }
            }
            Ok(None)
        }
        Entity::Relative => {
            let Some(person) = person else {
                return Ok(None);
            };
            let rel = domain::words::relationship(&s("relationship"))
                .map(|r| r.code().to_owned())
                .unwrap_or_default();
            let id: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM relatives WHERE person_id = $1 AND relationship = $2 \
                 AND full_name_folded = $3 AND deleted_at IS NULL ORDER BY id LIMIT 1",
            )
            .bind(person)
            .bind(rel)
            .bind(folded(theirs.get("full_name")))
            .fetch_optional(&app.db.pool)
            .await?;
            Ok(id)
        }
        Entity::Association => {
            let country = domain::geo::countries::resolve(&s("country")).unwrap_or_default();
            let rows = sqlx::query(
                "SELECT id, name FROM associations WHERE country = $1 AND status <> 'merged' \
                 ORDER BY id",
            )
            .bind(country)
            .fetch_all(&app.db.pool)
            .await?;
            let name = folded(theirs.get("name"));
            for r in rows {
                let n: String = r.try_get(1)?;
                if domain::text::fold(&n) == name {
                    return Ok(Some(r.try_get(0)?));
                }
            }
            Ok(None)
        }
        Entity::Enterprise => {
            let country = domain::geo::countries::resolve(&s("parent_country")).unwrap_or_default();
            same_by_number(
                app,
                "SELECT id, name, parent_country, registration_no FROM enterprises ORDER BY id",
                &s("registration_no"),
                &folded(theirs.get("name")),
                country,
            )
            .await
        }
        Entity::Project => {
            same_by_number(
                app,
                "SELECT id, name, commune_code, licence_no FROM investment_projects ORDER BY id",
                &s("licence_no"),
                &folded(theirs.get("name")),
                &s("commune_code"),
            )
            .await
        }
        Entity::Person => Ok(None),
    }
}

/// The first record `sql` lists (id, name, place, number) with the same
/// number (registration, licence: case and spaces aside) or, when either
/// has none, the same folded name in the same place.
async fn same_by_number(
    app: &App,
    sql: &str,
    number: &str,
    name: &str,
    place: &str,
) -> AppResult<Option<i64>> {
    let number = number.trim().to_uppercase();
    for r in sqlx::query(sql).fetch_all(&app.db.pool).await? {
        let their_name: String = r.try_get(1)?;
        let their_place: String = r.try_get(2)?;
        let their_number: String = r.try_get(3)?;
        let same = if number.is_empty() || their_number.trim().is_empty() {
            their_place == place && domain::text::fold(&their_name) == name
        } else {
            their_number.trim().to_uppercase() == number
        };
        if same {
            return Ok(Some(r.try_get(0)?));
        }
    }
    Ok(None)
}

/// `theirs` laid over `base` (the fields a record sends replace ours).
fn overlay(base: &Map<String, Value>, theirs: &Map<String, Value>) -> Value {
    let mut m = base.clone();
    for (k, v) in theirs {
        m.insert(k.clone(), v.clone());
    }
    Value::Object(m)
}

fn unreadable() -> Vec<FieldError> {
    vec![FieldError::new("record", "invalid_record")]
}

fn household_input(v: Value) -> Result<HouseholdInput, Vec<FieldError>> {
    serde_json::from_value(v).map_err(|_| unreadable())
}

fn association_input(v: Value) -> Result<AssociationInput, Vec<FieldError>> {
    serde_json::from_value(v).map_err(|_| unreadable())
}

fn relative_input(v: &Map<String, Value>) -> Result<RelativeInput, Vec<FieldError>> {
    serde_json::from_value(Value::Object(v.clone())).map_err(|_| unreadable())
}

/// A text field of a received record (absent or null: none); a value of
/// another type is refused, naming the field.
fn text_of(m: &Map<String, Value>, k: &str, errs: &mut Vec<FieldError>) -> Option<String> {
    match m.get(k) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errs.push(FieldError::new(k, "invalid_value"));
            None
        }
    }
}

/// An enterprise's fields (its owners apart) from a record.
fn enterprise_input(m: &Map<String, Value>) -> Result<EnterpriseInput, Vec<FieldError>> {
    let mut errs = Vec::new();
    let mut t = |k: &str| text_of(m, k, &mut errs);
    let input = EnterpriseInput {
        name: t("name"),
        name_en: t("name_en"),
        registration_no: t("registration_no"),
        sector: t("sector"),
        address: t("address"),
        parent_country: t("parent_country"),
        notes: t("notes"),
        owner_ids: None,
    };
    if errs.is_empty() {
        Ok(input)
    } else {
        Err(errs)
    }
}

/// A project's fields (its investors and status apart) from a record.
fn project_input(m: &Map<String, Value>) -> Result<ProjectInput, Vec<FieldError>> {
    let mut errs = Vec::new();
    let number = |k: &str, errs: &mut Vec<FieldError>| match m.get(k) {
        None | Some(Value::Null) => None,
        Some(v) => {
            let n = v.as_i64();
            if n.is_none() {
                errs.push(FieldError::new(k, "invalid_value"));
            }
            n
        }
    };
    let registered_capital = number("registered_capital", &mut errs);
    let realised_capital = number("realised_capital", &mut errs);
    let in_catalogue = match m.get("in_catalogue") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            errs.push(FieldError::new("in_catalogue", "invalid_value"));
            None
        }
    };
    let mut t = |k: &str| text_of(m, k, &mut errs);
    let input = ProjectInput {
        name: t("name"),
        name_en: t("name_en"),
        summary: t("summary"),
        summary_en: t("summary_en"),
        sector: t("sector"),
        commune: t("commune_code"),
        currency: t("currency"),
        rate_to_vnd: t("rate_to_vnd"),
        licence_no: t("licence_no"),
        licence_date: t("licence_date"),
        registered_capital,
        realised_capital,
        in_catalogue,
        ..ProjectInput::default()
    };
    if errs.is_empty() {
        Ok(input)
    } else {
        Err(errs)
    }
}

/// `theirs` laid over `base`, as a map.
fn overlay_map(base: &Map<String, Value>, theirs: &Map<String, Value>) -> Map<String, Value> {
    match overlay(base, theirs) {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Checks a received record's fields (over `base`, the registry's record
/// for a change) as the registry would when writing them (`home`: the
/// province, for a project's commune).
pub(crate) fn check(
    e: Entity,
    base: &Map<String, Value>,
    theirs: &Map<String, Value>,
    home: &str,
) -> Result<(), Vec<FieldError>> {
    let all = overlay(base, theirs);
    let lists: Vec<FieldError> = LIST_LINKS
        .iter()
        .filter(|(f, _)| fields_of(e).contains(f) && links(theirs, f).is_none())
        .map(|(f, _)| FieldError::new(*f, "invalid_value"))
        .collect();
    if !lists.is_empty() {
        return Err(lists);
    }
    match e {
        Entity::Household => households::check(&household_input(all)?),
        Entity::Association => associations::check(&association_input(all)?),
        Entity::Relative => relatives::check(&relative_input(all.as_object().unwrap_or(theirs))?),
        Entity::Enterprise => enterprises::check(&enterprise_input(&overlay_map(base, theirs))?),
        Entity::Project => {
            let all = overlay_map(base, theirs);
            projects::check(&project_input(&all)?, home)?;
            match all.get("status") {
                None | Some(Value::Null) => Ok(()),
                Some(Value::String(st)) if projects::STATUSES.contains(&st.as_str()) => Ok(()),
                Some(_) => Err(vec![FieldError::new("status", "invalid_value")]),
            }
        }
        Entity::Person => Ok(()),
    }
}

/// The registry's ids of the records a list field names (each accepted
/// here before, or earlier in this transaction); one not known refuses
/// the record, naming the field.
async fn resolve_list(
    tx: &mut WriteTx,
    ns: Namespace,
    theirs: &Map<String, Value>,
    field: &str,
    kind: Entity,
) -> AppResult<Vec<i64>> {
    let uids =
        links(theirs, field).ok_or_else(|| AppError::invalid_field(field, "invalid_value"))?;
    let mut ids = Vec::with_capacity(uids.len());
    for u in uids {
        match super::export::resolve_on(&mut tx.tx, ns, &u.trim().to_ascii_lowercase()).await? {
            Some((k, id)) if k == kind => ids.push(id),
            _ => return Err(AppError::invalid_field(field, "exchange_link_not_accepted")),
        }
    }
    Ok(ids)
}

/// Where an accepted relative goes: its person's and household's ids.
pub(crate) struct Links {
    pub person: i64,
    pub household: i64,
}

/// Writes an accepted record inside the caller's transaction: creates it
/// (`id` `None`) or lays the fields it sends over the registry's record
/// `id`. Answers the record's id.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn apply(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    ns: Namespace,
    e: Entity,
    id: Option<i64>,
    rec: &Record,
    links: Option<Links>,
) -> AppResult<i64> {
    let invalid = AppError::Invalid;
    let sent = sent(e, rec);
    let theirs = &sent;
    match (e, id) {
        (Entity::Enterprise, None) => {
            let mut input = enterprise_input(theirs).map_err(invalid)?;
            input.owner_ids =
                Some(resolve_list(tx, ns, theirs, "owner_ids", Entity::Person).await?);
            enterprises::create_in(tx, app, actor, &input).await
        }
        (Entity::Enterprise, Some(id)) => {
            let current = enterprises::load_in(tx, actor, id).await?;
            let (base, _) = ours(&mut tx.tx, ns, e, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let mut input = enterprise_input(&overlay_map(&base, theirs)).map_err(invalid)?;
            input.owner_ids = if theirs.contains_key("owner_ids") {
                Some(resolve_list(tx, ns, theirs, "owner_ids", Entity::Person).await?)
            } else {
                enterprises::to_input(&current).owner_ids
            };
            enterprises::update_in(tx, app, actor, id, &input).await?;
            Ok(id)
        }
        (Entity::Project, id) => {
            let current = match id {
                Some(id) => Some(projects::editable_in(tx, actor, id).await?),
                None => None,
            };
            let base = match id {
                Some(id) => {
                    ours(&mut tx.tx, ns, e, id)
                        .await?
                        .ok_or(AppError::NotFound)?
                        .0
                }
                None => Map::new(),
            };
            let mut input = project_input(&overlay_map(&base, theirs)).map_err(invalid)?;
            let before = current.as_ref().map(projects::to_input).unwrap_or_default();
            input.investor_person_ids = if theirs.contains_key("investor_person_ids") {
                Some(resolve_list(tx, ns, theirs, "investor_person_ids", Entity::Person).await?)
            } else {
                before.investor_person_ids
            };
            input.investor_enterprise_ids = if theirs.contains_key("investor_enterprise_ids") {
                Some(
                    resolve_list(
                        tx,
                        ns,
                        theirs,
                        "investor_enterprise_ids",
                        Entity::Enterprise,
                    )
                    .await?,
                )
            } else {
                before.investor_enterprise_ids
            };
            let status = theirs.get("status").and_then(Value::as_str);
            let on = rec
                .fields
                .get("status_on")
                .and_then(Value::as_str)
                .map(str::to_owned);
            match current {
                None => {
                    let pid = projects::create_in(tx, app, actor, &input).await?;
                    if let Some(st) = status.filter(|s| *s != "proposed") {
                        let mut errs = Vec::new();
                        let day = crate::community::investment::day(
                            "status_on",
                            on.as_deref().unwrap_or_default(),
                            true,
                            &mut errs,
                        );
                        let day = day.ok_or(AppError::Invalid(errs))?;
                        projects::open_status_in(tx, app, actor, pid, st, &day).await?;
                    }
                    Ok(pid)
                }
                Some(current) => {
                    let pid = current.id;
                    projects::update_in(tx, app, actor, &current, &input).await?;
                    if let Some(st) = status.filter(|s| *s != current.status) {
                        let now = projects::editable_in(tx, actor, pid).await?;
                        let change = StatusInput {
                            status: Some(st.to_owned()),
                            changed_on: on,
                            note: Some("tệp trao đổi".to_owned()),
                        };
                        projects::change_status_in(tx, app, actor, &now, &change).await?;
                    }
                    Ok(pid)
                }
            }
        }
        (Entity::Household, None) => {
            let input = household_input(Value::Object(theirs.clone())).map_err(invalid)?;
            households::create_in(tx, app, actor, &input).await
        }
        (Entity::Household, Some(id)) => {
            let current = households::load_in(tx, actor, id).await?;
            let (base, _) = ours(&mut tx.tx, ns, e, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let input = household_input(overlay(&base, theirs)).map_err(invalid)?;
            households::update_in(tx, app, actor, &current, &input).await?;
            Ok(id)
        }
        (Entity::Association, None) => {
            let input = association_input(Value::Object(theirs.clone())).map_err(invalid)?;
            associations::create_in(tx, app, actor, &input).await
        }
        (Entity::Association, Some(id)) => {
            let current = associations::editable_in(tx, actor, id).await?;
            let base = match serde_json::to_value(associations::to_input(&current)) {
                Ok(Value::Object(m)) => m,
                _ => Map::new(),
            };
            let mut all = base.clone();
            for (k, v) in theirs {
                if base.contains_key(k) {
                    all.insert(k.clone(), v.clone());
                }
            }
            let input = association_input(Value::Object(all)).map_err(invalid)?;
            associations::update_in(tx, app, actor, &current, &input).await?;
            Ok(id)
        }
        (Entity::Relative, None) => {
            let links = links.ok_or_else(|| AppError::invalid_field("person_id", "not_found"))?;
            let mut input = relative_input(theirs).map_err(invalid)?;
            input.household_id = Some(links.household);
            let (rid, ..) = relatives::add_in(tx, app, actor, links.person, &input).await?;
            Ok(rid)
        }
        (Entity::Relative, Some(id)) => {
            let (_, person) = ours(&mut tx.tx, ns, e, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let person = person.ok_or(AppError::NotFound)?;
            let mut patch = Value::Object(theirs.clone());
            if let (Some(l), Some(o)) = (&links, patch.as_object_mut())
                && l.person == person
            {
                o.insert("household_id".into(), Value::from(l.household));
            }
            relatives::update_in(tx, app, actor, person, id, &patch).await?;
            Ok(id)
        }
        (Entity::Person, _) => Err(AppError::Conflict("not_applicable".into())),
    }
}
