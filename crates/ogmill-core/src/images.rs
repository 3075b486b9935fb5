//! Images in cards: a product photo or an avatar from a URL, a local asset or a data URI.
//!
//! A reference (an image param's value) becomes a [`Source`]; its bytes are had by the caller
//! (the server crate fetches URLs with its hardened fetcher and reads the assets directory;
//! a data URI's bytes are decoded here), then [`prepare`] sniffs them by magic bytes, checks
//! their size before decoding, decodes the first frame, crops and downscales it to the slot's
//! frame, and re-encodes it as a PNG ogmill made itself: resvg never sees a URL, a path, or
//! bytes from outside. Anything that goes wrong is an [`ImageProblem`], and the card is drawn
//! with the slot's placeholder instead.

use std::io::Cursor;
use std::sync::Arc;

use base64::Engine;

/// An image ready to draw: a PNG of at most the frame's size, encoded by ogmill.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The PNG bytes resvg decodes (empty for a vector image).
    pub png: Arc<Vec<u8>>,
    /// A logo or icon kept as vector: the SVG source of a local asset, checked by
    /// [`prepare_svg`]; drawn as a nested usvg tree, sharp at any size.
    pub svg: Option<Arc<String>>,
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
}

/// The size, in output pixels, an image is drawn at, and how it fills it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Frame {
    /// Width in output pixels.
    pub width: u32,
    /// Height in output pixels.
    pub height: u32,
    /// How the image fills the frame.
    pub fit: Fit,
}

/// How an image fills its box.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fit {
    /// Scaled to cover the box, centered, the overflow cropped; never stretched.
    Cover,
    /// Scaled to fit inside the box, centered.
    Contain,
}

/// Where a card's pictures come from. The core fetches nothing: the caller hands in a
/// source, as resvg's caller hands in its image resolver. The server's store (cache, single
/// flight, a hardened fetcher) is one; [`LocalImages`] (data URIs and an assets folder) is
/// the one an in-process embedder uses. [`Resolved::load_images`](crate::Resolved::load_images)
/// asks it for every image slot of a request.
pub trait ImageSource {
    /// The picture a param names (`reference`: a data URI, an asset's file name, a URL),
    /// prepared for `frame`: see [`prepare`].
    fn load(&self, reference: &str, frame: Frame) -> Result<Prepared, ImageProblem>;

    /// Several pictures, in the order asked. One after another by default; a source that
    /// fetches overrides it to load them at once.
    fn load_all(&self, wanted: &[(&str, Frame)]) -> Vec<Result<Prepared, ImageProblem>> {
        wanted.iter().map(|&(r, f)| self.load(r, f)).collect()
    }
}

/// Data URIs, and files in `assets`: the pictures an in-process embedder (the Python and
/// Node packages, `ogmill render` without a fetcher) has. URLs are refused, not fetched:
/// fetching is the server's, with its defences; fetch the bytes and pass a data URI.
#[derive(Clone, Copy, Debug, Default)]
pub struct LocalImages<'a> {
    /// Where an asset name is looked up; without it, only data URIs load.
    pub assets: Option<&'a std::path::Path>,
}

impl ImageSource for LocalImages<'_> {
    fn load(&self, reference: &str, frame: Frame) -> Result<Prepared, ImageProblem> {
        let bytes =
            match parse_source(reference, LOCAL_MAX_BYTES)? {
                Source::Data(bytes) => bytes,
                Source::Asset(name) => match self.assets {
                    Some(dir) => {
                        std::fs::read(dir.join(&name)).map_err(|_| ImageProblem::NoAsset(name))?
                    }
                    None => return Err(ImageProblem::NoAsset(name)),
                },
                Source::Url(_) => return Err(ImageProblem::Blocked(
                    "URLs are not fetched in-process: fetch the image and pass it as a data URI"
                        .into(),
                )),
            };
        if is_svg(&bytes) {
            // The caller's own files and data: trusted as the CLI trusts its assets.
            prepare_svg(&bytes, SvgTrust::Local)
        } else {
            prepare(&bytes, frame, LOCAL_MAX_PIXELS)
        }
    }
}

