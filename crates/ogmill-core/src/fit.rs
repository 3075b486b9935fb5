//! Text that always fits: line breaking, shrinking and, as the last resort, an ellipsis.
//!
//! Widths come from usvg's own text layout with the same fonts, fallback and shaping that
//! resvg draws with: break segments are laid out once at a reference size (widths scale
//! linearly with size), and the chosen lines are laid out again exactly before they are
//! accepted, so a line that kerning across a break made wider than measured is caught.

use std::sync::LazyLock;

use icu_segmenter::{options::LineBreakOptions, LineSegmenter, LineSegmenterBorrowed};
use unicode_segmentation::UnicodeSegmentation;

use crate::error::{Error, Result};
use crate::fonts::runs::{Chain, Families, Run, RLM};
use crate::template::{Align, PlacedLine, PlacedRun, PlacedText, TextSlot, VAlign};
use crate::xml::escape_text;

/// UAX #14 line breaking (CJK line-start and line-end rules included) with dictionary
/// segmentation for Thai, Lao, Khmer and Burmese, which write no spaces between words.
static BREAKER: LazyLock<LineSegmenterBorrowed<'static>> =
    LazyLock::new(|| LineSegmenter::new_dictionary(LineBreakOptions::default()));

/// What text is measured and drawn with: usvg's options (fonts), the slot's font chain and
/// the paragraph direction.
pub(crate) struct Typesetter<'a> {
    /// usvg's options, which hold the fonts.
    pub usvg: &'a usvg::Options<'a>,
    /// Every loaded family's coverage.
    pub families: &'a Families,
    /// The slot's font chain.
    pub chain: &'a Chain,
    /// Whether the paragraph runs right to left.
    pub rtl: bool,
    /// Measurements kept across requests: a word measured once is not laid out again.
    pub cache: Option<&'a MeasureCache>,
}

/// Text measurements by font and text, kept across requests (see [`Typesetter::cache`]).
pub(crate) type MeasureCache = crate::memo::Memo<Option<LayoutBox>>;

/// The size segments are laid out at; widths at other sizes are scaled from it.
const REF_SIZE: f32 = 100.0;
const ELLIPSIS: &str = "…";
/// How many times a layout may be corrected after the exact check before it is accepted.
const MAX_ROUNDS: usize = 8;

/// What the fit decided for one text slot.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SlotFit {
    /// The slot's name (its first param).
    pub slot: String,
    /// The font size chosen, in px.
    pub font_size: f32,
    /// How many lines it took.
    pub lines: usize,
    /// Whether the text was cut (with an ellipsis) to fit.
    pub truncated: bool,
    /// Characters of the text that no loaded font can draw (they would show as boxes).
    pub missing: Vec<char>,
}

/// A breakable piece of the text, with widths per pixel of font size.
#[derive(Clone, Copy, Debug)]
struct Unit {
    start: usize,
    /// End of the unit without its trailing spaces.
    core_end: usize,
    core_w: f32,
    space_w: f32,
    /// A line break the value asked for (`og:white-space="pre-line"`) follows it.
    hard: bool,
}

/// A line as byte range of the text.
#[derive(Clone, Copy, Debug)]
struct Line {
    start: usize,
    end: usize,
}

/// Measurements of one text in one slot's font, at 1px font size.
struct Metrics<'a> {
    text: &'a str,
    segments: Vec<Unit>,
    /// How segments too wide for the box at the largest size break inside, by segment index.
    splits: Vec<Option<Split>>,
    ellipsis_w: f32,
    ascent: f32,
    descent: f32,
}

/// A word wider than the box, cut where a reader expects it first: at a no-break space or
/// after punctuation (`every\u{A0}|where`, `example.com/|docs`), and between graphemes only
/// inside a piece that is still too wide.
#[derive(Clone, Debug)]
struct Split {
    pieces: Vec<Unit>,
    /// Each piece's graphemes.
    graphemes: Vec<Vec<Unit>>,
}

