//! The one pipeline both the server and the CLI call:
//! raw request -> validated params -> text fit -> template fill -> rasterize -> encode.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, Laps};

use crate::encode::bands::Bands;
use crate::encode::{encode, Compression};
use crate::error::{Error, Result};
use crate::fit::{fit, SlotFit, Typesetter};
use crate::fonts::lang::Lang;
use crate::images::{Frame, ImageProblem, ImageSource, LocalImages, Prepared};
use crate::memo::{CacheUsage, Memo};
use crate::request::output::{Format, Output};
use crate::request::params::{Params, UnknownParams};
use crate::stop::Stop;
use crate::template::{
    Dir, ImageFill, PlacedText, SplitPoint, Template, TemplateError, TemplateErrorKind,
};

/// The templates in `svg-templates/`, embedded so the binary works from any directory.
pub const BUNDLED_TEMPLATES: &[(&str, &str)] = &[
    (
        "default",
        include_str!("../../../svg-templates/default.svg"),
    ),
    ("blog", include_str!("../../../svg-templates/blog.svg")),
    (
        "product",
        include_str!("../../../svg-templates/product.svg"),
    ),
    (
        "profile",
        include_str!("../../../svg-templates/profile.svg"),
    ),
    ("square", include_str!("../../../svg-templates/square.svg")),
    ("wide", include_str!("../../../svg-templates/wide.svg")),
    ("event", include_str!("../../../svg-templates/event.svg")),
    (
        "episode",
        include_str!("../../../svg-templates/episode.svg"),
    ),
    ("quote", include_str!("../../../svg-templates/quote.svg")),
    ("job", include_str!("../../../svg-templates/job.svg")),
    ("repo", include_str!("../../../svg-templates/repo.svg")),
    (
        "pricing",
        include_str!("../../../svg-templates/pricing.svg"),
    ),
    ("lesson", include_str!("../../../svg-templates/lesson.svg")),
    (
        "newsletter",
        include_str!("../../../svg-templates/newsletter.svg"),
    ),
    ("launch", include_str!("../../../svg-templates/launch.svg")),
    (
        "minimal",
        include_str!("../../../svg-templates/minimal.svg"),
    ),
    ("docs", include_str!("../../../svg-templates/docs.svg")),
    (
        "changelog",
        include_str!("../../../svg-templates/changelog.svg"),
    ),
];

/// How a [`Renderer`] is built.
#[derive(Clone, Debug)]
pub struct Options {
    /// A directory of `*.svg` templates, each named by its file stem. Default: `None`, which
    /// uses the bundled templates (unless `templates` gives some).
    pub templates_dir: Option<PathBuf>,
    /// Templates as `(name, SVG source)` pairs, loaded with those of `templates_dir` (or,
    /// without a directory, instead of the bundled ones): for embedders that hold their
    /// templates in memory (a worker, a Python build). Default: none.
    pub templates: Vec<(String, String)>,
    /// Whether to load the bundled fonts (Inter and the Noto script and emoji fonts; with
    /// only the `latin-fonts` feature, Inter alone). Default: `true` when the build has them.
    pub bundled_fonts: bool,
    /// Font files as bytes (TrueType, OpenType, or a collection), loaded after the bundled
    /// ones and before `font_dirs`. Default: none.
    pub fonts: Vec<crate::fonts::FontData>,
    /// A font database to use as it is, instead of loading `bundled_fonts`, `fonts`,
    /// `font_dirs` and `system_fonts`: renderers that share one (a worker's, a fuzzer's, a
    /// renderer per template set) parse their fonts once. [`Renderer::fontdb`] gives a
    /// renderer's own. Default: `None`.
    pub fontdb: Option<Arc<fontdb::Database>>,
    /// Extra directories of font files to load. Default: none.
    pub font_dirs: Vec<PathBuf>,
    /// Whether to load the system's fonts too, after all others in the fallback chain.
    /// Default: `false`, so output is the same on every machine.
    pub system_fonts: bool,
    /// PNG compression. Default: [`Compression::default()`].
    pub compression: Compression,
    /// Draw each template's static background once (per value of the params it binds) and
    /// per request only the rest over a copy. Same pixels, less work. Default: `true`.
    pub layered: bool,
    /// How far, per channel, a color may move so the card fits a 256-color palette (an
    /// indexed PNG: about half the size, and faster to compress). Areas of gradient are
    /// dithered between two entries, so a pixel may move up to `2 * tolerance + 1` while a
    /// 4x4 block keeps its mean; a layered card's glyph edges up to `2 * tolerance`. 0 keeps
    /// every pixel exact, indexing only cards of at most 256 colors. Default: 1.
    pub palette_tolerance: u8,
    /// Bytes of drawn backgrounds kept for layered templates (one 1200x630 canvas is 3 MB,
    /// 3.8 MB once a PNG has indexed its rows; at `scale=3`, 27 and 34 MB). Default: 64 MiB.
    pub layer_cache_bytes: u64,
    /// Load the other templates of `templates_dir` when one is broken, instead of failing:
    /// the broken ones are listed by [`Renderer::broken_templates`], and a request for one
    /// fails with its load error. For tools that use one template of many (`ogmill render`);
    /// a server should fail fast. Default: `false`.
    pub skip_broken_templates: bool,
    /// Where stage timings ([`Stages`]) come from. Default: the process's monotonic clock;
    /// none on `wasm32-unknown-unknown` (no timings), where a caller may pass its own.
    pub clock: Option<Clock>,
    /// Refuse a template whose text names a family no loaded font has, instead of drawing
    /// it with the closest loaded family of its class and reporting the substitution
    /// ([`Template::substituted_fonts`]). Default: `false`.
    pub strict_fonts: bool,
    /// The directory image files linked by templates given as text ([`Options::templates`])
    /// are read from, and must lie inside; read once, at load, and embedded. Templates of
    /// `templates_dir` read theirs from their own directory. Default: `None`: a template
    /// given as text that links a file is refused, with advice to embed it.
    pub resources_dir: Option<PathBuf>,
    /// Start with no templates when `templates_dir` holds none yet, instead of failing: a
    /// `--dev` server waiting for its first design, whose requests name no template until
    /// one is saved there. Default: `false`.
    pub allow_no_templates: bool,
    /// Send the PNG instead of a WebP that would be larger (a flat card of few colors is
    /// 1.4-5x larger as lossless WebP than as its indexed PNG): [`Rendered::format`] says
    /// which was written. For HTTP servers, whose clients take either; off for files, whose
    /// names promise a format. Default: `false`.
    pub webp_never_larger: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            templates_dir: None,
            templates: vec![],
            bundled_fonts: crate::fonts::HAS_BUNDLED,
            fonts: vec![],
            fontdb: None,
            font_dirs: vec![],
            system_fonts: false,
            compression: Compression::default(),
            layered: true,
            palette_tolerance: 1,
            layer_cache_bytes: 64 << 20,
            strict_fonts: false,
            resources_dir: None,
            allow_no_templates: false,
            webp_never_larger: false,
            skip_broken_templates: false,
            clock: crate::clock::default_clock(),
        }
    }
}

