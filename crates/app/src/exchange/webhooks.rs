//! Webhooks (issue 25 §4): other systems told of changes as they happen.
//!
//! A subscription belongs to an account (a system account, §5): what it is
//! sent is the change feed ([`super::changes`]) within that account's
//! jurisdiction, filtered by the kinds it asked for. The background worker
//! ([`worker`], one per server) hands the feed's new events to each
//! subscription as deliveries (a batch of up to [`BATCH`] events each),
//! then sends each subscription's oldest pending delivery: a `POST` of the
//! JSON body with `X-Kieubao-Signature: sha256=<hex HMAC-SHA256 of the body
//! with the subscription's secret>`, `X-Kieubao-Delivery` and
//! `X-Kieubao-Attempt`. A 2xx answer delivers it; anything else is retried
//! after an exponentially growing pause (`backoff_base` doubled per
//! attempt, at most `backoff_max`), and after `max_attempts` the delivery
//! is dead: kept in the dead-letter list and sent again on request. A
//! subscription's deliveries go out in order, one at a time, so a receiver
//! down for an hour gets everything, in order, once it is back.
//!
//! Several servers on one database: handing out events moves the
//! subscription's position with a compare-and-set, and a delivery is
//! claimed the same way before it is sent, so no event is handed out twice
//! and no delivery is sent by two servers at once. (A receiver may still
//! see a delivery twice if its answer is lost: the delivery id says so.)

use std::time::{Duration, Instant};

use db::Row;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::changes::{self, ChangeEvent};
use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, FieldError, clock};

/// Events per delivery at most.
pub const BATCH: i64 = 100;

/// The kinds of change a subscription may ask for.
pub const KINDS: &[&str] = &["create", "update", "delete", "merge", "unmerge", "restore"];

/// How deliveries are retried (the `webhook_*` settings).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Pause of the worker when it has nothing to do.
    pub poll: Duration,
    /// Pause after the first failed attempt, doubled after each.
    pub backoff_base: Duration,
    /// The longest pause between two attempts.
    pub backoff_max: Duration,
    /// Attempts before a delivery is dead.
    pub max_attempts: i64,
    /// How long a receiver has to answer.
    pub timeout: Duration,
}

impl Default for Settings {
    /// 30 s, 1, 2, 4 ... minutes, at most an hour between attempts, 15
    /// attempts: a receiver may be down some nine hours without losing a
    /// delivery (and a dead one can be sent again).
    fn default() -> Self {
        Self {
            poll: Duration::from_secs(2),
            backoff_base: Duration::from_secs(30),
            backoff_max: Duration::from_hours(1),
            max_attempts: 15,
            timeout: Duration::from_secs(10),
        }
    }
}

/// The pause after `attempts` failed attempts.
pub fn backoff(s: &Settings, attempts: i64) -> Duration {
    let shift = u32::try_from(attempts.clamp(1, 31) - 1).unwrap_or(0);
    s.backoff_base
        .checked_mul(1_u32 << shift)
        .unwrap_or(s.backoff_max)
        .min(s.backoff_max)
}

/// The signature header's value of a body: `sha256=<hex>`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A new subscription.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionInput {
    /// The account whose jurisdiction filters the events (a system account).
    pub account: String,
    /// Where deliveries are posted: `https://...` (or `http://`).
    pub url: String,
    /// The HMAC key of the signature, 16 to 200 characters.
    pub secret: String,
    /// Kinds of change to send (default: all).
    #[serde(default)]
    pub kinds: Vec<String>,
}

/// A subscription as listed (never its secret).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Subscription {
    pub id: i64,
    /// The account it acts for.
    pub account: String,
    pub url: String,
    pub kinds: Vec<String>,
    pub active: bool,
    pub created_at: String,
    /// Deliveries waiting (or being retried).
    pub pending: i64,
    pub delivered: i64,
    /// Deliveries that failed every attempt (the dead-letter list).
    pub dead: i64,
}

/// A delivery as listed (its log).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Delivery {
    pub id: i64,
    pub subscription_id: i64,
    /// `changes` or `test`.
    pub kind: String,
    /// Events in it.
    pub events: i64,
    /// `pending`, `delivered` or `dead`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<i64>,
    /// Why the last attempt failed (no content of the body).
    pub last_error: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

