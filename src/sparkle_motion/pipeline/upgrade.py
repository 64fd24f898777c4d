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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sparkle_motion.atomic import write_atomic
from sparkle_motion.cache import DEFAULT_MAX_BYTES, BlobCache
from sparkle_motion.canon.keys import canon_key
from sparkle_motion.errors import GateBlocked, InputError, MissingInput
from sparkle_motion.pipeline.project_folder import ProjectFolder, load_project
from sparkle_motion.pipeline.provider_jobs import ShotJob, Waiting, run_jobs
from sparkle_motion.pipeline.run_folder import RunFolder, run_folders
from sparkle_motion.pipeline.stages.rendering import media_for
from sparkle_motion.providers.contract import ClipRequest, Provider
from sparkle_motion.providers.ledger import JobKey, Ledger
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
    RenderOutput,
    RenderPlan,
    RenderProfile,
    Shot,
    ShotList,
)
from sparkle_motion.seeding import seed_int

__all__ = ["UPGRADES_DIR", "UpgradeOutcome", "UpgradeRequest", "upgrade_episode"]

UPGRADES_DIR = "upgrades"

A = TypeVar("A", bound=Artifact)


@dataclass(frozen=True)
class UpgradeRequest:
    project_dir: Path
    profile: str
    episode_id: str | None = None
    shots: tuple[str, ...] = ()  # none named: every shot but the title and end cards
    dry_run: bool = False
    waiting: Waiting = field(default_factory=Waiting)


@dataclass
class UpgradeOutcome:
    request_id: str
    provider_id: str
    estimates: dict[str, float]
    spent_usd: float
    upgraded: list[str] = field(default_factory=list)
    kept_preview: list[KeptPreview] = field(default_factory=list)
    output: RenderOutput | None = None
    files: dict[str, Path] = field(default_factory=dict)


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


def _chosen(shotlist: ShotList, named: Sequence[str]) -> list[str]:
    ids = [shot.id for shot in shotlist.shots]
    unknown = [shot for shot in named if shot not in ids]
    if unknown:
        raise InputError(
            f"no shot {unknown[0]!r} in episode {shotlist.episode_id}",
            where="--shots",
            hint=f"one of: {', '.join(ids[:10])}" + (", …" if len(ids) > 10 else ""),
        )
    if named:
        return [shot for shot in ids if shot in named]
    return [shot.id for shot in shotlist.shots if shot.framing != "card"]


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


def upgrade_episode(
    request: UpgradeRequest,
    *,
    providers: Mapping[str, Provider],
    database_url: str | None = None,
    cache_max_bytes: int | None = None,
) -> UpgradeOutcome:
    """Upgrade the episode's chosen shots through the profile's provider (see the module)."""
    folder = load_project(request.project_dir)
    episode_id, _ = folder.episode(request.episode_id)
    profile = folder.project.profile(request.profile)
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
    preview = _last_preview(folder, episode_id)
    _same_sound(preview.render_plan.profile, profile)
    lock = preview.shotlist.timing_lock_hash
    plan = preview.render_plan.model_copy(update={"profile": profile})
    package = RenderPackage.of(preview.shotlist, preview.asset_manifest, plan)
    request_id = f"{episode_id}-{profile.name}-{plan.content_hash()[:12]}"
    state = folder.state_dir
    cache = BlobCache(state / "cache", max_bytes=cache_max_bytes or DEFAULT_MAX_BYTES)
    home = state / UPGRADES_DIR / request_id
    names = {who: member.name for who, member in plan.cast.items()}
    chosen = [
        shot
        for shot in preview.shotlist.shots
        if shot.id in set(_chosen(preview.shotlist, request.shots))
    ]
    plan_hash = plan.content_hash()

    def clip_request(shot: Shot, frame: str | None, template: str | None) -> ClipRequest:
        """What the provider is asked for ``shot`` (with its frame, once it is drawn)."""
        hashes = {"render_plan": plan_hash, "frame": frame, "prompt_template": template}
        return ClipRequest(
            request_id=request_id,
            shot_id=shot.id,
            seconds=shot.frames / profile.fps,
            width=profile.width,
            height=profile.height,
            fps=profile.fps,
            prompt=fill_prompt(DEFAULT_TEMPLATE, shot, names, folder.project.visual_style),
            seed=seed_int(plan.seed, "provider", shot.id) % 2**31,
            image=cache.path(frame) if frame else None,
            input_hashes={k: v for k, v in hashes.items() if v is not None},
        )

    estimates = {shot.id: provider.estimate(clip_request(shot, None, None)).usd for shot in chosen}
    with Registry.open(state, database_url) as registry:
        ledger = Ledger(registry.engine)
        outcome = UpgradeOutcome(
            request_id=request_id,
            provider_id=provider.provider_id,
            estimates=estimates,
            spent_usd=ledger.spent(_scope(folder), request_id=request_id),
        )
        if request.dry_run:  # the estimate alone: nothing drawn, stored or sent
            return outcome
        budget = folder.project.cost_policy.max_usd_per_episode
        if budget <= 0:
            raise InputError(
                "an upgrade spends money, and the project sets no budget for it",
                where="project.yaml: cost_policy.max_usd_per_episode",
                hint=f"set it (the estimate is {sum(estimates.values()):.2f} USD), "
                "or look first with --dry-run",
            )
        media = media_for(folder, cache)
        store = RegistryOutputs(registry, request_id)
        ctx = RenderContext(package, media, cache, store, home / "work")
        frames = draw_frames(ctx)
        template = registry.put_artifact(DEFAULT_TEMPLATE, run_id=request_id).hash
        fade_frames = fades(preview.shotlist)
        jobs = [
            ShotJob(
                clip_request(shot, frames.item(shot.id).sha256, template),
                JobKey(_scope(folder), request_id, provider.provider_id, shot.id),
                shot.frames,
                estimates[shot.id],
                fade_frames[shot.id],
            )
            for shot in chosen
        ]
        delivered, kept = run_jobs(
            jobs,
            provider=provider,
            ledger=ledger,
            cache=cache,
            registry=registry,
            profile=profile,
            raw_dir=home / "provider",
            budget_usd=budget,
            waiting=request.waiting,
        )
        # the provider's clips, and the storyboard clip of every other shot
        clips = encode_clips(ctx, frames, made=delivered)
        rendered = render_episode(
            package,
            media=media,
            cache=cache,
            store=store,
            work_dir=home / "work",
            out_dir=home / "output",
            given={"frames": frames, "voice": preview.voice, "clips": clips},
            provenance=Provenance(
                lineage={**preview.output.lineage, "prompt_template": template},
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
            )
        outcome.upgraded = list(rendered.output.upgraded)
        outcome.kept_preview = list(rendered.output.kept_preview)
        outcome.output = rendered.output
        outcome.files = {**rendered.files, "render_output": home / "render_output.json"}
        write_atomic(outcome.files["render_output"], rendered.output.to_json())
        outcome.spent_usd = ledger.spent(_scope(folder), request_id=request_id)
        registry.put_artifact(rendered.output, run_id=request_id)
    cache.evict()
    return outcome
