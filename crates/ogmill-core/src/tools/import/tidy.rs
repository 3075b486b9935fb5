//! Rewrites of an export before it is measured, which change nothing a reader of the card
//! sees: spaces a re-indented file left where they only stretch a text's box, and a canvas
//! drawn at print resolution brought to the size a card is drawn at.

use std::ops::Range;

use super::{parse_export, SVG_NS};

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// The width a canvas too large to draw is brought to: a card's.
const CARD_WIDTH: f32 = 1200.0;

/// Drops the whitespace a `<text>` that keeps its spaces (`xml:space="preserve"`, or
/// `white-space: pre` as Figma writes both) has between its start and a first `<tspan>`
/// placed by its own `x` and `y`. Drawn as invisible spaces at the text's own position
/// (0,0 when it has none), it stretches the text's box from the card's corner to its
/// words, and the box import measures with it. Figma writes none; a file re-indented after
/// export has them. The `<tspan>` is placed by itself, so nothing drawn moves.
pub(super) fn drop_stray_spaces(source: &str) -> String {
    let Ok(doc) = parse_export(source) else {
        return source.to_owned();
    };
    let mut cuts: Vec<Range<usize>> = vec![];
    for text in doc
        .descendants()
        .filter(|n| n.has_tag_name((SVG_NS, "text")) && keeps_spaces(*n))
    {
        let mut children = text.children();
        let (Some(first), Some(next)) = (children.next(), children.next()) else {
            continue;
        };
        let blank = first.is_text() && first.text().is_some_and(|t| t.trim().is_empty());
        let placed = next.has_tag_name((SVG_NS, "tspan"))
            && next.has_attribute("x")
            && next.has_attribute("y");
        if blank && placed {
            cuts.push(first.range());
        }
    }
    let mut out = source.to_owned();
    for r in cuts.into_iter().rev() {
        out.replace_range(r, "");
    }
    out
}

/// Whether a text keeps its whitespace: `xml:space="preserve"` on it or the nearest
/// ancestor that says, or `white-space: pre…` in its own style.
fn keeps_spaces(text: roxmltree::Node) -> bool {
    let space = text
        .ancestors()
        .find_map(|a| a.attribute((XML_NS, "space")))
        .is_some_and(|v| v == "preserve");
    let pre = text.attribute("style").is_some_and(|s| {
        s.split(';').any(|d| {
            let mut kv = d.splitn(2, ':').map(str::trim);
            kv.next() == Some("white-space") && kv.next().is_some_and(|v| v.starts_with("pre"))
        })
    });
    space || pre
}

/// Drops the line and paragraph separators (U+2028, U+2029) Figma writes at the end of a
/// line broken with Shift+Enter, in the text of the line it ends; the next line is a tspan
/// of its own. A browser draws nothing for them; usvg finds no glyph and draws a box.
pub(super) fn drop_separators(source: &str) -> String {
    let mut out = source.to_owned();
    for s in [
        "\u{2028}", "\u{2029}", "&#x2028;", "&#x2029;", "&#X2028;", "&#X2029;", "&#8232;",
        "&#8233;",
    ] {
        if out.contains(s) {
            out = out.replace(s, "");
        }
    }
    out
}

/// A canvas over `max` px on a side (Affinity exports at print resolution: 5334x2667 px)
/// drawn 1200 px wide instead, or smaller when its height would still pass `max`: the
/// root's `width` and `height` are set, and a `viewBox` (added when there is none: without
/// one, user units are the `size` usvg read in px) keeps the design's coordinates. The
/// source and the new size; `None` when it fits already or has no root to change.
pub(super) fn fit_canvas(source: &str, size: (f32, f32), max: u32) -> Option<(String, (u32, u32))> {
    let (w, h) = size;
    let max = max as f32;
    if (w <= max && h <= max) || w <= 0.0 || h <= 0.0 {
        return None;
    }
    let k = (CARD_WIDTH / w).min(max / h);
    let (nw, nh) = ((w * k).round().max(1.0), (h * k).round().max(1.0));
    let doc = parse_export(source).ok()?;
    let root = doc.root_element();
    let mut edits: Vec<(Range<usize>, String)> = vec![];
    let tag_end = root.range().start + 1 + root.tag_name().name().len() + prefix_len(root);
    for (name, value) in [("width", nw), ("height", nh)] {
        match root.attribute_node(name) {
            Some(a) => edits.push((a.range_value(), value.to_string())),
            None => edits.push((tag_end..tag_end, format!(" {name}=\"{value}\""))),
        }
    }
    if !root.has_attribute("viewBox") {
        edits.push((tag_end..tag_end, format!(" viewBox=\"0 0 {w} {h}\"")));
    }
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = source.to_owned();
    for (r, with) in edits {
        out.replace_range(r, &with);
    }
    Some((out, (nw as u32, nh as u32)))
}

/// The length of the root's `prefix:` in its start tag (`<svg:svg`), if it has one.
fn prefix_len(root: roxmltree::Node) -> usize {
    let doc = root.document().input_text();
    let after = &doc[root.range().start + 1..];
    let name = root.tag_name().name();
    match after.find(name) {
        Some(at) if at > 0 && after[..at].ends_with(':') => at,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_before_a_placed_tspan_go_and_nothing_else_does() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg"><text xml:space="preserve">
      <tspan x="62" y="460">Imbobo</tspan>
    </text><text xml:space="preserve">
      <tspan>unplaced</tspan></text><text>
      <tspan x="1" y="2">not kept</tspan></text><text style="white-space: pre"> <tspan x="1" y="2">pre</tspan></text></svg>"#;
        let out = drop_stray_spaces(svg);
        assert!(
            out.contains(r#"<text xml:space="preserve"><tspan x="62""#),
            "{out}"
        );
        assert!(
            out.contains("<text xml:space=\"preserve\">\n      <tspan>unplaced"),
            "{out}"
        );
        assert!(out.contains("<text>\n      <tspan x=\"1\""), "{out}");
        assert!(
            out.contains(r#"<text style="white-space: pre"><tspan"#),
            "{out}"
        );
    }

    #[test]
    fn line_separators_go_in_every_spelling() {
        let svg = "<text><tspan>a&#x2028;</tspan><tspan>b\u{2028}&#8233;</tspan></text>";
        assert_eq!(
            drop_separators(svg),
            "<text><tspan>a</tspan><tspan>b</tspan></text>"
        );
    }

    #[test]
    fn a_print_sized_canvas_is_drawn_card_wide_with_its_coordinates_kept() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="5334" height="2667"><rect width="10" height="10"/></svg>"#;
        let (out, size) = fit_canvas(svg, (5334.0, 2667.0), 4096).unwrap();
        assert_eq!(size, (1200, 600));
        assert!(
            out.starts_with(r#"<svg viewBox="0 0 5334 2667" xmlns="http://www.w3.org/2000/svg" width="1200" height="600">"#),
            "{out}"
        );
        let tall =
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 900" height="9000px"/>"#;
        let (out, size) = fit_canvas(tall, (1000.0, 9000.0), 4096).unwrap();
        assert_eq!(size, (455, 4096));
        for attr in [
            r#"width="455""#,
            r#"height="4096""#,
            r#"viewBox="0 0 100 900""#,
        ] {
            assert!(out.contains(attr), "{attr} in {out}");
        }
        assert!(fit_canvas(svg, (1200.0, 630.0), 4096).is_none());
    }
}
