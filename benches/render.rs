//! `cargo bench --bench render`: Renderer::render per template, its stages, the PNG encoder
//! settings, and the plain pipeline (usvg parse + resvg render + tiny-skia encode_png of the
//! same filled SVG) as the baseline measured in the same run.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use ogmill_core::encode::{encode_png, encode_png_with, Compression};
use ogmill_core::{Inputs, Options, RenderRequest, Renderer};

const SEED_TITLE: &str = "Next.js Dynamic Image Generation: OG Images, Social Cards & More";

fn requests() -> Vec<(&'static str, RenderRequest)> {
    vec![
        (
            "default",
            RenderRequest::new("default", &[("title", SEED_TITLE), ("site", "ogmill.dev")]),
        ),
        (
            "blog",
            RenderRequest::new(
                "blog",
                &[
                    ("title", SEED_TITLE),
                    ("author", "Jane Doe"),
                    ("date", "2026-11-23"),
                ],
            ),
        ),
        (
            "product",
            RenderRequest::new(
                "product",
                &[
                    ("name", "Aurora Wireless Headphones"),
                    ("price", "$249"),
                    ("badge", "NEW"),
                ],
            ),
        ),
        (
            "profile",
            RenderRequest::new(
                "profile",
                &[
                    ("username", "@janedoe"),
                    ("stats", "1.2k followers · 48 posts"),
                ],
            ),
        ),
    ]
}

/// What a miss does with a raw request: resolve, then render.
fn render_request(renderer: &Renderer, req: &RenderRequest) -> ogmill_core::Rendered {
    let resolved = renderer.resolve(req).unwrap();
    renderer.render(&resolved, Inputs::default()).unwrap()
}

fn render(c: &mut Criterion) {
    let renderer = Renderer::new(Options::default()).unwrap();
    let mut g = c.benchmark_group("render");
    for (name, req) in requests() {
        g.bench_function(name, |b| {
            b.iter(|| black_box(render_request(&renderer, black_box(&req))))
        });
    }
    g.finish();
}

fn stages(c: &mut Criterion) {
    let renderer = Renderer::new(Options::default()).unwrap();
    let req = &requests()[1].1;
    let resolved = renderer.resolve(req).unwrap();
    let (svg, _) = renderer.fill(&resolved, &[]).unwrap();
    let pixmap = ogmill_core::raster::rasterize(&svg, renderer.usvg_options(), 1200, 630).unwrap();
    let mut g = c.benchmark_group("blog-stages");
    g.bench_function("resolve", |b| {
        b.iter(|| black_box(renderer.resolve(black_box(req)).unwrap()))
    });
    g.bench_function("fit+fill", |b| {
        b.iter(|| black_box(renderer.fill(&resolved, &[]).unwrap()))
    });
    g.bench_function("rasterize", |b| {
        b.iter(|| {
            black_box(
                ogmill_core::raster::rasterize(&svg, renderer.usvg_options(), 1200, 630).unwrap(),
            )
        })
    });
    g.bench_function("encode", |b| {
        b.iter(|| black_box(encode_png(&pixmap, Compression::default()).unwrap()))
    });
    g.bench_function("encode-palette", |b| {
        b.iter(|| black_box(encode_png_with(&pixmap, Compression::default(), 2).unwrap()))
    });
    // What a miss really costs: the foreground over the cached background, then encode.
    g.bench_function("fit+fill+raster+encode-layered", |b| {
        b.iter(|| black_box(renderer.render(&resolved, Inputs::default()).unwrap()))
    });
    g.finish();

    // The plain pipeline of the same card: what a hand-rolled resvg service would do.
    let mut g = c.benchmark_group("baseline");
    g.bench_function("plain-pipeline/blog", |b| {
        b.iter(|| {
            let tree = usvg::Tree::from_str(&svg, renderer.usvg_options()).unwrap();
            let mut pm = tiny_skia::Pixmap::new(1200, 630).unwrap();
            resvg::render(&tree, tiny_skia::Transform::default(), &mut pm.as_mut());
            black_box(pm.encode_png().unwrap())
        })
    });
    g.finish();
}

