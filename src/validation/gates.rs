//! Resolving requested redeemables and the checks that do not depend on
//! the running order (existence, switches, dates, quantity, holder).

use std::collections::BTreeSet;

use super::response::{default_message, RedeemableError};
use crate::plan::{Plan, Redeemable, RedeemableKind};
use crate::request::{RedeemableObject, RedeemableRef, ValidationRequest};
use crate::rules::Nudge;
use crate::time::{Instant, WindowStatus};

/// What a requested id resolved to.
#[derive(Debug, Clone)]
pub enum Resolution {
    /// A code or tier.
    Found {
        /// Position in the snapshot's redeemables.
        redeemable: usize,
    },
    /// Nothing by that id.
    NotFound,
}

/// A static rejection.
#[derive(Debug, Clone)]
pub struct StaticError {
    /// The error.
    pub error: RedeemableError,
    /// Nudges (e.g. when it becomes valid).
    pub nudges: Vec<Nudge>,
}

/// One requested redeemable (stacks expand to one per tier), borrowing
/// the request and the plan.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    /// Position in application order before sorting (request order).
    pub position: usize,
    /// The id as requested (a stack's tiers carry their own ids).
    pub id: &'a str,
    /// What was requested.
    pub object: RedeemableObject,
    /// The request entry.
    pub request: &'a RedeemableRef,
    /// What it resolved to.
    pub resolution: Resolution,
    /// Why it cannot apply, whatever the order.
    pub static_error: Option<StaticError>,
}

pub(crate) fn error(
    key: &'static str,
    details: Option<String>,
    id: &str,
    resource_type: &'static str,
) -> RedeemableError {
    RedeemableError {
        code: if key == "resource_not_found" {
            404
        } else {
            400
        },
        key,
        message: default_message(key),
        details,
        resource_id: id.to_string(),
        resource_type,
        error: None,
        rule: None,
    }
}

fn resource_type(object: RedeemableObject) -> &'static str {
    match object {
        RedeemableObject::Voucher => "voucher",
        _ => "promotion_tier",
    }
}

/// Resolves every requested redeemable and runs the static gates.
pub fn resolve<'a>(snap: &'a Plan, req: &'a ValidationRequest, now: Instant) -> Vec<Candidate<'a>> {
    let mut out = Vec::new();
    let mut seen_requests = BTreeSet::new();
    let mut seen_redeemables = BTreeSet::new();
    for r in &req.redeemables {
        let duplicate_request = !seen_requests.insert((r.object as u8, r.id.as_str()));
        let found: Vec<(&str, Option<usize>)> = match r.object {
            RedeemableObject::Voucher => vec![(r.id.as_str(), snap.find_voucher(&r.id))],
            RedeemableObject::PromotionTier => vec![(r.id.as_str(), snap.find_tier(&r.id))],
            RedeemableObject::PromotionStack => match snap.stacks.get(&r.id) {
                Some(stack) => stack
                    .tiers
                    .iter()
                    .map(|t| {
                        let id = snap.redeemables.get(*t).map_or("", |x| x.id.as_str());
                        (id, Some(*t))
                    })
                    .collect(),
                None => vec![(r.id.as_str(), None)],
            },
        };
        for (id, pos) in found {
            let mut c = Candidate::of(r, id, pos, out.len());
            c.static_error = match pos {
                Some(_) if duplicate_request => Some(c.fails("duplicated_redeemables", None)),
                // Bulk codes share one redeemable: there the code itself is the identity.
                Some(p)
                    if !seen_redeemables.insert((
                        p,
                        if snap.redeemables.get(p).is_some_and(|x| x.shared) {
                            id
                        } else {
                            ""
                        },
                    )) =>
                {
                    Some(c.fails("duplicated_redeemables", None))
                }
                _ => c.gate(snap, req, now),
            };
            out.push(c);
        }
    }
    out
}

impl<'a> Candidate<'a> {
    /// A candidate for request entry `r` naming `id`, found at `pos`, not yet gated.
    pub fn of(r: &'a RedeemableRef, id: &'a str, pos: Option<usize>, position: usize) -> Self {
        let object = if r.object == RedeemableObject::PromotionStack {
            RedeemableObject::PromotionTier
        } else {
            r.object
        };
        Candidate {
            position,
            id,
            object,
            request: r,
            resolution: pos.map_or(Resolution::NotFound, |p| Resolution::Found {
                redeemable: p,
            }),
            static_error: None,
        }
    }

    /// The static gates: not found, switched off, out of its dates, used
    /// up, not this customer's, not enough balance.
    pub fn gate(&self, snap: &Plan, req: &ValidationRequest, now: Instant) -> Option<StaticError> {
        match self.resolution {
            Resolution::NotFound => {
                let rtype = resource_type(self.object);
                let details = format!("Cannot find {rtype} with id {}", self.id);
                Some(self.fails("resource_not_found", Some(details)))
            }
            Resolution::Found { redeemable } => snap
                .redeemables
                .get(redeemable)
                .and_then(|red| gate(snap, req, red, self.request, self.id, now)),
        }
    }

    fn fails(&self, key: &'static str, details: Option<String>) -> StaticError {
        StaticError {
            error: error(key, details, self.id, resource_type(self.object)),
            nudges: Vec::new(),
        }
    }
}

