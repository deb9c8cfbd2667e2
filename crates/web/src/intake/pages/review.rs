//! Duplicate review (issue 8): the queue of candidate pairs, a pair side by
//! side with its explanation and the merge form, the list of merges with
//! unmerge, and the same through the API. Every handler calls
//! `app::intake::matching`, which checks role and jurisdiction.

use std::collections::BTreeMap;

use app::AppError;
use app::intake::matching::{self, Decision, MergeInput, MergeRow, PairRow, PairView, QueueFilter};
use app::intake::scan_jobs;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::error::PageError;
use crate::extract::User;
use crate::i18n::Tr;
use crate::pages::{Layout, page_err, render};

const PAGE: i64 = 50;

fn filter_query(f: &QueueFilter) -> String {
    let enc = |s: &str| url_escape(s.trim());
    format!(
        "status={}&commune={}&source={}&found_by={}",
        enc(&f.status),
        enc(&f.commune),
        enc(&f.source),
        enc(&f.found_by)
    )
}

/// Percent-encodes a query value.
pub(crate) fn url_escape(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The probability as shown: none for a merge an officer decided by hand
/// (the model did not propose it; its stored 1.0 is the decision).
fn shown_probability(t: Tr, found_by: &str, probability: f64) -> String {
    if found_by == "reviewer" {
        t.s("review.no_score_by_hand").to_owned()
    } else {
        percent(probability)
    }
}

/// A probability as a percentage with one decimal; the model is never
/// certain, so nothing above 99.9 % reads "100.0" (it reads "> 99.9").
pub(crate) fn percent(p: f64) -> String {
    if p > 0.999 {
        "> 99.9".to_owned()
    } else {
        format!("{:.1}", (p * 1000.0).floor() / 10.0)
    }
}

// ------------------------------------------------------------------ queue

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QueueParams {
    status: String,
    commune: String,
    source: String,
    found_by: String,
    page: i64,
    /// The scan job started from this page, whose progress or result shows.
    scan: Option<i64>,
    done: Option<u8>,
}

#[derive(Template)]
#[template(path = "intake/review/queue.html")]
struct QueuePage {
    l: Layout,
    t: Tr,
    pairs: Vec<(PairRow, String)>,
    total: i64,
    page: i64,
    pages: i64,
    status: String,
    commune: String,
    source: String,
    found_by: String,
    query: String,
    statuses: &'static [&'static str],
    sources: Vec<(&'static str, &'static str)>,
    scanned: Option<(usize, usize, usize)>,
    /// A scan in progress: steps done and total.
    scanning: Option<(i64, i64)>,
    /// Message key of a scan that did not finish.
    scan_failure: Option<String>,
    done: bool,
}

/// `GET /review`: the pairs to review, with filters and the scan button.
pub async fn queue(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<QueueParams>,
) -> Result<Response, PageError> {
    let filter = QueueFilter {
        status: p.status.clone(),
        commune: p.commune.clone(),
        source: p.source.clone(),
        found_by: p.found_by.clone(),
    };
    let page = p.page.max(1);
    let (pairs, total) = matching::queue(&state.app, &user.actor, &filter, PAGE, (page - 1) * PAGE)
        .await
        .map_err(page_err(user.lang))?;
    // The job's state is in the database: any server answers it. A job
    // gone or of another jurisdiction shows nothing.
    let job = match p.scan {
        Some(id) => scan_jobs::get(&state.app, &user.actor, id).await.ok(),
        None => None,
    };
    let scanned = job.as_ref().and_then(|j| {
        j.summary
            .as_ref()
            .filter(|_| j.status == "done")
            .map(|s| (s.people, s.new_pairs, s.likely))
    });
    let scanning = job
        .as_ref()
        .filter(|j| j.status == "running")
        .map(|j| (j.done_steps, j.total_steps));
    let scan_failure = job.and_then(|j| j.failure);
    let l = Layout::for_user(&user);
    let t = l.t;
    render(&QueuePage {
        t: l.t,
        l,
        pairs: pairs
            .into_iter()
            .map(|r| {
                let pct = shown_probability(t, &r.found_by, r.probability);
                (r, pct)
            })
            .collect(),
        total,
        page,
        pages: (total + PAGE - 1) / PAGE,
        query: filter_query(&filter),
        status: if p.status.is_empty() {
            "pending".into()
        } else {
            p.status
        },
        commune: p.commune,
        source: p.source,
        found_by: p.found_by,
        statuses: matching::STATUSES,
        sources: domain::Agency::ALL
            .iter()
            .map(|a| (a.code(), a.label(user.lang.code())))
            .collect(),
        scanned,
        scanning,
        scan_failure,
        done: p.done.is_some(),
    })
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[allow(dead_code)]
    csrf: Option<String>,
}

