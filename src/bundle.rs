//! Signed bundles (`promo-edge.bundle/2`): a small signed manifest and the
//! binary plan it covers, in one file.
//!
//! ```text
//! <compact JWS over the manifest>\n<plan bytes>
//! ```
//!
//! The JWS (RFC 7515, compact serialization) is signed with EdDSA over
//! Ed25519 (RFC 8037); its payload is the [`Manifest`]: project, channel,
//! version, issue and expiry dates, and the SHA-256 and length of the plan.
//! Signing a few hundred bytes instead of megabytes keeps verification
//! cheap everywhere, and any standard JOSE library (e.g. npm `jose`) can
//! produce or check the first line. The plan is then held to the digest.
//!
//! The JOSE handling here is deliberately small and hand-written: the
//! accepted format is one algorithm, one key type and three dot-separated
//! base64url segments, so a full JOSE library would add size and surface
//! for nothing. Signatures themselves are checked by `ed25519-dalek`
//! (`verify_strict`, which rejects malleable and small-order forms). Any
//! standard JOSE library can produce a bundle this accepts.
//!
//! Checks, in order: a JWS line and a plan; three segments; a protected
//! header with `alg: "EdDSA"` (nothing else, no `crit`); a `kid` present in
//! the caller's JWKS as an `OKP`/`Ed25519` key; a valid signature over
//! `header.payload`; a manifest of this schema. Version and expiry are
//! checked by [`crate::Engine::load_bundle`] before the plan is hashed,
//! then the plan's size and digest, then the plan itself, which must agree
//! with the manifest.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::limits::MAX_PLAN_BYTES;
use crate::plan::Plan;

/// The bundle format this engine reads.
pub const SCHEMA: &str = "promo-edge.bundle/2";

/// The signed payload: what the plan is and how to recognise its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The project.
    pub project: String,
    /// The channel.
    pub channel: String,
    /// The plan's version.
    pub version: u64,
    /// When it was issued (RFC 3339).
    pub issued_at: String,
    /// When it expires (RFC 3339).
    pub expires_at: String,
    /// The plan's bytes.
    pub plan: PlanDigest,
}

/// The size and SHA-256 of the plan bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDigest {
    /// `promo-edge.plan/2`.
    pub schema: String,
    /// Length in bytes.
    pub bytes: usize,
    /// base64url SHA-256.
    pub sha256: String,
}

impl Manifest {
    /// The manifest of a plan and its encoding.
    pub fn of(plan: &Plan, bytes: &[u8]) -> Manifest {
        Manifest {
            schema: SCHEMA.to_string(),
            project: plan.project.clone(),
            channel: plan.channel.clone(),
            version: plan.version,
            issued_at: plan.issued_at.to_rfc3339(),
            expires_at: plan.expires_at.to_rfc3339(),
            plan: PlanDigest {
                schema: crate::plan::encoding::SCHEMA.to_string(),
                bytes: bytes.len(),
                sha256: URL_SAFE_NO_PAD.encode(Sha256::digest(bytes)),
            },
        }
    }

    /// Whether `plan` is the plan this manifest describes (checked after
    /// the digest, so a mismatch means a publisher bug, not tampering).
    pub fn describes(&self, plan: &Plan) -> Result<(), Error> {
        let what = if plan.version != self.version {
            "version"
        } else if plan.project != self.project {
            "project"
        } else if plan.channel != self.channel {
            "channel"
        } else if plan.issued_at.to_rfc3339() != self.issued_at
            || plan.expires_at.to_rfc3339() != self.expires_at
        {
            "dates"
        } else {
            return Ok(());
        };
        Err(Error::BundlePlanMismatch { what })
    }

    /// Checks `bytes` against the signed size and digest.
    pub fn covers(&self, bytes: &[u8]) -> Result<(), Error> {
        if bytes.len() != self.plan.bytes {
            return Err(Error::BundlePlanMismatch { what: "size" });
        }
        let digest = URL_SAFE_NO_PAD.encode(Sha256::digest(bytes));
        if digest != self.plan.sha256 {
            return Err(Error::BundlePlanMismatch { what: "digest" });
        }
        Ok(())
    }
}

/// A bundle file: the compact JWS over the manifest, a newline, the plan.
pub fn assemble(jws: &str, plan: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(jws.len() + 1 + plan.len());
    out.extend_from_slice(jws.trim().as_bytes());
    out.push(b'\n');
    out.extend_from_slice(plan);
    out
}

