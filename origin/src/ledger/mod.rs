//! The authoritative ledger: served bundles, counters, gift and loyalty
//! balances, redemptions with their idempotency keys, and every counter
//! change a redemption made (so a rollback undoes exactly that). Its rules
//! live here once; `db/` stores them in SQLite or PostgreSQL.
//!
//! Every redemption runs in ONE transaction: the idempotency check (under
//! a lock on the key, so a retry sent to another node waits for the first
//! attempt and then gets its answer), locking the ledger keys and
//! campaigns it reads, reading live counters, the engine's evaluation, and
//! all counter and balance changes. Concurrent redemptions of the same code
//! or campaign therefore run one after the other, on one node or several:
//! a single-use code is redeemed once, and a balance (guarded again by a
//! conditional update and a `CHECK`) never goes negative.
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

mod answer;
mod apply;
mod counters;
pub mod db;
pub mod events;
mod store;
mod targets;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use promo_edge::plan::Plan;
use promo_edge::qualification::{QualificationRequest, QualificationResponse};
use promo_edge::request::ValidationRequest;
use promo_edge::time::Instant;
use promo_edge::validation::ValidationResponse;
use promo_edge::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::api_error::ApiError;
pub use crate::diff::OnDifference;

use self::apply::apply;
use self::counters::{fill_counters, lock_keys};
pub use self::db::{Database, DatabaseUrl, DbSettings, StoredBundle, StoredKey};
use self::db::{NewRedemption, Tx};
use self::store::{revert_effects, revert_items};
use self::targets::{customer_of, resolve, Target};

/// The ledger: its rules over one [`Database`].
#[derive(Debug)]
pub struct Ledger {
    db: Database,
}

/// The strong ETag of a bundle: `"` + base64url(SHA-256(bundle)) + `"`.
pub fn etag_of(bundle: &[u8]) -> String {
    format!("\"{}\"", URL_SAFE_NO_PAD.encode(Sha256::digest(bundle)))
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

/// The most candidates a qualification reads live counters for (the
/// engine's largest page).
pub const QUALIFY_CANDIDATES: u32 = 50;

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
        } else if stored == Outcome::Failed.as_str() {
            // Voucherify answers a redemption that cannot apply with a 400.
            400
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
fn earlier_answer(tx: &mut dyn Tx, input: &RedeemInput) -> Result<Option<RedeemOutput>, ApiError> {
    let Some(earlier) = tx.earlier(&input.channel, &input.idempotency_key)? else {
        return Ok(None);
    };
    if earlier.request_hash != input.request_hash {
        return Err(ApiError::new(
            409,
            "IDEMPOTENCY_KEY_REUSED",
            "this Idempotency-Key was used with a different request body",
        ));
    }
    Ok(Some(RedeemOutput {
        body: earlier.response,
        replayed: true,
        http_status: Outcome::http_status_of(&earlier.status),
    }))
}

/// A fresh id with a prefix, from the OS random source.
pub fn fresh_id(prefix: &str) -> String {
    use rand_core::RngCore;
    let mut b = [0u8; 12];
    rand_core::OsRng.fill_bytes(&mut b);
    format!("{prefix}_{}", URL_SAFE_NO_PAD.encode(b))
}

/// The lock a redemption takes on its idempotency key first: a retry on
/// any node waits for the attempt in flight and then replays its answer.
fn idempotency_lock(input: &RedeemInput) -> String {
    format!("idempotency:{}:{}", input.channel, input.idempotency_key)
}

/// One redemption inside its transaction (see the module doc).
fn redeem_in(
    tx: &mut dyn Tx,
    engine: &Engine,
    snap: &Plan,
    input: &RedeemInput,
    targets: &[Target],
) -> Result<RedeemOutput, ApiError> {
    tx.lock(&[idempotency_lock(input)])?;
    if let Some(out) = earlier_answer(tx, input)? {
        return Ok(out);
    }
    tx.lock(&lock_keys(targets))?;
    let mut req = input.request.clone();
    // The ledger records what each redeemable took off the order, which
    // an answer spells out only in each redeemable's own `order`.
    let options = req.options.get_or_insert_with(Default::default);
    if !options.expand.iter().any(|e| e == "order") {
        options.expand.push("order".to_string());
    }
    fill_counters(tx, snap, &mut req, targets, input.now)?;
    let result: ValidationResponse = engine.validate(&req, input.now)?;
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
            tx,
            snap,
            &id,
            &result,
            targets,
            customer.as_deref(),
            input.now,
        )?,
        Outcome::Failed | Outcome::Rejected => Vec::new(),
    };
    let created_at = input.now.to_rfc3339();
    let answer = answer::body(
        answer::Parts {
            id: &id,
            outcome,
            created_at: &created_at,
            snap,
            request: &req,
            result: &result,
            result_json,
            differences: &differences,
            earned: &earned,
        },
        || rejection_message(&differences),
    );
    let body = answer.to_string();
    tx.insert_redemption(&NewRedemption {
        id: &id,
        channel: &input.channel,
        idempotency_key: &input.idempotency_key,
        request_hash: &input.request_hash,
        status: outcome.as_str(),
        response: &body,
        customer: customer.as_deref(),
        created_at: &created_at,
    })?;
    events::redemption(tx, &input.channel, &answer, &created_at)?;
    Ok(RedeemOutput {
        body,
        replayed: false,
        http_status: outcome.http_status(),
    })
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(404, "REDEMPTION_NOT_FOUND", format!("no redemption `{id}`"))
}

