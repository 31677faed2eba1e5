//! Crashes found by the fuzz targets (fuzz/, `make fuzz`), each reduced to
//! a small input and kept as a regression test that guards its fix.

// Test code: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use promo_edge::Engine;
use serde_json::{json, Value};

fn snapshot(campaigns: Value) -> String {
    json!({
        "schema": "promo-edge.snapshot/1", "version": 1,
        "issued_at": "2026-01-01T00:00:00Z", "expires_at": "2027-01-01T00:00:00Z",
        "currency": {"code": "USD", "exponent": 2},
        "time_zone": {"name": "UTC", "offsets": [{"offset_seconds": 0}]},
        "campaigns": campaigns
    })
    .to_string()
}

/// Fuzz target `snapshot`, crash-e5ad6faa82a1f7c423d0308f9b2f6f7c0747b6ca:
/// `validity_hours.daily[].start_time` "177777777:00" panicked with
/// "attempt to multiply with overflow" at src/time/mod.rs:88 (`parse_hhmm`:
/// `then_some(h * 60 + m)` computes the product before the range check; in
/// builds with overflow checks — debug, tests — loading such a snapshot
/// panics, in release the wrapped value is discarded). Expected: the window
/// is refused at load like any other bad time (fail closed,
/// `VALIDITY_INVALID`), the rest of the snapshot serves.
#[test]
fn a_huge_hour_in_validity_hours_is_refused_without_a_panic() {
    for time in [
        "177777777:00",
        "4294967295:00",
        "71582789:00",
        "00:4294967295",
    ] {
        let text = snapshot(json!([
            {"id": "camp_happy", "campaign_type": "PROMOTION", "promotion_tiers": [
                {"id": "promo_happy", "action": {"discount": {"type": "PERCENT", "percent_off": 30}},
                 "validity_hours": {"daily": [{"start_time": time, "expiration_time": "19:00",
                                               "days_of_week": [0, 1, 2, 3, 4, 5, 6]}]}}]},
            {"id": "camp_ok", "campaign_type": "DISCOUNT_COUPONS",
             "voucher": {"discount": {"type": "PERCENT", "percent_off": 10}},
             "vouchers": [{"code": "TEN"}]}
        ]));
        let mut engine = Engine::new();
        let report = engine.load_snapshot_json(&text).unwrap();
        assert!(
            report.warnings.iter().any(|w| w.code == "VALIDITY_INVALID"),
            "{time}: {:?}",
            report.warnings
        );
        let answer = engine
            .validate_json(
                r#"{"redeemables": [{"object": "voucher", "id": "TEN"}],
                    "order": {"items": [{"product_id": "p", "price": 1000}]}}"#,
                "2026-06-01T12:00:00Z",
            )
            .unwrap();
        assert!(answer.starts_with(r#"{"valid":true"#), "{answer}");
    }
}
