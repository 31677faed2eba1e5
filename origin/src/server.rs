//! `promo-origin serve`: bundles, keys, authoritative validations,
//! redemptions and rollbacks over HTTP (axum), backed by the ledger on
//! SQLite or PostgreSQL (several nodes may serve one PostgreSQL ledger).
//!
//! Voucherify's routes (`/v1/…` server side, `/client/v1/…` client side;
//! the single-code and promotion ones in [`crate::voucherify`]) with its
//! credentials ([`crate::auth`]): the key names the channel whose snapshot
//! evaluates the request. Bundles and keys are public (a bundle is signed
//! and holds no secret; unique codes are only salted hashes).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Instant as StdInstant;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use promo_edge::time::Instant;
use promo_edge::Engine;
use serde_json::Value;

use crate::api_error::ApiError;
use crate::auth::Access;
use crate::error::CliError;
use crate::keys::Signer;
use crate::ledger::{Database, DatabaseUrl, DbSettings, Ledger};
use crate::publication::{self, Channel, Served, Sources};
use crate::stackable;

/// Largest request body (→ 413 `PAYLOAD_TOO_LARGE`).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Source directories, published at start (one channel each).
    pub sources: Vec<PathBuf>,
    /// Signed bundles to serve as they are.
    pub bundles: Vec<PathBuf>,
    /// The signing key (its public half is served in the JWKS); needed to
    /// publish `sources`.
    pub key: Option<PathBuf>,
    /// More public keys to serve (key rotation).
    pub jwks: Option<PathBuf>,
    /// The ledger database.
    pub database: DatabaseUrl,
    /// Its connection settings.
    pub db_settings: DbSettings,
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    pub listen: String,
    /// `(channel, secret)` pairs: server keys (`X-App-Token` or Bearer).
    pub channel_keys: Vec<(String, String)>,
    /// `(channel, client key)` pairs (`X-Client-Token`).
    pub client_keys: Vec<(String, String)>,
    /// Origins client routes answer (`*` = any).
    pub allowed_origins: Vec<String>,
    /// Whether client keys may redeem.
    pub client_redeem: bool,
    /// A fixed clock (tests and demos); the system clock otherwise.
    pub now: Option<DateTime<Utc>>,
    /// Lifetime of bundles published from a source.
    pub lifetime_ms: i64,
    /// How often sources are checked for edits and nearing expiry
    /// (milliseconds; 0 = never).
    pub refresh_ms: i64,
    /// A directory of static files served at `/` (see [`crate::site`]).
    pub site: Option<PathBuf>,
}

/// What every request handler shares.
pub(crate) struct AppState {
    served: RwLock<Served>,
    /// The signing key's public half and `--jwks` (stored keys are added).
    base_jwks: Value,
    /// Keys and client rules.
    pub(crate) access: Access,
    /// The ledger.
    pub(crate) ledger: Ledger,
    now: Option<Instant>,
    /// The canonical site directory, if any.
    site: Option<PathBuf>,
}

impl AppState {
    /// The request time: the fixed clock, or the system's.
    pub(crate) fn now(&self) -> Instant {
        self.now
            .unwrap_or_else(|| Instant(Utc::now().timestamp_millis()))
    }

