//! Where the list is in a sheet, as communes and departments make them:
//! title rows above the header, a header on two rows with merged cells
//! ("Quê quán" over "Xã" and "Huyện"), a row of column numbers under it
//! ("(1)", "(2)"...), a row-number column ("STT"), a totals row at the end.
//!
//! Pure functions over the rows of a sheet (their numbers as the spreadsheet
//! shows them, and the text of each cell).

use super::mapping;

/// Why the list could not be found: a message key (as a read error's) and
/// an argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutError {
    pub code: &'static str,
    pub arg: String,
}

impl LayoutError {
    fn new(code: &'static str, arg: impl std::fmt::Display) -> Self {
        Self {
            code,
            arg: arg.to_string(),
        }
    }
}

/// Rows looked at for the header, and offered to pick another.
pub const HEAD_ROWS: usize = 30;

/// A merged region of cells: rows as the spreadsheet numbers them (from 1),
/// columns from 0, both ends included. Its text is in its top-left cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub rows: (u32, u32),
    pub cols: (usize, usize),
}

impl Merge {
    fn contains(&self, row: u32, col: usize) -> bool {
        (self.rows.0..=self.rows.1).contains(&row) && (self.cols.0..=self.cols.1).contains(&col)
    }
}

/// Where the list is in a sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The (first) header row, as the spreadsheet numbers it.
    pub header_row: u32,
    /// 1, or 2 for a header on two rows.
    pub header_rows: u32,
    /// One header per column ("Quê quán - Xã" for a two-row header).
    pub headers: Vec<String>,
    /// The row-number column ("STT"), ignored.
    pub row_number_col: Option<usize>,
    /// How many known fields the headers name (to prefer one sheet).
    pub score: usize,
}

fn cell(cells: &[String], c: usize) -> &str {
    cells.get(c).map_or("", |s| s.trim())
}

/// The cells of a row with the text of merged regions in every cell they
/// span.
fn filled(
    row_no: u32,
    cells: &[String],
    merges: &[Merge],
    top_left: &dyn Fn(u32, usize) -> String,
) -> Vec<String> {
    let mut out = cells.to_vec();
    for m in merges {
        if !(m.rows.0..=m.rows.1).contains(&row_no) {
            continue;
        }
        let text = top_left(m.rows.0, m.cols.0);
        if text.is_empty() {
            continue;
        }
        if out.len() <= m.cols.1 {
            out.resize(m.cols.1 + 1, String::new());
        }
        for c in out.iter_mut().take(m.cols.1 + 1).skip(m.cols.0) {
            if c.trim().is_empty() {
                c.clone_from(&text);
            }
        }
    }
    out
}

/// How many distinct known fields a row of headers names.
pub fn score(cells: &[String]) -> usize {
    let mut seen = std::collections::HashSet::new();
    cells
        .iter()
        .filter_map(|c| mapping::guess(c))
        .filter(|k| seen.insert(*k))
        .count()
}

/// A row of column numbers under a header: "(1)", "(2)", "(3)"... or
/// "1", "2", "3"..., at least two, increasing.
pub fn is_column_numbers(cells: &[String]) -> bool {
    let mut last = 0_u32;
    let mut n = 0;
    for c in cells.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        let inner = c
            .strip_prefix('(')
            .and_then(|c| c.strip_suffix(')'))
            .unwrap_or(c)
            .trim();
        match inner.parse::<u32>() {
            Ok(v) if v > last && inner.len() <= 3 => {
                last = v;
                n += 1;
            }
            _ => return false,
        }
    }
    n >= 2
}

