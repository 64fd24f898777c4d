"""Voices: which engine speaks a line, and how (pace, pitch, level).

A :class:`Voice` is a plain value; it is part of every speech cache key. With
one bundled neural voice, characters are told apart by ear through
:func:`default_voice_for`, which gives each speaker index its own pitch and
pace within a natural range.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sparkle_motion.audio.delivery import DELIVERIES, delivery_for
from sparkle_motion.errors import SpeechError
from sparkle_motion.schemas.project import ESPEAK_VOICE, VoiceSetting

__all__ = ["ENGINES", "MAX_PITCH_SEMITONES", "Voice", "default_voice_for", "voice_for"]

ENGINES: tuple[str, ...] = ("piper", "espeak", "silent")
MAX_PITCH_SEMITONES = 12.0
_LENGTH_SCALE_RANGE = (0.25, 4.0)
_VOLUME_DB_RANGE = (-60.0, 24.0)


@dataclass(frozen=True)
class Voice:
    """How a line is spoken. Invalid values raise :class:`SpeechError` at construction."""

    engine: str = "piper"
    """``"piper"`` (neural, offline), ``"espeak"`` (espeak-ng, when installed) or
    ``"silent"`` (timing only)."""
    model: str = "joe"
    """The engine's voice: ``"joe"`` is the bundled en_US joe medium piper voice; for
    espeak, an espeak-ng voice name such as ``"en-us"`` or ``"en-gb+f3"``."""
    length_scale: float = 1.0
    """Pace: above 1 is slower, below 1 faster."""
    pitch_semitones: float = 0.0
    """Shift applied after synthesis without changing tempo."""
    volume_db: float = 0.0
    delivery: str = ""
    """How the line is performed: ``""``, ``whisper``, ``shout``, ``radio``, ``offscreen``
    (see :mod:`sparkle_motion.audio.delivery`)."""
    """Gain applied last; lines are made with 3 dB of headroom, so up to +3 dB never clips."""

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise SpeechError(
                f"unknown speech engine {self.engine!r}",
                where="voice.engine",
                hint=f"use one of: {', '.join(ENGINES)}",
            )
        if not self.model.strip():
            raise SpeechError("voice model is empty", where="voice.model", hint='e.g. "joe"')
        if self.engine == "espeak" and not ESPEAK_VOICE.fullmatch(self.model):
            raise SpeechError(
                f"not an espeak-ng voice name: {self.model!r}",
                where="voice.model",
                hint='a language and an optional variant, e.g. "en-us" or "en-gb+f3"',
            )
        _check_range("voice.length_scale", self.length_scale, *_LENGTH_SCALE_RANGE)
        _check_range(
            "voice.pitch_semitones", self.pitch_semitones, -MAX_PITCH_SEMITONES, MAX_PITCH_SEMITONES
        )
        _check_range("voice.volume_db", self.volume_db, *_VOLUME_DB_RANGE)
        if self.delivery not in DELIVERIES:
            raise SpeechError(
                f"unknown delivery {self.delivery!r}",
                where="voice.delivery",
                hint=f"use one of: {', '.join(repr(d) for d in DELIVERIES)}",
            )


def _check_range(where: str, value: float, low: float, high: float) -> None:
    if not (math.isfinite(value) and low <= value <= high):
        raise SpeechError(
            f"expected a number from {low:g} to {high:g}, got {value!r}",
            where=where,
        )


# (semitones, length scale), hand-picked so that any two of the first four differ by
# at least 1.25 semitones, and neighbours in pace as well.
_VARIANTS: tuple[tuple[float, float], ...] = (
    (0.0, 1.00),  # the voice as recorded: the best-sounding one goes to the first speaker
    (-2.5, 1.08),
    (2.5, 0.94),
    (-1.25, 0.90),
    (1.25, 1.12),
    (-3.0, 0.97),
    (3.0, 1.05),
    (0.5, 0.92),
)
_PITCH_SPAN = (-3.0, 3.0)
_PACE_SPAN = (0.90, 1.12)
# Roberts' R2 low-discrepancy sequence spreads further speakers evenly over the box.
_R2_PLASTIC = 1.324717957244746
_R2 = (1.0 / _R2_PLASTIC, 1.0 / _R2_PLASTIC**2)


def default_voice_for(speaker_index: int) -> Voice:
    """A distinct, deterministic variant of the bundled piper voice for a speaker."""
    if speaker_index < 0:
        raise SpeechError(f"speaker index must be 0 or more, got {speaker_index}")
    if speaker_index < len(_VARIANTS):
        semitones, pace = _VARIANTS[speaker_index]
    else:
        step = speaker_index - len(_VARIANTS) + 1
        u = (0.5 + _R2[0] * step) % 1.0
        v = (0.5 + _R2[1] * step) % 1.0
        semitones = round((_PITCH_SPAN[0] + u * (_PITCH_SPAN[1] - _PITCH_SPAN[0])) * 4) / 4
        pace = round(_PACE_SPAN[0] + v * (_PACE_SPAN[1] - _PACE_SPAN[0]), 2)
    return Voice(engine="piper", model="joe", length_scale=pace, pitch_semitones=semitones)


def voice_for(
    setting: VoiceSetting, delivery: str | None = None, emotion: Sequence[str] = ()
) -> Voice:
    """The voice for one line: the speaker's setting performed as the line's tags ask."""
    return Voice(
        engine=setting.engine,
        model=setting.model,
        length_scale=setting.length_scale,
        pitch_semitones=setting.pitch_semitones,
        volume_db=setting.volume_db,
        delivery=delivery_for(delivery, tuple(emotion)),
    )
