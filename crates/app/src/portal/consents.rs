//! Consent per purpose (issue 23 §4; Law 91/2025/QH15 art. 9–12, Decree
//! 356/2025): each purpose is a separate choice, never ticked in advance,
//! with the version of the text the person read. Every act of giving or
//! withdrawing is a row that is never changed — who, when, which text
//! version, from which page and address — so the state at any time and its
//! proof can be shown. The registry record shows the current consents.

use serde::Serialize;

use crate::access;
use crate::audit::{self, Event};
use crate::{App, AppError, AppResult, clock};

/// The purposes, in the page's order.
pub const PURPOSES: &[&str] = &["keep_record", "news", "directory", "national_sharing"];

/// Purposes whose withdrawal officers must carry out (the record kept,
/// what was shared with the national database): withdrawing one opens a
/// withdrawal request in their queue.
pub const NEEDS_TASK: &[&str] = &["keep_record", "national_sharing"];

/// The version of the consent texts in force (the day they were adopted,
/// ISO; shown as a date). A new wording gets a new version, and a consent
/// given to an older one is shown with the version it was given to.
pub const TEXT_VERSION: &str = "2026-01-01";

/// A purpose's current state.
#[derive(Debug, Clone, Serialize)]
pub struct ConsentState {
    pub purpose: &'static str,
    pub given: bool,
    /// When it was last given or withdrawn (stored time), if ever.
    pub at: Option<String>,
    /// The text version of the last act.
    pub text_version: Option<String>,
}

pub use super::consent_acts::ConsentAct;
use super::consent_acts::acts;

fn states(acts: &[ConsentAct]) -> Vec<ConsentState> {
    PURPOSES
        .iter()
        .map(|p| {
            let last = acts.iter().find(|a| a.purpose == *p);
            ConsentState {
                purpose: p,
                given: last.is_some_and(|a| a.action == "given"),
                at: last.map(|a| a.at.clone()),
                text_version: last.map(|a| a.text_version.clone()),
            }
        })
        .collect()
}

/// The account's consents now, and the acts that led there.
pub async fn of_account(
    app: &App,
    account_id: i64,
) -> AppResult<(Vec<ConsentState>, Vec<ConsentAct>)> {
    let a = acts(app, "account_id", account_id).await?;
    Ok((states(&a), a))
}

/// The consents a record's subject gave through the portal (the registry
/// reads this to show them on the record; no act yet is "not asked").
pub async fn of_person(app: &App, person_id: i64) -> AppResult<Vec<ConsentState>> {
    let a = acts(app, "person_id", person_id).await?;
    Ok(states(&a))
}

/// Gives or withdraws consent to one purpose (takes effect at once).
pub async fn set(
    app: &App,
    account_id: i64,
    person_id: Option<i64>,
    purpose: &str,
    give: bool,
    page: &str,
    ip: &str,
) -> AppResult<()> {
    let Some(purpose) = PURPOSES.iter().find(|p| **p == purpose) else {
        return Err(AppError::invalid_field("purpose", "unknown_code"));
    };
    let page: String = page.chars().take(200).collect();
    let now = clock::fmt(app.clock.now_utc());
    let action = if give { "given" } else { "withdrawn" };
    let actor = access::portal_actor(account_id, person_id, ip);
    // Withdrawing what officers must carry out opens a task for them
    // (issue 23 §4); its deadlines are read before the write begins.
    let task = match person_id {
        Some(pid) if !give && NEEDS_TASK.contains(purpose) => {
            Some((pid, super::requests::deadlines(app).await?))
        }
        _ => None,
    };
    let mut tx = app.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO portal_consents (account_id, person_id, purpose, text_version, action, at, \
         page, ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(account_id)
    .bind(person_id)
    .bind(*purpose)
    .bind(TEXT_VERSION)
    .bind(action)
    .bind(&now)
    .bind(&page)
    .bind(ip)
    .execute(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        &actor,
        Event::new(
            if give {
                "portal.consent_give"
            } else {
                "portal.consent_withdraw"
            },
            "portal_account",
            &account_id,
        )
        // The text's version is in the consent's own row (the proof).
        .with(serde_json::json!({"purpose": purpose})),
    )
    .await?;
    // Takes effect at once where it can: the directory entry goes (the
    // newsletters read the consent again before each message).
    if !give && *purpose == "directory" {
        super::directory::remove_on_withdrawal(&mut tx, app, &actor, account_id).await?;
    }
    if let Some((pid, when)) = task {
        super::requests::open_withdrawal_in(&mut tx, app, &actor, account_id, pid, purpose, when)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
