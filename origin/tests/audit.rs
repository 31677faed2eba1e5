//! The ledger audit (issue 18, "money never changes silently"): for every
//! redeemable kind — a generic code, unique codes with and without a
//! voucher id, gift cards with and without one, loyalty cards with and
//! without one (paying with points and earning), a referral code, a
//! promotion tier and a stack — a real `promo-origin serve` redeems,
//! replays and rolls back, and after each step everything the ledger
//! stores (counters, balances, per-period item counts, the log) is compared
//! with the change the answer names, written out by hand below. A ledger
//! that stores anything else, or forgets something, fails here.

// Test code: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use support::{text, Db, Env, Server, KEY};

/// The project's day, ISO week and month at `support::NOW`
/// (2026-06-01 12:00 in Warsaw, a Monday).
const PERIODS: [&str; 4] = ["all", "day:2026-06-01", "week:2026-W23", "month:2026-06"];

/// The ledger key of a unique code published without a voucher id.
fn code_key(code: &str) -> String {
    format!(
        "code:{}",
        URL_SAFE_NO_PAD.encode(Sha256::digest(code.as_bytes()))
    )
}

/// The id-less loyalty card of `cust_b` (see origin/README.md, ledger keys).
const CARD_B: &str = "card:camp_loyal:cust_b";

/// Everything the ledger stores about money and counts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct State {
    /// `(scope, key, name)` → value.
    counters: BTreeMap<(String, String, String), i64>,
    /// Ledger key → balance.
    balances: BTreeMap<String, i64>,
    /// `(scope, id, customer, period)` → count (zeros left out).
    counts: BTreeMap<(String, String, String, String), i64>,
    /// Live (not rolled back) redemption items.
    live_items: i64,
}

fn read_state(db: &Db) -> State {
    let mut s = State::default();
    for r in db.rows("SELECT scope, key, name, value FROM counters") {
        s.counters.insert(
            (text(&r[0]), text(&r[1]), text(&r[2])),
            r[3].as_i64().unwrap(),
        );
    }
    for r in db.rows("SELECT key, balance FROM balances") {
        s.balances.insert(text(&r[0]), r[1].as_i64().unwrap());
    }
    for r in db.rows("SELECT scope, id, customer, period, count FROM item_counts WHERE count != 0")
    {
        s.counts.insert(
            (text(&r[0]), text(&r[1]), text(&r[2]), text(&r[3])),
            r[4].as_i64().unwrap(),
        );
    }
    s.live_items = db.count("SELECT COUNT(*) FROM redemption_items WHERE rolled_back = 0");
    s
}

/// The values published in the audit fixture, which a counter or balance
/// the ledger has not touched yet stands at.
fn published_counter(scope: &str, key: &str, name: &str) -> i64 {
    match (scope, key, name) {
        ("redeemable", "voucher:SAVE5", "redeemed_quantity") => 40,
        _ => 0,
    }
}

fn published_balance(key: &str) -> Option<i64> {
    match key {
        "voucher:v_gift_1" => Some(5000),
        "voucher:v_card_a" => Some(1000),
        CARD_B => Some(800),
        k if k == code_key("GIFT-2") => Some(3000),
        k if k == code_key("CARD-D1") => Some(100),
        k if k == code_key("CARD-D2") => Some(200),
        k if k == code_key("CARD-ANON") => Some(500),
        _ => None,
    }
}

impl State {
    /// Rows at their published value are the same as no row: the ledger
    /// creates them on first touch, and a rollback brings them back.
    fn normalized(mut self) -> State {
        self.counters
            .retain(|(scope, key, name), v| *v != published_counter(scope, key, name));
        self.balances
            .retain(|key, v| published_balance(key) != Some(*v));
        self
    }

    fn counter(&self, scope: &str, key: &str, name: &str) -> i64 {
        self.counters
            .get(&(scope.into(), key.into(), name.into()))
            .copied()
            .unwrap_or_else(|| published_counter(scope, key, name))
    }
}

/// The change one redemption should make, written by hand.
#[derive(Debug, Default, Clone)]
struct Change {
    counters: Vec<(String, String, String, i64)>,
    balances: Vec<(String, i64)>,
    items: Vec<(String, String, Option<String>)>,
}

impl Change {
    fn new() -> Change {
        Change::default()
    }

    /// One applied redeemable: its `redeemed_quantity`, its campaign's
    /// `redemptions`, and its item in every count.
    fn redeemed(mut self, key: &str, campaign: &str, customer: Option<&str>) -> Change {
        self.counters.push((
            "redeemable".into(),
            key.into(),
            "redeemed_quantity".into(),
            1,
        ));
        self.counters
            .push(("campaign".into(), campaign.into(), "redemptions".into(), 1));
        self.items
            .push((key.into(), campaign.into(), customer.map(Into::into)));
        self
    }

    fn campaign(mut self, campaign: &str, name: &str, delta: i64) -> Change {
        self.counters
            .push(("campaign".into(), campaign.into(), name.into(), delta));
        self
    }

    /// A balance's value afterwards.
    fn balance(mut self, key: &str, value: i64) -> Change {
        self.balances.push((key.into(), value));
        self
    }

    fn applied_to(&self, before: &State) -> State {
        let mut s = before.clone();
        for (scope, key, name, delta) in &self.counters {
            let v = s.counter(scope, key, name) + delta;
            s.counters
                .insert((scope.clone(), key.clone(), name.clone()), v);
        }
        for (key, value) in &self.balances {
            s.balances.insert(key.clone(), *value);
        }
        for (key, campaign, customer) in &self.items {
            s.live_items += 1;
            let who: Vec<String> = std::iter::once("*".to_string())
                .chain(customer.iter().map(|c| format!("c:{c}")))
                .collect();
            for (scope, id) in [("key", key), ("campaign", campaign)] {
                for w in &who {
                    for p in PERIODS {
                        *s.counts
                            .entry((scope.into(), id.clone(), w.clone(), p.into()))
                            .or_default() += 1;
                    }
                }
            }
        }
        s.normalized()
    }
}

/// One audited redemption: redeem, replay, roll back, replay again, and
/// the ledger compared with the hand-written change after every step.
struct Audit<'a> {
    env: &'a Env,
    server: &'a Server,
}

fn auth() -> (&'static str, String) {
    ("Authorization", format!("Bearer {KEY}"))
}

