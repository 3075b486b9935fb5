#!/usr/bin/env bash
# Regenerates the bundled Noto fonts in fonts/ from Debian's packages.
#
# Arabic, Hebrew, Devanagari, Thai and the emoji font are copied as they are; the other
# scripts, math and symbols keep every glyph and feature but lose their hinting (resvg does
# not hint: a third smaller for nothing); Noto Sans CJK (20 MB per
# weight) is cut down to everyday Chinese, Japanese and Korean (cjk-charset.py) with
# fontTools' pyftsubset, ~5 MB per weight. Needs apt-get (download only, no root install),
# dpkg-deb and Python 3; installs fonttools with pip when missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
fonts="$(dirname "$here")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji
for deb in *.deb; do dpkg-deb -x "$deb" x; done
python3 -c 'import fontTools' 2>/dev/null || pip3 install --quiet fonttools
noto=x/usr/share/fonts/truetype/noto
for script in Arabic Hebrew Devanagari Thai; do
    for weight in Regular Bold; do
        cp "$noto/NotoSans$script-$weight.ttf" "$fonts/"
    done
done
cp "$noto/NotoColorEmoji.ttf" "$fonts/"
unhinted() {
    pyftsubset "$1" --unicodes='*' --glyphs='*' --layout-features='*' --name-IDs='*' \
        --name-languages='*' --notdef-outline --no-hinting --output-file="$fonts/$(basename "$1")"
}
for script in Bengali Tamil Telugu Gujarati Gurmukhi Kannada Malayalam Sinhala Khmer Lao \
    Myanmar Armenian Georgian Ethiopic Symbols; do
    for weight in Regular Bold; do
        unhinted "$noto/NotoSans$script-$weight.ttf"
    done
done
# Only a regular weight exists of these two.
unhinted "$noto/NotoSansMath-Regular.ttf"
unhinted "$noto/NotoSansSymbols2-Regular.ttf"
python3 "$here/cjk-charset.py" > charset.txt
for weight in Regular Bold; do
    # Face 2 of the collection is Noto Sans CJK SC (0 JP, 1 KR, 3 TC, 4 HK).
    pyftsubset "x/usr/share/fonts/opentype/noto/NotoSansCJK-$weight.ttc" --font-number=2 \
        --unicodes-file=charset.txt --no-hinting \
        --output-file="$fonts/NotoSansCJKsc-$weight.otf"
done
# The Japanese face (face 0) for `lang=ja` and titles with kana: JIS X 0208 only.
python3 "$here/cjk-charset.py" ja > charset-ja.txt
for weight in Regular Bold; do
    pyftsubset "x/usr/share/fonts/opentype/noto/NotoSansCJK-$weight.ttc" --font-number=0 \
        --unicodes-file=charset-ja.txt --no-hinting \
        --output-file="$fonts/NotoSansCJKjp-$weight.otf"
done
# Traditional Chinese (face 3, TC) for `lang=zh-Hant`: Big5 level 1. Korean (face 1, KR) for
# `lang=ko` and titles with Hangul: every modern syllable and KS X 1001's hanja.
for face in "3 zh-hant tc" "1 ko kr"; do
    set -- $face
    python3 "$here/cjk-charset.py" "$2" > "charset-$2.txt"
    for weight in Regular Bold; do
        pyftsubset "x/usr/share/fonts/opentype/noto/NotoSansCJK-$weight.ttc" --font-number="$1" \
            --unicodes-file="charset-$2.txt" --no-hinting \
            --output-file="$fonts/NotoSansCJK$3-$weight.otf"
    done
done
du -ch "$fonts"/*.otf "$fonts"/*.ttf | tail -1
