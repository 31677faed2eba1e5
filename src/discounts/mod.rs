//! Discounts: how each of the five shapes of Voucherify's `Discount`
//! object ([`crate::plan::Discount`]) changes the running order.

mod apply;
mod bundle;
mod dynamic;
mod select;

pub use apply::{apply_discount, Applied, ApplyContext};
pub use bundle::{identify_bundles, BundleItem, BundleOutcome};
pub use dynamic::{FormulaScope, RedeemableFacts};
pub use select::{eligible_lines, may_touch_any, TargetGroup};
