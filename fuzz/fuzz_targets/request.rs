//! Raw query string -> parsed pairs -> validated params -> fitted, filled SVG, for every
//! bundled template. Properties: no panic; the filled SVG is well-formed XML; a value never
//! becomes markup: no element or attribute appears that the template cannot produce, and no
//! link but the ones ogmill writes.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use ogmill_core::request::params::UnknownParams;
use ogmill_core::{Options, RenderRequest, Renderer};

const ELEMENTS: &[&str] = &[
    "svg", "metadata", "defs", "linearGradient", "radialGradient", "stop", "clipPath", "rect",
    "circle", "ellipse", "path", "g", "text", "tspan", "image",
];
const ATTRIBUTES: &[&str] = &[
    "xmlns", "xlink", "width", "height", "viewBox", "id", "x", "y", "x1", "y1", "x2", "y2", "cx",
    "cy", "r", "rx", "ry", "d", "fill", "fill-opacity", "stroke", "stroke-width", "offset",
    "stop-color", "stop-opacity", "gradientUnits", "clip-path", "font-family", "font-weight",
    "font-size", "letter-spacing", "text-anchor", "href", "preserveAspectRatio",
];

fn renderer() -> &'static Renderer {
    static R: OnceLock<Renderer> = OnceLock::new();
    R.get_or_init(|| Renderer::new(Options::default()).expect("bundled templates load"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, query)) = data.split_first() else { return };
    let query = String::from_utf8_lossy(query);
    let Ok(pairs) = ogmill_core::request::query::parse(&query) else { return };
    let names = ["default", "blog", "product", "profile"];
    let req = RenderRequest {
        template: names[usize::from(which) % names.len()].to_owned(),
        params: pairs,
        unknown: UnknownParams::Ignore,
    };
    let Ok(resolved) = renderer().resolve(&req) else { return };
    let (svg, _) = renderer().fill(&resolved, &[]).expect("a valid request fills");
    let doc = roxmltree::Document::parse(&svg).expect("the filled SVG is well-formed XML");
    for node in doc.descendants().filter(|n| n.is_element()) {
        let tag = node.tag_name().name();
        assert!(ELEMENTS.contains(&tag), "unexpected element <{tag}>");
        for a in node.attributes() {
            assert!(ATTRIBUTES.contains(&a.name()), "unexpected attribute {}", a.name());
            if a.name() == "href" {
                assert!(a.value().starts_with("ogmill:image/"), "a link: {}", a.value());
            }
        }
    }
});
