//! The kinds of an exchange file other than people — households at home,
//! relatives at home and associations (issue 25 §2): which of their fields
//! are compared, the registry's record in the file's layout, the match by
//! content when the identifier is unknown, the check of a received line,
//! and the writes of an accepted one (through the registry's and the
//! community's own use cases, inside the caller's transaction).
//!
//! Matching by content: a household by its head's name, address and
//! commune; a relative by its person, name and relationship; an
//! association by its name and country (names folded: no diacritics, no
//! case, single spaces).

use db::{Row, WriteTx};
use serde_json::{Map, Value};

use super::format::{Entity, Record};
use crate::community::associations::{self, AssociationInput};
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

fn fields_of(e: Entity) -> &'static [&'static str] {
    match e {
        Entity::Household => HOUSEHOLD_FIELDS,
        Entity::Relative => RELATIVE_FIELDS,
        Entity::Association => ASSOCIATION_FIELDS,
        Entity::Person => &[],
    }
}

/// The compared fields a received record sends (a field left out says
/// nothing and is never compared or applied).
pub(crate) fn sent(e: Entity, rec: &Record) -> Map<String, Value> {
    fields_of(e)
        .iter()
        .filter_map(|k| rec.fields.get(*k).map(|v| ((*k).to_owned(), v.clone())))
        .collect()
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

/// The registry's live record of a kind, its compared fields in the file's
/// layout; for a relative also the id of its person. `None` when it is
/// gone.
pub(crate) async fn ours(
    conn: &mut sqlx::AnyConnection,
    e: Entity,
    id: i64,
) -> AppResult<Option<(Map<String, Value>, Option<i64>)>> {
    let mut m = Map::new();
    let mut person = None;
    match e {
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
        Entity::Person => Ok(None),
    }
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

/// Checks a received record's fields (over `base`, the registry's record
/// for a change) as the registry would when writing them.
pub(crate) fn check(
    e: Entity,
    base: &Map<String, Value>,
    theirs: &Map<String, Value>,
) -> Result<(), Vec<FieldError>> {
    let all = overlay(base, theirs);
    match e {
        Entity::Household => households::check(&household_input(all)?),
        Entity::Association => associations::check(&association_input(all)?),
        Entity::Relative => relatives::check(&relative_input(all.as_object().unwrap_or(theirs))?),
        Entity::Person => Ok(()),
    }
}

/// Where an accepted relative goes: its person's and household's ids.
pub(crate) struct Links {
    pub person: i64,
    pub household: i64,
}

/// Writes an accepted record inside the caller's transaction: creates it
/// (`id` `None`) or lays the fields it sends over the registry's record
/// `id`. Answers the record's id.
pub(crate) async fn apply(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    e: Entity,
    id: Option<i64>,
    theirs: &Map<String, Value>,
    links: Option<Links>,
) -> AppResult<i64> {
    let invalid = AppError::Invalid;
    match (e, id) {
        (Entity::Household, None) => {
            let input = household_input(Value::Object(theirs.clone())).map_err(invalid)?;
            households::create_in(tx, app, actor, &input).await
        }
        (Entity::Household, Some(id)) => {
            let current = households::load_in(tx, actor, id).await?;
            let (base, _) = ours(&mut tx.tx, e, id).await?.ok_or(AppError::NotFound)?;
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
            let (_, person) = ours(&mut tx.tx, e, id).await?.ok_or(AppError::NotFound)?;
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
