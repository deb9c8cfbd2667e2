//! Petitions and feedback (issue 23 §7) on both sides: the person's pages
//! under `/kieu-bao/petitions` (send one, follow it, read the answer) and
//! the officers' queue under `/portal/petitions` (sorted by the day to
//! answer by; assign, answer, forward to a competent body, close). The
//! answer is e-mailed. Files attached by the sender are downloaded by the
//! sender and by the officers who may read the petition, always as
//! attachments (`Content-Disposition: attachment`, `nosniff`).

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::mail::{Kind, compose};
use super::pages::{PortalLayout, error_lines};
use crate::AppState;
use crate::error::PageError;
use crate::extract::{PortalUser, User};
use crate::i18n::{Lang, Tr};
use crate::pages::{Layout, page_err, render};
use app::portal::calendar;
use app::portal::petitions::{self as pet, FileData, Petition, PetitionFile, Step};

/// A petition as the person or an officer reads it.
pub struct PetitionShown {
    pub id: i64,
    pub number: String,
    pub category: String,
    pub status: String,
    pub status_code: String,
    pub subject: String,
    pub body: String,
    pub received: String,
    pub answer_by: String,
    /// `calm` or `overdue` (a CSS class), and its words.
    pub urgency: &'static str,
    pub urgency_words: String,
    pub assigned_to: String,
    pub answer: String,
    pub answered: String,
    pub open: bool,
    /// Forwarded to (empty: not), the day (dd/mm/yyyy) and the letter's number.
    pub forwarded_to: String,
    pub forwarded_on: String,
    pub forward_number: String,
    /// Escalated to the province as overdue.
    pub escalated: bool,
    pub files: Vec<FileShown>,
}

/// A file attached to a petition as listed.
pub struct FileShown {
    pub id: i64,
    pub name: String,
    /// "1,2 MB", "35 KB".
    pub size: String,
}

