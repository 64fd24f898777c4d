"""A Script as Fountain text: deterministic, and read back into the same Script.

The layout, scene by scene: section lines when the section changes, the
heading (a first scene without one and in the default place gets none), the
synopsis, plain notes, canon claims that belong to no element, then each
element followed by its claims, then the transition. Elements are separated
by one blank line; the text ends with one newline.

A Script that came from Fountain comes back unchanged (``source_line`` of
claims aside, which points into the file read). What Fountain cannot hold
is left out: backgrounds, music moods, story time, characters who never
speak, and ``present``, ``characters`` of actions, which are worked out from
the text again.
"""

from __future__ import annotations

from collections.abc import Sequence

from sparkle_motion.canon.claims import format_claim, is_claim
from sparkle_motion.schemas import (
    ActionElement,
    CanonClaim,
    DialogueElement,
    Scene,
    Script,
    TextSpan,
)
from sparkle_motion.writing.fountain.blocks import LINE_MARKERS, is_heading_text, read_block
from sparkle_motion.writing.fountain.emphasis import render_lines
from sparkle_motion.writing.fountain.headings import DEFAULT_LOCATION, heading_for
from sparkle_motion.writing.fountain.lexer import Line
from sparkle_motion.writing.fountain.names import display_name, slug
from sparkle_motion.writing.fountain.parser import SECTION_SEPARATOR
from sparkle_motion.writing.fountain.tags import extension_for, parenthetical_tags
from sparkle_motion.writing.fountain.title_page import read_title_page, write_title_page
from sparkle_motion.writing.fountain.tokens import (
    ActionToken,
    DialogueToken,
    HeadingToken,
    TransitionToken,
)

__all__ = ["export_fountain"]

Block = list[str]


def _as_lines(texts: Sequence[str]) -> list[Line]:
    return [
        Line(number, text.rstrip(), soft=not text.strip() and len(text) >= 2)
        for number, text in enumerate(texts, start=1)
    ]


def _body_lines(text: str, spans: Sequence[TextSpan]) -> list[str]:
    lines = [line.rstrip() for line in render_lines(text, spans)]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def _action(element: ActionElement) -> Block:
    lines = _body_lines(element.text, element.spans)
    if not lines:
        return []
    if element.centered:
        return [f">{line.strip()}<" for line in lines]
    if element.lyric:
        return [f"~{line.strip()}" for line in lines]
    block = [lines[0]]
    for line in lines[1:]:
        if not line.strip():
            block.append("  ")
        elif line.lstrip().startswith(LINE_MARKERS):
            block.append("!" + line)
        else:
            block.append(line)
    tokens = read_block(_as_lines(block))
    plain = (
        len(tokens) == 1
        and isinstance(tokens[0], ActionToken)
        and not tokens[0].centered
        and not tokens[0].lyric
        and tokens[0].lines == lines
    )
    if not plain:
        block[0] = "!" + block[0]
    return block


def _cue(name: str, extension: str | None, dual: bool) -> str:
    tail = (f" ({extension})" if extension else "") + (" ^" if dual else "")
    upper = " ".join(name.upper().split())
    if display_name(upper) == name:
        tokens = read_block(_as_lines([upper + tail, "x"]))
        if tokens and isinstance(tokens[0], DialogueToken) and tokens[0].cue.name == upper:
            return upper + tail
    return "@" + " ".join(name.split()) + tail


def _dialogue(element: DialogueElement, script: Script) -> Block:
    parenthetical = element.parenthetical
    emotion, delivery = parenthetical_tags(parenthetical)
    if list(element.emotion) != emotion:
        missing = [tag for tag in element.emotion if tag not in emotion]
        parenthetical = ", ".join([*([parenthetical] if parenthetical else []), *missing])
        emotion, delivery = parenthetical_tags(parenthetical)
    extension = None
    if element.delivery and element.delivery != delivery:
        extension = extension_for(element.delivery)
    block = [_cue(script.character_name(element.speaker_id), extension, element.dual)]
    if parenthetical:
        block.append(f"({' '.join(parenthetical.split())})")
    for line in _body_lines(element.text, element.spans):
        if element.lyric:
            block.append(f"~{line.strip()}")
        else:
            block.append(line.strip() or "  ")
    return block