/// Characters after which a word too wide for the box may break.
fn breaks_after(c: char) -> bool {
    matches!(
        c,
        '-' | '/'
            | '\\'
            | '.'
            | ','
            | ':'
            | ';'
            | '_'
            | '?'
            | '&'
            | '='
            | '+'
            | '|'
            | '·'
            | '–'
            | '—'
    )
}

fn is_no_break_space(c: char) -> bool {
    matches!(c, '\u{A0}' | '\u{2007}' | '\u{202F}')
}

/// Limits the exact check tightens when a layout's ink leaves the box.
#[derive(Clone, Copy, Debug)]
struct Limits {
    /// The largest size to try.
    cap: f32,
    /// Pixels taken off the box width, for ink that overhangs the advance.
    slack: f32,
    /// The most lines to use.
    lines: usize,
}

/// What the fit decided, as one line for people and headers (`X-Ogmill-Fit`):
/// `title 64 2, subtitle 28 1 truncated` (slot, font size, lines), empty slots left out.
pub fn summary(fits: &[SlotFit]) -> String {
    let parts: Vec<String> = fits
        .iter()
        .filter(|f| f.lines > 0)
        .map(|f| {
            let cut = if f.truncated { " truncated" } else { "" };
            format!("{} {} {}{cut}", f.slot, f.font_size, f.lines)
        })
        .collect();
    parts.join(", ")
}

/// Fits `text` into `slot`, returning the placed lines and what was decided.
pub(crate) fn fit(slot: &TextSlot, text: &str, opts: &Typesetter) -> Result<(PlacedText, SlotFit)> {
    let mut report = SlotFit {
        slot: slot.name.clone(),
        font_size: round2(slot.max_font_size * slot.scale, 1.0),
        lines: 0,
        truncated: false,
        missing: vec![],
    };
    if text.is_empty() {
        return Ok((
            PlacedText {
                font_size: slot.max_font_size,
                lines: vec![],
            },
            report,
        ));
    }
    let m = Metrics::measure(slot, text, opts)?;
    // Sizes below the design's are whole pixels, but never above it: a floor of 9.7 px
    // under a 9.7 px design is 9.7, not 10 (which drew the design's own text too wide).
    let mut min = whole_up(slot, slot.min_font_size);
    if slot.min_font_size <= slot.max_font_size {
        min = min.min(slot.max_font_size);
    }
    let px = 1.0 / slot.scale;
    let mut limits = Limits {
        // The design's own size first, fractional as a design tool wrote it (an imported
        // 69.68 px headline stays 69.68, not 69); sizes below it are whole pixels.
        cap: slot.max_font_size.max(min),
        slack: 0.0,
        lines: slot.max_lines,
    };
    let mut chosen = None;
    for _ in 0..MAX_ROUNDS {
        let (size, lines, truncated) = m.search(slot, limits);
        let strings: Vec<String> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut s = text[l.start..l.end].to_owned();
                if truncated && i + 1 == lines.len() {
                    s.push_str(ELLIPSIS);
                }
                s
            })
            .collect();
        let refs: Vec<&str> = strings.iter().map(String::as_str).collect();
        let boxes = measure(slot, &refs, opts)?;
        let placed = m.place(slot, size, &strings, &boxes, opts);
        let (h_over, v_over) = (placed.h_overflow, placed.v_overflow);
        chosen = Some((size, placed.text, truncated));
        if h_over <= 0.01 * px && v_over <= 0.01 * px {
            break;
        }
        if h_over > 0.01 * px {
            limits.slack += h_over.max(0.5 * px);
        } else if size > min {
            limits.cap = size - px;
        } else {
            limits.lines = (lines.len() - 1).max(1);
        }
    }
    let (size, placed, truncated) = chosen.expect("MAX_ROUNDS > 0");
    report.font_size = round2(size * slot.scale, 1.0);
    report.lines = placed.lines.len();
    report.truncated = truncated;
    Ok((placed, report))
}

/// Lines placed in the box, and by how much their ink still leaves it.
struct Placement {
    text: PlacedText,
    h_overflow: f32,
    v_overflow: f32,
}

