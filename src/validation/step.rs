//! One redeemable applied to the running order: bundles, effect, rules.

use rust_decimal::Decimal;

use super::gates::{error, Candidate};
use super::response::{
    ConfiguredMessage, FailedRule, GiftResult, LoyaltyResult, Outcome, RedeemableError, TargetList,
    TargetRef,
};
use crate::discounts::{
    apply_discount, Applied, ApplyContext, BundleOutcome, FormulaScope, RedeemableFacts,
};
use crate::error::Error;
use crate::money::Money;
use crate::order::OrderState;
use crate::plan::{
    AmountEffect, CoinReward, Discount, Eligibility, Plan, Redeemable, RedeemableKind,
    TargetEffect, TargetObject, ValidationRule,
};
use crate::request::ValidationRequest;
use crate::rules::conditions::Clock;
use crate::rules::{evaluate, EvalContext, FailureKind, Nudge};
use crate::stacking::{uses_initial_amount, ProductsApplicationMode};
use crate::time::Instant;

/// What happened to one redeemable.
// One is built per redeemable and moved once; boxing would only add allocations.
#[allow(clippy::large_enum_variant)]
pub enum StepOutcome {
    /// It cannot apply to the order as it stands.
    Inapplicable {
        /// Why.
        error: RedeemableError,
        /// What would make it apply.
        nudges: Vec<Nudge>,
        /// Bundle identification, when bundles decided it.
        bundle: Option<BundleOutcome>,
        /// Counters assumed zero.
        counters_assumed: Vec<String>,
    },
    /// It applies; the scratch state holds the order after it (not yet
    /// committed: the stacking limits decide).
    Applied {
        /// What it gave.
        outcome: Outcome,
        /// Targets it touched.
        applicable_to: Option<TargetList>,
        /// Targets it excluded.
        inapplicable_to: Option<TargetList>,
        /// Whether it changed nothing.
        no_effect: bool,
        /// Counters assumed zero.
        counters_assumed: Vec<String>,
    },
}

fn object_name(o: TargetObject) -> &'static str {
    match o {
        TargetObject::Product => "product",
        TargetObject::Sku => "sku",
        TargetObject::ProductsCollection => "products_collection",
    }
}

/// The application rule of a whole-cart line and of an excluded target.
const EVERY: &str = "APPLY_TO_EVERY";

fn effect_name(e: TargetEffect) -> &'static str {
    match e {
        TargetEffect::ApplyToEvery => "APPLY_TO_EVERY",
        TargetEffect::ApplyToCheapest => "APPLY_TO_CHEAPEST",
        TargetEffect::ApplyFromCheapest => "APPLY_FROM_CHEAPEST",
        TargetEffect::ApplyToMostExpensive => "APPLY_TO_MOST_EXPENSIVE",
        TargetEffect::ApplyFromMostExpensive => "APPLY_FROM_MOST_EXPENSIVE",
    }
}

