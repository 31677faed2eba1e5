//! Money: integers in minor units at every boundary, `rust_decimal` inside.
//!
//! The one rounding rule: every computed discount is rounded to whole minor
//! units **once**, with the snapshot's [`RoundingMode`] (default half-up,
//! i.e. midpoints away from zero). Proportional splits use the
//! largest-remainder method, so the parts always sum to the whole.
//!
//! ```
//! use promo_edge::money::{Money, RoundingMode};
//! use rust_decimal::Decimal;
//! // 12.5 % of 1.99 is 0.24875 → 25 cents half-up, 24 cents down.
//! let base = Money(199);
//! let pct = Decimal::new(125, 1);
//! assert_eq!(base.percent(pct, RoundingMode::HalfUp).unwrap(), Money(25));
//! assert_eq!(base.percent(pct, RoundingMode::Down).unwrap(), Money(24));
//! // 100 split over three equal weights: 34 + 33 + 33.
//! let parts = Money(100).split(&[Decimal::ONE; 3], RoundingMode::HalfUp).unwrap();
//! assert_eq!(parts, vec![Money(34), Money(33), Money(33)]);
//! ```

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// An amount in minor units of the snapshot's currency (cents for USD,
/// yen for JPY, fils for KWD).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct Money(pub i64);

/// How a computed discount is rounded to minor units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RoundingMode {
    /// Midpoints away from zero: 0.5 → 1, 2.5 → 3.
    #[default]
    HalfUp,
    /// Midpoints to the even neighbour (banker's rounding): 0.5 → 0, 2.5 → 2.
    HalfEven,
    /// Toward zero: the customer never gets a fraction of a cent more.
    Down,
}

impl RoundingMode {
    fn strategy(self) -> RoundingStrategy {
        match self {
            RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundingMode::Down => RoundingStrategy::ToZero,
        }
    }

    /// Rounds a decimal amount of minor units to a whole [`Money`].
    pub fn round(self, value: Decimal) -> Result<Money, Error> {
        value
            .round_dp_with_strategy(0, self.strategy())
            .to_i64()
            .map(Money)
            .ok_or(Error::ArithmeticOverflow)
    }
}

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(0);

    /// This amount as a decimal.
    pub fn dec(self) -> Decimal {
        Decimal::from(self.0)
    }

    /// `self + other`, or `ARITHMETIC_OVERFLOW`.
    pub fn try_add(self, other: Money) -> Result<Money, Error> {
        self.0
            .checked_add(other.0)
            .map(Money)
            .ok_or(Error::ArithmeticOverflow)
    }

    /// `self − other`, or `ARITHMETIC_OVERFLOW`.
    pub fn try_sub(self, other: Money) -> Result<Money, Error> {
        self.0
            .checked_sub(other.0)
            .map(Money)
            .ok_or(Error::ArithmeticOverflow)
    }

    /// `self − other`, never below zero.
    pub fn saturating_sub(self, other: Money) -> Money {
        Money(self.0.saturating_sub(other.0).max(0))
    }

    /// `self × n`, or `ARITHMETIC_OVERFLOW`.
    pub fn times(self, n: i64) -> Result<Money, Error> {
        self.0
            .checked_mul(n)
            .map(Money)
            .ok_or(Error::ArithmeticOverflow)
    }

    /// `percent` % of this amount, rounded once with `mode`.
    pub fn percent(self, percent: Decimal, mode: RoundingMode) -> Result<Money, Error> {
        let raw = self
            .dec()
            .checked_mul(percent)
            .and_then(|v| v.checked_div(Decimal::ONE_HUNDRED))
            .ok_or(Error::ArithmeticOverflow)?;
        mode.round(raw)
    }

    /// Splits this amount over `weights` by the largest-remainder method.
    ///
    /// Each part first gets its exact share rounded toward zero; the cents
    /// left over go, one each, to the parts with the largest fractional
    /// remainders (ties: the earlier part). Under [`RoundingMode::Down`] the
    /// same rule applies — a split always sums exactly to the whole. When
    /// every weight is zero, every part is zero.
    pub fn split(self, weights: &[Decimal], _mode: RoundingMode) -> Result<Vec<Money>, Error> {
        let total_weight = weights
            .iter()
            .try_fold(Decimal::ZERO, |acc, w| acc.checked_add(*w))
            .ok_or(Error::ArithmeticOverflow)?;
        if total_weight <= Decimal::ZERO || self.0 <= 0 {
            return Ok(vec![Money::ZERO; weights.len()]);
        }
        let mut parts = Vec::with_capacity(weights.len());
        let mut remainders = Vec::with_capacity(weights.len());
        let mut assigned: i64 = 0;
        for (i, w) in weights.iter().enumerate() {
            let exact = self
                .dec()
                .checked_mul(*w)
                .and_then(|v| v.checked_div(total_weight))
                .ok_or(Error::ArithmeticOverflow)?;
            let floor = exact.trunc();
            let whole = floor.to_i64().ok_or(Error::ArithmeticOverflow)?;
            assigned = assigned
                .checked_add(whole)
                .ok_or(Error::ArithmeticOverflow)?;
            parts.push(whole);
            remainders.push((exact - floor, i));
        }
        let mut left = self
            .0
            .checked_sub(assigned)
            .ok_or(Error::ArithmeticOverflow)?;
        // Largest remainder first; equal remainders keep their order.
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, i) in remainders {
            if left <= 0 {
                break;
            }
            if let Some(p) = parts.get_mut(i) {
                *p += 1;
                left -= 1;
            }
        }
        Ok(parts.into_iter().map(Money).collect())
    }
}

