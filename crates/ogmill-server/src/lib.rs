//! The HTTP endpoint: a thin, asynchronous leaf over the synchronous [`Renderer`].
//!
//! A request flows one way: raw query or JSON body -> [`RenderRequest`]
//! -> validated by the renderer -> cache key and ETag -> memory cache -> (on a miss) one
//! render per key on the blocking pool behind a concurrency limit -> PNG response. Failures
//! that are not the client's are answered with the fallback image, never a 5xx.

mod cache;
mod card;
mod connection;
mod error;
pub use ogmill_images as images;
use ogmill_images::{flight, lru_bytes};
mod listener;
mod metrics;
mod playground;
mod pool;
pub mod ratelimit;
pub mod redis;
mod routes;
mod startup;
pub mod watch;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use ogmill_core::{RenderRequest, Renderer, Result};

pub use error::ApiError;
pub use listener::serve;
pub use routes::app;
pub use startup::StartupError;

/// How the server runs. Every field has a flag, an `OGMILL_*` variable and a TOML key
/// (see the `ogmill` binary's `Config`).
#[derive(Clone, Debug, PartialEq)]
pub struct ServerOptions {
    /// Where to listen. Default: `127.0.0.1:3000`.
    pub bind: SocketAddr,
    /// Bytes of PNGs the memory cache keeps. Default: 256 MiB.
    pub cache_bytes: u64,
    /// How long a PNG stays in the memory cache. Default: 24 hours.
    pub cache_ttl: Duration,
    /// `Cache-Control` of rendered images. Default:
    /// `public, max-age=86400, s-maxage=86400, stale-while-revalidate=604800`.
    pub cache_control: String,
    /// Renders running at once. Default: the number of cores.
    pub concurrency: usize,
    /// Renders that may wait for a free slot; past that, requests get 503. Default: 64.
    pub queue: usize,
    /// Longest wait for a render, queueing included, before the fallback is sent; a render
    /// still drawing this long after it started is stopped. Default: 10 s.
    pub render_timeout: Duration,
    /// Longest time for a whole request, body included; then 408. Default: 30 s.
    pub request_timeout: Duration,
    /// Longest time a client may take to send its request headers, and the first request's
    /// from the moment it connects (whatever the protocol). Default: 10 s.
    pub header_timeout: Duration,
    /// A connection with no request in flight for this long is closed (HTTP/1 keep-alive
    /// and HTTP/2 alike). Default: 60 s.
    pub idle_timeout: Duration,
    /// Open connections at most; further ones wait in the kernel's backlog. Default: 1024.
    pub max_connections: usize,
    /// Open connections one client address may hold (trusted proxies are not counted); past
    /// it, new ones are closed at once. Default: 256.
    pub max_connections_per_client: usize,
    /// Largest POST body in bytes; larger is 413. Default: 64 KiB.
    pub max_body_bytes: usize,
    /// Time in-flight requests get to finish after a shutdown signal. Default: 10 s.
    pub shutdown_grace: Duration,
    /// A PNG file sent when a render fails. Default: `None`, the `default` template
    /// rendered with `site_name`.
    pub fallback_image: Option<PathBuf>,
    /// Site name drawn on the default fallback image. Default: empty.
    pub site_name: String,
    /// Keys accepted by `POST /v1/{template}`. Default: none, and the route is open.
    pub api_keys: Vec<String>,
    /// Keys for signed URLs on the GET routes: sign with the first, accept any. With keys, a
    /// URL carrying `sig` must verify. Default: none.
    pub signing_keys: Vec<String>,
    /// Refuse URLs without a valid signature (403). Needs `signing_keys`. Default: `false`.
    pub require_signature: bool,
    /// How image params are fetched, read and cached.
    pub images: crate::images::ImageOptions,
    /// `Cache-Control` of a card drawn with a placeholder because an image could not be
    /// had. Default: `public, max-age=300`.
    pub degraded_cache_control: String,
    /// A shared Redis tier behind the memory cache. Default: `None`.
    pub redis: Option<redis::RedisOptions>,
    /// Development mode: hot reload pushed to open playground pages, signed URLs and the
    /// page checker (which may fetch from loopback) in the playground. Default: `false`.
    pub dev: bool,
    /// Let a `--dev` server answer any `Host` and `Origin`, and bind a non-loopback
    /// address. Without it, `dev` refuses both (DNS rebinding, cross-site requests).
    /// Default: `false`.
    pub dev_public: bool,
    /// Content negotiation on `/api/og`: without a format in the URL, WebP for clients whose
    /// `Accept` lists `image/webp`, PNG otherwise, and `Vary: Accept` on every answer. Off by
    /// default, because crawlers that claim WebP do not all show it. Default: `false`.
    pub accept_formats: bool,
    /// Renders per client (its API key, else its address); a cache hit or a 304 spends
    /// nothing. Default: none.
    pub rate_limit: Option<ratelimit::Rate>,
    /// Limits for particular API keys, over `rate_limit`. Default: none.
    pub rate_limit_keys: std::collections::HashMap<String, ratelimit::Rate>,
    /// Proxies whose `X-Forwarded-For` names the client (and whose `X-Forwarded-Proto` is
    /// believed). Default: none (the peer is the client).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The server's public origin (`https://og.example.com`), for the URLs it hands out
    /// (`delivery=signed`). Default: `None`, the request's `Host`.
    pub public_url: Option<String>,
    /// The longest `expiresIn` a `delivery=signed` URL may have. Default: 30 days.
    pub max_signed_expiry: Duration,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            bind: SocketAddr::from(([127, 0, 0, 1], 3000)),
            cache_bytes: 256 * 1024 * 1024,
            cache_ttl: Duration::from_secs(24 * 60 * 60),
            cache_control: "public, max-age=86400, s-maxage=86400, stale-while-revalidate=604800"
                .into(),
            concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            queue: 64,
            render_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
            max_connections_per_client: 256,
            max_body_bytes: 64 * 1024,
            shutdown_grace: Duration::from_secs(10),
            fallback_image: None,
            site_name: String::new(),
            api_keys: vec![],
            signing_keys: vec![],
            require_signature: false,
            images: crate::images::ImageOptions::default(),
            degraded_cache_control: "public, max-age=300".into(),
            redis: None,
            dev: false,
            dev_public: false,
            accept_formats: false,
            rate_limit: None,
            rate_limit_keys: std::collections::HashMap::new(),
            trusted_proxies: vec![],
            public_url: None,
            max_signed_expiry: Duration::from_secs(30 * 24 * 60 * 60),
        }
    }
}

