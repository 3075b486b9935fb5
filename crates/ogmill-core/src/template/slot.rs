//! What a template declares about its slots, and what the fit decides for them.

use super::Part;

/// Where and how a piece of text is fitted.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TextSlot {
    /// The `og:text` pattern, e.g. `{{author}} · {{date}}`.
    #[serde(skip)]
    pub(super) pattern: Vec<Part>,
    /// A readable name: the first param the pattern uses.
    pub name: String,
    /// The `id` of its `<text>` in the compiled template (given one if the design had none).
    #[serde(skip)]
    pub(super) id: String,
    /// The box's left edge (`og:box`), in the template's user units.
    pub x: f32,
    /// The box's top edge.
    pub y: f32,
    /// The box's width: no line is wider.
    pub width: f32,
    /// The box's height: the lines fit in it.
    pub height: f32,
    /// The size tried first: the `<text>`'s `font-size`.
    pub max_font_size: f32,
    /// The smallest size before lines are cut with an ellipsis (`og:min-font-size`).
    pub min_font_size: f32,
    /// The most lines (`og:max-lines`).
    pub max_lines: usize,
    /// Distance between baselines, as a multiple of the font size.
    pub line_height: f32,
    /// Where lines sit across the box (`og:align`).
    pub align: Align,
    /// Where the block of lines sits in the box's height (`og:valign`).
    pub valign: VAlign,
    /// `og:white-space="pre-line"`: a line break in the value starts a new line (runs of
    /// whitespace still collapse); otherwise (`normal`) it is a space.
    pub pre_line: bool,
    /// `og:lang`: the text's language, which picks the CJK face (`auto`: from the text).
    pub lang: crate::fonts::lang::Lang,
    /// `og:dir`: the paragraph direction; `auto` (the default) takes the first strong character's.
    pub dir: Dir,
    /// The `font-family` list, first to last: the head of the slot's font chain.
    pub families: Vec<String>,
    /// Font attributes copied from the slot's `<text>`, used to measure with the same font.
    #[serde(skip)]
    pub font_attrs: Vec<(String, String)>,
    /// The font as usvg resolves it from wherever the design set it (attributes, `style`,
    /// CSS classes, ancestors), as CSS declarations pinned on every drawn line, so that
    /// drawing and measuring use the same face: `font-weight:700;font-style:normal;…`.
    #[serde(skip)]
    pub style: String,
    /// The `class` of the design's sample `<tspan>`, given to the drawn lines so the
    /// design's CSS (fill, opacity…) reaches them as it reached the sample.
    #[serde(skip)]
    pub class: Option<String>,
    /// Output pixels per user unit at the slot, at the template's own size: sizes are
    /// searched in whole pixels, whatever the units (Affinity draws text at `font-size:1px`
    /// scaled up by a transform).
    #[serde(skip)]
    pub scale: f32,
    /// The design's family when no loaded font has it, and the family drawn instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub substituted: Option<super::FontSubstitution>,
}

/// Where and how an image param is drawn: an element with `og:image="param"` and
/// `og:box`. Its children are the placeholder drawn when there is no image.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ImageSlot {
    /// The image param drawn here.
    pub param: String,
    /// The box's left edge (`og:box`), in the template's user units.
    pub x: f32,
    /// The box's top edge.
    pub y: f32,
    /// The box's width.
    pub width: f32,
    /// The box's height.
    pub height: f32,
    /// How the image fills the box (`og:fit`).
    pub fit: Fit,
    /// `og:initials="{{name}}"`: without an image, draw these initials on a color derived
    /// from the text instead of the placeholder children.
    #[serde(skip)]
    pub(super) initials: Option<Vec<Part>>,
    /// `og:initials-fill`: the initials' background; unset (or an empty param), a color
    /// derived from the name.
    #[serde(skip)]
    pub(super) initials_fill: Option<ColorSource>,
    /// `og:initials-color`: the initials' letters; unset (or an empty param), white.
    #[serde(skip)]
    pub(super) initials_color: Option<ColorSource>,
}

