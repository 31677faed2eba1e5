//! A seeded generator of realistic snapshots and workloads, shared by the
//! criterion benches and `examples/gen_workload.rs` (which writes the same
//! files for the wasm benchmark in Node). Same seed, same bytes.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use serde_json::{json, Value};

/// A small, fast, seeded generator (xorshift64*): reproducible everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Workload size.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub campaigns: usize,
    pub unique_codes: usize,
    pub products: usize,
    pub seed: u64,
}

pub const COLLECTIONS: usize = 50;
pub const SALT: &str = "bench-salt";

pub fn product_id(i: usize) -> String {
    format!("prod_{i:05}")
}

/// Generic coupon codes of a snapshot of this shape (every 10th campaign
/// from 1 on is a coupon campaign with one generic code).
pub fn generic_codes(shape: &Shape) -> Vec<String> {
    (0..shape.campaigns)
        .filter(|c| c % 10 == 1 || c % 10 == 4 || c % 10 == 7)
        .map(|c| format!("CODE{c:05}"))
        .collect()
}

/// Unique codes (in clear) of a snapshot of this shape.
pub fn unique_code(i: usize) -> String {
    format!(
        "U{:08X}",
        (i as u64).wrapping_mul(2_654_435_761) & 0xFFFF_FFFF
    )
}

