//! Signed bundles end to end: sign with a known Ed25519 key, verify and
//! load through the engine, and check that every failed check changes
//! nothing.

// Test code: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::SigningKey;
use promo_edge::time::Instant;
use promo_edge::Engine;
use serde_json::json;
use support::{manifest_json, plan_bytes, sign_jws, signed_bundle};

// RFC 8037 appendix A.1 key pair.
const D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
const X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

fn key() -> SigningKey {
    let seed: [u8; 32] = URL_SAFE_NO_PAD.decode(D).unwrap().try_into().unwrap();
    SigningKey::from_bytes(&seed)
}

fn jwks() -> String {
    json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": X, "kid": "dev-1", "use": "sig"}]})
        .to_string()
}

fn snapshot(version: u64, expires: &str) -> String {
    json!({
        "schema": "promo-edge.snapshot/1", "version": version,
        "issued_at": "2026-01-01T00:00:00Z", "expires_at": expires,
        "currency": {"code": "USD", "exponent": 2},
        "time_zone": {"name": "UTC", "offsets": [{"offset_seconds": 0}]},
        "campaigns": [{"id": "camp_1", "campaign_type": "DISCOUNT_COUPONS",
                       "voucher": {"discount": {"type": "AMOUNT", "amount_off": 500}},
                       "vouchers": [{"code": format!("V{version}")}]}]
    })
    .to_string()
}

const HEADER: &str = r#"{"alg":"EdDSA","kid":"dev-1"}"#;

fn bundle(version: u64, expires: &str) -> Vec<u8> {
    signed_bundle(&key(), HEADER, &snapshot(version, expires))
}

/// A bundle's JWS line and plan.
fn split(bundle: &[u8]) -> (String, Vec<u8>) {
    let nl = bundle.iter().position(|b| *b == b'\n').unwrap();
    (
        String::from_utf8(bundle[..nl].to_vec()).unwrap(),
        bundle[nl + 1..].to_vec(),
    )
}

fn t(s: &str) -> Instant {
    Instant::parse(s).unwrap()
}

const NOW: &str = "2026-06-01T00:00:00Z";

#[test]
fn a_signed_bundle_loads_and_serves() {
    let mut e = Engine::new();
    let report = e
        .load_bundle(&bundle(3, "2027-01-01T00:00:00Z"), &jwks(), t(NOW), 0)
        .unwrap();
    assert_eq!(report.version, 3);
    assert_eq!(report.kid.as_deref(), Some("dev-1"));
    assert!(!report.stale);
    let out = e
        .validate_json(
            r#"{"redeemables":[{"object":"voucher","id":"V3"}],"order":{"amount":2000}}"#,
            NOW,
        )
        .unwrap();
    assert!(out.contains(r#""total_amount":1500"#), "{out}");
}

#[test]
fn every_failed_check_keeps_the_last_good_snapshot() {
    let mut e = Engine::new();
    e.load_bundle(&bundle(5, "2027-01-01T00:00:00Z"), &jwks(), t(NOW), 0)
        .unwrap();
    let good = bundle(6, "2027-01-01T00:00:00Z");
    let (jws, plan) = split(&good);
    let parts: Vec<&str> = jws.split('.').collect();
    let refused = |e: &mut Engine, b: &[u8]| e.load_bundle(b, &jwks(), t(NOW), 0).unwrap_err();

    // Tampered manifest: same signature, other content.
    let other_plan = plan_bytes(&snapshot(7, "2027-01-01T00:00:00Z"));
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(manifest_json(&other_plan)),
        parts[2]
    );
    let b = promo_edge::bundle::assemble(&tampered, &other_plan);
    assert_eq!(refused(&mut e, &b).code(), "BUNDLE_SIGNATURE_INVALID");
    // A signed manifest with another plan behind it (same length or not).
    let b = promo_edge::bundle::assemble(&jws, &other_plan);
    assert_eq!(refused(&mut e, &b).code(), "BUNDLE_PLAN_MISMATCH");
    let mut flipped = plan.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x40;
    let b = promo_edge::bundle::assemble(&jws, &flipped);
    assert_eq!(refused(&mut e, &b).code(), "BUNDLE_PLAN_MISMATCH");
    let b = promo_edge::bundle::assemble(&jws, &plan[..plan.len() - 1]);
    assert_eq!(refused(&mut e, &b).code(), "BUNDLE_PLAN_MISMATCH");
    // Unknown key id.
    let other = signed_bundle(
        &key(),
        r#"{"alg":"EdDSA","kid":"dev-2"}"#,
        &snapshot(7, "2027-01-01T00:00:00Z"),
    );
    assert_eq!(refused(&mut e, &other).code(), "BUNDLE_KEY_UNKNOWN");
    // Another algorithm, even with a valid-looking signature.
    let hs = signed_bundle(
        &key(),
        r#"{"alg":"HS256","kid":"dev-1"}"#,
        &snapshot(7, "2027-01-01T00:00:00Z"),
    );
    assert_eq!(refused(&mut e, &hs).code(), "BUNDLE_ALGORITHM_UNSUPPORTED");
    // Rollback to an older (or the same) version.
    assert_eq!(
        refused(&mut e, &bundle(4, "2027-01-01T00:00:00Z")).code(),
        "SNAPSHOT_NOT_NEWER"
    );
    assert_eq!(
        refused(&mut e, &bundle(5, "2027-01-01T00:00:00Z")).code(),
        "SNAPSHOT_NOT_NEWER"
    );
    // Expired beyond the grace period.
    assert_eq!(
        e.load_bundle(
            &bundle(8, "2026-05-01T00:00:00Z"),
            &jwks(),
            t(NOW),
            86_400_000
        )
        .unwrap_err()
        .code(),
        "SNAPSHOT_EXPIRED"
    );
    // A signed payload that is not a manifest.
    let junk =
        promo_edge::bundle::assemble(&sign_jws(&key(), HEADER, r#"{"hello":"world"}"#), &plan);
    assert_eq!(refused(&mut e, &junk).code(), "BUNDLE_MALFORMED");
    // A signed v1 bundle (the snapshot as the payload) must be republished.
    let v1 = sign_jws(&key(), HEADER, &snapshot(9, "2027-01-01T00:00:00Z"));
    assert_eq!(
        refused(&mut e, v1.as_bytes()).code(),
        "BUNDLE_FORMAT_OUTDATED"
    );
    // A bad JWKS.
    assert_eq!(
        e.load_bundle(&good, "{}", t(NOW), 0).unwrap_err().code(),
        "JWKS_INVALID"
    );

    assert_eq!(e.status(t(NOW)).unwrap().version, 5, "nothing changed");
    e.load_bundle(&good, &jwks(), t(NOW), 0).unwrap();
    assert_eq!(e.status(t(NOW)).unwrap().version, 6);
}

#[test]
fn an_expired_bundle_within_grace_loads_as_stale() {
    let mut e = Engine::new();
    let r = e
        .load_bundle(
            &bundle(1, "2026-05-31T12:00:00Z"),
            &jwks(),
            t(NOW),
            86_400_000,
        )
        .unwrap();
    assert!(r.stale);
    assert!(e.status(t(NOW)).unwrap().stale);
    assert!(!e.status(t("2026-05-31T11:00:00Z")).unwrap().stale);
}
