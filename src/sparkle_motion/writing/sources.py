"""Episode sources: each file kind in ``episodes/`` and the reader that makes a Script.

The ``write`` stage looks up the reader by the file name's suffix. A reader
takes the file's bytes and where they came from, and returns a validated
Script or raises an InputError naming the file and line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sparkle_motion.schemas import Script

__all__ = ["EPISODE_READERS", "EpisodeReader", "episode_id_of", "read_script_json"]

EpisodeReader = Callable[[bytes, str], Script]


def read_script_json(data: bytes, source: str) -> Script:
    return Script.from_json(data, source=source)


# Suffix -> reader, most specific first.
EPISODE_READERS: dict[str, EpisodeReader] = {
    ".script.json": read_script_json,
}


def episode_id_of(path: Path) -> str | None:
    """The episode id a file in ``episodes/`` stands for, or None if no reader takes it."""
    for suffix in EPISODE_READERS:
        if path.name.endswith(suffix) and len(path.name) > len(suffix):
            return path.name[: -len(suffix)]
    return None