/// `POST /review/scan`: starts looking for duplicates among the records one
/// may see (in the background, or joins the scan already running), then
/// shows its progress on the queue.
pub async fn scan(
    State(state): State<AppState>,
    user: User,
    Form(_): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    let (job, _) = scan_jobs::start(&state.app, &user.actor)
        .await
        .map_err(page_err(user.lang))?;
    Ok(Redirect::to(&format!("/review?scan={}", job.id)).into_response())
}

/// `GET /review/next`: the next pair to review with the same filters.
pub async fn next(
    State(state): State<AppState>,
    user: User,
    Query(filter): Query<QueueFilter>,
) -> Result<Response, PageError> {
    let q = filter_query(&filter);
    let next = matching::next(&state.app, &user.actor, &filter)
        .await
        .map_err(page_err(user.lang))?;
    Ok(match next {
        Some(id) => Redirect::to(&format!("/review/pairs/{id}?{q}")),
        None => Redirect::to(&format!("/review?{q}&done=1")),
    }
    .into_response())
}

// ------------------------------------------------------------------- pair

#[derive(Template)]
#[template(path = "intake/review/pair.html")]
struct PairPage {
    l: Layout,
    t: Tr,
    p: PairView,
    status_key: String,
    pct: String,
    query: String,
    explanation: Vec<(String, String, String, String)>,
    /// The score in words: what agrees, what differs, what is missing.
    why: Vec<(String, String)>,
}

/// The explanation in an official's words, grouped by outcome: "Giống
/// nhau: Ngày sinh (trùng khớp), Quê quán (cùng xã/phường)"; the fields
/// that weigh most come first in each group.
fn why_in_words(t: Tr, rows: &[matching::ExplainRow]) -> Vec<(String, String)> {
    let mut rows: Vec<&matching::ExplainRow> = rows.iter().collect();
    rows.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
    ["agree", "partial", "disagree", "missing"]
        .iter()
        .filter_map(|outcome| {
            let items: Vec<String> = rows
                .iter()
                .filter(|r| r.outcome == *outcome)
                .map(|r| match t.get(&format!("review.level.{}", r.level)) {
                    Some(level) if *outcome != "missing" => {
                        format!("{} ({level})", t.field(&r.field))
                    }
                    _ => t.field(&r.field),
                })
                .collect();
            (!items.is_empty()).then(|| {
                (
                    t.s(&format!("review.why.{outcome}")).to_owned(),
                    items.join(", "),
                )
            })
        })
        .collect()
}

