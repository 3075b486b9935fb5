//! Image params, had from wherever they point: the core's pure preparation ([`prepare`]:
//! sniff, bound, decode, fit, re-encode) behind the hardened [`fetch::Fetcher`] for URLs, the
//! assets directory for names, and [`ImageStore`], which caches prepared images and
//! coalesces concurrent loads.

pub mod address;
pub mod fetch;
pub mod store;

pub use ogmill_core::images::{
    parse_source, prepare, sniff, Frame, ImageProblem, Prepared, Source,
};
pub use store::{ImageOptions, ImageStore, Loader};
