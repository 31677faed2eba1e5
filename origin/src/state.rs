//! The publisher's state file: the last version published, so that the
//! next one is strictly higher.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::CliError;

/// What the state file holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PublishState {
    /// Last version published.
    pub version: u64,
    /// Its channel.
    #[serde(default)]
    pub channel: String,
    /// When (RFC 3339).
    #[serde(default)]
    pub published_at: String,
    /// SHA-256 of the bundle written (base64url).
    #[serde(default)]
    pub bundle_sha256: String,
}

/// The default state file of a bundle path: `<out>.state.json`.
pub fn default_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_os_string();
    name.push(".state.json");
    PathBuf::from(name)
}

/// Reads the state, or the empty state when the file does not exist.
pub fn read(path: &Path) -> Result<PublishState, CliError> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| {
            CliError::new(
                "STATE_INVALID",
                format!("{}: not a publish state file: {e}", path.display()),
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(PublishState::default()),
        Err(e) => Err(CliError::io(format!("cannot read {}", path.display()), e)),
    }
}

/// Writes the state atomically.
pub fn write(path: &Path, state: &PublishState) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(state)
        .map_err(|e| CliError::new("INTERNAL", e.to_string()))?;
    crate::fsutil::write_atomic(path, text.as_bytes())
}

/// The version to publish: `requested` if it is higher than the last one,
/// else an error; the last one + 1 when none is requested.
pub fn next_version(last: u64, requested: Option<u64>) -> Result<u64, CliError> {
    match requested {
        Some(v) if v <= last => Err(CliError::new(
            "VERSION_NOT_NEWER",
            format!("version {v} is not higher than the last published version {last}"),
        )),
        Some(0) => Err(CliError::new("VERSION_NOT_NEWER", "versions start at 1")),
        Some(v) => Ok(v),
        None => last
            .checked_add(1)
            .ok_or_else(|| CliError::new("VERSION_NOT_NEWER", "version overflow")),
    }
}
