//! Voucherify's credentials against a real `promo-origin serve`: the
//! server SDK's `X-App-Id`/`X-App-Token`, the client SDK's
//! `X-Client-Application-Id`/`X-Client-Token` from an allowed `Origin`
//! with CORS, Bearer kept, and every refusal in Voucherify's error
//! envelope with nothing written to the ledger.

// Test code: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use serde_json::{json, Value};
use support::{cart, Env, Server, KEY};

const CLIENT_KEY: &str = "web-client-0123456789";
const SHOP: &str = "http://shop.test";

fn serve(env: &Env, client_redeem: bool) -> Server {
    let client = format!("web={CLIENT_KEY}");
    let mut extra = vec!["--client-key", &client, "--allowed-origin", SHOP];
    if client_redeem {
        extra.push("--client-redeem");
    }
    env.serve_with(&extra)
}

fn welcome() -> String {
    json!({"redeemables": [{"object": "voucher", "id": "WELCOME"}], "order": cart(2)}).to_string()
}

fn redemptions(env: &Env) -> Value {
    env.db.rows("SELECT count(*) FROM redemptions")[0][0].clone()
}

const CLIENT: [(&str, &str); 3] = [
    ("X-Client-Application-Id", "web"),
    ("X-Client-Token", CLIENT_KEY),
    ("Origin", SHOP),
];

#[test]
fn the_server_sdk_headers_and_bearer_open_server_routes() {
    let env = Env::new();
    let server = serve(&env, false);
    let sdk = [("X-App-Id", "web"), ("X-App-Token", KEY)];
    let r = server.post("/v1/validations", &sdk, &welcome());
    assert_eq!(r.status, 200, "{}", r.body);
    // 10% of 2 × 1000.
    assert_eq!(r.json()["order"]["total_discount_amount"], 200);
    let bearer = format!("Bearer {KEY}");
    let r = server.post("/v1/validations", &[("Authorization", &bearer)], &welcome());
    assert_eq!(r.status, 200, "{}", r.body);

    let refused = [
        (
            vec![("X-App-Id", "shop"), ("X-App-Token", KEY)],
            401,
            "UNAUTHORIZED",
        ),
        (
            vec![("X-App-Id", "web"), ("X-App-Token", "wrong-0123456789")],
            401,
            "UNAUTHORIZED",
        ),
        (vec![("X-App-Token", KEY)], 401, "UNAUTHORIZED"),
        (vec![], 401, "UNAUTHORIZED"),
        // A client key on a server route.
        (CLIENT.to_vec(), 403, "FORBIDDEN"),
        // A client key as a server key.
        (
            vec![("X-App-Id", "web"), ("X-App-Token", CLIENT_KEY)],
            401,
            "UNAUTHORIZED",
        ),
    ];
    for (headers, status, code) in refused {
        for path in ["/v1/validations", "/v1/redemptions"] {
            let r = server.post(path, &headers, &welcome());
            assert_eq!(
                (r.status, r.code()),
                (status, json!(code)),
                "{path} {headers:?}"
            );
        }
    }
    assert_eq!(redemptions(&env), 0);
}

#[test]
fn client_keys_validate_from_allowed_origins_with_cors() {
    let env = Env::new();
    let server = serve(&env, false);
    let r = server.post("/client/v1/validations", &CLIENT, &welcome());
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["order"]["total_amount"], 1800);
    assert_eq!(r.header("access-control-allow-origin"), Some(SHOP));
    assert_eq!(r.header("vary"), Some("Origin"));

    let preflight = |origin: &str| {
        support::request(
            &server.addr,
            "OPTIONS",
            "/client/v1/validations",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
                (
                    "Access-Control-Request-Headers",
                    "content-type,x-client-token",
                ),
            ],
            None,
        )
    };
    let ok = preflight(SHOP);
    assert_eq!(ok.status, 204);
    assert_eq!(ok.header("access-control-allow-origin"), Some(SHOP));
    let allowed = ok
        .header("access-control-allow-headers")
        .unwrap_or_default();
    assert!(allowed.contains("x-client-token") && allowed.contains("x-client-application-id"));
    let evil = preflight("http://evil.test");
    assert_eq!(
        (evil.status, evil.code()),
        (403, json!("ORIGIN_NOT_ALLOWED"))
    );
    assert_eq!(evil.header("access-control-allow-origin"), None);

    let from = |origin: &'static str| [CLIENT[0], CLIENT[1], ("Origin", origin)];
    let r = server.post(
        "/client/v1/validations",
        &from("http://evil.test"),
        &welcome(),
    );
    assert_eq!((r.status, r.code()), (403, json!("ORIGIN_NOT_ALLOWED")));
    let r = server.post("/client/v1/validations", &CLIENT[..2], &welcome());
    assert_eq!((r.status, r.code()), (403, json!("ORIGIN_NOT_ALLOWED")));
    let wrong = [
        ("X-Client-Application-Id", "web"),
        ("X-Client-Token", "nope-0123456789abc"),
        ("Origin", SHOP),
    ];
    let r = server.post("/client/v1/validations", &wrong, &welcome());
    assert_eq!((r.status, r.code()), (401, json!("UNAUTHORIZED")));
    // A server key is no client key.
    let server_key = [
        ("X-Client-Application-Id", "web"),
        ("X-Client-Token", KEY),
        ("Origin", SHOP),
    ];
    let r = server.post("/client/v1/validations", &server_key, &welcome());
    assert_eq!((r.status, r.code()), (401, json!("UNAUTHORIZED")));
    // Redeeming needs --client-redeem.
    let r = server.post("/client/v1/redemptions", &CLIENT, &welcome());
    assert_eq!(
        (r.status, r.code()),
        (403, json!("CLIENT_REDEMPTION_DISABLED"))
    );
    assert_eq!(redemptions(&env), 0);
}

#[test]
fn client_redemptions_when_allowed_and_voucherify_errors_everywhere() {
    let env = Env::new();
    let server = serve(&env, true);
    let r = server.post("/client/v1/redemptions", &CLIENT, &welcome());
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["status"], "SUCCEEDED");
    assert_eq!(redemptions(&env), 1);

    let r = server.get("/v1/nowhere", &[]);
    assert_eq!((r.status, r.code()), (404, json!("NOT_FOUND")));
    let r = server.get("/client/v1/nowhere", &CLIENT);
    assert_eq!((r.status, r.code()), (404, json!("NOT_FOUND")));
    let v = r.json();
    assert_eq!(v["code"], 404);
    assert_eq!(v["key"], "not_found");
}

#[test]
fn a_client_key_must_differ_from_server_keys_and_needs_an_origin() {
    let env = Env::new();
    let same = format!("web={KEY}");
    let out = support::run(&[
        "serve",
        "--source",
        &env.p("source"),
        "--key",
        &env.key(),
        "--database",
        &env.db.url(),
        "--listen",
        "127.0.0.1:0",
        "--channel-key",
        &same,
        "--client-key",
        &same,
        "--allowed-origin",
        SHOP,
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("CLIENT_KEY_REUSED"));
    let client = format!("web={CLIENT_KEY}");
    let out = support::run(&[
        "serve",
        "--source",
        &env.p("source"),
        "--key",
        &env.key(),
        "--database",
        &env.db.url(),
        "--listen",
        "127.0.0.1:0",
        "--channel-key",
        &same,
        "--client-key",
        &client,
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allowed-origin"));
}
