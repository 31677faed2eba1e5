//! One redeemable alone on an order, in the fewest steps: what
//! qualification ranks its candidates by. Its outcome is, by
//! construction, that of [`super::apply_stack`] on a request naming only
//! it: the same gates, the same step, the same stacking decision (a single
//! redeemable needs no exclusivity rounds, and under `ALL` its own failure
//! changes nothing else).

use super::gates::Candidate;
use super::step::{run_step, StepOutcome};
use super::{after_applying, Detail, Status};
use crate::error::Error;
use crate::money::Money;
use crate::order::OrderState;
use crate::plan::Plan;
use crate::request::{RedeemableRef, ValidationRequest};
use crate::stacking::LimitTracker;
use crate::time::Instant;

/// What one redeemable does alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alone {
    /// Its status.
    pub status: Status,
    /// Its error's key, when inapplicable.
    pub error_key: Option<&'static str>,
    /// Whether an incomplete bundle made it inapplicable.
    pub bundle_incomplete: bool,
    /// Order-level discount (gift credits and points included).
    pub order_discount: Money,
    /// Item-level discount.
    pub items_discount: Money,
}

impl Alone {
    fn not(status: Status, error_key: Option<&'static str>, bundle_incomplete: bool) -> Alone {
        Alone {
            status,
            error_key,
            bundle_incomplete,
            order_discount: Money::ZERO,
            items_discount: Money::ZERO,
        }
    }
}

/// Evaluates `named` (found at `pos`) alone on `initial`; `scratch` is
/// working space (any state; left holding the order after it).
pub fn alone(
    snap: &Plan,
    req: &ValidationRequest,
    named: &RedeemableRef,
    pos: usize,
    initial: &OrderState,
    scratch: &mut OrderState,
    now: Instant,
) -> Result<Alone, Error> {
    let mut c = Candidate::of(named, &named.id, Some(pos), 0);
    c.static_error = c.gate(snap, req, now);
    if let Some(err) = &c.static_error {
        return Ok(Alone::not(Status::Inapplicable, Some(err.error.key), false));
    }
    let Some(r) = snap.redeemables.get(pos) else {
        return Ok(Alone::not(Status::Inapplicable, None, false));
    };
    match run_step(snap, req, now, &c, r, initial, scratch, 0, Detail::Amounts)? {
        StepOutcome::Inapplicable { error, bundle, .. } => Ok(Alone::not(
            Status::Inapplicable,
            Some(error.key),
            bundle.is_some_and(|b| b.quantity == 0),
        )),
        StepOutcome::Applied { no_effect, .. } => {
            if after_applying(snap, &LimitTracker::default(), r, no_effect).is_some() {
                return Ok(Alone::not(Status::Skipped, None, false));
            }
            Ok(Alone {
                status: Status::Applicable,
                error_key: None,
                bundle_incomplete: false,
                order_discount: scratch.order_discount.try_sub(initial.order_discount)?,
                items_discount: scratch
                    .items_discount()?
                    .try_sub(initial.items_discount()?)?,
            })
        }
    }
}
