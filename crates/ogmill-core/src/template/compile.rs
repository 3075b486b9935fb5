//! From a parsed file to pieces, once per template: validate every `og:` attribute and
//! param, serialise static markup ahead of time and find the layer split.

use super::*;
use crate::error::Result;
use crate::error::{position_of, Problem};
use crate::request::params::{ParamKind, DEFAULT_MAX_LENGTH, THEME_PARAM};
use crate::xml::{escape_attr, escape_text};

pub(super) fn svg_size(root: roxmltree::Node) -> Result<(f32, f32), String> {
    let num = |name: &str| root.attribute(name).and_then(length_px);
    if let (Some(w), Some(h)) = (num("width"), num("height")) {
        return Ok((w, h));
    }
    let vb: Vec<f32> = root
        .attribute("viewBox")
        .unwrap_or("")
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    match vb[..] {
        [_, _, w, h] if w > 0.0 && h > 0.0 && w.is_finite() && h.is_finite() => Ok((w, h)),
        _ => Err("the <svg> needs width and height in px, or a viewBox".into()),
    }
}

/// A length of the root's `width`/`height` in px, at usvg's 96 dpi: Inkscape writes `mm`,
/// print-minded exports `pt` or `in`. `%` (Affinity's `100%`) is no size: the viewBox decides.
fn length_px(v: &str) -> Option<f32> {
    let v = v.trim();
    let split = v
        .find(|c: char| c.is_ascii_alphabetic() || c == '%')
        .unwrap_or(v.len());
    let (n, unit) = v.split_at(split);
    let per = match unit {
        "" | "px" => 1.0,
        "mm" => 96.0 / 25.4,
        "cm" => 96.0 / 2.54,
        "in" => 96.0,
        "pt" => 96.0 / 72.0,
        "pc" => 16.0,
        _ => return None,
    };
    let px = n.trim().parse::<f32>().ok()? * per;
    // Rounded so that 317.5mm is the 1200 px it was meant to be, not 1199.9999.
    let px = (px * 1000.0).round() / 1000.0;
    (px.is_finite() && px > 0.0).then_some(px)
}

/// `og:box="x y width height"`, with a positive width and height.
fn parse_box(value: Option<&str>, ctx: &str) -> Result<[f32; 4], String> {
    let value = value.ok_or(format!("{ctx}: og:box=\"x y width height\" is required"))?;
    let nums: Vec<f32> = value
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.trim_end_matches("px")
                .parse::<f32>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or(format!("{ctx}: og:box '{s}' is not a number"))
        })
        .collect::<Result<_, _>>()?;
    let [x, y, width, height] = nums[..] else {
        return Err(format!(
            "{ctx}: og:box needs four numbers: x y width height"
        ));
    };
    if width <= 0.0 || height <= 0.0 {
        return Err(format!("{ctx}: og:box width and height must be positive"));
    }
    Ok([x, y, width, height])
}

pub(super) fn parse_params(root: roxmltree::Node) -> Result<Vec<ParamSpec>, Problem> {
    let mut params: Vec<ParamSpec> = vec![];
    for node in root
        .descendants()
        .filter(|n| n.has_tag_name((OG_NS, "param")))
    {
        let spec = parse_param(node, &params).map_err(|e| Problem::from(e).at(node))?;
        params.push(spec);
    }
    for node in root
        .descendants()
        .filter(|n| n.has_tag_name((OG_NS, "theme")))
    {
        parse_theme(node, &mut params).map_err(|e| Problem::from(e).at(node))?;
    }
    Ok(params)
}

