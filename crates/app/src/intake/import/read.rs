//! Reading an uploaded list into a table of text cells, within limits.
//!
//! - CSV: UTF-8 (with or without BOM), UTF-16 (LE/BE, with BOM, or LE
//!   without), else Windows-1258; delimiter `,`, `;` or tab, sniffed.
//! - xlsx: streamed cell by cell (`calamine`'s cell reader), so a declared
//!   dimension such as `A1:XFD1048576` allocates nothing; rows and columns
//!   beyond the limits stop the read at once. Before that, every zip entry is
//!   inflated into a counting sink: a zip bomb is refused as soon as the
//!   decompressed total passes the limit, with constant memory.
//! - xls and ods: read whole through `calamine` after the same checks (the
//!   file-size limit bounds them).
//!
//! Formulas are never evaluated: xlsx gives their cached values. Every cell
//! becomes text; text that looks like a formula stays text.

use std::io::{Cursor, Read};

use calamine::{Data, DataRef, Reader};

use super::layout;
use serde::{Deserialize, Serialize};

/// Configurable limits on an uploaded file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_rows: usize,
    pub max_columns: usize,
    pub max_cell_chars: usize,
    pub max_sheets: usize,
    /// Total of the decompressed zip entries of an xlsx or ods file.
    pub max_decompressed_bytes: u64,
    /// Uploaded files read at once by one server; the others queue.
    #[serde(default = "default_concurrent")]
    pub max_concurrent: usize,
}

fn default_concurrent() -> usize {
    2
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 256 * 1024 * 1024,
            max_rows: 1_000_000,
            max_columns: 100,
            max_cell_chars: 2_000,
            max_sheets: 50,
            max_decompressed_bytes: 1024 * 1024 * 1024,
            max_concurrent: default_concurrent(),
        }
    }
}

/// Why a file could not be read: a message key and an argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub code: &'static str,
    pub arg: String,
}

impl ReadError {
    #[allow(clippy::needless_pass_by_value, reason = "numbers and strings alike")]
    pub(crate) fn new(code: &'static str, arg: impl ToString) -> Self {
        Self {
            code,
            arg: arg.to_string(),
        }
    }
}

impl From<layout::LayoutError> for ReadError {
    fn from(e: layout::LayoutError) -> Self {
        Self {
            code: e.code,
            arg: e.arg,
        }
    }
}

/// File formats accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Xls,
    Ods,
}

/// One sheet read as text: the header found in it and the rows of people
/// below it.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub sheet: String,
    /// Every sheet of the file (none for a CSV).
    pub sheets: Vec<String>,
    /// The (first) header row as the spreadsheet numbers it, and 1 or 2.
    pub header_row: u32,
    pub header_rows: u32,
    pub headers: Vec<String>,
    /// Data rows with their row number as the spreadsheet shows it.
    pub rows: Vec<(u32, Vec<String>)>,
    /// The first rows of the sheet with text (number, first cells), to
    /// choose another header row.
    pub head: Vec<(u32, String)>,
    /// How many known fields the headers name.
    pub score: usize,
}

/// What to read: a sheet by name (default: the first that holds a list, else
/// the first with data) and the header row as the spreadsheet numbers it
/// (default: found, see [`super::layout`]).
#[derive(Debug, Clone, Default)]
pub struct Choice {
    pub sheet: Option<String>,
    pub header_row: Option<u32>,
    /// How well a row names the columns looked for (default: the
    /// registry's known fields, [`layout::score`]).
    pub score: Option<fn(&[String]) -> usize>,
}

/// Guesses the format from the first bytes (and the name, for zip files).
pub fn detect(bytes: &[u8], file_name: &str) -> Format {
    let ods = std::path::Path::new(file_name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ods"));
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        if ods { Format::Ods } else { Format::Xlsx }
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Format::Xls
    } else {
        Format::Csv
    }
}

/// The format of a file, or `not_a_spreadsheet` (naming the file) for a
/// document, a picture, a PDF, an archive or bytes that are not text: a zip
/// must hold a workbook (xlsx) or an `OpenDocument` spreadsheet; an OLE file
/// must not be a Word document; anything else must look like text (CSV).
/// Cheap: zip files are only listed, text is sampled. `bytes` may be the
/// start of the file, except for a zip (its directory is at the end).
pub fn check_type(bytes: &[u8], file_name: &str) -> Result<Format, ReadError> {
    const BINARY: &[&[u8]] = &[
        b"%PDF",
        b"\x89PNG",
        b"GIF8",
        &[0xFF, 0xD8, 0xFF],
        b"Rar!",
        &[0x1F, 0x8B],
        b"7z\xBC\xAF",
        b"{\\rtf",
        b"II*\0",
        b"MM\0*",
    ];
    let refuse = || ReadError::new("not_a_spreadsheet", file_name);
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return zip_format(Cursor::new(bytes), file_name);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        let word: Vec<u8> = "WordDocument"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let sample = &bytes[..bytes.len().min(1 << 20)];
        return if sample.windows(word.len()).any(|w| w == word.as_slice()) {
            Err(refuse())
        } else {
            Ok(Format::Xls)
        };
    }
    if BINARY.iter().any(|m| bytes.starts_with(m)) {
        return Err(refuse());
    }
    let sample = &bytes[..bytes.len().min(8192)];
    if encoding_rs::Encoding::for_bom(sample).is_some() || looks_utf16le(sample) {
        return Ok(Format::Csv);
    }
    let controls = sample
        .iter()
        .filter(|b| **b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    // A stray control character (an old end-of-file mark) is not binary.
    if sample.contains(&0) || (controls > 4 && controls * 100 > sample.len()) {
        return Err(refuse());
    }
    Ok(Format::Csv)
}

