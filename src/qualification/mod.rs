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
use crate::plan::{Redeemable, RedeemableKind};
use crate::request::{Expand, ValidationRequest};
use crate::stacking::StackingRules;
use crate::time::Instant;
use crate::validation::{alone, apply_stack, Alone, Detail, Outcome, Spelled, Status, TargetList};

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
    /// When the snapshot that holds it was issued (Voucherify's
    /// `created_at`; the snapshot keeps no creation time per redeemable).
    pub created_at: std::sync::Arc<str>,
    /// Targets it discounts (an empty list when none is named).
    pub applicable_to: TargetList,
    /// Targets it excludes (an empty list when none is named).
    pub inapplicable_to: TargetList,
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
    pub categories: Vec<crate::validation::CategoryRef>,
    /// Metadata (`{}` when it has none).
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
    /// The id to pass as `options.starting_after` for the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub more_starting_after: Option<String>,
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

/// Everything the customer could use, once each, in snapshot order
/// (campaigns as published, tiers by hierarchy within): public
/// redeemables, codes held by the customer, codes in the wallet.
fn candidates<'a>(snap: &'a Plan, req: &'a QualificationRequest) -> Vec<(usize, &'a str)> {
    let mut out: Vec<(usize, &'a str)> = Vec::new();
    let mut seen = vec![false; snap.redeemables.len()];
    let mut push = |pos: usize, id: &'a str| {
        if let Some(s) = seen.get_mut(pos).filter(|s| !**s) {
            *s = true;
            out.push((pos, id));
        }
    };
    if !matches!(req.scenario, Scenario::CustomerWallet) {
        for pos in &snap.public {
            if let Some(r) = snap.redeemables.get(*pos) {
                push(*pos, r.request_id());
            }
        }
    }
    for w in req.customer.iter().flat_map(|c| c.identities()) {
        for pos in snap.by_holder.get(w).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some(r) = snap.redeemables.get(*pos) {
                if !r.id.is_empty() || r.code.is_some() {
                    push(*pos, r.request_id());
                }
            }
        }
    }
    for code in &req.wallet {
        if let Some(pos) = snap.find_voucher(code) {
            push(pos, code);
        }
    }
    out.sort_by_key(|(p, _)| snap.rank.get(*p).copied().unwrap_or(usize::MAX));
    out
}

/// Whether a redeemable's outcome alone admits it under the scenario.
/// A discount that takes nothing off this cart is not one the customer can
/// use on it (ALL, CUSTOMER_WALLET) nor one that discounts its products.
fn admitted(scenario: Scenario, r: &Redeemable, alone: &Alone, touches_cart: bool) -> bool {
    let applicable = alone.status == Status::Applicable;
    let deal = alone
        .order_discount
        .0
        .saturating_add(alone.items_discount.0);
    let is_discount = matches!(
        r.kind,
        RedeemableKind::DiscountVoucher | RedeemableKind::PromotionTier
    );
    let usable = applicable && (deal > 0 || !is_discount);
    let key = alone.error_key;
    let bundle_only = alone.bundle_incomplete;
    let discounts_cart = applicable && alone.items_discount > Money::ZERO;
    match scenario {
        Scenario::All | Scenario::CustomerWallet => usable,
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
        // Refused before any candidate is read (see `qualify`).
        Scenario::PromotionStacks => false,
    }
}

/// Whether the scenario rejects `r` on facts of the cart alone, before
/// any evaluation: an item discount none of whose lines is in the cart
/// takes nothing off it.
fn rejected_by_cart(scenario: Scenario, snap: &Plan, r: &Redeemable, cart: &OrderState) -> bool {
    let touches = || filters::touches_cart(snap, r, cart);
    let lineless = || {
        r.discount.as_deref().is_some_and(|d| {
            d.is_item_level()
                && !matches!(d, crate::plan::Discount::Unit { .. })
                && !crate::discounts::may_touch_any(&r.eligibility, cart)
        })
    };
    match scenario {
        Scenario::All | Scenario::CustomerWallet => lineless(),
        Scenario::AudienceOnly => false,
        Scenario::Products | Scenario::ProductsByCustomer => !touches(),
        Scenario::ProductsDiscount | Scenario::ProductsDiscountByCustomer => {
            lineless() && !touches()
        }
        Scenario::PromotionStacks => true,
    }
}

