"""Planning stages: canon_gate, shotlist, asset_manifest, resolve."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from sparkle_motion.adapt.manifest import build_manifest
from sparkle_motion.adapt.shots import MeasuredSpeech, plan_shotlist
from sparkle_motion.audio import SpeechCache, SpeechClip, engine_for, release_engines, voice_for
from sparkle_motion.media.asset_cache import BlobAssetCache
from sparkle_motion.media.resolver import resolve_assets
from sparkle_motion.pipeline.context import StageContext, StageResult
from sparkle_motion.pipeline.media_check import inspect_asset
from sparkle_motion.pipeline.stages.canon_gate import canon_gate
from sparkle_motion.pipeline.stages.rendering import library_for
from sparkle_motion.pipeline.voices import cast_voices
from sparkle_motion.schemas import (
    AssetManifest,
    CastMember,
    DialogueElement,
    RenderPlan,
    Script,
    ShotList,
)

__all__ = [
    "asset_manifest_stage",
    "canon_gate_stage",
    "resolve_stage",
    "shotlist_stage",
]

# Distinct, readable on light and dark plates; used when the canon gives no colour.
_PALETTE = ("#d1495b", "#2e86ab", "#edae49", "#66a182", "#8e6c8a", "#e07a5f", "#3d405b")


def canon_gate_stage(ctx: StageContext) -> StageResult:
    """The script against the canon store's snapshot; proposes (or applies) its canon diff."""
    return canon_gate(ctx)


def shotlist_stage(ctx: StageContext) -> StageResult:
    script = ctx.input("script", Script)
    project = ctx.project
    settings = cast_voices(project, script)
    cache = SpeechCache(ctx.cache)
    lines = [e for s in script.scenes for e in s.elements if isinstance(e, DialogueElement)]
    ctx.progress.total(len(lines))

    def speak(line: DialogueElement) -> SpeechClip:
        voice = voice_for(settings[line.speaker_id], line.delivery, line.emotion)
        return cache.get_or_make(line.text, voice, engine_for(voice))

    # Every line is spoken up front, a worker per core (the voice model runs in
    # parallel); the planner then reads each line's measurement from here.
    spoken: dict[int, MeasuredSpeech] = {}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        try:
            for line, clip in zip(lines, pool.map(speak, lines), strict=True):
                spoken[id(line)] = MeasuredSpeech(seconds=clip.seconds, sha256=clip.sha256)
                ctx.progress.advance()
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)  # a failed line stops the rest
            raise

    def measure(line: DialogueElement) -> MeasuredSpeech:
        known = spoken.get(id(line))
        if known is not None:
            return known
        clip = speak(line)  # a line the planner made itself
        return MeasuredSpeech(seconds=clip.seconds, sha256=clip.sha256)

    try:
        shotlist = plan_shotlist(
            script,
            fps=ctx.profile.fps,
            timing=project.timing,
            measure=measure,
            mood=project.music.mood,
            target_duration=project.target_duration,
            cards=project.cards,
            show_title=project.title,
        )
    finally:
        release_engines()  # every line is spoken: the rest of the run needs the memory
    for note in shotlist.timing_notes:
        ctx.log.warning("timing", note=note)
    # The run's cache counts every line's lookup, the planner's own lines too.
    return StageResult(outputs={"shotlist": shotlist}, notes=list(shotlist.timing_notes))


def asset_manifest_stage(ctx: StageContext) -> StageResult:
    manifest = build_manifest(ctx.input("shotlist", ShotList), ctx.input("script", Script))
    return StageResult(outputs={"asset_manifest": manifest})


def resolve_stage(ctx: StageContext) -> StageResult:
    manifest = ctx.input("asset_manifest", AssetManifest)
    script = ctx.input("script", Script)
    project = ctx.project
    cache = BlobAssetCache(ctx.cache)
    assets = resolve_assets(manifest, library_for(ctx.folder), cache, inspect_asset)
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
        room_tone_db=project.room_tone.level_db if project.room_tone.enabled else None,
        captions=project.captions,
        qa=project.qa,
    )
    notes = [f"placeholder for {a.need_id}: {a.note}" for a in plan.placeholders()]
    for note in notes:
        ctx.log.warning("placeholder", note=note)
    return StageResult(outputs={"render_plan": plan}, notes=notes)
