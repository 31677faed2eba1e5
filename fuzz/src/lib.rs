//! Shared pieces of the fuzz targets: the spec snapshots compiled once into
//! plans, the input framing the seed corpus uses, and checks every target
//! applies.
//!
//! The engine reads only binary plans (`promo-edge.plan/2`); the compiler
//! (source JSON → plan) runs at publish time. So the request targets
//! (`validate`, `qualify`, `price_products`) hold engines loaded, once per
//! process, from the plans compiled here from `tests/spec/*.json` through
//! `Engine::load_plan` — exactly what a client does with a published plan.
//!
//! Input framing of the request targets: byte 0 picks one of the spec
//! files' snapshots (modulo their count), then the `now` text up to the
//! first `\n`, then the request JSON. `fuzz/gen-corpus.mjs` writes the seeds
//! in this shape.

use std::cell::RefCell;

use promo_edge::plan::encoding;
use promo_edge::Engine;
use serde_json::Value;

/// Every `tests/spec/*.json` file, in name order (listed by `build.rs`;
/// `fuzz/gen-corpus.mjs` numbers them the same way).
pub const SPEC_FILES: &[&str] = include!(concat!(env!("OUT_DIR"), "/spec_files.rs"));

/// The source JSON of spec file `i`'s top-level snapshot.
pub fn spec_source(i: usize) -> String {
    let text = SPEC_FILES
        .get(i % SPEC_FILES.len())
        .copied()
        .unwrap_or("{}");
    let file: Value = serde_json::from_str(text).expect("spec file is JSON");
    file.get("snapshot")
        .expect("spec file has a snapshot")
        .to_string()
}

/// Compiles source JSON into plan bytes (what `promo-origin publish` ships).
pub fn compile(source: &str) -> Result<Vec<u8>, promo_edge::Error> {
    let (plan, _) = promo_edge::compiler::compile_json(source)?;
    encoding::encode(&plan)
}

/// Compiles source JSON with its version replaced (a plan an engine holding
/// a lower version accepts).
pub fn compile_with_version(source: &str, version: u64) -> Vec<u8> {
    let (mut plan, _) = promo_edge::compiler::compile_json(source).expect("source compiles");
    plan.version = version;
    encoding::encode(&plan).expect("plan encodes")
}

thread_local! {
    static PLANS: Vec<Vec<u8>> = (0..SPEC_FILES.len())
        .map(|i| compile(&spec_source(i)).expect("spec snapshot compiles"))
        .collect();
    static ENGINES: RefCell<Vec<Engine>> = RefCell::new(load_spec_engines());
}

/// The compiled plan of spec file `i` (its own version).
pub fn spec_plan(i: usize) -> Vec<u8> {
    PLANS.with(|p| p.get(i % SPEC_FILES.len()).cloned().unwrap_or_default())
}

fn load_spec_engines() -> Vec<Engine> {
    (0..SPEC_FILES.len())
        .map(|i| {
            let mut engine = Engine::new();
            engine.load_plan(&spec_plan(i)).expect("spec plan loads");
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

/// Runs `f` with the engine holding spec plan `i`.
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

/// Fixed calls that touch the common rule names, a voucher, a tier, gift
/// and loyalty paths, qualification and pricing; `expand` asks for every
/// optional part of the answer.
pub const CART: &str = r#"{"redeemables": [{"object": "voucher", "id": "CODE"},
  {"object": "voucher", "id": "GIFT", "gift": {"credits": 500}},
  {"object": "voucher", "id": "CARD", "reward": {"id": "rew_1", "points": 10}},
  {"object": "promotion_tier", "id": "promo_1"}, {"object": "promotion_stack", "id": "stack_1"}],
 "order": {"id": "o1", "items": [{"product_id": "prod_a", "sku_id": "sku_a", "price": 1000, "quantity": 2},
   {"product_id": "prod_b", "price": 2500, "quantity": 1, "metadata": {"color": "red"}}]},
 "customer": {"source_id": "cust_1", "segments": ["seg_vip"], "metadata": {"tier": "gold"}},
 "options": {"expand": ["order", "redeemable"]}}"#;
/// See [`CART`].
pub const QUALIFY: &str = r#"{"scenario": "ALL", "options": {"limit": 50, "sorting_rule": "BEST_DEAL"},
 "order": {"items": [{"product_id": "prod_a", "price": 1000, "quantity": 2}]},
 "customer": {"source_id": "cust_1"}}"#;
/// See [`CART`].
pub const PRICE: &str = r#"{"products": [{"product_id": "prod_a"}, {"product_id": "prod_b", "price": 999},
 {"sku_id": "sku_a", "price": 100, "quantity": 3}]}"#;
/// The `now` of the fixed calls.
pub const NOW: &str = "2026-06-01T12:00:00Z";

/// Runs the fixed validate, qualify and price calls on a loaded engine:
/// no panic, only documented codes, deterministic JSON answers.
pub fn exercise(engine: &Engine) {
    for (call, request) in [("validate", CART), ("qualify", QUALIFY), ("price", PRICE)] {
        let run = || match call {
            "validate" => engine.validate_json(request, NOW),
            "qualify" => engine.qualify_json(request, NOW),
            _ => engine.price_products_json(request, NOW),
        };
        match (run(), run()) {
            (Ok(a), Ok(b)) => {
                let v = check_answer(&a, &b);
                if let Some(order) = v.get("order") {
                    check_order(order);
                }
            }
            (Err(a), Err(b)) => {
                check_error(&a);
                assert_eq!(a.code(), b.code(), "the same call failed differently");
            }
            (a, b) => panic!("the same {call} call answered {a:?} then {b:?}"),
        }
    }
}

/// The bytes of the plan an engine holds (empty when none): a refused
/// load must leave them unchanged.
pub fn held_bytes(engine: &Engine) -> Vec<u8> {
    engine
        .plan()
        .map(|p| encoding::encode(p).expect("a held plan encodes"))
        .unwrap_or_default()
}

/// The smallest source: no campaigns. `version` 0, so any plan with a
/// higher version is newer than it.
pub fn base_source(version: u64) -> String {
    format!(
        r#"{{"schema":"promo-edge.snapshot/1","project":"fuzz","channel":"web","version":{version},"issued_at":"2026-01-01T00:00:00Z","expires_at":"2027-01-01T00:00:00Z","currency":{{"code":"USD","exponent":2}},"time_zone":{{"name":"UTC","offsets":[{{"offset_seconds":0}}]}},"campaigns":[]}}"#
    )
}

/// An engine holding the empty version-0 plan.
pub fn base_engine() -> Engine {
    thread_local! {
        static BASE: Vec<u8> = compile(&base_source(0)).expect("base source compiles");
    }
    let mut e = Engine::new();
    BASE.with(|b| e.load_plan(b)).expect("base plan loads");
    e
}
