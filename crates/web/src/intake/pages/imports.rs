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

/// One message of a row as a sentence naming the column as the file heads
/// it and the value as typed: `Cột "Nước" ("Nhật Bổn"): Quốc gia không có
/// trong danh mục — Nhật Bản`. The page, the xlsx report and the command
/// line all print this sentence.
pub fn row_message(
    t: Tr,
    headers: &[String],
    cells: &[String],
    m: &import::validate::Message,
) -> String {
    let field_label = t.s(&format!("field.{}", m.field)).to_owned();
    let code_key = format!("code.{}", m.code);
    let mut text = t.s(&code_key).to_owned();
    if text == code_key {
        t.s("code.invalid").clone_into(&mut text);
    }
    let header = m
        .column
        .and_then(|c| headers.get(c))
        .map(|h| h.trim())
        .filter(|h| !h.is_empty());
    let value = m
        .column
        .and_then(|c| cells.get(c))
        .map(|v| v.trim())
        .filter(|v| !v.is_empty());
    let mut out = match header {
        Some(h) if domain::text::fold(h) == domain::text::fold(&field_label) => {
            format!("{} \"{h}\"", t.s("import.column"))
        }
        Some(h) => format!("{} \"{h}\" ({field_label})", t.s("import.column")),
        None => field_label,
    };
    if let Some(v) = value {
        out.push_str(" = \"");
        out.push_str(v);
        out.push('"');
    }
    out.push_str(": ");
    out.push_str(&text);
    if !m.arg.is_empty() && Some(m.arg.as_str()) != value {
        out.push_str(" — ");
        out.push_str(&m.arg);
    }
    out
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
    } else if text.ends_with(':') {
        format!("{text} {arg}")
    } else {
        format!("{text} ({arg})")
    }
}

/// True for the refusal of a file that is not a spreadsheet.
pub fn is_wrong_type(e: &AppError) -> bool {
    matches!(e, AppError::Invalid(f) if f.iter().any(|f| f.code == "not_a_spreadsheet"))
}

/// "Tệp «x.docx» không phải bảng tính (xlsx, xls, ods, csv)".
pub fn wrong_type_text(t: Tr, file_name: &str) -> String {
    format!(
        "{} «{}» {}",
        t.s("import.file_word"),
        file_name,
        t.s("import.not_a_spreadsheet")
    )
}

fn sources(lang: Lang) -> Vec<(&'static str, &'static str)> {
    // What people declare on the portal is no list to import, and an
    // exchange file is received at /exchange/imports.
    Agency::ALL
        .iter()
        .filter(|a| !matches!(**a, Agency::SelfDeclared | Agency::Exchange))
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
    /// Declared survey rounds `(code, name)`, offered for the new list.
    survey_rounds: Vec<(String, String)>,
}

/// `GET /imports`: the imports one may see, the templates and the upload form.
pub async fn list(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let imports = import::list(&state.app, &user.actor, 100)
        .await
        .map_err(page_err(user.lang))?;
    // Offered as suggestions; a list may also open a new round.
    let survey_rounds = match app::registry::people::survey_rounds(&state.app, &user.actor).await {
        Err(app::AppError::Forbidden) => Vec::new(),
        other => other.map_err(page_err(user.lang))?,
    };
    let l = Layout::for_user(&user);
    render(&ListPage {
        t: l.t,
        l,
        imports,
        survey_rounds,
        sources: sources(user.lang),
        own_source: agency_of(&user.actor),
        // The smaller of the list limit and the request limit: what a file
        // can really be.
        max_mb: state
            .app
            .settings
            .import_limits
            .max_file_bytes
            .min(state.cfg.body_limit() as u64)
            / (1024 * 1024),
    })
}

/// Receives an uploaded file as it arrives, through a spool on disk
/// (`import::read::Spool`): a few kilobytes in memory per upload until it
/// is complete; an over-long line or an over-large file is refused as soon
/// as it passes the limit, a file that is not a spreadsheet before it is
/// read back. Errors are field errors of `file`.
pub(crate) async fn receive<S, E>(
    app: &app::App,
    file_name: &str,
    mut stream: S,
) -> Result<Received, AppError>
where
    S: futures_util::Stream<Item = Result<axum::body::Bytes, E>> + Unpin,
{
    let refuse = |code: &str| AppError::Invalid(vec![app::FieldError::new("file", code)]);
    let mut spool = import::read::Spool::new(&app.settings.import_limits).map_err(|e| {
        tracing::error!(error = %e, "cannot create an upload spool");
        refuse("upload_broken")
    })?;
    while let Some(chunk) = futures_util::StreamExt::next(&mut stream).await {
        let chunk = chunk.map_err(|_| refuse("upload_broken"))?;
        spool.feed(&chunk).map_err(|e| refuse(e.code))?;
    }
    if spool.is_empty() {
        return Err(refuse("required"));
    }
    // Read back and stored a few at a time: the others wait on disk.
    let slot = app
        .upload_slots
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| AppError::Unexpected(e.into()))?;
    let name = file_name.to_owned();
    let bytes = tokio::task::spawn_blocking(move || spool.finish(&name))
        .await
        .map_err(|_| refuse("upload_broken"))?
        .map_err(|e| refuse(e.code))?;
    Ok(Received { bytes, _slot: slot })
}

