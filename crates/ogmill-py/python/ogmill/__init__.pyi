from os import PathLike
from typing import Any, Mapping, Optional, Sequence, Union

__version__: str

class OgmillError(Exception): ...
class TemplateError(OgmillError): ...
class ParamError(OgmillError): ...
class FontError(OgmillError): ...
class RenderError(OgmillError): ...

_Path = Union[str, PathLike[str]]

class Renderer:
    def __init__(
        self,
        templates: Optional[Union[_Path, Mapping[str, str]]] = None,
        fonts: Optional[Sequence[Union[_Path, bytes]]] = None,
        *,
        bundled_fonts: bool = True,
        assets: Optional[_Path] = None,
        strict_fonts: bool = False,
        palette_tolerance: int = 1,
        compression: str = "fast",
    ) -> None: ...
    def render(
        self,
        template: str,
        params: Optional[Mapping[str, Any]] = None,
        *,
        format: str = "png",
        quality: Optional[int] = None,
        scale: int = 1,
    ) -> bytes: ...
    def render_to(
        self,
        path: _Path,
        template: str,
        params: Optional[Mapping[str, Any]] = None,
        *,
        quality: Optional[int] = None,
        scale: int = 1,
    ) -> int: ...
    def key(
        self,
        template: str,
        params: Optional[Mapping[str, Any]] = None,
        *,
        format: str = "png",
        quality: Optional[int] = None,
        scale: int = 1,
    ) -> str: ...
    def templates(self) -> list[dict[str, Any]]: ...
