//! The compiler on arbitrary source text: `compiler::compile_json` (what
//! `promo-origin publish` runs), then the plan's bytes into
//! `Engine::load_plan` (what every client runs).
//!
//! Checks: no panic, only documented codes; whatever the compiler accepts
//! encodes, decodes and loads (a compiled plan always passes the decoder's
//! checks), and its bytes are deterministic (compiling the same text twice,
//! and re-encoding the decoded plan, give the same bytes); a plan that
//! loads answers fixed validate, qualify and price calls; a second load of
//! the same version is refused (`SNAPSHOT_NOT_NEWER`) and changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use promo_edge::plan::encoding;
use promo_edge::time::Instant;
use promo_edge::Engine;
use promo_edge_fuzz::{check_error, compile, exercise, held_bytes, NOW};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let now = Instant::parse(NOW).expect("fixed now");
    let bytes = match compile(text) {
        Err(e) => {
            check_error(&e);
            return;
        }
        Ok(bytes) => bytes,
    };
    assert_eq!(
        compile(text).ok().as_deref(),
        Some(bytes.as_slice()),
        "compiling the same source twice gave different plans"
    );
    let decoded = encoding::decode(&bytes)
        .unwrap_or_else(|e| panic!("the decoder refused a compiled plan: {e:?}"));
    assert_eq!(
        encoding::encode(&decoded).ok().as_deref(),
        Some(bytes.as_slice()),
        "re-encoding a decoded plan changed its bytes"
    );

    let mut engine = Engine::new();
    let report = engine
        .load_plan(&bytes)
        .unwrap_or_else(|e| panic!("a compiled plan did not load: {e:?}"));
    let status = engine.status(now).expect("a loaded plan has a status");
    assert_eq!(status.version, report.version);
    exercise(&engine);

    let held = held_bytes(&engine);
    let again = engine.load_plan(&bytes);
    assert!(
        matches!(again, Err(ref e) if e.code() == "SNAPSHOT_NOT_NEWER"),
        "reloading the same version: {again:?}"
    );
    assert_eq!(engine.status(now), Some(status));
    assert_eq!(held_bytes(&engine), held);
});