/// Why an image could not be drawn. The message is safe to show the requester.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImageProblem {
    /// The URL or its address is refused (not public, not allowed, not http(s)).
    #[error("blocked: {0}")]
    Blocked(String),
    /// The origin answered with an error status.
    #[error("the server answered HTTP {0}")]
    Status(u16),
    /// The fetch took longer than allowed.
    #[error("timed out")]
    Timeout,
    /// The file is larger than allowed.
    #[error("larger than {0} bytes")]
    TooLarge(u64),
    /// The header declares more pixels than allowed (checked before decoding).
    #[error("{width}x{height} pixels is over the limit of {max} pixels")]
    TooManyPixels {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// The limit.
        max: u64,
    },
    /// The bytes are not PNG, JPEG, WebP or GIF.
    #[error("not an image: {0}")]
    NotAnImage(String),
    /// The bytes claim an image format but do not decode.
    #[error("cannot be decoded: {0}")]
    Corrupt(String),
    /// No asset of that name.
    #[error("no asset named '{0}'")]
    NoAsset(String),
    /// A `data:` URI that is not an image or not valid.
    #[error("bad data URI: {0}")]
    BadDataUri(String),
    /// The fetch failed otherwise (connection refused, TLS, protocol).
    #[error("fetch failed: {0}")]
    Fetch(String),
}

impl ImageProblem {
    /// A short token for metrics.
    pub fn code(&self) -> &'static str {
        match self {
            ImageProblem::Blocked(_) => "blocked",
            ImageProblem::Status(_) => "status",
            ImageProblem::Timeout => "timeout",
            ImageProblem::TooLarge(_) => "too_large",
            ImageProblem::TooManyPixels { .. } => "too_many_pixels",
            ImageProblem::NotAnImage(_) => "not_an_image",
            ImageProblem::Corrupt(_) => "corrupt",
            ImageProblem::NoAsset(_) => "no_asset",
            ImageProblem::BadDataUri(_) => "bad_data_uri",
            ImageProblem::Fetch(_) => "fetch",
        }
    }
}

/// Where an image reference points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// An `http(s)://` URL, for the caller's fetcher.
    Url(url::Url),
    /// A file name in the assets directory (no path).
    Asset(String),
    /// The bytes of a `data:` URI.
    Data(Vec<u8>),
}

/// Reads a reference as the image param validated it: URL, data URI or asset name.
pub fn parse_source(reference: &str, max_bytes: u64) -> Result<Source, ImageProblem> {
    let lower = reference.get(..8).unwrap_or(reference).to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        let url = url::Url::parse(reference)
            .map_err(|e| ImageProblem::Blocked(format!("not a valid URL: {e}")))?;
        return Ok(Source::Url(url));
    }
    if lower.starts_with("data:") {
        return data_uri(reference, max_bytes).map(Source::Data);
    }
    let is_name = !reference.is_empty()
        && !reference.starts_with('.')
        && reference
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if is_name {
        Ok(Source::Asset(reference.to_owned()))
    } else {
        Err(ImageProblem::NoAsset(reference.chars().take(64).collect()))
    }
}

fn data_uri(uri: &str, max_bytes: u64) -> Result<Vec<u8>, ImageProblem> {
    let bad = |m: &str| ImageProblem::BadDataUri(m.to_owned());
    let (head, payload) = uri[5..]
        .split_once(',')
        .ok_or_else(|| bad("no ',' before the data"))?;
    if !head.to_ascii_lowercase().starts_with("image/") {
        return Err(bad("the media type must be image/..."));
    }
    let bytes = if head.to_ascii_lowercase().ends_with(";base64") {
        let clean: String = payload
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        base64::engine::general_purpose::STANDARD
            .decode(clean.trim_end_matches('='))
            .or_else(|_| {
                base64::engine::general_purpose::STANDARD_NO_PAD.decode(clean.trim_end_matches('='))
            })
            .map_err(|_| bad("the base64 data is not valid"))?
    } else {
        percent_encoding::percent_decode_str(payload).collect()
    };
    if bytes.len() as u64 > max_bytes {
        return Err(ImageProblem::TooLarge(max_bytes));
    }
    Ok(bytes)
}

