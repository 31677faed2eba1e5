//! A time zone as a list of UTC-offset periods embedded in the snapshot.

use chrono::{Datelike, NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};

use super::Instant;
use crate::error::Error;

/// The project's time zone as published: an IANA name (informational) and
/// the offsets in force, each from an instant on.
///
/// ```json
/// {"name": "Europe/Warsaw", "offsets": [
///   {"offset_seconds": 3600},
///   {"from": "2026-03-29T01:00:00Z", "offset_seconds": 7200},
///   {"from": "2026-10-25T01:00:00Z", "offset_seconds": 3600}]}
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeZoneSpec {
    /// IANA zone name, e.g. `Europe/Warsaw`.
    pub name: String,
    /// Offset periods in increasing order; the first may omit `from`.
    pub offsets: Vec<OffsetPeriod>,
}

/// One period of a constant UTC offset.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OffsetPeriod {
    /// First instant of the period (RFC 3339); absent = since always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Seconds east of UTC.
    pub offset_seconds: i32,
}

/// A compiled time zone.
#[derive(Debug, Clone, Default)]
pub struct TimeZone {
    /// The IANA name, as the snapshot gives it (for display).
    pub name: String,
    /// (start ms, offset ms), sorted by start; the first start is `i64::MIN`.
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

    /// Compiles the embedded offsets; they must be in strictly increasing order.
    pub fn compile(spec: &TimeZoneSpec) -> Result<TimeZone, Error> {
        let mut periods = Vec::with_capacity(spec.offsets.len());
        for (i, p) in spec.offsets.iter().enumerate() {
            if p.offset_seconds.abs() > 18 * 3600 {
                return Err(Error::snapshot_invalid(
                    format!("time_zone.offsets[{i}].offset_seconds"),
                    "offset beyond ±18 hours",
                ));
            }
            let start = match &p.from {
                None if i == 0 => i64::MIN,
                None => {
                    return Err(Error::snapshot_invalid(
                        format!("time_zone.offsets[{i}].from"),
                        "only the first period may omit `from`",
                    ))
                }
                Some(t) => Instant::parse(t)?.0,
            };
            if let Some((prev, _)) = periods.last() {
                if start <= *prev {
                    return Err(Error::snapshot_invalid(
                        format!("time_zone.offsets[{i}].from"),
                        "periods must be in strictly increasing order",
                    ));
                }
            }
            periods.push((start, i64::from(p.offset_seconds) * 1000));
        }
        if periods.is_empty() {
            return Err(Error::snapshot_invalid(
                "time_zone.offsets",
                "at least one offset is required",
            ));
        }
        Ok(TimeZone {
            name: spec.name.clone(),
            periods,
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn warsaw() -> TimeZone {
        TimeZone::compile(&TimeZoneSpec {
            name: "Europe/Warsaw".into(),
            offsets: vec![
                OffsetPeriod {
                    from: None,
                    offset_seconds: 3600,
                },
                OffsetPeriod {
                    from: Some("2026-03-29T01:00:00Z".into()),
                    offset_seconds: 7200,
                },
                OffsetPeriod {
                    from: Some("2026-10-25T01:00:00Z".into()),
                    offset_seconds: 3600,
                },
            ],
        })
        .unwrap()
    }

    #[test]
    fn local_time_follows_daylight_saving() {
        let tz = warsaw();
        let before = tz
            .local(Instant::parse("2026-03-29T00:59:59Z").unwrap())
            .unwrap();
        assert_eq!(before.0.to_string(), "2026-03-29 01:59:59");
        let after = tz
            .local(Instant::parse("2026-03-29T01:00:00Z").unwrap())
            .unwrap();
        assert_eq!(after.0.to_string(), "2026-03-29 03:00:00");
        let autumn = tz
            .local(Instant::parse("2026-10-25T01:30:00Z").unwrap())
            .unwrap();
        assert_eq!(autumn.0.to_string(), "2026-10-25 02:30:00");
        assert_eq!(after.weekday(), 0, "29 March 2026 is a Sunday");
    }

    #[test]
    fn instant_of_local_wall_time() {
        let tz = warsaw();
        let local =
            NaiveDateTime::parse_from_str("2026-07-01 18:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(
            tz.instant_of(local).to_rfc3339(),
            "2026-07-01T16:00:00.000Z"
        );
        // 02:30 on 25 October happens twice; the earlier (summer time) wins.
        let twice =
            NaiveDateTime::parse_from_str("2026-10-25 02:30:00", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(
            tz.instant_of(twice).to_rfc3339(),
            "2026-10-25T00:30:00.000Z"
        );
    }

    #[test]
    fn rejects_unordered_periods() {
        let spec = TimeZoneSpec {
            name: "X".into(),
            offsets: vec![
                OffsetPeriod {
                    from: None,
                    offset_seconds: 0,
                },
                OffsetPeriod {
                    from: Some("2026-03-29T01:00:00Z".into()),
                    offset_seconds: 3600,
                },
                OffsetPeriod {
                    from: Some("2026-03-01T01:00:00Z".into()),
                    offset_seconds: 0,
                },
            ],
        };
        assert_eq!(
            TimeZone::compile(&spec).unwrap_err().code(),
            "SNAPSHOT_INVALID"
        );
    }
}
