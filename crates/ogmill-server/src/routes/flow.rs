//! The request -> card flow in HTTP terms: validate, 304, the rate limit, pictures, headers,
//! and the fallback image when a render fails. Where a card is stored and how it is drawn
//! is the [`CardService`](crate::card::CardService)'s.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::card::{Order, Sharing, Tier};
use crate::pool::{Card, Failure};
use crate::{ApiError, AppState};
use ogmill_core::request::params::UnknownParams;
use ogmill_core::{RenderRequest, Resolved};

use super::http_cache::{etag, if_none_match};
use super::{
    SERVER_TIMING, X_CACHE, X_FALLBACK, X_FIT, X_FONT_SUBSTITUTED, X_FORMAT, X_IGNORED,
    X_IMAGE_ERROR, X_MISSING,
};

/// The request -> card flow: validate, answer 304 or a hit without rendering, else render
/// once per key behind the pool, and send the fallback image when the render fails.
pub(super) async fn render_card(
    state: &AppState,
    template: &str,
    params: Vec<(String, String)>,
    headers: &HeaderMap,
    client: Option<&crate::ratelimit::Client>,
) -> Result<Response, ApiError> {
    let req = RenderRequest {
        template: template.to_owned(),
        params,
        unknown: UnknownParams::Ignore,
    };
    // One snapshot for the whole request: a hot reload must not pair one template's key
    // with another's pixels.
    let renderer = state.renderer();
    let resolved = renderer.resolve(&req)?;
    let card_key = renderer.key(&resolved);
    let format = resolved.output().format;
    let etag = etag(&card_key);
    let private = resolved.template().private
        && (headers.contains_key(header::AUTHORIZATION) || headers.contains_key(header::COOKIE));
    let cache_control = if private {
        HeaderValue::from_static("private, no-store")
    } else {
        state.0.cache_control.clone()
    };
    let ignored = ignored_header(resolved.ignored());
    let substituted = substituted_header(resolved.template());
    if if_none_match(headers, &etag) {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        res.headers_mut().insert(header::ETAG, etag);
        res.headers_mut()
            .insert(header::CACHE_CONTROL, cache_control);
        return Ok(res);
    }
    let rendered = if private {
        CacheStatus::Bypass
    } else {
        CacheStatus::Miss
    };
    let reply = |card: &Card, cache: CacheStatus| {
        let mut res = card_response(card, cache, cache_control.clone());
        if let Some(v) = &ignored {
            res.headers_mut().insert(X_IGNORED, v.clone());
        }
        if let Some(v) = &substituted {
            res.headers_mut().insert(X_FONT_SUBSTITUTED, v.clone());
        }
        if card.content_type != format.content_type() {
            // The smaller PNG of the same pixels, sent for a WebP that would be larger.
            let said = format!(
                "{}; the {} would be larger",
                card.content_type,
                format.name()
            );
            if let Ok(v) = HeaderValue::from_str(&said) {
                res.headers_mut().insert(X_FORMAT, v);
            }
        }
        res
    };
    let cards = &state.0.cards;
    if !private {
        if let Some((card, tier)) = cards.stored(&card_key, &etag, format).await {
            let status = match tier {
                Tier::Memory => CacheStatus::Hit,
                Tier::Redis => CacheStatus::Redis,
            };
            return Ok(reply(&card, status));
        }
    }
    // Only a render spends from the client's limit: hits, 304s and Redis hits are free.
    let limit_headers = spend(state, client).await?;
    let (images, problems) = load_images(state, &resolved).await;
    // A card drawn with a placeholder is not the card this key names: keep it out of the
    // cache, give it no ETag and a short lifetime, and say why.
    let degraded = !problems.is_empty();
    let sharing = match (private, degraded) {
        (true, _) => Sharing::Private,
        (false, true) => Sharing::Unstored,
        (false, false) => Sharing::Shared,
    };
    let order = Order {
        renderer,
        resolved,
        images,
    };
    match cards.draw(&card_key, etag, order, sharing).await {
        Ok(card) if degraded => {
            let mut res = reply(&card, rendered);
            let h = res.headers_mut();
            h.remove(header::ETAG);
            h.insert(
                header::CACHE_CONTROL,
                state.0.degraded_cache_control.clone(),
            );
            if let Ok(v) = HeaderValue::from_str(&problems.join("; ")) {
                h.insert(X_IMAGE_ERROR, v);
            }
            Ok(res)
        }
        Ok(card) => {
            let mut res = reply(&card, rendered);
            res.headers_mut().extend(limit_headers);
            Ok(res)
        }
        Err(Failure::Shed) => Err(ApiError::Overloaded),
        Err(Failure::Panic(msg)) => Ok(fallback(state, "panic", &req, &msg)),
        Err(Failure::Error(msg)) => Ok(fallback(state, "error", &req, &msg)),
        Err(Failure::Stopped) => Ok(fallback(state, "timeout", &req, "the render took too long")),
    }
}

/// How long a rate-limited request waits for its 429.
const REFUSAL_DELAY: std::time::Duration = std::time::Duration::from_millis(250);

