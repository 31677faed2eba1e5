//! The source model: campaigns, catalog and settings as a promotion
//! manager writes them (`promo-edge.snapshot/1`). Shapes follow
//! Voucherify's resources so a definition can be moved over; see the
//! README's "Snapshot" section. The compiler reads this and writes a
//! [`crate::plan::Plan`]; nothing evaluates it directly.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::money::{Money, RoundingMode};
use crate::plan::{
    CampaignType, Currency, Metadata, StackingRules, TargetEffect, TargetObject, TargetUnit,
};

/// The source schema this compiler reads.
pub const SCHEMA: &str = "promo-edge.snapshot/1";

/// A published set of campaigns for one project and channel.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The project the campaigns belong to.
    #[serde(default)]
    pub project: String,
    /// The sales channel this snapshot was published for.
    #[serde(default)]
    pub channel: String,
    /// Strictly increasing publication number; a client refuses to go back.
    pub version: u64,
    /// When the snapshot was published (RFC 3339).
    pub issued_at: String,
    /// After this instant the snapshot is reported stale (RFC 3339).
    pub expires_at: String,
    /// The project currency and its minor-unit exponent.
    pub currency: Currency,
    /// How computed discounts are rounded to minor units.
    #[serde(default)]
    pub rounding: RoundingMode,
    /// The project's time zone with its UTC-offset transitions.
    pub time_zone: TimeZoneSpec,
    /// Salt of the unique-code hashes (see [`crate::codes`]).
    #[serde(default)]
    pub code_salt: String,
    /// How redeemables combine in one request.
    #[serde(default)]
    pub stacking_rules: StackingRules,
    /// Stacking categories.
    #[serde(default)]
    pub categories: Vec<Category>,
    /// The catalog: products.
    #[serde(default)]
    pub products: Vec<Product>,
    /// The catalog: SKUs (variants of products).
    #[serde(default)]
    pub skus: Vec<Sku>,
    /// The catalog: static product collections.
    #[serde(default)]
    pub collections: Vec<Collection>,
    /// Validation rules, referenced by id from campaigns, vouchers and tiers.
    #[serde(default)]
    pub validation_rules: Vec<ValidationRule>,
    /// The campaigns, of all five types.
    #[serde(default)]
    pub campaigns: Vec<Campaign>,
}

/// A stacking category.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Category id (`cat_…`).
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Lower is applied first under `CATEGORY_HIERARCHY` (default 1).
    #[serde(default = "default_hierarchy")]
    pub hierarchy: i64,
}

fn default_hierarchy() -> i64 {
    1
}

/// A catalog product.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// Product id (`prod_…`).
    pub id: String,
    /// The merchant's own id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Catalog unit price in minor units, used when an order line has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Money>,
    /// Product metadata, visible to `product.metadata` rules.
    #[serde(default)]
    pub metadata: Metadata,
}

/// A catalog SKU (a variant of a product).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    #[serde(default)]
    pub sku: String,
    /// Catalog unit price; falls back to the product's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Money>,
    /// SKU metadata.
    #[serde(default)]
    pub metadata: Metadata,
}

/// A static products collection.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Collection {
    /// Collection id (`pc_…`).
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Member product and SKU ids.
    #[serde(default)]
    pub products: Vec<String>,
}

/// A validation rule: eligibility conditions, product targets and bundles.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ValidationRule {
    /// Rule id (`val_…`).
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Voucherify's rule type (`basic`, `advanced`, …); informational.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub rule_type: Option<String>,
    /// Fallback error message for the whole rule set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorMessage>,
    /// Numbered conditions (`"1"`, `"2"`, …) and their `logic`.
    #[serde(default)]
    pub rules: RuleSet,
    /// Which products an item-level effect may touch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicable_to: Option<ApplicableTo>,
    /// Product bundles the order must contain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_rules: Option<BundleRules>,
}

/// A configured error message.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ErrorMessage {
    /// The text shown to the customer.
    pub message: String,
}

