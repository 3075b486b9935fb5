//! Layers every response passes: the URI limit, error bodies by `Accept`, one log line
//! and one counter per request.

use std::time::Instant;

use axum::body::{Body, HttpBody};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{ErrorDetails, ErrorMessage};
use crate::metrics::RequestLabels;
use crate::{ApiError, AppState};

use super::{MAX_URI_BYTES, X_CACHE};

/// Headers every response carries: `nosniff`, so a browser never runs a body as anything
/// but its declared type; and on pages (the playground), a policy that runs only this
/// server's scripts and refuses to be framed (clickjacking).
pub(super) async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let html = h
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if html {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: http: https:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    res
}

/// A `--dev` server signs URLs, reads pages on loopback and writes templates: a web page
/// must not drive it. Every request must be addressed to a loopback name (a DNS-rebinding
/// page sends its own name as `Host`), and a request that changes anything must not come
/// from another site's page (`Origin`); `--dev-public` turns those two off. The playground's
/// own changes must carry the per-start token whatever the flags.
pub(super) async fn dev_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let o = state.options();
    if !o.dev {
        return next.run(req).await;
    }
    let changes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // The playground's changes (opening and saving designs) carry the per-start token, which
    // only a page this server served can know; with --dev-public too.
    if changes && req.uri().path().starts_with("/playground/") {
        let sent = req.headers().get(DEV_TOKEN).map(|v| v.as_bytes());
        if !sent.is_some_and(|t| same_secret(t, state.dev_token().as_bytes())) {
            return ApiError::DevToken.into_response();
        }
    }
    if o.dev_public {
        return next.run(req).await;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| req.uri().authority().map(|a| a.as_str().to_owned()));
    if let Some(host) = host.filter(|h| !is_loopback_host(h)) {
        return ApiError::DevNotLocal(format!("the host '{}'", clip(&host))).into_response();
    }
    let origin = req.headers().get(header::ORIGIN).map(|o| {
        let o = String::from_utf8_lossy(o.as_bytes()).into_owned();
        let host = o.split_once("://").map_or("", |(_, rest)| rest);
        (is_loopback_host(host), o)
    });
    if let (true, Some((false, origin))) = (changes, origin) {
        return ApiError::DevNotLocal(format!("a page from '{}'", clip(&origin))).into_response();
    }
    next.run(req).await
}

/// The header the playground sends its `--dev` token in.
pub(crate) const DEV_TOKEN: &str = "x-ogmill-dev-token";

/// Compares secrets in time independent of where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `localhost`, `*.localhost`, `127.x.y.z` or `[::1]`, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn clip(s: &str) -> String {
    s.chars().take(80).collect()
}

pub(super) async fn limit_uri(req: Request, next: Next) -> Response {
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

/// Gives every error response a message, as JSON when the client asks for JSON, and always
/// on `/v1` (the hosted API's clients call `response.json()` on an error whatever they sent).
pub(super) async fn negotiate(req: Request, next: Next) -> Response {
    let wants_json = req.uri().path().starts_with("/v1/")
        || req
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
        let mut body = serde_json::json!({ "error": message, "status": status.as_u16() });
        if let (Some(ErrorDetails(serde_json::Value::Object(more))), Some(obj)) =
            (parts.extensions.get::<ErrorDetails>(), body.as_object_mut())
        {
            obj.extend(more.clone());
        }
        body.to_string()
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
pub(super) async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
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

/// Past this many bytes of an oversized body, stop reading and close: the 413 may then not
/// arrive, but no client earns unbounded reading.
const MAX_DRAIN_BYTES: usize = 16 << 20;

/// Reads a request's body before any handler answers, up to the route's limit. A body over
/// the limit is read to its end (up to [`MAX_DRAIN_BYTES`]) and discarded before the 413 is
/// sent: answering and closing while the client still writes makes its next write fail, and
/// it sees a reset instead of the status (half the tries, measured). The same holds for any
/// early answer (a 401 for a missing key, a 415): the body is in by then.
pub(super) async fn read_body(State(state): State<AppState>, req: Request, next: Next) -> Response {
    use futures_util::StreamExt;
    let has_body = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .is_some_and(|v| v.as_bytes() != b"0")
        || req.headers().contains_key(header::TRANSFER_ENCODING);
    if !has_body {
        return next.run(req).await;
    }
    // Design uploads are a --dev route: elsewhere that path is a 404, and must not buffer
    // 10 MiB first.
    let limit = if req.uri().path() == "/playground/design" && state.options().dev {
        ogmill_core::tools::import::MAX_DESIGN_BYTES
    } else {
        state.options().max_body_bytes
    };
    let (parts, body) = req.into_parts();
    let mut stream = body.into_data_stream();
    let mut kept = Vec::new();
    let mut seen = 0usize;
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            return ApiError::BadRequest("the request body was cut off".into()).into_response();
        };
        seen += chunk.len();
        if seen <= limit {
            kept.extend_from_slice(&chunk);
        } else if seen > MAX_DRAIN_BYTES {
            break;
        }
    }
    if seen > limit {
        let mut res = ApiError::PayloadTooLarge { max: limit }.into_response();
        res.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return res;
    }
    next.run(Request::from_parts(parts, Body::from(kept))).await
}
