"""Looking into local asset files before a render depends on them."""

from __future__ import annotations

from pathlib import Path

from sparkle_motion.errors import MediaError
from sparkle_motion.qa.probe import probe_stream
from sparkle_motion.render.images import load_image

__all__ = ["inspect_asset"]

_SOUND_KINDS = {"music", "sfx"}
_MIN_SOUND_SECONDS = 0.05


def inspect_asset(path: Path, kind: str) -> str | None:
    """What is wrong with a local asset file, or None when a render can use it."""
    if kind in _SOUND_KINDS:
        try:
            seconds = probe_stream(path, "a").seconds
        except MediaError:
            # ffmpeg's own words carry memory addresses: keep the note stable
            return "ffmpeg cannot read it as sound"
        if seconds < _MIN_SOUND_SECONDS:
            return f"the sound lasts {seconds:.3f} s"
        return None
    try:
        load_image(path)
    except MediaError as exc:
        return exc.message.splitlines()[0][:200]
    return None
