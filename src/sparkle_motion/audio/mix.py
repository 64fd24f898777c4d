"""The episode mix: voice clips placed on a timeline, and music ducked under them.

Everything here is numpy over plain values: WAV paths and seconds in, float32
mono out. :func:`generate_music_bed`, :func:`read_wav` and :func:`write_wav`
live in their own modules and are re-exported here, so a mixing stage needs
one import.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sparkle_motion.audio.music import generate_music_bed
from sparkle_motion.audio.resample import resample, resampled_length
from sparkle_motion.audio.wav import WavReader, read_wav, to_float32, write_wav
from sparkle_motion.errors import MediaError

__all__ = [
    "GainCurve",
    "Placement",
    "Timeline",
    "control_hop",
    "duck",
    "duck_curve",
    "generate_music_bed",
    "mix_voice_timeline",
    "read_wav",
    "voice_activity",
    "write_wav",
]

_FRAMES_PER_SECOND = 100  # the ducking envelope's control rate
_KEEP_CLIPS = 16  # decoded clips a timeline keeps (lines are read a block or two apart)
_BLOCK_FRAMES = 6000  # one minute of control frames per block: memory stays flat
_VOICE_FLOOR_DB = -50.0  # quieter than this, a voice frame counts as silence
_VOICE_FULL_DB = -40.0  # louder than this, as speech


@dataclass(frozen=True)
class Placement:
    """A WAV placed on the timeline, starting ``start`` seconds in, with a gain."""

    path: Path
    start: float
    gain_db: float = 0.0


def _check_seconds(name: str, value: float) -> None:
    if not math.isfinite(value) or value < 0:
        raise MediaError(f"{name} must be a finite number of seconds, 0 or more, got {value!r}")


class Timeline:
    """Clips placed on a timeline, summed any block at a time.

    Each clip is resampled deterministically (numpy polyphase) to
    ``sample_rate`` and starts at the sample nearest its ``start``; whatever
    falls before 0 is cut off. Sums are not clipped: overlapping clips may
    exceed [-1, 1]. Clips are decoded when a block first needs them and a few
    are kept, so memory holds the clips around one block, not the episode.
    """

    def __init__(self, placements: Sequence[Placement], sample_rate: int) -> None:
        if sample_rate <= 0:
            raise MediaError(f"sample rate must be positive, got {sample_rate}")
        for placement in placements:
            if not (math.isfinite(placement.start) and math.isfinite(placement.gain_db)):
                raise MediaError(
                    f"placement start and gain must be finite, got {placement.start!r} s, "
                    f"{placement.gain_db!r} dB",
                    where=str(placement.path),
                )
        self.rate = sample_rate
        self._placed = [(p, round(p.start * sample_rate)) for p in placements]
        self._lengths: dict[Path, int] = {}
        self._clips: dict[Path, NDArray[np.float32]] = {}

    def _clip(self, path: Path) -> NDArray[np.float32]:
        """The clip at the timeline's rate; the least recently used one makes room."""
        clip = self._clips.pop(path, None)
        if clip is None:
            samples, rate = read_wav(path)
            clip = resample(samples, rate, self.rate)
            if len(self._clips) >= _KEEP_CLIPS:
                self._clips.pop(next(iter(self._clips)))
        self._clips[path] = clip  # last in the dict: the most recently used
        return clip

    def _length(self, path: Path) -> int:
        """The clip's length at the timeline's rate, from its header (no decoding)."""
        if path not in self._lengths:
            with WavReader(path) as reader:
                self._lengths[path] = resampled_length(reader.frames, reader.rate, self.rate)
        return self._lengths[path]

    def block(self, first: int, count: int) -> NDArray[np.float32]:
        """The sum of every clip over samples ``first`` to ``first + count``."""
        out = np.zeros(max(0, count), dtype=np.float32)
        lo, hi = max(0, first), first + count
        for placement, offset in self._placed:
            if offset >= hi:
                continue
            begin = max(lo, offset)
            end = min(hi, offset + self._length(placement.path))
            if begin >= end:
                continue
            clip = self._clip(placement.path)
            gain = np.float32(10.0 ** (placement.gain_db / 20.0))
            out[begin - first : end - first] += clip[begin - offset : end - offset] * gain
        return out


def mix_voice_timeline(
    placements: Sequence[Placement], total_seconds: float, sample_rate: int = 48000
) -> NDArray[np.float32]:
    """Sum the placed clips into ``total_seconds`` of float32 mono at ``sample_rate``.

    The whole of a :class:`Timeline` at once; whatever falls after the end is
    cut off, and loudness normalization comes later.
    """
    _check_seconds("total_seconds", total_seconds)
    timeline = Timeline(placements, sample_rate)
    return timeline.block(0, round(total_seconds * sample_rate))


def control_hop(sample_rate: int) -> int:
    """Samples per control frame of the ducking envelope (100 Hz)."""
    return max(1, round(sample_rate / _FRAMES_PER_SECOND))


