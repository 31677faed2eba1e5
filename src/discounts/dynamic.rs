//! What dynamic formulas see: the order, the current line, the customer,
//! metadata and the redeemable — with money in major units.

use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::formula::{Formula, FormulaEnv, FormulaValue, ItemSelector, MetadataSource, Operand};
use crate::money::Money;
use crate::order::{Line, OrderState};
use crate::plan::Metadata;
use crate::request::CustomerInput;
use crate::time::{Instant, TimeZone};

/// Facts about the redeemable a formula may read.
#[derive(Debug, Clone, Default)]
pub struct RedeemableFacts {
    /// Redemption limit.
    pub quantity: Option<i64>,
    /// Redemptions so far.
    pub redeemed: Option<i64>,
    /// Start date.
    pub start: Option<Instant>,
    /// Expiration date.
    pub expiration: Option<Instant>,
    /// Whether it is a promotion tier (its dates are the tier's).
    pub is_tier: bool,
}

/// Everything a formula can read apart from the order itself.
pub struct FormulaScope<'a> {
    /// Decimals of the currency's minor unit.
    pub exponent: u32,
    /// The customer.
    pub customer: Option<&'a CustomerInput>,
    /// Order metadata.
    pub order_metadata: &'a Metadata,
    /// Redemption metadata.
    pub redemption_metadata: &'a Metadata,
    /// The redeemable's own metadata.
    pub redeemable_metadata: &'a Metadata,
    /// The redeemable's counters and dates.
    pub facts: RedeemableFacts,
    /// Now.
    pub now: Instant,
    /// The project zone.
    pub tz: &'a TimeZone,
}

impl FormulaScope<'_> {
    fn scale(&self) -> Decimal {
        Decimal::from(10_i64.pow(self.exponent.min(6)))
    }

    /// Evaluates `f` on `state` (and `line` for item operands); money in the
    /// result is converted from major to minor units and rounded half-up.
    /// `None` means the caller uses the plain fallback.
    pub fn money(&self, f: &Formula, state: &OrderState, line: Option<&Line>) -> Option<Money> {
        let v = f.eval_number(&LineEnv {
            scope: self,
            state,
            line,
        })?;
        let minor = v.checked_mul(self.scale())?;
        let m = crate::money::RoundingMode::HalfUp.round(minor).ok()?;
        (0..=crate::limits::MAX_AMOUNT).contains(&m.0).then_some(m)
    }

    /// Evaluates `f` to a plain number (percentages, units, points).
    pub fn number(&self, f: &Formula, state: &OrderState, line: Option<&Line>) -> Option<Decimal> {
        f.eval_number(&LineEnv {
            scope: self,
            state,
            line,
        })
    }
}

struct LineEnv<'a, 'b> {
    scope: &'b FormulaScope<'a>,
    state: &'b OrderState,
    line: Option<&'b Line>,
}

impl LineEnv<'_, '_> {
    fn major(&self, m: Money) -> FormulaValue {
        FormulaValue::Number(m.dec() / self.scope.scale())
    }

    fn pick(&self, sel: ItemSelector) -> Option<&Line> {
        let by = |cheapest: bool| {
            self.state.lines.iter().min_by(|a, b| {
                let price = if cheapest {
                    a.price.cmp(&b.price)
                } else {
                    b.price.cmp(&a.price)
                };
                price
                    .then(a.subtotal().cmp(&b.subtotal()))
                    .then(a.index.cmp(&b.index))
            })
        };
        match sel {
            ItemSelector::Current => self.line,
            ItemSelector::Cheapest => by(true),
            ItemSelector::MostExpensive => by(false),
        }
    }

    fn date(&self, t: Option<Instant>) -> Option<FormulaValue> {
        t.and_then(|t| self.scope.tz.local(t))
            .map(|l| FormulaValue::Date(l.0.date()))
    }
}

impl FormulaEnv for LineEnv<'_, '_> {
    fn operand(&self, name: Operand) -> Option<FormulaValue> {
        let facts = &self.scope.facts;
        Some(match name {
            Operand::OrderAmount => self.major(self.state.amount().ok()?),
            Operand::OrderItemsQuantity => {
                FormulaValue::Number(Decimal::from(self.state.lines.len()))
            }
            Operand::OrderUnitsQuantity => FormulaValue::Number(Decimal::from(
                self.state.lines.iter().map(|l| l.quantity).sum::<i64>(),
            )),
            Operand::ItemPrice(s) => self.major(self.pick(s)?.price),
            Operand::ItemAmount(s) => self.major(self.pick(s)?.amount()),
            Operand::ItemSubtotal(s) => self.major(self.pick(s)?.subtotal()),
            Operand::ItemUnitsQuantity(s) => {
                FormulaValue::Number(Decimal::from(self.pick(s)?.quantity))
            }
            Operand::VoucherRedemptionQuantity if !facts.is_tier => {
                FormulaValue::Number(Decimal::from(facts.quantity?))
            }
            Operand::VoucherRedeemedQuantity if !facts.is_tier => {
                FormulaValue::Number(Decimal::from(facts.redeemed?))
            }
            Operand::VoucherStartDate if !facts.is_tier => self.date(facts.start)?,
            Operand::VoucherExpirationDate if !facts.is_tier => self.date(facts.expiration)?,
            Operand::PromotionTierStartDate if facts.is_tier => self.date(facts.start)?,
            Operand::PromotionTierExpirationDate if facts.is_tier => self.date(facts.expiration)?,
            Operand::CustomerBirthdate => {
                let text = self.scope.customer?.metadata.get("birthdate")?.as_str()?;
                FormulaValue::Date(NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()?)
            }
            // Publication counts live at the origin.
            _ => return None,
        })
    }

    fn metadata(&self, source: MetadataSource, key: &str) -> Option<Value> {
        let m = match source {
            MetadataSource::Order => self.scope.order_metadata,
            MetadataSource::Customer => &self.scope.customer?.metadata,
            MetadataSource::Redemption => self.scope.redemption_metadata,
            MetadataSource::Redeemable => self.scope.redeemable_metadata,
            MetadataSource::Publication => return None,
            MetadataSource::OrderItem(s) => &self.pick(s)?.metadata,
            MetadataSource::OrderItemProduct(s) => &self.pick(s)?.product_metadata,
        };
        m.get(key).filter(|v| !v.is_null()).cloned()
    }

    fn now(&self) -> Instant {
        self.scope.now
    }

    fn local_date(&self) -> NaiveDate {
        self.scope
            .tz
            .local(self.scope.now)
            .map(|l| l.0.date())
            .unwrap_or_default()
    }
}

/// Rounds a formula's unit count down to whole units within limits.
pub fn whole_units(v: Decimal) -> Option<i64> {
    v.floor()
        .to_i64()
        .filter(|n| (0..=crate::limits::MAX_QUANTITY).contains(n))
}
