//! The campaign source format: what a promotion manager writes and
//! `promo-origin publish` turns into a snapshot.
//!
//! ```text
//! SOURCE/
//!   project.json        project, channel, currency, rounding, IANA time zone,
//!                       stacking rules, catalog, validation rules
//!   campaigns/*.json    {"campaigns": [...]}, files read in name order
//! ```
//!
//! Shapes are the snapshot's (`promo_edge::snapshot`, Voucherify's
//! resources) with three differences: `time_zone` is an IANA name (the
//! publisher embeds its offsets), a voucher's `code` is in clear and
//! `unique: true` marks a unique code that is published only as a salted
//! hash, and a campaign may list bulk unique codes in `unique_codes`.
//! These types mirror the core's so that the JSON Schema (`schemars`)
//! carries every field with its documentation; a field the core does not
//! know is caught when the built snapshot is compiled.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Free-form metadata.
pub type Metadata = serde_json::Map<String, Value>;

fn is_false(b: &bool) -> bool {
    !*b
}

/// Any file of a campaign source: `project.json` or a `campaigns/*.json`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
#[schemars(title = "Promo Edge campaign source")]
pub enum SourceFile {
    /// `project.json`.
    Project(Box<ProjectFile>),
    /// `campaigns/*.json`.
    Campaigns(CampaignsFile),
}

/// `project.json`: everything but the campaigns.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectFile {
    /// A JSON Schema reference for editors (ignored).
    #[serde(default, rename = "$schema", skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The project the campaigns belong to.
    pub project: String,
    /// The sales channel the bundle is published for (`GET /v1/bundles/{channel}`).
    pub channel: String,
    /// The project currency and its minor-unit exponent.
    pub currency: Currency,
    /// How computed discounts are rounded to minor units (default `HALF_UP`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rounding: Option<RoundingMode>,
    /// The project's IANA time zone, e.g. `Europe/Warsaw`; windows,
    /// weekdays and daily counters use it.
    pub time_zone: String,
    /// How redeemables combine in one request (Voucherify's object; every
    /// field has its default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stacking_rules: Option<StackingRules>,
    /// Stacking categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    /// The catalog: products.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<Product>,
    /// The catalog: SKUs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skus: Vec<Sku>,
    /// The catalog: static product collections.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collections: Vec<Collection>,
    /// Validation rules, referenced by id from campaigns, vouchers and tiers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validation_rules: Vec<ValidationRule>,
}

/// `campaigns/*.json`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignsFile {
    /// A JSON Schema reference for editors (ignored).
    #[serde(default, rename = "$schema", skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The campaigns of this file.
    pub campaigns: Vec<Campaign>,
}

/// A currency.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Currency {
    /// ISO 4217 code, e.g. `USD`, `JPY`, `KWD`.
    pub code: String,
    /// Decimals of the minor unit: 2 for USD, 0 for JPY, 3 for KWD.
    pub exponent: u32,
}

/// Rounding of computed discounts.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RoundingMode {
    /// Midpoints away from zero.
    HalfUp,
    /// Midpoints to the even neighbour.
    HalfEven,
    /// Toward zero.
    Down,
}

