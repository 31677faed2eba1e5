//! Condition operators (`$is`, `$more_than`, `$timeframe`, …) and how they
//! compare an actual value with the rule's operands.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::money::decimal_from_json;
use crate::plan::{Condition, Operator};
use crate::time::{parse_duration, parse_hhmm, Instant, TimeZone};

/// What a condition needs to know about "now".
pub struct Clock<'a> {
    /// The evaluation instant.
    pub now: Instant,
    /// The project time zone.
    pub tz: &'a TimeZone,
}

/// A number from a JSON value (numbers and numeric strings).
pub fn as_decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => decimal_from_json(n),
        // Text without a digit is no number; skip the parser's error value.
        Value::String(s) if s.bytes().any(|b| b.is_ascii_digit()) => s.trim().parse().ok(),
        Value::String(_) => None,
        _ => None,
    }
}

/// A date or date-time from a JSON string (RFC 3339 or `YYYY-MM-DD`,
/// the latter at local midnight).
pub fn as_instant(v: &Value, tz: &TimeZone) -> Option<Instant> {
    let s = v.as_str()?;
    if let Ok(t) = Instant::parse(s) {
        return Some(t);
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(tz.instant_of(d.and_time(chrono::NaiveTime::MIN)))
}

fn local_date(t: Instant, tz: &TimeZone) -> Option<NaiveDate> {
    tz.local(t).map(|l| l.0.date())
}

fn equal(actual: &Value, expected: &Value) -> bool {
    match (as_decimal(actual), as_decimal(expected)) {
        (Some(a), Some(b)) if !actual.is_string() || !expected.is_string() => a == b,
        _ => match (actual, expected) {
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Bool(a), Value::String(b)) | (Value::String(b), Value::Bool(a)) => {
                b == if *a { "true" } else { "false" }
            }
            (Value::Null, Value::Null) => true,
            (a, b) => a == b,
        },
    }
}

fn elements(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

pub(crate) fn first_int(values: &[Value]) -> Option<i64> {
    values
        .first()
        .and_then(as_decimal)
        .and_then(|d| d.trunc().to_i64())
}

fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    to.signed_duration_since(from).num_days()
}

