//! Images from URLs, against a hostile HTTP server of our own on 127.0.0.1 (reached as
//! `localhost`, the one host allowed to be private), and every address form that must be
//! refused without a connection. Every case is bounded by the fetch timeout.

use std::collections::HashMap;
use std::io::Cursor;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use ogmill_core::template::Fit;
use ogmill_images::{Frame, ImageOptions, ImageProblem, ImageStore};
use ogmill_server::ServerOptions;

use crate::http::{get as http_get, state};
use crate::support::decode_png;

const RED: image::Rgba<u8> = image::Rgba([220, 20, 30, 255]);
const TIMEOUT: Duration = Duration::from_secs(1);
/// A vector logo: left half red, right half blue.
const LOGO: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="5" height="10" fill="#ff0000"/><rect x="5" width="5" height="10" fill="#0000ff"/></svg>"##;

fn encoded(format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(400, 300, RED);
    let mut out = Cursor::new(Vec::new());
    match format {
        image::ImageFormat::Jpeg => image::DynamicImage::ImageRgba8(img)
            .to_rgb8()
            .write_to(&mut out, format)
            .unwrap(),
        image::ImageFormat::Gif => {
            // Two frames: only the first (red) may be drawn.
            let mut enc = image::codecs::gif::GifEncoder::new(&mut out);
            let blue = image::RgbaImage::from_pixel(400, 300, image::Rgba([0, 0, 255, 255]));
            enc.encode_frames([image::Frame::new(img), image::Frame::new(blue)])
                .unwrap();
        }
        _ => img.write_to(&mut out, format).unwrap(),
    }
    out.into_inner()
}

/// A PNG whose header declares 20000x20000 pixels (1.6 GB decoded) and holds almost nothing.
fn bomb() -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = vec![];
    ihdr.extend_from_slice(&20000u32.to_be_bytes());
    ihdr.extend_from_slice(&20000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The hostile origin: counts hits per path.
#[derive(Clone, Default)]
pub(crate) struct Origin {
    hits: Arc<Mutex<HashMap<String, usize>>>,
    port: Arc<AtomicUsize>,
}

impl Origin {
    fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

pub(crate) async fn serve_origin() -> (Origin, SocketAddr) {
    let origin = Origin::default();
    let app = Router::new()
        .route("/{*path}", get(respond))
        .with_state(origin.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    origin.port.store(addr.port() as usize, Ordering::SeqCst);
    tokio::spawn(async move { axum::serve(listener, app).await });
    (origin, addr)
}

async fn respond(State(o): State<Origin>, Path(path): Path<String>) -> Response {
    *o.hits.lock().unwrap().entry(path.clone()).or_default() += 1;
    let png =
        |bytes: Vec<u8>, ct: &'static str| ([(header::CONTENT_TYPE, ct)], bytes).into_response();
    let port = o.port.load(Ordering::SeqCst);
    match path.as_str() {
        "good.png" | "counted.png" => png(encoded(image::ImageFormat::Png), "image/png"),
        "good.jpg" => png(encoded(image::ImageFormat::Jpeg), "image/jpeg"),
        "good.webp" => png(encoded(image::ImageFormat::WebP), "image/webp"),
        "good.gif" => png(encoded(image::ImageFormat::Gif), "image/gif"),
        // Lies about its type: the bytes decide.
        "lying.gif" => png(encoded(image::ImageFormat::Png), "image/gif"),
        "nostore.png" => (
            [(header::CACHE_CONTROL, "no-store")],
            encoded(image::ImageFormat::Png),
        )
            .into_response(),
        "bomb.png" => png(bomb(), "image/png"),
        "page.html" => png(b"<!doctype html><title>hi</title>".to_vec(), "image/png"),
        "logo.svg" => png(LOGO.as_bytes().to_vec(), "image/svg+xml"),
        "image.svg" => png(
            b"<svg xmlns='http://www.w3.org/2000/svg'><image href='file:///etc/passwd'/></svg>"
                .to_vec(),
            "image/svg+xml",
        ),
        "truncated.png" => png(
            encoded(image::ImageFormat::Png)[..100].to_vec(),
            "image/png",
        ),
        "slow.png" => {
            let drip = futures_util::stream::unfold(0u8, |n| async move {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Some((Ok::<_, std::io::Error>(vec![n]), n.wrapping_add(1)))
            });
            Response::new(Body::from_stream(drip))
        }
        "endless.png" => {
            let chunk = vec![0u8; 64 * 1024];
            let flood =
                futures_util::stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone()));
            Response::new(Body::from_stream(flood))
        }
        "to-loopback" => redirect(&format!("http://127.0.0.1:{port}/good.png")),
        "to-file" => redirect("file:///etc/passwd"),
        p if p.starts_with("hop/") => {
            let n: usize = p[4..].parse().unwrap_or(0);
            if n == 0 {
                png(encoded(image::ImageFormat::Png), "image/png")
            } else {
                redirect(&format!("/hop/{}", n - 1))
            }
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_owned())]).into_response()
}

