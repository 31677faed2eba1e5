//! Compiling rule sets from their wire form.

use serde_json::Value;

use super::conditions::{check_operands, Condition, Operator};
use super::logic::{self, Logic};
use crate::limits::MAX_RULE_DEPTH;
use crate::snapshot::{RuleSet, RuleSource, TargetObject};

/// A compiled rule set: rules in number order and their logic.
#[derive(Debug, Clone)]
pub struct CompiledRuleSet {
    /// Rule numbers as written (`"1"`, `"2"`, …), parallel to `rules`.
    pub numbers: Vec<String>,
    /// The rules.
    pub rules: Vec<CompiledRule>,
    /// How their outcomes combine.
    pub logic: Logic,
}

impl CompiledRuleSet {
    /// A rule set that always holds.
    pub fn empty() -> CompiledRuleSet {
        CompiledRuleSet {
            numbers: Vec::new(),
            rules: Vec::new(),
            logic: Logic::True,
        }
    }
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    /// What the rule looks at.
    pub kind: RuleKind,
    /// Its conditions (all must hold). For item matchers these are the
    /// product targets instead, in `targets`.
    pub conditions: Vec<Condition>,
    /// Product targets of an item matcher.
    pub targets: Vec<(Operator, Vec<ItemTarget>)>,
    /// Sub-rules narrowing an item matcher's lines.
    pub sub: Option<Box<CompiledRuleSet>>,
    /// The rule's own error message.
    pub message: Option<String>,
    /// The rule name as written (for reports).
    pub name: String,
}

/// Which lines an item matcher checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemMatcher {
    /// Some matched line satisfies the sub-rules.
    Any,
    /// Every line of the order matches and satisfies them.
    Every,
    /// No matched line satisfies them.
    None,
    /// The cheapest line matches and satisfies them.
    Cheapest,
    /// The most expensive line matches and satisfies them.
    MostExpensive,
}

/// A product reference inside a matcher condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemTarget {
    /// What `id` names; `None` = any of product, SKU or source id.
    pub object: Option<TargetObject>,
    /// The id.
    pub id: String,
}

/// Where a counter lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterScope {
    /// Per code or tier (`counters.redeemables[id]`).
    Redeemable,
    /// Per campaign (`counters.campaigns[id]`).
    Campaign,
}

/// What this redemption adds to a counter before it is compared: the rule
/// asks whether the counter *after* this redemption is within bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterAdd {
    /// One more redemption.
    One,
    /// This order's amount.
    OrderAmount,
    /// This redeemable's discount.
    Discount,
    /// This redeemable's gift credits.
    Credits,
    /// This redeemable's points.
    Points,
}

/// A counter rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CounterRule {
    /// Where it lives.
    pub scope: CounterScope,
    /// Its name in `counters`.
    pub key: &'static str,
    /// What this redemption adds.
    pub add: CounterAdd,
}

/// What a rule looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleKind {
    /// Running total before this redeemable (`order.amount`).
    OrderAmount,
    /// Total after this redeemable (`order.total_amount`).
    OrderTotalAmount,
    /// The cart before any redeemable (`order.initial_amount`).
    OrderInitialAmount,
    /// Number of lines.
    OrderItemsCount,
    /// Some line's unit price.
    OrderItemsPriceAny,
    /// Every line's unit price.
    OrderItemsPriceEach,
    /// Some line's metadata property.
    OrderItemsMetadataAny(String),
    /// Every line's metadata property.
    OrderItemsMetadataEach(String),
    /// An order metadata property.
    OrderMetadata(String),
    /// `order.items.any/every/none/cheapest/most_expensive`, or legacy `product.id` / `sku.id`.
    Items(ItemMatcher),
    /// Some line's product metadata property (top-level `product.metadata`).
    OrderItemsProductMetadataAny(String),
    /// Sub-rule: the focused line's quantity.
    LineQuantity,
    /// Sub-rule: units over the matched lines.
    LineAggregatedQuantity,
    /// Sub-rule: the focused line's unit price.
    LinePrice,
    /// Sub-rule: amount over the matched lines.
    LineAggregatedAmount,
    /// Sub-rule: the focused line's metadata property.
    LineMetadata(String),
    /// Sub-rule: the focused line's product metadata property.
    LineProductMetadata(String),
    /// Units over matched lines whose product metadata property matches.
    ProductMetadataAggregatedQuantity(String),
    /// Amount over matched lines whose product metadata property matches.
    ProductMetadataAggregatedAmount(String),
    /// `*.discount_applicable`: always true for a client (no manual exclusion list).
    DiscountApplicable,
    /// Customer segment ids.
    CustomerSegment,
    /// A customer metadata property.
    CustomerMetadata(String),
    /// The customer's loyalty tier id.
    CustomerLoyaltyTier,
    /// A redemption metadata property.
    RedemptionMetadata(String),
    /// A counter supplied by the host.
    Counter(CounterRule),
    /// Only the code's holder may redeem it.
    HolderOnly,
}

