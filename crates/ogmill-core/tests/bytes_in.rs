//! The core as an embedder without a file system uses it (a worker, a Python build): fonts
//! and templates handed in as bytes, no directory, no bundled fonts, and a clock of its own.

use std::time::Duration;

use ogmill_core::fonts::FontData;
use ogmill_core::{Inputs, Options, RenderRequest, Renderer, Stages};

const CARD: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:og="https://ogmill.dev/template" width="600" height="300">
  <metadata><og:param name="title" kind="text" default="Hello"/></metadata>
  <rect width="600" height="300" fill="#0f172a"/>
  <text og:text="{{title}}" og:box="40 40 520 220" x="40" y="120" font-family="Inter" font-size="64" fill="#ffffff">Hello</text>
</svg>"##;

fn inter() -> FontData {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fonts/Inter-Bold.otf");
    FontData::new(std::fs::read(path).unwrap())
}

/// A renderer with Inter alone and one template given as a string.
fn inter_only(name: &str, source: &str) -> Renderer {
    Renderer::new(Options {
        bundled_fonts: false,
        fonts: vec![inter()],
        templates: vec![(name.into(), source.into())],
        ..Options::default()
    })
    .unwrap()
}

#[test]
fn fonts_and_templates_as_bytes_render_with_nothing_else_loaded() {
    let r = inter_only("card", CARD);
    // Only the template given: the bundled ones are not loaded beside it.
    assert_eq!(
        r.templates().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["card"]
    );
    let resolved = r
        .resolve(&RenderRequest::new(
            "card",
            &[("title", "Bytes in, card out")],
        ))
        .unwrap();
    let out = r.render(&resolved, Inputs::default()).unwrap();
    assert_eq!((out.width, out.height), (600, 300));
    assert!(out.bytes.starts_with(b"\x89PNG"));
    assert!(
        out.fits.iter().all(|f| f.missing.is_empty()),
        "{:?}",
        out.fits
    );
    // The title drew: white ink on the dark card.
    let pixmap = r.draw(&resolved, Inputs::default()).unwrap();
    let white = pixmap.pixels().iter().filter(|p| p.red() > 200).count();
    assert!(white > 1000, "{white} white pixels");
}

#[test]
fn not_a_font_and_a_bad_template_name_are_errors_that_say_so() {
    let err = Renderer::new(Options {
        bundled_fonts: false,
        fonts: vec![inter(), FontData::new(b"not a font".to_vec())],
        templates: vec![("card".into(), CARD.into())],
        ..Options::default()
    })
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("font 2 of the fonts given as bytes"), "{err}");
    let err = Renderer::new(Options {
        fonts: vec![inter()],
        templates: vec![("../card".into(), CARD.into())],
        ..Options::default()
    })
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("ASCII letters"), "{err}");
}

#[test]
fn stage_timings_come_from_the_callers_clock_or_are_left_out() {
    fn fixed_steps() -> Duration {
        use std::sync::atomic::{AtomicU64, Ordering};
        static T: AtomicU64 = AtomicU64::new(0);
        Duration::from_micros(T.fetch_add(1000, Ordering::Relaxed))
    }
    let card = |clock| {
        Renderer::new(Options {
            bundled_fonts: false,
            fonts: vec![inter()],
            templates: vec![("card".into(), CARD.into())],
            clock,
            ..Options::default()
        })
        .unwrap()
    };
    for (clock, timed) in [(Some(fixed_steps as fn() -> Duration), true), (None, false)] {
        let r = card(clock);
        let resolved = r.resolve(&RenderRequest::new("card", &[])).unwrap();
        let mut stages = Stages::default();
        let inputs = Inputs {
            stages: Some(&mut stages),
            ..Inputs::default()
        };
        r.render(&resolved, inputs).unwrap();
        let total = stages.fit + stages.fill + stages.raster + stages.encode;
        assert_eq!(total > Duration::ZERO, timed, "{stages:?}");
    }
}

/// A root `background-color` (resvg fills the canvas with it) must not be painted again over
/// the cached background: layered equals one pass, and the static artwork shows.
#[test]
fn a_root_background_color_draws_the_same_layered_as_in_one_pass() {
    let card = CARD.replace(
        r#"width="600" height="300">"#,
        r#"width="600" height="300" style="background-color:#ffffff">"#,
    );
    let draw = |layered| {
        let r = Renderer::new(Options {
            bundled_fonts: false,
            fonts: vec![inter()],
            templates: vec![("card".into(), card.clone())],
            layered,
            ..Options::default()
        })
        .unwrap();
        let resolved = r
            .resolve(&RenderRequest::new("card", &[("title", "Layers")]))
            .unwrap();
        // Twice: the second over a cached background, if there is one.
        r.draw(&resolved, Inputs::default()).unwrap();
        r.draw(&resolved, Inputs::default())
            .unwrap()
            .data()
            .to_vec()
    };
    let (layered, single) = (draw(true), draw(false));
    assert!(layered == single, "layered pixels differ from one pass");
    // The dark rect is there (not hidden under the white painted again).
    assert!(single
        .chunks(4)
        .any(|p| p[0] < 40 && p[2] > 30 && p[2] < 60));
}

