//! PNG encoding: the costliest stage, so its settings are chosen by measurement
//! (see `benches/render.rs`, group `encode`).
//!
//! The last stage, with what it uses alone: the palette for indexed PNGs ([`palette`]), the
//! background's bands that let a card reuse its compressed rows, zlib streams, and PDF.

pub(crate) mod bands;
pub mod palette;
#[cfg(feature = "pdf")]
pub mod pdf;
pub(crate) mod zlib;

use crate::error::{Error, Result};

/// How hard the PNG encoder compresses.
///
/// Measured on the blog card (1200x630 RGB, `cargo bench --bench render -- encode`):
/// fast 3.0 ms / 126 KB, balanced 22 ms / 86 KB, high 58 ms / 84 KB, tiny-skia's own
/// `encode_png` 25 ms / 92 KB. A miss pays the encoder on every render, so the default is `Fast`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// fdeflate with adaptive filters: about 7x faster than `Balanced`, files about 45% larger.
    #[default]
    Fast,
    /// zlib level 6 with adaptive filters: smaller, for build-time rendering.
    Balanced,
    /// Maximum zlib effort: slowest, a little smaller again.
    High,
}

impl std::str::FromStr for Compression {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fast" => Ok(Compression::Fast),
            "balanced" => Ok(Compression::Balanced),
            "high" => Ok(Compression::High),
            other => Err(format!(
                "'{other}' is not a compression: fast, balanced or high"
            )),
        }
    }
}

/// Encodes a pixmap as `output` asks: PNG with `compression` and palette `tolerance`,
/// lossless WebP, or JPEG at its quality.
pub fn encode(
    pixmap: &tiny_skia::Pixmap,
    output: &crate::request::output::Output,
    compression: Compression,
    tolerance: u8,
) -> Result<Vec<u8>> {
    use crate::request::output::{Format, DEFAULT_JPEG_QUALITY};
    match output.format {
        Format::Png => encode_png_with(pixmap, compression, tolerance),
        Format::Webp => encode_webp(pixmap, output.quality, compression, tolerance),
        Format::Jpeg => encode_jpeg(pixmap, output.quality.unwrap_or(DEFAULT_JPEG_QUALITY)),
        Format::Pdf => Err(Error::Internal(
            "a PDF is written from the SVG, not pixels".into(),
        )),
    }
}

/// WebP by libwebp: lossless unless `quality` is given. Lossless encodes the pixels the PNG
/// would hold (the same palette rounding within `tolerance`), so both decode alike, and
/// libwebp's colour-indexing makes the most of them. `compression` picks libwebp's effort.
///
/// Measured on the blog card (palette pixels; 50 KB as a fast PNG in 3.4 ms): method 1 29 KB
/// in 19 ms, method 2 22 KB in 29 ms; lossy q80 25 KB in 18 ms. image-webp (pure Rust) wrote
/// 61 KB in 3 ms: larger than the PNG, so it is only the fallback where C cannot build.
pub fn encode_webp(
    pixmap: &tiny_skia::Pixmap,
    quality: Option<u8>,
    compression: Compression,
    tolerance: u8,
) -> Result<Vec<u8>> {
    let indexed = match quality {
        None => crate::encode::palette::quantize(pixmap.data(), pixmap.width() as usize, tolerance),
        Some(_) => None,
    };
    let lossless = Lossless::choices(compression, indexed.is_some())[0];
    webp_from(pixmap, indexed, quality, lossless)
}

/// libwebp's lossless settings: its method (0-6) and effort ("quality", 0-100).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Lossless {
    method: i32,
    effort: f32,
}

impl Lossless {
    const M0: Lossless = Lossless {
        method: 0,
        effort: 25.0,
    };
    const M1: Lossless = Lossless {
        method: 1,
        effort: 0.0,
    };

    /// The settings worth trying for `compression` on palette pixels (`indexed`) or
    /// full-color ones, the one to take without trying first.
    ///
    /// Measured over the 18 bundled cards (examples/webp_effort.rs, one core, against the fast
    /// PNG). Palette pixels: method 0 wrote 1.5-5.1x the PNG on the flat cards (its backward
    /// references barely search), method 1 at effort 0 0.51-0.80x in less time; but on a card
    /// that is one dithered gradient (profile) method 1 wrote 0.92x in 40x the PNG's time
    /// where method 0 wrote 0.60x in 7x. So `Fast` on palette pixels has two: a cached
    /// background tries both on its first card and keeps the smaller. Full-color pixels:
    /// method 0 0.6-1.1x in ~5x the PNG's time, method 1 0.43x in 30x.
    pub(crate) fn choices(compression: Compression, indexed: bool) -> &'static [Lossless] {
        match (compression, indexed) {
            (Compression::Fast, true) => &[Lossless::M1, Lossless::M0],
            (Compression::Fast, false) => &[Lossless::M0],
            (Compression::Balanced, _) => &[Lossless {
                method: 2,
                effort: 25.0,
            }],
            (Compression::High, _) => &[Lossless {
                method: 4,
                effort: 25.0,
            }],
        }
    }
}

