//! Money as the province counts it (issue 22 §2–§3): an amount in integer
//! minor units of an ISO 4217 currency, never a float; exchange rates to
//! the đồng entered by an officer as decimal text and applied with integer
//! arithmetic (no rate is fetched from outside).

/// A currency of ISO 4217 with the digits of its minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    pub code: &'static str,
    /// Digits after the decimal separator (VND, JPY, KRW: 0; USD: 2; KWD: 3).
    pub minor_digits: u32,
}

const fn c(code: &'static str, minor_digits: u32) -> Currency {
    Currency { code, minor_digits }
}

/// The currencies accepted: the đồng and those of the countries where
/// people of the province live and invest from (ISO 4217, minor units as
/// the standard's table gives them).
pub const CURRENCIES: &[Currency] = &[
    c("VND", 0),
    c("USD", 2),
    c("EUR", 2),
    c("JPY", 0),
    c("KRW", 0),
    c("TWD", 2),
    c("CNY", 2),
    c("HKD", 2),
    c("SGD", 2),
    c("THB", 2),
    c("MYR", 2),
    c("LAK", 2),
    c("KHR", 2),
    c("AUD", 2),
    c("NZD", 2),
    c("CAD", 2),
    c("GBP", 2),
    c("CHF", 2),
    c("SEK", 2),
    c("NOK", 2),
    c("DKK", 2),
    c("CZK", 2),
    c("PLN", 2),
    c("HUF", 2),
    c("RUB", 2),
    c("UAH", 2),
    c("AED", 2),
    c("SAR", 2),
    c("QAR", 2),
    c("KWD", 3),
    c("ILS", 2),
    c("INR", 2),
    c("IDR", 2),
    c("PHP", 2),
];

/// The currency of an ISO 4217 code (case ignored), when accepted.
pub fn currency(code: &str) -> Option<Currency> {
    let code = code.trim();
    CURRENCIES
        .iter()
        .copied()
        .find(|c| c.code.eq_ignore_ascii_case(code))
}

/// Why an amount or a rate cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyError {
    /// Not a number.
    Invalid,
    /// Below zero.
    Negative,
    /// More decimals than the currency has.
    TooPrecise,
    /// Too large to count.
    TooLarge,
}

impl MoneyError {
    /// The message code (`invalid_amount`, `negative_amount`...).
    pub fn code(self) -> &'static str {
        match self {
            Self::Invalid => "invalid_amount",
            Self::Negative => "negative_amount",
            Self::TooPrecise => "too_many_decimals",
            Self::TooLarge => "amount_too_large",
        }
    }
}

/// The largest amount kept, in minor units (10^15: a thousand trillion đồng).
pub const MAX_MINOR: i64 = 1_000_000_000_000_000;

/// Splits a typed decimal into its whole and fractional digits. Both
/// writings are read: "1.250.000,50" (Vietnamese) and "1,250,000.50"
/// (English); spaces are ignored. A single separator followed by exactly
/// three digits is a thousands separator ("25.000" is twenty-five thousand),
/// as a Vietnamese officer writes it.
fn split_decimal(text: &str) -> Result<(String, String), MoneyError> {
    let t: String = text
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    if t.starts_with('-') {
        return Err(MoneyError::Negative);
    }
    let t = t.strip_prefix('+').unwrap_or(&t);
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err(MoneyError::Invalid);
    }
    let dots = t.matches('.').count();
    let commas = t.matches(',').count();
    // The decimal separator: the last of two kinds, or a lone one not followed by three digits.
    let decimal = match (dots, commas) {
        (0, 0) => None,
        (_, 0) | (0, _) => {
            let sep = if dots > 0 { '.' } else { ',' };
            let count = dots + commas;
            let tail = t.rsplit(sep).next().unwrap_or("");
            if count == 1 && tail.len() != 3 {
                Some(sep)
            } else {
                None
            }
        }
        _ => {
            let last_dot = t.rfind('.').unwrap_or(0);
            let last_comma = t.rfind(',').unwrap_or(0);
            Some(if last_dot > last_comma { '.' } else { ',' })
        }
    };
    let (whole, frac) = match decimal {
        Some(sep) => {
            let (w, f) = t.rsplit_once(sep).unwrap_or((t, ""));
            if f.contains(['.', ',']) {
                return Err(MoneyError::Invalid);
            }
            (w.to_owned(), f.to_owned())
        }
        None => (t.to_owned(), String::new()),
    };
    // Thousands groups: three digits each after the first.
    let groups: Vec<&str> = whole.split(['.', ',']).collect();
    if groups.len() > 1
        && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3))
    {
        return Err(MoneyError::Invalid);
    }
    let whole: String = groups.concat();
    if whole.is_empty() && frac.is_empty() {
        return Err(MoneyError::Invalid);
    }
    Ok((whole, frac))
}

