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

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::{Signer, SigningKey};
use promo_edge::time::Instant;
use promo_edge::Engine;
use serde_json::json;

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

fn sign(header: &str, payload: &str) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let sig = key().sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}

fn bundle(version: u64, expires: &str) -> String {
    sign(
        r#"{"alg":"EdDSA","kid":"dev-1"}"#,
        &snapshot(version, expires),
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
    let parts: Vec<&str> = good.split('.').collect();

    // Tampered payload: same signature, other content.
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(snapshot(7, "2027-01-01T00:00:00Z")),
        parts[2]
    );
    assert_eq!(
        e.load_bundle(&tampered, &jwks(), t(NOW), 0)
            .unwrap_err()
            .code(),
        "BUNDLE_SIGNATURE_INVALID"
    );
    // Unknown key id.
    let other = sign(
        r#"{"alg":"EdDSA","kid":"dev-2"}"#,
        &snapshot(7, "2027-01-01T00:00:00Z"),
    );
    assert_eq!(
        e.load_bundle(&other, &jwks(), t(NOW), 0)
            .unwrap_err()
            .code(),
        "BUNDLE_KEY_UNKNOWN"
    );
    // Another algorithm, even with a valid-looking signature.
    let hs = sign(
        r#"{"alg":"HS256","kid":"dev-1"}"#,
        &snapshot(7, "2027-01-01T00:00:00Z"),
    );
    assert_eq!(
        e.load_bundle(&hs, &jwks(), t(NOW), 0).unwrap_err().code(),
        "BUNDLE_ALGORITHM_UNSUPPORTED"
    );
    // Rollback to an older (or the same) version.
    assert_eq!(
        e.load_bundle(&bundle(4, "2027-01-01T00:00:00Z"), &jwks(), t(NOW), 0)
            .unwrap_err()
            .code(),
        "SNAPSHOT_NOT_NEWER"
    );
    assert_eq!(
        e.load_bundle(&bundle(5, "2027-01-01T00:00:00Z"), &jwks(), t(NOW), 0)
            .unwrap_err()
            .code(),
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
    // A signed payload that is not a snapshot.
    let junk = sign(r#"{"alg":"EdDSA","kid":"dev-1"}"#, r#"{"hello":"world"}"#);
    assert_eq!(
        e.load_bundle(&junk, &jwks(), t(NOW), 0).unwrap_err().code(),
        "INVALID_JSON"
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
