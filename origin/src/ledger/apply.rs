//! What a valid redemption changes in the ledger.

use promo_edge::snapshot::{CompiledSnapshot, RedeemableKind};
use promo_edge::time::Instant;
use promo_edge::validation::{Status, ValidationResponse};
use rusqlite::{params, Connection};

use super::store::{bump_item_counts, Effects};
use super::targets::{periods, Target};
use crate::api_error::ApiError;

/// Records a valid redemption's counter and balance changes.
pub(super) fn apply(
    tx: &Connection,
    snap: &CompiledSnapshot,
    id: &str,
    result: &ValidationResponse,
    targets: &[Target],
    customer: Option<&str>,
    now: Instant,
) -> Result<(), ApiError> {
    let fx = Effects { tx, redemption: id };
    let p = periods(snap, now);
    let mut used = vec![false; targets.len()];
    let mut campaigns = Vec::new();
    for r in result
        .redeemables
        .iter()
        .filter(|r| r.status == Status::Applicable)
    {
        let found = targets.iter().enumerate().find(|(i, t)| {
            !used.get(*i).copied().unwrap_or(true) && t.requested == r.id && t.object == r.object
        });
        let Some((i, t)) = found else {
            continue;
        };
        if let Some(u) = used.get_mut(i) {
            *u = true;
        }
        let Some(compiled) = snap.redeemables.get(t.pos) else {
            continue;
        };
        fx.counter(
            "redeemable",
            &t.key,
            "redeemed_quantity",
            1,
            compiled.redeemed_quantity,
        )?;
        tx.execute(
            "INSERT INTO redemption_items (redemption_id, ledger_key, campaign_id, customer, day, week, month)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![id, t.key, t.campaign, customer, p.day, p.week, p.month],
        )?;
        bump_item_counts(
            tx,
            &t.key,
            &t.campaign,
            customer,
            &p.day,
            &p.week,
            &p.month,
            1,
        )?;
        let discount = r
            .order
            .as_ref()
            .map(|o| o.total_applied_discount_amount.0)
            .unwrap_or(0);
        let credits = r.result.gift.as_ref().map(|g| g.credits.0).unwrap_or(0);
        let points = r
            .result
            .loyalty_card
            .as_ref()
            .map(|l| l.points)
            .unwrap_or(0);
        if credits > 0 {
            let initial = compiled.gift.and_then(|g| g.0).map(|m| m.0).unwrap_or(0);
            fx.balance("gift_balance", &t.key, -credits, initial)?;
        }
        if points > 0 {
            fx.balance(
                "loyalty_balance",
                &t.key,
                -points,
                compiled.loyalty_balance.unwrap_or(0),
            )?;
        }
        fx.counter("campaign", &t.campaign, "redemptions", 1, 0)?;
        fx.counter("campaign", &t.campaign, "amount_discounted", discount, 0)?;
        fx.counter("campaign", &t.campaign, "gift_amount", credits, 0)?;
        fx.counter("campaign", &t.campaign, "points_used", points, 0)?;
        if !campaigns.contains(&t.campaign) {
            campaigns.push(t.campaign.clone());
        }
    }
    for c in &campaigns {
        fx.counter(
            "campaign",
            c,
            "orders_amount",
            result.order.initial_amount.0,
            0,
        )?;
    }
    // Points earned go to the customer's card in that loyalty campaign.
    if let Some(cust) = customer {
        for e in result.earned_points.iter().filter(|e| e.points > 0) {
            let card = snap
                .by_holder
                .get(cust)
                .into_iter()
                .flatten()
                .find_map(|pos| {
                    let r = snap.redeemables.get(*pos)?;
                    let camp = snap.campaigns.get(r.campaign)?;
                    (r.kind == RedeemableKind::LoyaltyCard
                        && camp.id == e.campaign_id
                        && !r.id.is_empty())
                    .then(|| (format!("voucher:{}", r.id), r.loyalty_balance.unwrap_or(0)))
                });
            if let Some((key, initial)) = card {
                fx.balance("loyalty_balance", &key, e.points, initial)?;
            }
        }
    }
    Ok(())
}
