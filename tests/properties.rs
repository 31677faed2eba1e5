//! Property tests for the money invariants of DESIGN.md: no line below
//! zero, no discount above what it discounts, totals that add up, splits
//! that sum to the whole, and results independent of line order.

// Test code: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use promo_edge::money::{Money, RoundingMode};
use promo_edge::order::OrderState;
use promo_edge::request::ValidationRequest;
use promo_edge::time::Instant;
use promo_edge::validation::{apply_stack, Detail, Spelled, Stacked, Status};

/// The fullest answer: every expansion.
const FULL: Detail = Detail::Answer(Spelled {
    snapshots: true,
    items: true,
    names: true,
});
use promo_edge::Engine;

const PRODUCTS: [&str; 6] = ["prod_a", "prod_b", "prod_c", "prod_d", "prod_e", "prod_f"];
const CODES: [&str; 11] = [
    "P10", "A500", "PROP", "PROPQ", "BYQ", "FIX", "UNIT", "CHEAP", "GIFT", "PORDER", "BIG",
];

fn snapshot() -> String {
    json!({
        "schema": "promo-edge.snapshot/1", "version": 1,
        "issued_at": "2026-01-01T00:00:00Z", "expires_at": "2027-01-01T00:00:00Z",
        "currency": {"code": "USD", "exponent": 2},
        "time_zone": {"name": "UTC", "offsets": [{"offset_seconds": 0}]},
        "stacking_rules": {"applicable_redeemables_limit": 30, "applicable_redeemables_per_category_limit": 30},
        "products": PRODUCTS.iter().enumerate().map(|(i, p)| json!({"id": p, "price": 333 + 250 * i as i64})).collect::<Vec<_>>(),
        "collections": [{"id": "pc_x", "products": ["prod_a", "prod_b", "prod_c"]}],
        "validation_rules": [
            {"id": "val_x", "applicable_to": {"included": [{"object": "products_collection", "id": "pc_x"}]}},
            {"id": "val_cheap", "applicable_to": {"included": [{"object": "products_collection", "id": "pc_x", "effect": "APPLY_TO_CHEAPEST", "target": "UNIT"}]}},
            {"id": "val_not_f", "applicable_to": {"excluded": [{"object": "product", "id": "prod_f"}]}},
            {"id": "val_big", "rules": {"1": {"name": "order.amount", "conditions": {"$more_than": [50000]}}}}
        ],
        "campaigns": [
            camp("P10", json!({"type": "PERCENT", "percent_off": 12.5}), &["val_x"]),
            camp("A500", json!({"type": "AMOUNT", "amount_off": 500}), &["val_x"]),
            camp("PROP", json!({"type": "AMOUNT", "amount_off": 1001, "effect": "APPLY_TO_ITEMS_PROPORTIONALLY"}), &[]),
            camp("PROPQ", json!({"type": "AMOUNT", "amount_off": 2999, "effect": "APPLY_TO_ITEMS_PROPORTIONALLY_BY_QUANTITY"}), &[]),
            camp("BYQ", json!({"type": "AMOUNT", "amount_off": 150, "effect": "APPLY_TO_ITEMS_BY_QUANTITY"}), &["val_x"]),
            camp("FIX", json!({"type": "FIXED", "fixed_amount": 400, "effect": "APPLY_TO_ITEMS"}), &["val_x"]),
            camp("UNIT", json!({"type": "UNIT", "unit_off": 2, "unit_type": "prod_d", "effect": "ADD_MISSING_ITEMS"}), &[]),
            camp("CHEAP", json!({"type": "PERCENT", "percent_off": 50}), &["val_cheap"]),
            gift_campaign(),
            camp("PORDER", json!({"type": "PERCENT", "percent_off": 33, "effect": "APPLY_TO_ORDER"}), &["val_not_f"]),
            // Inapplicable on most carts (rules that fail matter to stacking).
            camp("BIG", json!({"type": "AMOUNT", "amount_off": 2500, "effect": "APPLY_TO_ORDER"}), &["val_big"]),
        ]
    })
    .to_string()
}

fn gift_campaign() -> Value {
    json!({"id": "camp_GIFT", "campaign_type": "GIFT_VOUCHERS",
           "voucher": {"type": "GIFT_VOUCHER", "gift": {"amount": 5000, "balance": 5000}}, "vouchers": [{"code": "GIFT"}]})
}

fn camp(code: &str, discount: Value, rules: &[&str]) -> Value {
    json!({"id": format!("camp_{code}"), "campaign_type": "DISCOUNT_COUPONS", "validation_rule_ids": rules,
           "voucher": {"discount": discount}, "vouchers": [{"code": code}]})
}

fn engine() -> Engine {
    let mut e = Engine::new();
    e.load_snapshot_json(&snapshot()).unwrap();
    e
}

