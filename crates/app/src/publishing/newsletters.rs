//! Newsletters (issue 24 §8): a digest of chosen published items, written
//! in one language, sent by e-mail to the portal's accounts in that
//! language that consented to news (the purpose `news` of
//! [`crate::portal::consents`]).
//!
//! Editors write a newsletter; publishers (and province officers) send it.
//! Sending queues one delivery a recipient; each server's worker
//! ([`worker`]) claims due deliveries one at a time (a lease on
//! `next_attempt_at`, as the webhooks do), so several servers on one
//! PostgreSQL never send a message twice, and paces itself to
//! `newsletter_per_minute`. Consent is read again just before each message
//! goes: a person who withdrew after the newsletter was queued is skipped,
//! so nobody without consent receives anything. Each message carries its
//! own unsubscribe link (a random token, of which only the SHA-256 is
//! kept) that works without signing in and records the withdrawal as a
//! consent act.
//!
//! The words of the message (the digest's layout, the footer) come from
//! the web layer when sending starts ([`start`]); this module fills in each
//! recipient's unsubscribe token ([`TOKEN_PLACEHOLDER`]) and delivers.

use std::time::Duration;

use db::Row;
use serde::{Deserialize, Serialize};

use crate::access::{self, Action};
use crate::accounts::secret::{random_token, token_hash};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, FieldError, clock, mail};

/// Where each message's unsubscribe token goes in the stored bodies.
pub const TOKEN_PLACEHOLDER: &str = "{unsubscribe_token}";
/// Longest subject.
const MAX_SUBJECT: usize = 200;
/// Longest introduction.
const MAX_INTRO: usize = 5_000;
/// Most items in one digest.
pub const MAX_ITEMS: usize = 20;
/// Attempts before a delivery is listed as failed.
pub const MAX_ATTEMPTS: i64 = 3;

/// Pacing of the sending worker (`newsletter_per_minute`, `_poll_seconds`).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Messages a server sends a minute at most (the mail server's limit).
    pub per_minute: u32,
    /// How long an idle worker waits before looking again.
    pub poll: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            per_minute: 120,
            poll: Duration::from_secs(5),
        }
    }
}

/// What an editor writes.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewsletterInput {
    /// `vi` or `en`: the accounts whose language it is receive it.
    pub lang: Option<String>,
    pub subject: Option<String>,
    /// A few sentences before the items (plain text).
    pub intro: Option<String>,
    /// Published items, in the digest's order (1 to 20).
    #[serde(default)]
    pub items: Vec<i64>,
}

/// A newsletter with where its sending stands.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Newsletter {
    pub id: i64,
    pub lang: String,
    pub subject: String,
    pub intro: String,
    pub items: Vec<i64>,
    /// `draft`, `sending`, `sent`.
    pub state: String,
    pub created_by: String,
    pub created_at: String,
    pub started_by: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub version: i64,
    pub progress: Progress,
}

/// Deliveries by state.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Progress {
    pub total: i64,
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
    /// Consent withdrawn (or the account closed) after the newsletter was queued.
    pub skipped: i64,
}

/// A delivery that failed, for the desk (the address masked).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Failure {
    pub email: String,
    pub error: String,
    pub attempts: i64,
    pub at: Option<String>,
}

fn may_write(actor: &Actor) -> AppResult<()> {
    access::authorize(actor, Action::ContentEdit)
}

fn may_send(actor: &Actor) -> AppResult<()> {
    access::authorize(actor, Action::ContentPublish)
}

/// An address with its user part hidden but its first letter (the kernel's).
pub use crate::mail::mask_address as mask_email;