/// Voucherify's stacking rules; an absent field takes Voucherify's default.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StackingRules {
    /// Most redeemables in one request (1–30, default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeemables_limit: Option<u32>,
    /// Most redeemables applied (default 5); the rest are SKIPPED.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicable_redeemables_limit: Option<u32>,
    /// Most applied from one category (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicable_redeemables_per_category_limit: Option<u32>,
    /// Per-category overrides of the limit above.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicable_redeemables_category_limits: Option<BTreeMap<String, u32>>,
    /// Most applied from exclusive categories (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicable_exclusive_redeemables_limit: Option<u32>,
    /// Most applied from one exclusive category (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicable_exclusive_redeemables_per_category_limit: Option<u32>,
    /// "Never stackable" categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusive_categories: Option<Vec<String>>,
    /// "Always stackable" categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joint_categories: Option<Vec<String>>,
    /// `ALL` or `PARTIAL` (default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeemables_application_mode: Option<ApplicationMode>,
    /// `REQUESTED_ORDER` (default) or `CATEGORY_HIERARCHY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeemables_sorting_rule: Option<SortingRule>,
    /// `JOINT_ALWAYS_LAST` (default) or `MIXED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grouped_redeemables_sorting_rule: Option<GroupedSortingRule>,
    /// `DISCOUNTED_AMOUNT` (default) or `INITIAL_AMOUNT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_calculation_mode: Option<CalculationMode>,
    /// Categories computed on the initial amount whatever the mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_amount_mode_categories: Option<Vec<String>>,
    /// Categories computed on the discounted amount whatever the mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discounted_amount_mode_categories: Option<Vec<String>>,
    /// `STACK` (default) or `ONCE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeemables_products_application_mode: Option<ProductsApplicationMode>,
    /// `REDEEM_ANYWAY` (default) or `SKIP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeemables_no_effect_rule: Option<NoEffectRule>,
    /// Categories whose no-effect redeemables are skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_effect_skip_categories: Option<Vec<String>>,
    /// Categories whose no-effect redeemables are redeemed anyway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_effect_redeem_anyway_categories: Option<Vec<String>>,
    /// `WITH_ORDER` (default) or `WITHOUT_ORDER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeemables_rollback_order_mode: Option<RollbackOrderMode>,
}

/// Stacking validation policy.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ApplicationMode {
    /// One inapplicable redeemable fails the whole request.
    All,
    /// Inapplicable ones are dropped.
    Partial,
}

/// Application order.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SortingRule {
    /// As requested.
    RequestedOrder,
    /// By category hierarchy.
    CategoryHierarchy,
}

/// Placement of joint and exclusive categories.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GroupedSortingRule {
    /// Exclusive first, common, joint last.
    JointAlwaysLast,
    /// No grouping.
    Mixed,
}

/// What a percentage is computed on.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CalculationMode {
    /// The running total.
    DiscountedAmount,
    /// The original amount.
    InitialAmount,
}

/// Product stack policy.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProductsApplicationMode {
    /// Several redeemables may discount a line.
    Stack,
    /// Only the first one does.
    Once,
}

/// What happens to a redeemable that changes nothing.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NoEffectRule {
    /// Applied anyway.
    RedeemAnyway,
    /// Skipped with `no_effect`.
    Skip,
}

/// Rollback order handling.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RollbackOrderMode {
    /// Revert discounts and cancel the order.
    WithOrder,
    /// Keep the order.
    WithoutOrder,
}

/// A stacking category.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Category id (`cat_…`).
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Lower is applied first under `CATEGORY_HIERARCHY` (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hierarchy: Option<i64>,
}

/// A catalog product.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// Product id (`prod_…`).
    pub id: String,
    /// The merchant's own id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Catalog unit price in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<i64>,
    /// Product metadata.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
}

/// A catalog SKU.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sku {
    /// SKU id (`sku_…`).
    pub id: String,
    /// The merchant's own id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// The product this SKU belongs to.
    pub product_id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// Catalog unit price; falls back to the product's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<i64>,
    /// SKU metadata.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
}

/// A static products collection.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Collection {
    /// Collection id (`pc_…`).
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Member product and SKU ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
}

/// A validation rule.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidationRule {
    /// Rule id (`val_…`).
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Voucherify's rule type (informational).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub rule_type: Option<String>,
    /// Fallback error message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorMessage>,
    /// Numbered conditions (`"1"`, `"2"`, …) and their `logic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<RuleSet>,
    /// Which products an item-level effect may touch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicable_to: Option<ApplicableTo>,
    /// Product bundles the order must contain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_rules: Option<BundleRules>,
}

/// A configured error message.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorMessage {
    /// The text shown to the customer.
    pub message: String,
}

/// Numbered rules plus their `logic`, e.g.
/// `{"1": {"name": "order.amount", "conditions": {"$more_than": [5000]}}, "logic": "1"}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct RuleSet {
    /// Boolean expression over the rule numbers, e.g. `(1 and 2) or 3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logic: Option<String>,
    /// The rules by number.
    #[serde(flatten)]
    pub rules: BTreeMap<String, Rule>,
}

