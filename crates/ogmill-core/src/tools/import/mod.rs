//! From a design tool's plain SVG export to a template: every `<text>` becomes a fitted
//! slot, embedded pictures become image slots, named solid fills may become color params.
//!
//! The design is edited in place (attributes inserted, a `<metadata>` of params added), not
//! re-serialised, so the result still opens in the design tool. Boxes come from what usvg
//! draws: a text's box starts at its ink, runs to the container it sits in (mirroring its
//! left margin) or to the next thing beside it, and reaches down to the next thing below,
//! so longer values get more room than the sample had.

mod flow;
mod tidy;

use std::collections::HashMap;
use std::fmt::Write;
use std::ops::Range;

use crate::request::output::MAX_SIDE;
use crate::template::OG_NS;

/// Designs larger than this are refused before parsing.
pub const MAX_DESIGN_BYTES: usize = 10 * 1024 * 1024;
const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";

/// What `ogmill import` may choose.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Turn named solid fills (an `id`, `data-name` or `inkscape:label` on a shape with a
    /// plain color fill) into color params. Default: `false`.
    pub colors: bool,
    /// The template this design was imported to before, if any: params keep the names the
    /// user gave them there, matched by element `id`, then by sample text. Default: none.
    pub previous: Option<String>,
    /// Bind every text, however many; by default the [`MAX_TEXT_PARAMS`] most prominent
    /// become params and the rest stay as drawn. Default: `false`.
    pub all_texts: bool,
    /// The design's directory: pictures it links (`<image href="photo.png">`) are read from
    /// there (or below) and embedded. Default: `None`: links are stripped, with a warning.
    pub linked_dir: Option<std::path::PathBuf>,
    /// Make every picture an image param, the card's backdrop too; by default a picture
    /// that covers most of the card, or lies behind every text, stays part of the design
    /// (drawn once, in the cached background). Default: `false`.
    pub all_images: bool,
}

/// The longest text import makes a param of; longer ones stay as the design drew them.
const MAX_TEXT_PARAM_CHARS: usize = 2000;

/// Text params an import suggests at most: a poster with 195 texts is not 195 params.
pub const MAX_TEXT_PARAMS: usize = 12;

/// A template made from a design.
#[derive(Debug)]
pub struct Imported {
    /// The template's source.
    pub svg: String,
    /// What was made of what, in document order.
    pub slots: Vec<ImportedSlot>,
    /// What was stripped or could not be made, for the user to read.
    pub warnings: Vec<String>,
}

/// One param the import made.
#[derive(Debug, Clone)]
pub struct ImportedSlot {
    /// The param's name.
    pub param: String,
    /// `text`, `image` or `color`.
    pub kind: &'static str,
    /// Its box on the card, in output pixels: x, y, width, height.
    pub rect: [f32; 4],
    /// Most lines (text slots).
    pub lines: usize,
    /// The design's sample: the text, or the color.
    pub sample: String,
}

/// Why a design cannot be imported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// Over [`MAX_DESIGN_BYTES`].
    #[error("the design is {0} bytes; designs over 10 MiB are refused (export without embedded full-size photos, or link them as image params)")]
    TooLarge(usize),
    /// Not well-formed XML.
    #[error("not well-formed XML: {0}")]
    Xml(String),
    /// Declares entities.
    #[error("the DOCTYPE declares entities or an internal subset, which is refused; delete it")]
    Entities,
    /// Not an SVG document.
    #[error("the root element must be <svg xmlns=\"http://www.w3.org/2000/svg\">")]
    NotSvg,
    /// A canvas over the largest output side.
    #[error("the canvas is {0}x{1} px; the largest side ogmill renders is 4096 px")]
    TooBig(u32, u32),
    /// No text left in the design.
    #[error("the design has no <text>: its text was converted to outlines, so there is nothing to fill. Export again with text kept as text: Figma: Export > SVG with \"Outline text\" off; Illustrator: Save As SVG, Fonts: SVG; Inkscape: keep text objects (do not use Path > Object to Path); Affinity: More > \"Export text as curves\" off; Penpot exports text as text; Canva outlines text in SVG exports, so add the text in another tool")]
    Outlined,
    /// usvg cannot read it.
    #[error("usvg cannot read the design: {0}")]
    Unreadable(String),
    /// The slots read off the design do not make a template (a text too small to hold a
    /// box, say).
    #[error("its texts do not make a template: {0}; bind them by hand in the playground's design mode (ogmill serve --dev)")]
    Choices(String),
}

/// Makes a template of `source`, with fonts and sizes resolved by `usvg`'s options.
pub fn import(
    source: &str,
    usvg: &usvg::Options,
    opts: &ImportOptions,
) -> Result<Imported, ImportError> {
    let design = Design::read(source, usvg, opts)?;
    let choices: Vec<Choice> = design
        .elements
        .iter()
        .map(|e| e.suggested.clone())
        .collect();
    let svg = design.template(&choices).map_err(ImportError::Choices)?;
    let slots = design
        .elements
        .iter()
        .filter(|e| e.suggested.bound)
        .map(|e| ImportedSlot {
            param: e.suggested.param.clone(),
            kind: e.kind,
            rect: e.suggested.rect,
            lines: e.suggested.max_lines,
            sample: e.sample.clone(),
        })
        .collect();
    Ok(Imported {
        svg,
        slots,
        warnings: design.warnings,
    })
}

/// A design read and measured: what may become a param, each with the choice `import`
/// suggests. The playground's design mode lets a person change the choices, then writes
/// the template with [`Design::template`].
#[derive(Debug, Clone)]
pub struct Design {
    /// The design with scripts and outside links stripped.
    source: String,
    /// Where the root's start tag ends (the params' `<metadata>` goes there).
    metadata_at: usize,
    /// Where to declare the `og` namespace, unless the design does.
    og_ns_at: Option<usize>,
    /// The card's width in output pixels.
    pub width: f32,
    /// The card's height in output pixels.
    pub height: f32,
    /// Texts, pictures and (with `colors`) named fills, in document order.
    pub elements: Vec<Element>,
    /// What was stripped or could not be measured.
    pub warnings: Vec<String>,
}

/// A text, picture or named fill of a design.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Element {
    /// `text`, `image` or `color`.
    pub kind: &'static str,
    /// The design's text, or its color; empty for a picture.
    pub sample: String,
    /// What the design draws, on the card in output pixels: x, y, width, height.
    pub ink: [f32; 4],
    /// What `ogmill import` makes of it.
    pub suggested: Choice,
    /// The element's source range, and where attributes go in its start tag.
    #[serde(skip)]
    range: Range<usize>,
    #[serde(skip)]
    attrs_at: usize,
    /// Maps the card's pixels to the coordinates its `og:box` is written in.
    #[serde(skip)]
    to_local: tiny_skia::Transform,
    /// Output pixels per unit of its own coordinates (font sizes are in those).
    #[serde(skip)]
    scale: f32,
    /// Baseline distance as a multiple of the size, when the sample has several lines.
    #[serde(skip)]
    line_height: Option<f32>,
    /// How much a reader notices it: size in output pixels times letters (up to 40).
    #[serde(skip)]
    prominence: f32,
}

