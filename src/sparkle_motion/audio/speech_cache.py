"""A content-addressed cache of synthesized lines.

The key is the sha256 of a canonical JSON of (engine id, voice, text), so a
new engine version, model or ffmpeg build makes new entries instead of
reusing stale audio. Blobs are 16-bit mono WAVs at ``root/ab/<key>.wav``,
written atomically; an entry that is missing, truncated, unreadable or in an
unexpected format is a miss and is made again, never an error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import threading
import wave
from dataclasses import dataclass
from pathlib import Path

from sparkle_motion.audio.speech_text import clean_text
from sparkle_motion.audio.tts import SpeechEngine, engine_for
from sparkle_motion.audio.voices import Voice
from sparkle_motion.audio.wav import write_wav
from sparkle_motion.errors import SpeechError

__all__ = ["CACHE_FORMAT", "SpeechCache", "SpeechClip"]

CACHE_FORMAT = "wav-pcm16-mono/1"
_WAV_HEADER_BYTES = 44  # what the wave module writes for PCM: RIFF, fmt, data


@dataclass(frozen=True)
class SpeechClip:
    """A synthesized line on disk."""

    path: Path
    seconds: float
    sha256: str
    """Of the WAV file's bytes."""
    sample_rate: int


class SpeechCache:
    """Synthesized lines under ``root``, keyed by what made them.

    ``hits`` and ``misses`` count :meth:`get_or_make` outcomes for run summaries.
    Threads may share a cache: lines are written atomically and counted under a lock.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.hits = 0
        self.misses = 0
        self._count = threading.Lock()

    def key(self, engine_id: str, voice: Voice, text: str) -> str:
        """sha256 (hex) over the canonical JSON of the engine, voice and text."""
        voice_fields = {
            field.name: _canonical(getattr(voice, field.name))
            for field in dataclasses.fields(voice)
        }
        document = {
            "engine": engine_id,
            "format": CACHE_FORMAT,
            "text": text,
            "voice": voice_fields,
        }
        payload = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def path_for(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.wav"

    def get_or_make(
        self, text: str, voice: Voice, engine: SpeechEngine | None = None
    ) -> SpeechClip:
        """The cached clip for this line, synthesizing and storing it on a miss."""
        clean_text(text)  # empty text is an error whatever the engine or cache holds
        speaker = engine if engine is not None else engine_for(voice)
        path = self.path_for(self.key(speaker.engine_id, voice, text))
        clip = _load(path, speaker.sample_rate)
        if clip is not None:
            with self._count:
                self.hits += 1
            return clip
        with self._count:
            self.misses += 1
        write_wav(speaker.synthesize(text, voice), path, speaker.sample_rate)
        made = _load(path, speaker.sample_rate)
        if made is None:  # pragma: no cover - only if the disk lies to us
            raise SpeechError(
                "the speech cache entry was unreadable right after writing", where=str(path)
            )
        return made


def _canonical(value: object) -> object:
    # 1 and 1.0 must give the same key
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def _load(path: Path, sample_rate: int) -> SpeechClip | None:
    """The clip at ``path`` if it is a complete WAV as this cache writes them."""
    try:
        blob = path.read_bytes()
        with wave.open(io.BytesIO(blob), "rb") as src:
            ok = (
                src.getnchannels() == 1
                and src.getsampwidth() == 2
                and src.getframerate() == sample_rate
                and src.getnframes() > 0
                and len(blob) == _WAV_HEADER_BYTES + 2 * src.getnframes()
            )
            frames = src.getnframes()
    except (OSError, EOFError, wave.Error, ValueError):
        return None
    if not ok:
        return None
    return SpeechClip(
        path=path,
        seconds=frames / sample_rate,
        sha256=hashlib.sha256(blob).hexdigest(),
        sample_rate=sample_rate,
    )
