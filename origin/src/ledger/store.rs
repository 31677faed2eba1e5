//! The ledger's SQL primitives: counters, balances, the per-period item
//! counts, and the effects a redemption records so a rollback undoes
//! exactly them.

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

use crate::api_error::ApiError;

pub(super) fn counter(
    conn: &Connection,
    scope: &str,
    key: &str,
    name: &str,
) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT value FROM counters WHERE scope = ?1 AND key = ?2 AND name = ?3",
        params![scope, key, name],
        |r| r.get(0),
    )
    .optional()
}

pub(super) fn balance(conn: &Connection, key: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT balance FROM balances WHERE key = ?1",
        params![key],
        |r| r.get(0),
    )
    .optional()
}

/// `item_counts.customer` for every customer together (a customer is
/// stored as `c:<id>`, so no id can collide with it).
const ALL_CUSTOMERS: &str = "*";

/// The live (not rolled back) redemption items of a ledger key (`scope`
/// `key`) or a campaign (`campaign`), for one customer or all, over all
/// time or one `day`/`week`/`month`: one lookup in `item_counts`, which
/// every recorded item and every rollback keeps in step with the log.
pub(super) fn count_items(
    conn: &Connection,
    scope: &str,
    id: &str,
    customer: Option<&str>,
    period: Option<(&str, &str)>,
) -> rusqlite::Result<i64> {
    let customer = customer.map_or_else(|| ALL_CUSTOMERS.to_string(), |c| format!("c:{c}"));
    let period = period.map_or_else(
        || "all".to_string(),
        |(name, value)| format!("{name}:{value}"),
    );
    conn.prepare_cached(
        "SELECT count FROM item_counts WHERE scope = ?1 AND id = ?2 AND customer = ?3 AND period = ?4",
    )?
    .query_row(params![scope, id, customer, period], |r| r.get(0))
    .optional()
    .map(|c| c.unwrap_or(0))
}

/// Adds `delta` (+1 for a recorded item, −1 when it is rolled back) to every
/// count the item is in: its key and its campaign, its customer and all
/// customers, all time and its day, week and month.
#[allow(clippy::too_many_arguments)]
pub(super) fn bump_item_counts(
    conn: &Connection,
    key: &str,
    campaign: &str,
    customer: Option<&str>,
    day: &str,
    week: &str,
    month: &str,
    delta: i64,
) -> rusqlite::Result<()> {
    // An upsert would check `count >= 0` on the row it tries to insert
    // first, so a decrement (always of an existing count) is an update.
    let mut stmt = conn.prepare_cached(if delta > 0 {
        "INSERT INTO item_counts (scope, id, customer, period, count) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (scope, id, customer, period) DO UPDATE SET count = count + ?5"
    } else {
        "UPDATE item_counts SET count = count + ?5
         WHERE scope = ?1 AND id = ?2 AND customer = ?3 AND period = ?4"
    })?;
    let customers = [
        Some(ALL_CUSTOMERS.to_string()),
        customer.map(|c| format!("c:{c}")),
    ];
    let periods = [
        "all".to_string(),
        format!("day:{day}"),
        format!("week:{week}"),
        format!("month:{month}"),
    ];
    for (scope, id) in [("key", key), ("campaign", campaign)] {
        for who in customers.iter().flatten() {
            for period in &periods {
                stmt.execute(params![scope, id, who, period, delta])?;
            }
        }
    }
    Ok(())
}

pub(super) struct Effects<'a> {
    pub(super) tx: &'a Connection,
    pub(super) redemption: &'a str,
}