/// A 1200x630 card of one dark color, as a PNG: the fallback when there is no template.
fn blank_card() -> Bytes {
    let mut pixmap = tiny_skia::Pixmap::new(1200, 630).expect("a 1200x630 canvas");
    pixmap.fill(tiny_skia::Color::from_rgba8(15, 23, 42, 255));
    pixmap.encode_png().expect("a PNG of a plain canvas").into()
}

/// 32 random bytes as hex: the per-start `--dev` token.
fn dev_token() -> Result<String, StartupError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StartupError::Randomness(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// What a dev server tells open playground pages (as server-sent events).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum DevEvent {
    /// New templates or fonts are in use; these templates changed (all of them when fonts did).
    Reload { templates: Vec<String> },
    /// The files on disk are broken; the previous templates stay in use.
    Error { message: String },
}

/// Runs inside every render job before the render: for fault-injection tests (a panic, a
/// slow render). Production code sets none.
pub type FaultHook = Arc<dyn Fn(&str) + Send + Sync>;

/// Everything a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    /// Swapped whole by a hot reload (`serve --dev`); each request takes one snapshot.
    renderer: arc_swap::ArcSwap<Renderer>,
    options: ServerOptions,
    cache_control: axum::http::HeaderValue,
    /// Stored cards and the pool that draws them.
    cards: card::CardService,
    metrics: Arc<metrics::Metrics>,
    fallback: Bytes,
    api_keys: Vec<[u8; 32]>,
    signer: Option<ogmill_core::request::signature::Signer>,
    images: Arc<crate::images::ImageStore>,
    redis: Option<Arc<redis::RedisTier>>,
    degraded_cache_control: axum::http::HeaderValue,
    draining: AtomicBool,
    /// Flips to true with `draining`, so endless responses (event streams) end and a
    /// shutdown need not wait out its grace period for them.
    drain: tokio::sync::watch::Sender<bool>,
    events: tokio::sync::broadcast::Sender<DevEvent>,
    /// The last reload error, shown to pages that open after it; cleared by a good reload.
    reload_error: std::sync::Mutex<Option<String>>,
    limiter: ratelimit::Limiter,
    /// A secret made at start-up that the playground sends with every change it asks a
    /// `--dev` server for (`X-Ogmill-Dev-Token`): only a page this server served can read
    /// it, and a custom header cannot be sent cross-site without CORS, which is never given.
    dev_token: String,
}

