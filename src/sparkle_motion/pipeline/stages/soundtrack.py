"""The episode's sound, from the shot list: lines, effects and beds placed, mixed, normalized.

The audio layer mixes plain values (:func:`sparkle_motion.audio.mix_soundtrack`);
this module says what goes where: each line at its shot's start plus its
offset, each shot's effects a moment after the cut, each mood's bed under
its shots. Speech comes at the voice engine's rate; it is resampled to the
mix rate once and cached by content, so a re-render after a one-line edit
resamples that line alone.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sparkle_motion.audio import (
    Bed,
    Loudness,
    Placement,
    Soundtrack,
    Stems,
    measure,
    mix_soundtrack,
    normalize,
    read_wav,
    write_wav,
)
from sparkle_motion.audio.decode import decode_to_wav
from sparkle_motion.audio.limiter import PeakLimiter
from sparkle_motion.audio.loudness import LIMITER_MARGIN_DB
from sparkle_motion.audio.resample import resample
from sparkle_motion.audio.soundtrack import Leveling
from sparkle_motion.pipeline.context import StageContext
from sparkle_motion.pipeline.media_cache import cache_key
from sparkle_motion.pipeline.stages.planning import asset_path
from sparkle_motion.schemas import MediaSet, RenderPlan, ShotList

__all__ = ["SFX_GAIN_DB", "SFX_OFFSET_SECONDS", "make_soundtrack"]

SFX_OFFSET_SECONDS = 0.15
SFX_GAIN_DB = -6.0
_RESAMPLER = "sparkle-polyphase-1"  # names resample.py's kernel: a change must miss the cache


def _decode_to_wav(path: Path, work: Path, sample_rate: int) -> Path:
    """Any sound file the library holds, as mono 16-bit WAV at ``sample_rate``."""
    wav = work / f"decoded-{hashlib.sha256(str(path).encode()).hexdigest()[:16]}.wav"
    decode_to_wav(path, wav, sample_rate)
    return wav


def _speech_at(ctx: StageContext, sha: str, rate: int) -> Path:
    """The line blob ``sha`` at ``rate``: from the media cache, or resampled once and cached."""
    key = cache_key(kind="speech-at-rate", speech=sha, rate=rate, resampler=_RESAMPLER)
    found = ctx.cache.get(key)
    if found is not None:
        return ctx.cache.path(found)
    samples, source_rate = read_wav(ctx.cache.path(sha))
    if source_rate == rate:
        return ctx.cache.path(sha)
    out = ctx.work_dir / "speech" / f"{sha[:16]}-{rate}.wav"
    write_wav(resample(samples, source_rate, rate), out, rate)
    return ctx.cache.path(
        ctx.cache.put(key, out, kind="media/wav", parents=[sha], run_id=ctx.run_id)
    )


def _voice(ctx: StageContext, shotlist: ShotList, voice: MediaSet, rate: int) -> list[Placement]:
    starts = shotlist.shot_starts()
    placements = []
    for shot in shotlist.shots:
        offset = starts[shot.id] / shotlist.fps
        for line in shot.lines:
            path = _speech_at(ctx, voice.item(line.line_id).sha256, rate)
            placements.append(Placement(path=path, start=offset + line.start))
    return placements


def _effects(ctx: StageContext, shotlist: ShotList, plan: RenderPlan, rate: int) -> list[Placement]:
    """Each resolved sound effect a moment after the start of the shot that names it."""
    starts = shotlist.shot_starts()
    placements = []
    for shot in shotlist.shots:
        for effect in shot.sfx:
            path = asset_path(ctx, plan.asset(f"sfx/{effect}"))
            if path is not None:
                placements.append(
                    Placement(
                        path=_decode_to_wav(path, ctx.work_dir, rate),
                        start=starts[shot.id] / shotlist.fps + SFX_OFFSET_SECONDS,
                        gain_db=SFX_GAIN_DB,
                    )
                )
    return placements


def _beds(ctx: StageContext, shotlist: ShotList, plan: RenderPlan, rate: int) -> list[Bed]:
    """Each mood's bed under its shots: the library's file, or the generated pad."""
    starts = shotlist.shot_starts()
    spans: dict[str, list[tuple[int, int]]] = {}
    for shot in shotlist.shots:
        begin = round(starts[shot.id] / shotlist.fps * rate)
        end = round((starts[shot.id] + shot.frames) / shotlist.fps * rate)
        spans.setdefault(shot.music_mood, []).append((begin, end))
    beds = []
    for mood, ranges in sorted(spans.items()):
        path = asset_path(ctx, plan.asset(f"music/{mood}"))
        source = _decode_to_wav(path, ctx.work_dir, rate) if path is not None else None
        beds.append(Bed(spans=tuple(ranges), mood=mood, source=source))
    return beds


def make_soundtrack(
    ctx: StageContext,
    shotlist: ShotList,
    plan: RenderPlan,
    voice: MediaSet,
    stems: Stems,
    final: Path,
) -> Loudness:
    """Mix the episode into ``stems``, normalize the mix into ``final``; returns its loudness."""
    rate = plan.profile.audio_sample_rate
    track = Soundtrack(
        length=round(shotlist.total_frames / shotlist.fps * rate),
        rate=rate,
        seed=plan.seed,
        voice=_voice(ctx, shotlist, voice, rate),
        effects=_effects(ctx, shotlist, plan, rate),
        beds=_beds(ctx, shotlist, plan, rate),
        music_level_db=plan.music_level_db,
        duck_db=plan.music_duck_db,
        room_tone_db=plan.room_tone_db,
    )
    limiter = PeakLimiter(rate, 10.0 ** ((plan.profile.true_peak_dbtp - LIMITER_MARGIN_DB) / 20))
    level = Leveling(target_lufs=plan.profile.loudness_lufs, limiter=limiter, final=final)
    mixed = mix_soundtrack(track, stems, level)
    if mixed.landed and mixed.leveled is not None:
        return mixed.leveled
    _, after = normalize(
        stems.mix,
        final,
        target_lufs=plan.profile.loudness_lufs,
        true_peak_dbtp=plan.profile.true_peak_dbtp,
        sample_rate=rate,
        before=mixed.raw if mixed.raw is not None else measure(stems.mix),
        tried=(mixed.gain_db, mixed.leveled) if mixed.leveled is not None else None,
    )
    return after
