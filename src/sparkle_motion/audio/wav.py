"""16-bit PCM WAV files in and out, written atomically.

Only the standard library's :mod:`wave` touches the bytes, so a file is a
function of its samples alone: the same array always gives the same file.
Floats map to integers as ``round(x * 32768)`` clipped to the int16 range,
and back as ``n / 32768``, so reading a file and writing it again is exact.
"""

from __future__ import annotations

import contextlib
import wave
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sparkle_motion.atomic import atomic_path
from sparkle_motion.errors import MediaError

__all__ = [
    "WavReader",
    "WavWriter",
    "join_wavs",
    "read_wav",
    "to_float32",
    "to_int16",
    "wav_writer",
    "write_wav",
]

_FULL_SCALE = 32768.0
_JOIN_FRAMES = 1 << 20
_PCM_HINT = "only uncompressed PCM WAV is read here; convert it with ffmpeg -c:a pcm_s16le"


def to_int16(samples: NDArray[np.generic]) -> NDArray[np.int16]:
    """Mono int16 samples from int16 or float (nominally [-1, 1]) samples."""
    array = np.asarray(samples)
    if array.ndim != 1:
        raise MediaError(f"expected mono samples (a 1-D array), got shape {array.shape}")
    if array.dtype == np.int16:
        return array.astype(np.int16, copy=False)
    if not np.issubdtype(array.dtype, np.floating):
        raise MediaError(f"expected int16 or float samples, got {array.dtype}")
    if array.size and not np.isfinite(array).all():
        raise MediaError("samples contain NaN or infinity", hint="check the gains that made them")
    # Scaling by a power of two is exact in any float width, and so is rounding
    # the result: float32 in gives the same integers as float64, at half the cost.
    wide = array if array.dtype in (np.float32, np.float64) else array.astype(np.float64)
    scaled = np.rint(wide * wide.dtype.type(_FULL_SCALE))
    return np.clip(scaled, -32768, 32767).astype(np.int16)


def to_float32(samples: NDArray[np.generic]) -> NDArray[np.float32]:
    """Mono float32 samples in [-1, 1] from int16 or float samples."""
    array = np.asarray(samples)
    if array.ndim != 1:
        raise MediaError(f"expected mono samples (a 1-D array), got shape {array.shape}")
    if array.dtype == np.int16:
        return (array.astype(np.float32) / np.float32(_FULL_SCALE)).astype(np.float32)
    if not np.issubdtype(array.dtype, np.floating):
        raise MediaError(f"expected int16 or float samples, got {array.dtype}")
    return array.astype(np.float32, copy=False)


def write_wav(samples: NDArray[np.generic], path: Path, sample_rate: int) -> None:
    """Write mono float32 ([-1, 1]) or int16 samples as a 16-bit PCM WAV, atomically."""
    pcm = to_int16(samples)
    with wav_writer(path, sample_rate) as out:
        out.write(pcm)


def read_wav(path: Path) -> tuple[NDArray[np.float32], int]:
    """Read a PCM WAV (8/16/24/32-bit, any channel count) as mono float32 and its rate.

    Channels are averaged. A missing, truncated or non-PCM file raises
    :class:`MediaError`.
    """
    with WavReader(path) as reader:
        return reader.read(0, reader.frames), reader.rate


