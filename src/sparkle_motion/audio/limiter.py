"""A look-ahead peak limiter in numpy: no sample ever exceeds the ceiling.

For every sample the gain that would keep it under the ceiling is computed;
a running minimum over the look-ahead window spreads each reduction to the
samples around a peak, and a box average of the same width smooths it.
Averaging minima that each already cover the sample can only lower the
gain there, so the ceiling holds exactly, and the gain moves without steps.
Work goes block by block, so memory stays flat for any length.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

__all__ = ["limit_peaks"]

_BLOCK = 1 << 18


def _running_min(values: NDArray[np.float64], width: int) -> NDArray[np.float64]:
    """Centred running minimum (edges repeat), same length as ``values``."""
    half = width // 2
    padded = np.pad(values, (half, width - 1 - half), mode="edge")
    out = np.empty(values.size, dtype=np.float64)
    for first in range(0, values.size, _BLOCK):
        last = min(values.size, first + _BLOCK)
        out[first:last] = sliding_window_view(padded[first : last + width - 1], width).min(axis=1)
    return out


def _box(values: NDArray[np.float64], width: int) -> NDArray[np.float64]:
    """Centred moving average (edges repeat), same length as ``values``."""
    half = width // 2
    padded = np.pad(values, (half, width - 1 - half), mode="edge")
    sums = np.concatenate(([0.0], np.cumsum(padded)))
    averaged: NDArray[np.float64] = (sums[width:] - sums[:-width]) / width
    return averaged


def limit_peaks(
    samples: NDArray[np.float32], sample_rate: int, ceiling: float, lookahead: float = 0.002
) -> NDArray[np.float32]:
    """``samples`` with every peak held at or under ``ceiling`` (linear, e.g. 0.75)."""
    width = max(1, round(lookahead * sample_rate)) | 1  # odd: centred exactly
    out = np.empty(samples.size, dtype=np.float32)
    margin = width  # each block sees its neighbours' peaks coming
    for first in range(0, samples.size, _BLOCK):
        last = min(samples.size, first + _BLOCK)
        lo, hi = max(0, first - 2 * margin), min(samples.size, last + 2 * margin)
        chunk = samples[lo:hi].astype(np.float64)
        peak = np.maximum(np.abs(chunk), 1e-12)
        need = np.minimum(1.0, ceiling / peak)
        gain = _box(_running_min(need, width), width)
        gain = np.minimum(gain, need)  # rounding in the average never lets a sample through
        out[first:last] = (chunk * gain)[first - lo : first - lo + last - first]
    return out
