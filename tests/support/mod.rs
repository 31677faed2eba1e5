//! Shared helpers for integration tests: the spec-vector format and its
//! subset matcher.

#![allow(dead_code)]

use serde::Deserialize;
use serde_json::Value;

/// One spec file: a snapshot and cases against it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecFile {
    pub description: String,
    pub snapshot: Value,
    pub cases: Vec<SpecCase>,
}

/// One case.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecCase {
    pub description: String,
    /// Replaces the file's snapshot for this case.
    #[serde(default)]
    pub snapshot: Option<Value>,
    /// `validate` (default), `qualify` or `price_products`.
    #[serde(default)]
    pub call: Option<String>,
    pub request: Value,
    pub now: String,
    pub expected: Value,
}

/// Reads every `tests/spec/*.json` file, sorted by name.
pub fn spec_files() -> Vec<(String, SpecFile)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/spec");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let file: SpecFile =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p.file_name().unwrap().to_string_lossy().into_owned(), file)
        })
        .collect()
}

/// Checks that `actual` contains `expected`: every key of an expected
/// object must match (the string `"$absent"` demands the key is missing),
/// arrays must have the same length and match element by element, and
/// scalars must be equal. Returns the first mismatch as `path: message`.
pub fn contains(actual: &Value, expected: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(exp), Value::Object(act)) => {
            for (k, v) in exp {
                let p = format!("{path}.{k}");
                match (v, act.get(k)) {
                    (Value::String(s), None) if s == "$absent" => {}
                    (Value::String(s), Some(a)) if s == "$absent" => {
                        return Err(format!("{p}: expected absent, found {a}"))
                    }
                    (_, None) => return Err(format!("{p}: missing (expected {v})")),
                    (_, Some(a)) => contains(a, v, &p)?,
                }
            }
            Ok(())
        }
        (Value::Array(exp), Value::Array(act)) => {
            if exp.len() != act.len() {
                return Err(format!(
                    "{path}: expected {} elements, found {}: {}",
                    exp.len(),
                    act.len(),
                    Value::Array(act.clone())
                ));
            }
            for (i, (e, a)) in exp.iter().zip(act).enumerate() {
                contains(a, e, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (e, a) if e == a => Ok(()),
        (e, a) => Err(format!("{path}: expected {e}, found {a}")),
    }
}

/// Runs one case through the native engine and returns the response as
/// JSON, or `{"error": CODE}` when the engine refused the input.
pub fn run_case(snapshot: &Value, case: &SpecCase) -> Value {
    let mut engine = promo_edge::Engine::new();
    if let Err(e) = engine.load_snapshot_json(&snapshot.to_string()) {
        return serde_json::json!({"error": e.code(), "stage": "load"});
    }
    let request = case.request.to_string();
    let answer = match case.call.as_deref().unwrap_or("validate") {
        "validate" => engine.validate_json(&request, &case.now),
        "qualify" => engine.qualify_json(&request, &case.now),
        "price_products" => engine.price_products_json(&request, &case.now),
        other => panic!("unknown call `{other}`"),
    };
    match answer {
        Ok(text) => serde_json::from_str(&text).unwrap(),
        Err(e) => serde_json::json!({"error": e.code()}),
    }
}

/// The binary plan of source JSON (what `promo-origin publish` ships).
pub fn plan_bytes(snapshot: &str) -> Vec<u8> {
    let (plan, _) = promo_edge::compiler::compile_json(snapshot).unwrap();
    promo_edge::plan::encoding::encode(&plan).unwrap()
}

/// A compact JWS over `payload`, signed by `key` under `header`.
pub fn sign_jws(key: &ed25519_dalek::SigningKey, header: &str, payload: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use ed25519_dalek::Signer;
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let sig = key.sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}

/// The manifest JSON of plan bytes.
pub fn manifest_json(plan: &[u8]) -> String {
    let decoded = promo_edge::plan::encoding::decode(plan).unwrap();
    serde_json::to_string(&promo_edge::bundle::Manifest::of(&decoded, plan)).unwrap()
}

/// A `promo-edge.bundle/2` of source JSON, signed by `key` under `header`.
pub fn signed_bundle(key: &ed25519_dalek::SigningKey, header: &str, snapshot: &str) -> Vec<u8> {
    let plan = plan_bytes(snapshot);
    let jws = sign_jws(key, header, &manifest_json(&plan));
    promo_edge::bundle::assemble(&jws, &plan)
}
