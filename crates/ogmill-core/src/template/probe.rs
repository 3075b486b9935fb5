//! What usvg makes of a compiled template, read once at load: the font each text slot is
//! drawn with, and which groups on the way to the first dynamic element composite their
//! children as one layer. Design tools set fonts in CSS classes, `style=""`, `pt` or `em`,
//! on ancestors or on a sample `<tspan>`; rather than re-implement that cascade, we ask the
//! parser that draws the card, so the fit measures exactly what is drawn.

use super::compile::{Compiler, Level};
use super::{Piece, TextSlot};
use crate::error::Problem;

pub(super) struct Probe {
    tree: usvg::Tree,
}

impl Probe {
    /// Parses the compiled template with every condition true, params at their defaults and
    /// each slot showing the design's own sample.
    pub(super) fn new(c: &Compiler, usvg: &usvg::Options) -> Result<Self, Problem> {
        let mut doc = String::with_capacity(16 * 1024);
        for piece in &c.pieces {
            match piece {
                Piece::Lit(s) => doc.push_str(s),
                Piece::Attr { name, pattern } => {
                    doc.push_str(&format!(" {name}=\""));
                    for part in pattern {
                        let value = match part {
                            super::Part::Lit(s) => s.as_str(),
                            super::Part::Param(p) | super::Part::Number(p, _) => c.default_of(p),
                        };
                        crate::xml::escape_attr(value, &mut doc);
                    }
                    doc.push('"');
                }
                Piece::Slot(n) => doc.push_str(&c.samples[*n]),
                Piece::If { .. } | Piece::Image { .. } => {}
            }
        }
        let tree = usvg::Tree::from_str(&doc, usvg)
            .map_err(|e| Problem::from(format!("usvg cannot read the template: {e}")))?;
        Ok(Probe { tree })
    }