/// A candidate that qualified, before it is spelled out.
struct Ranked<'a> {
    /// Position in snapshot order (the DEFAULT sorting and the tie-break).
    rank: usize,
    pos: usize,
    id: &'a str,
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
    if req.scenario == Scenario::PromotionStacks {
        return Err(Error::invalid_request(
            "scenario",
            "PROMOTION_STACKS is not supported: qualification answers redeemables one by one \
             (validate a stack with object promotion_stack)",
        ));
    }
    let filter = filters::Filter::compile(&req.options.filters)?;
    let expand = Expand::of(&req.options.expand, "options.expand")?;
    let base = OrderState::from_input(&req.order, snap)?;
    let created_at: std::sync::Arc<str> = snap.issued_at.to_rfc3339().into();
    let echo = OrderEcho::of(&req.order, req.customer.as_ref(), now, expand.order);
    let base_order = OrderCalculation::between(&base, &base, &echo)?;
    // One request, read once; each candidate only swaps the redeemable.
    let mut order = req.order.clone();
    // Qualifying without an order asks about an empty cart (AUDIENCE_ONLY's
    // upsell case); validation alone refuses a missing order.
    if order.items.is_empty() && order.amount.is_none() {
        order.amount = Some(Money::ZERO);
    }
    let mut single = ValidationRequest {
        redeemables: Vec::with_capacity(1),
        order,
        customer: req.customer.clone(),
        metadata: req.metadata.clone(),
        counters: req.counters.clone(),
        options: None,
    };
    // Rank every candidate on its amounts first; spell out only the page.
    let mut ranked: Vec<Ranked> = Vec::new();
    let mut scratch = base.clone();
    for (rank, (pos, id)) in candidates(snap, req).into_iter().enumerate() {
        let Some(r) = snap.redeemables.get(pos) else {
            continue;
        };
        if !filter.admits(snap, r, id, req.customer.as_ref())
            || rejected_by_cart(req.scenario, snap, r, &base)
        {
            continue;
        }
        let named = crate::request::RedeemableRef::naming(r, id.to_string());
        let outcome = alone(snap, &single, &named, pos, &base, &mut scratch, now)?;
        let touches = || filters::touches_cart(snap, r, &base);
        if !admitted(req.scenario, r, &outcome, touches()) {
            continue;
        }
        let deal = outcome.order_discount.try_add(outcome.items_discount)?;
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
    if let Some(after) = &req.options.starting_after {
        let at = ranked.iter().position(|r| r.id == after.as_str()).ok_or_else(|| {
            Error::invalid_request(
                "options.starting_after",
                "names no entry of this qualification (give a previous answer's more_starting_after)",
            )
        })?;
        ranked.drain(..=at);
    }
    let has_more = ranked.len() > usize::try_from(limit).unwrap_or(5);
    ranked.truncate(usize::try_from(limit).unwrap_or(5));
    let more_starting_after = has_more
        .then(|| ranked.last().map(|r| r.id.to_string()))
        .flatten();
    let mut data = Vec::with_capacity(ranked.len());
    for Ranked { pos, id, .. } in ranked {
        let Some(r) = snap.redeemables.get(pos) else {
            continue;
        };
        single.redeemables = vec![crate::request::RedeemableRef::naming(r, id.to_string())];
        let spelled = Spelled {
            snapshots: true,
            items: expand.order,
            names: true,
        };
        let stacked = apply_stack(snap, &single, &base, now, Detail::Answer(spelled))?;
        let Some(result) = stacked.results.into_iter().next() else {
            continue;
        };
        data.push(QualifiedRedeemable {
            id: id.to_string(),
            object: result.object,
            applicable: result.status == Status::Applicable,
            order: result.order.unwrap_or_else(|| base_order.clone()),
            result: result.result,
            created_at: created_at.clone(),
            applicable_to: result
                .applicable_to
                .unwrap_or_else(|| TargetList::of(Vec::new())),
            inapplicable_to: result
                .inapplicable_to
                .unwrap_or_else(|| TargetList::of(Vec::new())),
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
            has_more,
            more_starting_after,
            total,
            data,
        },
        order: base_order,
        stacking_rules: snap.stacking.clone(),
        snapshot_version: snap.version,
    })
}
