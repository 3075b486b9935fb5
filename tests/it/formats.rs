//! Formats and sizes: WebP (lossless and lossy), JPEG, PDF and PNG through the core, HTTP, the CLI and `ogmill build`,
//! each decoded by an independent decoder (the `image` crate; `lopdf` for PDF); templates at their own size;
//! `scale` for sharp screens; bad choices refused with a message.

use axum::http::StatusCode;
use ogmill_core::request::output::Format;
use ogmill_core::{Inputs, Options, RenderRequest, Renderer};
use ogmill_server::ServerOptions;

use crate::cli::{ogmill, succeed};
use crate::http::{get, post_json, state};
use crate::support::{decode_png, renderer, RenderReq};

fn decode(bytes: &[u8], format: image::ImageFormat) -> image::RgbaImage {
    image::load_from_memory_with_format(bytes, format)
        .expect("decodes")
        .to_rgba8()
}

#[test]
fn webp_holds_the_pngs_pixels_in_fewer_bytes_and_quality_makes_it_lossy() {
    let r = renderer();
    let blog = [
        ("title", "Formats: WebP next to PNG"),
        ("author", "Jane Doe"),
    ];
    let png = r.render_req(&RenderRequest::new("blog", &blog)).unwrap();
    let mut with = blog.to_vec();
    with.push(("format", "webp"));
    let webp = r.render_req(&RenderRequest::new("blog", &with)).unwrap();
    assert_eq!(webp.format, Format::Webp);
    assert!(webp.bytes.starts_with(b"RIFF"), "a WebP file");
    let (a, b) = (
        decode(&webp.bytes, image::ImageFormat::WebP),
        decode_png(&png.bytes),
    );
    assert_eq!(a.dimensions(), (1200, 630));
    assert!(a == b, "lossless: the very pixels of the PNG");
    assert!(
        webp.bytes.len() * 10 < png.bytes.len() * 7,
        "webp {} bytes vs png {} bytes",
        webp.bytes.len(),
        png.bytes.len()
    );
    with.push(("quality", "60"));
    let lossy = r.render_req(&RenderRequest::new("blog", &with)).unwrap();
    let c = decode(&lossy.bytes, image::ImageFormat::WebP);
    assert!(c != b, "lossy differs from the pixels");
    assert!(
        lossy.bytes.len() < webp.bytes.len(),
        "and is smaller at quality 60"
    );
}

#[test]
fn jpeg_follows_quality_and_stays_close_to_the_pixels() {
    let r = renderer();
    let params = |q: &'static str| {
        vec![
            ("name", "Desk Lamp"),
            ("price", "$49"),
            ("format", "jpeg"),
            ("quality", q),
        ]
    };
    let low = r
        .render_req(&RenderRequest::new("product", &params("40")))
        .unwrap();
    let high = r
        .render_req(&RenderRequest::new("product", &params("95")))
        .unwrap();
    assert!(low.bytes.starts_with(&[0xff, 0xd8, 0xff]), "a JPEG file");
    assert!(
        low.bytes.len() < high.bytes.len(),
        "quality changes the size"
    );
    let png = r
        .render_req(&RenderRequest::new("product", &params("95")[..2]))
        .unwrap();
    let (j, p) = (
        decode(&high.bytes, image::ImageFormat::Jpeg),
        decode_png(&png.bytes),
    );
    assert_eq!(j.dimensions(), (1200, 630));
    let diff: u64 = j
        .pixels()
        .zip(p.pixels())
        .map(|(a, b)| (0..3).map(|c| u64::from(a[c].abs_diff(b[c]))).sum::<u64>())
        .sum();
    let mean = diff as f64 / (1200.0 * 630.0 * 3.0);
    assert!(mean < 3.0, "mean channel difference {mean:.2}");
}

#[test]
fn scale_multiplies_the_size_and_draws_the_same_card_sharper() {
    let r = renderer();
    let card = |scale: &'static str| {
        let req = RenderRequest::new("blog", &[("title", "Sharp on retina"), ("scale", scale)]);
        decode_png(&r.render_req(&req).unwrap().bytes)
    };
    let (one, two) = (card("1"), card("2"));
    assert_eq!(two.dimensions(), (2400, 1260));
    // Downscaled 2x, it is the 1x card but for anti-aliasing.
    let small = image::imageops::resize(&two, 1200, 630, image::imageops::FilterType::Triangle);
    let off = small
        .pixels()
        .zip(one.pixels())
        .filter(|(a, b)| (0..3).any(|c| a[c].abs_diff(b[c]) > 48))
        .count();
    assert!(
        off < 1200 * 630 / 100,
        "{off} pixels differ by more than 48"
    );
    assert_eq!(card("3").dimensions(), (3600, 1890));
}

