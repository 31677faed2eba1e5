//! Earning rules and the points a cart earns.

use std::collections::HashMap;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::money::{decimal_from_json, Money};
use crate::order::OrderState;
use crate::request::ValidationRequest;
use crate::rules::conditions::Clock;
use crate::rules::{evaluate, EvalContext, ItemTarget};
use crate::snapshot::{CompiledSnapshot, TargetObject};
use crate::time::{CompiledValidity, Instant, WindowStatus};

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

/// What a proportional rule counts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Basis {
    OrderAmount,
    OrderTotalAmount,
    ItemsAmount(Option<ItemTarget>),
    ItemsSubtotal(Option<ItemTarget>),
    ItemsQuantity(Option<ItemTarget>),
    OrderMetadata(String),
    CustomerMetadata(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Calculation {
    Fixed(i64),
    Proportional {
        basis: Basis,
        every: i64,
        points: i64,
    },
}

/// How a member tier changes a rule's points.
#[derive(Debug, Clone, PartialEq)]
pub enum TierModifier {
    /// Points × multiplier, rounded half-up.
    Multiply(Decimal),
    /// A fixed number of points instead.
    Custom(i64),
}

/// A compiled `order.paid` earning rule.
#[derive(Debug, Clone)]
pub struct CompiledEarningRule {
    /// Earning rule id.
    pub id: String,
    /// Position of its campaign.
    pub campaign: usize,
    calculation: Calculation,
    /// Validation rules (positions in the snapshot's rules).
    pub rules: Vec<usize>,
    validity: CompiledValidity,
    /// Tier id → modifier.
    pub tiers: HashMap<String, TierModifier>,
    /// `points_formula`: its value (rounded to the nearest point) replaces
    /// the computed points when it evaluates.
    formula: Option<crate::discounts::Dynamic>,
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
    }))
}

fn property(e: &Every) -> Result<String, String> {
    e.property
        .clone()
        .ok_or_else(|| "a metadata basis needs a `property`".to_string())
}

/// Compiles one earning rule's `loyalty` object and time fields.
pub fn compile_earning_rule(
    id: &str,
    campaign: usize,
    loyalty: &Value,
    rules: Vec<usize>,
    validity: CompiledValidity,
    tiers: HashMap<String, TierModifier>,
) -> Result<CompiledEarningRule, String> {
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
    Ok(CompiledEarningRule {
        id: id.to_string(),
        campaign,
        calculation,
        rules,
        validity,
        tiers,
        formula,
    })
}

/// Points a cart earns in one loyalty campaign.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct EarnedPoints {
    /// Campaign id.
    pub campaign_id: String,
    /// Campaign name.
    pub campaign_name: String,
    /// Total points.
    pub points: i64,
    /// Per earning rule.
    pub rules: Vec<RulePoints>,
}

/// Points from one earning rule.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RulePoints {
    /// Earning rule id.
    pub earning_rule_id: String,
    /// Points.
    pub points: i64,
}

fn items_sum(
    state: &OrderState,
    target: &Option<ItemTarget>,
    f: impl Fn(&crate::order::Line) -> i64,
) -> i64 {
    state
        .lines
        .iter()
        .filter(|l| target.as_ref().is_none_or(|t| l.matches(t.object, &t.id)))
        .map(f)
        .fold(0_i64, |a, b| a.saturating_add(b))
}

fn metadata_number(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => decimal_from_json(n)?.floor().to_i64(),
        Value::String(s) => s.trim().parse::<Decimal>().ok()?.floor().to_i64(),
        _ => None,
    }
}

/// The order's amounts every earning rule may read, summed once.
struct Amounts {
    before_discounts: i64,
    after_discounts: i64,
}

