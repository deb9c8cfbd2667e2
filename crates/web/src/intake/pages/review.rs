//! Duplicate review (issue 8): the queue of candidate pairs, a pair side by
//! side with its explanation and the merge form, the list of merges with
//! unmerge, and the same through the API. Every handler calls
//! `app::intake::matching`, which checks role and jurisdiction.

use std::collections::BTreeMap;

use app::AppError;
use app::intake::matching::{self, Decision, MergeInput, MergeRow, PairRow, PairView, QueueFilter};
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

fn percent(p: f64) -> String {
    format!("{:.1}", p * 100.0)
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
    scanned: Option<usize>,
    new_pairs: Option<usize>,
    likely: Option<usize>,
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
    let l = Layout::for_user(&user);
    render(&QueuePage {
        t: l.t,
        l,
        pairs: pairs
            .into_iter()
            .map(|r| {
                let pct = percent(r.probability);
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
        scanned: p
            .scanned
            .map(|s| (s, p.new_pairs.unwrap_or(0), p.likely.unwrap_or(0))),
        done: p.done.is_some(),
    })
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[allow(dead_code)]
    csrf: Option<String>,
}

/// `POST /review/scan`: looks for duplicates among the records one may see.
pub async fn scan(
    State(state): State<AppState>,
    user: User,
    Form(_): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    let s = matching::scan(&state.app, &user.actor)
        .await
        .map_err(page_err(user.lang))?;
    Ok(Redirect::to(&format!(
        "/review?scanned={}&new_pairs={}&likely={}",
        s.people, s.new_pairs, s.likely
    ))
    .into_response())
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
                t.s(&format!("field.{}", e.field)).to_owned(),
                t.s(&format!("review.level.{}", e.level)).to_owned(),
                e.outcome.clone(),
                format!("{:+.2}", e.weight),
            )
        })
        .collect();
    render(&PairPage {
        status_key: format!("review.status.{}", p.status),
        pct: percent(p.probability),
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

/// Messages of the review pages, Vietnamese then English.
pub static MESSAGES: &[(&str, &str, &str)] = &[
    ("nav.review", "Trùng lặp", "Duplicates"),
    (
        "review.title",
        "Rà soát hồ sơ trùng lặp",
        "Review of duplicate records",
    ),
    ("review.scan", "Quét tìm trùng lặp", "Scan for duplicates"),
    (
        "review.scan_hint",
        "So sánh mọi hồ sơ trong phạm vi của bạn; các cặp mới được đưa vào hàng chờ. Cặp đã quyết định không được đề xuất lại.",
        "Compares every record within your jurisdiction; new pairs join the queue. Decided pairs are never proposed again.",
    ),
    ("review.scanned", "Đã so sánh (hồ sơ)", "Records compared"),
    (
        "review.new_pairs",
        "Cặp mới vào hàng chờ",
        "New pairs queued",
    ),
    (
        "review.likely",
        "Trong đó rất có thể là một người",
        "Of which very likely the same person",
    ),
    (
        "review.done",
        "Không còn cặp nào cần rà soát với bộ lọc này.",
        "No pair left to review with these filters.",
    ),
    ("review.status", "Trạng thái", "Status"),
    ("review.status.pending", "Chờ rà soát", "Pending"),
    ("review.status.skipped", "Để sau", "Skipped"),
    ("review.status.accepted", "Đã hợp nhất", "Merged"),
    ("review.status.rejected", "Không trùng", "Not the same"),
    ("review.commune", "Mã xã/phường", "Commune code"),
    ("review.source", "Nguồn", "Source"),
    ("review.any", "Tất cả", "Any"),
    ("review.filter", "Lọc", "Filter"),
    ("review.start", "Bắt đầu rà soát", "Start reviewing"),
    ("review.pairs", "Các cặp", "Pairs"),
    ("review.none", "Không có cặp nào.", "No pairs."),
    (
        "review.probability",
        "Xác suất trùng (%)",
        "Match probability (%)",
    ),
    ("review.record_a", "Hồ sơ A", "Record A"),
    ("review.record_b", "Hồ sơ B", "Record B"),
    ("review.open", "Mở", "Open"),
    ("review.found_by", "Phát hiện bởi", "Found by"),
    ("review.page", "Trang", "Page"),
    (
        "import.match",
        "Đối chiếu với sổ đăng ký",
        "Matched against the registry",
    ),
    ("import.match_new", "Người mới", "New people"),
    (
        "import.match_same",
        "Rất có thể đã có trong sổ",
        "Very likely already registered",
    ),
    (
        "import.match_possible",
        "Có thể đã có (chờ rà soát)",
        "Possibly already registered (to review)",
    ),
    ("import.match_running", "Đang đối chiếu…", "Matching…"),
    (
        "import.auto_merge",
        "Tự động hợp nhất những người rất có thể đã có trong sổ (có thể tách lại)",
        "Merge automatically the people very likely already registered (can be undone)",
    ),
    (
        "import.match_merged",
        "Đã tự động hợp nhất",
        "Merged automatically",
    ),
    (
        "import.match_failed",
        "Đối chiếu không thành công; hãy quét trùng lặp trên trang Trùng lặp.",
        "Matching failed; run the duplicate scan on the Duplicates page.",
    ),
    ("import.match_review", "Rà soát các cặp", "Review the pairs"),
    ("review.field", "Trường", "Field"),
    ("review.keep_value", "Giữ giá trị", "Keep value"),
    (
        "review.differs",
        "Các dòng tô màu là chỗ khác nhau.",
        "Highlighted rows differ.",
    ),
    ("review.explanation", "Giải thích điểm số", "Why this score"),
    ("review.level", "Mức so khớp", "Agreement"),
    ("review.outcome", "Kết quả", "Outcome"),
    ("review.weight", "Trọng số (bit)", "Weight (bits)"),
    ("review.keep", "Hồ sơ giữ lại", "Record to keep"),
    (
        "review.merge",
        "Cùng một người — hợp nhất (M)",
        "Same person — merge (M)",
    ),
    (
        "review.reject",
        "Không phải một người (R)",
        "Not the same person (R)",
    ),
    ("review.skip", "Để sau (S)", "Skip (S)"),
    ("review.reopen", "Đưa lại hàng chờ", "Back to the queue"),
    (
        "review.merge_hint",
        "Hồ sơ còn lại giữ mọi nguồn, thân nhân, tên gọi khác và lịch sử của cả hai; có thể tách lại.",
        "The remaining record keeps both records' sources, relatives, other names and history; the merge can be undone.",
    ),
    ("review.sources", "Nguồn dữ liệu", "Sources"),
    ("review.merges", "Các lần hợp nhất", "Merges"),
    ("review.kept", "Hồ sơ giữ lại", "Kept record"),
    ("review.merged", "Hồ sơ đã gộp vào", "Merged record"),
    ("review.merged_at", "Thời điểm", "When"),
    ("review.undone_at", "Đã tách lúc", "Undone at"),
    ("review.unmerge", "Tách lại", "Unmerge"),
    (
        "review.no_merges",
        "Chưa có lần hợp nhất nào.",
        "No merges yet.",
    ),
    (
        "review.shortcuts",
        "Phím tắt: M hợp nhất, R không trùng, S để sau.",
        "Keys: M merge, R not the same, S skip.",
    ),
    ("review.level.missing", "thiếu", "missing"),
    ("review.level.exact", "trùng khớp", "exact"),
    ("review.level.variant", "biến thể", "variant"),
    ("review.level.foreign", "tên nước ngoài", "foreign name"),
    ("review.level.disagree", "khác", "different"),
    (
        "review.level.middle_name_dropped",
        "thiếu tên đệm",
        "middle name dropped",
    ),
    (
        "review.level.middle_name_differs",
        "tên đệm khác",
        "middle name differs",
    ),
    ("review.level.fuzzy", "gần giống", "similar"),
    (
        "review.level.western_given_name",
        "tên phương Tây",
        "western given name",
    ),
    (
        "review.level.day_month_swapped",
        "đảo ngày/tháng",
        "day and month swapped",
    ),
    (
        "review.level.one_part_differs",
        "khác một phần",
        "one part differs",
    ),
    ("field.given_name", "Tên", "Given name"),
    ("field.family_name", "Họ", "Family name"),
    ("field.hometown", "Quê quán", "Hometown"),
    ("field.father_name", "Tên cha", "Father's name"),
    ("field.extra", "Trường bổ sung", "Extra fields"),
    ("field.keep", "Hồ sơ giữ lại", "Record to keep"),
    ("field.decision", "Quyết định", "Decision"),
    ("field.merged_id", "Hồ sơ gộp", "Merged record"),
    ("field.kept_id", "Hồ sơ giữ lại", "Kept record"),
    ("field.merge", "Lần hợp nhất", "Merge"),
    ("field.a_id", "Hồ sơ A", "Record A"),
    ("field.b_id", "Hồ sơ B", "Record B"),
    (
        "field.a_version",
        "Phiên bản hồ sơ A",
        "Version of record A",
    ),
    (
        "field.b_version",
        "Phiên bản hồ sơ B",
        "Version of record B",
    ),
    (
        "code.invalid_choice",
        "Lựa chọn không hợp lệ.",
        "Not a valid choice.",
    ),
    (
        "code.same_record",
        "Không thể gộp một hồ sơ với chính nó.",
        "A record cannot be merged with itself.",
    ),
    (
        "code.record_deleted",
        "Hồ sơ đã bị xóa hoặc đã được gộp.",
        "The record is deleted or already merged.",
    ),
    (
        "code.already_undone",
        "Lần hợp nhất này đã được tách.",
        "This merge was already undone.",
    ),
    (
        "code.pair_merged",
        "Cặp này đã được hợp nhất; hãy tách lại trước.",
        "This pair was merged; unmerge it first.",
    ),
];
