//! Account pages: sign-in (both steps) and sign-out, the profile (password,
//! two-factor, API tokens, sign out everywhere), user administration and the
//! audit browser with its xlsx export. Each handler calls one `app` use case,
//! which checks access.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::Role;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::PageError;
use crate::extract::User;
use crate::i18n::Tr;
use crate::pages::{Layout, page_err, render};
use crate::security::{Ctx, set_cookie};

// ---------------------------------------------------------------- sign-in

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage {
    t: Tr,
    csrf: String,
    error: Option<String>,
    username: String,
}

/// `GET /login`: the form, with a pre-session CSRF cookie (double submit).
pub async fn login_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    if let Some(s) = &ctx.session {
        let to = if s.mfa_pending { "/login/mfa" } else { "/work" };
        return Ok(Redirect::to(to).into_response());
    }
    let csrf = app::accounts::secret::random_token();
    let page = LoginPage {
        t: Tr::new(ctx.lang),
        csrf: csrf.clone(),
        error: None,
        username: String::new(),
    };
    let mut resp = render(&page)?;
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            &state,
            state.cfg.pre_session_cookie(),
            &csrf,
            Some(3600),
            true,
        ),
    );
    Ok(resp)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    #[expect(
        dead_code,
        reason = "checked by the CSRF middleware before the handler runs"
    )]
    csrf: String,
}

/// `POST /login`: a new session id on every sign-in (no fixation).
pub async fn login_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let t = Tr::new(ctx.lang);
    match app::accounts::auth::sign_in(&state.app, &form.username, &form.password, &ctx.ip).await {
        Ok(s) => {
            if let Some(old) = &ctx.session_token {
                app::accounts::sessions::sign_out(&state.app, old).await?;
            }
            // Second factor owed, or required but not set up yet: there next.
            let to = if s.mfa_pending {
                "/login/mfa"
            } else if s.must_enrol {
                "/profile"
            } else {
                "/work"
            };
            let mut resp = Redirect::to(to).into_response();
            resp.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&state, state.cfg.session_cookie(), &s.token, None, true),
            );
            resp.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&state, state.cfg.pre_session_cookie(), "", Some(0), true),
            );
            Ok(resp)
        }
        Err(e @ (app::AppError::BadCredentials | app::AppError::RateLimited { .. })) => {
            let key = if matches!(e, app::AppError::BadCredentials) {
                "error.bad_credentials"
            } else {
                "error.rate_limited"
            };
            let csrf = crate::security::cookie(&headers, state.cfg.pre_session_cookie())
                .unwrap_or_default();
            let page = LoginPage {
                t,
                csrf,
                error: Some(t.s(key).to_owned()),
                username: form.username,
            };
            let mut resp = render(&page)?;
            *resp.status_mut() = if matches!(e, app::AppError::BadCredentials) {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::TOO_MANY_REQUESTS
            };
            Ok(resp)
        }
        Err(e) => Err(PageError {
            err: e,
            lang: ctx.lang,
        }),
    }
}

/// `POST /logout`.
pub async fn logout(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    if let Some(token) = &ctx.session_token {
        app::accounts::sessions::sign_out(&state.app, token).await?;
    }
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, state.cfg.session_cookie(), "", Some(0), true),
    );
    Ok(resp)
}

// ---------------------------------------------------------------- sign-in, step two

#[derive(Template)]
#[template(path = "accounts/login_mfa.html")]
struct MfaPage {
    t: Tr,
    csrf: String,
    error: Option<String>,
}

