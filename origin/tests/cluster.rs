//! Several origin nodes on one PostgreSQL ledger (always PostgreSQL: a
//! real server started by the test process, see `support/pg.rs`):
//! concurrency across nodes, idempotency and rollbacks across nodes,
//! publication through the database, the database restarted under load,
//! and a node killed in the middle of a burst. Every wait is bounded; no
//! assertion depends on how long something took.

// Test code: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::pg::Cluster;
use support::{cart, text, Db, Env, Resp, Server, KEY};

fn bearer() -> String {
    format!("Bearer {KEY}")
}

/// An env on a fresh database of `cluster` (the shared one by default).
fn env_on(cluster: &Cluster) -> Env {
    Env::on("source", Some(Db::Postgres(cluster.create_database())))
}

/// `n` nodes of one env, started one after the other (the first
/// publishes the source; the others find its bundle and serve it).
fn nodes(env: &Env, n: usize) -> Vec<Arc<Server>> {
    (0..n)
        .map(|_| Arc::new(env.serve_with(&["--pool-size", "8", "--refresh", "P0D"])))
        .collect()
}

/// Runs `f(i)` on `n` threads released together.
fn concurrently<T: Send + 'static>(
    n: usize,
    f: impl Fn(usize) -> T + Send + Sync + 'static,
) -> Vec<T> {
    let f = Arc::new(f);
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let (f, barrier) = (f.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                f(i)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

fn status_counts(rs: &[Resp]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for r in rs {
        *out.entry(support::redemption_status(r)).or_insert(0) += 1;
    }
    out
}

#[test]
fn fifty_redemptions_of_a_single_use_code_over_three_nodes_succeed_once() {
    let env = env_on(Cluster::shared());
    let servers = nodes(&env, 3);
    let s = servers.clone();
    let answers = concurrently(50, move |i| {
        s[i % 3].redeem(
            &format!("once-{i}"),
            &json!({"redeemables": [{"object": "voucher", "id": "ONCE-1"}], "order": cart(1),
                    "customer": {"source_id": format!("cust_{i}")}}),
        )
    });
    let counts = status_counts(&answers);
    assert_eq!(counts.get("SUCCEEDED"), Some(&1), "{counts:?}");
    assert_eq!(counts.get("FAILED"), Some(&49), "{counts:?}");
    for r in answers
        .iter()
        .map(Resp::json)
        .filter(|v| v["status"] == "FAILED")
    {
        assert_eq!(
            r["result"]["inapplicable_redeemables"][0]["result"]["error"]["key"],
            "quantity_exceeded"
        );
    }
    // The ledger: one use, one item, 50 stored answers.
    assert_eq!(
        env.db.count("SELECT value FROM counters WHERE scope = 'redeemable' AND key = 'voucher:v_once_1' AND name = 'redeemed_quantity'"),
        1
    );
    assert_eq!(env.db.count("SELECT COUNT(*) FROM redemption_items"), 1);
    assert_eq!(env.db.count("SELECT COUNT(*) FROM redemptions"), 50);
    support::audit_item_counts(&env.db);
}

#[test]
fn a_gift_card_spent_from_three_nodes_never_goes_below_zero() {
    let env = env_on(Cluster::shared());
    let servers = nodes(&env, 3);
    let s = servers.clone();
    // 20 × 15.00 against 50.00: exactly three fit.
    let answers = concurrently(20, move |i| {
        s[i % 3].redeem(
            &format!("gift-{i}"),
            &json!({"redeemables": [{"object": "voucher", "id": "GIFT-1", "gift": {"credits": 1500}}],
                    "order": cart(2), "customer": {"source_id": format!("cust_{i}")}}),
        )
    });
    let counts = status_counts(&answers);
    assert_eq!(counts.get("SUCCEEDED"), Some(&3), "{counts:?}");
    let spent: i64 = answers
        .iter()
        .map(Resp::json)
        .filter(|v| v["status"] == "SUCCEEDED")
        .map(|v| {
            v["result"]["redeemables"][0]["result"]["gift"]["credits"]
                .as_i64()
                .unwrap()
        })
        .sum();
    assert_eq!(spent, 4500);
    let balance = env
        .db
        .count("SELECT balance FROM balances WHERE key = 'voucher:v_gift_1'");
    assert_eq!(balance, 500);
    assert_eq!(
        5000 - balance,
        spent,
        "the balance moved by the sum of the spends"
    );
    assert_eq!(
        env.db.count("SELECT CAST(-SUM(delta) AS BIGINT) FROM redemption_effects WHERE kind = 'balance' AND key = 'voucher:v_gift_1'"),
        spent
    );
}

#[test]
fn a_key_answered_on_one_node_replays_on_another_and_rolls_back_on_a_third() {
    let env = env_on(Cluster::shared());
    let servers = nodes(&env, 3);
    let body = json!({"redeemables": [{"object": "voucher", "id": "ONCE-2"},
                                      {"object": "voucher", "id": "GIFT-1", "gift": {"credits": 700}}],
                      "order": cart(2), "customer": {"source_id": "cust_x"}});
    let first = servers[0].redeem("k-across", &body);
    assert_eq!(first.json()["status"], "SUCCEEDED", "{}", first.body);
    let again = servers[1].redeem("k-across", &body);
    assert_eq!(again.body, first.body, "node B answers node A's answer");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    // The same key sent to every node at once counts once.
    let s = servers.clone();
    let b2 = json!({"redeemables": [{"object": "voucher", "id": "WELCOME"}], "order": cart(1)});
    let racing = concurrently(9, move |i| s[i % 3].redeem("k-race", &b2));
    let bodies: Vec<&str> = racing.iter().map(|r| r.body.as_str()).collect();
    assert!(
        bodies.iter().all(|b| *b == bodies[0]),
        "one answer for one key"
    );
    assert_eq!(
        env.db
            .count("SELECT COUNT(*) FROM redemptions WHERE idempotency_key = 'k-race'"),
        1
    );

    let id = text(&first.json()["id"]);
    let auth = bearer();
    let rollback = |s: &Server| {
        s.post(
            &format!("/v1/redemptions/{id}/rollback"),
            &[("Authorization", &auth)],
            "",
        )
    };
    let r = rollback(&servers[2]);
    assert_eq!(r.status, 200, "{}", r.body);
    let r = rollback(&servers[0]);
    assert_eq!(
        (r.status, text(&r.code())),
        (409, "ALREADY_ROLLED_BACK".into())
    );
    // Every node sees the code free again and the credits back.
    for s in servers.iter() {
        let v = s.validate(
            &json!({"redeemables": [{"object": "voucher", "id": "ONCE-2"},
                                                   {"object": "voucher", "id": "GIFT-1"}],
                                   "order": cart(10)}),
        );
        assert_eq!(v["redeemables"][0]["status"], "APPLICABLE", "{v}");
        assert_eq!(v["redeemables"][1]["result"]["gift"]["credits"], 5000);
    }
    let got = servers[1].get(
        &format!("/v1/redemptions/{id}"),
        &[("Authorization", &auth)],
    );
    assert!(got.json()["rolled_back_at"].is_string());
}

/// Polls `GET /v1/bundles/web` until it answers `etag`; how long that took.
fn wait_for_etag(s: &Server, etag: &str) -> Duration {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if s.get("/v1/bundles/web", &[]).header("etag") == Some(etag) {
            return start.elapsed();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("{} did not serve {etag} within 30 s", s.addr);
}

#[test]
fn a_publication_reaches_every_node_and_a_later_node_serves_it_at_once() {
    let env = env_on(Cluster::shared());
    let servers = nodes(&env, 3);
    let v1 = servers[0].get("/v1/bundles/web", &[]);
    for s in &servers[1..] {
        let b = s.get("/v1/bundles/web", &[]);
        assert_eq!(b.header("etag"), v1.header("etag"), "one bundle, one ETag");
    }
    std::fs::write(
        env.path("source/campaigns/extra.json"),
        r#"{"campaigns": [{"id": "camp_new", "campaign_type": "DISCOUNT_COUPONS",
            "voucher": {"discount": {"type": "AMOUNT", "amount_off": 50}}, "vouchers": [{"code": "NEW"}]}]}"#,
    )
    .unwrap();
    let out = support::run(&[
        "publish",
        "--source",
        &env.p("source"),
        "--key",
        &env.key(),
        "--database",
        &env.db.url(),
        "--now",
        support::NOW,
    ]);
    assert!(out.status.success(), "{out:?}");
    let published = support::stdout_json(&out);
    assert_eq!(published["version"], 2);
    let etag = text(&published["etag"]);
    for s in &servers {
        let took = wait_for_etag(s, &etag);
        // Reported, not asserted (a shared machine): see `make bench-origin`.
        eprintln!("publication served by {} after {took:?}", s.addr);
        let b = s.get("/v1/bundles/web", &[("If-None-Match", &etag)]);
        assert_eq!(b.status, 304);
        assert_eq!(b.header("x-snapshot-version"), Some("2"));
        let v = s.validate(
            &json!({"redeemables": [{"object": "voucher", "id": "NEW"}], "order": cart(1)}),
        );
        assert_eq!(v["redeemables"][0]["status"], "APPLICABLE");
    }
    // A node started later, with no source and no signing key: the newest
    // bundle at once, and the key that verifies it.
    let channel_key = format!("web={KEY}");
    let url = env.db.url();
    let late = Server::start(
        &[
            "serve",
            "--database",
            &url,
            "--listen",
            "127.0.0.1:0",
            "--channel-key",
            &channel_key,
            "--now",
            support::NOW,
        ],
        &env.path("late.log"),
    );
    let b = late.get("/v1/bundles/web", &[]);
    assert_eq!(b.header("etag"), Some(etag.as_str()));
    assert_eq!(b.bytes, servers[0].get("/v1/bundles/web", &[]).bytes);
    let kid = text(&published["kid"]);
    let keys = late.get("/v1/keys", &[]).json();
    assert!(
        keys["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kid"] == kid.as_str()),
        "{keys}"
    );
}

