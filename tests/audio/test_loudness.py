"""Loudness: measuring with ebur128, normalizing with two-pass loudnorm."""

from __future__ import annotations

import math
import wave
from pathlib import Path

import numpy as np
import pytest

from sparkle_motion.audio.loudness import (
    SILENCE_LUFS,
    Loudness,
    measure,
    measure_parallel,
    normalize,
)
from sparkle_motion.audio.mix import (
    Placement,
    duck,
    generate_music_bed,
    mix_voice_timeline,
    read_wav,
    write_wav,
)
from sparkle_motion.audio.speech_cache import SpeechCache
from sparkle_motion.audio.tts import SpeechEngine
from sparkle_motion.audio.voices import default_voice_for
from sparkle_motion.errors import MediaError
from tests.audio.signals import tone

RATE = 48000
LINES = (
    "The lamp went out an hour ago.",
    "Then we wait for the morning boat.",
    "I would rather not wait at all.",
)


@pytest.fixture(scope="module")
def episode_mix(tmp_path_factory: pytest.TempPathFactory, piper: SpeechEngine) -> Path:
    """About 14 s of two piper voices over a ducked music bed, as the episode mix makes it."""
    root = tmp_path_factory.mktemp("mix")
    cache = SpeechCache(root / "speech")
    placements, at = [], 0.5
    for number, line in enumerate(LINES * 2):  # the second round comes from the cache
        clip = cache.get_or_make(line, default_voice_for(number % 2 * 3), piper)
        placements.append(Placement(clip.path, at))
        at += clip.seconds + 0.4
    voice = mix_voice_timeline(placements, at + 0.5)
    music = duck(generate_music_bed("calm", at + 0.5, seed=4), voice, RATE)
    write_wav(voice + music, root / "mix.wav", RATE)
    return root / "mix.wav"


def test_measure_a_sine(tmp_path: Path) -> None:
    # a 997 Hz sine peaking at -20 dBFS reads -23.0 LUFS (BS.1770's calibration)
    write_wav(tone(997.0, 5.0, RATE, amplitude=0.1), tmp_path / "sine.wav", RATE)
    level = measure(tmp_path / "sine.wav")
    assert level.integrated_lufs == pytest.approx(-23.0, abs=0.2)
    assert level.true_peak_dbtp == pytest.approx(-20.0, abs=0.2)
    assert level.lra == pytest.approx(0.0, abs=0.2)
    assert not level.silent


@pytest.fixture(scope="module")
def normalized(episode_mix: Path) -> tuple[Path, Loudness, Loudness]:
    out = episode_mix.with_name("normalized.wav")
    before, after = normalize(episode_mix, out)
    return out, before, after


def test_normalize_speech_and_music(
    episode_mix: Path, normalized: tuple[Path, Loudness, Loudness]
) -> None:
    out, before, after = normalized
    assert before == measure(episode_mix)
    assert after == measure(out, true_peak=False)
    assert after.integrated_lufs == pytest.approx(-16.0, abs=0.25)
    assert measure(out).true_peak_dbtp <= -1.5
    with wave.open(str(out)) as wav:
        assert (wav.getsampwidth(), wav.getframerate(), wav.getnchannels()) == (2, RATE, 1)
        source, _ = read_wav(episode_mix)
        assert wav.getnframes() == source.size  # nothing lost or added


def test_normalize_is_deterministic(
    episode_mix: Path, normalized: tuple[Path, Loudness, Loudness], tmp_path: Path
) -> None:
    normalize(episode_mix, tmp_path / "again.wav")
    assert (tmp_path / "again.wav").read_bytes() == normalized[0].read_bytes()


def test_normalize_music_linearly(tmp_path: Path) -> None:
    write_wav(generate_music_bed("warm", 8.0, seed=2), tmp_path / "bed.wav", RATE)
    before, after = normalize(tmp_path / "bed.wav", tmp_path / "out.wav", target_lufs=-20.0)
    assert after.integrated_lufs == pytest.approx(-20.0, abs=0.3)
    # a linear gain: the loudness range is unchanged and so is the waveform's shape
    assert after.lra == pytest.approx(before.lra, abs=0.3)
    source, _ = read_wav(tmp_path / "bed.wav")
    result, _ = read_wav(tmp_path / "out.wav")
    gain = 10 ** ((after.integrated_lufs - before.integrated_lufs) / 20)
    assert np.abs(result - source * gain).max() < 0.01


def test_normalize_resamples(tmp_path: Path) -> None:
    write_wav(tone(440.0, 4.0, 22050, amplitude=0.2), tmp_path / "in.wav", 22050)
    _, after = normalize(tmp_path / "in.wav", tmp_path / "out.wav", sample_rate=44100)
    samples, rate = read_wav(tmp_path / "out.wav")
    assert rate == 44100 and samples.size == 4 * 44100
    assert after.integrated_lufs == pytest.approx(-16.0, abs=0.5)


def test_silence_passes_through(tmp_path: Path) -> None:
    write_wav(np.zeros(3 * RATE, dtype=np.int16), tmp_path / "silent.wav", RATE)
    level = measure(tmp_path / "silent.wav")
    assert level.silent and level.integrated_lufs == SILENCE_LUFS
    assert math.isfinite(level.true_peak_dbtp)  # fit for JSON
    before, after = normalize(tmp_path / "silent.wav", tmp_path / "out.wav")
    assert before.silent and after.silent
    samples, rate = read_wav(tmp_path / "out.wav")
    assert rate == RATE and samples.size == 3 * RATE and not samples.any()


def test_normalize_refuses_bad_calls(tmp_path: Path) -> None:
    write_wav(tone(440.0, 1.0, RATE), tmp_path / "in.wav", RATE)
    with pytest.raises(MediaError, match="not found"):
        normalize(tmp_path / "missing.wav", tmp_path / "out.wav")
    with pytest.raises(MediaError, match="other than its source"):
        normalize(tmp_path / "in.wav", tmp_path / "in.wav")
    with pytest.raises(MediaError, match="target loudness"):
        normalize(tmp_path / "in.wav", tmp_path / "out.wav", target_lufs=3.0)
    with pytest.raises(MediaError, match="not found"):
        measure(tmp_path / "missing.wav")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.wav"]


def test_sparse_dialogue_over_a_bed_still_reaches_the_target(
    tmp_path: Path, piper: SpeechEngine
) -> None:
    """Two short lines in 40 s of music: loudnorm alone goes dynamic and misses."""
    cache = SpeechCache(tmp_path / "speech")
    line = cache.get_or_make("Hey! Over here, quickly!", default_voice_for(0), piper)
    voice = mix_voice_timeline([Placement(line.path, 4.0), Placement(line.path, 30.0)], 40.0)
    bed = generate_music_bed("calm", 40.0, seed=1)
    bed *= np.float32(0.1 * 10 ** (-18 / 20) / np.sqrt(np.mean(bed**2)))
    write_wav(voice + duck(bed, voice, RATE), tmp_path / "sparse.wav", RATE)
    _, after = normalize(tmp_path / "sparse.wav", tmp_path / "out.wav")
    assert after.integrated_lufs == pytest.approx(-16.0, abs=0.5)
    assert after.true_peak_dbtp <= -1.5


def test_measuring_in_parallel_gives_what_one_pass_gives(
    normalized: tuple[Path, Loudness, Loudness],
) -> None:
    out, _, _ = normalized
    with wave.open(str(out)) as wav:
        seconds = wav.getnframes() / wav.getframerate()
    whole = measure(out)
    for workers in (1, 2, 3):
        assert measure_parallel(out, seconds, workers=workers) == whole
