//! Response types of `validate`, in Voucherify's stackable-API shapes.

use std::sync::Arc;

use serde::ser::SerializeMap;
use serde::Serialize;
use serde_json::Value;

use crate::discounts::BundleOutcome;
use crate::money::Money;
use crate::order::OrderCalculation;
use crate::plan::{AmountEffect, Discount, Metadata, StackingRules, UnitEffect, UnitGift};
use crate::rules::Nudge;

/// The response of `validate`.
#[derive(Debug, Clone, Serialize)]
pub struct ValidationResponse {
    /// No redeemable is INAPPLICABLE and at least one applies.
    pub valid: bool,
    /// Under `PARTIAL`, the APPLICABLE ones; under `ALL`, all of them.
    pub redeemables: Vec<RedeemableResult>,
    /// Those that could not apply, with an error key and nudges.
    pub inapplicable_redeemables: Vec<RedeemableResult>,
    /// Those skipped by stacking rules.
    pub skipped_redeemables: Vec<RedeemableResult>,
    /// The order after every applied redeemable.
    pub order: OrderCalculation,
    /// The stacking rules in force.
    pub stacking_rules: StackingRules,
    /// The snapshot version that answered.
    pub snapshot_version: u64,
    /// Loyalty points this order would earn, per loyalty campaign whose
    /// `order.paid` earning rules it meets (after this request's discounts).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub earned_points: Vec<crate::loyalty::EarnedPoints>,
}

/// `APPLICABLE`, `INAPPLICABLE` or `SKIPPED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// Applied.
    Applicable,
    /// Could not apply (see `result.error`).
    Inapplicable,
    /// Valid but left out by stacking rules (see `result.details`).
    Skipped,
}

/// One redeemable's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct RedeemableResult {
    /// Its status.
    pub status: Status,
    /// The id as requested.
    pub id: String,
    /// `voucher` or `promotion_tier`.
    pub object: &'static str,
    /// The order after this redeemable (APPLICABLE only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<OrderCalculation>,
    /// Targets it applied to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applicable_to: Option<TargetList>,
    /// Targets it excluded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inapplicable_to: Option<TargetList>,
    /// What it gave, or why not.
    pub result: Outcome,
    /// Stacking categories.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<CategoryRef>,
    /// Its metadata (shared with the snapshot).
    #[serde(skip_serializing_if = "is_empty_metadata")]
    pub metadata: std::sync::Arc<Metadata>,
    /// Its campaign.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<String>,
    /// Its campaign's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign_name: Option<String>,
    /// Tier name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Tier banner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banner: Option<String>,
    /// What would make it apply.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nudges: Vec<Nudge>,
    /// Counters its rules needed that the request did not supply (taken as 0).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub counters_assumed: Vec<String>,
}

/// A category in a response.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CategoryRef {
    /// Category id.
    pub id: String,
    /// Its hierarchy.
    pub hierarchy: i64,
    /// `EXCLUSIVE` or `JOINT`, when it is either.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stacking_rules_type: Option<&'static str>,
    /// Display name.
    pub name: String,
    /// Always `category`.
    pub object: &'static str,
    /// When the snapshot that holds it was issued (categories carry no
    /// creation time of their own).
    pub created_at: String,
}

/// `{object: "list", data_ref: "data", data, total}`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TargetList {
    /// Always `list`.
    pub object: &'static str,
    /// Always `data`.
    pub data_ref: &'static str,
    /// The targets.
    pub data: Vec<TargetRef>,
    /// `data.len()`.
    pub total: usize,
}

impl TargetList {
    /// Wraps targets in a list.
    pub fn of(data: Vec<TargetRef>) -> TargetList {
        TargetList {
            object: "list",
            data_ref: "data",
            total: data.len(),
            data,
        }
    }
}

/// A matched or excluded target.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TargetRef {
    /// `product`, `sku` or `products_collection`.
    pub object: &'static str,
    /// Its id.
    pub id: String,
    /// Whether a collection must match as a whole (never: always `false`).
    pub strict: bool,
    /// Application rule (`APPLY_TO_EVERY` for whole-cart lines and
    /// excluded targets).
    pub effect: &'static str,
    /// Request line indices it covered.
    pub order_item_indices: Vec<usize>,
}

