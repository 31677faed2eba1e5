//! Test support: temp dirs with keys and a campaign source, a ledger
//! database (SQLite in the temp dir, or with `PROMO_TEST_DATABASE=postgres`
//! a fresh database on a real PostgreSQL server started by the tests, see
//! `pg.rs`), a real `promo-origin serve` process on 127.0.0.1 (a free port
//! chosen by the server, read from its first stdout line), and a tiny
//! HTTP/1.1 client. Every wait is bounded.
#![allow(dead_code)]

pub mod pg;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use std::collections::BTreeMap;

use serde_json::Value;

pub const NOW: &str = "2026-06-01T10:00:00Z";
pub const KEY: &str = "web-secret-0123456789";
const WAIT: Duration = Duration::from_secs(60);

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_promo-origin")
}

/// Runs the binary to completion (bounded by the OS; these commands do not block).
pub fn run(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run promo-origin")
}

pub fn stdout_json(out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A ledger database of a test.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(PathBuf),
    /// A PostgreSQL URL.
    Postgres(String),
}

/// Whether this run tests PostgreSQL (`PROMO_TEST_DATABASE=postgres`).
pub fn on_postgres() -> bool {
    std::env::var("PROMO_TEST_DATABASE").is_ok_and(|v| v == "postgres")
}

impl Db {
    /// The database of a test run: `dir/ledger.sqlite`, or a fresh
    /// PostgreSQL database when the run tests PostgreSQL.
    pub fn for_run(dir: &Path) -> Db {
        if on_postgres() {
            Db::Postgres(pg::Cluster::shared().create_database())
        } else {
            Db::Sqlite(dir.join("ledger.sqlite"))
        }
    }

    /// The `--database` value.
    pub fn url(&self) -> String {
        match self {
            Db::Sqlite(p) => format!("sqlite:{}", p.display()),
            Db::Postgres(u) => u.clone(),
        }
    }

    /// The rows of a query, each cell as JSON (integers, text, null).
    pub fn rows(&self, sql: &str) -> Vec<Vec<Value>> {
        match self {
            Db::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).unwrap();
                let mut st = conn.prepare(sql).unwrap();
                let n = st.column_count();
                st.query_map([], |r| {
                    (0..n)
                        .map(|i| {
                            Ok(match r.get_ref(i)? {
                                rusqlite::types::ValueRef::Null => Value::Null,
                                rusqlite::types::ValueRef::Integer(v) => Value::from(v),
                                rusqlite::types::ValueRef::Real(v) => Value::from(v),
                                rusqlite::types::ValueRef::Text(t) => {
                                    Value::from(String::from_utf8_lossy(t).into_owned())
                                }
                                rusqlite::types::ValueRef::Blob(b) => Value::from(b.len()),
                            })
                        })
                        .collect()
                })
                .unwrap()
                .map(Result::unwrap)
                .collect()
            }
            Db::Postgres(url) => {
                use postgres::types::Type;
                let mut client = pg::connect(url);
                client
                    .query(sql, &[])
                    .unwrap()
                    .iter()
                    .map(|row| {
                        (0..row.len())
                            .map(|i| match *row.columns()[i].type_() {
                                Type::INT8 => row
                                    .get::<_, Option<i64>>(i)
                                    .map_or(Value::Null, Value::from),
                                Type::INT4 => row
                                    .get::<_, Option<i32>>(i)
                                    .map_or(Value::Null, Value::from),
                                Type::TEXT | Type::VARCHAR => row
                                    .get::<_, Option<String>>(i)
                                    .map_or(Value::Null, Value::from),
                                Type::BYTEA => row
                                    .get::<_, Option<Vec<u8>>>(i)
                                    .map_or(Value::Null, |b| Value::from(b.len())),
                                ref t => panic!("column type {t} in a test query"),
                            })
                            .collect()
                    })
                    .collect()
            }
        }
    }

    /// The one integer a query answers.
    pub fn count(&self, sql: &str) -> i64 {
        self.rows(sql)[0][0].as_i64().unwrap()
    }

    /// Runs statements (tests that tamper with the ledger).
    pub fn execute(&self, sql: &str) {
        match self {
            Db::Sqlite(path) => rusqlite::Connection::open(path)
                .unwrap()
                .execute_batch(sql)
                .unwrap(),
            Db::Postgres(url) => pg::connect(url).batch_execute(sql).unwrap(),
        }
    }
}