/// Parses a JSON number into an exact decimal through its textual form,
/// so `12.5` is exactly 12.5 and not the nearest binary double.
pub fn decimal_from_json(n: &serde_json::Number) -> Option<Decimal> {
    // Integers (nearly every operand) without formatting and parsing text.
    if let Some(i) = n.as_i64() {
        return Some(Decimal::from(i));
    }
    let text = n.to_string();
    text.parse::<Decimal>()
        .ok()
        .or_else(|| Decimal::from_scientific(&text).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn rounding_modes_differ_only_at_midpoints() {
        assert_eq!(RoundingMode::HalfUp.round(d("2.5")).unwrap(), Money(3));
        assert_eq!(RoundingMode::HalfEven.round(d("2.5")).unwrap(), Money(2));
        assert_eq!(RoundingMode::HalfEven.round(d("3.5")).unwrap(), Money(4));
        assert_eq!(RoundingMode::Down.round(d("2.99")).unwrap(), Money(2));
        assert_eq!(RoundingMode::HalfUp.round(d("2.49")).unwrap(), Money(2));
    }

    #[test]
    fn percent_of_odd_cents() {
        // 15 % of 333 = 49.95
        assert_eq!(
            Money(333).percent(d("15"), RoundingMode::HalfUp).unwrap(),
            Money(50)
        );
        assert_eq!(
            Money(333).percent(d("15"), RoundingMode::Down).unwrap(),
            Money(49)
        );
        // 10 % of 105 = 10.5
        assert_eq!(
            Money(105).percent(d("10"), RoundingMode::HalfEven).unwrap(),
            Money(10)
        );
    }

    #[test]
    fn split_sums_to_whole_and_favours_largest_remainders() {
        // 1000 over 20/45/60 (sum 125): 160 / 360 / 480 exactly.
        let parts = Money(1000)
            .split(&[d("20"), d("45"), d("60")], RoundingMode::HalfUp)
            .unwrap();
        assert_eq!(parts, vec![Money(160), Money(360), Money(480)]);
        // 10 over 1/1/1: 3.33 each → 4, 3, 3.
        let parts = Money(10)
            .split(&[d("1"), d("1"), d("1")], RoundingMode::HalfUp)
            .unwrap();
        assert_eq!(parts, vec![Money(4), Money(3), Money(3)]);
        // 5 over 1/2/2 → exact 1, 2, 2.
        let parts = Money(5)
            .split(&[d("1"), d("2"), d("2")], RoundingMode::HalfUp)
            .unwrap();
        assert_eq!(parts, vec![Money(1), Money(2), Money(2)]);
        // 7 over 1/3 → 1.75 / 5.25 → 2 / 5.
        let parts = Money(7)
            .split(&[d("1"), d("3")], RoundingMode::HalfUp)
            .unwrap();
        assert_eq!(parts, vec![Money(2), Money(5)]);
    }

    #[test]
    fn split_of_nothing_is_zeros() {
        assert_eq!(
            Money(10)
                .split(&[Decimal::ZERO, Decimal::ZERO], RoundingMode::HalfUp)
                .unwrap(),
            vec![Money(0); 2]
        );
        assert_eq!(
            Money(0)
                .split(&[Decimal::ONE], RoundingMode::HalfUp)
                .unwrap(),
            vec![Money(0)]
        );
    }

    #[test]
    fn json_numbers_become_exact_decimals() {
        let n: serde_json::Number = serde_json::from_str("12.5").unwrap();
        assert_eq!(decimal_from_json(&n), Some(d("12.5")));
        let n: serde_json::Number = serde_json::from_str("0.1").unwrap();
        assert_eq!(decimal_from_json(&n), Some(d("0.1")));
        let n: serde_json::Number = serde_json::from_str("40").unwrap();
        assert_eq!(decimal_from_json(&n), Some(d("40")));
    }
}
