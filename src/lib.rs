//! The `ogmill` command's library: its one settings struct ([`config`]), and the commands
//! that are more than a call into the renderer ([`build`], [`bench`](mod@bench)).
//!
//! The renderer itself is [`ogmill_core`] (synchronous, no HTTP, no network); the HTTP server
//! is [`ogmill_server`]. Both are re-exported here for the binary's convenience.
#![forbid(unsafe_code)]

pub mod bench;
pub mod build;
pub mod config;
pub mod fontsource;

pub use ogmill_core as core;
pub use ogmill_server as server;