/// Tells the format from the first bytes; never from a name or a header a server sent.
pub fn sniff(bytes: &[u8]) -> Result<image::ImageFormat, ImageProblem> {
    use image::ImageFormat as F;
    match bytes {
        [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, ..] => Ok(F::Png),
        [0xff, 0xd8, 0xff, ..] => Ok(F::Jpeg),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Ok(F::Gif),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Ok(F::WebP),
        _ => {
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]).to_ascii_lowercase();
            let text = text.trim_start_matches('\u{feff}').trim_start();
            let what = if text.contains("<svg") {
                "an SVG document (only PNG, JPEG, WebP and GIF are drawn)"
            } else if text.starts_with('<') {
                "an HTML or XML document"
            } else {
                "not PNG, JPEG, WebP or GIF"
            };
            Err(ImageProblem::NotAnImage(what.into()))
        }
    }
}

/// Bytes decoding `bytes` takes at most (the decoded pixels and a working copy), read from
/// its header without decoding: what a caller bounding concurrent decodes counts.
pub fn decode_cost(bytes: &[u8]) -> Option<u64> {
    let format = sniff(bytes).ok()?;
    let (w, h) = image::ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .ok()?;
    Some(u64::from(w) * u64::from(h) * 8)
}

/// Decodes `bytes` (first frame only) within `max_pixels`, fits it to `frame` and encodes
/// the result as a PNG for resvg.
pub fn prepare(bytes: &[u8], frame: Frame, max_pixels: u64) -> Result<Prepared, ImageProblem> {
    let format = sniff(bytes)?;
    let reader = || image::ImageReader::with_format(Cursor::new(bytes), format);
    // The header's dimensions, before a single pixel is decoded: a decompression bomb
    // declares its size up front.
    let (w, h) = reader()
        .into_dimensions()
        .map_err(|e| ImageProblem::Corrupt(e.to_string()))?;
    if u64::from(w) * u64::from(h) > max_pixels {
        return Err(ImageProblem::TooManyPixels {
            width: w,
            height: h,
            max: max_pixels,
        });
    }
    if format == image::ImageFormat::Gif {
        check_gif_frame(bytes, max_pixels)?;
    }
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(max_pixels.saturating_mul(8).max(1 << 20));
    let mut decoder = reader();
    decoder.limits(limits);
    let img = decoder
        .decode()
        .map_err(|e| ImageProblem::Corrupt(e.to_string()))?;
    let img = fit(img, frame);
    encode(&img.to_rgba8())
}

/// A GIF's header gives its logical screen, not its frames: a 1x1 screen may hold a
/// 5600x5600 frame, which the decoder allocates whole. The first frame (the one drawn) is
/// read from its descriptor and checked before any pixel is.
fn check_gif_frame(bytes: &[u8], max_pixels: u64) -> Result<(), ImageProblem> {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::Indexed);
    if let Some(bytes) = std::num::NonZeroU64::new(max_pixels.saturating_mul(4)) {
        options.set_memory_limit(gif::MemoryLimit::Bytes(bytes));
    }
    let mut reader = options
        .read_info(Cursor::new(bytes))
        .map_err(|e| ImageProblem::Corrupt(e.to_string()))?;
    if let Some(frame) = reader
        .next_frame_info()
        .map_err(|e| ImageProblem::Corrupt(e.to_string()))?
    {
        let (w, h) = (
            u32::from(frame.left) + u32::from(frame.width),
            u32::from(frame.top) + u32::from(frame.height),
        );
        if u64::from(w) * u64::from(h) > max_pixels {
            return Err(ImageProblem::TooManyPixels {
                width: w,
                height: h,
                max: max_pixels,
            });
        }
    }
    Ok(())
}