/// `GET /login/mfa`: the code form, for a session still owing its second factor.
pub async fn mfa_form(ctx: Ctx) -> Result<Response, PageError> {
    match &ctx.session {
        Some(s) if s.mfa_pending => render(&MfaPage {
            t: Tr::new(ctx.lang),
            csrf: s.csrf.clone(),
            error: None,
        }),
        Some(_) => Ok(Redirect::to("/work").into_response()),
        None => Ok(Redirect::to("/login").into_response()),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /login/mfa`: a TOTP or recovery code turns the pending session into
/// a new full one.
pub async fn mfa_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<CodeForm>,
) -> Result<Response, PageError> {
    let Some(token) = ctx.session_token.clone().filter(|_| ctx.session.is_some()) else {
        return Ok(Redirect::to("/login").into_response());
    };
    match app::accounts::mfa::complete_sign_in(&state.app, &token, &form.code, &ctx.ip).await {
        Ok(s) => {
            let mut resp = Redirect::to("/work").into_response();
            resp.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&state, state.cfg.session_cookie(), &s.token, None, true),
            );
            Ok(resp)
        }
        Err(e @ (app::AppError::Invalid(_) | app::AppError::RateLimited { .. })) => {
            let t = Tr::new(ctx.lang);
            let limited = matches!(e, app::AppError::RateLimited { .. });
            let mut resp = render(&MfaPage {
                t,
                csrf: ctx.session.map(|s| s.csrf).unwrap_or_default(),
                error: Some(
                    t.s(if limited {
                        "error.rate_limited"
                    } else {
                        "code.mfa_bad_code"
                    })
                    .to_owned(),
                ),
            })?;
            *resp.status_mut() = if limited {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            Ok(resp)
        }
        Err(app::AppError::Unauthenticated) => Ok(Redirect::to("/login").into_response()),
        Err(err) => Err(PageError {
            err,
            lang: ctx.lang,
        }),
    }
}

// ---------------------------------------------------------------- profile

#[derive(Template)]
#[template(path = "accounts/profile.html")]
struct ProfilePage {
    l: Layout,
    t: Tr,
    mfa: app::accounts::mfa::Status,
    tokens: Vec<app::accounts::tokens::TokenSummary>,
    new_token: Option<String>,
    recovery_codes: Vec<String>,
    notice: Option<&'static str>,
    /// A form of the page sent back with what is wrong, by form.
    problem: Option<FormProblem>,
    /// The enrolment's `otpauth://` address as a QR code (SVG drawn here,
    /// no outside service), for the authenticator app's camera.
    qr: Option<String>,
    /// One's own address for reminders (issue 23 §7) and its language.
    email: String,
    mail_lang: String,
}

/// An `otpauth://` address as an SVG QR code (medium error correction).
fn qr_svg(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(uri, qrcode::EcLevel::M).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Inline in the page: without the XML declaration.
    Some(
        svg.find("<svg")
            .map_or(svg.clone(), |i| svg[i..].to_owned()),
    )
}

/// What is wrong with one of the profile's forms: which form, the messages
/// (each naming its field), and what was typed where it can be kept (the
/// token's name; passwords and codes are never sent back).
pub struct FormProblem {
    pub form: &'static str,
    pub messages: Vec<String>,
    pub typed: String,
}

impl FormProblem {
    fn is(&self, form: &str) -> bool {
        self.form == form
    }
}

/// The page again with the form's problem shown beside it (422), for an
/// input the user can correct; any other error is the error page.
async fn profile_problem(
    state: &AppState,
    user: &User,
    form: &'static str,
    typed: String,
    err: app::AppError,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let messages: Vec<String> = match &err {
        app::AppError::Invalid(fields) => fields
            .iter()
            .map(|f| {
                let field = t
                    .get(&format!("field.{}", f.field))
                    .or_else(|| t.get(&format!("profile.{}", f.field)))
                    .unwrap_or(t.s("mfa.code"));
                format!("{field}: {}", t.s(&format!("code.{}", f.code)))
            })
            .collect(),
        app::AppError::Conflict(code) => vec![t.s(&format!("code.{code}")).to_owned()],
        _ => {
            return Err(PageError {
                err,
                lang: user.lang,
            });
        }
    };
    let mut resp = profile_page_with(
        state,
        user,
        None,
        Vec::new(),
        None,
        Some(FormProblem {
            form,
            messages,
            typed,
        }),
    )
    .await?;
    *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}

async fn profile_page(
    state: &AppState,
    user: &User,
    new_token: Option<String>,
    recovery_codes: Vec<String>,
    notice: Option<&'static str>,
) -> Result<Response, PageError> {
    profile_page_with(state, user, new_token, recovery_codes, notice, None).await
}

async fn profile_page_with(
    state: &AppState,
    user: &User,
    new_token: Option<String>,
    recovery_codes: Vec<String>,
    notice: Option<&'static str>,
    problem: Option<FormProblem>,
) -> Result<Response, PageError> {
    let e = page_err(user.lang);
    let mfa = app::accounts::mfa::status(&state.app, &user.actor)
        .await
        .map_err(&e)?;
    let tokens = app::accounts::tokens::list_tokens(&state.app, &user.actor)
        .await
        .map_err(&e)?;
    let qr = mfa.pending_uri.as_deref().and_then(qr_svg);
    let contact = match user.actor.user_id {
        Some(id) => app::accounts::users::mail_contact(&state.app, &user.actor, id)
            .await
            .map_err(&e)?,
        None => app::accounts::users::MailContact::default(),
    };
    // What was typed, when the form comes back with a problem.
    let email = match &problem {
        Some(p) if p.is("email") => p.typed.clone(),
        _ => contact.email.unwrap_or_default(),
    };
    let l = Layout::for_user(user);
    render(&ProfilePage {
        t: l.t,
        l,
        mfa,
        tokens,
        new_token,
        recovery_codes,
        notice,
        problem,
        qr,
        email,
        mail_lang: contact.lang,
    })
}

/// `GET /profile`.
pub async fn profile(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    profile_page(&state, &user, None, Vec::new(), None).await
}

/// An address for reminders and the language of the messages.
#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    mail_lang: String,
}

