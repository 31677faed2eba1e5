//! Shared pieces of the fuzz targets: the spec snapshots compiled once, the
//! input framing the seed corpus uses, and checks every target applies.
//!
//! Input framing of the request targets (`validate`, `qualify`,
//! `price_products`): byte 0 picks one of the spec files' snapshots
//! (modulo their count), then the `now` text up to the first `\n`, then the
//! request JSON. `fuzz/gen-corpus.mjs` writes the seeds in this shape.

use std::cell::RefCell;

use promo_edge::Engine;
use serde_json::Value;

/// The snapshot of every `tests/spec/*.json` file, in name order.
pub const SPEC_FILES: &[&str] = &[
    include_str!("../../tests/spec/01-effects-reference-cart.json"),
    include_str!("../../tests/spec/02-stacking-worked-examples.json"),
    include_str!("../../tests/spec/03-stacking-rules.json"),
    include_str!("../../tests/spec/04-order-calculation.json"),
    include_str!("../../tests/spec/05-validation-rules.json"),
    include_str!("../../tests/spec/06-time-windows.json"),
    include_str!("../../tests/spec/07-reasons-and-nudges.json"),
    include_str!("../../tests/spec/08-rounding-and-currencies.json"),
    include_str!("../../tests/spec/09-application-rules.json"),
    include_str!("../../tests/spec/10-unit-effects-and-bundles.json"),
    include_str!("../../tests/spec/11-request-errors.json"),
    include_str!("../../tests/spec/12-qualification.json"),
    include_str!("../../tests/spec/13-strikethrough-pricing.json"),
    include_str!("../../tests/spec/14-gift-cards.json"),
    include_str!("../../tests/spec/15-loyalty.json"),
    include_str!("../../tests/spec/16-referrals.json"),
    include_str!("../../tests/spec/17-formulas.json"),
];

thread_local! {
    static ENGINES: RefCell<Vec<Engine>> = RefCell::new(load_spec_engines());
}

fn load_spec_engines() -> Vec<Engine> {
    SPEC_FILES
        .iter()
        .map(|text| {
            let file: Value = serde_json::from_str(text).expect("spec file is JSON");
            let snapshot = file.get("snapshot").expect("spec file has a snapshot");
            let mut engine = Engine::new();
            engine
                .load_snapshot_json(&snapshot.to_string())
                .expect("spec snapshot loads");
            engine
        })
        .collect()
}

/// A framed request input: which snapshot, `now`, and the request text.
pub struct Framed<'a> {
    /// Index into [`SPEC_FILES`].
    pub snapshot: usize,
    /// The `now` text.
    pub now: &'a str,
    /// The request text.
    pub request: &'a str,
}

/// Splits an input in the request framing; None when it is not UTF-8 (the
/// engine's API takes `&str`; invalid UTF-8 is refused before it).
pub fn frame(data: &[u8]) -> Option<Framed<'_>> {
    let (first, rest) = data.split_first()?;
    let text = std::str::from_utf8(rest).ok()?;
    let (now, request) = text
        .split_once('\n')
        .unwrap_or(("2026-06-01T12:00:00Z", text));
    Some(Framed {
        snapshot: usize::from(*first) % SPEC_FILES.len(),
        now,
        request,
    })
}

/// Runs `f` with the engine holding spec snapshot `i`.
pub fn with_engine<R>(i: usize, f: impl FnOnce(&Engine) -> R) -> R {
    ENGINES.with(|e| f(&e.borrow()[i % SPEC_FILES.len()]))
}

/// Every error code must be one of the documented ones.
pub fn check_error(e: &promo_edge::Error) {
    assert!(
        promo_edge::Error::ALL_CODES.contains(&e.code()),
        "undocumented error code {}",
        e.code()
    );
}

/// A successful answer is JSON, and the same call gives the same bytes.
pub fn check_answer(first: &str, again: &str) -> Value {
    assert_eq!(first, again, "the same call gave different bytes");
    serde_json::from_str(first).expect("the engine answered invalid JSON")
}

/// README "Money": `total_amount = amount − total_discount_amount`, and no
/// total below zero, on a calculated order object.
pub fn check_order(order: &Value) {
    let int = |k: &str| order.get(k).and_then(Value::as_i64);
    if let (Some(amount), Some(discount), Some(total)) = (
        int("amount"),
        int("total_discount_amount"),
        int("total_amount"),
    ) {
        assert_eq!(
            total,
            amount - discount,
            "total_amount != amount - total_discount_amount in {order}"
        );
        assert!(total >= 0, "negative total_amount in {order}");
    }
    if let Some(items) = order.get("items").and_then(Value::as_array) {
        for item in items {
            if let Some(a) = item.get("subtotal_amount").and_then(Value::as_i64) {
                assert!(a >= 0, "a line went below zero: {item}");
            }
        }
    }
}
