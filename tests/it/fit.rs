//! Text that always fits, checked on pixels: the title's ink must stay inside its box.

use ogmill_core::fit::SlotFit;
use ogmill_core::template::TextSlot;
use ogmill_core::RenderRequest;

use crate::support::{diff_bounds, renderer, title_layers, titles, Bounds};

/// The title's ink bounds in `template`, the slot, what the fit decided and the lines.
pub fn title_ink(template: &str, title: &str) -> (Option<Bounds>, TextSlot, SlotFit, Vec<String>) {
    let t = title_layers(template, &[("title", title)]);
    (diff_bounds(&t.with, &t.without), t.slot, t.fit, t.lines)
}

pub fn assert_inside(what: &str, bounds: Bounds, slot: &TextSlot) {
    let (x0, y0, x1, y1) = bounds;
    let inside = x0 as f32 >= slot.x - 1.0
        && y0 as f32 >= slot.y - 1.0
        && (x1 + 1) as f32 <= slot.x + slot.width + 1.0
        && (y1 + 1) as f32 <= slot.y + slot.height + 1.0;
    assert!(
        inside,
        "{what}: ink {bounds:?} leaves the box x={} y={} w={} h={}",
        slot.x, slot.y, slot.width, slot.height
    );
}

#[test]
fn every_corpus_title_stays_inside_its_box() {
    for template in ["default", "blog"] {
        for t in titles() {
            let (bounds, slot, fit, lines) = title_ink(template, &t.text);
            let what = format!("{template}/{} ({}) {lines:?} {fit:?}", t.id, t.script);
            let bounds = bounds.unwrap_or_else(|| panic!("{what}: nothing was drawn"));
            assert_inside(&what, bounds, &slot);
            assert!(fit.lines >= 1 && fit.lines <= slot.max_lines, "{what}");
            assert!(
                fit.missing.is_empty(),
                "{what}: no font draws {:?}",
                fit.missing
            );
            assert!(
                fit.font_size >= slot.min_font_size && fit.font_size <= slot.max_font_size,
                "{what}"
            );
        }
    }
}

#[test]
fn a_long_title_gets_a_smaller_font_than_a_short_one() {
    let (_, _, short, _) = title_ink("blog", "Hello, world");
    let (_, _, long, _) = title_ink("blog", "Next.js Dynamic Image Generation: OG Images, Social Cards & More, and a good deal more besides");
    assert_eq!(short.font_size, 76.0);
    assert!(long.font_size < short.font_size, "{long:?} vs {short:?}");
    assert!(!long.truncated);
}

#[test]
fn at_the_minimum_size_the_last_line_ends_with_an_ellipsis() {
    let title = "word ".repeat(59) + "end";
    let (bounds, slot, fit, lines) = title_ink("default", &title);
    assert!(fit.truncated, "{fit:?}");
    assert_eq!(fit.font_size, slot.min_font_size);
    assert_eq!(lines.len(), slot.max_lines);
    assert!(lines.last().unwrap().ends_with("word…"), "{lines:?}");
    assert_inside("ellipsis", bounds.unwrap(), &slot);
}

#[test]
fn a_word_wider_than_the_box_breaks_inside_the_word() {
    let word = "Supercalifragilisticexpialidocious".repeat(3);
    let (bounds, slot, fit, lines) = title_ink("default", &word);
    assert!(lines.len() >= 2, "{lines:?} {fit:?}");
    assert_eq!(lines.concat(), word);
    assert_inside("long word", bounds.unwrap(), &slot);
}

#[test]
fn whitespace_collapses_and_an_empty_title_takes_the_default() {
    let (_, _, _, lines) = title_ink("blog", "   spaces    everywhere\t\tand\ttabs   ");
    assert_eq!(lines.join(" "), "spaces everywhere and tabs");
    let (_, _, _, lines) = title_ink("blog", " \t ");
    let default = &renderer().template("blog").unwrap().params[0].default;
    assert_eq!(&lines.join(" "), default);
}

#[test]
fn cjk_breaks_between_ideographs() {
    let title = "東京都の新しい図書館は建築家と市民が十年かけて一緒に設計した美しい木造建築です";
    let (bounds, slot, _, lines) = title_ink("default", title);
    assert!(lines.len() >= 2, "{lines:?}");
    assert_eq!(lines.concat(), title);
    assert_inside("cjk", bounds.unwrap(), &slot);
}

/// Measured width equals drawn width: each wrapped line is full, i.e. the line plus the next
/// word, laid out by usvg as drawn, would not have fit. An under-measuring fit breaks early.
#[test]
fn lines_are_filled_to_the_width_usvg_draws() {
    let title = "The quick brown fox jumps over the lazy dog while seven wizards quietly judge boxing matches";
    let (_, slot, fit, lines) = title_ink("default", title);
    assert!(lines.len() >= 2);
    for pair in lines.windows(2) {
        let next_word = pair[1].split(' ').next().unwrap();
        let w = drawn_width(&format!("{} {next_word}", pair[0]), fit.font_size);
        assert!(
            w > slot.width,
            "'{} {next_word}' is {w}px, fits in {}",
            pair[0],
            slot.width
        );
        assert!(drawn_width(&pair[0], fit.font_size) <= slot.width);
    }
}

