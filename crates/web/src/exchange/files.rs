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
    /// For a relative: the person and household it belongs to, by name.
    pub belongs: String,
    /// The registry's record it matched or became (people, households,
    /// associations have a page).
    pub link: Option<String>,
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
    pending: usize,
    /// Why the last accept wrote nothing, line by line.
    refused: Vec<String>,
}

/// A JSON value of a record of kind `kind` as a person reads it.
/// The fields that name other records by identifier: shown by the names
/// the file gives them.
const LINK_FIELDS: &[&str] = &[
    "owner_ids",
    "investor_person_ids",
    "investor_enterprise_ids",
];

/// A list of identifiers in words: the names the file gives them, and how
/// many it does not name.
fn linked_names(t: Tr, v: &Value, names: &std::collections::HashMap<String, String>) -> String {
    let uids: Vec<String> = v
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    let mut shown: Vec<String> = uids.iter().filter_map(|u| names.get(u).cloned()).collect();
    let others = uids.len() - shown.len();
    if others > 0 {
        shown.push(format!("{others} {}", t.s("exchange.linked_elsewhere")));
    }
    shown.join(", ")
}

fn shown(t: Tr, kind: &str, field: &str, v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => t.s(if *b { "common.yes" } else { "common.no" }).to_owned(),
        Value::String(s) => match (kind, field) {
            ("association", "kind") => t.label("association_kind", s),
            ("association", "status") => t.label("association_status", s),
            ("project", "status") => t.label("project_status", s),
            ("enterprise" | "project", "sector") => {
                domain::sectors::name(s, t.lang == crate::i18n::Lang::En)
                    .map_or_else(|| s.clone(), str::to_owned)
            }
            (_, "parent_country") => t.label("country", s),
            ("association", "founded_on") | (_, "licence_date" | "status_on") => {
                domain::dates::show(s)
            }
            (_, "legacy_district_code") => t.label("legacy_district", s),
            _ => t.value(field, s),
        },
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
        other @ Value::Number(_) => other.to_string(),
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
        "person" | "household" | "relative" | "association" | "enterprise" | "project" => {
            format!("exchange.type.{k}")
        }
        _ => "exchange.type.unknown".to_owned(),
    }
}

/// A problem stored as `field:code,…` (or a code alone), in words.
fn problem_words(t: Tr, problem: &str) -> String {
    let generic = t.s("exchange.problem");
    let parts: Vec<String> = problem
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (field, code) = p.split_once(':').unwrap_or(("", p));
            let why = t.get(&format!("code.{code}")).unwrap_or(generic);
            if field.is_empty() || field == "record" {
                why.to_owned()
            } else {
                format!("{}: {why}", t.field(field))
            }
        })
        .collect();
    if parts.is_empty() {
        generic.to_owned()
    } else {
        parts.join(" · ")
    }
}

/// An accept's refusal in words: "Dòng 7 — Tên: Đã có người dùng giá trị này."
fn refusal_words(t: Tr, errs: &[app::FieldError]) -> Vec<String> {
    errs.iter()
        .map(|f| {
            let mut parts = f.field.splitn(3, '.');
            let (line, field) = match (parts.next(), parts.next(), parts.next()) {
                (Some("lines"), Some(n), Some(field)) => (Some(n), field),
                _ => (None, f.field.as_str()),
            };
            let what = problem_words(t, &format!("{field}:{}", f.code));
            match line {
                Some(n) => format!("{} {n} — {what}", t.s("exchange.line")),
                None => what,
            }
        })
        .collect()
}

/// The names the file gives to its people and households, by identifier
/// (a relative is shown with the person and household it belongs to).
fn names_in_file(items: &[log::ExchangeItem]) -> std::collections::HashMap<String, String> {
    items
        .iter()
        .filter_map(|i| {
            let key = match i.record_type.as_str() {
                "person" => "full_name",
                "household" => "head_name",
                "enterprise" => "name",
                _ => return None,
            };
            let name = i.data.get(key).and_then(Value::as_str)?;
            Some((i.uid.to_ascii_lowercase(), name.to_owned()))
        })
        .collect()
}

/// A field of an item in words: money in its currency, links by name.
fn shown_in(
    t: Tr,
    i: &log::ExchangeItem,
    field: &str,
    v: &Value,
    names: &std::collections::HashMap<String, String>,
) -> String {
    if LINK_FIELDS.contains(&field) {
        return linked_names(t, v, names);
    }
    if let (Some(n), "registered_capital" | "realised_capital") = (v.as_i64(), field) {
        let cur = i
            .data
            .get("currency")
            .and_then(Value::as_str)
            .unwrap_or("VND");
        if let Some(c) = domain::money::currency(cur) {
            return format!(
                "{} {}",
                domain::money::format_minor(n, c, t.lang == crate::i18n::Lang::En),
                c.code
            );
        }
    }
    shown(t, i.record_type.as_str(), field, v)
}