fn invalid(field: &str, code: &str) -> AppError {
    AppError::Invalid(vec![FieldError::new(field, code)])
}

fn valid_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty()
            && !r.starts_with('/')
            && url.len() <= 2000
            && !url.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}

/// Adds a subscription (administrators). It is sent the changes from now on.
pub async fn create(
    app: &App,
    actor: &Actor,
    input: &SubscriptionInput,
) -> AppResult<Subscription> {
    access::authorize(actor, Action::WebhookAdmin)?;
    let mut errors = Vec::new();
    let url = input.url.trim();
    if !valid_url(url) {
        errors.push(FieldError::new("url", "invalid_url"));
    }
    let secret_len = input.secret.chars().count();
    if !(16..=200).contains(&secret_len) {
        errors.push(FieldError::new("secret", "length"));
    }
    let mut kinds: Vec<String> = Vec::new();
    for k in &input.kinds {
        let k = k.trim();
        if !KINDS.contains(&k) {
            errors.push(FieldError::new("kinds", "unknown_kind"));
            break;
        }
        if !kinds.iter().any(|x| x == k) {
            kinds.push(k.to_owned());
        }
    }
    if kinds.is_empty() {
        kinds = KINDS.iter().map(|k| (*k).to_owned()).collect();
    }
    let user: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(input.account.trim().to_lowercase())
        .fetch_optional(&app.db.pool)
        .await?;
    if user.is_none() {
        errors.push(FieldError::new("account", "unknown_account"));
    }
    let (Some(user), true) = (user, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let now = clock::now();
    let mut tx = app.db.begin_write().await?;
    let head: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM change_events")
        .fetch_one(&mut *tx.tx)
        .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO webhook_subscriptions (user_id, url, secret, kinds, feed_cursor, active, \
         created_at, created_by) VALUES ($1, $2, $3, $4, $5, 1, $6, $7) RETURNING id",
    )
    .bind(user)
    .bind(url)
    .bind(&input.secret)
    .bind(kinds.join(" "))
    .bind(head)
    .bind(&now)
    .bind(actor.user_id)
    .fetch_one(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("webhook.create", "webhook", &id).with(serde_json::json!({
            "account": input.account.trim().to_lowercase(), "url": url, "kinds": kinds,
        })),
    )
    .await?;
    tx.commit().await?;
    list(app, actor)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(AppError::NotFound)
}

/// Every subscription with its counts (administrators).
pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<Subscription>> {
    access::authorize(actor, Action::WebhookAdmin)?;
    let rows = sqlx::query(
        "SELECT s.id, u.username, s.url, s.kinds, s.active, s.created_at, \
         (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.status = 'pending'), \
         (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.status = 'delivered'), \
         (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.status = 'dead') \
         FROM webhook_subscriptions s JOIN users u ON u.id = s.user_id ORDER BY s.id",
    )
    .fetch_all(&app.db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let kinds: String = r.try_get(3)?;
        out.push(Subscription {
            id: r.try_get(0)?,
            account: r.try_get(1)?,
            url: r.try_get(2)?,
            kinds: kinds.split_whitespace().map(str::to_owned).collect(),
            active: r.try_get::<i64, _>(4)? != 0,
            created_at: r.try_get(5)?,
            pending: r.try_get(6)?,
            delivered: r.try_get(7)?,
            dead: r.try_get(8)?,
        });
    }
    Ok(out)
}

