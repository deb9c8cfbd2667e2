//! Data-subject requests (issue 23 §5) on both sides: the person's pages
//! under `/kieu-bao/requests` (open one, follow it, download their data
//! once an access request is done) and the officers' queue under
//! `/portal/requests` (sorted by deadline, overdue first), where each step
//! is taken and the person is told by e-mail.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::mail::{Kind, compose};
use super::pages::{PortalLayout, error_lines};
use crate::AppState;
use crate::error::PageError;
use crate::extract::{PortalUser, User};
use crate::i18n::{Lang, Tr};
use crate::pages::{Layout, PDF, attachment, page_err, render};
use app::portal::calendar::{self, LEGAL_REFERENCE};
use app::portal::requests::{self as dsr, DataRequest, Step, Urgency};

/// A request as a person or an officer reads it.
pub struct RequestShown {
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub kind_code: String,
    pub status: String,
    pub status_code: String,
    pub details: String,
    pub person_name: String,
    pub received: String,
    pub acknowledge_by: String,
    pub complete_by: String,
    /// The deadline that applies now, `dd/mm/yyyy` (empty once closed).
    pub due: String,
    /// `calm`, `near` or `overdue` (a CSS class), and its words.
    pub urgency: &'static str,
    pub urgency_words: String,
    pub acknowledged: String,
    pub closed: String,
    pub answer: String,
    pub open: bool,
    pub refused: bool,
    pub downloadable: bool,
}

fn shown(
    t: Tr,
    r: &DataRequest,
    today: time::Date,
    holidays: &std::collections::BTreeSet<time::Date>,
) -> RequestShown {
    let (urgency, words) = match r.urgency(today, holidays) {
        Urgency::Overdue => ("overdue", t.s("portal.requests.overdue")),
        Urgency::Near => ("near", t.s("portal.requests.near")),
        Urgency::Calm => ("calm", ""),
    };
    RequestShown {
        id: r.id,
        number: r.number.clone(),
        // A withdrawal the system opened names the consent withdrawn.
        kind: if r.purpose.is_empty() {
            t.label("request_kind", &r.kind)
        } else {
            format!(
                "{} — {}",
                t.label("request_kind", &r.kind),
                t.label("purpose", &r.purpose)
            )
        },
        kind_code: r.kind.clone(),
        status: t.label("request_status", &r.status),
        status_code: r.status.clone(),
        details: if r.purpose.is_empty() {
            r.details.clone()
        } else {
            format!(
                "{} {}: {}.",
                t.s("portal.requests.automatic"),
                t.s("portal.requests.purpose"),
                t.label("purpose", &r.purpose)
            )
        },
        person_name: r.person_name.clone(),
        received: t.time(&r.received_at),
        acknowledge_by: t.day(&r.acknowledge_by),
        complete_by: t.day(&r.complete_by),
        due: r.next_deadline().map(|d| t.day(d)).unwrap_or_default(),
        urgency,
        urgency_words: words.to_owned(),
        acknowledged: r
            .acknowledged_at
            .as_deref()
            .map(|a| t.time(a))
            .unwrap_or_default(),
        closed: r
            .closed_at
            .as_deref()
            .map(|a| t.time(a))
            .unwrap_or_default(),
        answer: r.answer.clone(),
        open: r.is_open(),
        refused: r.status == "refused",
        downloadable: r.kind == "access" && r.status == "done",
    }
}

/// The deadlines as the pages state them: "2 ngày làm việc".
fn deadline_words(state: &AppState, t: Tr) -> (String, String) {
    let days = t.s("portal.requests.working_days");
    (
        format!("{} {days}", state.app.settings.request_acknowledge_days),
        format!("{} {days}", state.app.settings.request_complete_days),
    )
}

// ---------------------------------------------------------------- the person's