/// What to make of one [`Element`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Choice {
    /// Whether it becomes a param; if not, it stays as the design drew it.
    pub bound: bool,
    /// The param's name.
    pub param: String,
    /// The box on the card in output pixels (x, y, width, height): a text's ink stays
    /// inside, a picture fills it.
    pub rect: [f32; 4],
    /// Text: the most lines.
    pub max_lines: usize,
    /// Text: the smallest size in output pixels before the ellipsis; `None`: half the
    /// design's size.
    pub min_font_size: Option<f32>,
    /// Text: `start`, `middle` or `end`.
    pub align: String,
}

impl Design {
    /// Reads, sanitises and measures a design.
    pub fn read(
        source: &str,
        usvg: &usvg::Options,
        opts: &ImportOptions,
    ) -> Result<Self, ImportError> {
        if source.len() > MAX_DESIGN_BYTES {
            return Err(ImportError::TooLarge(source.len()));
        }
        if crate::xml::declares_entities(source) {
            return Err(ImportError::Entities);
        }
        let original = parse_export(source).map_err(|e| ImportError::Xml(e.to_string()))?;
        // Before usvg parses any of it (flowed text's regions included).
        if let Some(why) = crate::cost::oversized_geometry(&original) {
            return Err(ImportError::Unreadable(why));
        }
        let (clean, mut warnings) = sanitize(source, opts.linked_dir.as_deref());
        let (clean, flowed) = flow::to_text(&clean);
        if flowed > 0 {
            warnings.push(format!(
                "{flowed} Inkscape flowed text(s) (<flowRoot>) made plain <text>, a line per paragraph at the flow region's top left: no SVG renderer draws flowed text"
            ));
        }
        let faces = clean.matches("@font-face").count();
        if faces > 0 {
            warnings.push(format!(
                "the design's {faces} @font-face rule(s) are not loaded: ogmill draws with the fonts it is given, so give it the files (--fonts DIR, or `ogmill fonts add FAMILY` for an open font)"
            ));
        }
        let clean = tidy::drop_separators(&tidy::drop_stray_spaces(&clean));
        Self::measure(clean, usvg, opts, warnings, true)
    }

    /// Finds the candidates in a cleaned source and measures where usvg draws each. A
    /// canvas too large to draw is brought to a card's size once (`resize`), and measured
    /// again.
    fn measure(
        clean: String,
        usvg: &usvg::Options,
        opts: &ImportOptions,
        mut warnings: Vec<String>,
        resize: bool,
    ) -> Result<Self, ImportError> {
        let doc = parse_export(&clean).map_err(|e| ImportError::Xml(e.to_string()))?;
        let root = doc.root_element();
        if !root.has_tag_name((SVG_NS, "svg")) {
            return Err(ImportError::NotSvg);
        }
        let candidates = Candidates::find(&doc, opts.colors);
        if candidates.of(Kind::Text).next().is_none() {
            return Err(ImportError::Outlined);
        }
        // Parse once with every candidate wrapped in a group of known id, to read where
        // usvg draws it and in which coordinate system its parent is.
        let probe = candidates.probe_source(&clean);
        let tree = usvg::Tree::from_str(&probe, usvg)
            .map_err(|e| ImportError::Unreadable(e.to_string()))?;
        let size = tree.size();
        let (w, h) = (size.width().round() as u32, size.height().round() as u32);
        if w > MAX_SIDE || h > MAX_SIDE {
            let fitted = resize
                .then(|| tidy::fit_canvas(&clean, (size.width(), size.height()), MAX_SIDE))
                .flatten();
            let Some((smaller, (nw, nh))) = fitted else {
                return Err(ImportError::TooBig(w, h));
            };
            warnings.push(format!(
                "the canvas is {w}x{h} px, over the {MAX_SIDE} px a side ogmill draws: the template is drawn at {nw}x{nh} (its viewBox keeps the design's coordinates)"
            ));
            return Self::measure(smaller, usvg, opts, warnings, false);
        }
        let previous = opts
            .previous
            .as_deref()
            .map(PreviousNames::read)
            .unwrap_or_default();
        let mut reader = Reader {
            tree: &tree,
            names: Names::default(),
            previous,
            elements: vec![],
            warnings: vec![],
        };
        let all_images = opts.all_images;
        let node = |n| doc.get_node(n).expect("same document");
        let title = candidates.title_text(&tree, |n| sample_text(node(n)));
        for (n, wrapper) in candidates.of(Kind::Text) {
            reader.text(wrapper, node(n), Some(n) == title);
        }
        if !opts.all_texts {
            reader.keep_most_prominent(MAX_TEXT_PARAMS);
        }
        for (n, wrapper) in candidates.of(Kind::Image) {
            reader.image(wrapper, node(n), all_images);
        }
        for (n, _) in candidates.of(Kind::Color) {
            reader.color(node(n));
        }
        warnings.append(&mut reader.warnings);
        let elements = reader.elements;
        Ok(Design {
            metadata_at: start_tag_end(&clean, root.range().start),
            og_ns_at: root
                .lookup_prefix(OG_NS)
                .is_none()
                .then_some(root.range().start + 4),
            source: clean,
            width: size.width(),
            height: size.height(),
            elements,
            warnings,
        })
    }

    /// The template these choices make (one per element, in order): the design with `og:`
    /// attributes added and the params declared. Refuses names that are not param names
    /// or taken twice, and empty boxes.
    pub fn template(&self, choices: &[Choice]) -> Result<String, String> {
        if choices.len() != self.elements.len() {
            return Err(format!(
                "{} choices for {} elements",
                choices.len(),
                self.elements.len()
            ));
        }
        let mut taken: Vec<&str> = vec![];
        let mut edits = vec![(self.metadata_at, String::new())];
        let mut params = String::new();
        for (e, c) in self.elements.iter().zip(choices).filter(|(_, c)| c.bound) {
            let ok = !c.param.is_empty()
                && c.param.len() <= 64
                && c.param
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-');
            if !ok {
                return Err(format!(
                    "'{}' is not a param name: use ASCII letters, digits, '_' and '-'",
                    c.param
                ));
            }
            if taken.contains(&c.param.as_str()) {
                return Err(format!("two params are named '{}'", c.param));
            }
            taken.push(&c.param);
            let [x, y, w, h] = c.rect;
            if !(w >= 1.0 && h >= 1.0 && x.is_finite() && y.is_finite()) {
                return Err(format!("'{}': its box is empty", c.param));
            }
            let local = to_local(e.to_local, (x, y, x + w, y + h));
            // The size rounded up: rounded to the nearest, a box measured to hold the
            // design's lines exactly could come out a hundredth short of holding them.
            let up = |v: f32| n((v * 100.0).ceil() / 100.0);
            let bx = format!(
                "{} {} {} {}",
                n(local[0]),
                n(local[1]),
                up(local[2]),
                up(local[3])
            );
            match e.kind {
                "text" => {
                    let mut a = format!(" og:text=\"{{{{{}}}}}\" og:box=\"{bx}\"", c.param);
                    if c.max_lines > 1 {
                        let _ = write!(a, " og:max-lines=\"{}\"", c.max_lines.min(50));
                    }
                    if let Some(min) = c.min_font_size {
                        let _ = write!(a, " og:min-font-size=\"{}\"", n(min / e.scale));
                    }
                    if let Some(lh) = e.line_height {
                        // Rounded down, to thousandths: rounded up, the design's own lines
                        // would step past the box measured to hold them.
                        let lh = (lh * 1000.0).floor() / 1000.0;
                        let lh = format!("{lh:.3}");
                        let lh = lh.trim_end_matches('0').trim_end_matches('.');
                        let _ = write!(a, " og:line-height=\"{lh}\"");
                    }
                    if e.sample.contains('\n') {
                        a.push_str(" og:white-space=\"pre-line\"");
                    }
                    if matches!(c.align.as_str(), "middle" | "end") {
                        let _ = write!(a, " og:align=\"{}\"", c.align);
                    }
                    edits.push((e.attrs_at, a));
                    param_decl(&mut params, &c.param, "text", &e.sample);
                }
                "image" => {
                    edits.push((
                        e.range.start,
                        format!("<g og:image=\"{}\" og:box=\"{bx}\">", c.param),
                    ));
                    edits.push((e.range.end, "</g>".into()));
                    param_decl(&mut params, &c.param, "image", "");
                }
                _ => {
                    edits.push((e.attrs_at, format!(" og:fill=\"{{{{{}}}}}\"", c.param)));
                    param_decl(&mut params, &c.param, "color", &e.sample);
                }
            }
        }
        // First among the edits, so at the same offset it lands before a wrapper opened there.
        edits[0].1 = format!("\n  <metadata>{params}\n  </metadata>");
        if let Some(at) = self.og_ns_at {
            edits.push((at, format!(" xmlns:og=\"{OG_NS}\"")));
        }
        Ok(apply_edits(&self.source, edits))
    }
}

