from __future__ import annotations

from pathlib import Path

from sparkle_motion.pipeline.asset_cache import RegistryAssetCache
from sparkle_motion.registry import Registry
from sparkle_motion.schemas import AssetNeed, License, ResolvedAsset

NEED = AssetNeed(id="background/kitchen/day", kind="background", key="kitchen/day")


def local_asset(path: Path) -> ResolvedAsset:
    return ResolvedAsset(
        need_id=NEED.id,
        kind="background",
        source="local",
        uri=str(path),
        sha256="0" * 64,
        license=License(license_type="cc0", attribution="A"),
    )


def test_remembered_assets_come_back_from_the_registry(tmp_path: Path) -> None:
    image = tmp_path / "day.png"
    image.write_bytes(b"picture bytes")
    with Registry.open(tmp_path / ".sparkle") as registry:
        cache = RegistryAssetCache(registry, tmp_path / ".sparkle" / "cache" / "assets")
        assert cache.lookup(NEED) is None
        cache.remember(NEED, local_asset(image), image)
        image.unlink()
        found = cache.lookup(NEED)
        assert found is not None and found.source == "cache"
        assert found.sha256 is not None and found.uri == f"cas:{found.sha256}"
        assert registry.blob_path(found.sha256).read_bytes() == b"picture bytes"
        assert found.license is not None and found.license.attribution == "A"
        assert registry.record(found.sha256).provenance == found.license.model_dump()


def test_a_damaged_pointer_is_a_miss(tmp_path: Path) -> None:
    image = tmp_path / "day.png"
    image.write_bytes(b"picture bytes")
    with Registry.open(tmp_path / ".sparkle") as registry:
        cache = RegistryAssetCache(registry, tmp_path / "cache")
        cache.remember(NEED, local_asset(image), image)
        for pointer in (tmp_path / "cache").rglob("*.json"):
            pointer.write_text("{not json")
        assert cache.lookup(NEED) is None
