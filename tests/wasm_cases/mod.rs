//! Binding checks shared by `wasm_node.rs` and `wasm_web.rs`: the core runs
//! unchanged inside wasm32 (here with the compiler, so the tests can build
//! plans from source), and engine errors cross into JS as real `Error`
//! objects carrying their stable `code` as JSON.
//!
//! The `WasmEngine` class itself is exercised from JavaScript (pkg-js tests
//! in Node, Deno, workerd and Chromium), since `mod wasm` is private.

use promo_edge::{Engine, Error};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const SNAPSHOT: &str = r#"{
  "schema": "promo-edge.snapshot/1", "project": "p", "channel": "web", "version": 3,
  "issued_at": "2026-01-01T00:00:00Z", "expires_at": "2027-01-01T00:00:00Z",
  "currency": {"code": "USD", "exponent": 2},
  "time_zone": {"name": "UTC", "offsets": [{"offset_seconds": 0}]},
  "validation_rules": [{"id": "val_min", "rules": {
    "1": {"name": "order.amount", "conditions": {"$more_than_or_equal": [5000]},
          "error": {"message": "Spend at least $50"}}}}],
  "campaigns": [{"id": "camp_1", "name": "Ten off", "campaign_type": "DISCOUNT_COUPONS",
    "validation_rule_ids": ["val_min"],
    "voucher": {"discount": {"type": "PERCENT", "percent_off": 12.5}},
    "vouchers": [{"code": "TEN"}]}]
}"#;

const NOW: &str = "2026-06-01T12:00:00Z";

fn cart(price: i64) -> String {
    format!(
        r#"{{"redeemables": [{{"object": "voucher", "id": "TEN"}}],
            "order": {{"items": [{{"product_id": "prod_a", "price": {price}, "quantity": 3}}]}}}}"#
    )
}

fn loaded() -> Engine {
    let mut engine = Engine::new();
    engine.load_snapshot_json(SNAPSHOT).unwrap();
    engine
}

/// The thrown value of an engine error, checked for shape: a JS `Error`
/// whose message is the error as JSON. Returns its code.
fn thrown(err: Error) -> String {
    let expected = err.code();
    let js: JsValue = err.into();
    assert!(js.is_instance_of::<js_sys::Error>(), "not an Error object");
    let e: js_sys::Error = js.clone().unchecked_into();
    let body: Value = serde_json::from_str(&String::from(e.message())).unwrap();
    let code = body["code"].as_str().unwrap().to_string();
    assert_eq!(code, expected);
    code
}

#[wasm_bindgen_test]
fn percent_discount_is_exact_in_wasm() {
    // 12.5 % of 3 × 19.99 = 7.49625 → 750 cents half-up.
    let out: Value =
        serde_json::from_str(&loaded().validate_json(&cart(1999), NOW).unwrap()).unwrap();
    assert_eq!(out["valid"], true);
    assert_eq!(out["order"]["amount"], 5997);
    assert_eq!(out["order"]["total_discount_amount"], 750);
    assert_eq!(out["order"]["total_amount"], 5247);
}

#[wasm_bindgen_test]
fn business_rejection_is_data_not_an_error() {
    let out: Value =
        serde_json::from_str(&loaded().validate_json(&cart(1000), NOW).unwrap()).unwrap();
    assert_eq!(out["valid"], false);
    let why = &out["inapplicable_redeemables"][0];
    assert_eq!(why["result"]["error"]["key"], "order_rules_violated");
    assert_eq!(
        why["result"]["error"]["error"]["message"],
        "Spend at least $50"
    );
    assert_eq!(why["nudges"][0]["amount"], 2000);
}

#[wasm_bindgen_test]
fn same_input_same_bytes() {
    let engine = loaded();
    let a = engine.validate_json(&cart(1999), NOW).unwrap();
    let b = loaded().validate_json(&cart(1999), NOW).unwrap();
    assert_eq!(a, b);
}

#[wasm_bindgen_test]
fn errors_cross_as_coded_promo_errors() {
    let mut engine = Engine::new();
    let no_snapshot = engine.validate_json(&cart(1), NOW).unwrap_err();
    assert_eq!(thrown(no_snapshot), "NO_SNAPSHOT");
    let bad_json = engine.load_snapshot_json("{").unwrap_err();
    assert_eq!(thrown(bad_json), "INVALID_JSON");
    engine.load_snapshot_json(SNAPSHOT).unwrap();
    let bad_now = engine.validate_json(&cart(1), "yesterday").unwrap_err();
    assert_eq!(thrown(bad_now), "INVALID_TIMESTAMP");
    let rollback = engine.load_snapshot_json(SNAPSHOT).unwrap_err();
    assert_eq!(thrown(rollback), "SNAPSHOT_NOT_NEWER");
}

#[wasm_bindgen_test]
fn a_failed_load_changes_nothing() {
    let mut engine = loaded();
    let older = SNAPSHOT.replace("\"version\": 3", "\"version\": 2");
    assert_eq!(
        engine.load_snapshot_json(&older).unwrap_err().code(),
        "SNAPSHOT_NOT_NEWER"
    );
    let status = engine
        .status(promo_edge::time::Instant::parse(NOW).unwrap())
        .unwrap();
    assert_eq!(status.version, 3);
    assert!(!status.stale);
}

#[wasm_bindgen_test]
fn binding_exports_are_linked() {
    let exports = wasm_bindgen::exports();
    for name in [
        "wasmengine_new",
        "wasmengine_loadPlan",
        "wasmengine_loadBundle",
        "wasmengine_validateJson",
        "wasmengine_statusJson",
        "errorCodesJson",
    ] {
        assert!(
            js_sys::Reflect::has(&exports, &JsValue::from_str(name)).unwrap(),
            "missing export {name}"
        );
    }
}
