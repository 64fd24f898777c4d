"""The speech cache: content-addressed keys, hits and misses, corrupt entries."""

from __future__ import annotations

import hashlib
import wave
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from sparkle_motion.audio.speech_cache import SpeechCache
from sparkle_motion.audio.tts import SilentEngine, SpeechEngine
from sparkle_motion.audio.voices import Voice, default_voice_for
from sparkle_motion.cache import cache_key
from sparkle_motion.errors import SpeechError
from sparkle_motion.fingerprint import code_fingerprint


class CountingEngine:
    """A quick engine that says a ramp as long as the text, and counts its calls."""

    def __init__(self, engine_id: str = "counting-1", sample_rate: int = 16000) -> None:
        self.calls = 0
        self._id = engine_id
        self._rate = sample_rate

    @property
    def engine_id(self) -> str:
        return self._id

    @property
    def sample_rate(self) -> int:
        return self._rate

    def synthesize(self, text: str, voice: Voice) -> NDArray[np.int16]:
        self.calls += 1
        return (np.arange(len(text) * 100, dtype=np.int64) % 2000 - 1000).astype(np.int16)


def test_key_is_canonical_and_stable(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    key = cache.key("engine-1", Voice(), "Hello.")
    assert key == cache.key("engine-1", Voice(length_scale=1), "Hello.")  # 1 == 1.0
    # spelled out: changing the key's canonical form silently orphans every cache
    assert key == cache_key(
        kind="speech",
        engine="engine-1",
        format="wav-pcm16-mono/1",
        text="Hello.",
        voice={
            "delivery": "",
            "engine": "piper",
            "length_scale": 1.0,
            "model": "joe",
            "pitch_semitones": 0.0,
            "volume_db": 0.0,
        },
        code=code_fingerprint("sparkle_motion.audio.tts"),
    )
    others = {
        cache.key("engine-2", Voice(), "Hello."),
        cache.key("engine-1", default_voice_for(1), "Hello."),
        cache.key("engine-1", Voice(volume_db=1.0), "Hello."),
        cache.key("engine-1", Voice(), "Hello!"),
        cache.key("engine-1", Voice(engine="silent"), "Hello."),
    }
    assert key not in others and len(others) == 5


def test_miss_then_hit(tmp_path: Path) -> None:
    cache, engine = SpeechCache(tmp_path / "speech"), CountingEngine()
    first = cache.get_or_make("Hello there.", Voice(), engine)
    assert (cache.hits, cache.misses, engine.calls) == (0, 1, 1)
    second = cache.get_or_make("Hello there.", Voice(), engine)
    assert (cache.hits, cache.misses, engine.calls) == (1, 1, 1)
    assert second == first
    key = cache.key(engine.engine_id, Voice(), "Hello there.")
    assert cache.blobs.get(key) == first.sha256
    assert first.path == tmp_path / "speech" / "blobs" / first.sha256[:2] / first.sha256
    assert first.sample_rate == 16000
    assert first.seconds == pytest.approx(1200 / 16000)
    assert first.sha256 == hashlib.sha256(first.path.read_bytes()).hexdigest()
    with wave.open(str(first.path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 16000)
    assert [p.name for p in first.path.parent.iterdir()] == [first.path.name]  # no temp files
    assert not any((tmp_path / "speech" / "incoming").iterdir())


def test_a_new_engine_version_is_a_miss(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    cache.get_or_make("Hello.", Voice(), CountingEngine("counting-1"))
    cache.get_or_make("Hello.", Voice(), CountingEngine("counting-2"))
    assert cache.misses == 2


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(b"not a wav at all"),
        lambda path: path.write_bytes(path.read_bytes()[:60]),  # truncated
        lambda path: path.write_bytes(path.read_bytes() + b"\x00\x01"),  # trailing junk
        lambda path: path.write_bytes(b""),
        lambda path: path.unlink(),
    ],
    ids=["garbage", "truncated", "trailing", "empty", "missing"],
)
def test_a_damaged_entry_is_made_again(tmp_path: Path, damage: object) -> None:
    cache, engine = SpeechCache(tmp_path), CountingEngine()
    made = cache.get_or_make("Hello there.", Voice(), engine)
    damage(made.path)  # type: ignore[operator]
    again = cache.get_or_make("Hello there.", Voice(), engine)
    assert (cache.misses, engine.calls) == (2, 2)
    assert again == made


def test_an_entry_at_another_rate_is_made_again(tmp_path: Path) -> None:
    cache, engine = SpeechCache(tmp_path), CountingEngine()
    made = cache.get_or_make("Hello there.", Voice(), engine)
    with wave.open(str(made.path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"\x00\x00" * 100)
    assert cache.get_or_make("Hello there.", Voice(), engine) == made
    assert engine.calls == 2


def test_empty_text_is_an_error_and_stores_nothing(tmp_path: Path) -> None:
    cache, engine = SpeechCache(tmp_path), CountingEngine()
    with pytest.raises(SpeechError):
        cache.get_or_make("  ", Voice(), engine)
    assert engine.calls == 0 and not any(tmp_path.iterdir())


def test_default_engine_comes_from_the_voice(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    clip = cache.get_or_make("Fifteen letters.", Voice(engine="silent"))
    assert clip.sample_rate == SilentEngine().sample_rate
    assert clip.seconds == pytest.approx(16 / 15)


def test_piper_lines_are_cached(tmp_path: Path, piper: SpeechEngine) -> None:
    cache = SpeechCache(tmp_path)
    voice = default_voice_for(2)
    made = cache.get_or_make("The tide is turning.", voice)
    again = SpeechCache(tmp_path).get_or_make("The tide is turning.", voice)
    assert again == made and made.sample_rate == piper.sample_rate
    assert 0.5 < made.seconds < 4.0
