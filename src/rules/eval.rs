//! Evaluating the plan's rule sets against an order, a customer and counters.

use std::collections::BTreeMap;

use serde_json::Value;

use super::conditions::{holds, Clock};
use super::nudge::{MissingItem, Nudge};
use crate::money::Money;
use crate::order::{Line, OrderState};
use crate::plan::{
    Condition, CounterAdd, CounterScope, ItemMatcher, Logic, Metadata, Operator, Rule, RuleKind,
    RuleSet, TargetObject,
};
use crate::request::CustomerInput;

/// Everything a rule can look at.
pub struct EvalContext<'a> {
    /// The order as it stands before this redeemable.
    pub state: &'a OrderState,
    /// `order.amount`: the running total before this redeemable.
    pub amount_before: Money,
    /// `order.total_amount`: the total after this redeemable.
    pub total_after: Money,
    /// The customer, if sent.
    pub customer: Option<&'a CustomerInput>,
    /// Order metadata.
    pub order_metadata: &'a Metadata,
    /// Redemption metadata.
    pub redemption_metadata: &'a Metadata,
    /// Counters of this code or tier.
    pub redeemable_counters: Option<&'a BTreeMap<String, i64>>,
    /// Counters of its campaign.
    pub campaign_counters: Option<&'a BTreeMap<String, i64>>,
    /// This redeemable's discount (for `campaign.orders.amount_discounted`).
    pub this_discount: Money,
    /// This redeemable's gift credits.
    pub this_credits: Money,
    /// This redeemable's points.
    pub this_points: i64,
    /// The customer (`source_id`) the code is published to.
    pub holder: Option<&'a str>,
    /// Now and the project zone.
    pub clock: Clock<'a>,
}

/// Which generic error key a failed rule maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// `order_rules_violated`.
    Order,
    /// `customer_rules_violated`.
    Customer,
    /// `redemption_rules_violated`.
    Redemption,
}

impl FailureKind {
    /// The Voucherify error key.
    pub fn key(self) -> &'static str {
        match self {
            FailureKind::Order => "order_rules_violated",
            FailureKind::Customer => "customer_rules_violated",
            FailureKind::Redemption => "redemption_rules_violated",
        }
    }
}

/// The first failing rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Which error key it maps to.
    pub kind: FailureKind,
    /// Rule numbers from the top, e.g. `2.1`.
    pub path: String,
    /// The rule name.
    pub rule: String,
    /// The innermost configured message on the path, if any.
    pub message: Option<String>,
}

/// The outcome of a rule set.
#[derive(Debug, Clone, Default)]
pub struct RuleOutcome {
    /// Whether it holds.
    pub passed: bool,
    /// Why not.
    pub failure: Option<Failure>,
    /// What would make it hold, when a simple change would.
    pub nudges: Vec<Nudge>,
    /// Counters the rules read that the request did not supply (assumed 0).
    pub counters_assumed: Vec<String>,
}

/// Rule numbers from the top (`2.1` is rule 1 inside rule 2), borrowed
/// from the plan: built as text only for the failure that is reported.
#[derive(Clone, Copy)]
struct RulePath<'r> {
    parts: [&'r str; crate::limits::MAX_RULE_DEPTH + 1],
    len: usize,
}

impl<'r> RulePath<'r> {
    const ROOT: RulePath<'static> = RulePath {
        parts: [""; crate::limits::MAX_RULE_DEPTH + 1],
        len: 0,
    };

    fn child(self, number: &'r str) -> RulePath<'r> {
        let mut out = self;
        if let Some(slot) = out.parts.get_mut(self.len) {
            *slot = number;
            out.len += 1;
        }
        out
    }

    fn text(&self) -> String {
        self.parts.get(..self.len).unwrap_or_default().join(".")
    }
}

/// A rule as a failure names it (kind, path, name, innermost message).
#[derive(Clone, Copy)]
struct Ident<'r> {
    kind: FailureKind,
    path: RulePath<'r>,
    rule: &'r str,
    message: Option<&'r str>,
}

impl Ident<'_> {
    const NOBODY: Ident<'static> = Ident {
        kind: FailureKind::Order,
        path: RulePath::ROOT,
        rule: "",
        message: None,
    };

    fn failure(&self) -> Failure {
        Failure {
            kind: self.kind,
            path: self.path.text(),
            rule: self.rule.to_string(),
            message: self.message.map(str::to_string),
        }
    }
}

