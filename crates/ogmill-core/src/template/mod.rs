//! Templates: SVG files whose dynamic parts are declared in the `og:` namespace.
//!
//! A template is parsed and validated once, then compiled into a flat list of pieces:
//! static markup is serialised ahead of time, so filling a template per request is string
//! concatenation with escaped values, and a value can never reach anything but the place
//! the template put it. See README.md ("Template syntax") for the format.
//!
//! The module is split by stage: `slot` holds the public description of slots and what the
//! fit decides for them; `compile` turns a file into pieces once; `fill` writes the SVG for
//! one request from those pieces.

mod compile;
mod fill;
mod layers;
mod load;
mod probe;
mod slot;

use std::path::PathBuf;

use crate::request::params::{ParamSpec, Params};

pub use crate::error::{Position, TemplateError, TemplateErrorKind};
pub use fill::initials;
use slot::ColorSource;
pub use slot::{
    Align, Dir, Fit, ImageFill, ImageSlot, PlacedLine, PlacedRun, PlacedText, SplitPoint, TextSlot,
    VAlign,
};

/// The namespace of ogmill's template attributes and elements.
pub const OG_NS: &str = "https://ogmill.dev/template";
const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Attributes of the `og:` namespace that configure ogmill rather than bind an SVG attribute.
const RESERVED: &[&str] = &[
    "text",
    "box",
    "min-font-size",
    "max-lines",
    "line-height",
    "align",
    "valign",
    "white-space",
    "lang",
    "dir",
    "if",
    "unless",
    "image",
    "fit",
    "initials",
    "initials-fill",
    "initials-color",
    "cache",
];
/// Font properties a text slot must set on its own `<text>`, so that measuring sees them.
pub(crate) const FONT_ATTRS: &[&str] = &[
    "font-family",
    "font-weight",
    "font-style",
    "font-stretch",
    "font-variant",
    "letter-spacing",
    "word-spacing",
    "font-kerning",
    "font-feature-settings",
    "text-rendering",
];

/// A font family a template names that no loaded font has, and the loaded family that
/// draws its text instead (the closest of its class: sans, serif, mono, script, display).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FontSubstitution {
    /// The family the design asked for, as written.
    pub asked: String,
    /// The loaded family used.
    pub used: String,
}

impl std::fmt::Display for FontSubstitution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} drawn as {}", self.asked, self.used)
    }
}

/// A parsed, validated template.
#[derive(Debug)]
pub struct Template {
    /// The template's name: its file stem, and the `{template}` of its URLs.
    pub name: String,
    /// The file it was loaded from.
    pub path: PathBuf,
    /// Content hash of the file; changes whenever the template does (for cache keys).
    pub hash: u64,
    /// The params it declares, in declaration order.
    pub params: Vec<ParamSpec>,
    /// Its text slots, in document order.
    pub slots: Vec<TextSlot>,
    /// Where image params are drawn (`og:image`), in document order.
    pub image_slots: Vec<ImageSlot>,
    /// `og:cache="private"` on the root: a request carrying `Authorization` or `Cookie` may be
    /// personalised, so the server keeps it out of shared caches. Default: public.
    pub private: bool,
    /// The template's own size in user units; it is scaled onto the output canvas.
    pub width: f32,
    /// The template's own height in user units.
    pub height: f32,
    pieces: Vec<Piece>,
    /// The template split into a static background and a per-request foreground (see
    /// [`Layers`]), or why it is drawn in one pass.
    layers: std::result::Result<Layers, String>,
    /// For requests that give none of the image slots without initials a picture: the
    /// template compiled again with those slots' placeholders in the background, which
    /// splits later than `layers` (product's sample picture is drawn once, not per card).
    pictures_absent: Option<Layered>,
}

/// Pieces compiled for a split of their own, and that split.
#[derive(Debug)]
struct Layered {
    pieces: Vec<Piece>,
    layers: Layers,
}

/// Most of a card never changes: everything painted before the first element that depends
/// on a request, at whatever depth, is drawn once into a background, kept per value of the
/// params it binds (`key_params`, usually just a color), and each request draws only the
/// rest over a copy. See `layers.rs` for when that equals drawing the whole.
#[derive(Clone, Debug)]
struct Layers {
    /// The background document.
    background: Vec<Span>,
    /// The foreground document.
    foreground: Vec<Span>,
    key_params: Vec<String>,
    /// When the split stops above the first dynamic element: which group stopped it.
    limit: Option<String>,
}

