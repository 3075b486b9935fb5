//! The HTTP endpoint, driven through `app(state)` with `oneshot`, and through a real listener
//! where the socket matters. Modules: `routes` (every route and error), `caching` (hits,
//! 304, private, single flight), `overload` (shedding, fallbacks), `listener` (shutdown, slow
//! clients).

mod caching;
mod listener;
mod overload;
mod playground;
mod routes;
mod signing;

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use bytes::Bytes;
use ogmill_server::{app, AppState, FaultHook, ServerOptions};
use tower::ServiceExt;

use crate::support::shared_renderer;

pub fn state(options: ServerOptions) -> AppState {
    AppState::new(shared_renderer().clone(), options).expect("state")
}

pub fn state_with_hook(options: ServerOptions, hook: FaultHook) -> AppState {
    state(options).with_fault_hook(hook)
}

/// A hook that makes every render take `d` longer.
pub fn slow(d: Duration) -> FaultHook {
    std::sync::Arc::new(move |_: &str| std::thread::sleep(d))
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts a 1200x630 PNG of the card asked for (not the fallback image, which would
    /// pass every other check here) and returns it decoded.
    pub fn png(&self) -> image::RgbaImage {
        assert_eq!(
            self.header("x-ogmill-fallback"),
            "",
            "the fallback image came instead of the card: {:?}",
            self.headers
        );
        self.any_png()
    }

    /// As [`Reply::png`], for a test that expects the fallback image.
    pub fn fallback_png(&self) -> image::RgbaImage {
        assert_ne!(self.header("x-ogmill-fallback"), "", "{:?}", self.headers);
        self.any_png()
    }

    fn any_png(&self) -> image::RgbaImage {
        assert_eq!(self.status, StatusCode::OK, "{}", self.text());
        assert_eq!(self.header("content-type"), "image/png");
        assert_eq!(self.header("content-length"), self.body.len().to_string());
        let img = crate::support::decode_png(&self.body);
        assert_eq!(img.dimensions(), (1200, 630));
        img
    }
}

pub async fn send(state: &AppState, req: Request<Body>) -> Reply {
    let res = app(state.clone()).oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

pub async fn get(state: &AppState, uri: &str) -> Reply {
    get_with(state, uri, &[]).await
}

pub async fn get_with(state: &AppState, uri: &str, headers: &[(&str, &str)]) -> Reply {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    send(state, req.body(Body::empty()).unwrap()).await
}

/// A JSON POST; to the playground's routes it carries the `--dev` token as the page does,
/// unless the caller sends its own `x-ogmill-dev-token`.
pub async fn post_json(state: &AppState, uri: &str, body: &str, headers: &[(&str, &str)]) -> Reply {
    let mut req = Request::post(uri).header("content-type", "application/json");
    if uri.starts_with("/playground/") && !headers.iter().any(|(k, _)| *k == "x-ogmill-dev-token") {
        req = req.header("x-ogmill-dev-token", state.dev_token());
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    send(state, req.body(Body::from(body.to_owned())).unwrap()).await
}

/// The value of one sample in `/metrics`, e.g. `ogmill_renders_total{outcome="ok"}`; 0 if absent.
pub fn metric(state: &AppState, sample: &str) -> f64 {
    state
        .metrics_text()
        .lines()
        .find_map(|l| l.strip_prefix(sample)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
}

pub fn renders(state: &AppState) -> f64 {
    metric(state, "ogmill_renders_total{outcome=\"ok\"}")
}
