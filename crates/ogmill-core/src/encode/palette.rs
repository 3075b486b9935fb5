//! Palette quantization within a tolerance: the colors of an opaque image mapped onto at
//! most 256 entries, each pixel moved by at most `tolerance` per channel, and gradients
//! dithered so their steps do not show as rings.
//!
//! Cards repeat few colors (1,098 distinct in the blog card, 248 entries at tolerance 1), so
//! a greedy pass is enough: colors by frequency, each joining the first entry within the
//! tolerance or opening a new one. Runs of equal pixels are looked up once, which makes the
//! pass cheap on flat areas and gradients.
//!
//! A gradient has more colors than a palette holds (the blog card's dark glow alone has
//! about 400): merged to entries two or three levels apart, its bands show as rings at 100%
//! zoom. So a color that lost its exact value is dithered between its entry and the entry on
//! its other side, in a 4x4 ordered pattern: the area keeps its mean color and the pattern
//! repeats every four pixels, which deflate compresses well (error diffusion would not).

/// Distinct colors past which an image is taken for a photo and not tried further.
const MAX_DISTINCT: usize = 8192;
/// Slots of the color table: a power of two, at most half full.
const SLOTS: usize = 2 * MAX_DISTINCT;
/// No opaque pixel is 0 (its alpha byte is 255), so 0 marks a free slot.
const EMPTY: u32 = 0;
/// Runs a color needs before it dithers: areas of gradient, not glyph edges.
const DITHER_MIN_RUNS: u32 = 8;
/// Slots for a request's new colors (glyph edges: a few hundred); more and it is encoded
/// whole.
const EXTENSION_SLOTS: usize = 4096;
/// A 4x4 Bayer matrix: the order in which a cell takes the far entry as a color's weight
/// grows from 0 to 16.
const BAYER: [[u8; 4]; 4] = [[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]];

/// `(palette as RGB triples, one index per pixel)`, or `None` when the image is not opaque
/// or needs more than 256 entries. `width` places pixels in the dither pattern.
pub fn quantize(rgba: &[u8], width: usize, tolerance: u8) -> Option<(Vec<u8>, Vec<u8>)> {
    let pixels = words(rgba);
    let q = Quantizer::new(&pixels, tolerance)?;
    let mut indices = Vec::with_capacity(pixels.len());
    for (y, row) in pixels.chunks_exact(width.max(1)).enumerate() {
        q.push_row(row, y, &mut indices);
    }
    Some((rgb_triples(&q.palette), indices))
}

/// Pixels as words: one compare per pixel instead of four. A pixmap's buffer is aligned in
/// practice; an unaligned one is copied.
pub fn words(rgba: &[u8]) -> std::borrow::Cow<'_, [u32]> {
    match bytemuck::try_cast_slice(rgba) {
        Ok(words) => std::borrow::Cow::Borrowed(words),
        Err(_) => std::borrow::Cow::Owned(
            rgba.chunks_exact(4)
                .map(|p| u32::from_ne_bytes([p[0], p[1], p[2], p[3]]))
                .collect(),
        ),
    }
}

/// An image's palette, and the entry (or pair of entries) each of its colors takes.
pub struct Quantizer {
    table: Table,
    palette: Vec<u32>,
    tolerance: u8,
}

impl Quantizer {
    /// Gives every color of `pixels` an entry, most frequent first; `None` when a pixel is
    /// not opaque or the colors need more than 256 entries.
    pub fn new(pixels: &[u32], tolerance: u8) -> Option<Quantizer> {
        let mut q = Quantizer {
            table: Table::new(SLOTS),
            palette: Vec::new(),
            tolerance,
        };
        let mut i = 0;
        while i < pixels.len() {
            let c = pixels[i];
            if c.to_ne_bytes()[3] != 0xff {
                return None; // not opaque
            }
            let len = pixels[i..].iter().take_while(|&&p| p == c).count();
            q.table.count(c)?;
            i += len;
        }
        let t = &q.table;
        let mut slots: Vec<usize> = (0..t.colors.len())
            .filter(|&i| t.colors[i] != EMPTY)
            .collect();
        slots
            .sort_unstable_by(|&a, &b| (t.counts[b], t.colors[a]).cmp(&(t.counts[a], t.colors[b])));
        for &slot in &slots {
            let entry = entry_for(&mut q.palette, q.table.colors[slot], tolerance)?;
            q.table.near[slot] = entry;
            q.table.far[slot] = entry;
        }
        // Dither partners once every color has its entry, so each sees the whole palette.
        for &slot in &slots {
            if q.table.counts[slot] >= DITHER_MIN_RUNS {
                q.pair(slot);
            }
        }
        Some(q)
    }

