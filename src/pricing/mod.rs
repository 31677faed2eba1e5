//! Strikethrough prices for catalog and product pages.
//!
//! Each product's promotions are applied together to a one-line cart under
//! the plan's stacking rules. Publish has already listed, for every
//! catalog product and SKU, the promotions that can touch it, and worked
//! out its price for one unit at the catalog price whenever nothing about
//! the shopper or the moment can change it (see [`crate::plan::Pricing`]).
//! So a page of catalog products costs a lookup and a check of each
//! candidate's dates per product; the pipeline runs only for what publish
//! could not settle: an overridden price, several units, line metadata, a
//! candidate with customer or order rules, or one outside its dates now.
//!
//! Candidates are automatic promotions (tiers) and the generic codes of
//! campaigns marked `public`, with an item-level discount. Order-level
//! discounts depend on the whole cart and are left to cart previews.

mod json;
mod line;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::money::Money;
use crate::plan::{Metadata, Plan, PriceMemo, PricePlan, RedeemableKind};
use crate::request::{CustomerInput, Expand, OrderItemInput};
use crate::time::{Instant, Rfc3339};

pub use json::write as write_json;
#[cfg(feature = "compiler")]
pub(crate) use line::candidates;
pub(crate) use line::{price_line, valid_until, LinePrice, Moment};

/// Most products in one pricing call → `TOO_MANY_PRODUCTS`.
pub const MAX_PRODUCTS: usize = 10_000;

/// One product or SKU to price.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PricingItem {
    /// The caller's key for this entry (echoed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Catalog product id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    /// Catalog SKU id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku_id: Option<String>,
    /// Merchant id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// Unit price; the catalog's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Money>,
    /// Units (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    /// Line metadata.
    #[serde(default)]
    pub metadata: Metadata,
}

/// The pricing request.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PricingRequest {
    /// What to price.
    pub products: Vec<PricingItem>,
    /// Who is looking (for customer rules); anonymous when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<CustomerInput>,
    /// What the answer spells out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<PricingOptions>,
}

/// `options` of a pricing request.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PricingOptions {
    /// `redeemable` adds each promotion's `name` and `campaign_id`
    /// (the others Voucherify names are accepted and add nothing here).
    #[serde(default)]
    pub expand: Vec<String>,
}

/// A promotion behind a price.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PriceSource<'a> {
    /// Its position in the plan (not in the answer): what the written
    /// answer caches its text by.
    #[serde(skip)]
    pub position: usize,
    /// Tier id or code.
    pub id: &'a str,
    /// `promotion_tier` or `voucher`.
    pub object: &'static str,
    /// Tier name (with `expand: ["redeemable"]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    /// Banner for the badge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banner: Option<&'a str>,
    /// Campaign id (with `expand: ["redeemable"]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<&'a str>,
    /// Its discount on this line.
    pub discount_amount: Money,
}

/// One priced product.
#[derive(Debug, Clone, Serialize)]
pub struct ProductPrice<'a> {
    /// The caller's key, or the product/SKU id.
    pub key: Cow<'a, str>,
    /// Unit price before promotions.
    pub price: Money,
    /// Units priced.
    pub quantity: i64,
    /// `price × quantity`.
    pub amount: Money,
    /// Line total after promotions.
    pub discounted_amount: Money,
    /// `discounted_amount / quantity`, rounded with the plan's rounding.
    pub discounted_price: Money,
    /// `amount − discounted_amount`.
    pub discount_amount: Money,
    /// The promotions that gave it, in application order.
    pub applied: Vec<PriceSource<'a>>,
    /// When the price stops holding: the earliest end among the applied
    /// promotions' dates and the plan's expiry.
    pub valid_until: Rfc3339,
}

/// The pricing response.
#[derive(Debug, Clone, Serialize)]
pub struct PricingResponse<'a> {
    /// One entry per requested product, in request order.
    pub products: Vec<ProductPrice<'a>>,
    /// The plan version that answered.
    pub snapshot_version: u64,
}

/// The catalog entry a request item names by id alone, and its plan.
fn catalog_plan<'p>(plan: &'p Plan, p: &PricingItem) -> Option<&'p PricePlan> {
    let pricing = &plan.pricing;
    match (&p.product_id, &p.sku_id) {
        (Some(id), None) => pricing.products.get(plan.catalog.products.position(id)?),
        (None, Some(id)) => pricing.skus.get(plan.catalog.skus.position(id)?),
        _ => None,
    }
}

/// The memo of a catalog entry, if it answers this item now: one unit at
/// the catalog price, nothing else on the line, every candidate active.
fn memo_for<'p>(
    plan: &'p Plan,
    p: &PricingItem,
    entry: &'p PricePlan,
    moment: &mut Moment,
) -> Option<&'p PriceMemo> {
    let memo = entry.memo.as_ref()?;
    let plain = p.source_id.is_none()
        && p.metadata.is_empty()
        && p.quantity.is_none_or(|q| q == 1)
        && p.price.is_none_or(|x| x == memo.price);
    (plain && moment.all_active(plan, entry.list)).then_some(memo)
}

