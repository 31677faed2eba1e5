//! Qualification filters and the "tied to the cart's products" test.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::Error;
use crate::order::OrderState;
use crate::plan::{CampaignType, Plan, Redeemable, RedeemableKind};
use crate::request::CustomerInput;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Is,
    IsNot,
    In,
    NotIn,
    HasValue,
    IsUnknown,
}

#[derive(Debug, Clone)]
struct Condition {
    field: String,
    op: Op,
    values: Vec<String>,
}

/// Compiled `options.filters`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    conditions: Vec<Condition>,
    any: bool,
}

const FIELDS: &[&str] = &[
    "campaign_type",
    "category_id",
    "campaign_id",
    "resource_type",
    "resource_id",
    "voucher_type",
    "holder_role",
    "code",
];

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Filter {
    /// Compiles filters; unknown fields and operators are request errors.
    pub fn compile(filters: &BTreeMap<String, Value>) -> Result<Filter, Error> {
        let mut out = Filter::default();
        for (field, spec) in filters {
            if field == "junction" {
                out.any = match spec.as_str().map(str::to_ascii_uppercase).as_deref() {
                    Some("OR") => true,
                    Some("AND") => false,
                    _ => {
                        return Err(Error::invalid_request(
                            "options.filters.junction",
                            "must be AND or OR",
                        ))
                    }
                };
                continue;
            }
            if !FIELDS.contains(&field.as_str()) {
                return Err(Error::invalid_request(
                    format!("options.filters.{field}"),
                    "unknown filter field",
                ));
            }
            let conds = spec
                .get("conditions")
                .and_then(Value::as_object)
                .ok_or_else(|| {
                    Error::invalid_request(format!("options.filters.{field}"), "needs `conditions`")
                })?;
            for (key, vals) in conds {
                let op = match key.as_str() {
                    "$is" => Op::Is,
                    "$is_not" => Op::IsNot,
                    "$in" => Op::In,
                    "$not_in" => Op::NotIn,
                    "$has_value" => Op::HasValue,
                    "$is_unknown" => Op::IsUnknown,
                    other => {
                        return Err(Error::invalid_request(
                            format!("options.filters.{field}.conditions"),
                            format!("unknown operator `{other}`"),
                        ))
                    }
                };
                let values = match vals {
                    Value::Array(a) => a.iter().filter_map(text).collect(),
                    other => text(other).into_iter().collect(),
                };
                out.conditions.push(Condition {
                    field: field.clone(),
                    op,
                    values,
                });
            }
        }
        Ok(out)
    }

    /// Whether a candidate passes.
    pub fn admits(
        &self,
        snap: &Plan,
        r: &Redeemable,
        id: &str,
        who: Option<&CustomerInput>,
    ) -> bool {
        if self.conditions.is_empty() {
            return true;
        }
        let mut results = self.conditions.iter().map(|c| {
            let actual = field_values(snap, r, id, who, &c.field);
            match c.op {
                Op::Is | Op::In => actual.iter().any(|a| c.values.contains(a)),
                Op::IsNot | Op::NotIn => !actual.iter().any(|a| c.values.contains(a)),
                Op::HasValue => !actual.is_empty(),
                Op::IsUnknown => actual.is_empty(),
            }
        });
        if self.any {
            results.any(|x| x)
        } else {
            results.all(|x| x)
        }
    }
}

fn campaign_type_name(t: CampaignType) -> &'static str {
    match t {
        CampaignType::DiscountCoupons => "DISCOUNT_COUPONS",
        CampaignType::Promotion => "PROMOTION",
        CampaignType::GiftVouchers => "GIFT_VOUCHERS",
        CampaignType::LoyaltyProgram => "LOYALTY_PROGRAM",
        CampaignType::ReferralProgram => "REFERRAL_PROGRAM",
    }
}

fn field_values(
    snap: &Plan,
    r: &Redeemable,
    id: &str,
    who: Option<&CustomerInput>,
    field: &str,
) -> Vec<String> {
    let camp = snap.campaigns.get(r.campaign);
    match field {
        "campaign_type" => camp
            .map(|c| campaign_type_name(c.campaign_type).to_string())
            .into_iter()
            .collect(),
        "campaign_id" => camp.map(|c| c.id.clone()).into_iter().collect(),
        "category_id" => r.categories.to_vec(),
        "resource_type" => vec![if r.kind == RedeemableKind::PromotionTier {
            "promotion_tier"
        } else {
            "voucher"
        }
        .to_string()],
        "resource_id" | "code" => vec![id.to_string()],
        "voucher_type" => match r.kind {
            RedeemableKind::DiscountVoucher => vec!["DISCOUNT_VOUCHER".into()],
            RedeemableKind::GiftCard => vec!["GIFT_VOUCHER".into()],
            RedeemableKind::LoyaltyCard => vec!["LOYALTY_CARD".into()],
            RedeemableKind::PromotionTier => Vec::new(),
        },
        "holder_role" => {
            let holds = r
                .holder
                .as_deref()
                .is_some_and(|h| who.is_some_and(|c| c.is(h)));
            match (r.is_referral, holds) {
                (true, true) => vec!["REFERRER".into()],
                (true, false) => vec!["REFEREE".into()],
                (false, true) => vec!["OWNER".into()],
                (false, false) => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// Whether a redeemable is tied to a product in the cart: it targets one
/// (included or excluded), or one of its rules or bundles names one.
pub fn touches_cart(snap: &Plan, r: &Redeemable, order: &OrderState) -> bool {
    let e = &r.eligibility;
    let targets = e.included.iter().chain(&e.excluded);
    for t in targets {
        if order.lines.iter().any(|l| l.matches(Some(t.object), t.key)) {
            return true;
        }
    }
    if e.included_all && !order.lines.is_empty() {
        return true;
    }
    r.rules
        .iter()
        .filter_map(|i| snap.rules.get(*i).and_then(|x| x.as_ref().ok()))
        .any(|vr| {
            vr.rules.rules.iter().any(|rule| {
                rule.targets.iter().any(|(_, ts)| {
                    ts.iter()
                        .any(|t| order.lines.iter().any(|l| l.matches(t.object, t.key)))
                })
            }) || vr.bundle.as_ref().is_some_and(|b| b.names_any(order))
        })
}
