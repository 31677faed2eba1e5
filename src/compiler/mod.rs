//! The compiler: campaign source → [`Plan`], at publish time.
//!
//! This layer sits on top of the engine and is never shipped in the wasm
//! (feature `compiler`). It reads the source model ([`source`]), checks it,
//! resolves every reference to a position, precomputes the indexes the
//! evaluators search, and reports what it had to disable:
//!
//! * **Structural problems** (unknown schema, duplicate ids or codes, an
//!   unknown category, unordered time-zone periods) refuse the whole source
//!   with an [`Error`].
//! * **A rule, discount or formula the engine cannot read fails closed**:
//!   the redeemables using it are disabled (INAPPLICABLE
//!   `invalid_validation_rules`) and a [`LoadWarning`] with a code is
//!   recorded in the plan, so every client reports what the publisher saw.

mod campaigns;
mod catalog;
mod currency;
pub mod discounts;
mod indexes;
mod keys;
pub mod logic;
pub mod loyalty;
mod pricing;
pub mod rules;
pub mod source;
mod unique;
pub mod validity;

use std::collections::{BTreeSet, HashMap};

use crate::error::Error;
use crate::limits::MAX_SNAPSHOT_BYTES;
use crate::plan::{
    Category, CodeTable, Eligibility, Index, LoadReport, LoadWarning, Plan, ValidationRule,
    MAX_WARNINGS,
};
use crate::time::Instant;
use source::Snapshot;

/// Compiles source JSON (`promo-edge.snapshot/1`).
pub fn compile_json(json: &str) -> Result<(Plan, LoadReport), Error> {
    if json.len() > MAX_SNAPSHOT_BYTES {
        return Err(Error::SnapshotTooLarge {
            bytes: json.len(),
            limit: MAX_SNAPSHOT_BYTES,
        });
    }
    let snap: Snapshot = serde_json::from_str(json)?;
    compile(snap)
}

/// Compiles a parsed source. Structural errors reject it; a rule or
/// discount the engine cannot use disables only the redeemables using it.
pub fn compile(mut snap: Snapshot) -> Result<(Plan, LoadReport), Error> {
    if snap.schema != source::SCHEMA {
        return Err(Error::SnapshotSchemaUnsupported { found: snap.schema });
    }
    let issued_at = Instant::parse(&snap.issued_at)?;
    let expires_at = Instant::parse(&snap.expires_at)?;
    if expires_at <= issued_at {
        return Err(Error::snapshot_invalid(
            "expires_at",
            "must be after issued_at",
        ));
    }
    currency::check(&snap.currency)?;
    unique::seal(&mut snap)?;
    let tz = validity::time_zone(&snap.time_zone)?;
    let mut b = Builder {
        warnings: Warnings::default(),
        categories: categories(&snap.categories)?,
        catalog: catalog::compile(snap.products, snap.skus, &snap.collections)?,
        rules: Vec::new(),
        rule_targets: Vec::new(),
        rule_index: HashMap::new(),
        campaigns: Vec::with_capacity(snap.campaigns.len()),
        redeemables: Vec::new(),
        stacks: HashMap::new(),
        codes: HashMap::new(),
        hashes: Vec::new(),
        tier_ids: HashMap::new(),
        tiers: Vec::new(),
        earning_rules: Vec::new(),
    };
    b.compile_rules(&snap.validation_rules)?;
    let mut campaign_ids = BTreeSet::new();
    let public: Vec<bool> = snap.campaigns.iter().map(|c| c.public).collect();
    for (ci, camp) in snap.campaigns.into_iter().enumerate() {
        let path = format!("campaigns[{ci}]");
        if !campaign_ids.insert(camp.id.clone()) {
            return Err(Error::snapshot_invalid(
                format!("{path}.id"),
                format!("duplicate campaign `{}`", camp.id),
            ));
        }
        b.compile_campaign(ci, camp, &path)?;
    }
    let code_table = CodeTable::new(std::mem::take(&mut b.hashes))
        .ok_or_else(|| Error::snapshot_invalid("campaigns", "duplicate unique code hash"))?;
    let plan = b.finish(
        Header {
            project: snap.project,
            channel: snap.channel,
            version: snap.version,
            issued_at,
            expires_at,
            currency: snap.currency,
            rounding: snap.rounding,
            tz,
            code_salt: snap.code_salt,
            stacking: snap.stacking_rules,
        },
        code_table,
        &public,
    );
    let report = plan.report();
    Ok((plan, report))
}

fn categories(list: &[source::Category]) -> Result<HashMap<String, Category>, Error> {
    let mut out = HashMap::new();
    for (i, c) in list.iter().enumerate() {
        let category = Category {
            name: c.name.clone(),
            hierarchy: c.hierarchy,
        };
        if out.insert(c.id.clone(), category).is_some() {
            return Err(Error::snapshot_invalid(
                format!("categories[{i}].id"),
                format!("duplicate category `{}`", c.id),
            ));
        }
    }
    Ok(out)
}

