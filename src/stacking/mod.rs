//! Stacking: the order redeemables apply in, exclusivity, and the limits
//! that leave some of them SKIPPED.

use std::collections::HashMap;

pub use crate::plan::stacking::*;

use crate::plan::Plan;

/// How a redeemable's categories place it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    /// In an exclusive ("never stackable") category.
    Exclusive,
    /// Neither exclusive nor joint.
    Common,
    /// In a joint ("always stackable") category (and no exclusive one).
    Joint,
}

/// The group of a redeemable with these categories.
pub fn group_of(snap: &Plan, categories: &[String]) -> Group {
    if categories.iter().any(|c| snap.is_exclusive(c)) {
        Group::Exclusive
    } else if categories.iter().any(|c| snap.is_joint(c)) {
        Group::Joint
    } else {
        Group::Common
    }
}

/// The sort key of a redeemable: `(group rank, hierarchy, request position)`.
/// Redeemables without a category sort after every category under
/// `CATEGORY_HIERARCHY` (README "Semantics").
pub fn sort_key(snap: &Plan, categories: &[String], position: usize) -> (u8, i64, usize) {
    let rules = &snap.stacking;
    let group = match rules.grouped_redeemables_sorting_rule {
        GroupedSortingRule::JointAlwaysLast => group_of(snap, categories) as u8,
        GroupedSortingRule::Mixed => 0,
    };
    let hierarchy = match rules.redeemables_sorting_rule {
        SortingRule::RequestedOrder => 0,
        SortingRule::CategoryHierarchy => categories
            .iter()
            .filter_map(|c| snap.categories.get(c).map(|c| &c.hierarchy))
            .copied()
            .min()
            .unwrap_or(i64::MAX),
    };
    (group, hierarchy, position)
}

/// Counts applied redeemables against the stacking limits.
#[derive(Debug, Default)]
pub struct LimitTracker {
    applied: u32,
    exclusive: u32,
    per_category: HashMap<String, u32>,
}

impl LimitTracker {
    /// The skip key a redeemable with these categories would hit now, if any.
    pub fn check(&self, snap: &Plan, categories: &[String]) -> Option<&'static str> {
        let r = &snap.stacking;
        if self.applied >= r.applicable_redeemables_limit {
            return Some("applicable_redeemables_limit_exceeded");
        }
        let exclusive = group_of(snap, categories) == Group::Exclusive;
        if exclusive && self.exclusive >= r.applicable_exclusive_redeemables_limit {
            return Some("applicable_exclusive_redeemables_limit_exceeded");
        }
        for c in categories {
            let used = self.per_category.get(c).copied().unwrap_or(0);
            if snap.is_exclusive(c) {
                if used >= r.applicable_exclusive_redeemables_per_category_limit {
                    return Some("applicable_exclusive_redeemables_per_category_limit_exceeded");
                }
            } else {
                let limit = r
                    .applicable_redeemables_category_limits
                    .get(c)
                    .copied()
                    .unwrap_or(r.applicable_redeemables_per_category_limit);
                if used >= limit {
                    return Some("applicable_redeemables_per_category_limit_exceeded");
                }
            }
        }
        None
    }

    /// Records an applied redeemable.
    pub fn record(&mut self, snap: &Plan, categories: &[String]) {
        self.applied += 1;
        if group_of(snap, categories) == Group::Exclusive {
            self.exclusive += 1;
        }
        for c in categories {
            *self.per_category.entry(c.clone()).or_default() += 1;
        }
    }
}

/// Whether a no-effect redeemable with these categories is skipped.
pub fn skips_no_effect(rules: &StackingRules, categories: &[String]) -> bool {
    if categories
        .iter()
        .any(|c| rules.no_effect_skip_categories.contains(c))
    {
        return true;
    }
    if categories
        .iter()
        .any(|c| rules.no_effect_redeem_anyway_categories.contains(c))
    {
        return false;
    }
    rules.redeemables_no_effect_rule == NoEffectRule::Skip
}

/// Whether percentages of a redeemable with these categories use the initial amount.
pub fn uses_initial_amount(rules: &StackingRules, categories: &[String]) -> bool {
    if categories
        .iter()
        .any(|c| rules.initial_amount_mode_categories.contains(c))
    {
        return true;
    }
    if categories
        .iter()
        .any(|c| rules.discounted_amount_mode_categories.contains(c))
    {
        return false;
    }
    rules.discount_calculation_mode == CalculationMode::InitialAmount
}
