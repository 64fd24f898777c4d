"""Registers: how each character says what the story needs said.

A register has lines for every *intent* (notice something, worry, propose a
plan, reveal a secret, ...) and its own verbal tics: openers and closers it
sprinkles on, sparingly. Two characters with different registers never sound
alike, and the same register always sounds like itself. The words are in
``data/voices.yaml``; the intents, the slots each is given and the way a
line is picked and dressed are here, beside the writer that relies on them.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from functools import cache
from typing import Annotated

from pydantic import BeforeValidator, Field, model_validator

from sparkle_motion.seeding import seed_int
from sparkle_motion.writing.template.tables import (
    LazyTable,
    Row,
    check_slots,
    named_by_key,
    read_table,
    slotted,
)

__all__ = [
    "INTENT_EMOTIONS",
    "REGISTERS",
    "Register",
    "RegisterTable",
    "named_register",
    "register_for",
    "register_table",
    "shortest",
    "speak",
]

# Intents a line can carry, with the emotion tag it gets (a tag frames the line close).
INTENT_EMOTIONS: dict[str, tuple[str, ...]] = {
    "open": (),
    "notice": (),
    "worry": ("worried",),
    "reassure": (),
    "propose": (),
    "doubt": (),
    "reveal": ("serious",),
    "react": ("surprised",),
    "decide": (),
    "banter": (),
    "recall": (),
    "hook": (),
    "resolve": (),
    "close": (),
}

# Every line is given the episode's thing, plan and secret and who is spoken
# to; these intents are given one slot more by the scenes that ask for them.
_EVERY_LINE = (
    "thing", "a_thing", "A_thing", "the_thing", "The_thing", "plan", "secret", "Secret", "other",
)  # fmt: skip
_EXTRA_SLOTS: dict[str, tuple[str, ...]] = {
    "open": ("place", "Place"),
    "recall": ("thread", "Thread"),
    "hook": ("thread", "Thread"),
    "resolve": ("thread", "Thread"),
}
_CAPITALISED = ("thread", "secret", "place")

_Tics = Annotated[tuple[str, ...], Field(min_length=1), slotted()]
_Lines = Annotated[tuple[str, ...], Field(min_length=1)]


class Register(Row):
    name: str
    personality: str
    openers: _Tics
    closers: _Tics
    """A closer starting with ", " replaces the line's full stop; others follow it."""
    lines: dict[str, _Lines]

    @model_validator(mode="after")
    def _lines_for_every_intent(self) -> Register:
        missing = [intent for intent in INTENT_EMOTIONS if intent not in self.lines]
        unknown = [intent for intent in self.lines if intent not in INTENT_EMOTIONS]
        if missing or unknown:
            raise ValueError(
                f"lines: missing {missing or 'none'}, unknown {unknown or 'none'}; "
                f"the intents are {', '.join(INTENT_EMOTIONS)}"
            )
        for intent, lines in self.lines.items():
            allowed = frozenset((*_EVERY_LINE, *_EXTRA_SLOTS.get(intent, ())))
            try:
                check_slots(lines, allowed)
            except ValueError as exc:
                raise ValueError(f"lines.{intent}: {exc}") from None
        return self


class RegisterTable(Row):
    registers: Annotated[dict[str, Register], Field(min_length=1), BeforeValidator(named_by_key)]
    """In the order an idea file lists them to its creator."""


@cache
def register_table() -> RegisterTable:
    return read_table("voices.yaml", RegisterTable)


REGISTERS: LazyTable[Register] = LazyTable(lambda: register_table().registers)


def named_register(voice: str) -> Register | None:
    """The register a voice note names ("blunt, a little shy" names blunt), if it names one."""
    for word in voice.lower().replace(",", " ").split():
        if word in REGISTERS:
            return REGISTERS[word]
    return None


def register_for(voice: str, character_id: str, *, seed: int) -> Register:
    """The register a voice note names, or (for free words) one the project seed picks."""
    named = named_register(voice)
    if named is not None:
        return named
    names = sorted(REGISTERS)
    return REGISTERS[names[seed_int(seed, "register", voice, character_id) % len(names)]]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _after_opener(line: str, opener: str, slots: Mapping[str, str]) -> str:
    """The line's first letter in lower case after a comma, unless it must stay upper."""
    first = line.split(" ", 1)[0]
    proper = any(v[:1].isupper() and line.startswith(v) for v in slots.values() if v)
    if not opener.endswith(",") or proper or first == "I" or first.startswith(("I'", "I-")):
        return line
    return line[:1].lower() + line[1:]


def _filled(slots: Mapping[str, str]) -> dict[str, str]:
    """The slots, with a capitalised twin of those a line may start with."""
    filled = {**slots}
    for key in _CAPITALISED:
        if key in filled:
            filled[_capitalised(key)] = _capitalised(filled[key])
    return filled


def shortest(register: Register, intent: str, slots: Mapping[str, str]) -> str:
    """The register's shortest line for ``intent``, without tics: for tight episodes."""
    filled = _filled(slots)
    lines = [template.format_map(filled) for template in register.lines[intent]]
    return min(lines, key=lambda line: (len(line.split()), line))


def speak(register: Register, intent: str, slots: Mapping[str, str], rng: random.Random) -> str:
    """One line with ``intent`` in ``register``'s words, now and then with a tic."""
    filled = _filled(slots)
    line = rng.choice(register.lines[intent]).format_map(filled)
    roll = rng.random()
    if intent not in ("banter", "react") and roll < 0.25:
        opener = rng.choice(register.openers)
        said = {w.strip(",.!?").lower() for w in opener.split()}
        if not said & {w.strip(",.!?").lower() for w in line.split()[:2]}:
            line = f"{opener} {_after_opener(line, opener, slots)}"
    elif roll > 0.8 and line.endswith("."):
        closer = rng.choice(register.closers)
        line = f"{line[:-1]}{closer}" if closer.startswith(", ") else f"{line} {closer}"
    return line