/// A bundle split into its signed manifest (verified) and plan bytes.
#[derive(Debug, Clone)]
pub struct VerifiedBundle<'a> {
    /// The key that signed it.
    pub kid: String,
    /// The signed manifest.
    pub manifest: Manifest,
    /// The plan bytes (not yet checked against the manifest).
    pub plan: &'a [u8],
}

/// Verifies a bundle's signature and reads its manifest; the plan is
/// checked by the caller once version and expiry allow it.
pub fn open<'a>(bundle: &'a [u8], jwks: &Jwks) -> Result<VerifiedBundle<'a>, Error> {
    if bundle.len() > MAX_PLAN_BYTES {
        return Err(Error::PlanTooLarge {
            bytes: bundle.len(),
            limit: MAX_PLAN_BYTES,
        });
    }
    let Some(nl) = bundle.iter().position(|b| *b == b'\n') else {
        return Err(match std::str::from_utf8(bundle) {
            Ok(text) if is_v1(text) => Error::BundleFormatOutdated,
            _ => malformed("a bundle is a JWS line followed by the plan"),
        });
    };
    let (line, rest) = bundle.split_at(nl);
    let jws = std::str::from_utf8(line).map_err(|_| malformed("the JWS line is not text"))?;
    let verified = verify(jws, jwks)?;
    let manifest: Manifest = match serde_json::from_str(&verified.payload) {
        Ok(m) => m,
        Err(_) if is_v1_payload(&verified.payload) => return Err(Error::BundleFormatOutdated),
        Err(_) => return Err(malformed("the payload is not a bundle manifest")),
    };
    if manifest.schema != SCHEMA {
        return Err(malformed("the manifest is of another schema"));
    }
    Ok(VerifiedBundle {
        kid: verified.kid,
        manifest,
        plan: rest.get(1..).unwrap_or_default(),
    })
}

/// A `promo-edge.snapshot/1` bundle: one JWS whose payload is the snapshot.
fn is_v1(text: &str) -> bool {
    let mut parts = text.trim().split('.');
    parts
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|p| String::from_utf8(p).ok())
        .is_some_and(|p| is_v1_payload(&p))
}

fn is_v1_payload(payload: &str) -> bool {
    #[derive(Deserialize)]
    struct Schema {
        schema: String,
    }
    serde_json::from_str::<Schema>(payload).is_ok_and(|s| s.schema == "promo-edge.snapshot/1")
}

/// A JSON Web Key Set of trusted Ed25519 public keys.
#[derive(Debug, Clone, Deserialize)]
pub struct Jwks {
    /// The keys.
    pub keys: Vec<Jwk>,
}

/// One public key (`{"kty": "OKP", "crv": "Ed25519", "x": "…", "kid": "…"}`).
#[derive(Debug, Clone, Deserialize)]
pub struct Jwk {
    /// Key type; only `OKP` is used.
    pub kty: String,
    /// Curve; only `Ed25519` is used.
    #[serde(default)]
    pub crv: Option<String>,
    /// The public key, base64url.
    #[serde(default)]
    pub x: Option<String>,
    /// Key id.
    #[serde(default)]
    pub kid: Option<String>,
    /// Intended use; a key marked for encryption (`enc`) is not trusted for signatures.
    #[serde(default, rename = "use")]
    pub key_use: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    crit: Option<serde_json::Value>,
}

fn malformed(why: &str) -> Error {
    Error::BundleMalformed {
        message: why.to_string(),
    }
}

fn b64(segment: &str, what: &str) -> Result<Vec<u8>, Error> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| malformed(&format!("{what} is not base64url")))
}

impl Jwks {
    /// Parses a JWKS document.
    pub fn parse(json: &str) -> Result<Jwks, Error> {
        serde_json::from_str(json).map_err(|e| Error::JwksInvalid {
            message: e.to_string(),
        })
    }

    fn key(&self, kid: &str) -> Result<VerifyingKey, Error> {
        let jwk = self
            .keys
            .iter()
            .find(|k| k.kid.as_deref() == Some(kid))
            .ok_or_else(|| Error::BundleKeyUnknown {
                kid: kid.to_string(),
            })?;
        if jwk.kty != "OKP"
            || jwk.crv.as_deref() != Some("Ed25519")
            || jwk.key_use.as_deref().is_some_and(|u| u != "sig")
        {
            return Err(Error::JwksInvalid {
                message: format!("key `{kid}` is not an Ed25519 signing key"),
            });
        }
        let x = jwk.x.as_deref().ok_or_else(|| Error::JwksInvalid {
            message: format!("key `{kid}` has no `x`"),
        })?;
        let bytes: [u8; 32] = URL_SAFE_NO_PAD
            .decode(x)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| Error::JwksInvalid {
                message: format!("key `{kid}` is not 32 bytes of base64url"),
            })?;
        VerifyingKey::from_bytes(&bytes).map_err(|_| Error::JwksInvalid {
            message: format!("key `{kid}` is not a valid Ed25519 point"),
        })
    }
}