/// The sheets of a spreadsheet (none for a CSV).
pub fn sheet_names(bytes: &[u8], format: Format) -> Result<Vec<String>, ReadError> {
    let broken = |_| ReadError::new("broken_file", "");
    Ok(match format {
        Format::Csv => Vec::new(),
        Format::Xlsx => calamine::Xlsx::new(Cursor::new(bytes))
            .map_err(|e| broken(e.to_string()))?
            .sheet_names(),
        Format::Xls | Format::Ods => calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
            .map_err(|e| broken(e.to_string()))?
            .sheet_names(),
    })
}

/// `unknown_sheet`, naming the sheets there are.
pub fn unknown_sheet(names: &[String]) -> ReadError {
    ReadError::new(
        "unknown_sheet",
        if names.is_empty() {
            "—".to_owned()
        } else {
            names.join(", ")
        },
    )
}

/// Reads the sheet that holds the list (see [`Choice`]) and finds the list
/// in it (see [`super::layout`]).
pub fn read(
    bytes: &[u8],
    file_name: &str,
    limits: &Limits,
    choice: &Choice,
) -> Result<Table, ReadError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ReadError::new("file_too_large", limits.max_file_bytes));
    }
    if bytes.is_empty() {
        return Err(ReadError::new("empty_file", ""));
    }
    match check_type(bytes, file_name)? {
        Format::Csv => {
            if choice.sheet.is_some() {
                return Err(unknown_sheet(&[]));
            }
            let rows = read_csv(bytes, limits)?;
            table("", Vec::new(), rows, &[], choice.header_row, choice.score)
        }
        Format::Xlsx => {
            check_zip(bytes, limits)?;
            read_xlsx(bytes, limits, choice)
        }
        Format::Ods => {
            check_zip(bytes, limits)?;
            read_whole(bytes, limits, choice)
        }
        Format::Xls => read_whole(bytes, limits, choice),
    }
}

type SheetRows = (Vec<(u32, Vec<String>)>, Vec<layout::Merge>);

fn table(
    sheet: &str,
    sheets: Vec<String>,
    rows: Vec<(u32, Vec<String>)>,
    merges: &[layout::Merge],
    want: Option<u32>,
    score: Option<fn(&[String]) -> usize>,
) -> Result<Table, ReadError> {
    if rows.is_empty() {
        return Err(ReadError::new("empty_sheet", ""));
    }
    let (l, data, head) = layout::shape_scored(rows, merges, want, score.unwrap_or(layout::score))?;
    Ok(Table {
        sheet: sheet.to_owned(),
        sheets,
        header_row: l.header_row,
        header_rows: l.header_rows,
        headers: l.headers,
        rows: data,
        head,
        score: l.score,
    })
}

/// The sheet chosen, or the first holding a list (two known headers), else
/// the first with data; `read_one` reads a sheet's rows and merged cells.
fn pick(
    names: Vec<String>,
    limits: &Limits,
    choice: &Choice,
    read_one: &mut dyn FnMut(&str) -> Result<SheetRows, ReadError>,
) -> Result<Table, ReadError> {
    if names.len() > limits.max_sheets {
        return Err(ReadError::new("too_many_sheets", limits.max_sheets));
    }
    let chosen = match &choice.sheet {
        Some(want) => Some(
            names
                .iter()
                .find(|n| *n == want)
                .or_else(|| {
                    names
                        .iter()
                        .find(|n| domain::text::fold(n.trim()) == domain::text::fold(want.trim()))
                })
                .ok_or_else(|| unknown_sheet(&names))?
                .clone(),
        ),
        None => None,
    };
    if let Some(name) = chosen {
        let (rows, merges) = read_one(&name)?;
        return table(&name, names, rows, &merges, choice.header_row, choice.score);
    }
    let mut first: Option<Table> = None;
    for name in &names {
        let (rows, merges) = read_one(name)?;
        if rows.is_empty() {
            continue;
        }
        let t = table(name, names.clone(), rows, &merges, None, choice.score)?;
        if t.score >= 2 {
            first = Some(t);
            break;
        }
        if first.is_none() {
            first = Some(t);
        }
    }
    let t = first.ok_or_else(|| ReadError::new("empty_sheet", ""))?;
    match choice.header_row {
        Some(want) => {
            let (rows, merges) = read_one(&t.sheet)?;
            table(&t.sheet, names, rows, &merges, Some(want), choice.score)
        }
        None => Ok(t),
    }
}