/// The same snapshot with at most `limit` applicable redeemables, in
/// `ALL` or `PARTIAL` application mode.
fn engine_with_limit(limit: u32, all: bool) -> Engine {
    let mut snap: Value = serde_json::from_str(&snapshot()).unwrap();
    snap["stacking_rules"]["applicable_redeemables_limit"] = json!(limit);
    snap["stacking_rules"]["redeemables_application_mode"] =
        json!(if all { "ALL" } else { "PARTIAL" });
    let mut e = Engine::new();
    e.load_snapshot_json(&snap.to_string()).unwrap();
    e
}

#[derive(Debug, Clone)]
struct Line {
    product: usize,
    price: i64,
    quantity: i64,
}

fn line() -> impl Strategy<Value = Line> {
    (0..PRODUCTS.len(), 1i64..50_000, 1i64..9).prop_map(|(product, price, quantity)| Line {
        product,
        price,
        quantity,
    })
}

fn request(lines: &[Line], codes: &[usize]) -> String {
    json!({
        "redeemables": codes.iter().map(|c| json!({"object": "voucher", "id": CODES[*c]})).collect::<Vec<_>>(),
        "order": {"items": lines.iter().map(|l| json!({"product_id": PRODUCTS[l.product], "price": l.price, "quantity": l.quantity})).collect::<Vec<_>>()},
        // Every invariant is checked on the items and each redeemable's order too.
        "options": {"expand": ["order"]}
    })
    .to_string()
}

fn n(v: &Value) -> i64 {
    v.as_i64().unwrap()
}

