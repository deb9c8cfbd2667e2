//! Exports of a pivot that officials can edit: xlsx (the table, a native
//! Excel chart and a sheet describing the filters and the date) and docx in
//! the layout of an official Vietnamese report (Decree 30/2020/ND-CP on
//! administrative documents: issuing body and national motto at the top,
//! place and date, title, numbered table, recipients and signature block).
//! Both carry counts only; text is written as strings, never formulas. The
//! same official report as PDF is in [`super::pdf`].

use std::fmt::Write as _;
use std::io::{Cursor, Write};

use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, XlsxError};

use super::pivots::{Pivot, PivotSpec, header};
use crate::{AppError, AppResult};

/// What the export says about where the figures come from.
#[derive(Debug, Clone)]
pub struct ExportContext {
    /// Report title.
    pub title: String,
    /// Issuing body, first line (e.g. "UBND TỈNH HÀ TĨNH").
    pub authority: String,
    /// Issuing body, second line (e.g. "SỞ NGOẠI VỤ").
    pub body: String,
    /// Place of issue (province name, without "Tỉnh").
    pub place: String,
    /// Date of the figures, `YYYY-MM-DD`.
    pub date: String,
    /// Whose jurisdiction the figures cover, in words.
    pub scope: String,
    pub en: bool,
    /// The document's number line ("Số: 12/BC-SNV"); when empty, the line is
    /// left for the clerk to fill in ("Số: …/BC-SNV").
    pub number: String,
    /// To whom it is sent ("UBND tỉnh"), the "Kính gửi" line; none when empty.
    pub recipient: String,
    /// The leader's opening paragraph, before the tables; none when empty.
    pub narrative: String,
}

impl ExportContext {
    /// The number line under the issuing body.
    pub fn number_line(&self) -> String {
        let n = self.number.trim();
        if n.is_empty() {
            "Số: …/BC-SNV".to_owned()
        } else if n.to_lowercase().starts_with("số") {
            n.to_owned()
        } else {
            format!("Số: {n}")
        }
    }

    /// The "Kính gửi" line, when the report is addressed.
    pub fn recipient_line(&self) -> Option<String> {
        let r = self.recipient.trim();
        (!r.is_empty()).then(|| format!("Kính gửi: {r}"))
    }

    /// The opening paragraphs (one per line the leader typed).
    pub fn narrative_paragraphs(&self) -> Vec<&str> {
        self.narrative
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    }
}

pub(super) fn unexpected(e: impl std::fmt::Display) -> AppError {
    AppError::Unexpected(anyhow::anyhow!("export: {e}"))
}

/// The filters of a spec, in words.
pub fn describe_filters(spec: &PivotSpec, en: bool) -> Vec<(String, String)> {
    spec.filters
        .iter()
        .map(|(d, vals)| {
            let labels: Vec<String> = vals
                .iter()
                .map(|v| header(*d, v).label(en).to_owned())
                .collect();
            (d.label(en).to_owned(), labels.join(", "))
        })
        .collect()
}

/// The pivot as a table of text: heading row, body rows, total row.
/// Heading row, body rows (label, values), total row.
type Table = (Vec<String>, Vec<(String, Vec<i64>)>, Vec<i64>);

fn table(p: &Pivot, en: bool) -> Table {
    let total_label = if en { "Total" } else { "Tổng cộng" };
    let mut head = vec![p.spec.rows.label(en).to_owned()];
    if p.cols.is_empty() {
        head.push(p.spec.measure.label(en).to_owned());
    } else {
        head.extend(p.cols.iter().map(|h| h.label(en).to_owned()));
        head.push(total_label.to_owned());
    }
    let body = p
        .rows
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let mut v = p.cells.get(i).cloned().unwrap_or_default();
            v.push(p.row_totals[i]);
            (h.label(en).to_owned(), v)
        })
        .collect();
    let mut totals = p.col_totals.clone();
    totals.push(p.total);
    (head, body, totals)
}

/// The pivot as an xlsx workbook.
pub fn xlsx(p: &Pivot, ctx: &ExportContext) -> AppResult<Vec<u8>> {
    write_xlsx(p, ctx).map_err(unexpected)
}