    /// Chooses the entry on the far side of `slot`'s color from its own entry, and how
    /// often (of 16 cells) to take it so the mean is the color. A pixel moves at most
    /// `2 * tolerance + 1` per channel, and only colors that lost their exact value dither.
    fn pair(&mut self, slot: usize) {
        let c = rgb(self.table.colors[slot]);
        let e = rgb(self.palette[usize::from(self.table.near[slot])]);
        let d: [i32; 3] = std::array::from_fn(|i| c[i] - e[i]);
        if d == [0; 3] {
            return;
        }
        let reach = 2 * i32::from(self.tolerance) + 1;
        let target: [i32; 3] = std::array::from_fn(|i| c[i] + d[i]);
        let best = self
            .palette
            .iter()
            .enumerate()
            .map(|(n, &p)| (n, rgb(p)))
            // On the other side of the color from its entry, and within reach.
            .filter(|(_, p)| {
                (0..3).map(|i| (p[i] - c[i]) * d[i]).sum::<i32>() > 0
                    && (0..3).all(|i| (p[i] - c[i]).abs() <= reach)
            })
            .min_by_key(|(_, p)| (0..3).map(|i| (p[i] - target[i]).pow(2)).sum::<i32>());
        if let Some((n, p)) = best {
            let to_near = dist(&c, &e);
            let to_far = dist(&c, &p);
            // In quarters: 16 levels drew the blog card's glow no smoother (blurred, both are
            // within 0.2 levels of the exact pixels on average) and its PNG was 16% larger.
            let quarters = (4.0 * to_near / (to_near + to_far)).round() as u8;
            self.table.far[slot] = n as u8;
            self.table.weight[slot] = 4 * quarters.min(4);
        }
    }

    /// Appends the entries of one row of the image, `y` being its row.
    pub fn push_row(&self, row: &[u32], y: usize, out: &mut Vec<u8>) {
        let bayer = &BAYER[y & 3];
        let mut x = 0;
        while x < row.len() {
            let c = row[x];
            let len = row[x..].iter().take_while(|&&p| p == c).count();
            let slot = self.table.slot(c);
            let (near, far, weight) = (
                self.table.near[slot],
                self.table.far[slot],
                self.table.weight[slot],
            );
            if weight == 0 {
                out.extend(std::iter::repeat_n(near, len));
            } else {
                out.extend((x..x + len).map(|i| if weight > bayer[i & 3] { far } else { near }));
            }
            x += len;
        }
    }

    /// The palette, one opaque RGBA word per entry.
    pub fn palette(&self) -> &[u32] {
        &self.palette
    }
}

/// A finished palette taking the new colors of one request, without dither (they are
/// glyph edges and pictures, not large areas): each joins an entry within the tolerance,
/// else one within twice it, else opens one. The entries it started with keep their places,
/// so indices made with them stay valid.
///
/// Why twice: a title's anti-aliased edges blend its colors with every background color
/// under them, and at the tolerance alone the blog card's title needed more entries than the
/// palette had for 57 of 180 corpus titles (then the card was encoded whole, 1.5 ms slower);
/// within twice the tolerance none did, and the PNGs were 20% smaller. An edge pixel then
/// moves at most `2 * tolerance`, inside the `2 * tolerance + 1` a dithered pixel may move,
/// and a tolerance of 0 stays exact.
pub struct Extension {
    table: Table,
    palette: Vec<u32>,
    tolerance: u8,
}

