//! The `promo-origin` command.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use promo_origin::error::CliError;
use promo_origin::keys::Signer;
use promo_origin::ledger::db;
use promo_origin::ledger::{Database, DatabaseUrl, DbSettings, Ledger, StoredBundle};
use promo_origin::publication::stored_keys;
use promo_origin::{jws, publish, server, source, state, tz};
use serde_json::json;

#[derive(Parser)]
#[command(
    name = "promo-origin",
    version,
    about = "Promo Edge origin: keys, signed bundles, redemption ledger"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate an Ed25519 key pair: DIR/signing-key.jwk.json (private) and DIR/jwks.json.
    Keygen {
        /// Directory to write the keys to.
        #[arg(long)]
        out: PathBuf,
    },
    /// Build, check and sign a snapshot from a campaign source directory.
    Publish {
        /// The source directory (project.json + campaigns/*.json).
        #[arg(long)]
        source: PathBuf,
        /// The private signing key (JWK).
        #[arg(long)]
        key: PathBuf,
        /// Where to write the bundle file (optional with --database).
        #[arg(long, required_unless_present = "database")]
        out: Option<PathBuf>,
        /// Also store the bundle and its public key in this ledger database
        /// (`sqlite:<path>` or `postgres://…`): every node serving it picks
        /// the bundle up within a second. The version then follows the
        /// database's newest one.
        #[arg(long, env = "PROMO_ORIGIN_DATABASE")]
        database: Option<String>,
        /// The version (default: the last published one + 1).
        #[arg(long)]
        version: Option<u64>,
        /// Bundle lifetime, an ISO 8601 duration in days/hours (default P30D).
        #[arg(long, default_value = "P30D")]
        lifetime: String,
        /// Publication time (default: now).
        #[arg(long)]
        now: Option<String>,
        /// State file with the last published version (default: OUT.state.json).
        #[arg(long)]
        state: Option<PathBuf>,
    },
    /// Bring a ledger database's schema up to date (serve does it at start too).
    Migrate {
        /// The ledger database: `sqlite:<path>` or `postgres://user@host:port/db`.
        #[arg(long, env = "PROMO_ORIGIN_DATABASE")]
        database: String,
    },
    /// Verify a bundle against trusted keys; prints its version, key and validity as JSON.
    Verify {
        /// The bundle.
        #[arg(long)]
        bundle: PathBuf,
        /// The trusted JWKS.
        #[arg(long)]
        jwks: PathBuf,
        /// Check time (default: now).
        #[arg(long)]
        now: Option<String>,
        /// The version a client holds: the bundle must be newer.
        #[arg(long)]
        held_version: Option<u64>,
        /// How long past expiry a bundle is still accepted (ISO 8601, default none).
        #[arg(long)]
        grace: Option<String>,
        /// Also print the whole plan as readable JSON (`plan`), and the
        /// signed manifest (`manifest`).
        #[arg(long)]
        plan: bool,
    },
    /// Print the JSON Schema of the campaign source format.
    Schema,
    /// Serve bundles, keys, validations, redemptions and rollbacks.
    Serve(Box<ServeArgs>),
}

