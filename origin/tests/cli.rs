//! keygen, publish, verify and schema, run as the real binary.

// Test code: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::Value;
use support::{run, stdout_json, Env};

fn publish(env: &Env, out: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "publish".to_string(),
        "--source".into(),
        env.p("source"),
        "--key".into(),
        env.key(),
        "--out".into(),
        env.p(out),
    ];
    if !extra.contains(&"--now") {
        args.extend(["--now".to_string(), support::NOW.to_string()]);
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&args)
}

fn verify(env: &Env, bundle: &str, jwks: &str, extra: &[&str]) -> Value {
    let mut args = vec!["verify", "--bundle", bundle, "--jwks", jwks];
    args.extend_from_slice(extra);
    let out = run(&args);
    let v = stdout_json(&out);
    assert_eq!(out.status.success(), v["ok"] == true, "{v}");
    let _ = env;
    v
}

/// A bundle's JWS line (over the manifest) and its plan bytes.
fn parts_of(bundle: &Path) -> (String, Vec<u8>) {
    let bytes = std::fs::read(bundle).unwrap();
    let nl = bytes.iter().position(|b| *b == b'\n').unwrap();
    (
        String::from_utf8(bytes[..nl].to_vec()).unwrap(),
        bytes[nl + 1..].to_vec(),
    )
}

/// The signed manifest of a bundle.
fn manifest(bundle: &Path) -> String {
    let (jws, _) = parts_of(bundle);
    let p = jws.split('.').nth(1).unwrap();
    String::from_utf8(URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn schema_matches_the_committed_file() {
    let out = run(&["schema"]);
    assert!(out.status.success());
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/campaign-source.schema.json"),
    )
    .unwrap();
    assert!(
        String::from_utf8(out.stdout).unwrap() == committed,
        "origin/schema/campaign-source.schema.json is stale: regenerate it with \
         `cargo run -p promo-origin -- schema > origin/schema/campaign-source.schema.json`"
    );
    let schema: Value = serde_json::from_str(&committed).unwrap();
    assert!(schema["$defs"]["Voucher"]["properties"]["unique"].is_object());
}

#[test]
fn keygen_writes_a_private_jwk_and_a_jwks_with_the_same_kid() {
    let env = Env::new();
    let private: Value =
        serde_json::from_str(&std::fs::read_to_string(env.key()).unwrap()).unwrap();
    let jwks: Value = serde_json::from_str(&std::fs::read_to_string(env.jwks()).unwrap()).unwrap();
    assert_eq!(private["kty"], "OKP");
    assert_eq!(private["crv"], "Ed25519");
    assert!(private["d"].is_string());
    assert_eq!(jwks["keys"][0]["kid"], private["kid"]);
    assert!(
        jwks["keys"][0].get("d").is_none(),
        "the JWKS holds no private part"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.key()).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the private key is readable by others");
    }
    let again = run(&["keygen", "--out", &env.p("keys")]);
    assert!(!again.status.success(), "keygen must not overwrite a key");
}