/// The cleaned input, or every problem with it at once.
async fn check(
    app: &App,
    input: &NewsletterInput,
) -> AppResult<(String, String, String, Vec<i64>)> {
    let mut errors = Vec::new();
    let lang = input.lang.as_deref().unwrap_or("").trim().to_owned();
    if lang.is_empty() {
        errors.push(FieldError::new("lang", "required"));
    } else if lang != "vi" && lang != "en" {
        errors.push(FieldError::new("lang", "unknown_code"));
    }
    let subject = input.subject.as_deref().unwrap_or("").trim().to_owned();
    if subject.is_empty() {
        errors.push(FieldError::new("subject", "required"));
    } else if subject.chars().count() > MAX_SUBJECT {
        errors.push(FieldError::new("subject", "too_long"));
    } else if subject.chars().any(char::is_control) {
        errors.push(FieldError::new("subject", "control_chars"));
    }
    let intro = input.intro.as_deref().unwrap_or("").trim().to_owned();
    if intro.chars().count() > MAX_INTRO {
        errors.push(FieldError::new("intro", "too_long"));
    } else if intro
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        errors.push(FieldError::new("intro", "control_chars"));
    }
    let mut items = Vec::new();
    for id in &input.items {
        if !items.contains(id) {
            items.push(*id);
        }
    }
    if items.is_empty() {
        errors.push(FieldError::new("items", "required"));
    } else if items.len() > MAX_ITEMS {
        errors.push(FieldError::new("items", "too_many"));
    } else if lang == "vi" || lang == "en" {
        // Each item is published and written in the newsletter's language.
        let cards = super::public::cards(app, &items, &lang).await?;
        let ok = cards.len() == items.len() && cards.iter().all(|c| c.translated);
        if !ok {
            errors.push(FieldError::new("items", "not_published_in_language"));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok((lang, subject, intro, items))
}

fn join_ids(ids: &[i64]) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_ids(s: &str) -> Vec<i64> {
    s.split(',').filter_map(|x| x.trim().parse().ok()).collect()
}

/// Writes a newsletter (a draft until it is sent).
pub async fn create(app: &App, actor: &Actor, input: &NewsletterInput) -> AppResult<Newsletter> {
    may_write(actor)?;
    let (lang, subject, intro, items) = check(app, input).await?;
    let now = clock::fmt(app.clock.now_utc());
    let mut tx = app.db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO newsletters (lang, subject, intro, items, created_by, created_by_name, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&lang)
    .bind(&subject)
    .bind(&intro)
    .bind(join_ids(&items))
    .bind(actor.user_id)
    .bind(&actor.username)
    .bind(&now)
    .fetch_one(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("newsletter.create", "newsletter", &id)
            .with(serde_json::json!({"lang": lang, "items": items.len()})),
    )
    .await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// Changes a draft (refused once sending has started).
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    version: i64,
    input: &NewsletterInput,
) -> AppResult<Newsletter> {
    may_write(actor)?;
    let current = get(app, actor, id).await?;
    if current.state != "draft" {
        return Err(AppError::Conflict("newsletter already sent".into()));
    }
    let (lang, subject, intro, items) = check(app, input).await?;
    let mut tx = app.db.begin_write().await?;
    let n = sqlx::query(
        "UPDATE newsletters SET lang = $1, subject = $2, intro = $3, items = $4, \
         version = version + 1 WHERE id = $5 AND version = $6 AND state = 'draft'",
    )
    .bind(&lang)
    .bind(&subject)
    .bind(&intro)
    .bind(join_ids(&items))
    .bind(id)
    .bind(version)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if n != 1 {
        return Err(AppError::PreconditionFailed {
            current_version: current.version,
        });
    }
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("newsletter.update", "newsletter", &id),
    )
    .await?;
    tx.commit().await?;
    get(app, actor, id).await
}

const COLUMNS: &str = "id, lang, subject, intro, items, state, created_by_name, created_at, \
    started_by_name, started_at, finished_at, version";

fn of_row(r: &db::AnyRow) -> Result<Newsletter, db::SqlxError> {
    Ok(Newsletter {
        id: r.try_get(0)?,
        lang: r.try_get(1)?,
        subject: r.try_get(2)?,
        intro: r.try_get(3)?,
        items: parse_ids(&r.try_get::<String, _>(4)?),
        state: r.try_get(5)?,
        created_by: r.try_get(6)?,
        created_at: r.try_get(7)?,
        started_by: r.try_get(8)?,
        started_at: r.try_get(9)?,
        finished_at: r.try_get(10)?,
        version: r.try_get(11)?,
        progress: Progress::default(),
    })
}

async fn progress(app: &App, id: i64) -> AppResult<Progress> {
    let rows = sqlx::query(
        "SELECT state, COUNT(*) FROM newsletter_deliveries WHERE newsletter_id = $1 GROUP BY state",
    )
    .bind(id)
    .fetch_all(&app.db.pool)
    .await?;
    let mut p = Progress::default();
    for r in rows {
        let state: String = r.try_get(0)?;
        let n: i64 = r.try_get(1)?;
        match state.as_str() {
            "pending" => p.pending = n,
            "sent" => p.sent = n,
            "failed" => p.failed = n,
            _ => p.skipped += n,
        }
        p.total += n;
    }
    Ok(p)
}

