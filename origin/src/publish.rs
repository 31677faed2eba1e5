//! Building a plan from a campaign source directory (see
//! [`crate::source`]) with the core's compiler: anything the compiler
//! refuses is refused here, with the source file and JSON path named, and
//! what it disables is reported as a warning.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use promo_edge::compiler::source::{Snapshot, SCHEMA};
use promo_edge::plan::LoadWarning;
use rand_core::RngCore;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::error::CliError;
use crate::source::{CampaignsFile, ProjectFile};

/// The longest bundle lifetime (the embedded zone offsets cover it).
pub const MAX_LIFETIME_MS: i64 = 400 * 86_400_000;

/// What to publish.
#[derive(Debug, Clone)]
pub struct PublishInput {
    /// The source directory.
    pub source: PathBuf,
    /// The version to stamp.
    pub version: u64,
    /// `issued_at`.
    pub now: DateTime<Utc>,
    /// `expires_at − issued_at`, in milliseconds.
    pub lifetime_ms: i64,
}

/// A compiled plan ready to sign.
#[derive(Debug, Clone)]
pub struct Built {
    /// The binary plan.
    pub plan: Vec<u8>,
    /// Its manifest (the signed payload).
    pub manifest: promo_edge::bundle::Manifest,
    /// Its version.
    pub version: u64,
    /// Its channel.
    pub channel: String,
    /// Load warnings, with source paths.
    pub warnings: Vec<String>,
    /// SHA-256 over the source files (names and bytes), to tell whether a
    /// source changed since the last publication.
    pub source_digest: String,
}

/// A source file that was read, and where its campaigns landed.
struct CampaignOrigin {
    file: String,
    index: usize,
    explicit_vouchers: usize,
}

fn source_error(file: &str, path: &str, message: impl Into<String>) -> CliError {
    let location = if path.is_empty() {
        file.to_string()
    } else {
        format!("{file}: {path}")
    };
    CliError::new("SOURCE_INVALID", format!("{location}: {}", message.into()))
}

fn parse_file<T: DeserializeOwned>(dir: &Path, rel: &str) -> Result<(T, Vec<u8>), CliError> {
    let path = dir.join(rel);
    let bytes = std::fs::read(&path)
        .map_err(|e| CliError::io(format!("cannot read {}", path.display()), e))?;
    let de = &mut serde_json::Deserializer::from_slice(&bytes);
    let value = serde_path_to_error::deserialize(de).map_err(|e| {
        let p = e.path().to_string();
        let p = if p == "." { String::new() } else { p };
        source_error(rel, &p, e.inner().to_string())
    })?;
    Ok((value, bytes))
}