/// A compact JWS whose signature checked out.
#[derive(Debug, Clone)]
pub struct VerifiedJws {
    /// The key that signed it.
    pub kid: String,
    /// The payload (the manifest JSON).
    pub payload: String,
}

/// Verifies a compact JWS against trusted keys and returns its payload.
pub fn verify(jws: &str, jwks: &Jwks) -> Result<VerifiedJws, Error> {
    let bundle = jws.trim();
    let mut parts = bundle.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed("a compact JWS has exactly three segments"));
    };
    let header: Header = serde_json::from_slice(&b64(h, "header")?)
        .map_err(|e| malformed(&format!("header is not JSON: {e}")))?;
    if header.alg != "EdDSA" {
        return Err(Error::BundleAlgorithmUnsupported { alg: header.alg });
    }
    if header.crit.is_some() {
        return Err(malformed("`crit` header parameters are not supported"));
    }
    let kid = header
        .kid
        .ok_or_else(|| malformed("the header has no `kid`"))?;
    let key = jwks.key(&kid)?;
    let sig: [u8; 64] = b64(s, "signature")?
        .try_into()
        .map_err(|_| malformed("the signature is not 64 bytes"))?;
    let signing_input = format!("{h}.{p}");
    key.verify_strict(signing_input.as_bytes(), &Signature::from_bytes(&sig))
        .map_err(|_| Error::BundleSignatureInvalid { kid: kid.clone() })?;
    let payload =
        String::from_utf8(b64(p, "payload")?).map_err(|_| malformed("the payload is not UTF-8"))?;
    Ok(VerifiedJws { kid, payload })
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 8037 appendix A: the Ed25519 test key and its JWS over "Example of Ed25519 signing".
    const X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    const JWS: &str = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

    fn jwks(kid: &str) -> Jwks {
        Jwks::parse(&format!(
            r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","x":"{X}","kid":"{kid}"}}]}}"#
        ))
        .unwrap()
    }

    /// The RFC's header has no kid; add one by re-labelling is impossible
    /// without the private key, so the RFC vector checks the signature
    /// primitive and the kid rule separately.
    #[test]
    fn rfc8037_vector_verifies_with_its_key() {
        let parts: Vec<&str> = JWS.split('.').collect();
        let key = jwks("k").key("k").unwrap();
        let sig: [u8; 64] = URL_SAFE_NO_PAD
            .decode(parts[2])
            .unwrap()
            .try_into()
            .unwrap();
        let input = format!("{}.{}", parts[0], parts[1]);
        assert!(key
            .verify_strict(input.as_bytes(), &Signature::from_bytes(&sig))
            .is_ok());
        let tampered = format!(
            "{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode("Example of Ed25519 signinG")
        );
        assert!(key
            .verify_strict(tampered.as_bytes(), &Signature::from_bytes(&sig))
            .is_err());
    }

    #[test]
    fn refuses_headers_without_kid_or_with_other_algorithms() {
        assert_eq!(
            verify(JWS, &jwks("k")).unwrap_err().code(),
            "BUNDLE_MALFORMED",
            "the RFC vector has no kid"
        );
        let hs = format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","kid":"k"}"#),
            "e30",
            "AAAA"
        );
        assert_eq!(
            verify(&hs, &jwks("k")).unwrap_err().code(),
            "BUNDLE_ALGORITHM_UNSUPPORTED"
        );
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"k"}"#),
            "e30"
        );
        assert_eq!(
            verify(&none, &jwks("k")).unwrap_err().code(),
            "BUNDLE_ALGORITHM_UNSUPPORTED"
        );
        let unknown = format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"EdDSA","kid":"other"}"#),
            "e30",
            "AAAA"
        );
        assert_eq!(
            verify(&unknown, &jwks("k")).unwrap_err().code(),
            "BUNDLE_KEY_UNKNOWN"
        );
        assert_eq!(
            verify("a.b", &jwks("k")).unwrap_err().code(),
            "BUNDLE_MALFORMED"
        );
        assert_eq!(
            verify("a.b.c.d", &jwks("k")).unwrap_err().code(),
            "BUNDLE_MALFORMED"
        );
    }
}
