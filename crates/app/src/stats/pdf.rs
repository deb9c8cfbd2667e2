//! The official reports of [`super::export`] as PDF: the same content and
//! layout as the docx (issuing body and national motto in two columns, place
//! and date, kind and title, numbered tables with an STT column and a bold
//! total row, notes, recipients and signature block), on A4 — landscape when
//! a table does not fit across a portrait page.
//!
//! Text is real text in `DejaVu Sans` (regular and bold, vendored in
//! `assets/fonts` with its licence), which covers Vietnamese. Each font is
//! embedded as a subset (only the glyphs used) in a CID font with a
//! `ToUnicode` map, so the text can be searched and copied. Italic is the
//! regular face slanted. Tables size their columns from their content, wrap
//! cell text, right-align figures and repeat the heading row on each new
//! page; every page carries "Trang N/M" at the bottom.

use std::collections::BTreeMap;
use std::io::Write as _;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::{GlyphMetrics, Metrics};
use skrifa::{FontRef, GlyphId, MetadataProvider};
use subsetter::GlyphRemapper;
use unicode_normalization::UnicodeNormalization;

use super::export::{DocTable, ExportContext, report_parts, unexpected};
use super::pivots::Pivot;
use crate::AppResult;
use crate::official::date_line;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// A4 in points.
const A4: (f32, f32) = (595.28, 841.89);
/// 2 cm and 3 cm, the margins of the docx.
const CM2: f32 = 56.69;
const CM3: f32 = 85.04;
/// Line height as a multiple of the font size.
const LEAD: f32 = 1.25;
/// Table text size and cell padding.
const TABLE_SIZE: f32 = 9.5;
const PAD_X: f32 = 3.0;
const PAD_Y: f32 = 2.5;
/// Slant of the italic text (the faces have no italic of their own).
const SLANT: f32 = 0.2;

/// The pivot as a PDF in the layout of an official report (the content of
/// [`super::export::docx`]).
pub fn pdf(p: &Pivot, ctx: &ExportContext) -> AppResult<Vec<u8>> {
    let (t, subtitle, notes) = report_parts(p, ctx);
    official_pdf(ctx, "BÁO CÁO", &subtitle, &[t], &notes)
}

/// A PDF in the layout of an official Vietnamese document, with the content
/// of [`super::export::official_docx`].
pub fn official_pdf(
    ctx: &ExportContext,
    kind: &str,
    subtitle: &str,
    tables: &[DocTable],
    notes: &[String],
) -> AppResult<Vec<u8>> {
    let mut l = Layout::new()?;
    let portrait_width = A4.0 - CM3 - CM2;
    // Landscape when a table cannot fit without breaking words, or would
    // have to wrap much of its text.
    let landscape = tables.iter().any(|t| {
        let (min, max) = l.col_widths(&grid(t), portrait_width).1;
        min > portrait_width || max > 1.5 * portrait_width
    });
    if landscape {
        l.page = (A4.1, A4.0);
        l.margin = [CM2, CM2, CM2, CM2];
    }
    l.new_page();
    l.header(ctx);
    l.para(kind, Style::bold(13.0), Align::Center, 0.0);
    l.para(&ctx.title, Style::bold(13.0), Align::Center, 2.0);
    l.para(subtitle, Style::italic(11.0), Align::Center, 12.0);
    if let Some(to) = ctx.recipient_line() {
        l.para(&to, Style::regular(13.0), Align::Center, 10.0);
    }
    for p in ctx.narrative_paragraphs() {
        l.para(p, Style::regular(12.0), Align::Left, 6.0);
    }
    for (n, t) in tables.iter().enumerate() {
        l.table(n + 1, t);
    }
    for note in notes {
        l.para(note, Style::italic(11.0), Align::Left, 4.0);
    }
    l.y -= 12.0;
    l.signature();
    l.footer();
    l.finish(&ctx.title, &ctx.body)
}

/// One embedded face: its metrics, and the glyphs used so far (for the
/// subset, the widths and the `ToUnicode` map).
struct Font {
    data: &'static [u8],
    charmap: skrifa::charmap::Charmap<'static>,
    glyphs: GlyphMetrics<'static>,
    /// The face's metrics in font units.
    metrics: Metrics,
    bold: bool,
    upm: f32,
    remap: GlyphRemapper,
    /// New glyph id → the character it shows.
    chars: BTreeMap<u16, char>,
}

