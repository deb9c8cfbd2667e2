//! The portal's pages for people abroad (`/kieu-bao/...`, mobile first):
//! register, confirm, sign in and out, reset a password, claim one's
//! record, read and correct it, and consent per purpose. Each handler calls
//! one `app::portal` use case bound to the session's own account.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::mail::{Kind, compose};
use crate::AppState;
use crate::error::PageError;
use crate::extract::PortalUser;
use crate::i18n::{Lang, Tr};
use crate::pages::{page_err, render};
use crate::security::{Ctx, cookie, set_cookie};

/// What every portal page's layout needs.
pub struct PortalLayout {
    pub t: Tr,
    pub csrf: String,
    /// The signed-in address (empty when nobody is signed in).
    pub email: String,
    /// The path the language switch comes back to.
    pub here: &'static str,
}

impl PortalLayout {
    pub(crate) fn of(user: &PortalUser, here: &'static str) -> Self {
        Self {
            t: Tr::new(user.lang),
            csrf: user.csrf.clone(),
            email: user.email.clone(),
            here,
        }
    }
    pub(crate) fn anonymous(lang: Lang, csrf: String, here: &'static str) -> Self {
        Self {
            t: Tr::new(lang),
            csrf,
            email: String::new(),
            here,
        }
    }
}

/// A field error as a line: "Thư điện tử: Thư điện tử không hợp lệ."
pub fn error_lines(t: Tr, errors: &[app::FieldError]) -> Vec<String> {
    errors
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                t.field(&e.field),
                t.get(&format!("code.{}", e.code))
                    .unwrap_or_else(|| t.s("error.invalid"))
            )
        })
        .collect()
}

/// The status and error lines of a use case's refusal (field errors, a
/// conflict, a rate limit), or the error itself when it is not the
/// person's to fix.
fn refusal(t: Tr, e: app::AppError) -> Result<(StatusCode, Vec<String>), PageError> {
    match e {
        app::AppError::Invalid(errors) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, error_lines(t, &errors)))
        }
        app::AppError::RateLimited { .. } => Ok((
            StatusCode::TOO_MANY_REQUESTS,
            vec![t.s("error.rate_limited").to_owned()],
        )),
        app::AppError::Conflict(why) => Ok((
            StatusCode::CONFLICT,
            vec![
                t.get(&format!("portal.conflict.{why}"))
                    .unwrap_or_else(|| t.s("error.conflict"))
                    .to_owned(),
            ],
        )),
        err => Err(PageError { err, lang: t.lang }),
    }
}

/// A page before sign-in, with a pre-session CSRF cookie (double submit).
pub(crate) fn with_pre_session(state: &AppState, mut resp: Response, csrf: &str) -> Response {
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            state,
            state.cfg.pre_session_cookie(),
            csrf,
            Some(3600),
            true,
        ),
    );
    resp
}

/// The CSRF token of an anonymous form: the pre-session cookie's, or a new one.
pub(crate) fn pre_csrf(state: &AppState, headers: &HeaderMap) -> String {
    cookie(headers, state.cfg.pre_session_cookie())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(app::accounts::secret::random_token)
}

/// Where links in e-mails point: the configured origin, or the request's.
pub(crate) fn origin(state: &AppState, headers: &HeaderMap) -> String {
    crate::security::expected_origin(state, headers).unwrap_or_default()
}

// ---------------------------------------------------------------- notices

#[derive(Template)]
#[template(path = "portal/notice.html")]
struct NoticePage {
    l: PortalLayout,
    t: Tr,
    title: &'static str,
    text: &'static str,
    link: &'static str,
    link_label: &'static str,
}

pub(crate) fn notice(
    l: PortalLayout,
    title: &'static str,
    text: &'static str,
    link: &'static str,
    link_label: &'static str,
) -> Result<Response, PageError> {
    let t = l.t;
    render(&NoticePage {
        t,
        title: t.s(title),
        text: t.s(text),
        link,
        link_label: t.s(link_label),
        l,
    })
}

