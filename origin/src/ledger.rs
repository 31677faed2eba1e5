//! The authoritative ledger (SQLite, WAL): served bundles, counters,
//! gift and loyalty balances, redemptions with their idempotency keys, and
//! every counter change a redemption made (so a rollback undoes exactly
//! that).
//!
//! Every redemption runs in ONE `BEGIN IMMEDIATE` transaction: the
//! idempotency check, reading live counters, the engine's evaluation, and
//! all counter and balance changes. SQLite admits one writer at a time, so
//! concurrent redemptions see each other's effects: a single-use code is
//! redeemed once, and a balance (guarded again by a `CHECK`) never goes
//! negative.
//!
//! Ledger keys: a promotion tier is `tier:<id>`; a voucher is
//! `voucher:<voucher id>` (for a generic code without an id, the code);
//! a unique code without a voucher id is `code:<SHA-256 of the code>`
//! (its salted hash changes with every publication, the code does not).
//! The first time the ledger touches a counter or balance it starts from
//! the snapshot's published value (`redemption.redeemed_quantity`,
//! `gift.balance`, `loyalty_card.balance`); from then on the ledger is the
//! authority.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{Datelike, NaiveDateTime};
use promo_edge::plan::{Plan, RedeemableKind};
use promo_edge::request::{RedeemableObject, ValidationRequest};
use promo_edge::time::Instant;
use promo_edge::validation::{Status, ValidationResponse};
use promo_edge::Engine;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::api_error::ApiError;

const SCHEMA: &str = "
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
";

/// The ledger: one writer connection and one reader (WAL lets reads run
/// beside the writer).
#[derive(Debug)]
pub struct Ledger {
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
}

/// A bundle the origin serves.
#[derive(Debug, Clone)]
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

/// The strong ETag of a bundle: `"` + base64url(SHA-256(bundle)) + `"`.
pub fn etag_of(bundle: &[u8]) -> String {
    format!("\"{}\"", URL_SAFE_NO_PAD.encode(Sha256::digest(bundle)))
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

/// What one requested redeemable is in the ledger.
#[derive(Debug, Clone)]
struct Target {
    /// The id as requested (the key of `counters.redeemables`).
    requested: String,
    object: &'static str,
    pos: usize,
    key: String,
    campaign: String,
}

fn sha256_b64(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(text.as_bytes()))
}

fn ledger_key(snap: &Plan, pos: usize, requested: &str) -> Option<String> {
    let r = snap.redeemables.get(pos)?;
    Some(match r.kind {
        RedeemableKind::PromotionTier => format!("tier:{}", r.id),
        _ if !r.id.is_empty() => format!("voucher:{}", r.id),
        _ => format!("code:{}", sha256_b64(requested)),
    })
}

fn resolve(snap: &Plan, req: &ValidationRequest) -> Vec<Target> {
    let mut out = Vec::new();
    let mut push = |requested: &str, object: &'static str, pos: Option<usize>| {
        let Some(pos) = pos else { return };
        let Some(r) = snap.redeemables.get(pos) else {
            return;
        };
        let (Some(key), Some(camp)) = (
            ledger_key(snap, pos, requested),
            snap.campaigns.get(r.campaign),
        ) else {
            return;
        };
        out.push(Target {
            requested: requested.to_string(),
            object,
            pos,
            key,
            campaign: camp.id.clone(),
        });
    };
    for r in &req.redeemables {
        match r.object {
            RedeemableObject::Voucher => push(&r.id, "voucher", snap.find_voucher(&r.id)),
            RedeemableObject::PromotionTier => push(&r.id, "promotion_tier", snap.find_tier(&r.id)),
            RedeemableObject::PromotionStack => {
                if let Some(tiers) = snap.stacks.get(&r.id).map(|s| &s.tiers) {
                    for t in tiers {
                        let id = snap
                            .redeemables
                            .get(*t)
                            .map(|x| x.id.clone())
                            .unwrap_or_default();
                        push(&id, "promotion_tier", Some(*t));
                    }
                }
            }
        }
    }
    out
}

