//! Inkscape's flowed text (`<flowRoot>`, from SVG 1.2 drafts that never became a standard)
//! as plain SVG text. Inkscape 0.4x-0.92 wrote every text box this way, and many templates
//! made then still carry it; no SVG renderer draws it (usvg and browsers skip it), so an
//! import that left it would lose the design's text without a word. Each paragraph becomes a
//! line of a `<text>` at the flow region's top left, with the root's style, transform and
//! id; the slot's fit wraps values to the box as it does for any text.

use std::fmt::Write;

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// `source` with each `<flowRoot>` replaced by a `<text>`, and how many were.
pub(super) fn to_text(source: &str) -> (String, usize) {
    let Ok(doc) = super::parse_export(source) else {
        return (source.to_owned(), 0);
    };
    let mut edits: Vec<(std::ops::Range<usize>, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name((SVG_NS, "flowRoot")))
        // A flowRoot inside another is replaced with its outer one.
        .filter(|n| {
            !n.ancestors()
                .skip(1)
                .any(|a| a.has_tag_name((SVG_NS, "flowRoot")))
        })
        .map(|n| (n.range(), text_of(n)))
        .collect();
    let count = edits.len();
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = source.to_owned();
    for (range, text) in edits {
        out.replace_range(range, &text);
    }
    (out, count)
}

/// The `<text>` that draws one flowRoot's paragraphs (empty when it has no text).
fn text_of(root: roxmltree::Node) -> String {
    let (x, y) = root
        .children()
        .find(|n| n.has_tag_name((SVG_NS, "flowRegion")))
        .and_then(region_origin)
        .unwrap_or((0.0, 0.0));
    let style = root.attribute("style").unwrap_or("");
    let size = css_number(style, "font-size").unwrap_or(16.0);
    let pitch = size * line_height(style).unwrap_or(1.25);
    let paragraphs: Vec<(Option<&str>, String)> = root
        .children()
        .filter(|n| n.is_element() && !n.has_tag_name((SVG_NS, "flowRegion")))
        .filter(|n| !n.has_tag_name((SVG_NS, "flowRegionExclude")))
        .map(|p| {
            let text: String = p
                .descendants()
                .filter(|t| t.is_text())
                .filter_map(|t| t.text())
                .collect();
            (
                p.attribute("style"),
                text.split_whitespace().collect::<Vec<_>>().join(" "),
            )
        })
        .collect();
    if paragraphs.iter().all(|(_, t)| t.is_empty()) {
        return String::new();
    }
    let mut out = String::from("<text");
    for a in root.attributes() {
        let name = match a.namespace() {
            Some("http://www.w3.org/XML/1998/namespace") => format!("xml:{}", a.name()),
            Some(_) => continue,
            None => a.name().to_owned(),
        };
        let _ = write!(out, " {name}=\"");
        crate::xml::escape_attr(a.value(), &mut out);
        out.push('"');
    }
    let _ = write!(out, " x=\"{x}\" y=\"{}\">", y + size);
    for (line, (style, text)) in paragraphs.into_iter().enumerate() {
        // An empty paragraph is a blank line in Inkscape: it moves the next one down.
        if !text.is_empty() {
            let _ = write!(
                out,
                "<tspan x=\"{x}\" y=\"{}\"",
                y + size + pitch * line as f32
            );
            if let Some(s) = style {
                out.push_str(" style=\"");
                crate::xml::escape_attr(s, &mut out);
                out.push('"');
            }
            out.push('>');
            crate::xml::escape_text(&text, &mut out);
            out.push_str("</tspan>");
        }
    }
    out.push_str("</text>");
    out
}

/// The top left of a flow region's first shape (a rect, or any path), as usvg measures it.
fn region_origin(region: roxmltree::Node) -> Option<(f32, f32)> {
    let shape = region.children().find(|n| n.is_element())?;
    let mut svg = format!(
        "<svg xmlns=\"{SVG_NS}\" width=\"1\" height=\"1\"><{}",
        shape.tag_name().name()
    );
    for a in shape.attributes().filter(|a| a.namespace().is_none()) {
        let _ = write!(svg, " {}=\"", a.name());
        crate::xml::escape_attr(a.value(), &mut svg);
        svg.push('"');
    }
    // Drawn or not, a region has a size: a fill makes usvg keep it.
    svg.push_str(" fill=\"#000\"/></svg>");
    let tree = usvg::Tree::from_str(&svg, &usvg::Options::default()).ok()?;
    let b = tree.root().abs_bounding_box();
    (b.width() > 0.0 || b.height() > 0.0).then(|| (b.x(), b.y()))
}

/// A CSS declaration's number in `style` (`font-size:21.3px` -> 21.3).
fn css_number(style: &str, prop: &str) -> Option<f32> {
    style.split(';').find_map(|d| {
        let (k, v) = d.split_once(':')?;
        (k.trim() == prop)
            .then(|| v.trim().trim_end_matches("px").parse::<f32>().ok())
            .flatten()
            .filter(|v| v.is_finite() && *v > 0.0)
    })
}

/// `line-height` as a multiple of the font size (`125%`, `1.25`); Inkscape writes both.
fn line_height(style: &str) -> Option<f32> {
    style.split(';').find_map(|d| {
        let (k, v) = d.split_once(':')?;
        if k.trim() != "line-height" {
            return None;
        }
        let v = v.trim();
        match v.strip_suffix('%') {
            Some(p) => p.parse::<f32>().ok().map(|p| p / 100.0),
            None => v.parse::<f32>().ok(),
        }
        .filter(|v| v.is_finite() && *v > 0.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_become_lines_at_the_regions_top_left() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg"><flowRoot id="f" xml:space="preserve" style="font-size:20px;line-height:150%;fill:#123456"><flowRegion><rect x="10" y="30" width="200" height="100"/></flowRegion><flowPara>Hello &amp; welcome</flowPara><flowPara/><flowPara style="font-weight:bold">third</flowPara></flowRoot></svg>"#;
        let (out, n) = to_text(svg);
        assert_eq!(n, 1);
        assert!(out.contains(r#"<text id="f" xml:space="preserve" style="font-size:20px;line-height:150%;fill:#123456" x="10" y="50">"#), "{out}");
        assert!(
            out.contains(r#"<tspan x="10" y="50">Hello &amp; welcome</tspan>"#),
            "{out}"
        );
        // The empty paragraph is a blank line: the third sits two pitches (2 x 30) down.
        assert!(
            out.contains(r#"<tspan x="10" y="110" style="font-weight:bold">third</tspan>"#),
            "{out}"
        );
        assert!(!out.contains("flow"), "{out}");
        roxmltree::Document::parse(&out).unwrap();
    }

    #[test]
    fn an_empty_flow_root_goes_and_other_text_stays() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg"><flowRoot><flowRegion><rect/></flowRegion><flowPara></flowPara></flowRoot><text>kept</text></svg>"#;
        let (out, n) = to_text(svg);
        assert_eq!(n, 1);
        assert_eq!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><text>kept</text></svg>"#
        );
    }
}