/// WebP of `pixmap`, or of its `indexed` pixels (palette RGB triples, one entry per pixel)
/// when given and lossless; `lossless` is libwebp's effort then.
pub(crate) fn webp_from(
    pixmap: &tiny_skia::Pixmap,
    indexed: Option<(Vec<u8>, Vec<u8>)>,
    quality: Option<u8>,
    lossless: Lossless,
) -> Result<Vec<u8>> {
    let (w, h) = (pixmap.width(), pixmap.height());
    let opaque = pixmap.data().chunks_exact(4).all(|p| p[3] == 255);
    let pixels = match indexed {
        Some((palette, indices)) if quality.is_none() => indices
            .iter()
            .flat_map(|&i| {
                let i = usize::from(i) * 3;
                [palette[i], palette[i + 1], palette[i + 2]]
            })
            .collect(),
        _ if opaque => rgb_over_white(pixmap),
        _ => straight_rgba(pixmap),
    };
    webp_encode(&pixels, opaque, w, h, quality, lossless)
}

/// libwebp (the `webp-native` feature, C): lossless with its colour indexing, or lossy.
#[cfg(feature = "webp-native")]
fn webp_encode(
    pixels: &[u8],
    opaque: bool,
    w: u32,
    h: u32,
    quality: Option<u8>,
    lossless: Lossless,
) -> Result<Vec<u8>> {
    let encoder = if opaque {
        webp::Encoder::from_rgb(pixels, w, h)
    } else {
        webp::Encoder::from_rgba(pixels, w, h)
    };
    let mut config = webp::WebPConfig::new().map_err(|_| encode_error("webp", "no config"))?;
    config.method = lossless.method;
    match quality {
        None => {
            config.lossless = 1;
            config.quality = lossless.effort;
        }
        Some(q) => {
            config.lossless = 0;
            config.quality = f32::from(q.clamp(1, 100));
            config.method = config.method.max(2);
        }
    }
    let out = encoder
        .encode_advanced(&config)
        .map_err(|e| encode_error("webp", format!("{e:?}")))?;
    Ok(out.to_vec())
}

/// Without `webp-native` (builds with no C compiler: wasm32): image-webp's pure-Rust
/// encoder, which is lossless only, so `quality` gives a lossless image too. Larger than
/// libwebp's (61 KB against 30 KB on the blog card), but it builds anywhere.
#[cfg(not(feature = "webp-native"))]
fn webp_encode(
    pixels: &[u8],
    opaque: bool,
    w: u32,
    h: u32,
    _quality: Option<u8>,
    _lossless: Lossless,
) -> Result<Vec<u8>> {
    use image::ImageEncoder;
    let mut out = Vec::new();
    let color = if opaque {
        image::ExtendedColorType::Rgb8
    } else {
        image::ExtendedColorType::Rgba8
    };
    image::codecs::webp::WebPEncoder::new_lossless(&mut out)
        .write_image(pixels, w, h, color)
        .map_err(|e| encode_error("webp", e))?;
    Ok(out)
}

/// JPEG at `quality` (1-100) by jpeg-encoder, transparent pixels composited over white (JPEG
/// has no alpha). Chosen by measurement: 4x faster than image's encoder and a fifth smaller.
pub fn encode_jpeg(pixmap: &tiny_skia::Pixmap, quality: u8) -> Result<Vec<u8>> {
    let (w, h) = (pixmap.width(), pixmap.height());
    let side = |v: u32| {
        u16::try_from(v).map_err(|_| encode_error("jpeg", format!("{v} px is over 65535")))
    };
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, quality.clamp(1, 100))
        .encode(
            &rgb_over_white(pixmap),
            side(w)?,
            side(h)?,
            jpeg_encoder::ColorType::Rgb,
        )
        .map_err(|e| encode_error("jpeg", e))?;
    Ok(out)
}

/// RGB with every pixel over white: premultiplied `c·a` plus `255·(1-a)`.
fn rgb_over_white(pixmap: &tiny_skia::Pixmap) -> Vec<u8> {
    pixmap
        .data()
        .chunks_exact(4)
        .flat_map(|p| {
            let back = 255 - p[3];
            [p[0] + back, p[1] + back, p[2] + back]
        })
        .collect()
}

