//! Compiling a snapshot into indexed, evaluation-ready structures.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;

use super::source::*;
use crate::discounts::{compile_discount, CompiledBundle, CompiledDiscount, Eligibility};
use crate::error::Error;
use crate::money::Money;
use crate::order::Line;
use crate::request::{OrderItemInput, RedeemableObject, RedeemableRef};
use crate::rules::{compile_rule_set, CompiledRuleSet};
use crate::stacking::StackingRules;
use crate::time::{CompiledValidity, Instant, TimeZone};

/// A problem found at load that disables part of the snapshot (fail closed)
/// without rejecting the whole of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadWarning {
    /// Stable code, e.g. `RULE_UNKNOWN`, `DISCOUNT_INVALID`.
    pub code: &'static str,
    /// Where in the snapshot.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// What loading a snapshot reported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LoadReport {
    /// Snapshot version.
    pub version: u64,
    /// Campaigns loaded.
    pub campaigns: usize,
    /// Redeemables (codes and tiers) indexed.
    pub redeemables: usize,
    /// Redeemables disabled by a load problem.
    pub disabled: usize,
    /// The problems (at most [`MAX_WARNINGS`]).
    pub warnings: Vec<LoadWarning>,
    /// The key that signed the bundle (absent for a bare snapshot).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Whether the snapshot was already past `expires_at` when loaded
    /// (accepted within the grace period).
    pub stale: bool,
}

/// Most warnings kept in a report; the rest are counted in the last one.
pub const MAX_WARNINGS: usize = 200;

/// What a redeemable is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedeemableKind {
    /// A discount code (coupon or referral code).
    DiscountVoucher,
    /// A gift card.
    GiftCard,
    /// A loyalty card.
    LoyaltyCard,
    /// A promotion tier.
    PromotionTier,
}

/// A validation rule ready to evaluate.
#[derive(Debug, Clone)]
pub struct CompiledValidationRule {
    /// Rule id.
    pub id: String,
    /// The conditions.
    pub rules: CompiledRuleSet,
    /// Fallback message of the rule set.
    pub message: Option<String>,
    /// Product targets.
    pub applicable_to: Option<ApplicableTo>,
    /// Bundle rules.
    pub bundle: Option<CompiledBundle>,
}

/// A code or tier, ready to evaluate.
#[derive(Debug, Clone)]
pub struct CompiledRedeemable {
    /// What it is.
    pub kind: RedeemableKind,
    /// The voucher id, tier id, or (generic codes) the code.
    pub id: String,
    /// The code in clear, for generic codes (unique codes only have a hash).
    pub code: Option<String>,
    /// One redeemable standing for all bulk `code_hashes` of its campaign
    /// (each requested code is still a redeemable of its own in a request).
    pub shared: bool,
    /// Position of its campaign in [`CompiledSnapshot::campaigns`].
    pub campaign: usize,
    /// Display name (tiers).
    pub name: Option<String>,
    /// Banner (tiers).
    pub banner: Option<String>,
    /// Its own on/off switch.
    pub active: bool,
    /// Dates and windows, or why they could not be read.
    pub validity: Arc<Result<CompiledValidity, String>>,
    /// The discount.
    pub discount: Option<Arc<CompiledDiscount>>,
    /// The discount as echoed in responses, built once.
    pub discount_json: Option<Arc<serde_json::Value>>,
    /// Gift balance at publication and whether it applies to items.
    pub gift: Option<(Option<Money>, bool)>,
    /// Loyalty points balance at publication.
    pub loyalty_balance: Option<i64>,
    /// Redemption limit.
    pub quantity: Option<i64>,
    /// Redemptions at publication.
    pub redeemed_quantity: i64,
    /// The customer the code is published to.
    pub holder: Option<String>,
    /// Only the holder may redeem.
    pub holder_only: bool,
    /// A referral code (the holder is the referrer).
    pub is_referral: bool,
    /// Validation rules (positions in [`CompiledSnapshot::rules`]).
    pub rules: Arc<[usize]>,
    /// Product targets merged from its rules.
    pub eligibility: Arc<Eligibility>,
    /// Stacking categories.
    pub categories: Arc<[String]>,
    /// Metadata.
    pub metadata: Arc<Metadata>,
    /// Why it is disabled, when a load problem disabled it.
    pub disabled: Option<Arc<String>>,
}

impl CompiledRedeemable {
    /// The id a request names it by: a generic code's code, else the
    /// voucher or tier id.
    pub fn request_id(&self) -> String {
        self.code.clone().unwrap_or_else(|| self.id.clone())
    }

    /// A request entry naming it by `id` (pricing and qualification build
    /// one-candidate requests from the snapshot itself).
    pub fn request_ref(&self, id: String) -> RedeemableRef {
        RedeemableRef {
            object: if self.kind == RedeemableKind::PromotionTier {
                RedeemableObject::PromotionTier
            } else {
                RedeemableObject::Voucher
            },
            id,
            gift: None,
            reward: None,
        }
    }
}