    /// Sets the slot's font from what usvg resolved for its sample: families mapped to the
    /// loaded ones, weight, style, stretch, spacing and size, and checks the sizes.
    pub(super) fn resolve_font(
        &self,
        slot: &mut TextSlot,
        usvg: &usvg::Options,
    ) -> Result<(), String> {
        let ctx = format!("text slot '{}'", slot.name);
        let Some(usvg::Node::Text(text)) = self.tree.node_by_id(&slot.id) else {
            return Err(format!(
                "{ctx}: usvg draws nothing of its <text> (is it hidden, or empty?)"
            ));
        };
        let span = text
            .chunks()
            .iter()
            .flat_map(|c| c.spans())
            .next()
            .ok_or(format!("{ctx}: its <text> has no text usvg lays out"))?;
        let font = span.font();
        let find = |f: &str| crate::fonts::find_family(&usvg.fontdb, f);
        let mut families: Vec<String> = vec![];
        let mut named = None;
        let asked: Vec<&str> = font.families().iter().map(family_name).collect();
        // A generic family at the end of a stack is the designer's "anything like this",
        // not a choice: a named family missing before it is still a substitution.
        let first_named = asked.iter().position(|n| !is_generic(n)).map(|i| asked[i]);
        for name in &asked {
            if is_generic(name) && first_named.is_some() && families.is_empty() {
                continue;
            }
            if let Some(m) = map_family(name, &find) {
                named.get_or_insert((m.weight, m.italic));
                if !families.contains(&m.family) {
                    families.push(m.family);
                }
            }
        }
        slot.substituted = None;
        if families.is_empty() {
            // The design names a family that is not loaded: draw it with a loaded family of
            // the same advance widths, else the closest loaded family of its class, keeping
            // the weight and style its name says, and say so.
            let class = crate::fonts::class_of(&asked);
            let Some(used) = crate::fonts::metric_twin(&usvg.fontdb, &asked)
                .or_else(|| crate::fonts::closest_family(&usvg.fontdb, class))
            else {
                return Err(format!("{ctx}: no fonts are loaded to draw it with"));
            };
            named = first_named.and_then(style_of_name);
            families.push(used.clone());
            slot.substituted = Some(super::FontSubstitution {
                asked: first_named
                    .unwrap_or(asked.first().copied().unwrap_or(""))
                    .to_owned(),
                used,
            });
        }
        let (name_weight, name_italic) = named.unwrap_or((None, false));
        // A weight the design sets wins; a face name (`Inter-Bold`) fills in the default.
        let weight = match font.weight() {
            400 => name_weight.unwrap_or(400),
            w => w,
        };
        let style = match font.style() {
            usvg::FontStyle::Normal if name_italic => "italic",
            usvg::FontStyle::Normal => "normal",
            usvg::FontStyle::Italic => "italic",
            usvg::FontStyle::Oblique => "oblique",
        };
        let size = span.font_size().get();
        let mut css = format!(
            "font-weight:{weight};font-style:{style};font-stretch:{}",
            stretch(font.stretch())
        );
        // Spacing from anywhere but the <text> itself is pinned in em, so it shrinks with the
        // text as the design's proportion. Set on the <text> it is inherited as written,
        // unless it is positive: the fit measures once and scales with the size, so px
        // spacing shrunk from 10 to 5 px would draw twice as wide as measured (a Sketch
        // badge's letter-spacing="2" ran out of its box). Negative px spacing only ever
        // draws narrower than measured, and the bundled templates' titles keep it.
        let raw = |a: &str| slot.font_attrs.iter().any(|(k, _)| k == a);
        for (prop, px) in [
            ("letter-spacing", span.letter_spacing()),
            ("word-spacing", span.word_spacing()),
        ] {
            if (!raw(prop) || px > 0.0) && px != 0.0 {
                css.push_str(&format!(";{prop}:{}em", px / size));
            }
        }
        let ts = text.abs_transform();
        let scale = (ts.sx * ts.sy - ts.kx * ts.ky).abs().sqrt();
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
        let min = match slot.min_font_size {
            m if m > 0.0 => m,
            _ => (size * scale / 2.0).round() / scale,
        };
        let px = |v: f32| v * scale;
        if !(1.0..=1000.5).contains(&px(size)) || px(min) < 0.999 || min > size {
            return Err(format!(
                "{ctx}: need 1 px <= og:min-font-size <= font-size <= 1000 px; the design's font-size is {} px here",
                round2(px(size))
            ));
        }
        slot.max_font_size = size;
        slot.min_font_size = min;
        slot.families = families;
        slot.style = css;
        slot.scale = scale;
        Ok(())
    }

    /// Why drawing the children of `level` apart would not give the pixels of drawing
    /// them together, if it would not: a group that composites its children as one layer.
    /// Otherwise, the piece of a `clip-path` attribute that clips nothing, to drop.
    pub(super) fn isolation(&self, level: &Level) -> Result<Option<usize>, String> {
        let at = format!("<{} id=\"{}\"> (line {})", level.tag, level.id, level.line);
        if !matches!(level.tag.as_str(), "g" | "a") {
            return Err(format!("{at} starts its own viewport"));
        }
        // usvg keeps a group only when it does something; a missing one had no effect.
        let Some(usvg::Node::Group(g)) = self.tree.node_by_id(&level.id) else {
            return Ok(None);
        };
        let mut effects = vec![];
        if g.opacity().get() != 1.0 {
            effects.push("opacity");
        }
        if !g.filters().is_empty() {
            effects.push("a filter");
        }
        if g.mask().is_some() {
            effects.push("a mask");
        }
        if g.blend_mode() != usvg::BlendMode::Normal {
            effects.push("a blend mode");
        }
        if g.isolate() {
            effects.push("isolation");
        }
        let mut idle_clip = None;
        if let Some(clip) = g.clip_path() {
            match level.clip_attr {
                Some(piece) if self.covers_canvas(g, clip) => idle_clip = Some(piece),
                _ => effects.push("a clip-path (smaller than the card, or set in CSS)"),
            }
        }
        match effects.is_empty() {
            true => Ok(idle_clip),
            false => Err(format!("{at} has {}", effects.join(" and "))),
        }
    }

