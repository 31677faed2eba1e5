//! A real PostgreSQL server for the tests: `initdb` + `pg_ctl` on a
//! temporary directory and a free port on 127.0.0.1, run as the
//! `postgres` user when the tests run as root (initdb refuses root).
//!
//! One shared cluster per test process ([`Cluster::shared`]), with a fresh
//! database per test; tests that stop and restart the server get their
//! own ([`Cluster::start`]). Every cluster is stopped at the end: a
//! dedicated one when dropped, and every one by a small reaper process
//! that waits for this test process to exit (its stdin is a pipe we hold:
//! when the process ends, however it ends, the pipe closes and the reaper
//! stops the server and removes the directory). Every wait is bounded.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The directory with `initdb`, `pg_ctl` and `postgres`: `PG_BIN`, else
/// `initdb` on `PATH`, else Debian's newest `/usr/lib/postgresql/*/bin`.
pub fn bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("PG_BIN") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).find(|p| p.join("initdb").is_file()))
    {
        return dir;
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, b)| b).unwrap_or_else(|| {
        panic!("no PostgreSQL server binaries (initdb): run `make setup`, or set PG_BIN")
    })
}

fn is_root() -> bool {
    static ROOT: OnceLock<bool> = OnceLock::new();
    *ROOT.get_or_init(|| {
        Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false)
    })
}

/// `program` from the server's bin dir, as the `postgres` user when root.
fn pg_command(program: &str) -> Command {
    let path = bin_dir().join(program);
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(path);
        c
    } else {
        Command::new(path)
    }
}

fn run_ok(mut c: Command, what: &str) {
    let out = c
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A PostgreSQL server of the tests.
pub struct Cluster {
    dir: PathBuf,
    pub port: u16,
    settings: &'static str,
    /// The reaper's stdin: closing it (our exit) stops the server.
    reaper: Mutex<Option<(Child, ChildStdin)>>,
}

static NEXT_DB: AtomicU64 = AtomicU64::new(0);

/// Test servers need no durability.
const TEST_SETTINGS: &str =
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=32MB";

impl Cluster {
    /// The cluster shared by the tests of this process.
    pub fn shared() -> &'static Cluster {
        static SHARED: OnceLock<Cluster> = OnceLock::new();
        SHARED.get_or_init(Cluster::start)
    }

    /// A cluster of its own (a test that restarts the server), without
    /// durability (`fsync=off`: the tests need no power-cut safety).
    pub fn start() -> Cluster {
        Cluster::start_with(TEST_SETTINGS)
    }

    /// A cluster of its own with PostgreSQL's default durability (the
    /// benchmark: a commit is on disk, as SQLite's `synchronous=FULL`).
    pub fn start_durable() -> Cluster {
        Cluster::start_with("")
    }

    fn start_with(settings: &'static str) -> Cluster {
        let dir = tempfile::Builder::new()
            .prefix("pg-")
            .tempdir()
            .unwrap()
            .keep();
        if is_root() {
            run_ok(
                {
                    let mut c = Command::new("chown");
                    c.arg("postgres:postgres").arg(&dir);
                    c
                },
                "chown",
            );
        }
        let mut init = pg_command("initdb");
        init.arg("-D").arg(dir.join("data")).args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        ]);
        run_ok(init, "initdb");
        let reaper = reaper(&dir);
        let mut cluster = Cluster {
            dir,
            port: 0,
            settings,
            reaper: Mutex::new(Some(reaper)),
        };
        for attempt in 0..3 {
            cluster.port = free_port();
            if cluster.try_start() {
                return cluster;
            }
            eprintln!(
                "PostgreSQL did not start on port {} (attempt {attempt})",
                cluster.port
            );
        }
        panic!("PostgreSQL did not start: {}", cluster.log());
    }

    fn try_start(&self) -> bool {
        let mut c = pg_command("pg_ctl");
        c.arg("-D")
            .arg(self.dir.join("data"))
            .arg("-l")
            .arg(self.dir.join("pg.log"))
            .args(["-w", "-t", "60", "-o"])
            .arg(format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300 {}",
                self.port,
                self.dir.display(),
                self.settings
            ))
            .arg("start");
        c.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("pg.log")).unwrap_or_default()
    }

    /// Stops the server (fast shutdown: sessions are ended, as in a restart).
    pub fn stop(&self) {
        let mut c = pg_command("pg_ctl");
        c.arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "fast", "-w", "-t", "60", "stop"]);
        run_ok(c, "pg_ctl stop");
    }

    /// Starts it again on the same port.
    pub fn restart_after_stop(&self) {
        assert!(
            self.try_start(),
            "PostgreSQL did not start again: {}",
            self.log()
        );
    }

    /// The URL of a database of this cluster.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// A fresh, empty database; its URL.
    pub fn create_database(&self) -> String {
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::Relaxed)
        );
        let mut client = connect(&self.url("postgres"));
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        self.url(&name)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // The reaper stops the server and removes the directory when its
        // stdin closes; wait for it (bounded).
        let taken = self.reaper.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some((mut child, stdin)) = taken {
            drop(stdin);
            let deadline = Instant::now() + Duration::from_secs(60);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
        }
    }
}

/// A process that waits for EOF on stdin, then stops the server and
/// removes its directory. In its own process group, so that a Ctrl-C of
/// the test run reaches it only through the closed pipe.
fn reaper(dir: &Path) -> (Child, ChildStdin) {
    use std::os::unix::process::CommandExt;
    let pg_ctl = bin_dir().join("pg_ctl");
    let as_pg = if is_root() {
        "runuser -u postgres -- "
    } else {
        ""
    };
    let script = format!(
        "cat >/dev/null; {as_pg}\"$1\" -D \"$2/data\" -m immediate -w -t 30 stop >/dev/null 2>&1; rm -rf \"$2\""
    );
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg("reaper")
        .arg(pg_ctl)
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let _ = stdin.flush();
    (child, stdin)
}

/// A client of a test database.
pub fn connect(url: &str) -> postgres::Client {
    let mut last = None;
    for _ in 0..50 {
        match postgres::Client::connect(url, postgres::NoTls) {
            Ok(c) => return c,
            Err(e) => last = Some(e),
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("cannot connect to {url}: {last:?}");
}
