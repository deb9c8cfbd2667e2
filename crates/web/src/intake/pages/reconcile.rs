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
        today: app::clock::now().get(..10).unwrap_or_default().to_owned(),
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
pub struct GrowthQuery {
    /// Earlier round.
    pub(crate) from: String,
    /// Later round.
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

/// Messages, Vietnamese then English.
pub static MESSAGES: &[(&str, &str, &str)] = &[
    ("nav.reconcile", "Đối chiếu", "Reconcile"),
    (
        "reconcile.title",
        "Đối chiếu danh sách giữa hai cơ quan",
        "Reconciliation of two agencies' lists",
    ),
    ("reconcile.round", "Đợt khảo sát", "Survey round"),
    ("reconcile.a", "Danh sách thứ nhất", "First list"),
    ("reconcile.b", "Danh sách thứ hai", "Second list"),
    ("reconcile.commune", "Mã xã/phường", "Commune code"),
    ("reconcile.run", "Đối chiếu", "Reconcile"),
    (
        "reconcile.summary",
        "Tổng hợp theo xã/phường",
        "Summary by commune",
    ),
    (
        "reconcile.in_a",
        "Có trong DS thứ nhất",
        "In the first list",
    ),
    (
        "reconcile.in_b",
        "Có trong DS thứ hai",
        "In the second list",
    ),
    ("reconcile.agreed", "Thống nhất", "Agreed"),
    ("reconcile.conflicting", "Khác nhau", "Conflicting"),
    ("reconcile.only_a", "Chỉ DS thứ nhất", "Only in the first"),
    ("reconcile.only_b", "Chỉ DS thứ hai", "Only in the second"),
    (
        "reconcile.pending_pairs",
        "Cặp chờ rà soát trùng",
        "Pairs awaiting review",
    ),
    ("reconcile.total", "Tổng cộng", "Total"),
    ("reconcile.to_visit", "Cần xác minh lại", "To verify again"),
    (
        "reconcile.download",
        "Tải danh sách xác minh (xlsx)",
        "Download the verification list (xlsx)",
    ),
    (
        "reconcile.download_docx",
        "Tải danh sách xác minh (Word)",
        "Download the verification list (Word)",
    ),
    ("reconcile.class", "Tình trạng", "Status"),
    (
        "reconcile.class.conflict",
        "Hai DS khác nhau",
        "Lists disagree",
    ),
    (
        "reconcile.class.only_a",
        "Chỉ DS thứ nhất",
        "Only in the first list",
    ),
    (
        "reconcile.class.only_b",
        "Chỉ DS thứ hai",
        "Only in the second list",
    ),
    ("reconcile.class.matched", "Thống nhất", "Agreed"),
    ("reconcile.differences", "Chênh lệch", "Differences"),
    ("reconcile.household", "Hộ gia đình", "Household"),
    ("reconcile.visit", "Kết quả xác minh", "Visit result"),
    ("reconcile.visited_on", "Ngày xác minh", "Visited on"),
    ("reconcile.note", "Ghi chú", "Note"),
    ("reconcile.save", "Lưu", "Save"),
    (
        "reconcile.shown",
        "Chỉ hiển thị các dòng đầu; tệp xlsx có đủ.",
        "Only the first rows are shown; the xlsx has them all.",
    ),
    (
        "reconcile.nothing",
        "Hai danh sách thống nhất: không có ai cần xác minh lại.",
        "The two lists agree: nobody to verify again.",
    ),
    (
        "reconcile.result.police",
        "Công an xác nhận",
        "Confirmed by police",
    ),
    (
        "reconcile.result.fatherland_front",
        "MTTQ xác nhận",
        "Confirmed by the Fatherland Front",
    ),
    (
        "reconcile.result.both",
        "Cả hai xác nhận",
        "Confirmed by both",
    ),
    (
        "reconcile.result.disputed",
        "Vẫn chênh lệch",
        "Still disputed",
    ),
    (
        "growth.title",
        "Biến động giữa hai đợt khảo sát",
        "Growth between two survey rounds",
    ),
    ("growth.from", "Đợt trước", "Earlier round"),
    ("growth.to", "Đợt sau", "Later round"),
    ("growth.show", "Xem", "Show"),
    ("growth.change", "Tăng/giảm", "Change"),
    ("growth.by_category", "Theo diện", "By category"),
    (
        "growth.by_commune",
        "Theo xã/phường (mới)",
        "By commune (new units)",
    ),
    (
        "growth.by_legacy_district",
        "Theo huyện (trước 01/7/2025)",
        "By district (before 1 July 2025)",
    ),
    ("growth.group", "Nhóm", "Group"),
    ("field.round", "Đợt khảo sát", "Survey round"),
    ("field.a", "Danh sách thứ nhất", "First list"),
    ("field.b", "Danh sách thứ hai", "Second list"),
    ("field.result", "Kết quả xác minh", "Visit result"),
    ("field.visited_on", "Ngày xác minh", "Visited on"),
    ("field.note", "Ghi chú", "Note"),
    ("field.person_id", "Hồ sơ", "Record"),
    ("field.from", "Đợt trước", "Earlier round"),
    ("field.to", "Đợt sau", "Later round"),
    (
        "code.same_source",
        "Hãy chọn hai danh sách khác nhau.",
        "Choose two different lists.",
    ),
];
