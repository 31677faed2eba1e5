//! The campaign source format: what a promotion manager writes and
//! `promo-origin publish` compiles into a plan.
//!
//! ```text
//! SOURCE/
//!   project.json        project, channel, currency, rounding, IANA time zone,
//!                       stacking rules, catalog, validation rules
//!   campaigns/*.json    {"campaigns": [...]}, files read in name order
//! ```
//!
//! The campaigns, catalog, rules and settings are the core's source model
//! ([`promo_edge::compiler::source`]); only the split into files is the
//! publisher's. `project.json` differs from the core's snapshot in what the
//! publisher adds at each publication: the version and dates, the code
//! salt, and the time zone's offsets (the file names an IANA zone).

use promo_edge::compiler::source::{Campaign, Category, Collection, Product, Sku, ValidationRule};
use promo_edge::money::RoundingMode;
use promo_edge::plan::{Currency, StackingRules};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Any file of a campaign source: `project.json` or a `campaigns/*.json`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
#[schemars(title = "Promo Edge campaign source")]
pub enum SourceFile {
    /// `project.json`.
    Project(Box<ProjectFile>),
    /// `campaigns/*.json`.
    Campaigns(CampaignsFile),
}

/// `project.json`: everything but the campaigns.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectFile {
    /// A JSON Schema reference for editors (ignored).
    #[serde(default, rename = "$schema", skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The project the campaigns belong to.
    pub project: String,
    /// The sales channel the bundle is published for (`GET /v1/bundles/{channel}`).
    pub channel: String,
    /// The project currency and its minor-unit exponent.
    pub currency: Currency,
    /// How computed discounts are rounded to minor units.
    #[serde(default)]
    pub rounding: RoundingMode,
    /// The project's IANA time zone, e.g. `Europe/Warsaw`; windows,
    /// weekdays and daily counters use it.
    pub time_zone: String,
    /// How redeemables combine in one request (Voucherify's object; every
    /// field has its default).
    #[serde(default)]
    pub stacking_rules: StackingRules,
    /// Stacking categories.
    #[serde(default)]
    pub categories: Vec<Category>,
    /// The catalog: products.
    #[serde(default)]
    pub products: Vec<Product>,
    /// The catalog: SKUs.
    #[serde(default)]
    pub skus: Vec<Sku>,
    /// The catalog: static product collections.
    #[serde(default)]
    pub collections: Vec<Collection>,
    /// Validation rules, referenced by id from campaigns, vouchers and tiers.
    #[serde(default)]
    pub validation_rules: Vec<ValidationRule>,
}

/// `campaigns/*.json`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignsFile {
    /// A JSON Schema reference for editors (ignored).
    #[serde(default, rename = "$schema", skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The campaigns of this file.
    pub campaigns: Vec<Campaign>,
}

/// The JSON Schema of every source file, pretty-printed with a final newline.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(SourceFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
