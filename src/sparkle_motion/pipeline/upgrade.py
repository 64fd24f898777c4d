"""Upgrading a rendered episode: some shots' clips replaced by a provider's, nothing else.

The episode's last finished run gives the shot list, the asset manifest, the
render plan and the speech; nothing is re-written, re-planned or re-timed.
The upgrade's render plan is the preview's with an ``hq_*`` profile (one that
names a provider). Each chosen shot is asked of the provider at its locked
length (:mod:`.provider_jobs`), within the project's budget; what comes back
is conformed to the shot, and every shot that does not come back keeps its
preview clip and says why. The Video Engine then assembles the episode from
those clips with the preview's speech, so the sound and the captions are the
preview's, byte for byte, and the timing lock is checked before and after.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sparkle_motion.cache import DEFAULT_MAX_BYTES, BlobCache
from sparkle_motion.canon.keys import canon_key
from sparkle_motion.errors import (
    ApprovalPending,
    ContentRejected,
    GateBlocked,
    InputError,
    MissingInput,
    SparkleError,
)
from sparkle_motion.pipeline.approvals import await_decision
from sparkle_motion.pipeline.project_folder import ProjectFolder, load_project
from sparkle_motion.pipeline.provider_jobs import (
    Part,
    ShotJob,
    Spend,
    Waiting,
    reconcile,
    run_jobs,
)
from sparkle_motion.pipeline.run_folder import RunFolder, keep_artifact, run_folders
from sparkle_motion.pipeline.segments import Grouping, Segment, SegmentRule, group_frames
from sparkle_motion.pipeline.stages.rendering import media_for
from sparkle_motion.providers.contract import Capabilities, ClipRequest, Provider
from sparkle_motion.providers.ledger import JobKey, Ledger, LedgerJob
from sparkle_motion.providers.prompts import DEFAULT_TEMPLATE, fill_prompt
from sparkle_motion.registry import Registry, RegistryOutputs
from sparkle_motion.render.context import RenderContext
from sparkle_motion.render.engine import render_episode
from sparkle_motion.render.finish import Provenance
from sparkle_motion.render.package import RenderPackage
from sparkle_motion.render.shots import encode_clips, fades
from sparkle_motion.render.storyboard import draw_frames
from sparkle_motion.schemas import (
    Artifact,
    AssetManifest,
    KeptPreview,
    MediaSet,
    Project,
    ProviderLimits,
    ProviderUsage,
    RenderOutput,
    RenderPlan,
    RenderProfile,
    RunManifest,
    RunSummary,
    SafetyFinding,
    SafetyReport,
    SegmentEstimate,
    ShotList,
    StageSummary,
    UpgradeEstimate,
)
from sparkle_motion.schemas.run import RunStatus
from sparkle_motion.seeding import seed_int

__all__ = [
    "SPEND_CHECKPOINT",
    "UPGRADES_DIR",
    "UpgradeOutcome",
    "UpgradeRequest",
    "upgrade_episode",
]

UPGRADES_DIR = "upgrades"
SPEND_CHECKPOINT = "approve_external_spend"


def _utc_now() -> datetime:
    return datetime.now(UTC)


A = TypeVar("A", bound=Artifact)


@dataclass(frozen=True)
class UpgradeRequest:
    project_dir: Path
    profile: str
    episode_id: str | None = None
    shots: tuple[str, ...] = ()  # none named: every shot but the title and end cards
    scenes: tuple[str, ...] = ()  # every shot of these scenes (but the cards), as well
    dry_run: bool = False
    waiting: Waiting = field(default_factory=Waiting)
    tenant_id: str = "local"
    run_id: str | None = None  # the upgrade run's id; default: the request id
    # where the provider calls back, when a listener runs ("{provider}" is its name)
    webhook_url: str | None = None
    ledger_dir: Path | None = None  # the state folder whose registry keeps the spend ledger


@dataclass
class UpgradeOutcome:
    request_id: str
    run_id: str
    provider_id: str
    estimate: UpgradeEstimate
    spent_usd: float
    needs_approval: bool
    upgraded: list[str] = field(default_factory=list)
    kept_preview: list[KeptPreview] = field(default_factory=list)
    output: RenderOutput | None = None
    summary: RunSummary | None = None
    files: dict[str, Path] = field(default_factory=dict)
    waiting: ApprovalPending | None = None
    """Set when the run paused for approve_external_spend: nothing was sent."""
    video_segments: list[str] = field(default_factory=list)  # delivered, in episode order
    failed_segments: list[dict[str, Any]] = field(default_factory=list)  # with code and why

    @property
    def status(self) -> str:
        if self.waiting is not None:
            return "paused"
        return self.output.status if self.output is not None else "estimated"

    @property
    def estimates(self) -> dict[str, float]:
        """Each segment's estimate, by its id (a shot's id, or two joined by "+")."""
        return {segment.segment_id: segment.usd for segment in self.estimate.segments}

    @property
    def pending(self) -> list[str]:
        """Shots whose provider job still runs: a webhook or another upgrade collects them."""
        return [kept.shot_id for kept in self.kept_preview if kept.code == "pending"]


@dataclass(frozen=True)
class _Preview:
    run: RunFolder
    shotlist: ShotList
    asset_manifest: AssetManifest
    render_plan: RenderPlan
    voice: MediaSet
    output: RenderOutput


def _read(run: RunFolder, name: str, kind: type[A]) -> A:
    path = run.artifact_path(name)
    return kind.from_json(path.read_bytes(), source=str(path))


def _last_preview(folder: ProjectFolder, episode_id: str) -> _Preview:
    for run in reversed(run_folders(folder.state_dir)):
        manifest = run.read_manifest()
        if manifest.kind == "upgrade":
            continue
        if manifest.episode_id != episode_id or manifest.status != "success":
            continue
        if not run.artifact_path("render_output").is_file():
            continue
        return _Preview(
            run=run,
            shotlist=_read(run, "shotlist", ShotList),
            asset_manifest=_read(run, "asset_manifest", AssetManifest),
            render_plan=_read(run, "render_plan", RenderPlan),
            voice=_read(run, "voice", MediaSet),
            output=_read(run, "render_output", RenderOutput),
        )
    raise MissingInput(
        f"episode {episode_id} has no finished render to upgrade",
        where=str(folder.root),
        hint=f"render it first: sparkle-motion run {folder.root} --episode {episode_id}",
    )


def _one_of(ids: Sequence[str]) -> str:
    return f"one of: {', '.join(ids[:10])}" + (", …" if len(ids) > 10 else "")


def _chosen(shotlist: ShotList, named: Sequence[str], scenes: Sequence[str] = ()) -> list[str]:
    """The shots named, and every shot of the scenes named but the cards; with neither, every
    shot but the cards."""
    ids = [shot.id for shot in shotlist.shots]
    unknown = [shot for shot in named if shot not in ids]
    if unknown:
        raise InputError(
            f"no shot {unknown[0]!r} in episode {shotlist.episode_id}",
            where="--shots",
            hint=_one_of(ids),
        )
    scene_ids = list(dict.fromkeys(shot.scene_id for shot in shotlist.shots))
    missing = [scene for scene in scenes if scene not in scene_ids]
    if missing:
        raise InputError(
            f"no scene {missing[0]!r} in episode {shotlist.episode_id}",
            where="--scenes",
            hint=_one_of(scene_ids),
        )
    if not named and not scenes:
        return [shot.id for shot in shotlist.shots if shot.framing != "card"]
    return [
        shot.id
        for shot in shotlist.shots
        if shot.id in named or (shot.scene_id in scenes and shot.framing != "card")
    ]


_SOUND_SETTINGS = ("audio_sample_rate", "loudness_lufs", "true_peak_dbtp", "fps")


def _same_sound(preview: RenderProfile, hq: RenderProfile) -> None:
    """An upgrade keeps the preview's sound and timing: the hq profile may not change them."""
    for name in _SOUND_SETTINGS:
        if getattr(preview, name) != getattr(hq, name):
            raise InputError(
                f"profile {hq.name!r} sets {name} to {getattr(hq, name)}, the preview was "
                f"rendered at {getattr(preview, name)}; an upgrade keeps the preview's sound "
                "and timing",
                where=f"profiles.{hq.name}.{name}",
                hint=f"set {name}: {getattr(preview, name)} in that profile",
            )