impl AppState {
    /// Checks the options and prepares the fallback image.
    pub fn new(renderer: Arc<Renderer>, options: ServerOptions) -> Result<Self, StartupError> {
        let cache_control = header_value("cache-control", &options.cache_control)?;
        let signer = ogmill_core::request::signature::Signer::optional(&options.signing_keys)
            .map_err(StartupError::SigningKey)?;
        if options.require_signature && signer.is_none() {
            return Err(StartupError::SignatureWithoutKey);
        }
        if options.dev && !options.dev_public && !options.bind.ip().is_loopback() {
            return Err(StartupError::DevNotLoopback(options.bind));
        }
        if options.require_signature && options.api_keys.is_empty() {
            tracing::warn!(
                "--require-signature without --api-keys: POST /v1 is closed (403); give it keys to open it"
            );
        }
        let fallback = fallback_image(&renderer, &options)?;
        let images =
            crate::images::ImageStore::new(options.images.clone()).map_err(StartupError::Images)?;
        let degraded_cache_control =
            header_value("degraded-cache-control", &options.degraded_cache_control)?;
        let metrics = Arc::new(metrics::Metrics::new());
        let redis = match &options.redis {
            Some(o) => Some(
                redis::RedisTier::new(o.clone(), metrics.clone()).map_err(StartupError::Redis)?,
            ),
            None => None,
        };
        Ok(AppState(Arc::new(Inner {
            limiter: ratelimit::Limiter::new(options.rate_limit, &options.rate_limit_keys),
            cards: card::CardService::new(
                cache::Cache::new(options.cache_bytes, options.cache_ttl, metrics.clone()),
                redis.clone(),
                pool::Pool::new(
                    options.concurrency,
                    options.queue,
                    options.render_timeout,
                    metrics.clone(),
                ),
                options.render_timeout,
                options.cache_ttl,
            ),
            api_keys: options
                .api_keys
                .iter()
                .map(|k| digest(k.as_bytes()))
                .collect(),
            signer,
            images,
            redis,
            degraded_cache_control,
            cache_control,
            metrics,
            fallback,
            renderer: arc_swap::ArcSwap::new(renderer),
            options,
            draining: AtomicBool::new(false),
            drain: tokio::sync::watch::channel(false).0,
            events: tokio::sync::broadcast::channel(16).0,
            reload_error: std::sync::Mutex::new(None),
            dev_token: dev_token()?,
        })))
    }

    /// The `--dev` token the playground must send with every change (see `dev_guard`).
    pub fn dev_token(&self) -> &str {
        &self.0.dev_token
    }

    /// The same state with a fault hook; see [`FaultHook`].
    pub fn with_fault_hook(self, hook: FaultHook) -> Self {
        let mut inner = Arc::try_unwrap(self.0)
            .unwrap_or_else(|_| panic!("set the fault hook before sharing the state"));
        inner.cards.fault = Some(hook);
        AppState(Arc::new(inner))
    }

    /// The current renderer (a snapshot: a reload does not change it under the caller).
    pub fn renderer(&self) -> Arc<Renderer> {
        self.0.renderer.load_full()
    }

    pub fn options(&self) -> &ServerOptions {
        &self.0.options
    }

