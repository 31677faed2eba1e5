//! What publishing found and what loading reports.

use serde::{Deserialize, Serialize};

/// A problem found at publish time that disables part of the plan (fail
/// closed) without rejecting the whole of it. The plan carries them, so a
/// client that loads it reports exactly what the publisher saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadWarning {
    /// Stable code, e.g. `RULE_UNKNOWN_NAME`, `DISCOUNT_INVALID`.
    pub code: String,
    /// Where in the source.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// What loading a plan reported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LoadReport {
    /// Plan version.
    pub version: u64,
    /// Campaigns loaded.
    pub campaigns: usize,
    /// Redeemables (codes and tiers) indexed.
    pub redeemables: usize,
    /// Redeemables disabled by a publish-time problem.
    pub disabled: usize,
    /// The problems (at most [`MAX_WARNINGS`]).
    pub warnings: Vec<LoadWarning>,
    /// The key that signed the bundle (absent for a bare plan).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Whether the plan was already past `expires_at` when loaded
    /// (accepted within the grace period).
    pub stale: bool,
}

/// Most warnings kept in a report; the rest are counted in the last one.
pub const MAX_WARNINGS: usize = 200;