    fn served(&self) -> Served {
        self.served
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Serves what `next` holds, channel by channel, never going back to
    /// an older version (a source refresh and a publication may race).
    fn install(&self, next: Served) {
        let mut cur = self.served.write().unwrap_or_else(|p| p.into_inner());
        for (name, ch) in next.channels {
            let newer = cur
                .channels
                .get(&name)
                .is_none_or(|c| c.bundle.version < ch.bundle.version);
            if newer {
                tracing::info!(target: "promo_origin::serve", channel = %name, version = ch.bundle.version, "serving bundle");
                cur.channels.insert(name, ch);
            }
        }
        cur.jwks = next.jwks;
        cur.refused = next.refused;
    }

    /// Runs `f` on the blocking pool (the ledger's calls block).
    pub(crate) async fn blocking<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
    {
        let st = self.clone();
        tokio::task::spawn_blocking(move || f(&st))
            .await
            .map_err(ApiError::internal)?
    }

    /// [`AppState::blocking`] with the served snapshot of `channel`.
    pub(crate) async fn on_channel<T, F>(
        self: &Arc<Self>,
        channel: String,
        f: F,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&AppState, &Channel) -> Result<T, ApiError> + Send + 'static,
    {
        self.blocking(move |st| f(st, &*st.channel(&channel)?))
            .await
    }

    /// The served snapshot of a channel.
    pub(crate) fn channel(&self, name: &str) -> Result<Arc<Channel>, ApiError> {
        let served = self.served.read().unwrap_or_else(|p| p.into_inner());
        served.channels.get(name).cloned().ok_or_else(|| {
            ApiError::new(
                404,
                "CHANNEL_NOT_FOUND",
                format!("no bundle for channel `{name}`"),
            )
        })
    }
}

/// A JSON answer.
pub(crate) fn json_response(status: StatusCode, body: String) -> Response {
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

/// The body, or 413/400.
pub(crate) fn body_bytes(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                413,
                "PAYLOAD_TOO_LARGE",
                format!("the body exceeds {MAX_BODY_BYTES} bytes"),
            )
        } else {
            ApiError::new(400, "INVALID_BODY", e.body_text())
        }
    })
}

/// The body as `T`, or 400 `INVALID_JSON`.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::new(
            400,
            "INVALID_JSON",
            format!("the body is not valid JSON for this route: {e}"),
        )
    })
}

async fn get_bundle(
    State(st): State<Arc<AppState>>,
    UrlPath(channel): UrlPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let ch = st.channel(&channel)?;
    let etag = &ch.bundle.etag;
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',').any(|t| {
                let t = t.trim();
                t == "*" || t == etag || t.strip_prefix("W/") == Some(etag.as_str())
            })
        });
    let mut res = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = (StatusCode::OK, ch.bundle.bundle.clone()).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/vnd.promo-edge.bundle"),
        );
        r
    };
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&ch.bundle.version.to_string()) {
        h.insert("x-snapshot-version", v);
    }
    Ok(res)
}

async fn get_keys(State(st): State<Arc<AppState>>) -> Response {
    let jwks = st.served().jwks;
    json_response(StatusCode::OK, jwks.to_string())
}

/// Which credentials a route takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// `/v1/…`: a server key.
    Server,
    /// `/client/v1/…`: a client key from an allowed origin.
    Client,
}

impl AppState {
    /// The caller's channel on a route of `side` (`redeem`: the route redeems).
    pub(crate) fn caller(
        &self,
        side: Side,
        headers: &HeaderMap,
        redeem: bool,
    ) -> Result<String, ApiError> {
        match side {
            Side::Server => self.access.server(headers),
            Side::Client => self.access.client(headers, redeem),
        }
        .map(str::to_string)
    }
}

/// Unknown API routes are JSON 404s; anything else is a static file when
/// `--site` is given.
async fn not_found(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    match &st.site {
        Some(root)
            if !path.starts_with("/v1/") && !path.starts_with("/client/") && path != "/healthz" =>
        {
            crate::site::serve_file(root.clone(), req.method().clone(), path).await
        }
        _ => ApiError::new(404, "NOT_FOUND", "no such route").into_response(),
    }
}

/// One JSON log line per request.
async fn log_requests(req: Request, next: Next) -> Response {
    let start = StdInstant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let idem = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let res = next.run(req).await;
    let status = res.status().as_u16();
    tracing::info!(
        target: "promo_origin::http",
        method = %method,
        path = %path,
        status,
        duration_ms = start.elapsed().as_secs_f64() * 1000.0,
        idempotency_key = idem.as_deref().unwrap_or(""),
        "request"
    );
    res
}

/// JSON for 405 (axum answers it with an empty body).
async fn method_json(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let res = next.run(req).await;
    if res.status() == StatusCode::METHOD_NOT_ALLOWED {
        return ApiError::new(
            405,
            "METHOD_NOT_ALLOWED",
            format!("{method} is not allowed here"),
        )
        .into_response();
    }
    if res.status() == StatusCode::PAYLOAD_TOO_LARGE && method == Method::POST {
        return ApiError::new(
            413,
            "PAYLOAD_TOO_LARGE",
            format!("the body exceeds {MAX_BODY_BYTES} bytes"),
        )
        .into_response();
    }
    res
}

