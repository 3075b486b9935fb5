//! A background's PNG rows, indexed and compressed once, so a card drawn over it
//! re-encodes only the bands of rows its text and images touch.
//!
//! A card's title changes perhaps a third of its rows; the rest are the background's pixels
//! exactly (the layer split guarantees it), and before this every request quantized and
//! deflated all of them again (about half of a blog card's time). The background's palette
//! and indices are made once; a request's new colors are added after its entries, so every
//! background pixel keeps its entry (and dither) and an untouched band's bytes stay valid.

use crate::encode::palette::{words, Extension, Quantizer};
use crate::encode::zlib::Piece;

/// Rows per band: smaller bands re-encode less around a line of text, larger ones compress
/// better apart. 16 rows of a 1200 px card are 19 KB of indices, plenty for deflate.
const BAND_ROWS: usize = 16;
/// Zlib level of the cached bands: paid once per background, so the best.
const CACHED_LEVEL: u32 = 9;
/// Pixels compared at once when looking for what a request changed in a row.
const CHUNK: usize = 16;

thread_local! {
    /// The scanlines of a run of changed bands, reused per thread (see `zlib`'s scratch).
    static LINES: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A background's palette, indices and bands of rows, deflated apart.
pub(crate) struct Bands {
    palette: Vec<u32>,
    tolerance: u8,
    /// One entry per pixel, row after row (no filter bytes).
    indices: Vec<u8>,
    width: usize,
    pieces: Vec<Piece>,
}

impl Bands {
    /// Indexes and compresses `background`; `None` when it needs more than 256 entries
    /// within `tolerance` (a photo), in which case cards over it are encoded whole.
    pub(crate) fn new(background: &tiny_skia::Pixmap, tolerance: u8) -> Option<Bands> {
        let pixels = words(background.data());
        let quantizer = Quantizer::new(&pixels, tolerance)?;
        let width = background.width() as usize;
        let mut indices = Vec::with_capacity(pixels.len());
        for (y, row) in pixels.chunks_exact(width).enumerate() {
            quantizer.push_row(row, y, &mut indices);
        }
        let pieces = indices
            .chunks(BAND_ROWS * width)
            .map(|band| Piece::deflate(&crate::encode::scanlines(band, width), CACHED_LEVEL))
            .collect();
        Some(Bands {
            palette: quantizer.palette().to_vec(),
            tolerance,
            indices,
            width,
            pieces,
        })
    }

    /// The indexed PNG of `card`, drawn over `background` (the pixmap these bands were made
    /// from): bands equal to the background's are copied, the others indexed (a pixel the
    /// card did not change keeps the background's entry) and deflated at `level`. `None`
    /// when the card's own colors do not fit the palette; the caller then encodes it whole.
    pub(crate) fn encode(
        &self,
        card: &tiny_skia::Pixmap,
        background: &tiny_skia::Pixmap,
        level: u32,
    ) -> Option<Vec<u8>> {
        let mut fresh: Vec<(std::ops::Range<usize>, Piece)> = Vec::new();
        let palette = self.changes(card, background, |bands, lines| {
            fresh.push((bands, Piece::deflate(lines, level)));
        })?;
        let mut pieces: Vec<&Piece> = Vec::with_capacity(self.pieces.len());
        let mut b = 0;
        for (bands, piece) in &fresh {
            pieces.extend(&self.pieces[b..bands.start]);
            pieces.push(piece);
            b = bands.end;
        }
        pieces.extend(&self.pieces[b..]);
        let zlib = crate::encode::zlib::stream(pieces.iter().copied());
        let rgb = crate::encode::palette::rgb_triples(palette.palette());
        let (w, h) = (self.width, self.indices.len() / self.width);
        crate::encode::write_indexed(w as u32, h as u32, &rgb, &zlib).ok()
    }

    /// `card`'s palette (RGB triples) and one entry per pixel, as [`Bands::encode`] writes
    /// them: for encoders that take indexed pixels whole (lossless WebP).
    pub(crate) fn quantize(
        &self,
        card: &tiny_skia::Pixmap,
        background: &tiny_skia::Pixmap,
    ) -> Option<(Vec<u8>, Vec<u8>)> {
        let mut indices = self.indices.clone();
        let (w, per_band) = (self.width, BAND_ROWS * self.width);
        let palette = self.changes(card, background, |bands, lines| {
            let rows = lines.chunks(w + 1).map(|row| &row[1..]);
            let start = bands.start * per_band;
            for (row, out) in rows.zip(indices[start..].chunks_mut(w)) {
                out.copy_from_slice(row);
            }
        })?;
        Some((
            crate::encode::palette::rgb_triples(palette.palette()),
            indices,
        ))
    }

    /// Calls `each` with every run of neighbouring bands where `card` differs from
    /// `background` and the run's scanlines; returns the palette extended by the card's
    /// new colors, or `None` when they do not fit.
    fn changes(
        &self,
        card: &tiny_skia::Pixmap,
        background: &tiny_skia::Pixmap,
        mut each: impl FnMut(std::ops::Range<usize>, &[u8]),
    ) -> Option<Extension> {
        let w = self.width;
        if card.width() as usize != w
            || card.data().len() != background.data().len()
            || card.data().len() != self.indices.len() * 4
        {
            return None;
        }
        let (px, bg) = (words(card.data()), words(background.data()));
        let band = |b: usize| b * BAND_ROWS * w..((b + 1) * BAND_ROWS * w).min(px.len());
        let dirty: Vec<bool> = (0..self.pieces.len())
            .map(|b| px[band(b)] != bg[band(b)])
            .collect();
        let mut palette = Extension::new(&self.palette, self.tolerance);
        LINES.with_borrow_mut(|lines| {
            let mut b = 0;
            while b < dirty.len() {
                if !dirty[b] {
                    b += 1;
                    continue;
                }
                // Neighbouring dirty bands go together: one piece compresses better.
                let end = (b..dirty.len()).find(|&e| !dirty[e]).unwrap_or(dirty.len());
                let pixels = band(b).start..band(end - 1).end;
                lines.clear();
                self.reindex(&px, &bg, pixels, &mut palette, lines)?;
                each(b..end, lines);
                b = end;
            }
            Some(())
        })?;
        Some(palette)
    }

    /// Scanlines of the rows of `pixels` (whole rows of `card`): the background's entry
    /// where the card left a pixel as it was (compared a chunk at a time), the extended
    /// palette's elsewhere.
    fn reindex(
        &self,
        card: &[u32],
        background: &[u32],
        pixels: std::ops::Range<usize>,
        palette: &mut Extension,
        out: &mut Vec<u8>,
    ) -> Option<()> {
        let w = self.width;
        let mut last: Option<(u32, u8)> = None;
        let mut pixel = |c: u32, b: u32, i: u8| -> Option<u8> {
            let entry = match last {
                _ if c == b => return Some(i),
                Some((color, entry)) if color == c => entry,
                _ => palette.index(c)?,
            };
            last = Some((c, entry));
            Some(entry)
        };
        for row in pixels.step_by(w) {
            let (c, b, i) = (
                &card[row..row + w],
                &background[row..row + w],
                &self.indices[row..row + w],
            );
            out.push(0); // filter: none (indices are labels, not values to predict)
            for ((c, b), i) in c.chunks(CHUNK).zip(b.chunks(CHUNK)).zip(i.chunks(CHUNK)) {
                // Most chunks are untouched background: one wide compare and a copy.
                if c == b {
                    out.extend_from_slice(i);
                    continue;
                }
                for k in 0..c.len() {
                    out.push(pixel(c[k], b[k], i[k])?);
                }
            }
        }
        Some(())
    }

    /// Bytes held, for the layer cache's byte count.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.indices.capacity()
            + self.palette.capacity() * 4
            + self.pieces.iter().map(Piece::heap_bytes).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dark diagonal gradient (more colors than a palette holds) as a background.
    fn background(w: u32, h: u32) -> tiny_skia::Pixmap {
        let mut p = tiny_skia::Pixmap::new(w, h).unwrap();
        for (i, px) in p.data_mut().chunks_exact_mut(4).enumerate() {
            let (x, y) = (i as u32 % w, i as u32 / w);
            px.copy_from_slice(&[15 + (x * 30 / w) as u8, 23, 42 + (y * 20 / h) as u8, 255]);
        }
        p
    }

    /// `bg` with a white box at `rows` (a line of text, as far as the encoder cares).
    fn card(bg: &tiny_skia::Pixmap, rows: std::ops::Range<u32>) -> tiny_skia::Pixmap {
        let mut p = bg.clone();
        let w = bg.width();
        for y in rows {
            for x in w / 4..w / 2 {
                let i = ((y * w + x) * 4) as usize;
                let shade = 128 + ((x * 7 + y * 3) % 128) as u8;
                p.data_mut()[i..i + 4].copy_from_slice(&[shade, shade, shade, 255]);
            }
        }
        p
    }

    fn decode(png: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let mut rgb = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut rgb).unwrap();
        // The image data, inflated by a decoder that checks its Adler-32.
        let mut idat = vec![];
        let mut at = 8;
        while at < png.len() {
            let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
            if &png[at + 4..at + 8] == b"IDAT" {
                idat.extend_from_slice(&png[at + 8..at + 8 + len]);
            }
            at += 12 + len;
        }
        let mut raw = vec![];
        std::io::Read::read_to_end(&mut flate2::read::ZlibDecoder::new(&idat[..]), &mut raw)
            .expect("the stitched stream inflates and its Adler-32 checks");
        (rgb, raw)
    }

    #[test]
    fn a_card_keeps_the_backgrounds_pixels_where_it_did_not_draw() {
        let (w, h) = (300, 100); // 100 rows: the last band is short
        let bg = background(w, h);
        let bands = Bands::new(&bg, 1).expect("a gradient fits");
        let (plain, _) = decode(&bands.encode(&bg, &bg, 2).unwrap());
        // Rows 14-18 straddle the first band boundary; 90-99 are the short last band.
        for rows in [14..19, 40..41, 90..100, 0..100] {
            let c = card(&bg, rows.clone());
            let (rgb, raw) = decode(&bands.encode(&c, &bg, 2).unwrap());
            assert_eq!(raw.len(), (h * (w + 1)) as usize, "{rows:?}");
            for (i, (px, was)) in rgb.chunks(3).zip(plain.chunks(3)).enumerate() {
                let drawn = &c.data()[i * 4..i * 4 + 3];
                let (x, y) = (i as u32 % w, i as u32 / w);
                if rows.contains(&y) && (w / 4..w / 2).contains(&x) {
                    // New colors: an entry within twice the tolerance, never dithered.
                    assert!(
                        px.iter().zip(drawn).all(|(a, b)| a.abs_diff(*b) <= 2),
                        "{rows:?} {x},{y}"
                    );
                } else {
                    assert_eq!(px, was, "{rows:?} {x},{y}: the background's own entry");
                }
            }
        }
    }

    #[test]
    fn anti_aliased_edges_in_three_colors_over_a_gradient_fit_the_palette() {
        // A title's glyph edges blend its colors with every background color under them:
        // joining entries within the tolerance alone, these 45 shapes needed more entries
        // than the palette had; within twice it, 189.
        let (w, h) = (600, 200);
        // A gentler gradient than `background`'s: 30 entries, as the blog card's 47-69.
        let mut bg = background(w, h);
        for (i, px) in bg.data_mut().chunks_exact_mut(4).enumerate() {
            let (x, y) = (i as u32 % w, i as u32 / w);
            px.copy_from_slice(&[15 + (x * 12 / w) as u8, 23, 42 + (y * 12 / h) as u8, 255]);
        }
        let bands = Bands::new(&bg, 1).unwrap();
        let mut c = bg.clone();
        let colors = [(255, 255, 255), (255, 0, 102), (148, 163, 184)];
        for i in 0..45u32 {
            let (r, g, b) = colors[i as usize % 3];
            let mut paint = tiny_skia::Paint::default();
            paint.set_color_rgba8(r, g, b, 255);
            let (x, y) = ((i * 37 % w) as f32 + 0.3, (i * 53 % h) as f32 + 0.6);
            let circle = tiny_skia::PathBuilder::from_circle(x, y, 3.0 + (i % 11) as f32).unwrap();
            let fill = tiny_skia::FillRule::Winding;
            c.fill_path(
                &circle,
                &paint,
                fill,
                tiny_skia::Transform::identity(),
                None,
            );
        }
        let png = bands.encode(&c, &bg, 2).expect("the edges fit the palette");
        let (rgb, _) = decode(&png);
        for (px, drawn) in rgb.chunks(3).zip(c.data().chunks(4)) {
            assert!(px.iter().zip(drawn).all(|(a, b)| a.abs_diff(*b) <= 3));
        }
    }

    #[test]
    fn an_untouched_card_is_the_cached_bands_and_indexed_whole_alike() {
        let bg = background(200, 64);
        let bands = Bands::new(&bg, 1).unwrap();
        let a = bands.encode(&bg, &bg, 2).unwrap();
        let b = bands.encode(&bg, &bg, 9).unwrap();
        assert_eq!(a, b, "no band re-encoded: the level never mattered");
        let c = card(&bg, 20..30);
        let (rgb, _) = decode(&bands.encode(&c, &bg, 2).unwrap());
        let (palette, indices) = bands.quantize(&c, &bg).unwrap();
        let whole: Vec<u8> = indices
            .iter()
            .flat_map(|&i| palette[usize::from(i) * 3..][..3].to_vec())
            .collect();
        assert_eq!(rgb, whole, "WebP gets the PNG's pixels");
    }

    #[test]
    fn too_many_new_colors_or_another_size_fall_back() {
        let bg = background(200, 64);
        let bands = Bands::new(&bg, 0).unwrap_or_else(|| Bands::new(&bg, 1).unwrap());
        let mut noisy = bg.clone();
        for (i, px) in noisy.data_mut().chunks_exact_mut(4).enumerate() {
            let hsh = (i as u32).wrapping_mul(2_654_435_761);
            px.copy_from_slice(&[hsh as u8, (hsh >> 8) as u8, (hsh >> 16) as u8, 255]);
        }
        assert!(
            bands.encode(&noisy, &bg, 2).is_none(),
            "a photo: encoded whole"
        );
        let other = background(100, 64);
        assert!(bands.encode(&other, &other, 2).is_none());
    }
}