/// A square template renders square: a circle stays a circle (it used to be stretched
/// into 1200x630).
#[test]
fn a_template_renders_at_its_own_size() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("square.svg"),
        r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:og="https://ogmill.dev/template" width="1080" height="1080" viewBox="0 0 1080 1080">
<og:param name="title" default="Square"/>
<rect width="1080" height="1080" fill="#fff"/><circle cx="540" cy="540" r="300" fill="#000"/>
<text og:text="{{title}}" og:box="90 900 900 120" font-family="Inter" font-size="60" fill="#f00">Square</text>
</svg>"##,
    )
    .unwrap();
    let r = Renderer::new(Options {
        templates_dir: Some(dir.path().to_owned()),
        ..Options::default()
    })
    .unwrap();
    let resolved = r.resolve(&RenderRequest::new("square", &[])).unwrap();
    assert_eq!(resolved.size(), (1080, 1080));
    let img = decode_png(&r.render(&resolved, Inputs::default()).unwrap().bytes);
    assert_eq!(img.dimensions(), (1080, 1080));
    let black = |x: u32, y: u32| img.get_pixel(x, y)[0] < 20;
    let row: Vec<u32> = (0..1080).filter(|&x| black(x, 540)).collect();
    let col: Vec<u32> = (0..1080).filter(|&y| black(540, y)).collect();
    let (w, h) = (row.len() as i64, col.len() as i64);
    assert!(
        (w - 600).abs() <= 2 && (h - 600).abs() <= 2,
        "circle {w}x{h}"
    );
    let describe = r.template("square").unwrap().describe();
    assert_eq!(
        (describe["width"].as_f64(), describe["height"].as_f64()),
        (Some(1080.0), Some(1080.0))
    );
}

#[test]
fn bad_choices_are_refused_with_the_param_and_the_reason() {
    let r = renderer();
    for (params, says) in [
        (vec![("format", "gif")], "png, webp, jpeg or pdf"),
        (
            vec![("format", "pdf"), ("quality", "80")],
            "pdf is lossless",
        ),
        (vec![("quality", "0")], "1 to 100"),
        (vec![("quality", "80")], "applies to jpeg and webp"),
        (vec![("scale", "4")], "1, 2 or 3"),
        (vec![("scale", "2"), ("scale", "3")], "more than once"),
    ] {
        let err = r.resolve(&RenderRequest::new("blog", &params)).unwrap_err();
        assert!(err.is_client_error(), "{err}");
        assert!(err.to_string().contains(says), "{params:?}: {err}");
    }
}

#[tokio::test]
async fn http_chooses_the_format_by_suffix_or_param_and_keys_the_cache_by_it() {
    let s = state(ServerOptions::default());
    let png = get(&s, "/api/og/blog?title=Hi").await;
    let webp = get(&s, "/api/og/blog.webp?title=Hi").await;
    let jpeg = get(&s, "/api/og/blog?title=Hi&format=jpeg&quality=80").await;
    let jpg = get(&s, "/api/og/blog.jpg?title=Hi").await;
    let big = get(&s, "/api/og/blog.png?title=Hi&scale=2").await;
    for (reply, ct) in [
        (&png, "image/png"),
        (&webp, "image/webp"),
        (&jpeg, "image/jpeg"),
        (&jpg, "image/jpeg"),
        (&big, "image/png"),
    ] {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        assert_eq!(reply.header("content-type"), ct);
    }
    let etags: std::collections::HashSet<&str> = [&png, &webp, &jpeg, &jpg, &big]
        .iter()
        .map(|r| r.header("etag"))
        .collect();
    assert_eq!(etags.len(), 5, "format, quality and scale are in the key");
    assert_eq!(
        decode(&webp.body, image::ImageFormat::WebP).dimensions(),
        (1200, 630)
    );
    assert_eq!(decode_png(&big.body).dimensions(), (2400, 1260));
    let again = get(&s, "/api/og/blog.webp?title=Hi").await;
    assert_eq!(again.header("x-ogmill-cache"), "hit");
    assert_eq!(again.header("content-type"), "image/webp");
    assert_eq!(again.body, webp.body);
    let both = get(&s, "/api/og/blog.webp?title=Hi&format=png").await;
    assert_eq!(both.status, StatusCode::BAD_REQUEST, "{}", both.text());
    let bad = get(&s, "/api/og/blog?title=Hi&format=bmp").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("'format'"), "{}", bad.text());
    let huge = get(&s, "/api/og/blog?scale=9").await;
    assert_eq!(huge.status, StatusCode::BAD_REQUEST);
    let v1 = post_json(&s, "/v1/blog?format=webp", r#"{"title": "Hi"}"#, &[]).await;
    assert_eq!(v1.status, StatusCode::OK, "{}", v1.text());
    assert_eq!(v1.header("content-type"), "image/webp");
    assert_eq!(v1.body, webp.body, "the same card as the GET route");
}

