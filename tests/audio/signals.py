"""Measurements the audio tests make on what they render."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sparkle_motion.audio.wav import write_wav


def tone(freq: float, seconds: float, rate: int, amplitude: float = 0.5) -> NDArray[np.float32]:
    t = np.arange(round(seconds * rate), dtype=np.float64) / rate
    return (amplitude * np.sin(2.0 * math.pi * freq * t)).astype(np.float32)


def write_tone(path: Path, freq: float, seconds: float, rate: int, amplitude: float = 0.5) -> Path:
    write_wav(tone(freq, seconds, rate, amplitude), path, rate)
    return path


def rms_db(samples: NDArray[np.generic], rate: int, start: float, end: float) -> float:
    """RMS level in dBFS of ``samples`` between two times (float samples or int16)."""
    window = np.asarray(samples, dtype=np.float64)[round(start * rate) : round(end * rate)]
    if np.asarray(samples).dtype == np.int16:
        window = window / 32768.0
    power = float(np.mean(window**2)) if window.size else 0.0
    return 10.0 * math.log10(max(power, 1e-20))


def measured_shift(
    reference: NDArray[np.generic], shifted: NDArray[np.generic], rate: int
) -> float:
    """Semitones by which ``shifted`` is ``reference`` moved in pitch (same timing).

    Frame by frame, the shifted magnitude spectrum is compared with the
    reference's scaled in frequency by each candidate ratio (harmonics and
    formants both move); the ratio with the best total correlation wins.
    Speech pitch trackers make octave errors on low male voices; this does not.
    """
    a = np.asarray(reference, dtype=np.float64)
    b = np.asarray(shifted, dtype=np.float64)
    size, hop = 2048, 1024
    loudest = np.abs(a).max()
    freqs = np.fft.rfftfreq(size, 1.0 / rate)
    band = freqs[(freqs >= 70.0) & (freqs <= 2500.0)]
    candidates = np.arange(-4.0, 4.0001, 0.1)
    scores = np.zeros(candidates.size)
    window = np.hanning(size)
    for start in range(0, min(a.size, b.size) - size, hop):
        if np.abs(a[start : start + size]).max() < 0.2 * loudest:
            continue
        spec_a = np.abs(np.fft.rfft(a[start : start + size] * window))
        spec_b = np.abs(np.fft.rfft(b[start : start + size] * window))
        target = np.interp(band, freqs, spec_b)
        target = (target - target.mean()) / (target.std() + 1e-12)
        for k, semis in enumerate(candidates):
            moved = np.interp(band / 2.0 ** (semis / 12.0), freqs, spec_a)
            moved = (moved - moved.mean()) / (moved.std() + 1e-12)
            scores[k] += float(np.mean(moved * target))
    return float(candidates[int(np.argmax(scores))])
