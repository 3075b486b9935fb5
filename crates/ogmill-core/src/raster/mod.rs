//! Rasterizing: a filled SVG becomes pixels on a canvas whose size we choose, never the SVG.

mod walk;

use crate::error::{Error, Result};
use crate::stop::Stop;

/// Parses `svg` with usvg and draws it, scaled to fill `width` x `height`.
pub fn rasterize(
    svg: &str,
    opts: &usvg::Options,
    width: u32,
    height: u32,
) -> Result<tiny_skia::Pixmap> {
    rasterize_until(svg, opts, width, height, &Stop::new())
}

/// As [`rasterize`], stopping with [`Error::Stopped`] once `stop` is raised.
pub fn rasterize_until(
    svg: &str,
    opts: &usvg::Options,
    width: u32,
    height: u32,
    stop: &Stop,
) -> Result<tiny_skia::Pixmap> {
    let mut pixmap =
        tiny_skia::Pixmap::new(width, height).ok_or(Error::Canvas { width, height })?;
    draw(svg, opts, &mut pixmap, stop)?;
    Ok(pixmap)
}

/// Parses `svg` and draws it over what `pixmap` already holds, scaled to fill it, until
/// `stop` is raised ([`Error::Stopped`]).
pub fn draw(
    svg: &str,
    opts: &usvg::Options,
    pixmap: &mut tiny_skia::Pixmap,
    stop: &Stop,
) -> Result<()> {
    let tree = usvg::Tree::from_str(svg, opts)
        .map_err(|e| Error::Internal(format!("parsing filled SVG: {e}")))?;
    let size = tree.size();
    let ts = tiny_skia::Transform::from_scale(
        pixmap.width() as f32 / size.width(),
        pixmap.height() as f32 / size.height(),
    );
    walk::render(&tree, ts, &mut pixmap.as_mut(), stop)
}

/// The usvg options every parse uses: our fonts, and no access to files or URLs.
pub fn usvg_options(fontdb: std::sync::Arc<fontdb::Database>) -> usvg::Options<'static> {
    usvg::Options {
        // Never resolve relative paths: no file is read because of template or value content.
        resources_dir: None,
        font_family: crate::fonts::DEFAULT_FAMILY.to_owned(),
        fontdb,
        font_resolver: usvg::FontResolver {
            select_font: usvg::FontResolver::default_font_selector(),
            select_fallback: Box::new(crate::fonts::fallback),
        },
        image_href_resolver: usvg::ImageHrefResolver {
            // Data URIs come only from templates (values never reach an href), so decode them.
            resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
            // Paths and URLs are never loaded.
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    }
}

/// The same options, plus the prepared images of one render at `ogmill:image/N`. Nothing
/// else resolves: resvg decodes only PNGs ogmill itself encoded from vetted pixels.
pub fn usvg_options_with_images(
    fontdb: std::sync::Arc<fontdb::Database>,
    images: &[Option<crate::images::Prepared>],
) -> usvg::Options<'static> {
    let images: Vec<Option<crate::images::Prepared>> = images.to_vec();
    let mut opts = usvg_options(fontdb);
    opts.image_href_resolver.resolve_string = Box::new(move |href, opts| {
        let n: usize = href.strip_prefix("ogmill:image/")?.parse().ok()?;
        let image = images.get(n)?.as_ref()?;
        match &image.svg {
            // A checked logo (no <image>, no outside links: it cannot refer back here),
            // parsed with the card's fonts and drawn as vector.
            Some(svg) => usvg::Tree::from_str(svg, opts)
                .ok()
                .map(usvg::ImageKind::SVG),
            None => Some(usvg::ImageKind::PNG(image.png.clone())),
        }
    });
    opts
}
