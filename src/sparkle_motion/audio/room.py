"""Room tone: the soft hiss of air in a room, under a stretch's silences.

Made a stretch at a time and the same to the sample however the timeline is
cut, so a scene's room tone does not depend on where its blocks fall.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from sparkle_motion.seeding import seed_int

__all__ = ["room_tone"]

_TONE_CHUNK = 1 << 16  # room tone noise is drawn per chunk, keyed by its index
_TONE_BOXES = (6, 17)  # two box filters: a soft low-passed hiss, like air in a room


def _tone_chunk(seed: int, index: int) -> NDArray[np.int64]:
    """Chunk ``index`` of the tone's noise: odd integers spread evenly over ±2**32."""
    # The chunk index is -1 for the filters' run-in before sample 0.
    key = seed_int(seed, "room-tone", index)
    raw = np.random.PCG64(np.random.SeedSequence(key)).random_raw(_TONE_CHUNK)
    top: NDArray[np.int64] = (raw >> np.uint64(32)).astype(np.int64)
    return 2 * top - ((1 << 32) - 1)


def room_tone(seed: int, first: int, count: int) -> NDArray[np.float64]:
    """Samples ``first`` to ``first + count`` of an endless soft hiss at RMS 1.

    Uniform noise from a counter-keyed generator (any stretch can be made on
    its own), low-passed by two box filters in integer arithmetic, so a
    stretch is exactly the same however the timeline is cut into blocks.
    """
    if count <= 0:
        return np.zeros(0, dtype=np.float64)
    reach = sum(width - 1 for width in _TONE_BOXES)
    lo = first - reach
    chunks = range(lo // _TONE_CHUNK, (first + count - 1) // _TONE_CHUNK + 1)
    noise = np.concatenate([_tone_chunk(seed, k) for k in chunks])
    skip = lo - chunks[0] * _TONE_CHUNK
    noise = noise[skip : skip + count + reach]
    kernel = np.ones(1)
    for width in _TONE_BOXES:
        noise = np.convolve(noise, np.ones(width, dtype=np.int64), mode="valid")
        kernel = np.convolve(kernel, np.ones(width))
    # The noise is uniform over ±2**32 (variance 2**64 / 3); the filters' gain is |kernel|.
    rms = math.sqrt(float(np.dot(kernel, kernel)) * 2.0**64 / 3.0)
    out: NDArray[np.float64] = noise.astype(np.float64) / rms
    return out
