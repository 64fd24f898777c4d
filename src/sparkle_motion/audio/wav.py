"""16-bit PCM WAV files in and out, written atomically.

Only the standard library's :mod:`wave` touches the bytes, so a file is a
function of its samples alone: the same array always gives the same file.
Floats map to integers as ``round(x * 32768)`` clipped to the int16 range,
and back as ``n / 32768``, so reading a file and writing it again is exact.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sparkle_motion.errors import MediaError

__all__ = ["atomic_output", "read_wav", "to_float32", "to_int16", "write_wav"]

_FULL_SCALE = 32768.0


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
    scaled = np.round(array.astype(np.float64) * _FULL_SCALE)
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


@contextlib.contextmanager
def atomic_output(path: Path, suffix: str = ".wav") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``.

    The file is fsynced before the rename, so a reader sees either the old
    file or the complete new one. On an exception the temporary file is removed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{suffix}", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some filesystems refuse; the rename still happened
        pass
    finally:
        os.close(fd)


def write_wav(samples: NDArray[np.generic], path: Path, sample_rate: int) -> None:
    """Write mono float32 ([-1, 1]) or int16 samples as a 16-bit PCM WAV, atomically."""
    if sample_rate <= 0:
        raise MediaError(f"sample rate must be positive, got {sample_rate}", where=str(path))
    pcm = to_int16(samples)
    with atomic_output(path) as tmp, wave.open(str(tmp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.astype("<i2", copy=False).tobytes())


def read_wav(path: Path) -> tuple[NDArray[np.float32], int]:
    """Read a PCM WAV (8/16/24/32-bit, any channel count) as mono float32 and its rate.

    Channels are averaged. A missing, truncated or non-PCM file raises
    :class:`MediaError`.
    """
    try:
        with wave.open(str(path), "rb") as src:
            channels = src.getnchannels()
            width = src.getsampwidth()
            rate = src.getframerate()
            frames = src.getnframes()
            data = src.readframes(frames)
    except FileNotFoundError as exc:
        raise MediaError("WAV file not found", where=str(path)) from exc
    except (wave.Error, EOFError, OSError, ValueError) as exc:
        raise MediaError(
            f"cannot read WAV: {exc}",
            where=str(path),
            hint="only uncompressed PCM WAV is read here; convert it with ffmpeg -c:a pcm_s16le",
        ) from exc
    if len(data) != frames * channels * width:
        raise MediaError(
            f"WAV is truncated: header promises {frames} frames, found "
            f"{len(data) // max(1, channels * width)}",
            where=str(path),
        )
    if rate <= 0 or channels <= 0:
        raise MediaError(
            f"WAV header is invalid (rate {rate}, channels {channels})", where=str(path)
        )
    samples = _decode(data, width).reshape(-1, channels)
    mono = samples[:, 0] if channels == 1 else samples.mean(axis=1)
    return mono.astype(np.float32), rate


def _decode(data: bytes, width: int) -> NDArray[np.float64]:
    if width == 1:  # 8-bit WAV is unsigned
        return (np.frombuffer(data, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
    if width == 2:
        return np.frombuffer(data, dtype="<i2").astype(np.float64) / _FULL_SCALE
    if width == 3:
        raw = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        value = raw[:, 0] | (raw[:, 1] << 8) | (raw[:, 2] << 16)
        value = np.where(value >= 1 << 23, value - (1 << 24), value)
        return value.astype(np.float64) / float(1 << 23)
    if width == 4:
        return np.frombuffer(data, dtype="<i4").astype(np.float64) / float(1 << 31)
    raise MediaError(f"unsupported WAV sample width: {width} bytes")