/// One newsletter with its progress.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<Newsletter> {
    may_write(actor)?;
    let sql = format!("SELECT {COLUMNS} FROM newsletters WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut n = of_row(&row)?;
    n.progress = progress(app, id).await?;
    Ok(n)
}

/// Every newsletter, newest first, with its progress.
pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<Newsletter>> {
    may_write(actor)?;
    let sql = format!("SELECT {COLUMNS} FROM newsletters ORDER BY id DESC LIMIT 200");
    let rows = sqlx::query(&sql).fetch_all(&app.db.pool).await?;
    let mut out = Vec::new();
    for r in &rows {
        let mut n = of_row(r)?;
        n.progress = progress(app, n.id).await?;
        out.push(n);
    }
    Ok(out)
}

/// The deliveries that failed (addresses masked), newest first.
pub async fn failures(app: &App, actor: &Actor, id: i64) -> AppResult<Vec<Failure>> {
    may_write(actor)?;
    let rows = sqlx::query(
        "SELECT a.email, d.error, d.attempts, d.done_at FROM newsletter_deliveries d \
         JOIN portal_accounts a ON a.id = d.account_id \
         WHERE d.newsletter_id = $1 AND d.state = 'failed' ORDER BY d.id DESC LIMIT 500",
    )
    .bind(id)
    .fetch_all(&app.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Failure {
                email: mask_email(&r.try_get::<String, _>(0)?),
                error: r.try_get(1)?,
                attempts: r.try_get(2)?,
                at: r.try_get(3)?,
            })
        })
        .collect::<Result<Vec<_>, db::SqlxError>>()
        .map_err(AppError::from)
}

/// The accounts that would receive a newsletter in `lang` now: confirmed,
/// open, in that language, whose last act on the purpose `news` gave it.
const CONSENTING: &str = "SELECT a.id FROM portal_accounts a \
    WHERE a.confirmed_at IS NOT NULL AND a.disabled_at IS NULL AND a.lang = $1 \
    AND (SELECT c.action FROM portal_consents c WHERE c.account_id = a.id \
         AND c.purpose = 'news' ORDER BY c.id DESC LIMIT 1) = 'given'";

/// How many accounts a newsletter in `lang` would reach now.
pub async fn audience(app: &App, actor: &Actor, lang: &str) -> AppResult<i64> {
    may_write(actor)?;
    let sql = format!("SELECT COUNT(*) FROM ({CONSENTING}) x");
    Ok(sqlx::query_scalar(&sql)
        .bind(lang)
        .fetch_one(&app.db.pool)
        .await?)
}

/// The message's bodies, written by the web layer in the newsletter's
/// language, each holding [`TOKEN_PLACEHOLDER`] where the recipient's
/// unsubscribe token goes.
#[derive(Debug, Clone)]
pub struct Bodies {
    pub text: String,
    pub html: String,
}

/// Starts sending: one delivery for every account that consents now (a
/// draft only; a second start is refused). The bodies are kept with the
/// newsletter so that every server's worker sends the same message.
pub async fn start(
    app: &App,
    actor: &Actor,
    id: i64,
    version: i64,
    bodies: &Bodies,
) -> AppResult<Newsletter> {
    may_send(actor)?;
    let current = get(app, actor, id).await?;
    if current.state != "draft" {
        return Err(AppError::Conflict("newsletter already sent".into()));
    }
    if !bodies.text.contains(TOKEN_PLACEHOLDER) || !bodies.html.contains(TOKEN_PLACEHOLDER) {
        return Err(AppError::Unexpected(anyhow::anyhow!(
            "newsletter bodies without an unsubscribe link"
        )));
    }
    let now = clock::fmt(app.clock.now_utc());
    let mut tx = app.db.begin_write().await?;
    let n = sqlx::query(
        "UPDATE newsletters SET state = 'sending', started_by_name = $1, started_at = $2, \
         body_text = $3, body_html = $4, version = version + 1 \
         WHERE id = $5 AND version = $6 AND state = 'draft'",
    )
    .bind(&actor.username)
    .bind(&now)
    .bind(&bodies.text)
    .bind(&bodies.html)
    .bind(id)
    .bind(version)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if n != 1 {
        return Err(AppError::PreconditionFailed {
            current_version: current.version,
        });
    }
    let sql = format!(
        "INSERT INTO newsletter_deliveries (newsletter_id, account_id, next_attempt_at) \
         SELECT $2, x.id, $3 FROM ({CONSENTING}) x"
    );
    let queued = sqlx::query(&sql)
        .bind(&current.lang)
        .bind(id)
        .bind(&now)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    if queued == 0 {
        // Nobody to send to: sent at once.
        sqlx::query("UPDATE newsletters SET state = 'sent', finished_at = $1 WHERE id = $2")
            .bind(&now)
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
    }
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("newsletter.send", "newsletter", &id)
            .with(serde_json::json!({"recipients": queued})),
    )
    .await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// A wait before the next attempt of a failed message.