/// A part of a layer's document: a run of the template's pieces, or markup of its own.
#[derive(Clone, Debug)]
enum Span {
    Pieces(std::ops::Range<usize>),
    Lit(&'static str),
}

/// A piece of a pattern: literal text or a parameter's value.
#[derive(Clone, Debug)]
enum Part {
    Lit(String),
    Param(String),
    /// A number param written a chosen way (`{{stars|compact}}`); text slots only.
    Number(String, crate::request::numbers::NumberFormat),
}

/// One step of filling the compiled template.
#[derive(Clone, Debug)]
enum Piece {
    /// Markup written as is.
    Lit(String),
    /// ` name="…"` with the pattern's value escaped for an attribute.
    Attr { name: String, pattern: Vec<Part> },
    /// The fitted lines of text slot N.
    Slot(usize),
    /// Skip to piece `end` unless the param is non-empty (or, when `negate`, empty).
    If {
        param: String,
        negate: bool,
        end: usize,
    },
    /// Image slot N: its picture or initials, then skip the placeholder children to `end`;
    /// or fall through to the children.
    Image { slot: usize, end: usize },
}

impl Template {
    /// What `ogmill templates --json` and `GET /templates` show: name, params and slots.
    pub fn describe(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name,
            "width": self.width,
            "height": self.height,
            "private": self.private,
            "params": self.params,
            "slots": self.slots,
            "images": self.image_slots,
            "layered": self.layers.is_ok(),
            "layering": self.layering(),
            "substituted_fonts": self.substituted_fonts(),
        })
    }

    /// Families the design names that no loaded font has, each once, with what draws them.
    pub fn substituted_fonts(&self) -> Vec<FontSubstitution> {
        let mut out: Vec<FontSubstitution> = vec![];
        for s in self.slots.iter().filter_map(|s| s.substituted.as_ref()) {
            if !out.contains(s) {
                out.push(s.clone());
            }
        }
        out
    }

    /// How the template is drawn, in a sentence: layered (and where the split stops), or
    /// in one pass and why.
    pub fn layering(&self) -> String {
        let mut said = match &self.layers {
            Ok(Layers { limit: None, .. }) => "layered: the static background is drawn once".into(),
            Ok(Layers {
                limit: Some(why), ..
            }) => format!(
                "layered, but the split stops above a group: {why}, so it is drawn per request"
            ),
            Err(why) => format!("single pass: {why}"),
        };
        if self.pictures_absent.is_some() {
            said.push_str("; without a picture, its image placeholders are part of the background");
        }
        said
    }

    /// The text a slot shows for these params (cleaned, whitespace collapsed; line breaks
    /// kept as `\n` only in a pre-line slot).
    pub fn slot_text(&self, slot: &TextSlot, params: &Params) -> String {
        let mut raw = String::new();
        for part in &slot.pattern {
            match part {
                Part::Lit(s) => raw.push_str(s),
                Part::Param(p) => raw.push_str(params.get(p).map_or("", |v| v.text.as_str())),
                Part::Number(p, f) => {
                    let text = params.get(p).map_or("", |v| v.text.as_str());
                    match text.parse::<f64>() {
                        Ok(n) if n.is_finite() => raw.push_str(&f.apply(n)),
                        _ => raw.push_str(text),
                    }
                }
            }
        }
        if slot.pre_line {
            crate::request::params::clean_text_keeping_breaks(&raw)
        } else {
            crate::request::params::clean_text(&raw)
        }
    }
}

/// Whether `name` can name a template: 1-64 ASCII letters, digits, `-` and `_` (it is the
/// `{template}` of the URLs, and a file stem).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// FNV-1a: a stable content hash (std's `DefaultHasher` may change between releases).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_extend(0xcbf29ce484222325, bytes)
}

/// FNV-1a of what `hash` hashed followed by `bytes`.
pub(crate) fn fnv1a_extend(hash: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(hash, |h, b| (h ^ *b as u64).wrapping_mul(0x100000001b3))
}
