//! The origin benchmark (`make bench-origin`, not a test: ignored by plain
//! `cargo test`, and nothing here asserts a time): redemptions per second
//! and client-side p50/p99 latency for SQLite with 1 node, PostgreSQL with
//! 1 node and PostgreSQL with 3 nodes, side by side in one run, on two
//! workloads — codes spread over 50 campaigns (little lock contention) and
//! one hot code (every redemption waits for the one before) — plus the
//! delay from `publish --database` to every one of 3 nodes serving the new
//! bundle. Writes `benches/origin-results.json` and the generated origin
//! section of `benches/RESULTS.md`.
//!
//! `PROMO_ORIGIN_BIN` is the server (a release build in `make
//! bench-origin`); `BENCH_REDEMPTIONS` per run (default 2000) and
//! `BENCH_CLIENTS` (default 8). Bounded: every socket wait is bounded and a
//! run stops after 300 s.

// Benchmark harness code: a failed unwrap is a failed run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::pg::Cluster;
use support::{text, Db, Server};

const NOW: &str = "2026-06-01T10:00:00Z";
const KEY: &str = "bench-secret-0123456789";
const CAMPAIGNS: usize = 50;

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn write_source(dir: &Path) {
    std::fs::create_dir_all(dir.join("campaigns")).unwrap();
    let project = json!({
        "project": "bench", "channel": "web", "currency": {"code": "USD", "exponent": 2},
        "time_zone": "Europe/Warsaw", "products": [{"id": "prod_mug", "price": 1000}]
    });
    let campaigns: Vec<Value> = (0..CAMPAIGNS)
        .map(|k| {
            json!({"id": format!("camp_{k}"), "campaign_type": "DISCOUNT_COUPONS",
                        "voucher": {"discount": {"type": "AMOUNT", "amount_off": 100}},
                        "vouchers": [{"code": format!("CODE-{k}")}]})
        })
        .collect();
    std::fs::write(dir.join("project.json"), project.to_string()).unwrap();
    std::fs::write(
        dir.join("campaigns/bench.json"),
        json!({ "campaigns": campaigns }).to_string(),
    )
    .unwrap();
}

fn bin() -> String {
    std::env::var("PROMO_ORIGIN_BIN").unwrap_or_else(|_| support::bin().to_string())
}

fn start_node(dir: &Path, db: &Db, n: usize) -> Server {
    let p = |rel: &str| dir.join(rel).to_str().unwrap().to_string();
    let (source, key, url, channel_key) = (
        p("source"),
        p("keys/signing-key.jwk.json"),
        db.url(),
        format!("web={KEY}"),
    );
    let args = [
        "serve",
        "--source",
        &source,
        "--key",
        &key,
        "--database",
        &url,
        "--listen",
        "127.0.0.1:0",
        "--channel-key",
        &channel_key,
        "--now",
        NOW,
        "--refresh",
        "P0D",
    ];
    Server::start_with(
        &bin(),
        &args,
        &[("PROMO_ORIGIN_LOG", "warn")],
        &dir.join(format!("node-{n}.log")),
    )
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// `total` redemptions from `clients` threads over `nodes`; (per second, p50 ms, p99 ms).
fn measure(label: &str, nodes: &[Server], total: usize, clients: usize, hot: bool) -> Value {
    let next = Arc::new(AtomicUsize::new(0));
    let addrs: Vec<String> = nodes.iter().map(|s| s.addr.clone()).collect();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(300);
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            let (next, addrs, label) = (next.clone(), addrs.clone(), label.to_string());
            std::thread::spawn(move || {
                let auth = format!("Bearer {KEY}");
                let mut lat = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total || Instant::now() > deadline {
                        return lat;
                    }
                    let code = if hot { 0 } else { i % CAMPAIGNS };
                    let body = json!({"redeemables": [{"object": "voucher", "id": format!("CODE-{code}")}],
                                      "order": {"items": [{"product_id": "prod_mug", "price": 1000, "quantity": 1}]},
                                      "customer": {"source_id": format!("cust_{}", i % 100)}})
                    .to_string();
                    let key = format!("{label}-{c}-{i}");
                    let headers = [("Authorization", auth.as_str()), ("Idempotency-Key", key.as_str())];
                    let t = Instant::now();
                    let r = support::request(&addrs[i % addrs.len()], "POST", "/v1/redemptions", &headers, Some(&body));
                    lat.push(t.elapsed());
                    assert_eq!(r.status, 200, "{}", r.body);
                    assert_eq!(r.json()["status"], "SUCCEEDED", "{}", r.body);
                }
            })
        })
        .collect();
    let mut lat: Vec<Duration> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let wall = started.elapsed().as_secs_f64();
    lat.sort();
    json!({
        "redemptions": lat.len(),
        "per_second": (lat.len() as f64 / wall).round(),
        "p50_ms": (percentile(&lat, 0.50) * 100.0).round() / 100.0,
        "p99_ms": (percentile(&lat, 0.99) * 100.0).round() / 100.0,
    })
}

