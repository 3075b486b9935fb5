//! Templates shaped like design tools' exports (`tests/designs/templates`: Figma, Illustrator,
//! Inkscape, Penpot, Affinity, Canva; each the tool's structure with `og:` added): they load
//! as exported, draw text in the design's own font wherever the design set it, keep their
//! ink inside the box, and draw the same pixels layered as in one pass.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ogmill_core::raster::rasterize;
use ogmill_core::{Inputs, Options, RenderRequest, Renderer};

use crate::support::{diff_bounds, titles, Bounds};

/// Each design, its title param, and its title box in output pixels (worked out from the
/// design's transforms and viewBox by hand).
const DESIGNS: &[(&str, Bounds)] = &[
    ("figma", (120, 160, 1080, 400)),
    ("illustrator", (80, 198, 1040, 428)),
    ("inkscape", (80, 120, 1000, 400)),
    ("penpot", (80, 180, 1120, 480)),
    ("affinity", (80, 192, 740, 525)),
    ("canva", (80, 146, 720, 440)),
];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/designs/templates")
}

fn renderer(layered: bool) -> &'static Renderer {
    static LAYERED: OnceLock<Renderer> = OnceLock::new();
    static SINGLE: OnceLock<Renderer> = OnceLock::new();
    let cell = if layered { &LAYERED } else { &SINGLE };
    cell.get_or_init(|| {
        Renderer::new(Options {
            templates_dir: Some(dir()),
            layered,
            ..Options::default()
        })
        .expect("the design-tool templates load")
    })
}

/// Titles from the corpus a design must take: long Latin, RTL, CJK, emoji.
fn sample_titles() -> Vec<String> {
    let wanted = [
        "en-long",
        "ar-arabic",
        "zh-hans",
        "ja-mixed",
        "emoji-zwj",
        "en-oneword",
    ];
    let all = titles();
    let mut out: Vec<String> = wanted
        .iter()
        .filter_map(|id| all.iter().find(|t| t.id.starts_with(id)))
        .map(|t| t.text.chars().take(100).collect())
        .collect();
    out.push("Short".into());
    out
}

#[test]
fn every_design_loads_as_exported_and_is_layered_to_the_first_slot() {
    let r = renderer(true);
    for (name, _) in DESIGNS {
        let t = r.template(name).unwrap_or_else(|| panic!("{name} loaded"));
        assert!(
            t.layering().starts_with("layered: the static background"),
            "{name}: {}",
            t.layering()
        );
    }
}

#[test]
fn layered_designs_draw_exactly_the_pixels_of_one_pass() {
    for (name, _) in DESIGNS {
        let mut cases: Vec<Vec<(&str, String)>> = vec![vec![]];
        for title in sample_titles() {
            cases.push(vec![("title", title)]);
        }
        for params in cases {
            let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let req = RenderRequest::new(name, &pairs);
            // Twice: the second draws over the cached background.
            for _ in 0..2 {
                let a = draw(renderer(true), &req);
                let b = draw(renderer(false), &req);
                assert!(a == b, "{name} {params:?}: layered pixels differ");
            }
        }
    }
}

fn render(r: &Renderer, req: &RenderRequest) -> Vec<u8> {
    let resolved = r.resolve(req).unwrap();
    r.render(&resolved, Inputs::default()).unwrap().bytes
}

fn draw(r: &Renderer, req: &RenderRequest) -> Vec<u8> {
    let resolved = r.resolve(req).unwrap();
    r.draw(&resolved, Inputs::default()).unwrap().take()
}

