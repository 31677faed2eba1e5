//! The event log: every fact the ledger commits is also an event, written
//! in the same transaction as the change (the transactional outbox
//! pattern), so a committed redemption always has its events and a rolled
//! back transaction never does. Names are Voucherify's where it has them:
//!
//! | event | when | `data` |
//! |---|---|---|
//! | `redemption.succeeded` | each applied redeemable of a SUCCEEDED redemption | `{redemption, parent_redemption_id, order}` |
//! | `redemption.failed` | a FAILED redemption | `{redemption_id, key, order}` |
//! | `redemption.rollback.succeeded` | each child of a rolled back redemption | `{rollback, parent_rollback_id, redemption_id}` |
//! | `voucher.gift.transaction.created` | credits taken from a gift card | `{code, amount (negative), balance}` |
//! | `voucher.loyalty_card.transaction.created` | points paid with a loyalty card | `{code, points (negative), balance}` |
//! | `voucher.loyalty_card.points_added` | points an order earned, credited to a card | `{campaign_id, ledger_key, points, balance}` |
//! | `bundle.published` | a new bundle version stored (Promo Edge's own) | `{channel, version, etag, expires_at}` |
//!
//! Each has a unique `id` (`evt_…`), the database's increasing `seq`, the
//! time it occurred and a `subject` (the customer, else the code or id),
//! the key that keeps one subject's events in order for a consumer.

use serde_json::{json, Value};

use super::db::{NewEvent, StoredEvent, Tx};
use super::fresh_id;
use crate::api_error::ApiError;

fn put(
    tx: &mut dyn Tx,
    channel: &str,
    kind: &str,
    subject: &str,
    at: &str,
    data: &Value,
) -> Result<(), ApiError> {
    let id = fresh_id("evt");
    let data = data.to_string();
    tx.insert_event(&NewEvent {
        id: &id,
        kind,
        channel,
        subject,
        occurred_at: at,
        data: &data,
    })?;
    Ok(())
}

fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// The subject of a redemption's events: its customer, else `fallback`.
fn subject<'a>(answer: &'a Value, fallback: &'a str) -> &'a str {
    text(answer, "/parent_redemption/customer_id").unwrap_or(fallback)
}

/// The events of a redemption's stored answer (SUCCEEDED or FAILED; a
/// REJECTED one changed nothing and has none).
pub(super) fn redemption(
    tx: &mut dyn Tx,
    channel: &str,
    answer: &Value,
    at: &str,
) -> Result<(), ApiError> {
    let parent = text(answer, "/id").unwrap_or_default();
    let who = subject(answer, parent);
    match text(answer, "/status") {
        Some("SUCCEEDED") => {}
        Some("FAILED") => {
            let data = json!({"redemption_id": parent, "key": answer.get("key"), "order": answer.get("order")});
            return put(tx, channel, "redemption.failed", who, at, &data);
        }
        _ => return Ok(()),
    }
    for child in answer
        .get("redemptions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let data = json!({"redemption": child, "parent_redemption_id": parent, "order": answer.get("order")});
        put(tx, channel, "redemption.succeeded", who, at, &data)?;
        let code = text(child, "/voucher/code");
        if let (Some(code), Some(amount)) =
            (code, child.pointer("/gift/amount").and_then(Value::as_i64))
        {
            let balance = child.pointer("/voucher/gift/balance");
            let data = json!({"code": code, "amount": -amount, "balance": balance});
            put(
                tx,
                channel,
                "voucher.gift.transaction.created",
                who,
                at,
                &data,
            )?;
        }
        if let (Some(code), Some(points)) = (
            code,
            child
                .pointer("/loyalty_card/points")
                .and_then(Value::as_i64),
        ) {
            let balance = child.pointer("/voucher/loyalty_card/points");
            let data = json!({"code": code, "points": -points, "balance": balance});
            put(
                tx,
                channel,
                "voucher.loyalty_card.transaction.created",
                who,
                at,
                &data,
            )?;
        }
    }
    for credit in answer
        .get("earned_points")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if credit.get("credited") == Some(&Value::Bool(true)) {
            let data = json!({
                "campaign_id": credit.get("campaign_id"), "ledger_key": credit.get("ledger_key"),
                "points": credit.get("points"), "balance": credit.get("balance"),
            });
            put(
                tx,
                channel,
                "voucher.loyalty_card.points_added",
                who,
                at,
                &data,
            )?;
        }
    }
    Ok(())
}

/// The events of a rollback: one per child redemption undone.
pub(super) fn rollback(
    tx: &mut dyn Tx,
    channel: &str,
    stored: &Value,
    answer: &Value,
    at: &str,
) -> Result<(), ApiError> {
    let redemption = text(answer, "/redemption_id").unwrap_or_default();
    let parent = text(answer, "/id").unwrap_or_default();
    let who = subject(stored, redemption);
    for child in answer
        .get("rollbacks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let data =
            json!({"rollback": child, "parent_rollback_id": parent, "redemption_id": redemption});
        put(tx, channel, "redemption.rollback.succeeded", who, at, &data)?;
    }
    Ok(())
}

/// `bundle.published`, when a new version was stored.
pub(super) fn published(
    tx: &mut dyn Tx,
    b: &super::db::StoredBundle,
    at: &str,
) -> Result<(), ApiError> {
    let data = json!({"channel": b.channel, "version": b.version, "etag": b.etag, "expires_at": b.expires_at});
    put(tx, &b.channel, "bundle.published", &b.channel, at, &data)
}

/// An event as `GET /v1/events` lists it.
pub fn to_json(e: &StoredEvent) -> Value {
    let data: Value = serde_json::from_str(&e.data).unwrap_or(Value::Null);
    json!({
        "id": e.id, "object": "event", "type": e.kind, "seq": e.seq, "channel": e.channel,
        "subject": e.subject, "created_at": e.occurred_at, "data": data,
    })
}
