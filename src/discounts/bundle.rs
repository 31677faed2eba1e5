//! Bundle rules: how many complete bundles an order holds, and what is
//! still missing for the first one.

use serde::Serialize;

use crate::order::OrderState;
use crate::plan::{BundleComponent, BundleRule, TargetObject};
use crate::rules::Nudge;

/// One identified or missing component in a response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleItem {
    /// `product`, `sku` or `products_collection`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<&'static str>,
    /// The id.
    pub id: String,
    /// Units identified, or still missing.
    pub quantity: i64,
}

/// `result.bundle` of a response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleOutcome {
    /// Complete bundles found (at most `limit`).
    pub quantity: i64,
    /// Most bundles counted.
    pub limit: i64,
    /// Units found per component for the counted bundles.
    pub identified: Vec<BundleItem>,
    /// What the first (or next) bundle still needs.
    pub missing: Vec<BundleItem>,
}

impl BundleOutcome {
    /// The nudge for an incomplete bundle.
    pub fn nudge(&self) -> Option<Nudge> {
        (!self.missing.is_empty()).then(|| Nudge::AddItems {
            items: self
                .missing
                .iter()
                .map(|m| crate::rules::nudge_item(m.object, &m.id, m.quantity))
                .collect(),
        })
    }
}

fn object_name(o: Option<TargetObject>) -> Option<&'static str> {
    o.map(|o| match o {
        TargetObject::Product => "product",
        TargetObject::Sku => "sku",
        TargetObject::ProductsCollection => "products_collection",
    })
}

impl BundleRule {
    /// Whether any component names a line of the order.
    pub fn names_any(&self, state: &OrderState) -> bool {
        self.components.iter().any(|c| {
            state
                .lines
                .iter()
                .any(|l| l.matches(c.target.object, c.target.key))
        })
    }

    /// Counts complete bundles. Units are claimed SKU components first,
    /// then product, then collection, so a specific component never loses
    /// its units to a broad one.
    pub fn identify(&self, state: &OrderState) -> BundleOutcome {
        let mut left: Vec<i64> = state.lines.iter().map(|l| l.quantity).collect();
        let mut order: Vec<usize> = (0..self.components.len()).collect();
        let rank = |c: &BundleComponent| match c.target.object {
            Some(TargetObject::Sku) => 0,
            Some(TargetObject::Product) | None => 1,
            Some(TargetObject::ProductsCollection) => 2,
        };
        order.sort_by_key(|i| self.components.get(*i).map(rank));
        let lines = state.canonical_order();
        let mut found = vec![0_i64; self.components.len()];
        for ci in order {
            let Some(c) = self.components.get(ci) else {
                continue;
            };
            let want = c.units.saturating_mul(self.limit);
            let mut got = 0_i64;
            for li in lines {
                let (Some(line), Some(avail)) = (state.lines.get(*li), left.get_mut(*li)) else {
                    continue;
                };
                if got >= want || !line.matches(c.target.object, c.target.key) {
                    continue;
                }
                let take = (*avail).min(want - got);
                *avail -= take;
                got += take;
            }
            if let Some(f) = found.get_mut(ci) {
                *f = got;
            }
        }
        let quantity = self
            .components
            .iter()
            .zip(&found)
            .map(|(c, f)| f / c.units.max(1))
            .min()
            .unwrap_or(0)
            .min(self.limit);
        let next = quantity.saturating_add(1).min(self.limit).max(1);
        let missing = if quantity >= 1 {
            Vec::new()
        } else {
            self.components
                .iter()
                .zip(&found)
                .filter(|(c, f)| **f < c.units.saturating_mul(next))
                .map(|(c, f)| BundleItem {
                    object: object_name(c.target.object),
                    id: c.target.id.clone(),
                    quantity: c.units * next - f,
                })
                .collect()
        };
        let identified = self
            .components
            .iter()
            .zip(&found)
            .filter(|(_, f)| **f > 0)
            .map(|(c, f)| BundleItem {
                object: object_name(c.target.object),
                id: c.target.id.clone(),
                quantity: (*f).min(c.units.saturating_mul(quantity.max(1))),
            })
            .collect();
        BundleOutcome {
            quantity,
            limit: self.limit,
            identified,
            missing,
        }
    }
}

/// Counts bundles of `bundle` in `state`.
pub fn identify_bundles(bundle: &BundleRule, state: &OrderState) -> BundleOutcome {
    bundle.identify(state)
}