/// Bytes of text measurements kept: a few hundred bytes each, so tens of thousands of words.
const MEASURE_CACHE_BYTES: u64 = 8 << 20;

/// A request as it arrives: a template name and raw, unvalidated name/value pairs.
#[derive(Clone, Debug, Default)]
pub struct RenderRequest {
    /// The template's name.
    pub template: String,
    /// Name/value pairs as they came; validated by [`Renderer::resolve`].
    pub params: Vec<(String, String)>,
    /// What to do with params the template does not declare. Default: reject.
    pub unknown: UnknownParams,
}

impl RenderRequest {
    /// A request for `template` with `params`, refusing params the template does not declare.
    pub fn new(template: &str, params: &[(&str, &str)]) -> Self {
        RenderRequest {
            template: template.to_owned(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            unknown: UnknownParams::Reject,
        }
    }
}

/// A request whose template exists and whose params are all valid. Made only by
/// [`Renderer::resolve`]; owned, so it can move to a worker thread with the render.
#[derive(Clone, Debug)]
pub struct Resolved {
    template: Arc<Template>,
    params: Params,
    ignored: Vec<String>,
    dir: Dir,
    lang: Lang,
    output: Output,
}

impl Resolved {
    /// The template the request names.
    pub fn template(&self) -> &Template {
        &self.template
    }

    /// Every declared param's value, defaults applied.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// Names the request gave that the template does not declare (with
    /// [`UnknownParams::Ignore`]; with `Reject` such a request does not resolve).
    pub fn ignored(&self) -> &[String] {
        &self.ignored
    }

    /// The request's `dir` (`auto` leaves each slot's own `og:dir`).
    pub fn dir(&self) -> Dir {
        self.dir
    }

    /// The request's `lang` (`auto` leaves each slot's own `og:lang`, then the text decides).
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// How the card is written: format, quality, scale.
    pub fn output(&self) -> Output {
        self.output
    }

    /// The card's size in pixels: the template's own size times the scale.
    pub fn size(&self) -> (u32, u32) {
        self.output
            .size(self.template.width, self.template.height)
            .expect("checked by resolve")
    }

    /// Each image slot's picture from `source`, one per slot in document order: `None` for
    /// a slot without a value (drawn as its placeholder) or whose picture cannot be had,
    /// which is also named with its problem.
    pub fn load_images(
        &self,
        source: &dyn ImageSource,
    ) -> (Vec<Option<Prepared>>, Vec<(String, ImageProblem)>) {
        self.place_images(source.load_all(&self.wanted_images()))
    }

    /// What the image slots that have a value ask for, in document order: the reference,
    /// and the frame to prepare it for (the output's pixels, scale included). For a caller
    /// that loads them itself, then hands the outcomes, in the same order, to
    /// [`Resolved::place_images`].
    pub fn wanted_images(&self) -> Vec<(&str, Frame)> {
        let t = self.template();
        t.image_slots
            .iter()
            .filter_map(|slot| {
                let reference = self.reference(&slot.param);
                let frame = slot.frame(t.width, self.size().0);
                (!reference.is_empty()).then_some((reference, frame))
            })
            .collect()
    }

    /// The outcomes of [`Resolved::wanted_images`] as [`Inputs::images`] wants them, one per
    /// image slot, and the problems by param.
    pub fn place_images(
        &self,
        loaded: Vec<std::result::Result<Prepared, ImageProblem>>,
    ) -> (Vec<Option<Prepared>>, Vec<(String, ImageProblem)>) {
        let mut loaded = loaded.into_iter();
        let mut images = vec![];
        let mut problems = vec![];
        for slot in &self.template().image_slots {
            let outcome = match self.reference(&slot.param) {
                "" => None,
                _ => loaded.next(),
            };
            match outcome {
                Some(Ok(p)) => images.push(Some(p)),
                Some(Err(p)) => {
                    problems.push((slot.param.clone(), p));
                    images.push(None);
                }
                None => images.push(None),
            }
        }
        (images, problems)
    }

