//! Voucherify's stackable routes, server and client side: validations,
//! qualifications, redemptions (with Promo Edge's `snapshot_version`,
//! `expected` and `on_difference`) and rollbacks, answered by the channel's
//! engine with the ledger's live counters.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path as UrlPath, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use promo_edge::qualification::QualificationRequest;
use promo_edge::request::ValidationRequest;
use promo_edge::time::Instant;
use promo_edge::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::api_error::ApiError;
use crate::ledger::{Ledger, OnDifference, RedeemInput};
use crate::server::{body_bytes, json_response, parse_json, AppState, Side};

/// Longest `Idempotency-Key`.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

pub(crate) async fn post_validation(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    validation(st, Side::Server, headers, body).await
}

pub(crate) async fn post_client_validation(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    validation(st, Side::Client, headers, body).await
}

/// A request of type `R` evaluated by `answer` with the channel's engine
/// and the ledger at the request's time, its answer as JSON.
async fn evaluated<R, T, F>(
    st: Arc<AppState>,
    side: Side,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
    answer: F,
) -> Result<Response, ApiError>
where
    R: DeserializeOwned + Send + 'static,
    T: Serialize + Send + 'static,
    F: FnOnce(&Ledger, &Engine, R, Instant) -> Result<T, ApiError> + Send + 'static,
{
    let channel = st.caller(side, &headers, false)?;
    let req: R = parse_json(&body_bytes(body)?)?;
    let now = st.now();
    let res = st
        .on_channel(channel, move |st, ch| {
            answer(&st.ledger, &ch.engine, req, now)
        })
        .await?;
    let text = serde_json::to_string(&res).map_err(ApiError::internal)?;
    Ok(json_response(StatusCode::OK, text))
}

/// `POST /v1/validations`: the engine's validation with the ledger's counters.
async fn validation(
    st: Arc<AppState>,
    side: Side,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    evaluated(
        st,
        side,
        headers,
        body,
        |l, e, req: ValidationRequest, now| l.validate(e, req, now),
    )
    .await
}

pub(crate) async fn post_qualification(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    qualification(st, Side::Server, headers, body).await
}

pub(crate) async fn post_client_qualification(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    qualification(st, Side::Client, headers, body).await
}

/// `POST /v1/qualifications`: what this customer and cart can use, with
/// the ledger's counters.
async fn qualification(
    st: Arc<AppState>,
    side: Side,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    evaluated(
        st,
        side,
        headers,
        body,
        |l, e, req: QualificationRequest, now| l.qualify(e, req, now),
    )
    .await
}

/// The `Idempotency-Key` header, at most 255 characters. Without one (the
/// official SDK cannot send it) the request gets a fresh key: it is still
/// redeemed exactly once, but a retry is not recognised as one.
fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let Some(key) = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty())
    else {
        return Ok(crate::ledger::fresh_id("auto"));
    };
    if key.len() > MAX_IDEMPOTENCY_KEY {
        return Err(ApiError::new(
            400,
            "IDEMPOTENCY_KEY_INVALID",
            format!("the Idempotency-Key is longer than {MAX_IDEMPOTENCY_KEY} characters"),
        ));
    }
    Ok(key.to_string())
}

/// A redemption body: a validation request plus the client's
/// `snapshot_version`, `expected` result and `on_difference` choice.
struct RedemptionFields {
    request: ValidationRequest,
    client_version: Option<u64>,
    expected: Option<Value>,
    on_difference: OnDifference,
}

fn invalid(message: &str) -> ApiError {
    ApiError::new(400, "INVALID_REQUEST", message)
}

fn redemption_fields(mut raw: Value) -> Result<RedemptionFields, ApiError> {
    let client_version = match raw.get("snapshot_version") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .ok_or_else(|| invalid("`snapshot_version` must be a non-negative integer"))?,
        ),
    };
    let expected = raw.get("expected").filter(|v| !v.is_null()).cloned();
    if expected.as_ref().is_some_and(|v| !v.is_object()) {
        return Err(invalid("`expected` must be an object"));
    }
    let on_difference = OnDifference::parse(raw.get("on_difference"))
        .ok_or_else(|| invalid("`on_difference` must be \"ACCEPT\" or \"REJECT\""))?;
    if on_difference == OnDifference::Reject && expected.is_none() {
        // Nothing to compare with: the request would be redeemed at any result.
        return Err(invalid(
            "`on_difference: \"REJECT\"` needs `expected`, the result the shopper saw",
        ));
    }
    if let Some(obj) = raw.as_object_mut() {
        obj.remove("snapshot_version");
        obj.remove("expected");
        obj.remove("on_difference");
        // The origin's counters are the only ones that count.
        obj.remove("counters");
    }
    let request: ValidationRequest = serde_json::from_value(raw).map_err(|e| {
        ApiError::new(
            400,
            "INVALID_JSON",
            format!("not a validation request: {e}"),
        )
    })?;
    Ok(RedemptionFields {
        request,
        client_version,
        expected,
        on_difference,
    })
}

