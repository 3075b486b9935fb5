//! The gallery templates, checked on pixels in both themes: every text's ink stays inside its
//! box and no box overlaps another (so no text can overlap, whatever the values), for the
//! defaults, values at each param's maximum length and titles from the corpus; no glyph is
//! missing; and every text has WCAG AA contrast on what is drawn behind it.
//! Their golden references and the contact sheet (docs/gallery.png) are in `golden`.

use ogmill_core::raster::rasterize;
use ogmill_core::request::params::{ParamKind, ParamSpec};
use ogmill_core::RenderRequest;

use crate::support::{diff_bounds, renderer, titles};

/// The gallery's templates, in the order of the contact sheet and README's list.
pub const GALLERY: &[&str] = &[
    "docs",
    "changelog",
    "event",
    "episode",
    "quote",
    "job",
    "repo",
    "pricing",
    "lesson",
    "newsletter",
    "launch",
    "minimal",
];

const THEMES: &[&str] = &["light", "dark"];

/// WCAG 2 AA for normal-size text; most of these sizes are "large" and would need only 3:1.
const MIN_CONTRAST: f64 = 4.5;

/// A long value: words, some wide, cut to `len` characters.
fn long_value(len: usize) -> String {
    let words = "Wide words make every single box overflow when nothing fits them ";
    let s: String = words.chars().cycle().take(len).collect();
    s.trim_end().to_owned()
}

/// One set of values per case: the defaults, every param at its longest, and corpus titles
/// (each text param gets the title, cut to the param's maximum length).
fn value_sets(specs: &[ParamSpec]) -> Vec<(String, Vec<(String, String)>)> {
    let fill = |text: &dyn Fn(&ParamSpec) -> String| -> Vec<(String, String)> {
        specs
            .iter()
            .filter_map(|p| match p.kind {
                ParamKind::Text => Some((p.name.clone(), text(p))),
                ParamKind::Number => Some((
                    p.name.clone(),
                    p.max.map_or("987654321".into(), |m| m.to_string()),
                )),
                _ => None,
            })
            .collect()
    };
    let mut sets = vec![
        ("defaults".to_owned(), vec![]),
        ("max-length".to_owned(), fill(&|p| long_value(p.max_length))),
    ];
    // Every third corpus title, and the longest: enough scripts and lengths, in bounded time.
    let corpus = titles();
    let longest = corpus
        .iter()
        .max_by_key(|t| t.text.chars().count())
        .unwrap();
    for t in corpus.iter().step_by(3).chain([longest]) {
        let cut = |p: &ParamSpec| t.text.chars().take(p.max_length).collect::<String>();
        sets.push((t.id.clone(), fill(&cut)));
    }
    sets
}

type Rgba = [u8; 4];

/// Relative luminance (WCAG 2) of an opaque sRGB color.
fn luminance(c: Rgba) -> f64 {
    let lin = |v: u8| {
        let v = v as f64 / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
}

fn contrast(a: Rgba, b: Rgba) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The contrast of a text drawn over `without`: taken where the glyphs cover pixels fully
/// (the pixels that changed most), the median of those, so anti-aliased edges do not count.
fn text_contrast(with: &tiny_skia::Pixmap, without: &tiny_skia::Pixmap) -> Option<f64> {
    let px = |p: &tiny_skia::Pixmap, i: usize| {
        let c = p.pixels()[i].demultiply();
        [c.red(), c.green(), c.blue(), c.alpha()]
    };
    let change = |i: usize| {
        let (a, b) = (px(with, i), px(without, i));
        (0..3).map(|c| a[c].abs_diff(b[c]) as u32).sum::<u32>()
    };
    let n = with.pixels().len();
    let most = (0..n).map(change).max()?;
    if most == 0 {
        return None;
    }
    let mut ratios: Vec<f64> = (0..n)
        .filter(|&i| change(i) * 10 >= most * 9)
        .map(|i| contrast(px(with, i), px(without, i)))
        .collect();
    ratios.sort_by(f64::total_cmp);
    Some(ratios[ratios.len() / 2])
}

fn overlaps(a: [f32; 4], b: [f32; 4]) -> bool {
    a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3]
}

/// No two boxes (text or image) of `name` share a pixel: with every ink inside its box, no
/// text can run into another or into a picture, whatever the values.
fn boxes_are_apart(name: &str) {
    let t = renderer().template(name).unwrap();
    let mut boxes: Vec<(String, [f32; 4])> = t
        .slots
        .iter()
        .map(|s| (s.name.clone(), [s.x, s.y, s.width, s.height]))
        .collect();
    boxes.extend(
        t.image_slots
            .iter()
            .map(|i| (i.param.clone(), [i.x, i.y, i.width, i.height])),
    );
    for (i, (a, ab)) in boxes.iter().enumerate() {
        for (b, bb) in &boxes[i + 1..] {
            assert!(
                !overlaps(*ab, *bb),
                "{name}: the boxes of {a} and {b} overlap"
            );
        }
        let inside =
            ab[0] >= 0.0 && ab[1] >= 0.0 && ab[0] + ab[2] <= 1200.0 && ab[1] + ab[3] <= 630.0;
        assert!(inside, "{name}: the box of {a} leaves the card");
    }
}