/// `POST /profile/email`: one's own address for reminders and escalations
/// (issue 23 §7); empty clears it.
pub async fn set_own_email(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<EmailForm>,
) -> Result<Response, PageError> {
    let id = user.actor.user_id.unwrap_or_default();
    if let Err(err) = app::accounts::users::set_mail_contact(
        &state.app,
        &user.actor,
        id,
        &form.email,
        &form.mail_lang,
    )
    .await
    {
        return profile_problem(&state, &user, "email", form.email, err).await;
    }
    profile_page(
        &state,
        &user,
        None,
        Vec::new(),
        Some("portal.staff_mail.saved"),
    )
    .await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// `POST /profile/password`: other sessions end.
pub async fn change_password(
    State(state): State<AppState>,
    user: User,
    ctx: Ctx,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    if let Err(err) = app::accounts::users::change_own_password(
        &state.app,
        &user.actor,
        &form.current_password,
        &form.new_password,
        ctx.session_token.as_deref(),
    )
    .await
    {
        return profile_problem(&state, &user, "password", String::new(), err).await;
    }
    profile_page(
        &state,
        &user,
        None,
        Vec::new(),
        Some("profile.password_changed"),
    )
    .await
}

/// `POST /profile/mfa/begin`: a new secret to enter in an authenticator app.
pub async fn mfa_begin(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    app::accounts::mfa::begin_enrolment(&state.app, &user.actor)
        .await
        .map_err(page_err(user.lang))?;
    profile_page(&state, &user, None, Vec::new(), None).await
}

/// `POST /profile/mfa/confirm`: the first code switches two-factor on; the
/// recovery codes are shown once.
pub async fn mfa_confirm(
    State(state): State<AppState>,
    user: User,
    ctx: Ctx,
    Form(form): Form<CodeForm>,
) -> Result<Response, PageError> {
    let codes = match app::accounts::mfa::confirm_enrolment(
        &state.app,
        &user.actor,
        &form.code,
        ctx.session_token.as_deref(),
    )
    .await
    {
        Ok(codes) => codes,
        Err(err) => return profile_problem(&state, &user, "mfa_confirm", String::new(), err).await,
    };
    profile_page(&state, &user, None, codes, Some("profile.mfa_enabled")).await
}

#[derive(Deserialize)]
pub struct CurrentPasswordForm {
    #[serde(default)]
    current_password: String,
}

/// `POST /profile/mfa/disable`.
pub async fn mfa_disable(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<CurrentPasswordForm>,
) -> Result<Response, PageError> {
    if let Err(err) =
        app::accounts::mfa::disable(&state.app, &user.actor, &form.current_password).await
    {
        return profile_problem(&state, &user, "mfa_disable", String::new(), err).await;
    }
    profile_page(
        &state,
        &user,
        None,
        Vec::new(),
        Some("profile.mfa_disabled"),
    )
    .await
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    expires_days: Option<i64>,
}

/// `POST /profile/tokens`: the token is shown once.
pub async fn token_create(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<TokenForm>,
) -> Result<Response, PageError> {
    let user_id = user.actor.user_id.ok_or(app::AppError::Forbidden)?;
    let scopes: &[&str] = match form.scope.as_str() {
        "write" => &["read", "write"],
        "admin" => &["read", "write", "admin"],
        _ => &["read"],
    };
    let token = match app::accounts::tokens::create_token(
        &state.app,
        &user.actor,
        user_id,
        form.name.trim(),
        scopes,
        form.expires_days.unwrap_or(90),
    )
    .await
    {
        Ok(token) => token,
        Err(err) => return profile_problem(&state, &user, "token", form.name, err).await,
    };
    profile_page(&state, &user, Some(token), Vec::new(), None).await
}

/// `POST /profile/tokens/{id}/revoke`.
pub async fn token_revoke(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    app::accounts::tokens::revoke_token(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    profile_page(
        &state,
        &user,
        None,
        Vec::new(),
        Some("profile.token_revoked"),
    )
    .await
}

/// `POST /profile/sign-out-everywhere`: every session ends, this one too.
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    user: User,
) -> Result<Response, PageError> {
    app::accounts::sessions::sign_out_everywhere(&state.app, &user.actor)
        .await
        .map_err(page_err(user.lang))?;
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, state.cfg.session_cookie(), "", Some(0), true),
    );
    Ok(resp)
}

