"""From bytes to numbered lines: decoding, the boneyard, the title page and notes.

What the lexer does, in order:

1. decode UTF-8 (byte-order marks are dropped; anything else that is not
   UTF-8 is an error naming the line), turn CRLF and CR into LF;
2. replace each tab with four spaces (the spec's rule for indenting);
3. cut out the boneyard ``/* ... */`` (it may span lines; one never closed
   is an error naming the line it opens on);
4. read the title page;
5. cut out notes ``[[ ... ]]`` (they may span lines, but not a blank line
   unless that line holds two spaces; one never closed is an error), and
   remember each note with the line it starts on.

A line left empty only because a note or the boneyard was cut out of it is
dropped, so a note between a character and the dialogue does not end the
dialogue. Trailing spaces are dropped; a line of two or more spaces is
remembered as *soft*: it keeps action and dialogue together as an empty line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sparkle_motion.errors import FountainError
from sparkle_motion.writing.fountain.title_page import read_title_page

__all__ = ["Lexed", "Line", "Note", "decode", "lex"]


@dataclass(frozen=True)
class Note:
    """The inside of ``[[ ... ]]``, whitespace collapsed, and the line it starts on."""

    text: str
    line: int


@dataclass
class Line:
    number: int
    text: str
    soft: bool = False
    notes: list[Note] = field(default_factory=list)
    """Notes that sat inside this line."""
    before: list[Note] = field(default_factory=list)
    """Notes on lines of their own just before this one."""

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass
class Lexed:
    title_page: dict[str, str]
    lines: list[Line]
    trailing_notes: list[Note]


def decode(data: bytes, source: str) -> str:
    """UTF-8 text of ``data`` (a BOM dropped), or an error naming the offending line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FountainError(
            f"not UTF-8 text: {exc.reason} at byte {exc.start} (expected a UTF-8 text file)",
            where=f"{source}:{line}",
            hint="save the screenplay as UTF-8",
        ) from None


def _join(before: str, after: str) -> str:
    if before.endswith(" ") and after.startswith(" "):
        return before + after[1:]
    return before + after


@dataclass(frozen=True)
class _Cut:
    """One line with its ``opener ... closer`` spans cut out."""

    outside: str
    pieces: list[tuple[str, bool]]
    """The text inside spans, in order, each marked with whether its span closed here."""
    opened: bool
    """Whether a span opened on this line."""
    inside: bool
    """Whether the line ends inside a span."""


def _cut_spans(text: str, inside: bool, opener: str, closer: str) -> _Cut:
    """Cut the spans out of ``text``; ``inside`` says a span is open as the line starts."""
    outside = ""
    pieces: list[tuple[str, bool]] = []
    opened = False
    i = 0
    while i <= len(text):
        if inside:
            close = text.find(closer, i)
            if close < 0:
                pieces.append((text[i:], False))
                break
            pieces.append((text[i:close], True))
            inside = False
            i = close + len(closer)
            continue
        start = text.find(opener, i)
        if start < 0:
            outside = _join(outside, text[i:])
            break
        outside = _join(outside, text[i:start])
        inside, opened = True, True
        i = start + len(opener)
    return _Cut(outside, pieces, opened, inside)


def _cut_boneyard(lines: list[str], source: str) -> list[tuple[int, str]]:
    kept: list[tuple[int, str]] = []
    inside = False
    opened = 0
    for number, text in enumerate(lines, start=1):
        cut = _cut_spans(text, inside, "/*", "*/")
        touched = inside or cut.opened
        opened = number if cut.opened else opened
        inside = cut.inside
        if touched and not cut.outside.strip():
            continue
        kept.append((number, cut.outside))
    if inside:
        raise FountainError(
            "the boneyard /* opened here is never closed (expected */ before the end of the file)",
            where=f"{source}:{opened}",
            hint="close it with */ or remove the /*",
        )
    return kept


def _cut_notes(lines: list[tuple[int, str]], source: str) -> tuple[list[Line], list[Note]]:
    kept: list[Line] = []
    waiting: list[Note] = []
    inside = False
    opened = 0
    buffer: list[str] = []
    for number, raw in lines:
        text = raw.rstrip()
        if inside and not text and len(raw) < 2:
            raise FountainError(
                f"the note [[ opened on line {opened} is not closed before the blank line "
                f"{number} (expected ]])",
                where=f"{source}:{opened}",
                hint="close the note with ]] (a blank line inside a note must hold two spaces)",
            )
        cut = _cut_spans(text, inside, "[[", "]]")
        found: list[Note] = []
        for index, (piece, closed) in enumerate(cut.pieces):
            buffer.append(piece)
            if closed:
                content = " ".join(" ".join(buffer).split())
                # only the first piece can belong to a note opened on an earlier line
                starts = opened if index == 0 and inside else number
                if content:
                    found.append(Note(content, starts))
                buffer = []
        touched = inside or cut.opened
        opened = number if cut.opened else opened
        inside = cut.inside
        if touched and not cut.outside.strip():
            waiting.extend(found)
            continue
        line = Line(number, cut.outside.rstrip(), soft=not text and len(raw) >= 2)
        line.notes.extend(found)
        line.before.extend(waiting)
        waiting = []
        kept.append(line)
    if inside:
        raise FountainError(
            "the note [[ opened here is never closed (expected ]] before the end of the file)",
            where=f"{source}:{opened}",
            hint="close the note with ]]",
        )
    return kept, waiting


def lex(text: str, source: str) -> Lexed:
    """Numbered body lines with notes cut out, the title page, and notes after the last line."""
    text = text.replace("\ufeff", "")  # a byte-order mark, also where files were pasted together
    physical = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    expanded = [line.replace("\t", "    ") for line in physical]
    kept = _cut_boneyard(expanded, source)
    page, body_start = read_title_page(kept)
    lines, trailing = _cut_notes(kept[body_start:], source)
    return Lexed(title_page=page, lines=lines, trailing_notes=trailing)
