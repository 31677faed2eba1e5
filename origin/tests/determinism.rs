//! Determinism (DESIGN "Reliability rules"): the same snapshot, request and
//! `now` give byte-identical results in native Rust, in wasm (Node, through
//! the built npm package) and from the origin (`POST /v1/validations` on a
//! real `promo-origin serve` over a fresh ledger).
//!
//! Each snapshot is compiled once, natively, into a plan (the wasm has no
//! compiler): the native engine loads the plan's bytes, the wasm runner
//! (`determinism/wasm.mjs`) gets the same bytes, and the origin serves them
//! as a signed `promo-edge.bundle/2`.
//!
//! Cases: every spec file's snapshot (served as one channel each, signed
//! with the test's key) plus a seeded benchmark workload snapshot; the spec
//! vectors' own validation requests and a few thousand seeded carts built
//! from each snapshot's codes, tiers, stacks, products, gift and loyalty
//! cards. Validations go through all three; qualifications and catalog
//! pages through native and wasm (the origin does not serve them).
//!
//! The origin replaces a request's `counters` with its ledger's; with a
//! fresh ledger those are the snapshot's published values and zeros, which
//! [`fresh_ledger_counters`] mirrors so that the three see the same input.
//!
//! Ignored by plain `cargo test` (it needs the wasm build and Node):
//! `make test-determinism` builds the package and runs it.

// Test code: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;
#[path = "../../benches/workload/mod.rs"]
mod workload;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant as StdInstant;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use promo_edge::plan::{Plan, RedeemableKind};
use promo_edge::request::{RedeemableObject, ValidationRequest};
use promo_edge::Engine;
use serde_json::{json, Value};
use support::{Env, Server};
use workload::Rng;

const NOW: &str = "2026-06-01T12:00:00Z";
/// Seeded carts per spec snapshot (validate) and qualify/price requests.
const CARTS_PER_SNAPSHOT: usize = 140;
const WORKLOAD_CARTS: usize = 500;
const SIDE_CALLS_PER_SNAPSHOT: usize = 30;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn channel_key(i: usize) -> String {
    format!("determinism-key-{i:02}-0123456789")
}

/// One snapshot served as channel `c{i}`.
struct Snap {
    /// The compiled plan: what the native engine, the wasm and the origin all load.
    plan: Vec<u8>,
    json: Value,
    engine: Engine,
}

fn spec_snapshots() -> Vec<(String, Value)> {
    let dir = repo().join("tests/spec");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|p| {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (p.file_name().unwrap().to_string_lossy().into_owned(), v)
        })
        .collect()
}

// --- Inputs ---------------------------------------------------------------

/// What a snapshot offers a cart generator.
#[derive(Default)]
struct Pool {
    codes: Vec<String>,
    voucher_ids: Vec<String>,
    tiers: Vec<String>,
    stacks: Vec<String>,
    gift_codes: Vec<String>,
    cards: Vec<(String, Vec<String>)>,
    products: Vec<(String, Option<i64>)>,
    skus: Vec<(String, String)>,
    customers: Vec<String>,
    segments: Vec<String>,
    metadata_keys: Vec<(String, String)>,
}