fn param_decl(out: &mut String, name: &str, kind: &str, default: &str) {
    let _ = write!(
        out,
        "\n    <og:param name=\"{name}\" kind=\"{kind}\" default=\""
    );
    crate::xml::escape_attr(default, out);
    out.push('"');
    // A paragraph longer than a param's usual limit is the design's own default: the
    // limit grows to hold it (to the next hundred), or the template would not load.
    let chars = default.chars().count();
    if kind == "text" && chars > crate::request::params::DEFAULT_MAX_LENGTH {
        let _ = write!(out, " max-length=\"{}\"", chars.div_ceil(100) * 100);
    }
    out.push_str("/>");
}

/// Strips what a template must never carry and a design may: scripts, event handlers,
/// `<foreignObject>` and links to anything outside the file, except pictures found in
/// `linked_dir`, which are embedded. Returns the cleaned source and a warning per kind of
/// thing stripped, and per picture that could not be embedded.
fn sanitize(source: &str, linked_dir: Option<&std::path::Path>) -> (String, Vec<String>) {
    let Ok(doc) = parse_export(source) else {
        return (source.to_owned(), vec![]);
    };
    let links = linked_dir.map(|dir| crate::linked::Links {
        base: dir,
        root: dir,
        named: "the design's directory",
    });
    let mut embedded = 0;
    let mut embedded_bytes = 0;
    let mut unembedded = vec![];
    // Ranges to replace, with what: nothing (cut) or a data URI.
    let mut cut: Vec<(Range<usize>, String)> = vec![];
    let mut counts: HashMap<&'static str, usize> = HashMap::new();
    let mut skip_under: Vec<Range<usize>> = vec![];
    for node in doc.descendants().filter(|n| n.is_element()) {
        let r = node.range();
        if skip_under
            .iter()
            .any(|s| s.start <= r.start && r.end <= s.end)
        {
            continue;
        }
        let name = node.tag_name().name();
        if name == "script" || name == "foreignObject" {
            *counts
                .entry(if name == "script" {
                    "<script> element(s)"
                } else {
                    "<foreignObject> element(s)"
                })
                .or_default() += 1;
            cut.push((r.clone(), String::new()));
            skip_under.push(r);
            continue;
        }
        for a in node.attributes() {
            let external_link = a.name() == "href"
                && matches!(a.namespace(), None | Some(XLINK_NS))
                && !(a.value().starts_with('#') || a.value().starts_with("data:"));
            let draws_link =
                matches!(name, "image" | "feImage") && node.tag_name().namespace() == Some(SVG_NS);
            if a.name().starts_with("on") && a.namespace().is_none() {
                *counts.entry("event attribute(s) (on…)").or_default() += 1;
                cut.push((a.range(), String::new()));
            } else if external_link && draws_link && links.is_some() {
                let room = MAX_DESIGN_BYTES.saturating_sub(embedded_bytes);
                match crate::linked::embed(a.value(), links) {
                    Ok(file) if file.uri.len() <= room => {
                        embedded += 1;
                        embedded_bytes += file.uri.len();
                        cut.push((a.range_value(), file.uri));
                    }
                    Ok(_) => {
                        unembedded.push(format!("picture {}: the embedded pictures would pass 10 MiB, so it is left out", a.value()));
                        cut.push((a.range(), String::new()));
                    }
                    Err(why) => {
                        unembedded.push(format!("picture {why}; it is left out"));
                        cut.push((a.range(), String::new()));
                    }
                }
            } else if external_link {
                *counts
                    .entry("link(s) to outside files or URLs")
                    .or_default() += 1;
                cut.push((a.range(), String::new()));
            }
        }
    }
    cut.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = source.to_owned();
    for (r, with) in cut {
        out.replace_range(r, &with);
    }
    let mut warnings: Vec<String> = counts
        .into_iter()
        .map(|(what, n)| format!("stripped {n} {what}: templates never run code or load anything"))
        .collect();
    warnings.sort();
    if embedded > 0 {
        warnings.push(format!(
            "embedded {embedded} linked picture(s) found beside the design: the template carries them"
        ));
    }
    warnings.extend(unembedded);
    (out, warnings)
}

/// The elements that become params, in document order.
struct Candidates {
    /// Each element, what it becomes, and the id of the group wrapping it in the probe.
    items: Vec<(roxmltree::NodeId, Kind, String)>,
    /// Where each candidate starts and ends in the source, and its wrapper's id.
    spans: Vec<(Range<usize>, String)>,
}

impl Candidates {
    fn find(doc: &roxmltree::Document, colors: bool) -> Self {
        let mut c = Candidates {
            items: vec![],
            spans: vec![],
        };
        let ids: HashMap<&str, roxmltree::Node> = doc
            .descendants()
            .filter_map(|n| n.attribute("id").map(|id| (id, n)))
            .collect();
        let is_picture = |n: roxmltree::Node| -> bool {
            n.has_tag_name((SVG_NS, "image"))
                || (n.has_tag_name((SVG_NS, "use"))
                    && href(n)
                        .and_then(|h| ids.get(h.trim_start_matches('#')))
                        .is_some_and(|t| t.has_tag_name((SVG_NS, "image"))))
        };
        let bitmap_pattern = |n: roxmltree::Node| -> bool {
            let Some(fill) = paint_of(n, "fill") else {
                return false;
            };
            let Some(id) = fill.strip_prefix("url(#").and_then(|s| s.strip_suffix(')')) else {
                return false;
            };
            ids.get(id).is_some_and(|p| {
                p.has_tag_name((SVG_NS, "pattern")) && p.descendants().any(is_picture)
            })
        };
        for node in doc.descendants().filter(|n| n.is_element()) {
            let hidden = node.ancestors().skip(1).any(|a| {
                matches!(
                    a.tag_name().name(),
                    "defs" | "pattern" | "clipPath" | "mask" | "symbol" | "marker" | "text"
                )
            });
            if hidden || node.tag_name().namespace() != Some(SVG_NS) {
                continue;
            }
            let inside_candidate = c
                .spans
                .iter()
                .any(|(r, _)| r.start <= node.range().start && node.range().end <= r.end);
            if inside_candidate {
                continue;
            }
            if node.has_tag_name((SVG_NS, "text")) {
                c.push(node, Kind::Text);
            } else if is_picture(node) || bitmap_pattern(node) {
                c.push(node, Kind::Image);
            } else if colors
                && is_shape(node)
                && label(node).is_some()
                && paint_of(node, "fill").is_some_and(|f| solid_color(f).is_some())
            {
                c.push(node, Kind::Color);
            }
        }
        c
    }

