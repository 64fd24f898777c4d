"""The voice timeline, the music bed and ducking."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkle_motion.audio.mix import (
    Placement,
    duck,
    generate_music_bed,
    mix_voice_timeline,
    read_wav,
    write_wav,
)
from sparkle_motion.audio.music import MOOD_NAMES
from sparkle_motion.errors import MediaError
from tests.audio.signals import rms_db, tone, write_tone

RATE = 48000


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Half-second tones at the rates speech comes in."""
    root = tmp_path_factory.mktemp("clips")
    return {
        "piper": write_tone(root / "a.wav", 220.0, 0.5, 22050),
        "cd": write_tone(root / "b.wav", 330.0, 0.5, 44100),
        "native": write_tone(root / "c.wav", 440.0, 0.5, 48000),
    }


def test_placements_put_energy_where_expected(clips: dict[str, Path]) -> None:
    mix = mix_voice_timeline(
        [Placement(clips["piper"], 1.0), Placement(clips["cd"], 3.0, gain_db=-6.0)], 5.0
    )
    assert mix.dtype == np.float32 and mix.size == 5 * RATE
    tone_db = 20 * math.log10(0.5 / math.sqrt(2))  # a 0.5 sine: -9 dBFS RMS
    assert rms_db(mix, RATE, 1.05, 1.45) == pytest.approx(tone_db, abs=0.2)
    assert rms_db(mix, RATE, 3.05, 3.45) == pytest.approx(tone_db - 6.0, abs=0.2)
    for quiet in [(0.0, 0.95), (1.55, 2.95), (3.55, 5.0)]:
        assert rms_db(mix, RATE, *quiet) < -60.0


def test_overlapping_clips_add_up(clips: dict[str, Path]) -> None:
    one = mix_voice_timeline([Placement(clips["native"], 0.0)], 0.5)
    two = mix_voice_timeline([Placement(clips["native"], 0.0)] * 2, 0.5)
    assert np.allclose(two, 2 * one, atol=1e-6)


def test_clips_are_cut_at_both_ends(clips: dict[str, Path]) -> None:
    mix = mix_voice_timeline(
        [Placement(clips["native"], -0.25), Placement(clips["native"], 0.75)], 1.0
    )
    source, _ = read_wav(clips["native"])
    assert mix.size == RATE
    assert np.array_equal(mix[: RATE // 4], source[RATE // 4 :])
    assert np.array_equal(mix[3 * RATE // 4 :], source[: RATE // 4])


def test_mix_is_deterministic(clips: dict[str, Path]) -> None:
    placements = [Placement(clips[name], 0.3 * i) for i, name in enumerate(sorted(clips))]
    assert np.array_equal(mix_voice_timeline(placements, 2.0), mix_voice_timeline(placements, 2.0))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["piper", "cd", "native"]),
            st.floats(-2.0, 10.0, allow_nan=False),
            st.floats(-30.0, 6.0, allow_nan=False),
        ),
        max_size=6,
    ),
    st.floats(0.0, 6.0, allow_nan=False),
    st.sampled_from([8000, 22050, 48000]),
)
def test_random_timelines_stay_in_bounds(
    clips: dict[str, Path],
    placed: list[tuple[str, float, float]],
    total: float,
    rate: int,
) -> None:
    placements = [Placement(clips[name], start, gain) for name, start, gain in placed]
    mix = mix_voice_timeline(placements, total, rate)
    assert mix.size == round(total * rate)
    assert np.isfinite(mix).all()
    assert np.abs(mix).max(initial=0.0) <= 0.51 * 2.0 * max(1, len(placed))


@pytest.mark.parametrize(
    "call",
    [
        lambda p: mix_voice_timeline([Placement(p, 0.0)], -1.0),
        lambda p: mix_voice_timeline([Placement(p, math.nan)], 1.0),
        lambda p: mix_voice_timeline([Placement(p, 0.0, math.inf)], 1.0),
        lambda p: mix_voice_timeline([Placement(p.with_name("missing.wav"), 0.0)], 1.0),
    ],
)
def test_bad_timelines_are_media_errors(clips: dict[str, Path], call: object) -> None:
    with pytest.raises(MediaError):
        call(clips["native"])  # type: ignore[operator]


# --- music bed -----------------------------------------------------------------


def test_music_bed_is_deterministic_per_seed() -> None:
    a = generate_music_bed("calm", 8.0, seed=1)
    assert a.dtype == np.float32 and a.size == 8 * RATE
    assert np.array_equal(a, generate_music_bed("calm", 8.0, seed=1))
    assert not np.array_equal(a, generate_music_bed("calm", 8.0, seed=2))
    assert not np.array_equal(a, generate_music_bed("tense", 8.0, seed=1))


def test_unknown_mood_is_calm() -> None:
    assert np.array_equal(
        generate_music_bed("jubilant", 3.0, seed=5), generate_music_bed("calm", 3.0, seed=5)
    )
    assert np.array_equal(
        generate_music_bed(" Calm ", 3.0, seed=5), generate_music_bed("calm", 3.0, seed=5)
    )


