//! The per-product pricing plan ([`crate::plan::Pricing`]): every catalog
//! product's and SKU's candidates, and its price for one unit at the
//! catalog price when only the candidates' dates can change it.
//!
//! The price is worked out by the engine's own pricing pipeline on a copy
//! of the plan in which every candidate is within its dates: the engine
//! uses it only when every candidate is within its dates at the moment of
//! the call, and falls back to the pipeline otherwise.

use std::collections::HashMap;
use std::sync::Arc;

use crate::plan::{Discount, Plan, PriceMemo, PricePlan, Redeemable, RedeemableKind};
use crate::pricing::{candidates, price_line, valid_until, Moment};
use crate::request::OrderItemInput;
use crate::time::Validity;

/// Fills `plan.pricing`; needs the price index built.
pub fn build(plan: &mut Plan) {
    let mut open = plan.clone();
    for r in &mut open.redeemables {
        if r.validity.is_ok() {
            r.validity = Arc::new(Ok(Validity::default()));
        }
    }
    let mut lists: HashMap<Vec<usize>, usize> = HashMap::new();
    let mut entry = |id: &str, sku: bool| {
        let item = OrderItemInput {
            product_id: (!sku).then(|| id.to_string()),
            sku_id: sku.then(|| id.to_string()),
            ..OrderItemInput::default()
        };
        let list = candidate_list(plan, &item);
        let memo = memo(plan, &open, &list, item);
        let next = lists.len();
        PricePlan {
            list: *lists.entry(list).or_insert(next),
            memo,
        }
    };
    let products: Vec<PricePlan> = plan
        .catalog
        .products
        .iter()
        .map(|(id, _)| entry(id, false))
        .collect();
    let skus: Vec<PricePlan> = plan
        .catalog
        .skus
        .iter()
        .map(|(id, _)| entry(id, true))
        .collect();
    let mut ordered: Vec<(Vec<usize>, usize)> = lists.into_iter().collect();
    ordered.sort_by_key(|(_, i)| *i);
    plan.pricing.lists = ordered.into_iter().map(|(l, _)| l).collect();
    plan.pricing.products = products;
    plan.pricing.skus = skus;
}

/// The entry's candidates, less those switched off or with broken dates
/// (the engine never applies them).
fn candidate_list(plan: &Plan, item: &OrderItemInput) -> Vec<usize> {
    let mut list = candidates(plan, &crate::order::resolve_item(plan, item));
    list.retain(|pos| {
        plan.redeemables
            .get(*pos)
            .is_some_and(|r| r.active && r.validity.is_ok())
    });
    list
}

/// One unit at the catalog price, if every candidate depends on the line alone.
fn memo(plan: &Plan, open: &Plan, list: &[usize], item: OrderItemInput) -> Option<PriceMemo> {
    let settled = list.iter().all(|pos| {
        plan.redeemables
            .get(*pos)
            .is_some_and(|r| line_only(plan, r))
    });
    if !settled {
        return None;
    }
    let mut moment = Moment::new(open, plan.issued_at);
    let priced = price_line(open, Some(list), item, None, &mut moment).ok()?;
    (priced.quantity == 1).then(|| PriceMemo {
        price: priced.price,
        discounted_amount: priced.discounted_amount,
        valid_until: valid_until(plan, &priced.applied),
        applied: priced.applied,
    })
}

/// Whether what a redeemable does to a one-line cart depends on nothing
/// but the line: no conditions or bundles in its validation rules (their
/// `applicable_to` is the line's business), no formula, no holder.
fn line_only(plan: &Plan, r: &Redeemable) -> bool {
    let rules_free = r.rules.iter().all(|i| {
        plan.rules.get(*i).is_some_and(|rule| {
            rule.as_ref()
                .is_ok_and(|v| v.rules.rules.is_empty() && v.bundle.is_none())
        })
    });
    let formula_free = r.discount.as_deref().is_some_and(|d| match d {
        Discount::Amount { formula, .. }
        | Discount::Percent { formula, .. }
        | Discount::Fixed { formula, .. } => formula.is_none(),
        Discount::Unit { .. } => false,
    }) && r
        .eligibility
        .included
        .iter()
        .all(|t| t.price_formula.is_none());
    matches!(
        r.kind,
        RedeemableKind::DiscountVoucher | RedeemableKind::PromotionTier
    ) && r.holder.is_none()
        && !r.holder_only
        && !r.is_referral
        && r.disabled.is_none()
        && rules_free
        && formula_free
}
