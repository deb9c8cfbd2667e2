//! Questions and answers from the petitions desk (issue 24 §5): an
//! answered petition becomes a draft FAQ on the editorial desk, with the
//! question and the answer as the officer rewrites them (nothing of the
//! sender — name, address, record — is carried over), and goes through the
//! workflow like any item. Each petition gives at most one FAQ.

use db::Row;

use super::content::{self, ContentInput, Item};
use crate::audit::{self, Event};
use crate::portal::petitions;
use crate::{Actor, App, AppError, AppResult, FieldError};

/// The FAQ item made from a petition, if one was.
pub async fn of_petition(app: &App, petition_id: i64) -> AppResult<Option<i64>> {
    let row = sqlx::query("SELECT item_id FROM petition_faqs WHERE petition_id = $1")
        .bind(petition_id)
        .fetch_optional(&app.db.pool)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// Makes a draft FAQ of an answered (or closed) petition the actor may
/// read: `question` and `answer` as the officer wrote them for the public.
pub async fn from_petition(
    app: &App,
    actor: &Actor,
    petition_id: i64,
    question: &str,
    answer: &str,
) -> AppResult<Item> {
    let p = petitions::load(app, actor, petition_id).await?;
    if !matches!(p.status.as_str(), "answered" | "closed") {
        return Err(AppError::Conflict("not_answered".into()));
    }
    if of_petition(app, petition_id).await?.is_some() {
        return Err(AppError::Conflict("already_faq".into()));
    }
    let mut errors = Vec::new();
    if question.trim().is_empty() {
        errors.push(FieldError::new("faq_question", "required"));
    }
    if answer.trim().is_empty() {
        errors.push(FieldError::new("faq_answer", "required"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let input = ContentInput {
        kind: Some("faq".into()),
        title_vi: Some(question.trim().to_owned()),
        body_vi: Some(answer.trim().to_owned()),
        ..ContentInput::default()
    };
    let item = content::create(app, actor, &input)
        .await
        .map_err(|e| match e {
            // The desk's names for the two fields the officer typed.
            AppError::Invalid(errs) => AppError::Invalid(
                errs.into_iter()
                    .map(|f| match f.field.as_str() {
                        "title_vi" => FieldError::new("faq_question", f.code),
                        "body_vi" => FieldError::new("faq_answer", f.code),
                        _ => f,
                    })
                    .collect(),
            ),
            e => e,
        })?;
    let mut tx = app.db.begin_write().await?;
    sqlx::query("INSERT INTO petition_faqs (petition_id, item_id) VALUES ($1, $2)")
        .bind(petition_id)
        .bind(item.id)
        .execute(&mut *tx.tx)
        .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("portal.petition_faq", "portal_petition", &petition_id)
            .with(serde_json::json!({"number": p.number, "content": item.id})),
    )
    .await?;
    tx.commit().await?;
    Ok(item)
}