fn size_words(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        let tenths = bytes * 10 / (1024 * 1024);
        format!("{},{} MB", tenths / 10, tenths % 10)
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

fn files_shown(files: &[PetitionFile]) -> Vec<FileShown> {
    files
        .iter()
        .map(|f| FileShown {
            id: f.id,
            name: f.name.clone(),
            size: size_words(f.bytes),
        })
        .collect()
}

fn shown(t: Tr, p: &Petition, today: time::Date) -> PetitionShown {
    let overdue = p.is_open() && calendar::parse_iso(&p.answer_by).is_some_and(|d| today > d);
    PetitionShown {
        id: p.id,
        number: p.number.clone(),
        category: t.label("petition_category", &p.category),
        status: t.label("petition_status", &p.status),
        status_code: p.status.clone(),
        subject: p.subject.clone(),
        body: p.body.clone(),
        received: t.time(&p.received_at),
        answer_by: t.day(&p.answer_by),
        urgency: if overdue { "overdue" } else { "calm" },
        urgency_words: if overdue {
            t.s("portal.requests.overdue").to_owned()
        } else {
            String::new()
        },
        assigned_to: p.assigned_to.clone(),
        answer: p.answer.clone(),
        answered: p
            .answered_at
            .as_deref()
            .map(|a| t.time(a))
            .unwrap_or_default(),
        open: p.is_open(),
        forwarded_to: p.forwarded_to.clone(),
        forwarded_on: p
            .forwarded_on
            .as_deref()
            .map(|d| t.day(d))
            .unwrap_or_default(),
        forward_number: p.forward_number.clone(),
        escalated: p.escalated_at.is_some(),
        files: Vec::new(),
    }
}

/// The days to answer per category, in words: "Kiến nghị: 15 ngày làm việc".
fn deadlines(state: &AppState, t: Tr) -> Vec<String> {
    pet::CATEGORIES
        .iter()
        .map(|c| {
            format!(
                "{}: {} {}",
                t.label("petition_category", c),
                pet::days_of(&state.app, c),
                t.s("portal.requests.working_days")
            )
        })
        .collect()
}

#[derive(Template)]
#[template(path = "portal/petitions.html")]
struct MinePage {
    l: PortalLayout,
    t: Tr,
    petitions: Vec<PetitionShown>,
    categories: Vec<(&'static str, String, bool)>,
    subject: String,
    body: String,
    deadlines: Vec<String>,
    errors: Vec<String>,
}

async fn mine_page(
    state: &AppState,
    user: &PortalUser,
    f: &SendForm,
    errors: Vec<String>,
) -> Result<MinePage, PageError> {
    let t = Tr::new(user.lang);
    let list = pet::mine(&state.app, user.account_id)
        .await
        .map_err(page_err(user.lang))?;
    let today = state.app.clock.today();
    Ok(MinePage {
        l: PortalLayout::of(user, "/kieu-bao/petitions"),
        t,
        petitions: list.iter().map(|p| shown(t, p, today)).collect(),
        categories: pet::CATEGORIES
            .iter()
            .map(|c| (*c, t.label("petition_category", c), *c == f.category))
            .collect(),
        subject: f.subject.clone(),
        body: f.body.clone(),
        deadlines: deadlines(state, t),
        errors,
    })
}

/// `GET /kieu-bao/petitions`: the person's petitions and the form.
pub async fn mine(State(state): State<AppState>, user: PortalUser) -> Result<Response, PageError> {
    let empty = SendForm {
        category: String::new(),
        subject: String::new(),
        body: String::new(),
    };
    render(&mine_page(&state, &user, &empty, Vec::new()).await?)
}

#[derive(Deserialize)]
pub struct SendForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
}

/// `POST /kieu-bao/petitions`.
pub async fn send(
    State(state): State<AppState>,
    user: PortalUser,
    Form(f): Form<SendForm>,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    match pet::send(
        &state.app,
        user.account_id,
        user.person_id,
        &user.ip,
        &f.category,
        &f.subject,
        &f.body,
    )
    .await
    {
        Ok(p) => Ok(Redirect::to(&format!("/kieu-bao/petitions/{}", p.id)).into_response()),
        Err(app::AppError::Invalid(errs)) => {
            let lines = error_lines(t, &errs);
            let mut resp = render(&mine_page(&state, &user, &f, lines).await?)?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(page_err(user.lang)(e)),
    }
}

#[derive(Template)]
#[template(path = "portal/petition.html")]
struct OnePage {
    l: PortalLayout,
    t: Tr,
    p: PetitionShown,
    errors: Vec<String>,
    max_size: String,
    /// Sent without an account (followed by its secret link): no files
    /// added, no list to go back to.
    guest: bool,
}

async fn one_page(
    state: &AppState,
    user: &PortalUser,
    id: i64,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let p = pet::own(&state.app, user.account_id, id)
        .await
        .map_err(page_err(user.lang))?;
    let files = pet::files_of(&state.app, id)
        .await
        .map_err(page_err(user.lang))?;
    let mut shown = shown(t, &p, state.app.clock.today());
    shown.files = files_shown(&files);
    render(&OnePage {
        l: PortalLayout::of(user, "/kieu-bao/petitions"),
        t,
        p: shown,
        errors,
        max_size: size_words(state.app.settings.petition_file_max_bytes),
        guest: false,
    })
}

/// `GET /kieu-bao/petitions/{id}`: one of the person's own petitions.
pub async fn one(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    one_page(&state, &user, id, Vec::new()).await
}

/// Reads the `file` part of a multipart form: its name and bytes (`None`
/// when none was sent), or `Err` when the upload broke off.
async fn file_part(form: &mut Multipart) -> Result<Option<(String, Vec<u8>)>, ()> {
    let mut got = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                if field.name() == Some("file") {
                    let name = field.file_name().unwrap_or("").to_owned();
                    let data = field.bytes().await.map_err(|_| ())?;
                    if !data.is_empty() {
                        got = Some((name, data.to_vec()));
                    }
                }
            }
            Ok(None) => return Ok(got),
            Err(_) => return Err(()),
        }
    }
}

