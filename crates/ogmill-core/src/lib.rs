//! ogmill's core: Open Graph images and social cards from SVG templates.
//!
//! Synchronous, and knows nothing of HTTP, async runtimes or the network: an embedder (a
//! static-site generator, a job worker, the `ogmill` binary, the HTTP server) hands it a
//! template name and values and gets PNG bytes back. Data flows one way:
//! raw request -> [`request`] (validated params and output) -> [`template`] (filled SVG,
//! its families resolved by [`fonts`]) -> [`fit`] (text that fits) -> [`raster`] (pixels)
//! -> [`encode`] (PNG, WebP, JPEG, PDF), all driven by one [`Renderer`]; the folders follow
//! those stages and import only downward. [`tools`] (import, the page checker) sit beside
//! the path and are never called by it.
//!
//! Images are given to it prepared ([`images::prepare`] turns bytes into what it draws);
//! fetching them is the caller's business (the server crate does it with its defences).
//!
//! Bytes in: templates can be `(name, source)` pairs ([`Options::templates`]) and fonts
//! bytes ([`Options::fonts`]), so nothing needs a file system. Features (all on by
//! default) keep what is not portable apart, and
//! `cargo check -p ogmill-core --target wasm32-unknown-unknown --no-default-features` builds:
//!
//! | feature | what it adds |
//! |---|---|
//! | `bundled-fonts` | the 48 MB of `fonts/` compiled in (implies `latin-fonts`) |
//! | `latin-fonts` | Inter alone (1 MB), what the bundled templates draw Latin with |
//! | `webp-native` | libwebp (C) for WebP; without it, a pure-Rust lossless encoder |
//! | `parallel` | start-up draws every template's first render on every core (threads) |
//! | `pdf` | PDF output (svg2pdf) |
//!
//! The error enums ([`Error`], [`error::TemplateErrorKind`], [`images::ImageProblem`],
//! [`tools::import::ImportError`]) are `#[non_exhaustive]`: new causes will come, so match
//! the ones you act on and keep a catch-all.
//!
//! Stage timings read the clock of [`Options::clock`]; on `wasm32-unknown-unknown`, which
//! has none, there is none unless the caller gives one.
//!
//! ```
//! use ogmill_core::{fonts::FontData, Inputs, Options, RenderRequest, Renderer};
//!
//! let card = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:og="https://ogmill.dev/template"
//!     width="600" height="300"><metadata><og:param name="title" kind="text" default="Hi"/></metadata>
//!   <text og:text="{{title}}" og:box="40 40 520 220" x="40" y="120" font-family="Inter"
//!     font-size="64">Hi</text></svg>"#;
//! # let inter = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fonts/Inter-Bold.otf")).unwrap();
//! let renderer = Renderer::new(Options {
//!     templates: vec![("card".into(), card.into())],
//!     fonts: vec![FontData::new(inter)],
//!     bundled_fonts: false,
//!     ..Options::default()
//! })?;
//! let request = RenderRequest::new("card", &[("title", "Hello, world")]);
//! let png = renderer.render(&renderer.resolve(&request)?, Inputs::default())?.bytes;
//! assert!(png.starts_with(b"\x89PNG"));
//! # Ok::<(), ogmill_core::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod clock;
mod color;
mod cost;
pub mod encode;
pub mod error;
pub mod fit;
pub mod fonts;
pub mod images;
mod linked;
mod memo;
pub mod raster;
pub mod renderer;
pub mod request;
mod stop;
pub mod template;
pub mod tools;
mod xml;

pub use clock::Clock;
pub use error::{Error, Result};
pub use fonts::lang::Lang;
pub use renderer::{CardKey, Inputs, Options, RenderRequest, Rendered, Renderer, Resolved, Stages};
pub use stop::Stop;
