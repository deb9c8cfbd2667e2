//! The one reader of dates as people type them, for imports, forms, filters
//! and search: `30/04/1975`, `30-4-75`, `1975-04-30`, `04/1975`,
//! `tháng 5/1990`, `ngày 3 tháng 5 năm 1990`, `năm 2015`, `2015?`,
//! `khoảng 1990`, `T5/1990`, an Excel serial number (`45658`) and a date
//! with a time of day (`30/04/1975 00:00`).
//!
//! Pure: the caller passes the current year, which decides the century of a
//! two-digit year (`75` is 1975 in 2026, `05` is 2005).

use crate::text::fold;
use crate::types::{DateError, PartialDate};

/// Words around a date that do not change it ("ngày", "tháng", "năm",
/// "khoảng", "sinh", "dự kiến"...), folded.
const FILLER: &[&str] = &[
    "ngay", "thang", "thg", "nam", "khoang", "uoc", "chung", "tam", "sinh", "vao", "luc", "co",
    "le", "hon", "ca", "circa", "about", "born", "year", "in", "du", "kien",
];

/// Excel's day 0 in the 1900 system is 1899-12-30 (its 1900 leap-year bug
/// folded in): serials from 10000 (1927) to 80000 (2119) are read as dates.
const SERIALS: std::ops::RangeInclusive<u32> = 10_000..=80_000;

/// A stored date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or a timestamp's date
/// part) as a person reads it: `dd/mm/yyyy`, `mm/yyyy` or `yyyy`. Text that
/// is not such a date is returned as it is.
///
/// ```
/// assert_eq!(domain::dates::show("1975-04-30"), "30/04/1975");
/// assert_eq!(domain::dates::show("1990-05"), "05/1990");
/// assert_eq!(domain::dates::show(""), "");
/// ```
pub fn show(stored: &str) -> String {
    let s = stored.trim();
    let day = s
        .get(..10)
        .filter(|d| s.len() > 10 && d.as_bytes()[4] == b'-')
        .unwrap_or(s);
    if !day.starts_with(|c: char| c.is_ascii_digit()) || day.contains('/') {
        return stored.to_owned();
    }
    PartialDate::parse(day).map_or_else(|_| stored.to_owned(), PartialDate::to_vn)
}

/// A whole day as a person types it in a date field (`30/04/1975`,
/// `30-4-1975`, `1975-04-30`), as ISO `YYYY-MM-DD`; `None` for anything
/// else, a partial date included.
///
/// ```
/// assert_eq!(domain::dates::read_day("06/12/2026").as_deref(), Some("2026-12-06"));
/// assert_eq!(domain::dates::read_day("2026-12-06").as_deref(), Some("2026-12-06"));
/// assert_eq!(domain::dates::read_day("12/2026"), None);
/// ```
pub fn read_day(text: &str) -> Option<String> {
    let d = read_without_century(text).ok()?;
    (d.month.is_some() && d.day.is_some()).then(|| d.to_iso())
}

/// Reads a date as people write it; the year alone, a month and year, or a
/// full date. `this_year` decides the century of a two-digit year.
///
/// ```
/// use domain::dates::read;
/// assert_eq!(read("tháng 5/1990", 2026).unwrap().to_iso(), "1990-05");
/// assert_eq!(read("3-5-75", 2026).unwrap().to_iso(), "1975-05-03");
/// assert_eq!(read("năm 2015", 2026).unwrap().to_iso(), "2015");
/// assert_eq!(read("45658", 2026).unwrap().to_iso(), "2025-01-01");
/// ```
pub fn read(text: &str, this_year: u16) -> Result<PartialDate, DateError> {
    read_in(text, Some(this_year))
}

/// [`read`] where no current year is at hand (pure code with no clock): a
/// two-digit year, whose century cannot be told, is refused.
pub fn read_without_century(text: &str) -> Result<PartialDate, DateError> {
    read_in(text, None)
}

