//! Every script, checked on pixels: right-to-left order and alignment, color emoji, real
//! CJK glyphs, emoji sequences as one glyph, Thai and CJK line breaking.

use crate::support::{diff_bounds, title_layers, Bounds, TitleLayers};

fn ink(t: &TitleLayers) -> Bounds {
    diff_bounds(&t.with, &t.without).expect("the title draws something")
}

/// Pixels of `a` and `b` inside `area` that differ by more than `tolerance` in some channel.
fn differing(a: &tiny_skia::Pixmap, b: &tiny_skia::Pixmap, area: Bounds, tolerance: u8) -> usize {
    let (x0, y0, x1, y1) = area;
    let mut n = 0;
    for y in y0..=y1 {
        for x in x0..=x1 {
            let (p, q) = (a.pixel(x, y).unwrap(), b.pixel(x, y).unwrap());
            let d = [
                p.red().abs_diff(q.red()),
                p.green().abs_diff(q.green()),
                p.blue().abs_diff(q.blue()),
            ];
            n += usize::from(d.iter().any(|&c| c > tolerance));
        }
    }
    n
}

/// The title's words as column ranges, left to right: runs of inked columns separated by at
/// least `gap` blank ones. (Columns, not pixels: lines may sit at another height.)
fn words(t: &TitleLayers, gap: u32) -> Vec<(u32, u32)> {
    let (x0, y0, x1, y1) = ink(t);
    let inked = |x: u32| (y0..=y1).any(|y| t.with.pixel(x, y) != t.without.pixel(x, y));
    let mut out: Vec<(u32, u32)> = vec![];
    for x in (x0..=x1).filter(|&x| inked(x)) {
        match out.last_mut() {
            Some(w) if x - w.1 <= gap => w.1 = x,
            _ => out.push((x, x)),
        }
    }
    out
}

fn near(a: (u32, u32), b: (u32, u32)) -> bool {
    a.0.abs_diff(b.0) <= 2 && a.1.abs_diff(b.1) <= 2
}

#[test]
fn an_arabic_titles_first_word_is_drawn_at_the_right_end_of_its_line() {
    let title = "إنشاء صور ديناميكية";
    let full = title_layers("default", &[("title", title)]);
    assert_eq!(full.lines, [title], "one line");
    let alone = title_layers("default", &[("title", "إنشاء")]);
    let last = |t: &TitleLayers| *words(t, 12).last().unwrap();
    // Alone the word sits at the right edge (RTL starts right); in the title it must be
    // the rightmost word, in the same columns, with the other two to its left.
    let word = words(&alone, 12);
    assert_eq!(word.len(), 1, "{word:?}");
    let ws = words(&full, 12);
    assert_eq!(ws.len(), 3, "{ws:?}");
    assert!(near(last(&full), word[0]), "{ws:?} vs {word:?}");
    // The last word alone starts the line on the left: "ديناميكية" is the leftmost word.
    let third = title_layers("default", &[("title", "ديناميكية")]);
    let third_w = words(&third, 12)[0];
    let span = |w: (u32, u32)| w.1 - w.0;
    assert!(
        span(third_w).abs_diff(span(ws[0])) <= 2,
        "{ws:?} vs {third_w:?}"
    );
    // Forced left to right, the same title starts at the left edge instead.
    let ltr = words(
        &title_layers("default", &[("title", title), ("dir", "ltr")]),
        12,
    );
    assert!(ltr[0].0 + 100 < ws[0].0, "{ltr:?} vs {ws:?}");
}

#[test]
fn a_latin_title_with_dir_rtl_aligns_right() {
    let ltr = ink(&title_layers("default", &[("title", "Hello")]));
    let rtl = title_layers("default", &[("title", "Hello"), ("dir", "rtl")]);
    let right = ink(&rtl);
    let slot_right = (rtl.slot.x + rtl.slot.width) as u32;
    assert!(
        right.2 + 8 >= slot_right && right.0 > ltr.2,
        "{right:?} vs {ltr:?}"
    );
}

