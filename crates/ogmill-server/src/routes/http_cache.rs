//! HTTP caching: strong ETags, `If-None-Match`, and lifetimes capped by a URL's expiry.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;

/// A card from a URL that expires must not be served from a shared cache past that
/// moment: its public lifetime is capped at the time left.
pub(super) fn cap_lifetime(mut res: Response, expires: Option<u64>) -> Response {
    let current = res
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let now = ogmill_core::request::signature::now();
    let capped = ogmill_core::request::signature::capped_cache_control(current, expires, now);
    if let Some(v) = capped.and_then(|v| HeaderValue::from_str(&v).ok()) {
        res.headers_mut().insert(header::CACHE_CONTROL, v);
    }
    res
}

/// A strong validator: the same key always renders the same bytes.
pub(super) fn etag(key: &ogmill_core::CardKey) -> HeaderValue {
    HeaderValue::from_str(&key.etag()).expect("hex is a valid header value")
}

/// `If-None-Match` uses the weak comparison (RFC 9110 13.1.2): `W/` is ignored, `*` matches.
pub(super) fn if_none_match(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Ok(etag) = etag.to_str() else {
        return false;
    };
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| ogmill_core::renderer::etag_matches(v, etag))
}
