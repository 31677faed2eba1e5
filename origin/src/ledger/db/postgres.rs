//! PostgreSQL (`tokio-postgres` + `deadpool-postgres`): one ledger for
//! several origin nodes. (Not sqlx: its SQLite feature would link a second
//! SQLite beside rusqlite's, it builds in twice the time, and its checked
//! queries want a database at build time.)
//!
//! Write transactions are READ COMMITTED. Before the ledger's rules read
//! what they decide on (counters, balances, per-customer and per-period
//! counts, an idempotency record) they call [`Tx::lock`], which takes a
//! transaction-scoped advisory lock per ledger key and campaign
//! (`pg_advisory_xact_lock`, 64 bits of SHA-256 of the key), in sorted
//! order. Every transaction that changes a key holds its lock, so the
//! reads are the latest committed values and stay so until commit: the
//! engine's evaluation (which may test any counter in any rule) sees what
//! a serial run would. Locks are released at commit, after the commit is
//! visible. Sorted order means two nodes never wait on each other in a
//! cycle; the few row locks taken outside that order (points credited to a
//! card that was not in the request) can still deadlock in theory, and a
//! deadlock or serialization failure reruns the whole transaction, a
//! bounded number of times.
//!
//! Why not SERIALIZABLE: a hot code or campaign makes most transactions
//! fail and retry (measured ~3.8 retries per request on 3 nodes); locks
//! queue them instead, and each runs once. Why not only conditional
//! updates: the engine's rules read counters in ways an `UPDATE … WHERE`
//! cannot express (limits per customer and per day, budgets, validation
//! rules); balances are still guarded by one (`balance + delta >= 0`) and
//! a `CHECK`.
//!
//! Errors: a lost or refused connection, a server shutting down, no
//! connection free in time → `Unavailable` (503 with `Retry-After`); a
//! statement past `statement_timeout` → `Timeout` (503). A transaction
//! left idle by a frozen node is ended by the server after twice the
//! statement timeout (`idle_in_transaction_session_timeout`), so its locks
//! do not outlive it.

use std::future::Future;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use sha2::{Digest, Sha256};
use tokio::runtime::Handle;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{AsyncMessage, IsolationLevel, NoTls, Row};

use super::migrations::{applied_at, pending, MIGRATIONS_TABLE_POSTGRES};
use super::{
    CountKey, DbError, DbErrorKind, DbResult, DbSettings, Earlier, Effect, Item, NewEvent,
    NewRedemption, StoredBundle, StoredEvent, StoredKey, Tx,
};
use crate::api_error::ApiError;
use crate::error::CliError;

/// The channel `store_bundle` notifies and every node listens on.
const BUNDLES_CHANNEL: &str = "promo_edge_bundles";
/// Attempts of a transaction that hit a deadlock or serialization failure.
const MAX_ATTEMPTS: u32 = 5;
/// The advisory lock that serialises migrations of nodes starting together.
const MIGRATION_LOCK: i64 = 0x7072_6f6d_6f65_6467; // "promoedg"

pub struct PgDb {
    pool: Pool,
    handle: Handle,
    config: tokio_postgres::Config,
    url: String,
}

type Params<'a> = [&'a (dyn ToSql + Sync)];

/// How a driver error is answered (see the module doc).
fn classify(e: &tokio_postgres::Error) -> DbError {
    let kind = match e.code() {
        Some(c)
            if *c == SqlState::T_R_SERIALIZATION_FAILURE
                || *c == SqlState::T_R_DEADLOCK_DETECTED =>
        {
            DbErrorKind::Conflict
        }
        Some(c) if *c == SqlState::QUERY_CANCELED => DbErrorKind::Timeout,
        Some(c)
            if c.code().starts_with("08")
                || *c == SqlState::ADMIN_SHUTDOWN
                || *c == SqlState::CRASH_SHUTDOWN
                || *c == SqlState::CANNOT_CONNECT_NOW
                || *c == SqlState::TOO_MANY_CONNECTIONS
                || *c == SqlState::IDLE_IN_TRANSACTION_SESSION_TIMEOUT =>
        {
            DbErrorKind::Unavailable
        }
        Some(_) => DbErrorKind::Other,
        None if e.is_closed() || io_source(e) => DbErrorKind::Unavailable,
        None => DbErrorKind::Other,
    };
    DbError::new(kind, e.to_string())
}

