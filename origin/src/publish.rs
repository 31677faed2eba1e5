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
use sha2::{Digest, Sha256};

use crate::error::CliError;
use crate::source::{CampaignsFile, ProjectFile};
use promo_edge::compiler::source::{Campaign, RuleSet, RuleSource, ValidationRule};

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

/// Reads, checks and compiles a source into a plan.
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
            });
            campaigns.push(c);
        }
    }
    check_rules(&project.validation_rules)?;
    check_identities(&campaigns, &origins)?;
    let channel = project.channel.clone();
    let snapshot = snapshot_of(project, campaigns, input)?;
    let (plan, report) =
        promo_edge::compiler::compile(snapshot).map_err(|e| map_core_error(e, &origins))?;
    let bytes =
        promo_edge::plan::encoding::encode(&plan).map_err(|e| map_core_error(e, &origins))?;
    Ok(Built {
        manifest: promo_edge::bundle::Manifest::of(&plan, &bytes),
        plan: bytes,
        version: input.version,
        channel,
        warnings: report
            .warnings
            .iter()
            .map(|w| describe_warning(w, &origins))
            .collect(),
        source_digest: digest,
    })
}

/// The core's snapshot: the source plus what each publication stamps (the
/// version and dates, a fresh code salt, the time zone's offsets over the
/// bundle's lifetime).
fn snapshot_of(
    project: ProjectFile,
    campaigns: Vec<Campaign>,
    input: &PublishInput,
) -> Result<Snapshot, CliError> {
    let until = input.now + chrono::Duration::milliseconds(input.lifetime_ms);
    let time_zone = crate::tz::offsets(&project.time_zone, input.now, until)
        .map_err(|m| source_error("project.json", "time_zone", m))?;
    Ok(Snapshot {
        schema: SCHEMA.into(),
        project: project.project,
        channel: project.channel,
        version: input.version,
        issued_at: input.now.to_rfc3339_opts(SecondsFormat::Millis, true),
        expires_at: until.to_rfc3339_opts(SecondsFormat::Millis, true),
        currency: project.currency,
        rounding: project.rounding,
        time_zone,
        code_salt: fresh_salt(),
        stacking_rules: project.stacking_rules,
        categories: project.categories,
        products: project.products,
        skus: project.skus,
        collections: project.collections,
        validation_rules: project.validation_rules,
        campaigns,
    })
}

/// Every condition of every rule set has the strict shape of a rule. The
/// compiler would only disable a redeemable whose rule it cannot read (a
/// bundle must keep serving); at publish a misspelt rule is an error.
fn check_rules(rules: &[ValidationRule]) -> Result<(), CliError> {
    fn walk(set: &RuleSet, path: &str) -> Result<(), CliError> {
        for (n, value) in &set.rules {
            let here = format!("{path}.{n}");
            let rule: RuleSource = serde_path_to_error::deserialize(value).map_err(|e| {
                let inner = e.path().to_string();
                let at = if inner == "." {
                    here.clone()
                } else {
                    format!("{here}.{inner}")
                };
                source_error("project.json", &at, e.inner().to_string())
            })?;
            walk(&rule.rules, &format!("{here}.rules"))?;
        }
        Ok(())
    }
    for (i, rule) in rules.iter().enumerate() {
        walk(&rule.rules, &format!("validation_rules[{i}].rules"))?;
    }
    Ok(())
}

/// Campaign ids, codes and voucher ids are unique over all files, checked
/// here so that the error names the file; a code is trimmed and given in
/// clear (the salt is fresh at every publication, so a hash cannot be).
fn check_identities(campaigns: &[Campaign], origins: &[CampaignOrigin]) -> Result<(), CliError> {
    let mut campaign_ids: BTreeMap<&str, String> = BTreeMap::new();
    let mut codes: BTreeMap<&str, String> = BTreeMap::new();
    let mut voucher_ids: BTreeMap<&str, String> = BTreeMap::new();
    for (c, o) in campaigns.iter().zip(origins) {
        let at = |p: &str| format!("campaigns[{}].{p}", o.index);
        if let Some(first) = campaign_ids.insert(&c.id, format!("{}: {}", o.file, at("id"))) {
            let message = format!("duplicate campaign id `{}` (also at {first})", c.id);
            return Err(source_error(&o.file, &at("id"), message));
        }
        if let Some(vi) = c.vouchers.iter().position(|v| v.code_hash.is_some()) {
            let message =
                "a code is given in clear (`code`, with `unique: true` for a unique code)";
            return Err(source_error(
                &o.file,
                &at(&format!("vouchers[{vi}].code_hash")),
                message,
            ));
        }
        let voucher_codes = c.vouchers.iter().enumerate().map(|(vi, v)| {
            (
                format!("vouchers[{vi}].code"),
                v.code.as_deref().unwrap_or_default(),
            )
        });
        let bulk = c.unique_codes.iter().enumerate();
        let all =
            voucher_codes.chain(bulk.map(|(ui, u)| (format!("unique_codes[{ui}]"), u.as_str())));
        for (p, code) in all {
            let path = at(&p);
            if code.trim().is_empty() || code.trim() != code {
                let message = "a code must be non-empty and have no surrounding spaces";
                return Err(source_error(&o.file, &path, message));
            }
            if let Some(first) = codes.insert(code, format!("{}: {path}", o.file)) {
                return Err(source_error(
                    &o.file,
                    &path,
                    format!("duplicate code (also at {first})"),
                ));
            }
        }
        for (vi, id) in c
            .vouchers
            .iter()
            .enumerate()
            .filter_map(|(vi, v)| Some((vi, v.id.as_deref()?)))
        {
            let path = at(&format!("vouchers[{vi}].id"));
            if let Some(first) = voucher_ids.insert(id, format!("{}: {path}", o.file)) {
                let message = format!("duplicate voucher id `{id}` (also at {first})");
                return Err(source_error(&o.file, &path, message));
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
    Ok(())
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
    // Unique codes reach the core as hashes: name them as written.
    let tail = tail
        .replace(".code_hashes", ".unique_codes")
        .replace(".code_hash", ".code");
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
            },
            CampaignOrigin {
                file: "campaigns/b.json".into(),
                index: 1,
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
            map_path("campaigns[1].code_hashes", &origins),
            (
                "campaigns/b.json".into(),
                "campaigns[1].unique_codes".into()
            )
        );
        assert_eq!(
            map_path("validation_rules[2]", &origins),
            ("project.json".into(), "validation_rules[2]".into())
        );
    }
}