/// A campaign's shared facts.
#[derive(Debug, Clone)]
pub struct CompiledCampaign {
    /// Campaign id.
    pub id: String,
    /// Campaign name.
    pub name: String,
    /// Campaign type.
    pub campaign_type: CampaignType,
    /// The on/off switch.
    pub active: bool,
    /// Pay-with-points rewards by id: `(exchange_ratio, points_ratio)`.
    pub coin_rewards: Vec<(String, rust_decimal::Decimal, rust_decimal::Decimal)>,
}

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

/// A compiled snapshot.
#[derive(Debug, Clone)]
pub struct CompiledSnapshot {
    /// Project.
    pub project: String,
    /// Channel.
    pub channel: String,
    /// Version.
    pub version: u64,
    /// Issued at.
    pub issued_at: Instant,
    /// Expires at.
    pub expires_at: Instant,
    /// Currency.
    pub currency: Currency,
    /// Rounding.
    pub rounding: crate::money::RoundingMode,
    /// Time zone.
    pub tz: TimeZone,
    /// Salt of code hashes.
    pub code_salt: String,
    /// Stacking rules.
    pub stacking: StackingRules,
    /// Category hierarchy by id.
    pub categories: HashMap<String, i64>,
    /// Campaigns.
    pub campaigns: Vec<CompiledCampaign>,
    /// Validation rules (`Err` = disabled, with the reason).
    pub rules: Vec<Result<CompiledValidationRule, String>>,
    /// Codes and tiers.
    pub redeemables: Vec<CompiledRedeemable>,
    /// Promotion stacks: id → (name, tier positions, category).
    pub stacks: HashMap<String, (String, Vec<usize>)>,
    by_code: HashMap<String, usize>,
    /// Unique-code digests → redeemable, sorted for binary search.
    hashes: Vec<(crate::codes::CodeHash, usize)>,
    by_tier: HashMap<String, usize>,
    products: HashMap<String, Product>,
    product_by_source: HashMap<String, String>,
    skus: HashMap<String, Sku>,
    sku_by_source: HashMap<String, String>,
    collections_of: HashMap<String, Vec<String>>,
    /// Tier positions of every PROMOTION campaign, in campaign then hierarchy order.
    pub tiers: Vec<usize>,
    /// Redeemables anyone may use without holding them: tiers and generic
    /// codes without a holder, in snapshot order.
    pub public: Vec<usize>,
    /// Codes by the customer they are published to.
    pub by_holder: HashMap<String, Vec<usize>>,
    /// Strikethrough candidates (tiers and codes of `public` campaigns with
    /// an item-level discount) by the product, SKU or collection they target.
    pub price_index: HashMap<String, Vec<usize>>,
    /// Strikethrough candidates that target every product.
    pub price_global: Vec<usize>,
    /// `order.paid` earning rules of loyalty campaigns.
    pub earning_rules: Vec<crate::loyalty::CompiledEarningRule>,
    /// Default listing rank of each redeemable: campaigns as published,
    /// codes before tiers, tiers by hierarchy.
    pub rank: Vec<usize>,
}

struct Warnings {
    list: Vec<LoadWarning>,
    dropped: usize,
}