/// Cover: crop the centre to the frame's aspect; both: downscale to the frame, never up
/// (resvg scales up a small image at draw time).
fn fit(img: image::DynamicImage, frame: Frame) -> image::DynamicImage {
    let (w, h) = (img.width().max(1), img.height().max(1));
    let (fw, fh) = (frame.width, frame.height);
    match frame.fit {
        Fit::Cover => {
            let scale = (fw as f64 / w as f64).max(fh as f64 / h as f64);
            // The part of the image that shows, in source pixels.
            let cw = ((fw as f64 / scale).round() as u32).clamp(1, w);
            let ch = ((fh as f64 / scale).round() as u32).clamp(1, h);
            let cropped = img.crop_imm((w - cw) / 2, (h - ch) / 2, cw, ch);
            if scale < 1.0 {
                cropped.thumbnail_exact(fw, fh)
            } else {
                cropped
            }
        }
        Fit::Contain => {
            if w > fw || h > fh {
                img.thumbnail(fw, fh)
            } else {
                img
            }
        }
    }
}

fn encode(img: &image::RgbaImage) -> Result<Prepared, ImageProblem> {
    let mut png = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png, img.width(), img.height());
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        // resvg decodes this once per render; fast beats small here.
        enc.set_compression(png::Compression::Fastest);
        let mut writer = enc
            .write_header()
            .map_err(|e| ImageProblem::Corrupt(e.to_string()))?;
        writer
            .write_image_data(img.as_raw())
            .map_err(|e| ImageProblem::Corrupt(e.to_string()))?;
    }
    Ok(Prepared {
        png: Arc::new(png),
        svg: None,
        width: img.width(),
        height: img.height(),
    })
}

/// Elements a vector logo may have at most: a logo is a few hundred; more is a bomb.
pub const MAX_SVG_ELEMENTS: usize = 10_000;
/// The same, for an SVG from a request (allowed only by `--allow-remote-svg`).
pub const MAX_REMOTE_SVG_ELEMENTS: usize = 2_000;
/// Bytes an SVG from a request may have: logos are a few KiB.
pub const MAX_REMOTE_SVG_BYTES: usize = 256 * 1024;
/// `<use>` elements an SVG from a request may have: each may repeat a group holding others,
/// so a few dozen nest into billions of drawn elements; a logo needs a handful.
pub const MAX_REMOTE_SVG_USES: usize = 8;

/// Drawing work (counted by the core's `cost` module) an SVG from a request may cost: a logo is a few thousand;
/// 100,000 is a fraction of a second on one core.
pub const MAX_REMOTE_SVG_WORK: crate::cost::Work = 100_000;
/// The same, for an SVG from the assets directory.
pub const MAX_SVG_WORK: crate::cost::Work = 2_000_000;

/// Where an SVG image comes from, which decides how far it is trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SvgTrust {
    /// The operator's assets directory.
    Local,
    /// A request: a URL or a data URI, when the operator allows SVG from there at all.
    Remote,
}