/// Reads a typed amount in `currency` as minor units: "1.250.000" đồng,
/// "12.500,50" or "12,500.50" dollars.
pub fn parse_amount(text: &str, currency: Currency) -> Result<i64, MoneyError> {
    let (whole, frac) = split_decimal(text)?;
    let digits = currency.minor_digits as usize;
    let frac = frac.trim_end_matches('0');
    if frac.len() > digits {
        return Err(MoneyError::TooPrecise);
    }
    let mut minor = String::from(if whole.is_empty() { "0" } else { &whole });
    minor.push_str(frac);
    for _ in frac.len()..digits {
        minor.push('0');
    }
    let v: i128 = minor.parse().map_err(|_| MoneyError::TooLarge)?;
    if v > i128::from(MAX_MINOR) {
        return Err(MoneyError::TooLarge);
    }
    i64::try_from(v).map_err(|_| MoneyError::TooLarge)
}

/// An exchange rate: đồng for one unit of a currency, as an exact decimal
/// (`units / 10^scale`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub units: i128,
    pub scale: u32,
}

impl Rate {
    /// One to one (the đồng itself).
    pub const ONE: Rate = Rate { units: 1, scale: 0 };

    /// The rate as stored and shown in the API: "25400" or "25412.5".
    pub fn to_text(self) -> String {
        let s = self.units.to_string();
        if self.scale == 0 {
            return s;
        }
        let scale = self.scale as usize;
        let padded = format!("{s:0>width$}", width = scale + 1);
        let (w, f) = padded.split_at(padded.len() - scale);
        let f = f.trim_end_matches('0');
        if f.is_empty() {
            w.to_owned()
        } else {
            format!("{w}.{f}")
        }
    }
}

/// Reads a typed rate ("25.400", "25 412,5", "25412.5"); zero is refused.
pub fn parse_rate(text: &str) -> Result<Rate, MoneyError> {
    let (whole, frac) = split_decimal(text)?;
    let frac = frac.trim_end_matches('0');
    if frac.len() > 6 {
        return Err(MoneyError::TooPrecise);
    }
    let digits = format!("{}{frac}", if whole.is_empty() { "0" } else { &whole });
    let units: i128 = digits.parse().map_err(|_| MoneyError::TooLarge)?;
    if units == 0 {
        return Err(MoneyError::Invalid);
    }
    if units > 1_000_000_000_000_000 {
        return Err(MoneyError::TooLarge);
    }
    Ok(Rate {
        units,
        scale: u32::try_from(frac.len()).unwrap_or(0),
    })
}

