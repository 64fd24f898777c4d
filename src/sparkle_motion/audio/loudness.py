"""EBU R128 loudness: measure a file, and normalize it to a target.

ffmpeg's ``ebur128`` measures (integrated loudness, true peak, loudness
range, from its summary). Normalizing is two passes over the file: the first
measures, the second applies the gain to the target through a look-ahead
peak limiter (:mod:`sparkle_motion.audio.limiter`) held a little under the
true-peak ceiling; the result is measured, and when the limiter has taken
more than a quarter of a LU off the target the gain is corrected and applied
again. Both passes stream block by block, so memory stays flat for any length.

ffmpeg's ``loudnorm`` is not used: it upsamples to 192 kHz (about 6 s per
pass on eight minutes of audio) and, on dialogue over a quiet bed, falls
back to its dynamic mode and misses the target by 2-3 LU.

Silence has no loudness: ebur128 reports -70 LUFS (its absolute gate) and a
true peak of -inf. :class:`Loudness` keeps such values finite (``SILENCE_LUFS``,
``PEAK_FLOOR_DBTP``) so it can go into JSON, and :func:`normalize` passes a
silent file through unchanged.
"""

from __future__ import annotations

import contextlib
import math
import re
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
from numpy.typing import NDArray

from sparkle_motion.audio.decode import decode_to_wav
from sparkle_motion.audio.limiter import PeakLimiter
from sparkle_motion.audio.wav import WavReader, to_int16, wav_writer
from sparkle_motion.errors import MediaError
from sparkle_motion.ffmpeg import run_ffmpeg, stream_to_ffmpeg

__all__ = [
    "CLOSE_ENOUGH_LU",
    "EBUR128",
    "LIMITER_MARGIN_DB",
    "PEAK_FLOOR_DBTP",
    "SILENCE_LUFS",
    "Loudness",
    "LoudnessMeter",
    "Metered",
    "integrated_lufs",
    "loudness_range",
    "measure",
    "measure_parallel",
    "metering",
    "momentary_filter",
    "normalize",
    "parse_summary",
    "read_momentary",
]

SILENCE_LUFS = -70.0
PEAK_FLOOR_DBTP = -120.0
# Digital silence decays ebur128's filters into denormal numbers, which slows it
# tenfold; adenorm adds noise some 350 dB down, which keeps them normal and moves
# no measurement.
EBUR128 = "adenorm,ebur128=framelog=quiet:peak="
_MEASURE_LOG = (
    "-hide_banner", "-nostats", "-loglevel", "info", "-threads", "1", "-filter_threads", "1",
)  # fmt: skip
LIMITER_MARGIN_DB = 1.0  # the limiter's ceiling under the true-peak target
_ATTEMPTS = 4  # gain-and-limit passes, each correcting the last one's miss
CLOSE_ENOUGH_LU = 0.25  # how near the target a normalized mix must land
_BLOCK = 1 << 20
# Seconds each stretch measured in parallel starts before its share: the true-peak
# filter starts cold, and a short-term (3 s) value needs the 3 s before it.
_OVERLAP = 3.0
_BLOCK_SECONDS = 0.1  # ebur128's momentary and short-term values come this often


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


def _measure_file(
    path: Path, true_peak: bool, window: tuple[str, ...] = (), log: Path | None = None
) -> Loudness:
    """ebur128 over the first audio stream of ``path`` (``window``: input ``-ss``/``-t``);
    with ``log``, its momentary and short-term values are written there too."""
    peak = "true" if true_peak else "sample"
    measuring = f"{EBUR128}{peak}" if log is None else momentary_filter(peak, log, short_term=True)
    result = run_ffmpeg(
        [
            *_MEASURE_LOG, *window, "-i", str(path), "-map", "0:a:0", "-vn", "-sn", "-dn",
            "-af", measuring, "-f", "null", "-",
        ],
        quiet=False,
    )  # fmt: skip
    return parse_summary(result.stderr.decode("utf-8", "replace"), str(path), true_peak)


def measure(path: Path, *, true_peak: bool = True) -> Loudness:
    """Measure the first audio stream of ``path`` with ffmpeg's ``ebur128``; 0.1 dB resolution.

    With ``true_peak=False`` the peak is the sample peak, which is three times
    cheaper to find. Video in the file is not decoded.
    """
    if not path.is_file():
        raise MediaError("cannot measure loudness: file not found", where=str(path))
    return _measure_file(path, true_peak)


