//! Time helpers: every timestamp is RFC 3339 UTC with microseconds, so that
//! text comparison orders them on both databases. People read them in the
//! configured time zone, as "16:38 06/12/2026" ([`show`]).

use std::sync::atomic::{AtomicI32, Ordering};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Offset of the time zone people read times in, in minutes east of UTC.
/// `Asia/Ho_Chi_Minh` (UTC+7) by default: Vietnam has kept UTC+7 without
/// daylight saving since 1975, so a fixed offset is exact there and no
/// time-zone database is needed. Process-wide: set once at start from the
/// settings (`display_utc_offset_minutes`).
static DISPLAY_OFFSET_MINUTES: AtomicI32 = AtomicI32::new(DEFAULT_DISPLAY_OFFSET_MINUTES);

/// `Asia/Ho_Chi_Minh`.
pub const DEFAULT_DISPLAY_OFFSET_MINUTES: i32 = 7 * 60;

/// Sets the time zone people read times in (minutes east of UTC).
pub fn set_display_offset(minutes: i32) {
    DISPLAY_OFFSET_MINUTES.store(minutes, Ordering::Relaxed);
}

/// The time zone people read times in.
pub fn display_offset() -> time::UtcOffset {
    let m = DISPLAY_OFFSET_MINUTES.load(Ordering::Relaxed);
    time::UtcOffset::from_whole_seconds(m * 60).unwrap_or(time::UtcOffset::UTC)
}

/// A stored timestamp as people read it: "16:38 06/12/2026", in the
/// configured time zone. A date alone shows as `dd/mm/yyyy`
/// ([`domain::dates::show`]); other text is returned as it is.
pub fn show(stored: &str) -> String {
    match parse(stored) {
        Some(t) => {
            let t = t.to_offset(display_offset());
            format!(
                "{:02}:{:02} {:02}/{:02}/{:04}",
                t.hour(),
                t.minute(),
                t.day(),
                u8::from(t.month()),
                t.year()
            )
        }
        None => domain::dates::show(stored),
    }
}

/// The day of a stored timestamp as people read it: `dd/mm/yyyy`, in the
/// configured time zone.
pub fn show_day(stored: &str) -> String {
    match parse(stored) {
        Some(t) => {
            let t = t.to_offset(display_offset());
            format!("{:02}/{:02}/{:04}", t.day(), u8::from(t.month()), t.year())
        }
        None => domain::dates::show(stored),
    }
}

/// "Figures as of": a stored timestamp day first, in the configured time
/// zone ("06/12/2026 16:38"), as statistics and reports print it.
pub fn show_as_of(stored: &str) -> String {
    match parse(stored) {
        Some(t) => {
            let t = t.to_offset(display_offset());
            format!(
                "{:02}/{:02}/{:04} {:02}:{:02}",
                t.day(),
                u8::from(t.month()),
                t.year(),
                t.hour(),
                t.minute()
            )
        }
        None => domain::dates::show(stored),
    }
}

/// Today in the configured time zone, `YYYY-MM-DD` (the date line of a
/// document: the day it is in Vietnam, not in UTC).
pub fn today() -> String {
    let t = OffsetDateTime::now_utc().to_offset(display_offset());
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

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

    /// Sets this clock to `t` (tests: a request received on a set day,
    /// before a weekend or a holiday). Time then runs on from there.
    pub fn set_to(&self, t: OffsetDateTime) {
        let skew = (t - OffsetDateTime::now_utc()).whole_seconds();
        self.skew_secs
            .store(skew, std::sync::atomic::Ordering::Relaxed);
    }

    /// Today by this clock, in the time zone people read times in.
    pub fn today(&self) -> time::Date {
        self.now_utc().to_offset(display_offset()).date()
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

    #[test]
    fn times_read_in_vietnam_day_first() {
        // The default offset (no test changes it: it is process-wide).
        assert_eq!(
            super::show("2026-12-06T09:38:05.123456Z"),
            "16:38 06/12/2026"
        );
        assert_eq!(super::show("2026-12-06T20:00:00Z"), "03:00 07/12/2026");
        assert_eq!(super::show_day("2026-12-06T20:00:00Z"), "07/12/2026");
        assert_eq!(super::show("1975-04-30"), "30/04/1975");
        assert_eq!(super::show("not a time"), "not a time");
        assert_eq!(
            super::show_as_of("2026-12-06T09:38:05Z"),
            "06/12/2026 16:38"
        );
        assert_eq!(super::today().len(), 10);
    }
}
