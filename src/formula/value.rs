//! Runtime values and the coercions between them.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::dates;
use super::FormulaValue;
use crate::time::Instant;

/// A value during evaluation.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Number(Decimal),
    Text(String),
    Bool(bool),
    Date(NaiveDate),
    /// An instant (`NOW`, `DATE_TIME`) with the calendar date used when a
    /// date is needed: the project-zone date for `NOW`, the date as written
    /// for a timestamp.
    DateTime(Instant, NaiveDate),
    /// A metadata array.
    List(Vec<Value>),
}

impl From<FormulaValue> for Value {
    fn from(v: FormulaValue) -> Value {
        match v {
            FormulaValue::Number(n) => Value::Number(n),
            FormulaValue::Text(s) => Value::Text(s),
            FormulaValue::Bool(b) => Value::Bool(b),
            FormulaValue::Date(d) => Value::Date(d),
        }
    }
}

impl Value {
    /// Converts metadata JSON; `null`, objects and unreadable numbers are
    /// unusable (`None`).
    pub(super) fn from_json(json: serde_json::Value) -> Option<Value> {
        Some(match json {
            serde_json::Value::Number(n) => Value::Number(crate::money::decimal_from_json(&n)?),
            serde_json::Value::String(s) => Value::Text(s),
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Array(items) => Value::List(
                items
                    .into_iter()
                    .map(Value::from_json)
                    .collect::<Option<Vec<_>>>()?,
            ),
            serde_json::Value::Null | serde_json::Value::Object(_) => return None,
        })
    }

    /// The value as a number: numbers, and text holding a decimal number.
    pub(super) fn number(&self) -> Option<Decimal> {
        match self {
            Value::Number(n) => Some(*n),
            Value::Text(s) => {
                let s = s.trim();
                if s.is_empty() || s.contains(|c: char| c == '_' || c.is_whitespace()) {
                    return None;
                }
                s.parse::<Decimal>()
                    .ok()
                    .or_else(|| Decimal::from_scientific(s).ok())
            }
            _ => None,
        }
    }

    /// The value as a calendar date: dates, instants (their date), and
    /// text holding `YYYY-MM-DD` or RFC 3339.
    pub(super) fn date(&self) -> Option<NaiveDate> {
        match self {
            Value::Date(d) | Value::DateTime(_, d) => Some(*d),
            Value::Text(s) => dates::parse_any_date(s),
            _ => None,
        }
    }

    /// The value as an instant when it has a time of day.
    pub(super) fn instant(&self) -> Option<Instant> {
        match self {
            Value::DateTime(at, _) => Some(*at),
            Value::Text(s) if dates::parse_date(s).is_none() => {
                dates::parse_date_time(s).map(|t| t.0)
            }
            _ => None,
        }
    }

    /// The value as text (only text is text: no implicit formatting).
    pub(super) fn text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    fn is_dateish(&self) -> bool {
        matches!(self, Value::Date(_) | Value::DateTime(..))
    }

    /// Loose equality for `=`, `SWITCH`, `IN_ARRAY` and `IS`: same kinds
    /// compare directly; a number equals numeric text of the same value; a
    /// date equals date text of the same day; anything else is unequal.
    pub(super) fn loose_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Number(_), _) | (_, Value::Number(_)) => {
                match (self.number(), other.number()) {
                    (Some(a), Some(b)) => a == b,
                    _ => false,
                }
            }
            (Value::Text(a), Value::Text(b)) => a == b,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::List(a), Value::List(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.loose_eq(y))
            }
            _ if self.is_dateish() || other.is_dateish() => match (self, other) {
                (Value::DateTime(a, _), Value::DateTime(b, _)) => a == b,
                _ => match (self.date(), other.date()) {
                    (Some(a), Some(b)) => a == b,
                    _ => false,
                },
            },
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Value {
        Value::Number(s.parse().unwrap())
    }

    #[test]
    fn coercions() {
        assert_eq!(
            Value::Text(" 12.50 ".into()).number(),
            Some("12.5".parse().unwrap())
        );
        assert_eq!(Value::Text("1e2".into()).number(), Some(Decimal::from(100)));
        assert_eq!(Value::Text("1_000".into()).number(), None);
        assert_eq!(Value::Text("abc".into()).number(), None);
        assert_eq!(Value::Bool(true).number(), None);
        assert!(Value::Text("2026-01-31".into()).date().is_some());
        assert!(Value::Text("2026-01-31T10:00:00Z".into())
            .instant()
            .is_some());
        assert!(Value::Text("2026-01-31".into()).instant().is_none());
        assert_eq!(Value::Number(Decimal::ONE).text(), None);
        for odd in [
            "1e99999999999",
            "1e-99999",
            "-1e4294967296",
            "9e28",
            "1e",
            "e5",
            ".",
        ] {
            // never panics; huge exponents are simply unreadable
            let _ = Value::Text(odd.into()).number();
        }
        assert_eq!(Value::Text("1e99999999999".into()).number(), None);
    }

    #[test]
    fn equality() {
        assert!(n("2").loose_eq(&n("2.00")));
        assert!(n("2").loose_eq(&Value::Text("2.0".into())));
        assert!(!n("2").loose_eq(&Value::Text("two".into())));
        assert!(!n("1").loose_eq(&Value::Bool(true)));
        assert!(Value::Text("a".into()).loose_eq(&Value::Text("a".into())));
        assert!(!Value::Text("a".into()).loose_eq(&Value::Text("A".into())));
        let day = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        assert!(Value::Date(day).loose_eq(&Value::Text("2026-01-31".into())));
        assert!(!Value::Date(day).loose_eq(&Value::Bool(false)));
    }

    #[test]
    fn json() {
        let v = Value::from_json(serde_json::json!([1, "a", true])).unwrap();
        assert_eq!(
            v,
            Value::List(vec![n("1"), Value::Text("a".into()), Value::Bool(true)])
        );
        assert!(Value::from_json(serde_json::json!(null)).is_none());
        assert!(Value::from_json(serde_json::json!({"a": 1})).is_none());
        assert!(Value::from_json(serde_json::json!([1, null])).is_none());
        assert_eq!(Value::from_json(serde_json::json!(0.1)), Some(n("0.1")));
    }
}