// ---------------------------------------------------------------- user administration

/// An account as shown in the list.
pub struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    role_code: &'static str,
    disabled: bool,
    locked: bool,
    scopes: String,
    /// Scope codes by kind, to prefill the access form.
    scope_fields: Vec<(&'static str, &'static str, String)>,
    /// The account's address masked; empty without one.
    email: String,
}

#[derive(Template)]
#[template(path = "accounts/users.html")]
struct UsersPage {
    l: Layout,
    t: Tr,
    users: Vec<UserRow>,
    roles: Vec<(&'static str, &'static str)>,
    notice: Option<&'static str>,
}

async fn users_page(
    state: &AppState,
    user: &User,
    notice: Option<&'static str>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let list = app::accounts::users::list(&state.app, &user.actor)
        .await
        .map_err(page_err(lang))?;
    let associations = app::accounts::users::association_names(&state.app, &user.actor)
        .await
        .map_err(page_err(lang))?;
    let l = Layout::for_user(user);
    let t = l.t;
    let province = state.app.settings.home_province.as_str();
    let scope = |s: &app::accounts::users::Scope| match associations.get(&s.code) {
        Some(name) if s.kind == "association" => format!("{}: {name}", t.s("scope.association")),
        _ => t.scope(&s.kind, &s.code),
    };
    render(&UsersPage {
        t: l.t,
        l,
        users: list
            .into_iter()
            .map(|u| UserRow {
                id: u.id,
                username: u.username,
                display_name: u.display_name,
                role: u.role.label(lang.code()).to_owned(),
                role_code: u.role.code(),
                scope_fields: SCOPE_FIELDS
                    .iter()
                    .map(|(field, kind, label)| {
                        let names: Vec<String> = u
                            .scopes
                            .iter()
                            .filter(|s| s.kind == *kind)
                            .map(|s| scope_name(t, &s.kind, &s.code, province, &associations))
                            .collect();
                        (*field, *label, names.join(", "))
                    })
                    .collect(),
                disabled: u.disabled,
                locked: u.locked,
                scopes: u.scopes.iter().map(scope).collect::<Vec<_>>().join(", "),
                email: u.email_masked,
            })
            .collect(),
        roles: Role::ALL
            .iter()
            .filter(|r| **r != Role::Diaspora)
            .map(|r| (r.code(), r.label(lang.code())))
            .collect(),
        notice,
    })
}

