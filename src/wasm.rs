//! The WebAssembly binding: decode, call the core, encode. No business logic.
//!
//! Bulk calls take and return JSON text: one string copy each way is cheaper
//! than walking a large object graph through the JS boundary, and the bytes
//! are exactly those the native engine produces. Plans and bundles cross as
//! bytes. Errors are thrown as JS `Error`s whose `message` is the error as
//! JSON (`{"code": "…", …fields}`, see `impl Serialize for Error`); the npm
//! package turns them into its `PromoError` class and words the message,
//! so the wasm carries no text formatting of its own.

use wasm_bindgen::prelude::*;

use crate::time::Instant;
use crate::{Engine, Error};

/// The thrown value: `new Error(JSON.stringify({code, …fields}))`.
impl From<Error> for JsValue {
    fn from(e: Error) -> JsValue {
        let text = serde_json::to_string(&e).unwrap_or_default();
        JsError::new(&text).into()
    }
}

fn encode<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    Ok(serde_json::to_string(value)?)
}

/// One engine holding at most one snapshot (see [`Engine`]).
#[wasm_bindgen]
#[derive(Debug, Default)]
pub struct WasmEngine {
    inner: Engine,
}

#[wasm_bindgen]
impl WasmEngine {
    /// An engine with no snapshot.
    #[wasm_bindgen(constructor)]
    pub fn new() -> WasmEngine {
        WasmEngine::default()
    }

    /// Loads a binary plan (unsigned: tests and development); returns the
    /// load report as JSON.
    #[wasm_bindgen(js_name = loadPlan)]
    pub fn load_plan(&mut self, plan: &[u8]) -> Result<String, Error> {
        encode(&self.inner.load_plan(plan)?)
    }

    /// Verifies a signed bundle (`promo-edge.bundle/2`) against a JWKS and
    /// loads its plan (see [`Engine::load_bundle`]); returns the load
    /// report as JSON. `grace_ms` is how long past `expires_at` a bundle is
    /// still accepted (as stale).
    #[wasm_bindgen(js_name = loadBundle)]
    pub fn load_bundle(
        &mut self,
        bundle: &[u8],
        jwks: &str,
        now: &str,
        grace_ms: f64,
    ) -> Result<String, Error> {
        let now = Instant::parse(now)?;
        // A float-to-int `as` saturates (NaN becomes 0): JS numbers cannot trap here.
        encode(&self.inner.load_bundle(bundle, jwks, now, grace_ms as i64)?)
    }

    /// Validates request JSON at `now` (RFC 3339); returns the response JSON.
    #[wasm_bindgen(js_name = validateJson)]
    pub fn validate_json(&self, request: &str, now: &str) -> Result<String, Error> {
        self.inner.validate_json(request, now)
    }

    /// Qualifies request JSON at `now`; returns the response JSON.
    #[wasm_bindgen(js_name = qualifyJson)]
    pub fn qualify_json(&self, request: &str, now: &str) -> Result<String, Error> {
        self.inner.qualify_json(request, now)
    }

    /// Prices products (request JSON) at `now`; returns the response JSON.
    #[wasm_bindgen(js_name = priceProductsJson)]
    pub fn price_products_json(&self, request: &str, now: &str) -> Result<String, Error> {
        self.inner.price_products_json(request, now)
    }

    /// The held snapshot's automatic promotions as JSON (see
    /// [`crate::Engine::promotion_tiers`]).
    #[wasm_bindgen(js_name = promotionTiersJson)]
    pub fn promotion_tiers_json(&self) -> Result<String, Error> {
        encode(&self.inner.promotion_tiers()?)
    }

    /// The held snapshot's status at `now` as JSON, or `undefined` when none is loaded.
    #[wasm_bindgen(js_name = statusJson)]
    pub fn status_json(&self, now: &str) -> Result<Option<String>, Error> {
        let now = Instant::parse(now)?;
        self.inner.status(now).as_ref().map(encode).transpose()
    }
}

/// Every error code the engine can throw ([`Error::ALL_CODES`]), as a JSON array.
#[wasm_bindgen(js_name = errorCodesJson)]
pub fn error_codes_json() -> String {
    serde_json::to_string(Error::ALL_CODES).unwrap_or_default()
}

/// The spec-vector version this engine passes ([`crate::SPEC_VERSION`]).
#[wasm_bindgen(js_name = specVersion)]
pub fn spec_version() -> String {
    crate::SPEC_VERSION.to_string()
}
