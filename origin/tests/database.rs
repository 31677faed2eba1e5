//! The ledger database at start and across processes: `--database` URLs,
//! an unreachable server, migrations (`migrate`, a schema newer than the
//! binary, a ledger from before migrations), and `publish --database`
//! reaching a node that serves the same database. Runs on the run's
//! database (`PROMO_TEST_DATABASE`), except where a test names one.

// Test code: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use support::{cart, text, Db, Env, KEY};

/// Runs `promo-origin` that must stop by itself (bounded); (exit code, stderr).
fn run_bounded(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(support::bin())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("promo-origin {args:?} did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn serve_args(env: &Env, url: &str) -> Vec<String> {
    [
        "serve",
        "--source",
        &env.p("source"),
        "--key",
        &env.key(),
        "--database",
        url,
        "--listen",
        "127.0.0.1:0",
        "--connect-timeout",
        "PT2S",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn refused(env: &Env, url: &str) -> String {
    let args = serve_args(env, url);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, err) = run_bounded(&args);
    assert_eq!(code, Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn malformed_database_urls_are_refused_at_start() {
    let env = Env::new();
    for url in [
        "mysql://root@localhost/x",
        "sqlite:",
        "postgres://127.0.0.1:notaport/x",
        "ledger.db",
    ] {
        let err = refused(&env, url);
        assert!(err.contains("DATABASE_URL_INVALID"), "{url}: {err}");
    }
    // A password never appears in a message.
    let err = refused(&env, "postgres://u:hunter2@127.0.0.1:notaport/x");
    assert!(err.contains("u:***@") && !err.contains("hunter2"), "{err}");
}

#[test]
fn an_unreachable_database_stops_serve_at_start() {
    let env = Env::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = refused(
        &env,
        &format!("postgres://postgres@127.0.0.1:{port}/nothing"),
    );
    assert!(err.contains("DATABASE_UNREACHABLE"), "{err}");
    let (code, err) = run_bounded(&[
        "migrate",
        "--database",
        &format!("postgres://postgres@127.0.0.1:{port}/x"),
    ]);
    assert_eq!(code, Some(1));
    assert!(err.contains("DATABASE_UNREACHABLE"), "{err}");
}

fn migrations(db: &Db) -> Vec<i64> {
    db.rows("SELECT version FROM schema_migrations ORDER BY version")
        .iter()
        .map(|r| r[0].as_i64().unwrap())
        .collect()
}

#[test]
fn migrate_is_idempotent_and_a_newer_schema_is_refused_untouched() {
    let env = Env::new();
    let url = env.db.url();
    for _ in 0..2 {
        let out = support::run(&["migrate", "--database", &url]);
        assert!(out.status.success(), "{out:?}");
        assert_eq!(support::stdout_json(&out)["schema_version"], 3);
    }
    assert_eq!(migrations(&env.db), vec![1, 2, 3]);
    env.db.execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from the future', 'x')",
    );
    let tables = |db: &Db| match db {
        Db::Sqlite(_) => db.count("SELECT COUNT(*) FROM sqlite_master"),
        Db::Postgres(_) => db.count("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'"),
    };
    let before = tables(&env.db);
    let err = refused(&env, &url);
    assert!(
        err.contains("SCHEMA_TOO_NEW") && err.contains("99"),
        "{err}"
    );
    let (code, err) = run_bounded(&["migrate", "--database", &url]);
    assert_eq!(code, Some(1));
    assert!(err.contains("SCHEMA_TOO_NEW"), "{err}");
    assert_eq!(
        migrations(&env.db),
        vec![1, 2, 3, 99],
        "nothing was changed"
    );
    assert_eq!(tables(&env.db), before);
}

#[test]
fn an_sqlite_ledger_from_before_migrations_is_adopted_as_it_is() {
    let old = tempfile::tempdir().unwrap();
    let env = Env::on("source", Some(Db::Sqlite(old.path().join("ledger.sqlite"))));
    // The schema as the origin created it before migrations, with a used code.
    env.db.execute(
        "CREATE TABLE bundles (channel TEXT NOT NULL, version INTEGER NOT NULL, source_digest TEXT,
           etag TEXT NOT NULL, bundle BLOB NOT NULL, expires_at TEXT NOT NULL, created_at TEXT NOT NULL,
           PRIMARY KEY (channel, version));
         CREATE TABLE counters (scope TEXT NOT NULL, key TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL,
           PRIMARY KEY (scope, key, name));
         INSERT INTO counters VALUES ('redeemable', 'voucher:v_once_1', 'redeemed_quantity', 1);",
    );
    let server = env.serve();
    let v = server.validate(
        &json!({"redeemables": [{"object": "voucher", "id": "ONCE-1"}], "order": cart(1)}),
    );
    assert_eq!(
        v["inapplicable_redeemables"][0]["result"]["error"]["key"], "quantity_exceeded",
        "the old counter counts"
    );
    assert_eq!(migrations(&env.db), vec![1, 2, 3]);
}

#[test]
fn a_publication_into_the_database_reaches_the_node_serving_it() {
    let env = Env::new();
    let server = env.serve_with(&["--refresh", "P0D"]);
    assert_eq!(
        server
            .get("/v1/bundles/web", &[])
            .header("x-snapshot-version"),
        Some("1")
    );
    let (url, source, key) = (env.db.url(), env.p("source"), env.key());
    let publish = |extra: &[&str]| {
        let mut args = vec![
            "publish",
            "--source",
            &source,
            "--key",
            &key,
            "--database",
            &url,
            "--now",
            support::NOW,
        ];
        args.extend_from_slice(extra);
        support::run(&args)
    };
    // The database's version counts, not a state file's.
    let out = publish(&["--version", "1"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("VERSION_NOT_NEWER"));
    let out = publish(&[]);
    assert!(out.status.success(), "{out:?}");
    let published = support::stdout_json(&out);
    assert_eq!(published["version"], 2);
    assert_eq!(published["out"], serde_json::Value::Null);
    let etag = text(&published["etag"]);
    let start = Instant::now();
    loop {
        let b = server.get("/v1/bundles/web", &[]);
        if b.header("etag") == Some(etag.as_str()) {
            assert_eq!(b.header("x-snapshot-version"), Some("2"));
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "not served within 30 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // An empty database and nothing to publish: nothing to serve.
    let empty = Env::new();
    let url = empty.db.url();
    let channel_key = format!("web={KEY}");
    let (code, err) = run_bounded(&[
        "serve",
        "--database",
        &url,
        "--listen",
        "127.0.0.1:0",
        "--channel-key",
        &channel_key,
    ]);
    assert_eq!(code, Some(1));
    assert!(err.contains("NO_BUNDLE"), "{err}");
}
