//! The server's GET route (`/og/:template?params`) for web-standard handlers: the query is
//! parsed, signatures checked, the ETag answered with 304 before any drawing, and errors
//! given as the server's JSON bodies. The JavaScript `createHandler` only finds the template
//! in the path and turns the reply into a `Response`.

use std::collections::HashMap;
use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Buffer, Either};
use napi::{Env, Task};
use napi_derive::napi;
use ogmill_core::request::params::UnknownParams;
use ogmill_core::request::signature::{self, Signer};
use ogmill_core::{Error, RenderRequest, Renderer as Core};

use crate::{Failure, NativeRenderer};

/// The server's default lifetime of a card.
const CACHE_CONTROL: &str = "public, max-age=86400, s-maxage=86400, stale-while-revalidate=604800";
/// A card drawn with a placeholder image is not the card its URL names: kept briefly.
const DEGRADED_CACHE_CONTROL: &str = "public, max-age=300";

/// An HTTP reply, for the JavaScript layer to turn into a `Response`.
#[napi(object)]
pub struct HttpReply {
    /// The status code.
    pub status: u32,
    /// Header names (lower case) and values.
    pub headers: HashMap<String, String>,
    /// The body: the card, a JSON error, or empty for 304.
    pub body: Buffer,
    /// A failure's detail, for the server's log (never sent).
    pub log: Option<String>,
}

/// Signing and caching settings of a handler.
#[napi]
pub struct NativeRoute {
    gate: Arc<Gate>,
}

struct Gate {
    signer: Option<Signer>,
    require_signature: bool,
    cache_control: String,
}

#[napi]
impl NativeRoute {
    /// A route that checks signatures with `signing_keys` (the first signs, all verify),
    /// requires one when `require_signature`, and sends `cache_control` with cards.
    #[napi]
    pub fn open(
        signing_keys: Vec<String>,
        require_signature: bool,
        cache_control: Option<String>,
    ) -> Either<NativeRoute, Failure> {
        let signer = match Signer::optional(&signing_keys) {
            Ok(s) => s,
            Err(e) => return Either::B(Failure::new("BAD_SIGNING_KEY", e)),
        };
        if require_signature && signer.is_none() {
            let message = "requireSignature needs signingKeys: without a key no URL can be signed";
            return Either::B(Failure::new("BAD_SIGNING_KEY", message));
        }
        Either::A(NativeRoute {
            gate: Arc::new(Gate {
                signer,
                require_signature,
                cache_control: cache_control.unwrap_or_else(|| CACHE_CONTROL.to_owned()),
            }),
        })
    }

    /// The query string of a URL for `template` with `params`, signed with the first key
    /// (with `exp` when `expires`, unix seconds, is given); unsigned without keys.
    #[napi]
    pub fn signed_query(
        &self,
        template: String,
        params: HashMap<String, String>,
        expires: Option<f64>,
    ) -> String {
        let mut pairs: Vec<(String, String)> = params.into_iter().collect();
        pairs.sort();
        match &self.gate.signer {
            Some(s) => s.signed_query(&template, &pairs, expires.map(|e| e as u64)),
            None => pairs
                .iter()
                .map(|(k, v)| format!("{}={}", signature::encode(k), signature::encode(v)))
                .collect::<Vec<_>>()
                .join("&"),
        }
    }

    /// Answers `GET /og/{template}?{query}` on libuv's pool.
    #[napi(ts_return_type = "Promise<HttpReply>")]
    pub fn handle(
        &self,
        renderer: &NativeRenderer,
        template: String,
        query: String,
        if_none_match: Option<String>,
    ) -> AsyncTask<RouteTask> {
        AsyncTask::new(RouteTask {
            gate: self.gate.clone(),
            core: renderer.core().clone(),
            assets: renderer.assets().map(Into::into),
            template,
            query,
            if_none_match,
        })
    }
}

/// One GET request on libuv's pool.
pub struct RouteTask {
    gate: Arc<Gate>,
    core: Arc<Core>,
    assets: Option<std::path::PathBuf>,
    template: String,
    query: String,
    if_none_match: Option<String>,
}

