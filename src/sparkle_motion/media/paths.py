"""Confine asset references to the project and its configured library roots."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sparkle_motion.errors import AssetPathError

__all__ = ["confine"]


def confine(reference: str, base: Path, roots: Sequence[Path]) -> Path:
    """The real path ``reference`` names, refused when it leaves every root.

    Relative references are read from ``base``. ``..`` segments, absolute
    paths elsewhere and symlinks pointing out of the roots are all caught by
    comparing the fully resolved path with the resolved roots.
    """
    if not reference or "\x00" in reference:
        raise AssetPathError("empty or malformed asset reference", where=repr(reference))
    if reference.startswith("~"):
        raise AssetPathError(
            "asset references may not use ~ (home folder)",
            where=reference,
            hint="give a path inside the project, such as assets/locations/...",
        )
    candidate = Path(reference)
    if not candidate.is_absolute():
        candidate = base / candidate
    real = candidate.resolve(strict=False)
    allowed = [root.resolve(strict=False) for root in roots]
    if not any(real == root or real.is_relative_to(root) for root in allowed):
        raise AssetPathError(
            "asset reference points outside the project folder and the library roots",
            where=reference,
            hint="keep assets under the project's assets/ folder or add a library_roots entry",
        )
    return real
