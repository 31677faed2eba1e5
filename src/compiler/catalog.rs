//! The catalog from its source form: products, SKUs, collections.

use std::collections::{BTreeSet, HashMap};

use super::source;
use crate::error::Error;
use crate::plan::{Catalog, Index, Product, Sku};

/// Indexes the catalog; a repeated product, SKU or collection id refuses
/// the source. A repeated merchant id resolves to the last entry with it.
pub fn compile(
    products: Vec<source::Product>,
    skus: Vec<source::Sku>,
    collections: &[source::Collection],
) -> Result<Catalog, Error> {
    let mut by_id = HashMap::new();
    let mut product_by_source = HashMap::new();
    for (i, p) in products.into_iter().enumerate() {
        if let Some(s) = &p.source_id {
            product_by_source.insert(s.clone(), p.id.clone());
        }
        let product = Product {
            name: p.name,
            price: p.price,
            metadata: p.metadata,
        };
        if by_id.insert(p.id.clone(), product).is_some() {
            return Err(Error::snapshot_invalid(
                format!("products[{i}].id"),
                format!("duplicate product `{}`", p.id),
            ));
        }
    }
    let mut sku_by_id = HashMap::new();
    let mut sku_by_source = HashMap::new();
    for (i, s) in skus.into_iter().enumerate() {
        if let Some(src) = &s.source_id {
            sku_by_source.insert(src.clone(), s.id.clone());
        }
        let sku = Sku {
            product_id: s.product_id,
            price: s.price,
            metadata: s.metadata,
        };
        if sku_by_id.insert(s.id.clone(), sku).is_some() {
            return Err(Error::snapshot_invalid(
                format!("skus[{i}].id"),
                format!("duplicate SKU `{}`", s.id),
            ));
        }
    }
    Ok(Catalog {
        products: Index::new(by_id.into_iter().collect()),
        skus: Index::new(sku_by_id.into_iter().collect()),
        product_by_source: Index::new(product_by_source.into_iter().collect()),
        sku_by_source: Index::new(sku_by_source.into_iter().collect()),
        collections_of: collections_of(collections)?,
    })
}

/// Member id → the collections holding it, in source order.
fn collections_of(collections: &[source::Collection]) -> Result<Index<Vec<String>>, Error> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    let mut seen = BTreeSet::new();
    for (i, c) in collections.iter().enumerate() {
        if !seen.insert(c.id.clone()) {
            return Err(Error::snapshot_invalid(
                format!("collections[{i}].id"),
                format!("duplicate collection `{}`", c.id),
            ));
        }
        for member in &c.products {
            out.entry(member.clone()).or_default().push(c.id.clone());
        }
    }
    Ok(Index::new(out.into_iter().collect()))
}