/// CORS on `/client/v1/…`: preflights are answered here, answers to an
/// allowed origin carry `Access-Control-Allow-Origin`.
async fn client_cors(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/client/") {
        return next.run(req).await;
    }
    let method = req.method().clone();
    let headers = req.headers().clone();
    if method == Method::OPTIONS {
        return st.access.cors(&method, &headers, None);
    }
    let res = next.run(req).await;
    st.access.cors(&method, &headers, Some(res))
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/v1/bundles/{channel}", get(get_bundle))
        .route("/v1/keys", get(get_keys))
        .route("/v1/validations", post(stackable::post_validation))
        .route("/v1/redemptions", post(stackable::post_redemption))
        .route("/v1/redemptions/{id}", get(stackable::get_redemption))
        .route(
            "/v1/redemptions/{id}/rollback",
            post(stackable::post_rollback),
        )
        .route("/v1/events", get(stackable::get_events))
        .route("/v1/qualifications", post(stackable::post_qualification))
        .route(
            "/v1/redemptions/{id}/rollbacks",
            post(stackable::post_rollback),
        )
        .route("/v1/vouchers/{code}", get(crate::voucherify::get_voucher))
        .route(
            "/v1/vouchers/{code}/validate",
            post(crate::voucherify::post_voucher_validate),
        )
        .route(
            "/v1/promotions/validation",
            post(crate::voucherify::post_promotions_validation),
        )
        .route(
            "/client/v1/validate",
            get(crate::voucherify::get_client_validate),
        )
        .route(
            "/client/v1/promotions/validation",
            get(crate::voucherify::get_client_promotions),
        )
        .route(
            "/client/v1/validations",
            post(stackable::post_client_validation),
        )
        .route(
            "/client/v1/qualifications",
            post(stackable::post_client_qualification),
        )
        .route(
            "/client/v1/redemptions",
            post(stackable::post_client_redemption),
        )
        .route("/healthz", get(|| async { "ok" }))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(method_json))
        .layer(middleware::from_fn_with_state(state.clone(), client_cors))
        .layer(middleware::from_fn(log_requests))
        .with_state(state)
}

/// The keys served at `/v1/keys` besides those stored with bundles: the
/// signing key's public half and `--jwks` (rotation).
fn trusted_keys(
    signer: Option<&Signer>,
    extra: Option<&std::path::Path>,
) -> Result<Value, CliError> {
    let mut jwks = signer.map_or_else(|| serde_json::json!({"keys": []}), Signer::jwks);
    if let Some(path) = extra {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::io(format!("cannot read {}", path.display()), e))?;
        let extra: Value = serde_json::from_str(&text)
            .map_err(|e| CliError::new("JWKS_INVALID", format!("{}: {e}", path.display())))?;
        let own = signer.map(|s| Value::String(s.kid.clone()));
        if let (Some(list), Some(more)) = (
            jwks.get_mut("keys").and_then(Value::as_array_mut),
            extra.get("keys").and_then(Value::as_array),
        ) {
            for k in more {
                if own.is_none() || k.get("kid") != own.as_ref() {
                    list.push(k.clone());
                }
            }
        }
    }
    Ok(jwks)
}

/// Publishes `--source`s and stores `--bundle`s into the ledger; answers
/// their channels (each may be given once).
fn store_given(
    cfg: &ServeConfig,
    signer: Option<&Signer>,
    ledger: &Ledger,
    base_jwks: &Value,
    now: DateTime<Utc>,
) -> Result<Vec<String>, CliError> {
    let mut channels: Vec<String> = Vec::new();
    let mut given = |channel: String| {
        if channels.contains(&channel) {
            return Err(CliError::new(
                "CHANNEL_DUPLICATE",
                format!("channel `{channel}` is served twice"),
            ));
        }
        channels.push(channel);
        Ok(())
    };
    for dir in &cfg.sources {
        let signer = signer.ok_or_else(|| CliError::new("USAGE", "--source needs --key"))?;
        given(publication::publish_source(dir, signer, ledger, now, cfg.lifetime_ms)?.channel)?;
    }
    for path in &cfg.bundles {
        given(publication::store_bundle_file(path, ledger, base_jwks, now)?.channel)?;
    }
    Ok(channels)
}

