//! From `DiscountSource` to `CompiledDiscount`.

use rust_decimal::Decimal;

use std::sync::Arc;

use crate::formula::Formula;
use crate::money::{decimal_from_json, Money};
use crate::snapshot::{ApplicableTo, DiscountSource, Target};

/// How an AMOUNT discount is spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountEffect {
    /// Off the order total.
    Order,
    /// Off each matched line.
    Items,
    /// Off each matched unit.
    ItemsByQuantity,
    /// Split over matched lines by amount.
    Proportionally,
    /// Split over matched lines by quantity.
    ProportionallyByQuantity,
}

/// How a free unit is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitEffect {
    /// Top the cart up to `unit_off` units, all free.
    AddMissingItems,
    /// Add `unit_off` new units, only those free.
    AddNewItems,
}

/// One free-unit gift.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitGift {
    /// Units given.
    pub unit_off: i64,
    /// The product or SKU id.
    pub unit_type: String,
    /// How.
    pub effect: UnitEffect,
    /// Formula for `unit_off` (the plain value is the fallback).
    pub formula: Option<Dynamic>,
}

/// A parsed `*_formula`, shared by every code of a campaign.
pub type Dynamic = Arc<Formula>;

/// A compiled discount.
#[derive(Debug, Clone, PartialEq)]
pub enum CompiledDiscount {
    /// `AMOUNT`.
    Amount {
        /// Minor units off.
        amount_off: Money,
        /// How it is spread.
        effect: AmountEffect,
        /// Cap per order.
        aggregated_amount_limit: Option<Money>,
        /// `amount_off_formula` (major units).
        formula: Option<Dynamic>,
    },
    /// `PERCENT`.
    Percent {
        /// The percentage.
        percent: Decimal,
        /// On the order (`false`) or on items (`true`).
        items: bool,
        /// Cap per order (order effect) or per line (item effect).
        amount_limit: Option<Money>,
        /// Cap per order.
        aggregated_amount_limit: Option<Money>,
        /// `percent_off_formula`.
        formula: Option<Dynamic>,
    },
    /// `FIXED`: a new order total or unit price.
    Fixed {
        /// The new total (order) or unit price (items).
        fixed_amount: Money,
        /// On items (`true`) or the order.
        items: bool,
        /// `fixed_amount_formula` (major units).
        formula: Option<Dynamic>,
    },
    /// `UNIT`: free units.
    Unit {
        /// The units given.
        units: Vec<UnitGift>,
    },
}

impl CompiledDiscount {
    /// Whether the discount touches lines rather than the order total.
    pub fn is_item_level(&self) -> bool {
        match self {
            CompiledDiscount::Amount { effect, .. } => *effect != AmountEffect::Order,
            CompiledDiscount::Percent { items, .. } | CompiledDiscount::Fixed { items, .. } => {
                *items
            }
            CompiledDiscount::Unit { .. } => true,
        }
    }
}

/// Which lines an item effect may touch (a validation rule's `applicable_to`).
#[derive(Debug, Clone, Default)]
pub struct Eligibility {
    /// Included targets, each with its own application rules.
    pub included: Vec<Target>,
    /// Excluded targets (win over inclusions).
    pub excluded: Vec<Target>,
    /// Every line except the excluded.
    pub included_all: bool,
    /// Whether any `applicable_to` was given at all.
    pub restricted: bool,
    /// Parsed `price_formula` of each included target (parallel to `included`).
    pub price_formulas: Vec<Option<Dynamic>>,
    /// Why a target cannot be used (a formula that does not parse).
    pub invalid: Option<String>,
}

impl Eligibility {
    /// Merges the `applicable_to` of every rule assigned to a redeemable.
    pub fn from_rules<'a>(rules: impl Iterator<Item = &'a ApplicableTo>) -> Eligibility {
        let mut e = Eligibility::default();
        for a in rules {
            e.restricted = true;
            for t in &a.included {
                let parsed = t
                    .price_formula
                    .as_deref()
                    .map(|f| {
                        Formula::parse(f).map(Arc::new).map_err(|err| {
                            format!("FORMULA_INVALID: price_formula of {}: {err}", t.id)
                        })
                    })
                    .transpose();
                match parsed {
                    Ok(f) => e.price_formulas.push(f),
                    Err(err) => {
                        e.price_formulas.push(None);
                        e.invalid.get_or_insert(err);
                    }
                }
            }
            e.included.extend(a.included.iter().cloned());
            e.excluded.extend(a.excluded.iter().cloned());
            e.included_all |= a.included_all;
        }
        e
    }

    /// Whether the rules name products (this decides the default effect).
    pub fn names_products(&self) -> bool {
        !self.included.is_empty() || !self.excluded.is_empty()
    }
}

