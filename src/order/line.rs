//! Order lines and the running order state.

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
    /// `product` or `sku`, as resolved.
    pub related_object: Option<&'static str>,
    /// Collections containing the product or SKU, sorted (shared with the plan).
    pub collections: Arc<[String]>,
    /// The target numbers of its ids ([`crate::plan::Plan::target_ids`]).
    pub keys: LineKeys,
    /// Line metadata.
    pub metadata: Metadata,
    /// Product (or SKU over product) metadata (shared with the plan unless merged).
    pub product_metadata: Arc<Metadata>,
    /// Product name, if known.
    pub product_name: Option<String>,
}

/// The number an id has when no target names it: it matches nothing.
pub const NO_KEY: u32 = u32::MAX;

/// A line's ids as target numbers ([`NO_KEY`] where no target names one).
#[derive(Debug, Clone, Default)]
pub struct LineKeys {
    /// The product id's.
    pub product: u32,
    /// The SKU id's.
    pub sku: u32,
    /// The merchant's id's.
    pub source: u32,
    /// Its collections' (those some target names), sorted.
    pub collections: Arc<[u32]>,
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
    /// numbered `key` ([`crate::plan::Plan::target_ids`]). A product covers
    /// its SKUs; `None` accepts any kind of id.
    pub fn matches(&self, object: Option<TargetObject>, key: u32) -> bool {
        if key == NO_KEY {
            return false;
        }
        let k = &self.keys;
        let in_collection = || k.collections.binary_search(&key).is_ok();
        match object {
            Some(TargetObject::Product) => k.product == key,
            Some(TargetObject::Sku) => k.sku == key,
            Some(TargetObject::ProductsCollection) => in_collection(),
            None => k.product == key || k.sku == key || k.source == key || in_collection(),
        }
    }

    /// Orders lines by content, so that results never depend on the order
    /// of lines in the request: product (or source) id, SKU id, price,
    /// quantity, metadata (as JSON text, only compared when all else is
    /// equal), then index — which only separates lines identical in every
    /// way the engine looks at.
    fn content_cmp(&self, other: &Line) -> std::cmp::Ordering {
        fn id(l: &Line) -> &str {
            l.product_id
                .as_deref()
                .or(l.source_id.as_deref())
                .unwrap_or_default()
        }
        fn sku(l: &Line) -> &str {
            l.sku_id.as_deref().unwrap_or_default()
        }
        id(self)
            .cmp(id(other))
            .then_with(|| sku(self).cmp(sku(other)))
            .then(self.price.cmp(&other.price))
            .then(self.quantity.cmp(&other.quantity))
            .then_with(|| {
                let text = |l: &Line| serde_json::to_string(&l.metadata).unwrap_or_default();
                text(self).cmp(&text(other))
            })
            .then(self.index.cmp(&other.index))
    }

    /// Marks the line as discounted by the redeemable at `position`.
    pub fn mark_discounted(&mut self, position: usize) {
        self.discounted_by |= 1u128 << position.min(127);
    }
}

/// The running state of an order calculation.
#[derive(Debug)]
pub struct OrderState {
    /// The lines.
    pub lines: Vec<Line>,
    /// The amount sent when the order has no lines.
    pub bare_amount: Option<Money>,
    /// Sum of line amounts before any effect.
    pub initial_amount: Money,
    /// Order-level discounts so far (including gift credits and points).
    pub order_discount: Money,
    /// Line positions in canonical (content) order, computed once when the
    /// order is read (see [`OrderState::canonical_order`]).
    canonical: Arc<[usize]>,
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

impl Clone for OrderState {
    fn clone(&self) -> OrderState {
        OrderState {
            lines: self.lines.clone(),
            bare_amount: self.bare_amount,
            initial_amount: self.initial_amount,
            order_discount: self.order_discount,
            canonical: self.canonical.clone(),
        }
    }

    /// Reuses this state's line buffer: a stack of redeemables tries each
    /// on a scratch copy of the running order.
    fn clone_from(&mut self, source: &OrderState) {
        self.lines.clone_from(&source.lines);
        self.bare_amount = source.bare_amount;
        self.initial_amount = source.initial_amount;
        self.order_discount = source.order_discount;
        self.canonical.clone_from(&source.canonical);
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
                    keys: resolved.keys,
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
        by_content.sort_unstable_by(|a, b| match (lines.get(*a), lines.get(*b)) {
            (Some(a), Some(b)) => a.content_cmp(b),
            _ => a.cmp(b),
        });
        for (rank, i) in by_content.iter().enumerate() {
            if let Some(l) = lines.get_mut(*i) {
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
            canonical: by_content.into(),
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
    /// lines added by unit effects come last, in the order they were added.
    pub fn canonical_order(&self) -> &[usize] {
        &self.canonical
    }

    /// Adds a line (free units of a product not in the cart) after every
    /// other in canonical order; returns its position.
    pub fn push_line(&mut self, line: Line) -> usize {
        let pos = self.lines.len();
        self.lines.push(line);
        let mut order = self.canonical.to_vec();
        order.push(pos);
        self.canonical = order.into();
        pos
    }
}