fn io_source(e: &tokio_postgres::Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return true;
        }
        source = s.source();
    }
    false
}

fn pool_error(e: PoolError) -> DbError {
    match e {
        PoolError::Backend(e) => classify(&e),
        PoolError::Timeout(_) => DbError::new(
            DbErrorKind::Unavailable,
            "no database connection became free or could be opened in time",
        ),
        other => DbError::new(DbErrorKind::Unavailable, other.to_string()),
    }
}

/// The advisory lock id of a ledger key: the same on every node and in
/// every version (never Rust's randomised hasher).
fn lock_id(key: &str) -> i64 {
    let digest = Sha256::digest(format!("promo-edge:{key}").as_bytes());
    let mut b = [0u8; 8];
    for (dst, src) in b.iter_mut().zip(digest.iter()) {
        *dst = *src;
    }
    i64::from_be_bytes(b)
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl PgDb {
    /// Builds the pool, checks that the server answers, and migrates.
    pub fn open(url: &str, settings: DbSettings, handle: Handle) -> Result<PgDb, CliError> {
        let mut config: tokio_postgres::Config = url.parse().map_err(|e| {
            CliError::new(
                "DATABASE_URL_INVALID",
                format!("{}: {e}", super::redact(url)),
            )
        })?;
        let statement_ms = settings.statement_timeout_ms.max(1);
        let ours = format!(
            "-c statement_timeout={statement_ms} -c idle_in_transaction_session_timeout={}",
            statement_ms.saturating_mul(2)
        );
        let options = match config.get_options() {
            Some(given) if !given.trim().is_empty() => format!("{given} {ours}"),
            _ => ours,
        };
        config
            .options(options)
            .application_name("promo-origin")
            .connect_timeout(Duration::from_millis(settings.connect_timeout_ms.max(1)))
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(30));
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                // A connection whose socket closed (the server restarted) is
                // dropped at checkout; a live one is reused without a probe.
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let wait = Duration::from_millis(statement_ms);
        let pool = Pool::builder(manager)
            .max_size(settings.pool_size.max(1))
            .wait_timeout(Some(wait))
            .create_timeout(Some(Duration::from_millis(
                settings.connect_timeout_ms.max(1),
            )))
            .recycle_timeout(Some(wait))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| CliError::new("LEDGER_ERROR", e.to_string()))?;
        let db = PgDb {
            pool,
            handle,
            config,
            url: super::redact(url),
        };
        db.migrate()?;
        Ok(db)
    }

    fn start_error(&self, e: DbError) -> CliError {
        let code = match e.kind {
            DbErrorKind::Unavailable | DbErrorKind::Timeout => "DATABASE_UNREACHABLE",
            DbErrorKind::Conflict | DbErrorKind::Other => "DATABASE_ERROR",
        };
        CliError::new(code, format!("{}: {e}", self.url))
    }

    /// Applies the pending migrations in one transaction, under a lock so
    /// that nodes starting together migrate one after the other.
    fn migrate(&self) -> Result<(), CliError> {
        let h = &self.handle;
        let mut client = h
            .block_on(self.pool.get())
            .map_err(|e| self.start_error(pool_error(e)))?;
        let fail = |e: tokio_postgres::Error| self.start_error(classify(&e));
        let tx = h.block_on(client.transaction()).map_err(fail)?;
        h.block_on(tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]))
            .map_err(fail)?;
        h.block_on(tx.batch_execute(MIGRATIONS_TABLE_POSTGRES))
            .map_err(fail)?;
        let row = h
            .block_on(tx.query_one(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                &[],
            ))
            .map_err(fail)?;
        let current: i32 = row.try_get(0).map_err(fail)?;
        for m in pending(u32::try_from(current).unwrap_or(u32::MAX), &self.url)? {
            h.block_on(tx.batch_execute(m.postgres)).map_err(fail)?;
            let version = i32::try_from(m.version).unwrap_or(i32::MAX);
            h.block_on(tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                &[&version, &m.name, &applied_at()],
            ))
            .map_err(fail)?;
        }
        h.block_on(tx.commit()).map_err(fail)
    }

    pub fn write<T>(
        &self,
        mut work: impl FnMut(&mut dyn Tx) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut attempt = 1;
        loop {
            match self.attempt(IsolationLevel::ReadCommitted, false, &mut work) {
                Err((e, true)) if attempt < MAX_ATTEMPTS => {
                    tracing::debug!(target: "promo_origin::ledger", attempt, error = %e.message, "transaction conflict; retrying");
                    attempt += 1;
                    // A short pause lets the other transaction finish.
                    std::thread::sleep(Duration::from_millis(u64::from(attempt) * 5));
                }
                Err((e, _)) => return Err(e),
                Ok(v) => return Ok(v),
            }
        }
    }

    pub fn read<T>(
        &self,
        work: impl FnOnce(&mut dyn Tx) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut once = Some(work);
        let mut run = |tx: &mut dyn Tx| match once.take() {
            Some(w) => w(tx),
            None => Err(ApiError::internal("a read transaction ran twice")),
        };
        self.attempt(IsolationLevel::RepeatableRead, true, &mut run)
            .map_err(|(e, _)| e)
    }

    /// One transaction; on failure, whether it hit a conflict (and may be
    /// run again).
    fn attempt<T>(
        &self,
        level: IsolationLevel,
        read_only: bool,
        work: &mut impl FnMut(&mut dyn Tx) -> Result<T, ApiError>,
    ) -> Result<T, (ApiError, bool)> {
        let h = &self.handle;
        let db = |e: DbError| {
            let conflict = e.kind == DbErrorKind::Conflict;
            (ApiError::from(e), conflict)
        };
        let mut client = h.block_on(self.pool.get()).map_err(|e| db(pool_error(e)))?;
        let tx = h
            .block_on(
                client
                    .build_transaction()
                    .isolation_level(level)
                    .read_only(read_only)
                    .start(),
            )
            .map_err(|e| db(classify(&e)))?;
        let mut ptx = PgTx {
            tx,
            handle: h,
            conflict: false,
        };
        match work(&mut ptx) {
            Ok(v) => {
                h.block_on(ptx.tx.commit()).map_err(|e| db(classify(&e)))?;
                Ok(v)
            }
            Err(e) => {
                let conflict = ptx.conflict;
                // The connection goes back to the pool clean (or is dropped
                // if the rollback cannot be sent).
                let _ = h.block_on(ptx.tx.rollback());
                Err((e, conflict))
            }
        }
    }

    /// Listens for publications on a connection of its own (notifications
    /// need one outside the pool), reconnecting when it drops. The counter
    /// moves on every notification and on every (re)connection: a node that
    /// was cut off re-reads what it missed, since notifications are not
    /// stored.
    pub fn listen(&self) -> tokio::sync::watch::Receiver<u64> {
        let (tx, rx) = tokio::sync::watch::channel(0u64);
        let config = self.config.clone();
        self.handle.spawn(async move {
            let mut generation = 0u64;
            while !tx.is_closed() {
                if let Ok((client, mut conn)) = config.connect(NoTls).await {
                    let (note_tx, mut notes) = tokio::sync::mpsc::unbounded_channel::<()>();
                    let driver = tokio::spawn(async move {
                        while let Some(Ok(m)) = std::future::poll_fn(|cx| conn.poll_message(cx)).await {
                            if matches!(m, AsyncMessage::Notification(_)) && note_tx.send(()).is_err() {
                                break;
                            }
                        }
                    });
                    if client.batch_execute(&format!("LISTEN {BUNDLES_CHANNEL}")).await.is_ok() {
                        generation += 1;
                        tx.send_replace(generation);
                        while notes.recv().await.is_some() {
                            generation += 1;
                            tx.send_replace(generation);
                        }
                    }
                    driver.abort();
                    tracing::warn!(target: "promo_origin::ledger", "publication listener disconnected; reconnecting");
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        });
        rx
    }
}

struct PgTx<'a> {
    tx: deadpool_postgres::Transaction<'a>,
    handle: &'a Handle,
    /// Set when a statement hit a deadlock or serialization failure.
    conflict: bool,
}

