//! The stacking-rules settings object (Voucherify's `stacking_rules`): read
//! from the source as written (every field defaulted), carried in the plan
//! and echoed in answers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How redeemables combine in one request. Every field has Voucherify's default.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct StackingRules {
    /// Most redeemables in one request (1–30).
    pub redeemables_limit: u32,
    /// Most redeemables applied; the rest are SKIPPED.
    pub applicable_redeemables_limit: u32,
    /// Most applied from one category.
    pub applicable_redeemables_per_category_limit: u32,
    /// Per-category overrides of the limit above.
    pub applicable_redeemables_category_limits: BTreeMap<String, u32>,
    /// Most applied from exclusive categories.
    pub applicable_exclusive_redeemables_limit: u32,
    /// Most applied from one exclusive category.
    pub applicable_exclusive_redeemables_per_category_limit: u32,
    /// "Never stackable" categories: block Common redeemables.
    pub exclusive_categories: Vec<String>,
    /// "Always stackable" categories.
    pub joint_categories: Vec<String>,
    /// `ALL` or `PARTIAL`.
    pub redeemables_application_mode: ApplicationMode,
    /// `REQUESTED_ORDER` or `CATEGORY_HIERARCHY`.
    pub redeemables_sorting_rule: SortingRule,
    /// Where joint (and exclusive) categories go in the order.
    pub grouped_redeemables_sorting_rule: GroupedSortingRule,
    /// `DISCOUNTED_AMOUNT` or `INITIAL_AMOUNT`.
    pub discount_calculation_mode: CalculationMode,
    /// Categories computed on the initial amount whatever the mode.
    pub initial_amount_mode_categories: Vec<String>,
    /// Categories computed on the discounted amount whatever the mode.
    pub discounted_amount_mode_categories: Vec<String>,
    /// `STACK` or `ONCE`.
    pub redeemables_products_application_mode: ProductsApplicationMode,
    /// `REDEEM_ANYWAY` or `SKIP`.
    pub redeemables_no_effect_rule: NoEffectRule,
    /// Categories whose no-effect redeemables are skipped.
    pub no_effect_skip_categories: Vec<String>,
    /// Categories whose no-effect redeemables are redeemed anyway.
    pub no_effect_redeem_anyway_categories: Vec<String>,
    /// `WITH_ORDER` or `WITHOUT_ORDER` (used by the origin's rollback).
    pub redeemables_rollback_order_mode: RollbackOrderMode,
}

impl Default for StackingRules {
    fn default() -> Self {
        StackingRules {
            redeemables_limit: 30,
            applicable_redeemables_limit: 5,
            applicable_redeemables_per_category_limit: 1,
            applicable_redeemables_category_limits: BTreeMap::new(),
            applicable_exclusive_redeemables_limit: 1,
            applicable_exclusive_redeemables_per_category_limit: 1,
            exclusive_categories: Vec::new(),
            joint_categories: Vec::new(),
            redeemables_application_mode: ApplicationMode::Partial,
            redeemables_sorting_rule: SortingRule::RequestedOrder,
            grouped_redeemables_sorting_rule: GroupedSortingRule::JointAlwaysLast,
            discount_calculation_mode: CalculationMode::DiscountedAmount,
            initial_amount_mode_categories: Vec::new(),
            discounted_amount_mode_categories: Vec::new(),
            redeemables_products_application_mode: ProductsApplicationMode::Stack,
            redeemables_no_effect_rule: NoEffectRule::RedeemAnyway,
            no_effect_skip_categories: Vec::new(),
            no_effect_redeem_anyway_categories: Vec::new(),
            redeemables_rollback_order_mode: RollbackOrderMode::WithOrder,
        }
    }
}

/// Redemption stack validation policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ApplicationMode {
    /// One inapplicable redeemable fails the whole request.
    All,
    /// Inapplicable ones are dropped; the rest apply.
    Partial,
}

/// Order in which redeemables are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SortingRule {
    /// As listed in the request.
    RequestedOrder,
    /// By ascending category hierarchy; ties keep request order.
    CategoryHierarchy,
}

/// Placement of joint and exclusive categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GroupedSortingRule {
    /// Exclusive first, then common, joint last; the main rule orders inside each group.
    JointAlwaysLast,
    /// No grouping: the main rule alone decides (our name for Voucherify's
    /// unpublished second value; see README "Semantics").
    Mixed,
}

/// What a percentage is computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CalculationMode {
    /// The running total after earlier redeemables.
    DiscountedAmount,
    /// The original amount.
    InitialAmount,
}

/// Product stack policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProductsApplicationMode {
    /// Several redeemables may discount the same line.
    Stack,
    /// Only the first redeemable (in application order) discounts a line.
    Once,
}

/// What happens to a redeemable that changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NoEffectRule {
    /// It is still applied (and consumed on redemption).
    RedeemAnyway,
    /// It is SKIPPED with `no_effect`.
    Skip,
}

/// Rollback order handling (origin only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RollbackOrderMode {
    /// Revert discounts and cancel the order.
    WithOrder,
    /// Keep the order's history and status.
    WithoutOrder,
}
