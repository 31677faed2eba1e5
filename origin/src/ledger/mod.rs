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
//! (its salted hash changes with every publication, the code does not),
//! except a loyalty card published to a holder, `card:<campaign>:<holder>`
//! (see `targets.rs`: the points a customer earns must find the card
//! without its code).
//! The first time the ledger touches a counter or balance it starts from
//! the snapshot's published value (`redemption.redeemed_quantity`,
//! `gift.balance`, `loyalty_card.balance`); from then on the ledger is the
//! authority.

mod apply;
mod counters;
mod store;
mod targets;

use std::path::Path;
use std::sync::Mutex;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use promo_edge::request::ValidationRequest;
use promo_edge::time::Instant;
use promo_edge::validation::ValidationResponse;
use promo_edge::Engine;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::api_error::ApiError;
pub use crate::diff::OnDifference;

use self::apply::apply;
use self::counters::fill_counters;
use self::store::{counter, revert_effects, revert_items};
use self::targets::{customer_of, resolve};

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

fn sha256_b64(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(text.as_bytes()))
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
    /// What to do when the origin's result differs from `expected`.
    pub on_difference: OnDifference,
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
    /// 200, or 409 for a redemption rejected because its result changed.
    pub http_status: u16,
}

/// The code of a redemption refused under `on_difference: REJECT`.
pub const RESULT_CHANGED: &str = "REDEMPTION_RESULT_CHANGED";

/// How a redemption ended (its stored `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Valid at the origin, and recorded.
    Succeeded,
    /// Not valid at the origin: nothing recorded.
    Failed,
    /// Valid, but not at the result the client expected and the client
    /// asked for `REJECT`: nothing recorded (`409 REDEMPTION_RESULT_CHANGED`).
    Rejected,
}

impl Outcome {
    fn of(valid: bool, choice: OnDifference, differences: &[crate::diff::Difference]) -> Outcome {
        if !valid {
            Outcome::Failed
        } else if choice == OnDifference::Reject
            && crate::diff::changes_what_the_shopper_saw(differences)
        {
            Outcome::Rejected
        } else {
            Outcome::Succeeded
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "SUCCEEDED",
            Outcome::Failed => "FAILED",
            Outcome::Rejected => "REJECTED",
        }
    }

    /// The HTTP status of an answer with a stored `status` (a replay
    /// answers the status the first answer had).
    fn http_status_of(stored: &str) -> u16 {
        if stored == Outcome::Rejected.as_str() {
            409
        } else {
            200
        }
    }

    fn http_status(self) -> u16 {
        Outcome::http_status_of(self.as_str())
    }
}

/// The sentence of a `REDEMPTION_RESULT_CHANGED` answer, naming what changed.
fn rejection_message(differences: &[crate::diff::Difference]) -> String {
    let mut what: Vec<&str> = Vec::new();
    for d in differences.iter().filter(|d| d.path != "snapshot_version") {
        if !what.contains(&d.reason.as_str()) {
            what.push(&d.reason);
        }
    }
    format!(
        "the origin's result differs from the one expected ({}); nothing was redeemed: \
         confirm the origin's result and redeem again with a new Idempotency-Key",
        what.join(", ")
    )
}

/// The stored answer to an earlier request with the same key, or `409
/// IDEMPOTENCY_KEY_REUSED` when its body was another.
fn earlier_answer(tx: &Connection, input: &RedeemInput) -> Result<Option<RedeemOutput>, ApiError> {
    let earlier: Option<(String, String, String)> = tx
        .query_row(
            "SELECT request_hash, response, status FROM redemptions WHERE channel = ?1 AND idempotency_key = ?2",
            params![input.channel, input.idempotency_key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((hash, body, status)) = earlier else {
        return Ok(None);
    };
    if hash != input.request_hash {
        return Err(ApiError::new(
            409,
            "IDEMPOTENCY_KEY_REUSED",
            "this Idempotency-Key was used with a different request body",
        ));
    }
    Ok(Some(RedeemOutput {
        body,
        replayed: true,
        http_status: Outcome::http_status_of(&status),
    }))
}

/// A fresh id with a prefix, from the OS random source.
pub fn fresh_id(prefix: &str) -> String {
    use rand_core::RngCore;
    let mut b = [0u8; 12];
    rand_core::OsRng.fill_bytes(&mut b);
    format!("{prefix}_{}", URL_SAFE_NO_PAD.encode(b))
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
        if let Some(out) = earlier_answer(&tx, &input)? {
            return Ok(out);
        }
        let mut req = input.request;
        // The ledger records what each redeemable took off the order, which
        // an answer spells out only in each redeemable's own `order`.
        let options = req.options.get_or_insert_with(Default::default);
        if !options.expand.iter().any(|e| e == "order") {
            options.expand.push("order".to_string());
        }
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
        let outcome = Outcome::of(result.valid, input.on_difference, &differences);
        let id = fresh_id("rdm");
        let customer = customer_of(&req);
        let earned = match outcome {
            Outcome::Succeeded => apply(
                &tx,
                snap,
                &id,
                &result,
                &targets,
                customer.as_deref(),
                input.now,
            )?,
            Outcome::Failed | Outcome::Rejected => Vec::new(),
        };
        let created_at = input.now.to_rfc3339();
        let mut answer = serde_json::Map::new();
        if outcome == Outcome::Rejected {
            answer.insert("code".into(), RESULT_CHANGED.into());
            answer.insert("message".into(), rejection_message(&differences).into());
        }
        let fields = json!({
            "id": id,
            "object": "redemption",
            "status": outcome.as_str(),
            "created_at": created_at,
            "snapshot_version": snap.version,
            "differences": differences,
            "earned_points": earned,
            "result": result_json,
        });
        if let Value::Object(m) = fields {
            answer.extend(m);
        }
        let body = Value::Object(answer).to_string();
        tx.execute(
            "INSERT INTO redemptions (id, channel, idempotency_key, request_hash, status, response, customer, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id,
                input.channel,
                input.idempotency_key,
                input.request_hash,
                outcome.as_str(),
                body,
                customer,
                created_at
            ],
        )?;
        tx.commit()?;
        Ok(RedeemOutput {
            body,
            replayed: false,
            http_status: outcome.http_status(),
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
        let reverted = revert_effects(&tx, id)?;
        revert_items(&tx, id)?;
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