fn options() -> ImageOptions {
    ImageOptions {
        private_hosts: vec!["localhost".into()],
        connect_timeout: TIMEOUT,
        timeout: TIMEOUT,
        max_bytes: 1024 * 1024,
        min_ttl: Duration::ZERO,
        ..ImageOptions::default()
    }
}

const FRAME: Frame = Frame {
    width: 100,
    height: 100,
    fit: Fit::Cover,
};

#[tokio::test]
async fn every_format_is_drawn_from_its_bytes_first_frame_only() {
    let (_o, addr) = serve_origin().await;
    let store = ImageStore::new(options()).unwrap();
    for name in ["good.png", "good.jpg", "good.webp", "good.gif", "lying.gif"] {
        let url = format!("http://localhost:{}/{name}", addr.port());
        let p = store
            .load(&url, FRAME)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            (p.width, p.height),
            (100, 100),
            "{name}: cropped and downscaled"
        );
        let px = *decode_png(&p.png).get_pixel(50, 50);
        let close = px.0.iter().zip(RED.0).all(|(a, b)| a.abs_diff(b) <= 8);
        assert!(close, "{name}: {px:?} is not red");
    }
}

#[tokio::test]
async fn hostile_responses_become_problems_within_the_timeout() {
    let (_o, addr) = serve_origin().await;
    let store = ImageStore::new(options()).unwrap();
    type Expect = fn(&ImageProblem) -> bool;
    let cases: &[(&str, Expect)] = &[
        ("slow.png", |p| *p == ImageProblem::Timeout),
        ("endless.png", |p| matches!(p, ImageProblem::TooLarge(_))),
        ("bomb.png", |p| {
            matches!(p, ImageProblem::TooManyPixels { width: 20000, .. })
        }),
        ("page.html", |p| p.to_string().contains("HTML")),
        ("image.svg", |p| p.to_string().contains("SVG")),
        ("truncated.png", |p| matches!(p, ImageProblem::Corrupt(_))),
        ("missing.png", |p| *p == ImageProblem::Status(404)),
        ("hop/4", |p| p.to_string().contains("more than 3 redirects")),
        ("to-loopback", |p| {
            p.to_string().contains("127.0.0.1 is not a public address")
        }),
        ("to-file", |p| p.to_string().contains("only http and https")),
    ];
    for (path, expected) in cases {
        let url = format!("http://localhost:{}/{path}", addr.port());
        let started = Instant::now();
        let problem = store.load(&url, FRAME).await.expect_err(path);
        assert!(expected(&problem), "{path}: {problem:?}");
        assert!(
            started.elapsed() < TIMEOUT * 3,
            "{path} took {:?}",
            started.elapsed()
        );
    }
    let url = format!("http://localhost:{}/hop/3", addr.port());
    store
        .load(&url, FRAME)
        .await
        .expect("three redirects are followed");
}

