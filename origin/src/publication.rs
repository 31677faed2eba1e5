//! Publication through the database: bundles (and the public keys that
//! verify them) live in the ledger database, and every node serves the
//! newest bundle of each channel stored there.
//!
//! `publish --database`, `serve --source` and `serve --bundle` store a
//! bundle; a node notices it within a second: on PostgreSQL a
//! notification sent at commit (`LISTEN`/`NOTIFY`) wakes every node, with a
//! re-read every [`PG_FALLBACK`] and after every reconnection of the
//! listener (notifications are not stored); on SQLite a node polls every
//! [`SQLITE_POLL`]. A node started later reads the newest bundles at start.
//! A node never goes back to an older version, and serves the stored bytes
//! with the stored ETag, so all nodes answer the same ETag for the same
//! bundle.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use promo_edge::time::Instant;
use promo_edge::Engine;
use serde_json::Value;

use crate::error::CliError;
use crate::keys::Signer;
use crate::ledger::{etag_of, Ledger, StoredBundle, StoredKey};

/// How often a node on SQLite looks for a newer bundle.
pub const SQLITE_POLL: Duration = Duration::from_secs(1);
/// How often a node on PostgreSQL re-reads without a notification.
pub const PG_FALLBACK: Duration = Duration::from_secs(5);

/// A channel as served: its bundle and the engine loaded from it.
pub struct Channel {
    pub engine: Engine,
    pub bundle: StoredBundle,
}

/// What a node serves: one bundle per channel, and the JWKS.
#[derive(Clone, Default)]
pub struct Served {
    pub channels: HashMap<String, Arc<Channel>>,
    /// The JWKS text (`GET /v1/keys`, and the keys bundles are verified with).
    pub jwks: Arc<String>,
    /// Stored versions that did not load, not tried again.
    pub refused: HashMap<String, u64>,
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn ledger_error(e: crate::api_error::ApiError) -> CliError {
    CliError::new(&e.code, e.message)
}

/// The public keys of a JWKS, as stored beside the bundles.
pub fn stored_keys(jwks: &Value) -> Vec<StoredKey> {
    jwks.get("keys")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|k| {
            let kid = k.get("kid")?.as_str()?.to_string();
            Some(StoredKey {
                kid,
                jwk: k.to_string(),
            })
        })
        .collect()
}

/// `base` (the signing key and `--jwks`) plus the keys stored in the
/// database, each `kid` once.
pub fn merged_jwks(base: &Value, stored: &[StoredKey]) -> String {
    let mut keys: Vec<Value> = base
        .get("keys")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for k in stored {
        let known = keys
            .iter()
            .any(|x| x.get("kid").and_then(Value::as_str) == Some(k.kid.as_str()));
        if !known {
            if let Ok(v) = serde_json::from_str::<Value>(&k.jwk) {
                keys.push(v);
            }
        }
    }
    serde_json::json!({ "keys": keys }).to_string()
}

/// Publishes a source into the ledger unless the newest stored bundle came
/// from the same source files, was signed by the same key and has more
/// than half its life left; answers the newest stored bundle afterwards
/// (another node may have stored the same version first).
pub fn publish_source(
    dir: &Path,
    signer: &Signer,
    ledger: &Ledger,
    now: DateTime<Utc>,
    lifetime_ms: i64,
) -> Result<StoredBundle, CliError> {
    let channel = crate::publish::read_channel(dir)?;
    let latest = ledger.latest_bundle(&channel).map_err(ledger_error)?;
    let digest = crate::publish::source_digest(dir)?;
    if let Some(b) = &latest {
        let fresh = DateTime::parse_from_rfc3339(&b.expires_at)
            .map(|t| t.with_timezone(&Utc) - now > chrono::Duration::milliseconds(lifetime_ms / 2))
            .unwrap_or(false);
        let same_key = promo_edge::bundle::Jwks::parse(&signer.jwks().to_string())
            .ok()
            .is_some_and(|k| promo_edge::bundle::open(&b.bundle, &k).is_ok());
        if fresh && same_key && b.source_digest.as_deref() == Some(digest.as_str()) {
            return Ok(b.clone());
        }
    }
    let version = latest.map(|b| b.version).unwrap_or(0).saturating_add(1);
    let built = crate::publish::build(&crate::publish::PublishInput {
        source: dir.to_path_buf(),
        version,
        now,
        lifetime_ms,
    })?;
    for w in &built.warnings {
        tracing::warn!(target: "promo_origin::publish", warning = %w, "load warning");
    }
    let bundle = crate::jws::sign_bundle(&built, signer);
    let stored = StoredBundle {
        channel: built.channel,
        version,
        source_digest: Some(built.source_digest),
        etag: etag_of(&bundle),
        expires_at: iso(now + chrono::Duration::milliseconds(lifetime_ms)),
        bundle,
    };
    ledger
        .store_bundle(&stored, &stored_keys(&signer.jwks()), &iso(now))
        .map_err(ledger_error)
}