fn drawn_width(text: &str, size: f32) -> f32 {
    let mut svg = String::from(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text font-family="Inter" font-weight="700" letter-spacing="-1.5" font-size=""#,
    );
    svg.push_str(&format!("{size}\">"));
    // Escaped here: the core's XML helpers are private.
    for c in text.chars() {
        match c {
            '&' => svg.push_str("&amp;"),
            '<' => svg.push_str("&lt;"),
            '>' => svg.push_str("&gt;"),
            c => svg.push(c),
        }
    }
    svg.push_str("</text></svg>");
    let tree = usvg::Tree::from_str(&svg, renderer().usvg_options()).unwrap();
    match tree.root().children().first() {
        Some(usvg::Node::Text(t)) => t.bounding_box().width(),
        other => panic!("no text node: {other:?}"),
    }
}

/// Words measured for one request are reused by the next; what is drawn must not change.
#[test]
fn measurements_kept_across_requests_change_no_pixel() {
    use crate::support::RenderReq;
    let cold = || ogmill_core::Renderer::new(ogmill_core::Options::default()).unwrap();
    let warm = cold();
    for t in [
        "Rust and the cache",
        "The cache of words",
        "Words in Rust, again",
    ] {
        warm.render_req(&RenderRequest::new("blog", &[("title", t)]))
            .unwrap();
    }
    let kept = warm.measure_cache_usage();
    assert!(kept.entries > 10 && kept.bytes > 0, "{kept:?}");
    for title in ["Words of the Rust cache", "The cache, in Rust"] {
        let req = RenderRequest::new("blog", &[("title", title)]);
        let a = cold().render_req(&req).unwrap().bytes;
        let b = warm.render_req(&req).unwrap().bytes;
        assert!(
            a == b,
            "{title}: a warm measure cache drew different pixels"
        );
    }
}

/// A renderer whose one template `card` has a title slot with `og:white-space` set to `ws`.
fn white_space_card(ws: &str) -> ogmill_core::Renderer {
    let dir = tempfile::tempdir().unwrap();
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:og="https://ogmill.dev/template" width="1200" height="630">
<og:param name="title" kind="text" max-length="200" default="Hi"/>
<rect width="1200" height="630" fill="#101820"/>
<text og:text="{{{{title}}}}" og:box="100 100 1000 430" og:max-lines="4" og:white-space="{ws}"
      font-family="Inter" font-weight="700" font-size="80" fill="#fff">Hi</text></svg>"##
    );
    std::fs::write(dir.path().join("card.svg"), svg).unwrap();
    ogmill_core::Renderer::new(ogmill_core::Options {
        templates_dir: Some(dir.path().to_owned()),
        ..Default::default()
    })
    .unwrap()
}

/// The title's lines, and the bands of pixel rows its ink covers (top, bottom).
fn lines_and_ink_rows(r: &ogmill_core::Renderer, title: &str) -> (Vec<String>, Vec<(u32, u32)>) {
    use ogmill_core::raster::rasterize;
    let resolved = r
        .resolve(&RenderRequest::new("card", &[("title", title)]))
        .unwrap();
    let (placed, _) = r.place(&resolved).unwrap();
    let mut blank = placed.clone();
    blank[0].lines.clear();
    let draw = |placed| {
        let svg = resolved.template().fill(resolved.params(), placed, &[]);
        rasterize(&svg, r.usvg_options(), 1200, 630).unwrap()
    };
    let (with, without) = (draw(&placed), draw(&blank));
    let inked: Vec<bool> = (0..630)
        .map(|y| (0..1200).any(|x| with.pixel(x, y) != without.pixel(x, y)))
        .collect();
    let mut bands = vec![];
    for (y, &ink) in inked.iter().enumerate() {
        match (ink, bands.last_mut()) {
            (true, Some((_, bottom))) if *bottom + 1 == y as u32 => *bottom = y as u32,
            (true, _) => bands.push((y as u32, y as u32)),
            _ => {}
        }
    }
    let lines = placed[0].lines.iter().map(|l| l.text.clone()).collect();
    (lines, bands)
}

