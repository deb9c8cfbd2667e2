//! Import templates and uploads of associations, investment projects and
//! contributions (see [`app::community::imports`]): the template (.xlsx) to download,
//! the upload page under each list, and `POST /api/v1/{kind}/import`
//! (multipart `file`). All or nothing; every problem names its row and
//! column.

use app::community::imports::{self, Outcome, Vocabulary};
use askama::Template;
use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;
use crate::access::{Access, Route, route};
use crate::error::{ApiError, PageError};
use crate::extract::{ApiUser, User};
use crate::i18n::{Lang, Tr};
use crate::pages::{Layout, XLSX, attachment, page_err, render};

/// Coded values in words: a code, or its label in Vietnamese or English
/// (with or without marks).
fn code_of(kind: &str, text: &str) -> Option<String> {
    let want = domain::text::fold(text.trim());
    imports::codes(kind)
        .iter()
        .find(|c| {
            [Lang::Vi, Lang::En]
                .iter()
                .any(|l| domain::text::fold(&Tr::new(*l).label(kind, c)) == want)
                || domain::text::fold(c) == want
        })
        .map(|c| (*c).to_owned())
}

fn label_vi(kind: &str, code: &str) -> String {
    Tr::new(Lang::Vi).label(kind, code)
}

/// The vocabulary of the pages' labels.
pub fn vocabulary() -> Vocabulary<'static> {
    Vocabulary {
        code_of: &code_of,
        label: &label_vi,
    }
}

fn kind_of(path: &str) -> &'static str {
    if path.contains("project") {
        "projects"
    } else if path.contains("contribution") {
        "contributions"
    } else {
        "associations"
    }
}

/// The list a kind's import page goes back to, and the page's own path.
fn paths_of(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "projects" => ("/investment", "/investment/projects/import"),
        "contributions" => (
            "/investment/contributions",
            "/investment/contributions/import",
        ),
        _ => ("/associations", "/associations/import"),
    }
}

async fn file_of(form: &mut Multipart) -> (String, Vec<u8>) {
    let mut out = (String::new(), Vec::new());
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("danh-sach.xlsx").to_owned();
            let bytes = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
            out = (name, bytes);
        }
    }
    out
}

async fn api_import(
    state: &AppState,
    actor: &app::Actor,
    kind: &str,
    mut form: Multipart,
) -> Result<Response, ApiError> {
    let (name, bytes) = file_of(&mut form).await;
    if bytes.is_empty() {
        return Err(app::AppError::invalid_field("file", "required").into());
    }
    let o = imports::import(&state.app, actor, kind, &name, &bytes, &vocabulary()).await?;
    if o.problems.is_empty() {
        return Ok((StatusCode::CREATED, Json(o)).into_response());
    }
    // problem+json, with the rows and columns beside the fields.
    let body = serde_json::json!({
        "type": "https://kieubao.invalid/problems/import_refused",
        "title": "Unprocessable Entity",
        "status": 422,
        "code": "import_refused",
        "message": "Nothing was imported: every problem is listed with its row and column.",
        "errors": o.problems.iter().map(|p| serde_json::json!({"field": p.field, "code": p.code})).collect::<Vec<_>>(),
        "problems": o.problems,
    });
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        [(axum::http::header::CONTENT_TYPE, "application/problem+json")],
        serde_json::to_vec(&body).unwrap_or_default(),
    )
        .into_response())
}

