//! Versioned schema migrations, the same list for both databases.
//!
//! Each database applies the migrations it lacks in ONE transaction at
//! start (`serve`, `publish --database`, `migrate`): both SQLite and
//! PostgreSQL have transactional DDL, so a failure leaves the schema as it
//! was, never half-migrated. `schema_migrations` records what was applied;
//! a database at a version this binary does not know is refused before
//! anything changes (`SCHEMA_TOO_NEW`): an older binary must not write to a
//! ledger whose rules it does not know.
//!
//! Migration 1 is the schema the origin had before migrations existed
//! (`CREATE … IF NOT EXISTS`), so an existing SQLite ledger is adopted as
//! it is.

use crate::error::CliError;

/// One schema change, written for each database.
pub(super) struct Migration {
    pub(super) version: u32,
    pub(super) name: &'static str,
    pub(super) sqlite: &'static str,
    pub(super) postgres: &'static str,
}

/// The schema version this binary writes.
pub const SCHEMA_VERSION: u32 = 3;

pub(super) const MIGRATIONS_TABLE_SQLITE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
pub(super) const MIGRATIONS_TABLE_POSTGRES: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

pub(super) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "ledger",
        sqlite: "
CREATE TABLE IF NOT EXISTS bundles (
  channel TEXT NOT NULL, version INTEGER NOT NULL, source_digest TEXT,
  etag TEXT NOT NULL, bundle BLOB NOT NULL, expires_at TEXT NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (channel, version));
CREATE TABLE IF NOT EXISTS counters (
  scope TEXT NOT NULL, key TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL,
  PRIMARY KEY (scope, key, name));
CREATE TABLE IF NOT EXISTS balances (
  key TEXT PRIMARY KEY, kind TEXT NOT NULL, balance INTEGER NOT NULL CHECK (balance >= 0));
CREATE TABLE IF NOT EXISTS redemptions (
  id TEXT PRIMARY KEY, channel TEXT NOT NULL, idempotency_key TEXT NOT NULL,
  request_hash TEXT NOT NULL, status TEXT NOT NULL, response TEXT NOT NULL,
  customer TEXT, created_at TEXT NOT NULL, rolled_back_at TEXT,
  UNIQUE (channel, idempotency_key));
CREATE TABLE IF NOT EXISTS redemption_items (
  redemption_id TEXT NOT NULL, ledger_key TEXT NOT NULL, campaign_id TEXT NOT NULL,
  customer TEXT, day TEXT NOT NULL, week TEXT NOT NULL, month TEXT NOT NULL,
  rolled_back INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS items_by_redemption ON redemption_items (redemption_id);
CREATE TABLE IF NOT EXISTS item_counts (
  scope TEXT NOT NULL, id TEXT NOT NULL, customer TEXT NOT NULL, period TEXT NOT NULL,
  count INTEGER NOT NULL CHECK (count >= 0),
  PRIMARY KEY (scope, id, customer, period));
CREATE TABLE IF NOT EXISTS redemption_effects (
  redemption_id TEXT NOT NULL, kind TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL,
  name TEXT NOT NULL, delta INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS effects_by_redemption ON redemption_effects (redemption_id);
",
        // The same tables; BIGINT for every amount and count, BYTEA for
        // the bundle, and an identity column where SQLite's rowid kept the
        // order of a redemption's effects.
        postgres: "
CREATE TABLE bundles (
  channel TEXT NOT NULL, version BIGINT NOT NULL, source_digest TEXT,
  etag TEXT NOT NULL, bundle BYTEA NOT NULL, expires_at TEXT NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (channel, version));
CREATE TABLE counters (
  scope TEXT NOT NULL, key TEXT NOT NULL, name TEXT NOT NULL, value BIGINT NOT NULL,
  PRIMARY KEY (scope, key, name));
CREATE TABLE balances (
  key TEXT PRIMARY KEY, kind TEXT NOT NULL, balance BIGINT NOT NULL CHECK (balance >= 0));
CREATE TABLE redemptions (
  id TEXT PRIMARY KEY, channel TEXT NOT NULL, idempotency_key TEXT NOT NULL,
  request_hash TEXT NOT NULL, status TEXT NOT NULL, response TEXT NOT NULL,
  customer TEXT, created_at TEXT NOT NULL, rolled_back_at TEXT,
  UNIQUE (channel, idempotency_key));
CREATE TABLE redemption_items (
  redemption_id TEXT NOT NULL, ledger_key TEXT NOT NULL, campaign_id TEXT NOT NULL,
  customer TEXT, day TEXT NOT NULL, week TEXT NOT NULL, month TEXT NOT NULL,
  rolled_back INTEGER NOT NULL DEFAULT 0);
CREATE INDEX items_by_redemption ON redemption_items (redemption_id);
CREATE TABLE item_counts (
  scope TEXT NOT NULL, id TEXT NOT NULL, customer TEXT NOT NULL, period TEXT NOT NULL,
  count BIGINT NOT NULL CHECK (count >= 0),
  PRIMARY KEY (scope, id, customer, period));
CREATE TABLE redemption_effects (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  redemption_id TEXT NOT NULL, kind TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL,
  name TEXT NOT NULL, delta BIGINT NOT NULL);
CREATE INDEX effects_by_redemption ON redemption_effects (redemption_id, seq);
",
    },
    Migration {
        version: 2,
        name: "published_keys",
        // The public keys `publish --database` stores beside its bundles:
        // a node without the signing key verifies and serves them.
        sqlite: "CREATE TABLE published_keys (
  kid TEXT PRIMARY KEY, jwk TEXT NOT NULL, created_at TEXT NOT NULL);",
        postgres: "CREATE TABLE published_keys (
  kid TEXT PRIMARY KEY, jwk TEXT NOT NULL, created_at TEXT NOT NULL);",
    },
    Migration {
        version: 3,
        name: "events",
        // The event log: each fact the ledger commits, written in the same
        // transaction (`seq` orders a database's events).
        sqlite: "CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
  channel TEXT NOT NULL, subject TEXT NOT NULL, occurred_at TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX events_by_channel ON events (channel, seq);",
        postgres: "CREATE TABLE events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
  channel TEXT NOT NULL, subject TEXT NOT NULL, occurred_at TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX events_by_channel ON events (channel, seq);",
    },
];

/// The migrations a database at `current` lacks, or `SCHEMA_TOO_NEW`.
pub(super) fn pending(current: u32, database: &str) -> Result<&'static [Migration], CliError> {
    if current > SCHEMA_VERSION {
        return Err(CliError::new(
            "SCHEMA_TOO_NEW",
            format!(
                "{database} has schema version {current}; this promo-origin knows versions up to \
                 {SCHEMA_VERSION}: upgrade promo-origin (nothing was changed)"
            ),
        ));
    }
    let done = MIGRATIONS
        .iter()
        .take_while(|m| m.version <= current)
        .count();
    Ok(MIGRATIONS.get(done..).unwrap_or(&[]))
}

/// The time a migration is recorded at.
pub(super) fn applied_at() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
