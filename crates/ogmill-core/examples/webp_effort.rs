//! Lossless WebP bytes and encode time against the fast PNG, per bundled card and libwebp
//! setting: how `encode::encode_webp` picked its method and effort per `Compression`.
//!
//!   cargo run --release -p ogmill-core --example webp_effort -- 0:25 1:0 2:25
//!
//! Each argument is `method:quality` (libwebp's lossless method 0-6 and effort 0-100). Prints
//! each card's pixels (palette or full-color RGB), PNG bytes and time, then per setting its
//! bytes and time as ratios to the PNG's.
//! Run it on one core (`taskset -c 1`); medians of 5.

use std::time::Instant;

use ogmill_core::encode::{encode_png_with, Compression};
use ogmill_core::{Inputs, Options, RenderRequest, Renderer};

fn median_ms(mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[2]
}

fn webp(rgb: &[u8], w: u32, h: u32, method: i32, quality: f32) -> Vec<u8> {
    let mut config = webp::WebPConfig::new().expect("a config");
    config.lossless = 1;
    config.method = method;
    config.quality = quality;
    let encoder = webp::Encoder::from_rgb(rgb, w, h);
    encoder.encode_advanced(&config).expect("encodes").to_vec()
}

fn main() {
    let settings: Vec<(i32, f32)> = std::env::args()
        .skip(1)
        .map(|a| {
            let (m, q) = a.split_once(':').expect("method:quality");
            (m.parse().expect("a method"), q.parse().expect("a quality"))
        })
        .collect();
    let r = Renderer::new(Options::default()).expect("the bundled templates load");
    let mut names: Vec<&str> = r.templates().map(|t| t.name.as_str()).collect();
    names.sort();
    for name in names {
        let resolved = r.resolve(&RenderRequest::new(name, &[])).expect("defaults");
        let pixmap = r.draw(&resolved, Inputs::default()).expect("draws");
        let (w, h) = (pixmap.width(), pixmap.height());
        let png = encode_png_with(&pixmap, Compression::Fast, 1)
            .expect("png")
            .len();
        let png_ms = median_ms(|| {
            encode_png_with(&pixmap, Compression::Fast, 1).expect("png");
        });
        // The pixels the PNG holds (palette rounding and dither), as the server encodes them.
        let indexed = ogmill_core::encode::palette::quantize(pixmap.data(), w as usize, 1);
        let kind = match &indexed {
            Some((palette, _)) => format!("{} colors", palette.len() / 3),
            None => "rgb".to_owned(),
        };
        let rgb: Vec<u8> = match indexed {
            Some((palette, indices)) => indices
                .iter()
                .flat_map(|&i| {
                    let i = usize::from(i) * 3;
                    [palette[i], palette[i + 1], palette[i + 2]]
                })
                .collect(),
            None => pixmap
                .data()
                .chunks_exact(4)
                .flat_map(|p| [p[0], p[1], p[2]])
                .collect(),
        };
        let mut line = format!("{name:11} {kind:10} png {png:6} B {png_ms:5.1} ms |");
        for &(method, quality) in &settings {
            let bytes = webp(&rgb, w, h, method, quality).len();
            let ms = median_ms(|| {
                webp(&rgb, w, h, method, quality);
            });
            line += &format!(
                " m{method}q{quality}: {:.2}x bytes {:.1}x time |",
                bytes as f64 / png as f64,
                ms / png_ms
            );
        }
        println!("{line}");
    }
}
