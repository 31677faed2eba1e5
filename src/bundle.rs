//! Signed bundles: a snapshot as the payload of a JWS in compact
//! serialization (RFC 7515), signed with EdDSA over Ed25519 (RFC 8037).
//!
//! The JOSE handling here is deliberately small and hand-written: the
//! accepted format is one algorithm, one key type and three dot-separated
//! base64url segments, so a full JOSE library would add size and surface
//! for nothing. Signatures themselves are checked by `ed25519-dalek`
//! (`verify_strict`, which rejects malleable and small-order forms). Any
//! standard JOSE library can produce a bundle this accepts.
//!
//! Checks, in order: three segments; a protected header with
//! `alg: "EdDSA"` (nothing else, no `crit`); a `kid` present in the caller's
//! JWKS as an `OKP`/`Ed25519` key; a valid signature over
//! `header.payload`; a payload that is a valid snapshot. Version and
//! expiry are checked by [`crate::Engine::load_bundle`].

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::{Signature, VerifyingKey};
use serde::Deserialize;

use crate::error::Error;
use crate::limits::MAX_SNAPSHOT_BYTES;

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

/// A bundle whose signature checked out.
#[derive(Debug, Clone)]
pub struct VerifiedBundle {
    /// The key that signed it.
    pub kid: String,
    /// The snapshot JSON.
    pub payload: String,
}

/// Verifies a compact JWS against trusted keys and returns its payload.
pub fn verify(bundle: &str, jwks: &Jwks) -> Result<VerifiedBundle, Error> {
    if bundle.len() > MAX_SNAPSHOT_BYTES {
        return Err(Error::SnapshotTooLarge {
            bytes: bundle.len(),
            limit: MAX_SNAPSHOT_BYTES,
        });
    }
    let bundle = bundle.trim();
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
    Ok(VerifiedBundle { kid, payload })
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