fn check_order(o: &Value) {
    let items = o["items"].as_array().unwrap();
    let mut items_discount = 0;
    let mut items_applied = 0;
    let mut amount = 0;
    for it in items {
        assert!(n(&it["subtotal_amount"]) >= 0, "line below zero: {it}");
        assert!(
            n(&it["discount_amount"]) <= n(&it["amount"]),
            "discount above line: {it}"
        );
        assert_eq!(n(&it["amount"]), n(&it["price"]) * n(&it["quantity"]));
        assert_eq!(
            n(&it["subtotal_amount"]),
            n(&it["amount"]) - n(&it["discount_amount"])
        );
        items_discount += n(&it["discount_amount"]);
        items_applied += n(&it["applied_discount_amount"]);
        amount += n(&it["amount"]);
    }
    assert_eq!(n(&o["amount"]), amount);
    assert_eq!(n(&o["items_discount_amount"]), items_discount);
    assert_eq!(n(&o["items_applied_discount_amount"]), items_applied);
    assert_eq!(
        n(&o["total_discount_amount"]),
        n(&o["discount_amount"]) + n(&o["items_discount_amount"])
    );
    assert_eq!(
        n(&o["total_amount"]),
        n(&o["amount"]) - n(&o["total_discount_amount"])
    );
    assert_eq!(
        n(&o["total_applied_discount_amount"]),
        n(&o["applied_discount_amount"]) + n(&o["items_applied_discount_amount"])
    );
    assert!(n(&o["total_amount"]) >= 0);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn totals_add_up_and_nothing_goes_below_zero(lines in prop::collection::vec(line(), 1..12), codes in prop::collection::vec(0..CODES.len(), 0..6)) {
        let e = engine();
        let out: Value = serde_json::from_str(&e.validate_json(&request(&lines, &codes), "2026-06-01T00:00:00Z").unwrap()).unwrap();
        check_order(&out["order"]);
        let mut applied_sum = 0;
        for r in out["redeemables"].as_array().unwrap() {
            check_order(&r["order"]);
            applied_sum += n(&r["order"]["total_applied_discount_amount"]);
        }
        // The request's applied total is the sum of every redeemable's own contribution.
        prop_assert_eq!(applied_sum, n(&out["order"]["total_applied_discount_amount"]));
        prop_assert_eq!(n(&out["order"]["initial_amount"]), lines.iter().map(|l| l.price * l.quantity).sum::<i64>());
    }

    #[test]
    fn amounts_detail_reaches_the_same_order_as_full(lines in prop::collection::vec(line(), 1..8), codes in prop::collection::vec(0..CODES.len(), 0..8), limit in 0u32..4, all in any::<bool>()) {
        let e = engine_with_limit(limit, all);
        let snap = e.plan().unwrap();
        let req: ValidationRequest = serde_json::from_str(&request(&lines, &codes)).unwrap();
        let now = Instant::parse("2026-06-01T00:00:00Z").unwrap();
        let initial = OrderState::from_input(&req.order, snap).unwrap();
        let full = apply_stack(snap, &req, &initial, now, FULL).unwrap();
        let lean = apply_stack(snap, &req, &initial, now, Detail::Amounts).unwrap();
        prop_assert_eq!(&full.effects, &lean.effects);
        prop_assert_eq!(full.final_state.total().unwrap(), lean.final_state.total().unwrap());
        let discounts = |s: &OrderState| s.lines.iter().map(|l| (l.index, l.discount_amount, l.quantity)).collect::<Vec<_>>();
        prop_assert_eq!(discounts(&full.final_state), discounts(&lean.final_state));
        // Each effect is what the full answer's per-redeemable order says it took off.
        for effect in &full.effects {
            let order = full.results[effect.result].order.as_ref().unwrap();
            prop_assert_eq!(order.applied_discount_amount, effect.order_discount);
            prop_assert_eq!(order.items_applied_discount_amount, effect.items_discount);
        }
        let applicable = |s: &Stacked| s.results.iter().map(|r| r.status == Status::Applicable).collect::<Vec<_>>();
        prop_assert_eq!(applicable(&full), applicable(&lean));
    }

    #[test]
    fn line_order_never_changes_the_result(lines in prop::collection::vec(line(), 1..10), codes in prop::collection::vec(0..CODES.len(), 0..5), seed in any::<u64>()) {
        let e = engine();
        let mut perm: Vec<usize> = (0..lines.len()).collect();
        // A deterministic shuffle from the seed.
        let mut s = seed;
        for i in (1..perm.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            perm.swap(i, (s >> 33) as usize % (i + 1));
        }
        let shuffled: Vec<Line> = perm.iter().map(|i| lines[*i].clone()).collect();
        let a: Value = serde_json::from_str(&e.validate_json(&request(&lines, &codes), "2026-06-01T00:00:00Z").unwrap()).unwrap();
        let b: Value = serde_json::from_str(&e.validate_json(&request(&shuffled, &codes), "2026-06-01T00:00:00Z").unwrap()).unwrap();
        for key in ["amount", "discount_amount", "items_discount_amount", "total_amount"] {
            prop_assert_eq!(&a["order"][key], &b["order"][key], "{}", key);
        }
        let items_a = a["order"]["items"].as_array().unwrap();
        let items_b = b["order"]["items"].as_array().unwrap();
        for (new_pos, old_pos) in perm.iter().enumerate() {
            prop_assert_eq!(&items_a[*old_pos], &items_b[new_pos]);
        }
    }

    #[test]
    fn splits_sum_to_the_whole_and_stay_within_a_cent(total in 0i64..10_000_000, weights in prop::collection::vec(0i64..100_000, 1..20)) {
        let w: Vec<Decimal> = weights.iter().map(|x| Decimal::from(*x)).collect();
        let parts = Money(total).split(&w, RoundingMode::HalfUp).unwrap();
        let sum_w: i64 = weights.iter().sum();
        if sum_w == 0 {
            prop_assert!(parts.iter().all(|p| *p == Money::ZERO));
        } else {
            prop_assert_eq!(parts.iter().map(|p| p.0).sum::<i64>(), total);
            for (p, wi) in parts.iter().zip(&weights) {
                let exact = Decimal::from(total) * Decimal::from(*wi) / Decimal::from(sum_w);
                prop_assert!((Decimal::from(p.0) - exact).abs() < Decimal::ONE, "{} vs {}", p.0, exact);
            }
        }
    }

    #[test]
    fn rounding_is_within_half_a_cent_or_toward_zero(cents in 0i64..100_000_000, pct in 0u32..10_000) {
        let p = Decimal::new(i64::from(pct), 2);
        let exact = Decimal::from(cents) * p / Decimal::ONE_HUNDRED;
        let up = Money(cents).percent(p, RoundingMode::HalfUp).unwrap();
        let even = Money(cents).percent(p, RoundingMode::HalfEven).unwrap();
        let down = Money(cents).percent(p, RoundingMode::Down).unwrap();
        prop_assert!((Decimal::from(up.0) - exact).abs() <= Decimal::new(5, 1));
        prop_assert!((Decimal::from(even.0) - exact).abs() <= Decimal::new(5, 1));
        prop_assert!(Decimal::from(down.0) <= exact && exact - Decimal::from(down.0) < Decimal::ONE);
    }
}

/// Under ALL, a redeemable past the stacking limit whose rules fail still
/// voids the request: the lean pipeline must evaluate it too.
#[test]
fn amounts_detail_under_all_still_voids_on_a_late_failure() {
    let e = engine_with_limit(1, true);
    let snap = e.plan().unwrap();
    let lines = [Line {
        product: 0,
        price: 1000,
        quantity: 1,
    }];
    // P10 applies and fills the limit; BIG needs an order over 500.00.
    let req: ValidationRequest = serde_json::from_str(&request(&lines, &[0, 10])).unwrap();
    let now = Instant::parse("2026-06-01T00:00:00Z").unwrap();
    let initial = OrderState::from_input(&req.order, snap).unwrap();
    for detail in [FULL, Detail::Amounts] {
        let s = apply_stack(snap, &req, &initial, now, detail).unwrap();
        assert_eq!(s.effects, vec![], "{detail:?}: ALL voids every effect");
        assert_eq!(s.final_state.total().unwrap(), Money(1000), "{detail:?}");
        assert_eq!(s.results[1].status, Status::Inapplicable, "{detail:?}");
    }
}
