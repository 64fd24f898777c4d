"""What a stage receives and what it returns."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sparkle_motion.cache import BlobCache
from sparkle_motion.errors import RunPaused, RunStopped
from sparkle_motion.pipeline.project_folder import ProjectFolder
from sparkle_motion.pipeline.run_folder import RunFolder
from sparkle_motion.registry import Registry
from sparkle_motion.render.context import Log, Progress, never
from sparkle_motion.schemas import Artifact, ModelUsage, Project, RenderProfile

__all__ = [
    "Log",
    "Progress",
    "RunControl",
    "StageContext",
    "StageFunction",
    "StageResult",
    "StageSpec",
]

A = TypeVar("A", bound=Artifact)


class RunControl:
    """Requests made from outside a live run; the runner honours them at stage boundaries.

    A pause ends the run as ``paused`` before its next stage (``--resume`` goes on);
    a stop ends it as ``failed`` before its next stage, and stages that fan out
    per-shot work poll :meth:`cancelled` so work not yet started is dropped.
    """

    def __init__(self) -> None:
        self.pause_requested = threading.Event()
        self.stop_requested = threading.Event()

    def cancelled(self) -> bool:
        return self.stop_requested.is_set()

    def honour(self, stage: str, run_id: str, record: Callable[[str, str], None]) -> None:
        """Before ``stage``: a stop or pause asked for takes effect here; ``record`` hears the
        event (``failed`` or ``paused``) and its detail before the run ends."""
        if self.stop_requested.is_set():
            record("failed", "stopped on request before this stage")
            raise RunStopped(
                f"the run was stopped on request before stage {stage}",
                where=f"run {run_id}",
                hint="resume it to go on from this stage, or start a new run",
                stage=stage,
            )
        if self.pause_requested.is_set():
            record("paused", "paused on request before this stage")
            raise RunPaused(
                f"the run was paused on request before stage {stage}",
                where=f"run {run_id}",
                hint="resume it to go on from this stage",
                stage=stage,
            )


@dataclass
class StageContext:
    stage: str
    run_id: str
    folder: ProjectFolder
    episode_id: str
    episode_source: Path
    profile: RenderProfile
    run: RunFolder
    registry: Registry
    cache: BlobCache
    inputs: Mapping[str, Artifact]
    input_hashes: Mapping[str, str]
    progress: Progress
    log: Log
    cancelled: Callable[[], bool] = never
    dry_run: bool = False  # plan only: a stage must leave durable state (the canon) alone
    # What the stage spent on language models; the runner adds it to the run summary,
    # also when the stage fails.
    usage: list[ModelUsage] = field(default_factory=list)

    @property
    def project(self) -> Project:
        return self.folder.project

    @property
    def work_dir(self) -> Path:
        return self.run.work_dir(self.stage)

    def input(self, name: str, kind: type[A]) -> A:
        value = self.inputs[name]
        if not isinstance(value, kind):
            raise TypeError(f"input {name!r} is a {type(value).__name__}, not {kind.__name__}")
        return value


@dataclass
class StageResult:
    outputs: dict[str, Artifact]
    cache_hits: int = 0
    cache_misses: int = 0
    blocked: str | None = None
    notes: list[str] = field(default_factory=list)


StageFunction = Callable[[StageContext], StageResult]


@dataclass(frozen=True)
class StageSpec:
    name: str
    run: StageFunction
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    # What the stage's code is, for resume: by default the fingerprint of its module's code.
    version: str | None = None
    # Outputs a stage makes for some inputs only (the write stage's story_arc and
    # episode_plan, for ideas): stored when present, never required.
    optional_outputs: tuple[str, ...] = ()
    uses_canon: bool = False
    approval: str | None = None
    # Whether the stage's first output needs the approval at all (default: always).
    wants_approval: Callable[[ProjectFolder, Registry, Artifact], bool] | None = None
    renders: bool = True
