//! The ledger's storage: one interface, two databases.
//!
//! The ledger's rules (`ledger/mod.rs`, `apply.rs`, `counters.rs`,
//! `store.rs`) are written once against [`Tx`], a transaction handle they
//! drive statement by statement. [`Database`] opens a transaction on
//! SQLite (embedded, one node) or PostgreSQL (several nodes), runs the
//! rules in it and commits; nothing else differs between the two.
//!
//! Concurrency is the database's: every read the rules base a decision on
//! happens after [`Tx::lock`] has serialised the transaction with every
//! other one touching the same ledger keys and campaigns. SQLite gets that
//! for free (one `BEGIN IMMEDIATE` writer at a time, `lock` does nothing);
//! PostgreSQL takes transaction-scoped advisory locks in a fixed order, so
//! nodes never wait on each other in a cycle (see `postgres.rs`).
//!
//! The interface is sync: the rules mix database calls with the engine's
//! evaluation (CPU work), and they run on tokio's blocking pool either way.
//! The PostgreSQL driver is async; its adapter waits on it from that pool.

mod migrations;
mod postgres;
mod sqlite;

use std::path::PathBuf;

pub use self::migrations::SCHEMA_VERSION;
use crate::api_error::ApiError;
use crate::error::CliError;

/// A bundle the origin serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBundle {
    /// Channel.
    pub channel: String,
    /// Snapshot version.
    pub version: u64,
    /// Digest of the source it was published from (absent for `--bundle`).
    pub source_digest: Option<String>,
    /// Strong ETag (quoted).
    pub etag: String,
    /// The bundle file (`promo-edge.bundle/2`: the signed manifest, then the plan).
    pub bundle: Vec<u8>,
    /// `expires_at` of the snapshot (RFC 3339).
    pub expires_at: String,
}

/// A public key published with a bundle (served in the JWKS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    /// The key's `kid`.
    pub kid: String,
    /// The public JWK (JSON text).
    pub jwk: String,
}

/// An idempotency record: the answer given to an earlier request.
#[derive(Debug, Clone)]
pub struct Earlier {
    /// SHA-256 of that request's canonical body.
    pub request_hash: String,
    /// The stored answer.
    pub response: String,
    /// Its `status`.
    pub status: String,
}

/// A redemption row as first written.
#[derive(Debug, Clone)]
pub struct NewRedemption<'a> {
    pub id: &'a str,
    pub channel: &'a str,
    pub idempotency_key: &'a str,
    pub request_hash: &'a str,
    pub status: &'a str,
    pub response: &'a str,
    pub customer: Option<&'a str>,
    pub created_at: &'a str,
}

/// An event as the ledger writes it (see `ledger/events.rs`).
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub id: &'a str,
    /// Voucherify's event name (`redemption.succeeded`, …).
    pub kind: &'a str,
    pub channel: &'a str,
    /// What the event concerns (a customer, else a code or id): the key
    /// that keeps one subject's events in order downstream.
    pub subject: &'a str,
    pub occurred_at: &'a str,
    /// The payload (JSON).
    pub data: &'a str,
}

/// An event read back, with its place in the database's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub seq: i64,
    pub id: String,
    pub kind: String,
    pub channel: String,
    pub subject: String,
    pub occurred_at: String,
    pub data: String,
}

/// One applied redeemable of a redemption (the audit trail, and what a
/// rollback takes out of the counts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub ledger_key: String,
    pub campaign_id: String,
    pub customer: Option<String>,
    pub day: String,
    pub week: String,
    pub month: String,
}

/// One counter or balance change a redemption made (`kind` `counter` or
/// `balance`), kept so that a rollback undoes exactly it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effect {
    pub kind: String,
    pub scope: String,
    pub key: String,
    pub name: String,
    pub delta: i64,
}

/// One row of `item_counts`: a count of live redemption items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountKey {
    pub scope: String,
    pub id: String,
    pub customer: String,
    pub period: String,
}

/// What went wrong in the database, as far as a caller can act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbErrorKind {
    /// The database cannot be reached (down, restarting, connection lost,
    /// no connection free in time): 503, try again.
    Unavailable,
    /// A statement ran past the statement timeout: 503, try again.
    Timeout,
    /// A serialization failure or deadlock: the transaction is retried,
    /// and 503 when the retries run out.
    Conflict,
    /// Anything else (a bug, a broken constraint): 500.
    Other,
}

/// A database error.
#[derive(Debug, Clone)]
pub struct DbError {
    pub kind: DbErrorKind,
    pub message: String,
}

