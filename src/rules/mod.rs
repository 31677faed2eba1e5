//! Validation rules: numbered conditions with nested sub-rules and a
//! `logic` expression, compiled once at load and evaluated per request.
//!
//! A rule the engine does not understand (unknown name or operator, too
//! deep, malformed operands) fails *closed*: compiling returns an error
//! message, and the snapshot compiler disables the redeemables using it
//! with a load warning. It never crashes and never grants a discount.

mod compile;
pub mod conditions;
mod eval;
pub mod logic;
mod nudge;

pub use compile::{
    compile_rule_set, CompiledRule, CompiledRuleSet, CounterAdd, CounterRule, CounterScope,
    ItemMatcher, ItemTarget, RuleKind,
};
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
