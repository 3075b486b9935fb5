//! Templates as design tools write them: references forward across the layer split, and
//! image files linked instead of embedded.

use std::path::{Path, PathBuf};

use ogmill_core::fonts::FontData;
use ogmill_core::{Inputs, Options, RenderRequest, Renderer};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn inter() -> FontData {
    FontData::new(std::fs::read(repo().join("fonts/Inter-Bold.otf")).unwrap())
}

/// A file of resvg's suite (tests/resvg-suite, written by nobody here).
fn suite_file(path: &str) -> String {
    std::fs::read_to_string(repo().join("tests/resvg-suite/tests").join(path)).unwrap()
}

const SLOT: &str = concat!(
    r#"<metadata><og:param name="zz" kind="text" default="x"/></metadata>"#,
    r#"<text og:text="{{zz}}" og:box="0 0 30 12" x="0" y="10" font-size="10" font-family="Inter">x</text>"#
);

/// `source` with a text slot just before the element whose start is `before`.
fn slot_before(source: &str, before: &str) -> String {
    let at = source.find(before).expect("the element is in the file");
    let source = format!("{}{SLOT}{}", &source[..at], &source[at..]);
    source.replacen("<svg ", "<svg xmlns:og=\"https://ogmill.dev/template\" ", 1)
}

fn renderer(options: Options) -> Renderer {
    Renderer::new(Options {
        bundled_fonts: false,
        fonts: vec![inter()],
        palette_tolerance: 0,
        ..options
    })
    .unwrap()
}

fn pixels(r: &Renderer, name: &str) -> Vec<u8> {
    let resolved = r.resolve(&RenderRequest::new(name, &[])).unwrap();
    // Twice: the second over the cached background, if there is one.
    r.draw(&resolved, Inputs::default()).unwrap();
    r.draw(&resolved, Inputs::default())
        .unwrap()
        .data()
        .to_vec()
}

fn layered_and_single(source: &str) -> (Renderer, Vec<u8>, Vec<u8>) {
    let make = |layered| {
        renderer(Options {
            templates: vec![("t".into(), source.to_owned())],
            layered,
            ..Options::default()
        })
    };
    let (layered, single) = (make(true), make(false));
    let (a, b) = (pixels(&layered, "t"), pixels(&single, "t"));
    (layered, a, b)
}

/// A `<use>` (or `feImage`) before the first slot whose target is drawn after it: the
/// background must still resolve it, or the target is missing from the cached layer.
#[test]
fn references_forward_across_the_split_draw_as_in_one_pass() {
    for (file, target) in [
        ("structure/use/non-linear-order.svg", "<rect id=\"rect1\""),
        (
            "filters/feImage/link-to-an-element-outside-defs-1.svg",
            "<rect id=\"rect2\"",
        ),
        (
            "filters/feImage/link-to-an-element-outside-defs-2.svg",
            "<rect id=\"rect2\"",
        ),
    ] {
        let source = slot_before(&suite_file(file), target);
        let (r, layered, single) = layered_and_single(&source);
        let layering = r.template("t").unwrap().layering();
        assert!(layering.starts_with("layered"), "{file}: {layering}");
        assert!(
            layered == single,
            "{file}: layered pixels differ from one pass"
        );
    }
}

/// A forward reference to what depends on the request cannot be drawn once: one pass, and
/// `templates --json` says why.
#[test]
fn a_reference_to_a_slot_drawn_later_keeps_the_template_in_one_pass() {
    let source = r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:og="https://ogmill.dev/template" width="200" height="100">
  <metadata><og:param name="title" kind="text" default="Hi"/></metadata>
  <rect width="200" height="100" fill="#eee"/>
  <use href="#t" y="40"/>
  <text id="t" og:text="{{title}}" og:box="10 10 180 30" x="10" y="30" font-family="Inter" font-size="20">Hi</text>
</svg>"##;
    let (r, layered, single) = layered_and_single(source);
    let layering = r.template("t").unwrap().layering();
    assert!(
        layering.starts_with("single pass") && layering.contains("#t"),
        "{layering}"
    );
    assert!(layered == single);
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, y| {
        image::Rgba([(x * 40) as u8, (y * 60) as u8, 200, 255])
    });
    let mut out = std::io::Cursor::new(vec![]);
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn linking(href: &str) -> String {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:og="https://ogmill.dev/template" width="200" height="100">
  <metadata><og:param name="title" kind="text" default="Hi"/></metadata>
  <image xlink:href="{href}" x="0" y="0" width="200" height="100" preserveAspectRatio="none"/>
  <text og:text="{{{{title}}}}" og:box="10 10 180 30" x="10" y="30" font-family="Inter" font-size="20">Hi</text>
</svg>"##
    )
}

