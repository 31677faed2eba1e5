//! The catalog from its source form: products, SKUs, collections.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::source;
use crate::error::Error;
use crate::plan::{Catalog, Index, Metadata, Product, SharedMetadata, Sku};

/// Distinct values by position, in the order first seen, found by a key
/// (their JSON text: equal values, equal keys).
struct Table<T> {
    items: Vec<T>,
    positions: HashMap<String, usize>,
}

impl<T: serde::Serialize> Table<T> {
    fn new(first: Vec<T>) -> Table<T> {
        let mut t = Table {
            items: Vec::new(),
            positions: HashMap::new(),
        };
        for item in first {
            t.position(item);
        }
        t
    }

    fn position(&mut self, item: T) -> usize {
        let key = serde_json::to_string(&item).unwrap_or_default();
        if let Some(i) = self.positions.get(&key) {
            return *i;
        }
        self.items.push(item);
        self.positions.insert(key, self.items.len() - 1);
        self.items.len() - 1
    }
}

/// Indexes the catalog; a repeated product, SKU or collection id refuses
/// the source. A repeated merchant id resolves to the last entry with it.
pub fn compile(
    products: Vec<source::Product>,
    skus: Vec<source::Sku>,
    collections: &[source::Collection],
) -> Result<Catalog, Error> {
    let mut metadata = Table::new(vec![Metadata::new()]);
    let mut by_id = HashMap::new();
    let mut product_by_source = HashMap::new();
    for (i, p) in products.into_iter().enumerate() {
        if let Some(s) = &p.source_id {
            product_by_source.insert(s.clone(), p.id.clone());
        }
        let product = Product {
            name: p.name,
            price: p.price,
            metadata: metadata.position(p.metadata),
            collections: None,
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
            metadata: metadata.position(s.metadata),
            collections: None,
        };
        if sku_by_id.insert(s.id.clone(), sku).is_some() {
            return Err(Error::snapshot_invalid(
                format!("skus[{i}].id"),
                format!("duplicate SKU `{}`", s.id),
            ));
        }
    }
    let (mut collections_of, collection_sets) = collections_of(collections)?;
    // Catalog entries carry their set: one lookup per order line, not two.
    collections_of.retain(|id, set| {
        if let Some(p) = by_id.get_mut(id) {
            p.collections = Some(*set);
            false
        } else if let Some(s) = sku_by_id.get_mut(id) {
            s.collections = Some(*set);
            false
        } else {
            true
        }
    });
    Ok(Catalog {
        products: Index::new(by_id.into_iter().collect()),
        skus: Index::new(sku_by_id.into_iter().collect()),
        product_by_source: Index::new(product_by_source.into_iter().collect()),
        sku_by_source: Index::new(sku_by_source.into_iter().collect()),
        collections_of: Index::new(collections_of.into_iter().collect()),
        metadata: metadata
            .items
            .into_iter()
            .map(|m| SharedMetadata(Arc::new(m)))
            .collect(),
        collection_sets,
        // Numbered once every target is known (super::keys).
        collection_keys: Vec::new(),
    })
}

type Membership = (HashMap<String, usize>, Vec<Arc<[String]>>);

/// Member id → its set of collections (sorted, as a position in the
/// distinct sets).
fn collections_of(collections: &[source::Collection]) -> Result<Membership, Error> {
    let mut member: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut seen = BTreeSet::new();
    for (i, c) in collections.iter().enumerate() {
        if !seen.insert(c.id.clone()) {
            return Err(Error::snapshot_invalid(
                format!("collections[{i}].id"),
                format!("duplicate collection `{}`", c.id),
            ));
        }
        for m in &c.products {
            member.entry(m.clone()).or_default().insert(c.id.clone());
        }
    }
    let mut sets = Table::new(Vec::new());
    let entries = member
        .into_iter()
        .map(|(id, set)| (id, sets.position(set.into_iter().collect::<Vec<_>>())))
        .collect();
    let sets = sets.items.into_iter().map(Arc::from).collect();
    Ok((entries, sets))
}
