"""Names into ids and back: slugs, speaker ids, and how a cue's name is shown."""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["display_name", "sentence_case", "slug", "speaker_id"]

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = str.maketrans("", "", "'’")


def slug(text: str) -> str:
    """``"Joe's Diner"`` → ``"joes-diner"``: ASCII lower case, digits and ``-``; may be empty."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", folded.lower().translate(_APOSTROPHES)).strip("-")


def speaker_id(name: str) -> str:
    """The stable id of a character: the slug of its name (a hash when nothing is left)."""
    return slug(name) or "character-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]


def _capitalize(word: str) -> str:
    lowered = word[:1].upper() + word[1:].lower()
    if len(word) > 2 and word[1] in "'’":  # O'Neil, D'Arcy; but Mara's
        return lowered[:2] + lowered[2:].capitalize()
    return lowered


def display_name(cue_name: str) -> str:
    """An all-caps cue as a name: ``"DR. JEAN-LUC O'NEIL"`` → ``"Dr. Jean-Luc O'Neil"``.

    A name with lower-case letters in it (a forced ``@McCLANE``) is kept as written.
    """
    if any(ch.islower() for ch in cue_name):
        return cue_name
    return " ".join(
        "-".join(_capitalize(part) for part in word.split("-")) for word in cue_name.split()
    )


def sentence_case(text: str) -> str:
    """``"CLIFF PATH"`` and ``"cliff path"`` → ``"Cliff path"``; mixed case is kept."""
    if any(ch.islower() for ch in text) and any(ch.isupper() for ch in text):
        return text
    lowered = text.lower()
    return lowered[:1].upper() + lowered[1:]
