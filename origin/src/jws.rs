//! Signing bundles: a compact JWS (RFC 7515) with `{"alg":"EdDSA","kid":…}`
//! over Ed25519 (RFC 8037) whose payload is the plan's manifest, followed
//! by the plan (`promo_edge::bundle`).
//!
//! Hand-written on purpose: the format is three base64url segments joined
//! by dots and one signature, which is smaller to write and review than a
//! JOSE dependency. The signature itself is `ed25519-dalek`'s; verification
//! is the core's (`promo_edge::bundle`), the same code every client runs.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::Signer as _;

use crate::keys::Signer;

/// Signs `payload` as a compact JWS.
pub fn sign(payload: &str, signer: &Signer) -> String {
    let header = serde_json::json!({"alg": "EdDSA", "kid": signer.kid});
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let sig = signer.key.sign(signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}

/// A signed bundle of a built plan: the JWS over its manifest, then the plan.
pub fn sign_bundle(built: &crate::publish::Built, signer: &Signer) -> Vec<u8> {
    let manifest = serde_json::to_string(&built.manifest).unwrap_or_default();
    promo_edge::bundle::assemble(&sign(&manifest, signer), &built.plan)
}

/// The version in a bundle's manifest without verifying it (for messages only).
pub fn peek_version(bundle: &[u8]) -> Option<u64> {
    let line = bundle.split(|b| *b == b'\n').next()?;
    let payload = std::str::from_utf8(line).ok()?.trim().split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v.get("version")?.as_u64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_bundles_verify_with_the_core() {
        let signer = Signer::generate();
        let jws = sign(r#"{"hello":"world"}"#, &signer);
        let jwks = promo_edge::bundle::Jwks::parse(&signer.jwks().to_string()).unwrap();
        let v = promo_edge::bundle::verify(&jws, &jwks).unwrap();
        assert_eq!(v.kid, signer.kid);
        assert_eq!(v.payload, r#"{"hello":"world"}"#);
        let other = Signer::generate();
        let jwks = promo_edge::bundle::Jwks::parse(&other.jwks().to_string()).unwrap();
        assert_eq!(
            promo_edge::bundle::verify(&jws, &jwks).unwrap_err().code(),
            "BUNDLE_KEY_UNKNOWN"
        );
    }
}