/// Delay from `publish --database` returning to all nodes serving the new
/// ETag (polled every 2 ms), in ms, for each of `rounds` publications.
fn propagation(dir: &Path, db: &Db, nodes: &[Server], rounds: usize) -> Vec<f64> {
    let p = |rel: &str| dir.join(rel).to_str().unwrap().to_string();
    let mut out = Vec::new();
    for r in 0..rounds {
        std::fs::write(
            dir.join(format!("source/campaigns/extra-{r}.json")),
            json!({"campaigns": [{"id": format!("camp_x{r}"), "campaign_type": "DISCOUNT_COUPONS",
                                  "voucher": {"discount": {"type": "AMOUNT", "amount_off": 50}},
                                  "vouchers": [{"code": format!("X-{r}")}]}]})
            .to_string(),
        )
        .unwrap();
        let o = std::process::Command::new(bin())
            .args([
                "publish",
                "--source",
                &p("source"),
                "--key",
                &p("keys/signing-key.jwk.json"),
                "--database",
                &db.url(),
                "--now",
                NOW,
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{o:?}");
        let published: Value = serde_json::from_slice(&o.stdout).unwrap();
        let etag = text(&published["etag"]);
        let t = Instant::now();
        let mut pending: Vec<&Server> = nodes.iter().collect();
        while !pending.is_empty() {
            assert!(
                t.elapsed() < Duration::from_secs(30),
                "publication not served within 30 s"
            );
            pending.retain(|s| s.get("/v1/bundles/web", &[]).header("etag") != Some(etag.as_str()));
            std::thread::sleep(Duration::from_millis(2));
        }
        out.push((t.elapsed().as_secs_f64() * 10_000.0).round() / 10.0);
    }
    out
}

/// One configuration: fresh keys, source and database, `n` nodes.
fn run_config(
    name: &str,
    cluster: Option<&Cluster>,
    n: usize,
    total: usize,
    clients: usize,
) -> Value {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = std::process::Command::new(bin())
        .args(["keygen", "--out", dir.join("keys").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    write_source(&dir.join("source"));
    let db = match cluster {
        Some(c) => Db::Postgres(c.create_database()),
        None => Db::Sqlite(dir.join("ledger.sqlite")),
    };
    let nodes: Vec<Server> = (0..n).map(|i| start_node(dir, &db, i)).collect();
    // Warm-up: connections opened, statements prepared.
    measure("warm", &nodes, 200, clients, false);
    let spread = measure("spread", &nodes, total, clients, false);
    let hot = measure("hot", &nodes, total / 2, clients, true);
    let propagation = if n > 1 {
        Some(propagation(dir, &db, &nodes, 5))
    } else {
        None
    };
    eprintln!("bench-origin {name}: spread {spread}, hot {hot}, propagation {propagation:?}");
    json!({"config": name, "nodes": n, "spread": spread, "hot_code": hot, "publication_ms": propagation})
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let pg = std::process::Command::new(support::pg::bin_dir().join("postgres"))
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    format!(
        "{cores} cores ({cpu}), {pg}, Linux; clients and servers on the same machine (127.0.0.1)"
    )
}

fn report(results: &[Value], clients: usize, machine: &str) -> String {
    let mut md = String::new();
    md.push_str("### Origin: redemptions per second and latency (`make bench-origin`)\n\n");
    md.push_str(&format!("Machine: {machine}. {clients} concurrent HTTP clients, one redemption per request (new connection each), client-side latency; the server is the release build; both databases durable (SQLite WAL with `synchronous=FULL`, PostgreSQL's defaults: `fsync` and `synchronous_commit` on).\n\n"));
    md.push_str("| configuration | spread over 50 campaigns: redemptions/s | p50 ms | p99 ms | one hot code: redemptions/s | p50 ms | p99 ms |\n|---|---:|---:|---:|---:|---:|---:|\n");
    for r in results {
        let (s, h) = (&r["spread"], &r["hot_code"]);
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            text(&r["config"]),
            s["per_second"],
            s["p50_ms"],
            s["p99_ms"],
            h["per_second"],
            h["p50_ms"],
            h["p99_ms"]
        ));
    }
    for r in results.iter().filter(|r| r["publication_ms"].is_array()) {
        md.push_str(&format!(
            "\nPublication through the database ({}): `publish --database` returning → all {} nodes serving the new ETag, 5 publications: {} ms.\n",
            text(&r["config"]),
            r["nodes"],
            r["publication_ms"].as_array().unwrap().iter().map(Value::to_string).collect::<Vec<_>>().join(", ")
        ));
    }
    md
}

fn write_results(results: &[Value], clients: usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let machine = machine();
    let doc = json!({"machine": machine, "clients": clients, "results": results});
    std::fs::write(
        root.join("benches/origin-results.json"),
        serde_json::to_string_pretty(&doc).unwrap() + "\n",
    )
    .unwrap();
    let md_path = root.join("benches/RESULTS.md");
    let md = std::fs::read_to_string(&md_path).unwrap_or_default();
    let (begin, end) = (
        "<!-- BEGIN GENERATED by origin/tests/bench_origin.rs -->",
        "<!-- END GENERATED origin -->",
    );
    let section = format!("{begin}\n{}{end}", report(results, clients, &machine));
    let doc = match (md.find(begin), md.find(end)) {
        (Some(b), Some(e)) if e > b => format!("{}{section}{}", &md[..b], &md[e + end.len()..]),
        _ => format!("{}\n\n{section}\n", md.trim_end()),
    };
    std::fs::write(md_path, doc).unwrap();
}

#[test]
#[ignore = "a benchmark: run by `make bench-origin` against a release build"]
fn bench_origin_redemptions() {
    let total = env_num("BENCH_REDEMPTIONS", 2000);
    let clients = env_num("BENCH_CLIENTS", 8);
    let cluster = Cluster::start_durable();
    let results = vec![
        run_config("SQLite, 1 node", None, 1, total, clients),
        run_config("PostgreSQL, 1 node", Some(&cluster), 1, total, clients),
        run_config("PostgreSQL, 3 nodes", Some(&cluster), 3, total, clients),
    ];
    write_results(&results, clients);
    println!("{}", serde_json::to_string_pretty(&results).unwrap());
}
