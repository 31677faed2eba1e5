//! `Engine::qualify_json` on every spec snapshot: no panic, only documented
//! codes, the same bytes twice, and the money invariants on each entry.
#![no_main]

use libfuzzer_sys::fuzz_target;
use promo_edge_fuzz::{check_answer, check_error, check_order, frame, with_engine};

fuzz_target!(|data: &[u8]| {
    let Some(input) = frame(data) else { return };
    with_engine(input.snapshot, |engine| {
        match engine.qualify_json(input.request, input.now) {
            Ok(out) => {
                let again = engine
                    .qualify_json(input.request, input.now)
                    .expect("a second identical call failed");
                let v = check_answer(&out, &again);
                let entries = v
                    .get("redeemables")
                    .and_then(|r| r.get("data"))
                    .and_then(|d| d.as_array());
                for r in entries.into_iter().flatten() {
                    if let Some(order) = r.get("order") {
                        check_order(order);
                    }
                }
            }
            Err(e) => check_error(&e),
        }
    });
});
