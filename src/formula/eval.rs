//! Evaluation of a parsed formula against a [`FormulaEnv`].

use std::cmp::Ordering;

use chrono::Datelike;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use super::ast::{ArithOp, CmpOp, Expr, Func};
use super::dates::{days_between, months_between, parse_any_date, parse_date_time};
use super::value::Value;
use super::{FormulaEnv, MAX_EVAL_STEPS};

/// Largest `POW` exponent.
const MAX_POW_EXPONENT: u32 = 64;
/// Largest `|precision|` of `ROUND`, `FLOOR` and `CEIL` (a decimal's
/// largest scale).
const MAX_PRECISION: i64 = 28;

/// One evaluation: the environment and the steps spent so far.
pub(super) struct Evaluator<'a> {
    env: &'a dyn FormulaEnv,
    steps: u32,
}

impl<'a> Evaluator<'a> {
    pub(super) fn new(env: &'a dyn FormulaEnv) -> Evaluator<'a> {
        Evaluator { env, steps: 0 }
    }

    /// Evaluates `expr` to a number (numeric text counts).
    pub(super) fn eval_number(&mut self, expr: &Expr) -> Option<Decimal> {
        self.eval(expr)?.number()
    }

    fn step(&mut self) -> Option<()> {
        self.steps = self.steps.saturating_add(1);
        (self.steps <= MAX_EVAL_STEPS).then_some(())
    }

    fn num(&mut self, expr: &Expr) -> Option<Decimal> {
        self.eval(expr)?.number()
    }

    fn bool(&mut self, expr: &Expr) -> Option<bool> {
        match self.eval(expr)? {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    fn eval(&mut self, expr: &Expr) -> Option<Value> {
        self.step()?;
        match expr {
            Expr::Number(n) => Some(Value::Number(*n)),
            Expr::Text(s) => Some(Value::Text(s.clone())),
            Expr::Operand(operand) => self.env.operand(*operand).map(Value::from),
            Expr::Metadata(source, key) => Value::from_json(self.env.metadata(*source, key)?),
            Expr::Today => Some(Value::Date(self.env.local_date())),
            Expr::Now => Some(Value::DateTime(self.env.now(), self.env.local_date())),
            Expr::Neg(inner) => Some(Value::Number(-self.num(inner)?)),
            Expr::Arith(first, rest) => {
                let mut acc = self.num(first)?;
                for (op, operand) in rest {
                    let right = self.num(operand)?;
                    acc = arith(*op, acc, right)?;
                }
                Some(Value::Number(acc))
            }
            Expr::Compare(left, op, right) => {
                let left = self.eval(left)?;
                let right = self.eval(right)?;
                compare(&left, *op, &right).map(Value::Bool)
            }
            Expr::And(items) => {
                for item in items {
                    if !self.bool(item)? {
                        return Some(Value::Bool(false));
                    }
                }
                Some(Value::Bool(true))
            }
            Expr::Or(items) => {
                for item in items {
                    if self.bool(item)? {
                        return Some(Value::Bool(true));
                    }
                }
                Some(Value::Bool(false))
            }
            Expr::Switch {
                subject,
                cases,
                default,
            } => {
                let subject = self.eval(subject)?;
                for (value, result) in cases {
                    if subject.loose_eq(&self.eval(value)?) {
                        return self.eval(result);
                    }
                }
                self.eval(default.as_deref()?)
            }
            Expr::Call(func, args) => self.call(*func, args),
        }
    }

    /// Evaluates every argument, spreading metadata arrays.
    fn spread(&mut self, args: &[Expr]) -> Option<Vec<Value>> {
        let mut out = Vec::with_capacity(args.len());
        for arg in args {
            match self.eval(arg)? {
                Value::List(items) => out.extend(items),
                other => out.push(other),
            }
        }
        Some(out)
    }

    fn arg(&mut self, args: &[Expr], i: usize) -> Option<Value> {
        self.eval(args.get(i)?)
    }

    fn num_arg(&mut self, args: &[Expr], i: usize) -> Option<Decimal> {
        self.num(args.get(i)?)
    }

    fn text_args(&mut self, args: &[Expr]) -> Option<(String, String)> {
        let a = self.arg(args, 0)?;
        let b = self.arg(args, 1)?;
        Some((a.text()?.to_string(), b.text()?.to_string()))
    }

    /// The date of argument `i`, or today when it is absent.
    fn date_arg(&mut self, args: &[Expr]) -> Option<chrono::NaiveDate> {
        match args.first() {
            Some(arg) => self.eval(arg)?.date(),
            None => Some(self.env.local_date()),
        }
    }

    fn call(&mut self, func: Func, args: &[Expr]) -> Option<Value> {
        let value = match func {
            Func::If => {
                let branch = if self.bool(args.first()?)? { 1 } else { 2 };
                return self.arg(args, branch);
            }
            Func::DefaultTo => {
                for arg in args {
                    if let Some(v) = self.eval(arg) {
                        return Some(v);
                    }
                }
                return None;
            }
            Func::Min | Func::Max => {
                let mut best: Option<Decimal> = None;
                for v in self.spread(args)? {
                    let n = v.number()?;
                    best = Some(match best {
                        Some(b) if (func == Func::Min) == (b <= n) => b,
                        _ => n,
                    });
                }
                Value::Number(best?)
            }
            Func::Pow => {
                let base = self.num_arg(args, 0)?;
                let exp = self.num_arg(args, 1)?;
                if !exp.fract().is_zero() {
                    return None;
                }
                let exp = exp.to_u32().filter(|e| *e <= MAX_POW_EXPONENT)?;
                let mut acc = Decimal::ONE;
                for _ in 0..exp {
                    self.step()?;
                    acc = acc.checked_mul(base)?;
                }
                Value::Number(acc)
            }
            Func::Round | Func::Floor | Func::Ceil => {
                let x = self.num_arg(args, 0)?;
                let precision = match args.get(1) {
                    Some(p) => self.num(p)?,
                    None => Decimal::ZERO,
                };
                let strategy = match func {
                    Func::Round => RoundingStrategy::MidpointAwayFromZero,
                    Func::Floor => RoundingStrategy::ToNegativeInfinity,
                    _ => RoundingStrategy::ToPositiveInfinity,
                };
                Value::Number(round(x, precision, strategy)?)
            }
            Func::InArray | Func::NotInArray => {
                let needle = self.arg(args, 0)?;
                if matches!(needle, Value::List(_)) {
                    return None;
                }
                let found = self
                    .spread(args.get(1..)?)?
                    .iter()
                    .any(|candidate| in_candidate(&needle, candidate));
                Value::Bool(found == (func == Func::InArray))
            }
            Func::Is | Func::IsNot => {
                let a = self.arg(args, 0)?;
                let b = self.arg(args, 1)?;
                Value::Bool(a.loose_eq(&b) == (func == Func::Is))
            }
            Func::Contains => {
                let haystack = self.arg(args, 0)?;
                let needle = self.arg(args, 1)?;
                Value::Bool(match (&haystack, &needle) {
                    (Value::List(items), _) => items.iter().any(|i| i.loose_eq(&needle)),
                    (Value::Text(h), Value::Text(n)) => h.contains(n.as_str()),
                    _ => return None,
                })
            }
            Func::StartsWith => {
                let (a, b) = self.text_args(args)?;
                Value::Bool(a.starts_with(&b))
            }
            Func::EndsWith => {
                let (a, b) = self.text_args(args)?;
                Value::Bool(a.ends_with(&b))
            }
            Func::DaysSince
            | Func::DaysUntil
            | Func::MonthsSince
            | Func::MonthsUntil
            | Func::YearsSince => {
                let date = self.arg(args, 0)?.date()?;
                let today = self.env.local_date();
                let n = match func {
                    Func::DaysSince => days_between(date, today),
                    Func::DaysUntil => days_between(today, date),
                    Func::MonthsSince => months_between(date, today)?,
                    Func::MonthsUntil => months_between(today, date)?,
                    _ => months_between(date, today)? / 12,
                };
                Value::Number(Decimal::from(n))
            }
            Func::IsAfter | Func::IsBefore => {
                let a = self.arg(args, 0)?;
                let b = self.arg(args, 1)?;
                let order = match (a.instant(), b.instant()) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    _ => a.date()?.cmp(&b.date()?),
                };
                let wanted = if func == Func::IsAfter {
                    Ordering::Greater
                } else {
                    Ordering::Less
                };
                Value::Bool(order == wanted)
            }
            Func::DateIs | Func::DateIsNot => {
                let a = self.arg(args, 0)?.date()?;
                let b = self.arg(args, 1)?.date()?;
                Value::Bool((a == b) == (func == Func::DateIs))
            }
            Func::Date => match self.arg(args, 0)? {
                Value::Text(s) => Value::Date(parse_any_date(&s)?),
                Value::Date(d) | Value::DateTime(_, d) => Value::Date(d),
                _ => return None,
            },
            Func::DateTime => match self.arg(args, 0)? {
                Value::Text(s) => {
                    let (at, date) = parse_date_time(&s)?;
                    Value::DateTime(at, date)
                }
                v @ Value::DateTime(..) => v,
                _ => return None,
            },
            Func::DayOfMonth | Func::Month | Func::Year => {
                let date = self.date_arg(args)?;
                let n = match func {
                    Func::DayOfMonth => i64::from(date.day()),
                    Func::Month => i64::from(date.month()),
                    _ => i64::from(date.year()),
                };
                Value::Number(Decimal::from(n))
            }
        };
        Some(value)
    }
}

fn arith(op: ArithOp, a: Decimal, b: Decimal) -> Option<Decimal> {
    match op {
        ArithOp::Add => a.checked_add(b),
        ArithOp::Sub => a.checked_sub(b),
        ArithOp::Mul => a.checked_mul(b),
        ArithOp::Div => a.checked_div(b),
        ArithOp::Rem => a.checked_rem(b),
    }
}

/// `=` and `!=` use loose equality; ordering compares two dates (as
/// instants when both have a time), else two numbers; anything else is a
/// type error.
fn compare(a: &Value, op: CmpOp, b: &Value) -> Option<bool> {
    let order = match op {
        CmpOp::Eq => return Some(a.loose_eq(b)),
        CmpOp::Ne => return Some(!a.loose_eq(b)),
        _ => {
            let dateish = |v: &Value| matches!(v, Value::Date(_) | Value::DateTime(..));
            if dateish(a) || dateish(b) {
                match (a.instant(), b.instant()) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    _ => a.date()?.cmp(&b.date()?),
                }
            } else {
                a.number()?.cmp(&b.number()?)
            }
        }
    };
    Some(match op {
        CmpOp::Gt => order == Ordering::Greater,
        CmpOp::Lt => order == Ordering::Less,
        CmpOp::Ge => order != Ordering::Less,
        _ => order != Ordering::Greater,
    })
}

/// Whether `needle` matches an `IN_ARRAY` candidate: loosely equal, or one
/// of the trimmed parts of a comma-separated text (`"EU,EMEA"`).
fn in_candidate(needle: &Value, candidate: &Value) -> bool {
    if needle.loose_eq(candidate) {
        return true;
    }
    match candidate {
        Value::Text(list) if list.contains(',') => list
            .split(',')
            .any(|part| needle.loose_eq(&Value::Text(part.trim().to_string()))),
        _ => false,
    }
}

/// Rounds `x` to `precision` decimal places (negative: to tens, hundreds,
/// …) with `strategy`. The precision must be a whole number within ±28.
fn round(x: Decimal, precision: Decimal, strategy: RoundingStrategy) -> Option<Decimal> {
    if !precision.fract().is_zero() {
        return None;
    }
    let p = precision
        .to_i64()
        .filter(|p| (-MAX_PRECISION..=MAX_PRECISION).contains(p))?;
    if p >= 0 {
        return Some(x.round_dp_with_strategy(u32::try_from(p).ok()?, strategy));
    }
    let mut factor = Decimal::ONE;
    for _ in 0..p.unsigned_abs() {
        factor = factor.checked_mul(Decimal::TEN)?;
    }
    x.checked_div(factor)?
        .round_dp_with_strategy(0, strategy)
        .checked_mul(factor)
}