/// `GET /review/pairs/{id}`: both records side by side, differences marked,
/// the explanation, and the decision buttons (keys: M merge, R reject, S skip).
pub async fn pair(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(filter): Query<QueueFilter>,
) -> Result<Response, PageError> {
    let p = matching::pair(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    let l = Layout::for_user(&user);
    let t = l.t;
    let explanation = p
        .explanation
        .iter()
        .map(|e| {
            (
                t.field(&e.field),
                t.s(&format!("review.level.{}", e.level)).to_owned(),
                e.outcome.clone(),
                format!("{:+.2}", e.weight),
            )
        })
        .collect();
    let why = why_in_words(t, &p.explanation);
    render(&PairPage {
        why,
        status_key: format!("review.status.{}", p.status),
        pct: shown_probability(t, &p.found_by, p.probability),
        query: filter_query(&filter),
        explanation,
        p,
        t,
        l,
    })
}

#[derive(Deserialize)]
pub struct DecisionForm {
    decision: String,
}

fn decision_of(s: &str) -> Result<Decision, AppError> {
    match s {
        "reject" => Ok(Decision::Reject),
        "skip" => Ok(Decision::Skip),
        "reopen" => Ok(Decision::Reopen),
        _ => Err(AppError::invalid_field("decision", "invalid_choice")),
    }
}

/// `POST /review/pairs/{id}/decision`: reject, skip or reopen, then the next pair.
pub async fn decide(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(filter): Query<QueueFilter>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, PageError> {
    let d = decision_of(&f.decision).map_err(page_err(user.lang))?;
    matching::decide(&state.app, &user.actor, id, d)
        .await
        .map_err(page_err(user.lang))?;
    Ok(Redirect::to(&format!("/review/next?{}", filter_query(&filter))).into_response())
}

/// `POST /review/pairs/{id}/merge`: form fields `keep` (a or b), `a_id`,
/// `b_id`, `a_version`, `b_version` and `choice.FIELD` = a or b.
pub async fn merge(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(filter): Query<QueueFilter>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map_or("", |(_, v)| v.as_str())
    };
    let num = |k: &str| -> Result<i64, PageError> {
        get(k).parse().map_err(|_| PageError {
            err: AppError::invalid_field(k, "required"),
            lang,
        })
    };
    let (a, b) = (
        (num("a_id")?, num("a_version")?),
        (num("b_id")?, num("b_version")?),
    );
    let keep_a = match get("keep") {
        "a" => true,
        "b" => false,
        _ => {
            return Err(PageError {
                err: AppError::invalid_field("keep", "required"),
                lang,
            });
        }
    };
    let mut choices = BTreeMap::new();
    for (name, side) in &fields {
        if let Some(field) = name.strip_prefix("choice.") {
            let from_kept = (side == "a") == keep_a;
            choices.insert(
                field.to_owned(),
                if from_kept { "kept" } else { "merged" }.to_owned(),
            );
        }
    }
    let (kept, merged) = if keep_a { (a, b) } else { (b, a) };
    let input = MergeInput {
        kept_id: kept.0,
        merged_id: merged.0,
        kept_version: kept.1,
        merged_version: merged.1,
        pair_id: Some(id),
        choices,
    };
    matching::merge(&state.app, &user.actor, &input)
        .await
        .map_err(page_err(lang))?;
    Ok(Redirect::to(&format!("/review/next?{}", filter_query(&filter))).into_response())
}

// ----------------------------------------------------------------- merges

#[derive(Template)]
#[template(path = "intake/review/merges.html")]
struct MergesPage {
    l: Layout,
    t: Tr,
    merges: Vec<MergeRow>,
}

/// `GET /review/merges`: recent merges, with unmerge.
pub async fn merges(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let merges = matching::merges(&state.app, &user.actor, 200)
        .await
        .map_err(page_err(user.lang))?;
    let l = Layout::for_user(&user);
    render(&MergesPage { t: l.t, l, merges })
}

/// `POST /review/merges/{id}/undo`: both records back as they were.
pub async fn unmerge(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(_): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    matching::unmerge(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    Ok(Redirect::to("/review/merges").into_response())
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn no_probability_reads_a_hundred_percent() {
        assert_eq!(percent(1.0), "> 99.9");
        assert_eq!(percent(0.999_999_9), "> 99.9");
        assert_eq!(percent(0.9995), "> 99.9");
        assert_eq!(percent(0.999), "99.9");
        assert_eq!(percent(0.9549), "95.4");
        assert_eq!(percent(0.5), "50.0");
    }
}