/// Spends a token of the client's rate limit: the `RateLimit-Policy`/`RateLimit` headers
/// to send, or the 429.
/// With Redis, the bucket is the fleet's (one limit across instances); if Redis is away,
/// this instance's own bucket stands in.
async fn spend(
    state: &AppState,
    client: Option<&crate::ratelimit::Client>,
) -> Result<HeaderMap, ApiError> {
    use crate::ratelimit::{Limiter, Verdict};
    let mut h = HeaderMap::new();
    let Some(client) = client else {
        return Ok(h);
    };
    let limiter = &state.0.limiter;
    let shared = match (&state.0.redis, limiter.rate_for(client)) {
        (Some(redis), Some(rate)) => redis
            .spend(&client.0, rate)
            .await
            .map(|(spent, left)| Limiter::verdict(rate, spent, left)),
        _ => None,
    };
    let verdict = match shared {
        Some(v) => v,
        None => limiter.spend(client, std::time::Instant::now()),
    };
    match verdict {
        Verdict::Unlimited => Ok(h),
        Verdict::Allowed {
            rate,
            remaining,
            reset,
        } => {
            let policy = format!("\"renders\";q={};w={}", rate.count, rate.window);
            let left = format!("\"renders\";r={remaining};t={reset}");
            for (name, v) in [("ratelimit-policy", policy), ("ratelimit", left)] {
                if let Ok(v) = HeaderValue::from_str(&v) {
                    h.insert(axum::http::HeaderName::from_static(name), v);
                }
            }
            Ok(h)
        }
        Verdict::Limited { rate, retry_after } => {
            state.0.metrics.rate_limited.inc();
            // A client that ignores Retry-After would otherwise spend a core on 429s (5,000/s
            // measured): answering a refused request a moment late costs an idle task, not CPU,
            // and slows such a client to a few refusals per connection per second.
            tokio::time::sleep(REFUSAL_DELAY).await;
            Err(ApiError::RateLimited {
                count: rate.count,
                window: rate.window,
                retry_after,
            })
        }
    }
}

/// Loads every image slot's image; each problem is logged, counted and named for the
/// response header (`avatar: timed out`).
async fn load_images(
    state: &AppState,
    resolved: &Resolved,
) -> (Vec<Option<crate::images::Prepared>>, Vec<String>) {
    let (images, problems) = state.0.images.load_for(resolved).await;
    let problems = problems
        .into_iter()
        .map(|(param, problem)| {
            let t = &resolved.template().name;
            tracing::warn!(template = %t, %param, %problem, "image replaced by a placeholder");
            state.0.metrics.image_problem(problem.code());
            format!("{param}: {problem}")
        })
        .collect();
    (images, problems)
}

/// Where a card came from, as `X-Ogmill-Cache` says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CacheStatus {
    /// This instance's memory cache.
    Hit,
    /// The shared Redis tier.
    Redis,
    /// Rendered for this request (and stored).
    Miss,
    /// Rendered for this request and kept out of shared caches (a personalised card).
    Bypass,
}

impl CacheStatus {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            CacheStatus::Hit => "hit",
            CacheStatus::Redis => "redis",
            CacheStatus::Miss => "miss",
            CacheStatus::Bypass => "bypass",
        }
    }
}

fn card_response(card: &Card, cache: CacheStatus, cache_control: HeaderValue) -> Response {
    let timing = match cache {
        CacheStatus::Hit | CacheStatus::Redis => format!("cache;desc=\"{}\"", cache.as_str()),
        _ => format!("render;dur={:.1}", card.render_time.as_secs_f64() * 1000.0),
    };
    let mut res = Response::new(Body::from(card.bytes.clone()));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(card.content_type),
    );
    h.insert(header::CONTENT_LENGTH, card.bytes.len().into());
    h.insert(header::ETAG, card.etag.clone());
    h.insert(header::CACHE_CONTROL, cache_control);
    h.insert(X_CACHE, HeaderValue::from_static(cache.as_str()));
    if card.missing_glyphs > 0 {
        h.insert(X_MISSING, card.missing_glyphs.into());
    }
    if let Some(fit) = &card.fit {
        h.insert(X_FIT, fit.clone());
    }
    if let Ok(v) = HeaderValue::from_str(&timing) {
        h.insert(SERVER_TIMING, v);
    }
    res
}

/// `Anton drawn as Inter, Menlo drawn as Inter`: families the template names that no
/// loaded font has, so an operator sees why a card does not look like the design.
fn substituted_header(t: &ogmill_core::template::Template) -> Option<HeaderValue> {
    let list: Vec<String> = t
        .substituted_fonts()
        .iter()
        .map(|s| s.to_string())
        .collect();
    if list.is_empty() {
        return None;
    }
    HeaderValue::from_str(&list.join(", ")).ok()
}

/// A preview is never broken: a failure that is not the client's gets the fallback image,
/// marked so it is never cached, and the cause goes to the log.
fn fallback(state: &AppState, reason: &'static str, req: &RenderRequest, detail: &str) -> Response {
    tracing::error!(template = %req.template, reason, detail, "render failed; sent the fallback image");
    state.0.metrics.fallback(reason);
    let mut res = Response::new(Body::from(state.0.fallback.clone()));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    h.insert(header::CONTENT_LENGTH, state.0.fallback.len().into());
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(X_FALLBACK, HeaderValue::from_static(reason));
    h.insert(
        X_CACHE,
        HeaderValue::from_static(CacheStatus::Miss.as_str()),
    );
    res
}

/// Says which params were ignored, so a typo such as `titel` is visible; at most 8 names,
/// in ASCII (a name is the requester's bytes: anything else in it is shown as `?`).
fn ignored_header(ignored: &[String]) -> Option<HeaderValue> {
    if ignored.is_empty() {
        return None;
    }
    let mut names: Vec<String> = ignored
        .iter()
        .take(8)
        .map(|n| {
            n.chars()
                .take(40)
                .map(|c| if c.is_ascii_graphic() { c } else { '?' })
                .collect()
        })
        .collect();
    if ignored.len() > 8 {
        names.push("...".into());
    }
    HeaderValue::from_str(&names.join(", ")).ok()
}
