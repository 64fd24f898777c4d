"""Speech engines behind one Protocol: text and a :class:`Voice` in, mono int16 out.

* :class:`~sparkle_motion.audio.piper_engine.PiperEngine` — the bundled
  neural voice, deterministic (see its module).
* :class:`~sparkle_motion.audio.espeak_engine.EspeakEngine` — espeak-ng's
  voices, when the espeak-ng program is installed.
* :class:`SilentEngine` — silence as long as the line would take to read;
  for tests and machines without a voice.

:func:`engine_for` hands out one engine per (engine, model) per process, so
the piper model loads once for all the lines of a run; :func:`release_engines`
lets it go when the run has spoken them.
"""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from sparkle_motion.audio.espeak_engine import EspeakEngine
from sparkle_motion.audio.piper_engine import PIPER_MODELS, PiperEngine
from sparkle_motion.audio.speech_text import READING_RULE, silence_for
from sparkle_motion.audio.voices import Voice
from sparkle_motion.errors import SpeechError

__all__ = [
    "EspeakEngine",
    "PiperEngine",
    "SilentEngine",
    "SpeechEngine",
    "engine_for",
    "release_engines",
]

SILENT_SAMPLE_RATE = 22050


@runtime_checkable
class SpeechEngine(Protocol):
    """Anything that turns a line of text into mono int16 speech."""

    @property
    def engine_id(self) -> str:
        """Names the engine, model and versions: part of every speech cache key."""
        ...

    @property
    def sample_rate(self) -> int: ...

    def synthesize(self, text: str, voice: Voice) -> NDArray[np.int16]:
        """Speak ``text``; empty or whitespace-only text raises :class:`SpeechError`."""
        ...


class SilentEngine:
    """Silence for as long as the line would take to read."""

    def __init__(self, sample_rate: int = SILENT_SAMPLE_RATE) -> None:
        self._sample_rate = sample_rate

    @property
    def engine_id(self) -> str:
        return f"silent-v1 {READING_RULE}"

    @property
    def sample_rate(self) -> int:
        return self._sample_rate

    def synthesize(self, text: str, voice: Voice) -> NDArray[np.int16]:
        return silence_for(text, voice.length_scale, self._sample_rate)


_ENGINES: dict[tuple[str, str], SpeechEngine] = {}
_ENGINES_LOCK = threading.Lock()


def engine_for(voice: Voice) -> SpeechEngine:
    """The process-wide engine that speaks ``voice``."""
    key = (voice.engine, voice.model if voice.engine == "piper" else "")
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = _make_engine(*key)
            _ENGINES[key] = engine
        return engine


def release_engines() -> None:
    """Unload every voice model, once a run has spoken its lines: the rest of a render
    (clips, the mix) has no use for the memory. Engines load again when next asked."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            if isinstance(engine, PiperEngine):
                engine.unload()


def _make_engine(engine: str, model: str) -> SpeechEngine:
    if engine == "silent":
        return SilentEngine()
    if engine == "espeak":
        return EspeakEngine()
    factory = PIPER_MODELS.get(model)
    if factory is None:
        raise SpeechError(
            f"unknown piper voice model {model!r}",
            where="voice.model",
            hint=f"use one of: {', '.join(sorted(PIPER_MODELS))}",
        )
    return PiperEngine(factory())