fn counter(scope: CounterScope, key: &'static str, add: CounterAdd) -> RuleKind {
    RuleKind::Counter(CounterRule { scope, key, add })
}

fn kind_of(name: &str, property: Option<&str>, nested: bool) -> Result<RuleKind, String> {
    use CounterAdd::*;
    use CounterScope::*;
    let prop = || {
        property
            .map(str::to_string)
            .ok_or_else(|| format!("rule `{name}` needs a `property`"))
    };
    Ok(match name {
        "order.amount" => RuleKind::OrderAmount,
        "order.total_amount" => RuleKind::OrderTotalAmount,
        "order.initial_amount" => RuleKind::OrderInitialAmount,
        "order.items.count" => RuleKind::OrderItemsCount,
        "order.items.price_any" => RuleKind::OrderItemsPriceAny,
        "order.items.price_each" => RuleKind::OrderItemsPriceEach,
        "order.items.metadata_any" => RuleKind::OrderItemsMetadataAny(prop()?),
        "order.items.metadata_each" => RuleKind::OrderItemsMetadataEach(prop()?),
        "order.metadata" => RuleKind::OrderMetadata(prop()?),
        "order.items.any" | "product.id" | "sku.id" => RuleKind::Items(ItemMatcher::Any),
        "order.items.every" => RuleKind::Items(ItemMatcher::Every),
        "order.items.none" => RuleKind::Items(ItemMatcher::None),
        "order.items.cheapest" => RuleKind::Items(ItemMatcher::Cheapest),
        "order.items.most_expensive" => RuleKind::Items(ItemMatcher::MostExpensive),
        "order.items.quantity" | "product.quantity" | "sku.quantity" => RuleKind::LineQuantity,
        "order.items.aggregated_quantity" => RuleKind::LineAggregatedQuantity,
        "order.items.price" | "product.price" | "sku.price" => RuleKind::LinePrice,
        "order.items.aggregated_amount" => RuleKind::LineAggregatedAmount,
        "order.items.metadata" => RuleKind::LineMetadata(prop()?),
        "product.metadata" if nested => RuleKind::LineProductMetadata(prop()?),
        "product.metadata" | "product.metadata.match_all" => {
            RuleKind::OrderItemsProductMetadataAny(prop()?)
        }
        "product.metadata.aggregated_quantity" => {
            RuleKind::ProductMetadataAggregatedQuantity(prop()?)
        }
        "product.metadata.aggregated_amount" => RuleKind::ProductMetadataAggregatedAmount(prop()?),
        "product.discount_applicable"
        | "sku.discount_applicable"
        | "product.metadata.discount_applicable" => RuleKind::DiscountApplicable,
        "customer.segment" => RuleKind::CustomerSegment,
        "customer.metadata" => RuleKind::CustomerMetadata(prop()?),
        "customer.loyalty.tier" | "customer.loyalty_tier" => RuleKind::CustomerLoyaltyTier,
        "redemption.metadata" => RuleKind::RedemptionMetadata(prop()?),
        "publication.redeemable_by_linked_customer" => RuleKind::HolderOnly,
        "redemption.count.per_customer" => counter(Redeemable, "customer_redemptions", One),
        "redemption.count.per_customer.daily" => {
            counter(Redeemable, "customer_redemptions_daily", One)
        }
        "redemption.count.per_customer.weekly" => {
            counter(Redeemable, "customer_redemptions_weekly", One)
        }
        "redemption.count.per_customer.monthly" => {
            counter(Redeemable, "customer_redemptions_monthly", One)
        }
        "redemption.count.daily" => counter(Redeemable, "redemptions_daily", One),
        "redemption.count.weekly" => counter(Redeemable, "redemptions_weekly", One),
        "redemption.count.monthly" => counter(Redeemable, "redemptions_monthly", One),
        "redemption.gift.amount" => counter(Campaign, "gift_amount", Credits),
        "redemption.reward.pay_with_points.points_used" => counter(Campaign, "points_used", Points),
        "campaign.redemptions.count" => counter(Campaign, "redemptions", One),
        "campaign.redemptions.count.daily" => counter(Campaign, "redemptions_daily", One),
        "campaign.redemptions.count.weekly" => counter(Campaign, "redemptions_weekly", One),
        "campaign.redemptions.count.monthly" => counter(Campaign, "redemptions_monthly", One),
        "campaign.redemptions.customers_count" => counter(Campaign, "customer_redemptions", One),
        "campaign.redemptions.customers_count.daily" => {
            counter(Campaign, "customer_redemptions_daily", One)
        }
        "campaign.redemptions.customers_count.weekly" => {
            counter(Campaign, "customer_redemptions_weekly", One)
        }
        "campaign.redemptions.customers_count.monthly" => {
            counter(Campaign, "customer_redemptions_monthly", One)
        }
        "campaign.orders.amount" => counter(Campaign, "orders_amount", OrderAmount),
        "campaign.orders.amount_discounted" => counter(Campaign, "amount_discounted", Discount),
        other => return Err(format!("unknown rule name `{other}`")),
    })
}

