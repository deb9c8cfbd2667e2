//! The pieces of a Word document in the layout of Decree 30/2020/NĐ-CP
//! (Appendix I) that every official document of the product shares — the
//! statistics reports and lists (`stats::export`), the letters of events
//! (`community::letters`): A4 with margins 20/15/30/15 mm, Times New Roman,
//! the two-column header (issuing body | national motto) and footer
//! (recipients | signature), written with `docx-rs`.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, Docx, LineSpacing, Paragraph, Run, RunFonts, Table, TableBorders, TableCell,
    TableRow, WidthType,
};

use crate::{AppError, AppResult};

/// Sizes in half-points: 13 pt body, 12 pt and 11 pt.
pub const BODY: usize = 26;
pub const SMALL: usize = 24;
pub const TINY: usize = 22;

/// The width of the text between the margins, in twentieths of a point.
pub const TEXT_WIDTH: usize = 9355;

/// Text as Word may hold it: characters XML 1.0 forbids are left out.
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| (*c as u32) >= 0x20 || matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// A run of text at `size`.
pub fn run(text: &str, size: usize) -> Run {
    Run::new().add_text(clean(text)).size(size)
}

/// A paragraph of runs with its alignment and a little space after it.
pub fn aligned(align: AlignmentType, runs: Vec<Run>) -> Paragraph {
    runs.into_iter().fold(
        Paragraph::new()
            .align(align)
            .line_spacing(LineSpacing::new().after(60)),
        Paragraph::add_run,
    )
}

/// A centred paragraph.
pub fn centered(runs: Vec<Run>) -> Paragraph {
    aligned(AlignmentType::Center, runs)
}

/// A table cell `width` wide holding `paragraphs`.
pub fn cell(paragraphs: Vec<Paragraph>, width: usize) -> TableCell {
    paragraphs.into_iter().fold(
        TableCell::new().width(width, WidthType::Dxa),
        TableCell::add_paragraph,
    )
}

/// A one-row table without borders (the header and the footer blocks).
pub fn borderless(cells: Vec<TableCell>) -> Table {
    Table::new(vec![TableRow::new(cells)])
        .set_borders(TableBorders::with_empty())
        .width(TEXT_WIDTH, WidthType::Dxa)
}

/// A table with single borders, columns of the given widths.
pub fn grid(rows: Vec<TableRow>, widths: Vec<usize>) -> Table {
    Table::new(rows)
        .set_grid(widths)
        .width(TEXT_WIDTH, WidthType::Dxa)
}

/// The date line of an official document as Decree 30 writes it: "Hà Tĩnh,
/// ngày 07 tháng 12 năm 2026" — days below 10 and the months January and
/// February with a leading zero (`date` is `YYYY-MM-DD`).
pub fn date_line(place: &str, date: &str) -> String {
    let mut parts = date.split('-');
    let (y, m, d) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or("").parse::<u32>().unwrap_or(0),
        parts.next().unwrap_or("").parse::<u32>().unwrap_or(0),
    );
    let month = if m <= 2 {
        format!("{m:02}")
    } else {
        m.to_string()
    };
    format!("{place}, ngày {d:02} tháng {month} năm {y}")
}

/// An empty A4 document with the decree's margins and font.
pub fn new_document() -> Docx {
    // A4, margins top/bottom 20 mm, left 30 mm, right 15 mm.
    Docx::new()
        .page_size(11906, 16838)
        .page_margin(
            docx_rs::PageMargin::new()
                .top(1134)
                .bottom(1134)
                .left(1701)
                .right(850),
        )
        .default_fonts(
            RunFonts::new()
                .ascii("Times New Roman")
                .hi_ansi("Times New Roman")
                .cs("Times New Roman")
                .east_asia("Times New Roman"),
        )
        .default_size(BODY)
}

/// The document as the bytes of a .docx package.
pub fn pack(doc: Docx) -> AppResult<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("docx: {e}")))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_line_reads_as_the_decree_writes_it() {
        assert_eq!(
            date_line("Hà Tĩnh", "2026-11-23"),
            "Hà Tĩnh, ngày 23 tháng 11 năm 2026"
        );
    }

    #[test]
    fn control_characters_never_reach_the_package() {
        let doc = new_document().add_paragraph(centered(vec![run("A\u{1}B & <C>", BODY)]));
        let bytes = pack(doc).unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
            .unwrap();
        assert!(xml.contains("AB &amp; &lt;C&gt;"), "{xml}");
        assert!(!xml.contains('\u{1}'));
    }
}