/// `result` of a redeemable.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outcome {
    /// The discount definition (shared with the plan).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "echo_discount"
    )]
    pub discount: Option<Arc<Discount>>,
    /// Bundle identification.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundle: Option<BundleOutcome>,
    /// Gift credits used and balance left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gift: Option<GiftResult>,
    /// Points used and balance left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loyalty_card: Option<LoyaltyResult>,
    /// Why it is inapplicable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<RedeemableError>,
    /// Why it was skipped (or the error's key and message again).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Details>,
}

/// Gift outcome.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct GiftResult {
    /// Credits used.
    pub credits: Money,
    /// Balance left after this order.
    pub balance: Money,
}

/// Loyalty outcome.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LoyaltyResult {
    /// Points used.
    pub points: i64,
    /// Balance left after this order.
    pub balance: i64,
}

/// `result.details`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Details {
    /// The key.
    pub key: &'static str,
    /// A sentence.
    pub message: &'static str,
}

/// `result.error`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RedeemableError {
    /// HTTP-like status (404 not found, 400 otherwise).
    pub code: u16,
    /// The error key (`voucher_expired`, `order_rules_violated`, …).
    pub key: &'static str,
    /// A generic sentence for the key.
    pub message: &'static str,
    /// More about this case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// The redeemable id.
    pub resource_id: String,
    /// `voucher` or `promotion_tier`.
    pub resource_type: &'static str,
    /// The configured message of the failing rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ConfiguredMessage>,
    /// The failing rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<FailedRule>,
}

/// A message configured on a rule.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ConfiguredMessage {
    /// The text.
    pub message: String,
}

/// Which rule failed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FailedRule {
    /// The validation rule id.
    pub validation_rule_id: String,
    /// Rule numbers from the top, e.g. `2.1`.
    pub path: String,
    /// The rule name, e.g. `order.amount`.
    pub name: String,
}

fn is_empty_metadata(m: &std::sync::Arc<Metadata>) -> bool {
    m.is_empty()
}

/// The generic sentence of an error or skip key.
pub fn default_message(key: &str) -> &'static str {
    match key {
        "resource_not_found" => "Resource not found",
        "voucher_disabled" => "Voucher is disabled",
        "voucher_expired" => "Voucher expired",
        "voucher_not_active" => "Voucher is not active yet",
        "voucher_not_active_now" => "Voucher is not active at this time",
        "promotion_inactive" => "Promotion is inactive",
        "promotion_not_active_now" => "Promotion is not active at this time",
        "campaign_not_active" => "Campaign is not active",
        "quantity_exceeded" => "Redemption limit reached",
        "customer_rules_violated" => "Customer does not match validation rules",
        "order_rules_violated" => "Order does not match validation rules",
        "redemption_rules_violated" => "Redemption does not match validation rules",
        "gift_amount_exceeded" => "Requested credits exceed the gift card balance",
        "loyalty_card_points_exceeded" => "Requested points exceed the loyalty card balance",
        "referrer_not_permitted_to_redeem" => "The referrer cannot redeem their own referral code",
        "duplicated_redeemables" => "The same redeemable was requested twice",
        "invalid_validation_rules" => "The redeemable's rules could not be read and it is disabled",
        "missing_reward" => "The loyalty reward does not exist",
        "missing_order" => "An order is required",
        "applicable_redeemables_limit_exceeded" => "Applicable redeemables limit exceeded",
        "applicable_redeemables_per_category_limit_exceeded" => {
            "Applicable redeemables limit per category exceeded"
        }
        "applicable_exclusive_redeemables_limit_exceeded" => {
            "Applicable exclusive redeemables limit exceeded"
        }
        "applicable_exclusive_redeemables_per_category_limit_exceeded" => {
            "Applicable exclusive redeemables limit per category exceeded"
        }
        "exclusion_rules_not_met" => "An exclusive redeemable applies, so this one cannot",
        "preceding_validation_failed" => {
            "Another redeemable failed and the application mode is ALL"
        }
        "no_effect" => "The redeemable has no effect on this order",
        _ => "Redeemable cannot be applied",
    }
}

