//! The bad-input catalogue: hostile inputs, each answered with its
//! documented error code (README "Errors and limits"), a load warning
//! (README "Snapshot": fail closed) or a documented business rejection key —
//! never a panic, and a refused call changes no state (the engine's status
//! and a probe validation are byte-identical before and after).
//!
//! The JSON-expressible part is also the committed file
//! `tests/hostile/catalogue.json`, which `pkg-js/test/hostile.test.mjs` runs
//! through the wasm build. Entries are
//! `{name, snapshot?, plan?, call, input_text, now?, expected_code}`:
//! `snapshot` is loaded first (the state that must survive; `plan` is its
//! compiled plan, base64url, for runtimes without the compiler),
//! `input_text` is the raw text given to `call` (`load` | `load_plan` |
//! `validate` | `qualify` | `price_products`), and `expected_code` is
//! * an error code of `Error::ALL_CODES`: the call fails with it, state unchanged;
//! * for `load` (source JSON, compiled: native only, since the wasm has no
//!   compiler), any other SCREAMING code: a warning of the report;
//! * for `load_plan`, `input_text` is base64url of the bytes given to
//!   `Engine::load_plan` (hostile plans: truncated, padded, bit-flipped,
//!   of another version, not a plan at all);
//! * `OK`: the call succeeds;
//! * a lowercase key: the call succeeds and an inapplicable or skipped
//!   redeemable carries that key.
//!
//! `catalogue_file_is_current` compares the file with [`catalogue`];
//! `PROMO_UPDATE_CATALOGUE=1 cargo test --test hostile_inputs` rewrites it.
//! Inputs that JSON text cannot carry (invalid UTF-8 bytes) and signed
//! bundles are checked here only.

// Test code: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::{Signer, SigningKey};
use promo_edge::time::Instant;
use promo_edge::{Engine, Error};
use serde::Serialize;
use serde_json::{json, Value};
use support::plan_bytes;

const NOW: &str = "2026-06-01T12:00:00Z";

/// One catalogue entry (the file's format).
#[derive(Debug, Clone, Serialize)]
struct Case {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    snapshot: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    plan: Option<String>,
    call: &'static str,
    input_text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    now: Option<String>,
    expected_code: String,
}

/// The state every entry starts from: a coupon, a minimum-order coupon, an
/// expired coupon, a formula that divides by zero, a gift card, a loyalty
/// card and an automatic promotion.
fn base() -> Value {
    json!({
        "schema": "promo-edge.snapshot/1", "project": "hostile", "channel": "web", "version": 5,
        "issued_at": "2026-01-01T00:00:00Z", "expires_at": "2027-01-01T00:00:00Z",
        "currency": {"code": "USD", "exponent": 2},
        "time_zone": {"name": "UTC", "offsets": [{"offset_seconds": 0}]},
        "products": [{"id": "prod_a", "price": 1000}, {"id": "prod_b", "price": 2500}],
        "validation_rules": [{"id": "val_min", "rules": {"1": {"name": "order.amount",
            "conditions": {"$more_than_or_equal": [5000]}}}}],
        "campaigns": [
            {"id": "camp_ten", "campaign_type": "DISCOUNT_COUPONS",
             "voucher": {"discount": {"type": "PERCENT", "percent_off": 10}},
             "vouchers": [{"id": "v_ten", "code": "TEN"}]},
            {"id": "camp_min", "campaign_type": "DISCOUNT_COUPONS", "validation_rule_ids": ["val_min"],
             "voucher": {"discount": {"type": "AMOUNT", "amount_off": 500}},
             "vouchers": [{"code": "MIN50"}]},
            {"id": "camp_old", "campaign_type": "DISCOUNT_COUPONS", "expiration_date": "2026-01-31T00:00:00Z",
             "voucher": {"discount": {"type": "AMOUNT", "amount_off": 500}},
             "vouchers": [{"code": "OLD"}]},
            {"id": "camp_div", "campaign_type": "DISCOUNT_COUPONS",
             "voucher": {"discount": {"type": "AMOUNT", "amount_off": 300,
                 "amount_off_formula": "100 / (ORDER_ITEMS_QUANTITY - 1)", "effect": "APPLY_TO_ORDER"}},
             "vouchers": [{"code": "DIVZERO"}]},
            {"id": "camp_gift", "campaign_type": "GIFT_VOUCHERS",
             "vouchers": [{"code": "GIFT-1", "gift": {"amount": 5000, "balance": 5000}}]},
            {"id": "camp_promo", "campaign_type": "PROMOTION",
             "promotion_tiers": [{"id": "promo_1", "action": {"discount": {"type": "AMOUNT", "amount_off": 100,
                 "effect": "APPLY_TO_ORDER"}}}]}
        ]
    })
}

/// The base with `edit` applied, as a newer version (so only `edit` can refuse it).
fn edited(edit: impl FnOnce(&mut Value)) -> String {
    let mut s = base();
    s["version"] = json!(6);
    edit(&mut s);
    s.to_string()
}

fn cart(extra: Value) -> Value {
    let mut r = json!({
        "redeemables": [{"object": "voucher", "id": "TEN"}],
        "order": {"items": [{"product_id": "prod_a", "price": 1000, "quantity": 2}]},
        "customer": {"source_id": "cust_1"}
    });
    if let (Some(r), Some(extra)) = (r.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            r.insert(k.clone(), v.clone());
        }
    }
    r
}

/// A `{"k": "xxx…"}` object whose JSON is just over 16 KiB.
fn big_metadata() -> Value {
    json!({"k": "x".repeat(16 * 1024 + 1)})
}

/// A rule nested `depth` levels deep (README: deeper than 8 is disabled).
fn nested_rule(depth: usize) -> Value {
    let mut rule = json!({"name": "order.amount", "conditions": {"$more_than": [0]}});
    for _ in 1..depth {
        rule = json!({"name": "order.items.any", "conditions": {"$is": [{"object": "product", "id": "prod_a"}]},
                      "rules": {"1": rule}});
    }
    rule
}

fn lines(n: usize) -> Value {
    Value::Array(
        (0..n)
            .map(|i| json!({"product_id": format!("p{i}"), "price": 100, "quantity": 1}))
            .collect(),
    )
}

/// `n` empty lines (`{}`): the count is checked before any line.
fn bare_lines(n: usize) -> Value {
    Value::Array(vec![json!({}); n])
}

fn vouchers(n: usize) -> Value {
    Value::Array(
        (0..n)
            .map(|i| json!({"object": "voucher", "id": format!("C{i}")}))
            .collect(),
    )
}

