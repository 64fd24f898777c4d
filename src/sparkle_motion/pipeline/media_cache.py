"""Per-shot media cache: a content key names a blob in the registry.

A pointer file ``<root>/<key[:2]>/<key>`` holds the sha256 of the blob
made for that key. A missing pointer, a pointer to a missing or corrupt
blob, or an unreadable pointer are all a miss, never an error.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sparkle_motion.pipeline.atomic import write_atomic
from sparkle_motion.registry import Registry
from sparkle_motion.schemas import canonical_json

__all__ = ["MediaCache", "cache_key"]

_HEX = re.compile(r"^[0-9a-f]{64}$")


def cache_key(**parts: Any) -> str:
    return hashlib.sha256(canonical_json(parts)).hexdigest()


class MediaCache:
    def __init__(self, registry: Registry, root: Path) -> None:
        self.registry = registry
        self.root = root
        self.hits = 0
        self.misses = 0

    def _pointer(self, key: str) -> Path:
        return self.root / key[:2] / key

    def get(self, key: str) -> str | None:
        try:
            sha = self._pointer(key).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            self.misses += 1
            return None
        if not _HEX.match(sha) or not self.registry.has(sha):
            self.misses += 1
            return None
        self.hits += 1
        return sha

    def put(
        self,
        key: str,
        path: Path,
        *,
        kind: str,
        parents: Sequence[str] = (),
        params: dict[str, Any] | None = None,
        run_id: str | None = None,
        move: bool = False,
    ) -> str:
        """Store ``path`` (moved in with ``move``) and point ``key`` at it; its sha256."""
        record = self.registry.put_file(
            path, kind=kind, parents=parents, params=params, run_id=run_id, move=move
        )
        write_atomic(self._pointer(key), record.hash.encode("ascii"))
        return record.hash

    def path(self, sha: str) -> Path:
        return self.registry.blob_path(sha)