#[test]
fn publish_versions_increase_and_unique_codes_are_only_hashed() {
    let env = Env::new();
    let out = publish(&env, "b.jws", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout_json(&out)["version"], 1);
    let (_, first) = parts_of(&env.path("b.jws"));
    for code in ["ONCE-1", "ONCE-2", "GIFT-1", "CARD-1"] {
        assert!(!contains(&first, code), "unique code {code} in clear");
    }
    assert!(contains(&first, "WELCOME"), "generic codes stay in clear");
    let read = |env: &Env| {
        verify(
            env,
            &env.p("b.jws"),
            &env.jwks(),
            &["--plan", "--now", "2026-06-02T00:00:00Z"],
        )
    };
    let snap = read(&env);
    assert_eq!(snap["plan"]["tz"]["name"], "Europe/Warsaw");
    assert_eq!(snap["plan"]["tz"]["periods"][0][1], 7_200_000);
    let m: Value = serde_json::from_str(&manifest(&env.path("b.jws"))).unwrap();
    assert_eq!(m["schema"], "promo-edge.bundle/2");
    assert_eq!(m["plan"]["bytes"], first.len());
    assert_eq!(snap["manifest"], m);

    let out = publish(&env, "b.jws", &[]);
    assert_eq!(stdout_json(&out)["version"], 2);
    let second = read(&env);
    assert_ne!(
        snap["plan"]["code_salt"], second["plan"]["code_salt"],
        "a fresh salt per publication"
    );

    let out = publish(&env, "b.jws", &["--version", "2"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("VERSION_NOT_NEWER"));
    let out = publish(&env, "b.jws", &["--version", "10"]);
    assert_eq!(stdout_json(&out)["version"], 10);

    // A zone with a transition inside the lifetime embeds it exactly.
    let out = publish(
        &env,
        "dst.jws",
        &["--now", "2026-10-01T00:00:00Z", "--lifetime", "P60D"],
    );
    assert!(out.status.success());
    let snap = verify(
        &env,
        &env.p("dst.jws"),
        &env.jwks(),
        &["--plan", "--now", "2026-10-02T00:00:00Z"],
    );
    // 2026-10-25T01:00:00Z, in ms since the epoch; then UTC+1.
    assert_eq!(snap["plan"]["tz"]["periods"][1][0], 1_792_890_000_000_i64);
    assert_eq!(snap["plan"]["tz"]["periods"][1][1], 3_600_000);
}

fn write(env: &Env, rel: &str, text: &str) {
    std::fs::write(env.path(rel), text).unwrap();
}

fn publish_error(env: &Env) -> String {
    let out = publish(env, "bad.jws", &[]);
    assert!(!out.status.success());
    assert!(!env.path("bad.jws").exists(), "nothing is written on error");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn publish_errors_name_the_source_file_and_json_path() {
    let env = Env::new();
    write(
        &env,
        "source/campaigns/summer.json",
        r#"{"campaigns": [{"id": "camp_summer", "campaign_type": "DISCOUNT_COUPONS",
            "voucher": {"discount": {"type": "AMOUNT", "amount_off": 100}},
            "vouchers": [{"code": "S-1"}, {"code": "S-2", "unique": true}, {"code": "S-1"}]}]}"#,
    );
    let err = publish_error(&env);
    assert!(
        err.contains("campaigns/summer.json: campaigns[0].vouchers[2].code: duplicate code"),
        "{err}"
    );

    write(
        &env,
        "source/campaigns/summer.json",
        r#"{"campaigns": [{"id": "camp_summer", "campaign_type": "DISCOUNT_COUPONS",
            "vouchers": [{"code": "S-1", "discount": {"type": "AMOUNT", "amount_of": 100}}]}]}"#,
    );
    let err = publish_error(&env);
    assert!(
        err.contains("campaigns/summer.json: campaigns[0].vouchers[0].discount.amount_of"),
        "{err}"
    );

    write(
        &env,
        "source/campaigns/summer.json",
        r#"{"campaigns": [{"id": "camp_once", "campaign_type": "PROMOTION"}]}"#,
    );
    let err = publish_error(&env);
    assert!(err.contains("duplicate campaign id `camp_once`"), "{err}");

    // Caught by the core's compiler, mapped back to the file.
    write(
        &env,
        "source/campaigns/summer.json",
        r#"{"campaigns": [{"id": "camp_summer", "campaign_type": "PROMOTION",
            "categories": ["cat_missing"]}]}"#,
    );
    let err = publish_error(&env);
    assert!(
        err.contains("campaigns/summer.json: campaigns[0].categories: unknown category"),
        "{err}"
    );

    // A hash cannot be written by hand: the salt is fresh at each publication.
    write(
        &env,
        "source/campaigns/summer.json",
        r#"{"campaigns": [{"id": "camp_summer", "campaign_type": "DISCOUNT_COUPONS",
            "voucher": {"discount": {"type": "AMOUNT", "amount_off": 100}},
            "vouchers": [{"code_hash": "xyz"}]}]}"#,
    );
    let err = publish_error(&env);
    assert!(
        err.contains(
            "campaigns/summer.json: campaigns[0].vouchers[0].code_hash: a code is given in clear"
        ),
        "{err}"
    );

    std::fs::remove_file(env.path("source/campaigns/summer.json")).unwrap();
    let project = std::fs::read_to_string(env.path("source/project.json")).unwrap();
    // A misspelt rule field is an error at publish, not a disabled code.
    write(
        &env,
        "source/project.json",
        &project.replacen("\"conditions\"", "\"condition\"", 1),
    );
    let err = publish_error(&env);
    assert!(
        err.contains("project.json: validation_rules[0].rules.1.condition: unknown field"),
        "{err}"
    );
    write(
        &env,
        "source/project.json",
        &project.replace("Europe/Warsaw", "Europe/Atlantis"),
    );
    let err = publish_error(&env);
    assert!(err.contains("project.json: time_zone:"), "{err}");
}