/// A color a template sets: written out, or a color param's value.
#[derive(Clone, Debug)]
pub(super) enum ColorSource {
    /// A checked, normalised color.
    Color(String),
    /// A param of kind color.
    Param(String),
}

impl ColorSource {
    /// The color for these values; `None` when its param is empty.
    pub(super) fn of<'a>(&'a self, params: &'a crate::request::params::Params) -> Option<&'a str> {
        match self {
            ColorSource::Color(c) => Some(c.as_str()),
            ColorSource::Param(p) => params.get(p).map(|v| v.text.as_str()),
        }
        .filter(|c| !c.is_empty())
    }
}

pub use crate::images::Fit;

impl ImageSlot {
    /// The size its image is drawn at when a template `template_width` units wide is drawn
    /// `output_width` pixels wide, and how the image fills it.
    pub fn frame(&self, template_width: f32, output_width: u32) -> crate::images::Frame {
        let scale = output_width as f32 / template_width;
        let px = |v: f32| ((v * scale).ceil() as u32).clamp(1, 4096);
        crate::images::Frame {
            width: px(self.width),
            height: px(self.height),
            fit: self.fit,
        }
    }
}

/// What an image slot shows in one render.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFill {
    /// The prepared image, at `href` `ogmill:image/N` (N the slot's index).
    Picture,
    /// No image: initials if the slot has them, else the template's placeholder.
    Placeholder,
}

/// Where a layered template splits into a cached background and a per-request foreground.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SplitPoint {
    /// Before its first slot or condition: right for every request.
    First,
    /// Past its image slots without initials, whose placeholders are then part of the
    /// background: right for requests that give none of those slots a picture.
    PastPlaceholders,
}

/// Where lines sit across their box. Logical: `start` is the right edge in a right-to-left
/// paragraph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    /// At the start edge (left in left-to-right text).
    Start,
    /// Centered.
    Middle,
    /// At the end edge.
    End,
}

/// A paragraph direction: given, or detected from the text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dir {
    /// From the text: its first strong character's direction.
    #[default]
    Auto,
    /// Left to right.
    Ltr,
    /// Right to left.
    Rtl,
}

impl Dir {
    /// Parses `auto`, `ltr` or `rtl`.
    pub fn parse(s: &str) -> Option<Dir> {
        match s {
            "auto" => Some(Dir::Auto),
            "ltr" => Some(Dir::Ltr),
            "rtl" => Some(Dir::Rtl),
            _ => None,
        }
    }

    /// Whether `text` is laid out right to left under this direction.
    pub fn is_rtl(self, text: &str) -> bool {
        match self {
            Dir::Auto => crate::fonts::runs::detect_rtl(text),
            Dir::Ltr => false,
            Dir::Rtl => true,
        }
    }
}

/// Where a slot's block of lines sits in its box's height.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VAlign {
    /// At the top.
    Top,
    /// Centered.
    Middle,
    /// At the bottom.
    Bottom,
}

/// A text slot's decided lines, positioned in template coordinates.
#[derive(Clone, Debug, Default)]
pub struct PlacedText {
    /// The size the fit chose.
    pub font_size: f32,
    /// The lines, top to bottom.
    pub lines: Vec<PlacedLine>,
}

/// One line of a slot: its text (logical order), where its box starts on the left, its
/// baseline, and the runs that draw it.
#[derive(Clone, Debug)]
pub struct PlacedLine {
    /// The line's text, in logical order.
    pub text: String,
    /// Where the slot's box starts on the left.
    pub x: f32,
    /// The baseline.
    pub y: f32,
    /// The runs that draw it, in visual order.
    pub runs: Vec<PlacedRun>,
}

/// A piece of a line in one font and one direction, drawn as its own chunk at `x`.
#[derive(Clone, Debug)]
pub struct PlacedRun {
    /// The run's text.
    pub text: String,
    /// Where its chunk starts.
    pub x: f32,
    /// The font family that draws it.
    pub family: String,
}
