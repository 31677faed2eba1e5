//! Loyalty earning rules from their source form (`order.paid` only: the
//! other events happen at the origin).

use serde::Deserialize;
use serde_json::Value;

use crate::plan::{Basis, Calculation, EarningRule, Index, ItemTarget, TargetObject, TierModifier};
use crate::time::Validity;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Every {
    every: i64,
    points: i64,
    #[serde(default)]
    object: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    property: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrderBases {
    #[serde(default)]
    amount: Option<Every>,
    #[serde(default)]
    total_amount: Option<Every>,
    #[serde(default)]
    metadata: Option<Every>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemBases {
    #[serde(default)]
    amount: Option<Every>,
    #[serde(default)]
    subtotal_amount: Option<Every>,
    #[serde(default)]
    quantity: Option<Every>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerBases {
    #[serde(default)]
    metadata: Option<Every>,
}

/// The wire form of an earning rule's `loyalty` object.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct LoyaltySource {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    points: Option<i64>,
    #[serde(default)]
    points_formula: Option<String>,
    #[serde(default)]
    calculation_type: Option<String>,
    #[serde(default)]
    order: Option<OrderBases>,
    #[serde(default)]
    order_items: Option<ItemBases>,
    #[serde(default)]
    customer: Option<CustomerBases>,
}

fn target_of(e: &Every) -> Result<Option<ItemTarget>, String> {
    let Some(id) = &e.id else { return Ok(None) };
    let object = match e.object.as_deref() {
        Some("product") => Some(TargetObject::Product),
        Some("sku") => Some(TargetObject::Sku),
        Some("products_collection") => Some(TargetObject::ProductsCollection),
        None => None,
        Some(other) => return Err(format!("unknown object `{other}`")),
    };
    Ok(Some(ItemTarget {
        object,
        id: id.clone(),
        key: 0,
    }))
}

fn property(e: &Every) -> Result<String, String> {
    e.property
        .clone()
        .ok_or_else(|| "a metadata basis needs a `property`".to_string())
}

/// Compiles one earning rule's `loyalty` object and time fields.
pub fn earning_rule(
    id: &str,
    campaign: usize,
    loyalty: &Value,
    rules: Vec<usize>,
    validity: Validity,
    tiers: Index<TierModifier>,
) -> Result<EarningRule, String> {
    let src: LoyaltySource =
        serde_json::from_value(loyalty.clone()).map_err(|e| format!("loyalty: {e}"))?;
    let calculation = match src.kind.as_str() {
        "FIXED" => Calculation::Fixed(src.points.ok_or("FIXED earning needs `points`")?),
        "PROPORTIONAL" => {
            let ct = src
                .calculation_type
                .as_deref()
                .ok_or("PROPORTIONAL earning needs `calculation_type`")?;
            let order = src.order.clone().unwrap_or_default();
            let items = src.order_items.clone().unwrap_or_default();
            let customer = src.customer.clone().unwrap_or_default();
            let need =
                |e: Option<Every>, what: &str| e.ok_or_else(|| format!("{ct} needs `{what}`"));
            let (basis, e) = match ct {
                "ORDER_AMOUNT" => (Basis::OrderAmount, need(order.amount, "order.amount")?),
                "ORDER_TOTAL_AMOUNT" => (
                    Basis::OrderTotalAmount,
                    need(order.total_amount, "order.total_amount")?,
                ),
                "ORDER_ITEMS_AMOUNT" => {
                    let e = need(items.amount, "order_items.amount")?;
                    (Basis::ItemsAmount(target_of(&e)?), e)
                }
                "ORDER_ITEMS_SUBTOTAL_AMOUNT" => {
                    let e = need(items.subtotal_amount, "order_items.subtotal_amount")?;
                    (Basis::ItemsSubtotal(target_of(&e)?), e)
                }
                "ORDER_ITEMS_QUANTITY" => {
                    let e = need(items.quantity, "order_items.quantity")?;
                    (Basis::ItemsQuantity(target_of(&e)?), e)
                }
                "ORDER_METADATA" => {
                    let e = need(order.metadata, "order.metadata")?;
                    (Basis::OrderMetadata(property(&e)?), e)
                }
                "CUSTOMER_METADATA" => {
                    let e = need(customer.metadata, "customer.metadata")?;
                    (Basis::CustomerMetadata(property(&e)?), e)
                }
                other => {
                    return Err(format!(
                        "calculation_type `{other}` cannot be previewed from a cart"
                    ))
                }
            };
            if e.every <= 0 || e.points < 0 {
                return Err("`every` must be positive and `points` not negative".into());
            }
            Calculation::Proportional {
                basis,
                every: e.every,
                points: e.points,
            }
        }
        other => return Err(format!("unknown earning type `{other}`")),
    };
    let formula = src
        .points_formula
        .as_deref()
        .map(|f| {
            crate::formula::Formula::parse(f)
                .map(std::sync::Arc::new)
                .map_err(|e| format!("FORMULA_INVALID: points_formula: {e}"))
        })
        .transpose()?;
    Ok(EarningRule {
        id: id.to_string(),
        campaign,
        calculation,
        rules,
        validity,
        tiers,
        formula,
    })
}

impl super::Builder {
    /// The campaign's `order.paid` earning rules with their tier modifiers;
    /// one that cannot be read is left out with a warning (it earns nothing).
    pub(super) fn compile_earning(
        &mut self,
        ci: usize,
        camp: &super::source::Campaign,
        loyalty: &super::source::LoyaltyProgram,
        path: &str,
    ) {
        for (ei, rule) in loyalty.earning_rules.iter().enumerate() {
            let epath = format!("{path}.loyalty.earning_rules[{ei}]");
            if rule.event != "order.paid" || !rule.active {
                continue;
            }
            let (rules, problem) = self.resolve_rules(&rule.validation_rule_ids, &epath);
            let tiers = self.tier_modifiers(&rule.id, &loyalty.tiers, &epath);
            let compiled =
                super::validity::validity(&[&camp.validity, &rule.validity]).and_then(|validity| {
                    match problem {
                        Some(p) => Err(p),
                        None => earning_rule(&rule.id, ci, &rule.loyalty, rules, validity, tiers),
                    }
                });
            match compiled {
                Ok(c) => self.earning_rules.push(c),
                Err(e) => self.warnings.push("EARNING_RULE_INVALID", epath, e),
            }
        }
    }

    fn tier_modifiers(
        &mut self,
        rule_id: &str,
        tiers: &[super::source::LoyaltyTier],
        epath: &str,
    ) -> Index<TierModifier> {
        let mut out = Vec::new();
        for t in tiers {
            let Some(m) = t.earning_rules.get(rule_id) else {
                continue;
            };
            let modifier = match m.get("type").and_then(|v| v.as_str()) {
                Some("MULTIPLY") => m
                    .get("multiplier")
                    .and_then(|v| v.as_number())
                    .and_then(crate::money::decimal_from_json)
                    .map(TierModifier::Multiply),
                Some("CUSTOM") => m
                    .get("points")
                    .and_then(|v| v.as_i64())
                    .map(TierModifier::Custom),
                _ => None,
            };
            match modifier {
                // A later tier of the same id replaces an earlier one.
                Some(x) => {
                    out.retain(|(id, _): &(String, TierModifier)| id != &t.id);
                    out.push((t.id.clone(), x));
                }
                None => self.warnings.push(
                    "EARNING_RULE_INVALID",
                    format!("{epath}.tiers.{}", t.id),
                    "tier modifier is neither MULTIPLY nor CUSTOM".into(),
                ),
            }
        }
        Index::new(out)
    }
}
