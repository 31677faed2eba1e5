//! The compiled plan in several encodings, measured on one plan
//! (benches/plan-encoding.md):
//!
//! ```text
//! cargo run --release --example gen_workload -- target/bench-workload
//! cargo run --release --example plan_encoding -- target/bench-workload/plan.bin
//! ```
//!
//! For postcard (what ships), bitcode (serde), bincode 2 (serde, standard
//! configuration) and serde_json: the body's size, its size gzipped at
//! level 9, the median time to encode and to decode it, and whether the
//! decoded plan re-encodes to the same postcard bytes. Then where the time
//! of a load goes (checksum, postcard, plan check, `Engine::load_plan`,
//! `Engine::load_bundle`) and the v1-style baseline: the source JSON
//! (`snapshot.json` beside the plan), parsed and compiled. Medians of
//! [`RUNS`] runs; compare numbers within one run.

use std::error::Error;
use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use promo_edge::plan::{encoding, Plan};
use promo_edge::Engine;
use sha2::{Digest, Sha256};

/// Runs per measurement.
const RUNS: usize = 15;
/// The 20-byte header before the body (magic, version, length, checksum).
const HEADER_BYTES: usize = 20;
/// `now` for the bundle load (the criterion benches' instant).
const NOW: &str = "2026-06-01T12:00:00Z";

type Result<T, E = Box<dyn Error>> = std::result::Result<T, E>;

/// Runs `f` [`RUNS`] times; the median time and the last output. Each
/// output is dropped after its clock stops.
fn timed<T, E>(mut f: impl FnMut() -> Result<T, E>) -> Result<(Duration, T), E> {
    let mut times = Vec::with_capacity(RUNS);
    let mut out = f()?; // warm-up, not counted
    for _ in 0..RUNS {
        let start = Instant::now();
        let next = f()?;
        times.push(start.elapsed());
        out = next;
    }
    times.sort_unstable();
    Ok((times.get(RUNS / 2).copied().unwrap_or_default(), out))
}

fn gzip(bytes: &[u8]) -> Result<usize> {
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(bytes)?;
    Ok(z.finish()?.len())
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

/// One encoding's row.
struct Row {
    name: &'static str,
    bytes: usize,
    gzip: usize,
    encode: Duration,
    decode: Option<Duration>,
    round_trip: String,
}

/// Whether `decoded` is the plan: it re-encodes to the same postcard bytes
/// and passes the plan check.
fn same_plan(decoded: &Plan, reference: &[u8]) -> Result<String> {
    let again = postcard::to_allocvec(decoded)?;
    Ok(if again != reference {
        "no: re-encodes to different postcard bytes".into()
    } else if let Err(reason) = decoded.check() {
        format!("no: plan check fails ({reason})")
    } else {
        "yes".into()
    })
}

/// Measures one encoding: `enc` writes the plan, `dec` reads it back.
fn measure<E1: Into<Box<dyn Error>>, E2: Into<Box<dyn Error>>>(
    name: &'static str,
    plan: &Plan,
    reference: &[u8],
    enc: impl Fn(&Plan) -> Result<Vec<u8>, E1>,
    dec: impl Fn(&[u8]) -> Result<Plan, E2>,
) -> Result<Row> {
    let (encode, body) = timed(|| enc(plan)).map_err(Into::into)?;
    let gz = gzip(&body)?;
    let (decode, round_trip) = match dec(&body) {
        Ok(first) => {
            let round_trip = same_plan(&first, reference)?;
            drop(first);
            let (t, _) = timed(|| dec(&body)).map_err(Into::into)?;
            (Some(t), round_trip)
        }
        Err(e) => (None, format!("no: decode fails: {}", e.into())),
    };
    Ok(Row {
        name,
        bytes: body.len(),
        gzip: gz,
        encode,
        decode,
        round_trip,
    })
}

#[derive(Debug)]
struct Trailing(usize);

impl std::fmt::Display for Trailing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} bytes left over", self.0)
    }
}

impl Error for Trailing {}

fn bincode_decode(body: &[u8]) -> Result<Plan> {
    let (plan, read) =
        bincode::serde::decode_from_slice::<Plan, _>(body, bincode::config::standard())?;
    if read != body.len() {
        return Err(Box::new(Trailing(body.len() - read)));
    }
    Ok(plan)
}

/// A JSON decode error with the text where it stopped.
fn json_error(e: &serde_json::Error, body: &[u8]) -> String {
    let at = e.column().saturating_sub(1);
    let near = body
        .get(at.saturating_sub(60)..at.saturating_add(20).min(body.len()))
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    format!("{e}, at `{near}`")
}

fn rows(plan: &Plan, reference: &[u8]) -> Result<Vec<Row>> {
    Ok(vec![
        measure(
            "postcard 1 (ships)",
            plan,
            reference,
            postcard::to_allocvec,
            |b| postcard::from_bytes::<Plan>(b),
        )?,
        measure(
            "bitcode 0.6 (serde)",
            plan,
            reference,
            bitcode::serialize,
            |b| bitcode::deserialize::<Plan>(b),
        )?,
        measure(
            "bincode 2 (serde, standard)",
            plan,
            reference,
            |p| bincode::serde::encode_to_vec(p, bincode::config::standard()),
            bincode_decode,
        )?,
        measure(
            "serde_json (the plan's JSON view)",
            plan,
            reference,
            serde_json::to_vec,
            |b| serde_json::from_slice::<Plan>(b).map_err(|e| json_error(&e, b)),
        )?,
    ])
}