/// Numbered rules plus their `logic` expression. Keys are `"1"`, `"2"`, …;
/// an absent `logic` means all rules must hold (`1 and 2 and …`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RuleSet {
    /// Boolean expression over the rule numbers, e.g. `(1 and 2) or 3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logic: Option<String>,
    /// The rules by number.
    #[serde(flatten)]
    #[cfg_attr(feature = "schema", schemars(with = "BTreeMap<String, RuleSource>"))]
    pub rules: BTreeMap<String, Value>,
}

/// One condition of a rule set (parsed from the `rules` map at compile time,
/// so that a malformed rule disables its redeemable instead of failing the
/// whole snapshot).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RuleSource {
    /// The rule name, e.g. `order.amount`, `customer.segment`.
    pub name: String,
    /// The metadata key for `*.metadata` rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    /// One or more operators, each with an array of operands.
    #[serde(default)]
    pub conditions: BTreeMap<String, Value>,
    /// Nested sub-rules narrowing this rule's match.
    #[serde(default)]
    pub rules: RuleSet,
    /// This rule's own error message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorMessage>,
}

/// `applicable_to` of a validation rule.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ApplicableTo {
    /// Targets the effect applies to.
    #[serde(default)]
    pub included: Vec<Target>,
    /// Targets the effect never touches (exclusions win).
    #[serde(default)]
    pub excluded: Vec<Target>,
    /// Every product except the excluded ones.
    #[serde(default)]
    pub included_all: bool,
}

/// One `applicable_to` target with its application rules and caps.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// What `id` refers to.
    pub object: TargetObject,
    /// Product, SKU or collection id.
    pub id: String,
    /// The merchant's id of the target (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// For SKU targets: the parent product (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    /// Which matched resources get the discount.
    #[serde(default)]
    pub effect: TargetEffect,
    /// Lines or units.
    #[serde(default)]
    pub target: TargetUnit,
    /// Resources skipped before the first discounted one.
    #[serde(default)]
    pub skip_initially: u32,
    /// After the first, every `repeat`-th resource is discounted (1 = all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<u32>,
    /// Most units discounted per line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_limit: Option<i64>,
    /// Most units discounted over all matched lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregated_quantity_limit: Option<i64>,
    /// Largest discount per line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_limit: Option<Money>,
    /// Largest discount over all lines of this target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregated_amount_limit: Option<Money>,
    /// New unit price for FIXED `APPLY_TO_ITEMS` discounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Money>,
    /// Formula for `price`; `price` is the fallback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_formula: Option<String>,
}

/// Bundle rules of a validation rule.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BundleRules {
    /// Most bundles identified (1–100, default 1).
    #[serde(default = "default_bundle_limit")]
    pub limit: u32,
    /// Whether the discount is multiplied by the number of bundles.
    #[serde(default)]
    pub multiply_discount: bool,
    /// Numbered `order.items.any` rules; all must be met.
    #[serde(default)]
    pub rules: BTreeMap<String, BundleRuleSource>,
}

fn default_bundle_limit() -> u32 {
    1
}

/// One bundle component.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BundleRuleSource {
    /// Always `order.items.any`.
    pub name: String,
    /// `{"$is": [{id, object, type}]}`.
    pub conditions: BTreeMap<String, Value>,
    /// Units of the component per bundle (default 1).
    #[serde(default = "default_units")]
    pub quantity: i64,
}

fn default_units() -> i64 {
    1
}

/// The time fields shared by campaigns, vouchers and promotion tiers.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Validity {
    /// Inactive before this instant (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// Inactive after this instant (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    /// A recurring window anchored at `start_date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_timeframe: Option<ValidityTimeframe>,
    /// Weekdays (0 = Sunday … 6 = Saturday) on which it is valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_day_of_week: Option<Vec<u8>>,
    /// Daily hour windows ("happy hours").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_hours: Option<ValidityHours>,
}

/// `validity_timeframe`: valid for `duration` every `interval`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ValidityTimeframe {
    /// ISO 8601 duration between window starts, e.g. `P2D`.
    pub interval: String,
    /// ISO 8601 length of each window, e.g. `PT1H`.
    pub duration: String,
}