fn encoders(c: &mut Criterion) {
    let renderer = Renderer::new(Options::default()).unwrap();
    let mut g = c.benchmark_group("encode");
    for (name, req) in requests() {
        let resolved = renderer.resolve(&req).unwrap();
        // The single-pass drawing of the card: the same pixels as the layered one.
        let (svg, _) = renderer.fill(&resolved, &[]).unwrap();
        let pixmap =
            ogmill_core::raster::rasterize(&svg, renderer.usvg_options(), 1200, 630).unwrap();
        for (label, comp) in [
            ("fast", Compression::Fast),
            ("balanced", Compression::Balanced),
            ("high", Compression::High),
        ] {
            let bytes = encode_png(&pixmap, comp).unwrap().len();
            eprintln!("size {name}/{label}: {bytes} bytes");
            g.bench_function(format!("{name}/{label}"), |b| {
                b.iter(|| black_box(encode_png(&pixmap, comp).unwrap()))
            });
        }
        eprintln!(
            "size {name}/tiny-skia: {} bytes",
            pixmap.encode_png().unwrap().len()
        );
        g.bench_function(format!("{name}/tiny-skia"), |b| {
            b.iter(|| black_box(pixmap.encode_png().unwrap()))
        });
    }
    g.finish();
}

/// A cache hit through the whole router (`oneshot`, no socket): the server's own cost.
fn http_hit(c: &mut Criterion) {
    use tower::ServiceExt;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let renderer = std::sync::Arc::new(Renderer::new(Options::default()).unwrap());
    let state = ogmill_server::AppState::new(renderer, Default::default()).unwrap();
    let router = ogmill_server::app(state);
    let uri = "/api/og/blog?title=Next.js+Dynamic+Image+Generation&author=Jane+Doe";
    let get = || {
        let router = router.clone();
        async move {
            let req = axum::http::Request::get(uri)
                .body(axum::body::Body::empty())
                .unwrap();
            let res = router.oneshot(req).await.unwrap();
            axum::body::to_bytes(res.into_body(), usize::MAX)
                .await
                .unwrap()
        }
    };
    rt.block_on(get()); // the miss that fills the cache
    c.bench_function("http/cache-hit-oneshot", |b| {
        b.iter(|| black_box(rt.block_on(get())))
    });
}

/// Start-up with every bundled font (24 MB): loading them, and the whole `Renderer::new`
/// (fonts, coverage, fingerprint, templates and one validation render per template).
fn startup(c: &mut Criterion) {
    let mut g = c.benchmark_group("startup");
    g.sample_size(10);
    g.bench_function("fonts", |b| {
        b.iter(|| black_box(ogmill_core::fonts::load(true, &[]).unwrap()))
    });
    g.bench_function("renderer", |b| {
        b.iter(|| black_box(Renderer::new(Options::default()).unwrap()))
    });
    g.finish();
}

/// The blog card per script; Latin (one font, left to right) is the baseline.
fn scripts(c: &mut Criterion) {
    let renderer = Renderer::new(Options::default()).unwrap();
    let mut g = c.benchmark_group("scripts");
    for (name, title) in [
        ("latin", SEED_TITLE),
        ("arabic", "دليل Next.js الشامل لصور Open Graph في عام 2026"),
        (
            "japanese",
            "Next.jsで動的なOGP画像を生成する方法：ブログ記事、商品ページ、プロフィール",
        ),
        (
            "thai",
            "การสร้างภาพแบบไดนามิกสำหรับโซเชียลมีเดียโดยไม่ต้องใช้บริการภายนอก",
        ),
        ("emoji", "Family 👨‍👩‍👧‍👦 and friends 👩🏽‍💻 👨🏿‍🚀 🏳️‍🌈"),
    ] {
        let req = RenderRequest::new("blog", &[("title", title), ("author", "Jane Doe")]);
        g.bench_function(name, |b| {
            b.iter(|| black_box(render_request(&renderer, black_box(&req))))
        });
    }
    g.finish();
}

criterion_group!(benches, render, stages, encoders, http_hit, startup, scripts);
criterion_main!(benches);
