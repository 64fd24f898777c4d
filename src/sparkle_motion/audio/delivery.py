"""Delivery: how a line is performed, applied to the synthesized speech.

One voice model speaks every line; delivery tags change the rendering so a
whisper, a shout or a voice over the radio are heard as such:

- ``whisper``: slower, much quieter, thinned (low end removed, a soft top).
- ``shout``: quicker, higher, driven into a soft clipper: louder and rougher.
- ``radio``: the narrow band of a radio or a telephone, lightly crushed.
- ``offscreen``: muffled and a little quieter, as from the next room.
- ``""`` (plain): unchanged. Narration (``vo``) is plain: close and dry.

Every filter keeps the line's length, so timing measured with the delivery
applied is the timing that plays.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

__all__ = ["DELIVERIES", "DeliveryStyle", "delivery_for", "delivery_identity", "style_of"]


@dataclass(frozen=True)
class DeliveryStyle:
    pace: float  # multiplies the voice's length scale (> 1 slower)
    pitch_semitones: float  # added to the voice's pitch
    volume_db: float  # added to the voice's volume
    filters: str  # an ffmpeg audio filter chain, "" for none


DELIVERIES: dict[str, DeliveryStyle] = {
    "": DeliveryStyle(1.0, 0.0, 0.0, ""),
    "whisper": DeliveryStyle(1.12, 0.0, -9.0, "highpass=f=450,lowpass=f=6000,acompressor=ratio=3"),
    # Driven into a soft clipper: louder and rougher, yet never past full scale.
    "shout": DeliveryStyle(0.92, 2.0, 0.0, "volume=9dB,asoftclip=type=tanh,volume=-2dB"),
    "radio": DeliveryStyle(1.0, 0.0, 0.0, "highpass=f=350,lowpass=f=3200,acrusher=bits=10:mix=0.3"),
    "offscreen": DeliveryStyle(1.0, 0.0, -4.0, "lowpass=f=2200"),
}

_SYNONYMS = {
    "whisper": "whisper",
    "whispers": "whisper",
    "whispering": "whisper",
    "whispered": "whisper",
    "quietly": "whisper",
    "under her breath": "whisper",
    "under his breath": "whisper",
    "shout": "shout",
    "shouts": "shout",
    "shouting": "shout",
    "yelling": "shout",
    "yells": "shout",
    "screaming": "shout",
    "screams": "shout",
    "radio": "radio",
    "phone": "radio",
    "on the phone": "radio",
    "over the radio": "radio",
    "filtered": "radio",
    "intercom": "radio",
    "os": "offscreen",
    "o.s.": "offscreen",
    "offscreen": "offscreen",
    "off": "offscreen",
    "vo": "",
    "v.o.": "",
    "narrating": "",
}


def delivery_for(delivery: str | None, emotion: list[str] | tuple[str, ...] = ()) -> str:
    """The delivery style a line's delivery and emotion tags ask for (first match wins)."""
    for tag in [delivery or "", *emotion]:
        style = _SYNONYMS.get(tag.strip().lower())
        if style:
            return style
    return _SYNONYMS.get((delivery or "").strip().lower(), "")


def delivery_identity() -> str:
    """A short digest of the delivery table: part of every speech cache key."""
    table = sorted((name, repr(style)) for name, style in DELIVERIES.items())
    return hashlib.sha256(repr(table).encode()).hexdigest()[:12]


def style_of(delivery: str) -> DeliveryStyle:
    return DELIVERIES.get(delivery, DELIVERIES[""])
