//! Import templates and uploads of associations and investment projects
//! (issue 22 rules: "import templates for associations, projects and
//! contributions"; the planning-and-investment department's list of
//! diaspora enterprises and projects since 2004 is one of the seeds'
//! agency lists).
//!
//! A list is read as officials make it, by the intake reader
//! ([`crate::intake::import::read`]): an .xlsx or .csv, title rows above the
//! header, a header on two rows with merged cells, a row of column numbers,
//! an "STT" column and a totals row; columns are found by their header
//! (with or without marks). Coded values may be written in words: kinds and
//! statuses by their label in either language (the caller's vocabulary),
//! countries by name, sectors by VSIC code or name, communes by name, dates
//! as typed (`dd/mm/yyyy`; a founding date also `mm/yyyy` or `yyyy`),
//! amounts with "." or "," between thousands ("1.500.000.000"), or with a
//! scale word ("3,5 tỷ", "250 triệu"), currencies by code or name.
//!
//! All or nothing: every row is checked first (the same rules as a form),
//! and any problem leaves the database untouched and answers every problem
//! with its row (as the sheet numbers it) and its column (the header as
//! written). Otherwise every record is created in one transaction, each
//! audited and kept as its first version, within the actor's reach (a
//! mission imports the associations of its countries only).

use serde::Serialize;

use super::associations::{self, AssociationInput};
use super::projects::{self, ProjectInput};
use crate::intake::import::read::{self, Choice, Limits};
use crate::{Actor, App, AppError, AppResult};

/// The kinds of list that can be imported.
pub const KINDS: &[&str] = &["associations", "projects"];

/// A column of a template: the field, its Vietnamese header, and the other
/// ways officials head it (folded, without marks).
struct Column {
    field: &'static str,
    header: &'static str,
    aliases: &'static [&'static str],
    example: &'static str,
    /// A coded column: the label kind of its allowed values (the template's
    /// sheet lists them in words).
    codes: Option<&'static str>,
}

const ASSOCIATION_COLUMNS: &[Column] = &[
    Column {
        field: "name",
        header: "Tên hội",
        aliases: &["ten hoi", "ten to chuc", "ten hoi doan", "ten"],
        example: "Hội đồng hương Hà Tĩnh tại Nhật Bản",
        codes: None,
    },
    Column {
        field: "name_en",
        header: "Tên tiếng Anh",
        aliases: &["ten tieng anh", "ten giao dich"],
        example: "Ha Tinh Association in Japan",
        codes: None,
    },
    Column {
        field: "kind",
        header: "Loại hội",
        aliases: &["loai hoi", "loai", "loai hinh"],
        example: "Hội đồng hương",
        codes: Some("association_kind"),
    },
    Column {
        field: "country",
        header: "Quốc gia",
        aliases: &["quoc gia", "nuoc", "nuoc so tai"],
        example: "Nhật Bản",
        codes: None,
    },
    Column {
        field: "city",
        header: "Thành phố",
        aliases: &["thanh pho", "dia ban", "tinh thanh"],
        example: "Tokyo",
        codes: None,
    },
    Column {
        field: "founded_on",
        header: "Ngày thành lập",
        aliases: &["ngay thanh lap", "thanh lap", "nam thanh lap"],
        example: "03/2012",
        codes: None,
    },
    Column {
        field: "status",
        header: "Tình trạng",
        aliases: &["tinh trang", "trang thai"],
        example: "Đang hoạt động",
        codes: Some("association_status"),
    },
    Column {
        field: "contact_name",
        header: "Người liên hệ",
        aliases: &["nguoi lien he", "lien he", "chu tich"],
        example: "Nguyễn Văn An",
        codes: None,
    },
    Column {
        field: "phone",
        header: "Điện thoại",
        aliases: &["dien thoai", "so dien thoai", "sdt"],
        example: "+81 90 1234 5678",
        codes: None,
    },
    Column {
        field: "email",
        header: "Email",
        aliases: &["email", "thu dien tu"],
        example: "hoi@example.jp",
        codes: None,
    },
    Column {
        field: "website",
        header: "Trang web",
        aliases: &["trang web", "website"],
        example: "",
        codes: None,
    },
    Column {
        field: "address",
        header: "Địa chỉ",
        aliases: &["dia chi", "tru so"],
        example: "1-2-3 Shinjuku, Tokyo",
        codes: None,
    },
    Column {
        field: "notes",
        header: "Ghi chú",
        aliases: &["ghi chu"],
        example: "",
        codes: None,
    },
];

