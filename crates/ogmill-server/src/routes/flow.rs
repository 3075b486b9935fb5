//! The request -> card flow: validate, 304 or a cached card without rendering, else one
//! render per key on the pool, with the fallback image when a render fails.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::pool::{Card, Failure, Job};
use crate::{ApiError, AppState};
use ogmill_core::params::UnknownParams;
use ogmill_core::RenderRequest;
use ogmill_core::{Inputs, Resolved};

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
    let key = card_key.as_str();
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
    let redis_key = state.0.redis.as_ref().map(|r| r.card_key(&card_key));
    if !private {
        if let Some(card) = state.0.cache.get(key) {
            return Ok(reply(&card, CacheStatus::Hit));
        }
        if let Some(card) = from_redis(
            state,
            key,
            redis_key.as_deref(),
            &etag,
            format.content_type(),
        )
        .await
        {
            return Ok(reply(&card, CacheStatus::Redis));
        }
    }
    // Only a render spends from the client's limit: hits, 304s and Redis hits are free.
    let limit_headers = spend(state, client).await?;
    let (images, problems) = load_images(state, &resolved).await;
    // A card drawn with a placeholder is not the card this key names: keep it out of the
    // cache, give it no ETag and a short lifetime, and say why.
    let degraded = !problems.is_empty();
    let store = !private && !degraded;
    let keys = store.then(|| (key.to_owned(), redis_key));
    let job = render_job(state, &renderer, resolved, etag, images, keys);
    let shared_key = (!private).then_some(key);
    let run = state.0.pool.run(shared_key, job);
    match tokio::time::timeout(state.options().render_timeout, run).await {
        Ok(Ok(card)) if degraded => {
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
        Ok(Ok(card)) => {
            let mut res = reply(&card, rendered);
            res.headers_mut().extend(limit_headers);
            Ok(res)
        }
        Ok(Err(Failure::Shed)) => Err(ApiError::Overloaded),
        Ok(Err(Failure::Panic(msg))) => Ok(fallback(state, "panic", &req, &msg)),
        Ok(Err(Failure::Error(msg))) => Ok(fallback(state, "error", &req, &msg)),
        Ok(Err(Failure::Stopped)) | Err(_) => {
            Ok(fallback(state, "timeout", &req, "the render took too long"))
        }
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

/// The shared tier, between the memory cache and a render: the card if Redis has it, or
/// if another instance holds the render lock and stores it within the lock wait. `None`
/// means "render it here" (also when Redis is away, or this instance is already rendering).
async fn from_redis(
    state: &AppState,
    key: &str,
    redis_key: Option<&str>,
    etag: &HeaderValue,
    content_type: &'static str,
) -> Option<Arc<Card>> {
    use crate::redis::Lock;
    let (redis, rkey) = (state.0.redis.as_ref()?, redis_key?);
    let stored = match redis.get(rkey).await {
        Some(stored) => stored,
        None if state.0.pool.is_flying(key) => return None,
        None => match redis.lock(rkey, state.options().render_timeout).await {
            Lock::Render => return None,
            Lock::Wait => redis.wait_for(rkey).await?,
        },
    };
    // A WebP request may have been answered with the smaller PNG: say what the bytes are.
    let content_type = ogmill_core::output::Format::of_bytes(&stored.bytes)
        .map_or(content_type, ogmill_core::output::Format::content_type);
    let card = Arc::new(Card {
        bytes: stored.bytes,
        content_type,
        etag: etag.clone(),
        render_time: std::time::Duration::ZERO,
        missing_glyphs: stored.missing_glyphs as usize,
        fit: (!stored.fit.is_empty())
            .then(|| HeaderValue::from_str(&stored.fit).ok())
            .flatten(),
    });
    state.0.cache.insert(key.to_owned(), card.clone());
    Some(card)
}

/// The blocking part: render, store the card under its keys, memory and Redis (even if
/// every waiter has timed out by then, so the work is not wasted), return it.
fn render_job(
    state: &AppState,
    renderer: &Arc<ogmill_core::Renderer>,
    resolved: Resolved,
    etag: HeaderValue,
    images: Vec<Option<crate::images::Prepared>>,
    keys: Option<(String, Option<String>)>,
) -> Job {
    let state = state.clone();
    let renderer = renderer.clone();
    Box::new(move |stop| {
        if let Some(hook) = &state.0.fault {
            hook(&resolved.template().name);
        }
        let started = Instant::now();
        let inputs = Inputs {
            images: &images,
            stages: None,
            stop: Some(stop),
        };
        let rendered = renderer.render(&resolved, inputs)?;
        let mut missing: Vec<char> = rendered
            .fits
            .iter()
            .flat_map(|f| f.missing.clone())
            .collect();
        missing.sort_unstable();
        missing.dedup();
        let card = Arc::new(Card {
            content_type: rendered.format.content_type(),
            bytes: rendered.bytes.into(),
            etag,
            render_time: started.elapsed(),
            missing_glyphs: missing.len(),
            fit: fit_header(&rendered.fits),
        });
        if let Some((key, redis_key)) = keys {
            state.0.cache.insert(key, card.clone());
            if let (Some(redis), Some(rkey)) = (&state.0.redis, redis_key) {
                let stored = crate::redis::Stored {
                    bytes: card.bytes.clone(),
                    missing_glyphs: card.missing_glyphs as u32,
                    fit: card
                        .fit
                        .as_ref()
                        .and_then(|f| f.to_str().ok())
                        .unwrap_or("")
                        .to_owned(),
                };
                redis.put(rkey, stored, state.options().cache_ttl);
            }
        }
        Ok(card)
    })
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

/// `title 64 3 truncated, author 32 1`: per text slot, the size in px, the lines, and
/// whether the text was cut. For the playground and anyone tuning a template.
fn fit_header(fits: &[ogmill_core::fit::SlotFit]) -> Option<HeaderValue> {
    HeaderValue::from_str(&ogmill_core::fit::summary(fits)).ok()
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
