//! Import pages and API: templates, upload, the validation report with the
//! column mapping, progress, commit and undo. Every handler calls
//! `app::intake::import`, which checks access.

use app::AppError;
use app::intake::import::{self, RowReport, Summary};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Redirect, Response};
use domain::Agency;
use serde::Deserialize;

use crate::AppState;
use crate::error::PageError;
use crate::extract::User;
use crate::i18n::{Lang, Tr};
use crate::pages::{Layout, XLSX, attachment, page_err, render};

/// Rows shown on the page (the xlsx report has them all).
const PAGE_ROWS: i64 = 200;

/// A message of the report, translated: "Field: what is wrong — detail".
pub fn message_text(t: Tr, field: &str, code: &str, arg: &str) -> String {
    let field_label = t.s(&format!("field.{field}")).to_owned();
    let code_key = format!("code.{code}");
    let mut text = t.s(&code_key).to_owned();
    if text == code_key {
        code.clone_into(&mut text);
    }
    if arg.is_empty() {
        format!("{field_label}: {text}")
    } else {
        format!("{field_label}: {text} — {arg}")
    }
}

/// The failure of an import ("import.code|arg"), translated.
pub fn failure_text(t: Tr, failure: &str) -> String {
    if failure.is_empty() {
        return String::new();
    }
    let (key, arg) = failure.split_once('|').unwrap_or((failure, ""));
    let text = t.s(key).to_owned();
    if arg.is_empty() {
        text
    } else {
        format!("{text} ({arg})")
    }
}

fn sources(lang: Lang) -> Vec<(&'static str, &'static str)> {
    Agency::ALL
        .iter()
        .map(|a| (a.code(), a.label(lang.code())))
        .collect()
}

fn agency_of(actor: &app::Actor) -> Option<String> {
    match &actor.jurisdiction {
        app::Jurisdiction::Agency(a) => Some(a.clone()),
        _ => None,
    }
}

// ---------------------------------------------------------------- list and upload

#[derive(Template)]
#[template(path = "intake/imports/list.html")]
struct ListPage {
    l: Layout,
    t: Tr,
    imports: Vec<Summary>,
    sources: Vec<(&'static str, &'static str)>,
    own_source: Option<String>,
    max_mb: u64,
}

/// `GET /imports`: the imports one may see, the templates and the upload form.
pub async fn list(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let imports = import::list(&state.app, &user.actor, 100)
        .await
        .map_err(page_err(user.lang))?;
    let l = Layout::for_user(&user);
    render(&ListPage {
        t: l.t,
        l,
        imports,
        sources: sources(user.lang),
        own_source: agency_of(&user.actor),
        max_mb: state.app.settings.import_limits.max_file_bytes / (1024 * 1024),
    })
}

/// `POST /imports` (multipart: `source`, `survey_round`, `file`): starts an import
/// and shows its page, where progress is polled.
pub async fn upload(
    State(state): State<AppState>,
    user: User,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let bad = |field: &str, code: &str| PageError {
        err: AppError::Invalid(vec![app::FieldError::new(field, code)]),
        lang,
    };
    let (mut source, mut round, mut file_name, mut bytes) =
        (String::new(), String::new(), String::new(), None);
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| bad("file", "upload_broken"))?
    {
        match field.name().unwrap_or("") {
            "source" => source = field.text().await.map_err(|_| bad("source", "required"))?,
            "survey_round" => {
                round = field
                    .text()
                    .await
                    .map_err(|_| bad("survey_round", "too_long"))?;
            }
            "file" => {
                file_name = field.file_name().unwrap_or("").to_owned();
                bytes = Some(
                    field
                        .bytes()
                        .await
                        .map_err(|_| bad("file", "upload_broken"))?,
                );
            }
            _ => {}
        }
    }
    let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
        return Err(bad("file", "required"));
    };
    let id = import::start(
        &state.app,
        &user.actor,
        source.trim(),
        &round,
        &file_name,
        bytes.to_vec(),
    )
    .await
    .map_err(page_err(lang))?;
    Ok(Redirect::to(&format!("/imports/{id}")).into_response())
}

/// `GET /imports/template/{source}`: the xlsx template of a source.
pub async fn template(
    State(state): State<AppState>,
    _user: User,
    Path(source): Path<String>,
) -> Result<Response, PageError> {
    let source = source.trim_end_matches(".xlsx");
    let agency = Agency::from_code(source).map_err(|_| PageError::from(AppError::NotFound))?;
    let province = domain::geo::new_provinces()
        .iter()
        .find(|p| {
            domain::text::fold(p.name) == domain::text::fold(&state.app.settings.home_province)
        })
        .map_or("42", |p| p.code);
    let bytes = import::files::template(agency, province)
        .map_err(|e| PageError::from(AppError::Unexpected(e)))?;
    Ok(attachment(
        bytes,
        XLSX,
        &format!("mau-danh-sach-{}.xlsx", agency.code()),
    ))
}

// ---------------------------------------------------------------- one import

