//! Numbering the ids that targets name, so the engine matches order lines
//! against targets by integer rather than by text.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::plan::{Basis, Calculation, Eligibility, Index, ItemTarget, Plan, RuleSet};

/// Every id a target names, with its number.
fn collect(plan: &Plan) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    fn rule_set(set: &RuleSet, ids: &mut BTreeSet<String>) {
        for r in &set.rules {
            for (_, list) in &r.targets {
                ids.extend(list.iter().map(|t| t.id.clone()));
            }
            if let Some(sub) = &r.sub {
                rule_set(sub, ids);
            }
        }
    }
    for rule in plan.rules.iter().flatten() {
        rule_set(&rule.rules, &mut ids);
        for c in rule.bundle.iter().flat_map(|b| &b.components) {
            ids.insert(c.target.id.clone());
        }
    }
    for r in &plan.redeemables {
        let e = &r.eligibility;
        ids.extend(e.included.iter().chain(&e.excluded).map(|t| t.id.clone()));
    }
    for e in &plan.earning_rules {
        if let Some(t) = basis_target(&e.calculation) {
            ids.insert(t.id.clone());
        }
    }
    ids
}

fn basis_target(c: &Calculation) -> Option<&ItemTarget> {
    match c {
        Calculation::Proportional {
            basis: Basis::ItemsAmount(t) | Basis::ItemsSubtotal(t) | Basis::ItemsQuantity(t),
            ..
        } => t.as_ref(),
        _ => None,
    }
}

fn number(index: &Index<u32>, id: &str) -> u32 {
    // Every target's id was collected, so this always finds it.
    index.get(id).copied().unwrap_or(u32::MAX)
}

fn number_rule_set(set: &mut RuleSet, index: &Index<u32>) {
    for r in &mut set.rules {
        for (_, list) in &mut r.targets {
            for t in list {
                t.key = number(index, &t.id);
            }
        }
        if let Some(sub) = &mut r.sub {
            number_rule_set(sub, index);
        }
    }
}

fn number_eligibility(e: &mut Eligibility, index: &Index<u32>) {
    for t in e.included.iter_mut().chain(e.excluded.iter_mut()) {
        t.key = number(index, &t.id);
    }
}

/// Numbers every target id of the plan, every target, and the catalog's
/// collection sets.
pub fn assign(plan: &mut Plan) {
    let ids = collect(plan);
    let index = Index::new(
        ids.into_iter()
            .enumerate()
            .map(|(i, id)| (id, u32::try_from(i).unwrap_or(u32::MAX)))
            .collect(),
    );
    for rule in plan.rules.iter_mut().flatten() {
        number_rule_set(&mut rule.rules, &index);
        for c in rule.bundle.iter_mut().flat_map(|b| &mut b.components) {
            c.target.key = number(&index, &c.target.id);
        }
    }
    // Codes of a campaign share their targets: number each shared set once.
    let mut done: HashMap<*const Eligibility, Arc<Eligibility>> = HashMap::new();
    for r in &mut plan.redeemables {
        let shared = done.entry(Arc::as_ptr(&r.eligibility)).or_insert_with(|| {
            let mut e = (*r.eligibility).clone();
            number_eligibility(&mut e, &index);
            Arc::new(e)
        });
        r.eligibility = shared.clone();
    }
    for e in &mut plan.earning_rules {
        if let Calculation::Proportional {
            basis:
                Basis::ItemsAmount(Some(t))
                | Basis::ItemsSubtotal(Some(t))
                | Basis::ItemsQuantity(Some(t)),
            ..
        } = &mut e.calculation
        {
            t.key = number(&index, &t.id);
        }
    }
    plan.catalog.collection_keys = plan
        .catalog
        .collection_sets
        .iter()
        .map(|set| {
            let mut keys: Vec<u32> = set.iter().filter_map(|c| index.get(c).copied()).collect();
            keys.sort_unstable();
            keys.into()
        })
        .collect();
    plan.target_ids = index;
}
