//! Dates, recurring windows and the project zone from their source form.

use super::source::{self, TimeZoneSpec};
use crate::error::Error;
use crate::time::{parse_duration, parse_hhmm, DailyWindow, Instant, TimeZone, Validity};

fn days_mask(days: &[u8]) -> Result<[bool; 7], String> {
    let mut mask = [false; 7];
    for d in days {
        match mask.get_mut(usize::from(*d)) {
            Some(slot) => *slot = true,
            None => return Err(format!("day of week {d} is not in 0..=6")),
        }
    }
    Ok(mask)
}

/// Compiles layered time fields: each field of a later layer (voucher,
/// tier) replaces the same field of an earlier one (campaign). Fails
/// with a message when a field cannot be understood, so the caller can
/// disable the object (fail closed).
pub fn validity(layers: &[&source::Validity]) -> Result<Validity, String> {
    let mut out = Validity::default();
    for v in layers {
        if let Some(s) = &v.start_date {
            out.start = Some(Instant::parse(s).map_err(|e| format!("start_date: {e}"))?);
        }
        if let Some(s) = &v.expiration_date {
            out.expiration = Some(Instant::parse(s).map_err(|e| format!("expiration_date: {e}"))?);
        }
        if let Some(tf) = &v.validity_timeframe {
            let interval = parse_duration(&tf.interval).ok_or_else(|| {
                format!(
                    "validity_timeframe.interval `{}` is not an exact ISO 8601 duration",
                    tf.interval
                )
            })?;
            let duration = parse_duration(&tf.duration).ok_or_else(|| {
                format!(
                    "validity_timeframe.duration `{}` is not an exact ISO 8601 duration",
                    tf.duration
                )
            })?;
            out.timeframe = Some((interval, duration));
        }
        if let Some(days) = &v.validity_day_of_week {
            out.days_of_week = Some(days_mask(days)?);
        }
        if let Some(h) = &v.validity_hours {
            out.hours.clear();
            for w in &h.daily {
                let start = parse_hhmm(&w.start_time)
                    .ok_or_else(|| format!("start_time `{}` is not HH:mm", w.start_time))?;
                let end = parse_hhmm(&w.expiration_time).ok_or_else(|| {
                    format!("expiration_time `{}` is not HH:mm", w.expiration_time)
                })?;
                out.hours.push(DailyWindow {
                    start,
                    end,
                    days: days_mask(&w.days_of_week)?,
                });
            }
        }
    }
    if out.timeframe.is_some() && out.start.is_none() {
        return Err("validity_timeframe needs a start_date to anchor it".into());
    }
    Ok(out)
}

