//! Runs every spec vector (`tests/spec/*.json`) through the native engine and
//! writes one JSON file with, per case, the exact input texts and the exact
//! output text, and per snapshot its compiled plan (`plan`: base64url of the
//! bytes `Engine::load_plan` takes; `null` when the compiler refused the
//! source, whose output is then `{"error":…,"stage":"load"}`). The wasm
//! runners in `pkg-js/test/` load those plans (the wasm has no compiler),
//! feed the same texts to the WebAssembly build and compare its output with
//! these bytes.
//!
//! ```text
//! cargo run --example spec_dump -- target/promo-edge-spec/native.json
//! ```
//!
//! The output of a case is what `tests/support::run_case` produces:
//! the response JSON, `{"error":CODE}` for a refused request, or
//! `{"error":CODE,"stage":"load"}` for a refused snapshot.

use std::error::Error as StdError;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

type Result<T> = std::result::Result<T, Box<dyn StdError>>;

fn field<'a>(v: &'a Value, key: &str, at: &str) -> Result<&'a Value> {
    v.get(key)
        .ok_or_else(|| format!("{at}: missing `{key}`").into())
}

fn text(v: &Value, key: &str, at: &str) -> Result<String> {
    field(v, key, at)?
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("{at}: `{key}` is not a string").into())
}

/// The compiled plan of a snapshot as base64url, or `null` when refused.
fn plan_of(snapshot: &str) -> Value {
    use base64::Engine as _;
    match promo_edge::compiler::compile_json(snapshot)
        .and_then(|(plan, _)| promo_edge::plan::encoding::encode(&plan))
    {
        Ok(bytes) => Value::String(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)),
        Err(_) => Value::Null,
    }
}

/// The native engine's answer, exactly as the Rust spec runner computes it.
fn run(snapshot: &str, call: &str, request: &str, now: &str) -> Result<String> {
    let mut engine = promo_edge::Engine::new();
    if let Err(e) = engine.load_snapshot_json(snapshot) {
        return Ok(json!({"error": e.code(), "stage": "load"}).to_string());
    }
    let answer = match call {
        "validate" => engine.validate_json(request, now),
        "qualify" => engine.qualify_json(request, now),
        "price_products" => engine.price_products_json(request, now),
        other => return Err(format!("unknown call `{other}`").into()),
    };
    Ok(match answer {
        Ok(text) => text,
        Err(e) => json!({"error": e.code()}).to_string(),
    })
}

fn dump_file(path: &Path) -> Result<Value> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(path)?)
        .map_err(|e| format!("{name}: {e}"))?;
    let snapshot = field(&spec, "snapshot", &name)?.to_string();
    let mut cases = Vec::new();
    let list = field(&spec, "cases", &name)?
        .as_array()
        .ok_or_else(|| format!("{name}: `cases` is not an array"))?;
    for (i, case) in list.iter().enumerate() {
        let at = format!("{name} case {i}");
        let own = case.get("snapshot").filter(|s| !s.is_null());
        let own_text = own.map(Value::to_string);
        let request = field(case, "request", &at)?.to_string();
        let now = text(case, "now", &at)?;
        let call = match case.get("call") {
            None | Some(Value::Null) => "validate".to_string(),
            Some(_) => text(case, "call", &at)?,
        };
        let output = run(
            own_text.as_deref().unwrap_or(&snapshot),
            &call,
            &request,
            &now,
        )?;
        let mut entry = json!({
            "index": i,
            "description": case.get("description").cloned().unwrap_or(Value::Null),
            "call": call,
            "request": request,
            "now": now,
            "expected": field(case, "expected", &at)?,
            "output": output,
        });
        if let (Some(s), Some(m)) = (own_text, entry.as_object_mut()) {
            m.insert("plan".into(), plan_of(&s));
            m.insert("snapshot".into(), Value::String(s));
        }
        cases.push(entry);
    }
    Ok(json!({"name": name, "snapshot": snapshot, "plan": plan_of(&snapshot), "cases": cases}))
}

fn main() -> Result<()> {
    let out: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .ok_or("usage: spec_dump OUTPUT.json")?;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/spec");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut files = Vec::new();
    let mut count = 0;
    for p in &paths {
        let f = dump_file(p)?;
        count += f.get("cases").and_then(Value::as_array).map_or(0, Vec::len);
        files.push(f);
    }
    let dump = json!({
        "spec_version": promo_edge::SPEC_VERSION,
        "error_codes": promo_edge::Error::ALL_CODES,
        "files": files,
    });
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&out, serde_json::to_string(&dump)?)?;
    println!(
        "spec_dump: {count} cases from {} files -> {}",
        paths.len(),
        out.display()
    );
    Ok(())
}