/// The options of `serve`.
#[derive(clap::Args)]
struct ServeArgs {
    /// Source directories to publish at start (one channel each).
    #[arg(long)]
    source: Vec<PathBuf>,
    /// Signed bundles to serve as they are.
    #[arg(long)]
    bundle: Vec<PathBuf>,
    /// The signing key (JWK); its public half is served at /v1/keys.
    /// Needed with --source; a node serving only what is published in
    /// the database needs none.
    #[arg(long)]
    key: Option<PathBuf>,
    /// Extra public keys to serve at /v1/keys (rotation).
    #[arg(long)]
    jwks: Option<PathBuf>,
    /// The ledger database: `sqlite:<path>` (default sqlite:ledger.sqlite)
    /// or `postgres://user:password@host:port/database`.
    #[arg(long, env = "PROMO_ORIGIN_DATABASE", conflicts_with = "db")]
    database: Option<String>,
    /// The SQLite ledger file (the same as --database sqlite:PATH).
    #[arg(long)]
    db: Option<PathBuf>,
    /// PostgreSQL: connections per node.
    #[arg(long, default_value_t = 16)]
    pool_size: usize,
    /// PostgreSQL: the longest a statement runs, and the longest a
    /// request waits for a free connection (ISO 8601).
    #[arg(long, default_value = "PT5S")]
    statement_timeout: String,
    /// PostgreSQL: the longest opening a connection may take (ISO 8601).
    #[arg(long, default_value = "PT5S")]
    connect_timeout: String,
    /// Address to listen on; port 0 picks a free one (printed on stdout).
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: String,
    /// A channel's server key, NAME=SECRET (repeatable): `X-App-Id: NAME`
    /// with `X-App-Token: SECRET`, or `Authorization: Bearer SECRET`.
    #[arg(long = "channel-key", value_parser = parse_channel_key)]
    channel_keys: Vec<(String, String)>,
    /// A channel's client key, NAME=KEY (repeatable): `X-Client-Application-Id:
    /// NAME` with `X-Client-Token: KEY` on /client/v1/… routes.
    #[arg(long = "client-key", value_parser = parse_channel_key)]
    client_keys: Vec<(String, String)>,
    /// An origin (`https://shop.example`) whose pages may call client
    /// routes (repeatable; `*` = any). Needed with --client-key.
    #[arg(long = "allowed-origin")]
    allowed_origins: Vec<String>,
    /// Let client keys redeem (`/client/v1/redemptions`); refused otherwise.
    #[arg(long)]
    client_redeem: bool,
    /// Lifetime of bundles published from a source (ISO 8601, default P30D).
    #[arg(long, default_value = "P30D")]
    lifetime: String,
    /// A fixed clock for every request (tests and demos).
    #[arg(long)]
    now: Option<String>,
    /// How often sources are checked for edits and nearing expiry (ISO 8601; P0D = never).
    #[arg(long, default_value = "PT1M")]
    refresh: String,
    /// Static files (a storefront) to serve at `/` beside the API.
    #[arg(long)]
    site: Option<PathBuf>,
}

fn parse_channel_key(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .filter(|(n, k)| !n.is_empty() && !k.is_empty())
        .map(|(n, k)| (n.to_string(), k.to_string()))
        .ok_or_else(|| "expected NAME=SECRET".to_string())
}

fn duration_ms(text: &str) -> Result<i64, CliError> {
    promo_edge::time::parse_duration(text).ok_or_else(|| {
        CliError::new(
            "DURATION_INVALID",
            format!(
                "`{text}` is not an ISO 8601 duration in weeks, days, hours, minutes or seconds"
            ),
        )
    })
}

fn now_or(text: &Option<String>) -> Result<chrono::DateTime<chrono::Utc>, CliError> {
    match text {
        Some(t) => tz::parse_now(t),
        None => Ok(chrono::Utc::now()),
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Keygen { out } => {
            let signer = promo_origin::keys::keygen(&out)?;
            println!(
                "{}",
                json!({"kid": signer.kid,
                       "private": out.join("signing-key.jwk.json"),
                       "jwks": out.join("jwks.json")})
            );
            Ok(())
        }
        Command::Publish {
            source,
            key,
            out,
            database,
            version,
            lifetime,
            now,
            state: state_path,
        } => publish_command(PublishArgs {
            source,
            key,
            out,
            database,
            version,
            lifetime,
            now,
            state_path,
        }),
        Command::Migrate { database } => {
            let url = DatabaseUrl::parse(&database)?;
            let version = db::migrate(&url, DbSettings::default())?;
            println!(
                "{}",
                json!({"database": url.redacted(), "schema_version": version})
            );
            Ok(())
        }
        Command::Verify {
            bundle,
            jwks,
            now,
            held_version,
            grace,
            plan,
        } => {
            let result = verify(&bundle, &jwks, &now, held_version, &grace, plan);
            match &result {
                Ok(v) => println!("{v}"),
                Err(e) => println!(
                    "{}",
                    json!({"ok": false, "code": e.code, "message": e.message})
                ),
            }
            result.map(|_| ())
        }
        Command::Schema => {
            print!("{}", source::schema_json());
            Ok(())
        }
        Command::Serve(args) => serve_command(*args),
    }
}