impl DbError {
    pub fn new(kind: DbErrorKind, message: impl Into<String>) -> DbError {
        DbError {
            kind,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> ApiError {
        let (code, message) = match e.kind {
            DbErrorKind::Unavailable => (
                "LEDGER_UNAVAILABLE",
                "the ledger database cannot be reached; retry with the same Idempotency-Key",
            ),
            DbErrorKind::Timeout => (
                "LEDGER_TIMEOUT",
                "the ledger database did not answer in time; retry with the same Idempotency-Key",
            ),
            DbErrorKind::Conflict => (
                "LEDGER_BUSY",
                "the ledger is busy with conflicting requests; retry with the same Idempotency-Key",
            ),
            DbErrorKind::Other => return ApiError::internal(e),
        };
        tracing::warn!(target: "promo_origin::ledger", code, error = %e, "ledger database error");
        ApiError::new(503, code, message).retry_after(1)
    }
}

/// Results of the storage layer.
pub type DbResult<T> = Result<T, DbError>;

/// A transaction the ledger's rules drive. Every method is one statement
/// (or a small batch) inside the transaction; [`Database::write`] commits
/// when the rules return `Ok` and rolls back otherwise.
///
/// Keys are plain strings so that later tables (an event outbox written in
/// the same transaction as the change it reports, customer wallets) are
/// more methods here, not another path to the database.
pub trait Tx {
    /// Serialises this transaction with every other write transaction that
    /// locks one of `keys`, until it ends. Call before reading what a
    /// decision depends on; keys are locked in sorted order.
    fn lock(&mut self, keys: &[String]) -> DbResult<()>;

    /// The idempotency record of `(channel, key)`.
    fn earlier(&mut self, channel: &str, key: &str) -> DbResult<Option<Earlier>>;
    fn insert_redemption(&mut self, r: &NewRedemption<'_>) -> DbResult<()>;
    /// `(response, rolled_back_at)` of a channel's redemption.
    fn redemption(&mut self, channel: &str, id: &str)
        -> DbResult<Option<(String, Option<String>)>>;
    /// `(status, rolled_back_at)`, the row locked until the transaction ends
    /// (two rollbacks of one redemption run one after the other).
    fn redemption_for_update(
        &mut self,
        channel: &str,
        id: &str,
    ) -> DbResult<Option<(String, Option<String>)>>;
    fn set_rolled_back(&mut self, id: &str, at: &str) -> DbResult<()>;

    fn counter(&mut self, scope: &str, key: &str, name: &str) -> DbResult<Option<i64>>;
    /// `counters[scope,key,name] += delta`, the row starting at `initial`.
    fn add_counter(
        &mut self,
        scope: &str,
        key: &str,
        name: &str,
        delta: i64,
        initial: i64,
    ) -> DbResult<()>;

    fn balance(&mut self, key: &str) -> DbResult<Option<i64>>;
    /// The balance, its row locked until the transaction ends.
    fn balance_for_update(&mut self, key: &str) -> DbResult<Option<i64>>;
    /// Creates the balance at `initial` unless it exists.
    fn open_balance(&mut self, key: &str, kind: &str, initial: i64) -> DbResult<()>;
    /// `balance += delta` unless that goes below zero; whether it moved.
    fn move_balance(&mut self, key: &str, delta: i64) -> DbResult<bool>;

    /// The counts (0 where there is no row), in the order asked.
    fn item_counts(&mut self, keys: &[CountKey]) -> DbResult<Vec<i64>>;
    /// Adds `delta` to every count (a decrement only touches existing rows).
    fn add_item_counts(&mut self, keys: &[CountKey], delta: i64) -> DbResult<()>;
    fn insert_item(&mut self, redemption: &str, item: &Item) -> DbResult<()>;
    /// A redemption's items not rolled back yet.
    fn live_items(&mut self, redemption: &str) -> DbResult<Vec<Item>>;
    fn mark_items_rolled_back(&mut self, redemption: &str) -> DbResult<()>;
    fn insert_effect(&mut self, redemption: &str, effect: &Effect) -> DbResult<()>;
    /// A redemption's effects in the order they were made.
    fn effects(&mut self, redemption: &str) -> DbResult<Vec<Effect>>;

    /// The newest bundle of a channel.
    fn latest_bundle(&mut self, channel: &str) -> DbResult<Option<StoredBundle>>;
    /// The newest bundle of every channel.
    fn latest_bundles(&mut self) -> DbResult<Vec<StoredBundle>>;
    /// `(channel, version)` of the newest bundle of every channel (cheap:
    /// what a node polls to notice a publication).
    fn latest_versions(&mut self) -> DbResult<Vec<(String, u64)>>;
    /// Stores a bundle unless its `(channel, version)` exists; whether it
    /// was stored. Nodes watching the database are told at commit.
    fn store_bundle(&mut self, b: &StoredBundle, created_at: &str) -> DbResult<bool>;
    /// Public keys published with bundles.
    fn keys(&mut self) -> DbResult<Vec<StoredKey>>;
    /// Appends an event to the log.
    fn insert_event(&mut self, e: &NewEvent<'_>) -> DbResult<()>;
    /// A channel's events after `seq`, oldest first, at most `limit`.
    fn events_after(&mut self, channel: &str, seq: i64, limit: i64) -> DbResult<Vec<StoredEvent>>;
    fn store_key(&mut self, key: &StoredKey, created_at: &str) -> DbResult<()>;
}

/// Where the ledger lives: `sqlite:<path>` or `postgres://…`.
#[derive(Debug, Clone)]
pub enum DatabaseUrl {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (as given; it may hold a password).
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses `sqlite:<path>` (also `sqlite://<path>`), `postgres://…` or
    /// `postgresql://…`.
    pub fn parse(text: &str) -> Result<DatabaseUrl, CliError> {
        let invalid =
            |why: &str| CliError::new("DATABASE_URL_INVALID", format!("`{}`: {why}", redact(text)));
        if let Some(path) = text.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(invalid("no file after `sqlite:`"));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            text.parse::<tokio_postgres::Config>()
                .map_err(|e| invalid(&e.to_string()))?;
            return Ok(DatabaseUrl::Postgres(text.to_string()));
        }
        Err(invalid(
            "expected sqlite:<path> or postgres://user@host:port/database",
        ))
    }

    /// The URL with any password replaced by `***` (for messages and logs).
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(p) => format!("sqlite:{}", p.display()),
            DatabaseUrl::Postgres(u) => redact(u),
        }
    }
}

/// `scheme://user:secret@host` → `scheme://user:***@host`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{scheme}://{name}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// Connection settings (PostgreSQL; SQLite has one writer and one reader).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbSettings {
    /// Connections per node.
    pub pool_size: usize,
    /// Longest a statement may run, and longest a request waits for a free
    /// connection (milliseconds).
    pub statement_timeout_ms: u64,
    /// Longest a new connection may take (milliseconds).
    pub connect_timeout_ms: u64,
}

