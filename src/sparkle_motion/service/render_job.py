"""A RenderPackage job: the Video Engine called directly, its steps kept in the run folder.

No pipeline stages run: the job's package goes to :func:`.render.engine.render_episode`
with the tenant's workspace as the media source, its cache, and its registry
as the output store. Each step's begin and end land in the run folder's
manifest (what ``/status`` shows) and in the job's events (what the event
stream sends). A pause or stop takes effect before the next step; running the
job again goes on, with everything already made coming from the cache.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sparkle_motion.cache import DEFAULT_MAX_BYTES, BlobCache
from sparkle_motion.errors import GateBlocked, MediaError, RunPaused, RunStopped, SparkleError
from sparkle_motion.pipeline.context import Progress, RunControl
from sparkle_motion.pipeline.project_folder import STATE_DIR
from sparkle_motion.pipeline.resume import media_present
from sparkle_motion.pipeline.run_folder import RunFolder, keep_artifact
from sparkle_motion.registry import Registry, RegistryOutputs
from sparkle_motion.render.engine import (
    GIVABLE_STEPS,
    STEP_OUTPUTS,
    EpisodeRender,
    render_episode,
)
from sparkle_motion.render.media import FolderMedia
from sparkle_motion.render.package import RenderPackage
from sparkle_motion.schemas import (
    Artifact,
    Checkpoint,
    MediaSet,
    RenderOutput,
    RunManifest,
    RunSummary,
    StageSummary,
)
from sparkle_motion.service.outcome import Execution, error_entry, output_entries
from sparkle_motion.service.store import Job

if TYPE_CHECKING:
    from celery import Celery

__all__ = ["execute_package"]

ProgressFactory = Callable[[str], Progress]
Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _Steps:
    """The engine's observer for one job: control, events, checkpoints, timings, cache counts.

    Each finished step's output is stored in the registry and checkpointed in
    the run folder, so the next attempt hands it back to the engine as given.
    """

    def __init__(
        self,
        run: RunFolder,
        manifest: RunManifest,
        control: RunControl,
        progress: ProgressFactory,
        cache: BlobCache,
        registry: Registry,
        clock: Clock,
    ) -> None:
        self.run, self.manifest, self.control = run, manifest, control
        self.progress, self.cache, self.registry, self.clock = progress, cache, registry, clock
        self.hashes: dict[str, str] = {}
        self.summaries: list[StageSummary] = []
        self._open: str | None = None  # the step begun and not yet ended
        self._started = 0.0
        self._counts = (0, 0)

    def _event(self, step: str, event: str, detail: str = "") -> None:
        self.manifest = self.run.add_event(
            self.manifest, at=self.clock(), stage=step, event=event, detail=detail
        )

    def begin(self, step: str) -> Progress:
        self.control.honour(step, self.run.run_id, lambda event, why: self._event(step, event, why))
        self._event(step, "begin")
        self._open = step
        self._started = time.monotonic()
        self._counts = (self.cache.hits, self.cache.misses)
        return self.progress(step)

    def _summary(self, step: str, status: str, error: str | None = None) -> StageSummary:
        return StageSummary.model_validate(
            {
                "stage": step,
                "status": status,
                "attempts": 1,
                "wall_seconds": round(time.monotonic() - self._started, 3),
                "cache_hits": self.cache.hits - self._counts[0],
                "cache_misses": self.cache.misses - self._counts[1],
                "error": error,
            }
        )

    def skipped(self, step: str) -> None:
        self._event(step, "skipped", "finished by an earlier attempt")
        self.summaries.append(StageSummary(stage=step, status="skipped"))

    def success(self, step: str, notes: Sequence[str], output: Artifact) -> None:
        self._open = None
        name = STEP_OUTPUTS[step]
        self.hashes.update({name: keep_artifact(self.registry, self.run, name, output)})
        self.run.write_checkpoint(
            Checkpoint.new(
                stage=step, status="success", attempt=1, output_hashes={name: self.hashes[name]}
            )
        )
        self._event(step, "success", "; ".join(notes))
        self.summaries.append(self._summary(step, "success"))

    def success_note(self, step: str, detail: str) -> None:
        """A step that leaves no media set of its own ended well (the fleet's)."""
        self._open = None
        self._event(step, "success", detail)
        self.summaries.append(self._summary(step, "success"))

    def failure(self, step: str, error: SparkleError) -> None:
        if self._open != step:
            return  # refused before the step began, and recorded then
        self._open = None
        blocked = isinstance(error, GateBlocked)
        self._event(step, "blocked" if blocked else "failed", error.one_line())
        self.summaries.append(
            self._summary(step, "blocked" if blocked else "failed", error.one_line())
        )


def _given(run: RunFolder, registry: Registry, cache: BlobCache) -> dict[str, MediaSet]:
    """The media sets earlier attempts finished, when their files are all still there."""
    given: dict[str, MediaSet] = {}
    for step in GIVABLE_STEPS:
        checkpoint = run.read_checkpoint(step)
        name = STEP_OUTPUTS[step]
        sha = checkpoint.output_hashes.get(name) if checkpoint else None
        if checkpoint is None or checkpoint.status != "success" or not sha:
            break
        try:
            media = MediaSet.from_json(registry.get_bytes(sha), source=f"{step} {sha[:12]}")
        except SparkleError:
            break
        if not media_present(media, cache, registry):
            break  # evicted or deleted: that step and the ones after it run again
        given[name] = media
    return given


def execute_package(
    job: Job,
    *,
    control: RunControl,
    database_url: str | None,
    progress: ProgressFactory,
    cache_max_bytes: int = DEFAULT_MAX_BYTES,
    clock: Clock = _utc_now,
    fleet: Celery | None = None,
) -> Execution:
    """Render (or go on rendering) the job's package to its next resting point: in this
    process, or, with a ``fleet``, as a fan-out of its shots to the workers and a fan-in
    to assembly on one of them."""
    if job.spec.package is None:
        raise ValueError(f"job {job.job_id} holds no render package")
    package: RenderPackage = job.spec.package.package()
    workspace = job.project_dir_path
    state_dir = workspace / STATE_DIR
    run = RunFolder.of(state_dir, job.job_id)
    run.root.mkdir(parents=True, exist_ok=True)
    manifest = (
        run.read_manifest().model_copy(update={"status": "running"})
        if run.exists()
        else RunManifest.new(
            run_id=job.job_id,
            project_dir=str(workspace),
            episode_id=package.episode_id,
            profile=package.render_plan.profile.name,
        )
    )
    run.write_manifest(manifest)
    started_at, started = clock(), time.monotonic()
    cache = BlobCache(state_dir / "cache", max_bytes=cache_max_bytes)
    error: SparkleError | None = None
    rendered: EpisodeRender | None = None
    output: RenderOutput | None = None
    with Registry.open(state_dir, database_url) as registry:
        steps = _Steps(run, manifest, control, progress, cache, registry, clock)
        artifacts = {
            name: keep_artifact(registry, run, name, getattr(package, name))
            for name in ("shotlist", "asset_manifest", "render_plan")
        }
        try:
            if fleet is not None:
                output = _on_fleet(fleet, package, job, run, steps, control, database_url)
                artifacts["render_output"] = output.content_hash()
            else:
                with run.logger("engine", tenant_id=job.tenant_id) as log:
                    rendered = render_episode(
                        package,
                        media=FolderMedia(workspace, cache),
                        cache=cache,
                        store=RegistryOutputs(registry, job.job_id),
                        work_dir=run.root / "work",
                        out_dir=run.output_dir,
                        observer=steps,
                        log=log,
                        cancelled=control.cancelled,
                        given=_given(run, registry, cache),
                    )
        except SparkleError as exc:
            error = exc
        artifacts.update(steps.hashes)
        status = _status(error)
        steps.manifest = steps.manifest.model_copy(update={"status": status})
        run.write_manifest(steps.manifest)
        summary = RunSummary.new(
            run_id=job.job_id,
            episode_id=package.episode_id,
            status=status,
            started_at=started_at.isoformat(timespec="milliseconds"),
            finished_at=clock().isoformat(timespec="milliseconds"),
            wall_seconds=round(time.monotonic() - started, 3),
            stages=steps.summaries,
            errors=[error.one_line()] if error else [],
        )
        run.write_summary(summary)
        summary_hash = registry.put_artifact(summary, run_id=job.job_id).hash
    cache.evict()
    if rendered is not None:
        output = rendered.output
    return _execution(error, output, artifacts, summary, summary_hash)


_FLEET_POLL_SECONDS = 0.05


def _on_fleet(
    fleet: Celery,
    package: RenderPackage,
    job: Job,
    run: RunFolder,
    steps: _Steps,
    control: RunControl,
    database_url: str | None,
) -> RenderOutput:
    """The package rendered by the fleet's workers into this job's run folder; its output.

    Waiting is done here, in the service's own thread, never in a worker: a pause
    or stop asked meanwhile takes effect once the workers' tasks end (they are
    idempotent, so going on later finds their work in the cache).
    """
    from sparkle_motion.workers.app import release_results
    from sparkle_motion.workers.fanout import submit_package

    steps.begin("fleet")
    result = submit_package(
        fleet,
        package,
        job.project_dir_path,
        run.output_dir,
        run_id=job.job_id,
        database_url=database_url,
    )
    try:
        while not result.ready():
            time.sleep(_FLEET_POLL_SECONDS)
        done = result.get(propagate=True)
    except Exception as exc:  # the task's failure, as Celery hands it back
        failed = MediaError(
            f"the fleet could not render the package: {exc}",
            where=f"run {job.job_id}",
            hint="the workers' logs name the task; resume the run to try again",
            stage="fleet",
        )
        steps.failure("fleet", failed)
        raise failed from None
    finally:
        release_results(fleet)  # this pool thread's; the next job opens its own
    data = steps.registry.get_bytes(done["render_output"])
    output = RenderOutput.from_json(data, source=f"render_output {done['render_output'][:12]}")
    run.write_artifact("render_output", data)
    steps.success_note("fleet", f"{done['shots']} shots on {len(done['processes'])} workers")
    return output


def _status(error: SparkleError | None) -> str:
    if error is None:
        return "success"
    if isinstance(error, RunPaused):
        return "paused"
    return "blocked" if isinstance(error, GateBlocked) else "failed"


def _execution(
    error: SparkleError | None,
    output: RenderOutput | None,
    artifacts: dict[str, str],
    summary: RunSummary,
    summary_hash: str,
) -> Execution:
    result = {
        "artifacts": artifacts,
        "outputs": output_entries(output, artifacts.get("render_output")),
        "run_summary": summary.model_dump(mode="json"),
        "run_summary_hash": summary_hash,
        "errors": [error_entry(error)] if error else [],
    }
    stage = error.stage if error else None
    if error is None:
        done = output is not None and output.status == "degraded"
        return Execution("degraded" if done else "completed", result)
    if isinstance(error, RunPaused):
        return Execution("paused", result, {"reason": "pause", "stage": stage})
    if isinstance(error, RunStopped):
        return Execution("stopped", result, {"reason": "stop", "stage": stage})
    return Execution("failed", result, {"stage": stage})