// ---------------------------------------------------------------- uploads

/// An upload written to a temporary file as it arrives, through a small
/// buffer, so that a server receiving several large lists at once holds a
/// few kilobytes per upload, not each whole file: an over-long line (see
/// [`LineGuard`]) and a file over the size limit are refused as soon as
/// they pass the limit. The file is read back whole, at its exact size, once
/// it is complete; it is deleted when the spool is dropped.
pub struct Spool {
    file: std::io::BufWriter<tempfile::NamedTempFile>,
    guard: LineGuard,
    size: u64,
    max: u64,
}

impl Spool {
    /// A spool in the system's temporary directory.
    pub fn new(limits: &Limits) -> std::io::Result<Self> {
        Ok(Self {
            file: std::io::BufWriter::with_capacity(64 * 1024, tempfile::NamedTempFile::new()?),
            guard: LineGuard::new(limits),
            size: 0,
            max: limits.max_file_bytes,
        })
    }

    /// Takes the next piece: `line_too_long` or `file_too_large` refuse it.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), ReadError> {
        self.size += chunk.len() as u64;
        if self.size > self.max {
            return Err(ReadError::new("file_too_large", self.max));
        }
        self.guard.feed(chunk)?;
        std::io::Write::write_all(&mut self.file, chunk)
            .map_err(|_| ReadError::new("upload_broken", ""))
    }

    /// Bytes received so far.
    pub fn len(&self) -> u64 {
        self.size
    }

    /// True before any byte arrived.
    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// The whole upload (the temporary file is removed), once its type is
    /// known to be a spreadsheet: a file that is not one (`not_a_spreadsheet`,
    /// naming `file_name`) is refused from the disk, never read whole.
    pub fn finish(self, file_name: &str) -> Result<Vec<u8>, ReadError> {
        let broken = |_| ReadError::new("upload_broken", "");
        let file = self.file.into_inner().map_err(|e| broken(e.into_error()))?;
        check_type_on_disk(file.path(), file_name)?;
        std::fs::read(file.path()).map_err(broken)
    }
}

/// A zip that is a spreadsheet: an xlsx has `xl/` entries, an ods says so
/// in `mimetype` (or has a `content.xml`); anything else (a docx, a zip of
/// pictures) is not one. Reads the directory and `mimetype` only.
fn zip_format<R: Read + std::io::Seek>(reader: R, file_name: &str) -> Result<Format, ReadError> {
    let refuse = || ReadError::new("not_a_spreadsheet", file_name);
    let mut zip = zip::ZipArchive::new(reader).map_err(|_| refuse())?;
    if zip
        .file_names()
        .any(|n| n.is_ok_and(|n| n.starts_with("xl/")))
    {
        return Ok(Format::Xlsx);
    }
    let mut mime = String::new();
    if let Ok(entry) = zip.by_name("mimetype") {
        let _ = entry.take(200).read_to_string(&mut mime);
    }
    let content = zip
        .file_names()
        .any(|n| n.is_ok_and(|n| n == "content.xml"));
    if mime.contains("spreadsheet") || (mime.is_empty() && content) {
        Ok(Format::Ods)
    } else {
        Err(refuse())
    }
}

/// [`check_type`] of a file on disk, reading only what it needs: the
/// central directory of a zip (xlsx, ods), the first megabyte otherwise.
fn check_type_on_disk(path: &std::path::Path, file_name: &str) -> Result<Format, ReadError> {
    let broken = |_| ReadError::new("upload_broken", "");
    let mut head = Vec::with_capacity(1 << 20);
    std::fs::File::open(path)
        .map_err(broken)?
        .take(1 << 20)
        .read_to_end(&mut head)
        .map_err(broken)?;
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        // From the zip's directory on disk, the rest left unread.
        let file = std::fs::File::open(path).map_err(broken)?;
        return zip_format(std::io::BufReader::new(file), file_name);
    }
    check_type(&head, file_name)
}

/// Watches an upload as it arrives and refuses, at once, a text file with a
/// line longer than any list can have (every column full to the cell
/// limit), so a hostile single-line file is refused after a few hundred
/// kilobytes instead of being held whole in memory. Spreadsheets (zip or
/// OLE files) are not text and are let through to their own checks.
#[derive(Debug)]
pub struct LineGuard {
    max_line: usize,
    line: usize,
    row: u32,
    text: Option<bool>,
}

impl LineGuard {
    pub fn new(limits: &Limits) -> Self {
        Self {
            // UTF-8 takes up to 4 bytes a character; quotes and separators.
            max_line: limits.max_columns * (limits.max_cell_chars * 4 + 3),
            line: 0,
            row: 1,
            text: None,
        }
    }

