//! `validate`: stacked redeemables on one order, Voucherify's stackable
//! validation semantics, computed locally.
//!
//! The pipeline: resolve every requested redeemable → static gates (exists,
//! active, dates and windows, quantity, holder, balances) → sort by the
//! stacking rules → apply one after another to a running order, each
//! checked against its validation rules on the order as it stands, then
//! against the stacking limits → report every redeemable with a status,
//! an order snapshot, and for the ones that did not apply a key, the
//! failing rule and nudges.

mod alone;
mod gates;
mod request_checks;
pub mod response;
mod step;

use std::collections::BTreeSet;

pub use alone::{alone, Alone};
pub use response::*;

use crate::error::Error;
use crate::money::Money;
use crate::order::OrderEcho;
use crate::order::{OrderCalculation, OrderState};
use crate::plan::Plan;
use crate::request::{Expand, RedeemableObject, ValidationRequest};
use crate::stacking::{group_of, sort_key, ApplicationMode, Group, LimitTracker};
use crate::time::Instant;

use gates::{resolve, Candidate, Resolution};
use step::{run_step, StepOutcome};

/// Validates a request against a compiled snapshot at `now`.
pub fn validate(
    snap: &Plan,
    req: &ValidationRequest,
    now: Instant,
) -> Result<ValidationResponse, Error> {
    request_checks::check(snap, req)?;
    let expand = Expand::of(
        req.options
            .as_ref()
            .map_or(&[][..], |o| o.expand.as_slice()),
        "options.expand",
    )?;
    let initial = OrderState::from_input(&req.order, snap)?;
    let detail = Detail::Answer(Spelled {
        snapshots: expand.order,
        items: expand.order,
        names: expand.redeemable,
    });
    let stacked = apply_stack(snap, req, &initial, now, detail)?;
    let Stacked {
        mut results,
        final_state,
        all_mode,
        ..
    } = stacked;
    let order = OrderCalculation::between(
        &initial,
        &final_state,
        &OrderEcho::of(&req.order, req.customer.as_ref(), now, expand.order),
    )?;
    let applicable = results
        .iter()
        .filter(|r| r.status == Status::Applicable)
        .count();
    let mut inapplicable = Vec::new();
    let mut skipped = Vec::new();
    for r in &results {
        match r.status {
            Status::Inapplicable => inapplicable.push(r.clone()),
            Status::Skipped => skipped.push(r.clone()),
            Status::Applicable => {}
        }
    }
    if !all_mode {
        results.retain(|r| r.status == Status::Applicable);
    }
    let earned_points = crate::loyalty::preview_points(snap, req, &initial, &final_state, now);
    Ok(ValidationResponse {
        valid: inapplicable.is_empty() && applicable > 0,
        redeemables: results,
        inapplicable_redeemables: inapplicable,
        skipped_redeemables: skipped,
        order,
        stacking_rules: snap.stacking.clone(),
        snapshot_version: snap.version,
        earned_points,
    })
}

/// How much of each outcome [`apply_stack`] spells out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// What an answer shows: statuses, results, errors and nudges,
    /// categories, targets, and what [`Spelled`] adds.
    Answer(Spelled),
    /// Statuses, errors, nudges and [`AppliedEffect`]s only — for callers
    /// that rank or price many candidates and explain few (a strikethrough
    /// page, a qualification ranking). Effects and the order reached are
    /// always those of `Full`, and so are statuses, except that (in
    /// `PARTIAL` mode) once one redeemable has applied, a common one over a
    /// stacking limit is reported SKIPPED without evaluating its rules
    /// (`Answer` says INAPPLICABLE when they fail): it could not apply either way.
    Amounts,
}

/// What an answer spells out beyond its lean default (from `options.expand`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spelled {
    /// Each applicable redeemable's own `order` after it.
    pub snapshots: bool,
    /// The `items` of every `order` in the answer.
    pub items: bool,
    /// Each redeemable's campaign id and name, tier name and banner, metadata.
    pub names: bool,
}

impl Detail {
    fn spelled(self) -> Option<Spelled> {
        match self {
            Detail::Answer(s) => Some(s),
            Detail::Amounts => None,
        }
    }
}

/// What one applied redeemable took off the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppliedEffect {
    /// Its index in [`Stacked::results`].
    pub result: usize,
    /// Its position in the snapshot's redeemables.
    pub redeemable: usize,
    /// Order-level discount of this step (gift credits and points included).
    pub order_discount: Money,
    /// Item-level discount of this step.
    pub items_discount: Money,
}

/// Every redeemable's outcome in application order, and the order after
/// all of them.
pub struct Stacked {
    /// Outcomes in application order.
    pub results: Vec<RedeemableResult>,
    /// The applied ones' discounts, in application order (with any detail).
    pub effects: Vec<AppliedEffect>,
    /// The order after every applied redeemable.
    pub final_state: OrderState,
    /// Whether the snapshot's application mode is `ALL`.
    pub all_mode: bool,
}

