//! The live counters a request is evaluated with.

use std::collections::BTreeMap;

use promo_edge::request::ValidationRequest;
use promo_edge::snapshot::CompiledSnapshot;
use promo_edge::time::Instant;
use rusqlite::Connection;

use super::store::{balance, count_items, counter};
use super::targets::{customer_of, periods, Target};

/// Replaces the request's counters with the ledger's.
pub(super) fn fill_counters(
    conn: &Connection,
    snap: &CompiledSnapshot,
    req: &mut ValidationRequest,
    targets: &[Target],
    now: Instant,
) -> rusqlite::Result<()> {
    let p = periods(snap, now);
    let customer = customer_of(req);
    let cust = customer.as_deref();
    let mut counters = promo_edge::request::Counters::default();
    for t in targets {
        let mut m = BTreeMap::new();
        let redeemed = counter(conn, "redeemable", &t.key, "redeemed_quantity")?
            .unwrap_or(t.published.redeemed_quantity);
        m.insert("redeemed_quantity".to_string(), redeemed);
        let periods = [
            ("day", p.day.as_str()),
            ("week", p.week.as_str()),
            ("month", p.month.as_str()),
        ];
        let per_customer = |period| match cust {
            Some(c) => count_items(conn, "key", &t.key, Some(c), period),
            None => Ok(0),
        };
        m.insert("customer_redemptions".into(), per_customer(None)?);
        for (suffix, (pname, pval)) in ["daily", "weekly", "monthly"].iter().zip(periods) {
            m.insert(
                format!("customer_redemptions_{suffix}"),
                per_customer(Some((pname, pval)))?,
            );
            m.insert(
                format!("redemptions_{suffix}"),
                count_items(conn, "key", &t.key, None, Some((pname, pval)))?,
            );
        }
        if let Some(initial) = t.published.gift_balance {
            m.insert(
                "gift_balance".into(),
                balance(conn, &t.key)?.unwrap_or(initial),
            );
        }
        if let Some(initial) = t.published.loyalty_balance {
            m.insert(
                "loyalty_balance".into(),
                balance(conn, &t.key)?.unwrap_or(initial),
            );
        }
        counters.redeemables.insert(t.requested.clone(), m);

        if counters.campaigns.contains_key(&t.campaign) {
            continue;
        }
        let mut c = BTreeMap::new();
        for name in [
            "redemptions",
            "orders_amount",
            "amount_discounted",
            "gift_amount",
            "points_used",
        ] {
            c.insert(
                name.to_string(),
                counter(conn, "campaign", &t.campaign, name)?.unwrap_or(0),
            );
        }
        let per_customer = |period| match cust {
            Some(x) => count_items(conn, "campaign", &t.campaign, Some(x), period),
            None => Ok(0),
        };
        c.insert("customer_redemptions".into(), per_customer(None)?);
        for (suffix, (pname, pval)) in ["daily", "weekly", "monthly"].iter().zip(periods) {
            c.insert(
                format!("customer_redemptions_{suffix}"),
                per_customer(Some((pname, pval)))?,
            );
            c.insert(
                format!("redemptions_{suffix}"),
                count_items(conn, "campaign", &t.campaign, None, Some((pname, pval)))?,
            );
        }
        counters.campaigns.insert(t.campaign.clone(), c);
    }
    req.counters = counters;
    Ok(())
}
