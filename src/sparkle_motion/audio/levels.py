"""A stretch's mix at a level: its stems summed, gained and limited, and the gain to use.

The gain that lands an episode on its loudness target is guessed from its
dialogue (:func:`guess_gain`), which carries its loudness, less what the
limiter will take off it (:func:`limiter_toll`), and moves in steps
(:func:`level_step`) so a small edit elsewhere leaves it as it was. A
stretch's stems are made once (:func:`.stems.mix_stems`); a new gain costs
only :func:`level_mix`.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sparkle_motion.audio.dialogue import SPEECH_FLOOR
from sparkle_motion.audio.limiter import PeakLimiter
from sparkle_motion.audio.loudness import Metered
from sparkle_motion.audio.meter import metering
from sparkle_motion.audio.stretch import Stems, block_size, blocks
from sparkle_motion.audio.wav import WavReader, to_int16, wav_writer
from sparkle_motion.errors import MediaError

__all__ = ["guess_gain", "level_mix", "level_step", "limiter_toll"]


def limiter_toll(voice: Path, gain_db: float, limiter: PeakLimiter) -> tuple[float, float]:
    """The power of ``voice``'s speech at ``gain_db``, before and after ``limiter``.

    What the limiter takes off the dialogue is ``10 log10(after / before)``,
    summed over stretches first. The limiter works only near peaks, so this
    costs little (a few seconds an hour of dialogue); a sample of the
    blocks would not do, since speech is spread unevenly over a scene.
    """
    before = after = 0.0
    scale = np.float32(10.0 ** (gain_db / 20.0))
    with WavReader(voice) as reader:

        def louder(first: int, count: int) -> NDArray[np.float32]:
            samples: NDArray[np.float32] = reader.read(first, count) * scale
            return samples

        for first, count in blocks(reader.frames, block_size(reader.rate)):
            raised = louder(first, count)
            speech = np.abs(raised) > SPEECH_FLOOR * float(scale)
            loud = raised[speech].astype(np.float64)
            held = limiter.block(louder, first, count)[speech].astype(np.float64)
            before += float(np.dot(loud, loud))
            after += float(np.dot(held, held))
    return before, after


def guess_gain(
    target_lufs: float, dialogue_lufs: float, tolls: Iterable[tuple[float, float]]
) -> float:
    """The gain that should land the mix on ``target_lufs``, from the dialogue's loudness.

    The dialogue carries the episode's loudness (the beds sit 20 dB under
    it): the gain to the target from it, plus what the limiter takes off it
    (``tolls``, from :func:`limiter_toll` at the gain to the target), a little
    more since a higher gain is limited a little harder.
    """
    before = after = 0.0
    for was, held in tolls:
        before += was
        after += held
    loss = 10.0 * math.log10(after / before) if before > 0.0 and after > 0.0 else 0.0
    return target_lufs - dialogue_lufs - 1.2 * loss


def level_step(db: float, step: float = 0.1) -> float:
    """``db`` to the nearest multiple of ``step`` dB.

    Levels set for the whole episode (the dialogue's RMS, the normalizing
    gain) move a little with any edit; in steps, a small edit elsewhere leaves
    them, and every scene mixed at them, as they were.
    """
    return round(round(db / step) * step, 6)  # 5.9, not 5.8999999999999995


class _Delayed:
    """Limits a stream one block late, so each block sees the start of the next."""

    def __init__(self, limiter: PeakLimiter, scale: np.float32) -> None:
        self.limiter, self.scale = limiter, scale
        self._blocks: list[tuple[int, NDArray[np.float32]]] = []  # at most three, in order

    def _read(self, first: int, count: int) -> NDArray[np.float32]:
        out = np.zeros(count, dtype=np.float32)
        for start, samples in self._blocks:
            lo, hi = max(first, start), min(first + count, start + samples.size)
            if lo < hi:
                out[lo - first : hi - first] = samples[lo - start : hi - start] * self.scale
        return out

    def push(self, first: int, samples: NDArray[np.float32]) -> NDArray[np.float32] | None:
        """Take the next block; give back the one before it, limited (None at the start)."""
        self._blocks = [*self._blocks[-2:], (first, samples)]
        if len(self._blocks) < 2:
            return None
        start, previous = self._blocks[-2]
        return self.limiter.block(self._read, start, previous.size)

    def flush(self) -> NDArray[np.float32] | None:
        """The last block, limited."""
        if not self._blocks:
            return None
        start, last = self._blocks[-1]
        return self.limiter.block(self._read, start, last.size)


def level_mix(stems: Stems, *, gain_db: float = 0.0, limiter: PeakLimiter | None = None) -> Metered:
    """The mix: the voice, music and effects stems summed, times ``gain_db``, through
    ``limiter`` when there is one, else clipped to full scale, into ``stems.mix``.

    Returns its loudness, metered as it is written. A stretch's stems are made
    once (:func:`.stems.mix_stems`); a new gain costs only this pass.
    """
    gain = np.float32(10.0 ** (gain_db / 20.0))
    with contextlib.ExitStack() as files:
        voice, music, effects = (
            files.enter_context(WavReader(path))
            for path in (stems.voice, stems.music, stems.effects)
        )
        rate, length = voice.rate, voice.frames
        if (music.rate, effects.rate, music.frames, effects.frames) != (rate, rate, length, length):
            raise MediaError(
                "the stems to mix differ in rate or length", where=str(stems.music.parent)
            )
        mix_out = files.enter_context(wav_writer(stems.mix, rate))
        meter = files.enter_context(metering(rate, momentary=True))
        delayed = _Delayed(limiter, gain) if limiter is not None else None

        def write(samples: NDArray[np.float32] | None) -> None:
            if samples is not None:
                pcm = to_int16(samples)  # once, for both
                mix_out.write(pcm)
                meter.write(pcm)

        for first, count in blocks(length, block_size(rate)):
            mixed = voice.read(first, count)
            mixed += music.read(first, count)
            mixed += effects.read(first, count)
            if delayed is not None:
                write(delayed.push(first, mixed))
                continue
            if gain != 1.0:
                mixed *= gain
            write(np.clip(mixed, -1.0, 1.0, out=mixed))
        if delayed is not None:
            write(delayed.flush())
    assert meter.result is not None  # set on leaving metering()
    return Metered(meter.result, meter.momentary)
