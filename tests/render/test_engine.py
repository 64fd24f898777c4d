"""The Video Engine called alone: a package in, a RenderOutput and its files out."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sparkle_motion.audio.wav import read_wav
from sparkle_motion.cache import BlobCache
from sparkle_motion.errors import InvalidArtifact, RunStopped
from sparkle_motion.registry import Registry, RegistryOutputs
from sparkle_motion.render.context import RenderContext
from sparkle_motion.render.engine import (
    episode_sound_levels,
    render_episode,
    render_scene_sound,
    render_shot,
)
from sparkle_motion.render.media import FolderMedia
from sparkle_motion.render.package import RenderPackage
from sparkle_motion.render.shots import encode_clips
from sparkle_motion.render.storyboard import draw_frames
from sparkle_motion.schemas import AssetManifest, RenderPlan, ShotList
from tests.render.media import probe
from tests.service.helpers import render_inputs


def package(**options: Any) -> RenderPackage:
    inputs = render_inputs(**options)
    return RenderPackage.of(
        ShotList.from_data(inputs["shotlist"]),
        AssetManifest.from_data(inputs["asset_manifest"]),
        RenderPlan.from_data(inputs["render_plan"]),
    )


@dataclass
class Bench:
    """Everything the engine is handed: a workspace, a cache, an output store."""

    root: Path
    cache: BlobCache
    registry: Registry

    def options(self) -> dict[str, Any]:
        return {
            "media": FolderMedia(self.root, self.cache),
            "cache": self.cache,
            "store": RegistryOutputs(self.registry),
            "work_dir": self.root / "work",
        }


@pytest.fixture
def bench(tmp_path: Path) -> Any:
    with Registry.open(tmp_path / "registry") as registry:
        yield Bench(tmp_path, BlobCache(tmp_path / "cache"), registry)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_episode_renders_from_its_package_alone(bench: Bench, tmp_path: Path) -> None:
    rendered = render_episode(package(shots=3), out_dir=tmp_path / "out", **bench.options())
    output = rendered.output
    assert output.status == "complete" and output.qa.passed
    assert output.frames == 72 and output.episode_id == "ep01"
    assert [s.role for s in output.stems] == ["voice", "music", "effects"]
    video = rendered.files["video"]
    assert video == tmp_path / "out" / "ep01.mp4" and sha(video) == output.video.sha256
    info = probe(video)
    assert (info.width, info.height, info.frames) == (160, 90, 72)
    assert set(rendered.media) == {"frames", "voice", "clips", "assembly"}
    assert set(output.lineage) == {"shotlist", "asset_manifest", "render_plan", "qa_report"}

    misses = bench.cache.misses
    again = render_episode(package(shots=3), out_dir=tmp_path / "again", **bench.options())
    assert sha(again.files["video"]) == sha(video)
    assert again.output == output
    assert bench.cache.misses == misses  # every frame, clip, line and scene from the cache


def test_one_shot_renders_alone_to_the_clip_the_episode_uses(bench: Bench, tmp_path: Path) -> None:
    alone = render_shot(package(shots=3), "sh2", **bench.options())
    assert alone.frames == 24 and alone.path.is_file()
    rendered = render_episode(package(shots=3), out_dir=tmp_path / "out", **bench.options())
    assert rendered.media["clips"].item("sh2").sha256 == alone.sha256


def test_one_scene_sounds_alone_as_it_does_in_the_episode(bench: Bench, tmp_path: Path) -> None:
    levels = episode_sound_levels(package(shots=2), **bench.options())
    scene = render_scene_sound(package(shots=2), "s1", levels, **bench.options())
    rendered = render_episode(package(shots=2), out_dir=tmp_path / "out", **bench.options())
    episode_music, _ = read_wav(tmp_path / "out" / "ep01.music.wav")
    scene_music, _ = read_wav(scene.stems.music)
    assert (episode_music == scene_music).all()
    assert rendered.output.stem("voice") is not None
    with pytest.raises(InvalidArtifact, match=r"no scene 'nope'.*one of: s1"):
        render_scene_sound(package(shots=2), "nope", levels, **bench.options())


def test_a_stop_drops_the_clips_not_yet_encoded(bench: Bench) -> None:
    stop = threading.Event()
    encoded: list[int] = []

    class StopAfterFirst:
        def total(self, count: int) -> None:
            pass

        def advance(self, count: int = 1) -> None:
            encoded.append(count)
            stop.set()

        def finish(self) -> None:
            pass

    options = bench.options()
    ctx = RenderContext(package(shots=12), **options, cancelled=stop.is_set)
    frames = draw_frames(ctx)
    ctx.progress = StopAfterFirst()
    with pytest.raises(RunStopped, match="was not encoded"):
        encode_clips(ctx, frames)
    assert 1 <= len(encoded) < 12


def test_clips_made_elsewhere_are_taken_and_only_the_others_encoded(bench: Bench) -> None:
    ctx = RenderContext(package(shots=3), **bench.options())
    frames = draw_frames(ctx)
    elsewhere = bench.cache.put_bytes("e" * 64, b"a clip a provider made")
    clips = encode_clips(ctx, frames, made={"sh2": elsewhere})
    assert clips.item("sh2").sha256 == elsewhere
    assert clips.item("sh2").seconds == 1.0  # the shot's locked length, whoever made it
    assert {i.key for i in clips.items} == {"sh1", "sh2", "sh3"}
    assert encode_clips(ctx, frames).item("sh2").sha256 != elsewhere  # its own, when asked
