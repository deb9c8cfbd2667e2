//! Newsletters (issue 24 §8): the desk's pages (`/content/newsletters`:
//! write a digest of published items, see who it would reach, send it,
//! follow its progress and failures), the JSON API (`/api/v1/newsletters`),
//! the message itself in the newsletter's language, and the unsubscribe
//! link's page (`/kieu-bao/unsubscribe/{token}`, no sign-in). The rules
//! (who may write and send, consent, pacing) are
//! `app::publishing::newsletters`'s.

use app::AppError;
use app::publishing::newsletters::{
    self, Bodies, Failure, Newsletter, NewsletterInput, TOKEN_PLACEHOLDER,
};
use app::publishing::public::{self, Card};
use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::error::{ApiError, PageError};
use crate::extract::{ApiUser, User, parse_input};
use crate::i18n::{Lang, Tr};
use crate::pages::{Layout, page_err, render};
use crate::portal::pages::{PortalLayout, origin, pre_csrf, with_pre_session};
use crate::registry::api::{created, require_if_match, with_etag};
use crate::security::Ctx;

/// A field's problem as a line: "Tiêu đề thư: Bắt buộc nhập".
fn error_lines(t: Tr, errors: &[app::FieldError]) -> Vec<String> {
    errors
        .iter()
        .map(|e| {
            let field = t
                .get(&format!("newsletter.field.{}", e.field))
                .map_or_else(|| t.field(&e.field), str::to_owned);
            let code = t
                .get(&format!("code.{}", e.code))
                .unwrap_or(e.code.as_str());
            format!("{field}: {code}")
        })
        .collect()
}

// ---------------------------------------------------------------- the message

#[derive(Template)]
#[template(path = "publishing/newsletter_mail.html")]
struct MailHtml<'a> {
    t: Tr,
    subject: &'a str,
    intro: &'a [String],
    items: &'a [(String, String, String)],
    unsubscribe: &'a str,
    site: &'a str,
}

#[derive(Template)]
#[template(path = "publishing/newsletter_mail.txt")]
struct MailText<'a> {
    t: Tr,
    subject: &'a str,
    intro: &'a [String],
    items: &'a [(String, String, String)],
    unsubscribe: &'a str,
    site: &'a str,
}

/// The message of a newsletter in its language: the introduction, each
/// item's title, summary and absolute link, and the unsubscribe link with
/// the placeholder each recipient's token replaces.
pub fn bodies(n: &Newsletter, cards: &[Card], base: &str) -> Bodies {
    let t = Tr::new(Lang::from_code(&n.lang));
    let base = base.trim_end_matches('/');
    let intro = paragraphs(&n.intro);
    let items: Vec<(String, String, String)> = cards
        .iter()
        .map(|c| {
            (
                c.title.clone(),
                c.summary.clone(),
                format!("{base}{}", c.url),
            )
        })
        .collect();
    let unsubscribe = format!("{base}/kieu-bao/unsubscribe/{TOKEN_PLACEHOLDER}");
    let site = format!("{base}{}", if n.lang == "en" { "/en" } else { "/" });
    let html = MailHtml {
        t,
        subject: &n.subject,
        intro: &intro,
        items: &items,
        unsubscribe: &unsubscribe,
        site: &site,
    }
    .render()
    .unwrap_or_default();
    let text = MailText {
        t,
        subject: &n.subject,
        intro: &intro,
        items: &items,
        unsubscribe: &unsubscribe,
        site: &site,
    }
    .render()
    .unwrap_or_default();
    Bodies { text, html }
}

/// Starts sending with the message written in the newsletter's language.
async fn start(
    state: &AppState,
    actor: &app::Actor,
    headers: &HeaderMap,
    id: i64,
    version: i64,
) -> app::AppResult<Newsletter> {
    let n = newsletters::get(&state.app, actor, id).await?;
    let cards = public::cards(&state.app, &n.items, &n.lang).await?;
    let b = bodies(&n, &cards, &origin(state, headers));
    newsletters::start(&state.app, actor, id, version, &b).await
}

// ---------------------------------------------------------------- pages

/// An item that can go in a digest: published, with its title in the
/// desk's language and whether it has an English text.
struct Choice {
    id: i64,
    title: String,
    kind: String,
    date: String,
    english: bool,
    checked: bool,
}

struct RowView {
    id: i64,
    subject: String,
    lang: String,
    state: String,
    when: String,
    progress: String,
}

#[derive(Template)]
#[template(path = "publishing/desk/newsletters.html")]
struct ListPage {
    l: Layout,
    t: Tr,
    rows: Vec<RowView>,
    choices: Vec<Choice>,
    f: NewForm,
    langs: Vec<(String, String, bool)>,
    audience_vi: i64,
    audience_en: i64,
    errors: Vec<String>,
}

