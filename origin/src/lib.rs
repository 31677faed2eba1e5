//! # promo-origin
//!
//! The origin of Promo Edge: it generates signing keys, publishes campaign
//! sources as signed snapshot bundles, verifies bundles, and serves them
//! together with the authoritative ledger of redemptions (see the crate
//! README for the commands and the HTTP API).

#![forbid(unsafe_code)]

pub mod api_error;
pub mod auth;
pub mod client_query;
pub mod diff;
pub mod error;
pub mod fsutil;
pub mod jws;
pub mod keys;
pub mod ledger;
pub mod publication;
pub mod publish;
pub mod server;
pub mod site;
pub mod source;
pub mod stackable;
pub mod state;
pub mod tz;
pub mod voucher_object;
pub mod voucherify;