const PROJECT_COLUMNS: &[Column] = &[
    Column {
        field: "name",
        header: "Tên dự án",
        aliases: &["ten du an", "du an"],
        example: "Khu du lịch sinh thái Thiên Cầm",
        codes: None,
    },
    Column {
        field: "name_en",
        header: "Tên tiếng Anh",
        aliases: &["ten tieng anh"],
        example: "Thien Cam eco-resort",
        codes: None,
    },
    Column {
        field: "summary",
        header: "Mục tiêu, quy mô",
        aliases: &["muc tieu quy mo", "muc tieu", "quy mo", "noi dung", "mo ta"],
        example: "Khách sạn 120 phòng, khu nghỉ dưỡng ven biển",
        codes: None,
    },
    Column {
        field: "sector",
        header: "Ngành",
        aliases: &[
            "nganh",
            "nganh nghe",
            "linh vuc",
            "nganh kinh te",
            "ma nganh",
        ],
        example: "55",
        codes: None,
    },
    Column {
        field: "commune",
        header: "Địa điểm (xã, phường)",
        aliases: &["dia diem xa phuong", "dia diem", "xa phuong", "xa"],
        example: "",
        codes: None,
    },
    Column {
        field: "registered_text",
        header: "Vốn đăng ký",
        aliases: &["von dang ky", "tong von dang ky", "von dau tu dang ky"],
        example: "3,5 tỷ",
        codes: None,
    },
    Column {
        field: "realised_text",
        header: "Vốn thực hiện",
        aliases: &["von thuc hien", "von da giai ngan", "von dau tu thuc hien"],
        example: "1.200.000.000",
        codes: None,
    },
    Column {
        field: "currency",
        header: "Loại tiền",
        aliases: &["loai tien", "don vi tien", "tien te"],
        example: "VND",
        codes: None,
    },
    Column {
        field: "rate_to_vnd",
        header: "Tỷ giá",
        aliases: &["ty gia", "ty gia quy doi"],
        example: "",
        codes: None,
    },
    Column {
        field: "licence_no",
        header: "Số giấy chứng nhận đầu tư",
        aliases: &[
            "so giay chung nhan dau tu",
            "so giay phep",
            "so gcn",
            "so gcndt",
            "giay phep so",
        ],
        example: "28121000123",
        codes: None,
    },
    Column {
        field: "licence_date",
        header: "Ngày cấp",
        aliases: &["ngay cap", "ngay cap phep", "ngay cap gcn"],
        example: "12/02/2004",
        codes: None,
    },
];

fn columns(kind: &str) -> AppResult<&'static [Column]> {
    match kind {
        "associations" => Ok(ASSOCIATION_COLUMNS),
        "projects" => Ok(PROJECT_COLUMNS),
        _ => Err(AppError::NotFound),
    }
}

fn norm(header: &str) -> String {
    domain::text::fold(header)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The column a header names, among `cols`: its whole text, or its last
/// words (the child of a two-row header, "Vốn đầu tư - Đăng ký").
fn column_of<'a>(cols: &'a [Column], header: &str) -> Option<&'a Column> {
    let h = norm(header);
    if h.is_empty() {
        return None;
    }
    cols.iter()
        .find(|c| norm(c.header) == h || c.aliases.contains(&h.as_str()))
        .or_else(|| {
            cols.iter().find(|c| {
                c.aliases
                    .iter()
                    .any(|a| a.contains(' ') && h.ends_with(&format!(" {a}")))
            })
        })
}

