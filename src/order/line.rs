//! Order lines and the running order state.

use std::collections::BTreeSet;
use std::ops::Deref;
use std::sync::Arc;

use crate::error::Error;
use crate::limits::{MAX_AMOUNT, MAX_ORDER_ITEMS, MAX_QUANTITY};
use crate::money::Money;
use crate::plan::{Metadata, Plan, TargetObject};
use crate::request::OrderInput;

/// What an order line is: resolved ids, collections and metadata. Shared
/// (not copied) by every running state of a calculation, which clones
/// lines once per redeemable.
#[derive(Debug, Clone, Default)]
pub struct LineInfo {
    /// Resolved catalog product id.
    pub product_id: Option<String>,
    /// Resolved catalog SKU id.
    pub sku_id: Option<String>,
    /// The merchant's id as sent.
    pub source_id: Option<String>,
    /// `product` or `sku`, as sent or resolved.
    pub related_object: Option<String>,
    /// Collections containing the product or SKU.
    pub collections: BTreeSet<String>,
    /// Line metadata.
    pub metadata: Metadata,
    /// Product (or SKU over product) metadata.
    pub product_metadata: Metadata,
    /// Product name, if known.
    pub product_name: Option<String>,
}

/// One order line while redeemables apply to it: its shared facts
/// ([`LineInfo`], reached through `Deref`) and the numbers that change.
#[derive(Debug, Clone)]
pub struct Line {
    /// The line's facts.
    pub info: Arc<LineInfo>,
    /// Position in the request (added lines come after the request's).
    pub index: usize,
    /// Position in canonical (content) order; see [`OrderState::canonical_order`].
    pub rank: usize,
    /// Unit price.
    pub price: Money,
    /// Units now (after added units).
    pub quantity: i64,
    /// Units as requested.
    pub initial_quantity: i64,
    /// Item-level discount so far in this request.
    pub discount_amount: Money,
    /// Units that received a discount (at most `quantity`).
    pub discount_quantity: i64,
    /// Units discounted, counted again by each redeemable that discounts
    /// them: a step's `applied_discount_quantity` is its change, which the
    /// cap on `discount_quantity` would hide for a twice-discounted unit.
    pub units_discounted: i64,
    /// Units added (+) by unit effects.
    pub applied_quantity: i64,
    /// Whether the line was added by a unit effect.
    pub added: bool,
    /// Redeemables (bit = application position, the last bit standing for
    /// every position from 127 on) that discounted this line.
    pub discounted_by: u128,
}

impl Deref for Line {
    type Target = LineInfo;
    fn deref(&self) -> &LineInfo {
        &self.info
    }
}

impl Line {
    /// `price × quantity`.
    pub fn amount(&self) -> Money {
        Money(self.price.0.saturating_mul(self.quantity))
    }

    /// `price × initial_quantity`.
    pub fn initial_amount(&self) -> Money {
        Money(self.price.0.saturating_mul(self.initial_quantity))
    }

    /// What is left to discount on the line.
    pub fn subtotal(&self) -> Money {
        self.amount().saturating_sub(self.discount_amount)
    }

    /// Whether the line is (or belongs to) the product, SKU or collection
    /// `id`. A product covers its SKUs; `None` accepts any kind of id.
    pub fn matches(&self, object: Option<TargetObject>, id: &str) -> bool {
        let is = |v: &Option<String>| v.as_deref() == Some(id);
        match object {
            Some(TargetObject::Product) => is(&self.product_id),
            Some(TargetObject::Sku) => is(&self.sku_id),
            Some(TargetObject::ProductsCollection) => self.collections.contains(id),
            None => {
                is(&self.product_id)
                    || is(&self.sku_id)
                    || is(&self.source_id)
                    || self.collections.contains(id)
            }
        }
    }

    /// A key that identifies the line by content, so that results never
    /// depend on the order of lines in the request (ties broken by index
    /// only between lines identical in every way the engine looks at).
    fn content_key(&self) -> (String, String, i64, i64, String, usize) {
        (
            self.product_id
                .clone()
                .or_else(|| self.source_id.clone())
                .unwrap_or_default(),
            self.sku_id.clone().unwrap_or_default(),
            self.price.0,
            self.quantity,
            serde_json::to_string(&self.metadata).unwrap_or_default(),
            self.index,
        )
    }

    /// Marks the line as discounted by the redeemable at `position`.
    pub fn mark_discounted(&mut self, position: usize) {
        self.discounted_by |= 1u128 << position.min(127);
    }
}

/// The running state of an order calculation.
#[derive(Debug, Clone)]
pub struct OrderState {
    /// The lines.
    pub lines: Vec<Line>,
    /// The amount sent when the order has no lines.
    pub bare_amount: Option<Money>,
    /// Sum of line amounts before any effect.
    pub initial_amount: Money,
    /// Order-level discounts so far (including gift credits and points).
    pub order_discount: Money,
}