/// The catalogue. Names are unique and say what is hostile.
fn catalogue() -> Vec<Case> {
    let mut out = Vec::new();
    let mut add = |name: &str, call: &'static str, input: String, now: Option<&str>, code: &str| {
        out.push(Case {
            name: name.to_string(),
            snapshot: Some(base()),
            plan: None,
            call,
            input_text: input,
            now: now.map(str::to_string),
            expected_code: code.to_string(),
        });
    };
    let v = |name: &str, input: Value, code: &str| {
        (
            name.to_string(),
            "validate",
            input.to_string(),
            code.to_string(),
        )
    };

    // --- validate: wrong JSON types and broken text ---------------------
    let mut validate = vec![
        v("request is null", json!(null), "INVALID_JSON"),
        v("request is a string", json!("TEN"), "INVALID_JSON"),
        v(
            "redeemables is an object",
            json!({"redeemables": {"0": "TEN"}, "order": {"items": []}}),
            "INVALID_JSON",
        ),
        v(
            "price is a string",
            cart(json!({"order": {"items": [{"product_id": "prod_a", "price": "1000"}]}})),
            "INVALID_JSON",
        ),
        v(
            "quantity is fractional",
            cart(
                json!({"order": {"items": [{"product_id": "prod_a", "price": 1000, "quantity": 1.5}]}}),
            ),
            "INVALID_JSON",
        ),
        v(
            "price is a boolean",
            cart(json!({"order": {"items": [{"product_id": "prod_a", "price": true}]}})),
            "INVALID_JSON",
        ),
        v(
            "price in exponent notation",
            cart(json!({"order": {"items": [{"product_id": "prod_a", "price": 1e3}]}})),
            "INVALID_JSON",
        ),
        v(
            "customer is a string",
            cart(json!({"customer": "cust_1"})),
            "INVALID_JSON",
        ),
        v(
            "order is an array of lines",
            cart(json!({"order": [[{"product_id": "prod_a", "price": 1000}]]})),
            "INVALID_JSON",
        ),
        v(
            "request is an array of redeemables",
            json!([{"object": "voucher", "id": "TEN"}]),
            "INVALID_JSON",
        ),
        v(
            "metadata is a string",
            cart(json!({"metadata": "{}"})),
            "INVALID_JSON",
        ),
        v(
            "unknown redeemable object",
            cart(json!({"redeemables": [{"object": "coupon", "id": "TEN"}]})),
            "INVALID_JSON",
        ),
        v(
            "redeemable object in the wrong case",
            cart(json!({"redeemables": [{"object": "VOUCHER", "id": "TEN"}]})),
            "INVALID_JSON",
        ),
        v(
            "redeemable id is a number",
            cart(json!({"redeemables": [{"object": "voucher", "id": 10}]})),
            "INVALID_JSON",
        ),
    ];
    let raw = |name: &str, text: &str, code: &str| {
        (
            name.to_string(),
            "validate",
            text.to_string(),
            code.to_string(),
        )
    };
    validate.extend([
        raw("empty text", "", "INVALID_JSON"),
        raw("truncated JSON", r#"{"redeemables": [{"object": "voucher", "id": "TEN"#, "INVALID_JSON"),
        raw("trailing garbage", r#"{"redeemables": []} {}"#, "INVALID_JSON"),
        raw("NaN price", r#"{"order": {"items": [{"price": NaN}]}}"#, "INVALID_JSON"),
        raw(
            "price beyond 64 bits",
            r#"{"order": {"items": [{"product_id": "prod_a", "price": 123456789012345678901234567890}]}}"#,
            "INVALID_JSON",
        ),
        raw(
            "duplicate field in an object",
            r#"{"order": {"items": [{"product_id": "prod_a", "price": 1, "price": 2}]}}"#,
            "INVALID_JSON",
        ),
        raw(
            "byte-order mark before the JSON",
            "\u{feff}{\"order\": {\"items\": []}}",
            "INVALID_JSON",
        ),
        raw(
            "lone high surrogate escape in a redeemable id",
            r#"{"redeemables": [{"object": "voucher", "id": "\ud800"}], "order": {"items": []}}"#,
            "INVALID_JSON",
        ),
        raw(
            "lone low surrogate escape in metadata",
            r#"{"order": {"items": [], "metadata": {"note": "a\udc00b"}}}"#,
            "INVALID_JSON",
        ),
        raw(
            "metadata nested 10,000 arrays deep",
            &format!(
                r#"{{"order": {{"items": []}}, "metadata": {{"k": {}{}}}}}"#,
                "[".repeat(10_000),
                "]".repeat(10_000)
            ),
            "INVALID_JSON",
        ),
        raw(
            "metadata nested 200 objects deep",
            &format!(
                r#"{{"order": {{"items": []}}, "metadata": {}1{}}}"#,
                r#"{"k":"#.repeat(200),
                "}".repeat(200)
            ),
            "INVALID_JSON",
        ),
    ]);
    // --- validate: amounts and quantities -------------------------------
    let item = |item: Value| cart(json!({"order": {"items": [item]}}));
    validate.extend([
        v(
            "negative price",
            item(json!({"product_id": "prod_a", "price": -1})),
            "AMOUNT_OUT_OF_RANGE",
        ),
        v(
            "negative quantity",
            item(json!({"product_id": "prod_a", "price": 1000, "quantity": -3})),
            "AMOUNT_OUT_OF_RANGE",
        ),
        v(
            "price 10^16 minor units",
            item(json!({"product_id": "prod_a", "price": 10_000_000_000_000_000_i64})),
            "AMOUNT_OUT_OF_RANGE",
        ),
        v(
            "price i64::MAX",
            item(json!({"product_id": "prod_a", "price": i64::MAX})),
            "AMOUNT_OUT_OF_RANGE",
        ),
        v(
            "price i64::MIN",
            item(json!({"product_id": "prod_a", "price": i64::MIN})),
            "AMOUNT_OUT_OF_RANGE",
        ),
        v(
            "quantity 10^7 units",
            item(json!({"product_id": "prod_a", "price": 1, "quantity": 10_000_000})),
            "AMOUNT_OUT_OF_RANGE",
        ),
        v(
            "line amount 10^15 x 10^6",
            item(json!({"product_id": "prod_a", "price": 1_000_000_000_000_000_i64, "quantity": 1_000_000})),
            "AMOUNT_OUT_OF_RANGE",
        ),
        v(
            "500 lines at the largest amount overflow the order total",
            cart(json!({"order": {"items": (0..500).map(|i| json!({"product_id": format!("p{i}"),
                "price": 1_000_000_000_000_000_i64, "quantity": 1})).collect::<Vec<_>>()}})),
            "AMOUNT_OUT_OF_RANGE",
        ),
        v(
            "negative order amount without lines",
            cart(json!({"order": {"amount": -100}})),
            "AMOUNT_OUT_OF_RANGE",
        ),
        v(
            "negative gift credits",
            cart(json!({"redeemables": [{"object": "voucher", "id": "GIFT-1", "gift": {"credits": -500}}]})),
            "AMOUNT_OUT_OF_RANGE",
        ),
        v(
            "gift credits 10^18",
            cart(json!({"redeemables": [{"object": "voucher", "id": "GIFT-1",
                "gift": {"credits": 1_000_000_000_000_000_000_i64}}]})),
            "AMOUNT_OUT_OF_RANGE",
        ),
        v(
            "negative reward points",
            cart(json!({"redeemables": [{"object": "voucher", "id": "TEN",
                "reward": {"id": "rew_1", "points": -1}}]})),
            "AMOUNT_OUT_OF_RANGE",
        ),
        v(
            "line amount disagrees with price x quantity",
            item(json!({"product_id": "prod_a", "price": 1000, "quantity": 2, "amount": 1})),
            "INVALID_REQUEST",
        ),
        v(
            "line without a price for a product not in the catalog",
            item(json!({"product_id": "prod_unknown", "quantity": 1})),
            "ORDER_ITEM_PRICE_MISSING",
        ),
    ]);
    // --- validate: sizes -------------------------------------------------
    validate.extend([
        v(
            "501 order lines",
            cart(json!({"order": {"items": lines(501)}})),
            "TOO_MANY_ORDER_ITEMS",
        ),
        v(
            "10,000 order lines",
            cart(json!({"order": {"items": bare_lines(10_000)}})),
            "TOO_MANY_ORDER_ITEMS",
        ),
        v(
            "31 redeemables",
            cart(json!({"redeemables": vouchers(31)})),
            "TOO_MANY_REDEEMABLES",
        ),
        v(
            "1,000 redeemables",
            cart(json!({"redeemables": vouchers(1_000)})),
            "TOO_MANY_REDEEMABLES",
        ),
        v(
            "request metadata over 16 KiB",
            cart(json!({"metadata": big_metadata()})),
            "METADATA_TOO_LARGE",
        ),
        v(
            "order metadata over 16 KiB",
            cart(json!({"order": {"items": [], "amount": 1000, "metadata": big_metadata()}})),
            "METADATA_TOO_LARGE",
        ),
        v(
            "customer metadata over 16 KiB",
            cart(json!({"customer": {"source_id": "c", "metadata": big_metadata()}})),
            "METADATA_TOO_LARGE",
        ),
        v(
            "line metadata over 16 KiB",
            item(json!({"product_id": "prod_a", "price": 1, "metadata": big_metadata()})),
            "METADATA_TOO_LARGE",
        ),
        v(
            "empty redeemable id",
            cart(json!({"redeemables": [{"object": "voucher", "id": ""}]})),
            "INVALID_REQUEST",
        ),
        v(
            "redeemable id of 300 bytes",
            cart(json!({"redeemables": [{"object": "voucher", "id": "X".repeat(300)}]})),
            "INVALID_REQUEST",
        ),
    ]);
    // --- validate: business rejections are data --------------------------
    validate.extend([
        v(
            "the same code twice",
            cart(json!({"redeemables": [{"object": "voucher", "id": "TEN"}, {"object": "voucher", "id": "TEN"}]})),
            "duplicated_redeemables",
        ),
        v(
            "a code and its voucher id",
            cart(json!({"redeemables": [{"object": "voucher", "id": "TEN"}, {"object": "voucher", "id": "v_ten"}]})),
            "duplicated_redeemables",
        ),
        v(
            "a tier twice",
            cart(json!({"redeemables": [{"object": "promotion_tier", "id": "promo_1"},
                {"object": "promotion_tier", "id": "promo_1"}]})),
            "duplicated_redeemables",
        ),
        v(
            "an unknown code",
            cart(json!({"redeemables": [{"object": "voucher", "id": "NOPE"}]})),
            "resource_not_found",
        ),
        v(
            "a code of NUL and control characters",
            cart(json!({"redeemables": [{"object": "voucher", "id": "\u{0}\u{1}\u{7f}"}]})),
            "resource_not_found",
        ),
        v(
            "SQL in a code",
            cart(json!({"redeemables": [{"object": "voucher", "id": "TEN' OR '1'='1"}]})),
            "resource_not_found",
        ),
        v(
            "an expired code",
            cart(json!({"redeemables": [{"object": "voucher", "id": "OLD"}]})),
            "voucher_expired",
        ),
        v(
            "minimum order not met",
            cart(json!({"redeemables": [{"object": "voucher", "id": "MIN50"}]})),
            "order_rules_violated",
        ),
        v(
            "a formula dividing by zero falls back to the plain amount",
            cart(json!({"redeemables": [{"object": "voucher", "id": "DIVZERO"}]})),
            "OK",
        ),
        v(
            "gift credits above the balance",
            cart(json!({"redeemables": [{"object": "voucher", "id": "GIFT-1", "gift": {"credits": 9000}}]})),
            "gift_amount_exceeded",
        ),
    ]);
    for (name, call, input, code) in validate {
        add(&name, call, input, None, &code);
    }
    // --- validate: timestamps and dates out of range ---------------------
    let c = cart(json!({})).to_string();
    for (name, now, code) in [
        (
            "now on February 30",
            "2026-02-30T12:00:00Z",
            "INVALID_TIMESTAMP",
        ),
        (
            "now without an offset",
            "2026-06-01T12:00:00",
            "INVALID_TIMESTAMP",
        ),
        (
            "now in year 10000",
            "10000-01-01T00:00:00Z",
            "INVALID_TIMESTAMP",
        ),
        (
            "now as epoch milliseconds",
            "1780315200000",
            "INVALID_TIMESTAMP",
        ),
        ("now empty", "", "INVALID_TIMESTAMP"),
        ("now hour 25", "2026-06-01T25:00:00Z", "INVALID_TIMESTAMP"),
        (
            "now offset +25:00",
            "2026-06-01T12:00:00+25:00",
            "INVALID_TIMESTAMP",
        ),
        (
            "now in year 0001 (long before the snapshot)",
            "0001-01-01T00:00:00Z",
            "OK",
        ),
        (
            "now in year 9999 (long after expiry)",
            "9999-12-31T23:59:59Z",
            "OK",
        ),
    ] {
        add(name, "validate", c.clone(), Some(now), code);
    }
    add(
        "an expired code at the end of time",
        "validate",
        cart(json!({"redeemables": [{"object": "voucher", "id": "OLD"}]})).to_string(),
        Some("9999-12-31T23:59:59Z"),
        "voucher_expired",
    );

    // --- qualify ---------------------------------------------------------
    let q = |extra: Value| {
        let mut r = json!({"customer": {"source_id": "cust_1"},
            "order": {"items": [{"product_id": "prod_a", "price": 1000, "quantity": 2}]}});
        if let (Some(r), Some(extra)) = (r.as_object_mut(), extra.as_object()) {
            for (k, v) in extra {
                r.insert(k.clone(), v.clone());
            }
        }
        r.to_string()
    };
    for (name, input, code) in [
        (
            "qualify: request is a number",
            "7".to_string(),
            "INVALID_JSON",
        ),
        (
            "qualify: unknown scenario",
            q(json!({"scenario": "EVERYTHING"})),
            "INVALID_JSON",
        ),
        (
            "qualify: unknown sorting rule",
            q(json!({"options": {"sorting_rule": "RANDOM"}})),
            "INVALID_JSON",
        ),
        (
            "qualify: limit 0",
            q(json!({"options": {"limit": 0}})),
            "INVALID_REQUEST",
        ),
        (
            "qualify: limit 51",
            q(json!({"options": {"limit": 51}})),
            "INVALID_REQUEST",
        ),
        (
            "qualify: negative limit",
            q(json!({"options": {"limit": -1}})),
            "INVALID_JSON",
        ),
        (
            "qualify: 10,000 lines",
            q(json!({"order": {"items": bare_lines(10_000)}})),
            "TOO_MANY_ORDER_ITEMS",
        ),
        (
            "qualify: negative price",
            q(json!({"order": {"items": [{"product_id": "prod_a", "price": -5}]}})),
            "AMOUNT_OUT_OF_RANGE",
        ),
        (
            "qualify: lone surrogate in customer id",
            r#"{"customer": {"source_id": "\udfff"}, "order": {"items": []}}"#.to_string(),
            "INVALID_JSON",
        ),
        ("qualify: an ordinary cart", q(json!({})), "OK"),
    ] {
        add(name, "qualify", input, None, code);
    }
    add(
        "qualify: now as a word",
        "qualify",
        q(json!({})),
        Some("tomorrow"),
        "INVALID_TIMESTAMP",
    );

    // --- price_products --------------------------------------------------
    // The count is checked before any product.
    let products = |n: usize| json!({"products": vec![json!({}); n]}).to_string();
    for (name, input, code) in [
        (
            "price_products: 10,001 products",
            products(10_001),
            "TOO_MANY_PRODUCTS",
        ),
        (
            "price_products: 1,000 products",
            json!({"products": vec![json!({"product_id": "prod_a"}); 1_000]}).to_string(),
            "OK",
        ),
        (
            "price_products: products is an object",
            r#"{"products": {}}"#.to_string(),
            "INVALID_JSON",
        ),
        (
            "price_products: negative price",
            json!({"products": [{"product_id": "prod_a", "price": -1}]}).to_string(),
            "AMOUNT_OUT_OF_RANGE",
        ),
        (
            "price_products: quantity 10^9",
            json!({"products": [{"product_id": "prod_a", "quantity": 1_000_000_000}]}).to_string(),
            "AMOUNT_OUT_OF_RANGE",
        ),
        (
            "price_products: price as a string",
            json!({"products": [{"product_id": "prod_a", "price": "1"}]}).to_string(),
            "INVALID_JSON",
        ),
    ] {
        add(name, "price_products", input, None, code);
    }

    // --- load: refused snapshots change nothing --------------------------
    let loads: Vec<(&str, String, &str)> = vec![
        ("load: not JSON", "{schema".to_string(), "INVALID_JSON"),
        ("load: a JSON array", "[]".to_string(), "INVALID_JSON"),
        (
            "load: unknown schema",
            edited(|s| s["schema"] = json!("promo-edge.snapshot/9")),
            "SNAPSHOT_SCHEMA_UNSUPPORTED",
        ),
        (
            "load: the same version again",
            base().to_string(),
            "SNAPSHOT_NOT_NEWER",
        ),
        (
            "load: an older version",
            edited(|s| s["version"] = json!(1)),
            "SNAPSHOT_NOT_NEWER",
        ),
        (
            "load: negative version",
            edited(|s| s["version"] = json!(-6)),
            "INVALID_JSON",
        ),
        (
            "load: duplicate codes in one campaign",
            edited(|s| s["campaigns"][0]["vouchers"] = json!([{"code": "TEN"}, {"code": "TEN"}])),
            "SNAPSHOT_INVALID",
        ),
        (
            "load: duplicate codes across campaigns",
            edited(|s| s["campaigns"][1]["vouchers"] = json!([{"code": "TEN"}])),
            "SNAPSHOT_INVALID",
        ),
        (
            "load: duplicate campaign ids",
            edited(|s| s["campaigns"][1]["id"] = json!("camp_ten")),
            "SNAPSHOT_INVALID",
        ),
        (
            "load: duplicate product ids",
            edited(|s| s["products"][1]["id"] = json!("prod_a")),
            "SNAPSHOT_INVALID",
        ),
        (
            "load: unknown snapshot field",
            edited(|s| s["campains"] = json!([])),
            "INVALID_JSON",
        ),
        (
            "load: unknown campaign type",
            edited(|s| s["campaigns"][0]["campaign_type"] = json!("FREE_BEER")),
            "INVALID_JSON",
        ),
        (
            "load: unknown rounding",
            edited(|s| s["rounding"] = json!("CEILING")),
            "INVALID_JSON",
        ),
        (
            "load: expires_at on month 13",
            edited(|s| s["expires_at"] = json!("2026-13-01T00:00:00Z")),
            "INVALID_TIMESTAMP",
        ),
        (
            "load: time-zone periods out of order",
            edited(|s| {
                s["time_zone"]["offsets"] = json!([{"offset_seconds": 0},
                    {"from": "2026-09-01T00:00:00Z", "offset_seconds": 3600},
                    {"from": "2026-03-01T00:00:00Z", "offset_seconds": 0}])
            }),
            "SNAPSHOT_INVALID",
        ),
        (
            "load: lone surrogate in a code",
            edited(|s| s["campaigns"][0]["vouchers"][0]["code"] = json!("LONE"))
                .replace("LONE", r"\ud83d"),
            "INVALID_JSON",
        ),
        (
            "load: rules nested 200 levels (past the JSON depth limit)",
            edited(|s| s["validation_rules"][0]["rules"]["1"] = nested_rule(200)),
            "INVALID_JSON",
        ),
        (
            "load: rules nested 9 levels (8 sub-rule levels, the limit)",
            edited(|s| s["validation_rules"][0]["rules"]["1"] = nested_rule(9)),
            "OK",
        ),
        // Fail closed: loads, the redeemables using it are disabled.
        (
            "load: rules nested 10 levels",
            edited(|s| s["validation_rules"][0]["rules"]["1"] = nested_rule(10)),
            "RULE_DEPTH_EXCEEDED",
        ),
        (
            "load: rules nested 60 levels",
            edited(|s| s["validation_rules"][0]["rules"]["1"] = nested_rule(60)),
            "RULE_DEPTH_EXCEEDED",
        ),
        (
            "load: unknown rule name",
            edited(|s| s["validation_rules"][0]["rules"]["1"]["name"] = json!("order.ammount")),
            "RULE_UNKNOWN_NAME",
        ),
        (
            "load: unknown rule operator",
            edited(|s| {
                s["validation_rules"][0]["rules"]["1"]["conditions"] = json!({"$roughly": [5000]})
            }),
            "RULE_UNKNOWN_OPERATOR",
        ),
        (
            "load: a formula nested 40 deep",
            edited(|s| {
                s["campaigns"][3]["voucher"]["discount"]["amount_off_formula"] =
                    json!(format!("{}1{}", "(".repeat(40), ")".repeat(40)))
            }),
            "FORMULA_INVALID",
        ),
        (
            "load: a formula over 1024 bytes",
            edited(|s| {
                s["campaigns"][3]["voucher"]["discount"]["amount_off_formula"] =
                    json!(vec!["1"; 600].join("+"))
            }),
            "FORMULA_INVALID",
        ),
        (
            "load: a formula that does not parse",
            edited(|s| {
                s["campaigns"][3]["voucher"]["discount"]["amount_off_formula"] = json!("10 / / 2")
            }),
            "FORMULA_INVALID",
        ),
        (
            "load: a rule naming a missing validation rule",
            edited(|s| s["campaigns"][0]["validation_rule_ids"] = json!(["val_missing"])),
            "VALIDATION_RULE_NOT_FOUND",
        ),
        (
            "load: a negative discount",
            edited(|s| {
                s["campaigns"][0]["voucher"]["discount"] =
                    json!({"type": "AMOUNT", "amount_off": -500})
            }),
            "DISCOUNT_INVALID",
        ),
        (
            "load: a start date in year 0",
            edited(|s| s["campaigns"][0]["start_date"] = json!("0000-01-01T00:00:00Z")),
            "OK",
        ),
        (
            "load: an expiration date that is not a date",
            edited(|s| s["campaigns"][0]["expiration_date"] = json!("someday")),
            "VALIDITY_INVALID",
        ),
    ];
    for (name, input, code) in loads {
        add(name, "load", input, None, code);
    }
    for (name, bytes, code) in hostile_plans() {
        add(name, "load_plan", URL_SAFE_NO_PAD.encode(bytes), None, code);
    }
    // Without any snapshot.
    out.push(Case {
        name: "validate before any snapshot".into(),
        snapshot: None,
        plan: None,
        call: "validate",
        input_text: cart(json!({})).to_string(),
        now: None,
        expected_code: "NO_SNAPSHOT".into(),
    });
    out.push(Case {
        name: "price_products before any snapshot".into(),
        snapshot: None,
        plan: None,
        call: "price_products",
        input_text: products(1),
        now: None,
        expected_code: "NO_SNAPSHOT".into(),
    });
    out
}

/// Plans a compiler never writes: each gets its own code, and the plan
/// held keeps serving.
fn hostile_plans() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let good = plan_bytes(&edited(|_| {}));
    let mut flipped = good.clone();
    let mid = good.len() / 2;
    flipped[mid] ^= 0xFF;
    let mut wrong_version = good.clone();
    wrong_version[7] = 3;
    let mut padded = good.clone();
    padded.extend_from_slice(&[0, 0, 0]);
    vec![
        ("plan: the good one (control)", good.clone(), "OK"),
        ("plan: empty", Vec::new(), "PLAN_INVALID"),
        (
            "plan: the header only",
            good[..8].to_vec(),
            "PLAN_TRUNCATED",
        ),
        (
            "plan: cut inside the header",
            good[..7].to_vec(),
            "PLAN_TRUNCATED",
        ),
        (
            "plan: truncated by one byte",
            good[..good.len() - 1].to_vec(),
            "PLAN_TRUNCATED",
        ),
        (
            "plan: truncated to half",
            good[..mid].to_vec(),
            "PLAN_TRUNCATED",
        ),
        (
            "plan: three bytes of padding",
            padded,
            "PLAN_TRAILING_BYTES",
        ),
        (
            "plan: format version 3",
            wrong_version,
            "PLAN_VERSION_UNSUPPORTED",
        ),
        ("plan: not a plan", b"hello, plan".to_vec(), "PLAN_INVALID"),
        (
            "plan: a v1 snapshot given as a plan",
            edited(|_| {}).into_bytes(),
            "BUNDLE_FORMAT_OUTDATED",
        ),
        (
            "plan: an older version",
            plan_bytes(&edited(|s| s["version"] = json!(4))),
            "SNAPSHOT_NOT_NEWER",
        ),
        (
            "plan: a byte flipped in the middle",
            flipped,
            "PLAN_CHECKSUM_MISMATCH",
        ),
    ]
}

/// Inputs whose answer differs from the README's contract today (engine
/// bugs reported to the lead; src/ is theirs). Each entry states the
/// documented answer; move it into [`catalogue`] once the engine gives it.
/// Until then they are run for panics and state changes only.
fn known_deviations() -> Vec<Case> {
    let entry = |name: &str, call: &'static str, input: Value, code: &str| Case {
        name: name.to_string(),
        snapshot: Some(base()),
        plan: None,
        call,
        input_text: input.to_string(),
        now: None,
        expected_code: code.to_string(),
    };
    vec![
        // serde's derived structs also accept a JSON array (fields by
        // position), so a wrong JSON type is answered as data.
        entry(
            "request is an empty array",
            "validate",
            json!([]),
            "INVALID_JSON",
        ),
        entry(
            "customer is an array",
            "validate",
            cart(json!({"customer": ["cust_1"]})),
            "INVALID_JSON",
        ),
        entry(
            "an order line is an array",
            "validate",
            cart(json!({"order": {"items": [["prod_a"]]}})),
            "INVALID_JSON",
        ),
        entry(
            "qualify: request is an empty array",
            "qualify",
            json!([]),
            "INVALID_JSON",
        ),
        // README "Errors and limits": metadata over 16 KiB in a request is
        // METADATA_TOO_LARGE; qualify and price_products do not check it.
        entry(
            "qualify: metadata over 16 KiB",
            "qualify",
            json!({"metadata": big_metadata(), "order": {"items": []}}),
            "METADATA_TOO_LARGE",
        ),
        entry(
            "qualify: customer metadata over 16 KiB",
            "qualify",
            json!({"customer": {"source_id": "c", "metadata": big_metadata()}, "order": {"items": []}}),
            "METADATA_TOO_LARGE",
        ),
        entry(
            "price_products: customer metadata over 16 KiB",
            "price_products",
            json!({"products": [{"product_id": "prod_a"}], "customer": {"metadata": big_metadata()}}),
            "METADATA_TOO_LARGE",
        ),
        entry(
            "price_products: product metadata over 16 KiB",
            "price_products",
            json!({"products": [{"product_id": "prod_a", "metadata": big_metadata()}]}),
            "METADATA_TOO_LARGE",
        ),
    ]
}