impl<'a> Metrics<'a> {
    fn measure(slot: &TextSlot, text: &'a str, opts: &Typesetter) -> Result<Self> {
        let mut segments = vec![];
        let mut prev = 0;
        for idx in BREAKER.segment_str(text) {
            if idx > prev {
                let core_end = prev + text[prev..idx].trim_end_matches([' ', '\n']).len();
                // Only pre-line slots keep a '\n' in their text (`Template::slot_text`).
                let hard = text[core_end..idx].contains('\n');
                segments.push(Unit {
                    start: prev,
                    core_end: core_end.max(prev),
                    core_w: 0.0,
                    space_w: if hard { 0.0 } else { (idx - core_end) as f32 },
                    hard,
                });
            }
            prev = idx;
        }
        let mut texts: Vec<&str> = segments
            .iter()
            .map(|u| &text[u.start..u.core_end])
            .collect();
        texts.push(ELLIPSIS);
        texts.push("x x"); // with "xx" below: the width of a space as shaped between letters
        texts.push("xx");
        let boxes = measure(slot, &texts, opts)?;
        let w = |i: usize| boxes[i].as_ref().map_or(0.0, |b| b.width / REF_SIZE);
        let n = segments.len();
        let space = (w(n + 1) - w(n + 2)).max(0.0);
        for (i, seg) in segments.iter_mut().enumerate() {
            seg.core_w = w(i);
            seg.space_w *= space;
        }
        let ascent = boxes.iter().flatten().map(|b| -b.top).fold(0.0, f32::max) / REF_SIZE;
        let descent = boxes.iter().flatten().map(|b| b.bottom).fold(0.0, f32::max) / REF_SIZE;
        let mut m = Metrics {
            text,
            splits: vec![None; n],
            ellipsis_w: w(n),
            ascent,
            descent,
            segments,
        };
        let overlong: Vec<usize> = (0..n)
            .filter(|&i| m.segments[i].core_w * slot.max_font_size > slot.width)
            .collect();
        m.measure_splits(slot, &overlong, space, opts)?;
        Ok(m)
    }

    /// Measures where the given segments may break inside: their pieces (see [`Split`]) and
    /// each piece's graphemes.
    fn measure_splits(
        &mut self,
        slot: &TextSlot,
        which: &[usize],
        space: f32,
        opts: &Typesetter,
    ) -> Result<()> {
        let mut splits: Vec<(usize, Split)> = which
            .iter()
            .map(|&i| (i, self.split(self.segments[i], space)))
            .collect();
        let texts: Vec<&str> = splits
            .iter()
            .flat_map(|(_, sp)| sp.pieces.iter().chain(sp.graphemes.iter().flatten()))
            .map(|u| &self.text[u.start..u.core_end])
            .collect();
        if texts.is_empty() {
            return Ok(());
        }
        let boxes = measure(slot, &texts, opts)?;
        let mut widths = boxes
            .iter()
            .map(|b| b.as_ref().map_or(0.0, |b| b.width / REF_SIZE));
        for (i, mut sp) in splits.drain(..) {
            let Split { pieces, graphemes } = &mut sp;
            for u in pieces.iter_mut().chain(graphemes.iter_mut().flatten()) {
                u.core_w = widths.next().unwrap_or(0.0);
            }
            self.splits[i] = Some(sp);
        }
        Ok(())
    }

