//! Relatives at home (*thân nhân*): added to a person abroad with an existing
//! or a new household, changed, moved to another household, removed. A
//! relative is visible with the person it belongs to.

use db::{Row, WriteTx};
use serde::{Deserialize, Serialize};

use super::households::{self, MAX_LONG, MAX_SHORT, text_ok, trimmed};
use super::people::{self, RelativeRow, load, merge_patch, normalize_phone};
use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, FieldError, clock};

/// A relative at home to add to a person, with an existing or a new household.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelativeInput {
    /// An existing household; otherwise `head_name` (and address, commune) create one.
    pub household_id: Option<i64>,
    pub head_name: Option<String>,
    pub address: Option<String>,
    pub commune_code: Option<String>,
    pub full_name: Option<String>,
    pub relationship: Option<String>,
    pub birth_year: Option<i64>,
    pub phone: Option<String>,
    pub notes: Option<String>,
}

/// The relationship's code, from a code or the word people write ("Mẹ",
/// "Con trai", "Anh ruột"); an unknown one is an error on the field.
fn relationship_code(typed: Option<&String>, errs: &mut Vec<FieldError>) -> String {
    let typed = trimmed(typed);
    if let Some(r) = domain::words::relationship(&typed) {
        r.code().to_owned()
    } else {
        errs.push(FieldError::new("relationship", "invalid_code"));
        typed
    }
}

/// A relative's own fields checked (name, relationship as its code, birth
/// year, phone), the problems added to `errs`: the name, relationship and
/// phone as they are stored.
fn own_fields(input: &RelativeInput, errs: &mut Vec<FieldError>) -> (String, String, String) {
    let full_name = trimmed(input.full_name.as_ref());
    if full_name.is_empty() {
        errs.push(FieldError::new("full_name", "required"));
    } else if full_name.chars().count() > MAX_SHORT
        || domain::text::has_forbidden_control(&full_name)
    {
        errs.push(FieldError::new("full_name", "too_long"));
    }
    let relationship = relationship_code(input.relationship.as_ref(), errs);
    if input
        .birth_year
        .is_some_and(|y| y < 1900 || y > i64::from(clock::current_year()))
    {
        errs.push(FieldError::new("birth_year", "out_of_range"));
    }
    let phone = normalize_phone(&trimmed(input.phone.as_ref())).unwrap_or_else(|code| {
        errs.push(FieldError::new("phone", code));
        String::new()
    });
    (full_name, relationship, phone)
}

