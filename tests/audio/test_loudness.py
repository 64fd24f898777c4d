"""Loudness: measuring with ebur128, joining stretches measured apart, normalizing."""

from __future__ import annotations

import itertools
import math
import wave
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkle_motion.audio.loudness import (
    SILENCE_LUFS,
    Loudness,
    Metered,
    integrated_lufs,
    momentary_filter,
    read_momentary,
)
from sparkle_motion.audio.meter import measure, measure_parallel, metering
from sparkle_motion.audio.mix import (
    Placement,
    duck,
    generate_music_bed,
    mix_voice_timeline,
    read_wav,
    write_wav,
)
from sparkle_motion.audio.normalization import normalize
from sparkle_motion.audio.speech_cache import SpeechCache
from sparkle_motion.audio.tts import SpeechEngine
from sparkle_motion.audio.voices import default_voice_for
from sparkle_motion.audio.wav import to_int16
from sparkle_motion.errors import MediaError
from sparkle_motion.ffmpeg import stream_to_ffmpeg
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
    assert measure_parallel(out, seconds, workers=1) == whole
    for workers in (2, 3):
        shared = measure_parallel(out, seconds, workers=workers)
        assert shared.true_peak_dbtp == whole.true_peak_dbtp
        assert shared.integrated_lufs == pytest.approx(whole.integrated_lufs, abs=0.11)
        assert shared.lra == pytest.approx(whole.lra, abs=0.11)


def _metered(samples: np.ndarray, rate: int = RATE) -> Metered:
    with metering(rate, momentary=True) as meter:
        for first in range(0, samples.size, 1 << 16):
            meter.write(samples[first : first + (1 << 16)])
    assert meter.result is not None
    return Metered(meter.result, meter.momentary)


def _speechlike(seconds: float, seed: int) -> np.ndarray:
    """Bursts of tone at changing levels with pauses: the gates have work to do."""
    rng = np.random.default_rng(seed)
    out = np.zeros(round(seconds * RATE), dtype=np.float32)
    at = 0
    while at < out.size:
        length = int(rng.integers(RATE // 4, 2 * RATE))
        level = float(rng.uniform(0.02, 0.4))
        burst = tone(float(rng.uniform(150, 900)), length / RATE, RATE, amplitude=level)
        out[at : at + burst.size] = burst[: out.size - at]
        at += length + int(rng.integers(0, RATE))
    return out


def test_the_momentary_values_give_ebur128_s_integrated_loudness() -> None:
    metered = _metered(_speechlike(20.0, seed=1))
    assert len(metered.momentary) == 200  # one every 100 ms
    assert abs(integrated_lufs(metered.momentary) - metered.loudness.integrated_lufs) <= 0.1


def test_stretches_metered_apart_join_into_the_whole_s_loudness() -> None:
    sound = _speechlike(30.0, seed=2)
    whole = _metered(sound).loudness.integrated_lufs
    cuts = [0, 7 * RATE, 19 * RATE, sound.size]
    parts = [_metered(sound[a:b]) for a, b in itertools.pairwise(cuts)]
    joined = integrated_lufs(m for part in parts for m in part.momentary)
    assert abs(joined - whole) <= 0.1


@settings(max_examples=60, deadline=None)
@given(
    levels=st.lists(st.floats(-60.0, -5.0), min_size=1, max_size=60),
    quiet=st.lists(st.floats(-200.0, -70.5), max_size=20),
)
def test_integrated_loudness_ignores_order_and_blocks_under_the_gates(
    levels: list[float], quiet: list[float]
) -> None:
    loudness = integrated_lufs(levels)
    assert min(levels) - 1e-9 <= loudness <= max(levels) + 1e-9
    assert integrated_lufs([*quiet, *reversed(levels)]) == pytest.approx(loudness, abs=1e-9)
    # Gates move with the level: everything 3 dB quieter is 3 LU quieter.
    assert integrated_lufs([x - 3.0 for x in levels]) == pytest.approx(loudness - 3.0, abs=1e-9)
    assert integrated_lufs(quiet) == SILENCE_LUFS


def test_the_momentary_log_may_live_anywhere(tmp_path: Path) -> None:
    odd = tmp_path / "a:b,c[d] it's"
    odd.mkdir()
    with stream_to_ffmpeg([
        "-loglevel", "error", "-f", "s16le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0",
        "-af", momentary_filter("sample", odd / "log.txt"), "-f", "null", "-",
    ]) as stdin:  # fmt: skip
        stdin.write(to_int16(tone(440.0, 2.0, RATE, 0.2)).tobytes())
    assert len(read_momentary(odd / "log.txt")[0]) == 20
