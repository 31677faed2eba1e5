//! Discounts, product targets and bundle rules from their source form.

use std::sync::Arc;

use rust_decimal::Decimal;

use super::source::{self, ApplicableTo, BundleRules, DiscountSource};
use crate::formula::Formula;
use crate::money::{decimal_from_json, Money};
use crate::plan::{
    AmountEffect, BundleComponent, BundleRule, Discount, Dynamic, Eligibility, ItemTarget, Target,
    TargetObject, UnitEffect, UnitGift,
};

/// One validation rule's `applicable_to` as targets; `Err` names a
/// `price_formula` that does not parse (the rule is then disabled).
pub fn targets(a: &ApplicableTo) -> Result<Eligibility, String> {
    Ok(Eligibility {
        included: a
            .included
            .iter()
            .map(|t| target(t, true))
            .collect::<Result<_, _>>()?,
        // An exclusion discounts nothing, so its price formula is never read.
        excluded: a
            .excluded
            .iter()
            .map(|t| target(t, false))
            .collect::<Result<_, _>>()?,
        included_all: a.included_all,
        restricted: true,
    })
}

/// Merges the targets of every rule assigned to a redeemable.
pub fn merge<'a>(parts: impl Iterator<Item = &'a Eligibility>) -> Eligibility {
    let mut e = Eligibility::default();
    for p in parts {
        e.included.extend(p.included.iter().cloned());
        e.excluded.extend(p.excluded.iter().cloned());
        e.included_all |= p.included_all;
        e.restricted |= p.restricted;
    }
    e
}

fn target(t: &source::Target, priced: bool) -> Result<Target, String> {
    let price_formula = t
        .price_formula
        .as_deref()
        .filter(|_| priced)
        .map(|f| {
            Formula::parse(f)
                .map(Arc::new)
                .map_err(|err| format!("FORMULA_INVALID: price_formula of {}: {err}", t.id))
        })
        .transpose()?;
    Ok(Target {
        object: t.object,
        id: t.id.clone(),
        key: 0,
        effect: t.effect,
        target: t.target,
        skip_initially: t.skip_initially,
        repeat: t.repeat,
        quantity_limit: t.quantity_limit,
        aggregated_quantity_limit: t.aggregated_quantity_limit,
        amount_limit: t.amount_limit,
        aggregated_amount_limit: t.aggregated_amount_limit,
        price: t.price,
        price_formula,
    })
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
pub fn compile_discount(src: &DiscountSource, names_products: bool) -> Result<Discount, String> {
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
            Ok(Discount::Amount {
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
            Ok(Discount::Percent {
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
            Ok(Discount::Fixed {
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
            Ok(Discount::Unit { units })
        }
        other => Err(format!("unknown discount type `{other}`")),
    }
}

/// Compiles bundle rules; each rule must be `order.items.any` naming one target.
pub fn bundle_rule(src: &BundleRules) -> Result<BundleRule, String> {
    if !(1..=100).contains(&src.limit) {
        return Err("bundle_rules.limit must be within 1..=100".into());
    }
    let mut entries: Vec<_> = src.rules.iter().collect();
    entries.sort_by_key(|(k, _)| (k.parse::<u64>().unwrap_or(u64::MAX), (*k).clone()));
    let mut components = Vec::new();
    for (number, rule) in entries {
        if rule.name != "order.items.any" {
            return Err(format!(
                "bundle rule {number}: only `order.items.any` is supported, not `{}`",
                rule.name
            ));
        }
        let (key, value) = rule
            .conditions
            .iter()
            .next()
            .ok_or_else(|| format!("bundle rule {number} has no condition"))?;
        if !matches!(
            super::rules::operator(key),
            Some(crate::plan::Operator::Is | crate::plan::Operator::In)
        ) || rule.conditions.len() != 1
        {
            return Err(format!(
                "bundle rule {number} must have exactly one `$is` condition"
            ));
        }
        let first = value
            .as_array()
            .and_then(|a| if a.len() == 1 { a.first() } else { None })
            .unwrap_or(value);
        let id = first
            .get("id")
            .and_then(|v| v.as_str())
            .ok_or_else(|| format!("bundle rule {number} needs an `id`"))?;
        let object = match (
            first.get("object").and_then(|v| v.as_str()),
            first.get("type").and_then(|v| v.as_str()),
        ) {
            (Some("products_collection"), _) | (_, Some("products_collection")) => {
                Some(TargetObject::ProductsCollection)
            }
            (Some("sku"), _) => Some(TargetObject::Sku),
            (Some("product"), _) => Some(TargetObject::Product),
            _ => None,
        };
        if !(1..=crate::limits::MAX_QUANTITY).contains(&rule.quantity) {
            return Err(format!("bundle rule {number}: quantity must be positive"));
        }
        components.push(BundleComponent {
            target: ItemTarget {
                object,
                id: id.to_string(),
                key: 0,
            },
            units: rule.quantity,
        });
    }
    if components.is_empty() {
        return Err("bundle_rules has no rules".into());
    }
    Ok(BundleRule {
        limit: i64::from(src.limit),
        multiply: src.multiply_discount,
        components,
    })
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
            Discount::Unit {
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
