"""Where the engine's files come from and where its outputs go.

The engine reads no project folder and no library roots: a :class:`MediaSource`
turns each resolved asset of the render plan into a file to read, and an
:class:`OutputStore` keeps what the engine makes for good (the video, the
captions, the stems), addressed by sha256. Callers choose both: the command
line reads a project folder and stores into its registry; the service reads
and stores in one tenant's registry.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from sparkle_motion.cache import BlobCache
from sparkle_motion.errors import AssetPathError, MissingInput
from sparkle_motion.media.asset_cache import CAS_PREFIX
from sparkle_motion.media.paths import confine
from sparkle_motion.schemas import ResolvedAsset

__all__ = ["FolderMedia", "MediaSource", "OutputStore", "check_sha256"]

_CHUNK = 1 << 20


class MediaSource(Protocol):
    """The file behind a resolved asset; None for a generated stand-in or a placeholder."""

    def file(self, asset: ResolvedAsset | None) -> Path | None: ...


class OutputStore(Protocol):
    """Durable, content-addressed storage for what a render delivers."""

    def put_file(self, path: Path, *, kind: str) -> str:
        """Store ``path``'s bytes (a scratch file: the store may take it), ``kind`` saying
        what it is (e.g. ``media/video``); their sha256."""
        ...

    def path(self, sha: str) -> Path:
        """Where the stored bytes ``sha`` can be read."""
        ...


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def check_sha256(path: Path, asset: ResolvedAsset) -> None:
    """Refuse a file whose bytes are not the ones the plan resolved."""
    if asset.sha256 is not None and _sha256(path) != asset.sha256:
        raise MissingInput(
            f"asset {asset.uri} changed after the render plan was resolved",
            where=f"render_plan.assets[{asset.need_id}]",
            hint="resolve the plan again (run the episode without --resume)",
        )


class FolderMedia:
    """Local assets under ``root`` (and the other ``roots`` a plan may name by absolute
    path), and cached ones (``cas:<sha256>``) from ``cache``.

    Every file is confined to the roots (no ``..``, no symlink out) and checked
    against the sha256 the plan recorded, once per file.
    """

    def __init__(self, root: Path, cache: BlobCache, roots: Sequence[Path] = ()) -> None:
        self.root = root.resolve()
        self.roots = (self.root, *(r.resolve() for r in roots))
        self.cache = cache
        self._checked: dict[tuple[Path, str | None], Path] = {}
        self._lock = threading.Lock()

    def file(self, asset: ResolvedAsset | None) -> Path | None:
        if asset is None or asset.placeholder or asset.source in ("generated", "placeholder"):
            return None
        if asset.source == "cache":
            return self._cached(asset)
        path = confine(asset.uri, self.root, self.roots)
        with self._lock:
            known = self._checked.get((path, asset.sha256))
        if known is not None:
            return known
        if not path.is_file():
            raise MissingInput(
                f"asset {asset.uri} is missing",
                where=f"render_plan.assets[{asset.need_id}]",
                hint="put the file back, or resolve the plan again",
            )
        check_sha256(path, asset)
        with self._lock:
            self._checked[(path, asset.sha256)] = path
        return path

    def _cached(self, asset: ResolvedAsset) -> Path:
        sha = asset.uri.removeprefix(CAS_PREFIX)
        if not asset.uri.startswith(CAS_PREFIX) or sha != asset.sha256:
            raise AssetPathError(
                f"a cached asset is named cas:<its sha256>, not {asset.uri!r}",
                where=f"render_plan.assets[{asset.need_id}]",
            )
        if not self.cache.has(sha):
            raise MissingInput(
                f"the cached copy of {asset.need_id} is no longer in the cache",
                where=f"render_plan.assets[{asset.need_id}]",
                hint="resolve the plan again (run the episode without --resume)",
            )
        return self.cache.path(sha)