impl<'a> Audit<'a> {
    fn new(env: &'a Env, server: &'a Server) -> Audit<'a> {
        Audit { env, server }
    }

    fn state(&self) -> State {
        read_state(&self.env.db).normalized()
    }

    fn get(&self, id: &str) -> Value {
        let (a, b) = auth();
        let r = self
            .server
            .get(&format!("/v1/redemptions/{id}"), &[(a, &b)]);
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()
    }

    /// Redeems `body` under `key`; the ledger must move by exactly
    /// `change`; a replay changes nothing. Returns the answer.
    fn redeem(&self, key: &str, body: &Value, change: &Change) -> Value {
        let before = self.state();
        let first = self.server.redeem(key, body);
        assert_eq!(first.status, 200, "{}", first.body);
        assert_eq!(first.header("idempotent-replayed"), None);
        let answer = first.json();
        let after = self.state();
        assert_eq!(after, change.applied_to(&before), "{key}: {answer}");
        // The stored answer is the answer.
        let mut stored = self.get(answer["id"].as_str().unwrap());
        assert_eq!(stored["rolled_back_at"], Value::Null);
        stored.as_object_mut().unwrap().remove("rolled_back_at");
        assert_eq!(stored, answer);
        let again = self.server.redeem(key, body);
        assert_eq!(again.body, first.body, "a replay answers the first answer");
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(self.state(), after, "{key}: a replay changes nothing");
        answer
    }

    /// Rolls `answer` back: the ledger returns to `before` exactly, the
    /// `reverted` list names every change, and neither a replay of the
    /// redemption nor a second rollback changes anything.
    fn roll_back(
        &self,
        key: &str,
        body: &Value,
        answer: &Value,
        reverted: &[(&str, &str, &str, i64)],
        before: &State,
    ) {
        let id = answer["id"].as_str().unwrap();
        let (a, b) = auth();
        let r = self
            .server
            .post(&format!("/v1/redemptions/{id}/rollback"), &[(a, &b)], "");
        assert_eq!(r.status, 200, "{}", r.body);
        let rb = r.json();
        let got: Vec<(String, String, String, i64)> = rb["reverted"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["scope"].as_str().unwrap().into(),
                    x["key"].as_str().unwrap().into(),
                    x["name"].as_str().unwrap().into(),
                    x["delta"].as_i64().unwrap(),
                )
            })
            .collect();
        let want: Vec<(String, String, String, i64)> = reverted
            .iter()
            .map(|(s, k, n, d)| ((*s).into(), (*k).into(), (*n).into(), *d))
            .collect();
        assert_eq!(got, want, "{key}: reverted");
        let after = self.state();
        assert_eq!(&after, before, "{key}: a rollback restores the ledger");
        assert_eq!(self.get(id)["rolled_back_at"], "2026-06-01T10:00:00.000Z");
        let replay = self.server.redeem(key, body);
        assert_eq!(
            replay.json(),
            *answer,
            "a replay after a rollback is still the first answer"
        );
        let r = self
            .server
            .post(&format!("/v1/redemptions/{id}/rollback"), &[(a, &b)], "");
        assert_eq!(r.status, 409);
        assert_eq!(r.code(), "ALREADY_ROLLED_BACK");
        assert_eq!(self.state(), after, "{key}: nothing more moves");
    }

    /// The whole cycle for one redemption.
    fn cycle(
        &self,
        key: &str,
        body: &Value,
        change: &Change,
        reverted: &[(&str, &str, &str, i64)],
    ) -> Value {
        let before = self.state();
        let answer = self.redeem(key, body, change);
        assert_eq!(answer["status"], "SUCCEEDED", "{answer}");
        self.roll_back(key, body, &answer, reverted, &before);
        answer
    }
}

fn mugs(n: i64) -> Value {
    json!({"items": [{"product_id": "prod_mug", "quantity": n}]})
}

fn voucher(id: &str, customer: Option<&str>, order: Value) -> Value {
    let mut body = json!({"redeemables": [{"object": "voucher", "id": id}], "order": order});
    if let Some(c) = customer {
        body["customer"] = json!({"source_id": c});
    }
    body
}

/// The earned-points line of an answer for a customer with no card.
fn not_credited(points: i64, reason: &str) -> Value {
    json!([{"campaign_id": "camp_loyal", "points": points, "credited": false, "reason": reason}])
}

fn credited(points: i64, key: &str, balance: i64) -> Value {
    json!([{"campaign_id": "camp_loyal", "points": points, "credited": true,
            "ledger_key": key, "balance": balance}])
}

fn first(answer: &Value) -> &Value {
    &answer["result"]["redeemables"][0]
}

fn audit_env() -> (Env, Server) {
    let env = Env::with_fixture("audit");
    let server = env.serve();
    (env, server)
}

#[test]
fn a_generic_code_counts_from_its_published_redemptions() {
    let (env, server) = audit_env();
    let audit = Audit::new(&env, &server);
    let body = voucher("SAVE5", Some("cust_x"), mugs(2));
    // 2 × 10.00 − 5.00 = 15.00; 1 point per 1.00 paid, but cust_x has no card.
    let change = Change::new()
        .redeemed("voucher:SAVE5", "camp_generic", Some("cust_x"))
        .campaign("camp_generic", "amount_discounted", 500)
        .campaign("camp_generic", "orders_amount", 2000);
    let before = audit.state();
    let answer = audit.redeem("generic-1", &body, &change);
    assert_eq!(answer["result"]["order"]["total_amount"], 1500);
    assert_eq!(
        first(&answer)["order"]["total_applied_discount_amount"],
        500
    );
    assert_eq!(answer["result"]["earned_points"][0]["points"], 15);
    assert_eq!(answer["earned_points"], not_credited(15, "no_loyalty_card"));
    // Published with 40 of 100 used: the ledger went on from 40.
    assert_eq!(
        read_state(&env.db).counter("redeemable", "voucher:SAVE5", "redeemed_quantity"),
        41
    );
    audit.roll_back(
        "generic-1",
        &body,
        &answer,
        &[
            ("redeemable", "voucher:SAVE5", "redeemed_quantity", -1),
            ("campaign", "camp_generic", "redemptions", -1),
            ("campaign", "camp_generic", "amount_discounted", -500),
            ("campaign", "camp_generic", "orders_amount", -2000),
        ],
        &before,
    );
    drop(server);
    support::audit_item_counts(&env.db);
}

fn once_error(server: &Server, id: &str) -> Value {
    let v = server.validate(&voucher(id, None, mugs(1)));
    v["inapplicable_redeemables"][0]["result"]["error"]["key"].clone()
}

#[test]
fn unique_codes_with_and_without_a_voucher_id() {
    let (env, server) = audit_env();
    let audit = Audit::new(&env, &server);
    for (code, key) in [
        ("UNIQ-1", "voucher:v_uniq_1".to_string()),
        ("UNIQ-2", code_key("UNIQ-2")),
    ] {
        let body = voucher(code, Some("cust_x"), mugs(3));
        // 10% of 30.00 = 3.00 → 27.00, 27 points not credited.
        let change = Change::new()
            .redeemed(&key, "camp_unique", Some("cust_x"))
            .campaign("camp_unique", "amount_discounted", 300)
            .campaign("camp_unique", "orders_amount", 3000);
        let before = audit.state();
        let answer = audit.redeem(code, &body, &change);
        assert_eq!(answer["status"], "SUCCEEDED");
        assert_eq!(answer["result"]["order"]["total_amount"], 2700);
        assert_eq!(
            first(&answer)["order"]["total_applied_discount_amount"],
            300
        );
        assert_eq!(answer["earned_points"], not_credited(27, "no_loyalty_card"));
        assert_eq!(once_error(&server, code), "quantity_exceeded");
        audit.roll_back(
            code,
            &body,
            &answer,
            &[
                ("redeemable", &key, "redeemed_quantity", -1),
                ("campaign", "camp_unique", "redemptions", -1),
                ("campaign", "camp_unique", "amount_discounted", -300),
                ("campaign", "camp_unique", "orders_amount", -3000),
            ],
            &before,
        );
        let v = server.validate(&voucher(code, None, mugs(1)));
        assert_eq!(v["valid"], true, "{code} is redeemable again: {v}");
    }
    assert_eq!(once_error(&server, "v_uniq_1"), Value::Null);
}

