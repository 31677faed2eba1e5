//! What a valid redemption changes in the ledger.

use promo_edge::plan::Plan;
use promo_edge::time::Instant;
use promo_edge::validation::{RedeemableResult, Status, ValidationResponse};
use serde::Serialize;

use super::db::{Item, Tx};
use super::store::{bump_item_counts, Effects};
use super::targets::{earning_card, periods, Periods, Target};
use crate::api_error::ApiError;

/// What the ledger did with the points an order earned in one loyalty
/// campaign (the redemption answer's `earned_points`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(super) struct Credit {
    /// The loyalty campaign.
    pub(super) campaign_id: String,
    /// The points the engine's answer names (`result.earned_points`).
    pub(super) points: i64,
    /// Whether they are on a card now.
    pub(super) credited: bool,
    /// The card's ledger key, when credited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) ledger_key: Option<String>,
    /// The card's balance after this redemption (points spent and earned).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) balance: Option<i64>,
    /// Why not, when not credited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) reason: Option<&'static str>,
}

/// Records a valid redemption's counter and balance changes; answers what
/// became of the points it earned.
pub(super) fn apply(
    tx: &mut dyn Tx,
    snap: &Plan,
    id: &str,
    result: &ValidationResponse,
    targets: &[Target],
    customer: Option<&str>,
    now: Instant,
) -> Result<Vec<Credit>, ApiError> {
    let fx = Effects { redemption: id };
    let p = periods(snap, now);
    let mut campaigns: Vec<&str> = Vec::new();
    for (r, t) in applied(result, targets) {
        record(tx, &fx, &p, r, t, customer)?;
        if !campaigns.contains(&t.campaign.as_str()) {
            campaigns.push(&t.campaign);
        }
    }
    // The order's amount counts once per campaign, however many of its
    // codes the order used.
    for c in campaigns {
        fx.counter(
            tx,
            "campaign",
            c,
            "orders_amount",
            result.order.initial_amount.0,
            0,
        )?;
    }
    credit_earned(tx, &fx, snap, result, targets, customer)
}

/// The APPLICABLE redeemables of an answer, each with its target (the
/// request's redeemables in order, each used once).
fn applied<'a>(
    result: &'a ValidationResponse,
    targets: &'a [Target],
) -> Vec<(&'a RedeemableResult, &'a Target)> {
    let mut used = vec![false; targets.len()];
    let mut out = Vec::new();
    for r in result
        .redeemables
        .iter()
        .filter(|r| r.status == Status::Applicable)
    {
        let found = targets.iter().enumerate().find(|(i, t)| {
            !used.get(*i).copied().unwrap_or(true) && t.requested == r.id && t.object == r.object
        });
        if let Some((i, t)) = found {
            if let Some(u) = used.get_mut(i) {
                *u = true;
            }
            out.push((r, t));
        }
    }
    out
}

/// One applied redeemable: its redemption count and log item, the credits
/// and points it took from its card, and its campaign's counters.
fn record(
    tx: &mut dyn Tx,
    fx: &Effects<'_>,
    p: &Periods,
    r: &RedeemableResult,
    t: &Target,
    customer: Option<&str>,
) -> Result<(), ApiError> {
    let published = t.published;
    fx.counter(
        tx,
        "redeemable",
        &t.key,
        "redeemed_quantity",
        1,
        published.redeemed_quantity,
    )?;
    let item = Item {
        ledger_key: t.key.clone(),
        campaign_id: t.campaign.clone(),
        customer: customer.map(str::to_string),
        day: p.day.clone(),
        week: p.week.clone(),
        month: p.month.clone(),
    };
    tx.insert_item(fx.redemption, &item)?;
    bump_item_counts(tx, &item, 1)?;
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
        let initial = published.gift_balance.unwrap_or(0);
        fx.balance(tx, "gift_balance", &t.key, -credits, initial)?;
    }
    if points > 0 {
        let initial = published.loyalty_balance.unwrap_or(0);
        fx.balance(tx, "loyalty_balance", &t.key, -points, initial)?;
    }
    for (name, delta) in [
        ("redemptions", 1),
        ("amount_discounted", discount),
        ("gift_amount", credits),
        ("points_used", points),
    ] {
        fx.counter(tx, "campaign", &t.campaign, name, delta, 0)?;
    }
    Ok(())
}

/// Points earned go to the customer's card in that loyalty campaign
/// (see [`earning_card`]); when there is none, nothing is invented and the
/// answer says so.
fn credit_earned(
    tx: &mut dyn Tx,
    fx: &Effects<'_>,
    snap: &Plan,
    result: &ValidationResponse,
    targets: &[Target],
    customer: Option<&str>,
) -> Result<Vec<Credit>, ApiError> {
    let mut out = Vec::new();
    for e in result.earned_points.iter().filter(|e| e.points > 0) {
        let credit = match earning_card(snap, targets, customer, &e.campaign_id) {
            Ok((key, initial)) => {
                fx.balance(tx, "loyalty_balance", &key, e.points, initial)?;
                Credit {
                    campaign_id: e.campaign_id.clone(),
                    points: e.points,
                    credited: true,
                    balance: tx.balance(&key)?,
                    ledger_key: Some(key),
                    reason: None,
                }
            }
            Err(reason) => Credit {
                campaign_id: e.campaign_id.clone(),
                points: e.points,
                credited: false,
                ledger_key: None,
                balance: None,
                reason: Some(reason),
            },
        };
        out.push(credit);
    }
    Ok(out)
}