/// Lists `campaigns/*.json` in name order.
fn campaign_files(dir: &Path) -> Result<Vec<String>, CliError> {
    let cdir = dir.join("campaigns");
    if !cdir.is_dir() {
        return Ok(Vec::new());
    }
    let mut names = Vec::new();
    let entries = std::fs::read_dir(&cdir)
        .map_err(|e| CliError::io(format!("cannot list {}", cdir.display()), e))?;
    for entry in entries {
        let entry =
            entry.map_err(|e| CliError::io(format!("cannot list {}", cdir.display()), e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") && !name.starts_with('.') {
            names.push(format!("campaigns/{name}"));
        }
    }
    names.sort();
    Ok(names)
}

/// A fresh random salt for unique-code hashes.
pub fn fresh_salt() -> String {
    let mut bytes = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<Value, CliError> {
    serde_json::to_value(v).map_err(|e| CliError::new("INTERNAL", e.to_string()))
}

/// Digest of the source files (names and contents), without publishing.
pub fn source_digest(dir: &Path) -> Result<String, CliError> {
    let mut h = Sha256::new();
    let mut files = vec!["project.json".to_string()];
    files.extend(campaign_files(dir)?);
    for rel in files {
        let path = dir.join(&rel);
        let bytes = std::fs::read(&path)
            .map_err(|e| CliError::io(format!("cannot read {}", path.display()), e))?;
        h.update((rel.len() as u64).to_be_bytes());
        h.update(rel.as_bytes());
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(&bytes);
    }
    Ok(URL_SAFE_NO_PAD.encode(h.finalize()))
}

/// The channel named in a source's `project.json`.
pub fn read_channel(dir: &Path) -> Result<String, CliError> {
    let (project, _): (ProjectFile, _) = parse_file(dir, "project.json")?;
    Ok(project.channel)
}

/// Reads, checks and compiles a source into a snapshot.
pub fn build(input: &PublishInput) -> Result<Built, CliError> {
    if input.lifetime_ms <= 0 || input.lifetime_ms > MAX_LIFETIME_MS {
        return Err(CliError::new(
            "LIFETIME_INVALID",
            "the lifetime must be positive and at most 400 days",
        ));
    }
    let dir = &input.source;
    let digest = source_digest(dir)?;
    let (project, _): (ProjectFile, _) = parse_file(dir, "project.json")?;
    let mut origins = Vec::new();
    let mut campaigns = Vec::new();
    for rel in campaign_files(dir)? {
        let (file, _): (CampaignsFile, _) = parse_file(dir, &rel)?;
        for (i, c) in file.campaigns.into_iter().enumerate() {
            origins.push(CampaignOrigin {
                file: rel.clone(),
                index: i,
                explicit_vouchers: c.vouchers.len(),
            });
            campaigns.push(c);
        }
    }

    // Identity checks with source paths: campaign ids, codes, voucher ids.
    let mut campaign_ids: BTreeMap<&str, String> = BTreeMap::new();
    let mut codes: BTreeMap<&str, String> = BTreeMap::new();
    let mut voucher_ids: BTreeMap<&str, String> = BTreeMap::new();
    for (c, o) in campaigns.iter().zip(&origins) {
        let here = format!("{}: campaigns[{}]", o.file, o.index);
        if let Some(first) = campaign_ids.insert(&c.id, here.clone()) {
            return Err(source_error(
                &o.file,
                &format!("campaigns[{}].id", o.index),
                format!("duplicate campaign id `{}` (also at {first})", c.id),
            ));
        }
        let all_codes = c
            .vouchers
            .iter()
            .enumerate()
            .map(|(vi, v)| (format!("vouchers[{vi}].code"), v.code.as_str()))
            .chain(
                c.unique_codes
                    .iter()
                    .enumerate()
                    .map(|(ui, u)| (format!("unique_codes[{ui}]"), u.as_str())),
            );
        for (p, code) in all_codes {
            let path = format!("campaigns[{}].{p}", o.index);
            if code.trim().is_empty() || code.trim() != code {
                return Err(source_error(
                    &o.file,
                    &path,
                    "a code must be non-empty and have no surrounding spaces",
                ));
            }
            if let Some(first) = codes.insert(code, format!("{}: {path}", o.file)) {
                return Err(source_error(
                    &o.file,
                    &path,
                    format!("duplicate code (also at {first})"),
                ));
            }
        }
        for (vi, v) in c.vouchers.iter().enumerate() {
            if let Some(id) = &v.id {
                let path = format!("campaigns[{}].vouchers[{vi}].id", o.index);
                if let Some(first) = voucher_ids.insert(id, format!("{}: {path}", o.file)) {
                    return Err(source_error(
                        &o.file,
                        &path,
                        format!("duplicate voucher id `{id}` (also at {first})"),
                    ));
                }
            }
        }
    }
    for (vid, at) in &voucher_ids {
        if let Some(code_at) = codes.get(vid) {
            // Only a voucher's own code may equal its id.
            if code_at.strip_suffix(".code") != at.strip_suffix(".id") {
                return Err(CliError::new(
                    "SOURCE_INVALID",
                    format!("{at}: voucher id `{vid}` equals a code (at {code_at})"),
                ));
            }
        }
    }

    let time_zone = crate::tz::offsets(
        &project.time_zone,
        input.now,
        input.now + chrono::Duration::milliseconds(input.lifetime_ms),
    )
    .map_err(|m| source_error("project.json", "time_zone", m))?;
    let salt = fresh_salt();
    let issued_at = input.now.to_rfc3339_opts(SecondsFormat::Millis, true);
    let expires_at = (input.now + chrono::Duration::milliseconds(input.lifetime_ms))
        .to_rfc3339_opts(SecondsFormat::Millis, true);

    let mut snap = Map::new();
    snap.insert("schema".into(), json!(SCHEMA));
    snap.insert("project".into(), json!(project.project));
    snap.insert("channel".into(), json!(project.channel));
    snap.insert("version".into(), json!(input.version));
    snap.insert("issued_at".into(), json!(issued_at));
    snap.insert("expires_at".into(), json!(expires_at));
    snap.insert("currency".into(), to_value(&project.currency)?);
    if let Some(r) = &project.rounding {
        snap.insert("rounding".into(), to_value(r)?);
    }
    snap.insert("time_zone".into(), to_value(&time_zone)?);
    snap.insert("code_salt".into(), json!(salt));
    if let Some(s) = &project.stacking_rules {
        snap.insert("stacking_rules".into(), to_value(s)?);
    }
    for (key, list) in [
        ("categories", to_value(&project.categories)?),
        ("products", to_value(&project.products)?),
        ("skus", to_value(&project.skus)?),
        ("collections", to_value(&project.collections)?),
        ("validation_rules", to_value(&project.validation_rules)?),
    ] {
        if list.as_array().is_some_and(|a| !a.is_empty()) {
            snap.insert(key.into(), list);
        }
    }
    let mut out_campaigns = Vec::with_capacity(campaigns.len());
    for c in &campaigns {
        let mut v = to_value(c)?;
        if let Some(obj) = v.as_object_mut() {
            let unique = obj.remove("unique_codes");
            let mut vouchers: Vec<Value> = obj
                .remove("vouchers")
                .and_then(|v| match v {
                    Value::Array(a) => Some(a),
                    _ => None,
                })
                .unwrap_or_default();
            for voucher in vouchers.iter_mut() {
                if let Some(vo) = voucher.as_object_mut() {
                    let is_unique = vo.remove("unique").and_then(|u| u.as_bool()) == Some(true);
                    if is_unique {
                        if let Some(code) = vo.remove("code") {
                            let code = code.as_str().unwrap_or_default().to_string();
                            vo.insert(
                                "code_hash".into(),
                                json!(promo_edge::codes::code_hash(&salt, &code)),
                            );
                        }
                    }
                }
            }
            // Bulk codes go out in the compact form, sorted so the engine
            // can index them without sorting.
            if let Some(Value::Array(list)) = unique {
                let mut hashes: Vec<String> = list
                    .iter()
                    .map(|code| {
                        promo_edge::codes::code_hash(&salt, code.as_str().unwrap_or_default())
                    })
                    .collect();
                hashes.sort_unstable_by_key(|h| promo_edge::codes::CodeHash::parse(h));
                obj.insert("code_hashes".into(), json!(hashes));
            }
            if !vouchers.is_empty() {
                obj.insert("vouchers".into(), Value::Array(vouchers));
            }
        }
        out_campaigns.push(v);
    }
    if !out_campaigns.is_empty() {
        snap.insert("campaigns".into(), Value::Array(out_campaigns));
    }
    let snap = Value::Object(snap);

    // The core's own reading, with paths mapped back to the source.
    let parsed: Snapshot = serde_path_to_error::deserialize(&snap).map_err(|e| {
        let (file, path) = map_path(&e.path().to_string(), &origins);
        source_error(&file, &path, e.inner().to_string())
    })?;
    let (plan, report) =
        promo_edge::compiler::compile(parsed).map_err(|e| map_core_error(e, &origins))?;
    let bytes =
        promo_edge::plan::encoding::encode(&plan).map_err(|e| map_core_error(e, &origins))?;
    Ok(Built {
        manifest: promo_edge::bundle::Manifest::of(&plan, &bytes),
        plan: bytes,
        version: input.version,
        channel: project.channel,
        warnings: report
            .warnings
            .iter()
            .map(|w| describe_warning(w, &origins))
            .collect(),
        source_digest: digest,
    })
}

fn describe_warning(w: &LoadWarning, origins: &[CampaignOrigin]) -> String {
    let (file, path) = map_path(&w.path, origins);
    if path.is_empty() {
        format!("{file}: {} {}", w.code, w.message)
    } else {
        format!("{file}: {path}: {} {}", w.code, w.message)
    }
}

fn map_core_error(e: promo_edge::Error, origins: &[CampaignOrigin]) -> CliError {
    match e {
        promo_edge::Error::SnapshotInvalid { path, message } => {
            let (file, path) = map_path(&path, origins);
            source_error(&file, &path, message)
        }
        other => CliError::from(other),
    }
}

/// Maps a snapshot path (`campaigns[7].vouchers[3].code`) to the source
/// file and the path inside it.
fn map_path(path: &str, origins: &[CampaignOrigin]) -> (String, String) {
    let path = path.trim_start_matches('.');
    let Some(rest) = path.strip_prefix("campaigns[") else {
        return ("project.json".into(), source_project_path(path));
    };
    let Some((n, tail)) = rest.split_once(']') else {
        return ("project.json".into(), path.into());
    };
    let Some(o) = n.parse::<usize>().ok().and_then(|n| origins.get(n)) else {
        return ("project.json".into(), path.into());
    };
    let mut tail = tail.to_string();
    if let Some(vrest) = tail.strip_prefix(".vouchers[") {
        if let Some((k, vtail)) = vrest.split_once(']') {
            if let Ok(k) = k.parse::<usize>() {
                tail = if k >= o.explicit_vouchers {
                    let u = k - o.explicit_vouchers;
                    // A unique code has only its hash in the snapshot.
                    format!(".unique_codes[{u}]")
                } else {
                    format!(".vouchers[{k}]{}", vtail.replace(".code_hash", ".code"))
                };
            }
        }
    }
    (o.file.clone(), format!("campaigns[{}]{tail}", o.index))
}

fn source_project_path(path: &str) -> String {
    // The embedded offsets come from `time_zone`.
    if path.starts_with("time_zone") {
        "time_zone".into()
    } else {
        path.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_files_and_unique_codes() {
        let origins = vec![
            CampaignOrigin {
                file: "campaigns/a.json".into(),
                index: 0,
                explicit_vouchers: 0,
            },
            CampaignOrigin {
                file: "campaigns/b.json".into(),
                index: 1,
                explicit_vouchers: 2,
            },
        ];
        assert_eq!(
            map_path("campaigns[1].vouchers[1].code_hash", &origins),
            (
                "campaigns/b.json".into(),
                "campaigns[1].vouchers[1].code".into()
            )
        );
        assert_eq!(
            map_path("campaigns[1].vouchers[3]", &origins),
            (
                "campaigns/b.json".into(),
                "campaigns[1].unique_codes[1]".into()
            )
        );
        assert_eq!(
            map_path("validation_rules[2]", &origins),
            ("project.json".into(), "validation_rules[2]".into())
        );
    }
}
