//! What a request's redeemables are in the ledger (their keys and
//! campaigns) and the calendar periods of a redemption: the ledger's reads
//! of the compiled snapshot.

use chrono::{Datelike, NaiveDateTime};
use promo_edge::request::{RedeemableObject, ValidationRequest};
use promo_edge::snapshot::{CompiledSnapshot, RedeemableKind};
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
}

fn ledger_key(snap: &CompiledSnapshot, pos: usize, requested: &str) -> Option<String> {
    let r = snap.redeemables.get(pos)?;
    Some(match r.kind {
        RedeemableKind::PromotionTier => format!("tier:{}", r.id),
        _ if !r.id.is_empty() => format!("voucher:{}", r.id),
        _ => format!("code:{}", sha256_b64(requested)),
    })
}

pub(super) fn resolve(snap: &CompiledSnapshot, req: &ValidationRequest) -> Vec<Target> {
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
        });
    };
    for r in &req.redeemables {
        match r.object {
            RedeemableObject::Voucher => push(&r.id, "voucher", snap.find_voucher(&r.id)),
            RedeemableObject::PromotionTier => push(&r.id, "promotion_tier", snap.find_tier(&r.id)),
            RedeemableObject::PromotionStack => {
                if let Some((_, tiers)) = snap.stacks.get(&r.id) {
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

pub(super) fn periods(snap: &CompiledSnapshot, now: Instant) -> Periods {
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
