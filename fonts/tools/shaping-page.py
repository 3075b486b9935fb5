#!/usr/bin/env python3
"""Writes an HTML page that draws each title of tests/data/scripts.tsv in Chromium with the
bundled font files, to compare by eye with the golden references (tests/golden/script-*.png):

    python3 fonts/tools/shaping-page.py > /tmp/shaping.html
    chromium --headless --no-sandbox --disable-gpu --allow-file-access-from-files \
        --window-size=1150,1400 --screenshot=/tmp/shaping.png file:///tmp/shaping.html
"""
import pathlib

root = pathlib.Path(__file__).resolve().parents[2]
fonts = root / "fonts"
rows = [l.split("\t") for l in (root / "tests/data/scripts.tsv").read_text().splitlines()[1:]]
faces = {"Inter": "Inter-Bold.otf", "Symbols": "NotoSansSymbols-Bold.ttf",
         "Math": "NotoSansMath-Regular.ttf", "Symbols2": "NotoSansSymbols2-Regular.ttf"}
for _, script, _, _ in rows:
    faces.setdefault(script, f"NotoSans{script}-Bold.ttf")
css = "".join(
    f"@font-face{{font-family:'T{name}';src:url('{(fonts / file).as_uri()}');font-weight:700}}\n"
    for name, file in faces.items()
)
body = "".join(
    f"<p style=\"font-family:'TInter','T{script}','TMath','TSymbols','TSymbols2'\">{title}</p>\n"
    for _, script, _, title in rows
)
print(f"""<html><head><meta charset="utf-8"><style>{css}
body {{ background: #0f172a; color: white; margin: 20px; width: 1100px }}
p {{ font-size: 40px; font-weight: 700; margin: 8px 0; line-height: 1.2 }}
</style></head><body>
{body}</body></html>""")