/// One condition.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The rule name, e.g. `order.amount`, `customer.segment`,
    /// `redemption.count.per_customer` (README "Semantics" lists them).
    pub name: String,
    /// The metadata key of `*.metadata` rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    /// Operators (`$is`, `$more_than`, `$in`, …), each with its operands.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub conditions: BTreeMap<String, Value>,
    /// Nested sub-rules of order-item matchers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<RuleSet>,
    /// This rule's own error message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorMessage>,
}

/// `applicable_to` of a validation rule.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicableTo {
    /// Targets the effect applies to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub included: Vec<Target>,
    /// Targets never touched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<Target>,
    /// Every product except the excluded ones.
    #[serde(default, skip_serializing_if = "is_false")]
    pub included_all: bool,
}

/// What a target refers to.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetObject {
    /// A product.
    Product,
    /// A SKU.
    Sku,
    /// A products collection.
    ProductsCollection,
}

/// Lines or units.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TargetUnit {
    /// Order lines.
    Item,
    /// Single units.
    Unit,
}

/// Which matched resources a target discounts.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TargetEffect {
    /// Every one.
    ApplyToEvery,
    /// The cheapest.
    ApplyToCheapest,
    /// From the cheapest on.
    ApplyFromCheapest,
    /// The most expensive.
    ApplyToMostExpensive,
    /// From the most expensive on.
    ApplyFromMostExpensive,
}

/// One `applicable_to` target.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// What `id` refers to.
    pub object: TargetObject,
    /// Product, SKU or collection id.
    pub id: String,
    /// The merchant's id (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// For SKU targets: the parent product (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    /// Which matched resources get the discount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<TargetEffect>,
    /// Lines or units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<TargetUnit>,
    /// Resources skipped before the first discounted one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_initially: Option<u32>,
    /// After the first, every `repeat`-th resource is discounted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<u32>,
    /// Most units discounted per line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_limit: Option<i64>,
    /// Most units discounted over all lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregated_quantity_limit: Option<i64>,
    /// Largest discount per line (minor units).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_limit: Option<i64>,
    /// Largest discount over all lines (minor units).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregated_amount_limit: Option<i64>,
    /// New unit price for FIXED `APPLY_TO_ITEMS` discounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<i64>,
    /// Formula for `price`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_formula: Option<String>,
}

/// Bundle rules.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleRules {
    /// Most bundles identified (1–100, default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Whether the discount is multiplied by the number of bundles.
    #[serde(default, skip_serializing_if = "is_false")]
    pub multiply_discount: bool,
    /// Numbered `order.items.any` rules; all must be met.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<String, BundleRule>,
}

/// One bundle component.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleRule {
    /// Always `order.items.any`.
    pub name: String,
    /// `{"$is": [{id, object, type}]}`.
    pub conditions: BTreeMap<String, Value>,
    /// Units of the component per bundle (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
}

/// The five campaign types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CampaignType {
    /// Coupon codes.
    DiscountCoupons,
    /// Automatic cart promotions.
    Promotion,
    /// Gift cards.
    GiftVouchers,
    /// Loyalty cards.
    LoyaltyProgram,
    /// Referral codes.
    ReferralProgram,
}

/// Dates and recurring windows (campaigns, vouchers, tiers, earning rules).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Validity {
    /// Inactive before this instant (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// Inactive after this instant (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    /// Valid for `duration` every `interval`, from `start_date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_timeframe: Option<ValidityTimeframe>,
    /// Weekdays (0 = Sunday … 6 = Saturday).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_day_of_week: Option<Vec<u8>>,
    /// Daily hour windows, in the project's time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_hours: Option<ValidityHours>,
}

/// `validity_timeframe`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidityTimeframe {
    /// ISO 8601 duration between window starts (`P2D`).
    pub interval: String,
    /// ISO 8601 length of each window (`PT1H`).
    pub duration: String,
}

/// `validity_hours`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidityHours {
    /// Daily windows.
    #[serde(default)]
    pub daily: Vec<DailyWindow>,
}

/// One daily window.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DailyWindow {
    /// `HH:mm`, inclusive.
    pub start_time: String,
    /// `HH:mm`, exclusive.
    pub expiration_time: String,
    /// Weekdays (0 = Sunday … 6 = Saturday).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days_of_week: Vec<u8>,
}