    /// An image param's value, empty when not given.
    fn reference(&self, param: &str) -> &str {
        self.params().get(param).map_or("", |v| v.text.as_str())
    }

    /// [`Resolved::load_images`] from data URIs and files in `assets`: what an in-process
    /// embedder (the Python and Node packages) has. See [`LocalImages`].
    pub fn local_images(
        &self,
        assets: Option<&std::path::Path>,
    ) -> (Vec<Option<Prepared>>, Vec<(String, ImageProblem)>) {
        self.load_images(&LocalImages { assets })
    }
}

/// What a render takes besides the resolved request.
#[derive(Debug, Default)]
pub struct Inputs<'a> {
    /// Prepared images, one per image slot of the template in document order; `None` or a
    /// missing entry draws the slot's placeholder. Default: none.
    pub images: &'a [Option<Prepared>],
    /// Where to add each stage's time, for profiling. Default: `None`.
    pub stages: Option<&'a mut Stages>,
    /// A flag that ends the render early with [`Error::Stopped`] when raised (looked at
    /// between the shapes it draws): a server raises it when the render overruns its time.
    /// Default: `None`, the render runs to the end.
    pub stop: Option<&'a Stop>,
}

/// Names the output bytes of a resolved request: the template's name and content hash, the
/// renderer's [fingerprint](Renderer::fingerprint) and every param with defaults applied.
/// Equal keys mean equal bytes, so caches, ETags and `ogmill build`'s state file use it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CardKey {
    text: String,
    template: String,
    template_hash: u64,
}

impl CardKey {
    /// The key as one unambiguous string (values are length-prefixed).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The template's name.
    pub fn template(&self) -> &str {
        &self.template
    }

    /// The template's content hash: a changed template never shares a key with the old one.
    pub fn template_hash(&self) -> u64 {
        self.template_hash
    }

    /// A strong HTTP validator for the card (`"` and 32 hex digits): the same key always
    /// renders the same bytes, so the server and the in-process handlers send this as ETag.
    pub fn etag(&self) -> String {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(self.text.as_bytes());
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        format!("\"{hex}\"")
    }
}

/// Whether an `If-None-Match` value names `etag` ([`CardKey::etag`]), by the weak comparison
/// of RFC 9110 13.1.2: `W/` is ignored, `*` matches.
pub fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag)
}

impl std::fmt::Display for CardKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Time spent in each stage of a render (summed over the renders it was passed to).
#[derive(Clone, Copy, Debug, Default)]
pub struct Stages {
    /// Measuring and fitting text.
    pub fit: Duration,
    /// Writing the filled SVG.
    pub fill: Duration,
    /// Parsing it with usvg and drawing it with resvg (over the cached background when the
    /// template is layered).
    pub raster: Duration,
    /// PNG encoding.
    pub encode: Duration,
    /// Renders of a layered card to PNG or lossless WebP that were encoded whole instead of
    /// over its background's cached rows: the card's new colors did not fit the background's
    /// palette, or the background itself has more than 256 colors (a photo, a blur).
    pub encoded_whole: u32,
}

/// The output of a render.
#[derive(Clone, Debug)]
pub struct Rendered {
    /// The encoded image, in `format`.
    pub bytes: Vec<u8>,
    /// Its format.
    pub format: Format,
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
    /// What the fit decided, one entry per text slot in document order.
    pub fits: Vec<SlotFit>,
}

/// A layered template's static drawing for some bound values and size, and its PNG rows
/// indexed and compressed once, on first use (`None` when it does not fit a palette).
struct Background {
    key: String,
    pixmap: tiny_skia::Pixmap,
    bands: std::sync::OnceLock<Option<Bands>>,
    /// Lossless WebP's settings for cards over it, chosen by size on the first one among
    /// `encode::Lossless::choices`: cards over one background are alike.
    webp: std::sync::OnceLock<crate::encode::Lossless>,
}

impl Background {
    /// Bytes held, for the layer cache.
    fn cost(&self) -> u64 {
        let bands = self.bands.get().and_then(Option::as_ref);
        (self.pixmap.data().len() + bands.map_or(0, Bands::heap_bytes)) as u64
    }
}

/// Templates, fonts and options, loaded and validated once; cheap to share across threads.
pub struct Renderer {
    templates: BTreeMap<String, Arc<Template>>,
    /// Templates that did not load, by name, and why (see `skip_broken_templates`).
    broken: BTreeMap<String, String>,
    fontdb: Arc<fontdb::Database>,
    usvg: usvg::Options<'static>,
    options: Options,
    fingerprint: u64,
    /// Each family's coverage, for choosing fonts per character and reporting missing glyphs.
    families: crate::fonts::runs::Families,
    /// Per template, each text slot's font chain, worked out once.
    chains: BTreeMap<String, Vec<crate::fonts::runs::Chain>>,
    /// Rendered backgrounds of layered templates, by template, bound values and size.
    backgrounds: Memo<Arc<Background>>,
    /// Text measurements, by font and text (see `fit`).
    measures: crate::fit::MeasureCache,
    /// svg2pdf's font database, built on the first PDF (see `pdf`).
    #[cfg(feature = "pdf")]
    pdf: std::sync::OnceLock<crate::encode::pdf::PdfWriter>,
}