fn parse_target(v: &Value) -> Result<ItemTarget, String> {
    match v {
        Value::String(id) => Ok(ItemTarget {
            object: None,
            id: id.clone(),
        }),
        Value::Object(map) => {
            let id = map
                .get("id")
                .or_else(|| map.get("source_id"))
                .and_then(Value::as_str)
                .ok_or("a product target needs an `id`")?;
            let object = match map.get("object").and_then(Value::as_str) {
                Some("product") => Some(TargetObject::Product),
                Some("sku") => Some(TargetObject::Sku),
                Some("products_collection") => Some(TargetObject::ProductsCollection),
                None => None,
                Some(other) => return Err(format!("unknown target object `{other}`")),
            };
            Ok(ItemTarget {
                object,
                id: id.to_string(),
            })
        }
        other => Err(format!(
            "product target {other} is neither an id nor an object"
        )),
    }
}

fn operands(key: &str, value: &Value) -> Result<Vec<Value>, String> {
    match value {
        Value::Array(items) => Ok(items.clone()),
        Value::Null => Err(format!("operator `{key}` has no operands")),
        other => Ok(vec![other.clone()]),
    }
}

fn compile_rule(source: &RuleSource, depth: usize) -> Result<CompiledRule, String> {
    let kind = kind_of(&source.name, source.property.as_deref(), depth > 0)?;
    let mut conditions = Vec::new();
    let mut targets = Vec::new();
    for (key, value) in &source.conditions {
        let op = Operator::parse(key)
            .ok_or_else(|| format!("unknown operator `{key}` in rule `{}`", source.name))?;
        let values = operands(key, value)?;
        if matches!(kind, RuleKind::Items(_))
            && matches!(
                op,
                Operator::Is | Operator::IsNot | Operator::In | Operator::NotIn | Operator::From
            )
        {
            let list = values
                .iter()
                .map(parse_target)
                .collect::<Result<Vec<_>, _>>()?;
            let list = if op == Operator::From {
                list.into_iter()
                    .map(|t| ItemTarget {
                        object: Some(TargetObject::ProductsCollection),
                        id: t.id,
                    })
                    .collect()
            } else {
                list
            };
            targets.push((op, list));
        } else {
            let cond = Condition { op, values };
            check_operands(&cond)?;
            conditions.push(cond);
        }
    }
    let has_sub = !source.rules.rules.is_empty();
    if has_sub && !matches!(kind, RuleKind::Items(_)) {
        return Err(format!("rule `{}` cannot hold sub-rules", source.name));
    }
    let sub = if has_sub {
        Some(Box::new(compile_at(&source.rules, depth + 1)?))
    } else {
        None
    };
    Ok(CompiledRule {
        kind,
        conditions,
        targets,
        sub,
        message: source.error.as_ref().map(|e| e.message.clone()),
        name: source.name.clone(),
    })
}