#[test]
fn gift_cards_with_and_without_a_voucher_id() {
    let (env, server) = audit_env();
    let audit = Audit::new(&env, &server);
    // 15.00 asked of a 50.00 card on a 20.00 order: 5.00 to pay, 35.00 left.
    let body = json!({"redeemables": [{"object": "voucher", "id": "GIFT-1", "gift": {"credits": 1500}}],
                      "order": mugs(2), "customer": {"source_id": "cust_x"}});
    let change = Change::new()
        .redeemed("voucher:v_gift_1", "camp_gift", Some("cust_x"))
        .balance("voucher:v_gift_1", 3500)
        .campaign("camp_gift", "amount_discounted", 1500)
        .campaign("camp_gift", "gift_amount", 1500)
        .campaign("camp_gift", "orders_amount", 2000);
    let answer = audit.cycle(
        "gift-1",
        &body,
        &change,
        &[
            ("redeemable", "voucher:v_gift_1", "redeemed_quantity", -1),
            ("gift_balance", "voucher:v_gift_1", "gift_balance", 1500),
            ("campaign", "camp_gift", "redemptions", -1),
            ("campaign", "camp_gift", "amount_discounted", -1500),
            ("campaign", "camp_gift", "gift_amount", -1500),
            ("campaign", "camp_gift", "orders_amount", -2000),
        ],
    );
    assert_eq!(
        first(&answer)["result"]["gift"],
        json!({"credits": 1500, "balance": 3500})
    );
    assert_eq!(answer["result"]["order"]["total_amount"], 500);
    assert_eq!(answer["earned_points"], not_credited(5, "no_loyalty_card"));

    // No credits asked: the whole 30.00 goes to a 40.00 order; the card is empty.
    let key = code_key("GIFT-2");
    let body = json!({"redeemables": [{"object": "voucher", "id": "GIFT-2"}], "order": mugs(4)});
    let change = Change::new()
        .redeemed(&key, "camp_gift", None)
        .balance(&key, 0)
        .campaign("camp_gift", "amount_discounted", 3000)
        .campaign("camp_gift", "gift_amount", 3000)
        .campaign("camp_gift", "orders_amount", 4000);
    let before = audit.state();
    let answer = audit.redeem("gift-2", &body, &change);
    assert_eq!(
        first(&answer)["result"]["gift"],
        json!({"credits": 3000, "balance": 0})
    );
    assert_eq!(answer["result"]["order"]["total_amount"], 1000);
    assert_eq!(answer["earned_points"], not_credited(10, "no_customer"));
    let empty = server.redeem("gift-2-again", &body).json();
    assert_eq!(
        empty["status"], "FAILED",
        "an empty card pays nothing: {empty}"
    );
    audit.roll_back(
        "gift-2",
        &body,
        &answer,
        &[
            ("redeemable", &key, "redeemed_quantity", -1),
            ("gift_balance", &key, "gift_balance", 3000),
            ("campaign", "camp_gift", "redemptions", -1),
            ("campaign", "camp_gift", "amount_discounted", -3000),
            ("campaign", "camp_gift", "gift_amount", -3000),
            ("campaign", "camp_gift", "orders_amount", -4000),
        ],
        &before,
    );
    let v = server.validate(
        &json!({"redeemables": [{"object": "voucher", "id": "GIFT-2"}], "order": mugs(4)}),
    );
    assert_eq!(
        v["redeemables"][0]["result"]["gift"],
        json!({"credits": 3000, "balance": 0})
    );
}

fn pay_with_points(card: &str, points: i64, customer: &str, order: Value) -> Value {
    json!({"redeemables": [{"object": "voucher", "id": card, "reward": {"id": "rew_coin", "points": points}}],
           "order": order, "customer": {"source_id": customer}})
}

/// The card's balance as the origin's validation reports it (the ledger
/// value the engine is given).
fn live_points(server: &Server, card: &str, customer: &str) -> i64 {
    // A card presented without a reward spends nothing and shows its balance.
    let v = server.validate(&voucher(card, Some(customer), mugs(1)));
    assert_eq!(
        v["redeemables"][0]["result"]["loyalty_card"]["points"], 0,
        "{v}"
    );
    v["redeemables"][0]["result"]["loyalty_card"]["balance"]
        .as_i64()
        .unwrap_or_else(|| panic!("{v}"))
}

#[test]
fn a_loyalty_card_with_an_id_pays_with_points_and_earns() {
    let (env, server) = audit_env();
    let audit = Audit::new(&env, &server);
    // 300 points = 3.00 off 20.00 → 17.00 paid → 17 points earned:
    // 1000 − 300 + 17 = 717.
    let body = pay_with_points("CARD-A", 300, "cust_a", mugs(2));
    let change = Change::new()
        .redeemed("voucher:v_card_a", "camp_loyal", Some("cust_a"))
        .balance("voucher:v_card_a", 717)
        .campaign("camp_loyal", "amount_discounted", 300)
        .campaign("camp_loyal", "points_used", 300)
        .campaign("camp_loyal", "orders_amount", 2000);
    let before = audit.state();
    let answer = audit.redeem("card-a", &body, &change);
    assert_eq!(answer["result"]["order"]["total_amount"], 1700);
    // The engine's balance is after the points spent; the ledger's line
    // adds the points earned.
    assert_eq!(
        first(&answer)["result"]["loyalty_card"],
        json!({"points": 300, "balance": 700})
    );
    assert_eq!(
        answer["earned_points"],
        credited(17, "voucher:v_card_a", 717)
    );
    assert_eq!(live_points(&server, "CARD-A", "cust_a"), 717);
    audit.roll_back(
        "card-a",
        &body,
        &answer,
        &[
            ("redeemable", "voucher:v_card_a", "redeemed_quantity", -1),
            (
                "loyalty_balance",
                "voucher:v_card_a",
                "loyalty_balance",
                300,
            ),
            ("campaign", "camp_loyal", "redemptions", -1),
            ("campaign", "camp_loyal", "amount_discounted", -300),
            ("campaign", "camp_loyal", "points_used", -300),
            ("campaign", "camp_loyal", "orders_amount", -2000),
            (
                "loyalty_balance",
                "voucher:v_card_a",
                "loyalty_balance",
                -17,
            ),
        ],
        &before,
    );
    assert_eq!(live_points(&server, "CARD-A", "cust_a"), 1000);
}

