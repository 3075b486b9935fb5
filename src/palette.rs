//! Palette quantization within a tolerance: the colors of an opaque image mapped onto at
//! most 256 entries, each pixel moved by at most `tolerance` per channel.
//!
//! Cards repeat few colors (1,098 distinct in the blog card, 139 entries at tolerance 2), so
//! a greedy pass is enough: colors by frequency, each joining the first entry within the
//! tolerance or opening a new one. Runs of equal pixels are looked up once, which makes the
//! pass cheap on flat areas and gradients.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Distinct colors past which an image is taken for a photo and not tried further.
const MAX_DISTINCT: usize = 8192;

/// `(palette as RGB triples, one index per pixel)`, or `None` when the image is not opaque
/// or needs more than 256 entries.
pub fn quantize(rgba: &[u8], tolerance: u8) -> Option<(Vec<u8>, Vec<u8>)> {
    let pixels = || {
        rgba.chunks_exact(4)
            .map(|p| u32::from_le_bytes([p[0], p[1], p[2], p[3]]))
    };
    let mut counts: HashMap<u32, u32, Fast> = HashMap::default();
    let mut prev = None;
    for px in pixels() {
        if prev != Some(px) {
            *counts.entry(px).or_default() += 1;
            if counts.len() > MAX_DISTINCT {
                return None;
            }
            prev = Some(px);
        }
    }
    let mut colors: Vec<(u32, u32)> = counts.into_iter().collect();
    colors.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let tol = i16::from(tolerance);
    let near = |a: u32, b: u32| {
        let (a, b) = (a.to_le_bytes(), b.to_le_bytes());
        (0..3).all(|i| (i16::from(a[i]) - i16::from(b[i])).abs() <= tol)
    };
    let mut palette: Vec<u32> = vec![];
    let mut index: HashMap<u32, u8, Fast> = HashMap::default();
    for &(c, _) in &colors {
        let entry = match palette.iter().position(|&p| near(p, c)) {
            Some(i) => i,
            None if palette.len() < 256 => {
                palette.push(c);
                palette.len() - 1
            }
            None => return None,
        };
        index.insert(c, entry as u8);
    }
    let mut indices = Vec::with_capacity(rgba.len() / 4);
    let mut last = (u32::MAX, 0u8);
    for px in pixels() {
        if px != last.0 {
            last = (px, index[&px]);
        }
        indices.push(last.1);
    }
    let rgb = palette
        .iter()
        .flat_map(|c| {
            let b = c.to_le_bytes();
            [b[0], b[1], b[2]]
        })
        .collect();
    Some((rgb, indices))
}

/// A multiply-shift hash: pixels are already well-mixed 32-bit keys, and SipHash would cost
/// more than the rest of the pass.
#[derive(Default)]
struct FastHasher(u64);

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type Fast = BuildHasherDefault<FastHasher>;

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