def _scope(folder: ProjectFolder) -> str:
    """The project's identity in a shared database, as its canon is kept under it."""
    return canon_key(folder.project)


def _routed(project: Project, capabilities: Capabilities, profile: RenderProfile) -> None:
    """The project's routing class for the provider's kind of work allows it."""
    route = project.cost_policy.route(capabilities.kind)
    where = f"project.yaml: cost_policy.routing.{capabilities.kind}"
    if route == "always_local" and not capabilities.local:
        raise InputError(
            f"{capabilities.kind} work is always_local in this project, and provider "
            f"{capabilities.provider_id} is an external service",
            where=where,
            hint=f"set it to prefer_local (or external_only) to upgrade with {profile.name}",
        )
    if route == "external_only" and capabilities.local:
        raise InputError(
            f"{capabilities.kind} work is external_only in this project, and provider "
            f"{capabilities.provider_id} runs locally",
            where=where,
            hint="choose a profile with an external provider, or set it to prefer_local",
        )


def _needs_approval(project: Project, estimate: UpgradeEstimate) -> bool:
    if not project.human_checkpoints.get(SPEND_CHECKPOINT, True):
        return False
    policy = project.cost_policy
    if policy.external_spend == "auto":
        return False
    if policy.external_spend == "threshold":
        return estimate.total_usd > policy.spend_threshold_usd + 1e-9
    return True