/// How many columns of any import a row of headers names (the reader's
/// measure of a header row).
fn header_score(cells: &[String]) -> usize {
    let mut n = 0;
    for cols in [ASSOCIATION_COLUMNS, PROJECT_COLUMNS] {
        n = n.max(
            cells
                .iter()
                .filter(|c| column_of(cols, c).is_some())
                .count(),
        );
    }
    n
}

/// A problem of a row: its number in the sheet, the column as headed there
/// (empty for the whole row), the field and the message code.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowProblem {
    pub row: u32,
    pub column: String,
    pub field: String,
    pub code: String,
}

/// What an import did: the records created, or (nothing written) why not.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Outcome {
    pub kind: String,
    /// Ids of the records created, in the order of the rows.
    pub created: Vec<i64>,
    /// Every problem found; when there is one, nothing was written.
    pub problems: Vec<RowProblem>,
}

/// Words of coded values: `code_of(kind, text)` answers the code whose
/// label (in any language) or code is `text`; `label(kind, code)` its words.
pub struct Vocabulary<'a> {
    pub code_of: &'a (dyn Fn(&str, &str) -> Option<String> + Sync),
    pub label: &'a (dyn Fn(&str, &str) -> String + Sync),
}

/// The codes of a coded column (`association_kind`, `association_status`).
pub fn codes(kind: &str) -> &'static [&'static str] {
    match kind {
        "association_kind" => associations::KINDS,
        "association_status" => associations::STATUSES,
        _ => &[],
    }
}

/// A currency written in words or as its code.
fn currency_code(text: &str) -> String {
    match norm(text).as_str() {
        "dong" | "vnd" | "vnđ" | "dong viet nam" | "d" => "VND".to_owned(),
        "do la my" | "do la" | "usd" | "us" => "USD".to_owned(),
        "euro" | "eur" => "EUR".to_owned(),
        "yen" | "yen nhat" | "jpy" => "JPY".to_owned(),
        "won" | "won han quoc" | "krw" => "KRW".to_owned(),
        "do la uc" | "aud" => "AUD".to_owned(),
        "do la canada" | "cad" => "CAD".to_owned(),
        _ => text.trim().to_uppercase(),
    }
}

/// "3,5 tỷ" → "3500000000", "3.335,65 tỷ" → "3335650000000", "250 triệu"
/// → "250000000"; other text unchanged. With both "." and ",", the last is
/// the decimal mark; a lone one before three digits separates thousands.
fn expand_scale(text: &str) -> String {
    let t = text.trim();
    let number: String = t
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
        .collect();
    let word = domain::text::fold(&t[number.len()..]);
    let zeros: usize = match word.strip_suffix(" dong").unwrap_or(&word) {
        "ty" => 9,
        "trieu" => 6,
        "nghin" | "ngan" => 3,
        _ => return t.to_owned(),
    };
    let decimal = match (number.rfind('.'), number.rfind(',')) {
        (Some(d), Some(c)) => Some(d.max(c)),
        (Some(i), None) | (None, Some(i)) => {
            let single = number.matches(['.', ',']).count() == 1;
            (single && number.len() - i - 1 != 3).then_some(i)
        }
        (None, None) => None,
    };
    let (whole, frac) = match decimal {
        Some(i) => (&number[..i], &number[i + 1..]),
        None => (number.as_str(), ""),
    };
    let whole: String = whole.chars().filter(char::is_ascii_digit).collect();
    if whole.is_empty() || !frac.chars().all(|c| c.is_ascii_digit()) || frac.len() > zeros {
        return t.to_owned();
    }
    let digits = format!("{whole}{frac}{}", "0".repeat(zeros - frac.len()));
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        "0".to_owned()
    } else {
        digits.to_owned()
    }
}

