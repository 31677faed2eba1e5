//! The snapshot: everything the engine needs to evaluate promotions
//! offline, as published by the origin (`schema: "promo-edge.snapshot/1"`).
//!
//! The types in [`source`] are the wire format (Voucherify-shaped, snake
//! case). [`compile()`] turns them once into a [`CompiledSnapshot`] with
//! indexes by code hash, tier id, product, SKU and collection; evaluation
//! then never scans.

mod compile;
mod source;

pub use compile::{
    compile, CompiledCampaign, CompiledRedeemable, CompiledSnapshot, CompiledValidationRule,
    LoadReport, LoadWarning, RedeemableKind, ResolvedItem,
};
pub use source::*;

/// The only snapshot schema this engine reads.
pub const SCHEMA: &str = "promo-edge.snapshot/1";
