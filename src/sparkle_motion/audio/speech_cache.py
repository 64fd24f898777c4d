"""A content-addressed cache of synthesized lines, in the blob cache.

The key is :func:`.cache.cache_key` over the engine id, the voice, the text,
the file format and the fingerprint of the speech code, so a new engine
version, model, ffmpeg build or change to the code that speaks makes new
entries instead of reusing stale audio. Entries are 16-bit mono WAVs; one
that is missing, truncated, unreadable or in an unexpected format is a miss
and is made again, never an error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import threading
import wave
from dataclasses import dataclass
from pathlib import Path

from sparkle_motion.audio.speech_text import clean_text
from sparkle_motion.audio.tts import SpeechEngine, engine_for
from sparkle_motion.audio.voices import Voice
from sparkle_motion.audio.wav import write_wav
from sparkle_motion.cache import BlobCache, cache_key
from sparkle_motion.errors import SpeechError
from sparkle_motion.fingerprint import code_fingerprint

__all__ = ["CACHE_FORMAT", "SpeechCache", "SpeechClip"]

CACHE_FORMAT = "wav-pcm16-mono/1"
_WAV_HEADER_BYTES = 44  # what the wave module writes for PCM: RIFF, fmt, data
_SPEECH_CODE = "sparkle_motion.audio.tts"  # the engines and everything they call


@dataclass(frozen=True)
class SpeechClip:
    """A synthesized line on disk."""

    path: Path
    seconds: float
    sha256: str
    """Of the WAV file's bytes: the blob's name in the cache."""
    sample_rate: int


class SpeechCache:
    """Synthesized lines in ``cache`` (a :class:`BlobCache`, or a folder to keep one in),
    keyed by what made them.

    ``hits`` and ``misses`` count :meth:`get_or_make` outcomes for run summaries.
    Threads may share a cache: lines are stored atomically and counted under a lock.
    """

    def __init__(self, cache: BlobCache | Path) -> None:
        self.blobs = cache if isinstance(cache, BlobCache) else BlobCache(cache)
        self.hits = 0
        self.misses = 0
        self._count = threading.Lock()

    def key(self, engine_id: str, voice: Voice, text: str) -> str:
        """The cache key of a line: engine, voice, text, format and the speech code."""
        voice_fields = {
            field.name: _canonical(getattr(voice, field.name))
            for field in dataclasses.fields(voice)
        }
        return cache_key(
            kind="speech",
            engine=engine_id,
            format=CACHE_FORMAT,
            text=text,
            voice=voice_fields,
            code=code_fingerprint(_SPEECH_CODE),
        )

    def get_or_make(
        self, text: str, voice: Voice, engine: SpeechEngine | None = None
    ) -> SpeechClip:
        """The cached clip for this line, synthesizing and storing it on a miss."""
        clean_text(text)  # empty text is an error whatever the engine or cache holds
        speaker = engine if engine is not None else engine_for(voice)
        key = self.key(speaker.engine_id, voice, text)
        found = self.blobs.get(key)
        clip = None if found is None else _load(self.blobs.path(found), speaker.sample_rate)
        if clip is not None:
            with self._count:
                self.hits += 1
            return clip
        with self._count:
            self.misses += 1
        with self.blobs.incoming(".wav") as scratch:
            write_wav(speaker.synthesize(text, voice), scratch, speaker.sample_rate)
            sha = self.blobs.put_file(key, scratch, move=True)
        made = _load(self.blobs.path(sha), speaker.sample_rate)
        if made is None:  # pragma: no cover - only if the disk lies to us
            raise SpeechError(
                "the speech cache entry was unreadable right after writing",
                where=str(self.blobs.path(sha)),
            )
        return made


def _canonical(value: object) -> object:
    # 1 and 1.0 must give the same key
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def _load(path: Path, sample_rate: int) -> SpeechClip | None:
    """The clip in the blob at ``path`` if it is whole and a WAV as this cache writes them."""
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
    sha = hashlib.sha256(blob).hexdigest()
    if not ok or sha != path.name:  # a blob is named by its bytes' hash
        return None
    return SpeechClip(
        path=path,
        seconds=frames / sample_rate,
        sha256=sha,
        sample_rate=sample_rate,
    )
