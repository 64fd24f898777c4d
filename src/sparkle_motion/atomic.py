"""Atomic file writes: a reader sees the old file or the whole new one, never a part.

The one place the package writes a file that someone else may read while it
is being written. Every write lands in a temporary file beside its target
(same filesystem), is flushed and fsynced, renamed over the target, and the
rename itself is made durable by an fsync of the folder. A write that fails
leaves the old file and no temporary one behind.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "copy_atomic", "fsync_dir", "write_atomic", "write_text_atomic"]

_CHUNK = 1 << 20


def fsync_dir(folder: Path) -> None:
    """Make a rename inside ``folder`` durable (POSIX; a no-op where folders cannot open)."""
    if os.name != "posix":
        return
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:  # some filesystems refuse; the rename still happened
        pass
    finally:
        os.close(handle)


@contextlib.contextmanager
def atomic_path(out: Path) -> Iterator[Path]:
    """A fresh temporary path beside ``out`` for the block to write.

    On success the file is fsynced and renamed over ``out``; if the block raises
    it is removed. The name keeps ``out``'s suffix, so tools that guess a format
    from it (ffmpeg, Pillow) still work. The block creates the file; a block that
    writes nothing fails with FileNotFoundError.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    # The writer creates the file (with the usual permissions), so only a name is made here.
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(6)}.tmp{out.suffix}")
    try:
        yield tmp
        with tmp.open("rb+") as written:
            os.fsync(written.fileno())
        tmp.replace(out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    fsync_dir(out.parent)


def write_atomic(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(path: Path, text: str) -> None:
    """``text`` as UTF-8, line ends as given."""
    write_atomic(path, text.encode("utf-8"))


def copy_atomic(source: Path, path: Path) -> None:
    with atomic_path(path) as tmp, source.open("rb") as src, tmp.open("wb") as out:
        shutil.copyfileobj(src, out, _CHUNK)