impl Renderer {
    /// Loads fonts and templates; a broken template fails here with its file name and reason.
    pub fn new(options: Options) -> Result<Self> {
        let fontdb = match &options.fontdb {
            Some(db) if db.is_empty() => {
                return Err(Error::Font("the font database given is empty".into()))
            }
            Some(db) => db.clone(),
            None => crate::fonts::load_all(
                options.bundled_fonts,
                &options.fonts,
                &options.font_dirs,
                options.system_fonts,
            )?,
        };
        let usvg = crate::raster::usvg_options(fontdb.clone());
        let mut templates = BTreeMap::new();
        let mut broken = BTreeMap::new();
        match &options.templates_dir {
            None if !options.templates.is_empty() => {}
            None => {
                for (name, src) in BUNDLED_TEMPLATES {
                    let path = PathBuf::from(format!("svg-templates/{name}.svg"));
                    let t = Template::parse(name, &path, src, &usvg)?;
                    templates.insert(name.to_string(), Arc::new(t));
                }
            }
            Some(dir) => {
                for path in template_files(dir, options.allow_no_templates)? {
                    match Template::load(&path, dir, &usvg) {
                        Ok(t) => {
                            templates.insert(t.name.clone(), Arc::new(t));
                        }
                        Err(e) if options.skip_broken_templates => {
                            let name = path.file_stem().unwrap_or_default().to_string_lossy();
                            broken.insert(name.into_owned(), e.to_string());
                        }
                        Err(e) => return Err(e),
                    }
                }
                if templates.is_empty() && !broken.is_empty() && options.templates.is_empty() {
                    let (name, reason) = broken.pop_first().expect("not empty");
                    return Err(Error::BrokenTemplate { name, reason });
                }
            }
        }
        for (name, source) in &options.templates {
            if !crate::template::valid_name(name) {
                return Err(Error::BrokenTemplate {
                    name: name.chars().take(64).collect(),
                    reason:
                        "a template's name is ASCII letters, digits, '-' and '_' (it is the URL's)"
                            .into(),
                });
            }
            let path = PathBuf::from(format!("{name}.svg"));
            let parsed = match &options.resources_dir {
                Some(dir) => Template::parse_in(name, &path, source, dir, &usvg),
                None => Template::parse(name, &path, source, &usvg),
            };
            match parsed {
                Ok(t) => {
                    templates.insert(name.clone(), Arc::new(t));
                }
                Err(e) if options.skip_broken_templates => {
                    broken.insert(name.clone(), e.to_string());
                }
                Err(e) => return Err(e.into()),
            }
        }
        if options.strict_fonts {
            strict_fonts(&templates)?;
        }
        let families = crate::fonts::runs::Families::new(&fontdb);
        let chains = templates
            .values()
            .map(|t| {
                let slots = t.slots.iter().map(|s| families.chain(&s.families));
                (t.name.clone(), slots.collect())
            })
            .collect();
        let layer_cache_bytes = options.layer_cache_bytes;
        let renderer = Renderer {
            templates,
            broken,
            usvg,
            fingerprint: fingerprint(&fontdb, &options),
            chains,
            families,
            fontdb,
            options,
            backgrounds: Memo::new(layer_cache_bytes),
            measures: Memo::new(MEASURE_CACHE_BYTES),
            #[cfg(feature = "pdf")]
            pdf: std::sync::OnceLock::new(),
        };
        renderer.draw_each_template()?;
        Ok(renderer)
    }

    /// Draws every template once with its defaults, as a request would be, so one that
    /// cannot be drawn stops start-up. Its background is not kept: it is drawn again on the
    /// template's first request, so an idle server holds only the backgrounds of templates
    /// in use (the bundled eighteen's were 57 MB of a 128 MB idle process). On every core:
    /// with eighteen templates this was most of start-up.
    fn draw_each_template(&self) -> Result<()> {
        let templates: Vec<&Arc<Template>> = self.templates.values().collect();
        let draw = |t: &Arc<Template>| -> Result<()> {
            let req = RenderRequest {
                template: t.name.clone(),
                ..RenderRequest::default()
            };
            self.render_pixmap(
                &self.resolve(&req)?,
                &[],
                &Stop::new(),
                &mut Stages::default(),
                Keep::Nothing,
            )
            .map(drop)
            .map_err(|e| {
                Error::from(TemplateError {
                    path: t.path.clone(),
                    position: None,
                    kind: TemplateErrorKind::DoesNotRender(Box::new(e)),
                })
            })
        };
        #[cfg(feature = "parallel")]
        {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            let chunk = templates.len().div_ceil(threads).max(1);
            std::thread::scope(|scope| {
                let handles: Vec<_> = templates
                    .chunks(chunk)
                    .map(|part| scope.spawn(move || part.iter().try_for_each(|t| draw(t))))
                    .collect();
                // The first failure in name order, as a sequential start-up would report it.
                handles
                    .into_iter()
                    .try_for_each(|h| h.join().expect("a template's first render panicked"))
            })
        }
        #[cfg(not(feature = "parallel"))]
        templates.into_iter().try_for_each(draw)
    }

