//! Templates are validated at start-up: a broken one stops it, naming the file and the reason.

use ogmill_core::{Inputs, Options, Renderer};

use crate::support::RenderReq;

const HEAD: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:og="https://ogmill.dev/template" width="1200" height="630">
<og:param name="title" kind="text" default="Hi"/><og:param name="c" kind="color" default="#fff"/>"##;
const SLOT: &str = r##"<text og:text="{{title}}" og:box="0 0 600 200" font-family="Inter" font-size="40">Hi</text>"##;

fn load(body: &str) -> Result<Renderer, String> {
    load_with(body, Options::default())
}

fn load_with(body: &str, options: Options) -> Result<Renderer, String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("card.svg"), format!("{HEAD}{body}</svg>")).unwrap();
    Renderer::new(Options {
        templates_dir: Some(dir.path().to_owned()),
        ..options
    })
    .map_err(|e| e.to_string())
}

/// A family no loaded font has is drawn with the closest loaded one of its class, weight
/// kept, and said; with strict fonts it is an error naming the file and the family.
#[test]
fn a_missing_family_is_substituted_by_class_and_strict_fonts_refuse_it() {
    let body = r##"<text og:text="{{title}}" og:box="0 0 600 100" font-family="Comic Sans MS" font-weight="700" font-size="40"/>"##;
    let r = load(body).unwrap();
    let t = r.template("card").unwrap();
    let s = t.substituted_fonts();
    assert_eq!(s.len(), 1);
    assert_eq!(
        (s[0].asked.as_str(), s[0].used.as_str()),
        ("Comic Sans MS", "Inter")
    );
    assert_eq!(t.slots[0].families, ["Inter"]);
    assert!(
        t.slots[0].style.contains("font-weight:700"),
        "{}",
        t.slots[0].style
    );
    // A generic family after a missing one is the designer's "anything like it": still said.
    let stack = body.replace("Comic Sans MS", "Anton, sans-serif");
    let r = load(&stack).unwrap();
    assert_eq!(
        r.template("card").unwrap().substituted_fonts()[0].asked,
        "Anton"
    );
    // A face name with a style we do not know is a family of its own: substituted.
    let wide = load(&body.replace("Comic Sans MS", "Inter-Wide")).unwrap();
    assert_eq!(
        wide.template("card").unwrap().substituted_fonts()[0].asked,
        "Inter-Wide"
    );
    // A loaded family written as a tool writes it is no substitution.
    for name in ["inter", "INTER", "Inter-Bold"] {
        let r = load(&body.replace("Comic Sans MS", name)).unwrap();
        assert!(
            r.template("card").unwrap().substituted_fonts().is_empty(),
            "{name}"
        );
    }
    let err = load_with(
        body,
        Options {
            strict_fonts: true,
            ..Options::default()
        },
    )
    .err()
    .expect("strict fonts refuse it");
    assert!(
        err.contains("card.svg") && err.contains("Comic Sans MS"),
        "{err}"
    );
}

#[test]
fn a_valid_template_loads_and_renders() {
    let r = load(&format!(
        r##"<rect width="1200" height="630" fill="#000" og:fill="{{{{c}}}}"/>{SLOT}"##
    ))
    .unwrap();
    let t = r.template("card").unwrap();
    assert_eq!(t.params.len(), 2);
    assert_eq!(t.slots.len(), 1);
}

