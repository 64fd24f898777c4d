"""The stage runner: one stage after another, each a durable checkpoint.

The runner, never a stage, writes the run folder's checkpoints and manifest
(atomically, :mod:`.run_folder`), stores every artifact in the registry with
its parents, retries transient failures, pauses at human checkpoints
(:mod:`.approvals`), skips on resume what still stands (:mod:`.resume`), and
writes ``run_summary.json`` at the end of every run, successful or not.
"""

from __future__ import annotations

import os
import secrets
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from sparkle_motion.cache import DEFAULT_MAX_BYTES, BlobCache
from sparkle_motion.errors import (
    ApprovalPending,
    GateBlocked,
    RunPaused,
    SparkleError,
    StageError,
    TransientError,
)
from sparkle_motion.fingerprint import code_fingerprint
from sparkle_motion.pipeline.approvals import await_approval
from sparkle_motion.pipeline.context import (
    Log,
    Progress,
    RunControl,
    StageContext,
    StageResult,
    StageSpec,
)
from sparkle_motion.pipeline.failpoint import FAILPOINT_ENV, Failpoint
from sparkle_motion.pipeline.project_folder import ProjectFolder, load_project
from sparkle_motion.pipeline.resume import reopen_manifest, try_skip
from sparkle_motion.pipeline.run_folder import RunFolder, keep_artifact
from sparkle_motion.pipeline.run_state import RunOutcome, RunRequest, RunState
from sparkle_motion.registry import Registry
from sparkle_motion.render.context import NULL_PROGRESS, never
from sparkle_motion.schemas import (
    Checkpoint,
    ModelUsage,
    RunManifest,
    RunSummary,
    ShotList,
    StageSummary,
)

__all__ = ["FAILPOINT_ENV", "RunOutcome", "RunRequest", "Runner"]

MAX_ATTEMPTS = 3

Clock = Callable[[], datetime]
ProgressFactory = Callable[[str], Progress]


def utc_now() -> datetime:
    return datetime.now(UTC)


def _status_of(error: SparkleError | None) -> str:
    if error is None:
        return "success"
    if isinstance(error, ApprovalPending | RunPaused):
        return "paused"
    return "blocked" if isinstance(error, GateBlocked) else "failed"


