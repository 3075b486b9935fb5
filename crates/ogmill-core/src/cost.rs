//! What an SVG image costs to draw, counted before it is drawn. Element and `<use>` caps do
//! not bound the work: a marker repeats its content at every vertex of a path (a 2,000-point
//! path with a 250-shape marker is 500,000 shapes from a few KiB), and a dash pattern of
//! `0.001 0.001` cuts one circle into a hundred thousand strokes. resvg has no way to stop a
//! drawing once begun, so an image from a request is refused when its work is over budget.

/// Units of drawing work: one per shape drawn, one per path point, one per dash.
pub(crate) type Work = u64;

/// The largest coordinate a shape may have: a card is at most 4096 px, and usvg turns an
/// arc into a number of curves that grows with its radius, so an arc between points 1e54
/// apart (a few bytes of path data) asked for billions of curves and 3.7 GB before a
/// single one was drawn.
pub(crate) const MAX_COORDINATE: f64 = 1e9;

/// The first shape whose geometry has a number beyond [`MAX_COORDINATE`] (or not finite):
/// `d`, `points` and the radii usvg draws with arcs. Checked before usvg parses anything
/// from outside: a design to import, an SVG image, a template.
pub(crate) fn oversized_geometry(doc: &roxmltree::Document) -> Option<String> {
    const GEOMETRY: &[&str] = &["d", "points", "r", "rx", "ry"];
    doc.descendants().filter(|n| n.is_element()).find_map(|n| {
        n.attributes()
            .filter(|a| a.namespace().is_none() && GEOMETRY.contains(&a.name()))
            .find(|a| numbers(a.value()).any(|v| !v.is_finite() || v.abs() > MAX_COORDINATE))
            .map(|a| {
                format!(
                    "<{}> at line {} has a {} with a number beyond ±{MAX_COORDINATE:e}: it would take gigabytes to draw",
                    n.tag_name().name(),
                    doc.text_pos_at(n.range().start).row,
                    a.name()
                )
            })
    })
}

/// The numbers in path data or a list: runs of digits, signs, dots and exponents.
fn numbers(s: &str) -> impl Iterator<Item = f64> + '_ {
    s.split(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+')))
        .filter(|t| t.chars().any(|c| c.is_ascii_digit()))
        .filter_map(|t| {
            // `1-2` is two numbers in path data; split at a sign that is not an exponent's.
            let t = t.trim_start_matches('+');
            t.parse::<f64>().ok().or_else(|| {
                let cut = t
                    .char_indices()
                    .skip(1)
                    .find(|&(i, c)| matches!(c, '-' | '+') && !t[..i].ends_with(['e', 'E']))
                    .map(|(i, _)| i)?;
                t[..cut].parse().ok()
            })
        })
}

/// Marker work, estimated from the source before usvg expands it (expanding is itself the
/// cost): for every element that names a marker, its path points times the largest marker's
/// elements.
pub(crate) fn marker_work(doc: &roxmltree::Document) -> Work {
    let largest_marker = doc
        .descendants()
        .filter(|n| n.has_tag_name("marker"))
        .map(|m| m.descendants().filter(|n| n.is_element()).count() as Work)
        .max()
        .unwrap_or(0);
    if largest_marker == 0 {
        return 0;
    }
    doc.descendants()
        .filter(|n| n.is_element() && names_a_marker(n))
        .map(|n| points_in_source(&n).saturating_mul(largest_marker))
        .fold(0, Work::saturating_add)
}

fn names_a_marker(n: &roxmltree::Node) -> bool {
    n.attributes().any(|a| a.name().starts_with("marker"))
        || n.attribute("style").is_some_and(|s| s.contains("marker"))
        // A marker set on a group applies to every shape inside it.
        || n.ancestors()
            .skip(1)
            .any(|a| a.attributes().any(|at| at.name().starts_with("marker")))
}

/// Vertices of a shape as written: numbers in `d` or `points`, two per vertex (an
/// over-count for arcs and curves, which is the safe side); a basic shape is a handful.
fn points_in_source(n: &roxmltree::Node) -> Work {
    let numbers = |s: &str| {
        s.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == '-'))
            .filter(|t| !t.is_empty())
            .count() as Work
    };
    match (n.attribute("d"), n.attribute("points")) {
        (Some(d), _) => numbers(d) / 2 + 1,
        (_, Some(p)) => numbers(p) / 2 + 1,
        _ => 8,
    }
}

/// The work of drawing a parsed tree: every node (clip paths, masks, patterns and text
/// glyphs included), every path point, and every dash of a dashed stroke.
pub(crate) fn tree_work(tree: &usvg::Tree) -> Work {
    group_work(tree.root())
}

