//! Hostile HTTP against a real `promo-origin serve`: oversized bodies,
//! malformed JSON, missing and invalid bearer keys, wrong content types,
//! SQL-looking strings, malformed HTTP and slow clients. Every answer is a
//! clear 4xx (JSON `{code, message}` where the origin answers), and the
//! ledger — read after the server stopped, on SQLite or PostgreSQL — holds
//! nothing a refused request could have stored. Every wait is bounded.

// Test code: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{cart, Env, Resp, Server, KEY};

fn bearer() -> String {
    format!("Bearer {KEY}")
}

/// A single-use code redeemed by a valid request: what every refused
/// request below would have counted had it got through.
fn once() -> Value {
    json!({"redeemables": [{"object": "voucher", "id": "ONCE-1"}], "order": cart(1),
           "customer": {"source_id": "cust_1"}})
}

/// Raw bytes on a fresh connection; the answer's status and body, or None
/// when the server closed or said nothing within `wait`.
fn raw(addr: &str, bytes: &[u8], wait: Duration) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(wait)).unwrap();
    s.set_write_timeout(Some(wait)).unwrap();
    // The server may answer (and close) before reading everything.
    let _ = s.write_all(bytes);
    read_answer(&mut s)
}

fn read_answer(s: &mut TcpStream) -> Option<(u16, String)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(_) => break,
        }
        if buf.len() > 4 * 1024 * 1024 {
            break;
        }
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head
        .lines()
        .next()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some((status, body.to_string()))
}

