"""The frames step: a storyboard frame per shot, drawn once and cached by content."""

from __future__ import annotations

from sparkle_motion.cache import cache_key
from sparkle_motion.fingerprint import code_fingerprint, library_versions
from sparkle_motion.render.context import RenderContext
from sparkle_motion.render.frames import Figure, FrameSpec, render_frame
from sparkle_motion.schemas import (
    MediaItem,
    MediaSet,
    ResolvedAsset,
    Shot,
    ShotList,
    character_variant,
)

__all__ = ["draw_frames", "frame_spec", "shot_frame", "slates"]

_FRAME_CODE = "sparkle_motion.render.frames"


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def slates(shotlist: ShotList) -> dict[str, str]:
    """Each shot's slate: its scene and its number in the scene."""
    labels: dict[str, str] = {}
    counters: dict[int, int] = {}
    for shot in shotlist.shots:
        counters[shot.scene_index] = counters.get(shot.scene_index, 0) + 1
        labels[shot.id] = f"SC {shot.scene_index + 1} · SH {counters[shot.scene_index]}"
    return labels


def _variant_need(shot: Shot, who: str) -> str:
    return f"character/{character_variant(who, shot.framing, shot.expressions.get(who, 'neutral'))}"


def _image_needs(shot: Shot) -> list[str]:
    """Need ids of every image a shot's frame is made from."""
    needs = [f"background/{shot.location_key}/{shot.time_of_day}"]
    needs += [f"prop/{p}" for p in shot.props[:1]]
    needs += [_variant_need(shot, who) for who in shot.characters]
    return needs


def _no_file(asset: ResolvedAsset | None) -> None:
    return None


def frame_spec(
    ctx: RenderContext, shot: Shot, slate: str | None, *, files: bool = True
) -> FrameSpec:
    """What the shot's frame shows, its images found through the media source (with
    ``files=False``, no file is looked for: what the cache key is made from)."""
    plan, profile = ctx.plan, ctx.plan.profile
    file = ctx.media.file if files else _no_file
    figures = []
    for who in shot.characters:
        member = plan.cast.get(who)
        if member is not None:
            art = file(plan.asset(_variant_need(shot, who)))
            figures.append(Figure(name=member.name, color=_rgb(member.color), image=art))
    background = plan.asset(f"background/{shot.location_key}/{shot.time_of_day}")
    prop = plan.asset(f"prop/{shot.props[0]}") if shot.props else None
    return FrameSpec(
        width=profile.width,
        height=profile.height,
        location=shot.location,
        time_of_day=shot.time_of_day,
        interior=shot.interior,
        framing=shot.framing,
        figures=tuple(figures),
        seed=plan.seed,
        beat=shot.action_beats[0] if shot.action_beats else None,
        slate=slate if profile.slate and shot.framing != "card" else None,
        background=file(background),
        placeholder=background.note if background and background.placeholder else None,
        subject=file(prop) if shot.framing == "insert" else None,
    )


def shot_frame(ctx: RenderContext, shot: Shot, slate: str | None) -> str:
    """The sha256 of the shot's frame in the cache: found, or drawn and stored.

    Images enter the key by content (the plan's sha256), never by where they happen
    to be stored, so a cached frame needs no file looked up.
    """
    images = {}
    for need in _image_needs(shot):
        asset = ctx.plan.asset(need)
        if asset is not None and not asset.placeholder and asset.source in ("local", "cache"):
            images[need] = asset.sha256
    key = cache_key(
        kind="frame",
        code=code_fingerprint(_FRAME_CODE),
        libraries=library_versions("pillow", "numpy"),
        spec=repr(frame_spec(ctx, shot, slate, files=False)),
        images=images,
    )
    sha = ctx.cache.get(key)
    if sha is None:
        with ctx.cache.incoming(".png") as path:
            spec = frame_spec(ctx, shot, slate)
            render_frame(spec).save(path, format="PNG", optimize=False, compress_level=6)
            sha = ctx.cache.put_file(key, path, move=True)
    return sha


def draw_frames(ctx: RenderContext) -> MediaSet:
    """Every shot's frame, in shot order."""
    shots = ctx.shotlist.shots
    labels = slates(ctx.shotlist)
    ctx.progress.total(len(shots))
    items: list[MediaItem] = []
    for shot in shots:
        sha = shot_frame(ctx, shot, labels[shot.id])
        items.append(MediaItem(key=shot.id, sha256=sha, media_type="image/png"))
        ctx.progress.advance()
    return MediaSet.new(stage="frames", items=items)