/// One redemption, retried with the same key and body (on the next node
/// when a node does not answer, after a pause on a 503) until it has an
/// answer; the answer and how many 503s it met.
fn redeem_until_answered(
    servers: &[Arc<Server>],
    first: usize,
    key: &str,
    body: &Value,
) -> (Resp, usize) {
    let auth = bearer();
    let text = body.to_string();
    let mut unavailable = 0;
    for attempt in 0..600 {
        let s = &servers[(first + attempt) % servers.len()];
        let headers = [("Authorization", auth.as_str()), ("Idempotency-Key", key)];
        match support::try_request(&s.addr, "POST", "/v1/redemptions", &headers, Some(&text)) {
            Ok(r) if r.status == 503 => {
                assert!(
                    r.header("retry-after").is_some(),
                    "a 503 says when to retry"
                );
                unavailable += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            Ok(r) => return (r, unavailable),
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    panic!("{key}: no answer after 600 attempts");
}

/// The ledger agrees with the answers: every key stored once with the
/// bytes its client got, WELCOME's uses and GIFT-1's balance are the sums
/// of the SUCCEEDED answers, and the item counts match the log.
fn audit(db: &Db, answers: &[(String, Resp)]) {
    let stored: BTreeMap<String, String> = db
        .rows("SELECT idempotency_key, response FROM redemptions")
        .iter()
        .map(|r| (text(&r[0]), text(&r[1])))
        .collect();
    assert_eq!(stored.len(), answers.len(), "one stored answer per key");
    let mut uses = 0;
    let mut credits = 0;
    for (key, r) in answers {
        support::redemption_status(r);
        assert_eq!(stored.get(key), Some(&r.body), "{key}: stored = answered");
        let v = r.json();
        if v["status"] == "SUCCEEDED" {
            for x in v["result"]["redeemables"].as_array().unwrap() {
                match x["id"].as_str().unwrap() {
                    "WELCOME" => uses += 1,
                    "GIFT-1" => credits += x["result"]["gift"]["credits"].as_i64().unwrap(),
                    other => panic!("{other}"),
                }
            }
        }
    }
    assert!(uses > 0);
    assert_eq!(
        db.count("SELECT COALESCE(MAX(value), 0) FROM counters WHERE key = 'voucher:WELCOME' AND name = 'redeemed_quantity'"),
        uses
    );
    assert_eq!(
        db.count(
            "SELECT COALESCE(MAX(balance), 5000) FROM balances WHERE key = 'voucher:v_gift_1'"
        ),
        5000 - credits
    );
    assert_eq!(
        db.count("SELECT COUNT(*) FROM redemption_items WHERE ledger_key = 'voucher:WELCOME'"),
        uses
    );
    support::audit_item_counts(db);
}

/// The body of load redemption `i`: WELCOME, and every fourth a 1.00
/// spend of GIFT-1 beside it.
fn load_body(i: usize) -> Value {
    if i % 4 == 0 {
        json!({"redeemables": [{"object": "voucher", "id": "WELCOME"},
                               {"object": "voucher", "id": "GIFT-1", "gift": {"credits": 100}}],
               "order": cart(3), "customer": {"source_id": format!("cust_{}", i % 7)}})
    } else {
        json!({"redeemables": [{"object": "voucher", "id": "WELCOME"}], "order": cart(1),
               "customer": {"source_id": format!("cust_{}", i % 7)}})
    }
}

/// What one load thread was answered (key, answer), and the 503s it met.
type Load = (Vec<(String, Resp)>, usize);

/// Runs `threads × per_thread` load redemptions over the nodes in the
/// background; `answered` counts the answers as they come.
fn start_load(
    servers: &[Arc<Server>],
    threads: usize,
    per_thread: usize,
    answered: Arc<AtomicUsize>,
) -> Vec<std::thread::JoinHandle<Load>> {
    (0..threads)
        .map(|t| {
            let (servers, answered) = (servers.to_vec(), answered.clone());
            std::thread::spawn(move || {
                let mut out = Vec::new();
                let mut unavailable = 0;
                for j in 0..per_thread {
                    let i = t * per_thread + j;
                    let key = format!("load-{i}");
                    let (r, u) = redeem_until_answered(&servers, i, &key, &load_body(i));
                    unavailable += u;
                    answered.fetch_add(1, Ordering::SeqCst);
                    out.push((key, r));
                }
                (out, unavailable)
            })
        })
        .collect()
}

fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn the_database_restarted_under_load_loses_nothing_and_doubles_nothing() {
    let cluster = Cluster::start();
    let env = env_on(&cluster);
    let servers = nodes(&env, 2);
    let answered = Arc::new(AtomicUsize::new(0));
    let load = start_load(&servers, 4, 40, answered.clone());
    wait_until("the first answers", || {
        answered.load(Ordering::SeqCst) >= 20
    });
    cluster.stop();
    // While the database is down: 503 with Retry-After, on every route
    // that needs the ledger.
    for s in &servers {
        let r = s.redeem("probe", &load_body(1));
        assert_eq!(
            (r.status, text(&r.code())),
            (503, "LEDGER_UNAVAILABLE".into()),
            "{}",
            r.body
        );
        assert_eq!(r.header("retry-after"), Some("1"));
        let r = s.post(
            "/v1/validations",
            &[("Authorization", &bearer())],
            &load_body(1).to_string(),
        );
        assert_eq!(r.status, 503, "{}", r.body);
        // Bundles are served from memory meanwhile.
        assert_eq!(s.get("/v1/bundles/web", &[]).status, 200);
    }
    cluster.restart_after_stop();
    let mut answers = Vec::new();
    let mut unavailable = 0;
    for h in load {
        let (a, u) = h.join().unwrap();
        answers.extend(a);
        unavailable += u;
    }
    eprintln!(
        "restart: {} redemptions answered, {unavailable} 503s met and retried",
        answers.len()
    );
    assert_eq!(answers.len(), 160);
    // The probes were answered 503: nothing of them is stored.
    audit(&env.db, &answers);
    assert_eq!(
        env.db
            .count("SELECT COUNT(*) FROM redemptions WHERE idempotency_key = 'probe'"),
        0
    );
}

#[test]
fn a_node_killed_during_a_burst_leaves_the_ledger_exact() {
    let env = env_on(Cluster::shared());
    let servers = nodes(&env, 3);
    let answered = Arc::new(AtomicUsize::new(0));
    let load = start_load(&servers, 6, 25, answered.clone());
    wait_until("the first answers", || {
        answered.load(Ordering::SeqCst) >= 30
    });
    // SIGKILL node 0 wherever it is; its clients retry on the next node
    // with the same key.
    let pid = servers[0].pid().unwrap();
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut answers = Vec::new();
    for h in load {
        answers.extend(h.join().unwrap().0);
    }
    assert_eq!(answers.len(), 150);
    audit(&env.db, &answers);
    // The survivors still serve, and a retry of any key answers what the
    // ledger stored.
    let (again, _) = redeem_until_answered(&servers[1..], 0, &answers[0].0, &load_body(0));
    assert_eq!(again.body, answers[0].1.body);
}
