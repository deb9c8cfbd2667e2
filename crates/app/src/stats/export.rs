//! Exports of a pivot that officials can edit: xlsx (the table, a native
//! Excel chart and a sheet describing the filters and the date) and docx in
//! the layout of an official Vietnamese report (Decree 30/2020/ND-CP on
//! administrative documents: issuing body and national motto at the top,
//! place and date, title, numbered table, recipients and signature block).
//! Both carry counts only; text is written as strings, never formulas. The
//! same official report as PDF is in [`super::pdf`].

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

/// The filters of a spec, in words (the consent filter last).
pub fn describe_filters(spec: &PivotSpec, en: bool) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = spec
        .filters
        .iter()
        .map(|(d, vals)| {
            let labels: Vec<String> = vals
                .iter()
                .map(|v| header(*d, v).label(en).to_owned())
                .collect();
            (d.label(en).to_owned(), labels.join(", "))
        })
        .collect();
    if let Some(c) = &spec.consent {
        out.push((
            (if en { "Consent" } else { "Sự đồng ý" }).to_owned(),
            consent_words(c, en),
        ));
    }
    out
}

/// A consent filter value (`directory:given`) in words: "Danh bạ đồng
/// hương — đã đồng ý" (the purposes as the portal names them).
pub fn consent_words(value: &str, en: bool) -> String {
    let (purpose, state) = value.split_once(':').unwrap_or((value, ""));
    let purpose = match (purpose, en) {
        ("keep_record", false) => "Lưu giữ hồ sơ",
        ("keep_record", true) => "Keeping the record",
        ("news", false) => "Tin tức và thư mời",
        ("news", true) => "News and invitations",
        ("directory", false) => "Danh bạ đồng hương",
        ("directory", true) => "Directory of people from home",
        ("national_sharing", false) => "Chia sẻ với cơ sở dữ liệu quốc gia",
        ("national_sharing", true) => "Sharing with the national database",
        (other, _) => other,
    };
    let state = match (state, en) {
        ("given", false) => "đã đồng ý",
        ("given", true) => "given",
        ("withdrawn", false) => "đã rút lại",
        ("withdrawn", true) => "withdrawn",
        (_, false) => "chưa từng được hỏi",
        (_, true) => "never asked",
    };
    format!("{purpose} — {state}")
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

use crate::official::date_line;

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
    write_docx(ctx, kind, subtitle, tables, notes)
}

fn write_docx(
    ctx: &ExportContext,
    kind: &str,
    subtitle: &str,
    tables: &[DocTable],
    notes: &[String],
) -> AppResult<Vec<u8>> {
    use crate::official::{BODY, SMALL, TINY, aligned, borderless, cell, centered, grid, run};
    use docx_rs::{AlignmentType, Paragraph, TableRow};

    let mut doc = crate::official::new_document();
    // Header: issuing body (left) and national motto (right), no borders.
    let left = cell(
        vec![
            centered(vec![run(&ctx.authority, BODY)]),
            centered(vec![run(&ctx.body, BODY).bold().underline("single")]),
            centered(vec![run(&ctx.number_line(), BODY)]),
        ],
        3600,
    );
    let right = cell(
        vec![
            centered(vec![
                run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", SMALL).bold(),
            ]),
            centered(vec![
                run("Độc lập - Tự do - Hạnh phúc", BODY)
                    .bold()
                    .underline("single"),
            ]),
            aligned(
                AlignmentType::Right,
                vec![run(&date_line(&ctx.place, &ctx.date), BODY).italic()],
            ),
        ],
        5755,
    );
    doc = doc.add_table(borderless(vec![left, right]));
    doc = doc.add_paragraph(Paragraph::new());
    doc = doc.add_paragraph(centered(vec![run(kind, 28).bold()]));
    doc = doc.add_paragraph(centered(vec![run(&ctx.title, 28).bold()]));
    doc = doc.add_paragraph(centered(vec![run(subtitle, SMALL).italic()]));
    if let Some(to) = ctx.recipient_line() {
        doc = doc.add_paragraph(centered(vec![run(&to, 28)]));
    }
    for p in ctx.narrative_paragraphs() {
        doc = doc.add_paragraph(aligned(AlignmentType::Both, vec![run(p, BODY)]));
    }
    for (n, t) in tables.iter().enumerate() {
        doc = doc.add_paragraph(aligned(
            AlignmentType::Left,
            vec![run(&format!("Bảng {}. {}", n + 1, t.caption), BODY).bold()],
        ));
        let ncols = t.head.len() + 1;
        let w = (crate::official::TEXT_WIDTH / ncols).max(600);
        let line = |number: &str, cells: &[String], bold: bool| {
            let mut row = vec![cell(
                vec![centered(vec![if bold {
                    run(number, TINY).bold()
                } else {
                    run(number, TINY)
                }])],
                w,
            )];
            for (c, v) in cells.iter().enumerate() {
                let align = if c >= t.right_from {
                    AlignmentType::Right
                } else {
                    AlignmentType::Left
                };
                let r = if bold {
                    run(v, TINY).bold()
                } else {
                    run(v, TINY)
                };
                row.push(cell(vec![aligned(align, vec![r])], w));
            }
            TableRow::new(row).cant_split()
        };
        let mut head = vec![cell(vec![centered(vec![run("STT", TINY).bold()])], w)];
        for h in &t.head {
            head.push(cell(vec![centered(vec![run(h, TINY).bold()])], w));
        }
        let mut rows = vec![TableRow::new(head).cant_split()];
        for (i, r) in t.rows.iter().enumerate() {
            rows.push(line(&(i + 1).to_string(), r, false));
        }
        if let Some(total) = &t.total {
            rows.push(line("", total, true));
        }
        doc = doc.add_table(grid(rows, vec![w; ncols]));
    }
    for note in notes {
        doc = doc.add_paragraph(aligned(
            AlignmentType::Left,
            vec![run(note, SMALL).italic()],
        ));
    }
    doc = doc.add_paragraph(Paragraph::new());
    // Recipients (left) and signature (right).
    let left = cell(
        vec![
            aligned(
                AlignmentType::Left,
                vec![run("Nơi nhận:", SMALL).bold().italic()],
            ),
            aligned(AlignmentType::Left, vec![run("- Như trên;", TINY)]),
            aligned(AlignmentType::Left, vec![run("- Lưu: VT.", TINY)]),
        ],
        4677,
    );
    let right = cell(
        vec![
            centered(vec![run("GIÁM ĐỐC", BODY).bold()]),
            centered(vec![run("(Ký, ghi rõ họ tên, đóng dấu)", SMALL).italic()]),
            Paragraph::new(),
        ],
        4678,
    );
    doc = doc.add_table(borderless(vec![left, right]));
    crate::official::pack(doc)
}