impl Default for DbSettings {
    fn default() -> Self {
        DbSettings {
            pool_size: 16,
            statement_timeout_ms: 5_000,
            connect_timeout_ms: 5_000,
        }
    }
}

/// The ledger database.
pub enum Database {
    /// Embedded SQLite.
    Sqlite(sqlite::SqliteDb),
    /// PostgreSQL, shared by several nodes.
    Postgres(postgres::PgDb),
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Sqlite(_) => f.write_str("Database::Sqlite"),
            Database::Postgres(_) => f.write_str("Database::Postgres"),
        }
    }
}

impl Database {
    /// Connects and brings the schema up to date (refusing a schema newer
    /// than this binary knows). A PostgreSQL database needs a tokio runtime:
    /// `handle` is the one its connections run on.
    pub fn open(
        url: &DatabaseUrl,
        settings: DbSettings,
        handle: &tokio::runtime::Handle,
    ) -> Result<Database, CliError> {
        match url {
            DatabaseUrl::Sqlite(path) => Ok(Database::Sqlite(sqlite::SqliteDb::open(path)?)),
            DatabaseUrl::Postgres(u) => Ok(Database::Postgres(postgres::PgDb::open(
                u,
                settings,
                handle.clone(),
            )?)),
        }
    }

    /// Runs `work` in one read-write transaction and commits when it
    /// returns `Ok`. On PostgreSQL a serialization failure or deadlock
    /// runs `work` again (a bounded number of times), so `work` must not
    /// have effects outside the transaction. Call from a blocking thread.
    pub fn write<T>(
        &self,
        work: impl FnMut(&mut dyn Tx) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        match self {
            Database::Sqlite(db) => db.write(work),
            Database::Postgres(db) => db.write(work),
        }
    }

    /// Runs `work` in one read-only transaction (one consistent snapshot).
    pub fn read<T>(
        &self,
        work: impl FnOnce(&mut dyn Tx) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        match self {
            Database::Sqlite(db) => db.read(work),
            Database::Postgres(db) => db.read(work),
        }
    }

    /// Which database this is (`sqlite` or `postgres`), for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => "sqlite",
            Database::Postgres(_) => "postgres",
        }
    }

    /// A counter that moves whenever a publication may have happened
    /// (PostgreSQL: a notification, or the listener reconnecting);
    /// `None` on SQLite, where a node polls. Spawns the listener on the
    /// database's runtime.
    pub fn publications(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        match self {
            Database::Sqlite(_) => None,
            Database::Postgres(db) => Some(db.listen()),
        }
    }
}

/// Applies the migrations a database lacks and reports its schema version
/// (`promo-origin migrate`).
pub fn migrate(url: &DatabaseUrl, settings: DbSettings) -> Result<u32, CliError> {
    let runtime = runtime()?;
    // Opening migrates; the version is then the one this binary knows.
    let _db = Database::open(url, settings, runtime.handle())?;
    Ok(SCHEMA_VERSION)
}

/// A runtime for the database outside `serve` (publish, migrate): one
/// worker thread runs the connections while the caller waits on them.
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| CliError::io("cannot start the runtime".into(), e))
}
