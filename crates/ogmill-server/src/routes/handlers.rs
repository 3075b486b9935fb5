//! The render routes: `GET /api/og[/{template}]` and `POST /v1/{template}`.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use crate::ratelimit::Client;

/// The connection's peer, as the listener records it.
type Peer = axum::extract::ConnectInfo<std::net::SocketAddr>;
use crate::{ApiError, AppState};
use ogmill_core::request::output::{Format, Output};
use ogmill_core::request::query;

use super::auth::{check_api_key, check_signature};
use super::flow::render_card;
use super::http_cache::cap_lifetime;

pub(super) async fn og_default(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
    client: Option<Extension<Client>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut params = query::parse(q.as_deref().unwrap_or(""))?;
    let expires = check_signature(&state, "default", &mut params)?;
    let vary = negotiate(&state, &mut params, &headers);
    let res = render_card(&state, "default", params, &headers, client.as_deref()).await;
    Ok(cap_lifetime(vary_on_accept(res, vary)?, expires))
}

pub(super) async fn og_named(
    State(state): State<AppState>,
    template: Result<Path<String>, PathRejection>,
    RawQuery(q): RawQuery,
    client: Option<Extension<Client>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Path(template) = template.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let mut params = query::parse(q.as_deref().unwrap_or(""))?;
    // `/api/og/blog.png` too (some platforms want an image URL to end in one), and
    // `.webp`/`.jpg`/`.jpeg`/`.pdf` choose the format. The signature covers the name without it.
    let (name, format) = split_format(&template);
    let expires = check_signature(&state, name, &mut params)?;
    if let Some(f) = format {
        params.push(("format".into(), f.name().into()));
    }
    let vary = negotiate(&state, &mut params, &headers);
    let res = render_card(&state, name, params, &headers, client.as_deref()).await;
    Ok(cap_lifetime(vary_on_accept(res, vary)?, expires))
}

/// With `--accept-formats`, a request that names no format gets WebP when its `Accept` lists
/// `image/webp` (at a quality above 0). Returns whether the answer varies with `Accept`.
fn negotiate(state: &AppState, params: &mut Vec<(String, String)>, headers: &HeaderMap) -> bool {
    if !state.options().accept_formats {
        return false;
    }
    if params.iter().any(|(k, _)| k == "format") {
        return false; // the URL chose: the same answer for every client
    }
    let webp = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let accepted = parts
                .next()
                .is_some_and(|t| t.eq_ignore_ascii_case("image/webp"));
            let q = parts
                .find_map(|p| p.strip_prefix("q="))
                .map_or(1.0, |q| q.parse::<f32>().unwrap_or(0.0));
            accepted && q > 0.0
        });
    if webp {
        params.push(("format".into(), Format::Webp.name().into()));
    }
    true
}

/// Adds `Vary: Accept` to the answer (and to an error's) when the format was negotiated, so a
/// shared cache keeps the PNG and the WebP apart.
fn vary_on_accept(res: Result<Response, ApiError>, vary: bool) -> Result<Response, ApiError> {
    if !vary {
        return res;
    }
    let mut res = res.unwrap_or_else(IntoResponse::into_response);
    res.headers_mut()
        .append(header::VARY, header::HeaderValue::from_static("Accept"));
    Ok(res)
}

/// The hosted render API's shape: `POST /v1/{template}` with a JSON object of values, flat
/// (`{"title": "…"}`) or per layer (`{"title": {"text": "…", "color": "#fff"}}`), and the
/// options (`format`, `quality`, `scale`, `delivery`, `expiresIn`) in the query.
pub(super) async fn v1_render(
    State(state): State<AppState>,
    template: Result<Path<String>, PathRejection>,
    RawQuery(q): RawQuery,
    client: Option<Extension<Client>>,
    peer: Option<Extension<Peer>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let mut query = query::parse(q.as_deref().unwrap_or(""))?;
    check_api_key(&state, &headers, &mut query)?;
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
    let options = V1Options::take(&mut query, state.options().max_signed_expiry.as_secs())?;
    // Only the options come from the query of a POST; values come from the body.
    params.extend(
        query
            .into_iter()
            .filter(|(k, _)| Output::PARAMS.contains(&k.as_str())),
    );
    v1_respond(
        &state,
        &template,
        params,
        options,
        &headers,
        client.as_deref(),
        peer.map(|p| p.0 .0.ip()),
    )
    .await
}

/// `GET /v1/{template}?dma-api-key=KEY&title.text=Hello&title.color=ffffff`: the same as the
/// POST, with values and options in the query, for clients that cannot send a body.
pub(super) async fn v1_get(
    State(state): State<AppState>,
    template: Result<Path<String>, PathRejection>,
    RawQuery(q): RawQuery,
    client: Option<Extension<Client>>,
    peer: Option<Extension<Peer>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut params = query::parse(q.as_deref().unwrap_or(""))?;
    check_api_key(&state, &headers, &mut params)?;
    let Path(template) = template.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let options = V1Options::take(&mut params, state.options().max_signed_expiry.as_secs())?;
    v1_respond(
        &state,
        &template,
        params,
        options,
        &headers,
        client.as_deref(),
        peer.map(|p| p.0 .0.ip()),
    )
    .await
}

