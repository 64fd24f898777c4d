"""The render stages: thin adapters from a run's stage to a step of the Video Engine.

Each stage builds the engine's context from the run (the package from the
run's artifacts, the project folder as the media source, the registry as the
output store) and calls one engine step; the engine does the work, the runner
keeps the checkpoints.
"""

from __future__ import annotations

from sparkle_motion.cache import BlobCache
from sparkle_motion.media.resolver import Library
from sparkle_motion.pipeline.context import StageContext, StageResult
from sparkle_motion.pipeline.project_folder import ProjectFolder
from sparkle_motion.registry import RegistryOutputs
from sparkle_motion.render.context import RenderContext
from sparkle_motion.render.finish import Provenance, assemble, check, deliver
from sparkle_motion.render.media import FolderMedia
from sparkle_motion.render.package import RenderPackage
from sparkle_motion.render.shots import encode_clips
from sparkle_motion.render.speech import speak_lines
from sparkle_motion.render.storyboard import draw_frames
from sparkle_motion.schemas import (
    AssetManifest,
    MediaSet,
    QAReport,
    RenderPlan,
    SafetyReport,
    ShotList,
)

__all__ = [
    "assemble_stage",
    "clips_stage",
    "finalize_stage",
    "frames_stage",
    "library_for",
    "media_for",
    "package_of",
    "qa_stage",
    "voice_stage",
]

# What came before the package, recorded in the RenderOutput's lineage.
_STORY_LINEAGE = ("script", "safety_report", "canon_report")


def library_for(folder: ProjectFolder) -> Library:
    """Where the project's local assets may come from: its folder and its library roots."""
    return Library(
        project_dir=folder.root,
        extra_roots=tuple((folder.root / root).resolve() for root in folder.project.library_roots),
        overrides={o.asset: o for o in folder.project.rights_overrides},
    )


def media_for(folder: ProjectFolder, cache: BlobCache) -> FolderMedia:
    """The project's files as the Video Engine reads them: confined to its library roots."""
    return FolderMedia(folder.root, cache, library_for(folder).extra_roots)


def package_of(ctx: StageContext) -> RenderPackage:
    return RenderPackage.of(
        ctx.input("shotlist", ShotList),
        ctx.input("asset_manifest", AssetManifest),
        ctx.input("render_plan", RenderPlan),
    )


def _engine(ctx: StageContext) -> RenderContext:
    return RenderContext(
        package=package_of(ctx),
        media=media_for(ctx.folder, ctx.cache),
        cache=ctx.cache,
        store=RegistryOutputs(ctx.registry, ctx.run_id),
        work_dir=ctx.work_dir,
        progress=ctx.progress,
        log=ctx.log,
        cancelled=ctx.cancelled,
    )


def frames_stage(ctx: StageContext) -> StageResult:
    return StageResult(outputs={"frames": draw_frames(_engine(ctx))})


def voice_stage(ctx: StageContext) -> StageResult:
    voice = speak_lines(_engine(ctx))  # the cache counts its hits for the run summary
    return StageResult(outputs={"voice": voice})


def clips_stage(ctx: StageContext) -> StageResult:
    return StageResult(outputs={"clips": encode_clips(_engine(ctx), ctx.input("frames", MediaSet))})


def assemble_stage(ctx: StageContext) -> StageResult:
    clips, voice = ctx.input("clips", MediaSet), ctx.input("voice", MediaSet)
    assembled = assemble(_engine(ctx), clips, voice)
    return StageResult(outputs={"assembly": assembled.media}, notes=assembled.notes)


def qa_stage(ctx: StageContext) -> StageResult:
    checked = check(_engine(ctx), ctx.input("assembly", MediaSet))
    return StageResult(outputs={"qa_report": checked.report}, blocked=checked.blocked)


def finalize_stage(ctx: StageContext) -> StageResult:
    safety = ctx.inputs.get("safety_report")
    output = deliver(
        _engine(ctx),
        ctx.input("assembly", MediaSet),
        ctx.input("qa_report", QAReport),
        ctx.run.output_dir,
        Provenance(
            lineage={n: ctx.input_hashes[n] for n in _STORY_LINEAGE if n in ctx.input_hashes},
            publishable=not isinstance(safety, SafetyReport) or safety.publishable,
        ),
    )
    return StageResult(outputs={"render_output": output})