#[test]
fn hebrew_with_a_latin_brand_reads_right_to_left() {
    // "Guide to Next.js": the Hebrew word is the rightmost, the brand to its left.
    let full = words(&title_layers("default", &[("title", "מדריך Next.js")]), 12);
    let hebrew = words(&title_layers("default", &[("title", "מדריך")]), 12);
    let brand = words(&title_layers("default", &[("title", "Next.js")]), 12);
    assert_eq!(full.len(), 2, "{full:?}");
    assert!(near(full[1], hebrew[0]), "{full:?} vs {hebrew:?}");
    let span = |w: (u32, u32)| w.1 - w.0;
    assert!(
        span(full[0]).abs_diff(span(brand[0])) <= 2,
        "{full:?} vs {brand:?}"
    );
}

#[test]
fn a_space_between_an_emoji_and_latin_keeps_its_width_in_a_right_to_left_line() {
    // " 🚀" is a right-to-left run of a space (Inter) and an emoji: the space is a run of
    // its own, which must still push the emoji away from the brand.
    let width = |t: &str| {
        let (x0, _, x1, _) = ink(&title_layers("default", &[("title", t)]));
        x1 - x0
    };
    let spaced = width("עולם Open 🚀");
    let tight = width("עולם Open🚀");
    assert!(spaced > tight + 10, "spaced {spaced}px, tight {tight}px");
}

fn colorful(t: &TitleLayers) -> usize {
    let (x0, y0, x1, y1) = ink(t);
    let mut n = 0;
    for y in y0..=y1 {
        for x in x0..=x1 {
            let p = t.with.pixel(x, y).unwrap();
            let (r, g, b) = (p.red() as i32, p.green() as i32, p.blue() as i32);
            let spread = r.max(g).max(b) - r.min(g).min(b);
            n += usize::from(spread > 90 && t.without.pixel(x, y).unwrap() != p);
        }
    }
    n
}

#[test]
fn emoji_are_drawn_in_color() {
    let plain = title_layers("blog", &[("title", "Launch day, we shipped it")]);
    let emoji = title_layers("blog", &[("title", "Launch day 🚀🎉 we shipped it 🔥")]);
    assert!(emoji.fit.missing.is_empty(), "{:?}", emoji.fit.missing);
    let (p, e) = (colorful(&plain), colorful(&emoji));
    assert!(
        p < 20,
        "white text on the dark card has {p} colorful pixels"
    );
    assert!(
        e > 2000,
        "only {e} colorful pixels: emoji drawn as outlines or boxes?"
    );
}

#[test]
fn different_cjk_titles_draw_different_glyphs() {
    // Missing glyphs would all be the same box, so equal-length strings would look alike.
    let titles = [
        "東京都の図書館",
        "大阪府の美術館",
        "서울의 도서관들",
        "北京市的博物馆",
    ];
    let layers: Vec<TitleLayers> = titles
        .iter()
        .map(|t| title_layers("default", &[("title", t)]))
        .collect();
    for (t, l) in titles.iter().zip(&layers) {
        assert!(l.fit.missing.is_empty(), "{t}: {:?}", l.fit.missing);
    }
    for i in 0..layers.len() {
        for j in i + 1..layers.len() {
            let area = ink(&layers[i]);
            let changed = differing(&layers[i].with, &layers[j].with, area, 16);
            assert!(changed > 1000, "{} and {}: {changed}", titles[i], titles[j]);
        }
    }
}

#[test]
fn a_zwj_family_is_one_glyph_narrower_than_its_members() {
    let width = |t: &str| {
        let (x0, _, x1, _) = ink(&title_layers("default", &[("title", t)]));
        x1 - x0 + 1
    };
    let family = width("👨\u{200D}👩\u{200D}👧\u{200D}👦");
    let members = width("👨👩👧👦");
    assert!(
        family * 3 < members,
        "family {family}px, members {members}px"
    );
    // Flags and keycaps are single glyphs too, as wide as one emoji (not two letters).
    let rocket = width("🚀");
    for single in ["🇯🇵", "1️⃣", "👩🏽\u{200D}💻"] {
        let w = width(single);
        assert!(
            w * 2 < rocket * 3,
            "{single}: {w}px, one emoji is {rocket}px"
        );
    }
}