fn code_of(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .map(|v| {
            support::error_code(&v)
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .unwrap_or_else(|| format!("<not JSON: {body:.200}>"))
}

fn answer(r: &Resp) -> (u16, String) {
    (r.status, code_of(&r.body))
}

/// Rows of the ledger's tables, read after the server stopped.
#[derive(Debug, PartialEq, Eq)]
struct Ledger {
    redemptions: i64,
    items: i64,
    counters: i64,
    balances: i64,
}

fn ledger(env: &Env, server: &mut Server) -> Ledger {
    server.stop();
    let n = |table: &str| -> i64 { env.db.count(&format!("SELECT COUNT(*) FROM {table}")) };
    Ledger {
        redemptions: n("redemptions"),
        items: n("redemption_items"),
        counters: n("counters"),
        balances: n("balances"),
    }
}

const EMPTY: Ledger = Ledger {
    redemptions: 0,
    items: 0,
    counters: 0,
    balances: 0,
};

fn post_raw(addr: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut req = format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

#[test]
fn oversized_bodies_are_413_and_store_nothing() {
    let env = Env::new();
    let mut server = env.serve();
    let auth = bearer();
    let wait = Duration::from_secs(30);
    // Just over 1 MiB of otherwise valid JSON, on both POST routes.
    let mut big = once();
    big["metadata"] = json!({"pad": "x".repeat(1024 * 1024)});
    let big = big.to_string();
    let r = server.post("/v1/validations", &[("Authorization", &auth)], &big);
    assert_eq!(answer(&r), (413, "PAYLOAD_TOO_LARGE".into()));
    let r = server.post(
        "/v1/redemptions",
        &[("Authorization", &auth), ("Idempotency-Key", "big-1")],
        &big,
    );
    assert_eq!(answer(&r), (413, "PAYLOAD_TOO_LARGE".into()));
    // A Content-Length of 100 MiB: refused once 1 MiB has arrived. (Not
    // before: the origin waits for the body — see the ignored stall test.)
    let bytes = post_raw(
        &server.addr,
        "/v1/redemptions",
        &[
            ("Authorization", &auth),
            ("Idempotency-Key", "big-2"),
            ("Content-Type", "application/json"),
            ("Content-Length", "104857600"),
        ],
        format!(
            "{{\"metadata\": {{\"pad\": \"{}",
            "q".repeat(2 * 1024 * 1024)
        )
        .as_bytes(),
    );
    let (status, body) = raw(&server.addr, &bytes, wait).expect("an answer");
    assert_eq!((status, code_of(&body)), (413, "PAYLOAD_TOO_LARGE".into()));
    // A chunked body that grows past the limit.
    let mut chunked = Vec::new();
    let piece = format!("{{\"metadata\": {{\"pad\": \"{}", "y".repeat(64 * 1024));
    chunked.extend_from_slice(format!("{:x}\r\n{piece}\r\n", piece.len()).as_bytes());
    let filler = "z".repeat(64 * 1024);
    for _ in 0..20 {
        chunked.extend_from_slice(format!("{:x}\r\n{filler}\r\n", filler.len()).as_bytes());
    }
    chunked.extend_from_slice(b"3\r\n\"}}\r\n0\r\n\r\n");
    let bytes = post_raw(
        &server.addr,
        "/v1/redemptions",
        &[
            ("Authorization", &auth),
            ("Idempotency-Key", "big-3"),
            ("Content-Type", "application/json"),
            ("Transfer-Encoding", "chunked"),
        ],
        &chunked,
    );
    let (status, body) = raw(&server.addr, &bytes, wait).expect("an answer");
    assert_eq!((status, code_of(&body)), (413, "PAYLOAD_TOO_LARGE".into()));
    // A Content-Length that is not a number, or two that disagree.
    for cl in [
        "Content-Length: 99999999999999999999999\r\n",
        "Content-Length: -1\r\n",
        "Content-Length: 10\r\nContent-Length: 20\r\n",
    ] {
        let bytes = format!(
            "POST /v1/validations HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n{cl}Connection: close\r\n\r\n{{}}"
        );
        let (status, _) = raw(&server.addr, bytes.as_bytes(), wait).expect("an answer");
        assert_eq!(status, 400, "{cl}");
    }
    // Over the engine's limits inside 1 MiB: the core's codes, 400.
    let mut many = once();
    many["order"] = json!({"items": vec![json!({"product_id": "prod_mug", "price": 1}); 501]});
    let r = server.redeem("big-4", &many);
    assert_eq!(answer(&r), (400, "TOO_MANY_ORDER_ITEMS".into()));
    let mut meta = once();
    meta["metadata"] = json!({"pad": "m".repeat(17 * 1024)});
    let r = server.redeem("big-5", &meta);
    assert_eq!(answer(&r), (400, "METADATA_TOO_LARGE".into()));
    let mut codes = once();
    codes["redeemables"] = Value::Array(
        (0..1000)
            .map(|i| json!({"object": "voucher", "id": format!("C{i}")}))
            .collect(),
    );
    let r = server.redeem("big-6", &codes);
    assert_eq!(answer(&r), (400, "TOO_MANY_REDEEMABLES".into()));
    // The refused keys were never stored: each is fresh for a valid body.
    let r = server.redeem("big-1", &json!({"redeemables": [], "order": cart(1)}));
    assert_eq!(support::redemption_status(&r), "FAILED");
    assert_eq!(r.header("idempotent-replayed"), None);
    assert_eq!(
        ledger(&env, &mut server),
        Ledger {
            redemptions: 1,
            ..EMPTY
        }
    );
}

#[test]
fn malformed_json_and_wrong_shapes_are_400_and_store_nothing() {
    let env = Env::new();
    let mut server = env.serve();
    let auth = bearer();
    let bad: &[(&str, &str)] = &[
        ("{not json", "INVALID_JSON"),
        ("", "INVALID_JSON"),
        ("null", "INVALID_JSON"),
        // (`[]` is answered as an empty request: the engine's serde accepts
        // arrays for objects — tests/hostile_inputs.rs known_deviations.)
        ("[1]", "INVALID_JSON"),
        ("\"ONCE-1\"", "INVALID_JSON"),
        (
            r#"{"redeemables": [{"object": "voucher", "id": "ONCE-1"}], "order": "#,
            "INVALID_JSON",
        ),
        (
            r#"{"redeemables": {"id": "ONCE-1"}, "order": {"items": []}}"#,
            "INVALID_JSON",
        ),
        (
            r#"{"redeemables": [{"object": "coupon", "id": "ONCE-1"}]}"#,
            "INVALID_JSON",
        ),
        (
            r#"{"order": {"items": [{"product_id": "prod_mug", "price": "1000"}]}}"#,
            "INVALID_JSON",
        ),
        (
            r#"{"order": {"items": [{"product_id": "prod_mug", "price": 1e3}]}}"#,
            "INVALID_JSON",
        ),
        (
            r#"{"redeemables": [{"object": "voucher", "id": "\ud800"}]}"#,
            "INVALID_JSON",
        ),
        ("{\"order\": {\"items\": []}} trailing", "INVALID_JSON"),
        ("\u{feff}{\"order\": {\"items\": []}}", "INVALID_JSON"),
        (
            r#"{"order": {"items": [{"product_id": "prod_mug", "price": -1}]}}"#,
            "AMOUNT_OUT_OF_RANGE",
        ),
        (
            r#"{"order": {"items": [{"product_id": "prod_mug", "price": 1000, "quantity": 10000000}]}}"#,
            "AMOUNT_OUT_OF_RANGE",
        ),
        (
            r#"{"redeemables": [{"object": "voucher", "id": ""}], "order": {"items": []}}"#,
            "INVALID_REQUEST",
        ),
    ];
    for (i, (body, code)) in bad.iter().enumerate() {
        let r = server.post("/v1/validations", &[("Authorization", &auth)], body);
        assert_eq!(
            answer(&r),
            (400, code.to_string()),
            "validation of {body:.80}"
        );
        let key = format!("bad-{i}");
        let r = server.post(
            "/v1/redemptions",
            &[("Authorization", &auth), ("Idempotency-Key", &key)],
            body,
        );
        assert_eq!(
            answer(&r),
            (400, code.to_string()),
            "redemption of {body:.80}"
        );
    }
    // Invalid UTF-8 bytes in the body.
    let bad_utf8 = b"{\"redeemables\": [{\"object\": \"voucher\", \"id\": \"\xff\"}]}";
    let bytes = post_raw(
        &server.addr,
        "/v1/redemptions",
        &[
            ("Authorization", &auth),
            ("Idempotency-Key", "bad-utf8"),
            ("Content-Type", "application/json"),
            ("Content-Length", &bad_utf8.len().to_string()),
        ],
        bad_utf8,
    );
    let (status, body) = raw(&server.addr, &bytes, Duration::from_secs(30)).unwrap();
    assert_eq!((status, code_of(&body)), (400, "INVALID_JSON".into()));
    // Redemption-only fields of the wrong type.
    for (field, value) in [
        ("snapshot_version", json!("1")),
        ("snapshot_version", json!(-1)),
        ("expected", json!([1])),
    ] {
        let mut body = once();
        body[field] = value;
        let r = server.redeem(&format!("bad-{field}"), &body);
        assert_eq!(answer(&r), (400, "INVALID_REQUEST".into()), "{body}");
    }
    // An Idempotency-Key too long (a missing one is allowed: the request
    // gets its own key).
    let too_long = "k".repeat(256);
    let h = [
        ("Authorization", auth.as_str()),
        ("Idempotency-Key", too_long.as_str()),
    ];
    let r = server.post("/v1/redemptions", &h, &once().to_string());
    assert_eq!(answer(&r), (400, "IDEMPOTENCY_KEY_INVALID".into()));
    // The single-use code was never counted: a valid redemption gets it.
    let r = server.redeem("bad-0", &once());
    assert_eq!(r.json()["status"], "SUCCEEDED", "{}", r.body);
    assert_eq!(r.header("idempotent-replayed"), None);
    let l = ledger(&env, &mut server);
    assert_eq!((l.redemptions, l.items), (1, 1), "{l:?}");
}

#[test]
fn missing_or_invalid_bearer_keys_are_401_and_store_nothing() {
    let env = Env::new();
    let mut server = env.serve();
    let body = once().to_string();
    let long = format!("Bearer {}", "k".repeat(8 * 1024));
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("Authorization", "")],
        vec![("Authorization", "Bearer")],
        vec![("Authorization", "Bearer ")],
        vec![("Authorization", "bearer web-secret-0123456789")],
        vec![(
            "Authorization",
            "Basic d2ViOndlYi1zZWNyZXQtMDEyMzQ1Njc4OQ==",
        )],
        vec![("Authorization", "Bearer web-secret-012345678")],
        vec![("Authorization", "Bearer web-secret-01234567890")],
        vec![("Authorization", "Bearer WEB-SECRET-0123456789")],
        vec![("Authorization", "Bearer ' OR '1'='1")],
        vec![("Authorization", &long)],
        vec![("X-Api-Key", KEY)],
        vec![("Authorization", "Bearer web-secret-0123456789, Bearer x")],
    ];
    for (i, headers) in cases.iter().enumerate() {
        let key = format!("auth-{i}");
        let mut h = headers.clone();
        h.push(("Idempotency-Key", &key));
        for path in [
            "/v1/validations",
            "/v1/redemptions",
            "/v1/redemptions/x/rollback",
        ] {
            let r = server.post(path, &h, &body);
            assert_eq!(
                answer(&r),
                (401, "UNAUTHORIZED".into()),
                "{path} with {headers:?}"
            );
        }
        let r = server.get("/v1/redemptions/x", headers);
        assert_eq!(
            answer(&r),
            (401, "UNAUTHORIZED".into()),
            "GET with {headers:?}"
        );
    }
    // Non-ASCII bytes in the header value.
    let mut bad_header = format!(
        "POST /v1/validations HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    )
    .into_bytes();
    bad_header.extend_from_slice(b"Authorization: Bearer \xff\xfe\r\n\r\n");
    bad_header.extend_from_slice(body.as_bytes());
    let (status, body_text) = raw(&server.addr, &bad_header, Duration::from_secs(30)).unwrap();
    assert_eq!((status, code_of(&body_text)), (401, "UNAUTHORIZED".into()));
    assert_eq!(ledger(&env, &mut server), EMPTY);
}

#[test]
fn wrong_content_types_get_clear_answers() {
    let env = Env::new();
    let mut server = env.serve();
    let auth = bearer();
    let wait = Duration::from_secs(30);
    // Bodies that are not JSON, whatever they claim to be.
    let not_json: [(&str, &[u8]); 5] = [
        (
            "application/x-www-form-urlencoded",
            b"redeemables=ONCE-1&order=1",
        ),
        (
            "multipart/form-data; boundary=XX",
            b"--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XX--\r\n",
        ),
        (
            "application/xml",
            b"<redeemables><id>ONCE-1</id></redeemables>",
        ),
        ("application/json; charset=utf-16", b"\xff\xfe{\x00}\x00"),
        ("application/octet-stream", b"\x00\x01\x02\x03"),
    ];
    for (i, (ct, body)) in not_json.iter().enumerate() {
        let key = format!("ct-{i}");
        let len = body.len().to_string();
        for (path, extra) in [
            ("/v1/validations", vec![]),
            ("/v1/redemptions", vec![("Idempotency-Key", key.as_str())]),
        ] {
            let mut h = vec![
                ("Authorization", auth.as_str()),
                ("Content-Type", *ct),
                ("Content-Length", len.as_str()),
            ];
            h.extend(extra);
            let (status, text) =
                raw(&server.addr, &post_raw(&server.addr, path, &h, body), wait).unwrap();
            assert_eq!(
                (status, code_of(&text)),
                (400, "INVALID_JSON".into()),
                "{path} as {ct}"
            );
        }
    }
    // Valid JSON under another content type: the origin reads the body as
    // JSON whatever the header says (it names no content type), and answers
    // 200 — or, should it ever insist on JSON, a JSON 415. Never a 5xx.
    let body = json!({"redeemables": [], "order": cart(1)}).to_string();
    let len = body.len().to_string();
    for ct in ["text/plain", "application/x-www-form-urlencoded", ""] {
        let h = [
            ("Authorization", auth.as_str()),
            ("Content-Type", ct),
            ("Content-Length", len.as_str()),
        ];
        let bytes = post_raw(&server.addr, "/v1/validations", &h, body.as_bytes());
        let (status, text) = raw(&server.addr, &bytes, wait).unwrap();
        assert!(
            status == 200 || (status == 415 && !code_of(&text).starts_with('<')),
            "{ct}: {status} {text:.200}"
        );
    }
    assert_eq!(ledger(&env, &mut server), EMPTY);
}

#[test]
fn sql_looking_strings_are_stored_as_data_and_the_ledger_stays_whole() {
    let env = Env::new();
    let mut server = env.serve();
    let auth = bearer();
    let sql = [
        "' OR '1'='1",
        "x'); DROP TABLE redemptions; --",
        "\"; DELETE FROM counters WHERE 1=1; --",
        "1; UPDATE balances SET balance = 999999",
        "%' AND 1=0 UNION SELECT * FROM redemptions --",
        "?1 ?2 :name @p $1",
    ];
    let mut ids = Vec::new();
    for (i, s) in sql.iter().enumerate() {
        // In a code, a customer id, metadata and the idempotency key.
        let body = json!({
            "redeemables": [{"object": "voucher", "id": s}],
            "order": {"id": s, "items": [{"product_id": s, "price": 1000, "quantity": 1, "metadata": {s.to_string(): s}}],
                      "metadata": {"note": s}},
            "customer": {"source_id": s, "metadata": {"k": s}},
            "metadata": {s.to_string(): s}
        });
        let key = format!("{s}-{i}");
        let r = server.redeem(&key, &body);
        assert_eq!(support::redemption_status(&r), "FAILED");
        let v = r.json();
        assert_eq!(
            v["result"]["inapplicable_redeemables"][0]["id"], *s,
            "the code is echoed as sent"
        );
        // A replay finds the same row by the same hostile key.
        let again = server.redeem(&key, &body);
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(again.body, r.body);
        let id = v["id"].as_str().unwrap().to_string();
        let got = server.get(
            &format!("/v1/redemptions/{id}"),
            &[("Authorization", &auth)],
        );
        assert_eq!(got.status, 200);
        assert_eq!(got.json()["result"]["order"]["id"], *s);
        ids.push(id);
        // As a redemption id in the path: not found, never an error.
        let path_id: String = s
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        let r = server.get(
            &format!("/v1/redemptions/{path_id}"),
            &[("Authorization", &auth)],
        );
        assert_eq!(answer(&r), (404, "REDEMPTION_NOT_FOUND".into()), "{s}");
        let r = server.post(
            &format!("/v1/redemptions/{path_id}/rollback"),
            &[("Authorization", &auth)],
            "",
        );
        assert_eq!(answer(&r), (404, "REDEMPTION_NOT_FOUND".into()), "{s}");
        let r = server.get(&format!("/v1/bundles/{path_id}"), &[]);
        assert_eq!(answer(&r), (404, "CHANNEL_NOT_FOUND".into()), "{s}");
    }
    // The ledger still counts: the single-use code once, then refused.
    assert_eq!(
        server.redeem("after-1", &once()).json()["status"],
        "SUCCEEDED"
    );
    assert_eq!(server.redeem("after-2", &once()).json()["status"], "FAILED");
    let l = ledger(&env, &mut server);
    assert_eq!((l.redemptions, l.items), (sql.len() as i64 + 2, 1), "{l:?}");
}

#[test]
fn malformed_http_gets_a_4xx_or_a_closed_connection() {
    let env = Env::new();
    let mut server = env.serve();
    let wait = Duration::from_secs(30);
    let addr = server.addr.clone();
    let huge_header = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: {}\r\n\r\n",
        "p".repeat(1024 * 1024)
    );
    let many_headers = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\n{}\r\n",
        (0..500)
            .map(|i| format!("X-H{i}: v\r\n"))
            .collect::<String>()
    );
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("a garbage request line", b"HELLO THERE\r\n\r\n".to_vec()),
        ("a request line without a version", b"GET /healthz\r\n\r\n".to_vec()),
        ("HTTP/9.9", b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n".to_vec()),
        ("NUL bytes", b"GET /\x00 HTTP/1.1\r\n\r\n".to_vec()),
        ("a header without a colon", b"GET /healthz HTTP/1.1\r\nHost x\r\n\r\n".to_vec()),
        ("a 1 MiB header", huge_header.into_bytes()),
        ("500 headers", many_headers.into_bytes()),
        (
            "a path traversal to a bundle",
            b"GET /v1/bundles/..%2F..%2Fetc%2Fpasswd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
        ),
        (
            "an unknown method",
            b"BREW /v1/validations HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
        ),
        (
            "DELETE on a redemption",
            b"DELETE /v1/redemptions/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
        ),
    ];
    for (name, bytes) in cases {
        // Closing the connection on unparsable HTTP is a clear answer too.
        if let Some((status, _)) = raw(&addr, &bytes, wait) {
            assert!((400..500).contains(&status), "{name}: {status}");
        }
    }
    // Still serving.
    assert_eq!(server.get("/healthz", &[]).status, 200);
    assert_eq!(ledger(&env, &mut server), EMPTY);
}

