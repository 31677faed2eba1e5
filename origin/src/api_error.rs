//! HTTP API errors in Voucherify's envelope: a status and a JSON body
//! `{code, key, message, details?, request_id}`, where `code` is the HTTP
//! status (a number, as Voucherify and the official SDK's `VoucherifyError`
//! have it) and `key` the stable error code in Voucherify's lowercase
//! spelling (`UNAUTHORIZED` → `unauthorized`; the mapping is one to one, so
//! a client may upper-case `key` to get the SCREAMING_SNAKE code back).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// An error answered to an HTTP client.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Stable SCREAMING_SNAKE code (answered lower-cased as `key`).
    pub code: String,
    /// A sentence.
    pub message: String,
    /// Seconds for a `Retry-After` header (a 503 the client should retry).
    pub retry_after: Option<u32>,
    /// More fields of the body (`details`, `differences`, …).
    pub extra: Option<Box<serde_json::Map<String, Value>>>,
}

impl ApiError {
    /// An error.
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.to_string(),
            message: message.into(),
            retry_after: None,
            extra: None,
        }
    }

    /// With a `Retry-After: seconds` header.
    pub fn retry_after(mut self, seconds: u32) -> ApiError {
        self.retry_after = Some(seconds);
        self
    }

    /// With Voucherify's `details` sentence.
    pub fn details(self, details: impl Into<String>) -> ApiError {
        self.with("details", Value::String(details.into()))
    }

    /// With one more body field.
    pub fn with(mut self, name: &str, value: Value) -> ApiError {
        self.extra
            .get_or_insert_with(Default::default)
            .insert(name.to_string(), value);
        self
    }

    /// 500 for a ledger failure (the message is logged, not leaked in full).
    pub fn internal(e: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %e, "internal error");
        ApiError::new(500, "INTERNAL", "the origin could not complete the request")
    }

    /// The JSON body (a fresh `request_id` each time it is written).
    pub fn body(&self) -> String {
        let mut body = serde_json::Map::new();
        body.insert("code".into(), self.status.into());
        body.insert("key".into(), self.code.to_ascii_lowercase().into());
        body.insert("message".into(), self.message.clone().into());
        for (k, v) in self.extra.iter().flat_map(|m| m.iter()) {
            body.insert(k.clone(), v.clone());
        }
        body.insert("request_id".into(), request_id().into());
        Value::Object(body).to_string()
    }
}

/// A Voucherify-style request id, `v-` and 16 random hex digits.
pub fn request_id() -> String {
    use rand_core::RngCore;
    let mut b = [0u8; 8];
    rand_core::OsRng.fill_bytes(&mut b);
    let mut id = String::with_capacity(18);
    id.push_str("v-");
    for x in b {
        id.push_str(&format!("{x:02x}"));
    }
    id
}

impl From<promo_edge::Error> for ApiError {
    fn from(e: promo_edge::Error) -> Self {
        let status = match e {
            promo_edge::Error::NoSnapshot => 503,
            promo_edge::Error::ArithmeticOverflow => 422,
            _ => 400,
        };
        ApiError::new(status, e.code(), e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (status, self.body()).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Some(v) = self
            .retry_after
            .and_then(|s| HeaderValue::from_str(&s.to_string()).ok())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if self.status == 401 {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}
