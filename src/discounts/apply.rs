//! Applying a compiled discount to the running order.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::dynamic::{whole_units, FormulaScope};
use super::select::{eligible_lines, select, TargetGroup};
use crate::error::Error;
use crate::money::{Money, RoundingMode};
use crate::order::{Line, OrderState};
use crate::plan::{AmountEffect, Discount, Dynamic, Eligibility, UnitEffect, UnitGift};
use crate::plan::{Plan, TargetUnit};

/// Settings that shape one application.
pub struct ApplyContext<'a> {
    /// Percentages on the initial amounts (`INITIAL_AMOUNT`).
    pub initial_mode: bool,
    /// `ONCE` product policy.
    pub once: bool,
    /// The snapshot's rounding.
    pub rounding: RoundingMode,
    /// This redeemable's position in application order.
    pub position: usize,
    /// Bundle multiplier (1 without bundles).
    pub multiplier: i64,
    /// For the catalog prices of free units.
    pub catalog: &'a Plan,
    /// What formulas read; without it formulas fall back to plain values.
    pub scope: Option<&'a FormulaScope<'a>>,
}

impl ApplyContext<'_> {
    /// A money value: the formula's when it evaluates, else the plain one.
    fn money(
        &self,
        plain: Money,
        f: &Option<Dynamic>,
        state: &OrderState,
        line: Option<&Line>,
    ) -> Money {
        match (f, self.scope) {
            (Some(f), Some(s)) => s.money(f, state, line).unwrap_or(plain),
            _ => plain,
        }
    }

    /// A percentage: the formula's when it evaluates within 0..=100, else the plain one.
    fn percent(
        &self,
        plain: Decimal,
        f: &Option<Dynamic>,
        state: &OrderState,
        line: Option<&Line>,
    ) -> Decimal {
        match (f, self.scope) {
            (Some(f), Some(s)) => s
                .number(f, state, line)
                .filter(|p| (Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(p))
                .unwrap_or(plain),
            _ => plain,
        }
    }

    /// Units: the formula's (rounded down) when it evaluates, else the plain ones.
    fn units(&self, plain: i64, f: &Option<Dynamic>, state: &OrderState) -> i64 {
        match (f, self.scope) {
            (Some(f), Some(s)) => s
                .number(f, state, None)
                .and_then(whole_units)
                .unwrap_or(plain),
            _ => plain,
        }
    }
}

/// What one application changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Order-level discount added.
    pub order_discount: Money,
    /// Item-level discount added.
    pub items_discount: Money,
    /// Units added by unit effects.
    pub added_units: i64,
    /// Line indices (request positions) the effect touched, in application order.
    pub touched: Vec<usize>,
}

impl Applied {
    /// Whether it changed nothing.
    pub fn is_empty(&self) -> bool {
        self.order_discount == Money::ZERO
            && self.items_discount == Money::ZERO
            && self.added_units == 0
    }
}

fn line_at(state: &OrderState, i: usize) -> Result<&Line, Error> {
    state.lines.get(i).ok_or(Error::ArithmeticOverflow)
}

fn mul(a: Decimal, b: Decimal) -> Result<Decimal, Error> {
    a.checked_mul(b).ok_or(Error::ArithmeticOverflow)
}

fn div(a: Decimal, b: Decimal) -> Result<Decimal, Error> {
    if b.is_zero() {
        return Ok(Decimal::ZERO);
    }
    a.checked_div(b).ok_or(Error::ArithmeticOverflow)
}

/// The value of `units` units of a line: current (after earlier item
/// discounts) or, in `INITIAL_AMOUNT` mode, at the undiscounted price.
fn units_value(line: &Line, units: i64, initial: bool) -> Result<Decimal, Error> {
    let u = Decimal::from(units);
    if initial {
        return mul(line.price.dec(), u);
    }
    div(
        mul(line.subtotal().dec(), u)?,
        Decimal::from(line.quantity.max(1)),
    )
}