impl Font {
    fn load(data: &'static [u8]) -> AppResult<Self> {
        let face = FontRef::new(data).map_err(unexpected)?;
        let metrics = face.metrics(Size::unscaled(), LocationRef::default());
        if metrics.units_per_em == 0 {
            return Err(unexpected(std::io::Error::other(
                "the font has no units per em",
            )));
        }
        Ok(Self {
            data,
            upm: f32::from(metrics.units_per_em),
            charmap: face.charmap(),
            glyphs: face.glyph_metrics(Size::unscaled(), LocationRef::default()),
            metrics,
            bold: face.attributes().weight >= skrifa::attribute::Weight::BOLD,
            remap: GlyphRemapper::new(),
            chars: BTreeMap::new(),
        })
    }

    fn glyph(&self, c: char) -> u16 {
        self.charmap
            .map(c)
            .and_then(|g| u16::try_from(g.to_u32()).ok())
            .unwrap_or(0)
    }

    /// Advance of a glyph in thousandths of an em.
    fn advance(&self, gid: u16) -> f32 {
        self.glyphs
            .advance_width(GlyphId::new(u32::from(gid)))
            .unwrap_or(0.0)
            * 1000.0
            / self.upm
    }

    /// Width of `s` at `size` points.
    fn width(&self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.advance(self.glyph(c))).sum::<f32>() * size / 1000.0
    }

    /// `s` as two-byte glyph ids of the subset (Identity-H).
    fn encode(&mut self, s: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(s.len() * 2);
        for c in s.chars() {
            let new = self.remap.remap(self.glyph(c));
            self.chars.entry(new).or_insert(c);
            out.extend(new.to_be_bytes());
        }
        out
    }

    /// Scales a font unit to thousandths of an em.
    fn units(&self, v: f32) -> f32 {
        v * 1000.0 / self.upm
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Style {
    bold: bool,
    italic: bool,
    underline: bool,
    size: f32,
}

impl Style {
    fn regular(size: f32) -> Self {
        Self {
            size,
            ..Self::default()
        }
    }
    fn bold(size: f32) -> Self {
        Self {
            bold: true,
            size,
            ..Self::default()
        }
    }
    fn italic(size: f32) -> Self {
        Self {
            italic: true,
            size,
            ..Self::default()
        }
    }
    fn underlined(self) -> Self {
        Self {
            underline: true,
            ..self
        }
    }
    fn slanted(self) -> Self {
        Self {
            italic: true,
            ..self
        }
    }
    fn line_height(self) -> f32 {
        self.size * LEAD
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Head,
    Body,
    Total,
}

/// The rows of a table as drawn: heading (with "STT"), body rows numbered,
/// the total row; every row as wide as the widest.
struct Grid {
    rows: Vec<(Vec<String>, RowKind)>,
    /// First column (after STT) of figures, right-aligned.
    right_from: usize,
}

fn grid(t: &DocTable) -> Grid {
    let mut rows = Vec::with_capacity(t.rows.len() + 2);
    let mut head = vec!["STT".to_owned()];
    head.extend(t.head.iter().map(|s| clean(s)));
    rows.push((head, RowKind::Head));
    for (i, r) in t.rows.iter().enumerate() {
        let mut cells = vec![(i + 1).to_string()];
        cells.extend(r.iter().map(|s| clean(s)));
        rows.push((cells, RowKind::Body));
    }
    if let Some(total) = &t.total {
        let mut cells = vec![String::new()];
        cells.extend(total.iter().map(|s| clean(s)));
        rows.push((cells, RowKind::Total));
    }
    let ncols = rows.iter().map(|(c, _)| c.len()).max().unwrap_or(1);
    for (cells, _) in &mut rows {
        cells.resize(ncols, String::new());
    }
    Grid {
        rows,
        right_from: t.right_from,
    }
}

/// Text as drawn: composed (precomposed Vietnamese letters have glyphs of
/// their own; combining marks would need shaping), control characters as
/// spaces.
fn clean(s: &str) -> String {
    s.nfc()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect()
}

/// Breaks `text` into lines no wider than `width`; words wider than a line
/// are broken between letters.
fn wrap(font: &Font, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if font.width(&candidate, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if font.width(word, size) <= width {
                word.clone_into(&mut line);
                continue;
            }
            for c in word.chars() {
                line.push(c);
                if line.chars().count() > 1 && font.width(&line, size) > width {
                    line.pop();
                    lines.push(std::mem::replace(&mut line, c.to_string()));
                }
            }
        }
        lines.push(line);
    }
    lines
}

struct Layout {
    fonts: [Font; 2],
    pages: Vec<Content>,
    /// Page width and height.
    page: (f32, f32),
    /// Top, right, bottom, left.
    margin: [f32; 4],
    /// Top of the next block.
    y: f32,
}

impl Layout {
    fn new() -> AppResult<Self> {
        Ok(Self {
            fonts: [Font::load(REGULAR)?, Font::load(BOLD)?],
            pages: Vec::new(),
            page: A4,
            margin: [CM2, CM2, CM2, CM3],
            y: 0.0,
        })
    }

    fn font(&self, st: Style) -> &Font {
        &self.fonts[usize::from(st.bold)]
    }
    fn left(&self) -> f32 {
        self.margin[3]
    }
    fn width(&self) -> f32 {
        self.page.0 - self.margin[1] - self.margin[3]
    }
    fn bottom(&self) -> f32 {
        self.margin[2]
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = self.page.1 - self.margin[0];
    }

    fn lines(&self, text: &str, st: Style, width: f32) -> Vec<String> {
        wrap(self.font(st), &clean(text), st.size, width)
    }

    /// One line of text on the current page.
    fn text(&mut self, x: f32, top: f32, width: f32, line: &str, st: Style, align: Align) {
        let page = self.pages.len().saturating_sub(1);
        self.text_on(page, x, top, width, line, st, align);
    }

    /// One line of text whose box starts at `top`, aligned within `width`.
    #[allow(clippy::too_many_arguments)]
    fn text_on(
        &mut self,
        page: usize,
        x: f32,
        top: f32,
        width: f32,
        line: &str,
        st: Style,
        align: Align,
    ) {
        let font = &mut self.fonts[usize::from(st.bold)];
        let w = font.width(line, st.size);
        let x = match align {
            Align::Left => x,
            Align::Center => x + (width - w) / 2.0,
            Align::Right => x + width - w,
        };
        let glyphs = font.encode(line);
        let baseline = top - st.size * 0.95;
        let Some(c) = self.pages.get_mut(page) else {
            return;
        };
        c.begin_text();
        c.set_font(Name(if st.bold { b"F2" } else { b"F1" }), st.size);
        let slant = if st.italic { SLANT } else { 0.0 };
        c.set_text_matrix([1.0, 0.0, slant, 1.0, x, baseline]);
        c.show(Str(&glyphs));
        c.end_text();
        if st.underline && w > 0.0 {
            let under = baseline - st.size * 0.24;
            c.set_line_width(st.size * 0.06);
            c.move_to(x, under);
            c.line_to(x + w, under);
            c.stroke();
        }
    }

    /// A wrapped paragraph from `top` within `width`; returns its height.
    fn block(&mut self, x: f32, top: f32, width: f32, text: &str, st: Style, align: Align) -> f32 {
        let lines = self.lines(text, st, width);
        let lh = st.line_height();
        for (i, line) in lines.iter().enumerate() {
            self.text(x, top - i as f32 * lh, width, line, st, align);
        }
        lines.len() as f32 * lh
    }

    /// A one-line paragraph, smaller if need be to stay on one line (the
    /// national motto).
    fn fitted(&mut self, x: f32, top: f32, width: f32, text: &str, st: Style) -> f32 {
        let mut st = st;
        while st.size > 8.0 && self.font(st).width(&clean(text), st.size) > width {
            st.size -= 0.5;
        }
        self.block(x, top, width, text, st, Align::Center)
    }

    /// A paragraph across the page at the cursor, on a new page if it does
    /// not fit.
    fn para(&mut self, text: &str, st: Style, align: Align, after: f32) {
        let h = self.lines(text, st, self.width()).len() as f32 * st.line_height();
        if self.y - h < self.bottom() {
            self.new_page();
        }
        let (x, w, y) = (self.left(), self.width(), self.y);
        self.block(x, y, w, text, st, align);
        self.y -= h + after;
    }

    /// Issuing body (left) and national motto, place and date (right).
    fn header(&mut self, ctx: &ExportContext) {
        let (x, w, top) = (self.left(), self.width(), self.y);
        let lw = w * 38.0 / 96.0;
        let (rx, rw) = (x + lw, w - lw);
        let mut yl = top;
        yl -= self.block(
            x,
            yl,
            lw,
            &ctx.authority,
            Style::regular(11.5),
            Align::Center,
        );
        yl -= self.block(
            x,
            yl,
            lw,
            &ctx.body,
            Style::bold(11.5).underlined(),
            Align::Center,
        );
        yl -= 4.0;
        yl -= self.block(
            x,
            yl,
            lw,
            &ctx.number_line(),
            Style::regular(11.5),
            Align::Center,
        );
        let mut yr = top;
        yr -= self.fitted(
            rx,
            yr,
            rw,
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            Style::bold(11.0),
        );
        yr -= self.fitted(
            rx,
            yr,
            rw,
            "Độc lập - Tự do - Hạnh phúc",
            Style::bold(11.5).underlined(),
        );
        yr -= 8.0;
        yr -= self.block(
            rx,
            yr,
            rw,
            &date_line(&ctx.place, &ctx.date),
            Style::italic(11.5),
            Align::Right,
        );
        self.y = yl.min(yr) - 18.0;
    }

    /// Column widths for `g` within `avail`, the least width the table
    /// needs without breaking words and the width it takes unwrapped.
    /// Columns take their longest line; when the table is too wide, the
    /// heading row wraps first, then body cells: each column keeps its
    /// longest word plus a share of the rest.
    fn col_widths(&self, g: &Grid, avail: f32) -> (Vec<f32>, (f32, f32)) {
        let ncols = g.rows.first().map_or(1, |(c, _)| c.len());
        let mut full = vec![0.0_f32; ncols];
        let mut body = vec![0.0_f32; ncols];
        let mut min = vec![0.0_f32; ncols];
        for (cells, kind) in &g.rows {
            let st = Self::cell_style(*kind);
            let font = self.font(st);
            for (c, s) in cells.iter().enumerate() {
                let line = s
                    .split('\n')
                    .map(|l| font.width(l, st.size))
                    .fold(0.0, f32::max)
                    + 2.0 * PAD_X;
                let word = s
                    .split_whitespace()
                    .map(|w| font.width(w, st.size))
                    .fold(0.0, f32::max)
                    + 2.0 * PAD_X;
                full[c] = full[c].max(line);
                min[c] = min[c].max(word);
                if *kind != RowKind::Head {
                    body[c] = body[c].max(line);
                }
            }
        }
        for (b, m) in body.iter_mut().zip(&min) {
            *b = b.max(*m);
        }
        let sum = |v: &[f32]| v.iter().sum::<f32>();
        let (full_sum, body_sum, min_sum) = (sum(&full), sum(&body), sum(&min));
        // From `from` towards `to`, by the share of `avail` left after `from`.
        let between = |from: &[f32], to: &[f32], from_sum: f32, to_sum: f32| -> Vec<f32> {
            let share = ((avail - from_sum) / (to_sum - from_sum)).clamp(0.0, 1.0);
            from.iter()
                .zip(to)
                .map(|(a, b)| a + (b - a) * share)
                .collect()
        };
        let widths = if full_sum <= avail {
            full.iter().map(|w| w * avail / full_sum).collect()
        } else if body_sum <= avail {
            between(&body, &full, body_sum, full_sum)
        } else if min_sum < avail {
            between(&min, &body, min_sum, body_sum)
        } else {
            min.iter().map(|w| w * avail / min_sum).collect()
        };
        (widths, (min_sum, full_sum))
    }

    fn cell_style(kind: RowKind) -> Style {
        Style {
            bold: kind != RowKind::Body,
            ..Style::regular(TABLE_SIZE)
        }
    }

    fn cell_lines(&self, cells: &[String], kind: RowKind, widths: &[f32]) -> Vec<Vec<String>> {
        let st = Self::cell_style(kind);
        widths
            .iter()
            .zip(cells)
            .map(|(w, s)| wrap(self.font(st), s, st.size, w - 2.0 * PAD_X))
            .collect()
    }

    fn row_height(&self, cells: &[String], kind: RowKind, widths: &[f32]) -> f32 {
        let n = self
            .cell_lines(cells, kind, widths)
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(1);
        n as f32 * TABLE_SIZE * LEAD + 2.0 * PAD_Y
    }

    /// One row of a table at the cursor, with its cell borders.
    fn row(&mut self, cells: &[String], kind: RowKind, widths: &[f32], right_from: usize) {
        let st = Self::cell_style(kind);
        let lines = self.cell_lines(cells, kind, widths);
        let h = self.row_height(cells, kind, widths);
        let lh = st.line_height();
        let top = self.y;
        let mut x = self.left();
        for (c, (w, cell)) in widths.iter().zip(&lines).enumerate() {
            let align = match (kind, c) {
                (RowKind::Head, _) | (_, 0) => Align::Center,
                // Column c is the (c - 1)th of the `DocTable` row.
                _ if c > right_from => Align::Right,
                _ => Align::Left,
            };
            for (i, line) in cell.iter().enumerate() {
                let line_top = top - PAD_Y - i as f32 * lh;
                self.text(x + PAD_X, line_top, w - 2.0 * PAD_X, line, st, align);
            }
            x += w;
        }
        if let Some(c) = self.pages.last_mut() {
            c.set_line_width(0.5);
            let mut x = self.margin[3];
            for w in widths {
                c.rect(x, top - h, *w, h);
                x += w;
            }
            c.stroke();
        }
        self.y -= h;
    }

    /// "Bảng N. caption" and the table; the heading row is repeated on each
    /// new page.
    fn table(&mut self, n: usize, t: &DocTable) {
        let g = grid(t);
        let (widths, _) = self.col_widths(&g, self.width());
        let caption = format!("Bảng {n}. {}", t.caption);
        let cap = Style::bold(11.0);
        let cap_h = self.lines(&caption, cap, self.width()).len() as f32 * cap.line_height();
        let Some((head, _)) = g.rows.first() else {
            return;
        };
        let head_h = self.row_height(head, RowKind::Head, &widths);
        let first_h = g
            .rows
            .get(1)
            .map_or(0.0, |(c, k)| self.row_height(c, *k, &widths));
        // The caption stays with the heading and the first row.
        if self.y - cap_h - 4.0 - head_h - first_h < self.bottom() {
            self.new_page();
        }
        self.para(&caption, cap, Align::Left, 4.0);
        self.row(head, RowKind::Head, &widths, g.right_from);
        for (cells, kind) in g.rows.iter().skip(1) {
            let h = self.row_height(cells, *kind, &widths);
            if self.y - h < self.bottom() {
                self.new_page();
                self.row(head, RowKind::Head, &widths, g.right_from);
            }
            self.row(cells, *kind, &widths, g.right_from);
        }
        self.y -= 12.0;
    }

    /// Recipients (left) and signature block (right).
    fn signature(&mut self) {
        let need = 3.0 * 11.0 * LEAD + 60.0;
        if self.y - need < self.bottom() {
            self.new_page();
        }
        let (x, w, top) = (self.left(), self.width(), self.y);
        let half = w / 2.0;
        let mut yl = top;
        yl -= self.block(
            x,
            yl,
            half,
            "Nơi nhận:",
            Style::bold(10.5).slanted(),
            Align::Left,
        );
        for line in ["- Như trên;", "- Lưu: VT."] {
            yl -= self.block(x, yl, half, line, Style::regular(10.0), Align::Left);
        }
        let mut yr = top;
        yr -= self.block(
            x + half,
            yr,
            half,
            "GIÁM ĐỐC",
            Style::bold(12.0),
            Align::Center,
        );
        yr -= self.block(
            x + half,
            yr,
            half,
            "(Ký, ghi rõ họ tên, đóng dấu)",
            Style::italic(11.0),
            Align::Center,
        );
        self.y = yl.min(yr - 48.0);
    }

    /// "Trang N/M" at the bottom of every page.
    fn footer(&mut self) {
        let total = self.pages.len();
        let (x, w) = (self.left(), self.width());
        let top = self.bottom() * 0.6;
        for i in 0..total {
            let label = format!("Trang {}/{total}", i + 1);
            self.text_on(i, x, top, w, &label, Style::regular(9.0), Align::Center);
        }
    }

    /// The PDF file: pages, the two subset fonts, document information.
    fn finish(self, title: &str, author: &str) -> AppResult<Vec<u8>> {
        let mut next = 0;
        let mut alloc = || {
            next += 1;
            Ref::new(next)
        };
        let catalog = alloc();
        let tree = alloc();
        let info = alloc();
        let font_refs: Vec<[Ref; 5]> = (0..2)
            .map(|_| [alloc(), alloc(), alloc(), alloc(), alloc()])
            .collect();
        let page_refs: Vec<(Ref, Ref)> =
            (0..self.pages.len()).map(|_| (alloc(), alloc())).collect();
        let mut pdf = Pdf::new();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree)
            .kids(page_refs.iter().map(|(p, _)| *p))
            .count(page_refs.len() as i32);
        for ((page_ref, content_ref), content) in page_refs.iter().zip(self.pages) {
            let mut page = pdf.page(*page_ref);
            page.media_box(Rect::new(0.0, 0.0, self.page.0, self.page.1));
            page.parent(tree);
            page.contents(*content_ref);
            page.resources()
                .fonts()
                .pair(Name(b"F1"), font_refs[0][0])
                .pair(Name(b"F2"), font_refs[1][0]);
            page.finish();
            let data = deflate(&content.finish())?;
            pdf.stream(*content_ref, &data).filter(Filter::FlateDecode);
        }
        for ((font, refs), (tag, name)) in self
            .fonts
            .iter()
            .zip(&font_refs)
            .zip([("KBAAAA", "DejaVuSans"), ("KBAAAB", "DejaVuSans-Bold")])
        {
            embed(&mut pdf, font, *refs, &format!("{tag}+{name}"))?;
        }
        let mut doc = pdf.document_info(info);
        doc.title(TextStr(title));
        doc.author(TextStr(author));
        doc.creator(TextStr("Kiều Bào"));
        doc.finish();
        Ok(pdf.finish())
    }
}