/// Association names by id (as text).
type Names = std::collections::HashMap<String, String>;

/// A scope as its edit field shows it: the name that reads back to the same
/// code ("Thành Sen", "Hàn Quốc", "Công an tỉnh", an association's name),
/// or the code where no name is unambiguous.
fn scope_name(t: Tr, kind: &str, code: &str, province: &str, associations: &Names) -> String {
    let name = match kind {
        "new_commune" => domain::geo::new_commune(code).map(|c| c.short.to_owned()),
        "legacy_commune" => domain::geo::legacy_commune(code).map(|c| c.short.to_owned()),
        "legacy_district" => domain::geo::legacy_district(code).map(|d| d.short.to_owned()),
        "country" => domain::geo::country(code).map(|c| c.name_vi.to_owned()),
        "agency" => Some(t.label("agency", code)),
        "association" => associations.get(code).cloned(),
        _ => None,
    };
    match name {
        Some(n)
            if !n.contains([',', ';'])
                && scope_codes(kind, &n, province, associations) == Some(vec![code.to_owned()]) =>
        {
            n
        }
        _ => code.to_owned(),
    }
}

/// Form field, scope kind and label key of each kind of jurisdiction.
const SCOPE_FIELDS: [(&str, &str, &str); 6] = [
    ("new_communes", "new_commune", "users.new_communes"),
    ("legacy_communes", "legacy_commune", "users.legacy_communes"),
    (
        "legacy_districts",
        "legacy_district",
        "users.legacy_districts",
    ),
    ("countries", "country", "users.countries"),
    ("agency", "agency", "users.agency"),
    ("associations", "association", "users.associations"),
];

/// `GET /admin/users` (administrators).
pub async fn users(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    users_page(&state, &user, None).await
}

#[derive(Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(flatten)]
    access: AccessForm,
}

/// Role and jurisdiction fields (creation and later changes).
#[derive(Deserialize)]
pub struct AccessForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    new_communes: String,
    #[serde(default)]
    legacy_communes: String,
    #[serde(default)]
    legacy_districts: String,
    #[serde(default)]
    countries: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    associations: String,
}

impl AccessForm {
    /// The role and the scopes, each list separated by commas, semicolons
    /// or lines: names as people write them ("Thạch Hà", "Hàn Quốc",
    /// "Công an tỉnh") or codes ("18427", "KR", "police"); a part naming
    /// nothing is refused, naming its field.
    fn parse(
        &self,
        province: &str,
        associations: &Names,
    ) -> Result<(Role, Vec<app::accounts::users::Scope>), app::AppError> {
        let role = Role::from_code(self.role.trim()).map_err(|_| {
            app::AppError::Invalid(vec![app::FieldError::new("role", "invalid_code")])
        })?;
        let mut scopes = Vec::new();
        let mut errors = Vec::new();
        for (kind, field, text) in [
            ("new_commune", "new_communes", &self.new_communes),
            ("legacy_commune", "legacy_communes", &self.legacy_communes),
            (
                "legacy_district",
                "legacy_districts",
                &self.legacy_districts,
            ),
            ("country", "countries", &self.countries),
            ("agency", "agency", &self.agency),
            ("association", "associations", &self.associations),
        ] {
            for part in text.split([',', ';', '\n']).map(str::trim) {
                if part.is_empty() {
                    continue;
                }
                match scope_codes(kind, part, province, associations) {
                    Some(codes) => scopes.extend(
                        codes
                            .iter()
                            .map(|c| app::accounts::users::Scope::new(kind, c)),
                    ),
                    None => errors.push(app::FieldError::new(field, "unknown_scope")),
                }
            }
        }
        if errors.is_empty() {
            Ok((role, scopes))
        } else {
            Err(app::AppError::Invalid(errors))
        }
    }
}

