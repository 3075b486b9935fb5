//! ogmill's core: Open Graph images and social cards from SVG templates.
//!
//! Synchronous, and knows nothing of HTTP, async runtimes or the network: an embedder (a
//! static-site generator, a job worker, the `ogmill` binary, the HTTP server) hands it a
//! template name and values and gets PNG bytes back. Data flows one way:
//! raw request -> [`params`] (validated) -> [`fit`] (text that fits) -> [`template`] (filled
//! SVG) -> [`raster`] (pixels) -> [`encode`] (PNG), all driven by one [`Renderer`].
//!
//! Images are given to it prepared ([`images::prepare`] turns bytes into what it draws);
//! fetching them is the caller's business (the server crate does it with its defences).
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

pub mod bands;
pub mod check;
pub mod color;
pub mod cost;
pub mod coverage;
pub mod encode;
pub mod error;
pub mod fit;
pub mod fonts;
pub mod images;
pub mod import;
pub mod lang;
pub mod memo;
pub mod numbers;
pub mod output;
pub mod palette;
pub mod params;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod platforms;
pub mod query;
pub mod raster;
pub mod renderer;
pub mod runs;
pub mod signature;
pub mod template;
pub mod xml;
pub mod zlib;

pub use error::{Error, Result};
pub use renderer::{CardKey, Inputs, Options, RenderRequest, Rendered, Renderer, Resolved};
