"""Idea files: ``episodes/<id>.idea.yaml``, the episodes they declare, and reading one.

An idea file stands for ``episodes`` episodes. The first takes the file's
own id; the others count on from it: ``ep01.idea.yaml`` with ``episodes: 3``
declares ``ep01``, ``ep02`` and ``ep03`` (an id without a number gets
``-2``, ``-3``: ``pilot``, ``pilot-2``). ``sparkle-motion run DIR --episode
ep02`` writes the second one. A file of its own for a declared id (say
``ep02.script.json``) takes that episode over.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from sparkle_motion.errors import InvalidArtifact, MissingInput
from sparkle_motion.schemas import Idea
from sparkle_motion.writing.base import WritingContext, WrittenEpisode
from sparkle_motion.writing.canon_rules import cast_for
from sparkle_motion.writing.documents import load_yaml

__all__ = [
    "IDEA_SUFFIX",
    "declared_episode_ids",
    "idea_episode_ids",
    "parse_idea",
    "read_idea_episode",
]

IDEA_SUFFIX = ".idea.yaml"
_NUMBERED = re.compile(r"^(.*?)(\d+)$")


def idea_episode_ids(first: str, count: int) -> list[str]:
    """The ids of ``count`` episodes starting at ``first``: ep01, ep02, ...; pilot, pilot-2."""
    match = _NUMBERED.match(first)
    if match is None:
        return [first, *(f"{first}-{n}" for n in range(2, count + 1))]
    prefix, digits = match.groups()
    return [f"{prefix}{int(digits) + n:0{len(digits)}d}" for n in range(count)]


def parse_idea(data: bytes, source: str) -> Idea:
    """The idea in a YAML file; malformed YAML names its line."""
    return Idea.from_data(load_yaml(data, source), source=source)


def declared_episode_ids(path: Path, first: str) -> list[str]:
    """Every episode an idea file declares; just ``first`` when it cannot be read yet.

    A broken file still stands for its own episode, so that running it reports
    the problem instead of hiding the episode.
    """
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return [first]
    count = loaded.get("episodes", 1) if isinstance(loaded, dict) else 1
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 52:
        return [first]
    return idea_episode_ids(first, count)


def read_idea_episode(data: bytes, source: str, context: WritingContext) -> WrittenEpisode:
    """The episode ``context.episode_id`` of the idea in ``data``, by ``context.writer``."""
    idea = parse_idea(data, source)
    first = Path(source).name.removesuffix(IDEA_SUFFIX)
    ids = idea_episode_ids(first, idea.episodes)
    if context.episode_id not in ids:
        raise MissingInput(
            f"the idea declares {', '.join(ids)}, not {context.episode_id}",
            where=source,
            hint=f"raise episodes: in the idea to at least {context.episode_id}'s number",
        )
    if len(cast_for(idea, context.canon)) < 2:
        raise InvalidArtifact(
            "$.characters: the idea needs two characters the canon does not record as dead",
            where=source,
            hint="add a character to the idea",
        )
    return context.writer.write(idea, ids, ids.index(context.episode_id) + 1, context)
