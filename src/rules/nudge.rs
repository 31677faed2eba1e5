//! Nudges: what a shopper could change so that a redeemable applies.

use serde::Serialize;

use crate::money::Money;

/// A machine-readable hint attached to an INAPPLICABLE redeemable when a
/// simple change would make it apply. Several nudges on one redeemable are
/// all needed (they come from rules joined by `and`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Nudge {
    /// Spend this much more (minor units) on the order.
    AddAmount {
        /// The amount still missing.
        amount: Money,
        /// The rule that asks for it (`order.amount`, …).
        rule: String,
    },
    /// Add these items.
    AddItems {
        /// What is missing.
        items: Vec<MissingItem>,
    },
    /// Add this many more lines (`order.items.count`).
    AddLines {
        /// Lines still missing.
        count: i64,
    },
    /// It becomes valid at this instant.
    WaitUntil {
        /// RFC 3339, UTC.
        at: String,
    },
}

/// An item a bundle or item rule still needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingItem {
    /// `product`, `sku` or `products_collection` (absent when the rule named a bare id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<&'static str>,
    /// The id.
    pub id: String,
    /// Units still missing.
    pub quantity: i64,
}
