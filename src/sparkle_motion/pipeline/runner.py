"""The stage runner: checkpoints, the run manifest, retries, resume, approvals.

The runner, never a stage, writes ``runs/<run_id>/checkpoints/<stage>.json``
and ``runs/<run_id>/manifest.json`` (atomically), stores every artifact in
the registry with its parents, and writes ``run_summary.json`` at the end
of every run, successful or not.
"""

from __future__ import annotations

import hashlib
import os
import random
import secrets
import signal
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from sparkle_motion.errors import (
    ApprovalPending,
    GateBlocked,
    InputError,
    MissingInput,
    RunPaused,
    RunStopped,
    SparkleError,
    StageError,
    TransientError,
)
from sparkle_motion.pipeline.atomic import write_atomic
from sparkle_motion.pipeline.context import (
    Log,
    Progress,
    RunControl,
    StageContext,
    StageResult,
    StageSpec,
)
from sparkle_motion.pipeline.logs import stage_logger
from sparkle_motion.pipeline.media_cache import MediaCache
from sparkle_motion.pipeline.project_folder import ProjectFolder, load_project
from sparkle_motion.registry import Registry
from sparkle_motion.schemas import (
    ARTIFACT_TYPES,
    Artifact,
    Checkpoint,
    ModelUsage,
    RenderPlan,
    RenderProfile,
    RunManifest,
    RunSummary,
    StageEvent,
    StageSummary,
)

__all__ = ["FAILPOINT_ENV", "RunOutcome", "RunRequest", "Runner", "run_dir_for"]

FAILPOINT_ENV = "SPARKLE_FAILPOINT"
MAX_ATTEMPTS = 3

Clock = Callable[[], datetime]
ProgressFactory = Callable[[str], Progress]


def utc_now() -> datetime:
    return datetime.now(UTC)


def run_dir_for(folder: ProjectFolder, run_id: str) -> Path:
    return folder.state_dir / "runs" / run_id


@dataclass(frozen=True)
class RunRequest:
    project_dir: Path
    episode_id: str | None = None
    resume: str | None = None
    dry_run: bool = False
    profile: str | None = None
    run_id: str | None = None  # a new run's id, when the caller must know it up front
    # Start from these artifacts (e.g. shotlist, asset_manifest, render_plan) instead of
    # the episode source: the Video Engine's runs, whose stages all take artifacts in.
    seeds: Mapping[str, Artifact] | None = None


@dataclass
class RunOutcome:
    run_id: str
    status: str
    run_dir: Path
    artifacts: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, Path] = field(default_factory=dict)
    summary: RunSummary | None = None
    error: SparkleError | None = None


class _NullProgress:
    def total(self, count: int) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


class _Failpoint:
    """Test hook: SIGKILL this process inside a stage (``stage`` or ``stage:n``)."""

    def __init__(self, spec: str | None, stage: str, inner: Progress) -> None:
        name, _, count = (spec or "").partition(":")
        self.armed = name == stage
        self.after = int(count or 0)
        self.inner = inner
        self.seen = 0

    def fire_if_due(self) -> None:
        if self.armed and self.seen >= self.after:
            os.kill(os.getpid(), signal.SIGKILL)

    def total(self, count: int) -> None:
        self.inner.total(count)

    def advance(self, count: int = 1) -> None:
        self.inner.advance(count)
        self.seen += count
        self.fire_if_due()

    def finish(self) -> None:
        self.inner.finish()


@dataclass
class _RunState:
    """Everything one run carries from stage to stage."""

    folder: ProjectFolder
    episode_id: str
    source: Path
    profile: RenderProfile
    run_id: str
    run_dir: Path
    registry: Registry
    cache: MediaCache
    manifest: RunManifest
    resuming: bool
    seeds: Mapping[str, Artifact] = field(default_factory=dict)
    dry_run: bool = False
    available: dict[str, Artifact] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    usage: list[ModelUsage] = field(default_factory=list)


