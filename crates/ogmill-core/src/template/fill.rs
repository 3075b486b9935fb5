//! From pieces to the SVG of one request: values escaped for their context, text slots as
//! the fit placed them, image slots as their picture, initials or placeholder.

use super::*;
use crate::xml::{escape_attr, escape_text};

impl Template {
    /// Writes the filled SVG: values escaped for their context, slots as positioned lines,
    /// image slots as `images` says (missing entries mean the placeholder).
    pub fn fill(&self, params: &Params, placed: &[PlacedText], images: &[ImageFill]) -> String {
        let mut out = String::with_capacity(8 * 1024);
        let all = 0..self.pieces.len();
        self.fill_range(&self.pieces, all, params, placed, images, &mut out);
        out
    }

    /// Whether the template splits into a cached background and a per-request foreground
    /// (for some requests: see [`Template::split_for`]).
    pub fn is_layered(&self) -> bool {
        self.layers.is_ok() || self.pictures_absent.is_some()
    }

    /// The latest split that draws a request whose image slots show `images` exactly:
    /// past the placeholders when no image slot without initials has a picture, else
    /// before the first slot or condition. `None`: drawn in one pass.
    pub fn split_for(&self, images: &[ImageFill]) -> Option<SplitPoint> {
        let picture = |n: usize| images.get(n) == Some(&ImageFill::Picture);
        let placeholders_drawn = self
            .image_slots
            .iter()
            .enumerate()
            .all(|(n, s)| s.initials.is_some() || !picture(n));
        if self.pictures_absent.is_some() && placeholders_drawn {
            return Some(SplitPoint::PastPlaceholders);
        }
        self.has_split(SplitPoint::First)
            .then_some(SplitPoint::First)
    }

    /// Whether the template has this split.
    pub fn has_split(&self, at: SplitPoint) -> bool {
        self.layered(at).is_some()
    }

    /// Why the template is drawn in one pass, when it is.
    pub fn single_pass_reason(&self) -> Option<&str> {
        if self.pictures_absent.is_some() {
            return None;
        }
        self.layers.as_ref().err().map(String::as_str)
    }

    /// The pieces and layers of a split.
    fn layered(&self, at: SplitPoint) -> Option<(&[Piece], &Layers)> {
        match at {
            SplitPoint::First => self.layers.as_ref().ok().map(|l| (&self.pieces[..], l)),
            SplitPoint::PastPlaceholders => {
                let v = self.pictures_absent.as_ref()?;
                Some((&v.pieces, &v.layers))
            }
        }
    }

    /// The key the background of split `at` for these params is cached under: the template
    /// and the values of the params the background binds. `None` without that split.
    pub fn background_key(&self, params: &Params, at: SplitPoint) -> Option<String> {
        let (_, layers) = self.layered(at)?;
        // The content hash too: a template edited in place (hot reload, a draft in the
        // playground) must not get its old background.
        let mut key = format!("{}#{:x}", self.name, self.hash);
        if at == SplitPoint::PastPlaceholders {
            key.push_str("+placeholders");
        }
        for p in &layers.key_params {
            let v = params.get(p).map_or("", |v| v.text.as_str());
            key.push_str(&format!("\0{p}={}:{v}", v.len()));
        }
        Some(key)
    }

    /// The background document of split `at` for these params (drawn only when its key is
    /// not cached).
    pub fn fill_background(&self, params: &Params, at: SplitPoint) -> Option<String> {
        let (pieces, layers) = self.layered(at)?;
        let mut out = String::with_capacity(4 * 1024);
        for span in &layers.background {
            // No fits and no pictures: the background holds no slot, and its image slots
            // (if any) draw their placeholders.
            self.fill_span(pieces, span, params, &[], &[], &mut out);
        }
        Some(out)
    }

    /// The foreground document of split `at`: what is drawn per request over the
    /// background. `images` must be ones [`Template::split_for`] allows `at` for.
    pub fn fill_foreground(
        &self,
        params: &Params,
        placed: &[PlacedText],
        images: &[ImageFill],
        at: SplitPoint,
    ) -> Option<String> {
        let (pieces, layers) = self.layered(at)?;
        let mut out = String::with_capacity(8 * 1024);
        for span in &layers.foreground {
            self.fill_span(pieces, span, params, placed, images, &mut out);
        }
        Some(out)
    }

    fn fill_span(
        &self,
        pieces: &[Piece],
        span: &Span,
        params: &Params,
        placed: &[PlacedText],
        images: &[ImageFill],
        out: &mut String,
    ) {
        match span {
            Span::Pieces(r) => self.fill_range(pieces, r.clone(), params, placed, images, out),
            Span::Lit(s) => out.push_str(s),
        }
    }