def _provider_usage(
    provider_id: str,
    capabilities: Capabilities,
    ledgered: Sequence[LedgerJob],
    fps: int,
    frames: Mapping[str, int],
) -> ProviderUsage:
    jobs = [job for job in ledgered if job.phase != "planned"]
    delivered = [job for job in jobs if job.phase == "delivered"]
    reported = [job.reported_usd for job in delivered]
    return ProviderUsage(
        provider=provider_id,
        local=capabilities.local,
        jobs=len(jobs),
        delivered=len(delivered),
        failed=sum(job.phase in ("failed", "rejected", "cancelled") for job in jobs),
        seconds=round(sum(frames.get(job.key.shot_id, 0) for job in delivered) / fps, 3),
        estimate_usd=round(sum(job.estimate_usd for job in jobs), 6),
        cost_usd=round(sum(job.charged_usd for job in jobs), 6),
        reported_usd=(
            round(sum(r for r in reported if r is not None), 6)
            if reported and all(r is not None for r in reported)
            else None
        ),
    )


def _open_run(
    folder: ProjectFolder, run_id: str, episode_id: str, profile: str, preview: RunFolder
) -> tuple[RunFolder, RunManifest]:
    run = RunFolder.of(folder.state_dir, run_id)
    if not run.exists():
        manifest = RunManifest.new(
            run_id=run_id,
            project_dir=str(folder.root),
            episode_id=episode_id,
            profile=profile,
            kind="upgrade",
            upgrade_of=preview.run_id,
        )
        run.write_manifest(manifest)
        return run, manifest
    manifest = run.read_manifest()
    if manifest.kind != "upgrade" or manifest.episode_id != episode_id:
        raise InputError(
            f"run {run_id} is not an upgrade of episode {episode_id}",
            where=str(run.manifest_path),
            hint="give the upgrade a new run id",
        )
    return run, manifest.model_copy(update={"status": "running"})


