from __future__ import annotations

from pathlib import Path

import pytest

from sparkle_motion.errors import AssetPathError, AssetRightsError
from sparkle_motion.media.resolver import Library, resolve_assets
from sparkle_motion.schemas import AssetManifest, AssetNeed, ResolvedAsset

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


def character(who: str = "ann", framing: str = "close_up", expression: str = "angry") -> AssetNeed:
    variant = f"{framing.replace('_', '-')}-{expression}"
    return AssetNeed(
        id=f"character/{who}/{variant}",
        kind="character",
        key=f"{who}/{variant}",
        speaker_id=who,
        tags=[framing, expression],
    )


@pytest.mark.parametrize(
    "relative",
    [
        "assets/characters/ann/close-up-angry.png",
        "assets/characters/ann/close-up.png",
        "assets/characters/ann/angry.png",
        "assets/characters/ann/default.png",
        "assets/characters/ann.png",
    ],
)
def test_character_art_is_found_from_most_to_least_specific(tmp_path: Path, relative: str) -> None:
    put(tmp_path, relative)
    put(tmp_path, "assets/characters/bo/close-up-angry.png")  # someone else's art
    [asset] = resolve_assets(manifest(character()), Library(tmp_path))
    assert asset.source == "local" and asset.uri == relative


def test_a_character_without_art_is_a_drawn_figure(tmp_path: Path) -> None:
    [asset] = resolve_assets(manifest(character()), Library(tmp_path))
    assert asset.source == "generated" and asset.uri == "generated:figure/ann/close-up-angry"


def test_props_and_sound_effects(tmp_path: Path) -> None:
    prop = AssetNeed(id="prop/brass key", kind="prop", key="brass key")
    sfx = AssetNeed(id="sfx/door slam", kind="sfx", key="door slam")
    card, silent = resolve_assets(manifest(prop, sfx), Library(tmp_path))
    assert card.source == "generated" and not card.placeholder
    assert silent.placeholder and "assets/sfx/door-slam.wav" in silent.note
    put(tmp_path, "assets/props/brass-key.png")
    put(tmp_path, "assets/sfx/door-slam.ogg")
    found_prop, found_sfx = resolve_assets(manifest(prop, sfx), Library(tmp_path))
    assert found_prop.uri == "assets/props/brass-key.png"
    assert found_sfx.uri == "assets/sfx/door-slam.ogg" and not found_sfx.placeholder


def test_a_rights_override_lets_an_unlicensed_file_through_on_record(tmp_path: Path) -> None:
    from sparkle_motion.schemas import RightsOverride

    put(tmp_path, "assets/locations/kitchen/day.png", license_text=None)
    override = RightsOverride(
        asset="assets/locations/kitchen/day.png", approver="dana", reason="our own photo"
    )
    library = Library(tmp_path, overrides={override.asset: override})
    [asset] = resolve_assets(manifest(background()), library)
    assert asset.source == "local" and asset.license is not None
    assert asset.license.license_type == "rights_override"
    assert "dana" in asset.license.attribution and "dana" in asset.note
    assert not asset.license.redistributable


class MemoryCache:
    def __init__(self) -> None:
        self.kept: dict[str, ResolvedAsset] = {}

    def lookup(self, need: AssetNeed) -> ResolvedAsset | None:
        return self.kept.get(need.key)

    def remember(self, need: AssetNeed, asset: ResolvedAsset, path: Path) -> None:
        self.kept[need.key] = asset.model_copy(update={"source": "cache", "uri": "cas:x"})


def test_shared_library_assets_are_cached_and_served_when_the_library_is_gone(
    tmp_path: Path,
) -> None:
    project, shared = tmp_path / "show", tmp_path / "shared"
    project.mkdir()
    put(shared, "assets/locations/kitchen/day.png")
    cache = MemoryCache()
    library = Library(project, extra_roots=(shared,))
    [first] = resolve_assets(manifest(background()), library, cache)
    assert first.source == "local" and first.uri.startswith(str(shared))
    (shared / "assets/locations/kitchen/day.png").unlink()
    [second] = resolve_assets(manifest(background()), library, cache)
    assert second.source == "cache" and second.license is not None


def test_project_files_are_never_cached(tmp_path: Path) -> None:
    put(tmp_path, "assets/locations/kitchen/day.png")
    cache = MemoryCache()
    resolve_assets(manifest(background()), Library(tmp_path), cache)
    assert cache.kept == {}
