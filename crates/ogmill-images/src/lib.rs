//! Image params, had from wherever they point: the core's pure preparation ([`prepare`]:
//! sniff, bound, decode, fit, re-encode) behind the hardened [`fetch::Fetcher`] for URLs, the
//! assets directory for names, and [`ImageStore`], which caches prepared images and
//! coalesces concurrent loads. [`Loader`] is the store for synchronous callers, and the
//! core's [`ImageSource`](ogmill_core::images::ImageSource).
//!
//! Its own crate so that what loads pictures outside a server (`ogmill render`, `ogmill
//! build`, the golden tests) does not depend on the server; the server uses it too. Also the
//! byte-bounded LRU ([`lru_bytes`]) and the single-flight map ([`flight`]) both share.

#![forbid(unsafe_code)]

pub mod address;
pub mod fetch;
pub mod flight;
pub mod lru_bytes;
pub mod store;

pub use ogmill_core::images::{
    parse_source, prepare, sniff, Frame, ImageProblem, Prepared, Source,
};
pub use store::{ImageOptions, ImageStore, Loader};
