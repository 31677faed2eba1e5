//! `Engine::load_snapshot_json` on arbitrary text: no panic, only
//! documented codes, a refused load leaves the engine empty, and a snapshot
//! that loads answers a fixed validate, qualify and price_products call
//! without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use promo_edge::time::Instant;
use promo_edge::Engine;
use promo_edge_fuzz::check_error;

const NOW: &str = "2026-06-01T12:00:00Z";

/// Touches the common rule names, a voucher, a tier, gift and loyalty paths.
const CART: &str = r#"{"redeemables": [{"object": "voucher", "id": "CODE"},
  {"object": "voucher", "id": "GIFT", "gift": {"credits": 500}},
  {"object": "voucher", "id": "CARD", "reward": {"id": "rew_1", "points": 10}},
  {"object": "promotion_tier", "id": "promo_1"}, {"object": "promotion_stack", "id": "stack_1"}],
 "order": {"id": "o1", "items": [{"product_id": "prod_a", "sku_id": "sku_a", "price": 1000, "quantity": 2},
   {"product_id": "prod_b", "price": 2500, "quantity": 1, "metadata": {"color": "red"}}]},
 "customer": {"source_id": "cust_1", "segments": ["seg_vip"], "metadata": {"tier": "gold"}}}"#;
const QUALIFY: &str = r#"{"scenario": "ALL", "options": {"limit": 50, "sorting_rule": "BEST_DEAL"},
 "order": {"items": [{"product_id": "prod_a", "price": 1000, "quantity": 2}]},
 "customer": {"source_id": "cust_1"}}"#;
const PRICE: &str = r#"{"products": [{"product_id": "prod_a"}, {"product_id": "prod_b", "price": 999},
 {"sku_id": "sku_a", "price": 100, "quantity": 3}]}"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let now = Instant::parse(NOW).expect("fixed now");
    let mut engine = Engine::new();
    match engine.load_snapshot_json(text) {
        Err(e) => {
            check_error(&e);
            assert!(engine.status(now).is_none(), "a refused load changed state");
        }
        Ok(report) => {
            let status = engine.status(now).expect("a loaded snapshot has a status");
            assert_eq!(status.version, report.version);
            for r in [
                engine.validate_json(CART, NOW),
                engine.qualify_json(QUALIFY, NOW),
                engine.price_products_json(PRICE, NOW),
            ] {
                if let Err(e) = r {
                    check_error(&e);
                }
            }
            // A second load of the same version is refused and changes nothing.
            let again = engine.load_snapshot_json(text);
            assert!(
                matches!(again, Err(ref e) if e.code() == "SNAPSHOT_NOT_NEWER"),
                "reloading the same version: {again:?}"
            );
            assert_eq!(engine.status(now), Some(status));
        }
    }
});
