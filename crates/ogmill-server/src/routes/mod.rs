//! The router: which route goes to which handler, and the layers every response passes.
//! The request -> card flow is [`flow`]; its guards are [`auth`]; HTTP validators and
//! lifetimes are [`http_cache`]; the layers are [`middleware`].

pub(crate) mod auth;
mod flow;
mod handlers;
mod http_cache;
mod middleware;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderName, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::{ApiError, AppState};
use handlers::{og_default, og_named, v1_get, v1_render};
use middleware::{limit_uri, negotiate, observe};

/// Longest URI accepted; longer is 414.
pub const MAX_URI_BYTES: usize = 8 * 1024;

const X_CACHE: HeaderName = HeaderName::from_static("x-ogmill-cache");
const X_FALLBACK: HeaderName = HeaderName::from_static("x-ogmill-fallback");
const X_IGNORED: HeaderName = HeaderName::from_static("x-ogmill-ignored-params");
/// Set when the card is in another format than asked: the PNG for a WebP that would be larger.
const X_FORMAT: HeaderName = HeaderName::from_static("x-ogmill-format");
const X_IMAGE_ERROR: HeaderName = HeaderName::from_static("x-ogmill-image-error");
const X_MISSING: HeaderName = HeaderName::from_static("x-ogmill-missing-glyphs");
const X_FIT: HeaderName = HeaderName::from_static("x-ogmill-fit");
const X_FONT_SUBSTITUTED: HeaderName = HeaderName::from_static("x-ogmill-font-substituted");
const SERVER_TIMING: HeaderName = HeaderName::from_static("server-timing");

/// The whole HTTP surface, apart from the listener, so tests can drive it with `oneshot`.
pub fn app(state: AppState) -> Router {
    let options = state.options();
    Router::new()
        .route("/api/og", get(og_default))
        .route("/api/og/{template}", get(og_named))
        .route("/v1/{template}", post(v1_render).get(v1_get))
        .route("/templates", get(templates))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .merge(super::playground::routes())
        .fallback(|req: Request| async move { ApiError::NotFound(req.uri().path().into()) })
        .layer(DefaultBodyLimit::max(options.max_body_bytes))
        // Inside the timeout, so a body that trickles in gets a 408, not a held connection.
        .layer(from_fn_with_state(state.clone(), middleware::read_body))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            options.request_timeout,
        ))
        .layer(from_fn_with_state(
            state.clone(),
            crate::ratelimit::tag_client,
        ))
        .layer(from_fn(limit_uri))
        .layer(from_fn_with_state(state.clone(), middleware::dev_guard))
        .layer(from_fn(negotiate))
        .layer(from_fn(middleware::security_headers))
        .layer(from_fn_with_state(state.clone(), observe))
        .with_state(state)
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
