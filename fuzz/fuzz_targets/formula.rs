//! `promo_edge::formula::Formula::parse` and evaluation: no panic on any
//! text, and evaluation is deterministic under a small environment (typical
//! values) and a hostile one (zeros, huge numbers, odd metadata).
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use promo_edge::formula::{Formula, FormulaEnv, FormulaValue, MetadataSource, Operand};
use promo_edge::time::Instant;
use rust_decimal::Decimal;
use serde_json::{json, Value};

struct Env {
    hostile: bool,
}

impl FormulaEnv for Env {
    fn operand(&self, name: Operand) -> Option<FormulaValue> {
        let n = |v: i64, scale: u32| Some(FormulaValue::Number(Decimal::new(v, scale)));
        if self.hostile {
            return match name {
                Operand::OrderAmount => Some(FormulaValue::Number(Decimal::MAX)),
                Operand::OrderItemsQuantity | Operand::OrderUnitsQuantity => n(0, 0),
                Operand::ItemPrice(_) => Some(FormulaValue::Number(Decimal::MIN)),
                Operand::ItemAmount(_) => n(1, 28),
                Operand::VoucherStartDate => Some(FormulaValue::Date(NaiveDate::MIN)),
                Operand::VoucherExpirationDate => Some(FormulaValue::Date(NaiveDate::MAX)),
                Operand::CustomerBirthdate => Some(FormulaValue::Text("not a date".into())),
                Operand::VoucherRedeemedQuantity => Some(FormulaValue::Bool(true)),
                _ => None,
            };
        }
        match name {
            Operand::OrderAmount => n(12345, 2),
            Operand::OrderItemsQuantity => n(3, 0),
            Operand::OrderUnitsQuantity => n(7, 0),
            Operand::ItemPrice(_) => n(1999, 2),
            Operand::ItemAmount(_) | Operand::ItemSubtotal(_) => n(3998, 2),
            Operand::ItemUnitsQuantity(_) => n(2, 0),
            Operand::VoucherRedemptionQuantity => n(100, 0),
            Operand::VoucherRedeemedQuantity => n(12, 0),
            Operand::VoucherPublishCount => n(0, 0),
            Operand::VoucherStartDate | Operand::PromotionTierStartDate => {
                NaiveDate::from_ymd_opt(2026, 1, 1).map(FormulaValue::Date)
            }
            Operand::VoucherExpirationDate | Operand::PromotionTierExpirationDate => {
                NaiveDate::from_ymd_opt(2026, 12, 31).map(FormulaValue::Date)
            }
            Operand::CustomerBirthdate => {
                NaiveDate::from_ymd_opt(1990, 2, 28).map(FormulaValue::Date)
            }
        }
    }

    fn metadata(&self, _source: MetadataSource, key: &str) -> Option<Value> {
        let v = if self.hostile {
            match key {
                "a" => json!("1e400"),
                "b" => json!([1, "x", null, [2]]),
                "c" => json!(-0.0),
                "d" => json!("9999-99-99"),
                _ => json!(u64::MAX),
            }
        } else {
            match key {
                "lifetime_value" => json!(1234.5),
                "store_city" => json!("Boston"),
                "vip" => json!(true),
                "tags" => json!(["a", "b"]),
                "since" => json!("2024-03-01"),
                _ => return None,
            }
        };
        Some(v)
    }

    fn now(&self) -> Instant {
        Instant(1_780_315_200_000)
    }

    fn local_date(&self) -> NaiveDate {
        if self.hostile {
            NaiveDate::MAX
        } else {
            NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default()
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(formula) = Formula::parse(text) else {
        return;
    };
    for hostile in [false, true] {
        let env = Env { hostile };
        let a = formula.eval_number(&env);
        let b = formula.eval_number(&env);
        assert_eq!(a, b, "evaluation is not deterministic");
    }
});