/// Issue 18, item 1: a card published without an id earned nothing.
#[test]
fn a_loyalty_card_without_an_id_pays_with_points_and_earns() {
    let (env, server) = audit_env();
    let audit = Audit::new(&env, &server);
    // 200 points = 2.00 off 25.00 → 23.00 paid → 23 points: 800 − 200 + 23 = 623.
    let body = pay_with_points(
        "CARD-B",
        200,
        "cust_b",
        json!({"items": [{"product_id": "prod_tee", "quantity": 1}]}),
    );
    let change = Change::new()
        .redeemed(CARD_B, "camp_loyal", Some("cust_b"))
        .balance(CARD_B, 623)
        .campaign("camp_loyal", "amount_discounted", 200)
        .campaign("camp_loyal", "points_used", 200)
        .campaign("camp_loyal", "orders_amount", 2500);
    let before = audit.state();
    let answer = audit.redeem("card-b", &body, &change);
    assert_eq!(answer["result"]["order"]["total_amount"], 2300);
    assert_eq!(
        first(&answer)["result"]["loyalty_card"],
        json!({"points": 200, "balance": 600})
    );
    assert_eq!(answer["result"]["earned_points"][0]["points"], 23);
    assert_eq!(answer["earned_points"], credited(23, CARD_B, 623));
    assert_eq!(live_points(&server, "CARD-B", "cust_b"), 623);
    audit.roll_back(
        "card-b",
        &body,
        &answer,
        &[
            ("redeemable", CARD_B, "redeemed_quantity", -1),
            ("loyalty_balance", CARD_B, "loyalty_balance", 200),
            ("campaign", "camp_loyal", "redemptions", -1),
            ("campaign", "camp_loyal", "amount_discounted", -200),
            ("campaign", "camp_loyal", "points_used", -200),
            ("campaign", "camp_loyal", "orders_amount", -2500),
            ("loyalty_balance", CARD_B, "loyalty_balance", -23),
        ],
        &before,
    );
    assert_eq!(live_points(&server, "CARD-B", "cust_b"), 800);
}

#[test]
fn points_earned_without_presenting_the_card_reach_it_with_or_without_an_id() {
    let (env, server) = audit_env();
    let audit = Audit::new(&env, &server);
    for (customer, card, key, published) in [
        ("cust_a", "CARD-A", "voucher:v_card_a", 1000),
        ("cust_b", "CARD-B", CARD_B, 800),
    ] {
        // 20.00 − 5.00 = 15.00 paid → 15 points on the customer's card.
        let body = voucher("SAVE5", Some(customer), mugs(2));
        let change = Change::new()
            .redeemed("voucher:SAVE5", "camp_generic", Some(customer))
            .campaign("camp_generic", "amount_discounted", 500)
            .campaign("camp_generic", "orders_amount", 2000)
            .balance(key, published + 15);
        let answer = audit.cycle(
            &format!("earn-{customer}"),
            &body,
            &change,
            &[
                ("redeemable", "voucher:SAVE5", "redeemed_quantity", -1),
                ("campaign", "camp_generic", "redemptions", -1),
                ("campaign", "camp_generic", "amount_discounted", -500),
                ("campaign", "camp_generic", "orders_amount", -2000),
                ("loyalty_balance", key, "loyalty_balance", -15),
            ],
        );
        assert_eq!(answer["earned_points"], credited(15, key, published + 15));
        // Earn again and keep it: the card, presented, shows the points.
        let kept = audit.redeem(&format!("keep-{customer}"), &body, &change);
        assert_eq!(kept["earned_points"], credited(15, key, published + 15));
        assert_eq!(live_points(&server, card, customer), published + 15);
    }
}

#[test]
fn points_with_no_card_to_go_to_are_reported_not_invented() {
    let (env, server) = audit_env();
    let audit = Audit::new(&env, &server);
    for (key, customer, reason) in [
        ("cardless", Some("cust_c"), "no_loyalty_card"),
        ("anonymous", None, "no_customer"),
    ] {
        let body = voucher("SAVE5", customer, mugs(2));
        let change = Change::new()
            .redeemed("voucher:SAVE5", "camp_generic", customer)
            .campaign("camp_generic", "amount_discounted", 500)
            .campaign("camp_generic", "orders_amount", 2000);
        let answer = audit.cycle(
            key,
            &body,
            &change,
            &[
                ("redeemable", "voucher:SAVE5", "redeemed_quantity", -1),
                ("campaign", "camp_generic", "redemptions", -1),
                ("campaign", "camp_generic", "amount_discounted", -500),
                ("campaign", "camp_generic", "orders_amount", -2000),
            ],
        );
        assert_eq!(answer["result"]["earned_points"][0]["points"], 15);
        assert_eq!(answer["earned_points"], not_credited(15, reason));
    }
    // Someone else's card presented (without a reward it spends nothing)
    // does not take the points either.
    let body = json!({"redeemables": [{"object": "voucher", "id": "SAVE5"}, {"object": "voucher", "id": "CARD-A"}],
                      "order": mugs(2), "customer": {"source_id": "cust_c"}});
    let change = Change::new()
        .redeemed("voucher:SAVE5", "camp_generic", Some("cust_c"))
        .campaign("camp_generic", "amount_discounted", 500)
        .campaign("camp_generic", "orders_amount", 2000)
        .redeemed("voucher:v_card_a", "camp_loyal", Some("cust_c"))
        .campaign("camp_loyal", "orders_amount", 2000);
    let v = audit.redeem("not-mine", &body, &change);
    assert_eq!(
        v["result"]["redeemables"][1]["result"]["loyalty_card"],
        json!({"points": 0, "balance": 1000})
    );
    assert_eq!(v["earned_points"], not_credited(15, "no_loyalty_card"));
    assert_eq!(live_points(&server, "CARD-A", "cust_a"), 1000);
}