def upgrade_episode(
    request: UpgradeRequest,
    *,
    providers: Mapping[str, Provider],
    database_url: str | None = None,
    cache_max_bytes: int | None = None,
    now: Callable[[], datetime] = _utc_now,
) -> UpgradeOutcome:
    """Upgrade the episode's chosen shots through the profile's provider (see the module)."""
    folder = load_project(request.project_dir)
    episode_id, _ = folder.episode(request.episode_id)
    profile = folder.project.profile(request.profile)
    provider = _provider_of(profile, providers)
    capabilities = provider.capabilities()
    _routed(folder.project, capabilities, profile)
    preview = _last_preview(folder, episode_id)
    _same_sound(preview.render_plan.profile, profile)
    lock = preview.shotlist.timing_lock_hash
    plan = preview.render_plan.model_copy(update={"profile": profile})
    package = RenderPackage.of(preview.shotlist, preview.asset_manifest, plan)
    plan_hash = plan.content_hash()
    request_id = f"{episode_id}-{profile.name}-{plan_hash[:12]}"
    run_id = request.run_id or request_id
    state = folder.state_dir
    cache = BlobCache(state / "cache", max_bytes=cache_max_bytes or DEFAULT_MAX_BYTES)
    names = {who: member.name for who, member in plan.cast.items()}
    wanted = set(_chosen(preview.shotlist, request.shots, request.scenes))
    chosen = [shot for shot in preview.shotlist.shots if shot.id in wanted]
    policy = folder.project.cost_policy
    grouping = group_frames(
        preview.shotlist.shots,
        [shot.id for shot in chosen],
        fps=profile.fps,
        rule=SegmentRule(
            frames_per_segment=2 if capabilities.end_frame else 1,
            max_segment_seconds=capabilities.max_clip_duration_sec,
            end_frames=capabilities.end_frame,
        ),
    )
    by_id = {shot.id: shot for shot in chosen}

    def clip_request(
        segment: Segment, frames: MediaSet | None, template: str | None
    ) -> ClipRequest:
        """What the provider is asked for ``segment`` (with its frames, once they are drawn):
        the clip starts on its first shot's frame and ends on the second's, if it has two."""
        shots = [by_id[shot_id] for shot_id in segment.shot_ids]
        drawn = [frames.item(shot.id).sha256 for shot in shots] if frames else []
        hashes = {
            "render_plan": plan_hash,
            **{f"frame {shot.id}": sha for shot, sha in zip(shots, drawn, strict=False)},
            **({"prompt_template": template} if template else {}),
        }
        prompts = [
            fill_prompt(DEFAULT_TEMPLATE, shot, names, folder.project.visual_style)
            for shot in shots
        ]
        return ClipRequest(
            request_id=request_id,
            shot_id=segment.segment_id,
            seconds=segment.seconds,
            width=profile.width,
            height=profile.height,
            fps=profile.fps,
            prompt=" Then: ".join(prompts),
            seed=seed_int(plan.seed, "provider", segment.segment_id) % 2**31,
            image=cache.path(drawn[0]) if drawn else None,
            end_image=cache.path(drawn[-1]) if len(drawn) > 1 else None,
            input_hashes=hashes,
        )

    priced = {
        segment.segment_id: provider.estimate(clip_request(segment, None, None))
        for segment in grouping.segments
    }
    estimate = UpgradeEstimate.new(
        request_id=request_id,
        episode_id=episode_id,
        profile=profile.name,
        provider=provider.provider_id,
        model=capabilities.model,
        segments=[
            SegmentEstimate(
                segment_id=segment.segment_id,
                shot_ids=list(segment.shot_ids),
                scene_id=segment.scene_id,
                request=segment.request,
                seconds=round(segment.seconds, 6),
                usd=priced[segment.segment_id].usd,
            )
            for segment in grouping.segments
        ],
        too_long=grouping.too_long,
        decisions=grouping.decisions,
        total_usd=round(sum(cost.usd for cost in priced.values()), 6),
        budget_usd=policy.max_usd_per_episode,
        confidence=min((cost.confidence for cost in priced.values()), default=1.0),
    )
    with ExitStack() as stack:
        registry = stack.enter_context(Registry.open(state, database_url))
        ledger_home = request.ledger_dir
        books = (
            registry
            if ledger_home is None or ledger_home.resolve() == state.resolve()
            else stack.enter_context(Registry.open(ledger_home, database_url))
        )
        ledger = Ledger(books.engine)
        outcome = UpgradeOutcome(
            request_id=request_id,
            run_id=run_id,
            provider_id=provider.provider_id,
            estimate=estimate,
            spent_usd=ledger.spent(_scope(folder), request_id=request_id),
            needs_approval=_needs_approval(folder.project, estimate),
        )
        if request.dry_run:  # the estimate alone: nothing drawn, stored or sent
            return outcome
        if policy.max_usd_per_episode <= 0:
            raise InputError(
                "an upgrade spends money, and the project sets no budget for it",
                where="project.yaml: cost_policy.max_usd_per_episode",
                hint=f"set it (the estimate is {estimate.total_usd:.2f} USD), "
                "or look first with --dry-run",
            )
        run, manifest = _open_run(folder, run_id, episode_id, profile.name, preview.run)
        book = _Book(run, manifest, now)
        try:
            book.begin("estimate")
            estimate_hash = keep_artifact(registry, run, "upgrade_estimate", estimate)
            book.done("estimate", detail=f"{estimate.total_usd:.2f} USD for {len(chosen)} shots")
            if outcome.needs_approval:
                book.manifest, pending = await_decision(
                    run,
                    book.manifest,
                    checkpoint=SPEND_CHECKPOINT,
                    stage="estimate",
                    subject="upgrade_estimate",
                    subject_hash=estimate_hash,
                    now=now,
                    hint=f"sparkle-motion approve {run_id} {SPEND_CHECKPOINT} --by NAME "
                    f"--project {folder.root}, then upgrade again: sparkle-motion upgrade "
                    f"{folder.root} --episode {episode_id} --profile {profile.name}",
                )
                if pending is not None:
                    book.stop(pending)
                    outcome.waiting = pending
                    return outcome
            book.begin("dispatch")
            media = media_for(folder, cache)
            store = RegistryOutputs(registry, request_id)
            home = state / UPGRADES_DIR / request_id
            ctx = RenderContext(package, media, cache, store, home / "work")
            frames = draw_frames(ctx)
            template = registry.put_artifact(DEFAULT_TEMPLATE, run_id=request_id).hash
            fade_frames = fades(preview.shotlist)
            jobs = [
                ShotJob(
                    clip_request(segment, frames, template),
                    JobKey(_scope(folder), request_id, provider.provider_id, segment.segment_id),
                    tuple(
                        Part(shot_id, *segment.span(shot_id), fade_frames[shot_id])
                        for shot_id in segment.shot_ids
                    ),
                    priced[segment.segment_id].usd,
                )
                for segment in grouping.segments
            ]
            delivered, kept = run_jobs(
                jobs,
                provider=provider,
                ledger=ledger,
                cache=cache,
                registry=registry,
                profile=profile,
                raw_dir=home / "provider",
                spend=Spend(
                    budget_usd=policy.max_usd_per_episode,
                    tenant_id=request.tenant_id,
                    day_cap_usd=policy.max_usd_per_day,
                    limits=policy.providers.get(provider.provider_id, ProviderLimits()),
                ),
                waiting=request.waiting,
                webhook_url=request.webhook_url.replace("{provider}", provider.provider_id)
                if request.webhook_url
                else None,
            )
            reconcile(provider, ledger, _scope(folder), request_id)
            kept = [*kept, *(_too_long(shot_id, capabilities) for shot_id in grouping.too_long)]
            book.done("dispatch", detail=f"{len(delivered)} of {len(chosen)} shots delivered")
            refused = _refusals(folder.project, preview, provider, jobs, kept)
            refusal_hash = (
                keep_artifact(registry, run, "provider_safety_report", refused)
                if refused is not None
                else None
            )
            book.begin("assemble")
            # the provider's clips, and the storyboard clip of every other shot
            clips = encode_clips(ctx, frames, made=delivered)
            rendered = render_episode(
                package,
                media=media,
                cache=cache,
                store=store,
                work_dir=home / "work",
                out_dir=run.output_dir,
                given={"frames": frames, "voice": preview.voice, "clips": clips},
                provenance=Provenance(
                    lineage={
                        **preview.output.lineage,
                        "prompt_template": template,
                        "upgrade_estimate": estimate_hash,
                        **({"provider_safety_report": refusal_hash} if refusal_hash else {}),
                    },
                    publishable=preview.output.publishable,
                    upgraded=[shot.id for shot in chosen if shot.id in delivered],
                    kept_preview=kept,
                ),
            )
            if rendered.output.timing_lock_hash != lock:
                raise GateBlocked(
                    "the upgrade's timing lock differs from the preview's",
                    where=f"upgrade {request_id}",
                    hint="this is a bug: the upgrade must not change timing",
                    stage="assemble",
                )
            keep_artifact(registry, run, "render_output", rendered.output)
            book.done("assemble", detail=rendered.output.status)
        except SparkleError as error:
            book.stop(error)
            raise
        outcome.video_segments, outcome.failed_segments = _segment_results(grouping, kept)
        outcome.upgraded = list(rendered.output.upgraded)
        outcome.kept_preview = list(rendered.output.kept_preview)
        outcome.output = rendered.output
        outcome.files = {**rendered.files, "render_output": run.artifact_path("render_output")}
        if refusal_hash is not None:
            outcome.files["provider_safety_report"] = run.artifact_path("provider_safety_report")
        outcome.spent_usd = ledger.spent(_scope(folder), request_id=request_id)
        frames_of = {segment.segment_id: segment.total_frames for segment in grouping.segments}
        outcome.summary = book.finish(
            episode_id,
            cost_usd=outcome.spent_usd,
            shots_local=len(preview.shotlist.shots) - len(outcome.upgraded),
            shots_external=0 if capabilities.local else len(outcome.upgraded),
            providers=[
                _provider_usage(
                    provider.provider_id,
                    capabilities,
                    ledger.jobs(_scope(folder), request_id),
                    profile.fps,
                    frames_of,
                )
            ],
            outputs={name: str(path) for name, path in outcome.files.items()},
        )
        outcome.files["run_summary"] = run.summary_path
    cache.evict()
    return outcome