    /// Takes the next piece of the upload.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), ReadError> {
        if chunk.is_empty() {
            return Ok(());
        }
        let text = *self.text.get_or_insert_with(|| {
            !(chunk.starts_with(b"PK") || chunk.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]))
        });
        if !text {
            return Ok(());
        }
        for piece in chunk.split_inclusive(|b| *b == b'\n') {
            self.line += piece.len();
            if self.line > self.max_line {
                return Err(ReadError::new("line_too_long", self.row));
            }
            if piece.ends_with(b"\n") {
                self.line = 0;
                self.row += 1;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- zip checks

struct Counting {
    n: u64,
    limit: u64,
}

impl std::io::Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.n += buf.len() as u64;
        if self.n > self.limit {
            return Err(std::io::Error::other("limit"));
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Refuses a zip whose entries decompress beyond the limit, by inflating
/// each into a counting sink (declared sizes can lie).
fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ReadError::new("broken_file", ""))?;
    if zip.len() > 10_000 {
        return Err(ReadError::new("broken_file", ""));
    }
    let mut sink = Counting {
        n: 0,
        limit: limits.max_decompressed_bytes,
    };
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|_| ReadError::new("broken_file", ""))?;
        // Declared sizes first: a quick refusal for honest bombs.
        if entry.size() > limits.max_decompressed_bytes {
            return Err(ReadError::new(
                "decompressed_too_large",
                limits.max_decompressed_bytes,
            ));
        }
        if let Err(e) = std::io::copy(&mut entry, &mut sink) {
            return Err(if sink.n > sink.limit {
                ReadError::new("decompressed_too_large", limits.max_decompressed_bytes)
            } else {
                let _ = e;
                ReadError::new("broken_file", "")
            });
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- CSV

/// Decodes text met in practice: UTF-8 (BOM or not), UTF-16 with a BOM or
/// little-endian without one, else Windows-1258; then NFC.
pub fn decode_text(bytes: &[u8]) -> String {
    use unicode_normalization::UnicodeNormalization;
    let text = if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        enc.decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned()
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        s.to_owned()
    } else if looks_utf16le(bytes) {
        encoding_rs::UTF_16LE
            .decode_without_bom_handling(bytes)
            .0
            .into_owned()
    } else {
        encoding_rs::WINDOWS_1258
            .decode_without_bom_handling(bytes)
            .0
            .into_owned()
    };
    text.nfc().collect()
}

fn looks_utf16le(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(4096)];
    let pairs = sample.len() / 2;
    pairs > 0
        && sample
            .chunks(2)
            .filter(|p| p.len() == 2 && p[1] == 0)
            .count()
            * 2
            > pairs
}

/// The delimiter the file's first lines use most (`;` where a spreadsheet
/// saved with a European list separator, tab, or `,`); title rows above the
/// header often carry none, so several lines are counted, not the first.
/// The rows with text of a UTF-8 CSV (title and header rows included), as
/// [`read`] counts them against `max_rows`, without keeping any: a list too
/// long is refused before it is read.
pub fn count_csv_rows(bytes: &[u8]) -> Result<usize, ReadError> {
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let head = &body[..body.len().min(64 * 1024)];
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(&String::from_utf8_lossy(head)))
        .from_reader(body);
    let mut rec = csv::ByteRecord::new();
    let mut n = 0_usize;
    loop {
        match reader.read_byte_record(&mut rec) {
            Ok(false) => return Ok(n),
            Ok(true) => {
                if rec.iter().any(|c| !c.trim_ascii().is_empty()) {
                    n += 1;
                }
            }
            Err(_) => return Err(ReadError::new("broken_row", n + 1)),
        }
    }
}

fn sniff_delimiter(text: &str) -> u8 {
    let head: String = text.lines().take(20).collect::<Vec<_>>().join("\n");
    let count = |c: char| head.matches(c).count();
    [(b';', count(';')), (b'\t', count('\t')), (b',', count(','))]
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map_or(b',', |(d, _)| d)
}

/// The rows of a CSV file with text, numbered as a spreadsheet shows them:
/// a blank line is a row, a cell over several lines (quoted) is one row.
fn read_csv(bytes: &[u8], limits: &Limits) -> Result<Vec<(u32, Vec<String>)>, ReadError> {
    let text = decode_text(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(&text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // Lines of the file before the record, less the line breaks inside
    // earlier records' cells.
    let (mut line, mut counted_to, mut inside) = (0_usize, 0_usize, 0_usize);
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|_| ReadError::new("broken_row", i + 1))?;
        // The line in the file, counting the blank lines the reader skips.
        let mut start = rec.position().map_or(counted_to, |p| p.byte() as usize);
        while matches!(text.as_bytes().get(start), Some(b'\n' | b'\r')) {
            start += 1;
        }
        line += text
            .as_bytes()
            .get(counted_to..start)
            .map_or(0, |b| b.split(|c| *c == b'\n').count() - 1);
        counted_to = start;
        let row_no = u32::try_from(line + 1 - inside).unwrap_or(u32::MAX);
        inside += rec.iter().map(|c| c.matches('\n').count()).sum::<usize>();
        if rec.len() > limits.max_columns {
            return Err(ReadError::new("too_many_columns", limits.max_columns));
        }
        let cells: Vec<String> = rec.iter().map(|c| c.trim().to_owned()).collect();
        if cells
            .iter()
            .any(|c| c.chars().count() > limits.max_cell_chars)
        {
            return Err(ReadError::new("cell_too_long", row_no));
        }
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if rows.len() > limits.max_rows {
            return Err(ReadError::new("too_many_rows", limits.max_rows));
        }
        rows.push((row_no, cells));
    }
    Ok(rows)
}