#[tokio::test]
async fn every_non_public_address_form_is_refused_without_connecting() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let p = listener.local_addr().unwrap().port();
    let store = ImageStore::new(ImageOptions {
        timeout: TIMEOUT,
        connect_timeout: TIMEOUT,
        ..ImageOptions::default()
    })
    .unwrap();
    let urls = [
        format!("http://127.0.0.1:{p}/a.png"),
        format!("http://2130706433:{p}/a.png"),
        format!("http://0x7f000001:{p}/a.png"),
        format!("http://127.1:{p}/a.png"),
        format!("http://0177.0.0.1:{p}/a.png"),
        format!("http://[::ffff:127.0.0.1]:{p}/a.png"),
        format!("http://[::ffff:7f00:1]:{p}/a.png"),
        format!("http://[64:ff9b::7f00:1]:{p}/a.png"),
        format!("http://[::1]:{p}/a.png"),
        format!("http://0.0.0.0:{p}/a.png"),
        format!("http://localhost:{p}/a.png"),
        format!("http://good.example@127.0.0.1:{p}/a.png"),
        "http://169.254.169.254/latest/meta-data/".into(),
        "http://[fd00:ec2::254]/latest/meta-data/".into(),
        "http://10.0.0.1/a.png".into(),
        "http://172.16.5.4/a.png".into(),
        "http://192.168.0.1/a.png".into(),
        "http://100.64.0.1/a.png".into(),
        "http://198.18.0.1/a.png".into(),
        "http://224.0.0.1/a.png".into(),
        "http://255.255.255.255/a.png".into(),
        "http://[fe80::1]/a.png".into(),
        "http://[ff02::1]/a.png".into(),
    ];
    for url in &urls {
        let problem = store.load(url, FRAME).await.expect_err(url);
        assert!(
            matches!(problem, ImageProblem::Blocked(_)),
            "{url}: {problem:?}"
        );
    }
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("something connected: {other:?}"),
    }
}

#[tokio::test]
async fn the_allow_list_matches_the_parsed_host_exactly() {
    let (_o, addr) = serve_origin().await;
    let store = ImageStore::new(ImageOptions {
        allow_hosts: vec!["localhost".into()],
        ..options()
    })
    .unwrap();
    let ok = format!("http://localhost:{}/good.png", addr.port());
    store.load(&ok, FRAME).await.unwrap();
    for url in [
        format!("http://localhost@evil.example:{}/good.png", addr.port()),
        "http://localhost.evil.example/good.png".to_owned(),
        format!("http://127.0.0.1:{}/good.png", addr.port()),
    ] {
        let problem = store.load(&url, FRAME).await.expect_err(&url);
        assert!(
            problem.to_string().contains("allowed hosts"),
            "{url}: {problem}"
        );
    }
}

#[tokio::test]
async fn concurrent_loads_fetch_once_and_no_store_is_fetched_again() {
    let (origin, addr) = serve_origin().await;
    let store = ImageStore::new(options()).unwrap();
    let url = format!("http://localhost:{}/counted.png", addr.port());
    let loads = (0..20).map(|_| store.load(&url, FRAME));
    for r in futures_util::future::join_all(loads).await {
        r.unwrap();
    }
    store.load(&url, FRAME).await.unwrap();
    assert_eq!(origin.hits("counted.png"), 1, "coalesced, then cached");
    let url = format!("http://localhost:{}/nostore.png", addr.port());
    store.load(&url, FRAME).await.unwrap();
    store.load(&url, FRAME).await.unwrap();
    assert_eq!(origin.hits("nostore.png"), 2, "no-store is not kept");
}

fn server_options() -> ServerOptions {
    ServerOptions {
        images: options(),
        ..ServerOptions::default()
    }
}

#[tokio::test]
async fn a_product_card_draws_the_photo_and_is_cached_like_any_card() {
    let (_o, addr) = serve_origin().await;
    let s = state(server_options());
    let uri = format!(
        "/api/og/product?name=Lamp&price=%2449&image=http%3A%2F%2Flocalhost%3A{}%2Fgood.jpg",
        addr.port()
    );
    let r = http_get(&s, &uri).await;
    let img = r.png();
    assert_eq!(r.header("x-ogmill-image-error"), "");
    assert!(!r.header("etag").is_empty());
    let px = img.get_pixel(315, 315).0;
    assert!(
        px[0] > 180 && px[1] < 60 && px[2] < 70,
        "the photo is drawn: {px:?}"
    );
    assert_eq!(http_get(&s, &uri).await.header("x-ogmill-cache"), "hit");
}