struct Leaf<'r> {
    passed: bool,
    failure: Option<Ident<'r>>,
    nudges: Option<Vec<Nudge>>,
    /// Who this leaf is, whether or not it failed.
    ident: Ident<'r>,
}

/// Lines a rule set looks at: all of the order's at the top, the matched
/// lines (and one focused line) inside an item matcher.
#[derive(Clone, Copy)]
struct Scope<'s> {
    lines: &'s [&'s Line],
    focus: Option<&'s Line>,
}

fn kind_of(kind: &RuleKind) -> FailureKind {
    match kind {
        RuleKind::CustomerSegment
        | RuleKind::CustomerMetadata(_)
        | RuleKind::CustomerLoyaltyTier
        | RuleKind::HolderOnly => FailureKind::Customer,
        RuleKind::Counter(_) | RuleKind::RedemptionMetadata(_) => FailureKind::Redemption,
        _ => FailureKind::Order,
    }
}

fn num(v: i64) -> Value {
    Value::from(v)
}

fn all_hold(conds: &[Condition], actual: Option<&Value>, ctx: &EvalContext<'_>) -> bool {
    conds.iter().all(|c| holds(c, actual, &ctx.clock))
}

/// The smallest value that satisfies the lower-bound conditions, if every
/// condition is a lower bound (`$more_than`, `$more_than_or_equal`).
fn lower_bound(conds: &[Condition]) -> Option<i64> {
    let mut need: Option<i64> = None;
    for c in conds {
        let v = c.values.first().and_then(super::conditions::as_decimal)?;
        let v = rust_decimal::prelude::ToPrimitive::to_i64(&v.ceil())?;
        let n = match c.op {
            Operator::MoreThan => v.checked_add(1)?,
            Operator::MoreThanOrEqual => v,
            _ => return None,
        };
        need = Some(need.map_or(n, |m: i64| m.max(n)));
    }
    need
}

fn amount_nudge(rule: &Rule, current: Money) -> Option<Vec<Nudge>> {
    let need = lower_bound(&rule.conditions)?;
    (need > current.0).then(|| {
        vec![Nudge::AddAmount {
            amount: Money(need - current.0),
            rule: rule.name.clone(),
        }]
    })
}

fn target_matches(line: &Line, rule: &Rule) -> bool {
    rule.targets.iter().all(|(op, targets)| {
        let any = targets.iter().any(|t| line.matches(t.object, t.key));
        match op {
            Operator::IsNot | Operator::NotIn => !any,
            _ => any,
        }
    })
}

fn object_name(o: Option<TargetObject>) -> Option<&'static str> {
    o.map(|o| match o {
        TargetObject::Product => "product",
        TargetObject::Sku => "sku",
        TargetObject::ProductsCollection => "products_collection",
    })
}

fn items_nudge(rule: &Rule, matched: &[&Line]) -> Option<Vec<Nudge>> {
    let (op, targets) = rule.targets.first()?;
    if rule.targets.len() != 1 || !matches!(op, Operator::Is | Operator::In) || targets.len() != 1 {
        return None;
    }
    let target = targets.first()?;
    let mut need: i64 = 1;
    let mut have: i64 = matched.iter().map(|l| l.quantity).max().unwrap_or(0);
    if let Some(sub) = &rule.sub {
        if !matches!(sub.logic, Logic::True) && sub.rules.len() > 1 {
            return None;
        }
        for r in &sub.rules {
            match r.kind {
                RuleKind::LineQuantity => need = need.max(lower_bound(&r.conditions)?),
                RuleKind::LineAggregatedQuantity => {
                    need = need.max(lower_bound(&r.conditions)?);
                    have = matched.iter().map(|l| l.quantity).sum();
                }
                _ => return None,
            }
        }
    }
    (need > have).then(|| {
        vec![Nudge::AddItems {
            items: vec![MissingItem {
                object: object_name(target.object),
                id: target.id.clone(),
                quantity: need - have,
            }],
        }]
    })
}

fn sum_qty(lines: &[&Line]) -> i64 {
    lines.iter().map(|l| l.quantity).sum()
}

