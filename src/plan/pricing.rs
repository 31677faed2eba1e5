//! The per-product pricing plan: for every catalog product and SKU, the
//! strikethrough candidates that can touch it, and — when nothing about
//! the shopper or the moment can change it — what they come to at its
//! catalog price, worked out at publish.

use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::time::Instant;

/// Candidate lists and per-entry plans, parallel to the catalog.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Pricing {
    /// Distinct candidate lists: redeemable positions in application order
    /// (default rank), exclusions and switched-off redeemables removed.
    pub lists: Vec<Vec<usize>>,
    /// One per catalog product, in the catalog index's key order.
    pub products: Vec<PricePlan>,
    /// One per catalog SKU, in the catalog index's key order.
    pub skus: Vec<PricePlan>,
}

/// One product's or SKU's pricing plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PricePlan {
    /// Its candidates (position in [`Pricing::lists`]).
    pub list: usize,
    /// The answer for one unit at the catalog price, when every candidate
    /// depends only on the line (no validation rules beyond its targets,
    /// no formula, no holder) — valid whenever every candidate is within
    /// its dates and windows.
    pub memo: Option<PriceMemo>,
}

/// A price worked out at publish.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceMemo {
    /// The catalog unit price it was worked out for.
    pub price: Money,
    /// The line after the promotions.
    pub discounted_amount: Money,
    /// The earliest end among the applied promotions and the plan.
    pub valid_until: Instant,
    /// `(redeemable position, discount)` of each promotion that gave
    /// something, in application order.
    pub applied: Vec<(usize, Money)>,
}

impl Pricing {
    /// Every position points at something; one plan per catalog entry.
    pub fn is_well_formed(&self, redeemables: usize, products: usize, skus: usize) -> bool {
        let plan_ok = |p: &PricePlan| {
            p.list < self.lists.len()
                && p.memo
                    .as_ref()
                    .is_none_or(|m| m.applied.iter().all(|(r, _)| *r < redeemables))
        };
        self.lists.iter().flatten().all(|r| *r < redeemables)
            && self.products.len() == products
            && self.skus.len() == skus
            && self.products.iter().chain(&self.skus).all(plan_ok)
    }
}
