//! Strikethrough prices for catalog and product pages.
//!
//! For each product the engine gathers the promotions that touch it — from
//! an index built at load by product, SKU and collection, plus those that
//! discount every product — and applies them together to a one-line cart
//! under the snapshot's stacking rules. Cost is linear in products × the
//! promotions touching each product.
//!
//! Candidates are automatic promotions (tiers) and the generic codes of
//! campaigns marked `public`, with an item-level discount. Order-level
//! discounts depend on the whole cart and are left to cart previews.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::money::Money;
use crate::order::OrderState;
use crate::plan::{Metadata, Plan, RedeemableKind, TargetObject};
use crate::request::{CustomerInput, OrderInput, OrderItemInput, RedeemableRef, ValidationRequest};
use crate::time::{Instant, WindowStatus};
use crate::validation::{apply_stack, Detail};

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
}

/// A promotion behind a price.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PriceSource {
    /// Tier id or code.
    pub id: String,
    /// `promotion_tier` or `voucher`.
    pub object: &'static str,
    /// Tier name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Banner for the badge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banner: Option<String>,
    /// Campaign id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<String>,
    /// Its discount on this line.
    pub discount_amount: Money,
}

/// One priced product.
#[derive(Debug, Clone, Serialize)]
pub struct ProductPrice {
    /// The caller's key, or the product/SKU id.
    pub key: String,
    /// Unit price before promotions.
    pub price: Money,
    /// Units priced.
    pub quantity: i64,
    /// `price × quantity`.
    pub amount: Money,
    /// Line total after promotions.
    pub discounted_amount: Money,
    /// `discounted_amount / quantity`, rounded with the snapshot's rounding.
    pub discounted_price: Money,
    /// `amount − discounted_amount`.
    pub discount_amount: Money,
    /// The promotions that gave it, in application order.
    pub applied: Vec<PriceSource>,
    /// When the price stops holding: the earliest end among the applied
    /// promotions' dates and the snapshot's expiry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
}

/// The pricing response.
#[derive(Debug, Clone, Serialize)]
pub struct PricingResponse {
    /// One entry per requested product, in request order.
    pub products: Vec<ProductPrice>,
    /// The snapshot version that answered.
    pub snapshot_version: u64,
}

fn candidates(snap: &Plan, item: &crate::order::ResolvedItem) -> Vec<usize> {
    let mut out: Vec<usize> = snap.price_global.clone();
    let keys = item
        .product_id
        .iter()
        .chain(item.sku_id.iter())
        .chain(item.collections.iter());
    for k in keys {
        if let Some(list) = snap.price_index.get(k) {
            out.extend(list.iter().copied());
        }
    }
    out.sort_unstable();
    out.dedup();
    // A product a promotion excludes is not touched by it.
    out.retain(|pos| {
        snap.redeemables.get(*pos).is_some_and(|r| {
            !r.eligibility.excluded.iter().any(|t| match t.object {
                TargetObject::Product => item.product_id.as_deref() == Some(t.id.as_str()),
                TargetObject::Sku => item.sku_id.as_deref() == Some(t.id.as_str()),
                TargetObject::ProductsCollection => item.collections.contains(&t.id),
            })
        })
    });
    // Applied in default order: campaigns as published, tiers by hierarchy.
    out.sort_by_key(|pos| snap.rank.get(*pos).copied().unwrap_or(usize::MAX));
    out
}

