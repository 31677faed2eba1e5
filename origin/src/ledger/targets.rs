//! What a request's redeemables are in the ledger (their keys and
//! campaigns) and the calendar periods of a redemption: the ledger's reads
//! of the compiled snapshot.

use chrono::{Datelike, NaiveDateTime};
use promo_edge::plan::{Plan, Redeemable, RedeemableKind};
use promo_edge::request::{RedeemableObject, ValidationRequest};
use promo_edge::time::Instant;

use super::sha256_b64;

/// What one requested redeemable is in the ledger.
#[derive(Debug, Clone)]
pub(super) struct Target {
    /// The id as requested (the key of `counters.redeemables`).
    pub(super) requested: String,
    pub(super) object: &'static str,
    pub(super) pos: usize,
    pub(super) key: String,
    pub(super) campaign: String,
    /// The published values a counter or balance starts from the first
    /// time the ledger touches it.
    pub(super) published: Published,
}

/// A redeemable's values at publication.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Published {
    /// `redemption.redeemed_quantity`.
    pub(super) redeemed_quantity: i64,
    /// A gift card's balance (`Some` only for gift cards).
    pub(super) gift_balance: Option<i64>,
    /// A loyalty card's points (`Some` only for loyalty cards).
    pub(super) loyalty_balance: Option<i64>,
}

fn published(r: &Redeemable) -> Published {
    Published {
        redeemed_quantity: r.redeemed_quantity,
        gift_balance: (r.kind == RedeemableKind::GiftCard)
            .then(|| r.gift.and_then(|g| g.balance).map_or(0, |m| m.0)),
        loyalty_balance: (r.kind == RedeemableKind::LoyaltyCard)
            .then(|| r.loyalty_balance.unwrap_or(0)),
    }
}

fn ledger_key(snap: &Plan, pos: usize, requested: &str) -> Option<String> {
    let r = snap.redeemables.get(pos)?;
    Some(match r.kind {
        RedeemableKind::PromotionTier => format!("tier:{}", r.id),
        _ if !r.id.is_empty() => format!("voucher:{}", r.id),
        _ => match holder_card_key(snap, pos) {
            Some(key) => key,
            None => format!("code:{}", sha256_b64(requested)),
        },
    })
}

/// The ledger targets of a request's redeemables (a stack: its tiers).
pub(super) fn resolve(snap: &Plan, req: &ValidationRequest) -> Vec<Target> {
    let mut out = Vec::new();
    let mut push = |requested: &str, object: &'static str, pos: Option<usize>| {
        let Some(pos) = pos else { return };
        let Some(r) = snap.redeemables.get(pos) else {
            return;
        };
        let (Some(key), Some(camp)) = (
            ledger_key(snap, pos, requested),
            snap.campaigns.get(r.campaign),
        ) else {
            return;
        };
        out.push(Target {
            requested: requested.to_string(),
            object,
            pos,
            key,
            campaign: camp.id.clone(),
            published: published(r),
        });
    };
    for r in &req.redeemables {
        match r.object {
            RedeemableObject::Voucher => push(&r.id, "voucher", snap.find_voucher(&r.id)),
            RedeemableObject::PromotionTier => push(&r.id, "promotion_tier", snap.find_tier(&r.id)),
            RedeemableObject::PromotionStack => {
                if let Some(tiers) = snap.stacks.get(&r.id).map(|s| &s.tiers) {
                    for t in tiers {
                        let id = snap
                            .redeemables
                            .get(*t)
                            .map(|x| x.id.clone())
                            .unwrap_or_default();
                        push(&id, "promotion_tier", Some(*t));
                    }
                }
            }
        }
    }
    out
}

/// Calendar periods of `now` in the project's zone (weeks start on Monday).
#[derive(Debug, Clone)]
pub(super) struct Periods {
    pub(super) day: String,
    pub(super) week: String,
    pub(super) month: String,
}