/// Prices every product with the promotions that touch it.
pub fn price_products<'a>(
    plan: &'a Plan,
    req: &'a PricingRequest,
    now: Instant,
) -> Result<PricingResponse<'a>, Error> {
    if req.products.len() > MAX_PRODUCTS {
        return Err(Error::TooManyProducts {
            count: req.products.len(),
            limit: MAX_PRODUCTS,
        });
    }
    let expand = Expand::of(
        req.options
            .as_ref()
            .map_or(&[][..], |o| o.expand.as_slice()),
        "options.expand",
    )?;
    let mut moment = Moment::new(plan, now);
    let mut out = Vec::with_capacity(req.products.len());
    for (i, p) in req.products.iter().enumerate() {
        let entry = catalog_plan(plan, p);
        let key = key_of(plan, p, i);
        if let Some(memo) = entry.and_then(|e| memo_for(plan, p, e, &mut moment)) {
            let priced = LinePrice {
                price: memo.price,
                quantity: 1,
                amount: memo.price,
                discounted_amount: memo.discounted_amount,
                applied: Vec::new(),
            };
            out.push(answer(
                plan,
                key,
                &priced,
                &memo.applied,
                memo.valid_until,
                expand,
            )?);
            continue;
        }
        let list = entry.and_then(|e| plan.pricing.lists.get(e.list));
        let priced = price_line(
            plan,
            list.map(Vec::as_slice),
            item_of(p),
            req.customer.as_ref(),
            &mut moment,
        )
        .map_err(|e| at_product(e, i))?;
        let until = valid_until(plan, &priced.applied);
        out.push(answer(plan, key, &priced, &priced.applied, until, expand)?);
    }
    Ok(PricingResponse {
        products: out,
        snapshot_version: plan.version,
    })
}

/// The caller's key, else the SKU or product id (as resolved when the
/// item names neither), else the item's position.
fn key_of<'a>(plan: &Plan, p: &'a PricingItem, i: usize) -> Cow<'a, str> {
    if let Some(k) = p
        .key
        .as_ref()
        .or(p.sku_id.as_ref())
        .or(p.product_id.as_ref())
    {
        return Cow::Borrowed(k.as_str());
    }
    let resolved = crate::order::resolve_item(plan, &item_of(p));
    Cow::Owned(
        resolved
            .sku_id
            .or(resolved.product_id)
            .unwrap_or_else(|| i.to_string()),
    )
}

/// The order line a pricing item stands for.
fn item_of(p: &PricingItem) -> OrderItemInput {
    OrderItemInput {
        product_id: p.product_id.clone(),
        sku_id: p.sku_id.clone(),
        source_id: p.source_id.clone(),
        quantity: p.quantity,
        price: p.price,
        metadata: p.metadata.clone(),
        ..OrderItemInput::default()
    }
}

/// An order error, placed at the product it came from.
fn at_product(e: Error, i: usize) -> Error {
    match e {
        Error::OrderItemPriceMissing { .. } => Error::OrderItemPriceMissing { index: i },
        Error::AmountOutOfRange { value, .. } => Error::AmountOutOfRange {
            path: format!("products[{i}]"),
            value,
        },
        other => other,
    }
}

/// One product's answer.
fn answer<'a>(
    plan: &'a Plan,
    key: Cow<'a, str>,
    priced: &LinePrice,
    applied: &[(usize, Money)],
    valid_until: Instant,
    expand: Expand,
) -> Result<ProductPrice<'a>, Error> {
    let mut sources = Vec::with_capacity(applied.len());
    for (pos, discount_amount) in applied {
        let Some(r) = plan.redeemables.get(*pos) else {
            continue;
        };
        sources.push(PriceSource {
            position: *pos,
            id: r.request_id(),
            object: if r.kind == RedeemableKind::PromotionTier {
                "promotion_tier"
            } else {
                "voucher"
            },
            name: r.name.as_deref().filter(|_| expand.redeemable),
            banner: r.banner.as_deref(),
            campaign_id: plan
                .campaigns
                .get(r.campaign)
                .map(|c| c.id.as_str())
                .filter(|_| expand.redeemable),
            discount_amount: *discount_amount,
        });
    }
    let quantity = priced.quantity;
    let discounted_price = if quantity == 1 {
        priced.discounted_amount
    } else {
        plan.rounding.round(
            priced
                .discounted_amount
                .dec()
                .checked_div(rust_decimal::Decimal::from(quantity.max(1)))
                .ok_or(Error::ArithmeticOverflow)?,
        )?
    };
    Ok(ProductPrice {
        key,
        price: priced.price,
        quantity,
        amount: priced.amount,
        discounted_amount: priced.discounted_amount,
        discounted_price,
        discount_amount: priced.amount.saturating_sub(priced.discounted_amount),
        applied: sources,
        valid_until: Rfc3339(valid_until),
    })
}