/// The latest deliveries (of one subscription, or all; of one status, or
/// any), newest first, at most `limit` (administrators).
pub async fn deliveries(
    app: &App,
    actor: &Actor,
    subscription: Option<i64>,
    status: Option<&str>,
    limit: i64,
) -> AppResult<Vec<Delivery>> {
    access::authorize(actor, Action::WebhookAdmin)?;
    if let Some(s) = status
        && !matches!(s, "pending" | "delivered" | "dead")
    {
        return Err(invalid("status", "unknown_status"));
    }
    if let Some(id) = subscription {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM webhook_subscriptions WHERE id = $1")
                .bind(id)
                .fetch_optional(&app.db.pool)
                .await?;
        found.ok_or(AppError::NotFound)?;
    }
    let rows = sqlx::query(&format!(
        "SELECT id, subscription_id, kind, events, status, attempts, next_attempt_at, \
         last_status, last_error, created_at, delivered_at FROM webhook_deliveries \
         WHERE ($1 = 0 OR subscription_id = $2) AND ($3 = '' OR status = $4) \
         ORDER BY id DESC LIMIT {}",
        limit.clamp(1, 1000)
    ))
    .bind(i64::from(subscription.is_some()))
    .bind(subscription.unwrap_or(0))
    .bind(status.unwrap_or(""))
    .bind(status.unwrap_or(""))
    .fetch_all(&app.db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(Delivery {
            id: r.try_get(0)?,
            subscription_id: r.try_get(1)?,
            kind: r.try_get(2)?,
            events: r.try_get(3)?,
            status: r.try_get(4)?,
            attempts: r.try_get(5)?,
            next_attempt_at: r.try_get(6)?,
            last_status: r.try_get(7)?,
            last_error: r.try_get(8)?,
            created_at: r.try_get(9)?,
            delivered_at: r.try_get(10)?,
        });
    }
    Ok(out)
}

/// The body of a delivery.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Body {
    pub subscription: i64,
    /// `changes` or `test`.
    pub kind: String,
    pub events: Vec<ChangeEvent>,
}

async fn insert_delivery(
    tx: &mut db::WriteTx,
    subscription: i64,
    kind: &str,
    events: &[ChangeEvent],
    now: &str,
) -> AppResult<i64> {
    let body = serde_json::to_string(&Body {
        subscription,
        kind: kind.to_owned(),
        events: events.to_vec(),
    })
    .map_err(anyhow::Error::from)?;
    let first = events
        .first()
        .and_then(|e| changes::parse_cursor(&e.cursor));
    let last = events.last().and_then(|e| changes::parse_cursor(&e.cursor));
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO webhook_deliveries (subscription_id, kind, first_seq, last_seq, events, body, \
         status, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $8) RETURNING id",
    )
    .bind(subscription)
    .bind(kind)
    .bind(first)
    .bind(last)
    .bind(i64::try_from(events.len()).unwrap_or(i64::MAX))
    .bind(body)
    .bind(now)
    .bind(now)
    .fetch_one(&mut *tx.tx)
    .await?;
    Ok(id)
}

