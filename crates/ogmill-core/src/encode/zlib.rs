//! A zlib stream put together from pieces deflated apart, so pieces that do not change
//! between images are compressed once and reused.
//!
//! Each piece is raw deflate ended by a sync flush: byte-aligned, no final block, and no
//! back-reference before its own start, so pieces concatenate into one valid deflate stream.
//! The stream's Adler-32 is combined from the pieces' own (zlib's `adler32_combine`; no crate
//! we use exposes it). Written by hand because no encoder we know of takes pre-compressed
//! pieces: png, flate2 and fdeflate each compress the whole image in one pass.

/// Per thread, the compressors and output buffer of earlier pieces, reused: a zlib state
/// is a few hundred KB, and allocating it for every piece of every card left glibc's heap
/// fragmented (peak RSS under a storm of new cards 1.4 GB, against 0.38 GB before bands).
struct Scratch {
    compressors: Vec<(u32, flate2::Compress)>,
    out: Vec<u8>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = const {
        std::cell::RefCell::new(Scratch { compressors: Vec::new(), out: Vec::new() })
    };
}

/// One piece of the stream: its deflated bytes and what they inflate to.
#[derive(Clone, Debug)]
pub(crate) struct Piece {
    deflated: Vec<u8>,
    adler: u32,
    len: u64,
}

impl Piece {
    /// Deflates `data` at zlib `level` (0-9) on its own.
    pub(crate) fn deflate(data: &[u8], level: u32) -> Piece {
        let level = level.min(9);
        SCRATCH.with_borrow_mut(|scratch| {
            let Scratch { compressors, out } = scratch;
            let c = match compressors.iter().position(|(l, _)| *l == level) {
                Some(i) => &mut compressors[i].1,
                None => {
                    let c = flate2::Compress::new(flate2::Compression::new(level), false);
                    compressors.push((level, c));
                    &mut compressors.last_mut().expect("just pushed").1
                }
            };
            c.reset();
            out.clear();
            loop {
                let done = c.total_in() as usize;
                out.reserve((data.len() - done) / 2 + 64);
                c.compress_vec(&data[done..], out, flate2::FlushCompress::Sync)
                    .expect("deflating into a growing buffer cannot fail");
                // A flush is complete once it leaves room unused.
                if c.total_in() as usize == data.len() && out.len() < out.capacity() {
                    break;
                }
            }
            Piece {
                // Exactly sized: pieces are kept (in caches that count them) or joined.
                deflated: out.as_slice().to_vec(),
                adler: simd_adler32::adler32(&data),
                len: data.len() as u64,
            }
        })
    }

    /// Compressed bytes, for caches that count them.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.deflated.capacity()
    }
}

/// The zlib stream of `pieces` in order: header, the pieces, an empty final block, and the
/// Adler-32 of everything they inflate to.
pub(crate) fn stream<'a>(pieces: impl IntoIterator<Item = &'a Piece> + Clone) -> Vec<u8> {
    let len: usize = pieces.clone().into_iter().map(|p| p.deflated.len()).sum();
    let mut out = Vec::with_capacity(len + 8);
    // CMF 0x78 (deflate, 32 KiB window), FLG 0x01: no dictionary, FCHECK making it % 31 == 0.
    out.extend_from_slice(&[0x78, 0x01]);
    let mut adler = 1u32;
    for p in pieces {
        out.extend_from_slice(&p.deflated);
        adler = adler32_combine(adler, p.adler, p.len);
    }
    // BFINAL=1, BTYPE=01 (fixed codes), then the 7-bit end-of-block code 0, padded.
    out.extend_from_slice(&[0x03, 0x00]);
    out.extend_from_slice(&adler.to_be_bytes());
    out
}

/// The Adler-32 of `a ++ b` from the Adler-32s of `a` and `b` and the length of `b`.
fn adler32_combine(a: u32, b: u32, len_b: u64) -> u32 {
    const BASE: u64 = 65521;
    let rem = len_b % BASE;
    let (a_lo, a_hi) = (u64::from(a & 0xffff), u64::from(a >> 16));
    let (b_lo, b_hi) = (u64::from(b & 0xffff), u64::from(b >> 16));
    let lo = (a_lo + b_lo + BASE - 1) % BASE;
    let hi = (rem * a_lo % BASE + a_hi + b_hi + BASE - rem) % BASE;
    ((hi << 16) | lo) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn sample(n: usize, seed: u32) -> Vec<u8> {
        (0..n as u32)
            .map(|i| ((i.wrapping_mul(seed) >> 7) % 7) as u8)
            .collect()
    }

    #[test]
    fn pieces_make_one_stream_that_inflates_and_checks() {
        let parts = [
            sample(70_000, 2_654_435_761),
            vec![],
            sample(5, 7),
            sample(40_000, 97),
        ];
        let pieces: Vec<Piece> = parts
            .iter()
            .enumerate()
            .map(|(i, p)| Piece::deflate(p, [1, 9, 6, 0][i]))
            .collect();
        let z = stream(&pieces);
        let mut back = vec![];
        // flate2's zlib decoder verifies the Adler-32 at the end.
        flate2::read::ZlibDecoder::new(&z[..])
            .read_to_end(&mut back)
            .expect("a valid zlib stream");
        assert_eq!(back, parts.concat());
        let mut wrong = z.clone();
        let n = wrong.len() - 1;
        wrong[n] ^= 1;
        let mut sink = vec![];
        assert!(flate2::read::ZlibDecoder::new(&wrong[..])
            .read_to_end(&mut sink)
            .is_err());
    }

    #[test]
    fn adler_combines_as_if_computed_whole() {
        for (a, b) in [(0, 0), (1, 70_000), (65_521, 3), (200_000, 131_042)] {
            let (x, y) = (sample(a, 31), sample(b, 1_000_003));
            let whole = simd_adler32::adler32(&[x.as_slice(), y.as_slice()].concat().as_slice());
            let parts = adler32_combine(
                simd_adler32::adler32(&x.as_slice()),
                simd_adler32::adler32(&y.as_slice()),
                b as u64,
            );
            assert_eq!(parts, whole, "{a} + {b}");
        }
    }
}
