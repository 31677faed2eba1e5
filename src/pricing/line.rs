//! One product priced by the stacking pipeline: its candidates applied
//! together to a one-line cart. Publish runs this for every catalog entry
//! to precompute its price; the engine runs it for what publish could not
//! settle (an overridden price, several units, a customer-dependent rule).

use crate::error::Error;
use crate::money::Money;
use crate::order::{resolve_item, OrderState, ResolvedItem};
use crate::plan::{Plan, Redeemable, TargetObject};
use crate::request::{CustomerInput, OrderInput, OrderItemInput, RedeemableRef, ValidationRequest};
use crate::time::{Instant, WindowStatus};
use crate::validation::{apply_stack, Detail};

/// What the candidates did to the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LinePrice {
    /// Unit price.
    pub price: Money,
    /// Units.
    pub quantity: i64,
    /// `price × quantity`.
    pub amount: Money,
    /// The line after the promotions.
    pub discounted_amount: Money,
    /// `(redeemable position, discount)` of each promotion that gave
    /// something, in application order.
    pub applied: Vec<(usize, Money)>,
}

/// Which redeemables are switched on and within their dates and windows
/// at one instant, worked out once per redeemable per call, and whether
/// all of a candidate list are, once per list per call (a page of
/// catalog products shares a few lists).
pub(crate) struct Moment {
    now: Instant,
    /// 0 = not yet known, 1 = active, 2 = not.
    known: Vec<u8>,
    /// The same per [`crate::plan::Pricing::lists`] entry.
    lists: Vec<u8>,
}

impl Moment {
    /// Nothing known yet about `plan` at `now`.
    pub fn new(plan: &Plan, now: Instant) -> Moment {
        Moment {
            now,
            known: vec![0; plan.redeemables.len()],
            lists: vec![0; plan.pricing.lists.len()],
        }
    }

    /// Whether every redeemable of candidate list `list` is active now;
    /// false for a list the plan does not have.
    pub fn all_active(&mut self, plan: &Plan, list: usize) -> bool {
        let Some(known) = self.lists.get(list).copied() else {
            return false;
        };
        if known != 0 {
            return known == 1;
        }
        let positions = plan.pricing.lists.get(list).map_or(&[][..], Vec::as_slice);
        let all = positions.iter().all(|pos| self.is_active(plan, *pos));
        if let Some(slot) = self.lists.get_mut(list) {
            *slot = if all { 1 } else { 2 };
        }
        all
    }

    /// The instant.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Whether redeemable `pos` is switched on and within its dates now.
    pub fn is_active(&mut self, plan: &Plan, pos: usize) -> bool {
        let Some(slot) = self.known.get_mut(pos) else {
            return false;
        };
        if *slot == 0 {
            let active = plan.redeemables.get(pos).is_some_and(|r| {
                r.active
                    && r.validity
                        .as_ref()
                        .as_ref()
                        .is_ok_and(|v| v.status(self.now, &plan.tz) == WindowStatus::Active)
            });
            *slot = if active { 1 } else { 2 };
        }
        *slot == 1
    }
}

/// A promotion that excludes the item does not touch it.
fn excludes(r: &Redeemable, item: &ResolvedItem) -> bool {
    r.eligibility.excluded.iter().any(|t| match t.object {
        TargetObject::Product => item.product_id.as_deref() == Some(t.id.as_str()),
        TargetObject::Sku => item.sku_id.as_deref() == Some(t.id.as_str()),
        TargetObject::ProductsCollection => item.collections.contains(&t.id),
    })
}

/// The strikethrough candidates that can touch an item, in default
/// application order (campaigns as published, tiers by hierarchy): those
/// targeting its product, SKU or collections and those targeting every
/// product, less those excluding it.
pub(crate) fn candidates(plan: &Plan, item: &ResolvedItem) -> Vec<usize> {
    let mut out: Vec<usize> = plan.price_global.clone();
    let keys = item
        .product_id
        .iter()
        .chain(item.sku_id.iter())
        .chain(item.collections.iter());
    for k in keys {
        if let Some(list) = plan.price_index.get(k) {
            out.extend(list.iter().copied());
        }
    }
    out.sort_unstable();
    out.dedup();
    out.retain(|pos| {
        plan.redeemables
            .get(*pos)
            .is_some_and(|r| !excludes(r, item))
    });
    out.sort_by_key(|pos| plan.rank.get(*pos).copied().unwrap_or(usize::MAX));
    out
}

/// Applies the candidates active at the moment (at most the stacking
/// limit of them) to a one-line cart of `item`. `list` is the item's
/// candidates when known (a catalog entry's), else they are looked up.
pub(crate) fn price_line(
    plan: &Plan,
    list: Option<&[usize]>,
    item: OrderItemInput,
    customer: Option<&CustomerInput>,
    moment: &mut Moment,
) -> Result<LinePrice, Error> {
    let limit = usize::try_from(plan.stacking.redeemables_limit)
        .unwrap_or(30)
        .min(crate::limits::MAX_REDEEMABLES);
    let looked_up;
    let list = match list {
        Some(l) => l,
        None => {
            looked_up = candidates(plan, &resolve_item(plan, &item));
            &looked_up
        }
    };
    let mut redeemables = Vec::new();
    for pos in list {
        if redeemables.len() == limit {
            break;
        }
        if let Some(r) = plan
            .redeemables
            .get(*pos)
            .filter(|_| moment.is_active(plan, *pos))
        {
            redeemables.push(RedeemableRef::naming(r, r.request_id().to_string()));
        }
    }
    let request = ValidationRequest {
        redeemables,
        order: OrderInput {
            items: vec![item],
            ..OrderInput::default()
        },
        customer: customer.cloned(),
        ..ValidationRequest::default()
    };
    let initial = OrderState::from_input(&request.order, plan)?;
    let stacked = apply_stack(plan, &request, &initial, moment.now(), Detail::Amounts)?;
    let line = stacked.final_state.lines.first();
    let mut applied = Vec::new();
    for e in &stacked.effects {
        let discount = e.order_discount.try_add(e.items_discount)?;
        // A promotion that gives nothing here is no reason for a badge.
        if discount != Money::ZERO {
            applied.push((e.redeemable, discount));
        }
    }
    Ok(LinePrice {
        price: line.map(|l| l.price).unwrap_or_default(),
        quantity: line.map(|l| l.quantity).unwrap_or(1),
        amount: line.map(|l| l.amount()).unwrap_or_default(),
        discounted_amount: line
            .map(|l| l.subtotal())
            .unwrap_or_default()
            .min(stacked.final_state.total()?),
        applied,
    })
}

/// When a price stops holding: the earliest end among the applied
/// promotions' dates and the plan's expiry.
pub(crate) fn valid_until(plan: &Plan, applied: &[(usize, Money)]) -> Instant {
    applied
        .iter()
        .filter_map(|(pos, _)| plan.redeemables.get(*pos))
        .filter_map(|r| {
            r.validity
                .as_ref()
                .as_ref()
                .ok()
                .and_then(|v| v.expiration())
        })
        .fold(plan.expires_at, Instant::min)
}
