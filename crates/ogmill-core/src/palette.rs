//! Palette quantization within a tolerance: the colors of an opaque image mapped onto at
//! most 256 entries, each pixel moved by at most `tolerance` per channel.
//!
//! Cards repeat few colors (1,098 distinct in the blog card, 139 entries at tolerance 2), so
//! a greedy pass is enough: colors by frequency, each joining the first entry within the
//! tolerance or opening a new one. Runs of equal pixels are looked up once, which makes the
//! pass cheap on flat areas and gradients.

/// Distinct colors past which an image is taken for a photo and not tried further.
const MAX_DISTINCT: usize = 8192;
/// Slots of the color table: a power of two, at most half full.
const SLOTS: usize = 2 * MAX_DISTINCT;
/// No opaque pixel is 0 (its alpha byte is 255), so 0 marks a free slot.
const EMPTY: u32 = 0;

/// `(palette as RGB triples, one index per pixel)`, or `None` when the image is not opaque
/// or needs more than 256 entries.
pub fn quantize(rgba: &[u8], tolerance: u8) -> Option<(Vec<u8>, Vec<u8>)> {
    // Pixels as words: one compare per pixel instead of four. A pixmap's buffer is aligned
    // in practice; an unaligned one is copied.
    let copied: Vec<u32>;
    let pixels: &[u32] = match bytemuck::try_cast_slice(rgba) {
        Ok(words) => words,
        Err(_) => {
            copied = rgba
                .chunks_exact(4)
                .map(|p| u32::from_ne_bytes([p[0], p[1], p[2], p[3]]))
                .collect();
            &copied
        }
    };
    // Runs of equal pixels: each is counted and later filled as one.
    let mut table = Table::new();
    let mut runs: Vec<(u32, u32)> = Vec::with_capacity(pixels.len() / 16);
    let mut i = 0;
    while i < pixels.len() {
        let c = pixels[i];
        if c.to_ne_bytes()[3] != 0xff {
            return None; // not opaque
        }
        let len = pixels[i..].iter().take_while(|&&p| p == c).count();
        table.count(c)?;
        runs.push((i as u32, c));
        i += len;
    }
    let palette = table.assign(tolerance)?;
    let mut indices = vec![0u8; pixels.len()];
    let mut ends = runs
        .iter()
        .skip(1)
        .map(|r| r.0 as usize)
        .chain([pixels.len()]);
    for &(start, c) in &runs {
        let end = ends.next().unwrap_or(pixels.len());
        indices[start as usize..end].fill(table.index(c));
    }
    let rgb = palette
        .iter()
        .flat_map(|c| {
            let b = c.to_ne_bytes();
            [b[0], b[1], b[2]]
        })
        .collect();
    Some((rgb, indices))
}

/// An open-addressing table of colors: faster than a `HashMap` for this, where keys are
/// pixels, there are few of them, and every run of a card's pixels looks one up.
struct Table {
    colors: Vec<u32>,
    counts: Vec<u32>,
    index: Vec<u8>,
    len: usize,
}

impl Table {
    fn new() -> Self {
        Table {
            colors: vec![EMPTY; SLOTS],
            counts: vec![0; SLOTS],
            index: vec![0; SLOTS],
            len: 0,
        }
    }

    fn slot(&self, color: u32) -> usize {
        let mut i = (color.wrapping_mul(0x9e37_79b9) >> 18) as usize & (SLOTS - 1);
        while self.colors[i] != color && self.colors[i] != EMPTY {
            i = (i + 1) & (SLOTS - 1);
        }
        i
    }

    /// Counts one run of `color`; `None` once there are too many colors.
    fn count(&mut self, color: u32) -> Option<()> {
        let i = self.slot(color);
        if self.colors[i] == EMPTY {
            if self.len == MAX_DISTINCT {
                return None;
            }
            self.colors[i] = color;
            self.len += 1;
        }
        self.counts[i] += 1;
        Some(())
    }

    /// Builds the palette greedily, most frequent colors first, and records each color's
    /// entry; `None` past 256 entries.
    fn assign(&mut self, tolerance: u8) -> Option<Vec<u32>> {
        let mut slots: Vec<usize> = (0..SLOTS).filter(|&i| self.colors[i] != EMPTY).collect();
        slots.sort_unstable_by(|&a, &b| {
            (self.counts[b], self.colors[a]).cmp(&(self.counts[a], self.colors[b]))
        });
        let tol = i16::from(tolerance);
        let near = |a: u32, b: u32| {
            let (a, b) = (a.to_le_bytes(), b.to_le_bytes());
            (0..3).all(|i| (i16::from(a[i]) - i16::from(b[i])).abs() <= tol)
        };
        let mut palette: Vec<u32> = vec![];
        for i in slots {
            let c = self.colors[i];
            let entry = match palette.iter().position(|&p| near(p, c)) {
                Some(e) => e,
                None if palette.len() < 256 => {
                    palette.push(c);
                    palette.len() - 1
                }
                None => return None,
            };
            self.index[i] = entry as u8;
        }
        Some(palette)
    }

    fn index(&self, color: u32) -> u8 {
        self.index[self.slot(color)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(colors: &[[u8; 3]]) -> Vec<u8> {
        colors
            .iter()
            .flat_map(|c| [c[0], c[1], c[2], 255])
            .collect()
    }

    #[test]
    fn every_pixel_stays_within_the_tolerance() {
        let px: Vec<[u8; 3]> = (0..4000u32)
            .map(|i| [(i % 40) as u8, (i / 100) as u8, 7])
            .collect();
        let rgba = image(&px);
        let (palette, indices) = quantize(&rgba, 2).expect("fits");
        assert!(palette.len() / 3 <= 256);
        for (p, &i) in px.iter().zip(&indices) {
            let e = &palette[usize::from(i) * 3..][..3];
            for c in 0..3 {
                assert!(p[c].abs_diff(e[c]) <= 2, "{p:?} -> {e:?}");
            }
        }
    }

    #[test]
    fn exact_palettes_are_lossless_and_photos_are_refused() {
        let px: Vec<[u8; 3]> = (0..256u32).map(|i| [i as u8, 0, 0]).collect();
        let (palette, indices) = quantize(&image(&px), 0).unwrap();
        for (p, &i) in px.iter().zip(&indices) {
            assert_eq!(&palette[usize::from(i) * 3..][..3], p);
        }
        let px: Vec<[u8; 3]> = (0..257u32)
            .map(|i| [i as u8, (i >> 8) as u8 * 100, 0])
            .collect();
        assert!(
            quantize(&image(&px), 0).is_none(),
            "257 colors at tolerance 0"
        );
        let noise: Vec<[u8; 3]> = (0..20000u32)
            .map(|i| {
                let h = i.wrapping_mul(2_654_435_761);
                [h as u8, (h >> 8) as u8, (h >> 16) as u8]
            })
            .collect();
        assert!(quantize(&image(&noise), 2).is_none());
    }
}
