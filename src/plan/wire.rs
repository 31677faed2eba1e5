//! How the plan's less common field types are encoded.
//!
//! The binary plan (postcard) is not self-describing, so JSON values
//! (metadata, rule operands) travel as an explicit tagged tree, decimals as
//! `(mantissa, scale)` (checked on decode: a scale above 28 is refused), and
//! byte tables as one length-prefixed run. Recursive types pass through
//! [`nested`] on decode, which bounds their depth: a crafted plan cannot
//! exhaust the stack. Read as JSON (`promo-origin verify`), each of these is
//! written the way a person expects: decimals as strings, values as JSON.

use std::cell::Cell;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// Deepest nesting of recursive plan types (rule sets, logic, formulas,
/// JSON values) a decoder accepts. What the compiler can produce stays
/// below it: sub-rules nest at most 8 deep, logic and formulas 32, and JSON
/// values are bounded by the source parser's depth limit (128).
pub const MAX_NESTING: u32 = 192;

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Restores the depth when a nested decode returns, whatever its outcome.
struct Level;

impl Drop for Level {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Decodes a recursive field one level deeper, refusing past [`MAX_NESTING`].
pub fn nested<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    let depth = DEPTH.with(|c| {
        let n = c.get().saturating_add(1);
        c.set(n);
        n
    });
    let _level = Level;
    if depth > MAX_NESTING {
        return Err(D::Error::custom("PLAN_TOO_DEEP"));
    }
    T::deserialize(d)
}

/// `rust_decimal::Decimal` as `(mantissa, scale)`.
pub mod decimal {
    use super::*;
    use rust_decimal::Decimal;

    /// Encodes a decimal.
    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(d)
        } else {
            (d.mantissa(), d.scale()).serialize(s)
        }
    }

    /// Decodes a decimal; an impossible scale is an error, not a wrong number.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let (mantissa, scale) = <(i128, u32)>::deserialize(d)?;
        Decimal::try_from_i128_with_scale(mantissa, scale)
            .map_err(|_| D::Error::custom("PLAN_DECIMAL_INVALID"))
    }
}

/// A JSON value as a tagged tree.
#[derive(Serialize, Deserialize)]
enum Tagged {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Text(String),
    List(#[serde(deserialize_with = "nested")] Vec<Tagged>),
    Map(#[serde(deserialize_with = "nested")] Vec<(String, Tagged)>),
}

impl Tagged {
    fn of(v: &Value) -> Tagged {
        match v {
            Value::Null => Tagged::Null,
            Value::Bool(b) => Tagged::Bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => Tagged::Unsigned(u),
                (_, Some(i), _) => Tagged::Signed(i),
                (_, _, Some(f)) => Tagged::Float(f),
                _ => Tagged::Null,
            },
            Value::String(s) => Tagged::Text(s.clone()),
            Value::Array(a) => Tagged::List(a.iter().map(Tagged::of).collect()),
            Value::Object(m) => {
                Tagged::Map(m.iter().map(|(k, v)| (k.clone(), Tagged::of(v))).collect())
            }
        }
    }

    fn into_value(self) -> Value {
        match self {
            Tagged::Null => Value::Null,
            Tagged::Bool(b) => Value::Bool(b),
            Tagged::Unsigned(u) => Value::from(u),
            Tagged::Signed(i) => Value::from(i),
            Tagged::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
            Tagged::Text(s) => Value::String(s),
            Tagged::List(a) => Value::Array(a.into_iter().map(Tagged::into_value).collect()),
            Tagged::Map(m) => {
                Value::Object(m.into_iter().map(|(k, v)| (k, v.into_value())).collect())
            }
        }
    }
}

fn serialize_value<S: Serializer>(v: &Value, s: S) -> Result<S::Ok, S::Error> {
    if s.is_human_readable() {
        v.serialize(s)
    } else {
        Tagged::of(v).serialize(s)
    }
}

/// A list of JSON values (rule operands).
pub mod json_values {
    use super::*;

    /// Encodes the values.
    pub fn serialize<S: Serializer>(v: &[Value], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            v.serialize(s)
        } else {
            v.iter().map(Tagged::of).collect::<Vec<_>>().serialize(s)
        }
    }

    /// Decodes the values.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Value>, D::Error> {
        let list: Vec<Tagged> = nested(d)?;
        Ok(list.into_iter().map(Tagged::into_value).collect())
    }
}

/// A metadata object.
pub mod metadata {
    use super::*;
    use crate::plan::Metadata;

    /// Encodes the object.
    pub fn serialize<S: Serializer>(m: &Metadata, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            m.serialize(s)
        } else {
            m.iter()
                .map(|(k, v)| (k.as_str(), Tagged::of(v)))
                .collect::<Vec<_>>()
                .serialize(s)
        }
    }

    /// Decodes the object.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Metadata, D::Error> {
        let entries: Vec<(String, Tagged)> = nested(d)?;
        Ok(entries
            .into_iter()
            .map(|(k, v)| (k, v.into_value()))
            .collect())
    }
}

/// A metadata object shared by the redeemables of a campaign.
pub mod shared_metadata {
    use super::*;
    use crate::plan::Metadata;
    use std::sync::Arc;

    /// Encodes the object.
    pub fn serialize<S: Serializer>(m: &Arc<Metadata>, s: S) -> Result<S::Ok, S::Error> {
        super::metadata::serialize(m, s)
    }

    /// Decodes the object.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<Metadata>, D::Error> {
        super::metadata::deserialize(d).map(Arc::new)
    }
}

/// A JSON value on its own.
pub mod json_value {
    use super::*;

    /// Encodes the value.
    pub fn serialize<S: Serializer>(v: &Value, s: S) -> Result<S::Ok, S::Error> {
        serialize_value(v, s)
    }

    /// Decodes the value.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        Tagged::deserialize(d).map(Tagged::into_value)
    }
}

/// A byte table as one run (one copy on decode).
pub mod bytes {
    use super::*;

    struct Visitor;

    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = Vec<u8>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("bytes")
        }

        fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
            Ok(v.to_vec())
        }

        fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
            Ok(v)
        }
    }

    /// Decodes the bytes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        d.deserialize_byte_buf(Visitor)
    }
}