#[test]
fn a_pre_line_slot_keeps_the_values_line_breaks_and_still_fits() {
    let r = white_space_card("pre-line");
    let (lines, bands) = lines_and_ink_rows(&r, "Release notes\r\n  v2.0 is out");
    assert_eq!(lines, ["Release notes", "v2.0 is out"]);
    assert_eq!(bands.len(), 2, "two lines of ink: {bands:?}");
    // A long line still wraps, and the break still holds after it.
    let long = "Every page on your site could have a unique social preview image\nby ogmill";
    let (lines, _) = lines_and_ink_rows(&r, long);
    assert_eq!(
        lines.last().map(String::as_str),
        Some("by ogmill"),
        "{lines:?}"
    );
    assert!(lines.len() >= 3, "{lines:?}");
    // Past max-lines, the last kept line ends with the ellipsis, not with a later line.
    let (lines, _) = lines_and_ink_rows(&r, "one\ntwo\nthree\nfour\nfive");
    assert_eq!(lines, ["one", "two", "three", "four…"]);
}

#[test]
fn a_normal_slot_draws_a_line_break_as_a_space() {
    let r = white_space_card("normal");
    let (lines, bands) = lines_and_ink_rows(&r, "Release notes\nv2.0 is out");
    assert_eq!(lines, ["Release notes v2.0 is out"]);
    assert_eq!(bands.len(), 1, "{bands:?}");
}

#[test]
fn a_word_wider_than_the_box_breaks_at_no_break_spaces_and_punctuation_before_graphemes() {
    let r = white_space_card("normal");
    let words = [
        "Available",
        "everywhere",
        "today,",
        "with",
        "nothing",
        "to",
        "install",
    ];
    let (lines, bands) = lines_and_ink_rows(&r, &words.join("\u{A0}"));
    assert!(lines.len() >= 2, "{lines:?}");
    assert_eq!(bands.len(), lines.len(), "{bands:?}");
    for line in &lines {
        for word in line.split('\u{A0}') {
            assert!(
                words.contains(&word),
                "{word:?} is cut from a word: {lines:?}"
            );
        }
    }
    let url = "https://docs.example.com/guides/getting-started/installation-and-configuration";
    let (lines, _) = lines_and_ink_rows(&r, url);
    assert!(lines.len() >= 2, "{lines:?}");
    assert_eq!(lines.concat(), url);
    for line in &lines[..lines.len() - 1] {
        let last = line.chars().last().unwrap();
        assert!(
            "/.-:".contains(last),
            "a line ends inside a word: {lines:?}"
        );
    }
}

/// A design's own fractional size (69.68 px, as Inkscape writes it) is drawn as it is when
/// the value fits, and values that do not fit take the largest whole size below it: the
/// search between a whole size and a fractional cap ends (it once looped forever between
/// 68 and 69.68) and does not skip 69.
#[test]
fn a_fractional_design_size_is_kept_and_whole_sizes_below_it_are_all_tried() {
    let dir = tempfile::tempdir().unwrap();
    let template = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:og="https://ogmill.dev/template" width="1200" height="630"><metadata><og:param name="title" kind="text" default="x"/></metadata><text og:text="{{title}}" og:box="0 0 1200 100" og:min-font-size="20" x="0" y="80" font-size="69.68" font-family="Inter">x</text></svg>"#;
    std::fs::write(dir.path().join("f.svg"), template).unwrap();
    let r = ogmill_core::Renderer::new(ogmill_core::Options {
        templates_dir: Some(dir.path().to_owned()),
        ..ogmill_core::Options::default()
    })
    .unwrap();
    let size_for = |title: &str| {
        let resolved = r
            .resolve(&RenderRequest::new("f", &[("title", title)]))
            .unwrap();
        r.place(&resolved).unwrap().1[0].font_size
    };
    assert_eq!(size_for("Short"), 69.68);
    // Longer titles, one word more each time: every size is the design's or a whole one,
    // and they never grow as the title does.
    let mut title = String::from("Words");
    let mut last = f32::MAX;
    for _ in 0..40 {
        title.push_str(" more");
        let size = size_for(&title);
        assert!(size == 69.68 || size.fract() == 0.0, "{title}: {size}");
        assert!(size <= last, "{title}: {size} after {last}");
        last = size;
    }
    assert!(
        last < 69.0,
        "the titles never got long enough to shrink: {last}"
    );
    // Between the two: in some box a title fits at 69 but not at 69.68, and gets 69.
    let templates = (300..900)
        .step_by(2)
        .map(|w| {
            (
                format!("w{w}"),
                template.replace("0 0 1200 100", &format!("0 0 {w} 100")),
            )
        })
        .collect();
    let boxes = ogmill_core::Renderer::new(ogmill_core::Options {
        templates,
        ..ogmill_core::Options::default()
    })
    .unwrap();
    let sizes: Vec<f32> = (300..900)
        .step_by(2)
        .map(|w| {
            let req = RenderRequest::new(&format!("w{w}"), &[("title", "Hello, world")]);
            boxes.place(&boxes.resolve(&req).unwrap()).unwrap().1[0].font_size
        })
        .collect();
    assert!(sizes.contains(&69.0), "{sizes:?}");
}
