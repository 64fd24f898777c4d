from __future__ import annotations

from pathlib import Path

import pytest

from sparkle_motion.errors import AssetPathError, AssetRightsError
from sparkle_motion.media.resolver import Library, resolve_assets
from sparkle_motion.schemas import AssetManifest, AssetNeed

LICENSE = "license_type: cc0\nattribution: Test author\nredistributable: true\n"


def manifest(*needs: AssetNeed) -> AssetManifest:
    return AssetManifest.new(episode_id="ep01", timing_lock_hash="0" * 64, needs=list(needs))


def background(key: str = "kitchen/day", requested: str | None = None) -> AssetNeed:
    return AssetNeed(id=f"background/{key}", kind="background", key=key, requested=requested)


def put(root: Path, relative: str, *, license_text: str | None = LICENSE) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG fake")
    if license_text is not None:
        path.with_name(path.name + ".license.yaml").write_text(license_text)
    return path


def test_local_library_wins_and_carries_its_licence(tmp_path: Path) -> None:
    put(tmp_path, "assets/locations/kitchen/day.png")
    [asset] = resolve_assets(manifest(background()), Library(tmp_path))
    assert asset.source == "local" and asset.uri == "assets/locations/kitchen/day.png"
    assert asset.license is not None and asset.license.license_type == "cc0"
    assert asset.license.redistributable and asset.sha256 and not asset.placeholder
    assert asset.fallbacks[0].startswith("generated:")


def test_location_without_time_of_day_file_falls_back_to_location_file(tmp_path: Path) -> None:
    put(tmp_path, "assets/locations/kitchen.jpg")
    [asset] = resolve_assets(manifest(background()), Library(tmp_path))
    assert asset.uri == "assets/locations/kitchen.jpg"


def test_nothing_local_means_generated_storyboard(tmp_path: Path) -> None:
    [asset] = resolve_assets(manifest(background()), Library(tmp_path))
    assert asset.source == "generated" and asset.uri == "generated:storyboard/kitchen/day"
    assert asset.license is not None and asset.license.license_type == "generated_local"


def test_missing_requested_file_is_a_flagged_placeholder(tmp_path: Path) -> None:
    need = background(requested="assets/locations/kitchen/gone.png")
    [asset] = resolve_assets(manifest(need), Library(tmp_path))
    assert asset.placeholder and asset.source == "placeholder"
    assert "gone.png" in asset.note


def test_requested_path_escaping_the_project_is_refused(tmp_path: Path) -> None:
    need = background(requested="../elsewhere.png")
    with pytest.raises(AssetPathError):
        resolve_assets(manifest(need), Library(tmp_path / "show"))


@pytest.mark.parametrize(
    ("sidecar", "message"),
    [
        (None, "no licence sidecar"),
        ("attribution: someone\n", "license_type"),
        ("license_type: cc0\n", "attribution"),
        ("license_type: borrowed\nattribution: x\n", "unknown license_type"),
        ("license_type: [unclosed\n", "not valid YAML"),
    ],
)
def test_local_asset_without_a_usable_licence_is_refused(
    tmp_path: Path, sidecar: str | None, message: str
) -> None:
    put(tmp_path, "assets/locations/kitchen/day.png", license_text=sidecar)
    with pytest.raises(AssetRightsError, match=message) as info:
        resolve_assets(manifest(background()), Library(tmp_path))
    assert "assets/locations/kitchen/day.png" in str(info.value)


def test_music_from_library_or_generated(tmp_path: Path) -> None:
    need = AssetNeed(id="music/calm", kind="music", key="calm")
    [generated] = resolve_assets(manifest(need), Library(tmp_path))
    assert generated.source == "generated"
    put(tmp_path, "assets/music/bed.wav")
    [local] = resolve_assets(manifest(need), Library(tmp_path))
    assert local.source == "local" and local.uri == "assets/music/bed.wav"