    fn push(&mut self, node: roxmltree::Node, kind: Kind) {
        let id = format!("ogmill-import-{}", self.spans.len());
        self.spans.push((node.range(), id.clone()));
        self.items.push((node.id(), kind, id));
    }

    fn of(&self, kind: Kind) -> impl Iterator<Item = (roxmltree::NodeId, &str)> {
        self.items
            .iter()
            .filter(move |(_, k, _)| *k == kind)
            .map(|(n, _, id)| (*n, id.as_str()))
    }

    /// The source with each candidate wrapped in `<g id="ogmill-import-N">`.
    fn probe_source(&self, source: &str) -> String {
        let mut edits: Vec<(usize, String)> = vec![];
        for (r, id) in &self.spans {
            edits.push((r.start, format!("<g id=\"{id}\">")));
            edits.push((r.end, "</g>".into()));
        }
        apply_edits(source, edits)
    }

    /// The text that becomes `title` when nothing names it: the most prominent with words
    /// in it (size times letters), never an emoji, a number or a superscript alone.
    fn title_text(
        &self,
        tree: &usvg::Tree,
        sample: impl Fn(roxmltree::NodeId) -> String,
    ) -> Option<roxmltree::NodeId> {
        let sized: Vec<_> = self
            .of(Kind::Text)
            .filter_map(|(n, id)| Some((n, text_of(tree, id)?.1)))
            .collect();
        let worded = sized
            .iter()
            .filter_map(|&(n, px)| {
                let letters = letters(&sample(n));
                (letters >= 2).then_some((n, prominence(px, letters)))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1));
        // A design whose texts have no words (`>_`, `2026`) has no title: each is named by
        // what it is.
        worded.map(|(n, _)| n)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Image,
    Color,
}

/// The text usvg lays out, a line per baseline (chunks with a new `y`), each line's runs of
/// whitespace collapsed. A blank line the designer left (Inkscape's empty tspan draws no
/// chunk) stays a blank line: a step between baselines of twice the smallest is one more
/// line. Blank lines before the first and after the last are dropped.
fn drawn_lines(text: &usvg::Text) -> Vec<String> {
    // A chunk without its own `y` continues the line it is on; the first line is at the
    // text's `y`, 0 when unset (Illustrator puts the first letter there and positions the
    // kerned rest at y="0" explicitly: one line, not two).
    let mut lines: Vec<(f32, String)> = vec![];
    let mut baseline = None;
    for chunk in text.chunks() {
        let y = chunk.y().or(baseline).unwrap_or(0.0);
        if lines.is_empty() || baseline.is_some_and(|b: f32| (y - b).abs() >= 0.5) {
            lines.push((y, String::new()));
        }
        baseline = Some(y);
        if let Some((_, line)) = lines.last_mut() {
            line.push_str(chunk.text());
        }
    }
    let lines: Vec<(f32, String)> = lines
        .into_iter()
        .map(|(y, l)| (y, l.split_whitespace().collect::<Vec<_>>().join(" ")))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    let pitch = lines
        .windows(2)
        .map(|w| w[1].0 - w[0].0)
        .filter(|d| *d > 0.5)
        .reduce(f32::min);
    let mut out = vec![];
    for (i, (y, line)) in lines.iter().enumerate() {
        if let (Some(pitch), Some((prev, _))) = (pitch, i.checked_sub(1).map(|j| &lines[j])) {
            let blank = ((y - prev) / pitch).round() as usize;
            out.extend(std::iter::repeat_n(
                String::new(),
                blank.saturating_sub(1).min(4),
            ));
        }
        out.push(line.clone());
    }
    out
}

/// Where a centred text's lines are centred, on the card: the `x` most of its lines share
/// (Inkscape moves a line it was asked to nudge, and a trailing space shifts a line's ink
/// from its anchor), else the middle of its ink.
fn middle_of(text: &usvg::Text, ink: tiny_skia::Rect) -> f32 {
    let mut at: Vec<(f32, f32)> = text
        .chunks()
        .iter()
        .filter_map(|c| Some((c.x()?, c.y().unwrap_or(0.0))))
        .collect();
    at.sort_by(|a, b| a.0.total_cmp(&b.0));
    let most = at
        .chunk_by(|a, b| (a.0 - b.0).abs() < 0.5)
        .max_by_key(|run| run.len())
        .and_then(|run| run.first().copied());
    match most {
        Some((x, y)) => {
            let mut p = tiny_skia::Point::from_xy(x, y);
            text.abs_transform().map_point(&mut p);
            p.x
        }
        None => (ink.left() + ink.right()) / 2.0,
    }
}

/// Letters in a text (not digits, symbols or emoji).
fn letters(s: &str) -> usize {
    s.chars().filter(|c| c.is_alphabetic()).count()
}

/// Size times letters (up to 40): a big headline beats a bigger lone digit or a long
/// paragraph of small print.
fn prominence(px: f32, letters: usize) -> f32 {
    px * letters.min(40) as f32
}

/// Lines a `<text>` shows: chunks that start a new baseline. Illustrator and Sketch write a
/// chunk per kerned letter group on one line (each with its own `x`), so chunks alone
/// over-count.
fn visual_lines(text: &usvg::Text) -> usize {
    drawn_lines(text).len().max(1)
}

/// The text node inside a wrapper, and its font size in output pixels.
fn text_of<'t>(tree: &'t usvg::Tree, wrapper: &str) -> Option<(&'t usvg::Text, f32)> {
    let usvg::Node::Group(g) = tree.node_by_id(wrapper)? else {
        return None;
    };
    let text = find_text(g)?;
    let size = text.chunks().first()?.spans().first()?.font_size().get();
    Some((text, size * scale_of(text.abs_transform())))
}

fn find_text(g: &usvg::Group) -> Option<&usvg::Text> {
    g.children().iter().find_map(|n| match n {
        usvg::Node::Text(t) => Some(&**t),
        usvg::Node::Group(g) => find_text(g),
        _ => None,
    })
}

fn scale_of(ts: tiny_skia::Transform) -> f32 {
    (ts.sx * ts.sy - ts.kx * ts.ky).abs().sqrt()
}

/// Measures each candidate and suggests what to make of it.
struct Reader<'a> {
    tree: &'a usvg::Tree,
    names: Names,
    previous: PreviousNames,
    elements: Vec<Element>,
    warnings: Vec<String>,
}