/// cust_d holds two cards without an id (Voucherify would not allow it):
/// each is keyed by its code, and points earned with neither presented are
/// not given to one of them by guess. A card of nobody, presented, takes
/// the points of the shopper using it.
#[test]
fn several_cards_are_not_guessed_between_and_a_card_of_nobody_takes_the_points() {
    let (env, server) = audit_env();
    let audit = Audit::new(&env, &server);
    let body = voucher("SAVE5", Some("cust_d"), mugs(2));
    let change = Change::new()
        .redeemed("voucher:SAVE5", "camp_generic", Some("cust_d"))
        .campaign("camp_generic", "amount_discounted", 500)
        .campaign("camp_generic", "orders_amount", 2000);
    let answer = audit.redeem("ambiguous", &body, &change);
    assert_eq!(
        answer["earned_points"],
        not_credited(15, "loyalty_card_ambiguous")
    );

    // 1.00 for 100 points off 20.00 → 19.00 paid → 19 points: 200 − 100 + 19 = 119.
    let d2 = code_key("CARD-D2");
    let body = pay_with_points("CARD-D2", 100, "cust_d", mugs(2));
    let change = Change::new()
        .redeemed(&d2, "camp_loyal", Some("cust_d"))
        .balance(&d2, 119)
        .campaign("camp_loyal", "amount_discounted", 100)
        .campaign("camp_loyal", "points_used", 100)
        .campaign("camp_loyal", "orders_amount", 2000);
    let answer = audit.cycle(
        "presented",
        &body,
        &change,
        &[
            ("redeemable", &d2, "redeemed_quantity", -1),
            ("loyalty_balance", &d2, "loyalty_balance", 100),
            ("campaign", "camp_loyal", "redemptions", -1),
            ("campaign", "camp_loyal", "amount_discounted", -100),
            ("campaign", "camp_loyal", "points_used", -100),
            ("campaign", "camp_loyal", "orders_amount", -2000),
            ("loyalty_balance", &d2, "loyalty_balance", -19),
        ],
    );
    assert_eq!(answer["earned_points"], credited(19, &d2, 119));

    // 15.00 paid by cust_c (no card of their own) with a card of nobody: 500 + 15.
    let anon = code_key("CARD-ANON");
    let body = json!({"redeemables": [{"object": "voucher", "id": "SAVE5"}, {"object": "voucher", "id": "CARD-ANON"}],
                      "order": mugs(2), "customer": {"source_id": "cust_c"}});
    let change = Change::new()
        .redeemed("voucher:SAVE5", "camp_generic", Some("cust_c"))
        .campaign("camp_generic", "amount_discounted", 500)
        .campaign("camp_generic", "orders_amount", 2000)
        .redeemed(&anon, "camp_loyal", Some("cust_c"))
        .campaign("camp_loyal", "orders_amount", 2000)
        .balance(&anon, 515);
    let answer = audit.cycle(
        "anonymous-card",
        &body,
        &change,
        &[
            ("redeemable", "voucher:SAVE5", "redeemed_quantity", -1),
            ("campaign", "camp_generic", "redemptions", -1),
            ("campaign", "camp_generic", "amount_discounted", -500),
            ("redeemable", &anon, "redeemed_quantity", -1),
            ("campaign", "camp_loyal", "redemptions", -1),
            ("campaign", "camp_generic", "orders_amount", -2000),
            ("campaign", "camp_loyal", "orders_amount", -2000),
            ("loyalty_balance", &anon, "loyalty_balance", -15),
        ],
    );
    assert_eq!(answer["earned_points"], credited(15, &anon, 515));
}

#[test]
fn a_referral_code_counts_for_the_referee_and_refuses_its_referrer() {
    let (env, server) = audit_env();
    let audit = Audit::new(&env, &server);
    // 20.00 − 7.00 = 13.00 → 13 points, the referee has no card.
    let body = voucher("REF-ANNA", Some("cust_z"), mugs(2));
    let change = Change::new()
        .redeemed("voucher:v_ref_anna", "camp_ref", Some("cust_z"))
        .campaign("camp_ref", "amount_discounted", 700)
        .campaign("camp_ref", "orders_amount", 2000);
    let answer = audit.cycle(
        "ref-1",
        &body,
        &change,
        &[
            ("redeemable", "voucher:v_ref_anna", "redeemed_quantity", -1),
            ("campaign", "camp_ref", "redemptions", -1),
            ("campaign", "camp_ref", "amount_discounted", -700),
            ("campaign", "camp_ref", "orders_amount", -2000),
        ],
    );
    assert_eq!(answer["result"]["order"]["total_amount"], 1300);
    assert_eq!(answer["earned_points"], not_credited(13, "no_loyalty_card"));
    // The referrer's own use is FAILED and moves nothing.
    let before = audit.state();
    let own = server
        .redeem("ref-own", &voucher("REF-ANNA", Some("cust_anna"), mugs(2)))
        .json();
    assert_eq!(own["status"], "FAILED");
    assert_eq!(
        own["result"]["inapplicable_redeemables"][0]["result"]["error"]["key"],
        "referrer_not_permitted_to_redeem"
    );
    assert_eq!(
        own["earned_points"],
        json!([]),
        "a FAILED redemption credits nothing"
    );
    assert_eq!(audit.state(), before);
}