fn target_lists(
    e: &Eligibility,
    state: &OrderState,
    touched: &[usize],
) -> (Option<TargetList>, Option<TargetList>) {
    let line = |i: &usize| state.lines.iter().find(|l| l.index == *i);
    let mut applicable = Vec::new();
    if !e.included.is_empty() {
        for t in &e.included {
            // In the order the discount was applied.
            let idx: Vec<usize> = touched
                .iter()
                .copied()
                .filter(|i| line(i).is_some_and(|l| l.matches(Some(t.object), t.key)))
                .collect();
            if !idx.is_empty() {
                applicable.push(TargetRef {
                    object: object_name(t.object),
                    id: t.id.clone(),
                    strict: false,
                    effect: effect_name(t.effect),
                    order_item_indices: idx,
                });
            }
        }
    } else {
        for i in touched {
            let Some(l) = state.lines.iter().find(|l| l.index == *i) else {
                continue;
            };
            let (object, id) = match (&l.sku_id, &l.product_id, &l.source_id) {
                (Some(s), _, _) => ("sku", s.clone()),
                (None, Some(p), _) => ("product", p.clone()),
                (None, None, Some(s)) => ("product", s.clone()),
                _ => continue,
            };
            match applicable
                .iter_mut()
                .find(|t: &&mut TargetRef| t.object == object && t.id == id)
            {
                Some(t) => t.order_item_indices.push(*i),
                None => applicable.push(TargetRef {
                    object,
                    id,
                    strict: false,
                    effect: EVERY,
                    order_item_indices: vec![*i],
                }),
            }
        }
    }
    let inapplicable: Vec<TargetRef> = e
        .excluded
        .iter()
        .map(|t| TargetRef {
            object: object_name(t.object),
            id: t.id.clone(),
            strict: false,
            effect: EVERY,
            order_item_indices: state
                .lines
                .iter()
                .filter(|l| l.matches(Some(t.object), t.key))
                .map(|l| l.index)
                .collect(),
        })
        .collect();
    (
        (!applicable.is_empty()).then(|| TargetList::of(applicable)),
        (!inapplicable.is_empty()).then(|| TargetList::of(inapplicable)),
    )
}

fn counter(req: &ValidationRequest, id: &str, key: &str) -> Option<i64> {
    req.counters
        .redeemables
        .get(id)
        .and_then(|m| m.get(key))
        .copied()
}