/// A fixed validation whose bytes must not change across a refused call.
fn probe(engine: &Engine) -> Result<String, &'static str> {
    engine
        .validate_json(&cart(json!({})).to_string(), NOW)
        .map_err(|e| e.code())
}

fn is_error_code(code: &str) -> bool {
    Error::ALL_CODES.contains(&code)
}

/// Keys of every inapplicable or skipped redeemable of a validation answer.
fn rejection_keys(answer: &Value) -> Vec<String> {
    let mut keys = Vec::new();
    for r in answer["inapplicable_redeemables"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if let Some(k) = r["result"]["error"]["key"].as_str() {
            keys.push(k.to_string());
        }
    }
    for r in answer["skipped_redeemables"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if let Some(k) = r["result"]["details"]["key"].as_str() {
            keys.push(k.to_string());
        }
    }
    keys
}

/// Runs one entry; Err is why it failed.
fn run(case: &Case) -> Result<(), String> {
    let now = case.now.as_deref().unwrap_or(NOW);
    let at = Instant::parse(NOW).unwrap();
    let mut engine = Engine::new();
    if let Some(s) = &case.snapshot {
        engine
            .load_snapshot_json(&s.to_string())
            .map_err(|e| format!("the base snapshot did not load: {e}"))?;
    }
    let plan_input = || URL_SAFE_NO_PAD.decode(&case.input_text).unwrap_or_default();
    let status_before = engine.status(at);
    let probe_before = probe(&engine);
    let text = case.input_text.as_str();
    let result: Result<Result<Value, Error>, _> =
        catch_unwind(AssertUnwindSafe(|| match case.call {
            "load" => engine
                .load_snapshot_json(text)
                .map(|r| serde_json::to_value(&r).unwrap()),
            "load_plan" => engine
                .load_plan(&plan_input())
                .map(|r| serde_json::to_value(&r).unwrap()),
            "validate" => engine
                .validate_json(text, now)
                .map(|s| serde_json::from_str(&s).unwrap()),
            "qualify" => engine
                .qualify_json(text, now)
                .map(|s| serde_json::from_str(&s).unwrap()),
            "price_products" => engine
                .price_products_json(text, now)
                .map(|s| serde_json::from_str(&s).unwrap()),
            other => panic!("unknown call {other}"),
        }));
    let result = result.map_err(|_| "PANICKED".to_string())?;
    let expected = case.expected_code.as_str();
    match (&result, is_error_code(expected)) {
        (Err(e), true) if e.code() == expected => {
            if engine.status(at) != status_before {
                return Err("the refused call changed the engine's status".into());
            }
            if probe(&engine) != probe_before {
                return Err("the refused call changed a validation answer".into());
            }
            Ok(())
        }
        (Err(e), _) => Err(format!(
            "failed with {} ({e}), expected {expected}",
            e.code()
        )),
        (Ok(v), true) => Err(format!(
            "succeeded, expected {expected}: {}",
            clip(&v.to_string())
        )),
        (Ok(_), false) if expected == "OK" => Ok(()),
        (Ok(v), false) if case.call.starts_with("load") => {
            let codes: Vec<&str> = v["warnings"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|w| w["code"].as_str())
                .collect();
            if codes.contains(&expected) {
                Ok(())
            } else {
                Err(format!(
                    "loaded with warnings {codes:?}, expected {expected}"
                ))
            }
        }
        (Ok(v), false) => {
            let keys = rejection_keys(v);
            if keys.iter().any(|k| k == expected) {
                Ok(())
            } else {
                Err(format!(
                    "answered with rejection keys {keys:?}, expected {expected}: {}",
                    clip(&v.to_string())
                ))
            }
        }
    }
}

