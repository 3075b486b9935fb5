//! The router: routes, the request -> card flow, and the layers every response passes.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, MatchedPath, Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use sha2::Digest;
use subtle::ConstantTimeEq;

use super::error::ErrorMessage;
use super::metrics::RequestLabels;
use super::pool::{Card, Failure, Job};
use super::{ApiError, AppState};
use ogmill_core::params::UnknownParams;
use ogmill_core::query;
use ogmill_core::renderer::Resolved;
use ogmill_core::RenderRequest;

/// Longest URI accepted; longer is 414.
pub const MAX_URI_BYTES: usize = 8 * 1024;

const X_CACHE: HeaderName = HeaderName::from_static("x-ogmill-cache");
const X_FALLBACK: HeaderName = HeaderName::from_static("x-ogmill-fallback");
const X_IGNORED: HeaderName = HeaderName::from_static("x-ogmill-ignored-params");
const X_IMAGE_ERROR: HeaderName = HeaderName::from_static("x-ogmill-image-error");
const X_MISSING: HeaderName = HeaderName::from_static("x-ogmill-missing-glyphs");
const X_FIT: HeaderName = HeaderName::from_static("x-ogmill-fit");
const SERVER_TIMING: HeaderName = HeaderName::from_static("server-timing");

/// The whole HTTP surface, apart from the listener, so tests can drive it with `oneshot`.
pub fn app(state: AppState) -> Router {
    let options = state.options();
    Router::new()
        .route("/api/og", get(og_default))
        .route("/api/og/{template}", get(og_named))
        .route("/v1/{template}", post(v1_render))
        .route("/templates", get(templates))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .merge(super::playground::routes())
        .fallback(|req: Request| async move { ApiError::NotFound(req.uri().path().into()) })
        .layer(DefaultBodyLimit::max(options.max_body_bytes))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            options.request_timeout,
        ))
        .layer(from_fn(limit_uri))
        .layer(from_fn(negotiate))
        .layer(from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

async fn og_default(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut params = query::parse(q.as_deref().unwrap_or(""))?;
    let expires = check_signature(&state, "default", &mut params)?;
    let res = render_card(&state, "default", params, &headers).await?;
    Ok(cap_lifetime(res, expires))
}

async fn og_named(
    State(state): State<AppState>,
    template: Result<Path<String>, PathRejection>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Path(template) = template.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let mut params = query::parse(q.as_deref().unwrap_or(""))?;
    // `/api/og/blog.png` too: some platforms want an image URL to end in .png.
    let name = template.strip_suffix(".png").unwrap_or(&template);
    let expires = check_signature(&state, name, &mut params)?;
    let res = render_card(&state, name, params, &headers).await?;
    Ok(cap_lifetime(res, expires))
}

/// The hosted render API's shape: `POST /v1/{template}` with a JSON object of values.
async fn v1_render(
    State(state): State<AppState>,
    template: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    check_api_key(&state, &headers)?;
    let Path(template) = template.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge {
            max: state.options().max_body_bytes,
        },
        _ => ApiError::BadRequest(e.body_text()),
    })?;
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        let ct = String::from_utf8_lossy(ct.as_bytes()).to_ascii_lowercase();
        if !ct.starts_with("application/json") && !ct.contains("+json") {
            return Err(ApiError::UnsupportedMediaType(ct));
        }
    }
    let value: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    let params = query::from_json(&value)?;
    render_card(&state, &template, params, &headers).await
}