/// Calendar periods of `now` in the project's zone (weeks start on Monday).
#[derive(Debug, Clone)]
struct Periods {
    day: String,
    week: String,
    month: String,
}

fn periods(snap: &Plan, now: Instant) -> Periods {
    let local = Instant(now.0.saturating_add(snap.tz.offset_ms(now)))
        .naive_utc()
        .unwrap_or(NaiveDateTime::MIN);
    let w = local.iso_week();
    Periods {
        day: local.format("%Y-%m-%d").to_string(),
        week: format!("{}-W{:02}", w.year(), w.week()),
        month: local.format("%Y-%m").to_string(),
    }
}

fn counter(conn: &Connection, scope: &str, key: &str, name: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT value FROM counters WHERE scope = ?1 AND key = ?2 AND name = ?3",
        params![scope, key, name],
        |r| r.get(0),
    )
    .optional()
}

fn balance(conn: &Connection, key: &str) -> rusqlite::Result<Option<i64>> {
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
fn count_items(
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
fn bump_item_counts(
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

fn customer_of(req: &ValidationRequest) -> Option<String> {
    req.customer
        .as_ref()
        .and_then(|c| c.source_id.clone().or_else(|| c.id.clone()))
}

/// Replaces the request's counters with the ledger's.
fn fill_counters(
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
        let Some(r) = snap.redeemables.get(t.pos) else {
            continue;
        };
        let mut m = BTreeMap::new();
        let redeemed = counter(conn, "redeemable", &t.key, "redeemed_quantity")?
            .unwrap_or(r.redeemed_quantity);
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
        match r.kind {
            RedeemableKind::GiftCard => {
                let initial = r.gift.and_then(|g| g.balance).map(|m| m.0).unwrap_or(0);
                m.insert(
                    "gift_balance".into(),
                    balance(conn, &t.key)?.unwrap_or(initial),
                );
            }
            RedeemableKind::LoyaltyCard => {
                let initial = r.loyalty_balance.unwrap_or(0);
                m.insert(
                    "loyalty_balance".into(),
                    balance(conn, &t.key)?.unwrap_or(initial),
                );
            }
            _ => {}
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

/// A redemption request after parsing.
#[derive(Debug, Clone)]
pub struct RedeemInput {
    /// The channel (from the bearer key).
    pub channel: String,
    /// `Idempotency-Key`.
    pub idempotency_key: String,
    /// SHA-256 of the canonical body.
    pub request_hash: String,
    /// The validation request (counters are replaced).
    pub request: ValidationRequest,
    /// The client's snapshot version.
    pub client_version: Option<u64>,
    /// The client's expected result.
    pub expected: Option<Value>,
    /// Evaluation time.
    pub now: Instant,
}

/// What `redeem` answers.
#[derive(Debug, Clone)]
pub struct RedeemOutput {
    /// The response body (stored; a replay returns these bytes).
    pub body: String,
    /// Whether this is a replay of an earlier request.
    pub replayed: bool,
}

/// A fresh id with a prefix, from the OS random source.
pub fn fresh_id(prefix: &str) -> String {
    use rand_core::RngCore;
    let mut b = [0u8; 12];
    rand_core::OsRng.fill_bytes(&mut b);
    format!("{prefix}_{}", URL_SAFE_NO_PAD.encode(b))
}

struct Effects<'a> {
    tx: &'a Connection,
    redemption: &'a str,
}

impl Effects<'_> {
    /// `counters[scope,key,name] += delta`, starting from `initial`.
    fn counter(
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
    fn balance(&self, kind: &str, key: &str, delta: i64, initial: i64) -> Result<(), ApiError> {
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

impl Ledger {
    /// Opens (and creates) the ledger database.
    pub fn open(path: &Path) -> Result<Ledger, rusqlite::Error> {
        let writer = open_conn(path)?;
        writer.execute_batch(SCHEMA)?;
        let reader = open_conn(path)?;
        Ok(Ledger {
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
        })
    }

    /// The newest bundle stored for a channel.
    pub fn latest_bundle(&self, channel: &str) -> rusqlite::Result<Option<StoredBundle>> {
        let conn = lock(&self.writer);
        conn.query_row(
            "SELECT channel, version, source_digest, etag, bundle, expires_at FROM bundles
             WHERE channel = ?1 ORDER BY version DESC LIMIT 1",
            params![channel],
            |r| {
                Ok(StoredBundle {
                    channel: r.get(0)?,
                    version: r.get::<_, i64>(1)?.try_into().unwrap_or(0),
                    source_digest: r.get(2)?,
                    etag: r.get(3)?,
                    bundle: r.get(4)?,
                    expires_at: r.get(5)?,
                })
            },
        )
        .optional()
    }

    /// Stores a bundle (refusing a version not above the newest one).
    pub fn store_bundle(&self, b: &StoredBundle, created_at: &str) -> rusqlite::Result<()> {
        let conn = lock(&self.writer);
        conn.execute(
            "INSERT OR IGNORE INTO bundles (channel, version, source_digest, etag, bundle, expires_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                b.channel,
                i64::try_from(b.version).unwrap_or(i64::MAX),
                b.source_digest,
                b.etag,
                b.bundle,
                b.expires_at,
                created_at
            ],
        )?;
        Ok(())
    }

    /// Authoritative validation: the request's counters are replaced by the
    /// ledger's live values.
    pub fn validate(
        &self,
        engine: &Engine,
        mut req: ValidationRequest,
        now: Instant,
    ) -> Result<ValidationResponse, ApiError> {
        let snap = engine.plan().ok_or(promo_edge::Error::NoSnapshot)?;
        let targets = resolve(snap, &req);
        {
            let conn = lock(&self.reader);
            fill_counters(&conn, snap, &mut req, &targets, now)?;
        }
        Ok(engine.validate(&req, now)?)
    }

    /// Redeems: idempotency check, live counters, evaluation and every
    /// change in one immediate transaction.
    pub fn redeem(&self, engine: &Engine, input: RedeemInput) -> Result<RedeemOutput, ApiError> {
        let snap = engine.plan().ok_or(promo_edge::Error::NoSnapshot)?;
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let earlier: Option<(String, String)> = tx
            .query_row(
                "SELECT request_hash, response FROM redemptions WHERE channel = ?1 AND idempotency_key = ?2",
                params![input.channel, input.idempotency_key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((hash, body)) = earlier {
            if hash != input.request_hash {
                return Err(ApiError::new(
                    409,
                    "IDEMPOTENCY_KEY_REUSED",
                    "this Idempotency-Key was used with a different request body",
                ));
            }
            return Ok(RedeemOutput {
                body,
                replayed: true,
            });
        }

        let mut req = input.request;
        let targets = resolve(snap, &req);
        fill_counters(&tx, snap, &mut req, &targets, input.now)?;
        let result = engine.validate(&req, input.now)?;
        let result_json = serde_json::to_value(&result).map_err(ApiError::internal)?;
        let differences = crate::diff::differences(
            input.expected.as_ref(),
            &result_json,
            input.client_version,
            snap.version,
        );
        let id = fresh_id("rdm");
        let status = if result.valid { "SUCCEEDED" } else { "FAILED" };
        let customer = customer_of(&req);
        if result.valid {
            apply(
                &tx,
                snap,
                &id,
                &result,
                &targets,
                customer.as_deref(),
                input.now,
            )?;
        }
        let created_at = input.now.to_rfc3339();
        let body = json!({
            "id": id,
            "object": "redemption",
            "status": status,
            "created_at": created_at,
            "snapshot_version": snap.version,
            "differences": differences,
            "result": result_json,
        })
        .to_string();
        tx.execute(
            "INSERT INTO redemptions (id, channel, idempotency_key, request_hash, status, response, customer, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id,
                input.channel,
                input.idempotency_key,
                input.request_hash,
                status,
                body,
                customer,
                created_at
            ],
        )?;
        tx.commit()?;
        Ok(RedeemOutput {
            body,
            replayed: false,
        })
    }

    /// A stored redemption of a channel: its answer and whether it was
    /// rolled back (another channel's redemptions are not found).
    pub fn redemption(&self, channel: &str, id: &str) -> Result<Value, ApiError> {
        let conn = lock(&self.reader);
        let row: Option<(String, Option<String>)> = conn
            .query_row(
                "SELECT response, rolled_back_at FROM redemptions WHERE id = ?1 AND channel = ?2",
                params![id, channel],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (response, rolled_back_at) = row.ok_or_else(|| {
            ApiError::new(404, "REDEMPTION_NOT_FOUND", format!("no redemption `{id}`"))
        })?;
        let mut v: Value = serde_json::from_str(&response).map_err(ApiError::internal)?;
        if let Some(obj) = v.as_object_mut() {
            obj.insert("rolled_back_at".into(), json!(rolled_back_at));
        }
        Ok(v)
    }

    /// Undoes a successful redemption of a channel: counters, gift credits and points
    /// return; its items stop counting.
    pub fn rollback(&self, channel: &str, id: &str, now: Instant) -> Result<Value, ApiError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row: Option<(String, Option<String>)> = tx
            .query_row(
                "SELECT status, rolled_back_at FROM redemptions WHERE id = ?1 AND channel = ?2",
                params![id, channel],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (status, rolled_back_at) = row.ok_or_else(|| {
            ApiError::new(404, "REDEMPTION_NOT_FOUND", format!("no redemption `{id}`"))
        })?;
        if status != "SUCCEEDED" {
            return Err(ApiError::new(
                409,
                "REDEMPTION_NOT_SUCCEEDED",
                "only a SUCCEEDED redemption can be rolled back",
            ));
        }
        if let Some(at) = rolled_back_at {
            return Err(ApiError::new(
                409,
                "ALREADY_ROLLED_BACK",
                format!("redemption `{id}` was rolled back at {at}"),
            ));
        }
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
            let back = if kind == "balance" {
                // Points earned and spent since cannot be taken back below zero.
                let current = balance(&tx, &key)?.unwrap_or(0);
                let back = if delta > 0 {
                    -delta.min(current)
                } else {
                    -delta
                };
                tx.execute(
                    "UPDATE balances SET balance = balance + ?2 WHERE key = ?1",
                    params![key, back],
                )?;
                back
            } else {
                tx.execute(
                    "UPDATE counters SET value = value - ?4 WHERE scope = ?1 AND key = ?2 AND name = ?3",
                    params![scope, key, name, delta],
                )?;
                -delta
            };
            reverted.push(json!({"scope": scope, "key": key, "name": name, "delta": back}));
        }
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
            bump_item_counts(
                &tx,
                key,
                campaign,
                customer.as_deref(),
                day,
                week,
                month,
                -1,
            )?;
        }
        tx.execute(
            "UPDATE redemption_items SET rolled_back = 1 WHERE redemption_id = ?1",
            params![id],
        )?;
        let at = now.to_rfc3339();
        tx.execute(
            "UPDATE redemptions SET rolled_back_at = ?2 WHERE id = ?1",
            params![id, at],
        )?;
        tx.commit()?;
        Ok(json!({
            "id": fresh_id("rbk"),
            "object": "redemption_rollback",
            "redemption_id": id,
            "status": "SUCCEEDED",
            "rolled_back_at": at,
            "reverted": reverted,
        }))
    }

    /// A counter's current value (tests and diagnostics).
    pub fn counter_value(
        &self,
        scope: &str,
        key: &str,
        name: &str,
    ) -> rusqlite::Result<Option<i64>> {
        counter(&lock(&self.reader), scope, key, name)
    }
}

/// Records a valid redemption's counter and balance changes.
fn apply(
    tx: &Connection,
    snap: &Plan,
    id: &str,
    result: &ValidationResponse,
    targets: &[Target],
    customer: Option<&str>,
    now: Instant,
) -> Result<(), ApiError> {
    let fx = Effects { tx, redemption: id };
    let p = periods(snap, now);
    let mut used = vec![false; targets.len()];
    let mut campaigns = Vec::new();
    for r in result
        .redeemables
        .iter()
        .filter(|r| r.status == Status::Applicable)
    {
        let found = targets.iter().enumerate().find(|(i, t)| {
            !used.get(*i).copied().unwrap_or(true) && t.requested == r.id && t.object == r.object
        });
        let Some((i, t)) = found else {
            continue;
        };
        if let Some(u) = used.get_mut(i) {
            *u = true;
        }
        let Some(compiled) = snap.redeemables.get(t.pos) else {
            continue;
        };
        fx.counter(
            "redeemable",
            &t.key,
            "redeemed_quantity",
            1,
            compiled.redeemed_quantity,
        )?;
        tx.execute(
            "INSERT INTO redemption_items (redemption_id, ledger_key, campaign_id, customer, day, week, month)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![id, t.key, t.campaign, customer, p.day, p.week, p.month],
        )?;
        bump_item_counts(
            tx,
            &t.key,
            &t.campaign,
            customer,
            &p.day,
            &p.week,
            &p.month,
            1,
        )?;
        let discount = r
            .order
            .as_ref()
            .map(|o| o.total_applied_discount_amount.0)
            .unwrap_or(0);
        let credits = r.result.gift.as_ref().map(|g| g.credits.0).unwrap_or(0);
        let points = r
            .result
            .loyalty_card
            .as_ref()
            .map(|l| l.points)
            .unwrap_or(0);
        if credits > 0 {
            let initial = compiled
                .gift
                .and_then(|g| g.balance)
                .map(|m| m.0)
                .unwrap_or(0);
            fx.balance("gift_balance", &t.key, -credits, initial)?;
        }
        if points > 0 {
            fx.balance(
                "loyalty_balance",
                &t.key,
                -points,
                compiled.loyalty_balance.unwrap_or(0),
            )?;
        }
        fx.counter("campaign", &t.campaign, "redemptions", 1, 0)?;
        fx.counter("campaign", &t.campaign, "amount_discounted", discount, 0)?;
        fx.counter("campaign", &t.campaign, "gift_amount", credits, 0)?;
        fx.counter("campaign", &t.campaign, "points_used", points, 0)?;
        if !campaigns.contains(&t.campaign) {
            campaigns.push(t.campaign.clone());
        }
    }
    for c in &campaigns {
        fx.counter(
            "campaign",
            c,
            "orders_amount",
            result.order.initial_amount.0,
            0,
        )?;
    }
    // Points earned go to the customer's card in that loyalty campaign.
    if let Some(cust) = customer {
        for e in result.earned_points.iter().filter(|e| e.points > 0) {
            let card = snap
                .by_holder
                .get(cust)
                .into_iter()
                .flatten()
                .find_map(|pos| {
                    let r = snap.redeemables.get(*pos)?;
                    let camp = snap.campaigns.get(r.campaign)?;
                    (r.kind == RedeemableKind::LoyaltyCard
                        && camp.id == e.campaign_id
                        && !r.id.is_empty())
                    .then(|| (format!("voucher:{}", r.id), r.loyalty_balance.unwrap_or(0)))
                });
            if let Some((key, initial)) = card {
                fx.balance("loyalty_balance", &key, e.points, initial)?;
            }
        }
    }
    Ok(())
}

/// SHA-256 (base64url) of a JSON value in canonical form (object keys
/// sorted, no whitespace), so that a retry that re-serializes the same
/// body is recognised.
pub fn canonical_hash(v: &Value) -> String {
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    if let Some(x) = m.get(k) {
                        write(x, out);
                    }
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut s = String::new();
    write(v, &mut s);
    sha256_b64(&s)
}