fn view(
    t: Tr,
    i: &log::ExchangeItem,
    names: &std::collections::HashMap<String, String>,
) -> ItemView {
    let kind = i.record_type.as_str();
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
                        ) && !shown_in(t, i, k, v, names).is_empty()
                    })
                    .map(|(k, v)| FieldRow {
                        name: t.field(k),
                        ours: String::new(),
                        theirs: shown_in(t, i, k, v, names),
                    })
                    .collect()
            })
            .unwrap_or_default()
    } else {
        i.diff
            .iter()
            .map(|d| FieldRow {
                name: t.field(&d.field),
                ours: shown_in(t, i, &d.field, &d.ours, names),
                theirs: shown_in(t, i, &d.field, &d.theirs, names),
            })
            .collect()
    };
    let name = ["full_name", "name", "head_name"]
        .iter()
        .find_map(|k| i.data.get(*k).and_then(Value::as_str))
        .unwrap_or_default()
        .to_owned();
    // A relative: whose, and in which household.
    let belongs = if kind == "relative" {
        [
            ("person_id", "exchange.of_person"),
            ("household_id", "exchange.in_household"),
        ]
        .iter()
        .filter_map(|(k, label)| {
            let uid = i.data.get(*k).and_then(Value::as_str)?.to_ascii_lowercase();
            names.get(&uid).map(|n| format!("{}: {n}", t.s(label)))
        })
        .collect::<Vec<_>>()
        .join(" · ")
    } else {
        String::new()
    };
    let link = i.entity_id.and_then(|id| match kind {
        "person" => Some(format!("/people/{id}")),
        "household" => Some(format!("/households/{id}")),
        "association" => Some(format!("/associations/{id}")),
        "enterprise" => Some(format!("/investment/enterprises/{id}")),
        "project" => Some(format!("/investment/projects/{id}")),
        _ => None,
    });
    ItemView {
        id: i.id,
        line_no: i.line_no,
        kind: t.s(&kind_key(&i.record_type)).to_owned(),
        outcome: if i.outcome == "conflict" && kind != "person" {
            "exchange.outcome.conflict_record"
        } else {
            outcome_key(&i.outcome)
        },
        name,
        belongs,
        link,
        probability: i
            .probability
            .map(|p| format!("{:.0} %", (p * 100.0).min(99.0)))
            .unwrap_or_default(),
        fields,
        problem: if i.problem.is_empty() {
            String::new()
        } else {
            problem_words(t, &i.problem)
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
    page(&state, &user, id, Vec::new()).await
}

async fn page(
    state: &AppState,
    user: &User,
    id: i64,
    refused: Vec<String>,
) -> Result<Response, PageError> {
    let (e, items) = log::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    let l = Layout::for_user(user);
    let t = l.t;
    let same = items.iter().filter(|i| i.outcome == "same").count();
    let pending = items.iter().filter(|i| i.decision == "pending").count();
    let names = names_in_file(&items);
    let status = if refused.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut resp = render(&ShowPage {
        t,
        e: row(t, &e),
        can_decide: app::access::authorize(&user.actor, app::access::Action::ExchangeReceive)
            .is_ok(),
        items: items
            .iter()
            .filter(|i| i.outcome != "same")
            .map(|i| view(t, i, &names))
            .collect(),
        same,
        pending,
        refused,
        l,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// After an accept: back to the file, or — when a record was refused and
/// nothing written — the file again with the refusals, line by line.
async fn after_accept<T>(
    state: &AppState,
    user: &User,
    id: i64,
    done: app::AppResult<T>,
) -> Result<Response, PageError> {
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/exchange/imports/{id}")).into_response()),
        Err(app::AppError::Invalid(errs)) => {
            let words = refusal_words(Tr::new(user.lang), &errs);
            page(state, user, id, words).await
        }
        Err(e) => Err(page_err(user.lang)(e)),
    }
}

/// `POST /exchange/imports/{id}/items/{item}/accept`.
pub async fn accept(
    State(state): State<AppState>,
    user: User,
    Path((id, item)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let done = receive::decide(&state.app, &user.actor, id, item, true).await;
    after_accept(&state, &user, id, done).await
}

/// `POST /exchange/imports/{id}/accept`: every pending record, together.
pub async fn accept_all(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let done = receive::accept_all(&state.app, &user.actor, id).await;
    after_accept(&state, &user, id, done).await
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
