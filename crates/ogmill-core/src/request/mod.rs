//! The first stage: a request's raw name/value pairs become validated values ([`params`]),
//! the output it asks for ([`output`]: format, quality, scale), and a signed URL's check
//! ([`signature`]); [`query`] reads a query string the way the server and the bindings do.

pub(crate) mod numbers;
pub mod output;
pub mod params;
pub mod query;
pub mod signature;