fn group_work(group: &usvg::Group) -> Work {
    let mut work: Work = 1;
    for node in group.children() {
        work = work.saturating_add(1);
        match node {
            usvg::Node::Group(g) => work = work.saturating_add(group_work(g)),
            usvg::Node::Path(p) => work = work.saturating_add(path_work(p)),
            usvg::Node::Text(t) => work = work.saturating_add(group_work(t.flattened())),
            usvg::Node::Image(_) => {}
        }
        node.subroots(|root| work = work.saturating_add(group_work(root)));
    }
    work
}

fn path_work(path: &usvg::Path) -> Work {
    let data = path.data();
    let points = data.points().len() as Work;
    let dashes = path
        .stroke()
        .and_then(|s| s.dasharray())
        .map_or(0, |dash| dash_count(data, dash));
    points.saturating_add(dashes)
}

/// Dashes along a path: its length over the pattern's, times the pattern's entries.
fn dash_count(data: &usvg::tiny_skia_path::Path, dash: &[f32]) -> Work {
    let period: f64 = dash.iter().map(|d| f64::from(d.abs())).sum();
    if period <= 0.0 || !period.is_finite() {
        return 0;
    }
    let length = polyline_length(data);
    let count = (length / period).ceil() * dash.len() as f64;
    if count.is_finite() {
        count.min(Work::MAX as f64) as Work
    } else {
        Work::MAX
    }
}

/// The length of the path through its points (control points included): at least the
/// curve's own length, so the dash count errs on the safe side.
fn polyline_length(data: &usvg::tiny_skia_path::Path) -> f64 {
    data.points()
        .windows(2)
        .map(|w| {
            let (dx, dy) = (f64::from(w[1].x - w[0].x), f64::from(w[1].y - w[0].y));
            (dx * dx + dy * dy).sqrt()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(svg: &str) -> usvg::Tree {
        usvg::Tree::from_str(svg, &usvg::Options::default()).unwrap()
    }

    #[test]
    fn an_arc_to_a_far_point_is_refused_before_usvg_sees_it() {
        let far = r#"<svg xmlns="http://www.w3.org/2000/svg"><path d="m 10,10 a 47,24 0 0 1 -47,-21111111111111111111111111111111111111111.99 z"/></svg>"#;
        let doc = roxmltree::Document::parse(far).unwrap();
        let why = oversized_geometry(&doc).unwrap();
        assert!(why.contains("<path> at line 1 has a d"), "{why}");
        let fine = r#"<svg xmlns="http://www.w3.org/2000/svg"><path d="M1e3-2e2L4096,4096a5,5 0 0 1 10-10"/><circle r="1e9"/></svg>"#;
        assert_eq!(
            oversized_geometry(&roxmltree::Document::parse(fine).unwrap()),
            None
        );
        let huge_r = r#"<svg xmlns="http://www.w3.org/2000/svg"><ellipse rx="1e30" ry="1"/></svg>"#;
        assert!(oversized_geometry(&roxmltree::Document::parse(huge_r).unwrap()).is_some());
    }

    #[test]
    fn a_plain_logo_costs_little() {
        let logo = r##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">
            <circle cx="32" cy="32" r="30" fill="#e11"/><path d="M10 10 L54 54" stroke="#000"/>
        </svg>"##;
        assert!(tree_work(&parse(logo)) < 100, "{}", tree_work(&parse(logo)));
    }

    #[test]
    fn fine_dashes_cost_what_they_draw() {
        let dashed = r##"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">
            <circle cx="50" cy="50" r="40" fill="none" stroke="#000"
                stroke-dasharray="0.001 0.001"/></svg>"##;
        // 2πr ≈ 251 units over a 0.002 period, two entries each: ~250,000 dashes.
        let work = tree_work(&parse(dashed));
        assert!(work > 200_000, "{work}");
        let coarse = dashed.replace("0.001 0.001", "5 5");
        assert!(
            tree_work(&parse(&coarse)) < 200,
            "{}",
            tree_work(&parse(&coarse))
        );
    }

    #[test]
    fn markers_cost_points_times_their_content() {
        let points: String = (0..2000)
            .map(|i| format!("{} {} ", i % 100, i / 20))
            .collect();
        let rects: String = (0..250)
            .map(|i| format!(r#"<rect x="{i}" width="1" height="1"/>"#))
            .collect();
        let svg = format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">
            <marker id="m">{rects}</marker>
            <polyline points="{points}" marker-mid="url(#m)" fill="none" stroke="#000"/></svg>"##
        );
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let work = marker_work(&doc);
        assert!((400_000..=600_000).contains(&work), "{work}");
        let unmarked = svg.replace(r#" marker-mid="url(#m)""#, "");
        assert_eq!(
            marker_work(&roxmltree::Document::parse(&unmarked).unwrap()),
            0
        );
    }
}
