//! Reconciliation of two lists in a survey round, the re-verification list
//! and visits, and growth between rounds: pages and API over
//! `app::intake::reconcile`, which checks role and jurisdiction.

use app::intake::reconcile::{
    self, Growth, PlanInput, ReconcileQuery, Reconciliation, RoundInput, SignInput, VisitInput,
};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
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
    /// The actor may declare rounds (province level).
    may_declare: bool,
    /// The actor signs for this agency (an agency account), if any.
    own_agency: Option<String>,
    /// The whole round's figures (what the agencies sign), when it is
    /// declared and not yet locked.
    round_total: Option<app::intake::reconcile::CommuneCount>,
    /// Uncertain pairs across the lists with their probability in words.
    uncertain: Vec<(app::intake::reconcile::UncertainPair, String)>,
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
    let mut r = if q.round.trim().is_empty() {
        None
    } else {
        Some(
            reconcile::reconcile(&state.app, &user.actor, &q)
                .await
                .map_err(page_err(user.lang))?,
        )
    };
    let round_total = match r.as_ref().map(|r| (r, r.declared.as_ref())) {
        // The page already counted the whole round: the province's view of
        // the round's own lists and communes.
        Some((r, Some(d)))
            if d.locked_at.is_none()
                && matches!(user.actor.jurisdiction, app::actor::Jurisdiction::Province)
                && q.commune.trim().is_empty()
                && r.a == d.list_a
                && r.b == d.list_b =>
        {
            Some(r.total.clone())
        }
        Some((_, Some(d))) if d.locked_at.is_none() => Some(
            reconcile::round_figures(&state.app, &d.code)
                .await
                .map_err(page_err(user.lang))?,
        ),
        _ => None,
    };
    let l = Layout::for_user(&user);
    let (first, second) = q.sources();
    render(&ReconcilePage {
        round_total,
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
        uncertain: r
            .as_mut()
            .map(|r| {
                std::mem::take(&mut r.uncertain)
                    .into_iter()
                    .map(|u| {
                        let p = super::review::percent(u.probability);
                        (u, p)
                    })
                    .collect()
            })
            .unwrap_or_default(),
        r: r.map(|mut r| {
            r.rows.retain(reconcile::to_visit);
            r.rows.truncate(PAGE_ROWS);
            r
        }),
        results: reconcile::RESULTS,
        today: app::clock::today(),
        may_declare: matches!(user.actor.jurisdiction, app::actor::Jurisdiction::Province),
        own_agency: match &user.actor.jurisdiction {
            app::actor::Jurisdiction::Agency(a) => Some(a.clone()),
            _ => None,
        },
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

fn back_to(round: &str, a: &str, b: &str, commune: &str) -> Response {
    let q = ReconcileQuery {
        round: round.to_owned(),
        a: a.to_owned(),
        b: b.to_owned(),
        commune: commune.to_owned(),
    };
    Redirect::to(&format!("/reconcile?{}", query_string(&q))).into_response()
}

/// `POST /reconcile/visits/plan`: plans visits of the ticked people
/// (`person=12&person=15`, repeated), with an assignee and a due day.
pub async fn plan(
    State(state): State<AppState>,
    user: User,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut person_ids = Vec::new();
    for (k, v) in &fields {
        if k == "person" {
            let id = v.trim().parse::<i64>().map_err(|_| {
                page_err(user.lang)(app::AppError::invalid_field("person_ids", "invalid_id"))
            })?;
            person_ids.push(id);
        }
    }
    let round = get("round");
    reconcile::plan_visits(
        &state.app,
        &user.actor,
        &PlanInput {
            round: round.clone(),
            person_ids,
            assignee: get("assignee"),
            due_on: get("due_on"),
        },
    )
    .await
    .map_err(page_err(user.lang))?;
    Ok(back_to(&round, &get("a"), &get("b"), &get("commune")))
}

#[derive(Deserialize)]
pub struct RoundForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    started_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    communes: String,
    #[serde(default)]
    list_a: String,
    #[serde(default)]
    list_b: String,
}

/// `POST /reconcile/rounds`: declares a round, then shows it.
pub async fn declare(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<RoundForm>,
) -> Result<Response, PageError> {
    let code = reconcile::declare_round(
        &state.app,
        &user.actor,
        &RoundInput {
            code: f.code,
            name: f.name,
            started_on: f.started_on,
            ends_on: f.ends_on,
            communes: f.communes,
            list_a: f.list_a,
            list_b: f.list_b,
        },
    )
    .await
    .map_err(page_err(user.lang))?;
    Ok(back_to(&code, "", "", ""))
}

#[derive(Deserialize)]
pub struct SignForm {
    #[serde(default)]
    agency: String,
    #[serde(default)]
    signer_name: String,
}

/// `POST /reconcile/rounds/{code}/sign-off`: an agency signs the agreed figures.
pub async fn sign_off(
    State(state): State<AppState>,
    user: User,
    Path(code): Path<String>,
    Form(f): Form<SignForm>,
) -> Result<Response, PageError> {
    reconcile::sign_off(
        &state.app,
        &user.actor,
        &code,
        &SignInput {
            agency: f.agency,
            signer_name: f.signer_name,
        },
    )
    .await
    .map_err(page_err(user.lang))?;
    Ok(back_to(&code, "", "", ""))
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