/// A row cell as text.
pub fn text(v: &Value) -> String {
    v.as_str().unwrap().to_string()
}

/// A temp dir with `keys/` (keygen) and `source/` (the fixture), and the
/// ledger database its servers use.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub db: Db,
}

impl Env {
    pub fn new() -> Env {
        Env::with_fixture("source")
    }

    /// Keys and a copy of `tests/fixtures/<name>` as `source/`, on the
    /// run's database.
    pub fn with_fixture(name: &str) -> Env {
        Env::on(name, None)
    }

    /// [`Env::with_fixture`] on a given database (`None`: the run's).
    pub fn on(name: &str, db: Option<Db>) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        let out = run(&["keygen", "--out", keys.to_str().unwrap()]);
        assert!(out.status.success(), "{out:?}");
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(name),
            &dir.path().join("source"),
        );
        let db = db.unwrap_or_else(|| Db::for_run(dir.path()));
        Env { dir, db }
    }

    /// `--database <url>` of this env's ledger.
    pub fn db_args(&self) -> [String; 2] {
        ["--database".to_string(), self.db.url()]
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn p(&self, rel: &str) -> String {
        self.path(rel).to_str().unwrap().to_string()
    }

    pub fn key(&self) -> String {
        self.p("keys/signing-key.jwk.json")
    }

    pub fn jwks(&self) -> String {
        self.p("keys/jwks.json")
    }

    /// Serves the fixture source with a fixed clock.
    pub fn serve(&self) -> Server {
        self.serve_with(&[])
    }

    pub fn serve_with(&self, extra: &[&str]) -> Server {
        self.serve_at(NOW, extra)
    }

    /// Serves with the clock fixed at `now`.
    pub fn serve_at(&self, now: &str, extra: &[&str]) -> Server {
        let (source, key, db, channel_key) = (
            self.p("source"),
            self.key(),
            self.db.url(),
            format!("web={KEY}"),
        );
        let mut args = vec![
            "serve",
            "--source",
            &source,
            "--key",
            &key,
            "--database",
            &db,
            "--listen",
            "127.0.0.1:0",
            "--channel-key",
            &channel_key,
            "--now",
            now,
        ];
        args.extend_from_slice(extra);
        Server::start(&args, &self.path("server.log"))
    }
}

pub struct Server {
    child: Option<Child>,
    pub addr: String,
}

impl Server {
    pub fn start(args: &[&str], log: &Path) -> Server {
        Server::start_with(bin(), args, &[], log)
    }

