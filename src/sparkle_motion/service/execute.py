"""Running one job to its next resting point, and what its outcome means for the API.

A job is a run: its id is the run id. A project's episode runs through the
pipeline's Runner (the first attempt starts the run under that id; every
later one, after a pause, a stop or a killed server, resumes it). A
RenderPackage goes to the Video Engine directly (:mod:`.render_job`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sparkle_motion.cache import DEFAULT_MAX_BYTES
from sparkle_motion.errors import ApprovalPending, RunPaused, RunStopped, SparkleError
from sparkle_motion.pipeline.context import Progress, RunControl
from sparkle_motion.pipeline.project_folder import STATE_DIR
from sparkle_motion.pipeline.run_folder import RunFolder
from sparkle_motion.pipeline.runner import Runner, RunOutcome, RunRequest
from sparkle_motion.pipeline.stages import STAGES
from sparkle_motion.registry import Registry
from sparkle_motion.schemas import RenderOutput, RunManifest
from sparkle_motion.service.outcome import Execution, crashed, error_entry, output_entries
from sparkle_motion.service.render_job import execute_package
from sparkle_motion.service.store import Job

if TYPE_CHECKING:
    from celery import Celery

__all__ = ["Execution", "error_entry", "execute", "manifest_of", "run_folder_of"]

ProgressFactory = Callable[[str], Progress]


def run_folder_of(job: Job) -> RunFolder:
    return RunFolder.of(Path(job.project_dir) / STATE_DIR, job.job_id)


def manifest_of(job: Job) -> RunManifest | None:
    run = run_folder_of(job)
    return run.read_manifest() if run.exists() else None


def _request(job: Job) -> RunRequest:
    started = run_folder_of(job).exists()
    return RunRequest(
        project_dir=Path(job.project_dir),
        episode_id=job.spec.episode_id,
        resume=job.job_id if started else None,
        run_id=None if started else job.job_id,
        dry_run=job.spec.mode == "dry",
        profile=job.spec.profile,
    )


def _outputs(outcome: RunOutcome) -> dict[str, object]:
    path = RunFolder(outcome.run_dir).artifact_path("render_output")
    if "render_output" not in outcome.artifacts or not path.is_file():
        return {}
    output = RenderOutput.from_json(path.read_bytes(), source=str(path))
    return output_entries(output, outcome.artifacts["render_output"])


def _register_summary(job: Job, outcome: RunOutcome, database_url: str | None) -> str | None:
    if outcome.summary is None:
        return None
    with Registry.open(Path(job.project_dir) / STATE_DIR, database_url) as registry:
        return registry.put_artifact(outcome.summary, run_id=job.job_id).hash


def execute(
    job: Job,
    *,
    control: RunControl,
    database_url: str | None,
    progress: ProgressFactory,
    cache_max_bytes: int = DEFAULT_MAX_BYTES,
    fleet: Celery | None = None,
) -> Execution:
    """Run (or resume) the job's run to its next resting point (a RenderPackage on the
    ``fleet``'s workers, when there is one)."""
    try:
        if job.spec.package is not None:
            return execute_package(
                job,
                control=control,
                database_url=database_url,
                progress=progress,
                cache_max_bytes=cache_max_bytes,
                fleet=fleet,
            )
        runner = Runner(
            STAGES,
            database_url=database_url,
            progress=progress,
            control=control,
            cache_max_bytes=cache_max_bytes,
        )
        outcome = runner.run(_request(job))
    except SparkleError as exc:
        return Execution("failed", {"errors": [error_entry(exc)]})
    except Exception as exc:
        return crashed(exc)
    return _rest(job, outcome, database_url)


def _rest(job: Job, outcome: RunOutcome, database_url: str | None) -> Execution:
    outputs = _outputs(outcome)
    error = outcome.error
    result: dict[str, object] = {
        "artifacts": dict(outcome.artifacts),
        "outputs": outputs,
        "run_summary": outcome.summary.model_dump(mode="json") if outcome.summary else None,
        "run_summary_hash": _register_summary(job, outcome, database_url),
        "errors": [error_entry(error)] if error is not None else [],
    }
    stage = error.stage if error is not None else None
    if outcome.status == "success":
        output = outputs.get("render_output")
        degraded = isinstance(output, dict) and output.get("status") == "degraded"
        return Execution("degraded" if degraded else "completed", result)
    if isinstance(error, RunPaused):
        return Execution("paused", result, {"reason": "pause", "stage": stage})
    if isinstance(error, ApprovalPending):
        return Execution("paused", result, {"reason": "approval", "stage": stage})
    if isinstance(error, RunStopped):
        return Execution("stopped", result, {"reason": "stop", "stage": stage})
    return Execution("failed", result, {"stage": stage})
