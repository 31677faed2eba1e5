//! A code as Voucherify's voucher object (the SDK's `VouchersResponse`):
//! what the snapshot publishes, with the ledger's live values.

use std::collections::BTreeMap;
use std::sync::Arc;

use promo_edge::plan::{Discount, Plan, RedeemableKind};
use promo_edge::validation::Outcome;
use serde_json::{json, Value};

/// Sets `v[key]` when `v` is an object (JSON indexing that cannot panic).
pub(crate) fn put(v: &mut Value, key: &str, x: Value) {
    if let Some(m) = v.as_object_mut() {
        m.insert(key.to_string(), x);
    }
}

/// A discount as answers echo it (`result.discount`: Voucherify's shape).
pub(crate) fn discount_json(discount: Option<Arc<Discount>>) -> Option<Value> {
    let echo = Outcome {
        discount,
        ..Default::default()
    };
    serde_json::to_value(&echo)
        .ok()
        .and_then(|mut o| o.get_mut("discount").map(Value::take))
}

/// The voucher at position `pos` of the plan, requested as `code`, with
/// live counters (`redeemed_quantity`, `gift_balance`, `loyalty_balance`;
/// an absent one is left out or taken from the snapshot).
pub fn of(snap: &Plan, pos: usize, code: &str, live: &BTreeMap<String, i64>) -> Value {
    let Some(r) = snap.redeemables.get(pos) else {
        return Value::Null;
    };
    let campaign = snap.campaigns.get(r.campaign);
    let created_at = snap.issued_at.to_rfc3339();
    let mut v = json!({
        "id": if r.id.is_empty() || r.shared { code } else { r.id.as_str() },
        "code": code,
        "object": "voucher",
        "campaign": campaign.map(|c| c.name.as_str()),
        "campaign_id": campaign.map(|c| c.id.as_str()),
        "active": r.active,
        "is_referral_code": r.is_referral,
        "metadata": r.metadata,
        "created_at": created_at,
        "validation_rules_assignments": {"object": "list", "data_ref": "data", "data": [], "total": 0},
    });
    if let Some(h) = &r.holder {
        put(&mut v, "holder_id", h.clone().into());
    }
    // The SDK types `type` as DISCOUNT_VOUCHER | GIFT_VOUCHER: a loyalty
    // card is told by its `loyalty_card` and carries no `type`.
    match r.kind {
        RedeemableKind::GiftCard => put(&mut v, "type", "GIFT_VOUCHER".into()),
        RedeemableKind::LoyaltyCard => {}
        _ => put(&mut v, "type", "DISCOUNT_VOUCHER".into()),
    }
    if let Some(d) = discount_json(r.discount.clone()) {
        put(&mut v, "discount", d);
    }
    if let Some(g) = r.gift {
        let published = g.balance.map_or(0, |m| m.0);
        let balance = live.get("gift_balance").copied().unwrap_or(published);
        put(
            &mut v,
            "gift",
            json!({"amount": published.max(balance), "balance": balance}),
        );
    }
    if r.kind == RedeemableKind::LoyaltyCard {
        let points = live
            .get("loyalty_balance")
            .copied()
            .unwrap_or(r.loyalty_balance.unwrap_or(0));
        put(
            &mut v,
            "loyalty_card",
            json!({"points": points, "balance": points}),
        );
    }
    if let Some(redeemed) = live.get("redeemed_quantity") {
        put(
            &mut v,
            "redemption",
            json!({
                "object": "list",
                "redeemed_quantity": redeemed,
                "data_ref": "redemption_entries",
                "redemption_entries": [],
                "total": redeemed,
                "url": format!("/v1/vouchers/{code}/redemptions"),
            }),
        );
        if let Some(q) = r.quantity {
            if let Some(redemption) = v.get_mut("redemption") {
                put(redemption, "quantity", q.into());
            }
        }
    }
    v
}
