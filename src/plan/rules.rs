//! Validation rules in evaluable form: numbered conditions with sub-rules,
//! their `logic` as a tree over rule positions, operators resolved.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::discount::{BundleRule, TargetObject};

/// A validation rule ready to evaluate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ValidationRule {
    /// Rule id.
    pub id: String,
    /// The conditions.
    pub rules: RuleSet,
    /// Fallback message of the rule set.
    pub message: Option<String>,
    /// Bundle rules.
    pub bundle: Option<BundleRule>,
}

/// A rule set: rules in number order and their logic.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleSet {
    /// Rule numbers as written (`"1"`, `"2"`, …), parallel to `rules`.
    pub numbers: Vec<String>,
    /// The rules.
    pub rules: Vec<Rule>,
    /// How their outcomes combine.
    pub logic: Logic,
}

impl RuleSet {
    /// A rule set that always holds.
    pub fn empty() -> RuleSet {
        RuleSet {
            numbers: Vec::new(),
            rules: Vec::new(),
            logic: Logic::True,
        }
    }
}

/// One rule.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rule {
    /// What the rule looks at.
    pub kind: RuleKind,
    /// Its conditions (all must hold). For item matchers these are the
    /// product targets instead, in `targets`.
    pub conditions: Vec<Condition>,
    /// Product targets of an item matcher.
    pub targets: Vec<(Operator, Vec<ItemTarget>)>,
    /// Sub-rules narrowing an item matcher's lines.
    #[serde(deserialize_with = "super::wire::nested")]
    pub sub: Option<Box<RuleSet>>,
    /// The rule's own error message.
    pub message: Option<String>,
    /// The rule name as written (for reports).
    pub name: String,
}

/// The `logic` expression of a rule set over rule positions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Logic {
    /// Always true (an empty expression: only `applicable_to` counts).
    True,
    /// The outcome of the rule at this position in the rule list.
    Rule(usize),
    /// Both hold.
    And(
        #[serde(deserialize_with = "super::wire::nested")] Box<Logic>,
        #[serde(deserialize_with = "super::wire::nested")] Box<Logic>,
    ),
    /// Either holds.
    Or(
        #[serde(deserialize_with = "super::wire::nested")] Box<Logic>,
        #[serde(deserialize_with = "super::wire::nested")] Box<Logic>,
    ),
    /// Does not hold.
    Not(#[serde(deserialize_with = "super::wire::nested")] Box<Logic>),
}

/// Which lines an item matcher checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemMatcher {
    /// Some matched line satisfies the sub-rules.
    Any,
    /// Every line of the order matches and satisfies them.
    Every,
    /// No matched line satisfies them.
    None,
    /// The cheapest line matches and satisfies them.
    Cheapest,
    /// The most expensive line matches and satisfies them.
    MostExpensive,
}

/// A product reference inside a matcher condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemTarget {
    /// What `id` names; `None` = any of product, SKU or source id.
    pub object: Option<TargetObject>,
    /// The id.
    pub id: String,
    /// The id's position in [`super::Plan::target_ids`]: lines are matched
    /// by number, not by text.
    pub key: u32,
}

/// Where a counter lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CounterScope {
    /// Per code or tier (`counters.redeemables[id]`).
    Redeemable,
    /// Per campaign (`counters.campaigns[id]`).
    Campaign,
}

/// What this redemption adds to a counter before it is compared: the rule
/// asks whether the counter *after* this redemption is within bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CounterAdd {
    /// One more redemption.
    One,
    /// This order's amount.
    OrderAmount,
    /// This redeemable's discount.
    Discount,
    /// This redeemable's gift credits.
    Credits,
    /// This redeemable's points.
    Points,
}

/// The counters a host can supply (README "Semantics" §6), by their name
/// in a request's `counters`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CounterName {
    /// `customer_redemptions`.
    CustomerRedemptions,
    /// `customer_redemptions_daily`.
    CustomerRedemptionsDaily,
    /// `customer_redemptions_weekly`.
    CustomerRedemptionsWeekly,
    /// `customer_redemptions_monthly`.
    CustomerRedemptionsMonthly,
    /// `redemptions`.
    Redemptions,
    /// `redemptions_daily`.
    RedemptionsDaily,
    /// `redemptions_weekly`.
    RedemptionsWeekly,
    /// `redemptions_monthly`.
    RedemptionsMonthly,
    /// `gift_amount`.
    GiftAmount,
    /// `points_used`.
    PointsUsed,
    /// `orders_amount`.
    OrdersAmount,
    /// `amount_discounted`.
    AmountDiscounted,
}

