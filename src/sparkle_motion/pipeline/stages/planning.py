"""Planning stages: write, canon_gate, shotlist, asset_manifest, resolve."""

from __future__ import annotations

from sparkle_motion.adapt.manifest import build_manifest
from sparkle_motion.adapt.shots import MeasuredSpeech, plan_shotlist
from sparkle_motion.audio import SpeechCache, engine_for
from sparkle_motion.canon.gate import check_script
from sparkle_motion.errors import InvalidArtifact
from sparkle_motion.media.resolver import Library, resolve_assets
from sparkle_motion.pipeline.context import StageContext, StageResult
from sparkle_motion.pipeline.voices import cast_voices, to_voice
from sparkle_motion.schemas import (
    AssetManifest,
    CastMember,
    DialogueElement,
    RenderPlan,
    Script,
    ShotList,
)
from sparkle_motion.writing.sources import EPISODE_READERS

__all__ = [
    "asset_manifest_stage",
    "canon_gate_stage",
    "library_for",
    "resolve_stage",
    "shotlist_stage",
    "speech_cache_for",
    "write_stage",
]

# Distinct, readable on light and dark plates; used when the canon gives no colour.
_PALETTE = ("#d1495b", "#2e86ab", "#edae49", "#66a182", "#8e6c8a", "#e07a5f", "#3d405b")


def library_for(ctx: StageContext) -> Library:
    return Library(
        project_dir=ctx.folder.root,
        extra_roots=tuple((ctx.folder.root / root).resolve() for root in ctx.project.library_roots),
    )


def speech_cache_for(ctx: StageContext) -> SpeechCache:
    return SpeechCache(ctx.folder.state_dir / "cache" / "speech")


def write_stage(ctx: StageContext) -> StageResult:
    """The episode's source in, a valid Script out; its id must match the file name."""
    source = ctx.episode_source
    reader = next(r for suffix, r in EPISODE_READERS.items() if source.name.endswith(suffix))
    script = reader(source.read_bytes(), str(source))
    if script.episode_id != ctx.episode_id:
        raise InvalidArtifact(
            f"$.episode_id: {script.episode_id!r} does not match the file name "
            f"({ctx.episode_id!r})",
            where=str(source),
            hint=f'set "episode_id": "{ctx.episode_id}" or rename the file',
        )
    ctx.progress.total(1)
    ctx.progress.advance()
    return StageResult(outputs={"script": script})


def canon_gate_stage(ctx: StageContext) -> StageResult:
    script = ctx.input("script", Script)
    report = check_script(
        script,
        ctx.folder.canon,
        script_hash=ctx.input_hashes["script"],
        canon_hash=ctx.input_hashes["canon"],
    )
    blocking = [f for f in report.findings if f.severity == "block"]
    blocked = None
    if blocking:
        first = blocking[0]
        where = f" (scene {first.scene_id}, line {first.line_id})" if first.scene_id else ""
        blocked = (
            f"the canon gate found {len(blocking)} contradiction(s): "
            f"{first.message}{where}; repair: {first.repair}"
        )
    for finding in report.findings:
        ctx.log.info("canon_finding", **finding.model_dump())
    return StageResult(outputs={"canon_report": report}, blocked=blocked)


def shotlist_stage(ctx: StageContext) -> StageResult:
    script = ctx.input("script", Script)
    project = ctx.project
    voices = {k: to_voice(v) for k, v in cast_voices(project, script).items()}
    cache = speech_cache_for(ctx)
    lines = sum(isinstance(e, DialogueElement) for s in script.scenes for e in s.elements)
    ctx.progress.total(lines)

    def measure(line: DialogueElement) -> MeasuredSpeech:
        voice = voices[line.speaker_id]
        clip = cache.get_or_make(line.text, voice, engine_for(voice))
        ctx.progress.advance()
        return MeasuredSpeech(seconds=clip.seconds, sha256=clip.sha256)

    shotlist = plan_shotlist(
        script,
        fps=ctx.profile.fps,
        timing=project.timing,
        measure=measure,
        mood=project.music.mood,
        target_duration=project.target_duration,
    )
    for note in shotlist.timing_notes:
        ctx.log.warning("timing", note=note)
    return StageResult(
        outputs={"shotlist": shotlist},
        cache_hits=cache.hits,
        cache_misses=cache.misses,
        notes=list(shotlist.timing_notes),
    )


def asset_manifest_stage(ctx: StageContext) -> StageResult:
    manifest = build_manifest(ctx.input("shotlist", ShotList), ctx.input("script", Script))
    return StageResult(outputs={"asset_manifest": manifest})


def resolve_stage(ctx: StageContext) -> StageResult:
    manifest = ctx.input("asset_manifest", AssetManifest)
    script = ctx.input("script", Script)
    project = ctx.project
    assets = resolve_assets(manifest, library_for(ctx))
    cast: dict[str, CastMember] = {}
    for index, character in enumerate(script.characters):
        canon_entry = ctx.folder.canon.character(character.speaker_id)
        color = canon_entry.color if canon_entry and canon_entry.color else None
        cast[character.speaker_id] = CastMember(
            name=character.name, color=color or _PALETTE[index % len(_PALETTE)]
        )
    plan = RenderPlan.new(
        episode_id=manifest.episode_id,
        profile=ctx.profile,
        timing_lock_hash=manifest.timing_lock_hash,
        seed=project.seed,
        assets=assets,
        voices=cast_voices(project, script),
        cast=cast,
        music_level_db=project.music.level_db if project.music.enabled else -120.0,
        music_duck_db=project.music.duck_db,
    )
    notes = [f"placeholder for {a.need_id}: {a.note}" for a in plan.placeholders()]
    for note in notes:
        ctx.log.warning("placeholder", note=note)
    return StageResult(outputs={"render_plan": plan}, notes=notes)