/// Whether `actual` satisfies the condition. `None` actual means the value is absent.
pub fn holds(cond: &Condition, actual: Option<&Value>, clock: &Clock<'_>) -> bool {
    let values = &cond.values;
    let absent = matches!(actual, None | Some(Value::Null));
    match cond.op {
        Operator::HasValue => return !absent,
        Operator::IsUnknown => return absent,
        Operator::IsNot | Operator::NotIn | Operator::NotContain | Operator::NotIntersect
            if absent =>
        {
            return true
        }
        _ if absent => return false,
        _ => {}
    }
    let Some(actual) = actual else { return false };
    let cmp_num = |f: fn(Decimal, Decimal) -> bool| -> bool {
        match (as_decimal(actual), values.first().and_then(as_decimal)) {
            (Some(a), Some(b)) => f(a, b),
            _ => match (
                as_instant(actual, clock.tz),
                values.first().and_then(|v| as_instant(v, clock.tz)),
            ) {
                (Some(a), Some(b)) => f(Decimal::from(a.0), Decimal::from(b.0)),
                _ => false,
            },
        }
    };
    match cond.op {
        Operator::Is | Operator::In => {
            let acts = elements(actual);
            values.iter().any(|v| acts.iter().any(|a| equal(a, v)))
        }
        Operator::IsNot | Operator::NotIn => {
            let acts = elements(actual);
            !values.iter().any(|v| acts.iter().any(|a| equal(a, v)))
        }
        Operator::LessThan => cmp_num(|a, b| a < b),
        Operator::LessThanOrEqual => cmp_num(|a, b| a <= b),
        Operator::MoreThan => cmp_num(|a, b| a > b),
        Operator::MoreThanOrEqual => cmp_num(|a, b| a >= b),
        Operator::StartsWith | Operator::EndsWith => {
            let Some(a) = actual.as_str() else {
                return false;
            };
            values.iter().filter_map(Value::as_str).any(|v| {
                if cond.op == Operator::StartsWith {
                    a.starts_with(v)
                } else {
                    a.ends_with(v)
                }
            })
        }
        Operator::Contains | Operator::NotContain => {
            let found = match actual {
                Value::String(a) => values
                    .iter()
                    .filter_map(Value::as_str)
                    .any(|v| a.contains(v)),
                Value::Array(items) => values.iter().any(|v| items.iter().any(|a| equal(a, v))),
                _ => false,
            };
            found == (cond.op == Operator::Contains)
        }
        Operator::Count | Operator::CountMore | Operator::CountLess => {
            let (Some(items), Some(n)) = (actual.as_array(), first_int(values)) else {
                return false;
            };
            let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
            match cond.op {
                Operator::Count => len == n,
                Operator::CountMore => len > n,
                _ => len < n,
            }
        }
        Operator::NotDiffer => {
            let acts = elements(actual);
            acts.iter().all(|a| values.iter().any(|v| equal(a, v)))
        }
        Operator::NotIntersect => {
            let acts = elements(actual);
            !acts.iter().any(|a| values.iter().any(|v| equal(a, v)))
        }
        Operator::After | Operator::Before => {
            match (
                as_instant(actual, clock.tz),
                values.first().and_then(|v| as_instant(v, clock.tz)),
            ) {
                (Some(a), Some(b)) => {
                    if cond.op == Operator::After {
                        a > b
                    } else {
                        a < b
                    }
                }
                _ => false,
            }
        }
        Operator::MoreThanAgo
        | Operator::LessThanAgo
        | Operator::IsDaysAgo
        | Operator::MoreThanFuture
        | Operator::LessThanFuture
        | Operator::IsDaysInFuture => {
            let (Some(a), Some(n), Some(today)) = (
                as_instant(actual, clock.tz),
                first_int(values),
                local_date(clock.now, clock.tz),
            ) else {
                return false;
            };
            let Some(day) = local_date(a, clock.tz) else {
                return false;
            };
            let ago = days_between(day, today);
            match cond.op {
                Operator::MoreThanAgo => ago > n,
                Operator::LessThanAgo => ago >= 0 && ago < n,
                Operator::IsDaysAgo => ago == n,
                Operator::MoreThanFuture => -ago > n,
                Operator::LessThanFuture => ago <= 0 && -ago < n,
                _ => -ago == n,
            }
        }
        Operator::Timeframe => {
            let Some(a) = as_instant(actual, clock.tz) else {
                return false;
            };
            values
                .iter()
                .filter_map(Value::as_str)
                .any(|spec| in_timeframe(spec, a))
        }
        Operator::TimeframeAbsolute => {
            let Some(a) = as_instant(actual, clock.tz) else {
                return false;
            };
            values.iter().filter_map(Value::as_str).any(|spec| {
                let mut parts = spec.split(';');
                match (
                    parts.next().map(Instant::parse),
                    parts.next().map(Instant::parse),
                ) {
                    (Some(Ok(s)), Some(Ok(e))) => a >= s && a <= e,
                    _ => false,
                }
            })
        }
        Operator::TimeframeDailyHours => {
            let Some(local) = as_instant(actual, clock.tz).and_then(|a| clock.tz.local(a)) else {
                return false;
            };
            values
                .iter()
                .filter_map(Value::as_str)
                .any(|spec| in_daily_hours(spec, local.0))
        }
        Operator::Dow => {
            let Some(local) = as_instant(actual, clock.tz).and_then(|a| clock.tz.local(a)) else {
                return false;
            };
            let wd = Decimal::from(local.weekday());
            values
                .iter()
                .any(|v| elements(v).iter().any(|d| as_decimal(d) == Some(wd)))
        }
        Operator::From | Operator::HasValue | Operator::IsUnknown => false,
    }
}

fn in_timeframe(spec: &str, t: Instant) -> bool {
    let mut parts = spec.split(';');
    let (Some(Ok(start)), Some(Some(interval)), Some(Some(duration))) = (
        parts.next().map(Instant::parse),
        parts.next().map(parse_duration),
        parts.next().map(parse_duration),
    ) else {
        return false;
    };
    let since = t.0.saturating_sub(start.0);
    since >= 0 && since.rem_euclid(interval) < duration
}