#[test]
fn thai_breaks_between_words_not_inside_them() {
    let words = [
        "การ",
        "สร้าง",
        "ภาพ",
        "แบบ",
        "ไดนามิก",
        "สำหรับ",
        "โซเชียล",
        "มีเดีย",
        "โดย",
        "ไม่",
        "ต้อง",
        "ใช้",
        "บริการ",
        "ภายนอก",
    ];
    let title = words.concat();
    let t = title_layers("default", &[("title", &title)]);
    assert!(t.lines.len() >= 2, "{:?}", t.lines);
    assert_eq!(t.lines.concat(), title);
    let mut bounds = vec![0];
    for w in words {
        bounds.push(bounds.last().unwrap() + w.len());
    }
    let mut at = 0;
    for line in &t.lines[..t.lines.len() - 1] {
        at += line.len();
        assert!(
            bounds.contains(&at),
            "a line ends inside a word: {:?}",
            t.lines
        );
    }
}

#[test]
fn cjk_lines_never_start_with_closing_punctuation() {
    // Narrow enough to wrap often; 、。」 may not start a line, 「 may not end one (UAX #14).
    let title = "「東京」、「大阪」、「京都」。日本の都市「名古屋」、「札幌」、「福岡」。都市の名前「神戸」、「横浜」。";
    let t = title_layers("default", &[("title", title)]);
    assert!(t.lines.len() >= 2, "{:?}", t.lines);
    for line in &t.lines {
        let first = line.chars().next().unwrap();
        let last = line.chars().last().unwrap();
        assert!(!"、。」』）".contains(first), "{:?}", t.lines);
        assert!(!"「『（".contains(last), "{:?}", t.lines);
    }
}

/// 直 and 骨 are drawn differently in Japanese and Chinese: `lang` picks the face, and a
/// title with kana is Japanese without being told.
#[test]
fn lang_picks_japanese_or_chinese_shapes_for_han_and_kana_imply_japanese() {
    let ink = |params: &[(&str, &str)]| title_layers("blog", params).with;
    let ja = ink(&[("title", "直骨"), ("lang", "ja")]);
    let zh = ink(&[("title", "直骨"), ("lang", "zh-Hans")]);
    let auto = ink(&[("title", "直骨")]);
    assert!(
        differing(&ja, &zh, (0, 0, 1199, 629), 40) > 200,
        "the same shapes"
    );
    assert_eq!(
        differing(&auto, &zh, (0, 0, 1199, 629), 0),
        0,
        "no kana: the default face"
    );
    let kana_auto = ink(&[("title", "直骨です")]);
    let kana_ja = ink(&[("title", "直骨です"), ("lang", "ja-JP")]);
    assert_eq!(differing(&kana_auto, &kana_ja, (0, 0, 1199, 629), 0), 0);
    // A Japanese title with every character drawn, and a bad tag refused.
    let t = title_layers(
        "blog",
        &[("title", "骨太の方針と直近の動向"), ("lang", "ja")],
    );
    assert!(t.fit.missing.is_empty(), "{:?}", t.fit.missing);
    let r = crate::support::renderer();
    let bad = r.resolve(&ogmill_core::RenderRequest::new(
        "blog",
        &[("title", "x"), ("lang", "<b>")],
    ));
    assert!(bad.unwrap_err().to_string().contains("lang"));
}

/// Traditional Chinese and Korean have faces of their own: `lang=zh-Hant` draws 骨 and 直 in
/// Taiwan's shapes, `lang=ko` hanja in Korean ones; a title with Hangul is Korean without
/// being told, and every modern syllable is drawn (똠 is not in KS X 1001).
#[test]
fn traditional_chinese_and_korean_draw_with_their_own_faces() {
    let ink = |params: &[(&str, &str)]| title_layers("blog", params).with;
    let whole = (0, 0, 1199, 629);
    let hans = ink(&[("title", "骨直"), ("lang", "zh-Hans")]);
    let hant = ink(&[("title", "骨直"), ("lang", "zh-TW")]);
    let ko = ink(&[("title", "骨直"), ("lang", "ko")]);
    assert!(
        differing(&hans, &hant, whole, 40) > 200,
        "TC draws SC's shapes"
    );
    assert!(
        differing(&hans, &ko, whole, 40) > 200,
        "KR draws SC's shapes"
    );
    let auto = ink(&[("title", "한국 骨直")]);
    let told = ink(&[("title", "한국 骨直"), ("lang", "ko-KR")]);
    assert_eq!(
        differing(&auto, &told, whole, 0),
        0,
        "Hangul implies Korean"
    );
    for title in ["똠방각하 뷁", "臺灣的說話與體驗"] {
        let t = title_layers("blog", &[("title", title)]);
        assert!(t.fit.missing.is_empty(), "{title}: {:?}", t.fit.missing);
    }
}