impl CounterName {
    /// The key in a request's `counters`.
    pub fn as_str(self) -> &'static str {
        match self {
            CounterName::CustomerRedemptions => "customer_redemptions",
            CounterName::CustomerRedemptionsDaily => "customer_redemptions_daily",
            CounterName::CustomerRedemptionsWeekly => "customer_redemptions_weekly",
            CounterName::CustomerRedemptionsMonthly => "customer_redemptions_monthly",
            CounterName::Redemptions => "redemptions",
            CounterName::RedemptionsDaily => "redemptions_daily",
            CounterName::RedemptionsWeekly => "redemptions_weekly",
            CounterName::RedemptionsMonthly => "redemptions_monthly",
            CounterName::GiftAmount => "gift_amount",
            CounterName::PointsUsed => "points_used",
            CounterName::OrdersAmount => "orders_amount",
            CounterName::AmountDiscounted => "amount_discounted",
        }
    }
}

/// A counter rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterRule {
    /// Where it lives.
    pub scope: CounterScope,
    /// Its name in `counters`.
    pub key: CounterName,
    /// What this redemption adds.
    pub add: CounterAdd,
}

/// What a rule looks at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleKind {
    /// Running total before this redeemable (`order.amount`).
    OrderAmount,
    /// Total after this redeemable (`order.total_amount`).
    OrderTotalAmount,
    /// The cart before any redeemable (`order.initial_amount`).
    OrderInitialAmount,
    /// Number of lines.
    OrderItemsCount,
    /// Some line's unit price.
    OrderItemsPriceAny,
    /// Every line's unit price.
    OrderItemsPriceEach,
    /// Some line's metadata property.
    OrderItemsMetadataAny(String),
    /// Every line's metadata property.
    OrderItemsMetadataEach(String),
    /// An order metadata property.
    OrderMetadata(String),
    /// `order.items.any/every/none/cheapest/most_expensive`, or legacy `product.id` / `sku.id`.
    Items(ItemMatcher),
    /// Some line's product metadata property (top-level `product.metadata`).
    OrderItemsProductMetadataAny(String),
    /// Sub-rule: the focused line's quantity.
    LineQuantity,
    /// Sub-rule: units over the matched lines.
    LineAggregatedQuantity,
    /// Sub-rule: the focused line's unit price.
    LinePrice,
    /// Sub-rule: amount over the matched lines.
    LineAggregatedAmount,
    /// Sub-rule: the focused line's metadata property.
    LineMetadata(String),
    /// Sub-rule: the focused line's product metadata property.
    LineProductMetadata(String),
    /// Units over matched lines whose product metadata property matches.
    ProductMetadataAggregatedQuantity(String),
    /// Amount over matched lines whose product metadata property matches.
    ProductMetadataAggregatedAmount(String),
    /// `*.discount_applicable`: always true for a client (no manual exclusion list).
    DiscountApplicable,
    /// Customer segment ids.
    CustomerSegment,
    /// A customer metadata property.
    CustomerMetadata(String),
    /// The customer's loyalty tier id.
    CustomerLoyaltyTier,
    /// A redemption metadata property.
    RedemptionMetadata(String),
    /// A counter supplied by the host.
    Counter(CounterRule),
    /// Only the code's holder may redeem it.
    HolderOnly,
}

/// A condition operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operator {
    /// Equal to one of the operands.
    Is,
    /// Equal to none of the operands.
    IsNot,
    /// In the operand list.
    In,
    /// Not in the operand list.
    NotIn,
    /// `<`.
    LessThan,
    /// `<=`.
    LessThanOrEqual,
    /// `>`.
    MoreThan,
    /// `>=`.
    MoreThanOrEqual,
    /// String prefix.
    StartsWith,
    /// String suffix.
    EndsWith,
    /// Substring (or array element).
    Contains,
    /// Not a substring (nor array element).
    NotContain,
    /// Array length equals.
    Count,
    /// Array length greater than.
    CountMore,
    /// Array length less than.
    CountLess,
    /// Belongs to a collection (item matchers only).
    From,
    /// Date after.
    After,
    /// Date before.
    Before,
    /// Date more than N days ago.
    MoreThanAgo,
    /// Date less than N days ago.
    LessThanAgo,
    /// Date exactly N days ago (local calendar days).
    IsDaysAgo,
    /// Date more than N days ahead.
    MoreThanFuture,
    /// Date less than N days ahead.
    LessThanFuture,
    /// Date exactly N days ahead (local calendar days).
    IsDaysInFuture,
    /// Within a recurring window `"start;interval;duration"`.
    Timeframe,
    /// Within `"start;end"`.
    TimeframeAbsolute,
    /// Within daily hours `"HH:mm;HH:mm;days"`.
    TimeframeDailyHours,
    /// On one of these weekdays (0 = Sunday).
    Dow,
    /// Array value holds no element outside the operands (subset).
    NotDiffer,
    /// Array value shares no element with the operands.
    NotIntersect,
    /// Present and not null.
    HasValue,
    /// Absent or null.
    IsUnknown,
}

/// One condition: an operator and its operands.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Condition {
    /// The operator.
    pub op: Operator,
    /// The operands, as written.
    #[serde(with = "super::wire::json_values")]
    pub values: Vec<Value>,
}
