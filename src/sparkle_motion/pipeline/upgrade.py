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
from sparkle_motion.errors import GateBlocked, InputError, MissingInput
from sparkle_motion.pipeline.project_folder import ProjectFolder, load_project
from sparkle_motion.pipeline.provider_jobs import ShotJob, Waiting, run_jobs
from sparkle_motion.pipeline.run_folder import RunFolder, run_folders
from sparkle_motion.providers.contract import ClipRequest, Provider
from sparkle_motion.providers.ledger import JobKey, Ledger
from sparkle_motion.providers.prompts import DEFAULT_TEMPLATE, fill_prompt
from sparkle_motion.registry import Registry, RegistryOutputs
from sparkle_motion.render.context import RenderContext
from sparkle_motion.render.engine import render_episode
from sparkle_motion.render.finish import Provenance
from sparkle_motion.render.media import FolderMedia
from sparkle_motion.render.package import RenderPackage
from sparkle_motion.render.shots import encode_clips, fades
from sparkle_motion.render.storyboard import draw_frames
from sparkle_motion.schemas import (
    Artifact,
    AssetManifest,
    KeptPreview,
    MediaItem,
    MediaSet,
    RenderOutput,
    RenderPlan,
    RenderProfile,
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
    return folder.project.id or folder.project.title


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
    with Registry.open(state, database_url) as registry:
        media = FolderMedia(folder.root, cache, library_for_folder(folder))
        store = RegistryOutputs(registry, request_id)
        ctx = RenderContext(package, media, cache, store, home / "work")
        frames = draw_frames(ctx)
        template = registry.put_bytes(
            DEFAULT_TEMPLATE.to_json(),
            kind=DEFAULT_TEMPLATE.KIND,
            schema_version=DEFAULT_TEMPLATE.schema_version,
            run_id=request_id,
        ).hash
        names = {who: member.name for who, member in plan.cast.items()}
        chosen = set(_chosen(preview.shotlist, request.shots))
        fade_frames = fades(preview.shotlist)
        jobs = []
        for shot in preview.shotlist.shots:
            if shot.id not in chosen:
                continue
            clip = ClipRequest(
                request_id=request_id,
                shot_id=shot.id,
                seconds=shot.frames / profile.fps,
                width=profile.width,
                height=profile.height,
                fps=profile.fps,
                prompt=fill_prompt(DEFAULT_TEMPLATE, shot, names, folder.project.visual_style),
                seed=seed_int(plan.seed, "provider", shot.id) % 2**31,
                image=cache.path(frames.item(shot.id).sha256),
                input_hashes={
                    "frame": frames.item(shot.id).sha256,
                    "prompt_template": template,
                    "render_plan": plan.content_hash(),
                },
            )
            key = JobKey(_scope(folder), request_id, provider.provider_id, shot.id)
            fade = fade_frames[shot.id]
            jobs.append(ShotJob(clip, key, shot.frames, provider.estimate(clip).usd, fade))
        ledger = Ledger(registry.engine)
        outcome = UpgradeOutcome(
            request_id=request_id,
            provider_id=provider.provider_id,
            estimates={job.request.shot_id: job.estimate_usd for job in jobs},
            spent_usd=ledger.spent(_scope(folder), request_id=request_id),
        )
        if request.dry_run:
            return outcome
        budget = folder.project.cost_policy.max_usd_per_episode
        if budget <= 0:
            raise InputError(
                "an upgrade spends money, and the project sets no budget for it",
                where="project.yaml: cost_policy.max_usd_per_episode",
                hint=f"set it (the estimate is {sum(outcome.estimates.values()):.2f} USD), "
                "or look first with --dry-run",
            )
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
        previews = encode_clips(ctx, frames)  # every shot's storyboard clip, the fallback
        clips = previews.model_copy(
            update={
                "items": [
                    MediaItem.model_validate(
                        {**item.model_dump(), "sha256": delivered.get(item.key, item.sha256)}
                    )
                    for item in previews.items
                ]
            }
        )
        rendered = render_episode(
            package,
            media=media,
            cache=cache,
            store=RegistryOutputs(registry, request_id),
            work_dir=home / "work",
            out_dir=home / "output",
            given={"frames": frames, "voice": preview.voice, "clips": clips},
            provenance=Provenance(
                lineage={**preview.output.lineage, "prompt_template": template},
                publishable=preview.output.publishable,
                upgraded=sorted(delivered, key=[s.id for s in preview.shotlist.shots].index),
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
        registry.put_bytes(
            rendered.output.to_json(),
            kind=rendered.output.KIND,
            schema_version=rendered.output.schema_version,
            run_id=request_id,
        )
    cache.evict()
    return outcome


def library_for_folder(folder: ProjectFolder) -> tuple[Path, ...]:
    """The project's library roots, as the media source confines files to them."""
    return tuple((folder.root / root).resolve() for root in folder.project.library_roots)