def measure_parallel(path: Path, seconds: float, *, workers: int = 2) -> Loudness:
    """:func:`measure` (with the true peak) shared by ``workers`` ffmpegs at once.

    Each measures its stretch of the file, starting 3 s early (the true-peak
    filter starts cold, and a short-term value needs the 3 s before it), and
    logs its momentary and short-term loudness; the stretches' values, less
    those of the early start, give the integrated loudness and loudness
    range (:func:`integrated_lufs`, :func:`loudness_range`), their highest
    true peak the peak. The result equals :func:`measure`'s to its 0.1 dB
    resolution, give or take that last tenth.
    """
    if not path.is_file():
        raise MediaError("cannot measure loudness: file not found", where=str(path))
    parts = max(1, workers)
    if parts == 1:
        return measure(path)
    step = seconds / parts

    def stretch(index: int) -> tuple[float, tuple[float, ...], tuple[float, ...]]:
        start = max(0.0, index * step - _OVERLAP)
        window: tuple[str, ...] = ("-ss", f"{start:.6f}") if start > 0 else ()
        if index < parts - 1:
            window += ("-t", f"{index * step + step - start:.6f}")
        with tempfile.TemporaryDirectory(prefix="sparkle-measure-") as scratch:
            log = Path(scratch) / "values.txt"
            peak = _measure_file(path, True, window, log).true_peak_dbtp
            momentary, short = read_momentary(log)
        early = round((index * step - start) / _BLOCK_SECONDS)  # measured by the stretch before
        return peak, momentary[early:], short[early:]

    with ThreadPoolExecutor(max_workers=parts) as pool:
        measured = list(pool.map(stretch, range(parts)))
    return Loudness(
        integrated_lufs=round(integrated_lufs(m for _, ms, _ in measured for m in ms), 1),
        true_peak_dbtp=max(peak for peak, _, _ in measured),
        lra=round(loudness_range(s for _, _, ss in measured for s in ss), 1),
        true_peak=True,
    )


@dataclass(frozen=True)
class Metered:
    """A stream's loudness and its momentary loudness, to be joined with other streams'."""

    loudness: Loudness
    momentary: tuple[float, ...]


class LoudnessMeter:
    """Measures mono 16-bit samples as they are written, in an ffmpeg beside this process.

    ``write`` blocks only while ffmpeg's pipe is full, so a stream is measured
    on another core while the next block is made; :attr:`result` is read after
    the ``with`` block (see :func:`metering`).
    """

    def __init__(self, stdin: IO[bytes]) -> None:
        self._stdin = stdin
        self.result: Loudness | None = None
        self.momentary: tuple[float, ...] = ()  # when metered with momentary=True

    def write(self, samples: NDArray[np.generic]) -> None:
        self._stdin.write(to_int16(samples).astype("<i2", copy=False).tobytes())


@contextlib.contextmanager
def metering(
    sample_rate: int, *, true_peak: bool = False, momentary: bool = False
) -> Iterator[LoudnessMeter]:
    """A :class:`LoudnessMeter` for mono samples at ``sample_rate``; measured on leaving.

    The sample peak unless ``true_peak``: finding the true peak costs ffmpeg
    three times the time, more than making the samples, and the finished
    file's true peak is measured anyway. With ``momentary`` the meter also
    keeps the momentary loudness, to be joined with other streams'.
    """
    peak = "true" if true_peak else "sample"
    log: list[bytes] = []
    with tempfile.TemporaryDirectory(prefix="sparkle-meter-") as scratch:
        values = Path(scratch) / "momentary.txt"
        measuring = momentary_filter(peak, values) if momentary else f"{EBUR128}{peak}"
        with stream_to_ffmpeg(
            [
                *_MEASURE_LOG, "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
                "-af", measuring, "-f", "null", "-",
            ],
            log=log,
        ) as stdin:  # fmt: skip
            meter = LoudnessMeter(stdin)
            yield meter
        if momentary:
            meter.momentary = read_momentary(values)[0]
    meter.result = parse_summary(
        b"".join(log).decode("utf-8", "replace"), "a metered stream", true_peak
    )


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
    :class:`LoudnessMeter` while writing it), saves the first pass; ``tried``
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
