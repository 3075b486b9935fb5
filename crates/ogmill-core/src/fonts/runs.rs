//! Runs: a line of text cut into the pieces resvg draws faithfully, each in one font and
//! one direction, in visual order.
//!
//! usvg shapes a whole text chunk with one font and patches other fonts' glyphs in cluster
//! by cluster, which drops or garbles text when the fonts disagree on clusters (Arabic
//! ligatures, emoji ZWJ sequences), and it lays every chunk out left to right. So the font
//! is chosen here per grapheme from an explicit chain, the runs are put in visual order by
//! the Unicode bidi algorithm, and each run becomes a chunk of its own, placed by us.

use std::ops::Range;

use unicode_bidi::{BidiInfo, Level};
use unicode_segmentation::UnicodeSegmentation;

use crate::fonts::coverage::{invisible, Coverage};

/// Families tried, in order, after the ones a template names: the bundled script fonts,
/// then the emoji font, then math and symbols (last, so a character the emoji font also has
/// keeps its emoji look). Families from `--fonts` dirs that are not named come after these.
pub(crate) const FALLBACK: &[&str] = &[
    "Inter",
    "Noto Sans Arabic",
    "Noto Sans Hebrew",
    "Noto Sans Devanagari",
    "Noto Sans Bengali",
    "Noto Sans Gurmukhi",
    "Noto Sans Gujarati",
    "Noto Sans Tamil",
    "Noto Sans Telugu",
    "Noto Sans Kannada",
    "Noto Sans Malayalam",
    "Noto Sans Sinhala",
    "Noto Sans Thai",
    "Noto Sans Lao",
    "Noto Sans Khmer",
    "Noto Sans Myanmar",
    "Noto Sans Armenian",
    "Noto Sans Georgian",
    "Noto Sans Ethiopic",
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    // Every modern Hangul syllable (the SC face has KS X 1001's 2,350 only).
    "Noto Sans CJK KR",
    "Noto Sans CJK TC",
    "Noto Color Emoji",
    "Noto Sans Math",
    "Noto Sans Symbols",
    "Noto Sans Symbols2",
];

/// The family emoji-presentation graphemes try first.
pub(crate) const EMOJI_FAMILY: &str = "Noto Color Emoji";

/// Right-to-left marks around an RTL run: usvg lays each chunk out with a left-to-right base,
/// so without them the neutrals at a run's ends (spaces, `!`, `:`) would jump to its right.
pub(crate) const RLM: char = '\u{200F}';

/// Every loaded family with what it can draw; built once per font database.
pub(crate) struct Families {
    families: Vec<Family>,
}

struct Family {
    name: String,
    coverage: Coverage,
}

/// The order in which one text slot tries the families (indices into [`Families`]).
#[derive(Clone, Debug, Default)]
pub(crate) struct Chain {
    order: Vec<usize>,
    emoji: Option<usize>,
}

/// A piece of a line in one font and one direction; `range` indexes the line's text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Run {
    /// Its bytes in the line's text.
    pub range: Range<usize>,
    /// The family that draws it (an index into [`Families`]).
    pub family: usize,
    /// Whether it runs right to left.
    pub rtl: bool,
}

impl Chain {
    /// The slot's own family: the first in the chain.
    pub(crate) fn first(&self) -> usize {
        self.order.first().copied().unwrap_or(0)
    }
}