/// The base of an order-level discount: the running total (or the initial
/// amount) without excluded lines, or only the included lines' share when
/// the rules name products.
fn order_base(state: &OrderState, e: &Eligibility, initial: bool) -> Result<Money, Error> {
    let total = state.total()?;
    let base = if !e.names_products() {
        if initial {
            state.initial_amount
        } else {
            total
        }
    } else if e.included.is_empty() || e.included_all {
        let mut base = if initial { state.initial_amount } else { total };
        for l in &state.lines {
            if e.excluded.iter().any(|t| l.matches(Some(t.object), t.key)) {
                base = base.saturating_sub(if initial {
                    l.initial_amount()
                } else {
                    l.subtotal()
                });
            }
        }
        base
    } else {
        eligible_lines(state, e, false)
            .iter()
            .try_fold(Money::ZERO, |acc, i| {
                let l = line_at(state, *i)?;
                acc.try_add(if initial {
                    l.initial_amount()
                } else {
                    l.subtotal()
                })
            })?
    };
    // In INITIAL_AMOUNT mode the base is the original amount; the discount
    // itself is still capped by the running total where it is applied.
    Ok(if initial { base } else { base.min(total) })
}

fn cap(value: Money, limit: Option<Money>) -> Money {
    limit.map_or(value, |l| value.min(l))
}

/// Applies `d` to `state` and reports what changed.
pub fn apply_discount(
    d: &Discount,
    e: &Eligibility,
    state: &mut OrderState,
    ctx: &ApplyContext<'_>,
) -> Result<Applied, Error> {
    let mult = ctx.multiplier.max(1);
    match d {
        Discount::Amount {
            amount_off,
            effect: AmountEffect::Order,
            aggregated_amount_limit,
            formula,
        } => {
            let amount_off = ctx.money(*amount_off, formula, state, None);
            let want = cap(amount_off.times(mult)?, *aggregated_amount_limit);
            order_level(state, want.min(order_base(state, e, false)?))
        }
        Discount::Percent {
            percent,
            items: false,
            amount_limit,
            aggregated_amount_limit,
            formula,
        } => {
            let percent = ctx.percent(*percent, formula, state, None);
            let pct = mul(percent, Decimal::from(mult))?.min(Decimal::ONE_HUNDRED);
            let base = order_base(state, e, ctx.initial_mode)?;
            let want = cap(
                cap(base.percent(pct, ctx.rounding)?, *amount_limit),
                *aggregated_amount_limit,
            );
            order_level(state, want)
        }
        Discount::Fixed {
            fixed_amount,
            items: false,
            formula,
        } => {
            let fixed_amount = ctx.money(*fixed_amount, formula, state, None);
            let base = order_base(state, e, false)?;
            order_level(state, base.saturating_sub(fixed_amount))
        }
        Discount::Unit { units } => apply_units(units, mult, state, ctx),
        _ => apply_items(d, e, state, ctx, mult),
    }
}

fn order_level(state: &mut OrderState, want: Money) -> Result<Applied, Error> {
    let d = want.min(state.total()?).max(Money::ZERO);
    state.order_discount = state.order_discount.try_add(d)?;
    Ok(Applied {
        order_discount: d,
        ..Applied::default()
    })
}

