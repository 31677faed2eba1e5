//! Date helpers: parsing and whole-month differences.

use chrono::{DateTime, Datelike, Months, NaiveDate};

use crate::time::Instant;

/// Reads `YYYY-MM-DD`.
pub(super) fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// Reads `YYYY-MM-DD`, or the date of an RFC 3339 timestamp as written.
pub(super) fn parse_any_date(text: &str) -> Option<NaiveDate> {
    parse_date(text).or_else(|| parse_date_time(text).map(|t| t.1))
}

/// Reads an RFC 3339 timestamp: the instant, and the calendar date as
/// written (in the timestamp's own offset).
pub(super) fn parse_date_time(text: &str) -> Option<(Instant, NaiveDate)> {
    let t = DateTime::parse_from_rfc3339(text.trim()).ok()?;
    Some((Instant(t.timestamp_millis()), t.date_naive()))
}

/// Whole calendar months from `from` to `to`: the largest `m` with
/// `from + m months <= to` (negative when `to` is earlier). Adding months
/// clamps to the month's end, so Jan 31 → Feb 28 is one month.
pub(super) fn months_between(from: NaiveDate, to: NaiveDate) -> Option<i64> {
    if to < from {
        return months_between(to, from).map(|m| -m);
    }
    let years = i64::from(to.year()).checked_sub(i64::from(from.year()))?;
    let months = years
        .checked_mul(12)?
        .checked_add(i64::from(to.month()))?
        .checked_sub(i64::from(from.month()))?;
    let shifted = from.checked_add_months(Months::new(u32::try_from(months).ok()?))?;
    Some(if shifted > to { months - 1 } else { months })
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub(super) fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    to.signed_duration_since(from).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn months() {
        assert_eq!(months_between(d("2026-01-15"), d("2026-03-14")), Some(1));
        assert_eq!(months_between(d("2026-01-15"), d("2026-03-15")), Some(2));
        assert_eq!(months_between(d("2026-01-31"), d("2026-02-28")), Some(1));
        assert_eq!(months_between(d("2026-03-15"), d("2026-01-16")), Some(-1));
        assert_eq!(months_between(d("2000-02-29"), d("2026-02-28")), Some(312));
        assert_eq!(months_between(d("2026-05-05"), d("2026-05-05")), Some(0));
    }

    #[test]
    fn parsing() {
        assert!(parse_date("2026-02-30").is_none());
        assert!(parse_date("2026-2-3x").is_none());
        let (at, date) = parse_date_time("2026-01-01T23:30:00-05:00").unwrap();
        assert_eq!(date, d("2026-01-01"));
        assert_eq!(at, Instant::parse("2026-01-02T04:30:00Z").unwrap());
        assert!(parse_date_time("2026-01-01").is_none());
        assert_eq!(days_between(d("2026-01-01"), d("2025-12-30")), -2);
    }
}
