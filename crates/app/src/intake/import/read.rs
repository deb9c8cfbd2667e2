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
    fn new(code: &'static str, arg: impl ToString) -> Self {
        Self {
            code,
            arg: arg.to_string(),
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

/// One sheet read as text: the header row and the data rows below it.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub sheet: String,
    pub headers: Vec<String>,
    /// Data rows with their 1-based row number in the file.
    pub rows: Vec<(u32, Vec<String>)>,
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

/// Reads the sheet that holds the list: the first sheet whose first non-empty
/// row names at least two known columns (`is_header`), else the first sheet
/// with data.
pub fn read(
    bytes: &[u8],
    file_name: &str,
    limits: &Limits,
    is_header: &dyn Fn(&[String]) -> bool,
) -> Result<Table, ReadError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ReadError::new("file_too_large", limits.max_file_bytes));
    }
    if bytes.is_empty() {
        return Err(ReadError::new("empty_file", ""));
    }
    match detect(bytes, file_name) {
        Format::Csv => read_csv(bytes, limits),
        Format::Xlsx => {
            check_zip(bytes, limits)?;
            read_xlsx(bytes, limits, is_header)
        }
        Format::Ods => {
            check_zip(bytes, limits)?;
            read_whole(bytes, limits, is_header)
        }
        Format::Xls => read_whole(bytes, limits, is_header),
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

fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    let count = |c: char| first.matches(c).count();
    [(b';', count(';')), (b'\t', count('\t')), (b',', count(','))]
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map_or(b',', |(d, _)| d)
}

fn read_csv(bytes: &[u8], limits: &Limits) -> Result<Table, ReadError> {
    let text = decode_text(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(&text))
        .from_reader(text.as_bytes());
    let mut table = Table {
        sheet: String::new(),
        ..Table::default()
    };
    let mut header_seen = false;
    let (mut line, mut counted_to) = (0_usize, 0_usize);
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
        let row_no = u32::try_from(line + 1).unwrap_or(u32::MAX);
        if rec.len() > limits.max_columns {
            return Err(ReadError::new("too_many_columns", limits.max_columns));
        }
        let cells: Vec<String> = rec.iter().map(|c| c.trim().to_owned()).collect();
        if let Some(c) = cells
            .iter()
            .find(|c| c.chars().count() > limits.max_cell_chars)
        {
            let _ = c;
            return Err(ReadError::new("cell_too_long", row_no));
        }
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if header_seen {
            if table.rows.len() >= limits.max_rows {
                return Err(ReadError::new("too_many_rows", limits.max_rows));
            }
            table.rows.push((row_no, cells));
        } else {
            table.headers = cells;
            header_seen = true;
        }
    }
    if !header_seen {
        return Err(ReadError::new("empty_sheet", ""));
    }
    Ok(table)
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

    fn into_table(mut self, sheet: &str) -> Option<Table> {
        self.rows.sort_by_key(|(r, _)| *r);
        let mut it = self.rows.into_iter();
        let (_, headers) = it.next()?;
        Some(Table {
            sheet: sheet.to_owned(),
            headers,
            rows: it.collect(),
        })
    }
}

fn pick(tables: Vec<Table>, is_header: &dyn Fn(&[String]) -> bool) -> Result<Table, ReadError> {
    let mut first = None;
    for t in tables {
        if is_header(&t.headers) {
            return Ok(t);
        }
        if first.is_none() {
            first = Some(t);
        }
    }
    first.ok_or_else(|| ReadError::new("empty_sheet", ""))
}

fn read_xlsx(
    bytes: &[u8],
    limits: &Limits,
    is_header: &dyn Fn(&[String]) -> bool,
) -> Result<Table, ReadError> {
    let mut book =
        calamine::Xlsx::new(Cursor::new(bytes)).map_err(|_| ReadError::new("broken_file", ""))?;
    let names = book.sheet_names();
    if names.len() > limits.max_sheets {
        return Err(ReadError::new("too_many_sheets", limits.max_sheets));
    }
    let mut tables = Vec::new();
    for name in names {
        let mut grid = Grid {
            limits,
            rows: Vec::new(),
        };
        {
            let mut cells = book
                .worksheet_cells_reader(&name)
                .map_err(|_| ReadError::new("broken_file", ""))?;
            while let Some(cell) = cells
                .next_cell()
                .map_err(|_| ReadError::new("broken_file", ""))?
            {
                let (r, c) = cell.get_position();
                grid.put(r, c, &data_ref_text(cell.get_value()))?;
            }
        }
        if let Some(t) = grid.into_table(&name) {
            if is_header(&t.headers) {
                return Ok(t);
            }
            tables.push(t);
        }
    }
    pick(tables, is_header)
}