    /// Identifies everything besides the template and the params that decides the output
    /// bytes: ogmill's version, the canvas size, the compression and the loaded font faces.
    /// Cache keys and ETags include it, so changing fonts or settings never serves old bytes.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// The [`CardKey`] of a resolved request's output bytes.
    pub fn key(&self, resolved: &Resolved) -> CardKey {
        use std::fmt::Write;
        let t = &resolved.template;
        let mut key = format!("{}/{:016x}/{:016x}?", t.name, t.hash, self.fingerprint);
        for (name, value) in resolved.params.iter() {
            let _ = write!(key, "{name}={}:{};", value.text.len(), value.text);
        }
        if resolved.dir != Dir::Auto {
            let _ = write!(key, "/dir={:?}", resolved.dir);
        }
        if resolved.lang != Lang::Auto {
            let _ = write!(key, "/lang={:?}", resolved.lang);
        }
        key.push_str(&resolved.output.key_suffix());
        CardKey {
            text: key,
            template: t.name.clone(),
            template_hash: t.hash,
        }
    }

    /// The options it was built with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The loaded fonts.
    pub fn fontdb(&self) -> &Arc<fontdb::Database> {
        &self.fontdb
    }

    /// Every loaded template, by name.
    pub fn templates(&self) -> impl Iterator<Item = &Template> {
        self.templates.values().map(|t| &**t)
    }

    /// Templates that did not load, and why (only with `skip_broken_templates`).
    pub fn broken_templates(&self) -> impl Iterator<Item = (&str, &str)> {
        self.broken.iter().map(|(n, r)| (n.as_str(), r.as_str()))
    }

    /// The template of that name.
    pub fn template(&self, name: &str) -> Option<&Template> {
        self.templates.get(name).map(|t| &**t)
    }

    /// Checks a raw request: the template must exist and every value must be valid.
    pub fn resolve(&self, req: &RenderRequest) -> Result<Resolved> {
        if let Some(reason) = self.broken.get(&req.template) {
            return Err(Error::BrokenTemplate {
                name: req.template.clone(),
                reason: reason.clone(),
            });
        }
        let template = self
            .templates
            .get(&req.template)
            .ok_or_else(|| Error::UnknownTemplate {
                name: req.template.chars().take(64).collect(),
                available: self
                    .templates
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        Self::resolve_in(template.clone(), req)
    }

    /// Parses `source` as a template named `name` without loading it, and resolves `req`'s
    /// params against it: for previewing a template while it is being made (the
    /// playground's design mode). The render of the result keeps nothing of it but what
    /// every render keeps (text measurements, a background under its content hash).
    pub fn resolve_draft(&self, name: &str, source: &str, req: &RenderRequest) -> Result<Resolved> {
        let path = PathBuf::from(format!("{name}.svg"));
        let template = Template::parse(name, &path, source, &self.usvg)?;
        Self::resolve_in(Arc::new(template), req)
    }

    fn resolve_in(template: Arc<Template>, req: &RenderRequest) -> Result<Resolved> {
        let (builtins, rest) = take_builtins(&template, &req.params)?;
        let (params, ignored) =
            Params::resolve(&template.name, &template.params, &rest, req.unknown)?;
        Ok(Resolved {
            template,
            params,
            ignored,
            dir: builtins.dir,
            lang: builtins.lang,
            output: builtins.output,
        })
    }

    /// Renders and encodes: the one way to draw a card.
    ///
    /// ```
    /// use ogmill_core::{Inputs, Options, RenderRequest, Renderer};
    ///
    /// let renderer = Renderer::new(Options::default())?;
    /// let request = RenderRequest::new("blog", &[("title", "Hello, world")]);
    /// let card = renderer.render(&renderer.resolve(&request)?, Inputs::default())?;
    /// assert_eq!((card.width, card.height), (1200, 630));
    /// assert!(card.bytes.starts_with(b"\x89PNG"));
    /// # Ok::<(), ogmill_core::Error>(())
    /// ```
    pub fn render(&self, resolved: &Resolved, inputs: Inputs<'_>) -> Result<Rendered> {
        let mut own = Stages::default();
        let stages = inputs.stages.unwrap_or(&mut own);
        if resolved.output.format == Format::Pdf {
            return self.render_pdf(resolved, inputs.images, stages);
        }
        let stop = inputs.stop.cloned().unwrap_or_default();
        let (pixmap, fits, background) =
            self.render_pixmap(resolved, inputs.images, &stop, stages, Keep::Background)?;
        let mut laps = Laps::start(self.options.clock);
        let bytes = match self.encode_over(&pixmap, background.as_ref(), &resolved.output)? {
            Some(bytes) => bytes,
            None => {
                if background.is_some() && indexes_over_bands(&resolved.output) {
                    stages.encoded_whole += 1;
                }
                encode(
                    &pixmap,
                    &resolved.output,
                    self.options.compression,
                    self.options.palette_tolerance,
                )?
            }
        };
        let (bytes, format) =
            self.never_larger_than_png(bytes, &pixmap, background.as_ref(), resolved)?;
        laps.lap(&mut stages.encode);
        Ok(Rendered {
            bytes,
            format,
            width: pixmap.width(),
            height: pixmap.height(),
            fits,
        })
    }

    /// The WebP, or the PNG of the same pixels when that is smaller and
    /// [`Options::webp_never_larger`] asks for it; other formats as they are.
    fn never_larger_than_png(
        &self,
        bytes: Vec<u8>,
        pixmap: &tiny_skia::Pixmap,
        background: Option<&Arc<Background>>,
        resolved: &Resolved,
    ) -> Result<(Vec<u8>, Format)> {
        let asked = resolved.output.format;
        if asked != Format::Webp || !self.options.webp_never_larger {
            return Ok((bytes, asked));
        }
        let png_output = Output {
            format: Format::Png,
            quality: None,
            ..resolved.output
        };
        let png = match self.encode_over(pixmap, background, &png_output)? {
            Some(png) => png,
            None => encode(
                pixmap,
                &png_output,
                self.options.compression,
                self.options.palette_tolerance,
            )?,
        };
        Ok(if png.len() < bytes.len() {
            (png, Format::Png)
        } else {
            (bytes, Format::Webp)
        })
    }

    /// Draws the card's pixels (premultiplied RGBA at the output's size) without encoding
    /// them, for embedders that compose or encode cards themselves. Drawn as for PNG
    /// whatever the requested format.
    pub fn draw(&self, resolved: &Resolved, inputs: Inputs<'_>) -> Result<tiny_skia::Pixmap> {
        let mut own = Stages::default();
        let stages = inputs.stages.unwrap_or(&mut own);
        let stop = inputs.stop.cloned().unwrap_or_default();
        Ok(self
            .render_pixmap(resolved, inputs.images, &stop, stages, Keep::Background)?
            .0)
    }

    /// Encodes a card drawn over `background` reusing the background's indexed rows (see
    /// `bands`); `None` when that does not apply (no background, JPEG, lossy WebP, a
    /// background or card that does not fit a palette), and the card is encoded whole.
    fn encode_over(
        &self,
        pixmap: &tiny_skia::Pixmap,
        background: Option<&Arc<Background>>,
        output: &Output,
    ) -> Result<Option<Vec<u8>>> {
        let Some(bg) = background else {
            return Ok(None);
        };
        if !indexes_over_bands(output) {
            return Ok(None);
        }
        let Some(bands) = self.bands(bg) else {
            return Ok(None);
        };
        let compression = self.options.compression;
        if output.format == Format::Png {
            let level = crate::encode::palette_level(compression);
            return Ok(bands.encode(pixmap, &bg.pixmap, level));
        }
        let Some(indexed) = bands.quantize(pixmap, &bg.pixmap) else {
            return Ok(None);
        };
        let webp =
            |indexed, lossless| crate::encode::webp_from(pixmap, Some(indexed), None, lossless);
        let choices = crate::encode::Lossless::choices(compression, true);
        if let Some(&lossless) = bg
            .webp
            .get()
            .or(choices.first().filter(|_| choices.len() == 1))
        {
            return webp(indexed, lossless).map(Some);
        }
        // The first card over this background: each choice, the smaller kept (ties to the
        // first, the faster on the flat cards).
        let mut best: Option<(Vec<u8>, crate::encode::Lossless)> = None;
        for &lossless in choices {
            let bytes = webp(indexed.clone(), lossless)?;
            if best.as_ref().is_none_or(|(b, _)| bytes.len() < b.len()) {
                best = Some((bytes, lossless));
            }
        }
        let (bytes, lossless) = best.expect("at least one choice");
        let _ = bg.webp.set(lossless);
        Ok(Some(bytes))
    }

    /// A background's bands, made on the first card encoded over it (start-up draws every
    /// background but need not index them) and then counted in the layer cache's bytes.
    fn bands<'a>(&self, bg: &'a Arc<Background>) -> Option<&'a Bands> {
        let mut made = false;
        let bands = bg.bands.get_or_init(|| {
            made = true;
            Bands::new(&bg.pixmap, self.options.palette_tolerance)
        });
        if made {
            self.backgrounds.put(bg.key.clone(), bg.clone(), bg.cost());
        }
        bands.as_ref()
    }