fn base_points(
    rule: &CompiledEarningRule,
    initial: &OrderState,
    after: &OrderState,
    amounts: &Amounts,
    req: &ValidationRequest,
) -> Option<i64> {
    match &rule.calculation {
        Calculation::Fixed(p) => Some(*p),
        Calculation::Proportional {
            basis,
            every,
            points,
        } => {
            let value = match basis {
                Basis::OrderAmount => amounts.before_discounts,
                Basis::OrderTotalAmount => amounts.after_discounts,
                Basis::ItemsAmount(t) => items_sum(initial, t, |l| l.amount().0),
                Basis::ItemsSubtotal(t) => items_sum(after, t, |l| l.subtotal().0),
                // Free units added by unit effects earn nothing.
                Basis::ItemsQuantity(t) => items_sum(after, t, |l| l.initial_quantity),
                Basis::OrderMetadata(p) => metadata_number(req.order.metadata.get(p))?,
                Basis::CustomerMetadata(p) => {
                    metadata_number(req.customer.as_ref()?.metadata.get(p))?
                }
            };
            // Only whole increments of `every` count (floor).
            Some((value.max(0) / every).saturating_mul(*points))
        }
    }
}

/// The points the order earns in every loyalty campaign whose rules it
/// meets, after the request's discounts (`after`).
pub fn preview_points(
    snap: &CompiledSnapshot,
    req: &ValidationRequest,
    initial: &OrderState,
    after: &OrderState,
    now: Instant,
) -> Vec<EarnedPoints> {
    let mut out: Vec<EarnedPoints> = Vec::new();
    let tier = req
        .customer
        .as_ref()
        .and_then(|c| c.loyalty_tier.as_deref());
    let total = after.total().unwrap_or(Money::ZERO);
    let amounts = Amounts {
        before_discounts: initial.amount().map(|m| m.0).unwrap_or(0),
        after_discounts: total.0,
    };
    for rule in &snap.earning_rules {
        let Some(camp) = snap.campaigns.get(rule.campaign) else {
            continue;
        };
        if !camp.active || rule.validity.status(now, &snap.tz) != WindowStatus::Active {
            continue;
        }
        let passes = rule.rules.iter().all(|i| {
            let Some(Ok(vr)) = snap.rules.get(*i) else {
                return false;
            };
            let ctx = EvalContext {
                state: after,
                amount_before: total,
                total_after: total,
                customer: req.customer.as_ref(),
                order_metadata: &req.order.metadata,
                redemption_metadata: &req.metadata,
                redeemable_counters: None,
                campaign_counters: req.counters.campaigns.get(&camp.id),
                this_discount: Money::ZERO,
                this_credits: Money::ZERO,
                this_points: 0,
                holder: None,
                clock: Clock { now, tz: &snap.tz },
            };
            evaluate(&vr.rules, &ctx).passed
        });
        if !passes {
            continue;
        }
        let Some(mut points) = base_points(rule, initial, after, &amounts, req) else {
            continue;
        };
        if let Some(f) = &rule.formula {
            let scope = crate::discounts::FormulaScope {
                exponent: snap.currency.exponent,
                customer: req.customer.as_ref(),
                order_metadata: &req.order.metadata,
                redemption_metadata: &req.metadata,
                redeemable_metadata: &crate::snapshot::Metadata::new(),
                facts: crate::discounts::RedeemableFacts::default(),
                now,
                tz: &snap.tz,
            };
            // Points from formulas are rounded to the nearest whole point.
            let rounded = scope.number(f, after, None).and_then(|v| {
                v.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
                    .to_i64()
            });
            if let Some(p) = rounded {
                points = p;
            }
        }
        if let Some(m) = tier.and_then(|t| rule.tiers.get(t)) {
            points = match m {
                TierModifier::Custom(p) => *p,
                TierModifier::Multiply(x) => (Decimal::from(points) * x)
                    .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
                    .to_i64()
                    .unwrap_or(points),
            };
        }
        if points <= 0 {
            continue;
        }
        let entry = match out.iter_mut().position(|e| e.campaign_id == camp.id) {
            Some(i) => out.get_mut(i),
            None => {
                out.push(EarnedPoints {
                    campaign_id: camp.id.clone(),
                    campaign_name: camp.name.clone(),
                    points: 0,
                    rules: Vec::new(),
                });
                out.last_mut()
            }
        };
        if let Some(e) = entry {
            e.points = e.points.saturating_add(points);
            e.rules.push(RulePoints {
                earning_rule_id: rule.id.clone(),
                points,
            });
        }
    }
    out
}
