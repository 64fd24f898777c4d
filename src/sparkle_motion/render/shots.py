"""The clips step: each shot's frame, moved by its camera, encoded once and cached.

:func:`render_shot` is the per-shot call a worker can run alone: one shot of
a package in, its clip (drawn and encoded, or found in the cache) out.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from sparkle_motion.cache import BlobCache, cache_key
from sparkle_motion.errors import RunStopped
from sparkle_motion.ffmpeg import ffmpeg_version
from sparkle_motion.fingerprint import code_fingerprint, library_versions
from sparkle_motion.render.clips import encode_clip
from sparkle_motion.render.context import RenderContext
from sparkle_motion.render.storyboard import shot_frame, slates
from sparkle_motion.schemas import MediaItem, MediaSet, Shot, ShotList

__all__ = [
    "EPISODE_FADE_SECONDS",
    "SCENE_FADE_SECONDS",
    "ShotClip",
    "encode_clips",
    "fades",
    "render_shot",
    "shot_clip",
]

SCENE_FADE_SECONDS = 0.25
EPISODE_FADE_SECONDS = 0.5
_CLIP_CODE = "sparkle_motion.render.clips"


@dataclass(frozen=True)
class ShotClip:
    """One shot's clip in the cache."""

    shot_id: str
    sha256: str
    path: Path
    frames: int
    seconds: float


def fades(shotlist: ShotList) -> dict[str, tuple[int, int]]:
    """Frames of fade from/to black: the episode's ends and a dip at scene changes."""
    scene_fade = round(SCENE_FADE_SECONDS * shotlist.fps)
    episode_fade = round(EPISODE_FADE_SECONDS * shotlist.fps)
    shots = shotlist.shots
    found: dict[str, tuple[int, int]] = {}
    for index, shot in enumerate(shots):
        first = index == 0
        last = index == len(shots) - 1
        new_scene = not first and shots[index - 1].scene_id != shot.scene_id
        ends_scene = not last and shots[index + 1].scene_id != shot.scene_id
        fade_in = episode_fade if first else scene_fade if new_scene else 0
        fade_out = episode_fade if last else scene_fade if ends_scene else 0
        limit = shot.frames // 3
        found[shot.id] = (min(fade_in, limit), min(fade_out, limit))
    return found


def _clip_key(ctx: RenderContext, shot: Shot, frame_sha: str, fade: tuple[int, int]) -> str:
    profile = ctx.plan.profile
    return cache_key(
        kind="clip",
        code=code_fingerprint(_CLIP_CODE),
        libraries=library_versions("pillow", "numpy"),
        ffmpeg=ffmpeg_version(),
        frame=frame_sha,
        frames=shot.frames,
        fps=profile.fps,
        movement=shot.movement,
        size=[profile.width, profile.height],
        fades=list(fade),
        crf=profile.crf,
        preset=profile.preset,
    )


def _encode(ctx: RenderContext, shot: Shot, frame_sha: str, fade: tuple[int, int]) -> str:
    profile = ctx.plan.profile
    key = _clip_key(ctx, shot, frame_sha, fade)
    with ctx.cache.incoming(".mp4") as out:
        encode_clip(
            ctx.cache.path(frame_sha),
            out,
            width=profile.width,
            height=profile.height,
            fps=profile.fps,
            n_frames=shot.frames,
            movement=shot.movement,
            fade_in_frames=fade[0],
            fade_out_frames=fade[1],
            crf=profile.crf,
            preset=profile.preset,
        )
        return ctx.cache.put_file(key, out, move=True)


def shot_clip(ctx: RenderContext, shot: Shot, frame_sha: str, fade: tuple[int, int]) -> str:
    """The sha256 of the shot's clip in the cache: found, or encoded and stored."""
    found = ctx.cache.get(_clip_key(ctx, shot, frame_sha, fade))
    return found if found is not None else _encode(ctx, shot, frame_sha, fade)


def encode_clips(
    ctx: RenderContext, frames: MediaSet, made: Mapping[str, str] | None = None
) -> MediaSet:
    """Every shot's clip, the missing ones encoded a worker per core (longest first).

    ``made`` names clips already in the cache for some shots (shot id -> sha256: a
    provider's, a worker's), which are taken as they are.
    """
    shotlist = ctx.shotlist
    fade = fades(shotlist)
    ctx.progress.total(len(shotlist.shots))
    done: dict[str, str] = dict(made or {})
    todo: list[Shot] = []
    for shot in shotlist.shots:
        if shot.id in done:
            ctx.progress.advance()
            continue
        found = ctx.cache.get(_clip_key(ctx, shot, frames.item(shot.id).sha256, fade[shot.id]))
        if found is not None:
            done[shot.id] = found
            ctx.progress.advance()
        else:
            todo.append(shot)

    def encode(shot: Shot) -> tuple[str, str]:
        if ctx.cancelled():
            raise RunStopped(
                f"shot {shot.id} was not encoded: the run was stopped",
                where="stage clips",
                hint="resume the run to encode the remaining shots",
            )
        return shot.id, _encode(ctx, shot, frames.item(shot.id).sha256, fade[shot.id])

    # Longest work first, so no worker is left with one long moving shot at the end.
    todo.sort(key=lambda shot: -shot.frames * (1 if shot.movement == "static" else 8))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        futures = [pool.submit(encode, shot) for shot in todo]
        try:
            for future in as_completed(futures):
                shot_id, sha = future.result()
                done[shot_id] = sha
                ctx.progress.advance()
        except BaseException:
            # A failure or a stop drops the shots not started yet instead of encoding them.
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    fps = shotlist.fps
    items = [
        MediaItem(key=s.id, sha256=done[s.id], media_type="video/mp4", seconds=s.frames / fps)
        for s in shotlist.shots
    ]
    return MediaSet.new(stage="clips", items=items)


def render_shot(ctx: RenderContext, shot_id: str) -> ShotClip:
    """One shot's clip: its frame drawn and its clip encoded, each only if not cached."""
    shot = ctx.package.shot(shot_id)
    frame = shot_frame(ctx, shot, slates(ctx.shotlist)[shot.id])
    sha = shot_clip(ctx, shot, frame, fades(ctx.shotlist)[shot.id])
    return ShotClip(
        shot_id=shot.id,
        sha256=sha,
        path=ctx.cache.path(sha),
        frames=shot.frames,
        seconds=shot.frames / ctx.shotlist.fps,
    )


def clip_paths(cache: BlobCache, shotlist: ShotList, clips: MediaSet) -> list[Path]:
    return [cache.path(clips.item(shot.id).sha256) for shot in shotlist.shots]
