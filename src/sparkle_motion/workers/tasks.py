"""The tasks: a shot's clip, the episode's speech, and the assembly that gathers them.

Each takes the shared workspace (a folder every worker sees, with its
``.sparkle`` cache and registry) and the content hashes of the package's
three artifacts in that registry; each is idempotent: what it makes goes to
the workspace's cache under content keys, so a task run twice (its worker
killed after the work, before the acknowledgement) finds its work done.
Only transient failures are retried; everything else fails the task with
the error's code and message.
"""

from __future__ import annotations

import functools
import os
import signal
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sparkle_motion.atomic import write_atomic
from sparkle_motion.cache import BlobCache
from sparkle_motion.errors import ProviderTransient, SparkleError
from sparkle_motion.registry import Registry, RegistryOutputs
from sparkle_motion.render.engine import episode_sound_levels, render_episode, render_shot
from sparkle_motion.render.media import FolderMedia
from sparkle_motion.render.package import RenderPackage
from sparkle_motion.schemas import AssetManifest, RenderPlan, ShotList
from sparkle_motion.settings import Settings, load_settings

__all__ = [
    "PACKAGE_PARTS",
    "STATE_DIR",
    "TRANSIENT",
    "TaskFailed",
    "assemble",
    "render_shot_task",
    "speak",
]

STATE_DIR = ".sparkle"  # a workspace's state folder (the pipeline's name for it)
PACKAGE_PARTS = ("shotlist", "asset_manifest", "render_plan")
FAILPOINT_ENV = "SPARKLE_WORKER_FAILPOINT"


class TaskFailed(Exception):
    """A task's failure as the caller sees it: the Sparkle error's code and one line."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


@dataclass
class _Workspace:
    """What a worker process keeps of a workspace between tasks: its registry and cache,
    and the packages it has read (a package is its content hashes: it never goes stale)."""

    root: Path
    registry: Registry
    cache: BlobCache
    media: FolderMedia
    packages: dict[tuple[str, ...], RenderPackage]

    def package(self, hashes: Mapping[str, str]) -> RenderPackage:
        key = tuple(hashes[name] for name in PACKAGE_PARTS)
        package = self.packages.get(key)
        if package is None:
            shotlist, manifest, plan = (self.registry.get_bytes(sha) for sha in key)
            package = RenderPackage.of(
                ShotList.from_json(shotlist),
                AssetManifest.from_json(manifest),
                RenderPlan.from_json(plan),
            )
            if len(self.packages) >= _KEPT_PACKAGES:
                self.packages.clear()
            self.packages[key] = package
        return package

    def engine(self, run_id: str, step: str) -> dict[str, Any]:
        """What the engine is given for one task of a run: media, cache, store, work folder."""
        return {
            "media": self.media,
            "cache": self.cache,
            "store": RegistryOutputs(self.registry, run_id),
            "work_dir": self.root / STATE_DIR / "work" / "fleet" / run_id / step,
        }


_OPEN: dict[Path, _Workspace] = {}
_KEPT_PACKAGES = 64


@functools.cache
def _settings() -> Settings:
    return load_settings()  # a worker's environment is fixed for its life


def _workspace(workspace: str) -> _Workspace:
    root = Path(workspace).resolve()
    kept = _OPEN.get(root)
    if kept is None:
        settings = _settings()
        state = root / STATE_DIR
        cache = BlobCache(state / "cache", max_bytes=settings.cache_max_bytes)
        registry = Registry.open(state, settings.database_url)
        kept = _OPEN[root] = _Workspace(root, registry, cache, FolderMedia(root, cache), {})
    return kept


def _failpoint(workspace: Path, shot_id: str) -> None:
    """Test hook: ``SPARKLE_WORKER_FAILPOINT=<shot id>`` SIGKILLs the process running that
    shot's task, the first time only (a marker in the workspace remembers it)."""
    if os.environ.get(FAILPOINT_ENV) != shot_id:
        return
    marker = workspace / STATE_DIR / "failpoints" / shot_id
    if marker.exists():
        return
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
    os.kill(os.getpid(), signal.SIGKILL)


@contextmanager
def _classed() -> Iterator[None]:
    """A Sparkle error leaves the task as TaskFailed (its code kept); others as they are."""
    try:
        yield
    except ProviderTransient:
        raise
    except SparkleError as exc:
        raise TaskFailed(exc.code, exc.one_line()) from None


TRANSIENT: tuple[type[Exception], ...] = (ProviderTransient,)
"""What a task is retried for (with the broker's own connection errors)."""


def render_shot_task(
    workspace: str, hashes: dict[str, str], run_id: str, shot_id: str
) -> dict[str, Any]:
    """The shot's frame and clip, in the workspace's cache: its id, clip hash and frames."""
    _failpoint(Path(workspace), shot_id)
    with _classed():
        ws = _workspace(workspace)
        clip = render_shot(ws.package(hashes), shot_id, **ws.engine(run_id, shot_id))
    return {
        "shot_id": clip.shot_id,
        "sha256": clip.sha256,
        "frames": clip.frames,
        "process": os.getpid(),
    }


def speak(workspace: str, hashes: dict[str, str], run_id: str) -> dict[str, Any]:
    """Every line's speech (in the cache), and the levels the episode is mixed at."""
    with _classed():
        ws = _workspace(workspace)
        levels = episode_sound_levels(ws.package(hashes), **ws.engine(run_id, "voice"))
    return {"reference": levels.reference, "gain_db": levels.gain_db}


def assemble(
    made: list[dict[str, Any]], workspace: str, hashes: dict[str, str], run_id: str, out_dir: str
) -> dict[str, Any]:
    """The fan-in: the episode from the clips and speech the other tasks made (all from the
    cache now), its files in ``out_dir`` and its RenderOutput in the registry."""
    with _classed():
        ws = _workspace(workspace)
        rendered = render_episode(
            ws.package(hashes), out_dir=Path(out_dir), **ws.engine(run_id, "episode")
        )
        output_hash = ws.registry.put_artifact(rendered.output, run_id=run_id).hash
        write_atomic(Path(out_dir) / "render_output.json", rendered.output.to_json())
    shots = [part for part in made if "shot_id" in part]
    return {
        "render_output": output_hash,
        "status": rendered.output.status,
        "video": str(rendered.files["video"]),
        "shots": len(shots),
        "processes": sorted({part["process"] for part in shots}),
    }