    /// The pieces and graphemes of one segment, widths not yet measured; `space` is the
    /// width of a space at 1px, which a no-break space the line ends on takes.
    fn split(&self, seg: Unit, space: f32) -> Split {
        let word = &self.text[seg.start..seg.core_end];
        let mut pieces: Vec<Unit> = vec![];
        let mut start = seg.start;
        for (o, c) in word.char_indices() {
            let at = seg.start + o;
            let (core_end, next) = if is_no_break_space(c) {
                (at, at + c.len_utf8())
            } else if breaks_after(c) {
                (at + c.len_utf8(), at + c.len_utf8())
            } else {
                continue;
            };
            if core_end > start {
                pieces.push(Unit {
                    start,
                    core_end,
                    core_w: 0.0,
                    space_w: 0.0,
                    hard: false,
                });
            }
            if let (Some(last), true) = (pieces.last_mut(), is_no_break_space(c)) {
                last.space_w += space;
            }
            start = next;
        }
        if seg.core_end > start {
            pieces.push(Unit {
                start,
                core_end: seg.core_end,
                core_w: 0.0,
                space_w: 0.0,
                hard: false,
            });
        }
        if let Some(last) = pieces.last_mut() {
            last.space_w = seg.space_w;
            last.hard = seg.hard;
        }
        let graphemes = pieces
            .iter()
            .map(|p| {
                let mut gs: Vec<Unit> = self.text[p.start..p.core_end]
                    .grapheme_indices(true)
                    .map(|(o, g)| Unit {
                        start: p.start + o,
                        core_end: p.start + o + g.len(),
                        core_w: 0.0,
                        space_w: 0.0,
                        hard: false,
                    })
                    .collect();
                if let Some(last) = gs.last_mut() {
                    last.space_w = p.space_w;
                    last.hard = p.hard;
                }
                gs
            })
            .collect();
        Split { pieces, graphemes }
    }

    /// Units at `size`: segments, with those wider than the box split into pieces, and
    /// pieces still wider into graphemes.
    fn units(&self, size: f32, width: f32) -> Vec<Unit> {
        let mut out = Vec::with_capacity(self.segments.len());
        for (seg, split) in self.segments.iter().zip(&self.splits) {
            match split {
                Some(sp) if seg.core_w * size > width => {
                    for (p, gs) in sp.pieces.iter().zip(&sp.graphemes) {
                        if p.core_w * size > width {
                            out.extend_from_slice(gs);
                        } else {
                            out.push(*p);
                        }
                    }
                }
                _ => out.push(*seg),
            }
        }
        out
    }

    /// Greedy line breaking of `units` into lines no wider than `width`; a hard break
    /// always ends its line.
    fn break_lines(units: &[Unit], size: f32, width: f32) -> Vec<Line> {
        let mut lines = vec![];
        let mut cur: Option<(Line, f32, f32)> = None; // line, its width, pending space
        for u in units {
            let (w, sp) = (u.core_w * size, u.space_w * size);
            let fresh = Line {
                start: u.start,
                end: u.core_end,
            };
            cur = Some(match cur {
                Some((line, lw, pending)) if lw + pending + w <= width => (
                    Line {
                        end: u.core_end,
                        ..line
                    },
                    lw + pending + w,
                    sp,
                ),
                Some((line, ..)) => {
                    lines.push(line);
                    (fresh, w, sp)
                }
                None => (fresh, w, sp),
            });
            if u.hard {
                lines.extend(cur.take().map(|c| c.0));
            }
        }
        lines.extend(cur.map(|c| c.0));
        lines
    }

    /// How many lines of `size` the box holds, capped by the slot's max lines.
    fn lines_that_fit(&self, slot: &TextSlot, size: f32) -> usize {
        let first = (self.ascent + self.descent) * size;
        if first > slot.height + 0.01 / slot.scale {
            return 0;
        }
        let more = ((slot.height - first) / (slot.line_height * size) + 1e-4).floor() as usize;
        (1 + more).min(slot.max_lines)
    }

    fn layout(&self, slot: &TextSlot, size: f32, limits: Limits) -> Option<Vec<Line>> {
        let width = slot.width - limits.slack;
        let lines = Self::break_lines(&self.units(size, width), size, width);
        (lines.len() <= self.lines_that_fit(slot, size).min(limits.lines)).then_some(lines)
    }

    /// The largest whole size up to `cap` whose layout fits; else the ellipsis layout at the minimum.
    fn search(&self, slot: &TextSlot, limits: Limits) -> (f32, Vec<Line>, bool) {
        let cap = limits.cap;
        let min = whole_up(slot, slot.min_font_size).min(cap);
        if let Some(lines) = self.layout(slot, cap, limits) {
            return (cap, lines, false);
        }
        let (mut lo, mut hi) = (min, cap); // invariant: hi does not fit
        match self.layout(slot, lo, limits) {
            None => return (lo, self.ellipsize(slot, lo, limits), true),
            Some(_) => {
                while (hi - lo) * slot.scale > 1.0 + 1e-3 {
                    let mut mid = whole_down(slot, (lo + hi) / 2.0);
                    // Under a fractional cap (a design's own 69.68 px) the middle of 68 and
                    // it floors to 68: try 69, the one whole size left between them.
                    if mid <= lo {
                        mid = lo + 1.0 / slot.scale;
                    }
                    if mid >= hi {
                        break;
                    }
                    if self.layout(slot, mid, limits).is_some() {
                        lo = mid
                    } else {
                        hi = mid
                    }
                }
            }
        }
        (lo, self.layout(slot, lo, limits).expect("lo fits"), false)
    }