class WavReader:
    """A PCM WAV opened for reading any stretch of it as mono float32.

    Reads outside the file (before 0 or after the end) come back as silence,
    so a caller can cut a block anywhere on its own timeline. Errors are
    :class:`MediaError`, as for :func:`read_wav`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._wave = wave.open(str(path), "rb")  # noqa: SIM115 - closed by close()/__exit__
        except FileNotFoundError as exc:
            raise MediaError("WAV file not found", where=str(path)) from exc
        except (wave.Error, EOFError, OSError, ValueError) as exc:
            raise MediaError(
                f"cannot read WAV: {exc}",
                where=str(path),
                hint=_PCM_HINT,
            ) from exc
        self.channels = self._wave.getnchannels()
        self.width = self._wave.getsampwidth()
        self.rate = self._wave.getframerate()
        self.frames = self._wave.getnframes()
        if self.rate <= 0 or self.channels <= 0:
            self.close()
            raise MediaError(
                f"WAV header is invalid (rate {self.rate}, channels {self.channels})",
                where=str(path),
            )

    def __enter__(self) -> WavReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._wave.close()

    def frames_bytes(self, first: int, count: int) -> bytes:
        """Up to ``count`` frames from frame ``first`` on, as the file holds them."""
        try:
            self._wave.setpos(max(0, min(first, self.frames)))
            return self._wave.readframes(max(0, count))
        except (wave.Error, EOFError, OSError, ValueError) as exc:
            raise MediaError(f"cannot read WAV: {exc}", where=str(self.path)) from exc

    def read(self, first: int, count: int) -> NDArray[np.float32]:
        """``count`` mono samples from sample ``first`` on, silence where the file has none."""
        out = np.zeros(max(0, count), dtype=np.float32)
        begin, end = max(0, first), min(self.frames, first + count)
        if begin >= end:
            return out
        data = self.frames_bytes(begin, end - begin)
        frame_bytes = self.channels * self.width
        if len(data) != (end - begin) * frame_bytes:
            raise MediaError(
                f"WAV is truncated: header promises {self.frames} frames, found "
                f"{begin + len(data) // max(1, frame_bytes)}",
                where=str(self.path),
            )
        samples = _decode(data, self.width).reshape(-1, self.channels)
        mono = samples[:, 0] if self.channels == 1 else samples.mean(axis=1)
        out[begin - first : end - first] = mono
        return out


class WavWriter:
    """Mono 16-bit samples appended block by block to an open WAV."""

    def __init__(self, handle: wave.Wave_write) -> None:
        self._handle = handle
        self.frames = 0

    def write(self, samples: NDArray[np.generic]) -> None:
        pcm = to_int16(samples)
        self.write_bytes(pcm.astype("<i2", copy=False).tobytes())

    def write_bytes(self, frames: bytes) -> None:
        """Frames already in the file's form: little-endian 16-bit."""
        self._handle.writeframesraw(frames)
        self.frames += len(frames) // 2


@contextlib.contextmanager
def wav_writer(path: Path, sample_rate: int) -> Iterator[WavWriter]:
    """A 16-bit mono WAV written block by block; it appears complete or not at all.

    The bytes equal :func:`write_wav`'s for the concatenated blocks.
    """
    if sample_rate <= 0:
        raise MediaError(f"sample rate must be positive, got {sample_rate}", where=str(path))
    with atomic_path(path) as tmp, wave.open(str(tmp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        yield WavWriter(out)


def join_wavs(sources: Sequence[Path], dst: Path, sample_rate: int) -> None:
    """Mono 16-bit WAVs at ``sample_rate``, one after another, into ``dst``.

    The sample data is copied as it is, a chunk at a time; ``dst`` appears
    complete or not at all.
    """
    with contextlib.ExitStack() as stack:
        readers = [stack.enter_context(WavReader(path)) for path in sources]
        for reader in readers:
            if reader.channels != 1 or reader.width != 2 or reader.rate != sample_rate:
                raise MediaError(
                    f"only mono 16-bit WAVs at {sample_rate} Hz can be joined, got "
                    f"{reader.channels} channels of {8 * reader.width} bits at {reader.rate} Hz",
                    where=str(reader.path),
                )
        with wav_writer(dst, sample_rate) as out:
            for reader in readers:
                for first in range(0, reader.frames, _JOIN_FRAMES):
                    out.write_bytes(reader.frames_bytes(first, _JOIN_FRAMES))


def _decode(data: bytes, width: int) -> NDArray[np.floating]:
    if width == 1:  # 8-bit WAV is unsigned
        return (np.frombuffer(data, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
    if width == 2:  # int16 / 32768 is exact in float32 too: no need to go wide
        return np.frombuffer(data, dtype="<i2").astype(np.float32) / np.float32(_FULL_SCALE)
    if width == 3:
        raw = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        value = raw[:, 0] | (raw[:, 1] << 8) | (raw[:, 2] << 16)
        value = np.where(value >= 1 << 23, value - (1 << 24), value)
        return value.astype(np.float64) / float(1 << 23)
    if width == 4:
        return np.frombuffer(data, dtype="<i4").astype(np.float64) / float(1 << 31)
    raise MediaError(f"unsupported WAV sample width: {width} bytes")
