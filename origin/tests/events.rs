//! The event log against a real `promo-origin serve` (also on PostgreSQL):
//! every committed fact has its events, written in the same transaction —
//! redemptions, failures, gift and points movements, rollbacks,
//! publications — each once, with a unique id and an increasing `seq`; what
//! did not commit (a replay, a refused key, a concurrent overdraw) has none.

// Test code: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};

use serde_json::{json, Value};
use support::{cart, text, Env, Server, KEY};

fn bearer() -> (&'static str, String) {
    ("Authorization", format!("Bearer {KEY}"))
}

/// Every event of the channel, page by page (`limit` each).
fn all_events(server: &Server, limit: usize) -> Vec<Value> {
    let (a, b) = bearer();
    let mut out = Vec::new();
    let mut after = 0;
    for _ in 0..1000 {
        let r = server.get(
            &format!("/v1/events?after={after}&limit={limit}"),
            &[(a, &b)],
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let v = r.json();
        let page = v["data"].as_array().unwrap().clone();
        assert!(page.len() <= limit);
        out.extend(page);
        after = v["next_after"].as_i64().unwrap();
        if v["has_more"] == false {
            return out;
        }
    }
    panic!("more than 1000 pages");
}

fn of_type<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == kind).collect()
}

#[test]
fn committed_redemptions_and_rollbacks_have_their_events_once() {
    let env = Env::new();
    let server = env.serve();
    let body = json!({
        "redeemables": [{"object": "voucher", "id": "WELCOME"}, {"object": "voucher", "id": "GIFT-1", "gift": {"credits": 1000}}],
        "order": cart(2), "customer": {"source_id": "cust_ev"}
    });
    let r = server.redeem("ev-1", &body);
    assert_eq!(r.status, 200, "{}", r.body);
    let parent = text(&r.json()["id"]);
    // A replay and a reused key change nothing: no events.
    assert_eq!(
        server.redeem("ev-1", &body).header("idempotent-replayed"),
        Some("true")
    );
    let other = json!({"redeemables": [{"object": "voucher", "id": "TWICE"}], "order": cart(1)});
    assert_eq!(server.redeem("ev-1", &other).status, 409);
    // A single-use code redeemed twice: one success, one failure.
    let once = json!({"redeemables": [{"object": "voucher", "id": "ONCE-1"}], "order": cart(1)});
    assert_eq!(server.redeem("ev-2", &once).status, 200);
    assert_eq!(server.redeem("ev-3", &once).status, 400);
    let (a, b) = bearer();
    let rb = server.post(
        &format!("/v1/redemptions/{parent}/rollbacks"),
        &[(a, &b)],
        "",
    );
    assert_eq!(rb.status, 200, "{}", rb.body);

    let events = all_events(&server, 2);
    let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "bundle.published",
            "redemption.succeeded",
            "redemption.succeeded",
            "voucher.gift.transaction.created",
            "redemption.succeeded",
            "redemption.failed",
            "redemption.rollback.succeeded",
            "redemption.rollback.succeeded",
        ]
    );
    let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let ids: BTreeSet<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), events.len(), "unique ids");
    assert!(ids.iter().all(|id| id.starts_with("evt_")));

    let succeeded = of_type(&events, "redemption.succeeded");
    assert_eq!(succeeded[0]["subject"], "cust_ev");
    assert_eq!(
        succeeded[0]["data"]["redemption"]["voucher"]["code"],
        "WELCOME"
    );
    assert_eq!(
        succeeded[0]["data"]["parent_redemption_id"],
        parent.as_str()
    );
    assert_eq!(
        succeeded[1]["data"]["redemption"]["voucher"]["code"],
        "GIFT-1"
    );
    // 5000 on the card, 1000 used.
    let gift = of_type(&events, "voucher.gift.transaction.created");
    assert_eq!(
        gift[0]["data"],
        json!({"code": "GIFT-1", "amount": -1000, "balance": 4000})
    );
    let failed = of_type(&events, "redemption.failed");
    assert_eq!(failed[0]["data"]["key"], "quantity_exceeded");
    let undone: Vec<Value> = of_type(&events, "redemption.rollback.succeeded")
        .iter()
        .map(|e| e["data"]["rollback"]["redemption"].clone())
        .collect();
    assert_eq!(
        undone,
        [json!(format!("{parent}_1")), json!(format!("{parent}_2"))]
    );
    assert_eq!(events[0]["data"]["version"], 1);

    // The log agrees with the ledger: one redemption.succeeded per item.
    let items = env.db.rows("SELECT count(*) FROM redemption_items")[0][0]
        .as_i64()
        .unwrap();
    assert_eq!(succeeded.len() as i64, items);
}

#[test]
fn concurrent_spends_of_one_card_have_exactly_the_events_of_what_committed() {
    let env = Env::new();
    let server = Arc::new(env.serve());
    // 12 × 15.00 against a 50.00 card, all at once: three fit.
    let barrier = Arc::new(Barrier::new(12));
    let handles: Vec<_> = (0..12)
        .map(|i| {
            let (s, barrier) = (server.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                s.redeem(
                    &format!("od-{i}"),
                    &json!({"redeemables": [{"object": "voucher", "id": "GIFT-1", "gift": {"credits": 1500}}],
                            "order": cart(2), "customer": {"source_id": format!("cust_{i}")}}),
                )
                .status
            })
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        3,
        "{statuses:?}"
    );
    let events = all_events(&server, 1000);
    let spent: Vec<i64> = of_type(&events, "voucher.gift.transaction.created")
        .iter()
        .map(|e| e["data"]["amount"].as_i64().unwrap())
        .collect();
    assert_eq!(spent, [-1500, -1500, -1500]);
    let balances: BTreeSet<i64> = of_type(&events, "voucher.gift.transaction.created")
        .iter()
        .map(|e| e["data"]["balance"].as_i64().unwrap())
        .collect();
    assert_eq!(balances, BTreeSet::from([500, 2000, 3500]));
    assert_eq!(of_type(&events, "redemption.succeeded").len(), 3);
    assert_eq!(of_type(&events, "redemption.failed").len(), 9);
}

#[test]
fn the_event_route_needs_a_server_key_and_a_sound_page() {
    let env = Env::new();
    let server = env.serve();
    assert_eq!(server.get("/v1/events", &[]).code(), "UNAUTHORIZED");
    let (a, b) = bearer();
    for q in ["limit=0", "limit=1001", "after=-1", "after=x", "nope=1"] {
        let r = server.get(&format!("/v1/events?{q}"), &[(a, &b)]);
        assert_eq!(
            (r.status, r.code()),
            (400, json!("INVALID_QUERY_PARAMS")),
            "{q}"
        );
    }
    let r = server.get("/v1/events?after=1", &[(a, &b)]);
    assert_eq!(r.json()["data"], json!([]), "only the publication so far");
    assert_eq!(r.json()["next_after"], 1);
}
