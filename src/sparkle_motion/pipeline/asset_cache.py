"""The resolver's cache tier: assets once found in a shared library root.

When a shared library (a ``library_roots`` folder, often a network share)
provides an asset, its bytes go into the registry and a small pointer
remembers which need it served. If the library is unreachable later, the
same need resolves from the cache, with its licence, instead of falling
back to a generated stand-in. Project files are never cached: deleting one
is the creator's decision.
"""

from __future__ import annotations

import json
from pathlib import Path

from sparkle_motion.pipeline.atomic import write_atomic
from sparkle_motion.pipeline.media_cache import cache_key
from sparkle_motion.registry import Registry
from sparkle_motion.schemas import AssetNeed, ResolvedAsset

__all__ = ["CAS_PREFIX", "RegistryAssetCache"]

CAS_PREFIX = "cas:"


class RegistryAssetCache:
    def __init__(self, registry: Registry, root: Path, run_id: str | None = None) -> None:
        self.registry = registry
        self.root = root
        self.run_id = run_id

    def _pointer(self, need: AssetNeed) -> Path:
        key = cache_key(kind=need.kind, key=need.key, tags=need.tags)
        return self.root / key[:2] / f"{key}.json"

    def lookup(self, need: AssetNeed) -> ResolvedAsset | None:
        try:
            data = json.loads(self._pointer(need).read_text(encoding="utf-8"))
            asset = ResolvedAsset.model_validate(data)
        except (OSError, ValueError):
            return None  # a missing or damaged pointer is a miss
        if asset.sha256 is None or not self.registry.has(asset.sha256):
            return None
        return asset.model_copy(update={"need_id": need.id})

    def remember(self, need: AssetNeed, asset: ResolvedAsset, path: Path) -> None:
        record = self.registry.put_file(
            path,
            kind=f"asset/{need.kind}",
            run_id=self.run_id,
            provenance=asset.license.model_dump() if asset.license else None,
            params={"library_uri": asset.uri},
        )
        cached = asset.model_copy(
            update={
                "source": "cache",
                "uri": f"{CAS_PREFIX}{record.hash}",
                "sha256": record.hash,
                "note": f"cached from {asset.uri}",
            }
        )
        write_atomic(self._pointer(need), cached.model_dump_json().encode("utf-8"))
