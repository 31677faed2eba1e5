//! The qualification request (`POST /v1/qualifications` shape).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::plan::Metadata;
use crate::request::{Counters, CustomerInput, OrderInput};

/// What the caller wants to know.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Scenario {
    /// Everything this customer can use on this cart.
    #[default]
    All,
    /// Only codes held by the customer that fit the cart.
    CustomerWallet,
    /// Everything whose customer rules pass; the cart is ignored.
    AudienceOnly,
    /// Promotions tied to the sent products (discounting or requiring them).
    Products,
    /// Only promotions that discount the sent products.
    ProductsDiscount,
    /// `PRODUCTS` for this customer.
    ProductsByCustomer,
    /// `PRODUCTS_DISCOUNT` for this customer.
    ProductsDiscountByCustomer,
    /// Promotion stacks (refused: qualification answers redeemables one
    /// by one; validate a stack with `object: "promotion_stack"`).
    PromotionStacks,
}

/// Result order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SortingRule {
    /// Snapshot order (campaigns as published, tiers by hierarchy).
    #[default]
    Default,
    /// Largest total discount first.
    BestDeal,
    /// Smallest total discount first.
    LeastDeal,
}

/// `options`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualificationOptions {
    /// Page size (default 5, at most 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// The page after the entry with this id (a previous answer's
    /// `more_starting_after`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starting_after: Option<String>,
    /// Filters, Voucherify-style: `{field: {conditions: {$in: [...]}}, junction}`.
    #[serde(default)]
    pub filters: BTreeMap<String, Value>,
    /// Sorting.
    #[serde(default)]
    pub sorting_rule: SortingRule,
    /// Voucherify's `expand` values (see [`crate::request::Expand`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expand: Vec<String>,
}

/// The qualification request.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct QualificationRequest {
    /// Who is asking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<CustomerInput>,
    /// The cart.
    #[serde(default)]
    pub order: OrderInput,
    /// Redemption metadata.
    #[serde(default)]
    pub metadata: Metadata,
    /// The scenario.
    #[serde(default)]
    pub scenario: Scenario,
    /// Paging, filters, sorting.
    #[serde(default)]
    pub options: QualificationOptions,
    /// Codes the customer holds (unique codes are not in the snapshot in clear).
    #[serde(default)]
    pub wallet: Vec<String>,
    /// Live counters, as for validation.
    #[serde(default)]
    pub counters: Counters,
}
