"""Episode sources: each file kind in ``episodes/`` and the reader that makes a Script.

The ``write`` stage looks up the reader by the file name's suffix. A reader
takes the file's bytes and where they came from, and returns a validated
Script or raises an InputError naming the file and line. A source that needs
more than its bytes (an idea needs a writer, the seed, the target length,
the canon) has a context reader instead, which also gets the
:class:`~sparkle_motion.writing.base.WritingContext` and returns a
:class:`~sparkle_motion.writing.base.WrittenEpisode`. ``read_episode`` reads
any source; ``episode_ids_of`` lists the episodes a file stands for.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sparkle_motion.errors import MissingInput
from sparkle_motion.schemas import Script
from sparkle_motion.writing.base import WritingContext, WrittenEpisode
from sparkle_motion.writing.fountain import read_fountain
from sparkle_motion.writing.idea import IDEA_SUFFIX, declared_episode_ids, read_idea_episode

__all__ = [
    "CONTEXT_READERS",
    "EPISODE_READERS",
    "ContextReader",
    "EpisodeReader",
    "episode_id_of",
    "episode_ids_of",
    "read_episode",
    "read_script_json",
]

EpisodeReader = Callable[[bytes, str], Script]
ContextReader = Callable[[bytes, str, WritingContext], WrittenEpisode]


def read_script_json(data: bytes, source: str) -> Script:
    return Script.from_json(data, source=source)


# Suffix -> reader, most specific first.
EPISODE_READERS: dict[str, EpisodeReader] = {
    ".script.json": read_script_json,
    ".fountain": read_fountain,
}


# Suffix -> reader, for sources written in a context (by a writer).
CONTEXT_READERS: dict[str, ContextReader] = {
    IDEA_SUFFIX: read_idea_episode,
}


def episode_id_of(path: Path) -> str | None:
    """The episode id a file in ``episodes/`` stands for, or None if no reader takes it."""
    for suffix in (*CONTEXT_READERS, *EPISODE_READERS):
        if path.name.endswith(suffix) and len(path.name) > len(suffix):
            return path.name[: -len(suffix)]
    return None


def episode_ids_of(path: Path) -> list[str]:
    """Every episode a file stands for: its own id first, then any it declares (ideas)."""
    own = episode_id_of(path)
    if own is None:
        return []
    return declared_episode_ids(path, own) if path.name.endswith(IDEA_SUFFIX) else [own]


def read_episode(data: bytes, source: str, context: WritingContext) -> WrittenEpisode:
    """Any episode source, by its suffix, as a written episode."""
    name = Path(source).name
    for suffix, reader in CONTEXT_READERS.items():
        if name.endswith(suffix):
            return reader(data, source, context)
    for suffix, plain in EPISODE_READERS.items():
        if name.endswith(suffix):
            return WrittenEpisode(script=plain(data, source))
    raise MissingInput(
        "no reader for this kind of episode file",
        where=source,
        hint="use .script.json, .fountain or .idea.yaml",
    )