fn sum_amount(lines: &[&Line]) -> i64 {
    lines.iter().map(|l| l.amount().0).sum()
}

fn counter_value(
    rule: &crate::plan::CounterRule,
    ctx: &EvalContext<'_>,
    assumed: &mut Vec<String>,
) -> i64 {
    let map = match rule.scope {
        CounterScope::Redeemable => ctx.redeemable_counters,
        CounterScope::Campaign => ctx.campaign_counters,
    };
    let base = match map.and_then(|m| m.get(rule.key.as_str())) {
        Some(v) => *v,
        None => {
            let scope = match rule.scope {
                CounterScope::Redeemable => "redeemables",
                CounterScope::Campaign => "campaigns",
            };
            assumed.push(format!("{scope}.{}", rule.key.as_str()));
            0
        }
    };
    let add = match rule.add {
        CounterAdd::One => 1,
        CounterAdd::OrderAmount => ctx.state.initial_amount.0,
        CounterAdd::Discount => ctx.this_discount.0,
        CounterAdd::Credits => ctx.this_credits.0,
        CounterAdd::Points => ctx.this_points,
    };
    base.saturating_add(add)
}

fn eval_rule<'r>(
    rule: &'r Rule,
    path: RulePath<'r>,
    scope: Scope<'_>,
    ctx: &EvalContext<'_>,
    assumed: &mut Vec<String>,
) -> Leaf<'r> {
    let mut nudges = None;
    let mut inner_failure: Option<Ident<'r>> = None;
    let conds = &rule.conditions;
    let passed = match &rule.kind {
        RuleKind::OrderAmount => {
            let ok = all_hold(conds, Some(&num(ctx.amount_before.0)), ctx);
            if !ok {
                nudges = amount_nudge(rule, ctx.amount_before);
            }
            ok
        }
        RuleKind::OrderTotalAmount => all_hold(conds, Some(&num(ctx.total_after.0)), ctx),
        RuleKind::OrderInitialAmount => {
            let ok = all_hold(conds, Some(&num(ctx.state.initial_amount.0)), ctx);
            if !ok {
                nudges = amount_nudge(rule, ctx.state.initial_amount);
            }
            ok
        }
        RuleKind::OrderItemsCount => {
            let count = i64::try_from(scope.lines.len()).unwrap_or(i64::MAX);
            let ok = all_hold(conds, Some(&num(count)), ctx);
            if !ok {
                nudges = lower_bound(conds)
                    .filter(|n| *n > count)
                    .map(|n| vec![Nudge::AddLines { count: n - count }]);
            }
            ok
        }
        RuleKind::OrderItemsPriceAny => scope
            .lines
            .iter()
            .any(|l| all_hold(conds, Some(&num(l.price.0)), ctx)),
        RuleKind::OrderItemsPriceEach => {
            !scope.lines.is_empty()
                && scope
                    .lines
                    .iter()
                    .all(|l| all_hold(conds, Some(&num(l.price.0)), ctx))
        }
        RuleKind::OrderItemsMetadataAny(p) => scope
            .lines
            .iter()
            .any(|l| all_hold(conds, l.metadata.get(p), ctx)),
        RuleKind::OrderItemsMetadataEach(p) => {
            !scope.lines.is_empty()
                && scope
                    .lines
                    .iter()
                    .all(|l| all_hold(conds, l.metadata.get(p), ctx))
        }
        RuleKind::OrderItemsProductMetadataAny(p) => scope
            .lines
            .iter()
            .any(|l| all_hold(conds, l.product_metadata.get(p), ctx)),
        RuleKind::OrderMetadata(p) => all_hold(conds, ctx.order_metadata.get(p), ctx),
        RuleKind::Items(matcher) => {
            let matched: Vec<&Line> = scope
                .lines
                .iter()
                .copied()
                .filter(|l| target_matches(l, rule))
                .collect();
            // The innermost failing sub-rule, from the line that decided.
            let sub_failure: std::cell::Cell<Option<Ident<'r>>> = std::cell::Cell::new(None);
            let sub_ok = |focus: &Line| -> bool {
                match &rule.sub {
                    None => true,
                    Some(sub) => {
                        let mut ignore = Vec::new();
                        let scope = Scope {
                            lines: &matched,
                            focus: Some(focus),
                        };
                        let leaf = eval_set(sub, path, scope, ctx, &mut ignore);
                        if !leaf.passed && sub_failure.get().is_none() {
                            sub_failure.set(leaf.failure);
                        }
                        leaf.passed
                    }
                }
            };
            let extreme = |cheapest: bool| {
                scope.lines.iter().copied().min_by(|a, b| {
                    let by_price = if cheapest {
                        a.price.cmp(&b.price)
                    } else {
                        b.price.cmp(&a.price)
                    };
                    by_price.then_with(|| (a.rank, a.index).cmp(&(b.rank, b.index)))
                })
            };
            let ok = match matcher {
                ItemMatcher::Any => matched.iter().any(|l| sub_ok(l)),
                ItemMatcher::Every => {
                    !scope.lines.is_empty()
                        && matched.len() == scope.lines.len()
                        && matched.iter().all(|l| sub_ok(l))
                }
                ItemMatcher::None => !matched.iter().any(|l| sub_ok(l)),
                ItemMatcher::Cheapest => {
                    extreme(true).is_some_and(|l| target_matches(l, rule) && sub_ok(l))
                }
                ItemMatcher::MostExpensive => {
                    extreme(false).is_some_and(|l| target_matches(l, rule) && sub_ok(l))
                }
            };
            if !ok && *matcher == ItemMatcher::Any {
                nudges = items_nudge(rule, &matched);
            }
            if !ok {
                inner_failure = sub_failure.get();
            }
            ok
        }
        RuleKind::LineQuantity => scope
            .focus
            .is_some_and(|l| all_hold(conds, Some(&num(l.quantity)), ctx)),
        RuleKind::LinePrice => scope
            .focus
            .is_some_and(|l| all_hold(conds, Some(&num(l.price.0)), ctx)),
        RuleKind::LineMetadata(p) => scope
            .focus
            .is_some_and(|l| all_hold(conds, l.metadata.get(p), ctx)),
        RuleKind::LineProductMetadata(p) => scope
            .focus
            .is_some_and(|l| all_hold(conds, l.product_metadata.get(p), ctx)),
        RuleKind::LineAggregatedQuantity => all_hold(conds, Some(&num(sum_qty(scope.lines))), ctx),
        RuleKind::LineAggregatedAmount => all_hold(conds, Some(&num(sum_amount(scope.lines))), ctx),
        RuleKind::ProductMetadataAggregatedQuantity(p)
        | RuleKind::ProductMetadataAggregatedAmount(p) => {
            // The conditions name the metadata value; the aggregate must be positive.
            let matching: Vec<&Line> = scope
                .lines
                .iter()
                .copied()
                .filter(|l| all_hold(conds, l.product_metadata.get(p), ctx))
                .collect();
            !matching.is_empty()
        }
        RuleKind::DiscountApplicable => true,
        RuleKind::CustomerSegment => {
            let segs: Vec<Value> = ctx
                .customer
                .map(|c| c.segments.iter().map(|s| Value::from(s.as_str())).collect())
                .unwrap_or_default();
            all_hold(conds, Some(&Value::Array(segs)), ctx)
        }
        RuleKind::CustomerMetadata(p) => {
            all_hold(conds, ctx.customer.and_then(|c| c.metadata.get(p)), ctx)
        }
        RuleKind::CustomerLoyaltyTier => {
            let tier = ctx
                .customer
                .and_then(|c| c.loyalty_tier.as_deref())
                .map(Value::from);
            all_hold(conds, tier.as_ref(), ctx)
        }
        RuleKind::RedemptionMetadata(p) => all_hold(conds, ctx.redemption_metadata.get(p), ctx),
        RuleKind::Counter(c) => {
            let v = counter_value(c, ctx, assumed);
            all_hold(conds, Some(&num(v)), ctx)
        }
        RuleKind::HolderOnly => match ctx.holder {
            Some(h) => ctx.customer.is_some_and(|c| c.is(h)),
            None => true,
        },
    };
    let mut ident = Ident {
        kind: kind_of(&rule.kind),
        path,
        rule: &rule.name,
        message: rule.message.as_deref(),
    };
    if let Some(inner) = inner_failure {
        // Path and rule name of the innermost failing sub-rule; the
        // matcher's own message, if it has one, wins over the sub-rule's.
        ident.path = inner.path;
        ident.rule = inner.rule;
        ident.message = rule.message.as_deref().or(inner.message);
    }
    Leaf {
        passed,
        failure: (!passed).then_some(ident),
        nudges,
        ident,
    }
}

