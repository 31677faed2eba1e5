//! The binding's checks in Node: `cargo test --target wasm32-unknown-unknown --test wasm_node`
//! with `wasm-bindgen-test-runner` as the target runner (see mk/wasm.mk).
#![cfg(target_arch = "wasm32")]
// clippy.toml's allow-*-in-tests does not see #[wasm_bindgen_test] functions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod wasm_cases;