/// A campaign.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    /// Campaign id (`camp_…`).
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// One of the five types.
    pub campaign_type: CampaignType,
    /// `AUTO_UPDATE`, `STATIC` or `STANDALONE` (informational).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub code_type: Option<String>,
    /// The on/off switch (default on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Dates and windows.
    #[serde(flatten)]
    pub validity: Validity,
    /// Stacking category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<String>,
    /// Stacking categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Campaign metadata.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
    /// Validation rules of the whole campaign.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validation_rule_ids: Vec<String>,
    /// The voucher template shared by the campaign's codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher: Option<VoucherTemplate>,
    /// The campaign's codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vouchers: Vec<Voucher>,
    /// Bulk unique codes: each becomes a voucher with the template's
    /// definition, published only as a salted hash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unique_codes: Vec<String>,
    /// Promotion tiers (`PROMOTION`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub promotion_tiers: Vec<PromotionTier>,
    /// Promotion stacks (`PROMOTION`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub promotion_stacks: Vec<PromotionStack>,
    /// Loyalty settings (`LOYALTY_PROGRAM`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loyalty: Option<LoyaltyProgram>,
    /// Referral settings (`REFERRAL_PROGRAM`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral_program: Option<ReferralProgram>,
    /// A customer may hold only one code (informational).
    #[serde(default, skip_serializing_if = "is_false")]
    pub join_once: bool,
    /// Loyalty auto-join (informational).
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_join: bool,
    /// An advertised offer: its generic codes count for strikethrough prices.
    #[serde(default, skip_serializing_if = "is_false")]
    pub public: bool,
}

/// What a campaign's codes give.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VoucherTemplate {
    /// `DISCOUNT_VOUCHER`, `GIFT_VOUCHER` or `LOYALTY_CARD`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub voucher_type: Option<String>,
    /// The discount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<Discount>,
    /// The gift definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift: Option<Gift>,
    /// The loyalty-card definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loyalty_card: Option<LoyaltyCard>,
    /// Default redemption limit of each code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redemption: Option<RedemptionLimit>,
}

/// A code.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Voucher {
    /// Voucher id (`v_…`); also accepted as a redeemable id, and the key of
    /// the code's ledger counters (so keep it stable across publications).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The code, in clear.
    pub code: String,
    /// A unique code: published only as a salted hash, never in clear.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    /// Overrides the campaign's `voucher.type`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub voucher_type: Option<String>,
    /// Overrides the campaign's discount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<Discount>,
    /// Gift balance of this card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift: Option<Gift>,
    /// Loyalty balance of this card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loyalty_card: Option<LoyaltyCard>,
    /// The on/off switch (default on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Dates and windows; each overrides the campaign's.
    #[serde(flatten)]
    pub validity: Validity,
    /// Redemption limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redemption: Option<RedemptionLimit>,
    /// The customer (`source_id`) the code is published to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_id: Option<String>,
    /// Only the holder may redeem it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub redeemable_by_holder_only: bool,
    /// A referral code (`holder_id` is the referrer).
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_referral_code: bool,
    /// Validation rules of this code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validation_rule_ids: Vec<String>,
    /// Voucher metadata.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
}

/// `voucher.redemption`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedemptionLimit {
    /// Most redemptions; absent = unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    /// Redemptions made before this system (the ledger starts from it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeemed_quantity: Option<i64>,
}

/// A gift card definition or balance.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Gift {
    /// Credits loaded (minor units).
    #[serde(default)]
    pub amount: i64,
    /// Credits left (the ledger starts from it; default `amount`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<i64>,
    /// `APPLY_TO_ORDER` (default) or `APPLY_TO_ITEMS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
}

/// A loyalty card balance.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoyaltyCard {
    /// Points ever earned.
    #[serde(default)]
    pub points: i64,
    /// Spendable points (the ledger starts from it; default `points`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<i64>,
}