/// `validity_hours`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ValidityHours {
    /// Daily windows.
    #[serde(default)]
    pub daily: Vec<DailyWindow>,
}

/// One daily window, in project-local time.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DailyWindow {
    /// `HH:mm`, inclusive.
    pub start_time: String,
    /// `HH:mm`, exclusive.
    pub expiration_time: String,
    /// Weekdays (0 = Sunday … 6 = Saturday).
    #[serde(default)]
    pub days_of_week: Vec<u8>,
}

/// A campaign of any of the five types.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    /// Campaign id (`camp_…`).
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// One of the five types.
    pub campaign_type: CampaignType,
    /// `AUTO_UPDATE`, `STATIC` or `STANDALONE` (informational).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub code_type: Option<String>,
    /// The on/off switch.
    #[serde(default = "yes")]
    pub active: bool,
    /// Dates and recurring windows.
    #[serde(flatten)]
    pub validity: Validity,
    /// Stacking category (single).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<String>,
    /// Stacking categories (several).
    #[serde(default)]
    pub categories: Vec<String>,
    /// Campaign metadata.
    #[serde(default)]
    pub metadata: Metadata,
    /// Validation rules assigned to the whole campaign.
    #[serde(default)]
    pub validation_rule_ids: Vec<String>,
    /// The voucher template: discount, gift or loyalty-card definition
    /// shared by the campaign's codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher: Option<VoucherTemplate>,
    /// The campaign's codes.
    #[serde(default)]
    pub vouchers: Vec<Voucher>,
    /// Bulk unique codes without per-code settings, as salted hashes (the
    /// compact form: 100,000 codes parse and index in milliseconds). Each
    /// behaves as a voucher of the campaign's `voucher` template, and its
    /// redemption count comes from the request's counters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<String>"))]
    pub code_hashes: Vec<crate::codes::CodeHash>,
    /// Bulk unique codes in clear, as a promotion manager writes them: the
    /// compiler keeps only their salted hashes (as `code_hashes`), so the
    /// plan never carries them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unique_codes: Vec<String>,
    /// Promotion tiers (`PROMOTION` campaigns).
    #[serde(default)]
    pub promotion_tiers: Vec<PromotionTier>,
    /// Promotion stacks (`PROMOTION` campaigns).
    #[serde(default)]
    pub promotion_stacks: Vec<PromotionStack>,
    /// Loyalty settings (`LOYALTY_PROGRAM` campaigns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loyalty: Option<LoyaltyProgram>,
    /// Referral settings (`REFERRAL_PROGRAM` campaigns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral_program: Option<ReferralProgram>,
    /// A customer may hold only one code of this campaign (informational).
    #[serde(default)]
    pub join_once: bool,
    /// Loyalty auto-join (informational).
    #[serde(default)]
    pub auto_join: bool,
    /// An advertised offer: its generic codes count for strikethrough
    /// prices, like automatic promotions (a price that needs a secret code
    /// is not the shelf price).
    #[serde(default)]
    pub public: bool,
}

fn yes() -> bool {
    true
}

/// What a campaign's codes give.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct VoucherTemplate {
    /// `DISCOUNT_VOUCHER`, `GIFT_VOUCHER` or `LOYALTY_CARD`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub voucher_type: Option<String>,
    /// The discount of a discount voucher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<DiscountSource>,
    /// The gift definition of a gift card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift: Option<GiftSource>,
    /// The loyalty-card definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loyalty_card: Option<LoyaltyCardSource>,
    /// Default redemption limit of each code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redemption: Option<RedemptionLimit>,
}