/// The upload's body.
#[derive(utoipa::ToSchema)]
#[allow(dead_code, reason = "documents the multipart body")]
pub struct ImportUpload {
    /// The list, .xlsx or .csv.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// `POST /api/v1/associations/import`: associations from a list (all or nothing).
#[utoipa::path(
    post,
    path = "/api/v1/associations/import",
    tag = "associations",
    request_body(content = ImportUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Every row created (each audited, first version of its history); a mission's rows in its countries only.", body = Outcome),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, description = "Nothing written: `problems` lists every problem with its row (as in the sheet) and column (its header).", body = crate::problems::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn associations_api(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    form: Multipart,
) -> Result<Response, ApiError> {
    api_import(&state, &actor, "associations", form).await
}

/// `POST /api/v1/projects/import`: investment projects from a list (all or nothing).
#[utoipa::path(
    post,
    path = "/api/v1/projects/import",
    tag = "investment",
    request_body(content = ImportUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Every row created, proposed as of today (each audited, first version of its history); a commune officer's rows in its communes only.", body = Outcome),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, description = "Nothing written: `problems` lists every problem with its row (as in the sheet) and column (its header).", body = crate::problems::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn projects_api(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    form: Multipart,
) -> Result<Response, ApiError> {
    api_import(&state, &actor, "projects", form).await
}

/// `POST /api/v1/contributions/import`: contributions from a list (all or nothing).
#[utoipa::path(
    post,
    path = "/api/v1/contributions/import",
    tag = "investment",
    request_body(content = ImportUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Every row created (each audited, first version of its history); donors are registry people the caller may see, associations or enterprises within reach; a commune officer's rows to its communes only.", body = Outcome),
        (status = 401, response = crate::problems::Unauthorized),
        (status = 403, response = crate::problems::Forbidden),
        (status = 422, description = "Nothing written: `problems` lists every problem with its row (as in the sheet) and column (its header); a donor that names no one (`donor_not_found`) or several (`donor_ambiguous`, with `candidates`) is never guessed.", body = crate::problems::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn contributions_api(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    form: Multipart,
) -> Result<Response, ApiError> {
    api_import(&state, &actor, "contributions", form).await
}

/// `GET /associations/import/template.xlsx`, `/investment/projects/import/template.xlsx`
/// and `/investment/contributions/import/template.xlsx`.
pub async fn template(
    State(_state): State<AppState>,
    user: User,
    uri: axum::http::Uri,
) -> Result<Response, PageError> {
    let kind = kind_of(uri.path());
    let bytes = imports::template(kind, &vocabulary()).map_err(page_err(user.lang))?;
    Ok(attachment(bytes, XLSX, &format!("mau-nhap-{kind}.xlsx")))
}

#[derive(Template)]
#[template(path = "community/import.html")]
struct ImportPage {
    l: Layout,
    t: Tr,
    title: String,
    back: &'static str,
    action: String,
    created: usize,
    problems: Vec<(u32, String, String)>,
    error: String,
}

fn page_for(
    user: &User,
    kind: &'static str,
    o: Option<&Outcome>,
    error: String,
) -> Result<Response, PageError> {
    let l = Layout::for_user(user);
    let t = l.t;
    let (back, action) = paths_of(kind);
    let problems = o
        .map(|o| {
            o.problems
                .iter()
                .map(|p| {
                    let namesakes = if p.candidates.is_empty() {
                        String::new()
                    } else {
                        format!(" {}", p.candidates.join("; "))
                    };
                    let what = format!(
                        "{}: {}{namesakes}",
                        t.field(&p.field),
                        t.s(&format!("code.{}", p.code))
                    );
                    (p.row, p.column.clone(), what)
                })
                .collect()
        })
        .unwrap_or_default();
    let mut resp = render(&ImportPage {
        title: t.s(&format!("imports.title_{kind}")).to_owned(),
        back,
        action: action.to_owned(),
        created: o.map_or(0, |o| o.created.len()),
        problems,
        error,
        l,
        t,
    })?;
    if o.is_some_and(|o| !o.problems.is_empty()) {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

/// `GET /associations/import`, `GET /investment/projects/import`,
/// `GET /investment/contributions/import`: the upload page.
pub async fn form(user: User, uri: axum::http::Uri) -> Result<Response, PageError> {
    let kind = kind_of(uri.path());
    let may = match kind {
        "projects" => app::community::projects::may_edit(&user.actor),
        "contributions" => app::community::contributions::may_edit(&user.actor),
        _ => app::community::associations::may_create(&user.actor),
    };
    if !may {
        return Err(PageError {
            err: app::AppError::Forbidden,
            lang: user.lang,
        });
    }
    page_for(&user, kind, None, String::new())
}

/// `POST /associations/import?csrf=`, `POST /investment/projects/import?csrf=`,
/// `POST /investment/contributions/import?csrf=` (multipart `file`).
pub async fn upload(
    State(state): State<AppState>,
    user: User,
    uri: axum::http::Uri,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let kind = kind_of(uri.path());
    let (name, bytes) = file_of(&mut form).await;
    if bytes.is_empty() {
        let t = Tr::new(user.lang);
        let mut resp = page_for(
            &user,
            kind,
            None,
            format!("{}: {}", t.field("file"), t.s("code.required")),
        )?;
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(resp);
    }
    let o = imports::import(&state.app, &user.actor, kind, &name, &bytes, &vocabulary())
        .await
        .map_err(page_err(user.lang))?;
    page_for(&user, kind, Some(&o), String::new())
}

/// The routes, each classified.
pub fn routes() -> Vec<Route> {
    use Access::{Session, Token};
    let assoc = "province officers, missions (in their countries)";
    let proj = "province officers, commune officers (in their communes)";
    let contrib = "province officers, commune officers (to their communes), missions (donors of their countries)";
    vec![
        route("GET", "/associations/import", Session, assoc, get(form)),
        route(
            "POST",
            "/associations/import",
            Session,
            assoc,
            axum::routing::post(upload),
        ),
        route(
            "GET",
            "/associations/import/template.xlsx",
            Session,
            assoc,
            get(template),
        ),
        route(
            "GET",
            "/investment/projects/import",
            Session,
            proj,
            get(form),
        ),
        route(
            "POST",
            "/investment/projects/import",
            Session,
            proj,
            axum::routing::post(upload),
        ),
        route(
            "GET",
            "/investment/projects/import/template.xlsx",
            Session,
            proj,
            get(template),
        ),
        route(
            "GET",
            "/investment/contributions/import",
            Session,
            contrib,
            get(form),
        ),
        route(
            "POST",
            "/investment/contributions/import",
            Session,
            contrib,
            axum::routing::post(upload),
        ),
        route(
            "GET",
            "/investment/contributions/import/template.xlsx",
            Session,
            contrib,
            get(template),
        ),
        route(
            "POST",
            "/api/v1/associations/import",
            Token,
            "write scope; province officers, missions (in their countries)",
            axum::routing::post(associations_api),
        ),
        route(
            "POST",
            "/api/v1/projects/import",
            Token,
            "write scope; province officers, commune officers (in their communes)",
            axum::routing::post(projects_api),
        ),
        route(
            "POST",
            "/api/v1/contributions/import",
            Token,
            "write scope; province officers, commune officers (to their communes), missions (donors of their countries)",
            axum::routing::post(contributions_api),
        ),
    ]
}
