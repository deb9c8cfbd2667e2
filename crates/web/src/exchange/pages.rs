//! `/admin/webhooks`: the administrators' view of the webhooks — the
//! subscriptions, the latest deliveries and the dead letters, with a test
//! event per subscription and a "send again" per dead letter.

use app::exchange::webhooks;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

use crate::AppState;
use crate::error::PageError;
use crate::extract::User;
use crate::i18n::Tr;
use crate::pages::{Layout, page_err, render};

/// A subscription as shown.
pub struct SubscriptionRow {
    pub id: i64,
    pub account: String,
    pub url: String,
    pub kinds: String,
    pub active: bool,
    pub pending: i64,
    pub delivered: i64,
    pub dead: i64,
}

/// A delivery as shown.
pub struct DeliveryRow {
    pub id: i64,
    pub subscription: i64,
    pub test: bool,
    pub events: i64,
    pub status: &'static str,
    pub attempts: i64,
    pub result: String,
    pub created: String,
    pub next: String,
    pub dead: bool,
}

#[derive(Template)]
#[template(path = "exchange/webhooks.html")]
struct WebhooksPage {
    l: Layout,
    t: Tr,
    notice: Option<&'static str>,
    subscriptions: Vec<SubscriptionRow>,
    deliveries: Vec<DeliveryRow>,
    dead: Vec<DeliveryRow>,
}

fn kind_key(kind: &str) -> &'static str {
    match kind {
        "create" => "webhooks.kind.create",
        "update" => "webhooks.kind.update",
        "delete" => "webhooks.kind.delete",
        "merge" => "webhooks.kind.merge",
        "unmerge" => "webhooks.kind.unmerge",
        _ => "webhooks.kind.restore",
    }
}

fn row(t: Tr, d: &webhooks::Delivery) -> DeliveryRow {
    let result = match (d.last_status, &d.last_error) {
        (Some(code), _) if d.status == "delivered" => format!("{} ({code})", t.s("webhooks.ok")),
        (Some(code), _) => format!("{} {code}", t.s("webhooks.http_error")),
        (None, Some(_)) => t.s("webhooks.unreachable").to_owned(),
        (None, None) => String::new(),
    };
    DeliveryRow {
        id: d.id,
        subscription: d.subscription_id,
        test: d.kind == "test",
        events: d.events,
        status: match d.status.as_str() {
            "delivered" => "webhooks.status.delivered",
            "dead" => "webhooks.status.dead",
            _ => "webhooks.status.pending",
        },
        attempts: d.attempts,
        result,
        created: t.time(&d.created_at),
        next: if d.status == "pending" {
            t.time(&d.next_attempt_at)
        } else {
            String::new()
        },
        dead: d.status == "dead",
    }
}

async fn page(
    state: &AppState,
    user: &User,
    notice: Option<&'static str>,
) -> Result<Response, PageError> {
    let err = page_err(user.lang);
    let subs = webhooks::list(&state.app, &user.actor).await.map_err(err)?;
    let err = page_err(user.lang);
    let deliveries = webhooks::deliveries(&state.app, &user.actor, None, None, 50)
        .await
        .map_err(err)?;
    let err = page_err(user.lang);
    let dead = webhooks::deliveries(&state.app, &user.actor, None, Some("dead"), 200)
        .await
        .map_err(err)?;
    let l = Layout::for_user(user);
    let t = l.t;
    render(&WebhooksPage {
        t,
        notice,
        subscriptions: subs
            .into_iter()
            .map(|s| SubscriptionRow {
                id: s.id,
                account: s.account,
                url: s.url,
                kinds: s
                    .kinds
                    .iter()
                    .map(|k| t.s(kind_key(k)))
                    .collect::<Vec<_>>()
                    .join(", "),
                active: s.active,
                pending: s.pending,
                delivered: s.delivered,
                dead: s.dead,
            })
            .collect(),
        deliveries: deliveries.into_iter().map(|d| row(t, &d)).collect(),
        dead: dead.into_iter().map(|d| row(t, &d)).collect(),
        l,
    })
}

/// `GET /admin/webhooks`.
pub async fn list(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    page(&state, &user, None).await
}

/// `POST /admin/webhooks/{id}/test`: queue a test event.
pub async fn test(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    webhooks::send_test(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    page(&state, &user, Some("webhooks.test_queued")).await
}

/// `POST /admin/webhook-deliveries/{id}/retry`: send a dead letter again.
pub async fn retry(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    webhooks::retry(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    page(&state, &user, Some("webhooks.retried")).await
}
