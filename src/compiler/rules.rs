//! Validation rules from their source form: rule names and operators
//! resolved, operands checked, `logic` parsed, nesting bounded.
//!
//! A rule the engine does not understand (unknown name or operator, too
//! deep, malformed operands) fails *closed*: compiling returns a message,
//! and the campaign compiler disables the redeemables using it with a
//! publish warning. It never crashes and never grants a discount.

use serde_json::Value;

use super::source::{self, RuleSource};
use crate::limits::MAX_RULE_DEPTH;
use crate::plan::{
    Condition, CounterAdd, CounterName, CounterRule, CounterScope, ItemMatcher, ItemTarget,
    Operator, Rule, RuleKind, RuleSet, TargetObject,
};
use crate::time::{parse_duration, parse_hhmm, Instant};

/// Parses an operator key; aliases of older rule sets are accepted.
pub fn operator(key: &str) -> Option<Operator> {
    Some(match key {
        "$is" => Operator::Is,
        "$is_not" => Operator::IsNot,
        "$in" => Operator::In,
        "$not_in" => Operator::NotIn,
        "$less_than" => Operator::LessThan,
        "$less_than_or_equal" | "$less_than_equal" => Operator::LessThanOrEqual,
        "$more_than" | "$greater_than" => Operator::MoreThan,
        "$more_than_or_equal" | "$more_than_equal" | "$greater_than_or_equal" => {
            Operator::MoreThanOrEqual
        }
        "$starts_with" => Operator::StartsWith,
        "$ends_with" => Operator::EndsWith,
        "$contains" => Operator::Contains,
        "$not_contain" | "$not_contains" => Operator::NotContain,
        "$count" => Operator::Count,
        "$count_more" => Operator::CountMore,
        "$count_less" => Operator::CountLess,
        "$from" => Operator::From,
        "$after" => Operator::After,
        "$before" => Operator::Before,
        "$more_than_ago" => Operator::MoreThanAgo,
        "$less_than_ago" => Operator::LessThanAgo,
        "$is_days_ago" => Operator::IsDaysAgo,
        "$more_than_future" => Operator::MoreThanFuture,
        "$less_than_future" => Operator::LessThanFuture,
        "$is_days_in_future" => Operator::IsDaysInFuture,
        "$timeframe" => Operator::Timeframe,
        "$timeframe_absolute" => Operator::TimeframeAbsolute,
        "$timeframe_daily_hours" => Operator::TimeframeDailyHours,
        "$dow" => Operator::Dow,
        "$not_differ" => Operator::NotDiffer,
        "$not_intersect" => Operator::NotIntersect,
        "$has_value" => Operator::HasValue,
        "$is_unknown" => Operator::IsUnknown,
        _ => return None,
    })
}

/// Validates a condition's operand shape at load, so a malformed operand
/// disables the redeemable instead of silently never matching.
fn check_operands(cond: &Condition) -> Result<(), String> {
    let needs_number = matches!(
        cond.op,
        Operator::Count
            | Operator::CountMore
            | Operator::CountLess
            | Operator::MoreThanAgo
            | Operator::LessThanAgo
            | Operator::IsDaysAgo
            | Operator::MoreThanFuture
            | Operator::LessThanFuture
            | Operator::IsDaysInFuture
    );
    if needs_number && crate::rules::conditions::first_int(&cond.values).is_none() {
        return Err("operator needs a whole number operand".into());
    }
    if matches!(cond.op, Operator::Timeframe) {
        for v in &cond.values {
            let ok = v.as_str().is_some_and(|s| {
                let p: Vec<&str> = s.split(';').collect();
                p.len() == 3
                    && p.first().is_some_and(|x| Instant::parse(x).is_ok())
                    && p.get(1).is_some_and(|x| parse_duration(x).is_some())
                    && p.get(2).is_some_and(|x| parse_duration(x).is_some())
            });
            if !ok {
                return Err(format!(
                    "`$timeframe` operand {v} is not `start;interval;duration`"
                ));
            }
        }
    }
    if matches!(cond.op, Operator::TimeframeDailyHours) {
        for v in &cond.values {
            let ok = v.as_str().is_some_and(|s| {
                let p: Vec<&str> = s.split(';').collect();
                p.len() >= 2
                    && p.first().and_then(|x| parse_hhmm(x)).is_some()
                    && p.get(1).and_then(|x| parse_hhmm(x)).is_some()
            });
            if !ok {
                return Err(format!(
                    "`$timeframe_daily_hours` operand {v} is not `HH:mm;HH:mm;days`"
                ));
            }
        }
    }
    Ok(())
}

