//! Signed bundles (`promo-edge.bundle/2`: `<compact JWS over a manifest>\n<plan
//! bytes>`): `promo_edge::bundle::verify` / `open` and `Engine::load_bundle`.
//!
//! Byte 0 (modulo 3) picks the mode; the rest is:
//! * 0 — the whole bundle, checked against a fixed JWKS (the RFC 8037 test
//!   key as `dev-1`);
//! * 1 — `<manifest JSON>\n<plan bytes>`: the manifest is signed here with
//!   that key, so the fuzzer reaches the manifest checks, the digest and the
//!   plan decoder through a valid signature. When the first byte of the
//!   manifest text is `!` (dropped), the manifest's `plan.bytes` and
//!   `plan.sha256` are first set to the plan bytes' real size and digest, so
//!   mutated plans get past the digest into the decoder;
//! * 2 — `JWKS\nbundle`: both sides untrusted.
//!
//! Checks: no panic, only documented codes, a refused load changes nothing
//! (the engine holds the empty version-0 plan before every call, and its
//! plan must stay byte-identical), a signature that verifies really is the
//! key's, and a bundle that loads answers fixed calls.
#![no_main]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::{Signer, SigningKey};
use libfuzzer_sys::fuzz_target;
use promo_edge::bundle::{open, verify, Jwks};
use promo_edge::time::Instant;
use promo_edge_fuzz::{base_engine, check_error, exercise, held_bytes, NOW};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
const JWKS: &str = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"dev-1","use":"sig"}]}"#;

fn key() -> SigningKey {
    let seed: [u8; 32] = URL_SAFE_NO_PAD
        .decode(D)
        .expect("key is base64url")
        .try_into()
        .expect("32 bytes");
    SigningKey::from_bytes(&seed)
}

fn sign(payload: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"EdDSA","kid":"dev-1"}"#),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let sig = key().sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}

/// Sets the manifest's plan size and digest to those of `plan`.
fn seal(manifest: &[u8], plan: &[u8]) -> Vec<u8> {
    let Ok(mut v) = serde_json::from_slice::<Value>(manifest) else {
        return manifest.to_vec();
    };
    if let Some(obj) = v.as_object_mut() {
        let digest = json!({
            "schema": "promo-edge.plan/2",
            "bytes": plan.len(),
            "sha256": URL_SAFE_NO_PAD.encode(Sha256::digest(plan)),
        });
        match obj.get_mut("plan").and_then(Value::as_object_mut) {
            Some(p) => {
                p.insert("bytes".into(), digest["bytes"].clone());
                p.insert("sha256".into(), digest["sha256"].clone());
            }
            None => {
                obj.insert("plan".into(), digest);
            }
        }
    }
    serde_json::to_vec(&v).unwrap_or_default()
}

fn load(bundle: &[u8], jwks: &str, trusted: bool) {
    let now = Instant::parse(NOW).expect("fixed now");
    let mut engine = base_engine();
    let before = engine.status(now);
    let held = held_bytes(&engine);
    match engine.load_bundle(bundle, jwks, now, 86_400_000) {
        Ok(report) => {
            let after = engine.status(now).expect("loaded");
            assert_eq!(after.version, report.version);
            assert!(report.version > 0);
            if trusted {
                assert_eq!(report.kid.as_deref(), Some("dev-1"));
            }
            exercise(&engine);
        }
        Err(e) => {
            check_error(&e);
            assert_eq!(
                engine.status(now),
                before,
                "a refused bundle changed the status"
            );
            assert_eq!(
                held_bytes(&engine),
                held,
                "a refused bundle changed the plan"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => {
            let keys = Jwks::parse(JWKS).expect("fixed JWKS");
            match open(rest, &keys) {
                // The JWKS holds one key: a verified bundle is its.
                Ok(v) => assert_eq!(v.kid, "dev-1"),
                Err(e) => check_error(&e),
            }
            load(rest, JWKS, true);
        }
        1 => {
            let nl = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
            let (manifest, plan) = (&rest[..nl], rest.get(nl + 1..).unwrap_or_default());
            let manifest = match manifest.strip_prefix(b"!") {
                Some(m) => seal(m, plan),
                None => manifest.to_vec(),
            };
            let mut bundle = sign(&manifest).into_bytes();
            bundle.push(b'\n');
            bundle.extend_from_slice(plan);
            load(&bundle, JWKS, true);
        }
        _ => {
            let nl = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
            let Ok(jwks) = std::str::from_utf8(&rest[..nl]) else {
                return;
            };
            let bundle = rest.get(nl + 1..).unwrap_or_default();
            if let Ok(keys) = Jwks::parse(jwks) {
                if let Some(line) = bundle.split(|b| *b == b'\n').next() {
                    if let Ok(text) = std::str::from_utf8(line) {
                        if let Err(e) = verify(text, &keys) {
                            check_error(&e);
                        }
                    }
                }
            }
            load(bundle, jwks, false);
        }
    }
});
