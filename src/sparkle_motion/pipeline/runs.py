"""Runs of a project: listing and showing them, and recording approvals."""

from __future__ import annotations

from pathlib import Path

from sparkle_motion.pipeline.approvals import record_approval
from sparkle_motion.pipeline.project_folder import STATE_DIR
from sparkle_motion.pipeline.run_folder import RunFolder, run_folders
from sparkle_motion.schemas import RunManifest, RunSummary

__all__ = ["list_runs", "read_manifest", "read_summary", "record_approval"]


def _state_dir(project_dir: Path) -> Path:
    return project_dir.resolve() / STATE_DIR


def read_manifest(project_dir: Path, run_id: str) -> RunManifest:
    return RunFolder.of(_state_dir(project_dir), run_id).read_manifest()


def read_summary(project_dir: Path, run_id: str) -> RunSummary | None:
    return RunFolder.of(_state_dir(project_dir), run_id).read_summary()


def list_runs(project_dir: Path) -> list[RunManifest]:
    return [run.read_manifest() for run in run_folders(_state_dir(project_dir))]
