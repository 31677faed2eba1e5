//! The parsed form of a formula.
//!
//! Operator chains (`a + b - c`, `a AND b AND c`) are flat lists, so the
//! tree is only as deep as the formula's nesting (bounded by
//! [`super::MAX_DEPTH`]) and evaluation recursion stays shallow.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{MetadataSource, Operand};

/// An expression node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) enum Expr {
    /// A number literal.
    Number(#[serde(with = "crate::plan::wire::decimal")] Decimal),
    /// A string literal.
    Text(String),
    /// A named operand read from the environment.
    Operand(Operand),
    /// `*_METADATA("key")`.
    Metadata(MetadataSource, String),
    /// `TODAY`.
    Today,
    /// `NOW`.
    Now,
    /// Unary minus.
    Neg(#[serde(deserialize_with = "crate::plan::wire::nested")] Box<Expr>),
    /// `first op₁ e₁ op₂ e₂ …`, evaluated left to right.
    Arith(
        #[serde(deserialize_with = "crate::plan::wire::nested")] Box<Expr>,
        #[serde(deserialize_with = "crate::plan::wire::nested")] Vec<(ArithOp, Expr)>,
    ),
    /// `a op b` (comparisons do not chain).
    Compare(
        #[serde(deserialize_with = "crate::plan::wire::nested")] Box<Expr>,
        CmpOp,
        #[serde(deserialize_with = "crate::plan::wire::nested")] Box<Expr>,
    ),
    /// All hold (short-circuit).
    And(#[serde(deserialize_with = "crate::plan::wire::nested")] Vec<Expr>),
    /// Any holds (short-circuit).
    Or(#[serde(deserialize_with = "crate::plan::wire::nested")] Vec<Expr>),
    /// `SWITCH(subject;SWITCH_CASE(v;r)…;default)`.
    Switch {
        #[serde(deserialize_with = "crate::plan::wire::nested")]
        subject: Box<Expr>,
        #[serde(deserialize_with = "crate::plan::wire::nested")]
        cases: Vec<(Expr, Expr)>,
        #[serde(deserialize_with = "crate::plan::wire::nested")]
        default: Option<Box<Expr>>,
    },
    /// A function call; arity is checked by the parser.
    Call(
        Func,
        #[serde(deserialize_with = "crate::plan::wire::nested")] Vec<Expr>,
    ),
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum CmpOp {
    Gt,
    Lt,
    Ge,
    Le,
    Eq,
    Ne,
}

/// A function (everything called with parentheses except metadata,
/// `SWITCH` and `SWITCH_CASE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum Func {
    If,
    Min,
    Max,
    Pow,
    DefaultTo,
    Round,
    Floor,
    Ceil,
    InArray,
    NotInArray,
    Is,
    IsNot,
    Contains,
    StartsWith,
    EndsWith,
    DaysSince,
    DaysUntil,
    MonthsSince,
    MonthsUntil,
    YearsSince,
    IsAfter,
    IsBefore,
    DateIs,
    DateIsNot,
    Date,
    DateTime,
    DayOfMonth,
    Month,
    Year,
}

impl Func {
    /// The smallest and largest argument counts (`None`: no upper bound).
    #[cfg(feature = "compiler")]
    pub(super) fn arity(self) -> (usize, Option<usize>) {
        match self {
            Func::If => (3, Some(3)),
            Func::Min | Func::Max => (1, None),
            Func::DefaultTo | Func::InArray | Func::NotInArray => (2, None),
            Func::Pow
            | Func::Is
            | Func::IsNot
            | Func::Contains
            | Func::StartsWith
            | Func::EndsWith
            | Func::IsAfter
            | Func::IsBefore
            | Func::DateIs
            | Func::DateIsNot => (2, Some(2)),
            Func::Round | Func::Floor | Func::Ceil => (1, Some(2)),
            Func::DaysSince
            | Func::DaysUntil
            | Func::MonthsSince
            | Func::MonthsUntil
            | Func::YearsSince
            | Func::Date
            | Func::DateTime => (1, Some(1)),
            Func::DayOfMonth | Func::Month | Func::Year => (0, Some(1)),
        }
    }
}