fn apply_items(
    d: &Discount,
    e: &Eligibility,
    state: &mut OrderState,
    ctx: &ApplyContext<'_>,
    mult: i64,
) -> Result<Applied, Error> {
    let groups = select(state, e, ctx.once);
    let mut per_line: Vec<(usize, i64, Money)> = Vec::new();
    match d {
        Discount::Amount {
            amount_off,
            effect: AmountEffect::Proportionally | AmountEffect::ProportionallyByQuantity,
            aggregated_amount_limit,
            formula,
        } => {
            let amount_off = &ctx.money(*amount_off, formula, state, None);
            let by_quantity = matches!(
                d,
                Discount::Amount {
                    effect: AmountEffect::ProportionallyByQuantity,
                    ..
                }
            );
            let picks: Vec<(usize, i64)> = groups
                .iter()
                .flat_map(|g| g.picks.iter().copied())
                .collect();
            let mut room: Vec<Money> = Vec::with_capacity(picks.len());
            let mut weights: Vec<Decimal> = Vec::with_capacity(picks.len());
            for (i, u) in &picks {
                let l = line_at(state, *i)?;
                room.push(
                    ctx.rounding
                        .round(units_value(l, *u, false)?)?
                        .min(l.subtotal()),
                );
                // Weights are current subtotals in both calculation modes.
                weights.push(if by_quantity {
                    Decimal::from(*u)
                } else {
                    units_value(l, *u, false)?
                });
            }
            let total_room = room.iter().try_fold(Money::ZERO, |a, r| a.try_add(*r))?;
            // Never more than the running total (an earlier order-level discount
            // may have used part of it), split proportionally.
            let want = cap(amount_off.times(mult)?, *aggregated_amount_limit)
                .min(total_room)
                .min(state.total()?);
            let parts = water_fill(want, &weights, &room, ctx.rounding)?;
            for ((i, u), part) in picks.into_iter().zip(parts) {
                per_line.push((i, u, part));
            }
        }
        _ => {
            let overall = match d {
                Discount::Amount {
                    aggregated_amount_limit,
                    ..
                }
                | Discount::Percent {
                    aggregated_amount_limit,
                    ..
                } => *aggregated_amount_limit,
                _ => None,
            };
            let mut overall_left = overall;
            for g in &groups {
                let mut group_left = g.target.and_then(|t| t.aggregated_amount_limit);
                for (i, u) in &g.picks {
                    let l = line_at(state, *i)?;
                    let raw = line_discount(d, g, state, l, *u, ctx, mult)?;
                    let mut v = cap(raw, g.target.and_then(|t| t.amount_limit)).min(l.subtotal());
                    if let Discount::Percent { amount_limit, .. } = d {
                        v = cap(v, *amount_limit);
                    }
                    v = cap(cap(v, group_left), overall_left);
                    group_left = group_left.map(|x| x.saturating_sub(v));
                    overall_left = overall_left.map(|x| x.saturating_sub(v));
                    per_line.push((*i, *u, v));
                }
            }
        }
    }
    let mut applied = Applied::default();
    let mut seen = BTreeSet::new();
    // Earlier order-level discounts (gift credits, points) may have used up
    // the order: item discounts never take the total below zero.
    let mut order_room = state.total()?;
    for (i, units, v) in per_line {
        let v = v.min(order_room);
        order_room = order_room.saturating_sub(v);
        let line = state.lines.get_mut(i).ok_or(Error::ArithmeticOverflow)?;
        if v > Money::ZERO {
            line.discount_amount = line.discount_amount.try_add(v)?;
            line.discount_quantity = line
                .discount_quantity
                .saturating_add(units)
                .min(line.quantity);
            line.units_discounted = line.units_discounted.saturating_add(units);
            line.mark_discounted(ctx.position);
            applied.items_discount = applied.items_discount.try_add(v)?;
        }
        if seen.insert(line.index) {
            applied.touched.push(line.index);
        }
    }
    Ok(applied)
}

fn line_discount(
    d: &Discount,
    g: &TargetGroup<'_>,
    state: &OrderState,
    l: &Line,
    units: i64,
    ctx: &ApplyContext<'_>,
    mult: i64,
) -> Result<Money, Error> {
    let per_unit = g
        .target
        .as_ref()
        .is_some_and(|t| t.target == TargetUnit::Unit);
    Ok(match d {
        Discount::Amount {
            amount_off,
            effect,
            formula,
            ..
        } => {
            let each = ctx
                .money(*amount_off, formula, state, Some(l))
                .times(mult)?;
            if *effect == AmountEffect::ItemsByQuantity || per_unit {
                each.times(units)?
            } else {
                each
            }
        }
        Discount::Percent {
            percent, formula, ..
        } => {
            let percent = ctx.percent(*percent, formula, state, Some(l));
            let pct = mul(percent, Decimal::from(mult))?.min(Decimal::ONE_HUNDRED);
            let value = units_value(l, units, ctx.initial_mode)?;
            ctx.rounding
                .round(div(mul(value, pct)?, Decimal::ONE_HUNDRED)?)?
        }
        Discount::Fixed {
            fixed_amount,
            formula,
            ..
        } => {
            // A target's own new price (its formula first) wins over the discount's.
            let plain = ctx.money(*fixed_amount, formula, state, Some(l));
            let target_plain = g.target.and_then(|t| t.price).unwrap_or(plain);
            let formula = g.target.and_then(|t| t.price_formula.clone());
            let new_price = ctx.money(target_plain, &formula, state, Some(l));
            let value = units_value(l, units, false)?;
            let target = mul(new_price.dec(), Decimal::from(units))?;
            ctx.rounding.round((value - target).max(Decimal::ZERO))?
        }
        Discount::Unit { .. } => Money::ZERO,
    })
}