#[derive(Template)]
#[template(path = "portal/requests.html")]
struct MinePage {
    l: PortalLayout,
    t: Tr,
    linked: bool,
    requests: Vec<RequestShown>,
    kinds: Vec<(&'static str, String, String, bool)>,
    details: String,
    acknowledge_within: String,
    complete_within: String,
    legal: &'static str,
    errors: Vec<String>,
}

async fn mine_page(
    state: &AppState,
    user: &PortalUser,
    kind: &str,
    details: String,
    errors: Vec<String>,
) -> Result<MinePage, PageError> {
    let t = Tr::new(user.lang);
    let list = dsr::mine(&state.app, user.account_id)
        .await
        .map_err(page_err(user.lang))?;
    let holidays = calendar::days_off(&state.app)
        .await
        .map_err(page_err(user.lang))?;
    let today = state.app.clock.today();
    let (acknowledge_within, complete_within) = deadline_words(state, t);
    Ok(MinePage {
        l: PortalLayout::of(user, "/kieu-bao/requests"),
        t,
        linked: user.person_id.is_some(),
        requests: list.iter().map(|r| shown(t, r, today, &holidays)).collect(),
        kinds: dsr::KINDS
            .iter()
            .map(|k| {
                (
                    *k,
                    t.label("request_kind", k),
                    t.get(&format!("portal.requests.about.{k}"))
                        .unwrap_or_default()
                        .to_owned(),
                    *k == kind,
                )
            })
            .collect(),
        details,
        acknowledge_within,
        complete_within,
        legal: LEGAL_REFERENCE,
        errors,
    })
}

/// `GET /kieu-bao/requests`: the person's requests and the form to open one.
pub async fn mine(State(state): State<AppState>, user: PortalUser) -> Result<Response, PageError> {
    render(&mine_page(&state, &user, "", String::new(), Vec::new()).await?)
}

#[derive(Deserialize)]
pub struct OpenForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    details: String,
}

/// `POST /kieu-bao/requests`: opens a request on the person's own record.
pub async fn open(
    State(state): State<AppState>,
    user: PortalUser,
    Form(f): Form<OpenForm>,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let Some(pid) = user.person_id else {
        return Ok(Redirect::to("/kieu-bao/record").into_response());
    };
    let result = dsr::open(
        &state.app,
        user.account_id,
        pid,
        &user.ip,
        &f.kind,
        &f.details,
    )
    .await;
    let (status, errors) = match result {
        Ok(r) => return Ok(Redirect::to(&format!("/kieu-bao/requests/{}", r.id)).into_response()),
        Err(app::AppError::Invalid(errs)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, error_lines(t, &errs))
        }
        Err(app::AppError::Conflict(why)) => (
            StatusCode::CONFLICT,
            vec![
                t.get(&format!("portal.conflict.{why}"))
                    .unwrap_or_else(|| t.s("error.conflict"))
                    .to_owned(),
            ],
        ),
        Err(e) => return Err(page_err(user.lang)(e)),
    };
    let mut resp = render(&mine_page(&state, &user, &f.kind, f.details, errors).await?)?;
    *resp.status_mut() = status;
    Ok(resp)
}

#[derive(Template)]
#[template(path = "portal/request.html")]
struct OnePage {
    l: PortalLayout,
    t: Tr,
    r: RequestShown,
    legal: &'static str,
}

/// `GET /kieu-bao/requests/{id}`: one of the person's own requests.
pub async fn one(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let err = page_err(user.lang);
    let r = dsr::own(&state.app, user.account_id, id)
        .await
        .map_err(&err)?;
    let holidays = calendar::days_off(&state.app).await.map_err(&err)?;
    render(&OnePage {
        l: PortalLayout::of(&user, "/kieu-bao/requests"),
        t,
        r: shown(t, &r, state.app.clock.today(), &holidays),
        legal: LEGAL_REFERENCE,
    })
}

/// `GET /kieu-bao/requests/{id}/data.json`: the person's data (a done
/// access request of their own; anything else is not found).
pub async fn data_json(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let data = dsr::own_data(&state.app, user.account_id, id, &user.ip)
        .await
        .map_err(page_err(user.lang))?;
    let body = serde_json::to_vec_pretty(&data)
        .map_err(|e| page_err(user.lang)(app::AppError::Unexpected(e.into())))?;
    Ok(attachment(
        body,
        "application/json",
        &format!("{}.json", data.number),
    ))
}

/// `GET /kieu-bao/requests/{id}/data.pdf`: the same, readable (the layout
/// of the province's official documents).
pub async fn data_pdf(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let err = page_err(user.lang);
    let data = dsr::own_data(&state.app, user.account_id, id, &user.ip)
        .await
        .map_err(&err)?;
    let t = Tr::new(user.lang);
    let bytes = own_data_pdf(&state, t, &data).map_err(&err)?;
    Ok(attachment(bytes, PDF, &format!("{}.pdf", data.number)))
}

