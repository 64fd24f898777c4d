"""Measuring loudness with ffmpeg's ebur128: a file, or a stream as it is written.

A file is measured in one pass (:func:`measure`) or shared by several ffmpegs
at once (:func:`measure_parallel`); a stream being written is measured beside
this process (:func:`metering`), so making the samples and measuring them
take two cores.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO

import numpy as np
from numpy.typing import NDArray

from sparkle_motion.audio.loudness import (
    EBUR128,
    Loudness,
    integrated_lufs,
    loudness_range,
    momentary_filter,
    parse_summary,
    read_momentary,
)
from sparkle_motion.audio.wav import to_int16
from sparkle_motion.errors import MediaError
from sparkle_motion.ffmpeg import run_ffmpeg, stream_to_ffmpeg

__all__ = ["LoudnessMeter", "measure", "measure_parallel", "metering"]

_MEASURE_LOG = (
    "-hide_banner", "-nostats", "-loglevel", "info", "-threads", "1", "-filter_threads", "1",
)  # fmt: skip
# Seconds each stretch measured in parallel starts before its share: the true-peak
# filter starts cold, and a short-term (3 s) value needs the 3 s before it.
_OVERLAP = 3.0
_BLOCK_SECONDS = 0.1  # ebur128's momentary and short-term values come this often


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
    those of the early start, give the integrated loudness and loudness range
    (:func:`.loudness.integrated_lufs`, :func:`.loudness.loudness_range`), their
    highest true peak the peak. The result equals :func:`measure`'s to its
    0.1 dB resolution, give or take that last tenth.
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
