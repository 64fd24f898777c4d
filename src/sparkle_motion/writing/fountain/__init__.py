"""Fountain screenplays, both ways: text → Script (import) and Script → text (export).

The pieces, each one idea: ``lexer`` (bytes to numbered lines; boneyard,
title page, notes), ``blocks`` (what each line is, as ``tokens``), ``emphasis`` (markup to
spans and back), ``headings`` (place and time), ``tags`` (extensions and
parentheticals to delivery and emotion), ``parser`` (elements to a Script)
and ``exporter`` (a Script to text). docs/fountain.md maps every piece of
Fountain syntax to the Script.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from sparkle_motion.errors import FountainError
from sparkle_motion.schemas import Script
from sparkle_motion.writing.fountain.blocks import tokens_of
from sparkle_motion.writing.fountain.exporter import export_fountain
from sparkle_motion.writing.fountain.lexer import decode, lex
from sparkle_motion.writing.fountain.names import slug
from sparkle_motion.writing.fountain.parser import build_script

__all__ = ["SUFFIX", "episode_id_of_file", "export_fountain", "parse_fountain", "read_fountain"]

SUFFIX = ".fountain"
_ID = re.compile(r"[a-z0-9][a-z0-9_\-]*")


def parse_fountain(text: str, *, episode_id: str, source: str = "<memory>") -> Script:
    """The Script a Fountain text describes, or a FountainError naming ``source:line``."""
    if _ID.fullmatch(episode_id) is None:
        raise FountainError(
            f"{episode_id!r} is not an episode id (expected lower-case letters, digits, - and _)",
            where=source,
            hint=f"use an id such as {slug(episode_id) or 'ep01'}",
        )
    lexed = lex(text, source)
    return build_script(
        lexed, tokens_of(lexed.lines, lexed.trailing_notes), episode_id=episode_id, source=source
    )


def episode_id_of_file(source: str) -> str:
    """``episodes/ep01.fountain`` → ``ep01``; a name that is no id is an error."""
    name = PurePath(source).name
    stem = name[: -len(SUFFIX)] if name.endswith(SUFFIX) else PurePath(name).stem
    if _ID.fullmatch(stem) is None:
        raise FountainError(
            f"the file name gives the episode id {stem!r}, which is not an id "
            "(expected lower-case letters, digits, - and _)",
            where=source,
            hint=f"rename the file, e.g. {slug(stem) or 'ep01'}{SUFFIX}",
        )
    return stem


def read_fountain(data: bytes, source: str) -> Script:
    """An episode reader: the file's bytes in, a Script whose episode id is the file name."""
    return parse_fountain(
        decode(data, source), episode_id=episode_id_of_file(source), source=source
    )