fn own_data_pdf(state: &AppState, t: Tr, d: &dsr::OwnData) -> app::AppResult<Vec<u8>> {
    use app::stats::export::{DocTable, ExportContext};
    let province = state.app.settings.home_province.clone();
    let ctx = ExportContext {
        title: t.s("portal.data.title").to_owned(),
        authority: format!("UBND TỈNH {}", province.to_uppercase()),
        body: "SỞ NGOẠI VỤ".to_owned(),
        place: province,
        date: app::clock::today(),
        scope: String::new(),
        en: t.lang == Lang::En,
        number: String::new(),
        recipient: String::new(),
        narrative: format!(
            "{} {} · {}",
            t.s("portal.data.intro"),
            d.number,
            t.time(&d.generated_at)
        ),
    };
    let two = |a: &str, b: &str| vec![t.s(a).to_owned(), t.s(b).to_owned()];
    let record = DocTable {
        caption: t.s("portal.data.record").to_owned(),
        head: two("portal.diff.field", "portal.data.value"),
        rows: d
            .record
            .iter()
            .map(|(f, v)| vec![t.field(f), t.value(f, v)])
            .collect(),
        right_from: 99,
        total: None,
    };
    let relatives = DocTable {
        caption: t.s("portal.record.relatives").to_owned(),
        head: vec![
            t.s("field.full_name").to_owned(),
            t.field("relationship"),
            t.field("birth_year"),
        ],
        rows: d
            .relatives
            .iter()
            .map(|(n, r, y)| {
                vec![
                    n.clone(),
                    t.label("relationship", r),
                    y.map(|y| y.to_string()).unwrap_or_default(),
                ]
            })
            .collect(),
        right_from: 99,
        total: None,
    };
    let consents = DocTable {
        caption: t.s("portal.consents.history").to_owned(),
        head: vec![
            t.s("portal.consents.when").to_owned(),
            t.s("portal.consents.purpose").to_owned(),
            t.s("portal.consents.action").to_owned(),
            t.s("portal.consents.version").to_owned(),
        ],
        rows: d
            .consents
            .iter()
            .map(|(p, a, at, v)| {
                vec![
                    t.time(at),
                    t.label("purpose", p),
                    t.label("consent_action", a),
                    t.day(v),
                ]
            })
            .collect(),
        right_from: 99,
        total: None,
    };
    let corrections = DocTable {
        caption: t.s("portal.record.changes").to_owned(),
        head: vec![
            t.s("portal.queue.sent").to_owned(),
            t.s("portal.diff.field").to_owned(),
            t.s("portal.diff.after").to_owned(),
            t.s("portal.diff.decision").to_owned(),
        ],
        rows: d
            .corrections
            .iter()
            .flat_map(|c| {
                c.fields.iter().map(|f| {
                    vec![
                        t.time(&c.created_at),
                        t.field(&f.field),
                        t.value(&f.field, &f.new_value),
                        t.label("decision", &f.decision),
                    ]
                })
            })
            .collect(),
        right_from: 99,
        total: None,
    };
    let requests = DocTable {
        caption: t.s("portal.requests.title").to_owned(),
        head: vec![
            t.s("portal.requests.number").to_owned(),
            t.s("portal.requests.kind").to_owned(),
            t.s("portal.requests.received").to_owned(),
            t.s("portal.requests.status").to_owned(),
        ],
        rows: d
            .requests
            .iter()
            .map(|r| {
                vec![
                    r.number.clone(),
                    t.label("request_kind", &r.kind),
                    t.time(&r.received_at),
                    t.label("request_status", &r.status),
                ]
            })
            .collect(),
        right_from: 99,
        total: None,
    };
    let tables: Vec<DocTable> = [record, relatives, consents, corrections, requests]
        .into_iter()
        .filter(|t| !t.rows.is_empty())
        .collect();
    app::stats::pdf::official_pdf(
        &ctx,
        t.s("portal.data.kind"),
        LEGAL_REFERENCE,
        &tables,
        &[t.s("portal.data.note").to_owned()],
    )
}

// ---------------------------------------------------------------- the officers'

#[derive(Template)]
#[template(path = "portal/request_queue.html")]
struct QueuePage {
    l: Layout,
    t: Tr,
    requests: Vec<RequestShown>,
    acknowledge_within: String,
    complete_within: String,
    legal: &'static str,
}

