"""The elements a Fountain text is read into, before they become a Script."""

from __future__ import annotations

from dataclasses import dataclass, field

from sparkle_motion.writing.fountain.lexer import Note

__all__ = [
    "ActionToken",
    "Chunk",
    "Cue",
    "DialogueToken",
    "HeadingToken",
    "NoteToken",
    "PageBreakToken",
    "SectionToken",
    "SynopsisToken",
    "Token",
    "TransitionToken",
]


@dataclass
class HeadingToken:
    line: int
    text: str
    number: str | None
    notes: list[Note] = field(default_factory=list)


@dataclass
class SectionToken:
    line: int
    depth: int
    text: str
    notes: list[Note] = field(default_factory=list)


@dataclass
class SynopsisToken:
    line: int
    text: str
    notes: list[Note] = field(default_factory=list)


@dataclass
class TransitionToken:
    line: int
    text: str
    notes: list[Note] = field(default_factory=list)


@dataclass
class PageBreakToken:
    line: int
    notes: list[Note] = field(default_factory=list)


@dataclass
class ActionToken:
    line: int
    lines: list[str]
    centered: bool = False
    lyric: bool = False
    notes: list[Note] = field(default_factory=list)


@dataclass(frozen=True)
class Cue:
    name: str
    forced: bool
    extensions: tuple[str, ...]
    dual: bool


@dataclass
class Chunk:
    """One parenthetical (or none) and the lines spoken after it."""

    line: int
    parenthetical: str | None
    lines: list[str]
    lyric: bool
    notes: list[Note] = field(default_factory=list)


@dataclass
class DialogueToken:
    line: int
    cue: Cue
    chunks: list[Chunk]
    notes: list[Note] = field(default_factory=list)
    """Notes inside the block that belong to no chunk (they follow its last line)."""


@dataclass
class NoteToken:
    line: int
    note: Note


Token = (
    HeadingToken
    | SectionToken
    | SynopsisToken
    | TransitionToken
    | PageBreakToken
    | ActionToken
    | DialogueToken
    | NoteToken
)
