"""What each genre is made of, for the template writer: the words in ``data/genres.yaml``.

This module says what a genre may hold and picks the genre a text names;
the words themselves, and what each slot in braces stands for, are in the
data file.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated

from pydantic import BeforeValidator, Field, model_validator

from sparkle_motion.writing.lexicon import mentions
from sparkle_motion.writing.template.tables import (
    LazyTable,
    Row,
    named_by_key,
    read_table,
    slotted,
)

__all__ = ["GENRES", "Genre", "GenreTable", "genre_for", "genre_table"]

# The slots the arc fills: names (for the central question) and, in an
# episode, also its thing, its last place and whoever tells the secret.
_NAMES = ("A", "B", "C", "world")
_EPISODE = (*_NAMES, "thing", "a_thing", "A_thing", "the_thing", "The_thing", "place", "R")

_Plain = Annotated[tuple[str, ...], Field(min_length=1), slotted()]
_Central = Annotated[tuple[str, ...], Field(min_length=1), slotted(*_NAMES)]
_Told = Annotated[tuple[str, ...], Field(min_length=1), slotted(*_EPISODE)]


class Genre(Row):
    name: str
    keywords: _Plain
    tone: str
    moods: tuple[str, str, str, str]
    """Music mood of the setup, complication, turn and resolution."""
    things: _Plain
    """``name|description``: lines say "the name" after the first, full mention."""
    activities: _Plain
    hiding: _Plain
    traces: _Plain
    plans: _Told
    secrets: _Told
    """``first person|third person`` (``{R}`` is who tells it), or one form for both."""
    threads: _Told
    central: _Central
    endings: _Told


class GenreTable(Row):
    fallback: str
    """The genre of a text that mentions no genre's keywords."""
    genres: Annotated[dict[str, Genre], Field(min_length=1), BeforeValidator(named_by_key)]
    """Most particular first: of two genres a text mentions as often, the first wins."""

    @model_validator(mode="after")
    def _fallback_is_a_genre(self) -> GenreTable:
        if self.fallback not in self.genres:
            raise ValueError(f"fallback {self.fallback!r} is not one of the genres")
        return self


@cache
def genre_table() -> GenreTable:
    return read_table("genres.yaml", GenreTable)


GENRES: LazyTable[Genre] = LazyTable(lambda: genre_table().genres)


def genre_for(text: str) -> Genre:
    """The genre a word names, else the one whose keywords the text mentions most."""
    table = genre_table()
    lowered = text.lower().strip()
    if lowered in table.genres:
        return table.genres[lowered]
    names = list(table.genres)
    scores = [
        mentions(lowered, name) * 2 + sum(mentions(lowered, w) for w in genre.keywords)
        for name, genre in table.genres.items()
    ]
    best = max(range(len(names)), key=lambda index: (scores[index], -index))
    return table.genres[names[best] if scores[best] else table.fallback]
