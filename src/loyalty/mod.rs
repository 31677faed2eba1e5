//! Loyalty: the points preview of a cart ("this order earns 120 points")
//! from the plan's earning rules.
//!
//! Only `order.paid` earning rules can be previewed from a cart; custom
//! events, segment entries and tier changes happen at the origin. Pending
//! periods, expiry and balances are the origin's too.

mod earning;

pub use earning::{preview_points, EarnedPoints, RulePoints};