/// The stacking pipeline on an already-read order (request limits are the
/// caller's): qualification and pricing call it once per candidate on an
/// order they read once.
pub fn apply_stack(
    snap: &Plan,
    req: &ValidationRequest,
    initial: &OrderState,
    now: Instant,
    detail: Detail,
) -> Result<Stacked, Error> {
    let mut candidates = resolve(snap, req, now);
    candidates.sort_by_cached_key(|c| match &c.resolution {
        Resolution::Found { redeemable, .. } => match snap.redeemables.get(*redeemable) {
            Some(r) => sort_key(snap, &r.categories, c.position),
            None => sort_key(snap, &[], c.position),
        },
        // Not found: placed like an uncategorized redeemable, so reports keep request order.
        _ => sort_key(snap, &[], c.position),
    });

    // Exclusive redeemables win over common ones "whatever the order" — but
    // only when valid. Start by assuming every exclusive one that passed the
    // static gates is valid; drop those that turn out inapplicable and run
    // again. Each round drops at least one, so this ends.
    let mut assumed_exclusive: BTreeSet<usize> = candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is_exclusive(snap) && c.static_error.is_none())
        .map(|(i, _)| i)
        .collect();
    let mut rounds = 0;
    let Run {
        results,
        effects,
        state: final_state,
    } = loop {
        rounds += 1;
        let ran = run(
            snap,
            req,
            now,
            &candidates,
            initial,
            !assumed_exclusive.is_empty(),
            detail,
        )?;
        let failed: BTreeSet<usize> = assumed_exclusive
            .iter()
            .copied()
            .filter(|i| {
                ran.results
                    .get(*i)
                    .is_some_and(|r| r.status == Status::Inapplicable)
            })
            .collect();
        if failed.is_empty() || rounds > crate::limits::MAX_REDEEMABLES + 1 {
            break ran;
        }
        assumed_exclusive.retain(|i| !failed.contains(i));
    };

    let all_mode = snap.stacking.redeemables_application_mode == ApplicationMode::All;
    let any_inapplicable = results.iter().any(|r| r.status == Status::Inapplicable);
    let (results, effects, final_state) = if all_mode && any_inapplicable {
        let reset = results
            .into_iter()
            .map(|mut r| {
                if r.status != Status::Inapplicable {
                    r.status = Status::Skipped;
                    r.order = None;
                    r.result = Outcome {
                        details: Some(skip_details("preceding_validation_failed")),
                        ..Outcome::default()
                    };
                }
                r
            })
            .collect();
        (reset, Vec::new(), initial.clone())
    } else {
        (results, effects, final_state)
    };

    Ok(Stacked {
        results,
        effects,
        final_state,
        all_mode,
    })
}

/// Why a redeemable that applied is skipped after all: over a stacking
/// limit, or without effect where the rules skip those.
pub(crate) fn after_applying(
    snap: &Plan,
    limits: &LimitTracker,
    r: &crate::plan::Redeemable,
    no_effect: bool,
) -> Option<&'static str> {
    limits.check(snap, &r.categories).or_else(|| {
        (no_effect && crate::stacking::skips_no_effect(&snap.stacking, &r.categories))
            .then_some("no_effect")
    })
}

/// The details of a skip.
pub(crate) fn skip_details(key: &'static str) -> Details {
    Details {
        key,
        message: default_message(key),
    }
}

/// One pass over the sorted candidates.
struct Run {
    results: Vec<RedeemableResult>,
    effects: Vec<AppliedEffect>,
    state: OrderState,
}

