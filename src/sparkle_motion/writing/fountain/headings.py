"""Scene headings into place and time: ``EXT. CLIFF PATH - DUSK``.

- ``INT``, ``INT./EXT``, ``INT/EXT`` and ``I/E`` are interior; ``EXT`` and
  ``EST`` exterior; a forced heading without a prefix is interior.
- The location is what follows the prefix up to the last `` - `` (or en/em
  dash); written in capitals it becomes sentence case (``Cliff path``), and
  its slug is the ``location_id`` (``cliff-path``).
- The time of day is what follows that dash, in lower case (``dusk``);
  ``CONTINUOUS``, ``LATER``, ``SAME``, ``MOMENTS LATER`` and the like keep the
  previous scene's time; no dash means ``day``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sparkle_motion.writing.fountain.emphasis import plain
from sparkle_motion.writing.fountain.names import sentence_case, slug

__all__ = ["DEFAULT_LOCATION", "Place", "heading_for", "place_of"]

DEFAULT_LOCATION = "Unspecified"
DEFAULT_TIME = "day"
_PREFIX = re.compile(r"(?P<prefix>INT\.?/EXT|I/E|INT|EXT|EST)(?:\.|\s)[.\s]*", re.IGNORECASE)
_DASH = re.compile(r"\s+[-–—]+\s+")
_RELATIVE_TIMES = frozenset(
    {
        "continuous",
        "cont",
        "cont'd",
        "continued",
        "later",
        "moments later",
        "a moment later",
        "seconds later",
        "minutes later",
        "same",
        "same time",
    }
)


@dataclass(frozen=True)
class Place:
    location: str
    location_id: str | None
    interior: bool
    time_of_day: str


def place_of(heading: str, previous_time: str | None) -> Place:
    """Where and when a heading sets its scene."""
    text = " ".join(plain(heading).split())
    interior = True
    match = _PREFIX.match(text + " ")
    if match is not None:
        interior = match["prefix"].upper() not in {"EXT", "EST"}
        text = text[match.end() :].strip()
    dashes = list(_DASH.finditer(text))
    time = ""
    if dashes:
        last = dashes[-1]
        time = " ".join(text[last.end() :].lower().split()).strip(" .")
        text = text[: last.start()].strip()
    location = sentence_case(text.strip(" -–—")) or DEFAULT_LOCATION
    if not time:
        time = DEFAULT_TIME
    elif time in _RELATIVE_TIMES:
        time = previous_time or DEFAULT_TIME
    return Place(location, slug(location) or None, interior, time)


def heading_for(location: str, interior: bool, time_of_day: str) -> str:
    """A heading for a scene that has none (a script written as JSON)."""
    place = " ".join(location.upper().split()) or DEFAULT_LOCATION.upper()
    time = " ".join(time_of_day.upper().split()) or DEFAULT_TIME.upper()
    return f"{'INT' if interior else 'EXT'}. {place} - {time}"
