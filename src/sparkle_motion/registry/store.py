"""Content-addressed blob store: bytes live under their own sha256.

Layout: ``<objects>/ab/cdef…`` (the first two hex characters shard the
folder). Every write lands in a temp file on the same filesystem, is flushed
and fsynced, then renamed into place, so a reader sees a whole blob or none.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from sparkle_motion.atomic import fsync_dir
from sparkle_motion.errors import CorruptArtifact

__all__ = ["CHUNK_SIZE", "BlobStore", "is_sha256"]

CHUNK_SIZE = 1 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")


def is_sha256(text: str) -> bool:
    """True for 64 lowercase hex characters, the only names a blob may have."""
    return _SHA256.fullmatch(text) is not None


class BlobStore:
    """Sharded, atomic, self-verifying storage of immutable bytes."""

    def __init__(self, objects: Path) -> None:
        self.objects = objects
        objects.mkdir(parents=True, exist_ok=True)

    def path_for(self, digest: str) -> Path:
        if not is_sha256(digest):
            raise ValueError(f"not a sha256 hex digest: {digest!r}")
        return self.objects / digest[:2] / digest[2:]

    def exists(self, digest: str) -> bool:
        return self.path_for(digest).is_file()

    def stored_path(self, digest: str) -> Path:
        """The blob's path; CorruptArtifact if it is gone. Its bytes are not re-read."""
        path = self.path_for(digest)
        if not path.is_file():
            raise _corrupt(digest, path, "is indexed but its stored bytes are missing")
        return path

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        """Store ``data``; returns its digest and size."""
        digest = hashlib.sha256(data).hexdigest()
        if not self._intact(digest):
            self._ingest([data])
        return digest, len(data)

    def put_file(self, source: Path, *, move: bool = False) -> tuple[str, int]:
        """Copy ``source`` in, hashing while copying, one chunk in memory at a time.

        With ``move`` a scratch file is hashed, made durable and renamed into
        the store instead of copied (it is gone from ``source`` afterwards); a
        store on another filesystem falls back to copying.
        """
        if move:
            moved = self._move_in(source)
            if moved is not None:
                return moved
        with source.open("rb") as stream:
            return self._ingest(iter(lambda: stream.read(CHUNK_SIZE), b""))

    def _move_in(self, source: Path) -> tuple[str, int] | None:
        hasher, size = hashlib.sha256(), 0
        with source.open("rb") as stream:
            for chunk in iter(lambda: stream.read(CHUNK_SIZE), b""):
                hasher.update(chunk)
                size += len(chunk)
            os.fsync(stream.fileno())
        try:
            return self._settle(source, hasher.hexdigest()), size
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            return None

    def read(self, digest: str) -> bytes:
        """The stored bytes, verified; a missing or altered blob is corrupt."""
        path = self.path_for(digest)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise _corrupt(digest, path, "is indexed but its stored bytes are missing") from None
        if hashlib.sha256(data).hexdigest() != digest:
            raise _corrupt(digest, path, "stored bytes no longer match their hash")
        return data

    def _intact(self, digest: str) -> bool:
        path = self.path_for(digest)
        try:
            with path.open("rb") as stream:
                return _sha256_of(iter(lambda: stream.read(CHUNK_SIZE), b"")) == digest
        except FileNotFoundError:
            return False

    def _settle(self, file: Path, digest: str) -> str:
        """Put the durable ``file`` (bytes hashing to ``digest``) in place, or drop it if
        the store already holds those bytes intact."""
        if self._intact(digest):
            file.unlink()
        else:  # new, or a corrupt copy that these good bytes repair
            final = self.path_for(digest)
            final.parent.mkdir(exist_ok=True)
            file.replace(final)
            fsync_dir(final.parent)
        return digest

    def _ingest(self, chunks: Iterable[bytes]) -> tuple[str, int]:
        handle, temp_name = tempfile.mkstemp(dir=self.objects, prefix=".incoming-")
        temp = Path(temp_name)
        try:
            hasher = hashlib.sha256()
            size = 0
            with os.fdopen(handle, "wb") as out:
                for chunk in chunks:
                    hasher.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            return self._settle(temp, hasher.hexdigest()), size
        except BaseException:
            temp.unlink(missing_ok=True)
            raise


def _sha256_of(chunks: Iterator[bytes]) -> str:
    hasher = hashlib.sha256()
    for chunk in chunks:
        hasher.update(chunk)
    return hasher.hexdigest()


def _corrupt(digest: str, path: Path, what: str) -> CorruptArtifact:
    return CorruptArtifact(
        f"artifact {digest} {what}",
        where=str(path),
        hint="delete that file and re-run the stage that produced it; "
        "storing the same bytes again repairs it",
    )
