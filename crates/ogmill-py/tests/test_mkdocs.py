"""A real `mkdocs build --strict` with the plugin, with the plain theme and mkdocs-material."""

import os
import struct
import subprocess
import sys

import pytest

LONG = "A title of a hundred and twenty characters, " * 3

PAGES = {
    "index.md": "# Welcome\n\nHome page.\n",
    "guides/deploying.md": "---\ndescription: Run it behind a load balancer.\n---\n# Deploying to Kubernetes\n\nText.\n",
    "guides/long.md": f"# {LONG[:120]}\n\nText.\n",
    "ja/index.md": "# 日本語のページのタイトル：ソーシャルカードの生成\n\n本文。\n",
}


def site(tmp_path, theme):
    docs = tmp_path / "docs"
    for path, text in PAGES.items():
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        (docs / path).write_text(text, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Example Docs\n"
        "site_url: https://docs.example.com/\n"
        f"theme: {{name: {theme}}}\n"
        "nav:\n  - Home: index.md\n  - Guides:\n    - guides/deploying.md\n    - guides/long.md\n  - ja/index.md\n"
        "plugins:\n  - ogmill:\n      params: {accent: \"#e11d48\"}\n",
        encoding="utf-8",
    )
    return tmp_path


def build(root):
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )


@pytest.mark.parametrize("theme", ["mkdocs", "material"])
def test_every_page_gets_its_card_and_tags_and_a_second_build_draws_nothing(tmp_path, theme):
    root = site(tmp_path, theme)
    first = build(root)
    assert "4 card(s) drawn, 0 unchanged" in first.stderr, first.stderr
    for src in PAGES:
        stem = os.path.splitext(src)[0]
        card = root / "site/assets/images/social" / f"{stem}.png"
        data = card.read_bytes()
        assert struct.unpack(">II", data[16:24]) == (1200, 630), src
        page = "index.html" if stem.endswith("index") else f"{stem.split('/')[-1]}/index.html"
        html = (root / "site" / os.path.dirname(stem) / page).read_text(encoding="utf-8")
        url = f"https://docs.example.com/assets/images/social/{stem}.png"
        assert f'<meta property="og:image" content="{url}">' in html, src
        assert '<meta name="twitter:card" content="summary_large_image">' in html, src
        assert '<meta property="og:image:width" content="1200">' in html, src
    second = build(root)
    assert "0 card(s) drawn, 4 unchanged" in second.stderr, second.stderr