    /// [`Server::start`] with another binary (e.g. a release build) and
    /// extra environment variables.
    pub fn start_with(bin: &str, args: &[&str], env: &[(&str, &str)], log: &Path) -> Server {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let mut child = Command::new(bin)
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("spawn promo-origin serve");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(WAIT) {
            Ok(l) if !l.is_empty() => l,
            other => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the server did not start: {other:?}");
            }
        };
        let addr = line.trim().rsplit("http://").next().unwrap().to_string();
        Server {
            child: Some(child),
            addr,
        }
    }

    /// The process id (while it runs).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// SIGKILL: the process dies wherever it is (mid-transaction too).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, then a bounded wait (SIGKILL after it).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            for _ in 0..200 {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        request(&self.addr, "GET", path, headers, None)
    }

    pub fn post(&self, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
        request(&self.addr, "POST", path, headers, Some(body))
    }

    /// POST /v1/redemptions with the channel key and an idempotency key.
    pub fn redeem(&self, idempotency_key: &str, body: &Value) -> Resp {
        self.post(
            "/v1/redemptions",
            &[
                ("Authorization", &format!("Bearer {KEY}")),
                ("Idempotency-Key", idempotency_key),
            ],
            &body.to_string(),
        )
    }

    pub fn validate(&self, body: &Value) -> Value {
        let r = self.post(
            "/v1/validations",
            &[("Authorization", &format!("Bearer {KEY}"))],
            &body.to_string(),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body exactly as sent (a bundle is binary).
    pub bytes: Vec<u8>,
}

/// The stable code of an error body in Voucherify's envelope
/// `{code: <status>, key, message, request_id}`: its `key`, upper-cased
/// (the envelope itself is checked on the way).
pub fn error_code(v: &Value) -> Value {
    assert!(v["code"].is_u64(), "`code` is the HTTP status: {v}");
    assert!(
        v["request_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("v-")),
        "a request_id: {v}"
    );
    assert!(v["message"].is_string(), "a message: {v}");
    let key = v["key"].as_str().unwrap_or_else(|| panic!("a key: {v}"));
    assert_eq!(key, key.to_ascii_lowercase(), "keys are lower case");
    Value::from(key.to_ascii_uppercase())
}

/// The `status` of a redemption answer, checking that its HTTP status
/// goes with it: 200 SUCCEEDED, 400 FAILED (Voucherify's envelope, the
/// first reason as `key`), 409 REJECTED.
pub fn redemption_status(r: &Resp) -> String {
    let v = r.json();
    let status = v["status"]
        .as_str()
        .unwrap_or_else(|| panic!("no status: {}", r.body))
        .to_string();
    let http = match status.as_str() {
        "SUCCEEDED" => 200,
        "FAILED" => 400,
        _ => 409,
    };
    assert_eq!(r.status, http, "{}", r.body);
    if http != 200 {
        error_code(&v);
    }
    status
}

impl Resp {
    /// The stable code of this error answer (see [`error_code`]); its
    /// `code` field is the response's status.
    pub fn code(&self) -> Value {
        let v = self.json();
        assert_eq!(v["code"], self.status, "{}", self.body);
        error_code(&v)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`).
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Resp {
    try_request(addr, method, path, headers, body)
        .unwrap_or_else(|e| panic!("{method} {path} on {addr}: {e}"))
}

/// [`request`], or why there was no answer (refused, reset, no status
/// line): a client of a node that died retries elsewhere.
pub fn try_request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Result<Resp, String> {
    let mut s = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.set_write_timeout(Some(WAIT)).unwrap();
    let body = body.unwrap_or("");
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if method == "POST" {
        req.push_str("Content-Type: application/json\r\n");
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
    let _ = s.write_all(body.as_bytes());
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n");
    let (head, rest) = match split {
        Some(i) => (&raw[..i], &raw[i + 4..]),
        None => (&raw[..], &raw[raw.len()..]),
    };
    let text = String::from_utf8_lossy(head).into_owned();
    let mut lines = text.lines();
    let status: u16 = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no status line in {text:?}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let bytes = if chunked {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    Ok(Resp {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
    })
}

fn dechunk(mut s: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(i) = s.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&s[..i]).into_owned();
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        let rest = &s[i + 2..];
        if n == 0 || rest.len() < n + 2 {
            break;
        }
        out.extend_from_slice(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

/// A cart of `n` mugs (10.00 each).
pub fn cart(n: i64) -> Value {
    serde_json::json!({"items": [{"product_id": "prod_mug", "price": 1000, "quantity": n}]})
}

/// Checks the ledger's `item_counts` against its log: every count equals
/// the live (not rolled back) `redemption_items` it stands for, and every
/// such group has its count. Returns how many counts were compared.
pub fn audit_item_counts(db: &Db) -> usize {
    let mut expected: BTreeMap<(String, String, String, String), i64> = BTreeMap::new();
    let rows = db.rows(
        "SELECT ledger_key, campaign_id, customer, day, week, month FROM redemption_items WHERE rolled_back = 0",
    );
    for row in rows {
        let (key, campaign, customer, day, week, month) = (
            text(&row[0]),
            text(&row[1]),
            row[2].as_str().map(str::to_string),
            text(&row[3]),
            text(&row[4]),
            text(&row[5]),
        );
        for (scope, id) in [("key", &key), ("campaign", &campaign)] {
            let who =
                std::iter::once("*".to_string()).chain(customer.iter().map(|c| format!("c:{c}")));
            for w in who {
                for period in [
                    "all".to_string(),
                    format!("day:{day}"),
                    format!("week:{week}"),
                    format!("month:{month}"),
                ] {
                    *expected
                        .entry((scope.to_string(), id.clone(), w.clone(), period))
                        .or_default() += 1;
                }
            }
        }
    }
    let actual: BTreeMap<(String, String, String, String), i64> = db
        .rows("SELECT scope, id, customer, period, count FROM item_counts WHERE count != 0")
        .iter()
        .map(|r| {
            (
                (text(&r[0]), text(&r[1]), text(&r[2]), text(&r[3])),
                r[4].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actual, expected,
        "item_counts differ from the live redemption items"
    );
    actual.len()
}