/// `<og:theme name="dark" paper="#0b1120" ink="#f8fafc"/>`: under `theme=dark`, the params
/// named by the other attributes default to those values (a request's own values still win).
fn parse_theme(node: roxmltree::Node, params: &mut [ParamSpec]) -> Result<(), String> {
    let name = node.attribute("name").ok_or("<og:theme> without a name")?;
    let theme = params
        .iter()
        .find(|p| p.name == THEME_PARAM && p.kind == ParamKind::Choice)
        .ok_or("<og:theme> needs <og:param name=\"theme\" kind=\"choice\" options=\"…\"/>")?;
    if !theme.options.iter().any(|o| o == name) {
        return Err(format!(
            "<og:theme name=\"{name}\">: '{name}' is not one of the theme param's options ({})",
            theme.options.join(", ")
        ));
    }
    for attr in node.attributes() {
        if attr.name() == "name" || attr.namespace().is_some() {
            continue;
        }
        let spec = params
            .iter_mut()
            .find(|p| p.name == attr.name() && p.name != THEME_PARAM)
            .ok_or_else(|| {
                format!(
                    "<og:theme name=\"{name}\"> sets '{}', which no <og:param> declares",
                    attr.name()
                )
            })?;
        let value = spec
            .validate(attr.value())
            .map_err(|e| format!("<og:theme name=\"{name}\">: {e}"))?;
        spec.theme_defaults.insert(name.to_owned(), value.text);
    }
    Ok(())
}

fn parse_param(node: roxmltree::Node, params: &[ParamSpec]) -> Result<ParamSpec, String> {
    {
        let name = node.attribute("name").ok_or("<og:param> without a name")?;
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!(
                "param name '{name}' must be ASCII letters, digits, '_' or '-'"
            ));
        }
        if params.iter().any(|p| p.name == name) {
            return Err(format!("param '{name}' is declared twice"));
        }
        let kind_s = node.attribute("kind").unwrap_or("text");
        let kind = ParamKind::parse(kind_s).ok_or_else(|| {
            format!("param '{name}': kind '{kind_s}' is not text, color, number, image or choice")
        })?;
        let number = |attr: &str| -> Result<Option<f64>, String> {
            node.attribute(attr)
                .map(|v| v.parse::<f64>().ok().filter(|n| n.is_finite()))
                .map(|v| v.ok_or(format!("param '{name}': {attr} must be a finite number")))
                .transpose()
        };
        let max_length = match number("max-length")? {
            Some(n) if n >= 1.0 && n.fract() == 0.0 => n as usize,
            Some(_) => {
                return Err(format!(
                    "param '{name}': max-length must be a positive integer"
                ))
            }
            None => DEFAULT_MAX_LENGTH,
        };
        let spec = ParamSpec {
            name: name.to_owned(),
            kind,
            default: String::new(),
            max_length,
            min: number("min")?,
            max: number("max")?,
            description: node.attribute("description").unwrap_or("").to_owned(),
            options: choice_options(node, name, kind)?,
            theme_defaults: Default::default(),
        };
        // A choice without a default takes its first option.
        let first = spec.options.first().map_or("", String::as_str);
        let default = spec
            .validate(node.attribute("default").unwrap_or(first))
            .map_err(|e| format!("param '{name}': its default is invalid: {e}"))?;
        Ok(ParamSpec {
            default: default.text,
            ..spec
        })
    }
}

/// A choice param's `options` ("light dark"): words in lower case, at least two.
fn choice_options(
    node: roxmltree::Node,
    name: &str,
    kind: ParamKind,
) -> Result<Vec<String>, String> {
    let options = node.attribute("options");
    if kind != ParamKind::Choice {
        return match options {
            Some(_) => Err(format!(
                "param '{name}': options is for kind=\"choice\" only"
            )),
            None => Ok(vec![]),
        };
    }
    let words: Vec<String> = options
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let word = |w: &String| {
        w.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    if words.len() < 2 || !words.iter().all(word) {
        return Err(format!(
            "param '{name}': a choice needs options=\"…\" with two or more lower-case words"
        ));
    }
    Ok(words)
}

pub(super) struct Compiler<'a> {
    /// Where image files the template links are read from, if anywhere.
    links: Option<crate::linked::Links<'a>>,
    /// The source's content hash, extended by every linked file's bytes.
    linked_hash: u64,
    pub(super) params: &'a [ParamSpec],
    /// The first dynamic element's ancestors, root first: where the layer split may go.
    path: Vec<roxmltree::NodeId>,
    first_dynamic: Option<roxmltree::NodeId>,
    pub(super) pieces: Vec<Piece>,
    pub(super) slots: Vec<TextSlot>,
    /// Each slot's sample content as the design has it (its `<tspan>`s and their classes),
    /// for resolving the font the design draws it with.
    pub(super) samples: Vec<String>,
    images: Vec<ImageSlot>,
    /// The elements of `path` as compiled, outermost first.
    pub(super) levels: Vec<Level>,
    /// Set by `open_tag` for an element on the path: the piece of its `clip-path`.
    clip_attr: Option<usize>,
}

