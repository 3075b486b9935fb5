#!/usr/bin/env python3
"""Prints the code points the bundled CJK subset keeps, one U+XXXX range per line.

Everyday Chinese, Japanese and Korean, taken from the national character sets Python's
codecs know: GB 2312 (Simplified), Big5 level 1 (common Traditional), JIS X 0208 (Japanese),
KS X 1001 (Korean Hangul and Hanja), plus the CJK punctuation, kana and full-width blocks.
With the argument `ja`: JIS X 0208 (6,355 kanji, every Jōyō kanji among them) and those
blocks only, for the Japanese face (Noto Sans CJK JP). With `zh-hant`: Big5 level 1 (5,401
common Traditional characters) and the blocks, for Noto Sans CJK TC. With `ko`: every modern
Hangul syllable (11,172; KS X 1001 has only 2,350 and names use others), the jamo, KS X 1001's
hanja and the blocks, for Noto Sans CJK KR.
"""
import sys


def two_byte(codec, lead, trail):
    out = set()
    for a in lead:
        for b in trail:
            try:
                s = bytes([a, b]).decode(codec)
            except UnicodeDecodeError:
                continue
            if len(s) == 1:
                out.add(ord(s))
    return out


mode = sys.argv[1] if len(sys.argv) > 1 else "all"
assert mode in ("all", "ja", "zh-hant", "ko"), mode
big5_level1 = two_byte("big5", range(0xA1, 0xC7), list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)))
cps = set()
if mode == "all":
    cps |= two_byte("gb2312", range(0xA1, 0xF8), range(0xA1, 0xFF))
    # Big5 level 1 (frequent characters) runs from A440 to C67E; A1-A3 are symbols.
    cps |= big5_level1
    cps |= two_byte("euc_kr", range(0xA1, 0xFE), range(0xA1, 0xFF))
if mode in ("all", "ja"):
    cps |= two_byte("euc_jp", range(0xA1, 0xF5), range(0xA1, 0xFF))
if mode == "zh-hant":
    cps |= big5_level1
if mode == "ko":
    cps |= two_byte("euc_kr", range(0xA1, 0xFE), range(0xA1, 0xFF))
    cps |= set(range(0xAC00, 0xD7A4))  # every modern Hangul syllable
    cps |= set(range(0x1100, 0x11FF + 1))  # Hangul jamo
blocks = [
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF00, 0xFFEF),  # half- and full-width forms
    (0x2E80, 0x2EFF),  # CJK radicals supplement
    (0x3200, 0x32FF),  # enclosed CJK letters
]
if mode in ("all", "ja"):
    blocks += [(0x3040, 0x30FF), (0x31F0, 0x31FF)]  # Hiragana, Katakana and extensions
if mode in ("all", "ko"):
    blocks += [(0x3130, 0x318F)]  # Hangul compatibility jamo
for lo, hi in blocks:
    cps |= set(range(lo, hi + 1))
# Latin, Greek and Cyrillic come from the template's own font; keep CJK only.
cps = sorted(c for c in cps if c >= 0x2E80 or 0x1100 <= c <= 0x11FF)
for c in cps:
    sys.stdout.write(f"U+{c:04X}\n")