/// Queues a test event for a subscription (after what is already
/// waiting); answers the delivery's id (administrators).
pub async fn send_test(app: &App, actor: &Actor, subscription: i64) -> AppResult<i64> {
    access::authorize(actor, Action::WebhookAdmin)?;
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM webhook_subscriptions WHERE id = $1")
            .bind(subscription)
            .fetch_optional(&app.db.pool)
            .await?;
    found.ok_or(AppError::NotFound)?;
    let now = clock::fmt(app.clock.now_utc());
    let event = ChangeEvent {
        cursor: String::new(),
        kind: "test".to_owned(),
        entity: "webhook".to_owned(),
        id: subscription,
        version: 0,
        merged_into: None,
        at: now.clone(),
    };
    let mut tx = app.db.begin_write().await?;
    let id = insert_delivery(&mut tx, subscription, "test", &[event], &now).await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("webhook.test", "webhook", &subscription)
            .with(serde_json::json!({"delivery": id})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Sends a dead delivery again: pending, its attempts counted afresh
/// (administrators).
pub async fn retry(app: &App, actor: &Actor, delivery: i64) -> AppResult<()> {
    access::authorize(actor, Action::WebhookAdmin)?;
    let mut tx = app.db.begin_write().await?;
    let status: Option<String> =
        sqlx::query_scalar("SELECT status FROM webhook_deliveries WHERE id = $1")
            .bind(delivery)
            .fetch_optional(&mut *tx.tx)
            .await?;
    match status.as_deref() {
        None => return Err(AppError::NotFound),
        Some("dead") => {}
        Some(_) => return Err(invalid("delivery", "not_dead")),
    }
    sqlx::query(
        "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1 \
         WHERE id = $2",
    )
    .bind(clock::fmt(app.clock.now_utc()))
    .bind(delivery)
    .execute(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("webhook.retry", "webhook_delivery", &delivery),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Hands the feed's new events to every active subscription; answers how
/// many deliveries were queued.
pub async fn fan_out(app: &App) -> AppResult<usize> {
    let head: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM change_events")
        .fetch_one(&app.db.pool)
        .await?;
    let subs: Vec<(i64, i64, String, i64)> = sqlx::query_as(
        "SELECT id, user_id, kinds, feed_cursor FROM webhook_subscriptions \
         WHERE active = 1 AND feed_cursor < $1 ORDER BY id",
    )
    .bind(head)
    .fetch_all(&app.db.pool)
    .await?;
    let mut queued = 0;
    for (id, user_id, kinds, mut from) in subs {
        // The account's jurisdiction as it is now (a disabled account
        // is sent nothing: its position stays until it is enabled again).
        let Ok(actor) = crate::accounts::users::actor_for(app, user_id).await else {
            continue;
        };
        let kinds: Vec<&str> = kinds.split_whitespace().collect();
        loop {
            let (events, next, more) = changes::read(app, &actor, from, BATCH).await?;
            let events: Vec<ChangeEvent> = events
                .into_iter()
                .filter(|e| kinds.contains(&e.kind.as_str()))
                .collect();
            let now = clock::fmt(app.clock.now_utc());
            let mut tx = app.db.begin_write().await?;
            let moved = sqlx::query(
                "UPDATE webhook_subscriptions SET feed_cursor = $1 WHERE id = $2 AND feed_cursor = $3",
            )
            .bind(next)
            .bind(id)
            .bind(from)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
            if moved != 1 {
                // Another server handed these out first.
                tx.rollback().await?;
                break;
            }
            if !events.is_empty() {
                insert_delivery(&mut tx, id, "changes", &events, &now).await?;
                queued += 1;
            }
            tx.commit().await?;
            from = next;
            if !more {
                break;
            }
        }
    }
    Ok(queued)
}

/// What an attempt came to.
enum Outcome {
    Delivered(u16),
    Failed(Option<u16>, String),
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    secret: &str,
    body: String,
    delivery: i64,
    attempt: i64,
) -> Outcome {
    let sig = signature(secret, body.as_bytes());
    let sent = client
        .post(url)
        .header("Content-Type", "application/json")
        .header("User-Agent", concat!("kieubao/", env!("CARGO_PKG_VERSION")))
        .header("X-Kieubao-Signature", sig)
        .header("X-Kieubao-Delivery", delivery.to_string())
        .header("X-Kieubao-Attempt", attempt.to_string())
        .body(body)
        .send()
        .await;
    match sent {
        Ok(r) if r.status().is_success() => Outcome::Delivered(r.status().as_u16()),
        Ok(r) => Outcome::Failed(Some(r.status().as_u16()), format!("HTTP {}", r.status())),
        Err(e) => {
            let why = if e.is_timeout() {
                "timed out"
            } else if e.is_connect() {
                "could not connect"
            } else {
                "request failed"
            };
            Outcome::Failed(None, why.to_owned())
        }
    }
}

/// Sends each subscription's oldest due delivery; answers how many were
/// attempted.
pub async fn deliver_due(app: &App, client: &reqwest::Client) -> AppResult<usize> {
    let s = &app.settings.webhooks;
    let now = clock::fmt(app.clock.now_utc());
    let rows = sqlx::query(
        "SELECT d.id, d.body, d.attempts, d.next_attempt_at, s.url, s.secret FROM webhook_deliveries d \
         JOIN webhook_subscriptions s ON s.id = d.subscription_id \
         WHERE d.status = 'pending' AND s.active = 1 AND d.next_attempt_at <= $1 \
         AND d.id = (SELECT MIN(x.id) FROM webhook_deliveries x \
                     WHERE x.subscription_id = d.subscription_id AND x.status = 'pending') \
         ORDER BY d.id LIMIT 50",
    )
    .bind(&now)
    .fetch_all(&app.db.pool)
    .await?;
    let mut attempted = 0;
    for r in rows {
        let id: i64 = r.try_get(0)?;
        let body: String = r.try_get(1)?;
        let attempts: i64 = r.try_get(2)?;
        let due: String = r.try_get(3)?;
        let url: String = r.try_get(4)?;
        let secret: String = r.try_get(5)?;
        // Claim it for the time an attempt may take, so no other server
        // sends it meanwhile.
        let lease = clock::fmt(app.clock.now_utc() + s.timeout * 2);
        let mut tx = app.db.begin_write().await?;
        let claimed = sqlx::query(
            "UPDATE webhook_deliveries SET next_attempt_at = $1 \
             WHERE id = $2 AND status = 'pending' AND next_attempt_at = $3",
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
        attempted += 1;
        let attempt = attempts + 1;
        let started = Instant::now();
        let outcome = post(client, &url, &secret, body, id, attempt).await;
        let millis = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let at = clock::fmt(app.clock.now_utc());
        let mut tx = app.db.begin_write().await?;
        let (http, error) = match &outcome {
            Outcome::Delivered(code) => {
                sqlx::query(
                    "UPDATE webhook_deliveries SET status = 'delivered', attempts = $1, \
                     last_status = $2, last_error = NULL, delivered_at = $3 WHERE id = $4",
                )
                .bind(attempt)
                .bind(i64::from(*code))
                .bind(&at)
                .bind(id)
                .execute(&mut *tx.tx)
                .await?;
                (Some(*code), None)
            }
            Outcome::Failed(code, why) => {
                let dead = attempt >= s.max_attempts;
                let next = clock::fmt(app.clock.now_utc() + backoff(s, attempt));
                sqlx::query(
                    "UPDATE webhook_deliveries SET status = $1, attempts = $2, last_status = $3, \
                     last_error = $4, next_attempt_at = $5 WHERE id = $6",
                )
                .bind(if dead { "dead" } else { "pending" })
                .bind(attempt)
                .bind(code.map(i64::from))
                .bind(why)
                .bind(&next)
                .bind(id)
                .execute(&mut *tx.tx)
                .await?;
                (*code, Some(why.clone()))
            }
        };
        sqlx::query(
            "INSERT INTO webhook_attempts (delivery_id, at, http_status, error, millis) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(&at)
        .bind(http.map(i64::from))
        .bind(error)
        .bind(millis)
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await?;
    }
    Ok(attempted)
}

/// One round of the worker: hand out new events, send what is due.
/// Answers whether it did anything (then it runs again at once).
pub async fn run_once(app: &App, client: &reqwest::Client) -> AppResult<bool> {
    let queued = fan_out(app).await?;
    let sent = deliver_due(app, client).await?;
    Ok(queued + sent > 0)
}

/// The background worker of a server: runs until the process ends.
pub async fn worker(app: App) {
    let client = match reqwest::Client::builder()
        .timeout(app.settings.webhooks.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhooks: no HTTP client");
            return;
        }
    };
    loop {
        let busy = match run_once(&app, &client).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "webhooks: round failed");
                false
            }
        };
        if !busy {
            tokio::time::sleep(app.settings.webhooks.poll).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_ceiling() {
        let s = Settings::default();
        assert_eq!(backoff(&s, 1), Duration::from_secs(30));
        assert_eq!(backoff(&s, 2), Duration::from_mins(1));
        assert_eq!(backoff(&s, 5), Duration::from_mins(8));
        assert_eq!(backoff(&s, 9), Duration::from_hours(1));
        assert_eq!(backoff(&s, 40), Duration::from_hours(1));
        // The default retries span more than an hour of a receiver down.
        let total: Duration = (1..s.max_attempts).map(|a| backoff(&s, a)).sum();
        assert!(total > Duration::from_hours(8), "{total:?}");
    }

    #[test]
    fn signature_is_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn urls_are_http_or_https_with_a_host() {
        assert!(valid_url("https://example.org/hook"));
        assert!(valid_url("http://127.0.0.1:9000/x"));
        assert!(!valid_url("ftp://example.org"));
        assert!(!valid_url("https://"));
        assert!(!valid_url("https:///path"));
        assert!(!valid_url("https://a b"));
    }
}
