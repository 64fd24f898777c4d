"""What a run is asked to do, what it carries from stage to stage, and how it ended."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sparkle_motion.cache import BlobCache
from sparkle_motion.errors import SparkleError
from sparkle_motion.pipeline.project_folder import ProjectFolder
from sparkle_motion.pipeline.run_folder import RunFolder
from sparkle_motion.registry import Registry
from sparkle_motion.schemas import Artifact, ModelUsage, RenderProfile, RunManifest, RunSummary

__all__ = ["Available", "RunOutcome", "RunRequest", "RunState"]


@dataclass(frozen=True)
class RunRequest:
    project_dir: Path
    episode_id: str | None = None
    resume: str | None = None
    dry_run: bool = False
    profile: str | None = None
    run_id: str | None = None  # a new run's id, when the caller must know it up front


@dataclass
class RunOutcome:
    run_id: str
    status: str
    run_dir: Path
    artifacts: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, Path] = field(default_factory=dict)
    summary: RunSummary | None = None
    error: SparkleError | None = None


@dataclass(frozen=True)
class _Held:
    artifact: Artifact
    sha256: str


class Available:
    """The artifacts a run has so far, by name, each with its registry hash."""

    def __init__(self) -> None:
        self._held: dict[str, _Held] = {}

    def put(self, name: str, artifact: Artifact, sha256: str) -> None:
        self._held[name] = _Held(artifact, sha256)

    def __contains__(self, name: object) -> bool:
        return name in self._held

    def artifact(self, name: str) -> Artifact:
        return self._held[name].artifact

    def get(self, name: str) -> Artifact | None:
        held = self._held.get(name)
        return None if held is None else held.artifact

    def hash(self, name: str) -> str:
        return self._held[name].sha256

    def hashes(self) -> dict[str, str]:
        return {name: held.sha256 for name, held in self._held.items()}


@dataclass
class RunState:
    """Everything one run carries from stage to stage."""

    folder: ProjectFolder
    episode_id: str
    source: Path
    profile: RenderProfile
    run: RunFolder
    registry: Registry
    cache: BlobCache
    manifest: RunManifest
    resuming: bool
    dry_run: bool = False
    available: Available = field(default_factory=Available)
    usage: list[ModelUsage] = field(default_factory=list)

    @property
    def run_id(self) -> str:
        return self.run.run_id

    def output_paths(self) -> dict[str, Path]:
        """Where the delivered files are, once the run has its RenderOutput."""
        output = self.available.get("render_output")
        if output is None:
            return {}
        paths = {
            name: self.run.output_dir / getattr(output, name).uri
            for name in ("video", "captions_srt", "captions_vtt")
        }
        paths["render_output"] = self.run.artifact_path("render_output")
        return paths
