"""Lines into Fountain elements: paragraphs ("blocks") and what each line is.

A block is a run of non-blank lines (a *soft* line of two spaces stays inside
it as an empty line). Reading a block, the first line decides:

===============================  ============================================
``===`` (three or more)          page break
``#``, ``##``, ...               section (its depth is the number of ``#``)
``=``                            synopsis
``~``                            lyric (consecutive ``~`` lines)
``>text<``                       centered text (consecutive such lines)
``>text``                        transition, forced
``!text``                        action, forced
``.TEXT`` (not ``..``)           scene heading, forced
``INT``/``EXT``/``EST``/         scene heading; ``#1A#`` at its end is the
``INT./EXT``/``INT/EXT``/``I/E`` scene number (any case, then ``.`` or space)
then ``.`` or a space
``@Name`` with a line after it   character, forced
all caps ending in ``TO:``,      transition, when nothing follows it in the
or ``FADE IN:``/``FADE OUT.``/   block
``FADE TO BLACK.``
all caps with a line after it    character; the lines after it are its
                                 dialogue, parentheticals and lyrics
anything else                    action
===============================  ============================================

Headings, characters and plain transitions need a blank line before them
(the start of a block); the markers ``!``, ``>``, ``~``, ``=``, ``#`` work on
any line and split an action block there. After a heading, section,
synopsis, transition or page break the rest of the block is read as if a
blank line came first. An all-caps line with nothing after it is action, as
the spec says; a heading needs no blank line after it (we are lenient there).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from sparkle_motion.writing.fountain.lexer import Line, Note
from sparkle_motion.writing.fountain.tokens import (
    ActionToken,
    Chunk,
    Cue,
    DialogueToken,
    HeadingToken,
    NoteToken,
    PageBreakToken,
    SectionToken,
    SynopsisToken,
    Token,
    TransitionToken,
)

__all__ = [
    "KNOWN_TRANSITIONS",
    "LINE_MARKERS",
    "is_heading_text",
    "is_transition_text",
    "parse_cue",
    "read_block",
    "tokens_of",
]

_HEADING = re.compile(r"(?:INT\.?/EXT|I/E|INT|EXT|EST)(?:\.|\s)", re.IGNORECASE)
_SCENE_NUMBER = re.compile(r"#([A-Za-z0-9.\-]+)#$")
_PAGE_BREAK = re.compile(r"={3,}")
KNOWN_TRANSITIONS = frozenset({"FADE IN:", "FADE OUT.", "FADE TO BLACK."})
LINE_MARKERS = ("!", ">", "~", "=", "#")
"""Characters that make a line something else wherever it stands."""


def _words(text: str) -> str:
    """One-line elements (headings, sections, synopses, transitions) with spaces collapsed."""
    return " ".join(text.split())


def _all_caps(text: str) -> bool:
    return any(ch.isalpha() for ch in text) and not any(ch.islower() for ch in text)


def is_heading_text(text: str) -> bool:
    return _HEADING.match(text) is not None


def is_transition_text(text: str) -> bool:
    return _all_caps(text) and (text.endswith("TO:") or text in KNOWN_TRANSITIONS)


def parse_cue(text: str, *, forced: bool) -> Cue | None:
    """A character cue (``NAME (EXT) (EXT) ^``), or None if ``text`` is not one."""
    rest = text.strip()
    dual = rest.endswith("^")
    if dual:
        rest = rest[:-1].rstrip()
    extensions: list[str] = []
    while rest.endswith(")"):
        start = rest.rfind("(")
        inner = rest[start + 1 : -1]
        if start < 0 or ")" in inner:
            break
        extensions.insert(0, " ".join(inner.split()))
        rest = rest[:start].rstrip()
    name = " ".join(rest.split())
    if not name or "(" in name or ")" in name or "^" in name:
        if not forced or not text.strip():
            return None
        name, extensions, dual = " ".join(text.split()), [], False
    if not forced and (not _all_caps(name) or name.endswith(":")):
        return None
    return Cue(name, forced, tuple(e for e in extensions if e), dual)


def _notes(line: Line, *, first: bool) -> list[Note]:
    return list(line.notes) if first else [*line.before, *line.notes]


class _Reader:
    def __init__(self, block: Sequence[Line]) -> None:
        self.block = block

    def stripped(self, index: int) -> str:
        return self.block[index].text.strip()

    def action(self, start: int, first_text: str) -> tuple[int, ActionToken]:
        token = ActionToken(self.block[start].number, [first_text])
        token.notes.extend(_notes(self.block[start], first=start == 0))
        index = start + 1
        while index < len(self.block):
            line = self.block[index]
            stripped = line.text.strip()
            if stripped.startswith(LINE_MARKERS[1:]):
                break
            token.lines.append(stripped[1:] if stripped.startswith("!") else line.text)
            token.notes.extend(_notes(line, first=False))
            index += 1
        while token.lines and not token.lines[-1].strip():
            token.lines.pop()
        return index, token

    def run(self, start: int, keep: str) -> tuple[int, list[str], list[Note]]:
        """Consecutive lines for which ``keep`` says yes: centered or lyric lines."""
        texts: list[str] = []
        notes: list[Note] = []
        index = start
        while index < len(self.block):
            stripped = self.stripped(index)
            if keep == "~" and stripped.startswith("~"):
                texts.append(stripped[1:].strip())
            elif keep == "><" and len(stripped) >= 2 and stripped[0] == ">" and stripped[-1] == "<":
                texts.append(stripped[1:-1].strip())
            else:
                break
            notes.extend(_notes(self.block[index], first=index == 0))
            index += 1
        return index, texts, notes

    def parenthetical_end(self, start: int) -> int | None:
        first = self.stripped(start)
        if first.endswith(")"):
            return start
        if ")" in first:
            return None
        for index in range(start + 1, len(self.block)):
            text = self.stripped(index)
            if text.endswith(")") and "(" not in text and ")" not in text[:-1]:
                return index
            if not text or "(" in text or ")" in text:
                return None
        return None

    def dialogue(self, start: int, cue: Cue) -> tuple[int, DialogueToken]:
        token = DialogueToken(self.block[start].number, cue, [])
        cue_notes = _notes(self.block[start], first=start == 0)
        chunk: Chunk | None = None

        def flush() -> None:
            nonlocal chunk
            if chunk is not None:
                while chunk.lines and not chunk.lines[-1]:
                    chunk.lines.pop()
                if chunk.lines or chunk.parenthetical is not None:
                    token.chunks.append(chunk)
                else:
                    token.notes.extend(chunk.notes)
            chunk = None

        index = start + 1
        while index < len(self.block):
            line = self.block[index]
            text = line.text.strip()
            notes = _notes(line, first=False)
            end = self.parenthetical_end(index) if text.startswith("(") else None
            if end is not None:
                words = " ".join(self.stripped(i) for i in range(index, end + 1))
                inner = " ".join(words[1:-1].split())
                if chunk is not None and chunk.lines:
                    flush()
                if chunk is None:
                    chunk = Chunk(line.number, None, [], lyric=False)
                if inner:
                    chunk.parenthetical = (
                        inner if chunk.parenthetical is None else f"{chunk.parenthetical}, {inner}"
                    )
                for i in range(index, end + 1):
                    chunk.notes.extend(_notes(self.block[i], first=False))
                index = end + 1
                continue
            lyric = text.startswith("~")
            if lyric:
                text = text[1:].strip()
            if chunk is not None and chunk.lines and (chunk.lyric != lyric) and text:
                flush()
            if chunk is None:
                chunk = Chunk(line.number, None, [], lyric=lyric)
            if not chunk.lines:
                chunk.lyric = lyric
            if text or chunk.lines:
                chunk.lines.append(text)
            chunk.notes.extend(notes)
            index += 1
        flush()
        if token.chunks:
            token.chunks[0].notes[:0] = cue_notes
        else:
            token.notes[:0] = cue_notes
        return index, token

    def one(self, index: int, fresh: bool) -> tuple[int, Token]:
        line = self.block[index]
        text = line.text.strip()
        number = line.number
        notes = _notes(line, first=index == 0)
        last = index == len(self.block) - 1
        if _PAGE_BREAK.fullmatch(text):
            return index + 1, PageBreakToken(number, notes)
        if text.startswith("#"):
            depth = len(text) - len(text.lstrip("#"))
            return index + 1, SectionToken(number, depth, _words(text[depth:]), notes)
        if text.startswith("="):
            return index + 1, SynopsisToken(number, _words(text[1:]), notes)
        if text.startswith("~"):
            end, texts, run_notes = self.run(index, "~")
            return end, ActionToken(number, texts, lyric=True, notes=run_notes)
        if len(text) >= 2 and text[0] == ">" and text[-1] == "<":
            end, texts, run_notes = self.run(index, "><")
            return end, ActionToken(number, texts, centered=True, notes=run_notes)
        if text.startswith(">"):
            return index + 1, TransitionToken(number, _words(text[1:]), notes)
        if text.startswith("!"):
            return self.action(index, text[1:])
        if fresh:
            if text.startswith(".") and len(text) > 1 and text[1] != ".":
                return index + 1, _heading(number, text[1:], notes)
            if is_heading_text(text):
                return index + 1, _heading(number, text, notes)
            has_next = not last and bool(self.stripped(index + 1))
            if text.startswith("@"):
                cue = parse_cue(text[1:], forced=True) if has_next else None
                if cue is not None:
                    return self.dialogue(index, cue)
                return self.action(index, text[1:].strip())
            if last and is_transition_text(text):
                return index + 1, TransitionToken(number, _words(text), notes)
            cue = parse_cue(text, forced=False) if has_next else None
            if cue is not None:
                return self.dialogue(index, cue)
        return self.action(index, line.text)


def _heading(number: int, text: str, notes: list[Note]) -> HeadingToken:
    heading = _words(text)
    match = _SCENE_NUMBER.search(heading)
    scene_number = None
    if match is not None and heading[: match.start()].strip():  # `.#1#` is a heading named #1#
        scene_number = match.group(1)
        heading = heading[: match.start()].rstrip()
    return HeadingToken(number, heading, scene_number, notes)


_STRUCTURAL = (HeadingToken, SectionToken, SynopsisToken, TransitionToken, PageBreakToken)


def read_block(block: Sequence[Line]) -> list[Token]:
    """The elements of one block, in order."""
    reader = _Reader(block)
    tokens: list[Token] = []
    index, fresh = 0, True
    while index < len(block):
        line = block[index]
        if line.blank:
            tokens.extend(NoteToken(n.line, n) for n in _notes(line, first=index == 0))
            index += 1
            continue
        index, token = reader.one(index, fresh)
        tokens.append(token)
        fresh = isinstance(token, _STRUCTURAL)
    return tokens


def _standalone(line: Line, *, with_own: bool) -> Iterator[NoteToken]:
    for note in [*line.before, *(line.notes if with_own else [])]:
        yield NoteToken(note.line, note)


def tokens_of(lines: Sequence[Line], trailing: Sequence[Note]) -> list[Token]:
    """Every element of the body, notes on lines of their own as ``NoteToken``s."""
    tokens: list[Token] = []
    block: list[Line] = []
    soft: list[Line] = []

    def close() -> None:
        if block:
            tokens.extend(read_block(block))
            block.clear()
        for line in soft:
            tokens.extend(_standalone(line, with_own=True))
        soft.clear()

    for line in lines:
        if line.blank:
            if line.soft and block:
                soft.append(line)
                continue
            close()
            tokens.extend(_standalone(line, with_own=True))
            continue
        if not block:
            tokens.extend(_standalone(line, with_own=False))
        block.extend(soft)
        soft.clear()
        block.append(line)
    close()
    tokens.extend(NoteToken(note.line, note) for note in trailing)
    return tokens