impl Extension {
    /// Starts from `palette` (opaque RGBA words).
    pub fn new(palette: &[u32], tolerance: u8) -> Self {
        Extension {
            table: Table::new(EXTENSION_SLOTS),
            palette: palette.to_vec(),
            tolerance,
        }
    }

    /// The entry of `color`; `None` when it is not opaque, or the palette or the table
    /// is full.
    pub fn index(&mut self, color: u32) -> Option<u8> {
        let slot = self.table.slot(color);
        if self.table.colors[slot] == color {
            return Some(self.table.near[slot]);
        }
        if color.to_ne_bytes()[3] != 0xff || self.table.len == EXTENSION_SLOTS / 2 {
            return None;
        }
        let entry = match within(&self.palette, color, self.tolerance)
            .or_else(|| within(&self.palette, color, self.tolerance.saturating_mul(2)))
        {
            Some(e) => e,
            None => open(&mut self.palette, color)?,
        };
        self.table.colors[slot] = color;
        self.table.near[slot] = entry;
        self.table.len += 1;
        Some(entry)
    }

    /// The palette, one opaque RGBA word per entry.
    pub fn palette(&self) -> &[u32] {
        &self.palette
    }
}

/// The first entry within `tolerance` of `color` per channel.
fn within(palette: &[u32], color: u32, tolerance: u8) -> Option<u8> {
    let c = color.to_le_bytes();
    let tol = i16::from(tolerance);
    let near = |p: &u32| {
        let p = p.to_le_bytes();
        (0..3).all(|i| (i16::from(p[i]) - i16::from(c[i])).abs() <= tol)
    };
    palette.iter().position(near).map(|e| e as u8)
}

/// The first entry within `tolerance` of `color`, or a new one; `None` past 256.
fn entry_for(palette: &mut Vec<u32>, color: u32, tolerance: u8) -> Option<u8> {
    within(palette, color, tolerance).or_else(|| open(palette, color))
}

/// A new entry for `color`; `None` when the palette has 256.
fn open(palette: &mut Vec<u32>, color: u32) -> Option<u8> {
    if palette.len() == 256 {
        return None;
    }
    palette.push(color);
    Some((palette.len() - 1) as u8)
}

/// RGB triples of opaque RGBA words, for a PNG's PLTE chunk.
pub fn rgb_triples(palette: &[u32]) -> Vec<u8> {
    palette
        .iter()
        .flat_map(|c| {
            let b = c.to_ne_bytes();
            [b[0], b[1], b[2]]
        })
        .collect()
}

fn rgb(c: u32) -> [i32; 3] {
    let b = c.to_ne_bytes();
    [i32::from(b[0]), i32::from(b[1]), i32::from(b[2])]
}

fn dist(a: &[i32; 3], b: &[i32; 3]) -> f32 {
    ((0..3).map(|i| (a[i] - b[i]).pow(2)).sum::<i32>() as f32).sqrt()
}

/// An open-addressing table of colors: faster than a `HashMap` for this, where keys are
/// pixels, there are few of them, and every run of a card's pixels looks one up.
struct Table {
    colors: Vec<u32>,
    counts: Vec<u32>,
    /// The entry a color takes, the one it dithers towards, and how often (of 16) it does.
    near: Vec<u8>,
    far: Vec<u8>,
    weight: Vec<u8>,
    len: usize,
}

impl Table {
    /// `slots` must be a power of two.
    fn new(slots: usize) -> Self {
        Table {
            colors: vec![EMPTY; slots],
            counts: vec![0; slots],
            near: vec![0; slots],
            far: vec![0; slots],
            weight: vec![0; slots],
            len: 0,
        }
    }