    /// A clip-path that is one rectangle covering the whole card clips nothing (Figma and
    /// Affinity wrap every design in one): every pixel of the card is fully inside it.
    fn covers_canvas(&self, g: &usvg::Group, clip: &usvg::ClipPath) -> bool {
        let root = clip.root();
        let [usvg::Node::Path(path)] = root.children() else {
            return false;
        };
        if clip.clip_path().is_some() {
            return false;
        }
        let b = path.data().bounds();
        let corner = |p: &tiny_skia::Point| {
            (p.x == b.left() || p.x == b.right()) && (p.y == b.top() || p.y == b.bottom())
        };
        if !path.data().points().iter().all(corner) {
            return false;
        }
        let ts = g
            .abs_transform()
            .pre_concat(clip.transform())
            .pre_concat(root.transform());
        if ts.kx != 0.0 || ts.ky != 0.0 {
            return false;
        }
        let Some(r) = b.transform(ts) else {
            return false;
        };
        let size = self.tree.size();
        let e = 1e-3;
        r.left() <= e
            && r.top() <= e
            && r.right() >= size.width() - e
            && r.bottom() >= size.height() - e
    }

    /// Whether the root `<svg>` itself composites the card as one layer.
    pub(super) fn root_effect(root: roxmltree::Node) -> Option<String> {
        // background-color too: resvg fills the canvas with it, so the per-request layer
        // would paint it again over the cached background (an opaque one hid it all).
        const EFFECTS: &[&str] = &[
            "opacity",
            "filter",
            "mask",
            "clip-path",
            "mix-blend-mode",
            "isolation",
            "background-color",
        ];
        let style = root.attribute("style").unwrap_or("");
        EFFECTS
            .iter()
            .find(|p| {
                root.attribute(**p).is_some()
                    || style
                        .split(';')
                        .any(|d| d.split(':').next().is_some_and(|k| k.trim() == **p))
            })
            .map(|p| format!("the root <svg> sets {p}"))
    }
}

fn family_name(f: &usvg::FontFamily) -> &str {
    match f {
        usvg::FontFamily::Named(n) => n.as_str(),
        usvg::FontFamily::Serif => "serif",
        usvg::FontFamily::SansSerif => "sans-serif",
        usvg::FontFamily::Monospace => "monospace",
        usvg::FontFamily::Cursive => "cursive",
        usvg::FontFamily::Fantasy => "fantasy",
    }
}

fn is_generic(name: &str) -> bool {
    matches!(
        name,
        "serif" | "sans-serif" | "monospace" | "cursive" | "fantasy"
    )
}

/// The weight and style a face name says (`WorkSans-Bold` is 700), for a family that is
/// not loaded and is drawn with another.
fn style_of_name(name: &str) -> Option<(Option<u16>, bool)> {
    name.char_indices()
        .rev()
        .filter(|(_, c)| matches!(c, '-' | ' '))
        .find_map(|(i, _)| style_words(&name[i + 1..]))
        .map(|(w, italic)| (Some(w), italic))
}

/// A family name as a design tool exports it, mapped to a loaded family.
#[derive(Debug, PartialEq)]
struct Mapped {
    family: String,
    weight: Option<u16>,
    italic: bool,
}

