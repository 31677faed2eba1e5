//! Input limits. Each has its own error code, so a caller can tell which
//! limit it hit.

/// Largest accepted snapshot JSON (or signed bundle), in bytes → `SNAPSHOT_TOO_LARGE`.
pub const MAX_SNAPSHOT_BYTES: usize = 64 * 1024 * 1024;
/// Largest accepted plan (or signed bundle), in bytes → `PLAN_TOO_LARGE`.
pub const MAX_PLAN_BYTES: usize = 64 * 1024 * 1024;
/// Most order lines in one request → `TOO_MANY_ORDER_ITEMS`.
pub const MAX_ORDER_ITEMS: usize = 500;
/// Most redeemables in one request → `TOO_MANY_REDEEMABLES`.
pub const MAX_REDEEMABLES: usize = 30;
/// Deepest nesting of validation sub-rules; deeper rules are disabled at
/// load with the warning `RULE_DEPTH_EXCEEDED`.
pub const MAX_RULE_DEPTH: usize = 8;
/// Longest `logic` expression or formula, in bytes; longer ones are
/// disabled at load with the warning `RULE_TOO_LONG`.
pub const MAX_EXPRESSION_LEN: usize = 1024;
/// Largest serialized metadata object in a request → `METADATA_TOO_LARGE`.
pub const MAX_METADATA_BYTES: usize = 16 * 1024;
/// Largest money amount (minor units) and quantity accepted anywhere
/// → `AMOUNT_OUT_OF_RANGE`. 10^15 minor units leaves room for products of
/// amounts and quantities inside `rust_decimal`'s 96-bit mantissa.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;
/// Largest quantity on one order line → `AMOUNT_OUT_OF_RANGE`.
pub const MAX_QUANTITY: i64 = 1_000_000;