/// Renderers can share one font database: the second neither loads nor parses fonts, and
/// draws the same card.
#[test]
fn renderers_share_a_font_database() {
    let first = inter_only("card", CARD);
    let second = Renderer::new(Options {
        fontdb: Some(first.fontdb().clone()),
        templates: vec![("card".into(), CARD.into())],
        ..Options::default()
    })
    .unwrap();
    assert!(std::sync::Arc::ptr_eq(first.fontdb(), second.fontdb()));
    let req = RenderRequest::new("card", &[("title", "Shared")]);
    let draw = |r: &Renderer| {
        r.render(&r.resolve(&req).unwrap(), Inputs::default())
            .unwrap()
            .bytes
    };
    assert_eq!(draw(&first), draw(&second));
    let empty = Renderer::new(Options {
        fontdb: Some(std::sync::Arc::new(fontdb::Database::new())),
        ..Options::default()
    })
    .err()
    .unwrap()
    .to_string();
    assert!(empty.contains("empty"), "{empty}");
}

/// Two image slots: the caller's source is asked only for the slots that have a value, at
/// the frame each is drawn at, and what it gives comes back in slot order.
const TWO_PICTURES: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:og="https://ogmill.dev/template" width="600" height="300">
  <metadata>
    <og:param name="logo" kind="image" default=""/>
    <og:param name="photo" kind="image" default=""/>
  </metadata>
  <rect width="600" height="300" fill="#0f172a"/>
  <g og:image="logo" og:box="20 20 100 50" og:fit="contain"><rect x="20" y="20" width="100" height="50" fill="#334155"/></g>
  <g og:image="photo" og:box="300 0 300 300" og:fit="cover"><rect x="300" width="300" height="300" fill="#475569"/></g>
</svg>"##;

#[test]
fn an_image_source_is_asked_for_each_picture_given_and_its_answers_land_in_slot_order() {
    use ogmill_core::images::{Frame, ImageProblem, ImageSource, LocalImages, Prepared};
    use std::sync::Mutex;

    struct Recorder(Mutex<Vec<(String, Frame)>>);
    impl ImageSource for Recorder {
        fn load(&self, reference: &str, frame: Frame) -> Result<Prepared, ImageProblem> {
            self.0.lock().unwrap().push((reference.into(), frame));
            match reference {
                "good" => LocalImages::default().load(PIXEL, frame),
                _ => Err(ImageProblem::NoAsset(reference.into())),
            }
        }
    }
    // A 1x1 red PNG as a data URI.
    const PIXEL: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

    let r = inter_only("two", TWO_PICTURES);
    let source = Recorder(Mutex::new(vec![]));
    let resolved = |params: &[(&str, &str)]| r.resolve(&RenderRequest::new("two", params)).unwrap();

    // Only the photo is given: the logo slot is never asked for and stays empty.
    let (images, problems) = resolved(&[("photo", "good")]).load_images(&source);
    assert!(problems.is_empty(), "{problems:?}");
    assert!(images[0].is_none() && images[1].is_some(), "{images:?}");
    let asked = std::mem::take(&mut *source.0.lock().unwrap());
    assert_eq!(asked.len(), 1);
    assert_eq!((asked[0].1.width, asked[0].1.height), (300, 300));

    // Both given, the logo cannot be had: it is named, the photo still lands second.
    let (images, problems) = resolved(&[("logo", "gone"), ("photo", "good")]).load_images(&source);
    assert_eq!(
        problems,
        [("logo".to_string(), ImageProblem::NoAsset("gone".into()))]
    );
    assert!(images[0].is_none() && images[1].is_some(), "{images:?}");
    let asked = source.0.lock().unwrap();
    assert_eq!(
        asked.iter().map(|(r, _)| r.as_str()).collect::<Vec<_>>(),
        ["gone", "good"]
    );
    assert_eq!((asked[0].1.width, asked[0].1.height), (100, 50));

    // In-process, a URL is refused with advice, not fetched.
    let (_, problems) = resolved(&[("photo", "https://example.com/a.png")]).local_images(None);
    assert!(
        problems[0].1.to_string().contains("data URI"),
        "{problems:?}"
    );
}

/// A design's fractional size with the same floor (an import of a 9.7 px text) is drawn at
/// 9.7 px: sizes below the design's are whole pixels, but the floor never rounds above it.
#[test]
fn a_fractional_design_size_with_the_same_floor_is_drawn_at_that_size() {
    let card = r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:og="https://ogmill.dev/template" width="600" height="300">
  <metadata><og:param name="label" kind="text" default="Signatures of bride and groom"/></metadata>
  <text og:text="{{label}}" og:box="10 10 400 30" og:min-font-size="9.7" x="10" y="30" font-family="Inter" font-size="9.7">x</text>
</svg>"##;
    let r = inter_only("card", card);
    let resolved = r.resolve(&RenderRequest::new("card", &[])).unwrap();
    let (_, fits) = r.place(&resolved).unwrap();
    assert_eq!(fits[0].font_size, 9.7, "{fits:?}");
    assert!(!fits[0].truncated, "{fits:?}");
}
