//! Reconciliation of two lists in a survey round, the re-verification list
//! and visits, and growth between rounds: pages and API over
//! `app::intake::reconcile`, which checks role and jurisdiction.

use app::intake::reconcile::{self, Growth, ReconcileQuery, Reconciliation, VisitInput};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::error::PageError;
use crate::extract::User;
use crate::i18n::Tr;
use crate::pages::{Layout, XLSX, attachment, page_err, render};

/// Rows listed on the page (the xlsx has them all).
const PAGE_ROWS: usize = 500;

fn query_string(q: &ReconcileQuery) -> String {
    let enc = |s: &str| super::review::url_escape(s.trim());
    format!(
        "round={}&a={}&b={}&commune={}",
        enc(&q.round),
        enc(&q.a),
        enc(&q.b),
        enc(&q.commune)
    )
}

#[derive(Template)]
#[template(path = "intake/reconcile/show.html")]
struct ReconcilePage {
    l: Layout,
    t: Tr,
    q: ReconcileQuery,
    query: String,
    rounds: Vec<String>,
    sources: Vec<(&'static str, &'static str)>,
    a: String,
    b: String,
    r: Option<Reconciliation>,
    shown: usize,
    results: &'static [&'static str],
    today: String,
}

/// `GET /reconcile`: choose a round and two sources; per-commune counts and
/// the people to visit again, each with a form for the visit's result.
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ReconcileQuery>,
) -> Result<Response, PageError> {
    app::access::authorize(&user.actor, app::access::Action::PersonList)
        .map_err(page_err(user.lang))?;
    let rounds = reconcile::rounds(&state.app, &user.actor)
        .await
        .map_err(page_err(user.lang))?;
    let r = if q.round.trim().is_empty() {
        None
    } else {
        Some(
            reconcile::reconcile(&state.app, &user.actor, &q)
                .await
                .map_err(page_err(user.lang))?,
        )
    };
    let l = Layout::for_user(&user);
    let (first, second) = q.sources();
    render(&ReconcilePage {
        t: l.t,
        l,
        query: query_string(&q),
        a: first,
        b: second,
        q,
        rounds,
        sources: domain::Agency::ALL
            .iter()
            .map(|x| (x.code(), x.label(user.lang.code())))
            .collect(),
        shown: PAGE_ROWS,
        r: r.map(|mut r| {
            r.rows.retain(|x| x.class != "matched");
            r.rows.truncate(PAGE_ROWS);
            r
        }),
        results: reconcile::RESULTS,
        today: app::clock::today(),
    })
}

/// `GET /reconcile/visits.xlsx`: the re-verification list (audited export).
pub async fn visit_list(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ReconcileQuery>,
) -> Result<Response, PageError> {
    let bytes = reconcile::visit_list_xlsx(&state.app, &user.actor, &q)
        .await
        .map_err(page_err(user.lang))?;
    Ok(attachment(
        bytes,
        XLSX,
        &format!("xac-minh-{}.xlsx", q.round.trim()),
    ))
}

pub(crate) fn visit_context(
    state: &AppState,
    actor: &app::Actor,
    round: &str,
) -> app::stats::export::ExportContext {
    // The official list is in Vietnamese whatever the interface language.
    crate::stats::pages::context(
        state,
        actor,
        format!(
            "HỘ CẦN XÁC MINH LẠI SAU ĐỐI CHIẾU DANH SÁCH — ĐỢT {}",
            round.trim()
        ),
        false,
    )
}

/// `GET /reconcile/visits.docx`: the re-verification list as an official
/// document to print and take on visits (audited export).
pub async fn visit_list_docx(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ReconcileQuery>,
) -> Result<Response, PageError> {
    let ctx = visit_context(&state, &user.actor, &q.round);
    let bytes = reconcile::visit_list_docx(&state.app, &user.actor, &q, &ctx)
        .await
        .map_err(page_err(user.lang))?;
    Ok(attachment(
        bytes,
        crate::pages::DOCX,
        &format!("xac-minh-{}.docx", q.round.trim()),
    ))
}

#[derive(Deserialize)]
pub struct VisitForm {
    person_id: i64,
    result: String,
    #[serde(default)]
    visited_on: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    round: String,
    #[serde(default)]
    a: String,
    #[serde(default)]
    b: String,
    #[serde(default)]
    commune: String,
}

/// `POST /reconcile/visits`: records a visit's result, back to the list.
pub async fn visit(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<VisitForm>,
) -> Result<Response, PageError> {
    reconcile::record_visit(
        &state.app,
        &user.actor,
        &VisitInput {
            person_id: f.person_id,
            result: f.result,
            round: f.round.clone(),
            visited_on: f.visited_on,
            note: f.note,
        },
    )
    .await
    .map_err(page_err(user.lang))?;
    let q = ReconcileQuery {
        round: f.round,
        a: f.a,
        b: f.b,
        commune: f.commune,
    };
    Ok(Redirect::to(&format!("/reconcile?{}", query_string(&q))).into_response())
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct GrowthQuery {
    /// Earlier round.
    #[param(inline, value_type = app::api_schema::NotBlank, required = true)]
    pub(crate) from: String,
    /// Later round.
    #[param(inline, value_type = app::api_schema::NotBlank, required = true)]
    pub(crate) to: String,
}

#[derive(Template)]
#[template(path = "intake/reconcile/growth.html")]
struct GrowthPage {
    l: Layout,
    t: Tr,
    rounds: Vec<String>,
    from: String,
    to: String,
    g: Option<Growth>,
    sections: Vec<(&'static str, Vec<app::intake::reconcile::GrowthRow>)>,
}

/// `GET /reconcile/growth?from=&to=`: growth between two rounds by category,
/// new commune and legacy district.
pub async fn growth(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<GrowthQuery>,
) -> Result<Response, PageError> {
    let rounds = reconcile::rounds(&state.app, &user.actor)
        .await
        .map_err(page_err(user.lang))?;
    let g = if q.from.trim().is_empty() && q.to.trim().is_empty() {
        None
    } else {
        Some(
            reconcile::growth(&state.app, &user.actor, &q.from, &q.to)
                .await
                .map_err(page_err(user.lang))?,
        )
    };
    let sections = g
        .as_ref()
        .map(|g| {
            vec![
                ("growth.by_category", g.by_category.clone()),
                ("growth.by_commune", g.by_commune.clone()),
                ("growth.by_legacy_district", g.by_legacy_district.clone()),
            ]
        })
        .unwrap_or_default();
    let l = Layout::for_user(&user);
    render(&GrowthPage {
        t: l.t,
        l,
        rounds,
        from: q.from,
        to: q.to,
        g,
        sections,
    })
}
