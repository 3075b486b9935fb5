//! Which characters a font family can draw: the font chain picks by it, and a character no
//! family draws is reported instead of drawn as a silent box (tofu). Built once per family
//! from its faces' character maps.

use skrifa::MetadataProvider;

/// A set of Unicode scalar values, one bit each, stored by 256-codepoint page so a family
/// costs 17 KB plus 32 bytes per page it touches (a flat bitset was 139 KB per family,
/// which adds up with `--system-fonts`).
pub struct Coverage {
    /// Per page, an index into `blocks`, or `EMPTY`.
    pages: Vec<u32>,
    blocks: Vec<[u64; 4]>,
}

const EMPTY: u32 = u32::MAX;

impl Coverage {
    /// Every codepoint that some face of `db` accepted by `which` maps to a glyph.
    pub fn of_faces(db: &fontdb::Database, which: impl Fn(&fontdb::FaceInfo) -> bool) -> Self {
        let mut cov = Coverage {
            pages: vec![EMPTY; 0x11_0000 / 256],
            blocks: vec![],
        };
        for face in db.faces().filter(|f| which(f)) {
            db.with_face_data(face.id, |data, index| {
                let Ok(font) = skrifa::FontRef::from_index(data, index) else {
                    return;
                };
                for (cp, _) in font.charmap().mappings() {
                    cov.insert(cp);
                }
            });
        }
        cov
    }

    fn insert(&mut self, cp: u32) {
        let Some(page) = self.pages.get_mut(cp as usize / 256) else {
            return;
        };
        if *page == EMPTY {
            *page = self.blocks.len() as u32;
            self.blocks.push([0; 4]);
        }
        let bit = cp as usize % 256;
        self.blocks[*page as usize][bit / 64] |= 1 << (bit % 64);
    }

    /// Whether a face of the family has a glyph for `c`.
    pub fn contains(&self, c: char) -> bool {
        let cp = c as usize;
        match self.pages[cp / 256] {
            EMPTY => false,
            i => self.blocks[i as usize][(cp % 256) / 64] & (1 << (cp % 64)) != 0,
        }
    }
}

/// Formatting characters that shape other glyphs or the layout but draw nothing.
pub fn invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c as u32,
            0x00AD | 0x034F | 0x061C | 0x180E
            | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
            | 0xFE00..=0xFE0F | 0xFEFF | 0xE0000..=0xE007F | 0xE0100..=0xE01EF)
}

/// `U+4E2D` style names, for messages and headers.
pub fn codepoints(chars: &[char]) -> String {
    chars
        .iter()
        .map(|c| format!("U+{:04X}", *c as u32))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_fonts_cover_every_script_and_not_rare_characters() {
        let db = crate::fonts::load(true, &[]).unwrap();
        let inter = Coverage::of_faces(&db, |f| f.families[0].0 == "Inter");
        assert!(
            inter.contains('A')
                && inter.contains('é')
                && inter.contains('ł')
                && inter.contains('€')
        );
        assert!(!inter.contains('中'));
        let cov = crate::fonts::runs::Families::new(&db);
        assert_eq!(cov.missing("Hello, wörld — ok"), Vec::<char>::new());
        assert_eq!(
            cov.missing("中文 عربي עברית हिन्दी ไทย 한국어 かな 🚀 x\u{200D}\u{FE0F}"),
            Vec::<char>::new()
        );
        // Linear B and a rare CJK extension B ideograph are not bundled.
        assert_eq!(
            cov.missing("\u{10000} \u{20000}"),
            vec!['\u{10000}', '\u{20000}']
        );
        assert_eq!(codepoints(&['中', 'A']), "U+4E2D U+0041");
    }
}