impl Warnings {
    fn push(&mut self, code: &'static str, path: String, message: String) {
        if self.list.len() < MAX_WARNINGS {
            self.list.push(LoadWarning {
                code,
                path,
                message,
            });
        } else {
            self.dropped += 1;
        }
    }
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

fn categories_of(single: &Option<String>, many: &[String]) -> Vec<String> {
    let mut out: Vec<String> = single.iter().cloned().collect();
    for c in many {
        if !out.contains(c) {
            out.push(c.clone());
        }
    }
    out
}

fn has_validity(v: &Validity) -> bool {
    v.start_date.is_some()
        || v.expiration_date.is_some()
        || v.validity_timeframe.is_some()
        || v.validity_day_of_week.is_some()
        || v.validity_hours.is_some()
}

/// Compiles a parsed snapshot. Structural errors (duplicate ids or codes,
/// a bad time zone, unknown schema) reject it; a rule or discount the
/// engine cannot use disables only the redeemables using it.
pub fn compile(snap: Snapshot) -> Result<(CompiledSnapshot, LoadReport), Error> {
    if snap.schema != super::SCHEMA {
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
    if snap.currency.exponent > 4 {
        return Err(Error::snapshot_invalid(
            "currency.exponent",
            "at most 4 decimals are supported",
        ));
    }
    let tz = TimeZone::compile(&snap.time_zone)?;
    let mut warnings = Warnings {
        list: Vec::new(),
        dropped: 0,
    };

    let mut categories = HashMap::new();
    for (i, c) in snap.categories.iter().enumerate() {
        if categories.insert(c.id.clone(), c.hierarchy).is_some() {
            return Err(Error::snapshot_invalid(
                format!("categories[{i}].id"),
                format!("duplicate category `{}`", c.id),
            ));
        }
    }

    // Catalog.
    let mut products = HashMap::new();
    let mut product_by_source = HashMap::new();
    for (i, p) in snap.products.into_iter().enumerate() {
        if let Some(s) = &p.source_id {
            product_by_source.insert(s.clone(), p.id.clone());
        }
        let id = p.id.clone();
        if products.insert(id.clone(), p).is_some() {
            return Err(Error::snapshot_invalid(
                format!("products[{i}].id"),
                format!("duplicate product `{id}`"),
            ));
        }
    }
    let mut skus = HashMap::new();
    let mut sku_by_source = HashMap::new();
    for (i, s) in snap.skus.into_iter().enumerate() {
        if let Some(src) = &s.source_id {
            sku_by_source.insert(src.clone(), s.id.clone());
        }
        let id = s.id.clone();
        if skus.insert(id.clone(), s).is_some() {
            return Err(Error::snapshot_invalid(
                format!("skus[{i}].id"),
                format!("duplicate SKU `{id}`"),
            ));
        }
    }
    let mut collections_of: HashMap<String, Vec<String>> = HashMap::new();
    let mut seen_collections = BTreeSet::new();
    for (i, c) in snap.collections.iter().enumerate() {
        if !seen_collections.insert(c.id.clone()) {
            return Err(Error::snapshot_invalid(
                format!("collections[{i}].id"),
                format!("duplicate collection `{}`", c.id),
            ));
        }
        for member in &c.products {
            collections_of
                .entry(member.clone())
                .or_default()
                .push(c.id.clone());
        }
    }

    // Validation rules.
    let mut rule_index = HashMap::new();
    let mut rules = Vec::with_capacity(snap.validation_rules.len());
    for (i, r) in snap.validation_rules.iter().enumerate() {
        if rule_index.insert(r.id.clone(), i).is_some() {
            return Err(Error::snapshot_invalid(
                format!("validation_rules[{i}].id"),
                format!("duplicate validation rule `{}`", r.id),
            ));
        }
        let price_formulas_ok = r
            .applicable_to
            .iter()
            .flat_map(|a| &a.included)
            .filter_map(|t| t.price_formula.as_deref().map(|f| (t, f)))
            .try_for_each(|(t, f)| {
                crate::formula::Formula::parse(f)
                    .map(|_| ())
                    .map_err(|e| format!("FORMULA_INVALID: price_formula of {}: {e}", t.id))
            });
        let compiled = price_formulas_ok
            .and_then(|()| compile_rule_set(&r.rules))
            .and_then(|set| {
                let bundle = r
                    .bundle_rules
                    .as_ref()
                    .map(CompiledBundle::compile)
                    .transpose()?;
                Ok(CompiledValidationRule {
                    id: r.id.clone(),
                    rules: set,
                    message: r.error.as_ref().map(|e| e.message.clone()),
                    applicable_to: r.applicable_to.clone(),
                    bundle,
                })
            });
        if let Err(e) = &compiled {
            warnings.push(warning_code(e), format!("validation_rules[{i}]"), e.clone());
        }
        rules.push(compiled);
    }

    let mut out = CompiledSnapshot {
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
        categories,
        campaigns: Vec::with_capacity(snap.campaigns.len()),
        rules,
        redeemables: Vec::new(),
        stacks: HashMap::new(),
        by_code: HashMap::new(),
        hashes: Vec::new(),
        by_tier: HashMap::new(),
        products,
        product_by_source,
        skus,
        sku_by_source,
        collections_of,
        tiers: Vec::new(),
        public: Vec::new(),
        by_holder: HashMap::new(),
        price_index: HashMap::new(),
        price_global: Vec::new(),
        earning_rules: Vec::new(),
        rank: Vec::new(),
    };

    let mut campaign_ids = BTreeSet::new();
    let public_campaigns: Vec<bool> = snap.campaigns.iter().map(|c| c.public).collect();
    for (ci, camp) in snap.campaigns.into_iter().enumerate() {
        let path = format!("campaigns[{ci}]");
        if !campaign_ids.insert(camp.id.clone()) {
            return Err(Error::snapshot_invalid(
                format!("{path}.id"),
                format!("duplicate campaign `{}`", camp.id),
            ));
        }
        out.compile_campaign(ci, camp, &path, &rule_index, &mut warnings)?;
    }

    // Publishers send each campaign's bulk hashes sorted: a stable sort
    // finds those runs and merges them (one pass when there is one run).
    out.hashes.sort_by_key(|(h, _)| *h);
    if out
        .hashes
        .windows(2)
        .any(|w| matches!(w, [a, b] if a.0 == b.0))
    {
        return Err(Error::snapshot_invalid(
            "campaigns",
            "duplicate unique code hash",
        ));
    }
    out.build_indexes(&public_campaigns);

    if warnings.dropped > 0 {
        warnings.list.push(LoadWarning {
            code: "WARNINGS_TRUNCATED",
            path: String::new(),
            message: format!("{} more warnings were not listed", warnings.dropped),
        });
    }
    let report = LoadReport {
        version: out.version,
        campaigns: out.campaigns.len(),
        redeemables: out.redeemables.len(),
        disabled: out
            .redeemables
            .iter()
            .filter(|r| r.disabled.is_some())
            .count(),
        warnings: warnings.list,
        kid: None,
        stale: false,
    };
    Ok((out, report))
}

/// What a campaign's redeemables share.
struct Shared {
    campaign: usize,
    rules: Arc<[usize]>,
    eligibility: Arc<Eligibility>,
    validity: Arc<Result<CompiledValidity, String>>,
    categories: Arc<[String]>,
    disabled: Option<Arc<String>>,
}

impl CompiledSnapshot {
    fn resolve_rules(
        &self,
        ids: &[String],
        path: &str,
        index: &HashMap<String, usize>,
        warnings: &mut Warnings,
    ) -> (Vec<usize>, Option<String>) {
        let mut out = Vec::new();
        let mut problem = None;
        for id in ids {
            match index.get(id) {
                Some(i) => {
                    if let Some(Err(e)) = self.rules.get(*i) {
                        problem.get_or_insert(format!("validation rule `{id}` is disabled: {e}"));
                    }
                    out.push(*i);
                }
                None => {
                    warnings.push(
                        "VALIDATION_RULE_NOT_FOUND",
                        path.to_string(),
                        format!("validation rule `{id}` does not exist"),
                    );
                    problem.get_or_insert(format!("validation rule `{id}` does not exist"));
                }
            }
        }
        (out, problem)
    }

    /// Product targets merged from these rules (see [`Eligibility::invalid`]).
    fn eligibility_of(&self, rules: &[usize]) -> Eligibility {
        Eligibility::from_rules(rules.iter().filter_map(|i| {
            self.rules
                .get(*i)
                .and_then(|r| r.as_ref().ok())
                .and_then(|r| r.applicable_to.as_ref())
        }))
    }

    fn check_categories(&self, cats: &[String], path: &str) -> Result<(), Error> {
        for c in cats {
            if !self.categories.contains_key(c) {
                return Err(Error::snapshot_invalid(
                    path.to_string(),
                    format!("unknown category `{c}`"),
                ));
            }
        }
        Ok(())
    }

    fn discount_of(
        &self,
        src: Option<&DiscountSource>,
        eligibility: &Eligibility,
        path: &str,
        warnings: &mut Warnings,
    ) -> (Option<Arc<CompiledDiscount>>, Option<String>) {
        let Some(src) = src else { return (None, None) };
        match compile_discount(src, eligibility.names_products()) {
            Ok(d) => {
                if let CompiledDiscount::Unit { units } = &d {
                    for u in units {
                        if self.unit_price(&u.unit_type).is_none() {
                            let m = format!("free unit `{}` has no catalog price", u.unit_type);
                            warnings.push("UNIT_NOT_IN_CATALOG", path.to_string(), m.clone());
                            return (None, Some(m));
                        }
                    }
                }
                (Some(Arc::new(d)), None)
            }
            Err(e) => {
                let code = if e.starts_with("FORMULA_INVALID") {
                    "FORMULA_INVALID"
                } else {
                    "DISCOUNT_INVALID"
                };
                warnings.push(code, path.to_string(), e.clone());
                (None, Some(e))
            }
        }
    }

    fn compile_campaign(
        &mut self,
        ci: usize,
        camp: Campaign,
        path: &str,
        index: &HashMap<String, usize>,
        warnings: &mut Warnings,
    ) -> Result<(), Error> {
        let cats = categories_of(&camp.category_id, &camp.categories);
        self.check_categories(&cats, &format!("{path}.categories"))?;
        let (camp_rules, rules_problem) =
            self.resolve_rules(&camp.validation_rule_ids, path, index, warnings);
        let validity = CompiledValidity::compile(&[&camp.validity]);
        if let Err(e) = &validity {
            warnings.push("VALIDITY_INVALID", path.to_string(), e.clone());
        }
        let coin_rewards = camp
            .loyalty
            .as_ref()
            .map(|l| {
                l.rewards
                    .iter()
                    .filter_map(|r| {
                        let coin = r.coin.as_ref()?;
                        let ex = crate::money::decimal_from_json(&coin.exchange_ratio)?;
                        let pts = crate::money::decimal_from_json(&coin.points_ratio)?;
                        (r.reward_type == "COIN"
                            && pts > rust_decimal::Decimal::ZERO
                            && ex >= rust_decimal::Decimal::ZERO)
                            .then(|| (r.id.clone(), ex, pts))
                    })
                    .collect()
            })
            .unwrap_or_default();
        self.campaigns.push(CompiledCampaign {
            id: camp.id.clone(),
            name: camp.name.clone(),
            campaign_type: camp.campaign_type,
            active: camp.active,
            coin_rewards,
        });
        let shared = Shared {
            campaign: ci,
            eligibility: Arc::new(self.eligibility_of(&camp_rules)),
            rules: camp_rules.into(),
            validity: Arc::new(validity),
            categories: cats.into(),
            disabled: rules_problem.map(Arc::new),
        };
        if let Some(loyalty) = &camp.loyalty {
            self.compile_earning(ci, &camp, loyalty, path, index, warnings);
        }
        let template = camp.voucher.clone().unwrap_or_default();
        let (template_discount, template_problem) = self.discount_of(
            template.discount.as_ref(),
            &shared.eligibility,
            &format!("{path}.voucher.discount"),
            warnings,
        );
        for (vi, v) in camp.vouchers.into_iter().enumerate() {
            let vpath = format!("{path}.vouchers[{vi}]");
            self.compile_voucher(
                v,
                &vpath,
                &camp.campaign_type,
                &template,
                &template_discount,
                template_problem.as_deref(),
                &camp.validity,
                &shared,
                index,
                warnings,
            )?;
        }
        if !camp.code_hashes.is_empty() {
            // One redeemable stands for every bulk code of the campaign.
            let bulk = Voucher {
                id: Some(String::new()),
                code_hash: Some(String::new()),
                active: true,
                ..Voucher::default()
            };
            let vpath = format!("{path}.code_hashes");
            let pos = self.redeemables.len();
            self.compile_voucher(
                bulk,
                &vpath,
                &camp.campaign_type,
                &template,
                &template_discount,
                template_problem.as_deref(),
                &camp.validity,
                &shared,
                index,
                warnings,
            )?;
            if let Some(r) = self.redeemables.get_mut(pos) {
                r.shared = true;
            }
            self.hashes
                .extend(camp.code_hashes.iter().map(|h| (*h, pos)));
        }
        let mut tier_positions: Vec<(i64, usize)> = Vec::new();
        for (ti, tier) in camp.promotion_tiers.into_iter().enumerate() {
            let tpath = format!("{path}.promotion_tiers[{ti}]");
            if self.by_tier.contains_key(&tier.id) {
                return Err(Error::snapshot_invalid(
                    format!("{tpath}.id"),
                    format!("duplicate promotion tier `{}`", tier.id),
                ));
            }
            let tier_cats = categories_of(&tier.category_id, &tier.categories);
            self.check_categories(&tier_cats, &format!("{tpath}.categories"))?;
            let (own_rules, problem) =
                self.resolve_rules(&tier.validation_rule_ids, &tpath, index, warnings);
            let all_rules: Vec<usize> = shared.rules.iter().copied().chain(own_rules).collect();
            let eligibility = self.eligibility_of(&all_rules);
            let (discount, dproblem) = self.discount_of(
                Some(&tier.action.discount),
                &eligibility,
                &format!("{tpath}.action.discount"),
                warnings,
            );
            let validity = CompiledValidity::compile(&[&camp.validity, &tier.validity]);
            if let (Err(e), true) = (&validity, has_validity(&tier.validity)) {
                warnings.push("VALIDITY_INVALID", tpath.clone(), e.clone());
            }
            let disabled = shared
                .disabled
                .clone()
                .or(problem.or(dproblem).map(Arc::new));
            let pos = self.redeemables.len();
            tier_positions.push((tier.hierarchy, pos));
            self.by_tier.insert(tier.id.clone(), pos);
            self.redeemables.push(CompiledRedeemable {
                kind: RedeemableKind::PromotionTier,
                id: tier.id,
                code: None,
                shared: false,
                campaign: shared.campaign,
                name: Some(tier.name),
                banner: tier.banner,
                active: tier.active,
                validity: Arc::new(validity),
                discount,
                discount_json: None,
                gift: None,
                loyalty_balance: None,
                quantity: None,
                redeemed_quantity: 0,
                holder: None,
                holder_only: false,
                is_referral: false,
                rules: all_rules.into(),
                eligibility: Arc::new(eligibility),
                categories: if tier_cats.is_empty() {
                    shared.categories.clone()
                } else {
                    tier_cats.into()
                },
                metadata: Arc::new(tier.metadata),
                disabled,
            });
        }
        tier_positions.sort();
        self.tiers.extend(tier_positions.iter().map(|(_, p)| *p));
        for (si, stack) in camp.promotion_stacks.into_iter().enumerate() {
            let mut members = Vec::with_capacity(stack.tier_ids.len());
            for t in &stack.tier_ids {
                let pos = self.by_tier.get(t).copied().ok_or_else(|| {
                    Error::snapshot_invalid(
                        format!("{path}.promotion_stacks[{si}].tier_ids"),
                        format!("unknown tier `{t}`"),
                    )
                })?;
                members.push(pos);
            }
            if self
                .stacks
                .insert(stack.id.clone(), (stack.name, members))
                .is_some()
            {
                return Err(Error::snapshot_invalid(
                    format!("{path}.promotion_stacks[{si}].id"),
                    format!("duplicate stack `{}`", stack.id),
                ));
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn compile_voucher(
        &mut self,
        v: Voucher,
        vpath: &str,
        campaign_type: &CampaignType,
        template: &VoucherTemplate,
        template_discount: &Option<Arc<CompiledDiscount>>,
        template_problem: Option<&str>,
        camp_validity: &Validity,
        shared: &Shared,
        index: &HashMap<String, usize>,
        warnings: &mut Warnings,
    ) -> Result<(), Error> {
        let (own_rules, problem) =
            self.resolve_rules(&v.validation_rule_ids, vpath, index, warnings);
        let (rules, eligibility) = if own_rules.is_empty() {
            (shared.rules.clone(), shared.eligibility.clone())
        } else {
            let all: Vec<usize> = shared.rules.iter().copied().chain(own_rules).collect();
            let e = self.eligibility_of(&all);
            (all.into(), Arc::new(e))
        };
        let (discount, dproblem) = match (&v.discount, own_rules_changed(&rules, &shared.rules)) {
            (Some(d), _) => self.discount_of(
                Some(d),
                &eligibility,
                &format!("{vpath}.discount"),
                warnings,
            ),
            (None, true) => self.discount_of(
                template.discount.as_ref(),
                &eligibility,
                &format!("{vpath}.discount"),
                warnings,
            ),
            (None, false) => (
                template_discount.clone(),
                template_problem.map(str::to_string),
            ),
        };
        let voucher_type = v
            .voucher_type
            .as_deref()
            .or(template.voucher_type.as_deref());
        let kind = match (voucher_type, campaign_type) {
            (Some("GIFT_VOUCHER"), _) | (None, CampaignType::GiftVouchers) => {
                RedeemableKind::GiftCard
            }
            (Some("LOYALTY_CARD"), _) | (None, CampaignType::LoyaltyProgram) => {
                RedeemableKind::LoyaltyCard
            }
            _ => RedeemableKind::DiscountVoucher,
        };
        let validity = if has_validity(&v.validity) {
            let c = CompiledValidity::compile(&[camp_validity, &v.validity]);
            if let Err(e) = &c {
                warnings.push("VALIDITY_INVALID", vpath.to_string(), e.clone());
            }
            Arc::new(c)
        } else {
            shared.validity.clone()
        };
        let gift_src = v.gift.as_ref().or(template.gift.as_ref());
        let gift = gift_src.map(|g| {
            (
                g.balance.or(Some(g.amount)),
                g.effect.as_deref() == Some("APPLY_TO_ITEMS"),
            )
        });
        let loyalty_balance = v
            .loyalty_card
            .as_ref()
            .or(template.loyalty_card.as_ref())
            .map(|l| l.balance.unwrap_or(l.points));
        let limit = v.redemption.as_ref().or(template.redemption.as_ref());
        let pos = self.redeemables.len();
        let id = match (&v.code, &v.code_hash, &v.id) {
            (Some(code), _, _) => {
                if self.by_code.insert(code.clone(), pos).is_some() {
                    return Err(Error::snapshot_invalid(
                        format!("{vpath}.code"),
                        format!("duplicate code `{code}`"),
                    ));
                }
                v.id.clone().unwrap_or_else(|| code.clone())
            }
            (None, Some(hash), _) if hash.is_empty() => String::new(),
            (None, Some(hash), _) => {
                let digest = crate::codes::CodeHash::parse(hash).ok_or_else(|| {
                    Error::snapshot_invalid(
                        format!("{vpath}.code_hash"),
                        "not a base64url SHA-256 hash",
                    )
                })?;
                self.hashes.push((digest, pos));
                v.id.clone().unwrap_or_default()
            }
            (None, None, _) => {
                return Err(Error::snapshot_invalid(
                    vpath.to_string(),
                    "a voucher needs `code` or `code_hash`",
                ))
            }
        };
        if let Some(vid) = v.id.as_ref().filter(|i| !i.is_empty()) {
            if v.code.as_deref() != Some(vid.as_str())
                && self.by_code.insert(vid.clone(), pos).is_some()
            {
                return Err(Error::snapshot_invalid(
                    format!("{vpath}.id"),
                    format!("duplicate voucher id `{vid}`"),
                ));
            }
        }
        let mut disabled = shared
            .disabled
            .clone()
            .or(problem.or(dproblem).map(Arc::new));
        // A referral code may carry no discount (single-sided programs reward the referrer only).
        let referral = *campaign_type == CampaignType::ReferralProgram || v.is_referral_code;
        if disabled.is_none()
            && kind == RedeemableKind::DiscountVoucher
            && discount.is_none()
            && !referral
        {
            let m = "discount voucher has no discount".to_string();
            warnings.push("DISCOUNT_INVALID", vpath.to_string(), m.clone());
            disabled = Some(Arc::new(m));
        }
        self.redeemables.push(CompiledRedeemable {
            kind,
            id,
            code: v.code.clone(),
            shared: false,
            campaign: shared.campaign,
            name: None,
            banner: None,
            active: v.active,
            validity,
            discount,
            discount_json: None,
            gift,
            loyalty_balance,
            quantity: limit.and_then(|l| l.quantity),
            redeemed_quantity: limit.map(|l| l.redeemed_quantity).unwrap_or(0),
            holder: v.holder_id,
            holder_only: v.redeemable_by_holder_only,
            is_referral: v.is_referral_code,
            rules,
            eligibility,
            categories: shared.categories.clone(),
            metadata: if v.metadata.is_empty() {
                Arc::new(Metadata::new())
            } else {
                Arc::new(v.metadata)
            },
            disabled,
        });
        Ok(())
    }

    fn compile_earning(
        &mut self,
        ci: usize,
        camp: &Campaign,
        loyalty: &LoyaltyProgram,
        path: &str,
        index: &HashMap<String, usize>,
        warnings: &mut Warnings,
    ) {
        for (ei, rule) in loyalty.earning_rules.iter().enumerate() {
            let epath = format!("{path}.loyalty.earning_rules[{ei}]");
            if rule.event != "order.paid" || !rule.active {
                continue;
            }
            let (rules, problem) =
                self.resolve_rules(&rule.validation_rule_ids, &epath, index, warnings);
            let mut tiers = HashMap::new();
            for t in &loyalty.tiers {
                let Some(m) = t.earning_rules.get(&rule.id) else {
                    continue;
                };
                let modifier = match m.get("type").and_then(|v| v.as_str()) {
                    Some("MULTIPLY") => m
                        .get("multiplier")
                        .and_then(|v| v.as_number())
                        .and_then(crate::money::decimal_from_json)
                        .map(crate::loyalty::TierModifier::Multiply),
                    Some("CUSTOM") => m
                        .get("points")
                        .and_then(|v| v.as_i64())
                        .map(crate::loyalty::TierModifier::Custom),
                    _ => None,
                };
                match modifier {
                    Some(x) => {
                        tiers.insert(t.id.clone(), x);
                    }
                    None => warnings.push(
                        "EARNING_RULE_INVALID",
                        format!("{epath}.tiers.{}", t.id),
                        "tier modifier is neither MULTIPLY nor CUSTOM".into(),
                    ),
                }
            }
            let compiled =
                CompiledValidity::compile(&[&camp.validity, &rule.validity]).and_then(|validity| {
                    if let Some(p) = problem {
                        return Err(p);
                    }
                    crate::loyalty::compile_earning_rule(
                        &rule.id,
                        ci,
                        &rule.loyalty,
                        rules,
                        validity,
                        tiers,
                    )
                });
            match compiled {
                Ok(c) => self.earning_rules.push(c),
                Err(e) => warnings.push("EARNING_RULE_INVALID", epath, e),
            }
        }
    }

    fn build_indexes(&mut self, public_campaigns: &[bool]) {
        // Echoed discounts, built once per distinct discount (codes of a campaign share theirs).
        let mut echoed: HashMap<*const CompiledDiscount, Arc<serde_json::Value>> = HashMap::new();
        for r in &mut self.redeemables {
            if let Some(d) = &r.discount {
                let json = echoed
                    .entry(Arc::as_ptr(d))
                    .or_insert_with(|| Arc::new(crate::validation::discount_json(d)));
                r.discount_json = Some(json.clone());
            }
        }
        let tier_order: HashMap<usize, usize> = self
            .tiers
            .iter()
            .enumerate()
            .map(|(i, p)| (*p, i))
            .collect();
        let mut by_rank: Vec<usize> = (0..self.redeemables.len()).collect();
        by_rank.sort_by_key(|p| {
            let r = self.redeemables.get(*p);
            let tier = tier_order.get(p).copied();
            (
                r.map(|x| x.campaign).unwrap_or(usize::MAX),
                tier.is_some(),
                tier.unwrap_or(*p),
            )
        });
        self.rank = vec![0; self.redeemables.len()];
        for (rank, pos) in by_rank.into_iter().enumerate() {
            if let Some(slot) = self.rank.get_mut(pos) {
                *slot = rank;
            }
        }
        for (pos, r) in self.redeemables.iter().enumerate() {
            if let Some(h) = &r.holder {
                self.by_holder.entry(h.clone()).or_default().push(pos);
            }
            let is_tier = r.kind == RedeemableKind::PromotionTier;
            let generic_public =
                r.kind == RedeemableKind::DiscountVoucher && r.holder.is_none() && r.code.is_some();
            if is_tier || generic_public {
                self.public.push(pos);
            }
            let advertised = is_tier
                || (generic_public && public_campaigns.get(r.campaign).copied().unwrap_or(false));
            let item_level = r
                .discount
                .as_deref()
                .is_some_and(|d| d.is_item_level() && !matches!(d, CompiledDiscount::Unit { .. }));
            if !advertised || !item_level || r.disabled.is_some() {
                continue;
            }
            let e = &r.eligibility;
            if e.included.is_empty() || e.included_all {
                self.price_global.push(pos);
            } else {
                for t in &e.included {
                    let list = self.price_index.entry(t.id.clone()).or_default();
                    if list.last() != Some(&pos) {
                        list.push(pos);
                    }
                }
            }
        }
    }

    /// Finds a voucher by code, voucher id or unique-code hash.
    pub fn find_voucher(&self, code: &str) -> Option<usize> {
        self.by_code.get(code).copied().or_else(|| {
            let digest = crate::codes::CodeHash(crate::codes::code_digest(&self.code_salt, code));
            let i = self
                .hashes
                .binary_search_by_key(&digest, |(h, _)| *h)
                .ok()?;
            self.hashes.get(i).map(|(_, pos)| *pos)
        })
    }

    /// Finds a promotion tier by id.
    pub fn find_tier(&self, id: &str) -> Option<usize> {
        self.by_tier.get(id).copied()
    }

    /// The catalog price of a product or SKU id.
    pub fn unit_price(&self, id: &str) -> Option<Money> {
        if let Some(s) = self.skus.get(id) {
            return s
                .price
                .or_else(|| self.products.get(&s.product_id).and_then(|p| p.price));
        }
        self.products.get(id).and_then(|p| p.price)
    }

    /// Resolves an order line against the catalog.
    pub fn resolve_item(&self, item: &OrderItemInput) -> ResolvedItem {
        let related = item.related_object.as_deref();
        let sku_id = item
            .sku_id
            .clone()
            .or_else(|| item.sku.as_ref().and_then(|s| s.id.clone()))
            .or_else(|| {
                item.sku
                    .as_ref()
                    .and_then(|s| s.source_id.as_ref())
                    .and_then(|s| self.sku_by_source.get(s).cloned())
            })
            .or_else(|| match (related, &item.source_id) {
                (Some("sku"), Some(s)) => Some(
                    self.sku_by_source
                        .get(s)
                        .cloned()
                        .unwrap_or_else(|| s.clone()),
                ),
                _ => None,
            });
        let sku = sku_id.as_ref().and_then(|s| self.skus.get(s));
        let product_id = item
            .product_id
            .clone()
            .or_else(|| item.product.as_ref().and_then(|p| p.id.clone()))
            .or_else(|| {
                item.product
                    .as_ref()
                    .and_then(|p| p.source_id.as_ref())
                    .and_then(|s| self.product_by_source.get(s).cloned())
            })
            .or_else(|| sku.map(|s| s.product_id.clone()))
            .or_else(|| match (related, &item.source_id) {
                (Some("sku"), _) | (_, None) => None,
                (_, Some(s)) => Some(
                    self.product_by_source
                        .get(s)
                        .cloned()
                        .unwrap_or_else(|| s.clone()),
                ),
            });
        let product = product_id.as_ref().and_then(|p| self.products.get(p));
        let mut metadata = product.map(|p| p.metadata.clone()).unwrap_or_default();
        if let Some(s) = sku {
            metadata.extend(s.metadata.clone());
        }
        for inline in [&item.product, &item.sku].into_iter().flatten() {
            metadata.extend(inline.metadata.clone());
        }
        let mut collections = BTreeSet::new();
        for id in [&product_id, &sku_id].into_iter().flatten() {
            if let Some(cs) = self.collections_of.get(id) {
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
    pub fn catalog_line(&self, unit_type: &str, index: usize) -> Option<Line> {
        let price = self.unit_price(unit_type)?;
        let item = if self.skus.contains_key(unit_type) {
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
        let r = self.resolve_item(&item);
        Some(Line {
            info: std::sync::Arc::new(crate::order::LineInfo {
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

    /// Category ids of exclusive categories.
    pub fn is_exclusive(&self, category: &str) -> bool {
        self.stacking
            .exclusive_categories
            .iter()
            .any(|c| c == category)
    }

    /// Category ids of joint categories.
    pub fn is_joint(&self, category: &str) -> bool {
        self.stacking.joint_categories.iter().any(|c| c == category)
    }
}

fn own_rules_changed(rules: &Arc<[usize]>, shared: &Arc<[usize]>) -> bool {
    !Arc::ptr_eq(rules, shared)
}