// ---------------------------------------------------------------- spreadsheets

fn data_ref_text(d: &DataRef<'_>) -> String {
    match d {
        DataRef::Empty | DataRef::Error(_) => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => float_text(*f),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) => excel_date_text(dt.as_f64()),
    }
}

fn data_text(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_date_text(dt.as_f64()),
    }
}

fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// An Excel serial date as YYYY-MM-DD (the 1900 system).
fn excel_date_text(serial: f64) -> String {
    let days = serial.floor() as i64;
    // 1899-12-30 is day 0 (Excel's 1900 leap-year bug folded in).
    let base = time::macros::date!(1899 - 12 - 30);
    base.checked_add(time::Duration::days(days))
        .map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()))
        .unwrap_or_default()
}

struct Grid<'l> {
    limits: &'l Limits,
    rows: Vec<(u32, Vec<String>)>,
}

impl Grid<'_> {
    fn put(&mut self, row: u32, col: u32, text: &str) -> Result<(), ReadError> {
        if text.is_empty() {
            return Ok(());
        }
        if col as usize >= self.limits.max_columns {
            return Err(ReadError::new("too_many_columns", self.limits.max_columns));
        }
        if text.chars().count() > self.limits.max_cell_chars {
            return Err(ReadError::new("cell_too_long", row + 1));
        }
        let row_no = row + 1;
        if self.rows.last().is_none_or(|(r, _)| *r != row_no) {
            if self.rows.len() > self.limits.max_rows {
                return Err(ReadError::new("too_many_rows", self.limits.max_rows));
            }
            self.rows.push((row_no, Vec::new()));
        }
        if let Some((_, cells)) = self.rows.last_mut() {
            let c = col as usize;
            if cells.len() <= c {
                cells.resize(c + 1, String::new());
            }
            text.trim().clone_into(&mut cells[c]);
        }
        Ok(())
    }

    fn into_rows(mut self) -> Vec<(u32, Vec<String>)> {
        self.rows.sort_by_key(|(r, _)| *r);
        self.rows
    }
}

fn merges_of(dims: Vec<calamine::Dimensions>) -> Vec<layout::Merge> {
    dims.into_iter()
        .map(|d| layout::Merge {
            rows: (d.start.0 + 1, d.end.0 + 1),
            cols: (d.start.1 as usize, d.end.1 as usize),
        })
        .collect()
}

fn read_xlsx(bytes: &[u8], limits: &Limits, choice: &Choice) -> Result<Table, ReadError> {
    let mut book =
        calamine::Xlsx::new(Cursor::new(bytes)).map_err(|_| ReadError::new("broken_file", ""))?;
    let names = book.sheet_names();
    pick(names, limits, choice, &mut |name| {
        let mut grid = Grid {
            limits,
            rows: Vec::new(),
        };
        {
            let mut cells = book
                .worksheet_cells_reader(name)
                .map_err(|_| ReadError::new("broken_file", ""))?;
            while let Some(cell) = cells
                .next_cell()
                .map_err(|_| ReadError::new("broken_file", ""))?
            {
                let (r, c) = cell.get_position();
                grid.put(r, c, &data_ref_text(cell.get_value()))?;
            }
        }
        let merges = book
            .merge_cells_by_sheet_name(name)
            .map_err(|_| ReadError::new("broken_file", ""))?;
        Ok((grid.into_rows(), merges_of(merges)))
    })
}

fn read_whole(bytes: &[u8], limits: &Limits, choice: &Choice) -> Result<Table, ReadError> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|_| ReadError::new("broken_file", ""))?;
    let names = book.sheet_names();
    pick(names, limits, choice, &mut |name| {
        let range = book
            .worksheet_range(name)
            .map_err(|_| ReadError::new("broken_file", ""))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut grid = Grid {
            limits,
            rows: Vec::new(),
        };
        for (r, row) in range.rows().enumerate() {
            for (c, d) in row.iter().enumerate() {
                grid.put(r0 + r as u32, c0 + c as u32, &data_text(d))?;
            }
        }
        let merges = match &book {
            calamine::Sheets::Xls(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
            _ => Vec::new(),
        };
        Ok((grid.into_rows(), merges_of(merges)))
    })
}

/// The input of a streamed CSV, remembering its last byte (a last row
/// with or without a line break after it).
struct Tail {
    inner: Box<dyn Read + Send>,
    last: Option<u8>,
}

impl Read for Tail {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.last = Some(buf[n - 1]);
        }
        Ok(n)
    }
}

/// A record read, with the reader's line after it and the line breaks
/// inside cells up to it.
type Ahead = (u64, u64, csv::StringRecord);

