//! Request types, in Voucherify's stackable-API shapes (snake_case).
//!
//! Unknown top-level fields (`tracking_id`, `session`, …) are accepted and
//! ignored, so a storefront written against the remote API can send the
//! same body.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::plan::Metadata;

/// `POST /v1/validations` body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ValidationRequest {
    /// Codes, tiers and stacks to apply, in the requested order.
    #[serde(default)]
    pub redeemables: Vec<RedeemableRef>,
    /// The cart.
    #[serde(default)]
    pub order: OrderInput,
    /// Who is buying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<CustomerInput>,
    /// Redemption metadata (for `redemption.metadata` rules).
    #[serde(default)]
    pub metadata: Metadata,
    /// Live counters the host knows (redemptions so far, balances). Absent
    /// counters are assumed zero and reported in `counters_assumed`.
    #[serde(default)]
    pub counters: Counters,
    /// What the answer spells out beyond its default (`options.expand`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<ValidationOptions>,
}

/// `options` of a validation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ValidationOptions {
    /// Voucherify's `expand` values (see [`Expand`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expand: Vec<String>,
}

/// What an answer spells out beyond its default, from Voucherify's
/// `options.expand`:
///
/// * `order` — the order's `items`, and (validate) each applicable
///   redeemable's own `order` after it;
/// * `redeemable` — each redeemable's `campaign_id`, `campaign_name`,
///   `name`, `banner` and `metadata` (validate; qualify always has them);
/// * `category`, `redemption`, `validation_rules` — accepted for
///   compatibility with Voucherify's enums; they add nothing here
///   (categories are always whole).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expand {
    /// `order`.
    pub order: bool,
    /// `redeemable`.
    pub redeemable: bool,
}

impl Expand {
    /// Reads `expand` values; an unknown one is `INVALID_REQUEST` at `path`.
    pub fn of(values: &[String], path: &str) -> Result<Expand, crate::Error> {
        let mut e = Expand::default();
        for (i, v) in values.iter().enumerate() {
            match v.as_str() {
                "order" => e.order = true,
                "redeemable" => e.redeemable = true,
                // Categories are always whole; these add nothing here.
                "category" | "redemption" | "validation_rules" => {}
                _ => {
                    return Err(crate::Error::invalid_request(
                        format!("{path}[{i}]"),
                        "expected order, redeemable, category, redemption or validation_rules",
                    ))
                }
            }
        }
        Ok(e)
    }
}

/// The kinds of redeemable a request can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedeemableObject {
    /// A coupon, gift card, loyalty card or referral code.
    Voucher,
    /// A promotion tier.
    PromotionTier,
    /// A promotion stack (its tiers act together).
    PromotionStack,
}

/// One entry of `redeemables[]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedeemableRef {
    /// What `id` names.
    pub object: RedeemableObject,
    /// A code (or `v_…` id), a `promo_…` tier id, a `stack_…` id.
    pub id: String,
    /// Gift card: credits to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift: Option<GiftRequest>,
    /// Loyalty card: the reward and points to spend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward: Option<RewardRequest>,
}

impl RedeemableRef {
    /// A request entry naming a plan redeemable by `id` (pricing and
    /// qualification build one-candidate requests from the plan itself).
    pub fn naming(r: &crate::plan::Redeemable, id: String) -> RedeemableRef {
        RedeemableRef {
            object: if r.kind == crate::plan::RedeemableKind::PromotionTier {
                RedeemableObject::PromotionTier
            } else {
                RedeemableObject::Voucher
            },
            id,
            gift: None,
            reward: None,
        }
    }
}

/// `redeemables[].gift`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GiftRequest {
    /// Credits to use (minor units); none (`gift: {}`) uses what the order
    /// needs, up to the balance, as if `gift` were not sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits: Option<Money>,
}

/// `redeemables[].reward`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RewardRequest {
    /// The reward (`rew_…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Voucherify's reward assignment id: a snapshot names each
    /// pay-with-points reward by one id, which this may name instead of `id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment_id: Option<String>,
    /// Points to spend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
}

impl RewardRequest {
    /// The reward it names: `id`, else `assignment_id`.
    pub fn named(&self) -> Option<&str> {
        self.id.as_deref().or(self.assignment_id.as_deref())
    }
}

/// The cart.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OrderInput {
    /// The merchant's order id (echoed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The merchant's order source id (echoed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// Order amount when there are no items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// Order lines.
    #[serde(default)]
    pub items: Vec<OrderItemInput>,
    /// Order metadata (for `order.metadata` rules).
    #[serde(default)]
    pub metadata: Metadata,
}

/// One order line.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OrderItemInput {
    /// Catalog product id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    /// Catalog SKU id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku_id: Option<String>,
    /// The merchant's id of the product or SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// `product` or `sku`: what `source_id` names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_object: Option<String>,
    /// Units (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    /// Unit price; the catalog's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Money>,
    /// Line amount; must equal price × quantity when both are given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// Inline product reference (id, source_id, metadata).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<ItemReference>,
    /// Inline SKU reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<ItemReference>,
    /// Line metadata.
    #[serde(default)]
    pub metadata: Metadata,
}

/// An inline product or SKU on an order line.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ItemReference {
    /// Catalog id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Merchant id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Unit price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Money>,
    /// Metadata (merged over the catalog's).
    #[serde(default)]
    pub metadata: Metadata,
}

/// Who is buying.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CustomerInput {
    /// Voucherify customer id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The merchant's customer id; holder checks use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// Customer metadata.
    #[serde(default)]
    pub metadata: Metadata,
    /// Segment ids the customer is in.
    #[serde(default)]
    pub segments: Vec<String>,
    /// Loyalty tier id, for tier-restricted rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loyalty_tier: Option<String>,
}

impl CustomerInput {
    /// Whether this customer is `who` (by `source_id` or by `id`).
    pub fn is(&self, who: &str) -> bool {
        self.source_id.as_deref() == Some(who) || self.id.as_deref() == Some(who)
    }

    /// The customer's identities: `source_id`, then `id`.
    pub fn identities(&self) -> impl Iterator<Item = &str> {
        self.source_id
            .as_deref()
            .into_iter()
            .chain(self.id.as_deref())
    }
}

/// Counters the host knows. Keys are redeemable ids as requested (code or
/// tier id) and campaign ids.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counters {
    /// Per code or tier.
    #[serde(default)]
    pub redeemables: BTreeMap<String, BTreeMap<String, i64>>,
    /// Per campaign.
    #[serde(default)]
    pub campaigns: BTreeMap<String, BTreeMap<String, i64>>,
}
