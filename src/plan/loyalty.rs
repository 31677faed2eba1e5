//! Loyalty earning rules in evaluable form.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::discount::Dynamic;
use super::index::Index;
use super::rules::ItemTarget;
use crate::time::Validity;

/// What a proportional rule counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Basis {
    /// `order.amount` before discounts.
    OrderAmount,
    /// `order.total_amount` after discounts.
    OrderTotalAmount,
    /// Item amounts (of the target's lines, or all).
    ItemsAmount(Option<ItemTarget>),
    /// Item subtotals after discounts.
    ItemsSubtotal(Option<ItemTarget>),
    /// Units as ordered.
    ItemsQuantity(Option<ItemTarget>),
    /// A number in the order's metadata.
    OrderMetadata(String),
    /// A number in the customer's metadata.
    CustomerMetadata(String),
}

/// How a rule's points are computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Calculation {
    /// A fixed number of points.
    Fixed(i64),
    /// `points` for every whole `every` of the basis.
    Proportional {
        /// What is counted.
        basis: Basis,
        /// The increment.
        every: i64,
        /// Points per increment.
        points: i64,
    },
}

/// How a member tier changes a rule's points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TierModifier {
    /// Points × multiplier, rounded half-up.
    Multiply(#[serde(with = "super::wire::decimal")] Decimal),
    /// A fixed number of points instead.
    Custom(i64),
}

/// An `order.paid` earning rule.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EarningRule {
    /// Earning rule id.
    pub id: String,
    /// Position of its campaign.
    pub campaign: usize,
    /// How the points are computed.
    pub calculation: Calculation,
    /// Validation rules (positions in the plan's rules).
    pub rules: Vec<usize>,
    /// When it earns.
    pub validity: Validity,
    /// Tier id → modifier.
    pub tiers: Index<TierModifier>,
    /// `points_formula`: its value (rounded to the nearest point) replaces
    /// the computed points when it evaluates.
    pub formula: Option<Dynamic>,
}