/// Reads a CSV file from a reader in chunks (for very large imports from the
/// command line): the header found among the first rows (or the row
/// wanted), then `chunk` rows at a time, numbered as a spreadsheet shows
/// them.
pub struct CsvChunks {
    reader: csv::Reader<Tail>,
    pub headers: Vec<String>,
    pub layout: layout::Layout,
    /// The first rows with text (see [`layout::head`]), to choose another
    /// header row.
    pub head: Vec<(u32, String)>,
    /// Lines end with CR LF (the reader counts the LF with the next row).
    crlf: bool,
    inside: u64,
    ahead: Option<Ahead>,
    pending: std::collections::VecDeque<(u32, Vec<String>)>,
    last_row: u32,
    limits: Limits,
    seen: usize,
}

impl CsvChunks {
    /// Opens a UTF-8 (or UTF-8 with BOM) CSV stream; `header_row` is the
    /// header's row as a spreadsheet numbers it (default: found).
    pub fn open(
        mut input: Box<dyn Read + Send>,
        limits: Limits,
        header_row: Option<u32>,
    ) -> Result<Self, ReadError> {
        let mut head = Vec::with_capacity(64 * 1024);
        (&mut input)
            .take(64 * 1024)
            .read_to_end(&mut head)
            .map_err(|_| ReadError::new("broken_file", ""))?;
        let crlf = head
            .iter()
            .position(|b| *b == b'\n')
            .is_some_and(|i| i > 0 && head[i - 1] == b'\r');
        let prefix = head
            .strip_prefix(&[0xEF, 0xBB, 0xBF])
            .map_or_else(|| head.clone(), <[u8]>::to_vec);
        let delimiter = sniff_delimiter(&String::from_utf8_lossy(&prefix));
        let chained: Box<dyn Read + Send> = Box::new(Cursor::new(prefix).chain(input));
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(1 << 20)
            .from_reader(Tail {
                inner: chained,
                last: None,
            });
        let mut me = Self {
            reader,
            headers: Vec::new(),
            layout: layout::Layout {
                header_row: 0,
                header_rows: 0,
                headers: Vec::new(),
                row_number_col: None,
                score: 0,
            },
            head: Vec::new(),
            crlf,
            inside: 0,
            ahead: None,
            pending: std::collections::VecDeque::new(),
            last_row: 0,
            limits,
            seen: 0,
        };
        let mut first = Vec::new();
        while let Some((n, rec)) = me.next_record()? {
            if rec.len() > me.limits.max_columns {
                return Err(ReadError::new("too_many_columns", me.limits.max_columns));
            }
            if rec.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            first.push((n, rec.iter().map(|c| c.trim().to_owned()).collect()));
            let enough = first.len() >= layout::HEAD_ROWS + 2
                && header_row.is_none_or(|w| n > w.saturating_add(2));
            if enough || first.len() > 100_000 {
                break;
            }
        }
        if first.is_empty() {
            return Err(ReadError::new("empty_sheet", ""));
        }
        let (l, data) = layout::locate(&first, &[], header_row)?;
        me.head = layout::head(&first);
        me.pending = first
            .into_iter()
            .skip(data)
            .filter(|(_, c)| layout::keep_row(&l, c))
            .collect();
        me.headers.clone_from(&l.headers);
        me.layout = l;
        Ok(me)
    }

    fn read_one(&mut self) -> Result<Option<Ahead>, ReadError> {
        let mut rec = csv::StringRecord::new();
        let more = self
            .reader
            .read_record(&mut rec)
            .map_err(|_| ReadError::new("broken_row", self.last_row + 1))?;
        if !more {
            return Ok(None);
        }
        self.inside += rec
            .iter()
            .map(|c| c.matches('\n').count() as u64)
            .sum::<u64>();
        Ok(Some((self.reader.position().line(), self.inside, rec)))
    }

    /// The next record and its row number. The reader's line after a
    /// record counts the record's own line break only when lines end with
    /// LF and one follows it (a last row may have none): one record is
    /// read ahead to know.
    fn next_record(&mut self) -> Result<Option<(u32, csv::StringRecord)>, ReadError> {
        let current = match self.ahead.take() {
            Some(a) => a,
            None => match self.read_one()? {
                Some(a) => a,
                None => return Ok(None),
            },
        };
        self.ahead = self.read_one()?;
        let (after, inside, rec) = current;
        let own_break =
            !self.crlf && (self.ahead.is_some() || self.reader.get_ref().last == Some(b'\n'));
        let row = after
            .saturating_sub(inside)
            .saturating_sub(u64::from(own_break))
            .max(1);
        self.last_row = u32::try_from(row).unwrap_or(u32::MAX);
        Ok(Some((self.last_row, rec)))
    }

