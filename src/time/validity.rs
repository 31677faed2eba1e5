//! Dates and recurring windows of campaigns, vouchers, tiers and earning rules.

use chrono::{Duration, NaiveTime};

use super::zone::{LocalTime, TimeZone};
use super::{parse_duration, parse_hhmm, Instant};
use crate::snapshot::Validity;

/// Where `now` stands relative to an object's dates and windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowStatus {
    /// Valid now.
    Active,
    /// Before `start_date`.
    NotStarted {
        /// When it starts.
        starts_at: Instant,
    },
    /// After `expiration_date`.
    Expired {
        /// When it ended.
        expired_at: Instant,
    },
    /// Inside its dates but outside its recurring windows.
    OutsideWindow {
        /// The next instant it is valid, if within the next two weeks and
        /// before expiry.
        next_start: Option<Instant>,
    },
}

#[derive(Debug, Clone)]
struct DailyWindow {
    start: u32,
    end: u32,
    days: [bool; 7],
}

/// Compiled time constraints (a campaign's merged with its voucher's or tier's).
#[derive(Debug, Clone, Default)]
pub struct CompiledValidity {
    start: Option<Instant>,
    expiration: Option<Instant>,
    timeframe: Option<(i64, i64)>,
    days_of_week: Option<[bool; 7]>,
    hours: Vec<DailyWindow>,
}

/// How far ahead a "valid again at" nudge looks.
const LOOKAHEAD_DAYS: i64 = 14;

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