fn compile_at(set: &RuleSet, depth: usize) -> Result<CompiledRuleSet, String> {
    if depth > MAX_RULE_DEPTH {
        return Err("RULE_DEPTH_EXCEEDED: sub-rules nest deeper than the limit".into());
    }
    let mut entries: Vec<(&String, &Value)> = set.rules.iter().collect();
    // Numeric order: "2" before "10".
    entries.sort_by_key(|(k, _)| (k.parse::<u64>().unwrap_or(u64::MAX), (*k).clone()));
    let mut numbers = Vec::with_capacity(entries.len());
    let mut rules = Vec::with_capacity(entries.len());
    for (number, value) in entries {
        if number.parse::<u64>().is_err() {
            return Err(format!("rule key `{number}` is not a number"));
        }
        let source: RuleSource =
            serde_json::from_value(value.clone()).map_err(|e| format!("rule {number}: {e}"))?;
        rules.push(compile_rule(&source, depth).map_err(|e| format!("rule {number}: {e}"))?);
        numbers.push(number.clone());
    }
    let logic = logic::parse(set.logic.as_deref(), &numbers)?;
    Ok(CompiledRuleSet {
        numbers,
        rules,
        logic,
    })
}

/// Compiles a rule set; an error disables whatever uses it.
pub fn compile_rule_set(set: &RuleSet) -> Result<CompiledRuleSet, String> {
    compile_at(set, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn set(v: Value) -> RuleSet {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn compiles_numbered_rules_in_numeric_order() {
        let s = compile_rule_set(&set(json!({
            "10": {"name": "order.amount", "conditions": {"$more_than": [1]}},
            "2": {"name": "customer.segment", "conditions": {"$is": ["seg_a"]}},
            "logic": "2 and 10"
        })))
        .unwrap();
        assert_eq!(s.numbers, vec!["2", "10"]);
        assert_eq!(s.rules[1].kind, RuleKind::OrderAmount);
    }

    #[test]
    fn unknown_names_operators_and_depth_fail_closed() {
        assert!(compile_rule_set(&set(
            json!({"1": {"name": "order.weather", "conditions": {"$is": ["sun"]}}})
        ))
        .unwrap_err()
        .contains("unknown rule name"));
        assert!(compile_rule_set(&set(
            json!({"1": {"name": "order.amount", "conditions": {"$approx": [1]}}})
        ))
        .unwrap_err()
        .contains("unknown operator"));
        let mut rule = json!({"name": "order.items.any", "conditions": {"$is": [{"id": "p", "object": "product"}]}});
        for _ in 0..12 {
            rule = json!({"name": "order.items.any", "conditions": {"$is": [{"id": "p", "object": "product"}]}, "rules": {"1": rule}});
        }
        assert!(compile_rule_set(&set(json!({"1": rule})))
            .unwrap_err()
            .contains("RULE_DEPTH_EXCEEDED"));
        assert!(compile_rule_set(&set(
            json!({"1": {"name": "customer.metadata", "conditions": {"$is": ["x"]}}})
        ))
        .unwrap_err()
        .contains("property"));
    }

    #[test]
    fn item_matchers_keep_targets_apart_from_conditions() {
        let s = compile_rule_set(&set(json!({"1": {
            "name": "order.items.any",
            "conditions": {"$is": [{"id": "prod_a", "object": "product"}], "$from": ["pc_x"]},
            "rules": {"1": {"name": "order.items.quantity", "conditions": {"$more_than_or_equal": [2]}}}
        }})))
        .unwrap();
        let r = &s.rules[0];
        assert_eq!(r.targets.len(), 2);
        assert!(r.conditions.is_empty());
        assert_eq!(
            r.sub.as_ref().unwrap().rules[0].kind,
            RuleKind::LineQuantity
        );
    }
}
