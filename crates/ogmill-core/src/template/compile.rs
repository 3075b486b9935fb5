//! From a file to pieces, once per template: parse with roxmltree, validate every `og:`
//! attribute and param, serialise static markup ahead of time and find the layer split.

use std::path::Path;

use super::error::{position_of, Position, Problem, TemplateError, TemplateErrorKind};
use super::*;
use crate::error::{Error, Result};
use crate::params::{ParamKind, DEFAULT_MAX_LENGTH};
use crate::xml::{escape_attr, escape_text};

impl Template {
    /// Reads and validates a template file. `family_exists` answers whether a font family is loaded.
    pub fn load(path: &Path, family_exists: &dyn Fn(&str) -> bool) -> Result<Self> {
        let source = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        Ok(Self::parse(&name, path, &source, family_exists)?)
    }

    /// Parses and validates a template from its source; `path` is only for messages.
    pub fn parse(
        name: &str,
        path: &Path,
        source: &str,
        family_exists: &dyn Fn(&str) -> bool,
    ) -> Result<Self, TemplateError> {
        let fail = |position, kind| TemplateError {
            path: path.to_owned(),
            position,
            kind,
        };
        let opts = roxmltree::ParsingOptions {
            allow_dtd: false,
            ..Default::default()
        };
        let doc = roxmltree::Document::parse_with_options(source, opts).map_err(|e| {
            let pos = e.pos();
            let at = Position {
                line: pos.row,
                column: pos.col,
            };
            fail(Some(at), TemplateErrorKind::Xml(e))
        })?;
        let root = doc.root_element();
        if root.tag_name().name() != "svg" || root.tag_name().namespace() != Some(SVG_NS) {
            return Err(fail(Some(position_of(root)), TemplateErrorKind::NotSvg));
        }
        Self::compile(name, path, source, root, family_exists).map_err(|p| {
            let at = p.at.or(Some(position_of(root)));
            fail(at, TemplateErrorKind::Invalid(p.message))
        })
    }

    fn compile(
        name: &str,
        path: &Path,
        source: &str,
        root: roxmltree::Node,
        family_exists: &dyn Fn(&str) -> bool,
    ) -> Result<Self, Problem> {
        let (width, height) = svg_size(root)?;
        let private = match root.attribute((OG_NS, "cache")) {
            None | Some("public") => false,
            Some("private") => true,
            Some(other) => {
                return Err(
                    format!("og:cache=\"{other}\" must be \"public\" or \"private\"").into(),
                )
            }
        };
        let params = parse_params(root)?;
        let mut compiler = Compiler {
            params: &params,
            family_exists,
            pieces: vec![],
            slots: vec![],
            images: vec![],
            top: vec![],
            close: 0,
        };
        compiler.element(root, true)?;
        let layers = compiler.layers(root);
        let Compiler {
            pieces,
            slots,
            images,
            ..
        } = compiler;
        Ok(Template {
            name: name.to_owned(),
            path: path.to_owned(),
            hash: fnv1a(source.as_bytes()),
            params,
            slots,
            image_slots: images,
            private,
            width,
            height,
            pieces,
            layers,
        })
    }
}

fn svg_size(root: roxmltree::Node) -> Result<(f32, f32), String> {
    let num = |name: &str| -> Option<f32> {
        let v = root.attribute(name)?.trim().trim_end_matches("px");
        v.parse::<f32>().ok().filter(|n| n.is_finite() && *n > 0.0)
    };
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

fn parse_params(root: roxmltree::Node) -> Result<Vec<ParamSpec>, Problem> {
    let mut params: Vec<ParamSpec> = vec![];
    for node in root
        .descendants()
        .filter(|n| n.has_tag_name((OG_NS, "param")))
    {
        let spec = parse_param(node, &params).map_err(|e| Problem::from(e).at(node))?;
        params.push(spec);
    }
    Ok(params)
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
            format!("param '{name}': kind '{kind_s}' is not text, color, number or image")
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
        };
        let default = spec
            .validate(node.attribute("default").unwrap_or(""))
            .map_err(|e| format!("param '{name}': its default is invalid: {e}"))?;
        Ok(ParamSpec {
            default: default.text,
            ..spec
        })
    }
}

struct Compiler<'a> {
    params: &'a [ParamSpec],
    family_exists: &'a dyn Fn(&str) -> bool,
    pieces: Vec<Piece>,
    slots: Vec<TextSlot>,
    images: Vec<ImageSlot>,
    /// The root's children, and where its closing tag starts.
    top: Vec<TopChild>,
    close: usize,
}