#[test]
fn a_promotion_tier_and_a_stack_of_tiers() {
    let (env, server) = audit_env();
    let audit = Audit::new(&env, &server);
    let body = json!({"redeemables": [{"object": "promotion_tier", "id": "promo_big"}], "order": mugs(3),
                      "customer": {"source_id": "cust_x"}});
    let change = Change::new()
        .redeemed("tier:promo_big", "camp_promo", Some("cust_x"))
        .campaign("camp_promo", "amount_discounted", 300)
        .campaign("camp_promo", "orders_amount", 3000);
    let answer = audit.cycle(
        "tier-1",
        &body,
        &change,
        &[
            ("redeemable", "tier:promo_big", "redeemed_quantity", -1),
            ("campaign", "camp_promo", "redemptions", -1),
            ("campaign", "camp_promo", "amount_discounted", -300),
            ("campaign", "camp_promo", "orders_amount", -3000),
        ],
    );
    assert_eq!(answer["result"]["order"]["total_amount"], 2700);

    // 30.00 − 3.00 = 27.00, then 10% = 2.70 → 24.30: two tiers, two items,
    // the order's amount once for their campaign.
    let body = json!({"redeemables": [{"object": "promotion_stack", "id": "stack_pair"}], "order": mugs(3)});
    let change = Change::new()
        .redeemed("tier:promo_big", "camp_promo", None)
        .redeemed("tier:promo_pct", "camp_promo", None)
        .campaign("camp_promo", "amount_discounted", 570)
        .campaign("camp_promo", "orders_amount", 3000);
    let answer = audit.cycle(
        "stack-1",
        &body,
        &change,
        &[
            ("redeemable", "tier:promo_big", "redeemed_quantity", -1),
            ("campaign", "camp_promo", "redemptions", -1),
            ("campaign", "camp_promo", "amount_discounted", -300),
            ("redeemable", "tier:promo_pct", "redeemed_quantity", -1),
            ("campaign", "camp_promo", "redemptions", -1),
            ("campaign", "camp_promo", "amount_discounted", -270),
            ("campaign", "camp_promo", "orders_amount", -3000),
        ],
    );
    assert_eq!(answer["result"]["order"]["total_amount"], 2430);
    let discounts: Vec<&Value> = answer["result"]["redeemables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["order"]["total_applied_discount_amount"])
        .collect();
    assert_eq!(discounts, [&json!(300), &json!(270)]);
    assert_eq!(answer["earned_points"], not_credited(24, "no_customer"));
}

#[test]
fn one_order_with_a_code_a_gift_card_and_points() {
    let (env, server) = audit_env();
    let audit = Audit::new(&env, &server);
    // 30.00 − 5.00 (SAVE5) = 25.00 − 10.00 gift = 15.00 − 1.00 for 100
    // points = 14.00 paid → 14 points: 1000 − 100 + 14 = 914.
    let body = json!({"redeemables": [{"object": "voucher", "id": "SAVE5"},
                                      {"object": "voucher", "id": "GIFT-1", "gift": {"credits": 1000}},
                                      {"object": "voucher", "id": "CARD-A", "reward": {"id": "rew_coin", "points": 100}}],
                      "order": mugs(3), "customer": {"source_id": "cust_a"}});
    let change = Change::new()
        .redeemed("voucher:SAVE5", "camp_generic", Some("cust_a"))
        .campaign("camp_generic", "amount_discounted", 500)
        .campaign("camp_generic", "orders_amount", 3000)
        .redeemed("voucher:v_gift_1", "camp_gift", Some("cust_a"))
        .balance("voucher:v_gift_1", 4000)
        .campaign("camp_gift", "amount_discounted", 1000)
        .campaign("camp_gift", "gift_amount", 1000)
        .campaign("camp_gift", "orders_amount", 3000)
        .redeemed("voucher:v_card_a", "camp_loyal", Some("cust_a"))
        .balance("voucher:v_card_a", 914)
        .campaign("camp_loyal", "amount_discounted", 100)
        .campaign("camp_loyal", "points_used", 100)
        .campaign("camp_loyal", "orders_amount", 3000);
    let answer = audit.cycle(
        "mixed-1",
        &body,
        &change,
        &[
            ("redeemable", "voucher:SAVE5", "redeemed_quantity", -1),
            ("campaign", "camp_generic", "redemptions", -1),
            ("campaign", "camp_generic", "amount_discounted", -500),
            ("redeemable", "voucher:v_gift_1", "redeemed_quantity", -1),
            ("gift_balance", "voucher:v_gift_1", "gift_balance", 1000),
            ("campaign", "camp_gift", "redemptions", -1),
            ("campaign", "camp_gift", "amount_discounted", -1000),
            ("campaign", "camp_gift", "gift_amount", -1000),
            ("redeemable", "voucher:v_card_a", "redeemed_quantity", -1),
            (
                "loyalty_balance",
                "voucher:v_card_a",
                "loyalty_balance",
                100,
            ),
            ("campaign", "camp_loyal", "redemptions", -1),
            ("campaign", "camp_loyal", "amount_discounted", -100),
            ("campaign", "camp_loyal", "points_used", -100),
            ("campaign", "camp_generic", "orders_amount", -3000),
            ("campaign", "camp_gift", "orders_amount", -3000),
            ("campaign", "camp_loyal", "orders_amount", -3000),
            (
                "loyalty_balance",
                "voucher:v_card_a",
                "loyalty_balance",
                -14,
            ),
        ],
    );
    assert_eq!(answer["result"]["order"]["total_amount"], 1400);
    assert_eq!(
        answer["earned_points"],
        credited(14, "voucher:v_card_a", 914)
    );
    drop(server);
    support::audit_item_counts(&env.db);
}

/// Rolls a redemption back; answers its `reverted` entries for points.
fn roll_back_points(server: &Server, answer: &Value) -> Vec<Value> {
    let (a, b) = auth();
    let id = answer["id"].as_str().unwrap();
    let r = server.post(&format!("/v1/redemptions/{id}/rollback"), &[(a, &b)], "");
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["reverted"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["scope"] == "loyalty_balance")
        .cloned()
        .collect()
}

fn card_b_points(delta: i64) -> Value {
    json!({"scope": "loyalty_balance", "key": CARD_B, "name": "loyalty_balance", "delta": delta})
}

/// cust_b earns 15 points with SAVE5 on two mugs (the card then holds `balance`).
fn earn_15(audit: &Audit<'_>, key: &str, balance: i64) -> Value {
    let answer = audit.redeem(
        key,
        &voucher("SAVE5", Some("cust_b"), mugs(2)),
        &Change::new()
            .redeemed("voucher:SAVE5", "camp_generic", Some("cust_b"))
            .campaign("camp_generic", "amount_discounted", 500)
            .campaign("camp_generic", "orders_amount", 2000)
            .balance(CARD_B, balance),
    );
    assert_eq!(answer["earned_points"], credited(15, CARD_B, balance));
    answer
}

/// cust_b pays for one mug with all 815 points: 8.15 off 10.00 → 1.85
/// paid → 1 point back.
fn spend_815(audit: &Audit<'_>, key: &str) -> Value {
    let answer = audit.redeem(
        key,
        &pay_with_points("CARD-B", 815, "cust_b", mugs(1)),
        &Change::new()
            .redeemed(CARD_B, "camp_loyal", Some("cust_b"))
            .balance(CARD_B, 1)
            .campaign("camp_loyal", "amount_discounted", 815)
            .campaign("camp_loyal", "points_used", 815)
            .campaign("camp_loyal", "orders_amount", 1000),
    );
    assert_eq!(answer["result"]["order"]["total_amount"], 185);
    assert_eq!(answer["earned_points"], credited(1, CARD_B, 1));
    answer
}

/// Points earned and then spent before the rollback: the rollback takes
/// back only what is left (a balance never goes negative) and names the
/// shortfall; rolled back in the other order, everything returns.
#[test]
fn a_rollback_takes_back_earned_points_only_while_they_are_there() {
    let (env, server) = audit_env();
    let audit = Audit::new(&env, &server);
    let earned = earn_15(&audit, "earn-1", 815);
    let spent = spend_815(&audit, "spend-1");
    // The later order first: 815 return, its 1 point goes; then the 15.
    assert_eq!(
        roll_back_points(&server, &spent),
        [card_b_points(815), card_b_points(-1)]
    );
    assert_eq!(live_points(&server, "CARD-B", "cust_b"), 815);
    assert_eq!(roll_back_points(&server, &earned), [card_b_points(-15)]);
    assert_eq!(live_points(&server, "CARD-B", "cust_b"), 800);

    // The earlier order first: of its 15 points only the 1 left can go,
    // and the answer says 14 could not.
    let earned = earn_15(&audit, "earn-2", 815);
    let spent = spend_815(&audit, "spend-2");
    let mut short = card_b_points(-1);
    short["shortfall"] = json!(14);
    assert_eq!(roll_back_points(&server, &earned), [short]);
    assert_eq!(live_points(&server, "CARD-B", "cust_b"), 0);
    assert_eq!(
        roll_back_points(&server, &spent),
        [card_b_points(815), card_b_points(-1)]
    );
    assert_eq!(live_points(&server, "CARD-B", "cust_b"), 814);
    drop(server);
    support::audit_item_counts(&env.db);
}

/// A new publication salts unique codes afresh; the ledger keys of codes
/// and cards without an id must not move with the salt.
#[test]
fn a_republished_bundle_keeps_what_codes_and_cards_without_an_id_hold() {
    let env = Env::with_fixture("audit");
    let mut server = env.serve();
    let gift = json!({"redeemables": [{"object": "voucher", "id": "GIFT-2", "gift": {"credits": 1200}}],
                      "order": mugs(2)});
    assert_eq!(server.redeem("g", &gift).json()["status"], "SUCCEEDED");
    let card = pay_with_points("CARD-B", 100, "cust_b", mugs(1));
    // 1.00 off 10.00 → 9 points: 800 − 100 + 9 = 709.
    assert_eq!(
        server.redeem("c", &card).json()["earned_points"],
        credited(9, CARD_B, 709)
    );
    assert_eq!(
        server.redeem("u", &voucher("UNIQ-2", None, mugs(1))).json()["status"],
        "SUCCEEDED"
    );
    server.stop();
    let before = read_state(&env.db);

    std::fs::write(
        env.path("source/campaigns/extra.json"),
        r#"{"campaigns": [{"id": "camp_new", "campaign_type": "DISCOUNT_COUPONS",
            "voucher": {"discount": {"type": "AMOUNT", "amount_off": 50}}, "vouchers": [{"code": "NEW"}]}]}"#,
    )
    .unwrap();
    let server = env.serve();
    let b = server.get("/v1/bundles/web", &[]);
    assert_eq!(b.header("x-snapshot-version"), Some("2"));
    assert_eq!(read_state(&env.db), before);
    // 30.00 − 12.00 = 18.00 left; 709 points; UNIQ-2 used up.
    let v = server.validate(
        &json!({"redeemables": [{"object": "voucher", "id": "GIFT-2"}], "order": mugs(4)}),
    );
    assert_eq!(
        v["redeemables"][0]["result"]["gift"],
        json!({"credits": 1800, "balance": 0})
    );
    assert_eq!(live_points(&server, "CARD-B", "cust_b"), 709);
    assert_eq!(once_error(&server, "UNIQ-2"), "quantity_exceeded");
}

