//! Discounts in evaluable form, the product targets they may touch, and
//! bundle rules.

use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::rules::ItemTarget;
use crate::formula::Formula;
use crate::money::Money;

/// A parsed `*_formula`, shared by every code of a campaign.
pub type Dynamic = Arc<Formula>;

/// How an AMOUNT discount is spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AmountEffect {
    /// Off the order total.
    Order,
    /// Off each matched line.
    Items,
    /// Off each matched unit.
    ItemsByQuantity,
    /// Split over matched lines by amount.
    Proportionally,
    /// Split over matched lines by quantity.
    ProportionallyByQuantity,
}

/// How a free unit is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnitEffect {
    /// Top the cart up to `unit_off` units, all free.
    AddMissingItems,
    /// Add `unit_off` new units, only those free.
    AddNewItems,
}

/// One free-unit gift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitGift {
    /// Units given.
    pub unit_off: i64,
    /// The product or SKU id.
    pub unit_type: String,
    /// How.
    pub effect: UnitEffect,
    /// Formula for `unit_off` (the plain value is the fallback).
    pub formula: Option<Dynamic>,
}

/// A discount (Voucherify's `Discount` object, checked and resolved).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Discount {
    /// `AMOUNT`.
    Amount {
        /// Minor units off.
        amount_off: Money,
        /// How it is spread.
        effect: AmountEffect,
        /// Cap per order.
        aggregated_amount_limit: Option<Money>,
        /// `amount_off_formula` (major units).
        formula: Option<Dynamic>,
    },
    /// `PERCENT`.
    Percent {
        /// The percentage.
        #[serde(with = "super::wire::decimal")]
        percent: Decimal,
        /// On the order (`false`) or on items (`true`).
        items: bool,
        /// Cap per order (order effect) or per line (item effect).
        amount_limit: Option<Money>,
        /// Cap per order.
        aggregated_amount_limit: Option<Money>,
        /// `percent_off_formula`.
        formula: Option<Dynamic>,
    },
    /// `FIXED`: a new order total or unit price.
    Fixed {
        /// The new total (order) or unit price (items).
        fixed_amount: Money,
        /// On items (`true`) or the order.
        items: bool,
        /// `fixed_amount_formula` (major units).
        formula: Option<Dynamic>,
    },
    /// `UNIT`: free units.
    Unit {
        /// The units given.
        units: Vec<UnitGift>,
    },
}

impl Discount {
    /// Whether the discount touches lines rather than the order total.
    pub fn is_item_level(&self) -> bool {
        match self {
            Discount::Amount { effect, .. } => *effect != AmountEffect::Order,
            Discount::Percent { items, .. } | Discount::Fixed { items, .. } => *items,
            Discount::Unit { .. } => true,
        }
    }
}

/// What a target refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TargetObject {
    /// A product (covers its SKUs).
    Product,
    /// One SKU.
    Sku,
    /// A products collection.
    ProductsCollection,
}

impl TargetObject {
    /// The name in responses.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetObject::Product => "product",
            TargetObject::Sku => "sku",
            TargetObject::ProductsCollection => "products_collection",
        }
    }
}

/// Whether a target's application rules count lines or units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TargetUnit {
    /// Order lines.
    #[default]
    Item,
    /// Single units.
    Unit,
}

/// Which of the matched resources a target discounts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TargetEffect {
    /// Every matched resource, in request order.
    #[default]
    ApplyToEvery,
    /// Only the cheapest one.
    ApplyToCheapest,
    /// Starting at the cheapest, through the list.
    ApplyFromCheapest,
    /// Only the most expensive one.
    ApplyToMostExpensive,
    /// Starting at the most expensive, through the list.
    ApplyFromMostExpensive,
}

impl TargetEffect {
    /// The name in responses.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetEffect::ApplyToEvery => "APPLY_TO_EVERY",
            TargetEffect::ApplyToCheapest => "APPLY_TO_CHEAPEST",
            TargetEffect::ApplyFromCheapest => "APPLY_FROM_CHEAPEST",
            TargetEffect::ApplyToMostExpensive => "APPLY_TO_MOST_EXPENSIVE",
            TargetEffect::ApplyFromMostExpensive => "APPLY_FROM_MOST_EXPENSIVE",
        }
    }
}

/// One product target with its application rules and caps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// What `id` refers to.
    pub object: TargetObject,
    /// Product, SKU or collection id.
    pub id: String,
    /// The id's position in [`super::Plan::target_ids`].
    pub key: u32,
    /// Which matched resources get the discount.
    pub effect: TargetEffect,
    /// Lines or units.
    pub target: TargetUnit,
    /// Resources skipped before the first discounted one.
    pub skip_initially: u32,
    /// After the first, every `repeat`-th resource is discounted (1 = all).
    pub repeat: Option<u32>,
    /// Most units discounted per line.
    pub quantity_limit: Option<i64>,
    /// Most units discounted over all matched lines.
    pub aggregated_quantity_limit: Option<i64>,
    /// Largest discount per line.
    pub amount_limit: Option<Money>,
    /// Largest discount over all lines of this target.
    pub aggregated_amount_limit: Option<Money>,
    /// New unit price for FIXED `APPLY_TO_ITEMS` discounts.
    pub price: Option<Money>,
    /// Parsed `price_formula`; `price` is the fallback.
    pub price_formula: Option<Dynamic>,
}

/// Which lines an item effect may touch (the `applicable_to` of every
/// validation rule assigned to a redeemable, merged).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Eligibility {
    /// Included targets, each with its own application rules.
    pub included: Vec<Target>,
    /// Excluded targets (win over inclusions).
    pub excluded: Vec<Target>,
    /// Every line except the excluded.
    pub included_all: bool,
    /// Whether any `applicable_to` was given at all.
    pub restricted: bool,
}

impl Eligibility {
    /// Whether the rules name products (this decides the default effect).
    pub fn names_products(&self) -> bool {
        !self.included.is_empty() || !self.excluded.is_empty()
    }
}

/// One bundle component: a target and the units of it per bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleComponent {
    /// What the component is.
    pub target: ItemTarget,
    /// Units per bundle.
    pub units: i64,
}

/// Bundle rules of a validation rule: the components a bundle is made of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleRule {
    /// Most bundles counted.
    pub limit: i64,
    /// Whether the discount is multiplied by the number of bundles.
    pub multiply: bool,
    /// The components.
    pub components: Vec<BundleComponent>,
}