/// The codes one part of a scope list names: codes separated by spaces
/// ("18427 18430", "KR JP"), or one name ("Thạch Hà", "Hàn Quốc"); a commune
/// or district named is looked for in the home province first and must be
/// the one of that name (an exact name, or the only one starting so).
fn scope_codes(
    kind: &str,
    part: &str,
    province: &str,
    associations: &Names,
) -> Option<Vec<String>> {
    let tokens: Vec<&str> = part.split_whitespace().collect();
    let digits = |t: &&str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    match kind {
        "new_commune" | "legacy_commune" | "legacy_district" | "association"
            if tokens.iter().all(digits) =>
        {
            Some(tokens.iter().map(|t| (*t).to_owned()).collect())
        }
        "country" => {
            if tokens.len() > 1
                && tokens
                    .iter()
                    .all(|t| t.len() == 2 && domain::geo::country(t).is_some())
            {
                return Some(tokens.iter().map(|t| t.to_uppercase()).collect());
            }
            domain::geo::countries::code_or_name(part).map(|c| vec![c.to_owned()])
        }
        "association" => {
            let q = domain::text::fold(part);
            let found: Vec<&String> = associations
                .iter()
                .filter(|(_, name)| domain::text::fold(name) == q)
                .map(|(id, _)| id)
                .collect();
            match found.as_slice() {
                [one] => Some(vec![(*one).clone()]),
                _ => None,
            }
        }
        "agency" => app::registry::values::filter_code("agency", part, None)
            .ok()
            .map(|c| vec![c]),
        "new_commune" | "legacy_commune" | "legacy_district" => {
            let field = if kind == "new_commune" {
                "commune"
            } else {
                kind
            };
            app::registry::values::filter_code(field, part, Some(province))
                .ok()
                .map(|c| vec![c])
        }
        _ => None,
    }
}

impl NewUserForm {
    /// The account to create; names in the scope lists are looked for in
    /// `province` first.
    fn into_new_user(
        self,
        province: &str,
        associations: &Names,
    ) -> Result<app::accounts::users::NewUser, app::AppError> {
        let (role, scopes) = self.access.parse(province, associations)?;
        Ok(app::accounts::users::NewUser {
            username: self.username,
            display_name: self.display_name,
            role,
            password: self.password,
            scopes,
        })
    }
}

/// `POST /admin/users/{id}/access`: changes role and jurisdiction; the
/// account's sessions end (it signs in again with a new session id).
pub async fn user_set_access(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(form): Form<AccessForm>,
) -> Result<Response, PageError> {
    let e = page_err(user.lang);
    let associations = app::accounts::users::association_names(&state.app, &user.actor)
        .await
        .map_err(&e)?;
    let (role, scopes) = form
        .parse(&state.app.settings.home_province, &associations)
        .map_err(&e)?;
    app::accounts::users::set_access(&state.app, &user.actor, id, role, scopes)
        .await
        .map_err(&e)?;
    users_page(&state, &user, Some("users.access_changed")).await
}

/// `POST /admin/users`: creates an account with its role and jurisdiction.
pub async fn user_create(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<NewUserForm>,
) -> Result<Response, PageError> {
    let e = page_err(user.lang);
    let associations = app::accounts::users::association_names(&state.app, &user.actor)
        .await
        .map_err(&e)?;
    let new = form
        .into_new_user(&state.app.settings.home_province, &associations)
        .map_err(&e)?;
    app::accounts::users::add(&state.app, &user.actor, new)
        .await
        .map_err(&e)?;
    users_page(&state, &user, Some("users.created")).await
}

/// `POST /admin/users/{id}/email`: sets or clears (empty) an account's
/// address for reminders and the language of its messages.
pub async fn user_set_email(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(form): Form<EmailForm>,
) -> Result<Response, PageError> {
    app::accounts::users::set_mail_contact(
        &state.app,
        &user.actor,
        id,
        &form.email,
        &form.mail_lang,
    )
    .await
    .map_err(page_err(user.lang))?;
    users_page(&state, &user, Some("portal.staff_mail.saved")).await
}

