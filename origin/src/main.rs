//! The `promo-origin` command.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use promo_origin::error::CliError;
use promo_origin::keys::Signer;
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
        /// Where to write the bundle (compact JWS).
        #[arg(long)]
        out: PathBuf,
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
    Serve {
        /// Source directories to publish at start (one channel each).
        #[arg(long)]
        source: Vec<PathBuf>,
        /// Signed bundles to serve as they are.
        #[arg(long)]
        bundle: Vec<PathBuf>,
        /// The signing key (JWK); its public half is served at /v1/keys.
        #[arg(long)]
        key: PathBuf,
        /// Extra public keys to serve at /v1/keys (rotation).
        #[arg(long)]
        jwks: Option<PathBuf>,
        /// The SQLite ledger.
        #[arg(long, default_value = "ledger.sqlite")]
        db: PathBuf,
        /// Address to listen on; port 0 picks a free one (printed on stdout).
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: String,
        /// A channel's bearer key, NAME=SECRET (repeatable).
        #[arg(long = "channel-key", value_parser = parse_channel_key)]
        channel_keys: Vec<(String, String)>,
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
    },
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
            version,
            lifetime,
            now,
            state: state_path,
        } => {
            let signer = Signer::load(&key)?;
            let state_path = state_path.unwrap_or_else(|| state::default_path(&out));
            let last = state::read(&state_path)?;
            let version = state::next_version(last.version, version)?;
            let now = now_or(&now)?;
            let built = publish::build(&publish::PublishInput {
                source,
                version,
                now,
                lifetime_ms: duration_ms(&lifetime)?,
            })?;
            for w in &built.warnings {
                eprintln!("warning: {w}");
            }
            let bundle = jws::sign_bundle(&built, &signer);
            promo_origin::fsutil::write_atomic(&out, &bundle)?;
            let digest = promo_origin::ledger::etag_of(&bundle);
            state::write(
                &state_path,
                &state::PublishState {
                    version,
                    channel: built.channel.clone(),
                    published_at: now.to_rfc3339(),
                    bundle_sha256: digest.trim_matches('"').to_string(),
                },
            )?;
            println!(
                "{}",
                json!({"version": version, "channel": built.channel, "kid": signer.kid,
                       "bytes": bundle.len(), "warnings": built.warnings.len(),
                       "out": out})
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
        Command::Serve {
            source,
            bundle,
            key,
            jwks,
            db,
            listen,
            channel_keys,
            lifetime,
            now,
            refresh,
            site,
        } => {
            init_logs();
            if source.is_empty() && bundle.is_empty() {
                return Err(CliError::new(
                    "USAGE",
                    "give at least one --source or --bundle",
                ));
            }
            server::run(server::ServeConfig {
                sources: source,
                bundles: bundle,
                key,
                jwks,
                db,
                listen,
                channel_keys,
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
    }
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