/// The value of a coded column in words → its code (a problem when none).
fn coded(vocab: &Vocabulary<'_>, kind: &str, text: &str) -> Result<String, &'static str> {
    let t = text.trim();
    if t.is_empty() || codes(kind).contains(&t) {
        return Ok(t.to_owned());
    }
    (vocab.code_of)(kind, t).ok_or("invalid_code")
}

/// The rows of a list, read (see the module's doc) and checked.
struct Rows {
    /// Per row: its number, the input, and the column of each field.
    inputs: Vec<(u32, serde_json::Map<String, serde_json::Value>)>,
    /// field → header as written.
    headers: Vec<(&'static str, String)>,
    problems: Vec<RowProblem>,
}

fn read_rows(kind: &str, file_name: &str, bytes: &[u8], vocab: &Vocabulary<'_>) -> AppResult<Rows> {
    let cols = columns(kind)?;
    let limits = Limits {
        max_rows: 20_000,
        ..Limits::default()
    };
    let choice = Choice {
        sheet: None,
        header_row: None,
        score: Some(header_score),
    };
    let mut out = Rows {
        inputs: Vec::new(),
        headers: Vec::new(),
        problems: Vec::new(),
    };
    let table = match read::read(bytes, file_name, &limits, &choice) {
        Ok(t) => t,
        Err(e) => {
            out.problems.push(RowProblem {
                row: 0,
                column: String::new(),
                field: "file".into(),
                code: e.code.to_owned(),
            });
            return Ok(out);
        }
    };
    let mut at: Vec<(usize, &Column)> = Vec::new();
    for (i, h) in table.headers.iter().enumerate() {
        if let Some(c) = column_of(cols, h)
            && !at.iter().any(|(_, x)| x.field == c.field)
        {
            at.push((i, c));
            out.headers.push((c.field, h.clone()));
        }
    }
    let required = cols[0].field;
    if !at.iter().any(|(_, c)| c.field == required) {
        out.problems.push(RowProblem {
            row: table.header_row,
            column: cols[0].header.to_owned(),
            field: required.to_owned(),
            code: "column_missing".into(),
        });
        return Ok(out);
    }
    for (row_no, cells) in &table.rows {
        let mut m = serde_json::Map::new();
        for (i, c) in &at {
            let text = cells.get(*i).map_or("", |s| s.trim());
            let value = match (c.codes, c.field) {
                (Some(k), _) => match coded(vocab, k, text) {
                    Ok(v) => v,
                    Err(code) => {
                        out.problems.push(RowProblem {
                            row: *row_no,
                            column: out
                                .headers
                                .iter()
                                .find(|(f, _)| *f == c.field)
                                .map(|(_, h)| h.clone())
                                .unwrap_or_default(),
                            field: c.field.to_owned(),
                            code: code.to_owned(),
                        });
                        String::new()
                    }
                },
                (None, "registered_text" | "realised_text") => expand_scale(text),
                (None, "currency") if !text.is_empty() => currency_code(text),
                _ => text.to_owned(),
            };
            if !value.is_empty() {
                m.insert(c.field.to_owned(), serde_json::Value::String(value));
            }
        }
        out.inputs.push((*row_no, m));
    }
    if out.inputs.is_empty() {
        out.problems.push(RowProblem {
            row: table.header_row,
            column: String::new(),
            field: "file".into(),
            code: "no_rows".into(),
        });
    }
    Ok(out)
}

fn project_input(m: &serde_json::Map<String, serde_json::Value>) -> ProjectInput {
    let s = |k: &str| m.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    ProjectInput {
        name: s("name"),
        name_en: s("name_en"),
        summary: s("summary"),
        sector: s("sector"),
        commune: s("commune"),
        currency: s("currency"),
        rate_to_vnd: s("rate_to_vnd"),
        licence_no: s("licence_no"),
        licence_date: s("licence_date"),
        registered_text: s("registered_text"),
        realised_text: s("realised_text"),
        ..ProjectInput::default()
    }
}

fn association_input(m: &serde_json::Map<String, serde_json::Value>) -> AssociationInput {
    let s = |k: &str| m.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    AssociationInput {
        name: s("name"),
        name_en: s("name_en"),
        kind: s("kind"),
        country: s("country"),
        city: s("city"),
        founded_on: s("founded_on"),
        status: s("status"),
        contact_name: s("contact_name"),
        phone: s("phone"),
        email: s("email"),
        website: s("website"),
        address: s("address"),
        notes: s("notes"),
    }
}

/// Imports a list of `kind` (`associations` or `projects`) from an .xlsx or
/// .csv file: every record or none (see the module's doc).
pub async fn import(
    app: &App,
    actor: &Actor,
    kind: &str,
    file_name: &str,
    bytes: &[u8],
    vocab: &Vocabulary<'_>,
) -> AppResult<Outcome> {
    match kind {
        "associations" => {
            crate::access::authorize(actor, crate::access::Action::AssociationCreate)?;
        }
        "projects" => crate::access::authorize(actor, crate::access::Action::ProjectEdit)?,
        _ => return Err(AppError::NotFound),
    }
    let rows = read_rows(kind, file_name, bytes, vocab)?;
    let mut outcome = Outcome {
        kind: kind.to_owned(),
        created: Vec::new(),
        problems: rows.problems,
    };
    if !outcome.problems.is_empty() {
        return Ok(outcome);
    }
    let header_of = |field: &str| -> String {
        let f = match field {
            "registered_capital" => "registered_text",
            "realised_capital" => "realised_text",
            f => f,
        };
        rows.headers
            .iter()
            .find(|(x, _)| *x == f)
            .map(|(_, h)| h.clone())
            .unwrap_or_default()
    };
    let mut tx = app.db.begin_write().await?;
    let mut names: Vec<String> = Vec::new();
    for (row, m) in &rows.inputs {
        let created = if kind == "associations" {
            let input = association_input(m);
            // The same name twice in the file: the second is a problem.
            let name = domain::text::fold(input.name.as_deref().unwrap_or_default().trim());
            if !name.is_empty() && names.contains(&name) {
                outcome.problems.push(RowProblem {
                    row: *row,
                    column: header_of("name"),
                    field: "name".into(),
                    code: "taken".into(),
                });
                continue;
            }
            names.push(name);
            associations::create_in(&mut tx, app, actor, &input).await
        } else {
            projects::create_in(&mut tx, app, actor, &project_input(m)).await
        };
        match created {
            Ok(id) => outcome.created.push(id),
            Err(AppError::Invalid(errs)) => {
                outcome
                    .problems
                    .extend(errs.into_iter().map(|e| RowProblem {
                        row: *row,
                        column: header_of(&e.field),
                        field: e.field,
                        code: e.code,
                    }));
            }
            Err(e) => return Err(e),
        }
    }
    if outcome.problems.is_empty() {
        crate::audit::append(
            &mut tx,
            app,
            actor,
            crate::audit::Event::new("community.import", "import", &kind)
                .with(serde_json::json!({"file": file_name, "created": outcome.created.len()})),
        )
        .await?;
        tx.commit().await?;
    } else {
        // Nothing written: the transaction is dropped (rolled back).
        outcome.created.clear();
        drop(tx);
    }
    Ok(outcome)
}

/// The template of `kind`: the Vietnamese headers under a title row, an
/// example row, and a sheet listing the allowed values in words.
pub fn template(kind: &str, vocab: &Vocabulary<'_>) -> AppResult<Vec<u8>> {
    let cols = columns(kind)?;
    write_template(kind, cols, vocab).map_err(|e| AppError::Unexpected(e.into()))
}

fn write_template(
    kind: &str,
    cols: &[Column],
    vocab: &Vocabulary<'_>,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_text_wrap();
    let title = if kind == "associations" {
        "DANH SÁCH HỘI, ĐOÀN THỂ NGƯỜI VIỆT NAM Ở NƯỚC NGOÀI"
    } else {
        "DANH SÁCH DỰ ÁN ĐẦU TƯ CỦA NGƯỜI VIỆT NAM Ở NƯỚC NGOÀI"
    };
    let sheet = book.add_worksheet();
    sheet.set_name("Danh sách")?;
    sheet.write_string_with_format(0, 0, title, &bold)?;
    sheet.write_string_with_format(2, 0, "STT", &bold)?;
    for (c, col) in (1u16..).zip(cols) {
        sheet.write_string_with_format(2, c, col.header, &bold)?;
        sheet.write_string(3, c, col.example)?;
        sheet.set_column_width(c, 24)?;
    }
    sheet.write_number(3, 0, 1)?;
    let values = book.add_worksheet();
    values.set_name("Giá trị được chấp nhận")?;
    values.write_string_with_format(0, 0, "Cột", &bold)?;
    values.write_string_with_format(0, 1, "Giá trị được chấp nhận", &bold)?;
    let mut row = 1u32;
    for col in cols {
        let words: Vec<String> = match (col.codes, col.field) {
            (Some(k), _) => codes(k).iter().map(|c| (vocab.label)(k, c)).collect(),
            (None, "country") => vec![
                "Tên nước bằng tiếng Việt hoặc tiếng Anh, hoặc mã 2 chữ (Nhật Bản, Japan, JP)"
                    .into(),
            ],
            (None, "sector") => {
                vec!["Mã ngành VSIC 2018 (chữ cái hoặc 2 số, ví dụ I, 55) hoặc tên ngành".into()]
            }
            (None, "commune") => vec!["Tên xã, phường mới của tỉnh (sau 01/7/2025)".into()],
            (None, "currency") => vec![
                "VND (đồng), USD (đô la Mỹ), EUR, JPY, KRW, AUD, CAD...; để trống là đồng".into(),
            ],
            (None, "registered_text" | "realised_text") => {
                vec!["Số tiền: 1.500.000.000 hoặc 1,500,000,000 hoặc 3,5 tỷ, 250 triệu".into()]
            }
            (None, "rate_to_vnd") => {
                vec!["Số đồng cho một đơn vị ngoại tệ (không cần với đồng)".into()]
            }
            (None, "founded_on") => vec!["Ngày như gõ: 15/03/2012, 03/2012 hoặc 2012".into()],
            (None, "licence_date") => vec!["Ngày: 12/02/2004".into()],
            _ => continue,
        };
        values.write_string_with_format(row, 0, col.header, &bold)?;
        for w in words {
            values.write_string(row, 1, w)?;
            row += 1;
        }
    }
    values.set_column_width(0, 28)?;
    values.set_column_width(1, 70)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::{ASSOCIATION_COLUMNS, PROJECT_COLUMNS, column_of, expand_scale};

    #[test]
    fn amounts_with_a_scale_word_are_written_in_digits() {
        assert_eq!(expand_scale("3,5 tỷ"), "3500000000");
        assert_eq!(expand_scale("3.335,65 tỷ"), "3335650000000");
        assert_eq!(expand_scale("1.500 tỷ"), "1500000000000");
        assert_eq!(expand_scale("250 triệu"), "250000000");
        assert_eq!(expand_scale("12 tỷ đồng"), "12000000000");
        assert_eq!(expand_scale("1.500.000.000"), "1.500.000.000");
    }

    #[test]
    fn headers_are_found_with_or_without_marks_and_under_a_merged_parent() {
        let f = |cols, h| column_of(cols, h).map(|c| c.field);
        assert_eq!(f(ASSOCIATION_COLUMNS, "TÊN HỘI"), Some("name"));
        assert_eq!(f(ASSOCIATION_COLUMNS, "quoc gia"), Some("country"));
        assert_eq!(
            f(PROJECT_COLUMNS, "Vốn đầu tư - Đăng ký"),
            Some("registered_text")
        );
        assert_eq!(
            f(PROJECT_COLUMNS, "Vốn đầu tư - Thực hiện"),
            Some("realised_text")
        );
        assert_eq!(f(PROJECT_COLUMNS, "Ghi chú lạ"), None);
    }
}