/// `serve`: the database, its settings, then the server.
fn serve_command(a: ServeArgs) -> Result<(), CliError> {
    let ServeArgs {
        source,
        bundle,
        key,
        jwks,
        database,
        db,
        pool_size,
        statement_timeout,
        connect_timeout,
        listen,
        channel_keys,
        client_keys,
        allowed_origins,
        client_redeem,
        lifetime,
        now,
        refresh,
        site,
    } = a;
    init_logs();
    if source.is_empty() && bundle.is_empty() && database.is_none() && db.is_none() {
        return Err(CliError::new(
            "USAGE",
            "give at least one --source or --bundle, or a --database to serve what is published in it",
        ));
    }
    let database = match (database, db) {
        (Some(url), _) => DatabaseUrl::parse(&url)?,
        (None, Some(path)) => DatabaseUrl::Sqlite(path),
        (None, None) => DatabaseUrl::Sqlite(PathBuf::from("ledger.sqlite")),
    };
    let db_settings = DbSettings {
        pool_size,
        statement_timeout_ms: positive_ms(&statement_timeout)?,
        connect_timeout_ms: positive_ms(&connect_timeout)?,
    };
    server::run(server::ServeConfig {
        sources: source,
        bundles: bundle,
        key,
        jwks,
        database,
        db_settings,
        listen,
        channel_keys,
        client_keys,
        allowed_origins,
        client_redeem,
        now: now.as_deref().map(tz::parse_now).transpose()?,
        lifetime_ms: duration_ms(&lifetime)?,
        refresh_ms: if refresh == "P0D" {
            0
        } else {
            duration_ms(&refresh)?
        },
        site,
    })
}

/// A duration of at least a millisecond, in milliseconds.
fn positive_ms(text: &str) -> Result<u64, CliError> {
    u64::try_from(duration_ms(text)?)
        .ok()
        .filter(|ms| *ms > 0)
        .ok_or_else(|| {
            CliError::new(
                "DURATION_INVALID",
                format!("`{text}` must be longer than 0"),
            )
        })
}

struct PublishArgs {
    source: PathBuf,
    key: PathBuf,
    out: Option<PathBuf>,
    database: Option<String>,
    version: Option<u64>,
    lifetime: String,
    now: Option<String>,
    state_path: Option<PathBuf>,
}

/// `publish`: builds, signs, writes the file and/or stores the bundle in
/// the database. With a database the version follows its newest bundle
/// of the channel (and the state file, when there is one).
fn publish_command(a: PublishArgs) -> Result<(), CliError> {
    let signer = Signer::load(&a.key)?;
    let state_path = a
        .state_path
        .or_else(|| a.out.as_deref().map(state::default_path));
    let mut last = match &state_path {
        Some(p) => state::read(p)?.version,
        None => 0,
    };
    let database = a.database.as_deref().map(DatabaseUrl::parse).transpose()?;
    let runtime = db::runtime()?;
    let ledger = match &database {
        Some(url) => {
            let ledger = Ledger::new(Database::open(
                url,
                DbSettings::default(),
                runtime.handle(),
            )?);
            let channel = publish::read_channel(&a.source)?;
            let stored = ledger
                .latest_bundle(&channel)
                .map_err(|e| CliError::new(&e.code, e.message))?;
            last = last.max(stored.map_or(0, |b| b.version));
            Some(ledger)
        }
        None => None,
    };
    let version = state::next_version(last, a.version)?;
    let now = now_or(&a.now)?;
    let lifetime_ms = duration_ms(&a.lifetime)?;
    let built = publish::build(&publish::PublishInput {
        source: a.source,
        version,
        now,
        lifetime_ms,
    })?;
    for w in &built.warnings {
        eprintln!("warning: {w}");
    }
    let bundle = jws::sign_bundle(&built, &signer);
    let etag = promo_origin::ledger::etag_of(&bundle);
    if let Some(out) = &a.out {
        promo_origin::fsutil::write_atomic(out, &bundle)?;
    }
    if let Some(ledger) = &ledger {
        store_published(ledger, &built, &bundle, &signer, now, lifetime_ms)?;
    }
    if let Some(p) = &state_path {
        state::write(
            p,
            &state::PublishState {
                version,
                channel: built.channel.clone(),
                published_at: now.to_rfc3339(),
                bundle_sha256: etag.trim_matches('"').to_string(),
            },
        )?;
    }
    println!(
        "{}",
        json!({"version": version, "channel": built.channel, "kid": signer.kid,
               "bytes": bundle.len(), "warnings": built.warnings.len(),
               "out": a.out, "etag": etag,
               "database": database.map(|d| d.redacted())})
    );
    Ok(())
}

