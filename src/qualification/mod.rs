//! `qualify`: which redeemables fit this customer and cart, each computed
//! alone, best deal first if asked.
//!
//! Every candidate is evaluated by the same validation pipeline with only
//! itself in the request. Counters a client cannot know (campaign budgets,
//! per-customer counts) are taken from the request's `counters` when sent
//! and otherwise assumed zero; each entry lists those in `counters_assumed`,
//! so a storefront can say "subject to availability".

mod filters;
mod request;

pub use request::{QualificationOptions, QualificationRequest, Scenario, SortingRule};

use serde::Serialize;

use crate::error::Error;
use crate::money::Money;
use crate::order::{OrderCalculation, OrderEcho, OrderState};
use crate::plan::Plan;
use crate::request::{Expand, ValidationRequest};
use crate::stacking::StackingRules;
use crate::time::Instant;
use crate::validation::{
    apply_stack, Detail, Outcome, RedeemableResult, Spelled, Status, TargetList,
};

/// Most entries per page.
pub const MAX_LIMIT: u32 = 50;

/// One qualified redeemable.
#[derive(Debug, Clone, Serialize)]
pub struct QualifiedRedeemable {
    /// The code (generic), voucher id (unique) or tier id.
    pub id: String,
    /// `voucher` or `promotion_tier`.
    pub object: &'static str,
    /// Whether it applies to this cart as it is.
    pub applicable: bool,
    /// What it gives (and, for bundles, what is missing).
    pub result: Outcome,
    /// The cart calculated with this redeemable alone.
    pub order: OrderCalculation,
    /// Targets it discounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applicable_to: Option<TargetList>,
    /// Targets it excludes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inapplicable_to: Option<TargetList>,
    /// Campaign id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<String>,
    /// Campaign name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign_name: Option<String>,
    /// Campaign type.
    pub campaign_type: crate::plan::CampaignType,
    /// Tier name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Tier banner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banner: Option<String>,
    /// Stacking categories.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<crate::validation::CategoryRef>,
    /// Metadata.
    #[serde(skip_serializing_if = "no_metadata")]
    pub metadata: std::sync::Arc<crate::plan::Metadata>,
    /// Nudges toward applying (when not applicable).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nudges: Vec<crate::rules::Nudge>,
    /// Counters the rules needed that the request did not supply (assumed 0).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub counters_assumed: Vec<String>,
}

/// A page of qualified redeemables.
#[derive(Debug, Clone, Serialize)]
pub struct QualifiedList {
    /// Always `list`.
    pub object: &'static str,
    /// Always `data`.
    pub data_ref: &'static str,
    /// The page.
    pub data: Vec<QualifiedRedeemable>,
    /// How many qualified in all.
    pub total: usize,
    /// Whether more than the page qualified.
    pub has_more: bool,
}

/// The qualification response.
#[derive(Debug, Clone, Serialize)]
pub struct QualificationResponse {
    /// The qualified redeemables.
    pub redeemables: QualifiedList,
    /// The cart without any redeemable.
    pub order: OrderCalculation,
    /// Stacking rules in force.
    pub stacking_rules: StackingRules,
    /// The snapshot version that answered.
    pub snapshot_version: u64,
}

fn no_metadata(m: &std::sync::Arc<crate::plan::Metadata>) -> bool {
    m.is_empty()
}

fn candidates(snap: &Plan, req: &QualificationRequest) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut push = |pos: usize, id: String| {
        if !out.iter().any(|(p, _)| *p == pos) {
            out.push((pos, id));
        }
    };
    let wallet_only = matches!(req.scenario, Scenario::CustomerWallet);
    if !wallet_only {
        for pos in &snap.public {
            if let Some(r) = snap.redeemables.get(*pos) {
                push(*pos, r.request_id().to_string());
            }
        }
    }
    for w in req.customer.iter().flat_map(|c| c.identities()) {
        for pos in snap.by_holder.get(w).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some(r) = snap.redeemables.get(*pos) {
                if !r.id.is_empty() || r.code.is_some() {
                    push(*pos, r.request_id().to_string());
                }
            }
        }
    }
    for code in &req.wallet {
        if let Some(pos) = snap.find_voucher(code) {
            push(pos, code.clone());
        }
    }
    // Snapshot order: campaigns as published, tiers by hierarchy within.
    out.sort_by_key(|(p, _)| snap.rank.get(*p).copied().unwrap_or(usize::MAX));
    out
}

fn admitted(
    scenario: Scenario,
    result: &RedeemableResult,
    items_discount: Money,
    touches_cart: bool,
) -> bool {
    let key = result.result.error.as_ref().map(|e| e.key);
    let bundle_only = result
        .result
        .bundle
        .as_ref()
        .is_some_and(|b| b.quantity == 0);
    let applicable = result.status == Status::Applicable;
    let discounts_cart = applicable && items_discount > Money::ZERO;
    match scenario {
        Scenario::All | Scenario::CustomerWallet => applicable,
        Scenario::AudienceOnly => applicable || key == Some("order_rules_violated"),
        Scenario::Products => {
            touches_cart && (applicable || bundle_only || key == Some("customer_rules_violated"))
        }
        Scenario::ProductsByCustomer => touches_cart && (applicable || bundle_only),
        Scenario::ProductsDiscount => discounts_cart || (bundle_only && touches_cart),
        Scenario::ProductsDiscountByCustomer => {
            discounts_cart
                || (bundle_only && touches_cart && key != Some("customer_rules_violated"))
        }
    }
}