fn need<T>(v: Option<T>, field: &str, kind: &str) -> Result<T, String> {
    v.ok_or_else(|| format!("{kind} discount needs `{field}`"))
}

fn non_negative(m: Money, field: &str) -> Result<Money, String> {
    if (0..=crate::limits::MAX_AMOUNT).contains(&m.0) {
        Ok(m)
    } else {
        Err(format!("`{field}` is negative or too large"))
    }
}

/// Compiles a discount. `names_products` picks the default effect of
/// AMOUNT and PERCENT discounts, as Voucherify does.
pub fn compile_discount(
    src: &DiscountSource,
    names_products: bool,
) -> Result<CompiledDiscount, String> {
    let default_items = if names_products {
        "APPLY_TO_ITEMS"
    } else {
        "APPLY_TO_ORDER"
    };
    let effect = src.effect.as_deref();
    let limit = |v: Option<Money>, f: &str| v.map(|m| non_negative(m, f)).transpose();
    // With a formula the plain field is only the fallback, and may be absent (zero).
    let dynamic = |text: &Option<String>, field: &str| -> Result<Option<Dynamic>, String> {
        text.as_deref()
            .map(|t| {
                Formula::parse(t)
                    .map(Arc::new)
                    .map_err(|e| format!("FORMULA_INVALID: {field}: {e}"))
            })
            .transpose()
    };
    match src.discount_type.as_str() {
        "AMOUNT" => {
            let formula = dynamic(&src.amount_off_formula, "amount_off_formula")?;
            let plain = if formula.is_some() {
                src.amount_off.or(Some(Money::ZERO))
            } else {
                src.amount_off
            };
            let amount_off = non_negative(need(plain, "amount_off", "AMOUNT")?, "amount_off")?;
            let effect = match effect.unwrap_or(default_items) {
                "APPLY_TO_ORDER" => AmountEffect::Order,
                "APPLY_TO_ITEMS" => AmountEffect::Items,
                "APPLY_TO_ITEMS_BY_QUANTITY" => AmountEffect::ItemsByQuantity,
                "APPLY_TO_ITEMS_PROPORTIONALLY" => AmountEffect::Proportionally,
                "APPLY_TO_ITEMS_PROPORTIONALLY_BY_QUANTITY" => {
                    AmountEffect::ProportionallyByQuantity
                }
                other => return Err(format!("AMOUNT discount cannot have effect `{other}`")),
            };
            Ok(CompiledDiscount::Amount {
                amount_off,
                effect,
                aggregated_amount_limit: limit(
                    src.aggregated_amount_limit,
                    "aggregated_amount_limit",
                )?,
                formula,
            })
        }
        "PERCENT" => {
            let formula = dynamic(&src.percent_off_formula, "percent_off_formula")?;
            let percent = match (src.percent_off.as_ref(), &formula) {
                (Some(p), _) => decimal_from_json(p).ok_or("`percent_off` is not a number")?,
                (None, Some(_)) => Decimal::ZERO,
                (None, None) => return Err("PERCENT discount needs `percent_off`".into()),
            };
            if percent < Decimal::ZERO || percent > Decimal::ONE_HUNDRED {
                return Err("`percent_off` must be within 0..=100".into());
            }
            let items = match effect.unwrap_or(default_items) {
                "APPLY_TO_ORDER" => false,
                "APPLY_TO_ITEMS" => true,
                other => return Err(format!("PERCENT discount cannot have effect `{other}`")),
            };
            Ok(CompiledDiscount::Percent {
                percent,
                items,
                amount_limit: limit(src.amount_limit, "amount_limit")?,
                aggregated_amount_limit: limit(
                    src.aggregated_amount_limit,
                    "aggregated_amount_limit",
                )?,
                formula,
            })
        }
        "FIXED" => {
            let formula = dynamic(&src.fixed_amount_formula, "fixed_amount_formula")?;
            let plain = if formula.is_some() {
                src.fixed_amount.or(Some(Money::ZERO))
            } else {
                src.fixed_amount
            };
            let fixed_amount = non_negative(need(plain, "fixed_amount", "FIXED")?, "fixed_amount")?;
            let items = match effect.unwrap_or(default_items) {
                "APPLY_TO_ORDER" => false,
                "APPLY_TO_ITEMS" => true,
                other => return Err(format!("FIXED discount cannot have effect `{other}`")),
            };
            Ok(CompiledDiscount::Fixed {
                fixed_amount,
                items,
                formula,
            })
        }
        "UNIT" => {
            let unit_effect = |e: &str| match e {
                "ADD_MISSING_ITEMS" => Ok(UnitEffect::AddMissingItems),
                "ADD_NEW_ITEMS" => Ok(UnitEffect::AddNewItems),
                other => Err(format!("UNIT discount cannot have effect `{other}`")),
            };
            let check_units = |n: i64, dynamic: bool| {
                let least = if dynamic { 0 } else { 1 };
                if (least..=crate::limits::MAX_QUANTITY).contains(&n) {
                    Ok(n)
                } else {
                    Err("`unit_off` must be a positive whole number".to_string())
                }
            };
            let units = if effect == Some("ADD_MANY_ITEMS") {
                let list = need(src.units.as_ref(), "units", "ADD_MANY_ITEMS")?;
                list.iter()
                    .map(|u| {
                        let formula = dynamic(&u.unit_off_formula, "unit_off_formula")?;
                        Ok(UnitGift {
                            unit_off: check_units(u.unit_off, formula.is_some())?,
                            unit_type: u.unit_type.clone(),
                            effect: unit_effect(&u.effect)?,
                            formula,
                        })
                    })
                    .collect::<Result<Vec<_>, String>>()?
            } else {
                let formula = dynamic(&src.unit_off_formula, "unit_off_formula")?;
                let plain = if formula.is_some() {
                    src.unit_off.or(Some(0))
                } else {
                    src.unit_off
                };
                vec![UnitGift {
                    unit_off: check_units(need(plain, "unit_off", "UNIT")?, formula.is_some())?,
                    unit_type: need(src.unit_type.clone(), "unit_type", "UNIT")?,
                    effect: unit_effect(effect.unwrap_or("ADD_MISSING_ITEMS"))?,
                    formula,
                }]
            };
            Ok(CompiledDiscount::Unit { units })
        }
        other => Err(format!("unknown discount type `{other}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn src(v: serde_json::Value) -> DiscountSource {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn default_effects_follow_product_rules() {
        let d =
            compile_discount(&src(json!({"type": "AMOUNT", "amount_off": 1000})), false).unwrap();
        assert!(!d.is_item_level());
        let d =
            compile_discount(&src(json!({"type": "AMOUNT", "amount_off": 1000})), true).unwrap();
        assert!(d.is_item_level());
        let d = compile_discount(
            &src(json!({"type": "UNIT", "unit_off": 1, "unit_type": "prod_x"})),
            false,
        )
        .unwrap();
        assert_eq!(
            d,
            CompiledDiscount::Unit {
                units: vec![UnitGift {
                    unit_off: 1,
                    unit_type: "prod_x".into(),
                    effect: UnitEffect::AddMissingItems,
                    formula: None,
                }]
            }
        );
    }

    #[test]
    fn rejects_what_it_cannot_apply() {
        assert!(
            compile_discount(&src(json!({"type": "PERCENT", "percent_off": 120})), false).is_err()
        );
        assert!(compile_discount(
            &src(json!({"type": "PERCENT", "percent_off": 10, "effect": "ADD_NEW_ITEMS"})),
            false
        )
        .is_err());
        assert!(
            compile_discount(&src(json!({"type": "AMOUNT", "amount_off": -5})), false).is_err()
        );
        assert!(compile_discount(&src(json!({"type": "BOGO"})), false).is_err());
        assert!(compile_discount(
            &src(json!({"type": "UNIT", "unit_off": 0, "unit_type": "p"})),
            false
        )
        .is_err());
    }
}
