//! Soak: at least 20,000 redemptions from 4 concurrent clients against one
//! origin, with retries and random client-side timeouts, then the ledger
//! is audited: counters, balances and the redemption log agree exactly with
//! each other and with what the clients were answered, and no idempotency
//! key counted twice.
//!
//! Ignored by plain `cargo test`: `make soak` runs it against a release
//! build (`PROMO_ORIGIN_BIN`), with `SOAK_REDEMPTIONS` (default 20000) and
//! `SOAK_CLIENTS` (default 4). `SOAK_DATABASE=postgres` runs the ledger on
//! a PostgreSQL server the test starts, and `SOAK_NODES=3` spreads the
//! clients over that many origin nodes on the one ledger (client `i` talks
//! to node `i mod N`). Bounded: clients stop starting redemptions
//! after `SOAK_DEADLINE_SECONDS` (default 900), and every socket wait is
//! bounded.
//!
//! The campaigns are sized to run out mid-soak: a coupon with 8,000 uses,
//! 20 gift cards of 1,000.00 and 4 loyalty cards of 50,000 points paying
//! with points (and earning 10 per order), so the audit also covers limits
//! reached under contention and balances driven to the floor.

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

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{text, Db};
use workload::Rng;

const NOW: &str = "2026-06-01T10:00:00Z";
const KEY: &str = "soak-secret-0123456789";
const COUPON_LIMIT: i64 = 8_000;
const GIFT_CARDS: usize = 20;
const GIFT_AMOUNT: i64 = 100_000;
const LOYALTY_CARDS: usize = 4;
const CARD_POINTS: i64 = 50_000;
const EARN_PER_ORDER: i64 = 10;
const CUSTOMERS: u64 = 50;

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn write_source(dir: &Path) {
    std::fs::create_dir_all(dir.join("campaigns")).unwrap();
    let project = json!({
        "project": "soak", "channel": "web", "currency": {"code": "USD", "exponent": 2},
        "time_zone": "Europe/Warsaw",
        "stacking_rules": {"applicable_redeemables_limit": 5, "applicable_redeemables_per_category_limit": 5},
        "products": [{"id": "prod_mug", "price": 1000}, {"id": "prod_tee", "price": 2500}]
    });
    let gifts: Vec<Value> = (0..GIFT_CARDS)
        .map(|k| json!({"id": format!("v_gift_{k}"), "code": format!("GIFT-{k}"), "gift": {"amount": GIFT_AMOUNT}}))
        .collect();
    let cards: Vec<Value> = (0..LOYALTY_CARDS)
        .map(|k| json!({"id": format!("v_card_{k}"), "code": format!("CARD-{k}"), "holder_id": format!("cust_{k}"),
                        "loyalty_card": {"points": CARD_POINTS}}))
        .collect();
    let campaigns = json!({"campaigns": [
        {"id": "camp_soak", "name": "Soak coupon", "campaign_type": "DISCOUNT_COUPONS",
         "voucher": {"discount": {"type": "AMOUNT", "amount_off": 100}, "redemption": {"quantity": COUPON_LIMIT}},
         "vouchers": [{"id": "v_soak10", "code": "SOAK10"}]},
        {"id": "camp_gift", "name": "Gift cards", "campaign_type": "GIFT_VOUCHERS", "vouchers": gifts},
        {"id": "camp_loyal", "name": "Points", "campaign_type": "LOYALTY_PROGRAM", "vouchers": cards,
         "loyalty": {
            "earning_rules": [{"id": "ern_fixed", "event": "order.paid", "loyalty": {"type": "FIXED", "points": EARN_PER_ORDER}}],
            "rewards": [{"id": "rew_coin", "name": "Pay with points", "type": "COIN",
                         "coin": {"exchange_ratio": 1, "points_ratio": 100}}]}}
    ]});
    std::fs::write(dir.join("project.json"), project.to_string()).unwrap();
    std::fs::write(dir.join("campaigns/soak.json"), campaigns.to_string()).unwrap();
}