    /// At `size`, keeps the lines that fit and ends the last one with an ellipsis.
    fn ellipsize(&self, slot: &TextSlot, size: f32, limits: Limits) -> Vec<Line> {
        let n = self.lines_that_fit(slot, size).min(limits.lines).max(1);
        let width = slot.width - limits.slack;
        let units = self.units(size, width);
        let mut lines = Self::break_lines(&units, size, width);
        lines.truncate(n);
        let last = lines.pop().expect("at least one line");
        let budget = width - self.ellipsis_w * size;
        // Prefer to cut between words; inside the first word only when no whole word fits.
        let rest: Vec<Unit> = units
            .iter()
            .copied()
            .filter(|u| u.start >= last.start)
            .collect();
        let mut end = None;
        let mut w = 0.0;
        for (i, u) in rest.iter().enumerate() {
            if i > 0 && rest[i - 1].hard {
                break; // the line ends there anyway
            }
            let add = if i == 0 {
                u.core_w
            } else {
                rest[i - 1].space_w + u.core_w
            } * size;
            if w + add > budget {
                break;
            }
            w += add;
            end = Some(u.core_end);
        }
        let end = end.unwrap_or_else(|| self.grapheme_cut(&rest[0], budget / size));
        lines.push(Line {
            start: last.start,
            end,
        });
        lines
    }

    /// The end of the longest grapheme prefix of `unit` narrower than `budget` (at 1px).
    fn grapheme_cut(&self, unit: &Unit, budget: f32) -> usize {
        let word = &self.text[unit.start..unit.core_end];
        // Without grapheme measurements, share the unit's width out evenly: the exact check
        // that follows trims further if this guessed too wide.
        let count = word.graphemes(true).count().max(1) as f32;
        let mut w = 0.0;
        let mut end = unit.start;
        for (o, g) in word.grapheme_indices(true) {
            w += unit.core_w / count;
            if w > budget {
                break;
            }
            end = unit.start + o + g.len();
        }
        end
    }

    /// Positions each line by its exact layout: the ink, not only the advance, must stay in
    /// the box, so a glyph that overhangs its origin moves the line instead of leaving the box.
    fn place(
        &self,
        slot: &TextSlot,
        size: f32,
        lines: &[String],
        boxes: &[Option<LayoutBox>],
        opts: &Typesetter,
    ) -> Placement {
        let k = size / REF_SIZE;
        let pitch = slot.line_height * size;
        let (asc, desc) = (self.ascent * size, self.descent * size);
        let mut top = f32::MAX;
        let mut bottom = f32::MIN;
        let mut h_overflow = f32::MIN;
        let mut starts = Vec::with_capacity(lines.len());
        let empty = LayoutBox::default();
        for (i, b) in boxes.iter().enumerate() {
            let b = b.as_ref().unwrap_or(&empty);
            let (ink_l, ink_r, ink_t, ink_b) = b.ink.unwrap_or((0.0, b.width, b.top, b.bottom));
            let (left, right) = (ink_l.min(0.0) * k, ink_r.max(b.width) * k);
            top = top.min(i as f32 * pitch + (ink_t * k).min(-asc));
            bottom = bottom.max(i as f32 * pitch + (ink_b * k).max(desc));
            h_overflow = h_overflow.max(right - left - slot.width);
            // `start` and `end` are logical, as in SVG: a right-to-left paragraph starts right.
            let x = match (slot.align, opts.rtl) {
                (Align::Start, false) | (Align::End, true) => slot.x - left,
                (Align::Middle, _) => slot.x + (slot.width - (right - left)) / 2.0 - left,
                (Align::End, false) | (Align::Start, true) => slot.x + slot.width - right,
            };
            starts.push(x);
        }
        let content = bottom - top;
        let block_top = match slot.valign {
            VAlign::Top => slot.y,
            VAlign::Middle => slot.y + (slot.height - content) / 2.0,
            VAlign::Bottom => slot.y + slot.height - content,
        }
        .max(slot.y);
        let first = block_top - top;
        let placed = lines
            .iter()
            .zip(boxes)
            .zip(starts)
            .enumerate()
            .map(|(i, ((s, b), x))| PlacedLine {
                text: s.clone(),
                x: round2(x, slot.scale),
                y: round2(first + pitch * i as f32, slot.scale),
                runs: b
                    .iter()
                    .flat_map(|b| &b.runs)
                    .map(|(run, dx)| PlacedRun {
                        text: run_text(s, run),
                        x: round2(x + dx * k, slot.scale),
                        family: opts.families.name(run.family).to_owned(),
                    })
                    .collect(),
            })
            .collect();
        Placement {
            text: PlacedText {
                font_size: size,
                lines: placed,
            },
            h_overflow,
            v_overflow: content - slot.height,
        }
    }
}