    fn fill_range(
        &self,
        pieces: &[Piece],
        range: std::ops::Range<usize>,
        params: &Params,
        placed: &[PlacedText],
        images: &[ImageFill],
        out: &mut String,
    ) {
        let mut i = range.start;
        while i < range.end {
            match &pieces[i] {
                Piece::Lit(s) => out.push_str(s),
                Piece::Attr { name, pattern } => {
                    out.push(' ');
                    out.push_str(name);
                    out.push_str("=\"");
                    for part in pattern {
                        match part {
                            Part::Lit(s) => escape_attr(s, out),
                            Part::Param(p) | Part::Number(p, _) => {
                                escape_attr(params.get(p).map_or("", |v| &v.text), out)
                            }
                        }
                    }
                    out.push('"');
                }
                Piece::Slot(n) => write_lines(&self.slots[*n], &placed[*n], out),
                Piece::If { param, negate, end } => {
                    let present = params.get(param).is_some_and(|v| !v.text.is_empty());
                    if present == *negate {
                        i = *end;
                        continue;
                    }
                }
                Piece::Image { slot, end } => {
                    let fill = images.get(*slot).copied().unwrap_or(ImageFill::Placeholder);
                    if self.write_image(*slot, fill, params, out) {
                        i = *end;
                        continue;
                    }
                }
            }
            i += 1;
        }
    }
}

impl Template {
    /// Writes slot N's picture or initials; false means "draw the placeholder children".
    fn write_image(&self, n: usize, fill: ImageFill, params: &Params, out: &mut String) -> bool {
        use std::fmt::Write;
        let s = &self.image_slots[n];
        if fill == ImageFill::Picture {
            let aspect = match s.fit {
                Fit::Cover => "xMidYMid slice",
                Fit::Contain => "xMidYMid meet",
            };
            let _ = write!(
                out,
                "<image href=\"ogmill:image/{n}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" preserveAspectRatio=\"{aspect}\"/>",
                s.x, s.y, s.width, s.height
            );
            return true;
        }
        let Some(pattern) = &s.initials else {
            return false;
        };
        let mut name = String::new();
        for part in pattern {
            match part {
                Part::Lit(l) => name.push_str(l),
                Part::Param(p) | Part::Number(p, _) => {
                    name.push_str(params.get(p).map_or("", |v| &v.text))
                }
            }
        }
        let letters = initials(&name);
        if letters.is_empty() {
            return false;
        }
        let size = (s.width.min(s.height) * 0.38).round();
        // A color param's value is already a checked color; an empty one falls back.
        let background = match s.initials_fill.as_ref().and_then(|c| c.of(params)) {
            Some(c) => c.to_owned(),
            None => color_for(&name),
        };
        let letters_color = s
            .initials_color
            .as_ref()
            .and_then(|c| c.of(params))
            .unwrap_or("#ffffff");
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-family=\"{}\" font-weight=\"700\" font-size=\"{size}\" fill=\"{}\">",
            s.x,
            s.y,
            s.width,
            s.height,
            background,
            s.x + s.width / 2.0,
            (s.y + s.height / 2.0 + size * 0.36).round(),
            crate::fonts::DEFAULT_FAMILY,
            letters_color,
        );
        escape_text(&letters, out);
        out.push_str("</text>");
        true
    }
}

/// Up to two initials: the first letter of the first two words, upper-cased (`@jane_doe`
/// gives `JD`, `Ada Lovelace` gives `AL`).
pub fn initials(name: &str) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    name.split(|c: char| c.is_whitespace() || matches!(c, '_' | '-' | '.' | '@'))
        .filter_map(|w| {
            w.graphemes(true)
                .find(|g| g.chars().any(char::is_alphanumeric))
        })
        .take(2)
        .map(|g| g.to_uppercase())
        .collect()
}

/// A calm color derived from the name, the same for the same name: a hue from its hash at
/// fixed saturation and lightness, so white initials always read.
fn color_for(name: &str) -> String {
    let hue = (fnv1a(name.as_bytes()) % 360) as f32;
    let (s, l) = (0.45f32, 0.42f32);
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let x = c * (1.0 - ((hue / 60.0) % 2.0 - 1.0).abs());
    let (r, g, b) = match hue as u32 / 60 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let to = |v: f32| ((v + m) * 255.0).round() as u8;
    format!("#{:02x}{:02x}{:02x}", to(r), to(g), to(b))
}

fn write_lines(slot: &TextSlot, placed: &PlacedText, out: &mut String) {
    use std::fmt::Write;
    for line in &placed.lines {
        for run in &line.runs {
            let _ = write!(out, "<tspan x=\"{}\" y=\"{}\"", run.x, line.y);
            if let Some(class) = &slot.class {
                out.push_str(" class=\"");
                escape_attr(class, out);
                out.push('"');
            }
            // Inline style: it wins over the design's CSS rules, which may size the class.
            out.push_str(" style=\"font-family:");
            escape_attr(&css_string(&run.family), out);
            let _ = write!(out, ";font-size:{}px", placed.font_size);
            if !slot.style.is_empty() {
                out.push(';');
                escape_attr(&slot.style, out);
            }
            out.push_str("\">");
            escape_text(&run.text, out);
            out.push_str("</tspan>");
        }
    }
}

/// A family name as a quoted CSS string.
pub(super) fn css_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if matches!(c, '\'' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}
