//! One integration-test binary; each module is named for what it tests.
//!
//! Plain `cargo test` is hermetic: no network, npm, Chromium or redis-server. The modules that
//! need those are compiled only with the `external-tests` feature, which the README's test
//! command (`bash .ci/test`, also run by CI) turns on after installing what they need; there
//! they fail, never skip, when a part is missing.

#[cfg(feature = "external-tests")]
mod browser;
mod build;
mod cli;
#[cfg(feature = "external-tests")]
mod conformance;
mod designs;
mod escaping;
mod fit;
#[cfg(feature = "external-tests")]
mod fleet;
#[cfg(feature = "external-tests")]
mod fontsource;
mod formats;
mod gallery;
mod golden;
mod hostile;
mod http;
mod images;
mod import;
#[cfg(feature = "external-tests")]
mod nextjs;
#[cfg(feature = "external-tests")]
mod node;
#[cfg(feature = "external-tests")]
mod python;
#[cfg(feature = "external-tests")]
mod redis;
mod scripts;
mod support;
mod templates;
#[cfg(feature = "external-tests")]
mod typescript;
#[cfg(feature = "external-tests")]
mod wasm;
