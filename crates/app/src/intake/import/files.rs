//! Spreadsheets of the import: the template of each source and the
//! validation report (the rows with problem cells highlighted and the
//! messages in an added column).

use domain::{Agency, Category, Gender, Generation};
use rust_xlsxwriter::{Color, DataValidation, Format, Formula, Note, Workbook, XlsxError};

use super::mapping::{field, template_fields};
use super::{RowReport, Summary};

/// Rows the template's drop-downs cover.
const TEMPLATE_ROWS: u32 = 5_000;

fn err(e: &XlsxError) -> anyhow::Error {
    anyhow::anyhow!("xlsx: {e}")
}

use domain::text::spreadsheet_safe as safe_cell;

/// The xlsx template of a source: an instructions sheet, the list sheet
/// with Vietnamese headers (English in each header's note) and drop-down
/// lists for coded columns, and a sheet of the allowed values.
pub fn template(source: Agency, home_province_code: &str) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let bold = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0x00DD_EBF7));
    let wrap = Format::new().set_text_wrap();

    // Instructions.
    let guide = book.add_worksheet();
    guide.set_name("Hướng dẫn").map_err(|e| err(&e))?;
    guide.set_column_width(0, 110).map_err(|e| err(&e))?;
    let lines = [
        format!("MẪU DANH SÁCH — {}", source.label("vi")),
        format!("List template — {}", source.label("en")),
        String::new(),
        "1. Nhập mỗi người ở nước ngoài trên một dòng của trang \"Danh sách\"; giữ nguyên dòng tiêu đề.".into(),
        "   One person abroad per row of the \"Danh sách\" sheet; keep the header row.".into(),
        "2. Cột bắt buộc: Họ và tên, Quốc gia. Ngày sinh: DD/MM/YYYY, MM/YYYY hoặc chỉ năm.".into(),
        "   Required: full name, country. Birth date: DD/MM/YYYY, MM/YYYY or a year.".into(),
        "3. Quốc gia, Diện, Giới tính, Thế hệ, Mã xã: chọn trong danh sách thả xuống (trang \"Danh mục\").".into(),
        "   Country, category, gender, generation, commune code: pick from the drop-downs (\"Danh mục\" sheet).".into(),
        "4. Quê quán có thể ghi theo đơn vị hành chính cũ (trước 01/7/2025) hoặc mới; hệ thống tự đối chiếu.".into(),
        "   Hometowns may use the old (before 1 July 2025) or the new units; they are matched automatically.".into(),
        "5. Không nhập công thức; ô bắt đầu bằng dấu = được giữ nguyên như chữ.".into(),
        "   Do not enter formulas; a cell starting with = is kept as text.".into(),
    ];
    let mut lines = lines.to_vec();
    let own: Vec<&domain::source_fields::SourceField> = domain::source_fields::of(source).collect();
    if !own.is_empty() {
        let names = |f: fn(&domain::source_fields::SourceField) -> &'static str| {
            own.iter().map(|o| f(o)).collect::<Vec<_>>().join("; ")
        };
        lines.push(format!(
            "6. Các cột riêng của {}: {}. Ngày: DD/MM/YYYY, MM/YYYY hoặc năm; số: 36 hoặc 1.500,5; cột có danh sách thả xuống: chọn trong danh sách.",
            source.label("vi"),
            names(|o| o.header_vi)
        ));
        lines.push(format!(
            "   This department's own columns: {}. Dates: DD/MM/YYYY, MM/YYYY or a year; numbers: 36 or 1500.5; columns with a drop-down: pick from it.",
            names(|o| o.header_en)
        ));
    }
    for (i, l) in lines.iter().enumerate() {
        let f = if i < 2 { &bold } else { &wrap };
        guide
            .write_string_with_format(i as u32, 0, l, f)
            .map_err(|e| err(&e))?;
    }

    // Allowed values.
    let countries = domain::geo::countries();
    let communes = domain::geo::new_communes_of(home_province_code);
    let lists: Vec<(&str, Vec<String>)> = vec![
        (
            "category",
            Category::ALL
                .iter()
                .map(|c| c.label("vi").to_owned())
                .collect(),
        ),
        (
            "gender",
            Gender::ALL
                .iter()
                .map(|c| c.label("vi").to_owned())
                .collect(),
        ),
        (
            "generation",
            Generation::ALL
                .iter()
                .map(|c| c.code().to_owned())
                .collect(),
        ),
        (
            "country",
            countries.iter().map(|c| c.name_vi.to_owned()).collect(),
        ),
        (
            "hometown_code",
            communes.iter().map(|c| c.code.to_owned()).collect(),
        ),
    ];
    let mut lists = lists;
    for f in &own {
        if let domain::source_fields::Kind::Choice(choices) = f.kind {
            lists.push((
                f.key,
                choices.iter().map(|c| c.label_vi.to_owned()).collect(),
            ));
        }
    }
    // The drop-down of a column: its own list, or the countries' for a
    // country column of the source's own.
    let list_of = |key: &str| {
        lists.iter().position(|(k, _)| *k == key).or_else(|| {
            domain::source_fields::field(key)
                .filter(|f| f.kind == domain::source_fields::Kind::Country)
                .and_then(|_| lists.iter().position(|(k, _)| *k == "country"))
        })
    };

    let sheet = book.add_worksheet();
    sheet.set_name("Danh sách").map_err(|e| err(&e))?;
    for (col, f) in template_fields(source).iter().enumerate() {
        let col = col as u16;
        sheet
            .write_string_with_format(0, col, f.header_vi, &bold)
            .map_err(|e| err(&e))?;
        sheet
            .insert_note(0, col, &Note::new(f.header_en).set_author("Kiều Bào"))
            .map_err(|e| err(&e))?;
        sheet.set_column_width(col, 18).map_err(|e| err(&e))?;
        if let Some(i) = list_of(f.key) {
            let letter = char::from(b'A' + i as u8);
            let n = lists[i].1.len().max(1);
            let dv = DataValidation::new()
                .allow_list_formula(Formula::new(format!(
                    "='Danh mục'!${letter}$2:${letter}${}",
                    n + 1
                )))
                .set_input_message(f.header_en)
                .map_err(|e| err(&e))?;
            sheet
                .add_data_validation(1, col, TEMPLATE_ROWS, col, &dv)
                .map_err(|e| err(&e))?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(|e| err(&e))?;

    let values = book.add_worksheet();
    values.set_name("Danh mục").map_err(|e| err(&e))?;
    for (i, (key, items)) in lists.iter().enumerate() {
        let col = i as u16;
        let header = field(key).map_or(*key, |f| f.header_vi);
        values
            .write_string_with_format(0, col, header, &bold)
            .map_err(|e| err(&e))?;
        for (r, v) in items.iter().enumerate() {
            values
                .write_string(r as u32 + 1, col, v)
                .map_err(|e| err(&e))?;
        }
        values.set_column_width(col, 28).map_err(|e| err(&e))?;
    }
    book.save_to_buffer().map_err(|e| err(&e))
}

/// The validation report: every row with a problem, its cells (problem
/// cells in red or amber) and the messages, translated by `tr(code, arg)`.
pub fn report(
    s: &Summary,
    rows: &[RowReport],
    tr: &dyn Fn(&str, &[String], &super::validate::Message) -> String,
) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let bold = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0x00DD_EBF7));
    let red = Format::new().set_background_color(Color::RGB(0x00FF_C7CE));
    let amber = Format::new().set_background_color(Color::RGB(0x00FF_EB9C));
    let sheet = book.add_worksheet();
    sheet.set_name("Báo cáo kiểm tra").map_err(|e| err(&e))?;
    let header_row = 0;
    sheet
        .write_string_with_format(header_row, 0, "Dòng / Row", &bold)
        .map_err(|e| err(&e))?;
    for (c, h) in s.headers.iter().enumerate() {
        sheet
            .write_string_with_format(header_row, c as u16 + 1, safe_cell(h), &bold)
            .map_err(|e| err(&e))?;
    }
    let msg_col = s.headers.len() as u16 + 1;
    sheet
        .write_string_with_format(
            header_row,
            msg_col,
            "Lỗi và cảnh báo / Errors and warnings",
            &bold,
        )
        .map_err(|e| err(&e))?;
    sheet.set_column_width(msg_col, 80).map_err(|e| err(&e))?;
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        sheet
            .write_number(row, 0, r.row_no as f64)
            .map_err(|e| err(&e))?;
        for (c, text) in r.cells.iter().enumerate() {
            let is_err = r.errors.iter().any(|m| m.column == Some(c));
            let is_warn = r.warnings.iter().any(|m| m.column == Some(c));
            let col = c as u16 + 1;
            let text = safe_cell(text);
            if is_err {
                sheet.write_string_with_format(row, col, &text, &red)
            } else if is_warn {
                sheet.write_string_with_format(row, col, &text, &amber)
            } else {
                sheet.write_string(row, col, &text)
            }
            .map_err(|e| err(&e))?;
        }
        let mut messages: Vec<String> = Vec::new();
        for (kind, list) in [("error", &r.errors), ("warning", &r.warnings)] {
            for m in list {
                messages.push(tr(kind, &r.cells, m));
            }
        }
        sheet
            .write_string(row, msg_col, safe_cell(&messages.join("; ")))
            .map_err(|e| err(&e))?;
    }
    sheet.set_freeze_panes(1, 1).map_err(|e| err(&e))?;
    book.save_to_buffer().map_err(|e| err(&e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::Reader;
    use std::io::Cursor;

    /// The sheet's XML (data validations are not read by calamine).
    fn sheet_xml(bytes: &[u8], n: usize) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut f = zip.by_name(&format!("xl/worksheets/sheet{n}.xml")).unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut f, &mut s).unwrap();
        s
    }

    #[test]
    fn a_department_template_has_its_own_columns_with_drop_downs() {
        let bytes = template(Agency::Education, "42").unwrap();
        let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(bytes.clone())).unwrap();
        let headers: Vec<String> = book
            .worksheet_range("Danh sách")
            .unwrap()
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        let funding = headers.iter().position(|h| h == "Kinh phí").unwrap();
        for h in ["Trường theo học", "Ngành học", "Năm bắt đầu học"] {
            assert!(headers.iter().any(|x| x == h), "{h}");
        }
        // Its choices are listed on the values sheet...
        let values = book.worksheet_range("Danh mục").unwrap();
        let lists: Vec<Vec<String>> = (0..values.width())
            .map(|c| {
                values
                    .rows()
                    .filter_map(|r| r.get(c).map(ToString::to_string))
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .collect();
        let list = lists.iter().position(|l| l[0] == "Kinh phí").unwrap();
        assert_eq!(
            lists[list][1..],
            ["Ngân sách nhà nước", "Học bổng", "Tự túc", "Khác"]
        );
        // ...and the column's drop-down points at them.
        let col = char::from(b'A' + u8::try_from(funding).unwrap());
        let letter = char::from(b'A' + u8::try_from(list).unwrap());
        let xml = sheet_xml(&bytes, 2);
        assert!(
            xml.contains(&format!("sqref=\"{col}2:{col}5001\"")),
            "{xml}"
        );
        assert!(xml.contains(&format!("'Danh mục'!${letter}$2:${letter}$5")));
        // A department without own columns keeps the core ones.
        let police = template(Agency::Police, "42").unwrap();
        let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(police)).unwrap();
        let n = book.worksheet_range("Danh sách").unwrap().width();
        assert_eq!(n, template_fields(Agency::Police).len());
    }

    #[test]
    fn a_country_column_of_its_own_has_the_countries_drop_down() {
        let bytes = template(Agency::Justice, "42").unwrap();
        let fields = template_fields(Agency::Justice);
        let col = fields
            .iter()
            .position(|f| f.key == "spouse_nationality")
            .unwrap();
        let col = char::from(b'A' + u8::try_from(col).unwrap());
        let xml = sheet_xml(&bytes, 2);
        assert!(
            xml.contains(&format!("sqref=\"{col}2:{col}5001\"")),
            "{xml}"
        );
    }
}
