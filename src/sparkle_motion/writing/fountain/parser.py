"""Fountain elements into a Script: scenes, speakers, ids, notes and canon claims.

Ids are positional, so that editing the words of one line changes no id:
scenes are ``s1``, ``s2``, ... in order; action paragraphs are ``a1``,
``a2``, ... and spoken lines ``l1``, ``l2``, ... counted through the whole
script. Adding or removing an element renumbers only the elements of its
kind that come after it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from sparkle_motion.canon.claims import is_claim, parse_claim
from sparkle_motion.errors import FountainError
from sparkle_motion.schemas import CanonClaim, Script
from sparkle_motion.writing.fountain.emphasis import parse_lines
from sparkle_motion.writing.fountain.headings import place_of
from sparkle_motion.writing.fountain.lexer import Lexed, Note
from sparkle_motion.writing.fountain.names import display_name, speaker_id
from sparkle_motion.writing.fountain.tags import delivery_of_extensions, parenthetical_tags
from sparkle_motion.writing.fountain.title_page import title_of
from sparkle_motion.writing.fountain.tokens import (
    ActionToken,
    Chunk,
    DialogueToken,
    HeadingToken,
    NoteToken,
    PageBreakToken,
    SectionToken,
    SynopsisToken,
    Token,
    TransitionToken,
)

__all__ = ["SECTION_SEPARATOR", "build_script"]

SECTION_SEPARATOR = " / "
_OFFSCREEN = frozenset({"vo", "os", "radio", "phone"})


@dataclass
class _Scene:
    line: int
    heading: str
    number: str | None
    place: dict[str, Any]
    section: str | None
    elements: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    claims: list[CanonClaim] = field(default_factory=list)
    synopsis: list[str] = field(default_factory=list)
    transition: str | None = None


@dataclass
class _Pending:
    notes: list[str] = field(default_factory=list)
    claims: list[CanonClaim] = field(default_factory=list)
    synopsis: list[str] = field(default_factory=list)


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.scenes: list[_Scene] = []
        self.pending = _Pending()
        self.sections: list[tuple[int, str]] = []
        self.after_section = False
        self.counts = {"a": 0, "l": 0}
        self.speakers: dict[str, str] = {}

    # -- places in the script ------------------------------------------------

    @property
    def scene(self) -> _Scene | None:
        return self.scenes[-1] if self.scenes else None

    def section_path(self) -> str | None:
        return SECTION_SEPARATOR.join(title for _, title in self.sections) or None

    def open_scene(self, line: int, heading: str, number: str | None) -> _Scene:
        previous = self.scenes[-1].place["time_of_day"] if self.scenes else None
        place = place_of(heading, previous)
        scene = _Scene(
            line=line,
            heading=heading,
            number=number,
            place={
                "location": place.location,
                "location_id": place.location_id,
                "interior": place.interior,
                "time_of_day": place.time_of_day,
            },
            section=self.section_path(),
        )
        scene.notes.extend(self.pending.notes)
        scene.claims.extend(self.pending.claims)
        scene.synopsis.extend(self.pending.synopsis)
        self.pending = _Pending()
        self.scenes.append(scene)
        self.after_section = False
        return scene

    def current(self, line: int) -> _Scene:
        """The scene an element goes into; content before any heading opens a default one."""
        return self.scene or self.open_scene(line, "", None)

    # -- notes ------------------------------------------------------------------

    def note(self, note: Note, element_id: str | None) -> None:
        scene = self.scene
        if is_claim(note.text):
            claim = parse_claim(
                note.text,
                where=f"{self.source}:{note.line}",
                source_line=note.line,
                element_id=element_id,
            )
            (scene.claims if scene else self.pending.claims).append(claim)
        else:
            (scene.notes if scene else self.pending.notes).append(note.text)

    def loose_note(self, note: Note) -> None:
        """A note on a line of its own: it follows the last element of the scene."""
        scene = self.scene
        last = scene.elements[-1]["id"] if scene and scene.elements else None
        self.note(note, last)

    # -- elements ---------------------------------------------------------------

    def next_id(self, kind: str) -> str:
        self.counts[kind] += 1
        return f"{kind}{self.counts[kind]}"

    def add_action(
        self,
        line: int,
        lines: Sequence[str],
        notes: Sequence[Note],
        *,
        centered: bool = False,
        lyric: bool = False,
    ) -> None:
        text, spans = parse_lines(_trim(lines))
        if not text.strip():
            for note in notes:
                self.loose_note(note)
            return
        scene = self.current(line)
        element_id = self.next_id("a")
        element = {
            "type": "action",
            "id": element_id,
            "text": text,
            "spans": spans,
            "centered": centered,
            "lyric": lyric,
        }
        scene.elements.append(element)
        for note in notes:
            self.note(note, element_id)

    def add_line(self, token: DialogueToken, chunk: Chunk) -> None:
        text, spans = parse_lines(_trim(chunk.lines))
        cue = token.cue
        if not text.strip():
            paren = f" ({chunk.parenthetical})" if chunk.parenthetical else ""
            self.add_action(chunk.line, [cue.name + paren], chunk.notes)
            return
        name = cue.name if cue.forced else display_name(cue.name)
        ident = speaker_id(name)
        self.speakers.setdefault(ident, name)
        emotion, paren_delivery = parenthetical_tags(chunk.parenthetical)
        scene = self.current(token.line)
        element_id = self.next_id("l")
        element = {
            "type": "dialogue",
            "id": element_id,
            "speaker_id": ident,
            "text": text,
            "spans": spans,
            "emotion": emotion,
            "delivery": delivery_of_extensions(cue.extensions) or paren_delivery,
            "parenthetical": chunk.parenthetical,
            "dual": cue.dual,
            "lyric": chunk.lyric,
        }
        scene.elements.append(element)
        for note in chunk.notes:
            self.note(note, element_id)

    # -- tokens -----------------------------------------------------------------

    def take(self, token: Token) -> None:
        if isinstance(token, HeadingToken):
            self.open_scene(token.line, token.text, token.number)
            for note in token.notes:
                self.note(note, None)
        elif isinstance(token, SectionToken):
            if token.text:
                self.sections = [s for s in self.sections if s[0] < token.depth]
                self.sections.append((token.depth, token.text))
                self.after_section = True
            self._loose(token.notes)
        elif isinstance(token, SynopsisToken):
            if token.text:
                target = self.scene
                if target is None or self.after_section:
                    self.pending.synopsis.append(token.text)
                else:
                    target.synopsis.append(token.text)
            self._loose(token.notes)
        elif isinstance(token, TransitionToken):
            if token.text and self.scene is not None:
                self.scene.transition = token.text
            self._loose(token.notes)
        elif isinstance(token, PageBreakToken):
            self._loose(token.notes)
        elif isinstance(token, NoteToken):
            self.loose_note(token.note)
        elif isinstance(token, ActionToken):
            self.after_section = False
            self.add_action(
                token.line, token.lines, token.notes, centered=token.centered, lyric=token.lyric
            )
        else:
            self.after_section = False
            if not token.chunks:
                self.add_action(token.line, [token.cue.name], token.notes)
            for chunk in token.chunks:
                self.add_line(token, chunk)
            self._loose(token.notes)

    def _loose(self, notes: Sequence[Note]) -> None:
        for note in notes:
            self.loose_note(note)


def _trim(lines: Sequence[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return [line.rstrip() for line in lines[start:end]]


def _mentions(text: str, names: dict[str, re.Pattern[str]]) -> list[str]:
    found = [(m.start(), ident) for ident, pattern in names.items() if (m := pattern.search(text))]
    return [ident for _, ident in sorted(found)]


def _finish_scene(
    index: int, scene: _Scene, names: dict[str, re.Pattern[str]], source: str
) -> dict[str, Any]:
    if not scene.elements:
        raise FountainError(
            f"the scene {scene.heading!r} has no action or dialogue (expected at least one "
            "line of action or dialogue before the next scene heading)",
            where=f"{source}:{scene.line}",
            hint="write what happens in the scene, or remove the heading",
        )
    present: list[str] = []
    for element in scene.elements:
        if element["type"] == "action":
            element["characters"] = _mentions(element["text"], names)
            seen = element["characters"]
        else:
            seen = [] if element["delivery"] in _OFFSCREEN else [element["speaker_id"]]
        present.extend(who for who in seen if who not in present)
    return {
        "id": f"s{index}",
        "heading": scene.heading,
        "number": scene.number,
        **scene.place,
        "present": present,
        "section": scene.section,
        "synopsis": "\n".join(scene.synopsis) or None,
        "notes": scene.notes,
        "claims": scene.claims,
        "transition": scene.transition,
        "elements": scene.elements,
    }


def build_script(lexed: Lexed, tokens: Sequence[Token], *, episode_id: str, source: str) -> Script:
    """The Script the tokens describe; errors name ``source:line``."""
    builder = _Builder(source)
    for token in tokens:
        builder.take(token)
    if not builder.scenes:
        raise FountainError(
            "the screenplay has no action or dialogue (expected at least one scene with "
            "something in it)",
            where=f"{source}:1",
            hint="write a scene heading such as INT. KITCHEN - DAY and what happens there",
        )
    names = {
        ident: re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)
        for ident, name in builder.speakers.items()
    }
    scenes = [
        _finish_scene(index, scene, names, source)
        for index, scene in enumerate(builder.scenes, start=1)
    ]
    data = {
        "schema_version": Script.SCHEMA_VERSION,
        "episode_id": episode_id,
        "title": title_of(lexed.title_page),
        "title_page": lexed.title_page,
        "characters": [{"speaker_id": k, "name": v} for k, v in builder.speakers.items()],
        "scenes": scenes,
    }
    try:
        return Script.model_validate(data)
    except ValidationError as exc:  # a bug of ours, reported as what it is about
        first = exc.errors(include_url=False)[0]
        raise FountainError(
            f"cannot make a valid script: {first['msg']} at {first['loc']}",
            where=f"{source}:1",
            hint="please report this with the screenplay that caused it",
        ) from None