fn clip(s: &str) -> String {
    if s.len() > 400 {
        format!("{}… ({} bytes)", &s[..400], s.len())
    } else {
        s.to_string()
    }
}

#[test]
fn every_hostile_input_gets_its_documented_answer_and_changes_nothing() {
    let cases = catalogue();
    assert!(
        cases.len() >= 40,
        "the catalogue has {} entries",
        cases.len()
    );
    let mut names = std::collections::BTreeSet::new();
    for c in &cases {
        assert!(names.insert(c.name.clone()), "duplicate name {}", c.name);
    }
    // Panics are caught per case so one report lists every failure.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| run(c).err().map(|why| format!("{}: {why}", c.name)))
        .collect();
    std::panic::set_hook(hook);
    assert!(
        failures.is_empty(),
        "{} of {} hostile inputs failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn known_deviations_do_not_panic_or_change_state() {
    let at = Instant::parse(NOW).unwrap();
    for c in known_deviations() {
        let mut engine = Engine::new();
        engine.load_snapshot_json(&base().to_string()).unwrap();
        let before = (engine.status(at), probe(&engine));
        let _ = match c.call {
            "validate" => engine.validate_json(&c.input_text, NOW),
            "qualify" => engine.qualify_json(&c.input_text, NOW),
            _ => engine.price_products_json(&c.input_text, NOW),
        };
        assert_eq!((engine.status(at), probe(&engine)), before, "{}", c.name);
    }
}

/// The documented answers of [`known_deviations`]: fails until the engine
/// is fixed (`cargo test --test hostile_inputs -- --ignored`).
#[test]
#[ignore = "engine deviations reported to the lead: arrays accepted as objects, metadata limit unchecked in qualify/price_products"]
fn known_deviations_get_their_documented_answer() {
    let failures: Vec<String> = known_deviations()
        .iter()
        .filter_map(|c| run(c).err().map(|why| format!("{}: {why}", c.name)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn catalogue_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/hostile/catalogue.json")
}

/// One entry per line: small, and a diff names the entries that changed.
fn catalogue_text() -> String {
    let lines: Vec<String> = catalogue()
        .into_iter()
        .map(|mut c| {
            c.plan = c
                .snapshot
                .as_ref()
                .map(|s| URL_SAFE_NO_PAD.encode(plan_bytes(&s.to_string())));
            serde_json::to_string(&c).unwrap()
        })
        .collect();
    format!("[\n{}\n]\n", lines.join(",\n"))
}

#[test]
fn catalogue_file_is_current() {
    let want = catalogue_text();
    let path = catalogue_path();
    if std::env::var_os("PROMO_UPDATE_CATALOGUE").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is stale: run `PROMO_UPDATE_CATALOGUE=1 cargo test --test hostile_inputs`",
        path.display()
    );
}

// --- Inputs JSON text cannot carry -----------------------------------------

/// What a binding does with bytes: `str::from_utf8` refuses invalid UTF-8
/// before the engine is called, so the engine never sees it; lossy
/// decoding turns it into U+FFFD, which the engine answers as data.
#[test]
fn invalid_utf8_is_refused_before_the_engine() {
    let mut engine = Engine::new();
    engine.load_snapshot_json(&base().to_string()).unwrap();
    let at = Instant::parse(NOW).unwrap();
    let before = (engine.status(at), probe(&engine));
    let hostile: [&[u8]; 6] = [
        b"{\"redeemables\": [{\"object\": \"voucher\", \"id\": \"\xff\xfe\"}], \"order\": {\"items\": []}}",
        b"{\"order\": {\"items\": [], \"metadata\": {\"k\": \"\xc3\x28\"}}}",
        // An encoded surrogate (CESU-8), an overlong "/" and a truncated sequence.
        b"{\"order\": {\"items\": [], \"metadata\": {\"k\": \"\xed\xa0\x80\"}}}",
        b"{\"order\": {\"items\": [], \"metadata\": {\"k\": \"\xc0\xaf\"}}}",
        b"{\"order\": {\"items\": [], \"metadata\": {\"k\": \"\xe2\x82\"}}}",
        b"\x80",
    ];
    for bytes in hostile {
        assert!(
            std::str::from_utf8(bytes).is_err(),
            "{bytes:?} is valid UTF-8"
        );
        let lossy = String::from_utf8_lossy(bytes);
        match engine.validate_json(&lossy, NOW) {
            Ok(answer) => {
                let v: Value = serde_json::from_str(&answer).unwrap();
                assert!(v.get("valid").is_some(), "{answer}");
            }
            Err(e) => assert_eq!(e.code(), "INVALID_JSON", "{lossy}"),
        }
        assert!(engine.load_snapshot_json(&lossy).is_err());
    }
    assert_eq!((engine.status(at), probe(&engine)), before);
}

#[test]
fn a_snapshot_over_the_size_limit_is_refused_before_parsing() {
    let mut engine = Engine::new();
    engine.load_snapshot_json(&base().to_string()).unwrap();
    let at = Instant::parse(NOW).unwrap();
    let before = (engine.status(at), probe(&engine));
    let huge = " ".repeat(promo_edge::limits::MAX_SNAPSHOT_BYTES + 1);
    assert_eq!(
        engine.load_snapshot_json(&huge).unwrap_err().code(),
        "SNAPSHOT_TOO_LARGE"
    );
    let huge_plan = vec![0u8; promo_edge::limits::MAX_PLAN_BYTES + 1];
    assert_eq!(
        engine
            .load_bundle(&huge_plan, &jwks(), at, 0)
            .unwrap_err()
            .code(),
        "PLAN_TOO_LARGE"
    );
    assert_eq!(
        engine.load_plan(&huge_plan).unwrap_err().code(),
        "PLAN_TOO_LARGE"
    );
    assert_eq!((engine.status(at), probe(&engine)), before);
}

// --- Signed bundles --------------------------------------------------------

// RFC 8037 appendix A.1 key pair.
const D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
const X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

fn key() -> SigningKey {
    let seed: [u8; 32] = URL_SAFE_NO_PAD.decode(D).unwrap().try_into().unwrap();
    SigningKey::from_bytes(&seed)
}

fn jwks() -> String {
    json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": X, "kid": "dev-1", "use": "sig"}]})
        .to_string()
}

fn sign_with(key: &SigningKey, header: &str, payload: &str) -> String {
    support::sign_jws(key, header, payload)
}

const HEADER: &str = r#"{"alg":"EdDSA","kid":"dev-1"}"#;

/// A bundle of `snapshot` whose manifest is signed by `key` under `header`.
fn bundle_with(key: &SigningKey, header: &str, snapshot: &str) -> Vec<u8> {
    support::signed_bundle(key, header, snapshot)
}

/// `jws` and `plan` joined as a bundle.
fn joined(jws: &str, plan: &[u8]) -> Vec<u8> {
    promo_edge::bundle::assemble(jws, plan)
}

/// The JWS line of a bundle.
fn jws_of(bundle: &[u8]) -> String {
    let nl = bundle.iter().position(|b| *b == b'\n').unwrap();
    String::from_utf8(bundle[..nl].to_vec()).unwrap()
}

#[allow(clippy::too_many_lines)]
fn hostile_bundles() -> Vec<(&'static str, Vec<u8>, String, &'static str)> {
    let newer = edited(|_| {});
    let plan = plan_bytes(&newer);
    let good = bundle_with(&key(), HEADER, &newer);
    let jws = jws_of(&good);
    let (h, rest) = jws.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    let mut sig = URL_SAFE_NO_PAD.decode(s).unwrap();
    sig[0] ^= 1;
    let other_key = SigningKey::from_bytes(&[7; 32]);
    let richer = plan_bytes(&newer.replace("\"percent_off\":10", "\"percent_off\":90"));
    let tampered_manifest = format!(
        "{h}.{}.{s}",
        URL_SAFE_NO_PAD.encode(support::manifest_json(&richer))
    );
    let mut flipped_plan = plan.clone();
    let mid = plan.len() / 2;
    flipped_plan[mid] ^= 1;
    // A signed manifest that tells the truth about bytes that are not a plan.
    let junk_plan = b"not a plan at all".to_vec();
    let mut junk_manifest: Value = serde_json::from_str(&support::manifest_json(&plan)).unwrap();
    junk_manifest["plan"]["bytes"] = json!(junk_plan.len());
    junk_manifest["plan"]["sha256"] =
        json!(URL_SAFE_NO_PAD.encode(<sha2::Sha256 as sha2::Digest>::digest(&junk_plan)));
    let junk = joined(
        &sign_with(&key(), HEADER, &junk_manifest.to_string()),
        &junk_plan,
    );
    // A signed manifest for version 7 over the plan of version 6.
    let mut lying: Value = serde_json::from_str(&support::manifest_json(&plan)).unwrap();
    lying["version"] = json!(7);
    let lying = joined(&sign_with(&key(), HEADER, &lying.to_string()), &plan);
    let k = jwks;
    vec![
        ("a flipped signature bit", joined(&format!("{h}.{p}.{}", URL_SAFE_NO_PAD.encode(&sig)), &plan), k(), "BUNDLE_SIGNATURE_INVALID"),
        ("a tampered manifest", joined(&tampered_manifest, &richer), k(), "BUNDLE_SIGNATURE_INVALID"),
        ("a plan swapped under a signed manifest", joined(&jws, &richer), k(), "BUNDLE_PLAN_MISMATCH"),
        ("a bit flipped in the plan", joined(&jws, &flipped_plan), k(), "BUNDLE_PLAN_MISMATCH"),
        ("a truncated plan", joined(&jws, &plan[..plan.len() - 1]), k(), "BUNDLE_PLAN_MISMATCH"),
        ("a padded plan", joined(&jws, &[plan.as_slice(), &[0]].concat()), k(), "BUNDLE_PLAN_MISMATCH"),
        ("no plan at all", jws.clone().into_bytes(), k(), "BUNDLE_MALFORMED"),
        ("a manifest that lies about the version", lying, k(), "BUNDLE_PLAN_MISMATCH"),
        ("signed bytes that are not a plan", junk, k(), "PLAN_INVALID"),
        ("signed by another key under the trusted kid", bundle_with(&other_key, HEADER, &newer), k(), "BUNDLE_SIGNATURE_INVALID"),
        ("a signature of zeros", joined(&format!("{h}.{p}.{}", URL_SAFE_NO_PAD.encode([0u8; 64])), &plan), k(), "BUNDLE_SIGNATURE_INVALID"),
        ("a 63-byte signature", joined(&format!("{h}.{p}.{}", URL_SAFE_NO_PAD.encode([1u8; 63])), &plan), k(), "BUNDLE_MALFORMED"),
        ("an empty signature", joined(&format!("{h}.{p}."), &plan), k(), "BUNDLE_MALFORMED"),
        ("alg none", bundle_with(&key(), r#"{"alg":"none","kid":"dev-1"}"#, &newer), k(), "BUNDLE_ALGORITHM_UNSUPPORTED"),
        ("alg HS256", bundle_with(&key(), r#"{"alg":"HS256","kid":"dev-1"}"#, &newer), k(), "BUNDLE_ALGORITHM_UNSUPPORTED"),
        ("an unknown kid", bundle_with(&key(), r#"{"alg":"EdDSA","kid":"dev-2"}"#, &newer), k(), "BUNDLE_KEY_UNKNOWN"),
        ("a crit header", bundle_with(&key(), r#"{"alg":"EdDSA","kid":"dev-1","crit":["exp"]}"#, &newer), k(), "BUNDLE_MALFORMED"),
        ("a header that is not JSON", joined(&format!("{}.{p}.{s}", URL_SAFE_NO_PAD.encode("{alg")), &plan), k(), "BUNDLE_MALFORMED"),
        ("standard base64 with padding", joined(&(jws.replace('-', "+").replace('_', "/") + "=="), &plan), k(), "BUNDLE_MALFORMED"),
        ("four segments", joined(&format!("{jws}.x"), &plan), k(), "BUNDLE_MALFORMED"),
        ("empty bytes", Vec::new(), k(), "BUNDLE_MALFORMED"),
        ("a v1 bundle (the snapshot signed as the payload)", sign_with(&key(), HEADER, &newer).into_bytes(), k(), "BUNDLE_FORMAT_OUTDATED"),
        ("a JWKS that is not JSON", good.clone(), "{keys".into(), "JWKS_INVALID"),
        ("a JWKS key of the wrong type", good.clone(), json!({"keys": [{"kty": "RSA", "kid": "dev-1", "n": "AQAB", "e": "AQAB"}]}).to_string(), "JWKS_INVALID"),
        ("a JWKS key of 31 bytes", good.clone(), json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "dev-1", "x": URL_SAFE_NO_PAD.encode([9u8; 31])}]}).to_string(), "JWKS_INVALID"),
        ("a JWKS key marked for encryption", good.clone(), json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": X, "kid": "dev-1", "use": "enc"}]}).to_string(), "JWKS_INVALID"),
        ("a validly signed payload that is not a manifest", joined(&sign_with(&key(), HEADER, "[1, 2, 3]"), &plan), k(), "BUNDLE_MALFORMED"),
        (
            "a validly signed payload that is not UTF-8",
            {
                let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(HEADER), URL_SAFE_NO_PAD.encode([0xff, 0xfe, 0x00]));
                let sig = key().sign(input.as_bytes());
                joined(&format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes())), &plan)
            },
            k(),
            "BUNDLE_MALFORMED",
        ),
        ("a validly signed older version", bundle_with(&key(), HEADER, &edited(|s| s["version"] = json!(2))), k(), "SNAPSHOT_NOT_NEWER"),
        ("a validly signed plan expired beyond the grace", bundle_with(&key(), HEADER, &edited(|s| s["expires_at"] = json!("2026-05-01T00:00:00Z"))), k(), "SNAPSHOT_EXPIRED"),
    ]
}

#[test]
fn bundles_with_bad_signatures_or_shapes_are_refused_and_change_nothing() {
    let at = Instant::parse(NOW).unwrap();
    let mut engine = Engine::new();
    engine.load_snapshot_json(&base().to_string()).unwrap();
    let before = (engine.status(at), probe(&engine));
    let mut failures = Vec::new();
    for (name, bundle, keys, code) in &hostile_bundles() {
        match engine.load_bundle(bundle, keys, at, 86_400_000) {
            Err(e) if e.code() == *code => {}
            other => failures.push(format!("{name}: {other:?}, expected {code}")),
        }
        if (engine.status(at), probe(&engine)) != before {
            failures.push(format!("{name}: the refused bundle changed state"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The positive control: the good bundle loads.
    let good = bundle_with(&key(), HEADER, &edited(|_| {}));
    let report = engine.load_bundle(&good, &jwks(), at, 0).unwrap();
    assert_eq!(report.version, 6);
}

/// README "Semantics" 18: a formula that cannot be evaluated (here 100 / 0
/// with one line) uses the plain field — 300 off, not an error.
#[test]
fn a_formula_dividing_by_zero_uses_the_plain_amount() {
    let mut engine = Engine::new();
    engine.load_snapshot_json(&base().to_string()).unwrap();
    let req = cart(json!({"redeemables": [{"object": "voucher", "id": "DIVZERO"}]}));
    let v: Value =
        serde_json::from_str(&engine.validate_json(&req.to_string(), NOW).unwrap()).unwrap();
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["order"]["total_discount_amount"], 300, "{v}");
    // With two lines the formula evaluates: 100 / (2 - 1) = 100.00 → 10000 minor units, capped at the order.
    let two = cart(
        json!({"redeemables": [{"object": "voucher", "id": "DIVZERO"}],
        "order": {"items": [{"product_id": "prod_a", "price": 10000, "quantity": 1},
                            {"product_id": "prod_b", "price": 10000, "quantity": 1}]}}),
    );
    let v: Value =
        serde_json::from_str(&engine.validate_json(&two.to_string(), NOW).unwrap()).unwrap();
    assert_eq!(v["order"]["total_discount_amount"], 10000, "{v}");
}