fn read_in(text: &str, this_year: Option<u16>) -> Result<PartialDate, DateError> {
    let s = text.trim();
    if s.is_empty() {
        return Err(DateError::Format);
    }
    if let Ok(d) = PartialDate::parse(s) {
        return Ok(d);
    }
    if let Some(d) = excel_serial(s) {
        return Ok(d);
    }
    let s = without_time_of_day(s);
    let folded = fold(&s);
    let mut said_month = false;
    let mut said_year = false;
    let mut nums: Vec<&str> = Vec::new();
    for w in folded.split(' ').filter(|w| !w.is_empty()) {
        if w.bytes().all(|b| b.is_ascii_digit()) {
            nums.push(w);
        } else if let Some(m) = w.strip_prefix('t').filter(|m| is_number(m)) {
            // "T5/1990"
            said_month = true;
            nums.push(m);
        } else if FILLER.contains(&w) {
            said_month |= matches!(w, "thang" | "thg");
            said_year |= matches!(w, "nam" | "year");
        } else {
            return Err(DateError::Format);
        }
    }
    let num = |t: &str| -> Result<u32, DateError> {
        if t.len() > 4 {
            return Err(DateError::Format);
        }
        t.parse::<u32>().map_err(|_| DateError::Format)
    };
    let year = |t: &str| -> Result<u32, DateError> {
        match t.len() {
            4 => num(t),
            2 => Ok(two_digit_year(num(t)?, this_year.ok_or(DateError::Format)?)),
            _ => Err(DateError::Format),
        }
    };
    match nums.as_slice() {
        [y] if y.len() == 4 => PartialDate::new(num(y)?, None, None),
        [y] if y.len() == 2 && said_year => PartialDate::new(year(y)?, None, None),
        [y, m] if y.len() == 4 => PartialDate::new(num(y)?, Some(num(m)?), None),
        [m, y] if y.len() == 4 || (y.len() == 2 && said_month) => {
            PartialDate::new(year(y)?, Some(num(m)?), None)
        }
        [y, m, d] if y.len() == 4 => PartialDate::new(num(y)?, Some(num(m)?), Some(num(d)?)),
        [d, m, y] if y.len() == 4 || y.len() == 2 => {
            PartialDate::new(year(y)?, Some(num(m)?), Some(num(d)?))
        }
        _ => Err(DateError::Format),
    }
}

/// Reads a year as people write it: `2015`, `năm 2015`, `2015?`, `khoảng
/// 2015`, or the year of any date [`read`] accepts.
pub fn read_year(text: &str, this_year: u16) -> Result<u16, DateError> {
    read(text, this_year).map(|d| d.year)
}

fn is_number(t: &str) -> bool {
    !t.is_empty() && t.len() <= 2 && t.bytes().all(|b| b.is_ascii_digit())
}

/// The century of a two-digit year: not after this year.
fn two_digit_year(yy: u32, this_year: u16) -> u32 {
    let this = u32::from(this_year);
    let century = this / 100 * 100;
    if century + yy <= this {
        century + yy
    } else {
        century - 100 + yy
    }
}

/// A spreadsheet's serial number of a day (`45658`, `45658.5`).
fn excel_serial(s: &str) -> Option<PartialDate> {
    let whole = s.split_once('.').map_or(s, |(w, f)| {
        if f.bytes().all(|b| b.is_ascii_digit()) {
            w
        } else {
            ""
        }
    });
    if whole.len() != 5 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let serial: u32 = whole.parse().ok()?;
    if !SERIALS.contains(&serial) {
        return None;
    }
    // Days from 1970-01-01: 1899-12-30 is day -25569.
    let (y, m, d) = civil_from_days(i64::from(serial) - 25_569);
    PartialDate::new(y, Some(m), Some(d)).ok()
}

