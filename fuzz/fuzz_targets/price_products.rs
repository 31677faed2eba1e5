//! `Engine::price_products_json` on every spec snapshot: no panic, only
//! documented codes, the same bytes twice, and no price below zero.
#![no_main]

use libfuzzer_sys::fuzz_target;
use promo_edge_fuzz::{check_answer, check_error, frame, with_engine};

fuzz_target!(|data: &[u8]| {
    let Some(input) = frame(data) else { return };
    with_engine(input.snapshot, |engine| {
        match engine.price_products_json(input.request, input.now) {
            Ok(out) => {
                let again = engine
                    .price_products_json(input.request, input.now)
                    .expect("a second identical call failed");
                let v = check_answer(&out, &again);
                let products = v.get("products").and_then(|p| p.as_array());
                for p in products.into_iter().flatten() {
                    let int = |k: &str| p.get(k).and_then(|n| n.as_i64());
                    for key in ["price", "discounted_price", "discounted_amount"] {
                        if let Some(n) = int(key) {
                            assert!(n >= 0, "negative {key} in {p}");
                        }
                    }
                    if let (Some(a), Some(d), Some(t)) = (
                        int("amount"),
                        int("discount_amount"),
                        int("discounted_amount"),
                    ) {
                        assert_eq!(
                            t,
                            a - d,
                            "discounted_amount != amount - discount_amount in {p}"
                        );
                    }
                }
            }
            Err(e) => check_error(&e),
        }
    });
});
