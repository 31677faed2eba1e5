//! Who may call which route: Voucherify's credentials, plus a bearer key.
//!
//! Server routes (`/v1/…`) take `X-App-Id: <channel>` with
//! `X-App-Token: <channel key>` (what `VoucherifyServerSide` sends: the
//! application id of a channel is its name) or `Authorization: Bearer
//! <channel key>`. Client routes (`/client/v1/…`) take
//! `X-Client-Application-Id: <channel>` with `X-Client-Token: <client key>`
//! (what `VoucherifyClientSide` sends) from an allowed `Origin`; they may
//! validate and qualify, and redeem only when the origin was started with
//! `--client-redeem`. A client key on a server route is `403 forbidden`.
//! Keys are compared in constant time.

use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::api_error::ApiError;

/// The keys and client rules the server was started with.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// `(channel, secret key)` for server routes.
    pub server: Vec<(String, Vec<u8>)>,
    /// `(channel, client key)` for client routes.
    pub client: Vec<(String, Vec<u8>)>,
    /// Origins a client route answers (`*` = any).
    pub allowed_origins: Vec<String>,
    /// Whether client keys may redeem.
    pub client_redeem: bool,
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The channel whose key is `token` (and whose name is `app`, when given).
fn find<'a>(keys: &'a [(String, Vec<u8>)], app: Option<&str>, token: &str) -> Option<&'a str> {
    let mut found = None;
    for (channel, secret) in keys {
        // Every key is compared, so the time does not tell which matched.
        if ct_eq(token.as_bytes(), secret) && app.is_none_or(|a| a == channel) {
            found = Some(channel.as_str());
        }
    }
    found
}

fn origin_not_allowed() -> ApiError {
    ApiError::new(
        403,
        "ORIGIN_NOT_ALLOWED",
        "the request's Origin is not one this origin allows (--allowed-origin)",
    )
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(401, "UNAUTHORIZED", message)
}

impl Access {
    /// The channel of a server route's caller.
    pub fn server(&self, headers: &HeaderMap) -> Result<&str, ApiError> {
        if let Some(token) = header_str(headers, "x-app-token") {
            let app = header_str(headers, "x-app-id")
                .ok_or_else(|| unauthorized("X-App-Token needs X-App-Id, the channel's name"))?;
            return find(&self.server, Some(app), token)
                .ok_or_else(|| unauthorized("unknown X-App-Id or X-App-Token"));
        }
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        if let Some(token) = bearer {
            return find(&self.server, None, token)
                .ok_or_else(|| unauthorized("unknown channel key"));
        }
        if self.client_channel(headers).is_some() {
            return Err(ApiError::new(
                403,
                "FORBIDDEN",
                "a client key cannot call a server route: use /client/v1/…",
            ));
        }
        Err(unauthorized(
            "X-App-Id and X-App-Token (or Authorization: Bearer <channel key>) are required",
        ))
    }

    fn client_channel(&self, headers: &HeaderMap) -> Option<&str> {
        let token = header_str(headers, "x-client-token")?;
        let app = header_str(headers, "x-client-application-id")?;
        find(&self.client, Some(app), token)
    }

    /// The channel of a client route's caller; `redeem` for redemptions.
    pub fn client(&self, headers: &HeaderMap, redeem: bool) -> Result<&str, ApiError> {
        if header_str(headers, "x-client-token").is_none()
            || header_str(headers, "x-client-application-id").is_none()
        {
            return Err(unauthorized(
                "X-Client-Application-Id and X-Client-Token are required",
            ));
        }
        let channel = self
            .client_channel(headers)
            .ok_or_else(|| unauthorized("unknown X-Client-Application-Id or X-Client-Token"))?;
        if self.allowed_origin(headers).is_none() {
            return Err(origin_not_allowed());
        }
        if redeem && !self.client_redeem {
            return Err(ApiError::new(
                403,
                "CLIENT_REDEMPTION_DISABLED",
                "client keys may not redeem here (start the origin with --client-redeem)",
            ));
        }
        Ok(channel)
    }

    /// The request's `Origin` when it is allowed.
    fn allowed_origin<'a>(&self, headers: &'a HeaderMap) -> Option<&'a str> {
        let origin = header_str(headers, "origin")?;
        self.allowed_origins
            .iter()
            .any(|o| o == "*" || o.eq_ignore_ascii_case(origin))
            .then_some(origin)
    }

    /// CORS for a client route: the preflight answer (`OPTIONS`), or the
    /// headers an answer to an allowed origin carries.
    pub fn cors(&self, method: &Method, headers: &HeaderMap, res: Option<Response>) -> Response {
        let allowed = self.allowed_origin(headers);
        let mut res = match res {
            Some(r) => r,
            None if allowed.is_some() => StatusCode::NO_CONTENT.into_response(),
            None => origin_not_allowed().into_response(),
        };
        let h = res.headers_mut();
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        let Some(origin) = allowed.and_then(|o| HeaderValue::from_str(o).ok()) else {
            return res;
        };
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        if method == Method::OPTIONS {
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST, OPTIONS"),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(
                    "content-type, x-client-application-id, x-client-token, x-voucherify-channel, x-voucherify-api-version",
                ),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
        }
        res
    }
}