/// A totals row: "Tổng cộng", "Cộng", "Tổng số: 14 người" in one of its
/// first two cells with text.
pub fn is_totals(cells: &[String]) -> bool {
    cells
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .take(2)
        .any(|c| {
            let f = domain::text::fold(c);
            let words: Vec<&str> = f
                .split(|ch: char| !ch.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            let rest_is_count = |from: usize| {
                words
                    .iter()
                    .skip(from)
                    .all(|w| w.chars().all(|ch| ch.is_ascii_digit()) || *w == "nguoi")
            };
            match words.as_slice() {
                ["tong", "cong" | "so", ..] => true,
                ["cong" | "tong", ..] => rest_is_count(1),
                _ => false,
            }
        })
}

/// The rows of a sheet that are people: not a totals row, and with text
/// outside the row-number column.
pub fn keep_row(layout: &Layout, cells: &[String]) -> bool {
    if is_totals(cells) {
        return false;
    }
    cells
        .iter()
        .enumerate()
        .any(|(c, t)| Some(c) != layout.row_number_col && !t.trim().is_empty())
}

/// Finds the header among the first [`HEAD_ROWS`] rows with text (`rows`
/// may hold more): the row naming the most known fields, else the first
/// row; or the row `want`, as the spreadsheet numbers it. A second header
/// row under it (merged cells, or cells only under the gaps of the first)
/// is combined into one header per column. Answers the layout and the index
/// in `rows` of the first row after the header (and after a row of column
/// numbers under it).
pub fn locate(
    rows: &[(u32, Vec<String>)],
    merges: &[Merge],
    want: Option<u32>,
) -> Result<(Layout, usize), LayoutError> {
    locate_scored(rows, merges, want, score)
}

/// [`locate`] with another measure of a header row than the registry's
/// known fields (the community imports: an association's, a project's or a
/// contribution's columns).
pub fn locate_scored(
    rows: &[(u32, Vec<String>)],
    merges: &[Merge],
    want: Option<u32>,
    score: fn(&[String]) -> usize,
) -> Result<(Layout, usize), LayoutError> {
    let top_left = |r: u32, c: usize| {
        rows.iter()
            .find(|(n, _)| *n == r)
            .map(|(_, cells)| cell(cells, c).to_owned())
            .unwrap_or_default()
    };
    let head = &rows[..rows.len().min(HEAD_ROWS)];
    let at = if let Some(w) = want {
        rows.iter()
            .position(|(n, _)| *n == w)
            .ok_or_else(|| LayoutError::new("header_row_not_found", w))?
    } else {
        let mut best = (0, 0);
        for (i, (n, cells)) in head.iter().enumerate() {
            let s = score(&filled(*n, cells, merges, &top_left));
            if s > best.1 {
                best = (i, s);
            }
        }
        best.0
    };
    let Some((h_no, h_raw)) = rows.get(at) else {
        return Err(LayoutError::new("empty_sheet", ""));
    };
    let h = filled(*h_no, h_raw, merges, &top_left);
    let next = rows.get(at + 1);
    let two = next.is_some_and(|(n_no, n_raw)| second_header(*h_no, h_raw, &h, *n_no, n_raw));
    let mut headers: Vec<String> = h.iter().map(|c| c.trim().to_owned()).collect();
    if two && let Some((n_no, n_raw)) = next {
        let n = filled(*n_no, n_raw, merges, &top_left);
        let width = headers.len().max(n.len());
        headers.resize(width, String::new());
        let merged_here = |c: usize| merges.iter().any(|m| m.contains(*h_no, c));
        for c in 0..width {
            let child = cell(&n, c);
            // No merge: a blank top cell over a child belongs to the group
            // on its left when the column on the left has a child too.
            if headers[c].is_empty()
                && !child.is_empty()
                && c > 0
                && !merged_here(c)
                && !cell(&n, c - 1).is_empty()
            {
                let parent = headers[c - 1].split(" - ").next().unwrap_or("").to_owned();
                headers[c] = parent;
            }
            let parent = headers[c].clone();
            headers[c] = match (parent.as_str(), child) {
                (p, "") => p.to_owned(),
                ("", ch) => ch.to_owned(),
                (p, ch) if p == ch => p.to_owned(),
                (p, ch) => format!("{p} - {ch}"),
            };
        }
    }
    while headers.last().is_some_and(String::is_empty) {
        headers.pop();
    }
    let mut data = at + if two { 2 } else { 1 };
    if rows.get(data).is_some_and(|(_, c)| is_column_numbers(c)) {
        data += 1;
    }
    let row_number_col = headers.iter().position(|h| mapping::is_row_number(h));
    let layout = Layout {
        header_row: *h_no,
        header_rows: if two { 2 } else { 1 },
        score: score(&headers),
        headers,
        row_number_col,
    };
    Ok((layout, data))
}

/// True when the row under a header is the header's second row: right
/// under it, not column numbers, blank under the name column (vertically
/// merged), and with text under a gap of the first row (under a merged
/// parent, or a blank cell).
fn second_header(h_no: u32, h_raw: &[String], h: &[String], n_no: u32, n_raw: &[String]) -> bool {
    if n_no != h_no + 1 || is_column_numbers(n_raw) || is_totals(n_raw) {
        return false;
    }
    let name_col = h
        .iter()
        .position(|c| mapping::guess(c) == Some("full_name"));
    if let Some(c) = name_col
        && !cell(n_raw, c).is_empty()
    {
        return false;
    }
    let width = h_raw.len().max(n_raw.len());
    let fills_gap = (0..width).any(|c| cell(h_raw, c).is_empty() && !cell(n_raw, c).is_empty());
    let blank_under_header =
        (0..h_raw.len()).any(|c| !cell(h_raw, c).is_empty() && cell(n_raw, c).is_empty());
    fills_gap && blank_under_header
}

/// The first rows of a sheet, for choosing the header row: each row's
/// number and its first cells with text (shortened).
pub fn head(rows: &[(u32, Vec<String>)]) -> Vec<(u32, String)> {
    rows.iter()
        .take(HEAD_ROWS)
        .map(|(n, cells)| {
            let text: Vec<&str> = cells
                .iter()
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
                .take(5)
                .collect();
            let mut text = text.join(" | ");
            if text.chars().count() > 90 {
                text = text.chars().take(89).collect::<String>() + "…";
            }
            (*n, text)
        })
        .collect()
}

/// The layout of a sheet, its rows of people and its first rows (see [`head`]).
pub type Shaped = (Layout, Vec<(u32, Vec<String>)>, Vec<(u32, String)>);

/// Shapes the rows of a sheet into the list: the header found (or wanted),
/// then the rows of people below it, with vertically merged cells filled.
pub fn shape(
    rows: Vec<(u32, Vec<String>)>,
    merges: &[Merge],
    want: Option<u32>,
) -> Result<Shaped, LayoutError> {
    shape_scored(rows, merges, want, score)
}

/// [`shape`] with another measure of a header row (see [`locate_scored`]).
pub fn shape_scored(
    rows: Vec<(u32, Vec<String>)>,
    merges: &[Merge],
    want: Option<u32>,
    score: fn(&[String]) -> usize,
) -> Result<Shaped, LayoutError> {
    let (layout, data) = locate_scored(&rows, merges, want, score)?;
    let head = head(&rows);
    let vertical: Vec<Merge> = merges
        .iter()
        .filter(|m| m.cols.0 == m.cols.1 && m.rows.0 > layout.header_row)
        .copied()
        .collect();
    let mut kept = Vec::with_capacity(rows.len().saturating_sub(data));
    if vertical.is_empty() {
        kept.extend(
            rows.into_iter()
                .skip(data)
                .filter(|(_, cells)| keep_row(&layout, cells)),
        );
    } else {
        // For each row under a vertically merged cell: its column and text
        // (the rows are in order: the top cell is found by a binary search).
        let mut under: std::collections::HashMap<u32, Vec<(usize, String)>> =
            std::collections::HashMap::new();
        for m in &vertical {
            let Ok(i) = rows.binary_search_by_key(&m.rows.0, |(n, _)| *n) else {
                continue;
            };
            let text = cell(&rows[i].1, m.cols.0).to_owned();
            if text.is_empty() {
                continue;
            }
            for r in m.rows.0 + 1..=m.rows.1 {
                under.entry(r).or_default().push((m.cols.0, text.clone()));
            }
        }
        for (n, mut cells) in rows.into_iter().skip(data) {
            if !keep_row(&layout, &cells) {
                continue;
            }
            for (c, text) in under.get(&n).into_iter().flatten() {
                if cells.len() <= *c {
                    cells.resize(c + 1, String::new());
                }
                if cells[*c].trim().is_empty() {
                    cells[*c].clone_from(text);
                }
            }
            kept.push((n, cells));
        }
    }
    Ok((layout, kept, head))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(rows: &[(u32, &[&str])]) -> Vec<(u32, Vec<String>)> {
        rows.iter()
            .map(|(n, cells)| (*n, cells.iter().map(|c| (*c).to_owned()).collect()))
            .collect()
    }

    #[test]
    fn title_rows_above_the_header_are_skipped() {
        let r = rows(&[
            (1, &["UBND XÃ THẠCH HÀ"]),
            (
                2,
                &[
                    "DANH SÁCH CÔNG DÂN CÓ NGƯỜI THÂN Ở NƯỚC NGOÀI (Kèm theo Báo cáo số 12/BC-UBND ngày 3/3/2025)",
                ],
            ),
            (4, &["STT", "Họ và tên", "Ngày sinh", "Quốc gia"]),
            (5, &["1", "Nguyễn Văn An", "1990", "Nhật Bản"]),
            (6, &["2", "Trần Thị Bình", "1992", "Hàn Quốc"]),
            (7, &["Tổng cộng", "", "", "2 người"]),
        ]);
        let (layout, data, head) = shape(r, &[], None).unwrap();
        assert_eq!(layout.header_row, 4);
        assert_eq!(layout.header_rows, 1);
        assert_eq!(layout.row_number_col, Some(0));
        assert_eq!(layout.headers[1], "Họ và tên");
        assert_eq!(data.len(), 2, "{data:?}");
        assert_eq!(data[0].0, 5);
        assert_eq!(head.len(), 6);
        assert_eq!(
            head[2],
            (4, "STT | Họ và tên | Ngày sinh | Quốc gia".to_owned())
        );
    }

    #[test]
    fn a_chosen_header_row_wins_and_an_absent_one_is_an_error() {
        let r = rows(&[
            (1, &["Họ và tên", "Quốc gia"]),
            (2, &["Tên", "Nước"]),
            (3, &["Lê Văn Cường", "Đức"]),
        ]);
        let (layout, data, _) = shape(r.clone(), &[], Some(2)).unwrap();
        assert_eq!((layout.header_row, data.len()), (2, 1));
        assert_eq!(
            shape(r, &[], Some(9)).unwrap_err().code,
            "header_row_not_found"
        );
    }

    #[test]
    fn a_two_row_header_with_merged_cells_is_one_header_per_column() {
        // "Họ và tên" merged down A3:A4, "Quê quán" merged across C3:D3.
        let r = rows(&[
            (1, &["DANH SÁCH"]),
            (3, &["STT", "Họ và tên", "Quê quán", "", "Quốc gia"]),
            (4, &["", "", "Xã", "Huyện", ""]),
            (5, &["(1)", "(2)", "(3)", "(4)", "(5)"]),
            (6, &["1", "Nguyễn Văn An", "Thạch Kim", "Lộc Hà", "Nhật"]),
            (7, &["Cộng", "1"]),
        ]);
        let merges = [
            Merge {
                rows: (3, 4),
                cols: (0, 0),
            },
            Merge {
                rows: (3, 4),
                cols: (1, 1),
            },
            Merge {
                rows: (3, 3),
                cols: (2, 3),
            },
            Merge {
                rows: (3, 4),
                cols: (4, 4),
            },
        ];
        let (layout, data, _) = shape(r.clone(), &merges, None).unwrap();
        assert_eq!(
            layout.headers,
            vec![
                "STT",
                "Họ và tên",
                "Quê quán - Xã",
                "Quê quán - Huyện",
                "Quốc gia"
            ]
        );
        assert_eq!((layout.header_row, layout.header_rows), (3, 2));
        assert_eq!(data.len(), 1, "{data:?}");
        assert_eq!(data[0].0, 6);
        // The same without merge information (a CSV): the blank cell over
        // "Huyện" belongs to "Quê quán".
        let (layout, data, _) = shape(r, &[], None).unwrap();
        assert_eq!(layout.headers[2..4], ["Quê quán - Xã", "Quê quán - Huyện"]);
        assert_eq!(data.len(), 1);
    }

    #[test]
    fn a_cell_merged_down_over_several_people_reaches_each() {
        let r = rows(&[
            (1, &["Họ và tên", "Quê quán", "Quốc gia"]),
            (2, &["An", "Thạch Kim", "KR"]),
            (3, &["Bình", "", "KR"]),
        ]);
        let merges = [Merge {
            rows: (2, 3),
            cols: (1, 1),
        }];
        let (_, data, _) = shape(r, &merges, None).unwrap();
        assert_eq!(data[1].1[1], "Thạch Kim");
    }

    #[test]
    fn a_data_row_under_a_merged_header_is_not_a_header() {
        let r = rows(&[
            (1, &["Họ và tên", "", "Quốc gia"]),
            (2, &["Phạm Văn Bình", "", "KR"]),
        ]);
        let merges = [Merge {
            rows: (1, 1),
            cols: (0, 1),
        }];
        let (layout, data, _) = shape(r, &merges, None).unwrap();
        assert_eq!(layout.header_rows, 1);
        assert_eq!(data.len(), 1);
    }

    #[test]
    fn totals_and_column_numbers() {
        let s = |v: &[&str]| v.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
        for t in [
            &["Tổng cộng"][..],
            &["", "Cộng"],
            &["Tổng số: 14 người"],
            &["TỔNG CỘNG:", "14"],
            &["Cộng: 3"],
        ] {
            assert!(is_totals(&s(t)), "{t:?}");
        }
        for t in [
            &["1", "Tống Văn Công"][..],
            &["Công Thị Hoa"],
            &["Cộng hòa Liên bang Đức"],
        ] {
            assert!(!is_totals(&s(t)), "{t:?}");
        }
        assert!(is_column_numbers(&s(&["(1)", "(2)", "(3)"])));
        assert!(is_column_numbers(&s(&["1", "2", "", "3"])));
        assert!(!is_column_numbers(&s(&["1", "Nguyễn Văn An"])));
        assert!(!is_column_numbers(&s(&["3", "2"])));
        assert!(!is_column_numbers(&s(&["7"])));
    }
}