/// `Inter` as is; `Inter-Bold`, `Inter Bold`, `Inter SemiBold Italic` and `Inter:wght@700`
/// (face names, as Illustrator, Affinity and Figma's plugins write them) as the family
/// `Inter` at that weight, when `Inter` is loaded and the suffix is a style we know. `find`
/// gives the loaded family a name means ([`crate::fonts::find_family`]).
fn map_family(name: &str, find: &dyn Fn(&str) -> Option<String>) -> Option<Mapped> {
    let name = name.trim();
    if let Some(family) = find(name) {
        return Some(Mapped {
            family,
            weight: None,
            italic: false,
        });
    }
    if let Some((base, axes)) = name.split_once(':') {
        let weight = axes
            .split([';', ','])
            .find_map(|a| a.trim().strip_prefix("wght@"))
            .and_then(|w| w.parse::<u16>().ok());
        let italic = axes.contains("ital@1");
        return find(base.trim()).map(|family| Mapped {
            family,
            weight,
            italic,
        });
    }
    for (i, c) in name.char_indices().rev() {
        if c != '-' && c != ' ' {
            continue;
        }
        let (base, suffix) = (name[..i].trim(), &name[i + 1..]);
        if let Some((weight, italic)) = style_words(suffix) {
            if let Some(family) = find(base) {
                return Some(Mapped {
                    family,
                    weight: Some(weight),
                    italic,
                });
            }
        }
    }
    None
}

/// `Bold`, `SemiBold Italic`, `ExtraLightItalic`…: a weight and whether it is italic.
fn style_words(suffix: &str) -> Option<(u16, bool)> {
    let mut s: String = suffix
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .collect::<String>()
        .to_ascii_lowercase();
    let mut italic = false;
    for tail in ["italic", "oblique"] {
        if let Some(rest) = s.strip_suffix(tail) {
            s = rest.to_owned();
            italic = true;
        }
    }
    let weight = match s.as_str() {
        "thin" | "hairline" => 100,
        "extralight" | "ultralight" => 200,
        "light" => 300,
        "" | "regular" | "normal" | "book" | "roman" => 400,
        "medium" => 500,
        "semibold" | "demibold" => 600,
        "bold" => 700,
        "extrabold" | "ultrabold" => 800,
        "black" | "heavy" => 900,
        _ => return None,
    };
    (weight != 400 || italic || !s.is_empty()).then_some((weight, italic))
}

fn stretch(s: usvg::FontStretch) -> &'static str {
    use usvg::FontStretch::*;
    match s {
        UltraCondensed => "ultra-condensed",
        ExtraCondensed => "extra-condensed",
        Condensed => "condensed",
        SemiCondensed => "semi-condensed",
        Normal => "normal",
        SemiExpanded => "semi-expanded",
        Expanded => "expanded",
        ExtraExpanded => "extra-expanded",
        UltraExpanded => "ultra-expanded",
    }
}

fn round2(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exported_face_names_map_to_loaded_families() {
        let find = |f: &str| {
            let key = |s: &str| s.replace([' ', '-'], "").to_ascii_lowercase();
            ["Inter", "Noto Sans"]
                .into_iter()
                .find(|l| key(l) == key(f))
                .map(str::to_owned)
        };
        let m = |n: &str| map_family(n, &find).map(|m| (m.family, m.weight, m.italic));
        assert_eq!(m("Inter"), Some(("Inter".into(), None, false)));
        assert_eq!(m("Inter-Bold"), Some(("Inter".into(), Some(700), false)));
        assert_eq!(
            m("Inter Semi Bold"),
            Some(("Inter".into(), Some(600), false))
        );
        assert_eq!(
            m("Inter-SemiBoldItalic"),
            Some(("Inter".into(), Some(600), true))
        );
        assert_eq!(
            m("Noto Sans Black"),
            Some(("Noto Sans".into(), Some(900), false))
        );
        assert_eq!(
            m("Inter:wght@700"),
            Some(("Inter".into(), Some(700), false))
        );
        assert_eq!(m("Inter-Regular"), Some(("Inter".into(), Some(400), false)));
        assert_eq!(m("InterDisplay-Bold"), None);
        assert_eq!(m("notosans"), Some(("Noto Sans".into(), None, false)));
        assert_eq!(
            m("NotoSans-Bold"),
            Some(("Noto Sans".into(), Some(700), false))
        );
        assert_eq!(style_of_name("WorkSans-SemiBold"), Some((Some(600), false)));
        assert_eq!(style_of_name("Anton"), None);
        assert_eq!(m("Inter-Wide"), None);
    }
}