/// Design tools link pictures beside the SVG: a template in a directory reads them once and
/// draws them exactly as it draws the same picture embedded.
#[test]
fn a_linked_picture_beside_the_template_draws_as_if_embedded() {
    let dir = tempfile::tempdir().unwrap();
    let picture = png(5, 4);
    std::fs::create_dir(dir.path().join("img")).unwrap();
    std::fs::write(dir.path().join("img/photo one.png"), &picture).unwrap();
    std::fs::write(
        dir.path().join("linked.svg"),
        linking("img/photo%20one.png"),
    )
    .unwrap();
    use base64::Engine;
    let data = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&picture)
    );
    let r = renderer(Options {
        templates_dir: Some(dir.path().to_owned()),
        templates: vec![("embedded".into(), linking(&data))],
        ..Options::default()
    });
    let linked = pixels(&r, "linked");
    assert!(linked == pixels(&r, "embedded"));
    // And it is drawn at all: the picture's blue shows.
    assert!(linked.chunks(4).filter(|p| p[2] > 190).count() > 10_000);
    // An edit of the picture is a new template (a new hash, so no stale caches).
    let before = r.template("linked").unwrap().hash;
    std::fs::write(dir.path().join("img/photo one.png"), png(6, 4)).unwrap();
    let again = renderer(Options {
        templates_dir: Some(dir.path().to_owned()),
        ..Options::default()
    });
    assert_ne!(again.template("linked").unwrap().hash, before);
}

/// A template given as text reads its links from `resources_dir`, and without one says to
/// embed the picture.
#[test]
fn a_template_given_as_text_links_only_inside_its_resources_dir() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.png"), png(3, 3)).unwrap();
    let r = renderer(Options {
        templates: vec![("t".into(), linking("p.png"))],
        resources_dir: Some(dir.path().to_owned()),
        ..Options::default()
    });
    assert!(pixels(&r, "t").chunks(4).any(|p| p[2] == 200));
    let err = Renderer::new(Options {
        bundled_fonts: false,
        fonts: vec![inter()],
        templates: vec![("t".into(), linking("p.png"))],
        ..Options::default()
    })
    .err()
    .unwrap()
    .to_string();
    assert!(
        err.contains("'p.png'") && err.contains("embed the image"),
        "{err}"
    );
}

/// Out of the directory, absolute, URLs, missing files, what is not a picture: refused at
/// load, naming the link and what to do (before, the picture was silently not drawn).
#[test]
fn links_out_of_the_templates_directory_are_refused_at_load() {
    let outer = tempfile::tempdir().unwrap();
    std::fs::write(outer.path().join("secret.png"), png(2, 2)).unwrap();
    let dir = outer.path().join("templates");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "not a picture").unwrap();
    for (href, says) in [
        ("../secret.png", "not a file in the templates directory"),
        ("/etc/hostname", "absolute path"),
        ("file:///etc/hostname", "file: URL"),
        ("https://example.com/a.png", "https: URL"),
        ("missing.png", "not a file in the templates directory"),
        ("notes.txt", "not PNG, JPEG, WebP or GIF"),
    ] {
        std::fs::write(dir.join("card.svg"), linking(href)).unwrap();
        let err = Renderer::new(Options {
            bundled_fonts: false,
            fonts: vec![inter()],
            templates_dir: Some(dir.clone()),
            ..Options::default()
        })
        .err()
        .unwrap_or_else(|| panic!("{href} loaded"))
        .to_string();
        assert!(
            err.contains("card.svg") && err.contains(says),
            "{href}: {err}"
        );
    }
}

/// An avatar slot with initials, colored by the template (`og:initials-fill`,
/// `og:initials-color`) or, without them, on a color from the name in white.
fn initials_template(colors: &str) -> String {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:og="https://ogmill.dev/template" width="200" height="100">
<metadata>
<og:param name="who" kind="text" default="Ada Lovelace"/>
<og:param name="avatar" kind="image" default=""/>
<og:param name="accent" kind="color" default="#00ff00"/>
</metadata>
<g og:image="avatar" og:box="0 0 100 100" og:initials="{{{{who}}}}" {colors}>
<rect width="100" height="100" fill="#808080"/>
</g>
</svg>"##
    )
}

fn pixel(p: &tiny_skia::Pixmap, x: u32, y: u32) -> [u8; 3] {
    let c = p.pixel(x, y).unwrap().demultiply();
    [c.red(), c.green(), c.blue()]
}