// ---------------------------------------------------------------- landing

#[derive(Template)]
#[template(path = "portal/landing.html")]
struct LandingPage {
    l: PortalLayout,
    t: Tr,
}

/// `GET /kieu-bao`: what the portal is for, with sign-in and registration.
pub async fn landing(ctx: Ctx) -> Result<Response, PageError> {
    if ctx.portal.is_some() {
        return Ok(Redirect::to("/kieu-bao/record").into_response());
    }
    let l = PortalLayout::anonymous(ctx.lang, String::new(), "/kieu-bao");
    render(&LandingPage { t: l.t, l })
}

// ---------------------------------------------------------------- register

#[derive(Template)]
#[template(path = "portal/register.html")]
struct RegisterPage {
    l: PortalLayout,
    t: Tr,
    email: String,
    errors: Vec<String>,
}

/// `GET /kieu-bao/register`.
pub async fn register_form(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let csrf = pre_csrf(&state, &headers);
    let l = PortalLayout::anonymous(ctx.lang, csrf.clone(), "/kieu-bao/register");
    let resp = render(&RegisterPage {
        t: l.t,
        l,
        email: String::new(),
        errors: Vec::new(),
    })?;
    Ok(with_pre_session(&state, resp, &csrf))
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// `POST /kieu-bao/register`: the same answer whether the address is new
/// or known (a message goes to it either way, in the background).
pub async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<RegisterForm>,
) -> Result<Response, PageError> {
    let t = Tr::new(ctx.lang);
    match app::portal::accounts::register(
        &state.app,
        &form.email,
        &form.password,
        ctx.lang.code(),
        &ctx.ip,
    )
    .await
    {
        Ok(outcome) => {
            let base = origin(&state, &headers);
            let m = match outcome {
                app::portal::accounts::Registered::Confirm { email, lang, token } => compose(
                    &lang,
                    Kind::Confirm,
                    &email,
                    &format!("{base}/kieu-bao/confirm?token={token}"),
                    &[],
                ),
                app::portal::accounts::Registered::Known { email, lang } => compose(
                    &lang,
                    Kind::Known,
                    &email,
                    &format!("{base}/kieu-bao/forgot"),
                    &[],
                ),
            };
            app::mail::send_later(&state.app, m);
            let l = PortalLayout::anonymous(ctx.lang, String::new(), "/kieu-bao/register");
            notice(
                l,
                "portal.register.sent_title",
                "portal.register.sent_text",
                "/kieu-bao/login",
                "portal.login.title",
            )
        }
        Err(e) => {
            let (status, errors) = refusal(t, e)?;
            let csrf = pre_csrf(&state, &headers);
            let l = PortalLayout::anonymous(ctx.lang, csrf, "/kieu-bao/register");
            let mut resp = render(&RegisterPage {
                t,
                l,
                email: form.email,
                errors,
            })?;
            *resp.status_mut() = status;
            Ok(resp)
        }
    }
}

// ---------------------------------------------------------------- confirm

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[derive(Template)]
#[template(path = "portal/confirm.html")]
struct ConfirmPage {
    l: PortalLayout,
    t: Tr,
    token: String,
}

/// `GET /kieu-bao/confirm?token=`: a button that confirms (a link checker
/// opening the link does not use it up).
pub async fn confirm_form(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let csrf = pre_csrf(&state, &headers);
    let l = PortalLayout::anonymous(ctx.lang, csrf.clone(), "/kieu-bao/confirm");
    let resp = render(&ConfirmPage {
        t: l.t,
        l,
        token: q.token,
    })?;
    Ok(with_pre_session(&state, resp, &csrf))
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

/// `POST /kieu-bao/confirm`: the address is confirmed, once.
pub async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<TokenForm>,
) -> Result<Response, PageError> {
    let l = PortalLayout::anonymous(ctx.lang, String::new(), "/kieu-bao/confirm");
    match app::portal::accounts::confirm(&state.app, &form.token, &ctx.ip).await {
        Ok(()) => notice(
            l,
            "portal.confirm.done_title",
            "portal.confirm.done_text",
            "/kieu-bao/login",
            "portal.login.title",
        ),
        Err(app::AppError::NotFound) => {
            let mut resp = notice(
                l,
                "portal.link.bad_title",
                "portal.link.bad_text",
                "/kieu-bao/register",
                "portal.register.title",
            )?;
            *resp.status_mut() = StatusCode::NOT_FOUND;
            Ok(resp)
        }
        Err(e) => Err(page_err(ctx.lang)(e)),
    }
}

