//! Telephone numbers: generated in E.164, written the many ways people write them.
//!
//! Numbers are random digits on each country's real mobile prefixes so that they
//! look right to a validator; they are synthetic and not meant to be dialled.

use crate::pick::{DemoRng, index, one_of, push_digits};
use crate::tables::{Country, VIETNAM_DIAL, VIETNAM_MOBILE};

/// How a number is written in a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneStyle {
    /// `+14085550101`
    E164,
    /// `+1 408 555 0101`, `+81 90 1234 5678`
    Spaced,
    /// `0014085550101`, `0084912345678`
    DoubleZero,
    /// National form: `(408) 555-0101`, `090 1234 5678`, `0912 345 678`
    National,
    /// `+1 (408) 555-0101`, `+81-90-1234-5678`
    Punctuated,
}

/// A mobile number of the host country in E.164. `area` is the city's area code
/// for North American numbers (`+1`), ignored elsewhere.
pub(crate) fn host_number(rng: &mut DemoRng, country: &Country, area: &str) -> String {
    let mut out = String::with_capacity(16);
    out.push('+');
    out.push_str(country.dial);
    if country.nanp() {
        out.push_str(area);
        // Exchange codes start with 2–9.
        let first = 2 + index(rng, 8) as u8;
        out.push(char::from(b'0' + first));
        push_digits(rng, &mut out, 6);
    } else {
        out.push_str(one_of(rng, country.mobile, "9"));
        push_digits(rng, &mut out, usize::from(country.rest));
    }
    out
}

/// A Vietnamese mobile number in E.164 (`+84` and nine digits).
pub(crate) fn vietnam_number(rng: &mut DemoRng) -> String {
    let mut out = String::with_capacity(13);
    out.push('+');
    out.push_str(VIETNAM_DIAL);
    out.push_str(one_of(rng, VIETNAM_MOBILE, "9"));
    push_digits(rng, &mut out, 8);
    out
}

/// Splits digits into groups of three, the last one or two groups of four.
fn grouped(digits: &str, sep: char) -> String {
    let len = digits.len();
    if len < 6 {
        return digits.to_owned();
    }
    let mut sizes = vec![3; len / 3];
    // A remainder of one or two digits lengthens the last groups to four.
    for extra in 0..len % 3 {
        let at = sizes.len() - 1 - extra;
        sizes[at] += 1;
    }
    let mut out = String::with_capacity(digits.len() + sizes.len());
    let mut at = 0;
    for (i, size) in sizes.iter().enumerate() {
        if i > 0 {
            out.push(sep);
        }
        out.push_str(&digits[at..at + size]);
        at += size;
    }
    out
}

/// Writes an E.164 number of the plan `dial`/`trunk` in the given style.
pub fn format(e164: &str, dial: &str, trunk: bool, style: PhoneStyle) -> String {
    let national = e164
        .strip_prefix('+')
        .and_then(|s| s.strip_prefix(dial))
        .unwrap_or(e164);
    let nanp = dial == "1" && national.len() == 10;
    match style {
        PhoneStyle::E164 => e164.to_owned(),
        PhoneStyle::DoubleZero => format!("00{dial}{national}"),
        PhoneStyle::Spaced if nanp => {
            format!(
                "+1 {} {} {}",
                &national[..3],
                &national[3..6],
                &national[6..]
            )
        }
        PhoneStyle::Spaced => format!("+{dial} {}", grouped(national, ' ')),
        PhoneStyle::National if nanp => {
            format!(
                "({}) {}-{}",
                &national[..3],
                &national[3..6],
                &national[6..]
            )
        }
        PhoneStyle::National if trunk => format!("0{}", grouped(national, ' ')),
        PhoneStyle::National => grouped(national, ' '),
        PhoneStyle::Punctuated if nanp => {
            format!(
                "+1 ({}) {}-{}",
                &national[..3],
                &national[3..6],
                &national[6..]
            )
        }
        PhoneStyle::Punctuated => format!("+{dial}-{}", grouped(national, '-')),
    }
}

/// Digits of a number however written, with a leading `00` read as `+`:
/// used by tests to check that every style denotes the same number.
#[cfg(test)]
pub(crate) fn digits_only(s: &str) -> String {
    let d: String = s.chars().filter(char::is_ascii_digit).collect();
    d.strip_prefix("00").map_or(d.clone(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::COUNTRIES;
    use rand::SeedableRng;

    #[test]
    fn groups_of_three_or_four() {
        assert_eq!(grouped("17138320253", ' '), "171 3832 0253");
        assert_eq!(grouped("912345678", ' '), "912 345 678");
        assert_eq!(grouped("9123456789", ' '), "912 345 6789");
        assert_eq!(grouped("12345678", ' '), "1234 5678");
        assert_eq!(grouped("12345", ' '), "12345");
    }

    #[test]
    fn styles_of_a_us_number() {
        let n = "+14085550101";
        assert_eq!(
            format(n, "1", false, PhoneStyle::Punctuated),
            "+1 (408) 555-0101"
        );
        assert_eq!(
            format(n, "1", false, PhoneStyle::National),
            "(408) 555-0101"
        );
        assert_eq!(format(n, "1", false, PhoneStyle::Spaced), "+1 408 555 0101");
        assert_eq!(
            format(n, "1", false, PhoneStyle::DoubleZero),
            "0014085550101"
        );
    }

    #[test]
    fn styles_of_a_vietnamese_number() {
        let n = "+84912345678";
        assert_eq!(
            format(n, "84", true, PhoneStyle::DoubleZero),
            "0084912345678"
        );
        assert_eq!(format(n, "84", true, PhoneStyle::National), "0912 345 678");
        assert_eq!(format(n, "84", true, PhoneStyle::Spaced), "+84 912 345 678");
    }

    #[test]
    fn generated_numbers_are_e164() {
        let mut rng = DemoRng::seed_from_u64(9);
        for c in COUNTRIES {
            let area = c.regions[0].2[0].1;
            let n = host_number(&mut rng, c, area);
            assert!(
                n.starts_with('+') && n[1..].bytes().all(|b| b.is_ascii_digit()),
                "{n}"
            );
            assert!((9..=16).contains(&n.len()), "{n}");
            for style in [
                PhoneStyle::Spaced,
                PhoneStyle::DoubleZero,
                PhoneStyle::Punctuated,
            ] {
                assert_eq!(digits_only(&format(&n, c.dial, c.trunk, style)), n[1..]);
            }
        }
        let v = vietnam_number(&mut rng);
        assert_eq!(v.len(), 12);
    }
}
