//! The live counters a request is evaluated with.

use std::collections::BTreeMap;

use promo_edge::plan::Plan;
use promo_edge::request::ValidationRequest;
use promo_edge::time::Instant;
use rusqlite::Connection;

use super::store::{balance, count_items, counter};
use super::targets::{customer_of, periods, Periods, Target};

type Named = BTreeMap<String, i64>;

/// Replaces the request's counters with the ledger's.
pub(super) fn fill_counters(
    conn: &Connection,
    snap: &Plan,
    req: &mut ValidationRequest,
    targets: &[Target],
    now: Instant,
) -> rusqlite::Result<()> {
    let p = periods(snap, now);
    let customer = customer_of(req);
    let cust = customer.as_deref();
    let mut counters = promo_edge::request::Counters::default();
    for t in targets {
        let mut m = item_counts(conn, "key", &t.key, &p, cust)?;
        let redeemed = counter(conn, "redeemable", &t.key, "redeemed_quantity")?
            .unwrap_or(t.published.redeemed_quantity);
        m.insert("redeemed_quantity".to_string(), redeemed);
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
        let mut c = item_counts(conn, "campaign", &t.campaign, &p, cust)?;
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
        counters.campaigns.insert(t.campaign.clone(), c);
    }
    req.counters = counters;
    Ok(())
}

/// The item counts of a ledger key (`scope` `key`) or a campaign, named as
/// the core reads them: this customer's (`customer_redemptions` and its
/// `_daily`/`_weekly`/`_monthly`; 0 without a customer) and everyone's in
/// this day, week and month (`redemptions_daily`, …).
fn item_counts(
    conn: &Connection,
    scope: &str,
    id: &str,
    p: &Periods,
    customer: Option<&str>,
) -> rusqlite::Result<Named> {
    let per_customer = |period| match customer {
        Some(c) => count_items(conn, scope, id, Some(c), period),
        None => Ok(0),
    };
    let mut m = Named::new();
    m.insert("customer_redemptions".into(), per_customer(None)?);
    let periods = [
        ("daily", "day", p.day.as_str()),
        ("weekly", "week", p.week.as_str()),
        ("monthly", "month", p.month.as_str()),
    ];
    for (suffix, name, value) in periods {
        m.insert(
            format!("customer_redemptions_{suffix}"),
            per_customer(Some((name, value)))?,
        );
        m.insert(
            format!("redemptions_{suffix}"),
            count_items(conn, scope, id, None, Some((name, value)))?,
        );
    }
    Ok(m)
}