/// Checks a relative's own fields without writing (a received exchange
/// file is checked line by line before anyone decides).
pub(crate) fn check(input: &RelativeInput) -> Result<(), Vec<FieldError>> {
    let mut errs = Vec::new();
    own_fields(input, &mut errs);
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

/// Adds a relative at home (*thân nhân*) to a person the actor may update.
pub async fn add_relative(
    app: &App,
    actor: &Actor,
    person_id: i64,
    input: &RelativeInput,
) -> AppResult<RelativeRow> {
    let mut tx = app.db.begin_write().await?;
    let (relative_id, household_id, full_name, relationship) =
        add_in(&mut tx, app, actor, person_id, input).await?;
    let (head, addr): (String, String) = {
        let r = sqlx::query("SELECT head_name, address FROM households WHERE id = $1")
            .bind(household_id)
            .fetch_one(&mut *tx.tx)
            .await?;
        (r.try_get(0)?, r.try_get(1)?)
    };
    tx.commit().await?;
    Ok(RelativeRow {
        id: relative_id,
        household_id,
        head_name: head,
        address: addr,
        full_name,
        relationship,
        birth_year: input.birth_year,
    })
}

/// [`add_relative`] within the caller's transaction (a received exchange
/// file is accepted whole or not at all): the relative's id, its
/// household's, and its name and relationship as stored.
pub(crate) async fn add_in(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    person_id: i64,
    input: &RelativeInput,
) -> AppResult<(i64, i64, String, String)> {
    access::authorize(actor, Action::PersonUpdate)?;
    let mut errs = Vec::new();
    let (full_name, relationship, phone) = own_fields(input, &mut errs);
    let head_name = trimmed(input.head_name.as_ref());
    let address = trimmed(input.address.as_ref());
    // A code, the label the picker offered, or the commune's name.
    let typed_commune = trimmed(input.commune_code.as_ref());
    let mut commune = None;
    if input.household_id.is_none() {
        if head_name.is_empty() {
            errs.push(FieldError::new("head_name", "required"));
        }
        match super::values::filter_code(
            "commune_code",
            &typed_commune,
            Some(&app.settings.home_province),
        ) {
            Ok(c) => commune = Some(c).filter(|c| !c.is_empty()),
            Err(e) => errs.push(e),
        }
    }
    for (f, v) in [("head_name", &head_name), ("address", &address)] {
        if v.chars().count() > MAX_SHORT || domain::text::has_forbidden_control(v) {
            errs.push(FieldError::new(f, "too_long"));
        }
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let now = clock::now();
    load(&mut tx.tx, actor, person_id).await?;
    let household_id = if let Some(h) = input.household_id {
        // The household must be one the actor may see.
        if !households::visible(&mut tx.tx, actor, h).await? {
            return Err(AppError::Invalid(vec![FieldError::new(
                "household_id",
                "invalid_code",
            )]));
        }
        h
    } else {
        sqlx::query(
            "INSERT INTO households (head_name, address, new_commune_code, phone, version, created_at, updated_at) \
             VALUES ($1, $2, $3, '', 1, $4, $5) RETURNING id",
        )
        .bind(&head_name)
        .bind(&address)
        .bind(commune.clone())
        .bind(&now)
        .bind(&now)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get(0)?
    };
    let relative_id: i64 = sqlx::query(
        "INSERT INTO relatives (household_id, person_id, full_name, full_name_folded, relationship, \
         birth_year, phone, notes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         RETURNING id",
    )
    .bind(household_id)
    .bind(person_id)
    .bind(&full_name)
    .bind(domain::text::fold(&full_name))
    .bind(&relationship)
    .bind(input.birth_year)
    .bind(&phone)
    .bind(trimmed(input.notes.as_ref()))
    .bind(&now)
    .fetch_one(&mut *tx.tx)
    .await?
    .try_get(0)?;
    audit::append(
        tx,
        app,
        actor,
        Event::new("relative.create", "person", &person_id)
            .with(serde_json::json!({"household_id": household_id})),
    )
    .await?;
    Ok((relative_id, household_id, full_name, relationship))
}

/// Changes to a relative at home (JSON merge patch fields). Unknown fields are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelativePatch {
    /// Move the relative to another household the actor may see.
    pub household_id: Option<i64>,
    pub full_name: Option<String>,
    pub relationship: Option<String>,
    pub birth_year: Option<i64>,
    pub phone: Option<String>,
    pub notes: Option<String>,
}

/// A relative at home as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Relative {
    pub id: i64,
    pub person_id: i64,
    pub household_id: i64,
    pub full_name: String,
    pub relationship: String,
    pub birth_year: Option<i64>,
    pub phone: String,
    pub notes: String,
}

async fn load_relative(
    conn: &mut sqlx::AnyConnection,
    person_id: i64,
    id: i64,
) -> AppResult<Relative> {
    let r = sqlx::query(
        "SELECT id, person_id, household_id, full_name, relationship, birth_year, phone, notes \
         FROM relatives WHERE id = $1 AND person_id = $2 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(person_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Relative {
        id: r.try_get(0)?,
        person_id: r.try_get(1)?,
        household_id: r.try_get(2)?,
        full_name: r.try_get(3)?,
        relationship: r.try_get(4)?,
        birth_year: r.try_get(5)?,
        phone: r.try_get(6)?,
        notes: r.try_get(7)?,
    })
}