impl<'a> Compiler<'a> {
    /// A compiler for the template whose root is `root`, with its params parsed.
    pub(super) fn new(
        params: &'a [ParamSpec],
        root: roxmltree::Node,
        source: &str,
        links: Option<crate::linked::Links<'a>>,
        at: SplitPoint,
    ) -> Self {
        let (path, first_dynamic) = split_path(root, at);
        Compiler {
            params,
            path,
            first_dynamic,
            pieces: vec![],
            slots: vec![],
            samples: vec![],
            images: vec![],
            levels: vec![],
            clip_attr: None,
            links,
            linked_hash: fnv1a(source.as_bytes()),
        }
    }

    /// The first element that depends on a request, as this compiler splits.
    pub(super) fn first_dynamic(&self) -> Option<roxmltree::NodeId> {
        self.first_dynamic
    }

    /// What it compiled: the pieces, text and image slots, and the content hash (the
    /// source's, extended by every linked file's bytes).
    pub(super) fn into_parts(self) -> (Vec<Piece>, Vec<TextSlot>, Vec<ImageSlot>, u64) {
        (self.pieces, self.slots, self.images, self.linked_hash)
    }
}

/// An element on the way to the first dynamic element, fenced into pieces so the layer
/// split can take its start tag, any run of its children and its end tag apart.
#[derive(Clone, Debug)]
pub(super) struct Level {
    /// The `id` it has in the compiled output (given one if the design had none).
    pub(super) id: String,
    /// Its line in the file, for messages.
    pub(super) line: u32,
    /// Its tag name.
    pub(super) tag: String,
    pub(super) open: std::ops::Range<usize>,
    /// The piece holding its ` clip-path="…"` attribute, if it has one: dropped when the
    /// clip covers the whole card (see `Probe::isolation`).
    pub(super) clip_attr: Option<usize>,
    pub(super) children: Vec<Child>,
    pub(super) close: std::ops::Range<usize>,
}

/// A child of a [`Level`].
#[derive(Clone, Debug)]
pub(super) struct Child {
    pub(super) range: std::ops::Range<usize>,
    /// Draws nothing itself (`defs`, `style`, gradients...).
    pub(super) definitions: bool,
    /// Leads to the first dynamic element.
    pub(super) on_path: bool,
    /// The ids it and its descendants have.
    pub(super) ids: Vec<String>,
    /// The ids it and its descendants refer to (`href="#…"`, `url(#…)`).
    pub(super) refs: Vec<String>,
}

/// The ids `node` and its descendants have, and the ids they refer to: links
/// (`href="#a"`) and paint, clip, mask, filter and marker references (`url(#a)`, in
/// attributes and `style`).
fn ids_and_refs(node: roxmltree::Node) -> (Vec<String>, Vec<String>) {
    let mut ids = vec![];
    let mut refs = vec![];
    for n in node.descendants().filter(|n| n.is_element()) {
        if let Some(id) = n.attribute("id") {
            ids.push(id.to_owned());
        }
        for a in n.attributes() {
            let value = a.value();
            if a.name() == "href" {
                if let Some(id) = value.trim().strip_prefix('#') {
                    refs.push(id.to_owned());
                }
            }
            for rest in value.split("url(").skip(1) {
                let inner = rest.trim_start_matches([' ', '\'', '"']);
                if let Some(id) = inner.strip_prefix('#') {
                    let end = id.find([')', '\'', '"', ' ']).unwrap_or(id.len());
                    refs.push(id[..end].to_owned());
                }
            }
        }
    }
    (ids, refs)
}

/// Elements that define things for others and draw nothing where they stand.
const DEFINITIONS: &[&str] = &[
    "defs",
    "style",
    "linearGradient",
    "radialGradient",
    "pattern",
    "clipPath",
    "mask",
    "filter",
    "symbol",
    "marker",
    "title",
    "desc",
    "metadata",
];

