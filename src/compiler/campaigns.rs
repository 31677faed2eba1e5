//! Campaigns from their source form: vouchers (generic, unique, bulk),
//! promotion tiers and stacks, each a [`Redeemable`] with its rules,
//! targets, discount and windows resolved.

use std::sync::Arc;

use rust_decimal::Decimal;

use super::source::{self, Campaign as SourceCampaign, DiscountSource, Voucher, VoucherTemplate};
use super::{discounts, validity, Builder};
use crate::error::Error;
use crate::plan::{
    Campaign, CampaignType, CoinReward, Discount, Eligibility, Gift, Metadata, PromotionStack,
    Redeemable, RedeemableKind,
};
use crate::time::Validity;

/// A voucher's rules, targets, discount and why it is disabled, if it is.
type Terms = (
    Arc<[usize]>,
    Arc<Eligibility>,
    Option<Arc<Discount>>,
    Option<String>,
);

/// What a campaign's redeemables share.
struct Shared {
    campaign: usize,
    campaign_type: CampaignType,
    rules: Arc<[usize]>,
    eligibility: Arc<Eligibility>,
    validity: Arc<Result<Validity, String>>,
    categories: Arc<[String]>,
    disabled: Option<Arc<String>>,
    template: VoucherTemplate,
    /// The template's discount compiled against the campaign's targets,
    /// or why it could not be.
    template_discount: (Option<Arc<Discount>>, Option<String>),
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

fn has_validity(v: &source::Validity) -> bool {
    v.start_date.is_some()
        || v.expiration_date.is_some()
        || v.validity_timeframe.is_some()
        || v.validity_day_of_week.is_some()
        || v.validity_hours.is_some()
}

fn coin_rewards(camp: &SourceCampaign) -> Vec<CoinReward> {
    let Some(l) = &camp.loyalty else {
        return Vec::new();
    };
    l.rewards
        .iter()
        .filter_map(|r| {
            let coin = r.coin.as_ref()?;
            let exchange_ratio = crate::money::decimal_from_json(&coin.exchange_ratio)?;
            let points_ratio = crate::money::decimal_from_json(&coin.points_ratio)?;
            (r.reward_type == "COIN"
                && points_ratio > Decimal::ZERO
                && exchange_ratio >= Decimal::ZERO)
                .then(|| CoinReward {
                    id: r.id.clone(),
                    exchange_ratio,
                    points_ratio,
                })
        })
        .collect()
}

impl Builder {
    /// Positions of the named rules, and the first problem (a missing or
    /// disabled rule disables whatever uses it).
    pub(super) fn resolve_rules(
        &mut self,
        ids: &[String],
        path: &str,
    ) -> (Vec<usize>, Option<String>) {
        let mut out = Vec::new();
        let mut problem = None;
        for id in ids {
            match self.rule_index.get(id) {
                Some(i) => {
                    if let Some(Err(e)) = self.rules.get(*i) {
                        problem.get_or_insert(format!("validation rule `{id}` is disabled: {e}"));
                    }
                    out.push(*i);
                }
                None => {
                    self.warnings.push(
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

    /// Product targets merged from these rules.
    fn eligibility_of(&self, rules: &[usize]) -> Eligibility {
        discounts::merge(
            rules
                .iter()
                .filter_map(|i| self.rule_targets.get(*i).and_then(Option::as_ref)),
        )
    }

    fn check_categories(&self, cats: &[String], path: &str) -> Result<(), Error> {
        match cats.iter().find(|c| !self.categories.contains_key(*c)) {
            Some(c) => Err(Error::snapshot_invalid(
                path.to_string(),
                format!("unknown category `{c}`"),
            )),
            None => Ok(()),
        }
    }

    /// A discount compiled against `eligibility`, or why it is disabled.
    fn discount_of(
        &mut self,
        src: Option<&DiscountSource>,
        eligibility: &Eligibility,
        path: &str,
    ) -> (Option<Arc<Discount>>, Option<String>) {
        let Some(src) = src else { return (None, None) };
        match discounts::compile_discount(src, eligibility.names_products()) {
            Ok(d) => {
                if let Discount::Unit { units } = &d {
                    for u in units {
                        if self.catalog.unit_price(&u.unit_type).is_none() {
                            let m = format!("free unit `{}` has no catalog price", u.unit_type);
                            self.warnings
                                .push("UNIT_NOT_IN_CATALOG", path.to_string(), m.clone());
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
                self.warnings.push(code, path.to_string(), e.clone());
                (None, Some(e))
            }
        }
    }

    pub(super) fn compile_campaign(
        &mut self,
        ci: usize,
        camp: SourceCampaign,
        path: &str,
    ) -> Result<(), Error> {
        let cats = categories_of(&camp.category_id, &camp.categories);
        self.check_categories(&cats, &format!("{path}.categories"))?;
        let (camp_rules, rules_problem) = self.resolve_rules(&camp.validation_rule_ids, path);
        let camp_validity = validity::validity(&[&camp.validity]);
        if let Err(e) = &camp_validity {
            self.warnings
                .push("VALIDITY_INVALID", path.to_string(), e.clone());
        }
        self.campaigns.push(Campaign {
            id: camp.id.clone(),
            name: camp.name.clone(),
            campaign_type: camp.campaign_type,
            active: camp.active,
            coin_rewards: coin_rewards(&camp),
        });
        let eligibility = Arc::new(self.eligibility_of(&camp_rules));
        if let Some(loyalty) = &camp.loyalty {
            self.compile_earning(ci, &camp, loyalty, path);
        }
        let template = camp.voucher.clone().unwrap_or_default();
        let template_discount = self.discount_of(
            template.discount.as_ref(),
            &eligibility,
            &format!("{path}.voucher.discount"),
        );
        let shared = Shared {
            campaign: ci,
            campaign_type: camp.campaign_type,
            eligibility,
            rules: camp_rules.into(),
            validity: Arc::new(camp_validity),
            categories: cats.into(),
            disabled: rules_problem.map(Arc::new),
            template,
            template_discount,
        };
        for (vi, v) in camp.vouchers.iter().cloned().enumerate() {
            self.compile_voucher(
                v,
                &format!("{path}.vouchers[{vi}]"),
                &camp.validity,
                &shared,
            )?;
        }
        self.compile_bulk_codes(&camp, path, &shared)?;
        self.compile_tiers(&camp, path, &shared)?;
        self.compile_stacks(&camp, path)
    }

    /// One redeemable stands for every bulk code of the campaign.
    fn compile_bulk_codes(
        &mut self,
        camp: &SourceCampaign,
        path: &str,
        shared: &Shared,
    ) -> Result<(), Error> {
        if camp.code_hashes.is_empty() {
            return Ok(());
        }
        let bulk = Voucher {
            id: Some(String::new()),
            code_hash: Some(String::new()),
            active: true,
            ..Voucher::default()
        };
        let pos = self.redeemables.len();
        self.compile_voucher(bulk, &format!("{path}.code_hashes"), &camp.validity, shared)?;
        if let Some(r) = self.redeemables.get_mut(pos) {
            r.shared = true;
        }
        let pos =
            u32::try_from(pos).map_err(|_| Error::snapshot_invalid(path, "too many codes"))?;
        self.hashes
            .extend(camp.code_hashes.iter().map(|h| (h.0, pos)));
        Ok(())
    }

    fn compile_tiers(
        &mut self,
        camp: &SourceCampaign,
        path: &str,
        shared: &Shared,
    ) -> Result<(), Error> {
        let mut tier_positions: Vec<(i64, usize)> = Vec::new();
        for (ti, tier) in camp.promotion_tiers.iter().enumerate() {
            let tpath = format!("{path}.promotion_tiers[{ti}]");
            if self.tier_ids.contains_key(&tier.id) {
                return Err(Error::snapshot_invalid(
                    format!("{tpath}.id"),
                    format!("duplicate promotion tier `{}`", tier.id),
                ));
            }
            let pos = self.redeemables.len();
            tier_positions.push((tier.hierarchy, pos));
            self.tier_ids.insert(tier.id.clone(), pos);
            let r = self.compile_tier(tier, &tpath, &camp.validity, shared)?;
            self.redeemables.push(r);
        }
        tier_positions.sort();
        self.tiers.extend(tier_positions.iter().map(|(_, p)| *p));
        Ok(())
    }

    fn compile_tier(
        &mut self,
        tier: &source::PromotionTier,
        tpath: &str,
        camp_validity: &source::Validity,
        shared: &Shared,
    ) -> Result<Redeemable, Error> {
        let tier_cats = categories_of(&tier.category_id, &tier.categories);
        self.check_categories(&tier_cats, &format!("{tpath}.categories"))?;
        let (own_rules, problem) = self.resolve_rules(&tier.validation_rule_ids, tpath);
        let all_rules: Vec<usize> = shared.rules.iter().copied().chain(own_rules).collect();
        let eligibility = self.eligibility_of(&all_rules);
        let (discount, dproblem) = self.discount_of(
            Some(&tier.action.discount),
            &eligibility,
            &format!("{tpath}.action.discount"),
        );
        let validity = validity::validity(&[camp_validity, &tier.validity]);
        if let (Err(e), true) = (&validity, has_validity(&tier.validity)) {
            self.warnings
                .push("VALIDITY_INVALID", tpath.to_string(), e.clone());
        }
        Ok(Redeemable {
            kind: RedeemableKind::PromotionTier,
            id: tier.id.clone(),
            code: None,
            shared: false,
            campaign: shared.campaign,
            name: Some(tier.name.clone()),
            banner: tier.banner.clone(),
            active: tier.active,
            validity: Arc::new(validity),
            discount,
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
            metadata: Arc::new(tier.metadata.clone()),
            disabled: shared
                .disabled
                .clone()
                .or(problem.or(dproblem).map(Arc::new)),
        })
    }

    fn compile_stacks(&mut self, camp: &SourceCampaign, path: &str) -> Result<(), Error> {
        for (si, stack) in camp.promotion_stacks.iter().enumerate() {
            let mut tiers = Vec::with_capacity(stack.tier_ids.len());
            for t in &stack.tier_ids {
                let pos = self.tier_ids.get(t).copied().ok_or_else(|| {
                    Error::snapshot_invalid(
                        format!("{path}.promotion_stacks[{si}].tier_ids"),
                        format!("unknown tier `{t}`"),
                    )
                })?;
                tiers.push(pos);
            }
            let entry = PromotionStack {
                name: stack.name.clone(),
                tiers,
            };
            if self.stacks.insert(stack.id.clone(), entry).is_some() {
                return Err(Error::snapshot_invalid(
                    format!("{path}.promotion_stacks[{si}].id"),
                    format!("duplicate stack `{}`", stack.id),
                ));
            }
        }
        Ok(())
    }

    /// A voucher's rules, targets and discount: the campaign's unless the
    /// voucher adds rules or its own discount.
    fn voucher_terms(&mut self, v: &Voucher, vpath: &str, shared: &Shared) -> Terms {
        let (own_rules, problem) = self.resolve_rules(&v.validation_rule_ids, vpath);
        let own = !own_rules.is_empty();
        let (rules, eligibility) = if own {
            let all: Vec<usize> = shared.rules.iter().copied().chain(own_rules).collect();
            let e = self.eligibility_of(&all);
            (all.into(), Arc::new(e))
        } else {
            (shared.rules.clone(), shared.eligibility.clone())
        };
        let dpath = format!("{vpath}.discount");
        let (discount, dproblem) = match (&v.discount, own) {
            (Some(d), _) => self.discount_of(Some(d), &eligibility, &dpath),
            (None, true) => {
                self.discount_of(shared.template.discount.as_ref(), &eligibility, &dpath)
            }
            (None, false) => shared.template_discount.clone(),
        };
        (rules, eligibility, discount, problem.or(dproblem))
    }

    /// The voucher's id, registering its code or hash for lookup.
    fn voucher_identity(&mut self, v: &Voucher, vpath: &str, pos: usize) -> Result<String, Error> {
        let id = match (&v.code, &v.code_hash) {
            (Some(code), _) => {
                if self.codes.insert(code.clone(), pos).is_some() {
                    return Err(Error::snapshot_invalid(
                        format!("{vpath}.code"),
                        format!("duplicate code `{code}`"),
                    ));
                }
                v.id.clone().unwrap_or_else(|| code.clone())
            }
            (None, Some(hash)) if hash.is_empty() => String::new(),
            (None, Some(hash)) => {
                let digest = crate::codes::CodeHash::parse(hash).ok_or_else(|| {
                    Error::snapshot_invalid(
                        format!("{vpath}.code_hash"),
                        "not a base64url SHA-256 hash",
                    )
                })?;
                let at = u32::try_from(pos)
                    .map_err(|_| Error::snapshot_invalid(vpath, "too many codes"))?;
                self.hashes.push((digest.0, at));
                v.id.clone().unwrap_or_default()
            }
            (None, None) => {
                return Err(Error::snapshot_invalid(
                    vpath.to_string(),
                    "a voucher needs `code` or `code_hash`",
                ))
            }
        };
        if let Some(vid) = v.id.as_ref().filter(|i| !i.is_empty()) {
            if v.code.as_deref() != Some(vid.as_str())
                && self.codes.insert(vid.clone(), pos).is_some()
            {
                return Err(Error::snapshot_invalid(
                    format!("{vpath}.id"),
                    format!("duplicate voucher id `{vid}`"),
                ));
            }
        }
        Ok(id)
    }

    fn compile_voucher(
        &mut self,
        v: Voucher,
        vpath: &str,
        camp_validity: &source::Validity,
        shared: &Shared,
    ) -> Result<(), Error> {
        let (rules, eligibility, discount, problem) = self.voucher_terms(&v, vpath, shared);
        let template = &shared.template;
        let voucher_type = v
            .voucher_type
            .as_deref()
            .or(template.voucher_type.as_deref());
        let kind = match (voucher_type, shared.campaign_type) {
            (Some("GIFT_VOUCHER"), _) | (None, CampaignType::GiftVouchers) => {
                RedeemableKind::GiftCard
            }
            (Some("LOYALTY_CARD"), _) | (None, CampaignType::LoyaltyProgram) => {
                RedeemableKind::LoyaltyCard
            }
            _ => RedeemableKind::DiscountVoucher,
        };
        let validity = if has_validity(&v.validity) {
            let c = validity::validity(&[camp_validity, &v.validity]);
            if let Err(e) = &c {
                self.warnings
                    .push("VALIDITY_INVALID", vpath.to_string(), e.clone());
            }
            Arc::new(c)
        } else {
            shared.validity.clone()
        };
        let pos = self.redeemables.len();
        let id = self.voucher_identity(&v, vpath, pos)?;
        let mut disabled = shared.disabled.clone().or(problem.map(Arc::new));
        // A referral code may carry no discount (single-sided programs reward the referrer only).
        let referral = shared.campaign_type == CampaignType::ReferralProgram || v.is_referral_code;
        if disabled.is_none()
            && kind == RedeemableKind::DiscountVoucher
            && discount.is_none()
            && !referral
        {
            let m = "discount voucher has no discount".to_string();
            self.warnings
                .push("DISCOUNT_INVALID", vpath.to_string(), m.clone());
            disabled = Some(Arc::new(m));
        }
        let limit = v.redemption.as_ref().or(template.redemption.as_ref());
        self.redeemables.push(Redeemable {
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
            gift: v.gift.as_ref().or(template.gift.as_ref()).map(|g| Gift {
                balance: g.balance.or(Some(g.amount)),
                to_items: g.effect.as_deref() == Some("APPLY_TO_ITEMS"),
            }),
            loyalty_balance: v
                .loyalty_card
                .as_ref()
                .or(template.loyalty_card.as_ref())
                .map(|l| l.balance.unwrap_or(l.points)),
            quantity: limit.and_then(|l| l.quantity),
            redeemed_quantity: limit.map(|l| l.redeemed_quantity).unwrap_or(0),
            holder: v.holder_id,
            holder_only: v.redeemable_by_holder_only,
            is_referral: v.is_referral_code,
            rules,
            eligibility,
            categories: shared.categories.clone(),
            metadata: Arc::new(if v.metadata.is_empty() {
                Metadata::new()
            } else {
                v.metadata
            }),
            disabled,
        });
        Ok(())
    }
}