/// One rollback inside its transaction: the redemption's row is locked
/// first (a second rollback waits, then sees the first), then every key
/// and campaign it changed, as a redemption locks them.
fn rollback_in(tx: &mut dyn Tx, channel: &str, id: &str, at: &str) -> Result<Vec<Value>, ApiError> {
    let (status, rolled_back_at) = tx
        .redemption_for_update(channel, id)?
        .ok_or_else(|| not_found(id))?;
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
    let effects = tx.effects(id)?;
    let items = tx.live_items(id)?;
    let mut keys = Vec::new();
    for e in &effects {
        let scope = if e.kind == "counter" && e.scope == "campaign" {
            "campaign"
        } else {
            "key"
        };
        keys.push(format!("{scope}:{}", e.key));
    }
    for i in &items {
        keys.push(format!("key:{}", i.ledger_key));
        keys.push(format!("campaign:{}", i.campaign_id));
    }
    tx.lock(&keys)?;
    let reverted = revert_effects(tx, &effects)?;
    revert_items(tx, id, &items)?;
    tx.set_rolled_back(id, at)?;
    Ok(reverted)
}

impl Ledger {
    /// The ledger over an open (migrated) database.
    pub fn new(db: Database) -> Ledger {
        Ledger { db }
    }

    /// The database (publication, diagnostics).
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// The newest bundle stored for a channel.
    pub fn latest_bundle(&self, channel: &str) -> Result<Option<StoredBundle>, ApiError> {
        self.db.read(|tx| Ok(tx.latest_bundle(channel)?))
    }

    /// The newest bundle of every channel.
    pub fn latest_bundles(&self) -> Result<Vec<StoredBundle>, ApiError> {
        self.db.read(|tx| Ok(tx.latest_bundles()?))
    }

    /// `(channel, version)` of the newest bundle of every channel.
    pub fn latest_versions(&self) -> Result<Vec<(String, u64)>, ApiError> {
        self.db.read(|tx| Ok(tx.latest_versions()?))
    }

    /// Stores a bundle (and the public keys that verify it) unless its
    /// version is stored already, and answers the newest bundle of its
    /// channel afterwards: the one stored here, or the one another node
    /// stored first.
    pub fn store_bundle(
        &self,
        b: &StoredBundle,
        keys: &[StoredKey],
        created_at: &str,
    ) -> Result<StoredBundle, ApiError> {
        self.db.write(|tx| {
            for k in keys {
                tx.store_key(k, created_at)?;
            }
            if tx.store_bundle(b, created_at)? {
                events::published(tx, b, created_at)?;
            }
            Ok(tx.latest_bundle(&b.channel)?.unwrap_or_else(|| b.clone()))
        })
    }

    /// A channel's events after `seq` (oldest first, at most `limit`).
    pub fn events(
        &self,
        channel: &str,
        seq: i64,
        limit: i64,
    ) -> Result<Vec<db::StoredEvent>, ApiError> {
        self.db.read(|tx| Ok(tx.events_after(channel, seq, limit)?))
    }

    /// The public keys published with bundles.
    pub fn published_keys(&self) -> Result<Vec<StoredKey>, ApiError> {
        self.db.read(|tx| Ok(tx.keys()?))
    }

