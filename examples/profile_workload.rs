//! Runs one engine call of the benchmark workload in a loop, for a profiler
//! (`make bench-profile` runs it under `valgrind --tool=callgrind`):
//!
//! ```text
//! cargo run --release --example profile_workload -- DIR OP [N]
//! ```
//!
//! `DIR` is what `examples/gen_workload.rs` writes; `OP` is one of `load`,
//! `validate`, `qualify`, `price` (the plan is loaded first for the
//! others, so a profile of them includes one load).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use promo_edge::Engine;

const NOW: &str = "2026-06-01T12:00:00Z";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = Path::new(args.get(1).map_or("target/bench-workload", String::as_str));
    let op = args.get(2).map_or("validate", String::as_str);
    let n: usize = args.get(3).map_or(1, |s| s.parse().unwrap());
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let plan = std::fs::read(dir.join("plan.bin")).unwrap();
    let mut engine = Engine::new();
    if op == "load" {
        for _ in 0..n {
            let mut e = Engine::new();
            e.load_plan(&plan).unwrap();
        }
        return;
    }
    engine.load_plan(&plan).unwrap();
    let (file, call): (&str, fn(&Engine, &str) -> String) = match op {
        "validate" => ("cart.json", |e, r| e.validate_json(r, NOW).unwrap()),
        "qualify" => ("qualify.json", |e, r| e.qualify_json(r, NOW).unwrap()),
        "price" => ("page.json", |e, r| e.price_products_json(r, NOW).unwrap()),
        other => panic!("unknown op {other}: load, validate, qualify or price"),
    };
    let request = read(file);
    let mut bytes = 0;
    for _ in 0..n {
        bytes += call(&engine, &request).len();
    }
    println!("{op} x{n}: {bytes} response bytes");
}