impl Compiler<'_> {
    fn lit(&mut self, s: &str) {
        match self.pieces.last_mut() {
            Some(Piece::Lit(prev)) => prev.push_str(s),
            _ => self.pieces.push(Piece::Lit(s.to_owned())),
        }
    }

    fn param(&self, name: &str, context: &str) -> Result<&ParamSpec, String> {
        self.params
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| format!("{context} uses '{name}', which no <og:param> declares"))
    }

    /// Compiles an element; a problem in it or its children is placed at it unless a child
    /// placed it first.
    fn element(&mut self, node: roxmltree::Node, is_root: bool) -> Result<(), Problem> {
        self.element_here(node, is_root).map_err(|p| p.at(node))
    }

    fn element_here(&mut self, node: roxmltree::Node, is_root: bool) -> Result<(), Problem> {
        let tag = node.tag_name();
        if tag.namespace() != Some(SVG_NS) {
            return Ok(()); // og:param, editor metadata and other foreign elements are not drawn
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
        self.open_tag(node, is_root, slot.is_some())?;
        match (slot, image) {
            (Some(_), Some(_)) => return Err("og:text and og:image cannot share an element".into()),
            (Some(slot), None) => {
                self.pieces.push(Piece::Slot(self.slots.len()));
                self.slots.push(slot);
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
            (None, None) if is_root => self.root_children(node)?,
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

    /// Like `children`, but fences each child into its own pieces and records it, for the
    /// background/foreground split.
    fn root_children(&mut self, node: roxmltree::Node) -> Result<(), Problem> {
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
        for child in node.children() {
            if child.is_element() {
                let start = self.pieces.len();
                self.pieces.push(Piece::Lit(String::new()));
                self.element(child, false)?;
                let range = start..self.pieces.len();
                let dynamic = self.pieces[range.clone()]
                    .iter()
                    .any(|p| matches!(p, Piece::Slot(_) | Piece::If { .. } | Piece::Image { .. }));
                let definitions = child.tag_name().namespace() != Some(SVG_NS)
                    || DEFINITIONS.contains(&child.tag_name().name());
                self.top.push(TopChild {
                    range,
                    dynamic,
                    definitions,
                });
            } else if child.is_text() {
                let mut s = String::new();
                escape_text(child.text().unwrap_or(""), &mut s);
                self.lit(&s);
            }
        }
        self.close = self.pieces.len();
        self.pieces.push(Piece::Lit(String::new()));
        Ok(())
    }

    /// The split, when there is static drawing to keep and the root applies no group effect
    /// (which would make drawing the parts in turn differ from drawing the whole).
    fn layers(&self, root: roxmltree::Node) -> Option<Layers> {
        let effects = ["opacity", "filter", "mask", "clip-path", "style"];
        if effects.iter().any(|a| root.attribute(*a).is_some()) {
            return None;
        }
        let first_dynamic = self.top.iter().position(|c| c.dynamic)?;
        let prefix = &self.top[..first_dynamic];
        if prefix.iter().all(|c| c.definitions) {
            return None;
        }
        let open = 0..self.top.first()?.range.start;
        let close = self.close..self.pieces.len();
        let mut background = vec![open.clone()];
        background.extend(prefix.iter().map(|c| c.range.clone()));
        background.push(close.clone());
        let mut foreground = vec![open];
        foreground.extend(
            prefix
                .iter()
                .filter(|c| c.definitions)
                .map(|c| c.range.clone()),
        );
        foreground.extend(self.top[first_dynamic..].iter().map(|c| c.range.clone()));
        foreground.push(close);
        let mut key_params: Vec<String> = vec![];
        for piece in background.iter().flat_map(|r| &self.pieces[r.clone()]) {
            if let Piece::Attr { pattern, .. } = piece {
                for part in pattern {
                    if let Part::Param(p) = part {
                        if !key_params.contains(p) {
                            key_params.push(p.clone());
                        }
                    }
                }
            }
        }
        Some(Layers {
            background,
            foreground,
            key_params,
        })
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
    ) -> Result<(), String> {
        let mut s = format!("<{}", node.tag_name().name());
        if is_root {
            s.push_str(&format!(" xmlns=\"{SVG_NS}\" xmlns:xlink=\"{XLINK_NS}\""));
        }
        let bound =
            |name: &str| node.attribute((OG_NS, name)).is_some() && !RESERVED.contains(&name);
        for a in node.attributes() {
            let name = match a.namespace() {
                None if bound(a.name()) => continue, // the og: twin replaces it
                None if is_slot && matches!(a.name(), "x" | "y" | "dx" | "dy" | "text-anchor") => {
                    continue
                }
                None => a.name().to_owned(),
                Some(XLINK_NS) => format!("xlink:{}", a.name()),
                Some(XML_NS) => format!("xml:{}", a.name()),
                _ => continue,
            };
            s.push_str(&format!(" {name}=\""));
            escape_attr(a.value(), &mut s);
            s.push('"');
        }
        if is_slot {
            // Lines are positioned from their measured extents, so they are always start-anchored.
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
        Ok(ImageSlot {
            param: param.to_owned(),
            x,
            y,
            width,
            height,
            fit,
            initials,
        })
    }

    fn text_slot(&self, node: roxmltree::Node, pattern: &str) -> Result<TextSlot, String> {
        if !node.has_tag_name((SVG_NS, "text")) {
            return Err("og:text belongs on a <text> element".into());
        }
        let pattern = parse_pattern(pattern);
        let mut name = None;
        for part in &pattern {
            if let Part::Param(p) = part {
                if self.param(p, "og:text")?.kind != ParamKind::Text {
                    return Err(format!("og:text uses '{p}', which is not a text param"));
                }
                name.get_or_insert_with(|| p.clone());
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
        let max_font_size = num(node.attribute("font-size"), "font-size")?
            .ok_or(format!("{ctx}: font-size (the largest size) is required"))?;
        let min_font_size =
            num(og("min-font-size"), "og:min-font-size")?.unwrap_or((max_font_size / 2.0).round());
        let max_lines = num(og("max-lines"), "og:max-lines")?.unwrap_or(1.0);
        let line_height = num(og("line-height"), "og:line-height")?.unwrap_or(1.2);
        if !(1.0..=1000.0).contains(&max_font_size)
            || !(1.0..=max_font_size).contains(&min_font_size)
        {
            return Err(format!(
                "{ctx}: need 1 <= og:min-font-size <= font-size <= 1000"
            ));
        }
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
        let dir = og("dir").unwrap_or("auto");
        let dir = Dir::parse(dir)
            .ok_or_else(|| format!("{ctx}: og:dir '{dir}' is not auto, ltr or rtl"))?;
        self.check_fonts(node, &ctx)?;
        let families = node
            .attribute("font-family")
            .unwrap_or(crate::fonts::DEFAULT_FAMILY)
            .split(',')
            .map(|f| f.trim().trim_matches(['\'', '"']).to_owned())
            .filter(|f| !f.is_empty())
            .collect();
        let font_attrs = FONT_ATTRS
            .iter()
            .filter_map(|a| node.attribute(*a).map(|v| (a.to_string(), v.to_owned())))
            .collect();
        Ok(TextSlot {
            pattern,
            name: name.unwrap_or_default(),
            x,
            y,
            width,
            height,
            max_font_size,
            min_font_size,
            max_lines: max_lines as usize,
            line_height,
            align,
            valign,
            dir,
            families,
            font_attrs,
        })
    }

    /// Text must be drawn with fonts that exist, and measured with the font it is drawn with.
    fn check_fonts(&self, node: roxmltree::Node, ctx: &str) -> Result<(), String> {
        if let Some(a) = node.ancestors().skip(1).find_map(|n| {
            FONT_ATTRS
                .iter()
                .find(|a| n.attribute(**a).is_some())
                .map(|a| (n, *a))
        }) {
            return Err(format!(
                "{ctx}: <{}> sets {}; set font properties on the slot's <text> itself",
                a.0.tag_name().name(),
                a.1
            ));
        }
        let families = node
            .attribute("font-family")
            .ok_or(format!("{ctx}: font-family is required"))?;
        let known = families
            .split(',')
            .map(|f| f.trim().trim_matches(['"', '\'']))
            .any(|f| (self.family_exists)(f));
        if !known {
            return Err(format!("{ctx}: no loaded font has the family '{families}'"));
        }
        Ok(())
    }
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
        parts.push(Part::Param(rest[open + 2..open + close].trim().to_owned()));
        rest = &rest[open + close + 2..];
    }
    if !rest.is_empty() {
        parts.push(Part::Lit(rest.to_owned()));
    }
    parts
}