/// A snapshot: a catalog of `products` in 50 collections, `campaigns`
/// campaigns (automatic tiers on collections and products, coupons with
/// order and customer rules, bundles, loyalty, a unique-code campaign
/// holding `unique_codes` hashed codes) and 5 stacking categories.
pub fn snapshot(shape: &Shape) -> Value {
    let mut rng = Rng::new(shape.seed);
    let products: Vec<Value> = (0..shape.products)
        .map(|i| json!({"id": product_id(i), "price": 100 + rng.below(50_000), "metadata": {"brand": format!("b{}", i % 17)}}))
        .collect();
    let collections: Vec<Value> = (0..COLLECTIONS)
        .map(|c| json!({"id": format!("pc_{c:02}"), "products": (0..shape.products).filter(|p| p % COLLECTIONS == c).map(product_id).collect::<Vec<_>>()}))
        .collect();
    let mut rules = Vec::new();
    let mut campaigns = Vec::new();
    for c in 0..shape.campaigns {
        let cat = format!("cat_{}", c % 5);
        match c % 10 {
            // Automatic item-level promotion on a collection (strikethrough candidates).
            0 | 3 | 6 => {
                let rule = format!("val_{c}");
                rules.push(json!({"id": rule, "applicable_to": {"included": [{"object": "products_collection", "id": format!("pc_{:02}", rng.below(COLLECTIONS as u64))}]}}));
                campaigns.push(json!({"id": format!("camp_{c}"), "campaign_type": "PROMOTION", "categories": [cat],
                    "validation_rule_ids": [rule],
                    "promotion_tiers": [{"id": format!("promo_{c}"), "name": format!("Sale {c}"), "banner": format!("{}% off", 5 + c % 20),
                        "action": {"discount": {"type": "PERCENT", "percent_off": 5 + c % 20, "effect": "APPLY_TO_ITEMS"}}}]}));
            }
            // Coupons with a minimum order and a product-or-segment rule.
            1 | 4 | 7 => {
                let rule = format!("val_{c}");
                rules.push(json!({"id": rule, "rules": {
                    "1": {"name": "order.amount", "conditions": {"$more_than_or_equal": [1000 + rng.below(20_000)]}},
                    "2": {"name": "order.items.any", "conditions": {"$is": [{"object": "product", "id": product_id(rng.below(shape.products as u64) as usize)}]},
                          "rules": {"1": {"name": "order.items.quantity", "conditions": {"$more_than_or_equal": [1]}}}},
                    "3": {"name": "customer.segment", "conditions": {"$in": ["seg_vip", "seg_new"]}},
                    "logic": "1 and (2 or 3)"}}));
                let discount = if c % 2 == 0 {
                    json!({"type": "PERCENT", "percent_off": 10, "amount_limit": 5000})
                } else {
                    json!({"type": "AMOUNT", "amount_off": 500 + rng.below(2000)})
                };
                campaigns.push(json!({"id": format!("camp_{c}"), "campaign_type": "DISCOUNT_COUPONS", "categories": [cat],
                    "validation_rule_ids": [rule], "voucher": {"discount": discount}, "vouchers": [{"code": format!("CODE{c:05}")}]}));
            }
            // Site-wide amount off by quantity, with an exclusion (rare: 1 in 50).
            2 if c % 50 == 2 => {
                let rule = format!("val_{c}");
                rules.push(json!({"id": rule, "applicable_to": {"included_all": true, "excluded": [{"object": "product", "id": product_id(rng.below(shape.products as u64) as usize)}]}}));
                campaigns.push(json!({"id": format!("camp_{c}"), "campaign_type": "PROMOTION",
                    "validation_rule_ids": [rule],
                    "promotion_tiers": [{"id": format!("promo_{c}"), "hierarchy": 2,
                        "action": {"discount": {"type": "AMOUNT", "amount_off": 50, "effect": "APPLY_TO_ITEMS_BY_QUANTITY"}}}]}));
            }
            // A bundle: two collections together.
            5 | 8 => {
                let rule = format!("val_{c}");
                rules.push(json!({"id": rule, "bundle_rules": {"limit": 2, "rules": {
                    "1": {"name": "order.items.any", "conditions": {"$is": [{"object": "products_collection", "id": format!("pc_{:02}", rng.below(COLLECTIONS as u64))}]}},
                    "2": {"name": "order.items.any", "conditions": {"$is": [{"object": "products_collection", "id": format!("pc_{:02}", rng.below(COLLECTIONS as u64))}]}}}}}));
                campaigns.push(json!({"id": format!("camp_{c}"), "campaign_type": "PROMOTION", "validation_rule_ids": [rule],
                    "promotion_tiers": [{"id": format!("promo_{c}"), "action": {"discount": {"type": "AMOUNT", "amount_off": 1000, "effect": "APPLY_TO_ORDER"}}}]}));
            }
            // Product-targeted tier.
            2 => {
                let rule = format!("val_{c}");
                rules.push(json!({"id": rule, "applicable_to": {"included": [{"object": "product", "id": product_id(rng.below(shape.products as u64) as usize)}]}}));
                campaigns.push(json!({"id": format!("camp_{c}"), "campaign_type": "PROMOTION", "validation_rule_ids": [rule],
                    "promotion_tiers": [{"id": format!("promo_{c}"), "action": {"discount": {"type": "AMOUNT", "amount_off": 200, "effect": "APPLY_TO_ITEMS"}}}]}));
            }
            // Loyalty: points per order amount (1 in 100: a store runs a few programs).
            9 if c % 100 == 9 => {
                campaigns.push(json!({"id": format!("camp_{c}"), "campaign_type": "LOYALTY_PROGRAM",
                    "loyalty": {"earning_rules": [{"id": format!("ern_{c}"), "loyalty": {"type": "PROPORTIONAL", "calculation_type": "ORDER_AMOUNT", "order": {"amount": {"every": 1000, "points": 1}}}}]}}));
            }
            // Another automatic collection sale.
            _ => {
                let rule = format!("val_{c}");
                rules.push(json!({"id": rule, "applicable_to": {"included": [{"object": "products_collection", "id": format!("pc_{:02}", rng.below(COLLECTIONS as u64))}]}}));
                campaigns.push(json!({"id": format!("camp_{c}"), "campaign_type": "PROMOTION", "categories": [cat],
                    "validation_rule_ids": [rule],
                    "promotion_tiers": [{"id": format!("promo_{c}"), "name": format!("Sale {c}"),
                        "action": {"discount": {"type": "AMOUNT", "amount_off": 300, "effect": "APPLY_TO_ITEMS"}}}]}));
            }
        }
    }
    // The unique codes live in one campaign, stored as salted hashes in
    // digest order, as `promo-origin publish` writes them.
    let mut hashes: Vec<[u8; 32]> = (0..shape.unique_codes)
        .map(|i| promo_edge::codes::code_digest(SALT, &unique_code(i)))
        .collect();
    hashes.sort_unstable();
    let hashes: Vec<String> = hashes
        .iter()
        .map(|d| promo_edge::codes::CodeHash(*d).to_string())
        .collect();
    campaigns.push(json!({"id": "camp_unique", "campaign_type": "DISCOUNT_COUPONS",
        "voucher": {"discount": {"type": "PERCENT", "percent_off": 15}, "redemption": {"quantity": 1}},
        "code_hashes": hashes}));
    json!({
        "schema": "promo-edge.snapshot/1", "project": "bench", "channel": "web", "version": 1,
        "issued_at": "2026-01-01T00:00:00Z", "expires_at": "2027-01-01T00:00:00Z",
        "currency": {"code": "USD", "exponent": 2}, "code_salt": SALT,
        "time_zone": {"name": "UTC", "offsets": [{"offset_seconds": 0}]},
        "stacking_rules": {"applicable_redeemables_per_category_limit": 3},
        "categories": (0..5).map(|i| json!({"id": format!("cat_{i}"), "hierarchy": i})).collect::<Vec<_>>(),
        "products": products, "collections": collections, "validation_rules": rules, "campaigns": campaigns
    })
}

