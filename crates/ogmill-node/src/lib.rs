//! `ogmill` for Node.js: the native half of the npm package, a thin layer over
//! `ogmill_core::Renderer`. Values arrive as JavaScript strings and leave as a `Buffer`;
//! validation, fit, drawing and encoding are the core's, so a card here is byte for byte the
//! card `ogmill render` writes.
//!
//! The JavaScript half (`index.js`) gives the documented API: it turns option shapes into
//! [`NativeOptions`], and a [`Failure`] into an `Error` with a stable `code`. Failures come
//! back as values rather than thrown from here because napi's async tasks reject with a
//! generic status, and a caller acts on the code.
//!
//! Renders run on libuv's thread pool ([`AsyncTask`]), never on the event loop.

mod route;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Buffer, Either};
use napi::{Env, Task};
use napi_derive::napi;
use ogmill_core::fonts::FontData;
use ogmill_core::request::params::UnknownParams;
use ogmill_core::{Error, Inputs, Options, RenderRequest, Renderer as Core};

pub use route::NativeRoute;

/// How a renderer is built; the JavaScript layer fills it from the documented options.
#[napi(object)]
pub struct NativeOptions {
    /// A directory of `*.svg` templates.
    pub templates_dir: Option<String>,
    /// Templates as name -> SVG source.
    pub templates: Option<HashMap<String, String>>,
    /// Font files' bytes.
    pub fonts: Option<Vec<Buffer>>,
    /// Directories of font files.
    pub font_dirs: Option<Vec<String>>,
    /// Whether to load the fonts compiled in (Inter). Default: true.
    pub bundled_fonts: Option<bool>,
    /// Where image params that are file names are read from.
    pub assets: Option<String>,
    /// Refuse templates naming a family no loaded font has. Default: false.
    pub strict_fonts: Option<bool>,
    /// How far a color may move to fit a 256-color palette. Default: 1.
    pub palette_tolerance: Option<u32>,
    /// PNG compression: `fast`, `default` or `best`. Default: `fast`.
    pub compression: Option<String>,
}

/// How one card is asked for, besides its template and values.
#[napi(object)]
pub struct RenderOptions {
    /// `png`, `webp`, `jpeg` or `pdf`. Default: the template's (PNG).
    pub format: Option<String>,
    /// JPEG or lossy WebP quality, 1-100.
    pub quality: Option<u32>,
    /// Pixel density, 1-3. Default: 1.
    pub scale: Option<u32>,
}

/// What the fit decided for one text slot.
#[napi(object)]
pub struct SlotFit {
    /// The slot's param.
    pub slot: String,
    /// The font size drawn, in template units.
    pub font_size: f64,
    /// Lines drawn.
    pub lines: u32,
    /// Whether the text was cut with an ellipsis.
    pub truncated: bool,
    /// Characters no loaded font has (drawn as nothing).
    pub missing: String,
}

/// A rendered card.
#[napi(object)]
pub struct Card {
    /// The encoded image.
    pub data: Buffer,
    /// Its media type (`image/png`).
    pub content_type: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// One entry per text slot, in document order.
    pub fit: Vec<SlotFit>,
    /// A strong validator for these bytes (the server's ETag).
    pub etag: String,
    /// Image params drawn as their placeholder, and why.
    pub warnings: Vec<String>,
}

/// Why a call failed: `code` is stable for programs, `message` is the server's 4xx text.
#[napi(object)]
pub struct Failure {
    /// `UNKNOWN_TEMPLATE`, `BAD_PARAM`, `TEMPLATE_ERROR`, `FONT_ERROR`, `BAD_OPTION`,
    /// `BAD_SIGNING_KEY`, `IO_ERROR` or `RENDER_ERROR`.
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
}

impl Failure {
    fn new(code: &str, message: impl ToString) -> Failure {
        Failure {
            code: code.to_owned(),
            message: message.to_string(),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::new(e.code(), &e)
    }
}

/// Templates, fonts and options, loaded once; renders run on libuv's pool.
#[napi]
pub struct NativeRenderer {
    core: Arc<Core>,
    assets: Option<PathBuf>,
}

#[napi]
impl NativeRenderer {
    /// Loads templates and fonts, and draws every template's background once.
    #[napi]
    pub fn open(options: NativeOptions) -> Either<NativeRenderer, Failure> {
        match Self::build(options) {
            Ok(r) => Either::A(r),
            Err(f) => Either::B(f),
        }
    }

    /// Renders on libuv's thread pool.
    #[napi(ts_return_type = "Promise<Card | Failure>")]
    pub fn render(
        &self,
        template: String,
        params: HashMap<String, String>,
        options: Option<RenderOptions>,
    ) -> AsyncTask<RenderTask> {
        AsyncTask::new(RenderTask {
            core: self.core.clone(),
            assets: self.assets.clone(),
            request: request(template, params, options),
        })
    }

    /// Renders on the calling thread (scripts, build steps).
    #[napi]
    pub fn render_sync(
        &self,
        template: String,
        params: HashMap<String, String>,
        options: Option<RenderOptions>,
    ) -> Either<Card, Failure> {
        let req = request(template, params, options);
        into_either(render_card(&self.core, self.assets.as_deref(), &req))
    }

    /// A key naming the bytes `render` would return: equal keys mean equal bytes.
    #[napi]
    pub fn key(
        &self,
        template: String,
        params: HashMap<String, String>,
        options: Option<RenderOptions>,
    ) -> Either<String, Failure> {
        let req = request(template, params, options);
        match self.core.resolve(&req) {
            Ok(resolved) => Either::A(self.core.key(&resolved).as_str().to_owned()),
            Err(e) => Either::B(e.into()),
        }
    }