// ---------------------------------------------------------------- sign in

#[derive(Template)]
#[template(path = "portal/login.html")]
struct LoginPage {
    l: PortalLayout,
    t: Tr,
    email: String,
    error: String,
}

/// `GET /kieu-bao/login`.
pub async fn login_form(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    if ctx.portal.is_some() {
        return Ok(Redirect::to("/kieu-bao/record").into_response());
    }
    let csrf = pre_csrf(&state, &headers);
    let l = PortalLayout::anonymous(ctx.lang, csrf.clone(), "/kieu-bao/login");
    let resp = render(&LoginPage {
        t: l.t,
        l,
        email: String::new(),
        error: String::new(),
    })?;
    Ok(with_pre_session(&state, resp, &csrf))
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// `POST /kieu-bao/login`: a new portal session (never a staff one).
pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let t = Tr::new(ctx.lang);
    match app::portal::accounts::sign_in(&state.app, &form.email, &form.password, &ctx.ip).await {
        Ok(s) => {
            if let Some(old) = &ctx.portal_token {
                app::portal::accounts::sign_out(&state.app, old)
                    .await
                    .map_err(page_err(ctx.lang))?;
            }
            let mut resp = Redirect::to("/kieu-bao/record").into_response();
            resp.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&state, state.cfg.portal_cookie(), &s.token, None, true),
            );
            resp.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&state, state.cfg.pre_session_cookie(), "", Some(0), true),
            );
            Ok(resp)
        }
        Err(e @ (app::AppError::BadCredentials | app::AppError::RateLimited { .. })) => {
            let limited = matches!(e, app::AppError::RateLimited { .. });
            let csrf = pre_csrf(&state, &headers);
            let l = PortalLayout::anonymous(ctx.lang, csrf, "/kieu-bao/login");
            let mut resp = render(&LoginPage {
                t,
                l,
                email: form.email,
                error: t
                    .s(if limited {
                        "error.rate_limited"
                    } else {
                        "portal.login.bad"
                    })
                    .to_owned(),
            })?;
            *resp.status_mut() = if limited {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            Ok(resp)
        }
        Err(e) => Err(page_err(ctx.lang)(e)),
    }
}

/// `POST /kieu-bao/logout`.
pub async fn logout(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    if let Some(token) = &ctx.portal_token {
        app::portal::accounts::sign_out(&state.app, token)
            .await
            .map_err(page_err(ctx.lang))?;
    }
    let mut resp = Redirect::to("/kieu-bao/login").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, state.cfg.portal_cookie(), "", Some(0), true),
    );
    Ok(resp)
}

// ---------------------------------------------------------------- forgotten password

#[derive(Template)]
#[template(path = "portal/forgot.html")]
struct ForgotPage {
    l: PortalLayout,
    t: Tr,
    email: String,
    errors: Vec<String>,
}

/// `GET /kieu-bao/forgot`.
pub async fn forgot_form(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let csrf = pre_csrf(&state, &headers);
    let l = PortalLayout::anonymous(ctx.lang, csrf.clone(), "/kieu-bao/forgot");
    let resp = render(&ForgotPage {
        t: l.t,
        l,
        email: String::new(),
        errors: Vec::new(),
    })?;
    Ok(with_pre_session(&state, resp, &csrf))
}