/// What a storefront computes with the bundle it holds: the engine, loaded
/// from the served bundle, validating the request locally.
struct Client {
    engine: promo_edge::Engine,
    version: u64,
}

impl Client {
    fn load(server: &Server) -> Client {
        let bundle = server.get("/v1/bundles/web", &[]).bytes;
        let jwks = server.get("/v1/keys", &[]).body;
        let mut engine = promo_edge::Engine::new();
        let now = promo_edge::time::Instant::parse(support::NOW).unwrap();
        let report = engine.load_bundle(&bundle, &jwks, now, 0).unwrap();
        Client {
            engine,
            version: report.version,
        }
    }

    /// The redemption body a client sends: the request, its preview as
    /// `expected`, its snapshot version and its choice.
    /// The redemption body a storefront sends after showing its preview:
    /// the full preview (every redeemable's own order included) as `expected`.
    fn body(&self, request: &Value, on_difference: &str) -> Value {
        let mut shown = request.clone();
        shown["options"] = json!({"expand": ["order"]});
        let preview = self
            .engine
            .validate_json(&shown.to_string(), support::NOW)
            .unwrap();
        let mut body = request.clone();
        body["expected"] = serde_json::from_str(&preview).unwrap();
        body["snapshot_version"] = json!(self.version);
        body["on_difference"] = json!(on_difference);
        body
    }
}

fn summary(answer: &Value) -> Vec<(String, Value, Value, String, Value)> {
    answer["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["client"].clone(),
                d["origin"].clone(),
                d["reason"].as_str().unwrap().to_string(),
                d["cause"].clone(),
            )
        })
        .collect()
}

/// The shopper saw 40.00 with bundle 1: 2 × 10.00 + 25.00 = 45.00 − 5.00
/// (40 points; cust_x has no card). Bundle 2 prices the mug at 9.00, so
/// the origin computes 38.00. Returns the server on bundle 2 and the
/// stale redemption body (with REJECT).
fn a_price_moved(env: &Env) -> (Server, Value) {
    let mut server = env.serve();
    let old = Client::load(&server);
    let request = json!({"redeemables": [{"object": "voucher", "id": "SAVE5"}],
                         "order": {"items": [{"product_id": "prod_mug", "quantity": 2},
                                             {"product_id": "prod_tee", "quantity": 1}]},
                         "customer": {"source_id": "cust_x"}});
    let stale = old.body(&request, "REJECT");
    assert_eq!(stale["expected"]["order"]["total_amount"], 4000);
    server.stop();
    let project = std::fs::read_to_string(env.path("source/project.json"))
        .unwrap()
        .replace(
            r#""name": "Mug", "price": 1000"#,
            r#""name": "Mug", "price": 900"#,
        );
    std::fs::write(env.path("source/project.json"), project).unwrap();
    (env.serve(), stale)
}

/// What a redemption of the stale body changes once redeemed at 38.00.
fn moved_change() -> Change {
    Change::new()
        .redeemed("voucher:SAVE5", "camp_generic", Some("cust_x"))
        .campaign("camp_generic", "amount_discounted", 500)
        .campaign("camp_generic", "orders_amount", 4300)
}

/// Issue 18, item 5: under REJECT a price that moved redeems nothing and
/// the answer says what changed; only the idempotency record is kept.
#[test]
fn reject_refuses_a_price_that_moved_since_the_shoppers_bundle() {
    let env = Env::with_fixture("audit");
    let (server, stale) = a_price_moved(&env);
    let audit = Audit::new(&env, &server);
    let before = audit.state();
    let r = server.redeem("stale-reject", &stale);
    assert_eq!(r.status, 409, "{}", r.body);
    let rejected = r.json();
    assert_eq!(support::error_code(&rejected), "REDEMPTION_RESULT_CHANGED");
    assert_eq!(rejected["status"], "REJECTED");
    assert_eq!(rejected["snapshot_version"], 2);
    let moved = json!("snapshot_version_differs");
    assert_eq!(
        summary(&rejected),
        [
            (
                "snapshot_version".into(),
                json!(1),
                json!(2),
                "snapshot_version_differs".into(),
                Value::Null
            ),
            (
                "order.amount".into(),
                json!(4500),
                json!(4300),
                "amount_changed".into(),
                moved.clone()
            ),
            (
                "order.initial_amount".into(),
                json!(4500),
                json!(4300),
                "amount_changed".into(),
                moved.clone()
            ),
            (
                "order.total_amount".into(),
                json!(4000),
                json!(3800),
                "total_changed".into(),
                moved.clone()
            ),
            (
                "earned_points[camp_loyal].points".into(),
                json!(40),
                json!(38),
                "points_changed".into(),
                moved
            ),
        ]
    );
    assert_eq!(
        rejected["result"]["order"]["total_amount"], 3800,
        "the origin's result, to confirm"
    );
    assert_eq!(rejected["earned_points"], json!([]));
    assert_eq!(audit.state(), before, "nothing redeemed");
    // A replay is the same 409; the record is there, and cannot be rolled back.
    let again = server.redeem("stale-reject", &stale);
    assert_eq!(
        (again.status, again.header("idempotent-replayed")),
        (409, Some("true"))
    );
    assert_eq!(again.body, r.body);
    let id = rejected["id"].as_str().unwrap();
    assert_eq!(audit.get(id)["status"], "REJECTED");
    let (a, b) = auth();
    let rb = server.post(&format!("/v1/redemptions/{id}/rollback"), &[(a, &b)], "");
    assert_eq!(
        (rb.status, rb.code()),
        (409, json!("REDEMPTION_NOT_SUCCEEDED"))
    );
    assert_eq!(audit.state(), before);

    // The shopper confirms 38.00: the origin's result as `expected`, a new key.
    let mut confirmed = stale.clone();
    confirmed["expected"] = rejected["result"].clone();
    confirmed["snapshot_version"] = json!(2);
    let ok = audit.redeem("confirmed", &confirmed, &moved_change());
    assert_eq!(
        (ok["status"].clone(), ok["differences"].clone()),
        (json!("SUCCEEDED"), json!([]))
    );
}

