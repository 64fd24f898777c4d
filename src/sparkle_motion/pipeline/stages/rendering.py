"""Per-shot media stages: frames, voice, clips. Each item is cached by content."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path

from sparkle_motion.adapt.manifest import character_variant
from sparkle_motion.audio import engine_for, release_engines
from sparkle_motion.errors import RunStopped, StageError
from sparkle_motion.ffmpeg import ffmpeg_version
from sparkle_motion.pipeline.context import StageContext, StageResult
from sparkle_motion.pipeline.media_cache import cache_key
from sparkle_motion.pipeline.stages.planning import asset_path, speech_cache_for
from sparkle_motion.pipeline.voices import to_voice
from sparkle_motion.render.clips import encode_clip
from sparkle_motion.render.frames import Figure, FrameSpec, render_frame
from sparkle_motion.schemas import MediaItem, MediaSet, RenderPlan, Shot, ShotList

__all__ = ["check_lock", "clips_stage", "frames_stage", "voice_stage"]

FRAMES_VERSION = "1"
CLIPS_VERSION = "2"  # 2: repeated still GOPs encoded once; pans resample one axis
SCENE_FADE_SECONDS = 0.25
EPISODE_FADE_SECONDS = 0.5


def check_lock(shotlist: ShotList, plan: RenderPlan) -> None:
    """Durations are locked: a plan made for other timing must never render."""
    if plan.timing_lock_hash != shotlist.timing_lock_hash:
        raise StageError(
            f"the render plan was made for timing {plan.timing_lock_hash[:12]}, the shot list "
            f"is locked at {shotlist.timing_lock_hash[:12]}",
            where="render_plan.timing_lock_hash",
            hint="re-run the resolve stage for this shot list",
        )


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _slates(shotlist: ShotList) -> dict[str, str]:
    labels: dict[str, str] = {}
    counters: dict[int, int] = {}
    for shot in shotlist.shots:
        counters[shot.scene_index] = counters.get(shot.scene_index, 0) + 1
        labels[shot.id] = f"SC {shot.scene_index + 1} · SH {counters[shot.scene_index]}"
    return labels


def _figures(ctx: StageContext, plan: RenderPlan, shot: Shot) -> tuple[Figure, ...]:
    figures = []
    for who in shot.characters:
        member = plan.cast.get(who)
        if member is None:
            continue
        variant = character_variant(who, shot.framing, shot.expressions.get(who, "neutral"))
        art = asset_path(ctx, plan.asset(f"character/{variant}"))
        figures.append(Figure(name=member.name, color=_rgb(member.color), image=art))
    return tuple(figures)


def frames_stage(ctx: StageContext) -> StageResult:
    shotlist, plan = ctx.input("shotlist", ShotList), ctx.input("render_plan", RenderPlan)
    check_lock(shotlist, plan)
    profile, slates = plan.profile, _slates(shotlist)
    shas = {a.need_id: a.sha256 for a in plan.assets}
    ctx.progress.total(len(shotlist.shots))
    items: list[MediaItem] = []
    for shot in shotlist.shots:
        background = plan.asset(f"background/{shot.location_key}/{shot.time_of_day}")
        prop = plan.asset(f"prop/{shot.props[0]}") if shot.props else None
        spec = FrameSpec(
            width=profile.width,
            height=profile.height,
            location=shot.location,
            time_of_day=shot.time_of_day,
            interior=shot.interior,
            framing=shot.framing,
            figures=_figures(ctx, plan, shot),
            beat=shot.action_beats[0] if shot.action_beats else None,
            slate=slates[shot.id] if profile.slate and shot.framing != "card" else None,
            background=asset_path(ctx, background),
            placeholder=background.note if background and background.placeholder else None,
            subject=asset_path(ctx, prop) if shot.framing == "insert" else None,
        )
        # Images enter the key by content, never by where they happen to be stored.
        pathless = replace(
            spec,
            background=None,
            subject=None,
            figures=tuple(replace(f, image=None) for f in spec.figures),
        )
        images = {need: shas.get(need) for need in _asset_files(ctx, plan, shot)}
        key = cache_key(stage="frames", version=FRAMES_VERSION, spec=repr(pathless), images=images)
        sha = ctx.cache.get(key)
        if sha is None:
            path = ctx.work_dir / f"{shot.id}.png"
            render_frame(spec).save(path, format="PNG", optimize=False, compress_level=6)
            sha = ctx.cache.put(key, path, kind="media/png", run_id=ctx.run_id)
        items.append(MediaItem(key=shot.id, sha256=sha, media_type="image/png"))
        ctx.progress.advance()
    return StageResult(outputs={"frames": MediaSet.new(stage="frames", items=items)})


def _asset_files(ctx: StageContext, plan: RenderPlan, shot: Shot) -> dict[str, Path]:
    """need id -> file, for every image a shot's frame is made from."""
    needs = [f"background/{shot.location_key}/{shot.time_of_day}"]
    needs += [f"prop/{p}" for p in shot.props[:1]]
    needs += [
        f"character/{character_variant(w, shot.framing, shot.expressions.get(w, 'neutral'))}"
        for w in shot.characters
    ]
    files = {}
    for need in needs:
        path = asset_path(ctx, plan.asset(need))
        if path is not None:
            files[need] = path
    return files