    fn slot(&self, color: u32) -> usize {
        let mask = self.colors.len() - 1;
        let mut i = (color.wrapping_mul(0x9e37_79b9) >> 16) as usize & mask;
        while self.colors[i] != color && self.colors[i] != EMPTY {
            i = (i + 1) & mask;
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
    fn every_pixel_stays_within_reach_of_its_color() {
        // 40 columns, 400 rows: each color spans ten rows, an area, so it may dither.
        let px: Vec<[u8; 3]> = (0..16000u32)
            .map(|i| [(i % 40) as u8, (i / 400) as u8, 7])
            .collect();
        let rgba = image(&px);
        let (palette, indices) = quantize(&rgba, 40, 2).expect("fits");
        assert!(palette.len() / 3 <= 256);
        let mut entries_of = std::collections::BTreeMap::<[u8; 3], Vec<u8>>::new();
        for (p, &i) in px.iter().zip(&indices) {
            let e = &palette[usize::from(i) * 3..][..3];
            for c in 0..3 {
                // Its entry within the tolerance, or a dither partner within 2t+1.
                assert!(p[c].abs_diff(e[c]) <= 5, "{p:?} -> {e:?}");
            }
            entries_of.entry(*p).or_default().push(i);
        }
        let dithered = entries_of
            .values()
            .filter(|e| e.iter().any(|&i| i != e[0]))
            .count();
        assert!(dithered > 0, "some colors are drawn with two entries");
    }

    #[test]
    fn exact_palettes_are_lossless_and_photos_are_refused() {
        let px: Vec<[u8; 3]> = (0..256u32).map(|i| [i as u8, 0, 0]).collect();
        let (palette, indices) = quantize(&image(&px), 16, 0).unwrap();
        for (p, &i) in px.iter().zip(&indices) {
            assert_eq!(&palette[usize::from(i) * 3..][..3], p);
        }
        let px: Vec<[u8; 3]> = (0..257u32)
            .map(|i| [i as u8, (i >> 8) as u8 * 100, 0])
            .collect();
        assert!(
            quantize(&image(&px), 257, 0).is_none(),
            "257 colors at tolerance 0"
        );
        let noise: Vec<[u8; 3]> = (0..20000u32)
            .map(|i| {
                let h = i.wrapping_mul(2_654_435_761);
                [h as u8, (h >> 8) as u8, (h >> 16) as u8]
            })
            .collect();
        assert!(quantize(&image(&noise), 200, 2).is_none());
    }

    /// A slow dark ramp, the case that showed rings: the mean of each 4x4 block (the
    /// dither's cell) stays nearer the exact ramp than rounding each pixel to its nearest
    /// entry of the same palette would leave it.
    #[test]
    fn a_dark_gradient_keeps_its_mean_in_every_block() {
        let (w, h) = (512usize, 16usize);
        // 16..48 in red and 20..29 in green over 512 columns: more colors than entries.
        let px: Vec<[u8; 3]> = (0..w * h)
            .map(|i| {
                let x = i % w;
                [16 + (x * 32 / w) as u8, 20 + (x * 9 / w) as u8, 40]
            })
            .collect();
        let mut colors = px.clone();
        colors.sort_unstable();
        colors.dedup();
        let (palette, indices) = quantize(&image(&px), w, 1).unwrap();
        let entries: Vec<&[u8]> = palette.chunks(3).collect();
        assert!(entries.len() < colors.len(), "entries were merged");
        let nearest = |p: &[u8; 3]| {
            *entries
                .iter()
                .min_by_key(|e| {
                    (0..3)
                        .map(|c| (i32::from(e[c]) - i32::from(p[c])).pow(2))
                        .sum::<i32>()
                })
                .unwrap()
        };
        let (mut dithered, mut rounded) = (0f32, 0f32);
        for by in (0..h).step_by(4) {
            for bx in (0..w).step_by(4) {
                let cells: Vec<usize> = (0..16).map(|k| (by + k / 4) * w + bx + k % 4).collect();
                for c in 0..3 {
                    let mean = |f: &dyn Fn(usize) -> u8| {
                        cells.iter().map(|&i| f32::from(f(i))).sum::<f32>() / 16.0
                    };
                    let exact = mean(&|i| px[i][c]);
                    dithered += (exact - mean(&|i| entries[usize::from(indices[i])][c])).abs();
                    rounded += (exact - mean(&|i| nearest(&px[i])[c])).abs();
                }
            }
        }
        assert!(
            dithered * 2.0 < rounded,
            "block error: dithered {dithered}, rounded to nearest {rounded}"
        );
    }
}
