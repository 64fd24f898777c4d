"""Normalizing a file's loudness to a target: gained, limited, measured, corrected.

Two passes over the file: the first measures (:func:`.meter.measure`), the
second applies the gain to the target through a look-ahead peak limiter
(:mod:`sparkle_motion.audio.limiter`) held a little under the true-peak
ceiling; the result is measured, and when the limiter has taken more than a
quarter of a LU off the target the gain is corrected and applied again. Both
passes stream block by block, so memory stays flat for any length. A silent
file is passed through unchanged.

ffmpeg's ``loudnorm`` is not used: it upsamples to 192 kHz (about 6 s per
pass on eight minutes of audio) and, on dialogue over a quiet bed, falls
back to its dynamic mode and misses the target by 2-3 LU.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sparkle_motion.audio.decode import decode_to_wav
from sparkle_motion.audio.limiter import PeakLimiter
from sparkle_motion.audio.loudness import CLOSE_ENOUGH_LU, LIMITER_MARGIN_DB, Loudness
from sparkle_motion.audio.meter import measure, metering
from sparkle_motion.audio.wav import WavReader, to_int16, wav_writer
from sparkle_motion.errors import MediaError

__all__ = ["normalize"]

_ATTEMPTS = 4  # gain-and-limit passes, each correcting the last one's miss
_BLOCK = 1 << 20


def _check_targets(target_lufs: float, true_peak_dbtp: float) -> None:
    if not -70.0 <= target_lufs <= -5.0:
        raise MediaError(f"target loudness must be from -70 to -5 LUFS, got {target_lufs}")
    if not -9.0 <= true_peak_dbtp <= 0.0:
        raise MediaError(f"true peak ceiling must be from -9 to 0 dBTP, got {true_peak_dbtp}")


def _gain_and_limit(src: Path, dst: Path, gain_db: float, limiter: PeakLimiter) -> Loudness:
    """``src`` times ``gain_db`` through ``limiter`` into a mono 16-bit WAV; its loudness.

    Block by block; each block is measured (beside this process) as it is written.
    """
    scale = np.float32(10.0 ** (gain_db / 20.0))
    with (
        WavReader(src) as reader,
        wav_writer(dst, reader.rate) as out,
        metering(reader.rate) as meter,
    ):

        def read(first: int, count: int) -> NDArray[np.float32]:
            samples: NDArray[np.float32] = reader.read(first, count) * scale
            return samples

        for first in range(0, reader.frames, _BLOCK):
            block = limiter.block(read, first, min(_BLOCK, reader.frames - first))
            pcm = to_int16(block)
            out.write(pcm)
            meter.write(pcm)
    assert meter.result is not None  # set on leaving metering()
    return meter.result


def _landed(loudness: Loudness, target_lufs: float) -> bool:
    return loudness.silent or abs(target_lufs - loudness.integrated_lufs) <= CLOSE_ENOUGH_LU


def normalize(
    src: Path,
    dst: Path,
    *,
    target_lufs: float = -16.0,
    true_peak_dbtp: float = -1.5,
    sample_rate: int = 48000,
    before: Loudness | None = None,
    tried: tuple[float, Loudness] | None = None,
) -> tuple[Loudness, Loudness]:
    """Normalize ``src`` into a mono 16-bit WAV ``dst`` at ``sample_rate``; returns (before, after).

    The gain to the target goes through a look-ahead limiter whose ceiling sits
    ``LIMITER_MARGIN_DB`` under ``true_peak_dbtp`` (true peaks sit between
    samples); each pass is measured and the gain corrected by what it missed
    until the result is within a quarter LU. A ``src`` without loudness
    (silent, or shorter than ebur128's 400 ms gating block) is only converted,
    and reported silent. ``dst`` is written atomically; channels are mixed to
    mono. ``before``, when the caller measured ``src`` already (say, with a
    :class:`.meter.LoudnessMeter` while writing it), saves the first pass; ``tried``
    is a pass the caller already made into ``dst`` (its gain and loudness),
    which correction starts from.

    Returned measurements are ebur128's: ``before`` as given or with the true
    peak, ``after`` with the sample peak (the finished file's true peak is
    for its own check).
    """
    _check_targets(target_lufs, true_peak_dbtp)
    if not src.is_file():
        raise MediaError("cannot normalize loudness: file not found", where=str(src))
    if sample_rate <= 0:
        raise MediaError(f"sample rate must be positive, got {sample_rate}")
    if src.resolve() == dst.resolve():
        raise MediaError("normalize needs a destination other than its source", where=str(dst))
    before = before if before is not None else measure(src)
    if before.silent:
        decode_to_wav(src, dst, sample_rate)
        return before, measure(dst)
    with tempfile.TemporaryDirectory(prefix="sparkle-loudness-") as scratch:
        source = src
        with WavReader(src) as reader:
            if reader.rate != sample_rate:
                source = Path(scratch) / "source.wav"
                decode_to_wav(src, source, sample_rate)
        limiter = PeakLimiter(sample_rate, 10.0 ** ((true_peak_dbtp - LIMITER_MARGIN_DB) / 20.0))
        if tried is not None:
            gain, after = tried
        else:
            gain = target_lufs - before.integrated_lufs
            after = _gain_and_limit(source, dst, gain, limiter)
        for _ in range(1, _ATTEMPTS):
            if _landed(after, target_lufs):
                break
            gain += target_lufs - after.integrated_lufs
            after = _gain_and_limit(source, dst, gain, limiter)
    return before, after
