//! A lookup table by string key, stored as one sorted list.
//!
//! The compiler builds it once at publish time; the engine searches it in
//! place (binary search), so loading a plan builds no hash map.

use serde::{Deserialize, Serialize};

/// Entries sorted by key, at most one per key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Index<T> {
    entries: Vec<(String, T)>,
}

impl<T> Default for Index<T> {
    fn default() -> Self {
        Index {
            entries: Vec::new(),
        }
    }
}

impl<T> Index<T> {
    /// An index of `entries`; for a repeated key the first entry wins.
    pub fn new(mut entries: Vec<(String, T)>) -> Index<T> {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|b, a| a.0 == b.0);
        Index { entries }
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&T> {
        self.entries
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .and_then(|i| self.entries.get(i))
            .map(|(_, v)| v)
    }

    /// The position of `key`'s entry in key order (for tables kept
    /// parallel to the index).
    pub fn position(&self, key: &str) -> Option<usize> {
        self.entries
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Every entry, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &T)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether the keys are strictly increasing (a decoded plan's check:
    /// a search on unsorted keys would miss entries silently).
    pub fn is_well_formed(&self) -> bool {
        self.entries.windows(2).all(|w| match w {
            [a, b] => a.0 < b.0,
            _ => true,
        })
    }
}
