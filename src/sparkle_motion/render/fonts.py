"""The one font the renderer draws with: Noto Sans from the ``fontpkg-noto-sans`` wheel.

No system fonts are consulted, so frames render the same on every host.
"""

from __future__ import annotations

import functools
import struct
from importlib import resources
from pathlib import Path

from PIL import ImageFont

from sparkle_motion.errors import MediaError

__all__ = ["FONT_FILE", "FONT_PACKAGE", "font", "font_path", "fonts_dir", "missing_glyphs"]

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


@functools.cache
def _covered() -> frozenset[int]:
    """Code points the bundled font maps to a glyph (its ``cmap``, formats 4 and 12)."""
    data = font_path().read_bytes()
    tables = struct.unpack_from(">H", data, 4)[0]
    cmap = next(
        struct.unpack_from(">I", data, 12 + 16 * i + 8)[0]
        for i in range(tables)
        if data[12 + 16 * i : 12 + 16 * i + 4] == b"cmap"
    )
    points: set[int] = set()
    for i in range(struct.unpack_from(">H", data, cmap + 2)[0]):
        offset = cmap + struct.unpack_from(">I", data, cmap + 4 + 8 * i + 4)[0]
        kind = struct.unpack_from(">H", data, offset)[0]
        if kind == 4:
            segments = struct.unpack_from(">H", data, offset + 6)[0] // 2
            ends = struct.unpack_from(f">{segments}H", data, offset + 14)
            starts = struct.unpack_from(f">{segments}H", data, offset + 16 + 2 * segments)
            deltas = struct.unpack_from(f">{segments}h", data, offset + 16 + 4 * segments)
            ranges_at = offset + 16 + 6 * segments
            ranges = struct.unpack_from(f">{segments}H", data, ranges_at)
            for k, (start, end) in enumerate(zip(starts, ends, strict=True)):
                for code in range(start, end + 1):
                    if ranges[k] == 0:
                        glyph = (code + deltas[k]) & 0xFFFF
                    else:  # the glyph id sits in the array the range offset points into
                        at = ranges_at + 2 * k + ranges[k] + 2 * (code - start)
                        glyph = struct.unpack_from(">H", data, at)[0]
                        glyph = (glyph + deltas[k]) & 0xFFFF if glyph else 0
                    if glyph:
                        points.add(code)
        elif kind == 12:
            groups = struct.unpack_from(">I", data, offset + 12)[0]
            for g in range(groups):
                start, end, _ = struct.unpack_from(">III", data, offset + 16 + 12 * g)
                points.update(range(start, end + 1))
    points.discard(0xFFFF)
    return frozenset(points)


def missing_glyphs(text: str) -> list[str]:
    """The characters of ``text`` the bundled font cannot draw, in order of first use.

    Spaces and line breaks never count: they need no glyph.
    """
    covered = _covered()
    missing: dict[str, None] = {}
    for char in text:
        if not char.isspace() and ord(char) not in covered:
            missing.setdefault(char)
    return list(missing)