    /// A PDF: fitted and filled as for pixels, in one pass (no layers: it is not drawn), then
    /// written as vector. Its page is the template's size; `scale` does not apply.
    #[cfg(feature = "pdf")]
    fn render_pdf(
        &self,
        resolved: &Resolved,
        images: &[Option<Prepared>],
        stages: &mut Stages,
    ) -> Result<Rendered> {
        let mut laps = Laps::start(self.options.clock);
        let (placed, fits) = self.place(resolved)?;
        laps.lap(&mut stages.fit);
        let t = &resolved.template;
        let svg = t.fill(&resolved.params, &placed, &image_fills(t, images));
        laps.lap(&mut stages.fill);
        let writer = self
            .pdf
            .get_or_init(|| crate::encode::pdf::PdfWriter::new(&self.fontdb));
        let bytes = writer.write(&svg, images)?;
        laps.lap(&mut stages.encode);
        Ok(Rendered {
            bytes,
            format: Format::Pdf,
            width: t.width.round() as u32,
            height: t.height.round() as u32,
            fits,
        })
    }

    #[cfg(not(feature = "pdf"))]
    fn render_pdf(&self, _: &Resolved, _: &[Option<Prepared>], _: &mut Stages) -> Result<Rendered> {
        Err(Error::InvalidValue {
            param: "format".into(),
            reason: "this build of ogmill was made without PDF support (the pdf feature)".into(),
        })
    }

