//! Writes the benchmark workload (the same seeded generator the criterion
//! benches use) to a folder, for the wasm benchmark in Node:
//!
//! ```text
//! cargo run --release --example gen_workload -- target/bench-workload
//! ```
//!
//! Files: `snapshot.json` (the source: 1,000 campaigns, 100,000 unique
//! codes), its compiled `plan.bin`, `bundle.bin` (signed) with `jwks.json`,
//! `cart.json` (20 lines, 3 codes), `qualify.json`, `page.json` (1,000
//! products), and `scaling/` variants.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../benches/workload/mod.rs"]
mod workload;

use std::path::Path;

use workload::Shape;

fn write(dir: &Path, name: &str, v: &serde_json::Value) {
    std::fs::write(dir.join(name), v.to_string()).unwrap();
}

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/bench-workload".into());
    let dir = Path::new(&out);
    std::fs::create_dir_all(dir.join("scaling")).unwrap();
    let budget = Shape {
        campaigns: 1000,
        unique_codes: 100_000,
        products: 5000,
        seed: 42,
    };
    let snapshot = workload::snapshot(&budget);
    write(dir, "snapshot.json", &snapshot);
    let plan = workload::plan(&snapshot);
    let (bundle, jwks) = workload::bundle(&plan);
    std::fs::write(dir.join("plan.bin"), &plan).unwrap();
    std::fs::write(dir.join("bundle.bin"), &bundle).unwrap();
    std::fs::write(dir.join("jwks.json"), jwks).unwrap();
    write(dir, "cart.json", &workload::cart(&budget, 20, 3, 1));
    write(
        dir,
        "qualify.json",
        &workload::qualification(&budget, 20, 1),
    );
    write(dir, "page.json", &workload::page(&budget, 1000, 1));
    for lines in [1, 10, 100, 500] {
        write(
            dir,
            &format!("scaling/cart-lines-{lines}.json"),
            &workload::cart(&budget, lines, 3, 2),
        );
    }
    for campaigns in [10, 100, 1000, 10_000] {
        let shape = Shape {
            campaigns,
            unique_codes: 0,
            products: 5000,
            seed: 42,
        };
        std::fs::write(
            dir.join(format!("scaling/plan-campaigns-{campaigns}.bin")),
            workload::plan(&workload::snapshot(&shape)),
        )
        .unwrap();
        write(
            dir,
            &format!("scaling/cart-campaigns-{campaigns}.json"),
            &workload::cart(&shape, 20, 3, 3),
        );
    }
    for n in [10, 100, 1000, 10_000] {
        write(
            dir,
            &format!("scaling/page-{n}.json"),
            &workload::page(&budget, n, 4),
        );
    }
    println!("wrote {}", dir.display());
}