fn backoff(attempt: i64) -> Duration {
    match attempt {
        1 => Duration::from_mins(1),
        _ => Duration::from_mins(10),
    }
}

/// Sends the deliveries that are due, at most `limit`: each claimed first
/// (so no other server sends it), consent read again, then delivered.
/// Returns how many were attempted or skipped.
pub async fn deliver_due(app: &App, limit: i64) -> AppResult<usize> {
    let now = clock::fmt(app.clock.now_utc());
    let rows = sqlx::query(
        "SELECT d.id, d.next_attempt_at, d.attempts, d.account_id, n.id, n.subject, \
         n.body_text, n.body_html, n.lang FROM newsletter_deliveries d \
         JOIN newsletters n ON n.id = d.newsletter_id \
         WHERE d.state = 'pending' AND d.next_attempt_at <= $1 ORDER BY d.id LIMIT $2",
    )
    .bind(&now)
    .bind(limit)
    .fetch_all(&app.db.pool)
    .await?;
    let mut done = 0;
    let pause = Duration::from_mins(1) / app.settings.newsletters.per_minute.max(1);
    let mut finished = Vec::new();
    for r in rows {
        let id: i64 = r.try_get(0)?;
        let due: String = r.try_get(1)?;
        let attempts: i64 = r.try_get(2)?;
        let account: i64 = r.try_get(3)?;
        let newsletter: i64 = r.try_get(4)?;
        let subject: String = r.try_get(5)?;
        let text: String = r.try_get::<Option<String>, _>(6)?.unwrap_or_default();
        let html: String = r.try_get::<Option<String>, _>(7)?.unwrap_or_default();
        let lang: String = r.try_get(8)?;
        // The lease: a few minutes in which no other server takes it.
        let lease = clock::fmt(app.clock.now_utc() + Duration::from_mins(5));
        let mut tx = app.db.begin_write().await?;
        let claimed = sqlx::query(
            "UPDATE newsletter_deliveries SET next_attempt_at = $1 \
             WHERE id = $2 AND state = 'pending' AND next_attempt_at = $3",
        )
        .bind(&lease)
        .bind(id)
        .bind(&due)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        if claimed != 1 {
            continue;
        }
        done += 1;
        if !finished.contains(&newsletter) {
            finished.push(newsletter);
        }
        // Consent and the account, as they are now.
        let sql = format!(
            "SELECT x.id, a.email FROM ({CONSENTING}) x JOIN portal_accounts a ON a.id = x.id WHERE x.id = $2"
        );
        let to: Option<String> = sqlx::query(&sql)
            .bind(&lang)
            .bind(account)
            .fetch_optional(&app.db.pool)
            .await?
            .map(|r| r.try_get(1))
            .transpose()?;
        let at = clock::fmt(app.clock.now_utc());
        let Some(to) = to else {
            let mut tx = app.db.begin_write().await?;
            sqlx::query(
                "UPDATE newsletter_deliveries SET state = 'skipped', done_at = $1 WHERE id = $2",
            )
            .bind(&at)
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
            tx.commit().await?;
            continue;
        };
        let token = random_token();
        let message = mail::Message {
            to,
            subject: subject.clone(),
            text: text.replace(TOKEN_PLACEHOLDER, &token),
            html: html.replace(TOKEN_PLACEHOLDER, &token),
        };
        // The hash is stored before the message goes, so its link works
        // as soon as it arrives.
        let mut tx = app.db.begin_write().await?;
        sqlx::query("UPDATE newsletter_deliveries SET unsubscribe_hash = $1 WHERE id = $2")
            .bind(token_hash(&token))
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
        let outcome = mail::send(app, &message).await;
        let attempt = attempts + 1;
        let at = clock::fmt(app.clock.now_utc());
        let mut tx = app.db.begin_write().await?;
        match outcome {
            Ok(()) => {
                sqlx::query(
                    "UPDATE newsletter_deliveries SET state = 'sent', attempts = $1, error = '', \
                     done_at = $2 WHERE id = $3",
                )
                .bind(attempt)
                .bind(&at)
                .bind(id)
                .execute(&mut *tx.tx)
                .await?;
            }
            Err(e) => {
                // The error names no address (lettre's words, the server's reply).
                let why: String = e
                    .to_string()
                    .replace(&message.to, "…")
                    .chars()
                    .take(300)
                    .collect();
                let failed = attempt >= MAX_ATTEMPTS;
                let next = clock::fmt(app.clock.now_utc() + backoff(attempt));
                sqlx::query(
                    "UPDATE newsletter_deliveries SET state = $1, attempts = $2, error = $3, \
                     next_attempt_at = $4, done_at = $5 WHERE id = $6",
                )
                .bind(if failed { "failed" } else { "pending" })
                .bind(attempt)
                .bind(&why)
                .bind(&next)
                .bind(failed.then_some(at.clone()))
                .bind(id)
                .execute(&mut *tx.tx)
                .await?;
                tracing::warn!(newsletter, attempt, error = %why, "newsletter message not delivered");
            }
        }
        tx.commit().await?;
        tokio::time::sleep(pause).await;
    }
    // A newsletter with nothing left to send is sent.
    for newsletter in finished {
        let at = clock::fmt(app.clock.now_utc());
        let mut tx = app.db.begin_write().await?;
        sqlx::query(
            "UPDATE newsletters SET state = 'sent', finished_at = $1 WHERE id = $2 \
             AND state = 'sending' AND NOT EXISTS (SELECT 1 FROM newsletter_deliveries d \
             WHERE d.newsletter_id = $2 AND d.state = 'pending')",
        )
        .bind(&at)
        .bind(newsletter)
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await?;
    }
    Ok(done)
}

