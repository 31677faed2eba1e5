//! The HTTP API against a real `promo-origin serve` process: concurrency,
//! idempotency, rollback, restart, ETags, differences, errors and logs.

// Test code: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Barrier};

use serde_json::{json, Value};
use support::{cart, Env, Server, KEY};

fn auth() -> (&'static str, String) {
    ("Authorization", format!("Bearer {KEY}"))
}

/// What a storefront computed locally: the code applied, 5.00 off 10.00.
fn expected_once(code: &str) -> Value {
    json!({"valid": true,
           "redeemables": [{"id": code, "status": "APPLICABLE"}],
           "order": {"amount": 1000, "total_discount_amount": 500, "total_amount": 500}})
}

fn redemption(code: &str, customer: &str) -> Value {
    json!({"redeemables": [{"object": "voucher", "id": code}],
           "order": cart(1),
           "customer": {"source_id": customer},
           "snapshot_version": 1,
           "expected": expected_once(code)})
}

/// Runs `n` requests at once (threads released together by a barrier).
fn concurrently<F>(n: usize, f: F) -> Vec<support::Resp>
where
    F: Fn(usize) -> support::Resp + Send + Sync + 'static,
{
    let f = Arc::new(f);
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let f = f.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                f(i)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

fn statuses(responses: &[support::Resp]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for r in responses {
        *out.entry(support::redemption_status(r)).or_insert(0) += 1;
    }
    out
}

#[test]
fn fifty_concurrent_redemptions_of_a_single_use_code_succeed_once() {
    let env = Env::new();
    let server = Arc::new(env.serve());
    let s = server.clone();
    let responses = concurrently(50, move |i| {
        s.redeem(
            &format!("once-{i}"),
            &redemption("ONCE-1", &format!("cust_{i}")),
        )
    });
    let counts = statuses(&responses);
    assert_eq!(counts.get("SUCCEEDED"), Some(&1), "{counts:?}");
    assert_eq!(counts.get("FAILED"), Some(&49), "{counts:?}");
    for r in &responses {
        let v = r.json();
        if v["status"] == "FAILED" {
            assert_eq!(v["result"]["valid"], false);
            let d = &v["differences"][0];
            assert_eq!(d["path"], "redeemables[ONCE-1].status");
            assert_eq!(d["client"], "APPLICABLE");
            assert_eq!(d["origin"], "INAPPLICABLE");
            assert_eq!(d["reason"], "quantity_exceeded");
        } else {
            assert_eq!(v["differences"], json!([]), "the winner matches the client");
            assert_eq!(v["result"]["order"]["total_amount"], 500);
        }
    }
    // The ledger agrees afterwards.
    let v = server.validate(
        &json!({"redeemables": [{"object": "voucher", "id": "ONCE-1"}], "order": cart(1)}),
    );
    assert_eq!(
        v["inapplicable_redeemables"][0]["result"]["error"]["key"],
        "quantity_exceeded"
    );
}

#[test]
fn concurrent_gift_card_spends_never_overdraw() {
    let env = Env::new();
    let server = Arc::new(env.serve());
    let s = server.clone();
    // 20 × 15.00 against a 50.00 card: exactly three fit.
    let responses = concurrently(20, move |i| {
        s.redeem(
            &format!("gift-{i}"),
            &json!({"redeemables": [{"object": "voucher", "id": "GIFT-1", "gift": {"credits": 1500}}],
                    "order": cart(2), "customer": {"source_id": format!("cust_{i}")}}),
        )
    });
    let counts = statuses(&responses);
    assert_eq!(counts.get("SUCCEEDED"), Some(&3), "{counts:?}");
    let spent: i64 = responses
        .iter()
        .map(|r| r.json())
        .filter(|v| v["status"] == "SUCCEEDED")
        .map(|v| {
            v["result"]["redeemables"][0]["result"]["gift"]["credits"]
                .as_i64()
                .unwrap()
        })
        .sum();
    assert_eq!(spent, 4500);
    for r in &responses {
        let v = r.json();
        if v["status"] == "FAILED" {
            assert_eq!(
                v["result"]["inapplicable_redeemables"][0]["result"]["error"]["key"],
                "gift_amount_exceeded"
            );
        }
    }
    // 5.00 left: the whole balance is offered to a 20.00 order.
    let v = server.validate(
        &json!({"redeemables": [{"object": "voucher", "id": "GIFT-1"}], "order": cart(2)}),
    );
    assert_eq!(
        v["redeemables"][0]["result"]["gift"],
        json!({"credits": 500, "balance": 0})
    );
    // Spending the rest empties the card; nothing more goes.
    let r = server.redeem(
        "gift-rest",
        &json!({"redeemables": [{"object": "voucher", "id": "GIFT-1"}], "order": cart(2)}),
    );
    assert_eq!(r.json()["status"], "SUCCEEDED");
    let r = server.redeem(
        "gift-empty",
        &json!({"redeemables": [{"object": "voucher", "id": "GIFT-1"}], "order": cart(2)}),
    );
    assert_eq!(r.json()["status"], "FAILED");
}

#[test]
fn a_replayed_key_returns_the_first_answer_and_counts_once() {
    let env = Env::new();
    let server = env.serve();
    let body = json!({"redeemables": [{"object": "voucher", "id": "TWICE"}], "order": cart(1),
                      "customer": {"source_id": "cust_a"}});
    let first = server.redeem("k-1", &body);
    assert_eq!(first.json()["status"], "SUCCEEDED");
    assert_eq!(first.header("idempotent-replayed"), None);
    for _ in 0..3 {
        let again = server.redeem("k-1", &body);
        assert_eq!(again.status, 200);
        assert_eq!(
            again.body, first.body,
            "a replay returns the first answer byte for byte"
        );
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
    }
    // The same body with keys in another order is the same request.
    let reordered = r#"{"customer": {"source_id": "cust_a"}, "order": {"items": [{"quantity": 1, "price": 1000, "product_id": "prod_mug"}]},
                        "redeemables": [{"id": "TWICE", "object": "voucher"}]}"#;
    let r = server.post(
        "/v1/redemptions",
        &[(auth().0, &auth().1), ("Idempotency-Key", "k-1")],
        reordered,
    );
    assert_eq!(r.body, first.body);
    // Concurrent replays of a fresh key: one evaluation, one answer.
    let s = Arc::new(server);
    let s2 = s.clone();
    let body2 = body.clone();
    let replies = concurrently(10, move |_| s2.redeem("k-2", &body2));
    assert!(replies.iter().all(|r| r.body == replies[0].body));
    assert_eq!(replies[0].json()["status"], "SUCCEEDED");
    // TWICE allows two redemptions: k-1 and k-2 used them, however often replayed.
    let third = s.redeem("k-3", &body);
    let v = third.json();
    assert_eq!(v["status"], "FAILED");
    assert_eq!(
        v["result"]["inapplicable_redeemables"][0]["result"]["error"]["key"],
        "quantity_exceeded"
    );
}