/// Checks an SVG logo or icon: well-formed, no DTD, an `<svg>` root of positive size, at
/// most [`MAX_SVG_ELEMENTS`] elements, and nothing that runs or loads: no `<script>`,
/// `<foreignObject>`, `<image>` or `<feImage>`, no event attribute, no link or `url()` but
/// to its own `#fragments` (in attributes and `<style>` sheets alike), no `@import`. From a
/// request it must also be at most [`MAX_REMOTE_SVG_BYTES`], [`MAX_REMOTE_SVG_ELEMENTS`]
/// elements and [`MAX_REMOTE_SVG_USES`] `<use>`s. It is drawn as vector, in its box.
pub fn prepare_svg(bytes: &[u8], trust: SvgTrust) -> Result<Prepared, ImageProblem> {
    let refuse = |why: &str| ImageProblem::NotAnImage(format!("an SVG that {why}"));
    let remote = trust == SvgTrust::Remote;
    if remote && bytes.len() > MAX_REMOTE_SVG_BYTES {
        return Err(refuse(&format!(
            "is {} bytes (at most {MAX_REMOTE_SVG_BYTES} from a URL or data URI)",
            bytes.len()
        )));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| refuse("is not UTF-8"))?;
    let doc = roxmltree::Document::parse(text).map_err(|e| ImageProblem::Corrupt(e.to_string()))?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" {
        return Err(refuse("has no <svg> root"));
    }
    let elements = doc.descendants().filter(|n| n.is_element()).count();
    let max = if remote {
        MAX_REMOTE_SVG_ELEMENTS
    } else {
        MAX_SVG_ELEMENTS
    };
    if elements > max {
        return Err(refuse(&format!("has {elements} elements (at most {max})")));
    }
    let uses = doc.descendants().filter(|n| n.has_tag_name("use")).count();
    if remote && uses > MAX_REMOTE_SVG_USES {
        return Err(refuse(&format!(
            "has {uses} <use> elements (at most {MAX_REMOTE_SVG_USES} from a URL or data URI)"
        )));
    }
    // `<?xml-stylesheet href=…?>` loads a sheet from outside, as @import does.
    if doc
        .descendants()
        .any(|n| n.pi().is_some_and(|pi| pi.target == "xml-stylesheet"))
    {
        return Err(refuse(
            "has an <?xml-stylesheet?> (a style sheet that loads from outside)",
        ));
    }
    for node in doc.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        if matches!(name, "script" | "foreignObject" | "image" | "feImage") {
            return Err(refuse(&format!("has a <{name}> element")));
        }
        if name == "style" {
            let sheet: String = node.descendants().filter_map(|n| n.text()).collect();
            if sheet.contains("@import") || links_outside(&sheet) {
                return Err(refuse("has a style sheet that loads from outside"));
            }
        }
        for a in node.attributes() {
            let v = a.value().trim();
            let outside_link = a.name() == "href" && !v.starts_with('#');
            if outside_link || links_outside(v) || a.name().starts_with("on") {
                return Err(refuse(&format!(
                    "has {}=\"{}\" (only links to its own #ids are drawn)",
                    a.name(),
                    v.chars().take(40).collect::<String>()
                )));
            }
        }
    }
    // Markers are counted before usvg expands them: the expansion is the cost.
    let budget = if remote {
        MAX_REMOTE_SVG_WORK
    } else {
        MAX_SVG_WORK
    };
    let too_costly = |work| {
        refuse(&format!(
            "costs about {work} units of drawing work (at most {budget}): markers on long paths or fine dashes"
        ))
    };
    if let Some(why) = crate::cost::oversized_geometry(&doc) {
        return Err(refuse(&why));
    }
    let markers = crate::cost::marker_work(&doc);
    if markers > budget {
        return Err(too_costly(markers));
    }
    let tree = usvg::Tree::from_str(text, &usvg::Options::default())
        .map_err(|e| ImageProblem::Corrupt(e.to_string()))?;
    let work = crate::cost::tree_work(&tree);
    if work > budget {
        return Err(too_costly(work));
    }
    let size = tree.size();
    Ok(Prepared {
        png: Arc::new(Vec::new()),
        svg: Some(Arc::new(text.to_owned())),
        width: size.width().ceil() as u32,
        height: size.height().ceil() as u32,
    })
}

/// Whether CSS or an attribute value has a `url()` to anything but one of its own `#ids`
/// (CSS functions are case-insensitive: `URL(` loads as well).
fn links_outside(v: &str) -> bool {
    v.to_ascii_lowercase()
        .split("url(")
        .skip(1)
        .any(|u| !u.trim_start_matches(['\'', '"', ' ']).starts_with('#'))
}

/// Whether the bytes are an SVG document (by content, never by a name).
pub fn is_svg(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    head.contains("<svg")
}