/// `ogmill render ARGS -o DIR/FILE`, which must succeed; returns what it wrote.
fn cli_render(dir: &std::path::Path, args: &[&str], file: &str) -> Vec<u8> {
    let path = dir.join(file);
    succeed(ogmill().arg("render").args(args).arg("-o").arg(&path));
    std::fs::read(&path).unwrap()
}

/// `ogmill build` of a CSV manifest into DIR/og: the process's output and the site folder.
fn build_site(dir: &std::path::Path, csv: &str) -> (std::process::Output, std::path::PathBuf) {
    let manifest = dir.join("cards.csv");
    std::fs::write(&manifest, csv).unwrap();
    let site = dir.join("og");
    let st = ogmill()
        .arg("build")
        .arg(&manifest)
        .arg("--out")
        .arg(&site)
        .output()
        .unwrap();
    (st, site)
}

#[test]
fn the_cli_and_build_pick_the_format_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let render = |args: &[&str], file: &str| cli_render(dir.path(), args, file);
    let webp = render(&["blog", "-p", "title=CLI"], "card.webp");
    assert_eq!(
        decode(&webp, image::ImageFormat::WebP).dimensions(),
        (1200, 630)
    );
    let jpeg = render(&["blog", "--format", "jpeg", "--scale", "2"], "x.png");
    assert_eq!(
        decode(&jpeg, image::ImageFormat::Jpeg).dimensions(),
        (2400, 1260),
        "--format wins over the extension"
    );

    let (st, site) = build_site(
        dir.path(),
        "template,output,title,format\nblog,a.jpg,A,\nblog,b.webp,B,\nblog,c.png,C,\nblog,d.png,D,jpeg\n",
    );
    let stderr = String::from_utf8_lossy(&st.stderr);
    assert!(!st.status.success(), "d.png asks for jpeg: {stderr}");
    assert!(
        stderr.contains("does not match the output's extension"),
        "{stderr}"
    );
    let read = |f: &str| std::fs::read(site.join(f)).unwrap();
    assert_eq!(
        decode(&read("a.jpg"), image::ImageFormat::Jpeg).dimensions(),
        (1200, 630)
    );
    assert_eq!(
        decode(&read("b.webp"), image::ImageFormat::WebP).dimensions(),
        (1200, 630)
    );
    assert_eq!(decode_png(&read("c.png")).dimensions(), (1200, 630));
}

/// What a PDF holds, read back by lopdf: the page size in points, the text its pages
/// extract, and whether every font is embedded.
struct PdfInfo {
    page: Vec<f32>,
    text: String,
    fonts: usize,
    embedded: usize,
}

fn read_pdf(bytes: &[u8]) -> PdfInfo {
    let doc = lopdf::Document::load_mem(bytes).expect("a PDF lopdf reads");
    let pages = doc.get_pages();
    assert_eq!(pages.len(), 1, "one page");
    let page_id = pages[&1];
    let page = doc.get_dictionary(page_id).unwrap();
    let page_box = page
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_float().unwrap())
        .collect();
    // lopdf writes each positioned glyph apart (word spaces are positions, not characters,
    // in svg2pdf's text), so the text is compared without whitespace.
    let text = doc
        .extract_text(&[1])
        .unwrap_or_default()
        .replace(char::is_whitespace, "");
    let (mut fonts, mut embedded) = (0, 0);
    for (_, object) in doc.objects.iter() {
        let Ok(dict) = object.as_dict() else { continue };
        if dict.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor".as_slice()) {
            fonts += 1;
            let has = |k: &[u8]| dict.get(k).is_ok();
            embedded += (has(b"FontFile") || has(b"FontFile2") || has(b"FontFile3")) as usize;
        }
    }
    PdfInfo {
        page: page_box,
        text,
        fonts,
        embedded,
    }
}

