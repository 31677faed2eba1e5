//! The vocabulary: which names are functions, operands and keywords.

use super::ast::Func;
use super::{ItemSelector, MetadataSource, Operand};

/// What a name means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Name {
    Func(Func),
    Operand(Operand),
    Metadata(MetadataSource),
    Today,
    Now,
    Switch,
    SwitchCase,
    And,
    Or,
}

/// Resolves a name in any case; camelCase (`isNot`, `startsWith`) reads
/// as UPPER_SNAKE. `None`: unknown.
pub(super) fn resolve(name: &str) -> Option<Name> {
    lookup(&name.to_ascii_uppercase()).or_else(|| lookup(&camel_to_snake(name)))
}

/// `startsWith` → `STARTS_WITH`.
fn camel_to_snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c.to_ascii_uppercase());
    }
    out
}

fn lookup(upper: &str) -> Option<Name> {
    let name = match upper {
        "AND" => Name::And,
        "OR" => Name::Or,
        "TODAY" => Name::Today,
        "NOW" => Name::Now,
        "SWITCH" => Name::Switch,
        "SWITCH_CASE" => Name::SwitchCase,
        "IF" => Name::Func(Func::If),
        "MIN" => Name::Func(Func::Min),
        "MAX" => Name::Func(Func::Max),
        "POW" => Name::Func(Func::Pow),
        "DEFAULT_TO" => Name::Func(Func::DefaultTo),
        "ROUND" => Name::Func(Func::Round),
        "FLOOR" => Name::Func(Func::Floor),
        "CEIL" => Name::Func(Func::Ceil),
        "IN_ARRAY" => Name::Func(Func::InArray),
        "NOT_IN_ARRAY" => Name::Func(Func::NotInArray),
        "IS" => Name::Func(Func::Is),
        "IS_NOT" => Name::Func(Func::IsNot),
        "CONTAINS" => Name::Func(Func::Contains),
        "STARTS_WITH" => Name::Func(Func::StartsWith),
        "ENDS_WITH" => Name::Func(Func::EndsWith),
        "DAYS_SINCE" => Name::Func(Func::DaysSince),
        "DAYS_UNTIL" => Name::Func(Func::DaysUntil),
        "MONTHS_SINCE" => Name::Func(Func::MonthsSince),
        "MONTHS_UNTIL" => Name::Func(Func::MonthsUntil),
        "YEARS_SINCE" => Name::Func(Func::YearsSince),
        "IS_AFTER" => Name::Func(Func::IsAfter),
        "IS_BEFORE" => Name::Func(Func::IsBefore),
        "DATE_IS" => Name::Func(Func::DateIs),
        "DATE_IS_NOT" => Name::Func(Func::DateIsNot),
        "DATE" => Name::Func(Func::Date),
        "DATE_TIME" => Name::Func(Func::DateTime),
        "DAY_OF_MONTH" => Name::Func(Func::DayOfMonth),
        "MONTH" => Name::Func(Func::Month),
        "YEAR" => Name::Func(Func::Year),
        "ORDER_AMOUNT" => Name::Operand(Operand::OrderAmount),
        "ORDER_ITEMS_QUANTITY" => Name::Operand(Operand::OrderItemsQuantity),
        "ORDER_UNITS_QUANTITY" => Name::Operand(Operand::OrderUnitsQuantity),
        "VOUCHER_REDEMPTION_QUANTITY" => Name::Operand(Operand::VoucherRedemptionQuantity),
        "VOUCHER_REDEEMED_QUANTITY" => Name::Operand(Operand::VoucherRedeemedQuantity),
        "VOUCHER_PUBLISH_COUNT" => Name::Operand(Operand::VoucherPublishCount),
        "VOUCHER_START_DATE" => Name::Operand(Operand::VoucherStartDate),
        "VOUCHER_EXPIRATION_DATE" => Name::Operand(Operand::VoucherExpirationDate),
        "PROMOTION_TIER_START_DATE" => Name::Operand(Operand::PromotionTierStartDate),
        "PROMOTION_TIER_EXPIRATION_DATE" => Name::Operand(Operand::PromotionTierExpirationDate),
        "CUSTOMER_BIRTHDATE" => Name::Operand(Operand::CustomerBirthdate),
        "ORDER_METADATA" => Name::Metadata(MetadataSource::Order),
        "CUSTOMER_METADATA" => Name::Metadata(MetadataSource::Customer),
        "REDEMPTION_METADATA" => Name::Metadata(MetadataSource::Redemption),
        "PUBLICATION_METADATA" => Name::Metadata(MetadataSource::Publication),
        "REDEEMABLE_METADATA" => Name::Metadata(MetadataSource::Redeemable),
        other => return item_name(other),
    };
    Some(name)
}

/// `ORDER_ITEM_*`, `CHEAPEST_ORDER_ITEM_*`, `MOST_EXPENSIVE_ORDER_ITEM_*`.
fn item_name(upper: &str) -> Option<Name> {
    let (selector, rest) = if let Some(rest) = upper.strip_prefix("CHEAPEST_") {
        (ItemSelector::Cheapest, rest)
    } else if let Some(rest) = upper.strip_prefix("MOST_EXPENSIVE_") {
        (ItemSelector::MostExpensive, rest)
    } else {
        (ItemSelector::Current, upper)
    };
    let name = match rest.strip_prefix("ORDER_ITEM_")? {
        "PRICE" => Name::Operand(Operand::ItemPrice(selector)),
        "AMOUNT" => Name::Operand(Operand::ItemAmount(selector)),
        "SUBTOTAL" => Name::Operand(Operand::ItemSubtotal(selector)),
        "UNITS_QUANTITY" => Name::Operand(Operand::ItemUnitsQuantity(selector)),
        "METADATA" => Name::Metadata(MetadataSource::OrderItem(selector)),
        "PRODUCT_METADATA" => Name::Metadata(MetadataSource::OrderItemProduct(selector)),
        _ => return None,
    };
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        assert_eq!(resolve("IS_NOT"), Some(Name::Func(Func::IsNot)));
        assert_eq!(resolve("isNot"), Some(Name::Func(Func::IsNot)));
        assert_eq!(resolve("is_not"), Some(Name::Func(Func::IsNot)));
        assert_eq!(resolve("startsWith"), Some(Name::Func(Func::StartsWith)));
        assert_eq!(resolve("endsWith"), Some(Name::Func(Func::EndsWith)));
        assert_eq!(resolve("round"), Some(Name::Func(Func::Round)));
        assert_eq!(resolve("daysSince"), Some(Name::Func(Func::DaysSince)));
        assert_eq!(resolve("and"), Some(Name::And));
        assert_eq!(resolve("Or"), Some(Name::Or));
        assert_eq!(
            resolve("CHEAPEST_ORDER_ITEM_PRICE"),
            Some(Name::Operand(Operand::ItemPrice(ItemSelector::Cheapest)))
        );
        assert_eq!(
            resolve("most_expensive_order_item_product_metadata"),
            Some(Name::Metadata(MetadataSource::OrderItemProduct(
                ItemSelector::MostExpensive
            )))
        );
        assert_eq!(
            resolve("ORDER_ITEM_UNITS_QUANTITY"),
            Some(Name::Operand(Operand::ItemUnitsQuantity(
                ItemSelector::Current
            )))
        );
        assert_eq!(resolve("CHEAPEST_ORDER_AMOUNT"), None);
        assert_eq!(resolve("ORDER_ITEM_COLOR"), None);
        assert_eq!(resolve("FOO"), None);
        assert_eq!(resolve("x"), None);
    }
}
