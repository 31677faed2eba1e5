//! Earning rules and the points a cart earns.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use crate::money::{decimal_from_json, Money};
use crate::order::OrderState;
use crate::plan::{Basis, Calculation, EarningRule, ItemTarget, Plan, TierModifier};
use crate::request::ValidationRequest;
use crate::rules::conditions::Clock;
use crate::rules::{evaluate, EvalContext};
use crate::time::{Instant, WindowStatus};

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
        .filter(|l| target.as_ref().is_none_or(|t| l.matches(t.object, t.key)))
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
    rule: &EarningRule,
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
    snap: &Plan,
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
                redeemable_metadata: &crate::plan::Metadata::new(),
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
