//! The answer to a redemption, in Voucherify's stacked shape
//! (`redemptions[]`, `parent_redemption`, `order`, and the inapplicable and
//! skipped redeemables when there are any), with Promo Edge's fields beside
//! it: `id` and `status` of the parent, `snapshot_version`, `differences`,
//! `earned_points` and `result` (the origin's whole validation answer, to
//! compare with a local preview). A FAILED or REJECTED redemption is also
//! Voucherify's error envelope (`code`, `key`, `message`, `request_id`).

use promo_edge::plan::Plan;
use promo_edge::request::ValidationRequest;
use promo_edge::validation::{RedeemableResult, Status, ValidationResponse};
use serde_json::{json, Map, Value};

use super::apply::Credit;
use super::Outcome;
use crate::diff::Difference;

/// What a redemption's answer is made of.
pub(super) struct Parts<'a> {
    pub(super) id: &'a str,
    pub(super) outcome: Outcome,
    pub(super) created_at: &'a str,
    pub(super) snap: &'a Plan,
    pub(super) request: &'a ValidationRequest,
    pub(super) result: &'a ValidationResponse,
    pub(super) result_json: Value,
    pub(super) differences: &'a [Difference],
    pub(super) earned: &'a [Credit],
}

/// The id of the `n`-th redemption of a stack (derived from the parent's,
/// so a rollback finds them in the stored answer).
fn child_id(parent: &str, n: usize) -> String {
    format!("{parent}_{n}")
}

/// One child redemption: an APPLICABLE redeemable of the stack.
fn child(p: &Parts<'_>, n: usize, r: &RedeemableResult, base: &Map<String, Value>) -> Value {
    let mut c = base.clone();
    c.insert("id".into(), child_id(p.id, n).into());
    c.insert("redemption".into(), p.id.into());
    c.insert("related_object_id".into(), r.id.clone().into());
    if r.object == "promotion_tier" {
        c.insert("related_object_type".into(), "promotion_tier".into());
        let campaign = p
            .snap
            .find_tier(&r.id)
            .and_then(|t| p.snap.redeemables.get(t))
            .and_then(|t| p.snap.campaigns.get(t.campaign));
        c.insert(
            "promotion_tier".into(),
            json!({"id": r.id, "name": r.name, "campaign": {"id": campaign.map(|c| c.id.as_str())}}),
        );
    } else {
        c.insert("related_object_type".into(), "voucher".into());
        let mut live = std::collections::BTreeMap::new();
        if let Some(g) = &r.result.gift {
            live.insert("gift_balance".to_string(), g.balance.0);
        }
        if let Some(l) = &r.result.loyalty_card {
            live.insert("loyalty_balance".to_string(), l.balance);
        }
        if let Some(pos) = p.snap.find_voucher(&r.id) {
            c.insert(
                "voucher".into(),
                crate::voucher_object::of(p.snap, pos, &r.id, &live),
            );
        }
    }
    if let Some(o) = &r.order {
        c.insert("order".into(), json!(o));
    }
    if let Some(g) = &r.result.gift {
        c.insert("gift".into(), json!({"amount": g.credits}));
    }
    if let Some(l) = &r.result.loyalty_card {
        c.insert("loyalty_card".into(), json!({"points": l.points}));
    }
    Value::Object(c)
}

/// The stack's order: the origin's calculation (its `created_at` is the
/// redemption's time), named (the request's order id, or one derived from
/// the redemption's).
fn order(p: &Parts<'_>, children: &[String]) -> Value {
    let mut order = p.result_json.get("order").cloned().unwrap_or(Value::Null);
    if let Some(o) = order.as_object_mut() {
        if o.get("id")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            let suffix = p.id.strip_prefix("rdm_").unwrap_or(p.id);
            o.insert("id".into(), format!("ord_{suffix}").into());
        }
        o.insert(
            "redemptions".into(),
            json!({ p.id: {
                "date": p.created_at,
                "related_object_type": "redemption",
                "related_object_id": p.id,
                "stacked": children,
            }}),
        );
    }
    order
}

/// The first reason a redemption failed, as Voucherify's error key.
fn failure_key(result: &ValidationResponse) -> &'static str {
    result
        .inapplicable_redeemables
        .iter()
        .find_map(|r| r.result.error.as_ref().map(|e| e.key))
        .unwrap_or("no_applicable_redeemables")
}