/// The background worker of a server: runs until the process ends.
pub async fn worker(app: App) {
    loop {
        let busy = match deliver_due(&app, 20).await {
            Ok(n) => n > 0,
            Err(e) => {
                tracing::warn!(error = %e, "newsletters: round failed");
                false
            }
        };
        if !busy {
            tokio::time::sleep(app.settings.newsletters.poll).await;
        }
    }
}

/// Whose link a token is: the account's language, and whether its news
/// consent still stands. Unknown tokens are not found.
pub async fn unsubscribe_target(app: &App, token: &str) -> AppResult<(String, bool)> {
    let row = sqlx::query(
        "SELECT a.id, a.lang FROM newsletter_deliveries d \
         JOIN portal_accounts a ON a.id = d.account_id WHERE d.unsubscribe_hash = $1",
    )
    .bind(token_hash(token))
    .fetch_optional(&app.db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let account: i64 = row.try_get(0)?;
    let lang: String = row.try_get(1)?;
    let (states, _) = crate::portal::consents::of_account(app, account).await?;
    let given = states.iter().any(|s| s.purpose == "news" && s.given);
    Ok((lang, given))
}

/// The link's one click: the account's consent to news is withdrawn (a
/// consent act, with the page and address as its proof). Saying it twice
/// changes nothing.
pub async fn unsubscribe(app: &App, token: &str, ip: &str) -> AppResult<String> {
    let row = sqlx::query(
        "SELECT a.id, a.person_id, a.lang FROM newsletter_deliveries d \
         JOIN portal_accounts a ON a.id = d.account_id WHERE d.unsubscribe_hash = $1",
    )
    .bind(token_hash(token))
    .fetch_optional(&app.db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let account: i64 = row.try_get(0)?;
    let person: Option<i64> = row.try_get(1)?;
    let lang: String = row.try_get(2)?;
    let (states, _) = crate::portal::consents::of_account(app, account).await?;
    if states.iter().any(|s| s.purpose == "news" && s.given) {
        crate::portal::consents::set(app, account, person, "news", false, "newsletter", ip).await?;
    }
    Ok(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_masked_but_their_domain() {
        assert_eq!(mask_email("nguyen.van.a@example.org"), "n•••@example.org");
        assert_eq!(mask_email("x"), "•••");
    }

    #[test]
    fn ids_round_trip() {
        assert_eq!(parse_ids(&join_ids(&[3, 1, 20])), vec![3, 1, 20]);
        assert!(parse_ids("").is_empty());
    }
}