#[test]
fn the_same_key_with_another_body_and_bad_requests_are_refused() {
    let env = Env::new();
    let server = env.serve();
    let body = json!({"redeemables": [{"object": "voucher", "id": "WELCOME"}], "order": cart(1)});
    assert_eq!(server.redeem("k", &body).json()["status"], "SUCCEEDED");
    let other = json!({"redeemables": [{"object": "voucher", "id": "WELCOME"}], "order": cart(3)});
    let r = server.redeem("k", &other);
    assert_eq!(r.status, 409);
    assert_eq!(r.code(), "IDEMPOTENCY_KEY_REUSED");

    let (a, b) = auth();
    // Without an Idempotency-Key (the official SDK sends none) each
    // request is its own redemption: answered, never a replay.
    let twice = json!({"redeemables": [{"object": "voucher", "id": "TWICE"}], "order": cart(1)});
    let ids: Vec<Value> = (0..2)
        .map(|_| {
            let r = server.post("/v1/redemptions", &[(a, &b)], &twice.to_string());
            assert_eq!(
                (r.status, r.header("idempotent-replayed")),
                (200, None),
                "{}",
                r.body
            );
            assert_eq!(r.json()["status"], "SUCCEEDED", "{}", r.body);
            r.json()["id"].clone()
        })
        .collect();
    assert_ne!(ids[0], ids[1]);
    let r = server.post(
        "/v1/redemptions",
        &[("Idempotency-Key", "x")],
        &body.to_string(),
    );
    assert_eq!((r.status, r.code()), (401, json!("UNAUTHORIZED")));
    let r = server.post(
        "/v1/validations",
        &[("Authorization", "Bearer wrong-key-0123456789")],
        &body.to_string(),
    );
    assert_eq!(r.status, 401);
    let r = server.post(
        "/v1/redemptions",
        &[(a, &b), ("Idempotency-Key", "y")],
        "{not json",
    );
    assert_eq!((r.status, r.code()), (400, json!("INVALID_JSON")));
    let huge = format!(r#"{{"metadata": {{"x": "{}"}}}}"#, "a".repeat(1_100_000));
    let r = server.post("/v1/validations", &[(a, &b)], &huge);
    assert_eq!((r.status, r.code()), (413, json!("PAYLOAD_TOO_LARGE")));
    let lines: Vec<Value> = (0..501)
        .map(|_| json!({"product_id": "prod_mug", "price": 100}))
        .collect();
    let r = server.post(
        "/v1/validations",
        &[(a, &b)],
        &json!({"order": {"items": lines}}).to_string(),
    );
    assert_eq!((r.status, r.code()), (400, json!("TOO_MANY_ORDER_ITEMS")));
    let r = server.get("/v1/nowhere", &[]);
    assert_eq!((r.status, r.code()), (404, json!("NOT_FOUND")));
    let r = server.get("/v1/redemptions", &[]);
    assert_eq!((r.status, r.code()), (405, json!("METHOD_NOT_ALLOWED")));
}

fn card_and_gift(server: &Server) -> (i64, i64) {
    let v = server.validate(&json!({
        "redeemables": [{"object": "voucher", "id": "GIFT-1"},
                        {"object": "voucher", "id": "CARD-1", "reward": {"id": "rew_coin", "points": 1}}],
        "order": cart(100), "customer": {"source_id": "cust_1"}}));
    let by_id: BTreeMap<String, Value> = v["redeemables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_string(), r.clone()))
        .collect();
    let gift = by_id["GIFT-1"]["result"]["gift"]["credits"]
        .as_i64()
        .unwrap();
    let points = by_id["CARD-1"]["result"]["loyalty_card"]["balance"]
        .as_i64()
        .unwrap()
        + 1;
    (gift, points)
}

fn once_status(server: &Server, code: &str) -> String {
    let v = server
        .validate(&json!({"redeemables": [{"object": "voucher", "id": code}], "order": cart(1)}));
    if v["valid"] == true {
        "APPLICABLE".into()
    } else {
        v["inapplicable_redeemables"][0]["result"]["error"]["key"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

#[test]
fn rollback_returns_counters_credits_and_points() {
    let env = Env::new();
    let server = env.serve();
    assert_eq!(card_and_gift(&server), (5000, 1000));
    let r = server.redeem(
        "big-order",
        &json!({"redeemables": [{"object": "voucher", "id": "ONCE-2"},
                                {"object": "voucher", "id": "GIFT-1", "gift": {"credits": 2000}},
                                {"object": "voucher", "id": "CARD-1", "reward": {"id": "rew_coin", "points": 300}}],
                "order": cart(10), "customer": {"source_id": "cust_1"}}),
    );
    let v = r.json();
    assert_eq!(v["status"], "SUCCEEDED", "{v}");
    // 100.00 − 5.00 − 20.00 gift − 3.00 for 300 points.
    assert_eq!(v["result"]["order"]["total_amount"], 7200);
    assert_eq!(v["result"]["earned_points"][0]["points"], 50);
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(once_status(&server, "ONCE-2"), "quantity_exceeded");
    // 300 points spent, 50 earned on this order.
    assert_eq!(card_and_gift(&server), (3000, 750));

    let (a, b) = auth();
    let r = server.post(&format!("/v1/redemptions/{id}/rollback"), &[(a, &b)], "");
    assert_eq!(r.status, 200, "{}", r.body);
    let rb = r.json();
    assert_eq!(rb["redemption_id"], id.as_str());
    assert_eq!(rb["status"], "SUCCEEDED");
    assert_eq!(once_status(&server, "ONCE-2"), "APPLICABLE");
    assert_eq!(card_and_gift(&server), (5000, 1000));

    let r = server.post(&format!("/v1/redemptions/{id}/rollback"), &[(a, &b)], "");
    assert_eq!((r.status, r.code()), (409, json!("ALREADY_ROLLED_BACK")));
    let r = server.post("/v1/redemptions/rdm_nope/rollback", &[(a, &b)], "");
    assert_eq!((r.status, r.code()), (404, json!("REDEMPTION_NOT_FOUND")));
    let r = server.post(&format!("/v1/redemptions/{id}/rollback"), &[], "");
    assert_eq!(r.status, 401);
    let r = server.get(&format!("/v1/redemptions/{id}"), &[(a, &b)]);
    assert_eq!(
        r.json()["rolled_back_at"],
        support::NOW.replace("Z", ".000Z")
    );

    // A per-customer rule counts again after a rollback.
    let welcome = json!({"redeemables": [{"object": "voucher", "id": "WELCOME"}], "order": cart(1),
                         "customer": {"source_id": "cust_w"}});
    let first = server.redeem("w-1", &welcome).json();
    assert_eq!(first["status"], "SUCCEEDED");
    let second = server.redeem("w-2", &welcome).json();
    assert_eq!(second["status"], "FAILED");
    assert_eq!(
        second["result"]["inapplicable_redeemables"][0]["result"]["error"]["error"]["message"],
        "Once per customer"
    );
    let r = server.post(
        &format!("/v1/redemptions/{}/rollback", first["id"].as_str().unwrap()),
        &[(a, &b)],
        "",
    );
    assert_eq!(r.status, 200);
    assert_eq!(server.redeem("w-3", &welcome).json()["status"], "SUCCEEDED");
    // A FAILED redemption has nothing to roll back.
    let r = server.post(
        &format!(
            "/v1/redemptions/{}/rollback",
            second["id"].as_str().unwrap()
        ),
        &[(a, &b)],
        "",
    );
    assert_eq!(
        (r.status, r.code()),
        (409, json!("REDEMPTION_NOT_SUCCEEDED"))
    );
    // The counts the rules read are the live log's, rollbacks subtracted:
    // ONCE-2, GIFT-1, CARD-1 and WELCOME ×2 recorded, two rolled back.
    drop(server);
    assert!(support::audit_item_counts(&env.db) > 0);
}

#[test]
fn a_restart_keeps_bundle_counters_balances_and_answers() {
    let env = Env::new();
    let mut server = env.serve();
    let etag = server
        .get("/v1/bundles/web", &[])
        .header("etag")
        .unwrap()
        .to_string();
    let body = json!({"redeemables": [{"object": "voucher", "id": "ONCE-3"},
                                      {"object": "voucher", "id": "GIFT-1", "gift": {"credits": 700}}],
                      "order": cart(2)});
    let first = server.redeem("restart-1", &body);
    assert_eq!(first.json()["status"], "SUCCEEDED");
    server.stop();

    let server = env.serve();
    let b = server.get("/v1/bundles/web", &[]);
    assert_eq!(
        b.header("etag"),
        Some(etag.as_str()),
        "an unchanged source keeps its bundle"
    );
    assert_eq!(b.header("x-snapshot-version"), Some("1"));
    assert_eq!(once_status(&server, "ONCE-3"), "quantity_exceeded");
    assert_eq!(card_and_gift(&server).0, 4300);
    let again = server.redeem("restart-1", &body);
    assert_eq!(again.body, first.body);
    drop(server);

    // A changed source is published as the next version.
    let path = env.path("source/campaigns/extra.json");
    std::fs::write(
        path,
        r#"{"campaigns": [{"id": "camp_new", "campaign_type": "DISCOUNT_COUPONS",
            "voucher": {"discount": {"type": "AMOUNT", "amount_off": 50}}, "vouchers": [{"code": "NEW"}]}]}"#,
    )
    .unwrap();
    let server = env.serve();
    let b = server.get("/v1/bundles/web", &[]);
    assert_eq!(b.header("x-snapshot-version"), Some("2"));
    assert_ne!(b.header("etag"), Some(etag.as_str()));
    // New salt, same ledger: the unique code is still used up.
    assert_eq!(once_status(&server, "ONCE-3"), "quantity_exceeded");
    assert_eq!(once_status(&server, "NEW"), "APPLICABLE");
}

#[test]
fn bundles_have_etags_and_answer_304_and_keys_verify_them() {
    let env = Env::new();
    let server = env.serve();
    let r = server.get("/v1/bundles/web", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("application/vnd.promo-edge.bundle")
    );
    let etag = r.header("etag").unwrap().to_string();
    assert!(etag.starts_with('"') && etag.ends_with('"'));
    let keys = server.get("/v1/keys", &[]);
    assert_eq!(keys.status, 200);
    let jwks = keys.body.clone();
    assert!(!jwks.contains("\"d\""), "no private key material");
    let mut engine = promo_edge::Engine::new();
    let report = engine
        .load_bundle(
            &r.bytes,
            &jwks,
            promo_edge::time::Instant::parse(support::NOW).unwrap(),
            0,
        )
        .unwrap();
    assert_eq!(report.version, 1);

    let r2 = server.get("/v1/bundles/web", &[("If-None-Match", &etag)]);
    assert_eq!(r2.status, 304);
    assert!(r2.body.is_empty());
    assert_eq!(r2.header("etag"), Some(etag.as_str()));
    let r3 = server.get(
        "/v1/bundles/web",
        &[("If-None-Match", "\"something-else\"")],
    );
    assert_eq!(r3.status, 200);
    let r4 = server.get("/v1/bundles/app", &[]);
    assert_eq!((r4.status, r4.code()), (404, json!("CHANNEL_NOT_FOUND")));

    // One JSON log line per request.
    drop(server);
    let log = std::fs::read_to_string(env.path("server.log")).unwrap();
    let requests: Vec<Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["fields"]["message"] == "request")
        .collect();
    assert_eq!(requests.len(), 5, "{log}");
    assert_eq!(requests[1]["fields"]["path"], "/v1/keys");
    assert_eq!(requests[2]["fields"]["status"], 304);
}

#[test]
fn the_origin_answers_where_the_client_expectation_differs() {
    let env = Env::new();
    let server = env.serve();
    // The client's snapshot is older and it computed a wrong total.
    let mut body = redemption("ONCE-2", "cust_x");
    body["snapshot_version"] = json!(0);
    body["expected"]["order"]["total_amount"] = json!(450);
    let v = server.redeem("d-1", &body).json();
    assert_eq!(v["status"], "SUCCEEDED");
    assert_eq!(v["snapshot_version"], 1);
    // Labelled by what differs; the cause as far as the origin can tell.
    assert_eq!(
        v["differences"],
        json!([{"path": "snapshot_version", "client": 0, "origin": 1, "reason": "snapshot_version_differs"},
               {"path": "order.total_amount", "client": 450, "origin": 500, "reason": "total_changed",
                "cause": "snapshot_version_differs"}])
    );
    // The code is now used up: a second client that still shows it applied is told why.
    let v = server.redeem("d-2", &redemption("ONCE-2", "cust_y")).json();
    assert_eq!(v["status"], "FAILED");
    let by_path: BTreeMap<String, Value> = v["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["path"].as_str().unwrap().to_string(), d.clone()))
        .collect();
    assert_eq!(
        by_path["redeemables[ONCE-2].status"]["reason"],
        "quantity_exceeded"
    );
    assert_eq!(by_path["valid"]["origin"], false);
    assert_eq!(by_path["order.total_amount"]["client"], 500);
    assert_eq!(by_path["order.total_amount"]["origin"], 1000);
    assert_eq!(by_path["order.total_amount"]["reason"], "total_changed");
    assert_eq!(
        by_path["order.total_amount"]["cause"],
        "redeemable_status_differs"
    );
    assert_eq!(by_path["valid"]["reason"], "valid_changed");
    // A gift card spent elsewhere: the balance, not the code, differs.
    server.redeem("g-1", &json!({"redeemables": [{"object": "voucher", "id": "GIFT-1", "gift": {"credits": 4000}}], "order": cart(5)}));
    let v = server
        .redeem(
            "g-2",
            &json!({"redeemables": [{"object": "voucher", "id": "GIFT-1"}], "order": cart(5),
                    "expected": {"redeemables": [{"id": "GIFT-1", "status": "APPLICABLE",
                                                  "result": {"gift": {"credits": 5000, "balance": 0}}}],
                                 "order": {"total_amount": 0}}}),
        )
        .json();
    assert_eq!(v["status"], "SUCCEEDED");
    assert_eq!(
        v["differences"][0]["path"],
        "redeemables[GIFT-1].result.gift.credits"
    );
    assert_eq!(v["differences"][0]["origin"], 1000);
    assert_eq!(v["differences"][0]["reason"], "balance_changed");
    assert_eq!(v["differences"][0]["cause"], "live_balance_differs");
    assert_eq!(v["differences"][1]["path"], "order.total_amount");
    assert_eq!(v["differences"][1]["reason"], "total_changed");
    assert_eq!(v["differences"][1]["cause"], "live_balance_differs");
}

#[test]
fn an_edited_source_is_republished_while_serving_and_a_broken_edit_is_not() {
    let env = Env::new();
    let server = env.serve_with(&["--refresh", "PT1S"]);
    let version = |s: &Server| {
        s.get("/v1/bundles/web", &[])
            .header("x-snapshot-version")
            .unwrap()
            .to_string()
    };
    assert_eq!(version(&server), "1");
    std::fs::write(
        env.path("source/campaigns/extra.json"),
        r#"{"campaigns": [{"id": "camp_new", "campaign_type": "DISCOUNT_COUPONS",
            "voucher": {"discount": {"type": "AMOUNT", "amount_off": 50}}, "vouchers": [{"code": "NEW"}]}]}"#,
    )
    .unwrap();
    let mut seen = String::new();
    for _ in 0..60 {
        seen = version(&server);
        if seen == "2" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    assert_eq!(seen, "2", "the edit was not republished within 15 s");
    assert_eq!(once_status(&server, "NEW"), "APPLICABLE");

    std::fs::write(
        env.path("source/campaigns/extra.json"),
        "{\"campaigns\": [{\"id\": ",
    )
    .unwrap();
    let mut logged = false;
    for _ in 0..60 {
        let log = std::fs::read_to_string(env.path("server.log")).unwrap();
        if log.contains("republishing failed") {
            logged = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    assert!(logged, "a broken source is reported in the log");
    assert_eq!(version(&server), "2", "the last good bundle keeps serving");
    assert_eq!(once_status(&server, "NEW"), "APPLICABLE");
}

#[test]
fn a_code_and_its_voucher_id_share_one_ledger_entry() {
    let env = Env::new();
    let server = env.serve();
    let by_id = json!({"redeemables": [{"object": "voucher", "id": "v_once_1"}], "order": cart(1)});
    assert_eq!(server.redeem("by-id", &by_id).json()["status"], "SUCCEEDED");
    assert_eq!(once_status(&server, "ONCE-1"), "quantity_exceeded");
    assert_eq!(once_status(&server, "v_once_1"), "quantity_exceeded");
    // Another unique code of the campaign is untouched.
    assert_eq!(once_status(&server, "ONCE-2"), "APPLICABLE");
}

#[test]
fn a_published_bundle_is_served_as_is_and_an_older_one_is_refused() {
    let env = Env::new();
    let publish = |out: &str, version: &str| {
        let o = support::run(&[
            "publish",
            "--source",
            &env.p("source"),
            "--key",
            &env.key(),
            "--out",
            &env.p(out),
            "--now",
            support::NOW,
            "--version",
            version,
        ]);
        assert!(o.status.success(), "{o:?}");
    };
    publish("v3.jws", "3");
    publish("v2.jws", "4");
    std::fs::rename(env.path("v2.jws"), env.path("v4.jws")).unwrap();
    let args = |bundle: &str| {
        vec![
            "serve".to_string(),
            "--bundle".into(),
            env.p(bundle),
            "--key".into(),
            env.key(),
            "--database".into(),
            env.db.url(),
            "--listen".into(),
            "127.0.0.1:0".into(),
            "--channel-key".into(),
            format!("web={KEY}"),
            "--now".into(),
            support::NOW.into(),
        ]
    };
    let a = args("v4.jws");
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let server = Server::start(&a, &env.path("server.log"));
    let b = server.get("/v1/bundles/web", &[]);
    assert_eq!(b.bytes, std::fs::read(env.path("v4.jws")).unwrap());
    assert_eq!(b.header("x-snapshot-version"), Some("4"));
    let r = server.redeem(
        "b-1",
        &json!({"redeemables": [{"object": "voucher", "id": "ONCE-1"}], "order": cart(1)}),
    );
    assert_eq!(r.json()["status"], "SUCCEEDED");
    drop(server);

    let a = args("v3.jws");
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let out = support::run(&a);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("SNAPSHOT_NOT_NEWER"), "{err}");
}

#[test]
fn channels_share_the_ledger_but_not_each_others_redemptions() {
    let env = Env::new();
    let app = env.path("source-app");
    std::fs::create_dir_all(app.join("campaigns")).unwrap();
    for f in [
        "campaigns/coupons.json",
        "campaigns/gift.json",
        "campaigns/loyalty.json",
    ] {
        std::fs::copy(env.path(&format!("source/{f}")), app.join(f)).unwrap();
    }
    let project = std::fs::read_to_string(env.path("source/project.json"))
        .unwrap()
        .replace("\"channel\": \"web\"", "\"channel\": \"app\"");
    std::fs::write(app.join("project.json"), project).unwrap();
    let app_key = "app-secret-0123456789";
    let server = env.serve_with(&[
        "--source",
        app.to_str().unwrap(),
        "--channel-key",
        &format!("app={app_key}"),
    ]);
    assert_eq!(server.get("/v1/bundles/app", &[]).status, 200);
    let body = json!({"redeemables": [{"object": "voucher", "id": "ONCE-1"}], "order": cart(1)});
    let web = server.redeem("c-1", &body).json();
    assert_eq!(web["status"], "SUCCEEDED");
    let app_auth = format!("Bearer {app_key}");
    // Same key on another channel is another request; the code is used up in the shared ledger.
    let r = server.post(
        "/v1/redemptions",
        &[("Authorization", &app_auth), ("Idempotency-Key", "c-1")],
        &body.to_string(),
    );
    assert_eq!(r.json()["status"], "FAILED");
    let id = web["id"].as_str().unwrap();
    let r = server.post(
        &format!("/v1/redemptions/{id}/rollback"),
        &[("Authorization", &app_auth)],
        "",
    );
    assert_eq!((r.status, r.code()), (404, json!("REDEMPTION_NOT_FOUND")));
    let (a, b) = auth();
    let r = server.post(&format!("/v1/redemptions/{id}/rollback"), &[(a, &b)], "");
    assert_eq!(r.status, 200);
}

#[test]
fn daily_counters_follow_the_project_time_zone() {
    let env = Env::new();
    let body = json!({"redeemables": [{"object": "voucher", "id": "DAILY"}], "order": cart(1),
                      "customer": {"source_id": "cust_d"}});
    // 23:30 on 1 June in Warsaw (UTC+2).
    let server = env.serve_at("2026-06-01T21:30:00Z", &[]);
    assert_eq!(server.redeem("d-1", &body).json()["status"], "SUCCEEDED");
    let second = server.redeem("d-2", &body).json();
    assert_eq!(second["status"], "FAILED");
    assert_eq!(
        second["result"]["inapplicable_redeemables"][0]["result"]["error"]["key"],
        "redemption_rules_violated"
    );
    drop(server);
    // 00:30 on 2 June in Warsaw, still 1 June in UTC: a new day for the project.
    let server = env.serve_at("2026-06-01T22:30:00Z", &[]);
    assert_eq!(server.redeem("d-3", &body).json()["status"], "SUCCEEDED");
    assert_eq!(server.redeem("d-4", &body).json()["status"], "FAILED");
    drop(server);
    support::audit_item_counts(&env.db);
}

/// `--site DIR`: static files at `/` beside the API, with content types,
/// caching headers, HEAD, and no way out of the directory (dot segments,
/// encoded dot segments, backslashes, symlinks).
#[test]
fn serves_a_static_site_without_leaving_it() {
    let env = Env::new();
    let site = env.path("site");
    std::fs::create_dir_all(site.join("assets")).unwrap();
    std::fs::create_dir_all(site.join("docs")).unwrap();
    std::fs::write(
        site.join("index.html"),
        "<!doctype html><title>shop</title>",
    )
    .unwrap();
    std::fs::write(
        site.join("sw.js"),
        "self.addEventListener('fetch', () => {});",
    )
    .unwrap();
    std::fs::write(site.join("manifest.webmanifest"), r#"{"name":"shop"}"#).unwrap();
    std::fs::write(site.join("assets/app-1a2b.js"), "export {};").unwrap();
    std::fs::write(
        site.join("assets/promo_edge_bg-3c4d.wasm"),
        b"\0asm\x01\0\0\0",
    )
    .unwrap();
    std::fs::write(site.join("docs/index.html"), "docs").unwrap();
    std::fs::write(env.path("secret.txt"), "do not serve").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(env.path("secret.txt"), site.join("leak.txt")).unwrap();
    let site_arg = env.p("site");
    let server = env.serve_with(&["--site", &site_arg]);

    let index = server.get("/", &[]);
    assert_eq!(index.status, 200);
    assert_eq!(index.body, "<!doctype html><title>shop</title>");
    assert_eq!(
        index.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(index.header("cache-control"), Some("no-cache"));
    assert_eq!(server.get("/index.html", &[]).body, index.body);
    assert_eq!(server.get("/docs/", &[]).body, "docs");
    assert_eq!(server.get("/docs", &[]).body, "docs");

    let sw = server.get("/sw.js", &[]);
    assert_eq!(sw.status, 200);
    assert_eq!(
        sw.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(sw.header("cache-control"), Some("no-cache"));
    let manifest = server.get("/manifest.webmanifest", &[]);
    assert_eq!(
        manifest.header("content-type"),
        Some("application/manifest+json")
    );
    let js = server.get("/assets/app-1a2b.js", &[]);
    assert_eq!(
        js.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(
        js.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let wasm = server.get("/assets/promo_edge_bg-3c4d.wasm", &[]);
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(wasm.header("content-length"), Some("8"));

    let head = support::request(&server.addr, "HEAD", "/sw.js", &[], None);
    assert_eq!(head.status, 200);
    assert_eq!(head.body, "");
    assert_eq!(
        head.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    let post = server.post("/index.html", &[], "{}");
    assert_eq!(post.status, 405);
    assert_eq!(post.code(), "METHOD_NOT_ALLOWED");

    for path in [
        "/../secret.txt",
        "/assets/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/assets/%2E%2E/%2e%2e/secret.txt",
        "/assets%2f..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "/leak.txt",
        "/missing.html",
        "/%zz",
    ] {
        let r = server.get(path, &[]);
        assert_eq!(r.status, 404, "{path}: {}", r.body);
        assert!(!r.body.contains("do not serve"), "{path}");
        assert_eq!(r.code(), "NOT_FOUND", "{path}");
    }

    // The API keeps its routes and its JSON 404s.
    assert_eq!(server.get("/healthz", &[]).body, "ok");
    let bundle = server.get("/v1/bundles/web", &[]);
    assert_eq!(bundle.status, 200);
    assert_eq!(
        bundle.header("content-type"),
        Some("application/vnd.promo-edge.bundle")
    );
    let unknown = server.get("/v1/nope", &[]);
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.code(), "NOT_FOUND");
}

/// A `--site` that is not a directory stops `serve` before it listens.
#[test]
fn refuses_a_missing_site_directory() {
    let env = Env::new();
    let missing = env.p("no-such-site");
    // Bounded: were the check missing, the server would listen forever.
    let mut child = std::process::Command::new(support::bin())
        .args([
            "serve",
            "--source",
            &env.p("source"),
            "--key",
            &env.key(),
            "--database",
            &env.db.url(),
            "--listen",
            "127.0.0.1:0",
            "--site",
            &missing,
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("serve with a missing --site did not exit");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("SITE_NOT_FOUND"), "{err}");
}

#[test]
fn redemptions_and_rollbacks_answer_voucherifys_stacked_shapes() {
    let env = Env::new();
    let server = env.serve();
    let body = json!({
        "redeemables": [{"object": "voucher", "id": "WELCOME"}, {"object": "voucher", "id": "TWICE"}],
        "order": cart(2), "customer": {"source_id": "cust_v"}, "metadata": {"channel": "pos"}
    });
    let r = server.redeem("stacked-1", &body);
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    let parent = v["id"].as_str().unwrap().to_string();
    assert_eq!(v["parent_redemption"]["id"], parent.as_str());
    assert_eq!(v["parent_redemption"]["result"], "SUCCESS");
    assert_eq!(v["parent_redemption"]["customer_id"], "cust_v");
    assert_eq!(
        v["parent_redemption"]["metadata"],
        json!({"channel": "pos"})
    );
    let children: Vec<(Value, Value, Value, Value)> = v["redemptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].clone(),
                c["redemption"].clone(),
                c["voucher"]["code"].clone(),
                c["related_object_type"].clone(),
            )
        })
        .collect();
    let child = |n: usize| json!(format!("{parent}_{n}"));
    assert_eq!(
        children,
        vec![
            (child(1), json!(parent), json!("WELCOME"), json!("voucher")),
            (child(2), json!(parent), json!("TWICE"), json!("voucher")),
        ]
    );
    // 10% of 2 × 1000 = 200, then 100: 2000 − 300.
    assert_eq!(v["order"]["total_amount"], 1700);
    let order_id = format!("ord_{}", parent.trim_start_matches("rdm_"));
    assert_eq!(v["order"]["id"], order_id.as_str());
    assert_eq!(
        v["order"]["redemptions"][&parent]["stacked"],
        json!([child(1), child(2)])
    );
    assert!(
        v.get("inapplicable_redeemables").is_none(),
        "none to list: {v}"
    );

    let (a, b) = auth();
    let rb = server.post(
        &format!("/v1/redemptions/{parent}/rollbacks"),
        &[(a, &b)],
        "",
    );
    assert_eq!(rb.status, 200, "{}", rb.body);
    let rb = rb.json();
    let rollback = rb["id"].as_str().unwrap().to_string();
    assert_eq!(rb["parent_rollback"]["redemption"], parent.as_str());
    assert_eq!(rb["parent_rollback"]["id"], rollback.as_str());
    let undone: Vec<(Value, Value)> = rb["rollbacks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].clone(), c["redemption"].clone()))
        .collect();
    let rolled = |n: usize| json!(format!("{rollback}_{n}"));
    assert_eq!(undone, vec![(rolled(1), child(1)), (rolled(2), child(2))]);
    assert_eq!(rb["order"]["id"], order_id.as_str());
    // The single-redemption route is the same rollback: now a second one.
    let again = server.post(
        &format!("/v1/redemptions/{parent}/rollback"),
        &[(a, &b)],
        "",
    );
    assert_eq!(
        (again.status, again.code()),
        (409, json!("ALREADY_ROLLED_BACK"))
    );
}