pub(super) fn periods(snap: &Plan, now: Instant) -> Periods {
    let local = Instant(now.0.saturating_add(snap.tz.offset_ms(now)))
        .naive_utc()
        .unwrap_or(NaiveDateTime::MIN);
    let w = local.iso_week();
    Periods {
        day: local.format("%Y-%m-%d").to_string(),
        week: format!("{}-W{:02}", w.year(), w.week()),
        month: local.format("%Y-%m").to_string(),
    }
}

pub(super) fn customer_of(req: &ValidationRequest) -> Option<String> {
    req.customer
        .as_ref()
        .and_then(|c| c.source_id.clone().or_else(|| c.id.clone()))
}

/// The loyalty cards published to `holder` in the campaign at position
/// `campaign` (a bulk redeemable standing for many codes is nobody's card).
fn holder_cards<'a>(
    snap: &'a Plan,
    holder: &str,
    campaign: usize,
) -> impl Iterator<Item = (usize, &'a Redeemable)> + 'a {
    snap.by_holder
        .get(holder)
        .into_iter()
        .flatten()
        .filter_map(|pos| snap.redeemables.get(*pos).map(|r| (*pos, r)))
        .filter(move |(_, r)| {
            r.kind == RedeemableKind::LoyaltyCard && r.campaign == campaign && !r.shared
        })
}

/// One part of a `card:` key, with `%` and `:` escaped so that no two
/// (campaign, holder) pairs give the same key.
fn key_part(s: &str) -> String {
    s.replace('%', "%25").replace(':', "%3A")
}

/// `card:<campaign id>:<holder id>` for a loyalty card published without a
/// voucher id to a holder who has no other such card in its campaign.
/// Its code is only a salted hash in the snapshot, so the points a
/// customer earns without presenting the card could not find a key made
/// from the code; a customer holds one card per loyalty campaign
/// (Voucherify's `join_once`), and the pair, like the code, stays the same
/// from one publication to the next.
fn holder_card_key(snap: &Plan, pos: usize) -> Option<String> {
    let r = snap.redeemables.get(pos)?;
    if r.kind != RedeemableKind::LoyaltyCard || !r.id.is_empty() || r.shared {
        return None;
    }
    let holder = r.holder.as_deref()?;
    let idless = holder_cards(snap, holder, r.campaign)
        .filter(|(_, c)| c.id.is_empty())
        .count();
    let camp = snap.campaigns.get(r.campaign)?;
    (idless == 1).then(|| format!("card:{}:{}", key_part(&camp.id), key_part(holder)))
}

/// The card that receives the points an order earns in a loyalty campaign:
/// its ledger key and published balance, or why there is none
/// (`no_customer`, `no_loyalty_card`, `loyalty_card_ambiguous`).
///
/// A card of that campaign presented in the request wins when it is the
/// customer's or nobody's (the shopper is using it); otherwise the
/// customer's one card in the campaign. Several cards and none are
/// reported, never guessed.
pub(super) fn earning_card(
    snap: &Plan,
    targets: &[Target],
    customer: Option<&str>,
    campaign_id: &str,
) -> Result<(String, i64), &'static str> {
    for t in targets.iter().filter(|t| t.campaign == campaign_id) {
        let (Some(r), Some(initial)) = (snap.redeemables.get(t.pos), t.published.loyalty_balance)
        else {
            continue;
        };
        if r.holder.is_none() || r.holder.as_deref() == customer {
            return Ok((t.key.clone(), initial));
        }
    }
    let customer = customer.ok_or("no_customer")?;
    let campaign = snap
        .campaigns
        .iter()
        .position(|c| c.id == campaign_id)
        .ok_or("no_loyalty_card")?;
    let mut cards = holder_cards(snap, customer, campaign);
    let (pos, card) = cards.next().ok_or("no_loyalty_card")?;
    if cards.next().is_some() {
        return Err("loyalty_card_ambiguous");
    }
    let key = if card.id.is_empty() {
        holder_card_key(snap, pos).ok_or("loyalty_card_ambiguous")?
    } else {
        format!("voucher:{}", card.id)
    };
    Ok((key, card.loyalty_balance.unwrap_or(0)))
}
