from __future__ import annotations

from pathlib import Path

from sparkle_motion.cache import BlobCache
from sparkle_motion.media.asset_cache import BlobAssetCache
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


def test_remembered_assets_come_back_from_the_cache(tmp_path: Path) -> None:
    image = tmp_path / "day.png"
    image.write_bytes(b"picture bytes")
    blobs = BlobCache(tmp_path / "cache")
    cache = BlobAssetCache(blobs)
    assert cache.lookup(NEED) is None
    cache.remember(NEED, local_asset(image), image)
    image.unlink()
    found = BlobAssetCache(BlobCache(tmp_path / "cache")).lookup(NEED)
    assert found is not None and found.source == "cache"
    assert found.sha256 is not None and found.uri == f"cas:{found.sha256}"
    assert blobs.path(found.sha256).read_bytes() == b"picture bytes"
    assert found.license is not None and found.license.attribution == "A"
    assert found.note == f"cached from {image}"


def test_a_damaged_record_or_a_lost_blob_is_a_miss(tmp_path: Path) -> None:
    image = tmp_path / "day.png"
    image.write_bytes(b"picture bytes")
    blobs = BlobCache(tmp_path / "cache")
    cache = BlobAssetCache(blobs)
    cache.remember(NEED, local_asset(image), image)
    found = cache.lookup(NEED)
    assert found is not None and found.sha256 is not None
    blobs.path(found.sha256).unlink()
    assert cache.lookup(NEED) is None
    cache.remember(NEED, local_asset(image), image)
    record = blobs.get(BlobAssetCache._key(NEED))
    assert record is not None
    damaged = blobs.path(record)
    damaged.chmod(0o644)
    damaged.write_bytes(b"{" * damaged.stat().st_size)  # the size still matches: not JSON
    assert cache.lookup(NEED) is None
