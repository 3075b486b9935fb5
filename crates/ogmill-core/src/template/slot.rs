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
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub max_font_size: f32,
    pub min_font_size: f32,
    pub max_lines: usize,
    /// Distance between baselines, as a multiple of the font size.
    pub line_height: f32,
    pub align: Align,
    pub valign: VAlign,
    /// `og:dir`: the paragraph direction; `auto` (the default) takes the first strong character's.
    pub dir: Dir,
    /// The `font-family` list, first to last: the head of the slot's font chain.
    pub families: Vec<String>,
    /// Font attributes copied from the slot's `<text>`, used to measure with the same font.
    #[serde(skip)]
    pub font_attrs: Vec<(String, String)>,
}

/// Where and how an image param is drawn: an element with `og:image="param"` and
/// `og:box`. Its children are the placeholder drawn when there is no image.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ImageSlot {
    pub param: String,
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub fit: Fit,
    /// `og:initials="{{name}}"`: without an image, draw these initials on a color derived
    /// from the text instead of the placeholder children.
    #[serde(skip)]
    pub(super) initials: Option<Vec<Part>>,
}

/// How an image fills its box.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fit {
    /// Scaled to cover the box, centered, the overflow cropped; never stretched.
    Cover,
    /// Scaled to fit inside the box, centered.
    Contain,
}

/// What an image slot shows in one render.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFill {
    /// The prepared image, at `href` `ogmill:image/N` (N the slot's index).
    Picture,
    /// No image: initials if the slot has them, else the template's placeholder.
    Placeholder,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    Start,
    Middle,
    End,
}

/// A paragraph direction: given, or detected from the text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dir {
    #[default]
    Auto,
    Ltr,
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
            Dir::Auto => crate::runs::detect_rtl(text),
            Dir::Ltr => false,
            Dir::Rtl => true,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VAlign {
    Top,
    Middle,
    Bottom,
}

/// A text slot's decided lines, positioned in template coordinates.
#[derive(Clone, Debug, Default)]
pub struct PlacedText {
    pub font_size: f32,
    pub lines: Vec<PlacedLine>,
}

/// One line of a slot: its text (logical order), where its box starts on the left, its
/// baseline, and the runs that draw it.
#[derive(Clone, Debug)]
pub struct PlacedLine {
    pub text: String,
    pub x: f32,
    pub y: f32,
    pub runs: Vec<PlacedRun>,
}

/// A piece of a line in one font and one direction, drawn as its own chunk at `x`.
#[derive(Clone, Debug)]
pub struct PlacedRun {
    pub text: String,
    pub x: f32,
    pub family: String,
}