/// Year, month and day of a count of days since 1970-01-01 (Howard
/// Hinnant's civil-from-days, proleptic Gregorian).
fn civil_from_days(z: i64) -> (u32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y as u32, m as u32, d as u32)
}

/// Drops a time of day after a date ("30/04/1975 00:00:00", "1975-04-30T08:00").
fn without_time_of_day(s: &str) -> String {
    let is_time = |w: &str| {
        w.contains(':')
            && w.split(':')
                .all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
    };
    let mut out: Vec<&str> = Vec::new();
    for w in s.split(' ') {
        if is_time(w) {
            continue;
        }
        match w.split_once('T') {
            Some((date, time)) if w.starts_with(|c: char| c.is_ascii_digit()) && is_time(time) => {
                out.push(date);
            }
            _ => out.push(w),
        }
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> String {
        read(s, 2026).map_or_else(|e| format!("error: {e}"), PartialDate::to_iso)
    }

    #[test]
    fn dates_as_people_type_them() {
        for (typed, want) in [
            ("30/04/1975", "1975-04-30"),
            ("30-4-75", "1975-04-30"),
            ("3-5-05", "2005-05-03"),
            ("3.5.1990", "1990-05-03"),
            ("1975-04-30", "1975-04-30"),
            ("04/1975", "1975-04"),
            ("tháng 5/1990", "1990-05"),
            ("Tháng 5 năm 1990", "1990-05"),
            ("T5/1990", "1990-05"),
            ("tháng 5/90", "1990-05"),
            ("ngày 3 tháng 5 năm 1990", "1990-05-03"),
            ("năm 2015", "2015"),
            ("Năm 2015", "2015"),
            ("2015?", "2015"),
            ("(2015)", "2015"),
            ("khoảng 1990", "1990"),
            ("~1990", "1990"),
            ("năm 90", "1990"),
            ("45658", "2025-01-01"),
            ("32874", "1990-01-01"),
            ("45658.75", "2025-01-01"),
            ("30/04/1975 00:00", "1975-04-30"),
            ("1975-04-30T08:30:00", "1975-04-30"),
            ("3 / 5 / 1990", "1990-05-03"),
            ("Tháng 5/1990 08:00", "1990-05"),
        ] {
            assert_eq!(iso(typed), want, "{typed}");
        }
    }

    #[test]
    fn what_is_not_a_date_is_refused() {
        for typed in [
            "",
            "abc",
            "90",
            "5/90",
            "1/2/3/4",
            "trước 1975",
            "123",
            "99999",
            "12345678",
            "Hà Nội",
        ] {
            assert!(read(typed, 2026).is_err(), "{typed} read as {}", iso(typed));
        }
        assert_eq!(read("31/02/1990", 2026), Err(DateError::Impossible));
        assert_eq!(
            read("ngày 31 tháng 2 năm 1990", 2026),
            Err(DateError::Impossible)
        );
    }

    #[test]
    fn without_a_current_year_two_digit_years_are_refused() {
        assert_eq!(read_without_century("30-4-75"), Err(DateError::Format));
        assert_eq!(
            read_without_century("tháng 5/1990").unwrap().to_iso(),
            "1990-05"
        );
        assert_eq!(
            read_without_century("dự kiến 2015").unwrap().to_iso(),
            "2015"
        );
    }

    #[test]
    fn years_as_people_type_them() {
        assert_eq!(read_year("năm 2015", 2026), Ok(2015));
        assert_eq!(read_year("2015?", 2026), Ok(2015));
        assert_eq!(read_year("12/2015", 2026), Ok(2015));
        assert!(read_year("sau 2015", 2026).is_err());
    }

    #[test]
    fn serials_round_trip_every_day_of_a_century() {
        let mut last = String::new();
        for serial in 10_000..=80_000_u32 {
            let d = excel_serial(&serial.to_string()).expect("a day");
            let s = d.to_iso();
            assert!(s > last, "{serial}: {s} after {last}");
            last = s;
        }
    }
}