/// `POST /kieu-bao/forgot`: the same answer for any address.
pub async fn forgot(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<RegisterForm>,
) -> Result<Response, PageError> {
    let t = Tr::new(ctx.lang);
    match app::portal::accounts::forgot(&state.app, &form.email, &ctx.ip).await {
        Ok(link) => {
            if let Some((lang, token)) = link {
                let base = origin(&state, &headers);
                app::mail::send_later(
                    &state.app,
                    compose(
                        &lang,
                        Kind::Reset,
                        &form.email.trim().to_lowercase(),
                        &format!("{base}/kieu-bao/reset?token={token}"),
                        &[],
                    ),
                );
            }
            let l = PortalLayout::anonymous(ctx.lang, String::new(), "/kieu-bao/forgot");
            notice(
                l,
                "portal.forgot.sent_title",
                "portal.forgot.sent_text",
                "/kieu-bao/login",
                "portal.login.title",
            )
        }
        Err(e) => {
            let (status, errors) = refusal(t, e)?;
            let csrf = pre_csrf(&state, &headers);
            let l = PortalLayout::anonymous(ctx.lang, csrf, "/kieu-bao/forgot");
            let mut resp = render(&ForgotPage {
                t,
                l,
                email: form.email,
                errors,
            })?;
            *resp.status_mut() = status;
            Ok(resp)
        }
    }
}

#[derive(Template)]
#[template(path = "portal/reset.html")]
struct ResetPage {
    l: PortalLayout,
    t: Tr,
    token: String,
    errors: Vec<String>,
}

