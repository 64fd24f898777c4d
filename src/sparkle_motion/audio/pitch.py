"""Pitch shifting that keeps a clip's duration, through ffmpeg.

``rubberband`` (in the ffmpeg bundled with imageio-ffmpeg) shifts pitch at
constant tempo with good quality. An ffmpeg without it (``SPARKLE_FFMPEG``
pointing elsewhere) falls back to ``asetrate`` + ``aresample`` + ``atempo``.
Either way the result is cut or padded to exactly the input's length, so a
shifted line lasts exactly as long as the unshifted one.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sparkle_motion.audio.wav import write_wav
from sparkle_motion.errors import MediaError
from sparkle_motion.ffmpeg import ffmpeg_exe, ffmpeg_version, run_ffmpeg

__all__ = ["apply_filters", "pitch_identity", "pitch_method", "pitch_shift_filter", "shift_pitch"]

_MAX_SEMITONES = 12.0


def pitch_method() -> str:
    """``rubberband`` when the ffmpeg in use has that filter, else ``asetrate``."""
    return "rubberband" if "rubberband" in _filters(ffmpeg_exe()) else "asetrate"


def pitch_identity() -> str:
    """What decides how a shift sounds: the method and the ffmpeg build."""
    return f"{pitch_method()} ({ffmpeg_version().split(' Copyright')[0]})"


@functools.cache
def _filters(exe: str) -> frozenset[str]:
    del exe  # the cache key: a different binary may have different filters
    listing = run_ffmpeg(["-hide_banner", "-filters"], quiet=False).stdout.decode("utf-8", "ignore")
    names = set()
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) >= 3 and "->" in parts[2]:
            names.add(parts[1])
    return frozenset(names)


def pitch_shift_filter(semitones: float, sample_rate: int, method: str) -> str:
    """The ffmpeg filter chain that shifts by ``semitones`` at constant tempo."""
    ratio = 2.0 ** (semitones / 12.0)
    if method == "rubberband":
        return f"rubberband=pitch={ratio:.9f}:pitchq=quality"
    shifted_rate = round(sample_rate * ratio)
    tempo = sample_rate / shifted_rate
    return f"asetrate={shifted_rate},aresample={sample_rate},atempo={tempo:.9f}"


def shift_pitch(
    samples: NDArray[np.int16], sample_rate: int, semitones: float
) -> NDArray[np.int16]:
    """Shift mono int16 ``samples`` by ``semitones``; the length is kept exactly."""
    if not -_MAX_SEMITONES <= semitones <= _MAX_SEMITONES:
        raise MediaError(
            f"pitch shift must be within ±{_MAX_SEMITONES:g} semitones, got {semitones}"
        )
    if semitones == 0.0 or samples.size == 0:
        return samples.copy()
    return apply_filters(
        samples, sample_rate, pitch_shift_filter(semitones, sample_rate, pitch_method())
    )


def apply_filters(samples: NDArray[np.int16], sample_rate: int, chain: str) -> NDArray[np.int16]:
    """Run mono int16 ``samples`` through an ffmpeg audio filter chain; the length is kept."""
    if not chain or samples.size == 0:
        return samples.copy()
    with tempfile.TemporaryDirectory(prefix="sparkle-audio-") as tmp:
        source = Path(tmp) / "in.wav"
        write_wav(samples, source, sample_rate)
        result = run_ffmpeg([
            "-threads", "1", "-filter_threads", "1",
            "-i", str(source),
            "-af", chain,
            "-ac", "1", "-ar", str(sample_rate),
            "-f", "s16le", "-c:a", "pcm_s16le", "pipe:1",
        ])  # fmt: skip
    shifted = np.frombuffer(result.stdout, dtype="<i2").astype(np.int16)
    return _fit(shifted, samples.size)


def _fit(samples: NDArray[np.int16], length: int) -> NDArray[np.int16]:
    if samples.size >= length:
        return samples[:length].copy()
    return np.concatenate([samples, np.zeros(length - samples.size, dtype=np.int16)])