class Runner:
    def __init__(
        self,
        stages: Sequence[StageSpec],
        *,
        database_url: str | None = None,
        progress: ProgressFactory | None = None,
        clock: Clock = utc_now,
        environ: Mapping[str, str] | None = None,
        control: RunControl | None = None,
        cache_max_bytes: int = DEFAULT_MAX_BYTES,
        give_ids: Callable[[str], None] | None = None,
    ) -> None:
        """``give_ids``: a new run of a project made before projects had ids gives it one
        (one line appended to project.yaml) and hears what was done; None leaves it."""
        self.stages = list(stages)
        self.give_ids = give_ids
        self.control = control
        self.database_url = database_url
        self.cache_max_bytes = cache_max_bytes
        self.progress = progress or (lambda _stage: NULL_PROGRESS)
        self.clock = clock
        self.environ = os.environ if environ is None else environ

    def _event(
        self, state: RunState, stage: str, event: str, attempt: int = 1, detail: str = ""
    ) -> None:
        state.manifest = state.run.add_event(
            state.manifest,
            at=self.clock(),
            stage=stage,
            event=event,
            attempt=attempt,
            detail=detail,
        )

    # -- the run -----------------------------------------------------------

    def run(self, request: RunRequest) -> RunOutcome:
        folder = load_project(request.project_dir)
        episode_id, source = folder.episode(request.episode_id)
        profile = folder.project.profile(request.profile)
        if self.give_ids is not None and folder.project.id is None and not request.resume:
            folder = self._give_id(folder, self.give_ids)  # once the request is known to be good
        if request.resume:
            run = RunFolder.of(folder.state_dir, request.resume)
            manifest = reopen_manifest(run, episode_id)
        else:
            run_id = request.run_id or f"{self.clock():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
            run = RunFolder.of(folder.state_dir, run_id)
            manifest = RunManifest.new(
                run_id=run_id,
                project_dir=str(folder.root),
                episode_id=episode_id,
                profile=profile.name,
            )
        run.root.mkdir(parents=True, exist_ok=True)
        run.write_manifest(manifest)
        started_at, started = self.clock().isoformat(timespec="milliseconds"), time.monotonic()
        state = RunState(
            folder=folder,
            episode_id=episode_id,
            source=source,
            profile=profile,
            run=run,
            registry=Registry.open(folder.state_dir, self.database_url),
            cache=BlobCache(folder.state_dir / "cache", max_bytes=self.cache_max_bytes),
            manifest=manifest,
            resuming=request.resume is not None,
            dry_run=request.dry_run,
        )
        summaries: list[StageSummary] = []
        outcome = RunOutcome(run_id=run.run_id, status="running", run_dir=run.root)
        try:
            self._run_stages(state, summaries, outcome)
        except SparkleError as exc:
            outcome.error = exc
        finally:
            outcome.status = _status_of(outcome.error)
            state.manifest = state.manifest.model_copy(update={"status": outcome.status})
            run.write_manifest(state.manifest)
            outcome.outputs.update(state.output_paths())
            summary = RunSummary.new(
                run_id=run.run_id,
                episode_id=episode_id,
                status=outcome.status,
                started_at=started_at,
                finished_at=self.clock().isoformat(timespec="milliseconds"),
                wall_seconds=round(time.monotonic() - started, 3),
                stages=summaries,
                errors=[outcome.error.one_line()] if outcome.error else [],
                cost_usd=round(sum(u.cost_usd for u in state.usage), 6),
                usage=state.usage,
                outputs={k: str(v) for k, v in outcome.outputs.items()},
                shots_local=_rendered_shots(run),
            )
            run.write_summary(summary)
            outcome.outputs["run_summary"] = run.summary_path
            outcome.summary = summary
            state.registry.close()
            state.cache.evict()
        return outcome

    def _give_id(self, folder: ProjectFolder, tell: Callable[[str], None]) -> ProjectFolder:
        # The canon store is needed only for this; most runs never import it.
        from sparkle_motion.pipeline.canon_project import give_project_id

        with Registry.open(folder.state_dir, self.database_url) as registry:
            return give_project_id(folder, registry, tell)

    def _register_inputs(self, state: RunState) -> dict[str, str]:
        """The project, the canon and the episode source enter the registry."""
        registry = state.registry
        hashes = {
            name: registry.put_artifact(artifact, run_id=state.run_id).hash
            for name, artifact in (("project", state.folder.project), ("canon", state.folder.canon))
        }
        hashes["source"] = registry.put_file(
            state.source,
            kind="source/episode",
            run_id=state.run_id,
            params={"file": state.source.name},
        ).hash
        return hashes

    def _honour_control(self, state: RunState, next_stage: str) -> None:
        """A pause or stop asked for from outside takes effect here, between stages."""
        if self.control is None:
            return
        self.control.honour(
            next_stage,
            state.run_id,
            lambda event, detail: self._event(state, next_stage, event, detail=detail),
        )

    def _run_stages(
        self, state: RunState, summaries: list[StageSummary], outcome: RunOutcome
    ) -> None:
        base = self._register_inputs(state)
        for spec in self.stages:
            self._honour_control(state, spec.name)
            if state.dry_run and spec.renders:
                summaries.append(StageSummary(stage=spec.name, status="not_run"))
                continue
            version = spec.version or code_fingerprint(spec.run.__module__)
            input_hashes = {"project": base["project"], "stage_version": version}
            if spec.uses_canon:
                input_hashes["canon"] = base["canon"]
            if not spec.inputs:
                input_hashes["source"] = base["source"]
            input_hashes.update({name: state.available.hash(name) for name in spec.inputs})
            summaries.append(self._one_stage(spec, state, input_hashes))
            made = (*spec.outputs, *spec.optional_outputs)
            outcome.artifacts.update(
                {n: state.available.hash(n) for n in made if n in state.available}
            )
            if spec.approval and state.folder.project.checkpoint_enabled(spec.approval):
                wants = spec.wants_approval
                subject = state.available.artifact(spec.outputs[0])
                if wants is None or wants(state.folder, state.registry, subject):
                    await_approval(spec, state, self.clock)

    def _one_stage(
        self, spec: StageSpec, state: RunState, input_hashes: dict[str, str]
    ) -> StageSummary:
        if state.resuming and try_skip(spec, state, input_hashes):
            self._event(state, spec.name, "skipped", detail="checkpoint success, inputs unchanged")
            return StageSummary(stage=spec.name, status="skipped")
        started = time.monotonic()
        attempts = 0
        usage: list[ModelUsage] = []
        hits_before, misses_before = state.cache.hits, state.cache.misses
        with state.run.logger(spec.name) as log:
            failpoint = Failpoint(
                self.environ.get(FAILPOINT_ENV), spec.name, self.progress(spec.name)
            )

            def attempt_stage() -> StageResult:
                nonlocal attempts
                attempts += 1
                state.run.write_checkpoint(
                    Checkpoint.new(
                        stage=spec.name, status="begin", attempt=attempts, input_hashes=input_hashes
                    )
                )
                self._event(state, spec.name, "begin", attempts)
                log.info("stage_begin", attempt=attempts, inputs=input_hashes)
                failpoint.fire_if_due()
                return spec.run(
                    StageContext(
                        stage=spec.name,
                        run_id=state.run_id,
                        folder=state.folder,
                        episode_id=state.episode_id,
                        episode_source=state.source,
                        profile=state.profile,
                        run=state.run,
                        registry=state.registry,
                        cache=state.cache,
                        inputs={n: state.available.artifact(n) for n in spec.inputs},
                        input_hashes=input_hashes,
                        progress=failpoint,
                        log=log,
                        cancelled=self.control.cancelled if self.control else never,
                        dry_run=state.dry_run,
                        usage=usage,
                    )
                )

            def before_retry(retry_state: RetryCallState) -> None:
                error = retry_state.outcome.exception() if retry_state.outcome else None
                self._event(state, spec.name, "retry", attempts, detail=str(error))
                log.warning("stage_retry", attempt=attempts, error=str(error))

            try:
                result = Retrying(
                    stop=stop_after_attempt(MAX_ATTEMPTS),
                    wait=wait_exponential(multiplier=0.5, max=4),
                    retry=retry_if_exception_type(TransientError),
                    before_sleep=before_retry,
                    reraise=True,
                )(attempt_stage)
                stored = self._store_outputs(spec, state, result, input_hashes)
            except SparkleError as exc:
                exc.stage = exc.stage or spec.name
                self._fail(spec, state, attempts, input_hashes, exc, log)
                raise
            except Exception as exc:
                log.error("stage_crash", traceback=traceback.format_exc())
                wrapped = StageError(
                    f"unexpected {type(exc).__name__}: {exc}",
                    where=f"stage {spec.name}",
                    hint=f"the traceback is in {state.run.log_path(spec.name)}",
                    stage=spec.name,
                )
                self._fail(spec, state, attempts, input_hashes, wrapped, log)
                raise wrapped from exc
            finally:
                state.usage.extend(u.model_copy(update={"stage": spec.name}) for u in usage)
            if result.blocked:
                blocked = GateBlocked(
                    result.blocked,
                    where=f"stage {spec.name}",
                    hint=f"the report is in {state.run.root / 'artifacts'}",
                    stage=spec.name,
                )
                self._fail(spec, state, attempts, input_hashes, blocked, log, event="blocked")
                raise blocked
            state.run.write_checkpoint(
                Checkpoint.new(
                    stage=spec.name,
                    status="success",
                    attempt=attempts,
                    input_hashes=input_hashes,
                    output_hashes=stored,
                )
            )
            failpoint.finish()
            self._event(state, spec.name, "success", attempts, detail="; ".join(result.notes))
            log.info("stage_success", outputs=stored, notes=result.notes)
        return StageSummary(
            stage=spec.name,
            status="success",
            attempts=attempts,
            wall_seconds=round(time.monotonic() - started, 3),
            cache_hits=state.cache.hits - hits_before + result.cache_hits,
            cache_misses=state.cache.misses - misses_before + result.cache_misses,
        )

    def _store_outputs(
        self,
        spec: StageSpec,
        state: RunState,
        result: StageResult,
        input_hashes: Mapping[str, str],
    ) -> dict[str, str]:
        missing = [n for n in spec.outputs if n not in result.outputs]
        if missing:
            raise StageError(f"stage produced no {', '.join(missing)}", where=f"stage {spec.name}")
        parents = [h for k, h in input_hashes.items() if k != "stage_version"]
        stored: dict[str, str] = {}
        optional = [n for n in spec.optional_outputs if n in result.outputs]
        for name in (*spec.outputs, *optional):
            artifact = result.outputs[name]
            stored[name] = keep_artifact(
                state.registry,
                state.run,
                name,
                artifact,
                parents=parents,
                params={"stage": spec.name},
            )
            state.available.put(name, artifact, stored[name])
        return stored

    def _fail(
        self,
        spec: StageSpec,
        state: RunState,
        attempts: int,
        input_hashes: Mapping[str, str],
        error: SparkleError,
        log: Log,
        event: str = "failed",
    ) -> None:
        state.run.write_checkpoint(
            Checkpoint.new(
                stage=spec.name,
                status="failed",
                attempt=max(attempts, 1),
                error=error.one_line(),
                input_hashes=dict(input_hashes),
            )
        )
        log.info(f"stage_{event}", error=error.one_line())
        self._event(state, spec.name, event, max(attempts, 1), detail=error.one_line())


def _rendered_shots(run: RunFolder) -> int:
    """How many shots the run rendered (all of them here, on this machine), once it has."""
    if not run.artifact_path("render_output").is_file():
        return 0
    path = run.artifact_path("shotlist")
    return len(ShotList.from_json(path.read_bytes(), source=str(path)).shots)