/// Keys of one kind (`what`: `--channel-key` or `--client-key`), each
/// naming a channel that is served.
fn keys_of(
    what: &str,
    pairs: &[(String, String)],
    served: &Served,
) -> Result<Vec<(String, Vec<u8>)>, CliError> {
    let mut keys = Vec::new();
    for (channel, secret) in pairs {
        if !served.channels.contains_key(channel) {
            return Err(CliError::new(
                "CHANNEL_NOT_FOUND",
                format!(
                    "{what} names channel `{channel}`, which no source, bundle or stored publication serves"
                ),
            ));
        }
        if secret.len() < 16 {
            return Err(CliError::new(
                "CHANNEL_KEY_WEAK",
                format!("the {what} of channel `{channel}` is shorter than 16 characters"),
            ));
        }
        keys.push((channel.clone(), secret.as_bytes().to_vec()));
    }
    Ok(keys)
}

/// The server's [`Access`]: a client key must differ from every server
/// key (a leaked client key must never unlock a server route).
fn access(cfg: &ServeConfig, served: &Served) -> Result<Access, CliError> {
    let server = keys_of("--channel-key", &cfg.channel_keys, served)?;
    let client = keys_of("--client-key", &cfg.client_keys, served)?;
    if client
        .iter()
        .any(|(_, c)| server.iter().any(|(_, s)| s == c))
    {
        return Err(CliError::new(
            "CLIENT_KEY_REUSED",
            "a --client-key equals a --channel-key: client keys are public, give them their own value",
        ));
    }
    if !client.is_empty() && cfg.allowed_origins.is_empty() {
        return Err(CliError::new(
            "USAGE",
            "--client-key needs at least one --allowed-origin (the storefront's origin, or * for any)",
        ));
    }
    Ok(Access {
        server,
        client,
        allowed_origins: cfg.allowed_origins.clone(),
        client_redeem: cfg.client_redeem,
    })
}

fn site_dir(site: Option<&std::path::Path>) -> Result<Option<PathBuf>, CliError> {
    let Some(dir) = site else { return Ok(None) };
    dir.canonicalize()
        .ok()
        .filter(|d| d.is_dir())
        .map(Some)
        .ok_or_else(|| {
            CliError::new(
                "SITE_NOT_FOUND",
                format!("--site {} is not a directory", dir.display()),
            )
        })
}

/// Runs the server until SIGINT or SIGTERM.
pub fn run(cfg: ServeConfig) -> Result<(), CliError> {
    let signer = cfg.key.as_deref().map(Signer::load).transpose()?;
    let base_jwks = trusted_keys(signer.as_ref(), cfg.jwks.as_deref())?;
    let site = site_dir(cfg.site.as_deref())?;
    // The database's connections run on the server's runtime, which
    // exists before the database is opened.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::io("cannot start the runtime".into(), e))?;
    let db = Database::open(&cfg.database, cfg.db_settings, runtime.handle())?;
    tracing::info!(target: "promo_origin::serve", database = %cfg.database.redacted(), kind = db.kind(), "ledger open");
    let ledger = Ledger::new(db);
    let now = cfg.now.unwrap_or_else(Utc::now);
    let required = store_given(&cfg, signer.as_ref(), &ledger, &base_jwks, now)?;
    let served = publication::load_served(
        &ledger,
        &base_jwks,
        Instant(now.timestamp_millis()),
        &required,
    )?;
    if served.channels.is_empty() {
        return Err(CliError::new(
            "NO_BUNDLE",
            "nothing to serve: give --source or --bundle, or publish into the database first (publish --database)",
        ));
    }
    let access = access(&cfg, &served)?;
    let state = Arc::new(AppState {
        served: RwLock::new(served),
        base_jwks,
        access,
        ledger,
        now: cfg.now.map(|t| Instant(t.timestamp_millis())),
        site,
    });
    let sources = match signer {
        Some(signer) if cfg.refresh_ms > 0 && !cfg.sources.is_empty() => Some(Sources {
            dirs: cfg.sources.clone(),
            signer,
            lifetime_ms: cfg.lifetime_ms,
            every_ms: cfg.refresh_ms,
            fixed_now: cfg.now,
        }),
        _ => None,
    };
    runtime.block_on(serve_http(cfg.listen.clone(), state, sources))
}

