//! Formula tests against a small in-memory environment.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::json;

use super::ast::{ArithOp, Expr};
use super::eval::Evaluator;
use super::*;
use crate::time::Instant;

struct TestEnv {
    operands: HashMap<Operand, FormulaValue>,
    metadata: HashMap<(MetadataSource, String), serde_json::Value>,
    now: Instant,
    today: NaiveDate,
}

impl TestEnv {
    fn new() -> TestEnv {
        TestEnv {
            operands: HashMap::new(),
            metadata: HashMap::new(),
            now: Instant::parse("2026-06-15T10:00:00Z").unwrap(),
            today: date("2026-06-15"),
        }
    }

    fn with(mut self, operand: Operand, value: FormulaValue) -> TestEnv {
        self.operands.insert(operand, value);
        self
    }

    fn num(self, operand: Operand, value: &str) -> TestEnv {
        self.with(operand, FormulaValue::Number(dec(value)))
    }

    fn meta(mut self, source: MetadataSource, key: &str, value: serde_json::Value) -> TestEnv {
        self.metadata.insert((source, key.to_string()), value);
        self
    }
}

impl FormulaEnv for TestEnv {
    fn operand(&self, name: Operand) -> Option<FormulaValue> {
        self.operands.get(&name).cloned()
    }

    fn metadata(&self, source: MetadataSource, key: &str) -> Option<serde_json::Value> {
        self.metadata.get(&(source, key.to_string())).cloned()
    }

    fn now(&self) -> Instant {
        self.now
    }