/// Stores a signed bundle file as it is (refusing one older than the
/// version stored for its channel).
pub fn store_bundle_file(
    path: &Path,
    ledger: &Ledger,
    jwks: &Value,
    now: DateTime<Utc>,
) -> Result<StoredBundle, CliError> {
    let text = std::fs::read(path)
        .map_err(|e| CliError::io(format!("cannot read {}", path.display()), e))?;
    let now_instant = Instant(now.timestamp_millis());
    let mut probe = Engine::new();
    probe.load_bundle(&text, &jwks.to_string(), now_instant, 0)?;
    let status = probe
        .status(now_instant)
        .ok_or_else(|| CliError::new("INTERNAL", "no snapshot after load"))?;
    let latest = ledger
        .latest_bundle(&status.channel)
        .map_err(ledger_error)?;
    if let Some(b) = latest.filter(|b| b.version >= status.version && b.bundle != text) {
        return Err(CliError::new(
            "SNAPSHOT_NOT_NEWER",
            format!(
                "{}: version {} is not newer than the served version {} of channel `{}`",
                path.display(),
                status.version,
                b.version,
                status.channel
            ),
        ));
    }
    let b = StoredBundle {
        channel: status.channel,
        version: status.version,
        source_digest: None,
        etag: etag_of(&text),
        expires_at: status.expires_at,
        bundle: text,
    };
    ledger
        .store_bundle(&b, &stored_keys(jwks), &iso(now))
        .map_err(ledger_error)
}

/// Everything the database holds to serve: the newest bundle of every
/// channel, loaded. A stored bundle that no longer loads (expired, or
/// signed by a key no longer trusted) is skipped with a warning, unless
/// its channel is one of `required` (given at start): then it is an error.
pub fn load_served(
    ledger: &Ledger,
    base_jwks: &Value,
    now: Instant,
    required: &[String],
) -> Result<Served, CliError> {
    let keys = ledger.published_keys().map_err(ledger_error)?;
    let jwks = merged_jwks(base_jwks, &keys);
    let mut channels = HashMap::new();
    for b in ledger.latest_bundles().map_err(ledger_error)? {
        let mut engine = Engine::new();
        match engine.load_bundle(&b.bundle, &jwks, now, 0) {
            Ok(_) => {
                tracing::info!(target: "promo_origin::serve", channel = %b.channel, version = b.version, "serving bundle");
                channels.insert(b.channel.clone(), Arc::new(Channel { engine, bundle: b }));
            }
            Err(e) if required.contains(&b.channel) => return Err(e.into()),
            Err(e) => {
                tracing::warn!(target: "promo_origin::serve", channel = %b.channel, version = b.version, error = %e, "stored bundle not served");
            }
        }
    }
    Ok(Served {
        channels,
        jwks: Arc::new(jwks),
        refused: HashMap::new(),
    })
}

/// What a node re-reads after a possible publication: the channels whose
/// stored version is newer than the one served, loaded, and the JWKS.
/// `None` when nothing changed.
pub fn newer(
    ledger: &Ledger,
    served: &Served,
    base_jwks: &Value,
    now: Instant,
) -> Result<Option<Served>, crate::api_error::ApiError> {
    let versions = ledger.latest_versions()?;
    let stale: Vec<&String> = versions
        .iter()
        .filter(|(c, v)| {
            served
                .channels
                .get(c)
                .is_none_or(|ch| ch.bundle.version < *v)
        })
        .filter(|(c, v)| served.refused.get(c) != Some(v))
        .map(|(c, _)| c)
        .collect();
    if stale.is_empty() {
        return Ok(None);
    }
    let keys = ledger.published_keys()?;
    let jwks = merged_jwks(base_jwks, &keys);
    let mut next = served.clone();
    next.jwks = Arc::new(jwks.clone());
    for channel in stale {
        let Some(b) = ledger.latest_bundle(channel)? else {
            continue;
        };
        let mut engine = Engine::new();
        match engine.load_bundle(&b.bundle, &jwks, now, 0) {
            Ok(_) => {
                tracing::info!(target: "promo_origin::serve", channel = %b.channel, version = b.version, "serving bundle");
                next.channels
                    .insert(b.channel.clone(), Arc::new(Channel { engine, bundle: b }));
            }
            Err(e) => {
                tracing::error!(target: "promo_origin::serve", channel = %b.channel, version = b.version, error = %e, "a stored bundle does not load; the last good one keeps serving");
                next.refused.insert(b.channel.clone(), b.version);
            }
        }
    }
    Ok(Some(next))
}

/// The sources a node republishes while serving.
pub struct Sources {
    pub dirs: Vec<PathBuf>,
    pub signer: Signer,
    pub lifetime_ms: i64,
    pub every_ms: i64,
    pub fixed_now: Option<DateTime<Utc>>,
}
