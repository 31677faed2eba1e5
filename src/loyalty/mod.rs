//! Loyalty: earning rules compiled from the snapshot, and the points
//! preview of a cart ("this order earns 120 points").
//!
//! Only `order.paid` earning rules can be previewed from a cart; custom
//! events, segment entries and tier changes happen at the origin. Pending
//! periods, expiry and balances are the origin's too.

mod earning;

pub use earning::{
    compile_earning_rule, preview_points, CompiledEarningRule, EarnedPoints, RulePoints,
    TierModifier,
};