impl PgTx<'_> {
    fn wait<F: Future>(&self, f: F) -> F::Output {
        self.handle.block_on(f)
    }

    fn fail(&mut self, e: &tokio_postgres::Error) -> DbError {
        let d = classify(e);
        if d.kind == DbErrorKind::Conflict {
            self.conflict = true;
        }
        d
    }

    fn query(&mut self, sql: &str, params: &Params<'_>) -> DbResult<Vec<Row>> {
        let r = self.wait(async {
            let st = self.tx.prepare_cached(sql).await?;
            self.tx.query(&st, params).await
        });
        r.map_err(|e| self.fail(&e))
    }

    fn query_opt(&mut self, sql: &str, params: &Params<'_>) -> DbResult<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    fn execute(&mut self, sql: &str, params: &Params<'_>) -> DbResult<u64> {
        let r = self.wait(async {
            let st = self.tx.prepare_cached(sql).await?;
            self.tx.execute(&st, params).await
        });
        r.map_err(|e| self.fail(&e))
    }
}

fn get<'a, T: tokio_postgres::types::FromSql<'a>>(row: &'a Row, i: usize) -> DbResult<T> {
    row.try_get(i)
        .map_err(|e| DbError::new(DbErrorKind::Other, e.to_string()))
}

fn bundle_row(r: &Row) -> DbResult<StoredBundle> {
    Ok(StoredBundle {
        channel: get(r, 0)?,
        version: get::<i64>(r, 1)?.try_into().unwrap_or(0),
        source_digest: get(r, 2)?,
        etag: get(r, 3)?,
        bundle: get(r, 4)?,
        expires_at: get(r, 5)?,
    })
}