fn straight_rgba(pixmap: &tiny_skia::Pixmap) -> Vec<u8> {
    pixmap
        .pixels()
        .iter()
        .flat_map(|p| {
            let c = p.demultiply();
            [c.red(), c.green(), c.blue(), c.alpha()]
        })
        .collect()
}

/// Encodes a premultiplied RGBA pixmap as PNG: RGB when every pixel is opaque, RGBA otherwise.
pub fn encode_png(pixmap: &tiny_skia::Pixmap, compression: Compression) -> Result<Vec<u8>> {
    encode_png_with(pixmap, compression, 0)
}

/// Like [`encode_png`], but an opaque image whose colors fit a palette of 256 within
/// `tolerance` per channel is written as an indexed PNG: a third of the bytes to compress,
/// and much smaller files. Cards are flat colors, gradients and anti-aliased text, so they
/// nearly always fit; photos do not, and stay RGB. With tolerance 0 only images of at most
/// 256 exact colors are indexed (lossless).
pub fn encode_png_with(
    pixmap: &tiny_skia::Pixmap,
    compression: Compression,
    tolerance: u8,
) -> Result<Vec<u8>> {
    let data = pixmap.data();
    // Quantizing checks opacity as it goes: a transparent card costs one early exit.
    let (w, h) = (pixmap.width(), pixmap.height());
    if let Some((palette, indices)) = crate::encode::palette::quantize(data, w as usize, tolerance)
    {
        let lines = scanlines(&indices, w as usize);
        let piece = crate::encode::zlib::Piece::deflate(&lines, palette_level(compression));
        return write_indexed(w, h, &palette, &crate::encode::zlib::stream([&piece]));
    }
    let opaque = data.chunks_exact(4).all(|p| p[3] == 255);
    let (color, bytes) = if opaque {
        let rgb: Vec<u8> = data
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        (png::ColorType::Rgb, rgb)
    } else {
        (png::ColorType::Rgba, straight_rgba(pixmap))
    };
    write(pixmap, compression, color, &bytes)
}

/// The zlib level for palette indices. fdeflate's fast mode is tuned for filtered RGB and
/// does badly on indices (the blog card: 484 KB); zlib (zlib-rs) level 2 wrote the blog
/// card's changed rows at 61 KB for the card in 1.5 ms, level 1 at 77 KB in 0.8 ms, level
/// 3 at 57 KB in 2.1 ms.
pub(crate) fn palette_level(compression: Compression) -> u32 {
    match compression {
        Compression::Fast => 2,
        Compression::Balanced => 6,
        Compression::High => 9,
    }
}

/// An indexed PNG of `palette` (RGB triples) whose image data is the zlib stream `zlib`
/// of unfiltered scanlines, compressed by the caller (whole, or in cached bands).
pub(crate) fn write_indexed(w: u32, h: u32, palette: &[u8], zlib: &[u8]) -> Result<Vec<u8>> {
    let png_error = |e: png::EncodingError| encode_error("png", e);
    let mut out = Vec::with_capacity(zlib.len() + palette.len() + 64);
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_palette(palette.to_vec());
    let mut writer = encoder.write_header().map_err(png_error)?;
    writer
        .write_chunk(png::chunk::IDAT, zlib)
        .map_err(png_error)?;
    writer.finish().map_err(png_error)?;
    Ok(out)
}

fn write(
    pixmap: &tiny_skia::Pixmap,
    compression: Compression,
    color: png::ColorType,
    bytes: &[u8],
) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len() / 8);
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(match compression {
        Compression::Fast => png::Compression::Fast,
        Compression::Balanced => png::Compression::Balanced,
        Compression::High => png::Compression::High,
    });
    let mut writer = encoder.write_header().map_err(|e| encode_error("png", e))?;
    writer
        .write_image_data(bytes)
        .map_err(|e| encode_error("png", e))?;
    writer.finish().map_err(|e| encode_error("png", e))?;
    // Caches account a card by its length; a buffer twice that size would make their byte
    // caps lie (seen: a 256 MiB cache holding over 500 MB).
    out.shrink_to_fit();
    Ok(out)
}

/// PNG scanlines of whole rows of `indices`: each row behind a filter byte of 0 (none:
/// indices are labels, so predicting them from their neighbours only hurts).
pub fn scanlines(indices: &[u8], width: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(indices.len() + indices.len() / width.max(1));
    for row in indices.chunks(width.max(1)) {
        out.push(0);
        out.extend_from_slice(row);
    }
    out
}

fn encode_error(format: &'static str, reason: impl std::fmt::Display) -> Error {
    Error::Encode {
        format,
        reason: reason.to_string(),
    }
}