    /// Puts `new` in place of the current renderer (a hot reload), drops the cached cards it
    /// made stale (the changed and removed templates' ones; all of them when fonts or
    /// settings changed) and tells open pages. Returns the changed template names.
    pub fn replace_renderer(&self, new: Arc<Renderer>) -> Vec<String> {
        let old = self.0.renderer.swap(new.clone());
        let stale: Vec<(String, u64)> = old
            .templates()
            .filter(|t| new.template(&t.name).is_none_or(|n| n.hash != t.hash))
            .map(|t| (t.name.clone(), t.hash))
            .collect();
        let mut changed: Vec<String> = new
            .templates()
            .filter(|t| old.template(&t.name).is_none_or(|o| o.hash != t.hash))
            .map(|t| t.name.clone())
            .collect();
        if old.fingerprint() != new.fingerprint() {
            self.0.cards.forget(|_| true);
            changed = new.templates().map(|t| t.name.clone()).collect();
        } else {
            self.0.cards.forget(|k| {
                stale
                    .iter()
                    .any(|(name, hash)| k.template() == name && k.template_hash() == *hash)
            });
        }
        *self.reload_error() = None;
        let _ = self.0.events.send(DevEvent::Reload {
            templates: changed.clone(),
        });
        changed
    }

    /// A reload failed: the current renderer stays; open pages are told why.
    pub fn report_reload_error(&self, message: String) {
        *self.reload_error() = Some(message.clone());
        let _ = self.0.events.send(DevEvent::Error { message });
    }

    fn reload_error(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.0
            .reload_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Events for the playground, from now on.
    pub fn events(&self) -> tokio::sync::broadcast::Receiver<DevEvent> {
        self.0.events.subscribe()
    }

    /// The Prometheus text that `/metrics` serves.
    pub fn metrics_text(&self) -> String {
        let m = &self.0.metrics;
        let layers = self.renderer().layer_cache_usage();
        m.layer_cache_bytes.set(layers.bytes as i64);
        m.layer_cache_entries.set(layers.entries as i64);
        m.layer_cache_evictions.set(layers.evicted as i64);
        m.rate_limit_clients.set(self.0.limiter.clients() as i64);
        m.encode()
    }

    /// After this, `/readyz` answers 503 so load balancers stop sending traffic.
    pub fn start_draining(&self) {
        self.0.draining.store(true, Ordering::SeqCst);
        self.0.drain.send_replace(true);
    }

    /// Completes once draining has started.
    pub async fn drained(&self) {
        let mut rx = self.0.drain.subscribe();
        let _ = rx.wait_for(|d| *d).await;
    }

    pub fn is_draining(&self) -> bool {
        self.0.draining.load(Ordering::SeqCst)
    }
}

/// A setting that becomes a response header, checked at start-up.
fn header_value(
    setting: &'static str,
    value: &str,
) -> Result<axum::http::HeaderValue, StartupError> {
    axum::http::HeaderValue::from_str(value).map_err(|_| StartupError::HeaderValue {
        setting,
        value: value.to_owned(),
    })
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

/// The configured PNG, or the `default` template (else the first one) with the site name.
fn fallback_image(renderer: &Renderer, options: &ServerOptions) -> Result<Bytes, StartupError> {
    if let Some(path) = &options.fallback_image {
        let png = std::fs::read(path).map_err(|source| StartupError::FallbackUnreadable {
            path: path.clone(),
            source,
        })?;
        if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err(StartupError::FallbackNotPng(path.clone()));
        }
        return Ok(png.into());
    }
    let template = match renderer.template("default") {
        Some(t) => t,
        None => match renderer.templates().next() {
            Some(t) => t,
            // A dev server waiting for its first design: a plain card of the usual size.
            None => return Ok(blank_card()),
        },
    };
    let mut req = RenderRequest {
        template: template.name.clone(),
        unknown: ogmill_core::request::params::UnknownParams::Ignore,
        ..RenderRequest::default()
    };
    if !options.site_name.is_empty() {
        req.params.push(("site".into(), options.site_name.clone()));
    }
    let card = renderer
        .resolve(&req)
        .and_then(|r| renderer.render(&r, ogmill_core::Inputs::default()))
        .map_err(StartupError::FallbackRender)?;
    Ok(card.bytes.into())
}