/// `delivery` and `expiresIn`: what the hosted API returns instead of the image.
struct V1Options {
    /// `delivery=signed`: a signed GET URL of the card, valid this many seconds.
    signed_for: Option<u64>,
}

impl V1Options {
    /// Takes the options out of `params`; `expiresIn` may be at most `max_secs`.
    fn take(params: &mut Vec<(String, String)>, max_secs: u64) -> Result<Self, ApiError> {
        let mut take = |name: &str| {
            let i = params.iter().position(|(k, _)| k == name)?;
            Some(params.remove(i).1)
        };
        let delivery = take("delivery");
        let expires_in = take("expiresIn");
        let signed_for = match delivery.as_deref() {
            None | Some("stream") => None,
            Some("signed") => {
                let secs = match expires_in.as_deref() {
                    None => 3600.min(max_secs),
                    Some(v) => v.parse::<u64>().ok().filter(|s| (1..=max_secs).contains(s)).ok_or_else(|| {
                        ApiError::BadRequest(format!("expiresIn '{v}' must be a whole number of seconds from 1 to {max_secs} (--max-signed-expiry)"))
                    })?,
                };
                Some(secs)
            }
            Some("hosted") => {
                return Err(ApiError::BadRequest(
                    "delivery=hosted is not supported: ogmill stores no images for you. Use delivery=signed for a signed URL of the card (cached and served by this server), or leave delivery out for the image itself".into(),
                ))
            }
            Some(other) => {
                return Err(ApiError::BadRequest(format!(
                    "delivery '{other}' is not stream, signed or hosted"
                )))
            }
        };
        Ok(V1Options { signed_for })
    }
}

async fn v1_respond(
    state: &AppState,
    template: &str,
    params: Vec<(String, String)>,
    options: V1Options,
    headers: &HeaderMap,
    client: Option<&Client>,
    peer: Option<std::net::IpAddr>,
) -> Result<Response, ApiError> {
    let params = match state.renderer().template(template) {
        Some(t) => ogmill_core::request::params::map_layer_keys(&t.params, params),
        None => params,
    };
    let Some(secs) = options.signed_for else {
        return render_card(state, template, params, headers, client).await;
    };
    let Some(signer) = &state.0.signer else {
        return Err(ApiError::BadRequest(
            "delivery=signed needs a signing key: start the server with --signing-key".into(),
        ));
    };
    // With /v1 open to anyone, this would sign any card for anyone: a server started later
    // with --require-signature and the same key would render them.
    if state.0.api_keys.is_empty() {
        return Err(ApiError::SigningNeedsApiKey);
    }
    // Checked now, so a bad value is a 400 here and not a broken link later.
    let req = ogmill_core::RenderRequest {
        template: template.to_owned(),
        params: params.clone(),
        unknown: ogmill_core::request::params::UnknownParams::Ignore,
    };
    let resolved = state.renderer().resolve(&req)?;
    let known: Vec<(String, String)> = params
        .into_iter()
        .filter(|(k, _)| !resolved.ignored().contains(k))
        .collect();
    let expires = ogmill_core::request::signature::now() + secs;
    let query = signer.signed_query(template, &known, Some(expires));
    let url = format!(
        "{}/api/og/{}?{query}",
        public_base(state, headers, peer)?,
        ogmill_core::request::signature::encode(template)
    );
    Ok(axum::Json(serde_json::json!({
        "url": url,
        "expiresAt": expires,
        "ignored": resolved.ignored(),
    }))
    .into_response())
}

/// Where this server is reached, for URLs it hands out: `--public-url`, else the request's
/// `Host` (only a host and port: `evil.example/phish?x=` is no host) with the scheme a
/// trusted proxy's `X-Forwarded-Proto` says, else `http`.
fn public_base(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<std::net::IpAddr>,
) -> Result<String, ApiError> {
    if let Some(base) = &state.options().public_url {
        return Ok(base.trim_end_matches('/').to_owned());
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let valid = host
        .parse::<axum::http::uri::Authority>()
        .is_ok_and(|a| a.as_str() == host && !host.contains('@'));
    if !valid {
        return Err(ApiError::BadRequest(format!(
            "the Host header '{}' is not a host: start the server with --public-url",
            host.chars().take(64).collect::<String>()
        )));
    }
    let trusted = peer.is_some_and(|ip| {
        state
            .options()
            .trusted_proxies
            .iter()
            .any(|n| n.contains(&ip))
    });
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| trusted && *p == "https")
        .unwrap_or("http");
    Ok(format!("{scheme}://{host}"))
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
