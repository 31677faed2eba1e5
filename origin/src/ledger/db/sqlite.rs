//! SQLite (WAL, `rusqlite` with the bundled library): the embedded
//! default. One writer connection runs every write transaction as
//! `BEGIN IMMEDIATE`, so write transactions never interleave and
//! [`Tx::lock`] has nothing to do; a reader connection serves validations
//! and lookups beside it (WAL readers see the last commit).

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::migrations::{applied_at, pending, MIGRATIONS_TABLE_SQLITE};
use super::{
    CountKey, DbError, DbErrorKind, DbResult, Earlier, Effect, Item, NewEvent, NewRedemption,
    StoredBundle, StoredEvent, StoredKey, Tx,
};
use crate::api_error::ApiError;
use crate::error::CliError;

pub struct SqliteDb {
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> DbError {
        let kind = match e.sqlite_error_code() {
            // Another process held the file past the busy timeout.
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                DbErrorKind::Timeout
            }
            _ => DbErrorKind::Other,
        };
        DbError::new(kind, e.to_string())
    }
}

fn open_conn(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // A committed redemption survives a power cut.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave a half-done transaction
    // behind (rusqlite rolls back on drop), so the poison flag is ignored.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), CliError> {
    let err =
        |e: rusqlite::Error| CliError::new("LEDGER_ERROR", format!("{}: {e}", path.display()));
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err)?;
    tx.execute_batch(MIGRATIONS_TABLE_SQLITE).map_err(err)?;
    let current: i64 = tx
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )
        .map_err(err)?;
    let current = u32::try_from(current).unwrap_or(u32::MAX);
    for m in pending(current, &format!("sqlite:{}", path.display()))? {
        tx.execute_batch(m.sqlite).map_err(err)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            params![m.version, m.name, applied_at()],
        )
        .map_err(err)?;
    }
    tx.commit().map_err(err)
}

impl SqliteDb {
    pub fn open(path: &Path) -> Result<SqliteDb, CliError> {
        let err =
            |e: rusqlite::Error| CliError::new("LEDGER_ERROR", format!("{}: {e}", path.display()));
        let mut writer = open_conn(path).map_err(err)?;
        migrate(&mut writer, path)?;
        let reader = open_conn(path).map_err(err)?;
        Ok(SqliteDb {
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
        })
    }

    pub fn write<T>(
        &self,
        mut work: impl FnMut(&mut dyn Tx) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(DbError::from)?;
        let out = work(&mut SqliteTx { conn: &tx })?;
        tx.commit().map_err(DbError::from)?;
        Ok(out)
    }

    pub fn read<T>(
        &self,
        work: impl FnOnce(&mut dyn Tx) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut conn = lock(&self.reader);
        // A deferred transaction on a WAL reader is one snapshot.
        let tx = conn.transaction().map_err(DbError::from)?;
        let out = work(&mut SqliteTx { conn: &tx })?;
        tx.finish().map_err(DbError::from)?;
        Ok(out)
    }
}

struct SqliteTx<'a> {
    conn: &'a Connection,
}

fn bundle_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredBundle> {
    Ok(StoredBundle {
        channel: r.get(0)?,
        version: r.get::<_, i64>(1)?.try_into().unwrap_or(0),
        source_digest: r.get(2)?,
        etag: r.get(3)?,
        bundle: r.get(4)?,
        expires_at: r.get(5)?,
    })
}

fn item_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Item> {
    Ok(Item {
        ledger_key: r.get(0)?,
        campaign_id: r.get(1)?,
        customer: r.get(2)?,
        day: r.get(3)?,
        week: r.get(4)?,
        month: r.get(5)?,
    })
}

