"""The one font the renderer draws with: Noto Sans from the ``fontpkg-noto-sans`` wheel.

No system fonts are consulted, so frames render the same on every host.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from PIL import ImageFont

from sparkle_motion.errors import MediaError

__all__ = ["FONT_FILE", "FONT_PACKAGE", "font", "font_path", "fonts_dir"]

FONT_PACKAGE = "fontpkg_noto_sans"
FONT_FILE = "NotoSans[wdth,wght].ttf"


@functools.cache
def font_path() -> Path:
    """Path of the bundled Noto Sans variable font (weights Thin…Black)."""
    try:
        folder = resources.files(FONT_PACKAGE) / "files"
    except ModuleNotFoundError as exc:
        raise MediaError(
            f"the font package {FONT_PACKAGE!r} is not installed",
            hint="pip install fontpkg-noto-sans",
        ) from exc
    path = Path(str(folder / FONT_FILE))
    if not path.is_file():
        raise MediaError(
            f"{FONT_FILE} is missing from the installed {FONT_PACKAGE}",
            where=str(path.parent),
            hint="reinstall it: pip install --force-reinstall fontpkg-noto-sans",
        )
    return path


def fonts_dir() -> Path:
    """Folder holding the bundled fonts (for libass ``fontsdir``)."""
    return font_path().parent


@functools.lru_cache(maxsize=64)
def font(size: int, weight: str = "Regular") -> ImageFont.FreeTypeFont:
    """Noto Sans at ``size`` pixels and a named weight (``Regular``, ``SemiBold``, ``Bold``…).

    Fonts are cached and shared: do not change their variation.
    """
    if size < 1:
        raise ValueError(f"font size must be at least 1 px, got {size}")
    face = ImageFont.truetype(str(font_path()), size)
    face.set_variation_by_name(weight)
    return face
