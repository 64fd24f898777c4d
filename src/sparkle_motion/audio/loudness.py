"""EBU R128 loudness: measure a file, and normalize it in two passes.

Both run ffmpeg (through :mod:`sparkle_motion.ffmpeg`): ``ebur128`` measures
(integrated loudness, true peak, loudness range, from its summary), and
``loudnorm`` normalizes — a first pass measures, a second applies the
measured values with ``linear=true``. When a linear gain would push the true
peak over its ceiling (speech, typically), the gain goes first into a
look-ahead limiter held just under the ceiling, and loudnorm only trims;
if the result is still short of the target, the limiter is pushed harder.

Silence has no loudness: ebur128 reports -70 LUFS (its absolute gate) and a
true peak of -inf. :class:`Loudness` keeps such values finite (``SILENCE_LUFS``,
``PEAK_FLOOR_DBTP``) so it can go into JSON, and :func:`normalize` passes a
silent file through unchanged.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sparkle_motion.audio.limiter import limit_peaks
from sparkle_motion.audio.resample import resample
from sparkle_motion.audio.wav import atomic_output, read_wav, write_wav
from sparkle_motion.errors import MediaError
from sparkle_motion.ffmpeg import BITEXACT_OUTPUT, run_ffmpeg

__all__ = ["PEAK_FLOOR_DBTP", "SILENCE_LUFS", "Loudness", "measure", "normalize"]

SILENCE_LUFS = -70.0
PEAK_FLOOR_DBTP = -120.0
_MEASURE_LOG = (
    "-hide_banner", "-nostats", "-loglevel", "info", "-threads", "1", "-filter_threads", "1",
)  # fmt: skip
_EBUR128 = "ebur128=peak=true:framelog=quiet"
_LOUDNORM_KEYS = ("input_i", "input_tp", "input_lra", "input_thresh", "target_offset")
_LIMITER_MARGIN_DB = 1.0  # the limiter's ceiling under the true-peak target
_ATTEMPTS = 4  # gain-and-limit passes, each correcting the last one's miss
_CLOSE_ENOUGH_LU = 0.5


@dataclass(frozen=True)
class Loudness:
    """Integrated loudness (LUFS), true peak (dBTP) and loudness range (LU)."""

    integrated_lufs: float
    true_peak_dbtp: float
    lra: float

    @property
    def silent(self) -> bool:
        """True when the signal is below ebur128's absolute gate: it has no loudness."""
        return self.integrated_lufs <= SILENCE_LUFS


def _number(text: str, floor: float) -> float:
    value = float(text)  # ffmpeg prints "-inf" for silence
    return value if math.isfinite(value) and value > floor else floor


_SUMMARY = re.compile(
    r"Summary:.*?I:\s*(?P<i>\S+)\s*LUFS.*?LRA:\s*(?P<lra>\S+)\s*LU.*?Peak:\s*(?P<peak>\S+)\s*dBFS",
    re.DOTALL,
)


def _parse_summary(stderr: str, where: str) -> Loudness:
    summaries = list(_SUMMARY.finditer(stderr))
    if not summaries:
        raise MediaError("ffmpeg's ebur128 printed no summary", where=where)
    found = summaries[-1]  # the last summary is the one for the whole file
    return Loudness(
        integrated_lufs=_number(found["i"], SILENCE_LUFS),
        true_peak_dbtp=_number(found["peak"], PEAK_FLOOR_DBTP),
        lra=max(0.0, float(found["lra"])),
    )


def measure(path: Path) -> Loudness:
    """Measure ``path`` with ffmpeg's ``ebur128`` (true peak on); 0.1 dB resolution."""
    if not path.is_file():
        raise MediaError("cannot measure loudness: file not found", where=str(path))
    result = run_ffmpeg(
        [*_MEASURE_LOG, "-i", str(path), "-af", _EBUR128, "-f", "null", "-"], quiet=False
    )
    return _parse_summary(result.stderr.decode("utf-8", "replace"), str(path))


def _loudnorm_json(stderr: str, where: str) -> dict[str, str]:
    start, end = stderr.rfind("{"), stderr.rfind("}")
    if start < 0 or end < start:
        raise MediaError("ffmpeg's loudnorm printed no measurement", where=where)
    try:
        values = json.loads(stderr[start : end + 1])
    except ValueError as exc:
        raise MediaError(f"cannot parse loudnorm's measurement: {exc}", where=where) from exc
    missing = [key for key in _LOUDNORM_KEYS if not isinstance(values, dict) or key not in values]
    if missing:
        raise MediaError(f"loudnorm's measurement lacks {', '.join(missing)}", where=where)
    return {str(key): str(value) for key, value in values.items()}


def _targets(target_lufs: float, true_peak_dbtp: float, lra: float) -> str:
    if not -70.0 <= target_lufs <= -5.0:
        raise MediaError(f"target loudness must be from -70 to -5 LUFS, got {target_lufs}")
    if not -9.0 <= true_peak_dbtp <= 0.0:
        raise MediaError(f"true peak ceiling must be from -9 to 0 dBTP, got {true_peak_dbtp}")
    if not 1.0 <= lra <= 50.0:
        raise MediaError(f"loudness range target must be from 1 to 50 LU, got {lra}")
    return f"I={target_lufs:.2f}:TP={true_peak_dbtp:.2f}:LRA={lra:.2f}"


def _write(src: Path, dst: Path, filters: str, sample_rate: int) -> None:
    with atomic_output(dst) as tmp:
        run_ffmpeg([
            "-threads", "1", "-filter_threads", "1",
            "-i", str(src),
            "-af", filters,
            "-ar", str(sample_rate), "-c:a", "pcm_s16le",
            *BITEXACT_OUTPUT,
            "-f", "wav", str(tmp),
        ])  # fmt: skip


