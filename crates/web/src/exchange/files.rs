//! `/exchange/imports`: the province's exchange files — an export form,
//! the upload of a received file, the log of exchanges in and out (each
//! file downloaded again), and a received file's records side by side with
//! the registry's for an officer to accept or reject (see
//! [`app::exchange::receive`]).

use app::exchange::log;
use app::exchange::receive;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::Value;

use super::api::{ExportParams, kept_file, stream_export};
use crate::AppState;
use crate::error::PageError;
use crate::extract::User;
use crate::i18n::Tr;
use crate::pages::{Layout, page_err, render};

/// An exchange as listed.
pub struct Row {
    pub id: i64,
    pub received: bool,
    pub when: String,
    pub who: String,
    pub file_name: String,
    pub kept: bool,
    pub sender: String,
    pub sha: String,
    pub records: i64,
    pub new_records: i64,
    pub changed: i64,
    pub conflicts: i64,
    pub status: &'static str,
}

fn status_key(s: &str) -> &'static str {
    match s {
        "running" => "exchange.status.running",
        "failed" => "exchange.status.failed",
        "review" => "exchange.status.review",
        _ => "exchange.status.done",
    }
}

fn row(t: Tr, e: &log::Exchange) -> Row {
    Row {
        id: e.id,
        received: e.direction == "import",
        when: t.time(&e.created_at),
        who: e.created_by.clone(),
        file_name: e.file_name.clone(),
        kept: e.kept,
        sender: e.sender.clone(),
        sha: e.sha256.chars().take(16).collect(),
        records: e.records,
        new_records: e.new_records,
        changed: e.changed,
        conflicts: e.conflicts,
        status: status_key(&e.status),
    }
}

#[derive(Template)]
#[template(path = "exchange/imports.html")]
struct ListPage {
    l: Layout,
    t: Tr,
    can_export: bool,
    can_receive: bool,
    rows: Vec<Row>,
}

/// `GET /exchange/imports`.
pub async fn list(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let exchanges = log::list(&state.app, &user.actor, None, 200)
        .await
        .map_err(page_err(user.lang))?;
    let l = Layout::for_user(&user);
    let t = l.t;
    let can = |a| app::access::authorize(&user.actor, a).is_ok();
    render(&ListPage {
        t,
        can_export: can(app::access::Action::PersonExport),
        can_receive: can(app::access::Action::ExchangeReceive),
        rows: exchanges.iter().map(|e| row(t, e)).collect(),
        l,
    })
}

/// `GET /exchange/export`: the registry in the exchange format, streamed.
pub async fn export(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ExportParams>,
) -> Result<Response, PageError> {
    let err = page_err(user.lang);
    let req = q.request().map_err(&err)?;
    stream_export(&state, &user.actor, &req).await.map_err(err)
}

/// `GET /exchange/schema.json`: the format's JSON Schema, for a signed-in officer.
pub async fn schema(_user: User) -> Response {
    super::api::schema_document()
}

/// `GET /exchange/files/{id}`: a file sent or received, again.
pub async fn file(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    kept_file(&state, &user.actor, id)
        .await
        .map_err(page_err(user.lang))
}

/// `POST /exchange/imports` (multipart: `file`): receive a file, then show it.
pub async fn upload(
    State(state): State<AppState>,
    user: User,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let bad = |code: &str| PageError {
        err: app::AppError::invalid_field("file", code),
        lang,
    };
    app::access::authorize(&user.actor, app::access::Action::ExchangeReceive)
        .map_err(page_err(lang))?;
    let mut got = None;
    while let Some(field) = form.next_field().await.map_err(|_| bad("upload_broken"))? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("exchange.jsonl").to_owned();
            let bytes = field.bytes().await.map_err(|_| bad("upload_broken"))?;
            got = Some((name, bytes));
        }
    }
    let Some((name, bytes)) = got else {
        return Err(bad("required"));
    };
    let r = receive::receive(&state.app, &user.actor, &name, &bytes)
        .await
        .map_err(page_err(lang))?;
    Ok(Redirect::to(&format!("/exchange/imports/{}", r.id)).into_response())
}

/// One field side by side.
pub struct FieldRow {
    pub name: String,
    pub ours: String,
    pub theirs: String,
}

/// A record of a received file as shown.
pub struct ItemView {
    pub id: i64,
    pub line_no: i64,
    pub kind: String,
    pub outcome: &'static str,
    pub name: String,
    pub person_id: Option<i64>,
    pub probability: String,
    pub fields: Vec<FieldRow>,
    pub problem: String,
    pub pending: bool,
    pub decision: &'static str,
}