fn item_row(r: &Row) -> DbResult<Item> {
    Ok(Item {
        ledger_key: get(r, 0)?,
        campaign_id: get(r, 1)?,
        customer: get(r, 2)?,
        day: get(r, 3)?,
        week: get(r, 4)?,
        month: get(r, 5)?,
    })
}

/// The four columns of `item_counts` keys, as arrays for `unnest`.
fn count_columns(keys: &[CountKey]) -> [Vec<&str>; 4] {
    [
        keys.iter().map(|k| k.scope.as_str()).collect(),
        keys.iter().map(|k| k.id.as_str()).collect(),
        keys.iter().map(|k| k.customer.as_str()).collect(),
        keys.iter().map(|k| k.period.as_str()).collect(),
    ]
}

impl Tx for PgTx<'_> {
    fn lock(&mut self, keys: &[String]) -> DbResult<()> {
        let mut ids: Vec<i64> = keys.iter().map(|k| lock_id(k)).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(());
        }
        // unnest yields the array in order and each row's lock is taken as
        // the row is produced: the sorted order is the locking order.
        self.query(
            "SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k",
            &[&ids],
        )?;
        Ok(())
    }

    fn earlier(&mut self, channel: &str, key: &str) -> DbResult<Option<Earlier>> {
        self.query_opt(
            "SELECT request_hash, response, status FROM redemptions WHERE channel = $1 AND idempotency_key = $2",
            &[&channel, &key],
        )?
        .map(|r| {
            Ok(Earlier {
                request_hash: get(&r, 0)?,
                response: get(&r, 1)?,
                status: get(&r, 2)?,
            })
        })
        .transpose()
    }

    fn insert_redemption(&mut self, r: &NewRedemption<'_>) -> DbResult<()> {
        self.execute(
            "INSERT INTO redemptions (id, channel, idempotency_key, request_hash, status, response, customer, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[&r.id, &r.channel, &r.idempotency_key, &r.request_hash, &r.status, &r.response, &r.customer, &r.created_at],
        )?;
        Ok(())
    }

    fn redemption(
        &mut self,
        channel: &str,
        id: &str,
    ) -> DbResult<Option<(String, Option<String>)>> {
        self.query_opt(
            "SELECT response, rolled_back_at FROM redemptions WHERE id = $1 AND channel = $2",
            &[&id, &channel],
        )?
        .map(|r| Ok((get(&r, 0)?, get(&r, 1)?)))
        .transpose()
    }

    fn redemption_for_update(
        &mut self,
        channel: &str,
        id: &str,
    ) -> DbResult<Option<(String, Option<String>)>> {
        self.query_opt(
            "SELECT status, rolled_back_at FROM redemptions WHERE id = $1 AND channel = $2 FOR UPDATE",
            &[&id, &channel],
        )?
        .map(|r| Ok((get(&r, 0)?, get(&r, 1)?)))
        .transpose()
    }

    fn set_rolled_back(&mut self, id: &str, at: &str) -> DbResult<()> {
        self.execute(
            "UPDATE redemptions SET rolled_back_at = $2 WHERE id = $1",
            &[&id, &at],
        )?;
        Ok(())
    }

    fn counter(&mut self, scope: &str, key: &str, name: &str) -> DbResult<Option<i64>> {
        self.query_opt(
            "SELECT value FROM counters WHERE scope = $1 AND key = $2 AND name = $3",
            &[&scope, &key, &name],
        )?
        .map(|r| get(&r, 0))
        .transpose()
    }

    fn add_counter(
        &mut self,
        scope: &str,
        key: &str,
        name: &str,
        delta: i64,
        initial: i64,
    ) -> DbResult<()> {
        self.execute(
            "INSERT INTO counters (scope, key, name, value) VALUES ($1, $2, $3, $4::bigint + $5::bigint)
             ON CONFLICT (scope, key, name) DO UPDATE SET value = counters.value + $5::bigint",
            &[&scope, &key, &name, &initial, &delta],
        )?;
        Ok(())
    }

    fn balance(&mut self, key: &str) -> DbResult<Option<i64>> {
        self.query_opt("SELECT balance FROM balances WHERE key = $1", &[&key])?
            .map(|r| get(&r, 0))
            .transpose()
    }

    fn balance_for_update(&mut self, key: &str) -> DbResult<Option<i64>> {
        self.query_opt(
            "SELECT balance FROM balances WHERE key = $1 FOR UPDATE",
            &[&key],
        )?
        .map(|r| get(&r, 0))
        .transpose()
    }

    fn open_balance(&mut self, key: &str, kind: &str, initial: i64) -> DbResult<()> {
        self.execute(
            "INSERT INTO balances (key, kind, balance) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
            &[&key, &kind, &initial],
        )?;
        Ok(())
    }

    fn move_balance(&mut self, key: &str, delta: i64) -> DbResult<bool> {
        let n = self.execute(
            "UPDATE balances SET balance = balance + $2 WHERE key = $1 AND balance + $2 >= 0",
            &[&key, &delta],
        )?;
        Ok(n == 1)
    }

    fn item_counts(&mut self, keys: &[CountKey]) -> DbResult<Vec<i64>> {
        let [s, i, c, p] = count_columns(keys);
        let rows = self.query(
            "SELECT COALESCE(c.count, 0)
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS k(scope, id, customer, period, n)
             LEFT JOIN item_counts c
               ON c.scope = k.scope AND c.id = k.id AND c.customer = k.customer AND c.period = k.period
             ORDER BY k.n",
            &[&s, &i, &c, &p],
        )?;
        rows.iter().map(|r| get(r, 0)).collect()
    }

    fn add_item_counts(&mut self, keys: &[CountKey], delta: i64) -> DbResult<()> {
        let [s, i, c, p] = count_columns(keys);
        // Grouped, so a key named twice is one row change (an upsert may
        // not touch a row twice); a decrement only updates existing rows,
        // since an upsert checks `count >= 0` on the row it would insert.
        let sql = if delta > 0 {
            "INSERT INTO item_counts (scope, id, customer, period, count)
             SELECT scope, id, customer, period, $5::bigint * COUNT(*)
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS k(scope, id, customer, period)
             GROUP BY scope, id, customer, period
             ON CONFLICT (scope, id, customer, period) DO UPDATE SET count = item_counts.count + EXCLUDED.count"
        } else {
            "UPDATE item_counts c SET count = c.count + k.d
             FROM (SELECT scope, id, customer, period, $5::bigint * COUNT(*) AS d
                   FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(scope, id, customer, period)
                   GROUP BY scope, id, customer, period) k
             WHERE c.scope = k.scope AND c.id = k.id AND c.customer = k.customer AND c.period = k.period"
        };
        self.execute(sql, &[&s, &i, &c, &p, &delta])?;
        Ok(())
    }

    fn insert_item(&mut self, redemption: &str, i: &Item) -> DbResult<()> {
        self.execute(
            "INSERT INTO redemption_items (redemption_id, ledger_key, campaign_id, customer, day, week, month)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[&redemption, &i.ledger_key, &i.campaign_id, &i.customer, &i.day, &i.week, &i.month],
        )?;
        Ok(())
    }

    fn live_items(&mut self, redemption: &str) -> DbResult<Vec<Item>> {
        let rows = self.query(
            "SELECT ledger_key, campaign_id, customer, day, week, month FROM redemption_items
             WHERE redemption_id = $1 AND rolled_back = 0",
            &[&redemption],
        )?;
        rows.iter().map(item_row).collect()
    }

    fn mark_items_rolled_back(&mut self, redemption: &str) -> DbResult<()> {
        self.execute(
            "UPDATE redemption_items SET rolled_back = 1 WHERE redemption_id = $1",
            &[&redemption],
        )?;
        Ok(())
    }

    fn insert_effect(&mut self, redemption: &str, e: &Effect) -> DbResult<()> {
        self.execute(
            "INSERT INTO redemption_effects (redemption_id, kind, scope, key, name, delta)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[&redemption, &e.kind, &e.scope, &e.key, &e.name, &e.delta],
        )?;
        Ok(())
    }

    fn effects(&mut self, redemption: &str) -> DbResult<Vec<Effect>> {
        let rows = self.query(
            "SELECT kind, scope, key, name, delta FROM redemption_effects WHERE redemption_id = $1 ORDER BY seq",
            &[&redemption],
        )?;
        rows.iter()
            .map(|r| {
                Ok(Effect {
                    kind: get(r, 0)?,
                    scope: get(r, 1)?,
                    key: get(r, 2)?,
                    name: get(r, 3)?,
                    delta: get(r, 4)?,
                })
            })
            .collect()
    }

    fn latest_bundle(&mut self, channel: &str) -> DbResult<Option<StoredBundle>> {
        self.query_opt(
            "SELECT channel, version, source_digest, etag, bundle, expires_at FROM bundles
             WHERE channel = $1 ORDER BY version DESC LIMIT 1",
            &[&channel],
        )?
        .map(|r| bundle_row(&r))
        .transpose()
    }

    fn latest_bundles(&mut self) -> DbResult<Vec<StoredBundle>> {
        let rows = self.query(
            "SELECT DISTINCT ON (channel) channel, version, source_digest, etag, bundle, expires_at
             FROM bundles ORDER BY channel, version DESC",
            &[],
        )?;
        rows.iter().map(bundle_row).collect()
    }

    fn latest_versions(&mut self) -> DbResult<Vec<(String, u64)>> {
        let rows = self.query(
            "SELECT channel, MAX(version) FROM bundles GROUP BY channel ORDER BY channel",
            &[],
        )?;
        rows.iter()
            .map(|r| Ok((get(r, 0)?, get::<i64>(r, 1)?.try_into().unwrap_or(0))))
            .collect()
    }

    fn store_bundle(&mut self, b: &StoredBundle, created_at: &str) -> DbResult<bool> {
        let n = self.execute(
            "INSERT INTO bundles (channel, version, source_digest, etag, bundle, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (channel, version) DO NOTHING",
            &[&b.channel, &to_i64(b.version), &b.source_digest, &b.etag, &b.bundle, &b.expires_at, &created_at],
        )?;
        if n == 1 {
            // Sent at commit, to every node listening.
            self.execute("SELECT pg_notify($1, $2)", &[&BUNDLES_CHANNEL, &b.channel])?;
        }
        Ok(n == 1)
    }

    fn keys(&mut self) -> DbResult<Vec<StoredKey>> {
        let rows = self.query(
            "SELECT kid, jwk FROM published_keys ORDER BY created_at, kid",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(StoredKey {
                    kid: get(r, 0)?,
                    jwk: get(r, 1)?,
                })
            })
            .collect()
    }

    fn store_key(&mut self, key: &StoredKey, created_at: &str) -> DbResult<()> {
        self.execute(
            "INSERT INTO published_keys (kid, jwk, created_at) VALUES ($1, $2, $3) ON CONFLICT (kid) DO NOTHING",
            &[&key.kid, &key.jwk, &created_at],
        )?;
        Ok(())
    }

    fn insert_event(&mut self, e: &NewEvent<'_>) -> DbResult<()> {
        self.execute(
            "INSERT INTO events (id, type, channel, subject, occurred_at, data) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&e.id, &e.kind, &e.channel, &e.subject, &e.occurred_at, &e.data],
        )?;
        Ok(())
    }

    fn events_after(&mut self, channel: &str, seq: i64, limit: i64) -> DbResult<Vec<StoredEvent>> {
        let rows = self.query(
            "SELECT seq, id, type, channel, subject, occurred_at, data FROM events
             WHERE channel = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            &[&channel, &seq, &limit],
        )?;
        rows.iter()
            .map(|r| {
                Ok(StoredEvent {
                    seq: get(r, 0)?,
                    id: get(r, 1)?,
                    kind: get(r, 2)?,
                    channel: get(r, 3)?,
                    subject: get(r, 4)?,
                    occurred_at: get(r, 5)?,
                    data: get(r, 6)?,
                })
            })
            .collect()
    }
}
