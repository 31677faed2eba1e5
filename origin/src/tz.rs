//! Embedding a project's IANA time zone as UTC-offset periods for a
//! bundle's lifetime (the core carries no tz database; see
//! `promo_edge::time`).

use chrono::{DateTime, Duration, Offset, TimeZone as _, Utc};
use chrono_tz::Tz;
use promo_edge::compiler::source::{OffsetPeriod, TimeZoneSpec};

use crate::error::CliError;

/// The offsets of `zone` in force from `from` to `to`: the first period
/// has no `from` (it covers everything before), each later one starts at
/// a transition, exact to the second.
pub fn offsets(zone: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<TimeZoneSpec, String> {
    let tz: Tz = zone
        .parse()
        .map_err(|_| format!("`{zone}` is not an IANA time zone name"))?;
    let offset = |t: DateTime<Utc>| {
        tz.offset_from_utc_datetime(&t.naive_utc())
            .fix()
            .local_minus_utc()
    };
    let mut periods = vec![OffsetPeriod {
        from: None,
        offset_seconds: offset(from),
    }];
    // Hourly probes, then a binary search to the second inside the hour
    // where the offset changed (zones never change twice within an hour).
    let step = Duration::hours(1);
    let mut t = from;
    let mut current = offset(from);
    while t < to {
        let next = (t + step).min(to);
        let o = offset(next);
        if o != current {
            let (mut lo, mut hi) = (t, next);
            while hi - lo > Duration::seconds(1) {
                let mid = lo + (hi - lo) / 2;
                if offset(mid) == current {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            periods.push(OffsetPeriod {
                from: Some(hi.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
                offset_seconds: o,
            });
            current = o;
        }
        t = next;
    }
    Ok(TimeZoneSpec {
        name: zone.to_string(),
        offsets: periods,
    })
}

/// Parses `--now`-style RFC 3339 text.
pub fn parse_now(text: &str) -> Result<DateTime<Utc>, CliError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| CliError::new("INVALID_TIMESTAMP", format!("`{text}` is not RFC 3339")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warsaw_2026_transitions_are_exact() {
        let from = parse_now("2026-01-01T00:00:00Z").unwrap();
        let to = parse_now("2027-01-01T00:00:00Z").unwrap();
        let spec = offsets("Europe/Warsaw", from, to).unwrap();
        let got: Vec<(Option<String>, i32)> = spec
            .offsets
            .iter()
            .map(|p| (p.from.clone(), p.offset_seconds))
            .collect();
        assert_eq!(
            got,
            vec![
                (None, 3600),
                (Some("2026-03-29T01:00:00Z".into()), 7200),
                (Some("2026-10-25T01:00:00Z".into()), 3600),
            ]
        );
        assert_eq!(offsets("UTC", from, to).unwrap().offsets.len(), 1);
        assert!(offsets("Mars/Olympus", from, to).is_err());
    }
}