@pytest.mark.parametrize("mood", MOOD_NAMES)
def test_music_bed_is_quiet_and_click_free(mood: str) -> None:
    bed = generate_music_bed(mood, 20.0, seed=11, sample_rate=RATE)
    peak = float(np.abs(bed).max())
    assert 0.03 < peak < 0.25  # audible, and peaking below -12 dBFS
    assert -40.0 < rms_db(bed, RATE, 0.0, 20.0) < -24.0
    # a click is a jump far beyond what slow sines allow: a 1 kHz partial at the
    # bed's peak moves at most 2*pi*1000/48000*peak per sample
    jumps = np.abs(np.diff(bed.astype(np.float64)))
    assert jumps.max() < 2 * math.pi * 1000 / RATE * peak
    assert abs(float(bed[0])) < 1e-6 and abs(float(bed[-1])) < 1e-3  # faded in and out


def test_chord_changes_are_smooth() -> None:
    bed = generate_music_bed("warm", 20.0, seed=3).astype(np.float64)
    hop = RATE // 10
    level = np.sqrt((bed[: bed.size // hop * hop].reshape(-1, hop) ** 2).mean(axis=1))
    inner = level[30:170]  # away from the overall fades; chords change every 5 s
    assert (np.abs(np.diff(20 * np.log10(inner))) < 3.0).all()  # no level steps


@pytest.mark.parametrize("seconds", [0.0, 0.001, 0.7])
def test_short_beds(seconds: float) -> None:
    bed = generate_music_bed("mysterious", seconds, seed=0, sample_rate=22050)
    assert bed.size == round(seconds * 22050) and np.isfinite(bed).all()


def test_bad_bed_length() -> None:
    with pytest.raises(MediaError):
        generate_music_bed("calm", -1.0, seed=0)


# --- ducking -------------------------------------------------------------------


def _voice_between(start: float, end: float, seconds: float) -> np.ndarray:
    voice = np.zeros(round(seconds * RATE), dtype=np.float32)
    burst = tone(180.0, end - start, RATE, amplitude=0.3)
    voice[round(start * RATE) : round(start * RATE) + burst.size] = burst
    return voice


def test_ducking_lowers_music_under_voice_by_depth() -> None:
    music = tone(500.0, 8.0, RATE, amplitude=0.1)
    voice = _voice_between(3.0, 5.0, 8.0)
    ducked = duck(music, voice, RATE, depth_db=12.0)
    assert ducked.dtype == np.float32 and ducked.size == music.size
    drop = rms_db(ducked, RATE, 3.0, 5.0) - rms_db(music, RATE, 3.0, 5.0)
    assert drop == pytest.approx(-12.0, abs=1.0)
    assert rms_db(ducked, RATE, 0.5, 2.5) == pytest.approx(rms_db(music, RATE, 0.5, 2.5), abs=0.1)
    assert rms_db(ducked, RATE, 6.0, 8.0) == pytest.approx(rms_db(music, RATE, 6.0, 8.0), abs=0.1)


def test_ducking_envelope_is_smooth_and_looks_ahead() -> None:
    music = np.full(6 * RATE, 0.1, dtype=np.float32)  # a DC "bed" shows the gain curve itself
    voice = _voice_between(2.0, 3.0, 6.0)
    gain = duck(music, voice, RATE, depth_db=12.0, attack=0.08, release=0.4) / 0.1
    floor = 10 ** (-12 / 20)
    assert gain[round(2.0 * RATE)] == pytest.approx(floor, abs=0.02)  # down when the line starts
    assert gain[round(1.85 * RATE)] == pytest.approx(1.0, abs=0.01)  # not long before
    assert gain[round(3.2 * RATE)] < 0.9  # still coming back during the release
    assert gain[round(3.6 * RATE)] == pytest.approx(1.0, abs=0.01)
    assert np.abs(np.diff(gain.astype(np.float64))).max() < 1e-3  # no steps


def test_duck_handles_mismatched_lengths_and_int16() -> None:
    music = tone(500.0, 2.0, RATE, amplitude=0.1)
    voice = (_voice_between(0.5, 4.0, 4.0) * 32767).astype(np.int16)  # longer than the music
    ducked = duck(music, voice, RATE)
    assert ducked.size == music.size
    assert rms_db(ducked, RATE, 1.0, 2.0) < rms_db(music, RATE, 1.0, 2.0) - 10
    assert duck(np.zeros(0, dtype=np.float32), voice, RATE).size == 0


def test_a_ducked_bed_writes_and_reads_back(tmp_path: Path) -> None:
    bed = duck(generate_music_bed("calm", 2.0, seed=1), _voice_between(0.5, 1.0, 2.0), RATE)
    write_wav(bed, tmp_path / "bed.wav", RATE)
    back, rate = read_wav(tmp_path / "bed.wav")
    assert rate == RATE and np.abs(back - bed).max() <= 1 / 32768