fn print_rows(rows: &[Row]) {
    println!("| encoding | body bytes | gzip -9 bytes | encode ms | decode ms | round-trips |");
    println!("|---|---:|---:|---:|---:|---|");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            r.name,
            r.bytes,
            r.gzip,
            ms(r.encode),
            r.decode.map_or_else(|| "—".into(), ms),
            r.round_trip
        );
    }
}

/// Where a load's time goes, with postcard.
fn load_path(file: &[u8], body: &[u8], plan: &Plan, dir: &Path) -> Result<()> {
    let (sha, _) = timed(|| Ok::<_, Box<dyn Error>>(Sha256::digest(body)))?;
    let (postcard_only, _) = timed(|| postcard::from_bytes::<Plan>(body))?;
    let (check, _) = timed(|| plan.check().map_err(|r| r.to_string()))?;
    let (decode, _) = timed(|| encoding::decode(file))?;
    let (covered, _) = timed(|| encoding::decode_covered(file))?;
    let (load_plan, _) = timed(|| {
        let mut e = Engine::new();
        e.load_plan(file).map(|_| e)
    })?;
    println!();
    println!("Load path (postcard, medians of {RUNS}):");
    println!();
    println!("| step | ms |");
    println!("|---|---:|");
    println!(
        "| SHA-256 of the body (the header's checksum) | {} |",
        ms(sha)
    );
    println!("| postcard decode only | {} |", ms(postcard_only));
    println!("| `Plan::check` only | {} |", ms(check));
    println!(
        "| `encoding::decode` (checksum + decode + check) | {} |",
        ms(decode)
    );
    println!(
        "| `encoding::decode_covered` (no checksum) | {} |",
        ms(covered)
    );
    println!("| `Engine::load_plan` | {} |", ms(load_plan));
    let (bundle, jwks) = (dir.join("bundle.bin"), dir.join("jwks.json"));
    if bundle.exists() && jwks.exists() {
        let bundle = std::fs::read(bundle)?;
        let jwks = std::fs::read_to_string(jwks)?;
        let now = promo_edge::time::Instant::parse(NOW)?;
        let (t, _) = timed(|| {
            let mut e = Engine::new();
            e.load_bundle(&bundle, &jwks, now, 0).map(|_| e)
        })?;
        println!(
            "| `Engine::load_bundle` ({} bytes: verify, SHA-256, decode, check) | {} |",
            bundle.len(),
            ms(t)
        );
    }
    Ok(())
}

/// The v1-style baseline: the source JSON, parsed, and compiled (what a
/// load did before plans).
fn source_baseline(dir: &Path) -> Result<()> {
    let path = dir.join("snapshot.json");
    if !path.exists() {
        return Ok(());
    }
    let json = std::fs::read_to_string(&path)?;
    let gz = gzip(json.as_bytes())?;
    let (parse, _) = timed(|| serde_json::from_str::<serde_json::Value>(&json))?;
    let (compile, _) = timed(|| promo_edge::compiler::compile_json(&json))?;
    println!();
    println!(
        "v1-style baseline: the source JSON (`snapshot.json`, what the engine read before plans):"
    );
    println!();
    println!(
        "| bytes | gzip -9 bytes | parse to `serde_json::Value` ms | `compiler::compile_json` ms |"
    );
    println!("|---:|---:|---:|---:|");
    println!(
        "| {} | {} | {} | {} |",
        json.len(),
        gz,
        ms(parse),
        ms(compile)
    );
    Ok(())
}

fn main() -> Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/bench-workload/plan.bin".into());
    let path = Path::new(&path);
    let dir = path.parent().unwrap_or(Path::new("."));
    let file = std::fs::read(path)?;
    let plan = encoding::decode(&file)?;
    let body = file
        .get(HEADER_BYTES..)
        .ok_or("plan.bin is shorter than its header")?;
    let reference = postcard::to_allocvec(&plan)?;
    if reference != body {
        return Err("plan.bin's body is not the postcard of its plan".into());
    }
    println!(
        "{}: {} bytes ({} header + {} body), {} campaigns, {} redeemables, {} unique codes",
        path.display(),
        file.len(),
        HEADER_BYTES,
        body.len(),
        plan.campaigns.len(),
        plan.redeemables.len(),
        plan.code_table.len()
    );
    println!("Medians of {RUNS} runs (after one warm-up); the plan is dropped outside the clock.");
    println!();
    print_rows(&rows(&plan, &reference)?);
    // The same without the unique codes (2 MB of random digests, one byte
    // run in every encoding): what the encodings do with the structure.
    let mut rest = plan.clone();
    rest.code_table = promo_edge::plan::CodeTable::default();
    let rest_reference = postcard::to_allocvec(&rest)?;
    println!();
    println!("The same plan without its code table:");
    println!();
    print_rows(&rows(&rest, &rest_reference)?);
    load_path(&file, body, &plan, dir)?;
    source_baseline(dir)?;
    Ok(())
}
