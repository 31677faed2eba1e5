//! Lists `tests/spec/*.json` (sorted by name) for `src/lib.rs`, so a new
//! spec file is fuzzed without editing the list, and `fuzz/gen-corpus.mjs`
//! numbers the files the same way.
use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/spec");
    println!("cargo:rerun-if-changed={}", spec.display());
    let mut names: Vec<String> = std::fs::read_dir(&spec)
        .expect("tests/spec exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    let mut out = String::from("&[\n");
    for n in &names {
        let path = spec.join(n);
        let _ = writeln!(out, "    include_str!({:?}),", path.display().to_string());
    }
    out.push(']');
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("spec_files.rs");
    std::fs::write(dest, out).expect("write spec_files.rs");
}