fn write_xlsx(p: &Pivot, ctx: &ExportContext) -> Result<Vec<u8>, XlsxError> {
    let en = ctx.en;
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let title_fmt = Format::new().set_bold().set_font_size(14);
    let sheet_name = if en { "Table" } else { "Bang" };
    let (head, body, totals) = table(p, en);
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name)?;
    ws.write_string_with_format(0, 0, &ctx.title, &title_fmt)?;
    let top: u32 = 2;
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(top, c as u16, h, &bold)?;
    }
    for (r, (label, values)) in body.iter().enumerate() {
        let row = top + 1 + r as u32;
        ws.write_string(row, 0, label)?;
        for (c, v) in values.iter().enumerate() {
            ws.write_number(row, (c + 1) as u16, *v as f64)?;
        }
    }
    let total_row = top + 1 + body.len() as u32;
    ws.write_string_with_format(total_row, 0, if en { "Total" } else { "Tổng cộng" }, &bold)?;
    if p.cols.is_empty() {
        ws.write_number_with_format(total_row, 1, p.total as f64, &bold)?;
    } else {
        for (c, v) in totals.iter().enumerate() {
            ws.write_number_with_format(total_row, (c + 1) as u16, *v as f64, &bold)?;
        }
    }
    ws.set_column_width(0, 36)?;
    // A native chart: one series per column (or the totals), categories the rows.
    if !body.is_empty() {
        let last = top + body.len() as u32;
        let mut chart = Chart::new(ChartType::Column);
        let series_cols: Vec<u16> = if p.cols.is_empty() {
            vec![1]
        } else {
            (1..=p.cols.len().min(12) as u16).collect()
        };
        for c in series_cols {
            chart
                .add_series()
                .set_name((sheet_name, top, c))
                .set_categories((sheet_name, top + 1, 0, last, 0))
                .set_values((sheet_name, top + 1, c, last, c));
        }
        chart.title().set_name(&ctx.title);
        ws.insert_chart(total_row + 2, 0, &chart)?;
    }
    let about = wb.add_worksheet();
    about.set_name(if en { "About" } else { "Mo ta" })?;
    let mut lines: Vec<(String, String)> = vec![
        (
            (if en { "Report" } else { "Báo cáo" }).into(),
            ctx.title.clone(),
        ),
        (
            (if en { "Issued by" } else { "Cơ quan" }).into(),
            format!("{} — {}", ctx.authority, ctx.body),
        ),
        (
            (if en {
                "Figures as of"
            } else {
                "Số liệu tính đến"
            })
            .into(),
            p.figures_date(),
        ),
        (
            (if en { "Scope" } else { "Phạm vi" }).into(),
            ctx.scope.clone(),
        ),
        (
            (if en { "Rows" } else { "Hàng" }).into(),
            p.spec.rows.label(en).into(),
        ),
        (
            (if en { "Columns" } else { "Cột" }).into(),
            p.spec.cols.map_or_else(String::new, |c| c.label(en).into()),
        ),
        (
            (if en { "Measure" } else { "Chỉ tiêu" }).into(),
            p.spec.measure.label(en).into(),
        ),
    ];
    let filters = describe_filters(&p.spec, en);
    if filters.is_empty() {
        lines.push((
            (if en {
                "Filters"
            } else {
                "Điều kiện lọc"
            })
            .into(),
            (if en { "none" } else { "không" }).into(),
        ));
    }
    for (d, v) in filters {
        lines.push((format!("{}: {d}", if en { "Filter" } else { "Lọc" }), v));
    }
    for (r, (k, v)) in lines.iter().enumerate() {
        about.write_string_with_format(r as u32, 0, k, &bold)?;
        about.write_string(r as u32, 1, v)?;
    }
    about.set_column_width(0, 24)?;
    about.set_column_width(1, 60)?;
    wb.save_to_buffer()
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Characters XML 1.0 forbids.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// A paragraph: alignment, runs of (text, bold, italic, underline), size in half-points.
fn para(align: &str, runs: &[(&str, bool, bool, bool)], size: u32) -> String {
    let mut x = format!("<w:p><w:pPr><w:jc w:val=\"{align}\"/><w:spacing w:after=\"60\"/></w:pPr>");
    for (t, b, i, u) in runs {
        x.push_str("<w:r><w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:cs=\"Times New Roman\"/>");
        if *b {
            x.push_str("<w:b/>");
        }
        if *i {
            x.push_str("<w:i/>");
        }
        if *u {
            x.push_str("<w:u w:val=\"single\"/>");
        }
        let _ = write!(
            x,
            "<w:sz w:val=\"{size}\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
            esc(t)
        );
    }
    x.push_str("</w:p>");
    x
}

fn cell(width: u32, content: &str) -> String {
    format!("<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/></w:tcPr>{content}</w:tc>")
}

/// The date line of an official document: "Hà Tĩnh, ngày 23 tháng 11 năm 2026".
pub(super) fn date_line(place: &str, date: &str) -> String {
    let mut it = date.split('-');
    let (y, m, d) = (
        it.next().unwrap_or(""),
        it.next().unwrap_or(""),
        it.next().unwrap_or(""),
    );
    format!("{place}, ngày {d} tháng {m} năm {y}")
}