    fn render_pixmap(
        &self,
        resolved: &Resolved,
        images: &[Option<Prepared>],
        stop: &Stop,
        stages: &mut Stages,
        keep: Keep,
    ) -> Result<(tiny_skia::Pixmap, Vec<SlotFit>, Option<Arc<Background>>)> {
        let mut laps = Laps::start(self.options.clock);
        let mut lap = |stage: &mut Duration| laps.lap(stage);
        let (placed, fits) = self.place(resolved)?;
        lap(&mut stages.fit);
        let t = &resolved.template;
        let fills = image_fills(t, images);
        let with_images;
        let opts = if images.iter().any(Option::is_some) {
            with_images = crate::raster::usvg_options_with_images(self.fontdb.clone(), images);
            &with_images
        } else {
            &self.usvg
        };
        let split = t.split_for(&fills).filter(|_| self.options.layered);
        if let Some(split) = split {
            let (split, background) = self.background(resolved, split, stop, keep)?;
            let svg = t
                .fill_foreground(&resolved.params, &placed, &fills, split)
                .expect("a layered template has a foreground");
            lap(&mut stages.fill);
            let mut pixmap = background.pixmap.clone();
            crate::raster::draw(&svg, opts, &mut pixmap, stop)?;
            lap(&mut stages.raster);
            return Ok((pixmap, fits, Some(background)));
        }
        let svg = t.fill(&resolved.params, &placed, &fills);
        lap(&mut stages.fill);
        let (w, h) = resolved.size();
        let pixmap = crate::raster::rasterize_until(&svg, opts, w, h, stop)?;
        lap(&mut stages.raster);
        Ok((pixmap, fits, None))
    }

    /// The background of split `at` for these params, and the split drawn: `at`, or the
    /// first split when `at` is past placeholders whose colors keep its background from a
    /// palette while the first one's may (a PNG over it would be encoded whole, 3x larger
    /// for product's sample picture; the first split's bands had room for it).
    fn background(
        &self,
        resolved: &Resolved,
        at: SplitPoint,
        stop: &Stop,
        keep: Keep,
    ) -> Result<(SplitPoint, Arc<Background>)> {
        let bg = self.background_at(resolved, at, stop, keep)?;
        let unindexed = keep == Keep::Background
            && at == SplitPoint::PastPlaceholders
            && resolved.template.has_split(SplitPoint::First)
            && indexes_over_bands(&resolved.output)
            && self.bands(&bg).is_none();
        if unindexed {
            let first = SplitPoint::First;
            return Ok((first, self.background_at(resolved, first, stop, keep)?));
        }
        Ok((at, bg))
    }

    /// The background of split `at` for these params: from the cache, or drawn now (and
    /// cached unless `keep` says not to).
    fn background_at(
        &self,
        resolved: &Resolved,
        at: SplitPoint,
        stop: &Stop,
        keep: Keep,
    ) -> Result<Arc<Background>> {
        let t = &resolved.template;
        let (w, h) = resolved.size();
        let key = t
            .background_key(&resolved.params, at)
            .expect("a layered template has a background")
            + &format!("\0{w}x{h}");
        if let Some(bg) = self.backgrounds.get(&key) {
            return Ok(bg);
        }
        let svg = t
            .fill_background(&resolved.params, at)
            .expect("a layered template has a background");
        // Drawn outside the lock: two threads may both draw a new background once.
        let pixmap = crate::raster::rasterize_until(&svg, &self.usvg, w, h, stop)?;
        let bands = std::sync::OnceLock::new();
        let bg = Arc::new(Background {
            key: key.clone(),
            pixmap,
            bands,
            webp: std::sync::OnceLock::new(),
        });
        if keep == Keep::Background {
            self.backgrounds.put(key, bg.clone(), bg.cost());
        }
        Ok(bg)
    }

    /// How full the cache of drawn backgrounds is.
    pub fn layer_cache_usage(&self) -> CacheUsage {
        self.backgrounds.usage()
    }

    /// How full the cache of text measurements is.
    pub fn measure_cache_usage(&self) -> CacheUsage {
        self.measures.usage()
    }

    /// The filled SVG a render would draw (single pass, images as `images` says), and what
    /// the fit decided: for debugging a template (`ogmill render --svg`).
    pub fn fill(
        &self,
        resolved: &Resolved,
        images: &[Option<Prepared>],
    ) -> Result<(String, Vec<SlotFit>)> {
        let (placed, fits) = self.place(resolved)?;
        let fills = image_fills(&resolved.template, images);
        Ok((
            resolved.template.fill(&resolved.params, &placed, &fills),
            fits,
        ))
    }

    /// Fits every text slot of the template: the lines to draw and what was decided.
    pub fn place(&self, resolved: &Resolved) -> Result<(Vec<PlacedText>, Vec<SlotFit>)> {
        let t = &resolved.template;
        let mut placed = Vec::with_capacity(t.slots.len());
        let mut fits = Vec::with_capacity(t.slots.len());
        // A request resolved by another renderer (an older one, before a hot reload) gets
        // its chains worked out here.
        let own;
        let ours = self
            .templates
            .get(&t.name)
            .is_some_and(|o| Arc::ptr_eq(o, t));
        let chains = match self.chains.get(&t.name) {
            Some(c) if ours => c,
            _ => {
                own = t
                    .slots
                    .iter()
                    .map(|s| self.families.chain(&s.families))
                    .collect();
                &own
            }
        };
        for (slot, chain) in t.slots.iter().zip(chains) {
            let text = t.slot_text(slot, &resolved.params);
            let lang = match resolved.lang {
                Lang::Auto => slot.lang,
                given => given,
            };
            // Han characters in that language's shapes: its face goes before the default one.
            let lang_chain;
            let chain = match lang.for_text(&text).preferred_family() {
                Some(face) => {
                    lang_chain = self.families.chain_for(&slot.families, Some(face));
                    &lang_chain
                }
                None => chain,
            };
            let dir = match resolved.dir {
                Dir::Auto => slot.dir,
                given => given,
            };
            let typesetter = Typesetter {
                usvg: &self.usvg,
                families: &self.families,
                chain,
                rtl: dir.is_rtl(&text),
                cache: Some(&self.measures),
            };
            let (p, mut f) = fit(slot, &text, &typesetter)?;
            f.missing = self.families.missing(&text);
            placed.push(p);
            fits.push(f);
        }
        Ok((placed, fits))
    }