/// Applies `r` to a copy of `state` and checks its rules on the result.
#[allow(clippy::too_many_arguments)]
pub fn run_step(
    snap: &Plan,
    req: &ValidationRequest,
    now: Instant,
    c: &Candidate,
    r: &Redeemable,
    state: &OrderState,
    next: &mut OrderState,
    position: usize,
    detail: super::Detail,
) -> Result<StepOutcome, Error> {
    let rtype = if r.kind == RedeemableKind::PromotionTier {
        "promotion_tier"
    } else {
        "voucher"
    };
    let rules: Vec<_> = r
        .rules
        .iter()
        .filter_map(|i| snap.rules.get(*i).and_then(|x| x.as_ref().ok()))
        .collect();

    // Bundles decide first: without a complete bundle nothing applies.
    let mut multiplier = 1_i64;
    let mut bundle_outcome = None;
    for rule in &rules {
        if let Some(b) = &rule.bundle {
            let found = b.identify(state);
            if found.quantity == 0 {
                let mut err = error(
                    "order_rules_violated",
                    Some("The order does not contain a complete bundle".into()),
                    c.id,
                    rtype,
                );
                err.rule = Some(FailedRule {
                    validation_rule_id: rule.id.clone(),
                    path: "bundle_rules".into(),
                    name: "order.items.any".into(),
                });
                // A customer who fails the customer rules gets that reason:
                // no item added to the cart would change it.
                let nothing = ThisRedemption {
                    total_after: state.total()?,
                    discount: Money::ZERO,
                    credits: Money::ZERO,
                    points: 0,
                };
                let (failure, counters_assumed) =
                    check_rules(snap, req, now, c, r, &rules, state, &nothing)?;
                if let Some((customer_error, _)) =
                    failure.filter(|(e, _)| e.key == FailureKind::Customer.key())
                {
                    return Ok(StepOutcome::Inapplicable {
                        error: customer_error,
                        nudges: Vec::new(),
                        bundle: Some(found),
                        counters_assumed,
                    });
                }
                let nudges = found.nudge().into_iter().collect();
                return Ok(StepOutcome::Inapplicable {
                    error: err,
                    nudges,
                    bundle: Some(found),
                    counters_assumed,
                });
            }
            if b.multiply {
                multiplier = multiplier.max(found.quantity);
            }
            bundle_outcome = Some(found);
        }
    }

    let validity = r.validity.as_ref().as_ref().ok();
    let scope = FormulaScope {
        exponent: snap.currency.exponent,
        customer: req.customer.as_ref(),
        order_metadata: &req.order.metadata,
        redemption_metadata: &req.metadata,
        redeemable_metadata: &r.metadata,
        facts: RedeemableFacts {
            quantity: r.quantity,
            redeemed: Some(counter(req, c.id, "redeemed_quantity").unwrap_or(r.redeemed_quantity)),
            start: validity.and_then(|v| v.start()),
            expiration: validity.and_then(|v| v.expiration()),
            is_tier: r.kind == RedeemableKind::PromotionTier,
        },
        now,
        tz: &snap.tz,
    };
    let ctx = ApplyContext {
        scope: Some(&scope),
        initial_mode: uses_initial_amount(&snap.stacking, &r.categories),
        once: snap.stacking.redeemables_products_application_mode == ProductsApplicationMode::Once,
        rounding: snap.rounding,
        position,
        multiplier,
        catalog: snap,
    };
    next.clone_from(state);
    let mut outcome = Outcome {
        discount: None,
        bundle: bundle_outcome,
        ..Outcome::default()
    };
    let mut credits = Money::ZERO;
    let mut points = 0_i64;
    let applied: Applied = match r.kind {
        RedeemableKind::DiscountVoucher | RedeemableKind::PromotionTier => match &r.discount {
            Some(d) => {
                if detail != super::Detail::Amounts {
                    outcome.discount = r.discount.clone();
                }
                apply_discount(d, &r.eligibility, next, &ctx)?
            }
            None => Applied::default(),
        },
        RedeemableKind::GiftCard => {
            let (balance, to_items) = r.gift.map_or((None, false), |g| (g.balance, g.to_items));
            let balance = counter(req, c.id, "gift_balance")
                .map(Money)
                .or(balance)
                .unwrap_or_default();
            let want = c
                .request
                .gift
                .as_ref()
                .and_then(|g| g.credits)
                .unwrap_or(balance);
            let effect = if to_items {
                AmountEffect::Proportionally
            } else {
                AmountEffect::Order
            };
            let d = Discount::Amount {
                amount_off: want,
                effect,
                aggregated_amount_limit: None,
                formula: None,
            };
            let a = apply_discount(&d, &r.eligibility, next, &ctx)?;
            credits = a.order_discount.try_add(a.items_discount)?;
            outcome.gift = Some(GiftResult {
                credits,
                balance: balance.saturating_sub(credits),
            });
            a
        }
        RedeemableKind::LoyaltyCard => {
            let balance = counter(req, c.id, "loyalty_balance")
                .or(r.loyalty_balance)
                .unwrap_or(0);
            let mut a = Applied::default();
            if let Some(reward) = &c.request.reward {
                let rewards = snap
                    .campaigns
                    .get(r.campaign)
                    .map(|x| x.coin_rewards.as_slice())
                    .unwrap_or(&[]);
                let coin = rewards
                    .iter()
                    .find(|c| reward.named().is_none_or(|rid| rid == c.id));
                if let Some(CoinReward {
                    exchange_ratio: exchange,
                    points_ratio: per,
                    ..
                }) = coin
                {
                    let want_points = reward.points.unwrap_or(0);
                    let scale = Decimal::from(10_i64.pow(snap.currency.exponent));
                    let value = Decimal::from(want_points)
                        .checked_mul(*exchange)
                        .and_then(|v| v.checked_mul(scale))
                        .and_then(|v| v.checked_div(*per))
                        .ok_or(Error::ArithmeticOverflow)?;
                    let value = snap.rounding.round(value)?;
                    let d = Discount::Amount {
                        amount_off: value,
                        effect: AmountEffect::Order,
                        aggregated_amount_limit: None,
                        formula: None,
                    };
                    a = apply_discount(&d, &Eligibility::default(), next, &ctx)?;
                    points = if a.order_discount >= value {
                        want_points
                    } else {
                        // Only the points the order could use: round up so a partial point is paid in full.
                        let unit = exchange.checked_mul(scale).unwrap_or(Decimal::ONE);
                        let needed = a
                            .order_discount
                            .dec()
                            .checked_mul(*per)
                            .and_then(|v| v.checked_div(unit))
                            .unwrap_or_default();
                        rust_decimal::prelude::ToPrimitive::to_i64(&needed.ceil())
                            .unwrap_or(want_points)
                            .min(want_points)
                    };
                }
            }
            outcome.loyalty_card = Some(LoyaltyResult {
                points,
                balance: balance.saturating_sub(points),
            });
            a
        }
    };

    let discount = applied.order_discount.try_add(applied.items_discount)?;
    let effect = ThisRedemption {
        total_after: next.total()?,
        discount,
        credits,
        points,
    };
    let (failure, mut counters_assumed) =
        check_rules(snap, req, now, c, r, &rules, state, &effect)?;
    if let Some((error, nudges)) = failure {
        return Ok(StepOutcome::Inapplicable {
            error,
            nudges,
            bundle: outcome.bundle,
            counters_assumed,
        });
    }
    counters_assumed.dedup();
    let (applicable_to, inapplicable_to) = match detail {
        super::Detail::Answer(_) => target_lists(&r.eligibility, next, &applied.touched),
        super::Detail::Amounts => (None, None),
    };
    Ok(StepOutcome::Applied {
        no_effect: applied.is_empty(),
        outcome,
        applicable_to,
        inapplicable_to,
        counters_assumed,
    })
}

