"""Write files so that readers see the old file or the whole new one, never a part."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "write_text_atomic"]


@contextlib.contextmanager
def atomic_path(out: Path) -> Iterator[Path]:
    """Yield a fresh temporary path beside ``out`` for the block to write.

    On success the file is fsynced and renamed over ``out``; if the block
    raises it is removed. The name keeps ``out``'s suffix so that tools which
    guess a format from it still work, and the file is created by the writer
    (not here) so it gets the usual permissions.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(6)}.tmp{out.suffix}")
    try:
        yield tmp
        with tmp.open("rb+") as handle:  # FileNotFoundError if the block wrote nothing
            os.fsync(handle.fileno())
        tmp.replace(out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 (line ends as given), atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(text.encode("utf-8"))