    /// Every template and its params, as `ogmill templates --json` lists them.
    #[napi(ts_return_type = "Array<object>")]
    pub fn templates(&self) -> serde_json::Value {
        let list: Vec<_> = self.core.templates().map(|t| t.describe()).collect();
        serde_json::to_value(list).unwrap_or_default()
    }
}

impl NativeRenderer {
    fn build(o: NativeOptions) -> Result<NativeRenderer, Failure> {
        let compression = match o.compression.as_deref() {
            None => Default::default(),
            Some(c) => c
                .parse()
                .map_err(|e: String| Failure::new("BAD_OPTION", format!("compression: {e}")))?,
        };
        let palette_tolerance = match o.palette_tolerance {
            None => 1,
            Some(t) => u8::try_from(t).map_err(|_| {
                Failure::new("BAD_OPTION", "paletteTolerance: a number from 0 to 255")
            })?,
        };
        let mut templates: Vec<(String, String)> =
            o.templates.unwrap_or_default().into_iter().collect();
        // A stable order, so two renderers over the same object are the same renderer.
        templates.sort();
        let options = Options {
            templates_dir: o.templates_dir.map(PathBuf::from),
            templates,
            bundled_fonts: o.bundled_fonts.unwrap_or(true),
            fonts: o
                .fonts
                .unwrap_or_default()
                .iter()
                .map(|b| FontData::new(b.to_vec()))
                .collect(),
            font_dirs: o
                .font_dirs
                .unwrap_or_default()
                .into_iter()
                .map(PathBuf::from)
                .collect(),
            strict_fonts: o.strict_fonts.unwrap_or(false),
            palette_tolerance,
            compression,
            ..Options::default()
        };
        Ok(NativeRenderer {
            core: Arc::new(Core::new(options)?),
            assets: o.assets.map(PathBuf::from),
        })
    }

    pub(crate) fn core(&self) -> &Arc<Core> {
        &self.core
    }

    pub(crate) fn assets(&self) -> Option<&std::path::Path> {
        self.assets.as_deref()
    }
}

/// A render on libuv's pool.
pub struct RenderTask {
    core: Arc<Core>,
    assets: Option<PathBuf>,
    request: RenderRequest,
}

impl Task for RenderTask {
    type Output = Result<Card, Failure>;
    type JsValue = Either<Card, Failure>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(render_card(
            &self.core,
            self.assets.as_deref(),
            &self.request,
        ))
    }

    fn resolve(&mut self, _: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(into_either(output))
    }
}

fn into_either<T>(r: Result<T, Failure>) -> Either<T, Failure> {
    match r {
        Ok(v) => Either::A(v),
        Err(f) => Either::B(f),
    }
}

/// A request from JavaScript values: the output options are params of every template, as
/// the server takes them.
fn request(
    template: String,
    params: HashMap<String, String>,
    options: Option<RenderOptions>,
) -> RenderRequest {
    let mut pairs: Vec<(String, String)> = params.into_iter().collect();
    // Object key order is the caller's; the core keys cards by name, but errors name the
    // first bad param, and that should not depend on a hash map's order.
    pairs.sort();
    if let Some(o) = options {
        if let Some(f) = o.format {
            pairs.push(("format".into(), f));
        }
        if let Some(q) = o.quality {
            pairs.push(("quality".into(), q.to_string()));
        }
        if let Some(s) = o.scale.filter(|s| *s != 1) {
            pairs.push(("scale".into(), s.to_string()));
        }
    }
    RenderRequest {
        template,
        params: pairs,
        unknown: UnknownParams::Reject,
    }
}

/// A card as the core drew it, with its validator and its image problems.
pub(crate) struct Drawn {
    pub(crate) rendered: ogmill_core::Rendered,
    /// The ETag; empty when an image was drawn as its placeholder (then not the card its
    /// key names).
    pub(crate) etag: String,
    pub(crate) warnings: Vec<String>,
}

/// Resolves, loads the request's images and renders.
pub(crate) fn draw(
    core: &Core,
    assets: Option<&std::path::Path>,
    req: &RenderRequest,
) -> Result<Drawn, Error> {
    let resolved = core.resolve(req)?;
    let etag = core.key(&resolved).etag();
    let (images, problems) = resolved.local_images(assets);
    let inputs = Inputs {
        images: &images,
        ..Inputs::default()
    };
    let rendered = core.render(&resolved, inputs)?;
    Ok(Drawn {
        rendered,
        etag: if problems.is_empty() {
            etag
        } else {
            String::new()
        },
        warnings: problems
            .iter()
            .map(|(param, p)| format!("image '{param}' drawn as a placeholder: {p}"))
            .collect(),
    })
}

fn render_card(
    core: &Core,
    assets: Option<&std::path::Path>,
    req: &RenderRequest,
) -> Result<Card, Failure> {
    let Drawn {
        rendered,
        etag,
        warnings,
    } = draw(core, assets, req)?;
    Ok(Card {
        content_type: rendered.format.content_type().to_owned(),
        width: rendered.width,
        height: rendered.height,
        fit: rendered
            .fits
            .iter()
            .map(|f| SlotFit {
                slot: f.slot.clone(),
                font_size: f64::from(f.font_size),
                lines: f.lines as u32,
                truncated: f.truncated,
                missing: f.missing.iter().collect(),
            })
            .collect(),
        etag,
        warnings,
        data: rendered.bytes.into(),
    })
}
