//! The live counters a request is evaluated with.

use std::collections::BTreeMap;

use promo_edge::plan::Plan;
use promo_edge::request::ValidationRequest;
use promo_edge::time::Instant;

use super::db::{CountKey, DbResult, Tx};
use super::store::count_key;
use super::targets::{customer_of, periods, Periods, Target};

type Named = BTreeMap<String, i64>;

/// The ledger keys and campaigns a request's counters are read from: what
/// a redemption locks before it reads them (see [`Tx::lock`]).
pub(super) fn lock_keys(targets: &[Target]) -> Vec<String> {
    let mut keys = Vec::new();
    for t in targets {
        keys.push(format!("key:{}", t.key));
        keys.push(format!("campaign:{}", t.campaign));
    }
    keys
}

/// Replaces the request's counters with the ledger's.
pub(super) fn fill_counters(
    tx: &mut dyn Tx,
    snap: &Plan,
    req: &mut ValidationRequest,
    targets: &[Target],
    now: Instant,
) -> DbResult<()> {
    let p = periods(snap, now);
    let customer = customer_of(req);
    let cust = customer.as_deref();
    let mut counters = promo_edge::request::Counters::default();
    for t in targets {
        let mut m = item_counts(tx, "key", &t.key, &p, cust)?;
        let redeemed = tx
            .counter("redeemable", &t.key, "redeemed_quantity")?
            .unwrap_or(t.published.redeemed_quantity);
        m.insert("redeemed_quantity".to_string(), redeemed);
        if let Some(initial) = t.published.gift_balance {
            m.insert(
                "gift_balance".into(),
                tx.balance(&t.key)?.unwrap_or(initial),
            );
        }
        if let Some(initial) = t.published.loyalty_balance {
            m.insert(
                "loyalty_balance".into(),
                tx.balance(&t.key)?.unwrap_or(initial),
            );
        }
        counters.redeemables.insert(t.requested.clone(), m);

        if counters.campaigns.contains_key(&t.campaign) {
            continue;
        }
        let mut c = item_counts(tx, "campaign", &t.campaign, &p, cust)?;
        for name in [
            "redemptions",
            "orders_amount",
            "amount_discounted",
            "gift_amount",
            "points_used",
        ] {
            c.insert(
                name.to_string(),
                tx.counter("campaign", &t.campaign, name)?.unwrap_or(0),
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
/// this day, week and month (`redemptions_daily`, …). One batch.
fn item_counts(
    tx: &mut dyn Tx,
    scope: &str,
    id: &str,
    p: &Periods,
    customer: Option<&str>,
) -> DbResult<Named> {
    let periods = [
        ("daily", "day", p.day.as_str()),
        ("weekly", "week", p.week.as_str()),
        ("monthly", "month", p.month.as_str()),
    ];
    // (name, key) pairs; per-customer counts without a customer are 0 and
    // not looked up.
    let mut wanted: Vec<(String, CountKey)> = Vec::new();
    let mut m = Named::new();
    let mut per_customer = |name: String, period: Option<(&str, &str)>| match customer {
        Some(c) => wanted.push((name, count_key(scope, id, Some(c), period))),
        None => {
            m.insert(name, 0);
        }
    };
    per_customer("customer_redemptions".into(), None);
    for (suffix, name, value) in periods {
        per_customer(
            format!("customer_redemptions_{suffix}"),
            Some((name, value)),
        );
    }
    for (suffix, name, value) in periods {
        wanted.push((
            format!("redemptions_{suffix}"),
            count_key(scope, id, None, Some((name, value))),
        ));
    }
    let keys: Vec<CountKey> = wanted.iter().map(|(_, k)| k.clone()).collect();
    let values = tx.item_counts(&keys)?;
    for ((name, _), v) in wanted.into_iter().zip(values) {
        m.insert(name, v);
    }
    Ok(m)
}