/// A redemption body, a pure function of the seed (a retry resends it).
fn body(seed: u64) -> Value {
    let mut rng = Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let items = json!([{"product_id": "prod_mug", "price": 1000 + rng.below(9000), "quantity": 1 + rng.below(3)}]);
    let mut customer = format!("cust_{}", rng.below(CUSTOMERS));
    let gift = || json!({"object": "voucher", "id": format!("GIFT-{}", seed % GIFT_CARDS as u64)});
    let redeemables = match rng.below(20) {
        0..=9 => json!([{"object": "voucher", "id": "SOAK10"}]),
        10..=13 => {
            let mut g = gift();
            g["gift"] = json!({"credits": 500 + rng.below(2500)});
            json!([g])
        }
        14..=16 => {
            let mut g = gift();
            g["gift"] = json!({"credits": 500 + rng.below(2500)});
            json!([{"object": "voucher", "id": "SOAK10"}, g])
        }
        17 | 18 => {
            let k = rng.below(LOYALTY_CARDS as u64);
            customer = format!("cust_{k}");
            json!([{"object": "voucher", "id": format!("CARD-{k}"),
                    "reward": {"id": "rew_coin", "points": 100 * (1 + rng.below(3))}}])
        }
        _ => json!([{"object": "voucher", "id": format!("NOPE-{}", rng.below(5))}]),
    };
    json!({"redeemables": redeemables, "order": {"items": items}, "customer": {"source_id": customer}})
}

/// One HTTP/1.1 POST on a fresh connection with a read timeout; Err on a
/// timeout or a broken connection (the client then retries).
fn post(
    addr: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
    timeout: Duration,
) -> std::io::Result<(u16, bool, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(timeout))?;
    s.set_write_timeout(Some(Duration::from_secs(30)))?;
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other(format!("no head in {text:?}")))?;
    let status = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let replayed = head.lines().any(|l| {
        l.to_ascii_lowercase()
            .starts_with("idempotent-replayed: true")
    });
    Ok((status, replayed, rest.to_string()))
}

/// What one client saw for one idempotency key.
struct Outcome {
    key: String,
    request: Value,
    status: u16,
    body: String,
    /// When the answer arrived.
    at: Instant,
}

#[derive(Default)]
struct Stats {
    attempts: AtomicU64,
    timeouts: AtomicU64,
    retries: AtomicU64,
    replays_checked: AtomicU64,
    unavailable: AtomicU64,
}

/// `promo-origin serve` (the binary given, a release build in `make soak`)
/// on the soak's source and ledger, logging warnings only.
fn start_origin(bin: &str, dir: &Path, db: &Db, node: usize) -> support::Server {
    let path = |rel: &str| dir.join(rel).to_str().unwrap().to_string();
    let channel_key = format!("web={KEY}");
    let (source, key, db) = (path("source"), path("keys/signing-key.jwk.json"), db.url());
    let args = [
        "serve",
        "--source",
        &source,
        "--key",
        &key,
        "--database",
        &db,
        "--listen",
        "127.0.0.1:0",
        "--channel-key",
        &channel_key,
        "--now",
        NOW,
    ];
    support::Server::start_with(
        bin,
        &args,
        &[("PROMO_ORIGIN_LOG", "warn")],
        &dir.join(format!("server-{node}.log")),
    )
}

