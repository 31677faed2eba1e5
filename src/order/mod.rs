//! The order being calculated: lines resolved against the catalog, the
//! running state every redeemable applies to, and the `order` object of
//! responses (reference fields of Voucherify's `OrderCalculated`).

mod calculation;
mod line;
mod resolve;

pub use calculation::{OrderCalculation, OrderEcho, OrderIdentity, OrderItemCalculation};
pub use line::{Line, LineInfo, OrderState};
pub use resolve::{catalog_line, resolve_item, ResolvedItem};
