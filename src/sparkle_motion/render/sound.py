"""The episode's sound, scene by scene: lines, effects and beds placed, mixed, leveled, cached.

A scene is mixed on its own: its dialogue compressed, its beds coming in and
going out with it (a scene change dips the picture to black, and the music
follows), ducked under its lines, its sum gained and limited. Two levels are
set across the episode: the dialogue's RMS, which beds and room tone sit
under, and the gain that lands the whole on the loudness target; both move in
steps (half a dB and a tenth: :func:`.audio.level_step`). Every scene's dialogue and
mix is cached by the content of everything that shapes it, so a re-render
after a one-line edit mixes the scene that line is in and joins the others
from the cache, unless the edit moved a level by a step.

Positions inside a scene are counted from the scene's start, so an edit that
moves later scenes in time leaves their sound as it was.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sparkle_motion.audio import Stems, integrated_lufs, level_step
from sparkle_motion.audio.loudness import CLOSE_ENOUGH_LU, SILENCE_LUFS
from sparkle_motion.audio.wav import join_wavs
from sparkle_motion.errors import InvalidArtifact
from sparkle_motion.render.context import RenderContext
from sparkle_motion.render.sound_layout import SceneLayout, scene_layouts
from sparkle_motion.render.sound_passes import WORKERS, ScenePasses
from sparkle_motion.schemas import MediaSet

__all__ = [
    "SceneSound",
    "SoundLevels",
    "SoundReport",
    "make_soundtrack",
    "scene_sound",
    "sound_levels",
]

_ATTEMPTS = 4  # mixes at a gain, each correcting the last one's miss


@dataclass(frozen=True)
class SoundReport:
    """What the soundtrack came to: the mix's loudness, its gain, and what was mixed anew."""

    integrated_lufs: float
    sample_peak_dbfs: float
    gain_db: float
    dialogue_rms_db: float  # the level beds are set under
    scenes: int
    scenes_mixed: int  # the rest came from the cache


@dataclass(frozen=True)
class SoundLevels:
    """The two levels set across the episode: the dialogue RMS beds sit under, and the gain."""

    reference: float  # linear RMS of the dialogue, in steps of REFERENCE_STEP_DB
    gain_db: float


@dataclass(frozen=True)
class SceneSound:
    """One scene's stems and leveled mix in the cache, and what the mix's meter read."""

    scene_id: str
    stems: Stems
    momentary: tuple[float, ...]
    peak_dbfs: float


def _layouts(ctx: RenderContext, voice: MediaSet, only: str | None = None) -> list[SceneLayout]:
    rate = ctx.plan.profile.audio_sample_rate
    return scene_layouts(ctx.shotlist, ctx.plan, voice, rate, only)


def sound_levels(ctx: RenderContext, voice: MediaSet) -> SoundLevels:
    """The levels guessed from every scene's dialogue (each compressed once and cached)."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        sound = ScenePasses(ctx, ctx.plan, pool)
        reference, gain = sound.gain(sound.dialogues(_layouts(ctx, voice)))
    return SoundLevels(reference, gain)


def scene_sound(
    ctx: RenderContext, voice: MediaSet, scene_id: str, levels: SoundLevels
) -> SceneSound:
    """One scene's sound at ``levels``: its dialogue, stems and mix, each made only if not
    cached. A worker can run it alone; the same levels give the bytes the episode joins."""
    scene = next(iter(_layouts(ctx, voice, only=scene_id)), None)
    if scene is None:
        raise InvalidArtifact(
            f"no scene {scene_id!r} in episode {ctx.package.episode_id}",
            where="scene_id",
            hint=f"one of: {', '.join(ctx.package.scene_ids())}",
        )
    with ThreadPoolExecutor(max_workers=1) as pool:
        sound = ScenePasses(ctx, ctx.plan, pool)
        takes = sound.dialogues([scene])
        parts = sound.stems([scene], takes, levels.reference)
        mixed = sound.mixes(parts, levels.gain_db)[0]
    stems = Stems(parts[0].voice, parts[0].music, parts[0].effects, mixed.mix)
    return SceneSound(scene.id, stems, mixed.momentary, mixed.peak_dbfs)


def make_soundtrack(ctx: RenderContext, voice: MediaSet, stems: Stems) -> SoundReport:
    """Mix the episode scene by scene, leveled to the profile's target, into ``stems``.

    ``stems.mix`` is the finished mix; the voice, music and effects stems are
    the parts before the gain.
    """
    plan = ctx.plan
    rate = plan.profile.audio_sample_rate
    scenes = _layouts(ctx, voice)
    target = plan.profile.loudness_lufs
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        sound = ScenePasses(ctx, plan, pool)
        takes = sound.dialogues(scenes)
        reference, gain = sound.gain(takes)
        parts = sound.stems(scenes, takes, reference)
        for attempt in range(1, _ATTEMPTS + 1):
            mixes = sound.mixes(parts, gain)
            loudness = integrated_lufs(m for mixed in mixes for m in mixed.momentary)
            ctx.log.info(
                "mix_level",
                dialogue_rms=round(reference, 5),
                gain_db=gain,
                integrated_lufs=round(loudness, 2),
            )
            corrected = level_step(gain + target - loudness)
            landed = abs(target - loudness) <= CLOSE_ENOUGH_LU
            if loudness <= SILENCE_LUFS or landed or corrected == gain or attempt == _ATTEMPTS:
                break  # landed, silent, or as near as a step gets: QA judges the rest
            gain = corrected
    join_wavs([take.path for take in takes], stems.voice, rate)
    join_wavs([part.music for part in parts], stems.music, rate)
    join_wavs([part.effects for part in parts], stems.effects, rate)
    join_wavs([mixed.mix for mixed in mixes], stems.mix, rate)
    return SoundReport(
        integrated_lufs=loudness,
        sample_peak_dbfs=max((mixed.peak_dbfs for mixed in mixes), default=-120.0),
        gain_db=gain,
        dialogue_rms_db=20.0 * math.log10(reference) if reference > 0 else SILENCE_LUFS,
        scenes=len(scenes),
        scenes_mixed=sound.mixed,
    )