def _segment_results(
    grouping: Grouping, kept: Sequence[KeptPreview]
) -> tuple[list[str], list[dict[str, Any]]]:
    """The segments delivered (in order) and those that failed, with the code and reason."""
    why = {k.shot_id: k for k in kept}
    done: list[str] = []
    failed: list[dict[str, Any]] = []
    for segment in grouping.segments:
        missing = [why[shot] for shot in segment.shot_ids if shot in why]
        if not missing:
            done.append(segment.segment_id)
            continue
        failed.append(
            {
                "segment_id": segment.segment_id,
                "shot_ids": list(segment.shot_ids),
                "code": missing[0].code,
                "reason": missing[0].reason,
            }
        )
    return done, failed


def _too_long(shot_id: str, capabilities: Capabilities) -> KeptPreview:
    return KeptPreview(
        shot_id=shot_id,
        code="too_long",
        reason=f"not sent: longer than the {capabilities.max_clip_duration_sec:g} s "
        f"{capabilities.model} makes",
    )


def _refusals(
    project: Project,
    preview: _Preview,
    provider: Provider,
    jobs: Sequence[ShotJob],
    kept: Sequence[KeptPreview],
) -> SafetyReport | None:
    """The provider's content rejections, for the content-safety gate: each shot's prompt
    and the provider's reason, for a person to review. A rejected prompt is never reworded
    or sent again; its shot keeps the preview clip, which passed the project's own gate."""
    rejected = {k.shot_id: k for k in kept if k.code == ContentRejected.code}
    if not rejected:
        return None
    scenes = {shot.id: shot.scene_id for shot in preview.shotlist.shots}
    return SafetyReport.new(
        script_hash=preview.output.lineage.get("script", ""),
        mode=project.safety_mode,
        passed=False,
        publishable=preview.output.publishable,
        findings=[
            SafetyFinding(
                category="provider_rejection",
                term=rejected[job.parts[0].shot_id].reason,
                matched=job.request.prompt,
                field="prompt",
                scene_id=scenes.get(job.parts[0].shot_id),
                source=f"provider:{provider.provider_id}",
            )
            for job in jobs
            if any(part.shot_id in rejected for part in job.parts)
        ],
    )


