//! The per-product pricing plan against the pipeline it stands in for:
//! every price publish worked out must be the price the stacking pipeline
//! gives at that moment, and the hand-written JSON must be serde's.

// Test code: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

#[path = "../benches/workload/mod.rs"]
mod workload;

use promo_edge::plan::Plan;
use promo_edge::pricing::PricingRequest;
use promo_edge::time::Instant;
use promo_edge::Engine;
use serde_json::{json, Value};

fn engine(plan: &Plan) -> Engine {
    let mut e = Engine::new();
    e.load_plan(&promo_edge::plan::encoding::encode(plan).unwrap())
        .unwrap();
    e
}

/// The same plan with no precomputed price: every product takes the pipeline.
fn without_memos(plan: &Plan) -> Plan {
    let mut bare = plan.clone();
    for p in bare
        .pricing
        .products
        .iter_mut()
        .chain(bare.pricing.skus.iter_mut())
    {
        p.memo = None;
    }
    bare
}

/// Every catalog product and SKU by id, once plain and once with two units
/// (which publish does not settle), lean and expanded.
fn pages(plan: &Plan) -> Vec<String> {
    let mut items: Vec<Value> = Vec::new();
    for (id, _) in plan.catalog.products.iter() {
        items.push(json!({"product_id": id}));
        items.push(json!({"product_id": id, "quantity": 2}));
    }
    for (id, _) in plan.catalog.skus.iter() {
        items.push(json!({"sku_id": id}));
        items.push(json!({"sku_id": id, "quantity": 1}));
    }
    [json!([]), json!(["redeemable"])]
        .into_iter()
        .flat_map(|expand| {
            let items = items.clone();
            [
                json!({"products": items, "options": {"expand": expand}}),
                json!({"products": items, "options": {"expand": expand},
                       "customer": {"source_id": "cust_1", "segments": ["seg_vip"]}}),
            ]
        })
        .map(|v| v.to_string())
        .collect()
}

/// Instants worth pricing at: the plan's own dates and every date and
/// window edge of a redeemable, a millisecond either side.
fn moments(plan: &Plan, extra: &[Instant]) -> Vec<String> {
    let mut at: Vec<Instant> = vec![plan.issued_at, plan.expires_at];
    at.extend_from_slice(extra);
    for r in &plan.redeemables {
        if let Ok(v) = r.validity.as_ref() {
            at.extend(v.start());
            at.extend(v.expiration());
        }
    }
    let mut out: Vec<String> = at
        .iter()
        .flat_map(|t| [t.0 - 1, t.0, t.0 + 1])
        .map(|ms| Instant(ms).to_rfc3339())
        .filter(|s| !s.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

fn assert_same_prices(name: &str, plan: &Plan, extra: &[Instant]) -> usize {
    let (with, bare) = (engine(plan), engine(&without_memos(plan)));
    let mut compared = 0;
    for now in moments(plan, extra) {
        for page in pages(plan) {
            let a = with.price_products_json(&page, &now).map_err(|e| e.code());
            let b = bare.price_products_json(&page, &now).map_err(|e| e.code());
            assert_eq!(a, b, "{name} at {now}: {page}");
            compared += 1;
        }
    }
    compared
}

#[test]
fn precomputed_prices_are_the_pipelines_at_every_moment() {
    let mut memos = 0;
    for (name, file) in support::spec_files() {
        let snapshots = std::iter::once(&file.snapshot)
            .chain(file.cases.iter().filter_map(|c| c.snapshot.as_ref()));
        let nows: Vec<Instant> = file
            .cases
            .iter()
            .filter_map(|c| Instant::parse(&c.now).ok())
            .collect();
        for snapshot in snapshots {
            let Ok((plan, _)) = promo_edge::compiler::compile_json(&snapshot.to_string()) else {
                continue;
            };
            memos += plan
                .pricing
                .products
                .iter()
                .chain(&plan.pricing.skus)
                .filter(|p| p.memo.is_some())
                .count();
            assert_same_prices(&name, &plan, &nows);
        }
    }
    // The strikethrough file alone settles a dozen catalog entries at publish.
    assert!(memos >= 12, "only {memos} prices precomputed");
}

#[test]
fn precomputed_prices_hold_on_a_generated_catalog() {
    let shape = workload::Shape {
        campaigns: 200,
        unique_codes: 10,
        products: 300,
        seed: 7,
    };
    let (plan, _) =
        promo_edge::compiler::compile_json(&workload::snapshot(&shape).to_string()).unwrap();
    let settled = plan
        .pricing
        .products
        .iter()
        .filter(|p| p.memo.is_some())
        .count();
    assert_eq!(
        settled, 300,
        "every generated product depends on its line alone"
    );
    assert!(assert_same_prices("workload", &plan, &[]) > 0);
}

#[test]
fn the_written_answer_is_serdes() {
    for (name, file) in support::spec_files() {
        for (i, case) in file.cases.iter().enumerate() {
            if case.call.as_deref() != Some("price_products") {
                continue;
            }
            let snapshot = case.snapshot.as_ref().unwrap_or(&file.snapshot);
            let Ok((plan, _)) = promo_edge::compiler::compile_json(&snapshot.to_string()) else {
                continue;
            };
            let e = engine(&plan);
            let Ok(req) = serde_json::from_value::<PricingRequest>(case.request.clone()) else {
                continue;
            };
            let now = Instant::parse(&case.now).unwrap();
            let Ok(typed) = e.price_products(&req, now) else {
                continue;
            };
            let written = e
                .price_products_json(&case.request.to_string(), &case.now)
                .unwrap();
            assert_eq!(
                written,
                serde_json::to_string(&typed).unwrap(),
                "{name} case {i}"
            );
        }
    }
}