/// To a hundredth of an output pixel: short in the SVG, and exact enough.
fn round2(v: f32, scale: f32) -> f32 {
    (v * scale * 100.0).round() / (scale * 100.0)
}

/// The largest size of whole output pixels at most `size` (sizes are in user units, and
/// `slot.scale` output pixels make one).
fn whole_down(slot: &TextSlot, size: f32) -> f32 {
    (size * slot.scale + 1e-3).floor() / slot.scale
}

/// The smallest size of whole output pixels at least `size`.
fn whole_up(slot: &TextSlot, size: f32) -> f32 {
    (size * slot.scale - 1e-3).ceil() / slot.scale
}

/// The layout box of a text at `REF_SIZE`: its advance width and its extent around the baseline.
#[derive(Clone, Debug, Default)]
pub(crate) struct LayoutBox {
    width: f32,
    top: f32,
    bottom: f32,
    /// The drawn outlines' bounds (left, right, top, bottom) around the origin, if any.
    ink: Option<(f32, f32, f32, f32)>,
    /// The runs in visual order, each with its offset from the origin.
    runs: Vec<(Run, f32)>,
}

/// The text a run draws; right-to-left runs carry marks that keep their neutrals inside.
fn run_text(line: &str, run: &Run) -> String {
    let text = &line[run.range.clone()];
    if run.rtl {
        format!("{RLM}{text}{RLM}")
    } else {
        text.to_owned()
    }
}

/// A run of spaces only: it draws nothing, but its width counts.
fn is_blank(line: &str, run: &Run) -> bool {
    line[run.range.clone()].chars().all(char::is_whitespace)
}

/// The layout box of each of `texts` in the slot's font: from the cache, else measured
/// together in one usvg parse and kept.
fn measure(slot: &TextSlot, texts: &[&str], opts: &Typesetter) -> Result<Vec<Option<LayoutBox>>> {
    let Some(cache) = opts.cache else {
        return measure_now(slot, texts, opts);
    };
    // Everything that decides the layout: the font as the slot sets it, the chain of
    // families the runs are cut from, the direction, and the text.
    let font = format!(
        "{}|{:?}|{:?}|{}|",
        slot.style, slot.font_attrs, opts.chain, opts.rtl
    );
    let keys: Vec<String> = texts.iter().map(|t| format!("{font}{t}")).collect();
    let mut out: Vec<Option<Option<LayoutBox>>> = keys.iter().map(|k| cache.get(k)).collect();
    let todo: Vec<usize> = (0..texts.len()).filter(|&i| out[i].is_none()).collect();
    if !todo.is_empty() {
        let fresh: Vec<&str> = todo.iter().map(|&i| texts[i]).collect();
        for (i, b) in todo.into_iter().zip(measure_now(slot, &fresh, opts)?) {
            let cost =
                std::mem::size_of::<LayoutBox>() + b.as_ref().map_or(0, |b| b.runs.len() * 48);
            cache.put(keys[i].clone(), b.clone(), cost as u64);
            out[i] = Some(b);
        }
    }
    Ok(out.into_iter().map(|b| b.expect("filled above")).collect())
}

