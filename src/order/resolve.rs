//! Order lines resolved against the plan's catalog: ids, collections,
//! metadata and catalog prices.

use std::collections::BTreeSet;

use super::line::{Line, LineInfo};
use crate::money::Money;
use crate::plan::{Metadata, Plan};
use crate::request::OrderItemInput;

/// Everything resolved about an order line from the catalog.
#[derive(Debug, Clone, Default)]
pub struct ResolvedItem {
    /// Catalog product id (or the id as sent).
    pub product_id: Option<String>,
    /// Catalog SKU id (or the id as sent).
    pub sku_id: Option<String>,
    /// `product` or `sku`.
    pub related_object: Option<String>,
    /// Collections containing it.
    pub collections: BTreeSet<String>,
    /// Product metadata (SKU's and inline over it).
    pub metadata: Metadata,
    /// Product name.
    pub name: Option<String>,
    /// Catalog price.
    pub catalog_price: Option<Money>,
}

/// Resolves an order line against the catalog.
pub fn resolve_item(plan: &Plan, item: &OrderItemInput) -> ResolvedItem {
    let catalog = &plan.catalog;
    let related = item.related_object.as_deref();
    let sku_id = item
        .sku_id
        .clone()
        .or_else(|| item.sku.as_ref().and_then(|s| s.id.clone()))
        .or_else(|| {
            item.sku
                .as_ref()
                .and_then(|s| s.source_id.as_ref())
                .and_then(|s| catalog.sku_by_source.get(s).cloned())
        })
        .or_else(|| match (related, &item.source_id) {
            (Some("sku"), Some(s)) => Some(
                catalog
                    .sku_by_source
                    .get(s)
                    .cloned()
                    .unwrap_or_else(|| s.clone()),
            ),
            _ => None,
        });
    let sku = sku_id.as_ref().and_then(|s| catalog.skus.get(s));
    let product_id = item
        .product_id
        .clone()
        .or_else(|| item.product.as_ref().and_then(|p| p.id.clone()))
        .or_else(|| {
            item.product
                .as_ref()
                .and_then(|p| p.source_id.as_ref())
                .and_then(|s| catalog.product_by_source.get(s).cloned())
        })
        .or_else(|| sku.map(|s| s.product_id.clone()))
        .or_else(|| match (related, &item.source_id) {
            (Some("sku"), _) | (_, None) => None,
            (_, Some(s)) => Some(
                catalog
                    .product_by_source
                    .get(s)
                    .cloned()
                    .unwrap_or_else(|| s.clone()),
            ),
        });
    let product = product_id.as_ref().and_then(|p| catalog.products.get(p));
    let mut metadata = product.map(|p| p.metadata.clone()).unwrap_or_default();
    if let Some(s) = sku {
        metadata.extend(s.metadata.clone());
    }
    for inline in [&item.product, &item.sku].into_iter().flatten() {
        metadata.extend(inline.metadata.clone());
    }
    let mut collections = BTreeSet::new();
    for id in [&product_id, &sku_id].into_iter().flatten() {
        if let Some(cs) = catalog.collections_of.get(id) {
            collections.extend(cs.iter().cloned());
        }
    }
    ResolvedItem {
        related_object: Some(if sku_id.is_some() { "sku" } else { "product" }.to_string())
            .filter(|_| sku_id.is_some() || product_id.is_some()),
        catalog_price: sku
            .and_then(|s| s.price)
            .or_else(|| product.and_then(|p| p.price)),
        name: product
            .map(|p| p.name.clone())
            .or_else(|| item.product.as_ref().and_then(|p| p.name.clone())),
        product_id,
        sku_id,
        collections,
        metadata,
    }
}

/// A new line of one unit type (for free units not in the cart).
pub fn catalog_line(plan: &Plan, unit_type: &str, index: usize) -> Option<Line> {
    let price = plan.catalog.unit_price(unit_type)?;
    let item = if plan.catalog.skus.contains_key(unit_type) {
        OrderItemInput {
            sku_id: Some(unit_type.to_string()),
            ..Default::default()
        }
    } else {
        OrderItemInput {
            product_id: Some(unit_type.to_string()),
            ..Default::default()
        }
    };
    let r = resolve_item(plan, &item);
    Some(Line {
        info: std::sync::Arc::new(LineInfo {
            product_id: r.product_id,
            sku_id: r.sku_id,
            source_id: None,
            related_object: r.related_object,
            collections: r.collections,
            metadata: Metadata::new(),
            product_metadata: r.metadata,
            product_name: r.name,
        }),
        index,
        // Added lines sort after every requested line.
        rank: usize::MAX,
        price,
        quantity: 0,
        initial_quantity: 0,
        discount_amount: Money::ZERO,
        discount_quantity: 0,
        units_discounted: 0,
        applied_quantity: 0,
        added: true,
        discounted_by: 0,
    })
}
