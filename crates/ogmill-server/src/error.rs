//! The server's one error type: each kind maps to its status here and nowhere else. Messages
//! are for the person who sent the request; internals are logged, never sent.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Everything a request can fail with before or instead of an image.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The renderer refused the request (unknown template, invalid value) or failed.
    #[error(transparent)]
    Render(#[from] ogmill_core::Error),
    #[error("{0}")]
    BadRequest(String),
    /// The request would replace something that exists without saying so.
    #[error("{0}")]
    Conflict(String),
    /// A query string or JSON body that is not name/value pairs.
    #[error(transparent)]
    Query(#[from] ogmill_core::request::query::QueryError),
    #[error(
        "a valid API key is required: send 'Authorization: Bearer <key>' or 'dma-api-key: <key>'"
    )]
    Unauthorized,
    /// `--require-signature` with no `--api-keys`: `POST /v1` would render unsigned values.
    #[error("this server renders only signed URLs, and POST /v1 takes unsigned values: it needs an API key, and none is configured (start the server with --api-keys KEY)")]
    UnsignedRouteClosed,
    /// A `--dev` server asked under a name that is not loopback (DNS rebinding), or a
    /// state-changing request from another site.
    #[error("this is a --dev server: it answers only pages on this machine (localhost), and {0} is not; to expose it anyway, start it with --dev-public (never on the internet)")]
    DevNotLocal(String),
    /// A change asked of a `--dev` server without the token its playground page carries.
    #[error("this change must come from the playground page this server served (it sends the server's per-start token in X-Ogmill-Dev-Token); reload the page if the server restarted")]
    DevToken,
    /// `delivery=signed` on a server whose `/v1` is open to anyone: it would mint signatures.
    #[error("delivery=signed makes signed URLs, so it needs an authenticated caller: start the server with --api-keys KEY and send one")]
    SigningNeedsApiKey,
    #[error("no such route: {0}; try / (the playground), /api/og?title=..., /api/og/{{template}}?..., POST /v1/{{template}}, /templates")]
    NotFound(String),
    #[error(transparent)]
    Forbidden(#[from] ogmill_core::request::signature::SignatureError),
    #[error("method not allowed on this route")]
    MethodNotAllowed,
    #[error("the request took too long")]
    Timeout,
    #[error("the body is larger than {max} bytes")]
    PayloadTooLarge { max: usize },
    #[error("the URI is {len} bytes long; the limit is {max}")]
    UriTooLong { len: usize, max: usize },
    #[error("send the values as JSON (Content-Type: application/json), not '{0}'")]
    UnsupportedMediaType(String),
    #[error("too many renders queued; retry in a moment")]
    Overloaded,
    /// The client's rate limit is spent (cache hits stay free).
    #[error("rate limit reached: {count} new cards per {window} s; retry in {retry_after} s (cached cards are still served)")]
    RateLimited {
        count: u32,
        window: u32,
        retry_after: u64,
    },
    #[error("shutting down")]
    NotReady,
    /// A status without a kind of its own (a default response from a layer below).
    #[error("{}", .0.canonical_reason().unwrap_or("error"))]
    Status(StatusCode),
}

/// Fields a JSON error body carries besides `error` and `status` (a rate limit's reason and
/// reset time, which clients turn into a retry delay).
#[derive(Clone, Debug)]
pub struct ErrorDetails(pub serde_json::Value);

/// The message of an error response, kept so [`negotiate`](super::routes) can re-encode it
/// as JSON for clients that ask for JSON.
#[derive(Clone, Debug)]
pub struct ErrorMessage(pub String);

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Render(e) => match e {
                ogmill_core::Error::UnknownTemplate { .. } => StatusCode::NOT_FOUND,
                e if e.is_client_error() => StatusCode::BAD_REQUEST,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
            ApiError::BadRequest(_) | ApiError::Query(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_)
            | ApiError::UnsignedRouteClosed
            | ApiError::SigningNeedsApiKey
            | ApiError::DevNotLocal(_)
            | ApiError::DevToken => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Timeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UriTooLong { .. } => StatusCode::URI_TOO_LONG,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Overloaded | ApiError::NotReady => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Status(s) => *s,
        }
    }

    /// The kind for a bare status some layer answered with (axum's 405, the timeout's 408).
    pub fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
            StatusCode::REQUEST_TIMEOUT => ApiError::Timeout,
            s => ApiError::Status(s),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status.is_server_error()
            && !matches!(self, ApiError::Overloaded | ApiError::NotReady)
        {
            tracing::error!(error = %self, "internal error");
            "internal error; it has been logged".to_owned()
        } else {
            self.to_string()
        };
        let mut res = (status, format!("{message}\n")).into_response();
        let headers = res.headers_mut();
        let mut details = None;
        match self {
            ApiError::Overloaded | ApiError::NotReady => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            ApiError::Unauthorized => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::RateLimited {
                count,
                window,
                retry_after,
            } => {
                headers.insert(header::RETRY_AFTER, retry_after.into());
                // draft-ietf-httpapi-ratelimit-headers: the policy, and what is left of it.
                let policy = format!("\"renders\";q={count};w={window}");
                let left = format!("\"renders\";r=0;t={retry_after}");
                for (name, v) in [("ratelimit-policy", policy), ("ratelimit", left)] {
                    if let Ok(v) = HeaderValue::from_str(&v) {
                        headers.insert(header::HeaderName::from_static(name), v);
                    }
                }
                details = Some(ErrorDetails(serde_json::json!({
                    "reason": "rate_limited",
                    "retryAfter": retry_after,
                    "reset": ogmill_core::request::signature::now() + retry_after,
                })));
            }
            _ => {}
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res.extensions_mut().insert(ErrorMessage(message));
        if let Some(d) = details {
            res.extensions_mut().insert(d);
        }
        res
    }
}
