//! # Promo Edge
//!
//! A deterministic promotion engine with Voucherify's semantics: load a
//! snapshot of published campaigns once, then validate stacked codes,
//! automatic promotions, gift cards and loyalty points against carts —
//! offline, in microseconds, to the cent.
//!
//! ```
//! use promo_edge::{Engine, request::ValidationRequest, time::Instant};
//!
//! let snapshot = r#"{
//!   "schema": "promo-edge.snapshot/1", "version": 1,
//!   "issued_at": "2026-01-01T00:00:00Z", "expires_at": "2027-01-01T00:00:00Z",
//!   "currency": {"code": "USD", "exponent": 2},
//!   "time_zone": {"name": "UTC", "offsets": [{"offset_seconds": 0}]},
//!   "validation_rules": [{"id": "val_min", "rules": {
//!     "1": {"name": "order.amount", "conditions": {"$more_than_or_equal": [5000]},
//!           "error": {"message": "Spend at least $50"}}}}],
//!   "campaigns": [{"id": "camp_1", "name": "Ten off", "campaign_type": "DISCOUNT_COUPONS",
//!     "validation_rule_ids": ["val_min"],
//!     "voucher": {"discount": {"type": "PERCENT", "percent_off": 10}},
//!     "vouchers": [{"code": "TEN"}]}]
//! }"#;
//! let mut engine = Engine::new();
//! let report = engine.load_snapshot_json(snapshot).unwrap();
//! assert!(report.warnings.is_empty());
//!
//! let request: ValidationRequest = serde_json::from_str(r#"{
//!   "redeemables": [{"object": "voucher", "id": "TEN"}],
//!   "order": {"items": [{"product_id": "prod_a", "price": 4000, "quantity": 1}]}
//! }"#).unwrap();
//! let now = Instant::parse("2026-06-01T12:00:00Z").unwrap();
//! let answer = engine.validate(&request, now).unwrap();
//! // $40 is under the minimum: the coupon is inapplicable, with the
//! // configured message and a nudge saying how much is missing.
//! assert!(!answer.valid);
//! let why = &answer.inapplicable_redeemables[0];
//! assert_eq!(why.result.error.as_ref().unwrap().key, "order_rules_violated");
//! assert_eq!(serde_json::to_value(&why.nudges).unwrap()[0]["amount"], 1000);
//! ```
//!
//! Modules follow the domain: [`money`] (minor units, rounding, splits),
//! [`snapshot`] (wire format and compiler), [`rules`] (validation rules),
//! [`discounts`] (effects and targets), [`stacking`], [`order`] (the
//! calculated order), [`validation`] (the stacked pipeline), [`time`]
//! (zones without a tz database) and [`error`] (the one error type).

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bundle;
pub mod codes;
#[cfg(feature = "compiler")]
pub mod compiler;
pub mod discounts;
mod engine;
pub mod error;
pub mod formula;
pub mod limits;
pub mod loyalty;
pub mod money;
pub mod order;
pub mod plan;
pub mod pricing;
pub mod qualification;
pub mod request;
pub mod rules;
pub mod stacking;
pub mod time;
pub mod validation;
#[cfg(target_arch = "wasm32")]
mod wasm;

pub use engine::{Engine, EngineStatus, PromotionTierInfo};
pub use error::Error;

/// Version of the spec vectors in `tests/spec/` this engine passes.
pub const SPEC_VERSION: &str = "1.0.0";