/// Renders every value set in both themes; for each text slot, its ink (the card with the
/// slot drawn against the card without it) must stay in its box, and with the defaults its
/// contrast must reach AA.
fn check(name: &str) {
    boxes_are_apart(name);
    let r = renderer();
    let specs = r.template(name).unwrap().params.clone();
    for theme in THEMES {
        // A theme changes colors, not geometry: the long values are checked in one.
        let sets = value_sets(&specs);
        let sets = if *theme == THEMES[0] {
            &sets[..]
        } else {
            &sets[..1]
        };
        for (case, values) in sets {
            let mut params: Vec<(&str, &str)> = values
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            params.push(("theme", theme));
            let what = format!("{name} ({theme}, {case})");
            let resolved = r.resolve(&RenderRequest::new(name, &params)).unwrap();
            let t = resolved.template();
            let (placed, fits) = r.place(&resolved).unwrap();
            let draw = |placed: &[_]| {
                let svg = t.fill(resolved.params(), placed, &[]);
                rasterize(&svg, r.usvg_options(), 1200, 630).unwrap()
            };
            let all = draw(&placed);
            for (i, slot) in t.slots.iter().enumerate() {
                if placed[i].lines.is_empty() {
                    continue; // an optional part left empty
                }
                let what = format!("{what} slot {}", slot.name);
                assert!(
                    fits[i].missing.is_empty(),
                    "{what}: no font draws {:?}",
                    fits[i].missing
                );
                let mut blank = placed.clone();
                blank[i].lines.clear();
                let without = draw(&blank);
                let ink = diff_bounds(&all, &without)
                    .unwrap_or_else(|| panic!("{what}: nothing was drawn"));
                crate::fit::assert_inside(&format!("{what} {:?}", fits[i]), ink, slot);
                if case.as_str() == "defaults" {
                    let c = text_contrast(&all, &without).unwrap();
                    assert!(c >= MIN_CONTRAST, "{what}: contrast {c:.2}:1 is under AA");
                }
            }
        }
    }
}

macro_rules! gallery_tests {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check($name);
            }
        )*
        #[test]
        fn every_gallery_template_is_checked() {
            let tested = [$($name),*];
            assert_eq!(tested.as_slice(), GALLERY);
        }
    };
}

gallery_tests! {
    docs => "docs",
    changelog => "changelog",
    event => "event",
    episode => "episode",
    quote => "quote",
    job => "job",
    repo => "repo",
    pricing => "pricing",
    lesson => "lesson",
    newsletter => "newsletter",
    launch => "launch",
    minimal => "minimal",
}

#[test]
fn the_contrast_measure_agrees_with_wcag_figures() {
    // Published pairs: black on white is 21:1, #767676 on white is the AA threshold 4.54:1.
    let white = [255, 255, 255, 255];
    assert!((contrast([0, 0, 0, 255], white) - 21.0).abs() < 0.01);
    assert!((contrast([0x76, 0x76, 0x76, 255], white) - 4.54).abs() < 0.01);
}

#[test]
fn every_template_in_the_gallery_has_both_themes() {
    for name in GALLERY {
        let t = renderer().template(name).unwrap();
        let theme = t.params.iter().find(|p| p.name == "theme").unwrap();
        assert_eq!(theme.options, THEMES, "{name}");
        let accent = t.params.iter().find(|p| p.name == "accent").unwrap();
        assert!(accent.theme_defaults.contains_key("dark"), "{name}");
    }
}

/// A card is seen ~500 px wide in a feed: no bundled template's text shrinks below a readable
/// floor, half its own size or 20 px at 1200 px wide (whichever is larger, never above its own
/// size); past it the value ends with an ellipsis. The same floor `ogmill import` gives.
#[test]
fn every_bundled_text_keeps_a_readable_floor() {
    let mut low = vec![];
    for t in renderer().templates() {
        for s in &t.slots {
            let floor = (s.max_font_size / 2.0)
                .max(20.0 * t.width / 1200.0)
                .min(s.max_font_size);
            if s.min_font_size + 0.01 < floor {
                low.push(format!(
                    "{}: {} shrinks to {} (size {}, floor {floor})",
                    t.name, s.name, s.min_font_size, s.max_font_size
                ));
            }
        }
    }
    assert!(low.is_empty(), "{}", low.join("\n"));
}