fn read_whole(
    bytes: &[u8],
    limits: &Limits,
    is_header: &dyn Fn(&[String]) -> bool,
) -> Result<Table, ReadError> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|_| ReadError::new("broken_file", ""))?;
    let names = book.sheet_names();
    if names.len() > limits.max_sheets {
        return Err(ReadError::new("too_many_sheets", limits.max_sheets));
    }
    let mut tables = Vec::new();
    for name in names {
        let range = book
            .worksheet_range(&name)
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
        if let Some(t) = grid.into_table(&name) {
            tables.push(t);
        }
    }
    pick(tables, is_header)
}

/// Reads a CSV file from a reader in chunks (for very large imports from the
/// command line): the header, then `chunk` rows at a time.
pub struct CsvChunks {
    reader: csv::Reader<Box<dyn Read + Send>>,
    pub headers: Vec<String>,
    row_no: u32,
    limits: Limits,
    seen: usize,
}

impl CsvChunks {
    /// Opens a UTF-8 (or UTF-8 with BOM) CSV stream.
    pub fn open(mut input: Box<dyn Read + Send>, limits: Limits) -> Result<Self, ReadError> {
        let mut head = [0u8; 3];
        let n = input
            .read(&mut head)
            .map_err(|_| ReadError::new("broken_file", ""))?;
        let prefix: Vec<u8> = if n == 3 && head == [0xEF, 0xBB, 0xBF] {
            Vec::new()
        } else {
            head[..n].to_vec()
        };
        let chained: Box<dyn Read + Send> = Box::new(Cursor::new(prefix).chain(input));
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(1 << 20)
            .from_reader(chained);
        let mut rec = csv::StringRecord::new();
        let mut row_no = 0;
        loop {
            row_no += 1;
            if !reader
                .read_record(&mut rec)
                .map_err(|_| ReadError::new("broken_row", row_no))?
            {
                return Err(ReadError::new("empty_sheet", ""));
            }
            if rec.iter().any(|c| !c.trim().is_empty()) {
                break;
            }
        }
        Ok(Self {
            headers: rec.iter().map(|c| c.trim().to_owned()).collect(),
            reader,
            row_no,
            limits,
            seen: 0,
        })
    }

    /// The next rows, at most `chunk`; empty at the end.
    pub fn next_chunk(&mut self, chunk: usize) -> Result<Vec<(u32, Vec<String>)>, ReadError> {
        let mut out = Vec::with_capacity(chunk);
        let mut rec = csv::StringRecord::new();
        while out.len() < chunk {
            self.row_no += 1;
            let more = self
                .reader
                .read_record(&mut rec)
                .map_err(|_| ReadError::new("broken_row", self.row_no))?;
            if !more {
                break;
            }
            if let Some(p) = rec.position() {
                self.row_no = u32::try_from(p.line()).unwrap_or(u32::MAX);
            }
            if rec.len() > self.limits.max_columns {
                return Err(ReadError::new("too_many_columns", self.limits.max_columns));
            }
            if rec.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if rec
                .iter()
                .any(|c| c.chars().count() > self.limits.max_cell_chars)
            {
                return Err(ReadError::new("cell_too_long", self.row_no));
            }
            self.seen += 1;
            if self.seen > self.limits.max_rows {
                return Err(ReadError::new("too_many_rows", self.limits.max_rows));
            }
            out.push((
                self.row_no,
                rec.iter().map(|c| c.trim().to_owned()).collect(),
            ));
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
        assert_eq!(t.headers, vec!["a", "b"]);
        assert_eq!(
            t.rows,
            vec![
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

    #[test]
    fn excel_serial_dates() {
        assert_eq!(excel_date_text(45_658.0), "2025-01-01");
        assert_eq!(excel_date_text(32_874.0), "1990-01-01");
    }
}