fn counter(scope: CounterScope, key: CounterName, add: CounterAdd) -> RuleKind {
    RuleKind::Counter(CounterRule { scope, key, add })
}

fn kind_of(name: &str, property: Option<&str>, nested: bool) -> Result<RuleKind, String> {
    use CounterAdd::*;
    use CounterName as N;
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
        "redemption.count.per_customer" => counter(Redeemable, N::CustomerRedemptions, One),
        "redemption.count.per_customer.daily" => {
            counter(Redeemable, N::CustomerRedemptionsDaily, One)
        }
        "redemption.count.per_customer.weekly" => {
            counter(Redeemable, N::CustomerRedemptionsWeekly, One)
        }
        "redemption.count.per_customer.monthly" => {
            counter(Redeemable, N::CustomerRedemptionsMonthly, One)
        }
        "redemption.count.daily" => counter(Redeemable, N::RedemptionsDaily, One),
        "redemption.count.weekly" => counter(Redeemable, N::RedemptionsWeekly, One),
        "redemption.count.monthly" => counter(Redeemable, N::RedemptionsMonthly, One),
        "redemption.gift.amount" => counter(Campaign, N::GiftAmount, Credits),
        "redemption.reward.pay_with_points.points_used" => counter(Campaign, N::PointsUsed, Points),
        "campaign.redemptions.count" => counter(Campaign, N::Redemptions, One),
        "campaign.redemptions.count.daily" => counter(Campaign, N::RedemptionsDaily, One),
        "campaign.redemptions.count.weekly" => counter(Campaign, N::RedemptionsWeekly, One),
        "campaign.redemptions.count.monthly" => counter(Campaign, N::RedemptionsMonthly, One),
        "campaign.redemptions.customers_count" => counter(Campaign, N::CustomerRedemptions, One),
        "campaign.redemptions.customers_count.daily" => {
            counter(Campaign, N::CustomerRedemptionsDaily, One)
        }
        "campaign.redemptions.customers_count.weekly" => {
            counter(Campaign, N::CustomerRedemptionsWeekly, One)
        }
        "campaign.redemptions.customers_count.monthly" => {
            counter(Campaign, N::CustomerRedemptionsMonthly, One)
        }
        "campaign.orders.amount" => counter(Campaign, N::OrdersAmount, OrderAmount),
        "campaign.orders.amount_discounted" => counter(Campaign, N::AmountDiscounted, Discount),
        other => return Err(format!("unknown rule name `{other}`")),
    })
}

fn parse_target(v: &Value) -> Result<ItemTarget, String> {
    match v {
        Value::String(id) => Ok(ItemTarget {
            object: None,
            id: id.clone(),
            key: 0,
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
                key: 0,
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

fn compile_rule(source: &RuleSource, depth: usize) -> Result<Rule, String> {
    let kind = kind_of(&source.name, source.property.as_deref(), depth > 0)?;
    let mut conditions = Vec::new();
    let mut targets = Vec::new();
    for (key, value) in &source.conditions {
        let op = operator(key)
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
                        key: 0,
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
    Ok(Rule {
        kind,
        conditions,
        targets,
        sub,
        message: source.error.as_ref().map(|e| e.message.clone()),
        name: source.name.clone(),
    })
}

fn compile_at(set: &source::RuleSet, depth: usize) -> Result<RuleSet, String> {
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
    let logic = super::logic::parse(set.logic.as_deref(), &numbers)?;
    Ok(RuleSet {
        numbers,
        rules,
        logic,
    })
}

/// Compiles a rule set; an error disables whatever uses it.
pub fn compile_rule_set(set: &source::RuleSet) -> Result<RuleSet, String> {
    compile_at(set, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn set(v: Value) -> source::RuleSet {
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
