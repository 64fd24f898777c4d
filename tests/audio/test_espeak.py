"""espeak-ng's voices, when the program is installed (CI installs it; see .ci/run)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from sparkle_motion.audio.espeak_engine import ESPEAK_RATE, EspeakEngine
from sparkle_motion.audio.tts import SpeechEngine, engine_for
from sparkle_motion.audio.voices import Voice
from sparkle_motion.errors import SpeechError
from sparkle_motion.schemas.project import VoiceSetting

installed = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed here"
)
LINE = "The lamp went dark an hour ago, and nobody climbed the stairs."


def _voice(model: str = "en-us", **changes: object) -> Voice:
    return Voice(engine="espeak", model=model, **changes)  # type: ignore[arg-type]


def _pitch_hz(samples: np.ndarray) -> float:
    """Median fundamental over the loud frames, from each frame's autocorrelation."""
    x = samples.astype(np.float64)
    size, found = 1024, []
    lags = np.arange(ESPEAK_RATE // 400, ESPEAK_RATE // 60)
    loud = 0.3 * np.abs(x).max()
    for start in range(0, x.size - size, size // 2):
        frame = x[start : start + size]
        if np.abs(frame).max() < loud:
            continue
        frame = frame - frame.mean()
        corr = np.correlate(frame, frame, mode="full")[size - 1 :]
        found.append(ESPEAK_RATE / lags[np.argmax(corr[lags])])
    return float(np.median(found))


@installed
def test_espeak_speaks_the_same_bytes_every_time() -> None:
    engine = engine_for(_voice())
    assert isinstance(engine, EspeakEngine) and isinstance(engine, SpeechEngine)
    first = engine.synthesize(LINE, _voice("en-gb+f3"))
    assert first.dtype == np.int16 and engine.sample_rate == ESPEAK_RATE
    assert 2.0 < first.size / ESPEAK_RATE < 6.0
    assert np.array_equal(first, EspeakEngine().synthesize(LINE, _voice("en-gb+f3")))
    assert engine.engine_id.startswith("espeak-ng ")
    # Lines get the headroom every engine's lines get: they peak at -3 dBFS.
    assert np.max(np.abs(first)) == pytest.approx(32767 * 10 ** (-3 / 20), rel=0.01)


@installed
def test_espeak_voices_sound_apart_and_follow_the_pace() -> None:
    engine = EspeakEngine()
    low, high = (
        engine.synthesize(LINE, _voice("en-us+m3")),
        engine.synthesize(LINE, _voice("en-us+f3")),
    )
    assert _pitch_hz(high) > 1.3 * _pitch_hz(low)  # a woman's voice and a man's
    slow = engine.synthesize(LINE, _voice("en-us+m3", length_scale=1.5))
    assert slow.size / low.size == pytest.approx(1.5, rel=0.15)


@installed
def test_an_unknown_espeak_voice_is_a_clear_error() -> None:
    with pytest.raises(SpeechError, match="voice does not exist") as raised:
        EspeakEngine().synthesize(LINE, _voice("xx-nowhere"))
    assert "xx-nowhere" in str(raised.value)
    assert "espeak-ng --voices" in str(raised.value)


def test_without_espeak_ng_a_line_says_how_to_get_it() -> None:
    engine = EspeakEngine(program="/nowhere/espeak-ng")
    assert not engine.available
    with pytest.raises(SpeechError, match="espeak-ng is not installed") as raised:
        engine.synthesize(LINE, _voice())
    assert "apt install espeak-ng" in str(raised.value)


@pytest.mark.parametrize("name", ["-v", "en us", "en;rm", "", "x" * 80])
def test_espeak_voice_names_are_checked_before_anything_runs(name: str) -> None:
    with pytest.raises(SpeechError):
        _voice(name)
    with pytest.raises(ValueError, match="espeak-ng voice name"):
        VoiceSetting.model_validate({"engine": "espeak", "model": name})


def test_an_espeak_speaker_without_a_model_speaks_american_english() -> None:
    assert VoiceSetting.model_validate({"engine": "espeak"}).model == "en-us"
    assert VoiceSetting.model_validate({"engine": "piper"}).model == "joe"