impl Families {
    /// Every family of `db` and its coverage, read from the faces' character maps.
    pub(crate) fn new(db: &fontdb::Database) -> Self {
        let mut names: Vec<String> = vec![];
        for face in db.faces() {
            if let Some((name, _)) = face.families.first() {
                if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                    names.push(name.clone());
                }
            }
        }
        let families = names
            .into_iter()
            .map(|name| {
                let coverage =
                    Coverage::of_faces(db, |f| f.families.first().is_some_and(|(n, _)| *n == name));
                Family { name, coverage }
            })
            .collect();
        Families { families }
    }

    /// The distinct characters of `text` that no family draws, in order of first appearance
    /// (formatting characters that draw nothing are not counted).
    pub(crate) fn missing(&self, text: &str) -> Vec<char> {
        let mut out: Vec<char> = vec![];
        for c in text.chars() {
            let drawn = invisible(c) || self.families.iter().any(|f| f.coverage.contains(c));
            if !drawn && !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// The family's name.
    pub(crate) fn name(&self, family: usize) -> &str {
        &self.families[family].name
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.families
            .iter()
            .position(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The chain for a slot whose `font-family` lists `named`: those first (as CSS does),
    /// then [`FALLBACK`], then every other loaded family.
    pub(crate) fn chain(&self, named: &[String]) -> Chain {
        self.chain_for(named, None)
    }

    /// As [`chain`](Self::chain), with `cjk` (the face of the text's language) before the
    /// default CJK face, so Han characters take that language's shapes.
    pub(crate) fn chain_for(&self, named: &[String], cjk: Option<&str>) -> Chain {
        let mut order = vec![];
        let fallback = FALLBACK.iter().flat_map(|&f| {
            let first = cjk.filter(|_| f == "Noto Sans CJK SC");
            first.into_iter().chain([f])
        });
        let names = named.iter().map(String::as_str).chain(fallback);
        for i in names.filter_map(|n| self.index(generic(n))) {
            if !order.contains(&i) {
                order.push(i);
            }
        }
        let rest: Vec<usize> = (0..self.families.len())
            .filter(|i| !order.contains(i))
            .collect();
        order.extend(rest);
        Chain {
            order,
            emoji: self.index(EMOJI_FAMILY),
        }
    }

    /// Splits `text` into runs of one family each, in logical order.
    pub(crate) fn itemize(&self, chain: &Chain, text: &str, base: usize) -> Vec<Run> {
        let mut runs: Vec<Run> = vec![];
        for (i, g) in text.grapheme_indices(true) {
            let current = runs.last().map(|r| r.family);
            let family = self.pick(chain, g, current);
            match runs.last_mut() {
                Some(r) if r.family == family => r.range.end = base + i + g.len(),
                _ => runs.push(Run {
                    range: base + i..base + i + g.len(),
                    family,
                    rtl: false,
                }),
            }
        }
        // Leading spaces and punctuation belong with what follows them.
        if runs.len() > 1 && Some(runs[1].family) != chain.emoji {
            let lead = &text[runs[0].range.start - base..runs[0].range.end - base];
            if !lead.chars().any(char::is_alphanumeric)
                && !is_emoji(lead)
                && lead
                    .chars()
                    .all(|c| invisible(c) || self.families[runs[1].family].coverage.contains(c))
            {
                let first = runs.remove(0);
                runs[0].range.start = first.range.start;
            }
        }
        runs
    }

    /// The family for one grapheme: spaces and punctuation stay in the current run when it
    /// can draw them (but never in the emoji font, whose space is emoji-wide); emoji try the
    /// emoji font first; else the first family drawing it all.
    fn pick(&self, chain: &Chain, g: &str, current: Option<usize>) -> usize {
        let covers = |f: usize| {
            g.chars()
                .all(|c| invisible(c) || self.families[f].coverage.contains(c))
        };
        let emoji = is_emoji(g);
        // The common case, decided early: more text the slot's own font draws.
        if current == Some(chain.first()) && !emoji && covers(chain.first()) {
            return chain.first();
        }
        if let Some(cur) = current.filter(|&c| Some(c) != chain.emoji) {
            if !g.chars().any(char::is_alphanumeric) && !emoji && covers(cur) {
                return cur;
            }
        }
        let emoji_first = emoji.then_some(chain.emoji).flatten();
        let mut order = emoji_first.into_iter().chain(chain.order.iter().copied());
        if let Some(f) = order.clone().find(|&f| covers(f)) {
            return f;
        }
        // Nothing draws all of it: the font for its base character, else the slot's own.
        let first = g.chars().next().unwrap_or(' ');
        order
            .find(|&f| self.families[f].coverage.contains(first))
            .or(current)
            .or(chain.order.first().copied())
            .unwrap_or(0)
    }

    /// Runs of `line` in visual order (left to right), for a paragraph of direction `rtl`.
    pub(crate) fn visual(&self, chain: &Chain, line: &str, rtl: bool) -> Vec<Run> {
        // Most titles are left to right through and through: no reordering to do.
        if !rtl && !line.chars().any(reorders) {
            return self.itemize(chain, line, 0);
        }
        let level = if rtl { Level::rtl() } else { Level::ltr() };
        let bidi = BidiInfo::new(line, Some(level));
        let mut out = vec![];
        for para in &bidi.paragraphs {
            let (levels, level_runs) = bidi.visual_runs(para, para.range.clone());
            for range in level_runs {
                let run_rtl = levels[range.start].is_rtl();
                let mut runs = self.itemize(chain, &line[range.clone()], range.start);
                if run_rtl {
                    runs.reverse();
                }
                out.extend(runs.into_iter().map(|r| Run { rtl: run_rtl, ..r }));
            }
        }
        out
    }
}

/// Characters that make a left-to-right line need the bidi algorithm: right-to-left
/// letters and explicit embeddings, overrides and isolates.
fn reorders(c: char) -> bool {
    use unicode_bidi::BidiClass::*;
    (c as u32) >= 0x0590
        && matches!(
            unicode_bidi::bidi_class(c),
            R | AL | RLE | RLO | RLI | LRE | LRO | LRI | FSI | PDF | PDI
        )
}

/// Generic CSS families resolve to the default family, as the font database does.
fn generic(name: &str) -> &str {
    match name {
        "serif" | "sans-serif" | "monospace" | "cursive" | "fantasy" => {
            crate::fonts::DEFAULT_FAMILY
        }
        other => other,
    }
}

/// Whether a grapheme asks for emoji presentation: by a variation selector, a keycap, a
/// skin tone, a ZWJ sequence or a flag, or by a character whose default presentation is
/// emoji. Supplementary pictographs (U+1F000..U+1FAFF) are all treated as emoji, as phones
/// draw them; `U+FE0E` asks for text.
pub(crate) fn is_emoji(g: &str) -> bool {
    let mut chars = g.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if g.contains('\u{FE0E}') {
        return false;
    }
    if g.chars()
        .any(|c| matches!(c as u32, 0xFE0F | 0x20E3 | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F))
    {
        return true;
    }
    let cp = first as u32;
    (0x1F000..=0x1FAFF).contains(&cp) || EMOJI_PRESENTATION_BMP.iter().any(|r| r.contains(&cp))
}

/// Basic Multilingual Plane characters with Emoji_Presentation=Yes (Unicode emoji-data.txt).
const EMOJI_PRESENTATION_BMP: &[std::ops::RangeInclusive<u32>] = &[
    0x231A..=0x231B,
    0x23E9..=0x23EC,
    0x23F0..=0x23F0,
    0x23F3..=0x23F3,
    0x25FD..=0x25FE,
    0x2614..=0x2615,
    0x2648..=0x2653,
    0x267F..=0x267F,
    0x2693..=0x2693,
    0x26A1..=0x26A1,
    0x26AA..=0x26AB,
    0x26BD..=0x26BE,
    0x26C4..=0x26C5,
    0x26CE..=0x26CE,
    0x26D4..=0x26D4,
    0x26EA..=0x26EA,
    0x26F2..=0x26F3,
    0x26F5..=0x26F5,
    0x26FA..=0x26FA,
    0x26FD..=0x26FD,
    0x2705..=0x2705,
    0x270A..=0x270B,
    0x2728..=0x2728,
    0x274C..=0x274C,
    0x274E..=0x274E,
    0x2753..=0x2755,
    0x2757..=0x2757,
    0x2795..=0x2797,
    0x27B0..=0x27B0,
    0x27BF..=0x27BF,
    0x2B1B..=0x2B1C,
    0x2B50..=0x2B50,
    0x2B55..=0x2B55,
];

/// The paragraph direction of `text` by its first strong character; left to right if none.
pub(crate) fn detect_rtl(text: &str) -> bool {
    unicode_bidi::get_base_direction(text) == unicode_bidi::Direction::Rtl
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (Families, Chain) {
        let db = crate::fonts::load(true, &[]).unwrap();
        let f = Families::new(&db);
        let chain = f.chain(&["Inter".into()]);
        (f, chain)
    }

    fn names<'a>(f: &Families, line: &'a str, runs: &[Run]) -> Vec<(&'a str, String, bool)> {
        runs.iter()
            .map(|r| (&line[r.range.clone()], f.name(r.family).to_owned(), r.rtl))
            .collect()
    }

    #[test]
    fn fonts_are_picked_per_grapheme_and_spaces_stay_in_their_run() {
        let (f, chain) = setup();
        let line = "Next.jsで動的 OG 👨‍👩‍👧‍👦 1️⃣ 12";
        let got = names(&f, line, &f.itemize(&chain, line, 0));
        let want = [
            ("Next.js", "Inter"),
            ("で動的 ", "Noto Sans CJK SC"),
            ("OG ", "Inter"),
            ("👨‍👩‍👧‍👦", "Noto Color Emoji"),
            (" ", "Inter"),
            ("1️⃣", "Noto Color Emoji"),
            (" 12", "Inter"),
        ];
        let got: Vec<(&str, &str)> = got.iter().map(|(t, n, _)| (*t, n.as_str())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn rtl_paragraphs_run_right_to_left_with_latin_inside() {
        let (f, chain) = setup();
        let line = "دليل Next.js الشامل";
        assert!(detect_rtl(line));
        let got = names(&f, line, &f.visual(&chain, line, true));
        // Visual order, left to right: the last Arabic word first, the first one last.
        assert_eq!(got[0], (" الشامل", "Noto Sans Arabic".into(), true));
        assert_eq!(got[1], ("Next.js", "Inter".into(), false));
        assert_eq!(got[2], ("دليل ", "Noto Sans Arabic".into(), true));
        assert!(!detect_rtl("Hello עולם") && !detect_rtl("123"));
    }

    #[test]
    fn a_template_names_its_own_chain_in_font_family() {
        // Both Inter and Noto Sans Hebrew draw the shekel sign: the chain decides.
        let (f, default) = setup();
        let got = names(&f, "₪", &f.itemize(&default, "₪", 0));
        assert_eq!(got, [("₪", "Inter".to_string(), false)]);
        let chain = f.chain(&[
            "No Such Font".into(),
            "Noto Sans Hebrew".into(),
            "Inter".into(),
        ]);
        let got = names(&f, "₪", &f.itemize(&chain, "₪", 0));
        assert_eq!(got, [("₪", "Noto Sans Hebrew".to_string(), false)]);
        assert_eq!(f.name(chain.first()), "Noto Sans Hebrew");
    }

    #[test]
    fn emoji_presentation() {
        for e in ["🚀", "✨", "1️⃣", "❤️", "🇯🇵", "👩🏽‍💻", "🏳️‍🌈"]
        {
            assert!(is_emoji(e), "{e}");
        }
        for t in ["1", "#", "©", "❤", "☀", "a", "✨\u{FE0E}"] {
            assert!(!is_emoji(t), "{t}");
        }
    }
}
