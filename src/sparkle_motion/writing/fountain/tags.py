"""Cue extensions and parentheticals as a line's ``delivery`` and ``emotion`` tags.

Extensions (``MARA (V.O.)``): ``CONT'D`` and its spellings mean nothing for
the line; ``V.O.`` is ``vo``; ``O.S.``/``O.C.``/``OFF`` are ``os``; phone and
radio phrasings are ``phone``/``radio``; any other extension is its own slug
(``PRE-LAP`` → ``pre-lap``). The first extension that means something is the
line's delivery.

Parentheticals (``(quietly, to Bo)``) are split at commas and semicolons;
each part that names a delivery (whispering, shouting, singing, quietly,
on the phone, ...) gives the delivery when the cue did not; a part that is a
stage direction (it starts with *to*, *at*, *beat*, *a*, *then*, ...) or is
longer than two words gives nothing; any other part of one or two words is
an emotion tag, lower case (``(angry)`` → ``["angry"]``).
"""

from __future__ import annotations

import re

from sparkle_motion.writing.fountain.names import slug

__all__ = ["delivery_of_extensions", "extension_for", "parenthetical_tags"]

_CONTINUED = frozenset({"cont'd", "cont’d", "contd", "cont", "continued", "continuing", "more"})
_DELIVERY_WORDS: dict[str, tuple[str, ...]] = {
    "vo": ("vo", "v o", "voice over", "voice-over", "voiceover"),
    "os": ("os", "o s", "oc", "o c", "off", "off screen", "off-screen", "offscreen", "off camera"),
    "phone": (
        "phone",
        "on phone",
        "on the phone",
        "into phone",
        "into the phone",
        "over the phone",
        "filtered",
    ),
    "radio": ("radio", "on radio", "on the radio", "into radio", "into the radio", "over radio"),
    "whisper": ("whisper", "whispers", "whispering", "whispered"),
    "shout": ("shout", "shouts", "shouting", "yell", "yells", "yelling", "scream", "screaming"),
    "sing": ("sing", "sings", "singing", "sung"),
    "quiet": ("quiet", "quietly", "softly", "hushed", "sotto", "sotto voce", "under breath"),
}
_DELIVERY = {phrase: delivery for delivery, words in _DELIVERY_WORDS.items() for phrase in words}
_EXTENSION_TEXT = {"vo": "V.O.", "os": "O.S."}
_DIRECTION_WORDS = frozenset(
    {"to", "at", "beat", "pause", "a", "an", "the", "then", "into", "re", "re:", "reading"}
    | _CONTINUED
)
_EMOTION = re.compile(r"[^\W\d_]+(?:[-' ][^\W\d_]+)?")
_MAX_TAG_WORDS = 2


def _phrase(text: str) -> str:
    return " ".join(text.lower().replace(".", " ").split())


def delivery_of_extensions(extensions: tuple[str, ...]) -> str | None:
    """The delivery the cue's extensions give, or None (``CONT'D`` gives none)."""
    for extension in extensions:
        phrase = _phrase(extension)
        if not phrase or phrase in _CONTINUED or extension.strip().lower() in _CONTINUED:
            continue
        known = _DELIVERY.get(phrase) or _DELIVERY.get(phrase.replace(" ", ""))
        delivery = known or slug(extension)
        if delivery:
            return delivery
    return None


def extension_for(delivery: str) -> str:
    """The extension written for a delivery; ``delivery_of_extensions`` reads it back."""
    return _EXTENSION_TEXT.get(delivery, delivery.upper())


def parenthetical_tags(text: str | None) -> tuple[list[str], str | None]:
    """Emotion tags and the delivery a parenthetical's words give."""
    emotions: list[str] = []
    delivery: str | None = None
    for part in re.split(r"[,;]", text or ""):
        words = " ".join(part.lower().split()).strip(" .!?\"'“”‘’")
        if not words:
            continue
        known = _DELIVERY.get(_phrase(words))
        if known is not None:
            delivery = delivery or known
            continue
        split = words.split()
        if split[0] in _DIRECTION_WORDS or len(split) > _MAX_TAG_WORDS:
            continue
        if _EMOTION.fullmatch(words) and words not in emotions:
            emotions.append(words)
    return emotions, delivery