fn run(
    snap: &Plan,
    req: &ValidationRequest,
    now: Instant,
    candidates: &[Candidate],
    initial: &OrderState,
    exclusive_present: bool,
    detail: Detail,
) -> Result<Run, Error> {
    let mut state = initial.clone();
    let mut scratch = initial.clone();
    let mut limits = LimitTracker::default();
    let mut results = Vec::with_capacity(candidates.len());
    let mut effects = Vec::new();
    // What every applied redeemable's own order says the order is (only
    // when those orders are spelled out): one echo for the whole run.
    let echo = detail
        .spelled()
        .filter(|s| s.snapshots)
        .map(|s| OrderEcho::of(&req.order, req.customer.as_ref(), now, s.items));
    for (position, c) in candidates.iter().enumerate() {
        let mut result = c.skeleton(snap, detail);
        if let Some(err) = &c.static_error {
            result.status = Status::Inapplicable;
            result.result.error = Some(err.error.clone());
            result.result.details = Some(Details {
                key: err.error.key,
                message: err.error.message,
            });
            result.nudges = err.nudges.clone();
            results.push(result);
            continue;
        }
        let Resolution::Found { redeemable, .. } = &c.resolution else {
            results.push(result);
            continue;
        };
        let Some(r) = snap.redeemables.get(*redeemable) else {
            results.push(result);
            continue;
        };
        if exclusive_present
            && group_of(snap, &r.categories) == Group::Common
            && !c.is_exclusive(snap)
        {
            result.status = Status::Skipped;
            result.result.details = Some(skip_details("exclusion_rules_not_met"));
            results.push(result);
            continue;
        }
        // Over a limit, a common redeemable is skipped whether or not its
        // rules pass — unless an exclusive one's validity decides the rounds
        // above, or under ALL, where one inapplicable redeemable voids all.
        if detail == Detail::Amounts
            && !effects.is_empty()
            && !c.is_exclusive(snap)
            && snap.stacking.redeemables_application_mode != ApplicationMode::All
        {
            if let Some(key) = limits.check(snap, &r.categories) {
                result.status = Status::Skipped;
                result.result.details = Some(skip_details(key));
                results.push(result);
                continue;
            }
        }
        let before = detail
            .spelled()
            .filter(|s| s.snapshots)
            .map(|_| state.clone());
        let (order_before, items_before) = (state.order_discount, state.items_discount()?);
        match run_step(snap, req, now, c, r, &state, &mut scratch, position, detail)? {
            StepOutcome::Inapplicable {
                error,
                nudges,
                bundle,
                counters_assumed,
            } => {
                result.status = Status::Inapplicable;
                result.result.details = Some(Details {
                    key: error.key,
                    message: error.message,
                });
                result.result.error = Some(error);
                result.result.bundle = bundle;
                result.nudges = nudges;
                result.counters_assumed = counters_assumed;
            }
            StepOutcome::Applied {
                outcome,
                applicable_to,
                inapplicable_to,
                no_effect,
                counters_assumed,
            } => {
                result.counters_assumed = counters_assumed;
                if let Some(key) = after_applying(snap, &limits, r, no_effect) {
                    result.status = Status::Skipped;
                    result.result.details = Some(skip_details(key));
                } else {
                    limits.record(snap, &r.categories);
                    std::mem::swap(&mut state, &mut scratch);
                    effects.push(AppliedEffect {
                        result: results.len(),
                        redeemable: *redeemable,
                        order_discount: state.order_discount.try_sub(order_before)?,
                        items_discount: state.items_discount()?.try_sub(items_before)?,
                    });
                    result.status = Status::Applicable;
                    result.result = outcome;
                    result.applicable_to = applicable_to;
                    result.inapplicable_to = inapplicable_to;
                    if let (Some(before), Some(echo)) = (&before, &echo) {
                        result.order = Some(OrderCalculation::of_step(before, &state, echo)?);
                    }
                }
            }
        }
        results.push(result);
    }
    Ok(Run {
        results,
        effects,
        state,
    })
}

impl Candidate<'_> {
    fn is_exclusive(&self, snap: &Plan) -> bool {
        match &self.resolution {
            Resolution::Found { redeemable, .. } => snap
                .redeemables
                .get(*redeemable)
                .is_some_and(|r| group_of(snap, &r.categories) == Group::Exclusive),
            _ => false,
        }
    }

    fn skeleton(&self, snap: &Plan, detail: Detail) -> RedeemableResult {
        let object = match self.object {
            RedeemableObject::Voucher => "voucher",
            RedeemableObject::PromotionTier | RedeemableObject::PromotionStack => "promotion_tier",
        };
        let mut out = RedeemableResult {
            status: Status::Inapplicable,
            id: self.id.to_string(),
            object,
            order: None,
            applicable_to: None,
            inapplicable_to: None,
            result: Outcome::default(),
            categories: Vec::new(),
            metadata: Default::default(),
            campaign_id: None,
            campaign_name: None,
            name: None,
            banner: None,
            nudges: Vec::new(),
            counters_assumed: Vec::new(),
        };
        let Some(spelled) = detail.spelled() else {
            return out;
        };
        let Resolution::Found { redeemable, .. } = &self.resolution else {
            return out;
        };
        let Some(r) = snap.redeemables.get(*redeemable) else {
            return out;
        };
        if spelled.names {
            let camp = snap.campaigns.get(r.campaign);
            out.campaign_id = camp.map(|c| c.id.clone());
            out.campaign_name = camp.map(|c| c.name.clone());
            out.name = r.name.clone();
            out.banner = r.banner.clone();
            out.metadata = r.metadata.clone();
        }
        out.categories = r.categories.iter().map(|c| category_ref(snap, c)).collect();
        out.result.discount = r.discount.clone();
        out
    }
}

/// A category as answers show it (Voucherify's `Category`).
pub(crate) fn category_ref(snap: &Plan, id: &str) -> CategoryRef {
    let category = snap.categories.get(id);
    CategoryRef {
        id: id.to_string(),
        hierarchy: category.map_or(1, |c| c.hierarchy),
        stacking_rules_type: if snap.is_exclusive(id) {
            Some("EXCLUSIVE")
        } else if snap.is_joint(id) {
            Some("JOINT")
        } else {
            None
        },
        name: category.map(|c| c.name.clone()).unwrap_or_default(),
        object: "category",
        created_at: snap.issued_at.to_rfc3339(),
    }
}