/// ACCEPT, the default: redeemed at the origin's 38.00, the differences
/// reported with the same labels.
#[test]
fn accept_redeems_a_price_that_moved_at_the_origins_total() {
    let env = Env::with_fixture("audit");
    let (server, mut stale) = a_price_moved(&env);
    let audit = Audit::new(&env, &server);
    stale.as_object_mut().unwrap().remove("on_difference");
    let ok = audit.redeem("stale-accept", &stale, &moved_change());
    assert_eq!(ok["status"], "SUCCEEDED");
    assert_eq!(ok["result"]["order"]["total_amount"], 3800);
    let reasons: Vec<String> = summary(&ok).into_iter().map(|d| d.3).collect();
    assert_eq!(
        reasons,
        [
            "snapshot_version_differs",
            "amount_changed",
            "amount_changed",
            "total_changed",
            "points_changed"
        ]
    );
    stale["on_difference"] = json!("ACCEPT");
    let ok = audit.redeem("stale-accept-explicit", &stale, &moved_change());
    assert_eq!(ok["result"]["order"]["total_amount"], 3800);
}

#[test]
fn reject_leaves_alone_what_did_not_change_for_the_shopper() {
    let env = Env::with_fixture("audit");
    let server = env.serve();
    let client = Client::load(&server);
    let audit = Audit::new(&env, &server);
    // The same result under another snapshot version redeems.
    let mut body = client.body(&voucher("SAVE5", Some("cust_x"), mugs(2)), "REJECT");
    body["snapshot_version"] = json!(0);
    let change = Change::new()
        .redeemed("voucher:SAVE5", "camp_generic", Some("cust_x"))
        .campaign("camp_generic", "amount_discounted", 500)
        .campaign("camp_generic", "orders_amount", 2000);
    let ok = audit.redeem("same-result", &body, &change);
    assert_eq!(ok["status"], "SUCCEEDED");
    assert_eq!(
        summary(&ok),
        [(
            "snapshot_version".into(),
            json!(0),
            json!(1),
            "snapshot_version_differs".into(),
            Value::Null
        )]
    );
    // A code used up elsewhere: FAILED as always (nothing to confirm), not a 409.
    let once = client.body(&voucher("UNIQ-1", Some("cust_x"), mugs(1)), "REJECT");
    assert_eq!(server.redeem("u-1", &once).json()["status"], "SUCCEEDED");
    let before = audit.state();
    let r = server.redeem("u-2", &once);
    assert_eq!(support::redemption_status(&r), "FAILED");
    let failed = r.json();
    assert_eq!(
        (failed["code"].clone(), failed["key"].clone()),
        (json!(400), json!("quantity_exceeded"))
    );
    assert_eq!(failed["differences"][0]["reason"], "quantity_exceeded");
    assert_eq!(audit.state(), before);
    // REJECT needs something to compare with; a choice must be one of two.
    for (body, message) in [
        (
            json!({"redeemables": [{"object": "voucher", "id": "SAVE5"}], "order": mugs(1),
                "on_difference": "REJECT"}),
            "needs `expected`",
        ),
        (
            json!({"redeemables": [{"object": "voucher", "id": "SAVE5"}], "order": mugs(1),
                "on_difference": "reject", "expected": {}}),
            "must be \"ACCEPT\" or \"REJECT\"",
        ),
    ] {
        let r = server.redeem("bad-choice", &body);
        assert_eq!((r.status, r.code()), (400, json!("INVALID_REQUEST")));
        assert!(
            r.json()["message"].as_str().unwrap().contains(message),
            "{}",
            r.body
        );
    }
    assert_eq!(audit.state(), before, "bad input changes nothing");
}

/// A gift card spent elsewhere since the preview: the credits it can give
/// moved, so the total did.
#[test]
fn reject_refuses_a_gift_card_that_can_no_longer_pay_what_the_shopper_saw() {
    let env = Env::with_fixture("audit");
    let server = env.serve();
    let client = Client::load(&server);
    let audit = Audit::new(&env, &server);
    let request = json!({"redeemables": [{"object": "voucher", "id": "GIFT-1"}], "order": mugs(4)});
    let body = client.body(&request, "REJECT");
    // Elsewhere: 20.00 of the 50.00 spent.
    let spend = json!({"redeemables": [{"object": "voucher", "id": "GIFT-1", "gift": {"credits": 2000}}],
                       "order": mugs(2)});
    assert_eq!(
        server.redeem("elsewhere", &spend).json()["status"],
        "SUCCEEDED"
    );
    let before = audit.state();
    let r = server.redeem("stale-gift", &body);
    assert_eq!(r.status, 409, "{}", r.body);
    let live = json!("live_balance_differs");
    let rejected = r.json();
    assert_eq!(
        summary(&rejected),
        [
            (
                "redeemables[GIFT-1].result.gift.credits".into(),
                json!(4000),
                json!(3000),
                "balance_changed".into(),
                live.clone()
            ),
            (
                "redeemables[GIFT-1].order.total_applied_discount_amount".into(),
                json!(4000),
                json!(3000),
                "discount_changed".into(),
                live.clone()
            ),
            (
                "order.discount_amount".into(),
                json!(4000),
                json!(3000),
                "discount_changed".into(),
                live.clone()
            ),
            (
                "order.total_discount_amount".into(),
                json!(4000),
                json!(3000),
                "discount_changed".into(),
                live.clone()
            ),
            (
                "order.total_amount".into(),
                json!(0),
                json!(1000),
                "total_changed".into(),
                live.clone()
            ),
            (
                "order.applied_discount_amount".into(),
                json!(4000),
                json!(3000),
                "discount_changed".into(),
                live.clone()
            ),
            (
                "order.total_applied_discount_amount".into(),
                json!(4000),
                json!(3000),
                "discount_changed".into(),
                live.clone()
            ),
            // 10.00 to pay earns 10 points where the preview's 0.00 earned none.
            (
                "earned_points[camp_loyal].points".into(),
                json!(0),
                json!(10),
                "points_changed".into(),
                live
            ),
        ]
    );
    assert!(rejected["message"]
        .as_str()
        .unwrap()
        .contains("(balance_changed, discount_changed, total_changed, points_changed)"));
    assert_eq!(audit.state(), before);
}
