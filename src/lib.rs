//! ogmill: Open Graph images and social cards from SVG templates.
//!
//! The library is synchronous and knows nothing of HTTP. Data flows one way:
//! raw request -> [`params`] (validated) -> [`fit`] (text that fits) -> [`template`] (filled SVG)
//! -> [`raster`] (pixels) -> [`encode`] (PNG), all driven by one [`Renderer`].
//!
//! [`server`] (axum on tokio) and the binary's CLI are leaves over that `Renderer`; nothing in
//! the pipeline depends on them. [`config`] is the one settings struct both read.
#![forbid(unsafe_code)]

pub mod bench;
pub mod build;
pub mod config;
pub mod coverage;
pub mod encode;
pub mod error;
pub mod fit;
pub mod fonts;
pub mod images;
pub mod lru_bytes;
pub mod palette;
pub mod params;
pub mod raster;
pub mod renderer;
pub mod runs;
pub mod server;
pub mod signature;
pub mod template;
pub mod xml;

pub use error::{Error, Result};
pub use renderer::{Options, RenderRequest, Rendered, Renderer};