impl Reader<'_> {
    fn text(&mut self, wrapper: &str, node: roxmltree::Node, biggest: bool) {
        let Some((text, px)) = text_of(self.tree, wrapper) else {
            self.warnings.push(format!(
                "line {}: usvg draws nothing of this <text>; left as it is",
                line_of(node)
            ));
            return;
        };
        // The text as drawn, a line per baseline: the designer's breaks stay breaks in the
        // default (and in values, with pre-line), and no space appears between tspans that
        // the design ran together (`25 W. Main St.` stays as it was).
        let sample = match drawn_lines(text) {
            lines if lines.is_empty() => sample_text(node),
            lines => lines.join("\n"),
        };
        let noticed = prominence(px, letters(&sample));
        let fallback = if biggest {
            "title".to_owned()
        } else {
            // What the text is (a date, a price, a handle) names it better than its words:
            // `date`, not `thursday-4-december`.
            kind_of(&sample).map_or_else(|| slug(&sample, 3), str::to_owned)
        };
        let param = self.name_for(node, &sample, &fallback, "text");
        let lines = visual_lines(text);
        if let Some(styles) = mixed_styles(text) {
            self.warnings.push(format!(
                "line {}: the text \"{}\" mixes {styles}; as a param its value is drawn in one style, its first span's",
                line_of(node),
                sample.chars().take(40).collect::<String>().replace('\n', " ")
            ));
        }
        // Longer than a card can show (a pasted paragraph, a data blob): as a param, its
        // default would be fitted at every load of the template, a word of 15,000 letters
        // broken letter by letter (the import fuzzer's find). It stays as drawn.
        let chars = sample.chars().count();
        if chars > MAX_TEXT_PARAM_CHARS {
            self.warnings.push(format!(
                "line {}: a text of {chars} characters is left as drawn: a param holds at most {MAX_TEXT_PARAM_CHARS}",
                line_of(node)
            ));
        }
        // A mirrored text is a reflection of another: it stays as the design drew it (bind
        // it by hand in design mode); fitted values do not read mirrored.
        let ts = text.abs_transform();
        let mirrored = ts.sx * ts.sy - ts.kx * ts.ky < 0.0;
        if mirrored {
            self.warnings.push(format!(
                "line {}: a mirrored text (a reflection?) is left as the design drew it",
                line_of(node)
            ));
        }
        let ink = text.abs_bounding_box();
        let pitch = line_pitch(text).unwrap_or(px * 1.2);
        let (rect, anchor) = self.text_room(wrapper, text, ink, pitch);
        let more = (((rect.3 - rect.1) - px) / pitch).floor().max(0.0) as usize + 1;
        let ratio = pitch / px;
        let align = match anchor {
            usvg::TextAnchor::Middle => "middle",
            usvg::TextAnchor::End => "end",
            usvg::TextAnchor::Start => "start",
        };
        self.elements.push(Element {
            kind: "text",
            sample,
            ink: [ink.left(), ink.top(), ink.width(), ink.height()],
            suggested: Choice {
                bound: !mirrored && chars <= MAX_TEXT_PARAM_CHARS,
                param,
                rect: [rect.0, rect.1, rect.2 - rect.0, rect.3 - rect.1],
                // At least the design's own lines; room for more up to 6. A design with
                // more lines than that keeps its own count (Inkscape multi-line text).
                max_lines: more.min(6).max(lines),
                // A readable floor: a card is seen ~500 px wide in a feed, so text never
                // shrinks below half its size or 20 px at 1200 px wide (whichever is larger,
                // and never above its own size); past that the value ends with an ellipsis.
                min_font_size: Some(
                    (px / 2.0)
                        .max(20.0 * self.tree.size().width() / 1200.0)
                        .min(px),
                ),
                align: align.into(),
            },
            range: node.range(),
            attrs_at: attrs_at(node),
            to_local: text.abs_transform().invert().unwrap_or_default(),
            scale: scale_of(text.abs_transform()).max(1e-6),
            // Within what a template allows (og:line-height 0.5-4).
            line_height: (lines > 1 && (ratio - 1.2).abs() > 0.02).then_some(ratio.clamp(0.5, 4.0)),
            prominence: noticed,
        });
    }

    /// Leaves bound only the `max` most prominent texts; the rest stay as the design drew
    /// them (still offered in design mode), with one warning.
    fn keep_most_prominent(&mut self, max: usize) {
        let mut texts: Vec<usize> = (0..self.elements.len())
            .filter(|&i| self.elements[i].kind == "text" && self.elements[i].suggested.bound)
            .collect();
        if texts.len() <= max {
            return;
        }
        texts.sort_by(|&a, &b| {
            let (pa, pb) = (self.elements[a].prominence, self.elements[b].prominence);
            // The title first whatever its score, then by prominence, then document order.
            let title = |i: usize| self.elements[i].suggested.param == "title";
            title(b)
                .cmp(&title(a))
                .then(pb.total_cmp(&pa))
                .then(a.cmp(&b))
        });
        let left = texts.len() - max;
        for &i in &texts[max..] {
            self.elements[i].suggested.bound = false;
        }
        self.warnings.push(format!(
            "{left} of {} texts are left as drawn: the {max} most prominent became params (--all-texts binds every one)",
            texts.len()
        ));
    }

    /// The room a text may take on the card, in output pixels (left, top, right, bottom),
    /// and its anchor.
    fn text_room(
        &self,
        wrapper: &str,
        text: &usvg::Text,
        ink: tiny_skia::Rect,
        pitch: f32,
    ) -> ((f32, f32, f32, f32), usvg::TextAnchor) {
        let size = self.tree.size();
        let (cw, ch) = (size.width(), size.height());
        let others = self.others(wrapper);
        // The container: the smallest shape around the text that is not the whole card.
        let container = others
            .iter()
            .filter(|r| contains(r, &ink) && !(r.width() >= cw - 1.0 && r.height() >= ch - 1.0))
            .min_by(|a, b| (a.width() * a.height()).total_cmp(&(b.width() * b.height())))
            .copied()
            .unwrap_or_else(|| tiny_skia::Rect::from_xywh(0.0, 0.0, cw, ch).expect("card size"));
        let anchor = text
            .chunks()
            .first()
            .map_or(usvg::TextAnchor::Start, |c| c.anchor());
        let gap = 24.0;
        let beside = |r: &tiny_skia::Rect| {
            !contains(r, &ink)
                && r.top() < ink.bottom()
                && r.bottom() > ink.top()
                && contains(&container, r)
        };
        let (mut left, mut right) = match anchor {
            usvg::TextAnchor::Start => (
                ink.left(),
                container.right() - (ink.left() - container.left()),
            ),
            usvg::TextAnchor::End => (
                container.left() + (container.right() - ink.right()),
                ink.right(),
            ),
            usvg::TextAnchor::Middle => {
                let c = middle_of(text, ink);
                let half = (c - container.left()).min(container.right() - c) - gap;
                (c - half, c + half)
            }
        };
        for r in others.iter().filter(|r| beside(r)) {
            if r.left() >= ink.right() - 0.5 {
                right = right.min(r.left() - gap);
            }
            if r.right() <= ink.left() + 0.5 {
                left = left.max(r.right() + gap);
            }
        }
        // A one-line text keeps a pixel beyond its ink: cut to the ink, the design's own
        // text shrank a pixel wherever measuring rounded the other way. (More lines may
        // not get more width: their lines would re-wrap.)
        let slack = if visual_lines(text) == 1 { 1.0 } else { 0.0 };
        if anchor == usvg::TextAnchor::Middle {
            // Centred lines are centred in the box: keep it even about the design's centre,
            // as narrow as its nearer side allows but never narrower than the ink.
            let c = middle_of(text, ink);
            let half = (c - left)
                .min(right - c)
                .max(c - ink.left() + slack)
                .max(ink.right() - c + slack);
            (left, right) = (c - half, c + half);
        }
        // The slack goes on the side the text grows to; its anchored side stays on the ink.
        let (l_slack, r_slack) = match anchor {
            usvg::TextAnchor::Start => (0.0, slack),
            usvg::TextAnchor::End => (slack, 0.0),
            usvg::TextAnchor::Middle => (slack, slack),
        };
        right = right.max(ink.right() + r_slack);
        left = left.min(ink.left() - l_slack);
        // Down to whatever comes next below, or the container's margin.
        let margin = (ink.top() - container.top())
            .min(container.bottom() - ink.bottom())
            .max(0.0);
        let mut bottom = container.bottom() - margin.min(gap * 2.0);
        for r in &others {
            let below = r.top() >= ink.bottom() - 0.5
                && r.left() < right
                && r.right() > left
                && contains(&container, r);
            if below && !contains(r, &ink) {
                bottom = bottom.min(r.top() - gap / 2.0);
            }
        }
        let mut bottom = bottom.max(ink.bottom()).max(ink.top() + pitch);
        // Never past what the groups around it clip to (Figma clips a frame's content to
        // the frame): a line there would be cut off. The ink itself stays in.
        if let Some(clip) = clip_around(self.tree.root(), wrapper, None).flatten() {
            left = left.max(clip.left()).min(ink.left() - l_slack);
            right = right.min(clip.right()).max(ink.right() + r_slack);
            bottom = bottom.min(clip.bottom()).max(ink.bottom());
        }
        // Never past the card: a paragraph drawn as one long line (flowed text made plain)
        // or a text hanging off an edge would give the fit room the card cuts off.
        let (left, top) = (left.clamp(0.0, cw - 1.0), ink.top().clamp(0.0, ch - 1.0));
        let right = right.min(cw).max(left + 1.0);
        let bottom = bottom.min(ch).max(top + 1.0);
        ((left, top, right, bottom), anchor)
    }

    /// Whether a picture is the card's backdrop, not a photo a user would change: it covers
    /// most of the card, or it comes before every text and holds them all. As a param it
    /// would be decoded and drawn per request, and the cached background would stop at it.
    fn is_backdrop(&self, b: tiny_skia::Rect, starts_at: usize) -> bool {
        let card = self.tree.size();
        if b.width() * b.height() >= 0.6 * card.width() * card.height() {
            return true;
        }
        let inside = |r: &[f32; 4]| {
            r[0] >= b.left() - 1.0
                && r[1] >= b.top() - 1.0
                && r[0] + r[2] <= b.right() + 1.0
                && r[1] + r[3] <= b.bottom() + 1.0
        };
        let mut texts = self.elements.iter().filter(|e| e.kind == "text").peekable();
        texts.peek().is_some() && texts.all(|e| e.range.start > starts_at && inside(&e.ink))
    }

    /// Boxes on the card of everything drawn but the wrapped element.
    fn others(&self, wrapper: &str) -> Vec<tiny_skia::Rect> {
        let mut out = vec![];
        collect_boxes(self.tree.root(), wrapper, &mut out);
        out
    }

    fn image(&mut self, wrapper: &str, node: roxmltree::Node, all_images: bool) {
        let drawn = match self.tree.node_by_id(wrapper) {
            Some(usvg::Node::Group(g))
                if g.abs_bounding_box().width() >= 1.0 && g.abs_bounding_box().height() >= 1.0 =>
            {
                Some(g)
            }
            _ => None,
        };
        let Some(g) = drawn else {
            self.warnings.push(format!(
                "line {}: usvg draws nothing of this picture; left as it is",
                line_of(node)
            ));
            return;
        };
        let b = g.abs_bounding_box();
        let param = self.name_for(node, "", "image", "image");
        let rect = [b.left(), b.top(), b.width(), b.height()];
        let backdrop = self.is_backdrop(b, node.range().start);
        if backdrop && !all_images {
            self.warnings.push(format!(
                "line {}: the picture behind the card stays part of the design, drawn once (--image-params all makes it a param)",
                line_of(node)
            ));
        }
        self.elements.push(Element {
            kind: "image",
            sample: String::new(),
            ink: rect,
            suggested: Choice {
                bound: all_images || !backdrop,
                param,
                rect,
                max_lines: 0,
                min_font_size: None,
                align: "start".into(),
            },
            range: node.range(),
            attrs_at: attrs_at(node),
            to_local: g.abs_transform().invert().unwrap_or_default(),
            scale: 1.0,
            line_height: None,
            prominence: 0.0,
        });
    }

    fn color(&mut self, node: roxmltree::Node) {
        let Some(hex) = paint_of(node, "fill").and_then(solid_color) else {
            return;
        };
        let param = self.name_for(node, "", "color", "color");
        self.elements.push(Element {
            kind: "color",
            sample: hex,
            ink: [0.0; 4],
            suggested: Choice {
                bound: true,
                param,
                rect: [0.0, 0.0, 1.0, 1.0],
                max_lines: 0,
                min_font_size: None,
                align: "start".into(),
            },
            range: node.range(),
            attrs_at: attrs_at(node),
            to_local: tiny_skia::Transform::identity(),
            scale: 1.0,
            line_height: None,
            prominence: 0.0,
        });
    }

    /// The name a previous import gave this element, else its label, else `fallback`;
    /// made unique.
    fn name_for(
        &mut self,
        node: roxmltree::Node,
        sample: &str,
        fallback: &str,
        kind: &str,
    ) -> String {
        // A one-letter name (`p`, `m`: a generated id) says nothing in a URL.
        let wanted = self
            .previous
            .lookup(node.attribute("id"), sample, kind)
            .or_else(|| label(node).map(|l| slug(&l, 4)).filter(|s| s.len() > 1))
            .unwrap_or_else(|| fallback.to_owned());
        self.names.unique(&wanted)
    }
}

