//! Time helpers: every timestamp is RFC 3339 UTC with microseconds, so that
//! text comparison orders them on both databases.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Formats a time as stored in the database.
pub fn fmt(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

/// Now, as stored.
pub fn now() -> String {
    fmt(OffsetDateTime::now_utc())
}

/// Now plus some seconds, as stored.
pub fn in_seconds(secs: i64) -> String {
    fmt(OffsetDateTime::now_utc() + time::Duration::seconds(secs))
}

/// Parses a stored timestamp.
pub fn parse(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// Current year (for date validation).
pub fn current_year() -> i32 {
    OffsetDateTime::now_utc().year()
}

#[cfg(test)]
mod tests {
    #[test]
    fn stored_timestamps_round_trip_and_sort() {
        let a = super::now();
        let b = super::in_seconds(1);
        assert!(a < b);
        assert!(super::parse(&a).is_some());
        assert_eq!(a.len(), "2026-01-01T00:00:00.000000Z".len());
    }
}
