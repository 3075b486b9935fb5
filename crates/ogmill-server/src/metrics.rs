//! What `/metrics` reports, in the OpenMetrics text format Prometheus scrapes. Each state has
//! its own registry (no globals), so tests can run many servers side by side.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabels {
    pub reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OpLabels {
    pub op: &'static str,
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub cache_hits: Counter,
    pub cache_misses: Counter,
    pub cache_evictions: Counter,
    pub cache_bytes: Gauge,
    pub cache_entries: Gauge,
    /// The renderer's cache of drawn template backgrounds, read at each scrape.
    pub layer_cache_bytes: Gauge,
    pub layer_cache_entries: Gauge,
    pub layer_cache_evictions: Gauge,
    /// Renders refused by a client's rate limit, and clients with a bucket.
    pub rate_limited: Counter,
    pub rate_limit_clients: Gauge,
    /// Finished renders by outcome: `ok`, `error`, `panic`.
    pub renders: Family<OutcomeLabels, Counter>,
    pub render_seconds: Histogram,
    pub renders_in_flight: Gauge,
    pub renders_queued: Gauge,
    pub shed: Counter,
    /// Fallback images sent, by reason: `timeout`, `panic`, `error`.
    pub fallbacks: Family<ReasonLabels, Counter>,
    pub image_problems: Family<ReasonLabels, Counter>,
    pub redis_hits: Counter,
    pub redis_misses: Counter,
    pub redis_writes: Counter,
    /// Redis failures (each one a miss) by operation: `get`, `set`, `lock`, `connect`...
    pub redis_errors: Family<OpLabels, Counter>,
}

impl Metrics {
    pub fn new() -> Self {
        let mut m = Metrics {
            registry: Registry::with_prefix("ogmill"),
            requests: Family::default(),
            cache_hits: Counter::default(),
            cache_misses: Counter::default(),
            cache_evictions: Counter::default(),
            cache_bytes: Gauge::default(),
            cache_entries: Gauge::default(),
            layer_cache_bytes: Gauge::default(),
            layer_cache_entries: Gauge::default(),
            layer_cache_evictions: Gauge::default(),
            rate_limited: Counter::default(),
            rate_limit_clients: Gauge::default(),
            renders: Family::default(),
            // 1 ms to about 8 s.
            render_seconds: Histogram::new(exponential_buckets(0.001, 2.0, 14)),
            renders_in_flight: Gauge::default(),
            renders_queued: Gauge::default(),
            shed: Counter::default(),
            fallbacks: Family::default(),
            image_problems: Family::default(),
            redis_hits: Counter::default(),
            redis_misses: Counter::default(),
            redis_writes: Counter::default(),
            redis_errors: Family::default(),
        };
        let r = &mut m.registry;
        r.register(
            "http_requests",
            "HTTP requests by route and status",
            m.requests.clone(),
        );
        r.register("cache_hits", "Memory cache hits", m.cache_hits.clone());
        r.register(
            "cache_misses",
            "Memory cache misses",
            m.cache_misses.clone(),
        );
        r.register(
            "cache_evictions",
            "Cards evicted from the memory cache to stay under its byte budget",
            m.cache_evictions.clone(),
        );
        r.register(
            "cache_bytes",
            "Bytes held by the memory cache",
            m.cache_bytes.clone(),
        );
        r.register(
            "cache_entries",
            "Cards held by the memory cache",
            m.cache_entries.clone(),
        );
        r.register(
            "layer_cache_bytes",
            "Bytes of drawn template backgrounds held (--layer-cache-size)",
            m.layer_cache_bytes.clone(),
        );
        r.register(
            "layer_cache_entries",
            "Drawn template backgrounds held",
            m.layer_cache_entries.clone(),
        );
        r.register(
            "layer_cache_evictions",
            "Backgrounds dropped to stay under the byte budget since the templates were loaded",
            m.layer_cache_evictions.clone(),
        );
        r.register(
            "rate_limited",
            "Renders refused with 429 by a client's rate limit",
            m.rate_limited.clone(),
        );
        r.register(
            "rate_limit_clients",
            "Clients with a rate-limit bucket (bounded: least recently seen dropped first)",
            m.rate_limit_clients.clone(),
        );
        r.register("renders", "Finished renders by outcome", m.renders.clone());
        r.register(
            "render_duration_seconds",
            "Time to render and encode one card",
            m.render_seconds.clone(),
        );
        r.register(
            "renders_in_flight",
            "Renders running now",
            m.renders_in_flight.clone(),
        );
        r.register(
            "renders_queued",
            "Renders waiting for a free slot",
            m.renders_queued.clone(),
        );
        r.register(
            "shed_requests",
            "Requests answered 503 because the render queue was full",
            m.shed.clone(),
        );
        r.register(
            "fallbacks",
            "Fallback images sent, by reason",
            m.fallbacks.clone(),
        );
        r.register(
            "image_problems",
            "Images drawn as a placeholder, by reason",
            m.image_problems.clone(),
        );
        r.register("redis_hits", "Cards found in Redis", m.redis_hits.clone());
        r.register(
            "redis_misses",
            "Cards looked up in Redis and not found",
            m.redis_misses.clone(),
        );
        r.register(
            "redis_writes",
            "Cards stored in Redis",
            m.redis_writes.clone(),
        );
        r.register(
            "redis_errors",
            "Redis commands that failed or timed out (served without Redis)",
            m.redis_errors.clone(),
        );
        m
    }

    pub fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }

    pub fn render_outcome(&self, outcome: &'static str) {
        self.renders.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    pub fn redis_error(&self, op: &'static str) {
        self.redis_errors.get_or_create(&OpLabels { op }).inc();
    }

    pub fn image_problem(&self, reason: &'static str) {
        self.image_problems
            .get_or_create(&ReasonLabels { reason })
            .inc();
    }

    pub fn fallback(&self, reason: &'static str) {
        self.fallbacks.get_or_create(&ReasonLabels { reason }).inc();
    }
}