fn deflate(data: &[u8]) -> AppResult<Vec<u8>> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(data).map_err(unexpected)?;
    z.finish().map_err(unexpected)
}

/// A subset of `font` as a `Type0` font with a `CIDFontType2` descendant,
/// Identity-H encoding (codes are the subset's glyph ids) and a `ToUnicode` map.
fn embed(pdf: &mut Pdf, font: &Font, refs: [Ref; 5], base: &str) -> AppResult<()> {
    let [type0, cid, descriptor, file, cmap] = refs;
    let system = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    let base = Name(base.as_bytes());
    pdf.type0_font(type0)
        .base_font(base)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap);
    let widths: Vec<f32> = font
        .remap
        .remapped_gids()
        .map(|old| font.advance(old))
        .collect();
    let mut c = pdf.cid_font(cid);
    c.subtype(CidFontType::Type2)
        .base_font(base)
        .system_info(system)
        .font_descriptor(descriptor)
        .default_width(0.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    c.widths().consecutive(0, widths);
    c.finish();
    let bbox = font.metrics.bounds.unwrap_or_default();
    let mut flags = FontFlags::NON_SYMBOLIC;
    if font.bold {
        flags |= FontFlags::FORCE_BOLD;
    }
    pdf.font_descriptor(descriptor)
        .name(base)
        .flags(flags)
        .bbox(Rect::new(
            font.units(bbox.x_min),
            font.units(bbox.y_min),
            font.units(bbox.x_max),
            font.units(bbox.y_max),
        ))
        .italic_angle(0.0)
        .ascent(font.units(font.metrics.ascent))
        .descent(font.units(font.metrics.descent))
        .cap_height(font.units(font.metrics.cap_height.unwrap_or(0.0)))
        .stem_v(if font.bold { 140.0 } else { 80.0 })
        .font_file2(file);
    let mut map = UnicodeCmap::new(Name(b"Custom"), system);
    for (gid, c) in &font.chars {
        map.pair(*gid, *c);
    }
    pdf.stream(cmap, &map.finish());
    let subset = subsetter::subset(font.data, 0, &font.remap).map_err(unexpected)?;
    let data = deflate(&subset)?;
    pdf.stream(file, &data)
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), subset.len() as i32);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ExportContext {
        ExportContext {
            title: "Kiều bào theo quốc gia".into(),
            authority: "UBND TỈNH HÀ TĨNH".into(),
            body: "SỞ NGOẠI VỤ".into(),
            place: "Hà Tĩnh".into(),
            date: "2026-11-23".into(),
            scope: "toàn tỉnh".into(),
            en: false,
            number: String::new(),
            recipient: String::new(),
            narrative: String::new(),
        }
    }

    fn table(rows: usize, cols: usize) -> DocTable {
        let mut head = vec!["Quốc gia".to_owned()];
        head.extend((1..=cols).map(|c| format!("Diện thứ {c} của kiều bào")));
        DocTable {
            caption: "Kiều bào theo quốc gia — Số người".into(),
            head,
            rows: (0..rows)
                .map(|r| {
                    let mut row = vec![format!("Nước thứ {r} (Hàn Quốc, Đức, Ý)")];
                    row.extend((1..=cols).map(|c| (r * c).to_string()));
                    row
                })
                .collect(),
            right_from: 1,
            total: Some(
                std::iter::once("Tổng cộng".to_owned())
                    .chain((1..=cols).map(|c| (c * 1000).to_string()))
                    .collect(),
            ),
        }
    }

    fn text_of(doc: &lopdf::Document, page: u32) -> String {
        doc.extract_text(&[page]).unwrap()
    }

    #[test]
    fn the_faces_cover_vietnamese() {
        for data in [REGULAR, BOLD] {
            let font = Font::load(data).unwrap();
            for c in "ắằẳẵặấầẩẫậơờớởỡợưừứửữựđĐƠƯỹỷỳýỵẾỀỂỄỆốồổỗộ".chars()
            {
                assert_ne!(font.glyph(c), 0, "no glyph for {c}");
            }
        }
    }

    #[test]
    fn a_long_table_runs_over_pages_with_its_heading_repeated() {
        let bytes = official_pdf(&ctx(), "BÁO CÁO", "(phụ đề)", &[table(200, 3)], &[]).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        // scripts/check_exports.sh renders it for a human look.
        if let Ok(dir) = std::env::var("KIEUBAO_EXPORT_DIR") {
            std::fs::write(std::path::Path::new(&dir).join("official-long.pdf"), &bytes).unwrap();
        }
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        let pages = doc.get_pages();
        let n = pages.len() as u32;
        assert!(n > 1, "200 rows on {n} page(s)");
        let first = text_of(&doc, 1);
        for want in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Hà Tĩnh, ngày 23 tháng 11 năm 2026",
            "BÁO CÁO",
            "Kiều bào theo quốc gia",
            "Bảng 1.",
            "STT",
            &format!("Trang 1/{n}"),
        ] {
            assert!(first.contains(want), "page 1 lacks {want}: {first}");
        }
        let last = text_of(&doc, n);
        for want in [
            "STT",
            "Quốc gia",
            "Nước thứ 199",
            "Tổng cộng",
            "3000",
            "GIÁM ĐỐC",
            "Nơi nhận:",
            &format!("Trang {n}/{n}"),
        ] {
            assert!(last.contains(want), "last page lacks {want}: {last}");
        }
        // Portrait A4.
        let (_, page) = pages.iter().next().unwrap();
        let mb = doc.get_object(*page).unwrap().as_dict().unwrap();
        let mb = mb.get(b"MediaBox").unwrap().as_array().unwrap();
        assert!(mb[2].as_float().unwrap() < mb[3].as_float().unwrap());
    }

    #[test]
    fn fonts_are_embedded_as_small_subsets() {
        let bytes = official_pdf(&ctx(), "BÁO CÁO", "(phụ đề)", &[table(5, 2)], &[]).unwrap();
        // The two faces are 1.4 MB together; their subsets a few dozen KB.
        assert!(bytes.len() < 120_000, "{} bytes", bytes.len());
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        let files = doc
            .objects
            .values()
            .filter_map(|o| o.as_stream().ok())
            .filter(|s| s.dict.has(b"Length1"))
            .count();
        assert_eq!(files, 2, "two embedded TrueType subsets");
    }

    #[test]
    fn a_wide_table_turns_the_page_to_landscape() {
        let bytes = official_pdf(&ctx(), "BÁO CÁO", "", &[table(3, 14)], &[]).unwrap();
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        let (_, page) = doc.get_pages().into_iter().next().unwrap();
        let mb = doc.get_object(page).unwrap().as_dict().unwrap();
        let mb = mb.get(b"MediaBox").unwrap().as_array().unwrap();
        assert!(mb[2].as_float().unwrap() > mb[3].as_float().unwrap());
        assert!(text_of(&doc, 1).contains("14000"));
    }

    #[test]
    fn long_words_are_broken_to_fit() {
        let font = Font::load(REGULAR).unwrap();
        let lines = wrap(
            &font,
            "Một dòng rất dài Nướcnướcnướcnướcnướcnước",
            10.0,
            40.0,
        );
        assert!(lines.len() > 3);
        for l in &lines {
            assert!(font.width(l, 10.0) <= 40.0 || l.chars().count() == 1, "{l}");
        }
        assert_eq!(
            lines.concat().replace(' ', ""),
            "MộtdòngrấtdàiNướcnướcnướcnướcnướcnước"
        );
    }
}