/// A PDF is the card as vector: a page of the template's size in points, the title as text a
/// reader can select (its words in the page's text, not in pixels), every font embedded,
/// and much smaller than the same card's pixels would be at print size.
#[test]
fn pdf_is_a_page_of_the_templates_size_with_its_text_as_text() {
    let r = renderer();
    let title = "Vector cards for print and slides";
    let pdf = r
        .render_req(&RenderRequest::new(
            "blog",
            &[
                ("title", title),
                ("author", "Ada Lovelace"),
                ("format", "pdf"),
            ],
        ))
        .unwrap();
    assert_eq!(pdf.format, Format::Pdf);
    assert!(pdf.bytes.starts_with(b"%PDF-"), "a PDF file");
    let info = read_pdf(&pdf.bytes);
    assert_eq!(info.page, [0.0, 0.0, 1200.0, 630.0]);
    let squeeze = |s: &str| s.replace(char::is_whitespace, "");
    assert!(info.text.contains(&squeeze(title)), "{:?}", info.text);
    assert!(info.text.contains("AdaLovelace"), "{:?}", info.text);
    assert!(
        info.fonts >= 2,
        "Inter Bold and SemiBold at least: {}",
        info.fonts
    );
    assert_eq!(info.embedded, info.fonts, "every font embedded");

    // The square template is a square page, and scale does not change a PDF.
    let square = r
        .render_req(&RenderRequest::new(
            "square",
            &[("format", "pdf"), ("scale", "2")],
        ))
        .unwrap();
    assert_eq!(read_pdf(&square.bytes).page, [0.0, 0.0, 1080.0, 1080.0]);
    // Other scripts come through as text too.
    let ja = r
        .render_req(&RenderRequest::new(
            "blog",
            &[("title", "骨太の方針"), ("lang", "ja"), ("format", "pdf")],
        ))
        .unwrap();
    let ja_text = read_pdf(&ja.bytes).text;
    assert!(ja_text.contains("骨太の方針"), "{ja_text:?}");
}

#[tokio::test]
async fn pdf_through_http_cli_and_build() {
    let s = state(ServerOptions::default());
    let by_suffix = get(&s, "/api/og/blog.pdf?title=Hi").await;
    let by_param = get(&s, "/api/og/blog?title=Hi&format=pdf").await;
    let png = get(&s, "/api/og/blog?title=Hi").await;
    for reply in [&by_suffix, &by_param] {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        assert_eq!(reply.header("content-type"), "application/pdf");
        assert!(reply.body.starts_with(b"%PDF-"));
    }
    assert_ne!(by_suffix.header("etag"), png.header("etag"));
    let lossy = get(&s, "/api/og/blog.pdf?title=Hi&quality=80").await;
    assert_eq!(lossy.status, StatusCode::BAD_REQUEST, "{}", lossy.text());

    let dir = tempfile::tempdir().unwrap();
    let pdf = cli_render(
        dir.path(),
        &["docs", "-p", "title=From the CLI"],
        "card.pdf",
    );
    let info = read_pdf(&pdf);
    assert!(info.text.contains("FromtheCLI"), "{:?}", info.text);
    let (st, site) = build_site(dir.path(), "template,output,title\nblog,a.pdf,A PDF card\n");
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let info = read_pdf(&std::fs::read(site.join("a.pdf")).unwrap());
    assert!(info.text.contains("APDFcard"), "{:?}", info.text);
}

/// A 48x48 card of full-colour noise, one rect per pixel: nothing for any encoder to find, so
/// lossless WebP's container and codes come out a little larger than the PNG's (with libwebp
/// and fdeflate as Cargo.lock pins them; the test says so if that ever changes). Real cards
/// are 0.5-0.8x as WebP.
fn noise_card() -> String {
    use std::fmt::Write;
    let mut svg = String::from(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48" shape-rendering="crispEdges">"#,
    );
    let mut seed = 12345u64;
    for i in 0..48 * 48 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let _ = write!(
            svg,
            r##"<rect x="{}" y="{}" width="1" height="1" fill="#{:06x}"/>"##,
            i % 48,
            i / 48,
            seed & 0xff_ffff
        );
    }
    svg + "</svg>"
}