/// Where attributes go in an element's start tag: right after its (possibly prefixed) name.
fn attrs_at(node: roxmltree::Node) -> usize {
    let text = node.document().input_text();
    let start = node.range().start + 1;
    text[start..]
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .map_or(text.len(), |e| start + e)
}

/// Inserts each `(offset, text)` into `source`. Insertions at one offset keep their order
/// (an element's `</g>` before the next one's `<g>`).
fn apply_edits(source: &str, edits: Vec<(usize, String)>) -> String {
    let mut edits: Vec<(usize, usize, String)> = edits
        .into_iter()
        .enumerate()
        .map(|(seq, (at, s))| (at, seq, s))
        .collect();
    edits.sort_by_key(|(at, seq, _)| std::cmp::Reverse((*at, *seq)));
    let mut out = source.to_owned();
    for (at, _, s) in edits {
        out.insert_str(at, &s);
    }
    out
}

/// Where the start tag beginning at `start` ends (after its `>`).
fn start_tag_end(source: &str, start: usize) -> usize {
    let mut quote = None;
    for (i, c) in source[start..].char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return start + i + 1,
            _ => {}
        }
    }
    source.len()
}

fn collect_boxes(g: &usvg::Group, own: &str, out: &mut Vec<tiny_skia::Rect>) {
    for node in g.children() {
        if node.id() == own {
            continue;
        }
        match node {
            usvg::Node::Group(g) => collect_boxes(g, own, out),
            other => {
                let b = other.abs_bounding_box();
                if b.width() > 0.5 && b.height() > 0.5 {
                    out.push(b);
                }
            }
        }
    }
}

