//! Which lines and units an item-level effect touches: `applicable_to`
//! targets and their application rules (`effect`, `skip_initially`,
//! `repeat`, quantity limits).

use crate::order::{Line, OrderState};
use crate::plan::{Eligibility, Target, TargetEffect, TargetObject, TargetUnit};

/// Lines matched by one target, with the units selected on each.
#[derive(Debug, Clone)]
pub struct TargetGroup<'p> {
    /// The target (absent: every eligible line, no application rules).
    pub target: Option<&'p Target>,
    /// `(line position, units selected)` in application order.
    pub picks: Vec<(usize, i64)>,
}

fn specificity(t: &Target) -> u8 {
    match t.object {
        TargetObject::Sku => 0,
        TargetObject::Product => 1,
        TargetObject::ProductsCollection => 2,
    }
}

fn excluded(line: &Line, e: &Eligibility) -> bool {
    e.excluded
        .iter()
        .any(|t| line.matches(Some(t.object), t.key))
}

/// Positions of the lines an item effect may touch, in canonical order.
/// Under the `ONCE` product policy, lines already discounted by another
/// redeemable are left out.
pub fn eligible_lines(state: &OrderState, e: &Eligibility, once: bool) -> Vec<usize> {
    state
        .canonical_order()
        .iter()
        .copied()
        .filter(|i| {
            let Some(line) = state.lines.get(*i) else {
                return false;
            };
            if excluded(line, e) || (once && line.discounted_by != 0) {
                return false;
            }
            e.included_all
                || e.included.is_empty()
                || e.included
                    .iter()
                    .any(|t| line.matches(Some(t.object), t.key))
        })
        .collect()
}

/// Groups eligible lines by the target that claims them (the most specific,
/// then the first listed) and applies each target's application rules.
pub fn select<'p>(state: &OrderState, e: &'p Eligibility, once: bool) -> Vec<TargetGroup<'p>> {
    let lines = eligible_lines(state, e, once);
    let mut order: Vec<(usize, &Target)> = e.included.iter().enumerate().collect();
    order.sort_by_key(|(i, t)| (specificity(t), *i));
    // (claiming target with its position in `included`, member lines)
    type Group<'t> = (Option<(usize, &'t Target)>, Vec<usize>);
    let mut groups: Vec<Group<'_>> = Vec::new();
    for i in lines {
        let Some(line) = state.lines.get(i) else {
            continue;
        };
        let claim = order
            .iter()
            .find(|(_, t)| line.matches(Some(t.object), t.key))
            .copied();
        match groups
            .iter_mut()
            .find(|(t, _)| t.map(|x| x.0) == claim.map(|x| x.0))
        {
            Some((_, members)) => members.push(i),
            None => groups.push((claim, vec![i])),
        }
    }
    groups
        .into_iter()
        .map(|(t, members)| pick(state, t.map(|x| x.1), &members))
        .collect()
}

fn pick<'p>(state: &OrderState, target: Option<&'p Target>, members: &[usize]) -> TargetGroup<'p> {
    let Some(t) = target else {
        let picks = members
            .iter()
            .filter_map(|i| state.lines.get(*i).map(|l| (*i, l.quantity)))
            .collect();
        return TargetGroup {
            target: None,
            picks,
        };
    };
    let mut ordered: Vec<usize> = members.to_vec();
    let price = |i: &usize| state.lines.get(*i).map(|l| l.price).unwrap_or_default();
    match t.effect {
        TargetEffect::ApplyToEvery => {}
        TargetEffect::ApplyToCheapest | TargetEffect::ApplyFromCheapest => {
            ordered.sort_by_key(price)
        }
        TargetEffect::ApplyToMostExpensive | TargetEffect::ApplyFromMostExpensive => {
            ordered.sort_by_key(|i| std::cmp::Reverse(price(i)))
        }
    }
    let only_first = matches!(
        t.effect,
        TargetEffect::ApplyToCheapest | TargetEffect::ApplyToMostExpensive
    );
    let skip = i64::from(t.skip_initially);
    let repeat = i64::from(t.repeat.unwrap_or(1).max(1));
    let chosen =
        |pos: i64| pos >= skip && (pos - skip) % repeat == 0 && (!only_first || pos == skip);
    let mut picks: Vec<(usize, i64)> = Vec::new();
    let mut pos: i64 = 0;
    for i in ordered {
        let Some(line) = state.lines.get(i) else {
            continue;
        };
        let units = match t.target {
            TargetUnit::Item => {
                let take = if chosen(pos) { line.quantity } else { 0 };
                pos += 1;
                take
            }
            TargetUnit::Unit => {
                // Counting positions arithmetically keeps this O(lines), not O(units).
                let first = pos;
                let last = pos + line.quantity; // exclusive
                pos = last;
                count_chosen(first, last, skip, repeat, only_first)
            }
        };
        let units = t.quantity_limit.map_or(units, |q| units.min(q.max(0)));
        if units > 0 {
            picks.push((i, units));
        }
    }
    if let Some(cap) = t.aggregated_quantity_limit {
        let mut left = cap.max(0);
        for p in &mut picks {
            p.1 = p.1.min(left);
            left -= p.1;
        }
        picks.retain(|p| p.1 > 0);
    }
    TargetGroup {
        target: Some(t),
        picks,
    }
}

/// How many positions in `first..last` are chosen by skip/repeat.
fn count_chosen(first: i64, last: i64, skip: i64, repeat: i64, only_first: bool) -> i64 {
    if only_first {
        return i64::from(skip >= first && skip < last);
    }
    // Chosen positions are skip, skip+repeat, …; count those in [first, last).
    let upto = |n: i64| -> i64 {
        // chosen positions < n
        if n <= skip {
            0
        } else {
            (n - skip - 1) / repeat + 1
        }
    };
    upto(last) - upto(first)
}

#[cfg(test)]
mod tests {
    use super::count_chosen;

    #[test]
    fn skip_one_repeat_three_over_ten_units_discounts_2_5_8() {
        // 1-based units 2, 5, 8 are 0-based positions 1, 4, 7.
        assert_eq!(count_chosen(0, 10, 1, 3, false), 3);
        assert_eq!(count_chosen(0, 2, 1, 3, false), 1);
        assert_eq!(count_chosen(2, 5, 1, 3, false), 1);
        assert_eq!(count_chosen(5, 10, 1, 3, false), 1);
    }

    #[test]
    fn only_first_picks_one_position() {
        assert_eq!(count_chosen(0, 3, 0, 1, true), 1);
        assert_eq!(count_chosen(3, 6, 0, 1, true), 0);
    }
}