def voice_activity(voice: NDArray[np.generic], hop: int) -> NDArray[np.float64]:
    """Per control frame of ``hop`` samples, 0 (silence) to 1 (speech) from the voice's RMS.

    A last partial frame counts its missing samples as silence, so activity
    computed block by block (blocks a whole number of frames long) joins up
    exactly with activity computed at once.
    """
    samples = to_float32(voice)
    frames = math.ceil(samples.size / hop)
    level = np.zeros(frames, dtype=np.float64)
    for first in range(0, frames, _BLOCK_FRAMES):
        count = min(_BLOCK_FRAMES, frames - first)
        block = np.zeros(count * hop, dtype=np.float64)
        piece = samples[first * hop : (first + count) * hop]
        block[: piece.size] = piece
        level[first : first + count] = np.sqrt((block.reshape(count, hop) ** 2).mean(axis=1))
    floor, full = 10.0 ** (_VOICE_FLOOR_DB / 20.0), 10.0 ** (_VOICE_FULL_DB / 20.0)
    activity: NDArray[np.float64] = np.clip((level - floor) / (full - floor), 0.0, 1.0)
    return activity


def _hold(activity: NDArray[np.float64], seconds: float) -> NDArray[np.float64]:
    """Each frame at least every earlier frame's value minus a linear fall over ``seconds``."""
    fall = 1.0 / max(seconds * _FRAMES_PER_SECOND, 1.0)
    steps = np.arange(activity.size, dtype=np.float64) * fall
    held: NDArray[np.float64] = np.maximum.accumulate(activity + steps) - steps
    return held


@dataclass(frozen=True)
class GainCurve:
    """A gain per control frame of ``hop`` samples, read per sample by interpolation."""

    gain: NDArray[np.float64]
    hop: int

    def apply(self, samples: NDArray[np.generic], first: int) -> NDArray[np.float32]:
        """``samples`` (starting at sample ``first`` of the timeline) times the curve."""
        block = to_float32(samples)
        if self.gain.size == 0:
            return block.copy()
        centers_first = 0.5 * self.hop
        positions = np.arange(first, first + block.size, dtype=np.float64)
        # np.interp over the frame centres; only the frames around this block are needed.
        lo = max(0, int((first - centers_first) // self.hop))
        hi = min(self.gain.size, int((first + block.size - centers_first) // self.hop) + 2)
        centers = (np.arange(lo, hi, dtype=np.float64) + 0.5) * self.hop
        per_sample = np.interp(positions, centers, self.gain[lo:hi])
        out: NDArray[np.float32] = (block.astype(np.float64) * per_sample).astype(np.float32)
        return out


def duck_curve(
    activity: NDArray[np.float64],
    hop: int,
    *,
    depth_db: float = 12.0,
    attack: float = 0.08,
    release: float = 0.4,
) -> GainCurve:
    """The music's gain from the voice's activity: down ``depth_db`` while anyone speaks.

    Side-chain style, with look-ahead since the whole voice track is known: the
    music is already down by ``depth_db`` when a line starts (it begins falling
    ``attack`` seconds before) and comes back over ``release`` seconds after the
    line ends; short gaps between words keep it down. The gain moves along a
    smoothstep curve at a 100 Hz control rate, interpolated per sample, so it
    has no steps or corners.
    """
    if not (math.isfinite(depth_db) and depth_db >= 0):
        raise MediaError(f"ducking depth must be 0 dB or more, got {depth_db!r}")
    _check_seconds("attack", attack)
    _check_seconds("release", release)
    after = _hold(activity, release)
    before = _hold(activity[::-1], attack)[::-1]
    amount = np.maximum(after, before)
    amount = amount * amount * (3.0 - 2.0 * amount)  # smoothstep: no corners in the gain curve
    floor_gain = 10.0 ** (-depth_db / 20.0)
    return GainCurve(gain=1.0 + (floor_gain - 1.0) * amount, hop=hop)


def duck(
    music: NDArray[np.generic],
    voice: NDArray[np.generic],
    sample_rate: int,
    *,
    depth_db: float = 12.0,
    attack: float = 0.08,
    release: float = 0.4,
) -> NDArray[np.float32]:
    """Lower ``music`` by up to ``depth_db`` while ``voice`` is active (float32 out).

    :func:`duck_curve` over the whole of both at once. Only IEEE arithmetic and
    square roots touch the signal, so the result is the same on every CPU. The
    result has the music's length; the voice is cut or padded with silence to match.
    """
    if sample_rate <= 0:
        raise MediaError(f"sample rate must be positive, got {sample_rate}")
    bed = to_float32(music)
    if bed.size == 0:
        return bed.copy()
    hop = control_hop(sample_rate)
    frames = math.ceil(bed.size / hop)
    activity = np.zeros(frames, dtype=np.float64)
    measured = voice_activity(to_float32(voice)[: bed.size], hop)[:frames]
    activity[: measured.size] = measured
    curve = duck_curve(activity, hop, depth_db=depth_db, attack=attack, release=release)
    ducked = np.empty(bed.size, dtype=np.float32)
    block = _BLOCK_FRAMES * hop  # bounded temporaries, whatever the episode's length
    for first in range(0, bed.size, block):
        ducked[first : first + block] = curve.apply(bed[first : first + block], first)
    return ducked


# Dialogue bus compression, as a mixer would set it: slow enough to leave the
# syllables' shape, firm enough that soft words sit near loud ones.
DIALOGUE_COMPRESSOR = "acompressor=threshold=0.05:ratio=3:attack=10:release=150:makeup=3"