/// A code: generic (in clear), unique in clear (`unique`, hashed by the
/// compiler) or unique as its salted hash.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Voucher {
    /// Voucher id (`v_…`); also accepted as a redeemable id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// A generic code in clear.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// A unique code's salted hash (see [`crate::codes`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_hash: Option<String>,
    /// `code` is a unique code: the compiler keeps only its salted hash,
    /// never the code in clear.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unique: bool,
    /// Overrides the campaign's `voucher.type`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub voucher_type: Option<String>,
    /// Overrides the campaign's discount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<DiscountSource>,
    /// Gift balance of this card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift: Option<GiftSource>,
    /// Loyalty balance of this card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loyalty_card: Option<LoyaltyCardSource>,
    /// The on/off switch.
    #[serde(default = "yes")]
    pub active: bool,
    /// Dates and windows; each overrides the campaign's when set.
    #[serde(flatten)]
    pub validity: Validity,
    /// Redemption limit and count at publication time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redemption: Option<RedemptionLimit>,
    /// The customer (`source_id`) the code is published to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_id: Option<String>,
    /// Only the holder may redeem it.
    #[serde(default)]
    pub redeemable_by_holder_only: bool,
    /// A referral code; `holder_id` is then the referrer.
    #[serde(default)]
    pub is_referral_code: bool,
    /// Validation rules assigned to this code.
    #[serde(default)]
    pub validation_rule_ids: Vec<String>,
    /// Voucher metadata.
    #[serde(default)]
    pub metadata: Metadata,
}

/// `voucher.redemption`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RedemptionLimit {
    /// Most redemptions; absent = unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    /// Redemptions known at publication time; a request's counters override it.
    #[serde(default)]
    pub redeemed_quantity: i64,
}

/// A gift card definition or balance.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GiftSource {
    /// Credits loaded over the card's life.
    #[serde(default)]
    pub amount: Money,
    /// Credits left at publication time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<Money>,
    /// `APPLY_TO_ORDER` (default) or `APPLY_TO_ITEMS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
}

/// A loyalty card balance.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LoyaltyCardSource {
    /// Points ever earned.
    #[serde(default)]
    pub points: i64,
    /// Points spendable at publication time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<i64>,
}

/// A discount definition (Voucherify's `Discount` object).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DiscountSource {
    /// `AMOUNT`, `PERCENT`, `FIXED` or `UNIT`.
    #[serde(rename = "type")]
    #[cfg_attr(
        feature = "schema",
        schemars(extend("enum" = ["AMOUNT", "PERCENT", "FIXED", "UNIT"]))
    )]
    pub discount_type: String,
    /// AMOUNT: minor units off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_off: Option<Money>,
    /// AMOUNT: formula for `amount_off`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_off_formula: Option<String>,
    /// PERCENT: percentage (a plain number such as `10` or `12.5`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_off: Option<serde_json::Number>,
    /// PERCENT: formula for `percent_off`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_off_formula: Option<String>,
    /// PERCENT: largest discount (per order for order effects, per line for item effects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_limit: Option<Money>,
    /// AMOUNT / PERCENT: largest discount per order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregated_amount_limit: Option<Money>,
    /// FIXED: the new order total or unit price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_amount: Option<Money>,
    /// FIXED: formula for `fixed_amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_amount_formula: Option<String>,
    /// UNIT: units given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_off: Option<i64>,
    /// UNIT: formula for `unit_off`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_off_formula: Option<String>,
    /// UNIT: the product or SKU id given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_type: Option<String>,
    /// UNIT `ADD_MANY_ITEMS`: the units given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<Vec<UnitSource>>,
    /// The effect; defaults per type (see README "Semantics").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
    /// Set by the engine in responses when a formula gave the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_dynamic: Option<bool>,
}

/// One unit of an `ADD_MANY_ITEMS` discount.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct UnitSource {
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

/// A promotion tier: an automatic cart promotion.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PromotionTier {
    /// Tier id (`promo_…`).
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Text for storefronts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banner: Option<String>,
    /// Lower is applied first inside the promotion.
    #[serde(default = "default_hierarchy")]
    pub hierarchy: i64,
    /// The on/off switch.
    #[serde(default = "yes")]
    pub active: bool,
    /// Dates and windows; each overrides the campaign's when set.
    #[serde(flatten)]
    pub validity: Validity,
    /// What the tier gives.
    pub action: TierAction,
    /// Validation rules of this tier.
    #[serde(default)]
    pub validation_rule_ids: Vec<String>,
    /// Stacking category (single).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<String>,
    /// Stacking categories.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Tier metadata.
    #[serde(default)]
    pub metadata: Metadata,
}