/// Where the groups around `wrapper` let drawing through, on the card: the intersection of
/// their clip paths' boxes. `None` when `wrapper` is not under `g`; `Some(None)` when
/// nothing around it clips.
fn clip_around(
    g: &usvg::Group,
    wrapper: &str,
    clip: Option<tiny_skia::Rect>,
) -> Option<Option<tiny_skia::Rect>> {
    let clip = match g.clip_path() {
        // Clip content is in the user space of the group it clips, its transform included.
        Some(cp) => {
            let ts = g.abs_transform().pre_concat(cp.transform());
            match cp.root().bounding_box().transform(ts) {
                Some(r) => match clip {
                    Some(c) => c.intersect(&r).or(Some(c)),
                    None => Some(r),
                },
                None => clip,
            }
        }
        None => clip,
    };
    if g.id() == wrapper {
        return Some(clip);
    }
    g.children().iter().find_map(|n| match n {
        usvg::Node::Group(c) => clip_around(c, wrapper, clip),
        _ => None,
    })
}

fn contains(outer: &tiny_skia::Rect, inner: &tiny_skia::Rect) -> bool {
    outer.left() <= inner.left() + 0.5
        && outer.top() <= inner.top() + 0.5
        && outer.right() >= inner.right() - 0.5
        && outer.bottom() >= inner.bottom() - 0.5
}

/// The card rect (left, top, right, bottom) as x, y, width, height through `inv` (the
/// inverse of the transform that maps those coordinates to the card).
fn to_local(inv: tiny_skia::Transform, (l, t, r, b): (f32, f32, f32, f32)) -> [f32; 4] {
    let mut pts = [
        tiny_skia::Point::from_xy(l, t),
        tiny_skia::Point::from_xy(r, b),
    ];
    inv.map_points(&mut pts);
    let (x0, x1) = (pts[0].x.min(pts[1].x), pts[0].x.max(pts[1].x));
    let (y0, y1) = (pts[0].y.min(pts[1].y), pts[0].y.max(pts[1].y));
    [x0, y0, x1 - x0, y1 - y0]
}

/// The distance between the sample's baselines, when it has several lines.
fn line_pitch(text: &usvg::Text) -> Option<f32> {
    let ys: Vec<f32> = text.chunks().iter().filter_map(|c| c.y()).collect();
    let steps: Vec<f32> = ys
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|d| *d > 0.0)
        .collect();
    // The smallest step: empty lines draw no chunk, so a step may span several lines.
    let step = steps.into_iter().reduce(f32::min)?;
    Some(step * scale_of(text.abs_transform()))
}

/// A number for an attribute: at most two decimals, no trailing zeros.
fn n(v: f32) -> String {
    let s = format!("{:.2}", v);
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn line_of(node: roxmltree::Node) -> u32 {
    node.document().text_pos_at(node.range().start).row
}

fn href<'a>(node: roxmltree::Node<'a, 'a>) -> Option<&'a str> {
    node.attribute((XLINK_NS, "href"))
        .or(node.attribute("href"))
}

fn is_shape(node: roxmltree::Node) -> bool {
    matches!(
        node.tag_name().name(),
        "rect" | "circle" | "ellipse" | "path" | "polygon"
    )
}

/// A paint set by attribute or `style=""` (CSS classes are not followed: a bound fill must
/// be an attribute the template can replace).
fn paint_of<'a>(node: roxmltree::Node<'a, 'a>, prop: &str) -> Option<&'a str> {
    let from_style = node.attribute("style").and_then(|s| {
        s.split(';').find_map(|d| {
            let (k, v) = d.split_once(':')?;
            (k.trim() == prop).then(|| v.trim())
        })
    });
    from_style.or(node.attribute(prop)).map(str::trim)
}

/// A plain color: `#rgb`, `#rrggbb`, a CSS name or `rgb(r, g, b)` (Penpot), as lowercase hex
/// or name.
fn solid_color(s: &str) -> Option<String> {
    if let Some(c) = crate::color::parse_color(s) {
        return Some(c);
    }
    let inner = s.trim().strip_prefix("rgb(")?.strip_suffix(')')?;
    let v: Vec<u8> = inner
        .split(',')
        .map(|p| p.trim().parse::<u8>().ok())
        .collect::<Option<_>>()?;
    match v[..] {
        [r, g, b] => Some(format!("#{r:02x}{g:02x}{b:02x}")),
        _ => None,
    }
}

/// A name the designer gave the element: `data-name` (Illustrator), `inkscape:label`, or
/// an `id` that is not generated (`text12`, `SVGID_3_`, `path-1`).
fn label(node: roxmltree::Node) -> Option<String> {
    const INKSCAPE: &str = "http://www.inkscape.org/namespaces/inkscape";
    if let Some(l) = node
        .attribute("data-name")
        .or(node.attribute((INKSCAPE, "label")))
    {
        return Some(l.to_owned());
    }
    let id = node.attribute("id")?;
    let stem = id.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_' || c == '-');
    let generated = stem.is_empty()
        || id.starts_with("SVGID")
        || id.starts_with("shape-")
        || id.starts_with("ogmill-")
        || matches!(
            stem.to_ascii_lowercase().as_str(),
            "text"
                | "tspan"
                | "path"
                | "rect"
                | "g"
                | "image"
                | "use"
                | "layer"
                | "svg"
                | "circle"
                | "ellipse"
                | "group"
                | "artboard"
                | "vector"
                | "frame"
        );
    (!generated).then(|| id.to_owned())
}

/// The sample's text, whitespace collapsed.
fn sample_text(node: roxmltree::Node) -> String {
    let raw: Vec<&str> = node
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    raw.join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// An export as roxmltree reads it: a DOCTYPE allowed (Affinity and Illustrator write one;
/// entity declarations are refused before this).
fn parse_export(source: &str) -> Result<roxmltree::Document<'_>, roxmltree::Error> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(source, options)
}

/// A sample as re-import matches it: without whitespace, so the drawn lines of a text
/// (`Line 1\nLine 2`) match the same text read from its template (`Line 1 Line 2`).
fn sample_key(s: &str) -> String {
    s.split_whitespace().collect()
}

/// A param name from free text: ASCII lowercase words joined by `-`, at most `words`.
/// What the spans of a text differ in (font, size, fill), if they do: a bold name and an
/// italic date in one `<text>`. Whitespace-only spans do not count.
fn mixed_styles(text: &usvg::Text) -> Option<String> {
    let mut first: Option<(&usvg::Font, f32, String)> = None;
    let mut differ: Vec<&str> = vec![];
    for chunk in text.chunks() {
        for span in chunk.spans() {
            let part = chunk.text().get(span.start()..span.end()).unwrap_or("");
            if part.trim().is_empty() {
                continue;
            }
            let fill = span
                .fill()
                .map(|f| format!("{:?}", f.paint()))
                .unwrap_or_default();
            let Some((font, size, paint)) = &first else {
                first = Some((span.font(), span.font_size().get(), fill));
                continue;
            };
            for (what, same) in [
                ("fonts", *font == span.font()),
                ("sizes", (*size - span.font_size().get()).abs() < 0.01),
                ("colors", *paint == fill),
            ] {
                if !same && !differ.contains(&what) {
                    differ.push(what);
                }
            }
        }
    }
    (!differ.is_empty()).then(|| differ.join(", "))
}

/// A name for what a sample is, when it is plainly one thing: `date`, `time`, `price`,
/// `email`, `handle` or `url`.
fn kind_of(sample: &str) -> Option<&'static str> {
    const MONTHS: &[&str] = &[
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    const DAYS: &[&str] = &[
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let s = sample.trim();
    if s.is_empty() || s.chars().count() > 40 {
        return None;
    }
    let lower = s.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has_digit = s.chars().any(|c| c.is_ascii_digit());
    let single = !s.contains(char::is_whitespace);
    if single && s.starts_with('@') && s.len() > 1 && !s[1..].contains('@') {
        return Some("handle");
    }
    if single && s.contains('@') && s.contains('.') {
        return Some("email");
    }
    if single && (s.contains("://") || lower.starts_with("www.")) {
        return Some("url");
    }
    if has_digit && s.chars().any(|c| matches!(c, '$' | '€' | '£' | '¥' | '₹')) {
        return Some("price");
    }
    let named_day = words.iter().any(|w| MONTHS.contains(w) || DAYS.contains(w));
    let numeric_date = words.len() == 3
        && words.iter().all(|w| w.chars().all(|c| c.is_ascii_digit()))
        && s.chars().any(|c| matches!(c, '-' | '/' | '.'))
        && words.iter().any(|w| w.len() == 4 || w.len() == 2);
    if (named_day && (has_digit || words.len() <= 3)) || numeric_date {
        return Some("date");
    }
    let clock = s.split_once(':').is_some_and(|(h, m)| {
        let h = h.trim();
        let m: String = m.chars().take(2).collect();
        !h.is_empty()
            && h.len() <= 2
            && h.chars().all(|c| c.is_ascii_digit())
            && m.len() == 2
            && m.chars().all(|c| c.is_ascii_digit())
    });
    if clock && words.len() <= 4 {
        return Some("time");
    }
    None
}

fn slug(s: &str, words: usize) -> String {
    let s: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect();
    let out = s
        .split_whitespace()
        .take(words)
        .collect::<Vec<_>>()
        .join("-");
    let out: String = out.chars().take(32).collect();
    let out = out.trim_matches('-').to_owned();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        format!(
            "text{}",
            if out.is_empty() {
                String::new()
            } else {
                format!("-{out}")
            }
        )
    } else {
        out
    }
}

#[derive(Default)]
struct Names {
    taken: Vec<String>,
}

impl Names {
    fn unique(&mut self, wanted: &str) -> String {
        let mut name = wanted.to_owned();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{wanted}-{n}");
            n += 1;
        }
        self.taken.push(name.clone());
        name
    }
}