#[tokio::test]
async fn an_avatar_that_cannot_be_had_degrades_to_initials_with_a_short_lifetime() {
    let (_o, addr) = serve_origin().await;
    let s = state(server_options());
    let uri = format!(
        "/api/og/profile?username=Ada+Lovelace&avatar=http://localhost:{}/page.html",
        addr.port()
    );
    let r = http_get(&s, &uri).await;
    let img = r.png();
    assert!(
        r.header("x-ogmill-image-error")
            .starts_with("avatar: not an image"),
        "{:?}",
        r.headers
    );
    assert_eq!(r.header("cache-control"), "public, max-age=300");
    assert_eq!(
        r.header("etag"),
        "",
        "a placeholder card must not be revalidated as the real one"
    );
    let placeholder_gray = image::Rgba([0x52, 0x52, 0x5b, 255]);
    assert_ne!(
        *img.get_pixel(150, 250),
        placeholder_gray,
        "initials, not the silhouette"
    );
    let again = http_get(&s, &uri).await;
    assert_eq!(
        again.header("x-ogmill-cache"),
        "miss",
        "degraded cards are not cached"
    );
    assert!(s
        .metrics_text()
        .contains("ogmill_image_problems_total{reason=\"not_an_image\"} 2"));
    // A missing asset, and a reference that is no image reference at all.
    let r = http_get(&s, "/api/og/product?name=x&price=1&image=nope.png").await;
    r.png();
    assert!(r
        .header("x-ogmill-image-error")
        .contains("no asset named 'nope.png'"));
    for bad in ["file:///etc/passwd", "..%2Fetc%2Fpasswd", "ftp://x/y.png"] {
        let r = http_get(&s, &format!("/api/og/product?name=x&image={bad}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

/// A logo from the assets directory is drawn as vector: at `scale=3` its edge is as sharp
/// as at 1x (a raster scaled up would smear it over several pixels). An SVG that could run or
/// load anything, or any SVG from a request, is refused and the placeholder drawn.
#[tokio::test]
async fn svg_logos_from_assets_are_drawn_as_vector_and_nothing_else_is() {
    let assets = tempfile::tempdir().unwrap();
    // Left half red, right half blue, in a 10x10 viewBox: the edge falls mid-box.
    let logo = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="5" height="10" fill="#ff0000"/><rect x="5" width="5" height="10" fill="#0000ff"/></svg>"##;
    std::fs::write(assets.path().join("logo.svg"), logo).unwrap();
    let evil = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><image href="https://evil.example/x.png" width="10" height="10"/></svg>"##;
    std::fs::write(assets.path().join("evil.svg"), evil).unwrap();
    let s = state(ServerOptions {
        images: ImageOptions {
            assets_dir: assets.path().to_owned(),
            ..options()
        },
        ..ServerOptions::default()
    });
    // The product photo box is 60,60 510x510 (cover): the logo fills it, its edge at x=315.
    let r = http_get(&s, "/api/og/product?name=Logo&image=logo.svg&scale=3").await;
    assert_eq!(r.header("x-ogmill-image-error"), "");
    let img = crate::support::decode_png(&r.body);
    assert_eq!(img.dimensions(), (3600, 1890));
    let row = 315 * 3;
    let mixed = (row - 12..row + 12)
        .filter(|&x| {
            let p = img.get_pixel(x, 900).0;
            p[0] > 20 && p[2] > 20 // neither pure red nor pure blue: a blurred pixel
        })
        .count();
    assert!(mixed <= 1, "{mixed} smeared pixels at the logo's edge");
    assert!(img.get_pixel(row - 30, 900).0[0] > 240 && img.get_pixel(row + 30, 900).0[2] > 240);
    let refused = http_get(&s, "/api/og/product?name=Logo&image=evil.svg").await;
    assert!(
        refused.header("x-ogmill-image-error").contains("image"),
        "{}",
        refused.header("x-ogmill-image-error")
    );
    let data = format!(
        "/api/og/product?name=Logo&image=data%3Aimage%2Fsvg%2Bxml%3Bbase64%2C{}",
        base64_encode(logo)
    );
    let from_request = http_get(&s, &data).await;
    assert!(
        !from_request.header("x-ogmill-image-error").is_empty(),
        "an SVG from a request is refused"
    );
}

fn base64_encode(s: &str) -> String {
    use base64::Engine;
    let b = base64::engine::general_purpose::STANDARD.encode(s);
    b.replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

/// `--allow-remote-svg`: an SVG logo from a URL or a data URI is drawn as vector, after
/// stricter checks than an asset's; without the flag it stays refused.
#[tokio::test]
async fn remote_svg_is_drawn_only_when_allowed_and_only_when_inert() {
    let (_o, addr) = serve_origin().await;
    let url = format!("http://localhost:{}/logo.svg", addr.port());
    let data = |svg: &str| {
        use base64::Engine;
        let b = base64::engine::general_purpose::STANDARD.encode(svg);
        format!("data:image/svg+xml;base64,{b}")
    };
    let closed = ImageStore::new(options()).unwrap();
    let problem = closed
        .load(&url, FRAME)
        .await
        .expect_err("refused by default");
    assert!(problem.to_string().contains("SVG"), "{problem}");

    let open = ImageStore::new(ImageOptions {
        allow_remote_svg: true,
        ..options()
    })
    .unwrap();
    for reference in [url.clone(), data(LOGO)] {
        let p = open.load(&reference, FRAME).await.unwrap();
        assert!(p.svg.is_some(), "{reference}: drawn as vector");
    }
    let svg = |body: &str| {
        format!(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">{body}</svg>"#)
    };
    let uses = svg(&format!(
        r#"<rect id="r" width="1" height="1"/>{}"#,
        r##"<use href="#r"/>"##.repeat(9)
    ));
    let big = svg(&"<rect width=\"1\" height=\"1\"/>".repeat(2_001));
    // The probe's render bombs: fine dashes on 200 circles (~100 s of drawing), and a
    // 250-shape marker at each of 2,000 points (~500k shapes); each a few KiB.
    let dashes = svg(
        &r##"<circle cx="5" cy="5" r="4" fill="none" stroke="#000" stroke-width="0.1" stroke-dasharray="0.001 0.001"/>"##
            .repeat(200),
    );
    let points: String = (0..2000)
        .map(|i| format!("{} {} ", i % 10, i / 200))
        .collect();
    let markers = svg(&format!(
        r##"<marker id="m" markerWidth="1" markerHeight="1">{}</marker><polyline points="{points}" marker-mid="url(#m)" stroke="#000" fill="none"/>"##,
        r#"<rect width="0.1" height="0.1"/>"#.repeat(250)
    ));
    let cases = [
        (svg(r#"<image href="https://evil.example/x.png"/>"#), "<image>"),
        (svg(r#"<style>@import "https://evil.example/a.css";</style>"#), "style sheet"),
        (svg(r#"<style>rect { fill: url(https://evil.example/p.svg#g) }</style>"#), "style sheet"),
        (svg(r#"<rect fill="url(https://evil.example/p.svg#g)" width="1" height="1"/>"#), "only links"),
        (svg(r#"<rect onclick="alert(1)" width="1" height="1"/>"#), "onclick"),
        (svg(r#"<script>alert(1)</script>"#), "<script>"),
        (uses, "9 <use> elements"),
        (big, "2002 elements"),
        (dashes, "drawing work"),
        (markers, "drawing work"),
        (svg(r#"<rect fill="URL(https://evil.example/p.svg#g)" width="1" height="1"/>"#), "only links"),
        (
            format!(r#"<?xml-stylesheet href="https://evil.example/a.css"?>{}"#, svg("")),
            "xml-stylesheet",
        ),
        ("<!DOCTYPE svg [<!ENTITY a \"aaaa\">]><svg xmlns=\"http://www.w3.org/2000/svg\">&a;</svg>".into(), ""),
    ];
    for (body, want) in cases {
        let head: String = body.chars().take(120).collect();
        let problem = open.load(&data(&body), FRAME).await.expect_err(&head);
        assert!(problem.to_string().contains(want), "{head}: {problem}");
    }
}
