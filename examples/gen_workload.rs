//! Writes the benchmark workload (the same seeded generator the criterion
//! benches use) to a folder, for the wasm benchmark in Node:
//!
//! ```text
//! cargo run --release --example gen_workload -- target/bench-workload
//! ```
//!
//! Files: `snapshot.json` (1,000 campaigns, 100,000 unique codes),
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
    write(dir, "snapshot.json", &workload::snapshot(&budget));
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
        write(
            dir,
            &format!("scaling/snapshot-campaigns-{campaigns}.json"),
            &workload::snapshot(&shape),
        );
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