/// A received upload, and its turn to be stored (held until it is).
pub(crate) struct Received {
    pub(crate) bytes: Vec<u8>,
    _slot: tokio::sync::OwnedSemaphorePermit,
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
                // The form sends the source first; a refused caller's file
                // is not received.
                import::may_submit(&user.actor, Some(source.trim()).filter(|s| !s.is_empty()))
                    .map_err(page_err(lang))?;
                bytes = Some(receive(&state.app, &file_name, field).await);
            }
            _ => {}
        }
    }
    let started = match bytes {
        None => Err(AppError::Invalid(vec![app::FieldError::new(
            "file", "required",
        )])),
        Some(Err(e)) => Err(e),
        Some(Ok(received)) => {
            import::start(
                &state.app,
                &user.actor,
                source.trim(),
                &round,
                &file_name,
                received.bytes,
            )
            .await
        }
    };
    let id = match started {
        Ok(id) => id,
        Err(e) if is_wrong_type(&e) => {
            // Nothing was recorded: say which file, and what is accepted.
            return Ok(crate::error::error_page(
                lang,
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "error.invalid",
                vec![wrong_type_text(Tr::new(lang), &file_name)],
            ));
        }
        Err(e) => return Err(page_err(lang)(e)),
    };
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
    /// The header as read: "row 4: STT | Họ và tên | ...".
    header_cells: String,
    /// The first rows of the sheet: (row number, label, selected).
    head_options: Vec<(u32, String, bool)>,
    /// The sheets: (name, selected).
    sheet_options: Vec<(String, bool)>,
    /// The source agency's name.
    source_label: String,
}

#[derive(Template)]
#[template(path = "intake/imports/progress.html")]
struct ProgressFragment {
    t: Tr,
    s: Summary,
}

fn shown_rows(t: Tr, headers: &[String], rows: Vec<RowReport>) -> Vec<ShownRow> {
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
                messages.push(("error", row_message(t, headers, &r.cells, m)));
            }
            for m in &r.warnings {
                messages.push(("warning", row_message(t, headers, &r.cells, m)));
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
    let header_cells = s
        .headers
        .iter()
        .filter(|h| !h.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" | ");
    let row_word = t.s("import.row");
    let head_options = s
        .head_rows
        .iter()
        .map(|(n, text)| {
            (
                *n,
                format!("{row_word} {n}: {text}"),
                i64::from(*n) == s.header_row,
            )
        })
        .collect();
    let sheet_options = s
        .sheets
        .iter()
        .map(|n| (n.clone(), *n == s.sheet))
        .collect();
    let l = Layout::for_user(user);
    let rows = shown_rows(t, &s.headers, rows);
    let source_label = Agency::from_code(&s.source)
        .map_or_else(|_| s.source.clone(), |a| a.label(lang.code()).to_owned());
    render(&ShowPage {
        source_label,
        header_cells,
        head_options,
        sheet_options,
        t: l.t,
        l,
        failure: failure_text(t, &s.failure),
        s,
        columns,
        rows,
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
pub struct LayoutForm {
    sheet: String,
    header_row: String,
}

/// `POST /imports/{id}/layout` (fields `sheet`, `header_row`): reads the
/// file again with that sheet or header row. A new sheet's header is found
/// again unless a row is chosen with it.
pub async fn layout(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<LayoutForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let s = import::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(lang))?;
    let sheet = Some(f.sheet.trim().to_owned()).filter(|n| !n.is_empty());
    let same_sheet = sheet.as_deref().is_none_or(|n| n == s.sheet);
    let header_row = f
        .header_row
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|_| same_sheet);
    import::reshape(&state.app, &user.actor, id, sheet, header_row)
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
    let tr = |kind: &str, cells: &[String], m: &import::validate::Message| {
        format!(
            "[{}] {}",
            t.s(&format!("import.{kind}")),
            row_message(t, &s.headers, cells, m)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 19: every field the column mapping offers, for every source
    /// (its own fields too), and every field a row message may name, has a
    /// label in both languages — the select never shows `field.household_head`.
    #[test]
    fn every_mapping_choice_has_a_label_in_both_languages() {
        for lang in [Lang::Vi, Lang::En] {
            let t = Tr::new(lang);
            for source in Agency::ALL {
                for f in import::mapping::FIELDS
                    .iter()
                    .chain(import::mapping::own_fields(*source))
                {
                    let key = format!("field.{}", f.key);
                    assert_ne!(t.s(&key), key, "{lang:?}: {source} {}", f.key);
                }
            }
            for field in [
                "head_name",
                "commune_code",
                "relationship",
                "status",
                "sheet",
                "header_row",
            ] {
                let key = format!("field.{field}");
                assert_ne!(t.s(&key), key, "{lang:?}: {field}");
            }
        }
    }
}