/// The ancestors, root first, of the first element in paint order that depends on a request
/// (a slot or a condition) for the split `at`: with `SplitPoint::PastPlaceholders`, an image
/// slot without initials does not count (its placeholder may join the background). Bound
/// attributes do not count: they key the background instead. Past placeholders, none when
/// that element lies inside a placeholder (an `og:text` in it would be filled into the
/// background, which has no fitted text).
fn split_path(
    root: roxmltree::Node,
    at: SplitPoint,
) -> (Vec<roxmltree::NodeId>, Option<roxmltree::NodeId>) {
    let dynamic = root.descendants().find(|n| {
        let image = n.attribute((OG_NS, "image")).is_some()
            && (at == SplitPoint::First || n.attribute((OG_NS, "initials")).is_some());
        image
            || ["text", "if", "unless"]
                .iter()
                .any(|a| n.attribute((OG_NS, *a)).is_some())
    });
    let Some(node) = dynamic else {
        return (vec![], None);
    };
    let in_placeholder = node
        .ancestors()
        .skip(1)
        .any(|a| a.attribute((OG_NS, "image")).is_some());
    if at == SplitPoint::PastPlaceholders && in_placeholder {
        return (vec![], None);
    }
    let mut path: Vec<_> = node.ancestors().skip(1).map(|n| n.id()).collect();
    path.pop(); // the document node above the root element
    path.reverse();
    (path, Some(node.id()))
}

