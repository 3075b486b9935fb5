"""Open Graph images and social cards from SVG templates, rendered in-process.

    import ogmill
    r = ogmill.Renderer()                      # the bundled templates and fonts
    png = r.render("blog", {"title": "Hello", "author": "Jane"})
    r.render_to("card.webp", "blog", {"title": "Hello"})

The same cards, byte for byte, as the ogmill server and CLI make. Rendering releases the
GIL, so a thread pool renders on every core.
"""

from ._ogmill import (
    FontError,
    OgmillError,
    ParamError,
    RenderError,
    Renderer,
    TemplateError,
    __version__,
)

__all__ = [
    "Renderer",
    "OgmillError",
    "TemplateError",
    "ParamError",
    "FontError",
    "RenderError",
    "__version__",
]