/// One client: redeems its share of keys; on a timeout or broken
/// connection retries the same key and body (a short timeout first, then
/// patient ones); now and then replays a finished key on purpose.
fn client(
    id: usize,
    addr: String,
    count: u64,
    deadline: Instant,
    stats: Arc<Stats>,
) -> Vec<Outcome> {
    let mut rng = Rng::new(1000 + id as u64);
    let auth = format!("Bearer {KEY}");
    let mut out = Vec::new();
    for j in 0..count {
        if Instant::now() > deadline {
            break;
        }
        let key = format!("soak-{id}-{j}");
        let request = body((id as u64) << 32 | j);
        let text = request.to_string();
        let headers = [
            ("Authorization", auth.as_str()),
            ("Idempotency-Key", key.as_str()),
        ];
        let mut answer = None;
        for attempt in 0..20 {
            // Random client-side timeouts: 1 in 8 first attempts gives the
            // origin only 1–40 ms, so some answers are abandoned mid-flight.
            let timeout = if attempt == 0 && rng.below(8) == 0 {
                Duration::from_millis(1 + rng.below(40))
            } else {
                Duration::from_secs(30)
            };
            if attempt > 0 {
                stats.retries.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(rng.below(5)));
            }
            stats.attempts.fetch_add(1, Ordering::Relaxed);
            match post(&addr, "/v1/redemptions", &headers, &text, timeout) {
                // The ledger database was unreachable or busy: retry.
                Ok((503, _, _)) => {
                    stats.unavailable.fetch_add(1, Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(50));
                }
                Ok((status, _, body)) => {
                    answer = Some((status, body));
                    break;
                }
                Err(_) => {
                    stats.timeouts.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        let (status, body) = answer.unwrap_or_else(|| panic!("{key}: no answer after 20 attempts"));
        assert!(
            status == 200 || status == 409,
            "{key}: {status} {body:.300}"
        );
        // A deliberate replay must return the same bytes.
        if status == 200 && rng.below(30) == 0 {
            let (s2, replayed, b2) = post(
                &addr,
                "/v1/redemptions",
                &headers,
                &text,
                Duration::from_secs(30),
            )
            .unwrap();
            assert_eq!((s2, replayed), (200, true), "{key}");
            assert_eq!(b2, body, "{key}: a replay differs");
            stats.replays_checked.fetch_add(1, Ordering::Relaxed);
        }
        out.push(Outcome {
            key,
            request,
            status,
            body,
            at: Instant::now(),
        });
    }
    out
}

fn keygen(bin: &str, dir: &Path) {
    let out = Command::new(bin)
        .args(["keygen", "--out", dir.join("keys").to_str().unwrap()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

#[test]
#[ignore = "a soak of 20,000+ redemptions: run by `make soak` against a release build"]
fn soak_redemptions_and_audit_the_ledger() {
    let bin = std::env::var("PROMO_ORIGIN_BIN").unwrap_or_else(|_| support::bin().to_string());
    let total = env_num("SOAK_REDEMPTIONS", 20_000);
    let clients = env_num("SOAK_CLIENTS", 4).max(1);
    let deadline_s = env_num("SOAK_DEADLINE_SECONDS", 900);
    let nodes = env_num("SOAK_NODES", 1).max(1) as usize;
    let on_pg = std::env::var("SOAK_DATABASE").is_ok_and(|v| v == "postgres");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    keygen(&bin, dir);
    write_source(&dir.join("source"));
    let _cluster;
    let db = if on_pg {
        let c = support::pg::Cluster::start();
        let url = c.create_database();
        _cluster = Some(c);
        Db::Postgres(url)
    } else {
        _cluster = None;
        Db::Sqlite(dir.join("ledger.sqlite"))
    };
    // One after the other: the first publishes, the others serve its bundle.
    let mut origins: Vec<support::Server> = (0..nodes)
        .map(|n| start_origin(&bin, dir, &db, n))
        .collect();

    let stats = Arc::new(Stats::default());
    let started = Instant::now();
    let deadline = started + Duration::from_secs(deadline_s);
    let per_client = total.div_ceil(clients);
    let handles: Vec<_> = (0..clients as usize)
        .map(|id| {
            let (addr, stats) = (origins[id % nodes].addr.clone(), stats.clone());
            std::thread::spawn(move || client(id, addr, per_client, deadline, stats))
        })
        .collect();
    let outcomes: Vec<Outcome> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let elapsed = started.elapsed();
    for o in &mut origins {
        o.stop();
    }
    assert!(
        outcomes.len() as u64 >= total,
        "only {} of {total} redemptions finished before the {deadline_s} s deadline",
        outcomes.len()
    );

    // --- What the clients were answered ---------------------------------
    let mut succeeded = 0i64;
    let mut failed = 0i64;
    let mut refused = 0i64;
    // Expected ledger effects, derived from the answers alone.
    let mut items: BTreeMap<String, i64> = BTreeMap::new();
    let mut campaign: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut balance_delta: BTreeMap<String, i64> = BTreeMap::new();
    let key_of = |id: &str| -> String {
        match id {
            "SOAK10" => "voucher:v_soak10".into(),
            g if g.starts_with("GIFT-") => format!("voucher:v_gift_{}", &g[5..]),
            c if c.starts_with("CARD-") => format!("voucher:v_card_{}", &c[5..]),
            other => panic!("unexpected applicable redeemable {other}"),
        }
    };
    let campaign_of = |id: &str| -> &'static str {
        if id == "SOAK10" {
            "camp_soak"
        } else if id.starts_with("GIFT-") {
            "camp_gift"
        } else {
            "camp_loyal"
        }
    };
    for o in &outcomes {
        if o.status == 409 {
            // BALANCE_INSUFFICIENT: refused, nothing stored.
            assert_eq!(
                support::error_code(&serde_json::from_str::<Value>(&o.body).unwrap()),
                "BALANCE_INSUFFICIENT",
                "{}",
                o.key
            );
            refused += 1;
            continue;
        }
        let v: Value = serde_json::from_str(&o.body).unwrap();
        if v["status"] == "FAILED" {
            failed += 1;
            continue;
        }
        assert_eq!(v["status"], "SUCCEEDED", "{}", o.key);
        succeeded += 1;
        let result = &v["result"];
        let mut camps = Vec::new();
        for r in result["redeemables"].as_array().unwrap() {
            if r["status"] != "APPLICABLE" {
                continue;
            }
            let id = r["id"].as_str().unwrap();
            let key = key_of(id);
            *items.entry(key.clone()).or_insert(0) += 1;
            let c = campaign_of(id).to_string();
            let credits = r["result"]["gift"]["credits"].as_i64().unwrap_or(0);
            let points = r["result"]["loyalty_card"]["points"].as_i64().unwrap_or(0);
            let discount = r["order"]["total_applied_discount_amount"]
                .as_i64()
                .unwrap_or(0);
            if credits + points != 0 {
                *balance_delta.entry(key.clone()).or_insert(0) -= credits + points;
            }
            for (name, n) in [
                ("redemptions", 1),
                ("amount_discounted", discount),
                ("gift_amount", credits),
                ("points_used", points),
            ] {
                *campaign.entry((c.clone(), name.into())).or_insert(0) += n;
            }
            if !camps.contains(&c) {
                camps.push(c);
            }
        }
        for c in camps {
            *campaign.entry((c, "orders_amount".into())).or_insert(0) +=
                result["order"]["initial_amount"].as_i64().unwrap();
        }
        // Points earned go to the customer's own card.
        let customer = o.request["customer"]["source_id"].as_str().unwrap();
        if let Some(k) = customer
            .strip_prefix("cust_")
            .and_then(|k| k.parse::<usize>().ok())
            .filter(|k| *k < LOYALTY_CARDS)
        {
            for e in result["earned_points"].as_array().into_iter().flatten() {
                let p = e["points"].as_i64().unwrap_or(0);
                if p > 0 {
                    *balance_delta
                        .entry(format!("voucher:v_card_{k}"))
                        .or_insert(0) += p;
                }
            }
        }
    }
    campaign.retain(|_, v| *v != 0);

    // --- The ledger --------------------------------------------------------
    let rows: Vec<(String, String, String)> = db
        .rows("SELECT idempotency_key, status, response FROM redemptions ORDER BY idempotency_key")
        .iter()
        .map(|r| (text(&r[0]), text(&r[1]), text(&r[2])))
        .collect();
    let stored: BTreeMap<&str, (&str, &str)> = rows
        .iter()
        .map(|(k, s, b)| (k.as_str(), (s.as_str(), b.as_str())))
        .collect();
    assert_eq!(
        stored.len(),
        rows.len(),
        "an idempotency key is stored twice"
    );
    // Every answered key is stored once, byte for byte what its client got;
    // refused ones (409) are not stored; nothing else is.
    for o in &outcomes {
        match stored.get(o.key.as_str()) {
            Some((_, body)) => {
                assert_eq!(o.status, 200, "{}: refused but stored", o.key);
                assert_eq!(
                    *body,
                    o.body.as_str(),
                    "{}: the stored answer differs",
                    o.key
                );
            }
            None => assert_eq!(o.status, 409, "{}: answered but not stored", o.key),
        }
    }
    assert_eq!(rows.len() as i64, succeeded + failed, "stored redemptions");
    let n = |sql: &str| -> i64 { db.count(sql) };
    assert_eq!(
        n("SELECT COUNT(*) FROM redemptions WHERE status = 'SUCCEEDED'"),
        succeeded
    );
    // No redemption counted a redeemable twice.
    assert_eq!(
        n(
            "SELECT COUNT(*) FROM (SELECT redemption_id, ledger_key FROM redemption_items \
           GROUP BY redemption_id, ledger_key HAVING COUNT(*) > 1) AS twice"
        ),
        0
    );
    assert_eq!(
        n("SELECT COUNT(*) FROM redemption_items i LEFT JOIN redemptions r ON r.id = i.redemption_id \
           WHERE COALESCE(r.status, '') <> 'SUCCEEDED'"),
        0,
        "items of a redemption that did not succeed"
    );
    // The per-customer and per-period counts the rules read = the log's.
    let counts = support::audit_item_counts(&db);
    println!("soak: {counts} item counts agree with the redemption log");
    // Redemption items and counters per ledger key = the answers.
    let pairs = |sql: &str| -> BTreeMap<String, i64> {
        db.rows(sql)
            .iter()
            .map(|r| (text(&r[0]), r[1].as_i64().unwrap()))
            .collect()
    };
    let ledger_items =
        pairs("SELECT ledger_key, COUNT(*) FROM redemption_items GROUP BY ledger_key");
    assert_eq!(ledger_items, items, "redemption items per key");
    let redeemed = pairs(
        "SELECT key, value FROM counters WHERE scope = 'redeemable' AND name = 'redeemed_quantity'",
    );
    assert_eq!(redeemed, items, "redeemed_quantity counters");
    let coupon_uses = items.get("voucher:v_soak10").copied().unwrap_or(0);
    assert!(
        coupon_uses <= COUPON_LIMIT,
        "the coupon was used {coupon_uses} times"
    );
    let ledger_campaign: BTreeMap<(String, String), i64> = db
        .rows("SELECT key, name, value FROM counters WHERE scope = 'campaign'")
        .iter()
        .map(|r| ((text(&r[0]), text(&r[1])), r[2].as_i64().unwrap()))
        .filter(|(_, v)| *v != 0)
        .collect();
    assert_eq!(ledger_campaign, campaign, "campaign counters");
    // Every counter is the sum of the effects recorded for it.
    assert_eq!(
        // (Every counter here starts from 0: nothing is published as redeemed.)
        n("SELECT COUNT(*) FROM counters c WHERE c.value != \
           (SELECT COALESCE(SUM(delta), 0) FROM redemption_effects e \
            WHERE e.kind = 'counter' AND e.scope = c.scope AND e.key = c.key AND e.name = c.name)"),
        0,
        "a counter disagrees with its recorded effects"
    );
    // Balances: published value + what the answers say moved; never below 0.
    let balances = pairs("SELECT key, balance FROM balances");
    let mut expected_balances = BTreeMap::new();
    for (key, delta) in &balance_delta {
        let initial = if key.starts_with("voucher:v_gift_") {
            GIFT_AMOUNT
        } else {
            CARD_POINTS
        };
        expected_balances.insert(key.clone(), initial + delta);
    }
    assert_eq!(balances, expected_balances, "balances");
    assert!(balances.values().all(|b| *b >= 0));
    assert_eq!(
        n(&format!(
            "SELECT COUNT(*) FROM balances b WHERE b.balance != \
             (CASE WHEN b.kind = 'gift_balance' THEN {GIFT_AMOUNT} ELSE {CARD_POINTS} END) + \
             (SELECT COALESCE(SUM(delta), 0) FROM redemption_effects e WHERE e.kind = 'balance' AND e.key = b.key)"
        )),
        0,
        "a balance disagrees with its recorded effects"
    );

    let s = &stats;
    let gift_left: i64 = balances
        .iter()
        .filter(|(k, _)| k.starts_with("voucher:v_gift_"))
        .map(|(_, v)| v)
        .sum();
    let points_left: i64 = balances
        .iter()
        .filter(|(k, _)| k.starts_with("voucher:v_card_"))
        .map(|(_, v)| v)
        .sum();
    println!(
        "soak: {} redemptions from {clients} clients over {nodes} node(s) on {} in {:.1} s = {:.0} redemptions/s \
         ({} HTTP attempts, {} client timeouts or broken connections, {} answers 503, {} retries, {} replays checked byte for byte)",
        outcomes.len(),
        if on_pg { "PostgreSQL" } else { "SQLite" },
        elapsed.as_secs_f64(),
        outcomes.len() as f64 / elapsed.as_secs_f64(),
        s.attempts.load(Ordering::Relaxed),
        s.timeouts.load(Ordering::Relaxed),
        s.unavailable.load(Ordering::Relaxed),
        s.retries.load(Ordering::Relaxed),
        s.replays_checked.load(Ordering::Relaxed),
    );
    // Throughput by quarter of the run (answers in arrival order): a
    // ledger whose per-redemption cost grows with its size slows down here.
    let mut arrivals: Vec<Duration> = outcomes.iter().map(|o| o.at - started).collect();
    arrivals.sort();
    let quarter = arrivals.len() / 4;
    let mut windows = Vec::new();
    let mut from = Duration::ZERO;
    for q in 1..=4 {
        let end = if q == 4 { arrivals.len() } else { q * quarter };
        let to = arrivals[end - 1];
        let n = end - (q - 1) * quarter;
        windows.push(format!(
            "{:.0}/s",
            n as f64 / (to - from).as_secs_f64().max(1e-3)
        ));
        from = to;
    }
    println!(
        "soak: throughput by quarter of the redemptions: {}",
        windows.join(", ")
    );
    println!(
        "soak: {succeeded} SUCCEEDED, {failed} FAILED, {refused} refused (409); coupon used {coupon_uses} of {COUPON_LIMIT}; \
         gift cards {gift_left} of {} left; loyalty points {points_left} left of {}",
        GIFT_AMOUNT * GIFT_CARDS as i64,
        CARD_POINTS * LOYALTY_CARDS as i64,
    );
    println!(
        "soak: ledger agrees: {} stored redemptions (one per key), {} items, {} campaign counters, {} balances",
        rows.len(),
        items.values().sum::<i64>(),
        ledger_campaign.len(),
        balances.len()
    );
}