    /// Authoritative validation: the request's counters are replaced by the
    /// ledger's live values (one consistent snapshot of them).
    pub fn validate(
        &self,
        engine: &Engine,
        mut req: ValidationRequest,
        now: Instant,
    ) -> Result<ValidationResponse, ApiError> {
        let snap = engine.plan().ok_or(promo_edge::Error::NoSnapshot)?;
        let targets = resolve(snap, &req);
        self.db
            .read(|tx| Ok(fill_counters(tx, snap, &mut req, &targets, now)?))?;
        Ok(engine.validate(&req, now)?)
    }

    /// The ledger's live counters of one redeemable as a request names it
    /// (`redeemed_quantity`, `gift_balance`, `loyalty_balance`, …).
    pub fn live_counters(
        &self,
        engine: &Engine,
        object: &str,
        id: &str,
        now: Instant,
    ) -> Result<std::collections::BTreeMap<String, i64>, ApiError> {
        let snap = engine.plan().ok_or(promo_edge::Error::NoSnapshot)?;
        let mut probe: ValidationRequest =
            serde_json::from_value(json!({"redeemables": [{"object": object, "id": id}]}))
                .map_err(ApiError::internal)?;
        let targets = resolve(snap, &probe);
        self.db
            .read(|tx| Ok(fill_counters(tx, snap, &mut probe, &targets, now)?))?;
        Ok(probe.counters.redeemables.remove(id).unwrap_or_default())
    }

    /// Authoritative qualification: the candidates a first, counter-free
    /// pass finds (at most [`QUALIFY_CANDIDATES`]; counters only ever take
    /// a candidate away) get the ledger's live counters, and the request is
    /// answered again with them.
    pub fn qualify(
        &self,
        engine: &Engine,
        mut req: QualificationRequest,
        now: Instant,
    ) -> Result<QualificationResponse, ApiError> {
        let snap = engine.plan().ok_or(promo_edge::Error::NoSnapshot)?;
        req.counters = Default::default();
        let mut wide = req.clone();
        wide.options.limit = Some(QUALIFY_CANDIDATES);
        let first = engine.qualify(&wide, now)?;
        let candidates: Vec<Value> = first
            .redeemables
            .data
            .iter()
            .map(|r| json!({"object": r.object, "id": r.id}))
            .collect();
        let mut probe: ValidationRequest = serde_json::from_value(json!({
            "redeemables": candidates,
            "customer": req.customer,
        }))
        .map_err(ApiError::internal)?;
        let targets = resolve(snap, &probe);
        self.db
            .read(|tx| Ok(fill_counters(tx, snap, &mut probe, &targets, now)?))?;
        req.counters = probe.counters;
        Ok(engine.qualify(&req, now)?)
    }

    /// Redeems: idempotency check, locks, live counters, evaluation and
    /// every change in one transaction.
    pub fn redeem(&self, engine: &Engine, input: RedeemInput) -> Result<RedeemOutput, ApiError> {
        let snap = engine.plan().ok_or(promo_edge::Error::NoSnapshot)?;
        let targets = resolve(snap, &input.request);
        self.db
            .write(|tx| redeem_in(tx, engine, snap, &input, &targets))
    }

    /// A stored redemption of a channel: its answer and whether it was
    /// rolled back (another channel's redemptions are not found).
    pub fn redemption(&self, channel: &str, id: &str) -> Result<Value, ApiError> {
        let (response, rolled_back_at) = self
            .db
            .read(|tx| Ok(tx.redemption(channel, id)?))?
            .ok_or_else(|| not_found(id))?;
        let mut v: Value = serde_json::from_str(&response).map_err(ApiError::internal)?;
        if let Some(obj) = v.as_object_mut() {
            obj.insert("rolled_back_at".into(), json!(rolled_back_at));
        }
        Ok(v)
    }

    /// Undoes a successful redemption of a channel: counters, gift credits and points
    /// return; its items stop counting.
    pub fn rollback(&self, channel: &str, id: &str, now: Instant) -> Result<Value, ApiError> {
        let at = now.to_rfc3339();
        self.db.write(|tx| {
            let reverted = rollback_in(tx, channel, id, &at)?;
            let (stored, _) = tx.redemption(channel, id)?.ok_or_else(|| not_found(id))?;
            let stored: Value = serde_json::from_str(&stored).map_err(ApiError::internal)?;
            let answer = answer::rollback_body(&fresh_id("rbk"), id, &at, &stored, reverted);
            events::rollback(tx, channel, &stored, &answer, &at)?;
            Ok(answer)
        })
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