#[test]
fn broken_templates_fail_with_file_and_reason() {
    let cases = [
        (
            r##"<text og:text="{{title}}" font-family="Inter" font-size="40"/>"##,
            "og:box",
        ),
        (
            r##"<text og:text="{{nope}}" og:box="0 0 10 10" font-family="Inter" font-size="40"/>"##,
            "'nope'",
        ),
        (
            r##"<rect og:transform="{{title}}"/>"##,
            "only color and number params",
        ),
        (r##"<image og:href="{{c}}"/>"##, "cannot be bound"),
        (r##"<!DOCTYPE svg [<!ENTITY x "y">]>"##, "declares entities"),
        (
            r##"<og:param name="title" kind="text"/>"##,
            "declared twice",
        ),
        (
            r##"<og:param name="n" kind="number" default="abc"/>"##,
            "default is invalid",
        ),
        (r##"<og:param name="k" kind="video"/>"##, "kind 'video'"),
        (
            r##"<text og:text="{{title}}" og:box="0 0 10 10" og:max-lines="0" font-family="Inter" font-size="40"/>"##,
            "max-lines",
        ),
        (r##"<rect"##, "card.svg"),
    ];
    for (body, reason) in cases {
        let body = body.replace("{SLOT}", SLOT);
        let err = load(&body)
            .err()
            .unwrap_or_else(|| panic!("loaded: {body}"));
        assert!(err.contains("card.svg"), "no file name in: {err}");
        assert!(err.contains(reason), "'{reason}' not in: {err}");
    }
}

#[test]
fn errors_name_the_line_and_column_of_the_element_at_fault() {
    use ogmill_core::template::{Position, TemplateError, TemplateErrorKind};
    let load_typed = |body: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("card.svg"), format!("{HEAD}{body}</svg>")).unwrap();
        match Renderer::new(Options {
            templates_dir: Some(dir.path().to_owned()),
            ..Options::default()
        }) {
            Err(ogmill_core::Error::Template(e)) => e,
            Err(other) => panic!("not a template error: {other}"),
            Ok(_) => panic!("loaded: {body}"),
        }
    };
    // HEAD is two lines; the body starts on line 2, so the broken slot is on line 5.
    let body = "\n<g>\n  <rect width=\"10\" height=\"10\"/>\n  <g><text og:text=\"{{nope}}\" og:box=\"0 0 10 10\" font-family=\"Inter\" font-size=\"40\"/></g>\n</g>";
    let e: TemplateError = load_typed(body);
    assert_eq!(e.position, Some(Position { line: 5, column: 6 }), "{e}");
    assert!(matches!(e.kind, TemplateErrorKind::Invalid(_)), "{e:?}");
    assert!(e.to_string().contains("card.svg:5:6: "), "{e}");
    let bad_param = load_typed("\n\n<og:param name=\"k\" kind=\"video\"/>");
    assert_eq!(bad_param.position.map(|p| p.line), Some(4), "{bad_param}");
    let xml = load_typed("<rect");
    assert!(matches!(xml.kind, TemplateErrorKind::Xml(_)), "{xml:?}");
    assert!(xml.position.is_some(), "{xml}");
}

#[test]
fn bundled_templates_declare_what_the_issue_asks() {
    let r = Renderer::new(Options::default()).unwrap();
    let names = |t: &str| -> Vec<String> {
        r.template(t)
            .unwrap()
            .params
            .iter()
            .map(|p| p.name.clone())
            .collect()
    };
    for (t, want) in [
        ("default", &["title", "site"][..]),
        ("blog", &["title", "author", "date", "tag"]),
        ("product", &["name", "price", "image", "badge"]),
        ("profile", &["username", "bio", "avatar", "stats"]),
    ] {
        let have = names(t);
        for w in want {
            assert!(have.iter().any(|h| h == w), "{t} lacks {w}: {have:?}");
        }
    }
}

#[test]
fn optional_parts_disappear_when_their_param_is_empty() {
    let r = Renderer::new(Options::default()).unwrap();
    let svg = |params: &[(&str, &str)]| {
        let resolved = r
            .resolve(&ogmill_core::RenderRequest::new("blog", params))
            .unwrap();
        r.fill(&resolved, &[]).unwrap().0
    };
    assert!(
        !svg(&[]).contains("<circle"),
        "the tag dot shows without a tag"
    );
    assert!(svg(&[("tag", "RUST")]).contains("<circle"));
}

#[test]
fn layered_rendering_draws_exactly_the_pixels_of_one_pass() {
    let layered = crate::support::renderer();
    let single = Renderer::new(Options {
        layered: false,
        ..Options::default()
    })
    .unwrap();
    let cases: &[(&str, &[(&str, &str)])] = &[
        ("default", &[("title", "Hello")]),
        ("default", &[("title", "Colors"), ("background", "#ffffff")]),
        ("blog", &[("title", "A title"), ("tag", "RUST")]),
        (
            "blog",
            &[("title", "Another accent"), ("accent", "#ff0066")],
        ),
        ("product", &[("name", "Lamp"), ("badge", "-20%")]),
        // Image slots without a picture: their placeholders are in the background.
        ("episode", &[("title", "Pods"), ("theme", "dark")]),
        ("episode", &[("title", "Paper"), ("paper", "#fef3c7")]),
        ("launch", &[("headline", "Shipped"), ("theme", "dark")]),
        ("docs", &[("title", "Install"), ("section", "Guide")]),
        ("profile", &[("username", "Ada Lovelace")]),
        (
            "square",
            &[("title", "Square and layered"), ("accent", "#22c55e")],
        ),
        ("wide", &[("title", "Two to one"), ("scale", "2")]),
        ("blog", &[("title", "Twice the pixels"), ("scale", "2")]),
    ];
    let mut layered_templates = 0;
    for (template, params) in cases {
        let req = ogmill_core::RenderRequest::new(template, params);
        let resolved = layered.resolve(&req).unwrap();
        layered_templates += usize::from(resolved.template().is_layered());
        // Twice: the second comes from the cached background.
        for _ in 0..2 {
            let a = layered.draw(&resolved, Inputs::default()).unwrap();
            let b = single.draw(&single.resolve(&req).unwrap(), Inputs::default());
            assert!(
                a.data() == b.unwrap().data(),
                "{template} {params:?}: layered pixels differ"
            );
            // Layered PNGs reuse the background's indexed rows, whose palette was made
            // without the card's text: each encoding within the dither's reach (2 * 1 + 1)
            // of the drawn pixels, not byte for byte the same.
            let drawn = image::RgbaImage::from_raw(a.width(), a.height(), a.take()).unwrap();
            for png in [
                layered.render(&resolved, Inputs::default()).unwrap().bytes,
                single.render_req(&req).unwrap().bytes,
            ] {
                let diff =
                    crate::support::max_channel_diff(&crate::support::decode_png(&png), &drawn);
                assert!(
                    diff <= 3,
                    "{template} {params:?}: encoded {diff} levels off"
                );
            }
        }
    }
    assert!(
        layered_templates >= 4,
        "the bundled templates start with static drawing"
    );
}

/// `{{stars|compact}}` writes a number param as people read it, `{{n}}` as validated; a
/// format that does not exist, or one in an attribute, stops start-up saying so.
#[test]
fn number_params_are_written_plain_compact_or_grouped_in_text() {
    let body = r##"<og:param name="stars" kind="number" default="12345"/><og:param name="price" kind="number" default="0"/>
<text og:text="★ {{stars|compact}} · {{price|thousands}} €" og:box="0 0 1000 200" font-family="Inter" font-size="40">x</text>"##;
    let r = load(body).unwrap();
    let req =
        ogmill_core::RenderRequest::new("card", &[("stars", "4500000"), ("price", "1234567")]);
    let resolved = r.resolve(&req).unwrap();
    let t = resolved.template();
    assert_eq!(
        t.slot_text(&t.slots[0], resolved.params()),
        "★ 4.5M · 1,234,567 €"
    );
    let (svg, _) = r.fill(&resolved, &[]).unwrap();
    assert!(svg.contains("4.5M") && svg.contains("1,234,567"), "{svg}");
    let bad = r##"<og:param name="stars" kind="number" default="1"/><text og:text="{{stars|money}}" og:box="0 0 100 100" font-family="Inter" font-size="40">x</text>"##;
    assert!(load(bad)
        .err()
        .unwrap()
        .contains("use compact (12.3k) or thousands"));
    // Without a format, as validated.
    let plain = r##"<og:param name="lesson" kind="number" default="3"/><text og:text="Lesson {{lesson}}" og:box="0 0 600 100" font-family="Inter" font-size="40">x</text>"##;
    let r = load(plain).unwrap();
    for (given, shown) in [
        ("3", "Lesson 3"),
        ("12345", "Lesson 12345"),
        ("1.50", "Lesson 1.5"),
    ] {
        let resolved = r
            .resolve(&ogmill_core::RenderRequest::new(
                "card",
                &[("lesson", given)],
            ))
            .unwrap();
        let t = resolved.template();
        assert_eq!(t.slot_text(&t.slots[0], resolved.params()), shown);
    }
    let color = r##"<og:param name="tint" kind="color" default="#fff"/><text og:text="{{tint}}" og:box="0 0 100 100" font-family="Inter" font-size="40">x</text>"##;
    let err = load(color).err().unwrap();
    assert!(err.contains("not a text or number param"), "{err}");
    let attr = r##"<og:param name="n" kind="number" default="1"/><rect og:width="{{n|compact}}" width="1" height="1"/>"##;
    assert!(load(attr).err().unwrap().contains("belong in og:text"));
}

/// Brand fonts as sites keep them: WOFF2 and WOFF files in a `--fonts` dir are decoded at
/// load and drawn like any other family; a broken one stops start-up naming the file.
#[test]
fn web_fonts_in_a_fonts_dir_load_and_draw() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fonts");
    let card = |family: &str, font_file: Option<&str>| {
        let fonts = tempfile::tempdir().unwrap();
        if let Some(f) = font_file {
            std::fs::copy(data.join(f), fonts.path().join(f)).unwrap();
        } else {
            std::fs::write(fonts.path().join("broken.woff2"), b"wOF2 but not really").unwrap();
        }
        let templates = tempfile::tempdir().unwrap();
        let svg = format!(
            "{HEAD}<text og:text=\"{{{{title}}}}\" og:box=\"0 0 1200 300\" \
             font-family=\"{family}\" font-weight=\"700\" font-size=\"120\">Hi</text></svg>"
        );
        std::fs::write(templates.path().join("card.svg"), svg).unwrap();
        let r = Renderer::new(Options {
            templates_dir: Some(templates.path().to_owned()),
            font_dirs: vec![fonts.path().to_owned()],
            ..Options::default()
        })
        .map_err(|e| e.to_string())?;
        let req = ogmill_core::RenderRequest::new("card", &[("title", "Brand")]);
        let out = r
            .render(&r.resolve(&req).unwrap(), ogmill_core::Inputs::default())
            .unwrap();
        assert!(out.fits[0].missing.is_empty());
        Ok::<_, String>(crate::support::decode_png(&out.bytes))
    };
    let inter = card("Inter", Some("BrandSans-Bold.woff2")).unwrap();
    let woff2 = card("Brand Sans", Some("BrandSans-Bold.woff2")).unwrap();
    let woff = card("Brand Sans", Some("BrandSans-Bold.woff")).unwrap();
    assert_eq!(woff2, woff, "the same font from WOFF and WOFF2");
    let differ = inter
        .pixels()
        .zip(woff2.pixels())
        .filter(|(a, b)| a != b)
        .count();
    assert!(
        differ > 1000,
        "Brand Sans drew like Inter: {differ} pixels differ"
    );
    let broken = card("Inter", None).unwrap_err();
    assert!(broken.contains("broken.woff2"), "{broken}");
}

/// A variable font (Inter's wght axis, as WOFF2): `font-weight` picks the instance, for the
/// drawing and for the fit alike, so a heavy weight still keeps its ink in the box.
#[test]
fn a_variable_fonts_weight_axis_follows_font_weight_in_fit_and_drawing() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fonts");
    let fonts = tempfile::tempdir().unwrap();
    std::fs::copy(
        data.join("BrandVariable.woff2"),
        fonts.path().join("v.woff2"),
    )
    .unwrap();
    let ink = |weight: u32, title: &str| {
        let templates = tempfile::tempdir().unwrap();
        let svg = format!(
            "{HEAD}<rect width=\"1200\" height=\"630\" fill=\"#000\"/>\
             <text og:text=\"{{{{title}}}}\" og:box=\"100 100 700 200\" fill=\"#fff\" \
             font-family=\"Brand Variable\" font-weight=\"{weight}\" font-size=\"120\" \
             og:min-font-size=\"20\">Hi</text></svg>"
        );
        std::fs::write(templates.path().join("card.svg"), svg).unwrap();
        let r = Renderer::new(Options {
            templates_dir: Some(templates.path().to_owned()),
            font_dirs: vec![fonts.path().to_owned()],
            ..Options::default()
        })
        .unwrap();
        let req = ogmill_core::RenderRequest::new("card", &[("title", title)]);
        let out = r
            .render(&r.resolve(&req).unwrap(), ogmill_core::Inputs::default())
            .unwrap();
        let img = crate::support::decode_png(&out.bytes);
        let lit: Vec<(u32, u32)> = img
            .enumerate_pixels()
            .filter(|(_, _, p)| p.0[0] > 60)
            .map(|(x, y, _)| (x, y))
            .collect();
        let right = lit.iter().map(|p| p.0).max().unwrap();
        (lit.len(), right, out.fits[0].font_size)
    };
    let (light, light_right, _) = ink(300, "Hamburg");
    let (heavy, heavy_right, _) = ink(900, "Hamburg");
    assert!(
        heavy as f32 > light as f32 * 1.4,
        "{light} vs {heavy} lit pixels"
    );
    assert!(heavy_right > light_right, "{light_right} vs {heavy_right}");
    // Measured at the weight it is drawn at: the heavy title shrinks to stay in the box.
    let long = "Wide heavy words at weight nine hundred";
    let (_, right, size) = ink(900, long);
    let (_, _, light_size) = ink(300, long);
    assert!(
        right <= 801,
        "ink reaches x={right}, past the box's right edge at 800"
    );
    assert!(size < light_size, "{size} vs {light_size}");
}