/// Every opaque color in the box's middle band, where the letters are.
fn letter_colors(p: &tiny_skia::Pixmap) -> std::collections::HashSet<[u8; 3]> {
    (20..80)
        .flat_map(|y| (10..90).map(move |x| (x, y)))
        .map(|(x, y)| pixel(p, x, y))
        .collect()
}

#[test]
fn initials_take_the_templates_colors_or_the_names() {
    let draw = |colors: &str, params: &[(&str, &str)]| {
        let r = renderer(Options {
            templates: vec![("t".into(), initials_template(colors))],
            ..Options::default()
        });
        let resolved = r.resolve(&RenderRequest::new("t", params)).unwrap();
        r.draw(&resolved, Inputs::default()).unwrap()
    };
    let themed = draw(
        r##"og:initials-fill="#123456" og:initials-color="{{accent}}""##,
        &[("accent", "#ff0000")],
    );
    assert_eq!(pixel(&themed, 2, 2), [0x12, 0x34, 0x56], "the fill");
    let letters = letter_colors(&themed);
    assert!(letters.contains(&[255, 0, 0]), "letters in the accent");
    assert!(!letters.contains(&[255, 255, 255]), "no white letters");

    let plain = draw("", &[]);
    let corner = pixel(&plain, 2, 2);
    assert_ne!(corner, [0x12, 0x34, 0x56]);
    assert_ne!(corner, [0x80, 0x80, 0x80], "initials, not the placeholder");
    assert!(
        letter_colors(&plain).contains(&[255, 255, 255]),
        "white letters"
    );
}