def _provider_of(profile: RenderProfile, providers: Mapping[str, Provider]) -> Provider:
    if profile.provider is None:
        raise InputError(
            f"profile {profile.name!r} names no provider, so it upgrades nothing",
            where="--profile",
            hint="define an hq profile with provider: <name> under profiles in project.yaml",
        )
    provider = providers.get(profile.provider)
    if provider is None:
        raise InputError(
            f"no provider {profile.provider!r}; installed: "
            f"{', '.join(sorted(providers)) or 'none'}",
            where=f"profiles.{profile.name}.provider",
            hint="see sparkle-motion providers list",
        )
    if not provider.configured():
        raise InputError(
            f"provider {profile.provider} is not configured (it has no key)",
            where=f"profiles.{profile.name}.provider",
            hint=f"set SPARKLE_PROVIDER_KEYS to a JSON object naming {profile.provider} and its "
            "key, in the environment or .env",
        )
    return provider


class _Book:
    """The upgrade run's manifest, events and summary, as its steps go."""

    def __init__(self, run: RunFolder, manifest: RunManifest, now: Callable[[], datetime]) -> None:
        self.run, self.manifest, self.now = run, manifest, now
        self.started_at = now()
        self.started = time.monotonic()
        self.steps: dict[str, float] = {}
        self.stages: list[StageSummary] = []
        self.run.write_manifest(manifest)

    def begin(self, step: str) -> None:
        self.steps[step] = time.monotonic()
        self.manifest = self.run.add_event(self.manifest, at=self.now(), stage=step, event="begin")

    def done(self, step: str, *, detail: str = "") -> None:
        self.manifest = self.run.add_event(
            self.manifest, at=self.now(), stage=step, event="success", detail=detail
        )
        self.stages.append(
            StageSummary(
                stage=step,
                status="success",
                wall_seconds=round(time.monotonic() - self.steps[step], 3),
                attempts=1,
            )
        )

    def stop(self, error: SparkleError) -> None:
        """The run ends here: paused for an approval, or failed (blocked) with ``error``."""
        status: RunStatus
        if isinstance(error, ApprovalPending):
            status = "paused"
        else:
            status = "blocked" if isinstance(error, GateBlocked) else "failed"
            self.manifest = self.run.add_event(
                self.manifest,
                at=self.now(),
                stage=error.stage or "upgrade",
                event=status if status == "blocked" else "failed",
                detail=error.one_line(),
            )
        self.manifest = self.manifest.model_copy(update={"status": status})
        self.run.write_manifest(self.manifest)

    def finish(self, episode_id: str, **fields: Any) -> RunSummary:
        self.manifest = self.manifest.model_copy(update={"status": "success"})
        self.run.write_manifest(self.manifest)
        summary = RunSummary.new(
            run_id=self.run.run_id,
            episode_id=episode_id,
            status="success",
            started_at=self.started_at.isoformat(timespec="milliseconds"),
            finished_at=self.now().isoformat(timespec="milliseconds"),
            wall_seconds=round(time.monotonic() - self.started, 3),
            stages=self.stages,
            **fields,
        )
        self.run.write_summary(summary)
        return summary