pub(crate) async fn post_redemption(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    redemption(st, Side::Server, headers, body).await
}

pub(crate) async fn post_client_redemption(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    redemption(st, Side::Client, headers, body).await
}

async fn redemption(
    st: Arc<AppState>,
    side: Side,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let channel = st.caller(side, &headers, true)?;
    let key = idempotency_key(&headers)?;
    let bytes = body_bytes(body)?;
    let raw: Value = parse_json(&bytes)?;
    let request_hash = crate::ledger::canonical_hash(&raw);
    let fields = redemption_fields(raw)?;
    let input = RedeemInput {
        channel: channel.clone(),
        idempotency_key: key,
        request_hash,
        request: fields.request,
        client_version: fields.client_version,
        expected: fields.expected,
        on_difference: fields.on_difference,
        now: st.now(),
    };
    let out = st
        .on_channel(channel.clone(), move |st, ch| {
            st.ledger.redeem(&ch.engine, input)
        })
        .await?;
    // A redemption rejected because its result changed is a 409, replayed as one.
    let status = StatusCode::from_u16(out.http_status).unwrap_or(StatusCode::OK);
    let mut res = json_response(status, out.body);
    if out.replayed {
        res.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(res)
}

pub(crate) async fn get_redemption(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let channel = st.caller(Side::Server, &headers, false)?;
    let v = st
        .blocking(move |st| st.ledger.redemption(&channel, &id))
        .await?;
    Ok(json_response(StatusCode::OK, v.to_string()))
}

pub(crate) async fn post_rollback(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let channel = st.caller(Side::Server, &headers, false)?;
    let now = st.now();
    let v = st
        .blocking(move |st| st.ledger.rollback(&channel, &id, now))
        .await?;
    Ok(json_response(StatusCode::OK, v.to_string()))
}

/// Most events one `GET /v1/events` lists.
pub const MAX_EVENTS_PAGE: i64 = 1000;

/// `after` and `limit` of `GET /v1/events`.
fn events_page(query: &str) -> Result<(i64, i64), ApiError> {
    let (mut after, mut limit) = (0, 100);
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        let n: Option<i64> = v.parse().ok();
        match (k.as_ref(), n) {
            ("after", Some(n)) if n >= 0 => after = n,
            ("limit", Some(n)) if (1..=MAX_EVENTS_PAGE).contains(&n) => limit = n,
            _ => {
                return Err(ApiError::new(
                    400,
                    "INVALID_QUERY_PARAMS",
                    format!("`{k}`: expected after=<seq ≥ 0> and limit=<1..={MAX_EVENTS_PAGE}>"),
                ))
            }
        }
    }
    Ok((after, limit))
}

/// `GET /v1/events?after=SEQ&limit=N`: the channel's event log, oldest
/// first; `next_after` is the `after` of the next page.
pub(crate) async fn get_events(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let channel = st.caller(Side::Server, &headers, false)?;
    let (after, limit) = events_page(query.as_deref().unwrap_or(""))?;
    let events = st
        .blocking(move |st| st.ledger.events(&channel, after, limit + 1))
        .await?;
    let has_more = events.len() as i64 > limit;
    let page: Vec<Value> = events
        .iter()
        .take(usize::try_from(limit).unwrap_or(0))
        .map(crate::ledger::events::to_json)
        .collect();
    let next_after = page
        .last()
        .and_then(|e| e.get("seq"))
        .cloned()
        .unwrap_or(after.into());
    let body = serde_json::json!({
        "object": "list", "data_ref": "data", "data": page, "has_more": has_more, "next_after": next_after,
    });
    Ok(json_response(StatusCode::OK, body.to_string()))
}
