//! A time zone as a list of UTC-offset periods embedded in the plan.

use chrono::{Datelike, NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};

use super::Instant;

/// The project's time zone as UTC-offset periods for the plan's lifetime
/// (the publisher embeds them, so no tz database is needed here).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TimeZone {
    /// The IANA name, as the snapshot gives it (for display).
    pub name: String,
    /// (start ms, offset ms), sorted by start; before the first start the
    /// first offset holds.
    periods: Vec<(i64, i64)>,
}

impl TimeZone {
    /// UTC everywhere.
    pub fn utc() -> TimeZone {
        TimeZone {
            name: "UTC".into(),
            periods: vec![(i64::MIN, 0)],
        }
    }

    /// A zone of these `(start ms, offset ms)` periods; `None` unless they
    /// are non-empty, strictly increasing and within ±18 hours.
    pub fn new(name: String, periods: Vec<(i64, i64)>) -> Option<TimeZone> {
        let tz = TimeZone { name, periods };
        tz.is_well_formed().then_some(tz)
    }

    /// Whether the periods are usable (a decoded plan's check).
    pub fn is_well_formed(&self) -> bool {
        !self.periods.is_empty()
            && self
                .periods
                .windows(2)
                .all(|w| matches!(w, [a, b] if a.0 < b.0))
            && self.periods.iter().all(|p| p.1.abs() <= 18 * 3_600_000)
    }

    /// Offset (ms) in force at `t`; before the first period, the first offset.
    pub fn offset_ms(&self, t: Instant) -> i64 {
        let idx = self.periods.partition_point(|(start, _)| *start <= t.0);
        let pick = idx.saturating_sub(1);
        self.periods.get(pick).map(|p| p.1).unwrap_or(0)
    }

    /// The local wall-clock time at `t`.
    pub fn local(&self, t: Instant) -> Option<LocalTime> {
        let shifted = t.0.checked_add(self.offset_ms(t))?;
        Instant(shifted).naive_utc().map(LocalTime)
    }

    /// The instant at which the local wall clock shows `local`. In a gap
    /// (spring forward) the later offset is used; in an overlap (fall back)
    /// the earlier instant is returned.
    pub fn instant_of(&self, local: NaiveDateTime) -> Instant {
        let wall = local.and_utc().timestamp_millis();
        let mut best: Option<i64> = None;
        for (i, (start, off)) in self.periods.iter().enumerate() {
            let candidate = wall.saturating_sub(*off);
            let end = self.periods.get(i + 1).map(|p| p.0).unwrap_or(i64::MAX);
            if candidate >= *start && candidate < end {
                best = Some(best.map_or(candidate, |b: i64| b.min(candidate)));
            }
        }
        Instant(best.unwrap_or_else(|| wall.saturating_sub(self.offset_ms(Instant(wall)))))
    }
}

/// A local wall-clock time in the project zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime(pub NaiveDateTime);

impl LocalTime {
    /// Weekday, 0 = Sunday … 6 = Saturday.
    pub fn weekday(self) -> u8 {
        u8::try_from(self.0.weekday().num_days_from_sunday()).unwrap_or(0)
    }

    /// Minutes after local midnight.
    pub fn minute_of_day(self) -> u32 {
        self.0.hour() * 60 + self.0.minute()
    }
}
