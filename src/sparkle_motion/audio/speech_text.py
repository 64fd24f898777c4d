"""What an engine is given to say, and how long saying it takes.

Pure functions over strings: cleaning a line for a speech engine and
estimating its reading time, which the silent engine uses as its length and
the piper engine as the pause for a line with nothing pronounceable in it.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
from numpy.typing import NDArray

from sparkle_motion.errors import SpeechError

__all__ = ["READING_RULE", "clean_text", "reading_seconds", "silence_for"]

_READING_CHARS_PER_SECOND = 15.0
_MIN_LINE_SECONDS = 0.5
READING_RULE = f"{_READING_CHARS_PER_SECOND:g}cps min{_MIN_LINE_SECONDS:g}s"
"""Names the reading-speed estimate, for engine ids."""

_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_SPACES = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """The words of ``text`` as an engine should see them.

    Unicode is NFC-normalized, control and format characters (NUL, zero-width
    joiners, ...) are dropped, whitespace is collapsed, and piper's ``[[ ]]``
    raw-phoneme markers are broken up so story text is always read as text.
    Raises :class:`SpeechError` when nothing is left to say.
    """
    normalized = unicodedata.normalize("NFC", text)
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in normalized
        if ch.isspace() or unicodedata.category(ch) not in _CONTROL_CATEGORIES
    )
    words = _SPACES.sub(" ", kept).strip().replace("[[", "[ [").replace("]]", "] ]")
    if not words:
        raise SpeechError(
            "nothing to say: the line is empty or whitespace only",
            where=f"text {text[:40]!r}",
            hint="give the line some words, or drop it from the script",
        )
    return words


def reading_seconds(text: str, length_scale: float = 1.0) -> float:
    """How long ``text`` takes to read aloud, at about 15 characters a second."""
    seconds = len(clean_text(text)) / _READING_CHARS_PER_SECOND
    return max(_MIN_LINE_SECONDS, seconds) * length_scale


def silence_for(text: str, length_scale: float, sample_rate: int) -> NDArray[np.int16]:
    """Silence as long as reading ``text`` takes."""
    return np.zeros(round(reading_seconds(text, length_scale) * sample_rate), dtype=np.int16)
