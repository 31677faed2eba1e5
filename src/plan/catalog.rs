//! The catalog as the plan carries it: products, SKUs and the collections
//! each belongs to, indexed by id and by the merchant's id.
//!
//! Metadata objects and collection sets are stored once each and referred
//! to by position: a catalog of 5,000 products usually has a few dozen
//! distinct ones, so loading decodes a few dozen, and every order line
//! shares them instead of copying.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::index::Index;
use super::Metadata;
use crate::money::Money;

/// A catalog product.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Product {
    /// Display name.
    pub name: String,
    /// Catalog unit price, used when an order line has none.
    pub price: Option<Money>,
    /// Its metadata (position in [`Catalog::metadata`]), visible to
    /// `product.metadata` rules.
    pub metadata: usize,
    /// The collections it belongs to (position in [`Catalog::collection_sets`]).
    pub collections: Option<usize>,
}

/// A catalog SKU (a variant of a product).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sku {
    /// The product this SKU belongs to.
    pub product_id: String,
    /// Catalog unit price; falls back to the product's.
    pub price: Option<Money>,
    /// Its metadata (position in [`Catalog::metadata`]), over the product's.
    pub metadata: usize,
    /// The collections it belongs to (position in [`Catalog::collection_sets`]).
    pub collections: Option<usize>,
}

/// A metadata object of the catalog.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SharedMetadata(#[serde(with = "super::wire::shared_metadata")] pub Arc<Metadata>);

/// Products, SKUs and collection membership.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Catalog {
    /// Products by id.
    pub products: Index<Product>,
    /// SKUs by id.
    pub skus: Index<Sku>,
    /// Product ids by the merchant's id.
    pub product_by_source: Index<String>,
    /// SKU ids by the merchant's id.
    pub sku_by_source: Index<String>,
    /// The collection set (position in [`Catalog::collection_sets`]) of
    /// each member id that is not a catalog product or SKU (those carry
    /// their own).
    pub collections_of: Index<usize>,
    /// Distinct metadata objects; the first is the empty one.
    pub metadata: Vec<SharedMetadata>,
    /// Distinct collection sets, each sorted and without repeats.
    pub collection_sets: Vec<Arc<[String]>>,
    /// The same sets as target numbers ([`super::Plan::target_ids`]) of the
    /// collections some target names, sorted (parallel to `collection_sets`).
    pub collection_keys: Vec<Arc<[u32]>>,
}

impl Catalog {
    /// The catalog price of a product or SKU id (a SKU without one has its
    /// product's).
    pub fn unit_price(&self, id: &str) -> Option<Money> {
        if let Some(s) = self.skus.get(id) {
            return s
                .price
                .or_else(|| self.products.get(&s.product_id).and_then(|p| p.price));
        }
        self.products.get(id).and_then(|p| p.price)
    }

    /// A metadata object by position (the empty one when out of range).
    pub fn metadata_at(&self, pos: usize) -> Arc<Metadata> {
        self.metadata
            .get(pos)
            .map(|m| m.0.clone())
            .unwrap_or_default()
    }

    /// The collection set (position) of a product or SKU id, given its
    /// catalog entry's set when it has one.
    pub fn collection_set(&self, id: &str, own: Option<Option<usize>>) -> Option<usize> {
        match own {
            Some(set) => set,
            None => self.collections_of.get(id).copied(),
        }
    }

    /// Whether every index is sorted and every position points at
    /// something (see [`Index::is_well_formed`]).
    pub fn is_well_formed(&self) -> bool {
        let metas = self.metadata.len();
        self.products.is_well_formed()
            && self.skus.is_well_formed()
            && self.product_by_source.is_well_formed()
            && self.sku_by_source.is_well_formed()
            && self.collections_of.is_well_formed()
            && self.products.iter().all(|(_, p)| {
                p.metadata < metas && p.collections.is_none_or(|c| c < self.collection_sets.len())
            })
            && self.skus.iter().all(|(_, s)| {
                s.metadata < metas && s.collections.is_none_or(|c| c < self.collection_sets.len())
            })
            && self
                .collections_of
                .iter()
                .all(|(_, c)| *c < self.collection_sets.len())
            && self.collection_keys.len() == self.collection_sets.len()
    }
}