/// The form of a new newsletter, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewForm {
    lang: String,
    subject: String,
    intro: String,
    /// `item=3&item=7`: read from the raw body (repeated keys).
    #[serde(skip)]
    items: Vec<i64>,
}

fn progress_words(t: Tr, n: &Newsletter) -> String {
    let p = &n.progress;
    match n.state.as_str() {
        "draft" => String::new(),
        _ => format!(
            "{} {}/{} · {} {} · {} {}",
            t.s("newsletter.sent_count"),
            p.sent,
            p.total,
            t.s("newsletter.failed_count"),
            p.failed,
            t.s("newsletter.skipped_count"),
            p.skipped
        ),
    }
}

async fn choices(state: &AppState, t: Tr, picked: &[i64]) -> app::AppResult<Vec<Choice>> {
    let mut out = Vec::new();
    for kind in ["news", "policy", "procedure", "legal_document", "faq"] {
        // The same items in English (its title when written, and whether it is).
        let en: std::collections::HashMap<i64, Card> =
            public::latest(&state.app, kind, "en", 15, false)
                .await?
                .into_iter()
                .map(|c| (c.id, c))
                .collect();
        for vi in public::latest(&state.app, kind, "vi", 15, false).await? {
            let en = en.get(&vi.id).filter(|c| c.translated);
            out.push(Choice {
                id: vi.id,
                title: match en {
                    Some(c) if t.lang == Lang::En => c.title.clone(),
                    _ => vi.title.clone(),
                },
                kind: t.label("content_kind", kind),
                date: t.day(&vi.published_at),
                english: en.is_some(),
                checked: picked.contains(&vi.id),
            });
        }
    }
    Ok(out)
}

/// An introduction's paragraphs (separated by an empty line).
fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

async fn list_page(
    state: &AppState,
    user: &User,
    f: NewForm,
    errors: Vec<String>,
) -> Result<ListPage, PageError> {
    let lang = user.lang;
    let l = Layout::for_user(user);
    let t = l.t;
    let err = page_err(lang);
    let rows = newsletters::list(&state.app, &user.actor)
        .await
        .map_err(&err)?
        .iter()
        .map(|n| RowView {
            id: n.id,
            subject: n.subject.clone(),
            lang: t.s(&format!("newsletter.lang.{}", n.lang)).to_owned(),
            state: t.s(&format!("newsletter.state.{}", n.state)).to_owned(),
            when: t.time(
                n.finished_at
                    .as_deref()
                    .or(n.started_at.as_deref())
                    .unwrap_or(&n.created_at),
            ),
            progress: progress_words(t, n),
        })
        .collect();
    let choices = choices(state, t, &f.items).await.map_err(&err)?;
    let chosen = if f.lang.is_empty() {
        "vi"
    } else {
        f.lang.as_str()
    };
    let langs = ["vi", "en"]
        .iter()
        .map(|c| {
            (
                (*c).to_owned(),
                t.s(&format!("newsletter.lang.{c}")).to_owned(),
                *c == chosen,
            )
        })
        .collect();
    let audience_vi = newsletters::audience(&state.app, &user.actor, "vi")
        .await
        .map_err(&err)?;
    let audience_en = newsletters::audience(&state.app, &user.actor, "en")
        .await
        .map_err(&err)?;
    Ok(ListPage {
        l,
        t,
        rows,
        choices,
        f,
        langs,
        audience_vi,
        audience_en,
        errors,
    })
}

/// `GET /content/newsletters`: the newsletters and a new one's form.
pub async fn list(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let page = list_page(&state, &user, NewForm::default(), Vec::new()).await?;
    render(&page)
}

/// The form's fields from its body (`item` repeats).
fn read_form(body: &[u8]) -> NewForm {
    let mut f = NewForm::default();
    for (k, v) in form_urlencoded::parse(body) {
        match k.as_ref() {
            "lang" => f.lang = v.into_owned(),
            "subject" => f.subject = v.into_owned(),
            "intro" => f.intro = v.into_owned(),
            "item" => {
                if let Ok(id) = v.trim().parse() {
                    f.items.push(id);
                }
            }
            _ => {}
        }
    }
    f
}

