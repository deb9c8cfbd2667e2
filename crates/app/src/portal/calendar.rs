//! The calendar deadlines are counted by (issue 23 §5): working days are
//! Monday to Friday except the days off the province keeps (`holidays`,
//! seeded with the public holidays of 2026 and 2027; see migration 0016).
//! Data-subject requests are acknowledged within
//! `request_acknowledge_days` and completed within `request_complete_days`
//! working days of the day they are received (Luật Bảo vệ dữ liệu cá nhân
//! 91/2025/QH15, Nghị định 356/2025/NĐ-CP).

use std::collections::BTreeSet;

use db::Row;
use time::{Date, Weekday};

use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, FieldError, clock};

/// The legal reference shown beside the deadlines.
pub const LEGAL_REFERENCE: &str =
    "Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15, Nghị định 356/2025/NĐ-CP";

/// Whether `d` is a working day: not Saturday, Sunday or a day off.
pub fn is_working_day(d: Date, holidays: &BTreeSet<Date>) -> bool {
    !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !holidays.contains(&d)
}

/// The `n`-th working day after `date` (the day itself does not count, so a
/// request received on a Friday evening or a holiday starts on the next
/// working day). `n = 0` answers `date`.
pub fn add_working_days(date: Date, n: u32, holidays: &BTreeSet<Date>) -> Date {
    let mut d = date;
    let mut left = n;
    while left > 0 {
        match d.next_day() {
            Some(next) => d = next,
            None => return d,
        }
        if is_working_day(d, holidays) {
            left -= 1;
        }
    }
    d
}

/// Working days from `from` (excluded) up to `to` (included); negative when
/// `to` is before `from`.
pub fn working_days_between(from: Date, to: Date, holidays: &BTreeSet<Date>) -> i64 {
    let (a, b, sign) = if to >= from {
        (from, to, 1)
    } else {
        (to, from, -1)
    };
    let mut n = 0;
    let mut d = a;
    while d < b {
        match d.next_day() {
            Some(next) => d = next,
            None => break,
        }
        if is_working_day(d, holidays) {
            n += 1;
        }
    }
    sign * n
}

/// `YYYY-MM-DD`.
pub fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Reads `YYYY-MM-DD`.
pub fn parse_iso(s: &str) -> Option<Date> {
    let mut it = s.trim().splitn(3, '-');
    let y: i32 = it.next()?.parse().ok()?;
    let m: u8 = it.next()?.parse().ok()?;
    let d: u8 = it.next()?.parse().ok()?;
    Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
}

/// One day off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub name: String,
}

/// Every day off, in order.
pub async fn list(app: &App) -> AppResult<Vec<Holiday>> {
    let rows = sqlx::query("SELECT day, name FROM holidays ORDER BY day")
        .fetch_all(&app.db.pool)
        .await?;
    let mut out = Vec::new();
    for r in rows {
        out.push(Holiday {
            day: r.try_get(0)?,
            name: r.try_get(1)?,
        });
    }
    Ok(out)
}

/// The days off as dates (for deadline arithmetic).
pub async fn days_off(app: &App) -> AppResult<BTreeSet<Date>> {
    Ok(list(app)
        .await?
        .iter()
        .filter_map(|h| parse_iso(&h.day))
        .collect())
}

/// The calendar for the page that keeps it (the province).
pub async fn for_keeper(app: &App, actor: &Actor) -> AppResult<Vec<Holiday>> {
    access::authorize(actor, Action::HolidayManage)?;
    list(app).await
}

