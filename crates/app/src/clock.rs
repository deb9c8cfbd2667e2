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

/// The clock of an [`crate::App`] where time-outs are decided (sessions):
/// the system's time, which a test can move forward to prove an idle or
/// absolute time-out without waiting for it.
#[derive(Debug, Default)]
pub struct Clock {
    skew_secs: std::sync::atomic::AtomicI64,
}

impl Clock {
    /// Now, by this clock.
    pub fn now_utc(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
            + time::Duration::seconds(self.skew_secs.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Now plus some seconds, as stored.
    pub fn in_seconds(&self, secs: i64) -> String {
        fmt(self.now_utc() + time::Duration::seconds(secs))
    }

    /// Moves this clock forward (tests).
    pub fn advance(&self, by: time::Duration) {
        self.skew_secs
            .fetch_add(by.whole_seconds(), std::sync::atomic::Ordering::Relaxed);
    }
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
