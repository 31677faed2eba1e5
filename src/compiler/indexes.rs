//! The plan's precomputed lists: default listing rank, public redeemables,
//! codes by holder, and the strikethrough candidates by target.

use std::collections::HashMap;

use crate::plan::{Discount, Index, Plan, RedeemableKind};

/// Fills the indexes of a plan whose redeemables are compiled.
/// `public_campaigns[i]`: campaign `i` is advertised (`public`).
pub fn build(plan: &mut Plan, public_campaigns: &[bool]) {
    plan.rank = rank(plan);
    let mut by_holder: HashMap<String, Vec<usize>> = HashMap::new();
    let mut price_index: HashMap<String, Vec<usize>> = HashMap::new();
    for (pos, r) in plan.redeemables.iter().enumerate() {
        if let Some(h) = &r.holder {
            by_holder.entry(h.clone()).or_default().push(pos);
        }
        let is_tier = r.kind == RedeemableKind::PromotionTier;
        let generic_public =
            r.kind == RedeemableKind::DiscountVoucher && r.holder.is_none() && r.code.is_some();
        if is_tier || generic_public {
            plan.public.push(pos);
        }
        let advertised = is_tier
            || (generic_public && public_campaigns.get(r.campaign).copied().unwrap_or(false));
        let item_level = r
            .discount
            .as_deref()
            .is_some_and(|d| d.is_item_level() && !matches!(d, Discount::Unit { .. }));
        if !advertised || !item_level || r.disabled.is_some() {
            continue;
        }
        let e = &r.eligibility;
        if e.included.is_empty() || e.included_all {
            plan.price_global.push(pos);
        } else {
            for t in &e.included {
                let list = price_index.entry(t.id.clone()).or_default();
                if list.last() != Some(&pos) {
                    list.push(pos);
                }
            }
        }
    }
    plan.by_holder = Index::new(by_holder.into_iter().collect());
    plan.price_index = Index::new(price_index.into_iter().collect());
}

/// Default listing rank: campaigns as published, codes before tiers,
/// tiers by hierarchy.
fn rank(plan: &Plan) -> Vec<usize> {
    let tier_order: HashMap<usize, usize> = plan
        .tiers
        .iter()
        .enumerate()
        .map(|(i, p)| (*p, i))
        .collect();
    let mut by_rank: Vec<usize> = (0..plan.redeemables.len()).collect();
    by_rank.sort_by_key(|p| {
        let r = plan.redeemables.get(*p);
        let tier = tier_order.get(p).copied();
        (
            r.map(|x| x.campaign).unwrap_or(usize::MAX),
            tier.is_some(),
            tier.unwrap_or(*p),
        )
    });
    let mut rank = vec![0; plan.redeemables.len()];
    for (i, pos) in by_rank.into_iter().enumerate() {
        if let Some(slot) = rank.get_mut(pos) {
            *slot = i;
        }
    }
    rank
}