/// The đồng value of `minor` units of `currency` at `rate`, rounded half up.
pub fn to_vnd(minor: i64, currency: Currency, rate: Rate) -> i64 {
    let num = i128::from(minor) * rate.units;
    let den = 10i128.pow(currency.minor_digits + rate.scale);
    let v = (num * 2 + den) / (den * 2);
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Đồng converted to minor units of a currency at `rate` (đồng per unit),
/// rounded half up: the report's dollars.
pub fn from_vnd(vnd: i64, currency: Currency, rate: Rate) -> i64 {
    let num = i128::from(vnd) * 10i128.pow(currency.minor_digits + rate.scale);
    let den = rate.units;
    let v = (num * 2 + den) / (den * 2);
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// An amount as a person reads it, digits grouped in the page's language
/// (`en` or Vietnamese): "1.250.000,50" / "1,250,000.50", without the currency.
pub fn format_minor(minor: i64, currency: Currency, en: bool) -> String {
    let (group, dec) = if en { (',', '.') } else { ('.', ',') };
    let neg = minor < 0;
    let abs = minor.unsigned_abs().to_string();
    let digits = currency.minor_digits as usize;
    let padded = format!("{abs:0>width$}", width = digits + 1);
    let (w, f) = padded.split_at(padded.len() - digits);
    let mut out = String::new();
    for (i, ch) in w.chars().enumerate() {
        if i > 0 && (w.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(ch);
    }
    if digits > 0 {
        out.push(dec);
        out.push_str(f);
    }
    if neg { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        currency("usd").unwrap()
    }
    fn vnd() -> Currency {
        currency("VND").unwrap()
    }

    #[test]
    fn amounts_are_read_in_both_writings_as_minor_units() {
        assert_eq!(parse_amount("1.250.000", vnd()), Ok(1_250_000));
        assert_eq!(parse_amount("1 250 000", vnd()), Ok(1_250_000));
        assert_eq!(parse_amount("12.500,50", usd()), Ok(1_250_050));
        assert_eq!(parse_amount("12,500.50", usd()), Ok(1_250_050));
        assert_eq!(parse_amount("12500.5", usd()), Ok(1_250_050));
        assert_eq!(parse_amount("25.000", usd()), Ok(2_500_000));
        assert_eq!(parse_amount("0,1", usd()), Ok(10));
        assert_eq!(parse_amount("-5", usd()), Err(MoneyError::Negative));
        assert_eq!(parse_amount("1,5", vnd()), Err(MoneyError::TooPrecise));
        assert_eq!(parse_amount("abc", vnd()), Err(MoneyError::Invalid));
        assert_eq!(parse_amount("1.2.3", vnd()), Err(MoneyError::Invalid));
        assert_eq!(parse_amount("", vnd()), Err(MoneyError::Invalid));
        assert_eq!(
            parse_amount("99999999999999999999", vnd()),
            Err(MoneyError::TooLarge)
        );
    }

    #[test]
    fn rates_convert_with_integers_rounding_half_up() {
        let r = parse_rate("25.400").unwrap();
        assert_eq!(
            r,
            Rate {
                units: 25400,
                scale: 0
            }
        );
        let r2 = parse_rate("25412,5").unwrap();
        assert_eq!(r2.to_text(), "25412.5");
        assert_eq!(to_vnd(1_250_050, usd(), r), 317_512_700);
        assert_eq!(to_vnd(1, usd(), r2), 254); // 254.125 → 254
        assert_eq!(to_vnd(2, usd(), r2), 508); // 508.25
        assert_eq!(to_vnd(500, vnd(), Rate::ONE), 500);
        assert_eq!(from_vnd(317_512_700, usd(), r), 1_250_050);
        assert!(parse_rate("0").is_err());
        assert!(parse_rate("-1").is_err());
    }

    #[test]
    fn amounts_are_shown_grouped_by_language() {
        assert_eq!(format_minor(1_250_050, usd(), false), "12.500,50");
        assert_eq!(format_minor(1_250_050, usd(), true), "12,500.50");
        assert_eq!(
            format_minor(3_335_650_000_000, vnd(), false),
            "3.335.650.000.000"
        );
        assert_eq!(format_minor(5, usd(), true), "0.05");
        assert_eq!(format_minor(0, vnd(), true), "0");
    }

    #[test]
    fn unknown_currencies_are_not_accepted() {
        assert!(currency("XYZ").is_none());
        assert!(currency("").is_none());
        assert_eq!(currency("jpy").unwrap().minor_digits, 0);
    }
}