/// A `theme` choice picks the defaults `<og:theme>` presets; a request's own value still wins,
/// and the pixels follow.
#[test]
fn a_theme_presets_defaults_and_a_given_value_wins() {
    use ogmill_core::RenderRequest;
    let theme = r##"<og:param name="theme" kind="choice" options="light dark"/>
        <og:theme name="dark" c="#000"/>
        <rect width="1200" height="630" fill="#fff" og:fill="{{c}}"/>"##;
    let r = load(theme).unwrap();
    let value = |params: &[(&str, &str)]| {
        let resolved = r.resolve(&RenderRequest::new("card", params)).unwrap();
        resolved.params().get("c").unwrap().text.clone()
    };
    assert_eq!(value(&[]), "#fff", "the first option is the default");
    assert_eq!(value(&[("theme", "dark")]), "#000");
    assert_eq!(value(&[("theme", "Dark")]), "#000", "case does not matter");
    assert_eq!(value(&[("theme", "dark"), ("c", "red")]), "red");
    let corner = |params: &[(&str, &str)]| {
        let png = r
            .render_req(&RenderRequest::new("card", params))
            .unwrap()
            .bytes;
        crate::support::decode_png(&png).get_pixel(0, 0).0
    };
    assert_eq!(corner(&[("theme", "dark")]), [0, 0, 0, 255]);
    assert_eq!(corner(&[("theme", "light")]), [255, 255, 255, 255]);

    let err = r
        .resolve(&RenderRequest::new("card", &[("theme", "sepia")]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("'sepia' is not one of light, dark"), "{err}");

    for (body, want) in [
        (
            r##"<og:theme name="dark" c="#000"/>"##,
            "needs <og:param name=\"theme\" kind=\"choice\"",
        ),
        (
            r##"<og:param name="theme" kind="choice" options="light dark"/><og:theme name="sepia" c="#000"/>"##,
            "'sepia' is not one of the theme param's options (light, dark)",
        ),
        (
            r##"<og:param name="theme" kind="choice" options="light dark"/><og:theme name="dark" nope="#000"/>"##,
            "sets 'nope', which no <og:param> declares",
        ),
        (
            r##"<og:param name="theme" kind="choice" options="light dark"/><og:theme name="dark" c="blurple"/>"##,
            "is not a color",
        ),
        (
            r##"<og:param name="theme" kind="choice" options="light"/>"##,
            "two or more lower-case words",
        ),
        (
            r##"<og:param name="theme" kind="choice" options="light dark" default="sepia"/>"##,
            "its default is invalid",
        ),
    ] {
        let err = load(body).err().expect("refused");
        assert!(err.contains(want), "{body}: {err}");
    }
}

/// `og:dir` configures a slot; like every such attribute it is not copied into the SVG.
#[test]
fn og_dir_sets_the_direction_and_leaves_no_attribute_behind() {
    let r = crate::support::renderer();
    let source = format!(
        "{HEAD}<text og:text=\"{{{{title}}}}\" og:dir=\"rtl\" og:box=\"0 0 600 200\" font-family=\"Inter\" font-size=\"40\">Hi</text></svg>"
    );
    let req = ogmill_core::RenderRequest::new("card", &[("title", "abc")]);
    let resolved = r.resolve_draft("card", &source, &req).unwrap();
    let (svg, _) = r.fill(&resolved, &[]).unwrap();
    assert!(!svg.contains(" dir=\""), "{svg}");
    assert_eq!(
        resolved.template().slots[0].dir,
        ogmill_core::template::Dir::Rtl
    );
}

/// A file that is not UTF-8 is a broken template like the others: `template <file>: ...`.
#[test]
fn a_template_that_is_not_utf8_says_so_with_its_file() {
    let mut bytes = format!("{HEAD}<text>").into_bytes();
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice(b"</text></svg>");
    let err = crate::support::load_error("card.svg", &bytes);
    assert!(err.starts_with("template "), "{err}");
    assert!(
        err.contains("card.svg") && err.contains("not UTF-8"),
        "{err}"
    );
}
