//! The binding's checks in headless Chromium:
//! `cargo test --target wasm32-unknown-unknown --test wasm_web` with
//! `wasm-bindgen-test-runner` as the target runner and `CHROMEDRIVER` set.
#![cfg(target_arch = "wasm32")]
// clippy.toml's allow-*-in-tests does not see #[wasm_bindgen_test] functions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

mod wasm_cases;

#[wasm_bindgen_test]
fn runs_in_a_browser_window() {
    let global = js_sys::global();
    let window = js_sys::Reflect::get(&global, &"window".into()).unwrap();
    assert!(window.is_object(), "not in a browser window");
}
