//! The ledger's bookkeeping over a [`Tx`]: counters, balances, the
//! per-period item counts, and the effects a redemption records so a
//! rollback undoes exactly them.

use serde_json::{json, Value};

use super::db::{CountKey, DbResult, Effect, Item, Tx};
use crate::api_error::ApiError;

/// `item_counts.customer` for every customer together (a customer is
/// stored as `c:<id>`, so no id can collide with it).
const ALL_CUSTOMERS: &str = "*";

/// The `item_counts` row of a ledger key (`scope` `key`) or a campaign
/// (`campaign`), for one customer or all, over all time or one
/// `day`/`week`/`month`.
pub(super) fn count_key(
    scope: &str,
    id: &str,
    customer: Option<&str>,
    period: Option<(&str, &str)>,
) -> CountKey {
    CountKey {
        scope: scope.to_string(),
        id: id.to_string(),
        customer: customer.map_or_else(|| ALL_CUSTOMERS.to_string(), |c| format!("c:{c}")),
        period: period.map_or_else(
            || "all".to_string(),
            |(name, value)| format!("{name}:{value}"),
        ),
    }
}

/// Every count an item is in: its key and its campaign, its customer and
/// all customers, all time and its day, week and month.
fn counts_of(item: &Item) -> Vec<CountKey> {
    let mut customers = vec![None];
    if let Some(c) = item.customer.as_deref() {
        customers.push(Some(c));
    }
    let periods = [
        None,
        Some(("day", item.day.as_str())),
        Some(("week", item.week.as_str())),
        Some(("month", item.month.as_str())),
    ];
    let mut out = Vec::with_capacity(16);
    for (scope, id) in [("key", &item.ledger_key), ("campaign", &item.campaign_id)] {
        for who in &customers {
            for period in periods {
                out.push(count_key(scope, id, *who, period));
            }
        }
    }
    out
}

/// Adds `delta` (+1 for a recorded item, −1 when it is rolled back) to
/// every count the item is in, in one batch.
pub(super) fn bump_item_counts(tx: &mut dyn Tx, item: &Item, delta: i64) -> DbResult<()> {
    tx.add_item_counts(&counts_of(item), delta)
}

/// Records the counter and balance changes of one redemption.
pub(super) struct Effects<'a> {
    pub(super) redemption: &'a str,
}

impl Effects<'_> {
    /// `counters[scope,key,name] += delta`, starting from `initial`.
    pub(super) fn counter(
        &self,
        tx: &mut dyn Tx,
        scope: &str,
        key: &str,
        name: &str,
        delta: i64,
        initial: i64,
    ) -> DbResult<()> {
        if delta == 0 {
            return Ok(());
        }
        tx.add_counter(scope, key, name, delta, initial)?;
        self.record(tx, "counter", scope, key, name, delta)
    }

    /// `balances[key] += delta` (negative to spend), starting from
    /// `initial`; fails rather than going below zero.
    pub(super) fn balance(
        &self,
        tx: &mut dyn Tx,
        kind: &str,
        key: &str,
        delta: i64,
        initial: i64,
    ) -> Result<(), ApiError> {
        if delta == 0 {
            return Ok(());
        }
        tx.open_balance(key, kind, initial.max(0))?;
        if !tx.move_balance(key, delta)? {
            return Err(ApiError::new(
                409,
                "BALANCE_INSUFFICIENT",
                format!("the {kind} balance does not cover {}", -delta),
            ));
        }
        self.record(tx, "balance", kind, key, kind, delta)?;
        Ok(())
    }

    fn record(
        &self,
        tx: &mut dyn Tx,
        kind: &str,
        scope: &str,
        key: &str,
        name: &str,
        delta: i64,
    ) -> DbResult<()> {
        tx.insert_effect(
            self.redemption,
            &Effect {
                kind: kind.to_string(),
                scope: scope.to_string(),
                key: key.to_string(),
                name: name.to_string(),
                delta,
            },
        )
    }
}

/// Undoes every counter and balance change a redemption recorded, in the
/// order they were made; answers each as `{scope, key, name, delta}`.
///
/// Points it added to a card may have been spent since: a balance never
/// goes below zero, so only what is left is taken back (read with its row
/// locked, so a concurrent credit cannot slip between the read and the
/// change), and the entry's `shortfall` names the points that could not be.
pub(super) fn revert_effects(tx: &mut dyn Tx, effects: &[Effect]) -> DbResult<Vec<Value>> {
    let mut reverted = Vec::new();
    for e in effects {
        if e.kind != "balance" {
            tx.add_counter(&e.scope, &e.key, &e.name, -e.delta, 0)?;
            reverted
                .push(json!({"scope": e.scope, "key": e.key, "name": e.name, "delta": -e.delta}));
            continue;
        }
        let current = tx.balance_for_update(&e.key)?.unwrap_or(0);
        let back = if e.delta > 0 {
            -e.delta.min(current)
        } else {
            -e.delta
        };
        tx.move_balance(&e.key, back)?;
        let shortfall = e.delta.saturating_add(back);
        reverted.push(if shortfall > 0 {
            json!({"scope": e.scope, "key": e.key, "name": e.name, "delta": back, "shortfall": shortfall})
        } else {
            json!({"scope": e.scope, "key": e.key, "name": e.name, "delta": back})
        });
    }
    Ok(reverted)
}

/// Takes a redemption's items out of every count and marks them rolled back.
pub(super) fn revert_items(tx: &mut dyn Tx, id: &str, items: &[Item]) -> DbResult<()> {
    for item in items {
        bump_item_counts(tx, item, -1)?;
    }
    tx.mark_items_rolled_back(id)
}