/// `promotion_tier.action`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TierAction {
    /// The tier's discount.
    pub discount: DiscountSource,
}

/// A promotion stack: tiers that act together.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PromotionStack {
    /// Stack id (`stack_…`).
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// The member tiers, applied in this order.
    pub tier_ids: Vec<String>,
    /// Stacking category of the stack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<String>,
}

/// Loyalty settings of a `LOYALTY_PROGRAM` campaign.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LoyaltyProgram {
    /// How points are earned.
    #[serde(default)]
    pub earning_rules: Vec<EarningRule>,
    /// Member tiers.
    #[serde(default)]
    pub tiers: Vec<LoyaltyTier>,
    /// What points buy.
    #[serde(default)]
    pub rewards: Vec<Reward>,
}

/// An earning rule.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EarningRule {
    /// Earning rule id (`ern_…`).
    pub id: String,
    /// The triggering event, e.g. `order.paid`.
    #[serde(default = "order_paid")]
    pub event: String,
    /// `{type: FIXED|PROPORTIONAL, points, calculation_type, every, …}`.
    pub loyalty: Value,
    /// Validation rules of this earning rule.
    #[serde(default)]
    pub validation_rule_ids: Vec<String>,
    /// Own dates and windows; the campaign's apply when absent.
    #[serde(flatten)]
    pub validity: Validity,
    /// The on/off switch.
    #[serde(default = "yes")]
    pub active: bool,
}

fn order_paid() -> String {
    "order.paid".to_string()
}

/// A loyalty tier.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LoyaltyTier {
    /// Tier id (`ltr_…`).
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Point range `{from, to}` of the tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Value>,
    /// Per earning rule: `{type: MULTIPLY, multiplier}` or `{type: CUSTOM, points}`.
    #[serde(default)]
    pub earning_rules: BTreeMap<String, Value>,
}

/// A loyalty reward.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Reward {
    /// Reward id (`rew_…`).
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// `COIN` (pay with points), `CAMPAIGN` or `MATERIAL`.
    #[serde(rename = "type")]
    pub reward_type: String,
    /// COIN: `points_ratio` points are worth `exchange_ratio` currency units (major).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coin: Option<CoinRatio>,
    /// Point cost of CAMPAIGN and MATERIAL rewards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
}

/// Pay-with-points exchange ratio.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CoinRatio {
    /// Currency units (major) bought by `points_ratio` points.
    pub exchange_ratio: serde_json::Number,
    /// Points that buy `exchange_ratio` currency units.
    pub points_ratio: serde_json::Number,
}

/// Referral settings of a `REFERRAL_PROGRAM` campaign.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReferralProgram {
    /// `redemption` or `custom_event`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion_event_type: Option<String>,
    /// A gift or loyalty reward for the referee (granted by the origin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referee_reward: Option<Value>,
}

/// The project's time zone as published: an IANA name (informational) and
/// the offsets in force, each from an instant on.
///
/// ```json
/// {"name": "Europe/Warsaw", "offsets": [
///   {"offset_seconds": 3600},
///   {"from": "2026-03-29T01:00:00Z", "offset_seconds": 7200},
///   {"from": "2026-10-25T01:00:00Z", "offset_seconds": 3600}]}
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TimeZoneSpec {
    /// IANA zone name, e.g. `Europe/Warsaw`.
    pub name: String,
    /// Offset periods in increasing order; the first may omit `from`.
    pub offsets: Vec<OffsetPeriod>,
}

/// One period of a constant UTC offset.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OffsetPeriod {
    /// First instant of the period (RFC 3339); absent = since always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Seconds east of UTC.
    pub offset_seconds: i32,
}
