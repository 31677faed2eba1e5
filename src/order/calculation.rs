//! The `order` object of responses.

use std::sync::Arc;

use serde::Serialize;

use super::line::OrderState;
use crate::error::Error;
use crate::money::Money;
use crate::plan::Metadata;
use crate::request::{CustomerInput, OrderInput};
use crate::time::Instant;

/// The calculated order (Voucherify's `OrderCalculated`). `applied_*`
/// fields are the contribution of one redeemable (in a redeemable's
/// snapshot) or of the whole request (at the top level).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OrderCalculation {
    /// What the order is (`object`, ids, time, customer, metadata), shared
    /// by every order object of one answer.
    #[serde(flatten)]
    pub identity: Arc<OrderIdentity>,
    /// Sum of item amounts, including units added by unit effects.
    pub amount: Money,
    /// Sum of item amounts as requested.
    pub initial_amount: Money,
    /// Order-level discounts so far (gift credits and points included).
    pub discount_amount: Money,
    /// Sum of item-level discounts so far.
    pub items_discount_amount: Money,
    /// `discount_amount + items_discount_amount`.
    pub total_discount_amount: Money,
    /// `amount − total_discount_amount`.
    pub total_amount: Money,
    /// Order-level discount of this step.
    pub applied_discount_amount: Money,
    /// Item-level discount of this step.
    pub items_applied_discount_amount: Money,
    /// `applied_discount_amount + items_applied_discount_amount`.
    pub total_applied_discount_amount: Money,
    /// The lines (`options.expand: ["order"]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<OrderItemCalculation>>,
}

/// The fields Voucherify's order objects carry besides amounts (the SDK's
/// `OrdersCreateResponse` and `OrderCalculated` require them).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OrderIdentity {
    /// Always `order`.
    pub object: &'static str,
    /// The merchant's order id, echoed; `""` for an order the request did
    /// not name (a preview is no stored order, and no id is invented).
    pub id: String,
    /// The merchant's order source id, echoed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// The evaluation time (the request's `now`).
    pub created_at: String,
    /// The customer's `source_id` (else `id`), or null.
    pub customer_id: Option<String>,
    /// The referrer's id (the request names none: always null).
    pub referrer_id: Option<String>,
    /// Order metadata, echoed.
    pub metadata: Metadata,
}
/// One calculated line (Voucherify's `OrderCalculatedItem`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OrderItemCalculation {
    /// Always `order_item`.
    pub object: &'static str,
    /// `product` or `sku`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_object: Option<&'static str>,
    /// Catalog product id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    /// Catalog SKU id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku_id: Option<String>,
    /// The merchant's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// Unit price.
    pub price: Money,
    /// Units after effects.
    pub quantity: i64,
    /// Units as requested.
    pub initial_quantity: i64,
    /// Units discounted so far.
    pub discount_quantity: i64,
    /// Units discounted in this step.
    pub applied_discount_quantity: i64,
    /// `price × quantity`.
    pub amount: Money,
    /// `price × initial_quantity`.
    pub initial_amount: Money,
    /// Item-level discount so far.
    pub discount_amount: Money,
    /// Item-level discount of this step.
    pub applied_discount_amount: Money,
    /// `amount − discount_amount`.
    pub subtotal_amount: Money,
    /// Units added by unit effects in this step.
    pub applied_quantity: i64,
    /// Value of those units.
    pub applied_quantity_amount: Money,
    /// Line metadata, echoed.
    #[serde(skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
}

/// What an `order` object echoes from the request, and whether it lists
/// its items.
#[derive(Debug, Clone)]
pub struct OrderEcho {
    /// What every order object of the answer says the order is.
    pub identity: Arc<OrderIdentity>,
    /// Whether to list the items.
    pub items: bool,
}

