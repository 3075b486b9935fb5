//! Who may render: API keys on `POST /v1`, signatures on the GET routes. With
//! `--require-signature`, `POST /v1` needs an API key too, and is closed without any.

use axum::http::HeaderMap;
use sha2::Digest;
use subtle::ConstantTimeEq;

use crate::{ApiError, AppState};

/// With `--api-keys`, the request must carry one: `Authorization: Bearer KEY`, a
/// `dma-api-key` header, or a `dma-api-key` query param (taken out of `query`, so it is
/// never a template param, a cache key or a log line).
pub(super) fn check_api_key(
    state: &AppState,
    headers: &HeaderMap,
    query: &mut Vec<(String, String)>,
) -> Result<(), ApiError> {
    let in_query = query
        .iter()
        .position(|(k, _)| k == "dma-api-key")
        .map(|i| query.remove(i).1);
    let keys = &state.0.api_keys;
    if keys.is_empty() {
        // POST /v1 renders values nobody signed: open only while the GET routes are too.
        if state.options().require_signature {
            return Err(ApiError::UnsignedRouteClosed);
        }
        return Ok(());
    }
    let given = crate::ratelimit::key_in_headers(headers).or(in_query.as_deref());
    match given {
        Some(given) if is_api_key(state, given) => Ok(()),
        _ => Err(ApiError::Unauthorized),
    }
}

/// Whether `given` is one of `--api-keys`, compared as digests in constant time so neither
/// the key's bytes nor its length leak through timing.
pub(crate) fn is_api_key(state: &AppState, given: &str) -> bool {
    let given: [u8; 32] = sha2::Sha256::digest(given.as_bytes()).into();
    let ok = state
        .0
        .api_keys
        .iter()
        .fold(subtle::Choice::from(0), |acc, k| acc | k.ct_eq(&given));
    bool::from(ok)
}

/// With signing keys, a `sig` must verify (and is required with `require_signature`); `sig`
/// and `exp` are then taken out, so they are neither template params nor part of the key.
/// Returns the verified expiry, if the URL has one.
pub(super) fn check_signature(
    state: &AppState,
    template: &str,
    params: &mut Vec<(String, String)>,
) -> Result<Option<u64>, ApiError> {
    let signer = state.0.signer.as_ref();
    let require = state.options().require_signature;
    let now = ogmill_core::request::signature::now();
    Ok(ogmill_core::request::signature::admit(
        signer, require, template, params, now,
    )?)
}
