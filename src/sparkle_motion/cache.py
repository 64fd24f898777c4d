"""The content-addressed blob cache: what was made once, found again by what made it.

Frames, clips, speech, scene sound and assets copied from shared libraries
all live here. A *key* names what made a thing (:func:`cache_key` over the
code, the settings and the input hashes); it points at a *blob*, stored
under the sha256 of its bytes, so two keys that make the same bytes share
one file::

    <root>/blobs/ab/<sha256>      the bytes (read-only)
    <root>/keys/cd/<key>          "<sha256> <size>" of the blob the key made

A key whose pointer does not read, whose blob is gone or whose blob's size
is not the size recorded is a miss: the thing is made again, never an error.
Blobs are written atomically and stored read-only, so a blob of the recorded
size holds the bytes that were written.

The cache keeps to a size: :meth:`BlobCache.evict` removes the least recently
used blobs (every hit and store marks a blob used) until it fits, sparing
what this process has used and anything used in the last hour, which a
render running elsewhere may still read. The runner calls it when a run
ends; during a run the cache may grow past its size.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sparkle_motion.atomic import atomic_path, fsync_dir, write_atomic
from sparkle_motion.schemas import canonical_json

__all__ = ["DEFAULT_MAX_BYTES", "BlobCache", "cache_key"]

DEFAULT_MAX_BYTES = 20 * 1024**3
_RECENT_SECONDS = 3600.0  # never evict what was used this recently
_FILL_AFTER_EVICTION = 0.9  # evict down to this share of the size, so eviction is rare
_CHUNK = 1 << 20
_HEX = re.compile(r"[0-9a-f]{64}")

Clock = Callable[[], float]


def cache_key(**parts: Any) -> str:
    """The sha256 of the canonical JSON of ``parts``: what made a thing, as one name."""
    return hashlib.sha256(canonical_json(parts)).hexdigest()


class BlobCache:
    """Blobs under ``root``, each named by the keys that made it.

    Threads may share one cache; ``hits`` and ``misses`` count :meth:`get` outcomes
    for run summaries. ``clock`` (wall seconds) dates uses, for eviction only.
    """

    def __init__(self, root: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, clock: Clock = time.time):
        self.root = root
        self.max_bytes = max_bytes
        self.clock = clock
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        self._used: set[str] = set()  # blobs this process touched: never evicted under it

    # -- layout ----------------------------------------------------------------------------

    def path(self, sha: str) -> Path:
        """Where the blob ``sha`` lives (for reading; it may be gone: check with :meth:`has`)."""
        if not _HEX.fullmatch(sha):
            raise ValueError(f"not a sha256 hex digest: {sha!r}")
        return self.root / "blobs" / sha[:2] / sha

    def _pointer(self, key: str) -> Path:
        if not _HEX.fullmatch(key):
            raise ValueError(f"not a cache key (64 hex characters): {key!r}")
        return self.root / "keys" / key[:2] / key

    # -- reading ---------------------------------------------------------------------------

    def has(self, sha: str) -> bool:
        return _HEX.fullmatch(sha) is not None and self.path(sha).is_file()

    def get(self, key: str) -> str | None:
        """The sha256 of the blob ``key`` made, or None (a miss)."""
        found = self._lookup(key)
        with self._lock:
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
        return found

    def _lookup(self, key: str) -> str | None:
        pointer = self._pointer(key)
        try:
            sha, size = pointer.read_text(encoding="ascii").split()
            recorded = int(size)
        except (OSError, UnicodeDecodeError, ValueError):
            return None
        if not _HEX.fullmatch(sha):
            return None
        blob = self.path(sha)
        try:
            actual = blob.stat().st_size
        except OSError:
            return None
        if actual != recorded:  # damaged: drop it so that the next store repairs it
            with contextlib.suppress(OSError):
                blob.unlink()
            return None
        self._touch(sha)
        return sha

    def get_bytes(self, key: str) -> bytes | None:
        """The bytes ``key`` made, or None."""
        sha = self.get(key)
        if sha is None:
            return None
        try:
            return self.path(sha).read_bytes()
        except OSError:
            return None

    # -- storing ---------------------------------------------------------------------------

    def put_file(self, key: str, path: Path, *, move: bool = False) -> str:
        """Store ``path``'s bytes for ``key`` (``move`` takes a scratch file in); their sha256."""
        sha, size = self.store_file(path, move=move)
        self._point(key, sha, size)
        return sha

    def put_bytes(self, key: str, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        if not self._intact(sha, len(data)):
            with atomic_path(self.path(sha)) as tmp:
                tmp.write_bytes(data)
            self.path(sha).chmod(0o444)
        self._touch(sha)
        self._point(key, sha, len(data))
        return sha

    def store_file(self, path: Path, *, move: bool = False) -> tuple[str, int]:
        """Store ``path``'s bytes under their sha256 (no key); (sha256, size)."""
        digest, size = hashlib.sha256(), 0
        with path.open("rb") as stream:
            for chunk in iter(lambda: stream.read(_CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
        sha = digest.hexdigest()
        target = self.path(sha)
        if self._intact(sha, size):
            if move:
                path.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            if not (move and _rename(path, target)):
                with atomic_path(target) as tmp, path.open("rb") as src, tmp.open("wb") as out:
                    shutil.copyfileobj(src, out, _CHUNK)
                if move:
                    path.unlink()
            target.chmod(0o444)
        self._touch(sha)
        return sha, size

    def _intact(self, sha: str, size: int) -> bool:
        try:
            return self.path(sha).stat().st_size == size
        except OSError:
            return False

    def _point(self, key: str, sha: str, size: int) -> None:
        write_atomic(self._pointer(key), f"{sha} {size}\n".encode("ascii"))

    def _touch(self, sha: str) -> None:
        with self._lock:
            self._used.add(sha)
        now = self.clock()
        with contextlib.suppress(OSError):
            os.utime(self.path(sha), (now, now))

    @contextlib.contextmanager
    def incoming(self, suffix: str = "") -> Iterator[Path]:
        """A scratch path on the cache's filesystem, to make a blob in and store with ``move``.

        Whatever is left at the path when the block ends is removed.
        """
        folder = self.root / "incoming"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{secrets.token_hex(8)}{suffix}"
        try:
            yield path
        finally:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    # -- size ------------------------------------------------------------------------------

    def size(self) -> int:
        """Bytes the blobs take now."""
        return sum(size for _, size, _ in self._blobs())

    def _blobs(self) -> list[tuple[float, int, Path]]:
        found = []
        for shard in sorted((self.root / "blobs").glob("??")):
            for blob in shard.iterdir():
                if not _HEX.fullmatch(blob.name):
                    continue
                with contextlib.suppress(OSError):
                    stat = blob.stat()
                    found.append((stat.st_mtime, stat.st_size, blob))
        return found

    def evict(self) -> int:
        """Remove least recently used blobs until the cache fits its size; bytes freed."""
        blobs = self._blobs()
        total = sum(size for _, size, _ in blobs)
        if total <= self.max_bytes:
            return 0
        goal = int(self.max_bytes * _FILL_AFTER_EVICTION)
        recent = self.clock() - _RECENT_SECONDS
        with self._lock:
            used = set(self._used)
        freed = 0
        for mtime, size, blob in sorted(blobs):
            if total - freed <= goal:
                break
            if blob.name in used or mtime >= recent:
                continue
            with contextlib.suppress(FileNotFoundError):
                blob.unlink()
                freed += size
        return freed


def _rename(source: Path, target: Path) -> bool:
    """Move a durable scratch file into place; False when it is on another filesystem."""
    with source.open("rb") as stream:
        os.fsync(stream.fileno())
    try:
        source.replace(target)
    except OSError as exc:
        if exc.errno == errno.EXDEV:
            return False
        raise
    fsync_dir(target.parent)
    return True
