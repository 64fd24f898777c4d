from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkle_motion.audio.limiter import PeakLimiter, _box, _running_min, limit_peaks


@given(st.integers(0, 2**31 - 1), st.floats(0.1, 0.95), st.integers(1, 200_000))
@settings(max_examples=40, deadline=None)
def test_no_sample_exceeds_the_ceiling(seed: int, ceiling: float, length: int) -> None:
    rng = np.random.default_rng(seed)
    loud = (rng.normal(0, 0.8, length)).astype(np.float32)
    limited = limit_peaks(loud, 48000, ceiling)
    assert limited.shape == loud.shape and limited.dtype == np.float32
    assert float(np.max(np.abs(limited))) <= ceiling + 1e-6


def test_quiet_material_passes_unchanged_and_results_repeat() -> None:
    t = np.arange(48000) / 48000
    quiet = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    assert np.array_equal(limit_peaks(quiet, 48000, 0.75), quiet)
    loud = quiet * np.float32(4.0)
    assert np.array_equal(limit_peaks(loud, 48000, 0.75), limit_peaks(loud, 48000, 0.75))


def test_gain_changes_smoothly_around_a_peak() -> None:
    signal = np.full(48000, 0.5, dtype=np.float32)
    signal[24000] = 2.0  # one spike
    limited = limit_peaks(signal, 48000, 0.75)
    gain = limited / signal
    assert gain[24000] <= 0.375 + 1e-6
    steps = np.abs(np.diff(gain.astype(np.float64)))
    assert steps.max() < 0.05  # spread over the look-ahead window, not a notch
    assert np.all(gain[:23000] == 1.0) and np.all(gain[25000:] == 1.0)


@given(st.integers(0, 2**31 - 1), st.integers(1, 400_000), st.floats(0.05, 0.9))
@settings(max_examples=15, deadline=None)
def test_blocks_and_stretches_give_what_the_whole_signal_gives(
    seed: int, length: int, level: float
) -> None:
    """Limiting works piecewise around peaks; the pieces must not show in the result."""
    rng = np.random.default_rng(seed)
    signal = (rng.normal(0, level, length)).astype(np.float32)
    limiter = PeakLimiter(48000, 0.7)
    margin = limiter.margin
    padded = np.concatenate([np.zeros(margin), signal.astype(np.float64), np.zeros(margin)])
    need = np.minimum(1.0, 0.7 / np.maximum(np.abs(padded), 1e-12))
    gain = np.minimum(_box(_running_min(need, limiter.width), limiter.width), need)
    whole = (padded * gain)[margin : margin + length].astype(np.float32)
    assert np.array_equal(limit_peaks(signal, 48000, 0.7), whole)


@given(
    st.lists(st.floats(-1.0, 1.0, allow_nan=False), min_size=1, max_size=300),
    st.integers(1, 64),
)
def test_the_running_minimum_is_the_minimum_of_each_window(values: list[float], width: int) -> None:
    signal = np.array(values)
    half = width // 2
    padded = np.pad(signal, (half, width - 1 - half), mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, width)
    assert np.array_equal(_running_min(signal, width), windows.min(axis=1))