/// `POST /kieu-bao/petitions/{id}/files?csrf=` (multipart `file`): a PDF,
/// JPEG or PNG attached to one of the person's own open petitions; a
/// refused file comes back on the petition's page naming the problem.
pub async fn attach(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let result = match file_part(&mut form).await {
        Err(()) => Err(app::AppError::invalid_field(
            "petition_file",
            "upload_broken",
        )),
        Ok(None) => Err(app::AppError::invalid_field("petition_file", "required")),
        Ok(Some((name, data))) => pet::attach(
            &state.app,
            user.account_id,
            user.person_id,
            &user.ip,
            id,
            &name,
            data,
        )
        .await
        .map(|_| ()),
    };
    let (lines, status) = match result {
        Ok(()) => {
            return Ok(Redirect::to(&format!("/kieu-bao/petitions/{id}")).into_response());
        }
        Err(app::AppError::Invalid(errs)) => {
            (error_lines(t, &errs), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(app::AppError::Conflict(why)) => (
            vec![
                t.get(&format!("portal.conflict.{why}"))
                    .unwrap_or_else(|| t.s("error.conflict"))
                    .to_owned(),
            ],
            StatusCode::CONFLICT,
        ),
        Err(e) => return Err(page_err(user.lang)(e)),
    };
    let mut resp = one_page(&state, &user, id, lines).await?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// A file as a download, never shown inline by the browser.
fn download(f: FileData) -> Response {
    let mut resp = f.data.into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&f.media_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&crate::publishing::files::disposition(false, &f.name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

/// `GET /kieu-bao/petitions/{id}/files/{file_id}`: a file of one of the
/// person's own petitions (anyone else's: 404).
pub async fn own_file(
    State(state): State<AppState>,
    user: PortalUser,
    Path((id, file_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let f = pet::own_file(&state.app, user.account_id, id, file_id)
        .await
        .map_err(page_err(user.lang))?;
    Ok(download(f))
}

/// `GET /portal/petitions/{id}/files/{file_id}`: a file of a petition the
/// officer may read (audited).
pub async fn officer_file(
    State(state): State<AppState>,
    user: User,
    Path((id, file_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let f = pet::officer_file(&state.app, &user.actor, id, file_id)
        .await
        .map_err(page_err(user.lang))?;
    Ok(download(f))
}

#[derive(Deserialize, Default, Clone)]
pub struct ForwardForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    note: String,
}

/// `POST /portal/petitions/{id}/forward`: forwarded to a competent body
/// with a letter (Decree 30 layout); the sender is told by e-mail.
pub async fn forward(
    State(state): State<AppState>,
    user: User,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<ForwardForm>,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let input = pet::ForwardInput {
        body: f.body.clone(),
        date: f.date.clone(),
        number: f.number.clone(),
        note: f.note.clone(),
    };
    let (lines, status) = match pet::forward(&state.app, &user.actor, id, &input).await {
        Ok(p) => {
            tell(&state, &headers, &p, Kind::PetitionForwarded).await;
            return Ok(Redirect::to(&format!("/portal/petitions/{id}")).into_response());
        }
        Err(app::AppError::Invalid(errors)) => {
            (error_lines(t, &errors), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(app::AppError::Conflict(why)) => (
            vec![
                t.get(&format!("portal.conflict.{why}"))
                    .unwrap_or_else(|| t.s("error.conflict"))
                    .to_owned(),
            ],
            StatusCode::CONFLICT,
        ),
        Err(e) => return Err(page_err(user.lang)(e)),
    };
    let mut resp = review_page_full(&state, &user, id, String::new(), lines, None, Some(f)).await?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// `GET /portal/petitions/{id}/letter.docx`: the forwarding letter as made.
pub async fn letter(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (bytes, name) = pet::letter(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    Ok(crate::pages::attachment(bytes, crate::pages::DOCX, &name))
}

#[derive(Template)]
#[template(path = "portal/petition_queue.html")]
struct QueuePage {
    l: Layout,
    t: Tr,
    petitions: Vec<PetitionShown>,
    deadlines: Vec<String>,
}

/// `GET /portal/petitions`: petitions to answer within reach, the nearest
/// deadline first.
pub async fn queue(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let list = pet::queue(&state.app, &user.actor)
        .await
        .map_err(page_err(user.lang))?;
    let today = state.app.clock.today();
    let l = Layout::for_user(&user);
    let t = l.t;
    render(&QueuePage {
        t,
        petitions: list.iter().map(|p| shown(t, p, today)).collect(),
        deadlines: deadlines(&state, t),
        l,
    })
}

#[derive(Template)]
#[template(path = "portal/petition_review.html")]
struct ReviewPage {
    l: Layout,
    t: Tr,
    p: PetitionShown,
    answer: String,
    errors: Vec<String>,
    /// The FAQ made of it (issue 24 §5), or the form to make one.
    faq: Option<i64>,
    can_faq: bool,
    faq_question: String,
    faq_answer: String,
    /// The forwarding form as typed.
    fwd: ForwardForm,
}

async fn review_page(
    state: &AppState,
    user: &User,
    id: i64,
    answer: String,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    review_page_with(state, user, id, answer, errors, None).await
}

async fn review_page_with(
    state: &AppState,
    user: &User,
    id: i64,
    answer: String,
    errors: Vec<String>,
    faq_typed: Option<(String, String)>,
) -> Result<Response, PageError> {
    review_page_full(state, user, id, answer, errors, faq_typed, None).await
}

async fn review_page_full(
    state: &AppState,
    user: &User,
    id: i64,
    answer: String,
    errors: Vec<String>,
    faq_typed: Option<(String, String)>,
    fwd: Option<ForwardForm>,
) -> Result<Response, PageError> {
    let p = pet::for_officer(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    let files = pet::files_of(&state.app, id)
        .await
        .map_err(page_err(user.lang))?;
    let faq = app::publishing::faq::of_petition(&state.app, id)
        .await
        .map_err(page_err(user.lang))?;
    let l = Layout::for_user(user);
    let t = l.t;
    let (faq_question, faq_answer) =
        faq_typed.unwrap_or_else(|| (p.subject.clone(), p.answer.clone()));
    render(&ReviewPage {
        t,
        can_faq: faq.is_none()
            && matches!(p.status.as_str(), "answered" | "closed")
            && app::publishing::content::may_propose(&user.actor),
        faq,
        faq_question,
        faq_answer,
        p: {
            let mut shown = shown(t, &p, state.app.clock.today());
            shown.files = files_shown(&files);
            shown
        },
        answer,
        errors,
        fwd: fwd.unwrap_or_default(),
        l,
    })
}

#[derive(Deserialize)]
pub struct FaqForm {
    #[serde(default)]
    question: String,
    #[serde(default)]
    answer: String,
}

/// `POST /portal/petitions/{id}/faq`: a draft FAQ on the editorial desk
/// from an answered petition (issue 24 §5), with the question and answer
/// as the officer rewrote them for the public.
pub async fn make_faq(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<FaqForm>,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let (lines, status) = match app::publishing::faq::from_petition(
        &state.app,
        &user.actor,
        id,
        &f.question,
        &f.answer,
    )
    .await
    {
        Ok(item) => return Ok(Redirect::to(&format!("/content/{}", item.id)).into_response()),
        Err(app::AppError::Invalid(errors)) => {
            (error_lines(t, &errors), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(app::AppError::Conflict(why)) => (
            vec![
                t.get(&format!("portal.conflict.{why}"))
                    .unwrap_or_else(|| t.s("error.conflict"))
                    .to_owned(),
            ],
            StatusCode::CONFLICT,
        ),
        Err(e) => return Err(page_err(user.lang)(e)),
    };
    let mut resp = review_page_with(
        &state,
        &user,
        id,
        String::new(),
        lines,
        Some((f.question, f.answer)),
    )
    .await?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// `GET /portal/petitions/{id}` (the view is audited).
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

/// `POST /portal/petitions/{id}`: `step` = `assign`, `answer` (with
/// `answer`) or `close`.
pub async fn take_step(
    State(state): State<AppState>,
    user: User,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let result = match Step::from_code(&f.step) {
        Some(step) => pet::step(&state.app, &user.actor, id, step, &f.answer)
            .await
            .map(|p| (step, p)),
        None => Err(app::AppError::invalid_field("request_step", "required")),
    };
    match result {
        Ok((step, p)) => {
            if step == Step::Answer {
                tell(&state, &headers, &p, Kind::PetitionAnswered).await;
            }
            Ok(Redirect::to(&format!("/portal/petitions/{id}")).into_response())
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

/// E-mails the answer (or where the petition was forwarded) to the
/// person, in their language.
async fn tell(state: &AppState, headers: &HeaderMap, p: &Petition, kind: Kind) {
    let Ok((email, lang)) = pet::contact(&state.app, p).await else {
        return;
    };
    let t = Tr::new(Lang::from_code(&lang));
    let mut lines = vec![
        format!("{}: {}", t.s("portal.petitions.number"), p.number),
        format!("{}: {}", t.s("portal.petitions.subject"), p.subject),
    ];
    if kind == Kind::PetitionForwarded {
        lines.push(format!(
            "{}: {}",
            t.s("portal.petitions.forwarded_to"),
            p.forwarded_to
        ));
        if let Some(d) = &p.forwarded_on {
            lines.push(format!(
                "{}: {}",
                t.s("portal.petitions.forwarded_on"),
                t.day(d)
            ));
        }
    } else {
        lines.push(format!("{}: {}", t.s("portal.petitions.answer"), p.answer));
    }
    let base = crate::security::expected_origin(state, headers).unwrap_or_default();
    app::mail::send_later(
        &state.app,
        compose(
            &lang,
            kind,
            &email,
            &if p.account_id.is_some() {
                format!("{base}/kieu-bao/petitions/{}", p.id)
            } else {
                // The secret link was e-mailed once; this one asks nothing.
                format!("{base}/gop-y")
            },
            &lines,
        ),
    );
}

// ------------------------------------------------- without an account

#[derive(Template)]
#[template(path = "portal/guest_petition.html")]
struct GuestPage {
    l: PortalLayout,
    t: Tr,
    categories: Vec<(&'static str, String, bool)>,
    email: String,
    subject: String,
    body: String,
    deadlines: Vec<String>,
    errors: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct GuestForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
}

fn guest_page(
    state: &AppState,
    lang: Lang,
    csrf: String,
    f: GuestForm,
    errors: Vec<String>,
) -> GuestPage {
    let l = PortalLayout::anonymous(lang, csrf, "/gop-y");
    let t = l.t;
    GuestPage {
        categories: pet::CATEGORIES
            .iter()
            .map(|c| (*c, t.label("petition_category", c), *c == f.category))
            .collect(),
        email: f.email,
        subject: f.subject,
        body: f.body,
        deadlines: deadlines(state, t),
        errors,
        t,
        l,
    }
}

/// `GET /gop-y`: a petition without an account (the address verified by a link).
pub async fn guest_form(
    State(state): State<AppState>,
    ctx: crate::security::Ctx,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let csrf = super::pages::pre_csrf(&state, &headers);
    let resp = render(&guest_page(
        &state,
        ctx.lang,
        csrf.clone(),
        GuestForm::default(),
        Vec::new(),
    ))?;
    Ok(super::pages::with_pre_session(&state, resp, &csrf))
}

/// `POST /gop-y`: kept until the address is verified; the link goes to it.
pub async fn guest_send(
    State(state): State<AppState>,
    ctx: crate::security::Ctx,
    headers: HeaderMap,
    Form(f): Form<GuestForm>,
) -> Result<Response, PageError> {
    let t = Tr::new(ctx.lang);
    match pet::send_unverified(
        &state.app,
        &f.email,
        ctx.lang.code(),
        &ctx.ip,
        &f.category,
        &f.subject,
        &f.body,
    )
    .await
    {
        Ok(u) => {
            let base = super::pages::origin(&state, &headers);
            app::mail::send_later(
                &state.app,
                compose(
                    &u.lang,
                    Kind::PetitionVerify,
                    &u.email,
                    &format!("{base}/gop-y/xac-nhan?token={}", u.token),
                    &[format!(
                        "{}: {}",
                        t.s("portal.petitions.subject"),
                        f.subject.trim()
                    )],
                ),
            );
            let l = PortalLayout::anonymous(ctx.lang, String::new(), "/gop-y");
            super::pages::notice(
                l,
                "portal.guest.sent_title",
                "portal.guest.sent_text",
                "/",
                "portal.guest.home",
            )
        }
        Err(e) => {
            let (status, errors) = match e {
                app::AppError::Invalid(errs) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, error_lines(t, &errs))
                }
                app::AppError::RateLimited { .. } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    vec![t.s("error.rate_limited").to_owned()],
                ),
                e => return Err(page_err(ctx.lang)(e)),
            };
            let csrf = super::pages::pre_csrf(&state, &headers);
            let mut resp = render(&guest_page(&state, ctx.lang, csrf, f, errors))?;
            *resp.status_mut() = status;
            Ok(resp)
        }
    }
}

#[derive(Template)]
#[template(path = "portal/guest_confirm.html")]
struct GuestConfirmPage {
    l: PortalLayout,
    t: Tr,
    token: String,
}

#[derive(Deserialize, Default)]
pub struct TokenForm {
    #[serde(default)]
    token: String,
}

/// `GET /gop-y/xac-nhan?token=`: a button to verify (a link opened by a
/// mail scanner verifies nothing).
pub async fn guest_confirm_form(
    State(state): State<AppState>,
    ctx: crate::security::Ctx,
    headers: HeaderMap,
    q: Result<axum::extract::Query<TokenForm>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let token = q.map(|axum::extract::Query(q)| q.token).unwrap_or_default();
    let csrf = super::pages::pre_csrf(&state, &headers);
    let l = PortalLayout::anonymous(ctx.lang, csrf.clone(), "/gop-y");
    let resp = render(&GuestConfirmPage { t: l.t, l, token })?;
    Ok(super::pages::with_pre_session(&state, resp, &csrf))
}

/// `POST /gop-y/xac-nhan`: registers the petition and shows it; its number
/// and secret link are e-mailed too.
pub async fn guest_confirm(
    State(state): State<AppState>,
    ctx: crate::security::Ctx,
    headers: HeaderMap,
    Form(f): Form<TokenForm>,
) -> Result<Response, PageError> {
    let (p, follow) = pet::verify(&state.app, &f.token, &ctx.ip)
        .await
        .map_err(page_err(ctx.lang))?;
    let t = Tr::new(Lang::from_code(&p.sender_lang));
    let base = super::pages::origin(&state, &headers);
    let link = format!("{base}/gop-y/theo-doi?token={follow}");
    app::mail::send_later(
        &state.app,
        compose(
            &p.sender_lang,
            Kind::PetitionRegistered,
            &p.sender_email,
            &link,
            &[
                format!("{}: {}", t.s("portal.petitions.number"), p.number),
                format!("{}: {}", t.s("portal.petitions.subject"), p.subject),
                format!(
                    "{}: {}",
                    t.s("portal.petitions.answer_by"),
                    t.day(&p.answer_by)
                ),
            ],
        ),
    );
    Ok(Redirect::to(&format!("/gop-y/theo-doi?token={follow}")).into_response())
}

/// `GET /gop-y/theo-doi?token=`: the petition its secret link follows
/// (anything else: 404).
pub async fn guest_followed(
    State(state): State<AppState>,
    ctx: crate::security::Ctx,
    query: Result<axum::extract::Query<TokenForm>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let token = query
        .map(|axum::extract::Query(form)| form.token)
        .unwrap_or_default();
    let petition = pet::followed(&state.app, &token)
        .await
        .map_err(page_err(ctx.lang))?;
    let files = pet::files_of(&state.app, petition.id)
        .await
        .map_err(page_err(ctx.lang))?;
    let l = PortalLayout::anonymous(ctx.lang, String::new(), "/gop-y");
    let t = l.t;
    let mut shown = shown(t, &petition, state.app.clock.today());
    shown.files = files_shown(&files);
    let mut resp = render(&OnePage {
        l,
        t,
        p: shown,
        errors: Vec::new(),
        max_size: String::new(),
        guest: true,
    })?;
    // A secret in the address: not kept by caches, not sent on as a referrer.
    let h = resp.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(resp)
}

// ---------------------------------------------------------------- report

/// A report line in words.
pub struct LineShown {
    pub name: String,
    pub total: i64,
    pub handled: i64,
    pub on_time: i64,
    /// "87 %" (empty: none handled).
    pub rate: String,
}

fn lines_shown(t: Tr, kind: &str, lines: &[pet::ReportLine]) -> Vec<LineShown> {
    lines
        .iter()
        .map(|l| LineShown {
            name: match kind {
                "country" if l.key.is_empty() => t.s("portal.report.no_country").to_owned(),
                _ => t.label(kind, &l.key),
            },
            total: l.total,
            handled: l.handled,
            on_time: l.on_time,
            rate: l
                .on_time_percent()
                .map(|p| format!("{p} %"))
                .unwrap_or_default(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "portal/petition_report.html")]
struct ReportPage {
    l: Layout,
    t: Tr,
    /// (title, lines) per table.
    tables: Vec<(String, Vec<LineShown>)>,
    total: LineShown,
}

fn report_tables(t: Tr, r: &pet::Report) -> (Vec<(String, Vec<LineShown>)>, LineShown) {
    let tables = vec![
        (
            t.s("portal.report.by_category").to_owned(),
            lines_shown(t, "petition_category", &r.by_category),
        ),
        (
            t.s("portal.report.by_country").to_owned(),
            lines_shown(t, "country", &r.by_country),
        ),
        (
            t.s("portal.report.by_status").to_owned(),
            lines_shown(t, "petition_status", &r.by_status),
        ),
    ];
    let mut total = lines_shown(t, "", std::slice::from_ref(&r.total))
        .pop()
        .unwrap_or(LineShown {
            name: String::new(),
            total: 0,
            handled: 0,
            on_time: 0,
            rate: String::new(),
        });
    t.s("portal.report.total").clone_into(&mut total.name);
    (tables, total)
}

/// `GET /portal/petitions/report`: petitions by category, country and
/// state, with the share answered on time, within jurisdiction.
pub async fn report(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let r = pet::report(&state.app, &user.actor)
        .await
        .map_err(page_err(user.lang))?;
    let l = Layout::for_user(&user);
    let t = l.t;
    let (tables, total) = report_tables(t, &r);
    render(&ReportPage {
        l,
        t,
        tables,
        total,
    })
}

/// `GET /portal/petitions/report.xlsx`: the same tables, one sheet.
pub async fn report_xlsx(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let r = pet::report(&state.app, &user.actor)
        .await
        .map_err(page_err(user.lang))?;
    let t = Tr::new(user.lang);
    let (tables, total) = report_tables(t, &r);
    let bytes = write_report(t, &tables, &total).map_err(page_err(user.lang))?;
    Ok(crate::pages::attachment(
        bytes,
        crate::pages::XLSX,
        "bao-cao-kien-nghi.xlsx",
    ))
}

fn write_report(
    t: Tr,
    tables: &[(String, Vec<LineShown>)],
    total: &LineShown,
) -> app::AppResult<Vec<u8>> {
    let heads = [
        t.s("portal.report.group"),
        t.s("portal.report.count"),
        t.s("portal.report.handled"),
        t.s("portal.report.on_time"),
        t.s("portal.report.rate"),
    ];
    let line = |l: &LineShown| {
        (
            l.name.clone(),
            l.total,
            l.handled,
            l.on_time,
            l.rate.clone(),
        )
    };
    let tables: Vec<pet::XlsxTable> = tables
        .iter()
        .map(|(title, lines)| {
            (
                title.clone(),
                lines
                    .iter()
                    .chain(std::iter::once(total))
                    .map(line)
                    .collect(),
            )
        })
        .collect();
    pet::report_xlsx(t.s("portal.report.sheet"), &heads, &tables)
}
