"""Runs of a project: listing, showing, and recording approvals."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sparkle_motion.errors import InputError, MissingInput
from sparkle_motion.pipeline.atomic import write_atomic
from sparkle_motion.pipeline.project_folder import STATE_DIR
from sparkle_motion.pipeline.stages.canon_gate import settle_canon_diff
from sparkle_motion.schemas import (
    HUMAN_CHECKPOINTS,
    Approval,
    Checkpoint,
    RunManifest,
    RunSummary,
)

__all__ = ["list_runs", "read_manifest", "read_summary", "record_approval"]


def _runs_dir(project_dir: Path) -> Path:
    return project_dir.resolve() / STATE_DIR / "runs"


def read_manifest(project_dir: Path, run_id: str) -> RunManifest:
    path = _runs_dir(project_dir) / run_id / "manifest.json"
    if not path.is_file():
        raise MissingInput(
            f"no run {run_id!r}",
            where=str(project_dir),
            hint=f"list runs with: sparkle-motion runs list {project_dir}",
        )
    return RunManifest.from_json(path.read_bytes(), source=str(path))


def read_summary(project_dir: Path, run_id: str) -> RunSummary | None:
    path = _runs_dir(project_dir) / run_id / "run_summary.json"
    if not path.is_file():
        return None
    return RunSummary.from_json(path.read_bytes(), source=str(path))


def list_runs(project_dir: Path) -> list[RunManifest]:
    folder = _runs_dir(project_dir)
    if not folder.is_dir():
        return []
    return [
        read_manifest(project_dir, entry.name)
        for entry in sorted(folder.iterdir())
        if (entry / "manifest.json").is_file()
    ]


def record_approval(
    project_dir: Path,
    run_id: str,
    checkpoint: str,
    *,
    by: str,
    approve: bool = True,
    notes: str = "",
    now: datetime | None = None,
    database_url: str | None = None,
) -> Approval:
    """Approve (or reject) what a paused run waits for; resuming the run continues it.

    A decision on ``approve_canon_diff`` is recorded in the canon store first (in
    ``database_url``, default: the configured one); approval writes the new snapshot.
    """
    if checkpoint not in HUMAN_CHECKPOINTS:
        raise InputError(
            f"unknown checkpoint {checkpoint!r}", hint=f"one of: {', '.join(HUMAN_CHECKPOINTS)}"
        )
    if not by.strip():
        raise InputError("an approval needs the approver's name", hint="pass --by NAME")
    manifest = read_manifest(project_dir, run_id)
    paused = [e for e in manifest.events if e.event == "paused" and checkpoint in e.detail]
    if not paused:
        raise InputError(f"run {run_id} is not waiting for {checkpoint}", where=str(project_dir))
    stage = paused[-1].stage
    checkpoint_file = _runs_dir(project_dir) / run_id / "checkpoints" / f"{stage}.json"
    saved = Checkpoint.from_json(checkpoint_file.read_bytes(), source=str(checkpoint_file))
    approval = Approval(
        checkpoint=checkpoint,
        decision="approved" if approve else "rejected",
        by=by.strip(),
        at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        notes=notes,
        subject_hash=next(iter(saved.output_hashes.values()), ""),
    )
    if checkpoint == "approve_canon_diff":  # the decision changes the canon store first
        settle_canon_diff(project_dir, run_id, approval, database_url)
    manifest = manifest.model_copy(update={"approvals": [*manifest.approvals, approval]})
    write_atomic(_runs_dir(project_dir) / run_id / "manifest.json", manifest.to_json())
    return approval