def _peak_control(before: Loudness, target_lufs: float, true_peak_dbtp: float) -> str:
    """Filters to run ahead of loudnorm; empty when a linear gain fits under the ceiling.

    Speech is peaky: piper lines reach 20 dB and more above their loudness,
    while -16 LUFS under -1.5 dBTP leaves 14.5 dB. loudnorm's own fallback
    (a dynamic limiter) then stops well short of the target, and a compressor
    lowers loudness as much as peaks. So the gain to the target is applied
    first and a look-ahead limiter, a little under the ceiling (true peaks sit
    between samples), holds the peaks; loudnorm then only trims.
    """
    if before.true_peak_dbtp + (target_lufs - before.integrated_lufs) <= true_peak_dbtp:
        return ""
    gain = target_lufs - before.integrated_lufs
    limit = 10.0 ** ((true_peak_dbtp - _LIMITER_MARGIN_DB) / 20.0)
    return f"volume={gain:.3f}dB,alimiter=limit={limit:.6f}:attack=5:release=50:level=false,"


def normalize(
    src: Path,
    dst: Path,
    *,
    target_lufs: float = -16.0,
    true_peak_dbtp: float = -1.5,
    lra: float = 11.0,
    sample_rate: int = 48000,
) -> tuple[Loudness, Loudness]:
    """Normalize ``src`` into a 16-bit WAV ``dst`` at ``sample_rate``; returns (before, after).

    A first loudnorm pass measures, a second applies the measurement with
    ``linear=true``. When the peaks leave no room for a linear gain, gain and
    a limiter run ahead of both passes (see :func:`_peak_control`). Both
    returned measurements are :func:`measure`'s, so they compare with any
    later check. A ``src`` without loudness (silent, or shorter than ebur128's
    400 ms gating block) is only converted, and reported silent.
    Channels are kept; ``dst`` is written atomically with bitexact flags.
    """
    targets = _targets(target_lufs, true_peak_dbtp, lra)
    if not src.is_file():
        raise MediaError("cannot normalize loudness: file not found", where=str(src))
    if sample_rate <= 0:
        raise MediaError(f"sample rate must be positive, got {sample_rate}")
    if src.resolve() == dst.resolve():
        raise MediaError("normalize needs a destination other than its source", where=str(dst))
    before = measure(src)
    if before.silent:
        _write(src, dst, f"aresample={sample_rate}", sample_rate)
        return before, measure(dst)
    after = _normalize_once(src, dst, before, targets, target_lufs, true_peak_dbtp, sample_rate)
    if after.silent or abs(after.integrated_lufs - target_lufs) <= _CLOSE_ENOUGH_LU:
        return before, after
    return before, _gain_and_limit(src, dst, before, target_lufs, true_peak_dbtp, sample_rate)


def _gain_and_limit(
    src: Path,
    dst: Path,
    before: Loudness,
    target_lufs: float,
    true_peak_dbtp: float,
    sample_rate: int,
) -> Loudness:
    """Gain into a look-ahead limiter, measured and corrected until the loudness lands.

    loudnorm falls back to dynamic mode, and misses, on material whose loudness
    range is wide (dialogue over a quiet bed) and whose peaks are high. Here
    each pass measures with ebur128 and corrects the gain by what it missed;
    the limiter (:mod:`sparkle_motion.audio.limiter`) holds every sample a
    little under the ceiling, so the true peak stays under it too.
    """
    samples, rate = read_wav(src)
    if rate != sample_rate:
        samples = resample(samples, rate, sample_rate)
    ceiling = 10.0 ** ((true_peak_dbtp - _LIMITER_MARGIN_DB) / 20.0)
    gain = target_lufs - before.integrated_lufs
    after = before
    for _ in range(_ATTEMPTS):
        louder = samples * np.float32(10.0 ** (gain / 20.0))
        write_wav(limit_peaks(louder, sample_rate, ceiling), dst, sample_rate)
        del louder
        after = measure(dst)
        missed = target_lufs - after.integrated_lufs
        if after.silent or abs(missed) <= _CLOSE_ENOUGH_LU / 2:
            break
        gain += missed
    return after


def _normalize_once(
    src: Path,
    dst: Path,
    before: Loudness,
    targets: str,
    target_lufs: float,
    true_peak_dbtp: float,
    sample_rate: int,
) -> Loudness:
    """One two-pass loudnorm (with the peak control when needed); returns the result."""
    pre = _peak_control(before, target_lufs, true_peak_dbtp)
    first = run_ffmpeg([
        *_MEASURE_LOG, "-i", str(src),
        "-af", f"{pre}loudnorm={targets}:print_format=json",
        "-f", "null", "-",
    ], quiet=False)  # fmt: skip
    found = _loudnorm_json(first.stderr.decode("utf-8", "replace"), str(src))
    if not math.isfinite(float(found["input_i"])):  # below the gate once compressed
        _write(src, dst, f"aresample={sample_rate}", sample_rate)
        return measure(dst)
    second = (
        f"{pre}loudnorm={targets}"
        f":measured_I={found['input_i']}:measured_TP={found['input_tp']}"
        f":measured_LRA={found['input_lra']}:measured_thresh={found['input_thresh']}"
        f":offset={found['target_offset']}:linear=true:print_format=none"
        f",aresample={sample_rate}"
    )
    _write(src, dst, second, sample_rate)
    return measure(dst)
