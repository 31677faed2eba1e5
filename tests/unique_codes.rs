//! Unique codes written in clear (`unique: true` on a voucher, a campaign's
//! `unique_codes`) compile to exactly the plan of their salted hashes, and
//! the plan never holds them in clear. The hashes below were computed with
//! Python's hashlib: base64url(SHA-256("bulk-salt" + code)), no padding.

// Test code: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use serde_json::{json, Value};

fn snapshot(campaign: Value) -> String {
    json!({
        "schema": "promo-edge.snapshot/1",
        "version": 1,
        "issued_at": "2026-01-01T00:00:00Z",
        "expires_at": "2027-01-01T00:00:00Z",
        "currency": {"code": "USD", "exponent": 2},
        "time_zone": {"name": "UTC", "offsets": [{"offset_seconds": 0}]},
        "code_salt": "bulk-salt",
        "campaigns": [campaign]
    })
    .to_string()
}

fn campaign(codes: Value) -> Value {
    let mut c = json!({
        "id": "camp_bulk",
        "campaign_type": "DISCOUNT_COUPONS",
        "voucher": {"discount": {"type": "PERCENT", "percent_off": 15}}
    });
    if let (Some(c), Some(codes)) = (c.as_object_mut(), codes.as_object()) {
        c.extend(codes.clone());
    }
    c
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn bulk_codes_in_clear_compile_to_their_hashes() {
    let clear = support::plan_bytes(&snapshot(campaign(json!({
        "unique_codes": ["BULK-CCC3", "BULK-AAA1", "BULK-BBB2"]
    }))));
    let hashed = support::plan_bytes(&snapshot(campaign(json!({
        "code_hashes": [
            "IwEHzNg8lRhAT3bSgryY_YYqEzkr7V5I6Q0PIiOZ5Zs",
            "QvnHawuHLg_G4KogMuEyNZq-SlFfyjDPhFIjqgeqnv8",
            "d8y7uIiVlRzTDkTMhSMT6gaMW3tSHif4oAXoVfKiKpQ"
        ]
    }))));
    assert_eq!(clear, hashed);
    assert!(!contains(&clear, "BULK-"));
}

#[test]
fn a_unique_voucher_in_clear_compiles_to_its_hash() {
    let clear = support::plan_bytes(&snapshot(campaign(json!({
        "vouchers": [{"id": "v_gift", "code": "GIFT-7Q2X", "unique": true}, {"code": "OPEN"}]
    }))));
    let hashed = support::plan_bytes(&snapshot(campaign(json!({
        "vouchers": [
            {"id": "v_gift", "code_hash": "xlMPdNlkzy5B4f6Foe2EsBw5wMtdSMYhEGyK9w-vD_U"},
            {"code": "OPEN"}
        ]
    }))));
    assert_eq!(clear, hashed);
    assert!(!contains(&clear, "GIFT-7Q2X"));
    assert!(contains(&clear, "OPEN"));
}

#[test]
fn a_unique_voucher_needs_its_code_and_only_one_form() {
    let refused = |voucher: Value| {
        let source = snapshot(campaign(json!({ "vouchers": [voucher] })));
        match promo_edge::compiler::compile_json(&source) {
            Err(promo_edge::Error::SnapshotInvalid { path, .. }) => path,
            other => format!("not refused: {:?}", other.map(|_| ())),
        }
    };
    assert_eq!(
        refused(json!({"unique": true, "id": "v_1"})),
        "campaigns[0].vouchers[0].code"
    );
    assert_eq!(
        refused(
            json!({"unique": true, "code": "A", "code_hash": "xlMPdNlkzy5B4f6Foe2EsBw5wMtdSMYhEGyK9w-vD_U"})
        ),
        "campaigns[0].vouchers[0].code_hash"
    );
}