/// The largest image an in-process embedder reads (a data URI or an asset file).
pub const LOCAL_MAX_BYTES: u64 = 8 * 1024 * 1024;
/// The most pixels such an image may decode to.
pub const LOCAL_MAX_PIXELS: u64 = 16_000_000;

#[cfg(test)]
mod tests {
    use super::*;

    fn png_of(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_pixel(w, h, image::Rgba([200, 10, 10, 255]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn sources_are_told_apart() {
        assert!(matches!(
            parse_source("https://x.com/a.png", 100),
            Ok(Source::Url(_))
        ));
        assert_eq!(
            parse_source("logo.png", 100),
            Ok(Source::Asset("logo.png".into()))
        );
        let data = format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(b"abc")
        );
        assert_eq!(parse_source(&data, 100), Ok(Source::Data(b"abc".to_vec())));
        assert_eq!(parse_source(&data, 2), Err(ImageProblem::TooLarge(2)));
        assert!(matches!(
            parse_source("data:text/html,<b>", 100),
            Err(ImageProblem::BadDataUri(_))
        ));
        assert!(matches!(
            parse_source("../etc/passwd", 100),
            Err(ImageProblem::NoAsset(_))
        ));
    }

    #[test]
    fn cover_crops_the_centre_and_downscales_to_the_frame() {
        let frame = Frame {
            width: 100,
            height: 100,
            fit: Fit::Cover,
        };
        let p = prepare(&png_of(400, 200), frame, 1 << 20).unwrap();
        assert_eq!((p.width, p.height), (100, 100));
        let small = prepare(&png_of(50, 20), frame, 1 << 20).unwrap();
        assert_eq!(
            (small.width, small.height),
            (20, 20),
            "cropped square, not upscaled"
        );
        let contain = Frame {
            fit: Fit::Contain,
            ..frame
        };
        let p = prepare(&png_of(400, 200), contain, 1 << 20).unwrap();
        assert_eq!((p.width, p.height), (100, 50));
    }

    #[test]
    fn bombs_and_impostors_are_refused_before_decoding() {
        let frame = Frame {
            width: 10,
            height: 10,
            fit: Fit::Cover,
        };
        let err = prepare(&png_of(300, 300), frame, 200 * 200).unwrap_err();
        assert!(
            matches!(err, ImageProblem::TooManyPixels { width: 300, .. }),
            "{err}"
        );
        for (bytes, says) in [
            (&b"<!doctype html><html>"[..], "HTML"),
            (
                b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>",
                "SVG",
            ),
            (b"GIF", "not PNG"),
        ] {
            let err = prepare(bytes, frame, 1 << 20).unwrap_err();
            assert!(err.to_string().contains(says), "{err}");
        }
        let mut truncated = png_of(64, 64);
        truncated.truncate(60);
        assert!(matches!(
            prepare(&truncated, frame, 1 << 20),
            Err(ImageProblem::Corrupt(_))
        ));
    }

    #[test]
    fn a_gif_frame_larger_than_its_screen_is_refused_before_decoding() {
        // A 1x1 logical screen holding a 5600x5600 first frame of a few bytes.
        let mut gif = b"GIF89a".to_vec();
        gif.extend_from_slice(&[1, 0, 1, 0, 0, 0, 0]);
        gif.push(0x2c);
        gif.extend_from_slice(&[0, 0, 0, 0]);
        gif.extend_from_slice(&5600u16.to_le_bytes());
        gif.extend_from_slice(&5600u16.to_le_bytes());
        gif.push(0x80); // a local color table of two entries
        gif.extend_from_slice(&[0, 0, 0, 255, 255, 255]);
        gif.extend_from_slice(&[2, 2, 0x4c, 0x01, 0, 0x3b]);
        let frame = Frame {
            width: 100,
            height: 100,
            fit: Fit::Cover,
        };
        assert_eq!(
            prepare(&gif, frame, 4096 * 4096).err(),
            Some(ImageProblem::TooManyPixels {
                width: 5600,
                height: 5600,
                max: 4096 * 4096
            })
        );
    }
}
