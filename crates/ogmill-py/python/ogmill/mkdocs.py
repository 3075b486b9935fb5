"""A MkDocs plugin: a social card per page, drawn by ogmill in-process.

    plugins:
      - ogmill:
          template: docs          # a bundled template, or one of `templates`
          templates: overrides/og # optional: a directory of your own SVG templates
          params: {accent: "#e11d48", theme: dark}

It replaces mkdocs-material's `social` plugin for sites that cannot install Cairo and Pango
(Windows, locked-down CI): ogmill needs no system library. Each page gets
`assets/images/social/<page>.png` (1200x630) and the `og:image`/`twitter:image` tags that
point at it. Cards render in parallel after the pages, and a card whose key (template,
values, fonts, ogmill's version) has not changed since the last build is copied from the
cache instead of drawn. A card that cannot be drawn is a warning naming the page (so
`mkdocs build --strict` fails on it), never a crash.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import html
import logging
import os
import posixpath
import shutil
import threading
from typing import Any, Dict, List, Optional, Tuple

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.plugins import BasePlugin

from . import OgmillError, Renderer

log = logging.getLogger("mkdocs.plugins.ogmill")


class SocialConfig(Config):
    enabled = c.Type(bool, default=True)
    template = c.Type(str, default="docs")
    templates = c.Optional(c.Type(str))
    fonts = c.Type(list, default=[])
    params = c.Type(dict, default={})
    cards_dir = c.Type(str, default="assets/images/social")
    cache_dir = c.Type(str, default=".cache/ogmill")
    jobs = c.Type(int, default=0)


class SocialPlugin(BasePlugin[SocialConfig]):
    def __init__(self) -> None:
        self.renderer: Optional[Renderer] = None
        self.params: Dict[str, set] = {}
        # (page, card path in the site, template, values) for every page, drawn after the pages.
        self.jobs: List[Tuple[str, str, str, Dict[str, Any]]] = []
        self.rendered = 0
        self.reused = 0
        self.count = threading.Lock()

    def on_config(self, config: Any) -> Any:
        if not self.config.enabled:
            return config
        base = os.path.dirname(config.config_file_path or ".")
        templates = self.config.templates
        if templates and not os.path.isabs(templates):
            templates = os.path.join(base, templates)
        fonts = [f if os.path.isabs(f) else os.path.join(base, f) for f in self.config.fonts]
        self.renderer = Renderer(templates=templates, fonts=fonts or None)
        self.params = {t["name"]: {p["name"] for p in t["params"]} for t in self.renderer.templates()}
        if self.config.template not in self.params:
            raise OgmillError(
                f"ogmill: no template '{self.config.template}'; loaded: {', '.join(sorted(self.params))}"
            )
        self.cache = os.path.join(base, self.config.cache_dir)
        self.jobs = []
        return config

    def on_page_content(self, content: str, page: Any, config: Any, files: Any) -> str:
        if self.renderer is None:
            return content
        template = page.meta.get("social_template", self.config.template)
        values: Dict[str, Any] = {
            "title": page.meta.get("title") or page.title or config.site_name,
            "site": config.site_name,
            "description": page.meta.get("description") or config.site_description or "",
            "section": _section(page),
        }
        values.update(self.config.params)
        values.update(page.meta.get("social_params") or {})
        taken = self.params.get(template, set())
        values = {k: v for k, v in values.items() if k in taken and v not in (None, "")}
        self.jobs.append((page.file.src_uri, self._card_path(page), template, values))
        return content

    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        if self.renderer is None or "</head>" not in output:
            return output
        card = self._card_path(page)
        base = (config.site_url or "").rstrip("/")
        url = html.escape(f"{base}/{card}" if base else "/" + card, quote=True)
        title = html.escape(str(page.meta.get("title") or page.title or config.site_name), quote=True)
        tags = [
            f'<meta property="og:image" content="{url}">',
            '<meta property="og:image:type" content="image/png">',
            '<meta property="og:image:width" content="1200">',
            '<meta property="og:image:height" content="630">',
            f'<meta property="og:image:alt" content="{title}">',
            '<meta name="twitter:card" content="summary_large_image">',
            f'<meta name="twitter:image" content="{url}">',
            f'<meta name="twitter:image:alt" content="{title}">',
        ]
        return output.replace("</head>", "\n".join(tags) + "\n</head>", 1)

    def on_post_build(self, config: Any) -> None:
        if self.renderer is None:
            return
        os.makedirs(self.cache, exist_ok=True)
        workers = self.config.jobs or os.cpu_count() or 1
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            done = pool.map(lambda job: self._card(config.site_dir, *job), self.jobs)
            for page, problem in done:
                if problem:
                    log.warning("ogmill: no card for %s: %s", page, problem)
        log.info("ogmill: %d card(s) drawn, %d unchanged", self.rendered, self.reused)

    def _card(self, site_dir: str, page: str, card: str, template: str, values: Dict[str, Any]):
        """Draws one card into the cache unless its key is there already, then copies it."""
        assert self.renderer is not None
        try:
            key = self.renderer.key(template, values)
            name = hashlib.sha256(key.encode()).hexdigest()[:32] + ".png"
            cached = os.path.join(self.cache, name)
            fresh = not os.path.exists(cached)
            if fresh:
                tmp = f"{cached}.{os.getpid()}.{threading.get_ident()}.png"
                self.renderer.render_to(tmp, template, values)
                os.replace(tmp, cached)
            with self.count:
                if fresh:
                    self.rendered += 1
                else:
                    self.reused += 1
            target = os.path.join(site_dir, card)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(cached, target)
            return page, None
        except (OgmillError, OSError) as e:
            return page, str(e)

    def _card_path(self, page: Any) -> str:
        stem = posixpath.splitext(page.file.src_uri)[0]
        return posixpath.join(self.config.cards_dir, stem + ".png")


def _section(page: Any) -> str:
    names = []
    parent = getattr(page, "parent", None)
    while parent is not None:
        if getattr(parent, "title", None):
            names.append(parent.title)
        parent = getattr(parent, "parent", None)
    return " / ".join(reversed(names))