    /// The usvg options every parse uses (fonts, no file or URL access).
    pub fn usvg_options(&self) -> &usvg::Options<'static> {
        &self.usvg
    }
}

/// Whether a render keeps the background it draws for the next request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Keep {
    /// Cache it (requests).
    Background,
    /// Drop it (start-up's check that each template draws).
    Nothing,
}

/// What each image slot shows: the picture when there is one.
fn image_fills(t: &Template, images: &[Option<Prepared>]) -> Vec<ImageFill> {
    (0..t.image_slots.len())
        .map(|i| match images.get(i) {
            Some(Some(_)) => ImageFill::Picture,
            _ => ImageFill::Placeholder,
        })
        .collect()
}

fn fingerprint(db: &fontdb::Database, options: &Options) -> u64 {
    use std::fmt::Write;
    let mut s = format!(
        "{} {:?} {}",
        env!("CARGO_PKG_VERSION"),
        options.compression,
        options.palette_tolerance
    );
    for f in db.faces() {
        // The bytes too: a new version of a font under the same names draws differently, and
        // a shared cache (Redis) outlives restarts.
        let bytes = db
            .with_face_data(f.id, |data, _| font_hash(data))
            .unwrap_or(0);
        let _ = write!(
            s,
            "|{:?} {} {} {:?} {:?} {:?} {bytes:016x}",
            f.families, f.post_script_name, f.index, f.style, f.weight, f.stretch
        );
    }
    crate::template::fnv1a(s.as_bytes())
}

/// A quick hash of font bytes, a word at a time (FxHash's step): byte-wise FNV took 28 ms
/// for the 24 MB of bundled fonts, this takes about a tenth. It detects a changed file; it
/// is no defence against a crafted collision, which a font installer has no reason to make.
fn font_hash(data: &[u8]) -> u64 {
    let mut h = data.len() as u64;
    let mut words = data.chunks_exact(8);
    for w in &mut words {
        let w = u64::from_le_bytes(w.try_into().expect("8 bytes"));
        h = (h.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    for &b in words.remainder() {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    h
}

fn template_files(dir: &Path, allow_none: bool) -> Result<Vec<PathBuf>> {
    let io = |error| Error::Io {
        path: dir.to_owned(),
        error,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .collect();
    files.sort();
    if files.is_empty() && !allow_none {
        return Err(TemplateError {
            path: dir.to_owned(),
            position: None,
            kind: TemplateErrorKind::NoTemplates,
        }
        .into());
    }
    Ok(files)
}

/// The built-in params every template takes besides its own.
#[derive(Default)]
struct Builtins {
    dir: Dir,
    lang: Lang,
    output: Output,
}

/// Takes the built-in params (`dir`, `lang`, `format`, `quality`, `scale`) out of the request's values,
/// except those the template declares itself. Each may be given once.
fn take_builtins(
    t: &Template,
    params: &[(String, String)],
) -> Result<(Builtins, Vec<(String, String)>)> {
    let builtin = |k: &str| {
        (k == "dir" || k == "lang" || Output::PARAMS.contains(&k))
            && !t.params.iter().any(|p| p.name == k)
    };
    let mut b = Builtins::default();
    let mut seen: Vec<&str> = vec![];
    let mut rest = Vec::with_capacity(params.len());
    for (k, v) in params {
        if !builtin(k) {
            rest.push((k.clone(), v.clone()));
            continue;
        }
        if seen.contains(&k.as_str()) {
            return Err(Error::DuplicateParam { name: k.clone() });
        }
        seen.push(k);
        if k == "dir" {
            b.dir = Dir::parse(v.trim()).ok_or_else(|| Error::InvalidValue {
                param: "dir".into(),
                reason: "must be auto, ltr or rtl".into(),
            })?;
        } else if k == "lang" {
            b.lang = Lang::parse(v).ok_or_else(|| Error::InvalidValue {
                param: "lang".into(),
                reason: "must be a language tag such as ja, zh-Hant, ko or auto".into(),
            })?;
        } else if !v.trim().is_empty() {
            b.output.set(k, v)?;
        }
    }
    b.output.check()?;
    b.output.size(t.width, t.height)?;
    Ok((b, rest))
}

/// Whether `output` is written from palette indices, which a layered card can take from its
/// background's cached bands: PNG and lossless WebP.
fn indexes_over_bands(output: &Output) -> bool {
    output.format == Format::Png || (output.format == Format::Webp && output.quality.is_none())
}

/// With [`Options::strict_fonts`], a substituted family is an error naming the template.
fn strict_fonts(templates: &BTreeMap<String, Arc<Template>>) -> Result<()> {
    for t in templates.values() {
        if let Some(s) = t.substituted_fonts().first() {
            return Err(crate::Error::Font(format!(
                "template {}: no loaded font has the family {} (strict fonts are on). Add its files with --fonts DIR, or turn strict fonts off to draw it as {}",
                t.path.display(),
                s.asked,
                s.used
            )));
        }
    }
    Ok(())
}
