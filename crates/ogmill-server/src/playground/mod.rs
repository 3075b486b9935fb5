//! The playground: a page in the binary (`GET /`) to preview every template live, copy its
//! URL and meta tags, see it as the big platforms frame it, and check a page's tags. With
//! `--dev` it also signs URLs, checks pages on this machine and refreshes on file changes.

mod check;
mod design;

use std::convert::Infallible;
use std::sync::{Arc, OnceLock};

use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use super::{ApiError, AppState, DevEvent};
use ogmill_core::request::params::UnknownParams;
use ogmill_core::request::query;
use ogmill_core::RenderRequest;

const INDEX: &str = include_str!("index.html");
const SCRIPT: &str = include_str!("app.js");
const STYLE: &str = include_str!("app.css");
const DESIGN_SCRIPT: &str = include_str!("design.js");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(page))
        .route("/playground", get(page))
        .route(
            "/playground/app.js",
            get(|| asset("text/javascript; charset=utf-8", SCRIPT)),
        )
        .route(
            "/playground/design.js",
            get(|| asset("text/javascript; charset=utf-8", DESIGN_SCRIPT)),
        )
        .route(
            "/playground/app.css",
            get(|| asset("text/css; charset=utf-8", STYLE)),
        )
        .route("/playground/state", get(playground_state))
        .route("/playground/url/{template}", get(card_url))
        .route("/playground/check", get(check_page))
        .route("/playground/events", get(events))
        .route(
            "/playground/design",
            post(design::open).layer(axum::extract::DefaultBodyLimit::max(
                ogmill_core::tools::import::MAX_DESIGN_BYTES,
            )),
        )
        .route("/playground/design/{id}/preview", post(design::preview))
        .route("/playground/design/{id}/save", post(design::save))
}

async fn page() -> Response {
    asset("text/html; charset=utf-8", INDEX).await
}

async fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            // Small and compiled in: always revalidate, so a new binary shows its new page.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

/// What the page needs to draw itself: templates and their params, and what this server does.
async fn playground_state(State(state): State<AppState>) -> Json<serde_json::Value> {
    let renderer = state.renderer();
    let o = state.options();
    Json(serde_json::json!({
        "dev": o.dev,
        // Sent back with every change (see `dev_guard`); readable by same-origin pages only.
        "dev_token": o.dev.then(|| state.dev_token().to_owned()),
        "signs": o.dev && state.0.signer.is_some(),
        "require_signature": o.require_signature,
        "reload_error": *state.reload_error(),
        // Where design mode saves templates (none: the bundled templates are served).
        "saves_to": o.dev.then(|| renderer.options().templates_dir.as_ref().map(|d| d.display().to_string())).flatten(),
        "templates": renderer.templates().map(|t| t.describe()).collect::<Vec<_>>(),
    }))
}

/// The card's URL for these values (path and query), checked as a render would check them;
/// signed when the server runs with `--dev` and a signing key.
async fn card_url(
    State(state): State<AppState>,
    Path(template): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<serde_json::Value>, ApiError> {
    let params: Vec<(String, String)> = query::parse(q.as_deref().unwrap_or(""))?
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let req = RenderRequest {
        template: template.clone(),
        params: params.clone(),
        unknown: UnknownParams::Reject,
    };
    state.renderer().resolve(&req)?;
    let signer = state.0.signer.as_ref().filter(|_| state.options().dev);
    let query = match signer {
        Some(s) => s.signed_query(&template, &params, None),
        None => params
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    ogmill_core::request::signature::encode(k),
                    ogmill_core::request::signature::encode(v)
                )
            })
            .collect::<Vec<_>>()
            .join("&"),
    };
    let path = format!(
        "/api/og/{}",
        ogmill_core::request::signature::encode(&template)
    );
    let url = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    Ok(Json(
        serde_json::json!({ "url": url, "signed": signer.is_some() }),
    ))
}

#[derive(serde::Deserialize)]
struct CheckQuery {
    url: String,
}

/// Dev only: it may fetch from this machine, which a public server must never do.
async fn check_page(
    State(state): State<AppState>,
    Query(q): Query<CheckQuery>,
) -> Result<Json<check::Report>, ApiError> {
    if !state.options().dev {
        return Err(ApiError::NotFound(
            "/playground/check (start the server with --dev to check pages)".into(),
        ));
    }
    static CHECKER: OnceLock<Result<Arc<check::Checker>, String>> = OnceLock::new();
    let images = &state.options().images;
    let checker = CHECKER
        .get_or_init(|| check::Checker::new(images.connect_timeout, images.timeout).map(Arc::new))
        .clone()
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    checker
        .check(&q.url)
        .await
        .map(Json)
        .map_err(ApiError::BadRequest)
}

/// Dev only: reloads and reload errors, as server-sent events.
async fn events(State(state): State<AppState>) -> Result<Response, ApiError> {
    if !state.options().dev {
        return Err(ApiError::NotFound(
            "/playground/events (start the server with --dev for live reload)".into(),
        ));
    }
    let rx = state.events();
    let stream = futures_util::stream::unfold((rx, state), |(mut rx, state)| async move {
        loop {
            let next = tokio::select! {
                next = rx.recv() => next,
                // End the stream on shutdown; the page reconnects to the next server.
                () = state.drained() => return None,
            };
            match next {
                Ok(e) => return Some((Ok::<_, Infallible>(event(&e)), (rx, state))),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}

fn event(e: &DevEvent) -> Event {
    let name = match e {
        DevEvent::Reload { .. } => "reload",
        // Not "error": EventSource fires its own `error` for connection trouble.
        DevEvent::Error { .. } => "reload-error",
    };
    Event::default()
        .event(name)
        .data(serde_json::to_string(e).unwrap_or_default())
}