def _stage_rng(seed: int, stage: str, input_hashes: Mapping[str, str]) -> random.Random:
    material = f"{seed}:{stage}:" + ",".join(f"{k}={v}" for k, v in sorted(input_hashes.items()))
    return random.Random(int(hashlib.sha256(material.encode()).hexdigest()[:16], 16))  # noqa: S311


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
    ) -> None:
        self.stages = list(stages)
        self.control = control
        self.database_url = database_url
        self.progress = progress or (lambda _stage: _NullProgress())
        self.clock = clock
        self.environ = os.environ if environ is None else environ

    # -- bookkeeping -------------------------------------------------------

    def _now(self) -> str:
        return self.clock().isoformat(timespec="milliseconds")

    def _event(
        self, state: _RunState, stage: str, event: str, attempt: int = 1, detail: str = ""
    ) -> None:
        entry = StageEvent.model_validate(
            {
                "at": self._now(),
                "stage": stage,
                "event": event,
                "attempt": attempt,
                "detail": detail,
            }
        )
        state.manifest = state.manifest.model_copy(
            update={"events": [*state.manifest.events, entry]}
        )
        write_atomic(state.run_dir / "manifest.json", state.manifest.to_json())

    def _checkpoint(self, state: _RunState, checkpoint: Checkpoint) -> None:
        write_atomic(
            state.run_dir / "checkpoints" / f"{checkpoint.stage}.json", checkpoint.to_json()
        )

    def _open_manifest(
        self, folder: ProjectFolder, request: RunRequest, episode_id: str, profile: str
    ) -> RunManifest:
        if request.resume:
            path = run_dir_for(folder, request.resume) / "manifest.json"
            if not path.is_file():
                raise MissingInput(
                    f"no run {request.resume!r} in this project",
                    where=str(path),
                    hint="list runs with: sparkle-motion runs list PROJECT_DIR",
                )
            manifest = RunManifest.from_json(path.read_bytes(), source=str(path))
            if manifest.episode_id != episode_id:
                raise MissingInput(
                    f"run {request.resume} rendered episode {manifest.episode_id}, "
                    f"not {episode_id}",
                    where=str(path),
                )
            return manifest.model_copy(update={"status": "running"})
        run_id = request.run_id or f"{self.clock():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
        return RunManifest.new(
            run_id=run_id, project_dir=str(folder.root), episode_id=episode_id, profile=profile
        )

    # -- the run -----------------------------------------------------------

    def run(self, request: RunRequest) -> RunOutcome:
        folder = load_project(request.project_dir)
        seeds = dict(request.seeds or {})
        source: Path | None = None
        if seeds:
            episode_id, profile = _seeded_episode(seeds, folder, request.profile)
        else:
            episode_id, source = folder.episode(request.episode_id)
            profile = folder.project.profile(request.profile)
        manifest = self._open_manifest(folder, request, episode_id, profile.name)
        run_dir = run_dir_for(folder, manifest.run_id)
        run_dir.mkdir(parents=True, exist_ok=True)
        if source is None:  # a seeded run's source is its first seed, as written below
            source = run_dir / "artifacts" / f"{next(iter(seeds))}.json"
        write_atomic(run_dir / "manifest.json", manifest.to_json())
        started_at, started = self._now(), time.monotonic()
        registry = Registry.open(folder.state_dir, self.database_url)
        state = _RunState(
            folder=folder,
            episode_id=episode_id,
            source=source,
            profile=profile,
            run_id=manifest.run_id,
            run_dir=run_dir,
            registry=registry,
            cache=MediaCache(registry, folder.state_dir / "cache" / "media"),
            manifest=manifest,
            resuming=request.resume is not None,
            seeds=seeds,
            dry_run=request.dry_run,
        )
        summaries: list[StageSummary] = []
        outcome = RunOutcome(run_id=manifest.run_id, status="running", run_dir=run_dir)
        try:
            self._run_stages(state, request.dry_run, summaries, outcome)
            outcome.status = "success"
        except SparkleError as exc:
            outcome.error = exc
            outcome.status = (
                "paused"
                if isinstance(exc, ApprovalPending | RunPaused)
                else "blocked"
                if isinstance(exc, GateBlocked)
                else "failed"
            )
        finally:
            state.manifest = state.manifest.model_copy(update={"status": outcome.status})
            write_atomic(run_dir / "manifest.json", state.manifest.to_json())
            outcome.outputs.update(_output_paths(run_dir, state.available))
            summary = RunSummary.new(
                run_id=manifest.run_id,
                episode_id=episode_id,
                status=outcome.status,
                started_at=started_at,
                finished_at=self._now(),
                wall_seconds=round(time.monotonic() - started, 3),
                stages=summaries,
                errors=[outcome.error.one_line()] if outcome.error else [],
                cost_usd=round(sum(u.cost_usd for u in state.usage), 6),
                usage=state.usage,
                outputs={k: str(v) for k, v in outcome.outputs.items()},
            )
            write_atomic(run_dir / "run_summary.json", summary.to_json())
            outcome.outputs["run_summary"] = run_dir / "run_summary.json"
            outcome.summary = summary
            registry.close()
        return outcome

    def _register_inputs(self, state: _RunState) -> dict[str, str]:
        """The project, the canon and the episode source (or the seeds) enter the registry."""
        registry = state.registry
        hashes = {
            name: registry.put_bytes(
                artifact.to_json(),
                kind=artifact.KIND,
                schema_version=artifact.schema_version,
                run_id=state.run_id,
            ).hash
            for name, artifact in (("project", state.folder.project), ("canon", state.folder.canon))
        }
        if state.seeds:
            return {**hashes, **self._register_seeds(state)}
        hashes["source"] = registry.put_file(
            state.source,
            kind="source/episode",
            run_id=state.run_id,
            params={"file": state.source.name},
        ).hash
        return hashes

    def _register_seeds(self, state: _RunState) -> dict[str, str]:
        """Seed artifacts enter the registry and the run folder like stage outputs."""
        for name, artifact in state.seeds.items():
            data = artifact.to_json()
            record = state.registry.put_bytes(
                data,
                kind=artifact.KIND,
                schema_version=artifact.schema_version,
                params={"seed": name},
                run_id=state.run_id,
            )
            write_atomic(state.run_dir / "artifacts" / f"{name}.json", data)
            state.available[name], state.hashes[name] = artifact, record.hash
        return {"source": state.hashes[next(iter(state.seeds))]}

    def _honour_control(self, state: _RunState, next_stage: str) -> None:
        """A pause or stop asked for from outside takes effect here, between stages."""
        if self.control is None:
            return
        if self.control.stop_requested.is_set():
            self._event(state, next_stage, "failed", detail="stopped on request before this stage")
            raise RunStopped(
                f"the run was stopped on request before stage {next_stage}",
                where=f"run {state.run_id}",
                hint="resume it to go on from this stage, or start a new run",
            )
        if self.control.pause_requested.is_set():
            self._event(state, next_stage, "paused", detail="paused on request before this stage")
            raise RunPaused(
                f"the run was paused on request before stage {next_stage}",
                where=f"run {state.run_id}",
                hint="resume it to go on from this stage",
            )

    def _run_stages(
        self, state: _RunState, dry_run: bool, summaries: list[StageSummary], outcome: RunOutcome
    ) -> None:
        base = self._register_inputs(state)
        outcome.artifacts.update({name: state.hashes[name] for name in state.seeds})
        for spec in self.stages:
            self._honour_control(state, spec.name)
            if dry_run and spec.renders:
                summaries.append(StageSummary(stage=spec.name, status="not_run"))
                continue
            input_hashes = {"project": base["project"], "stage_version": spec.version}
            if spec.uses_canon:
                input_hashes["canon"] = base["canon"]
            if not spec.inputs:
                input_hashes["source"] = base["source"]
            input_hashes.update({name: state.hashes[name] for name in spec.inputs})
            summary = self._one_stage(spec, state, input_hashes)
            summaries.append(summary)
            made = (*spec.outputs, *spec.optional_outputs)
            outcome.artifacts.update({n: state.hashes[n] for n in made if n in state.hashes})
            if spec.approval and state.folder.project.checkpoint_enabled(spec.approval):
                wants = spec.wants_approval
                subject = state.available[spec.outputs[0]]
                if wants is None or wants(state.folder, state.registry, subject):
                    self._await_approval(spec, state)

    def _await_approval(self, spec: StageSpec, state: _RunState) -> None:
        assert spec.approval is not None
        subject = state.hashes[spec.outputs[0]]
        decisions = [
            a
            for a in state.manifest.approvals
            if a.checkpoint == spec.approval and a.subject_hash == subject
        ]
        if decisions and decisions[-1].decision == "approved":
            return
        if decisions:
            raise GateBlocked(
                f"{spec.approval} was rejected by {decisions[-1].by}",
                where=f"run {state.run_id}",
                hint="change the input and start a new run",
            )
        self._event(state, spec.name, "paused", detail=f"waiting for {spec.approval}")
        raise ApprovalPending(
            f"the run waits for {spec.approval} of {spec.outputs[0]} {subject[:12]}",
            where=f"run {state.run_id}",
            hint=f"sparkle-motion approve {state.run_id} {spec.approval} --by NAME, then "
            f"sparkle-motion run PROJECT_DIR --resume {state.run_id}",
        )

    def _try_skip(self, spec: StageSpec, state: _RunState, input_hashes: Mapping[str, str]) -> bool:
        path = state.run_dir / "checkpoints" / f"{spec.name}.json"
        try:
            checkpoint = Checkpoint.from_json(path.read_bytes(), source=str(path))
        except (OSError, SparkleError):
            return False
        if checkpoint.status != "success" or dict(checkpoint.input_hashes) != dict(input_hashes):
            return False
        loaded: dict[str, tuple[Artifact, str]] = {}
        optional = [n for n in spec.optional_outputs if n in checkpoint.output_hashes]
        for name in (*spec.outputs, *optional):
            sha = checkpoint.output_hashes.get(name)
            try:
                record = state.registry.record(sha or "")
                data = state.registry.get_bytes(record.hash)
                loaded[name] = (
                    ARTIFACT_TYPES[record.kind].from_json(data, source=sha or ""),
                    record.hash,
                )
            except (SparkleError, KeyError):
                return False
        for name, (artifact, sha) in loaded.items():
            state.available[name], state.hashes[name] = artifact, sha
        return True

    def _one_stage(
        self, spec: StageSpec, state: _RunState, input_hashes: dict[str, str]
    ) -> StageSummary:
        if state.resuming and self._try_skip(spec, state, input_hashes):
            self._event(state, spec.name, "skipped", detail="checkpoint success, inputs unchanged")
            return StageSummary(stage=spec.name, status="skipped")
        started = time.monotonic()
        attempts = 0
        usage: list[ModelUsage] = []
        hits_before, misses_before = state.cache.hits, state.cache.misses
        log_path = state.run_dir / "logs" / f"{spec.name}.jsonl"
        with stage_logger(log_path, run_id=state.run_id, stage=spec.name) as log:
            failpoint = _Failpoint(
                self.environ.get(FAILPOINT_ENV), spec.name, self.progress(spec.name)
            )

            def attempt_stage() -> StageResult:
                nonlocal attempts
                attempts += 1
                self._checkpoint(
                    state,
                    Checkpoint.new(
                        stage=spec.name, status="begin", attempt=attempts, input_hashes=input_hashes
                    ),
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
                        run_dir=state.run_dir,
                        registry=state.registry,
                        cache=state.cache,
                        inputs={n: state.available[n] for n in spec.inputs},
                        input_hashes=input_hashes,
                        rng=_stage_rng(state.folder.project.seed, spec.name, input_hashes),
                        progress=failpoint,
                        log=log,
                        cancelled=self.control.cancelled if self.control else _never,
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
                self._fail(spec, state, attempts, input_hashes, exc, log)
                raise
            except Exception as exc:
                log.error("stage_crash", traceback=traceback.format_exc())
                wrapped = StageError(
                    f"unexpected {type(exc).__name__}: {exc}",
                    where=f"stage {spec.name}",
                    hint=f"the traceback is in {log_path}",
                )
                self._fail(spec, state, attempts, input_hashes, wrapped, log)
                raise wrapped from exc
            finally:
                state.usage.extend(u.model_copy(update={"stage": spec.name}) for u in usage)
            if result.blocked:
                blocked = GateBlocked(
                    result.blocked,
                    where=f"stage {spec.name}",
                    hint=f"the report is in {state.run_dir / 'artifacts'}",
                )
                self._fail(spec, state, attempts, input_hashes, blocked, log, event="blocked")
                raise blocked
            self._checkpoint(
                state,
                Checkpoint.new(
                    stage=spec.name,
                    status="success",
                    attempt=attempts,
                    input_hashes=input_hashes,
                    output_hashes=stored,
                ),
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
        state: _RunState,
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
            data = artifact.to_json()
            record = state.registry.put_bytes(
                data,
                kind=artifact.KIND,
                schema_version=artifact.schema_version,
                parents=parents,
                params={"stage": spec.name},
                run_id=state.run_id,
            )
            write_atomic(state.run_dir / "artifacts" / f"{name}.json", data)
            state.available[name], state.hashes[name] = artifact, record.hash
            stored[name] = record.hash
        return stored

    def _fail(
        self,
        spec: StageSpec,
        state: _RunState,
        attempts: int,
        input_hashes: Mapping[str, str],
        error: SparkleError,
        log: Log,
        event: str = "failed",
    ) -> None:
        self._checkpoint(
            state,
            Checkpoint.new(
                stage=spec.name,
                status="failed",
                attempt=max(attempts, 1),
                error=error.one_line(),
                input_hashes=dict(input_hashes),
            ),
        )
        log.info(f"stage_{event}", error=error.one_line())
        self._event(state, spec.name, event, max(attempts, 1), detail=error.one_line())


def _never() -> bool:
    return False


def _seeded_episode(
    seeds: Mapping[str, Artifact], folder: ProjectFolder, profile_name: str | None
) -> tuple[str, RenderProfile]:
    """The one episode the seed artifacts belong to, and the profile their plan renders."""
    episodes = {getattr(artifact, "episode_id", None) for artifact in seeds.values()}
    if len(episodes) != 1 or None in episodes:
        raise InputError(
            "seed artifacts must all belong to one episode",
            where="seeds",
            hint="pass the shot list, asset manifest and render plan of one episode",
        )
    plan = seeds.get("render_plan")
    profile = plan.profile if isinstance(plan, RenderPlan) else folder.project.profile(profile_name)
    return str(episodes.pop()), profile


def _output_paths(run_dir: Path, available: Mapping[str, Artifact]) -> dict[str, Path]:
    output = available.get("render_output")
    if output is None:
        return {}
    folder = run_dir / "output"
    paths = {
        name: folder / getattr(output, name).uri
        for name in ("video", "captions_srt", "captions_vtt")
    }
    paths["render_output"] = run_dir / "artifacts" / "render_output.json"
    return paths
