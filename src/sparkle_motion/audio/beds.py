"""The music under a stretch: its beds, each weighted by where it plays, summed.

A bed plays under its spans of the timeline and crossfades where another
takes over; a library bed loops from the stretch's start and fades out at its
end, and without a file the generated pad of its mood plays
(:class:`.music.MusicBed`). Level and ducking are set on the sum
(:func:`.stems.mix_stems`).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from sparkle_motion.audio.music import MusicBed
from sparkle_motion.audio.stretch import Soundtrack, end_fade
from sparkle_motion.audio.wav import WavReader
from sparkle_motion.errors import MediaError

__all__ = ["LOOP_FADE_OUT_SECONDS", "BedMix"]

LOOP_FADE_OUT_SECONDS = 3.0  # a library bed's fade at the end of its stretch


class _Weight:
    """A bed's share at each sample: 1 under its spans, 0 elsewhere, crossfaded.

    The on/off mask's centred moving average over ``width`` samples (edges
    repeat), from the mask's running integral, which is piecewise linear with
    slopes 0 and 1, so every value is exact in float64.
    """

    def __init__(self, spans: Sequence[tuple[int, int]], length: int, width: int) -> None:
        merged: list[list[int]] = []
        for begin, end in sorted((max(0, b), min(length, e)) for b, e in spans):
            if begin >= end:
                continue
            if merged and begin <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([begin, end])
        self.width, self.before = width, width // 2
        first_on = float(bool(merged) and merged[0][0] == 0)
        last_on = float(bool(merged) and merged[-1][1] == length)
        far = float(length + 2 * width + 2)
        xs, ys, covered = [-far, 0.0], [-far * first_on, 0.0], 0.0
        for begin, end in merged:
            xs += [float(begin), float(end)]
            ys += [covered, covered + (end - begin)]
            covered += end - begin
        xs += [float(length), float(length) + far]
        ys += [covered, covered + far * last_on]
        self._xs, self._ys = np.array(xs), np.array(ys)
        self.share = covered / length if length else 0.0  # of the timeline, overlaps once

    def block(self, first: int, count: int) -> NDArray[np.float32]:
        at = np.arange(first, first + count, dtype=np.float64)
        after = self.width - self.before
        upper = np.interp(at + after, self._xs, self._ys)
        lower = np.interp(at - self.before, self._xs, self._ys)
        weight: NDArray[np.float32] = ((upper - lower) / self.width).astype(np.float32)
        return weight


class _Looped:
    """A WAV played round and round from sample 0 of the timeline, taken out at its end.

    A file has its own start; its loop is cut wherever the stretch ends, so
    the last ``LOOP_FADE_OUT_SECONDS`` (a quarter of a short stretch) fade out.
    """

    def __init__(self, reader: WavReader, length: int) -> None:
        self.reader, self.length = reader, length
        self.fade = min(round(LOOP_FADE_OUT_SECONDS * reader.rate), length // 4)

    def rms(self) -> float:
        """The file's RMS: the level of its loop."""
        total, size = 0.0, self.reader.frames
        for first in range(0, size, 1 << 20):
            sound = self.reader.read(first, min(1 << 20, size - first)).astype(np.float64)
            total += float(np.dot(sound, sound))
        return math.sqrt(total / size) if size else 0.0

    def block(self, first: int, count: int) -> NDArray[np.float32]:
        out = np.zeros(count, dtype=np.float32)
        size = self.reader.frames
        filled = 0
        while size and filled < count:
            offset = (first + filled) % size
            take = min(size - offset, count - filled)
            out[filled : filled + take] = self.reader.read(offset, take)
            filled += take
        fade = end_fade(first, count, self.length, self.fade)
        if fade is not None:
            out *= fade
        return out


class BedMix:
    """The beds summed, each weighted by where it plays, before level and ducking."""

    def __init__(self, track: Soundtrack, files: contextlib.ExitStack) -> None:
        """Library beds are opened on ``files``, which closes them."""
        self._parts: list[tuple[_Looped | MusicBed, _Weight | None]] = []
        width = max(1, round(track.crossfade_seconds * track.rate))
        for bed in sorted(track.beds, key=lambda b: (b.mood, str(b.source))):
            player: _Looped | MusicBed
            if bed.source is not None:
                reader = files.enter_context(WavReader(bed.source))
                if reader.rate != track.rate:
                    raise MediaError(
                        f"a music bed must be at the mix rate {track.rate} Hz, got {reader.rate}",
                        where=str(bed.source),
                    )
                player = _Looped(reader, track.length)
            else:
                player = MusicBed(bed.mood, track.length / track.rate, track.seed, track.rate)
            weight = _Weight(bed.spans, track.length, width) if len(track.beds) > 1 else None
            self._parts.append((player, weight))

    def rms(self) -> float:
        """The beds' level together: each one's RMS, weighted by the time it plays."""
        power = sum(
            (weight.share if weight is not None else 1.0) * player.rms() ** 2
            for player, weight in self._parts
        )
        return math.sqrt(power)

    def block(self, first: int, count: int) -> NDArray[np.float32]:
        out = np.zeros(count, dtype=np.float32)
        for player, weight in self._parts:
            sound = player.block(first, count)
            if weight is not None:
                sound *= weight.block(first, count)
            out += sound
        return out
