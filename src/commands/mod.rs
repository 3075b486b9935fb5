//! One module per command of the `ogmill` binary; each is a thin leaf over the `Renderer`.

pub(crate) mod bench;
pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod healthcheck;
pub(crate) mod import;
pub(crate) mod render;
pub(crate) mod serve;
pub(crate) mod sign;
pub(crate) mod templates;