#[test]
fn titles_keep_their_ink_inside_the_box_whatever_the_units() {
    let r = renderer(false);
    for (name, (x0, y0, x1, y1)) in DESIGNS {
        for title in sample_titles() {
            let resolved = r
                .resolve(&RenderRequest::new(name, &[("title", &title)]))
                .unwrap();
            let t = resolved.template();
            let i = t.slots.iter().position(|s| s.name == "title").unwrap();
            let (placed, fits) = r.place(&resolved).unwrap();
            assert!(fits[i].missing.is_empty(), "{name}: tofu in {title}");
            let mut blank = placed.clone();
            blank[i].lines.clear();
            let draw = |placed| {
                let svg = t.fill(resolved.params(), placed, &[]);
                rasterize(&svg, r.usvg_options(), 1200, 630).unwrap()
            };
            let ink = diff_bounds(&draw(&placed), &draw(&blank))
                .unwrap_or_else(|| panic!("{name}: no ink for {title}"));
            // Two pixels for anti-aliasing at the edges.
            let inside = ink.0 + 2 >= *x0 && ink.1 + 2 >= *y0 && ink.2 <= x1 + 2 && ink.3 <= y1 + 2;
            assert!(
                inside,
                "{name}: ink {ink:?} leaves the box {:?} for {title:?} ({:?})",
                (x0, y0, x1, y1),
                fits[i]
            );
        }
    }
}

/// Illustrator puts the font in CSS classes on the sample `<tspan>` and names the face
/// (`Inter-Bold`); the title must come out exactly as with the same font set in attributes.
#[test]
fn a_font_from_css_classes_and_face_names_draws_like_attributes() {
    let src = std::fs::read_to_string(dir().join("illustrator.svg")).unwrap();
    let plain = src
        .replace(" class=\"st3 st4 st5 st6\"", "")
        .replace(
            "transform=\"matrix(1 0 0 1 80 250)\">",
            "transform=\"matrix(1 0 0 1 80 250)\" fill=\"#FFFFFF\" font-family=\"Inter\" font-weight=\"700\" font-size=\"60\" letter-spacing=\"-1\">",
        );
    assert_ne!(src, plain, "the design changed; update this test");
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("card.svg"), &src).unwrap();
    let from_css = draw_alone(tmp.path());
    std::fs::write(tmp.path().join("card.svg"), &plain).unwrap();
    let from_attrs = draw_alone(tmp.path());
    assert!(
        from_css == from_attrs,
        "CSS font and attribute font draw differently"
    );
}

fn draw_alone(dir: &Path) -> Vec<u8> {
    let r = Renderer::new(Options {
        templates_dir: Some(dir.to_owned()),
        ..Options::default()
    })
    .unwrap();
    render(&r, &RenderRequest::new("card", &[]))
}

#[test]
fn each_slot_is_measured_in_the_face_the_design_chose() {
    let r = renderer(true);
    let weight = |t: &str, slot: &str| {
        let s = r
            .template(t)
            .unwrap()
            .slots
            .iter()
            .find(|s| s.name == slot)
            .unwrap();
        s.style
            .split(';')
            .find_map(|d| d.strip_prefix("font-weight:"))
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        weight("illustrator", "title"),
        "700",
        "Inter-Bold from a class"
    );
    assert_eq!(
        weight("illustrator", "when"),
        "400",
        "Inter-Regular from a class"
    );
    assert_eq!(weight("inkscape", "title"), "700", "bold in style=\"\"");
    assert_eq!(weight("affinity", "author"), "500");
    assert_eq!(weight("figma", "title"), "700", "font-weight=\"bold\"");
    assert_eq!(weight("penpot", "tag"), "600");
}

/// Every design as a PDF: filters, masks, patterns, embedded bitmaps and CSS classes all
/// convert (svg2pdf rasterizes a filtered group and keeps the rest vector), the title is in
/// the page's text, and a title with color emoji (a font svg2pdf cannot subset) still comes
/// out, its text drawn as outlines.
#[test]
fn every_design_writes_a_pdf_with_the_title_as_text() {
    let r = renderer(true);
    for (name, _) in DESIGNS {
        for (title, squeezed, as_text) in [
            ("Designs as vector", "Designsasvector", true),
            ("Launch day 🚀", "Launchday", false),
        ] {
            let req = RenderRequest::new(name, &[("title", title), ("format", "pdf")]);
            let pdf = render(r, &req);
            let doc = lopdf::Document::load_mem(&pdf).expect("lopdf reads it");
            let text = doc.extract_text(&[1]).unwrap_or_default();
            let text = text.replace(char::is_whitespace, "");
            assert_eq!(
                text.contains(squeezed),
                as_text,
                "{name}, {title}: {text:?}"
            );
        }
    }
}