/// `POST /content/newsletters`: writes a newsletter (a draft); on a
/// problem the form comes back with what was typed.
pub async fn create(
    State(state): State<AppState>,
    user: User,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = read_form(&body);
    let input = NewsletterInput {
        lang: Some(f.lang.clone()),
        subject: Some(f.subject.clone()),
        intro: Some(f.intro.clone()),
        items: f.items.clone(),
    };
    match newsletters::create(&state.app, &user.actor, &input).await {
        Ok(n) => Ok(Redirect::to(&format!("/content/newsletters/{}", n.id)).into_response()),
        Err(AppError::Invalid(errs)) => {
            let lines = error_lines(Tr::new(user.lang), &errs);
            let page = list_page(&state, &user, f, lines).await?;
            let mut resp = render(&page)?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(err) => Err(PageError {
            err,
            lang: user.lang,
        }),
    }
}

struct FailureView {
    email: String,
    error: String,
    attempts: i64,
    at: String,
}

#[derive(Template)]
#[template(path = "publishing/desk/newsletter.html")]
struct ShowPage {
    l: Layout,
    t: Tr,
    n: Newsletter,
    lang: String,
    state_words: String,
    created: String,
    started: String,
    finished: String,
    items: Vec<(String, String)>,
    intro: Vec<String>,
    audience: i64,
    can_send: bool,
    failures: Vec<FailureView>,
    errors: Vec<String>,
}

async fn show_page(
    state: &AppState,
    user: &User,
    id: i64,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let err = page_err(user.lang);
    let l = Layout::for_user(user);
    let t = l.t;
    let n = newsletters::get(&state.app, &user.actor, id)
        .await
        .map_err(&err)?;
    let cards = public::cards(&state.app, &n.items, &n.lang)
        .await
        .map_err(&err)?;
    let failures = newsletters::failures(&state.app, &user.actor, id)
        .await
        .map_err(&err)?
        .into_iter()
        .map(|f: Failure| FailureView {
            email: f.email,
            error: f.error,
            attempts: f.attempts,
            at: f.at.as_deref().map(|a| t.time(a)).unwrap_or_default(),
        })
        .collect();
    let audience = newsletters::audience(&state.app, &user.actor, &n.lang)
        .await
        .map_err(&err)?;
    let can_send = n.state == "draft"
        && app::access::authorize(&user.actor, app::access::Action::ContentPublish).is_ok();
    let page = ShowPage {
        lang: t.s(&format!("newsletter.lang.{}", n.lang)).to_owned(),
        state_words: t.s(&format!("newsletter.state.{}", n.state)).to_owned(),
        created: format!("{} · {}", t.time(&n.created_at), n.created_by),
        started: n
            .started_at
            .as_deref()
            .map(|s| format!("{} · {}", t.time(s), n.started_by))
            .unwrap_or_default(),
        finished: n
            .finished_at
            .as_deref()
            .map(|s| t.time(s))
            .unwrap_or_default(),
        items: cards
            .iter()
            .map(|c| (c.title.clone(), c.url.clone()))
            .collect(),
        intro: paragraphs(&n.intro),
        audience,
        can_send,
        failures,
        errors,
        n,
        l,
        t,
    };
    render(&page)
}

/// `GET /content/newsletters/{id}`: a newsletter, its progress and failures.
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    show_page(&state, &user, id, Vec::new()).await
}

/// The send form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SendForm {
    version: String,
}

/// `POST /content/newsletters/{id}/send`: starts sending (publishers and
/// province officers).
pub async fn send(
    State(state): State<AppState>,
    user: User,
    headers: HeaderMap,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<SendForm>,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let version = f.version.trim().parse::<i64>().unwrap_or(-1);
    let (lines, status) = match start(&state, &user.actor, &headers, id, version).await {
        Ok(_) => return Ok(Redirect::to(&format!("/content/newsletters/{id}")).into_response()),
        Err(AppError::PreconditionFailed { .. } | AppError::Conflict(_)) => (
            vec![t.s("newsletter.stale").to_owned()],
            StatusCode::CONFLICT,
        ),
        Err(err) => {
            return Err(PageError {
                err,
                lang: user.lang,
            });
        }
    };
    let mut resp = show_page(&state, &user, id, lines).await?;
    *resp.status_mut() = status;
    Ok(resp)
}

// ---------------------------------------------------------------- unsubscribe

#[derive(Template)]
#[template(path = "portal/unsubscribe.html")]
struct UnsubscribePage {
    l: PortalLayout,
    t: Tr,
    token: String,
    subscribed: bool,
    done: bool,
}

/// `GET /kieu-bao/unsubscribe/{token}`: the link in every newsletter; one
/// button withdraws the consent to news, without signing in.
pub async fn unsubscribe_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let (lang, subscribed) = newsletters::unsubscribe_target(&state.app, &token)
        .await
        .map_err(page_err(ctx.lang))?;
    // A person signed in to the portal in this browser posts with their
    // session's token (the middleware expects it); anyone else with the
    // pre-session cookie's.
    let csrf = ctx
        .portal
        .as_ref()
        .map_or_else(|| pre_csrf(&state, &headers), |p| p.csrf.clone());
    let l = PortalLayout::anonymous(Lang::from_code(&lang), csrf.clone(), "/kieu-bao");
    let resp = render(&UnsubscribePage {
        t: l.t,
        l,
        token,
        subscribed,
        done: false,
    })?;
    Ok(with_pre_session(&state, resp, &csrf))
}

