"""A clip from elsewhere (a provider's) made to fit a shot's locked place in the episode.

The shot's length is locked; the clip bends to it, never the reverse. A clip
at least as long as the shot is trimmed; one a little shorter is slowed to
fit (by at most :data:`MAX_STRETCH`); one shorter than that is refused, and
the shot keeps its preview clip. The picture is scaled to cover the profile's
size and cropped to it, resampled to its frame rate, converted to BT.709
limited range and 4:2:0, and encoded with the preview clips' exact settings,
so it joins them by stream copy. No sound is kept: the episode's sound is the
preview's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sparkle_motion.atomic import atomic_path
from sparkle_motion.errors import MediaError, ProviderFatal
from sparkle_motion.ffmpeg import run_ffmpeg
from sparkle_motion.qa.probe import probe_stream
from sparkle_motion.render.clips import x264_encoder_args

__all__ = ["MAX_STRETCH", "Conformed", "conform_clip"]

MAX_STRETCH = 0.10  # a clip up to 10 % short is slowed to fit; shorter ones are refused
_LONG_ENOUGH = 1e-3  # seconds of slack in "at least as long"


@dataclass(frozen=True)
class Conformed:
    """What was done to the clip: how long it was, and how much it was slowed or trimmed."""

    source_seconds: float
    seconds: float
    frames: int
    stretch: float  # 1.0: trimmed (or exact); above 1: slowed by that factor


def conform_clip(
    source: Path,
    out: Path,
    *,
    width: int,
    height: int,
    fps: int,
    frames: int,
    crf: int,
    preset: str,
    fades: tuple[int, int] = (0, 0),
    span: tuple[int, int] | None = None,
    where: str = "clip",
) -> Conformed:
    """``source`` as exactly ``frames`` frames of ``width`` x ``height`` at ``fps``, in ``out``;
    ``fades`` (frames from and to black) as the preview clip of that shot has them.

    ``span`` is (first frame, total frames) when the source is a segment's clip
    covering several shots: the whole clip is fitted to ``total`` frames and
    ``out`` holds the shot's ``frames`` of it from ``first`` on.
    """
    first, total = span if span is not None else (0, frames)
    if first < 0 or first + frames > total:
        raise ValueError(f"frames {first}..{first + frames} are outside a {total}-frame clip")
    try:
        reading = probe_stream(source, "v")
    except MediaError as exc:
        raise ProviderFatal(
            f"the returned clip cannot be read as video: {exc.message}",
            where=where,
            hint="the shot keeps its preview clip",
        ) from None
    needed = total / fps
    have = reading.seconds
    if have <= 0 or reading.frames == 0:
        raise ProviderFatal("the returned clip has no picture", where=where)
    if have + _LONG_ENOUGH >= needed:
        stretch = 1.0
    elif needed / have - 1.0 <= MAX_STRETCH:
        stretch = needed / have
    else:
        raise ProviderFatal(
            f"the returned clip lasts {have:.3f} s; the shot is locked at {needed:.3f} s, "
            f"more than {MAX_STRETCH:.0%} longer",
            where=where,
            hint="the shot keeps its preview clip; ask the provider for a longer clip",
        )
    picture = ",".join(
        [
            f"setpts={stretch:.9f}*PTS",
            f"fps={fps}",
            # cover the frame, then crop: the shot's framing, never letterboxed
            f"scale={width}:{height}:force_original_aspect_ratio=increase"
            ":out_color_matrix=bt709:out_range=tv",
            f"crop={width}:{height}",
            "setsar=1",
            # a clip that rounds a frame short holds its last frame
            f"tpad=stop_mode=clone:stop={fps}",
            *(
                [f"trim=start_frame={first}:end_frame={first + frames}", "setpts=PTS-STARTPTS"]
                if span is not None
                else []
            ),
            # as the preview clips fade: the first frame of a fade-in and the last of a
            # fade-out are black
            *([f"fade=t=in:s=0:n={fades[0]}"] if fades[0] > 0 else []),
            *([f"fade=t=out:s={frames - 1 - fades[1]}:n={fades[1]}"] if fades[1] > 0 else []),
            "format=yuv420p",
        ]
    )
    args = [
        "-filter_threads", "1", "-i", str(source),
        "-map", "0:v:0", "-an", "-sn", "-dn", "-vf", picture,
        *x264_encoder_args(fps=fps, n_frames=frames, crf=crf, preset=preset),
    ]  # fmt: skip
    with atomic_path(out) as tmp:
        run_ffmpeg([*args, str(tmp)])
    return Conformed(source_seconds=have, seconds=frames / fps, frames=frames, stretch=stretch)
