//! Why a server cannot start: a setting that cannot work, or a part that cannot be had.
//! Shown to the operator at start-up, with the cause (`{:#}` prints the chain).

use std::path::PathBuf;

/// A server that cannot start, and why.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The operating system gave no random bytes (for the `--dev` token).
    #[error("no random bytes from the operating system: {0}")]
    Randomness(String),
    /// A setting that becomes a response header is not a valid header value.
    #[error("{setting} '{value}' is not a valid header value")]
    HeaderValue {
        /// The setting's name, as its flag spells it.
        setting: &'static str,
        /// The value given.
        value: String,
    },
    /// `--dev` on an address others can reach.
    #[error("--dev signs URLs, reads pages on this machine and writes templates, so it binds only a loopback address, not {0}; pass --dev-public to expose it anyway (never on the internet)")]
    DevNotLoopback(std::net::SocketAddr),
    /// `--require-signature` without any key to check signatures with.
    #[error("require-signature needs at least one signing key: pass --signing-key KEY or set OGMILL_SIGNING_KEYS (or OGMILL_SIGNING_KEY); make one with `ogmill sign --new-key`")]
    SignatureWithoutKey,
    /// A signing key that anyone could guess (empty or short).
    #[error(transparent)]
    SigningKey(ogmill_core::request::signature::KeyError),
    /// The `--fallback-image` file cannot be read.
    #[error("cannot read the fallback image {}", path.display())]
    FallbackUnreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The `--fallback-image` file is not a PNG.
    #[error("fallback image {} is not a PNG file", .0.display())]
    FallbackNotPng(PathBuf),
    /// The default fallback card (the `default` template with the site name) does not render.
    #[error("the fallback card does not render")]
    FallbackRender(#[source] ogmill_core::Error),
    /// The image fetcher cannot be built (its TLS setup).
    #[error("cannot start the image fetcher: {0}")]
    Images(String),
    /// The Redis settings cannot work.
    #[error("redis: {0}")]
    Redis(String),
    /// `--dev` cannot watch the templates and fonts.
    #[error("cannot watch for changes")]
    Watch(#[source] notify::Error),
    /// `--dev` cannot start its reload thread.
    #[error("cannot start the reload thread")]
    ReloadThread(#[source] std::io::Error),
}