/// Connects and sends `bytes`, keeping the connection open (a stalled client).
fn stall(addr: &str, bytes: &[u8]) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    s.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(bytes).unwrap();
    s
}

#[test]
fn slow_clients_do_not_block_others_and_store_nothing() {
    let env = Env::new();
    let mut server = env.serve();
    let auth = bearer();
    let addr = server.addr.clone();
    let body = once().to_string();
    let mut stalled = Vec::new();
    for i in 0..20 {
        // Headers and half a body, then nothing.
        let key = format!("slow-{i}");
        let bytes = post_raw(
            &addr,
            "/v1/redemptions",
            &[
                ("Authorization", &auth),
                ("Idempotency-Key", &key),
                ("Content-Type", "application/json"),
                ("Content-Length", &body.len().to_string()),
            ],
            &body.as_bytes()[..body.len() / 2],
        );
        stalled.push(stall(&addr, &bytes));
        // Half a request line; half the headers.
        stalled.push(stall(&addr, b"POST /v1/redemp"));
        stalled.push(stall(
            &addr,
            format!("POST /v1/validations HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bea")
                .as_bytes(),
        ));
    }
    // Others are served at once meanwhile.
    let start = Instant::now();
    let v = server.validate(&once());
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(server.get("/healthz", &[]).status, 200);
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "served in {:?} beside 60 stalled clients",
        start.elapsed()
    );
    // A client that trickles its body byte by byte still gets its answer.
    let trickle = post_raw(
        &addr,
        "/v1/validations",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
            ("Content-Length", &body.len().to_string()),
        ],
        body.as_bytes(),
    );
    let mut s = TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let split = trickle.len() - body.len();
    s.write_all(&trickle[..split]).unwrap();
    for b in body.as_bytes().chunks(16) {
        s.write_all(b).unwrap();
        std::thread::sleep(Duration::from_millis(10));
    }
    let (status, text) = read_answer(&mut s).expect("an answer");
    assert_eq!(status, 200, "{text:.200}");
    // The stalled clients gave up (a client-side timeout): no answer was a
    // success, and the half-sent redemptions stored nothing.
    for mut s in stalled {
        s.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
        if let Some((status, _)) = read_answer(&mut s) {
            assert!(
                (400..500).contains(&status),
                "a stalled client got {status}"
            );
        }
    }
    let r = server.redeem("slow-0", &once());
    assert_eq!(r.json()["status"], "SUCCEEDED", "{}", r.body);
    assert_eq!(r.header("idempotent-replayed"), None);
    let l = ledger(&env, &mut server);
    assert_eq!((l.redemptions, l.items), (1, 1), "{l:?}");
}