/// Splits `want` over `weights` by largest remainder without any part
/// exceeding its `room`: parts that would overflow are capped and the
/// excess is split again over the others (at most once per part).
fn water_fill(
    want: Money,
    weights: &[Decimal],
    room: &[Money],
    rounding: RoundingMode,
) -> Result<Vec<Money>, Error> {
    let mut parts = vec![Money::ZERO; weights.len()];
    let mut open: Vec<usize> = (0..weights.len())
        .filter(|i| room.get(*i).is_some_and(|r| r.0 > 0))
        .collect();
    let mut left = want;
    for _ in 0..=weights.len() {
        if left.0 <= 0 || open.is_empty() {
            break;
        }
        let w: Vec<Decimal> = open
            .iter()
            .map(|i| weights.get(*i).copied().unwrap_or_default())
            .collect();
        let w = if w.iter().all(|x| x.is_zero()) {
            vec![Decimal::ONE; open.len()]
        } else {
            w
        };
        let split = left.split(&w, rounding)?;
        let mut next_open = Vec::new();
        let mut given = Money::ZERO;
        for (k, i) in open.iter().enumerate() {
            let share = split.get(k).copied().unwrap_or_default();
            let (Some(p), Some(r)) = (parts.get_mut(*i), room.get(*i)) else {
                continue;
            };
            let free = r.saturating_sub(*p);
            let take = share.min(free);
            *p = p.try_add(take)?;
            given = given.try_add(take)?;
            if take < free {
                next_open.push(*i);
            }
        }
        left = left.saturating_sub(given);
        if given == Money::ZERO {
            break;
        }
        open = next_open;
    }
    Ok(parts)
}

fn find_unit_line(state: &OrderState, unit_type: &str) -> Option<usize> {
    let order = state.canonical_order();
    order
        .iter()
        .copied()
        .find(|i| {
            state
                .lines
                .get(*i)
                .is_some_and(|l| l.sku_id.as_deref() == Some(unit_type))
        })
        .or_else(|| {
            order.iter().copied().find(|i| {
                state.lines.get(*i).is_some_and(|l| {
                    l.sku_id.is_none() && l.product_id.as_deref() == Some(unit_type)
                })
            })
        })
        .or_else(|| {
            order.iter().copied().find(|i| {
                state
                    .lines
                    .get(*i)
                    .is_some_and(|l| l.product_id.as_deref() == Some(unit_type))
            })
        })
}

fn apply_units(
    units: &[UnitGift],
    mult: i64,
    state: &mut OrderState,
    ctx: &ApplyContext<'_>,
) -> Result<Applied, Error> {
    let mut applied = Applied::default();
    for gift in units {
        let n = ctx
            .units(gift.unit_off, &gift.formula, state)
            .checked_mul(mult)
            .ok_or(Error::ArithmeticOverflow)?;
        if n == 0 {
            continue;
        }
        let pos = match find_unit_line(state, &gift.unit_type) {
            Some(p) => p,
            None => {
                let Some(line) =
                    crate::order::catalog_line(ctx.catalog, &gift.unit_type, state.lines.len())
                else {
                    // Checked at load; an unpriced unit cannot be given.
                    continue;
                };
                state.push_line(line)
            }
        };
        let line = state.lines.get_mut(pos).ok_or(Error::ArithmeticOverflow)?;
        let add = match gift.effect {
            UnitEffect::AddMissingItems => n.saturating_sub(line.quantity).max(0),
            UnitEffect::AddNewItems => n,
        };
        line.quantity = line
            .quantity
            .checked_add(add)
            .ok_or(Error::ArithmeticOverflow)?;
        line.applied_quantity = line.applied_quantity.saturating_add(add);
        let free = line.price.times(n)?.min(line.subtotal());
        // Counted after the units were added, so their value is in the room.
        let room = state.total()?;
        let line = state.lines.get_mut(pos).ok_or(Error::ArithmeticOverflow)?;
        let free = free.min(room);
        line.discount_amount = line.discount_amount.try_add(free)?;
        line.discount_quantity = line.discount_quantity.saturating_add(n).min(line.quantity);
        line.units_discounted = line.units_discounted.saturating_add(n);
        line.mark_discounted(ctx.position);
        applied.items_discount = applied.items_discount.try_add(free)?;
        applied.added_units = applied.added_units.saturating_add(add);
        if !applied.touched.contains(&line.index) {
            applied.touched.push(line.index);
        }
    }
    Ok(applied)
}