impl Effects<'_> {
    /// `counters[scope,key,name] += delta`, starting from `initial`.
    pub(super) fn counter(
        &self,
        scope: &str,
        key: &str,
        name: &str,
        delta: i64,
        initial: i64,
    ) -> rusqlite::Result<()> {
        if delta == 0 {
            return Ok(());
        }
        self.tx.execute(
            "INSERT INTO counters (scope, key, name, value) VALUES (?1, ?2, ?3, ?4 + ?5)
             ON CONFLICT (scope, key, name) DO UPDATE SET value = value + ?5",
            params![scope, key, name, initial, delta],
        )?;
        self.record("counter", scope, key, name, delta)
    }

    /// `balances[key] += delta` (negative to spend), starting from
    /// `initial`; fails rather than going below zero.
    pub(super) fn balance(
        &self,
        kind: &str,
        key: &str,
        delta: i64,
        initial: i64,
    ) -> Result<(), ApiError> {
        if delta == 0 {
            return Ok(());
        }
        self.tx.execute(
            "INSERT OR IGNORE INTO balances (key, kind, balance) VALUES (?1, ?2, ?3)",
            params![key, kind, initial.max(0)],
        )?;
        let changed = self.tx.execute(
            "UPDATE balances SET balance = balance + ?2 WHERE key = ?1 AND balance + ?2 >= 0",
            params![key, delta],
        )?;
        if changed != 1 {
            return Err(ApiError::new(
                409,
                "BALANCE_INSUFFICIENT",
                format!("the {kind} balance does not cover {}", -delta),
            ));
        }
        self.record("balance", kind, key, kind, delta)?;
        Ok(())
    }

    fn record(
        &self,
        kind: &str,
        scope: &str,
        key: &str,
        name: &str,
        delta: i64,
    ) -> rusqlite::Result<()> {
        self.tx.execute(
            "INSERT INTO redemption_effects (redemption_id, kind, scope, key, name, delta)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![self.redemption, kind, scope, key, name, delta],
        )?;
        Ok(())
    }
}

/// Undoes every counter and balance change a redemption recorded, in the
/// order they were made; answers each as `{scope, key, name, delta}`.
///
/// Points it added to a card may have been spent since: a balance never
/// goes below zero, so only what is left is taken back, and the entry's
/// `shortfall` names the points that could not be.
pub(super) fn revert_effects(tx: &Connection, id: &str) -> rusqlite::Result<Vec<Value>> {
    let effects: Vec<(String, String, String, String, i64)> = {
        let mut stmt = tx.prepare(
            "SELECT kind, scope, key, name, delta FROM redemption_effects WHERE redemption_id = ?1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map(params![id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut reverted = Vec::new();
    for (kind, scope, key, name, delta) in effects {
        if kind != "balance" {
            tx.execute(
                "UPDATE counters SET value = value - ?4 WHERE scope = ?1 AND key = ?2 AND name = ?3",
                params![scope, key, name, delta],
            )?;
            reverted.push(json!({"scope": scope, "key": key, "name": name, "delta": -delta}));
            continue;
        }
        let current = balance(tx, &key)?.unwrap_or(0);
        let back = if delta > 0 {
            -delta.min(current)
        } else {
            -delta
        };
        tx.execute(
            "UPDATE balances SET balance = balance + ?2 WHERE key = ?1",
            params![key, back],
        )?;
        let shortfall = delta.saturating_add(back);
        reverted.push(if shortfall > 0 {
            json!({"scope": scope, "key": key, "name": name, "delta": back, "shortfall": shortfall})
        } else {
            json!({"scope": scope, "key": key, "name": name, "delta": back})
        });
    }
    Ok(reverted)
}

/// Takes a redemption's items out of every count and marks them rolled back.
pub(super) fn revert_items(tx: &Connection, id: &str) -> rusqlite::Result<()> {
    let items: Vec<(String, String, Option<String>, String, String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT ledger_key, campaign_id, customer, day, week, month FROM redemption_items
             WHERE redemption_id = ?1 AND rolled_back = 0",
        )?;
        let rows = stmt.query_map(params![id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (key, campaign, customer, day, week, month) in &items {
        bump_item_counts(tx, key, campaign, customer.as_deref(), day, week, month, -1)?;
    }
    tx.execute(
        "UPDATE redemption_items SET rolled_back = 1 WHERE redemption_id = ?1",
        params![id],
    )?;
    Ok(())
}