/// A cart of `lines` lines with `codes` codes (two generic, one unique).
pub fn cart(shape: &Shape, lines: usize, codes: usize, seed: u64) -> Value {
    let mut rng = Rng::new(seed);
    let generic = generic_codes(shape);
    let mut redeemables: Vec<Value> = Vec::new();
    for k in 0..codes {
        let id = if k == codes - 1 && shape.unique_codes > 0 {
            unique_code(rng.below(shape.unique_codes as u64) as usize)
        } else if generic.is_empty() {
            "NONE".to_string()
        } else {
            rng.pick(&generic).clone()
        };
        if !redeemables.iter().any(|r| r["id"] == id) {
            redeemables.push(json!({"object": "voucher", "id": id}));
        }
    }
    let items: Vec<Value> = (0..lines)
        .map(|_| json!({"product_id": product_id(rng.below(shape.products as u64) as usize), "quantity": 1 + rng.below(3)}))
        .collect();
    json!({"redeemables": redeemables, "order": {"items": items}, "customer": {"source_id": "cust_1", "segments": ["seg_vip"]}})
}

/// A catalog page of `n` products to price.
pub fn page(shape: &Shape, n: usize, seed: u64) -> Value {
    let mut rng = Rng::new(seed);
    json!({"products": (0..n).map(|_| json!({"product_id": product_id(rng.below(shape.products as u64) as usize)})).collect::<Vec<_>>()})
}

/// A qualification request for a cart.
pub fn qualification(shape: &Shape, lines: usize, seed: u64) -> Value {
    let mut c = cart(shape, lines, 0, seed);
    let obj = c.as_object_mut().unwrap();
    obj.remove("redeemables");
    obj.insert("scenario".into(), json!("ALL"));
    obj.insert(
        "options".into(),
        json!({"limit": 10, "sorting_rule": "BEST_DEAL"}),
    );
    c
}

/// The binary plan of a snapshot (what `promo-origin publish` ships).
pub fn plan(snapshot: &Value) -> Vec<u8> {
    let (plan, _) = promo_edge::compiler::compile_json(&snapshot.to_string()).unwrap();
    promo_edge::plan::encoding::encode(&plan).unwrap()
}

/// A signed `promo-edge.bundle/2` of plan bytes, and the JWKS that trusts
/// it (a fixed Ed25519 key: the benchmark measures verification, not keys).
pub fn bundle(plan: &[u8]) -> (Vec<u8>, String) {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use ed25519_dalek::{Signer, SigningKey};
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let decoded = promo_edge::plan::encoding::decode(plan).unwrap();
    let manifest = promo_edge::bundle::Manifest::of(&decoded, plan);
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"EdDSA","kid":"bench"}"#),
        URL_SAFE_NO_PAD.encode(serde_json::to_string(&manifest).unwrap())
    );
    let sig = key.sign(input.as_bytes());
    let jws = format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()));
    let jwks = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "bench",
        "x": URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes())}]});
    (promo_edge::bundle::assemble(&jws, plan), jwks.to_string())
}
