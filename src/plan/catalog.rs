//! The catalog as the plan carries it: products, SKUs and the collections
//! each belongs to, indexed by id and by the merchant's id.

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
    /// Product metadata, visible to `product.metadata` rules.
    #[serde(with = "super::wire::metadata")]
    pub metadata: Metadata,
}

/// A catalog SKU (a variant of a product).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sku {
    /// The product this SKU belongs to.
    pub product_id: String,
    /// Catalog unit price; falls back to the product's.
    pub price: Option<Money>,
    /// SKU metadata (over the product's).
    #[serde(with = "super::wire::metadata")]
    pub metadata: Metadata,
}

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
    /// Collection ids by member product or SKU id.
    pub collections_of: Index<Vec<String>>,
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

    /// Whether every index is sorted (see [`Index::is_well_formed`]).
    pub fn is_well_formed(&self) -> bool {
        self.products.is_well_formed()
            && self.skus.is_well_formed()
            && self.product_by_source.is_well_formed()
            && self.sku_by_source.is_well_formed()
            && self.collections_of.is_well_formed()
    }
}
