//! HTTP caching: strong ETags, `If-None-Match`, and lifetimes capped by a URL's expiry.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use sha2::Digest;

/// A card from a URL that expires must not be served from a shared cache past that
/// moment: its public lifetime is capped at the time left.
pub(super) fn cap_lifetime(mut res: Response, expires: Option<u64>) -> Response {
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

/// A strong validator: the same key always renders the same bytes.
pub(super) fn etag(key: &str) -> HeaderValue {
    let digest = sha2::Sha256::digest(key.as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&format!("\"{hex}\"")).expect("hex is a valid header value")
}

/// `If-None-Match` uses the weak comparison (RFC 9110 13.1.2): `W/` is ignored, `*` matches.
pub(super) fn if_none_match(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let etag = etag.as_bytes();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim())
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t).as_bytes() == etag)
}
