//! Time without a time-zone database.
//!
//! `now` is always an input (RFC 3339). Time windows are evaluated in the
//! project's IANA zone, whose UTC offsets for the plan's lifetime are
//! embedded by the publisher as a list of transitions, so daylight-saving
//! changes are exact and the wasm carries no tz data.

mod validity;
mod zone;

#[cfg(feature = "compiler")]
pub(crate) use validity::DailyWindow;
pub use validity::{Validity, WindowStatus};
pub use zone::{LocalTime, TimeZone};

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};

use crate::error::Error;

/// An instant, in milliseconds since the Unix epoch (UTC).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Instant(pub i64);

impl Instant {
    /// Parses an RFC 3339 timestamp (any offset).
    pub fn parse(text: &str) -> Result<Instant, Error> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| Instant(t.timestamp_millis()))
            .map_err(|_| Error::InvalidTimestamp {
                value: text.to_string(),
            })
    }

    /// Formats as RFC 3339 in UTC with milliseconds, e.g. `2026-01-01T10:00:00.000Z`.
    pub fn to_rfc3339(self) -> String {
        match DateTime::<Utc>::from_timestamp_millis(self.0) {
            Some(t) => t.to_rfc3339_opts(SecondsFormat::Millis, true),
            None => String::new(),
        }
    }

    /// The UTC calendar date-time of this instant.
    pub fn naive_utc(self) -> Option<NaiveDateTime> {
        DateTime::<Utc>::from_timestamp_millis(self.0).map(|t| t.naive_utc())
    }
}

/// An ISO 8601 duration restricted to exact units (weeks, days, hours,
/// minutes, seconds), in milliseconds. Months and years have no fixed
/// length and are rejected, so a window using them fails closed at load.
pub fn parse_duration(text: &str) -> Option<i64> {
    let rest = text.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut total: i64 = 0;
    let mut any = false;
    let mut take = |part: &str, units: &[(char, i64)]| -> Option<()> {
        let mut num = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() {
                num.push(c);
                continue;
            }
            let (_, ms) = units.iter().find(|(u, _)| *u == c)?;
            let n: i64 = num.parse().ok()?;
            total = total.checked_add(n.checked_mul(*ms)?)?;
            num.clear();
            any = true;
        }
        num.is_empty().then_some(())
    };
    const DAY: i64 = 86_400_000;
    take(date, &[('W', 7 * DAY), ('D', DAY)])?;
    if let Some(t) = time {
        if t.is_empty() {
            return None;
        }
        take(t, &[('H', 3_600_000), ('M', 60_000), ('S', 1000)])?;
    }
    (any && total > 0).then_some(total)
}

/// Parses `HH:mm` into minutes after midnight (24:00 allowed as the end of day).
pub fn parse_hhmm(text: &str) -> Option<u32> {
    let (h, m) = text.split_once(':')?;
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    // Checked: a fuzzed `99999999:00` must not overflow before the range check.
    let minutes = h.checked_mul(60)?.checked_add(m)?;
    (h < 24 && m < 60 || h == 24 && m == 0).then_some(minutes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_instants() {
        let t = Instant::parse("2026-03-29T03:30:00+02:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-29T01:30:00.000Z");
        assert!(Instant::parse("2026-13-01T00:00:00Z").is_err());
        assert!(Instant::parse("yesterday").is_err());
    }

    #[test]
    fn durations_in_exact_units_only() {
        assert_eq!(parse_duration("P2D"), Some(2 * 86_400_000));
        assert_eq!(parse_duration("PT1H"), Some(3_600_000));
        assert_eq!(parse_duration("P1DT1H30M"), Some(86_400_000 + 5_400_000));
        assert_eq!(parse_duration("P1W"), Some(7 * 86_400_000));
        assert_eq!(parse_duration("P1M"), None);
        assert_eq!(parse_duration("P"), None);
        assert_eq!(parse_duration("PT"), None);
        assert_eq!(parse_duration("1D"), None);
    }

    #[test]
    fn hours_and_minutes() {
        assert_eq!(parse_hhmm("18:00"), Some(1080));
        assert_eq!(parse_hhmm("24:00"), Some(1440));
        assert_eq!(parse_hhmm("24:01"), None);
        assert_eq!(parse_hhmm("7"), None);
    }
}

/// An instant that serializes as [`Instant::to_rfc3339`] text, written
/// without an allocation (answers carry one per priced product).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rfc3339(pub Instant);

impl serde::Serialize for Rfc3339 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 24];
        match self.0.write_rfc3339(&mut buf) {
            Some(text) => s.serialize_str(text),
            None => s.serialize_str(&self.0.to_rfc3339()),
        }
    }
}

impl Rfc3339 {
    /// Appends the text as a JSON string.
    pub(crate) fn write_json(self, out: &mut String) {
        let mut buf = [0u8; 24];
        out.push('"');
        match self.0.write_rfc3339(&mut buf) {
            Some(text) => out.push_str(text),
            None => out.push_str(&self.0.to_rfc3339()),
        }
        out.push('"');
    }
}

impl Instant {
    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` into `buf` for years 0000–9999 (the
    /// civil-from-days algorithm of H. Hinnant); `None` outside them.
    fn write_rfc3339(self, buf: &mut [u8; 24]) -> Option<&str> {
        let ms = self.0.rem_euclid(1000);
        let secs = self.0.div_euclid(1000);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        if !(0..=9999).contains(&year) {
            return None;
        }
        let fields = [
            (year, 4, b'-'),
            (month, 2, b'-'),
            (day, 2, b'T'),
            (sod / 3600, 2, b':'),
            (sod / 60 % 60, 2, b':'),
            (sod % 60, 2, b'.'),
            (ms, 3, b'Z'),
        ];
        let mut at = 0;
        for (value, width, sep) in fields {
            let mut v = value;
            for k in (0..width).rev() {
                *buf.get_mut(at + k)? = b'0' + u8::try_from(v % 10).ok()?;
                v /= 10;
            }
            *buf.get_mut(at + width)? = sep;
            at += width + 1;
        }
        std::str::from_utf8(buf).ok()
    }
}

#[cfg(test)]
mod rfc3339_tests {
    use super::Instant;

    #[test]
    fn written_text_is_chronos() {
        let mut buf = [0u8; 24];
        // Epoch, leap days, negative instants, the last millisecond of 9999.
        for ms in [
            0,
            951_782_400_000,
            1_709_164_800_123,
            -1,
            -62_135_596_800_000,
            -62_167_219_200_000,
            253_402_300_799_999,
            1_798_761_599_999,
        ] {
            let t = Instant(ms);
            assert_eq!(
                t.write_rfc3339(&mut buf),
                Some(t.to_rfc3339().as_str()),
                "{ms}"
            );
        }
        assert_eq!(Instant(253_402_300_800_000).write_rfc3339(&mut buf), None);
        assert_eq!(Instant(-62_167_219_200_001).write_rfc3339(&mut buf), None);
    }
}