#[test]
fn publish_prints_load_warnings_with_source_paths() {
    let env = Env::new();
    write(
        &env,
        "source/campaigns/warn.json",
        r#"{"campaigns": [{"id": "camp_warn", "campaign_type": "DISCOUNT_COUPONS",
            "validation_rule_ids": ["val_nowhere"],
            "voucher": {"discount": {"type": "AMOUNT", "amount_off": 100}},
            "vouchers": [{"code": "W-1"}]}]}"#,
    );
    let out = publish(&env, "b.jws", &[]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: campaigns/warn.json: campaigns[0]: VALIDATION_RULE_NOT_FOUND"),
        "{err}"
    );
    assert_eq!(stdout_json(&out)["warnings"], 1);
}

#[test]
fn verify_refuses_tampered_unknown_key_older_and_expired_bundles() {
    let env = Env::new();
    assert!(publish(&env, "b.jws", &["--version", "5"]).status.success());
    let bundle = env.p("b.jws");
    let ok = verify(
        &env,
        &bundle,
        &env.jwks(),
        &["--now", "2026-06-02T00:00:00Z"],
    );
    assert_eq!(ok["version"], 5);
    assert_eq!(ok["channel"], "web");
    assert_eq!(ok["expires_at"], "2026-07-01T10:00:00.000Z");
    let kid: Value = serde_json::from_str(&std::fs::read_to_string(env.jwks()).unwrap()).unwrap();
    assert_eq!(ok["kid"], kid["keys"][0]["kid"]);

    // Tampered: one manifest field changed, signature kept.
    let (jws, plan) = parts_of(&env.path("b.jws"));
    let parts: Vec<&str> = jws.split('.').collect();
    let p = manifest(&env.path("b.jws")).replace("\"version\":5", "\"version\":6");
    let tampered = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(p), parts[2]);
    std::fs::write(
        env.path("tampered.jws"),
        promo_edge::bundle::assemble(&tampered, &plan),
    )
    .unwrap();
    let v = verify(
        &env,
        &env.p("tampered.jws"),
        &env.jwks(),
        &["--now", "2026-06-02T00:00:00Z"],
    );
    assert_eq!(v["code"], "BUNDLE_SIGNATURE_INVALID");
    // Tampered: one plan byte changed, manifest and signature kept.
    let mut bad = plan.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 1;
    std::fs::write(
        env.path("tampered.jws"),
        promo_edge::bundle::assemble(&jws, &bad),
    )
    .unwrap();
    let v = verify(
        &env,
        &env.p("tampered.jws"),
        &env.jwks(),
        &["--now", "2026-06-02T00:00:00Z"],
    );
    assert_eq!(v["code"], "BUNDLE_PLAN_MISMATCH");

    // Signed by a key the client does not trust.
    let other = env.path("other");
    assert!(run(&["keygen", "--out", other.to_str().unwrap()])
        .status
        .success());
    let v = verify(
        &env,
        &bundle,
        other.join("jwks.json").to_str().unwrap(),
        &["--now", "2026-06-02T00:00:00Z"],
    );
    assert_eq!(v["code"], "BUNDLE_KEY_UNKNOWN");

    // Not newer than what the client holds.
    let v = verify(
        &env,
        &bundle,
        &env.jwks(),
        &["--now", "2026-06-02T00:00:00Z", "--held-version", "5"],
    );
    assert_eq!(v["code"], "SNAPSHOT_NOT_NEWER");
    let v = verify(
        &env,
        &bundle,
        &env.jwks(),
        &["--now", "2026-06-02T00:00:00Z", "--held-version", "4"],
    );
    assert_eq!(v["ok"], true);

    // Expired (and accepted as stale within a grace period).
    let v = verify(
        &env,
        &bundle,
        &env.jwks(),
        &["--now", "2026-07-02T00:00:00Z"],
    );
    assert_eq!(v["code"], "SNAPSHOT_EXPIRED");
    let v = verify(
        &env,
        &bundle,
        &env.jwks(),
        &["--now", "2026-07-02T00:00:00Z", "--grace", "P7D"],
    );
    assert_eq!(v["stale"], true);

    // Another algorithm in the header.
    let hs = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(format!(
            r#"{{"alg":"HS256","kid":{}}}"#,
            kid["keys"][0]["kid"]
        )),
        parts[1],
        parts[2]
    );
    std::fs::write(env.path("hs.jws"), promo_edge::bundle::assemble(&hs, &plan)).unwrap();
    let v = verify(
        &env,
        &env.p("hs.jws"),
        &env.jwks(),
        &["--now", "2026-06-02T00:00:00Z"],
    );
    assert_eq!(v["code"], "BUNDLE_ALGORITHM_UNSUPPORTED");
}