#[derive(Template)]
#[template(path = "exchange/import.html")]
struct ShowPage {
    l: Layout,
    t: Tr,
    e: Row,
    can_decide: bool,
    items: Vec<ItemView>,
    same: usize,
}

/// A JSON value as a person reads it.
fn shown(t: Tr, field: &str, v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => t.value(field, s),
        Value::Array(a) => {
            let parts: Vec<String> = a
                .iter()
                .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
                .collect();
            t.value(field, &parts.join(","))
        }
        Value::Object(o) => o
            .iter()
            .map(|(k, x)| format!("{}: {}", t.field(k), x.as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

fn outcome_key(o: &str) -> &'static str {
    match o {
        "new" => "exchange.outcome.new",
        "change" => "exchange.outcome.change",
        "conflict" => "exchange.outcome.conflict",
        "refused" => "exchange.outcome.refused",
        _ => "exchange.outcome.same",
    }
}

fn decision_key(d: &str) -> &'static str {
    match d {
        "accepted" => "exchange.decision.accepted",
        "rejected" => "exchange.decision.rejected",
        "pending" => "exchange.decision.pending",
        _ => "",
    }
}

fn kind_key(k: &str) -> String {
    match k {
        "person" | "household" | "relative" | "association" => format!("exchange.type.{k}"),
        _ => "exchange.type.unknown".to_owned(),
    }
}

fn view(t: Tr, i: &log::ExchangeItem) -> ItemView {
    let fields = if i.diff.is_empty() {
        // A new record: what it holds.
        i.data
            .as_object()
            .map(|o| {
                o.iter()
                    .filter(|(k, v)| {
                        !matches!(
                            k.as_str(),
                            "type"
                                | "id"
                                | "version"
                                | "updated_at"
                                | "sources"
                                | "consents"
                                | "merged_ids"
                                | "person_id"
                                | "household_id"
                                | "merged_into"
                        ) && !shown(t, k, v).is_empty()
                    })
                    .map(|(k, v)| FieldRow {
                        name: t.field(k),
                        ours: String::new(),
                        theirs: shown(t, k, v),
                    })
                    .collect()
            })
            .unwrap_or_default()
    } else {
        i.diff
            .iter()
            .map(|d| FieldRow {
                name: t.field(&d.field),
                ours: shown(t, &d.field, &d.ours),
                theirs: shown(t, &d.field, &d.theirs),
            })
            .collect()
    };
    let name = ["full_name", "name", "head_name"]
        .iter()
        .find_map(|k| i.data.get(*k).and_then(Value::as_str))
        .unwrap_or_default()
        .to_owned();
    ItemView {
        id: i.id,
        line_no: i.line_no,
        kind: t.s(&kind_key(&i.record_type)).to_owned(),
        outcome: outcome_key(&i.outcome),
        name,
        person_id: i.entity_id.filter(|_| i.record_type == "person"),
        probability: i
            .probability
            .map(|p| format!("{:.0} %", (p * 100.0).min(99.0)))
            .unwrap_or_default(),
        fields,
        problem: if i.problem.is_empty() {
            String::new()
        } else {
            t.s("exchange.problem").to_owned()
        },
        pending: i.decision == "pending",
        decision: decision_key(&i.decision),
    }
}

/// `GET /exchange/imports/{id}`: a received file's records, for review.
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (e, items) = log::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    let l = Layout::for_user(&user);
    let t = l.t;
    let same = items.iter().filter(|i| i.outcome == "same").count();
    render(&ShowPage {
        t,
        e: row(t, &e),
        can_decide: app::access::authorize(&user.actor, app::access::Action::ExchangeReceive)
            .is_ok(),
        items: items
            .iter()
            .filter(|i| i.outcome != "same")
            .map(|i| view(t, i))
            .collect(),
        same,
        l,
    })
}

/// `POST /exchange/imports/{id}/items/{item}/accept`.
pub async fn accept(
    State(state): State<AppState>,
    user: User,
    Path((id, item)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    receive::decide(&state.app, &user.actor, id, item, true)
        .await
        .map_err(page_err(user.lang))?;
    Ok(Redirect::to(&format!("/exchange/imports/{id}")).into_response())
}

/// `POST /exchange/imports/{id}/items/{item}/reject`.
pub async fn reject(
    State(state): State<AppState>,
    user: User,
    Path((id, item)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    receive::decide(&state.app, &user.actor, id, item, false)
        .await
        .map_err(page_err(user.lang))?;
    Ok(Redirect::to(&format!("/exchange/imports/{id}")).into_response())
}
