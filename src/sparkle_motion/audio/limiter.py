"""A look-ahead peak limiter in numpy: no sample ever exceeds the ceiling.

For every sample the gain that would keep it under the ceiling is computed;
a running minimum over the look-ahead window spreads each reduction to the
samples around a peak, and a box average of the same width smooths it.
Averaging minima that each already cover the sample can only lower the
gain there, so the ceiling holds exactly, and the gain moves without steps.

Work goes block by block: each block reads its neighbours' samples within
two windows of its edges (silence beyond the ends), so the result is the same
whatever the block size, and a file of any length is limited in flat memory.
A block with no sample over the ceiling passes through untouched.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

__all__ = ["PeakLimiter", "limit_peaks"]

_BLOCK = 1 << 18
_FIXED = float(1 << 40)  # gains in [0, 1] as integers of 2**-40
_STRETCH = 4096  # samples worked on at a time around a peak

Reader = Callable[[int, int], NDArray[np.float32]]
"""``read(first, count)``: ``count`` samples from ``first`` on, silence outside the signal."""


def _running_min(values: NDArray[np.float64], width: int) -> NDArray[np.float64]:
    """Centred running minimum (edges repeat), same length as ``values``.

    Van Herk / Gil-Werman: the padded signal is cut into runs of ``width``;
    a window always spans the tail of one run and the head of the next, so its
    minimum is the smaller of a suffix minimum and a prefix minimum.
    """
    half = width // 2
    padded = np.pad(values, (half, width - 1 - half), mode="edge")
    runs = -(-padded.size // width)
    grid = np.pad(padded, (0, runs * width - padded.size), mode="edge").reshape(runs, width)
    prefix = np.minimum.accumulate(grid, axis=1).ravel()
    suffix = np.minimum.accumulate(grid[:, ::-1], axis=1)[:, ::-1].ravel()
    out: NDArray[np.float64] = np.minimum(
        suffix[: values.size], prefix[width - 1 : width - 1 + values.size]
    )
    return out


def _box(values: NDArray[np.float64], width: int) -> NDArray[np.float64]:
    """Centred moving average (edges repeat), same length as ``values``.

    Values are summed as fixed-point integers (``_FIXED`` fractional bits),
    so every average is exact whatever stretch it was computed in.
    """
    half = width // 2
    fixed = np.round(values * _FIXED).astype(np.int64)
    padded = np.pad(fixed, (half, width - 1 - half), mode="edge")
    sums = np.concatenate((np.zeros(1, dtype=np.int64), np.cumsum(padded)))
    averaged: NDArray[np.float64] = (sums[width:] - sums[:-width]).astype(np.float64) / (
        width * _FIXED
    )
    return averaged


class PeakLimiter:
    """Holds every sample at or under ``ceiling`` (linear, e.g. 0.75)."""

    def __init__(self, sample_rate: int, ceiling: float, lookahead: float = 0.002) -> None:
        self.ceiling, self.rate = ceiling, sample_rate
        self.width = max(1, round(lookahead * sample_rate)) | 1  # odd: centred exactly
        self.margin = 2 * self.width  # how far each block sees its neighbours' peaks coming

    def block(self, read: Reader, first: int, count: int) -> NDArray[np.float32]:
        """Samples ``first`` to ``first + count`` of the signal ``read`` gives, limited.

        The gain moves only within two windows of a sample over the ceiling, so
        only the stretches of ``_STRETCH`` samples near one are worked on; the
        rest pass through with a gain of exactly 1, as the full sum would give.
        """
        margin = self.margin
        chunk = read(first - margin, count + 2 * margin)
        out = chunk[margin : margin + count].astype(np.float32)
        over = np.abs(chunk) > self.ceiling
        if not over.any():
            return out
        seen = np.concatenate(([0], np.cumsum(over)))  # peaks before each position
        for start in range(0, count, _STRETCH):
            stop = min(count, start + _STRETCH)
            if seen[stop + 2 * margin] == seen[start]:  # no peak within reach
                continue
            wide = chunk[start : stop + 2 * margin].astype(np.float64)
            peak = np.maximum(np.abs(wide), 1e-12)
            need = np.minimum(1.0, self.ceiling / peak)
            gain = _box(_running_min(need, self.width), self.width)
            gain = np.minimum(gain, need)  # rounding in the average never lets a sample through
            out[start:stop] = (wide * gain)[margin : margin + stop - start]
        return out


def limit_peaks(
    samples: NDArray[np.float32], sample_rate: int, ceiling: float, lookahead: float = 0.002
) -> NDArray[np.float32]:
    """``samples`` with every peak held at or under ``ceiling`` (linear, e.g. 0.75)."""
    limiter = PeakLimiter(sample_rate, ceiling, lookahead)

    def read(first: int, count: int) -> NDArray[np.float32]:
        out = np.zeros(count, dtype=np.float32)
        lo, hi = max(0, first), min(samples.size, first + count)
        if lo < hi:
            out[lo - first : hi - first] = samples[lo:hi]
        return out

    out = np.empty(samples.size, dtype=np.float32)
    for first in range(0, samples.size, _BLOCK):
        count = min(_BLOCK, samples.size - first)
        out[first : first + count] = limiter.block(read, first, count)
    return out