/// `GET /portal/requests`: open requests within jurisdiction, the nearest
/// deadline first; overdue ones stand out.
pub async fn queue(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let err = page_err(user.lang);
    let list = dsr::queue(&state.app, &user.actor).await.map_err(&err)?;
    let holidays = calendar::days_off(&state.app).await.map_err(&err)?;
    let today = state.app.clock.today();
    let l = Layout::for_user(&user);
    let t = l.t;
    let (acknowledge_within, complete_within) = deadline_words(&state, t);
    render(&QueuePage {
        t,
        requests: list.iter().map(|r| shown(t, r, today, &holidays)).collect(),
        acknowledge_within,
        complete_within,
        legal: LEGAL_REFERENCE,
        l,
    })
}

#[derive(Template)]
#[template(path = "portal/request_review.html")]
struct ReviewPage {
    l: Layout,
    t: Tr,
    r: RequestShown,
    person_id: i64,
    received: bool,
    answer: String,
    errors: Vec<String>,
    legal: &'static str,
}

async fn review_page(
    state: &AppState,
    user: &User,
    id: i64,
    answer: String,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let err = page_err(user.lang);
    let r = dsr::for_officer(&state.app, &user.actor, id)
        .await
        .map_err(&err)?;
    let holidays = calendar::days_off(&state.app).await.map_err(&err)?;
    let l = Layout::for_user(user);
    let t = l.t;
    render(&ReviewPage {
        t,
        r: shown(t, &r, state.app.clock.today(), &holidays),
        person_id: r.person_id,
        received: r.status == "received",
        answer,
        errors,
        legal: LEGAL_REFERENCE,
        l,
    })
}

/// `GET /portal/requests/{id}` (the view is audited).
pub async fn review(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    review_page(&state, &user, id, String::new(), Vec::new()).await
}

#[derive(Deserialize)]
pub struct StepForm {
    #[serde(default)]
    step: String,
    #[serde(default)]
    answer: String,
}

/// `POST /portal/requests/{id}`: `step` = `acknowledge`, `start`,
/// `complete` or `refuse` (with `answer`, required to refuse).
pub async fn take_step(
    State(state): State<AppState>,
    user: User,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let Some(step) = Step::from_code(&f.step) else {
        let lines = error_lines(t, &[app::FieldError::new("request_step", "required")]);
        let mut resp = review_page(&state, &user, id, f.answer, lines).await?;
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(resp);
    };
    match dsr::step(&state.app, &user.actor, id, step, &f.answer).await {
        Ok(r) => {
            tell(&state, &headers, &r, step).await;
            Ok(Redirect::to(&format!("/portal/requests/{id}")).into_response())
        }
        Err(app::AppError::Invalid(errors)) => {
            let lines = error_lines(t, &errors);
            let mut resp = review_page(&state, &user, id, f.answer, lines).await?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(app::AppError::Conflict(why)) => {
            let line = t
                .get(&format!("portal.conflict.{why}"))
                .unwrap_or_else(|| t.s("error.conflict"))
                .to_owned();
            let mut resp = review_page(&state, &user, id, f.answer, vec![line]).await?;
            *resp.status_mut() = StatusCode::CONFLICT;
            Ok(resp)
        }
        Err(e) => Err(page_err(user.lang)(e)),
    }
}

/// E-mails the person on acknowledgement and on completion or refusal
/// (in their language, with the answer).
async fn tell(state: &AppState, headers: &HeaderMap, r: &DataRequest, step: Step) {
    let kind = match step {
        Step::Acknowledge => Kind::RequestAcknowledged,
        Step::Complete | Step::Refuse => Kind::RequestClosed,
        Step::Start => return,
    };
    let Ok((email, lang)) = app::portal::accounts::contact(&state.app, r.account_id).await else {
        return;
    };
    let t = Tr::new(Lang::from_code(&lang));
    let mut lines = vec![
        format!("{}: {}", t.s("portal.requests.number"), r.number),
        format!(
            "{}: {}",
            t.s("portal.requests.kind"),
            t.label("request_kind", &r.kind)
        ),
        format!(
            "{}: {}",
            t.s("portal.requests.status"),
            t.label("request_status", &r.status)
        ),
    ];
    if step == Step::Acknowledge {
        lines.push(format!(
            "{}: {}",
            t.s("portal.requests.complete_by"),
            t.day(&r.complete_by)
        ));
    }
    if !r.answer.is_empty() {
        lines.push(format!("{}: {}", t.s("portal.requests.answer"), r.answer));
    }
    let base = crate::security::expected_origin(state, headers).unwrap_or_default();
    app::mail::send_later(
        &state.app,
        compose(
            &lang,
            kind,
            &email,
            &format!("{base}/kieu-bao/requests/{}", r.id),
            &lines,
        ),
    );
}