/// The plan's identity and settings, copied from the source.
struct Header {
    project: String,
    channel: String,
    version: u64,
    issued_at: Instant,
    expires_at: Instant,
    currency: crate::plan::Currency,
    rounding: crate::money::RoundingMode,
    tz: crate::time::TimeZone,
    code_salt: String,
    stacking: crate::plan::StackingRules,
}

/// Publish-time problems, in the order found.
#[derive(Default)]
struct Warnings {
    list: Vec<LoadWarning>,
    dropped: usize,
}

impl Warnings {
    fn push(&mut self, code: &str, path: String, message: String) {
        if self.list.len() < MAX_WARNINGS {
            self.list.push(LoadWarning {
                code: code.to_string(),
                path,
                message,
            });
        } else {
            self.dropped += 1;
        }
    }

    fn finish(mut self) -> Vec<LoadWarning> {
        if self.dropped > 0 {
            self.list.push(LoadWarning {
                code: "WARNINGS_TRUNCATED".into(),
                path: String::new(),
                message: format!("{} more warnings were not listed", self.dropped),
            });
        }
        self.list
    }
}

/// Everything compiled so far; [`Builder::finish`] turns it into a plan.
struct Builder {
    warnings: Warnings,
    categories: HashMap<String, Category>,
    catalog: crate::plan::Catalog,
    rules: Vec<Result<ValidationRule, String>>,
    /// Each rule's `applicable_to` as targets (`None` for a disabled rule).
    rule_targets: Vec<Option<Eligibility>>,
    rule_index: HashMap<String, usize>,
    campaigns: Vec<crate::plan::Campaign>,
    redeemables: Vec<crate::plan::Redeemable>,
    stacks: HashMap<String, crate::plan::PromotionStack>,
    codes: HashMap<String, usize>,
    hashes: Vec<([u8; 32], u32)>,
    tier_ids: HashMap<String, usize>,
    tiers: Vec<usize>,
    earning_rules: Vec<crate::plan::EarningRule>,
}

fn warning_code(message: &str) -> &'static str {
    if message.contains("FORMULA_INVALID") {
        "FORMULA_INVALID"
    } else if message.contains("RULE_DEPTH_EXCEEDED") {
        "RULE_DEPTH_EXCEEDED"
    } else if message.contains("unknown rule name") {
        "RULE_UNKNOWN_NAME"
    } else if message.contains("unknown operator") {
        "RULE_UNKNOWN_OPERATOR"
    } else if message.contains("longer than the limit") {
        "RULE_TOO_LONG"
    } else {
        "RULE_INVALID"
    }
}

impl Builder {
    fn compile_rules(&mut self, list: &[source::ValidationRule]) -> Result<(), Error> {
        for (i, r) in list.iter().enumerate() {
            if self.rule_index.insert(r.id.clone(), i).is_some() {
                return Err(Error::snapshot_invalid(
                    format!("validation_rules[{i}].id"),
                    format!("duplicate validation rule `{}`", r.id),
                ));
            }
            let targets = r.applicable_to.as_ref().map(discounts::targets).transpose();
            let compiled = targets.and_then(|t| {
                let rules = rules::compile_rule_set(&r.rules)?;
                let bundle = r
                    .bundle_rules
                    .as_ref()
                    .map(discounts::bundle_rule)
                    .transpose()?;
                let rule = ValidationRule {
                    id: r.id.clone(),
                    rules,
                    message: r.error.as_ref().map(|e| e.message.clone()),
                    bundle,
                };
                Ok((rule, t))
            });
            match compiled {
                Ok((rule, t)) => {
                    self.rules.push(Ok(rule));
                    self.rule_targets
                        .push(Some(t.unwrap_or_else(Eligibility::default)));
                }
                Err(e) => {
                    self.warnings.push(
                        warning_code(&e),
                        format!("validation_rules[{i}]"),
                        e.clone(),
                    );
                    self.rules.push(Err(e));
                    self.rule_targets.push(None);
                }
            }
        }
        Ok(())
    }

    fn finish(self, h: Header, code_table: CodeTable, public: &[bool]) -> Plan {
        let mut plan = Plan {
            project: h.project,
            channel: h.channel,
            version: h.version,
            issued_at: h.issued_at,
            expires_at: h.expires_at,
            currency: h.currency,
            rounding: h.rounding,
            tz: h.tz,
            code_salt: h.code_salt,
            stacking: h.stacking,
            categories: Index::new(self.categories.into_iter().collect()),
            campaigns: self.campaigns,
            rules: self.rules,
            redeemables: self.redeemables,
            stacks: Index::new(self.stacks.into_iter().collect()),
            codes: Index::new(self.codes.into_iter().collect()),
            code_table,
            tier_ids: Index::new(self.tier_ids.into_iter().collect()),
            catalog: self.catalog,
            target_ids: Index::default(),
            tiers: self.tiers,
            public: Vec::new(),
            by_holder: Index::default(),
            price_index: Index::default(),
            price_global: Vec::new(),
            pricing: crate::plan::Pricing::default(),
            earning_rules: self.earning_rules,
            rank: Vec::new(),
            warnings: self.warnings.finish(),
        };
        keys::assign(&mut plan);
        indexes::build(&mut plan, public);
        pricing::build(&mut plan);
        plan
    }
}
