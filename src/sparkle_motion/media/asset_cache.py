"""The resolver's cache tier: assets once found in a shared library root.

When a shared library (a ``library_roots`` folder, often a network share)
provides an asset, its bytes go into the blob cache and a small record
remembers which need they served. If the library is unreachable later, the
same need resolves from the cache, with its licence, instead of falling back
to a generated stand-in. Project files are never cached: deleting one is the
creator's decision.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from sparkle_motion.cache import BlobCache, cache_key
from sparkle_motion.schemas import AssetNeed, ResolvedAsset

__all__ = ["CAS_PREFIX", "BlobAssetCache"]

CAS_PREFIX = "cas:"


class BlobAssetCache:
    """Library assets remembered in a :class:`BlobCache`, by the need they served."""

    def __init__(self, cache: BlobCache) -> None:
        self.cache = cache

    @staticmethod
    def _key(need: AssetNeed) -> str:
        return cache_key(kind="asset-need", need_kind=need.kind, key=need.key, tags=need.tags)

    def lookup(self, need: AssetNeed) -> ResolvedAsset | None:
        record = self.cache.get_bytes(self._key(need))
        if record is None:
            return None
        try:
            asset = ResolvedAsset.model_validate_json(record)
        except ValidationError:
            return None  # a damaged record is a miss
        if asset.sha256 is None or not self.cache.has(asset.sha256):
            return None
        return asset.model_copy(update={"need_id": need.id})

    def remember(self, need: AssetNeed, asset: ResolvedAsset, path: Path) -> None:
        sha, _ = self.cache.store_file(path)
        cached = asset.model_copy(
            update={
                "source": "cache",
                "uri": f"{CAS_PREFIX}{sha}",
                "sha256": sha,
                "note": f"cached from {asset.uri}",
            }
        )
        self.cache.put_bytes(self._key(need), cached.model_dump_json().encode("utf-8"))