/// Compiles the embedded offsets; they must be in strictly increasing order.
pub fn time_zone(spec: &TimeZoneSpec) -> Result<TimeZone, Error> {
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
    TimeZone::new(spec.name.clone(), periods)
        .ok_or_else(|| Error::snapshot_invalid("time_zone.offsets", "periods are not usable"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compiler::source::{
        DailyWindow as Src, OffsetPeriod, TimeZoneSpec, Validity as SourceValidity, ValidityHours,
        ValidityTimeframe,
    };
    use crate::time::{Instant, TimeZone, WindowStatus};

    fn ny() -> TimeZone {
        time_zone(&TimeZoneSpec {
            name: "America/New_York".into(),
            offsets: vec![
                OffsetPeriod {
                    from: None,
                    offset_seconds: -18000,
                },
                OffsetPeriod {
                    from: Some("2026-03-08T07:00:00Z".into()),
                    offset_seconds: -14400,
                },
            ],
        })
        .unwrap()
    }

    fn t(s: &str) -> Instant {
        Instant::parse(s).unwrap()
    }

    #[test]
    fn dates_bound_validity() {
        let v = SourceValidity {
            start_date: Some("2026-01-01T00:00:00Z".into()),
            expiration_date: Some("2026-02-01T00:00:00Z".into()),
            ..Default::default()
        };
        let c = validity(&[&v]).unwrap();
        let tz = TimeZone::utc();
        assert_eq!(
            c.status(t("2025-12-31T23:59:59Z"), &tz),
            WindowStatus::NotStarted {
                starts_at: t("2026-01-01T00:00:00Z")
            }
        );
        assert_eq!(
            c.status(t("2026-01-15T00:00:00Z"), &tz),
            WindowStatus::Active
        );
        assert_eq!(
            c.status(t("2026-02-01T00:00:01Z"), &tz),
            WindowStatus::Expired {
                expired_at: t("2026-02-01T00:00:00Z")
            }
        );
    }

    #[test]
    fn happy_hours_in_local_time_across_dst() {
        let v = SourceValidity {
            validity_hours: Some(ValidityHours {
                daily: vec![Src {
                    start_time: "17:00".into(),
                    expiration_time: "19:00".into(),
                    days_of_week: vec![5],
                }],
            }),
            ..Default::default()
        };
        let c = validity(&[&v]).unwrap();
        let tz = ny();
        // Friday 6 March 2026, 17:30 EST = 22:30Z.
        assert_eq!(
            c.status(t("2026-03-06T22:30:00Z"), &tz),
            WindowStatus::Active
        );
        // Friday 13 March 2026, 17:30 EDT = 21:30Z; 22:30Z is 18:30 local, still in.
        assert_eq!(
            c.status(t("2026-03-13T21:30:00Z"), &tz),
            WindowStatus::Active
        );
        // 23:30Z on 13 March is 19:30 EDT: outside; next is Friday 20 March 17:00 EDT = 21:00Z.
        assert_eq!(
            c.status(t("2026-03-13T23:30:00Z"), &tz),
            WindowStatus::OutsideWindow {
                next_start: Some(t("2026-03-20T21:00:00Z"))
            }
        );
    }

    #[test]
    fn timeframe_every_two_days_for_an_hour() {
        let v = SourceValidity {
            start_date: Some("2026-01-01T10:00:00Z".into()),
            validity_timeframe: Some(ValidityTimeframe {
                interval: "P2D".into(),
                duration: "PT1H".into(),
            }),
            ..Default::default()
        };
        let c = validity(&[&v]).unwrap();
        let tz = TimeZone::utc();
        assert_eq!(
            c.status(t("2026-01-03T10:30:00Z"), &tz),
            WindowStatus::Active
        );
        assert_eq!(
            c.status(t("2026-01-02T10:30:00Z"), &tz),
            WindowStatus::OutsideWindow {
                next_start: Some(t("2026-01-03T10:00:00Z"))
            }
        );
    }

    #[test]
    fn later_layers_override_fields() {
        let camp = SourceValidity {
            expiration_date: Some("2026-01-10T00:00:00Z".into()),
            ..Default::default()
        };
        let voucher = SourceValidity {
            expiration_date: Some("2026-03-10T00:00:00Z".into()),
            ..Default::default()
        };
        let c = validity(&[&camp, &voucher]).unwrap();
        assert_eq!(
            c.status(t("2026-02-01T00:00:00Z"), &TimeZone::utc()),
            WindowStatus::Active
        );
    }

    #[test]
    fn bad_fields_fail_closed() {
        let v = SourceValidity {
            validity_day_of_week: Some(vec![7]),
            ..Default::default()
        };
        assert!(validity(&[&v]).is_err());
        let v = SourceValidity {
            validity_timeframe: Some(ValidityTimeframe {
                interval: "P1M".into(),
                duration: "PT1H".into(),
            }),
            start_date: Some("2026-01-01T00:00:00Z".into()),
            ..Default::default()
        };
        assert!(validity(&[&v]).is_err());
    }
}

#[cfg(test)]
mod zone_tests {
    use super::*;
    use crate::compiler::source::{OffsetPeriod, TimeZoneSpec};
    use crate::time::{Instant, TimeZone};
    use chrono::NaiveDateTime;

    fn warsaw() -> TimeZone {
        time_zone(&TimeZoneSpec {
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
        assert_eq!(time_zone(&spec).unwrap_err().code(), "SNAPSHOT_INVALID");
    }
}
