"""EBU R128 loudness as values: what ffmpeg's ebur128 reports, and how values join.

ebur128 gives integrated loudness, true peak and loudness range in its
summary (:func:`parse_summary`), and logs momentary and short-term loudness
every 100 ms (:func:`momentary_filter`, :func:`read_momentary`). Values
logged stretch by stretch join into the whole's integrated loudness and
loudness range, gated as R128 gates them (:func:`integrated_lufs`,
:func:`loudness_range`), so stretches can be measured apart: by several
ffmpegs at once, or one scene at a time and cached.

Silence has no loudness: ebur128 reports -70 LUFS (its absolute gate) and a
true peak of -inf. :class:`Loudness` keeps such values finite (``SILENCE_LUFS``,
``PEAK_FLOOR_DBTP``) so it can go into JSON.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sparkle_motion.errors import MediaError

__all__ = [
    "CLOSE_ENOUGH_LU",
    "EBUR128",
    "LIMITER_MARGIN_DB",
    "PEAK_FLOOR_DBTP",
    "SILENCE_LUFS",
    "Loudness",
    "Metered",
    "integrated_lufs",
    "loudness_range",
    "momentary_filter",
    "parse_summary",
    "read_momentary",
]

SILENCE_LUFS = -70.0
PEAK_FLOOR_DBTP = -120.0
# Digital silence decays ebur128's filters into denormal numbers, which slows it
# tenfold; adenorm adds noise some 350 dB down, which keeps them normal and moves
# no measurement.
EBUR128 = "adenorm,ebur128=framelog=quiet:peak="
LIMITER_MARGIN_DB = 1.0  # the limiter's ceiling under the true-peak target
CLOSE_ENOUGH_LU = 0.25  # how near the target a normalized mix must land


@dataclass(frozen=True)
class Loudness:
    """Integrated loudness (LUFS), peak (dBTP) and loudness range (LU).

    The peak is the true peak unless ``true_peak`` is false: then it is the
    sample peak (never above the true peak), cheaper to find.
    """

    integrated_lufs: float
    true_peak_dbtp: float
    lra: float
    true_peak: bool = True

    @property
    def silent(self) -> bool:
        """True when the signal is below ebur128's absolute gate: it has no loudness."""
        return self.integrated_lufs <= SILENCE_LUFS


@dataclass(frozen=True)
class Metered:
    """A stream's loudness and its momentary loudness, to be joined with other streams'."""

    loudness: Loudness
    momentary: tuple[float, ...]


def _number(text: str, floor: float) -> float:
    value = float(text)  # ffmpeg prints "-inf" for silence
    return value if math.isfinite(value) and value > floor else floor


_SUMMARY = re.compile(
    r"Summary:.*?I:\s*(?P<i>\S+)\s*LUFS.*?LRA:\s*(?P<lra>\S+)\s*LU.*?Peak:\s*(?P<peak>\S+)\s*dBFS",
    re.DOTALL,
)


def parse_summary(stderr: str, where: str, true_peak: bool = True) -> Loudness:
    summaries = list(_SUMMARY.finditer(stderr))
    if not summaries:
        raise MediaError("ffmpeg's ebur128 printed no summary", where=where)
    found = summaries[-1]  # the last summary is the one for the whole file
    return Loudness(
        integrated_lufs=_number(found["i"], SILENCE_LUFS),
        true_peak_dbtp=_number(found["peak"], PEAK_FLOOR_DBTP),
        lra=max(0.0, float(found["lra"])),
        true_peak=true_peak,
    )


_MOMENTARY_KEY = "lavfi.r128.M="
_SHORT_TERM_KEY = "lavfi.r128.S="
_RANGE_GATE_LU = 20.0
_RELATIVE_GATE_LU = 10.0


def _escaped(path: Path) -> str:
    """``path`` as a filter option value inside a filter graph (two levels of escaping)."""
    option = "".join("\\" + c if c in "\\:'" else c for c in str(path))
    return "".join("\\" + c if c in "\\,;[]'" else c for c in option)


def momentary_filter(peak: str, log: Path, *, short_term: bool = False) -> str:
    """ebur128 (``peak``: "sample" or "true") writing the momentary loudness to ``log``.

    The stream leaves in 100 ms frames, each carrying the loudness of the
    400 ms before it (and, with ``short_term``, of the 3 s before it);
    :func:`read_momentary` reads them back.
    """
    keys = "" if short_term else f":key={_MOMENTARY_KEY[:-1]}"
    return f"{EBUR128}{peak}:metadata=1,ametadata=mode=print{keys}:file={_escaped(log)}"


def read_momentary(log: Path) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The values (LUFS, one every 100 ms) a :func:`momentary_filter` wrote: momentary,
    and short-term (empty unless it logged them)."""
    try:
        text = log.read_text(encoding="utf-8")
    except OSError as exc:
        raise MediaError(f"ffmpeg's loudness log cannot be read: {exc}", where=str(log)) from exc
    values: dict[str, list[float]] = {_MOMENTARY_KEY: [], _SHORT_TERM_KEY: []}
    for line in text.splitlines():
        key, _, value = line.partition("=")
        found = values.get(key + "=")
        if found is not None:
            found.append(_number(value, -200.0))
    return tuple(values[_MOMENTARY_KEY]), tuple(values[_SHORT_TERM_KEY])


def loudness_range(short_term: Iterable[float]) -> float:
    """Loudness range (LU) from short-term values, as EBU Tech 3342 defines it.

    Values over the absolute gate (-70 LUFS) set a relative gate 20 LU under
    their mean power; the range is the spread between the 10th and the 95th
    percentile of the values over both.
    """
    levels = np.array([s for s in short_term if s > SILENCE_LUFS], dtype=np.float64)
    if levels.size == 0:
        return 0.0
    gate = 10.0 * math.log10(float(np.power(10.0, levels / 10.0).mean())) - _RANGE_GATE_LU
    kept = levels[levels > gate]
    low, high = np.percentile(kept, [10.0, 95.0])
    return float(high - low)


def integrated_lufs(momentary: Iterable[float]) -> float:
    """Integrated loudness from momentary values, gated as EBU R128 gates them.

    Momentary windows are R128's gating blocks (400 ms, overlapping by 75 %):
    those over the absolute gate (-70 LUFS) set a relative gate 10 LU under
    their mean power, and the blocks over both are averaged. Blocks measured
    stretch by stretch join into the whole's loudness, save for the few that
    would straddle the joins (within a few hundredths of a LU, cut anywhere).
    """
    levels = np.array([m for m in momentary if m > SILENCE_LUFS], dtype=np.float64)
    if levels.size == 0:
        return SILENCE_LUFS
    power = np.power(10.0, levels / 10.0)
    gate = 10.0 * math.log10(float(power.mean())) - _RELATIVE_GATE_LU
    kept = power[levels > gate]
    return max(SILENCE_LUFS, 10.0 * math.log10(float(kept.mean())))