impl Compiler<'_> {
    /// A param's default value ("" for an undeclared name; compiling has refused those).
    pub(super) fn default_of(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|p| p.name == name)
            .map_or("", |p| p.default.as_str())
    }

    fn lit(&mut self, s: &str) {
        match self.pieces.last_mut() {
            Some(Piece::Lit(prev)) => prev.push_str(s),
            _ => self.pieces.push(Piece::Lit(s.to_owned())),
        }
    }

    /// Starts a new piece, so that what follows can be taken apart from what precedes.
    fn fence(&mut self) -> usize {
        self.pieces.push(Piece::Lit(String::new()));
        self.pieces.len() - 1
    }

    fn param(&self, name: &str, context: &str) -> Result<&ParamSpec, String> {
        self.params
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| format!("{context} uses '{name}', which no <og:param> declares"))
    }

    /// Compiles an element; a problem in it or its children is placed at it unless a child
    /// placed it first.
    pub(super) fn element(&mut self, node: roxmltree::Node, is_root: bool) -> Result<(), Problem> {
        self.element_here(node, is_root).map_err(|p| p.at(node))
    }

    fn element_here(&mut self, node: roxmltree::Node, is_root: bool) -> Result<(), Problem> {
        let tag = node.tag_name();
        if tag.namespace() != Some(SVG_NS) {
            return Ok(()); // og:param, editor metadata and other foreign elements are not drawn
        }
        if self.path.contains(&node.id()) {
            return self.level(node, is_root);
        }
        let og = |a: &str| node.attribute((OG_NS, a));
        let mut conditions = 0;
        for (attr, negate) in [("if", false), ("unless", true)] {
            if let Some(p) = og(attr) {
                self.param(p, &format!("og:{attr}"))?;
                self.pieces.push(Piece::If {
                    param: p.to_owned(),
                    negate,
                    end: 0,
                });
                conditions += 1;
            }
        }
        let start = self.pieces.len();
        let image = match og("image") {
            Some(param) => Some(self.image_slot(node, param)?),
            None => None,
        };
        let slot = match og("text") {
            Some(pattern) => Some(self.text_slot(node, pattern)?),
            None => None,
        };
        let generated = format!("ogmill-slot-{}", self.slots.len());
        let add_id = (slot.is_some() && node.attribute("id").is_none()).then_some(&*generated);
        self.open_tag(node, is_root, slot.is_some(), add_id)?;
        match (slot, image) {
            (Some(_), Some(_)) => return Err("og:text and og:image cannot share an element".into()),
            (Some(mut slot), None) => {
                slot.id = node.attribute("id").unwrap_or(&generated).to_owned();
                self.pieces.push(Piece::Slot(self.slots.len()));
                self.slots.push(slot);
                self.samples.push(sample(node));
            }
            (None, Some(image)) => {
                let at = self.pieces.len();
                self.pieces.push(Piece::Image {
                    slot: self.images.len(),
                    end: 0,
                });
                self.images.push(image);
                self.children(node)?;
                let end = self.pieces.len();
                self.pieces.push(Piece::Lit(String::new()));
                if let Piece::Image { end: e, .. } = &mut self.pieces[at] {
                    *e = end;
                }
            }
            (None, None) => self.children(node)?,
        }
        self.lit(&format!("</{}>", tag.name()));
        if conditions == 0 {
            return Ok(());
        }
        // Point each If at a fresh piece after this element, so later markup is not merged
        // into a piece that a false condition skips.
        let end = self.pieces.len();
        self.pieces.push(Piece::Lit(String::new()));
        for piece in &mut self.pieces[start - conditions..start] {
            if let Piece::If { end: e, .. } = piece {
                *e = end;
            }
        }
        Ok(())
    }

    /// An element on the split path (never itself dynamic: the first dynamic element in
    /// document order has no dynamic ancestor): its start tag, each child and its end tag
    /// fenced into their own pieces and recorded.
    fn level(&mut self, node: roxmltree::Node, is_root: bool) -> Result<(), Problem> {
        let open_start = self.fence();
        let id = match node.attribute("id") {
            Some(id) => id.to_owned(),
            None if is_root => String::new(),
            None => format!("ogmill-level-{}", self.levels.len()),
        };
        let given = (!is_root && node.attribute("id").is_none()).then_some(id.as_str());
        self.clip_attr = None;
        self.open_tag(node, is_root, false, given)?;
        let open = open_start..self.pieces.len();
        let clip_attr = self.clip_attr.take();
        let mut children = vec![];
        let depth = self.levels.len();
        self.levels.push(Level {
            id: id.clone(),
            line: position_of(node).line,
            tag: node.tag_name().name().to_owned(),
            open,
            clip_attr,
            children: vec![],
            close: 0..0,
        });
        for child in node.children() {
            if child.is_element() {
                let start = self.fence();
                self.element(child, false)?;
                let definitions = child.tag_name().namespace() != Some(SVG_NS)
                    || DEFINITIONS.contains(&child.tag_name().name());
                let (ids, refs) = ids_and_refs(child);
                children.push(Child {
                    range: start..self.pieces.len(),
                    definitions,
                    on_path: self.path.contains(&child.id())
                        || self.first_dynamic == Some(child.id()),
                    ids,
                    refs,
                });
            } else if child.is_text() {
                let mut s = String::new();
                escape_text(child.text().unwrap_or(""), &mut s);
                self.lit(&s);
            }
        }
        let close_start = self.fence();
        self.lit(&format!("</{}>", node.tag_name().name()));
        let level = &mut self.levels[depth];
        level.children = children;
        level.close = close_start..self.pieces.len();
        Ok(())
    }

    fn children(&mut self, node: roxmltree::Node) -> Result<(), Problem> {
        for child in node.children() {
            if child.is_element() {
                self.element(child, false)?;
            } else if child.is_text() {
                let mut s = String::new();
                escape_text(child.text().unwrap_or(""), &mut s);
                self.lit(&s);
            }
        }
        Ok(())
    }

    fn open_tag(
        &mut self,
        node: roxmltree::Node,
        is_root: bool,
        is_slot: bool,
        add_id: Option<&str>,
    ) -> Result<(), String> {
        // Lines of a slot are positioned from their measured extents, so they are always
        // start-anchored on the alphabetic baseline, at their natural spacing.
        const SLOT_LAYOUT: &[&str] = &[
            "x",
            "y",
            "dx",
            "dy",
            "text-anchor",
            "dominant-baseline",
            "alignment-baseline",
            "baseline-shift",
            "textLength",
            "lengthAdjust",
        ];
        let mut s = format!("<{}", node.tag_name().name());
        if is_root {
            s.push_str(&format!(" xmlns=\"{SVG_NS}\" xmlns:xlink=\"{XLINK_NS}\""));
        }
        if let Some(id) = add_id {
            s.push_str(&format!(" id=\"{id}\""));
        }
        let bound =
            |name: &str| node.attribute((OG_NS, name)).is_some() && !RESERVED.contains(&name);
        for a in node.attributes() {
            let name = match a.namespace() {
                None if bound(a.name()) => continue, // the og: twin replaces it
                None if is_slot && SLOT_LAYOUT.contains(&a.name()) => continue,
                None => a.name().to_owned(),
                Some(XLINK_NS) => format!("xlink:{}", a.name()),
                Some(XML_NS) => format!("xml:{}", a.name()),
                _ => continue,
            };
            let value = if self.links_file(node, &name, a.value()) {
                let file = crate::linked::embed(a.value(), self.links)?;
                self.linked_hash = fnv1a_extend(self.linked_hash, &file.bytes);
                file.uri
            } else if name == "style" {
                // A style property would override the attribute a param binds, and the
                // slot's layout properties would move its lines.
                strip_style(a.value(), |p| {
                    bound(p) || (is_slot && SLOT_LAYOUT.contains(&p))
                })
            } else {
                a.value().to_owned()
            };
            if name == "clip-path" && self.path.contains(&node.id()) {
                // In a piece of its own, so the layer split can drop a clip that clips nothing.
                let mut attr = String::from(" clip-path=\"");
                escape_attr(&value, &mut attr);
                attr.push('"');
                self.lit(&std::mem::take(&mut s));
                self.pieces.push(Piece::Lit(attr));
                self.clip_attr = Some(self.pieces.len() - 1);
                self.fence();
                continue;
            }
            s.push_str(&format!(" {name}=\""));
            escape_attr(&value, &mut s);
            s.push('"');
        }
        if is_slot {
            s.push_str(" text-anchor=\"start\"");
        }
        self.lit(&s);
        for a in node.attributes().filter(|a| a.namespace() == Some(OG_NS)) {
            if RESERVED.contains(&a.name()) {
                continue;
            }
            if matches!(a.name(), "href" | "xlink:href" | "style") || a.name().starts_with("on") {
                return Err(format!(
                    "og:{} cannot be bound: values never reach links, styles or scripts",
                    a.name()
                ));
            }
            let pattern = parse_pattern(a.value());
            for part in &pattern {
                if let Part::Number(p, _) = part {
                    return Err(format!(
                        "og:{} uses '{p}' with a number format: formats like |compact belong in og:text",
                        a.name()
                    ));
                }
                if let Part::Param(p) = part {
                    let spec = self.param(p, &format!("og:{}", a.name()))?;
                    if !matches!(spec.kind, ParamKind::Color | ParamKind::Number) {
                        return Err(format!(
                            "og:{} uses '{p}': only color and number params may fill attributes; text goes in og:text",
                            a.name()
                        ));
                    }
                }
            }
            self.pieces.push(Piece::Attr {
                name: a.name().to_owned(),
                pattern,
            });
        }
        self.lit(">");
        Ok(())
    }

    /// Whether attribute `name` of `node` links a picture file to draw (not a fragment or
    /// data): `<image>` and `<feImage>` draw what they link, so it is read and embedded.
    fn links_file(&self, node: roxmltree::Node, name: &str, value: &str) -> bool {
        matches!(name, "href" | "xlink:href")
            && node.tag_name().namespace() == Some(SVG_NS)
            && matches!(node.tag_name().name(), "image" | "feImage")
            && crate::linked::is_link(value)
    }

    fn image_slot(&self, node: roxmltree::Node, param: &str) -> Result<ImageSlot, String> {
        if self.param(param, "og:image")?.kind != ParamKind::Image {
            return Err(format!(
                "og:image='{param}' must name a param of kind image"
            ));
        }
        let ctx = format!("image slot '{param}'");
        let og = |a: &str| node.attribute((OG_NS, a));
        let [x, y, width, height] = parse_box(og("box"), &ctx)?;
        let fit = match og("fit").unwrap_or("cover") {
            "cover" => Fit::Cover,
            "contain" => Fit::Contain,
            other => return Err(format!("{ctx}: og:fit '{other}' is not cover or contain")),
        };
        let initials = match og("initials") {
            None => None,
            Some(pattern) => {
                let pattern = parse_pattern(pattern);
                for part in &pattern {
                    if let Part::Param(p) = part {
                        if self.param(p, "og:initials")?.kind != ParamKind::Text {
                            return Err(format!(
                                "og:initials uses '{p}', which is not a text param"
                            ));
                        }
                    }
                }
                Some(pattern)
            }
        };
        let initials_fill = self.initials_color(og("initials-fill"), "og:initials-fill")?;
        let initials_color = self.initials_color(og("initials-color"), "og:initials-color")?;
        Ok(ImageSlot {
            param: param.to_owned(),
            x,
            y,
            width,
            height,
            fit,
            initials,
            initials_fill,
            initials_color,
        })
    }

    /// `og:initials-fill` / `og:initials-color`: a literal color or one color param, checked
    /// here so a typo fails at load, not as an invisible avatar.
    fn initials_color(
        &self,
        value: Option<&str>,
        attr: &str,
    ) -> Result<Option<ColorSource>, String> {
        let Some(value) = value else {
            return Ok(None);
        };
        let not_a_color = || {
            format!(
                "{attr}='{value}' is not a color (#rgb, #rrggbb, a CSS color name) or one color param ({{{{accent}}}})"
            )
        };
        match parse_pattern(value).as_slice() {
            [Part::Param(p)] if self.param(p, attr)?.kind == ParamKind::Color => {
                Ok(Some(ColorSource::Param(p.clone())))
            }
            [Part::Lit(c)] => crate::color::parse_color(c.trim())
                .map(|c| Some(ColorSource::Color(c)))
                .ok_or_else(not_a_color),
            _ => Err(not_a_color()),
        }
    }

    fn text_slot(&self, node: roxmltree::Node, pattern: &str) -> Result<TextSlot, String> {
        if !node.has_tag_name((SVG_NS, "text")) {
            return Err("og:text belongs on a <text> element".into());
        }
        let pattern = parse_pattern(pattern);
        let mut name = None;
        for part in &pattern {
            match part {
                Part::Param(p) if p.contains('|') => {
                    let (param, way) = p.split_once('|').unwrap_or_default();
                    return Err(format!(
                        "og:text writes '{param}' as '{}', which is not a number format: use compact (12.3k) or thousands (12,345)",
                        way.trim()
                    ));
                }
                Part::Param(p) => {
                    // A number param reads as validated (`3`, `12345`, `1.5`).
                    let kind = self.param(p, "og:text")?.kind;
                    if !matches!(kind, ParamKind::Text | ParamKind::Number) {
                        return Err(format!(
                            "og:text uses '{p}', which is not a text or number param"
                        ));
                    }
                    name.get_or_insert_with(|| p.clone());
                }
                Part::Number(p, _) => {
                    if self.param(p, "og:text")?.kind != ParamKind::Number {
                        return Err(format!(
                            "og:text writes '{p}' as a number, but it is not a number param"
                        ));
                    }
                    name.get_or_insert_with(|| p.clone());
                }
                Part::Lit(_) => {}
            }
        }
        let ctx = format!("text slot '{}'", name.as_deref().unwrap_or("?"));
        let og = |a: &str| node.attribute((OG_NS, a));
        let num = |v: Option<&str>, what: &str| -> Result<Option<f32>, String> {
            v.map(|v| {
                v.trim()
                    .trim_end_matches("px")
                    .parse::<f32>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .ok_or(format!("{ctx}: {what} '{v}' is not a number"))
            })
            .transpose()
        };
        let [x, y, width, height] = parse_box(og("box"), &ctx)?;
        let given_min = num(og("min-font-size"), "og:min-font-size")?;
        let max_lines = num(og("max-lines"), "og:max-lines")?.unwrap_or(1.0);
        let line_height = num(og("line-height"), "og:line-height")?.unwrap_or(1.2);
        if !(1.0..=50.0).contains(&max_lines) || max_lines.fract() != 0.0 {
            return Err(format!(
                "{ctx}: og:max-lines must be a whole number from 1 to 50"
            ));
        }
        if !(0.5..=4.0).contains(&line_height) {
            return Err(format!("{ctx}: og:line-height must be between 0.5 and 4"));
        }
        let align = match og("align").unwrap_or("start") {
            "start" => Align::Start,
            "middle" => Align::Middle,
            "end" => Align::End,
            other => {
                return Err(format!(
                    "{ctx}: og:align '{other}' is not start, middle or end"
                ))
            }
        };
        let valign = match og("valign").unwrap_or("top") {
            "top" => VAlign::Top,
            "middle" => VAlign::Middle,
            "bottom" => VAlign::Bottom,
            other => {
                return Err(format!(
                    "{ctx}: og:valign '{other}' is not top, middle or bottom"
                ))
            }
        };
        let pre_line = match og("white-space").unwrap_or("normal") {
            "normal" => false,
            "pre-line" => true,
            other => {
                return Err(format!(
                    "{ctx}: og:white-space '{other}' is not normal or pre-line"
                ))
            }
        };
        let lang = og("lang").unwrap_or("auto");
        let lang = crate::fonts::lang::Lang::parse(lang)
            .ok_or_else(|| format!("{ctx}: og:lang '{lang}' is not a language tag"))?;
        let dir = og("dir").unwrap_or("auto");
        let dir = Dir::parse(dir)
            .ok_or_else(|| format!("{ctx}: og:dir '{dir}' is not auto, ltr or rtl"))?;
        // Raw font attributes on the `<text>` itself are inherited by the drawn lines as
        // written (a letter-spacing in px stays in px as the text shrinks); the rest of the
        // font is resolved by usvg once the whole template is compiled (see `probe`).
        let font_attrs = FONT_ATTRS
            .iter()
            .filter(|a| {
                !matches!(
                    **a,
                    "font-family" | "font-weight" | "font-style" | "font-stretch"
                )
            })
            .filter_map(|a| node.attribute(*a).map(|v| (a.to_string(), v.to_owned())))
            .collect();
        let class = node
            .descendants()
            .skip(1)
            .find(|n| n.has_tag_name((SVG_NS, "tspan")))
            .and_then(|n| n.attribute("class"))
            .map(str::to_owned);
        Ok(TextSlot {
            pattern,
            name: name.unwrap_or_default(),
            id: String::new(),
            x,
            y,
            width,
            height,
            max_font_size: 0.0,
            min_font_size: given_min.unwrap_or(0.0),
            max_lines: max_lines as usize,
            line_height,
            align,
            valign,
            pre_line,
            lang,
            dir,
            families: vec![],
            font_attrs,
            style: String::new(),
            class,
            scale: 1.0,
            substituted: None,
        })
    }
}

