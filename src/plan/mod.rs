//! The compiled plan: everything the engine evaluates, resolved at publish
//! time (`promo-edge.plan/2`).
//!
//! This is the bottom layer of the engine. The compiler
//! ([`crate::compiler`], publish time only) builds a [`Plan`] from the
//! campaign source; the evaluators (rules, discounts, stacking,
//! validation, qualification, pricing, loyalty) read nothing else. Every
//! reference is a position (`usize`) into one of the plan's lists, every
//! lookup by string is a sorted [`Index`], and unique codes are one dense
//! [`CodeTable`]: loading decodes and checks, it never compiles.

pub mod catalog;
pub mod codes;
pub mod discount;
pub mod encoding;
pub mod index;
pub mod loyalty;
pub mod pricing;
pub mod redeemable;
pub mod report;
pub mod rules;
pub mod stacking;
pub mod wire;

use serde::{Deserialize, Serialize};

pub use catalog::{Catalog, Product, SharedMetadata, Sku};
pub use codes::CodeTable;
pub use discount::{
    AmountEffect, BundleComponent, BundleRule, Discount, Dynamic, Eligibility, Target,
    TargetEffect, TargetObject, TargetUnit, UnitEffect, UnitGift,
};
pub use index::Index;
pub use loyalty::{Basis, Calculation, EarningRule, TierModifier};
pub use pricing::{PriceMemo, PricePlan, Pricing};
pub use redeemable::{
    Campaign, CampaignType, CoinReward, Gift, PromotionStack, Redeemable, RedeemableKind,
};
pub use report::{LoadReport, LoadWarning, MAX_WARNINGS};
pub use rules::{
    Condition, CounterAdd, CounterName, CounterRule, CounterScope, ItemMatcher, ItemTarget, Logic,
    Operator, Rule, RuleKind, RuleSet, ValidationRule,
};
pub use stacking::StackingRules;

use crate::money::RoundingMode;
use crate::time::{Instant, TimeZone};

/// Free-form metadata, as in Voucherify.
pub type Metadata = serde_json::Map<String, serde_json::Value>;

/// A currency: ISO code and number of decimals of its minor unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Currency {
    /// ISO 4217 code, e.g. `USD`, `JPY`, `KWD`.
    pub code: String,
    /// Decimals of the minor unit: 2 for USD, 0 for JPY, 3 for KWD.
    pub exponent: u32,
}

/// A stacking category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// Display name.
    pub name: String,
    /// Lower is applied first under `CATEGORY_HIERARCHY`.
    pub hierarchy: i64,
}

/// A compiled plan of one project and channel.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plan {
    /// Project.
    pub project: String,
    /// Channel.
    pub channel: String,
    /// Version (strictly increasing per channel).
    pub version: u64,
    /// Issued at.
    pub issued_at: Instant,
    /// Expires at.
    pub expires_at: Instant,
    /// Currency.
    pub currency: Currency,
    /// Rounding of computed discounts.
    pub rounding: RoundingMode,
    /// Time zone.
    pub tz: TimeZone,
    /// Salt of code hashes.
    pub code_salt: String,
    /// Stacking rules.
    pub stacking: StackingRules,
    /// Stacking categories by id.
    pub categories: Index<Category>,
    /// Campaigns.
    pub campaigns: Vec<Campaign>,
    /// Validation rules (`Err` = disabled, with the reason).
    pub rules: Vec<Result<ValidationRule, String>>,
    /// Codes and tiers.
    pub redeemables: Vec<Redeemable>,
    /// Promotion stacks by id.
    pub stacks: Index<PromotionStack>,
    /// Generic codes and voucher ids → redeemable.
    pub codes: Index<usize>,
    /// Unique-code digests → redeemable.
    pub code_table: CodeTable,
    /// Tier ids → redeemable.
    pub tier_ids: Index<usize>,
    /// The catalog.
    pub catalog: Catalog,
    /// Every id a target names (products, SKUs, collections), numbered:
    /// each target carries its id's number, and each order line the numbers
    /// of its own ids, so matching compares integers.
    pub target_ids: Index<u32>,
    /// Tier positions of every PROMOTION campaign, in campaign then hierarchy order.
    pub tiers: Vec<usize>,
    /// Redeemables anyone may use without holding them: tiers and generic
    /// codes without a holder, in source order.
    pub public: Vec<usize>,
    /// Codes by the customer they are published to.
    pub by_holder: Index<Vec<usize>>,
    /// Strikethrough candidates (tiers and codes of `public` campaigns with
    /// an item-level discount) by the product, SKU or collection they target.
    pub price_index: Index<Vec<usize>>,
    /// Strikethrough candidates that target every product.
    pub price_global: Vec<usize>,
    /// Each catalog product's and SKU's candidates and precomputed price.
    pub pricing: Pricing,
    /// `order.paid` earning rules of loyalty campaigns.
    pub earning_rules: Vec<EarningRule>,
    /// Default listing rank of each redeemable: campaigns as published,
    /// codes before tiers, tiers by hierarchy.
    pub rank: Vec<usize>,
    /// What the publisher found (fail-closed problems).
    pub warnings: Vec<LoadWarning>,
}

impl Plan {
    /// Finds a voucher by code, voucher id or unique-code hash.
    pub fn find_voucher(&self, code: &str) -> Option<usize> {
        self.codes.get(code).copied().or_else(|| {
            self.code_table
                .find(&crate::codes::code_digest(&self.code_salt, code))
        })
    }

    /// Finds a promotion tier by id.
    pub fn find_tier(&self, id: &str) -> Option<usize> {
        self.tier_ids.get(id).copied()
    }

    /// The number of an id some target names, if any does.
    pub fn target_key(&self, id: &str) -> Option<u32> {
        self.target_ids.get(id).copied()
    }

    /// Whether `category` is exclusive ("never stackable").
    pub fn is_exclusive(&self, category: &str) -> bool {
        self.stacking
            .exclusive_categories
            .iter()
            .any(|c| c == category)
    }

    /// Whether `category` is joint ("always stackable").
    pub fn is_joint(&self, category: &str) -> bool {
        self.stacking.joint_categories.iter().any(|c| c == category)
    }

    /// The report a load gives (before the bundle's key and staleness).
    pub fn report(&self) -> LoadReport {
        LoadReport {
            version: self.version,
            campaigns: self.campaigns.len(),
            redeemables: self.redeemables.len(),
            disabled: self
                .redeemables
                .iter()
                .filter(|r| r.disabled.is_some())
                .count(),
            warnings: self.warnings.clone(),
            kid: None,
            stale: false,
        }
    }
}
