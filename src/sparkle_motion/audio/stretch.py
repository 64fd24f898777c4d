"""A stretch of soundtrack (a scene, say) as plain values, and the blocks it is mixed in.

Every pass over a stretch (placing and compressing its dialogue, making its
stems, leveling its mix) walks it in the same blocks of whole control frames
(:func:`.mix.control_hop`), so memory stays flat for any length.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sparkle_motion.audio.mix import Placement, control_hop

__all__ = [
    "MOOD_CROSSFADE_SECONDS",
    "Bed",
    "Soundtrack",
    "Stems",
    "block_size",
    "blocks",
    "end_fade",
]

_CONTROL_FRAMES_PER_BLOCK = 2048  # about 20 s a block at 48 kHz
MOOD_CROSSFADE_SECONDS = 1.0


@dataclass(frozen=True)
class Bed:
    """A music bed and the sample ranges of the timeline it plays under.

    ``source`` is a WAV at the mix rate, looped as needed; without one the
    generated pad of ``mood`` plays (:class:`.music.MusicBed`).
    """

    spans: tuple[tuple[int, int], ...]
    mood: str = "calm"
    source: Path | None = None


@dataclass(frozen=True)
class Soundtrack:
    """Everything that shapes an episode's sound, as plain values."""

    length: int  # samples
    rate: int
    seed: int
    voice: Sequence[Placement] = ()
    effects: Sequence[Placement] = ()
    beds: Sequence[Bed] = ()
    music_level_db: float = -20.0  # the beds' RMS under the dialogue's
    duck_db: float = 12.0
    room_tone_db: float | None = None  # the room tone's RMS under the dialogue's; None: none
    crossfade_seconds: float = MOOD_CROSSFADE_SECONDS


@dataclass(frozen=True)
class Stems:
    """Where the stems and the mix are written."""

    voice: Path
    music: Path
    effects: Path
    mix: Path


def block_size(rate: int) -> int:
    """The samples in a block at ``rate``."""
    return control_hop(rate) * _CONTROL_FRAMES_PER_BLOCK


def blocks(length: int, size: int) -> Iterator[tuple[int, int]]:
    """(first sample, count) of each block of ``size`` over ``length`` samples, in order."""
    for first in range(0, length, size):
        yield first, min(size, length - first)


def end_fade(first: int, count: int, length: int, width: int) -> NDArray[np.float32] | None:
    """Gains that take a stretch of ``length`` samples out over its last ``width`` (a half
    cosine), for samples ``first`` to ``first + count``; None where the block is untouched."""
    start = length - width
    if width <= 0 or first + count <= start:
        return None
    at = np.arange(first, first + count, dtype=np.float64)
    done = np.clip((at - start) / width, 0.0, 1.0)
    gains: NDArray[np.float32] = (0.5 + 0.5 * np.cos(np.pi * done)).astype(np.float32)
    return gains
