"""The template writer's word tables: YAML files in ``data/``, read on first use, checked whole.

The tables are words a storyteller edits, not code, so they live as data;
what each may hold is said by its models (in ``genres.py`` and
``voices.py``). A slip in a file (a misspelt field, a slot the writer never
fills, an intent left out) stops the first episode written, naming the file
and the place in it, instead of surfacing as a ``KeyError`` deep in a scene.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterator, Mapping
from importlib import resources
from typing import Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from sparkle_motion.errors import InvalidArtifact
from sparkle_motion.writing.documents import load_yaml, validation_problems

__all__ = [
    "LazyTable",
    "Row",
    "check_slots",
    "named_by_key",
    "parse_table",
    "read_table",
    "slotted",
]

M = TypeVar("M", bound=BaseModel)
V = TypeVar("V")

_PACKAGE = "sparkle_motion.writing.template"
_SHOWN = "sparkle_motion/writing/template/data"
_LISTED = 5


class Row(BaseModel):
    """An entry of a table: fixed once read, and a field it does not know is a typo."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def named_by_key(entries: Any) -> Any:
    """A table's entries keyed by name, each given its key as its ``name`` field.

    The key is the only place a name is written, so that the two cannot disagree.
    """
    if not isinstance(entries, dict):
        return entries
    for key, entry in entries.items():
        if isinstance(entry, dict) and "name" in entry:
            raise ValueError(f"{key}: an entry is named by its key; drop its name field")
    return {
        key: {**entry, "name": key} if isinstance(entry, dict) else entry
        for key, entry in entries.items()
    }


def parse_table(data: bytes, source: str, model: type[M]) -> M:
    """The table in ``data``, or an error naming ``source`` and the bad ``$.path``s."""
    loaded = load_yaml(data, source)
    try:
        return model.model_validate(loaded)
    except ValidationError as exc:
        problems = validation_problems(exc, _LISTED)
        more = exc.error_count() - len(problems)
        message = "; ".join(problems) + (f"; and {more} more" if more > 0 else "")
        raise InvalidArtifact(
            message,
            where=source,
            hint="correct the entry; the comment at the top of the file says what each field holds",
        ) from None


def read_table(name: str, model: type[M]) -> M:
    """The packaged table ``data/<name>``."""
    data = resources.files(_PACKAGE).joinpath("data", name).read_bytes()
    return parse_table(data, f"{_SHOWN}/{name}", model)


def check_slots(texts: tuple[str, ...], allowed: frozenset[str]) -> tuple[str, ...]:
    """``texts``, if every ``{slot}`` in them is one the writer fills; with none allowed,
    the texts are used as they are, so a brace is a mistake."""
    for text in texts:
        try:
            fields = {field for _, field, _, _ in string.Formatter().parse(text) if field}
        except ValueError as exc:
            raise ValueError(f"{text!r}: {exc}") from None
        unknown = sorted(fields - allowed)
        if unknown and not allowed:
            raise ValueError(f"{text!r}: this list takes no {{slots}}")
        if unknown:
            listed = " ".join(f"{{{name}}}" for name in sorted(allowed))
            raise ValueError(f"{text!r}: {{{unknown[0]}}} is not one of its slots ({listed})")
    return texts


def slotted(*allowed: str) -> AfterValidator:
    """A field check that its templates use only the slots ``allowed``."""
    known = frozenset(allowed)
    return AfterValidator(lambda texts: check_slots(texts, known))


class LazyTable(Mapping[str, V]):
    """A read-only mapping whose entries are loaded the first time one is asked for.

    Importing the writer costs nothing; the file is read (once, as ``load``
    caches it) by the first episode that needs a word from it.
    """

    def __init__(self, load: Callable[[], Mapping[str, V]]) -> None:
        self._load = load

    def __getitem__(self, key: str) -> V:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __repr__(self) -> str:
        return f"LazyTable({sorted(self._load())!r})"