    fn local_date(&self) -> NaiveDate {
        self.today
    }
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn eval_in(text: &str, env: &TestEnv) -> Option<Decimal> {
    Formula::parse(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .eval_number(env)
}

fn eval(text: &str) -> Option<Decimal> {
    eval_in(text, &TestEnv::new())
}

/// Evaluates `text` and expects a number.
#[track_caller]
fn check(text: &str, expected: &str) {
    assert_eq!(eval(text), Some(dec(expected)), "{text}");
}

#[track_caller]
fn check_in(text: &str, env: &TestEnv, expected: &str) {
    assert_eq!(eval_in(text, env), Some(dec(expected)), "{text}");
}

/// Evaluates a condition through `IF(cond;1;0)`.
#[track_caller]
fn holds(cond: &str) -> bool {
    holds_in(cond, &TestEnv::new())
}

#[track_caller]
fn holds_in(cond: &str, env: &TestEnv) -> bool {
    match eval_in(&format!("IF({cond};1;0)"), env) {
        Some(n) if n == Decimal::ONE => true,
        Some(n) if n.is_zero() => false,
        other => panic!("{cond}: {other:?}"),
    }
}

fn parse_err(text: &str) -> String {
    match Formula::parse(text) {
        Ok(f) => panic!("{text} parsed: {f:?}"),
        Err(e) => e,
    }
}

// ---------------------------------------------------------------- syntax

#[test]
fn literals() {
    check("25", "25");
    check("0.8", "0.8");
    check(".5", "0.5");
    check("  7  ", "7");
    check("\"12.5\"", "12.5");
    assert_eq!(eval("\"abc\""), None);
}

#[test]
fn arithmetic_precedence() {
    check("2 + 3 * 4", "14");
    check("(2 + 3) * 4", "20");
    check("10 - 4 - 3", "3");
    check("100 / 10 / 5", "2");
    check("10 / 4", "2.5");
    check("10 % 4", "2");
    check("-7 % 3", "-1");
    check("7 - 2 * 3 % 4", "5");
    check("2 * -3", "-6");
    check("-2 * 3", "-6");
    check("-(2 + 3)", "-5");
    check("- -2", "2");
    check("+2", "2");
    check("2 - -2", "4");
    check("0.1 + 0.2", "0.3");
    check("1 / 3", "0.3333333333333333333333333333");
}

#[test]
fn alternative_operators() {
    check("6 × 7", "42");
    check("42 ÷ 6", "7");
    check("6 x 7", "42");
    check("6 X 7", "42");
    check("3 − 1", "2");
}

#[test]
fn comparisons() {
    assert!(holds("2 > 1"));
    assert!(!holds("1 > 1"));
    assert!(holds("1 < 2"));
    assert!(holds("1 = 1.00"));
    assert!(holds("1 == 1"));
    assert!(holds("1 >= 1"));
    assert!(!holds("1 >= 2"));
    assert!(holds("1 <= 1"));
    assert!(holds("1 != 2"));
    assert!(holds("1 <> 2"));
    assert!(!holds("1 <> 1"));
    assert!(holds("0.1 + 0.2 = 0.3"));
    assert!(holds("1 + 2 * 3 = 7"));
    assert!(holds("\"a\" = \"a\""));
    assert!(!holds("\"a\" = \"A\""));
    assert!(holds("\"2.0\" = 2"));
    assert!(holds("\"10\" > 9"));
    assert!(!holds("\"x\" = 1"));
    assert!(holds("\"x\" != 1"));
    // ordering text that is not a number is a type error
    assert_eq!(eval("IF(\"b\" > \"a\";1;0)"), None);
    assert!(parse_err("1 < 2 < 3").contains("do not chain"));
}

#[test]
fn logic_precedence_and_case() {
    assert!(holds("1 = 1 OR 1 = 2 AND 1 = 3"));
    assert!(holds("1 = 2 AND 1 = 1 OR 1 = 1"));
    assert!(!holds("(1 = 1 OR 1 = 2) AND 1 = 3"));
    assert!(holds("1 = 1 and 2 = 2 and 3 = 3"));
    assert!(!holds("1 = 1 And 2 = 2 AND 3 = 4"));
    assert!(holds("1 = 2 or 2 = 3 Or 3 = 3"));
    // AND/OR need booleans
    assert_eq!(eval("IF(1 AND 1;1;0)"), None);
}

#[test]
fn short_circuit() {
    check("IF(1 = 1;1;1 / 0)", "1");
    check("IF(1 = 2;1 / 0;2)", "2");
    assert!(!holds("1 = 2 AND 1 / 0 = 1"));
    assert!(holds("1 = 1 OR ORDER_METADATA(\"missing\") = 1"));
    assert_eq!(eval("IF(1 = 1 AND 1 / 0 = 1;1;0)"), None);
}

#[test]
fn names_in_any_case() {
    let env = TestEnv::new().num(Operand::OrderAmount, "50");
    check_in(
        "if(order_amount > 10;round(order_amount / 3;2);0)",
        &env,
        "16.67",
    );
    check_in("Max(1;Order_Amount)", &env, "50");
    assert!(holds("isNot(\"a\";\"b\")"));
    assert!(holds("startsWith(\"store_1\";\"store_\")"));
    assert!(holds("endsWith(\"promo_sms\";\"_sms\")"));
    assert!(holds("is(\"VIP\";\"VIP\")"));
    assert!(holds("contains(\"California\";\"forn\")"));
}

// ------------------------------------------------------ reference examples

#[test]
fn reference_nested_if() {
    let f = Formula::parse("IF(ORDER_ITEMS_QUANTITY > 4;IF(ORDER_AMOUNT > 200;25;15);10)").unwrap();
    let env = |lines: &str, amount: &str| {
        TestEnv::new()
            .num(Operand::OrderItemsQuantity, lines)
            .num(Operand::OrderAmount, amount)
    };
    assert_eq!(f.eval_number(&env("5", "250")), Some(dec("25")));
    assert_eq!(f.eval_number(&env("5", "200")), Some(dec("15")));
    assert_eq!(f.eval_number(&env("4", "999")), Some(dec("10")));
    // the inner operand is only read when needed
    let lines_only = TestEnv::new().num(Operand::OrderItemsQuantity, "2");
    assert_eq!(f.eval_number(&lines_only), Some(dec("10")));
    // a missing operand makes the formula fail (fallback is used)
    assert_eq!(f.eval_number(&TestEnv::new()), None);
}

#[test]
fn reference_price_formula() {
    let f =
        Formula::parse("IF(ORDER_AMOUNT > 300;ORDER_ITEM_PRICE * 0.8;ORDER_ITEM_PRICE)").unwrap();
    let price = Operand::ItemPrice(ItemSelector::Current);
    let big = TestEnv::new()
        .num(Operand::OrderAmount, "350.00")
        .num(price, "999.00");
    assert_eq!(f.eval_number(&big), Some(dec("799.2")));
    let small = TestEnv::new()
        .num(Operand::OrderAmount, "300")
        .num(price, "999.00");
    assert_eq!(f.eval_number(&small), Some(dec("999")));
    let no_item = TestEnv::new().num(Operand::OrderAmount, "350");
    assert_eq!(f.eval_number(&no_item), None);
}

#[test]
fn reference_publish_count_and_item_example() {
    let f = Formula::parse("IF(VOUCHER_PUBLISH_COUNT = 1;25;5)").unwrap();
    let once = TestEnv::new().num(Operand::VoucherPublishCount, "1");
    let never = TestEnv::new().num(Operand::VoucherPublishCount, "0");
    assert_eq!(f.eval_number(&once), Some(dec("25")));
    assert_eq!(f.eval_number(&never), Some(dec("5")));
    // "(item price) × 0.01 + 1": 6.00 → 1.06, 10.00 → 1.10 (major units)
    let f = Formula::parse("ORDER_ITEM_PRICE × 0.01 + 1").unwrap();
    let price = Operand::ItemPrice(ItemSelector::Current);
    assert_eq!(
        f.eval_number(&TestEnv::new().num(price, "6.00")),
        Some(dec("1.06"))
    );
    assert_eq!(
        f.eval_number(&TestEnv::new().num(price, "10.00")),
        Some(dec("1.10"))
    );
}

#[test]
fn reference_and_or_examples() {
    let f = Formula::parse(
        "IF(CUSTOMER_METADATA(\"number_of_store_visits\") > 10 AND ORDER_METADATA(\"day_of_week\") = 5;20;3)",
    )
    .unwrap();
    let g = Formula::parse(
        "IF(CUSTOMER_METADATA(\"number_of_store_visits\") > 10 OR ORDER_METADATA(\"day_of_week\") = 5;20;3)",
    )
    .unwrap();
    let env = |visits: i64, day: i64| {
        TestEnv::new()
            .meta(
                MetadataSource::Customer,
                "number_of_store_visits",
                json!(visits),
            )
            .meta(MetadataSource::Order, "day_of_week", json!(day))
    };
    assert_eq!(f.eval_number(&env(11, 5)), Some(dec("20")));
    assert_eq!(f.eval_number(&env(11, 4)), Some(dec("3")));
    assert_eq!(g.eval_number(&env(11, 4)), Some(dec("20")));
    assert_eq!(g.eval_number(&env(2, 5)), Some(dec("20")));
    assert_eq!(g.eval_number(&env(2, 4)), Some(dec("3")));
}

// ------------------------------------------------------------- functions

#[test]
fn switch() {
    let text = "SWITCH(ORDER_METADATA(\"store_city\");SWITCH_CASE(\"Boston\";10);SWITCH_CASE(\"New York\";15);5)";
    // the dashboard writes cases side by side, without `;`
    let juxtaposed =
        "SWITCH(ORDER_METADATA(\"store_city\");SWITCH_CASE(\"Boston\";10) SWITCH_CASE(\"New York\";15);5)";
    for text in [text, juxtaposed] {
        let f = Formula::parse(text).unwrap();
        let city = |c: &str| TestEnv::new().meta(MetadataSource::Order, "store_city", json!(c));
        assert_eq!(f.eval_number(&city("Boston")), Some(dec("10")));
        assert_eq!(f.eval_number(&city("New York")), Some(dec("15")));
        assert_eq!(f.eval_number(&city("Denver")), Some(dec("5")));
        assert_eq!(f.eval_number(&TestEnv::new()), None);
    }
    check("SWITCH(2;SWITCH_CASE(1;10);SWITCH_CASE(2;20))", "20");
    check("SWITCH(1 + 1;SWITCH_CASE(\"2\";7);0)", "7");
    check("switch(3;switch_case(1;10);0)", "0");
    // no default and no match: fails
    assert_eq!(eval("SWITCH(3;SWITCH_CASE(1;10))"), None);
    // only the chosen result is evaluated
    check("SWITCH(1;SWITCH_CASE(1;4);SWITCH_CASE(2;1 / 0);1 / 0)", "4");
    assert!(parse_err("SWITCH_CASE(1;2)").contains("only allowed inside SWITCH"));
    assert!(parse_err("SWITCH(1;5;SWITCH_CASE(1;2))").contains("last"));
    assert!(parse_err("SWITCH(1;5)").contains("at least one"));
    assert!(parse_err("SWITCH(1;SWITCH_CASE(1))").contains("`;`"));
    assert!(Formula::parse("SWITCH(1;SWITCH_CASE(1;2) 5)").is_err());
}

#[test]
fn min_max() {
    check("MIN(3;1;2)", "1");
    check("MAX(3;1;2)", "3");
    check("MIN(5)", "5");
    check("MAX(-1;-2)", "-1");
    check("MIN(\"4\";7)", "4");
    let env = TestEnv::new().meta(MetadataSource::Customer, "scores", json!([4, 9, 2]));
    check_in("MAX(CUSTOMER_METADATA(\"scores\"))", &env, "9");
    check_in("MIN(CUSTOMER_METADATA(\"scores\");3)", &env, "2");
    assert_eq!(eval("MIN(1;\"a\")"), None);
    assert!(Formula::parse("MIN()").is_err());
}

#[test]
fn pow() {
    check("POW(2;10)", "1024");
    check("POW(2;0)", "1");
    check("POW(1.5;2)", "2.25");
    check("POW(-2;3)", "-8");
    check("POW(1;64)", "1");
    assert_eq!(eval("POW(1;65)"), None);
    assert_eq!(eval("POW(2;-1)"), None);
    assert_eq!(eval("POW(2;1.5)"), None);
    assert_eq!(eval("POW(10;29)"), None, "overflow");
    let env = TestEnv::new().meta(MetadataSource::Order, "number_of_store_visits", json!(3));
    check_in(
        "POW(ORDER_METADATA(\"number_of_store_visits\");2)",
        &env,
        "9",
    );
    assert!(Formula::parse("POW(2)").is_err());
}

#[test]
fn default_to() {
    let f = Formula::parse("DEFAULT_TO(REDEMPTION_METADATA(\"store_list\") / 2;5)").unwrap();
    assert_eq!(f.eval_number(&TestEnv::new()), Some(dec("5")));
    let env = TestEnv::new().meta(MetadataSource::Redemption, "store_list", json!(8));
    assert_eq!(f.eval_number(&env), Some(dec("4")));
    check("DEFAULT_TO(1 / 0;5)", "5");
    check("DEFAULT_TO(1 / 0;ORDER_AMOUNT;7)", "7");
    check("DEFAULT_TO(3;1 / 0)", "3");
    assert_eq!(eval("DEFAULT_TO(1 / 0;1 / 0)"), None);
    check("10 + DEFAULT_TO(CUSTOMER_METADATA(\"x\");1) * 2", "12");
}

#[test]
fn round_floor_ceil_reference() {
    let env = |v: &str| {
        TestEnv::new().meta(
            MetadataSource::Customer,
            "customer_life_time_value",
            serde_json::from_str(v).unwrap(),
        )
    };
    let ltv = "CUSTOMER_METADATA(\"customer_life_time_value\")";
    let e = env("75.55");
    check_in(&format!("ROUND({ltv};1)"), &e, "75.6");
    check_in(&format!("ROUND({ltv};0)"), &e, "76");
    check_in(&format!("ROUND({ltv};-1)"), &e, "80");
    check_in(&format!("FLOOR({ltv};1)"), &e, "75.5");
    check_in(&format!("FLOOR({ltv};0)"), &e, "75");
    check_in(&format!("FLOOR({ltv};-1)"), &e, "70");
    let e = env("74.44");
    check_in(&format!("CEIL({ltv};1)"), &e, "74.5");
    check_in(&format!("CEIL({ltv};0)"), &e, "75");
    check_in(&format!("CEIL({ltv};-1)"), &e, "80");
}

#[test]
fn rounding_details() {
    check("ROUND(2.5)", "3");
    check("ROUND(-2.5)", "-3");
    check("ROUND(2.45;1)", "2.5");
    check("ROUND(-75.55;-1)", "-80");
    check("ROUND(1250;-2)", "1300");
    check("ROUND(1249.99;-2)", "1200");
    check("ROUND(5;-28)", "0");
    check("ROUND(1.23;28)", "1.23");
    check("FLOOR(-1.5)", "-2");
    check("FLOOR(-1.05;1)", "-1.1");
    check("CEIL(-1.5)", "-1");
    check("CEIL(1.01)", "2");
    check("CEIL(1201;-2)", "1300");
    check("FLOOR(1299;-2)", "1200");
    check("ROUND(1;\"1\")", "1");
    assert_eq!(eval("ROUND(1.5;0.5)"), None);
    assert_eq!(eval("ROUND(1.5;29)"), None);
    assert_eq!(eval("ROUND(1.5;-29)"), None);
    assert_eq!(eval("FLOOR(\"x\")"), None);
    assert!(Formula::parse("ROUND(1;2;3)").is_err());
}

#[test]
fn arrays() {
    assert!(holds("IN_ARRAY(2;1;2;3)"));
    assert!(!holds("IN_ARRAY(4;1;2;3)"));
    assert!(holds("NOT_IN_ARRAY(4;1;2;3)"));
    assert!(!holds("NOT_IN_ARRAY(2;1;2;3)"));
    assert!(holds("IN_ARRAY(\"EU\";\"US\";\"EU\")"));
    assert!(!holds("IN_ARRAY(\"eu\";\"US\";\"EU\")"));
    // the dashboard's comma-separated form
    assert!(holds("IN_ARRAY(\"EMEA\";\"EU,EMEA\")"));
    assert!(holds("IN_ARRAY(\"EMEA\";\"EU, EMEA\")"));
    assert!(holds("NOT_IN_ARRAY(\"APAC\";\"EU,EMEA\")"));
    assert!(holds("IN_ARRAY(2;\"1,2\")"));
    let env = TestEnv::new()
        .meta(MetadataSource::Order, "region", json!("EU"))
        .meta(MetadataSource::Customer, "regions", json!(["US", "EU"]))
        .meta(MetadataSource::Customer, "tags", json!(["a", "b"]));
    assert!(holds_in(
        "IN_ARRAY(ORDER_METADATA(\"region\");CUSTOMER_METADATA(\"regions\"))",
        &env
    ));
    assert!(holds_in(
        "CONTAINS(CUSTOMER_METADATA(\"tags\");\"b\")",
        &env
    ));
    assert!(!holds_in(
        "CONTAINS(CUSTOMER_METADATA(\"tags\");\"c\")",
        &env
    ));
    // a list cannot be the needle
    assert_eq!(
        eval_in("IF(IN_ARRAY(CUSTOMER_METADATA(\"tags\");\"a\");1;0)", &env),
        None
    );
    assert!(Formula::parse("IN_ARRAY(1)").is_err());
}

#[test]
fn string_tests() {
    let env = TestEnv::new().meta(MetadataSource::Customer, "tier", json!("VIP Gold"));
    let tier = "CUSTOMER_METADATA(\"tier\")";
    assert!(holds_in(&format!("IS({tier};\"VIP Gold\")"), &env));
    assert!(!holds_in(&format!("IS({tier};\"vip gold\")"), &env));
    assert!(holds_in(&format!("IS_NOT({tier};\"Beginner\")"), &env));
    assert!(holds_in(&format!("CONTAINS({tier};\"Gold\")"), &env));
    assert!(!holds_in(&format!("CONTAINS({tier};\"gold\")"), &env));
    assert!(holds_in(&format!("STARTS_WITH({tier};\"VIP\")"), &env));
    assert!(!holds_in(&format!("STARTS_WITH({tier};\"Gold\")"), &env));
    assert!(holds_in(&format!("ENDS_WITH({tier};\"Gold\")"), &env));
    assert!(!holds_in(&format!("ENDS_WITH({tier};\"VIP\")"), &env));
    assert!(holds("IS(5;\"5\")"));
    // substring tests need text
    assert_eq!(eval("IF(CONTAINS(15;\"5\");1;0)"), None);
    assert_eq!(eval("IF(STARTS_WITH(15;\"1\");1;0)"), None);
    assert_eq!(eval_in(&format!("IS({tier};\"x\")"), &env), None);
}

#[test]
fn dates() {
    let env = TestEnv::new()
        .with(
            Operand::CustomerBirthdate,
            FormulaValue::Date(date("1990-06-16")),
        )
        .with(
            Operand::VoucherStartDate,
            FormulaValue::Date(date("2026-01-16")),
        )
        .with(
            Operand::VoucherExpirationDate,
            FormulaValue::Date(date("2026-12-31")),
        )
        .with(
            Operand::PromotionTierStartDate,
            FormulaValue::Date(date("2026-06-01")),
        )
        .with(
            Operand::PromotionTierExpirationDate,
            FormulaValue::Text("2026-07-01".into()),
        )
        .meta(MetadataSource::Customer, "joined", json!("2026-06-10"))
        .meta(
            MetadataSource::Customer,
            "last_seen",
            json!("2026-06-15T09:00:00Z"),
        );
    // today is 2026-06-15, now is 10:00 UTC
    check_in("DAYS_SINCE(PROMOTION_TIER_START_DATE)", &env, "14");
    check_in("DAYS_UNTIL(PROMOTION_TIER_EXPIRATION_DATE)", &env, "16");
    check_in("DAYS_SINCE(CUSTOMER_METADATA(\"joined\"))", &env, "5");
    check_in("DAYS_SINCE(TODAY)", &env, "0");
    check_in("DAYS_UNTIL(DATE(\"2026-06-10\"))", &env, "-5");
    check_in("MONTHS_SINCE(VOUCHER_START_DATE)", &env, "4");
    check_in("MONTHS_UNTIL(VOUCHER_EXPIRATION_DATE)", &env, "6");
    check_in("YEARS_SINCE(CUSTOMER_BIRTHDATE)", &env, "35");
    check_in("YEARS_SINCE(DATE(\"1990-06-15\"))", &env, "36");
    check_in("DAY_OF_MONTH()", &env, "15");
    check_in("MONTH()", &env, "6");
    check_in("YEAR()", &env, "2026");
    check_in("DAY_OF_MONTH(CUSTOMER_BIRTHDATE)", &env, "16");
    check_in("MONTH(TODAY)", &env, "6");
    check_in("YEAR(CUSTOMER_BIRTHDATE)", &env, "1990");
    check_in("MONTH(DATE_TIME(\"2026-01-31T23:30:00-05:00\"))", &env, "1");
    check_in("DAY_OF_MONTH(NOW)", &env, "15");
    check_in("DAY_OF_MONTH(TODAY())", &env, "15");
    assert!(holds_in(
        "IS_AFTER(DATE(\"2026-01-02\");DATE(\"2026-01-01\"))",
        &env
    ));
    assert!(!holds_in(
        "IS_AFTER(DATE(\"2026-01-01\");DATE(\"2026-01-01\"))",
        &env
    ));
    assert!(holds_in("IS_BEFORE(VOUCHER_START_DATE;TODAY)", &env));
    assert!(!holds_in("IS_BEFORE(VOUCHER_EXPIRATION_DATE;TODAY)", &env));
    assert!(holds_in(
        "IS_AFTER(NOW;DATE_TIME(\"2026-06-15T09:59:59Z\"))",
        &env
    ));
    assert!(holds_in(
        "IS_BEFORE(NOW;DATE_TIME(\"2026-06-15T10:00:01Z\"))",
        &env
    ));
    assert!(holds_in(
        "IS_AFTER(NOW;CUSTOMER_METADATA(\"last_seen\"))",
        &env
    ));
    // a date against an instant compares calendar days
    assert!(!holds_in("IS_AFTER(NOW;TODAY)", &env));
    assert!(holds_in("DATE_IS(NOW;TODAY)", &env));
    assert!(holds_in(
        "DATE_IS(DATE(\"2026-06-15\");\"2026-06-15\")",
        &env
    ));
    assert!(holds_in("DATE_IS_NOT(CUSTOMER_BIRTHDATE;TODAY)", &env));
    assert!(!holds_in("DATE_IS_NOT(TODAY;TODAY)", &env));
    assert!(holds_in("TODAY > VOUCHER_START_DATE", &env));
    assert!(holds_in("TODAY = DATE(\"2026-06-15\")", &env));
    assert!(holds_in("NOW >= DATE_TIME(\"2026-06-15T10:00:00Z\")", &env));
    // DATE accepts a timestamp's date
    assert!(holds_in(
        "DATE(\"2026-06-15T01:00:00+09:00\") = TODAY",
        &env
    ));
    // a date is not a number
    assert_eq!(eval_in("TODAY", &env), None);
    assert_eq!(eval_in("TODAY + 1", &env), None);
    assert_eq!(eval_in("DAYS_SINCE(5)", &env), None);
    assert_eq!(
        eval_in("DAYS_SINCE(CUSTOMER_METADATA(\"missing\"))", &env),
        None
    );
    assert_eq!(
        eval_in("DATE_TIME(CUSTOMER_METADATA(\"joined\")) = NOW", &env),
        None
    );
    assert!(Formula::parse("DATE(\"2026-02-30\")").is_err());
    assert!(Formula::parse("DATE_TIME(\"2026-02-01\")").is_err());
    assert!(Formula::parse("DAYS_SINCE()").is_err());
    assert!(Formula::parse("NOW(1)").is_err());
}

#[test]
fn operands_and_selectors() {
    use ItemSelector::*;
    let mut env = TestEnv::new()
        .num(Operand::OrderAmount, "120.50")
        .num(Operand::OrderItemsQuantity, "3")
        .num(Operand::OrderUnitsQuantity, "7")
        .num(Operand::VoucherRedemptionQuantity, "10")
        .num(Operand::VoucherRedeemedQuantity, "4");
    let items = [(Current, "1"), (Cheapest, "2"), (MostExpensive, "3")];
    for (sel, base) in items {
        let b = dec(base);
        env = env
            .with(Operand::ItemPrice(sel), FormulaValue::Number(b))
            .with(
                Operand::ItemAmount(sel),
                FormulaValue::Number(b * dec("10")),
            )
            .with(
                Operand::ItemSubtotal(sel),
                FormulaValue::Number(b * dec("100")),
            )
            .with(
                Operand::ItemUnitsQuantity(sel),
                FormulaValue::Number(b * dec("1000")),
            )
            .meta(MetadataSource::OrderItem(sel), "size", json!(b * dec("7")))
            .meta(
                MetadataSource::OrderItemProduct(sel),
                "size",
                json!(b * dec("9")),
            );
    }
    check_in("ORDER_AMOUNT", &env, "120.5");
    check_in("ORDER_ITEMS_QUANTITY + ORDER_UNITS_QUANTITY", &env, "10");
    check_in(
        "VOUCHER_REDEMPTION_QUANTITY - VOUCHER_REDEEMED_QUANTITY",
        &env,
        "6",
    );
    for (prefix, base) in [("", 1), ("CHEAPEST_", 2), ("MOST_EXPENSIVE_", 3)] {
        let p = |name: &str| format!("{prefix}ORDER_ITEM_{name}");
        check_in(&p("PRICE"), &env, &base.to_string());
        check_in(&p("AMOUNT"), &env, &(base * 10).to_string());
        check_in(&p("SUBTOTAL"), &env, &(base * 100).to_string());
        check_in(&p("UNITS_QUANTITY"), &env, &(base * 1000).to_string());
        check_in(
            &format!("{}(\"size\")", p("METADATA")),
            &env,
            &(base * 7).to_string(),
        );
        check_in(
            &format!("{}(\"size\")", p("PRODUCT_METADATA")),
            &env,
            &(base * 9).to_string(),
        );
    }
}

#[test]
fn metadata_sources() {
    let sources = [
        ("ORDER_METADATA", MetadataSource::Order, 1),
        ("CUSTOMER_METADATA", MetadataSource::Customer, 2),
        ("REDEMPTION_METADATA", MetadataSource::Redemption, 3),
        ("PUBLICATION_METADATA", MetadataSource::Publication, 4),
        ("REDEEMABLE_METADATA", MetadataSource::Redeemable, 5),
    ];
    let mut env = TestEnv::new();
    for (_, source, n) in sources {
        env = env.meta(source, "k", json!(n));
    }
    for (name, _, n) in sources {
        check_in(&format!("{name}(\"k\")"), &env, &n.to_string());
        assert_eq!(eval_in(&format!("{name}(\"other\")"), &env), None);
    }
    let env = TestEnv::new()
        .meta(MetadataSource::Order, "text_num", json!("10"))
        .meta(MetadataSource::Order, "null", json!(null))
        .meta(MetadataSource::Order, "object", json!({"a": 1}))
        .meta(MetadataSource::Order, "flag", json!(true))
        .meta(MetadataSource::Order, "word", json!("abc"))
        .meta(MetadataSource::Order, "big", json!(1e40));
    check_in("ORDER_METADATA(\"text_num\") * 2", &env, "20");
    assert_eq!(eval_in("ORDER_METADATA(\"null\")", &env), None);
    assert_eq!(eval_in("ORDER_METADATA(\"object\")", &env), None);
    assert_eq!(eval_in("ORDER_METADATA(\"word\") + 1", &env), None);
    assert_eq!(eval_in("ORDER_METADATA(\"big\")", &env), None);
    check_in("IF(ORDER_METADATA(\"flag\");1;2)", &env, "1");
    check_in("IF(ORDER_METADATA(\"flag\") = 1;1;2)", &env, "2");
    assert_eq!(eval_in("ORDER_METADATA(\"flag\")", &env), None);
}

// -------------------------------------------------------------- failures

#[test]
fn evaluation_failures() {
    assert_eq!(eval("1 / 0"), None);
    assert_eq!(eval("1 % 0"), None);
    assert_eq!(eval("10 / (5 - 5)"), None);
    assert_eq!(eval("79228162514264337593543950335 + 1"), None);
    assert_eq!(eval("79228162514264337593543950335 * 2"), None);
    assert_eq!(eval("-79228162514264337593543950335 - 1"), None);
    assert_eq!(eval("ORDER_AMOUNT"), None);
    assert_eq!(eval("ORDER_METADATA(\"missing\") + 1"), None);
    assert_eq!(eval("\"a\" + 1"), None);
    assert_eq!(eval("-\"a\""), None);
    assert_eq!(eval("IF(5;1;2)"), None);
    assert_eq!(eval("1 = 1"), None, "a boolean result is not a number");
    assert_eq!(eval("IF(1 = 1;\"yes\";2)"), None);
    assert_eq!(eval("MAX(1;1 / 0)"), None);
    // failures propagate through every construct
    assert_eq!(eval("ROUND(1 / 0;2)"), None);
    assert_eq!(eval("IF(1 / 0 > 1;1;2)"), None);
    assert_eq!(eval("SWITCH(1 / 0;SWITCH_CASE(1;1);2)"), None);
}

#[test]
fn parse_failures() {
    assert!(parse_err("").contains("empty"));
    assert!(parse_err("   ").contains("empty"));
    assert!(parse_err("FOO + 1").contains("unknown name `FOO`"));
    assert!(parse_err("FOO(1)").contains("unknown name `FOO`"));
    assert!(parse_err("ORDER_AMOUNTS").contains("unknown name"));
    assert!(parse_err("IF(1 = 1;2)").contains("takes 3 argument(s), found 2"));
    assert!(parse_err("IF(1 = 1;2;3;4)").contains("takes 3"));
    assert!(parse_err("ORDER_METADATA(k)").contains("quoted key"));
    assert!(parse_err("ORDER_METADATA(\"a\";\"b\")").contains("`)`"));
    assert!(parse_err("ORDER_METADATA").contains("`(`"));
    assert!(parse_err("ORDER_AMOUNT()").contains("no arguments"));
    assert!(parse_err("MIN").contains("`(`"));
    assert!(parse_err("1 2").contains("after the end"));
    assert!(parse_err("(1 + 2").contains("`)`"));
    assert!(parse_err("1 + 2)").contains("after the end"));
    assert!(parse_err("1 +").contains("expected a value"));
    assert!(parse_err("IF(1 = 1;2;3").contains("`;` or `)`"));
    assert!(parse_err("MIN(1,2)").contains("unexpected `,`"));
    assert!(parse_err("AND 1").contains("needs a condition"));
    assert!(parse_err("1 = 1 AND").contains("expected a value"));
    assert!(parse_err("DATE(\"tomorrow\")").contains("cannot read the date"));
    assert!(parse_err("\"unterminated").contains("unterminated"));
    assert!(parse_err("MIN(;1)").contains("expected a value"));
}

// ---------------------------------------------------------------- limits

#[test]
fn length_limit() {
    let max = crate::limits::MAX_EXPRESSION_LEN;
    // exactly at the limit parses: "1+1+…+1" of `max` bytes (max is even)
    let at_limit = format!("1{}", "+1".repeat((max - 1) / 2));
    let at_limit = format!("{at_limit}{}", " ".repeat(max - at_limit.len()));
    assert_eq!(at_limit.len(), max);
    let f = Formula::parse(&at_limit).unwrap();
    assert_eq!(
        f.eval_number(&TestEnv::new()),
        Some(Decimal::from((max as i64) / 2))
    );
    let over = format!("{at_limit} ");
    assert!(parse_err(&over).starts_with("FORMULA_TOO_LONG:"));
}

#[test]
fn depth_limit() {
    let nest = |n: usize| format!("{}1{}", "(".repeat(n), ")".repeat(n));
    assert_eq!(eval(&nest(MAX_DEPTH)), Some(Decimal::ONE));
    assert!(parse_err(&nest(MAX_DEPTH + 1)).starts_with("FORMULA_TOO_DEEP:"));
    let ifs = |n: usize| format!("{}1{}", "IF(1 = 1;".repeat(n), ";0)".repeat(n));
    assert_eq!(eval(&ifs(MAX_DEPTH)), Some(Decimal::ONE));
    assert!(parse_err(&ifs(MAX_DEPTH + 1)).starts_with("FORMULA_TOO_DEEP:"));
    let minus = |n: usize| format!("{}1", "-".repeat(n));
    assert_eq!(eval(&minus(MAX_DEPTH)), Some(Decimal::ONE));
    assert!(parse_err(&minus(MAX_DEPTH + 1)).starts_with("FORMULA_TOO_DEEP:"));
    // long flat chains are not nesting
    let flat = vec!["1"; 250].join(" + ");
    assert_eq!(eval(&flat), Some(Decimal::from(250)));
    let flat_or = vec!["1 = 2"; 100].join(" OR ");
    assert!(!holds(&flat_or));
}

#[test]
fn step_limit() {
    let env = TestEnv::new();
    let terms = |n: u32| {
        Expr::Arith(
            Box::new(Expr::Number(Decimal::ONE)),
            (1..n)
                .map(|_| (ArithOp::Add, Expr::Number(Decimal::ONE)))
                .collect(),
        )
    };
    // the chain node itself takes one step
    let fits = terms(MAX_EVAL_STEPS - 1);
    assert_eq!(
        Evaluator::new(&env).eval_number(&fits),
        Some(Decimal::from(MAX_EVAL_STEPS - 1))
    );
    let too_many = terms(MAX_EVAL_STEPS);
    assert_eq!(Evaluator::new(&env).eval_number(&too_many), None);
}

#[test]
fn reusable_and_deterministic() {
    let f = Formula::parse("ROUND(ORDER_AMOUNT * 0.15;2)").unwrap();
    for (amount, expected) in [("10", "1.5"), ("33.33", "5"), ("0.03", "0")] {
        let env = TestEnv::new().num(Operand::OrderAmount, amount);
        assert_eq!(f.eval_number(&env), Some(dec(expected)));
        assert_eq!(f.eval_number(&env), Some(dec(expected)));
    }
    assert_eq!(f.clone(), f);
}