/// `POST /admin/users/{id}/disable`.
pub async fn user_disable(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    app::accounts::users::set_disabled(&state.app, &user.actor, id, true)
        .await
        .map_err(page_err(user.lang))?;
    users_page(&state, &user, Some("users.disabled")).await
}

/// `POST /admin/users/{id}/enable`.
pub async fn user_enable(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    app::accounts::users::set_disabled(&state.app, &user.actor, id, false)
        .await
        .map_err(page_err(user.lang))?;
    users_page(&state, &user, Some("users.enabled")).await
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

/// `POST /admin/users/{id}/password`: sets a new password, ends the
/// account's sessions and unlocks it.
pub async fn user_reset_password(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(form): Form<ResetForm>,
) -> Result<Response, PageError> {
    app::accounts::users::reset_password(&state.app, &user.actor, id, &form.password)
        .await
        .map_err(page_err(user.lang))?;
    users_page(&state, &user, Some("users.password_reset")).await
}

/// `POST /admin/users/{id}/mfa-reset`: clears a user's two-factor setup.
pub async fn user_mfa_reset(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    app::accounts::mfa::reset(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    users_page(&state, &user, Some("users.mfa_reset_done")).await
}

// ---------------------------------------------------------------- audit browser

/// Filters of the audit browser (query string).
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct AuditQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    actor: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    action: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    entity: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    entity_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    before: Option<i64>,
}

const AUDIT_PAGE: i64 = 50;

impl AuditQuery {
    pub(super) fn filter(&self, limit: i64) -> app::audit::Filter {
        let opt = |s: &String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        app::audit::Filter {
            actor: opt(&self.actor),
            action: opt(&self.action),
            entity: opt(&self.entity),
            entity_id: opt(&self.entity_id),
            before_id: self.before,
            limit,
        }
    }

    fn query_string(&self, before: Option<i64>) -> String {
        let q = AuditQuery {
            actor: self.actor.clone(),
            action: self.action.clone(),
            entity: self.entity.clone(),
            entity_id: self.entity_id.clone(),
            before,
        };
        serde_urlencoded::to_string(&q).unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "accounts/audit.html")]
struct AuditPage {
    l: Layout,
    t: Tr,
    q: AuditQuery,
    rows: Vec<app::audit::Entry>,
    next: Option<String>,
    export: String,
    /// The filter's choices, `(code, words)`.
    actions: Vec<(String, String)>,
    entities: Vec<(String, String)>,
}

/// `GET /audit` (administrators and province officers): newest first,
/// filtered, paged by id.
pub async fn audit(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let rows = app::audit::list(&state.app.db, &user.actor, &q.filter(AUDIT_PAGE))
        .await
        .map_err(page_err(user.lang))?;
    let next = (i64::try_from(rows.len()).unwrap_or(0) == AUDIT_PAGE)
        .then(|| rows.last().map(|r| q.query_string(Some(r.id))))
        .flatten();
    let export = q.query_string(None);
    let l = Layout::for_user(&user);
    render(&AuditPage {
        actions: l.t.audit_actions(),
        entities: l.t.audit_entities(),
        t: l.t,
        l,
        q,
        rows,
        next,
        export,
    })
}

/// `GET /audit/export.xlsx`: the filtered log as a workbook (audited).
pub async fn audit_export(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let describe = move |e: &app::audit::Entry| {
        let line = t.audit(e);
        let details: Vec<String> = line
            .details
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        vec![t.time(&e.at), line.sentence, details.join("; ")]
    };
    let readable = app::audit::Readable {
        headings: ["audit.at", "audit.action", "audit.details"]
            .iter()
            .map(|k| t.s(k).to_owned())
            .collect(),
        describe: &describe,
    };
    let bytes = app::audit::export_xlsx(&state.app, &user.actor, &q.filter(1000), &readable)
        .await
        .map_err(page_err(user.lang))?;
    Ok(crate::pages::attachment(
        bytes,
        crate::pages::XLSX,
        "audit.xlsx",
    ))
}