/// A server never sends a WebP larger than the PNG of the same pixels: the noise card comes
/// as that PNG, said in `X-Ogmill-Format`, on a miss and on a hit; the bundled cards, smaller
/// as WebP, stay WebP. A renderer for files (no `webp_never_larger`) writes the WebP asked for.
#[tokio::test]
async fn a_webp_larger_than_the_png_is_sent_as_the_png() {
    let options = || Options {
        templates: ["blog", "minimal", "pricing"]
            .iter()
            .map(|n| {
                let path = format!("{}/svg-templates/{n}.svg", env!("CARGO_MANIFEST_DIR"));
                (n.to_string(), std::fs::read_to_string(path).unwrap())
            })
            .chain([("noise".into(), noise_card())])
            .collect(),
        ..Options::default()
    };
    let for_files = Renderer::new(options()).unwrap();
    let req = for_files
        .resolve(&RenderRequest::new("noise", &[("format", "webp")]))
        .unwrap();
    let written = for_files.render(&req, Inputs::default()).unwrap();
    assert_eq!(written.format, Format::Webp);
    let server = std::sync::Arc::new(
        Renderer::new(Options {
            webp_never_larger: true,
            ..options()
        })
        .unwrap(),
    );
    let s = ogmill_server::AppState::new(server, ServerOptions::default()).unwrap();
    let png = get(&s, "/api/og/noise.png").await;
    assert!(
        png.body.len() < written.bytes.len(),
        "the case is real: PNG {} bytes, WebP {}",
        png.body.len(),
        written.bytes.len()
    );
    for cache in ["miss", "hit"] {
        let noise = get(&s, "/api/og/noise.webp").await;
        assert_eq!(noise.status, StatusCode::OK, "{}", noise.text());
        assert_eq!(noise.header("x-ogmill-cache"), cache);
        assert_eq!(noise.header("content-type"), "image/png");
        assert_eq!(
            noise.header("x-ogmill-format"),
            "image/png; the webp would be larger"
        );
        assert_eq!(noise.body, png.body, "the PNG of the same pixels");
    }
    for name in ["blog", "minimal", "pricing"] {
        let webp = get(&s, &format!("/api/og/{name}.webp?title=Hi")).await;
        assert_eq!(webp.header("content-type"), "image/webp", "{name}");
        assert_eq!(webp.header("x-ogmill-format"), "", "{name}");
        let png = get(&s, &format!("/api/og/{name}.png?title=Hi")).await;
        assert!(webp.body.len() <= png.body.len(), "{name}");
    }
}

/// Lossless WebP at the default effort is smaller than the PNG of every bundled card (it was
/// up to 5x larger at libwebp's method 0), so a server sends WebP where it is asked for.
#[test]
fn lossless_webp_is_smaller_than_the_png_of_every_bundled_card() {
    let r = renderer();
    for t in r.templates() {
        let name = &t.name;
        let bytes = |format: &str| {
            let req = r
                .resolve(&RenderRequest::new(name, &[("format", format)]))
                .unwrap();
            r.render(&req, Inputs::default()).unwrap().bytes.len()
        };
        let (webp, png) = (bytes("webp"), bytes("png"));
        assert!(
            webp * 100 <= png * 85,
            "{name}: WebP {webp} bytes against PNG {png}"
        );
    }
}

/// Every bundled card's PNG is indexed (about half the bytes of RGB). A background whose
/// colors do not fit a palette would have every card over it encoded whole, as RGB: product
/// once its sample picture joined the background (62 KB instead of 21 KB), until the
/// renderer learned to keep such a placeholder per request.
#[test]
fn every_bundled_card_is_an_indexed_png() {
    let r = renderer();
    for t in r.templates() {
        let resolved = r.resolve(&RenderRequest::new(&t.name, &[])).unwrap();
        // Twice: the second over the cached background.
        for _ in 0..2 {
            let png = r.render(&resolved, Inputs::default()).unwrap().bytes;
            let reader = png::Decoder::new(std::io::Cursor::new(&png))
                .read_info()
                .unwrap();
            assert_eq!(
                reader.info().color_type,
                png::ColorType::Indexed,
                "{}: {} bytes",
                t.name,
                png.len()
            );
        }
    }
}