/// A client that sends headers and stalls should be cut off (408 or a
/// closed connection) by a server-side timeout, and a Content-Length over
/// the 1 MiB limit refused before any body arrives. The origin does neither
/// today (axum's `serve` without a hyper timer: no header-read or body
/// timeout; the body limit counts bytes as they come), so a few thousand
/// stalled sockets exhaust its file descriptors — reported to the lead;
/// run with `--ignored` once the origin has timeouts.
#[test]
#[ignore = "the origin has no server-side read timeouts yet (reported)"]
fn a_client_that_stalls_is_cut_off_by_the_server() {
    let env = Env::new();
    let server = env.serve();
    let mut headers_only = stall(
        &server.addr,
        b"POST /v1/validations HTTP/1.1\r\nHost: x\r\n",
    );
    let mut announced = stall(
        &server.addr,
        format!(
            "POST /v1/validations HTTP/1.1\r\nHost: x\r\nAuthorization: {}\r\nContent-Length: 104857600\r\n\r\n",
            bearer()
        )
        .as_bytes(),
    );
    let mut half_body = stall(
        &server.addr,
        format!(
            "POST /v1/validations HTTP/1.1\r\nHost: x\r\nAuthorization: {}\r\nContent-Length: 100\r\n\r\n{{",
            bearer()
        )
        .as_bytes(),
    );
    for s in [&mut announced, &mut headers_only, &mut half_body] {
        s.set_read_timeout(Some(Duration::from_secs(45))).unwrap();
        let start = Instant::now();
        let answer = read_answer(s);
        assert!(
            start.elapsed() < Duration::from_secs(40),
            "the server kept a stalled connection for {:?}",
            start.elapsed()
        );
        if let Some((status, _)) = answer {
            assert!((400..500).contains(&status), "{status}");
        }
    }
}