fn strings(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => {
            out.insert(s.clone());
        }
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

fn pool(snap: &Value) -> Pool {
    let mut p = Pool::default();
    let arr = |v: &Value| v.as_array().cloned().unwrap_or_default();
    for c in arr(&snap["campaigns"]) {
        let rewards: Vec<String> = arr(&c["loyalty"]["rewards"])
            .iter()
            .filter_map(|r| r["id"].as_str().map(str::to_string))
            .collect();
        let gift = c["campaign_type"] == "GIFT_VOUCHERS";
        let loyalty = c["campaign_type"] == "LOYALTY_PROGRAM";
        for v in arr(&c["vouchers"]) {
            if let Some(code) = v["code"].as_str() {
                p.codes.push(code.to_string());
                if gift {
                    p.gift_codes.push(code.to_string());
                }
                if loyalty {
                    p.cards.push((code.to_string(), rewards.clone()));
                }
            }
            if let Some(id) = v["id"].as_str() {
                p.voucher_ids.push(id.to_string());
            }
            if let Some(h) = v["holder_id"].as_str() {
                p.customers.push(h.to_string());
            }
        }
        for t in arr(&c["promotion_tiers"]) {
            p.tiers.extend(t["id"].as_str().map(str::to_string));
        }
        for s in arr(&c["promotion_stacks"]) {
            p.stacks.extend(s["id"].as_str().map(str::to_string));
        }
    }
    for pr in arr(&snap["products"]) {
        p.products
            .push((pr["id"].as_str().unwrap().to_string(), pr["price"].as_i64()));
    }
    for s in arr(&snap["skus"]) {
        if let (Some(id), Some(prod)) = (s["id"].as_str(), s["product_id"].as_str()) {
            p.skus.push((id.to_string(), prod.to_string()));
        }
    }
    let mut all = BTreeSet::new();
    strings(snap, &mut all);
    for s in &all {
        if s.starts_with("seg_") {
            p.segments.push(s.clone());
        }
        for (prefix, scope) in [
            ("order.metadata.", "order"),
            ("customer.metadata.", "customer"),
            ("order.items.metadata.", "item"),
            ("redemption.metadata.", "request"),
        ] {
            if let Some(key) = s.strip_prefix(prefix) {
                p.metadata_keys.push((scope.to_string(), key.to_string()));
            }
        }
    }
    p.customers
        .extend(["cust_1".to_string(), "cust_2".to_string()]);
    if p.products.is_empty() {
        p.products.push(("prod_a".into(), None));
    }
    p
}

fn metadata_value(rng: &mut Rng) -> Value {
    match rng.below(5) {
        0 => json!(rng.below(200)),
        1 => json!(["red", "blue", "gold", "Boston", "New York"][rng.below(5) as usize]),
        2 => json!(rng.below(2) == 0),
        3 => json!(format!("2026-0{}-1{}", 1 + rng.below(9), rng.below(10))),
        _ => json!(rng.below(100_000) as f64 / 100.0),
    }
}

/// A seeded cart against a snapshot's pool.
fn cart(p: &Pool, rng: &mut Rng, with_redeemables: bool) -> Value {
    let mut items = Vec::new();
    for _ in 0..1 + rng.below(6) {
        let (id, catalog) = rng.pick(&p.products).clone();
        let mut item = json!({"product_id": id, "quantity": 1 + rng.below(5)});
        // Catalog products are priced by the catalog a third of the time.
        if catalog.is_none() || rng.below(3) > 0 {
            item["price"] = json!(1 + rng.below(60_000));
        }
        if !p.skus.is_empty() && rng.below(4) == 0 {
            let (sku, prod) = rng.pick(&p.skus).clone();
            item["sku_id"] = json!(sku);
            item["product_id"] = json!(prod);
        }
        items.push(item);
    }
    let mut order = json!({"items": items});
    if rng.below(10) == 0 {
        order = json!({"amount": rng.below(200_000)});
    }
    let mut req = json!({"order": order});
    if with_redeemables {
        let mut reds = Vec::new();
        for _ in 0..rng.below(5) {
            let r = match rng.below(9) {
                0..=2 if !p.codes.is_empty() => {
                    json!({"object": "voucher", "id": rng.pick(&p.codes)})
                }
                3 if !p.tiers.is_empty() => {
                    json!({"object": "promotion_tier", "id": rng.pick(&p.tiers)})
                }
                4 if !p.stacks.is_empty() => {
                    json!({"object": "promotion_stack", "id": rng.pick(&p.stacks)})
                }
                5 if !p.gift_codes.is_empty() => {
                    let mut g = json!({"object": "voucher", "id": rng.pick(&p.gift_codes)});
                    if rng.below(2) == 0 {
                        g["gift"] = json!({"credits": rng.below(8_000)});
                    }
                    g
                }
                6 if !p.cards.is_empty() => {
                    let (card, rewards) = rng.pick(&p.cards).clone();
                    let mut c = json!({"object": "voucher", "id": card});
                    if !rewards.is_empty() {
                        c["reward"] = json!({"id": rng.pick(&rewards), "points": rng.below(500)});
                    }
                    c
                }
                7 if !p.voucher_ids.is_empty() => {
                    json!({"object": "voucher", "id": rng.pick(&p.voucher_ids)})
                }
                8 => json!({"object": "voucher", "id": format!("NOPE{}", rng.below(3))}),
                _ => json!({"object": "promotion_tier", "id": "promo_missing"}),
            };
            reds.push(r);
        }
        req["redeemables"] = json!(reds);
    }
    if rng.below(5) > 0 {
        let mut customer = json!({"source_id": rng.pick(&p.customers)});
        if !p.segments.is_empty() && rng.below(2) == 0 {
            customer["segments"] = json!([rng.pick(&p.segments)]);
        }
        req["customer"] = customer;
    }
    for (scope, key) in &p.metadata_keys {
        if rng.below(2) == 0 {
            continue;
        }
        let v = metadata_value(rng);
        match scope.as_str() {
            "order" => {
                req["order"]["metadata"][key] = v;
            }
            "customer" if req.get("customer").is_some() => req["customer"]["metadata"][key] = v,
            "item" => {
                if let Some(items) = req["order"]["items"].as_array_mut() {
                    if let Some(first) = items.first_mut() {
                        first["metadata"][key] = v;
                    }
                }
            }
            _ => req["metadata"][key] = v,
        }
    }
    req
}

/// The counters a fresh ledger fills in (origin/src/ledger.rs
/// `fill_counters` with no redemption yet): published values and zeros.
fn fresh_ledger_counters(snap: &Plan, req: &ValidationRequest) -> Value {
    let mut targets: Vec<(String, usize)> = Vec::new();
    for r in &req.redeemables {
        match r.object {
            RedeemableObject::Voucher => {
                targets.extend(snap.find_voucher(&r.id).map(|p| (r.id.clone(), p)))
            }
            RedeemableObject::PromotionTier => {
                targets.extend(snap.find_tier(&r.id).map(|p| (r.id.clone(), p)))
            }
            RedeemableObject::PromotionStack => {
                if let Some(tiers) = snap.stacks.get(&r.id).map(|s| &s.tiers) {
                    for t in tiers {
                        if let Some(x) = snap.redeemables.get(*t) {
                            targets.push((x.id.clone(), *t));
                        }
                    }
                }
            }
        }
    }
    let mut reds = BTreeMap::new();
    let mut camps = BTreeMap::new();
    for (requested, pos) in targets {
        let Some(r) = snap.redeemables.get(pos) else {
            continue;
        };
        let Some(camp) = snap.campaigns.get(r.campaign) else {
            continue;
        };
        let mut m = BTreeMap::new();
        m.insert("redeemed_quantity".to_string(), r.redeemed_quantity);
        for name in [
            "customer_redemptions",
            "customer_redemptions_daily",
            "customer_redemptions_weekly",
            "customer_redemptions_monthly",
            "redemptions_daily",
            "redemptions_weekly",
            "redemptions_monthly",
        ] {
            m.insert(name.to_string(), 0);
        }
        match r.kind {
            RedeemableKind::GiftCard => {
                let initial = r.gift.and_then(|g| g.balance).map(|m| m.0).unwrap_or(0);
                m.insert("gift_balance".into(), initial);
            }
            RedeemableKind::LoyaltyCard => {
                m.insert("loyalty_balance".into(), r.loyalty_balance.unwrap_or(0));
            }
            _ => {}
        }
        reds.insert(requested, m);
        let c: BTreeMap<String, i64> = [
            "redemptions",
            "orders_amount",
            "amount_discounted",
            "gift_amount",
            "points_used",
            "customer_redemptions",
            "customer_redemptions_daily",
            "customer_redemptions_weekly",
            "customer_redemptions_monthly",
            "redemptions_daily",
            "redemptions_weekly",
            "redemptions_monthly",
        ]
        .iter()
        .map(|n| (n.to_string(), 0))
        .collect();
        camps.entry(camp.id.clone()).or_insert(c);
    }
    json!({"redeemables": reds, "campaigns": camps})
}

/// The request text all three get: the origin's own counters filled in.
fn with_counters(snap: &Snap, mut req: Value) -> String {
    if let Some(o) = req.as_object_mut() {
        o.remove("counters");
    }
    if let Ok(parsed) = serde_json::from_value::<ValidationRequest>(req.clone()) {
        let counters = fresh_ledger_counters(snap.engine.plan().unwrap(), &parsed);
        if let Some(o) = req.as_object_mut() {
            o.insert("counters".into(), counters);
        }
    }
    req.to_string()
}

struct Case {
    snapshot: usize,
    call: &'static str,
    request: String,
    origin: Option<String>,
}

fn native(snap: &Snap, call: &str, request: &str) -> String {
    let out = match call {
        "validate" => snap.engine.validate_json(request, NOW),
        "qualify" => snap.engine.qualify_json(request, NOW),
        _ => snap.engine.price_products_json(request, NOW),
    };
    out.unwrap_or_else(|e| json!({"error": e.code()}).to_string())
}

/// A `promo-edge.bundle/2` of `plan` (its encoding `bytes`) signed with the test's key.
fn sign(env: &Env, plan: &Plan, bytes: &[u8]) -> Vec<u8> {
    let signer = promo_origin::keys::Signer::load(&env.path("keys/signing-key.jwk.json")).unwrap();
    let manifest = serde_json::to_string(&promo_edge::bundle::Manifest::of(plan, bytes)).unwrap();
    promo_edge::bundle::assemble(&promo_origin::jws::sign(&manifest, &signer), bytes)
}

#[test]
#[ignore = "needs the wasm build and Node: run by `make test-determinism`"]
fn native_wasm_and_origin_answer_byte_for_byte_alike() {
    let started = StdInstant::now();
    let entry = repo().join("pkg-js/dist/node.js");
    assert!(
        entry.exists(),
        "{} is missing: run `make wasm-build`",
        entry.display()
    );
    // Snapshots: each spec file's, then the workload's.
    let mut sources: Vec<(String, Value, Vec<Value>)> = spec_snapshots()
        .into_iter()
        .map(|(name, file)| {
            let requests = file["cases"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["call"].as_str().unwrap_or("validate") == "validate")
                .map(|c| c["request"].clone())
                .collect();
            (name, file["snapshot"].clone(), requests)
        })
        .collect();
    let shape = workload::Shape {
        campaigns: 60,
        unique_codes: 200,
        products: 300,
        seed: 7,
    };
    let wl_requests = (0..WORKLOAD_CARTS)
        .map(|i| workload::cart(&shape, 1 + i % 12, i % 4, 1000 + i as u64))
        .collect();
    sources.push(("workload".into(), workload::snapshot(&shape), wl_requests));

    let env = Env::new();
    let mut snaps = Vec::new();
    let mut args: Vec<String> = Vec::new();
    for (i, (_, snapshot, _)) in sources.iter().enumerate() {
        let mut s = snapshot.clone();
        s["channel"] = json!(format!("c{i:02}"));
        s["project"] = json!("determinism");
        // Compiled once, natively (the wasm has no compiler): the same plan
        // bytes go to the native engine, to the wasm and, signed, to the origin.
        let (compiled, _) = promo_edge::compiler::compile_json(&s.to_string()).unwrap();
        let plan = promo_edge::plan::encoding::encode(&compiled).unwrap();
        let mut engine = Engine::new();
        engine.load_plan(&plan).unwrap();
        let path = env.path(&format!("c{i:02}.bundle"));
        std::fs::write(&path, sign(&env, &compiled, &plan)).unwrap();
        args.extend([
            "--bundle".into(),
            path.to_str().unwrap().into(),
            "--channel-key".into(),
            format!("c{i:02}={}", channel_key(i)),
        ]);
        snaps.push(Snap {
            plan,
            json: s,
            engine,
        });
    }

    // Cases.
    let mut cases = Vec::new();
    let mut rng = Rng::new(20_260_601);
    for (i, (_, _, requests)) in sources.iter().enumerate() {
        let snap = &snaps[i];
        let p = pool(&snap.json);
        let mut push = |call: &'static str, request: String| {
            cases.push(Case {
                snapshot: i,
                call,
                request,
                origin: None,
            })
        };
        for r in requests {
            push("validate", with_counters(snap, r.clone()));
        }
        if i < sources.len() - 1 {
            for _ in 0..CARTS_PER_SNAPSHOT {
                push("validate", with_counters(snap, cart(&p, &mut rng, true)));
            }
        }
        for k in 0..SIDE_CALLS_PER_SNAPSHOT {
            let mut q = cart(&p, &mut rng, false);
            let scenario = ["ALL", "CUSTOMER_WALLET", "PRODUCTS_DISCOUNT"][k % 3];
            let sorting = ["DEFAULT", "BEST_DEAL", "LEAST_DEAL"][k % 3];
            q["scenario"] = json!(scenario);
            q["options"] = json!({"limit": 1 + rng.below(50), "sorting_rule": sorting});
            push("qualify", q.to_string());
            let products: Vec<Value> = (0..1 + rng.below(20))
                .map(|_| {
                    let (id, _) = rng.pick(&p.products).clone();
                    json!({"product_id": id, "quantity": 1 + rng.below(3)})
                })
                .collect();
            push("price_products", json!({"products": products}).to_string());
        }
    }

    // Native.
    let natives: Vec<String> = cases
        .iter()
        .map(|c| native(&snaps[c.snapshot], c.call, &c.request))
        .collect();

    // Wasm, in Node.
    let input = env.path("cases.json");
    let output = env.path("wasm-outputs.json");
    std::fs::write(
        &input,
        json!({
            "now": NOW,
            "plans": snaps.iter().map(|s| URL_SAFE_NO_PAD.encode(&s.plan)).collect::<Vec<_>>(),
            "cases": cases.iter().map(|c| json!({"snapshot": c.snapshot, "call": c.call, "request": c.request})).collect::<Vec<_>>(),
        })
        .to_string(),
    )
    .unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/determinism/wasm.mjs");
    let status = Command::new("timeout")
        .args(["300", "node"])
        .arg(&script)
        .arg(&entry)
        .arg(&input)
        .arg(&output)
        .status()
        .expect("run node");
    assert!(status.success(), "the wasm runner failed: {status}");
    let wasm: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    assert_eq!(wasm.len(), cases.len());

    // Origin: a fresh ledger, every snapshot a channel, the clock at NOW.
    let (key, db) = (env.key(), env.p("ledger.sqlite"));
    let mut serve: Vec<&str> = vec![
        "serve",
        "--key",
        &key,
        "--db",
        &db,
        "--listen",
        "127.0.0.1:0",
        "--now",
        NOW,
    ];
    serve.extend(args.iter().map(String::as_str));
    let mut server = Server::start(&serve, &env.path("server.log"));
    for c in cases.iter_mut().filter(|c| c.call == "validate") {
        let auth = format!("Bearer {}", channel_key(c.snapshot));
        let r = server.post("/v1/validations", &[("Authorization", &auth)], &c.request);
        c.origin = Some(if r.status == 200 {
            r.body
        } else {
            let code = r.code().as_str().unwrap_or("?").to_string();
            json!({"error": code}).to_string()
        });
    }
    server.stop();

    // Compare.
    let mut differ = Vec::new();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut errors, mut valid) = (0, 0);
    for (i, c) in cases.iter().enumerate() {
        *counts.entry(c.call).or_insert(0) += 1;
        if natives[i].starts_with("{\"error\"") {
            errors += 1;
        }
        if natives[i].starts_with("{\"valid\":true") {
            valid += 1;
        }
        let label = format!(
            "case {i} ({}, {}, {:.300})",
            sources[c.snapshot].0, c.call, c.request
        );
        if wasm[i] != natives[i] {
            differ.push(format!(
                "{label}\n  native {:.300}\n  wasm   {:.300}",
                natives[i], wasm[i]
            ));
        }
        if let Some(o) = &c.origin {
            if *o != natives[i] {
                differ.push(format!(
                    "{label}\n  native {:.300}\n  origin {:.300}",
                    natives[i], o
                ));
            }
        }
    }
    println!(
        "determinism: {} cases ({counts:?}; {valid} valid validations, {errors} refused with a code) over {} snapshots, \
         native = wasm = origin for validations, native = wasm for the rest, in {:.1?}",
        cases.len(),
        snaps.len(),
        started.elapsed()
    );
    assert!(
        differ.is_empty(),
        "{} of {} outputs differ:\n{}",
        differ.len(),
        cases.len(),
        differ
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