/// Prices every product with the promotions that touch it.
pub fn price_products(
    snap: &Plan,
    req: &PricingRequest,
    now: Instant,
) -> Result<PricingResponse, Error> {
    if req.products.len() > MAX_PRODUCTS {
        return Err(Error::TooManyProducts {
            count: req.products.len(),
            limit: MAX_PRODUCTS,
        });
    }
    let limit = usize::try_from(snap.stacking.redeemables_limit)
        .unwrap_or(30)
        .min(crate::limits::MAX_REDEEMABLES);
    let mut out = Vec::with_capacity(req.products.len());
    for (i, p) in req.products.iter().enumerate() {
        let item = OrderItemInput {
            product_id: p.product_id.clone(),
            sku_id: p.sku_id.clone(),
            source_id: p.source_id.clone(),
            quantity: p.quantity,
            price: p.price,
            metadata: p.metadata.clone(),
            ..OrderItemInput::default()
        };
        let resolved = crate::order::resolve_item(snap, &item);
        let key = p
            .key
            .clone()
            .or_else(|| resolved.sku_id.clone())
            .or_else(|| resolved.product_id.clone())
            .unwrap_or_else(|| i.to_string());
        // Cheap static filter first: only candidates active now.
        let redeemables: Vec<RedeemableRef> = candidates(snap, &resolved)
            .into_iter()
            .filter_map(|pos| snap.redeemables.get(pos))
            .filter(|r| {
                r.active
                    && r.validity
                        .as_ref()
                        .as_ref()
                        .is_ok_and(|v| v.status(now, &snap.tz) == WindowStatus::Active)
            })
            .take(limit)
            .map(|r| RedeemableRef::naming(r, r.request_id().to_string()))
            .collect();
        let request = ValidationRequest {
            redeemables,
            order: OrderInput {
                items: vec![item],
                ..OrderInput::default()
            },
            customer: req.customer.clone(),
            ..ValidationRequest::default()
        };
        let at = |e: Error| match e {
            Error::OrderItemPriceMissing { .. } => Error::OrderItemPriceMissing { index: i },
            Error::AmountOutOfRange { value, .. } => Error::AmountOutOfRange {
                path: format!("products[{i}]"),
                value,
            },
            other => other,
        };
        let initial = OrderState::from_input(&request.order, snap).map_err(at)?;
        let stacked = apply_stack(snap, &request, &initial, now, Detail::Amounts)?;
        let line = stacked.final_state.lines.first();
        let amount = line.map(|l| l.amount()).unwrap_or_default();
        let quantity = line.map(|l| l.quantity).unwrap_or(1);
        let discounted_amount = line
            .map(|l| l.subtotal())
            .unwrap_or_default()
            .min(stacked.final_state.total()?);
        let mut valid_until = snap.expires_at;
        let mut applied = Vec::new();
        for e in &stacked.effects {
            let discount_amount = e.order_discount.try_add(e.items_discount)?;
            // A promotion that gives nothing here is no reason for a badge.
            if discount_amount == Money::ZERO {
                continue;
            }
            let Some(r) = snap.redeemables.get(e.redeemable) else {
                continue;
            };
            if let Some(exp) = r
                .validity
                .as_ref()
                .as_ref()
                .ok()
                .and_then(|v| v.expiration())
            {
                valid_until = valid_until.min(exp);
            }
            let tier = r.kind == RedeemableKind::PromotionTier;
            applied.push(PriceSource {
                id: r.request_id().to_string(),
                object: if tier { "promotion_tier" } else { "voucher" },
                name: r.name.clone(),
                banner: r.banner.clone(),
                campaign_id: snap.campaigns.get(r.campaign).map(|c| c.id.clone()),
                discount_amount,
            });
        }
        let discounted_price = snap.rounding.round(
            discounted_amount
                .dec()
                .checked_div(rust_decimal::Decimal::from(quantity.max(1)))
                .ok_or(Error::ArithmeticOverflow)?,
        )?;
        out.push(ProductPrice {
            key,
            price: line.map(|l| l.price).unwrap_or_default(),
            quantity,
            amount,
            discounted_amount,
            discounted_price,
            discount_amount: amount.saturating_sub(discounted_amount),
            applied,
            valid_until: Some(valid_until.to_rfc3339()),
        });
    }
    Ok(PricingResponse {
        products: out,
        snapshot_version: snap.version,
    })
}