fn in_daily_hours(spec: &str, local: NaiveDateTime) -> bool {
    use chrono::{Datelike, Timelike};
    let mut parts = spec.split(';');
    let (Some(Some(start)), Some(Some(end))) =
        (parts.next().map(parse_hhmm), parts.next().map(parse_hhmm))
    else {
        return false;
    };
    let days: Vec<u32> = parts
        .next()
        .map(|d| d.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_default();
    let m = local.hour() * 60 + local.minute();
    let day_ok = days.is_empty() || days.contains(&local.weekday().num_days_from_sunday());
    day_ok && m >= start && m < end
}

#[cfg(test)]
#[cfg(feature = "compiler")]
mod tests {
    use super::*;
    use crate::compiler::rules::operator;
    use serde_json::json;

    fn check(op: &str, values: Value, actual: Value) -> bool {
        let tz = TimeZone::utc();
        let clock = Clock {
            now: Instant::parse("2026-06-10T12:00:00Z").unwrap(),
            tz: &tz,
        };
        let cond = Condition {
            op: operator(op).unwrap(),
            values: values.as_array().unwrap().clone(),
        };
        holds(&cond, Some(&actual), &clock)
    }

    #[test]
    fn equality_and_membership() {
        assert!(check("$is", json!(["gold"]), json!("gold")));
        assert!(check("$is", json!([10]), json!("10")));
        assert!(!check("$is", json!(["10"]), json!("10.0")));
        assert!(check("$in", json!(["a", "b"]), json!("b")));
        assert!(check("$not_in", json!(["a", "b"]), json!("c")));
        assert!(check("$is", json!([true]), json!(true)));
        assert!(check("$is", json!(["seg_1"]), json!(["seg_0", "seg_1"])));
    }

    #[test]
    fn numbers_and_strings() {
        assert!(check("$more_than", json!([10000]), json!(10001)));
        assert!(!check("$more_than", json!([10000]), json!(10000)));
        assert!(check("$more_than_or_equal", json!([10000]), json!(10000)));
        assert!(check("$less_than", json!([2.5]), json!(2.4)));
        assert!(check("$greater_than_or_equal", json!([3]), json!(3)));
        assert!(check("$starts_with", json!(["VIP"]), json!("VIP-7")));
        assert!(check(
            "$ends_with",
            json!(["@acme.com"]),
            json!("a@acme.com")
        ));
        assert!(check("$contains", json!(["red"]), json!(["blue", "red"])));
        assert!(check("$count_more", json!([1]), json!(["x", "y"])));
        assert!(check("$not_differ", json!(["a", "b"]), json!(["a"])));
        assert!(!check("$not_differ", json!(["a", "b"]), json!(["a", "c"])));
        assert!(check("$not_intersect", json!(["a", "b"]), json!(["c"])));
    }

    #[test]
    fn dates() {
        assert!(check(
            "$after",
            json!(["2026-01-01T00:00:00Z"]),
            json!("2026-02-01")
        ));
        assert!(check("$more_than_ago", json!([30]), json!("2026-05-01")));
        assert!(!check("$more_than_ago", json!([60]), json!("2026-05-01")));
        assert!(check("$is_days_ago", json!([9]), json!("2026-06-01")));
        assert!(check("$is_days_in_future", json!([5]), json!("2026-06-15")));
        assert!(
            check("$dow", json!([3]), json!("2026-06-10T12:00:00Z")),
            "10 June 2026 is a Wednesday"
        );
        assert!(check(
            "$timeframe_daily_hours",
            json!(["11:00;13:00;3"]),
            json!("2026-06-10T12:00:00Z")
        ));
        assert!(check(
            "$timeframe",
            json!(["2026-06-01T11:00:00Z;P1D;PT2H"]),
            json!("2026-06-10T12:00:00Z")
        ));
        assert!(check(
            "$timeframe_absolute",
            json!(["2026-06-01T00:00:00Z;2026-06-30T00:00:00Z"]),
            json!("2026-06-10T12:00:00Z")
        ));
    }

    #[test]
    fn absent_values() {
        let tz = TimeZone::utc();
        let clock = Clock {
            now: Instant(0),
            tz: &tz,
        };
        let c = |op: &str| Condition {
            op: operator(op).unwrap(),
            values: vec![json!("x")],
        };
        assert!(holds(&c("$is_unknown"), None, &clock));
        assert!(!holds(&c("$has_value"), None, &clock));
        assert!(!holds(&c("$is"), None, &clock));
        assert!(holds(&c("$is_not"), None, &clock));
    }
}
