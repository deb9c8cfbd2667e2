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
            options.extend(import::mapping::FIELDS.iter().map(|f| {
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

/// Messages of the import pages, Vietnamese then English.
pub static MESSAGES: &[(&str, &str, &str)] = &[
    ("nav.imports", "Nhập danh sách", "Imports"),
    (
        "import.title",
        "Nhập danh sách từ các cơ quan",
        "Import lists from agencies",
    ),
    (
        "import.templates",
        "Tải mẫu danh sách",
        "Download a list template",
    ),
    ("import.upload", "Tải lên danh sách", "Upload a list"),
    (
        "import.file",
        "Tệp (xlsx, xls, ods, csv)",
        "File (xlsx, xls, ods, csv)",
    ),
    (
        "import.max_size",
        "Dung lượng tối đa (MB)",
        "Largest size (MB)",
    ),
    ("import.source", "Nguồn", "Source"),
    ("import.survey_round", "Đợt điều tra", "Survey round"),
    ("import.start", "Tải lên và kiểm tra", "Upload and check"),
    ("import.none", "Chưa có lần nhập nào.", "No imports yet."),
    ("import.status", "Trạng thái", "Status"),
    ("import.rows", "Số dòng", "Rows"),
    ("import.valid", "Hợp lệ", "Valid"),
    ("import.errors", "Có lỗi", "With errors"),
    ("import.warnings", "Có cảnh báo", "With warnings"),
    ("import.created", "Đã tạo", "Created"),
    ("import.by", "Người nhập", "By"),
    ("import.at", "Lúc", "At"),
    ("import.heading", "Lần nhập", "Import"),
    ("import.error", "Lỗi", "Error"),
    ("import.warning", "Cảnh báo", "Warning"),
    ("import.row", "Dòng", "Row"),
    ("import.messages", "Lỗi và cảnh báo", "Errors and warnings"),
    (
        "import.mapping",
        "Cột trong tệp và trường tương ứng",
        "File columns and the fields they fill",
    ),
    (
        "import.mapping_hint",
        "Sửa nếu hệ thống nhận sai cột; cách ghép được ghi nhớ cho nguồn này.",
        "Correct any column recognised wrongly; the mapping is remembered for this source.",
    ),
    (
        "import.ignore_column",
        "— bỏ qua cột này —",
        "— ignore this column —",
    ),
    (
        "import.revalidate",
        "Lưu cách ghép và kiểm tra lại",
        "Save the mapping and check again",
    ),
    (
        "import.report",
        "Tải báo cáo kiểm tra (xlsx)",
        "Download the validation report (xlsx)",
    ),
    (
        "import.commit",
        "Ghi các dòng hợp lệ vào cơ sở dữ liệu",
        "Write the valid rows to the registry",
    ),
    (
        "import.commit_hint",
        "Các dòng có lỗi không được ghi; sửa tệp rồi tải lên lại để bổ sung.",
        "Rows with errors are not written; fix the file and upload it again to add them.",
    ),
    ("import.undo", "Hoàn tác lần nhập này", "Undo this import"),
    (
        "import.undo_hint",
        "Những người do lần nhập này tạo sẽ bị xóa (mềm); người đã được sửa sau đó được giữ lại và liệt kê.",
        "People this import created are removed (soft delete); those edited since are kept and listed.",
    ),
    (
        "import.undo_done",
        "Đã hoàn tác: số người đã xóa",
        "Undone: people removed",
    ),
    (
        "import.undo_kept",
        "Được giữ lại vì đã sửa sau khi nhập",
        "Kept because edited after the import",
    ),
    (
        "import.problem_rows",
        "Các dòng có lỗi hoặc cảnh báo (tối đa 200 dòng; báo cáo xlsx có đủ)",
        "Rows with errors or warnings (at most 200; the xlsx report has them all)",
    ),
    (
        "import.no_problems",
        "Không có dòng nào có lỗi hoặc cảnh báo.",
        "No row has an error or a warning.",
    ),
    ("import.progress", "Tiến độ", "Progress"),
    ("import.status.reading", "Đang đọc tệp", "Reading the file"),
    ("import.status.validating", "Đang kiểm tra", "Checking"),
    (
        "import.status.validated",
        "Đã kiểm tra, chờ ghi",
        "Checked, waiting to be written",
    ),
    ("import.status.committing", "Đang ghi", "Writing"),
    ("import.status.committed", "Đã ghi", "Written"),
    ("import.status.undone", "Đã hoàn tác", "Undone"),
    ("import.status.failed", "Không đọc được", "Failed"),
    (
        "import.file_too_large",
        "Tệp quá lớn; giới hạn (byte)",
        "The file is too large; limit (bytes)",
    ),
    ("import.empty_file", "Tệp rỗng.", "The file is empty."),
    (
        "import.broken_file",
        "Tệp bị hỏng hoặc không đúng định dạng xlsx, xls, ods, csv.",
        "The file is damaged or not xlsx, xls, ods or csv.",
    ),
    (
        "import.broken_row",
        "Không đọc được dòng",
        "Cannot read row",
    ),
    (
        "import.decompressed_too_large",
        "Tệp nén giải ra quá lớn (nghi tệp độc hại); giới hạn (byte)",
        "The file decompresses to too much (a zip bomb?); limit (bytes)",
    ),
    (
        "import.too_many_rows",
        "Quá nhiều dòng; giới hạn",
        "Too many rows; limit",
    ),
    (
        "import.too_many_columns",
        "Quá nhiều cột; giới hạn",
        "Too many columns; limit",
    ),
    (
        "import.too_many_sheets",
        "Quá nhiều trang tính; giới hạn",
        "Too many sheets; limit",
    ),
    (
        "import.cell_too_long",
        "Ô quá dài ở dòng",
        "A cell is too long at row",
    ),
    (
        "import.empty_sheet",
        "Không có dữ liệu trong tệp.",
        "The file holds no data.",
    ),
    (
        "import.interrupted",
        "Bị gián đoạn (máy chủ khởi động lại); không có gì được ghi. Hãy thử lại.",
        "Interrupted (the server restarted); nothing was written. Please try again.",
    ),
    (
        "import.commit_failed",
        "Ghi thất bại; không có gì được ghi. Hãy thử lại.",
        "Writing failed; nothing was written. Please try again.",
    ),
    (
        "code.hometown_low_confidence",
        "Quê quán nhận diện chưa chắc chắn; gợi ý",
        "Hometown recognised with low confidence; suggestion",
    ),
    (
        "code.hometown_ambiguous",
        "Quê quán có thể là nhiều xã; chọn một",
        "Hometown may be several communes; choose one",
    ),
    (
        "code.hometown_unresolved",
        "Không nhận diện được quê quán",
        "Hometown not recognised",
    ),
    (
        "code.duplicate_in_file",
        "Trùng với dòng khác trong tệp",
        "Same as another row of the file",
    ),
    (
        "code.likely_in_registry",
        "Có thể đã có trong cơ sở dữ liệu",
        "Probably already in the registry",
    ),
    (
        "code.unknown_value_kept_blank",
        "Giá trị không nhận diện, để trống",
        "Value not recognised, left blank",
    ),
    (
        "code.mapped_twice",
        "Trường đã được ghép với cột khác",
        "Field already mapped to another column",
    ),
    (
        "code.not_your_agency",
        "Chỉ được nhập danh sách của cơ quan mình",
        "You may import your own agency's lists only",
    ),
    (
        "code.upload_broken",
        "Tải lên bị lỗi",
        "The upload was broken",
    ),
    ("field.file", "Tệp", "File"),
    ("field.source", "Nguồn", "Source"),
    ("field.survey_round", "Đợt điều tra", "Survey round"),
    ("field.mapping", "Cách ghép cột", "Column mapping"),
];