    /// The next rows, at most `chunk`; empty at the end.
    pub fn next_chunk(&mut self, chunk: usize) -> Result<Vec<(u32, Vec<String>)>, ReadError> {
        let mut out = Vec::with_capacity(chunk);
        while out.len() < chunk {
            let (row_no, cells) = if let Some(r) = self.pending.pop_front() {
                r
            } else {
                let Some((n, rec)) = self.next_record()? else {
                    break;
                };
                if rec.len() > self.limits.max_columns {
                    return Err(ReadError::new("too_many_columns", self.limits.max_columns));
                }
                let cells: Vec<String> = rec.iter().map(|c| c.trim().to_owned()).collect();
                if !layout::keep_row(&self.layout, &cells) {
                    continue;
                }
                (n, cells)
            };
            if cells
                .iter()
                .any(|c| c.chars().count() > self.limits.max_cell_chars)
            {
                return Err(ReadError::new("cell_too_long", row_no));
            }
            self.seen += 1;
            if self.seen > self.limits.max_rows {
                return Err(ReadError::new("too_many_rows", self.limits.max_rows));
            }
            out.push((row_no, cells));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_encodings_met_in_practice() {
        let s = "Họ và tên,Quốc gia\nNguyễn Văn Đức,Hàn Quốc\n";
        assert_eq!(decode_text(s.as_bytes()), s);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(s.as_bytes());
        assert_eq!(decode_text(&bom), s);
        let mut le = vec![0xFF, 0xFE];
        for u in s.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode_text(&le), s);
        let le_nobom: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(decode_text(&le_nobom), s);
        let cp = encode_1258(s);
        assert_ne!(cp.as_slice(), s.as_bytes());
        assert_eq!(decode_text(&cp), s);
    }

    /// Windows-1258 as Vietnamese Windows wrote it: letters with circumflex,
    /// breve or horn precomposed, tone marks as combining characters.
    fn encode_1258(s: &str) -> Vec<u8> {
        use unicode_normalization::UnicodeNormalization;
        let enc = |c: char| {
            let mut buf = [0; 4];
            let (b, _, bad) = encoding_rs::WINDOWS_1258.encode(c.encode_utf8(&mut buf));
            (!bad).then(|| b.into_owned())
        };
        let mut out = Vec::new();
        for ch in s.chars() {
            if let Some(b) = enc(ch) {
                out.extend(b);
                continue;
            }
            let mut parts = std::iter::once(ch).nfd();
            let mut base = parts.next().unwrap();
            let mut left = Vec::new();
            for m in parts {
                match unicode_normalization::char::compose(base, m).filter(|c| enc(*c).is_some()) {
                    Some(c) => base = c,
                    None => left.push(m),
                }
            }
            out.extend(enc(base).unwrap());
            for m in left {
                out.extend(enc(m).unwrap());
            }
        }
        out
    }

    #[test]
    fn csv_delimiters_and_limits() {
        let l = Limits::default();
        let t = read_csv("a;b\n1;2\n\n3;4\n".as_bytes(), &l).unwrap();
        assert_eq!(
            t,
            vec![
                (1, vec!["a".into(), "b".into()]),
                (2, vec!["1".into(), "2".into()]),
                (4, vec!["3".into(), "4".into()])
            ]
        );
        let small = Limits {
            max_rows: 1,
            ..Limits::default()
        };
        assert_eq!(
            read_csv(b"a\n1\n2\n", &small).unwrap_err().code,
            "too_many_rows"
        );
    }

    /// Row numbers as a spreadsheet shows them: LF or CR LF line ends, blank
    /// lines, a cell over two lines, a last row with or without a line
    /// break; the whole reader and the streamed one agree.
    #[test]
    fn csv_row_numbers_are_the_spreadsheet_rows() {
        let l = Limits::default();
        for text in [
            "Họ và tên,Quốc gia\nAn,KR\nBình,JP\n\nCường,\"DE\nx\"\nDũng,FR\n",
            "Họ và tên,Quốc gia\r\nAn,KR\r\nBình,JP\r\n\r\nCường,\"DE\r\nx\"\r\nDũng,FR",
            "Họ và tên,Quốc gia\nAn,KR\nBình,JP\n\nCường,\"DE\nx\"\nDũng,FR",
        ] {
            let whole: Vec<u32> = read_csv(text.as_bytes(), &l)
                .unwrap()
                .iter()
                .map(|r| r.0)
                .collect();
            assert_eq!(whole, vec![1, 2, 3, 5, 6], "{text:?}");
            let mut chunks = CsvChunks::open(
                Box::new(Cursor::new(text.as_bytes().to_vec())),
                l.clone(),
                None,
            )
            .unwrap();
            assert_eq!(chunks.layout.header_row, 1);
            let streamed: Vec<u32> = chunks
                .next_chunk(100)
                .unwrap()
                .iter()
                .map(|r| r.0)
                .collect();
            assert_eq!(streamed, vec![2, 3, 5, 6], "{text:?}");
        }
    }

    #[test]
    fn streamed_csv_finds_the_header_under_title_rows() {
        let text = "UBND XÃ THẠCH HÀ\nDANH SÁCH\n\nSTT,Họ và tên,Quốc gia\n(1),(2),(3)\n1,An,KR\n2,Bình,JP\nTổng cộng,,2\n";
        let mut c = CsvChunks::open(
            Box::new(Cursor::new(text.as_bytes().to_vec())),
            Limits::default(),
            None,
        )
        .unwrap();
        assert_eq!(c.layout.header_row, 4);
        assert_eq!(c.headers, vec!["STT", "Họ và tên", "Quốc gia"]);
        let rows = c.next_chunk(100).unwrap();
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), vec![6, 7]);
        let c = CsvChunks::open(
            Box::new(Cursor::new(text.as_bytes().to_vec())),
            Limits::default(),
            Some(2),
        )
        .unwrap();
        assert_eq!(c.headers, vec!["DANH SÁCH"]);
    }

    /// A list saved with `;` between cells (a spreadsheet set to a European
    /// list separator), under a title row without any: read by both readers.
    #[test]
    fn semicolon_lists_are_read_by_both_readers() {
        let text = "DANH SÁCH KIỀU BÀO\nHọ và tên;Ngày sinh;Quốc gia\nNguyễn Văn Tường;05/03/1990;Hàn Quốc\nTrần Thị Mơ;1991;Nhật Bản\n";
        let whole = read_csv(text.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(whole[1].1, vec!["Họ và tên", "Ngày sinh", "Quốc gia"]);
        let mut c = CsvChunks::open(
            Box::new(Cursor::new(text.as_bytes().to_vec())),
            Limits::default(),
            None,
        )
        .unwrap();
        assert_eq!(c.headers, vec!["Họ và tên", "Ngày sinh", "Quốc gia"]);
        let rows = c.next_chunk(100).unwrap();
        assert_eq!(rows[1].1, vec!["Trần Thị Mơ", "1991", "Nhật Bản"]);
    }

    #[test]
    fn wrong_file_types_are_named() {
        for (name, bytes) in [
            ("a.pdf", b"%PDF-1.7 ...".to_vec()),
            ("a.png", b"\x89PNG\r\n\x1a\n\0\0".to_vec()),
            (
                "random.xlsx",
                (0..4096_u32).map(|i| (i * 7919 % 251) as u8).collect(),
            ),
        ] {
            let e = check_type(&bytes, name).unwrap_err();
            assert_eq!((e.code, e.arg.as_str()), ("not_a_spreadsheet", name));
        }
        let mut docx = Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut docx);
            zip.start_file(
                "word/document.xml",
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            std::io::Write::write_all(&mut zip, b"<w:document/>").unwrap();
            zip.finish().unwrap();
        }
        assert_eq!(
            check_type(docx.get_ref(), "a.docx").unwrap_err().code,
            "not_a_spreadsheet"
        );
        assert_eq!(
            check_type("Họ và tên;Nước\n".as_bytes(), "a.csv").unwrap(),
            Format::Csv
        );
    }

    #[test]
    fn an_overlong_line_is_refused_as_it_arrives() {
        let limits = Limits {
            max_columns: 2,
            max_cell_chars: 10,
            ..Limits::default()
        };
        let mut g = LineGuard::new(&limits);
        g.feed(b"a,b\nc,d\n").unwrap();
        let e = g.feed(&[b'x'; 100]).unwrap_err();
        assert_eq!((e.code, e.arg.as_str()), ("line_too_long", "3"));
        // A spreadsheet is not text: no line to measure.
        let mut g = LineGuard::new(&limits);
        g.feed(b"PK\x03\x04").unwrap();
        g.feed(&[b'x'; 1000]).unwrap();
    }

    #[test]
    fn a_spool_keeps_the_upload_on_disk_and_refuses_at_the_limits() {
        let limits = Limits {
            max_file_bytes: 18,
            max_columns: 2,
            max_cell_chars: 10,
            ..Limits::default()
        };
        let mut s = Spool::new(&limits).unwrap();
        assert!(s.is_empty());
        s.feed(b"a,b\n").unwrap();
        s.feed(b"c,d\n").unwrap();
        assert_eq!(s.len(), 8);
        assert_eq!(s.finish("a.csv").unwrap(), b"a,b\nc,d\n");
        // Over the file size, refused as soon as it passes.
        let mut s = Spool::new(&limits).unwrap();
        s.feed(b"a,b\nc,d\ne,f\ng,h\n").unwrap();
        assert_eq!(s.feed(b"i,j\n").unwrap_err().code, "file_too_large");
        // An over-long line, refused before the size limit.
        let roomy = Limits {
            max_file_bytes: 1_000,
            ..limits
        };
        let mut s = Spool::new(&roomy).unwrap();
        assert_eq!(s.feed(&[b'x'; 100]).unwrap_err().code, "line_too_long");
        // Not a spreadsheet: refused from the disk, naming the file.
        let mut s = Spool::new(&roomy).unwrap();
        s.feed(b"%PDF-1.7 ...").unwrap();
        let e = s.finish("thu.pdf").unwrap_err();
        assert_eq!((e.code, e.arg.as_str()), ("not_a_spreadsheet", "thu.pdf"));
        let mut s = Spool::new(&roomy).unwrap();
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        std::io::Write::write_all(&mut zip, b"<w/>").unwrap();
        s.feed(zip.finish().unwrap().get_ref()).unwrap();
        assert_eq!(s.finish("a.docx").unwrap_err().code, "not_a_spreadsheet");
    }

    #[test]
    fn excel_serial_dates() {
        assert_eq!(excel_date_text(45_658.0), "2025-01-01");
        assert_eq!(excel_date_text(32_874.0), "1990-01-01");
    }
}