/// `POST /kieu-bao/unsubscribe/{token}`: withdraws the consent to news
/// (recorded as a consent act; saying it twice changes nothing).
pub async fn unsubscribe(
    State(state): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let lang = newsletters::unsubscribe(&state.app, &token, &ctx.ip)
        .await
        .map_err(page_err(ctx.lang))?;
    // A person signed in to the portal in this browser posts with their
    // session's token (the middleware expects it); anyone else with the
    // pre-session cookie's.
    let csrf = ctx
        .portal
        .as_ref()
        .map_or_else(|| pre_csrf(&state, &headers), |p| p.csrf.clone());
    let l = PortalLayout::anonymous(Lang::from_code(&lang), csrf.clone(), "/kieu-bao");
    let resp = render(&UnsubscribePage {
        t: l.t,
        l,
        token,
        subscribed: false,
        done: true,
    })?;
    Ok(with_pre_session(&state, resp, &csrf))
}

// ---------------------------------------------------------------- API

/// `GET /api/v1/newsletters`: every newsletter with its progress.
#[utoipa::path(
    get,
    path = "/api/v1/newsletters",
    tag = "content",
    responses(
        (status = 200, description = "Newsletters, newest first, each with its deliveries by state.", body = [Newsletter]),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
    ),
    security(("bearer" = []))
)]
pub async fn api_list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<Newsletter>>, ApiError> {
    Ok(Json(newsletters::list(&state.app, &actor).await?))
}

/// `POST /api/v1/newsletters`: a new newsletter (a draft), 201 with its `ETag`.
#[utoipa::path(
    post,
    path = "/api/v1/newsletters",
    tag = "content",
    request_body(content = NewsletterInput, description = "The language (`vi`, `en`), subject, introduction and 1 to 20 published items written in that language; unknown fields are refused."),
    responses(
        (status = 201, description = "Created as a draft (audited).", body = Newsletter,
         headers(("ETag" = String, description = "The newsletter's version, for If-Match"),
                 ("Location" = String, description = "The newsletter's URL"))),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, response = crate::problems::Invalid),
    ),
    security(("bearer" = []))
)]
pub async fn api_create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: NewsletterInput = parse_input(&body)?;
    let n = newsletters::create(&state.app, &actor, &input).await?;
    Ok(created(
        &n,
        n.version,
        &format!("/api/v1/newsletters/{}", n.id),
    ))
}

/// `GET /api/v1/newsletters/{id}`: one newsletter and its progress.
#[utoipa::path(
    get,
    path = "/api/v1/newsletters/{id}",
    tag = "content",
    params(("id" = i64, Path, description = "Newsletter id")),
    responses(
        (status = 200, description = "The newsletter: sent, failed, skipped and pending deliveries.", body = Newsletter,
         headers(("ETag" = String, description = "The newsletter's version, for If-Match"))),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn api_read(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let n = newsletters::get(&state.app, &actor, id).await?;
    Ok(with_etag(StatusCode::OK, &n, n.version))
}

/// `GET /api/v1/newsletters/{id}/failures`: the deliveries that failed.
#[utoipa::path(
    get,
    path = "/api/v1/newsletters/{id}/failures",
    tag = "content",
    params(("id" = i64, Path, description = "Newsletter id")),
    responses(
        (status = 200, description = "Failed deliveries, the address masked, with the mail server's error.", body = [Failure]),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
    ),
    security(("bearer" = []))
)]
pub async fn api_failures(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Failure>>, ApiError> {
    newsletters::get(&state.app, &actor, id).await?;
    Ok(Json(newsletters::failures(&state.app, &actor, id).await?))
}

/// `POST /api/v1/newsletters/{id}/send`: starts sending a draft (`If-Match`).
#[utoipa::path(
    post,
    path = "/api/v1/newsletters/{id}/send",
    tag = "content",
    params(
        ("id" = i64, Path, description = "Newsletter id"),
        ("If-Match" = String, Header, description = "The ETag last read, e.g. `\"1\"`"),
    ),
    responses(
        (status = 200, description = "Sending started: one delivery queued for every account that consents to news now (audited).", body = Newsletter,
         headers(("ETag" = String, description = "The new version"))),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 404, response = crate::problems::NotFound),
        (status = 409, description = "Already sent.", body = crate::problems::ProblemDoc, content_type = "application/problem+json"),
        (status = 412, response = crate::problems::Stale),
        (status = 428, response = crate::problems::IfMatchRequired),
    ),
    security(("bearer" = []))
)]
pub async fn api_send(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let expected = match require_if_match(&headers) {
        Ok(v) => v,
        Err(resp) => return Ok(resp),
    };
    let n = start(&state, &actor, &headers, id, expected).await?;
    Ok(with_etag(StatusCode::OK, &n, n.version))
}