/// Lays out each of `texts` in the slot's font, each run of each text as its own `<text>`,
/// all in one usvg parse.
fn measure_now(
    slot: &TextSlot,
    texts: &[&str],
    opts: &Typesetter,
) -> Result<Vec<Option<LayoutBox>>> {
    use std::fmt::Write;
    let mut doc = String::with_capacity(256 + texts.iter().map(|t| t.len() + 160).sum::<usize>());
    doc.push_str(r#"<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1">"#);
    let mut attrs = String::new();
    if !slot.style.is_empty() {
        attrs.push_str(" style=\"");
        crate::xml::escape_attr(&slot.style, &mut attrs);
        attrs.push('"');
    }
    for (k, v) in slot.font_attrs.iter().filter(|(k, _)| k != "font-family") {
        let _ = write!(attrs, " {k}=\"");
        crate::xml::escape_attr(v, &mut attrs);
        attrs.push('"');
    }
    let runs: Vec<Vec<Run>> = texts
        .iter()
        .map(|t| opts.families.visual(opts.chain, t, opts.rtl))
        .collect();
    for (i, (text, runs)) in texts.iter().zip(&runs).enumerate() {
        for (j, run) in runs.iter().enumerate() {
            let _ = write!(
                doc,
                r#"<text id="m{i}_{j}" x="0" y="0" font-size="{REF_SIZE}" xml:space="preserve"{attrs} font-family=""#
            );
            crate::xml::escape_attr(opts.families.name(run.family), &mut doc);
            doc.push_str("\">");
            if is_blank(text, run) {
                // usvg drops a text of only spaces; measure it between two letters instead
                // (and without direction marks, which are no whitespace either).
                doc.push('x');
                escape_text(&text[run.range.clone()], &mut doc);
                doc.push('x');
            } else {
                escape_text(&run_text(text, run), &mut doc);
            }
            doc.push_str("</text>");
        }
    }
    let _ = write!(
        doc,
        r#"<text id="xx" x="0" y="0" font-size="{REF_SIZE}"{attrs} font-family=""#
    );
    crate::xml::escape_attr(opts.families.name(opts.chain.first()), &mut doc);
    doc.push_str("\">xx</text></svg>");
    let tree = usvg::Tree::from_str(&doc, opts.usvg)
        .map_err(|e| Error::Internal(format!("measuring text: {e}")))?;
    let xx = match tree.node_by_id("xx") {
        Some(usvg::Node::Text(t)) => t.bounding_box().right(),
        _ => 0.0,
    };
    Ok(runs
        .into_iter()
        .enumerate()
        .map(|(i, runs)| {
            let mut out: Option<LayoutBox> = None;
            for (j, run) in runs.into_iter().enumerate() {
                let Some(usvg::Node::Text(t)) = tree.node_by_id(&format!("m{i}_{j}")) else {
                    continue;
                };
                let b = out.get_or_insert_with(LayoutBox::default);
                let (x, lb) = (b.width, t.bounding_box());
                if is_blank(texts[i], &run) {
                    b.width = x + (lb.right() - xx).max(0.0);
                    b.runs.push((run, x));
                    continue;
                }
                let ib = t.stroke_bounding_box();
                if ib.width() > 0.0 || ib.height() > 0.0 {
                    let (l, r, t, bt) = (ib.left() + x, ib.right() + x, ib.top(), ib.bottom());
                    b.ink = Some(match b.ink {
                        None => (l, r, t, bt),
                        Some((l0, r0, t0, b0)) => (l0.min(l), r0.max(r), t0.min(t), b0.max(bt)),
                    });
                }
                b.width = x + lb.right();
                b.top = b.top.min(lb.top());
                b.bottom = b.bottom.max(lb.bottom());
                b.runs.push((run, x));
            }
            out
        })
        .collect())
}