fn eval_set<'r>(
    set: &'r RuleSet,
    prefix: RulePath<'r>,
    scope: Scope<'_>,
    ctx: &EvalContext<'_>,
    assumed: &mut Vec<String>,
) -> Leaf<'r> {
    let leaves: Vec<Leaf<'r>> = set
        .rules
        .iter()
        .zip(&set.numbers)
        .map(|(rule, number)| eval_rule(rule, prefix.child(number), scope, ctx, assumed))
        .collect();
    combine(&set.logic, &leaves)
}

fn combine<'r>(logic: &Logic, leaves: &[Leaf<'r>]) -> Leaf<'r> {
    match logic {
        Logic::True => Leaf {
            passed: true,
            failure: None,
            nudges: Some(Vec::new()),
            ident: Ident::NOBODY,
        },
        Logic::Rule(i) => match leaves.get(*i) {
            Some(l) => Leaf {
                passed: l.passed,
                failure: l.failure,
                nudges: l.nudges.clone(),
                ident: l.ident,
            },
            None => Leaf {
                passed: false,
                failure: None,
                nudges: None,
                ident: Ident::NOBODY,
            },
        },
        Logic::And(a, b) => {
            let (a, b) = (combine(a, leaves), combine(b, leaves));
            let nudges = match (a.passed, b.passed) {
                (true, true) => Some(Vec::new()),
                (false, true) => a.nudges,
                (true, false) => b.nudges,
                (false, false) => a.nudges.zip(b.nudges).map(|(mut x, y)| {
                    x.extend(y);
                    x
                }),
            };
            Leaf {
                passed: a.passed && b.passed,
                failure: a.failure.or(b.failure),
                nudges,
                ident: a.ident,
            }
        }
        Logic::Or(a, b) => {
            let (a, b) = (combine(a, leaves), combine(b, leaves));
            if a.passed || b.passed {
                return Leaf {
                    passed: true,
                    failure: None,
                    nudges: Some(Vec::new()),
                    ident: a.ident,
                };
            }
            Leaf {
                passed: false,
                failure: a.failure.or(b.failure),
                nudges: a.nudges.or(b.nudges),
                ident: a.ident,
            }
        }
        Logic::Not(inner) => {
            let inner_leaf = combine(inner, leaves);
            // A negated expression that holds has no failing rule of its own:
            // report the first rule it names.
            let failure = first_rule(inner)
                .and_then(|i| leaves.get(i))
                .map(|l| l.ident);
            Leaf {
                passed: !inner_leaf.passed,
                failure: if inner_leaf.passed { failure } else { None },
                nudges: None,
                ident: inner_leaf.ident,
            }
        }
    }
}

fn first_rule(logic: &Logic) -> Option<usize> {
    match logic {
        Logic::True => None,
        Logic::Rule(i) => Some(*i),
        Logic::And(a, b) | Logic::Or(a, b) => first_rule(a).or_else(|| first_rule(b)),
        Logic::Not(a) => first_rule(a),
    }
}

/// Evaluates a rule set over the whole order.
pub fn evaluate(set: &RuleSet, ctx: &EvalContext<'_>) -> RuleOutcome {
    let lines: Vec<&Line> = ctx.state.lines.iter().collect();
    let mut assumed = Vec::new();
    let leaf = eval_set(
        set,
        RulePath::ROOT,
        Scope {
            lines: &lines,
            focus: None,
        },
        ctx,
        &mut assumed,
    );
    assumed.sort();
    assumed.dedup();
    RuleOutcome {
        passed: leaf.passed,
        failure: if leaf.passed {
            None
        } else {
            leaf.failure.map(|f| f.failure())
        },
        nudges: if leaf.passed {
            Vec::new()
        } else {
            leaf.nudges.unwrap_or_default()
        },
        counters_assumed: assumed,
    }
}