impl Tx for SqliteTx<'_> {
    fn lock(&mut self, _keys: &[String]) -> DbResult<()> {
        // BEGIN IMMEDIATE already made this the only writer.
        Ok(())
    }

    fn earlier(&mut self, channel: &str, key: &str) -> DbResult<Option<Earlier>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT request_hash, response, status FROM redemptions WHERE channel = ?1 AND idempotency_key = ?2",
            )?
            .query_row(params![channel, key], |r| {
                Ok(Earlier {
                    request_hash: r.get(0)?,
                    response: r.get(1)?,
                    status: r.get(2)?,
                })
            })
            .optional()?)
    }

    fn insert_redemption(&mut self, r: &NewRedemption<'_>) -> DbResult<()> {
        self.conn.prepare_cached(
            "INSERT INTO redemptions (id, channel, idempotency_key, request_hash, status, response, customer, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            r.id,
            r.channel,
            r.idempotency_key,
            r.request_hash,
            r.status,
            r.response,
            r.customer,
            r.created_at
        ])?;
        Ok(())
    }

    fn redemption(
        &mut self,
        channel: &str,
        id: &str,
    ) -> DbResult<Option<(String, Option<String>)>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT response, rolled_back_at FROM redemptions WHERE id = ?1 AND channel = ?2",
            )?
            .query_row(params![id, channel], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn redemption_for_update(
        &mut self,
        channel: &str,
        id: &str,
    ) -> DbResult<Option<(String, Option<String>)>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT status, rolled_back_at FROM redemptions WHERE id = ?1 AND channel = ?2",
            )?
            .query_row(params![id, channel], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn set_rolled_back(&mut self, id: &str, at: &str) -> DbResult<()> {
        self.conn
            .prepare_cached("UPDATE redemptions SET rolled_back_at = ?2 WHERE id = ?1")?
            .execute(params![id, at])?;
        Ok(())
    }

    fn counter(&mut self, scope: &str, key: &str, name: &str) -> DbResult<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT value FROM counters WHERE scope = ?1 AND key = ?2 AND name = ?3",
            )?
            .query_row(params![scope, key, name], |r| r.get(0))
            .optional()?)
    }

    fn add_counter(
        &mut self,
        scope: &str,
        key: &str,
        name: &str,
        delta: i64,
        initial: i64,
    ) -> DbResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO counters (scope, key, name, value) VALUES (?1, ?2, ?3, ?4 + ?5)
                 ON CONFLICT (scope, key, name) DO UPDATE SET value = value + ?5",
            )?
            .execute(params![scope, key, name, initial, delta])?;
        Ok(())
    }

    fn balance(&mut self, key: &str) -> DbResult<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT balance FROM balances WHERE key = ?1")?
            .query_row(params![key], |r| r.get(0))
            .optional()?)
    }

    fn balance_for_update(&mut self, key: &str) -> DbResult<Option<i64>> {
        self.balance(key)
    }

    fn open_balance(&mut self, key: &str, kind: &str, initial: i64) -> DbResult<()> {
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO balances (key, kind, balance) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![key, kind, initial])?;
        Ok(())
    }

    fn move_balance(&mut self, key: &str, delta: i64) -> DbResult<bool> {
        let changed = self
            .conn
            .prepare_cached(
                "UPDATE balances SET balance = balance + ?2 WHERE key = ?1 AND balance + ?2 >= 0",
            )?
            .execute(params![key, delta])?;
        Ok(changed == 1)
    }

    fn item_counts(&mut self, keys: &[CountKey]) -> DbResult<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT count FROM item_counts WHERE scope = ?1 AND id = ?2 AND customer = ?3 AND period = ?4",
        )?;
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            let n: Option<i64> = stmt
                .query_row(params![k.scope, k.id, k.customer, k.period], |r| r.get(0))
                .optional()?;
            out.push(n.unwrap_or(0));
        }
        Ok(out)
    }

    fn add_item_counts(&mut self, keys: &[CountKey], delta: i64) -> DbResult<()> {
        // An upsert would check `count >= 0` on the row it tries to insert
        // first, so a decrement (always of an existing count) is an update.
        let mut stmt = self.conn.prepare_cached(if delta > 0 {
            "INSERT INTO item_counts (scope, id, customer, period, count) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (scope, id, customer, period) DO UPDATE SET count = count + ?5"
        } else {
            "UPDATE item_counts SET count = count + ?5
             WHERE scope = ?1 AND id = ?2 AND customer = ?3 AND period = ?4"
        })?;
        for k in keys {
            stmt.execute(params![k.scope, k.id, k.customer, k.period, delta])?;
        }
        Ok(())
    }

    fn insert_item(&mut self, redemption: &str, i: &Item) -> DbResult<()> {
        self.conn.prepare_cached(
            "INSERT INTO redemption_items (redemption_id, ledger_key, campaign_id, customer, day, week, month)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![redemption, i.ledger_key, i.campaign_id, i.customer, i.day, i.week, i.month])?;
        Ok(())
    }

    fn live_items(&mut self, redemption: &str) -> DbResult<Vec<Item>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT ledger_key, campaign_id, customer, day, week, month FROM redemption_items
             WHERE redemption_id = ?1 AND rolled_back = 0",
        )?;
        let rows = stmt.query_map(params![redemption], item_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn mark_items_rolled_back(&mut self, redemption: &str) -> DbResult<()> {
        self.conn
            .prepare_cached("UPDATE redemption_items SET rolled_back = 1 WHERE redemption_id = ?1")?
            .execute(params![redemption])?;
        Ok(())
    }

    fn insert_effect(&mut self, redemption: &str, e: &Effect) -> DbResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO redemption_effects (redemption_id, kind, scope, key, name, delta)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![redemption, e.kind, e.scope, e.key, e.name, e.delta])?;
        Ok(())
    }

    fn effects(&mut self, redemption: &str) -> DbResult<Vec<Effect>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, scope, key, name, delta FROM redemption_effects WHERE redemption_id = ?1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map(params![redemption], |r| {
            Ok(Effect {
                kind: r.get(0)?,
                scope: r.get(1)?,
                key: r.get(2)?,
                name: r.get(3)?,
                delta: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn latest_bundle(&mut self, channel: &str) -> DbResult<Option<StoredBundle>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT channel, version, source_digest, etag, bundle, expires_at FROM bundles
                 WHERE channel = ?1 ORDER BY version DESC LIMIT 1",
            )?
            .query_row(params![channel], bundle_row)
            .optional()?)
    }

    fn latest_bundles(&mut self) -> DbResult<Vec<StoredBundle>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT b.channel, b.version, b.source_digest, b.etag, b.bundle, b.expires_at FROM bundles b
             WHERE b.version = (SELECT MAX(version) FROM bundles WHERE channel = b.channel)
             ORDER BY b.channel",
        )?;
        let rows = stmt.query_map([], bundle_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn latest_versions(&mut self) -> DbResult<Vec<(String, u64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT channel, MAX(version) FROM bundles GROUP BY channel ORDER BY channel",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get::<_, i64>(1)?.try_into().unwrap_or(0)))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn store_bundle(&mut self, b: &StoredBundle, created_at: &str) -> DbResult<bool> {
        let n = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO bundles (channel, version, source_digest, etag, bundle, expires_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                b.channel,
                i64::try_from(b.version).unwrap_or(i64::MAX),
                b.source_digest,
                b.etag,
                b.bundle,
                b.expires_at,
                created_at
            ])?;
        Ok(n == 1)
    }

    fn keys(&mut self) -> DbResult<Vec<StoredKey>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT kid, jwk FROM published_keys ORDER BY created_at, kid")?;
        let rows = stmt.query_map([], |r| {
            Ok(StoredKey {
                kid: r.get(0)?,
                jwk: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn store_key(&mut self, key: &StoredKey, created_at: &str) -> DbResult<()> {
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO published_keys (kid, jwk, created_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![key.kid, key.jwk, created_at])?;
        Ok(())
    }

    fn insert_event(&mut self, e: &NewEvent<'_>) -> DbResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO events (id, type, channel, subject, occurred_at, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![e.id, e.kind, e.channel, e.subject, e.occurred_at, e.data])?;
        Ok(())
    }

    fn events_after(&mut self, channel: &str, seq: i64, limit: i64) -> DbResult<Vec<StoredEvent>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, id, type, channel, subject, occurred_at, data FROM events
             WHERE channel = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![channel, seq, limit], |r| {
            Ok(StoredEvent {
                seq: r.get(0)?,
                id: r.get(1)?,
                kind: r.get(2)?,
                channel: r.get(3)?,
                subject: r.get(4)?,
                occurred_at: r.get(5)?,
                data: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