/// One numbered table of an official document.
#[derive(Debug, Clone, Default)]
pub struct DocTable {
    /// Caption after "Bảng N." (e.g. the title and the measure).
    pub caption: String,
    /// Heading row (an "STT" column is added before it).
    pub head: Vec<String>,
    /// Body rows, as text; columns from `right_from` on are right-aligned (figures).
    pub rows: Vec<Vec<String>>,
    pub right_from: usize,
    /// A bold total row, when there is one.
    pub total: Option<Vec<String>>,
}

/// The pivot as a Word document in the layout of an official report.
pub fn docx(p: &Pivot, ctx: &ExportContext) -> AppResult<Vec<u8>> {
    let (t, subtitle, notes) = report_parts(p, ctx);
    official_docx(ctx, "BÁO CÁO", &subtitle, &[t], &notes)
}

/// The parts of the official report of a pivot (shared by the docx and the
/// PDF): the numbered table, the subtitle and the notes.
pub(super) fn report_parts(p: &Pivot, ctx: &ExportContext) -> (DocTable, String, Vec<String>) {
    // Official reports are in Vietnamese whatever the interface language.
    let en = false;
    let (head, rows, totals) = table(p, en);
    let total_values = if p.cols.is_empty() {
        vec![p.total]
    } else {
        totals
    };
    let mut total = vec!["Tổng cộng".to_owned()];
    total.extend(total_values.iter().map(ToString::to_string));
    let t = DocTable {
        caption: format!("{} — {}", ctx.title, p.spec.measure.label(en)),
        head,
        rows: rows
            .into_iter()
            .map(|(label, values)| {
                let mut r = vec![label];
                r.extend(values.iter().map(ToString::to_string));
                r
            })
            .collect(),
        right_from: 1,
        total: Some(total),
    };
    let subtitle = format!(
        "(Số liệu tính đến {}; phạm vi: {})",
        p.figures_date(),
        ctx.scope
    );
    let notes: Vec<String> = {
        let filters = describe_filters(&p.spec, en);
        if filters.is_empty() {
            Vec::new()
        } else {
            let text: Vec<String> = filters.iter().map(|(d, v)| format!("{d}: {v}")).collect();
            vec![format!("Điều kiện lọc: {}.", text.join("; "))]
        }
    };
    (t, subtitle, notes)
}

/// A Word document in the layout of an official Vietnamese document: issuing
/// body and national motto, place and date, `kind` ("BÁO CÁO", "DANH SÁCH")
/// and the title, numbered tables, notes, recipients and signature block.
pub fn official_docx(
    ctx: &ExportContext,
    kind: &str,
    subtitle: &str,
    tables: &[DocTable],
    notes: &[String],
) -> AppResult<Vec<u8>> {
    write_docx(ctx, kind, subtitle, tables, notes).map_err(unexpected)
}