/// Stores a fresh publication; another publisher that took the same
/// version first is an error (run publish again for the next one).
fn store_published(
    ledger: &Ledger,
    built: &publish::Built,
    bundle: &[u8],
    signer: &Signer,
    now: chrono::DateTime<chrono::Utc>,
    lifetime_ms: i64,
) -> Result<(), CliError> {
    let iso =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let stored = StoredBundle {
        channel: built.channel.clone(),
        version: built.version,
        source_digest: Some(built.source_digest.clone()),
        etag: promo_origin::ledger::etag_of(bundle),
        bundle: bundle.to_vec(),
        expires_at: iso(now + chrono::Duration::milliseconds(lifetime_ms)),
    };
    let newest = ledger
        .store_bundle(&stored, &stored_keys(&signer.jwks()), &iso(now))
        .map_err(|e| CliError::new(&e.code, e.message))?;
    if newest.etag != stored.etag {
        return Err(CliError::new(
            "VERSION_NOT_NEWER",
            format!(
                "channel `{}` already has version {} in the database (published meanwhile)",
                newest.channel, newest.version
            ),
        ));
    }
    Ok(())
}

fn verify(
    bundle: &std::path::Path,
    jwks: &std::path::Path,
    now: &Option<String>,
    held_version: Option<u64>,
    grace: &Option<String>,
    with_plan: bool,
) -> Result<serde_json::Value, CliError> {
    let read = |p: &std::path::Path| {
        std::fs::read(p).map_err(|e| CliError::io(format!("cannot read {}", p.display()), e))
    };
    let text = read(bundle)?;
    let keys = String::from_utf8(read(jwks)?)
        .map_err(|_| CliError::new("JWKS_INVALID", format!("{}: not UTF-8", jwks.display())))?;
    let now = promo_edge::time::Instant(now_or(now)?.timestamp_millis());
    let grace_ms = grace.as_deref().map(duration_ms).transpose()?.unwrap_or(0);
    let mut engine = promo_edge::Engine::new();
    let report = engine.load_bundle(&text, &keys, now, grace_ms)?;
    let status = engine
        .status(now)
        .ok_or_else(|| CliError::new("INTERNAL", "no snapshot after load"))?;
    if let Some(held) = held_version.filter(|h| *h >= status.version) {
        return Err(promo_edge::Error::SnapshotNotNewer {
            held,
            offered: status.version,
        }
        .into());
    }
    let mut out = json!({
        "ok": true,
        "version": status.version,
        "kid": report.kid,
        "project": status.project,
        "channel": status.channel,
        "issued_at": status.issued_at,
        "expires_at": status.expires_at,
        "stale": status.stale,
        "warnings": report.warnings.len(),
    });
    if with_plan {
        let keys = promo_edge::bundle::Jwks::parse(&keys)?;
        let opened = promo_edge::bundle::open(&text, &keys)?;
        let internal = |e: serde_json::Error| CliError::new("INTERNAL", e.to_string());
        if let Some(o) = out.as_object_mut() {
            o.insert(
                "manifest".into(),
                serde_json::to_value(&opened.manifest).map_err(internal)?,
            );
            o.insert(
                "plan".into(),
                serde_json::to_value(engine.plan()).map_err(internal)?,
            );
        }
    }
    Ok(out)
}

fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PROMO_ORIGIN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_current_span(false)
        .init();
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