def voice_stage(ctx: StageContext) -> StageResult:
    shotlist, plan = ctx.input("shotlist", ShotList), ctx.input("render_plan", RenderPlan)
    check_lock(shotlist, plan)
    cache = speech_cache_for(ctx)
    lines = [line for shot in shotlist.shots for line in shot.lines]
    ctx.progress.total(len(lines))
    items: list[MediaItem] = []
    try:  # every line is in the speech cache unless it was cleared
        for line in lines:
            voice = to_voice(plan.voices[line.speaker_id], line.delivery, line.emotion)
            clip = cache.get_or_make(line.text, voice, engine_for(voice))
            if line.speech_sha256 and clip.sha256 != line.speech_sha256:
                raise StageError(
                    f"the speech for line {line.line_id} differs from the speech its timing was "
                    "locked with",
                    where=f"voice {line.speaker_id}",
                    hint="the voice engine or its settings changed: plan the shot list again",
                )
            record = ctx.registry.put_file(
                clip.path, kind="media/wav", run_id=ctx.run_id, params={"line": line.line_id}
            )
            items.append(
                MediaItem(
                    key=line.line_id,
                    sha256=record.hash,
                    media_type="audio/wav",
                    seconds=clip.seconds,
                )
            )
            ctx.progress.advance()
    finally:
        release_engines()
    return StageResult(
        outputs={"voice": MediaSet.new(stage="voice", items=items)},
        cache_hits=cache.hits,
        cache_misses=cache.misses,
    )


@dataclass(frozen=True)
class _ClipJob:
    shot: Shot
    key: str
    source: Path
    out: Path
    fade_in: int
    fade_out: int


def _fades(shotlist: ShotList) -> dict[str, tuple[int, int]]:
    """Frames of fade from/to black: the episode's ends and a dip at scene changes."""
    scene_fade = round(SCENE_FADE_SECONDS * shotlist.fps)
    episode_fade = round(EPISODE_FADE_SECONDS * shotlist.fps)
    shots = shotlist.shots
    fades: dict[str, tuple[int, int]] = {}
    for index, shot in enumerate(shots):
        first = index == 0
        last = index == len(shots) - 1
        new_scene = not first and shots[index - 1].scene_id != shot.scene_id
        ends_scene = not last and shots[index + 1].scene_id != shot.scene_id
        fade_in = episode_fade if first else scene_fade if new_scene else 0
        fade_out = episode_fade if last else scene_fade if ends_scene else 0
        limit = shot.frames // 3
        fades[shot.id] = (min(fade_in, limit), min(fade_out, limit))
    return fades


def clips_stage(ctx: StageContext) -> StageResult:
    shotlist, plan = ctx.input("shotlist", ShotList), ctx.input("render_plan", RenderPlan)
    frames = ctx.input("frames", MediaSet)
    check_lock(shotlist, plan)
    profile = plan.profile
    fades = _fades(shotlist)
    ctx.progress.total(len(shotlist.shots))
    done: dict[str, str] = {}
    jobs: list[_ClipJob] = []
    for shot in shotlist.shots:
        frame_sha = frames.item(shot.id).sha256
        key = cache_key(
            stage="clips",
            version=CLIPS_VERSION,
            ffmpeg=ffmpeg_version(),
            frame=frame_sha,
            frames=shot.frames,
            fps=shotlist.fps,
            movement=shot.movement,
            size=[profile.width, profile.height],
            fades=list(fades[shot.id]),
            crf=profile.crf,
            preset=profile.preset,
        )
        cached = ctx.cache.get(key)
        if cached is not None:
            done[shot.id] = cached
            ctx.progress.advance()
            continue
        jobs.append(
            _ClipJob(
                shot=shot,
                key=key,
                source=ctx.cache.path(frame_sha),
                out=ctx.work_dir / f"{shot.id}.mp4",
                fade_in=fades[shot.id][0],
                fade_out=fades[shot.id][1],
            )
        )

    def encode(job: _ClipJob) -> _ClipJob:
        if ctx.cancelled():
            raise RunStopped(
                f"shot {job.shot.id} was not encoded: the run was stopped",
                where=f"stage {ctx.stage}",
                hint="resume the run to encode the remaining shots",
            )
        encode_clip(
            job.source,
            job.out,
            width=profile.width,
            height=profile.height,
            fps=shotlist.fps,
            n_frames=job.shot.frames,
            movement=job.shot.movement,
            fade_in_frames=job.fade_in,
            fade_out_frames=job.fade_out,
            crf=profile.crf,
            preset=profile.preset,
        )
        return job

    # Longest work first, so no worker is left with one long moving shot at the end.
    jobs.sort(key=lambda job: -job.shot.frames * (1 if job.shot.movement == "static" else 8))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        futures = [pool.submit(encode, job) for job in jobs]
        try:
            for future in as_completed(futures):
                job = future.result()
                done[job.shot.id] = ctx.cache.put(
                    job.key, job.out, kind="media/mp4", run_id=ctx.run_id, parents=[]
                )
                ctx.progress.advance()
        except BaseException:
            # A failure or a stop drops the shots not started yet instead of encoding them.
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    items = [
        MediaItem(
            key=s.id, sha256=done[s.id], media_type="video/mp4", seconds=s.frames / shotlist.fps
        )
        for s in shotlist.shots
    ]
    return StageResult(outputs={"clips": MediaSet.new(stage="clips", items=items)})
