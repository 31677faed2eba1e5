//! Voucherify's single-code and promotion routes, answered from the same
//! engine and ledger as the stackable ones: `POST /v1/vouchers/{code}/validate`
//! (the SDK's `validations.validate(code, …)`), `GET /v1/vouchers/{code}`
//! (`vouchers.get`, with the ledger's live balance and redemption count),
//! `POST /v1/promotions/validation` (`promotions.validate`), and the client
//! SDK's `GET /client/v1/validate` and `GET /client/v1/promotions/validation`
//! (the same, with the request in the query string).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path as UrlPath, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use promo_edge::qualification::QualificationRequest;
use promo_edge::request::ValidationRequest;
use promo_edge::validation::{Status, ValidationResponse};
use serde_json::{json, Map, Value};

use crate::api_error::ApiError;
use crate::server::{body_bytes, json_response, parse_json, AppState, Side};
use crate::voucher_object::discount_json;

fn ok(v: &Value) -> Response {
    json_response(StatusCode::OK, v.to_string())
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Voucherify's `tracking_id`: the request's, else the customer's source
/// id or id, else `""` (as `promo-edge/voucherify` answers it locally).
fn tracking_id(body: &Value) -> Value {
    ["/tracking_id", "/customer/source_id", "/customer/id"]
        .iter()
        .find_map(|p| body.pointer(p).filter(|v| v.is_string()))
        .cloned()
        .unwrap_or_else(|| "".into())
}

/// A legacy single-code context as a stackable request.
fn single_code_request(code: &str, ctx: &Value) -> Result<ValidationRequest, ApiError> {
    let mut redeemable = json!({"object": "voucher", "id": code});
    for field in ["gift", "reward"] {
        if let Some(v) = ctx.get(field) {
            crate::voucher_object::put(&mut redeemable, field, v.clone());
        }
    }
    let mut req = json!({
        "redeemables": [redeemable],
        "order": ctx.get("order").cloned().unwrap_or_else(|| json!({})),
        "options": {"expand": ["order", "redeemable"]},
    });
    for field in ["customer", "metadata"] {
        if let Some(v) = ctx.get(field) {
            crate::voucher_object::put(&mut req, field, v.clone());
        }
    }
    serde_json::from_value(req).map_err(|e| {
        ApiError::new(
            400,
            "INVALID_JSON",
            format!("not a validation context: {e}"),
        )
    })
}

/// Voucherify's legacy `ValidationsValidateVoucherResponse` from the
/// stackable answer to one code: an invalid code says why and nothing of
/// what it would give (field for field what `promo-edge/voucherify`
/// answers locally).
fn legacy_answer(code: &str, res: &ValidationResponse, tracking: Value) -> Value {
    let r = res
        .redeemables
        .iter()
        .chain(&res.inapplicable_redeemables)
        .chain(&res.skipped_redeemables)
        .find(|r| r.object == "voucher" && r.id == code);
    let valid = res.valid && r.is_some_and(|r| r.status == Status::Applicable);
    let mut out = Map::new();
    out.insert("valid".into(), valid.into());
    out.insert("code".into(), code.into());
    out.insert("tracking_id".into(), tracking);
    let Some(r) = r else {
        return Value::Object(out);
    };
    if !r.metadata.is_empty() {
        out.insert("metadata".into(), json!(r.metadata));
    }
    if let Some(c) = &r.campaign_name {
        out.insert("campaign".into(), c.clone().into());
    }
    if let Some(c) = &r.campaign_id {
        out.insert("campaign_id".into(), c.clone().into());
    }
    if !valid {
        let error = match (&r.result.error, &r.result.details) {
            (Some(e), _) => json!(e),
            (None, Some(d)) => json!({"code": 400, "key": d.key, "message": d.message}),
            (None, None) => {
                json!({"code": 400, "key": "not_applicable", "message": "the code does not apply"})
            }
        };
        out.insert("error".into(), error);
        return Value::Object(out);
    }
    out.insert("order".into(), json!(res.order));
    if let Some(d) = discount_json(r.result.discount.clone()) {
        out.insert("discount".into(), d);
    }
    // What this order takes from the card and what it leaves on it.
    if let Some(g) = &r.result.gift {
        out.insert(
            "gift".into(),
            json!({"amount": g.credits, "balance": g.balance}),
        );
    }
    if let Some(l) = &r.result.loyalty_card {
        out.insert("loyalty".into(), json!({"points_cost": l.points}));
    }
    for (name, list) in [
        ("applicable_to", &r.applicable_to),
        ("inapplicable_to", &r.inapplicable_to),
    ] {
        if let Some(l) = list {
            out.insert(name.into(), json!(l));
        }
    }
    Value::Object(out)
}

async fn validated(
    st: &Arc<AppState>,
    side: Side,
    headers: &HeaderMap,
    code: String,
    ctx: Value,
) -> Result<Response, ApiError> {
    let channel = st.caller(side, headers, false)?;
    let req = single_code_request(&code, &ctx)?;
    let now = st.now();
    let res = st
        .on_channel(channel, move |st, ch| {
            st.ledger.validate(&ch.engine, req, now)
        })
        .await?;
    Ok(ok(&legacy_answer(&code, &res, tracking_id(&ctx))))
}

/// `POST /v1/vouchers/{code}/validate`.
pub(crate) async fn post_voucher_validate(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(code): UrlPath<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let bytes = body_bytes(body)?;
    let ctx: Value = if bytes.is_empty() {
        json!({})
    } else {
        parse_json(&bytes)?
    };
    validated(&st, Side::Server, &headers, code, ctx).await
}

/// `GET /v1/vouchers/{code}`: the voucher as the snapshot publishes it,
/// with the ledger's live redemption count and balance.
pub(crate) async fn get_voucher(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(code): UrlPath<String>,
) -> Result<Response, ApiError> {
    let channel = st.caller(Side::Server, &headers, false)?;
    let now = st.now();
    let v = st
        .on_channel(channel, move |st, ch| {
            let snap = ch.engine.plan().ok_or(promo_edge::Error::NoSnapshot)?;
            let pos = snap.find_voucher(&code).ok_or_else(|| {
                ApiError::new(404, "NOT_FOUND", "Resource not found")
                    .details(format!("Cannot find voucher with id {code}"))
                    .with("resource_id", code.clone().into())
                    .with("resource_type", "voucher".into())
            })?;
            let live = st.ledger.live_counters(&ch.engine, "voucher", &code, now)?;
            Ok(crate::voucher_object::of(snap, pos, &code, &live))
        })
        .await?;
    Ok(ok(&v))
}

/// The promotion tiers a customer and order qualify for, in Voucherify's
/// `PromotionsValidateResponse`.
async fn promotions(
    st: &Arc<AppState>,
    side: Side,
    headers: &HeaderMap,
    body: Value,
) -> Result<Response, ApiError> {
    let channel = st.caller(side, headers, false)?;
    let mut q = json!({
        "scenario": "ALL",
        "options": {
            "limit": crate::ledger::QUALIFY_CANDIDATES,
            "expand": ["order"],
            "filters": {"resource_type": {"conditions": {"$in": ["promotion_tier"]}}},
        },
    });
    for field in ["customer", "order", "metadata"] {
        if let Some(v) = body.get(field) {
            crate::voucher_object::put(&mut q, field, v.clone());
        }
    }
    let req: QualificationRequest = serde_json::from_value(q).map_err(|e| {
        ApiError::new(
            400,
            "INVALID_JSON",
            format!("not a promotion validation: {e}"),
        )
    })?;
    let now = st.now();
    let (res, order) = st
        .on_channel(channel, move |st, ch| {
            let tiers: Vec<String> = ch
                .engine
                .promotion_tiers()?
                .into_iter()
                .map(|t| t.id)
                .collect();
            Ok((st.ledger.qualify(&ch.engine, req, now)?, tiers))
        })
        .await?;
    let mut found: Vec<(usize, &promo_edge::qualification::QualifiedRedeemable)> = res
        .redeemables
        .data
        .iter()
        .filter(|r| r.applicable && r.object == "promotion_tier")
        .map(|r| {
            (
                order.iter().position(|t| *t == r.id).unwrap_or(usize::MAX),
                r,
            )
        })
        .collect();
    found.sort_by_key(|(rank, _)| *rank);
    let promotions: Vec<Value> = found
        .into_iter()
        .map(|(rank, r)| {
            let mut p = object(json!({
                "id": r.id,
                "object": "promotion_tier",
                "name": r.name.clone().unwrap_or_else(|| r.id.clone()),
                // The plan keeps tiers in application order, not their
                // numbers: the 1-based position stands in.
                "hierarchy": rank.saturating_add(1),
                "discount_amount": r.order.total_discount_amount,
                "applied_discount_amount": r.order.total_applied_discount_amount,
                "order": r.order,
                "metadata": r.metadata,
            }));
            if let Some(b) = &r.banner {
                p.insert("banner".into(), b.clone().into());
            }
            if let Some(d) = discount_json(r.result.discount.clone()) {
                p.insert("discount".into(), d);
            }
            Value::Object(p)
        })
        .collect();
    Ok(ok(&json!({
        "valid": !promotions.is_empty(),
        "promotions": promotions,
        "tracking_id": tracking_id(&body),
    })))
}

/// `POST /v1/promotions/validation`.
pub(crate) async fn post_promotions_validation(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body: Value = parse_json(&body_bytes(body)?)?;
    promotions(&st, Side::Server, &headers, body).await
}

/// `GET /client/v1/validate?code=…` (a code) or, without one, the
/// promotion validation: the client SDK's `validate`.
pub(crate) async fn get_client_validate(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let ctx = crate::client_query::context(query.as_deref().unwrap_or(""))?;
    match ctx.get("code").and_then(Value::as_str).map(str::to_string) {
        Some(code) => validated(&st, Side::Client, &headers, code, ctx).await,
        None => promotions(&st, Side::Client, &headers, ctx).await,
    }
}

/// `GET /client/v1/promotions/validation?…`.
pub(crate) async fn get_client_promotions(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let ctx = crate::client_query::context(query.as_deref().unwrap_or(""))?;
    promotions(&st, Side::Client, &headers, ctx).await
}