impl OrderEcho {
    /// The echo of a request's order and customer at `now`.
    pub fn of(
        order: &OrderInput,
        customer: Option<&CustomerInput>,
        now: Instant,
        items: bool,
    ) -> OrderEcho {
        OrderEcho {
            identity: Arc::new(OrderIdentity {
                object: "order",
                id: order.id.clone().unwrap_or_default(),
                source_id: order.source_id.clone(),
                created_at: now.to_rfc3339(),
                customer_id: customer.and_then(|c| c.source_id.clone().or_else(|| c.id.clone())),
                referrer_id: None,
                metadata: order.metadata.clone(),
            }),
            items,
        }
    }
}

impl OrderCalculation {
    /// One redeemable's snapshot: [`OrderCalculation::between`] the order
    /// before and after it, except that a line's `applied_discount_quantity`
    /// counts every unit this redeemable discounted, including units an
    /// earlier one had discounted already (over a whole request it counts
    /// each discounted unit once).
    pub fn of_step(
        before: &OrderState,
        after: &OrderState,
        echo: &OrderEcho,
    ) -> Result<OrderCalculation, Error> {
        let mut calc = OrderCalculation::between(before, after, echo)?;
        let items = calc.items.iter_mut().flatten();
        for (item, line) in items.zip(&after.lines) {
            let prev = before
                .lines
                .iter()
                .find(|l| l.index == line.index)
                .map_or(0, |p| p.units_discounted);
            item.applied_discount_quantity = line.units_discounted.saturating_sub(prev);
        }
        Ok(calc)
    }

    /// The order as it stands in `after`, with `applied_*` measured from `before`.
    pub fn between(
        before: &OrderState,
        after: &OrderState,
        echo: &OrderEcho,
    ) -> Result<OrderCalculation, Error> {
        let items = if echo.items {
            Some(items_between(before, after)?)
        } else {
            None
        };
        let discount_amount = after.order_discount;
        let items_discount_amount = after.items_discount()?;
        let applied_discount_amount = after.order_discount.try_sub(before.order_discount)?;
        let items_applied_discount_amount =
            items_discount_amount.try_sub(before.items_discount()?)?;
        Ok(OrderCalculation {
            identity: echo.identity.clone(),
            amount: after.amount()?,
            initial_amount: after.initial_amount,
            discount_amount,
            items_discount_amount,
            total_discount_amount: discount_amount.try_add(items_discount_amount)?,
            total_amount: after.total()?,
            applied_discount_amount,
            items_applied_discount_amount,
            total_applied_discount_amount: applied_discount_amount
                .try_add(items_applied_discount_amount)?,
            items,
        })
    }
}

/// Every line of `after`, with `applied_*` measured from `before`.
fn items_between(
    before: &OrderState,
    after: &OrderState,
) -> Result<Vec<OrderItemCalculation>, Error> {
    let mut items = Vec::with_capacity(after.lines.len());
    for line in &after.lines {
        let prev = before.lines.iter().find(|l| l.index == line.index);
        let prev_discount = prev.map(|p| p.discount_amount).unwrap_or(Money::ZERO);
        let prev_dq = prev.map(|p| p.discount_quantity).unwrap_or(0);
        let prev_added = prev.map(|p| p.applied_quantity).unwrap_or(0);
        let added = line.applied_quantity.saturating_sub(prev_added);
        items.push(OrderItemCalculation {
            object: "order_item",
            related_object: line.related_object,
            product_id: line.product_id.clone(),
            sku_id: line.sku_id.clone(),
            source_id: line.source_id.clone(),
            price: line.price,
            quantity: line.quantity,
            initial_quantity: line.initial_quantity,
            discount_quantity: line.discount_quantity,
            applied_discount_quantity: line.discount_quantity.saturating_sub(prev_dq),
            amount: line.amount(),
            initial_amount: line.initial_amount(),
            discount_amount: line.discount_amount,
            applied_discount_amount: line.discount_amount.try_sub(prev_discount)?,
            subtotal_amount: line.subtotal(),
            applied_quantity: added,
            applied_quantity_amount: line.price.times(added)?,
            metadata: line.metadata.clone(),
        });
    }
    Ok(items)
}