/// A candidate that qualified, before it is spelled out.
struct Ranked {
    /// Position in snapshot order (the DEFAULT sorting and the tie-break).
    rank: usize,
    pos: usize,
    id: String,
    /// What it takes off the cart alone.
    deal: Money,
}

/// Qualifies every redeemable the customer could use on the cart.
pub fn qualify(
    snap: &Plan,
    req: &QualificationRequest,
    now: Instant,
) -> Result<QualificationResponse, Error> {
    let limit = req.options.limit.unwrap_or(5);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(Error::invalid_request(
            "options.limit",
            format!("must be within 1..={MAX_LIMIT}"),
        ));
    }
    let filter = filters::Filter::compile(&req.options.filters)?;
    let expand = Expand::of(&req.options.expand, "options.expand")?;
    let base = OrderState::from_input(&req.order, snap)?;
    let base_order =
        OrderCalculation::between(&base, &base, &OrderEcho::of(&req.order, expand.order))?;
    // One request, read once; each candidate only swaps the redeemable.
    let mut single = ValidationRequest {
        redeemables: Vec::with_capacity(1),
        order: req.order.clone(),
        customer: req.customer.clone(),
        metadata: req.metadata.clone(),
        counters: req.counters.clone(),
        options: None,
    };
    // Rank every candidate on its amounts first; spell out only the page.
    let mut ranked: Vec<Ranked> = Vec::new();
    for (rank, (pos, id)) in candidates(snap, req).into_iter().enumerate() {
        let Some(r) = snap.redeemables.get(pos) else {
            continue;
        };
        if !filter.admits(snap, r, &id, req.customer.as_ref()) {
            continue;
        }
        single.redeemables = vec![crate::request::RedeemableRef::naming(r, id.clone())];
        let stacked = apply_stack(snap, &single, &base, now, Detail::Amounts)?;
        let Some(result) = stacked.results.first() else {
            continue;
        };
        let effect = stacked.effects.first();
        let items_discount = effect.map(|e| e.items_discount).unwrap_or_default();
        if !admitted(
            req.scenario,
            result,
            items_discount,
            filters::touches_cart(snap, r, &base),
        ) {
            continue;
        }
        let deal = match effect {
            Some(e) => e.order_discount.try_add(e.items_discount)?,
            None => Money::ZERO,
        };
        ranked.push(Ranked {
            rank,
            pos,
            id,
            deal,
        });
    }
    match req.options.sorting_rule {
        SortingRule::Default => {}
        SortingRule::BestDeal => {
            ranked.sort_by(|a, b| b.deal.cmp(&a.deal).then(a.rank.cmp(&b.rank)))
        }
        SortingRule::LeastDeal => {
            ranked.sort_by(|a, b| a.deal.cmp(&b.deal).then(a.rank.cmp(&b.rank)))
        }
    }
    let total = ranked.len();
    ranked.truncate(usize::try_from(limit).unwrap_or(5));
    let mut data = Vec::with_capacity(ranked.len());
    for Ranked { pos, id, .. } in ranked {
        let Some(r) = snap.redeemables.get(pos) else {
            continue;
        };
        single.redeemables = vec![crate::request::RedeemableRef::naming(r, id.clone())];
        let spelled = Spelled {
            snapshots: true,
            items: expand.order,
            names: true,
            category_names: expand.category,
        };
        let stacked = apply_stack(snap, &single, &base, now, Detail::Answer(spelled))?;
        let Some(result) = stacked.results.into_iter().next() else {
            continue;
        };
        data.push(QualifiedRedeemable {
            id,
            object: result.object,
            applicable: result.status == Status::Applicable,
            order: result.order.unwrap_or_else(|| base_order.clone()),
            result: result.result,
            applicable_to: result.applicable_to,
            inapplicable_to: result.inapplicable_to,
            campaign_id: result.campaign_id,
            campaign_name: result.campaign_name,
            campaign_type: snap
                .campaigns
                .get(r.campaign)
                .map(|c| c.campaign_type)
                .unwrap_or(crate::plan::CampaignType::Promotion),
            name: result.name,
            banner: result.banner,
            categories: result.categories,
            metadata: result.metadata,
            nudges: result.nudges,
            counters_assumed: result.counters_assumed,
        });
    }
    Ok(QualificationResponse {
        redeemables: QualifiedList {
            object: "list",
            data_ref: "data",
            has_more: total > data.len(),
            total,
            data,
        },
        order: base_order,
        stacking_rules: snap.stacking.clone(),
        snapshot_version: snap.version,
    })
}
