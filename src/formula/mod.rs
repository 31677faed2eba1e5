//! Dynamic formulas (`amount_off_formula`, `percent_off_formula`,
//! `price_formula`, `points_formula`, …): a small expression language,
//! parsed once at publish time and evaluated per request.
//!
//! ```text
//! IF(ORDER_ITEMS_QUANTITY > 4;IF(ORDER_AMOUNT > 200;25;15);10)
//! ROUND(CUSTOMER_METADATA("lifetime_value") * 0.05;-1)
//! SWITCH(ORDER_METADATA("store_city");SWITCH_CASE("Boston";10);SWITCH_CASE("New York";15);5)
//! ```
//!
//! **Units are major.** Every money amount a formula reads (`ORDER_AMOUNT`,
//! `ORDER_ITEM_PRICE`, …) is in *major* currency units (`12.34`, not
//! `1234`); the caller converts from and to the minor units used
//! everywhere else. A formula's number is returned as computed, unrounded.
//!
//! The language:
//! * numbers (`25`, `0.8`), double-quoted strings (`"VIP"`, with `\"` and
//!   `\\` escapes), `+ - * / %` (also `×`, `÷` and a standalone `x`), unary
//!   minus, comparisons `> < = >= <= != <>`, `AND` / `OR` (any case; `OR`
//!   binds loosest), parentheses, and `;` between arguments;
//! * functions and operands in `UPPER_SNAKE` (any case is accepted, and the
//!   camelCase spellings `isNot`, `startsWith`, … too); an unknown name is
//!   a parse error.
//!
//! Evaluation is total and deterministic: a division by zero, an
//! overflow, a missing operand or metadata key, or a value of the wrong
//! type makes the whole evaluation return `None`, and the caller uses the
//! plain fallback field instead. `DEFAULT_TO(a;b)` is the one way to recover
//! inside a formula. Numeric text (`"12.5"`) is accepted wherever a number
//! is needed, and date text (`"2026-01-31"` or RFC 3339) wherever a date
//! is. `IF`, `AND`, `OR`, `SWITCH` and `DEFAULT_TO` only evaluate what they
//! need, so `IF(X = 0;0;10 / X)` never divides by zero.
//!
//! Limits: a text longer than [`crate::limits::MAX_EXPRESSION_LEN`] bytes
//! fails with `FORMULA_TOO_LONG: …`, nesting deeper than [`MAX_DEPTH`]
//! with `FORMULA_TOO_DEEP: …`, and an evaluation stops (returning `None`)
//! after [`MAX_EVAL_STEPS`] steps.

mod ast;
mod dates;
mod eval;
#[cfg(feature = "compiler")]
mod lexer;
#[cfg(feature = "compiler")]
mod names;
#[cfg(feature = "compiler")]
mod parser;
#[cfg(test)]
#[cfg(feature = "compiler")]
mod tests;
mod value;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Deepest nesting of parentheses, function calls and unary minus signs.
pub const MAX_DEPTH: usize = 32;

/// Most evaluation steps (one per expression node visited, plus one per
/// `POW` multiplication) before an evaluation gives up with `None`.
pub const MAX_EVAL_STEPS: u32 = 10_000;

/// A parsed formula, ready to evaluate any number of times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Formula {
    root: ast::Expr,
}

impl Formula {
    /// Parses a formula (publish time). Errors are human-readable messages;
    /// those for the size limits start with `FORMULA_TOO_LONG:` or
    /// `FORMULA_TOO_DEEP:`.
    #[cfg(feature = "compiler")]
    pub fn parse(text: &str) -> Result<Formula, String> {
        parser::parse(text).map(|root| Formula { root })
    }

    /// Evaluates to a number; None when anything is missing or invalid.
    ///
    /// Numeric text is accepted as the result; any other non-number result
    /// (a boolean, a date, non-numeric text) gives `None`.
    pub fn eval_number(&self, env: &dyn FormulaEnv) -> Option<Decimal> {
        eval::Evaluator::new(env).eval_number(&self.root)
    }
}