/// Writes a discount as echoed in `result.discount`: Voucherify's shape,
/// plus `is_dynamic: true` when a formula gives the value (its plain values
/// are then the fallbacks).
fn echo_discount<S: serde::Serializer>(d: &Option<Arc<Discount>>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => DiscountEcho(d).serialize(s),
        None => s.serialize_none(),
    }
}

/// A discount in its response shape.
struct DiscountEcho<'a>(&'a Discount);

fn amount_effect_name(e: AmountEffect) -> &'static str {
    match e {
        AmountEffect::Order => "APPLY_TO_ORDER",
        AmountEffect::Items => "APPLY_TO_ITEMS",
        AmountEffect::ItemsByQuantity => "APPLY_TO_ITEMS_BY_QUANTITY",
        AmountEffect::Proportionally => "APPLY_TO_ITEMS_PROPORTIONALLY",
        AmountEffect::ProportionallyByQuantity => "APPLY_TO_ITEMS_PROPORTIONALLY_BY_QUANTITY",
    }
}

fn items_effect_name(items: bool) -> &'static str {
    if items {
        "APPLY_TO_ITEMS"
    } else {
        "APPLY_TO_ORDER"
    }
}

fn unit_effect_name(e: UnitEffect) -> &'static str {
    match e {
        UnitEffect::AddMissingItems => "ADD_MISSING_ITEMS",
        UnitEffect::AddNewItems => "ADD_NEW_ITEMS",
    }
}

/// A percentage as the shortest JSON number (`10`, `12.5`).
fn percent_number(p: &rust_decimal::Decimal) -> Value {
    p.normalize()
        .to_string()
        .parse::<serde_json::Number>()
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// One free unit: `{unit_off, unit_type, effect}`.
struct UnitEcho<'a>(&'a UnitGift);

impl Serialize for UnitEcho<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("unit_off", &self.0.unit_off)?;
        m.serialize_entry("unit_type", &self.0.unit_type)?;
        m.serialize_entry("effect", unit_effect_name(self.0.effect))?;
        m.end()
    }
}

impl Serialize for DiscountEcho<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        let dynamic = match self.0 {
            Discount::Amount {
                amount_off,
                effect,
                aggregated_amount_limit,
                formula,
            } => {
                m.serialize_entry("type", "AMOUNT")?;
                m.serialize_entry("amount_off", amount_off)?;
                m.serialize_entry("effect", amount_effect_name(*effect))?;
                if let Some(l) = aggregated_amount_limit {
                    m.serialize_entry("aggregated_amount_limit", l)?;
                }
                formula.is_some()
            }
            Discount::Percent {
                percent,
                items,
                amount_limit,
                aggregated_amount_limit,
                formula,
            } => {
                m.serialize_entry("type", "PERCENT")?;
                m.serialize_entry("percent_off", &percent_number(percent))?;
                m.serialize_entry("effect", items_effect_name(*items))?;
                if let Some(l) = amount_limit {
                    m.serialize_entry("amount_limit", l)?;
                }
                if let Some(l) = aggregated_amount_limit {
                    m.serialize_entry("aggregated_amount_limit", l)?;
                }
                formula.is_some()
            }
            Discount::Fixed {
                fixed_amount,
                items,
                formula,
            } => {
                m.serialize_entry("type", "FIXED")?;
                m.serialize_entry("fixed_amount", fixed_amount)?;
                m.serialize_entry("effect", items_effect_name(*items))?;
                formula.is_some()
            }
            Discount::Unit { units } => {
                match units.as_slice() {
                    [one] => {
                        m.serialize_entry("unit_off", &one.unit_off)?;
                        m.serialize_entry("unit_type", &one.unit_type)?;
                        m.serialize_entry("effect", unit_effect_name(one.effect))?;
                        m.serialize_entry("type", "UNIT")?;
                    }
                    many => {
                        m.serialize_entry("type", "UNIT")?;
                        m.serialize_entry("effect", "ADD_MANY_ITEMS")?;
                        let list: Vec<UnitEcho<'_>> = many.iter().map(UnitEcho).collect();
                        m.serialize_entry("units", &list)?;
                    }
                }
                units.iter().any(|u| u.formula.is_some())
            }
        };
        if dynamic {
            m.serialize_entry("is_dynamic", &true)?;
        }
        m.end()
    }
}