impl Task for RouteTask {
    type Output = HttpReply;
    type JsValue = HttpReply;

    fn compute(&mut self) -> napi::Result<HttpReply> {
        Ok(self.answer().unwrap_or_else(|reply| *reply))
    }

    fn resolve(&mut self, _: Env, output: HttpReply) -> napi::Result<HttpReply> {
        Ok(output)
    }
}

impl RouteTask {
    /// The reply; `Err` holds an error reply (boxed: it is the rare path), so each step can
    /// end the request with `?`.
    fn answer(&self) -> Result<HttpReply, Box<HttpReply>> {
        let mut params = ogmill_core::request::query::parse(&self.query)
            .map_err(|e| Box::new(error_reply(400, &e.to_string())))?;
        let now = signature::now();
        let g = &self.gate;
        let expires = signature::admit(
            g.signer.as_ref(),
            g.require_signature,
            &self.template,
            &mut params,
            now,
        )
        .map_err(|e| Box::new(error_reply(403, &e.to_string())))?;
        let req = RenderRequest {
            template: self.template.clone(),
            params,
            unknown: UnknownParams::Ignore,
        };
        let resolved = self
            .core
            .resolve(&req)
            .map_err(|e| Box::new(core_error_reply(e)))?;
        let etag = self.core.key(&resolved).etag();
        let cache_control = signature::capped_cache_control(&g.cache_control, expires, now)
            .unwrap_or_else(|| g.cache_control.clone());
        let mut headers = HashMap::from([("cache-control".to_owned(), cache_control)]);
        if !resolved.ignored().is_empty() {
            headers.insert(
                "x-ogmill-ignored-params".into(),
                resolved.ignored().join(", "),
            );
        }
        if let Some(inm) = &self.if_none_match {
            if ogmill_core::renderer::etag_matches(inm, &etag) {
                headers.insert("etag".into(), etag);
                return Ok(reply(304, headers, vec![]));
            }
        }
        let drawn = crate::draw(&self.core, self.assets.as_deref(), &req)
            .map_err(|e| Box::new(core_error_reply(e)))?;
        let fits = &drawn.rendered.fits;
        headers.insert(
            "content-type".into(),
            drawn.rendered.format.content_type().into(),
        );
        headers.insert("x-ogmill-fit".into(), ogmill_core::fit::summary(fits));
        let mut missing: Vec<char> = fits.iter().flat_map(|f| f.missing.clone()).collect();
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            headers.insert("x-ogmill-missing-glyphs".into(), missing.len().to_string());
        }
        if drawn.warnings.is_empty() {
            headers.insert("etag".into(), drawn.etag);
        } else {
            headers.insert("cache-control".into(), DEGRADED_CACHE_CONTROL.into());
            headers.insert("x-ogmill-image-error".into(), drawn.warnings.join("; "));
        }
        Ok(reply(200, headers, drawn.rendered.bytes))
    }
}

fn reply(status: u32, headers: HashMap<String, String>, body: Vec<u8>) -> HttpReply {
    HttpReply {
        status,
        headers,
        body: body.into(),
        log: None,
    }
}

/// The server's JSON error body: `{"error": message, "status": code}`.
fn error_reply(status: u32, message: &str) -> HttpReply {
    let body = serde_json::json!({ "error": message, "status": status }).to_string();
    let headers = HashMap::from([
        ("content-type".to_owned(), "application/json".to_owned()),
        ("cache-control".to_owned(), "no-store".to_owned()),
    ]);
    reply(status, headers, body.into_bytes())
}

/// A core error as the server maps it: 404 for an unknown template, 400 for the caller's
/// values, else a 500 whose detail is logged, not sent.
fn core_error_reply(e: Error) -> HttpReply {
    match e {
        Error::UnknownTemplate { .. } => error_reply(404, &e.to_string()),
        e if e.is_client_error() => error_reply(400, &e.to_string()),
        e => HttpReply {
            log: Some(e.to_string()),
            ..error_reply(500, "internal error; it has been logged")
        },
    }
}