/// Everything a formula can read. Amounts are in MAJOR currency units
/// (e.g. 12.34), already converted by the caller.
pub trait FormulaEnv {
    /// The value of an operand, or `None` when the context has none (no
    /// current item, no voucher, no birthdate, …).
    fn operand(&self, name: Operand) -> Option<FormulaValue>;
    /// A metadata value by key, or `None` when absent. JSON numbers, strings,
    /// booleans and arrays of those are usable; `null` counts as absent.
    fn metadata(&self, source: MetadataSource, key: &str) -> Option<serde_json::Value>;
    /// The evaluation instant (`NOW`).
    fn now(&self) -> crate::time::Instant;
    /// Today in the project zone (`TODAY`, and the reference day of
    /// `DAYS_SINCE`, `MONTHS_UNTIL`, …).
    fn local_date(&self) -> chrono::NaiveDate;
}

/// A value supplied by a [`FormulaEnv`].
#[derive(Debug, Clone, PartialEq)]
pub enum FormulaValue {
    /// A number; money in major units.
    Number(Decimal),
    /// A string.
    Text(String),
    /// A boolean.
    Bool(bool),
    /// A calendar date (in the project zone).
    Date(chrono::NaiveDate),
}

/// Which order item an item operand reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ItemSelector {
    /// The item the discount is being computed for (`ORDER_ITEM_*`).
    Current,
    /// The cheapest item (`CHEAPEST_ORDER_ITEM_*`): lowest price, then
    /// lowest subtotal, then the first in the list.
    Cheapest,
    /// The most expensive item (`MOST_EXPENSIVE_ORDER_ITEM_*`): highest
    /// price, then lowest subtotal, then the first in the list.
    MostExpensive,
}

/// A named operand (everything but metadata, `TODAY` and `NOW`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Operand {
    /// `ORDER_AMOUNT`: the order total (major units).
    OrderAmount,
    /// `ORDER_ITEMS_QUANTITY`: the number of order lines.
    OrderItemsQuantity,
    /// `ORDER_UNITS_QUANTITY`: the number of units over all lines.
    OrderUnitsQuantity,
    /// `*ORDER_ITEM_PRICE`: the unit price of an item (major units).
    ItemPrice(ItemSelector),
    /// `*ORDER_ITEM_AMOUNT`: an item's amount before stacked discounts.
    ItemAmount(ItemSelector),
    /// `*ORDER_ITEM_SUBTOTAL`: an item's amount after earlier stacked discounts.
    ItemSubtotal(ItemSelector),
    /// `*ORDER_ITEM_UNITS_QUANTITY`: an item's quantity.
    ItemUnitsQuantity(ItemSelector),
    /// `VOUCHER_REDEMPTION_QUANTITY`: the voucher's redemption limit.
    VoucherRedemptionQuantity,
    /// `VOUCHER_REDEEMED_QUANTITY`: how many times the voucher was redeemed.
    VoucherRedeemedQuantity,
    /// `VOUCHER_PUBLISH_COUNT`: how many times the voucher was published.
    VoucherPublishCount,
    /// `VOUCHER_START_DATE`.
    VoucherStartDate,
    /// `VOUCHER_EXPIRATION_DATE`.
    VoucherExpirationDate,
    /// `PROMOTION_TIER_START_DATE`.
    PromotionTierStartDate,
    /// `PROMOTION_TIER_EXPIRATION_DATE`.
    PromotionTierExpirationDate,
    /// `CUSTOMER_BIRTHDATE`.
    CustomerBirthdate,
}

/// Where a `*_METADATA("key")` operand reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MetadataSource {
    /// `ORDER_METADATA`.
    Order,
    /// `CUSTOMER_METADATA`.
    Customer,
    /// `REDEMPTION_METADATA`.
    Redemption,
    /// `PUBLICATION_METADATA`.
    Publication,
    /// `REDEEMABLE_METADATA`: the voucher's or promotion tier's own metadata.
    Redeemable,
    /// `*ORDER_ITEM_METADATA`: an item's own metadata.
    OrderItem(ItemSelector),
    /// `*ORDER_ITEM_PRODUCT_METADATA`: the metadata of an item's product.
    OrderItemProduct(ItemSelector),
}