/// One column of the mapping form.
pub struct MapColumn {
    index: usize,
    header: String,
    /// (field key, label, selected)
    options: Vec<(&'static str, String, bool)>,
}

/// One row of the report as shown.
pub struct ShownRow {
    row_no: i64,
    cells: Vec<(String, &'static str)>,
    messages: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "intake/imports/show.html")]
struct ShowPage {
    l: Layout,
    t: Tr,
    s: Summary,
    failure: String,
    columns: Vec<MapColumn>,
    rows: Vec<ShownRow>,
    undo_removed: i64,
    undo_kept: Vec<i64>,
}

#[derive(Template)]
#[template(path = "intake/imports/progress.html")]
struct ProgressFragment {
    t: Tr,
    s: Summary,
}

fn shown_rows(t: Tr, rows: Vec<RowReport>) -> Vec<ShownRow> {
    rows.into_iter()
        .map(|r| {
            let cells = r
                .cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let class = if r.errors.iter().any(|m| m.column == Some(i)) {
                        "cell-error"
                    } else if r.warnings.iter().any(|m| m.column == Some(i)) {
                        "cell-warning"
                    } else {
                        ""
                    };
                    (c.clone(), class)
                })
                .collect();
            let mut messages = Vec::new();
            for m in &r.errors {
                messages.push(("error", message_text(t, &m.field, &m.code, &m.arg)));
            }
            for m in &r.warnings {
                messages.push(("warning", message_text(t, &m.field, &m.code, &m.arg)));
            }
            ShownRow {
                row_no: r.row_no,
                cells,
                messages,
            }
        })
        .collect()
}

async fn show_page(state: &AppState, user: &User, id: i64) -> Result<Response, PageError> {
    let lang = user.lang;
    let s = import::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(lang))?;
    let t = Tr::new(lang);
    let rows = if s.status == "validated" || s.status == "committed" {
        import::rows(&state.app, &user.actor, id, true, PAGE_ROWS)
            .await
            .map_err(page_err(lang))?
    } else {
        Vec::new()
    };
    let columns = s
        .headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let current = s.mapping.get(i).map_or("", String::as_str);
            let mut options = vec![(
                "",
                t.s("import.ignore_column").to_owned(),
                current.is_empty(),
            )];
            let own = Agency::from_code(&s.source)
                .into_iter()
                .flat_map(import::mapping::own_fields);
            options.extend(import::mapping::FIELDS.iter().chain(own).map(|f| {
                (
                    f.key,
                    t.s(&format!("field.{}", f.key)).to_owned(),
                    f.key == current,
                )
            }));
            MapColumn {
                index: i,
                header: h.clone(),
                options,
            }
        })
        .collect();
    let undo: import::UndoReport = serde_json::from_str(&s.undo_report).unwrap_or_default();
    let l = Layout::for_user(user);
    render(&ShowPage {
        t: l.t,
        l,
        failure: failure_text(t, &s.failure),
        s,
        columns,
        rows: shown_rows(t, rows),
        undo_removed: undo.removed,
        undo_kept: undo.kept_edited,
    })
}

/// `GET /imports/{id}`: status, mapping, validation report, actions.
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    show_page(&state, &user, id).await
}

/// `GET /imports/{id}/progress`: the progress bar (polled by htmx while a
/// step runs; once done it asks the browser to reload the page).
pub async fn progress(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let s = import::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    let busy = s.busy();
    let mut resp = render(&ProgressFragment {
        t: Tr::new(user.lang),
        s,
    })?;
    if !busy {
        resp.headers_mut()
            .insert("hx-refresh", HeaderValue::from_static("true"));
    }
    Ok(resp)
}

/// `POST /imports/{id}/mapping`: fields `col0`, `col1`, ... name the field of
/// each column; the rows are validated again.
pub async fn remap(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let s = import::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(lang))?;
    let mut mapping = vec![String::new(); s.headers.len()];
    for (k, v) in form {
        if let Some(i) = k.strip_prefix("col").and_then(|i| i.parse::<usize>().ok())
            && i < mapping.len()
        {
            mapping[i] = v;
        }
    }
    import::remap(&state.app, &user.actor, id, mapping)
        .await
        .map_err(page_err(lang))?;
    Ok(Redirect::to(&format!("/imports/{id}")).into_response())
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct CommitForm {
    /// "on" (checkbox) or "true": merge the people very likely already registered.
    auto_merge: String,
}

impl CommitForm {
    pub(crate) fn auto_merge(&self) -> bool {
        matches!(self.auto_merge.as_str(), "on" | "true" | "1")
    }
}

/// `POST /imports/{id}/commit`: writes the valid rows (in the background).
pub async fn commit(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<CommitForm>,
) -> Result<Response, PageError> {
    import::commit(&state.app, &user.actor, id, f.auto_merge())
        .await
        .map_err(page_err(user.lang))?;
    Ok(Redirect::to(&format!("/imports/{id}")).into_response())
}

/// `POST /imports/{id}/undo`: removes what the import created (people
/// edited since are kept and listed).
pub async fn undo(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    import::undo(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    Ok(Redirect::to(&format!("/imports/{id}")).into_response())
}

/// `GET /imports/{id}/report.xlsx`: every row with a problem, problem cells
/// highlighted, messages in an added column.
pub async fn report(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let s = import::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(lang))?;
    let rows = import::rows(&state.app, &user.actor, id, true, i64::MAX)
        .await
        .map_err(page_err(lang))?;
    let t = Tr::new(lang);
    let tr = |kind: &str, field: &str, code_arg: &str| {
        let (code, arg) = code_arg.split_once('|').unwrap_or((code_arg, ""));
        format!(
            "[{}] {}",
            t.s(&format!("import.{kind}")),
            message_text(t, field, code, arg)
        )
    };
    let bytes = import::files::report(&s, &rows, &tr)
        .map_err(|e| PageError::from(AppError::Unexpected(e)))?;
    Ok(attachment(
        bytes,
        XLSX,
        &format!("bao-cao-kiem-tra-{id}.xlsx"),
    ))
}