fn check_range(path: impl Fn() -> String, v: i64, max: i64) -> Result<i64, Error> {
    if (0..=max).contains(&v) {
        Ok(v)
    } else {
        Err(Error::AmountOutOfRange {
            path: path(),
            value: v.to_string(),
        })
    }
}

impl OrderState {
    /// Resolves the request's order against the catalog.
    pub fn from_input(input: &OrderInput, snap: &Plan) -> Result<OrderState, Error> {
        if input.items.len() > MAX_ORDER_ITEMS {
            return Err(Error::TooManyOrderItems {
                count: input.items.len(),
                limit: MAX_ORDER_ITEMS,
            });
        }
        let mut lines = Vec::with_capacity(input.items.len());
        for (index, item) in input.items.iter().enumerate() {
            let quantity = check_range(
                || format!("order.items[{index}].quantity"),
                item.quantity.unwrap_or(1),
                MAX_QUANTITY,
            )?;
            let resolved = super::resolve_item(snap, item);
            let sent_price = item
                .price
                .or(item.product.as_ref().and_then(|p| p.price))
                .or(item.sku.as_ref().and_then(|s| s.price));
            let price = match (sent_price, item.amount) {
                (Some(p), Some(a)) => {
                    if p.0.checked_mul(quantity) != Some(a.0) {
                        return Err(Error::invalid_request(
                            format!("order.items[{index}].amount"),
                            format!(
                                "amount {} is not price {} × quantity {}",
                                a.0, p.0, quantity
                            ),
                        ));
                    }
                    p
                }
                (Some(p), None) => p,
                (None, Some(a)) if quantity > 0 && a.0 % quantity == 0 => Money(a.0 / quantity),
                (None, Some(_)) => {
                    return Err(Error::invalid_request(
                        format!("order.items[{index}].amount"),
                        "amount without price must divide evenly by quantity",
                    ))
                }
                (None, None) => resolved
                    .catalog_price
                    .ok_or(Error::OrderItemPriceMissing { index })?,
            };
            check_range(
                || format!("order.items[{index}].price"),
                price.0,
                MAX_AMOUNT,
            )?;
            check_range(
                || format!("order.items[{index}].amount"),
                price.0.saturating_mul(quantity),
                MAX_AMOUNT,
            )?;
            lines.push(Line {
                info: Arc::new(LineInfo {
                    product_id: resolved.product_id,
                    sku_id: resolved.sku_id,
                    source_id: item.source_id.clone(),
                    related_object: resolved.related_object,
                    collections: resolved.collections,
                    metadata: item.metadata.clone(),
                    product_metadata: resolved.metadata,
                    product_name: resolved.name,
                }),
                index,
                rank: index,
                price,
                quantity,
                initial_quantity: quantity,
                discount_amount: Money::ZERO,
                discount_quantity: 0,
                units_discounted: 0,
                applied_quantity: 0,
                added: false,
                discounted_by: 0,
            });
        }
        let mut by_content: Vec<usize> = (0..lines.len()).collect();
        by_content.sort_by_cached_key(|i| lines.get(*i).map(Line::content_key));
        for (rank, i) in by_content.into_iter().enumerate() {
            if let Some(l) = lines.get_mut(i) {
                l.rank = rank;
            }
        }
        let bare_amount = match input.amount {
            Some(a) if lines.is_empty() => Some(Money(check_range(
                || "order.amount".into(),
                a.0,
                MAX_AMOUNT,
            )?)),
            Some(a) => {
                check_range(|| "order.amount".into(), a.0, MAX_AMOUNT)?;
                None
            }
            None => None,
        };
        let mut state = OrderState {
            lines,
            bare_amount,
            initial_amount: Money::ZERO,
            order_discount: Money::ZERO,
        };
        state.initial_amount = state.amount()?;
        if state.initial_amount.0 > MAX_AMOUNT {
            return Err(Error::AmountOutOfRange {
                path: "order.amount".into(),
                value: state.initial_amount.0.to_string(),
            });
        }
        Ok(state)
    }

    /// Sum of line amounts (including added units), or the bare amount.
    pub fn amount(&self) -> Result<Money, Error> {
        if let Some(a) = self.bare_amount {
            return Ok(a);
        }
        self.lines
            .iter()
            .try_fold(Money::ZERO, |acc, l| acc.try_add(l.amount()))
    }

    /// Sum of item-level discounts.
    pub fn items_discount(&self) -> Result<Money, Error> {
        self.lines
            .iter()
            .try_fold(Money::ZERO, |acc, l| acc.try_add(l.discount_amount))
    }

    /// What the customer pays now: amount − order discounts − item discounts.
    pub fn total(&self) -> Result<Money, Error> {
        Ok(self
            .amount()?
            .saturating_sub(self.order_discount.try_add(self.items_discount()?)?))
    }

    /// Indices of lines in canonical (content) order: by product, SKU,
    /// price, quantity and metadata, computed once when the order is read;
    /// lines added by unit effects come last.
    pub fn canonical_order(&self) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.lines.len()).collect();
        idx.sort_by_key(|i| self.lines.get(*i).map(|l| (l.rank, l.index)));
        idx
    }
}