impl CompiledValidity {
    /// Compiles layered time fields: each field of a later layer (voucher,
    /// tier) replaces the same field of an earlier one (campaign). Fails
    /// with a message when a field cannot be understood, so the caller can
    /// disable the object (fail closed).
    pub fn compile(layers: &[&Validity]) -> Result<CompiledValidity, String> {
        let mut out = CompiledValidity::default();
        for v in layers {
            if let Some(s) = &v.start_date {
                out.start = Some(Instant::parse(s).map_err(|e| format!("start_date: {e}"))?);
            }
            if let Some(s) = &v.expiration_date {
                out.expiration =
                    Some(Instant::parse(s).map_err(|e| format!("expiration_date: {e}"))?);
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

    /// The start date, if any.
    pub fn start(&self) -> Option<Instant> {
        self.start
    }

    /// The expiration date, if any.
    pub fn expiration(&self) -> Option<Instant> {
        self.expiration
    }

    /// Whether there are recurring windows at all.
    pub fn is_recurring(&self) -> bool {
        self.timeframe.is_some() || self.days_of_week.is_some() || !self.hours.is_empty()
    }

    fn in_windows(&self, t: Instant, tz: &TimeZone) -> bool {
        let Some(local) = tz.local(t) else {
            return false;
        };
        if let (Some((interval, duration)), Some(start)) = (self.timeframe, self.start) {
            let since = t.0.saturating_sub(start.0);
            if since < 0 || since.rem_euclid(interval) >= duration {
                return false;
            }
        }
        if let Some(days) = self.days_of_week {
            if !days
                .get(usize::from(local.weekday()))
                .copied()
                .unwrap_or(false)
            {
                return false;
            }
        }
        if !self.hours.is_empty() && !self.hours.iter().any(|w| window_holds(w, local)) {
            return false;
        }
        true
    }

    /// Evaluates the constraints at `now`.
    pub fn status(&self, now: Instant, tz: &TimeZone) -> WindowStatus {
        if let Some(start) = self.start {
            if now < start {
                return WindowStatus::NotStarted { starts_at: start };
            }
        }
        if let Some(exp) = self.expiration {
            if now > exp {
                return WindowStatus::Expired { expired_at: exp };
            }
        }
        if self.in_windows(now, tz) {
            WindowStatus::Active
        } else {
            WindowStatus::OutsideWindow {
                next_start: self.next_start(now, tz),
            }
        }
    }

    /// The first instant after `now` at which the recurring windows hold,
    /// looking at most [`LOOKAHEAD_DAYS`] ahead. Candidates are the only
    /// instants where validity can begin: local midnights, daily window
    /// starts and timeframe starts.
    fn next_start(&self, now: Instant, tz: &TimeZone) -> Option<Instant> {
        let local_now = tz.local(now)?;
        let horizon = now.0.checked_add(LOOKAHEAD_DAYS * 86_400_000)?;
        let mut candidates: Vec<i64> = Vec::new();
        let today = local_now.0.date();
        for d in 0..=LOOKAHEAD_DAYS {
            let date = today.checked_add_signed(Duration::days(d))?;
            candidates.push(tz.instant_of(date.and_time(NaiveTime::MIN)).0);
            for w in &self.hours {
                let time =
                    NaiveTime::from_num_seconds_from_midnight_opt(w.start.min(1439) * 60, 0)?;
                candidates.push(tz.instant_of(date.and_time(time)).0);
            }
        }
        if let (Some((interval, _)), Some(start)) = (self.timeframe, self.start) {
            let k = now.0.saturating_sub(start.0).div_euclid(interval);
            for i in 1..=1000_i64 {
                let c = start
                    .0
                    .saturating_add(interval.saturating_mul(k.saturating_add(i)));
                if c > horizon {
                    break;
                }
                candidates.push(c);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .filter(|c| *c > now.0 && *c <= horizon)
            .filter(|c| self.expiration.is_none_or(|e| *c <= e.0))
            .find(|c| self.in_windows(Instant(*c), tz))
            .map(Instant)
    }
}

fn window_holds(w: &DailyWindow, local: LocalTime) -> bool {
    let day_ok = w
        .days
        .get(usize::from(local.weekday()))
        .copied()
        .unwrap_or(false);
    let m = local.minute_of_day();
    day_ok && m >= w.start && m < w.end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{DailyWindow as Src, ValidityHours, ValidityTimeframe};
    use crate::time::{OffsetPeriod, TimeZoneSpec};

    fn ny() -> TimeZone {
        TimeZone::compile(&TimeZoneSpec {
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
        let v = Validity {
            start_date: Some("2026-01-01T00:00:00Z".into()),
            expiration_date: Some("2026-02-01T00:00:00Z".into()),
            ..Default::default()
        };
        let c = CompiledValidity::compile(&[&v]).unwrap();
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
        let v = Validity {
            validity_hours: Some(ValidityHours {
                daily: vec![Src {
                    start_time: "17:00".into(),
                    expiration_time: "19:00".into(),
                    days_of_week: vec![5],
                }],
            }),
            ..Default::default()
        };
        let c = CompiledValidity::compile(&[&v]).unwrap();
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
        let v = Validity {
            start_date: Some("2026-01-01T10:00:00Z".into()),
            validity_timeframe: Some(ValidityTimeframe {
                interval: "P2D".into(),
                duration: "PT1H".into(),
            }),
            ..Default::default()
        };
        let c = CompiledValidity::compile(&[&v]).unwrap();
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
        let camp = Validity {
            expiration_date: Some("2026-01-10T00:00:00Z".into()),
            ..Default::default()
        };
        let voucher = Validity {
            expiration_date: Some("2026-03-10T00:00:00Z".into()),
            ..Default::default()
        };
        let c = CompiledValidity::compile(&[&camp, &voucher]).unwrap();
        assert_eq!(
            c.status(t("2026-02-01T00:00:00Z"), &TimeZone::utc()),
            WindowStatus::Active
        );
    }

    #[test]
    fn bad_fields_fail_closed() {
        let v = Validity {
            validity_day_of_week: Some(vec![7]),
            ..Default::default()
        };
        assert!(CompiledValidity::compile(&[&v]).is_err());
        let v = Validity {
            validity_timeframe: Some(ValidityTimeframe {
                interval: "P1M".into(),
                duration: "PT1H".into(),
            }),
            start_date: Some("2026-01-01T00:00:00Z".into()),
            ..Default::default()
        };
        assert!(CompiledValidity::compile(&[&v]).is_err());
    }
}