/// Adds a day off (or renames it). `day` is `YYYY-MM-DD` (the page reads
/// `dd/mm/yyyy` and converts). A weekend day is refused: it is never a
/// working day anyway.
pub async fn add(app: &App, actor: &Actor, day: &str, name: &str) -> AppResult<()> {
    access::authorize(actor, Action::HolidayManage)?;
    let mut errs = Vec::new();
    let date = parse_iso(day);
    match date {
        None => errs.push(FieldError::new("holiday_day", "invalid_date")),
        Some(d) if matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) => {
            errs.push(FieldError::new("holiday_day", "weekend"));
        }
        Some(_) => {}
    }
    let name = name.trim();
    if name.is_empty() {
        errs.push(FieldError::new("name", "required"));
    } else if name.chars().count() > 200 || domain::text::has_forbidden_control(name) {
        errs.push(FieldError::new("name", "too_long"));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let Some(date) = date else {
        return Err(AppError::invalid_field("holiday_day", "invalid_date"));
    };
    let day = iso(date);
    let mut tx = app.db.begin_write().await?;
    sqlx::query("DELETE FROM holidays WHERE day = $1")
        .bind(&day)
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query("INSERT INTO holidays (day, name, added_at, added_by) VALUES ($1, $2, $3, $4)")
        .bind(&day)
        .bind(name)
        .bind(clock::fmt(app.clock.now_utc()))
        .bind(actor.user_id)
        .execute(&mut *tx.tx)
        .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("holiday.add", "holiday", &day).with(serde_json::json!({"name": name})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a day off (deadlines already computed keep their day).
pub async fn remove(app: &App, actor: &Actor, day: &str) -> AppResult<()> {
    access::authorize(actor, Action::HolidayManage)?;
    let mut tx = app.db.begin_write().await?;
    let n = sqlx::query("DELETE FROM holidays WHERE day = $1")
        .bind(day)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("holiday.remove", "holiday", &day),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn holidays() -> BTreeSet<Date> {
        // As seeded for 2026 (migration 0016).
        [
            date!(2026 - 04 - 27),
            date!(2026 - 04 - 30),
            date!(2026 - 05 - 01),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn a_weekend_is_skipped() {
        let none = BTreeSet::new();
        // Thursday 3/12/2026 + 2 → Monday 7/12.
        assert_eq!(
            add_working_days(date!(2026 - 12 - 03), 2, &none),
            date!(2026 - 12 - 07)
        );
        // Friday + 1 → Monday; received on Saturday, + 1 → Monday too.
        assert_eq!(
            add_working_days(date!(2026 - 12 - 04), 1, &none),
            date!(2026 - 12 - 07)
        );
        assert_eq!(
            add_working_days(date!(2026 - 12 - 05), 1, &none),
            date!(2026 - 12 - 07)
        );
        assert_eq!(
            add_working_days(date!(2026 - 12 - 05), 0, &none),
            date!(2026 - 12 - 05)
        );
    }

    #[test]
    fn holidays_and_the_weekend_are_skipped() {
        let h = holidays();
        // Friday 24/4/2026: Sat, Sun, Mon 27/4 (Giỗ Tổ made up) skipped:
        // Tue 28 and Wed 29 are the two working days.
        assert_eq!(
            add_working_days(date!(2026 - 04 - 24), 2, &h),
            date!(2026 - 04 - 29)
        );
        // Then Thu 30/4 and Fri 1/5 off and the weekend: the third is Mon 4/5.
        assert_eq!(
            add_working_days(date!(2026 - 04 - 24), 3, &h),
            date!(2026 - 05 - 04)
        );
        // Fifteen: 28, 29 April; 4–8, 11–15 and 18–20 May.
        assert_eq!(
            add_working_days(date!(2026 - 04 - 24), 15, &h),
            date!(2026 - 05 - 20)
        );
        assert!(!is_working_day(date!(2026 - 04 - 30), &h));
        assert!(is_working_day(date!(2026 - 04 - 29), &h));
    }

    #[test]
    fn days_between_count_working_days_only() {
        let h = holidays();
        assert_eq!(
            working_days_between(date!(2026 - 04 - 24), date!(2026 - 05 - 04), &h),
            3
        );
        assert_eq!(
            working_days_between(date!(2026 - 05 - 04), date!(2026 - 04 - 24), &h),
            -3
        );
        assert_eq!(
            working_days_between(date!(2026 - 05 - 04), date!(2026 - 05 - 04), &h),
            0
        );
    }

    #[test]
    fn iso_days_round_trip() {
        assert_eq!(parse_iso("2026-04-30"), Some(date!(2026 - 04 - 30)));
        assert_eq!(iso(date!(2026 - 04 - 03)), "2026-04-03");
        assert_eq!(parse_iso("2026-02-30"), None);
        assert_eq!(parse_iso("30/04/2026"), None);
    }
}
