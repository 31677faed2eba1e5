//! Signed bundles: `promo_edge::bundle::verify` and `Engine::load_bundle`.
//!
//! Byte 0 (modulo 3) picks the mode; the rest is UTF-8 text:
//! * 0 — the text is a compact JWS, checked against a fixed JWKS (the
//!   RFC 8037 test key as `dev-1`);
//! * 1 — the text is a snapshot payload, signed here with that key, so the
//!   fuzzer reaches the snapshot compiler through a valid signature;
//! * 2 — `JWKS\nJWS`: both sides untrusted.
//!
//! Checks: no panic, only documented codes, a refused load changes nothing
//! (the engine holds a version-1 snapshot before every call), and a
//! signature that verifies really is the key's.
#![no_main]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::{Signer, SigningKey};
use libfuzzer_sys::fuzz_target;
use promo_edge::bundle::{verify, Jwks};
use promo_edge::time::Instant;
use promo_edge::Engine;
use promo_edge_fuzz::check_error;

const D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
const JWKS: &str = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"dev-1","use":"sig"}]}"#;
const NOW: &str = "2026-06-01T12:00:00Z";
const BASE: &str = r#"{"schema":"promo-edge.snapshot/1","version":1,"issued_at":"2026-01-01T00:00:00Z","expires_at":"2027-01-01T00:00:00Z","currency":{"code":"USD","exponent":2},"time_zone":{"name":"UTC","offsets":[{"offset_seconds":0}]},"campaigns":[]}"#;

fn key() -> SigningKey {
    let seed: [u8; 32] = URL_SAFE_NO_PAD
        .decode(D)
        .expect("key is base64url")
        .try_into()
        .expect("32 bytes");
    SigningKey::from_bytes(&seed)
}

fn sign(payload: &str) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"EdDSA","kid":"dev-1"}"#),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let sig = key().sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}

fn base_engine() -> Engine {
    let mut e = Engine::new();
    e.load_snapshot_json(BASE).expect("base snapshot loads");
    e
}

fn load(bundle: &str, jwks: &str, trusted: bool) {
    let now = Instant::parse(NOW).expect("fixed now");
    let mut engine = base_engine();
    let before = engine.status(now);
    match engine.load_bundle(bundle, jwks, now, 86_400_000) {
        Ok(report) => {
            let after = engine.status(now).expect("loaded");
            assert_eq!(after.version, report.version);
            assert!(report.version > 1);
            if trusted {
                assert_eq!(report.kid.as_deref(), Some("dev-1"));
            }
        }
        Err(e) => {
            check_error(&e);
            assert_eq!(engine.status(now), before, "a refused bundle changed state");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match mode % 3 {
        0 => {
            let keys = Jwks::parse(JWKS).expect("fixed JWKS");
            match verify(text, &keys) {
                Ok(v) => {
                    // The JWKS holds one key: a verified bundle is its.
                    assert_eq!(v.kid, "dev-1");
                }
                Err(e) => check_error(&e),
            }
            load(text, JWKS, true);
        }
        1 => load(&sign(text), JWKS, true),
        _ => {
            let (jwks, bundle) = text.split_once('\n').unwrap_or((text, ""));
            if let Ok(keys) = Jwks::parse(jwks) {
                if let Err(e) = verify(bundle, &keys) {
                    check_error(&e);
                }
            }
            load(bundle, jwks, false);
        }
    }
});
