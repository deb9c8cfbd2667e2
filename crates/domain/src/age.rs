//! Age bands of the statistics and the registry's list filter: which band a
//! birth year falls in, and which birth years a band holds, in a year the
//! caller passes (this crate reads no clock).

/// Age bands, from the birth year and the current year.
pub const AGE_BANDS: &[(&str, &str, &str, i64, i64)] = &[
    ("under_18", "Dưới 18", "Under 18", 0, 17),
    ("18_29", "18–29", "18–29", 18, 29),
    ("30_44", "30–44", "30–44", 30, 44),
    ("45_59", "45–59", "45–59", 45, 59),
    ("60_plus", "60 trở lên", "60 and over", 60, i64::MAX),
];

/// The age band code of someone born in `birth_year`, in `year`.
pub fn age_band(birth_year: i64, year: i64) -> &'static str {
    let age = (year - birth_year).max(0);
    AGE_BANDS
        .iter()
        .find(|b| age >= b.3 && age <= b.4)
        .map_or("", |b| b.0)
}

/// Birth years of an age band in `year`: the earliest (`None` for the open
/// top band) and the latest; `None` for an unknown band code.
pub fn band_birth_years(code: &str, year: i64) -> Option<(Option<i64>, i64)> {
    let (_, _, _, lo, hi) = AGE_BANDS.iter().find(|b| b.0 == code)?;
    Some(((*hi != i64::MAX).then(|| year - hi), year - lo))
}