/// Listens, prints the address, starts the background tasks and serves
/// until a signal.
async fn serve_http(
    listen: String,
    state: Arc<AppState>,
    sources: Option<Sources>,
) -> Result<(), CliError> {
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| CliError::io(format!("cannot listen on {listen}"), e))?;
    let addr: SocketAddr = listener
        .local_addr()
        .map_err(|e| CliError::io("no local address".into(), e))?;
    // The one line on stdout: tests and scripts read the port from it.
    println!("promo-origin listening on http://{addr}");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    if let Some(sources) = sources {
        tokio::spawn(refresh_loop(state.clone(), sources));
    }
    let notes = state.ledger.database().publications();
    tokio::spawn(watch_publications(state.clone(), notes));
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| CliError::io("server error".into(), e))
}

/// Serves what other nodes (or `publish --database`) store: wakes on a
/// notification (PostgreSQL) or a timer, and re-reads the newest versions.
async fn watch_publications(
    state: Arc<AppState>,
    mut notes: Option<tokio::sync::watch::Receiver<u64>>,
) {
    loop {
        let period = if notes.is_some() {
            publication::PG_FALLBACK
        } else {
            publication::SQLITE_POLL
        };
        let listener_gone = match notes.as_mut() {
            Some(rx) => tokio::select! {
                r = rx.changed() => r.is_err(),
                () = tokio::time::sleep(period) => false,
            },
            None => {
                tokio::time::sleep(period).await;
                false
            }
        };
        if listener_gone {
            notes = None;
        }
        let st = state.clone();
        let _ = tokio::task::spawn_blocking(move || {
            let served = st.served();
            match publication::newer(&st.ledger, &served, &st.base_jwks, st.now()) {
                Ok(Some(next)) => st.install(next),
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(target: "promo_origin::serve", code = %e.code, "cannot look for new publications");
                }
            }
        })
        .await;
    }
}

/// Republishes a source whose files changed or whose bundle passed half
/// its lifetime, and swaps the channel's engine. A source that no longer
/// publishes (an edit with an error) is logged; the last good bundle keeps
/// serving.
async fn refresh_loop(state: Arc<AppState>, sources: Sources) {
    let period =
        std::time::Duration::from_millis(u64::try_from(sources.every_ms).unwrap_or(1).max(1));
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    let sources = Arc::new(sources);
    loop {
        tick.tick().await;
        let st = state.clone();
        let sources = sources.clone();
        let _ = tokio::task::spawn_blocking(move || {
            let now = sources.fixed_now.unwrap_or_else(Utc::now);
            for dir in &sources.dirs {
                refresh_one(&st, &sources, dir, now);
            }
        })
        .await;
    }
}

fn refresh_one(st: &AppState, sources: &Sources, dir: &std::path::Path, now: DateTime<Utc>) {
    let published =
        publication::publish_source(dir, &sources.signer, &st.ledger, now, sources.lifetime_ms)
            .and_then(|b| {
                let current = st.channel(&b.channel).ok().map(|c| c.bundle.version);
                if current >= Some(b.version) {
                    return Ok(None);
                }
                let served = st.served();
                let mut engine = Engine::new();
                engine.load_bundle(&b.bundle, &served.jwks, Instant(now.timestamp_millis()), 0)?;
                let mut next = served;
                next.channels
                    .insert(b.channel.clone(), Arc::new(Channel { engine, bundle: b }));
                Ok(Some(next))
            });
    match published {
        Ok(None) => {}
        Ok(Some(next)) => st.install(next),
        Err(e) => {
            tracing::error!(target: "promo_origin::publish", source = %dir.display(), error = %e, "republishing failed; the last good bundle keeps serving");
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!(target: "promo_origin::serve", "shutting down");
}