/// Applies a merge patch to a relative of a person the actor may update.
pub async fn update_relative(
    app: &App,
    actor: &Actor,
    person_id: i64,
    id: i64,
    patch: &serde_json::Value,
) -> AppResult<Relative> {
    let mut tx = app.db.begin_write().await?;
    let r = update_in(&mut tx, app, actor, person_id, id, patch).await?;
    tx.commit().await?;
    Ok(r)
}

/// [`update_relative`] within the caller's transaction.
pub(crate) async fn update_in(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    person_id: i64,
    id: i64,
    patch: &serde_json::Value,
) -> AppResult<Relative> {
    access::authorize(actor, Action::PersonUpdate)?;
    people::load_visible(&mut tx.tx, actor, person_id).await?;
    let current = load_relative(&mut tx.tx, person_id, id).await?;
    let mut doc = serde_json::json!({
        "household_id": current.household_id,
        "full_name": current.full_name,
        "relationship": current.relationship,
        "birth_year": current.birth_year,
        "phone": current.phone,
        "notes": current.notes,
    });
    merge_patch(&mut doc, patch);
    if let Some(o) = doc.as_object_mut() {
        o.retain(|_, v| !v.is_null());
    }
    let input: RelativePatch = serde_json::from_value(doc).map_err(|e| {
        let msg = e.to_string();
        let field = msg.split('`').nth(1).unwrap_or("body").to_owned();
        AppError::Invalid(vec![FieldError::new(field, "unknown_field")])
    })?;
    let mut errs = Vec::new();
    let full_name = trimmed(input.full_name.as_ref());
    if full_name.is_empty() {
        errs.push(FieldError::new("full_name", "required"));
    } else if let Some(code) = text_ok(&full_name, MAX_SHORT) {
        errs.push(FieldError::new("full_name", code));
    }
    let relationship = relationship_code(input.relationship.as_ref(), &mut errs);
    if input
        .birth_year
        .is_some_and(|y| y < 1900 || y > i64::from(clock::current_year()))
    {
        errs.push(FieldError::new("birth_year", "out_of_range"));
    }
    let phone = normalize_phone(&trimmed(input.phone.as_ref())).unwrap_or_else(|code| {
        errs.push(FieldError::new("phone", code));
        String::new()
    });
    let notes = trimmed(input.notes.as_ref());
    if let Some(code) = text_ok(&notes, MAX_LONG) {
        errs.push(FieldError::new("notes", code));
    }
    let household_id = input.household_id.unwrap_or(current.household_id);
    if household_id != current.household_id
        && !households::visible(&mut tx.tx, actor, household_id).await?
    {
        errs.push(FieldError::new("household_id", "invalid_code"));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    sqlx::query(
        "UPDATE relatives SET household_id = $1, full_name = $2, full_name_folded = $3, \
         relationship = $4, birth_year = $5, phone = $6, notes = $7 WHERE id = $8",
    )
    .bind(household_id)
    .bind(&full_name)
    .bind(domain::text::fold(&full_name))
    .bind(&relationship)
    .bind(input.birth_year)
    .bind(&phone)
    .bind(&notes)
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    audit::append(
        tx,
        app,
        actor,
        Event::new("relative.update", "person", &person_id)
            .with(serde_json::json!({"relative_id": id, "household_id": household_id})),
    )
    .await?;
    load_relative(&mut tx.tx, person_id, id).await
}

/// Removes (soft-deletes) a relative of a person the actor may update.
pub async fn delete_relative(app: &App, actor: &Actor, person_id: i64, id: i64) -> AppResult<()> {
    access::authorize(actor, Action::PersonUpdate)?;
    let mut tx = app.db.begin_write().await?;
    people::load_visible(&mut tx.tx, actor, person_id).await?;
    let current = load_relative(&mut tx.tx, person_id, id).await?;
    sqlx::query("UPDATE relatives SET deleted_at = $1 WHERE id = $2")
        .bind(clock::now())
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("relative.delete", "person", &person_id)
            .with(serde_json::json!({"relative_id": id, "household_id": current.household_id})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
