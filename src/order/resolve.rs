//! Order lines resolved against the plan's catalog: ids, collections,
//! metadata and catalog prices.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::line::{Line, LineInfo, LineKeys, NO_KEY};
use crate::money::Money;
use crate::plan::{Catalog, Metadata, Plan, Product, Sku};
use crate::request::OrderItemInput;

/// Everything resolved about an order line from the catalog.
#[derive(Debug, Clone, Default)]
pub struct ResolvedItem {
    /// Catalog product id (or the id as sent).
    pub product_id: Option<String>,
    /// Catalog SKU id (or the id as sent).
    pub sku_id: Option<String>,
    /// `product` or `sku`.
    pub related_object: Option<&'static str>,
    /// Collections containing it, sorted (shared with the plan).
    pub collections: Arc<[String]>,
    /// The target numbers of its ids.
    pub keys: LineKeys,
    /// Product metadata (SKU's and inline over it; shared with the plan
    /// when nothing is merged over it).
    pub metadata: Arc<Metadata>,
    /// Product name.
    pub name: Option<String>,
    /// Catalog price.
    pub catalog_price: Option<Money>,
}

/// The SKU id a line names: its own, by inline SKU, or by merchant id.
fn sku_id_of(catalog: &Catalog, item: &OrderItemInput) -> Option<String> {
    let related = item.related_object.as_deref();
    item.sku_id
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
        })
}

/// The product id a line names: its own, by inline product, its SKU's, or
/// by merchant id.
fn product_id_of(catalog: &Catalog, item: &OrderItemInput, sku: Option<&Sku>) -> Option<String> {
    let related = item.related_object.as_deref();
    item.product_id
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
        })
}

/// Product metadata with the SKU's and the line's inline objects over it;
/// the plan's own object when nothing is laid over it.
fn merged_metadata(
    catalog: &Catalog,
    item: &OrderItemInput,
    product: Option<&Product>,
    sku: Option<&Sku>,
) -> Arc<Metadata> {
    let base = catalog.metadata_at(product.map_or(0, |p| p.metadata));
    let sku_meta = sku.map(|s| catalog.metadata_at(s.metadata));
    let inline: Vec<&Metadata> = [&item.product, &item.sku]
        .into_iter()
        .flatten()
        .map(|i| &i.metadata)
        .filter(|m| !m.is_empty())
        .collect();
    if sku_meta.as_ref().is_none_or(|m| m.is_empty()) && inline.is_empty() {
        return base;
    }
    let mut merged = (*base).clone();
    if let Some(s) = sku_meta {
        merged.extend(s.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    for m in inline {
        merged.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    Arc::new(merged)
}

/// The union of two sorted sets; one of them shared when the other is empty.
fn union<T: Ord + Clone>(a: Option<&Arc<[T]>>, b: Option<&Arc<[T]>>) -> Arc<[T]> {
    match (a, b) {
        (Some(a), None) => a.clone(),
        (None, Some(b)) => b.clone(),
        (None, None) => Arc::from(Vec::new()),
        (Some(a), Some(b)) => {
            let set: BTreeSet<&T> = a.iter().chain(b.iter()).collect();
            set.into_iter().cloned().collect()
        }
    }
}

/// The collections of the product and the SKU, together: as ids and as
/// target numbers.
fn collections(
    catalog: &Catalog,
    (product_id, product): (&Option<String>, Option<&Product>),
    (sku_id, sku): (&Option<String>, Option<&Sku>),
) -> (Arc<[String]>, Arc<[u32]>) {
    let p = product_id
        .as_deref()
        .and_then(|i| catalog.collection_set(i, product.map(|p| p.collections)));
    let s = sku_id
        .as_deref()
        .and_then(|i| catalog.collection_set(i, sku.map(|s| s.collections)));
    let ids = |set: Option<usize>| set.and_then(|i| catalog.collection_sets.get(i));
    let keys = |set: Option<usize>| set.and_then(|i| catalog.collection_keys.get(i));
    (union(ids(p), ids(s)), union(keys(p), keys(s)))
}

/// Resolves an order line against the catalog.
pub fn resolve_item(plan: &Plan, item: &OrderItemInput) -> ResolvedItem {
    let catalog = &plan.catalog;
    let sku_id = sku_id_of(catalog, item);
    let sku = sku_id.as_ref().and_then(|s| catalog.skus.get(s));
    let product_id = product_id_of(catalog, item, sku);
    let product = product_id.as_ref().and_then(|p| catalog.products.get(p));
    let (collections, collection_keys) =
        collections(catalog, (&product_id, product), (&sku_id, sku));
    let key = |id: Option<&String>| id.and_then(|i| plan.target_key(i)).unwrap_or(NO_KEY);
    ResolvedItem {
        keys: LineKeys {
            product: key(product_id.as_ref()),
            sku: key(sku_id.as_ref()),
            source: key(item.source_id.as_ref()),
            collections: collection_keys,
        },
        collections,
        related_object: (sku_id.is_some() || product_id.is_some()).then_some(if sku_id.is_some() {
            "sku"
        } else {
            "product"
        }),
        catalog_price: sku
            .and_then(|s| s.price)
            .or_else(|| product.and_then(|p| p.price)),
        name: product
            .map(|p| p.name.clone())
            .or_else(|| item.product.as_ref().and_then(|p| p.name.clone())),
        metadata: merged_metadata(catalog, item, product, sku),
        product_id,
        sku_id,
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
            keys: r.keys,
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
