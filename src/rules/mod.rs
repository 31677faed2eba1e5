//! Validation rules evaluated per request: numbered conditions with nested
//! sub-rules and a `logic` expression, as the plan carries them
//! ([`crate::plan::RuleSet`]; the compiler builds them at publish time).

pub mod conditions;
mod eval;
mod nudge;

pub use eval::{evaluate, EvalContext, Failure, FailureKind, RuleOutcome};
pub use nudge::{MissingItem, Nudge};

/// A missing item for a nudge.
pub fn nudge_item(object: Option<&'static str>, id: &str, quantity: i64) -> MissingItem {
    MissingItem {
        object,
        id: id.to_string(),
        quantity,
    }
}