/// The answer body.
pub(super) fn body(p: Parts<'_>, rejection_message: impl FnOnce() -> String) -> Value {
    let success = p.outcome == Outcome::Succeeded;
    let customer_id = super::targets::customer_of(p.request);
    let mut base = Map::new();
    base.insert("object".into(), "redemption".into());
    base.insert("date".into(), p.created_at.into());
    base.insert("customer_id".into(), json!(customer_id));
    base.insert("metadata".into(), json!(p.request.metadata));
    let result_word = if success { "SUCCESS" } else { "FAILURE" };
    base.insert("result".into(), result_word.into());
    let applied: Vec<&RedeemableResult> = p
        .result
        .redeemables
        .iter()
        .filter(|r| success && r.status == Status::Applicable)
        .collect();
    let ids: Vec<String> = (1..=applied.len()).map(|n| child_id(p.id, n)).collect();
    let order = order(&p, &ids);
    let redemptions: Vec<Value> = applied
        .iter()
        .enumerate()
        .map(|(i, r)| child(&p, i + 1, r, &base))
        .collect();
    let mut parent = base;
    parent.insert("id".into(), p.id.into());
    parent.insert("related_object_type".into(), "redemption".into());
    parent.insert("related_object_id".into(), p.id.into());
    parent.insert("order".into(), order.clone());

    let mut answer = Map::new();
    match p.outcome {
        Outcome::Succeeded => {}
        Outcome::Failed => {
            let key = failure_key(p.result);
            answer.insert("code".into(), 400.into());
            answer.insert("key".into(), key.into());
            answer.insert(
                "message".into(),
                promo_edge::validation::default_message(key).into(),
            );
            answer.insert("request_id".into(), crate::api_error::request_id().into());
        }
        Outcome::Rejected => {
            answer.insert("code".into(), 409.into());
            let key = super::RESULT_CHANGED.to_ascii_lowercase();
            answer.insert("key".into(), key.into());
            answer.insert("message".into(), rejection_message().into());
            answer.insert("request_id".into(), crate::api_error::request_id().into());
        }
    }
    answer.insert("redemptions".into(), redemptions.into());
    answer.insert("parent_redemption".into(), Value::Object(parent));
    answer.insert("order".into(), order);
    for (name, list) in [
        (
            "inapplicable_redeemables",
            &p.result.inapplicable_redeemables,
        ),
        ("skipped_redeemables", &p.result.skipped_redeemables),
    ] {
        if !list.is_empty() {
            answer.insert(name.into(), json!(list));
        }
    }
    answer.insert("id".into(), p.id.into());
    answer.insert("object".into(), "redemption".into());
    answer.insert("status".into(), p.outcome.as_str().into());
    answer.insert("created_at".into(), p.created_at.into());
    answer.insert("snapshot_version".into(), p.snap.version.into());
    answer.insert("differences".into(), json!(p.differences));
    answer.insert("earned_points".into(), json!(p.earned));
    answer.insert("result".into(), p.result_json);
    Value::Object(answer)
}

/// The answer to a rollback, in Voucherify's stacked shape (`rollbacks[]`
/// — one per child redemption, typed as the SDK types them —,
/// `parent_rollback`, `order`), with Promo Edge's fields beside it
/// (`id`, `object: "redemption_rollback"`, `redemption_id`, `status`,
/// `rolled_back_at`, `reverted`). `stored` is the redemption's answer.
pub(super) fn rollback_body(
    id: &str,
    redemption: &str,
    at: &str,
    stored: &Value,
    reverted: Vec<Value>,
) -> Value {
    let rollbacks: Vec<Value> = stored["redemptions"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(n, r)| {
            let mut rb = r.clone();
            if let Some(o) = rb.as_object_mut() {
                o.insert("id".into(), child_id(id, n + 1).into());
                o.insert("date".into(), at.into());
                o.insert("redemption".into(), r["id"].clone());
                o.remove("order");
            }
            rb
        })
        .collect();
    let order = stored["order"].clone();
    json!({
        "rollbacks": rollbacks,
        "parent_rollback": {
            "id": id,
            "object": "redemption_rollback",
            "date": at,
            "result": "SUCCESS",
            "redemption": redemption,
            "customer_id": stored.pointer("/parent_redemption/customer_id"),
            "metadata": stored.pointer("/parent_redemption/metadata"),
            "order": order,
        },
        "order": order,
        "id": id,
        "object": "redemption_rollback",
        "redemption_id": redemption,
        "status": "SUCCEEDED",
        "rolled_back_at": at,
        "reverted": reverted,
    })
}