fn write_docx(
    ctx: &ExportContext,
    kind: &str,
    subtitle: &str,
    tables: &[DocTable],
    notes: &[String],
) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut body = String::new();
    // Header: issuing body (left) and national motto (right), no borders.
    let left = format!(
        "{}{}{}",
        para("center", &[(&ctx.authority, false, false, false)], 26),
        para("center", &[(&ctx.body, true, false, true)], 26),
        para("center", &[(&ctx.number_line(), false, false, false)], 26)
    );
    let right = format!(
        "{}{}{}",
        para(
            "center",
            &[("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", true, false, false)],
            24
        ),
        para(
            "center",
            &[("Độc lập - Tự do - Hạnh phúc", true, false, true)],
            26
        ),
        para(
            "right",
            &[(&date_line(&ctx.place, &ctx.date), false, true, false)],
            26
        )
    );
    let _ = write!(
        body,
        "<w:tbl><w:tblPr><w:tblW w:w=\"9600\" w:type=\"dxa\"/><w:tblBorders>\
         <w:top w:val=\"nil\"/><w:left w:val=\"nil\"/><w:bottom w:val=\"nil\"/><w:right w:val=\"nil\"/>\
         <w:insideH w:val=\"nil\"/><w:insideV w:val=\"nil\"/></w:tblBorders></w:tblPr>\
         <w:tblGrid><w:gridCol w:w=\"3800\"/><w:gridCol w:w=\"5800\"/></w:tblGrid>\
         <w:tr>{}{}</w:tr></w:tbl>",
        cell(3800, &left),
        cell(5800, &right)
    );
    body.push_str(&para("center", &[("", false, false, false)], 26));
    body.push_str(&para("center", &[(kind, true, false, false)], 28));
    body.push_str(&para("center", &[(&ctx.title, true, false, false)], 28));
    body.push_str(&para("center", &[(subtitle, false, true, false)], 24));
    if let Some(to) = ctx.recipient_line() {
        body.push_str(&para("center", &[(&to, false, false, false)], 28));
    }
    for p in ctx.narrative_paragraphs() {
        body.push_str(&para("both", &[(p, false, false, false)], 26));
    }
    let border = "<w:tblBorders><w:top w:val=\"single\" w:sz=\"4\"/><w:left w:val=\"single\" w:sz=\"4\"/>\
        <w:bottom w:val=\"single\" w:sz=\"4\"/><w:right w:val=\"single\" w:sz=\"4\"/>\
        <w:insideH w:val=\"single\" w:sz=\"4\"/><w:insideV w:val=\"single\" w:sz=\"4\"/></w:tblBorders>";
    for (n, t) in tables.iter().enumerate() {
        body.push_str(&para(
            "left",
            &[(
                &format!("Bảng {}. {}", n + 1, t.caption),
                true,
                false,
                false,
            )],
            26,
        ));
        let ncols = t.head.len() + 1;
        let w = (9600 / ncols as u32).max(600);
        let _ = write!(
            body,
            "<w:tbl><w:tblPr><w:tblW w:w=\"9600\" w:type=\"dxa\"/>{border}</w:tblPr><w:tblGrid>"
        );
        for _ in 0..ncols {
            let _ = write!(body, "<w:gridCol w:w=\"{w}\"/>");
        }
        body.push_str("</w:tblGrid><w:tr><w:trPr><w:tblHeader/></w:trPr>");
        body.push_str(&cell(
            w,
            &para("center", &[("STT", true, false, false)], 22),
        ));
        for h in &t.head {
            body.push_str(&cell(w, &para("center", &[(h, true, false, false)], 22)));
        }
        body.push_str("</w:tr>");
        let row = |body: &mut String, number: &str, cells: &[String], bold: bool| {
            body.push_str("<w:tr>");
            body.push_str(&cell(
                w,
                &para("center", &[(number, bold, false, false)], 22),
            ));
            for (c, v) in cells.iter().enumerate() {
                let align = if c >= t.right_from { "right" } else { "left" };
                body.push_str(&cell(w, &para(align, &[(v, bold, false, false)], 22)));
            }
            body.push_str("</w:tr>");
        };
        for (i, r) in t.rows.iter().enumerate() {
            row(&mut body, &(i + 1).to_string(), r, false);
        }
        if let Some(total) = &t.total {
            row(&mut body, "", total, true);
        }
        body.push_str("</w:tbl>");
    }
    for note in notes {
        body.push_str(&para("left", &[(note, false, true, false)], 24));
    }
    body.push_str(&para("left", &[("", false, false, false)], 26));
    // Recipients (left) and signature (right).
    let left = format!(
        "{}{}{}",
        para("left", &[("Nơi nhận:", true, true, false)], 22),
        para("left", &[("- Như trên;", false, false, false)], 22),
        para("left", &[("- Lưu: VT.", false, false, false)], 22)
    );
    let right = format!(
        "{}{}{}",
        para("center", &[("GIÁM ĐỐC", true, false, false)], 26),
        para(
            "center",
            &[("(Ký, ghi rõ họ tên, đóng dấu)", false, true, false)],
            24
        ),
        para("center", &[("", false, false, false)], 26)
    );
    let _ = write!(
        body,
        "<w:tbl><w:tblPr><w:tblW w:w=\"9600\" w:type=\"dxa\"/><w:tblBorders>\
         <w:top w:val=\"nil\"/><w:left w:val=\"nil\"/><w:bottom w:val=\"nil\"/><w:right w:val=\"nil\"/>\
         <w:insideH w:val=\"nil\"/><w:insideV w:val=\"nil\"/></w:tblBorders></w:tblPr>\
         <w:tblGrid><w:gridCol w:w=\"4800\"/><w:gridCol w:w=\"4800\"/></w:tblGrid>\
         <w:tr>{}{}</w:tr></w:tbl>",
        cell(4800, &left),
        cell(4800, &right)
    );
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:body>{body}<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/>\
         <w:pgMar w:top=\"1134\" w:right=\"1134\" w:bottom=\"1134\" w:left=\"1701\" w:header=\"720\" w:footer=\"720\" w:gutter=\"0\"/>\
         </w:sectPr></w:body></w:document>"
    );
    let content_types = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
        <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
        <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
        <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
        <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
        <Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
        </Types>";
    let rels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
        <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
        <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
        <Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
        </Relationships>";
    let core = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title><dc:creator>{}</dc:creator></cp:coreProperties>",
        esc(&ctx.title),
        esc(&ctx.body)
    );
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, data) in [
        ("[Content_Types].xml", content_types.to_owned()),
        ("_rels/.rels", rels.to_owned()),
        ("docProps/core.xml", core),
        ("word/document.xml", document),
    ] {
        zip.start_file(name, opts)?;
        zip.write_all(data.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}
