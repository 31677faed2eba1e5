//! Dates and recurring windows of campaigns, vouchers, tiers and earning rules.

use chrono::{Duration, NaiveTime};
use serde::{Deserialize, Serialize};

use super::zone::{LocalTime, TimeZone};
use super::Instant;

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

/// A daily window in local minutes, on some weekdays.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DailyWindow {
    pub(crate) start: u32,
    pub(crate) end: u32,
    pub(crate) days: [bool; 7],
}

/// When something is valid: dates and recurring windows (a campaign's
/// merged with its voucher's or tier's at publish time).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Validity {
    pub(crate) start: Option<Instant>,
    pub(crate) expiration: Option<Instant>,
    /// `(interval, duration)` in ms, anchored at `start`.
    pub(crate) timeframe: Option<(i64, i64)>,
    pub(crate) days_of_week: Option<[bool; 7]>,
    pub(crate) hours: Vec<DailyWindow>,
}

/// How far ahead a "valid again at" nudge looks.
const LOOKAHEAD_DAYS: i64 = 14;

impl Validity {
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
        // Most objects have dates at most: no local time to work out.
        if !self.is_recurring() {
            return true;
        }
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
