//! Codes, tiers and their campaigns, with every reference resolved to a
//! position in the plan.

use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::discount::{Discount, Eligibility};
use super::Metadata;
use crate::money::Money;
use crate::time::Validity;

/// What a redeemable is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RedeemableKind {
    /// A discount code (coupon or referral code).
    DiscountVoucher,
    /// A gift card.
    GiftCard,
    /// A loyalty card.
    LoyaltyCard,
    /// A promotion tier.
    PromotionTier,
}

/// The five campaign types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CampaignType {
    /// Coupon codes (generic or unique).
    DiscountCoupons,
    /// Automatic cart promotions made of tiers.
    Promotion,
    /// Gift cards.
    GiftVouchers,
    /// Loyalty cards, earning rules, tiers and rewards.
    LoyaltyProgram,
    /// Referral codes.
    ReferralProgram,
}

/// A gift card's balance at publication and where its credits go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gift {
    /// Credits left at publication (`None`: unknown, taken as 0).
    pub balance: Option<Money>,
    /// Credits are spread over the items rather than taken off the order.
    pub to_items: bool,
}

/// A code or tier, ready to evaluate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Redeemable {
    /// What it is.
    pub kind: RedeemableKind,
    /// The voucher id, tier id, or (generic codes) the code.
    pub id: String,
    /// The code in clear, for generic codes (unique codes only have a hash).
    pub code: Option<String>,
    /// One redeemable standing for all bulk unique codes of its campaign
    /// (each requested code is still a redeemable of its own in a request).
    pub shared: bool,
    /// Position of its campaign in [`super::Plan::campaigns`].
    pub campaign: usize,
    /// Display name (tiers).
    pub name: Option<String>,
    /// Banner (tiers).
    pub banner: Option<String>,
    /// Its own on/off switch.
    pub active: bool,
    /// Dates and windows, or why they could not be read.
    pub validity: Arc<Result<Validity, String>>,
    /// The discount.
    pub discount: Option<Arc<Discount>>,
    /// Gift balance at publication and whether it applies to items.
    pub gift: Option<Gift>,
    /// Loyalty points balance at publication.
    pub loyalty_balance: Option<i64>,
    /// Redemption limit.
    pub quantity: Option<i64>,
    /// Redemptions at publication.
    pub redeemed_quantity: i64,
    /// The customer the code is published to.
    pub holder: Option<String>,
    /// Only the holder may redeem.
    pub holder_only: bool,
    /// A referral code (the holder is the referrer).
    pub is_referral: bool,
    /// Validation rules (positions in [`super::Plan::rules`]).
    pub rules: Arc<[usize]>,
    /// Product targets merged from its rules.
    pub eligibility: Arc<Eligibility>,
    /// Stacking categories.
    pub categories: Arc<[String]>,
    /// Metadata.
    #[serde(with = "super::wire::shared_metadata")]
    pub metadata: Arc<Metadata>,
    /// Why it is disabled, when a publish-time problem disabled it.
    pub disabled: Option<Arc<String>>,
}

impl Redeemable {
    /// The id a request names it by: a generic code's code, else the
    /// voucher or tier id.
    pub fn request_id(&self) -> &str {
        self.code.as_deref().unwrap_or(&self.id)
    }

    /// `promotion_tier` or `voucher`, as responses name it.
    pub fn object(&self) -> &'static str {
        if self.kind == RedeemableKind::PromotionTier {
            "promotion_tier"
        } else {
            "voucher"
        }
    }
}

/// A pay-with-points reward: `points_ratio` points are worth
/// `exchange_ratio` major units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoinReward {
    /// Reward id.
    pub id: String,
    /// Major units per `points_ratio` points.
    #[serde(with = "super::wire::decimal")]
    pub exchange_ratio: Decimal,
    /// Points per `exchange_ratio` major units.
    #[serde(with = "super::wire::decimal")]
    pub points_ratio: Decimal,
}

/// A campaign's shared facts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Campaign {
    /// Campaign id.
    pub id: String,
    /// Campaign name.
    pub name: String,
    /// Campaign type.
    pub campaign_type: CampaignType,
    /// The on/off switch.
    pub active: bool,
    /// Pay-with-points rewards.
    pub coin_rewards: Vec<CoinReward>,
}

/// A promotion stack: tiers that act together.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PromotionStack {
    /// Display name.
    pub name: String,
    /// Member tiers (positions in [`super::Plan::redeemables`]), in order.
    pub tiers: Vec<usize>,
}