/// The names a previous import (perhaps renamed by the user) gave elements, by element id
/// and by sample text.
#[derive(Default)]
struct PreviousNames {
    by_id: HashMap<(String, &'static str), String>,
    by_sample: HashMap<(String, &'static str), String>,
}

impl PreviousNames {
    fn read(source: &str) -> Self {
        let mut names = PreviousNames::default();
        let Ok(doc) = parse_export(source) else {
            return names;
        };
        for node in doc.descendants().filter(|n| n.is_element()) {
            let (param, kind, target) = if let Some(p) = node.attribute((OG_NS, "text")) {
                (
                    p.trim_start_matches("{{").trim_end_matches("}}").trim(),
                    "text",
                    node,
                )
            } else if let Some(p) = node.attribute((OG_NS, "image")) {
                // The picture is the wrapper's first element child.
                let Some(child) = node.children().find(|c| c.is_element()) else {
                    continue;
                };
                (p, "image", child)
            } else if let Some(p) = node.attribute((OG_NS, "fill")) {
                (
                    p.trim_start_matches("{{").trim_end_matches("}}").trim(),
                    "color",
                    node,
                )
            } else {
                continue;
            };
            if let Some(id) = target.attribute("id") {
                names.by_id.insert((id.to_owned(), kind), param.to_owned());
            }
            if kind == "text" {
                names
                    .by_sample
                    .insert((sample_key(&sample_text(node)), kind), param.to_owned());
            }
        }
        names
    }

    fn lookup(&self, id: Option<&str>, sample: &str, kind: &str) -> Option<String> {
        let kind: &'static str = match kind {
            "text" => "text",
            "image" => "image",
            _ => "color",
        };
        id.and_then(|id| self.by_id.get(&(id.to_owned(), kind)))
            .or_else(|| {
                (!sample.is_empty())
                    .then(|| self.by_sample.get(&(sample_key(sample), kind)))
                    .flatten()
            })
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_kinds_of_text_are_named_by_kind() {
        for (sample, kind) in [
            ("Thursday 4 December", Some("date")),
            ("Dec 4, 2025", Some("date")),
            ("2025-12-04", Some("date")),
            ("04/12/2025", Some("date")),
            ("Friday", Some("date")),
            ("7:30 PM", Some("time")),
            ("$49", Some("price")),
            ("€1,299.00", Some("price")),
            ("@janedoe", Some("handle")),
            ("jane@acme.dev", Some("email")),
            ("https://acme.dev", Some("url")),
            ("Design systems that scale", None),
            ("May the best team win at the big final tonight", None),
            ("Version 2.0", None),
        ] {
            assert_eq!(kind_of(sample), kind, "{sample}");
        }
    }

    #[test]
    fn slugs_are_param_names() {
        assert_eq!(slug("Design systems that scale", 3), "design-systems-that");
        assert_eq!(slug("acme.dev/blog", 3), "acme-dev-blog");
        assert_eq!(slug("4 December", 3), "text-4-december");
        assert_eq!(slug("日本語", 3), "text");
    }

    #[test]
    fn generated_ids_are_not_labels() {
        let doc = roxmltree::Document::parse(
            r#"<svg xmlns="http://www.w3.org/2000/svg"><text id="text12"/><text id="Headline"/><text id="SVGID_1_"/><text data-name="Sub title"/></svg>"#,
        )
        .unwrap();
        let labels: Vec<Option<String>> = doc.root_element().children().map(label).collect();
        assert_eq!(
            labels,
            [
                None,
                Some("Headline".into()),
                None,
                Some("Sub title".into())
            ]
        );
    }

    #[test]
    fn scripts_handlers_and_outside_links_are_stripped() {
        let (out, warnings) = sanitize(
            r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><script>alert(1)</script><rect onclick="x()" width="1"/><image xlink:href="https://evil.example/x.png"/><image href="data:image/png;base64,AA"/><use href="#a"/><foreignObject><div/></foreignObject></svg>"##,
            None,
        );
        assert!(!out.contains("script") && !out.contains("onclick") && !out.contains("evil"));
        assert!(!out.contains("foreignObject"));
        assert!(out.contains("data:image/png") && out.contains("href=\"#a\""));
        assert_eq!(warnings.len(), 4, "{warnings:?}");
    }
}
