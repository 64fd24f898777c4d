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
from sparkle_motion.audio.pitch import apply_filters
from sparkle_motion.audio.resample import resample
from sparkle_motion.audio.wav import read_wav, to_float32, write_wav
from sparkle_motion.errors import MediaError

__all__ = [
    "Placement",
    "duck",
    "generate_music_bed",
    "mix_voice_timeline",
    "read_wav",
    "write_wav",
]

_FRAMES_PER_SECOND = 100  # the ducking envelope's control rate
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


def mix_voice_timeline(
    placements: Sequence[Placement], total_seconds: float, sample_rate: int = 48000
) -> NDArray[np.float32]:
    """Sum the placed clips into ``total_seconds`` of float32 mono at ``sample_rate``.

    Each clip is resampled deterministically (numpy polyphase) and starts at
    the sample nearest its ``start``; whatever falls before 0 or after the end
    is cut off. The sum is not clipped: overlapping lines may exceed [-1, 1]
    and loudness normalization comes later.
    """
    _check_seconds("total_seconds", total_seconds)
    if sample_rate <= 0:
        raise MediaError(f"sample rate must be positive, got {sample_rate}")
    total = round(total_seconds * sample_rate)
    # float32 throughout: an hour of 48 kHz audio is 0.7 GB in float64.
    mix = np.zeros(total, dtype=np.float32)
    last: tuple[Path, NDArray[np.float32]] | None = None  # a line placed twice decodes once
    for placement in placements:
        if not (math.isfinite(placement.start) and math.isfinite(placement.gain_db)):
            raise MediaError(
                f"placement start and gain must be finite, got {placement.start!r} s, "
                f"{placement.gain_db!r} dB",
                where=str(placement.path),
            )
        if last is not None and last[0] == placement.path:
            clip = last[1]
        else:
            samples, rate = read_wav(placement.path)
            clip = resample(samples, rate, sample_rate)
            last = (placement.path, clip)
        offset = round(placement.start * sample_rate)
        skip = max(0, -offset)
        begin, end = max(0, offset), min(total, offset + clip.size)
        if begin >= end:
            continue
        gain = np.float32(10.0 ** (placement.gain_db / 20.0))
        mix[begin:end] += clip[skip : skip + end - begin] * gain
    return mix


def _voice_activity(voice: NDArray[np.float32], hop: int, frames: int) -> NDArray[np.float64]:
    """Per control frame, 0 (silence) to 1 (speech) from the voice's RMS level."""
    level = np.zeros(frames, dtype=np.float64)
    step = _BLOCK_FRAMES
    for first in range(0, frames, step):
        count = min(step, frames - first)
        block = np.zeros(count * hop, dtype=np.float64)
        piece = voice[first * hop : (first + count) * hop]
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

    Side-chain style, with look-ahead since the whole voice track is known: the
    music is already down by ``depth_db`` when a line starts (it begins falling
    ``attack`` seconds before) and comes back over ``release`` seconds after the
    line ends; short gaps between words keep it down. The gain moves along a
    smoothstep curve at a 100 Hz control rate, interpolated per sample, so it
    has no steps or corners. Only IEEE arithmetic and square roots touch the
    signal, so the result is the same on every CPU. The result has the
    music's length; the voice is cut or padded with silence to match.
    """
    if sample_rate <= 0:
        raise MediaError(f"sample rate must be positive, got {sample_rate}")
    if not (math.isfinite(depth_db) and depth_db >= 0):
        raise MediaError(f"ducking depth must be 0 dB or more, got {depth_db!r}")
    _check_seconds("attack", attack)
    _check_seconds("release", release)
    bed = to_float32(music)
    if bed.size == 0:
        return bed.copy()
    hop = max(1, round(sample_rate / _FRAMES_PER_SECOND))
    frames = math.ceil(bed.size / hop)
    activity = _voice_activity(to_float32(voice), hop, frames)
    after = _hold(activity, release)
    before = _hold(activity[::-1], attack)[::-1]
    amount = np.maximum(after, before)
    amount = amount * amount * (3.0 - 2.0 * amount)  # smoothstep: no corners in the gain curve
    floor_gain = 10.0 ** (-depth_db / 20.0)
    gain = 1.0 + (floor_gain - 1.0) * amount
    centers = (np.arange(frames, dtype=np.float64) + 0.5) * hop
    ducked = np.empty(bed.size, dtype=np.float32)
    block = _BLOCK_FRAMES * hop  # bounded temporaries, whatever the episode's length
    for first in range(0, bed.size, block):
        last = min(bed.size, first + block)
        per_sample = np.interp(np.arange(first, last, dtype=np.float64), centers, gain)
        ducked[first:last] = bed[first:last].astype(np.float64) * per_sample
    return ducked


# Dialogue bus compression, as a mixer would set it: slow enough to leave the
# syllables' shape, firm enough that soft words sit near loud ones.
DIALOGUE_COMPRESSOR = "acompressor=threshold=0.05:ratio=3:attack=10:release=150:makeup=3"


def compress_dialogue(voice: NDArray[np.float32], sample_rate: int) -> NDArray[np.float32]:
    """The voice track with its loud and soft words brought closer (ffmpeg acompressor).

    Speech peaks sit 20 dB over its loudness; a mix normalized to -16 LUFS under
    a -1.5 dBTP ceiling has 14.5 dB of room, so the dialogue is compressed
    before it is mixed. The length never changes.
    """
    if voice.size == 0:
        return voice.copy()
    pcm = np.clip(np.round(voice.astype(np.float64) * 32767.0), -32768, 32767).astype(np.int16)
    squeezed = apply_filters(pcm, sample_rate, DIALOGUE_COMPRESSOR)
    out: NDArray[np.float32] = squeezed.astype(np.float32) / np.float32(32768.0)
    return out