/// `GET /kieu-bao/reset?token=`: the new-password form while the link is good.
pub async fn reset_form(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Result<Response, PageError> {
    if !app::portal::accounts::token_valid(&state.app, &q.token, "reset")
        .await
        .map_err(page_err(ctx.lang))?
    {
        let l = PortalLayout::anonymous(ctx.lang, String::new(), "/kieu-bao/reset");
        let mut resp = notice(
            l,
            "portal.link.bad_title",
            "portal.link.bad_text",
            "/kieu-bao/forgot",
            "portal.forgot.title",
        )?;
        *resp.status_mut() = StatusCode::NOT_FOUND;
        return Ok(resp);
    }
    let csrf = pre_csrf(&state, &headers);
    let l = PortalLayout::anonymous(ctx.lang, csrf.clone(), "/kieu-bao/reset");
    let resp = render(&ResetPage {
        t: l.t,
        l,
        token: q.token,
        errors: Vec::new(),
    })?;
    Ok(with_pre_session(&state, resp, &csrf))
}

/// `POST /kieu-bao/reset`: sets the password; the account's sessions end.
pub async fn reset(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Result<Response, PageError> {
    let t = Tr::new(ctx.lang);
    match app::portal::accounts::reset(&state.app, &form.token, &form.password, &ctx.ip).await {
        Ok(()) => {
            let l = PortalLayout::anonymous(ctx.lang, String::new(), "/kieu-bao/reset");
            notice(
                l,
                "portal.reset.done_title",
                "portal.reset.done_text",
                "/kieu-bao/login",
                "portal.login.title",
            )
        }
        Err(app::AppError::NotFound) => {
            let l = PortalLayout::anonymous(ctx.lang, String::new(), "/kieu-bao/reset");
            let mut resp = notice(
                l,
                "portal.link.bad_title",
                "portal.link.bad_text",
                "/kieu-bao/forgot",
                "portal.forgot.title",
            )?;
            *resp.status_mut() = StatusCode::NOT_FOUND;
            Ok(resp)
        }
        Err(e) => {
            let (status, errors) = refusal(t, e)?;
            let csrf = pre_csrf(&state, &headers);
            let l = PortalLayout::anonymous(ctx.lang, csrf, "/kieu-bao/reset");
            let mut resp = render(&ResetPage {
                t,
                l,
                token: form.token,
                errors,
            })?;
            *resp.status_mut() = status;
            Ok(resp)
        }
    }
}

// ---------------------------------------------------------------- my record

/// One labelled value.
pub struct Shown {
    pub label: String,
    pub value: String,
}

/// A change request as the person reads it.
pub struct ChangeShown {
    pub at: String,
    pub status: String,
    pub fields: Vec<FieldShown>,
}

/// One field of a change request.
pub struct FieldShown {
    pub label: String,
    pub old: String,
    pub new: String,
    pub decision: String,
    pub reason: String,
}

/// A change request in words (labels, values, decision).
pub fn change_shown(t: Tr, c: &app::portal::changes::ChangeRequest) -> ChangeShown {
    ChangeShown {
        at: t.time(&c.created_at),
        status: t.label("change_status", &c.status),
        fields: c
            .fields
            .iter()
            .map(|f| FieldShown {
                label: t.field(&f.field),
                old: t.value(&f.field, &f.old_value),
                new: t.value(&f.field, &f.new_value),
                decision: t.label("decision", &f.decision),
                reason: f.reason.clone(),
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "portal/record.html")]
#[expect(
    clippy::struct_excessive_bools,
    reason = "what the page shows: linked, claimed, waiting"
)]
struct RecordPage {
    l: PortalLayout,
    t: Tr,
    linked: bool,
    /// The claim's status in words, and its fields as typed.
    claim_status: String,
    claim_reason: String,
    claim_pending: bool,
    has_claim: bool,
    fields: Vec<Shown>,
    relatives: Vec<Shown>,
    changes: Vec<ChangeShown>,
    change_pending: bool,
}

fn claim_fields(t: Tr, c: &app::portal::claims::Claim) -> Vec<Shown> {
    let mut out = vec![
        ("full_name", c.full_name.clone()),
        ("birth_date", c.birth_date.clone().unwrap_or_default()),
        ("gender", c.gender.clone()),
        ("hometown_text", c.hometown_text.clone()),
        ("country", c.country.clone()),
        ("city_abroad", c.city.clone()),
        ("phone", c.phone.clone()),
        ("email", c.email.clone()),
    ];
    out.retain(|(_, v)| !v.is_empty());
    out.into_iter()
        .map(|(f, v)| Shown {
            label: t.field(f),
            value: t.value(f, &v),
        })
        .collect()
}

/// `GET /kieu-bao/record`: the linked record (shared fields, relatives,
/// corrections asked), or what the person typed in the claim and its
/// state, or an invitation to claim.
pub async fn record(
    State(state): State<AppState>,
    user: PortalUser,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    let l = PortalLayout::of(&user, "/kieu-bao/record");
    let claim = app::portal::claims::mine(&state.app, user.account_id)
        .await
        .map_err(page_err(lang))?;
    let mut page = RecordPage {
        t,
        linked: false,
        claim_status: String::new(),
        claim_reason: String::new(),
        claim_pending: false,
        has_claim: claim.is_some(),
        fields: Vec::new(),
        relatives: Vec::new(),
        changes: Vec::new(),
        change_pending: false,
        l,
    };
    if let Some(pid) = user.person_id {
        let own = app::portal::changes::own_record(&state.app, user.account_id, pid, &user.ip)
            .await
            .map_err(page_err(lang))?;
        page.linked = true;
        page.fields = app::portal::changes::FIELDS
            .iter()
            .map(|f| Shown {
                label: t.field(f),
                value: t.value(f, &app::portal::changes::value_of(&own.data, f)),
            })
            .collect();
        page.fields.insert(
            3,
            Shown {
                label: t.field("hometown_text"),
                value: own.data.hometown_text.clone(),
            },
        );
        page.relatives = own
            .relatives
            .iter()
            .map(|(name, rel, year)| Shown {
                label: name.clone(),
                value: match year {
                    Some(y) => format!("{} ({y})", t.label("relationship", rel)),
                    None => t.label("relationship", rel),
                },
            })
            .collect();
        let changes = app::portal::changes::mine(&state.app, user.account_id)
            .await
            .map_err(page_err(lang))?;
        page.change_pending = changes.iter().any(|c| c.status == "pending");
        page.changes = changes.iter().map(|c| change_shown(t, c)).collect();
    } else if let Some(c) = &claim {
        page.claim_status = t.label("claim_status", &c.status);
        page.claim_reason.clone_from(&c.reason);
        page.claim_pending = c.status == "pending";
        page.fields = claim_fields(t, c);
    }
    render(&page)
}

// ---------------------------------------------------------------- claim

/// A `<select>` option: value, label, selected.
pub type Opt = (String, String, bool);

#[derive(Template)]
#[template(path = "portal/claim.html")]
struct ClaimPage {
    l: PortalLayout,
    t: Tr,
    f: app::portal::claims::ClaimInput,
    genders: Vec<Opt>,
    new_communes: Vec<Opt>,
    legacy_communes: Vec<(String, Vec<Opt>)>,
    countries: Vec<Opt>,
    errors: Vec<String>,
}

fn claim_page(
    user: &PortalUser,
    f: app::portal::claims::ClaimInput,
    errors: Vec<String>,
) -> ClaimPage {
    let t = Tr::new(user.lang);
    let province = app::demo_data::DEMO_PROVINCE;
    let new_communes = std::iter::once((String::new(), String::new(), false))
        .chain(domain::geo::new_communes_of(province).into_iter().map(|c| {
            (
                c.code.to_owned(),
                c.name.to_owned(),
                c.code == f.hometown_code,
            )
        }))
        .collect();
    let legacy_communes = domain::geo::legacy_provinces_of_new(province)
        .into_iter()
        .flat_map(|p| domain::geo::legacy_districts_of(p.code))
        .map(|d| {
            let opts = domain::geo::legacy_communes_of_district(d.code)
                .into_iter()
                .map(|c| {
                    (
                        c.code.to_owned(),
                        c.name.to_owned(),
                        c.code == f.hometown_legacy_code,
                    )
                })
                .collect();
            (d.name.to_owned(), opts)
        })
        .collect();
    let en = user.lang == Lang::En;
    let mut countries: Vec<Opt> = domain::geo::countries::countries()
        .iter()
        .filter(|c| c.code != "VN")
        .map(|c| {
            (
                c.code.to_owned(),
                if en { c.name_en } else { c.name_vi }.to_owned(),
                c.code == f.country,
            )
        })
        .collect();
    countries.sort_by_key(|a| domain::text::fold(&a.1));
    countries.insert(0, (String::new(), String::new(), false));
    let genders = std::iter::once((String::new(), String::new(), false))
        .chain(
            [
                domain::Gender::Female,
                domain::Gender::Male,
                domain::Gender::Other,
            ]
            .iter()
            .map(|g| {
                (
                    g.code().to_owned(),
                    g.label(user.lang.code()).to_owned(),
                    g.code() == f.gender,
                )
            }),
        )
        .collect();
    ClaimPage {
        l: PortalLayout::of(user, "/kieu-bao/claim"),
        t,
        f,
        genders,
        new_communes,
        legacy_communes,
        countries,
        errors,
    }
}

/// `GET /kieu-bao/claim`: the short form (a linked account has nothing to claim).
pub async fn claim_form(user: PortalUser) -> Result<Response, PageError> {
    if user.person_id.is_some() {
        return Ok(Redirect::to("/kieu-bao/record").into_response());
    }
    let f = app::portal::claims::ClaimInput {
        email: user.email.clone(),
        ..Default::default()
    };
    render(&claim_page(&user, f, Vec::new()))
}

/// `POST /kieu-bao/claim`.
pub async fn claim(
    State(state): State<AppState>,
    user: PortalUser,
    Form(f): Form<app::portal::claims::ClaimInput>,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    match app::portal::claims::submit(&state.app, user.account_id, &user.ip, &f).await {
        Ok(_) => Ok(Redirect::to("/kieu-bao/record").into_response()),
        Err(e) => {
            let (status, errors) = refusal(t, e)?;
            let mut resp = render(&claim_page(&user, f, errors))?;
            *resp.status_mut() = status;
            Ok(resp)
        }
    }
}

// ---------------------------------------------------------------- correct

/// One field of the correction form.
pub struct EditField {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    /// `text`, `date`, `gender` or `country`.
    pub kind: &'static str,
}

/// A relative on the correction form: `prefix` names its inputs
/// (`relative_12`, `relative_new`), with the values as typed.
pub struct RelativeEdit {
    pub prefix: String,
    /// "Lê Văn Hùng" (empty for the new one).
    pub title: String,
    pub full_name: String,
    pub relationships: Vec<Opt>,
    pub birth_year: String,
    pub remove: bool,
}

#[derive(Template)]
#[template(path = "portal/edit.html")]
struct EditPage {
    l: PortalLayout,
    t: Tr,
    fields: Vec<EditField>,
    genders: Vec<Opt>,
    countries: Vec<Opt>,
    relatives: Vec<RelativeEdit>,
    errors: Vec<String>,
}

/// The form's values of the record's relatives as they stand.
fn relative_values(own: &app::portal::changes::OwnRecord) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (id, (name, rel, year)) in own.relative_ids.iter().zip(&own.relatives) {
        out.insert(format!("relative_{id}_full_name"), name.clone());
        out.insert(format!("relative_{id}_relationship"), rel.clone());
        out.insert(
            format!("relative_{id}_birth_year"),
            year.map(|y| y.to_string()).unwrap_or_default(),
        );
    }
    out
}

fn relatives_edit(
    lang: Lang,
    own: &app::portal::changes::OwnRecord,
    values: &BTreeMap<String, String>,
) -> Vec<RelativeEdit> {
    let v = |k: String| values.get(&k).cloned().unwrap_or_default();
    let one = |prefix: String, title: String| {
        let rel = v(format!("{prefix}_relationship"));
        RelativeEdit {
            full_name: v(format!("{prefix}_full_name")),
            relationships: std::iter::once((String::new(), String::new(), false))
                .chain(domain::Relationship::ALL.iter().map(|r| {
                    (
                        r.code().to_owned(),
                        r.label(lang.code()).to_owned(),
                        r.code() == rel,
                    )
                }))
                .collect(),
            birth_year: v(format!("{prefix}_birth_year")),
            remove: !v(format!("{prefix}_remove")).is_empty(),
            prefix,
            title,
        }
    };
    own.relative_ids
        .iter()
        .zip(&own.relatives)
        .map(|(id, (name, _, _))| one(format!("relative_{id}"), name.clone()))
        .chain(std::iter::once(one(
            "relative_new".to_owned(),
            String::new(),
        )))
        .collect()
}

fn edit_page(
    user: &PortalUser,
    own: &app::portal::changes::OwnRecord,
    values: &BTreeMap<String, String>,
    errors: Vec<String>,
) -> EditPage {
    let t = Tr::new(user.lang);
    let v = |f: &str| values.get(f).cloned().unwrap_or_default();
    let fields = app::portal::changes::FIELDS
        .iter()
        .map(|f| EditField {
            name: f,
            label: t.field(f),
            value: if *f == "birth_date" {
                domain::dates::show(&v(f))
            } else {
                v(f)
            },
            kind: match *f {
                "birth_date" => "date",
                "gender" => "gender",
                "country" => "country",
                _ => "text",
            },
        })
        .collect();
    let c = claim_page(
        user,
        app::portal::claims::ClaimInput {
            gender: v("gender"),
            country: v("country"),
            ..Default::default()
        },
        Vec::new(),
    );
    EditPage {
        l: PortalLayout::of(user, "/kieu-bao/record/edit"),
        t,
        fields,
        genders: c.genders,
        countries: c.countries,
        relatives: relatives_edit(user.lang, own, values),
        errors,
    }
}

/// `GET /kieu-bao/record/edit`: the record's shared fields to correct.
pub async fn edit_form(
    State(state): State<AppState>,
    user: PortalUser,
) -> Result<Response, PageError> {
    let Some(pid) = user.person_id else {
        return Ok(Redirect::to("/kieu-bao/record").into_response());
    };
    let own = app::portal::changes::own_record(&state.app, user.account_id, pid, &user.ip)
        .await
        .map_err(page_err(user.lang))?;
    let mut values: BTreeMap<String, String> = app::portal::changes::FIELDS
        .iter()
        .map(|f| {
            (
                (*f).to_owned(),
                app::portal::changes::value_of(&own.data, f),
            )
        })
        .collect();
    values.extend(relative_values(&own));
    render(&edit_page(&user, &own, &values, Vec::new()))
}

/// `POST /kieu-bao/record/edit`: a change request for the officer.
pub async fn edit(
    State(state): State<AppState>,
    user: PortalUser,
    Form(form): Form<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let Some(pid) = user.person_id else {
        return Ok(Redirect::to("/kieu-bao/record").into_response());
    };
    let t = Tr::new(user.lang);
    let values: BTreeMap<String, String> = form
        .into_iter()
        .filter(|(k, _)| {
            app::portal::changes::FIELDS.contains(&k.as_str())
                || app::portal::changes::is_relative_field(k)
        })
        .collect();
    match app::portal::changes::request(&state.app, user.account_id, pid, &user.ip, &values).await {
        Ok(_) => Ok(Redirect::to("/kieu-bao/record").into_response()),
        Err(e) => {
            let (status, errors) = refusal(t, e)?;
            let own = app::portal::changes::own_record(&state.app, user.account_id, pid, &user.ip)
                .await
                .map_err(page_err(user.lang))?;
            let mut resp = render(&edit_page(&user, &own, &values, errors))?;
            *resp.status_mut() = status;
            Ok(resp)
        }
    }
}

// ---------------------------------------------------------------- consents

/// One purpose on the consent page.
pub struct PurposeShown {
    pub code: &'static str,
    pub title: String,
    pub text: String,
    pub given: bool,
    pub since: String,
}

/// One act in the consent history.
pub struct ActShown {
    pub purpose: String,
    pub action: String,
    pub at: String,
    pub version: String,
}

#[derive(Template)]
#[template(path = "portal/consents.html")]
struct ConsentsPage {
    l: PortalLayout,
    t: Tr,
    version: String,
    purposes: Vec<PurposeShown>,
    acts: Vec<ActShown>,
}

/// `GET /kieu-bao/consents`: each purpose separately, none ticked in
/// advance, with the text's version and the history of what was given.
pub async fn consents(
    State(state): State<AppState>,
    user: PortalUser,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let (states, acts) = app::portal::consents::of_account(&state.app, user.account_id)
        .await
        .map_err(page_err(user.lang))?;
    render(&ConsentsPage {
        l: PortalLayout::of(&user, "/kieu-bao/consents"),
        t,
        version: t.day(app::portal::consents::TEXT_VERSION),
        purposes: states
            .iter()
            .map(|s| PurposeShown {
                code: s.purpose,
                title: t.label("purpose", s.purpose),
                text: t
                    .get(&format!("portal.consent.text.{}", s.purpose))
                    .unwrap_or_default()
                    .to_owned(),
                given: s.given,
                since: s.at.as_deref().map(|a| t.time(a)).unwrap_or_default(),
            })
            .collect(),
        acts: acts
            .iter()
            .map(|a| ActShown {
                purpose: t.label("purpose", &a.purpose),
                action: t.label("consent_action", &a.action),
                at: t.time(&a.at),
                version: t.day(&a.text_version),
            })
            .collect(),
    })
}

#[derive(Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    give: String,
}

/// `POST /kieu-bao/consents`: gives or withdraws one purpose, at once.
pub async fn consent(
    State(state): State<AppState>,
    user: PortalUser,
    Form(f): Form<ConsentForm>,
) -> Result<Response, PageError> {
    app::portal::consents::set(
        &state.app,
        user.account_id,
        user.person_id,
        &f.purpose,
        f.give == "1",
        "/kieu-bao/consents",
        &user.ip,
    )
    .await
    .map_err(page_err(user.lang))?;
    Ok(Redirect::to("/kieu-bao/consents").into_response())
}