/// What this redemption would do, as the rules see it.
struct ThisRedemption {
    total_after: Money,
    discount: Money,
    credits: Money,
    points: i64,
}

type RuleFailure = (RedeemableError, Vec<Nudge>);

/// Checks every validation rule of `r` on the order as it stands before it;
/// returns the first failure (error and nudges) and the counters assumed.
#[allow(clippy::too_many_arguments)]
fn check_rules(
    snap: &Plan,
    req: &ValidationRequest,
    now: Instant,
    c: &Candidate,
    r: &Redeemable,
    rules: &[&ValidationRule],
    state: &OrderState,
    effect: &ThisRedemption,
) -> Result<(Option<RuleFailure>, Vec<String>), Error> {
    let rtype = if r.kind == RedeemableKind::PromotionTier {
        "promotion_tier"
    } else {
        "voucher"
    };
    let amount_before = state.total()?;
    let mut counters_assumed = Vec::new();
    for rule in rules {
        let ectx = EvalContext {
            state,
            amount_before,
            total_after: effect.total_after,
            customer: req.customer.as_ref(),
            order_metadata: &req.order.metadata,
            redemption_metadata: &req.metadata,
            redeemable_counters: req.counters.redeemables.get(c.id),
            campaign_counters: snap
                .campaigns
                .get(r.campaign)
                .and_then(|camp| req.counters.campaigns.get(&camp.id)),
            this_discount: effect.discount,
            this_credits: effect.credits,
            this_points: effect.points,
            holder: r.holder.as_deref(),
            clock: Clock { now, tz: &snap.tz },
        };
        let out = evaluate(&rule.rules, &ectx);
        counters_assumed.extend(out.counters_assumed);
        if let Some(f) = out.failure.filter(|_| !out.passed) {
            let mut err = error(f.kind.key(), None, c.id, rtype);
            err.error = f
                .message
                .or_else(|| rule.message.clone())
                .map(|message| ConfiguredMessage { message });
            err.rule = Some(FailedRule {
                validation_rule_id: rule.id.clone(),
                path: f.path,
                name: f.rule,
            });
            counters_assumed.sort();
            counters_assumed.dedup();
            return Ok((Some((err, out.nudges)), counters_assumed));
        }
    }
    counters_assumed.sort();
    counters_assumed.dedup();
    Ok((None, counters_assumed))
}
