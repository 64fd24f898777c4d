"""Running one job with the pipeline's Runner, and what its outcome means for the API.

A job is a run: its id is the run id. The first attempt starts the run
under that id; every later attempt (after a pause, a stop or a killed
server) resumes it, so finished stages are skipped and per-shot work comes
from the cache.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sparkle_motion.errors import (
    ApprovalPending,
    GateBlocked,
    InputError,
    RunPaused,
    RunStopped,
    SparkleError,
)
from sparkle_motion.pipeline.context import Progress, RunControl
from sparkle_motion.pipeline.project_folder import STATE_DIR
from sparkle_motion.pipeline.runner import Runner, RunOutcome, RunRequest
from sparkle_motion.pipeline.stages import STAGES, VIDEO_ENGINE_STAGES
from sparkle_motion.registry import Registry
from sparkle_motion.schemas import RenderOutput, RunManifest
from sparkle_motion.service.packages import seeds_from_spec
from sparkle_motion.service.store import Job

__all__ = ["Execution", "error_entry", "execute", "manifest_of", "run_dir_of"]

ProgressFactory = Callable[[str], Progress]


@dataclass
class Execution:
    status: str
    result: dict[str, Any] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)


def run_dir_of(job: Job) -> Path:
    return Path(job.project_dir) / STATE_DIR / "runs" / job.job_id


def manifest_of(job: Job) -> RunManifest | None:
    path = run_dir_of(job) / "manifest.json"
    if not path.is_file():
        return None
    return RunManifest.from_json(path.read_bytes(), source=str(path))


def error_entry(error: SparkleError, stage: str | None = None) -> dict[str, Any]:
    where = error.where or ""
    if where.startswith("stage "):
        stage = where.removeprefix("stage ")
    return {
        "code": error.code,
        "message": error.message,
        "stage": stage,
        "recoverable": not isinstance(error, InputError | GateBlocked),
    }


def _request(job: Job) -> RunRequest:
    spec = job.spec
    started = (run_dir_of(job) / "manifest.json").is_file()
    return RunRequest(
        project_dir=Path(job.project_dir),
        episode_id=spec.get("episode_id"),
        resume=job.job_id if started else None,
        run_id=None if started else job.job_id,
        dry_run=spec.get("mode") == "dry",
        profile=spec.get("profile"),
        seeds=seeds_from_spec(spec) if "seeds" in spec else None,
    )


def _outputs(outcome: RunOutcome) -> dict[str, dict[str, str]]:
    path = outcome.run_dir / "artifacts" / "render_output.json"
    if "render_output" not in outcome.artifacts or not path.is_file():
        return {}
    output = RenderOutput.from_json(path.read_bytes(), source=str(path))
    files = {
        "video": output.video,
        "captions_srt": output.captions_srt,
        "captions_vtt": output.captions_vtt,
        **{f"stem_{n}": f for n, f in zip(("voice", "music"), output.stems, strict=False)},
    }
    outputs = {
        name: {"sha256": f.sha256, "uri": f.uri, "media_type": f.media_type}
        for name, f in files.items()
    }
    outputs["render_output"] = {
        "sha256": outcome.artifacts["render_output"],
        "uri": "render_output.json",
        "media_type": "application/json",
        "status": output.status,
    }
    return outputs


def _register_summary(job: Job, outcome: RunOutcome, database_url: str | None) -> str | None:
    if outcome.summary is None:
        return None
    with Registry.open(Path(job.project_dir) / STATE_DIR, database_url) as registry:
        return registry.put_bytes(
            outcome.summary.to_json(),
            kind=outcome.summary.KIND,
            schema_version=outcome.summary.schema_version,
            run_id=job.job_id,
        ).hash


def _last_stage(job: Job) -> str | None:
    manifest = manifest_of(job)
    return manifest.events[-1].stage if manifest and manifest.events else None


def execute(
    job: Job,
    *,
    control: RunControl,
    database_url: str | None,
    progress: ProgressFactory,
) -> Execution:
    """Run (or resume) the job's run to its next resting point."""
    stages = VIDEO_ENGINE_STAGES if "seeds" in job.spec else STAGES
    try:
        outcome = Runner(stages, database_url=database_url, progress=progress, control=control).run(
            _request(job)
        )
    except SparkleError as exc:
        return Execution("failed", {"errors": [error_entry(exc)]})
    except Exception as exc:  # the job fails; the server and its other jobs go on
        crash = {
            "code": "SM000",
            "message": f"unexpected {type(exc).__name__}: {exc}",
            "stage": None,
            "recoverable": True,
            "traceback": traceback.format_exc(limit=5),
        }
        return Execution("failed", {"errors": [crash]})
    outputs = _outputs(outcome)
    result: dict[str, Any] = {
        "artifacts": dict(outcome.artifacts),
        "outputs": outputs,
        "run_summary": outcome.summary.model_dump(mode="json") if outcome.summary else None,
        "run_summary_hash": _register_summary(job, outcome, database_url),
        "errors": [],
    }
    error = outcome.error
    stage = _last_stage(job)
    if error is not None:
        result["errors"] = [error_entry(error, stage)]
    if outcome.status == "success":
        rendered = outputs.get("render_output", {}).get("status")
        return Execution("degraded" if rendered == "degraded" else "completed", result)
    if isinstance(error, RunPaused):
        return Execution("paused", result, {"reason": "pause", "stage": stage})
    if isinstance(error, ApprovalPending):
        return Execution("paused", result, {"reason": "approval", "stage": stage})
    if isinstance(error, RunStopped):
        return Execution("stopped", result, {"reason": "stop", "stage": stage})
    return Execution("failed", result, {"stage": stage})