fn check_api_key(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let keys = &state.0.api_keys;
    if keys.is_empty() {
        return Ok(());
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").map(str::trim));
    let given = bearer.or_else(|| headers.get("dma-api-key").and_then(|v| v.to_str().ok()));
    let Some(given) = given else {
        return Err(ApiError::Unauthorized);
    };
    // Digests, so neither the key's bytes nor its length leak through timing.
    let given: [u8; 32] = sha2::Sha256::digest(given.as_bytes()).into();
    let ok = keys
        .iter()
        .fold(subtle::Choice::from(0), |acc, k| acc | k.ct_eq(&given));
    if bool::from(ok) {
        Ok(())
    } else {
        Err(ApiError::Unauthorized)
    }
}

/// With signing keys, a `sig` must verify (and is required with `require_signature`); `sig`
/// and `exp` are then taken out, so they are neither template params nor part of the key.
/// Returns the verified expiry, if the URL has one.
fn check_signature(
    state: &AppState,
    template: &str,
    params: &mut Vec<(String, String)>,
) -> Result<Option<u64>, ApiError> {
    use ogmill_core::signature::{now, SignatureError, EXP, SIG};
    let Some(signer) = &state.0.signer else {
        return Ok(None);
    };
    let sig = params
        .iter()
        .position(|(k, _)| k == SIG)
        .map(|i| params.remove(i).1);
    let verified = match sig {
        Some(sig) => {
            signer.verify(template, params, &sig, now())?;
            true
        }
        None if state.options().require_signature => Err(SignatureError::Missing)?,
        None => false,
    };
    let exp = params
        .iter()
        .find(|(k, _)| k == EXP)
        .and_then(|(_, v)| v.parse().ok());
    params.retain(|(k, _)| k != EXP);
    Ok(exp.filter(|_| verified))
}

/// A card from a URL that expires must not be served from a shared cache past that
/// moment: its public lifetime is capped at the time left.
fn cap_lifetime(mut res: Response, expires: Option<u64>) -> Response {
    let Some(at) = expires else {
        return res;
    };
    let left = at.saturating_sub(ogmill_core::signature::now());
    let current = res
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if !current.contains("public") {
        return res; // private, no-store: nothing to cap
    }
    let max_age = current
        .split(',')
        .find_map(|d| d.trim().strip_prefix("max-age=")?.parse::<u64>().ok())
        .map_or(left, |m| m.min(left));
    let value = format!("public, max-age={max_age}, s-maxage={max_age}");
    if let Ok(v) = HeaderValue::from_str(&value) {
        res.headers_mut().insert(header::CACHE_CONTROL, v);
    }
    res
}

/// The request -> card flow: validate, answer 304 or a hit without rendering, else render
/// once per key behind the pool, and send the fallback image when the render fails.
async fn render_card(
    state: &AppState,
    template: &str,
    params: Vec<(String, String)>,
    headers: &HeaderMap,
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
    let key = renderer.key(&resolved);
    let etag = etag(&key);
    let private = resolved.template.private
        && (headers.contains_key(header::AUTHORIZATION) || headers.contains_key(header::COOKIE));
    let cache_control = if private {
        HeaderValue::from_static("private, no-store")
    } else {
        state.0.cache_control.clone()
    };
    let ignored = ignored_header(&resolved.ignored);
    if if_none_match(headers, &etag) {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        res.headers_mut().insert(header::ETAG, etag);
        res.headers_mut()
            .insert(header::CACHE_CONTROL, cache_control);
        return Ok(res);
    }
    let reply = |card: &Card, cache: &'static str| {
        let mut res = card_response(card, cache, cache_control.clone());
        if let Some(v) = &ignored {
            res.headers_mut().insert(X_IGNORED, v.clone());
        }
        res
    };
    let redis_key = state.0.redis.as_ref().map(|r| {
        let t = resolved.template;
        r.card_key(&t.name, t.hash, &key)
    });
    if !private {
        if let Some(card) = state.0.cache.get(&key) {
            return Ok(reply(&card, "hit"));
        }
        if let Some(card) = from_redis(state, &key, redis_key.as_deref(), &etag).await {
            return Ok(reply(&card, "redis"));
        }
    }
    let (images, problems) = load_images(state, &resolved).await;
    // A card drawn with a placeholder is not the card this key names: keep it out of the
    // cache, give it no ETag and a short lifetime, and say why.
    let degraded = !problems.is_empty();
    let store = !private && !degraded;
    let keys = store.then(|| (key.clone(), redis_key));
    let job = render_job(state, &renderer, &resolved, etag, images, keys);
    let shared_key = (!private).then_some(key.as_str());
    let run = state.0.pool.run(shared_key, job);
    match tokio::time::timeout(state.options().render_timeout, run).await {
        Ok(Ok(card)) if degraded => {
            let mut res = reply(&card, if private { "bypass" } else { "miss" });
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
        Ok(Ok(card)) => Ok(reply(&card, if private { "bypass" } else { "miss" })),
        Ok(Err(Failure::Shed)) => Err(ApiError::Overloaded),
        Ok(Err(Failure::Panic(msg))) => Ok(fallback(state, "panic", &req, &msg)),
        Ok(Err(Failure::Error(msg))) => Ok(fallback(state, "error", &req, &msg)),
        Err(_) => Ok(fallback(state, "timeout", &req, "the render took too long")),
    }
}

/// Loads every image slot's image; each problem is logged, counted and named for the
/// response header (`avatar: timed out`).
async fn load_images(
    state: &AppState,
    resolved: &Resolved<'_>,
) -> (Vec<Option<crate::images::Prepared>>, Vec<String>) {
    let width = state.renderer().options().width;
    let (images, problems) = state.0.images.load_for(resolved, width).await;
    let problems = problems
        .into_iter()
        .map(|(param, problem)| {
            let t = &resolved.template.name;
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
) -> Option<Arc<Card>> {
    use super::redis::Lock;
    let (redis, rkey) = (state.0.redis.as_ref()?, redis_key?);
    let stored = match redis.get(rkey).await {
        Some(stored) => stored,
        None if state.0.pool.is_flying(key) => return None,
        None => match redis.lock(rkey, state.options().render_timeout).await {
            Lock::Render => return None,
            Lock::Wait => redis.wait_for(rkey).await?,
        },
    };
    let card = Arc::new(Card {
        png: stored.png,
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
    resolved: &Resolved,
    etag: HeaderValue,
    images: Vec<Option<crate::images::Prepared>>,
    keys: Option<(String, Option<String>)>,
) -> Job {
    let state = state.clone();
    let renderer = renderer.clone();
    let name = resolved.template.name.clone();
    let params = resolved.params.clone();
    let dir = resolved.dir;
    Box::new(move || {
        if let Some(hook) = &state.0.fault {
            hook(&name);
        }
        let template = renderer
            .template(&name)
            .ok_or_else(|| ogmill_core::Error::Internal(format!("template '{name}' vanished")))?;
        let started = Instant::now();
        let resolved = Resolved {
            template,
            params,
            ignored: vec![],
            dir,
        };
        let rendered = renderer.render_with(&resolved, &images)?;
        let mut missing: Vec<char> = rendered
            .fits
            .iter()
            .flat_map(|f| f.missing.clone())
            .collect();
        missing.sort_unstable();
        missing.dedup();
        let card = Arc::new(Card {
            png: rendered.png.into(),
            etag,
            render_time: started.elapsed(),
            missing_glyphs: missing.len(),
            fit: fit_header(&rendered.fits),
        });
        if let Some((key, redis_key)) = keys {
            state.0.cache.insert(key, card.clone());
            if let (Some(redis), Some(rkey)) = (&state.0.redis, redis_key) {
                let stored = super::redis::Stored {
                    png: card.png.clone(),
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

fn card_response(card: &Card, cache: &'static str, cache_control: HeaderValue) -> Response {
    let timing = match cache {
        "hit" | "redis" => format!("cache;desc=\"{cache}\""),
        _ => format!("render;dur={:.1}", card.render_time.as_secs_f64() * 1000.0),
    };
    let mut res = Response::new(Body::from(card.png.clone()));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    h.insert(header::CONTENT_LENGTH, card.png.len().into());
    h.insert(header::ETAG, card.etag.clone());
    h.insert(header::CACHE_CONTROL, cache_control);
    h.insert(X_CACHE, HeaderValue::from_static(cache));
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

/// `title 64 3 truncated, author 32 1`: per text slot, the size in px, the lines, and
/// whether the text was cut. For the playground and anyone tuning a template.
fn fit_header(fits: &[ogmill_core::fit::SlotFit]) -> Option<HeaderValue> {
    let parts: Vec<String> = fits
        .iter()
        .filter(|f| f.lines > 0)
        .map(|f| {
            let cut = if f.truncated { " truncated" } else { "" };
            format!("{} {} {}{cut}", f.slot, f.font_size, f.lines)
        })
        .collect();
    HeaderValue::from_str(&parts.join(", ")).ok()
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
    h.insert(X_CACHE, HeaderValue::from_static("miss"));
    res
}

/// A strong validator: the same key always renders the same bytes.
fn etag(key: &str) -> HeaderValue {
    let digest = sha2::Sha256::digest(key.as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&format!("\"{hex}\"")).expect("hex is a valid header value")
}

/// `If-None-Match` uses the weak comparison (RFC 9110 13.1.2): `W/` is ignored, `*` matches.
fn if_none_match(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let etag = etag.as_bytes();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim())
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t).as_bytes() == etag)
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

async fn templates(State(state): State<AppState>) -> Response {
    let list: Vec<_> = state.renderer().templates().map(|t| t.describe()).collect();
    axum::Json(list).into_response()
}

async fn readyz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    if state.is_draining() {
        return Err(ApiError::NotReady);
    }
    Ok("ready\n")
}

async fn metrics(State(state): State<AppState>) -> Response {
    let content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    ([(header::CONTENT_TYPE, content_type)], state.metrics_text()).into_response()
}

async fn limit_uri(req: Request, next: Next) -> Response {
    let len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if len > MAX_URI_BYTES {
        return ApiError::UriTooLong {
            len,
            max: MAX_URI_BYTES,
        }
        .into_response();
    }
    next.run(req).await
}

/// Gives every error response a message, as JSON when the client asks for JSON.
async fn negotiate(req: Request, next: Next) -> Response {
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let res = next.run(req).await;
    let status = res.status();
    let message = match res.extensions().get::<ErrorMessage>() {
        Some(m) => m.0.clone(),
        // A bare status from a layer below (axum's 405, the timeout's 408): give it words.
        None if status.is_client_error() && res.body().size_hint().exact() == Some(0) => {
            ApiError::from_status(status).to_string()
        }
        None => return res,
    };
    let (mut parts, _) = res.into_parts();
    let body = if wants_json {
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        serde_json::json!({ "error": message, "status": status.as_u16() }).to_string()
    } else {
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        format!("{message}\n")
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

/// One log line and one counter per request.
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path: String = req.uri().path().chars().take(200).collect();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |m| m.as_str())
        .to_owned();
    let res = next.run(req).await;
    let status = res.status().as_u16();
    let cache = res
        .headers()
        .get(X_CACHE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    state
        .0
        .metrics
        .requests
        .get_or_create(&RequestLabels { route, status })
        .inc();
    tracing::info!(
        %method,
        path,
        status,
        cache,
        ms = format_args!("{:.2}", started.elapsed().as_secs_f64() * 1000.0),
        "request"
    );
    res
}
