//! Discounts: the five shapes of Voucherify's `Discount` object, compiled
//! once, and how each effect changes the running order.

mod apply;
mod bundle;
mod compile;
mod dynamic;
mod select;

pub use apply::{apply_discount, Applied, ApplyContext};
pub use bundle::{identify_bundles, BundleOutcome, CompiledBundle};
pub use compile::{
    compile_discount, AmountEffect, CompiledDiscount, Dynamic, Eligibility, UnitEffect, UnitGift,
};
pub use dynamic::{FormulaScope, RedeemableFacts};
pub use select::{eligible_lines, TargetGroup};