/// A slot's sample content as the design wrote it, `<tspan>`s and their classes kept, so
/// usvg resolves the font the design draws it with; never empty (usvg drops empty text).
fn sample(node: roxmltree::Node) -> String {
    fn walk(node: roxmltree::Node, out: &mut String) {
        for child in node.children() {
            if child.is_text() {
                escape_text(child.text().unwrap_or(""), out);
            } else if child.has_tag_name((SVG_NS, "tspan")) {
                out.push_str("<tspan");
                for a in child.attributes().filter(|a| a.namespace().is_none()) {
                    if matches!(a.name(), "class" | "style")
                        || super::FONT_ATTRS.contains(&a.name())
                        || a.name() == "font-size"
                    {
                        out.push_str(&format!(" {}=\"", a.name()));
                        escape_attr(a.value(), out);
                        out.push('"');
                    }
                }
                out.push('>');
                walk(child, out);
                out.push_str("</tspan>");
            }
        }
    }
    let mut out = String::new();
    walk(node, &mut out);
    if node
        .descendants()
        .filter_map(|n| n.text())
        .all(|t| t.trim().is_empty())
    {
        out.push('x');
    }
    out
}

/// The declarations of a `style` attribute whose property `drop` does not want.
fn strip_style(style: &str, drop: impl Fn(&str) -> bool) -> String {
    style
        .split(';')
        .filter(|d| {
            let prop = d.split(':').next().unwrap_or("").trim();
            !prop.is_empty() && !drop(prop)
        })
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(";")
}

/// Splits `a {{name}} b` into literal and parameter parts.
fn parse_pattern(s: &str) -> Vec<Part> {
    let mut parts = vec![];
    let mut rest = s;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        if open > 0 {
            parts.push(Part::Lit(rest[..open].to_owned()));
        }
        let inner = rest[open + 2..open + close].trim();
        // `{{stars|compact}}`: a number written a chosen way. An unknown way stays in the
        // name, so the param check names it.
        let part = match inner.split_once('|') {
            Some((p, f)) => match crate::request::numbers::NumberFormat::parse(f) {
                Some(f) => Part::Number(p.trim().to_owned(), f),
                None => Part::Param(inner.to_owned()),
            },
            None => Part::Param(inner.to_owned()),
        };
        parts.push(part);
        rest = &rest[open + close + 2..];
    }
    if !rest.is_empty() {
        parts.push(Part::Lit(rest.to_owned()));
    }
    parts
}
