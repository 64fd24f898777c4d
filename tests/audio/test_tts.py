"""Speech engines: determinism, distinct voices, pitch at constant duration, bad text."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from sparkle_motion.audio import pitch
from sparkle_motion.audio.speech_text import clean_text, reading_seconds
from sparkle_motion.audio.tts import (
    PiperEngine,
    SilentEngine,
    SpeechEngine,
    engine_for,
    release_engines,
)
from sparkle_motion.audio.voices import Voice, default_voice_for
from sparkle_motion.errors import SpeechError
from tests.audio.signals import measured_shift

LINE = "Where is the lantern, Mira?"


def sha(samples: np.ndarray) -> str:
    return hashlib.sha256(samples.tobytes()).hexdigest()


def test_piper_is_deterministic(piper: SpeechEngine) -> None:
    voice = default_voice_for(1)  # exercises the pitch shift too
    first = piper.synthesize(LINE, voice)
    second = piper.synthesize(LINE, voice)
    assert first.dtype == np.int16
    assert first.size > 0.5 * piper.sample_rate
    assert sha(first) == sha(second)


def test_a_fresh_engine_says_the_same_bytes(piper: SpeechEngine) -> None:
    """A second model load (a new onnxruntime session) gives identical audio."""
    fresh = PiperEngine()
    assert fresh is not piper
    assert sha(fresh.synthesize("Ready.", Voice())) == sha(piper.synthesize("Ready.", Voice()))


def test_lines_spoken_in_parallel_are_the_lines_spoken_one_by_one(piper: SpeechEngine) -> None:
    """The planner speaks lines a worker per core: threads must not change a byte."""
    texts = ["The tide came in faster.", "Nobody listened to the keeper.", "Light the lamp!"] * 2
    voices = [default_voice_for(index % 3) for index in range(len(texts))]
    alone = [piper.synthesize(t, v).tobytes() for t, v in zip(texts, voices, strict=True)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        spoken = pool.map(piper.synthesize, texts, voices)
        together = [clip.tobytes() for clip in spoken]
    assert together == alone


def test_piper_speaks_at_its_rate_with_headroom(piper: SpeechEngine) -> None:
    assert piper.sample_rate == 22050
    line = piper.synthesize("Good morning.", Voice())
    peak = int(np.abs(line.astype(np.int32)).max())
    assert 20000 < peak < 23500  # -3 dBFS is 23197


def test_distinct_default_voices_sound_different(piper: SpeechEngine) -> None:
    rate = piper.sample_rate
    voices = [default_voice_for(i) for i in range(4)]
    lines = [piper.synthesize(LINE, voice) for voice in voices]

    # pitch: each voice against the same pace unshifted, so the timing lines up
    def unshifted(voice: Voice) -> np.ndarray:
        return piper.synthesize(LINE, Voice(length_scale=voice.length_scale))

    shifts = [
        measured_shift(unshifted(v) if v.pitch_semitones else line, line, rate)
        for v, line in zip(voices, lines, strict=True)
    ]
    assert shifts == pytest.approx([v.pitch_semitones for v in voices], abs=0.15)
    for a in range(4):
        for b in range(a + 1, 4):
            assert abs(shifts[a] - shifts[b]) >= 1.0, (a, b, shifts)
    # pace: the slowest of them takes measurably longer than the fastest
    slowest = max(range(4), key=lambda i: voices[i].length_scale)
    fastest = min(range(4), key=lambda i: voices[i].length_scale)
    assert lines[slowest].size > 1.05 * lines[fastest].size


def _envelope(samples: np.ndarray, hop: int) -> np.ndarray:
    usable = samples[: samples.size // hop * hop].astype(np.float64)
    envelope: np.ndarray = np.abs(usable).reshape(-1, hop).mean(axis=1)
    return envelope


@pytest.mark.parametrize("shift", [-3.0, 3.0])
def test_pitch_shift_keeps_duration(piper: SpeechEngine, shift: float) -> None:
    plain = piper.synthesize(LINE, Voice())
    shifted = piper.synthesize(LINE, Voice(pitch_semitones=shift))
    assert abs(shifted.size - plain.size) / piper.sample_rate <= 0.020
    assert measured_shift(plain, shifted, piper.sample_rate) == pytest.approx(shift, abs=0.15)
    # the speech stays where it was: loud and quiet parts line up within 20 ms
    hop = piper.sample_rate // 100
    a, b = _envelope(plain, hop), _envelope(shifted, hop)
    lag = int(np.argmax(np.correlate(a, b, mode="full"))) - (b.size - 1)
    assert abs(lag) <= 2


def test_pitch_fallback_without_rubberband(
    piper: SpeechEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = piper.synthesize(LINE, Voice())
    monkeypatch.setattr(pitch, "pitch_method", lambda: "asetrate")
    shifted = pitch.shift_pitch(plain, piper.sample_rate, 2.0)
    assert shifted.size == plain.size
    assert measured_shift(plain, shifted, piper.sample_rate) == pytest.approx(2.0, abs=0.15)


def test_volume_is_applied_last(piper: SpeechEngine) -> None:
    plain = piper.synthesize("Good morning.", Voice()).astype(np.float64)
    quieter = piper.synthesize("Good morning.", Voice(volume_db=-6.0)).astype(np.float64)
    ratio = np.abs(quieter).max() / np.abs(plain).max()
    assert ratio == pytest.approx(10 ** (-6 / 20), rel=0.01)


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "\u200b\x00"])
@pytest.mark.parametrize("engine_name", ["piper", "silent"])
def test_empty_text_is_a_clear_error(text: str, engine_name: str) -> None:
    voice = Voice(engine=engine_name)
    with pytest.raises(SpeechError, match="nothing to say"):
        engine_for(voice).synthesize(text, voice)


@pytest.mark.parametrize(
    "text", ["🙂", "...", "a\x00b", "你好", "[[x]] there", "Ünïcödé — “quotes” ∑ ☃"]
)
def test_unspeakable_characters_do_not_crash(piper: SpeechEngine, text: str) -> None:
    line = piper.synthesize(text, Voice())
    assert line.dtype == np.int16
    assert line.size > 0


def test_clean_text() -> None:
    assert clean_text("  Hello,\n\tworld!\u200b ") == "Hello, world!"
    assert clean_text("a\x00b") == "ab"
    assert "[[" not in clean_text("[[ raw phonemes ]]")


def test_silent_engine_follows_reading_speed() -> None:
    engine = SilentEngine()
    short = engine.synthesize("Hi.", Voice(engine="silent"))
    long = engine.synthesize("x" * 150, Voice(engine="silent"))
    slow = engine.synthesize("x" * 150, Voice(engine="silent", length_scale=1.1))
    assert not short.any() and not long.any()
    assert short.size == round(0.5 * engine.sample_rate)  # the floor
    assert long.size == round(10.0 * engine.sample_rate)  # 15 characters a second
    assert slow.size == round(11.0 * engine.sample_rate)
    assert reading_seconds("x" * 30) == pytest.approx(2.0)


def test_engines_meet_the_protocol(piper: SpeechEngine) -> None:
    assert isinstance(piper, SpeechEngine)
    assert isinstance(SilentEngine(), SpeechEngine)
    assert "piper-tts" in piper.engine_id and "en_US-joe-medium" in piper.engine_id
    assert "onnxruntime" in piper.engine_id
    assert piper.engine_id != SilentEngine().engine_id


def test_engine_for_caches_one_engine_per_model(piper: SpeechEngine) -> None:
    assert engine_for(default_voice_for(3)) is piper
    assert engine_for(Voice(engine="silent")) is engine_for(Voice(engine="silent", model="x"))
    with pytest.raises(SpeechError, match="unknown piper voice model"):
        engine_for(Voice(model="nobody"))


def test_released_engines_load_again_and_say_the_same_bytes() -> None:
    engine = engine_for(Voice())
    before = engine.synthesize("The ferry is late.", Voice())
    assert isinstance(engine, PiperEngine) and engine._voice is not None
    release_engines()
    assert engine._voice is None
    assert engine_for(Voice()) is engine  # the engine stays; only its model went
    assert np.array_equal(engine.synthesize("The ferry is late.", Voice()), before)


def test_piper_engine_loads_lazily() -> None:
    engine = PiperEngine()
    assert engine.sample_rate == 22050  # from the config, without loading the model
    assert engine._voice is None


def _band_share(samples: np.ndarray, rate: int, low: float, high: float) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(samples.size, 1 / rate)
    return float(spectrum[(freqs >= low) & (freqs < high)].sum() / spectrum.sum())


def test_deliveries_are_heard(piper: SpeechEngine) -> None:
    line = "Gull Rock, this is the harbour. Do you read me?"
    takes = {
        d: piper.synthesize(line, Voice(delivery=d))
        for d in ("", "whisper", "shout", "radio", "offscreen")
    }
    level = {d: 20 * np.log10(np.sqrt(np.mean((a / 32768.0) ** 2))) for d, a in takes.items()}
    assert level["whisper"] < level[""] - 10
    assert level["shout"] > level[""] + 3
    assert level["offscreen"] < level[""] - 2
    rate = piper.sample_rate
    assert _band_share(takes["radio"], rate, 4000, rate / 2) < 0.2 * _band_share(
        takes[""], rate, 4000, rate / 2
    )
    assert _band_share(takes["radio"], rate, 0, 250) < 0.5 * _band_share(takes[""], rate, 0, 250)
    for take in takes.values():
        assert np.max(np.abs(take.astype(np.int32))) <= 32767