#[test]
fn an_initials_color_that_is_no_color_is_refused_at_load() {
    for (colors, names) in [
        (r#"og:initials-fill="blurple""#, "og:initials-fill"),
        (r#"og:initials-color="{{who}}""#, "og:initials-color"),
    ] {
        let err = Renderer::new(Options {
            bundled_fonts: false,
            fonts: vec![inter()],
            templates: vec![("t".into(), initials_template(colors))],
            ..Options::default()
        })
        .err()
        .expect("refused");
        let msg = err.to_string();
        assert!(msg.contains(names), "{msg}");
    }
}

/// A card whose image slot (no initials) comes before its text, with a placeholder that
/// binds a color: `inner` goes inside the placeholder.
fn picture_card(inner: &str) -> String {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:og="https://ogmill.dev/template" width="240" height="120">
  <metadata>
    <og:param name="photo" kind="image" default=""/>
    <og:param name="paper" kind="color" default="#dbeafe"/>
    <og:param name="title" kind="text" default="Hi"/>
  </metadata>
  <defs><clipPath id="c"><rect x="10" y="10" width="100" height="100" rx="12"/></clipPath></defs>
  <rect width="240" height="120" fill="#f8fafc"/>
  <g og:image="photo" og:box="10 10 100 100" og:fit="cover" clip-path="url(#c)">
    <rect x="10" y="10" width="100" height="100" fill="#93c5fd" og:fill="{{{{paper}}}}"/>
    <circle cx="60" cy="60" r="30" fill="#1e3a8a" fill-opacity="0.6"/>{inner}
  </g>
  <text og:text="{{{{title}}}}" og:box="120 40 110 40" x="120" y="70" font-family="Inter" font-size="24">Hi</text>
</svg>"##
    )
}

/// A 3x2 PNG as a data URI: a picture for an image param.
fn png_uri() -> String {
    use base64::Engine;
    let img = image::RgbaImage::from_fn(3, 2, |x, y| {
        image::Rgba([x as u8 * 80, y as u8 * 120, 200, 255])
    });
    let mut png = std::io::Cursor::new(vec![]);
    img.write_to(&mut png, image::ImageFormat::Png).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(png.into_inner());
    format!("data:image/png;base64,{b64}")
}

/// Draws the card for `params` twice (the second over a cached background, if any), with
/// its pictures prepared as an embedder does.
fn draw_with(r: &Renderer, params: &[(&str, &str)]) -> Vec<u8> {
    let resolved = r.resolve(&RenderRequest::new("t", params)).unwrap();
    let (images, problems) = resolved.local_images(None);
    assert!(problems.is_empty(), "{problems:?}");
    let inputs = || Inputs {
        images: &images,
        ..Inputs::default()
    };
    r.draw(&resolved, inputs()).unwrap();
    r.draw(&resolved, inputs()).unwrap().data().to_vec()
}

/// Without a picture, an image slot's placeholder is the same on every card, so it joins
/// the cached background; with one, the split is the usual one, before the slot. Both
/// draw exactly what one pass draws, in any order of requests.
#[test]
fn a_placeholder_joins_the_background_while_no_picture_is_given() {
    let source = picture_card("");
    let make = |layered| {
        renderer(Options {
            templates: vec![("t".into(), source.clone())],
            layered,
            ..Options::default()
        })
    };
    let (layered, single) = (make(true), make(false));
    let t = layered.template("t").unwrap();
    assert!(
        t.layering()
            .ends_with("without a picture, its image placeholders are part of the background"),
        "{}",
        t.layering()
    );
    let uri = png_uri();
    let cases: [&[(&str, &str)]; 5] = [
        &[],
        &[("photo", &uri)],
        &[("paper", "#fde68a"), ("title", "Yellow")],
        &[("photo", &uri), ("paper", "#fde68a")],
        &[("title", "Back to none")],
    ];
    for params in cases {
        assert!(
            draw_with(&layered, params) == draw_with(&single, params),
            "{params:?}: layered pixels differ from one pass"
        );
    }
    // The two splits keep their backgrounds apart, and the placeholder's bound color keys
    // the one that holds it.
    let resolved = layered.resolve(&RenderRequest::new("t", &[])).unwrap();
    use ogmill_core::template::{ImageFill, SplitPoint};
    assert_eq!(
        t.split_for(&[ImageFill::Placeholder]),
        Some(SplitPoint::PastPlaceholders)
    );
    assert_eq!(t.split_for(&[ImageFill::Picture]), Some(SplitPoint::First));
    let key = |at| t.background_key(resolved.params(), at).expect("layered");
    let (absent, given) = (key(SplitPoint::PastPlaceholders), key(SplitPoint::First));
    assert!(
        absent.contains("+placeholders") && absent.contains("paper="),
        "{absent:?}"
    );
    assert!(
        !given.contains("+placeholders") && !given.contains("paper="),
        "{given:?}"
    );
}

/// A text slot inside a placeholder is fitted per request, so the placeholder cannot be
/// drawn once: the usual split, still exact.
#[test]
fn a_placeholder_holding_a_text_slot_keeps_the_usual_split() {
    let inner = r#"<text og:text="{{title}}" og:box="20 40 80 30" x="20" y="60" font-family="Inter" font-size="16">Hi</text>"#;
    let source = picture_card(inner);
    let (r, layered, single) = layered_and_single(&source);
    let layering = r.template("t").unwrap().layering();
    assert_eq!(layering, "layered: the static background is drawn once");
    assert!(layered == single);
}

/// product.svg as it was, with gradients on its sample picture: with the placeholder in the
/// background, that background has too many colors for a PNG palette, and every card over it
/// would be encoded whole as RGB (62 KB). PNGs are then drawn over the split before the
/// slot, whose background indexes (21 KB, as before); the pixels are the same either way.
#[test]
fn a_placeholder_too_colorful_for_a_palette_is_drawn_per_request_for_pngs() {
    let source =
        std::fs::read_to_string(repo().join("tests/data/placeholder-gradients.svg")).unwrap();
    let make = |layered| {
        Renderer::new(Options {
            templates: vec![("p".into(), source.clone())],
            layered,
            ..Options::default()
        })
        .unwrap()
    };
    let (layered, single) = (make(true), make(false));
    let resolved = layered.resolve(&RenderRequest::new("p", &[])).unwrap();
    for _ in 0..2 {
        let png = layered.render(&resolved, Inputs::default()).unwrap().bytes;
        assert_eq!(png[25], 3, "an indexed PNG, not {} bytes of RGB", png.len());
        let a = layered.draw(&resolved, Inputs::default()).unwrap();
        let single_resolved = single.resolve(&RenderRequest::new("p", &[])).unwrap();
        let b = single.draw(&single_resolved, Inputs::default()).unwrap();
        assert!(a.data() == b.data(), "layered pixels differ from one pass");
    }
}

/// Start-up draws each template to prove it draws, but keeps no background: an idle
/// process holds only the backgrounds of templates that were asked for (the bundled
/// eighteen's were 57 MB of a 128 MB idle server).
#[test]
fn start_up_keeps_no_background_until_a_card_is_asked_for() {
    let r = renderer(Options {
        templates: vec![("t".into(), picture_card(""))],
        ..Options::default()
    });
    assert_eq!(r.layer_cache_usage().entries, 0);
    draw_with(&r, &[("title", "Asked for")]);
    assert_eq!(r.layer_cache_usage().entries, 1);
}