/// A discount (Voucherify's `Discount` object).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Discount {
    /// `AMOUNT`, `PERCENT`, `FIXED` or `UNIT`.
    #[serde(rename = "type")]
    pub discount_type: DiscountType,
    /// AMOUNT: minor units off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_off: Option<i64>,
    /// AMOUNT: formula.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_off_formula: Option<String>,
    /// PERCENT: percentage, e.g. `10` or `12.5`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_off: Option<serde_json::Number>,
    /// PERCENT: formula.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_off_formula: Option<String>,
    /// PERCENT: largest discount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_limit: Option<i64>,
    /// AMOUNT / PERCENT: largest discount per order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregated_amount_limit: Option<i64>,
    /// FIXED: the new total or unit price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_amount: Option<i64>,
    /// FIXED: formula.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_amount_formula: Option<String>,
    /// UNIT: units given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_off: Option<i64>,
    /// UNIT: formula.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_off_formula: Option<String>,
    /// UNIT: the product or SKU id given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_type: Option<String>,
    /// UNIT `ADD_MANY_ITEMS`: the units given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<Vec<Unit>>,
    /// The effect, e.g. `APPLY_TO_ORDER`, `APPLY_TO_ITEMS`,
    /// `APPLY_TO_ITEMS_PROPORTIONALLY`, `ADD_MISSING_ITEMS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
}

/// Discount types.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DiscountType {
    /// An amount off.
    Amount,
    /// A percentage off.
    Percent,
    /// A fixed price.
    Fixed,
    /// Free units.
    Unit,
}

/// One unit of an `ADD_MANY_ITEMS` discount.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    /// Units given.
    pub unit_off: i64,
    /// Formula for `unit_off`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_off_formula: Option<String>,
    /// The product or SKU id given.
    pub unit_type: String,
    /// `ADD_MISSING_ITEMS` or `ADD_NEW_ITEMS`.
    pub effect: String,
}

/// A promotion tier.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromotionTier {
    /// Tier id (`promo_…`).
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Text for storefronts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banner: Option<String>,
    /// Lower is applied first (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hierarchy: Option<i64>,
    /// The on/off switch (default on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Dates and windows; each overrides the campaign's.
    #[serde(flatten)]
    pub validity: Validity,
    /// What the tier gives.
    pub action: TierAction,
    /// Validation rules of this tier.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validation_rule_ids: Vec<String>,
    /// Stacking category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<String>,
    /// Stacking categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Tier metadata.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
}

/// `promotion_tier.action`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TierAction {
    /// The tier's discount.
    pub discount: Discount,
}

/// A promotion stack.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromotionStack {
    /// Stack id (`stack_…`).
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The member tiers, in order.
    pub tier_ids: Vec<String>,
    /// Stacking category of the stack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<String>,
}

/// Loyalty settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoyaltyProgram {
    /// How points are earned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earning_rules: Vec<EarningRule>,
    /// Member tiers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<LoyaltyTier>,
    /// What points buy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rewards: Vec<Reward>,
}

/// An earning rule.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EarningRule {
    /// Earning rule id (`ern_…`).
    pub id: String,
    /// The triggering event (default `order.paid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// `{type: FIXED|PROPORTIONAL, points, calculation_type, every, …}`.
    pub loyalty: Value,
    /// Validation rules of this earning rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validation_rule_ids: Vec<String>,
    /// Own dates and windows.
    #[serde(flatten)]
    pub validity: Validity,
    /// The on/off switch (default on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// A loyalty tier.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoyaltyTier {
    /// Tier id (`ltr_…`).
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Point range `{from, to}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Value>,
    /// Per earning rule: `{type: MULTIPLY, multiplier}` or `{type: CUSTOM, points}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub earning_rules: BTreeMap<String, Value>,
}

/// A loyalty reward.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reward {
    /// Reward id (`rew_…`).
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `COIN` (pay with points), `CAMPAIGN` or `MATERIAL`.
    #[serde(rename = "type")]
    pub reward_type: String,
    /// COIN: `points_ratio` points are worth `exchange_ratio` major units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coin: Option<CoinRatio>,
    /// Point cost of CAMPAIGN and MATERIAL rewards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
}

/// Pay-with-points ratio.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CoinRatio {
    /// Currency units (major) bought by `points_ratio` points.
    pub exchange_ratio: serde_json::Number,
    /// Points that buy `exchange_ratio` units.
    pub points_ratio: serde_json::Number,
}

/// Referral settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralProgram {
    /// `redemption` or `custom_event`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion_event_type: Option<String>,
    /// The referee's reward (granted by the origin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referee_reward: Option<Value>,
}

/// The JSON Schema of every source file, pretty-printed with a final newline.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(SourceFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
