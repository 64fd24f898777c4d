"""A run's folder, ``.sparkle/runs/<run_id>/``: the one place that knows its layout.

::

    manifest.json             the run's events, approvals and what it waits for
    checkpoints/<stage>.json  each stage's status, attempt, input and output hashes
    artifacts/<name>.json     the chain's artifacts, canonical JSON
    logs/<stage>.jsonl        structured logs, one file per stage
    output/                   the delivered files (video, captions, stems)
    work/<stage>/             scratch
    run_summary.json          times, attempts, cache counts and costs

Every document is written atomically; readers get the old one or the new one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sparkle_motion.atomic import write_atomic
from sparkle_motion.errors import MissingInput, SparkleError
from sparkle_motion.pipeline.logs import stage_logger
from sparkle_motion.registry import Registry
from sparkle_motion.schemas import Artifact, Checkpoint, RunManifest, RunSummary, StageEvent

__all__ = ["RUNS_DIR", "RunFolder", "keep_artifact", "run_folders"]

RUNS_DIR = "runs"


class RunFolder:
    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def of(cls, state_dir: Path, run_id: str) -> RunFolder:
        """The folder of run ``run_id`` in a project's (or a workspace's) state folder."""
        return cls(state_dir / RUNS_DIR / run_id)

    @property
    def run_id(self) -> str:
        return self.root.name

    # -- layout ----------------------------------------------------------------------------

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    @property
    def summary_path(self) -> Path:
        return self.root / "run_summary.json"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    def checkpoint_path(self, stage: str) -> Path:
        return self.root / "checkpoints" / f"{stage}.json"

    def artifact_path(self, name: str) -> Path:
        return self.root / "artifacts" / f"{name}.json"

    def log_path(self, stage: str) -> Path:
        return self.root / "logs" / f"{stage}.jsonl"

    def work_dir(self, stage: str) -> Path:
        path = self.root / "work" / stage
        path.mkdir(parents=True, exist_ok=True)
        return path

    # -- documents -------------------------------------------------------------------------

    def exists(self) -> bool:
        return self.manifest_path.is_file()

    def read_manifest(self) -> RunManifest:
        path = self.manifest_path
        if not path.is_file():
            raise MissingInput(
                f"no run {self.run_id!r}",
                where=str(path.parent.parent),
                hint="list runs with: sparkle-motion runs list PROJECT_DIR",
            )
        return RunManifest.from_json(path.read_bytes(), source=str(path))

    def write_manifest(self, manifest: RunManifest) -> None:
        write_atomic(self.manifest_path, manifest.to_json())

    def add_event(
        self,
        manifest: RunManifest,
        *,
        at: datetime,
        stage: str,
        event: str,
        attempt: int = 1,
        detail: str = "",
    ) -> RunManifest:
        """``manifest`` with one more event, written; the new manifest."""
        entry = StageEvent.model_validate(
            {
                "at": at.isoformat(timespec="milliseconds"),
                "stage": stage,
                "event": event,
                "attempt": attempt,
                "detail": detail,
            }
        )
        updated = manifest.model_copy(update={"events": [*manifest.events, entry]})
        self.write_manifest(updated)
        return updated

    def read_checkpoint(self, stage: str) -> Checkpoint | None:
        """The stage's checkpoint; None when there is none or it does not read."""
        path = self.checkpoint_path(stage)
        try:
            return Checkpoint.from_json(path.read_bytes(), source=str(path))
        except (OSError, SparkleError):
            return None

    def write_checkpoint(self, checkpoint: Checkpoint) -> None:
        write_atomic(self.checkpoint_path(checkpoint.stage), checkpoint.to_json())

    def write_artifact(self, name: str, data: bytes) -> Path:
        path = self.artifact_path(name)
        write_atomic(path, data)
        return path

    def read_summary(self) -> RunSummary | None:
        path = self.summary_path
        if not path.is_file():
            return None
        return RunSummary.from_json(path.read_bytes(), source=str(path))

    def write_summary(self, summary: RunSummary) -> None:
        write_atomic(self.summary_path, summary.to_json())

    @contextmanager
    def logger(self, stage: str, **bound: Any) -> Iterator[Any]:
        """The stage's structured log (JSON lines, appended)."""
        with stage_logger(self.log_path(stage), run_id=self.run_id, stage=stage, **bound) as log:
            yield log


def keep_artifact(
    registry: Registry,
    run: RunFolder,
    name: str,
    artifact: Artifact,
    *,
    parents: Sequence[str] = (),
    params: Mapping[str, Any] | None = None,
) -> str:
    """Store ``artifact`` in the registry under the run and write it to the run folder; its hash."""
    record = registry.put_artifact(artifact, parents=parents, params=params, run_id=run.run_id)
    run.write_artifact(name, artifact.to_json())
    return record.hash


def run_folders(state_dir: Path) -> list[RunFolder]:
    """Every run in a state folder that has a manifest, oldest id first."""
    folder = state_dir / RUNS_DIR
    if not folder.is_dir():
        return []
    return [
        RunFolder(entry)
        for entry in sorted(folder.iterdir())
        if (entry / "manifest.json").is_file()
    ]
