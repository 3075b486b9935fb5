//! The render routes: `GET /api/og[/{template}]` and `POST /v1/{template}`.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;

use crate::{ApiError, AppState};
use ogmill_core::output::{Format, Output};
use ogmill_core::query;

use super::auth::{check_api_key, check_signature};
use super::flow::render_card;
use super::http_cache::cap_lifetime;

pub(super) async fn og_default(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut params = query::parse(q.as_deref().unwrap_or(""))?;
    let expires = check_signature(&state, "default", &mut params)?;
    let res = render_card(&state, "default", params, &headers).await?;
    Ok(cap_lifetime(res, expires))
}

pub(super) async fn og_named(
    State(state): State<AppState>,
    template: Result<Path<String>, PathRejection>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Path(template) = template.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let mut params = query::parse(q.as_deref().unwrap_or(""))?;
    // `/api/og/blog.png` too (some platforms want an image URL to end in one), and
    // `.webp`/`.jpg`/`.jpeg` choose the format. The signature covers the name without it.
    let (name, format) = split_format(&template);
    let expires = check_signature(&state, name, &mut params)?;
    if let Some(f) = format {
        params.push(("format".into(), f.name().into()));
    }
    let res = render_card(&state, name, params, &headers).await?;
    Ok(cap_lifetime(res, expires))
}

/// The hosted render API's shape: `POST /v1/{template}` with a JSON object of values.
pub(super) async fn v1_render(
    State(state): State<AppState>,
    template: Result<Path<String>, PathRejection>,
    RawQuery(q): RawQuery,
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
    let mut params = query::from_json(&value)?;
    // `?format=webp&quality=..&scale=2`, as the hosted APIs take them.
    for (k, v) in query::parse(q.as_deref().unwrap_or(""))? {
        if Output::PARAMS.contains(&k.as_str()) {
            params.push((k, v));
        }
    }
    render_card(&state, &template, params, &headers).await
}

/// `blog.webp` -> (`blog`, WebP); a name without a format suffix is left as it is.
fn split_format(template: &str) -> (&str, Option<Format>) {
    if let Some((name, ext)) = template.rsplit_once('.') {
        if let Some(f) = Format::parse(ext) {
            return (name, Some(f));
        }
    }
    (template, None)
}