def _note(text: str) -> Block:
    words = " ".join(text.split()).replace("]]", "] ]").replace("/*", "/ *")
    if not words:
        return []
    if is_claim(words):
        words = "note: " + words
    return [f"[[{words}]]"]


def _claim(claim: CanonClaim) -> Block:
    return [f"[[{format_claim(claim)}]]"]


def _heading(scene: Scene) -> str:
    text = " ".join(scene.heading.split()) or heading_for(
        scene.location, scene.interior, scene.time_of_day
    )
    if not is_heading_text(text):
        text = (". " if text.startswith(".") else ".") + text
    if scene.number:
        text += f" #{scene.number}#"
    return text


def _is_default(scene: Scene) -> bool:
    return (
        not scene.heading
        and scene.number is None
        and scene.location == DEFAULT_LOCATION
        and scene.location_id in (None, slug(DEFAULT_LOCATION))
        and scene.interior
        and scene.time_of_day == "day"
    )


def _transition(text: str) -> Block:
    words = " ".join(text.split())
    if not words:
        return []
    tokens = read_block(_as_lines([words]))
    if tokens == [TransitionToken(1, words)]:
        return [words]
    return [f"> {words}"]


def _sections(path: str | None, previous: list[str]) -> tuple[list[Block], list[str]]:
    parts = [part.strip() for part in (path or "").split(SECTION_SEPARATOR) if part.strip()]
    if not parts or parts == previous:
        return [], previous
    common = 0
    while common < min(len(parts), len(previous)) and parts[common] == previous[common]:
        common += 1
    common = min(common, len(parts) - 1)
    return [["#" * (depth + 1) + " " + parts[depth]] for depth in range(common, len(parts))], parts


def _scene_blocks(scene: Scene, script: Script, *, first: bool) -> list[Block]:
    blocks: list[Block] = []
    if not (first and _is_default(scene)):
        blocks.append([_heading(scene)])
    if scene.synopsis:
        blocks.append([f"= {line.strip()}" for line in scene.synopsis.split("\n") if line.strip()])
    blocks.extend(_note(note) for note in scene.notes)
    ids = {element.id for element in scene.elements}
    claims: dict[str | None, list[CanonClaim]] = {}
    for claim in scene.claims:
        claims.setdefault(claim.element_id if claim.element_id in ids else None, []).append(claim)
    blocks.extend(_claim(claim) for claim in claims.get(None, []))
    for element in scene.elements:
        if isinstance(element, ActionElement):
            blocks.append(_action(element))
        else:
            blocks.append(_dialogue(element, script))
        blocks.extend(_claim(claim) for claim in claims.get(element.id, []))
    if scene.transition:
        blocks.append(_transition(scene.transition))
    return blocks


def _guard_title_page_lookalike(blocks: list[Block]) -> None:
    """A first block that would read as a title page is forced to be what it is."""
    first = blocks[0]
    if not read_title_page([(n, text) for n, text in enumerate(first, start=1)])[0]:
        return
    tokens = read_block(_as_lines(first))
    if tokens and isinstance(tokens[0], HeadingToken):
        first[0] = "." + first[0]
    elif tokens and isinstance(tokens[0], DialogueToken):
        name = tokens[0].cue.name
        if not first[0].startswith("@") and first[0].startswith(name):
            # a character cue stays a cue: forced, in the name's own case
            first[0] = "@" + display_name(name) + first[0][len(name) :]
    elif not first[0].startswith("!"):
        first[0] = "!" + first[0]


def export_fountain(script: Script) -> str:
    """Fountain text for ``script``; the same Script always gives the same text."""
    blocks: list[Block] = []
    page = write_title_page(script.title_page, script.title)
    if page:
        blocks.append(page)
    sections: list[str] = []
    for index, scene in enumerate(script.scenes):
        section_blocks, sections = _sections(scene.section, sections)
        blocks.extend(section_blocks)
        blocks.extend(_scene_blocks(scene, script, first=index == 0))
    blocks = [block for block in blocks if block]
    if blocks and not page:
        _guard_title_page_lookalike(blocks)
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"
