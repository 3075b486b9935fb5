"""The module as a user calls it; run by tests/it/python.rs (OGMILL_BIN is the CLI)."""

import concurrent.futures
import os
import struct
import subprocess

import pytest

import ogmill

CARD = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:og="https://ogmill.dev/template" width="600" height="300">'
    '<metadata><og:param name="title" kind="text" default="T"/></metadata>'
    '<text og:text="{{title}}" og:box="20 20 560 260" x="20" y="80" font-family="Inter" font-size="40">T</text></svg>'
)


@pytest.fixture(scope="module")
def r():
    return ogmill.Renderer()


def size(png: bytes):
    return struct.unpack(">II", png[16:24])


def test_a_card_is_byte_identical_to_the_cli(r, tmp_path):
    cli = tmp_path / "cli.png"
    subprocess.run(
        [os.environ["OGMILL_BIN"], "render", "blog", "-p", "title=Hello from Python", "-p", "author=Jane", "-o", str(cli)],
        check=True,
        capture_output=True,
    )
    png = r.render("blog", {"title": "Hello from Python", "author": "Jane", "tag": None})
    assert size(png) == (1200, 630)
    assert png == cli.read_bytes()


def test_render_to_picks_the_format_by_extension(r, tmp_path):
    n = r.render_to(tmp_path / "card.webp", "blog", {"title": "WebP by extension"})
    data = (tmp_path / "card.webp").read_bytes()
    assert data[8:12] == b"WEBP" and n == len(data)
    with pytest.raises(ogmill.ParamError, match="not a format ogmill writes"):
        r.render_to(tmp_path / "card.gif", "blog")
    assert not (tmp_path / "card.gif").exists()


def test_errors_carry_the_servers_messages(r):
    with pytest.raises(ogmill.TemplateError, match="unknown template 'nope'"):
        r.render("nope")
    with pytest.raises(ogmill.ParamError, match="unknown parameter 'titel'"):
        r.render("blog", {"titel": "x"})
    with pytest.raises(ogmill.ParamError, match="invalid value for 'lesson'"):
        r.render("lesson", {"lesson": "third"})
    assert issubclass(ogmill.ParamError, ogmill.OgmillError)


def test_threads_render_the_same_cards(r):
    titles = [f"Card number {i}" for i in range(8)]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(lambda t: r.render("blog", {"title": t}), titles))
    assert parallel == [r.render("blog", {"title": t}) for t in titles]


def test_templates_as_strings_and_fonts_as_bytes():
    inter = os.path.join(os.path.dirname(os.environ["OGMILL_BIN"]), "..", "..", "fonts", "Inter-Bold.otf")
    with open(os.path.normpath(inter), "rb") as f:
        font = f.read()
    own = ogmill.Renderer(templates={"card": CARD}, fonts=[font], bundled_fonts=False)
    assert [t["name"] for t in own.templates()] == ["card"]
    assert size(own.render("card", {"title": "x"})) == (600, 300)
    assert own.key("card", {"title": "a"}) != own.key("card", {"title": "b"})
    with pytest.raises(ogmill.TemplateError):
        ogmill.Renderer(templates={"bad": "<svg"}, fonts=[font], bundled_fonts=False)
