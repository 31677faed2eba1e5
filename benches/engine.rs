//! Native benchmarks of the core: load (verify + parse + compile),
//! validate, qualify and strikethrough pricing, against the generated
//! workload of DESIGN.md (1,000 campaigns, 100,000 unique codes).
//! `make bench` runs these beside the wasm benchmark in Node.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod workload;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use promo_edge::pricing::PricingRequest;
use promo_edge::qualification::QualificationRequest;
use promo_edge::request::ValidationRequest;
use promo_edge::time::Instant;
use promo_edge::Engine;
use workload::Shape;

const NOW: &str = "2026-06-01T12:00:00Z";
const BUDGET: Shape = Shape {
    campaigns: 1000,
    unique_codes: 100_000,
    products: 5000,
    seed: 42,
};

fn engine(shape: &Shape) -> Engine {
    let mut e = Engine::new();
    e.load_plan(&workload::plan(&workload::snapshot(shape)))
        .unwrap();
    e
}

fn budgets(c: &mut Criterion) {
    let now = Instant::parse(NOW).unwrap();
    let plan = workload::plan(&workload::snapshot(&BUDGET));
    let (bundle, jwks) = workload::bundle(&plan);
    let mut g = c.benchmark_group("budget");
    g.sample_size(10);
    g.bench_function("load_verify_1000c_100kcodes", |b| {
        b.iter_batched(
            Engine::new,
            |mut e| e.load_bundle(&bundle, &jwks, now, 0).unwrap(),
            BatchSize::LargeInput,
        )
    });
    g.finish();

    let e = engine(&BUDGET);
    let cart: ValidationRequest =
        serde_json::from_value(workload::cart(&BUDGET, 20, 3, 1)).unwrap();
    let qual: QualificationRequest =
        serde_json::from_value(workload::qualification(&BUDGET, 20, 1)).unwrap();
    let page: PricingRequest = serde_json::from_value(workload::page(&BUDGET, 1000, 1)).unwrap();
    let mut g = c.benchmark_group("budget");
    g.bench_function("validate_20lines_3codes", |b| {
        b.iter(|| e.validate(&cart, now).unwrap())
    });
    g.bench_function("qualify_20lines", |b| {
        b.iter(|| e.qualify(&qual, now).unwrap())
    });
    g.bench_function("price_1000_products", |b| {
        b.iter(|| e.price_products(&page, now).unwrap())
    });
    g.finish();

    // The same calls from and to JSON text: exactly what the wasm binding
    // does per call, so `bench/wasm-bench.mjs` compares like with like.
    let cart_json = workload::cart(&BUDGET, 20, 3, 1).to_string();
    let qual_json = workload::qualification(&BUDGET, 20, 1).to_string();
    let page_json = workload::page(&BUDGET, 1000, 1).to_string();
    let mut g = c.benchmark_group("budget_json");
    g.sample_size(10);
    g.bench_function("load_plan_1000c_100kcodes", |b| {
        b.iter_batched(
            Engine::new,
            |mut e| e.load_plan(&plan).unwrap(),
            BatchSize::LargeInput,
        )
    });
    g.sample_size(100);
    g.bench_function("validate_20lines_3codes", |b| {
        b.iter(|| e.validate_json(&cart_json, NOW).unwrap())
    });
    g.bench_function("qualify_20lines", |b| {
        b.iter(|| e.qualify_json(&qual_json, NOW).unwrap())
    });
    g.bench_function("price_1000_products", |b| {
        b.iter(|| e.price_products_json(&page_json, NOW).unwrap())
    });
    g.finish();
}

fn scaling(c: &mut Criterion) {
    let now = Instant::parse(NOW).unwrap();
    let mut g = c.benchmark_group("scaling_lines");
    g.sample_size(20);
    let e = engine(&BUDGET);
    for lines in [1, 10, 100, 500] {
        let cart: ValidationRequest =
            serde_json::from_value(workload::cart(&BUDGET, lines, 3, 2)).unwrap();
        g.bench_with_input(BenchmarkId::from_parameter(lines), &cart, |b, cart| {
            b.iter(|| e.validate(cart, now).unwrap())
        });
    }
    g.finish();
    let mut g = c.benchmark_group("scaling_campaigns");
    g.sample_size(20);
    for campaigns in [10, 100, 1000, 10_000] {
        let shape = Shape {
            campaigns,
            unique_codes: 0,
            products: 5000,
            seed: 42,
        };
        let e = engine(&shape);
        let cart: ValidationRequest =
            serde_json::from_value(workload::cart(&shape, 20, 3, 3)).unwrap();
        g.bench_with_input(BenchmarkId::from_parameter(campaigns), &cart, |b, cart| {
            b.iter(|| e.validate(cart, now).unwrap())
        });
    }
    g.finish();
    let mut g = c.benchmark_group("scaling_page");
    g.sample_size(10);
    for n in [10, 100, 1000, 10_000] {
        let page: PricingRequest = serde_json::from_value(workload::page(&BUDGET, n, 4)).unwrap();
        g.bench_with_input(BenchmarkId::from_parameter(n), &page, |b, page| {
            b.iter(|| e.price_products(page, now).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, budgets, scaling);
criterion_main!(benches);