fn counter(req: &ValidationRequest, id: &str, key: &str) -> Option<i64> {
    req.counters
        .redeemables
        .get(id)
        .and_then(|m| m.get(key))
        .copied()
}

fn gate(
    snap: &Plan,
    req: &ValidationRequest,
    r: &Redeemable,
    rr: &RedeemableRef,
    id: &str,
    now: Instant,
) -> Option<StaticError> {
    let tier = r.kind == RedeemableKind::PromotionTier;
    let rtype = if tier { "promotion_tier" } else { "voucher" };
    let fail = |key: &'static str, details: Option<String>, nudges: Vec<Nudge>| {
        Some(StaticError {
            error: error(key, details, id, rtype),
            nudges,
        })
    };
    if let Some(why) = &r.disabled {
        return fail(
            "invalid_validation_rules",
            Some(why.to_string()),
            Vec::new(),
        );
    }
    if !snap.campaigns.get(r.campaign).is_some_and(|c| c.active) {
        return fail("campaign_not_active", None, Vec::new());
    }
    if !r.active {
        return fail(
            if tier {
                "promotion_inactive"
            } else {
                "voucher_disabled"
            },
            None,
            Vec::new(),
        );
    }
    match r.validity.as_ref() {
        Err(e) => return fail("invalid_validation_rules", Some(e.clone()), Vec::new()),
        Ok(v) => match v.status(now, &snap.tz) {
            WindowStatus::Active => {}
            WindowStatus::NotStarted { starts_at } => {
                let key = if tier {
                    "promotion_not_active_now"
                } else {
                    "voucher_not_active"
                };
                return fail(
                    key,
                    Some(format!("Valid from {}", starts_at.to_rfc3339())),
                    vec![Nudge::WaitUntil {
                        at: starts_at.to_rfc3339(),
                    }],
                );
            }
            WindowStatus::Expired { expired_at } => {
                let key = if tier {
                    "promotion_inactive"
                } else {
                    "voucher_expired"
                };
                return fail(
                    key,
                    Some(format!("Expired at {}", expired_at.to_rfc3339())),
                    Vec::new(),
                );
            }
            WindowStatus::OutsideWindow { next_start } => {
                let key = if tier {
                    "promotion_not_active_now"
                } else {
                    "voucher_not_active_now"
                };
                let nudges = next_start
                    .map(|t| vec![Nudge::WaitUntil { at: t.to_rfc3339() }])
                    .unwrap_or_default();
                return fail(
                    key,
                    next_start.map(|t| format!("Valid again from {}", t.to_rfc3339())),
                    nudges,
                );
            }
        },
    }
    if let Some(limit) = r.quantity {
        let used = counter(req, id, "redeemed_quantity").unwrap_or(r.redeemed_quantity);
        if used >= limit {
            return fail(
                "quantity_exceeded",
                Some(format!("Redeemed {used} of {limit} times")),
                Vec::new(),
            );
        }
    }
    let holds = r
        .holder
        .as_deref()
        .is_some_and(|h| req.customer.as_ref().is_some_and(|c| c.is(h)));
    if r.is_referral && holds {
        return fail("referrer_not_permitted_to_redeem", None, Vec::new());
    }
    if r.holder_only && !r.is_referral && r.holder.is_some() && !holds {
        return fail(
            "customer_rules_violated",
            Some("Only the code's holder may redeem it".into()),
            Vec::new(),
        );
    }
    if r.kind == RedeemableKind::GiftCard {
        let balance = counter(req, id, "gift_balance")
            .or(r.gift.and_then(|g| g.balance.map(|m| m.0)))
            .unwrap_or(0);
        let credits = rr
            .gift
            .as_ref()
            .and_then(|g| g.credits)
            .map_or(balance, |c| c.0);
        if credits > balance || balance <= 0 {
            return fail(
                "gift_amount_exceeded",
                Some(format!("Requested {credits} credits, balance is {balance}")),
                Vec::new(),
            );
        }
    }
    if r.kind == RedeemableKind::LoyaltyCard {
        if let Some(reward) = &rr.reward {
            let balance = counter(req, id, "loyalty_balance")
                .or(r.loyalty_balance)
                .unwrap_or(0);
            let points = reward.points.unwrap_or(0);
            if points > balance {
                return fail(
                    "loyalty_card_points_exceeded",
                    Some(format!("Requested {points} points, balance is {balance}")),
                    Vec::new(),
                );
            }
            let rewards = snap
                .campaigns
                .get(r.campaign)
                .map(|c| c.coin_rewards.as_slice())
                .unwrap_or(&[]);
            let known = match reward.named() {
                Some(rid) => rewards.iter().any(|c| c.id == rid),
                None => !rewards.is_empty(),
            };
            if !known {
                return fail(
                    "missing_reward",
                    reward
                        .named()
                        .map(|rid| format!("No pay-with-points reward {rid}")),
                    Vec::new(),
                );
            }
        }
    }
    let needs_order = match r.kind {
        RedeemableKind::DiscountVoucher
        | RedeemableKind::PromotionTier
        | RedeemableKind::GiftCard => true,
        // A loyalty card without a reward only shows its balance.
        RedeemableKind::LoyaltyCard => rr.reward.is_some(),
    };
    if needs_order && req.order.items.is_empty() && req.order.amount.is_none() {
        return fail(
            "missing_order",
            Some("The request has no order (no items and no amount) to apply it to".into()),
            Vec::new(),
        );
    }
    None
}
