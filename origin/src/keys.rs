//! Ed25519 signing keys as JWKs (RFC 8037): the private key file written by
//! `keygen`, and the public JWKS that clients trust.
//!
//! The `kid` is the key's RFC 7638 thumbprint, so it is stable and derived
//! from the key itself.

use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::CliError;

/// A private Ed25519 JWK (`{"kty":"OKP","crv":"Ed25519","x","d","kid"}`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PrivateJwk {
    /// Always `OKP`.
    pub kty: String,
    /// Always `Ed25519`.
    pub crv: String,
    /// Public key, base64url.
    pub x: String,
    /// Private key (the 32-byte seed), base64url.
    pub d: String,
    /// Key id.
    pub kid: String,
    /// Always `EdDSA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Always `sig`.
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub key_use: Option<String>,
}

/// A signing key with its id.
#[derive(Debug, Clone)]
pub struct Signer {
    /// The key.
    pub key: SigningKey,
    /// Its id (the RFC 7638 thumbprint unless the file says otherwise).
    pub kid: String,
}

/// RFC 7638 thumbprint of an Ed25519 public key.
pub fn thumbprint(x: &str) -> String {
    // Required members in lexicographic order, no whitespace (RFC 7638 §3.2).
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

impl Signer {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Signer {
        let key = SigningKey::generate(&mut rand_core::OsRng);
        let x = URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes());
        Signer {
            key,
            kid: thumbprint(&x),
        }
    }

    /// The private JWK.
    pub fn private_jwk(&self) -> PrivateJwk {
        PrivateJwk {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x: self.x(),
            d: URL_SAFE_NO_PAD.encode(self.key.to_bytes()),
            kid: self.kid.clone(),
            alg: Some("EdDSA".into()),
            key_use: Some("sig".into()),
        }
    }

    fn x(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.key.verifying_key().as_bytes())
    }

    /// The public JWK.
    pub fn public_jwk(&self) -> serde_json::Value {
        serde_json::json!({
            "kty": "OKP", "crv": "Ed25519", "x": self.x(),
            "kid": self.kid, "alg": "EdDSA", "use": "sig"
        })
    }

    /// A JWKS holding only this key's public half.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({ "keys": [self.public_jwk()] })
    }

    /// Reads a private JWK file and checks that `x` matches `d`.
    pub fn load(path: &Path) -> Result<Signer, CliError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::io(format!("cannot read {}", path.display()), e))?;
        let jwk: PrivateJwk = serde_json::from_str(&text).map_err(|e| {
            CliError::new(
                "KEY_INVALID",
                format!("{}: not a private JWK: {e}", path.display()),
            )
        })?;
        if jwk.kty != "OKP" || jwk.crv != "Ed25519" {
            return Err(CliError::new(
                "KEY_INVALID",
                format!("{}: only OKP/Ed25519 keys are supported", path.display()),
            ));
        }
        let seed: [u8; 32] = URL_SAFE_NO_PAD
            .decode(jwk.d.trim())
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| {
                CliError::new(
                    "KEY_INVALID",
                    format!("{}: `d` is not 32 bytes of base64url", path.display()),
                )
            })?;
        let signer = Signer {
            key: SigningKey::from_bytes(&seed),
            kid: jwk.kid,
        };
        if signer.x() != jwk.x {
            return Err(CliError::new(
                "KEY_INVALID",
                format!("{}: `x` does not match `d`", path.display()),
            ));
        }
        Ok(signer)
    }
}

/// Writes `signing-key.jwk.json` (mode 0600) and `jwks.json` into `dir`.
pub fn keygen(dir: &Path) -> Result<Signer, CliError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::io(format!("cannot create {}", dir.display()), e))?;
    let private = dir.join("signing-key.jwk.json");
    if private.exists() {
        return Err(CliError::new(
            "KEY_EXISTS",
            format!(
                "{} exists; refusing to overwrite a signing key",
                private.display()
            ),
        ));
    }
    let signer = Signer::generate();
    let text = serde_json::to_string_pretty(&signer.private_jwk())
        .map_err(|e| CliError::new("INTERNAL", e.to_string()))?;
    write_private(&private, &text)?;
    let jwks = serde_json::to_string_pretty(&signer.jwks())
        .map_err(|e| CliError::new("INTERNAL", e.to_string()))?;
    crate::fsutil::write_atomic(&dir.join("jwks.json"), jwks.as_bytes())?;
    Ok(signer)
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> Result<(), CliError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| CliError::io(format!("cannot create {}", path.display()), e))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| CliError::io(format!("cannot write {}", path.display()), e))
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> Result<(), CliError> {
    std::fs::write(path, text)
        .map_err(|e| CliError::io(format!("cannot write {}", path.display()), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8037_thumbprint() {
        // RFC 8037 appendix A.3.
        assert_eq!(
            thumbprint("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
    }
}
