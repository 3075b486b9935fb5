//! PDF output: the filled SVG as vector, text as text (selectable, its fonts subset and
//! embedded), by svg2pdf.
//!
//! svg2pdf 0.13 is built on usvg 0.45, not the usvg 0.49 the rest of ogmill draws with, so
//! its tree cannot be ours: the filled SVG is parsed a second time with that usvg, against a
//! font database of its own that holds the same font data (shared, not copied), built on the
//! first PDF and kept. Line breaks and sizes are ogmill's fit, written into the filled SVG,
//! so a PDF's lines are the PNG's; only the shaper differs (rustybuzz there, harfrust here),
//! which moves glyphs by fractions of a pixel.

use std::sync::Arc;

use svg2pdf::usvg as usvg45;
use usvg45::fontdb as fontdb23;

use crate::error::{Error, Result};
use crate::images::Prepared;

/// Writes PDFs with svg2pdf, against a font database built from ogmill's.
pub struct PdfWriter {
    fontdb: Arc<fontdb23::Database>,
}

/// Font data owned by ogmill's font database, lent to svg2pdf's without a copy.
struct Shared(Arc<dyn AsRef<[u8]> + Sync + Send>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        (*self.0).as_ref()
    }
}

impl PdfWriter {
    /// A writer whose fonts are every font of `fonts` (bundled, `--fonts` dirs, system).
    pub fn new(fonts: &fontdb::Database) -> Self {
        let mut db = fontdb23::Database::new();
        let mut seen: Vec<*const u8> = vec![];
        let mut files: Vec<&std::path::Path> = vec![];
        for face in fonts.faces() {
            match &face.source {
                fontdb::Source::Binary(data) => {
                    // A collection's faces share one source: load it once.
                    let at = (**data).as_ref().as_ptr();
                    if !seen.contains(&at) {
                        seen.push(at);
                        db.load_font_source(fontdb23::Source::Binary(Arc::new(Shared(
                            data.clone(),
                        ))));
                    }
                }
                fontdb::Source::File(path) => {
                    if !files.contains(&path.as_path()) {
                        files.push(path);
                        // It loaded into ogmill's database a moment ago; if it is gone
                        // since, PDFs fall back to other faces like any missing glyph.
                        let _ = db.load_font_file(path);
                    }
                }
            }
        }
        PdfWriter {
            fontdb: Arc::new(db),
        }
    }

    /// The PDF of a filled SVG: one page of the SVG's size at 72 dpi (a 1200x630 card is a
    /// 1200x630 pt page), with the render's prepared images at `ogmill:image/N`.
    pub fn write(&self, svg: &str, images: &[Option<Prepared>]) -> Result<Vec<u8>> {
        let opts = self.options(images);
        let tree = usvg45::Tree::from_str(svg, &opts)
            .map_err(|e| Error::Internal(format!("parsing filled SVG for PDF: {e}")))?;
        let write = |embed_text| {
            let options = svg2pdf::ConversionOptions {
                embed_text,
                ..Default::default()
            };
            svg2pdf::to_pdf(&tree, options, svg2pdf::PageOptions::default())
        };
        match write(true) {
            // A font svg2pdf cannot subset (the color emoji font's bitmaps): the text is
            // drawn as outlines instead, so the card is right if not selectable.
            Err(
                svg2pdf::ConversionError::SubsetError(_) | svg2pdf::ConversionError::InvalidFont(_),
            ) => write(false),
            other => other,
        }
        .map_err(|e| Error::Internal(format!("writing PDF: {e}")))
    }

    /// As `raster::usvg_options_with_images`: ogmill's fonts, no file or URL ever loaded.
    fn options(&self, images: &[Option<Prepared>]) -> usvg45::Options<'static> {
        let images: Vec<Option<Prepared>> = images.to_vec();
        usvg45::Options {
            resources_dir: None,
            font_family: crate::fonts::DEFAULT_FAMILY.to_owned(),
            fontdb: self.fontdb.clone(),
            image_href_resolver: usvg45::ImageHrefResolver {
                resolve_data: usvg45::ImageHrefResolver::default_data_resolver(),
                resolve_string: Box::new(move |href, opts| {
                    let n: usize = href.strip_prefix("ogmill:image/")?.parse().ok()?;
                    let image = images.get(n)?.as_ref()?;
                    match &image.svg {
                        Some(svg) => usvg45::Tree::from_str(svg, opts)
                            .ok()
                            .map(usvg45::ImageKind::SVG),
                        None => Some(usvg45::ImageKind::PNG(image.png.clone())),
                    }
                }),
            },
            ..usvg45::Options::default()
        }
    }
}
